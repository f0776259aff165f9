//! What the cluster view shows, read from the world: nodes as cards with their pods, and the
//! pods no node runs yet; and [`ObjectSource`], where every view reads objects from (the
//! simulation's world, or the live mirror of a `kubeplay serve`).
//!
//! [`ClusterSnapshot::read`] reads Nodes and Pods straight from the API server's store (not
//! through the API, which would add a request to the trace on every frame and make the trace
//! depend on how often the page renders), or from the live mirror. Each pod becomes a [`PodChip`] whose status text
//! is kubectl's STATUS column (the core's printer derives it exactly as kubectl does), whose
//! [`PodState`] picks its style, and whose colour comes from its `app` label or its owner.
//! Node capacity bars sum the pods' container requests against the node's allocatable.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::Node;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use kubeplay_core::api::objects::{Kind, Object, StoredPod};
use kubeplay_core::api::validation::quantity::ParsedQuantity;
use kubeplay_core::apiserver::registry::{list_prefix, object_key};
use kubeplay_core::printers::{cells, Cell};
use kubeplay_core::sim::clock::Timestamp;
use kubeplay_core::sim::world::World;
use kubeplay_core::store::{KeyRange, KvStore, RangeRequest};

use crate::live::LiveState;

/// How a pod looks: the families of kubectl's STATUS values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PodState {
    /// Not scheduled, or scheduled and waiting for its sandbox.
    Pending,
    /// Pulling images or creating containers (`ContainerCreating`, `PodInitializing`, `Init:…`).
    Creating,
    /// Running (its containers may not all be ready yet).
    Running,
    /// A container keeps failing (`CrashLoopBackOff`, `Error`, `ImagePullBackOff`, …).
    Failing,
    /// Being deleted.
    Terminating,
    /// Finished: every container exited (`Completed`, or `Failed`).
    Finished,
}

impl PodState {
    /// The state for a kubectl STATUS text.
    pub fn from_status(status: &str) -> PodState {
        match status {
            "Pending" | "SchedulingGated" => PodState::Pending,
            "Running" => PodState::Running,
            "Terminating" => PodState::Terminating,
            "Completed" | "Succeeded" | "Failed" => PodState::Finished,
            "ContainerCreating" | "PodInitializing" => PodState::Creating,
            s if s.starts_with("Init:") && !s.contains("Error") && !s.contains("BackOff") => {
                PodState::Creating
            }
            _ => PodState::Failing,
        }
    }

    /// The CSS class of chips in this state.
    pub fn class(self) -> &'static str {
        match self {
            PodState::Pending => "pending",
            PodState::Creating => "creating",
            PodState::Running => "running",
            PodState::Failing => "failing",
            PodState::Terminating => "terminating",
            PodState::Finished => "finished",
        }
    }
}

/// One pod on the cluster view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodChip {
    /// The pod's namespace.
    pub namespace: String,
    /// The pod's name.
    pub name: String,
    /// kubectl's STATUS text (`Running`, `ContainerCreating`, `CrashLoopBackOff`, …).
    pub status: String,
    /// The family of the status.
    pub state: PodState,
    /// What the colour stands for: the `app` label, else the owner's name, else the pod's.
    pub group: String,
    /// The hue (0–359) of the group's colour.
    pub hue: u16,
}

/// How much of one resource is used, against how much there is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// Requested by the node's pods (millicores, bytes, or pods).
    pub used: i64,
    /// The node's allocatable amount.
    pub capacity: i64,
}

impl Usage {
    /// The used share in percent (0–100), for the bar's width.
    pub fn percent(self) -> u8 {
        if self.capacity <= 0 {
            return 0;
        }
        let percent = (i128::from(self.used.max(0)) * 100) / i128::from(self.capacity);
        u8::try_from(percent.min(100)).unwrap_or(100)
    }
}

