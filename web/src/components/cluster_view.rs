//! The cluster view: one card per node with its pods as coloured chips, and the pods no node
//! runs yet. Clicking a chip opens it in the inspector. From
//! [`crate::cluster_tiles::CANVAS_THRESHOLD`] nodes on it draws a canvas of tiles instead, in
//! the simulation and in live mode alike (both read through [`crate::cluster::ObjectSource`]),
//! and always for a live cluster mirrored as summaries ([`crate::live::MirrorMode::Summary`]).

use kubeplay_core::api::objects::Kind;
use yew::prelude::*;

use crate::cluster::{ClusterSnapshot, NodeCard, NodeReadiness, PodChip, Usage};
use crate::cluster_tiles::{uses_canvas, TileCluster};
use crate::components::ClusterCanvas;
use crate::handle::PlaygroundHandle;
use crate::hooks::use_text;
use crate::i18n::Key;
use crate::inspector::ObjectRef;

/// What the cluster view needs.
#[derive(Properties, PartialEq)]
pub struct ClusterViewProps {
    /// The playground.
    pub handle: PlaygroundHandle,
    /// Called with the pod the learner clicked.
    pub on_select: Callback<ObjectRef>,
    /// The pod the inspector shows, to highlight.
    pub selected: Option<ObjectRef>,
}

/// Nodes and pods.
#[function_component(ClusterView)]
pub fn cluster_view(props: &ClusterViewProps) -> Html {
    let text = use_text();
    // Big clusters: tiles on a canvas instead of a card per node (see cluster_tiles), read
    // from what the page shows: the simulation's world or the live mirror.
    // A live cluster mirrored as summaries (a big one) is drawn on the canvas whatever its
    // node count: the cards need full objects.
    // A live summary mirror keeps its tiles current line by line: a render in which no node
    // or pod changed gets the same ones (and the canvas then does not draw again).
    let (node_count, summarized) = props
        .handle
        .source(|source| (source.node_count(), source.summarized()));
    if uses_canvas(node_count) || summarized {
        let started = crate::page_clock::now_ms();
        let cluster = props.handle.source(|source| TileCluster::shared(source));
        let read_ms = crate::page_clock::now_ms() - started;
        return html! {
            <section class="cluster card" aria-label={text(Key::ClusterHeading)}>
                <h2>{ text(Key::ClusterHeading) }</h2>
                <ClusterCanvas {cluster} on_select={props.on_select.clone()} {read_ms} {summarized} />
            </section>
        };
    }
    let snapshot = props.handle.source(|source| ClusterSnapshot::read(source));
    let chip = |chip: &PodChip| -> Html {
        let target = ObjectRef {
            kind: Kind::Pod,
            namespace: chip.namespace.clone(),
            name: chip.name.clone(),
        };
        let selected = props.selected.as_ref() == Some(&target);
        let on_select = props.on_select.clone();
        let onclick = Callback::from(move |_| on_select.emit(target.clone()));
        html! {
            <button
                type="button"
                class={classes!("pod-chip", chip.state.class(), selected.then_some("selected"))}
                style={format!("--hue: {}", chip.hue)}
                data-name={chip.name.clone()}
                data-status={chip.status.clone()}
                title={format!("{}/{} — {}", chip.namespace, chip.name, chip.status)}
                {onclick}
            >
                <span class="pod-name">{ &chip.name }</span>
                <span class="pod-status">{ &chip.status }</span>
            </button>
        }
    };
    let bar = |label: Key, usage: Usage, shown: String| -> Html {
        html! {
            <div class="bar" title={shown.clone()}>
                <span class="bar-label">{ text(label) }</span>
                <span class="bar-track"><span class="bar-fill" style={format!("width: {}%", usage.percent())}></span></span>
                <span class="bar-value">{ shown }</span>
            </div>
        }
    };
    let node = |card: &NodeCard| -> Html {
        let (readiness_class, readiness) = match card.readiness {
            NodeReadiness::Ready => ("ready", text(Key::Ready)),
            NodeReadiness::NotReady => ("not-ready", text(Key::NotReady)),
            NodeReadiness::Unknown => ("unknown", text(Key::Unknown)),
        };
        html! {
            <article class={classes!("node-card", readiness_class, card.cordoned.then_some("cordoned"))} data-node={card.name.clone()}>
                <header>
                    <h3>{ &card.name }</h3>
                    <span class={classes!("badge", readiness_class)}>{ readiness }</span>
                    if card.cordoned {
                        <span class="badge cordoned">{ text(Key::Cordoned) }</span>
                    }
                </header>
                <div class="pod-cidr">{ "podCIDR " }{ card.pod_cidr.clone().unwrap_or_else(|| text(Key::NoPodCidr).to_string()) }</div>
                { bar(Key::Cpu, card.cpu, format!("{}m / {}m", card.cpu.used, card.cpu.capacity)) }
                { bar(Key::Memory, card.memory, format!("{}Mi / {}Mi", card.memory.used >> 20, card.memory.capacity >> 20)) }
                { bar(Key::Pods, card.pods, format!("{} / {}", card.pods.used, card.pods.capacity)) }
                <div class="chips">{ for card.chips.iter().map(chip) }</div>
            </article>
        }
    };
    html! {
        <section class="cluster card" aria-label={text(Key::ClusterHeading)}>
            <h2>{ text(Key::ClusterHeading) }</h2>
            <div class="nodes">{ for snapshot.nodes.iter().map(node) }</div>
            <div class="pending-area">
                <h3>{ text(Key::PendingPods) }{ format!(" ({})", snapshot.pending.len()) }</h3>
                <div class="chips">{ for snapshot.pending.iter().map(chip) }</div>
            </div>
        </section>
    }
}
