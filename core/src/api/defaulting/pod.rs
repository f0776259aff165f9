//! Pod defaults: the pod spec defaults plus those Kubernetes applies to Pods only.
//!
//! `SetDefaults_Pod` runs only on Pods, never on pod templates, so these fields appear in a
//! stored Pod but not in a stored Deployment's template: `enableServiceLinks: true`, container
//! requests copied from limits where a request is missing, and host ports equal to container
//! ports on the host network.

use k8s_openapi::api::core::v1::Container;

use super::pod_spec::apply_pod_spec_defaults;
use crate::api::objects::StoredPod;

/// Applies `SetDefaults_Pod` and then the pod spec defaults.
pub fn apply_pod_defaults(pod: &mut StoredPod) {
    let spec = pod.spec_mut();
    for container in spec.init_containers.iter_mut().flatten() {
        default_requests_to_limits(container);
    }
    for container in spec.containers.iter_mut() {
        default_requests_to_limits(container);
    }
    if spec.enable_service_links.is_none() {
        spec.enable_service_links = Some(true);
    }
    if spec.host_network == Some(true) {
        let init = spec.init_containers.iter_mut().flatten();
        for container in spec.containers.iter_mut().chain(init) {
            for port in container.ports.iter_mut().flatten() {
                if port.host_port.unwrap_or(0) == 0 {
                    port.host_port = Some(port.container_port);
                }
            }
        }
    }
    apply_pod_spec_defaults(spec);
}

/// A resource with a limit and no request is requested at its limit.
fn default_requests_to_limits(container: &mut Container) {
    let Some(resources) = &mut container.resources else {
        return;
    };
    let Some(limits) = resources.limits.as_ref().filter(|l| !l.is_empty()) else {
        return;
    };
    let requests = resources.requests.get_or_insert_with(Default::default);
    for (name, quantity) in limits {
        requests
            .entry(name.clone())
            .or_insert_with(|| quantity.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::objects::Object;
    use k8s_openapi::api::core::v1::Pod;
    use serde_json::json;

    fn defaulted(input: serde_json::Value) -> serde_json::Value {
        let pod: Pod = serde_json::from_value(input).unwrap_or_else(|e| panic!("{e}"));
        let mut pod = StoredPod::from(pod);
        apply_pod_defaults(&mut pod);
        Object::from(pod).to_value()
    }

    #[test]
    fn a_minimal_pod_is_stored_as_the_api_server_stores_it() {
        let got = defaulted(json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "nginx"},
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25",
                                     "ports": [{"containerPort": 80}]}]}
        }));
        let want = json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "nginx"},
            "spec": {
                "containers": [{
                    "name": "nginx", "image": "nginx:1.25", "imagePullPolicy": "IfNotPresent",
                    "ports": [{"containerPort": 80, "protocol": "TCP"}],
                    "terminationMessagePath": "/dev/termination-log",
                    "terminationMessagePolicy": "File"
                }],
                "dnsPolicy": "ClusterFirst",
                "enableServiceLinks": true,
                "restartPolicy": "Always",
                "schedulerName": "default-scheduler",
                "securityContext": {},
                "terminationGracePeriodSeconds": 30
            }
        });
        assert_eq!(got, want);
    }

    #[test]
    fn explicit_pod_values_are_kept() {
        let input = json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {
                "containers": [{"name": "c", "image": "nginx", "imagePullPolicy": "IfNotPresent",
                                "terminationMessagePath": "/m", "terminationMessagePolicy": "File"}],
                "dnsPolicy": "None", "enableServiceLinks": false, "restartPolicy": "OnFailure",
                "schedulerName": "other", "securityContext": {"runAsUser": 1000},
                "terminationGracePeriodSeconds": 5
            }
        });
        assert_eq!(defaulted(input.clone()), input);
    }

    #[test]
    fn a_limit_without_a_request_becomes_the_request() {
        let got = defaulted(json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "nginx",
                "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": "100m"}}}]}
        }));
        assert_eq!(
            got["spec"]["containers"][0]["resources"]["requests"],
            json!({"cpu": "100m", "memory": "128Mi"})
        );
    }

    #[test]
    fn host_network_pods_get_host_ports() {
        let got = defaulted(json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"hostNetwork": true, "containers": [{"name": "c", "image": "nginx",
                "ports": [{"containerPort": 8080}]}]}
        }));
        assert_eq!(
            got["spec"]["containers"][0]["ports"][0],
            json!({"containerPort": 8080, "hostPort": 8080, "protocol": "TCP"})
        );
    }
}
