//! The header's live control: the way into live mode and the badge while live.
//!
//! Not live: a "Go live" button opens a small form with a password field for the server's
//! token. Connect cleans the token ([`super::token::clean_token`]), asks
//! `GET /kubeplay/v1/info` with it and either reports what went wrong (the form stays, nothing
//! live is shown) or hands the token and the server's info to the app
//! ([`LiveControlProps::on_connected`]), keeping the token in this tab's `sessionStorage` so a
//! reload fills the form again; "Forget token" removes it. Live: a badge with the server's
//! version, node count and connection health, and a button back to the simulation.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::token::{clean_token, ConnectError, LiveInfo, SESSION_TOKEN_KEY};
use super::LiveHealth;
use crate::hooks::use_text;
use crate::i18n::Key;

/// What the badge shows while live.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveSummary {
    /// The server's kubeplay version.
    pub version: String,
    /// How many nodes it has.
    pub nodes: usize,
    /// How the connection is doing.
    pub health: LiveHealth,
}

/// What the live control needs from the app.
#[derive(Properties, PartialEq)]
pub struct LiveControlProps {
    /// The badge's content while live; None while the page shows the simulation.
    pub live: Option<LiveSummary>,
    /// Called with the checked token and the server's info.
    pub on_connected: Callback<(String, LiveInfo)>,
    /// Called to go back to the simulation.
    pub on_leave: Callback<()>,
}

