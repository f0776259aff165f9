//! The cluster view for big clusters: one `<canvas>` with a small tile per node and a pixel
//! square per pod ([`crate::cluster_tiles`]). Clicking a tile opens its node in the inspector.
//!
//! Each render rasterizes the [`TileCluster`] into an RGBA buffer in Rust and hands it to the
//! canvas with one `putImageData`, so the cost does not grow with DOM elements. The time each
//! frame took (read + rasterize + put) is kept in `window.kubeplayCanvasStats` (frames,
//! lastMs, maxMs, totalMs) for the browser test to read.

use std::rc::Rc;

use crate::page_clock::now_ms;
use kubeplay_core::api::objects::Kind;
use wasm_bindgen::{Clamped, JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};
use yew::prelude::*;

use crate::cluster_tiles::{rasterize, TileCluster, TileLayout};
use crate::hooks::use_text;
use crate::i18n::Key;
use crate::inspector::ObjectRef;

/// The canvas width in pixels (tiles wrap into rows of this width).
pub const CANVAS_WIDTH: u32 = 800;

/// What the canvas needs.
#[derive(Properties, PartialEq)]
pub struct ClusterCanvasProps {
    /// The tiles to draw (shared: the view reads them once per version).
    pub cluster: Rc<TileCluster>,
    /// Called with the node the learner clicked.
    pub on_select: Callback<ObjectRef>,
    /// Milliseconds the cluster took to read, counted into the frame time.
    #[prop_or_default]
    pub read_ms: f64,
    /// Whether the tiles come from a live cluster's summaries (a note says so).
    #[prop_or_default]
    pub summarized: bool,
}

/// Nodes as tiles on a canvas.
#[function_component(ClusterCanvas)]
pub fn cluster_canvas(props: &ClusterCanvasProps) -> Html {
    let text = use_text();
    let canvas = use_node_ref();
    let buffer = use_mut_ref(Vec::<u8>::new);
    let max_pods = props
        .cluster
        .nodes
        .iter()
        .map(|n| n.pods.len())
        .max()
        .unwrap_or(0);
    let layout = TileLayout::new(CANVAS_WIDTH, props.cluster.nodes.len(), max_pods);
    {
        let canvas = canvas.clone();
        let cluster = Rc::clone(&props.cluster);
        let read_ms = props.read_ms;
        use_effect_with((Rc::clone(&props.cluster), layout), move |_| {
            let started = now_ms();
            if let Some(element) = canvas.cast::<HtmlCanvasElement>() {
                let mut buffer = buffer.borrow_mut();
                rasterize(&cluster, &layout, &mut buffer);
                draw(&element, &layout, &buffer);
            }
            record_frame(read_ms + now_ms() - started);
        });
    }
    let onclick = {
        let cluster = Rc::clone(&props.cluster);
        let on_select = props.on_select.clone();
        let canvas = canvas.clone();
        Callback::from(move |event: MouseEvent| {
            let Some(element) = canvas.cast::<HtmlCanvasElement>() else {
                return;
            };
            // The canvas may be drawn scaled: map the click to canvas pixels.
            let bounds = element.get_bounding_client_rect();
            if bounds.width() <= 0.0 || bounds.height() <= 0.0 {
                return;
            }
            let x = (f64::from(event.client_x()) - bounds.left()) * f64::from(layout.width)
                / bounds.width();
            let y = (f64::from(event.client_y()) - bounds.top()) * f64::from(layout.height)
                / bounds.height();
            let node = layout
                .node_at(x, y, cluster.nodes.len())
                .and_then(|index| cluster.nodes.get(index));
            if let Some(node) = node {
                on_select.emit(ObjectRef {
                    kind: Kind::Node,
                    namespace: String::new(),
                    name: node.name.clone(),
                });
            }
        })
    };
    let summary = format!(
        "{} {} · {} {} · {} {}",
        props.cluster.nodes.len(),
        text(Key::CanvasNodes),
        props.cluster.pods_on_nodes(),
        text(Key::CanvasPodsOnNodes),
        props.cluster.pending,
        text(Key::CanvasPending),
    );
    html! {
        <div class="cluster-canvas">
            <p class="canvas-summary">{ summary }</p>
            if props.summarized {
                <p class="muted canvas-note" id="canvas-summary-note">{ text(Key::CanvasSummaryNote) }</p>
            }
            <canvas
                id="cluster-canvas"
                ref={canvas}
                width={layout.width.to_string()}
                height={layout.height.to_string()}
                title={text(Key::CanvasHint)}
                data-nodes={props.cluster.nodes.len().to_string()}
                data-pods={props.cluster.pods_on_nodes().to_string()}
                {onclick}
            />
        </div>
    }
}

