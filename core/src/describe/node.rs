//! `kubectl describe node`: roles, taints, the node's Lease, conditions, addresses,
//! capacity and allocatable, system info, the non-terminated pods on it with their requests
//! and limits as a share of allocatable, the totals (`Allocated resources:`) and events.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Node;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use crate::api::objects::{Kind, Object, StoredPod};
use crate::api::validation::quantity::{ParsedQuantity, QuantityFormat};
use crate::apiserver::{ApiError, ListOptions};
use crate::kubectl::KubectlApi;
use crate::sim::clock::Timestamp;

use super::events::{describe_events, search_events, EventQuery};
use super::format::{
    annotations_multiline, labels_multiline, quantity, rfc1123z, since, taints_multiline,
};
use super::writer::{w, PrefixWriter, LEVEL_0, LEVEL_1};

/// The namespace of node heartbeat Leases.
const NODE_LEASE_NAMESPACE: &str = "kube-node-lease";
/// Labels that name a node's roles.
const NODE_ROLE_PREFIX: &str = "node-role.kubernetes.io/";
const NODE_ROLE_LABEL: &str = "kubernetes.io/role";

/// `NodeDescriber`.
pub(crate) fn describe_node<A: KubectlApi + ?Sized>(
    api: &mut A,
    node: &Node,
    now: Timestamp,
) -> Result<String, ApiError> {
    let name = node.metadata.name.as_deref().unwrap_or("");
    let options = ListOptions {
        field_selector: Some(format!(
            "spec.nodeName={name},status.phase!=Succeeded,status.phase!=Failed"
        )),
        ..ListOptions::default()
    };
    let pods: Vec<StoredPod> = api
        .list(Kind::Pod, None, &options)?
        .items
        .iter()
        .filter_map(|o| match o.as_ref() {
            Object::Pod(pod) => Some(pod.as_ref().clone()),
            _ => None,
        })
        .collect();
    // Controllers report node events with the node's UID, kubelets with its name: kubectl
    // searches both and appends.
    let mut events = Vec::new();
    for uid in [node.metadata.uid.as_deref().unwrap_or(""), name] {
        let query = EventQuery {
            name,
            namespace: "",
            kind: "Node",
            uid,
        };
        events.extend(search_events(api, &query).unwrap_or_default());
    }
    let lease = api.get(Kind::Lease, NODE_LEASE_NAMESPACE, name);

    let mut w = PrefixWriter::new();
    let meta = &node.metadata;
    let spec = node.spec.clone().unwrap_or_default();
    let status = node.status.clone().unwrap_or_default();
    w!(w, LEVEL_0, "Name:\t{name}\n");
    let roles = node_roles(meta.labels.as_ref());
    w!(
        w,
        LEVEL_0,
        "Roles:\t{}\n",
        if roles.is_empty() {
            "<none>".to_string()
        } else {
            roles.join(",")
        }
    );
    labels_multiline(&mut w, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", meta.annotations.as_ref());
    w!(
        w,
        LEVEL_0,
        "CreationTimestamp:\t{}\n",
        rfc1123z(meta.creation_timestamp.as_ref())
    );
    taints_multiline(&mut w, "Taints", spec.taints.as_deref().unwrap_or_default());
    w!(
        w,
        LEVEL_0,
        "Unschedulable:\t{}\n",
        spec.unschedulable.unwrap_or(false)
    );
    match lease.as_deref() {
        Ok(Object::Lease(lease)) => {
            let spec = lease.spec.clone().unwrap_or_default();
            w!(w, LEVEL_0, "Lease:\n");
            w!(
                w,
                LEVEL_1,
                "HolderIdentity:\t{}\n",
                spec.holder_identity.as_deref().unwrap_or("<unset>")
            );
            let time = |t: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime>| {
                t.map_or_else(
                    || "<unset>".to_string(),
                    |t| {
                        rfc1123z(Some(&k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
                            t.0,
                        )))
                    },
                )
            };
            w!(
                w,
                LEVEL_1,
                "AcquireTime:\t{}\n",
                time(spec.acquire_time.as_ref())
            );
            w!(
                w,
                LEVEL_1,
                "RenewTime:\t{}\n",
                time(spec.renew_time.as_ref())
            );
        }
        Ok(_) => {}
        Err(error) => w!(w, LEVEL_0, "Lease:\tFailed to get lease: {error}\n"),
    }
    if let Some(conditions) = status.conditions.as_deref().filter(|c| !c.is_empty()) {
        w!(
            w,
            LEVEL_0,
            "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n"
        );
        w!(
            w,
            LEVEL_1,
            "----\t------\t-----------------\t------------------\t------\t-------\n"
        );
        for c in conditions {
            w!(
                w,
                LEVEL_1,
                "{} \t{} \t{} \t{} \t{} \t{}\n",
                c.type_,
                c.status,
                rfc1123z(c.last_heartbeat_time.as_ref()),
                rfc1123z(c.last_transition_time.as_ref()),
                c.reason.as_deref().unwrap_or(""),
                c.message.as_deref().unwrap_or("")
            );
        }
    }
    w!(w, LEVEL_0, "Addresses:\n");
    for address in status.addresses.iter().flatten() {
        w!(w, LEVEL_1, "{}:\t{}\n", address.type_, address.address);
    }
    for (title, list) in [
        ("Capacity", &status.capacity),
        ("Allocatable", &status.allocatable),
    ] {
        if let Some(list) = list.as_ref().filter(|l| !l.is_empty()) {
            w!(w, LEVEL_0, "{title}:\n");
            for (resource, value) in list {
                w!(w, LEVEL_0, "  {resource}:\t{}\n", quantity(&value.0));
            }
        }
    }
    let info = status.node_info.clone().unwrap_or_default();
    w!(w, LEVEL_0, "System Info:\n");
    for (title, value) in [
        ("Machine ID", &info.machine_id),
        ("System UUID", &info.system_uuid),
        ("Boot ID", &info.boot_id),
        ("Kernel Version", &info.kernel_version),
        ("OS Image", &info.os_image),
        ("Operating System", &info.operating_system),
        ("Architecture", &info.architecture),
        ("Container Runtime Version", &info.container_runtime_version),
        ("Kubelet Version", &info.kubelet_version),
        ("Kube-Proxy Version", &info.kube_proxy_version),
    ] {
        w!(w, LEVEL_0, "  {title}:\t{value}\n");
    }
    if let Some(cidr) = spec.pod_cidr.as_deref().filter(|c| !c.is_empty()) {
        w!(w, LEVEL_0, "PodCIDR:\t{cidr}\n");
    }
    if let Some(cidrs) = spec.pod_cidrs.as_deref().filter(|c| !c.is_empty()) {
        w!(w, LEVEL_0, "PodCIDRs:\t{}\n", cidrs.join(","));
    }
    if let Some(provider) = spec.provider_id.as_deref().filter(|p| !p.is_empty()) {
        w!(w, LEVEL_0, "ProviderID:\t{provider}\n");
    }
    let allocatable = status
        .allocatable
        .clone()
        .filter(|a| !a.is_empty())
        .or(status.capacity.clone())
        .unwrap_or_default();
    describe_node_resource(&mut w, &pods, &allocatable, now);
    describe_events(&mut w, &events, now);
    Ok(w.finish())
}

