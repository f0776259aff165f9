//! PriorityClass validation (`ValidatePriorityClass` and `ValidatePriorityClassUpdate` in
//! `pkg/apis/scheduling/validation`): names starting with `system-` belong to the two classes
//! the API server creates itself, user classes stay at or below one billion, the preemption
//! policy is one of two, and `value` and `preemptionPolicy` never change.
//!
//! That only one class may be the `globalDefault` is not a validation rule in Kubernetes but
//! the Priority admission plugin's (it needs the other classes): see
//! [`crate::apiserver::admission`].

use k8s_openapi::api::scheduling::v1::PriorityClass;

use super::field::{ErrorList, FieldError, FieldPath};
use super::names::NameRule;
use super::object_meta::{
    validate_immutable, validate_object_meta, validate_object_meta_update, Scope,
};

/// `SystemPriorityClassPrefix`: names reserved for the built-in classes.
pub const SYSTEM_PRIORITY_CLASS_PREFIX: &str = "system-";
/// `HighestUserDefinablePriority`: the largest value a user's class may have.
pub const HIGHEST_USER_DEFINABLE_PRIORITY: i32 = 1_000_000_000;
/// `SystemCriticalPriority`: the value of `system-cluster-critical`.
pub const SYSTEM_CRITICAL_PRIORITY: i32 = 2 * HIGHEST_USER_DEFINABLE_PRIORITY;
/// `system-cluster-critical`: for add-ons that must run but may move to another node.
pub const SYSTEM_CLUSTER_CRITICAL: &str = "system-cluster-critical";
/// `system-node-critical`: for pods that must not leave their node.
pub const SYSTEM_NODE_CRITICAL: &str = "system-node-critical";

/// One built-in class: name, value, description (`SystemPriorityClasses()`).
pub struct SystemPriorityClass {
    /// The class name.
    pub name: &'static str,
    /// Its priority.
    pub value: i32,
    /// Its description, as kube-apiserver writes it.
    pub description: &'static str,
}

/// The classes kube-apiserver creates at start (never `globalDefault`), in Kubernetes' order.
pub const SYSTEM_PRIORITY_CLASSES: [SystemPriorityClass; 2] = [
    SystemPriorityClass {
        name: SYSTEM_NODE_CRITICAL,
        value: SYSTEM_CRITICAL_PRIORITY + 1000,
        description: "Used for system critical pods that must not be moved from their current node.",
    },
    SystemPriorityClass {
        name: SYSTEM_CLUSTER_CRITICAL,
        value: SYSTEM_CRITICAL_PRIORITY,
        description: "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
    },
];

/// `IsKnownSystemPriorityClass`: `Err` says what differs from the built-in class.
fn check_known_system_class(name: &str, value: i32, global_default: bool) -> Result<(), String> {
    let Some(known) = SYSTEM_PRIORITY_CLASSES.iter().find(|c| c.name == name) else {
        return Err(format!("{name} is not a known system priority class"));
    };
    if known.value != value {
        return Err(format!(
            "value of {} PriorityClass must be {}",
            known.name, known.value
        ));
    }
    if global_default {
        return Err(format!(
            "globalDefault of {} PriorityClass must be false",
            known.name
        ));
    }
    Ok(())
}

/// `ValidatePreemptionPolicy`.
fn validate_preemption_policy(policy: &str, path: &FieldPath) -> ErrorList {
    match policy {
        "PreemptLowerPriority" | "Never" => ErrorList::new(),
        "" => vec![FieldError::required(path, "")],
        other => vec![FieldError::not_supported(
            path,
            other,
            &["PreemptLowerPriority", "Never"],
        )],
    }
}