/// Whether a node's kubelet reports it ready.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeReadiness {
    /// The Ready condition is True.
    Ready,
    /// The Ready condition is False.
    NotReady,
    /// The Ready condition is Unknown or missing (the node controller stopped hearing).
    Unknown,
}

/// One node card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeCard {
    /// The node's name.
    pub name: String,
    /// The Ready condition.
    pub readiness: NodeReadiness,
    /// Whether `spec.unschedulable` is set (`kubectl cordon`).
    pub cordoned: bool,
    /// `spec.podCIDR`, when the node IPAM gave it one.
    pub pod_cidr: Option<String>,
    /// CPU requests against allocatable, in millicores.
    pub cpu: Usage,
    /// Memory requests against allocatable, in bytes.
    pub memory: Usage,
    /// Pods on the node against its pod limit.
    pub pods: Usage,
    /// The pods bound to the node, by namespace and name.
    pub chips: Vec<PodChip>,
}

/// The cluster view's data at one instant.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClusterSnapshot {
    /// The nodes, by name.
    pub nodes: Vec<NodeCard>,
    /// Pods no node runs yet (or whose node is gone).
    pub pending: Vec<PodChip>,
}

/// Where the views read objects from: the in-page simulation's world, or the live mirror of
/// a `kubeplay serve` ([`crate::live`]). Both give `Arc<Object>`s in namespace/name order, so
/// a view reads the same way in both modes.
pub enum ObjectSource<'a> {
    /// The simulation: read straight from the world's store.
    Simulation(&'a mut World),
    /// Live mode: read from the mirror of the server.
    Live(&'a LiveState),
}

impl<'a> From<&'a mut World> for ObjectSource<'a> {
    fn from(world: &'a mut World) -> ObjectSource<'a> {
        ObjectSource::Simulation(world)
    }
}

impl<'a> From<&'a LiveState> for ObjectSource<'a> {
    fn from(live: &'a LiveState) -> ObjectSource<'a> {
        ObjectSource::Live(live)
    }
}

impl<'a, 'b: 'a> From<&'a mut ObjectSource<'b>> for ObjectSource<'a> {
    /// Reborrows a source (a view's closure gets `&mut ObjectSource`).
    fn from(source: &'a mut ObjectSource<'b>) -> ObjectSource<'a> {
        match source {
            ObjectSource::Simulation(world) => ObjectSource::Simulation(world),
            ObjectSource::Live(live) => ObjectSource::Live(live),
        }
    }
}

impl ObjectSource<'_> {
    /// Every object of `kind`, by namespace and name.
    pub fn objects(&mut self, kind: Kind) -> Vec<Arc<Object>> {
        match self {
            ObjectSource::Simulation(world) => stored_objects(world, kind),
            ObjectSource::Live(live) => live.mirror.objects(kind),
        }
    }

    /// The object of `kind` named `name` in `namespace` (ignored for cluster-scoped kinds),
    /// read without a request (so nothing reaches the simulation's trace).
    pub fn object(&mut self, kind: Kind, namespace: &str, name: &str) -> Option<Arc<Object>> {
        match self {
            ObjectSource::Simulation(world) => {
                let namespace = if kind.namespaced() { namespace } else { "" };
                let key = object_key(kind, namespace, name);
                world
                    .api()
                    .store()
                    .get(&key)
                    .ok()
                    .flatten()
                    .map(|kv| kv.value)
            }
            ObjectSource::Live(live) => live.mirror.get(kind, namespace, name),
        }
    }

    /// Whether the source can say which objects of `kind` exist: always in the simulation;
    /// live, once the mirror has listed the kind (it mirrors only some kinds).
    pub fn knows(&self, kind: Kind) -> bool {
        match self {
            ObjectSource::Simulation(_) => true,
            ObjectSource::Live(live) => live.mirror.listed(kind),
        }
    }

    /// Whether the page mirrors only node and pod summaries (a big live cluster: the
    /// cluster view draws the canvas, full objects come only for the inspected one).
    pub fn summarized(&self) -> bool {
        match self {
            ObjectSource::Simulation(_) => false,
            ObjectSource::Live(live) => live.mode == crate::live::summary::MirrorMode::Summary,
        }
    }

    /// How many nodes the cluster has.
    pub fn node_count(&self) -> usize {
        match self {
            ObjectSource::Simulation(world) => world.node_names().len(),
            ObjectSource::Live(live) => live.node_count(),
        }
    }

    /// The current time: virtual in the simulation, the wall clock live.
    pub fn now(&self) -> Timestamp {
        match self {
            ObjectSource::Simulation(world) => world.now(),
            ObjectSource::Live(live) => live.now,
        }
    }

    /// The nodes' names.
    pub fn node_names(&self) -> Vec<String> {
        match self {
            ObjectSource::Simulation(world) => world.node_names(),
            ObjectSource::Live(live) => live.node_names(),
        }
    }

    /// The simulation's world; None live.
    pub fn world(&mut self) -> Option<&mut World> {
        match self {
            ObjectSource::Simulation(world) => Some(world),
            ObjectSource::Live(_) => None,
        }
    }
}

