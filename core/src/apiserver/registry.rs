//! Per-kind storage strategy: where a kind lives in the store, which parts of it the main
//! resource and the `status` subresource may change, when `metadata.generation` moves, and
//! which validator and field set apply. This is the kubeplay version of the API server's
//! `pkg/registry/<group>/<kind>/strategy.go` files, gathered in one table.

use std::borrow::Cow;

use crate::api::fields::Fields;
use crate::api::objects::{Kind, Object, StoredPod};
use crate::api::validation::{self as v, ErrorList};

/// The etcd key prefix of a kind, as a real API server lays it out (`/registry/minions/` for
/// nodes, `/registry/services/specs/` for services): what a learner sees with `etcdctl get
/// --prefix /registry`.
pub fn key_prefix(kind: Kind) -> &'static str {
    match kind {
        Kind::Namespace => "/registry/namespaces/",
        Kind::Node => "/registry/minions/",
        Kind::Pod => "/registry/pods/",
        Kind::ReplicationController => "/registry/controllers/",
        Kind::ReplicaSet => "/registry/replicasets/",
        Kind::Deployment => "/registry/deployments/",
        Kind::Service => "/registry/services/specs/",
        Kind::Endpoints => "/registry/services/endpoints/",
        Kind::EndpointSlice => "/registry/endpointslices/",
        Kind::Event => "/registry/events/",
        Kind::ConfigMap => "/registry/configmaps/",
        Kind::Lease => "/registry/leases/",
        Kind::PriorityClass => "/registry/priorityclasses/",
    }
}

/// The prefix covering one namespace of a kind, or all of it.
pub fn list_prefix(kind: Kind, namespace: Option<&str>) -> String {
    match namespace {
        Some(ns) if kind.namespaced() && !ns.is_empty() => [key_prefix(kind), ns, "/"].concat(),
        _ => key_prefix(kind).to_string(),
    }
}

/// The key of one object (built with `concat`, one allocation: keys are built for every
/// request and every watch delivery, and `format!` costs several times more).
pub fn object_key(kind: Kind, namespace: &str, name: &str) -> String {
    if kind.namespaced() {
        [key_prefix(kind), namespace, "/", name].concat()
    } else {
        [key_prefix(kind), name].concat()
    }
}

/// Whether the kind has a `status` subresource: then the main resource ignores status
/// changes and the subresource ignores everything else.
pub fn has_status_subresource(kind: Kind) -> bool {
    match kind {
        Kind::Namespace
        | Kind::Node
        | Kind::Pod
        | Kind::ReplicationController
        | Kind::ReplicaSet
        | Kind::Deployment
        | Kind::Service => true,
        Kind::Endpoints
        | Kind::EndpointSlice
        | Kind::Event
        | Kind::ConfigMap
        | Kind::Lease
        | Kind::PriorityClass => false,
    }
}

/// Whether `metadata.generation` starts at 1 and grows with every spec change (what a
/// controller's `status.observedGeneration` is compared with).
pub fn tracks_generation(kind: Kind) -> bool {
    match kind {
        Kind::ReplicationController | Kind::ReplicaSet | Kind::Deployment => true,
        Kind::Namespace
        | Kind::Node
        | Kind::Pod
        | Kind::Service
        | Kind::Endpoints
        | Kind::EndpointSlice
        | Kind::Event
        | Kind::ConfigMap
        | Kind::Lease
        | Kind::PriorityClass => false,
    }
}

/// Whether an update of a missing object creates it (`AllowCreateOnUpdate` in Kubernetes).
pub fn allows_create_on_update(kind: Kind) -> bool {
    match kind {
        Kind::Endpoints | Kind::Event | Kind::Lease => true,
        Kind::Namespace
        | Kind::Node
        | Kind::Pod
        | Kind::ReplicationController
        | Kind::ReplicaSet
        | Kind::Deployment
        | Kind::Service
        | Kind::EndpointSlice
        | Kind::ConfigMap
        | Kind::PriorityClass => false,
    }
}

/// Whether the kind has a `scale` subresource.
pub fn has_scale_subresource(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::ReplicationController | Kind::ReplicaSet | Kind::Deployment
    )
}

