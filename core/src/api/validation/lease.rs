//! Lease validation (Kubernetes' `ValidateLease`): a positive duration, non-negative transitions,
//! and a known coordinated-leader-election strategy.

use k8s_openapi::api::coordination::v1::Lease;

use super::field::{ErrorList, FieldError, FieldPath};
use super::names::{is_qualified_name, NameRule};
use super::object_meta::{validate_object_meta, validate_object_meta_update, Scope};

fn validate_lease_spec(lease: &Lease) -> ErrorList {
    let mut errs = ErrorList::new();
    let path = FieldPath::new("spec");
    let Some(spec) = &lease.spec else {
        return errs;
    };
    if let Some(duration) = spec.lease_duration_seconds.filter(|d| *d <= 0) {
        errs.push(FieldError::invalid(
            &path.child("leaseDurationSeconds"),
            duration,
            "must be greater than 0",
        ));
    }
    if let Some(transitions) = spec.lease_transitions.filter(|t| *t < 0) {
        errs.push(FieldError::invalid(
            &path.child("leaseTransitions"),
            transitions,
            "must be greater than or equal to 0",
        ));
    }
    if let Some(strategy) = &spec.strategy {
        let strategy_path = path.child("strategy").child("strategy");
        if strategy.contains('/') {
            for msg in is_qualified_name(strategy) {
                errs.push(FieldError::invalid(&strategy_path, strategy.as_str(), msg));
            }
        } else if strategy != "OldestEmulationVersion" {
            errs.push(FieldError::not_supported(
                &strategy_path,
                strategy.as_str(),
                &["OldestEmulationVersion"],
            ));
        }
    }
    let strategy_empty = spec.strategy.as_deref().unwrap_or("").is_empty();
    if spec
        .preferred_holder
        .as_deref()
        .is_some_and(|h| !h.is_empty())
        && strategy_empty
    {
        errs.push(FieldError::forbidden(
            &path.child("preferredHolder"),
            "may only be specified if `strategy` is defined",
        ));
    }
    errs
}

/// Validates a new Lease.
pub fn validate_lease(lease: &Lease) -> ErrorList {
    let mut errs = validate_object_meta(
        &lease.metadata,
        Scope::Namespaced,
        NameRule::Dns1123Subdomain,
        &FieldPath::new("metadata"),
    );
    errs.extend(validate_lease_spec(lease));
    errs
}

/// Validates an update of a Lease.
pub fn validate_lease_update(new: &Lease, old: &Lease) -> ErrorList {
    let mut errs =
        validate_object_meta_update(&new.metadata, &old.metadata, &FieldPath::new("metadata"));
    errs.extend(validate_lease_spec(new));
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::validation::object_meta::tests::meta;
    use k8s_openapi::api::coordination::v1::LeaseSpec;

    #[test]
    fn lease_duration_must_be_positive() {
        let lease = |seconds| Lease {
            metadata: meta("node-1", Some("kube-node-lease")),
            spec: Some(LeaseSpec {
                lease_duration_seconds: Some(seconds),
                ..LeaseSpec::default()
            }),
        };
        let cases = [
            ("a 40 second lease is valid", lease(40), vec![]),
            (
                "a zero second lease is invalid",
                lease(0),
                vec!["spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0"],
            ),
        ];
        for (name, l, want) in cases {
            let got: Vec<String> = validate_lease(&l).iter().map(ToString::to_string).collect();
            assert_eq!(got, want, "{name}");
        }
    }
}
