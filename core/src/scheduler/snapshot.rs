//! The scheduler's view of the cluster: one [`NodeInfo`] per node and the [`Snapshot`] that
//! orders them by name.
//!
//! Like kube-scheduler's cache snapshot, this is computed from Node and Pod objects but keeps
//! only what the plugins need, as compact integers: milli-CPU and bytes (`i64`), pod counts,
//! labels, taints and the images each node holds. A pod's requests are parsed once into
//! [`PodResources`]; assuming a pod onto a node ([`Snapshot::add_pod`]) just adds its numbers.
//! The host builds a snapshot from its store and hands it to
//! [`schedule_one`](super::framework::schedule_one); nothing here reads a clock or does I/O.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Container, Node, Taint};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use thiserror::Error;

use super::score_memo::{InputsNumbering, NodeScoreMemo, ScoreInputs};
use crate::api::objects::StoredPod;
use crate::api::validation::quantity::ParsedQuantity;

/// CPU the scheduler counts for a container that requests none (`DefaultMilliCPURequest`),
/// used only for scoring.
pub const DEFAULT_MILLI_CPU_REQUEST: i64 = 100;
/// Memory the scheduler counts for a container that requests none (`DefaultMemoryRequest`,
/// 200 MiB), used only for scoring.
pub const DEFAULT_MEMORY_REQUEST_BYTES: i64 = 200 * 1024 * 1024;

/// Why an object could not be turned into scheduler data.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum SnapshotError {
    /// A resource quantity in a pod or node could not be parsed.
    #[error("{object}: {field}: invalid quantity {value:?}")]
    InvalidQuantity {
        /// `namespace/name` of the pod or the node's name.
        object: String,
        /// The field path, e.g. `spec.containers[0].resources.requests[cpu]`.
        field: String,
        /// The text that did not parse.
        value: String,
    },
    /// A pod names a node that is not in the snapshot.
    #[error("pod {pod} is bound to node {node:?}, which is not in the snapshot")]
    UnknownNode {
        /// `namespace/name` of the pod.
        pod: String,
        /// The node it names.
        node: String,
    },
}

/// CPU and memory as compact integers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Resources {
    /// CPU in milli-cores.
    pub milli_cpu: i64,
    /// Memory in bytes.
    pub memory_bytes: i64,
}

impl Resources {
    fn add(&mut self, other: Resources) {
        self.milli_cpu += other.milli_cpu;
        self.memory_bytes += other.memory_bytes;
    }

    fn subtract(&mut self, other: Resources) {
        self.milli_cpu -= other.milli_cpu;
        self.memory_bytes -= other.memory_bytes;
    }

    fn max_with(&mut self, other: Resources) {
        self.milli_cpu = self.milli_cpu.max(other.milli_cpu);
        self.memory_bytes = self.memory_bytes.max(other.memory_bytes);
    }
}

/// A pod's requests as the scheduler counts them, computed once per pod.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PodResources {
    /// The effective requests (containers summed, init containers as a maximum, plus
    /// overhead), as NodeResourcesFit filters on them.
    pub requested: Resources,
    /// The same with 100m CPU / 200Mi memory for each container that requests none, as
    /// the scoring plugins count them.
    pub non_zero_requested: Resources,
}

