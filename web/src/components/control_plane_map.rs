//! The control-plane map: kube-apiserver, etcd, kube-scheduler, kube-controller-manager (with
//! its controllers), cluster DNS, the learner, and per node the kubelet, kube-proxy and
//! container runtime, as one SVG. Each trace record lights its arrow
//! ([`crate::control_plane`]): a dot travels along it (a CSS animation keyed by the event's
//! number, so it plays once in wall-clock time whatever the virtual speed); a busy arrow shows
//! its rate in events per virtual second instead, and dashes that flow along it.
//!
//! The flowing dashes are HTML strips laid over the SVG ([`Flow`]), each moved by a CSS
//! `transform` animation, which the browser runs on its compositor: no repaint of the map at
//! each frame. (The dashes used to be the SVG line's own `stroke-dashoffset` animation, which
//! repainted the whole map at every frame on the main thread: about a third of a quiet live
//! page's main-thread time in web-live-3's profile, BENCHMARKS.md.)
//!
//! The component keeps the [`ControlPlaneActivity`] across renders and feeds it the trace
//! records that are new at each render.

use yew::prelude::*;

use crate::control_plane::{
    component_title, controller_title, edge_kind_title, Component, ControlPlaneActivity, EdgeKind,
    EdgeStats, NodeSlot,
};
use crate::handle::PlaygroundHandle;
use crate::hooks::{use_language, use_text};
use crate::i18n::Key;

/// What the map needs.
#[derive(Properties, PartialEq)]
pub struct ControlPlaneMapProps {
    /// The playground.
    pub handle: PlaygroundHandle,
}

/// A box on the map: x, y, width, height in SVG units.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl Rect {
    const fn new(x: f64, y: f64, w: f64, h: f64) -> Rect {
        Rect { x, y, w, h }
    }

    fn centre(self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }

    /// Where the line from the centre towards `(tx, ty)` leaves the box.
    fn border_towards(self, tx: f64, ty: f64) -> (f64, f64) {
        let (cx, cy) = self.centre();
        let (dx, dy) = (tx - cx, ty - cy);
        if dx == 0.0 && dy == 0.0 {
            return (cx, cy);
        }
        let sx = if dx == 0.0 {
            f64::INFINITY
        } else {
            (self.w / 2.0) / dx.abs()
        };
        let sy = if dy == 0.0 {
            f64::INFINITY
        } else {
            (self.h / 2.0) / dy.abs()
        };
        let s = sx.min(sy);
        (cx + dx * s, cy + dy * s)
    }
}

const VIEW_W: f64 = 760.0;
const VIEW_H: f64 = 400.0;
const NODE_Y: f64 = 262.0;
const NODE_W: f64 = 176.0;
const NODE_GAP: f64 = 12.0;

/// The node group box of a slot (the slots are laid out left to right).
fn node_group(position: usize) -> Rect {
    #[allow(clippy::cast_precision_loss)]
    let x = 12.0 + position as f64 * (NODE_W + NODE_GAP);
    Rect::new(x, NODE_Y, NODE_W, 126.0)
}

/// Where each box of the map sits; `slots` are the node slots in use, in order.
fn rect_of(component: Component, slots: &[NodeSlot]) -> Rect {
    let group = |slot: NodeSlot| {
        let position = slots.iter().position(|s| *s == slot).unwrap_or(0);
        node_group(position)
    };
    match component {
        Component::User => Rect::new(12.0, 18.0, 140.0, 44.0),
        Component::Scheduler => Rect::new(212.0, 18.0, 150.0, 44.0),
        Component::ControllerManager => Rect::new(440.0, 8.0, 308.0, 104.0),
        Component::Dns => Rect::new(12.0, 150.0, 140.0, 44.0),
        Component::ApiServer => Rect::new(250.0, 146.0, 200.0, 52.0),
        Component::Etcd => Rect::new(590.0, 146.0, 158.0, 52.0),
        Component::Kubelet(slot) => {
            let g = group(slot);
            Rect::new(g.x + 6.0, g.y + 26.0, 78.0, 40.0)
        }
        Component::KubeProxy(slot) => {
            let g = group(slot);
            Rect::new(g.x + 92.0, g.y + 26.0, 78.0, 40.0)
        }
        Component::Runtime(slot) => {
            let g = group(slot);
            Rect::new(g.x + 6.0, g.y + 78.0, 78.0, 40.0)
        }
    }
}

