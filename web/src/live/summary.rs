//! The compact mirror of a big live cluster: per node and per pod only what the cluster
//! canvas draws, from `kubeplay serve`'s `/kubeplay/v1/summary` (list, then a
//! newline-delimited stream of changes), instead of every full Pod and Node.
//!
//! Why: a browser cannot hold 150,000 full pods (the page's memory and the JSON to decode),
//! and each watched kind holds one of the six HTTP/1.1 connections a browser opens to one
//! server. The summary is one stream for both kinds, a few dozen bytes a pod, and the server
//! sends a pod's change only when what the canvas shows of it changed.
//!
//! The cutover ([`MirrorMode::for_cluster`]): from [`SUMMARY_POD_THRESHOLD`] pods or
//! [`crate::cluster_tiles::CANVAS_THRESHOLD`] nodes (what `/kubeplay/v1/info` says when the
//! page connects, and what the full mirror holds later: [`MirrorMode::outgrown`]) live mode
//! mirrors summaries and the cluster view draws the canvas; full objects are then fetched only
//! for the object the inspector shows (`super::client`), again whenever its summary's
//! `resourceVersion` moves.
//!
//! Data flow: the driver hands the list body to [`SummaryMirror::apply_list`] (replaces
//! everything, remembers the revision) and each stream line to
//! [`SummaryMirror::apply_watch_line`] (ADDED/MODIFIED store, DELETED removes, BOOKMARK moves
//! the revision, ERROR 410 asks for a new list). Nothing here panics on what the server sends.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::mirror::{watch_error, MirrorError, WatchOutcome};
use crate::cluster::{colour_group_of, NodeReadiness, PodState};
use crate::cluster_tiles::{SummaryTiles, TileCluster};
use crate::inspector::ObjectRef;
use crate::scheduler_explain::{SummaryChoiceIndex, SummaryChoices};

/// The path of the summary list.
pub const SUMMARY_PATH: &str = "/kubeplay/v1/summary";

/// From this many pods on, live mode mirrors summaries instead of full objects.
pub const SUMMARY_POD_THRESHOLD: usize = 2_000;

/// The path of a summary stream from `resource_version`; from the whole current state
/// (every node and pod as ADDED, then a BOOKMARK) when it is empty.
pub fn summary_watch_path(resource_version: &str) -> String {
    if resource_version.is_empty() {
        format!("{SUMMARY_PATH}?watch=true")
    } else {
        format!("{SUMMARY_PATH}?watch=true&resourceVersion={resource_version}")
    }
}

/// What live mode mirrors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MirrorMode {
    /// Full objects of the watched kinds (small clusters: every view has everything).
    Full,
    /// Node and pod summaries for the canvas; full objects only for the inspected one.
    Summary,
}

impl MirrorMode {
    /// The mode for a cluster of `nodes` nodes and `pods` pods.
    pub fn for_cluster(nodes: usize, pods: usize) -> MirrorMode {
        if pods >= SUMMARY_POD_THRESHOLD || crate::cluster_tiles::uses_canvas(nodes) {
            MirrorMode::Summary
        } else {
            MirrorMode::Full
        }
    }

    /// Whether a full mirror now holding `nodes` and `pods` should switch to summaries. A
    /// quarter more than the threshold, so a cluster hovering around it does not flip back
    /// and forth (the page never switches back on its own: leaving and entering live mode
    /// chooses again).
    pub fn outgrown(self, nodes: usize, pods: usize) -> bool {
        match self {
            MirrorMode::Full => {
                pods >= SUMMARY_POD_THRESHOLD + SUMMARY_POD_THRESHOLD / 4
                    || crate::cluster_tiles::uses_canvas(nodes)
            }
            MirrorMode::Summary => false,
        }
    }
}

/// One node as the summary gives it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NodeSummary {
    /// The node's name.
    pub name: String,
    /// The Ready condition's status (`True`, `False`, `Unknown`), if any.
    pub ready: Option<String>,
    /// `spec.unschedulable`.
    pub unschedulable: bool,
    /// `spec.podCIDR`.
    #[serde(rename = "podCIDR")]
    pub pod_cidr: Option<String>,
    /// The allocatable pod count.
    pub pod_capacity: i64,
    /// The resourceVersion of the node's last change the summary shows.
    pub resource_version: String,
}

