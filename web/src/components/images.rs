//! The images view: per node, the cached images with their layers and sizes, and each pull
//! with how long it took (see [`crate::images`]).

use yew::prelude::*;

use crate::handle::PlaygroundHandle;
use crate::hooks::use_text;
use crate::i18n::Key;
use crate::images::{format_bytes, read_node_images, NodeImages, PullOutcome};
use crate::inspector::ObjectRef;
use web_sys::HtmlSelectElement;

/// What the view needs.
#[derive(Properties, PartialEq)]
pub struct ImagesProps {
    /// The playground.
    pub handle: PlaygroundHandle,
    /// The object picked in the cluster view (live, the view shows its node).
    pub selected: Option<ObjectRef>,
}

/// The bar's share of the slowest pull, in percent (at least 2 so a fast pull still shows).
fn pull_percent(pull_ms: u64, slowest_ms: u64) -> u64 {
    if slowest_ms == 0 {
        return 0;
    }
    (pull_ms * 100 / slowest_ms).clamp(2, 100)
}

fn node_card(node: &NodeImages, slowest_ms: u64, text: &impl Fn(Key) -> &'static str) -> Html {
    let images = node.images.iter().map(|image| {
        let layers = image.layers.iter().map(|layer| {
            let shared = layer.used_by > 1;
            html! {
                <li class={classes!("layer", shared.then_some("shared"))} title={layer.short_digest.clone()}>
                    <code>{ &layer.short_digest }</code>{ " " }{ format_bytes(layer.size_bytes) }
                    if shared { { " " }<span class="badge">{ text(Key::SharedLayer) }</span> }
                </li>
            }
        });
        html! {
            <li class="image">
                <div><code>{ &image.reference }</code>{ " · " }{ format_bytes(image.size_bytes) }</div>
                <ul class="layers">{ for layers }</ul>
            </li>
        }
    });
    let pulls = node.pulls.iter().map(|pull| {
        let outcome = match &pull.outcome {
            PullOutcome::Pulled { pull: took, pull_ms, including_waiting, size_bytes } => html! {
                <>
                    <span class="pull-bar" aria-hidden="true"><span style={format!("width: {}%", pull_percent(*pull_ms, slowest_ms))}></span></span>
                    <span>{ took }{ " (" }{ including_waiting }{ " " }{ text(Key::IncludingWaiting) }{ ") · " }{ format_bytes(*size_bytes) }</span>
                </>
            },
            PullOutcome::AlreadyPresent => html! { <span class="cache-hit">{ text(Key::AlreadyPresent) }</span> },
        };
        html! {
            <tr>
                <td><code>{ &pull.image }</code></td>
                <td class="pod">{ &pull.pod }</td>
                <td class="outcome">{ outcome }</td>
            </tr>
        }
    });
    html! {
        <article class="image-node" data-node={node.node.clone()}>
            <header>
                <h3>{ &node.node }</h3>
                <span class="muted">
                    { text(Key::OnDisk) }{ ": " }{ format_bytes(node.disk_bytes) }{ " · " }
                    { node.layer_count }{ " " }{ text(Key::Layers) }
                </span>
            </header>
            <h4>{ text(Key::CachedImages) }</h4>
            if node.images.is_empty() {
                <p class="muted">{ text(Key::NoImages) }</p>
            } else {
                <ul class="images">{ for images }</ul>
            }
            <h4>{ text(Key::Pulls) }</h4>
            if node.pulls.is_empty() {
                <p class="muted">{ text(Key::NoPulls) }</p>
            } else {
                <table class="pulls"><tbody>{ for pulls }</tbody></table>
            }
        </article>
    }
}

/// The slowest pull among `nodes`, in milliseconds (the bars' full width).
fn slowest_pull_ms<'a>(nodes: impl Iterator<Item = &'a NodeImages>) -> u64 {
    nodes
        .flat_map(|n| &n.pulls)
        .filter_map(|p| match p.outcome {
            PullOutcome::Pulled { pull_ms, .. } => Some(pull_ms),
            PullOutcome::AlreadyPresent => None,
        })
        .max()
        .unwrap_or(0)
}

/// The node the live images view shows: the one picked here, else the one the cluster view
/// picked (a node, or a pod's node), else the first.
pub fn shown_node(
    nodes: &[String],
    picked: Option<&String>,
    selected_node: Option<&str>,
) -> Option<String> {
    picked
        .filter(|p| nodes.contains(p))
        .cloned()
        .or_else(|| {
            selected_node
                .filter(|s| nodes.iter().any(|n| n == s))
                .map(str::to_string)
        })
        .or_else(|| nodes.first().cloned())
}

