//! kube-scheduler as a running component: it watches pods and nodes, queues the pending
//! pods addressed to `default-scheduler`, and for each one runs the framework over a fresh
//! snapshot, then returns what kube-scheduler would send: the annotations with its reasons
//! (for tools built on kube-scheduler-simulator), the `pods/binding`, and a `Scheduled` or
//! `FailedScheduling` event with the real message.
//!
//! When nothing fits and DefaultPreemption finds a node where evicting lower-priority pods
//! makes room, the scheduler acts as `prepareCandidate` does: it nominates the pod to that
//! node (`status.nominatedNodeName`, sent with the `PodScheduled=False` condition), marks each
//! victim `DisruptionTarget`, deletes it with its grace period and records a `Preempted`
//! event on it, and writes a trace note naming the victims and why that node won. Nominated
//! pods count on their node for every pod of lower or equal priority until they are bound,
//! so the room freed is theirs; the preemptor is retried when a victim is gone.
//!
//! Sans-IO: the host feeds watch events in ([`KubeScheduler::handle_watch_event`]), ticks it
//! ([`KubeScheduler::handle_tick`]) and drains [`KubeScheduler::poll_api_request`] and
//! [`KubeScheduler::poll_trace`].

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Binding, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::json;

use crate::api::events::{involved_ref, object_reference, EventRecorder, EventType, Reporter};
use crate::api::objects::{Kind, Object, StoredPod};
use crate::api::patch::PatchType;
use crate::apiserver::{ApiRequest, ApiWatchEvent, DeleteOptions, WatchEventType};
use crate::sim::clock::Timestamp;
use crate::sim::rng::SimRng;
use crate::sim::trace::TraceRecord;

use super::framework::{Decision, Explanation, Scheduler, OMITTED_NODES_ANNOTATION};
use super::plugins::default_preemption::{Nomination, PostFilterResult};
use super::queue::{ClusterEvent, SchedulingQueue};
use super::snapshot::{pod_priority, LabelSets, NodeInfo, PodSummary, Snapshot};
use super::Config;

/// The scheduler name this component answers to.
pub const DEFAULT_SCHEDULER_NAME: &str = "default-scheduler";
/// The component name in trace notes.
pub const TRACE_COMPONENT: &str = "kube-scheduler";
/// The event reason on a preempted pod.
pub const PREEMPTED_REASON: &str = "Preempted";
/// The condition a victim gets before it is deleted (`v1.DisruptionTarget`).
pub const DISRUPTION_TARGET: &str = "DisruptionTarget";
/// The DisruptionTarget reason of a scheduler preemption (`v1.PodReasonPreemptionByScheduler`).
pub const PREEMPTION_BY_SCHEDULER: &str = "PreemptionByScheduler";

/// The running scheduler.
#[derive(Clone)]
pub struct KubeScheduler {
    scheduler: Scheduler,
    rng: SimRng,
    queue: SchedulingQueue,
    pending: BTreeMap<String, Arc<Object>>,
    /// Pods on nodes (bound, or assumed by this scheduler before the watch shows the
    /// binding): key → where. Their summaries live in the snapshot (or in `detached`).
    placed: BTreeMap<String, PlacedPod>,
    /// Summaries of placed pods whose node the snapshot does not have (not seen yet, or
    /// deleted): node → pods, put back when the node (re)appears.
    detached: BTreeMap<String, Vec<PodSummary>>,
    /// One shared copy of each distinct label set of placed pods.
    label_sets: LabelSets,
    /// Pending pods nominated to a node by preemption: key → (node, summary).
    nominated: BTreeMap<String, (String, PodSummary)>,
    trace: Vec<TraceRecord>,
    /// Pods bound by this scheduler whose binding the watch has not shown yet.
    assumed: BTreeSet<String>,
    /// The scheduler cache, kept up to date pod by pod and node by node.
    snapshot: Snapshot,
    out: VecDeque<ApiRequest>,
    events: EventRecorder,
    /// Whether to write the kube-scheduler-simulator result annotations on each pod. When
    /// off, cycles skip recording the per-node explanation they would show ([`Config::explain`]).
    pub publish_annotations: bool,
    now: Timestamp,
}

/// Where a placed pod is.
#[derive(Clone, Debug, PartialEq, Eq)]
struct PlacedPod {
    node: String,
    /// Its uid once the watch has shown it bound (a preemption event names its victim by
    /// uid).
    uid: Option<String>,
    /// Whether it is being deleted.
    terminating: bool,
}