/// Every stored object of a kind, read from the store without going through the API (the
/// world hands out its API server only mutably; reading the store changes nothing).
pub fn stored_objects(world: &mut World, kind: Kind) -> Vec<Arc<Object>> {
    let request = RangeRequest::new(KeyRange::prefix(list_prefix(kind, None)));
    world
        .api()
        .store()
        .range(&request)
        .map(|response| response.kvs.into_iter().map(|kv| kv.value).collect())
        .unwrap_or_default()
}

impl ClusterSnapshot {
    /// Reads the nodes and pods of the world or the live mirror.
    pub fn read<'a>(source: impl Into<ObjectSource<'a>>) -> ClusterSnapshot {
        let mut source = source.into();
        let now = source.now();
        let nodes = source.objects(Kind::Node);
        let pods = source.objects(Kind::Pod);
        let node_names: Vec<&str> = nodes.iter().map(|n| n.name()).collect();
        let mut by_node: BTreeMap<&str, Vec<(&Arc<Object>, &StoredPod)>> = BTreeMap::new();
        let mut pending = Vec::new();
        for object in &pods {
            let Object::Pod(pod) = object.as_ref() else {
                continue;
            };
            match pod.node_name() {
                Some(node) if node_names.contains(&node) => {
                    by_node.entry(node).or_default().push((object, pod));
                }
                _ => pending.push(pod_chip(object, pod, now)),
            }
        }
        let cards = nodes
            .iter()
            .filter_map(|object| match object.as_ref() {
                Object::Node(node) => {
                    let pods = by_node.get(object.name()).map_or(&[][..], Vec::as_slice);
                    Some(node_card(object.name(), node, pods, now))
                }
                _ => None,
            })
            .collect();
        ClusterSnapshot {
            nodes: cards,
            pending,
        }
    }
}

