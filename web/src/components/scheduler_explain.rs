//! The scheduler-explain view: pick a pod, see each node's filter verdict and each feasible
//! node's score per plugin (see [`crate::scheduler_explain`] for where the data comes from).

use std::rc::Rc;

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::handle::PlaygroundHandle;
use crate::hooks::use_text;
use crate::i18n::Key;
use crate::inspector::ObjectRef;
use crate::scheduler_explain::{
    pod_choices, shown_node_cards, ExplainMemo, FilterVerdict, NodeExplanation, PodChoice,
    SummaryChoices, NODE_CARDS_FIRST,
};
use kubeplay_core::api::objects::Kind;
use kubeplay_core::scheduler::framework::PASSED_FILTER_MESSAGE;

/// What the view needs.
#[derive(Properties, PartialEq)]
pub struct SchedulerExplainProps {
    /// The playground.
    pub handle: PlaygroundHandle,
    /// The object picked in the cluster view (explained when it is a pod).
    pub selected: Option<ObjectRef>,
}

/// The pod to explain: the one picked here, else the one picked in the cluster view, else
/// the one `kept` (the pod explained last, while it is still listed), else the first
/// (pending pods come first).
fn effective_choice(
    choices: &[PodChoice],
    picked: Option<&String>,
    selected: Option<&ObjectRef>,
    kept: Option<&(String, String)>,
) -> Option<PodChoice> {
    let by_key = |key: &str| {
        let (namespace, name) = key.split_once('/')?;
        choices
            .iter()
            .find(|c| c.namespace == namespace && c.name == name)
            .cloned()
    };
    picked
        .and_then(|key| by_key(key))
        .or_else(|| {
            selected.filter(|s| s.kind == Kind::Pod).and_then(|s| {
                choices
                    .iter()
                    .find(|c| c.namespace == s.namespace && c.name == s.name)
                    .cloned()
            })
        })
        .or_else(|| {
            let (namespace, name) = kept?;
            choices
                .iter()
                .find(|c| &c.namespace == namespace && &c.name == name)
                .cloned()
        })
        .or_else(|| choices.first().cloned())
}

fn node_card(node: &NodeExplanation, text: &impl Fn(Key) -> &'static str) -> Html {
    let (class, verdict) = match &node.verdict {
        FilterVerdict::Feasible => (
            "feasible",
            html! { <span class="badge">{ text(Key::Feasible) }</span> },
        ),
        FilterVerdict::Filtered { plugin, message } => (
            "filtered",
            html! {
                <span class="badge not-ready">{ text(Key::FilteredOutBy) }{ " " }<code>{ plugin }</code>{ ": " }{ message }</span>
            },
        ),
        FilterVerdict::NotEvaluated => (
            "unevaluated",
            html! { <span class="badge unknown">{ text(Key::NotEvaluated) }</span> },
        ),
    };
    let filters = node.filters.iter().map(|(plugin, message)| {
        let passed = message == PASSED_FILTER_MESSAGE;
        html! {
            <li class={classes!(if passed { "passed" } else { "failed" })}>
                <span aria-hidden="true">{ if passed { "✓ " } else { "✗ " } }</span>
                <code>{ plugin }</code>
                if !passed { { ": " }{ message } }
            </li>
        }
    });
    let scores = node.scores.iter().map(|score| {
        let number = |n: Option<i64>| n.map_or_else(|| "–".to_string(), |n| n.to_string());
        html! {
            <tr>
                <td><code>{ &score.plugin }</code></td>
                <td class="num">{ number(score.raw) }</td>
                <td class="num">{ number(score.weight) }</td>
                <td class="num">{ number(score.weighted) }</td>
            </tr>
        }
    });
    html! {
        <article class={classes!("explain-node", class, node.chosen.then_some("chosen"))} data-node={node.node.clone()}>
            <header>
                <h3>{ &node.node }</h3>
                if node.chosen { <span class="badge chosen">{ "★ " }{ text(Key::Chosen) }</span> }
                { verdict }
                if let Some(total) = node.total {
                    <span class="final-score">{ text(Key::FinalScore) }{ ": " }<strong>{ total }</strong></span>
                }
            </header>
            <ul class="filters" aria-label={text(Key::FilterVerdict)}>{ for filters }</ul>
            if !node.scores.is_empty() {
                <table class="scores">
                    <thead><tr>
                        <th>{ text(Key::Plugin) }</th><th class="num">{ text(Key::RawScore) }</th>
                        <th class="num">{ text(Key::Weight) }</th><th class="num">{ text(Key::WeightedScore) }</th>
                    </tr></thead>
                    <tbody>{ for scores }</tbody>
                </table>
            }
        </article>
    }
}