fn key_of(object: &Object) -> String {
    super::snapshot::join_key(object.namespace(), object.name())
}

fn pod_of(object: &Object) -> Option<&StoredPod> {
    match object {
        Object::Pod(pod) => Some(pod),
        _ => None,
    }
}

fn node_name_of(pod: &StoredPod) -> Option<&str> {
    pod.node_name().filter(|n| !n.is_empty())
}

/// The merge patch that writes a cycle's explanation on the pod: the simulator annotations
/// (moved into the patch, not copied), plus [`OMITTED_NODES_ANNOTATION`] when nodes were
/// left out, or `null` for it when an earlier attempt left some out and this one did not.
fn annotations_patch(explanation: &Explanation, pod: &StoredPod) -> serde_json::Value {
    let mut annotations: BTreeMap<String, serde_json::Value> = explanation
        .simulator_annotations()
        .into_iter()
        .map(|(key, value)| (key, serde_json::Value::String(value)))
        .collect();
    let stale = pod
        .metadata
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key(OMITTED_NODES_ANNOTATION));
    if stale && !annotations.contains_key(OMITTED_NODES_ANNOTATION) {
        annotations.insert(
            OMITTED_NODES_ANNOTATION.to_string(),
            serde_json::Value::Null,
        );
    }
    let annotations: serde_json::Map<String, serde_json::Value> = annotations.into_iter().collect();
    json!({"metadata": {"annotations": annotations}})
}

fn is_ours(pod: &StoredPod) -> bool {
    pod.spec
        .as_ref()
        .and_then(|s| s.scheduler_name.as_deref())
        .is_none_or(|n| n == DEFAULT_SCHEDULER_NAME)
}

impl KubeScheduler {
    /// A scheduler with this profile, drawing tie-breaks from `rng`.
    pub fn new(config: Config, rng: SimRng) -> KubeScheduler {
        KubeScheduler {
            scheduler: Scheduler::new(config),
            rng,
            queue: SchedulingQueue::new(),
            pending: BTreeMap::new(),
            placed: BTreeMap::new(),
            detached: BTreeMap::new(),
            label_sets: LabelSets::default(),
            nominated: BTreeMap::new(),
            trace: Vec::new(),
            assumed: BTreeSet::new(),
            snapshot: Snapshot::default(),
            out: VecDeque::new(),
            events: EventRecorder::new(Reporter::component(DEFAULT_SCHEDULER_NAME)),
            publish_annotations: true,
            now: Timestamp::default(),
        }
    }

    /// Feeds one event of a pod or node watch.
    pub fn handle_watch_event(&mut self, event: &ApiWatchEvent) {
        let object = &event.object;
        let key = key_of(object);
        let now_ms = self.now.as_millis();
        match (object.kind(), event.event_type) {
            (_, WatchEventType::Bookmark) => {}
            (Kind::Node, WatchEventType::Added | WatchEventType::Modified) => {
                let Object::Node(node) = object.as_ref() else {
                    return;
                };
                let Ok(info) = NodeInfo::from_node(node) else {
                    return;
                };
                let added = self.snapshot.get(object.name()).is_none();
                self.snapshot.upsert_node(info);
                if let Some(pods) = added.then(|| self.detached.remove(object.name())).flatten() {
                    for summary in pods {
                        let _ = self.snapshot.add_pod(object.name(), summary);
                    }
                }
                let cluster_event = if added {
                    ClusterEvent::NodeAdded
                } else {
                    ClusterEvent::NodeUpdated
                };
                self.queue.handle_cluster_event(cluster_event, now_ms);
            }
            (Kind::Node, WatchEventType::Deleted) => {
                if let Some(removed) = self.snapshot.remove_node(object.name()) {
                    if !removed.pods.is_empty() {
                        self.detached
                            .entry(object.name().to_string())
                            .or_default()
                            .extend(removed.pods);
                    }
                }
            }
            (Kind::Pod, WatchEventType::Added | WatchEventType::Modified) => {
                let Some(pod) = pod_of(object) else { return };
                if let Some(node) = node_name_of(pod) {
                    let finished = matches!(pod.phase(), Some("Succeeded" | "Failed"));
                    let terminating = pod.metadata.deletion_timestamp.is_some();
                    // A status update of a pod the cache already holds as it is: nothing
                    // to do (it left the queue, pending and nominated pods when the watch
                    // first showed it bound).
                    let unchanged = !finished
                        && self
                            .placed
                            .get(&key)
                            .is_some_and(|p| p.node == node && p.terminating == terminating)
                        && !self.assumed.contains(&key);
                    if unchanged {
                        return;
                    }
                    self.pending.remove(&key);
                    self.assumed.remove(&key);
                    self.nominated.remove(&key);
                    self.queue.delete(&key);
                    if finished {
                        self.unplace(&key);
                    } else if self
                        .placed
                        .get(&key)
                        .is_none_or(|p| p.node != node || p.terminating != terminating)
                    {
                        self.unplace(&key);
                        self.place(&key, node, pod);
                    }
                    if let (Some(placed), Some(uid)) =
                        (self.placed.get_mut(&key), &pod.metadata.uid)
                    {
                        if placed.uid.as_ref() != Some(uid) {
                            placed.uid = Some(uid.clone());
                        }
                    }
                } else if is_ours(pod) && pod.metadata.deletion_timestamp.is_none() {
                    if !self.pending.contains_key(&key) && !self.assumed.contains(&key) {
                        self.queue.add(&key, pod_priority(pod), now_ms);
                    }
                    self.pending.insert(key, Arc::clone(object));
                } else {
                    self.pending.remove(&key);
                    self.nominated.remove(&key);
                    self.queue.delete(&key);
                }
            }
            (Kind::Pod, WatchEventType::Deleted) => {
                self.pending.remove(&key);
                self.assumed.remove(&key);
                self.nominated.remove(&key);
                self.queue.delete(&key);
                if self.unplace(&key) {
                    self.queue
                        .handle_cluster_event(ClusterEvent::AssignedPodDeleted, now_ms);
                }
            }
            _ => {}
        }
    }

