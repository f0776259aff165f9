//! Service defaults (`SetDefaults_Service` in core/v1).
//!
//! Type ClusterIP, session affinity None (ClientIP affinity gets a 10800-second timeout), port
//! protocol TCP, target port equal to the port, internal traffic policy Cluster, external
//! traffic policy Cluster for services reachable from outside (NodePort, LoadBalancer, or
//! ClusterIP with external IPs), and node ports allocated for LoadBalancers. Cluster IPs and IP
//! families are not defaults: the API server's IP allocator assigns them.

use k8s_openapi::api::core::v1::{ClientIPConfig, Service, SessionAffinityConfig};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{set_if_empty, set_if_none};

/// `v1.DefaultClientIPServiceAffinitySeconds`: three hours.
pub const DEFAULT_CLIENT_IP_AFFINITY_SECONDS: i32 = 10800;

/// Applies `SetDefaults_Service`.
pub fn apply_service_defaults(service: &mut Service) {
    let spec = service.spec.get_or_insert_with(Default::default);
    set_if_empty(&mut spec.session_affinity, "None");
    match spec.session_affinity.as_deref() {
        Some("None") => spec.session_affinity_config = None,
        Some("ClientIP") => {
            let has_timeout = spec
                .session_affinity_config
                .as_ref()
                .and_then(|c| c.client_ip.as_ref())
                .is_some_and(|c| c.timeout_seconds.is_some());
            if !has_timeout {
                spec.session_affinity_config = Some(SessionAffinityConfig {
                    client_ip: Some(ClientIPConfig {
                        timeout_seconds: Some(DEFAULT_CLIENT_IP_AFFINITY_SECONDS),
                    }),
                });
            }
        }
        _ => {}
    }
    set_if_empty(&mut spec.type_, "ClusterIP");
    for port in spec.ports.iter_mut().flatten() {
        set_if_empty(&mut port.protocol, "TCP");
        let unset = match &port.target_port {
            None => true,
            Some(IntOrString::Int(0)) => true,
            Some(IntOrString::String(name)) => name.is_empty(),
            Some(IntOrString::Int(_)) => false,
        };
        if unset {
            port.target_port = Some(IntOrString::Int(port.port));
        }
    }
    let service_type = spec.type_.as_deref().unwrap_or("");
    let has_external_ips = spec
        .external_ips
        .as_ref()
        .is_some_and(|ips| !ips.is_empty());
    let externally_accessible = matches!(service_type, "LoadBalancer" | "NodePort")
        || (service_type == "ClusterIP" && has_external_ips);
    if externally_accessible {
        set_if_empty(&mut spec.external_traffic_policy, "Cluster");
    }
    if matches!(service_type, "NodePort" | "LoadBalancer" | "ClusterIP") {
        set_if_none(&mut spec.internal_traffic_policy, "Cluster".to_owned());
    }
    if service_type == "LoadBalancer" {
        set_if_none(&mut spec.allocate_load_balancer_node_ports, true);
        let ingress = service
            .status
            .as_mut()
            .and_then(|s| s.load_balancer.as_mut())
            .and_then(|lb| lb.ingress.as_mut());
        for ingress in ingress.into_iter().flatten() {
            if ingress.ip.as_deref().is_some_and(|ip| !ip.is_empty()) {
                set_if_none(&mut ingress.ip_mode, "VIP".to_owned());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::objects::Object;
    use serde_json::json;

    fn defaulted_spec(spec: serde_json::Value) -> serde_json::Value {
        let input =
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": spec});
        let mut service: Service = serde_json::from_value(input).unwrap_or_else(|e| panic!("{e}"));
        apply_service_defaults(&mut service);
        Object::from(service).to_value()["spec"].clone()
    }

    #[test]
    fn a_service_defaults_like_the_api_server() {
        let table = [
            (
                json!({"selector": {"app": "web"}, "ports": [{"port": 80}]}),
                json!({"selector": {"app": "web"}, "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}],
                       "type": "ClusterIP", "sessionAffinity": "None", "internalTrafficPolicy": "Cluster"}),
            ),
            (
                json!({"type": "NodePort", "ports": [{"port": 80, "targetPort": "http-web-svc"}]}),
                json!({"type": "NodePort", "ports": [{"port": 80, "protocol": "TCP", "targetPort": "http-web-svc"}],
                       "sessionAffinity": "None", "externalTrafficPolicy": "Cluster", "internalTrafficPolicy": "Cluster"}),
            ),
            (
                json!({"type": "LoadBalancer", "ports": [{"port": 443, "targetPort": 0, "protocol": "UDP"}]}),
                json!({"type": "LoadBalancer", "ports": [{"port": 443, "protocol": "UDP", "targetPort": 443}],
                       "sessionAffinity": "None", "externalTrafficPolicy": "Cluster", "internalTrafficPolicy": "Cluster",
                       "allocateLoadBalancerNodePorts": true}),
            ),
            (
                json!({"externalIPs": ["192.0.2.10"], "ports": [{"port": 80}]}),
                json!({"externalIPs": ["192.0.2.10"], "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}],
                       "type": "ClusterIP", "sessionAffinity": "None", "externalTrafficPolicy": "Cluster",
                       "internalTrafficPolicy": "Cluster"}),
            ),
            (
                json!({"type": "ExternalName", "externalName": "example.com"}),
                json!({"type": "ExternalName", "externalName": "example.com", "sessionAffinity": "None"}),
            ),
            (
                json!({"sessionAffinity": "ClientIP"}),
                json!({"sessionAffinity": "ClientIP", "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 10800}},
                       "type": "ClusterIP", "internalTrafficPolicy": "Cluster"}),
            ),
        ];
        for (spec, want) in table {
            assert_eq!(defaulted_spec(spec.clone()), want, "{spec}");
        }
    }

    #[test]
    fn explicit_service_values_are_kept() {
        let spec = json!({"type": "NodePort", "sessionAffinity": "ClientIP",
            "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 60}},
            "externalTrafficPolicy": "Local", "internalTrafficPolicy": "Local",
            "ports": [{"port": 80, "protocol": "TCP", "targetPort": 8080}]});
        assert_eq!(defaulted_spec(spec.clone()), spec);
    }
}