/// The arrow's end points: from the border of one box to the border of the other, moved
/// sideways when the opposite arrow exists too (request up, watch down), so both show.
fn arrow(from: Rect, to: Rect, sideways: f64) -> ((f64, f64), (f64, f64)) {
    let (fx, fy) = from.centre();
    let (tx, ty) = to.centre();
    let (mut a, mut b) = (from.border_towards(tx, ty), to.border_towards(fx, fy));
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let length = (dx * dx + dy * dy).sqrt().max(1.0);
    let (nx, ny) = (-dy / length * sideways, dx / length * sideways);
    a = (a.0 + nx, a.1 + ny);
    b = (b.0 + nx, b.1 + ny);
    (a, b)
}

/// The flowing dashes of one busy arrow, in SVG units: a strip from `(x, y)` turned by
/// `angle_deg`, `length` long. Its dashes repeat `periods` times along it (a period close to
/// [`FLOW_PERIOD`], so the strip holds a whole number of them) and move one period every
/// [`FLOW_PERIOD_S`]: the strip, twice as long as the arrow, slides back by half its length
/// over `periods` periods and starts again where it looks the same.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Flow {
    x: f64,
    y: f64,
    length: f64,
    angle_deg: f64,
    periods: u32,
}

/// One dash and the gap after it, in SVG units (the old `stroke-dasharray: 8 6`).
const FLOW_PERIOD: f64 = 14.0;
/// How long the dashes take to move one period, in seconds (the old 0.6 s flow).
const FLOW_PERIOD_S: f64 = 0.6;
/// Where the flow stops short of the arrow's end, in SVG units (the arrowhead stays clear).
const FLOW_HEAD_GAP: f64 = 6.0;

impl Flow {
    /// The flow along the arrow from `(x1, y1)` to `(x2, y2)`.
    fn along(from: (f64, f64), to: (f64, f64)) -> Flow {
        let whole = Flow::along_whole(from, to);
        let length = (whole.length - FLOW_HEAD_GAP).max(FLOW_PERIOD);
        // A few dozen periods at most (the map is 760 units wide).
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let periods = ((length / FLOW_PERIOD).round() as u32).max(1);
        Flow {
            length,
            periods,
            ..whole
        }
    }

    /// The whole arrow from `(x1, y1)` to `(x2, y2)` as a strip, for a travelling dot.
    fn along_whole((x1, y1): (f64, f64), (x2, y2): (f64, f64)) -> Flow {
        let (dx, dy) = (x2 - x1, y2 - y1);
        Flow {
            x: x1,
            y: y1,
            length: (dx * dx + dy * dy).sqrt(),
            angle_deg: dy.atan2(dx).to_degrees(),
            periods: 1,
        }
    }

    /// The inline style that places a travelling dot's strip (read by `.pulse` in style.css):
    /// its dot slides from the strip's start to its end once with a `transform` animation
    /// the compositor runs. (The dots used to be SVG circles moved by a CSS animation, which
    /// the browser cannot hand to its compositor: during a live cluster's churn some dot was
    /// always moving, and the whole page was restyled, painted and committed at every
    /// frame; BENCHMARKS.md "Fewer DOM updates per render (dom-churn)".)
    fn pulse_style(&self) -> String {
        format!(
            "--x: {:.1}; --y: {:.1}; --len: {:.1}; --angle: {:.2}deg",
            self.x, self.y, self.length, self.angle_deg
        )
    }

