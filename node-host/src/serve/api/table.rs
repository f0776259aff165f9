//! Server-side `Table` responses, so `kubectl get` prints the columns it prints against a real
//! cluster.
//!
//! kubectl asks with `Accept: application/json;as=Table;v=v1;g=meta.k8s.io,…`;
//! [`TableRequest::from_request`] notices it. Each kind's columns and cells follow
//! kube-apiserver's printers (`pkg/printers/internalversion/printers.go`): the server always
//! fills the wide (priority 1) cells and kubectl hides them without `-o wide`. Each row carries
//! the object as `PartialObjectMetadata` (or whole, or not at all, per `includeObject`) because
//! kubectl reads namespaces and labels from it (`-A`, `--show-labels`, `-L`).

use std::collections::BTreeMap;

use axum::http::{header, HeaderMap};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, Time};
use kubeplay_core::api::objects::{Kind, Object};
use kubeplay_core::apiserver::ObjectList;
use kubeplay_core::sim::clock::Timestamp;
use serde_json::{json, Value};

/// What each row's `object` holds (`includeObject`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IncludeObject {
    /// No object.
    None,
    /// `PartialObjectMetadata` (the default).
    Metadata,
    /// The whole object.
    Object,
}

/// A request for a Table, with the time ages are measured from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableRequest {
    /// What each row's object holds.
    pub include_object: IncludeObject,
    /// Now, for the AGE columns.
    pub now: Timestamp,
}

impl TableRequest {
    /// A Table request if the `Accept` header asks for `as=Table` first among what it accepts.
    pub fn from_request(
        headers: &HeaderMap,
        params: &super::query::Params,
    ) -> Option<TableRequest> {
        let accept = headers.get(header::ACCEPT)?.to_str().ok()?;
        let first = accept.split(',').next()?;
        let wants_table = first
            .split(';')
            .any(|part| part.trim().eq_ignore_ascii_case("as=Table"));
        if !wants_table {
            return None;
        }
        let include_object = match params.get("includeObject") {
            Some("None") => IncludeObject::None,
            Some("Object") => IncludeObject::Object,
            _ => IncludeObject::Metadata,
        };
        Some(TableRequest {
            include_object,
            now: crate::serve::cluster::wall_clock(),
        })
    }
}

