//! The images view: per node, the cached images with their layers and sizes, and each pull
//! with how long it took (see [`crate::images`]).

use yew::prelude::*;

use crate::handle::PlaygroundHandle;
use crate::hooks::use_text;
use crate::i18n::Key;
use crate::images::{format_bytes, read_node_images, NodeImages, PullOutcome};

/// What the view needs.
#[derive(Properties, PartialEq)]
pub struct ImagesProps {
    /// The playground.
    pub handle: PlaygroundHandle,
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

/// The images view.
#[function_component(ImagesPanel)]
pub fn images_panel(props: &ImagesProps) -> Html {
    let text = use_text();
    let nodes = props.handle.source(|source| read_node_images(source));
    let slowest_ms = nodes
        .iter()
        .flat_map(|n| &n.pulls)
        .filter_map(|p| match p.outcome {
            PullOutcome::Pulled { pull_ms, .. } => Some(pull_ms),
            PullOutcome::AlreadyPresent => None,
        })
        .max()
        .unwrap_or(0);
    html! {
        <div class="images-view" id="images">
            <p class="muted hint">{ text(Key::ImagesHint) }</p>
            if props.handle.is_live() {
                <p class="muted hint live-note">{ text(Key::ImagesLiveNote) }</p>
            }
            <div class="image-nodes">{ for nodes.iter().map(|n| node_card(n, slowest_ms, &text)) }</div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