impl PodResources {
    /// Computes a pod's requests as `resourcehelper.PodRequests` does: the sum of its
    /// containers and restartable (sidecar) init containers, at least each ordinary init
    /// container plus the sidecars started before it, plus `spec.overhead`.
    pub fn from_pod(pod: &StoredPod) -> Result<PodResources, SnapshotError> {
        // The pod's key and a field's path only matter in an error: rendered lazily, as
        // every pod event of the scheduler passes through here.
        let object = || pod_key(pod);
        let Some(spec) = &pod.spec else {
            return Ok(PodResources::default());
        };
        let mut requested = Resources::default();
        let mut non_zero = Resources::default();
        for (i, container) in spec.containers.iter().enumerate() {
            let (r, nz) = container_requests(&object, "containers", i, container)?;
            requested.add(r);
            non_zero.add(nz);
        }
        let mut sidecars = Resources::default();
        let mut sidecars_non_zero = Resources::default();
        let mut init_max = Resources::default();
        let mut init_max_non_zero = Resources::default();
        for (i, container) in spec.init_containers.iter().flatten().enumerate() {
            let (r, nz) = container_requests(&object, "initContainers", i, container)?;
            if container.restart_policy.as_deref() == Some("Always") {
                sidecars.add(r);
                sidecars_non_zero.add(nz);
                init_max.max_with(sidecars);
                init_max_non_zero.max_with(sidecars_non_zero);
            } else {
                let mut with_sidecars = sidecars;
                with_sidecars.add(r);
                let mut with_sidecars_non_zero = sidecars_non_zero;
                with_sidecars_non_zero.add(nz);
                init_max.max_with(with_sidecars);
                init_max_non_zero.max_with(with_sidecars_non_zero);
            }
        }
        requested.add(sidecars);
        non_zero.add(sidecars_non_zero);
        requested.max_with(init_max);
        non_zero.max_with(init_max_non_zero);
        if let Some(overhead) = &spec.overhead {
            let extra = Resources {
                milli_cpu: quantity_milli(
                    &object,
                    &|| "spec.overhead[cpu]".to_string(),
                    overhead.get("cpu"),
                )?,
                memory_bytes: quantity_value(
                    &object,
                    &|| "spec.overhead[memory]".to_string(),
                    overhead.get("memory"),
                )?,
            };
            requested.add(extra);
            non_zero.add(extra);
        }
        Ok(PodResources {
            requested,
            non_zero_requested: non_zero,
        })
    }
}

fn container_requests(
    object: &dyn Fn() -> String,
    list: &str,
    index: usize,
    container: &Container,
) -> Result<(Resources, Resources), SnapshotError> {
    let requests = container
        .resources
        .as_ref()
        .and_then(|r| r.requests.as_ref());
    let cpu = requests.and_then(|r| r.get("cpu"));
    let memory = requests.and_then(|r| r.get("memory"));
    let field = |name: &str| format!("spec.{list}[{index}].resources.requests[{name}]");
    let requested = Resources {
        milli_cpu: quantity_milli(object, &|| field("cpu"), cpu)?,
        memory_bytes: quantity_value(object, &|| field("memory"), memory)?,
    };
    // GetNonzeroRequestForResource: only an absent request gets the default; an explicit
    // zero stays zero.
    let non_zero = Resources {
        milli_cpu: if cpu.is_some() {
            requested.milli_cpu
        } else {
            DEFAULT_MILLI_CPU_REQUEST
        },
        memory_bytes: if memory.is_some() {
            requested.memory_bytes
        } else {
            DEFAULT_MEMORY_REQUEST_BYTES
        },
    };
    Ok((requested, non_zero))
}

/// Parses a quantity; `object` and `field` name it in the error (rendered only then).
fn parse_quantity(
    object: &dyn Fn() -> String,
    field: &dyn Fn() -> String,
    quantity: Option<&Quantity>,
) -> Result<Option<ParsedQuantity>, SnapshotError> {
    quantity
        .map(|q| {
            ParsedQuantity::parse(&q.0).map_err(|_| SnapshotError::InvalidQuantity {
                object: object(),
                field: field(),
                value: q.0.clone(),
            })
        })
        .transpose()
}

/// `Quantity.MilliValue()`: thousandths, rounded up.
fn quantity_milli(
    object: &dyn Fn() -> String,
    field: &dyn Fn() -> String,
    quantity: Option<&Quantity>,
) -> Result<i64, SnapshotError> {
    Ok(parse_quantity(object, field, quantity)?
        .map(|q| saturate(ceil_div(q.nanos, 1_000_000)))
        .unwrap_or(0))
}

/// `Quantity.Value()`: whole units, rounded up.
fn quantity_value(
    object: &dyn Fn() -> String,
    field: &dyn Fn() -> String,
    quantity: Option<&Quantity>,
) -> Result<i64, SnapshotError> {
    Ok(parse_quantity(object, field, quantity)?
        .map(|q| saturate(ceil_div(q.nanos, 1_000_000_000)))
        .unwrap_or(0))
}

fn ceil_div(value: i128, divisor: i128) -> i128 {
    let quotient = value / divisor;
    if value % divisor > 0 {
        quotient + 1
    } else {
        quotient
    }
}

fn saturate(value: i128) -> i64 {
    i64::try_from(value).unwrap_or(if value < 0 { i64::MIN } else { i64::MAX })
}

