//! Live mode's compact cluster summary: per node and per pod only what the web page's cluster
//! view and canvas draw, so a page can follow a cluster of thousands of nodes and a hundred
//! thousand pods without copying every full object into the browser.
//!
//! - `GET /kubeplay/v1/summary` → `{"resourceVersion": "N", "nodes": [NodeSummary…],
//!   "pods": [PodSummary…]}`: every Node and every Pod at one store revision N, in key order
//!   (namespace, then name). A [`NodeSummary`] is the name, the Ready condition's status,
//!   `spec.unschedulable`, `spec.podCIDR` and the allocatable pod count; a [`PodSummary`] is
//!   the namespace and name, `spec.nodeName`, kubectl's STATUS column (`Running`,
//!   `ContainerCreating`, `CrashLoopBackOff`, … as `kubectl get pods` prints it), what the
//!   pod's colour comes from (its `app` label, its controller owner as `Kind/name` and its
//!   `pod-template-hash` label) and its `resourceVersion`. Empty fields are left out.
//! - `GET /kubeplay/v1/summary?watch=true[&resourceVersion=N]` streams newline-delimited JSON,
//!   chunked like a Kubernetes watch: `{"type": "ADDED"|"MODIFIED"|"DELETED", "node": {…}}` or
//!   `… "pod": {…}}`, and `{"type": "BOOKMARK", "resourceVersion": "M"}` after every batch
//!   (the stream has told everything up to M: reconnect from there). With N, it holds the
//!   changes after N (a list's `resourceVersion`); without it, first an ADDED line per node and
//!   pod and a BOOKMARK (sent even for an empty cluster: the end of the initial state, as a
//!   Kubernetes watch with `sendInitialEvents=true` marks it), then the changes. A MODIFIED line comes only when the summary changed: a pod's
//!   status write that leaves its STATUS text alone (a condition's time, an IP) sends nothing,
//!   so a pod's `resourceVersion` here is that of its last change the summary shows. An N that
//!   was compacted away answers one `{"type": "ERROR", "object": Status}` line with 410
//!   `Expired` (list again), as a Kubernetes watch does; the stream ends after
//!   [`SUMMARY_WATCH_TIMEOUT`] or when the client goes.
//!
//! Data flow: the list reads both kinds through the API server in one actor job (one
//! revision); the stream opens two core watches (Nodes, Pods) and, whenever the store's
//! revision moves, drains both in one job, then turns the events into summary lines on the
//! async task (off the cluster thread), dropping those whose summary did not change (a
//! fingerprint per object, [`Sent`]), and sends each batch as one chunk.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, StatusCode};
use axum::response::Response;
use k8s_openapi::api::core::v1::Node;
use kubeplay_core::api::objects::{Kind, Object, StoredPod};
use kubeplay_core::apiserver::{
    ApiError, ApiWatchEvent, ApiWatchId, ListOptions, WatchEventType, WatchOptions,
};
use kubeplay_core::printers::{cells, Cell};
use kubeplay_core::sim::clock::Timestamp;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use super::super::api::status::{status_value, StatusError};
use super::super::cluster::{wall_clock, Cluster};

/// How long a summary stream stays open; the page reconnects from its last BOOKMARK.
pub const SUMMARY_WATCH_TIMEOUT: Duration = Duration::from_secs(1800);

/// How many chunks may wait for a slow client before the stream task waits too.
const STREAM_BUFFER_BATCHES: usize = 16;

/// One node as the summary gives it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeSummary {
    /// `metadata.name`.
    pub name: String,
    /// The Ready condition's status (`True`, `False`, `Unknown`); absent without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready: Option<String>,
    /// `spec.unschedulable` (`kubectl cordon`); absent when false.
    #[serde(default, skip_serializing_if = "is_false")]
    pub unschedulable: bool,
    /// `spec.podCIDR`, once the node IPAM gave one.
    #[serde(default, rename = "podCIDR", skip_serializing_if = "Option::is_none")]
    pub pod_cidr: Option<String>,
    /// `status.allocatable.pods` (0 when not reported).
    #[serde(default)]
    pub pod_capacity: i64,
    /// `metadata.resourceVersion`.
    #[serde(default)]
    pub resource_version: String,
}

