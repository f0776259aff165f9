//! The Deployment controller: Kubernetes' `deployment_controller.go` and `sync.go` as a
//! reconciler.
//!
//! [`DeploymentController::sync`] reads a Deployment and the ReplicaSets of its namespace
//! from the cache, claims its ReplicaSets (adopting matching orphans, releasing ones that
//! stopped matching), and then, like `syncDeployment`:
//!
//! - paused, or only `replicas` changed (a scaling event): scale proportionally and clean up
//!   ([`DeploymentController`]'s `sync_scale`);
//! - otherwise roll out by strategy: [`rolling`] (RollingUpdate, bounded by maxSurge and
//!   maxUnavailable) or [`recreate`] (scale the old to zero, wait for their pods to go, then
//!   scale up the new).
//!
//! The new ReplicaSet is the one whose template equals the Deployment's apart from the
//! `pod-template-hash` label; it is named `<deployment>-<hash>` and carries the next
//! revision. Status and conditions come from [`progress`]; [`rollback`] builds the request
//! `kubectl rollout undo` sends.
//!
//! Within one sync the controller works on copies, as Go works on the objects each write
//! returns: every ReplicaSet write goes out as a request carrying the resourceVersion the
//! cache saw, and the Deployment's status goes out once at the end (its revision annotation
//! as a separate patch, because the status subresource does not take metadata).

pub mod progress;
pub mod recreate;
pub mod rollback;
pub mod rolling;
pub mod util;

#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentStatus, ReplicaSet, ReplicaSetSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use serde_json::json;

use crate::api::labels::Selector;
use crate::api::objects::{Kind, Object};
use crate::api::patch::PatchType;
use crate::apiserver::{ApiError, ApiRequest, DeleteOptions};
use crate::sim::clock::Timestamp;

use super::cache::{controller_ref, InformerCache, ObjectKey};
use super::controller_utils::{claim, Owner};
use super::events::{EventRecorder, EventType};
use super::Reconciled;
use util::*;

/// The component name in events.
pub const COMPONENT: &str = "deployment-controller";

/// What was wrong with a Deployment's spec or a rollback request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeploymentError {
    /// maxSurge or maxUnavailable is neither an int nor a percentage.
    #[error("invalid value for IntOrString: {0}")]
    InvalidIntOrString(String),
    /// `kubectl rollout undo` of a paused Deployment.
    #[error("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again")]
    RollbackPaused,
    /// No ReplicaSet has the requested revision.
    #[error("unable to find specified revision {0} in history")]
    RevisionNotFound(i64),
    /// No earlier revision to go back to.
    #[error("no rollout history found for deployment {0:?}")]
    NoRolloutHistory(String),
}

/// One sync's working state: copies of the Deployment and its ReplicaSets, and the requests
/// made so far.
pub(crate) struct SyncContext<'a> {
    pub(crate) d: Deployment,
    pub(crate) object: &'a Arc<Object>,
    pub(crate) now: Timestamp,
    pub(crate) recorder: &'a mut EventRecorder,
    pub(crate) requests: Vec<ApiRequest>,
    pub(crate) requeue_after: Option<Duration>,
    /// Names of ReplicaSets created in this sync (not in the store yet).
    created: Vec<String>,
}

impl SyncContext<'_> {
    fn event(&mut self, event_type: EventType, reason: &str, message: String) {
        let request = self
            .recorder
            .event(self.object, event_type, reason, message, self.now);
        self.requests.extend(request);
    }

    /// `scaleReplicaSetAndRecordEvent`: scales if the size differs.
    pub(crate) fn scale_and_record(&mut self, rs: &mut ReplicaSet, new_scale: i32) -> bool {
        let current = rs_replicas(rs);
        if current == new_scale {
            return false;
        }
        let operation = if current < new_scale { "up" } else { "down" };
        self.scale_replica_set(rs, new_scale, operation)
    }

    /// `scaleReplicaSet`: writes the size and the replica annotations when either differs.
    pub(crate) fn scale_replica_set(
        &mut self,
        rs: &mut ReplicaSet,
        new_scale: i32,
        operation: &str,
    ) -> bool {
        let old_scale = rs_replicas(rs);
        let size_needs_update = old_scale != new_scale;
        let desired = replicas(&self.d);
        let max = desired + max_surge(&self.d);
        let annotations_need_update = replicas_annotations_need_update(rs, desired, max);
        if !(size_needs_update || annotations_need_update) {
            return false;
        }
        set_rs_replicas(rs, new_scale);
        set_replicas_annotations(rs, desired, max);
        let name = rs.metadata.name.clone().unwrap_or_default();
        let namespace = rs.metadata.namespace.clone().unwrap_or_default();
        if self.created.contains(&name) {
            // Still a create in flight: change the create instead.
            for request in &mut self.requests {
                if let ApiRequest::Create {
                    object: Object::ReplicaSet(pending),
                    ..
                } = request
                {
                    if pending.metadata.name.as_deref() == Some(name.as_str()) {
                        **pending = rs.clone();
                    }
                }
            }
        } else {
            self.requests.push(ApiRequest::Update {
                namespace,
                object: Object::from(rs.clone()),
            });
        }
        if size_needs_update {
            self.event(
                EventType::Normal,
                "ScalingReplicaSet",
                format!("Scaled {operation} replica set {name} from {old_scale} to {new_scale}"),
            );
        }
        size_needs_update
    }
}