/// One column definition: name, type, priority (0 always shown, 1 with `-o wide`).
struct Column(&'static str, &'static str, u8, &'static str);

const NAME: Column = Column(
    "Name",
    "string",
    0,
    "Name must be unique within a namespace.",
);
const AGE: Column = Column(
    "Age",
    "string",
    0,
    "CreationTimestamp is a timestamp representing the server time when this object was created.",
);
const CONTAINERS: Column = Column(
    "Containers",
    "string",
    1,
    "Names of each container in the template.",
);
const IMAGES: Column = Column(
    "Images",
    "string",
    1,
    "Images referenced by each container in the template.",
);

fn columns(kind: Kind) -> Vec<Column> {
    match kind {
        Kind::Pod => vec![
            NAME,
            Column("Ready", "string", 0, "The aggregate readiness state of this pod for accepting traffic."),
            Column("Status", "string", 0, "The aggregate status of the containers in this pod."),
            Column("Restarts", "string", 0, "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
            AGE,
            Column("IP", "string", 1, "IP address allocated to the pod."),
            Column("Node", "string", 1, "NodeName is a request to schedule this pod onto a specific node."),
            Column("Nominated Node", "string", 1, "nominatedNodeName is set only when this pod preempts other pods on the node."),
            Column("Readiness Gates", "string", 1, "If specified, all readiness gates will be evaluated for pod readiness."),
        ],
        Kind::Deployment => vec![
            NAME,
            Column("Ready", "string", 0, "Number of the pod with ready state"),
            Column("Up-to-date", "integer", 0, "Total number of non-terminating pods targeted by this deployment that have the desired template spec."),
            Column("Available", "integer", 0, "Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment."),
            AGE,
            CONTAINERS,
            IMAGES,
            Column("Selector", "string", 1, "Label selector for pods."),
        ],
        Kind::ReplicaSet | Kind::ReplicationController => vec![
            NAME,
            Column("Desired", "integer", 0, "Replicas is the number of desired pods."),
            Column("Current", "integer", 0, "Replicas is the most recently observed number of non-terminating pods."),
            Column("Ready", "integer", 0, "The number of non-terminating pods targeted by this replica set with a Ready Condition."),
            AGE,
            CONTAINERS,
            IMAGES,
            Column("Selector", "string", 1, "Selector is a label query over pods that should match the replica count."),
        ],
        Kind::Service => vec![
            NAME,
            Column("Type", "string", 0, "type determines how the Service is exposed."),
            Column("Cluster-IP", "string", 0, "clusterIP is the IP address of the service."),
            Column("External-IP", "string", 0, "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
            Column("Port(s)", "string", 0, "The list of ports that are exposed by this service."),
            AGE,
            Column("Selector", "string", 1, "Route service traffic to pods with label keys and values matching this selector."),
        ],
        Kind::Node => vec![
            NAME,
            Column("Status", "string", 0, "The status of the node"),
            Column("Roles", "string", 0, "The roles of the node"),
            AGE,
            Column("Version", "string", 0, "Kubelet Version reported by the node."),
            Column("Internal-IP", "string", 1, "List of addresses reachable to the node."),
            Column("External-IP", "string", 1, "List of addresses reachable to the node."),
            Column("OS-Image", "string", 1, "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy))."),
            Column("Kernel-Version", "string", 1, "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
            Column("Container-Runtime", "string", 1, "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2)."),
        ],
        Kind::Namespace => vec![
            NAME,
            Column("Status", "string", 0, "The status of the namespace"),
            AGE,
        ],
        Kind::Endpoints => vec![
            NAME,
            Column("Endpoints", "string", 0, "The set of all endpoints is the union of all subsets."),
            AGE,
        ],
        Kind::EndpointSlice => vec![
            NAME,
            Column("AddressType", "string", 0, "addressType specifies the type of address carried by this EndpointSlice."),
            Column("Ports", "string", 0, "ports specifies the list of network ports exposed by each endpoint in this slice."),
            Column("Endpoints", "string", 0, "endpoints is a list of unique endpoints in this slice."),
            AGE,
        ],
        Kind::ConfigMap => vec![
            NAME,
            Column("Data", "integer", 0, "Data contains the configuration data."),
            AGE,
        ],
        Kind::Event => vec![
            Column("Last Seen", "string", 0, "The time at which the most recent occurrence of this event was recorded."),
            Column("Type", "string", 0, "Type of this event (Normal, Warning), new types could be added in the future"),
            Column("Reason", "string", 0, "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
            Column("Object", "string", 0, "The object that this event is about."),
            Column("Subobject", "string", 1, "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement."),
            Column("Source", "string", 1, "The component reporting this event. Should be a short machine understandable string."),
            Column("Message", "string", 0, "A human-readable description of the status of this operation."),
            Column("First Seen", "string", 1, "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)"),
            Column("Count", "string", 1, "The number of times this event has occurred."),
            Column("Name", "string", 1, "Name must be unique within a namespace."),
        ],
        Kind::Lease => vec![
            NAME,
            Column("Holder", "string", 0, "holderIdentity contains the identity of the holder of a current lease."),
            AGE,
        ],
    }
}

fn column_definitions(kind: Kind) -> Value {
    Value::Array(
        columns(kind)
            .into_iter()
            .map(|Column(name, kind, priority, description)| {
                let format = if name == "Name" && kind == "string" {
                    "name"
                } else {
                    ""
                };
                json!({
                    "name": name,
                    "type": kind,
                    "format": format,
                    "description": description,
                    "priority": priority,
                })
            })
            .collect(),
    )
}

/// A Table of one object.
pub fn object_table(object: &Object, request: &TableRequest) -> Value {
    let resource_version = object
        .metadata()
        .resource_version
        .clone()
        .unwrap_or_default();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": resource_version},
        "columnDefinitions": column_definitions(object.kind()),
        "rows": [row(object, request)],
    })
}

/// A Table of a list page, keeping its resourceVersion and continue token.
pub fn list_table(list: &ObjectList, request: &TableRequest) -> Value {
    let mut metadata = serde_json::Map::new();
    metadata.insert(
        "resourceVersion".into(),
        Value::String(list.resource_version.to_string()),
    );
    if let Some(token) = &list.continue_token {
        metadata.insert("continue".into(), Value::String(token.clone()));
    }
    if let Some(remaining) = list.remaining_item_count {
        metadata.insert("remainingItemCount".into(), Value::from(remaining));
    }
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": Value::Object(metadata),
        "columnDefinitions": column_definitions(list.kind),
        "rows": list.items.iter().map(|o| row(o, request)).collect::<Vec<_>>(),
    })
}

fn row(object: &Object, request: &TableRequest) -> Value {
    let mut row = json!({"cells": cells(object, request.now)});
    match request.include_object {
        IncludeObject::None => {}
        IncludeObject::Metadata => {
            let metadata = serde_json::to_value(object.metadata()).unwrap_or_else(|_| json!({}));
            row["object"] = json!({
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": metadata,
            });
        }
        IncludeObject::Object => row["object"] = object.to_value(),
    }
    if let Object::Pod(pod) = object {
        let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref());
        let completed = match phase {
            Some("Succeeded") => Some("Succeeded"),
            Some("Failed") => Some("Failed"),
            _ => None,
        };
        if let Some(reason) = completed {
            row["conditions"] = json!([{
                "type": "Completed", "status": "True", "reason": reason,
                "message": format!("The pod has completed {}.", if reason == "Succeeded" { "successfully" } else { "with a failure" }),
            }]);
        }
    }
    row
}