/// One pod as the summary gives it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodSummary {
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `spec.nodeName`, once bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_name: Option<String>,
    /// kubectl's STATUS column for the pod.
    pub status: String,
    /// The `app` label (else `app.kubernetes.io/name`), when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    /// The controller owner as `Kind/name` (`ReplicaSet/web-7d4b9`), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The `pod-template-hash` label, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_hash: Option<String>,
    /// `metadata.resourceVersion` of the change this summary shows.
    #[serde(default)]
    pub resource_version: String,
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// The answer of `GET /kubeplay/v1/summary`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryList {
    /// The store revision both kinds were read at (watch from here).
    pub resource_version: String,
    /// Every node, by name.
    pub nodes: Vec<NodeSummary>,
    /// Every pod, by namespace and name.
    pub pods: Vec<PodSummary>,
}

/// One line of a summary stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryLine {
    /// `ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK` or `ERROR`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The node, for a node's event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<NodeSummary>,
    /// The pod, for a pod's event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod: Option<PodSummary>,
    /// The revision a BOOKMARK is current at.
    #[serde(
        default,
        rename = "resourceVersion",
        skip_serializing_if = "Option::is_none"
    )]
    pub resource_version: Option<String>,
    /// The Status of an ERROR line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<serde_json::Value>,
}

/// A node's summary.
pub fn node_summary(name: &str, node: &Node) -> NodeSummary {
    let status = node.status.as_ref();
    let ready = status
        .and_then(|s| s.conditions.as_ref())
        .and_then(|conditions| conditions.iter().find(|c| c.type_ == "Ready"))
        .map(|c| c.status.clone());
    let pod_capacity = status
        .and_then(|s| s.allocatable.as_ref())
        .and_then(|a| a.get("pods"))
        .and_then(|q| q.0.trim().parse::<i64>().ok())
        .unwrap_or(0);
    let spec = node.spec.as_ref();
    NodeSummary {
        name: name.to_string(),
        ready,
        unschedulable: spec.and_then(|s| s.unschedulable).unwrap_or(false),
        pod_cidr: spec.and_then(|s| s.pod_cidr.clone()),
        pod_capacity,
        resource_version: node.metadata.resource_version.clone().unwrap_or_default(),
    }
}

/// A pod's summary; `object` is the pod as an [`Object`] (kubectl's STATUS column is read
/// from it by the core's printer, exactly as `kubectl get pods` prints it).
pub fn pod_summary(object: &Object, pod: &StoredPod, now: Timestamp) -> PodSummary {
    let status = match cells(object, now).get(2) {
        Some(Cell::Text(text)) => text.clone(),
        Some(Cell::Integer(n)) => n.to_string(),
        None => String::new(),
    };
    let labels = pod.metadata.labels.as_ref();
    let owner = pod
        .metadata
        .owner_references
        .as_ref()
        .and_then(|owners| owners.iter().find(|o| o.controller == Some(true)))
        .map(|o| format!("{}/{}", o.kind, o.name));
    PodSummary {
        namespace: object.namespace().to_string(),
        name: object.name().to_string(),
        node_name: pod.node_name().map(str::to_string),
        status,
        app: labels
            .and_then(|l| l.get("app").or_else(|| l.get("app.kubernetes.io/name")))
            .cloned(),
        owner,
        template_hash: labels.and_then(|l| l.get("pod-template-hash")).cloned(),
        resource_version: pod.resource_version().unwrap_or_default().to_string(),
    }
}

/// The summary of a stored object: a node's or a pod's, None for any other kind.
fn summarize(object: &Object, now: Timestamp) -> Option<Summarized> {
    match object {
        Object::Node(node) => Some(Summarized::Node(node_summary(object.name(), node))),
        Object::Pod(pod) => Some(Summarized::Pod(pod_summary(object, pod, now))),
        _ => None,
    }
}

