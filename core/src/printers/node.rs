//! A node's row: STATUS from the Ready condition (plus `SchedulingDisabled` when cordoned),
//! ROLES from the `node-role.kubernetes.io/*` labels, and the wide addresses and versions.

use k8s_openapi::api::core::v1::Node;

use super::Cell;

pub(crate) fn node_cells(node: &Node, name: Cell, age: Cell) -> Vec<Cell> {
    let status = node.status.as_ref();
    let ready = status
        .and_then(|s| s.conditions.as_ref())
        .and_then(|conditions| conditions.iter().find(|c| c.type_ == "Ready"));
    let mut states = vec![match ready {
        Some(c) if c.status == "True" => "Ready",
        Some(_) => "NotReady",
        None => "Unknown",
    }];
    if node.spec.as_ref().and_then(|s| s.unschedulable) == Some(true) {
        states.push("SchedulingDisabled");
    }
    let mut roles: Vec<String> = Vec::new();
    for (key, value) in node.metadata.labels.iter().flatten() {
        if let Some(role) = key.strip_prefix("node-role.kubernetes.io/") {
            if !role.is_empty() {
                roles.push(role.to_string());
            }
        } else if key == "kubernetes.io/role" && !value.is_empty() {
            roles.push(value.clone());
        }
    }
    roles.sort();
    roles.dedup();
    let roles = if roles.is_empty() {
        "<none>".to_string()
    } else {
        roles.join(",")
    };
    let info = status.and_then(|s| s.node_info.as_ref());
    let address = |kind: &str| {
        status
            .and_then(|s| s.addresses.as_ref())
            .and_then(|addresses| addresses.iter().find(|a| a.type_ == kind))
            .map(|a| a.address.clone())
            .unwrap_or_else(|| "<none>".to_string())
    };
    let or_unknown = |text: Option<&String>| {
        text.filter(|t| !t.is_empty())
            .cloned()
            .unwrap_or_else(|| "<unknown>".to_string())
    };
    vec![
        name,
        states.join(",").into(),
        roles.into(),
        age,
        info.map(|i| i.kubelet_version.clone())
            .unwrap_or_default()
            .into(),
        address("InternalIP").into(),
        address("ExternalIP").into(),
        or_unknown(info.map(|i| &i.os_image)).into(),
        or_unknown(info.map(|i| &i.kernel_version)).into(),
        or_unknown(info.map(|i| &i.container_runtime_version)).into(),
    ]
}