/// How often the live images view reads its node again, in wall-clock ms.
const NODE_IMAGES_REFRESH_MS: u64 = 5_000;

/// The images view.
#[function_component(ImagesPanel)]
pub fn images_panel(props: &ImagesProps) -> Html {
    let text = use_text();
    let picked = use_state(|| None::<String>);
    // Live (any cluster size): one node at a time, its cache and pulls read from the server,
    // which alone holds the runtimes.
    let live_view = props.handle.live.as_ref().map(|live| {
        let state = live.state.borrow();
        let nodes = state.node_names();
        let selected_node = props.selected.as_ref().and_then(|s| state.node_of(s));
        let shown = shown_node(&nodes, picked.as_ref(), selected_node.as_deref());
        let images = state
            .node_images
            .clone()
            .filter(|images| Some(&images.node) == shown.as_ref());
        let refresh = state.now.as_millis() / NODE_IMAGES_REFRESH_MS;
        let big = state.mode == crate::live::MirrorMode::Summary;
        (live.state.clone(), nodes, shown, images, refresh, big)
    });
    {
        let fetch = live_view
            .as_ref()
            .map(|(state, _, shown, _, refresh, _)| (state.clone(), shown.clone(), *refresh));
        let key = fetch
            .as_ref()
            .map(|(_, shown, refresh)| (shown.clone(), *refresh));
        use_effect_with(key, move |_| {
            if let Some((state, Some(node), _)) = fetch {
                #[cfg(target_arch = "wasm32")]
                crate::live::client::fetch_node_images(&state, node);
                #[cfg(not(target_arch = "wasm32"))]
                let _ = (state, node);
            }
        });
    }
    if let Some((_, nodes, shown, images, _, big)) = live_view {
        let on_pick = {
            let picked = picked.clone();
            Callback::from(move |event: Event| {
                let select: HtmlSelectElement = event.target_unchecked_into();
                picked.set(Some(select.value()));
            })
        };
        let options = nodes.iter().map(|node| {
            html! { <option value={node.clone()} selected={shown.as_ref() == Some(node)}>{ node }</option> }
        });
        let body = match &images {
            Some(node) => node_card(node, slowest_pull_ms(std::iter::once(node)), &text),
            None => {
                html! { <p class="muted" id="images-loading">{ text(Key::InspectorLoading) }</p> }
            }
        };
        return html! {
            <div class="images-view" id="images">
                <p class="muted hint">{ text(Key::ImagesHint) }</p>
                if big {
                    <p class="muted hint live-note" id="images-summary-note">{ text(Key::ImagesSummaryNote) }</p>
                } else {
                    <p class="muted hint live-note" id="images-live-note">{ text(Key::ImagesLiveNote) }</p>
                }
                <label class="field">
                    { text(Key::ImagesNode) }
                    <select id="images-node" onchange={on_pick}>{ for options }</select>
                </label>
                <div class="image-nodes">{ body }</div>
            </div>
        };
    }
    let nodes = props.handle.source(|source| read_node_images(source));
    let slowest_ms = slowest_pull_ms(nodes.iter());
    html! {
        <div class="images-view" id="images">
            <p class="muted hint">{ text(Key::ImagesHint) }</p>
            <div class="image-nodes">{ for nodes.iter().map(|n| node_card(n, slowest_ms, &text)) }</div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_node_shown_is_the_one_picked_here_then_the_cluster_views_then_the_first() {
        let nodes = ["n1".to_string(), "n2".to_string(), "n3".to_string()];
        let n3 = "n3".to_string();
        let gone = "n9".to_string();
        let cases = [
            (Some(&n3), Some("n2"), Some("n3")),
            (None, Some("n2"), Some("n2")),
            (Some(&gone), Some("n2"), Some("n2")),
            (Some(&gone), Some("n9"), Some("n1")),
            (None, None, Some("n1")),
        ];
        for (picked, selected, expected) in cases {
            assert_eq!(
                shown_node(&nodes, picked, selected).as_deref(),
                expected,
                "{picked:?} {selected:?}"
            );
        }
        assert_eq!(shown_node(&[], None, Some("n1")), None);
    }

    #[test]
    fn pull_bars_scale_to_the_slowest_pull_and_never_vanish() {
        let cases = [
            (0, 0, 0),
            (5_000, 10_000, 50),
            (10_000, 10_000, 100),
            (1, 10_000, 2),
        ];
        for (pull, slowest, percent) in cases {
            assert_eq!(pull_percent(pull, slowest), percent, "{pull}/{slowest}");
        }
    }
}
