//! The ReplicaSet controller (and, through [`crate::controllers::replication_controller`],
//! the ReplicationController controller): Kubernetes' `replica_set.go` as a reconciler.
//!
//! [`ReplicaSetController::sync`] reads one ReplicaSet and every pod of its namespace from the
//! [`InformerCache`] and returns the requests that move the world towards `replicas` pods:
//!
//! 1. claim pods — adopt any active orphan whose labels match (even one made by hand), release
//!    owned pods whose labels stopped matching;
//! 2. if the expectations are satisfied, create the missing pods from the template
//!    (`generateName: <name>-`, controller ownerReference) in slow-start batches of 1, 2, 4, …
//!    (each batch goes out when the host has reported the previous one with
//!    [`ReplicaSetController::handle_result`]), or delete the surplus, lowest ranked first;
//! 3. write `status` (replicas, fullyLabeledReplicas, readyReplicas, availableReplicas,
//!    observedGeneration) when it changed, and say when to look again (when the next ready pod
//!    passes `minReadySeconds`).
//!
//! The controller keeps nothing but expectations and the batches still to send.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::{Pod, PodTemplateSpec};

use crate::api::labels::Selector;
use crate::api::objects::{Kind, Object, StoredPod};
use crate::apiserver::{ApiError, ApiRequest, DeleteOptions};
use crate::sim::clock::Timestamp;

use super::cache::{controller_ref, InformerCache, ObjectKey};
use super::controller_utils::{
    adopt_patch, adopted, as_pod, claim_decision, is_pod_active, is_pod_available, is_pod_ready,
    pod_from_template, pod_ready_since, pods_to_delete, release_patch, ClaimDecision, Owner,
};
use super::events::{EventRecorder, EventType};
use super::expectations::ControllerExpectations;
use super::replication_controller;
use super::Reconciled;

#[cfg(test)]
mod tests;

/// The most pods one sync creates or deletes (Kubernetes' `BurstReplicas`).
pub const BURST_REPLICAS: usize = 500;

/// The first slow-start batch (`SlowStartInitialBatchSize`).
pub const SLOW_START_INITIAL_BATCH_SIZE: usize = 1;

/// The component name in events.
pub const COMPONENT: &str = "replicaset-controller";

/// The counts a ReplicaSet's (or ReplicationController's) status reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReplicaCounts {
    /// Active pods the controller owns.
    pub replicas: i32,
    /// Of those, pods carrying every label of the template.
    pub fully_labeled_replicas: i32,
    /// Ready pods.
    pub ready_replicas: i32,
    /// Pods ready for at least `minReadySeconds`.
    pub available_replicas: i32,
    /// The generation the status describes.
    pub observed_generation: i64,
}

/// What the controller needs of a ReplicaSet or ReplicationController.
#[derive(Clone, Debug)]
pub struct ReplicaSetView {
    /// The stored object.
    pub object: Arc<Object>,
    /// Its identity as an owner.
    pub owner: Owner,
    /// `spec.replicas` (default 1).
    pub replicas: i32,
    /// `spec.minReadySeconds`.
    pub min_ready_seconds: i32,
    /// The pod selector (set-based for ReplicaSets, equality for ReplicationControllers).
    pub selector: Selector,
    /// `metadata.generation`.
    pub generation: i64,
    /// The status as stored.
    pub counts: ReplicaCounts,
}

impl ReplicaSetView {
    /// The view of a ReplicaSet or ReplicationController (None for other kinds, or a
    /// ReplicaSet whose selector does not parse).
    pub fn of(object: &Arc<Object>) -> Option<ReplicaSetView> {
        match object.as_ref() {
            Object::ReplicationController(rc) => Some(replication_controller::view(object, rc)),
            Object::ReplicaSet(rs) => {
                // Read in place: the template stays in the object (see `template`).
                let spec = rs.spec.as_ref();
                let no_selector = Default::default();
                let selector = Selector::from_label_selector(Some(
                    spec.map_or(&no_selector, |spec| &spec.selector),
                ))
                .ok()?;
                let status = rs.status.as_ref();
                Some(ReplicaSetView {
                    object: Arc::clone(object),
                    owner: Owner::of(object),
                    replicas: spec.and_then(|s| s.replicas).unwrap_or(1),
                    min_ready_seconds: spec.and_then(|s| s.min_ready_seconds).unwrap_or(0),
                    selector,
                    generation: rs.metadata.generation.unwrap_or(0),
                    counts: ReplicaCounts {
                        replicas: status.map_or(0, |s| s.replicas),
                        fully_labeled_replicas: status
                            .and_then(|s| s.fully_labeled_replicas)
                            .unwrap_or(0),
                        ready_replicas: status.and_then(|s| s.ready_replicas).unwrap_or(0),
                        available_replicas: status.and_then(|s| s.available_replicas).unwrap_or(0),
                        observed_generation: status
                            .and_then(|s| s.observed_generation)
                            .unwrap_or(0),
                    },
                })
            }
            _ => None,
        }
    }

