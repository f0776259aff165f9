//! The YAML editor: the learner writes or pastes manifests and applies them to the cluster
//! the terminal talks to: the in-page simulation, or live the `kubeplay serve` the page is
//! attached to.
//!
//! Typing re-checks the text after a short pause ([`CHECK_DELAY_MS`]) with
//! [`crate::editor::check`] against what the page shows (the world, or the live mirror),
//! which reads the cluster but never changes it; problems are marked in the line-number
//! gutter (the message as its tooltip) and listed under the editor by line (a click, or Enter
//! on the focused problem, puts the cursor on that line). Apply (the button, or Ctrl+Enter in
//! the text) runs `kubectl apply -f -` on the text: in the simulation
//! [`crate::playground::Playground::apply_from_editor`], whose output appears in the terminal;
//! live `POST /kubeplay/v1/exec` with the text as the file `-`, whose answer appears in the
//! live terminal and under the editor, the server's field errors placed at their lines by
//! [`crate::editor::place_server_errors`] (until the text changes). The template buttons put a
//! Deployment or a Service in the editor.

use gloo_timers::callback::Timeout;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::editor::{
    EditorCheck, Marker, MarkerKind, ServerProblems, DEPLOYMENT_TEMPLATE, SERVICE_TEMPLATE,
};
use crate::handle::PlaygroundHandle;
use crate::hooks::use_text;
use crate::i18n::Key;
use crate::playground::EDITOR_APPLY_LINE;

/// How long typing must pause before the text is checked, in milliseconds.
pub const CHECK_DELAY_MS: u32 = 300;

/// What the editor needs.
#[derive(Properties, PartialEq)]
pub struct EditorProps {
    /// The playground.
    pub handle: PlaygroundHandle,
}

/// The text offset (in UTF-16 units, as the DOM counts) where line `line` (from 1) starts.
fn line_start_utf16(text: &str, line: usize) -> u32 {
    let offset: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(|l| l.encode_utf16().count())
        .sum();
    u32::try_from(offset).unwrap_or(u32::MAX)
}

/// What the server answered to the editor's last apply in live mode.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LiveApplyAnswer {
    /// Whether the command succeeded (exit code 0).
    pub succeeded: bool,
    /// What kubectl printed (`deployment.apps/web created`).
    pub stdout: String,
    /// Its errors, placed at their lines where they name a field of the text.
    pub problems: ServerProblems,
}

impl LiveApplyAnswer {
    /// Reads the server's answer to `kubectl apply -f -` of `text`.
    pub fn from_output(text: &str, output: &crate::live::ExecOutput) -> LiveApplyAnswer {
        LiveApplyAnswer {
            succeeded: output.exit_code == 0,
            stdout: output.stdout.trim_end().to_string(),
            problems: crate::editor::place_server_errors(text, &output.stderr),
        }
    }

    /// An answer that never came (the request failed).
    pub fn failed(message: &str) -> LiveApplyAnswer {
        LiveApplyAnswer {
            succeeded: false,
            stdout: String::new(),
            problems: ServerProblems {
                markers: Vec::new(),
                unplaced: vec![message.to_string()],
            },
        }
    }
}

/// The markers to show: the check's and the server's, by line.
fn shown_markers(check: &EditorCheck, answer: Option<&LiveApplyAnswer>) -> Vec<Marker> {
    let mut markers = check.markers.clone();
    if let Some(answer) = answer {
        for marker in &answer.problems.markers {
            // The check may have found the same problem the server reports.
            if !markers.contains(marker) {
                markers.push(marker.clone());
            }
        }
    }
    markers.sort_by_key(|marker| marker.line);
    markers
}

/// Whether a key press in the text applies it: Ctrl+Enter (⌘+Enter on a Mac).
pub fn is_apply_shortcut(key: &str, ctrl: bool, meta: bool) -> bool {
    key == "Enter" && (ctrl || meta)
}

