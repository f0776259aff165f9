//! When is the cluster quiet? The condition `play wait` waits for.
//!
//! [`unsettled`] reads the API server (never a component's insides, so what it says is what
//! a learner could see with kubectl) and lists, one line each, what still moves:
//!
//! - a Deployment whose rollout is not finished, in `kubectl rollout status`' words
//!   (spec update not observed, new replicas not updated, old replicas pending termination,
//!   updated replicas not available);
//! - a ReplicaSet or ReplicationController whose controller has not observed its spec or
//!   whose ready replicas differ from its desired ones;
//! - a pod that is Pending (unscheduled, pulling, `ContainerCreating`), Running with a
//!   container that exited and will be started again (`Error`, `CrashLoopBackOff`), or
//!   Terminating.
//!
//! Pods bound to a node under a fault (stopped or cut off) are left out: nothing will change
//! for them until the node is back, exactly as on a real cluster, where the pods of an
//! unreachable node stay `Terminating`. Their controllers are still checked. The World's
//! periodic timers (heartbeats, resyncs) always tick, so "quiet" also asks that nothing is due
//! at the current instant, not that nothing is ever due.

use crate::api::objects::{Kind, Object, StoredPod};
use crate::apiserver::ListOptions;
use crate::printers;
use crate::sim::world::{NodeFault, World};

/// Whether the cluster is quiet now: nothing [`unsettled`] and no component due at this
/// instant.
pub fn is_quiet(world: &mut World) -> bool {
    let now = world.now();
    let nothing_due_now = world.next_wakeup().is_none_or(|next| next > now);
    nothing_due_now && unsettled(world).is_empty()
}

/// What is not settled yet, one line per object (empty when everything is).
pub fn unsettled(world: &mut World) -> Vec<String> {
    let mut lines = Vec::new();
    let now = world.now();
    for kind in [
        Kind::Deployment,
        Kind::ReplicaSet,
        Kind::ReplicationController,
        Kind::Pod,
    ] {
        let Ok(list) = world.api().list(kind, None, &ListOptions::default()) else {
            continue;
        };
        for object in &list.items {
            let line = match object.as_ref() {
                Object::Deployment(_) => deployment_progress(object),
                Object::ReplicaSet(_) | Object::ReplicationController(_) => {
                    replica_progress(object)
                }
                Object::Pod(pod) => {
                    let node = pod.node_name();
                    let on_faulted_node = node
                        .and_then(|n| world.node_fault(n))
                        .is_some_and(|fault| fault != NodeFault::None);
                    if on_faulted_node {
                        None
                    } else {
                        pod_progress(object, now)
                    }
                }
                _ => None,
            };
            if let Some(line) = line {
                lines.push(format!("{}: {line}", qualified_name(object)));
            }
        }
    }
    lines
}

/// `deployment.apps/web`, `pod/web-1` — with the namespace when it is not `default`.
fn qualified_name(object: &Object) -> String {
    let prefix = match object.kind() {
        Kind::Deployment => "deployment.apps",
        Kind::ReplicaSet => "replicaset.apps",
        Kind::ReplicationController => "replicationcontroller",
        _ => "pod",
    };
    let namespace = object.namespace();
    if namespace.is_empty() || namespace == "default" {
        format!("{prefix}/{}", object.name())
    } else {
        format!("{prefix}/{} -n {namespace}", object.name())
    }
}

/// What `kubectl rollout status` would still be waiting for (None when rolled out).
fn deployment_progress(object: &Object) -> Option<String> {
    let Object::Deployment(deployment) = object else {
        return None;
    };
    let spec = deployment.spec.as_ref();
    if spec.and_then(|s| s.paused).unwrap_or(false) {
        return None;
    }
    let name = object.name();
    let status = deployment.status.clone().unwrap_or_default();
    let generation = deployment.metadata.generation.unwrap_or(0);
    if status.observed_generation.unwrap_or(0) < generation {
        return Some("Waiting for deployment spec update to be observed...".to_string());
    }
    let desired = spec.and_then(|s| s.replicas).unwrap_or(1);
    let updated = status.updated_replicas.unwrap_or(0);
    let replicas = status.replicas.unwrap_or(0);
    let available = status.available_replicas.unwrap_or(0);
    if updated < desired {
        return Some(format!("Waiting for deployment \"{name}\" rollout to finish: {updated} out of {desired} new replicas have been updated..."));
    }
    if replicas > updated {
        return Some(format!(
            "Waiting for deployment \"{name}\" rollout to finish: {} old replicas are pending termination...",
            replicas - updated
        ));
    }
    if available < updated {
        return Some(format!("Waiting for deployment \"{name}\" rollout to finish: {available} of {updated} updated replicas are available..."));
    }
    None
}

