//! The Node object a kubelet registers (capacity, allocatable, conditions, addresses,
//! podCIDR, the standard labels) and the Lease it renews in `kube-node-lease` as its
//! heartbeat.

use std::collections::BTreeMap;

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::api::core::v1::{
    Node, NodeAddress, NodeCondition, NodeSpec, NodeStatus, NodeSystemInfo,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};

use super::{KubeletConfig, LEASE_DURATION_SECONDS};
use crate::sim::clock::Timestamp;

/// The namespace of node heartbeat Leases.
pub const NODE_LEASE_NAMESPACE: &str = "kube-node-lease";

fn condition(
    kind: &str,
    status: &str,
    reason: &str,
    message: &str,
    now: Timestamp,
) -> NodeCondition {
    NodeCondition {
        type_: kind.to_string(),
        status: status.to_string(),
        reason: Some(reason.to_string()),
        message: Some(message.to_string()),
        last_heartbeat_time: Some(now.to_k8s_time()),
        last_transition_time: Some(now.to_k8s_time()),
    }
}

/// The Node as the kubelet reports it at `now`.
pub fn node_object(config: &KubeletConfig, now: Timestamp) -> Node {
    let mut labels = BTreeMap::from([
        ("kubernetes.io/arch".to_string(), "amd64".to_string()),
        (
            "kubernetes.io/hostname".to_string(),
            config.node_name.clone(),
        ),
        ("kubernetes.io/os".to_string(), "linux".to_string()),
        ("beta.kubernetes.io/arch".to_string(), "amd64".to_string()),
        ("beta.kubernetes.io/os".to_string(), "linux".to_string()),
    ]);
    labels.extend(config.labels.clone());
    let resources = BTreeMap::from([
        ("cpu".to_string(), Quantity(config.cpu.clone())),
        ("memory".to_string(), Quantity(config.memory.clone())),
        ("pods".to_string(), Quantity(config.max_pods.to_string())),
        (
            "ephemeral-storage".to_string(),
            Quantity("100Gi".to_string()),
        ),
    ]);
    Node {
        metadata: ObjectMeta {
            name: Some(config.node_name.clone()),
            labels: Some(labels),
            ..ObjectMeta::default()
        },
        spec: Some(NodeSpec {
            pod_cidr: config.pod_cidr.clone(),
            pod_cidrs: config.pod_cidr.clone().map(|c| vec![c]),
            ..NodeSpec::default()
        }),
        status: Some(NodeStatus {
            capacity: Some(resources.clone()),
            allocatable: Some(resources),
            conditions: Some(vec![
                condition(
                    "MemoryPressure",
                    "False",
                    "KubeletHasSufficientMemory",
                    "kubelet has sufficient memory available",
                    now,
                ),
                condition(
                    "DiskPressure",
                    "False",
                    "KubeletHasNoDiskPressure",
                    "kubelet has no disk pressure",
                    now,
                ),
                condition(
                    "PIDPressure",
                    "False",
                    "KubeletHasSufficientPID",
                    "kubelet has sufficient PID available",
                    now,
                ),
                condition(
                    "Ready",
                    "True",
                    "KubeletReady",
                    "kubelet is posting ready status",
                    now,
                ),
            ]),
            addresses: Some(vec![
                NodeAddress {
                    type_: "InternalIP".to_string(),
                    address: config.node_ip.clone(),
                },
                NodeAddress {
                    type_: "Hostname".to_string(),
                    address: config.node_name.clone(),
                },
            ]),
            node_info: Some(NodeSystemInfo {
                architecture: "amd64".to_string(),
                container_runtime_version: "containerd://2.0.0".to_string(),
                kubelet_version: "v1.33.0".to_string(),
                kube_proxy_version: "v1.33.0".to_string(),
                operating_system: "linux".to_string(),
                os_image: "kubeplay simulated node".to_string(),
                kernel_version: "6.8.0".to_string(),
                machine_id: config.node_name.clone(),
                system_uuid: config.node_name.clone(),
                boot_id: config.node_name.clone(),
                ..NodeSystemInfo::default()
            }),
            ..NodeStatus::default()
        }),
    }
}

/// The node's Lease, renewed at `now`.
pub fn lease_object(node_name: &str, now: Timestamp) -> Lease {
    Lease {
        metadata: ObjectMeta {
            name: Some(node_name.to_string()),
            namespace: Some(NODE_LEASE_NAMESPACE.to_string()),
            ..ObjectMeta::default()
        },
        spec: Some(LeaseSpec {
            holder_identity: Some(node_name.to_string()),
            lease_duration_seconds: Some(LEASE_DURATION_SECONDS),
            renew_time: Some(MicroTime(now.to_k8s_time().0)),
            ..LeaseSpec::default()
        }),
    }
}