/// What the node cards show: an explanation's per-node part, the same `Rc` while it is
/// unchanged (see [`crate::scheduler_explain::ExplainMemo`]).
#[derive(Properties, PartialEq)]
struct NodeCardsProps {
    nodes: Rc<Vec<NodeExplanation>>,
}

/// The node cards, a component of their own, diffed only when the explanation is a new one
/// (an `Rc` compares by address first). A pod explained on many nodes (dozens on a big
/// cluster: thousands of elements) shows the first [`NODE_CARDS_FIRST`] and a button for the
/// others; the learner's choice holds for the next pods.
#[function_component(NodeCards)]
fn node_cards(props: &NodeCardsProps) -> Html {
    let text = use_text();
    let expanded = use_state(|| false);
    let (shown, left_out) = shown_node_cards(&props.nodes, *expanded);
    let toggle = {
        let expanded = expanded.clone();
        Callback::from(move |_: MouseEvent| expanded.set(!*expanded))
    };
    let button = if left_out > 0 {
        Some(text(Key::ExplainShowOtherNodes).replace("{n}", &left_out.to_string()))
    } else if *expanded && props.nodes.len() > NODE_CARDS_FIRST {
        Some(text(Key::ExplainShowFirstNodes).replace("{n}", &NODE_CARDS_FIRST.to_string()))
    } else {
        None
    };
    html! {
        <>
            <div class="explain-nodes">{ for shown.into_iter().map(|n| node_card(n, &text)) }</div>
            if let Some(label) = button {
                <p class="explain-more"><button type="button" id="explain-more-nodes" onclick={toggle}>{ label }</button></p>
            }
        </>
    }
}

/// The pods the picker lists: a live summary's listing (the mirror keeps it, the same `Rc`
/// while it is unchanged) or every pod.
#[derive(Clone, PartialEq)]
enum PickerChoices {
    Summary(Rc<SummaryChoices>),
    All(Rc<Vec<PodChoice>>),
}

impl PickerChoices {
    fn list(&self) -> &[PodChoice] {
        match self {
            PickerChoices::Summary(summary) => &summary.choices,
            PickerChoices::All(choices) => choices,
        }
    }
}

/// What the pod picker shows.
#[derive(Properties, PartialEq)]
struct PodPickerProps {
    choices: PickerChoices,
    /// The explained pod's `namespace/name`.
    current: Option<String>,
    onchange: Callback<Event>,
}

/// The pod `<select>`, a component of its own: its up to 200 options are built and diffed
/// only when the listed pods or the explained one changed, not at every page render.
#[function_component(PodPicker)]
fn pod_picker(props: &PodPickerProps) -> Html {
    let text = use_text();
    let options = props.choices.list().iter().map(|choice| {
        let key = choice.key();
        let suffix = choice
            .node
            .as_ref()
            .map_or_else(|| " (Pending)".to_string(), |n| format!(" → {n}"));
        // Keyed by the pod: as pods shift in the list during churn, an option moves instead of
        // every option below it having its value and text rewritten.
        html! {
            <option key={key.clone()} value={key.clone()} selected={props.current.as_ref() == Some(&key)}>{ format!("{key}{suffix}") }</option>
        }
    });
    html! {
        <label class="field">
            { text(Key::PickPod) }
            <select id="explain-pod" onchange={props.onchange.clone()}>{ for options }</select>
        </label>
    }
}

