//! PriorityClass defaults (`SetDefaults_PriorityClass` in `pkg/apis/scheduling/v1`): a class
//! that does not say how it preempts preempts lower-priority pods.

use k8s_openapi::api::scheduling::v1::PriorityClass;

use super::set_if_none;

/// `preemptionPolicy` of a class (and of its pods) unless it says `Never`.
pub const PREEMPT_LOWER_PRIORITY: &str = "PreemptLowerPriority";
/// `preemptionPolicy` of a class whose pods wait instead of evicting others.
pub const PREEMPT_NEVER: &str = "Never";

/// Applies `SetDefaults_PriorityClass`.
pub fn apply_priority_class_defaults(class: &mut PriorityClass) {
    set_if_none(
        &mut class.preemption_policy,
        PREEMPT_LOWER_PRIORITY.to_string(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_class_without_preemption_policy_preempts_lower_priority_and_never_stays_never() {
        let cases = [
            (None, PREEMPT_LOWER_PRIORITY),
            (Some(PREEMPT_NEVER), PREEMPT_NEVER),
        ];
        for (given, want) in cases {
            let mut class = PriorityClass {
                value: 1000,
                preemption_policy: given.map(str::to_string),
                ..PriorityClass::default()
            };
            apply_priority_class_defaults(&mut class);
            assert_eq!(class.preemption_policy.as_deref(), Some(want), "{given:?}");
        }
    }
}