    /// The inline style that places the strip (read by `.flow` in style.css): where it lies,
    /// as for a dot, and how its dashes flow.
    fn style(&self) -> String {
        format!(
            "{}; --periods: {}; --duration: {:.2}s",
            self.pulse_style(),
            self.periods,
            f64::from(self.periods) * FLOW_PERIOD_S
        )
    }
}

fn kind_class(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Request => "request",
        EdgeKind::Commit => "commit",
        EdgeKind::Watch => "watch",
        EdgeKind::Derived => "derived",
    }
}

fn rate_text(stats: &EdgeStats) -> String {
    if stats.rate_per_s >= 10.0 {
        format!("{:.0}/s", stats.rate_per_s)
    } else {
        format!("{:.1}/s", stats.rate_per_s)
    }
}

/// The control plane as a live diagram.
#[function_component(ControlPlaneMap)]
pub fn control_plane_map(props: &ControlPlaneMapProps) -> Html {
    let text = use_text();
    let language = use_language();
    let activity = use_mut_ref(ControlPlaneActivity::new);
    // The arrow under the pointer: only its title carries the numbers (rate, events in all),
    // which change at nearly every render; the others' titles stay as they are, so a busy
    // map does not rewrite a dozen titles per render (the page's largest DOM writer at
    // 1,000 × 30,000, BENCHMARKS.md).
    let hovered = use_state(|| None::<String>);
    let on_pointer_over = {
        let hovered = hovered.clone();
        Callback::from(move |event: MouseEvent| {
            let edge = event
                .target_dyn_into::<web_sys::Element>()
                .and_then(|target| target.closest("g.edge").ok().flatten())
                .and_then(|edge| edge.get_attribute("data-edge"));
            if *hovered != edge {
                hovered.set(edge);
            }
        })
    };
    let on_pointer_leave = {
        let hovered = hovered.clone();
        Callback::from(move |_: MouseEvent| {
            if hovered.is_some() {
                hovered.set(None);
            }
        })
    };
    if let Some(live) = &props.handle.live {
        // Live: the server's trace, read from /kubeplay/v1/trace; which component opened
        // which watch is not published, so watch deliveries go to kube-apiserver's readers
        // as the trace's users name them.
        let state = live.state.borrow();
        let mut activity = activity.borrow_mut();
        activity.set_nodes_at(state.node_names_version(), || state.node_names());
        activity.set_watch_owners(&[]);
        activity.consume(
            state.trace.len(),
            state.trace.kept(),
            state.trace.records(),
            state.now,
        );
    } else {
        props
            .handle
            .read(|p| activity.borrow_mut().follow_world(p.world()));
    }
    let activity = activity.borrow();
    let slots = activity.node_slots();
    let shown_nodes = activity.shown_nodes();
    let title_of = |component: Component| {
        component_title(component, shown_nodes, activity.rest_nodes(), language)
    };

    let mut flows: Vec<Html> = Vec::new();
    let mut pulses: Vec<Html> = Vec::new();
    let edges: Vec<Html> = activity.edges().into_iter().map(|(edge, stats)| {
        let from = rect_of(edge.from, &slots);
        let to = rect_of(edge.to, &slots);
        // A request and the watch back share their boxes: draw them side by side.
        let sideways = match edge.kind {
            EdgeKind::Request => -5.0,
            EdgeKind::Watch => 5.0,
            EdgeKind::Commit | EdgeKind::Derived => 0.0,
        };
        let ((x1, y1), (x2, y2)) = arrow(from, to, sideways);
        let busy = stats.busy();
        let class = classes!(
            "edge",
            kind_class(edge.kind),
            busy.then_some("busy"),
            (stats.rate_per_s > 0.0).then_some("active")
        );
        let key = format!("{:?}-{:?}", edge.from, edge.to);
        let title = if hovered.as_deref() == Some(key.as_str()) {
            format!(
                "{} → {} · {}: {} ({} {})",
                title_of(edge.from),
                title_of(edge.to),
                edge_kind_title(edge.kind, language),
                rate_text(&stats),
                stats.total,
                text(Key::MapEventsInAll)
            )
        } else {
            format!(
                "{} → {} · {}",
                title_of(edge.from),
                title_of(edge.to),
                edge_kind_title(edge.kind, language)
            )
        };
        if !busy {
            let track = Flow::along_whole((x1, y1), (x2, y2));
            pulses.extend(stats.pulses.iter().map(|pulse| {
                html! {
                    <div key={pulse.seq} class={classes!("pulse", kind_class(edge.kind))} style={track.pulse_style()}>
                        <span></span>
                    </div>
                }
            }));
        }
        if busy {
            let flow = Flow::along((x1, y1), (x2, y2));
            flows.push(html! {
                <div key={key.clone()}
                    class={classes!("flow", kind_class(edge.kind))} style={flow.style()}>
                    <span></span>
                </div>
            });
        }
        let label = busy.then(|| {
            let (mx, my) = ((x1 + x2) / 2.0, (y1 + y2) / 2.0);
            html! {
                <text class="rate" x={format!("{:.1}", mx + 4.0)} y={format!("{:.1}", my - 3.0)}>{ rate_text(&stats) }</text>
            }
        });
        html! {
            <g class={class} data-edge={key} data-total={stats.total.to_string()}>
                <title>{ title }</title>
                <line x1={format!("{x1:.1}")} y1={format!("{y1:.1}")} x2={format!("{x2:.1}")} y2={format!("{y2:.1}")} marker-end="url(#map-arrow)" />
                { for label }
            </g>
        }
    }).collect();

    let box_of = |component: Component, label: String, class: &'static str| -> Html {
        let r = rect_of(component, &slots);
        html! {
            <g class={classes!("map-box", class)}>
                <rect x={r.x.to_string()} y={r.y.to_string()} width={r.w.to_string()} height={r.h.to_string()} rx="6" />
                <text x={(r.x + 8.0).to_string()} y={(r.y + 18.0).to_string()}>{ label }</text>
            </g>
        }
    };
    let controllers = activity.controllers();
    let controller_lines = controllers.iter().take(8).enumerate().map(|(i, (name, stats))| {
        #[allow(clippy::cast_precision_loss)]
        let (column, row) = ((i % 2) as f64, (i / 2) as f64);
        let r = rect_of(Component::ControllerManager, &slots);
        html! {
            <text class={classes!("controller", (stats.rate_per_s > 0.0).then_some("active"))}
                x={(r.x + 10.0 + column * 150.0).to_string()} y={(r.y + 40.0 + row * 16.0).to_string()}>
                <title>{ controller_title(name, language) }</title>
                { format!("{name} {}", rate_text(stats)) }
            </text>
        }
    });
    let nodes = slots.iter().enumerate().map(|(position, slot)| {
        let g = node_group(position);
        let title = match slot {
            NodeSlot::Shown(index) => activity
                .shown_nodes()
                .get(*index)
                .cloned()
                .unwrap_or_default(),
            NodeSlot::Rest => format!("+{} {}", activity.rest_nodes(), text(Key::MapMoreNodes)),
        };
        html! {
            <g class={classes!("map-node", matches!(slot, NodeSlot::Rest).then_some("rest"))}>
                <rect x={g.x.to_string()} y={g.y.to_string()} width={g.w.to_string()} height={g.h.to_string()} rx="8" />
                <text class="node-title" x={(g.x + 8.0).to_string()} y={(g.y + 17.0).to_string()}>{ title }</text>
                { box_of(Component::Kubelet(*slot), "kubelet".to_string(), "kubelet") }
                { box_of(Component::KubeProxy(*slot), "kube-proxy".to_string(), "kube-proxy") }
                { box_of(Component::Runtime(*slot), text(Key::MapRuntime).to_string(), "runtime") }
            </g>
        }
    });

    html! {
        <section class="control-plane-map card" aria-label={text(Key::MapHeading)}>
            <h2>{ text(Key::MapHeading) }</h2>
            <div class="map-stage">
            <svg id="control-plane-map" viewBox={format!("0 0 {VIEW_W} {VIEW_H}")} role="img" aria-label={text(Key::MapHeading)}
                onmouseover={on_pointer_over} onmouseleave={on_pointer_leave}>
                <defs>
                    <marker id="map-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M 0 0 L 10 5 L 0 10 z" />
                    </marker>
                </defs>
                { box_of(Component::User, text(Key::MapUser).to_string(), "user") }
                { box_of(Component::Scheduler, "kube-scheduler".to_string(), "scheduler") }
                { box_of(Component::ControllerManager, "kube-controller-manager".to_string(), "controller-manager") }
                { for controller_lines }
                { box_of(Component::Dns, text(Key::MapDns).to_string(), "dns") }
                { box_of(Component::ApiServer, "kube-apiserver".to_string(), "apiserver") }
                { box_of(Component::Etcd, "etcd".to_string(), "etcd") }
                { for nodes }
                { for edges }
            </svg>
            // The busy arrows' flowing dashes, under the SVG (see [`Flow`]).
            <div class="map-flows" aria-hidden="true">{ for flows }</div>
            // The other arrows' travelling dots, over it (see [`Flow::pulse_style`]).
            <div class="map-pulses" aria-hidden="true">{ for pulses }</div>
            </div>
            <p class="map-legend">
                <span class="legend request">{ text(Key::MapLegendRequest) }</span>
                <span class="legend commit">{ text(Key::MapLegendCommit) }</span>
                <span class="legend watch">{ text(Key::MapLegendWatch) }</span>
                <span class="legend derived">{ text(Key::MapLegendDerived) }</span>
            </p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrows_start_and_end_on_the_borders_of_their_boxes() {
        let a = Rect::new(0.0, 0.0, 100.0, 50.0);
        let b = Rect::new(200.0, 0.0, 100.0, 50.0);
        let ((x1, y1), (x2, y2)) = arrow(a, b, 0.0);
        assert_eq!((x1, y1, x2, y2), (100.0, 25.0, 200.0, 25.0));
        let ((_, y1), (_, y2)) = arrow(a, b, 5.0);
        assert_eq!((y1, y2), (30.0, 30.0));
    }

    #[test]
    fn a_flow_holds_whole_dash_periods_close_to_the_arrows_length_and_points_along_it() {
        let flow = Flow::along((100.0, 25.0), (200.0, 25.0));
        assert_eq!((flow.x, flow.y, flow.angle_deg), (100.0, 25.0, 0.0));
        assert_eq!(flow.length, 100.0 - FLOW_HEAD_GAP);
        assert_eq!(flow.periods, 7);
        let down = Flow::along((10.0, 10.0), (10.0, 110.0));
        assert_eq!(down.angle_deg, 90.0);
        let back = Flow::along((200.0, 25.0), (100.0, 25.0));
        assert_eq!(back.angle_deg, 180.0);
        for end in [(20.0, 10.0), (400.0, 300.0), (12.0, 250.0)] {
            let flow = Flow::along((10.0, 10.0), end);
            let period = flow.length / f64::from(flow.periods);
            assert!(
                (period - FLOW_PERIOD).abs() <= FLOW_PERIOD / 2.0,
                "{end:?}: period {period}"
            );
        }
        // The strip's slide takes as long as its periods do at the old speed.
        assert!(flow.style().contains("--duration: 4.20s"));
    }

    #[test]
    fn boxes_stay_inside_the_picture_and_do_not_overlap() {
        let slots = [
            NodeSlot::Shown(0),
            NodeSlot::Shown(1),
            NodeSlot::Shown(2),
            NodeSlot::Rest,
        ];
        let mut components = vec![
            Component::User,
            Component::Scheduler,
            Component::ControllerManager,
            Component::Dns,
            Component::ApiServer,
            Component::Etcd,
        ];
        for slot in slots {
            components.extend([
                Component::Kubelet(slot),
                Component::KubeProxy(slot),
                Component::Runtime(slot),
            ]);
        }
        let rects: Vec<Rect> = components.iter().map(|c| rect_of(*c, &slots)).collect();
        for (i, a) in rects.iter().enumerate() {
            assert!(a.x >= 0.0 && a.y >= 0.0, "{:?}", components[i]);
            assert!(
                a.x + a.w <= VIEW_W && a.y + a.h <= VIEW_H,
                "{:?}",
                components[i]
            );
            for (j, b) in rects.iter().enumerate().skip(i + 1) {
                let apart =
                    a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
                assert!(apart, "{:?} overlaps {:?}", components[i], components[j]);
            }
        }
    }
}

