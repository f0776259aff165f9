//! `kubectl describe`: a human-readable report of one object, its related objects and its
//! events, laid out exactly as kubectl v1.33's describers (`k8s.io/kubectl/pkg/describe`)
//! lay it out.
//!
//! [`describe`] gets the object from the API server ([`KubectlApi`]), and the describer of its kind
//! (one file per kind, named after kubectl's describer) reads what else it shows — the pods
//! of a ReplicaSet, the ReplicaSets of a Deployment, the pods on a Node, the EndpointSlices
//! of a Service, the Events whose `involvedObject` is the object — with the same list
//! requests kubectl sends, so the trace shows them. Text goes through kubectl's
//! `PrefixWriter` (`writer`) into a reimplementation of Go's `text/tabwriter`
//! ([`tabwriter`]) configured as kubectl configures it, which aligns the `Name:` /
//! `Namespace:` columns and the tables. Ages are computed against the `now` handed in; dates
//! print in RFC 1123 with `+0000` (the core has no time zone).

mod config_map;
mod deployment;
mod endpoint_slice;
mod endpoints;
mod events;
mod format;
mod namespace;
mod node;
mod pod;
mod replica_set;
mod replication_controller;
mod service;
pub mod tabwriter;
mod writer;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use crate::api::objects::{Kind, Object};
use crate::apiserver::{ApiError, ListOptions};
use crate::kubectl::KubectlApi;
use crate::sim::clock::Timestamp;

/// Describes one object: `kubectl describe <kind> <name> -n <namespace>`. Errors are the API
/// server's (`pods "x" not found`), or `BadRequest` for a kind kubectl has no describer for.
pub fn describe<A: KubectlApi + ?Sized>(
    api: &mut A,
    kind: Kind,
    namespace: &str,
    name: &str,
    now: Timestamp,
) -> Result<String, ApiError> {
    check_describable(kind)?;
    let object = api.get(kind, namespace, name)?;
    describe_object(api, &object, now)
}

/// Describes every object of a kind that a label selector picks (`kubectl describe pods -l
/// app=web`; an empty selector describes all), in list order, separated by a blank line as
/// kubectl separates them. `namespace` `None` lists all namespaces (`-A`). No match is an
/// empty string; kubectl then prints `No resources found in <ns> namespace.` itself.
pub fn describe_all<A: KubectlApi + ?Sized>(
    api: &mut A,
    kind: Kind,
    namespace: Option<&str>,
    selector: &str,
    now: Timestamp,
) -> Result<String, ApiError> {
    check_describable(kind)?;
    let namespace = namespace.filter(|_| kind.namespaced());
    let list = api.list(kind, namespace, &ListOptions::with_label_selector(selector))?;
    let mut out = Vec::with_capacity(list.items.len());
    for object in &list.items {
        out.push(describe_object(api, object, now)?);
    }
    Ok(out.join("\n\n"))
}

/// Whether kubeplay has a describer for the kind (kubectl describes Events and Leases with
/// its generic describer, which kubeplay does not reproduce).
pub fn can_describe(kind: Kind) -> bool {
    match kind {
        Kind::Namespace
        | Kind::Node
        | Kind::Pod
        | Kind::ReplicationController
        | Kind::ReplicaSet
        | Kind::Deployment
        | Kind::Service
        | Kind::Endpoints
        | Kind::EndpointSlice
        | Kind::ConfigMap => true,
        Kind::Event | Kind::Lease | Kind::PriorityClass => false,
    }
}

fn check_describable(kind: Kind) -> Result<(), ApiError> {
    if can_describe(kind) {
        Ok(())
    } else {
        Err(ApiError::BadRequest(format!(
            "kubeplay cannot describe {} yet: use kubectl get {} -o yaml",
            kind.plural(),
            kind.plural()
        )))
    }
}

/// Dispatches an object to the describer of its kind.
fn describe_object<A: KubectlApi + ?Sized>(
    api: &mut A,
    object: &Arc<Object>,
    now: Timestamp,
) -> Result<String, ApiError> {
    match object.as_ref() {
        Object::Pod(pod) => {
            // kubectl leaves the kind out of a pod's event search.
            let query = events::EventQuery {
                name: object.name(),
                namespace: object.namespace(),
                kind: "",
                uid: pod.metadata.uid.as_deref().unwrap_or(""),
            };
            let events = events::search_events(api, &query).unwrap_or_default();
            Ok(pod::describe_pod(pod, Some(&events), now))
        }
        Object::Node(node) => node::describe_node(api, node, now),
        Object::ReplicaSet(rs) => replica_set::describe_replica_set(api, object, rs, now),
        Object::ReplicationController(rc) => {
            replication_controller::describe_replication_controller(api, object, rc, now)
        }
        Object::Deployment(d) => deployment::describe_deployment(api, object, d, now),
        Object::Service(service) => service::describe_service(api, object, service, now),
        Object::Endpoints(endpoints) => endpoints::describe_endpoints(api, object, endpoints, now),
        Object::EndpointSlice(slice) => {
            endpoint_slice::describe_endpoint_slice(api, object, slice, now)
        }
        Object::Namespace(namespace) => Ok(namespace::describe_namespace(namespace)),
        Object::ConfigMap(config_map) => {
            config_map::describe_config_map(api, object, config_map, now)
        }
        Object::Event(_) | Object::Lease(_) | Object::PriorityClass(_) => {
            Err(ApiError::BadRequest(format!(
                "kubeplay cannot describe {} yet",
                object.kind().plural()
            )))
        }
    }
}
