//! `kubectl describe service`: type, cluster IPs, ports with their target ports, and the
//! ready endpoints of each port read from the Service's EndpointSlices (at most three, then
//! `+ N more...`).

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::api::objects::{Kind, Object};
use crate::apiserver::{ApiError, ListOptions};
use crate::kubectl::KubectlApi;
use crate::sim::clock::Timestamp;

use super::events::{describe_events, events_for};
use super::format::{annotations_multiline, format_labels, labels_multiline};
use super::writer::{w, PrefixWriter, LEVEL_0};

/// The label that ties an EndpointSlice to its Service.
const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

/// `ServiceDescriber`.
pub(crate) fn describe_service<A: KubectlApi + ?Sized>(
    api: &mut A,
    object: &Object,
    service: &Service,
    now: Timestamp,
) -> Result<String, ApiError> {
    let selector = format!("{SERVICE_NAME_LABEL}={}", object.name());
    // kubectl ignores a failed slice list and shows `<none>`.
    let slices: Vec<EndpointSlice> = api
        .list(
            Kind::EndpointSlice,
            Some(object.namespace()),
            &ListOptions::with_label_selector(&selector),
        )
        .map(|list| {
            list.items
                .iter()
                .filter_map(|o| match o.as_ref() {
                    Object::EndpointSlice(slice) => Some(slice.as_ref().clone()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let events = events_for(api, object);

    let meta = &service.metadata;
    let spec = service.spec.clone().unwrap_or_default();
    let mut w = PrefixWriter::new();
    w!(w, LEVEL_0, "Name:\t{}\n", object.name());
    w!(w, LEVEL_0, "Namespace:\t{}\n", object.namespace());
    labels_multiline(&mut w, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", meta.annotations.as_ref());
    w!(
        w,
        LEVEL_0,
        "Selector:\t{}\n",
        format_labels(spec.selector.as_ref())
    );
    w!(
        w,
        LEVEL_0,
        "Type:\t{}\n",
        spec.type_.as_deref().unwrap_or("")
    );
    if let Some(policy) = &spec.ip_family_policy {
        w!(w, LEVEL_0, "IP Family Policy:\t{policy}\n");
    }
    match spec.ip_families.as_deref().filter(|f| !f.is_empty()) {
        Some(families) => w!(w, LEVEL_0, "IP Families:\t{}\n", families.join(",")),
        None => w!(w, LEVEL_0, "IP Families:\t<none>\n"),
    }
    w!(
        w,
        LEVEL_0,
        "IP:\t{}\n",
        spec.cluster_ip.as_deref().unwrap_or("")
    );
    match spec.cluster_ips.as_deref().filter(|ips| !ips.is_empty()) {
        Some(ips) => w!(w, LEVEL_0, "IPs:\t{}\n", ips.join(",")),
        None => w!(w, LEVEL_0, "IPs:\t<none>\n"),
    }
    if let Some(ips) = spec.external_ips.as_deref().filter(|ips| !ips.is_empty()) {
        w!(w, LEVEL_0, "External IPs:\t{}\n", ips.join(","));
    }
    if let Some(ip) = spec.load_balancer_ip.as_deref().filter(|ip| !ip.is_empty()) {
        w!(w, LEVEL_0, "Desired LoadBalancer IP:\t{ip}\n");
    }
    if let Some(name) = spec.external_name.as_deref().filter(|n| !n.is_empty()) {
        w!(w, LEVEL_0, "External Name:\t{name}\n");
    }
    let ingress = service
        .status
        .as_ref()
        .and_then(|s| s.load_balancer.as_ref())
        .and_then(|lb| lb.ingress.as_deref())
        .unwrap_or_default();
    if !ingress.is_empty() {
        let list = ingress
            .iter()
            .map(|i| match i.ip.as_deref().filter(|ip| !ip.is_empty()) {
                Some(ip) => match &i.ip_mode {
                    Some(mode) => format!("{ip} ({mode})"),
                    None => ip.to_string(),
                },
                None => i.hostname.clone().unwrap_or_default(),
            })
            .collect::<Vec<_>>()
            .join(", ");
        w!(w, LEVEL_0, "LoadBalancer Ingress:\t{list}\n");
    }
    for port in spec.ports.iter().flatten() {
        let port_name = port.name.as_deref().unwrap_or("");
        let name = if port_name.is_empty() {
            "<unset>"
        } else {
            port_name
        };
        let protocol = port.protocol.as_deref().unwrap_or("");
        w!(w, LEVEL_0, "Port:\t{name}\t{}/{protocol}\n", port.port);
        let target = match &port.target_port {
            Some(IntOrString::Int(i)) => i.to_string(),
            Some(IntOrString::String(s)) => s.clone(),
            None => "0".to_string(),
        };
        w!(w, LEVEL_0, "TargetPort:\t{target}/{protocol}\n");
        if let Some(node_port) = port.node_port.filter(|p| *p != 0) {
            w!(w, LEVEL_0, "NodePort:\t{name}\t{node_port}/{protocol}\n");
        }
        w!(
            w,
            LEVEL_0,
            "Endpoints:\t{}\n",
            format_endpoint_slices(&slices, Some(port_name))
        );
    }
    w!(
        w,
        LEVEL_0,
        "Session Affinity:\t{}\n",
        spec.session_affinity.as_deref().unwrap_or("")
    );
    if let Some(policy) = spec
        .external_traffic_policy
        .as_deref()
        .filter(|p| !p.is_empty())
    {
        w!(w, LEVEL_0, "External Traffic Policy:\t{policy}\n");
    }
    if let Some(policy) = &spec.internal_traffic_policy {
        w!(w, LEVEL_0, "Internal Traffic Policy:\t{policy}\n");
    }
    if let Some(port) = spec.health_check_node_port.filter(|p| *p != 0) {
        w!(w, LEVEL_0, "HealthCheck NodePort:\t{port}\n");
    }
    if let Some(ranges) = spec
        .load_balancer_source_ranges
        .as_deref()
        .filter(|r| !r.is_empty())
    {
        w!(
            w,
            LEVEL_0,
            "LoadBalancer Source Ranges:\t{}\n",
            ranges.join(",")
        );
    }
    describe_events(&mut w, &events, now);
    Ok(w.finish())
}

/// kubectl's `formatEndpointSlices`: ready `ip:port` pairs of the port named `port` (all
/// ports for `None`), three at most, then `+ N more...`; `<none>` without slices.
fn format_endpoint_slices(slices: &[EndpointSlice], port: Option<&str>) -> String {
    if slices.is_empty() {
        return "<none>".to_string();
    }
    const MAX: usize = 3;
    let mut list: Vec<String> = Vec::new();
    let mut more = false;
    let mut count = 0usize;
    for slice in slices {
        let ports = slice.ports.as_deref().unwrap_or_default();
        if ports.is_empty() {
            // Headless services may have no ports.
            for endpoint in &slice.endpoints {
                if list.len() == MAX {
                    more = true;
                }
                if !is_ready(endpoint) {
                    continue;
                }
                if !more {
                    list.push(endpoint.addresses.first().cloned().unwrap_or_default());
                }
                count += 1;
            }
            continue;
        }
        for slice_port in ports {
            let name = slice_port.name.as_deref().unwrap_or("");
            if port.is_some_and(|p| p != name) {
                continue;
            }
            for endpoint in &slice.endpoints {
                if list.len() == MAX {
                    more = true;
                }
                if !is_ready(endpoint) {
                    continue;
                }
                if !more {
                    let address = endpoint.addresses.first().map_or("", String::as_str);
                    let number = slice_port.port.unwrap_or(0);
                    list.push(join_host_port(address, number));
                }
                count += 1;
            }
        }
    }
    let joined = list.join(",");
    if more {
        format!("{joined} + {} more...", count.saturating_sub(MAX))
    } else {
        joined
    }
}

/// A missing ready condition counts as ready.
fn is_ready(endpoint: &k8s_openapi::api::discovery::v1::Endpoint) -> bool {
    endpoint
        .conditions
        .as_ref()
        .and_then(|c| c.ready)
        .unwrap_or(true)
}

/// `net.JoinHostPort`: IPv6 addresses in brackets.
fn join_host_port(host: &str, port: i32) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}
