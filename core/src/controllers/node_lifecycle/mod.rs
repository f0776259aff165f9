//! The node lifecycle controller (kube-controller-manager's `node-lifecycle-controller`,
//! `pkg/controller/nodelifecycle`) and, next to it, taint-based eviction
//! ([`taint_eviction`], the `taint-eviction-controller`).
//!
//! Data flow: the manager feeds it Node, Lease (`kube-node-lease`) and Pod watch events.
//! A Lease renewal or a new Ready heartbeat on the Node moves the node's *probe time* (the
//! last time the controller heard from the kubelet). [`NodeLifecycleController::sync_node`]
//! runs per node: once `node-monitor-grace-period` (50 s) has passed since the probe, every
//! node condition becomes `Unknown` (`NodeStatusUnknown`, `Kubelet stopped posting node
//! status.`), the node's pods are marked not ready, and the Ready condition is mirrored as
//! taints — `node.kubernetes.io/unreachable` (Unknown) or `node.kubernetes.io/not-ready`
//! (False), each with effects `NoSchedule` and `NoExecute` (the latter with `timeAdded`).
//! When the kubelet reports Ready again the taints go. [`NodeLifecycleController::sync_evictions`]
//! then deletes the pods of a `NoExecute`-tainted node whose tolerations ran out (300 s by
//! default, given by the API server's DefaultTolerationSeconds admission), recording
//! `TaintManagerEviction`. The API server deletes such pods gracefully: on a node whose
//! kubelet is gone they stay `Terminating`, as in Kubernetes, while their ReplicaSet (which
//! ignores terminating pods) creates replacements on the other nodes.
//!
//! Not modelled: the zone-aware eviction rate limiter (`--node-eviction-rate` 0.1 nodes/s,
//! unhealthy-zone and large-cluster thresholds) — nodes are tainted as soon as they go
//! unhealthy — and the `node.kubernetes.io/unschedulable` and pressure-condition taints.

pub mod taint_eviction;

#[cfg(test)]
mod scenario_tests;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use k8s_openapi::api::core::v1::{Node, NodeCondition, Taint};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use serde_json::json;

use crate::api::objects::{Kind, Object, StoredPod};
use crate::api::patch::PatchType;
use crate::apiserver::options::DeleteOptions;
use crate::apiserver::ApiRequest;
use crate::kubelet::node_status::NODE_LEASE_NAMESPACE;
use crate::sim::clock::Timestamp;

use super::cache::{InformerCache, ObjectKey};
use super::events::{EventRecorder, EventType};
use super::Reconciled;
use taint_eviction::{
    cancel_message, eviction_for, eviction_message, Eviction, EVICTION_EVENT_REASON,
};

/// `--node-monitor-grace-period`: how long a running node may stay silent before it is
/// marked unhealthy (50 s since Kubernetes 1.32; 40 s before).
pub const NODE_MONITOR_GRACE_PERIOD: Duration = Duration::from_secs(50);
/// `--node-startup-grace-period`: the same for a node that never posted a Ready condition.
pub const NODE_STARTUP_GRACE_PERIOD: Duration = Duration::from_secs(60);
/// `--node-monitor-period`: how often an unhealthy node is looked at again.
pub const NODE_MONITOR_PERIOD: Duration = Duration::from_secs(5);
/// The taint of a node whose Ready condition is `Unknown`.
pub const TAINT_NODE_UNREACHABLE: &str = "node.kubernetes.io/unreachable";
/// The taint of a node whose Ready condition is `False`.
pub const TAINT_NODE_NOT_READY: &str = "node.kubernetes.io/not-ready";
/// The reason of conditions the controller set to `Unknown`.
pub const NODE_STATUS_UNKNOWN_REASON: &str = "NodeStatusUnknown";
/// The message of conditions the controller set to `Unknown`.
pub const NODE_STATUS_UNKNOWN_MESSAGE: &str = "Kubelet stopped posting node status.";
/// The reason of conditions the kubelet never reported.
pub const NODE_STATUS_NEVER_UPDATED_REASON: &str = "NodeStatusNeverUpdated";
/// The message of conditions the kubelet never reported.
pub const NODE_STATUS_NEVER_UPDATED_MESSAGE: &str = "Kubelet never posted node status.";

/// The node conditions the controller turns `Unknown` when the kubelet goes silent.
const MONITORED_CONDITIONS: [&str; 4] = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];