/// `findNodeRoles`: sorted, without duplicates.
fn node_roles(labels: Option<&BTreeMap<String, String>>) -> Vec<String> {
    let mut roles = std::collections::BTreeSet::new();
    for (key, value) in labels.into_iter().flatten() {
        if let Some(role) = key.strip_prefix(NODE_ROLE_PREFIX) {
            if !role.is_empty() {
                roles.insert(role.to_string());
            }
        } else if key == NODE_ROLE_LABEL && !value.is_empty() {
            roles.insert(value.clone());
        }
    }
    roles.into_iter().collect()
}

/// A sum of quantities that prints in the format of its first term, as Go's
/// `Quantity.Add` keeps the receiver's format.
#[derive(Clone, Copy)]
struct Amount(Option<ParsedQuantity>);

impl Amount {
    fn add(&mut self, q: ParsedQuantity) {
        self.0 = Some(match self.0 {
            Some(sum) => ParsedQuantity {
                nanos: sum.nanos + q.nanos,
                format: sum.format,
            },
            None => q,
        });
    }

    fn max(&mut self, q: ParsedQuantity) {
        if self.0.is_none_or(|sum| q.nanos > sum.nanos) {
            self.0 = Some(q);
        }
    }

    fn nanos(self) -> i128 {
        self.0.map_or(0, |q| q.nanos)
    }

