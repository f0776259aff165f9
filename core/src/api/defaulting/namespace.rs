//! Namespace defaults: the `kubernetes.io/metadata.name` label (always equal to the name), phase
//! `Active`, and on create the `kubernetes` finalizer that the namespace controller removes once
//! the namespace's contents are gone.

use k8s_openapi::api::core::v1::Namespace;

use super::set_if_empty;

/// The label every named namespace carries, equal to its name.
pub const LABEL_METADATA_NAME: &str = "kubernetes.io/metadata.name";
/// The finalizer that holds a namespace until its contents are deleted.
pub const FINALIZER_KUBERNETES: &str = "kubernetes";

/// Applies `SetDefaults_Namespace` and `SetDefaults_NamespaceStatus`.
pub fn apply_namespace_defaults(namespace: &mut Namespace) {
    if let Some(name) = namespace.metadata.name.clone().filter(|n| !n.is_empty()) {
        namespace
            .metadata
            .labels
            .get_or_insert_with(Default::default)
            .insert(LABEL_METADATA_NAME.to_owned(), name);
    }
    let status = namespace.status.get_or_insert_with(Default::default);
    set_if_empty(&mut status.phase, "Active");
}

/// What the namespace strategy's `PrepareForCreate` does: phase `Active` whatever the request
/// said, and the `kubernetes` finalizer appended when missing.
pub fn prepare_namespace_for_create(namespace: &mut Namespace) {
    let status = namespace.status.get_or_insert_with(Default::default);
    *status = Default::default();
    status.phase = Some("Active".to_owned());
    let finalizers = namespace
        .spec
        .get_or_insert_with(Default::default)
        .finalizers
        .get_or_insert_with(Vec::new);
    if !finalizers.iter().any(|f| f == FINALIZER_KUBERNETES) {
        finalizers.push(FINALIZER_KUBERNETES.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use crate::api::defaulting::{apply_defaults, prepare_for_create};
    use crate::api::objects::Object;
    use serde_json::json;

    fn created(input: serde_json::Value) -> serde_json::Value {
        let mut object = Object::from_value(input).unwrap_or_else(|e| panic!("{e}"));
        apply_defaults(&mut object);
        prepare_for_create(&mut object);
        object.to_value()
    }

    #[test]
    fn a_new_namespace_gets_its_label_finalizer_and_phase() {
        let got = created(
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}}),
        );
        assert_eq!(
            got,
            json!({"apiVersion": "v1", "kind": "Namespace",
                   "metadata": {"name": "team-a", "labels": {"kubernetes.io/metadata.name": "team-a"}},
                   "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}})
        );
    }

    #[test]
    fn the_name_label_is_always_the_name_and_other_labels_stay() {
        let got = created(json!({"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": "team-a", "labels": {"kubernetes.io/metadata.name": "other", "env": "dev"}},
            "spec": {"finalizers": ["example.com/hold"]}}));
        assert_eq!(
            got["metadata"]["labels"],
            json!({"env": "dev", "kubernetes.io/metadata.name": "team-a"})
        );
        assert_eq!(
            got["spec"]["finalizers"],
            json!(["example.com/hold", "kubernetes"])
        );
    }

    #[test]
    fn defaults_alone_do_not_add_the_finalizer() {
        let mut object = Object::from_value(json!({"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": "a"}, "status": {"phase": "Terminating"}}))
        .unwrap_or_else(|e| panic!("{e}"));
        apply_defaults(&mut object);
        let value = object.to_value();
        assert_eq!(value.get("spec"), None);
        assert_eq!(value["status"]["phase"], "Terminating");
    }
}
