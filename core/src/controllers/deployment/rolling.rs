//! The RollingUpdate strategy (`rolling.go`): grow the new ReplicaSet while the total stays
//! within `replicas + maxSurge`, shrink old ones while at least `replicas - maxUnavailable`
//! pods stay available, first removing old pods that are not available anyway.

use k8s_openapi::api::apps::v1::ReplicaSet;

use super::progress::sync_rollout_status;
use super::util::*;
use super::{
    cleanup_deployment, get_all_replica_sets_and_sync_revision, new_rs_new_replicas,
    sort_by_creation, SyncContext,
};

/// `rolloutRolling`.
pub(crate) fn rollout_rolling(ctx: &mut SyncContext<'_>, rs_list: &[ReplicaSet]) {
    let (new_rs, mut old_rss) = get_all_replica_sets_and_sync_revision(ctx, rs_list, true);
    let Some(mut new_rs) = new_rs else {
        sync_rollout_status(ctx, &old_rss, None);
        return;
    };
    if reconcile_new_replica_set(ctx, &old_rss, &mut new_rs) {
        sync_rollout_status(ctx, &old_rss, Some(&new_rs));
        return;
    }
    if reconcile_old_replica_sets(ctx, &mut old_rss, &new_rs) {
        sync_rollout_status(ctx, &old_rss, Some(&new_rs));
        return;
    }
    if let Some(status) = ctx.d.status.clone() {
        if deployment_complete(&ctx.d, &status) {
            cleanup_deployment(ctx, &old_rss);
        }
    }
    sync_rollout_status(ctx, &old_rss, Some(&new_rs));
}

/// `reconcileNewReplicaSet`: whether it scaled the new ReplicaSet.
fn reconcile_new_replica_set(
    ctx: &mut SyncContext<'_>,
    old_rss: &[ReplicaSet],
    new_rs: &mut ReplicaSet,
) -> bool {
    let want = replicas(&ctx.d);
    let have = rs_replicas(new_rs);
    if have == want {
        return false;
    }
    if have > want {
        return ctx.scale_and_record(new_rs, want);
    }
    let mut all = old_rss.to_vec();
    all.push(new_rs.clone());
    let count = new_rs_new_replicas(&ctx.d, &all, new_rs);
    ctx.scale_and_record(new_rs, count)
}

/// `reconcileOldReplicaSets`: whether it scaled any old ReplicaSet down.
fn reconcile_old_replica_sets(
    ctx: &mut SyncContext<'_>,
    old_rss: &mut [ReplicaSet],
    new_rs: &ReplicaSet,
) -> bool {
    let old_pods: i32 = old_rss.iter().map(rs_replicas).sum();
    if old_pods == 0 {
        return false;
    }
    let all_pods = old_pods + rs_replicas(new_rs);
    let min_available = replicas(&ctx.d) - max_unavailable(&ctx.d);
    let new_unavailable = rs_replicas(new_rs) - rs_available(new_rs);
    let max_scaled_down = all_pods - min_available - new_unavailable;
    if max_scaled_down <= 0 {
        return false;
    }
    let cleaned = cleanup_unhealthy_replicas(ctx, old_rss, max_scaled_down);
    let scaled = scale_down_old_replica_sets(ctx, old_rss, new_rs);
    cleaned + scaled > 0
}

/// `cleanupUnhealthyReplicas`: drop old pods that are not available, oldest ReplicaSet first.
fn cleanup_unhealthy_replicas(
    ctx: &mut SyncContext<'_>,
    old_rss: &mut [ReplicaSet],
    max_cleanup: i32,
) -> i32 {
    sort_by_creation(old_rss);
    let mut total = 0;
    for rs in old_rss.iter_mut() {
        if total >= max_cleanup {
            break;
        }
        let have = rs_replicas(rs);
        if have == 0 || have == rs_available(rs) {
            continue;
        }
        let count = (max_cleanup - total).min(have - rs_available(rs));
        ctx.scale_and_record(rs, have - count);
        total += count;
    }
    total
}

/// `scaleDownOldReplicaSetsForRollingUpdate`: scale old ReplicaSets down while enough pods
/// stay available.
fn scale_down_old_replica_sets(
    ctx: &mut SyncContext<'_>,
    old_rss: &mut [ReplicaSet],
    new_rs: &ReplicaSet,
) -> i32 {
    let min_available = replicas(&ctx.d) - max_unavailable(&ctx.d);
    let available: i32 = old_rss.iter().map(rs_available).sum::<i32>() + rs_available(new_rs);
    if available <= min_available {
        return 0;
    }
    sort_by_creation(old_rss);
    let target = available - min_available;
    let mut total = 0;
    for rs in old_rss.iter_mut() {
        if total >= target {
            break;
        }
        let have = rs_replicas(rs);
        if have == 0 {
            continue;
        }
        let count = have.min(target - total);
        ctx.scale_and_record(rs, have - count);
        total += count;
    }
    total
}
