//! DefaultPreemption (post-filter): when no node fits, look for nodes where evicting
//! lower-priority pods would make room, as `preemption.Evaluator` does.
//!
//! A pod may preempt unless its `preemptionPolicy` is `Never` or a lower-priority pod on the
//! node it is already nominated to is still terminating (its earlier victims are on their way
//! out: `PodEligibleToPreemptOthers`). For each node that failed with `Unschedulable` (never
//! `UnschedulableAndUnresolvable`), take away every pod of lower priority, rerun the filters,
//! then give back ("reprieve") as many victims as still fit, most important first. Nodes are
//! compared as `pickOneNodeForPreemption` does (lowest highest-victim priority, then lowest
//! priority sum, then fewest victims, then the first; PodDisruptionBudgets and start times
//! are not modelled), and [`Nomination::why_this_node`] says which rule decided. Without a
//! candidate the result carries the FitError text kube-scheduler prints after
//! `preemption: `. The dry run checks every potential node instead of Kubernetes' random
//! sample of at least 100 / 10 %; eviction itself is the host's job
//! ([`crate::scheduler::component`]).

use std::collections::BTreeMap;

use super::pod_topology_spread::PreFilterState;
use super::{Code, CycleState, Status};
use crate::scheduler::framework::FitError;
use crate::scheduler::snapshot::{NodeInfo, PodSummary, Snapshot};

/// Reason for a node without lower-priority pods.
pub const NO_VICTIMS_FOUND: &str = "No preemption victims found for incoming pod";
/// Status for nodes where preemption cannot help.
pub const NOT_HELPFUL: &str = "Preemption is not helpful for scheduling";

/// Status for a pod whose earlier victims are still terminating.
pub const TERMINATING_POD_ON_NOMINATED_NODE: &str =
    "not eligible due to a terminating pod on the nominated node.";

/// The pods to evict on a node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The node the preemptor is nominated to.
    pub node: String,
    /// The victims as `(namespace, name, priority)`, most important first.
    pub victims: Vec<(String, String, i32)>,
}

impl Candidate {
    /// `pickOneNodeForPreemption`'s ordering, smallest best: the most important victim's
    /// priority, the sum of victim priorities (each shifted by 2^31 so that more victims
    /// always weigh more), the number of victims.
    pub fn rank(&self) -> (i64, i64, usize) {
        let highest = self.victims.first().map_or(i64::MIN, |v| i64::from(v.2));
        let sum: i64 = self
            .victims
            .iter()
            .map(|v| i64::from(v.2) + i64::from(i32::MAX) + 1)
            .sum();
        (highest, sum, self.victims.len())
    }

    /// `default/web-1 (priority 0), default/web-2 (priority 0)`.
    pub fn victims_text(&self) -> String {
        let victims: Vec<String> = self
            .victims
            .iter()
            .map(|(namespace, name, priority)| format!("{namespace}/{name} (priority {priority})"))
            .collect();
        victims.join(", ")
    }
}

/// The node picked for preemption, and the other nodes where preemption would also have
/// made room.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nomination {
    /// The picked node and its victims.
    pub chosen: Candidate,
    /// The other candidates, in node order.
    pub others: Vec<Candidate>,
}

