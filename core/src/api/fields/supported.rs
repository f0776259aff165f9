//! Which field labels the API server accepts in a field selector, per kind, and the 400
//! message it gives for any other.
//!
//! Kubernetes registers a field label conversion function for a few core kinds (Pod, Node,
//! ReplicationController, Event, Namespace, Secret, Service); those reject other labels with
//! `field label not supported: <label>`. Every other kind — including apps/v1 ReplicaSet
//! and Deployment, Endpoints, EndpointSlice, ConfigMap and Lease — falls back to the
//! default, which accepts only `metadata.name` and `metadata.namespace` and answers
//! `"<label>" is not a known field selector: only "metadata.name", "metadata.namespace"`.
//! (The Kubernetes docs list `status.replicas` for ReplicaSet, but the apps/v1 API server
//! rejects it: kubernetes/kubernetes#135136.)

use super::selector::{FieldRequirement, FieldSelector};
use crate::api::labels::go_quote;

const POD: &[&str] = &[
    "metadata.name",
    "metadata.namespace",
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.schedulerName",
    "spec.serviceAccountName",
    "spec.hostNetwork",
    "status.phase",
    "status.podIP",
    "status.podIPs",
    "status.nominatedNodeName",
];
const NODE: &[&str] = &["metadata.name", "spec.unschedulable"];
const REPLICATION_CONTROLLER: &[&str] = &["metadata.name", "metadata.namespace", "status.replicas"];
const EVENT: &[&str] = &[
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
    "metadata.namespace",
    "metadata.name",
];
const NAMESPACE: &[&str] = &["status.phase", "metadata.name"];
const SECRET: &[&str] = &["type", "metadata.namespace", "metadata.name"];
const SERVICE: &[&str] = &[
    "metadata.namespace",
    "metadata.name",
    "spec.clusterIP",
    "spec.type",
];
const DEFAULT: &[&str] = &["metadata.name", "metadata.namespace"];

/// How the API server checks field labels for one kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FieldLabelConversion {
    /// The kind registers its own list; others are "not supported".
    Registered(&'static [&'static str]),
    /// No registered list: only name and namespace, others "not a known field selector".
    Default,
}

fn conversion_for(kind: &str) -> FieldLabelConversion {
    match kind {
        "Pod" => FieldLabelConversion::Registered(POD),
        "Node" => FieldLabelConversion::Registered(NODE),
        "ReplicationController" => FieldLabelConversion::Registered(REPLICATION_CONTROLLER),
        "Event" => FieldLabelConversion::Registered(EVENT),
        "Namespace" => FieldLabelConversion::Registered(NAMESPACE),
        "Secret" => FieldLabelConversion::Registered(SECRET),
        "Service" => FieldLabelConversion::Registered(SERVICE),
        _ => FieldLabelConversion::Default,
    }
}

/// A field label the API server does not accept for the kind. Its text is exactly the
/// message of the API server's 400 Bad Request.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UnsupportedFieldLabel {
    /// Rejected by a kind that registers its own field labels (Pod, Node, Event, ...).
    #[error("field label not supported: {label}")]
    NotSupported {
        /// The field label asked for.
        label: String,
    },
    /// Rejected by the default check, which knows only name and namespace.
    #[error("{} is not a known field selector: only \"metadata.name\", \"metadata.namespace\"", go_quote(.label))]
    NotAKnownFieldSelector {
        /// The field label asked for.
        label: String,
    },
}

/// The field labels the API server accepts in a field selector for `kind` (e.g. `"Pod"`).
/// Kinds without their own list accept `metadata.name` and `metadata.namespace`.
pub fn supported_field_labels(kind: &str) -> &'static [&'static str] {
    match conversion_for(kind) {
        FieldLabelConversion::Registered(labels) => labels,
        FieldLabelConversion::Default => DEFAULT,
    }
}

/// Checks one field label for `kind` as the API server does, returning the label to filter
/// on: the label itself, or for Pods the legacy `spec.host`, which means `spec.nodeName`.
pub fn convert_field_label(kind: &str, label: &str) -> Result<&'static str, UnsupportedFieldLabel> {
    let conversion = conversion_for(kind);
    if kind == "Pod" && label == "spec.host" {
        return Ok("spec.nodeName");
    }
    let known = supported_field_labels(kind)
        .iter()
        .find(|known| **known == label);
    match (known, conversion) {
        (Some(known), _) => Ok(known),
        (None, FieldLabelConversion::Registered(_)) => Err(UnsupportedFieldLabel::NotSupported {
            label: label.to_string(),
        }),
        (None, FieldLabelConversion::Default) => {
            Err(UnsupportedFieldLabel::NotAKnownFieldSelector {
                label: label.to_string(),
            })
        }
    }
}

impl FieldSelector {
    /// Checks every term against what `kind` supports and renames legacy labels, as the API
    /// server does before listing or watching. The first unsupported label is the error.
    pub fn convert_for_kind(&self, kind: &str) -> Result<FieldSelector, UnsupportedFieldLabel> {
        let requirements = self
            .requirements()
            .iter()
            .map(|r| {
                Ok(FieldRequirement {
                    field: convert_field_label(kind, &r.field)?.to_string(),
                    operator: r.operator,
                    value: r.value.clone(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(FieldSelector::from_requirements(requirements))
    }
}
