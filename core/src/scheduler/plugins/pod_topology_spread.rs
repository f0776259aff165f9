//! PodTopologySpread: `spec.topologySpreadConstraints` spread matching pods across topology
//! domains (a node label such as `kubernetes.io/hostname` or `topology.kubernetes.io/zone`).
//!
//! PreFilter counts, per hard (`DoNotSchedule`) constraint, the matching pods in each domain
//! over all eligible nodes; Filter then rejects a node when placing the pod there would make
//! `count + self - global minimum` exceed `maxSkew`. Soft (`ScheduleAnyway`) constraints are
//! scored: fewer matching pods in the node's domain score higher, weighted by `log(domains+2)`.
//! Node inclusion policies follow the defaults (`nodeAffinityPolicy: Honor`,
//! `nodeTaintsPolicy: Ignore`) unless the constraint says otherwise; `matchLabelKeys` are
//! merged into the selector; `minDomains` is honoured.
//!
//! Not implemented: the cluster-level default constraints (`hostname` maxSkew 3 and `zone`
//! maxSkew 5, built from the Services/ReplicaSets selecting the pod) — the snapshot carries
//! no Services or ReplicaSets, so a pod without constraints is skipped, as with
//! `defaultingType: List` and no defaults.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::TopologySpreadConstraint;

use super::node_affinity::RequiredNodeAffinity;
use super::taint_toleration::tolerations_tolerate_taint;
use super::{Code, CycleState, SchedulePodError, Status, MAX_NODE_SCORE};
use crate::api::labels::{Operator, Requirement, Selector};
use crate::api::objects::StoredPod;
use crate::scheduler::snapshot::{NodeInfo, PodSummary, Snapshot};

/// `ErrReasonConstraintsNotMatch`.
pub const ERR_REASON_CONSTRAINTS_NOT_MATCH: &str =
    "node(s) didn't match pod topology spread constraints";
/// `ErrReasonNodeLabelNotMatch`.
pub const ERR_REASON_NODE_LABEL_NOT_MATCH: &str =
    "node(s) didn't match pod topology spread constraints (missing required label)";
/// `v1.LabelHostname`.
pub const LABEL_HOSTNAME: &str = "kubernetes.io/hostname";

/// One parsed constraint.
#[derive(Clone, Debug)]
pub struct Constraint {
    /// `maxSkew`.
    pub max_skew: i64,
    /// `topologyKey`.
    pub topology_key: String,
    /// `labelSelector` with `matchLabelKeys` merged in.
    pub selector: Selector,
    /// `minDomains` (1 when unset).
    pub min_domains: usize,
    /// `nodeAffinityPolicy` is `Honor` (the default).
    pub honor_node_affinity: bool,
    /// `nodeTaintsPolicy` is `Honor` (default `Ignore`).
    pub honor_node_taints: bool,
}

/// Splits the pod's constraints into hard (`DoNotSchedule`) and soft (`ScheduleAnyway`).
pub fn constraints(
    pod: &StoredPod,
    labels: &BTreeMap<String, String>,
) -> Result<(Vec<Constraint>, Vec<Constraint>), SchedulePodError> {
    let mut hard = Vec::new();
    let mut soft = Vec::new();
    let raw = pod
        .spec
        .as_ref()
        .and_then(|s| s.topology_spread_constraints.as_deref())
        .unwrap_or_default();
    for constraint in raw {
        let parsed = parse(constraint, labels)?;
        match constraint.when_unsatisfiable.as_str() {
            "DoNotSchedule" => hard.push(parsed),
            "ScheduleAnyway" => soft.push(parsed),
            _ => {}
        }
    }
    Ok((hard, soft))
}

fn parse(
    constraint: &TopologySpreadConstraint,
    labels: &BTreeMap<String, String>,
) -> Result<Constraint, SchedulePodError> {
    let invalid = |e: &dyn std::fmt::Display| {
        SchedulePodError::InvalidTopologySpreadConstraint(e.to_string())
    };
    let mut selector = Selector::from_label_selector(constraint.label_selector.as_ref())
        .map_err(|e| invalid(&e))?;
    let mut extra = Vec::new();
    for key in constraint.match_label_keys.iter().flatten() {
        if let Some(value) = labels.get(key) {
            extra.push(
                Requirement::new(key.clone(), Operator::In, vec![value.clone()])
                    .map_err(|e| invalid(&e))?,
            );
        }
    }
    if !extra.is_empty() {
        selector = selector.with_requirements(extra);
    }
    Ok(Constraint {
        max_skew: i64::from(constraint.max_skew),
        topology_key: constraint.topology_key.clone(),
        selector,
        min_domains: constraint
            .min_domains
            .and_then(|m| usize::try_from(m).ok())
            .unwrap_or(1),
        honor_node_affinity: constraint.node_affinity_policy.as_deref() != Some("Ignore"),
        honor_node_taints: constraint.node_taints_policy.as_deref() == Some("Honor"),
    })
}

