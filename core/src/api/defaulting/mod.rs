//! Defaulting: the fields the real API server fills in before it stores an object.
//!
//! An object decoded from a request flows through [`apply_defaults`] (Kubernetes' scheme
//! defaulters, `SetDefaults_*` and the declarative `+default` markers, which run on every
//! create and update), and on create also through [`prepare_for_create`] (what a registry
//! strategy's `PrepareForCreate` adds, such as a Namespace's `kubernetes` finalizer). One file
//! per kind; [`pod_spec`] holds what Pods and pod templates share. Values the user set are never
//! overwritten; as in Go, an empty string or zero counts as unset where the Go field is not a
//! pointer.

mod deployment;
mod endpoint_slice;
mod endpoints;
mod image;
mod namespace;
mod node;
mod pod;
pub mod pod_spec;
mod priority_class;
mod replica_set;
mod replication_controller;
mod service;

pub use deployment::apply_deployment_defaults;
pub use endpoint_slice::apply_endpoint_slice_defaults;
pub use endpoints::apply_endpoints_defaults;
pub use image::{default_image_pull_policy, PULL_ALWAYS, PULL_IF_NOT_PRESENT};
pub use namespace::{apply_namespace_defaults, prepare_namespace_for_create};
pub use node::apply_node_defaults;
pub use pod::apply_pod_defaults;
pub use priority_class::{apply_priority_class_defaults, PREEMPT_LOWER_PRIORITY, PREEMPT_NEVER};
pub use replica_set::apply_replica_set_defaults;
pub use replication_controller::apply_replication_controller_defaults;
pub use service::apply_service_defaults;

use crate::api::objects::Object;

/// Fills in every default the API server's scheme applies to this kind of object.
pub fn apply_defaults(object: &mut Object) {
    match object {
        Object::Namespace(namespace) => apply_namespace_defaults(namespace),
        Object::Node(node) => apply_node_defaults(node),
        Object::Pod(pod) => apply_pod_defaults(pod),
        Object::ReplicationController(rc) => apply_replication_controller_defaults(rc),
        Object::ReplicaSet(rs) => apply_replica_set_defaults(rs),
        Object::Deployment(deployment) => apply_deployment_defaults(deployment),
        Object::Service(service) => apply_service_defaults(service),
        Object::Endpoints(endpoints) => apply_endpoints_defaults(endpoints),
        Object::EndpointSlice(slice) => apply_endpoint_slice_defaults(slice),
        Object::PriorityClass(class) => apply_priority_class_defaults(class),
        // These kinds have no defaulters in Kubernetes. (ConfigMap's SetDefaults_ConfigMap
        // makes an empty `data` map, which Go omits from JSON: nothing visible to store.)
        Object::Event(_) | Object::ConfigMap(_) | Object::Lease(_) => {}
    }
}

/// Adds what the registry strategies set on create only, after [`apply_defaults`]: a
/// Namespace gets the `kubernetes` finalizer and phase `Active`. Not for updates: the
/// finalizer is removed over the namespace's life and must not come back.
pub fn prepare_for_create(object: &mut Object) {
    match object {
        Object::Namespace(namespace) => prepare_namespace_for_create(namespace),
        Object::Node(_)
        | Object::Pod(_)
        | Object::ReplicationController(_)
        | Object::ReplicaSet(_)
        | Object::Deployment(_)
        | Object::Service(_)
        | Object::Endpoints(_)
        | Object::EndpointSlice(_)
        | Object::Event(_)
        | Object::ConfigMap(_)
        | Object::Lease(_)
        | Object::PriorityClass(_) => {}
    }
}

/// Sets a string field Go declares as a plain `string`: unset when absent or empty.
fn set_if_empty(field: &mut Option<String>, value: &str) {
    if field.as_deref().unwrap_or("").is_empty() {
        *field = Some(value.to_owned());
    }
}

/// Sets a field Go declares as a pointer: unset only when absent.
fn set_if_none<T>(field: &mut Option<T>, value: T) {
    if field.is_none() {
        *field = Some(value);
    }
}

/// Sets a number field Go declares as a plain integer: unset when absent or zero.
fn set_if_zero(field: &mut Option<i32>, value: i32) {
    if field.unwrap_or(0) == 0 {
        *field = Some(value);
    }
}