    /// `MilliValue()`, rounded up.
    fn milli(self) -> i128 {
        ceil_div(self.nanos(), 1_000_000)
    }

    /// `Value()`, rounded up.
    fn value(self) -> i128 {
        ceil_div(self.nanos(), 1_000_000_000)
    }

    fn text(self) -> String {
        self.0
            .unwrap_or(ParsedQuantity {
                nanos: 0,
                format: QuantityFormat::DecimalSi,
            })
            .to_string()
    }
}

fn ceil_div(a: i128, b: i128) -> i128 {
    if a >= 0 {
        (a + b - 1) / b
    } else {
        a / b
    }
}

type Amounts = BTreeMap<String, Amount>;

/// kubectl's `PodRequestsAndLimits`: containers summed, each init container a floor
/// (restartable sidecars add up like containers), overhead added.
fn pod_requests_and_limits(pod: &StoredPod) -> (Amounts, Amounts) {
    let mut requests = Amounts::new();
    let mut limits = Amounts::new();
    let Some(spec) = &pod.spec else {
        return (requests, limits);
    };
    let parse = |q: &Quantity| ParsedQuantity::parse(&q.0).ok();
    let add = |into: &mut Amounts, list: Option<&BTreeMap<String, Quantity>>| {
        for (name, q) in list.into_iter().flatten() {
            if let Some(q) = parse(q) {
                into.entry(name.clone()).or_insert(Amount(None)).add(q);
            }
        }
    };
    for container in &spec.containers {
        let resources = container.resources.as_ref();
        add(&mut requests, resources.and_then(|r| r.requests.as_ref()));
        add(&mut limits, resources.and_then(|r| r.limits.as_ref()));
    }
    let mut sidecar_requests = Amounts::new();
    let mut sidecar_limits = Amounts::new();
    for init in spec.init_containers.iter().flatten() {
        let resources = init.resources.as_ref();
        let sidecar = init.restart_policy.as_deref() == Some("Always");
        if sidecar {
            add(
                &mut sidecar_requests,
                resources.and_then(|r| r.requests.as_ref()),
            );
            add(
                &mut sidecar_limits,
                resources.and_then(|r| r.limits.as_ref()),
            );
            continue;
        }
        for (into, list) in [
            (&mut requests, resources.and_then(|r| r.requests.as_ref())),
            (&mut limits, resources.and_then(|r| r.limits.as_ref())),
        ] {
            for (name, q) in list.into_iter().flatten() {
                if let Some(q) = parse(q) {
                    into.entry(name.clone()).or_insert(Amount(None)).max(q);
                }
            }
        }
    }
    for (into, extra) in [
        (&mut requests, sidecar_requests),
        (&mut limits, sidecar_limits),
    ] {
        for (name, amount) in extra {
            if let Some(q) = amount.0 {
                into.entry(name).or_insert(Amount(None)).add(q);
            }
        }
    }
    add(&mut requests, spec.overhead.as_ref());
    add(&mut limits, spec.overhead.as_ref());
    (requests, limits)
}

fn get(amounts: &Amounts, name: &str) -> Amount {
    amounts.get(name).copied().unwrap_or(Amount(None))
}