impl NodeSummary {
    /// The Ready condition as the views show it.
    pub fn readiness(&self) -> NodeReadiness {
        match self.ready.as_deref() {
            Some("True") => NodeReadiness::Ready,
            Some("False") => NodeReadiness::NotReady,
            _ => NodeReadiness::Unknown,
        }
    }
}

/// One pod as the summary gives it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PodSummary {
    /// The pod's namespace.
    pub namespace: String,
    /// The pod's name.
    pub name: String,
    /// `spec.nodeName`, once bound.
    pub node_name: Option<String>,
    /// kubectl's STATUS column.
    pub status: String,
    /// The `app` label.
    pub app: Option<String>,
    /// The controller owner as `Kind/name`.
    pub owner: Option<String>,
    /// The `pod-template-hash` label.
    pub template_hash: Option<String>,
    /// The resourceVersion of the pod's last change the summary shows.
    pub resource_version: String,
}

impl PodSummary {
    /// The pod's state family (its colour on the canvas), from its STATUS text.
    pub fn state(&self) -> PodState {
        PodState::from_status(&self.status)
    }

    /// What the pod's colour stands for, by the same rule as a full pod's
    /// ([`crate::cluster::colour_group`]). The canvas colours pods by state; this keeps the
    /// owner colour available from the summary (checked against a full pod's in the tests)
    /// for a view that shows it.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn colour_group(&self) -> String {
        let owner_name = self
            .owner
            .as_deref()
            .and_then(|owner| owner.split_once('/'))
            .map(|(_, name)| name);
        colour_group_of(
            self.app.as_deref(),
            owner_name,
            self.template_hash.as_deref(),
            &self.name,
        )
    }
}

/// The list answer (`nodes` and `pods` must be there).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SummaryList {
    #[serde(default)]
    resource_version: String,
    nodes: Vec<NodeSummary>,
    pods: Vec<PodSummary>,
}

/// One line of the summary stream, decoded in one pass (no `Value` in between: a busy
/// cluster sends thousands of these a second to the page's main thread).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct SummaryEvent {
    #[serde(rename = "type")]
    event_type: String,
    node: Option<NodeSummary>,
    pod: Option<PodSummary>,
    resource_version: Option<String>,
    object: Option<Value>,
}

/// A decoding error: not JSON at all, or JSON that is not what was expected.
fn decode_error(error: &serde_json::Error) -> MirrorError {
    match error.classify() {
        serde_json::error::Category::Data => MirrorError::BadObject {
            kind: "summary",
            reason: error.to_string(),
        },
        _ => MirrorError::NotJson(error.to_string()),
    }
}

/// A summary line's error about what it carries.
fn bad_summary(reason: &str) -> MirrorError {
    MirrorError::BadObject {
        kind: "summary",
        reason: reason.to_string(),
    }
}

/// What one summary line changes, checked.
enum Change {
    /// A node ADDED, MODIFIED or (`deleted`) DELETED.
    Node { node: NodeSummary, deleted: bool },
    /// A pod ADDED, MODIFIED or (`deleted`) DELETED.
    Pod { pod: PodSummary, deleted: bool },
    /// A BOOKMARK and the revision it names.
    Bookmark(Option<String>),
}

impl Change {
    /// The node's or pod's change an ADDED, MODIFIED or DELETED event carries.
    fn of(event: SummaryEvent) -> Result<Change, MirrorError> {
        let deleted = event.event_type == "DELETED";
        match (event.node, event.pod) {
            (Some(node), _) if node.name.is_empty() => Err(bad_summary("a node without a name")),
            (Some(node), _) => Ok(Change::Node { node, deleted }),
            (None, Some(pod)) if pod.name.is_empty() => Err(bad_summary("a pod without a name")),
            (None, Some(pod)) => Ok(Change::Pod { pod, deleted }),
            (None, None) => Err(bad_summary("neither a node nor a pod")),
        }
    }
}

/// Every node and pod summary, and the revision they are current at.
#[derive(Clone, Debug, Default)]
pub struct SummaryMirror {
    nodes: BTreeMap<String, NodeSummary>,
    pods: BTreeMap<(String, String), PodSummary>,
    resource_version: String,
    listed: bool,
    /// Moves whenever a node summary is added, changed or removed, or a list arrives.
    nodes_version: u64,
    /// Moves whenever a pod summary is added, changed or removed, or a list arrives.
    pods_version: u64,
    /// The cluster canvas's tiles, kept current with each line.
    tiles: SummaryTiles,
    /// The scheduler-explain picker's pods, kept current with each line.
    choices: SummaryChoiceIndex,
    /// The state a stream is sending from its start (every node and pod as ADDED) until its
    /// first BOOKMARK, gathered aside: the mirror shows what it had until the whole state is
    /// there, then takes it at once ([`SummaryMirror::begin_initial_events`]).
    initial: Option<InitialState>,
}

