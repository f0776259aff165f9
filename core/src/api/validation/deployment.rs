//! Deployment validation (Kubernetes' `ValidateDeployment`, `ValidateDeploymentUpdate` and the
//! apps/v1 rule that the selector is immutable).
//!
//! Beyond the selector/template rules shared with ReplicaSets ([`super::replica_set`]), a
//! Deployment's strategy is checked: `Recreate` may not carry `rollingUpdate`; `RollingUpdate`'s
//! `maxSurge` and `maxUnavailable` are non-negative integers or percents, not both zero, and
//! `maxUnavailable` at most 100%.

use k8s_openapi::api::apps::v1::{Deployment, DeploymentStrategy};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::Value;

use super::field::{ErrorList, FieldError, FieldPath};
use super::names::{is_valid_percent, NameRule};
use super::object_meta::{
    validate_nonnegative, validate_object_meta, validate_object_meta_update, Scope,
};
use super::replica_set::{immutable_selector, validate_selector_and_template};

fn int_or_string_json(value: &IntOrString) -> Value {
    match value {
        IntOrString::Int(n) => Value::from(*n),
        IntOrString::String(s) => Value::from(s.as_str()),
    }
}

/// Kubernetes' `ValidatePositiveIntOrPercent`.
fn validate_positive_int_or_percent(value: &IntOrString, path: &FieldPath) -> ErrorList {
    match value {
        IntOrString::String(s) => is_valid_percent(s)
            .into_iter()
            .map(|msg| FieldError::invalid(path, s.as_str(), msg))
            .collect(),
        IntOrString::Int(n) => validate_nonnegative(i64::from(*n), path),
    }
}

/// The number an int-or-percent stands for (`25%` is 25), as Kubernetes' `getIntOrPercentValue`.
fn int_or_percent_value(value: &IntOrString) -> i64 {
    match value {
        IntOrString::Int(n) => i64::from(*n),
        IntOrString::String(s) => {
            let digits = if is_valid_percent(s).is_empty() {
                s.trim_end_matches('%')
            } else {
                s.as_str()
            };
            digits.parse().unwrap_or(0)
        }
    }
}

fn validate_strategy(strategy: &DeploymentStrategy, path: &FieldPath) -> ErrorList {
    let mut errs = ErrorList::new();
    match strategy.type_.as_deref().unwrap_or("") {
        "Recreate" => {
            if strategy.rolling_update.is_some() {
                errs.push(FieldError::forbidden(
                    &path.child("rollingUpdate"),
                    "may not be specified when strategy `type` is 'Recreate'",
                ));
            }
        }
        "RollingUpdate" => match &strategy.rolling_update {
            None => errs.push(FieldError::required(
                &path.child("rollingUpdate"),
                "this should be defaulted and never be nil",
            )),
            Some(rolling) => {
                let ru_path = path.child("rollingUpdate");
                let zero = IntOrString::Int(0);
                let max_unavailable = rolling.max_unavailable.as_ref().unwrap_or(&zero);
                let max_surge = rolling.max_surge.as_ref().unwrap_or(&zero);
                let unavailable_path = ru_path.child("maxUnavailable");
                errs.extend(validate_positive_int_or_percent(
                    max_unavailable,
                    &unavailable_path,
                ));
                errs.extend(validate_positive_int_or_percent(
                    max_surge,
                    &ru_path.child("maxSurge"),
                ));
                if int_or_percent_value(max_unavailable) == 0
                    && int_or_percent_value(max_surge) == 0
                {
                    errs.push(FieldError::invalid(
                        &unavailable_path,
                        int_or_string_json(max_unavailable),
                        "may not be 0 when `maxSurge` is 0",
                    ));
                }
                if let IntOrString::String(s) = max_unavailable {
                    if is_valid_percent(s).is_empty() && int_or_percent_value(max_unavailable) > 100
                    {
                        errs.push(FieldError::invalid(
                            &unavailable_path,
                            s.as_str(),
                            "must not be greater than 100%",
                        ));
                    }
                }
            }
        },
        _ => errs.push(FieldError::not_supported(
            path,
            serde_json::to_value(strategy).unwrap_or(Value::Null),
            &["Recreate", "RollingUpdate"],
        )),
    }
    errs
}