/// `namespace/name` of a pod.
pub fn pod_key(pod: &StoredPod) -> String {
    join_key(
        pod.metadata.namespace.as_deref().unwrap_or("default"),
        pod.metadata.name.as_deref().unwrap_or_default(),
    )
}

/// `namespace/name`, built by concatenation (the scheduler makes one per pod event;
/// `format!` costs several times as much).
pub(crate) fn join_key(namespace: &str, name: &str) -> String {
    let mut key = String::with_capacity(namespace.len() + 1 + name.len());
    key.push_str(namespace);
    key.push('/');
    key.push_str(name);
    key
}

/// A pod already on a node, as the scheduler remembers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodSummary {
    /// The pod's namespace.
    pub namespace: String,
    /// The pod's name.
    pub name: String,
    /// The pod's labels, shared between pods with the same set (the pods of one
    /// ReplicaSet) when the host interns them.
    pub labels: Arc<BTreeMap<String, String>>,
    /// `spec.priority` (0 when unset).
    pub priority: i32,
    /// Its requests.
    pub resources: PodResources,
    /// Whether it is being deleted (`metadata.deletionTimestamp` set); PodTopologySpread
    /// does not count such pods.
    pub terminating: bool,
}

impl PodSummary {
    /// Summarises a pod object.
    pub fn from_pod(pod: &StoredPod) -> Result<PodSummary, SnapshotError> {
        let labels = Arc::new(pod.metadata.labels.clone().unwrap_or_default());
        PodSummary::from_pod_with_labels(pod, labels)
    }

    /// Summarises a pod object whose labels the caller already holds (see
    /// [`LabelSets`]).
    pub fn from_pod_with_labels(
        pod: &StoredPod,
        labels: Arc<BTreeMap<String, String>>,
    ) -> Result<PodSummary, SnapshotError> {
        Ok(PodSummary {
            namespace: pod
                .metadata
                .namespace
                .clone()
                .unwrap_or_else(|| "default".to_string()),
            name: pod.metadata.name.clone().unwrap_or_default(),
            labels,
            priority: pod_priority(pod),
            resources: PodResources::from_pod(pod)?,
            terminating: pod.metadata.deletion_timestamp.is_some(),
        })
    }
}

/// Interned label sets: the pods of one ReplicaSet carry the same labels, so the scheduler
/// keeps one copy per distinct set instead of one per pod.
#[derive(Clone, Debug, Default)]
pub struct LabelSets {
    sets: BTreeMap<BTreeMap<String, String>, Arc<BTreeMap<String, String>>>,
}

impl LabelSets {
    /// The shared copy of a pod's labels.
    pub fn intern(
        &mut self,
        labels: Option<&BTreeMap<String, String>>,
    ) -> Arc<BTreeMap<String, String>> {
        static NO_LABELS: BTreeMap<String, String> = BTreeMap::new();
        let labels = labels.unwrap_or(&NO_LABELS);
        if let Some(shared) = self.sets.get(labels) {
            return Arc::clone(shared);
        }
        let shared = Arc::new(labels.clone());
        self.sets.insert(labels.clone(), Arc::clone(&shared));
        shared
    }

    /// Forgets a set once `released` (a summary being dropped) was its last user.
    pub fn release(&mut self, released: &Arc<BTreeMap<String, String>>) {
        let last_user = self
            .sets
            .get(released.as_ref())
            .is_some_and(|shared| Arc::ptr_eq(shared, released) && Arc::strong_count(shared) <= 2);
        if last_user {
            self.sets.remove(released.as_ref());
        }
    }

    /// How many distinct sets are kept.
    pub fn len(&self) -> usize {
        self.sets.len()
    }

    /// Whether no set is kept.
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }
}

/// `corev1helpers.PodPriority`: `spec.priority`, or 0 when unset.
pub fn pod_priority(pod: &StoredPod) -> i32 {
    pod.spec.as_ref().and_then(|s| s.priority).unwrap_or(0)
}

