//! The shared handle every view reads the playground through.
//!
//! The [`Playground`] (the whole simulated cluster) lives once, in an `Rc<RefCell<…>>` the
//! app owns; it is never cloned per frame. Views get a [`PlaygroundHandle`]: the shared
//! pointer plus the playground's version counter, so Yew re-renders a view exactly when the
//! version moved (the handle's equality compares versions). Views change the playground with
//! [`PlaygroundHandle::update`], which then tells the app (it re-renders and saves the session).
//! In live mode the handle also carries the [`LiveHandle`]; [`PlaygroundHandle::source`] then
//! reads objects from the live mirror instead of the world.

use std::cell::RefCell;
use std::rc::Rc;

use yew::Callback;

use crate::cluster::ObjectSource;
use crate::live::LiveState;
use crate::playground::Playground;

/// Live mode's state, shared, with the version it had when the app last rendered.
#[derive(Clone)]
pub struct LiveHandle {
    /// The live state the driver fills.
    pub state: Rc<RefCell<LiveState>>,
    /// Its version at the app's last render.
    pub version: u64,
}

impl PartialEq for LiveHandle {
    fn eq(&self, other: &LiveHandle) -> bool {
        self.version == other.version && Rc::ptr_eq(&self.state, &other.state)
    }
}

/// The playground, shared, with the version it had when the app last rendered.
#[derive(Clone)]
pub struct PlaygroundHandle {
    /// The playground itself.
    pub playground: Rc<RefCell<Playground>>,
    /// Its version at the app's last render.
    pub version: u64,
    /// Tells the app that the playground changed.
    pub changed: Callback<()>,
    /// Live mode's state while the page shows a `kubeplay serve`; None for the simulation.
    pub live: Option<LiveHandle>,
}

impl PartialEq for PlaygroundHandle {
    fn eq(&self, other: &PlaygroundHandle) -> bool {
        self.version == other.version
            && Rc::ptr_eq(&self.playground, &other.playground)
            && self.live == other.live
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

    /// Whether the page shows a live server.
    pub fn is_live(&self) -> bool {
        self.live.is_some()
    }

    /// Reads objects from what the page shows: the live mirror in live mode, else the
    /// simulation's world.
    pub fn source<T>(&self, read: impl FnOnce(&mut ObjectSource<'_>) -> T) -> T {
        match &self.live {
            Some(live) => read(&mut ObjectSource::Live(&live.state.borrow())),
            None => read(&mut ObjectSource::Simulation(
                self.playground.borrow_mut().world_mut(),
            )),
        }
    }
}
