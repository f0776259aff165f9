//! The rows of the workload controllers: Deployment (READY ready/desired, UP-TO-DATE,
//! AVAILABLE), ReplicaSet and ReplicationController (DESIRED, CURRENT, READY), each with the
//! wide CONTAINERS, IMAGES and SELECTOR cells.

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::ReplicationController;

use super::format::{container_images, container_names, format_labels, label_selector_string};
use super::Cell;

pub(crate) fn deployment_cells(deployment: &Deployment, name: Cell, age: Cell) -> Vec<Cell> {
    let spec = deployment.spec.as_ref();
    let status = deployment.status.as_ref();
    let desired = spec.and_then(|s| s.replicas).unwrap_or(1);
    let ready = status.and_then(|s| s.ready_replicas).unwrap_or(0);
    let template = spec.and_then(|s| s.template.spec.as_ref());
    vec![
        name,
        format!("{ready}/{desired}").into(),
        status.and_then(|s| s.updated_replicas).unwrap_or(0).into(),
        status
            .and_then(|s| s.available_replicas)
            .unwrap_or(0)
            .into(),
        age,
        container_names(template).into(),
        container_images(template).into(),
        label_selector_string(spec.map(|s| &s.selector)).into(),
    ]
}

pub(crate) fn replica_set_cells(replica_set: &ReplicaSet, name: Cell, age: Cell) -> Vec<Cell> {
    let spec = replica_set.spec.as_ref();
    let status = replica_set.status.as_ref();
    let template = spec
        .and_then(|s| s.template.as_ref())
        .and_then(|t| t.spec.as_ref());
    vec![
        name,
        spec.and_then(|s| s.replicas).unwrap_or(1).into(),
        status.map(|s| s.replicas).unwrap_or(0).into(),
        status.and_then(|s| s.ready_replicas).unwrap_or(0).into(),
        age,
        container_names(template).into(),
        container_images(template).into(),
        label_selector_string(spec.map(|s| &s.selector)).into(),
    ]
}

pub(crate) fn replication_controller_cells(
    rc: &ReplicationController,
    name: Cell,
    age: Cell,
) -> Vec<Cell> {
    let spec = rc.spec.as_ref();
    let status = rc.status.as_ref();
    let template = spec
        .and_then(|s| s.template.as_ref())
        .and_then(|t| t.spec.as_ref());
    let selector = spec.and_then(|s| s.selector.as_ref());
    vec![
        name,
        spec.and_then(|s| s.replicas).unwrap_or(1).into(),
        status.map(|s| s.replicas).unwrap_or(0).into(),
        status.and_then(|s| s.ready_replicas).unwrap_or(0).into(),
        age,
        container_names(template).into(),
        container_images(template).into(),
        format_labels(selector, "<none>").into(),
    ]
}