fn draw(element: &HtmlCanvasElement, layout: &TileLayout, buffer: &[u8]) {
    let context = element
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok());
    let Some(context) = context else {
        return;
    };
    if let Ok(image) =
        ImageData::new_with_u8_clamped_array_and_sh(Clamped(buffer), layout.width, layout.height)
    {
        // A failed put only loses this frame; the next one tries again.
        let _ = context.put_image_data(&image, 0.0, 0.0);
    }
}

/// Adds one frame's time to `window.kubeplayCanvasStats`.
fn record_frame(ms: f64) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let key = JsValue::from_str("kubeplayCanvasStats");
    let stats = js_sys::Reflect::get(&window, &key)
        .ok()
        .filter(|v| v.is_object())
        .unwrap_or_else(|| js_sys::Object::new().into());
    let number = |name: &str| {
        js_sys::Reflect::get(&stats, &JsValue::from_str(name))
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0)
    };
    let frames = number("frames") + 1.0;
    let total = number("totalMs") + ms;
    let max = number("maxMs").max(ms);
    for (name, value) in [
        ("frames", frames),
        ("totalMs", total),
        ("maxMs", max),
        ("lastMs", ms),
    ] {
        let _ = js_sys::Reflect::set(&stats, &JsValue::from_str(name), &JsValue::from_f64(value));
    }
    let _ = js_sys::Reflect::set(&window, &key, &stats);
}

/// What the canvas benchmark page needs.
#[derive(Properties, PartialEq)]
pub struct CanvasBenchProps {
    /// How many nodes to draw.
    pub nodes: usize,
    /// How many pods to spread over them.
    pub pods: usize,
    /// How many frames to draw (each with other pod states).
    pub frames: u64,
}

/// The `?bench=canvas` page: a made-up cluster of any size, redrawn with changing pod states
/// every 16 ms for a number of frames, to measure the canvas alone (the simulated World at
/// that size is not needed). When done it sets `window.kubeplayCanvasBenchDone`, and
/// `window.kubeplayCanvasBenchWallMs` to the wall time from the first to the last frame.
#[function_component(CanvasBench)]
pub fn canvas_bench(props: &CanvasBenchProps) -> Html {
    let frame = use_state(|| 0_u64);
    let started = use_mut_ref(|| None::<f64>);
    {
        let frame = frame.clone();
        let last = props.frames;
        use_effect_with(*frame, move |current| {
            let current = *current;
            let started_at = *started.borrow_mut().get_or_insert_with(now_ms);
            let timeout = (current < last)
                .then(|| gloo_timers::callback::Timeout::new(16, move || frame.set(current + 1)));
            if current >= last {
                if let Some(window) = web_sys::window() {
                    let _ = js_sys::Reflect::set(
                        &window,
                        &JsValue::from_str("kubeplayCanvasBenchWallMs"),
                        &JsValue::from_f64(now_ms() - started_at),
                    );
                    let _ = js_sys::Reflect::set(
                        &window,
                        &JsValue::from_str("kubeplayCanvasBenchDone"),
                        &JsValue::TRUE,
                    );
                }
            }
            move || drop(timeout)
        });
    }
    let read_started = now_ms();
    let cluster = Rc::new(TileCluster::synthetic(props.nodes, props.pods, *frame));
    let read_ms = now_ms() - read_started;
    html! {
        <section class="cluster card canvas-bench">
            <h2>{ format!("canvas benchmark: {} nodes × {} pods, frame {}", props.nodes, props.pods, *frame) }</h2>
            <ClusterCanvas {cluster} on_select={Callback::noop()} {read_ms} />
        </section>
    }
}
