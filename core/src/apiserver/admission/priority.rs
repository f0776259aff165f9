//! The **Priority** admission plugin (`plugin/pkg/admission/priority`), with the one rule of
//! the PriorityClass registry that belongs next to it.
//!
//! A new pod names a class in `spec.priorityClassName` (or none: then the `globalDefault`
//! class, or priority 0 when there is none); the plugin copies the class's `value` into
//! `spec.priority` and its `preemptionPolicy` into `spec.preemptionPolicy`, and refuses a pod
//! that names a class that does not exist or sets those fields itself to something else. An
//! update keeps what the create computed. For PriorityClasses it keeps the `globalDefault`
//! unique, and the two built-in classes cannot be deleted (`priorityclass/storage`'s
//! `Delete`). The host hands in the classes that exist; the plugin does no lookups itself.

use k8s_openapi::api::scheduling::v1::PriorityClass;

use super::Operation;
use crate::api::defaulting::PREEMPT_LOWER_PRIORITY;
use crate::api::objects::StoredPod;
use crate::api::validation::priority_class::SYSTEM_PRIORITY_CLASSES;

/// `DefaultPriorityWhenNoDefaultClassExists`.
pub const DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS: i32 = 0;

/// Why the plugin refused a write; the text is what follows `… is forbidden: `.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PriorityRefusal {
    /// The pod names a class that does not exist.
    #[error("no PriorityClass with name {0} was found")]
    ClassNotFound(String),
    /// The pod sets `spec.priority` to something other than its class's value.
    #[error("the integer value of priority ({given}) must not be provided in pod spec; priority admission controller computed {computed} from the given PriorityClass name")]
    PriorityGiven {
        /// What the pod said.
        given: i32,
        /// What the class says.
        computed: i32,
    },
    /// The pod sets `spec.preemptionPolicy` to something other than its class's policy.
    #[error("the string value of PreemptionPolicy ({given}) must not be provided in pod spec; priority admission controller computed {computed} from the given PriorityClass name")]
    PreemptionPolicyGiven {
        /// What the pod said.
        given: String,
        /// What the class says.
        computed: String,
    },
    /// A second class wants to be the global default.
    #[error("PriorityClass {0} is already marked as default. Only one default can exist")]
    SecondDefault(String),
    /// Someone tried to delete a built-in class.
    #[error("this is a system priority class and cannot be deleted")]
    SystemClassDeleted,
}

/// `getDefaultPriorityClass`: the `globalDefault` class; if a race left several, the one with
/// the lowest value.
pub fn default_priority_class(classes: &[PriorityClass]) -> Option<&PriorityClass> {
    classes
        .iter()
        .filter(|c| c.global_default == Some(true))
        .min_by_key(|c| c.value)
}

/// `admitPod` on create: resolves the pod's class into `spec.priority` and
/// `spec.preemptionPolicy`.
pub fn admit_new_pod_priority(
    pod: &mut StoredPod,
    classes: &[PriorityClass],
) -> Result<(), PriorityRefusal> {
    if pod.spec.is_none() {
        return Ok(());
    }
    let spec = pod.spec_mut();
    let named = spec
        .priority_class_name
        .as_deref()
        .filter(|n| !n.is_empty());
    let (class_name, priority, policy) = match named {
        None => match default_priority_class(classes) {
            Some(class) => (
                class.metadata.name.clone(),
                class.value,
                class.preemption_policy.clone(),
            ),
            None => (
                None,
                DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS,
                Some(PREEMPT_LOWER_PRIORITY.to_string()),
            ),
        },
        Some(name) => {
            let class = classes
                .iter()
                .find(|c| c.metadata.name.as_deref() == Some(name))
                .ok_or_else(|| PriorityRefusal::ClassNotFound(name.to_string()))?;
            (
                Some(name.to_string()),
                class.value,
                class.preemption_policy.clone(),
            )
        }
    };
    if class_name.is_some() {
        spec.priority_class_name = class_name;
    }
    if let Some(given) = spec.priority.filter(|p| *p != priority) {
        return Err(PriorityRefusal::PriorityGiven {
            given,
            computed: priority,
        });
    }
    spec.priority = Some(priority);
    if let Some(policy) = policy {
        if let Some(given) = spec.preemption_policy.as_ref().filter(|p| **p != policy) {
            return Err(PriorityRefusal::PreemptionPolicyGiven {
                given: given.clone(),
                computed: policy,
            });
        }
        spec.preemption_policy = Some(policy);
    }
    Ok(())
}

/// `admitPod` on update: what the create computed stays (validation refuses changes).
pub fn keep_pod_priority(pod: &mut StoredPod, old: &StoredPod) {
    let (Some(spec), Some(old_spec)) = (pod.spec(), old.spec()) else {
        return;
    };
    // Only a change copies a spec shared with another revision.
    let keep_priority = spec.priority.is_none() && old_spec.priority.is_some();
    let keep_policy = spec.preemption_policy.is_none() && old_spec.preemption_policy.is_some();
    if !keep_priority && !keep_policy {
        return;
    }
    let spec = pod.spec_mut();
    if keep_priority {
        spec.priority = old_spec.priority;
    }
    if keep_policy {
        spec.preemption_policy = old_spec.preemption_policy.clone();
    }
}