/// A ReplicaSet's or ReplicationController's gap between desired and ready replicas.
fn replica_progress(object: &Object) -> Option<String> {
    let (desired, generation, observed, current, ready) = match object {
        Object::ReplicaSet(rs) => {
            let status = rs.status.clone().unwrap_or_default();
            (
                rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
                rs.metadata.generation.unwrap_or(0),
                status.observed_generation.unwrap_or(0),
                status.replicas,
                status.ready_replicas.unwrap_or(0),
            )
        }
        Object::ReplicationController(rc) => {
            let status = rc.status.clone().unwrap_or_default();
            (
                rc.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
                rc.metadata.generation.unwrap_or(0),
                status.observed_generation.unwrap_or(0),
                status.replicas,
                status.ready_replicas.unwrap_or(0),
            )
        }
        _ => return None,
    };
    if observed < generation {
        return Some("waiting for its controller to observe the new spec".to_string());
    }
    if current != desired || ready != desired {
        return Some(format!(
            "{ready} of {desired} replicas ready ({current} current)"
        ));
    }
    None
}

/// Whether a Running pod has a container that exited and that the kubelet will start again
/// (restartPolicy Always, or OnFailure after a failure): its STATUS reads `Error` or
/// `CrashLoopBackOff` until the restart, so the pod is still moving.
fn restarting(pod: &StoredPod) -> bool {
    let policy = pod
        .spec
        .as_ref()
        .and_then(|s| s.restart_policy.as_deref())
        .unwrap_or("Always");
    let statuses: Vec<_> = pod
        .status
        .iter()
        .flat_map(|s| s.container_statuses())
        .map(|c| c.to_container_status())
        .collect();
    statuses.iter().any(|status| {
        let state = status.state.as_ref();
        if let Some(terminated) = state.and_then(|s| s.terminated.as_ref()) {
            return match policy {
                "Never" => false,
                "OnFailure" => terminated.exit_code != 0,
                _ => true,
            };
        }
        // A container waiting after it has run before is waiting for its restart (back-off);
        // one that never ran yet is still being created, which the pod's phase shows.
        state.and_then(|s| s.waiting.as_ref()).is_some()
            && status
                .last_state
                .as_ref()
                .and_then(|s| s.terminated.as_ref())
                .is_some()
    })
}

/// A pod still on its way: Pending (with the STATUS kubectl shows), Running with a container
/// about to restart, or Terminating.
fn pod_progress(
    object: &std::sync::Arc<Object>,
    now: crate::sim::clock::Timestamp,
) -> Option<String> {
    let Object::Pod(pod) = object.as_ref() else {
        return None;
    };
    let terminating = pod.metadata.deletion_timestamp.is_some();
    let phase = pod.phase().unwrap_or("Pending");
    if !terminating && phase != "Pending" && !(phase == "Running" && restarting(pod)) {
        return None;
    }
    let status_column = printers::columns(Kind::Pod)
        .iter()
        .position(|c| c.name.eq_ignore_ascii_case("status"));
    let status = status_column
        .and_then(|i| printers::row(object, now).cells.get(i).map(|c| c.to_text()))
        .unwrap_or_else(|| phase.to_string());
    let unschedulable = pod
        .status
        .iter()
        .flat_map(|s| s.conditions())
        .find(|c| {
            c.type_() == "PodScheduled"
                && c.status() == "False"
                && c.reason() == Some("Unschedulable")
        })
        .and_then(|c| c.message().map(str::to_string));
    Some(match unschedulable {
        Some(message) if !terminating => format!("{status} (Unschedulable: {message})"),
        _ => status,
    })
}
