//! `kubectl describe replicationcontroller`: the equality selector, replica counts, the
//! pods it controls by phase, its pod template and events.

use k8s_openapi::api::core::v1::ReplicationController;

use crate::api::objects::Object;
use crate::apiserver::ApiError;
use crate::kubectl::KubectlApi;
use crate::sim::clock::Timestamp;

use super::events::{describe_events, events_for};
use super::format::{annotations_multiline, format_labels, labels_multiline};
use super::pod::describe_pod_template;
use super::replica_set::pod_status_for_controller;
use super::writer::{w, PrefixWriter, LEVEL_0, LEVEL_1};

/// `ReplicationControllerDescriber`.
pub(crate) fn describe_replication_controller<A: KubectlApi + ?Sized>(
    api: &mut A,
    object: &Object,
    rc: &ReplicationController,
    now: Timestamp,
) -> Result<String, ApiError> {
    let meta = &rc.metadata;
    let spec = rc.spec.as_ref();
    let selector = spec.and_then(|s| s.selector.as_ref());
    // labels.SelectorFromSet(…).String(): the pairs sorted by key, empty for no selector.
    let selector_text = selector
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    let uid = meta.uid.as_deref().unwrap_or("");
    let pods = pod_status_for_controller(api, object.namespace(), &selector_text, uid)?;
    let events = events_for(api, object);

    let mut w = PrefixWriter::new();
    w!(w, LEVEL_0, "Name:\t{}\n", object.name());
    w!(w, LEVEL_0, "Namespace:\t{}\n", object.namespace());
    w!(w, LEVEL_0, "Selector:\t{}\n", format_labels(selector));
    labels_multiline(&mut w, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", meta.annotations.as_ref());
    w!(
        w,
        LEVEL_0,
        "Replicas:\t{} current / {} desired\n",
        rc.status.as_ref().map_or(0, |s| s.replicas),
        spec.and_then(|s| s.replicas).unwrap_or(1)
    );
    w!(w, LEVEL_0, "Pods Status:\t{}\n", pods.summary());
    describe_pod_template(&mut w, spec.and_then(|s| s.template.as_ref()));
    let conditions = rc.status.as_ref().and_then(|s| s.conditions.as_deref());
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
