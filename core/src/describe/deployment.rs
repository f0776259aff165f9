//! `kubectl describe deployment`: replica counts, strategy, pod template, conditions, and
//! the old and new ReplicaSets found as kubectl's `GetAllReplicaSetsInChunks` finds them
//! (ReplicaSets matching the selector and controlled by the Deployment; the new one is the
//! oldest whose template equals the Deployment's ignoring `pod-template-hash`).

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};

use crate::api::objects::{Kind, Object};
use crate::apiserver::{ApiError, ListOptions};
use crate::controllers::deployment::util::equal_ignore_hash;
use crate::kubectl::KubectlApi;
use crate::sim::clock::Timestamp;

use super::events::{describe_events, events_for};
use super::format::{
    annotations_multiline, int_or_string, labels_multiline, rfc1123z, selector_string,
};
use super::pod::describe_pod_template;
use super::writer::{w, PrefixWriter, LEVEL_0, LEVEL_1};

/// `DeploymentDescriber`.
pub(crate) fn describe_deployment<A: KubectlApi + ?Sized>(
    api: &mut A,
    object: &Object,
    d: &Deployment,
    now: Timestamp,
) -> Result<String, ApiError> {
    let meta = &d.metadata;
    let spec = d.spec.as_ref();
    let selector = selector_string(spec.map(|s| &s.selector)).ok_or_else(|| {
        ApiError::BadRequest(format!(
            "invalid label selector in deployment {}",
            object.name()
        ))
    })?;
    let events = events_for(api, object);
    let (old, new) = replica_sets_of(api, d, &selector).unwrap_or_default();

    let status = d.status.clone().unwrap_or_default();
    let mut w = PrefixWriter::new();
    w!(w, LEVEL_0, "Name:\t{}\n", object.name());
    w!(w, LEVEL_0, "Namespace:\t{}\n", object.namespace());
    w!(
        w,
        LEVEL_0,
        "CreationTimestamp:\t{}\n",
        rfc1123z(meta.creation_timestamp.as_ref())
    );
    labels_multiline(&mut w, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", meta.annotations.as_ref());
    w!(w, LEVEL_0, "Selector:\t{selector}\n");
    w!(
        w,
        LEVEL_0,
        "Replicas:\t{} desired | {} updated | {} total | {} available | {} unavailable\n",
        spec.and_then(|s| s.replicas).unwrap_or(1),
        status.updated_replicas.unwrap_or(0),
        status.replicas.unwrap_or(0),
        status.available_replicas.unwrap_or(0),
        status.unavailable_replicas.unwrap_or(0)
    );
    let strategy = spec.and_then(|s| s.strategy.as_ref());
    w!(
        w,
        LEVEL_0,
        "StrategyType:\t{}\n",
        strategy.and_then(|s| s.type_.as_deref()).unwrap_or("")
    );
    w!(
        w,
        LEVEL_0,
        "MinReadySeconds:\t{}\n",
        spec.and_then(|s| s.min_ready_seconds).unwrap_or(0)
    );
    if let Some(rolling) = strategy.and_then(|s| s.rolling_update.as_ref()) {
        let show = |v: &Option<_>| {
            v.as_ref()
                .map_or_else(|| "<nil>".to_string(), int_or_string)
        };
        w!(
            w,
            LEVEL_0,
            "RollingUpdateStrategy:\t{} max unavailable, {} max surge\n",
            show(&rolling.max_unavailable),
            show(&rolling.max_surge)
        );
    }
    describe_pod_template(&mut w, spec.map(|s| &s.template));
    if let Some(conditions) = status.conditions.as_deref().filter(|c| !c.is_empty()) {
        w!(w, LEVEL_0, "Conditions:\n  Type\tStatus\tReason\n");
        w!(w, LEVEL_1, "----\t------\t------\n");
        for c in conditions {
            w!(
                w,
                LEVEL_1,
                "{} \t{}\t{}\n",
                c.type_,
                c.status,
                c.reason.as_deref().unwrap_or("")
            );
        }
    }
    if !old.is_empty() || !new.is_empty() {
        w!(
            w,
            LEVEL_0,
            "OldReplicaSets:\t{}\n",
            replica_sets_by_labels(&old)
        );
        w!(
            w,
            LEVEL_0,
            "NewReplicaSet:\t{}\n",
            replica_sets_by_labels(&new)
        );
    }
    describe_events(&mut w, &events, now);
    Ok(w.finish())
}

/// All old ReplicaSets and the new one (at most one), oldest first.
fn replica_sets_of<A: KubectlApi + ?Sized>(
    api: &mut A,
    d: &Deployment,
    selector: &str,
) -> Result<(Vec<ReplicaSet>, Vec<ReplicaSet>), ApiError> {
    let namespace = d.metadata.namespace.as_deref().unwrap_or("");
    let uid = d.metadata.uid.as_deref().unwrap_or("");
    let list = api.list(
        Kind::ReplicaSet,
        Some(namespace),
        &ListOptions::with_label_selector(selector),
    )?;
    let mut owned: Vec<ReplicaSet> = list
        .items
        .iter()
        .filter_map(|o| match o.as_ref() {
            Object::ReplicaSet(rs) => Some(rs.as_ref().clone()),
            _ => None,
        })
        .filter(|rs| {
            rs.metadata
                .owner_references
                .iter()
                .flatten()
                .any(|r| r.controller == Some(true) && r.uid == uid)
        })
        .collect();
    owned.sort_by(|a, b| {
        let key = |rs: &ReplicaSet| {
            (
                rs.metadata.creation_timestamp.as_ref().map(|t| t.0),
                rs.metadata.name.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    let template = d
        .spec
        .as_ref()
        .map(|s| s.template.clone())
        .unwrap_or_default();
    let new_index = owned.iter().position(|rs| {
        rs.spec
            .as_ref()
            .and_then(|s| s.template.as_ref())
            .is_some_and(|t| equal_ignore_hash(t, &template))
    });
    let new = new_index.map(|i| owned.remove(i)).into_iter().collect();
    Ok((owned, new))
}

/// `printReplicaSetsByLabels`: `web-7d4b9c (3/3 replicas created)`, or `<none>`.
fn replica_sets_by_labels(replica_sets: &[ReplicaSet]) -> String {
    let text = replica_sets
        .iter()
        .map(|rs| {
            format!(
                "{} ({}/{} replicas created)",
                rs.metadata.name.as_deref().unwrap_or(""),
                rs.status.as_ref().map_or(0, |s| s.replicas),
                rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    if text.is_empty() {
        "<none>".to_string()
    } else {
        text
    }
}
