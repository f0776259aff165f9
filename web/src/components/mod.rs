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