impl Nomination {
    /// Why `pickOneNodeForPreemption` took this node: for each other candidate, the first
    /// rule the chosen node wins by.
    pub fn why_this_node(&self) -> String {
        if self.others.is_empty() {
            return format!(
                "{} is the only node where preemption makes room",
                self.chosen.node
            );
        }
        let (highest, sum, count) = self.chosen.rank();
        let reasons: Vec<String> = self
            .others
            .iter()
            .map(|other| {
                let (other_highest, other_sum, other_count) = other.rank();
                let rule = if other_highest != highest {
                    format!(
                        "its most important victim has priority {}, here {}",
                        other_highest, highest
                    )
                } else if other_sum != sum {
                    "its victims' priorities add up to more".to_string()
                } else if other_count != count {
                    format!("it needs {other_count} victims, here {count}")
                } else {
                    "a tie, and this node comes first".to_string()
                };
                format!("{} ({rule})", other.node)
            })
            .collect();
        format!("{} beats {}", self.chosen.node, reasons.join(", "))
    }
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
    Nominated(Nomination),
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
    if victims_still_terminating(state, snapshot, node_to_status) {
        return PostFilterResult::NotEligible {
            message: format!("preemption: {TERMINATING_POD_ON_NOMINATED_NODE}"),
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
        Some(nomination) => PostFilterResult::Nominated(nomination),
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

/// `PodEligibleToPreemptOthers`' second rule: the pod is nominated to a node (and that node
/// is not out of the question) where a lower-priority pod is terminating — most likely its
/// own victim from an earlier cycle — so it waits instead of evicting more.
fn victims_still_terminating(
    state: &CycleState<'_>,
    snapshot: &Snapshot,
    node_to_status: &BTreeMap<String, Status>,
) -> bool {
    let Some(nominated) = state
        .pod
        .status
        .as_ref()
        .and_then(|s| s.nominated_node_name())
        .filter(|n| !n.is_empty())
    else {
        return false;
    };
    if node_to_status
        .get(nominated)
        .is_some_and(|s| s.code == Code::UnschedulableAndUnresolvable)
    {
        return false;
    }
    snapshot.get(nominated).is_some_and(|node| {
        node.pods
            .iter()
            .any(|p| p.terminating && p.priority < state.priority)
    })
}

/// `pickOneNodeForPreemption`: the smallest [`Candidate::rank`], the first on a tie.
fn pick_one_node(candidates: Vec<Candidate>) -> Option<Nomination> {
    let best = candidates
        .iter()
        .enumerate()
        .min_by_key(|(_, c)| c.rank())
        .map(|(i, _)| i)?;
    let mut others = candidates;
    let chosen = others.remove(best);
    Some(Nomination { chosen, others })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::objects::StoredPod;
    use crate::scheduler::framework::{schedule_one, Config};
    use crate::scheduler::snapshot::{PodResources, Resources};
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use serde_json::json;

    const GI: i64 = 1024 * 1024 * 1024;

    fn node(name: &str, milli_cpu: i64, pods: &[(&str, i64, i32)]) -> NodeInfo {
        let mut node = NodeInfo::new(
            name,
            Resources {
                milli_cpu,
                memory_bytes: 8 * GI,
            },
            110,
        );
        for (pod, cpu, priority) in pods {
            node.add_pod(running(pod, *cpu, *priority, false));
        }
        node
    }

    fn running(name: &str, milli_cpu: i64, priority: i32, terminating: bool) -> PodSummary {
        let requested = Resources {
            milli_cpu,
            memory_bytes: GI / 4,
        };
        PodSummary {
            namespace: "default".to_string(),
            name: name.to_string(),
            labels: std::sync::Arc::default(),
            priority,
            resources: PodResources {
                requested,
                non_zero_requested: requested,
            },
            terminating,
        }
    }

    fn preemptor(cpu: &str, priority: i32, policy: &str, nominated: Option<&str>) -> StoredPod {
        serde_json::from_value(json!({
            "metadata": {"name": "important", "namespace": "default"},
            "spec": {"priority": priority, "preemptionPolicy": policy,
                     "containers": [{"name": "c", "image": "nginx",
                                     "resources": {"requests": {"cpu": cpu}}}]},
            "status": {"nominatedNodeName": nominated},
        }))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn post_filter_of(pod: &StoredPod, nodes: Vec<NodeInfo>) -> PostFilterResult {
        let result = schedule_one(
            pod,
            &Snapshot::new(nodes),
            &Config::default(),
            &mut ChaCha8Rng::seed_from_u64(1),
        );
        result
            .explanation
            .post_filter
            .unwrap_or_else(|| panic!("no post-filter: {:?}", result.decision))
    }

    fn chosen(result: &PostFilterResult) -> (String, Vec<String>) {
        match result {
            PostFilterResult::Nominated(n) => (
                n.chosen.node.clone(),
                n.chosen.victims.iter().map(|v| v.1.clone()).collect(),
            ),
            other => panic!("expected a nomination, got {other:?}"),
        }
    }

    #[test]
    fn victims_and_node_are_chosen_as_pick_one_node_for_preemption_does() {
        /// (case, nodes, (chosen node, victims)).
        type Case<'a> = (&'a str, Vec<NodeInfo>, (&'a str, Vec<&'a str>));
        let cases: [Case<'_>; 4] = [
            (
                "only as many victims as needed (two of four): the others are reprieved",
                vec![node(
                    "node-1",
                    2000,
                    &[("a", 500, 0), ("b", 500, 0), ("c", 500, 0), ("d", 500, 0)],
                )],
                ("node-1", vec!["c", "d"]),
            ),
            (
                "the less important pod goes, the more important one is reprieved",
                vec![node(
                    "node-1",
                    2000,
                    &[("mid", 1000, 50), ("low", 1000, 10)],
                )],
                ("node-1", vec!["low"]),
            ),
            (
                "the node whose most important victim matters least wins",
                vec![
                    node("node-1", 1000, &[("mid", 1000, 50)]),
                    node("node-2", 1000, &[("x", 500, 10), ("y", 500, 10)]),
                ],
                ("node-2", vec!["x", "y"]),
            ),
            (
                "on equal highest priority, the smaller sum of priorities wins",
                vec![
                    node("node-1", 1000, &[("p", 500, 10), ("q", 500, 10)]),
                    node("node-2", 1000, &[("r", 1000, 10)]),
                ],
                ("node-2", vec!["r"]),
            ),
        ];
        let pod = preemptor("1", 100, "PreemptLowerPriority", None);
        for (name, nodes, (want_node, want_victims)) in cases {
            let (node, victims) = chosen(&post_filter_of(&pod, nodes));
            assert_eq!(
                (node.as_str(), victims),
                (
                    want_node,
                    want_victims.iter().map(|v| v.to_string()).collect()
                ),
                "{name}"
            );
        }
    }

    #[test]
    fn pods_of_equal_or_higher_priority_are_never_victims() {
        let pod = preemptor("1", 100, "PreemptLowerPriority", None);
        let result = post_filter_of(&pod, vec![node("node-1", 1000, &[("peer", 1000, 100)])]);
        assert_eq!(
            result.message(),
            "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
        );
    }

    #[test]
    fn a_pod_whose_victims_are_still_terminating_waits_instead_of_preempting_more() {
        let mut busy = node("node-1", 1000, &[]);
        busy.add_pod(running("leaving", 1000, 0, true));
        let pod = preemptor("1", 100, "PreemptLowerPriority", Some("node-1"));
        let result = post_filter_of(&pod, vec![busy]);
        assert_eq!(
            result.message(),
            "preemption: not eligible due to a terminating pod on the nominated node."
        );
    }

    #[test]
    fn a_never_preempting_pod_is_not_eligible() {
        let pod = preemptor("1", 100, "Never", None);
        let result = post_filter_of(&pod, vec![node("node-1", 1000, &[("low", 1000, 0)])]);
        assert_eq!(
            result.message(),
            "preemption: not eligible due to preemptionPolicy=Never."
        );
    }

    #[test]
    fn the_nomination_explains_which_rule_picked_the_node() {
        let pod = preemptor("1", 100, "PreemptLowerPriority", None);
        let result = post_filter_of(
            &pod,
            vec![
                node("node-1", 1000, &[("mid", 1000, 50)]),
                node("node-2", 1000, &[("x", 1000, 10)]),
                node("node-3", 1000, &[("y", 500, 10), ("z", 500, 10)]),
            ],
        );
        let PostFilterResult::Nominated(nomination) = result else {
            panic!("expected a nomination");
        };
        assert_eq!(
            nomination.why_this_node(),
            "node-2 beats node-1 (its most important victim has priority 50, here 10), \
             node-3 (its victims' priorities add up to more)"
        );
        assert_eq!(nomination.chosen.victims_text(), "default/x (priority 10)");
    }
}
