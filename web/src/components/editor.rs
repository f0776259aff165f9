//! The YAML editor: the learner writes or pastes manifests and applies them to the cluster
//! the terminal talks to.
//!
//! Typing re-checks the text after a short pause ([`CHECK_DELAY_MS`]) with
//! [`crate::playground::Playground::check_manifest`], which reads the cluster but never
//! changes it; problems are marked in the line-number gutter (the message as its tooltip) and
//! listed under the editor by line (a click puts the cursor on that line). Apply runs
//! `kubectl apply -f -` on the text ([`crate::playground::Playground::apply_from_editor`]),
//! whose output appears in the terminal. The template buttons put a Deployment or a Service
//! in the editor.

use gloo_timers::callback::Timeout;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::editor::{EditorCheck, MarkerKind, DEPLOYMENT_TEMPLATE, SERVICE_TEMPLATE};
use crate::handle::PlaygroundHandle;
use crate::hooks::use_text;
use crate::i18n::Key;

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

/// The YAML editor panel.
#[function_component(Editor)]
pub fn editor(props: &EditorProps) -> Html {
    let text = use_text();
    let content = use_state(|| DEPLOYMENT_TEMPLATE.to_string());
    let check = use_state(EditorCheck::default);
    let checked = use_state(|| false);
    let pending = use_mut_ref(|| None::<Timeout>);
    let area = use_node_ref();
    let gutter = use_node_ref();
    let handle = &props.handle;

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
                check.set(handle.read(|p| p.check_manifest(&value)));
                checked.set(true);
            });
            // Dropping the old timeout cancels it.
            *pending.borrow_mut() = Some(timeout);
        })
    };

    {
        let schedule_check = schedule_check.clone();
        let content = content.clone();
        use_effect_with((), move |_| {
            schedule_check.emit(((*content).clone(), 0));
        });
    }

    let oninput = {
        let content = content.clone();
        let checked = checked.clone();
        let schedule_check = schedule_check.clone();
        Callback::from(move |event: InputEvent| {
            let Some(field) = event.target_dyn_into::<HtmlTextAreaElement>() else {
                return;
            };
            let value = field.value();
            content.set(value.clone());
            checked.set(false);
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
        let schedule_check = schedule_check.clone();
        Callback::from(move |_: MouseEvent| {
            content.set(template.to_string());
            schedule_check.emit((template.to_string(), 0));
        })
    };

    let onapply = {
        let handle = handle.clone();
        let content = content.clone();
        let schedule_check = schedule_check.clone();
        Callback::from(move |_: MouseEvent| {
            let value = (*content).clone();
            handle.update(|p| p.apply_from_editor(&value));
            schedule_check.emit((value, 0));
        })
    };

    let go_to_line = |line: usize| {
        let area = area.clone();
        let content = content.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(field) = area.cast::<HtmlTextAreaElement>() {
                let at = line_start_utf16(&content, line);
                let _ = field.focus();
                let _ = field.set_selection_range(at, at);
            }
        })
    };

    let line_count = content.lines().count().max(1) + usize::from(content.ends_with('\n'));
    let gutter_lines = (1..=line_count).map(|line| {
        let messages: Vec<&str> = check
            .markers
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
    let problems = check.markers.iter().map(|marker| {
        let class = match marker.kind {
            MarkerKind::Syntax => "syntax",
            MarkerKind::Object => "object",
            MarkerKind::Invalid => "invalid",
        };
        let place = match marker.column {
            Some(column) => format!("{} {}:{}", text(Key::EditorLine), marker.line, column),
            None => format!("{} {}", text(Key::EditorLine), marker.line),
        };
        html! {
            <li class={classes!("problem", class)} data-line={marker.line.to_string()} onclick={go_to_line(marker.line)}>
                <span class="where">{ place }</span>
                <span class="message">{ marker.message.clone() }</span>
            </li>
        }
    });
    let status = if !*checked {
        html! { <span class="checking">{ text(Key::EditorChecking) }</span> }
    } else if check.is_clean() {
        html! {
            <span class="clean">
                { format!("✓ {} {}", check.objects, text(Key::EditorObjectsPass)) }
            </span>
        }
    } else {
        html! {
            <span class="problems">
                { format!("✗ {} {}", check.markers.len(), text(Key::EditorProblems)) }
            </span>
        }
    };

    html! {
        <section class="editor card" aria-label={text(Key::EditorHeading)}>
            <h2>{ text(Key::EditorHeading) }</h2>
            <div class="editor-toolbar">
                <span class="muted">{ text(Key::EditorTemplates) }</span>
                <button id="editor-template-deployment" onclick={use_template(DEPLOYMENT_TEMPLATE)}>{ "Deployment" }</button>
                <button id="editor-template-service" onclick={use_template(SERVICE_TEMPLATE)}>{ "Service" }</button>
                <span class="spacer"></span>
                <button id="editor-apply" class="primary" onclick={onapply} title={text(Key::EditorApplyHint)}>
                    { text(Key::EditorApply) }
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
                    value={(*content).clone()}
                    {oninput}
                    {onscroll}
                />
            </div>
            <div id="editor-status" class="editor-status">{ status }</div>
            if !check.markers.is_empty() {
                <ul class="editor-problems">{ for problems }</ul>
            }
        </section>
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
}