/// The Deployment controller.
#[derive(Clone, Debug)]
pub struct DeploymentController {
    recorder: EventRecorder,
}

impl Default for DeploymentController {
    fn default() -> Self {
        DeploymentController::new()
    }
}

fn as_deployment(object: &Object) -> Option<&Deployment> {
    match object {
        Object::Deployment(d) => Some(d),
        _ => None,
    }
}

fn as_replica_set(object: &Object) -> Option<&ReplicaSet> {
    match object {
        Object::ReplicaSet(rs) => Some(rs),
        _ => None,
    }
}

fn selector_of(d: &Deployment) -> Option<Selector> {
    let spec = d.spec.as_ref()?;
    Selector::from_label_selector(Some(&spec.selector)).ok()
}

/// ReplicaSets oldest first (creation time, then name), as `ReplicaSetsByCreationTimestamp`.
pub(crate) fn sort_by_creation(rss: &mut [ReplicaSet]) {
    rss.sort_by(|a, b| {
        let created = |rs: &ReplicaSet| {
            rs.metadata
                .creation_timestamp
                .as_ref()
                .map(Timestamp::from_k8s_time)
        };
        created(a)
            .cmp(&created(b))
            .then_with(|| a.metadata.name.cmp(&b.metadata.name))
    });
}

impl DeploymentController {
    /// A Deployment controller.
    pub fn new() -> DeploymentController {
        DeploymentController {
            recorder: EventRecorder::new(COMPONENT),
        }
    }

    /// The Deployments to wake for a ReplicaSet change (`addReplicaSet` /
    /// `updateReplicaSet` / `deleteReplicaSet`).
    pub fn handle_replica_set_event(
        &mut self,
        cache: &InformerCache,
        old: Option<&Object>,
        new: Option<&Object>,
        last: &Object,
    ) -> Vec<ObjectKey> {
        let namespace = last.namespace();
        let mut wake = Vec::new();
        let resolve = |object: &Object| {
            controller_ref(object)
                .and_then(|r| cache.resolve_controller_ref(namespace, r, Kind::Deployment))
                .map(|d| ObjectKey::of(d))
        };
        if let Some(old) = old {
            if let Some(key) = resolve(old) {
                wake.push(key);
            }
        }
        let current = new.unwrap_or(last);
        if let Some(key) = resolve(current) {
            if !wake.contains(&key) {
                wake.push(key);
            }
            return wake;
        }
        if controller_ref(current).is_none() && new.is_some() {
            for d in cache.list(Kind::Deployment, Some(namespace)) {
                let matches = as_deployment(d)
                    .and_then(selector_of)
                    .is_some_and(|s| !s.is_empty() && s.matches(current.labels()));
                let key = ObjectKey::of(d);
                if matches && !wake.contains(&key) {
                    wake.push(key);
                }
            }
        }
        wake
    }

    /// The Deployments to wake when a pod is gone: a Recreate rollout waits for the old pods
    /// to disappear.
    pub fn handle_pod_deleted(&mut self, cache: &InformerCache, pod: &Object) -> Vec<ObjectKey> {
        let namespace = pod.namespace();
        let Some(rs) = controller_ref(pod)
            .and_then(|r| cache.resolve_controller_ref(namespace, r, Kind::ReplicaSet))
        else {
            return Vec::new();
        };
        let Some(d) = controller_ref(rs)
            .and_then(|r| cache.resolve_controller_ref(namespace, r, Kind::Deployment))
        else {
            return Vec::new();
        };
        match as_deployment(d) {
            Some(deployment) if !is_rolling_update(deployment) => vec![ObjectKey::of(d)],
            Some(_) | None => Vec::new(),
        }
    }

