//! The 한국어/English switch: one button per [`Language`], the current one pressed.

use crate::hooks::{use_language, use_text};
use crate::i18n::{Key, Language};
use yew::prelude::*;

/// What the switch needs from its parent.
#[derive(Properties, PartialEq)]
pub struct LanguageSwitchProps {
    /// Called with the language whose button was pressed.
    pub on_change: Callback<Language>,
}

/// A group of toggle buttons, one per language.
#[function_component(LanguageSwitch)]
pub fn language_switch(props: &LanguageSwitchProps) -> Html {
    let current = use_language();
    let text = use_text();
    let buttons = Language::ALL.into_iter().map(|language| {
        let on_change = props.on_change.clone();
        let pressed = language == current;
        html! {
            <button
                type="button"
                class={classes!("language", pressed.then_some("selected"))}
                lang={language.tag()}
                aria-pressed={pressed.to_string()}
                onclick={Callback::from(move |_| on_change.emit(language))}
            >
                { language.native_name() }
            </button>
        }
    });
    html! {
        <div class="language-switch" role="group" aria-label={text(Key::LanguageSwitchLabel)}>
            { for buttons }
        </div>
    }
}
