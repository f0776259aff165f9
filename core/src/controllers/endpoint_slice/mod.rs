//! The EndpointSlice controller (`endpointslice-controller.k8s.io`): Kubernetes'
//! `pkg/controller/endpointslice` as a reconciler.
//!
//! For every Service with a selector, [`EndpointSliceController::sync`] computes the desired
//! endpoints — one per pod with an IP (terminating pods included, flagged), with conditions
//! `ready` (Ready and not terminating, or `publishNotReadyAddresses`), `serving` (Ready) and
//! `terminating`, the pod's `nodeName` and a `targetRef` — grouped by the ports each pod
//! resolves. It then compares them with the slices it already manages for that Service (label
//! `kubernetes.io/service-name` plus `endpointslice.kubernetes.io/managed-by`):
//!
//! 1. slices of port sets no longer wanted are deleted;
//! 2. an endpoint stays in the slice that holds it (updated when it changed), vanished ones
//!    are removed, a slice left empty is deleted;
//! 3. new endpoints fill slices with room first, then new slices of at most
//!    [`MAX_ENDPOINTS_PER_SLICE`], created with `generateName: <service>-` (the API server
//!    adds five random characters) and a controller ownerReference to the Service.
//!
//! A Service with no endpoints at all keeps one empty placeholder slice, as in Kubernetes.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort, EndpointSlice};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::api::objects::{Kind, Object, StoredPod};
use crate::apiserver::{ApiRequest, DeleteOptions};

use super::cache::{InformerCache, ObjectKey};
use super::controller_utils::{as_pod, is_pod_ready, Owner};
use super::endpoints::trigger_time::{TriggerTimeTracker, LAST_CHANGE_TRIGGER_TIME_ANNOTATION};
use super::endpoints::{
    as_service, find_port, is_headless, pod_reference, protocol_of, publishes_not_ready_addresses,
    selected_pods, service_selector, should_pod_be_in_endpoints, HEADLESS_SERVICE_LABEL,
};
use super::Reconciled;

#[cfg(test)]
mod tests;

/// The label naming the Service a slice belongs to.
pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";
/// The label naming the controller that manages a slice.
pub const MANAGED_BY_LABEL: &str = "endpointslice.kubernetes.io/managed-by";
/// This controller's value of [`MANAGED_BY_LABEL`].
pub const CONTROLLER_NAME: &str = "endpointslice-controller.k8s.io";
/// The most endpoints one slice holds (`--max-endpoints-per-slice`, default 100).
pub const MAX_ENDPOINTS_PER_SLICE: usize = 100;
/// The only address type kubeplay's pods have.
pub const ADDRESS_TYPE_IPV4: &str = "IPv4";

/// The ports of a group of endpoints, as a sortable key.
type PortsKey = Vec<(String, i32, String, Option<String>)>;

/// The slice inside an object, if it is one.
pub fn as_endpoint_slice(object: &Object) -> Option<&EndpointSlice> {
    match object {
        Object::EndpointSlice(slice) => Some(slice),
        _ => None,
    }
}

/// The Service a slice names in its `kubernetes.io/service-name` label, if this controller
/// manages it.
pub fn managed_service_of(slice: &Object) -> Option<ObjectKey> {
    let labels = slice.labels();
    if labels.get(MANAGED_BY_LABEL).map(String::as_str) != Some(CONTROLLER_NAME) {
        return None;
    }
    labels
        .get(SERVICE_NAME_LABEL)
        .map(|name| ObjectKey::new(slice.namespace(), name))
}

/// `podToEndpoint`: one pod as a slice endpoint.
pub fn pod_to_endpoint(service: &Service, pod: &StoredPod) -> Endpoint {
    let serving = is_pod_ready(pod);
    let terminating = pod.metadata.deletion_timestamp.is_some();
    // "ready" is never true for a terminating pod unless publishNotReadyAddresses says so.
    let ready = publishes_not_ready_addresses(service) || (serving && !terminating);
    let spec = pod.spec.as_ref();
    let hostname = spec.and_then(|s| {
        let subdomain = s.subdomain.as_deref()?;
        let hostname = s.hostname.as_deref().filter(|h| !h.is_empty())?;
        (Some(subdomain) == service.metadata.name.as_deref()).then(|| hostname.to_string())
    });
    Endpoint {
        addresses: pod.pod_ip().map(str::to_string).into_iter().collect(),
        conditions: Some(EndpointConditions {
            ready: Some(ready),
            serving: Some(serving),
            terminating: Some(terminating),
        }),
        hostname,
        node_name: pod
            .node_name()
            .filter(|n| !n.is_empty())
            .map(str::to_string),
        target_ref: Some(pod_reference(pod)),
        ..Endpoint::default()
    }
}