/// One node as the scheduler sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeInfo {
    /// The node's name.
    pub name: String,
    /// The node's labels.
    pub labels: BTreeMap<String, String>,
    /// `spec.unschedulable` (cordoned).
    pub unschedulable: bool,
    /// `spec.taints`.
    pub taints: Vec<Taint>,
    /// `status.allocatable` cpu and memory.
    pub allocatable: Resources,
    /// `status.allocatable` pods.
    pub allowed_pod_number: i64,
    /// The sum of the requests of the pods on the node.
    pub requested: Resources,
    /// The sum of the non-zero requests (for scoring).
    pub non_zero_requested: Resources,
    /// The pods on the node (bound or assumed).
    pub pods: Vec<PodSummary>,
    /// Images present on the node: normalised name (with a tag) → size in bytes.
    pub images: BTreeMap<String, i64>,
    /// `images` by the snapshot's image ids (see [`Snapshot::image_id`]), sorted by id: the
    /// [`Snapshot`] fills it when the node enters it or gains an image, so ImageLocality
    /// looks a pod's images up by number on each node instead of comparing names.
    image_ids: Vec<(u32, i64)>,
    /// The node's last pointwise score total (see [`score_memo`](super::score_memo)).
    pub(crate) score_memo: NodeScoreMemo,
}

impl NodeInfo {
    /// An empty node with these allocatable resources.
    pub fn new(name: &str, allocatable: Resources, allowed_pod_number: i64) -> NodeInfo {
        NodeInfo {
            name: name.to_string(),
            labels: BTreeMap::new(),
            unschedulable: false,
            taints: Vec::new(),
            allocatable,
            allowed_pod_number,
            requested: Resources::default(),
            non_zero_requested: Resources::default(),
            pods: Vec::new(),
            images: BTreeMap::new(),
            image_ids: Vec::new(),
            score_memo: NodeScoreMemo::default(),
        }
    }

    /// Reads a Node object: labels, `spec.unschedulable`, `spec.taints`,
    /// `status.allocatable` (cpu, memory, pods) and `status.images` (every name of an
    /// image counts, with its `sizeBytes`).
    pub fn from_node(node: &Node) -> Result<NodeInfo, SnapshotError> {
        let name = node.metadata.name.clone().unwrap_or_default();
        let allocatable = node.status.as_ref().and_then(|s| s.allocatable.as_ref());
        let object = || name.clone();
        let mut info = NodeInfo::new(
            &name,
            Resources {
                milli_cpu: quantity_milli(
                    &object,
                    &|| "status.allocatable[cpu]".to_string(),
                    allocatable.and_then(|a| a.get("cpu")),
                )?,
                memory_bytes: quantity_value(
                    &object,
                    &|| "status.allocatable[memory]".to_string(),
                    allocatable.and_then(|a| a.get("memory")),
                )?,
            },
            quantity_value(
                &object,
                &|| "status.allocatable[pods]".to_string(),
                allocatable.and_then(|a| a.get("pods")),
            )?,
        );
        info.labels = node.metadata.labels.clone().unwrap_or_default();
        if let Some(spec) = &node.spec {
            info.unschedulable = spec.unschedulable.unwrap_or(false);
            info.taints = spec.taints.clone().unwrap_or_default();
        }
        for image in node
            .status
            .as_ref()
            .and_then(|s| s.images.as_ref())
            .into_iter()
            .flatten()
        {
            for image_name in image.names.iter().flatten() {
                info.images.insert(
                    normalized_image_name(image_name),
                    image.size_bytes.unwrap_or(0),
                );
            }
        }
        Ok(info)
    }

    /// The size of the image with this snapshot image id, if the node holds it (only for
    /// nodes inside a [`Snapshot`]).
    pub fn image_size_by_id(&self, id: u32) -> Option<i64> {
        self.image_ids
            .binary_search_by_key(&id, |&(image, _)| image)
            .ok()
            .and_then(|at| self.image_ids.get(at))
            .map(|&(_, size)| size)
    }

    /// Adds a pod's requests to the node.
    pub fn add_pod(&mut self, pod: PodSummary) {
        self.requested.add(pod.resources.requested);
        self.non_zero_requested
            .add(pod.resources.non_zero_requested);
        self.pods.push(pod);
    }

    /// Removes a pod (by namespace and name); returns it if it was there.
    pub fn remove_pod(&mut self, namespace: &str, name: &str) -> Option<PodSummary> {
        let index = self
            .pods
            .iter()
            .position(|p| p.namespace == namespace && p.name == name)?;
        let pod = self.pods.remove(index);
        self.requested.subtract(pod.resources.requested);
        self.non_zero_requested
            .subtract(pod.resources.non_zero_requested);
        Some(pod)
    }
}