fn node_card(
    name: &str,
    node: &Node,
    pods: &[(&Arc<Object>, &StoredPod)],
    now: Timestamp,
) -> NodeCard {
    let status = node.status.as_ref();
    let ready = status
        .and_then(|s| s.conditions.as_ref())
        .and_then(|conditions| conditions.iter().find(|c| c.type_ == "Ready"))
        .map(|c| c.status.as_str());
    let readiness = match ready {
        Some("True") => NodeReadiness::Ready,
        Some("False") => NodeReadiness::NotReady,
        _ => NodeReadiness::Unknown,
    };
    let allocatable = status.and_then(|s| s.allocatable.as_ref());
    let amount = |resource: &str, milli: bool| {
        allocatable
            .and_then(|a| a.get(resource))
            .map_or(0, |q| quantity(q, milli))
    };
    // Pods that finished hold no resources, as the scheduler counts them.
    let active: Vec<&StoredPod> = pods
        .iter()
        .map(|(_, pod)| *pod)
        .filter(|pod| !matches!(pod.phase(), Some("Succeeded" | "Failed")))
        .collect();
    let requested = |resource: &str, milli: bool| -> i64 {
        active
            .iter()
            .flat_map(|pod| pod.spec.iter().flat_map(|spec| spec.containers.iter()))
            .filter_map(|container| {
                container
                    .resources
                    .as_ref()
                    .and_then(|r| r.requests.as_ref())
                    .and_then(|requests| requests.get(resource))
            })
            .map(|q| quantity(q, milli))
            .sum()
    };
    let count = i64::try_from(active.len()).unwrap_or(i64::MAX);
    NodeCard {
        name: name.to_string(),
        readiness,
        cordoned: node
            .spec
            .as_ref()
            .and_then(|s| s.unschedulable)
            .unwrap_or(false),
        pod_cidr: node.spec.as_ref().and_then(|s| s.pod_cidr.clone()),
        cpu: Usage {
            used: requested("cpu", true),
            capacity: amount("cpu", true),
        },
        memory: Usage {
            used: requested("memory", false),
            capacity: amount("memory", false),
        },
        pods: Usage {
            used: count,
            capacity: amount("pods", false),
        },
        chips: pods
            .iter()
            .map(|(object, pod)| pod_chip(object, pod, now))
            .collect(),
    }
}

/// A quantity in millis (CPU) or whole units (memory, pods), rounded up as Kubernetes does;
/// 0 for text that is not a quantity.
fn quantity(q: &Quantity, milli: bool) -> i64 {
    let divisor: i128 = if milli { 1_000_000 } else { 1_000_000_000 };
    ParsedQuantity::parse(&q.0).map_or(0, |parsed| {
        let value = (parsed.nanos + divisor - 1).div_euclid(divisor);
        i64::try_from(value).unwrap_or(i64::MAX)
    })
}

fn pod_chip(object: &Object, pod: &StoredPod, now: Timestamp) -> PodChip {
    let status = match cells(object, now).get(2) {
        Some(Cell::Text(text)) => text.clone(),
        Some(Cell::Integer(n)) => n.to_string(),
        None => String::new(),
    };
    let group = colour_group(pod);
    PodChip {
        namespace: object.namespace().to_string(),
        name: object.name().to_string(),
        state: PodState::from_status(&status),
        status,
        hue: hue(&group),
        group,
    }
}

/// What a pod's colour stands for: its `app` label, else its controller's name with the
/// ReplicaSet's pod-template-hash cut off (so a Deployment's pods share one colour across
/// rollouts), else the pod's own name.
pub fn colour_group(pod: &StoredPod) -> String {
    let labels = pod.metadata.labels.as_ref();
    let app = labels.and_then(|l| l.get("app").or_else(|| l.get("app.kubernetes.io/name")));
    let owner = pod
        .metadata
        .owner_references
        .as_ref()
        .and_then(|owners| owners.iter().find(|o| o.controller == Some(true)));
    colour_group_of(
        app.map(String::as_str),
        owner.map(|o| o.name.as_str()),
        labels
            .and_then(|l| l.get("pod-template-hash"))
            .map(String::as_str),
        pod.metadata.name.as_deref().unwrap_or_default(),
    )
}

/// [`colour_group`] from its ingredients (a full pod's, or a live summary's): the `app`
/// label, the controller owner's name, the `pod-template-hash` label and the pod's name.
pub fn colour_group_of(
    app: Option<&str>,
    owner_name: Option<&str>,
    template_hash: Option<&str>,
    pod_name: &str,
) -> String {
    if let Some(app) = app {
        return app.to_string();
    }
    if let Some(owner) = owner_name {
        return match template_hash.and_then(|h| owner.strip_suffix(&format!("-{h}"))) {
            Some(deployment) => deployment.to_string(),
            None => owner.to_string(),
        };
    }
    pod_name.to_string()
}