/// The scheduler-explain view.
#[function_component(SchedulerExplainPanel)]
pub fn scheduler_explain_panel(props: &SchedulerExplainProps) -> Html {
    let text = use_text();
    let picked = use_state(|| None::<String>);
    {
        // A new pick in the cluster view takes over from the pick here.
        let picked = picked.clone();
        use_effect_with(props.selected.clone(), move |_| picked.set(None));
    }
    let filter = use_state(String::new);
    // The explanation, read again only as far as what it is read from moved.
    let memo = use_mut_ref(ExplainMemo::new);
    // A big live cluster mirrors only pod summaries: the picker lists them (capped, pending
    // first, filtered by name; kept current by the mirror line by line) and the chosen pod
    // is read from the server on demand.
    let summarized = props.handle.live.as_ref().and_then(|live| {
        let state = live.state.borrow();
        (state.mode == crate::live::MirrorMode::Summary)
            .then(|| state.summary.pod_choices(&filter, props.selected.as_ref()))
    });
    // A big live cluster's listing shifts all the time while it churns (pending pods come
    // first, and new ones keep coming): without a pick the panel keeps explaining the pod it
    // showed while that pod is listed, instead of jumping to each new first pod (which also
    // fetched it and re-created every node card, about every 1.6 s). The simulation's few
    // pods keep following the first: a pod the learner just made pending shows at once.
    let kept = use_mut_ref(|| None::<(String, String)>);
    let kept_now = summarized.as_ref().and_then(|_| kept.borrow().clone());
    let choose = |choices: &[PodChoice]| {
        effective_choice(
            choices,
            picked.as_ref(),
            props.selected.as_ref(),
            kept_now.as_ref(),
        )
    };
    let (choices, explanation) = props.handle.source(|source| {
        let choices = match &summarized {
            Some(summary) => PickerChoices::Summary(Rc::clone(summary)),
            None => PickerChoices::All(Rc::new(pod_choices(&mut *source))),
        };
        let current = choose(choices.list());
        let explanation = current
            .as_ref()
            .and_then(|c| memo.borrow_mut().explain(source, &c.namespace, &c.name));
        (choices, explanation)
    });
    let current = choose(choices.list()).map(|c| ObjectRef {
        kind: Kind::Pod,
        namespace: c.namespace,
        name: c.name,
    });
    *kept.borrow_mut() = current
        .as_ref()
        .map(|c| (c.namespace.clone(), c.name.clone()));
    let fetch = props
        .handle
        .live
        .as_ref()
        .filter(|_| summarized.is_some())
        .map(|live| {
            let state = live.state.borrow();
            let version = current
                .as_ref()
                .map(|c| state.summary_version_of(c))
                .unwrap_or_default();
            let fetched = current.as_ref().is_some_and(|c| {
                state
                    .explained
                    .as_ref()
                    .is_some_and(|(target, _)| target == c)
            });
            (live.state.clone(), version, fetched)
        });
    let loading = fetch.as_ref().is_some_and(|(_, _, fetched)| !fetched);
    {
        let state = fetch.as_ref().map(|(state, _, _)| state.clone());
        let version = fetch.as_ref().map(|(_, version, _)| version.clone());
        use_effect_with((current.clone(), version), move |(target, _)| {
            if let (Some(state), Some(target)) = (state, target.clone()) {
                #[cfg(target_arch = "wasm32")]
                crate::live::client::fetch_on_demand(
                    &state,
                    target,
                    crate::live::client::OnDemand::Explain,
                );
                #[cfg(not(target_arch = "wasm32"))]
                let _ = (state, target);
            }
        });
    }
    let on_filter = {
        let filter = filter.clone();
        Callback::from(move |event: InputEvent| {
            let input: HtmlInputElement = event.target_unchecked_into();
            filter.set(input.value());
        })
    };
    let on_pick = {
        // The same callback at every render, so the picker's props stay equal.
        let picked = picked.setter();
        use_callback((), move |event: Event, ()| {
            let select: HtmlSelectElement = event.target_unchecked_into();
            picked.set(Some(select.value()));
        })
    };
    let current_key = explanation
        .as_ref()
        .map(|e| format!("{}/{}", e.namespace, e.name));
    let body = match explanation {
        None if loading => {
            html! { <p class="muted" id="explain-loading">{ text(Key::InspectorLoading) }</p> }
        }
        None => html! { <p class="muted">{ text(Key::NoPods) }</p> },
        Some(explanation) => html! {
            <>
                if let Some(node) = &explanation.node {
                    <p class="explain-summary">{ text(Key::ScheduledTo) }{ ": " }<strong>{ node }</strong></p>
                }
                if let Some(failure) = &explanation.failure {
                    <div class="failed-scheduling" role="status">
                        <strong>{ text(Key::WhyPending) }</strong>
                        <p class="mono" id="failed-scheduling-message">{ failure }</p>
                    </div>
                }
                if let Some(node) = &explanation.nominated_node {
                    <p class="explain-summary">{ text(Key::NominatedNode) }{ ": " }<strong>{ node }</strong></p>
                }
                {
                    match &explanation.nodes {
                        None => html! { <p class="muted">{ text(explanation.missing_nodes_key()) }</p> },
                        Some(nodes) => html! { <NodeCards nodes={Rc::clone(nodes)} /> },
                    }
                }
                if let Some(unlisted) = &explanation.unlisted {
                    <p class="muted explain-unlisted" id="explain-unlisted">{ unlisted.summary(&text) }</p>
                }
                if !explanation.notes.is_empty() {
                    <h3>{ text(Key::SchedulerNotes) }</h3>
                    <ul class="notes mono">{ for explanation.notes.iter().map(|n| html! { <li>{ n }</li> }) }</ul>
                }
            </>
        },
    };
    html! {
        <div class="scheduler-explain" id="scheduler-explain">
            <p class="muted hint">{ text(Key::ExplainHint) }</p>
            if let Some(summary) = &summarized {
                <p class="muted hint live-note" id="explain-summary-note">
                    { text(Key::ExplainSummaryNote)
                        .replace("{n}", &summary.choices.len().min(summary.matching).to_string())
                        .replace("{matching}", &summary.matching.to_string())
                        .replace("{total}", &summary.total.to_string()) }
                </p>
                <label class="field">
                    { text(Key::ExplainFilter) }
                    <input type="search" id="explain-filter" value={(*filter).clone()} oninput={on_filter} />
                </label>
            }
            if !choices.list().is_empty() {
                <PodPicker choices={choices.clone()} current={current_key} onchange={on_pick} />
            }
            { body }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(name: &str, node: Option<&str>) -> PodChoice {
        PodChoice {
            namespace: "default".to_string(),
            name: name.to_string(),
            node: node.map(str::to_string),
        }
    }

    #[test]
    fn the_picked_pod_wins_then_the_cluster_selection_then_the_kept_pod_then_the_first() {
        let choices = [choice("a", None), choice("b", Some("node-1"))];
        let selected_b = ObjectRef {
            kind: Kind::Pod,
            namespace: "default".to_string(),
            name: "b".to_string(),
        };
        let node_1 = ObjectRef {
            kind: Kind::Node,
            namespace: String::new(),
            name: "b".to_string(),
        };
        let picked_a = "default/a".to_string();
        let gone = "default/gone".to_string();
        let kept_b = ("default".to_string(), "b".to_string());
        let kept_gone = ("default".to_string(), "gone".to_string());
        let cases = [
            (Some(&picked_a), Some(&selected_b), Some(&kept_b), Some("a")),
            (None, Some(&selected_b), None, Some("b")),
            (Some(&gone), Some(&selected_b), None, Some("b")),
            (None, Some(&node_1), None, Some("a")),
            (None, None, None, Some("a")),
            // The pod shown last stays while it is listed, though another came first.
            (None, None, Some(&kept_b), Some("b")),
            (None, Some(&node_1), Some(&kept_b), Some("b")),
            // Gone from the listing: the first again.
            (None, None, Some(&kept_gone), Some("a")),
        ];
        for (picked, selected, kept, expected) in cases {
            let got = effective_choice(&choices, picked, selected, kept);
            assert_eq!(
                got.as_ref().map(|c| c.name.as_str()),
                expected,
                "{picked:?} {selected:?} {kept:?}"
            );
        }
        assert_eq!(effective_choice(&[], None, None, Some(&kept_b)), None);
    }
}