fn release_image(image_num_nodes: &mut BTreeMap<String, usize>, image: &str) {
    if let Some(count) = image_num_nodes.get_mut(image) {
        *count = count.saturating_sub(1);
        if *count == 0 {
            image_num_nodes.remove(image);
        }
    }
}

/// Numbers `node.images` with the snapshot's image ids (new names get the next id).
fn number_images(image_ids: &mut BTreeMap<String, u32>, node: &mut NodeInfo) {
    // The node's images are about to change: its remembered image score with them.
    node.score_memo.clear();
    node.image_ids.clear();
    for (image, &size) in &node.images {
        let id = match image_ids.get(image) {
            Some(&id) => id,
            None => {
                let id = u32::try_from(image_ids.len()).unwrap_or(u32::MAX);
                image_ids.insert(image.clone(), id);
                id
            }
        };
        node.image_ids.push((id, size));
    }
    node.image_ids.sort_unstable();
}

/// `normalizedImageName`: an image without a tag means `:latest`.
pub fn normalized_image_name(name: &str) -> String {
    let last_colon = name.rfind(':');
    let last_slash = name.rfind('/');
    let has_tag = match (last_colon, last_slash) {
        (Some(colon), Some(slash)) => colon > slash,
        (Some(_), None) => true,
        (None, _) => false,
    };
    if has_tag {
        name.to_string()
    } else {
        format!("{name}:latest")
    }
}

/// All nodes, ordered by name, plus how many nodes hold each image.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Snapshot {
    nodes: Vec<NodeInfo>,
    index: BTreeMap<String, usize>,
    image_num_nodes: BTreeMap<String, usize>,
    /// A small number for each image name any node has held, so nodes list their images by
    /// number ([`NodeInfo::image_size_by_id`]). Ids are never reused.
    image_ids: BTreeMap<String, u32>,
    /// A node was added after a node with a greater name: [`Snapshot::order_nodes`] sorts.
    out_of_order: bool,
    /// Ids for the cycle-wide inputs of the nodes' score memos.
    score_inputs: InputsNumbering,
}