    /// Records a pod on a node (reserving it, or as the watch shows it bound).
    fn place(&mut self, key: &str, node: &str, pod: &StoredPod) {
        let labels = self.label_sets.intern(pod.metadata.labels.as_ref());
        let Ok(summary) = PodSummary::from_pod_with_labels(pod, labels) else {
            return;
        };
        let terminating = summary.terminating;
        if self.snapshot.get(node).is_some() {
            let _ = self.snapshot.add_pod(node, summary);
        } else {
            self.detached
                .entry(node.to_string())
                .or_default()
                .push(summary);
        }
        self.placed.insert(
            key.to_string(),
            PlacedPod {
                node: node.to_string(),
                uid: None,
                terminating,
            },
        );
    }

    /// Forgets a placed pod; returns whether it was placed.
    fn unplace(&mut self, key: &str) -> bool {
        let Some(placed) = self.placed.remove(key) else {
            return false;
        };
        let (namespace, name) = key.split_once('/').unwrap_or(("", key));
        let removed = self
            .snapshot
            .remove_pod(&placed.node, namespace, name)
            .or_else(|| {
                let pods = self.detached.get_mut(&placed.node)?;
                let index = pods
                    .iter()
                    .position(|p| p.namespace == namespace && p.name == name)?;
                let summary = pods.remove(index);
                if pods.is_empty() {
                    self.detached.remove(&placed.node);
                }
                Some(summary)
            });
        if let Some(summary) = removed {
            self.label_sets.release(&summary.labels);
        }
        true
    }

    /// The scheduler cache, its nodes in name order.
    fn fresh_snapshot(&mut self) -> &Snapshot {
        self.snapshot.order_nodes();
        &self.snapshot
    }

    fn event(&mut self, object: &Object, event_type: EventType, reason: &str, message: &str) {
        let event = self.events.record_compact(
            self.now,
            involved_ref(object),
            event_type,
            reason,
            message.to_string(),
        );
        self.out.push_back(ApiRequest::Create {
            namespace: event.metadata.namespace.clone().unwrap_or_default(),
            object: Object::from(event),
        });
    }