fn ports_key(ports: &[EndpointPort]) -> PortsKey {
    let mut key: PortsKey = ports
        .iter()
        .map(|p| {
            (
                p.name.clone().unwrap_or_default(),
                p.port.unwrap_or(0),
                protocol_of(p.protocol.as_deref()).to_string(),
                p.app_protocol.clone(),
            )
        })
        .collect();
    key.sort();
    key
}

/// `getEndpointPorts`: the ports one pod serves for the Service, in Service order.
fn endpoint_ports(service: &Service, pod: &StoredPod) -> Vec<EndpointPort> {
    let headless = is_headless(service);
    service
        .spec
        .as_ref()
        .and_then(|s| s.ports.as_ref())
        .into_iter()
        .flatten()
        .filter(|p| !(headless && p.port == 0))
        .filter_map(|service_port| {
            let port = find_port(pod, service_port)?;
            Some(EndpointPort {
                name: Some(service_port.name.clone().unwrap_or_default()),
                port: Some(port),
                protocol: Some(protocol_of(service_port.protocol.as_deref()).to_string()),
                app_protocol: service_port.app_protocol.clone(),
            })
        })
        .collect()
}

/// Identifies an endpoint across syncs: its pod reference (or, failing that, its address).
fn endpoint_identity(endpoint: &Endpoint) -> String {
    match &endpoint.target_ref {
        Some(r) => format!(
            "{}/{}",
            r.namespace.as_deref().unwrap_or(""),
            r.name.as_deref().unwrap_or("")
        ),
        None => endpoint.addresses.join(","),
    }
}

/// The EndpointSlice controller.
#[derive(Clone, Debug, Default)]
pub struct EndpointSliceController {
    triggers: TriggerTimeTracker,
}

impl EndpointSliceController {
    /// A controller with no history.
    pub fn new() -> EndpointSliceController {
        EndpointSliceController::default()
    }