impl Snapshot {
    /// Builds a snapshot from node infos (a later node with the same name replaces an
    /// earlier one).
    pub fn new(nodes: impl IntoIterator<Item = NodeInfo>) -> Snapshot {
        let mut by_name = BTreeMap::new();
        for node in nodes {
            by_name.insert(node.name.clone(), node);
        }
        let mut nodes: Vec<NodeInfo> = by_name.into_values().collect();
        let mut image_ids = BTreeMap::new();
        for node in &mut nodes {
            number_images(&mut image_ids, node);
        }
        let index = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.name.clone(), i))
            .collect();
        let mut image_num_nodes = BTreeMap::new();
        for node in &nodes {
            for image in node.images.keys() {
                *image_num_nodes.entry(image.clone()).or_insert(0) += 1;
            }
        }
        Snapshot {
            nodes,
            index,
            image_num_nodes,
            image_ids,
            out_of_order: false,
            score_inputs: InputsNumbering::default(),
        }
    }

    /// Adds a node, or updates one in place: its labels, taints, allocatable and images
    /// change, the pods on it and their requests stay (the scheduler cache's `UpdateNode`).
    /// A node added out of name order is appended; call [`Snapshot::order_nodes`] before
    /// scheduling.
    pub fn upsert_node(&mut self, mut info: NodeInfo) {
        number_images(&mut self.image_ids, &mut info);
        if let Some(existing) = self
            .index
            .get(&info.name)
            .and_then(|&i| self.nodes.get_mut(i))
        {
            for image in existing.images.keys() {
                release_image(&mut self.image_num_nodes, image);
            }
            info.pods = std::mem::take(&mut existing.pods);
            info.requested = existing.requested;
            info.non_zero_requested = existing.non_zero_requested;
            for image in info.images.keys() {
                *self.image_num_nodes.entry(image.clone()).or_insert(0) += 1;
            }
            *existing = info;
            return;
        }
        for image in info.images.keys() {
            *self.image_num_nodes.entry(image.clone()).or_insert(0) += 1;
        }
        if self.nodes.last().is_some_and(|last| last.name > info.name) {
            self.out_of_order = true;
        }
        self.index.insert(info.name.clone(), self.nodes.len());
        self.nodes.push(info);
    }

    /// Removes a node; returns it with the pods that were on it.
    pub fn remove_node(&mut self, name: &str) -> Option<NodeInfo> {
        let position = self.index.remove(name)?;
        if position >= self.nodes.len() {
            return None;
        }
        let removed = self.nodes.remove(position);
        for image in removed.images.keys() {
            release_image(&mut self.image_num_nodes, image);
        }
        for i in self.index.values_mut() {
            if *i > position {
                *i -= 1;
            }
        }
        Some(removed)
    }

    /// Puts nodes added out of order back in name order (cheap when they are in order).
    pub fn order_nodes(&mut self) {
        if !self.out_of_order {
            return;
        }
        self.nodes.sort_by(|a, b| a.name.cmp(&b.name));
        self.index = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.name.clone(), i))
            .collect();
        self.out_of_order = false;
    }

    /// The pod `namespace/name` on `node`, if the snapshot has it there.
    pub fn pod(&self, node: &str, namespace: &str, name: &str) -> Option<&PodSummary> {
        self.get(node)?
            .pods
            .iter()
            .find(|p| p.namespace == namespace && p.name == name)
    }

    /// Builds a snapshot from Node and Pod objects. Pods without `spec.nodeName` and pods
    /// that finished (`Succeeded`/`Failed`) are left out, as the scheduler cache does.
    pub fn from_objects(nodes: &[Node], pods: &[StoredPod]) -> Result<Snapshot, SnapshotError> {
        let infos = nodes
            .iter()
            .map(NodeInfo::from_node)
            .collect::<Result<Vec<_>, _>>()?;
        let mut snapshot = Snapshot::new(infos);
        for pod in pods {
            let Some(node) = pod.node_name() else {
                continue;
            };
            let phase = pod.phase();
            if matches!(phase, Some("Succeeded" | "Failed")) {
                continue;
            }
            snapshot.add_pod(node, PodSummary::from_pod(pod)?)?;
        }
        Ok(snapshot)
    }

    /// The nodes, ordered by name.
    pub fn nodes(&self) -> &[NodeInfo] {
        &self.nodes
    }

    /// How many nodes there are.
    pub fn num_nodes(&self) -> usize {
        self.nodes.len()
    }

    /// The node with this name.
    pub fn get(&self, name: &str) -> Option<&NodeInfo> {
        self.index.get(name).and_then(|&i| self.nodes.get(i))
    }

    /// The id nodes list this (normalised) image under, if any node of the snapshot ever
    /// held it.
    pub fn image_id(&self, image: &str) -> Option<u32> {
        self.image_ids.get(image).copied()
    }

    /// The id of a cycle's pointwise score inputs (see [`score_memo`](super::score_memo)).
    pub(crate) fn score_inputs_id(&self, inputs: ScoreInputs) -> u64 {
        self.score_inputs.id_of(inputs)
    }

    /// How many nodes hold this (normalised) image.
    pub fn image_num_nodes(&self, image: &str) -> usize {
        self.image_num_nodes.get(image).copied().unwrap_or(0)
    }

    /// Records a pod on a node (binding or assuming it).
    pub fn add_pod(&mut self, node: &str, pod: PodSummary) -> Result<(), SnapshotError> {
        let Some(info) = self.index.get(node).and_then(|&i| self.nodes.get_mut(i)) else {
            return Err(SnapshotError::UnknownNode {
                pod: format!("{}/{}", pod.namespace, pod.name),
                node: node.to_string(),
            });
        };
        info.add_pod(pod);
        Ok(())
    }

    /// Forgets a pod on a node; returns it if it was there.
    pub fn remove_pod(&mut self, node: &str, namespace: &str, name: &str) -> Option<PodSummary> {
        let info = self.index.get(node).and_then(|&i| self.nodes.get_mut(i))?;
        info.remove_pod(namespace, name)
    }

    /// Records that a node now holds an image (after a pull).
    pub fn add_image(&mut self, node: &str, image: &str, size_bytes: i64) {
        let image = normalized_image_name(image);
        if let Some(info) = self.index.get(node).and_then(|&i| self.nodes.get_mut(i)) {
            if info.images.insert(image.clone(), size_bytes).is_none() {
                *self.image_num_nodes.entry(image).or_insert(0) += 1;
            }
            number_images(&mut self.image_ids, info);
        }
    }
}