    /// Runs scheduling cycles for every pod that is due.
    pub fn handle_tick(&mut self, now: Timestamp) {
        self.now = now;
        let now_ms = now.as_millis();
        self.queue.handle_tick(now_ms);
        // The per-node explanation is only worth recording when it is published.
        self.scheduler.config.explain = self.publish_annotations;
        while let Some(queued) = self.queue.pop(now_ms) {
            let Some(object) = self.pending.get(&queued.key).cloned() else {
                self.queue.done(&queued.key);
                continue;
            };
            let Some(pod) = pod_of(&object) else { continue };
            self.fresh_snapshot();
            let result = match self.snapshot_with_nominated_pods(&queued.key, pod) {
                Some(snapshot) => self.scheduler.schedule_one(pod, &snapshot, &mut self.rng),
                None => self
                    .scheduler
                    .schedule_one(pod, &self.snapshot, &mut self.rng),
            };
            let namespace = object.namespace().to_string();
            let name = object.name().to_string();
            if self.publish_annotations {
                let patch = annotations_patch(&result.explanation, pod);
                self.out.push_back(ApiRequest::Patch {
                    kind: Kind::Pod,
                    namespace: namespace.clone(),
                    name: name.clone(),
                    patch_type: PatchType::MergePatch,
                    patch,
                    status: false,
                });
            }
            match &result.decision {
                Decision::Scheduled { node } => {
                    self.assumed.insert(queued.key.clone());
                    self.place(&queued.key, node, pod);
                    self.queue.done(&queued.key);
                    self.out.push_back(ApiRequest::Bind {
                        namespace: namespace.clone(),
                        binding: Box::new(Binding {
                            metadata: ObjectMeta {
                                name: Some(name.clone()),
                                namespace: Some(namespace.clone()),
                                ..ObjectMeta::default()
                            },
                            target: ObjectReference {
                                kind: Some("Node".to_string()),
                                name: Some(node.clone()),
                                ..ObjectReference::default()
                            },
                        }),
                    });
                    let message = format!("Successfully assigned {namespace}/{name} to {node}");
                    self.event(&object, EventType::Normal, "Scheduled", &message);
                }
                Decision::Unschedulable { .. }
                | Decision::NoNodesAvailable
                | Decision::Error(_) => {
                    let message = result.failure_message().unwrap_or_default();
                    let mut status = json!({"conditions": [{
                        "type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                        "message": message, "lastTransitionTime": now.to_rfc3339(),
                    }]});
                    let was_nominated = pod
                        .status
                        .as_ref()
                        .and_then(|s| s.nominated_node_name())
                        .is_some_and(|n| !n.is_empty());
                    let nomination = match &result.explanation.post_filter {
                        Some(PostFilterResult::Nominated(nomination)) => {
                            status["nominatedNodeName"] = json!(nomination.chosen.node);
                            Some(nomination.clone())
                        }
                        // Preemption cannot help anywhere: the nomination is void
                        // (`ModeOverride` with no node).
                        Some(PostFilterResult::NoCandidate { .. }) => {
                            if was_nominated {
                                status["nominatedNodeName"] = serde_json::Value::Null;
                            }
                            self.nominated.remove(&queued.key);
                            None
                        }
                        Some(PostFilterResult::NotEligible { .. }) | None => None,
                    };
                    self.out.push_back(ApiRequest::Patch {
                        kind: Kind::Pod,
                        namespace: namespace.clone(),
                        name: name.clone(),
                        patch_type: PatchType::StrategicMergePatch,
                        patch: json!({ "status": status }),
                        status: true,
                    });
                    self.event(&object, EventType::Warning, "FailedScheduling", &message);
                    if let Some(nomination) = nomination {
                        self.preempt(&queued.key, &object, pod, &nomination);
                    }
                    self.queue.add_unschedulable(queued, now_ms);
                }
            }
        }
    }

    /// The snapshot with the nominated pods that outrank (or equal) `pod` counted on their
    /// nodes (`addNominatedPods`), or `None` when there are none and the cache is the answer.
    fn snapshot_with_nominated_pods(&self, key: &str, pod: &StoredPod) -> Option<Snapshot> {
        let priority = pod_priority(pod);
        let mut ahead = self
            .nominated
            .iter()
            .filter(|(k, (_, summary))| k.as_str() != key && summary.priority >= priority)
            .peekable();
        ahead.peek()?;
        let mut snapshot = self.snapshot.clone();
        for (_, (node, summary)) in ahead {
            let _ = snapshot.add_pod(node, summary.clone());
        }
        Some(snapshot)
    }