/// A node's or a pod's summary.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Summarized {
    /// A node's.
    Node(NodeSummary),
    /// A pod's.
    Pod(PodSummary),
}

impl Summarized {
    /// The object's key among those a stream sent: kind, namespace, name.
    fn key(&self) -> (bool, String, String) {
        match self {
            Summarized::Node(node) => (false, String::new(), node.name.clone()),
            Summarized::Pod(pod) => (true, pod.namespace.clone(), pod.name.clone()),
        }
    }

    /// A hash of what the summary shows, its resourceVersion left out (a change of the
    /// object that leaves this alone is not sent).
    fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        match self {
            Summarized::Node(node) => {
                let shown = NodeSummary {
                    resource_version: String::new(),
                    ..node.clone()
                };
                shown.hash(&mut hasher);
            }
            Summarized::Pod(pod) => {
                let shown = PodSummary {
                    resource_version: String::new(),
                    ..pod.clone()
                };
                shown.hash(&mut hasher);
            }
        }
        hasher.finish()
    }

    fn into_line(self, event_type: &str) -> SummaryLine {
        let (node, pod) = match self {
            Summarized::Node(node) => (Some(node), None),
            Summarized::Pod(pod) => (None, Some(pod)),
        };
        SummaryLine {
            event_type: event_type.to_string(),
            node,
            pod,
            resource_version: None,
            object: None,
        }
    }
}

/// What one stream has sent: a fingerprint per object, so unchanged summaries are dropped.
#[derive(Debug, Default)]
pub struct Sent {
    fingerprints: BTreeMap<(bool, String, String), u64>,
}

impl Sent {
    /// The lines for a batch of watch events (in order), leaving out every ADDED or MODIFIED
    /// whose summary is what this stream last sent for that object.
    pub fn lines(&mut self, events: &[ApiWatchEvent], now: Timestamp) -> Vec<SummaryLine> {
        let mut lines = Vec::new();
        for event in events {
            let Some(summary) = summarize(&event.object, now) else {
                continue;
            };
            let key = summary.key();
            match event.event_type {
                WatchEventType::Added | WatchEventType::Modified => {
                    let fingerprint = summary.fingerprint();
                    let previous = self.fingerprints.insert(key, fingerprint);
                    if previous == Some(fingerprint) {
                        continue;
                    }
                    let event_type =
                        if event.event_type == WatchEventType::Added || previous.is_none() {
                            "ADDED"
                        } else {
                            "MODIFIED"
                        };
                    lines.push(summary.into_line(event_type));
                }
                WatchEventType::Deleted => {
                    self.fingerprints.remove(&key);
                    lines.push(summary.into_line("DELETED"));
                }
                WatchEventType::Bookmark => {}
            }
        }
        lines
    }
}

/// `GET /kubeplay/v1/summary`.
pub async fn list(cluster: &Cluster) -> Result<SummaryList, StatusError> {
    let (revision, nodes, pods) = cluster
        .call(|api| {
            let nodes = api.list(Kind::Node, None, &ListOptions::default())?;
            let pods = api.list(Kind::Pod, None, &ListOptions::default())?;
            Ok::<_, ApiError>((
                pods.resource_version.max(nodes.resource_version),
                nodes.items,
                pods.items,
            ))
        })
        .await
        .map_err(|_| StatusError::stopped())?
        .map_err(StatusError::from)?;
    let now = wall_clock();
    let mut list = SummaryList {
        resource_version: revision.to_string(),
        nodes: Vec::with_capacity(nodes.len()),
        pods: Vec::with_capacity(pods.len()),
    };
    for object in nodes.iter().chain(pods.iter()) {
        match summarize(object, now) {
            Some(Summarized::Node(node)) => list.nodes.push(node),
            Some(Summarized::Pod(pod)) => list.pods.push(pod),
            None => {}
        }
    }
    Ok(list)
}

