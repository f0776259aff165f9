//! Namespace validation (Kubernetes' `ValidateNamespace`): a cluster-scoped object whose name is a
//! DNS-1123 label, with qualified finalizer names.

use k8s_openapi::api::core::v1::Namespace;

use super::field::{ErrorList, FieldError, FieldPath};
use super::names::{is_qualified_name, NameRule};
use super::object_meta::{validate_object_meta, validate_object_meta_update, Scope};

/// Validates a new Namespace.
pub fn validate_namespace(namespace: &Namespace) -> ErrorList {
    let mut errs = validate_object_meta(
        &namespace.metadata,
        Scope::Cluster,
        NameRule::Dns1123Label,
        &FieldPath::new("metadata"),
    );
    let path = FieldPath::new("spec").child("finalizers");
    let finalizers = namespace.spec.as_ref().and_then(|s| s.finalizers.as_ref());
    for finalizer in finalizers.into_iter().flatten() {
        for msg in is_qualified_name(finalizer) {
            errs.push(FieldError::invalid(&path, finalizer.as_str(), msg));
        }
        if !finalizer.contains('/') && finalizer != "kubernetes" {
            errs.push(FieldError::invalid(
                &path,
                finalizer.as_str(),
                "name is neither a standard finalizer name nor is it fully qualified",
            ));
        }
    }
    errs
}

/// Validates an update of a Namespace (only metadata rules apply).
pub fn validate_namespace_update(new: &Namespace, old: &Namespace) -> ErrorList {
    validate_object_meta_update(&new.metadata, &old.metadata, &FieldPath::new("metadata"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::validation::object_meta::tests::meta;

    #[test]
    fn namespace_names_are_dns_labels_without_dots() {
        let cases: Vec<(&str, Namespace, Vec<&str>)> = vec![
            (
                "a plain name is valid",
                Namespace {
                    metadata: meta("team-a", None),
                    ..Namespace::default()
                },
                vec![],
            ),
            (
                "a dotted name has no dots allowed",
                Namespace {
                    metadata: meta("team.a", None),
                    ..Namespace::default()
                },
                vec!["metadata.name: Invalid value: \"team.a\": must not contain dots"],
            ),
            (
                "a namespace inside a namespace is forbidden",
                Namespace {
                    metadata: meta("team-a", Some("default")),
                    ..Namespace::default()
                },
                vec!["metadata.namespace: Forbidden: not allowed on this type"],
            ),
        ];
        for (name, ns, want) in cases {
            let got: Vec<String> = validate_namespace(&ns)
                .iter()
                .map(ToString::to_string)
                .collect();
            assert_eq!(got, want, "{name}");
        }
    }
}
