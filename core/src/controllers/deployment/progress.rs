//! Deployment status and conditions (`calculateStatus`, `syncRolloutStatus`,
//! `checkPausedConditions` in Kubernetes' `sync.go` and `progress.go`).
//!
//! Status counts come from the ReplicaSets' specs and statuses. `Available` says whether at
//! least `replicas - maxUnavailable` pods are available. `Progressing` says where the rollout
//! is: `NewReplicaSetCreated` / `FoundNewReplicaSet` at the start, `ReplicaSetUpdated` while
//! pods move, `NewReplicaSetAvailable` when complete, and `ProgressDeadlineExceeded` (status
//! False) when nothing moved for `progressDeadlineSeconds`. A Deployment that may still time
//! out asks to be looked at again just after its deadline.

use std::time::Duration;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentStatus, ReplicaSet};

use crate::sim::clock::Timestamp;

use super::util::*;
use super::SyncContext;

/// `calculateStatus`.
pub fn calculate_status(
    d: &Deployment,
    all: &[&ReplicaSet],
    new_rs: Option<&ReplicaSet>,
    now: Timestamp,
) -> DeploymentStatus {
    let available: i32 = all.iter().map(|rs| rs_available(rs)).sum();
    let total: i32 = all.iter().map(|rs| rs_replicas(rs)).sum();
    let previous = d.status.clone().unwrap_or_default();
    let nonzero = |v: i32| (v != 0).then_some(v);
    let mut status = DeploymentStatus {
        observed_generation: d.metadata.generation,
        replicas: nonzero(all.iter().map(|rs| rs_actual(rs)).sum()),
        updated_replicas: nonzero(new_rs.map_or(0, rs_actual)),
        ready_replicas: nonzero(all.iter().map(|rs| rs_ready(rs)).sum()),
        available_replicas: nonzero(available),
        unavailable_replicas: nonzero((total - available).max(0)),
        collision_count: previous.collision_count,
        conditions: previous.conditions.clone(),
        terminating_replicas: previous.terminating_replicas,
    };
    if available >= replicas(d) - max_unavailable(d) {
        set_condition(
            &mut status,
            new_condition(
                "Available",
                "True",
                MINIMUM_REPLICAS_AVAILABLE,
                "Deployment has minimum availability.".to_string(),
                now,
            ),
        );
    } else {
        set_condition(
            &mut status,
            new_condition(
                "Available",
                "False",
                MINIMUM_REPLICAS_UNAVAILABLE,
                "Deployment does not have minimum availability.".to_string(),
                now,
            ),
        );
    }
    status
}

/// `syncDeploymentStatus`: status without progress estimation (paused Deployments, scaling).
pub(crate) fn sync_deployment_status(
    ctx: &mut SyncContext<'_>,
    old_rss: &[ReplicaSet],
    new_rs: Option<&ReplicaSet>,
) {
    let all: Vec<&ReplicaSet> = old_rss.iter().chain(new_rs).collect();
    let status = calculate_status(&ctx.d, &all, new_rs, ctx.now);
    ctx.d.status = Some(status);
}

/// `DeploymentProgressing`: more updated, fewer old, more ready or more available pods than
/// the last status said.
fn deployment_progressing(d: &Deployment, new: &DeploymentStatus) -> bool {
    let old = d.status.clone().unwrap_or_default();
    let v = |x: Option<i32>| x.unwrap_or(0);
    let old_old = v(old.replicas) - v(old.updated_replicas);
    let new_old = v(new.replicas) - v(new.updated_replicas);
    v(new.updated_replicas) > v(old.updated_replicas)
        || new_old < old_old
        || v(new.ready_replicas) > v(old.ready_replicas)
        || v(new.available_replicas) > v(old.available_replicas)
}

/// `DeploymentTimedOut`: the Progressing condition was last updated longer than the
/// deadline ago.
fn deployment_timed_out(d: &Deployment, status: &DeploymentStatus, now: Timestamp) -> bool {
    let Some(deadline) = progress_deadline_seconds(d) else {
        return false;
    };
    let Some(condition) = get_condition(status, "Progressing") else {
        return false;
    };
    match condition.reason.as_deref() {
        Some(NEW_RS_AVAILABLE_REASON) => false,
        Some(TIMED_OUT_REASON) => true,
        _ => {
            let Some(from) = condition
                .last_update_time
                .as_ref()
                .map(Timestamp::from_k8s_time)
            else {
                return false;
            };
            let delta = Duration::from_secs(u64::try_from(deadline).unwrap_or(0));
            from.plus(delta) < now
        }
    }
}

