//! The control-plane map's model: which arrow of the map each trace record travels along, and
//! how busy each arrow was over the last seconds of virtual time.
//!
//! Data flow: the map component hands [`ControlPlaneActivity::consume`] the world's trace
//! records it has not seen yet. Each record becomes one or more [`Edge`] events
//! ([`ControlPlaneActivity::edges_of`]): an API request goes from its client (kubectl, the
//! scheduler, the controller manager, a node's kubelet) to kube-apiserver, a store commit
//! from kube-apiserver to etcd, a watch delivery from kube-apiserver to whoever opened that
//! watch ([`ControlPlaneActivity::set_watch_owners`], read from the world). Each event is
//! counted in its edge's sliding window of virtual time ([`WINDOW_MS`], in buckets of
//! [`BUCKET_MS`]) and kept as a [`Pulse`] (at most [`PULSES_PER_EDGE`] per edge) for the view
//! to animate. Above [`BUSY_RATE_PER_S`] an edge shows its rate (events per virtual second)
//! instead of single pulses, so a big cluster does not flood the map.
//!
//! Nodes: the first [`SHOWN_NODES`] nodes get their own kubelet, kube-proxy and container
//! runtime boxes ([`NodeSlot::Shown`]); every other node is counted in one "+N nodes" box
//! ([`NodeSlot::Rest`]).
//!
//! What the trace does not record is marked as derived ([`EdgeKind::Derived`]): the simulation
//! hands Service and EndpointSlice changes to kube-proxy and cluster DNS directly (they open no
//! watch of their own), and a kubelet's calls to its container runtime (CRI) are not traced; a
//! commit of a Service or EndpointSlice, and a pod delivered to a kubelet, light those arrows
//! dashed. Requests of the controller manager are credited to one of its controllers by the
//! resource they touch ([`controller_of`]): the trace names only the user.
//!
//! Plain Rust, tested natively; `components::control_plane_map` only draws it as SVG.

use std::collections::{BTreeMap, VecDeque};

use kubeplay_core::sim::clock::Timestamp;
use kubeplay_core::sim::trace::TraceRecord;
use kubeplay_core::sim::world::World;

use crate::i18n::{text, Key, Language};

/// How many nodes get boxes of their own; the rest share one "+N nodes" box.
pub const SHOWN_NODES: usize = 3;

/// The sliding window rates are computed over, in virtual milliseconds.
pub const WINDOW_MS: u64 = 10_000;

/// The width of one counting bucket of the window, in virtual milliseconds.
pub const BUCKET_MS: u64 = 500;

/// The most recent events each edge keeps to animate.
pub const PULSES_PER_EDGE: usize = 3;

/// Above this many events per virtual second an edge shows its rate instead of pulses.
pub const BUSY_RATE_PER_S: f64 = 4.0;

/// The user name the controller manager's requests carry.
const CONTROLLER_MANAGER_USER: &str = "system:kube-controller-manager";
/// The user name the scheduler's requests carry.
const SCHEDULER_USER: &str = "system:kube-scheduler";
/// The prefix of the kubelets' user names (`system:node:node-1`).
const NODE_USER_PREFIX: &str = "system:node:";

/// Which node box a per-node component sits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NodeSlot {
    /// One of the first [`SHOWN_NODES`] nodes (index in the world's node order).
    Shown(usize),
    /// Every other node, in the aggregate box.
    Rest,
}

/// A box of the map.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Component {
    /// The learner (kubectl, the sample button, anything not a cluster component).
    User,
    /// kube-apiserver.
    ApiServer,
    /// etcd (the store).
    Etcd,
    /// kube-scheduler.
    Scheduler,
    /// kube-controller-manager.
    ControllerManager,
    /// Cluster DNS (CoreDNS's role).
    Dns,
    /// A node's kubelet.
    Kubelet(NodeSlot),
    /// A node's kube-proxy.
    KubeProxy(NodeSlot),
    /// A node's container runtime.
    Runtime(NodeSlot),
}

/// What travels along an edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum EdgeKind {
    /// An API request (client → kube-apiserver).
    Request,
    /// A store commit (kube-apiserver → etcd).
    Commit,
    /// A watch event delivered (kube-apiserver → watcher).
    Watch,
    /// Something the trace implies but does not record (dashed on the map).
    Derived,
}

/// One arrow of the map.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    /// Where it starts.
    pub from: Component,
    /// Where it ends.
    pub to: Component,
    /// What travels along it.
    pub kind: EdgeKind,
}

impl Edge {
    const fn new(from: Component, to: Component, kind: EdgeKind) -> Edge {
        Edge { from, to, kind }
    }
}

/// One event to animate along an edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pulse {
    /// A number unique over the activity's life (the view keys the dot by it, so a dot
    /// keeps animating across re-renders).
    pub seq: u64,
    /// When it happened.
    pub at: Timestamp,
}