    /// Takes the outcome of a request: a ReplicaSet name collision bumps `collisionCount`.
    pub fn handle_result(
        &mut self,
        cache: &InformerCache,
        request: &ApiRequest,
        result: &Result<Arc<Object>, ApiError>,
        now: Timestamp,
    ) -> Vec<ApiRequest> {
        let (
            ApiRequest::Create {
                namespace,
                object: Object::ReplicaSet(rs),
            },
            Err(error),
        ) = (request, result)
        else {
            return Vec::new();
        };
        let Some(reference) = controller_ref(&Object::ReplicaSet(rs.clone())).cloned() else {
            return Vec::new();
        };
        if reference.kind != "Deployment" {
            return Vec::new();
        }
        let Some(d_object) = cache
            .get(Kind::Deployment, namespace, &reference.name)
            .cloned()
        else {
            return Vec::new();
        };
        let Some(d) = as_deployment(&d_object) else {
            return Vec::new();
        };
        let name = rs.metadata.name.clone().unwrap_or_default();
        match error {
            ApiError::AlreadyExists { .. } => {
                let existing = cache.get(Kind::ReplicaSet, namespace, &name);
                let same = existing
                    .and_then(|o| as_replica_set(o))
                    .is_some_and(|existing| {
                        controller_ref(&Object::ReplicaSet(Box::new(existing.clone())))
                            .is_some_and(|r| r.uid == reference.uid)
                            && equal_ignore_hash(&rs_template(existing), &rs_template(rs))
                    });
                if same {
                    return Vec::new();
                }
                let mut d = d.clone();
                let status = d.status.get_or_insert_with(DeploymentStatus::default);
                status.collision_count = Some(status.collision_count.unwrap_or(0) + 1);
                vec![ApiRequest::UpdateStatus {
                    namespace: namespace.clone(),
                    object: Object::from(d),
                }]
            }
            other => {
                let message = format!("Failed to create new replica set {name:?}: {other}");
                let mut out = Vec::new();
                if progress_deadline_seconds(d).is_some() {
                    let mut d = d.clone();
                    let status = d.status.get_or_insert_with(DeploymentStatus::default);
                    set_condition(
                        status,
                        new_condition(
                            "Progressing",
                            "False",
                            FAILED_RS_CREATE_REASON,
                            message.clone(),
                            now,
                        ),
                    );
                    out.push(ApiRequest::UpdateStatus {
                        namespace: namespace.clone(),
                        object: Object::from(d),
                    });
                }
                out.extend(self.recorder.event(
                    &d_object,
                    EventType::Warning,
                    FAILED_RS_CREATE_REASON,
                    message,
                    now,
                ));
                out
            }
        }
    }