fn node_has_all_keys(node: &NodeInfo, constraints: &[Constraint]) -> bool {
    constraints
        .iter()
        .all(|c| node.labels.contains_key(&c.topology_key))
}

fn node_included(
    constraint: &Constraint,
    node: &NodeInfo,
    affinity: &RequiredNodeAffinity,
    state: &CycleState<'_>,
) -> bool {
    if constraint.honor_node_affinity && !affinity.matches(node) {
        return false;
    }
    if constraint.honor_node_taints {
        let untolerated = node.taints.iter().any(|t| {
            (t.effect == "NoSchedule" || t.effect == "NoExecute")
                && !tolerations_tolerate_taint(state.tolerations, t)
        });
        if untolerated {
            return false;
        }
    }
    true
}

fn pod_counts(pod: &PodSummary, selector: &Selector, namespace: &str) -> bool {
    !pod.terminating && pod.namespace == namespace && selector.matches(pod.labels.as_ref())
}

fn count_matching(node: &NodeInfo, selector: &Selector, namespace: &str) -> i64 {
    let count = node
        .pods
        .iter()
        .filter(|p| pod_counts(p, selector, namespace))
        .count();
    i64::try_from(count).unwrap_or(i64::MAX)
}

/// Hard constraints with per-domain counts, computed at PreFilter.
#[derive(Clone, Debug, Default)]
pub struct PreFilterState {
    /// The hard constraints.
    pub constraints: Vec<Constraint>,
    /// Per constraint: domain value → matching pods.
    pub counts: Vec<BTreeMap<String, i64>>,
    /// Per constraint: the global minimum (`criticalPaths[0]`), 0 when there are no domains.
    pub min_counts: Vec<i64>,
}

impl PreFilterState {
    /// A state for these constraints, counts not yet computed.
    pub fn new(constraints: Vec<Constraint>) -> PreFilterState {
        PreFilterState {
            constraints,
            counts: Vec::new(),
            min_counts: Vec::new(),
        }
    }

    fn refresh_minimums(&mut self) {
        self.min_counts = self
            .counts
            .iter()
            .map(|c| c.values().copied().min().unwrap_or(0))
            .collect();
    }

    /// Adds (`delta = 1`) or removes (`-1`) a pod's contribution on `node`, as the
    /// preemption dry run does when it takes victims off a node.
    pub fn update_with_pod(
        &mut self,
        state: &CycleState<'_>,
        node: &NodeInfo,
        pod: &PodSummary,
        delta: i64,
    ) {
        if !node_has_all_keys(node, &self.constraints) {
            return;
        }
        for (i, constraint) in self.constraints.iter().enumerate() {
            if !pod_counts(pod, &constraint.selector, state.namespace)
                || !node_included(constraint, node, &state.required_affinity, state)
            {
                continue;
            }
            let Some(value) = node.labels.get(&constraint.topology_key) else {
                continue;
            };
            if let Some(counts) = self.counts.get_mut(i) {
                *counts.entry(value.clone()).or_insert(0) += delta;
            }
        }
        self.refresh_minimums();
    }
}

/// Whether the plugin skips filtering for this pod (no hard constraints).
pub fn skips_filter(state: &CycleState<'_>) -> bool {
    state.spread_filter.constraints.is_empty()
}

/// PreFilter: counts matching pods per domain over all eligible nodes.
pub fn pre_filter(state: &mut CycleState<'_>, snapshot: &Snapshot) {
    let constraints = &state.spread_filter.constraints;
    let mut counts = vec![BTreeMap::new(); constraints.len()];
    for node in snapshot.nodes() {
        if !node_has_all_keys(node, constraints) {
            continue;
        }
        for (i, constraint) in constraints.iter().enumerate() {
            if !node_included(constraint, node, &state.required_affinity, state) {
                continue;
            }
            let Some(value) = node.labels.get(&constraint.topology_key) else {
                continue;
            };
            let matching = count_matching(node, &constraint.selector, state.namespace);
            if let Some(domain_counts) = counts.get_mut(i) {
                *domain_counts.entry(value.clone()).or_insert(0) += matching;
            }
        }
    }
    state.spread_filter.counts = counts;
    state.spread_filter.refresh_minimums();
}

/// Filter against the counts of `spread` (the cycle's, or a preemption dry run's copy).
pub fn filter_with(state: &CycleState<'_>, spread: &PreFilterState, node: &NodeInfo) -> Status {
    for (i, constraint) in spread.constraints.iter().enumerate() {
        let Some(value) = node.labels.get(&constraint.topology_key) else {
            return Status::new(
                Code::UnschedulableAndUnresolvable,
                ERR_REASON_NODE_LABEL_NOT_MATCH,
            );
        };
        let counts = spread.counts.get(i);
        let domains = counts.map_or(0, BTreeMap::len);
        let min_match = if domains < constraint.min_domains {
            0
        } else {
            spread.min_counts.get(i).copied().unwrap_or(0)
        };
        let self_match = i64::from(constraint.selector.matches(state.labels));
        let match_num = counts.and_then(|c| c.get(value)).copied().unwrap_or(0);
        if match_num + self_match - min_match > constraint.max_skew {
            return Status::new(Code::Unschedulable, ERR_REASON_CONSTRAINTS_NOT_MATCH);
        }
    }
    Status::success()
}

