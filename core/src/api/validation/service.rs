//! Service validation (Kubernetes' `ValidateService` and `ValidateServiceUpdate`).
//!
//! Ports are required unless the Service is headless (`clusterIP: None`) or an ExternalName;
//! with more than one port every port needs a unique name; ports are 1-65535, target ports a
//! number or an IANA name; `clusterIP` is `None` or an IP. Node-port ranges belong to allocation,
//! so only their syntax and duplicates are checked here.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::Service;
use serde_json::json;

use super::field::{ErrorList, FieldError, FieldPath};
use super::names::{is_valid_ip, is_valid_port_num, NameRule};
use super::object_meta::{
    validate_labels, validate_object_meta, validate_object_meta_update, Scope,
};
use super::pod_spec::{
    validate_dns1123_label, validate_port_num_or_name, validate_protocol, validate_qualified_name,
};

/// Service types, in the sorted order Kubernetes lists them.
const SERVICE_TYPES: [&str; 4] = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
const SESSION_AFFINITIES: [&str; 2] = ["ClientIP", "None"];
const IP_FAMILIES: [&str; 2] = ["IPv4", "IPv6"];
const IP_FAMILY_POLICIES: [&str; 3] = ["PreferDualStack", "RequireDualStack", "SingleStack"];

/// The cluster IPs as the Service strategy syncs them before validation: `clusterIPs`, or
/// `[clusterIP]` when only the singular field is set.
fn cluster_ips(service: &Service) -> Vec<String> {
    let spec = service.spec.clone().unwrap_or_default();
    match (spec.cluster_ips, spec.cluster_ip) {
        (Some(ips), _) if !ips.is_empty() => ips,
        (_, Some(ip)) if !ip.is_empty() => vec![ip],
        _ => Vec::new(),
    }
}

fn is_headless(service: &Service) -> bool {
    cluster_ips(service) == ["None"]
}