    /// Reconciles one Deployment (`syncDeployment`).
    pub fn sync(&mut self, key: &ObjectKey, cache: &InformerCache, now: Timestamp) -> Reconciled {
        let Some(object) = cache.get(Kind::Deployment, &key.namespace, &key.name) else {
            return Reconciled::default();
        };
        let Some(d) = as_deployment(object) else {
            return Reconciled::default();
        };
        let original = d.clone();
        let mut ctx = SyncContext {
            d: d.clone(),
            object,
            now,
            recorder: &mut self.recorder,
            requests: Vec::new(),
            requeue_after: None,
            created: Vec::new(),
        };
        let Some(selector) = selector_of(d) else {
            return Reconciled::default();
        };
        if selector.is_empty() {
            ctx.event(
                EventType::Warning,
                "SelectingAll",
                "This deployment is selecting all pods. A non-empty selector is required."
                    .to_string(),
            );
            let generation = d.metadata.generation;
            let status = ctx.d.status.get_or_insert_with(DeploymentStatus::default);
            if status.observed_generation < generation {
                status.observed_generation = generation;
            }
            return finish(ctx, &original);
        }

        // getReplicaSetsForDeployment: claim ReplicaSets. The claim leaves ReplicaSets
        // another controller owns alone, so only this Deployment's and the orphans are read
        // (from the cache's owner index, in the same name order as a namespace listing).
        let owner = Owner::of(object);
        let candidates: Vec<Arc<Object>> = cache
            .controlled_by_or_orphaned_iter(Kind::ReplicaSet, &key.namespace, &owner.uid)
            .cloned()
            .collect();
        let claimed = claim(&owner, &selector, &candidates);
        ctx.requests.extend(claimed.patches);
        let rs_list: Vec<ReplicaSet> = claimed
            .owned
            .iter()
            .filter_map(|o| as_replica_set(o).cloned())
            .collect();

        if d.metadata.deletion_timestamp.is_some() {
            let (new_rs, old_rss) = find_new_and_old(&ctx.d, &rs_list);
            progress::sync_deployment_status(&mut ctx, &old_rss, new_rs.as_ref());
            return finish(ctx, &original);
        }

        progress::check_paused_conditions(&mut ctx);
        let paused = d.spec.as_ref().and_then(|s| s.paused).unwrap_or(false);
        if paused || is_scaling_event(&ctx.d, &rs_list) {
            sync_scale(&mut ctx, &rs_list);
            return finish(ctx, &original);
        }
        if is_rolling_update(&ctx.d) {
            rolling::rollout_rolling(&mut ctx, &rs_list);
        } else {
            let pods: Vec<Arc<Object>> = cache
                .list(Kind::Pod, Some(&key.namespace))
                .cloned()
                .collect();
            recreate::rollout_recreate(&mut ctx, &rs_list, &pods);
        }
        finish(ctx, &original)
    }
}

/// Turns the working copy into the final requests: the status (if it changed) and the
/// revision annotation (if it changed).
fn finish(ctx: SyncContext<'_>, original: &Deployment) -> Reconciled {
    let mut requests = ctx.requests;
    let namespace = original.metadata.namespace.clone().unwrap_or_default();
    if ctx.d.status != original.status {
        let mut updated = original.clone();
        updated.status = ctx.d.status.clone();
        requests.push(ApiRequest::UpdateStatus {
            namespace: namespace.clone(),
            object: Object::from(updated),
        });
    }
    let revision_of = |d: &Deployment| {
        d.metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(REVISION_ANNOTATION))
            .cloned()
    };
    let new_revision = revision_of(&ctx.d);
    if new_revision != revision_of(original) {
        requests.push(ApiRequest::Patch {
            kind: Kind::Deployment,
            namespace,
            name: original.metadata.name.clone().unwrap_or_default(),
            patch_type: PatchType::MergePatch,
            patch: json!({"metadata": {"annotations": {REVISION_ANNOTATION: new_revision}}}),
            status: false,
        });
    }
    Reconciled {
        requests,
        requeue_after: ctx.requeue_after,
    }
}

/// `FindNewReplicaSet` and `FindOldReplicaSets`: the oldest ReplicaSet whose template
/// equals the Deployment's (ignoring the hash), and all the others.
pub(crate) fn find_new_and_old(
    d: &Deployment,
    rs_list: &[ReplicaSet],
) -> (Option<ReplicaSet>, Vec<ReplicaSet>) {
    let template = d
        .spec
        .as_ref()
        .map(|s| s.template.clone())
        .unwrap_or_default();
    let mut sorted = rs_list.to_vec();
    sort_by_creation(&mut sorted);
    let position = sorted
        .iter()
        .position(|rs| equal_ignore_hash(&rs_template(rs), &template));
    match position {
        Some(i) => {
            let new_rs = sorted.remove(i);
            (Some(new_rs), sorted)
        }
        None => (None, sorted),
    }
}

/// Sets the Deployment's revision annotation; whether it changed.
fn set_deployment_revision(d: &mut Deployment, revision: &str) -> bool {
    let annotations = d.metadata.annotations.get_or_insert_with(Default::default);
    if annotations.get(REVISION_ANNOTATION).map(String::as_str) == Some(revision) {
        return false;
    }
    annotations.insert(REVISION_ANNOTATION.to_string(), revision.to_string());
    true
}

