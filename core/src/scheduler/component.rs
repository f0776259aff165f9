//! kube-scheduler as a running component: it watches pods and nodes, queues the pending
//! pods addressed to `default-scheduler`, and for each one runs the framework over a fresh
//! snapshot, then returns what kube-scheduler would send: the annotations with its reasons
//! (for tools built on kube-scheduler-simulator), the `pods/binding`, and a `Scheduled` or
//! `FailedScheduling` event with the real message.
//!
//! Sans-IO: the host feeds watch events in ([`KubeScheduler::handle_watch_event`]), ticks it
//! ([`KubeScheduler::handle_tick`]) and drains [`KubeScheduler::poll_api_request`].

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Binding, ObjectReference, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::json;

use crate::api::events::{object_reference, EventRecorder, EventType, Reporter};
use crate::api::objects::{Kind, Object};
use crate::api::patch::PatchType;
use crate::apiserver::{ApiRequest, ApiWatchEvent, WatchEventType};
use crate::sim::clock::Timestamp;
use crate::sim::rng::SimRng;

use super::framework::{Decision, Scheduler};
use super::queue::{ClusterEvent, SchedulingQueue};
use super::snapshot::{pod_priority, NodeInfo, PodSummary, Snapshot};
use super::Config;

/// The scheduler name this component answers to.
pub const DEFAULT_SCHEDULER_NAME: &str = "default-scheduler";

/// The running scheduler.
pub struct KubeScheduler {
    scheduler: Scheduler,
    rng: SimRng,
    queue: SchedulingQueue,
    /// Each node's info without its pods.
    node_infos: BTreeMap<String, NodeInfo>,
    pending: BTreeMap<String, Arc<Object>>,
    /// Pods on nodes (bound, or assumed by this scheduler before the watch shows the
    /// binding): key → (node, summary).
    placed: BTreeMap<String, (String, PodSummary)>,
    /// Pods bound by this scheduler whose binding the watch has not shown yet.
    assumed: BTreeSet<String>,
    /// The scheduler cache, kept up to date pod by pod; rebuilt when nodes change.
    snapshot: Snapshot,
    snapshot_stale: bool,
    out: VecDeque<ApiRequest>,
    events: EventRecorder,
    /// Whether to write the kube-scheduler-simulator result annotations on each pod.
    pub publish_annotations: bool,
    now: Timestamp,
}

fn key_of(object: &Object) -> String {
    format!("{}/{}", object.namespace(), object.name())
}

fn pod_of(object: &Object) -> Option<&Pod> {
    match object {
        Object::Pod(pod) => Some(pod),
        _ => None,
    }
}

fn node_name_of(pod: &Pod) -> Option<&str> {
    pod.spec
        .as_ref()
        .and_then(|s| s.node_name.as_deref())
        .filter(|n| !n.is_empty())
}