    /// `prepareCandidate`: evicts the victims of a nomination and nominates the preemptor.
    fn preempt(&mut self, key: &str, object: &Object, pod: &StoredPod, nomination: &Nomination) {
        let node = nomination.chosen.node.clone();
        let preemptor_uid = pod.metadata.uid.clone().unwrap_or_default();
        let scheduler_name = pod
            .spec
            .as_ref()
            .and_then(|s| s.scheduler_name.clone())
            .unwrap_or_else(|| DEFAULT_SCHEDULER_NAME.to_string());
        for (namespace, name, _) in &nomination.chosen.victims {
            let victim_key = format!("{namespace}/{name}");
            let already_going = self
                .placed
                .get(&victim_key)
                .is_some_and(|placed| placed.terminating);
            if already_going {
                // Graceful deletion is under way: nothing more to send.
                continue;
            }
            self.out.push_back(ApiRequest::Patch {
                kind: Kind::Pod,
                namespace: namespace.clone(),
                name: name.clone(),
                patch_type: PatchType::StrategicMergePatch,
                patch: json!({"status": {"conditions": [{
                    "type": DISRUPTION_TARGET, "status": "True",
                    "reason": PREEMPTION_BY_SCHEDULER,
                    "message": format!("{scheduler_name}: preempting to accommodate a higher priority pod"),
                    "lastTransitionTime": self.now.to_rfc3339(),
                }]}}),
                status: true,
            });
            self.out.push_back(ApiRequest::Delete {
                kind: Kind::Pod,
                namespace: namespace.clone(),
                name: name.clone(),
                options: DeleteOptions::default(),
            });
            let regarding = ObjectReference {
                api_version: Some("v1".to_string()),
                kind: Some("Pod".to_string()),
                namespace: Some(namespace.clone()),
                name: Some(name.clone()),
                uid: self.placed.get(&victim_key).and_then(|p| p.uid.clone()),
                ..ObjectReference::default()
            };
            let mut event = self.events.record(
                self.now,
                regarding,
                EventType::Normal,
                PREEMPTED_REASON,
                format!("Preempted by pod {preemptor_uid} on node {node}"),
            );
            event.related = Some(object_reference(object));
            event.action = Some("Preempting".to_string());
            self.out.push_back(ApiRequest::Create {
                namespace: namespace.clone(),
                object: Object::from(event),
            });
        }
        // Lower-priority pods nominated to the same node lose their claim on it.
        let priority = pod_priority(pod);
        let outranked: Vec<String> = self
            .nominated
            .iter()
            .filter(|(k, (n, s))| k.as_str() != key && *n == node && s.priority < priority)
            .map(|(k, _)| k.clone())
            .collect();
        for other in outranked {
            self.nominated.remove(&other);
            if let Some((namespace, name)) = other.split_once('/') {
                self.out.push_back(ApiRequest::Patch {
                    kind: Kind::Pod,
                    namespace: namespace.to_string(),
                    name: name.to_string(),
                    patch_type: PatchType::MergePatch,
                    patch: json!({"status": {"nominatedNodeName": null}}),
                    status: true,
                });
            }
        }
        if let Ok(summary) = PodSummary::from_pod(pod) {
            self.nominated
                .insert(key.to_string(), (node.clone(), summary));
        }
        self.trace.push(TraceRecord::Note {
            at: self.now,
            component: TRACE_COMPONENT.to_string(),
            message: format!(
                "preemption: {key} (priority {priority}) nominated to {node}, evicting {}; {}",
                nomination.chosen.victims_text(),
                nomination.why_this_node()
            ),
        });
    }

    /// The next request to send to the API server.
    pub fn poll_api_request(&mut self) -> Option<ApiRequest> {
        let request = self.out.pop_front();
        if request.is_none() {
            // A start-up burst queues a Binding per pod at once; keep none of that room.
            crate::kubelet::release_burst_capacity(&mut self.out);
        }
        request
    }

    /// Drains the trace notes written since the last call (one per preemption: who was
    /// nominated where, which victims, and why that node).
    pub fn poll_trace(&mut self) -> Vec<TraceRecord> {
        std::mem::take(&mut self.trace)
    }

    /// The pending pods nominated to a node by preemption: key → node.
    pub fn nominated_pods(&self) -> BTreeMap<String, String> {
        self.nominated
            .iter()
            .map(|(k, (node, _))| (k.clone(), node.clone()))
            .collect()
    }