/// `getAllReplicaSetsAndSyncRevision` / `getNewReplicaSet`: the new ReplicaSet (created when
/// missing and `create` is set) with its revision brought up to date, and the old ones.
pub(crate) fn get_all_replica_sets_and_sync_revision(
    ctx: &mut SyncContext<'_>,
    rs_list: &[ReplicaSet],
    create: bool,
) -> (Option<ReplicaSet>, Vec<ReplicaSet>) {
    let (existing, old_rss) = find_new_and_old(&ctx.d, rs_list);
    let new_revision = max_revision(&old_rss) + 1;
    if let Some(existing) = existing {
        let mut copy = existing.clone();
        let annotations_updated =
            set_new_replica_set_annotations(&ctx.d, &mut copy, new_revision, true);
        let min_ready = ctx.d.spec.as_ref().and_then(|s| s.min_ready_seconds);
        let rs_min_ready = copy.spec.as_ref().and_then(|s| s.min_ready_seconds);
        if annotations_updated || min_ready.unwrap_or(0) != rs_min_ready.unwrap_or(0) {
            copy.spec
                .get_or_insert_with(Default::default)
                .min_ready_seconds = min_ready;
            ctx.requests.push(ApiRequest::Update {
                namespace: copy.metadata.namespace.clone().unwrap_or_default(),
                object: Object::from(copy.clone()),
            });
            return (Some(copy), old_rss);
        }
        let revision = copy
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(REVISION_ANNOTATION))
            .cloned()
            .unwrap_or_default();
        set_deployment_revision(&mut ctx.d, &revision);
        let has_deadline = progress_deadline_seconds(&ctx.d).is_some();
        let status = ctx.d.status.get_or_insert_with(DeploymentStatus::default);
        if has_deadline && get_condition(status, "Progressing").is_none() {
            let message = format!(
                "Found new replica set {:?}",
                copy.metadata.name.clone().unwrap_or_default()
            );
            let condition =
                new_condition("Progressing", "True", FOUND_NEW_RS_REASON, message, ctx.now);
            set_condition(
                ctx.d.status.get_or_insert_with(DeploymentStatus::default),
                condition,
            );
        }
        return (Some(copy), old_rss);
    }
    if !create {
        return (None, old_rss);
    }
    let Some(spec) = ctx.d.spec.clone() else {
        return (None, old_rss);
    };
    let collision_count = ctx.d.status.as_ref().and_then(|s| s.collision_count);
    let mut template = spec.template.clone();
    let hash = compute_hash(&template, collision_count);
    let labels = template
        .metadata
        .get_or_insert_with(ObjectMeta::default)
        .labels
        .get_or_insert_with(Default::default);
    labels.insert(
        DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY.to_string(),
        hash.clone(),
    );
    let template_labels = labels.clone();
    let mut selector: LabelSelector = spec.selector.clone();
    selector
        .match_labels
        .get_or_insert_with(Default::default)
        .insert(
            DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY.to_string(),
            hash.clone(),
        );
    let name = format!(
        "{}-{}",
        ctx.d.metadata.name.clone().unwrap_or_default(),
        hash
    );
    let owner = Owner::of(ctx.object);
    let mut new_rs = ReplicaSet {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: ctx.d.metadata.namespace.clone(),
            owner_references: Some(vec![owner.controller_ref()]),
            labels: Some(template_labels),
            ..ObjectMeta::default()
        },
        spec: Some(ReplicaSetSpec {
            replicas: Some(0),
            min_ready_seconds: spec.min_ready_seconds,
            selector,
            template: Some(template),
        }),
        status: None,
    };
    let mut all = old_rss.clone();
    all.push(new_rs.clone());
    let new_replicas = new_rs_new_replicas(&ctx.d, &all, &new_rs);
    set_rs_replicas(&mut new_rs, new_replicas);
    set_new_replica_set_annotations(&ctx.d, &mut new_rs, new_revision, false);
    ctx.requests.push(ApiRequest::Create {
        namespace: ctx.d.metadata.namespace.clone().unwrap_or_default(),
        object: Object::from(new_rs.clone()),
    });
    ctx.created.push(name.clone());
    if new_replicas > 0 {
        ctx.event(
            EventType::Normal,
            "ScalingReplicaSet",
            format!("Scaled up replica set {name} from 0 to {new_replicas}"),
        );
    }
    set_deployment_revision(&mut ctx.d, &new_revision.to_string());
    if progress_deadline_seconds(&ctx.d).is_some() {
        let condition = new_condition(
            "Progressing",
            "True",
            NEW_REPLICA_SET_REASON,
            format!("Created new replica set {name:?}"),
            ctx.now,
        );
        set_condition(
            ctx.d.status.get_or_insert_with(DeploymentStatus::default),
            condition,
        );
    }
    (Some(new_rs), old_rss)
}

