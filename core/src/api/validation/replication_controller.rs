//! ReplicationController validation (Kubernetes' `ValidateReplicationController`): an
//! equality-based selector map that must be non-empty and must match the template's labels.

use k8s_openapi::api::core::v1::ReplicationController;

use super::field::{ErrorList, FieldError, FieldPath};
use super::names::NameRule;
use super::object_meta::{
    validate_nonnegative, validate_object_meta, validate_object_meta_update, Scope,
};
use super::replica_set::{
    template_labels_json, validate_template_for_controller, SELECTOR_MISMATCH,
};

fn validate_rc_spec(rc: &ReplicationController) -> ErrorList {
    let spec_path = FieldPath::new("spec");
    let spec = rc.spec.clone().unwrap_or_default();
    let mut errs = validate_nonnegative(
        i64::from(spec.min_ready_seconds.unwrap_or(0)),
        &spec_path.child("minReadySeconds"),
    );
    let selector = spec.selector.unwrap_or_default();
    if selector.is_empty() {
        errs.push(FieldError::required(&spec_path.child("selector"), ""));
    }
    errs.extend(validate_nonnegative(
        i64::from(spec.replicas.unwrap_or(0)),
        &spec_path.child("replicas"),
    ));
    let template_path = spec_path.child("template");
    match &spec.template {
        None => errs.push(FieldError::required(&template_path, "")),
        Some(template) => {
            let labels = template.metadata.as_ref().and_then(|m| m.labels.as_ref());
            let matches = selector
                .iter()
                .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v));
            if !selector.is_empty() && !matches {
                errs.push(FieldError::invalid(
                    &template_path.child("metadata").child("labels"),
                    template_labels_json(template),
                    SELECTOR_MISMATCH,
                ));
            }
            errs.extend(validate_template_for_controller(
                template,
                &template_path,
                "ReplicationController",
            ));
        }
    }
    errs
}

/// Validates a new ReplicationController.
pub fn validate_replication_controller(rc: &ReplicationController) -> ErrorList {
    let mut errs = validate_object_meta(
        &rc.metadata,
        Scope::Namespaced,
        NameRule::Dns1123Subdomain,
        &FieldPath::new("metadata"),
    );
    errs.extend(validate_rc_spec(rc));
    errs
}

/// Validates an update of a ReplicationController (its selector may change).
pub fn validate_replication_controller_update(
    new: &ReplicationController,
    old: &ReplicationController,
) -> ErrorList {
    let mut errs =
        validate_object_meta_update(&new.metadata, &old.metadata, &FieldPath::new("metadata"));
    errs.extend(validate_rc_spec(new));
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::validation::object_meta::tests::meta;
    use crate::api::validation::pod_spec::tests::{container, spec};
    use k8s_openapi::api::core::v1::{PodTemplateSpec, ReplicationControllerSpec};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    use std::collections::BTreeMap;

    fn rc(selector: &[(&str, &str)], labels: &[(&str, &str)]) -> ReplicationController {
        let map = |items: &[(&str, &str)]| -> BTreeMap<String, String> {
            items
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        ReplicationController {
            metadata: meta("web", Some("default")),
            spec: Some(ReplicationControllerSpec {
                replicas: Some(2),
                selector: Some(map(selector)),
                template: Some(PodTemplateSpec {
                    metadata: Some(ObjectMeta {
                        labels: Some(map(labels)),
                        ..ObjectMeta::default()
                    }),
                    spec: Some(spec(vec![container("web", "nginx")])),
                }),
                ..ReplicationControllerSpec::default()
            }),
            ..ReplicationController::default()
        }
    }

    #[test]
    fn replication_controller_selector_must_be_set_and_match_the_template() {
        let cases: Vec<(&str, ReplicationController, Vec<&str>)> = vec![
            ("a matching selector is valid", rc(&[("app", "web")], &[("app", "web"), ("tier", "front")]), vec![]),
            ("a selector that misses a label is rejected", rc(&[("app", "web"), ("tier", "back")], &[("app", "web")]),
                vec!["spec.template.metadata.labels: Invalid value: {\"app\":\"web\"}: `selector` does not match template `labels`"]),
            ("an empty selector is required", rc(&[], &[("app", "web")]), vec!["spec.selector: Required value"]),
        ];
        for (name, r, want) in cases {
            let got: Vec<String> = validate_replication_controller(&r)
                .iter()
                .map(ToString::to_string)
                .collect();
            assert_eq!(got, want, "{name}");
        }
    }
}