/// The YAML editor panel.
#[function_component(Editor)]
pub fn editor(props: &EditorProps) -> Html {
    let text = use_text();
    let content = use_state(|| DEPLOYMENT_TEMPLATE.to_string());
    let check = use_state(EditorCheck::default);
    let checked = use_state(|| false);
    // Live: the server's answer to the last apply, until the text changes.
    let answer = use_state(|| None::<LiveApplyAnswer>);
    let applying = use_state(|| false);
    let pending = use_mut_ref(|| None::<Timeout>);
    let area = use_node_ref();
    let gutter = use_node_ref();
    let handle = &props.handle;
    let is_live = handle.is_live();

    // Checks `value` after the pause; a newer keystroke cancels the older check.
    let schedule_check = {
        let handle = handle.clone();
        let check = check.clone();
        let checked = checked.clone();
        let pending = pending.clone();
        Callback::from(move |(value, delay_ms): (String, u32)| {
            let handle = handle.clone();
            let check = check.clone();
            let checked = checked.clone();
            let timeout = Timeout::new(delay_ms, move || {
                check.set(handle.source(|source| crate::editor::check(source, &value, "default")));
                checked.set(true);
            });
            // Dropping the old timeout cancels it.
            *pending.borrow_mut() = Some(timeout);
        })
    };

    // Checked again when the page goes live or back: the cluster behind it changed.
    {
        let schedule_check = schedule_check.clone();
        let content = content.clone();
        let answer = answer.clone();
        use_effect_with(is_live, move |_| {
            answer.set(None);
            schedule_check.emit(((*content).clone(), 0));
        });
    }

    let oninput = {
        let content = content.clone();
        let checked = checked.clone();
        let answer = answer.clone();
        let schedule_check = schedule_check.clone();
        Callback::from(move |event: InputEvent| {
            let Some(field) = event.target_dyn_into::<HtmlTextAreaElement>() else {
                return;
            };
            let value = field.value();
            content.set(value.clone());
            checked.set(false);
            answer.set(None);
            schedule_check.emit((value, CHECK_DELAY_MS));
        })
    };

    let onscroll = {
        let area = area.clone();
        let gutter = gutter.clone();
        Callback::from(move |_: Event| {
            if let (Some(area), Some(gutter)) = (
                area.cast::<web_sys::Element>(),
                gutter.cast::<web_sys::Element>(),
            ) {
                gutter.set_scroll_top(area.scroll_top());
            }
        })
    };

    let use_template = |template: &'static str| {
        let content = content.clone();
        let answer = answer.clone();
        let schedule_check = schedule_check.clone();
        Callback::from(move |_: MouseEvent| {
            content.set(template.to_string());
            answer.set(None);
            schedule_check.emit((template.to_string(), 0));
        })
    };

    let apply = {
        let handle = handle.clone();
        let content = content.clone();
        let answer = answer.clone();
        let applying = applying.clone();
        let schedule_check = schedule_check.clone();
        Callback::from(move |()| {
            let value = (*content).clone();
            match &handle.live {
                Some(live) => {
                    if *applying {
                        return;
                    }
                    answer.set(None);
                    applying.set(true);
                    apply_live(
                        &live.state,
                        value,
                        answer.clone(),
                        applying.clone(),
                        schedule_check.clone(),
                    );
                }
                None => {
                    handle.update(|p| p.apply_from_editor(&value));
                    schedule_check.emit((value, 0));
                }
            }
        })
    };
    let onapply = {
        let apply = apply.clone();
        Callback::from(move |_: MouseEvent| apply.emit(()))
    };
    let onkeydown = {
        let apply = apply.clone();
        Callback::from(move |event: KeyboardEvent| {
            if is_apply_shortcut(&event.key(), event.ctrl_key(), event.meta_key()) {
                event.prevent_default();
                apply.emit(());
            }
        })
    };

    let go_to_line = |line: usize| {
        let area = area.clone();
        let content = content.clone();
        Callback::from(move |()| {
            if let Some(field) = area.cast::<HtmlTextAreaElement>() {
                let at = line_start_utf16(&content, line);
                let _ = field.focus();
                let _ = field.set_selection_range(at, at);
            }
        })
    };

    let markers = shown_markers(&check, (*answer).as_ref());
    let line_count = content.lines().count().max(1) + usize::from(content.ends_with('\n'));
    let gutter_lines = (1..=line_count).map(|line| {
        let messages: Vec<&str> = markers
            .iter()
            .filter(|m| m.line == line)
            .map(|m| m.message.as_str())
            .collect();
        if messages.is_empty() {
            html! { <div class="gutter-line">{ line }</div> }
        } else {
            html! {
                <div class="gutter-line bad" title={messages.join("\n")} data-line={line.to_string()}>
                    { "● " }{ line }
                </div>
            }
        }
    });
    let problems = markers.iter().map(|marker| {
        let class = match marker.kind {
            MarkerKind::Syntax => "syntax",
            MarkerKind::Object => "object",
            MarkerKind::Invalid => "invalid",
        };
        let place = match marker.column {
            Some(column) => format!("{} {}:{}", text(Key::EditorLine), marker.line, column),
            None => format!("{} {}", text(Key::EditorLine), marker.line),
        };
        let go = go_to_line(marker.line);
        let onclick = {
            let go = go.clone();
            Callback::from(move |_: MouseEvent| go.emit(()))
        };
        let onkeydown = Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Enter" || event.key() == " " {
                event.prevent_default();
                go.emit(());
            }
        });
        html! {
            <li class={classes!("problem", class)} data-line={marker.line.to_string()} tabindex="0"
                title={text(Key::EditorGoToLine)} {onclick} {onkeydown}>
                <span class="where">{ place }</span>
                <span class="message">{ marker.message.clone() }</span>
            </li>
        }
    });
    let status = if !*checked {
        html! { <span class="checking">{ text(Key::EditorChecking) }</span> }
    } else if markers.is_empty() {
        html! {
            <span class="clean">
                { format!("✓ {} {}", check.objects, text(Key::EditorObjectsPass)) }
            </span>
        }
    } else {
        html! {
            <span class="problems">
                { format!("✗ {} {}", markers.len(), text(Key::EditorProblems)) }
            </span>
        }
    };
    let answer_view = match ((*answer).as_ref(), *applying) {
        (_, true) => html! {
            <div id="editor-answer" class="editor-answer running" role="status">{ text(Key::EditorApplyingLive) }</div>
        },
        (Some(answer), false) => html! {
            <div id="editor-answer" class={classes!("editor-answer", if answer.succeeded { "ok" } else { "failed" })} role="status">
                <div class="muted">{ text(if answer.succeeded { Key::EditorServerApplied } else { Key::EditorServerRefused }) }</div>
                if !answer.stdout.is_empty() {
                    <pre class="stdout">{ answer.stdout.clone() }</pre>
                }
                if !answer.problems.unplaced.is_empty() {
                    <pre class="stderr">{ answer.problems.unplaced.join("\n") }</pre>
                }
            </div>
        },
        (None, false) => Html::default(),
    };
    let (apply_label, apply_hint) = if is_live {
        (Key::EditorApplyLive, Key::EditorApplyLiveHint)
    } else {
        (Key::EditorApply, Key::EditorApplyHint)
    };

    html! {
        <section class="editor card" aria-label={text(Key::EditorHeading)}>
            <h2>{ text(Key::EditorHeading) }</h2>
            <div class="editor-toolbar">
                <span class="muted">{ text(Key::EditorTemplates) }</span>
                <button id="editor-template-deployment" onclick={use_template(DEPLOYMENT_TEMPLATE)}>{ "Deployment" }</button>
                <button id="editor-template-service" onclick={use_template(SERVICE_TEMPLATE)}>{ "Service" }</button>
                <span class="spacer"></span>
                <button id="editor-apply" class="primary" onclick={onapply} disabled={*applying}
                    title={text(apply_hint)} aria-keyshortcuts="Control+Enter">
                    { text(apply_label) }
                </button>
            </div>
            <div class="editor-body">
                <div class="gutter" ref={gutter} aria-hidden="true">{ for gutter_lines }</div>
                <textarea
                    id="editor-text"
                    ref={area.clone()}
                    spellcheck="false"
                    wrap="off"
                    aria-label={text(Key::EditorHeading)}
                    aria-keyshortcuts="Control+Enter"
                    value={(*content).clone()}
                    {oninput}
                    {onscroll}
                    {onkeydown}
                />
            </div>
            <div id="editor-status" class="editor-status">{ status }</div>
            { answer_view }
            if !markers.is_empty() {
                <ul class="editor-problems">{ for problems }</ul>
            }
        </section>
    }
}