fn is_ours(pod: &Pod) -> bool {
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
            node_infos: BTreeMap::new(),
            pending: BTreeMap::new(),
            placed: BTreeMap::new(),
            assumed: BTreeSet::new(),
            snapshot: Snapshot::default(),
            snapshot_stale: false,
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
                let added = self
                    .node_infos
                    .insert(object.name().to_string(), info)
                    .is_none();
                self.snapshot_stale = true;
                let cluster_event = if added {
                    ClusterEvent::NodeAdded
                } else {
                    ClusterEvent::NodeUpdated
                };
                self.queue.handle_cluster_event(cluster_event, now_ms);
            }
            (Kind::Node, WatchEventType::Deleted) => {
                self.node_infos.remove(object.name());
                self.snapshot_stale = true;
            }
            (Kind::Pod, WatchEventType::Added | WatchEventType::Modified) => {
                let Some(pod) = pod_of(object) else { return };
                if let Some(node) = node_name_of(pod) {
                    self.pending.remove(&key);
                    self.assumed.remove(&key);
                    self.queue.delete(&key);
                    let finished = matches!(
                        pod.status.as_ref().and_then(|s| s.phase.as_deref()),
                        Some("Succeeded" | "Failed")
                    );
                    if finished {
                        self.unplace(&key);
                    } else if self.placed.get(&key).is_none_or(|(n, _)| n != node) {
                        self.unplace(&key);
                        if let Ok(summary) = PodSummary::from_pod(pod) {
                            self.place(&key, node, summary);
                        }
                    }
                } else if is_ours(pod) && pod.metadata.deletion_timestamp.is_none() {
                    if !self.pending.contains_key(&key) && !self.assumed.contains(&key) {
                        self.queue.add(&key, pod_priority(pod), now_ms);
                    }
                    self.pending.insert(key, Arc::clone(object));
                } else {
                    self.pending.remove(&key);
                    self.queue.delete(&key);
                }
            }
            (Kind::Pod, WatchEventType::Deleted) => {
                self.pending.remove(&key);
                self.assumed.remove(&key);
                self.queue.delete(&key);
                if self.unplace(&key) {
                    self.queue
                        .handle_cluster_event(ClusterEvent::AssignedPodDeleted, now_ms);
                }
            }
            _ => {}
        }
    }

    fn place(&mut self, key: &str, node: &str, summary: PodSummary) {
        if !self.snapshot_stale {
            let _ = self.snapshot.add_pod(node, summary.clone());
        }
        self.placed
            .insert(key.to_string(), (node.to_string(), summary));
    }

    fn unplace(&mut self, key: &str) -> bool {
        let Some((node, summary)) = self.placed.remove(key) else {
            return false;
        };
        if !self.snapshot_stale {
            self.snapshot
                .remove_pod(&node, &summary.namespace, &summary.name);
        }
        true
    }

    /// The scheduler cache, rebuilt from the node infos and placed pods when nodes changed.
    fn fresh_snapshot(&mut self) -> &Snapshot {
        if self.snapshot_stale {
            let mut snapshot = Snapshot::new(self.node_infos.values().cloned());
            for (node, summary) in self.placed.values() {
                let _ = snapshot.add_pod(node, summary.clone());
            }
            self.snapshot = snapshot;
            self.snapshot_stale = false;
        }
        &self.snapshot
    }

    fn event(&mut self, object: &Object, event_type: EventType, reason: &str, message: &str) {
        let event = self.events.record(
            self.now,
            object_reference(object),
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
        while let Some(queued) = self.queue.pop(now_ms) {
            let Some(object) = self.pending.get(&queued.key).cloned() else {
                self.queue.done(&queued.key);
                continue;
            };
            let Some(pod) = pod_of(&object) else { continue };
            self.fresh_snapshot();
            let result = self
                .scheduler
                .schedule_one(pod, &self.snapshot, &mut self.rng);
            let namespace = object.namespace().to_string();
            let name = object.name().to_string();
            if self.publish_annotations {
                let annotations = result.explanation.simulator_annotations();
                self.out.push_back(ApiRequest::Patch {
                    kind: Kind::Pod,
                    namespace: namespace.clone(),
                    name: name.clone(),
                    patch_type: PatchType::MergePatch,
                    patch: json!({"metadata": {"annotations": annotations}}),
                    status: false,
                });
            }
            match &result.decision {
                Decision::Scheduled { node } => {
                    self.assumed.insert(queued.key.clone());
                    if let Ok(summary) = PodSummary::from_pod(pod) {
                        self.place(&queued.key, node, summary);
                    }
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
                    self.out.push_back(ApiRequest::Patch {
                        kind: Kind::Pod,
                        namespace: namespace.clone(),
                        name: name.clone(),
                        patch_type: PatchType::StrategicMergePatch,
                        patch: json!({"status": {"conditions": [{
                            "type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                            "message": message, "lastTransitionTime": now.to_rfc3339(),
                        }]}}),
                        status: true,
                    });
                    self.event(&object, EventType::Warning, "FailedScheduling", &message);
                    self.queue.add_unschedulable(queued, now_ms);
                }
            }
        }
    }

    /// The next request to send to the API server.
    pub fn poll_api_request(&mut self) -> Option<ApiRequest> {
        self.out.pop_front()
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
                Object::Event(e) if e.reason.as_deref() == Some(reason) => e.message.clone(),
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
}