/// How busy one edge is.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EdgeStats {
    /// Events per virtual second over the window.
    pub rate_per_s: f64,
    /// Events in all, since the activity started.
    pub total: u64,
    /// The newest events, oldest first (at most [`PULSES_PER_EDGE`]).
    pub pulses: Vec<Pulse>,
}

impl EdgeStats {
    /// Whether the edge shows its rate instead of pulses.
    pub fn busy(&self) -> bool {
        self.rate_per_s > BUSY_RATE_PER_S
    }
}

#[derive(Clone, Debug, Default)]
struct EdgeActivity {
    /// (bucket index = virtual ms / BUCKET_MS, events in it), oldest first.
    buckets: VecDeque<(u64, u32)>,
    total: u64,
    pulses: VecDeque<Pulse>,
}

impl EdgeActivity {
    fn count(&mut self, at: Timestamp, seq: u64) {
        let bucket = at.as_millis() / BUCKET_MS;
        match self.buckets.back_mut() {
            Some((index, count)) if *index == bucket => *count += 1,
            _ => self.buckets.push_back((bucket, 1)),
        }
        self.total += 1;
        if self.pulses.len() == PULSES_PER_EDGE {
            self.pulses.pop_front();
        }
        self.pulses.push_back(Pulse { seq, at });
    }

    /// Drops buckets that left the window ending at `now`.
    fn forget_before(&mut self, now: Timestamp) {
        let first_kept = first_bucket_in_window(now);
        while self.buckets.front().is_some_and(|(i, _)| *i < first_kept) {
            self.buckets.pop_front();
        }
    }

    // Event counts and the window are far below 2^52: the casts are exact.
    #[allow(clippy::cast_precision_loss)]
    fn rate_per_s(&self, now: Timestamp) -> f64 {
        let first_kept = first_bucket_in_window(now);
        let last = now.as_millis() / BUCKET_MS;
        let events: u64 = self
            .buckets
            .iter()
            .filter(|(i, _)| *i >= first_kept && *i <= last)
            .map(|(_, count)| u64::from(*count))
            .sum();
        // The window is WINDOW_MS long (its buckets cover it exactly).
        events as f64 * 1_000.0 / WINDOW_MS as f64
    }
}

fn first_bucket_in_window(now: Timestamp) -> u64 {
    (now.as_millis() / BUCKET_MS + 1).saturating_sub(WINDOW_MS / BUCKET_MS)
}

/// The controller of kube-controller-manager a request most likely came from, by the
/// resource it touches (the trace names only the user).
pub fn controller_of(resource: &str) -> &'static str {
    let base = resource.split('/').next().unwrap_or(resource);
    match base {
        "pods" => "replicaset",
        "replicasets" | "deployments" => "deployment",
        "replicationcontrollers" => "replication",
        "endpoints" => "endpoints",
        "endpointslices" => "endpointslice",
        "nodes" => "nodelifecycle",
        "namespaces" => "namespace",
        "events" => "events",
        _ => "other",
    }
}

/// How a hover title names a component: the Kubernetes program's name (`kube-apiserver`,
/// `kubelet (node-2)`), translated where it is a description rather than a name. `shown_nodes`
/// are the names of the nodes with their own box, `rest_nodes` how many the aggregate box
/// stands for.
pub fn component_title(
    component: Component,
    shown_nodes: &[String],
    rest_nodes: usize,
    language: Language,
) -> String {
    let node = |slot: NodeSlot| match slot {
        NodeSlot::Shown(index) => shown_nodes.get(index).cloned().unwrap_or_default(),
        NodeSlot::Rest => {
            text(Key::MapOtherNodes, language).replace("{n}", &rest_nodes.to_string())
        }
    };
    match component {
        Component::User => text(Key::MapUser, language).to_string(),
        Component::ApiServer => "kube-apiserver".to_string(),
        Component::Etcd => "etcd".to_string(),
        Component::Scheduler => "kube-scheduler".to_string(),
        Component::ControllerManager => "kube-controller-manager".to_string(),
        Component::Dns => text(Key::MapDnsTitle, language).to_string(),
        Component::Kubelet(slot) => format!("kubelet ({})", node(slot)),
        Component::KubeProxy(slot) => format!("kube-proxy ({})", node(slot)),
        Component::Runtime(slot) => format!("{} ({})", text(Key::MapRuntime, language), node(slot)),
    }
}

/// What travels along an edge, in the legend's words.
pub fn edge_kind_title(kind: EdgeKind, language: Language) -> &'static str {
    let key = match kind {
        EdgeKind::Request => Key::MapLegendRequest,
        EdgeKind::Commit => Key::MapLegendCommit,
        EdgeKind::Watch => Key::MapLegendWatch,
        EdgeKind::Derived => Key::MapLegendDerived,
    };
    text(key, language)
}