    /// `spec.template`, as stored.
    pub fn template(&self) -> Option<&PodTemplateSpec> {
        match self.object.as_ref() {
            Object::ReplicationController(rc) => rc.spec.as_ref()?.template.as_ref(),
            Object::ReplicaSet(rs) => rs.spec.as_ref()?.template.as_ref(),
            _ => None,
        }
    }

    /// The object with these counts as its status (for `UpdateStatus`).
    pub fn with_status(&self, counts: &ReplicaCounts) -> Object {
        match self.object.as_ref() {
            Object::ReplicationController(rc) => replication_controller::with_status(rc, counts),
            Object::ReplicaSet(rs) => {
                let mut rs = rs.as_ref().clone();
                let status = rs.status.get_or_insert_with(Default::default);
                status.replicas = counts.replicas;
                status.fully_labeled_replicas = Some(counts.fully_labeled_replicas);
                status.ready_replicas = Some(counts.ready_replicas);
                status.available_replicas = Some(counts.available_replicas);
                status.observed_generation = Some(counts.observed_generation);
                Object::from(rs)
            }
            other => other.clone(),
        }
    }
}

/// `spec.minReadySeconds` of a ReplicaSet or ReplicationController (0 for other kinds), read
/// without building a [`ReplicaSetView`] (pod events need only this).
fn min_ready_seconds(object: &Object) -> i32 {
    match object {
        Object::ReplicationController(rc) => rc.spec.as_ref().and_then(|s| s.min_ready_seconds),
        Object::ReplicaSet(rs) => rs.spec.as_ref().and_then(|s| s.min_ready_seconds),
        _ => None,
    }
    .unwrap_or(0)
}

/// Pod creations of one sync still waiting for their slow-start batch.
#[derive(Clone, Debug, Default)]
struct SlowStart {
    pending: VecDeque<Pod>,
    in_flight: usize,
    last_batch: usize,
    failed: bool,
}

/// The ReplicaSet (or ReplicationController) controller.
#[derive(Clone, Debug)]
pub struct ReplicaSetController {
    kind: Kind,
    expectations: ControllerExpectations,
    slow_starts: BTreeMap<ObjectKey, SlowStart>,
    /// Pods this controller asked to delete, and which controller object asked.
    deleting: BTreeMap<ObjectKey, ObjectKey>,
    recorder: EventRecorder,
}

impl ReplicaSetController {
    /// A controller for `Kind::ReplicaSet` or `Kind::ReplicationController`.
    pub fn new(kind: Kind) -> ReplicaSetController {
        let component = match kind {
            Kind::ReplicationController => replication_controller::COMPONENT,
            _ => COMPONENT,
        };
        ReplicaSetController {
            kind,
            expectations: ControllerExpectations::default(),
            slow_starts: BTreeMap::new(),
            deleting: BTreeMap::new(),
            recorder: EventRecorder::new(component),
        }
    }

    /// The kind this controller manages.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The expectations (for tests and the UI).
    pub fn expectations(&self) -> &ControllerExpectations {
        &self.expectations
    }

