//! The app's state and the actions that change it.
//!
//! [`AppState`] is a Yew [`Reducible`]: components never mutate it, they dispatch an
//! [`Action`] (callbacks up) and the app re-renders from the new state (props and context
//! down). For now it holds only the interface language; the simulated cluster joins it later.

use crate::i18n::Language;
use std::rc::Rc;
use yew::Reducible;

/// Everything the app shows that is not derived from something else.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppState {
    /// The language the interface is shown in.
    pub language: Language,
}

/// A change a component asks the app to make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Show the interface in this language.
    SetLanguage(Language),
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        match action {
            Action::SetLanguage(language) if language == self.language => self,
            Action::SetLanguage(language) => Rc::new(AppState { language }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setting_the_language_switches_it() {
        let state = Rc::new(AppState {
            language: Language::English,
        });
        let next = state.reduce(Action::SetLanguage(Language::Korean));
        assert_eq!(next.language, Language::Korean);
    }

    #[test]
    fn setting_the_current_language_keeps_the_same_state_so_nothing_re_renders() {
        let state = Rc::new(AppState {
            language: Language::Korean,
        });
        let next = Rc::clone(&state).reduce(Action::SetLanguage(Language::Korean));
        assert!(Rc::ptr_eq(&state, &next));
    }
}