/// The hover title of a controller line ([`controller_of`]'s label): the controller's
/// canonical name in kube-controller-manager (`replicaset-controller`, as
/// `--controllers` and its logs call it), or what the line gathers.
pub fn controller_title(label: &str, language: Language) -> String {
    let name = match label {
        "replicaset" => "replicaset-controller",
        "deployment" => "deployment-controller",
        "replication" => "replicationcontroller-controller",
        "endpoints" => "endpoints-controller",
        "endpointslice" => "endpointslice-controller",
        "nodelifecycle" => "node-lifecycle-controller",
        "namespace" => "namespace-controller",
        "events" => text(Key::MapControllerEvents, language),
        _ => text(Key::MapControllerOther, language),
    };
    format!("kube-controller-manager: {name}")
}

/// Everything the map shows, updated from the trace.
#[derive(Clone, Debug, Default)]
pub struct ControlPlaneActivity {
    /// The world's nodes, in natural order.
    node_names: Vec<String>,
    /// Which node slot each node's name falls in.
    slots: BTreeMap<String, NodeSlot>,
    /// Who opened each watch (the API server's watch id → the watcher).
    watch_owners: BTreeMap<u64, Component>,
    edges: BTreeMap<Edge, EdgeActivity>,
    /// Requests per controller of the controller manager (name → counts like an edge).
    controllers: BTreeMap<&'static str, EdgeActivity>,
    /// What `node_names` were current at ([`ControlPlaneActivity::set_nodes_at`]); None
    /// after a [`ControlPlaneActivity::set_nodes`] without one.
    nodes_version: Option<u64>,
    /// How many trace records were consumed (the trace's `len()` when last read).
    seen: u64,
    /// The newest instant seen.
    now: Timestamp,
    next_seq: u64,
}

impl ControlPlaneActivity {
    /// An empty activity (nothing seen yet).
    pub fn new() -> ControlPlaneActivity {
        ControlPlaneActivity::default()
    }

    /// Tells the activity the world's nodes; they are shown in natural order (`node-2` before
    /// `node-10`), so the boxes show the first nodes of the cluster.
    pub fn set_nodes(&mut self, names: &[String]) {
        self.nodes_version = None;
        let mut names = names.to_vec();
        names.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
        if self.node_names == names {
            return;
        }
        self.node_names = names;
        self.slots = self
            .node_names
            .iter()
            .enumerate()
            .map(|(index, name)| {
                let slot = if index < SHOWN_NODES {
                    NodeSlot::Shown(index)
                } else {
                    NodeSlot::Rest
                };
                (name.clone(), slot)
            })
            .collect();
    }

    /// Like [`ControlPlaneActivity::set_nodes`] with the names `names` gives, current at
    /// `version` (a number that moves whenever the nodes change): when the activity already
    /// has the nodes of that version, `names` is not even called (a big live cluster renders
    /// often, its nodes seldom change, and reading and sorting them each time showed in the
    /// page's profile). A None version always reads.
    pub fn set_nodes_at(&mut self, version: Option<u64>, names: impl FnOnce() -> Vec<String>) {
        if version.is_some() && version == self.nodes_version {
            return;
        }
        self.set_nodes(&names());
        self.nodes_version = version;
    }

    /// Tells the activity who opened each watch: (watch id, the watcher's user name as the
    /// trace names it, e.g. `system:node:node-2`). Unknown ids count as the learner's.
    pub fn set_watch_owners(&mut self, owners: &[(u64, String)]) {
        self.watch_owners = owners
            .iter()
            .map(|(id, user)| (*id, self.component_of_user(user)))
            .collect();
    }

    /// The names of the nodes with boxes of their own, in order.
    pub fn shown_nodes(&self) -> &[String] {
        &self.node_names[..self.node_names.len().min(SHOWN_NODES)]
    }

    /// How many nodes the "+N nodes" box stands for.
    pub fn rest_nodes(&self) -> usize {
        self.node_names.len().saturating_sub(SHOWN_NODES)
    }

    /// Forgets all activity (the world was rebuilt: time went back), keeping the nodes and
    /// the watches' readers (the caller sets them for the new world before consuming).
    pub fn reset(&mut self) {
        self.edges.clear();
        self.controllers.clear();
        self.seen = 0;
        self.now = Timestamp::default();
        // next_seq goes on: the view never mistakes a new dot for an old one.
    }

    /// Follows an in-page World: its nodes, who owns its watches, and the trace records it
    /// keeps, at its virtual time (see [`ControlPlaneActivity::consume`]).
    pub fn follow_world(&mut self, world: &World) {
        self.set_nodes(&world.node_names());
        self.set_watch_owners(&world.watch_owners());
        let trace = world.trace();
        self.consume(
            trace.len(),
            trace.records().count(),
            trace.records(),
            world.now(),
        );
    }