/// Nodes and pods gathered from a stream's initial events.
#[derive(Clone, Debug, Default)]
struct InitialState {
    nodes: BTreeMap<String, NodeSummary>,
    pods: BTreeMap<(String, String), PodSummary>,
}

impl SummaryMirror {
    /// An empty mirror.
    pub fn new() -> SummaryMirror {
        SummaryMirror::default()
    }

    /// Replaces everything with a list answer. On an error the mirror keeps what it had.
    /// (The page reads the whole state from a stream's initial events instead,
    /// [`SummaryMirror::begin_initial_events`]; the tests build mirrors from lists.)
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn apply_list(&mut self, body: &str) -> Result<(), MirrorError> {
        let list: SummaryList = serde_json::from_str(body).map_err(|error| {
            if error.is_data() && serde_json::from_str::<Value>(body).is_ok_and(|v| !v.is_object())
            {
                MirrorError::NotAList("summary")
            } else {
                decode_error(&error)
            }
        })?;
        let nodes = list
            .nodes
            .into_iter()
            .map(|node| (node.name.clone(), node))
            .collect();
        let pods = list
            .pods
            .into_iter()
            .map(|pod| ((pod.namespace.clone(), pod.name.clone()), pod))
            .collect();
        self.replace_all(nodes, pods, list.resource_version);
        Ok(())
    }

    /// Takes `nodes` and `pods` as the whole state at `resource_version`.
    fn replace_all(
        &mut self,
        nodes: BTreeMap<String, NodeSummary>,
        pods: BTreeMap<(String, String), PodSummary>,
        resource_version: String,
    ) {
        self.nodes = nodes;
        self.pods = pods;
        self.resource_version = resource_version;
        self.rebuild_tiles();
        self.choices.rebuild(&self.pods);
        self.listed = true;
        self.nodes_version += 1;
        self.pods_version += 1;
    }

    /// A stream is about to send the whole state from its start (it was opened without a
    /// revision: [`SummaryMirror::watch_from`] is then empty): its lines are gathered aside
    /// until its first BOOKMARK, which replaces everything at once, as a list would. This is
    /// how the page reads a big cluster: a 30,000-pod list body was decoded in one task
    /// (89–118 ms), the stream's lines are applied in slices like every other line. Anything
    /// gathered from an earlier start is dropped.
    pub fn begin_initial_events(&mut self) {
        self.initial = Some(InitialState::default());
    }

    /// The revision a stream should start from: the last list's or BOOKMARK's, or none
    /// (empty) while the whole state is awaited ([`SummaryMirror::begin_initial_events`]).
    pub fn watch_from(&self) -> &str {
        if self.initial.is_some() {
            ""
        } else {
            &self.resource_version
        }
    }

    /// Whether the mirror is waiting for the end of a stream's initial events.
    pub fn awaiting_initial_events(&self) -> bool {
        self.initial.is_some()
    }

    /// One change of a stream's initial events: gathered aside; the first BOOKMARK ends them
    /// and the gathered state replaces everything.
    fn gather_initial(&mut self, change: Change) -> Result<WatchOutcome, MirrorError> {
        let initial = self.initial.get_or_insert_with(InitialState::default);
        match change {
            Change::Node {
                node,
                deleted: true,
            } => {
                initial.nodes.remove(&node.name);
            }
            Change::Node { node, .. } => {
                initial.nodes.insert(node.name.clone(), node);
            }
            Change::Pod { pod, deleted } => {
                let key = (pod.namespace.clone(), pod.name.clone());
                if deleted {
                    initial.pods.remove(&key);
                } else {
                    initial.pods.insert(key, pod);
                }
            }
            Change::Bookmark(rv) => {
                let Some(rv) = rv.filter(|rv| !rv.is_empty()) else {
                    return Err(bad_summary("a BOOKMARK without a resourceVersion"));
                };
                let InitialState { nodes, pods } = self.initial.take().unwrap_or_default();
                self.replace_all(nodes, pods, rv);
                return Ok(WatchOutcome::Changed);
            }
        }
        Ok(WatchOutcome::Unchanged)
    }