/// An object of the kind with every field empty (a BOOKMARK's carrier).
pub fn empty_object(kind: Kind) -> Object {
    use k8s_openapi::api::{
        apps::v1 as apps, coordination::v1 as coordination, core::v1 as core,
        discovery::v1 as discovery, scheduling::v1 as scheduling,
    };
    match kind {
        Kind::Namespace => Object::from(core::Namespace::default()),
        Kind::Node => Object::from(core::Node::default()),
        Kind::Pod => Object::from(core::Pod::default()),
        Kind::ReplicationController => Object::from(core::ReplicationController::default()),
        Kind::ReplicaSet => Object::from(apps::ReplicaSet::default()),
        Kind::Deployment => Object::from(apps::Deployment::default()),
        Kind::Service => Object::from(core::Service::default()),
        Kind::Endpoints => Object::from(core::Endpoints::default()),
        Kind::EndpointSlice => Object::from(discovery::EndpointSlice::default()),
        Kind::Event => Object::from(core::Event::default()),
        Kind::ConfigMap => Object::from(core::ConfigMap::default()),
        Kind::Lease => Object::from(coordination::Lease::default()),
        Kind::PriorityClass => Object::from(scheduling::PriorityClass::default()),
    }
}

/// Validates a new object of any kind.
pub fn validate_create(object: &Object) -> ErrorList {
    match object {
        Object::Namespace(o) => v::validate_namespace(o),
        Object::Node(o) => v::validate_node(o),
        Object::Pod(o) => v::validate_pod(o),
        Object::ReplicationController(o) => v::validate_replication_controller(o),
        Object::ReplicaSet(o) => v::validate_replica_set(o),
        Object::Deployment(o) => v::validate_deployment(o),
        Object::Service(o) => v::validate_service(o),
        Object::Endpoints(o) => v::validate_endpoints(o),
        Object::EndpointSlice(o) => v::validate_endpoint_slice(o),
        Object::Event(o) => v::validate_event(o),
        Object::ConfigMap(o) => v::validate_config_map(o),
        Object::Lease(o) => v::validate_lease(o),
        Object::PriorityClass(o) => v::validate_priority_class(o),
    }
}

/// Validates an update of any kind against the stored object. Objects of different kinds
/// never reach here (the caller decodes the body as the stored kind).
pub fn validate_update(new: &Object, old: &Object) -> ErrorList {
    match (new, old) {
        (Object::Namespace(n), Object::Namespace(o)) => v::validate_namespace_update(n, o),
        (Object::Node(n), Object::Node(o)) => v::validate_node_update(n, o),
        (Object::Pod(n), Object::Pod(o)) => v::validate_pod_update(n, o),
        (Object::ReplicationController(n), Object::ReplicationController(o)) => {
            v::validate_replication_controller_update(n, o)
        }
        (Object::ReplicaSet(n), Object::ReplicaSet(o)) => v::validate_replica_set_update(n, o),
        (Object::Deployment(n), Object::Deployment(o)) => v::validate_deployment_update(n, o),
        (Object::Service(n), Object::Service(o)) => v::validate_service_update(n, o),
        (Object::Endpoints(n), Object::Endpoints(o)) => v::validate_endpoints_update(n, o),
        (Object::EndpointSlice(n), Object::EndpointSlice(o)) => {
            v::validate_endpoint_slice_update(n, o)
        }
        (Object::Event(n), Object::Event(o)) => v::validate_event_update(n, o),
        (Object::ConfigMap(n), Object::ConfigMap(o)) => v::validate_config_map_update(n, o),
        (Object::Lease(n), Object::Lease(o)) => v::validate_lease_update(n, o),
        (Object::PriorityClass(n), Object::PriorityClass(o)) => {
            v::validate_priority_class_update(n, o)
        }
        _ => validate_create(new),
    }
}

/// The JSON of an object's `spec` (or, for kinds without one, everything but metadata and
/// status): what decides whether an update bumps `metadata.generation`.
pub fn spec_value(object: &Object) -> serde_json::Value {
    let mut value = object.to_value();
    match value.as_object_mut() {
        Some(map) => {
            map.remove("metadata");
            map.remove("status");
            serde_json::Value::Object(std::mem::take(map))
        }
        None => value,
    }
}