    /// Reads the records of a trace that has `trace_len` records in all and keeps the newest
    /// `kept_len` of them (`kept`, oldest first), at virtual time `now`. A trace shorter than
    /// what was already seen, or a clock that went back, means a new world: the activity
    /// starts over.
    pub fn consume<'a>(
        &mut self,
        trace_len: u64,
        kept_len: usize,
        kept: impl Iterator<Item = &'a TraceRecord>,
        now: Timestamp,
    ) {
        if trace_len < self.seen || now < self.now {
            self.reset();
        }
        let new = trace_len - self.seen;
        let skip = (kept_len as u64).saturating_sub(new);
        for record in kept.skip(usize::try_from(skip).unwrap_or(usize::MAX)) {
            self.record(record);
        }
        self.seen = trace_len;
        self.now = self.now.max(now);
        let now = self.now;
        for activity in self.edges.values_mut() {
            activity.forget_before(now);
        }
        for activity in self.controllers.values_mut() {
            activity.forget_before(now);
        }
    }

    /// Counts one record on its edges.
    pub fn record(&mut self, record: &TraceRecord) {
        let at = record_time(record);
        self.now = self.now.max(at);
        for edge in self.edges_of(record) {
            let seq = self.next_seq;
            self.next_seq += 1;
            self.edges.entry(edge).or_default().count(at, seq);
        }
        if let TraceRecord::ApiRequest { user, resource, .. } = record {
            if user == CONTROLLER_MANAGER_USER {
                let seq = self.next_seq;
                self.next_seq += 1;
                self.controllers
                    .entry(controller_of(resource))
                    .or_default()
                    .count(at, seq);
            }
        }
    }

    /// The edges one record travels along.
    pub fn edges_of(&self, record: &TraceRecord) -> Vec<Edge> {
        match record {
            TraceRecord::ApiRequest { user, .. } => vec![Edge::new(
                self.component_of_user(user),
                Component::ApiServer,
                EdgeKind::Request,
            )],
            TraceRecord::StoreCommit { key, .. } => {
                let mut edges = vec![Edge::new(
                    Component::ApiServer,
                    Component::Etcd,
                    EdgeKind::Commit,
                )];
                let resource = key.trim_start_matches("/registry/").split('/').next();
                if matches!(resource, Some("services" | "endpointslices")) {
                    edges.push(Edge::new(
                        Component::ApiServer,
                        Component::Dns,
                        EdgeKind::Derived,
                    ));
                    for slot in self.node_slots() {
                        edges.push(Edge::new(
                            Component::ApiServer,
                            Component::KubeProxy(slot),
                            EdgeKind::Derived,
                        ));
                    }
                }
                edges
            }
            TraceRecord::WatchDelivery { watch_id, .. } => {
                let watcher = self
                    .watch_owners
                    .get(watch_id)
                    .copied()
                    .unwrap_or(Component::User);
                let mut edges = vec![Edge::new(Component::ApiServer, watcher, EdgeKind::Watch)];
                if let Component::Kubelet(slot) = watcher {
                    edges.push(Edge::new(
                        watcher,
                        Component::Runtime(slot),
                        EdgeKind::Derived,
                    ));
                }
                edges
            }
            TraceRecord::Note { .. } => Vec::new(),
        }
    }

    /// The node slots in use: each shown node, then the aggregate if there are more nodes.
    pub fn node_slots(&self) -> Vec<NodeSlot> {
        let mut slots: Vec<NodeSlot> = (0..self.shown_nodes().len()).map(NodeSlot::Shown).collect();
        if self.rest_nodes() > 0 {
            slots.push(NodeSlot::Rest);
        }
        slots
    }

    /// The box a user name belongs to.
    fn component_of_user(&self, user: &str) -> Component {
        if user == SCHEDULER_USER {
            return Component::Scheduler;
        }
        if user == CONTROLLER_MANAGER_USER {
            return Component::ControllerManager;
        }
        if let Some(node) = user.strip_prefix(NODE_USER_PREFIX) {
            let slot = self.slots.get(node).copied().unwrap_or(NodeSlot::Rest);
            return Component::Kubelet(slot);
        }
        Component::User
    }

    /// Every edge the map draws (busy or not), with its activity at the newest instant.
    pub fn edges(&self) -> Vec<(Edge, EdgeStats)> {
        let mut all: Vec<Edge> = vec![
            Edge::new(Component::User, Component::ApiServer, EdgeKind::Request),
            Edge::new(
                Component::Scheduler,
                Component::ApiServer,
                EdgeKind::Request,
            ),
            Edge::new(
                Component::ControllerManager,
                Component::ApiServer,
                EdgeKind::Request,
            ),
            Edge::new(Component::ApiServer, Component::Etcd, EdgeKind::Commit),
            Edge::new(Component::ApiServer, Component::Scheduler, EdgeKind::Watch),
            Edge::new(
                Component::ApiServer,
                Component::ControllerManager,
                EdgeKind::Watch,
            ),
            Edge::new(Component::ApiServer, Component::User, EdgeKind::Watch),
            Edge::new(Component::ApiServer, Component::Dns, EdgeKind::Derived),
        ];
        for slot in self.node_slots() {
            all.push(Edge::new(
                Component::Kubelet(slot),
                Component::ApiServer,
                EdgeKind::Request,
            ));
            all.push(Edge::new(
                Component::ApiServer,
                Component::Kubelet(slot),
                EdgeKind::Watch,
            ));
            all.push(Edge::new(
                Component::ApiServer,
                Component::KubeProxy(slot),
                EdgeKind::Derived,
            ));
            all.push(Edge::new(
                Component::Kubelet(slot),
                Component::Runtime(slot),
                EdgeKind::Derived,
            ));
        }
        all.into_iter()
            .map(|edge| {
                let stats = self
                    .edges
                    .get(&edge)
                    .map_or_else(EdgeStats::default, |a| self.stats(a));
                (edge, stats)
            })
            .collect()
    }

    /// The controller manager's controllers that made requests, with their activity.
    pub fn controllers(&self) -> Vec<(&'static str, EdgeStats)> {
        self.controllers
            .iter()
            .map(|(name, activity)| (*name, self.stats(activity)))
            .collect()
    }

    fn stats(&self, activity: &EdgeActivity) -> EdgeStats {
        EdgeStats {
            rate_per_s: activity.rate_per_s(self.now),
            total: activity.total,
            pulses: activity.pulses.iter().copied().collect(),
        }
    }
}