/// The text for a connect error.
pub fn error_key(error: &ConnectError) -> Key {
    match error {
        ConnectError::EmptyToken => Key::LiveErrorEmpty,
        ConnectError::TokenHasSpaces => Key::LiveErrorSpaces,
        ConnectError::Unauthorized => Key::LiveErrorUnauthorized,
        ConnectError::Unreachable(_) => Key::LiveErrorUnreachable,
        ConnectError::NotServe => Key::LiveErrorNotServe,
        ConnectError::Status(_) => Key::LiveErrorStatus,
        ConnectError::BadAnswer(_) => Key::LiveErrorBadAnswer,
    }
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// The token kept for this tab, if any.
fn kept_token() -> String {
    session_storage()
        .and_then(|storage| storage.get_item(SESSION_TOKEN_KEY).ok().flatten())
        .unwrap_or_default()
}

fn keep_token(token: &str) {
    if let Some(storage) = session_storage() {
        // A disabled storage only means the form starts empty after a reload.
        let _ = storage.set_item(SESSION_TOKEN_KEY, token);
    }
}

fn forget_token() {
    if let Some(storage) = session_storage() {
        let _ = storage.remove_item(SESSION_TOKEN_KEY);
    }
}

/// The live button, form and badge.
#[function_component(LiveControl)]
pub fn live_control(props: &LiveControlProps) -> Html {
    let text = use_text();
    let open = use_state(|| false);
    let checking = use_state(|| false);
    let error = use_state(|| None::<ConnectError>);
    let field = use_node_ref();

    if let Some(summary) = &props.live {
        let leave = {
            let on_leave = props.on_leave.clone();
            Callback::from(move |_| on_leave.emit(()))
        };
        let health = match &summary.health {
            LiveHealth::Connected => Html::default(),
            LiveHealth::Reconnecting(why) => html! {
                <span class="live-health reconnecting" title={why.clone()}>{ text(Key::LiveReconnecting) }</span>
            },
            LiveHealth::Refused => html! {
                <span class="live-health refused">{ text(Key::LiveRefused) }</span>
            },
        };
        return html! {
            <div class="live-control live">
                <span class="badge live-badge" id="live-badge">
                    { text(Key::LiveBadge) }{ " · kubeplay " }{ summary.version.clone() }
                    { format!(" · {} ", summary.nodes) }{ text(Key::LiveNodes) }
                </span>
                { health }
                <button type="button" id="live-leave" onclick={leave}>{ text(Key::LiveLeave) }</button>
            </div>
        };
    }

    let toggle = {
        let open = open.clone();
        let error = error.clone();
        let field = field.clone();
        Callback::from(move |_| {
            let now_open = !*open;
            open.set(now_open);
            error.set(None);
            if now_open {
                // Fill the field with this tab's kept token once the form is drawn.
                let field = field.clone();
                let token = kept_token();
                gloo_timers::callback::Timeout::new(0, move || {
                    if let Some(input) = field.cast::<HtmlInputElement>() {
                        if input.value().is_empty() {
                            input.set_value(&token);
                        }
                        let _ = input.focus();
                    }
                })
                .forget();
            }
        })
    };
    let forget = {
        let field = field.clone();
        Callback::from(move |_| {
            forget_token();
            if let Some(input) = field.cast::<HtmlInputElement>() {
                input.set_value("");
            }
        })
    };
    let connect = {
        let field = field.clone();
        let checking = checking.clone();
        let error = error.clone();
        let on_connected = props.on_connected.clone();
        let open = open.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if *checking {
                return;
            }
            let typed = field
                .cast::<HtmlInputElement>()
                .map(|input| input.value())
                .unwrap_or_default();
            let token = match clean_token(&typed) {
                Ok(token) => token,
                Err(problem) => {
                    error.set(Some(problem));
                    return;
                }
            };
            error.set(None);
            checking.set(true);
            #[cfg(target_arch = "wasm32")]
            {
                let checking = checking.clone();
                let error = error.clone();
                let on_connected = on_connected.clone();
                let open = open.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let answer = super::client::check_token(&token).await;
                    checking.set(false);
                    match answer {
                        Ok(info) => {
                            keep_token(&token);
                            open.set(false);
                            on_connected.emit((token, info));
                        }
                        Err(problem) => error.set(Some(problem)),
                    }
                });
            }
            #[cfg(not(target_arch = "wasm32"))]
            {
                // Natively there is no server to ask.
                let _ = (&on_connected, &open, token);
                checking.set(false);
            }
        })
    };
    let error_view = (*error).as_ref().map(|problem| {
        let detail = match problem {
            ConnectError::Unreachable(why) => format!(" ({why})"),
            ConnectError::Status(code) => format!(" ({code})"),
            ConnectError::BadAnswer(why) => format!(" ({why})"),
            ConnectError::EmptyToken
            | ConnectError::TokenHasSpaces
            | ConnectError::Unauthorized
            | ConnectError::NotServe => String::new(),
        };
        html! {
            <p class="live-error" id="live-error" role="alert">{ text(error_key(problem)) }{ detail }</p>
        }
    });
    html! {
        <div class="live-control">
            <button type="button" id="live-open" aria-expanded={if *open { "true" } else { "false" }}
                title={text(Key::LiveOpenHint)} onclick={toggle.clone()}>
                { text(Key::LiveOpen) }
            </button>
            if *open {
                <form class="live-form card" id="live-form" onsubmit={connect}>
                    <label for="live-token">{ text(Key::LiveTokenLabel) }</label>
                    <input id="live-token" ref={field} type="password" autocomplete="off" spellcheck="false" />
                    <p class="muted">{ text(Key::LiveTokenHint) }</p>
                    { for error_view }
                    <div class="live-buttons">
                        <button type="submit" id="live-connect" disabled={*checking}>
                            { if *checking { text(Key::LiveChecking) } else { text(Key::LiveConnect) } }
                        </button>
                        <button type="button" id="live-forget" onclick={forget}>{ text(Key::LiveForget) }</button>
                        <button type="button" onclick={toggle}>{ text(Key::LiveCancel) }</button>
                    </div>
                </form>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_connect_error_has_its_own_text() {
        let errors = [
            ConnectError::EmptyToken,
            ConnectError::TokenHasSpaces,
            ConnectError::Unauthorized,
            ConnectError::Unreachable(String::new()),
            ConnectError::NotServe,
            ConnectError::Status(500),
            ConnectError::BadAnswer(String::new()),
        ];
        let mut keys: Vec<String> = errors
            .iter()
            .map(|e| format!("{:?}", error_key(e)))
            .collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), errors.len());
    }
}
