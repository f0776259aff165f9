//! `metadata` validation shared by every kind (Kubernetes' `ValidateObjectMeta` and
//! `ValidateObjectMetaUpdate`), plus the label and annotation checks it is made of.
//!
//! Per-kind validators call [`validate_object_meta`] with their name syntax ([`NameRule`]) and
//! scope ([`Scope`]); on update they call [`validate_object_meta_update`], which enforces the
//! fields Kubernetes never lets change (`name`, `namespace`, `uid`, `creationTimestamp`…).

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::Value;

use super::field::{ErrorList, FieldError, FieldPath};
use super::names::{is_qualified_name, is_valid_label_value, NameRule};

/// Kubernetes' `FieldImmutableErrorMsg`.
pub const FIELD_IMMUTABLE: &str = "field is immutable";
/// Kubernetes' `IsNegativeErrorMsg`.
pub const IS_NEGATIVE: &str = "must be greater than or equal to 0";
/// The largest total size of all annotation keys and values (256 KiB).
pub const TOTAL_ANNOTATION_SIZE_LIMIT_BYTES: usize = 256 * 1024;

/// Finalizer names without a '/' that Kubernetes itself defines.
const STANDARD_FINALIZERS: [&str; 3] = ["kubernetes", "orphan", "foregroundDeletion"];

/// Whether a kind lives in a namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The object must have `metadata.namespace` (Pod, Service, Deployment…).
    Namespaced,
    /// The object must not have a namespace (Namespace, Node).
    Cluster,
}

/// Checks a label key (Kubernetes' `ValidateLabelName`).
pub fn validate_label_name(key: &str, path: &FieldPath) -> ErrorList {
    is_qualified_name(key)
        .into_iter()
        .map(|msg| FieldError::invalid(path, key, msg))
        .collect()
}

/// Checks a label map: every key a qualified name, every value a label value. Errors point at the
/// map itself (`metadata.labels`), as in Kubernetes.
pub fn validate_labels(labels: Option<&BTreeMap<String, String>>, path: &FieldPath) -> ErrorList {
    let mut errs = ErrorList::new();
    for (key, value) in labels.into_iter().flatten() {
        errs.extend(validate_label_name(key, path));
        for msg in is_valid_label_value(value) {
            errs.push(FieldError::invalid(path, value.as_str(), msg));
        }
    }
    errs
}

/// Checks annotation keys (qualified names, compared in lower case) and their total size.
pub fn validate_annotations(
    annotations: Option<&BTreeMap<String, String>>,
    path: &FieldPath,
) -> ErrorList {
    let mut errs = ErrorList::new();
    let mut total_size = 0usize;
    for (key, value) in annotations.into_iter().flatten() {
        for msg in is_qualified_name(&key.to_lowercase()) {
            errs.push(FieldError::invalid(path, key.as_str(), msg));
        }
        total_size += key.len() + value.len();
    }
    if total_size > TOTAL_ANNOTATION_SIZE_LIMIT_BYTES {
        errs.push(FieldError::too_long(
            path,
            TOTAL_ANNOTATION_SIZE_LIMIT_BYTES,
        ));
    }
    errs
}

/// Checks that `value` is not negative (Kubernetes' `ValidateNonnegativeField`).
pub fn validate_nonnegative(value: i64, path: &FieldPath) -> ErrorList {
    if value < 0 {
        vec![FieldError::invalid(path, value, IS_NEGATIVE)]
    } else {
        ErrorList::new()
    }
}

/// Reports `field is immutable` when `new` differs from `old` (Kubernetes'
/// `ValidateImmutableField`); the bad value is the new value.
pub fn validate_immutable<T: PartialEq + serde::Serialize>(
    new: &T,
    old: &T,
    path: &FieldPath,
) -> ErrorList {
    if new == old {
        return ErrorList::new();
    }
    let value = serde_json::to_value(new).unwrap_or(Value::Null);
    vec![FieldError::invalid(path, value, FIELD_IMMUTABLE)]
}

