//! The root component: owns the [`AppState`], provides the language to every view, and
//! lays out the page (header, main area, footer).
//!
//! Data flow: the header's language switch calls back with a [`Language`]; the app
//! dispatches [`Action::SetLanguage`]; the new language flows back down through a
//! [`ContextProvider`] and an effect mirrors it into the page's `lang` attribute.

use crate::components::{ClusterPlaceholder, Footer, Header};
use crate::i18n::Language;
use crate::state::{Action, AppState};
use yew::prelude::*;

/// The whole playground page.
#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| AppState {
        language: browser_language(),
    });
    let language = state.language;

    use_effect_with(language, |language| set_document_language(*language));

    let on_language_change = {
        let state = state.dispatcher();
        Callback::from(move |language| state.dispatch(Action::SetLanguage(language)))
    };

    html! {
        <ContextProvider<Language> context={language}>
            <div class="app">
                <Header {on_language_change} />
                <main class="main">
                    <ClusterPlaceholder />
                </main>
                <Footer />
            </div>
        </ContextProvider<Language>>
    }
}

/// The language the browser asks for (`navigator.language`); English when it says nothing.
fn browser_language() -> Language {
    web_sys::window()
        .and_then(|window| window.navigator().language())
        .map(|tag| Language::from_browser_tag(&tag))
        .unwrap_or(Language::English)
}

/// Sets `<html lang=…>`, so the browser picks Korean fonts and screen readers the right voice.
fn set_document_language(language: Language) {
    let root = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.document_element());
    if let Some(root) = root {
        // Failing to set an attribute only loses a hint; the page still works.
        let _ = root.set_attribute("lang", language.tag());
    }
}
