//! The Endpoints controller (`endpoint-controller`): Kubernetes' `endpoints_controller.go`
//! as a reconciler.
//!
//! For every Service with a selector, [`EndpointsController::sync`] reads the Service and the
//! pods its selector picks from the [`InformerCache`] and writes an Endpoints object of the
//! same name: each pod with an IP becomes an address (with `nodeName` and a `targetRef` to
//! the pod) under `addresses` when it is Ready or `publishNotReadyAddresses` is set, under
//! `notReadyAddresses` otherwise; terminating and finished pods are left out. Each Service
//! port is resolved per pod (a named `targetPort` is looked up in the pod's container ports;
//! a pod without that port is left out of that port), and addresses sharing the same ports
//! are packed into one subset. The `endpoints.kubernetes.io/last-change-trigger-time`
//! annotation says when the change being published started ([`trigger_time`]). When the
//! Service goes, so does its Endpoints object.
//!
//! Pod events wake the Services whose selector matches the pod's old or new labels
//! ([`services_for_pod`]); Service events wake the Service itself.

pub mod trigger_time;

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{
    EndpointAddress, EndpointPort, EndpointSubset, Endpoints, ObjectReference, Service, ServicePort,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::api::labels::Selector;
use crate::api::objects::{Kind, Object, StoredPod};
use crate::apiserver::{ApiRequest, DeleteOptions};

use super::cache::{InformerCache, ObjectKey};
use super::controller_utils::{as_pod, is_pod_ready};
use super::Reconciled;

use trigger_time::{TriggerTimeTracker, LAST_CHANGE_TRIGGER_TIME_ANNOTATION};

/// The label marking the Endpoints (and EndpointSlices) of a headless Service.
pub const HEADLESS_SERVICE_LABEL: &str = "service.kubernetes.io/headless";

/// The most addresses one Endpoints object holds (`maxCapacity`); beyond it the controller
/// truncates and sets [`OVER_CAPACITY_ANNOTATION`].
pub const MAX_ENDPOINTS_CAPACITY: usize = 1000;

/// The annotation a truncated Endpoints object carries (value `truncated`).
pub const OVER_CAPACITY_ANNOTATION: &str = "endpoints.kubernetes.io/over-capacity";

/// The Service inside an object, if it is one.
pub fn as_service(object: &Object) -> Option<&Service> {
    match object {
        Object::Service(service) => Some(service),
        _ => None,
    }
}

/// The pod selector of a Service; None when `spec.selector` is unset (such a Service's
/// endpoints are managed by hand, and the controllers leave them alone).
pub fn service_selector(service: &Service) -> Option<Selector> {
    service
        .spec
        .as_ref()?
        .selector
        .as_ref()
        .map(Selector::from_set)
}

/// Whether the Service is headless (`clusterIP: None`).
pub fn is_headless(service: &Service) -> bool {
    service
        .spec
        .as_ref()
        .and_then(|s| s.cluster_ip.as_deref())
        .is_some_and(|ip| ip == "None")
}

/// `spec.publishNotReadyAddresses`.
pub fn publishes_not_ready_addresses(service: &Service) -> bool {
    service
        .spec
        .as_ref()
        .and_then(|s| s.publish_not_ready_addresses)
        .unwrap_or(false)
}

/// `ShouldPodBeInEndpoints`: the pod has an IP, is not terminating (unless
/// `include_terminating`), and has not finished for good under its restart policy.
pub fn should_pod_be_in_endpoints(pod: &StoredPod, include_terminating: bool) -> bool {
    if pod.pod_ip().is_none_or(str::is_empty) {
        return false;
    }
    if !include_terminating && pod.metadata.deletion_timestamp.is_some() {
        return false;
    }
    let phase = pod.phase().unwrap_or("");
    match pod
        .spec
        .as_ref()
        .and_then(|s| s.restart_policy.as_deref())
        .unwrap_or("Always")
    {
        "Never" => phase != "Failed" && phase != "Succeeded",
        "OnFailure" => phase != "Succeeded",
        _ => true,
    }
}

/// A port's protocol, TCP when unset (as defaulting makes it).
pub fn protocol_of(protocol: Option<&str>) -> &str {
    protocol.unwrap_or("TCP")
}

/// `podutil.FindPort`: the pod port a Service port sends to. A number is taken as it is; a
/// name is looked up among the ports of the pod's containers (and restartable init
/// containers) with the same protocol. None when the pod has no such port.
pub fn find_port(pod: &StoredPod, service_port: &ServicePort) -> Option<i32> {
    let target = service_port
        .target_port
        .clone()
        .unwrap_or(IntOrString::Int(service_port.port));
    match target {
        IntOrString::Int(port) => Some(port),
        IntOrString::String(name) => {
            let protocol = protocol_of(service_port.protocol.as_deref());
            let spec = pod.spec.as_ref()?;
            let sidecars = spec
                .init_containers
                .iter()
                .flatten()
                .filter(|c| c.restart_policy.as_deref() == Some("Always"));
            spec.containers
                .iter()
                .chain(sidecars)
                .flat_map(|c| c.ports.iter().flatten())
                .find(|p| {
                    p.name.as_deref() == Some(name.as_str())
                        && protocol_of(p.protocol.as_deref()) == protocol
                })
                .map(|p| p.container_port)
        }
    }
}

/// The `targetRef` of an address: the pod.
pub fn pod_reference(pod: &StoredPod) -> ObjectReference {
    ObjectReference {
        kind: Some("Pod".to_string()),
        namespace: pod.metadata.namespace.clone(),
        name: pod.metadata.name.clone(),
        uid: pod.metadata.uid.clone(),
        ..ObjectReference::default()
    }
}

/// The Services (namespace/name) whose selector matches a pod's labels before or after a
/// change (`GetPodServiceMemberships` over the old and the new pod).
pub fn services_for_pod(
    cache: &InformerCache,
    old: Option<&Object>,
    new: Option<&Object>,
) -> Vec<ObjectKey> {
    let mut keys = BTreeSet::new();
    for pod in [old, new].into_iter().flatten() {
        for object in cache.list(Kind::Service, Some(pod.namespace())) {
            let Some(selector) = as_service(object).and_then(service_selector) else {
                continue;
            };
            if selector.matches(pod.labels()) {
                keys.insert(ObjectKey::of(object));
            }
        }
    }
    keys.into_iter().collect()
}

/// The selected pods of a Service, in name order.
pub fn selected_pods(
    cache: &InformerCache,
    namespace: &str,
    selector: &Selector,
) -> Vec<std::sync::Arc<Object>> {
    cache
        .select(Kind::Pod, namespace, selector)
        .into_iter()
        .filter(|o| as_pod(o).is_some())
        .collect()
}

/// A port as a sortable key: name, number, protocol, appProtocol.
type PortKey = (String, i32, String, Option<String>);
/// The ready and the not-ready addresses serving one port, by IP.
type AddressesByIp = (
    BTreeMap<String, EndpointAddress>,
    BTreeMap<String, EndpointAddress>,
);
/// One subset being packed: its ports, ready and not-ready addresses.
type PackedSubset = (Vec<PortKey>, Vec<EndpointAddress>, Vec<EndpointAddress>);

/// The Endpoints controller.
#[derive(Clone, Debug, Default)]
pub struct EndpointsController {
    triggers: TriggerTimeTracker,
}

impl EndpointsController {
    /// A controller with no history.
    pub fn new() -> EndpointsController {
        EndpointsController::default()
    }

    /// Reconciles the Endpoints object of one Service.
    pub fn sync(&mut self, key: &ObjectKey, cache: &InformerCache) -> Reconciled {
        let mut out = Reconciled::default();
        let current = cache.get(Kind::Endpoints, &key.namespace, &key.name);
        let service = cache
            .get(Kind::Service, &key.namespace, &key.name)
            .and_then(|o| as_service(o).cloned());
        let Some(service) = service else {
            // The Service is gone: its Endpoints go too.
            self.triggers.delete_service(key);
            if current.is_some() {
                out.requests.push(ApiRequest::Delete {
                    kind: Kind::Endpoints,
                    namespace: key.namespace.clone(),
                    name: key.name.clone(),
                    options: DeleteOptions::default(),
                });
            }
            return out;
        };
        let Some(selector) = service_selector(&service) else {
            return out;
        };
        let pod_objects = selected_pods(cache, &key.namespace, &selector);
        let pods: Vec<&StoredPod> = pod_objects.iter().filter_map(|o| as_pod(o)).collect();
        let publish_not_ready = publishes_not_ready_addresses(&service);
        let subsets = desired_subsets(&service, &pods, publish_not_ready);
        let trigger = self.triggers.compute(key, &service, &pods);

        let mut labels = service.metadata.labels.clone().unwrap_or_default();
        if is_headless(&service) {
            labels.insert(HEADLESS_SERVICE_LABEL.to_string(), String::new());
        } else {
            labels.remove(HEADLESS_SERVICE_LABEL);
        }
        let (subsets, truncated) = truncate(subsets);
        let existing = current.and_then(|o| match o.as_ref() {
            Object::Endpoints(e) => Some(e.as_ref().clone()),
            _ => None,
        });
        if let Some(existing) = &existing {
            let annotations = existing.metadata.annotations.clone().unwrap_or_default();
            let capacity_right = annotations.contains_key(OVER_CAPACITY_ANNOTATION) == truncated;
            if existing.subsets.clone().unwrap_or_default() == subsets
                && existing.metadata.labels.clone().unwrap_or_default() == labels
                && capacity_right
            {
                return out;
            }
        }
        let mut endpoints = existing.clone().unwrap_or_else(|| Endpoints {
            metadata: ObjectMeta {
                name: Some(key.name.clone()),
                namespace: Some(key.namespace.clone()),
                ..ObjectMeta::default()
            },
            subsets: None,
        });
        let annotations = endpoints
            .metadata
            .annotations
            .get_or_insert_with(BTreeMap::new);
        match trigger {
            Some(time) => {
                annotations.insert(
                    LAST_CHANGE_TRIGGER_TIME_ANNOTATION.to_string(),
                    time.to_rfc3339(),
                );
            }
            None => {
                annotations.remove(LAST_CHANGE_TRIGGER_TIME_ANNOTATION);
            }
        }
        if truncated {
            annotations.insert(
                OVER_CAPACITY_ANNOTATION.to_string(),
                "truncated".to_string(),
            );
        } else {
            annotations.remove(OVER_CAPACITY_ANNOTATION);
        }
        if annotations.is_empty() {
            endpoints.metadata.annotations = None;
        }
        endpoints.metadata.labels = (!labels.is_empty()).then_some(labels);
        endpoints.subsets = (!subsets.is_empty()).then_some(subsets);
        let request = match existing {
            Some(_) => ApiRequest::Update {
                namespace: key.namespace.clone(),
                object: Object::from(endpoints),
            },
            None => ApiRequest::Create {
                namespace: key.namespace.clone(),
                object: Object::from(endpoints),
            },
        };
        out.requests.push(request);
        out
    }
}

/// The subsets a Service's pods make: addresses grouped by the ports they serve
/// (`RepackSubsets`), addresses sorted by IP, ports by name and number.
pub fn desired_subsets(
    service: &Service,
    pods: &[&StoredPod],
    publish_not_ready: bool,
) -> Vec<EndpointSubset> {
    let service_ports = service
        .spec
        .as_ref()
        .and_then(|s| s.ports.clone())
        .unwrap_or_default();
    // For each port, the ready and not-ready addresses serving it (keyed by IP).
    let mut by_port: BTreeMap<PortKey, AddressesByIp> = BTreeMap::new();
    let headless_without_ports = service_ports.is_empty() && is_headless(service);
    for pod in pods {
        if !should_pod_be_in_endpoints(pod, publish_not_ready) {
            continue;
        }
        let address = address_for(service, pod);
        let ready = publish_not_ready || is_pod_ready(pod);
        let mut add = |port: PortKey| {
            let entry = by_port.entry(port).or_default();
            let side = if ready { &mut entry.0 } else { &mut entry.1 };
            side.insert(address.ip.clone(), address.clone());
        };
        if headless_without_ports {
            add((String::new(), 0, String::new(), None));
            continue;
        }
        for service_port in &service_ports {
            let Some(port) = find_port(pod, service_port) else {
                continue;
            };
            add((
                service_port.name.clone().unwrap_or_default(),
                port,
                protocol_of(service_port.protocol.as_deref()).to_string(),
                service_port.app_protocol.clone(),
            ));
        }
    }
    // Ports serving the same addresses share a subset.
    type AddressSets = (Vec<String>, Vec<String>);
    let mut groups: BTreeMap<AddressSets, PackedSubset> = BTreeMap::new();
    for (port, (ready, not_ready)) in by_port {
        let sets = (
            ready.keys().cloned().collect(),
            not_ready.keys().cloned().collect(),
        );
        let group = groups.entry(sets).or_insert_with(|| {
            (
                Vec::new(),
                ready.into_values().collect(),
                not_ready.into_values().collect(),
            )
        });
        group.0.push(port);
    }
    groups
        .into_values()
        .map(|(ports, ready, not_ready)| EndpointSubset {
            addresses: (!ready.is_empty()).then_some(ready),
            not_ready_addresses: (!not_ready.is_empty()).then_some(not_ready),
            ports: if headless_without_ports {
                None
            } else {
                Some(
                    ports
                        .into_iter()
                        .map(|(name, port, protocol, app_protocol)| EndpointPort {
                            name: (!name.is_empty()).then_some(name),
                            port,
                            protocol: Some(protocol),
                            app_protocol,
                        })
                        .collect(),
                )
            },
        })
        .collect()
}

/// `podToEndpointAddressForService`: the pod's IP, node and reference, and its hostname when
/// the pod names this Service as its subdomain.
fn address_for(service: &Service, pod: &StoredPod) -> EndpointAddress {
    let spec = pod.spec.as_ref();
    let hostname = spec.and_then(|s| {
        let subdomain = s.subdomain.as_deref()?;
        let hostname = s.hostname.as_deref().filter(|h| !h.is_empty())?;
        (Some(subdomain) == service.metadata.name.as_deref()).then(|| hostname.to_string())
    });
    EndpointAddress {
        ip: pod.pod_ip().unwrap_or_default().to_string(),
        hostname,
        node_name: pod
            .node_name()
            .filter(|n| !n.is_empty())
            .map(str::to_string),
        target_ref: Some(pod_reference(pod)),
    }
}

/// Keeps at most [`MAX_ENDPOINTS_CAPACITY`] addresses, in subset order (Kubernetes spreads
/// the cut over the subsets in proportion; kubeplay keeps it simple); says whether any
/// were dropped.
fn truncate(mut subsets: Vec<EndpointSubset>) -> (Vec<EndpointSubset>, bool) {
    let total: usize = subsets
        .iter()
        .map(|s| {
            s.addresses.as_ref().map_or(0, Vec::len)
                + s.not_ready_addresses.as_ref().map_or(0, Vec::len)
        })
        .sum();
    if total <= MAX_ENDPOINTS_CAPACITY {
        return (subsets, false);
    }
    let mut room = MAX_ENDPOINTS_CAPACITY;
    for subset in &mut subsets {
        for list in [&mut subset.addresses, &mut subset.not_ready_addresses] {
            if let Some(addresses) = list {
                addresses.truncate(room);
                room -= addresses.len();
                if addresses.is_empty() {
                    *list = None;
                }
            }
        }
    }
    subsets.retain(|s| s.addresses.is_some() || s.not_ready_addresses.is_some());
    (subsets, true)
}

#[cfg(test)]
mod tests;

#[cfg(test)]
pub(crate) mod world_tests;