fn validate_finalizers(finalizers: Option<&Vec<String>>, path: &FieldPath) -> ErrorList {
    let mut errs = ErrorList::new();
    let finalizers = finalizers.map(Vec::as_slice).unwrap_or_default();
    for finalizer in finalizers {
        for msg in is_qualified_name(finalizer) {
            errs.push(FieldError::invalid(path, finalizer.as_str(), msg));
        }
    }
    let has = |name: &str| finalizers.iter().any(|f| f == name);
    if has("orphan") && has("foregroundDeletion") {
        errs.push(FieldError::invalid(
            path,
            serde_json::to_value(finalizers).unwrap_or(Value::Null),
            "finalizer orphan and foregroundDeletion cannot be both set",
        ));
    }
    errs
}

/// Kubernetes' extra check that a finalizer without '/' is one of its own.
fn validate_kube_finalizer_names(finalizers: Option<&Vec<String>>, path: &FieldPath) -> ErrorList {
    let mut errs = ErrorList::new();
    for (i, finalizer) in finalizers.into_iter().flatten().enumerate() {
        if !finalizer.contains('/') && !STANDARD_FINALIZERS.contains(&finalizer.as_str()) {
            errs.push(FieldError::invalid(
                &path.index(i),
                finalizer.as_str(),
                "name is neither a standard finalizer name nor is it fully qualified",
            ));
        }
    }
    errs
}

/// Validates `metadata` of a new object: name (or `generateName`) syntax, namespace by scope,
/// generation, labels, annotations and finalizers.
pub fn validate_object_meta(
    meta: &ObjectMeta,
    scope: Scope,
    name_rule: NameRule,
    path: &FieldPath,
) -> ErrorList {
    let mut errs = ErrorList::new();
    if let Some(generate_name) = meta.generate_name.as_deref().filter(|g| !g.is_empty()) {
        for msg in name_rule.check(generate_name, true) {
            errs.push(FieldError::invalid(
                &path.child("generateName"),
                generate_name,
                msg,
            ));
        }
    }
    match meta.name.as_deref().filter(|n| !n.is_empty()) {
        None => errs.push(FieldError::required(
            &path.child("name"),
            "name or generateName is required",
        )),
        Some(name) => {
            for msg in name_rule.check(name, false) {
                errs.push(FieldError::invalid(&path.child("name"), name, msg));
            }
        }
    }
    let namespace = meta.namespace.as_deref().unwrap_or("");
    match scope {
        Scope::Namespaced => {
            if namespace.is_empty() {
                errs.push(FieldError::required(&path.child("namespace"), ""));
            } else {
                for msg in NameRule::Dns1123Label.check(namespace, false) {
                    errs.push(FieldError::invalid(
                        &path.child("namespace"),
                        namespace,
                        msg,
                    ));
                }
            }
        }
        Scope::Cluster => {
            if !namespace.is_empty() {
                errs.push(FieldError::forbidden(
                    &path.child("namespace"),
                    "not allowed on this type",
                ));
            }
        }
    }
    errs.extend(validate_nonnegative(
        meta.generation.unwrap_or(0),
        &path.child("generation"),
    ));
    errs.extend(validate_labels(meta.labels.as_ref(), &path.child("labels")));
    errs.extend(validate_annotations(
        meta.annotations.as_ref(),
        &path.child("annotations"),
    ));
    errs.extend(validate_finalizers(
        meta.finalizers.as_ref(),
        &path.child("finalizers"),
    ));
    errs.extend(validate_kube_finalizer_names(
        meta.finalizers.as_ref(),
        &path.child("finalizers"),
    ));
    errs
}