/// What the controller last heard from one node's kubelet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct NodeHealth {
    /// When the controller last saw a new heartbeat (status or Lease).
    probe: Timestamp,
    /// The Ready condition's `lastHeartbeatTime` last seen.
    ready_heartbeat: Option<Timestamp>,
    /// The Lease's `renewTime` last seen.
    lease_renew: Option<Timestamp>,
}

/// The node's Ready condition status as the controller reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeReadiness {
    /// `Ready=True`.
    Ready,
    /// `Ready=False`: the kubelet says the node is not ready.
    NotReady,
    /// `Ready=Unknown` (or no Ready condition): nobody knows.
    Unknown,
}

impl NodeReadiness {
    fn of(status: Option<&str>) -> NodeReadiness {
        match status {
            Some("True") => NodeReadiness::Ready,
            Some("False") => NodeReadiness::NotReady,
            _ => NodeReadiness::Unknown,
        }
    }

    /// The taint key mirroring this readiness, if any.
    pub fn taint_key(self) -> Option<&'static str> {
        match self {
            NodeReadiness::Ready => None,
            NodeReadiness::NotReady => Some(TAINT_NODE_NOT_READY),
            NodeReadiness::Unknown => Some(TAINT_NODE_UNREACHABLE),
        }
    }
}

/// The node lifecycle and taint eviction controllers.
#[derive(Clone)]
pub struct NodeLifecycleController {
    health: BTreeMap<String, NodeHealth>,
    /// Pods with an eviction timer, per node (the taint eviction controller's timed worker
    /// queue): a pod leaving it while still on the node gets `Cancelling deletion of Pod`.
    scheduled_evictions: BTreeMap<String, BTreeSet<ObjectKey>>,
    node_events: EventRecorder,
    eviction_events: EventRecorder,
    /// `--node-monitor-grace-period`.
    pub monitor_grace_period: Duration,
    /// `--node-startup-grace-period`.
    pub startup_grace_period: Duration,
}

impl Default for NodeLifecycleController {
    fn default() -> Self {
        NodeLifecycleController::new()
    }
}

fn as_node(object: &Object) -> Option<&Node> {
    match object {
        Object::Node(node) => Some(node),
        _ => None,
    }
}

fn as_pod(object: &Object) -> Option<&StoredPod> {
    match object {
        Object::Pod(pod) => Some(pod),
        _ => None,
    }
}

fn ready_condition(node: &Node) -> Option<&NodeCondition> {
    node.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
}

/// The readiness a node's Ready condition states.
pub fn node_readiness(node: &Node) -> NodeReadiness {
    NodeReadiness::of(ready_condition(node).map(|c| c.status.as_str()))
}

fn pod_node_name(pod: &StoredPod) -> Option<&str> {
    pod.node_name().filter(|n| !n.is_empty())
}

fn pod_is_ready(pod: &StoredPod) -> bool {
    pod.status.as_ref().is_some_and(|s| {
        s.conditions()
            .any(|c| c.type_() == "Ready" && c.status() == "True")
    })
}

/// The taints the node should carry for its readiness: other taints kept as they are, the
/// readiness taints kept when still right (with their `timeAdded`), added when missing.
pub fn desired_taints(node: &Node, readiness: NodeReadiness, now: Timestamp) -> Vec<Taint> {
    let current: Vec<Taint> = node
        .spec
        .as_ref()
        .and_then(|s| s.taints.clone())
        .unwrap_or_default();
    let managed = |key: &str| key == TAINT_NODE_UNREACHABLE || key == TAINT_NODE_NOT_READY;
    let wanted_key = readiness.taint_key();
    let mut taints: Vec<Taint> = current
        .iter()
        .filter(|t| !managed(&t.key) || Some(t.key.as_str()) == wanted_key)
        .cloned()
        .collect();
    if let Some(key) = wanted_key {
        for effect in ["NoSchedule", "NoExecute"] {
            if !taints.iter().any(|t| t.key == key && t.effect == effect) {
                taints.push(Taint {
                    key: key.to_string(),
                    effect: effect.to_string(),
                    // Only NoExecute taints carry the time the eviction clock starts from.
                    time_added: (effect == "NoExecute").then(|| now.to_k8s_time()),
                    value: None,
                });
            }
        }
    }
    taints
}

impl NodeLifecycleController {
    /// A controller with Kubernetes' default grace periods.
    pub fn new() -> NodeLifecycleController {
        NodeLifecycleController {
            health: BTreeMap::new(),
            scheduled_evictions: BTreeMap::new(),
            node_events: EventRecorder::new("node-controller"),
            eviction_events: EventRecorder::new("taint-eviction-controller"),
            monitor_grace_period: NODE_MONITOR_GRACE_PERIOD,
            startup_grace_period: NODE_STARTUP_GRACE_PERIOD,
        }
    }