/// Replaces `target`'s status with `source`'s (same kind; anything else is left alone).
pub fn copy_status(target: &mut Object, source: &Object) {
    match (target, source) {
        (Object::Namespace(t), Object::Namespace(s)) => t.status = s.status.clone(),
        (Object::Node(t), Object::Node(s)) => t.status = s.status.clone(),
        (Object::Pod(t), Object::Pod(s)) => t.status = s.status.clone(),
        (Object::ReplicationController(t), Object::ReplicationController(s)) => {
            t.status = s.status.clone()
        }
        (Object::ReplicaSet(t), Object::ReplicaSet(s)) => t.status = s.status.clone(),
        (Object::Deployment(t), Object::Deployment(s)) => t.status = s.status.clone(),
        (Object::Service(t), Object::Service(s)) => t.status = s.status.clone(),
        _ => {}
    }
}

/// Clears the status of a new object where Kubernetes' `PrepareForCreate` does, so that a
/// client cannot create an object claiming to be ready. Pods start `Pending`.
pub fn reset_status_for_create(object: &mut Object) {
    use k8s_openapi::api::core::v1::PodStatus;
    match object {
        Object::Pod(pod) => {
            let qos_class = pod_qos_class(pod).to_string();
            pod.set_status(Some(PodStatus {
                phase: Some("Pending".to_string()),
                qos_class: Some(qos_class),
                ..PodStatus::default()
            }))
        }
        Object::ReplicationController(o) => o.status = None,
        Object::ReplicaSet(o) => o.status = None,
        Object::Deployment(o) => o.status = None,
        Object::Service(o) => o.status = Some(Default::default()),
        // Nodes register with their status (the kubelet creates them), Namespaces get their
        // phase from the namespace strategy, and the other kinds have no status.
        Object::Namespace(_)
        | Object::Node(_)
        | Object::Endpoints(_)
        | Object::EndpointSlice(_)
        | Object::Event(_)
        | Object::ConfigMap(_)
        | Object::Lease(_)
        | Object::PriorityClass(_) => {}
    }
}

/// The pod's QoS class, as `kubectl describe` shows it: Guaranteed when every container has
/// equal cpu and memory requests and limits, BestEffort when none has any, else Burstable.
pub fn pod_qos_class(pod: &StoredPod) -> &'static str {
    let Some(spec) = &pod.spec else {
        return "BestEffort";
    };
    let mut any = false;
    let mut guaranteed = true;
    for container in spec
        .init_containers
        .iter()
        .flatten()
        .chain(&spec.containers)
    {
        let resources = container.resources.as_ref();
        let requests = resources.and_then(|r| r.requests.as_ref());
        let limits = resources.and_then(|r| r.limits.as_ref());
        for resource in ["cpu", "memory"] {
            let request = requests.and_then(|m| m.get(resource));
            let limit = limits.and_then(|m| m.get(resource));
            if request.is_some() || limit.is_some() {
                any = true;
            }
            match (request, limit) {
                (Some(r), Some(l)) if r == l => {}
                // Defaulting copies limits into missing requests before we get here.
                (None, Some(_)) => {}
                _ => guaranteed = false,
            }
        }
    }
    match (any, guaranteed) {
        (false, _) => "BestEffort",
        (true, true) => "Guaranteed",
        (true, false) => "Burstable",
    }
}

fn borrowed(s: &Option<String>) -> Option<Cow<'_, str>> {
    s.as_deref().map(Cow::Borrowed)
}

/// An object seen through its selectable fields, for field selectors (Kubernetes'
/// `*ToSelectableFields`). Unset fields read as the empty string.
pub struct SelectableFields<'a>(pub &'a Object);

