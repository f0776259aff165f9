//! The in-tree plugins kubeplay runs, one file each, named as Kubernetes names them.
//!
//! Each plugin is a set of plain functions over the pod's [`CycleState`] (computed once per
//! scheduling cycle, as kube-scheduler's PreFilter/PreScore do) and a
//! [`NodeInfo`](super::snapshot::NodeInfo): `filter` returns a [`Status`] whose reasons are
//! Kubernetes' exact strings, `score` a raw integer, and `normalize_score` rescales raw
//! scores to 0–100. The [`framework`](super::framework) calls them in the default profile's
//! order by matching on [`PluginName`].

use std::borrow::Cow;
use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Toleration;

use super::snapshot::{normalized_image_name, pod_priority, PodResources, SnapshotError};
use crate::api::objects::StoredPod;

pub mod balanced_allocation;
pub mod default_preemption;
pub mod image_locality;
pub mod node_affinity;
pub mod node_name;
pub mod node_resources_fit;
pub mod node_unschedulable;
pub mod pod_topology_spread;
pub mod taint_toleration;

/// `framework.MaxNodeScore`.
pub const MAX_NODE_SCORE: i64 = 100;

/// The plugins of the default profile that kubeplay implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PluginName {
    /// Queue sort by priority, then by time queued.
    PrioritySort,
    /// Filters out cordoned nodes.
    NodeUnschedulable,
    /// Filters out nodes other than `spec.nodeName`.
    NodeName,
    /// Filters on NoSchedule/NoExecute taints, scores PreferNoSchedule ones.
    TaintToleration,
    /// Filters on `nodeSelector` and required node affinity, scores preferred affinity.
    NodeAffinity,
    /// Filters on cpu, memory and pod count; scores LeastAllocated.
    NodeResourcesFit,
    /// Filters and scores topology spread constraints.
    PodTopologySpread,
    /// Post-filter: finds lower-priority victims to evict.
    DefaultPreemption,
    /// Scores how evenly cpu and memory are used.
    NodeResourcesBalancedAllocation,
    /// Scores nodes that already hold the pod's images.
    ImageLocality,
    /// Binds the pod to the chosen node.
    DefaultBinder,
}

impl PluginName {
    /// The plugin's name as Kubernetes spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            PluginName::PrioritySort => "PrioritySort",
            PluginName::NodeUnschedulable => "NodeUnschedulable",
            PluginName::NodeName => "NodeName",
            PluginName::TaintToleration => "TaintToleration",
            PluginName::NodeAffinity => "NodeAffinity",
            PluginName::NodeResourcesFit => "NodeResourcesFit",
            PluginName::PodTopologySpread => "PodTopologySpread",
            PluginName::DefaultPreemption => "DefaultPreemption",
            PluginName::NodeResourcesBalancedAllocation => "NodeResourcesBalancedAllocation",
            PluginName::ImageLocality => "ImageLocality",
            PluginName::DefaultBinder => "DefaultBinder",
        }
    }
}

/// A plugin's verdict, as `fwk.Code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    /// The node passes.
    Success,
    /// The node fails, but removing pods from it (preemption) might help.
    Unschedulable,
    /// The node fails and preemption cannot help.
    UnschedulableAndUnresolvable,
    /// The plugin has nothing to do for this pod (PreFilter/PreScore).
    Skip,
}

/// A plugin's result: a code and the reasons Kubernetes prints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    /// The verdict.
    pub code: Code,
    /// The reasons (empty on success).
    pub reasons: Vec<Cow<'static, str>>,
}

impl Status {
    /// A passing status.
    pub fn success() -> Status {
        Status {
            code: Code::Success,
            reasons: Vec::new(),
        }
    }

    /// A failing status with one reason.
    pub fn new(code: Code, reason: impl Into<Cow<'static, str>>) -> Status {
        Status {
            code,
            reasons: vec![reason.into()],
        }
    }

    /// Whether the node passes.
    pub fn is_success(&self) -> bool {
        match self.code {
            Code::Success | Code::Skip => true,
            Code::Unschedulable | Code::UnschedulableAndUnresolvable => false,
        }
    }