/// A share in whole percent, as Go's `int64(float64(a) / float64(b) * 100)`.
fn percent(part: i128, whole: i128) -> i128 {
    if whole == 0 {
        return 0;
    }
    // Float division as in kubectl, then truncation toward zero.
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
    let share = (part as f64 / whole as f64 * 100.0) as i128;
    share
}

/// `describeNodeResource`.
fn describe_node_resource(
    w: &mut PrefixWriter,
    pods: &[StoredPod],
    allocatable: &BTreeMap<String, Quantity>,
    now: Timestamp,
) {
    let alloc = |name: &str| {
        let mut amount = Amount(None);
        if let Some(q) = allocatable
            .get(name)
            .and_then(|q| ParsedQuantity::parse(&q.0).ok())
        {
            amount.add(q);
        }
        amount
    };
    let (cpu_alloc, memory_alloc) = (alloc("cpu").milli(), alloc("memory").value());
    w!(
        w,
        LEVEL_0,
        "Non-terminated Pods:\t({} in total)\n",
        pods.len()
    );
    w!(
        w,
        LEVEL_1,
        "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n"
    );
    w!(
        w,
        LEVEL_1,
        "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n"
    );
    let mut total_requests = Amounts::new();
    let mut total_limits = Amounts::new();
    for pod in pods {
        let (requests, limits) = pod_requests_and_limits(pod);
        let (cpu_req, cpu_lim) = (get(&requests, "cpu"), get(&limits, "cpu"));
        let (mem_req, mem_lim) = (get(&requests, "memory"), get(&limits, "memory"));
        w!(
            w,
            LEVEL_1,
            "{}\t{}\t\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{}\n",
            pod.metadata.namespace.as_deref().unwrap_or(""),
            pod.metadata.name.as_deref().unwrap_or(""),
            cpu_req.text(),
            percent(cpu_req.milli(), cpu_alloc),
            cpu_lim.text(),
            percent(cpu_lim.milli(), cpu_alloc),
            mem_req.text(),
            percent(mem_req.value(), memory_alloc),
            mem_lim.text(),
            percent(mem_lim.value(), memory_alloc),
            since(now, pod.metadata.creation_timestamp.as_ref())
        );
        for (into, from) in [(&mut total_requests, requests), (&mut total_limits, limits)] {
            for (name, amount) in from {
                if let Some(q) = amount.0 {
                    into.entry(name).or_insert(Amount(None)).add(q);
                }
            }
        }
    }
    w!(
        w,
        LEVEL_0,
        "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n"
    );
    w!(w, LEVEL_1, "Resource\tRequests\tLimits\n");
    w!(w, LEVEL_1, "--------\t--------\t------\n");
    let storage_alloc = alloc("ephemeral-storage").value();
    for (name, whole, milli) in [
        ("cpu", cpu_alloc, true),
        ("memory", memory_alloc, false),
        ("ephemeral-storage", storage_alloc, false),
    ] {
        let (req, lim) = (get(&total_requests, name), get(&total_limits, name));
        let measure = |a: Amount| if milli { a.milli() } else { a.value() };
        w!(
            w,
            LEVEL_1,
            "{name}\t{} ({}%)\t{} ({}%)\n",
            req.text(),
            percent(measure(req), whole),
            lim.text(),
            percent(measure(lim), whole)
        );
    }
    for name in allocatable.keys().filter(|n| n.starts_with("hugepages-")) {
        let (req, lim) = (get(&total_requests, name), get(&total_limits, name));
        let whole = alloc(name).value();
        w!(
            w,
            LEVEL_1,
            "{name}\t{} ({}%)\t{} ({}%)\n",
            req.text(),
            percent(req.value(), whole),
            lim.text(),
            percent(lim.value(), whole)
        );
    }
    let standard = ["cpu", "memory", "ephemeral-storage", "pods"];
    for name in allocatable
        .keys()
        .filter(|n| !n.starts_with("hugepages-") && !standard.contains(&n.as_str()))
    {
        w!(
            w,
            LEVEL_1,
            "{name}\t{}\t{}\n",
            get(&total_requests, name).text(),
            get(&total_limits, name).text()
        );
    }
}