/// The cells of one object's row, wide cells included.
fn cells(object: &Object, now: Timestamp) -> Vec<Value> {
    let name = Value::String(object.name().to_string());
    let age = Value::String(age(object.metadata().creation_timestamp.as_ref(), now));
    match object {
        Object::Pod(pod) => pod_cells(pod, name, age, now),
        Object::Deployment(deployment) => {
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
        Object::ReplicaSet(replica_set) => {
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
        Object::ReplicationController(rc) => {
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
        Object::Service(service) => service_cells(service, name, age),
        Object::Node(node) => node_cells(node, name, age),
        Object::Namespace(namespace) => vec![
            name,
            namespace
                .status
                .as_ref()
                .and_then(|s| s.phase.clone())
                .unwrap_or_default()
                .into(),
            age,
        ],
        Object::Endpoints(endpoints) => vec![name, format_endpoints(endpoints).into(), age],
        Object::EndpointSlice(slice) => vec![
            name,
            slice.address_type.clone().into(),
            format_slice_ports(slice).into(),
            format_slice_endpoints(slice).into(),
            age,
        ],
        Object::ConfigMap(config_map) => {
            let data = config_map.data.as_ref().map_or(0, BTreeMap::len)
                + config_map.binary_data.as_ref().map_or(0, BTreeMap::len);
            vec![name, data.into(), age]
        }
        Object::Event(event) => event_cells(event, name, now),
        Object::Lease(lease) => vec![
            name,
            lease
                .spec
                .as_ref()
                .and_then(|s| s.holder_identity.clone())
                .unwrap_or_default()
                .into(),
            age,
        ],
    }
}

fn pod_cells(
    pod: &k8s_openapi::api::core::v1::Pod,
    name: Value,
    age: Value,
    now: Timestamp,
) -> Vec<Value> {
    let spec = pod.spec.as_ref();
    let status = pod.status.as_ref();
    let total = spec.map_or(0, |s| s.containers.len());
    let mut reason = status.and_then(|s| s.phase.clone()).unwrap_or_default();
    if let Some(r) = status
        .and_then(|s| s.reason.clone())
        .filter(|r| !r.is_empty())
    {
        reason = r;
    }
    let conditions = status.and_then(|s| s.conditions.as_deref()).unwrap_or(&[]);
    if conditions
        .iter()
        .any(|c| c.type_ == "PodScheduled" && c.reason.as_deref() == Some("SchedulingGated"))
    {
        reason = "SchedulingGated".to_string();
    }
    let mut restarts: i64 = 0;
    let mut ready = 0;
    let mut last_restart: Option<Timestamp> = None;
    let mut initializing = false;
    let init_statuses = status
        .and_then(|s| s.init_container_statuses.as_deref())
        .unwrap_or(&[]);
    let init_count = spec
        .and_then(|s| s.init_containers.as_ref())
        .map_or(0, Vec::len);
    for (index, container) in init_statuses.iter().enumerate() {
        restarts += i64::from(container.restart_count);
        let state = container.state.as_ref();
        if let Some(terminated) = state.and_then(|s| s.terminated.as_ref()) {
            if terminated.exit_code == 0 {
                continue;
            }
            reason = match terminated.reason.as_deref().filter(|r| !r.is_empty()) {
                Some(r) => format!("Init:{r}"),
                None if terminated.signal.unwrap_or(0) != 0 => {
                    format!("Init:Signal:{}", terminated.signal.unwrap_or(0))
                }
                None => format!("Init:ExitCode:{}", terminated.exit_code),
            };
        } else if let Some(waiting) = state.and_then(|s| s.waiting.as_ref()).filter(|w| {
            w.reason
                .as_deref()
                .is_some_and(|r| !r.is_empty() && r != "PodInitializing")
        }) {
            reason = format!("Init:{}", waiting.reason.as_deref().unwrap_or_default());
        } else {
            reason = format!("Init:{index}/{init_count}");
        }
        initializing = true;
        break;
    }
    let initialized = conditions
        .iter()
        .any(|c| c.type_ == "Initialized" && c.status == "True");
    if !initializing || initialized {
        restarts = 0;
        let mut has_running = false;
        let statuses = status
            .and_then(|s| s.container_statuses.as_deref())
            .unwrap_or(&[]);
        for container in statuses.iter().rev() {
            restarts += i64::from(container.restart_count);
            if let Some(finished) = container
                .last_state
                .as_ref()
                .and_then(|s| s.terminated.as_ref())
                .and_then(|t| t.finished_at.as_ref())
            {
                let finished = Timestamp::from_k8s_time(finished);
                if last_restart.is_none_or(|last| finished > last) {
                    last_restart = Some(finished);
                }
            }
            let state = container.state.as_ref();
            let waiting = state.and_then(|s| s.waiting.as_ref());
            let terminated = state.and_then(|s| s.terminated.as_ref());
            if let Some(r) = waiting
                .and_then(|w| w.reason.clone())
                .filter(|r| !r.is_empty())
            {
                reason = r;
            } else if let Some(r) = terminated
                .and_then(|t| t.reason.clone())
                .filter(|r| !r.is_empty())
            {
                reason = r;
            } else if let Some(t) = terminated {
                reason = match t.signal.unwrap_or(0) {
                    0 => format!("ExitCode:{}", t.exit_code),
                    signal => format!("Signal:{signal}"),
                };
            } else if container.ready && state.and_then(|s| s.running.as_ref()).is_some() {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            reason = if conditions
                .iter()
                .any(|c| c.type_ == "Ready" && c.status == "True")
            {
                "Running".to_string()
            } else {
                "NotReady".to_string()
            };
        }
    }
    let phase = status.and_then(|s| s.phase.as_deref());
    if pod.metadata.deletion_timestamp.is_some() {
        if status.and_then(|s| s.reason.as_deref()) == Some("NodeLost") {
            reason = "Unknown".to_string();
        } else if !matches!(phase, Some("Succeeded" | "Failed")) {
            reason = "Terminating".to_string();
        }
    }
    let restarts_text = match last_restart {
        Some(at) if restarts != 0 => format!("{restarts} ({} ago)", human_duration(now, at)),
        _ => restarts.to_string(),
    };
    let pod_ip = status
        .and_then(|s| s.pod_ips.as_ref())
        .and_then(|ips| ips.first())
        .map(|ip| ip.ip.clone())
        .or_else(|| status.and_then(|s| s.pod_ip.clone()))
        .filter(|ip| !ip.is_empty())
        .unwrap_or_else(|| "<none>".to_string());
    let node = spec
        .and_then(|s| s.node_name.clone())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "<none>".to_string());
    let nominated = status
        .and_then(|s| s.nominated_node_name.clone())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "<none>".to_string());
    let gates = spec
        .and_then(|s| s.readiness_gates.as_deref())
        .unwrap_or(&[]);
    let readiness_gates = if gates.is_empty() {
        "<none>".to_string()
    } else {
        let true_count = gates
            .iter()
            .filter(|gate| {
                conditions
                    .iter()
                    .find(|c| c.type_ == gate.condition_type)
                    .is_some_and(|c| c.status == "True")
            })
            .count();
        format!("{true_count}/{}", gates.len())
    };
    vec![
        name,
        format!("{ready}/{total}").into(),
        reason.into(),
        restarts_text.into(),
        age,
        pod_ip.into(),
        node.into(),
        nominated.into(),
        readiness_gates.into(),
    ]
}

fn service_cells(
    service: &k8s_openapi::api::core::v1::Service,
    name: Value,
    age: Value,
) -> Vec<Value> {
    let spec = service.spec.clone().unwrap_or_default();
    let service_type = spec
        .type_
        .clone()
        .unwrap_or_else(|| "ClusterIP".to_string());
    let cluster_ip = spec
        .cluster_ips
        .as_ref()
        .and_then(|ips| ips.first().cloned())
        .or_else(|| spec.cluster_ip.clone())
        .filter(|ip| !ip.is_empty())
        .unwrap_or_else(|| "<none>".to_string());
    let external_ips = spec.external_ips.clone().unwrap_or_default();
    let external_ip = match service_type.as_str() {
        "ClusterIP" | "NodePort" => {
            if external_ips.is_empty() {
                "<none>".to_string()
            } else {
                external_ips.join(",")
            }
        }
        "LoadBalancer" => {
            let mut ips: Vec<String> = service
                .status
                .as_ref()
                .and_then(|s| s.load_balancer.as_ref())
                .and_then(|lb| lb.ingress.as_ref())
                .map(|ingress| {
                    ingress
                        .iter()
                        .filter_map(|i| i.ip.clone().or_else(|| i.hostname.clone()))
                        .collect()
                })
                .unwrap_or_default();
            ips.extend(external_ips);
            if ips.is_empty() {
                "<pending>".to_string()
            } else {
                ips.join(",")
            }
        }
        "ExternalName" => spec.external_name.clone().unwrap_or_default(),
        _ => "<unknown>".to_string(),
    };
    let ports: Vec<String> = spec
        .ports
        .as_deref()
        .unwrap_or(&[])
        .iter()
        .map(|port| {
            let protocol = port.protocol.as_deref().unwrap_or("TCP");
            match port.node_port {
                Some(node_port) if node_port != 0 => {
                    format!("{}:{node_port}/{protocol}", port.port)
                }
                _ => format!("{}/{protocol}", port.port),
            }
        })
        .collect();
    let ports = if ports.is_empty() {
        "<none>".to_string()
    } else {
        ports.join(",")
    };
    vec![
        name,
        service_type.into(),
        cluster_ip.into(),
        external_ip.into(),
        ports.into(),
        age,
        format_labels(spec.selector.as_ref(), "<none>").into(),
    ]
}

fn node_cells(node: &k8s_openapi::api::core::v1::Node, name: Value, age: Value) -> Vec<Value> {
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

fn event_cells(
    event: &k8s_openapi::api::core::v1::Event,
    name: Value,
    now: Timestamp,
) -> Vec<Value> {
    let first_seen = match (&event.first_timestamp, &event.event_time) {
        (Some(first), _) => age(Some(first), now),
        (None, Some(micro)) => {
            human_or_unknown(now, Some(Timestamp::from_k8s_time(&Time(micro.0))))
        }
        (None, None) => "<unknown>".to_string(),
    };
    let mut last_seen = match &event.last_timestamp {
        Some(last) => age(Some(last), now),
        None => first_seen.clone(),
    };
    let mut count = event.count.unwrap_or(0);
    if let Some(series) = &event.series {
        last_seen = human_or_unknown(
            now,
            series
                .last_observed_time
                .as_ref()
                .map(|t| Timestamp::from_k8s_time(&Time(t.0))),
        );
        count = series.count.unwrap_or(0);
    } else if count == 0 {
        count = 1;
    }
    let involved = &event.involved_object;
    let kind = involved.kind.clone().unwrap_or_default().to_lowercase();
    let target = match involved.name.as_deref().filter(|n| !n.is_empty()) {
        Some(n) => format!("{kind}/{n}"),
        None => kind,
    };
    let source = event.source.as_ref();
    let component = source
        .and_then(|s| s.component.clone())
        .filter(|c| !c.is_empty())
        .or_else(|| event.reporting_component.clone())
        .unwrap_or_default();
    let instance = source
        .and_then(|s| s.host.clone())
        .filter(|h| !h.is_empty())
        .or_else(|| event.reporting_instance.clone())
        .unwrap_or_default();
    let source = if instance.is_empty() {
        component
    } else {
        format!("{component}, {instance}")
    };
    vec![
        last_seen.into(),
        event.type_.clone().unwrap_or_default().into(),
        event.reason.clone().unwrap_or_default().into(),
        target.into(),
        involved.field_path.clone().unwrap_or_default().into(),
        source.into(),
        event
            .message
            .clone()
            .unwrap_or_default()
            .trim()
            .to_string()
            .into(),
        first_seen.into(),
        count.into(),
        name,
    ]
}

/// `translateTimestampSince`: the age of a timestamp, `<unknown>` when unset.
fn age(time: Option<&Time>, now: Timestamp) -> String {
    human_or_unknown(now, time.map(Timestamp::from_k8s_time))
}

fn human_or_unknown(now: Timestamp, time: Option<Timestamp>) -> String {
    match time {
        Some(at) if at.as_millis() != 0 => human_duration(now, at),
        _ => "<unknown>".to_string(),
    }
}

/// apimachinery's `duration.HumanDuration` of `now - then`.
pub fn human_duration(now: Timestamp, then: Timestamp) -> String {
    let millis = i128::from(now.as_millis()) - i128::from(then.as_millis());
    let seconds = millis / 1000;
    if seconds < -1 {
        return "<invalid>".to_string();
    }
    if seconds < 0 {
        return "0s".to_string();
    }
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let days = (hours / 24) % 365;
        return if days == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{days}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}

fn container_names(spec: Option<&k8s_openapi::api::core::v1::PodSpec>) -> String {
    spec.map(|s| {
        s.containers
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(",")
    })
    .unwrap_or_default()
}

fn container_images(spec: Option<&k8s_openapi::api::core::v1::PodSpec>) -> String {
    spec.map(|s| {
        s.containers
            .iter()
            .map(|c| c.image.as_deref().unwrap_or(""))
            .collect::<Vec<_>>()
            .join(",")
    })
    .unwrap_or_default()
}

/// `labels.FormatLabels`: `k=v,k2=v2` in key order, or `empty` for none.
fn format_labels(labels: Option<&BTreeMap<String, String>>, empty: &str) -> String {
    match labels {
        Some(labels) if !labels.is_empty() => labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(","),
        _ => empty.to_string(),
    }
}

/// `metav1.LabelSelectorAsSelector(s).String()`: requirements sorted by key.
fn label_selector_string(selector: Option<&LabelSelector>) -> String {
    let Some(selector) = selector else {
        return "<none>".to_string();
    };
    let mut requirements: Vec<(String, String)> = Vec::new();
    for (key, value) in selector.match_labels.iter().flatten() {
        requirements.push((key.clone(), format!("{key}={value}")));
    }
    for expression in selector.match_expressions.iter().flatten() {
        let mut values = expression.values.clone().unwrap_or_default();
        values.sort();
        let key = &expression.key;
        let text = match expression.operator.as_str() {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.clone(),
            "DoesNotExist" => format!("!{key}"),
            other => format!("{key} {other}"),
        };
        requirements.push((key.clone(), text));
    }
    requirements.sort();
    if requirements.is_empty() {
        return String::new();
    }
    requirements
        .into_iter()
        .map(|(_, text)| text)
        .collect::<Vec<_>>()
        .join(",")
}

fn format_endpoints(endpoints: &k8s_openapi::api::core::v1::Endpoints) -> String {
    let subsets = endpoints.subsets.as_deref().unwrap_or(&[]);
    if subsets.is_empty() {
        return "<none>".to_string();
    }
    const MAX: usize = 3;
    let mut list: Vec<String> = Vec::new();
    let mut more = false;
    let mut count = 0;
    for subset in subsets {
        let addresses = subset.addresses.as_deref().unwrap_or(&[]);
        let ports = subset.ports.as_deref().unwrap_or(&[]);
        if ports.is_empty() {
            count += addresses.len();
            for address in addresses {
                if list.len() == MAX {
                    more = true;
                }
                if !more {
                    list.push(address.ip.clone());
                }
            }
        } else {
            for port in ports {
                count += addresses.len();
                for address in addresses {
                    if list.len() == MAX {
                        more = true;
                    }
                    if !more {
                        list.push(join_host_port(&address.ip, port.port));
                    }
                }
            }
        }
    }
    let joined = list.join(",");
    if more {
        format!("{joined} + {} more...", count - MAX)
    } else {
        joined
    }
}

fn join_host_port(host: &str, port: i32) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

fn list_with_more(list: &[String], more: bool, count: usize, max: usize) -> String {
    let joined = list.join(",");
    if more {
        return format!("{joined} + {} more...", count - max);
    }
    if joined.is_empty() {
        "<unset>".to_string()
    } else {
        joined
    }
}

fn format_slice_ports(slice: &k8s_openapi::api::discovery::v1::EndpointSlice) -> String {
    const MAX: usize = 3;
    let mut list = Vec::new();
    let mut more = false;
    let mut count = 0;
    for port in slice.ports.as_deref().unwrap_or(&[]) {
        if list.len() < MAX {
            let text = match (&port.port, &port.name) {
                (Some(number), _) => number.to_string(),
                (None, Some(name)) => name.clone(),
                (None, None) => "*".to_string(),
            };
            list.push(text);
        } else if list.len() == MAX {
            more = true;
        }
        count += 1;
    }
    list_with_more(&list, more, count, MAX)
}

fn format_slice_endpoints(slice: &k8s_openapi::api::discovery::v1::EndpointSlice) -> String {
    const MAX: usize = 3;
    let mut list = Vec::new();
    let mut more = false;
    let mut count = 0;
    for endpoint in &slice.endpoints {
        for address in &endpoint.addresses {
            if list.len() < MAX {
                list.push(address.clone());
            } else if list.len() == MAX {
                more = true;
            }
            count += 1;
        }
    }
    list_with_more(&list, more, count, MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeplay_core::api::manifest::parse_manifests;

    fn object(yaml: &str) -> Object {
        parse_manifests(yaml).unwrap().remove(0)
    }

    #[test]
    fn human_duration_prints_ages_as_kubectl_does() {
        let cases = [
            (0, "0s"),
            (59, "59s"),
            (119, "119s"),
            (120, "2m"),
            (150, "2m30s"),
            (600, "10m"),
            (3 * 3600, "3h"),
            (3 * 3600 + 300, "3h5m"),
            (30 * 3600, "30h"),
            (50 * 3600, "2d2h"),
            (10 * 86400, "10d"),
            (800 * 86400, "2y70d"),
        ];
        let then = Timestamp::from_millis(1_000_000_000_000);
        for (seconds, expected) in cases {
            let now = Timestamp::from_millis(then.as_millis() + seconds * 1000);
            assert_eq!(human_duration(now, then), expected, "{seconds}s");
        }
    }

    #[test]
    fn a_new_pod_row_shows_zero_ready_pending_and_none_for_node_and_ip() {
        let pod = object(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: a\n    image: nginx\n  - name: b\n    image: busybox\nstatus:\n  phase: Pending\n",
        );
        let cells = cells(&pod, Timestamp::from_millis(0));
        assert_eq!(
            cells,
            vec![
                json!("web"),
                json!("0/2"),
                json!("Pending"),
                json!("0"),
                json!("<unknown>"),
                json!("<none>"),
                json!("<none>"),
                json!("<none>"),
                json!("<none>")
            ]
        );
    }

    #[test]
    fn a_service_row_shows_type_ip_ports_with_node_ports_and_selector() {
        let service = object(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: NodePort\n  clusterIP: 10.96.0.10\n  selector:\n    app: web\n  ports:\n  - port: 80\n    nodePort: 30080\n    protocol: TCP\n",
        );
        let cells = cells(&service, Timestamp::from_millis(0));
        assert_eq!(cells[1], json!("NodePort"));
        assert_eq!(cells[2], json!("10.96.0.10"));
        assert_eq!(cells[3], json!("<none>"));
        assert_eq!(cells[4], json!("80:30080/TCP"));
        assert_eq!(cells[6], json!("app=web"));
    }

    #[test]
    fn a_deployment_selector_prints_labels_and_expressions_sorted_by_key() {
        let deployment = object(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  selector:\n    matchLabels:\n      tier: front\n    matchExpressions:\n    - key: app\n      operator: In\n      values: [web, api]\n  template:\n    metadata:\n      labels:\n        app: web\n        tier: front\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.25\n",
        );
        let cells = cells(&deployment, Timestamp::from_millis(0));
        assert_eq!(cells[1], json!("0/3"));
        assert_eq!(cells[5], json!("nginx"));
        assert_eq!(cells[6], json!("nginx:1.25"));
        assert_eq!(cells[7], json!("app in (api,web),tier=front"));
    }

    #[test]
    fn kubectl_accept_header_asks_for_a_table_and_plain_json_does_not() {
        let params = super::super::query::Params::default();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
                .parse()
                .unwrap(),
        );
        assert!(TableRequest::from_request(&headers, &params).is_some());
        headers.insert(header::ACCEPT, "application/json".parse().unwrap());
        assert!(TableRequest::from_request(&headers, &params).is_none());
    }
}
