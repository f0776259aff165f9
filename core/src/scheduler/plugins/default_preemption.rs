//! DefaultPreemption (post-filter): when no node fits, look for nodes where evicting
//! lower-priority pods would make room, as `preemption.Evaluator` does.
//!
//! For each node that failed with `Unschedulable` (never `UnschedulableAndUnresolvable`),
//! take away every pod of lower priority, rerun the filters, then give back ("reprieve") as
//! many victims as still fit, most important first. Nodes are compared as
//! `pickOneNodeForPreemption` does (lowest highest-victim priority, then lowest priority sum,
//! then fewest victims; PodDisruptionBudgets and start times are not modelled). Without a
//! candidate the result carries the FitError text kube-scheduler prints after
//! `preemption: `. The dry run checks every potential node instead of Kubernetes' random
//! sample of at least 100 / 10 %; eviction itself is the host's job.

use std::collections::BTreeMap;

use super::pod_topology_spread::PreFilterState;
use super::{Code, CycleState, Status};
use crate::scheduler::framework::FitError;
use crate::scheduler::snapshot::{NodeInfo, PodSummary, Snapshot};

/// Reason for a node without lower-priority pods.
pub const NO_VICTIMS_FOUND: &str = "No preemption victims found for incoming pod";
/// Status for nodes where preemption cannot help.
pub const NOT_HELPFUL: &str = "Preemption is not helpful for scheduling";

/// The pods to evict on a node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The node the preemptor is nominated to.
    pub node: String,
    /// The victims as `(namespace, name, priority)`, most important first.
    pub victims: Vec<(String, String, i32)>,
}

/// What the post-filter decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PostFilterResult {
    /// The pod may not preempt (`preemptionPolicy: Never`).
    NotEligible {
        /// The status message, including the `preemption: ` prefix.
        message: String,
    },
    /// No node would fit even after evictions.
    NoCandidate {
        /// The status message, `preemption: 0/N nodes are available: …`.
        message: String,
    },
    /// Evicting these victims makes room on this node.
    Nominated(Candidate),
}

impl PostFilterResult {
    /// The message kube-scheduler appends to the FitError (empty when nominated).
    pub fn message(&self) -> &str {
        match self {
            PostFilterResult::NotEligible { message }
            | PostFilterResult::NoCandidate { message } => message,
            PostFilterResult::Nominated(_) => "",
        }
    }
}

/// Runs DefaultPreemption. `run_filters` reruns the filter plugins on a modified node.
pub fn post_filter(
    state: &CycleState<'_>,
    snapshot: &Snapshot,
    node_to_status: &BTreeMap<String, Status>,
    run_filters: &dyn Fn(&CycleState<'_>, &PreFilterState, &NodeInfo) -> Status,
) -> PostFilterResult {
    let policy = state
        .pod
        .spec
        .as_ref()
        .and_then(|s| s.preemption_policy.as_deref());
    if policy == Some("Never") {
        return PostFilterResult::NotEligible {
            message: "preemption: not eligible due to preemptionPolicy=Never.".to_string(),
        };
    }
    let mut statuses = BTreeMap::new();
    let mut candidates = Vec::new();
    for node in snapshot.nodes() {
        let Some(status) = node_to_status.get(&node.name) else {
            continue;
        };
        if status.code != Code::Unschedulable {
            continue;
        }
        match select_victims_on_node(state, node, run_filters) {
            Ok(candidate) => candidates.push(candidate),
            Err(status) => {
                statuses.insert(node.name.clone(), status);
            }
        }
    }
    match pick_one_node(candidates) {
        Some(candidate) => PostFilterResult::Nominated(candidate),
        None => {
            let fit_error = FitError {
                num_all_nodes: snapshot.num_nodes(),
                node_to_status: statuses,
                absent_nodes_status: Some(Status::new(
                    Code::UnschedulableAndUnresolvable,
                    NOT_HELPFUL,
                )),
                pre_filter_msg: None,
                post_filter_msg: None,
            };
            PostFilterResult::NoCandidate {
                message: format!("preemption: {}", fit_error.message()),
            }
        }
    }
}

fn select_victims_on_node(
    state: &CycleState<'_>,
    node: &NodeInfo,
    run_filters: &dyn Fn(&CycleState<'_>, &PreFilterState, &NodeInfo) -> Status,
) -> Result<Candidate, Status> {
    let mut trial = node.clone();
    let mut spread = state.spread_filter.clone();
    let mut potential: Vec<PodSummary> = Vec::new();
    for pod in &node.pods {
        if pod.priority < state.priority {
            if let Some(removed) = trial.remove_pod(&pod.namespace, &pod.name) {
                spread.update_with_pod(state, &trial, &removed, -1);
                potential.push(removed);
            }
        }
    }
    if potential.is_empty() {
        return Err(Status::new(
            Code::UnschedulableAndUnresolvable,
            NO_VICTIMS_FOUND,
        ));
    }
    let status = run_filters(state, &spread, &trial);
    if !status.is_success() {
        return Err(status);
    }
    // Most important first: higher priority, then (stable) original order.
    potential.sort_by_key(|p| std::cmp::Reverse(p.priority));
    let mut victims = Vec::new();
    for pod in potential {
        trial.add_pod(pod.clone());
        spread.update_with_pod(state, &trial, &pod, 1);
        if run_filters(state, &spread, &trial).is_success() {
            continue;
        }
        trial.remove_pod(&pod.namespace, &pod.name);
        spread.update_with_pod(state, &trial, &pod, -1);
        victims.push((pod.namespace, pod.name, pod.priority));
    }
    Ok(Candidate {
        node: node.name.clone(),
        victims,
    })
}

fn pick_one_node(candidates: Vec<Candidate>) -> Option<Candidate> {
    candidates.into_iter().min_by_key(|c| {
        let highest = c.victims.first().map_or(i64::MIN, |v| i64::from(v.2));
        let sum: i64 = c
            .victims
            .iter()
            .map(|v| i64::from(v.2) + i64::from(i32::MAX) + 1)
            .sum();
        (highest, sum, c.victims.len())
    })
}