/// `syncRolloutStatus`: status with the Progressing condition, plus a wake-up at the
/// progress deadline.
pub(crate) fn sync_rollout_status(
    ctx: &mut SyncContext<'_>,
    old_rss: &[ReplicaSet],
    new_rs: Option<&ReplicaSet>,
) {
    let all: Vec<&ReplicaSet> = old_rss.iter().chain(new_rs).collect();
    let mut status = calculate_status(&ctx.d, &all, new_rs, ctx.now);
    let d = &ctx.d;
    let has_deadline = progress_deadline_seconds(d).is_some();
    if !has_deadline {
        remove_condition(&mut status, "Progressing");
    }
    let current = d
        .status
        .as_ref()
        .and_then(|s| get_condition(s, "Progressing"))
        .cloned();
    let complete = status.replicas == status.updated_replicas
        && current
            .as_ref()
            .is_some_and(|c| c.reason.as_deref() == Some(NEW_RS_AVAILABLE_REASON));
    let rs_name = new_rs.and_then(|rs| rs.metadata.name.clone());
    let d_name = d.metadata.name.clone().unwrap_or_default();
    if has_deadline && !complete {
        if deployment_complete(d, &status) {
            let message = match &rs_name {
                Some(name) => format!("ReplicaSet {name:?} has successfully progressed."),
                None => format!("Deployment {d_name:?} has successfully progressed."),
            };
            set_condition(
                &mut status,
                new_condition(
                    "Progressing",
                    "True",
                    NEW_RS_AVAILABLE_REASON,
                    message,
                    ctx.now,
                ),
            );
        } else if deployment_progressing(d, &status) {
            let message = match &rs_name {
                Some(name) => format!("ReplicaSet {name:?} is progressing."),
                None => format!("Deployment {d_name:?} is progressing."),
            };
            let mut condition =
                new_condition("Progressing", "True", RS_UPDATED_REASON, message, ctx.now);
            if let Some(current) = &current {
                if current.status == "True" {
                    condition.last_transition_time = current.last_transition_time.clone();
                }
                remove_condition(&mut status, "Progressing");
            }
            set_condition(&mut status, condition);
        } else if deployment_timed_out(d, &status, ctx.now) {
            let message = match &rs_name {
                Some(name) => format!("ReplicaSet {name:?} has timed out progressing."),
                None => format!("Deployment {d_name:?} has timed out progressing."),
            };
            set_condition(
                &mut status,
                new_condition("Progressing", "False", TIMED_OUT_REASON, message, ctx.now),
            );
        }
    }
    // requeueStuckDeployment: look again just after the deadline.
    if let (Some(deadline), Some(current)) = (progress_deadline_seconds(d), &current) {
        let stuck =
            !deployment_complete(d, &status) && current.reason.as_deref() != Some(TIMED_OUT_REASON);
        if stuck {
            if let Some(updated) = current
                .last_update_time
                .as_ref()
                .map(Timestamp::from_k8s_time)
            {
                let due = updated.plus(Duration::from_secs(u64::try_from(deadline).unwrap_or(0)));
                let after = due.since(ctx.now) + Duration::from_secs(1);
                ctx.requeue_after = Some(ctx.requeue_after.map_or(after, |a| a.min(after)));
            }
        }
    }
    ctx.d.status = Some(status);
}

/// `checkPausedConditions`: Progressing Unknown with DeploymentPaused / DeploymentResumed,
/// so a long pause is not taken for a stalled rollout.
pub(crate) fn check_paused_conditions(ctx: &mut SyncContext<'_>) {
    if progress_deadline_seconds(&ctx.d).is_none() {
        return;
    }
    let status = ctx.d.status.get_or_insert_with(DeploymentStatus::default);
    let reason = get_condition(status, "Progressing").and_then(|c| c.reason.clone());
    if reason.as_deref() == Some(TIMED_OUT_REASON) {
        return;
    }
    let paused_condition_exists = reason.as_deref() == Some(PAUSED_DEPLOY_REASON);
    let paused = ctx.d.spec.as_ref().and_then(|s| s.paused).unwrap_or(false);
    let now = ctx.now;
    let status = ctx.d.status.get_or_insert_with(DeploymentStatus::default);
    if paused && !paused_condition_exists {
        set_condition(
            status,
            new_condition(
                "Progressing",
                "Unknown",
                PAUSED_DEPLOY_REASON,
                "Deployment is paused".to_string(),
                now,
            ),
        );
    } else if !paused && paused_condition_exists {
        set_condition(
            status,
            new_condition(
                "Progressing",
                "Unknown",
                RESUMED_DEPLOY_REASON,
                "Deployment is resumed".to_string(),
                now,
            ),
        );
    }
}