/// Validates a new Service.
pub fn validate_service(service: &Service) -> ErrorList {
    let mut errs = validate_object_meta(
        &service.metadata,
        Scope::Namespaced,
        NameRule::Dns1035Label,
        &FieldPath::new("metadata"),
    );
    let spec_path = FieldPath::new("spec");
    let spec = service.spec.clone().unwrap_or_default();
    let service_type = spec.type_.as_deref().unwrap_or("");
    let ports = spec.ports.clone().unwrap_or_default();
    let headless = is_headless(service);
    let ips = cluster_ips(service);
    if ports.is_empty() && !headless && service_type != "ExternalName" {
        errs.push(FieldError::required(&spec_path.child("ports"), ""));
    }
    match service_type {
        "LoadBalancer" | "NodePort" if headless => errs.push(FieldError::invalid(
            &spec_path.child("clusterIPs").index(0),
            "None",
            format!("may not be set to 'None' for {service_type} services"),
        )),
        "ExternalName" => {
            if !ips.is_empty() {
                errs.push(FieldError::forbidden(
                    &spec_path.child("clusterIPs"),
                    "may not be set for ExternalName services",
                ));
            }
            let name = spec.external_name.as_deref().unwrap_or("");
            let cname = name.strip_suffix('.').unwrap_or(name);
            if cname.is_empty() {
                errs.push(FieldError::required(&spec_path.child("externalName"), ""));
            } else {
                for msg in NameRule::Dns1123Subdomain.check(cname, false) {
                    errs.push(FieldError::invalid(
                        &spec_path.child("externalName"),
                        cname,
                        msg,
                    ));
                }
            }
        }
        _ => {}
    }

    let ports_path = spec_path.child("ports");
    let mut names = BTreeSet::new();
    for (i, port) in ports.iter().enumerate() {
        let port_path = ports_path.index(i);
        let name = port.name.as_deref().unwrap_or("");
        if ports.len() > 1 && name.is_empty() {
            errs.push(FieldError::required(&port_path.child("name"), ""));
        } else if !name.is_empty() {
            errs.extend(validate_dns1123_label(name, &port_path.child("name")));
            if !names.insert(name) {
                errs.push(FieldError::duplicate(&port_path.child("name"), name));
            }
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
        if let Some(target) = &port.target_port {
            errs.extend(validate_port_num_or_name(
                target,
                &port_path.child("targetPort"),
            ));
        }
        if let Some(app_protocol) = &port.app_protocol {
            errs.extend(validate_qualified_name(
                app_protocol,
                &port_path.child("appProtocol"),
            ));
        }
    }

    errs.extend(validate_labels(
        spec.selector.as_ref(),
        &spec_path.child("selector"),
    ));

    let affinity_path = spec_path.child("sessionAffinity");
    match spec.session_affinity.as_deref().unwrap_or("") {
        "" => errs.push(FieldError::required(&affinity_path, "")),
        a if SESSION_AFFINITIES.contains(&a) => {}
        a => errs.push(FieldError::not_supported(
            &affinity_path,
            a,
            &SESSION_AFFINITIES,
        )),
    }

    if service_type != "ExternalName" {
        errs.extend(validate_cluster_ips(service, &spec_path));
    }
    for (i, ip) in spec.external_ips.iter().flatten().enumerate() {
        for msg in is_valid_ip(ip) {
            errs.push(FieldError::invalid(
                &spec_path.child("externalIPs").index(i),
                ip.as_str(),
                msg,
            ));
        }
    }

    let type_path = spec_path.child("type");
    match service_type {
        "" => errs.push(FieldError::required(&type_path, "")),
        t if SERVICE_TYPES.contains(&t) => {}
        t => errs.push(FieldError::not_supported(&type_path, t, &SERVICE_TYPES)),
    }
    if service_type == "ClusterIP" {
        for (i, port) in ports.iter().enumerate() {
            if port.node_port.is_some_and(|n| n != 0) {
                errs.push(FieldError::forbidden(
                    &ports_path.index(i).child("nodePort"),
                    "may not be used when `type` is 'ClusterIP'",
                ));
            }
        }
    }
    let mut node_ports = BTreeSet::new();
    for (i, port) in ports.iter().enumerate() {
        let Some(node_port) = port.node_port.filter(|n| *n != 0) else {
            continue;
        };
        if !node_ports.insert((port.protocol.clone(), node_port)) {
            errs.push(FieldError::duplicate(
                &ports_path.index(i).child("nodePort"),
                node_port,
            ));
        }
    }
    let mut port_keys = BTreeSet::new();
    for (i, port) in ports.iter().enumerate() {
        let protocol = port.protocol.clone().unwrap_or_default();
        if !port_keys.insert((protocol.clone(), port.port)) {
            errs.push(FieldError::duplicate(
                &ports_path.index(i),
                json!({"port": port.port, "protocol": protocol}),
            ));
        }
    }
    errs
}

/// Checks `clusterIP`/`clusterIPs`, IP families and the family policy (Kubernetes'
/// `ValidateServiceClusterIPsRelatedFields`, single-stack subset).
fn validate_cluster_ips(service: &Service, spec_path: &FieldPath) -> ErrorList {
    let mut errs = ErrorList::new();
    let spec = service.spec.clone().unwrap_or_default();
    let ips_path = spec_path.child("clusterIPs");
    let cluster_ip = spec.cluster_ip.clone().unwrap_or_default();
    let explicit_ips = spec.cluster_ips.clone().unwrap_or_default();
    if !cluster_ip.is_empty()
        && explicit_ips
            .first()
            .is_some_and(|first| *first != cluster_ip)
    {
        errs.push(FieldError::invalid(
            &ips_path,
            serde_json::to_value(&explicit_ips).unwrap_or_default(),
            "first value must match `clusterIP`",
        ));
    }
    let mut seen = BTreeSet::new();
    for (i, family) in spec.ip_families.iter().flatten().enumerate() {
        let path = spec_path.child("ipFamilies").index(i);
        if !IP_FAMILIES.contains(&family.as_str()) {
            errs.push(FieldError::not_supported(
                &path,
                family.as_str(),
                &IP_FAMILIES,
            ));
        }
        if !seen.insert(family.as_str()) {
            errs.push(FieldError::duplicate(&path, family.as_str()));
        }
    }
    if let Some(policy) = &spec.ip_family_policy {
        if !IP_FAMILY_POLICIES.contains(&policy.as_str()) {
            errs.push(FieldError::not_supported(
                &spec_path.child("ipFamilyPolicy"),
                policy.as_str(),
                &IP_FAMILY_POLICIES,
            ));
        }
    }
    let ips = cluster_ips(service);
    for (i, ip) in ips.iter().enumerate() {
        if i == 0 && ip == "None" {
            if ips.len() > 1 {
                errs.push(FieldError::invalid(
                    &ips_path,
                    serde_json::to_value(&ips).unwrap_or_default(),
                    "'None' must be the first and only value",
                ));
            }
            continue;
        }
        for msg in is_valid_ip(ip) {
            errs.push(FieldError::invalid(&ips_path.index(i), ip.as_str(), msg));
        }
    }
    if ips.len() > 2 {
        errs.push(FieldError::invalid(
            &ips_path,
            serde_json::to_value(&ips).unwrap_or_default(),
            "may only hold up to 2 values",
        ));
    }
    errs
}

/// Validates an update of a Service: the primary cluster IP may not change once set.
pub fn validate_service_update(new: &Service, old: &Service) -> ErrorList {
    let mut errs =
        validate_object_meta_update(&new.metadata, &old.metadata, &FieldPath::new("metadata"));
    let is_external = |s: &Service| {
        s.spec.as_ref().and_then(|spec| spec.type_.as_deref()) == Some("ExternalName")
    };
    let both_headless = is_headless(new) && is_headless(old);
    if !(is_external(new) || is_external(old) || both_headless) {
        let new_ips = cluster_ips(new);
        let old_ips = cluster_ips(old);
        let path = FieldPath::new("spec").child("clusterIPs");
        let value = serde_json::to_value(&new_ips).unwrap_or_default();
        if new_ips.len() == old_ips.len() {
            for (i, (a, b)) in new_ips.iter().zip(&old_ips).enumerate() {
                if a != b {
                    errs.push(FieldError::invalid(
                        &path.index(i),
                        value.clone(),
                        "may not change once set",
                    ));
                }
            }
        } else if new_ips.is_empty() {
            errs.push(FieldError::invalid(
                &path.index(0),
                value,
                "primary clusterIP can not be unset",
            ));
        } else if new_ips.first() != old_ips.first() && !old_ips.is_empty() {
            errs.push(FieldError::invalid(
                &path.index(0),
                value,
                "may not change once set",
            ));
        }
    }
    errs.extend(validate_service(new));
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::validation::object_meta::tests::meta;
    use k8s_openapi::api::core::v1::{ServicePort, ServiceSpec};
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    use std::collections::BTreeMap;

    fn port(name: Option<&str>, number: i32, target: IntOrString) -> ServicePort {
        ServicePort {
            name: name.map(str::to_string),
            port: number,
            protocol: Some("TCP".into()),
            target_port: Some(target),
            ..ServicePort::default()
        }
    }

    /// A Service as defaulting and IP allocation leave it.
    fn service(name: &str, ports: Vec<ServicePort>) -> Service {
        Service {
            metadata: meta(name, Some("default")),
            spec: Some(ServiceSpec {
                type_: Some("ClusterIP".into()),
                session_affinity: Some("None".into()),
                cluster_ip: Some("10.96.0.10".into()),
                cluster_ips: Some(vec!["10.96.0.10".into()]),
                selector: Some(BTreeMap::from([("app".to_string(), "web".to_string())])),
                ports: Some(ports),
                ..ServiceSpec::default()
            }),
            ..Service::default()
        }
    }

    fn with(f: &dyn Fn(&mut ServiceSpec)) -> Service {
        let mut s = service("web", vec![port(None, 80, IntOrString::Int(8080))]);
        if let Some(spec) = s.spec.as_mut() {
            f(spec);
        }
        s
    }

    #[test]
    fn service_reports_the_most_common_mistakes_like_kubernetes() {
        let cases: Vec<(&str, Service, Vec<&str>)> = vec![
            ("a one-port service is valid", with(&|_| {}), vec![]),
            ("a name starting with a digit is invalid", service("1web", vec![port(None, 80, IntOrString::Int(80))]),
                vec!["metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"]),
            ("a service without ports needs them", with(&|s| s.ports = None), vec!["spec.ports: Required value"]),
            ("a headless service may omit ports", with(&|s| { s.ports = None; s.cluster_ip = Some("None".into()); s.cluster_ips = Some(vec!["None".into()]); }), vec![]),
            ("two ports need names", with(&|s| s.ports = Some(vec![port(None, 80, IntOrString::Int(80)), port(None, 443, IntOrString::Int(443))])),
                vec!["spec.ports[0].name: Required value", "spec.ports[1].name: Required value"]),
            ("a port of zero is out of range", with(&|s| s.ports = Some(vec![port(None, 0, IntOrString::Int(80))])),
                vec!["spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"]),
            ("a named target port must be an IANA name", with(&|s| s.ports = Some(vec![port(None, 80, IntOrString::String("web_port".into()))])),
                vec!["spec.ports[0].targetPort: Invalid value: \"web_port\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"]),
            ("an unknown type is unsupported", with(&|s| s.type_ = Some("Internal".into())),
                vec!["spec.type: Unsupported value: \"Internal\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""]),
            ("a cluster IP that is not an IP is invalid", with(&|s| { s.cluster_ip = Some("10.96.0".into()); s.cluster_ips = Some(vec!["10.96.0".into()]); }),
                vec!["spec.clusterIPs[0]: Invalid value: \"10.96.0\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"]),
            ("a node port on a ClusterIP service is forbidden", with(&|s| s.ports = Some(vec![ServicePort { node_port: Some(30080), ..port(None, 80, IntOrString::Int(80)) }])),
                vec!["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]),
        ];
        for (name, s, want) in cases {
            let got: Vec<String> = validate_service(&s)
                .iter()
                .map(ToString::to_string)
                .collect();
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn the_cluster_ip_may_not_change_on_update() {
        let old = with(&|_| {});
        let mut new = with(&|s| {
            s.cluster_ip = Some("10.96.0.11".into());
            s.cluster_ips = Some(vec!["10.96.0.11".into()]);
        });
        new.metadata.resource_version = Some("2".into());
        let got: Vec<String> = validate_service_update(&new, &old)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            got,
            vec!["spec.clusterIPs[0]: Invalid value: [\"10.96.0.11\"]: may not change once set"]
        );
    }
}