fn validate_deployment_spec(deployment: &Deployment) -> ErrorList {
    let spec_path = FieldPath::new("spec");
    let spec = deployment.spec.clone().unwrap_or_default();
    let mut errs = validate_nonnegative(
        i64::from(spec.replicas.unwrap_or(0)),
        &spec_path.child("replicas"),
    );
    errs.extend(validate_selector_and_template(
        &spec.selector,
        &spec.template,
        &spec_path,
    ));
    errs.extend(validate_strategy(
        &spec.strategy.clone().unwrap_or_default(),
        &spec_path.child("strategy"),
    ));
    let min_ready = spec.min_ready_seconds.unwrap_or(0);
    errs.extend(validate_nonnegative(
        i64::from(min_ready),
        &spec_path.child("minReadySeconds"),
    ));
    if let Some(limit) = spec.revision_history_limit {
        errs.extend(validate_nonnegative(
            i64::from(limit),
            &spec_path.child("revisionHistoryLimit"),
        ));
    }
    if let Some(deadline) = spec.progress_deadline_seconds {
        let deadline_path = spec_path.child("progressDeadlineSeconds");
        errs.extend(validate_nonnegative(i64::from(deadline), &deadline_path));
        if deadline <= min_ready {
            errs.push(FieldError::invalid(
                &deadline_path,
                deadline,
                "must be greater than minReadySeconds",
            ));
        }
    }
    errs
}

/// Validates a new Deployment.
pub fn validate_deployment(deployment: &Deployment) -> ErrorList {
    let mut errs = validate_object_meta(
        &deployment.metadata,
        Scope::Namespaced,
        NameRule::Dns1123Subdomain,
        &FieldPath::new("metadata"),
    );
    errs.extend(validate_deployment_spec(deployment));
    errs
}