/// A stable hue for a group name (FNV-1a, so the same app has the same colour everywhere).
pub fn hue(group: &str) -> u16 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in group.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    u16::try_from(hash % 360).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playground::Playground;

    #[test]
    fn kubectl_statuses_fall_into_their_families() {
        let cases = [
            ("Pending", PodState::Pending),
            ("ContainerCreating", PodState::Creating),
            ("Init:0/1", PodState::Creating),
            ("Init:CrashLoopBackOff", PodState::Failing),
            ("Running", PodState::Running),
            ("CrashLoopBackOff", PodState::Failing),
            ("ErrImagePull", PodState::Failing),
            ("Terminating", PodState::Terminating),
            ("Completed", PodState::Finished),
        ];
        for (status, state) in cases {
            assert_eq!(PodState::from_status(status), state, "{status}");
        }
    }

    #[test]
    fn usage_percent_is_bounded_and_safe_for_zero_capacity() {
        let cases = [(0, 0, 0), (5, 0, 0), (1, 4, 25), (9, 4, 100), (-3, 4, 0)];
        for (used, capacity, percent) in cases {
            assert_eq!(
                Usage { used, capacity }.percent(),
                percent,
                "{used}/{capacity}"
            );
        }
    }

    #[test]
    fn a_new_cluster_shows_three_ready_nodes_with_pod_cidrs_and_no_pods() {
        let mut playground = Playground::new(1, 3);
        let snapshot = ClusterSnapshot::read(playground.world_mut());
        let names: Vec<_> = snapshot.nodes.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["node-1", "node-2", "node-3"]);
        for node in &snapshot.nodes {
            assert_eq!(node.readiness, NodeReadiness::Ready, "{}", node.name);
            assert!(node.pod_cidr.is_some(), "{}", node.name);
            assert_eq!(node.cpu.capacity, 2_000);
            assert_eq!(node.pods.capacity, 110);
            assert!(node.chips.is_empty());
        }
        assert!(snapshot.pending.is_empty());
    }

    #[test]
    fn the_sample_deployments_pods_land_on_nodes_in_one_colour() {
        let mut playground = Playground::new(1, 3);
        playground.apply_sample();
        let snapshot = ClusterSnapshot::read(playground.world_mut());
        let on_nodes: usize = snapshot.nodes.iter().map(|n| n.chips.len()).sum();
        assert_eq!(on_nodes + snapshot.pending.len(), 3);
        playground.set_running(true);
        for _ in 0..120 {
            playground.tick(250.0);
        }
        let snapshot = ClusterSnapshot::read(playground.world_mut());
        let chips: Vec<_> = snapshot.nodes.iter().flat_map(|n| n.chips.iter()).collect();
        assert_eq!(chips.len(), 3);
        assert!(chips
            .iter()
            .all(|c| c.state == PodState::Running && c.group == "web"));
        assert!(chips.iter().all(|c| c.hue == hue("web")));
    }

    #[test]
    fn a_pods_colour_group_prefers_the_app_label_then_the_deployment() {
        let mut pod = StoredPod::default();
        pod.metadata_mut().name = Some("web-7d4b9-abcde".to_string());
        assert_eq!(colour_group(&pod), "web-7d4b9-abcde");
        pod.metadata_mut().labels = Some(BTreeMap::from([(
            "pod-template-hash".to_string(),
            "7d4b9".to_string(),
        )]));
        pod.metadata_mut().owner_references = Some(vec![
            k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference {
                controller: Some(true),
                name: "web-7d4b9".to_string(),
                kind: "ReplicaSet".to_string(),
                ..Default::default()
            },
        ]);
        assert_eq!(colour_group(&pod), "web");
        pod.metadata_mut().labels = Some(BTreeMap::from([("app".to_string(), "shop".to_string())]));
        assert_eq!(colour_group(&pod), "shop");
    }
}