    /// The controllers of this kind to wake for a pod change (`addPod` / `updatePod` /
    /// `deletePod`), recording observed creations and deletions on the way. `old` is the
    /// cached state before the event, `new` the state after (None when deleted).
    pub fn handle_pod_event(
        &mut self,
        cache: &InformerCache,
        old: Option<&Object>,
        new: Option<&Object>,
    ) -> Vec<(ObjectKey, Option<Duration>)> {
        let mut wake = Vec::new();
        let gone_or_deleting = match new {
            None => true,
            Some(pod) => pod.metadata().deletion_timestamp.is_some(),
        };
        let Some(current) = new.or(old) else {
            return wake;
        };
        let namespace = current.namespace().to_string();
        let pod_key = ObjectKey::of(current);
        let newly_seen = old.is_none();
        let was_deleting = old.is_some_and(|o| o.metadata().deletion_timestamp.is_some());

        // The controller named in the old controllerRef, if it changed.
        let old_ref = old.and_then(controller_ref);
        let new_ref = new.and_then(controller_ref);
        if let Some(old_ref) = old_ref {
            if new_ref.is_none_or(|n| n.uid != old_ref.uid) {
                if let Some(owner) = cache.resolve_controller_ref(&namespace, old_ref, self.kind) {
                    wake.push((ObjectKey::of(owner), None));
                }
            }
        }
        let reference = new_ref.or(if new.is_none() { old_ref } else { None });
        if let Some(reference) = reference {
            let Some(owner) = cache.resolve_controller_ref(&namespace, reference, self.kind) else {
                return wake;
            };
            let key = ObjectKey::of(owner);
            if gone_or_deleting && !was_deleting {
                self.expectations.deletion_observed(&key, &pod_key);
            } else if newly_seen && !gone_or_deleting {
                self.expectations.creation_observed(&key);
            }
            wake.push((key.clone(), None));
            // A pod that just turned ready becomes available minReadySeconds later.
            let min_ready_seconds = min_ready_seconds(owner);
            if let Some(pod) = new.and_then(as_pod).filter(|_| min_ready_seconds > 0) {
                let was_ready = old.and_then(as_pod).is_some_and(is_pod_ready);
                if !was_ready && is_pod_ready(pod) {
                    let seconds = u64::try_from(min_ready_seconds).unwrap_or(0) + 1;
                    wake.push((key, Some(Duration::from_secs(seconds))));
                }
            }
            return wake;
        }
        // An orphan: every controller whose selector matches may want to adopt it.
        let labels_changed = old.is_none_or(|o| o.labels() != current.labels());
        if new.is_some() && (labels_changed || old_ref.is_some()) {
            for candidate in cache.list(self.kind, Some(&namespace)) {
                if let Some(view) = ReplicaSetView::of(candidate) {
                    if view.selector.matches(current.labels()) {
                        wake.push((ObjectKey::of(candidate), None));
                    }
                }
            }
        }
        wake
    }

    /// Reconciles one object: the requests to send now and when to look again.
    pub fn sync(&mut self, key: &ObjectKey, cache: &InformerCache, now: Timestamp) -> Reconciled {
        let mut out = Reconciled::default();
        let Some(object) = cache.get(self.kind, &key.namespace, &key.name) else {
            self.expectations.delete(key);
            self.slow_starts.remove(key);
            return out;
        };
        let Some(view) = ReplicaSetView::of(object) else {
            return out;
        };
        let needs_sync = self.expectations.satisfied(key, now);
        // One pass over the active pods this ReplicaSet owns or may adopt (pods another
        // controller owns are left alone by the claim, so the cache does not return them):
        // claim each (`claimPods`) and count the claimed ones for the status
        // (`calculateStatus` counts the same claimed pods, after `manageReplicas`, which
        // changes no pod in the cache).
        let mut pods = Vec::new();
        let mut status = StatusCounter::new(&view, now);
        let candidates =
            cache.controlled_by_or_orphaned_iter(Kind::Pod, &key.namespace, &view.owner.uid);
        for object in candidates {
            let Some(pod) = as_pod(object).filter(|p| is_pod_active(p)) else {
                continue;
            };
            match claim_decision(&view.owner, &view.selector, object) {
                ClaimDecision::Keep => {
                    status.count(pod);
                    pods.push(Arc::clone(object));
                }
                ClaimDecision::Adopt => {
                    out.requests.push(adopt_patch(&view.owner, object));
                    let adopted = adopted(&view.owner, object);
                    if let Some(pod) = as_pod(&adopted) {
                        status.count(pod);
                    }
                    pods.push(adopted);
                }
                ClaimDecision::Release => {
                    out.requests.push(release_patch(&view.owner, object));
                }
                ClaimDecision::LeaveAlone => {}
            }
        }

        if needs_sync && !view.owner.deleting {
            self.manage_replicas(key, &view, &pods, cache, now, &mut out);
        }

        let counts = status.counts;
        if counts != view.counts {
            out.requests.push(ApiRequest::UpdateStatus {
                namespace: key.namespace.clone(),
                object: view.with_status(&counts),
            });
        }
        if view.min_ready_seconds > 0
            && counts.ready_replicas == view.replicas
            && counts.available_replicas != view.replicas
        {
            out.requeue_after = next_availability(&view, &pods, now);
        }
        out
    }