impl Fields for SelectableFields<'_> {
    fn get(&self, field: &str) -> Option<Cow<'_, str>> {
        let object = self.0;
        let meta = object.metadata();
        match field {
            "metadata.name" => return meta.name.as_deref().map(Cow::Borrowed),
            "metadata.namespace" => return meta.namespace.as_deref().map(Cow::Borrowed),
            _ => {}
        }
        match object {
            Object::Pod(pod) => {
                let spec = pod.spec.as_ref();
                let status = pod.status.as_ref();
                match field {
                    "spec.nodeName" => pod.node_name().map(Cow::Borrowed),
                    "spec.restartPolicy" => spec.and_then(|s| borrowed(&s.restart_policy)),
                    "spec.schedulerName" => spec.and_then(|s| borrowed(&s.scheduler_name)),
                    "spec.serviceAccountName" => {
                        spec.and_then(|s| borrowed(&s.service_account_name))
                    }
                    "spec.hostNetwork" => Some(Cow::Borrowed(
                        if spec.and_then(|s| s.host_network).unwrap_or(false) {
                            "true"
                        } else {
                            "false"
                        },
                    )),
                    "status.phase" => pod.phase().map(Cow::Borrowed),
                    "status.podIP" => pod.pod_ip().map(Cow::Borrowed),
                    "status.podIPs" => status
                        .and_then(|s| s.pod_ips())
                        .map(|ips| Cow::Owned(ips.join(","))),
                    "status.nominatedNodeName" => status
                        .and_then(|s| s.nominated_node_name())
                        .map(Cow::Borrowed),
                    _ => None,
                }
            }
            Object::Node(node) => match field {
                "spec.unschedulable" => Some(Cow::Borrowed(
                    if node
                        .spec
                        .as_ref()
                        .and_then(|s| s.unschedulable)
                        .unwrap_or(false)
                    {
                        "true"
                    } else {
                        "false"
                    },
                )),
                _ => None,
            },
            Object::Namespace(ns) => match field {
                "status.phase" => ns.status.as_ref().and_then(|s| borrowed(&s.phase)),
                _ => None,
            },
            Object::ReplicationController(rc) => match field {
                "status.replicas" => Some(Cow::Owned(
                    rc.status
                        .as_ref()
                        .map(|s| s.replicas)
                        .unwrap_or(0)
                        .to_string(),
                )),
                _ => None,
            },
            Object::Service(svc) => {
                let spec = svc.spec.as_ref();
                match field {
                    "spec.clusterIP" => spec.and_then(|s| borrowed(&s.cluster_ip)),
                    "spec.type" => spec.and_then(|s| borrowed(&s.type_)),
                    _ => None,
                }
            }
            Object::Event(event) => {
                let involved = event.involved_object();
                match field {
                    "involvedObject.kind" => involved.kind().map(Cow::Borrowed),
                    "involvedObject.namespace" => involved.namespace().map(Cow::Borrowed),
                    "involvedObject.name" => involved.name().map(Cow::Borrowed),
                    "involvedObject.uid" => involved.uid(),
                    "involvedObject.apiVersion" => involved.api_version().map(Cow::Borrowed),
                    "involvedObject.resourceVersion" => involved.resource_version(),
                    "involvedObject.fieldPath" => involved.field_path().map(Cow::Borrowed),
                    "reason" => event.reason().map(Cow::Borrowed),
                    "reportingComponent" => event.reporting_component().map(Cow::Borrowed),
                    "source" => event.source_component().map(Cow::Borrowed),
                    "type" => event.type_().map(Cow::Borrowed),
                    _ => None,
                }
            }
            Object::ReplicaSet(_)
            | Object::Deployment(_)
            | Object::Endpoints(_)
            | Object::EndpointSlice(_)
            | Object::ConfigMap(_)
            | Object::Lease(_)
            | Object::PriorityClass(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_real_api_server_layout() {
        assert_eq!(
            object_key(Kind::Pod, "default", "web"),
            "/registry/pods/default/web"
        );
        assert_eq!(
            object_key(Kind::Node, "", "node-1"),
            "/registry/minions/node-1"
        );
        assert_eq!(
            object_key(Kind::Service, "default", "kubernetes"),
            "/registry/services/specs/default/kubernetes"
        );
        assert_eq!(
            list_prefix(Kind::Pod, Some("kube-system")),
            "/registry/pods/kube-system/"
        );
        assert_eq!(list_prefix(Kind::Pod, None), "/registry/pods/");
        assert_eq!(
            list_prefix(Kind::Node, Some("default")),
            "/registry/minions/"
        );
    }

    #[test]
    fn every_kind_has_its_own_key_prefix() {
        let prefixes: std::collections::BTreeSet<&str> =
            Kind::all().iter().map(|k| key_prefix(*k)).collect();
        assert_eq!(prefixes.len(), Kind::all().len());
        for a in &prefixes {
            for b in &prefixes {
                assert!(a == b || !a.starts_with(b), "{a} is inside {b}");
            }
        }
    }
}
