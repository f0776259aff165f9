//! Endpoints validation (Kubernetes' `ValidateEndpoints`): each subset has addresses, addresses are
//! usable pod IPs (not loopback, link-local or unspecified), ports are named when there are
//! several and use a known protocol.

use core::net::IpAddr;

use k8s_openapi::api::core::v1::{EndpointAddress, Endpoints};

use super::field::{ErrorList, FieldError, FieldPath};
use super::names::{is_valid_ip, is_valid_port_num, NameRule};
use super::object_meta::{validate_object_meta, validate_object_meta_update, Scope};
use super::pod_spec::{validate_dns1123_label, validate_protocol, validate_qualified_name};

/// Rejects addresses that cannot be a pod's (Kubernetes' `ValidateNonSpecialIP`).
pub(crate) fn validate_non_special_ip(ip: &str, path: &FieldPath) -> ErrorList {
    let Ok(addr) = ip.parse::<IpAddr>() else {
        return vec![FieldError::invalid(path, ip, "must be a valid IP address")];
    };
    let mut errs = ErrorList::new();
    if addr.is_unspecified() {
        errs.push(FieldError::invalid(
            path,
            ip,
            format!("may not be unspecified ({ip})"),
        ));
    }
    if addr.is_loopback() {
        errs.push(FieldError::invalid(
            path,
            ip,
            "may not be in the loopback range (127.0.0.0/8, ::1/128)",
        ));
    }
    let link_local_unicast = match addr {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => (v6.segments()[0] & 0xffc0) == 0xfe80,
    };
    if link_local_unicast {
        errs.push(FieldError::invalid(
            path,
            ip,
            "may not be in the link-local range (169.254.0.0/16, fe80::/10)",
        ));
    }
    let link_local_multicast = match addr {
        IpAddr::V4(v4) => v4.octets()[..3] == [224, 0, 0],
        IpAddr::V6(v6) => (v6.segments()[0] & 0xff0f) == 0xff02,
    };
    if link_local_multicast {
        errs.push(FieldError::invalid(
            path,
            ip,
            "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)",
        ));
    }
    errs
}

fn validate_address(address: &EndpointAddress, path: &FieldPath) -> ErrorList {
    let ip_path = path.child("ip");
    let mut errs: ErrorList = is_valid_ip(&address.ip)
        .into_iter()
        .map(|msg| FieldError::invalid(&ip_path, address.ip.as_str(), msg))
        .collect();
    if let Some(hostname) = address.hostname.as_deref().filter(|h| !h.is_empty()) {
        errs.extend(validate_dns1123_label(hostname, &path.child("hostname")));
    }
    if let Some(node) = &address.node_name {
        for msg in NameRule::Dns1123Subdomain.check(node, false) {
            errs.push(FieldError::invalid(
                &path.child("nodeName"),
                node.as_str(),
                msg,
            ));
        }
    }
    errs.extend(validate_non_special_ip(&address.ip, &ip_path));
    errs
}

/// Validates Endpoints (the same rules apply on create and update).
pub fn validate_endpoints(endpoints: &Endpoints) -> ErrorList {
    let mut errs = validate_object_meta(
        &endpoints.metadata,
        Scope::Namespaced,
        NameRule::Dns1123Subdomain,
        &FieldPath::new("metadata"),
    );
    for (i, subset) in endpoints.subsets.iter().flatten().enumerate() {
        let path = FieldPath::new("subsets").index(i);
        let addresses = subset.addresses.as_deref().unwrap_or_default();
        let not_ready = subset.not_ready_addresses.as_deref().unwrap_or_default();
        if addresses.is_empty() && not_ready.is_empty() {
            errs.push(FieldError::required(
                &path,
                "must specify `addresses` or `notReadyAddresses`",
            ));
        }
        for (j, address) in addresses.iter().enumerate() {
            errs.extend(validate_address(address, &path.child("addresses").index(j)));
        }
        for (j, address) in not_ready.iter().enumerate() {
            errs.extend(validate_address(
                address,
                &path.child("notReadyAddresses").index(j),
            ));
        }
        let ports = subset.ports.as_deref().unwrap_or_default();
        for (j, port) in ports.iter().enumerate() {
            let port_path = path.child("ports").index(j);
            let name = port.name.as_deref().unwrap_or("");
            if ports.len() > 1 && name.is_empty() {
                errs.push(FieldError::required(&port_path.child("name"), ""));
            } else if !name.is_empty() {
                errs.extend(validate_dns1123_label(name, &port_path.child("name")));
            }
            for msg in is_valid_port_num(i64::from(port.port)) {
                errs.push(FieldError::invalid(
                    &port_path.child("port"),
                    port.port,
                    msg,
                ));
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
    }
    errs
}

/// Validates an update of Endpoints.
pub fn validate_endpoints_update(new: &Endpoints, old: &Endpoints) -> ErrorList {
    let mut errs =
        validate_object_meta_update(&new.metadata, &old.metadata, &FieldPath::new("metadata"));
    errs.extend(validate_endpoints(new));
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::validation::object_meta::tests::meta;
    use k8s_openapi::api::core::v1::EndpointSubset;

    #[test]
    fn endpoint_addresses_must_be_routable_pod_ips() {
        let endpoints = |ip: &str| Endpoints {
            metadata: meta("web", Some("default")),
            subsets: Some(vec![EndpointSubset {
                addresses: Some(vec![EndpointAddress {
                    ip: ip.into(),
                    ..EndpointAddress::default()
                }]),
                ..EndpointSubset::default()
            }]),
        };
        let cases = [
            ("a pod IP is valid", endpoints("10.244.1.5"), vec![]),
            ("loopback is refused", endpoints("127.0.0.1"),
                vec!["subsets[0].addresses[0].ip: Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128)"]),
        ];
        for (name, e, want) in cases {
            let got: Vec<String> = validate_endpoints(&e)
                .iter()
                .map(ToString::to_string)
                .collect();
            assert_eq!(got, want, "{name}");
        }
    }
}