    /// Reconciles the slices of one Service.
    pub fn sync(&mut self, key: &ObjectKey, cache: &InformerCache) -> Reconciled {
        let mut out = Reconciled::default();
        let service_object = cache.get(Kind::Service, &key.namespace, &key.name);
        let service = service_object.and_then(|o| as_service(o));
        let Some(service) = service else {
            // Slices carry an ownerReference to the Service: the garbage collector removes
            // them. The controller only forgets.
            self.triggers.delete_service(key);
            return out;
        };
        let Some(selector) = service_selector(service) else {
            return out;
        };
        if service.metadata.deletion_timestamp.is_some() {
            return out;
        }
        let owner = service_object.map(|o| Owner::of(o));
        let pod_objects = selected_pods(cache, &key.namespace, &selector);
        let pods: Vec<&StoredPod> = pod_objects.iter().filter_map(|o| as_pod(o)).collect();
        let trigger = self.triggers.compute(key, service, &pods);

        // Desired endpoints, by port set.
        let mut desired: BTreeMap<PortsKey, (Vec<EndpointPort>, Vec<Endpoint>)> = BTreeMap::new();
        for pod in &pods {
            if !should_pod_be_in_endpoints(pod, true) {
                continue;
            }
            let ports = endpoint_ports(service, pod);
            let entry = desired
                .entry(ports_key(&ports))
                .or_insert_with(|| (ports, Vec::new()));
            entry.1.push(pod_to_endpoint(service, pod));
        }

        let existing: Vec<EndpointSlice> = cache
            .list(Kind::EndpointSlice, Some(&key.namespace))
            .filter(|o| managed_service_of(o).as_ref() == Some(key))
            .filter_map(|o| as_endpoint_slice(o).cloned())
            .collect();
        let labels = slice_labels(service, &key.name);
        let annotate = |slice: &mut EndpointSlice| {
            if let Some(time) = trigger {
                slice
                    .metadata
                    .annotations
                    .get_or_insert_with(BTreeMap::new)
                    .insert(
                        LAST_CHANGE_TRIGGER_TIME_ANNOTATION.to_string(),
                        time.to_rfc3339(),
                    );
            }
        };
        let new_slice = |ports: Option<Vec<EndpointPort>>, endpoints: Vec<Endpoint>| {
            let mut slice = EndpointSlice {
                metadata: ObjectMeta {
                    generate_name: Some(format!("{}-", key.name)),
                    namespace: Some(key.namespace.clone()),
                    labels: Some(labels.clone()),
                    owner_references: owner.as_ref().map(|o| vec![o.controller_ref()]),
                    ..ObjectMeta::default()
                },
                address_type: ADDRESS_TYPE_IPV4.to_string(),
                endpoints,
                ports,
            };
            annotate(&mut slice);
            slice
        };

        if desired.is_empty() {
            // Keep (or make) one empty placeholder slice; delete the rest.
            let placeholder = existing
                .iter()
                .find(|s| s.endpoints.is_empty() && s.ports.as_ref().is_none_or(Vec::is_empty));
            for slice in &existing {
                if placeholder.is_some_and(|p| p.metadata.name == slice.metadata.name) {
                    continue;
                }
                out.requests.push(delete_slice(key, slice));
            }
            if placeholder.is_none() {
                out.requests.push(ApiRequest::Create {
                    namespace: key.namespace.clone(),
                    object: Object::from(new_slice(None, Vec::new())),
                });
            }
            return out;
        }

        let mut by_ports: BTreeMap<PortsKey, Vec<EndpointSlice>> = BTreeMap::new();
        let first_key = desired.keys().next().cloned().unwrap_or_default();
        for mut slice in existing {
            let mut ports_key = ports_key(slice.ports.as_deref().unwrap_or_default());
            if slice.endpoints.is_empty() && !desired.contains_key(&ports_key) {
                // An empty slice (the placeholder) is reused for the first port set.
                slice.ports = desired.get(&first_key).map(|(ports, _)| ports.clone());
                ports_key = first_key.clone();
            }
            if desired.contains_key(&ports_key) {
                by_ports.entry(ports_key).or_default().push(slice);
            } else {
                out.requests.push(delete_slice(key, &slice));
            }
        }
        for (ports_key, (ports, endpoints)) in desired {
            let wanted: BTreeMap<String, Endpoint> = endpoints
                .into_iter()
                .map(|e| (endpoint_identity(&e), e))
                .collect();
            let mut placed = BTreeSet::new();
            let mut updated: Vec<(EndpointSlice, bool)> = Vec::new();
            for mut slice in by_ports.remove(&ports_key).unwrap_or_default() {
                let before = slice.endpoints.clone();
                let mut kept = Vec::new();
                for endpoint in &before {
                    let id = endpoint_identity(endpoint);
                    if let Some(want) = wanted.get(&id) {
                        if placed.insert(id) {
                            kept.push(want.clone());
                        }
                    }
                }
                slice.endpoints = kept;
                let changed =
                    slice.endpoints != before || slice.metadata.labels.as_ref() != Some(&labels);
                updated.push((slice, changed));
            }
            // New endpoints fill slices with room, then new slices.
            let mut fresh: Vec<Endpoint> = wanted
                .iter()
                .filter(|(id, _)| !placed.contains(*id))
                .map(|(_, e)| e.clone())
                .collect();
            for (slice, changed) in &mut updated {
                if fresh.is_empty() {
                    break;
                }
                let room = MAX_ENDPOINTS_PER_SLICE.saturating_sub(slice.endpoints.len());
                if room == 0 {
                    continue;
                }
                let take = room.min(fresh.len());
                slice.endpoints.extend(fresh.drain(..take));
                *changed = true;
            }
            for (mut slice, changed) in updated {
                if slice.endpoints.is_empty() {
                    out.requests.push(delete_slice(key, &slice));
                } else if changed {
                    slice.metadata.labels = Some(labels.clone());
                    annotate(&mut slice);
                    out.requests.push(ApiRequest::Update {
                        namespace: key.namespace.clone(),
                        object: Object::from(slice),
                    });
                }
            }
            while !fresh.is_empty() {
                let take = MAX_ENDPOINTS_PER_SLICE.min(fresh.len());
                let chunk: Vec<Endpoint> = fresh.drain(..take).collect();
                out.requests.push(ApiRequest::Create {
                    namespace: key.namespace.clone(),
                    object: Object::from(new_slice(Some(ports.clone()), chunk)),
                });
            }
        }
        out
    }
}

/// A slice's labels: the Service's own, then the two that tie the slice to it (and the
/// headless marker).
fn slice_labels(service: &Service, name: &str) -> BTreeMap<String, String> {
    let mut labels = service.metadata.labels.clone().unwrap_or_default();
    labels.remove(HEADLESS_SERVICE_LABEL);
    labels.insert(SERVICE_NAME_LABEL.to_string(), name.to_string());
    labels.insert(MANAGED_BY_LABEL.to_string(), CONTROLLER_NAME.to_string());
    if is_headless(service) {
        labels.insert(HEADLESS_SERVICE_LABEL.to_string(), String::new());
    }
    labels
}

fn delete_slice(key: &ObjectKey, slice: &EndpointSlice) -> ApiRequest {
    ApiRequest::Delete {
        kind: Kind::EndpointSlice,
        namespace: key.namespace.clone(),
        name: slice.metadata.name.clone().unwrap_or_default(),
        options: DeleteOptions::default(),
    }
}
