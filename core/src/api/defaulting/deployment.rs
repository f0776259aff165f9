//! Deployment defaults (`SetDefaults_Deployment` in apps/v1) and its pod template's defaults.
//!
//! One replica; the RollingUpdate strategy with maxSurge and maxUnavailable of 25%; ten old
//! ReplicaSets kept for rollback; a rollout counts as stuck after 600 seconds without progress.

use k8s_openapi::api::apps::v1::{Deployment, DeploymentStrategy, RollingUpdateDeployment};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::pod_spec::apply_pod_spec_defaults;
use super::{set_if_empty, set_if_none};

/// The strategy that replaces pods a few at a time.
pub const ROLLING_UPDATE: &str = "RollingUpdate";

/// Applies `SetDefaults_Deployment` and the template's pod spec defaults.
pub fn apply_deployment_defaults(deployment: &mut Deployment) {
    let spec = deployment.spec.get_or_insert_with(Default::default);
    set_if_none(&mut spec.replicas, 1);
    let strategy = spec
        .strategy
        .get_or_insert_with(DeploymentStrategy::default);
    set_if_empty(&mut strategy.type_, ROLLING_UPDATE);
    if strategy.type_.as_deref() == Some(ROLLING_UPDATE) {
        let rolling = strategy
            .rolling_update
            .get_or_insert_with(RollingUpdateDeployment::default);
        set_if_none(
            &mut rolling.max_unavailable,
            IntOrString::String("25%".into()),
        );
        set_if_none(&mut rolling.max_surge, IntOrString::String("25%".into()));
    }
    set_if_none(&mut spec.revision_history_limit, 10);
    set_if_none(&mut spec.progress_deadline_seconds, 600);
    apply_pod_spec_defaults(spec.template.spec.get_or_insert_with(Default::default));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::objects::Object;
    use serde_json::json;

    fn defaulted(input: serde_json::Value) -> serde_json::Value {
        let mut deployment: Deployment =
            serde_json::from_value(input).unwrap_or_else(|e| panic!("{e}"));
        apply_deployment_defaults(&mut deployment);
        Object::from(deployment).to_value()
    }

    #[test]
    fn the_docs_nginx_deployment_is_stored_with_every_default() {
        let input = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "nginx-deployment", "labels": {"app": "nginx"}},
            "spec": {"selector": {"matchLabels": {"app": "nginx"}},
                "template": {"metadata": {"labels": {"app": "nginx"}},
                    "spec": {"containers": [{"name": "nginx", "image": "nginx:1.14.2",
                                             "ports": [{"containerPort": 80}]}]}}}
        });
        let got = defaulted(input);
        let spec = &got["spec"];
        assert_eq!(spec["replicas"], 1);
        assert_eq!(
            spec["strategy"],
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}})
        );
        assert_eq!(spec["revisionHistoryLimit"], 10);
        assert_eq!(spec["progressDeadlineSeconds"], 600);
        let pod_spec = &spec["template"]["spec"];
        assert_eq!(pod_spec["restartPolicy"], "Always");
        assert_eq!(pod_spec["schedulerName"], "default-scheduler");
        assert_eq!(pod_spec["containers"][0]["imagePullPolicy"], "IfNotPresent");
        assert_eq!(pod_spec["containers"][0]["ports"][0]["protocol"], "TCP");
        assert_eq!(
            pod_spec.get("enableServiceLinks"),
            None,
            "a Pod-only default"
        );
    }

    #[test]
    fn explicit_deployment_values_are_kept() {
        let got = defaulted(json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
            "spec": {"replicas": 0, "revisionHistoryLimit": 2, "progressDeadlineSeconds": 60,
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
                "selector": {}, "template": {"spec": {"containers": []}}}
        }));
        assert_eq!(got["spec"]["replicas"], 0);
        assert_eq!(got["spec"]["revisionHistoryLimit"], 2);
        assert_eq!(got["spec"]["progressDeadlineSeconds"], 60);
        assert_eq!(
            got["spec"]["strategy"]["rollingUpdate"],
            json!({"maxSurge": 1, "maxUnavailable": "25%"})
        );
    }

    #[test]
    fn a_recreate_deployment_gets_no_rolling_update_parameters() {
        let got = defaulted(json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
            "spec": {"strategy": {"type": "Recreate"}, "selector": {}, "template": {}}
        }));
        assert_eq!(got["spec"]["strategy"], json!({"type": "Recreate"}));
    }
}
