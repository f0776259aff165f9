//! `kubectl describe namespace`: status, conditions, and the quota and limit-range
//! sections (kubeplay serves neither kind, so both read `No resource quota.` and
//! `No LimitRange resource.` as on a cluster without any).

use k8s_openapi::api::core::v1::Namespace;

use super::format::{annotations_multiline, labels_multiline, rfc1123z};
use super::writer::{w, PrefixWriter, LEVEL_0, LEVEL_1};

/// `describeNamespace` with empty quota and limit-range lists.
pub(crate) fn describe_namespace(namespace: &Namespace) -> String {
    let meta = &namespace.metadata;
    let status = namespace.status.clone().unwrap_or_default();
    let mut w = PrefixWriter::new();
    w!(
        w,
        LEVEL_0,
        "Name:\t{}\n",
        meta.name.as_deref().unwrap_or("")
    );
    labels_multiline(&mut w, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", meta.annotations.as_ref());
    w!(
        w,
        LEVEL_0,
        "Status:\t{}\n",
        status.phase.as_deref().unwrap_or("")
    );
    if let Some(conditions) = status.conditions.as_deref().filter(|c| !c.is_empty()) {
        w!(w, LEVEL_0, "Conditions:\n");
        w!(
            w,
            LEVEL_1,
            "Type\tStatus\tLastTransitionTime\tReason\tMessage\n"
        );
        w!(
            w,
            LEVEL_1,
            "----\t------\t------------------\t------\t-------\n"
        );
        for c in conditions {
            w!(
                w,
                LEVEL_1,
                "{}\t{}\t{}\t{}\t{}\n",
                c.type_,
                c.status,
                rfc1123z(c.last_transition_time.as_ref()),
                c.reason.as_deref().unwrap_or(""),
                c.message.as_deref().unwrap_or("")
            );
        }
    }
    w!(w, LEVEL_0, "\n");
    w!(w, LEVEL_0, "No resource quota.\n");
    w!(w, LEVEL_0, "\n");
    w!(w, LEVEL_0, "No LimitRange resource.\n");
    w.finish()
}