/// `validatePriorityClass`: on create or update, at most one class is the global default.
pub fn validate_priority_class_write(
    operation: Operation,
    class: &PriorityClass,
    classes: &[PriorityClass],
) -> Result<(), PriorityRefusal> {
    if class.global_default != Some(true) {
        return Ok(());
    }
    let Some(existing) = default_priority_class(classes) else {
        return Ok(());
    };
    let existing_name = existing.metadata.name.clone().unwrap_or_default();
    let another = match operation {
        Operation::Create => true,
        Operation::Update => class.metadata.name.as_deref() != Some(existing_name.as_str()),
        Operation::Delete => false,
    };
    if another {
        return Err(PriorityRefusal::SecondDefault(existing_name));
    }
    Ok(())
}

/// The registry's `Delete` of a PriorityClass: the built-in classes stay.
pub fn check_priority_class_delete(name: &str) -> Result<(), PriorityRefusal> {
    if SYSTEM_PRIORITY_CLASSES.iter().any(|c| c.name == name) {
        return Err(PriorityRefusal::SystemClassDeleted);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn class(name: &str, value: i32, global_default: bool, policy: &str) -> PriorityClass {
        serde_json::from_value(json!({
            "metadata": {"name": name}, "value": value,
            "globalDefault": global_default, "preemptionPolicy": policy,
        }))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn pod(spec: serde_json::Value) -> StoredPod {
        serde_json::from_value(json!({"metadata": {"name": "p"}, "spec": spec}))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn resolved(pod: &StoredPod) -> (Option<String>, Option<i32>, Option<String>) {
        let spec = pod.spec().cloned().unwrap_or_default();
        (
            spec.priority_class_name,
            spec.priority,
            spec.preemption_policy,
        )
    }

    #[test]
    fn a_pod_gets_its_class_value_and_policy_or_the_global_default_or_zero() {
        let high = class("high", 1000, false, "Never");
        let fallback = class("fallback", 10, true, "PreemptLowerPriority");
        let cases = [
            (
                "a named class gives its value and policy",
                json!({"containers": [], "priorityClassName": "high"}),
                vec![high.clone()],
                (
                    Some("high".to_string()),
                    Some(1000),
                    Some("Never".to_string()),
                ),
            ),
            (
                "no class and no default gives 0 and PreemptLowerPriority",
                json!({"containers": []}),
                vec![high.clone()],
                (None, Some(0), Some("PreemptLowerPriority".to_string())),
            ),
            (
                "no class takes the global default's name and value",
                json!({"containers": []}),
                vec![high.clone(), fallback.clone()],
                (
                    Some("fallback".to_string()),
                    Some(10),
                    Some("PreemptLowerPriority".to_string()),
                ),
            ),
        ];
        for (name, spec, classes, want) in cases {
            let mut p = pod(spec);
            admit_new_pod_priority(&mut p, &classes).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(resolved(&p), want, "{name}");
        }
    }

    #[test]
    fn a_pod_naming_a_missing_class_or_its_own_priority_is_refused_with_kubernetes_words() {
        let high = class("high", 1000, false, "PreemptLowerPriority");
        let cases = [
            (
                json!({"containers": [], "priorityClassName": "gold"}),
                "no PriorityClass with name gold was found",
            ),
            (
                json!({"containers": [], "priorityClassName": "high", "priority": 5}),
                "the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name",
            ),
            (
                json!({"containers": [], "priorityClassName": "high", "preemptionPolicy": "Never"}),
                "the string value of PreemptionPolicy (Never) must not be provided in pod spec; priority admission controller computed PreemptLowerPriority from the given PriorityClass name",
            ),
        ];
        for (spec, want) in cases {
            let mut p = pod(spec);
            let got = admit_new_pod_priority(&mut p, std::slice::from_ref(&high));
            assert_eq!(got.map_err(|e| e.to_string()), Err(want.to_string()));
        }
    }

    #[test]
    fn only_one_class_may_be_the_global_default() {
        let first = class("first", 10, true, "PreemptLowerPriority");
        let second = class("second", 20, true, "PreemptLowerPriority");
        let classes = [first.clone()];
        assert_eq!(
            validate_priority_class_write(Operation::Create, &second, &classes)
                .map_err(|e| e.to_string()),
            Err(
                "PriorityClass first is already marked as default. Only one default can exist"
                    .to_string()
            )
        );
        assert_eq!(
            validate_priority_class_write(Operation::Update, &first, &classes),
            Ok(())
        );
        assert_eq!(
            validate_priority_class_write(Operation::Update, &second, &classes)
                .map_err(|e| e.to_string()),
            Err(
                "PriorityClass first is already marked as default. Only one default can exist"
                    .to_string()
            )
        );
    }

    #[test]
    fn the_built_in_classes_cannot_be_deleted_but_user_classes_can() {
        assert_eq!(
            check_priority_class_delete("system-node-critical"),
            Err(PriorityRefusal::SystemClassDeleted)
        );
        assert_eq!(check_priority_class_delete("high"), Ok(()));
    }
}