/// The map in a real page (headless Chromium, `cargo xtask wasm-test`): an arrow's title
/// carries its numbers only while the pointer is over it.
#[cfg(all(test, target_arch = "wasm32"))]
mod dom_tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use wasm_bindgen_test::wasm_bindgen_test;

    use crate::components::dom_test_support::settle;

    use super::*;
    use crate::playground::Playground;

    fn title_of(edge: &web_sys::Element) -> String {
        edge.query_selector("title")
            .ok()
            .flatten()
            .and_then(|title| title.text_content())
            .unwrap_or_default()
    }

    fn mouse(kind: &str) -> web_sys::MouseEvent {
        let init = web_sys::MouseEventInit::new();
        init.set_bubbles(true);
        web_sys::MouseEvent::new_with_mouse_event_init_dict(kind, &init).expect("a mouse event")
    }

    #[wasm_bindgen_test]
    async fn an_arrows_numbers_are_in_its_title_only_under_the_pointer() {
        let mut playground = Playground::new(7, 3);
        playground.run_kubectl("kubectl create deployment web --image=nginx --replicas=3");
        for _ in 0..50 {
            playground.step();
        }
        let handle = PlaygroundHandle {
            playground: Rc::new(RefCell::new(playground)),
            version: 1,
            changed: Callback::noop(),
            live: None,
        };
        let document = web_sys::window()
            .and_then(|window| window.document())
            .expect("a document");
        let root = document.create_element("div").expect("a div");
        document
            .body()
            .expect("a body")
            .append_child(&root)
            .expect("root added");
        let app = yew::Renderer::<ControlPlaneMap>::with_root_and_props(
            root.clone(),
            ControlPlaneMapProps { handle },
        )
        .render();
        settle().await;
        let edge = root
            .query_selector("[data-edge=\"ApiServer-Etcd\"]")
            .ok()
            .flatten()
            .expect("the commit arrow");
        let total = edge.get_attribute("data-total").unwrap_or_default();
        assert!(
            total.parse::<u64>().unwrap_or(0) > 0,
            "commits made: {total}"
        );
        let quiet = title_of(&edge);
        assert!(quiet.starts_with("kube-apiserver → etcd"), "{quiet}");
        assert!(!quiet.contains(&total), "no numbers yet: {quiet}");
        let line = edge
            .query_selector("line")
            .ok()
            .flatten()
            .expect("its line");
        line.dispatch_event(&mouse("mouseover"))
            .expect("dispatched");
        settle().await;
        let hovered = title_of(&edge);
        assert!(hovered.starts_with(&quiet), "{hovered}");
        assert!(
            hovered.contains(&format!("({total} ")),
            "the total: {hovered}"
        );
        let svg = root
            .query_selector("#control-plane-map")
            .ok()
            .flatten()
            .expect("the map");
        svg.dispatch_event(&mouse("mouseleave"))
            .expect("dispatched");
        settle().await;
        assert_eq!(title_of(&edge), quiet);
        app.destroy();
    }
}