    fn manage_replicas(
        &mut self,
        key: &ObjectKey,
        view: &ReplicaSetView,
        pods: &[Arc<Object>],
        cache: &InformerCache,
        now: Timestamp,
        out: &mut Reconciled,
    ) {
        let have = pods.len();
        let want = usize::try_from(view.replicas).unwrap_or(0);
        if have < want {
            let diff = (want - have).min(BURST_REPLICAS);
            let Some(template) = view.template() else {
                return;
            };
            self.expectations.expect_creations(key, diff, now);
            let pending: VecDeque<Pod> = (0..diff)
                .map(|_| pod_from_template(template, &view.owner))
                .collect();
            let mut slow_start = SlowStart {
                pending,
                ..SlowStart::default()
            };
            release_batch(
                &mut slow_start,
                SLOW_START_INITIAL_BATCH_SIZE,
                &mut out.requests,
            );
            self.slow_starts.insert(key.clone(), slow_start);
        } else if have > want {
            let diff = (have - want).min(BURST_REPLICAS);
            let related = related_pods(view, cache);
            let victims = pods_to_delete(pods, &related, diff, now);
            self.expectations.expect_deletions(
                key,
                victims.iter().map(|p| ObjectKey::of(p)).collect(),
                now,
            );
            for victim in victims {
                self.deleting.insert(ObjectKey::of(&victim), key.clone());
                out.requests.push(ApiRequest::Delete {
                    kind: Kind::Pod,
                    namespace: key.namespace.clone(),
                    name: victim.name().to_string(),
                    options: DeleteOptions::default(),
                });
            }
        }
    }

    /// Takes the outcome of a request this controller asked for: records the
    /// `SuccessfulCreate` / `SuccessfulDelete` (or failure) event, lowers expectations for
    /// what failed and releases the next slow-start batch. Returns the requests to send next.
    pub fn handle_result(
        &mut self,
        cache: &InformerCache,
        request: &ApiRequest,
        result: &Result<Arc<Object>, ApiError>,
        now: Timestamp,
    ) -> Vec<ApiRequest> {
        let mut out = Vec::new();
        match request {
            ApiRequest::Create {
                namespace,
                object: Object::Pod(pod),
            } => {
                let Some(reference) = pod
                    .metadata
                    .owner_references
                    .as_deref()
                    .and_then(|refs| refs.iter().find(|r| r.controller == Some(true)))
                else {
                    return out;
                };
                if reference.kind != self.kind.kind_name() {
                    return out;
                }
                let key = ObjectKey::new(namespace, &reference.name);
                let owner = cache.get(self.kind, namespace, &reference.name).cloned();
                match (result, owner.as_deref()) {
                    (Ok(created), Some(owner)) => out.extend(self.recorder.event(
                        owner,
                        EventType::Normal,
                        "SuccessfulCreate",
                        format!("Created pod: {}", created.name()),
                        now,
                    )),
                    (Err(error), Some(owner)) => {
                        out.extend(self.recorder.event(
                            owner,
                            EventType::Warning,
                            "FailedCreate",
                            format!("Error creating: {error}"),
                            now,
                        ));
                    }
                    (_, None) => {}
                }
                if result.is_err() {
                    self.expectations.creation_observed(&key);
                }
                if let Some(slow_start) = self.slow_starts.get_mut(&key) {
                    slow_start.in_flight = slow_start.in_flight.saturating_sub(1);
                    slow_start.failed |= result.is_err();
                    if slow_start.in_flight == 0 {
                        if slow_start.failed || slow_start.pending.is_empty() {
                            // Skipped pods will never be created: stop expecting them.
                            for _ in 0..slow_start.pending.len() {
                                self.expectations.creation_observed(&key);
                            }
                            self.slow_starts.remove(&key);
                        } else {
                            let next = slow_start.last_batch * 2;
                            release_batch(slow_start, next, &mut out);
                        }
                    }
                }
            }
            ApiRequest::Delete {
                kind: Kind::Pod,
                namespace,
                name,
                ..
            } => {
                let pod_key = ObjectKey::new(namespace, name);
                // Which of our controllers asked for this deletion?
                let Some(key) = self.deleting.remove(&pod_key) else {
                    return out;
                };
                let Some(owner) = cache.get(self.kind, &key.namespace, &key.name).cloned() else {
                    return out;
                };
                match result {
                    Ok(_) => out.extend(self.recorder.event(
                        &owner,
                        EventType::Normal,
                        "SuccessfulDelete",
                        format!("Deleted pod: {name}"),
                        now,
                    )),
                    Err(error) => {
                        if !matches!(error, ApiError::NotFound { .. }) {
                            self.expectations.deletion_observed(&key, &pod_key);
                        }
                        out.extend(self.recorder.event(
                            &owner,
                            EventType::Warning,
                            "FailedDelete",
                            format!("Error deleting: {error}"),
                            now,
                        ));
                    }
                }
            }
            _ => {}
        }
        out
    }
}