/// Filter with the cycle's counts.
pub fn filter(state: &CycleState<'_>, node: &NodeInfo) -> Status {
    filter_with(state, &state.spread_filter, node)
}

/// Soft constraints' counts over the feasible nodes, computed at PreScore.
#[derive(Clone, Debug, Default)]
pub struct PreScoreState {
    ignored: BTreeSet<String>,
    counts: Vec<BTreeMap<String, i64>>,
    weights: Vec<f64>,
}

/// Whether the plugin skips scoring for this pod (no soft constraints; the system default
/// constraints are not implemented, see the module docs).
pub fn skips_score(state: &CycleState<'_>) -> bool {
    state.spread_soft_constraints.is_empty()
}

/// PreScore over the feasible nodes.
pub fn pre_score(
    state: &CycleState<'_>,
    feasible: &[&NodeInfo],
    snapshot: &Snapshot,
) -> PreScoreState {
    let constraints = &state.spread_soft_constraints;
    let mut pre = PreScoreState {
        ignored: BTreeSet::new(),
        counts: vec![BTreeMap::new(); constraints.len()],
        weights: Vec::new(),
    };
    for node in feasible {
        if !node_has_all_keys(node, constraints) {
            pre.ignored.insert(node.name.clone());
            continue;
        }
        for (i, constraint) in constraints.iter().enumerate() {
            if constraint.topology_key == LABEL_HOSTNAME {
                continue;
            }
            if let (Some(value), Some(counts)) = (
                node.labels.get(&constraint.topology_key),
                pre.counts.get_mut(i),
            ) {
                counts.entry(value.clone()).or_insert(0);
            }
        }
    }
    pre.weights = constraints
        .iter()
        .enumerate()
        .map(|(i, constraint)| {
            let size = if constraint.topology_key == LABEL_HOSTNAME {
                feasible.len() - pre.ignored.len()
            } else {
                pre.counts.get(i).map_or(0, BTreeMap::len)
            };
            ((size + 2) as f64).ln()
        })
        .collect();
    for node in snapshot.nodes() {
        if !node_has_all_keys(node, constraints) {
            continue;
        }
        for (i, constraint) in constraints.iter().enumerate() {
            if !node_included(constraint, node, &state.required_affinity, state) {
                continue;
            }
            let Some(value) = node.labels.get(&constraint.topology_key) else {
                continue;
            };
            let Some(count) = pre.counts.get_mut(i).and_then(|c| c.get_mut(value)) else {
                continue;
            };
            *count += count_matching(node, &constraint.selector, state.namespace);
        }
    }
    pre
}

/// Whether PreScore left this node out of scoring (it lacks a topology key).
pub fn is_ignored(pre: &PreScoreState, node: &NodeInfo) -> bool {
    pre.ignored.contains(&node.name)
}

/// The raw score: for each constraint, `count × weight + (maxSkew − 1)`, summed and rounded.
pub fn score(state: &CycleState<'_>, pre: &PreScoreState, node: &NodeInfo) -> i64 {
    if pre.ignored.contains(&node.name) {
        return 0;
    }
    let mut score = 0.0;
    for (i, constraint) in state.spread_soft_constraints.iter().enumerate() {
        let Some(value) = node.labels.get(&constraint.topology_key) else {
            continue;
        };
        let count = if constraint.topology_key == LABEL_HOSTNAME {
            count_matching(node, &constraint.selector, state.namespace)
        } else {
            pre.counts
                .get(i)
                .and_then(|c| c.get(value))
                .copied()
                .unwrap_or(0)
        };
        let weight = pre.weights.get(i).copied().unwrap_or(0.0);
        score += count as f64 * weight + (constraint.max_skew - 1) as f64;
    }
    score.round() as i64
}

/// NormalizeScore: ignored nodes get 0; otherwise `100 × (max + min − s) / max`, or 100
/// for all when every score is 0.
pub fn normalize_score(scores: &mut [i64], ignored: &[bool]) {
    let mut min_score = i64::MAX;
    let mut max_score = 0;
    for (score, &skip) in scores.iter().zip(ignored) {
        if skip {
            continue;
        }
        min_score = min_score.min(*score);
        max_score = max_score.max(*score);
    }
    for (score, &skip) in scores.iter_mut().zip(ignored) {
        *score = if skip {
            0
        } else if max_score == 0 {
            MAX_NODE_SCORE
        } else {
            MAX_NODE_SCORE * (max_score + min_score - *score) / max_score
        };
    }
}