/// Validates a new PriorityClass.
pub fn validate_priority_class(class: &PriorityClass) -> ErrorList {
    let mut errs = validate_object_meta(
        &class.metadata,
        Scope::Cluster,
        NameRule::Dns1123Subdomain,
        &FieldPath::new("metadata"),
    );
    let name = class.metadata.name.as_deref().unwrap_or("");
    if name.starts_with(SYSTEM_PRIORITY_CLASS_PREFIX) {
        if let Err(reason) =
            check_known_system_class(name, class.value, class.global_default.unwrap_or(false))
        {
            errs.push(FieldError::forbidden(
                &FieldPath::new("metadata").child("name"),
                format!(
                    "priority class names with '{SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system use only. error: {reason}"
                ),
            ));
        }
    } else if class.value > HIGHEST_USER_DEFINABLE_PRIORITY {
        errs.push(FieldError::forbidden(
            &FieldPath::new("value"),
            format!(
                "maximum allowed value of a user defined priority is {HIGHEST_USER_DEFINABLE_PRIORITY}"
            ),
        ));
    }
    if let Some(policy) = &class.preemption_policy {
        errs.extend(validate_preemption_policy(
            policy,
            &FieldPath::new("preemptionPolicy"),
        ));
    }
    errs
}

/// Validates an update of a PriorityClass: only metadata, `description` and
/// `globalDefault` may change.
pub fn validate_priority_class_update(new: &PriorityClass, old: &PriorityClass) -> ErrorList {
    let mut errs =
        validate_object_meta_update(&new.metadata, &old.metadata, &FieldPath::new("metadata"));
    if new.value != old.value {
        errs.push(FieldError::forbidden(
            &FieldPath::new("value"),
            "may not be changed in an update.",
        ));
    }
    errs.extend(validate_immutable(
        &new.preemption_policy,
        &old.preemption_policy,
        &FieldPath::new("preemptionPolicy"),
    ));
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn class(name: &str, value: i32, global_default: bool, policy: &str) -> PriorityClass {
        PriorityClass {
            metadata: ObjectMeta {
                name: Some(name.to_string()),
                resource_version: Some("7".to_string()),
                ..ObjectMeta::default()
            },
            value,
            global_default: Some(global_default),
            preemption_policy: Some(policy.to_string()),
            description: None,
        }
    }

    fn messages(errs: &ErrorList) -> Vec<String> {
        errs.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn priority_class_validation_speaks_as_kubernetes_does() {
        let cases: [(&str, PriorityClass, Vec<&str>); 7] = [
            (
                "a user class of a million is valid",
                class("high", 1_000_000, false, "PreemptLowerPriority"),
                vec![],
            ),
            (
                "the built-in cluster-critical class is valid",
                class(SYSTEM_CLUSTER_CRITICAL, 2_000_000_000, false, "PreemptLowerPriority"),
                vec![],
            ),
            (
                "a user class above one billion is forbidden",
                class("huge", 1_000_000_001, false, "Never"),
                vec!["value: Forbidden: maximum allowed value of a user defined priority is 1000000000"],
            ),
            (
                "an unknown system- name is reserved",
                class("system-mine", 10, false, "Never"),
                vec!["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class"],
            ),
            (
                "a system class with the wrong value is reserved",
                class(SYSTEM_NODE_CRITICAL, 10, false, "Never"),
                vec!["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: value of system-node-critical PriorityClass must be 2000001000"],
            ),
            (
                "a system class may not be the global default",
                class(SYSTEM_CLUSTER_CRITICAL, 2_000_000_000, true, "PreemptLowerPriority"),
                vec!["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: globalDefault of system-cluster-critical PriorityClass must be false"],
            ),
            (
                "an unknown preemption policy is not supported",
                class("low", 10, false, "Sometimes"),
                vec!["preemptionPolicy: Unsupported value: \"Sometimes\": supported values: \"PreemptLowerPriority\", \"Never\""],
            ),
        ];
        for (name, pc, want) in cases {
            assert_eq!(messages(&validate_priority_class(&pc)), want, "{name}");
        }
    }

    #[test]
    fn value_and_preemption_policy_are_immutable_but_global_default_may_change() {
        let old = class("high", 1000, false, "PreemptLowerPriority");
        let mut meta_only = old.clone();
        meta_only.global_default = Some(true);
        meta_only.description = Some("now the default".to_string());
        assert_eq!(
            messages(&validate_priority_class_update(&meta_only, &old)),
            Vec::<String>::new()
        );
        let changed = class("high", 2000, false, "Never");
        assert_eq!(
            messages(&validate_priority_class_update(&changed, &old)),
            [
                "value: Forbidden: may not be changed in an update.",
                "preemptionPolicy: Invalid value: \"Never\": field is immutable",
            ]
        );
    }
}