    /// Which node a Lease event concerns (Leases outside `kube-node-lease` concern none).
    pub fn handle_lease_event(&self, lease: &Object) -> Option<ObjectKey> {
        (lease.namespace() == NODE_LEASE_NAMESPACE).then(|| ObjectKey::new("", lease.name()))
    }

    /// Which node a pod event concerns: the node it is bound to, when that node is not
    /// ready (its pods are marked not ready) or has `NoExecute` taints (evictions).
    pub fn handle_pod_event(&self, cache: &InformerCache, pod: &Object) -> Option<ObjectKey> {
        let node_name = pod_node_name(as_pod(pod)?)?;
        let node = as_node(cache.get(Kind::Node, "", node_name)?)?;
        let concerned = node_readiness(node) != NodeReadiness::Ready
            || !taint_eviction::no_execute_taints(node).is_empty()
            || self.scheduled_evictions.contains_key(node_name);
        concerned.then(|| ObjectKey::new("", node_name))
    }

    /// `monitorNodeHealth` for one node: heartbeats, conditions, pods not ready, taints.
    pub fn sync_node(
        &mut self,
        key: &ObjectKey,
        cache: &InformerCache,
        now: Timestamp,
    ) -> Reconciled {
        let Some(object) = cache.get(Kind::Node, "", &key.name) else {
            self.health.remove(&key.name);
            return Reconciled::default();
        };
        let Some(node) = as_node(object) else {
            return Reconciled::default();
        };
        let ready = ready_condition(node);
        let ready_heartbeat = ready
            .and_then(|c| c.last_heartbeat_time.as_ref())
            .map(Timestamp::from_k8s_time);
        let lease_renew = cache
            .get(Kind::Lease, NODE_LEASE_NAMESPACE, &key.name)
            .and_then(|o| match o.as_ref() {
                Object::Lease(lease) => lease.spec.as_ref()?.renew_time.as_ref(),
                _ => None,
            })
            .map(|t| Timestamp::from_k8s_time(&Time(t.0)));
        let health = self.health.entry(key.name.clone()).or_insert(NodeHealth {
            probe: now,
            ready_heartbeat,
            lease_renew,
        });
        if health.ready_heartbeat != ready_heartbeat {
            health.ready_heartbeat = ready_heartbeat;
            health.probe = now;
        }
        if lease_renew > health.lease_renew {
            health.lease_renew = lease_renew;
            health.probe = now;
        }
        let grace = if ready.is_some() {
            self.monitor_grace_period
        } else {
            self.startup_grace_period
        };
        let deadline = health.probe.plus(grace);
        let observed = node_readiness(node);
        let mut readiness = observed;
        let mut requests = Vec::new();
        let requeue_after;
        if now >= deadline {
            requeue_after = NODE_MONITOR_PERIOD;
            if let Some(conditions) = silent_node_conditions(node, now) {
                requests.push(ApiRequest::Patch {
                    kind: Kind::Node,
                    namespace: String::new(),
                    name: key.name.clone(),
                    patch_type: PatchType::MergePatch,
                    patch: json!({"status": {"conditions": conditions}}),
                    status: true,
                });
            }
            readiness = NodeReadiness::Unknown;
            if observed == NodeReadiness::Ready {
                requests.extend(self.node_events.event(
                    object,
                    EventType::Normal,
                    "NodeNotReady",
                    format!("Node {} status is now: NodeNotReady", key.name),
                    now,
                ));
            }
        } else {
            requeue_after = deadline.since(now);
        }
        if readiness != NodeReadiness::Ready {
            requests.extend(self.mark_pods_not_ready(cache, &key.name, now));
        }
        let taints = desired_taints(node, readiness, now);
        let current = node
            .spec
            .as_ref()
            .and_then(|s| s.taints.clone())
            .unwrap_or_default();
        if taints != current {
            let value = if taints.is_empty() {
                json!(null)
            } else {
                json!(taints)
            };
            requests.push(ApiRequest::Patch {
                kind: Kind::Node,
                namespace: String::new(),
                name: key.name.clone(),
                patch_type: PatchType::MergePatch,
                patch: json!({"spec": {"taints": value}}),
                status: false,
            });
        }
        Reconciled {
            requests,
            requeue_after: Some(requeue_after),
        }
    }

