//! The object inspector: the selected object's owner chain, YAML and events.

use yew::prelude::*;

use crate::handle::PlaygroundHandle;
use crate::hooks::use_text;
use crate::i18n::Key;
use crate::inspector::{Inspection, ObjectRef};

/// What the inspector needs.
#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    /// The playground.
    pub handle: PlaygroundHandle,
    /// The object to show.
    pub target: ObjectRef,
    /// Called with an owner the learner clicked.
    pub on_select: Callback<ObjectRef>,
    /// Called to close the inspector.
    pub on_close: Callback<()>,
}

/// The inspector panel.
#[function_component(InspectorPanel)]
pub fn inspector_panel(props: &InspectorProps) -> Html {
    let text = use_text();
    // A big live cluster mirrors only summaries: the inspected object and its events are
    // read from the server when the target changes and whenever its summary moves.
    let live_summary = props.handle.live.as_ref().and_then(|live| {
        let state = live.state.borrow();
        (state.mode == crate::live::MirrorMode::Summary).then(|| {
            let fetched = state
                .inspected
                .as_ref()
                .is_some_and(|(target, _)| *target == props.target);
            (state.summary_version_of(&props.target), fetched)
        })
    });
    {
        let live = props.handle.live.as_ref().map(|live| live.state.clone());
        let version = live_summary.as_ref().map(|(version, _)| version.clone());
        use_effect_with((props.target.clone(), version), move |(target, version)| {
            if let (Some(state), Some(_)) = (live, version) {
                #[cfg(target_arch = "wasm32")]
                crate::live::client::inspect(&state, target.clone());
                #[cfg(not(target_arch = "wasm32"))]
                let _ = (state, target);
            }
        });
    }
    let loading = live_summary.is_some_and(|(_, fetched)| !fetched);
    let inspection = props
        .handle
        .source(|source| Inspection::read(source, &props.target));
    let close = {
        let on_close = props.on_close.clone();
        Callback::from(move |_| on_close.emit(()))
    };
    let title = format!("{}/{}", props.target.kind.kind_name(), props.target.name);
    let body = match inspection {
        None if loading => {
            html! { <p class="muted" id="inspector-loading">{ text(Key::InspectorLoading) }</p> }
        }
        None => html! { <p class="muted">{ text(Key::ObjectGone) }</p> },
        Some(inspection) => {
            let chain = inspection.owners.iter().enumerate().map(|(index, owner)| {
                let on_select = props.on_select.clone();
                let target = owner.clone();
                let label = format!("{}/{}", owner.kind.kind_name(), owner.name);
                html! {
                    <>
                        if index > 0 { <span class="arrow">{ " → " }</span> }
                        <button type="button" class="link" onclick={Callback::from(move |_| on_select.emit(target.clone()))}>{ label }</button>
                    </>
                }
            });
            let events = inspection.events.iter().map(|e| {
                html! {
                    <tr class={classes!((e.event_type == "Warning").then_some("warning"))}>
                        <td>{ &e.event_type }</td>
                        <td>{ &e.reason }</td>
                        <td>{ &e.source }</td>
                        <td>{ if e.count > 1 { format!("×{}", e.count) } else { String::new() } }</td>
                        <td>{ &e.message }</td>
                    </tr>
                }
            });
            html! {
                <>
                    <div class="owner-chain" aria-label={text(Key::OwnerChain)}>
                        <span class="muted">{ text(Key::OwnerChain) }{ ": " }</span>{ for chain }
                    </div>
                    <div class="muted">{ "resourceVersion " }{ inspection.resource_version.clone() }</div>
                    <h3>{ text(Key::Events) }</h3>
                    if inspection.events.is_empty() {
                        <p class="muted">{ text(Key::NoEvents) }</p>
                    } else {
                        <table class="events">
                            <thead><tr>
                                <th>{ text(Key::EventType) }</th><th>{ text(Key::EventReason) }</th>
                                <th>{ text(Key::EventFrom) }</th><th></th><th>{ text(Key::EventMessage) }</th>
                            </tr></thead>
                            <tbody>{ for events }</tbody>
                        </table>
                    }
                    <h3>{ "YAML" }</h3>
                    <pre class="yaml" id="inspector-yaml">{ inspection.yaml }</pre>
                </>
            }
        }
    };
    html! {
        <section class="inspector card" id="inspector" aria-label={text(Key::InspectorHeading)}>
            <header>
                <h2>{ text(Key::InspectorHeading) }{ ": " }<code>{ title }</code></h2>
                <button type="button" class="close" onclick={close} aria-label={text(Key::Close)}>{ "×" }</button>
            </header>
            { body }
        </section>
    }
}
