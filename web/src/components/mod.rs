//! The page's building blocks, one component per file.
//!
//! Components read the language with [`crate::hooks::use_language`] and report user
//! choices through callbacks; none of them holds app state.

mod cluster_placeholder;
mod footer;
mod header;
mod language_switch;

pub use cluster_placeholder::ClusterPlaceholder;
pub use footer::Footer;
pub use header::Header;
pub use language_switch::LanguageSwitch;
