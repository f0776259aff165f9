//! Endpoints defaults (`SetDefaults_Endpoints`): every port's protocol is TCP unless given.

use k8s_openapi::api::core::v1::Endpoints;

use super::set_if_empty;

/// Applies `SetDefaults_Endpoints`.
pub fn apply_endpoints_defaults(endpoints: &mut Endpoints) {
    for subset in endpoints.subsets.iter_mut().flatten() {
        for port in subset.ports.iter_mut().flatten() {
            set_if_empty(&mut port.protocol, "TCP");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn endpoint_ports_default_to_tcp_and_keep_udp() {
        let input = json!({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "dns"},
            "subsets": [{"addresses": [{"ip": "10.244.0.5"}],
                         "ports": [{"name": "dns-tcp", "port": 53}, {"name": "dns", "port": 53, "protocol": "UDP"}]}]});
        let mut endpoints: Endpoints =
            serde_json::from_value(input).unwrap_or_else(|e| panic!("{e}"));
        apply_endpoints_defaults(&mut endpoints);
        let got = serde_json::to_value(&endpoints).unwrap_or_default();
        assert_eq!(
            got["subsets"][0]["ports"],
            json!([{"name": "dns-tcp", "port": 53, "protocol": "TCP"}, {"name": "dns", "port": 53, "protocol": "UDP"}])
        );
    }
}
