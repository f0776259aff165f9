//! The Recreate strategy (`recreate.go`): scale every old ReplicaSet to zero, wait until no
//! old pod is left running, then scale the new ReplicaSet up to `replicas` at once.

use std::sync::Arc;

use k8s_openapi::api::apps::v1::ReplicaSet;

use crate::api::objects::Object;
use crate::controllers::cache::controller_ref;

use super::progress::sync_rollout_status;
use super::util::*;
use super::{cleanup_deployment, get_all_replica_sets_and_sync_revision, SyncContext};

/// `rolloutRecreate`.
pub(crate) fn rollout_recreate(
    ctx: &mut SyncContext<'_>,
    rs_list: &[ReplicaSet],
    pods: &[Arc<Object>],
) {
    let (new_rs, mut old_rss) = get_all_replica_sets_and_sync_revision(ctx, rs_list, false);
    let mut scaled_down = false;
    for rs in old_rss.iter_mut().filter(|rs| rs_replicas(rs) > 0) {
        ctx.scale_and_record(rs, 0);
        scaled_down = true;
    }
    if scaled_down || old_pods_running(new_rs.as_ref(), &old_rss, pods) {
        sync_rollout_status(ctx, &old_rss, new_rs.as_ref());
        return;
    }
    let (new_rs, old_rss) = match new_rs {
        Some(rs) => (Some(rs), old_rss),
        None => get_all_replica_sets_and_sync_revision(ctx, rs_list, true),
    };
    let mut new_rs = new_rs;
    if let Some(rs) = new_rs.as_mut() {
        let want = replicas(&ctx.d);
        ctx.scale_and_record(rs, want);
    }
    if let Some(status) = ctx.d.status.clone() {
        if deployment_complete(&ctx.d, &status) {
            cleanup_deployment(ctx, &old_rss);
        }
    }
    sync_rollout_status(ctx, &old_rss, new_rs.as_ref());
}

/// `oldPodsRunning`: an old ReplicaSet still reports pods, or a pod of one is not finished.
fn old_pods_running(
    new_rs: Option<&ReplicaSet>,
    old_rss: &[ReplicaSet],
    pods: &[Arc<Object>],
) -> bool {
    if old_rss.iter().map(rs_actual).sum::<i32>() > 0 {
        return true;
    }
    let new_uid = new_rs.and_then(|rs| rs.metadata.uid.as_deref());
    let old_uids: Vec<&str> = old_rss
        .iter()
        .filter_map(|rs| rs.metadata.uid.as_deref())
        .collect();
    pods.iter().any(|pod| {
        let Some(reference) = controller_ref(pod) else {
            return false;
        };
        if Some(reference.uid.as_str()) == new_uid || !old_uids.contains(&reference.uid.as_str()) {
            return false;
        }
        let phase = match pod.as_ref() {
            Object::Pod(p) => p.phase().unwrap_or_default().to_string(),
            _ => return false,
        };
        phase != "Failed" && phase != "Succeeded"
    })
}