/// Starts a summary stream from `resource_version` (None: every object as ADDED first).
pub async fn watch(
    cluster: Cluster,
    resource_version: Option<String>,
) -> Result<Response, StatusError> {
    // Without a revision the stream starts with the whole state (ADDED lines), and its first
    // BOOKMARK says where that state ends.
    let initial_events = resource_version.is_none();
    let options = WatchOptions {
        resource_version,
        allow_watch_bookmarks: false,
        ..WatchOptions::default()
    };
    let opened = cluster
        .call(move |api| {
            let nodes = api.watch(Kind::Node, None, &options)?;
            match api.watch(Kind::Pod, None, &options) {
                Ok(pods) => Ok((nodes, pods)),
                Err(error) => {
                    api.cancel_watch(nodes);
                    Err(error)
                }
            }
        })
        .await
        .map_err(|_| StatusError::stopped())?;
    let (sender, receiver) = mpsc::channel::<Result<Bytes, std::io::Error>>(STREAM_BUFFER_BATCHES);
    match opened {
        Ok(ids) => {
            tokio::spawn(stream(cluster, ids, initial_events, sender));
        }
        Err(error @ ApiError::Expired(_)) => {
            let _ = sender.send(Ok(encode(&[error_line(&error)]))).await;
        }
        Err(error) => return Err(error.into()),
    }
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CACHE_CONTROL, "no-cache, private")
        .body(Body::from_stream(ReceiverStream::new(receiver)))
        .map_err(|e| StatusError::from(ApiError::Internal(e.to_string())))
}

fn error_line(error: &ApiError) -> SummaryLine {
    SummaryLine {
        event_type: "ERROR".to_string(),
        node: None,
        pod: None,
        resource_version: None,
        object: Some(status_value(error)),
    }
}

/// The lines as newline-delimited JSON.
fn encode(lines: &[SummaryLine]) -> Bytes {
    let mut out = Vec::with_capacity(lines.len() * 160);
    for line in lines {
        // Serializing these plain structs cannot fail; a failure would only lose one line.
        if serde_json::to_writer(&mut out, line).is_ok() {
            out.push(b'\n');
        }
    }
    Bytes::from(out)
}