    /// `Status.Message()`: the reasons joined with `, `.
    pub fn message(&self) -> String {
        self.reasons.join(", ")
    }
}

/// What the plugins need to know about the pod being scheduled, computed once per cycle.
#[derive(Clone, Debug)]
pub struct CycleState<'a> {
    /// The pod.
    pub pod: &'a StoredPod,
    /// Its namespace.
    pub namespace: &'a str,
    /// Its labels.
    pub labels: &'a BTreeMap<String, String>,
    /// Its requests.
    pub resources: PodResources,
    /// `spec.priority`.
    pub priority: i32,
    /// `spec.tolerations`.
    pub tolerations: &'a [Toleration],
    /// The tolerations TaintToleration scores with: those without an effect or with
    /// `PreferNoSchedule` (its PreScore state).
    pub prefer_no_schedule_tolerations: Vec<Toleration>,
    /// `spec.nodeName`, if set.
    pub node_name: Option<&'a str>,
    /// `spec.nodeSelector` and required node affinity.
    pub required_affinity: node_affinity::RequiredNodeAffinity,
    /// Preferred node affinity terms with their weights.
    pub preferred_affinity: node_affinity::PreferredSchedulingTerms,
    /// Hard topology spread constraints and the counts computed at PreFilter.
    pub spread_filter: pod_topology_spread::PreFilterState,
    /// Soft topology spread constraints (scored).
    pub spread_soft_constraints: Vec<pod_topology_spread::Constraint>,
    /// The pod's images (containers and init containers), normalised and deduplicated.
    pub image_names: Vec<String>,
    /// How many containers and init containers it has.
    pub num_containers: usize,
}

impl<'a> CycleState<'a> {
    /// Reads the pod once. Fails when a request or a topology spread selector is invalid.
    pub fn new(pod: &'a StoredPod) -> Result<CycleState<'a>, SchedulePodError> {
        let spec = pod.spec.as_ref();
        static NO_LABELS: BTreeMap<String, String> = BTreeMap::new();
        let labels = pod.metadata.labels.as_ref().unwrap_or(&NO_LABELS);
        let mut image_names: Vec<String> = spec
            .into_iter()
            .flat_map(|s| {
                s.init_containers
                    .iter()
                    .flatten()
                    .chain(s.containers.iter())
            })
            .filter_map(|c| c.image.as_deref())
            .map(normalized_image_name)
            .collect();
        let num_containers = spec
            .map(|s| s.containers.len() + s.init_containers.as_ref().map_or(0, Vec::len))
            .unwrap_or(0);
        image_names.sort();
        image_names.dedup();
        let (hard, soft) = pod_topology_spread::constraints(pod, labels)?;
        let tolerations: &[Toleration] = spec
            .and_then(|s| s.tolerations.as_deref())
            .unwrap_or_default();
        let prefer_no_schedule_tolerations = tolerations
            .iter()
            .filter(|t| {
                matches!(
                    t.effect.as_deref(),
                    None | Some("") | Some("PreferNoSchedule")
                )
            })
            .cloned()
            .collect();
        Ok(CycleState {
            pod,
            namespace: pod.metadata.namespace.as_deref().unwrap_or("default"),
            resources: PodResources::from_pod(pod)?,
            priority: pod_priority(pod),
            tolerations,
            prefer_no_schedule_tolerations,
            node_name: pod.node_name().filter(|n| !n.is_empty()),
            required_affinity: node_affinity::RequiredNodeAffinity::from_pod(pod),
            preferred_affinity: node_affinity::PreferredSchedulingTerms::from_pod(pod),
            spread_filter: pod_topology_spread::PreFilterState::new(hard),
            spread_soft_constraints: soft,
            labels,
            image_names,
            num_containers,
        })
    }
}

/// Why a pod could not be considered for scheduling at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SchedulePodError {
    /// A request or overhead did not parse.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    /// A topology spread constraint's label selector is invalid.
    #[error("obtaining pod's hard topology spread constraints: {0}")]
    InvalidTopologySpreadConstraint(String),
}