/// Live mode: runs `kubectl apply -f -` with `text` on the server, shows the command and its
/// answer in the live terminal and under the editor, then lists the polled kinds again so its
/// effect shows at once and checks the text again against the updated mirror.
fn apply_live(
    state: &std::rc::Rc<std::cell::RefCell<crate::live::LiveState>>,
    text: String,
    answer: UseStateHandle<Option<LiveApplyAnswer>>,
    applying: UseStateHandle<bool>,
    schedule_check: Callback<(String, u32)>,
) {
    {
        let mut live = state.borrow_mut();
        live.terminal.push_run_for_page(EDITOR_APPLY_LINE);
        live.touch_now();
    }
    #[cfg(target_arch = "wasm32")]
    {
        let state = std::rc::Rc::clone(state);
        wasm_bindgen_futures::spawn_local(async move {
            let token = state.borrow().token.clone();
            let output =
                crate::live::client::exec_with_stdin(&token, EDITOR_APPLY_LINE, &text).await;
            {
                let mut live = state.borrow_mut();
                match &output {
                    Ok(output) => live.terminal.push_output(output),
                    Err(error) => live.terminal.push_failure(&format!("error: {error}")),
                }
                live.touch_now();
            }
            answer.set(Some(match &output {
                Ok(output) => LiveApplyAnswer::from_output(&text, output),
                Err(error) => LiveApplyAnswer::failed(&format!("error: {error}")),
            }));
            applying.set(false);
            crate::live::client::refresh(&state);
            schedule_check.emit((text, CHECK_DELAY_MS));
        });
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        // Natively there is no server to ask.
        let _ = (text, answer, schedule_check);
        applying.set(false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_start_after_the_newlines_counted_in_utf16() {
        let text = "a: 1\n이름: x\nb: 2\n";
        let cases = [(1, 0), (2, 5), (3, 11), (9, 16)];
        for (line, want) in cases {
            assert_eq!(line_start_utf16(text, line), want, "line {line}");
        }
    }

    fn marker(line: usize, message: &str) -> Marker {
        Marker {
            line,
            column: Some(3),
            kind: MarkerKind::Invalid,
            message: message.to_string(),
        }
    }

    #[test]
    fn the_servers_markers_join_the_checks_by_line_without_repeating_one() {
        let check = EditorCheck {
            objects: 1,
            markers: vec![marker(19, "image: Required value")],
        };
        let answer = LiveApplyAnswer {
            succeeded: false,
            stdout: String::new(),
            problems: ServerProblems {
                markers: vec![
                    marker(8, "spec.replicas: Invalid value"),
                    marker(19, "image: Required value"),
                ],
                unplaced: Vec::new(),
            },
        };
        let lines: Vec<usize> = shown_markers(&check, Some(&answer))
            .iter()
            .map(|m| m.line)
            .collect();
        assert_eq!(lines, [8, 19]);
        assert_eq!(shown_markers(&check, None), check.markers);
    }

    #[test]
    fn a_servers_answer_reads_as_applied_or_refused_with_its_errors_placed() {
        let ok = LiveApplyAnswer::from_output(
            SERVICE_TEMPLATE,
            &crate::live::ExecOutput {
                stdout: "service/web created\n".to_string(),
                stderr: String::new(),
                exit_code: 0,
            },
        );
        assert!(ok.succeeded);
        assert_eq!(ok.stdout, "service/web created");
        assert_eq!(ok.problems, ServerProblems::default());
        let refused = LiveApplyAnswer::from_output(
            SERVICE_TEMPLATE,
            &crate::live::ExecOutput {
                stdout: String::new(),
                stderr: "The Service \"web\" is invalid: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive\n".to_string(),
                exit_code: 1,
            },
        );
        assert!(!refused.succeeded);
        assert_eq!(
            refused
                .problems
                .markers
                .iter()
                .map(|m| m.line)
                .collect::<Vec<_>>(),
            [9]
        );
        let failed = LiveApplyAnswer::failed("error: the server answered 500");
        assert_eq!(failed.problems.unplaced, ["error: the server answered 500"]);
    }

    #[test]
    fn ctrl_or_command_enter_applies_and_plain_enter_types_a_line() {
        let cases = [
            ("Enter", true, false, true),
            ("Enter", false, true, true),
            ("Enter", false, false, false),
            ("a", true, false, false),
        ];
        for (key, ctrl, meta, applies) in cases {
            assert_eq!(
                is_apply_shortcut(key, ctrl, meta),
                applies,
                "{key} {ctrl} {meta}"
            );
        }
    }
}
