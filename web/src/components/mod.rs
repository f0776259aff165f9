//! The page's building blocks, one component per file.
//!
//! Components read the language with [`crate::hooks::use_language`], read the playground
//! through the [`crate::handle::PlaygroundHandle`] prop, and change it through the handle or
//! report choices through callbacks.

mod cluster_canvas;
mod cluster_view;
mod control_plane_map;
mod controls;
mod editor;
mod footer;
mod header;
mod images;
mod inspector;
mod language_switch;
mod panels;
mod scheduler_explain;
mod terminal;
mod timeline;
mod traffic;

/// What the components' DOM tests in a real page (headless Chromium, `cargo xtask
/// wasm-test`) share.
#[cfg(all(test, target_arch = "wasm32"))]
mod dom_test_support {
    /// Lets yew render and run its effects, and the browser deliver scroll events.
    pub async fn settle() {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            if let Some(window) = web_sys::window() {
                let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 50);
            }
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
}

pub use cluster_canvas::{CanvasBench, ClusterCanvas};
pub use cluster_view::ClusterView;
pub use control_plane_map::ControlPlaneMap;
pub use controls::Controls;
pub use editor::Editor;
pub use footer::Footer;
pub use header::Header;
pub use inspector::InspectorPanel;
pub use language_switch::LanguageSwitch;
pub use panels::ViewPanels;
pub use terminal::Terminal;
pub use timeline::TimelinePanel;