/// Sends the next `size` pod creations of a slow start.
fn release_batch(slow_start: &mut SlowStart, size: usize, out: &mut Vec<ApiRequest>) {
    let size = size.max(1).min(slow_start.pending.len());
    for pod in slow_start.pending.drain(..size) {
        out.push(ApiRequest::Create {
            namespace: pod.metadata.namespace.clone().unwrap_or_default(),
            object: Object::from(pod),
        });
    }
    slow_start.in_flight = size;
    slow_start.last_batch = size;
}

/// `getIndirectlyRelatedPods`: the active pods of every controller of this kind that shares
/// this one's own controller (a Deployment's ReplicaSets). None when it has no controller.
fn related_pods(view: &ReplicaSetView, cache: &InformerCache) -> Vec<Arc<Object>> {
    let Some(reference) = controller_ref(&view.object) else {
        return Vec::new();
    };
    let namespace = &view.owner.namespace;
    cache
        .list(view.owner.kind, Some(namespace))
        .filter(|rs| controller_ref(rs).is_some_and(|r| r.uid == reference.uid))
        .flat_map(|rs| {
            let uid = rs.metadata().uid.clone().unwrap_or_default();
            cache.controlled_by(Kind::Pod, namespace, &uid)
        })
        .filter(|p| as_pod(p).is_some_and(is_pod_active))
        .collect()
}

/// `calculateStatus`: counts over the pods the controller owns.
pub fn calculate_status(
    view: &ReplicaSetView,
    pods: &[Arc<Object>],
    now: Timestamp,
) -> ReplicaCounts {
    let mut status = StatusCounter::new(view, now);
    for pod in pods.iter().filter_map(|o| as_pod(o)) {
        status.count(pod);
    }
    status.counts
}

/// `calculateStatus` one pod at a time.
struct StatusCounter<'a> {
    template_labels: Option<&'a BTreeMap<String, String>>,
    min_ready_seconds: i32,
    now: Timestamp,
    counts: ReplicaCounts,
}

impl<'a> StatusCounter<'a> {
    /// No pods counted yet.
    fn new(view: &'a ReplicaSetView, now: Timestamp) -> StatusCounter<'a> {
        StatusCounter {
            template_labels: view
                .template()
                .and_then(|t| t.metadata.as_ref())
                .and_then(|m| m.labels.as_ref()),
            min_ready_seconds: view.min_ready_seconds,
            now,
            counts: ReplicaCounts {
                observed_generation: view.generation,
                ..ReplicaCounts::default()
            },
        }
    }

    /// Counts one owned pod.
    fn count(&mut self, pod: &StoredPod) {
        let counts = &mut self.counts;
        counts.replicas = counts.replicas.saturating_add(1);
        let labels = pod.metadata.labels.as_ref();
        if self
            .template_labels
            .into_iter()
            .flatten()
            .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
        {
            counts.fully_labeled_replicas += 1;
        }
        if is_pod_ready(pod) {
            counts.ready_replicas += 1;
            if is_pod_available(pod, self.min_ready_seconds, self.now) {
                counts.available_replicas += 1;
            }
        }
    }
}

/// How long until the next ready pod passes `minReadySeconds`.
fn next_availability(
    view: &ReplicaSetView,
    pods: &[Arc<Object>],
    now: Timestamp,
) -> Option<Duration> {
    let min_ready = Duration::from_secs(u64::try_from(view.min_ready_seconds).unwrap_or(0));
    pods.iter()
        .filter_map(|o| as_pod(o))
        .filter(|p| !is_pod_available(p, view.min_ready_seconds, now))
        .filter_map(|p| pod_ready_since(p).flatten())
        .map(|since| {
            since
                .plus(min_ready)
                .plus(Duration::from_millis(1))
                .since(now)
        })
        .min()
}