/// `NewRSNewReplicas`: how big the new ReplicaSet may be now.
pub(crate) fn new_rs_new_replicas(d: &Deployment, all: &[ReplicaSet], new_rs: &ReplicaSet) -> i32 {
    if !is_rolling_update(d) {
        return replicas(d);
    }
    let current: i32 = all.iter().map(rs_replicas).sum();
    let max_total = replicas(d) + max_surge(d);
    if current >= max_total {
        return rs_replicas(new_rs);
    }
    let scale_up = (max_total - current).min(replicas(d) - rs_replicas(new_rs));
    rs_replicas(new_rs) + scale_up
}

fn is_active(rs: &ReplicaSet) -> bool {
    rs_replicas(rs) > 0
}

/// `isScalingEvent`: an active ReplicaSet was last sized for another `replicas`.
fn is_scaling_event(d: &Deployment, rs_list: &[ReplicaSet]) -> bool {
    let (new_rs, old_rss) = find_new_and_old(d, rs_list);
    new_rs
        .iter()
        .chain(old_rss.iter())
        .filter(|rs| is_active(rs))
        .filter_map(desired_replicas_annotation)
        .any(|desired| desired != replicas(d))
}

/// `sync`: for paused Deployments and scaling events — scale, clean up, write status.
fn sync_scale(ctx: &mut SyncContext<'_>, rs_list: &[ReplicaSet]) {
    let (new_rs, mut old_rss) = get_all_replica_sets_and_sync_revision(ctx, rs_list, false);
    let mut new_rs = new_rs;
    scale(ctx, &mut new_rs, &mut old_rss);
    cleanup_deployment(ctx, &old_rss);
    progress::sync_deployment_status(ctx, &old_rss, new_rs.as_ref());
}

/// `scale`: proportional scaling across the active ReplicaSets.
fn scale(ctx: &mut SyncContext<'_>, new_rs: &mut Option<ReplicaSet>, old_rss: &mut [ReplicaSet]) {
    let want = replicas(&ctx.d);
    // FindActiveOrLatest.
    let mut by_newest = old_rss.to_vec();
    sort_by_creation(&mut by_newest);
    by_newest.reverse();
    let active: Vec<&ReplicaSet> = by_newest
        .iter()
        .chain(new_rs.iter())
        .filter(|rs| is_active(rs))
        .collect();
    let target_name = match active.len() {
        0 => new_rs
            .as_ref()
            .or(by_newest.first())
            .and_then(|rs| rs.metadata.name.clone()),
        1 => active.first().and_then(|rs| rs.metadata.name.clone()),
        _ => None,
    };
    if let Some(target_name) = target_name {
        let target = new_rs
            .iter_mut()
            .chain(old_rss.iter_mut())
            .find(|rs| rs.metadata.name.as_deref() == Some(target_name.as_str()));
        if let Some(target) = target {
            if rs_replicas(target) != want {
                ctx.scale_and_record(target, want);
            }
        }
        return;
    }
    // IsSaturated: the new ReplicaSet is complete; old ones go to zero.
    if let Some(new) = new_rs.as_ref() {
        if rs_replicas(new) == want
            && desired_replicas_annotation(new) == Some(want)
            && rs_available(new) == want
        {
            for old in old_rss.iter_mut().filter(|rs| is_active(rs)) {
                ctx.scale_and_record(old, 0);
            }
            return;
        }
    }
    if !is_rolling_update(&ctx.d) {
        return;
    }
    let mut all: Vec<&mut ReplicaSet> = old_rss
        .iter_mut()
        .chain(new_rs.iter_mut())
        .filter(|rs| is_active(rs))
        .collect();
    let all_replicas: i32 = all.iter().map(|rs| rs_replicas(rs)).sum();
    let allowed = if want > 0 {
        want + max_surge(&ctx.d)
    } else {
        0
    };
    let to_add = allowed - all_replicas;
    let created = |rs: &ReplicaSet| {
        rs.metadata
            .creation_timestamp
            .as_ref()
            .map(Timestamp::from_k8s_time)
    };
    let operation = match to_add.cmp(&0) {
        std::cmp::Ordering::Greater => {
            // ReplicaSetsBySizeNewer: bigger first, then newer.
            all.sort_by(|a, b| {
                rs_replicas(b)
                    .cmp(&rs_replicas(a))
                    .then_with(|| created(b).cmp(&created(a)))
            });
            "up"
        }
        std::cmp::Ordering::Less => {
            // ReplicaSetsBySizeOlder: bigger first, then older.
            all.sort_by(|a, b| {
                rs_replicas(b)
                    .cmp(&rs_replicas(a))
                    .then_with(|| created(a).cmp(&created(b)))
            });
            "down"
        }
        std::cmp::Ordering::Equal => "",
    };
    let mut added = 0;
    let mut sizes: Vec<i32> = Vec::with_capacity(all.len());
    for rs in all.iter() {
        if to_add != 0 {
            let proportion = get_proportion(rs, &ctx.d, to_add, added);
            sizes.push(rs_replicas(rs) + proportion);
            added += proportion;
        } else {
            sizes.push(rs_replicas(rs));
        }
    }
    for (i, rs) in all.into_iter().enumerate() {
        let mut size = sizes.get(i).copied().unwrap_or(0);
        if i == 0 && to_add != 0 {
            size = (size + to_add - added).max(0);
        }
        ctx.scale_replica_set(rs, size, operation);
    }
}

