//! Hooks shared by the views.
//!
//! [`use_language`] reads the interface language the [`crate::app::App`] provides as a
//! context, so views need no language prop threaded through every level.

use crate::i18n::{self, Key, Language};
use yew::prelude::*;

/// The current interface language (English outside the app's context provider).
#[hook]
pub fn use_language() -> Language {
    use_context::<Language>().unwrap_or(Language::English)
}

/// A function from [`Key`] to the text in the current language.
#[hook]
pub fn use_text() -> impl Fn(Key) -> &'static str {
    let language = use_language();
    move |key| i18n::text(key, language)
}