    /// Applies one line of a summary stream (gathered aside while the mirror awaits a
    /// stream's initial events: [`SummaryMirror::begin_initial_events`]).
    pub fn apply_watch_line(&mut self, line: &str) -> Result<WatchOutcome, MirrorError> {
        if line.trim().is_empty() {
            return Ok(WatchOutcome::Unchanged);
        }
        let event: SummaryEvent = serde_json::from_str(line).map_err(|e| decode_error(&e))?;
        let change = match event.event_type.as_str() {
            "ADDED" | "MODIFIED" | "DELETED" => Change::of(event)?,
            "BOOKMARK" => Change::Bookmark(event.resource_version),
            "ERROR" => return watch_error(event.object.as_ref().unwrap_or(&Value::Null)),
            other => return Err(MirrorError::UnknownEventType(other.to_string())),
        };
        if self.initial.is_some() {
            return self.gather_initial(change);
        }
        match change {
            Change::Node { node, deleted } => {
                self.nodes_version += 1;
                if deleted {
                    // Its pods become pending: read the tiles again (rare).
                    if self.nodes.remove(&node.name).is_some() {
                        self.rebuild_tiles();
                    }
                } else if let Some(kept) = self.nodes.get_mut(&node.name) {
                    let has_tile = self.tiles.node_changed(&node);
                    *kept = node;
                    if !has_tile {
                        self.rebuild_tiles();
                    }
                } else {
                    // A new tile, and pending pods may be on it: read the tiles again.
                    self.nodes.insert(node.name.clone(), node);
                    self.rebuild_tiles();
                }
                Ok(WatchOutcome::Changed)
            }
            Change::Pod { pod, deleted } => {
                let key = (pod.namespace.clone(), pod.name.clone());
                self.pods_version += 1;
                let old = self
                    .pods
                    .get(&key)
                    .map(|old| (old.node_name.as_deref(), old.state()));
                let new = (!deleted).then(|| (pod.node_name.as_deref(), pod.state()));
                let kept = self
                    .tiles
                    .pod_changed((key.0.as_str(), key.1.as_str()), old, new);
                let new = (!deleted).then_some(&pod);
                self.choices.pod_changed(self.pods.get(&key), new);
                if deleted {
                    self.pods.remove(&key);
                } else {
                    self.pods.insert(key, pod);
                }
                if !kept {
                    self.rebuild_tiles();
                }
                Ok(WatchOutcome::Changed)
            }
            Change::Bookmark(rv) => {
                if let Some(rv) = rv {
                    self.resource_version = rv;
                }
                Ok(WatchOutcome::Unchanged)
            }
        }
    }

    /// Reads the canvas's tiles again from every node and pod.
    fn rebuild_tiles(&mut self) {
        self.tiles = SummaryTiles::build(self.nodes.values(), self.pods.values());
    }

    /// The cluster canvas's tiles, current with the last line (the same `Rc` while nothing
    /// they show changed; see [`SummaryTiles`]).
    pub fn tiles(&self) -> std::rc::Rc<TileCluster> {
        self.tiles.tiles()
    }

    /// The revision the mirror is current at (the list's or initial events', then each
    /// BOOKMARK's; the driver watches from [`SummaryMirror::watch_from`]).
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn resource_version(&self) -> &str {
        &self.resource_version
    }

    /// A number that moves whenever the nodes change (a list, or a node's line), and only
    /// then: what the views that show only nodes key their cached reads on.
    pub fn nodes_version(&self) -> u64 {
        self.nodes_version
    }

    /// The scheduler-explain picker's pods whose `namespace/name` contains `filter`, with
    /// `selected` (the cluster view's pick) first, as
    /// [`crate::scheduler_explain::summary_pod_choices`] lists them, read from what the
    /// mirror keeps current line by line (the same `Rc` while nothing they show changed).
    pub fn pod_choices(
        &self,
        filter: &str,
        selected: Option<&ObjectRef>,
    ) -> std::rc::Rc<SummaryChoices> {
        self.choices
            .choices(&self.pods, self.pods_version, filter, selected)
    }

    /// Whether the summary has been listed.
    pub fn listed(&self) -> bool {
        self.listed
    }

