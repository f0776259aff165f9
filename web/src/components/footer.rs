//! The page footer: which build of the playground this is.

use crate::hooks::use_text;
use crate::i18n::Key;
use yew::prelude::*;

/// The web app's version, as Cargo knows it (the workspace version).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A line with the app's version.
#[function_component(Footer)]
pub fn footer() -> Html {
    let text = use_text();
    html! {
        <footer class="footer">
            { text(Key::Version) }{ " " }<span class="version">{ VERSION }</span>
        </footer>
    }
}