    /// `MarkPodsNotReady`: the Ready condition of each ready pod on the node becomes False,
    /// with the pod event `NodeNotReady`.
    fn mark_pods_not_ready(
        &mut self,
        cache: &InformerCache,
        node_name: &str,
        now: Timestamp,
    ) -> Vec<ApiRequest> {
        let mut requests = Vec::new();
        for object in cache.list(Kind::Pod, None) {
            let Some(pod) = as_pod(object) else { continue };
            if pod_node_name(pod) != Some(node_name) || !pod_is_ready(pod) {
                continue;
            }
            let conditions: Vec<_> = pod
                .status
                .iter()
                .flat_map(|s| s.conditions())
                .map(|c| c.to_condition())
                .map(|mut c| {
                    if c.type_ == "Ready" {
                        c.status = "False".to_string();
                        c.last_transition_time = Some(now.to_k8s_time());
                    }
                    c
                })
                .collect();
            requests.push(ApiRequest::Patch {
                kind: Kind::Pod,
                namespace: object.namespace().to_string(),
                name: object.name().to_string(),
                patch_type: PatchType::MergePatch,
                patch: json!({"status": {"conditions": conditions}}),
                status: true,
            });
            requests.extend(self.node_events.event(
                object,
                EventType::Warning,
                "NodeNotReady",
                "Node is not ready".to_string(),
                now,
            ));
        }
        requests
    }

    /// The taint eviction controller for one node: deletes the pods whose tolerations of
    /// the node's `NoExecute` taints ran out and looks again when the next one will.
    pub fn sync_evictions(
        &mut self,
        key: &ObjectKey,
        cache: &InformerCache,
        now: Timestamp,
    ) -> Reconciled {
        let node = cache
            .get(Kind::Node, "", &key.name)
            .and_then(|o| as_node(o));
        let was_scheduled = self
            .scheduled_evictions
            .remove(&key.name)
            .unwrap_or_default();
        let mut scheduled = BTreeSet::new();
        let mut requests = Vec::new();
        let mut next: Option<Timestamp> = None;
        let tainted = node.is_some_and(|n| !taint_eviction::no_execute_taints(n).is_empty());
        if !tainted && was_scheduled.is_empty() {
            return Reconciled::default();
        }
        for object in cache.list(Kind::Pod, None) {
            let Some(pod) = as_pod(object) else { continue };
            if pod_node_name(pod) != Some(key.name.as_str())
                || pod.metadata.deletion_timestamp.is_some()
            {
                continue;
            }
            let pod_key = ObjectKey::of(object);
            let eviction = match node {
                Some(node) if tainted => eviction_for(node, pod, now),
                _ => Eviction::Keep,
            };
            match eviction {
                Eviction::Keep => {
                    if was_scheduled.contains(&pod_key) {
                        requests.extend(self.eviction_events.event(
                            object,
                            EventType::Normal,
                            EVICTION_EVENT_REASON,
                            cancel_message(object.namespace(), object.name()),
                            now,
                        ));
                    }
                }
                Eviction::At(at) => {
                    next = Some(next.map_or(at, |n| n.min(at)));
                    scheduled.insert(pod_key);
                }
                Eviction::Now => {
                    requests.extend(self.eviction_events.event(
                        object,
                        EventType::Normal,
                        EVICTION_EVENT_REASON,
                        eviction_message(object.namespace(), object.name()),
                        now,
                    ));
                    requests.push(ApiRequest::Delete {
                        kind: Kind::Pod,
                        namespace: object.namespace().to_string(),
                        name: object.name().to_string(),
                        options: DeleteOptions::default(),
                    });
                }
            }
        }
        if !scheduled.is_empty() {
            self.scheduled_evictions.insert(key.name.clone(), scheduled);
        }
        Reconciled {
            requests,
            requeue_after: next.map(|at| at.since(now)),
        }
    }
}

