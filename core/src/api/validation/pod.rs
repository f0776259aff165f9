//! Pod validation on create and update (Kubernetes' `ValidatePodCreate` and `ValidatePodUpdate`).
//!
//! Create checks metadata and the pod spec ([`super::pod_spec`]). Update additionally enforces
//! that a running pod's spec is nearly immutable: only container images, a shorter
//! `activeDeadlineSeconds`, added tolerations and removed scheduling gates may change; anything
//! else gets Kubernetes' long `pod updates may not change fields other than ...` message followed
//! by a diff of what changed.

use std::borrow::Cow;

use k8s_openapi::api::core::v1::PodSpec;
use serde_json::Value;

use super::field::{ErrorList, FieldError, FieldPath};
use super::names::{inclusive_range_error, NameRule};
use super::object_meta::{validate_object_meta, validate_object_meta_update_with, Scope};
use super::pod_spec::{validate_pod_spec_on_node, validate_tolerations};
use crate::api::objects::StoredPod;

/// The fields a pod update may change, as Kubernetes lists them in its error message.
const UPDATABLE_POD_SPEC_FIELDS: [&str; 5] = [
    "`spec.containers[*].image`",
    "`spec.initContainers[*].image`",
    "`spec.activeDeadlineSeconds`",
    "`spec.tolerations` (only additions to existing tolerations)",
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
];

/// The pod's spec without its `nodeName` (that is [`StoredPod::node_name`]), or an empty one
/// when it has none (borrowed: validation only reads it, and copying a whole spec per
/// validated pod was a measurable share of a create).
fn spec_of(pod: &StoredPod) -> Cow<'_, PodSpec> {
    match &pod.spec {
        Some(spec) => Cow::Borrowed(spec),
        None => Cow::Owned(PodSpec::default()),
    }
}

/// Checks metadata and spec, plus the pod-only rule that images have no surrounding spaces.
fn validate_pod_metadata_and_spec(pod: &StoredPod) -> ErrorList {
    let spec_path = FieldPath::new("spec");
    let mut errs = validate_object_meta(
        &pod.metadata,
        Scope::Namespaced,
        NameRule::Dns1123Subdomain,
        &FieldPath::new("metadata"),
    );
    let spec = spec_of(pod);
    errs.extend(validate_pod_spec_on_node(
        &spec,
        pod.node_name(),
        &spec_path,
    ));
    let lists = [
        ("containers", spec.containers.as_slice()),
        (
            "initContainers",
            spec.init_containers.as_deref().unwrap_or_default(),
        ),
    ];
    for (list, containers) in lists {
        for (i, container) in containers.iter().enumerate() {
            let image = container.image.as_deref().unwrap_or("");
            if image.trim() != image {
                errs.push(FieldError::invalid(
                    &spec_path.child(list).index(i).child("image"),
                    image,
                    "must not have leading or trailing whitespace",
                ));
            }
        }
    }
    errs
}

/// Validates a new Pod.
pub fn validate_pod(pod: &StoredPod) -> ErrorList {
    let mut errs = validate_pod_metadata_and_spec(pod);
    let spec_path = FieldPath::new("spec");
    let spec = spec_of(pod);
    if spec
        .ephemeral_containers
        .as_ref()
        .is_some_and(|e| !e.is_empty())
    {
        errs.push(FieldError::forbidden(
            &spec_path.child("ephemeralContainers"),
            "cannot be set on create",
        ));
    }
    let has_gates = spec
        .scheduling_gates
        .as_ref()
        .is_some_and(|g| !g.is_empty());
    if pod.node_name().is_some_and(|n| !n.is_empty()) && has_gates {
        errs.push(FieldError::forbidden(
            &spec_path.child("nodeName"),
            "cannot be set until all schedulingGates have been cleared",
        ));
    }
    errs
}

