//! EndpointSlice validation (Kubernetes' discovery `ValidateEndpointSlice`): a supported address
//! type (immutable on update), at most 1000 endpoints of 1 to 100 addresses each, and at most 100
//! uniquely named ports with a known protocol.

use std::collections::BTreeSet;

use k8s_openapi::api::discovery::v1::EndpointSlice;

use super::endpoints::validate_non_special_ip;
use super::field::{ErrorList, FieldError, FieldPath};
use super::names::{is_dns1123_label, NameRule};
use super::object_meta::{
    validate_immutable, validate_object_meta, validate_object_meta_update, Scope,
};
use super::pod_spec::{validate_dns1123_label, validate_protocol, validate_qualified_name};

const ADDRESS_TYPES: [&str; 3] = ["FQDN", "IPv4", "IPv6"];
const MAX_ENDPOINTS: usize = 1000;
const MAX_ADDRESSES: usize = 100;
const MAX_PORTS: usize = 100;

fn validate_address(address_type: &str, address: &str, path: &FieldPath) -> ErrorList {
    let mut errs = ErrorList::new();
    match address_type {
        "IPv4" | "IPv6" => {
            let parsed = address.parse::<core::net::IpAddr>();
            let right_family = parsed.is_ok_and(|ip| ip.is_ipv4() == (address_type == "IPv4"));
            if right_family {
                errs.extend(validate_non_special_ip(address, path));
            } else {
                errs.push(FieldError::invalid(
                    path,
                    address,
                    format!("must be a valid {address_type} address"),
                ));
            }
        }
        "FQDN" => {
            let name = address.strip_suffix('.').unwrap_or(address);
            let msgs = NameRule::Dns1123Subdomain.check(name, false);
            if address.is_empty() {
                errs.push(FieldError::required(path, ""));
            } else if !msgs.is_empty() {
                errs.push(FieldError::invalid(path, name, msgs.join(",")));
            } else if !name.contains('.') {
                errs.push(FieldError::invalid(
                    path,
                    name,
                    "should be a domain with at least two segments separated by dots",
                ));
            } else if let Some(label) = name.split('.').find(|l| !is_dns1123_label(l).is_empty()) {
                errs.push(FieldError::invalid(
                    path,
                    label,
                    is_dns1123_label(label).join(","),
                ));
            }
        }
        _ => {}
    }
    errs
}

/// Validates a new EndpointSlice.
pub fn validate_endpoint_slice(slice: &EndpointSlice) -> ErrorList {
    let mut errs = validate_object_meta(
        &slice.metadata,
        Scope::Namespaced,
        NameRule::Dns1123Subdomain,
        &FieldPath::new("metadata"),
    );
    let type_path = FieldPath::new("addressType");
    match slice.address_type.as_str() {
        "" => errs.push(FieldError::required(&type_path, "")),
        t if ADDRESS_TYPES.contains(&t) => {}
        t => errs.push(FieldError::not_supported(&type_path, t, &ADDRESS_TYPES)),
    }
    let endpoints_path = FieldPath::new("endpoints");
    if slice.endpoints.len() > MAX_ENDPOINTS {
        errs.push(FieldError::too_many(
            &endpoints_path,
            slice.endpoints.len(),
            MAX_ENDPOINTS,
        ));
    } else {
        for (i, endpoint) in slice.endpoints.iter().enumerate() {
            let addresses_path = endpoints_path.index(i).child("addresses");
            if endpoint.addresses.is_empty() {
                errs.push(FieldError::required(
                    &addresses_path,
                    "must contain at least 1 address",
                ));
            } else if endpoint.addresses.len() > MAX_ADDRESSES {
                errs.push(FieldError::too_many(
                    &addresses_path,
                    endpoint.addresses.len(),
                    MAX_ADDRESSES,
                ));
            }
            for (j, address) in endpoint.addresses.iter().enumerate() {
                errs.extend(validate_address(
                    &slice.address_type,
                    address,
                    &addresses_path.index(j),
                ));
            }
            if let Some(hostname) = &endpoint.hostname {
                errs.extend(validate_dns1123_label(
                    hostname,
                    &endpoints_path.index(i).child("hostname"),
                ));
            }
        }
    }
    let ports_path = FieldPath::new("ports");
    let ports = slice.ports.as_deref().unwrap_or_default();
    if ports.len() > MAX_PORTS {
        errs.push(FieldError::too_many(&ports_path, ports.len(), MAX_PORTS));
        return errs;
    }
    let mut names = BTreeSet::new();
    for (i, port) in ports.iter().enumerate() {
        let port_path = ports_path.index(i);
        let name = port.name.as_deref().unwrap_or("");
        if !name.is_empty() {
            errs.extend(validate_dns1123_label(name, &port_path.child("name")));
        }
        if !names.insert(name) {
            errs.push(FieldError::duplicate(&port_path.child("name"), name));
        }
        errs.extend(validate_protocol(
            port.protocol.as_deref(),
            &port_path.child("protocol"),
        ));
        if let Some(app_protocol) = &port.app_protocol {
            errs.extend(validate_qualified_name(
                app_protocol,
                &port_path.child("appProtocol"),
            ));
        }
    }
    errs
}

/// Validates an update of an EndpointSlice; its address type may not change.
pub fn validate_endpoint_slice_update(new: &EndpointSlice, old: &EndpointSlice) -> ErrorList {
    let mut errs =
        validate_object_meta_update(&new.metadata, &old.metadata, &FieldPath::new("metadata"));
    errs.extend(validate_endpoint_slice(new));
    errs.extend(validate_immutable(
        &new.address_type,
        &old.address_type,
        &FieldPath::new("addressType"),
    ));
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::validation::object_meta::tests::meta;
    use k8s_openapi::api::discovery::v1::Endpoint;

    #[test]
    fn endpoint_slices_check_address_type_and_addresses() {
        let slice = |address_type: &str, addresses: Vec<&str>| EndpointSlice {
            metadata: meta("web-abc12", Some("default")),
            address_type: address_type.into(),
            endpoints: vec![Endpoint {
                addresses: addresses.into_iter().map(str::to_string).collect(),
                ..Endpoint::default()
            }],
            ports: None,
        };
        let cases = [
            ("an IPv4 slice of pod IPs is valid", slice("IPv4", vec!["10.244.0.7"]), vec![]),
            ("an unknown address type is unsupported", slice("IP4", vec!["10.244.0.7"]),
                vec!["addressType: Unsupported value: \"IP4\": supported values: \"FQDN\", \"IPv4\", \"IPv6\""]),
            ("an endpoint without addresses needs one", slice("IPv4", vec![]),
                vec!["endpoints[0].addresses: Required value: must contain at least 1 address"]),
        ];
        for (name, s, want) in cases {
            let got: Vec<String> = validate_endpoint_slice(&s)
                .iter()
                .map(ToString::to_string)
                .collect();
            assert_eq!(got, want, "{name}");
        }
    }
}
