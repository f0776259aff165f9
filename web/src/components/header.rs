//! The page header: the title, what kubeplay is, and the language switch.

use crate::components::LanguageSwitch;
use crate::hooks::use_text;
use crate::i18n::{Key, Language};
use yew::prelude::*;

/// What the header needs from the app.
#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    /// Called with the language the user picked.
    pub on_language_change: Callback<Language>,
}

/// The top bar of the page.
#[function_component(Header)]
pub fn header(props: &HeaderProps) -> Html {
    let text = use_text();
    html! {
        <header class="header">
            <div class="brand">
                <h1 class="title">{ "kubeplay" }</h1>
                <p class="tagline">{ text(Key::Tagline) }</p>
            </div>
            <LanguageSwitch on_change={props.on_language_change.clone()} />
        </header>
    }
}
