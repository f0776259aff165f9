//! ReplicaSet validation (Kubernetes' `ValidateReplicaSet` and its apps/v1 update rules), and the
//! pod-template check that Deployments share: the selector must match the template's labels and
//! the template's pods must restart `Always`.

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use serde_json::Value;

use super::field::{ErrorList, FieldError, FieldPath};
use super::label_selector::{
    is_empty_selector, match_label_selector, validate_label_selector, SelectorMatch,
};
use super::names::NameRule;
use super::object_meta::{
    validate_immutable, validate_nonnegative, validate_object_meta, validate_object_meta_update,
    Scope,
};
use super::pod_spec::validate_pod_template_spec;

/// Kubernetes' message when a controller's selector does not select its own template.
pub const SELECTOR_MISMATCH: &str = "`selector` does not match template `labels`";

/// A selector as Kubernetes prints it: `{"matchLabels":{...},"matchExpressions":[...]}`.
pub(crate) fn selector_json(selector: &LabelSelector) -> Value {
    let mut map = serde_json::Map::new();
    if let Some(labels) = &selector.match_labels {
        map.insert(
            "matchLabels".into(),
            serde_json::to_value(labels).unwrap_or(Value::Null),
        );
    }
    if let Some(exprs) = &selector.match_expressions {
        map.insert(
            "matchExpressions".into(),
            serde_json::to_value(exprs).unwrap_or(Value::Null),
        );
    }
    Value::Object(map)
}

/// The template labels as Kubernetes prints them (`null` when there are none).
pub(crate) fn template_labels_json(template: &PodTemplateSpec) -> Value {
    template
        .metadata
        .as_ref()
        .and_then(|m| m.labels.as_ref())
        .map_or(Value::Null, |l| {
            serde_json::to_value(l).unwrap_or(Value::Null)
        })
}

/// A selector that was never set (k8s-openapi cannot tell `null` from absent fields).
pub(crate) fn is_nil_selector(selector: &LabelSelector) -> bool {
    selector.match_labels.is_none() && selector.match_expressions.is_none()
}

/// Validates `spec.selector` and `spec.template` of a ReplicaSet or Deployment
/// (Kubernetes' selector checks plus `ValidatePodTemplateSpecForReplicaSet`).
pub(crate) fn validate_selector_and_template(
    selector: &LabelSelector,
    template: &PodTemplateSpec,
    spec_path: &FieldPath,
) -> ErrorList {
    let selector_path = spec_path.child("selector");
    let template_path = spec_path.child("template");
    let mut errs = ErrorList::new();
    let nil = is_nil_selector(selector);
    if nil {
        errs.push(FieldError::required(&selector_path, ""));
    } else {
        errs.extend(validate_label_selector(selector, &selector_path));
        if is_empty_selector(selector) {
            errs.push(FieldError::invalid(
                &selector_path,
                selector_json(selector),
                "empty selector is invalid for deployment",
            ));
        }
    }
    let labels = template.metadata.as_ref().and_then(|m| m.labels.as_ref());
    // A missing selector selects nothing; an empty one selects everything.
    let matched = if nil {
        SelectorMatch::DoesNotMatch
    } else if is_empty_selector(selector) {
        SelectorMatch::Matches
    } else {
        match_label_selector(selector, labels)
    };
    match matched {
        SelectorMatch::Invalid => {
            errs.push(FieldError::invalid(
                &selector_path,
                selector_json(selector),
                "invalid label selector",
            ));
            return errs;
        }
        SelectorMatch::DoesNotMatch => errs.push(FieldError::invalid(
            &template_path.child("metadata").child("labels"),
            template_labels_json(template),
            SELECTOR_MISMATCH,
        )),
        SelectorMatch::Matches => {}
    }
    errs.extend(validate_template_for_controller(
        template,
        &template_path,
        "ReplicaSet",
    ));
    errs
}

/// The pod template rules of every replicating controller: the template itself, restart policy
/// `Always`, and no `activeDeadlineSeconds` (`kind` names the controller in that message).
pub(crate) fn validate_template_for_controller(
    template: &PodTemplateSpec,
    template_path: &FieldPath,
    kind: &str,
) -> ErrorList {
    let mut errs = validate_pod_template_spec(template, template_path);
    let spec = template.spec.clone().unwrap_or_default();
    let restart_policy = spec.restart_policy.as_deref().unwrap_or("");
    if restart_policy != "Always" {
        errs.push(FieldError::not_supported(
            &template_path.child("spec").child("restartPolicy"),
            restart_policy,
            &["Always"],
        ));
    }
    if spec.active_deadline_seconds.is_some() {
        errs.push(FieldError::forbidden(
            &template_path.child("spec").child("activeDeadlineSeconds"),
            format!("activeDeadlineSeconds in {kind} is not Supported"),
        ));
    }
    errs
}