/// Validates an update of a Pod by a user (Kubernetes' `ValidatePodUpdate`).
pub fn validate_pod_update(new: &StoredPod, old: &StoredPod) -> ErrorList {
    let meta_path = FieldPath::new("metadata");
    let spec_path = FieldPath::new("spec");
    let mut errs = validate_object_meta_update_with(
        &new.metadata,
        new.resource_version(),
        &old.metadata,
        &meta_path,
    );
    errs.extend(validate_pod_metadata_and_spec(new));
    let new_spec = spec_of(new);
    let old_spec = spec_of(old);

    let container_lists = [
        (
            "containers",
            new_spec.containers.as_slice(),
            old_spec.containers.as_slice(),
        ),
        (
            "initContainers",
            new_spec.init_containers.as_deref().unwrap_or_default(),
            old_spec.init_containers.as_deref().unwrap_or_default(),
        ),
    ];
    for (list, new_list, old_list) in container_lists {
        let list_path = spec_path.child(list);
        if new_list.len() != old_list.len() {
            errs.push(FieldError::forbidden(
                &list_path,
                "pod updates may not add or remove containers",
            ));
            return errs;
        }
        for (i, container) in new_list.iter().enumerate() {
            if container.image.as_deref().unwrap_or("").is_empty() {
                errs.push(FieldError::required(&list_path.index(i).child("image"), ""));
            }
        }
    }

    let deadline_path = spec_path.child("activeDeadlineSeconds");
    match (
        new_spec.active_deadline_seconds,
        old_spec.active_deadline_seconds,
    ) {
        (Some(new_deadline), old_deadline) => {
            if !(0..=i64::from(i32::MAX)).contains(&new_deadline) {
                errs.push(FieldError::invalid(
                    &deadline_path,
                    new_deadline,
                    inclusive_range_error(0, i64::from(i32::MAX)),
                ));
                return errs;
            }
            if old_deadline.is_some_and(|old| old < new_deadline) {
                errs.push(FieldError::invalid(
                    &deadline_path,
                    new_deadline,
                    "must be less than or equal to previous value",
                ));
                return errs;
            }
        }
        (None, Some(_)) => errs.push(FieldError::invalid(
            &deadline_path,
            Value::Null,
            "must not update from a positive integer to nil value",
        )),
        (None, None) => {}
    }

    let tolerations_path = spec_path.child("tolerations");
    let new_tolerations = new_spec.tolerations.as_deref().unwrap_or_default();
    for old_toleration in old_spec.tolerations.iter().flatten() {
        let kept = new_tolerations.iter().any(|t| {
            let mut t = t.clone();
            t.toleration_seconds = old_toleration.toleration_seconds;
            &t == old_toleration
        });
        if !kept {
            errs.push(FieldError::forbidden(
                &tolerations_path,
                "existing toleration can not be modified except its tolerationSeconds",
            ));
            break;
        }
    }
    errs.extend(validate_tolerations(new_tolerations, &tolerations_path));

    let old_gates: Vec<String> = old_spec
        .scheduling_gates
        .iter()
        .flatten()
        .map(|g| g.name.clone())
        .collect();
    for (i, gate) in new_spec.scheduling_gates.iter().flatten().enumerate() {
        if !old_gates.contains(&gate.name) {
            errs.push(FieldError::forbidden(
                &spec_path.child("schedulingGates").index(i).child("name"),
                format!(
                    "only deletion is allowed, but found new scheduling gate '{}'",
                    gate.name
                ),
            ));
        }
    }

    let same_node = new.node_name() == old.node_name();
    if new_spec == old_spec && same_node {
        return errs;
    }
    // Undo every change that is allowed; whatever still differs is forbidden.
    let mut munged = new_spec.into_owned();
    for (container, old_container) in munged.containers.iter_mut().zip(&old_spec.containers) {
        container.image.clone_from(&old_container.image);
    }
    if let (Some(init), Some(old_init)) = (&mut munged.init_containers, &old_spec.init_containers) {
        for (container, old_container) in init.iter_mut().zip(old_init) {
            container.image.clone_from(&old_container.image);
        }
    }
    munged.active_deadline_seconds = old_spec.active_deadline_seconds;
    munged
        .scheduling_gates
        .clone_from(&old_spec.scheduling_gates);
    munged.tolerations.clone_from(&old_spec.tolerations);
    if old_spec
        .termination_grace_period_seconds
        .is_some_and(|g| g < 0)
        && munged.termination_grace_period_seconds == Some(1)
    {
        munged.termination_grace_period_seconds = old_spec.termination_grace_period_seconds;
    }
    if munged != *old_spec || !same_node {
        // The diff shows whole specs, `nodeName` in its place.
        munged.node_name = new.node_name().map(str::to_string);
        let old_full = old.full_spec().unwrap_or_default();
        let old_json = serde_json::to_value(&*old_full).unwrap_or(Value::Null);
        let new_json = serde_json::to_value(&munged).unwrap_or(Value::Null);
        let mut diff = Vec::new();
        diff_values("spec", &old_json, &new_json, &mut diff);
        errs.push(FieldError::forbidden(
            &spec_path,
            format!(
                "pod updates may not change fields other than {}\n{}",
                UPDATABLE_POD_SPEC_FIELDS.join(","),
                diff.join("\n")
            ),
        ));
    }
    errs
}