/// `GetProportion`.
fn get_proportion(rs: &ReplicaSet, d: &Deployment, to_add: i32, added: i32) -> i32 {
    if rs_replicas(rs) == 0 || to_add == 0 || to_add == added {
        return 0;
    }
    let fraction = replica_set_fraction(rs, d);
    let allowed = to_add - added;
    if to_add > 0 {
        fraction.min(allowed)
    } else {
        fraction.max(allowed)
    }
}

/// `getReplicaSetFraction`: this ReplicaSet's share of the change, rounded half away from
/// zero as Go's `math.Round`.
fn replica_set_fraction(rs: &ReplicaSet, d: &Deployment) -> i32 {
    if replicas(d) == 0 {
        return -rs_replicas(rs);
    }
    let max_now = i64::from(replicas(d) + max_surge(d));
    let before = match max_replicas_annotation(rs) {
        Some(v) if v != 0 => i64::from(v),
        _ => i64::from(d.status.as_ref().and_then(|s| s.replicas).unwrap_or(0)),
    };
    if before == 0 {
        return 0;
    }
    let numerator = i64::from(rs_replicas(rs)) * max_now;
    let rounded = if numerator >= 0 {
        (2 * numerator + before) / (2 * before)
    } else {
        -((-2 * numerator + before) / (2 * before))
    };
    i32::try_from(rounded).unwrap_or(0) - rs_replicas(rs)
}

/// `cleanupDeployment`: deletes the oldest scaled-down ReplicaSets beyond
/// `revisionHistoryLimit`.
pub(crate) fn cleanup_deployment(ctx: &mut SyncContext<'_>, old_rss: &[ReplicaSet]) {
    let Some(limit) = ctx.d.spec.as_ref().and_then(|s| s.revision_history_limit) else {
        return;
    };
    let mut cleanable: Vec<&ReplicaSet> = old_rss
        .iter()
        .filter(|rs| rs.metadata.deletion_timestamp.is_none())
        .collect();
    let diff = i64::try_from(cleanable.len()).unwrap_or(0) - i64::from(limit);
    if diff <= 0 {
        return;
    }
    let created = |rs: &ReplicaSet| {
        rs.metadata
            .creation_timestamp
            .as_ref()
            .map(Timestamp::from_k8s_time)
    };
    cleanable.sort_by(|a, b| {
        revision(a)
            .cmp(&revision(b))
            .then_with(|| created(a).cmp(&created(b)))
    });
    for rs in cleanable
        .into_iter()
        .take(usize::try_from(diff).unwrap_or(0))
    {
        let observed = rs
            .status
            .as_ref()
            .and_then(|s| s.observed_generation)
            .unwrap_or(0);
        if rs_actual(rs) != 0
            || rs_replicas(rs) != 0
            || rs.metadata.generation.unwrap_or(0) > observed
        {
            continue;
        }
        ctx.requests.push(ApiRequest::Delete {
            kind: Kind::ReplicaSet,
            namespace: rs.metadata.namespace.clone().unwrap_or_default(),
            name: rs.metadata.name.clone().unwrap_or_default(),
            options: DeleteOptions::default(),
        });
    }
}