/// The node's conditions after the kubelet went silent, or None when they already say so:
/// each monitored condition `Unknown` (`NodeStatusUnknown`), missing ones added
/// (`NodeStatusNeverUpdated`), heartbeats kept, transitions at `now`.
fn silent_node_conditions(node: &Node, now: Timestamp) -> Option<Vec<NodeCondition>> {
    let mut conditions: Vec<NodeCondition> = node
        .status
        .as_ref()
        .and_then(|s| s.conditions.clone())
        .unwrap_or_default();
    let mut changed = false;
    for kind in MONITORED_CONDITIONS {
        match conditions.iter_mut().find(|c| c.type_ == kind) {
            Some(condition) => {
                if condition.status != "Unknown" {
                    condition.status = "Unknown".to_string();
                    condition.reason = Some(NODE_STATUS_UNKNOWN_REASON.to_string());
                    condition.message = Some(NODE_STATUS_UNKNOWN_MESSAGE.to_string());
                    condition.last_transition_time = Some(now.to_k8s_time());
                    changed = true;
                }
            }
            None => {
                conditions.push(NodeCondition {
                    type_: kind.to_string(),
                    status: "Unknown".to_string(),
                    reason: Some(NODE_STATUS_NEVER_UPDATED_REASON.to_string()),
                    message: Some(NODE_STATUS_NEVER_UPDATED_MESSAGE.to_string()),
                    last_heartbeat_time: node.metadata.creation_timestamp.clone(),
                    last_transition_time: Some(now.to_k8s_time()),
                });
                changed = true;
            }
        }
    }
    changed.then_some(conditions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::NodeSpec;

    fn taint(key: &str, effect: &str, added: Option<Timestamp>) -> Taint {
        Taint {
            key: key.to_string(),
            effect: effect.to_string(),
            time_added: added.map(|t| t.to_k8s_time()),
            value: None,
        }
    }

    fn node_with(taints: Vec<Taint>) -> Node {
        Node {
            spec: Some(NodeSpec {
                taints: Some(taints),
                ..NodeSpec::default()
            }),
            ..Node::default()
        }
    }

    #[test]
    fn readiness_taints_follow_the_ready_condition() {
        let t0 = Timestamp(1_000_000);
        let now = Timestamp(2_000_000);
        let user = taint("dedicated", "NoSchedule", None);
        let unreachable = vec![
            taint(TAINT_NODE_UNREACHABLE, "NoSchedule", None),
            taint(TAINT_NODE_UNREACHABLE, "NoExecute", Some(t0)),
        ];
        let cases: Vec<(&str, Vec<Taint>, NodeReadiness, Vec<Taint>)> = vec![
            (
                "a ready node keeps only its other taints",
                [vec![user.clone()], unreachable.clone()].concat(),
                NodeReadiness::Ready,
                vec![user.clone()],
            ),
            (
                "an unknown node gets both unreachable taints, NoExecute with timeAdded",
                vec![user.clone()],
                NodeReadiness::Unknown,
                vec![
                    user.clone(),
                    taint(TAINT_NODE_UNREACHABLE, "NoSchedule", None),
                    taint(TAINT_NODE_UNREACHABLE, "NoExecute", Some(now)),
                ],
            ),
            (
                "taints already right keep their timeAdded",
                unreachable.clone(),
                NodeReadiness::Unknown,
                unreachable.clone(),
            ),
            (
                "a node reporting Ready=False swaps unreachable for not-ready",
                unreachable.clone(),
                NodeReadiness::NotReady,
                vec![
                    taint(TAINT_NODE_NOT_READY, "NoSchedule", None),
                    taint(TAINT_NODE_NOT_READY, "NoExecute", Some(now)),
                ],
            ),
        ];
        for (name, current, readiness, want) in cases {
            assert_eq!(
                desired_taints(&node_with(current), readiness, now),
                want,
                "{name}"
            );
        }
    }

    #[test]
    fn a_silent_node_gets_every_monitored_condition_unknown_once() {
        let now = Timestamp(2_000_000);
        let node = Node {
            status: Some(k8s_openapi::api::core::v1::NodeStatus {
                conditions: Some(vec![NodeCondition {
                    type_: "Ready".to_string(),
                    status: "True".to_string(),
                    ..NodeCondition::default()
                }]),
                ..Default::default()
            }),
            ..Node::default()
        };
        let conditions = silent_node_conditions(&node, now).unwrap();
        let ready = &conditions[0];
        assert_eq!(
            (
                ready.status.as_str(),
                ready.reason.as_deref(),
                ready.message.as_deref()
            ),
            (
                "Unknown",
                Some("NodeStatusUnknown"),
                Some("Kubelet stopped posting node status.")
            )
        );
        assert_eq!(conditions.len(), 4);
        assert_eq!(
            conditions[1].message.as_deref(),
            Some("Kubelet never posted node status.")
        );
        let mut silent = node.clone();
        silent.status.as_mut().unwrap().conditions = Some(conditions);
        assert_eq!(silent_node_conditions(&silent, now), None);
    }
}