    /// When the scheduler next needs a tick (a backoff expiring, the periodic flush).
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        self.queue.poll_timeout_ms().map(Timestamp::from_millis)
    }

    /// The keys (`namespace/name`) of pods waiting to be scheduled.
    pub fn pending_pods(&self) -> BTreeSet<String> {
        self.pending.keys().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::{ApiServer, ListOptions, WatchOptions};
    use crate::sim::clock::SIM_EPOCH;
    use std::time::Duration;

    fn node(name: &str, cpu: &str, unschedulable: bool) -> Object {
        Object::from_value(json!({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
            "spec": {"unschedulable": unschedulable},
            "status": {"allocatable": {"cpu": cpu, "memory": "4Gi", "pods": "110"},
                       "capacity": {"cpu": cpu, "memory": "4Gi", "pods": "110"}}
        }))
        .unwrap()
    }

    fn pod(name: &str, cpu: &str) -> Object {
        Object::from_value(json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.25",
                      "resources": {"requests": {"cpu": cpu}}}]}
        }))
        .unwrap()
    }

    /// Runs the scheduler against the API server until it has nothing left to say.
    fn settle(
        api: &mut ApiServer,
        scheduler: &mut KubeScheduler,
        watches: &[crate::apiserver::ApiWatchId],
        now: Timestamp,
    ) {
        for _ in 0..10 {
            for id in watches {
                for event in api.poll_watch(*id).unwrap() {
                    scheduler.handle_watch_event(&event);
                }
            }
            scheduler.handle_tick(now);
            let mut sent = false;
            while let Some(request) = scheduler.poll_api_request() {
                api.handle(request).unwrap();
                sent = true;
            }
            if !sent {
                return;
            }
        }
    }

    fn events(api: &mut ApiServer, reason: &str) -> Vec<String> {
        api.list(Kind::Event, None, &ListOptions::default())
            .unwrap()
            .items
            .iter()
            .filter_map(|o| match o.as_ref() {
                Object::Event(e) if e.reason() == Some(reason) => e.message().map(str::to_string),
                _ => None,
            })
            .collect()
    }

    fn setup(nodes: &[Object]) -> (ApiServer, KubeScheduler, Vec<crate::apiserver::ApiWatchId>) {
        let mut api = ApiServer::new(1, SIM_EPOCH);
        for n in nodes {
            api.create("", n.clone()).unwrap();
        }
        let watches = vec![
            api.watch(Kind::Node, None, &WatchOptions::default())
                .unwrap(),
            api.watch(Kind::Pod, None, &WatchOptions::default())
                .unwrap(),
        ];
        (
            api,
            KubeScheduler::new(Config::default(), SimRng::seed_from(1)),
            watches,
        )
    }

    #[test]
    fn pending_pods_are_bound_with_a_scheduled_event_and_the_simulator_annotations() {
        let (mut api, mut scheduler, watches) =
            setup(&[node("node-1", "2", false), node("node-2", "2", false)]);
        api.create("default", pod("web", "500m")).unwrap();
        settle(&mut api, &mut scheduler, &watches, SIM_EPOCH);
        let bound = api.get(Kind::Pod, "default", "web").unwrap().to_value();
        let node = bound["spec"]["nodeName"].as_str().unwrap().to_string();
        assert!(node == "node-1" || node == "node-2");
        assert!(bound["metadata"]["annotations"]["scheduler-simulator/filter-result"].is_string());
        assert_eq!(
            events(&mut api, "Scheduled"),
            [format!("Successfully assigned default/web to {node}")]
        );
    }

    #[test]
    fn a_pod_that_fits_nowhere_gets_failed_scheduling_and_is_retried_when_a_node_joins() {
        let (mut api, mut scheduler, watches) = setup(&[
            node("node-1", "2", true),
            node("node-2", "1", false),
            node("node-3", "1", false),
        ]);
        api.create("default", pod("big", "1500m")).unwrap();
        settle(&mut api, &mut scheduler, &watches, SIM_EPOCH);
        assert_eq!(
            events(&mut api, "FailedScheduling"),
            ["0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod."]
        );
        let pending = api.get(Kind::Pod, "default", "big").unwrap().to_value();
        assert_eq!(
            pending["status"]["conditions"][0]["reason"],
            "Unschedulable"
        );
        api.create("", node("node-4", "4", false)).unwrap();
        settle(
            &mut api,
            &mut scheduler,
            &watches,
            SIM_EPOCH.plus(Duration::from_secs(1)),
        );
        let bound = api.get(Kind::Pod, "default", "big").unwrap().to_value();
        assert_eq!(bound["spec"]["nodeName"], "node-4");
    }

    /// Creates the PriorityClass `high` (value 1000) and a pod of that class asking for `cpu`.
    fn create_high_priority_pod(api: &mut ApiServer, name: &str, cpu: &str) -> Arc<Object> {
        api.create(
            "",
            Object::from_value(json!({
                "apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
                "metadata": {"name": "high"}, "value": 1000,
            }))
            .unwrap(),
        )
        .unwrap();
        let mut important = pod(name, cpu).to_value();
        important["spec"]["priorityClassName"] = json!("high");
        api.create("default", Object::from_value(important).unwrap())
            .unwrap()
    }

    #[test]
    fn a_high_priority_pod_preempts_a_low_one_is_nominated_and_bound_once_the_victim_is_gone() {
        let (mut api, mut scheduler, watches) = setup(&[node("node-1", "1", false)]);
        api.create("default", pod("low", "800m")).unwrap();
        settle(&mut api, &mut scheduler, &watches, SIM_EPOCH);
        let important = create_high_priority_pod(&mut api, "important", "500m");
        let uid = important.metadata().uid.clone().unwrap_or_default();
        settle(&mut api, &mut scheduler, &watches, SIM_EPOCH);

        let waiting = api
            .get(Kind::Pod, "default", "important")
            .unwrap()
            .to_value();
        assert_eq!(
            waiting["status"]["nominatedNodeName"], "node-1",
            "{waiting}"
        );
        assert!(waiting["spec"]["nodeName"].is_null());
        let victim = api.get(Kind::Pod, "default", "low").unwrap().to_value();
        assert!(
            victim["metadata"]["deletionTimestamp"].is_string(),
            "{victim}"
        );
        let conditions = victim["status"]["conditions"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(
            conditions.iter().any(|c| c["type"] == "DisruptionTarget"
                && c["reason"] == "PreemptionByScheduler"
                && c["message"]
                    == "default-scheduler: preempting to accommodate a higher priority pod"),
            "{victim}"
        );
        assert_eq!(
            events(&mut api, "Preempted"),
            [format!("Preempted by pod {uid} on node node-1")]
        );
        let notes: Vec<String> = scheduler
            .poll_trace()
            .into_iter()
            .filter_map(|r| match r {
                TraceRecord::Note { message, .. } => Some(message),
                _ => None,
            })
            .collect();
        assert_eq!(
            notes,
            [
                "preemption: default/important (priority 1000) nominated to node-1, evicting \
              default/low (priority 0); node-1 is the only node where preemption makes room"
            ]
        );

        // The kubelet would finish the victim after its grace period; here it is forced.
        let force = DeleteOptions {
            grace_period_seconds: Some(0),
            ..DeleteOptions::default()
        };
        api.delete(Kind::Pod, "default", "low", &force).unwrap();
        settle(
            &mut api,
            &mut scheduler,
            &watches,
            SIM_EPOCH.plus(Duration::from_secs(5)),
        );
        let bound = api
            .get(Kind::Pod, "default", "important")
            .unwrap()
            .to_value();
        assert_eq!(bound["spec"]["nodeName"], "node-1", "{bound}");
        assert!(scheduler.nominated_pods().is_empty());
    }

    #[test]
    fn a_nominated_pod_keeps_the_freed_room_from_a_lower_priority_newcomer() {
        let (mut api, mut scheduler, watches) = setup(&[node("node-1", "1", false)]);
        api.create("default", pod("low", "800m")).unwrap();
        settle(&mut api, &mut scheduler, &watches, SIM_EPOCH);
        create_high_priority_pod(&mut api, "important", "500m");
        settle(&mut api, &mut scheduler, &watches, SIM_EPOCH);
        let force = DeleteOptions {
            grace_period_seconds: Some(0),
            ..DeleteOptions::default()
        };
        api.delete(Kind::Pod, "default", "low", &force).unwrap();
        // A replacement arrives at once, before the preemptor's back-off is over.
        api.create("default", pod("replacement", "800m")).unwrap();
        settle(
            &mut api,
            &mut scheduler,
            &watches,
            SIM_EPOCH.plus(Duration::from_millis(100)),
        );
        let newcomer = api
            .get(Kind::Pod, "default", "replacement")
            .unwrap()
            .to_value();
        assert!(newcomer["spec"]["nodeName"].is_null(), "{newcomer}");
        settle(
            &mut api,
            &mut scheduler,
            &watches,
            SIM_EPOCH.plus(Duration::from_secs(5)),
        );
        let bound = api
            .get(Kind::Pod, "default", "important")
            .unwrap()
            .to_value();
        assert_eq!(bound["spec"]["nodeName"], "node-1", "{bound}");
    }

    #[test]
    fn assumed_pods_count_against_a_node_before_the_watch_shows_them() {
        let (mut api, mut scheduler, watches) =
            setup(&[node("node-1", "1", false), node("node-2", "1", false)]);
        api.create("default", pod("a", "800m")).unwrap();
        api.create("default", pod("b", "800m")).unwrap();
        settle(&mut api, &mut scheduler, &watches, SIM_EPOCH);
        let a = api.get(Kind::Pod, "default", "a").unwrap().to_value();
        let b = api.get(Kind::Pod, "default", "b").unwrap().to_value();
        assert!(a["spec"]["nodeName"].is_string() && b["spec"]["nodeName"].is_string());
        assert_ne!(a["spec"]["nodeName"], b["spec"]["nodeName"]);
    }

    #[test]
    fn the_omitted_nodes_annotation_is_written_when_nodes_were_left_out_and_cleared_after() {
        let left_out = Explanation {
            omitted: crate::scheduler::explain::OmittedNodes {
                count: 3,
                feasible: 3,
                reasons: BTreeMap::new(),
            },
            ..Explanation::default()
        };
        let complete = Explanation::default();
        let fresh = StoredPod::default();
        let mut marked = StoredPod::default();
        marked.metadata_mut().annotations = Some(BTreeMap::from([(
            OMITTED_NODES_ANNOTATION.to_string(),
            "{}".to_string(),
        )]));
        let cases = [
            (
                &left_out,
                &fresh,
                json!(r#"{"count":3,"feasible":3,"reasons":{}}"#),
            ),
            (&complete, &marked, serde_json::Value::Null),
        ];
        for (explanation, pod, expected) in cases {
            let patch = annotations_patch(explanation, pod);
            assert_eq!(
                patch["metadata"]["annotations"][OMITTED_NODES_ANNOTATION], expected,
                "{patch}"
            );
            assert!(
                patch["metadata"]["annotations"]["scheduler-simulator/filter-result"].is_string()
            );
        }
        let untouched = annotations_patch(&complete, &fresh);
        let keys: Vec<&String> = untouched["metadata"]["annotations"]
            .as_object()
            .map(|a| a.keys().collect())
            .unwrap_or_default();
        assert_eq!(
            keys,
            [
                "scheduler-simulator/filter-result",
                "scheduler-simulator/finalscore-result",
                "scheduler-simulator/score-result"
            ],
            "a small cluster's patch is exactly the simulator's three annotations"
        );
    }

    /// Bytes of explanation annotations the scheduler writes per pod when it places `pods`
    /// pods onto `nodes` empty nodes (the scheduler bench's cluster).
    fn annotation_bytes_per_pod(config: Config, nodes: usize, pods: usize) -> usize {
        let mut scheduler = KubeScheduler::new(config, SimRng::seed_from(1));
        let added = |object: Object| ApiWatchEvent {
            event_type: WatchEventType::Added,
            object: Arc::new(object),
        };
        for i in 0..nodes {
            let name = format!("node-{i:05}");
            let node = Object::from_value(json!({
                "apiVersion": "v1", "kind": "Node",
                "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
                "status": {"allocatable": {"cpu": "4", "memory": "16Gi", "pods": "110"}}
            }))
            .unwrap();
            scheduler.handle_watch_event(&added(node));
        }
        for i in 0..pods {
            let pod = Object::from_value(json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": format!("web-{i:04}"), "namespace": "default",
                             "labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.25",
                         "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}
            }))
            .unwrap();
            scheduler.handle_watch_event(&added(pod));
        }
        scheduler.handle_tick(SIM_EPOCH);
        let mut bytes = 0;
        while let Some(request) = scheduler.poll_api_request() {
            if let ApiRequest::Patch {
                patch,
                status: false,
                ..
            } = request
            {
                let annotations = patch["metadata"]["annotations"].as_object().cloned();
                bytes += annotations
                    .iter()
                    .flatten()
                    .map(|(key, value)| key.len() + value.as_str().map_or(0, str::len))
                    .sum::<usize>();
            }
        }
        bytes / pods
    }

    #[test]
    fn at_1000_nodes_the_cap_keeps_each_pods_annotations_a_fraction_of_the_full_listing() {
        let capped = annotation_bytes_per_pod(Config::default(), 1_000, 20);
        let full = annotation_bytes_per_pod(
            Config {
                explain_max_nodes: usize::MAX,
                ..Config::default()
            },
            1_000,
            20,
        );
        // 420 nodes evaluated per pod; 100 listed.
        eprintln!("annotation bytes per pod at 1,000 nodes: {full} listing all, {capped} capped");
        assert!(capped * 4 < full, "{capped} capped vs {full} in full");
        assert!(capped < 64 * 1024, "{capped} bytes");
    }
}
