//! The page header: the title, what kubeplay is, the live-mode control and the language switch.

use crate::components::LanguageSwitch;
use crate::hooks::use_text;
use crate::i18n::{Key, Language};
use crate::live::view::{LiveControl, LiveSummary};
use crate::live::LiveInfo;
use yew::prelude::*;

/// What the header needs from the app.
#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    /// Called with the language the user picked.
    pub on_language_change: Callback<Language>,
    /// The live badge's content while live; None in the simulation.
    pub live: Option<LiveSummary>,
    /// Called with the checked token and the server's info.
    pub on_live_connected: Callback<(String, LiveInfo)>,
    /// Called to go back to the simulation.
    pub on_live_leave: Callback<()>,
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
            <LiveControl live={props.live.clone()} on_connected={props.on_live_connected.clone()} on_leave={props.on_live_leave.clone()} />
            <LanguageSwitch on_change={props.on_language_change.clone()} />
        </header>
    }
}