fn validate_replica_set_spec(rs: &ReplicaSet) -> ErrorList {
    let spec_path = FieldPath::new("spec");
    let spec = rs.spec.clone().unwrap_or_default();
    let mut errs = validate_nonnegative(
        i64::from(spec.replicas.unwrap_or(0)),
        &spec_path.child("replicas"),
    );
    errs.extend(validate_nonnegative(
        i64::from(spec.min_ready_seconds.unwrap_or(0)),
        &spec_path.child("minReadySeconds"),
    ));
    errs.extend(validate_selector_and_template(
        &spec.selector,
        &spec.template.unwrap_or_default(),
        &spec_path,
    ));
    errs
}

/// Validates a new ReplicaSet.
pub fn validate_replica_set(rs: &ReplicaSet) -> ErrorList {
    let mut errs = validate_object_meta(
        &rs.metadata,
        Scope::Namespaced,
        NameRule::Dns1123Subdomain,
        &FieldPath::new("metadata"),
    );
    errs.extend(validate_replica_set_spec(rs));
    errs
}

/// Validates an update of a ReplicaSet; in apps/v1 its selector is immutable.
pub fn validate_replica_set_update(new: &ReplicaSet, old: &ReplicaSet) -> ErrorList {
    let mut errs =
        validate_object_meta_update(&new.metadata, &old.metadata, &FieldPath::new("metadata"));
    errs.extend(validate_replica_set_spec(new));
    let new_selector = new.spec.clone().unwrap_or_default().selector;
    let old_selector = old.spec.clone().unwrap_or_default().selector;
    errs.extend(immutable_selector(&new_selector, &old_selector));
    errs
}

/// `spec.selector: Invalid value: {...}: field is immutable` when an apps/v1 selector changes.
pub(crate) fn immutable_selector(new: &LabelSelector, old: &LabelSelector) -> ErrorList {
    let mut errs = validate_immutable(new, old, &FieldPath::new("spec").child("selector"));
    for e in &mut errs {
        e.bad_value = Some(selector_json(new));
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::validation::object_meta::tests::meta;
    use crate::api::validation::pod_spec::tests::{container, spec};
    use k8s_openapi::api::apps::v1::ReplicaSetSpec;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    use std::collections::BTreeMap;

    fn rs(selector: &[(&str, &str)], labels: &[(&str, &str)]) -> ReplicaSet {
        let map = |items: &[(&str, &str)]| -> BTreeMap<String, String> {
            items
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        ReplicaSet {
            metadata: meta("web", Some("default")),
            spec: Some(ReplicaSetSpec {
                replicas: Some(3),
                selector: LabelSelector {
                    match_labels: Some(map(selector)),
                    match_expressions: None,
                },
                template: Some(PodTemplateSpec {
                    metadata: Some(ObjectMeta {
                        labels: Some(map(labels)),
                        ..ObjectMeta::default()
                    }),
                    spec: Some(spec(vec![container("web", "nginx")])),
                }),
                ..ReplicaSetSpec::default()
            }),
            ..ReplicaSet::default()
        }
    }

    fn messages(errs: ErrorList) -> Vec<String> {
        errs.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn replica_set_selector_must_match_its_template() {
        let cases: Vec<(&str, ReplicaSet, Vec<&str>)> = vec![
            ("a matching selector is valid", rs(&[("app", "web")], &[("app", "web")]), vec![]),
            ("a mismatched selector names the template labels", rs(&[("app", "web")], &[("app", "db")]),
                vec!["spec.template.metadata.labels: Invalid value: {\"app\":\"db\"}: `selector` does not match template `labels`"]),
            ("an empty selector is invalid", rs(&[], &[("app", "web")]),
                vec!["spec.selector: Invalid value: {\"matchLabels\":{}}: empty selector is invalid for deployment"]),
        ];
        for (name, r, want) in cases {
            assert_eq!(messages(validate_replica_set(&r)), want, "{name}");
        }
    }

    #[test]
    fn replica_set_selector_is_immutable_on_update() {
        let old = rs(&[("app", "web")], &[("app", "web"), ("v", "2")]);
        let mut new = rs(&[("v", "2")], &[("app", "web"), ("v", "2")]);
        new.metadata.resource_version = Some("3".into());
        assert_eq!(
            messages(validate_replica_set_update(&new, &old)),
            vec![
                "spec.selector: Invalid value: {\"matchLabels\":{\"v\":\"2\"}}: field is immutable"
            ]
        );
    }
}