/// Lists the leaves that differ between two JSON values as `- path: old` / `+ path: new` lines.
/// Kubernetes prints a Go `cmp.Diff` of its internal types here; this is the same information
/// in JSON field names.
fn diff_values(path: &str, old: &Value, new: &Value, out: &mut Vec<String>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let child = format!("{path}.{key}");
                diff_values(
                    &child,
                    a.get(key).unwrap_or(&Value::Null),
                    b.get(key).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                diff_values(&format!("{path}[{i}]"), x, y, out);
            }
        }
        (a, b) if a == b => {}
        (a, b) => {
            if !a.is_null() {
                out.push(format!("- {path}: {a}"));
            }
            if !b.is_null() {
                out.push(format!("+ {path}: {b}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::validation::object_meta::tests::meta;
    use crate::api::validation::pod_spec::tests::{container, spec};
    use k8s_openapi::api::core::v1::{ContainerPort, Pod};

    fn pod(name: &str, containers: Vec<k8s_openapi::api::core::v1::Container>) -> StoredPod {
        Pod {
            metadata: meta(name, Some("default")),
            spec: Some(spec(containers)),
            ..Pod::default()
        }
        .into()
    }

    fn messages(errs: ErrorList) -> Vec<String> {
        errs.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn pod_create_reports_bad_names_and_missing_images() {
        let cases: Vec<(&str, StoredPod, Vec<&str>)> = vec![
            ("a good pod is valid", pod("web", vec![container("web", "nginx")]), vec![]),
            ("an underscore in the name is invalid", pod("my_pod", vec![container("web", "nginx")]),
                vec!["metadata.name: Invalid value: \"my_pod\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"]),
            ("an image with a trailing space is invalid", pod("web", vec![container("web", "nginx ")]),
                vec!["spec.containers[0].image: Invalid value: \"nginx \": must not have leading or trailing whitespace"]),
            ("a pod without an image names the field", pod("web", vec![container("web", "")]),
                vec!["spec.containers[0].image: Required value"]),
        ];
        for (name, p, want) in cases {
            assert_eq!(messages(validate_pod(&p)), want, "{name}");
        }
    }

    #[test]
    fn pod_update_allows_a_new_image() {
        let old = pod("web", vec![container("web", "nginx:1.25")]);
        let mut new = pod("web", vec![container("web", "nginx:1.26")]);
        new.set_resource_version(Some("2".into()));
        assert_eq!(
            messages(validate_pod_update(&new, &old)),
            Vec::<String>::new()
        );
    }

    #[test]
    fn pod_update_forbids_changing_a_port_with_the_kubernetes_message() {
        let mut c = container("web", "nginx");
        c.ports = Some(vec![ContainerPort {
            container_port: 80,
            protocol: Some("TCP".into()),
            ..ContainerPort::default()
        }]);
        let old = pod("web", vec![c.clone()]);
        if let Some(p) = c.ports.as_mut().and_then(|p| p.first_mut()) {
            p.container_port = 8080;
        }
        let mut new = pod("web", vec![c]);
        new.set_resource_version(Some("2".into()));
        assert_eq!(
            messages(validate_pod_update(&new, &old)),
            vec!["spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n- spec.containers[0].ports[0].containerPort: 80\n+ spec.containers[0].ports[0].containerPort: 8080"]
        );
    }

    fn bound(mut pod: StoredPod, node: &str) -> StoredPod {
        pod.set_node_name(Some(node.to_string()));
        pod
    }

    #[test]
    fn pod_update_forbids_moving_a_bound_pod_to_another_node() {
        let old = bound(pod("web", vec![container("web", "nginx")]), "node-1");
        let mut new = bound(pod("web", vec![container("web", "nginx")]), "node-2");
        new.set_resource_version(Some("2".into()));
        let expected = format!(
            "spec: Forbidden: pod updates may not change fields other than {}\n- spec.nodeName: \"node-1\"\n+ spec.nodeName: \"node-2\"",
            UPDATABLE_POD_SPEC_FIELDS.join(",")
        );
        assert_eq!(messages(validate_pod_update(&new, &old)), vec![expected]);
    }

    #[test]
    fn pod_update_forbids_binding_through_an_update() {
        let old = pod("web", vec![container("web", "nginx")]);
        let mut new = bound(pod("web", vec![container("web", "nginx")]), "node-1");
        new.set_resource_version(Some("2".into()));
        let errs = messages(validate_pod_update(&new, &old));
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].ends_with("+ spec.nodeName: \"node-1\""), "{errs:?}");
    }

    #[test]
    fn pod_update_of_a_bound_pod_may_change_its_image() {
        let old = bound(pod("web", vec![container("web", "nginx")]), "node-1");
        let mut new = bound(pod("web", vec![container("web", "nginx:1.27")]), "node-1");
        new.set_resource_version(Some("2".into()));
        assert_eq!(
            messages(validate_pod_update(&new, &old)),
            Vec::<String>::new()
        );
    }

    #[test]
    fn pod_create_checks_the_node_name_kept_beside_the_spec() {
        let bad = bound(pod("web", vec![container("web", "nginx")]), "Node_1");
        let errs = messages(validate_pod(&bad));
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0].starts_with("spec.nodeName: Invalid value: \"Node_1\""),
            "{errs:?}"
        );

        let mut gated = bound(pod("web", vec![container("web", "nginx")]), "node-1");
        gated.spec_mut().scheduling_gates =
            Some(vec![k8s_openapi::api::core::v1::PodSchedulingGate {
                name: "wait".into(),
            }]);
        assert_eq!(
            messages(validate_pod(&gated)),
            vec!["spec.nodeName: Forbidden: cannot be set until all schedulingGates have been cleared"]
        );
    }

    #[test]
    fn pod_update_forbids_adding_a_container() {
        let old = pod("web", vec![container("web", "nginx")]);
        let mut new = pod(
            "web",
            vec![container("web", "nginx"), container("log", "busybox")],
        );
        new.set_resource_version(Some("2".into()));
        assert_eq!(
            messages(validate_pod_update(&new, &old)),
            vec!["spec.containers: Forbidden: pod updates may not add or remove containers"]
        );
    }
}
