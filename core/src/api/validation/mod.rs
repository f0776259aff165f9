//! Validation as the Kubernetes API server does it: every problem is a [`FieldError`] tied to a
//! field path, worded exactly as Kubernetes words it.
//!
//! Data flow: the API server decodes a manifest into a k8s-openapi type, applies defaulting, then
//! calls the kind's `validate_<kind>` (create) or `validate_<kind>_update` (update) here; a
//! non-empty [`ErrorList`] becomes a 422 `Invalid` status whose message joins the errors'
//! `Display` text. Validators are pure functions of the objects, and because they run after
//! defaulting they may require fields that defaulting always fills, as Kubernetes does.
//!
//! Layout: [`field`] (error types and paths), [`names`] (name, label and port syntax),
//! [`quantity`] (resource quantities), [`object_meta`] (metadata, labels, annotations),
//! [`label_selector`] (selector syntax and matching), [`pod_spec`] (pod spec and templates, shared
//! by Pods and controllers), then one file per kind. Messages follow Kubernetes 1.34's text,
//! including its rendering of list and map values as JSON.

pub mod config_map;
pub mod deployment;
pub mod endpoint_slice;
pub mod endpoints;
pub mod event;
pub mod field;
pub mod label_selector;
pub mod lease;
pub mod names;
pub mod namespace;
pub mod node;
pub mod object_meta;
pub mod pod;
pub mod pod_spec;
pub mod pod_status;
pub mod priority_class;
pub mod quantity;
pub mod replica_set;
pub mod replication_controller;
pub mod service;

pub use config_map::{validate_config_map, validate_config_map_update};
pub use deployment::{validate_deployment, validate_deployment_update};
pub use endpoint_slice::{validate_endpoint_slice, validate_endpoint_slice_update};
pub use endpoints::{validate_endpoints, validate_endpoints_update};
pub use event::{validate_event, validate_event_update};
pub use field::{ErrorList, FieldError, FieldErrorType, FieldPath};
pub use lease::{validate_lease, validate_lease_update};
pub use namespace::{validate_namespace, validate_namespace_update};
pub use node::{validate_node, validate_node_update};
pub use pod::{validate_pod, validate_pod_update};
pub use pod_status::validate_pod_status_update;
pub use priority_class::{validate_priority_class, validate_priority_class_update};
pub use replica_set::{validate_replica_set, validate_replica_set_update};
pub use replication_controller::{
    validate_replication_controller, validate_replication_controller_update,
};
pub use service::{validate_service, validate_service_update};
