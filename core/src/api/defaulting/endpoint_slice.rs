//! EndpointSlice defaults (`SetDefaults_EndpointPort` in discovery/v1): a port without a name
//! gets the empty name, and without a protocol TCP. Both are pointers in Go, so only an absent
//! value is defaulted.

use k8s_openapi::api::discovery::v1::EndpointSlice;

use super::set_if_none;

/// Applies `SetDefaults_EndpointPort` to every port of the slice.
pub fn apply_endpoint_slice_defaults(slice: &mut EndpointSlice) {
    for port in slice.ports.iter_mut().flatten() {
        set_if_none(&mut port.name, String::new());
        set_if_none(&mut port.protocol, "TCP".to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn slice_ports_get_an_empty_name_and_tcp_unless_given() {
        let input = json!({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": "example-abc"}, "addressType": "IPv4",
            "ports": [{"port": 80}, {"name": "dns", "port": 53, "protocol": "UDP"}], "endpoints": []});
        let mut slice: EndpointSlice =
            serde_json::from_value(input).unwrap_or_else(|e| panic!("{e}"));
        apply_endpoint_slice_defaults(&mut slice);
        let got = serde_json::to_value(&slice).unwrap_or_default();
        assert_eq!(
            got["ports"],
            json!([{"name": "", "port": 80, "protocol": "TCP"}, {"name": "dns", "port": 53, "protocol": "UDP"}])
        );
    }
}