#[cfg(test)]
impl ControlPlaneActivity {
    /// The activity of one edge.
    fn edge(&self, edge: &Edge) -> EdgeStats {
        self.edges
            .get(edge)
            .map_or_else(EdgeStats::default, |a| self.stats(a))
    }

    /// How many trace records were consumed so far.
    fn seen(&self) -> u64 {
        self.seen
    }
}

fn record_time(record: &TraceRecord) -> Timestamp {
    match record {
        TraceRecord::ApiRequest { at, .. }
        | TraceRecord::StoreCommit { at, .. }
        | TraceRecord::WatchDelivery { at, .. }
        | TraceRecord::Note { at, .. } => *at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeplay_core::sim::trace::StoreOp;

    fn request(at_ms: u64, user: &str, verb: &str, resource: &str) -> TraceRecord {
        TraceRecord::ApiRequest {
            at: Timestamp::from_millis(at_ms),
            user: user.into(),
            verb: verb.into(),
            resource: resource.into(),
            namespace: "default".into(),
            name: String::new(),
            code: 200,
        }
    }

    fn commit(at_ms: u64, key: &str) -> TraceRecord {
        TraceRecord::StoreCommit {
            at: Timestamp::from_millis(at_ms),
            revision: 1,
            key: key.into(),
            op: StoreOp::Put,
        }
    }

    fn delivery(at_ms: u64, watch_id: u64) -> TraceRecord {
        TraceRecord::WatchDelivery {
            at: Timestamp::from_millis(at_ms),
            watch_id,
            revision: 1,
            event_type: "ADDED".into(),
            key: "/registry/pods/default/a".into(),
        }
    }

    fn nodes(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("node-{i}")).collect()
    }

    fn activity(node_count: usize) -> ControlPlaneActivity {
        let mut activity = ControlPlaneActivity::new();
        activity.set_nodes(&nodes(node_count));
        activity.set_watch_owners(&[
            (1, SCHEDULER_USER.to_string()),
            (2, CONTROLLER_MANAGER_USER.to_string()),
            (3, "system:node:node-1".to_string()),
            (4, "system:node:node-9".to_string()),
        ]);
        activity
    }

    use Component::{ApiServer, ControllerManager, Dns, Etcd, KubeProxy, Kubelet, Runtime};

    #[test]
    fn each_kind_of_record_travels_along_its_arrow() {
        let activity = activity(5);
        let cases = [
            (
                request(0, "kubectl", "create", "deployments"),
                vec![Edge::new(Component::User, ApiServer, EdgeKind::Request)],
            ),
            (
                request(0, SCHEDULER_USER, "create", "pods/binding"),
                vec![Edge::new(
                    Component::Scheduler,
                    ApiServer,
                    EdgeKind::Request,
                )],
            ),
            (
                request(0, "system:node:node-2", "update", "pods/status"),
                vec![Edge::new(
                    Kubelet(NodeSlot::Shown(1)),
                    ApiServer,
                    EdgeKind::Request,
                )],
            ),
            (
                request(0, "system:node:node-5", "update", "leases"),
                vec![Edge::new(
                    Kubelet(NodeSlot::Rest),
                    ApiServer,
                    EdgeKind::Request,
                )],
            ),
            (
                commit(0, "/registry/pods/default/a"),
                vec![Edge::new(ApiServer, Etcd, EdgeKind::Commit)],
            ),
            (
                delivery(0, 2),
                vec![Edge::new(ApiServer, ControllerManager, EdgeKind::Watch)],
            ),
            (
                delivery(0, 3),
                vec![
                    Edge::new(ApiServer, Kubelet(NodeSlot::Shown(0)), EdgeKind::Watch),
                    Edge::new(
                        Kubelet(NodeSlot::Shown(0)),
                        Runtime(NodeSlot::Shown(0)),
                        EdgeKind::Derived,
                    ),
                ],
            ),
            (
                delivery(0, 77),
                vec![Edge::new(ApiServer, Component::User, EdgeKind::Watch)],
            ),
            (
                TraceRecord::Note {
                    at: Timestamp::from_millis(0),
                    component: "kube-scheduler".into(),
                    message: "preempted".into(),
                },
                vec![],
            ),
        ];
        for (record, edges) in cases {
            assert_eq!(activity.edges_of(&record), edges, "{record:?}");
        }
    }

    #[test]
    fn a_service_commit_also_reaches_dns_and_every_kube_proxy_as_derived() {
        let activity = activity(4);
        let edges = activity.edges_of(&commit(0, "/registry/services/specs/default/web"));
        assert!(edges.contains(&Edge::new(ApiServer, Dns, EdgeKind::Derived)));
        for slot in [
            NodeSlot::Shown(0),
            NodeSlot::Shown(1),
            NodeSlot::Shown(2),
            NodeSlot::Rest,
        ] {
            assert!(edges.contains(&Edge::new(ApiServer, KubeProxy(slot), EdgeKind::Derived)));
        }
    }

    #[test]
    fn node_names_at_a_version_are_read_again_only_when_the_version_moves() {
        let mut activity = ControlPlaneActivity::new();
        let reads = std::cell::Cell::new(0);
        let read = |names: Vec<String>| {
            let reads = &reads;
            move || {
                reads.set(reads.get() + 1);
                names
            }
        };
        activity.set_nodes_at(Some(1), read(vec!["node-10".into(), "node-2".into()]));
        assert_eq!(reads.get(), 1);
        assert_eq!(activity.shown_nodes(), ["node-2", "node-10"]);
        // The same version: not read (the names given would be wrong, to show it).
        activity.set_nodes_at(Some(1), read(vec!["other".into()]));
        assert_eq!(reads.get(), 1);
        assert_eq!(activity.shown_nodes(), ["node-2", "node-10"]);
        // A node changed: read again.
        activity.set_nodes_at(Some(2), read(vec!["node-3".into(), "node-2".into()]));
        assert_eq!(reads.get(), 2);
        assert_eq!(activity.shown_nodes(), ["node-2", "node-3"]);
        // No version (a full mirror, the simulation): always read.
        activity.set_nodes_at(None, read(vec!["node-1".into()]));
        activity.set_nodes_at(None, read(vec!["node-1".into(), "node-4".into()]));
        assert_eq!(reads.get(), 4);
        assert_eq!(activity.shown_nodes(), ["node-1", "node-4"]);
        // After names without a version, version 2 is read again even though it was seen.
        activity.set_nodes_at(Some(2), read(vec!["node-5".into()]));
        assert_eq!(reads.get(), 5);
        assert_eq!(activity.shown_nodes(), ["node-5"]);
    }

    #[test]
    fn the_first_nodes_get_boxes_and_the_rest_one_aggregate() {
        let cases = [(2, 2, 0, false), (3, 3, 0, false), (5000, 3, 4997, true)];
        for (count, shown, rest, has_rest_slot) in cases {
            let activity = activity(count);
            assert_eq!(activity.shown_nodes().len(), shown, "{count}");
            assert_eq!(activity.rest_nodes(), rest, "{count}");
            assert_eq!(
                activity.node_slots().contains(&NodeSlot::Rest),
                has_rest_slot,
                "{count}"
            );
        }
    }

    #[test]
    fn the_boxes_show_the_first_nodes_in_natural_order() {
        let mut activity = ControlPlaneActivity::new();
        let mut names = nodes(12);
        names.sort(); // the world's order: node-1, node-10, node-11, node-12, node-2, …
        activity.set_nodes(&names);
        assert_eq!(activity.shown_nodes(), ["node-1", "node-2", "node-3"]);
        let kubelet = activity.edges_of(&request(0, "system:node:node-10", "get", "pods"));
        assert_eq!(
            kubelet,
            [Edge::new(
                Kubelet(NodeSlot::Rest),
                ApiServer,
                EdgeKind::Request
            )]
        );
    }

    #[test]
    fn a_playgrounds_sample_deployment_lights_requests_commits_and_kubelet_watches() {
        let mut playground = crate::playground::Playground::new(1, 3);
        playground.apply_sample();
        playground.set_running(true);
        for _ in 0..40 {
            playground.tick(250.0);
        }
        let mut activity = ControlPlaneActivity::new();
        activity.follow_world(playground.world());
        let total = |from, to, kind| activity.edge(&Edge::new(from, to, kind)).total;
        assert!(total(Component::User, ApiServer, EdgeKind::Request) >= 1);
        assert!(total(Component::Scheduler, ApiServer, EdgeKind::Request) >= 3);
        assert!(total(ControllerManager, ApiServer, EdgeKind::Request) >= 4);
        assert!(total(ApiServer, Etcd, EdgeKind::Commit) >= 10);
        assert!(total(ApiServer, Component::Scheduler, EdgeKind::Watch) >= 3);
        let kubelet_watches: u64 = (0..3)
            .map(|i| total(ApiServer, Kubelet(NodeSlot::Shown(i)), EdgeKind::Watch))
            .sum();
        assert!(kubelet_watches >= 3, "{kubelet_watches}");
        assert_eq!(
            total(ApiServer, Component::User, EdgeKind::Watch),
            0,
            "every watch of the world has a known reader"
        );
        let controllers: Vec<_> = activity.controllers().into_iter().map(|(n, _)| n).collect();
        assert!(controllers.contains(&"deployment") && controllers.contains(&"replicaset"));
    }

    #[test]
    fn the_rate_counts_events_of_the_last_ten_virtual_seconds() {
        let mut activity = activity(3);
        let edge = Edge::new(Component::User, ApiServer, EdgeKind::Request);
        // 50 requests over the first 5 s, then silence.
        let records: Vec<_> = (0..50)
            .map(|i| request(1_000_000 + i * 100, "kubectl", "get", "pods"))
            .collect();
        activity.consume(
            50,
            records.len(),
            records.iter(),
            Timestamp::from_millis(1_005_000),
        );
        let rate = activity.edge(&edge).rate_per_s;
        assert!((rate - 5.0).abs() < 1e-9, "rate {rate}");
        assert!(activity.edge(&edge).busy());
        // 20 s later the window is empty again, but the total stays.
        activity.consume(
            50,
            records.len(),
            records.iter(),
            Timestamp::from_millis(1_025_000),
        );
        let stats = activity.edge(&edge);
        assert_eq!(stats.rate_per_s, 0.0);
        assert!(!stats.busy());
        assert_eq!(stats.total, 50);
    }

    #[test]
    fn only_the_newest_pulses_are_kept_and_their_numbers_never_repeat() {
        let mut activity = activity(3);
        let records: Vec<_> = (0..10)
            .map(|i| commit(1_000 + i, "/registry/pods/default/a"))
            .collect();
        activity.consume(
            10,
            records.len(),
            records.iter(),
            Timestamp::from_millis(1_010),
        );
        let pulses = activity
            .edge(&Edge::new(ApiServer, Etcd, EdgeKind::Commit))
            .pulses;
        assert_eq!(pulses.len(), PULSES_PER_EDGE);
        assert_eq!(
            pulses.iter().map(|p| p.at.as_millis()).collect::<Vec<_>>(),
            [1_007, 1_008, 1_009]
        );
        let before = pulses.last().map(|p| p.seq);
        activity.reset();
        activity.consume(1, 1, records.iter().take(1), Timestamp::from_millis(1_000));
        let after = activity
            .edge(&Edge::new(ApiServer, Etcd, EdgeKind::Commit))
            .pulses;
        assert!(after.first().map(|p| p.seq) > before);
    }

    #[test]
    fn consuming_reads_only_the_records_not_seen_yet() {
        let mut activity = activity(3);
        let records: Vec<_> = (0..6)
            .map(|i| request(i, "kubectl", "get", "pods"))
            .collect();
        activity.consume(4, 4, records[..4].iter(), Timestamp::from_millis(3));
        // The trace now has 6 records but keeps only the last 3.
        activity.consume(6, 3, records[3..].iter(), Timestamp::from_millis(5));
        let edge = Edge::new(Component::User, ApiServer, EdgeKind::Request);
        assert_eq!(activity.edge(&edge).total, 6);
        assert_eq!(activity.seen(), 6);
    }

    #[test]
    fn a_shorter_trace_or_an_earlier_clock_starts_the_activity_over() {
        let mut activity = activity(3);
        let records: Vec<_> = (0..5)
            .map(|i| request(100 + i, "kubectl", "get", "pods"))
            .collect();
        activity.consume(5, 5, records.iter(), Timestamp::from_millis(104));
        activity.consume(2, 2, records[..2].iter(), Timestamp::from_millis(101));
        let edge = Edge::new(Component::User, ApiServer, EdgeKind::Request);
        assert_eq!(activity.edge(&edge).total, 2);
        assert_eq!(activity.shown_nodes().len(), 3, "the nodes are kept");
        let watch = activity.edges_of(&delivery(102, 1));
        assert_eq!(
            watch,
            [Edge::new(ApiServer, Component::Scheduler, EdgeKind::Watch)],
            "the watches' readers are kept"
        );
    }

    #[test]
    fn controller_manager_requests_are_credited_to_a_controller_by_resource() {
        let cases = [
            ("pods", "replicaset"),
            ("replicasets", "deployment"),
            ("deployments/status", "deployment"),
            ("endpointslices", "endpointslice"),
            ("nodes/status", "nodelifecycle"),
            ("configmaps", "other"),
        ];
        for (resource, controller) in cases {
            assert_eq!(controller_of(resource), controller, "{resource}");
        }
        let mut activity = activity(3);
        let records = [
            request(1, CONTROLLER_MANAGER_USER, "create", "pods"),
            request(2, CONTROLLER_MANAGER_USER, "create", "pods"),
            request(3, CONTROLLER_MANAGER_USER, "update", "replicasets/status"),
        ];
        activity.consume(3, 3, records.iter(), Timestamp::from_millis(3));
        let totals: Vec<_> = activity
            .controllers()
            .into_iter()
            .map(|(name, stats)| (name, stats.total))
            .collect();
        assert_eq!(totals, [("deployment", 1), ("replicaset", 2)]);
    }

    #[test]
    fn the_map_draws_every_edge_even_before_anything_happened() {
        let activity = activity(5000);
        let edges = activity.edges();
        // 8 control-plane edges + 4 per node slot (3 shown + the aggregate).
        assert_eq!(edges.len(), 8 + 4 * 4);
        assert!(edges.iter().all(|(_, stats)| stats.total == 0));
    }

    #[test]
    fn hover_titles_name_components_as_kubernetes_does_in_both_languages() {
        let nodes = ["node-1".to_string(), "node-2".to_string()];
        let cases = [
            (Component::ApiServer, Language::English, "kube-apiserver"),
            (Component::Etcd, Language::Korean, "etcd"),
            (Component::Scheduler, Language::English, "kube-scheduler"),
            (
                Component::ControllerManager,
                Language::Korean,
                "kube-controller-manager",
            ),
            (Component::User, Language::English, "kubectl / user"),
            (Component::Dns, Language::English, "cluster DNS (CoreDNS)"),
            (Component::Dns, Language::Korean, "클러스터 DNS (CoreDNS)"),
            (
                Component::Kubelet(NodeSlot::Shown(1)),
                Language::English,
                "kubelet (node-2)",
            ),
            (
                Component::KubeProxy(NodeSlot::Rest),
                Language::English,
                "kube-proxy (7 other nodes)",
            ),
            (
                Component::KubeProxy(NodeSlot::Rest),
                Language::Korean,
                "kube-proxy (나머지 노드 7개)",
            ),
            (
                Component::Runtime(NodeSlot::Shown(0)),
                Language::Korean,
                "컨테이너 런타임 (node-1)",
            ),
        ];
        for (component, language, expected) in cases {
            assert_eq!(
                component_title(component, &nodes, 7, language),
                expected,
                "{component:?} {language:?}"
            );
        }
    }

    #[test]
    fn controller_lines_are_titled_with_kube_controller_manager_names() {
        let cases = [
            ("pods", "kube-controller-manager: replicaset-controller"),
            (
                "deployments",
                "kube-controller-manager: deployment-controller",
            ),
            (
                "replicationcontrollers",
                "kube-controller-manager: replicationcontroller-controller",
            ),
            ("endpoints", "kube-controller-manager: endpoints-controller"),
            (
                "endpointslices",
                "kube-controller-manager: endpointslice-controller",
            ),
            (
                "nodes/status",
                "kube-controller-manager: node-lifecycle-controller",
            ),
            (
                "namespaces",
                "kube-controller-manager: namespace-controller",
            ),
            (
                "events",
                "kube-controller-manager: Events (every controller records them)",
            ),
            (
                "configmaps",
                "kube-controller-manager: requests of no known controller",
            ),
        ];
        for (resource, expected) in cases {
            let label = controller_of(resource);
            assert_eq!(
                controller_title(label, Language::English),
                expected,
                "{resource}"
            );
            let korean = controller_title(label, Language::Korean);
            assert!(
                korean.starts_with("kube-controller-manager: ") && !korean.contains("Controller"),
                "{resource}: {korean}"
            );
        }
        assert_eq!(
            edge_kind_title(EdgeKind::Commit, Language::English),
            "etcd commit"
        );
    }
}
