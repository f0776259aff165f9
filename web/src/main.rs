//! The kubeplay browser playground: a Yew app built for `wasm32-unknown-unknown`.
//!
//! `cargo xtask dist` compiles this crate to wasm, binds it with wasm-bindgen and puts it in
//! `dist/` next to `static/index.html`, which loads the JS glue; the glue instantiates the
//! wasm and runs [`main`], which mounts [`app::App`] into `<div id="app">`.
//!
//! Layout: [`app`] (root component), [`state`] (the app state and its actions),
//! [`components`] (one view per file), [`hooks`], and [`i18n`] (Korean and English text).
//!
//! Natively the crate only type-checks (`cargo clippy --workspace`) and runs its unit tests:
//! the entry point that touches the DOM exists on wasm32 only.

// Natively nothing calls the app (there is no DOM to render into), so its items are unused.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

mod app;
mod checkpoints;
mod cluster;
mod cluster_tiles;
mod completion;
mod components;
mod control_plane;
mod editor;
mod handle;
mod hooks;
mod i18n;
mod images;
mod inspector;
mod live;
mod page_clock;
mod playground;
mod scheduler_explain;
mod session;
mod state;
mod timeline;
mod traffic;
mod url_options;

// On wasm32 every plain `#[test]` becomes a wasm-bindgen test, so `cargo xtask test` runs the
// view-logic unit tests in headless Chromium too (see kubeplay-wasm-test).
#[cfg(all(test, target_arch = "wasm32"))]
#[macro_use]
extern crate kubeplay_wasm_test;

/// Mounts the app into `#app`, replacing the "loading" text of index.html.
#[cfg(target_arch = "wasm32")]
fn main() {
    let root = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id("app"));
    match root {
        Some(root) => {
            root.set_inner_html("");
            yew::Renderer::<app::App>::with_root(root).render();
        }
        // A page without the mount point still gets the app, appended to <body>.
        None => {
            yew::Renderer::<app::App>::new().render();
        }
    }
}

/// Natively there is no browser: say how to get the app instead.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "kubeplay-web is the browser app; build it with `cargo xtask dist` and open it with `kubeplay serve`"
    );
}