/// Validates `metadata` on update: a resourceVersion is required, generation may not go down,
/// and name, namespace, uid, creationTimestamp, deletionTimestamp and
/// deletionGracePeriodSeconds may not change; labels and annotations are checked again.
pub fn validate_object_meta_update(
    new: &ObjectMeta,
    old: &ObjectMeta,
    path: &FieldPath,
) -> ErrorList {
    validate_object_meta_update_with(new, new.resource_version.as_deref(), old, path)
}

/// [`validate_object_meta_update`] for a kind that keeps the new object's `resourceVersion`
/// apart from its metadata (a [`StoredPod`](crate::api::objects::StoredPod)).
pub fn validate_object_meta_update_with(
    new: &ObjectMeta,
    new_resource_version: Option<&str>,
    old: &ObjectMeta,
    path: &FieldPath,
) -> ErrorList {
    let mut errs = ErrorList::new();
    if old.deletion_timestamp.is_some() {
        let old_finalizers = old.finalizers.as_deref().unwrap_or_default();
        let mut extra: Vec<&String> = new
            .finalizers
            .iter()
            .flatten()
            .filter(|f| !old_finalizers.contains(f))
            .collect();
        extra.sort();
        extra.dedup();
        if !extra.is_empty() {
            let quoted: Vec<String> = extra.iter().map(|f| format!("{f:?}")).collect();
            errs.push(FieldError::forbidden(
                &path.child("finalizers"),
                format!(
                    "no new finalizers can be added if the object is being deleted, found new finalizers []string{{{}}}",
                    quoted.join(", ")
                ),
            ));
        }
    }
    let resource_version = new_resource_version.unwrap_or("");
    if resource_version.is_empty() {
        errs.push(FieldError::invalid(
            &path.child("resourceVersion"),
            resource_version,
            "must be specified for an update",
        ));
    }
    let new_generation = new.generation.unwrap_or(0);
    if new_generation < old.generation.unwrap_or(0) {
        errs.push(FieldError::invalid(
            &path.child("generation"),
            new_generation,
            "must not be decremented",
        ));
    }
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    errs.extend(validate_immutable(
        &text(&new.name),
        &text(&old.name),
        &path.child("name"),
    ));
    errs.extend(validate_immutable(
        &text(&new.namespace),
        &text(&old.namespace),
        &path.child("namespace"),
    ));
    errs.extend(validate_immutable(
        &text(&new.uid),
        &text(&old.uid),
        &path.child("uid"),
    ));
    errs.extend(validate_immutable(
        &new.creation_timestamp,
        &old.creation_timestamp,
        &path.child("creationTimestamp"),
    ));
    errs.extend(validate_immutable(
        &new.deletion_timestamp,
        &old.deletion_timestamp,
        &path.child("deletionTimestamp"),
    ));
    errs.extend(validate_immutable(
        &new.deletion_grace_period_seconds,
        &old.deletion_grace_period_seconds,
        &path.child("deletionGracePeriodSeconds"),
    ));
    errs.extend(validate_labels(new.labels.as_ref(), &path.child("labels")));
    errs.extend(validate_annotations(
        new.annotations.as_ref(),
        &path.child("annotations"),
    ));
    errs.extend(validate_kube_finalizer_names(
        new.finalizers.as_ref(),
        &path.child("finalizers"),
    ));
    errs
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn meta(name: &str, namespace: Option<&str>) -> ObjectMeta {
        ObjectMeta {
            name: Some(name.to_string()),
            namespace: namespace.map(str::to_string),
            ..ObjectMeta::default()
        }
    }

    fn messages(errs: ErrorList) -> Vec<String> {
        errs.iter().map(ToString::to_string).collect()
    }

    fn check(m: &ObjectMeta, scope: Scope, rule: NameRule) -> Vec<String> {
        messages(validate_object_meta(
            m,
            scope,
            rule,
            &FieldPath::new("metadata"),
        ))
    }

    #[test]
    fn object_meta_reports_the_most_common_mistakes_like_kubernetes() {
        let mut labelled = meta("web", Some("default"));
        labelled.labels = Some(BTreeMap::from([("app".to_string(), "my app".to_string())]));
        let mut bad_key = meta("web", Some("default"));
        bad_key.labels = Some(BTreeMap::from([("-app".to_string(), "web".to_string())]));
        let cases: Vec<(&str, ObjectMeta, Scope, NameRule, Vec<&str>)> = vec![
            ("a valid pod name passes", meta("web-1", Some("default")), Scope::Namespaced, NameRule::Dns1123Subdomain, vec![]),
            ("a missing name is required", ObjectMeta { namespace: Some("default".into()), ..ObjectMeta::default() }, Scope::Namespaced, NameRule::Dns1123Subdomain,
                vec!["metadata.name: Required value: name or generateName is required"]),
            ("an upper-case name is invalid", meta("Web", Some("default")), Scope::Namespaced, NameRule::Dns1123Subdomain,
                vec!["metadata.name: Invalid value: \"Web\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"]),
            ("a namespaced object needs a namespace", meta("web", None), Scope::Namespaced, NameRule::Dns1123Subdomain,
                vec!["metadata.namespace: Required value"]),
            ("a cluster object may not have a namespace", meta("node-1", Some("default")), Scope::Cluster, NameRule::Dns1123Subdomain,
                vec!["metadata.namespace: Forbidden: not allowed on this type"]),
            ("a label value with a space is invalid", labelled, Scope::Namespaced, NameRule::Dns1123Subdomain,
                vec!["metadata.labels: Invalid value: \"my app\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"]),
            ("a label key starting with a dash is invalid", bad_key, Scope::Namespaced, NameRule::Dns1123Subdomain,
                vec!["metadata.labels: Invalid value: \"-app\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"]),
        ];
        for (name, m, scope, rule, want) in cases {
            assert_eq!(check(&m, scope, rule), want, "{name}");
        }
    }

    #[test]
    fn generate_name_alone_satisfies_the_name_requirement_only_when_name_is_set_by_the_server() {
        let m = ObjectMeta {
            generate_name: Some("web-".into()),
            namespace: Some("default".into()),
            ..ObjectMeta::default()
        };
        // Validation runs after the server generated the name, so a bare generateName still lacks
        // a name here, exactly as in Kubernetes.
        assert_eq!(
            check(&m, Scope::Namespaced, NameRule::Dns1123Subdomain),
            vec!["metadata.name: Required value: name or generateName is required"]
        );
    }

    #[test]
    fn annotations_larger_than_256_kib_are_too_long() {
        let mut m = meta("web", Some("default"));
        m.annotations = Some(BTreeMap::from([(
            "big".to_string(),
            "x".repeat(TOTAL_ANNOTATION_SIZE_LIMIT_BYTES),
        )]));
        assert_eq!(
            check(&m, Scope::Namespaced, NameRule::Dns1123Subdomain),
            vec!["metadata.annotations: Too long: may not be more than 262144 bytes"]
        );
    }

    #[test]
    fn name_namespace_and_uid_are_immutable_on_update() {
        let mut old = meta("web", Some("default"));
        old.uid = Some("u1".into());
        let mut new = meta("web2", Some("other"));
        new.uid = Some("u2".into());
        new.resource_version = Some("5".into());
        assert_eq!(
            messages(validate_object_meta_update(
                &new,
                &old,
                &FieldPath::new("metadata")
            )),
            vec![
                "metadata.name: Invalid value: \"web2\": field is immutable",
                "metadata.namespace: Invalid value: \"other\": field is immutable",
                "metadata.uid: Invalid value: \"u2\": field is immutable",
            ]
        );
    }

    #[test]
    fn an_update_without_resource_version_is_invalid() {
        let old = meta("web", Some("default"));
        assert_eq!(
            messages(validate_object_meta_update(
                &old,
                &old,
                &FieldPath::new("metadata")
            )),
            vec!["metadata.resourceVersion: Invalid value: \"\": must be specified for an update"]
        );
    }
}
