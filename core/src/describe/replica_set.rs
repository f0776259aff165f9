//! `kubectl describe replicaset` (and the pod counting it shares with the
//! ReplicationController describer: pods that match the selector *and* are controlled by
//! the object, counted by phase).

use k8s_openapi::api::apps::v1::ReplicaSet;

use crate::api::objects::{Kind, Object};
use crate::apiserver::{ApiError, ListOptions};
use crate::kubectl::KubectlApi;
use crate::sim::clock::Timestamp;

use super::events::{describe_events, events_for};
use super::format::{
    annotations_multiline, controlled_by, format_label_selector, labels_multiline, selector_string,
};
use super::pod::describe_pod_template;
use super::writer::{w, PrefixWriter, LEVEL_0, LEVEL_1};

/// Pods of a controller by phase (kubectl's `getPodStatusForController`).
#[derive(Debug, Default)]
pub(crate) struct PodPhaseCounts {
    running: usize,
    waiting: usize,
    succeeded: usize,
    failed: usize,
}

impl PodPhaseCounts {
    /// `1 Running / 0 Waiting / 0 Succeeded / 0 Failed`.
    pub(crate) fn summary(&self) -> String {
        format!(
            "{} Running / {} Waiting / {} Succeeded / {} Failed",
            self.running, self.waiting, self.succeeded, self.failed
        )
    }
}

/// Lists the pods matching `selector` in `namespace` and counts those controlled by `uid`.
pub(crate) fn pod_status_for_controller<A: KubectlApi + ?Sized>(
    api: &mut A,
    namespace: &str,
    selector: &str,
    uid: &str,
) -> Result<PodPhaseCounts, ApiError> {
    let list = api.list(
        Kind::Pod,
        Some(namespace),
        &ListOptions::with_label_selector(selector),
    )?;
    let mut counts = PodPhaseCounts::default();
    for object in &list.items {
        let Object::Pod(pod) = object.as_ref() else {
            continue;
        };
        let controlled = pod
            .metadata
            .owner_references
            .iter()
            .flatten()
            .any(|r| r.controller == Some(true) && r.uid == uid);
        if !controlled {
            continue;
        }
        match pod.phase() {
            Some("Running") => counts.running += 1,
            Some("Pending") => counts.waiting += 1,
            Some("Succeeded") => counts.succeeded += 1,
            Some("Failed") => counts.failed += 1,
            _ => {}
        }
    }
    Ok(counts)
}

/// `ReplicaSetDescriber`.
pub(crate) fn describe_replica_set<A: KubectlApi + ?Sized>(
    api: &mut A,
    object: &Object,
    rs: &ReplicaSet,
    now: Timestamp,
) -> Result<String, ApiError> {
    let meta = &rs.metadata;
    let spec = rs.spec.as_ref();
    let selector = spec.map(|s| &s.selector);
    let selector_text = selector_string(selector).ok_or_else(|| {
        ApiError::BadRequest(format!(
            "invalid label selector in replicaset {}",
            object.name()
        ))
    })?;
    let uid = meta.uid.as_deref().unwrap_or("");
    let pods = pod_status_for_controller(api, object.namespace(), &selector_text, uid);
    let events = events_for(api, object);

    let mut w = PrefixWriter::new();
    w!(w, LEVEL_0, "Name:\t{}\n", object.name());
    w!(w, LEVEL_0, "Namespace:\t{}\n", object.namespace());
    w!(
        w,
        LEVEL_0,
        "Selector:\t{}\n",
        format_label_selector(selector)
    );
    labels_multiline(&mut w, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", meta.annotations.as_ref());
    if let Some(owner) = controlled_by(meta) {
        w!(w, LEVEL_0, "Controlled By:\t{owner}\n");
    }
    w!(
        w,
        LEVEL_0,
        "Replicas:\t{} current / {} desired\n",
        rs.status.as_ref().map_or(0, |s| s.replicas),
        spec.and_then(|s| s.replicas).unwrap_or(1)
    );
    w!(w, LEVEL_0, "Pods Status:\t");
    match pods {
        Ok(counts) => w!(w, LEVEL_0, "{}\n", counts.summary()),
        Err(error) => w!(w, LEVEL_0, "error in fetching pods: {error}\n"),
    }
    describe_pod_template(&mut w, spec.and_then(|s| s.template.as_ref()));
    let conditions = rs.status.as_ref().and_then(|s| s.conditions.as_deref());
    if let Some(conditions) = conditions.filter(|c| !c.is_empty()) {
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
    describe_events(&mut w, &events, now);
    Ok(w.finish())
}