/// Validates an update of a Deployment; in apps/v1 its selector is immutable.
pub fn validate_deployment_update(new: &Deployment, old: &Deployment) -> ErrorList {
    let mut errs =
        validate_object_meta_update(&new.metadata, &old.metadata, &FieldPath::new("metadata"));
    errs.extend(validate_deployment_spec(new));
    let new_selector = new.spec.clone().unwrap_or_default().selector;
    let old_selector = old.spec.clone().unwrap_or_default().selector;
    errs.extend(immutable_selector(&new_selector, &old_selector));
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::validation::object_meta::tests::meta;
    use crate::api::validation::pod_spec::tests::{container, spec};
    use k8s_openapi::api::apps::v1::{DeploymentSpec, RollingUpdateDeployment};
    use k8s_openapi::api::core::v1::PodTemplateSpec;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
    use std::collections::BTreeMap;

    /// A Deployment as defaulting leaves it.
    fn deployment() -> Deployment {
        let labels = BTreeMap::from([("app".to_string(), "web".to_string())]);
        Deployment {
            metadata: meta("web", Some("default")),
            spec: Some(DeploymentSpec {
                replicas: Some(3),
                selector: LabelSelector {
                    match_labels: Some(labels.clone()),
                    match_expressions: None,
                },
                template: PodTemplateSpec {
                    metadata: Some(ObjectMeta {
                        labels: Some(labels),
                        ..ObjectMeta::default()
                    }),
                    spec: Some(spec(vec![container("web", "nginx")])),
                },
                strategy: Some(DeploymentStrategy {
                    type_: Some("RollingUpdate".into()),
                    rolling_update: Some(RollingUpdateDeployment {
                        max_surge: Some(IntOrString::String("25%".into())),
                        max_unavailable: Some(IntOrString::String("25%".into())),
                    }),
                }),
                revision_history_limit: Some(10),
                progress_deadline_seconds: Some(600),
                ..DeploymentSpec::default()
            }),
            ..Deployment::default()
        }
    }

    fn with(f: &dyn Fn(&mut DeploymentSpec)) -> Deployment {
        let mut d = deployment();
        if let Some(s) = d.spec.as_mut() {
            f(s);
        }
        d
    }

    fn messages(errs: ErrorList) -> Vec<String> {
        errs.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn deployment_reports_the_most_common_mistakes_like_kubernetes() {
        let rolling = |surge: IntOrString, unavailable: IntOrString| DeploymentStrategy {
            type_: Some("RollingUpdate".into()),
            rolling_update: Some(RollingUpdateDeployment {
                max_surge: Some(surge),
                max_unavailable: Some(unavailable),
            }),
        };
        let cases: Vec<(&str, Deployment, Vec<&str>)> = vec![
            ("a defaulted deployment is valid", deployment(), vec![]),
            ("negative replicas are invalid", with(&|s| s.replicas = Some(-1)),
                vec!["spec.replicas: Invalid value: -1: must be greater than or equal to 0"]),
            ("a selector that misses the template labels is rejected",
                with(&|s| s.selector.match_labels = Some(BTreeMap::from([("app".to_string(), "nginx".to_string())]))),
                vec!["spec.template.metadata.labels: Invalid value: {\"app\":\"web\"}: `selector` does not match template `labels`"]),
            ("a missing selector is required and matches nothing",
                with(&|s| s.selector = LabelSelector::default()),
                vec!["spec.selector: Required value", "spec.template.metadata.labels: Invalid value: {\"app\":\"web\"}: `selector` does not match template `labels`"]),
            ("a template that restarts Never is unsupported",
                with(&|s| if let Some(p) = s.template.spec.as_mut() { p.restart_policy = Some("Never".into()) }),
                vec!["spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\""]),
            ("zero surge and zero unavailable is invalid",
                with(&|s| s.strategy = Some(rolling(IntOrString::Int(0), IntOrString::Int(0)))),
                vec!["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"]),
            ("a percent without the sign is invalid",
                with(&|s| s.strategy = Some(rolling(IntOrString::String("25".into()), IntOrString::Int(1)))),
                vec!["spec.strategy.rollingUpdate.maxSurge: Invalid value: \"25\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"]),
            ("more than 100% unavailable is invalid",
                with(&|s| s.strategy = Some(rolling(IntOrString::Int(1), IntOrString::String("150%".into())))),
                vec!["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"150%\": must not be greater than 100%"]),
            ("Recreate may not carry rollingUpdate",
                with(&|s| s.strategy = Some(DeploymentStrategy { type_: Some("Recreate".into()), ..rolling(IntOrString::Int(1), IntOrString::Int(1)) })),
                vec!["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"]),
            ("a negative revision history limit is invalid", with(&|s| s.revision_history_limit = Some(-1)),
                vec!["spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0"]),
            ("the progress deadline must exceed minReadySeconds",
                with(&|s| { s.min_ready_seconds = Some(30); s.progress_deadline_seconds = Some(30); }),
                vec!["spec.progressDeadlineSeconds: Invalid value: 30: must be greater than minReadySeconds"]),
        ];
        for (name, d, want) in cases {
            assert_eq!(messages(validate_deployment(&d)), want, "{name}");
        }
    }

    #[test]
    fn deployment_selector_is_immutable_on_update() {
        let old = deployment();
        let mut new = with(&|s| {
            let labels = BTreeMap::from([
                ("app".to_string(), "web".to_string()),
                ("v".to_string(), "2".to_string()),
            ]);
            s.selector.match_labels = Some(labels.clone());
            if let Some(m) = s.template.metadata.as_mut() {
                m.labels = Some(labels)
            }
        });
        new.metadata.resource_version = Some("7".into());
        assert_eq!(
            messages(validate_deployment_update(&new, &old)),
            vec!["spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"web\",\"v\":\"2\"}}: field is immutable"]
        );
    }
}
