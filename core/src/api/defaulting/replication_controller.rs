//! ReplicationController defaults (`SetDefaults_ReplicationController` and the declarative
//! `replicas` default in core/v1): one replica, and the selector and the controller's own labels
//! taken from the pod template's labels when they are empty.

use k8s_openapi::api::core::v1::ReplicationController;

use super::pod_spec::apply_pod_spec_defaults;
use super::set_if_none;

/// Applies the ReplicationController defaults and the template's pod spec defaults.
pub fn apply_replication_controller_defaults(rc: &mut ReplicationController) {
    let spec = rc.spec.get_or_insert_with(Default::default);
    let template_labels = spec
        .template
        .as_ref()
        .and_then(|t| t.metadata.as_ref())
        .and_then(|m| m.labels.clone())
        .filter(|labels| !labels.is_empty());
    if let Some(labels) = template_labels {
        if spec.selector.as_ref().is_none_or(|s| s.is_empty()) {
            spec.selector = Some(labels.clone());
        }
        if rc.metadata.labels.as_ref().is_none_or(|l| l.is_empty()) {
            rc.metadata.labels = Some(labels);
        }
    }
    set_if_none(&mut spec.replicas, 1);
    if let Some(template) = &mut spec.template {
        apply_pod_spec_defaults(template.spec.get_or_insert_with(Default::default));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::objects::Object;
    use serde_json::json;

    fn defaulted(input: serde_json::Value) -> serde_json::Value {
        let mut rc: ReplicationController =
            serde_json::from_value(input).unwrap_or_else(|e| panic!("{e}"));
        apply_replication_controller_defaults(&mut rc);
        Object::from(rc).to_value()
    }

    #[test]
    fn selector_and_labels_default_to_the_template_labels() {
        let got = defaulted(json!({
            "apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "nginx"},
            "spec": {"template": {"metadata": {"labels": {"app": "nginx"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}}
        }));
        assert_eq!(got["spec"]["replicas"], 1);
        assert_eq!(got["spec"]["selector"], json!({"app": "nginx"}));
        assert_eq!(got["metadata"]["labels"], json!({"app": "nginx"}));
        assert_eq!(
            got["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"],
            "Always"
        );
    }

    #[test]
    fn explicit_selector_labels_and_replicas_are_kept() {
        let got = defaulted(json!({
            "apiVersion": "v1", "kind": "ReplicationController",
            "metadata": {"name": "nginx", "labels": {"team": "a"}},
            "spec": {"replicas": 3, "selector": {"app": "nginx"},
                "template": {"metadata": {"labels": {"app": "nginx", "track": "stable"}},
                    "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}}
        }));
        assert_eq!(got["spec"]["replicas"], 3);
        assert_eq!(got["spec"]["selector"], json!({"app": "nginx"}));
        assert_eq!(got["metadata"]["labels"], json!({"team": "a"}));
    }
}
