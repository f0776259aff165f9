//! The terminal: the core's kubectl and playground commands on the simulated cluster.
//!
//! Enter runs the line ([`crate::playground::Playground::run_line`]: `kubectl …` or
//! `play …`); ↑/↓ walk the
//! history; Ctrl-C stops the open `get -w` watches, whose rows keep arriving while the clock
//! runs. Tab completes the word before the cursor as bash completion does
//! ([`crate::completion`]): the only candidate, or the candidates' common prefix; a second Tab
//! that cannot add anything lists the candidates under the scrollback. The scrollback follows
//! its end after every render.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::handle::PlaygroundHandle;
use crate::hooks::use_text;
use crate::i18n::Key;
use crate::playground::{LineKind, Notice};

/// What the terminal needs.
#[derive(Properties, PartialEq)]
pub struct TerminalProps {
    /// The playground.
    pub handle: PlaygroundHandle,
}

fn notice_key(notice: Notice) -> Key {
    match notice {
        Notice::Replayed => Key::NoticeReplayed,
        Notice::WatchesStopped => Key::NoticeWatchesStopped,
        Notice::SampleApplied => Key::NoticeSampleApplied,
    }
}

/// The kubectl terminal.
#[function_component(Terminal)]
pub fn terminal(props: &TerminalProps) -> Html {
    let text = use_text();
    let input = use_node_ref();
    let scroll = use_node_ref();
    // Where in the history ↑/↓ are (None: the line being typed).
    let history_index = use_mut_ref(|| None::<usize>);
    // Whether the last key was a Tab that left the line ambiguous (the next one lists).
    let tab_pending = use_mut_ref(|| false);
    let candidates = use_state(Vec::<String>::new);
    let handle = &props.handle;

    {
        let scroll = scroll.clone();
        use_effect_with(handle.version, move |_| {
            if let Some(element) = scroll.cast::<web_sys::Element>() {
                element.set_scroll_top(element.scroll_height());
            }
        });
    }

    let onkeydown = {
        let handle = handle.clone();
        let input = input.clone();
        let history_index = history_index.clone();
        let tab_pending = tab_pending.clone();
        let candidates = candidates.clone();
        Callback::from(move |event: KeyboardEvent| {
            let Some(field) = input.cast::<HtmlInputElement>() else {
                return;
            };
            if event.key() != "Tab" {
                *tab_pending.borrow_mut() = false;
                if !candidates.is_empty() {
                    candidates.set(Vec::new());
                }
            }
            match event.key().as_str() {
                "Tab" => {
                    event.prevent_default();
                    let line = field.value();
                    let completion = match &handle.live {
                        // Live: names from the mirror of the server.
                        Some(live) => {
                            crate::completion::complete(&line, &mut live.state.borrow_mut().mirror)
                        }
                        None => handle.read(|p| p.complete(&line)),
                    };
                    let completed = completion.apply(&line);
                    let ambiguous = completion.candidates.len() > 1;
                    if completed != line {
                        field.set_value(&completed);
                        candidates.set(Vec::new());
                        *tab_pending.borrow_mut() = ambiguous;
                    } else if ambiguous && *tab_pending.borrow() {
                        candidates.set(completion.candidates);
                    } else {
                        *tab_pending.borrow_mut() = ambiguous;
                    }
                }
                "Enter" => {
                    let line = field.value();
                    field.set_value("");
                    *history_index.borrow_mut() = None;
                    if let Some(live) = &handle.live {
                        run_live(&live.state, &line);
                        return;
                    }
                    handle.update(|p| p.run_line(&line));
                }
                "c" | "C" if event.ctrl_key() => {
                    event.prevent_default();
                    field.set_value("");
                    handle.update(|p| p.stop_watches());
                }
                "ArrowUp" | "ArrowDown" => {
                    event.prevent_default();
                    let history = match &handle.live {
                        Some(live) => live.state.borrow().terminal.history.clone(),
                        None => handle.read(|p| p.history().to_vec()),
                    };
                    let mut index = history_index.borrow_mut();
                    let next = step_history(*index, history.len(), event.key() == "ArrowUp");
                    *index = next;
                    let line = next
                        .and_then(|i| history.get(i))
                        .cloned()
                        .unwrap_or_default();
                    field.set_value(&line);
                }
                _ => {}
            }
        })
    };

    let live_lines = handle.live.as_ref().map(|live| {
        let state = live.state.borrow();
        let lines: Vec<Html> = state
            .terminal
            .scrollback
            .iter()
            .map(|line| {
                let (class, content) = match line.kind {
                    LineKind::Input => ("input", format!("$ {}", line.text)),
                    LineKind::Stdout => ("stdout", line.text.clone()),
                    LineKind::Stderr | LineKind::Info => ("stderr", line.text.clone()),
                };
                html! { <div class={classes!("line", class)}>{ content }</div> }
            })
            .collect();
        (lines, state.terminal.busy)
    });
    let live_busy = live_lines.as_ref().is_some_and(|(_, busy)| *busy);
    let is_live = live_lines.is_some();
    let (lines, watching) = match live_lines {
        Some((lines, _)) => (lines, false),
        None => handle.read(|p| {
            let notices = p.notices();
            let lines: Vec<Html> = p
                .scrollback()
                .iter()
                .enumerate()
                .map(|(index, line)| {
                    let (class, content) = match line.kind {
                        LineKind::Input => ("input", format!("$ {}", line.text)),
                        LineKind::Stdout => ("stdout", line.text.clone()),
                        LineKind::Stderr => ("stderr", line.text.clone()),
                        LineKind::Info => {
                            let notice = notices.iter().find(|(i, _)| *i == index).map(|(_, n)| *n);
                            (
                                "info",
                                notice.map_or(String::new(), |n| text(notice_key(n)).to_string()),
                            )
                        }
                    };
                    html! { <div class={classes!("line", class)}>{ content }</div> }
                })
                .collect();
            (lines, p.watching())
        }),
    };
    let focus = {
        let input = input.clone();
        Callback::from(move |_| {
            if let Some(field) = input.cast::<HtmlInputElement>() {
                let _ = field.focus();
            }
        })
    };
    html! {
        <section class="terminal card" aria-label={text(Key::TerminalHeading)}>
            <h2>{ text(Key::TerminalHeading) }</h2>
            <div class="scrollback" id="scrollback" ref={scroll} onclick={focus}>
                if lines.is_empty() {
                    <div class="line info">{ text(if is_live { Key::LiveTerminalHelp } else { Key::TerminalHelp }) }</div>
                }
                { for lines }
            </div>
            if !candidates.is_empty() {
                <div class="completions" id="completions">
                    { for candidates.iter().map(|c| html! { <span class="candidate">{ c.clone() }</span> }) }
                </div>
            }
            <div class="prompt">
                <span aria-hidden="true">{ "$" }</span>
                <input
                    id="terminal-input"
                    ref={input}
                    type="text"
                    spellcheck="false"
                    autocomplete="off"
                    aria-label={text(Key::TerminalInput)}
                    placeholder="kubectl get pods -w"
                    {onkeydown}
                />
                if watching {
                    <span class="watching">{ text(Key::Watching) }</span>
                }
                if live_busy {
                    <span class="watching" id="live-running">{ text(Key::LiveRunning) }</span>
                }
            </div>
        </section>
    }
}

