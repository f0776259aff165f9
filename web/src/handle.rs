//! The shared handle every view reads the playground through.
//!
//! The [`Playground`] (the whole simulated cluster) lives once, in an `Rc<RefCell<…>>` the
//! app owns; it is never cloned per frame. Views get a [`PlaygroundHandle`]: the shared
//! pointer plus the playground's version counter, so Yew re-renders a view exactly when the
//! version moved (the handle's equality compares versions). Views change the playground with
//! [`PlaygroundHandle::update`], which then tells the app (it re-renders and saves the session).

use std::cell::RefCell;
use std::rc::Rc;

use yew::Callback;

use crate::playground::Playground;

/// The playground, shared, with the version it had when the app last rendered.
#[derive(Clone)]
pub struct PlaygroundHandle {
    /// The playground itself.
    pub playground: Rc<RefCell<Playground>>,
    /// Its version at the app's last render.
    pub version: u64,
    /// Tells the app that the playground changed.
    pub changed: Callback<()>,
}

impl PartialEq for PlaygroundHandle {
    fn eq(&self, other: &PlaygroundHandle) -> bool {
        self.version == other.version && Rc::ptr_eq(&self.playground, &other.playground)
    }
}

impl PlaygroundHandle {
    /// Changes the playground, then tells the app.
    pub fn update(&self, change: impl FnOnce(&mut Playground)) {
        {
            let mut playground = self.playground.borrow_mut();
            change(&mut playground);
        }
        self.changed.emit(());
    }

    /// Reads something from the playground (mutably: the world hands out its API server only
    /// mutably, though reading its store changes nothing).
    pub fn read<T>(&self, read: impl FnOnce(&mut Playground) -> T) -> T {
        read(&mut self.playground.borrow_mut())
    }
}