    /// Every node, by name.
    pub fn nodes(&self) -> impl Iterator<Item = &NodeSummary> {
        self.nodes.values()
    }

    /// Every pod, by namespace and name.
    pub fn pods(&self) -> impl Iterator<Item = &PodSummary> {
        self.pods.values()
    }

    /// The nodes' names, sorted.
    pub fn node_names(&self) -> Vec<String> {
        self.nodes.keys().cloned().collect()
    }

    /// How many nodes there are.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// One pod's summary.
    pub fn pod(&self, namespace: &str, name: &str) -> Option<&PodSummary> {
        self.pods.get(&(namespace.to_string(), name.to_string()))
    }

    /// One node's summary.
    pub fn node(&self, name: &str) -> Option<&NodeSummary> {
        self.nodes.get(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = r#"{"resourceVersion":"40",
        "nodes":[{"name":"node-2","ready":"True","podCIDR":"10.244.1.0/24","podCapacity":110,"resourceVersion":"7"},
                 {"name":"node-1","ready":"False","unschedulable":true,"podCapacity":110,"resourceVersion":"8"}],
        "pods":[{"namespace":"default","name":"web-7d4b9-b","nodeName":"node-1","status":"Running","owner":"ReplicaSet/web-7d4b9","templateHash":"7d4b9","resourceVersion":"39"},
                {"namespace":"default","name":"solo","status":"Pending","resourceVersion":"38"}]}"#;

    fn pod_line(event_type: &str, name: &str, status: &str, rv: &str) -> String {
        format!(
            r#"{{"type":"{event_type}","pod":{{"namespace":"default","name":"{name}","nodeName":"node-2","status":"{status}","app":"shop","resourceVersion":"{rv}"}}}}"#
        )
    }

    fn pod_names(mirror: &SummaryMirror) -> Vec<&str> {
        mirror.pods().map(|p| p.name.as_str()).collect()
    }

    /// What a summary mirror shows, to compare two (its versions left out: they count
    /// changes, not state).
    fn state_of(mirror: &SummaryMirror) -> String {
        format!(
            "{} {} {:?} {:?} {:?} {:?}",
            mirror.listed(),
            mirror.resource_version(),
            mirror.pod_choices("", None),
            mirror.nodes().collect::<Vec<_>>(),
            mirror.pods().collect::<Vec<_>>(),
            mirror.tiles()
        )
    }

    /// LIST as a stream's initial events: every node and pod ADDED (in another order, with a
    /// pod added and deleted and one modified on the way), then the BOOKMARK.
    fn initial_events_of_list() -> Vec<String> {
        vec![
            r#"{"type":"ADDED","pod":{"namespace":"default","name":"solo","status":"ContainerCreating","resourceVersion":"30"}}"#.to_string(),
            r#"{"type":"ADDED","node":{"name":"node-1","ready":"False","unschedulable":true,"podCapacity":110,"resourceVersion":"8"}}"#.to_string(),
            r#"{"type":"ADDED","pod":{"namespace":"default","name":"web-7d4b9-b","nodeName":"node-1","status":"Running","owner":"ReplicaSet/web-7d4b9","templateHash":"7d4b9","resourceVersion":"39"}}"#.to_string(),
            pod_line("ADDED", "gone", "Running", "33"),
            r#"{"type":"ADDED","node":{"name":"node-2","ready":"True","podCIDR":"10.244.1.0/24","podCapacity":110,"resourceVersion":"7"}}"#.to_string(),
            pod_line("DELETED", "gone", "Running", "35"),
            r#"{"type":"MODIFIED","pod":{"namespace":"default","name":"solo","status":"Pending","resourceVersion":"38"}}"#.to_string(),
            r#"{"type":"BOOKMARK","resourceVersion":"40"}"#.to_string(),
        ]
    }

    #[test]
    fn a_streams_initial_events_end_at_its_first_bookmark_with_the_state_a_list_gives() {
        let mut listed = SummaryMirror::new();
        assert_eq!(listed.apply_list(LIST), Ok(()));
        let mut streamed = SummaryMirror::new();
        streamed.begin_initial_events();
        assert!(streamed.awaiting_initial_events());
        assert_eq!(streamed.watch_from(), "", "the whole state is asked for");
        let lines = initial_events_of_list();
        let (last, before) = lines.split_last().expect("lines");
        for line in before {
            // Gathered aside: nothing to show until the state is whole.
            assert_eq!(streamed.apply_watch_line(line), Ok(WatchOutcome::Unchanged));
            assert!(!streamed.listed());
            assert_eq!(streamed.node_count(), 0);
        }
        assert_eq!(streamed.apply_watch_line(last), Ok(WatchOutcome::Changed));
        assert!(!streamed.awaiting_initial_events());
        assert_eq!(state_of(&streamed), state_of(&listed));
        assert_eq!(streamed.watch_from(), "40");
        // Later lines are changes as usual.
        let line = pod_line("ADDED", "web-new", "Pending", "41");
        assert_eq!(streamed.apply_watch_line(&line), Ok(WatchOutcome::Changed));
        assert_eq!(listed.apply_watch_line(&line), Ok(WatchOutcome::Changed));
        assert_eq!(state_of(&streamed), state_of(&listed));
    }

    #[test]
    fn a_mirror_awaiting_a_new_whole_state_shows_the_old_one_until_it_is_in() {
        let mut mirror = SummaryMirror::new();
        assert_eq!(mirror.apply_list(LIST), Ok(()));
        let before = state_of(&mirror);
        // A 410 sent the driver back for the whole state: a first try breaks off half-way,
        // the next starts over (nothing of the first stays).
        mirror.begin_initial_events();
        assert_eq!(
            mirror.apply_watch_line(&pod_line("ADDED", "half-way", "Running", "50")),
            Ok(WatchOutcome::Unchanged)
        );
        assert_eq!(state_of(&mirror), before);
        mirror.begin_initial_events();
        for line in [
            pod_line("ADDED", "only", "Running", "60"),
            r#"{"type":"BOOKMARK","resourceVersion":"61"}"#.to_string(),
        ] {
            assert!(mirror.apply_watch_line(&line).is_ok(), "{line}");
        }
        assert_eq!(pod_names(&mirror), ["only"]);
        assert_eq!(mirror.node_count(), 0);
        assert_eq!(mirror.resource_version(), "61");
    }

    #[test]
    fn an_empty_initial_state_is_a_bookmark_alone_and_a_bookmark_needs_a_revision() {
        let mut mirror = SummaryMirror::new();
        mirror.begin_initial_events();
        assert!(matches!(
            mirror.apply_watch_line(r#"{"type":"BOOKMARK"}"#),
            Err(MirrorError::BadObject { .. })
        ));
        assert!(mirror.awaiting_initial_events());
        assert!(matches!(
            mirror.apply_watch_line(r#"{"type":"ADDED","pod":{"namespace":"default"}}"#),
            Err(MirrorError::BadObject { .. })
        ));
        assert_eq!(
            mirror.apply_watch_line(r#"{"type":"BOOKMARK","resourceVersion":"5"}"#),
            Ok(WatchOutcome::Changed)
        );
        assert!(mirror.listed());
        assert_eq!(mirror.node_count(), 0);
        assert_eq!(mirror.pods().count(), 0);
        // An ERROR 410 during the initial events asks for them again.
        mirror.begin_initial_events();
        let expired = r#"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Expired","code":410}}"#;
        assert_eq!(mirror.apply_watch_line(expired), Ok(WatchOutcome::Gone));
    }

    #[test]
    fn a_summary_list_fills_nodes_and_pods_in_key_order_with_its_revision() {
        let mut mirror = SummaryMirror::new();
        assert!(!mirror.listed());
        assert_eq!(mirror.apply_list(LIST), Ok(()));
        assert!(mirror.listed());
        assert_eq!(mirror.resource_version(), "40");
        assert_eq!(mirror.node_names(), ["node-1", "node-2"]);
        assert_eq!(pod_names(&mirror), ["solo", "web-7d4b9-b"]);
        let node = mirror.node("node-1");
        assert_eq!(
            node.map(NodeSummary::readiness),
            Some(NodeReadiness::NotReady)
        );
        assert_eq!(node.map(|n| n.unschedulable), Some(true));
        assert_eq!(
            mirror.node("node-2").and_then(|n| n.pod_cidr.as_deref()),
            Some("10.244.1.0/24")
        );
    }

    #[test]
    fn summary_stream_lines_add_change_remove_and_move_the_revision() {
        let mut mirror = SummaryMirror::new();
        assert_eq!(mirror.apply_list(LIST), Ok(()));
        let steps = [
            (
                pod_line("ADDED", "shop-1", "Pending", "41"),
                WatchOutcome::Changed,
                vec!["shop-1", "solo", "web-7d4b9-b"],
                "40",
            ),
            (
                pod_line("MODIFIED", "shop-1", "Running", "42"),
                WatchOutcome::Changed,
                vec!["shop-1", "solo", "web-7d4b9-b"],
                "40",
            ),
            (
                pod_line("DELETED", "solo", "Pending", "43"),
                WatchOutcome::Changed,
                vec!["shop-1", "web-7d4b9-b"],
                "40",
            ),
            (
                r#"{"type":"BOOKMARK","resourceVersion":"44"}"#.to_string(),
                WatchOutcome::Unchanged,
                vec!["shop-1", "web-7d4b9-b"],
                "44",
            ),
            (
                String::new(),
                WatchOutcome::Unchanged,
                vec!["shop-1", "web-7d4b9-b"],
                "44",
            ),
        ];
        for (line, outcome, names, rv) in steps {
            assert_eq!(mirror.apply_watch_line(&line), Ok(outcome), "{line}");
            assert_eq!(pod_names(&mirror), names, "{line}");
            assert_eq!(mirror.resource_version(), rv, "{line}");
        }
        let shop = mirror.pod("default", "shop-1");
        assert_eq!(shop.map(PodSummary::state), Some(PodState::Running));
        assert_eq!(shop.map(|p| p.resource_version.as_str()), Some("42"));
        let cordoned = r#"{"type":"MODIFIED","node":{"name":"node-2","ready":"True","unschedulable":true,"podCapacity":110,"resourceVersion":"45"}}"#;
        assert_eq!(mirror.apply_watch_line(cordoned), Ok(WatchOutcome::Changed));
        assert_eq!(mirror.node("node-2").map(|n| n.unschedulable), Some(true));
    }

    #[test]
    fn a_410_error_line_asks_for_a_new_list_and_bad_lines_are_errors() {
        let mut mirror = SummaryMirror::new();
        let gone = r#"{"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old resource version"}}"#;
        assert_eq!(mirror.apply_watch_line(gone), Ok(WatchOutcome::Gone));
        let cases = [
            "not json",
            r#"{"type":"ADDED"}"#,
            r#"{"type":"ADDED","pod":{"namespace":"default"}}"#,
            r#"{"type":"ADDED","pod":"text"}"#,
            r#"{"type":"SOMETHING"}"#,
            r#"{"type":"ERROR","object":{"code":500,"message":"boom"}}"#,
        ];
        for line in cases {
            assert!(mirror.apply_watch_line(line).is_err(), "{line}");
        }
        assert_eq!(mirror.pods().count(), 0);
        assert!(mirror.apply_list("[]").is_err());
        assert!(mirror.apply_list(r#"{"nodes":[]}"#).is_err());
        assert!(!mirror.listed());
    }

    #[test]
    fn a_summarized_pod_gets_the_colour_a_full_pod_of_its_owner_gets() {
        let mut mirror = SummaryMirror::new();
        assert_eq!(mirror.apply_list(LIST), Ok(()));
        let web = mirror.pod("default", "web-7d4b9-b");
        assert_eq!(web.map(PodSummary::colour_group).as_deref(), Some("web"));
        let solo = mirror.pod("default", "solo");
        assert_eq!(solo.map(PodSummary::colour_group).as_deref(), Some("solo"));
    }

    #[test]
    fn big_clusters_are_mirrored_as_summaries_and_a_growing_one_switches_once() {
        let cases = [
            (3, 10, MirrorMode::Full),
            (3, SUMMARY_POD_THRESHOLD - 1, MirrorMode::Full),
            (30, SUMMARY_POD_THRESHOLD, MirrorMode::Summary),
            (
                crate::cluster_tiles::CANVAS_THRESHOLD,
                0,
                MirrorMode::Summary,
            ),
        ];
        for (nodes, pods, mode) in cases {
            assert_eq!(MirrorMode::for_cluster(nodes, pods), mode, "{nodes} {pods}");
        }
        assert!(!MirrorMode::Full.outgrown(30, SUMMARY_POD_THRESHOLD));
        assert!(MirrorMode::Full.outgrown(30, SUMMARY_POD_THRESHOLD * 2));
        assert!(!MirrorMode::Summary.outgrown(30, 0));
    }
}
