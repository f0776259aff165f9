//! The ReplicationController controller: Kubernetes' `replication_controller.go`, which is
//! the ReplicaSet controller run over ReplicationControllers. The only difference a learner
//! meets is the selector: a plain label map (`app: web`), an equality selector, where a
//! ReplicaSet takes set-based `matchExpressions`. Everything else — adopting any pod whose
//! labels match, even one started by hand, deleting the surplus, expectations, slow start —
//! is shared in [`crate::controllers::replica_set`].

use std::sync::Arc;

use k8s_openapi::api::core::v1::ReplicationController;

use crate::api::labels::Selector;
use crate::api::objects::{Kind, Object};

use super::controller_utils::Owner;
use super::replica_set::{ReplicaCounts, ReplicaSetController, ReplicaSetView};

/// The component name in events.
pub const COMPONENT: &str = "replication-controller";

/// A controller for ReplicationControllers.
pub fn new_replication_manager() -> ReplicaSetController {
    ReplicaSetController::new(Kind::ReplicationController)
}

/// The shared view of a ReplicationController: `spec.selector` is a label map; when it is
/// missing the template's labels stand in (as RC defaulting sets it).
pub fn view(object: &Arc<Object>, rc: &ReplicationController) -> ReplicaSetView {
    let spec = rc.spec.as_ref();
    let set = spec.and_then(|s| s.selector.as_ref()).or_else(|| {
        spec.and_then(|s| s.template.as_ref())
            .and_then(|t| t.metadata.as_ref())
            .and_then(|m| m.labels.as_ref())
    });
    let selector = match set {
        Some(set) if !set.is_empty() => Selector::from_set(set),
        // An RC with no selector at all selects nothing rather than every pod.
        Some(_) | None => Selector::nothing(),
    };
    let status = rc.status.as_ref();
    ReplicaSetView {
        object: Arc::clone(object),
        owner: Owner::of(object),
        replicas: spec.and_then(|s| s.replicas).unwrap_or(1),
        min_ready_seconds: spec.and_then(|s| s.min_ready_seconds).unwrap_or(0),
        selector,
        generation: rc.metadata.generation.unwrap_or(0),
        counts: ReplicaCounts {
            replicas: status.map_or(0, |s| s.replicas),
            fully_labeled_replicas: status.and_then(|s| s.fully_labeled_replicas).unwrap_or(0),
            ready_replicas: status.and_then(|s| s.ready_replicas).unwrap_or(0),
            available_replicas: status.and_then(|s| s.available_replicas).unwrap_or(0),
            observed_generation: status.and_then(|s| s.observed_generation).unwrap_or(0),
        },
    }
}

/// Writes counts into a ReplicationController's status.
pub fn with_status(rc: &ReplicationController, counts: &ReplicaCounts) -> Object {
    let mut rc = rc.clone();
    let status = rc.status.get_or_insert_with(Default::default);
    status.replicas = counts.replicas;
    status.fully_labeled_replicas = Some(counts.fully_labeled_replicas);
    status.ready_replicas = Some(counts.ready_replicas);
    status.available_replicas = Some(counts.available_replicas);
    status.observed_generation = Some(counts.observed_generation);
    Object::from(rc)
}