/// Live mode: shows the line, runs it on the server (`POST /kubeplay/v1/exec`), shows the
/// answer, then lists the polled kinds again so its effect shows at once.
fn run_live(state: &std::rc::Rc<std::cell::RefCell<crate::live::LiveState>>, line: &str) {
    let line = line.trim().to_string();
    if line.is_empty() {
        return;
    }
    {
        let mut live = state.borrow_mut();
        live.terminal.push_input(&line);
        live.touch_now();
    }
    #[cfg(target_arch = "wasm32")]
    {
        let state = std::rc::Rc::clone(state);
        wasm_bindgen_futures::spawn_local(async move {
            let token = state.borrow().token.clone();
            let answer = crate::live::client::exec(&token, &line).await;
            {
                let mut live = state.borrow_mut();
                match answer {
                    Ok(output) => live.terminal.push_output(&output),
                    Err(error) => live.terminal.push_failure(&format!("error: {error}")),
                }
                live.touch_now();
            }
            crate::live::client::refresh(&state);
        });
    }
}

/// The history position after ↑ (`up`) or ↓ from `current` in a history of `len` lines.
pub fn step_history(current: Option<usize>, len: usize, up: bool) -> Option<usize> {
    match (current, up) {
        _ if len == 0 => None,
        (None, true) => Some(len - 1),
        (None, false) => None,
        (Some(i), true) => Some(i.saturating_sub(1)),
        (Some(i), false) if i + 1 < len => Some(i + 1),
        (Some(_), false) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrows_walk_the_history_and_down_past_the_end_returns_to_an_empty_line() {
        let cases = [
            (None, 0, true, None),
            (None, 3, true, Some(2)),
            (Some(2), 3, true, Some(1)),
            (Some(0), 3, true, Some(0)),
            (Some(1), 3, false, Some(2)),
            (Some(2), 3, false, None),
            (None, 3, false, None),
        ];
        for (current, len, up, expected) in cases {
            assert_eq!(
                step_history(current, len, up),
                expected,
                "{current:?} {len} {up}"
            );
        }
    }
}