/// The stream's task: drains both watches whenever the revision moves, until the client
/// goes, a watch fails (its ERROR line ends the stream) or the timeout passes. With
/// `initial_events` (no revision asked for) the first drain is followed by a BOOKMARK even
/// when it found nothing, so a client always learns where the initial state ends.
async fn stream(
    cluster: Cluster,
    (nodes, pods): (ApiWatchId, ApiWatchId),
    initial_events: bool,
    sender: mpsc::Sender<Result<Bytes, std::io::Error>>,
) {
    let mut bookmark_owed = initial_events;
    let mut revisions = cluster.revisions();
    let deadline = tokio::time::Instant::now() + SUMMARY_WATCH_TIMEOUT;
    let mut sent = Sent::default();
    'stream: loop {
        revisions.borrow_and_update();
        let polled = cluster
            .call(move |api| {
                let mut events = api.poll_watch(nodes)?;
                events.extend(api.poll_watch(pods)?);
                Ok::<_, ApiError>((events, api.current_revision()))
            })
            .await;
        match polled {
            Err(_) => break,
            Ok(Err(error)) => {
                let _ = sender.send(Ok(encode(&[error_line(&error)]))).await;
                break;
            }
            Ok(Ok((events, revision))) => {
                if !events.is_empty() || bookmark_owed {
                    bookmark_owed = false;
                    let mut lines = sent.lines(&events, wall_clock());
                    lines.push(SummaryLine {
                        event_type: "BOOKMARK".to_string(),
                        node: None,
                        pod: None,
                        resource_version: Some(revision.to_string()),
                        object: None,
                    });
                    if sender.send(Ok(encode(&lines))).await.is_err() {
                        break 'stream;
                    }
                }
            }
        }
        tokio::select! {
            changed = revisions.changed() => {
                if changed.is_err() {
                    break;
                }
            }
            () = tokio::time::sleep_until(deadline) => break,
            () = sender.closed() => break,
        }
    }
    let _ = cluster
        .call(move |api| {
            api.cancel_watch(nodes);
            api.cancel_watch(pods);
        })
        .await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn pod(name: &str, node: Option<&str>, phase: &str, rv: &str) -> Object {
        let value = serde_json::json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {
                "name": name, "namespace": "default", "resourceVersion": rv,
                "labels": {"pod-template-hash": "7d4b9"},
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                    "name": "web-7d4b9", "uid": "u1", "controller": true}]
            },
            "spec": {"containers": [{"name": "c", "image": "nginx"}], "nodeName": node},
            "status": {"phase": phase}
        });
        Object::from_value_as(Kind::Pod, value).unwrap_or_else(|e| panic!("pod: {e}"))
    }

    fn event(event_type: WatchEventType, object: Object) -> ApiWatchEvent {
        ApiWatchEvent {
            event_type,
            object: Arc::new(object),
        }
    }

    fn types(lines: &[SummaryLine]) -> Vec<&str> {
        lines.iter().map(|l| l.event_type.as_str()).collect()
    }

    #[test]
    fn a_pods_summary_holds_its_node_status_and_controller_owner() {
        let object = pod("web-1", Some("node-1"), "Pending", "12");
        let Object::Pod(p) = &object else {
            panic!("not a pod")
        };
        let summary = pod_summary(&object, p, Timestamp::from_millis(0));
        assert_eq!(summary.node_name.as_deref(), Some("node-1"));
        assert_eq!(summary.status, "Pending");
        assert_eq!(summary.owner.as_deref(), Some("ReplicaSet/web-7d4b9"));
        assert_eq!(summary.template_hash.as_deref(), Some("7d4b9"));
        assert_eq!(summary.resource_version, "12");
        let json = serde_json::to_value(&summary).unwrap_or_default();
        assert_eq!(json["nodeName"], "node-1");
        assert!(json.get("app").is_none(), "{json}");
    }

    #[test]
    fn a_stream_sends_a_change_only_when_the_summary_changed() {
        let now = Timestamp::from_millis(0);
        let mut sent = Sent::default();
        let first = sent.lines(
            &[event(WatchEventType::Added, pod("a", None, "Pending", "1"))],
            now,
        );
        assert_eq!(types(&first), ["ADDED"]);
        // Only the resourceVersion moved: nothing to send.
        let same = sent.lines(
            &[event(
                WatchEventType::Modified,
                pod("a", None, "Pending", "2"),
            )],
            now,
        );
        assert!(same.is_empty());
        let bound = sent.lines(
            &[event(
                WatchEventType::Modified,
                pod("a", Some("node-1"), "Pending", "3"),
            )],
            now,
        );
        assert_eq!(types(&bound), ["MODIFIED"]);
        assert_eq!(
            bound
                .first()
                .and_then(|l| l.pod.as_ref())
                .map(|p| p.resource_version.as_str()),
            Some("3")
        );
        let gone = sent.lines(
            &[event(
                WatchEventType::Deleted,
                pod("a", Some("node-1"), "Pending", "4"),
            )],
            now,
        );
        assert_eq!(types(&gone), ["DELETED"]);
        // A pod first seen as MODIFIED (a stream from a list's revision) is sent as ADDED.
        let later = sent.lines(
            &[event(
                WatchEventType::Modified,
                pod("b", None, "Pending", "5"),
            )],
            now,
        );
        assert_eq!(types(&later), ["ADDED"]);
    }

    #[test]
    fn summary_lines_leave_out_what_they_do_not_carry() {
        let line = SummaryLine {
            event_type: "BOOKMARK".to_string(),
            node: None,
            pod: None,
            resource_version: Some("9".to_string()),
            object: None,
        };
        assert_eq!(
            String::from_utf8_lossy(&encode(&[line])),
            "{\"type\":\"BOOKMARK\",\"resourceVersion\":\"9\"}\n"
        );
    }
}
