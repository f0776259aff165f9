//! The scheduling framework: one scheduling cycle for one pod over a [`Snapshot`].
//!
//! [`schedule_one`] runs kube-scheduler's phases in order — PreFilter (read the pod once
//! into a [`CycleState`], count topology domains), Filter (every filter plugin on each node,
//! starting at a rotating index and stopping once `numFeasibleNodesToFind` nodes fit),
//! PostFilter (DefaultPreemption when nothing fits), PreScore/Score/NormalizeScore with the
//! plugin weights, and host selection with ties broken by the injected RNG. Reserve and Bind
//! are the host's: it records the pod on the chosen node ([`Snapshot::add_pod`]) and sends
//! the Binding. Every step is kept in an [`Explanation`] (for at most
//! [`Config::explain_max_nodes`] nodes, see [`super::explain`]), which also renders as the
//! kube-scheduler-simulator annotations.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use rand_core::RngCore;

use super::explain::{select_explained_nodes, OmittedNodes, Rejection, DEFAULT_EXPLAIN_MAX_NODES};
use super::plugins::default_preemption::{self, PostFilterResult};
use super::plugins::pod_topology_spread::{self, PreFilterState};
use super::plugins::{
    balanced_allocation, image_locality, node_affinity, node_name, node_resources_fit,
    node_unschedulable, taint_toleration, Code, CycleState, PluginName, SchedulePodError, Status,
    MAX_NODE_SCORE,
};
use super::score_memo::ScoreInputs;
use super::snapshot::{NodeInfo, Snapshot};
use crate::api::objects::StoredPod;

/// `minFeasibleNodesToFind`.
pub const MIN_FEASIBLE_NODES_TO_FIND: usize = 100;
/// `minFeasibleNodesPercentageToFind`.
pub const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND: usize = 5;
/// `ErrNoNodesAvailable`.
pub const ERR_NO_NODES_AVAILABLE: &str = "no nodes available to schedule pods";

/// The profile: which plugins run, their weights, and how many nodes to score.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// `percentageOfNodesToScore`; 0 means Kubernetes' adaptive default.
    pub percentage_of_nodes_to_score: u32,
    /// Filter plugins in the order they run.
    pub filter_plugins: Vec<PluginName>,
    /// Score plugins with their weights, in the order they run.
    pub score_plugins: Vec<(PluginName, i64)>,
    /// Whether DefaultPreemption runs as the post-filter.
    pub preemption: bool,
    /// Whether each cycle records every node's filter statuses and scores in its
    /// [`Explanation`] (what the simulator annotations show). The decision, the rotating
    /// start index and the FailedScheduling message are the same either way; hosts that
    /// publish no explanation (`kubeplay sim`) turn it off to save the per-node bookkeeping.
    pub explain: bool,
    /// At most how many nodes an [`Explanation`] (and so each pod's annotations) lists; the
    /// rest are counted in [`Explanation::omitted`]. Which nodes are kept is fixed by
    /// [`select_explained_nodes`]: the chosen node, the first node each distinct filter
    /// failure rejected, the feasible nodes with the highest final scores, then the other
    /// filtered-out nodes. Defaults to [`DEFAULT_EXPLAIN_MAX_NODES`] (100).
    pub explain_max_nodes: usize,
}

impl Default for Config {
    /// The default profile (`getDefaultPlugins` in `apis/config/v1`), limited to the
    /// plugins kubeplay implements: TaintToleration 3, NodeAffinity 2, PodTopologySpread 2,
    /// NodeResourcesFit 1, NodeResourcesBalancedAllocation 1, ImageLocality 1.
    fn default() -> Config {
        Config {
            percentage_of_nodes_to_score: 0,
            filter_plugins: vec![
                PluginName::NodeUnschedulable,
                PluginName::NodeName,
                PluginName::TaintToleration,
                PluginName::NodeAffinity,
                PluginName::NodeResourcesFit,
                PluginName::PodTopologySpread,
            ],
            score_plugins: vec![
                (PluginName::TaintToleration, 3),
                (PluginName::NodeAffinity, 2),
                (PluginName::NodeResourcesFit, 1),
                (PluginName::PodTopologySpread, 2),
                (PluginName::NodeResourcesBalancedAllocation, 1),
                (PluginName::ImageLocality, 1),
            ],
            preemption: true,
            explain: true,
            explain_max_nodes: DEFAULT_EXPLAIN_MAX_NODES,
        }
    }
}

/// `numFeasibleNodesToFind`: below 100 nodes all of them; otherwise `percentage` % (the
/// adaptive default is `50 - nodes/125`, at least 5 %), but never fewer than 100.
pub fn num_feasible_nodes_to_find(
    percentage_of_nodes_to_score: u32,
    num_all_nodes: usize,
) -> usize {
    if num_all_nodes < MIN_FEASIBLE_NODES_TO_FIND {
        return num_all_nodes;
    }
    let mut percentage = usize::try_from(percentage_of_nodes_to_score).unwrap_or(100);
    if percentage == 0 {
        percentage = 50usize
            .saturating_sub(num_all_nodes / 125)
            .max(MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND);
    }
    let num_nodes = num_all_nodes * percentage / 100;
    num_nodes.max(MIN_FEASIBLE_NODES_TO_FIND)
}

/// PrioritySort's `Less`: higher `spec.priority` first, then the earlier queue timestamp.
pub fn queue_sort_less(
    priority_a: i32,
    timestamp_a_ms: u64,
    priority_b: i32,
    timestamp_b_ms: u64,
) -> bool {
    match priority_a.cmp(&priority_b) {
        Ordering::Greater => true,
        Ordering::Less => false,
        Ordering::Equal => timestamp_a_ms < timestamp_b_ms,
    }
}

/// The "0/N nodes are available" error (`framework.FitError`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FitError {
    /// How many nodes the snapshot has.
    pub num_all_nodes: usize,
    /// Why each evaluated node failed.
    pub node_to_status: BTreeMap<String, Status>,
    /// The status of nodes not in `node_to_status`, if they count.
    pub absent_nodes_status: Option<Status>,
    /// A PreFilter rejection message.
    pub pre_filter_msg: Option<String>,
    /// The post-filter (preemption) message.
    pub post_filter_msg: Option<String>,
}

impl FitError {
    /// The message as `FitError.Error()` prints it: `0/N nodes are available:`, then the
    /// PreFilter message or the sorted histogram of `<count> <reason>` followed by `.`, then
    /// the post-filter message.
    pub fn message(&self) -> String {
        let mut message = format!("0/{} nodes are available:", self.num_all_nodes);
        match &self.pre_filter_msg {
            Some(pre_filter) => message.push_str(&format!(" {pre_filter}.")),
            None => {
                let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
                for status in self.node_to_status.values() {
                    for reason in &status.reasons {
                        *reasons.entry(reason).or_insert(0) += 1;
                    }
                }
                let absent = self.num_all_nodes.saturating_sub(self.node_to_status.len());
                if absent > 0 {
                    for reason in self.absent_nodes_status.iter().flat_map(|s| &s.reasons) {
                        *reasons.entry(reason).or_insert(0) += absent;
                    }
                }
                let mut histogram: Vec<String> = reasons
                    .iter()
                    .map(|(reason, count)| format!("{count} {reason}"))
                    .collect();
                histogram.sort();
                if !histogram.is_empty() {
                    message.push_str(&format!(" {}.", histogram.join(", ")));
                }
            }
        }
        if let Some(post_filter) = self.post_filter_msg.as_deref().filter(|m| !m.is_empty()) {
            message.push_str(&format!(" {post_filter}"));
        }
        message
    }
}

/// One score plugin's result on one node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginScore {
    /// The plugin.
    pub plugin: PluginName,
    /// The raw score from Score, or `None` when PreScore skipped the plugin for this pod.
    pub raw: Option<i64>,
    /// After NormalizeScore (0–100).
    pub normalized: i64,
    /// `normalized × weight`.
    pub weighted: i64,
}

/// Everything the cycle decided, per node.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Explanation {
    /// Per evaluated node: each filter plugin that ran, in order, with its status (the
    /// framework stops at the first failure).
    pub filter: BTreeMap<String, Vec<(PluginName, Status)>>,
    /// Per scored node: each score plugin's raw, normalised and weighted score.
    pub score: BTreeMap<String, Vec<PluginScore>>,
    /// Per scored node: the sum of weighted scores.
    pub total_score: BTreeMap<String, i64>,
    /// How many nodes the filters looked at.
    pub evaluated_nodes: usize,
    /// How many of them fit.
    pub feasible_nodes: usize,
    /// The post-filter's verdict, when it ran.
    pub post_filter: Option<PostFilterResult>,
    /// The evaluated nodes that `filter` and `score` leave out (more than
    /// [`Config::explain_max_nodes`] were evaluated).
    pub omitted: OmittedNodes,
}

/// `scheduler-simulator/filter-result`.
pub const FILTER_RESULT_ANNOTATION: &str = "scheduler-simulator/filter-result";
/// `scheduler-simulator/score-result`.
pub const SCORE_RESULT_ANNOTATION: &str = "scheduler-simulator/score-result";
/// `scheduler-simulator/finalscore-result`.
pub const FINAL_SCORE_RESULT_ANNOTATION: &str = "scheduler-simulator/finalscore-result";
/// What the simulator writes for a passing filter plugin.
pub const PASSED_FILTER_MESSAGE: &str = "passed";
/// kubeplay's own annotation, written next to the simulator's only when the explanation
/// left evaluated nodes out (see [`Config::explain_max_nodes`]): how many, how many of them
/// were feasible, and each filter failure reason with how many of them it rejected.
pub const OMITTED_NODES_ANNOTATION: &str = "kubeplay.dev/explain-omitted-nodes";

/// What happened to the pod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// The pod goes to this node (the host reserves and binds it).
    Scheduled {
        /// The chosen node.
        node: String,
    },
    /// No node fits; the event and the PodScheduled condition carry `fit_error.message()`.
    Unschedulable {
        /// Why.
        fit_error: FitError,
        /// The node preemption nominated, if any (`status.nominatedNodeName`).
        nominated_node: Option<String>,
    },
    /// The snapshot has no nodes (`no nodes available to schedule pods`).
    NoNodesAvailable,
    /// The pod could not be read (an invalid quantity or selector).
    Error(SchedulePodError),
}

/// The outcome of one scheduling cycle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduleResult {
    /// The decision.
    pub decision: Decision,
    /// How it was reached.
    pub explanation: Explanation,
}

impl ScheduleResult {
    /// The `FailedScheduling` event message, or `None` when the pod was scheduled.
    pub fn failure_message(&self) -> Option<String> {
        match &self.decision {
            Decision::Scheduled { .. } => None,
            Decision::Unschedulable { fit_error, .. } => Some(fit_error.message()),
            Decision::NoNodesAvailable => Some(ERR_NO_NODES_AVAILABLE.to_string()),
            Decision::Error(error) => Some(error.to_string()),
        }
    }
}

/// A scheduler with a profile and the rotating start index (`nextStartNodeIndex`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scheduler {
    /// The profile.
    pub config: Config,
    /// Where the next cycle starts looking, so all nodes get their turn.
    pub next_start_node_index: usize,
}

impl Scheduler {
    /// A scheduler with this profile.
    pub fn new(config: Config) -> Scheduler {
        Scheduler {
            config,
            next_start_node_index: 0,
        }
    }

    /// Runs one scheduling cycle and advances the start index by the nodes processed.
    pub fn schedule_one(
        &mut self,
        pod: &StoredPod,
        snapshot: &Snapshot,
        rng: &mut impl RngCore,
    ) -> ScheduleResult {
        let result = run_cycle(pod, snapshot, &self.config, self.next_start_node_index, rng);
        let processed = result.explanation.evaluated_nodes;
        if snapshot.num_nodes() > 0 {
            self.next_start_node_index =
                (self.next_start_node_index + processed) % snapshot.num_nodes();
        }
        result
    }
}

/// Runs one scheduling cycle starting at the first node (see [`Scheduler`] for the rotating
/// start index kube-scheduler keeps between cycles).
pub fn schedule_one(
    pod: &StoredPod,
    snapshot: &Snapshot,
    config: &Config,
    rng: &mut impl RngCore,
) -> ScheduleResult {
    run_cycle(pod, snapshot, config, 0, rng)
}

/// Whether a filter plugin has work for this pod (PreFilter returned Skip otherwise, and
/// score-only plugins never filter).
fn filter_runs(plugin: PluginName, state: &CycleState<'_>) -> bool {
    match plugin {
        PluginName::NodeUnschedulable
        | PluginName::NodeName
        | PluginName::TaintToleration
        | PluginName::NodeResourcesFit => true,
        PluginName::NodeAffinity => !state.required_affinity.is_empty(),
        PluginName::PodTopologySpread => !pod_topology_spread::skips_filter(state),
        PluginName::PrioritySort
        | PluginName::DefaultPreemption
        | PluginName::NodeResourcesBalancedAllocation
        | PluginName::ImageLocality
        | PluginName::DefaultBinder => false,
    }
}

fn run_filter_plugin(
    plugin: PluginName,
    state: &CycleState<'_>,
    spread: &PreFilterState,
    node: &NodeInfo,
) -> Status {
    match plugin {
        PluginName::NodeUnschedulable => node_unschedulable::filter(state, node),
        PluginName::NodeName => node_name::filter(state, node),
        PluginName::TaintToleration => taint_toleration::filter(state, node),
        PluginName::NodeAffinity => node_affinity::filter(state, node),
        PluginName::NodeResourcesFit => node_resources_fit::filter(state, node),
        PluginName::PodTopologySpread => pod_topology_spread::filter_with(state, spread, node),
        PluginName::PrioritySort
        | PluginName::DefaultPreemption
        | PluginName::NodeResourcesBalancedAllocation
        | PluginName::ImageLocality
        | PluginName::DefaultBinder => Status::success(),
    }
}

/// Runs the filter plugins that have work for this pod, in order, stopping at the first
/// failure: `None` when the node fits, else the failing plugin's position in `active` and
/// its status (every plugin before it passed).
fn run_filters(
    active: &[PluginName],
    state: &CycleState<'_>,
    spread: &PreFilterState,
    node: &NodeInfo,
) -> Option<(usize, Status)> {
    active.iter().enumerate().find_map(|(position, &plugin)| {
        if passes_trivially(plugin, state, node) {
            return None;
        }
        let status = run_filter_plugin(plugin, state, spread, node);
        (!status.is_success()).then_some((position, status))
    })
}

/// Whether `plugin` passes `node` for a reason seen without running it: the first success
/// branch of its filter (a schedulable node, no `spec.nodeName` or this node's name, a node
/// without taints). The filters run for every pod on up to hundreds of nodes each, so the
/// common case skips building and dropping a [`Status`]; any other case runs the plugin.
fn passes_trivially(plugin: PluginName, state: &CycleState<'_>, node: &NodeInfo) -> bool {
    match plugin {
        PluginName::NodeUnschedulable => !node.unschedulable,
        PluginName::NodeName => state.node_name.is_none_or(|name| name == node.name),
        PluginName::TaintToleration => node.taints.is_empty(),
        PluginName::NodeResourcesFit => node_resources_fit::fits(state, node),
        PluginName::NodeAffinity
        | PluginName::PodTopologySpread
        | PluginName::PrioritySort
        | PluginName::DefaultPreemption
        | PluginName::NodeResourcesBalancedAllocation
        | PluginName::ImageLocality
        | PluginName::DefaultBinder => false,
    }
}

/// The filters [`passes_trivially`] can pass without running them: the four always-on ones
/// (a pod whose active filters are all of these is filtered by one expression per node).
fn has_trivial_pass(plugin: PluginName) -> bool {
    match plugin {
        PluginName::NodeUnschedulable
        | PluginName::NodeName
        | PluginName::TaintToleration
        | PluginName::NodeResourcesFit => true,
        PluginName::NodeAffinity
        | PluginName::PodTopologySpread
        | PluginName::PrioritySort
        | PluginName::DefaultPreemption
        | PluginName::NodeResourcesBalancedAllocation
        | PluginName::ImageLocality
        | PluginName::DefaultBinder => false,
    }
}

/// The filter plugins that ran on one node, each with its status, as the explanation lists
/// them: every plugin before the failing one passed.
fn filter_record(
    active: &[PluginName],
    failure: Option<&(usize, Status)>,
) -> Vec<(PluginName, Status)> {
    let passed = failure.map_or(active.len(), |(position, _)| *position);
    let mut ran: Vec<(PluginName, Status)> = active
        .iter()
        .take(passed)
        .map(|&plugin| (plugin, Status::success()))
        .collect();
    if let Some((position, status)) = failure {
        if let Some(&plugin) = active.get(*position) {
            ran.push((plugin, status.clone()));
        }
    }
    ran
}

fn run_cycle(
    pod: &StoredPod,
    snapshot: &Snapshot,
    config: &Config,
    start_index: usize,
    rng: &mut impl RngCore,
) -> ScheduleResult {
    let mut explanation = Explanation::default();
    let num_all_nodes = snapshot.num_nodes();
    if num_all_nodes == 0 {
        return ScheduleResult {
            decision: Decision::NoNodesAvailable,
            explanation,
        };
    }
    // PreFilter.
    let mut state = match CycleState::new(pod) {
        Ok(state) => state,
        Err(error) => {
            return ScheduleResult {
                decision: Decision::Error(error),
                explanation,
            }
        }
    };
    if config
        .filter_plugins
        .contains(&PluginName::PodTopologySpread)
        && !pod_topology_spread::skips_filter(&state)
    {
        pod_topology_spread::pre_filter(&mut state, snapshot);
    }
    let active: Vec<PluginName> = config
        .filter_plugins
        .iter()
        .copied()
        .filter(|&plugin| filter_runs(plugin, &state))
        .collect();

    // Filter: from the rotating start index until enough nodes fit.
    let num_nodes_to_find =
        num_feasible_nodes_to_find(config.percentage_of_nodes_to_score, num_all_nodes);
    let nodes = snapshot.nodes();
    let mut feasible: Vec<&NodeInfo> = Vec::with_capacity(num_nodes_to_find.min(num_all_nodes));
    let mut failures: Vec<(&NodeInfo, (usize, Status))> = Vec::new();
    let start = start_index % num_all_nodes;
    let in_turn = nodes.iter().skip(start).chain(nodes.iter().take(start));
    // Most pods only meet the four always-on filters and name no node: then a node that is
    // schedulable, untainted and has room passes them all, read in one test.
    let only_basic_filters =
        state.node_name.is_none() && active.iter().all(|&plugin| has_trivial_pass(plugin));
    for node in in_turn {
        if feasible.len() >= num_nodes_to_find {
            break;
        }
        if only_basic_filters
            && !node.unschedulable
            && node.taints.is_empty()
            && node_resources_fit::fits(&state, node)
        {
            feasible.push(node);
            continue;
        }
        match run_filters(&active, &state, &state.spread_filter, node) {
            None => feasible.push(node),
            Some(failure) => failures.push((node, failure)),
        }
    }
    explanation.evaluated_nodes = feasible.len() + failures.len();
    explanation.feasible_nodes = feasible.len();

    if feasible.is_empty() {
        if config.explain {
            record_explanation(
                &mut explanation,
                config,
                &active,
                &feasible,
                &failures,
                None,
                None,
            );
        }
        // PostFilter.
        let node_to_status: BTreeMap<String, Status> = failures
            .into_iter()
            .map(|(node, (_, status))| (node.name.clone(), status))
            .collect();
        let mut fit_error = FitError {
            num_all_nodes,
            node_to_status,
            absent_nodes_status: None,
            pre_filter_msg: None,
            post_filter_msg: None,
        };
        let mut nominated_node = None;
        if config.preemption {
            let rerun = |s: &CycleState<'_>, spread: &PreFilterState, node: &NodeInfo| {
                run_filters(&active, s, spread, node)
                    .map_or_else(Status::success, |(_, status)| status)
            };
            let result = default_preemption::post_filter(
                &state,
                snapshot,
                &fit_error.node_to_status,
                &rerun,
            );
            fit_error.post_filter_msg = Some(result.message().to_string());
            if let PostFilterResult::Nominated(nomination) = &result {
                nominated_node = Some(nomination.chosen.node.clone());
            }
            explanation.post_filter = Some(result);
        }
        return ScheduleResult {
            decision: Decision::Unschedulable {
                fit_error,
                nominated_node,
            },
            explanation,
        };
    }
    if let [only] = feasible.as_slice() {
        if config.explain {
            record_explanation(
                &mut explanation,
                config,
                &active,
                &feasible,
                &failures,
                None,
                Some(0),
            );
        }
        return ScheduleResult {
            decision: Decision::Scheduled {
                node: only.name.clone(),
            },
            explanation,
        };
    }

    // PreScore, Score, NormalizeScore, weights.
    let mut totals = vec![0i64; feasible.len()];
    let mut plugin_scores: Vec<ScoredPlugin> = Vec::new();
    if config.explain {
        for &(plugin, weight) in &config.score_plugins {
            let scored = score_plugin(plugin, &state, &feasible, snapshot);
            if let Some((_, normalized)) = &scored {
                for (total, normalized) in totals.iter_mut().zip(normalized) {
                    *total += *normalized * weight;
                }
            }
            plugin_scores.push((plugin, weight, scored));
        }
    } else {
        add_weighted_scores(
            &config.score_plugins,
            &state,
            &feasible,
            snapshot,
            &mut totals,
        );
    }

    // Select the host: the best total; ties broken by reservoir sampling with the RNG.
    let mut selected = 0;
    let mut best = i64::MIN;
    let mut count_of_best = 0u32;
    for (i, &total) in totals.iter().enumerate() {
        if total > best {
            best = total;
            selected = i;
            count_of_best = 1;
        } else if total == best {
            count_of_best += 1;
            if rng.next_u32() % count_of_best == 0 {
                selected = i;
            }
        }
    }
    if config.explain {
        record_explanation(
            &mut explanation,
            config,
            &active,
            &feasible,
            &failures,
            Some((&plugin_scores, &totals)),
            Some(selected),
        );
    }
    let node = feasible
        .get(selected)
        .map(|n| n.name.clone())
        .unwrap_or_default();
    ScheduleResult {
        decision: Decision::Scheduled { node },
        explanation,
    }
}

/// One score plugin's weight and its raw and normalised scores over the feasible nodes
/// (`None` when PreScore skipped it).
type ScoredPlugin = (PluginName, i64, Option<(Vec<i64>, Vec<i64>)>);

/// Records in `explanation` the nodes [`select_explained_nodes`] keeps: their filter
/// results, and for scored cycles their per-plugin scores and totals; the rest are counted
/// in [`Explanation::omitted`].
fn record_explanation(
    explanation: &mut Explanation,
    config: &Config,
    active: &[PluginName],
    feasible: &[&NodeInfo],
    failures: &[(&NodeInfo, (usize, Status))],
    scores: Option<(&[ScoredPlugin], &[i64])>,
    chosen: Option<usize>,
) {
    let feasible_names: Vec<&str> = feasible.iter().map(|n| n.name.as_str()).collect();
    let rejected: Vec<Rejection<'_>> = failures
        .iter()
        .map(|(node, (position, status))| (node.name.as_str(), *position, status))
        .collect();
    let listed = select_explained_nodes(
        config.explain_max_nodes,
        &feasible_names,
        scores.map(|(_, totals)| totals),
        chosen,
        &rejected,
    );
    for &i in &listed.feasible {
        let Some(node) = feasible.get(i) else {
            continue;
        };
        explanation
            .filter
            .insert(node.name.clone(), filter_record(active, None));
        let Some((plugins, totals)) = scores else {
            continue;
        };
        let per_plugin = plugins
            .iter()
            .map(|(plugin, weight, scored)| {
                let (raw, normalized) = match scored {
                    Some((raw, normalized)) => {
                        (raw.get(i).copied(), normalized.get(i).copied().unwrap_or(0))
                    }
                    None => (None, 0),
                };
                PluginScore {
                    plugin: *plugin,
                    raw,
                    normalized,
                    weighted: normalized * weight,
                }
            })
            .collect();
        explanation.score.insert(node.name.clone(), per_plugin);
        explanation
            .total_score
            .insert(node.name.clone(), totals.get(i).copied().unwrap_or(0));
    }
    for &i in &listed.filtered {
        if let Some((node, failure)) = failures.get(i) {
            explanation
                .filter
                .insert(node.name.clone(), filter_record(active, Some(failure)));
        }
    }
    explanation.omitted = listed.omitted;
}

/// Raw and normalised scores of one plugin over the feasible nodes, or `None` when the
/// plugin is skipped for this pod.
fn score_plugin(
    plugin: PluginName,
    state: &CycleState<'_>,
    feasible: &[&NodeInfo],
    snapshot: &Snapshot,
) -> Option<(Vec<i64>, Vec<i64>)> {
    let each = |f: &dyn Fn(&NodeInfo) -> i64| feasible.iter().map(|n| f(n)).collect::<Vec<i64>>();
    match plugin {
        PluginName::TaintToleration => {
            let raw = each(&|n| taint_toleration::score(state, n));
            let mut normalized = raw.clone();
            taint_toleration::normalize_score(&mut normalized);
            Some((raw, normalized))
        }
        PluginName::NodeAffinity => {
            if !state.preferred_affinity.is_present() {
                return None;
            }
            let raw = each(&|n| node_affinity::score(state, n));
            let mut normalized = raw.clone();
            node_affinity::normalize_score(&mut normalized);
            Some((raw, normalized))
        }
        PluginName::NodeResourcesFit => {
            let raw = each(&|n| node_resources_fit::score(state, n));
            Some((raw.clone(), raw))
        }
        PluginName::PodTopologySpread => {
            if pod_topology_spread::skips_score(state) {
                return None;
            }
            let pre = pod_topology_spread::pre_score(state, feasible, snapshot);
            let raw = each(&|n| pod_topology_spread::score(state, &pre, n));
            let ignored: Vec<bool> = feasible
                .iter()
                .map(|n| pod_topology_spread::is_ignored(&pre, n))
                .collect();
            let mut normalized = raw.clone();
            pod_topology_spread::normalize_score(&mut normalized, &ignored);
            Some((raw, normalized))
        }
        PluginName::NodeResourcesBalancedAllocation => {
            if balanced_allocation::skips(state) {
                return None;
            }
            let raw = each(&|n| balanced_allocation::score(state, n));
            Some((raw.clone(), raw))
        }
        PluginName::ImageLocality => {
            let images = image_locality::pod_images(state, snapshot);
            let raw = each(&|n| image_locality::score_with_ids(state, &images, n));
            Some((raw.clone(), raw))
        }
        PluginName::PrioritySort
        | PluginName::NodeUnschedulable
        | PluginName::NodeName
        | PluginName::DefaultPreemption
        | PluginName::DefaultBinder => None,
    }
}

/// Adds every score plugin's weighted, normalised score to `totals` (one per feasible node),
/// as the explained path does but without keeping each plugin's scores: the plugins whose
/// normalised score is their raw score (NodeResourcesFit, BalancedAllocation,
/// ImageLocality) are scored in one pass over the nodes, so each node is read once instead
/// of once per plugin, and a node whose numbers and the cycle's inputs are those of its last
/// pass reuses that pass's sum ([`score_memo`](super::score_memo)); the others go through
/// [`score_plugin`]. Integer sums do not depend on their order, so the totals are the same.
fn add_weighted_scores(
    score_plugins: &[(PluginName, i64)],
    state: &CycleState<'_>,
    feasible: &[&NodeInfo],
    snapshot: &Snapshot,
    totals: &mut [i64],
) {
    let (mut fit, mut balanced, mut images) = (0i64, 0i64, 0i64);
    for &(plugin, weight) in score_plugins {
        match plugin {
            PluginName::NodeResourcesFit => fit += weight,
            PluginName::NodeResourcesBalancedAllocation => {
                if !balanced_allocation::skips(state) {
                    balanced += weight;
                }
            }
            PluginName::ImageLocality => images += weight,
            // No feasible node tainted: every raw score is 0, which the reversed
            // normalisation turns into the maximum on every node.
            PluginName::TaintToleration if feasible.iter().all(|n| n.taints.is_empty()) => {
                for total in totals.iter_mut() {
                    *total += MAX_NODE_SCORE * weight;
                }
            }
            PluginName::TaintToleration
            | PluginName::NodeAffinity
            | PluginName::PodTopologySpread
            | PluginName::PrioritySort
            | PluginName::NodeUnschedulable
            | PluginName::NodeName
            | PluginName::DefaultPreemption
            | PluginName::DefaultBinder => {
                if let Some((_, normalized)) = score_plugin(plugin, state, feasible, snapshot) {
                    for (total, normalized) in totals.iter_mut().zip(normalized) {
                        *total += normalized * weight;
                    }
                }
            }
        }
    }
    if fit == 0 && balanced == 0 && images == 0 {
        return;
    }
    let pod_images = if images != 0 {
        image_locality::pod_images(state, snapshot)
    } else {
        Vec::new()
    };
    let inputs_id = snapshot.score_inputs_id(ScoreInputs {
        weights: [fit, balanced, images],
        requested: state.resources.requested,
        non_zero_requested: state.resources.non_zero_requested,
        num_containers: state.num_containers,
        images: pod_images
            .iter()
            .map(|&(id, spread)| (id, spread.to_bits()))
            .collect(),
    });
    for (total, node) in totals.iter_mut().zip(feasible) {
        *total += node.score_memo.total(
            inputs_id,
            node.allocatable,
            node.requested,
            node.non_zero_requested,
            || {
                let mut sum = 0;
                if fit != 0 {
                    sum += node_resources_fit::score(state, node) * fit;
                }
                if balanced != 0 {
                    sum += balanced_allocation::score(state, node) * balanced;
                }
                if images != 0 {
                    sum += image_locality::score_with_ids(state, &pod_images, node) * images;
                }
                sum
            },
        );
    }
}

/// Whether a code means the node was rejected.
pub fn is_rejected(code: Code) -> bool {
    match code {
        Code::Unschedulable | Code::UnschedulableAndUnresolvable => true,
        Code::Success | Code::Skip => false,
    }
}

#[cfg(test)]
mod fast_path_tests {
    use super::*;
    use crate::scheduler::snapshot::Resources;
    use k8s_openapi::api::core::v1::Taint;

    fn pod(spec: serde_json::Value) -> StoredPod {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": "p", "namespace": "default"},
            "spec": spec,
        }))
        .expect("test pod is valid")
    }

    #[test]
    fn a_filter_passed_trivially_is_one_the_plugin_itself_passes() {
        let pods = [
            pod(serde_json::json!({"containers": []})),
            pod(serde_json::json!({"containers": [], "nodeName": "a"})),
            pod(serde_json::json!({"containers": [], "nodeName": "b"})),
            pod(serde_json::json!({"containers": [], "tolerations": [
                {"key": "k", "operator": "Exists", "effect": "NoSchedule"}]})),
        ];
        let mut nodes = Vec::new();
        for unschedulable in [false, true] {
            for tainted in [false, true] {
                let mut node = NodeInfo::new(
                    "a",
                    Resources {
                        milli_cpu: 1000,
                        memory_bytes: 1 << 30,
                    },
                    110,
                );
                node.unschedulable = unschedulable;
                if tainted {
                    node.taints.push(Taint {
                        key: "k".into(),
                        effect: "NoSchedule".into(),
                        ..Taint::default()
                    });
                }
                nodes.push(node);
            }
        }
        let mut trivial = 0;
        for pod in &pods {
            let state = CycleState::new(pod).expect("cycle state");
            for node in &nodes {
                for plugin in [
                    PluginName::NodeUnschedulable,
                    PluginName::NodeName,
                    PluginName::TaintToleration,
                ] {
                    let status = run_filter_plugin(plugin, &state, &state.spread_filter, node);
                    if passes_trivially(plugin, &state, node) {
                        trivial += 1;
                        assert!(status.is_success(), "{plugin:?} on {node:?} for {pod:?}");
                    }
                }
            }
        }
        // The fast path is taken in most of these cases (not only never wrong).
        assert!(trivial > 24, "{trivial}");
    }

    #[test]
    fn node_resources_fit_passes_trivially_exactly_when_its_filter_passes() {
        let pods = [
            pod(serde_json::json!({"containers": [{"name": "c"}]})),
            pod(
                serde_json::json!({"containers": [{"name": "c", "resources": {
                "requests": {"cpu": "500m", "memory": "512Mi"}}}]}),
            ),
            pod(
                serde_json::json!({"containers": [{"name": "c", "resources": {
                "requests": {"cpu": "2", "memory": "100Mi"}}}]}),
            ),
            pod(
                serde_json::json!({"containers": [{"name": "c", "resources": {
                "requests": {"memory": "2Gi"}}}]}),
            ),
        ];
        let mut nodes = Vec::new();
        for (used_cpu, used_memory, pods_on_node) in [
            (0, 0, 0),
            (600, 0, 0),
            (0, 600 << 20, 0),
            (0, 0, 2),
            (1000, 1 << 30, 1),
        ] {
            let mut node = NodeInfo::new(
                "a",
                Resources {
                    milli_cpu: 1000,
                    memory_bytes: 1 << 30,
                },
                2,
            );
            node.requested = Resources {
                milli_cpu: used_cpu,
                memory_bytes: used_memory,
            };
            for i in 0..pods_on_node {
                let summary = pod(serde_json::json!({"containers": []}));
                let mut summary =
                    crate::scheduler::snapshot::PodSummary::from_pod(&summary).expect("summary");
                summary.name = format!("p{i}");
                node.pods.push(summary);
            }
            nodes.push(node);
        }
        let (mut passed, mut failed) = (0, 0);
        for pod in &pods {
            let state = CycleState::new(pod).expect("cycle state");
            for node in &nodes {
                let plugin = PluginName::NodeResourcesFit;
                let status = run_filter_plugin(plugin, &state, &state.spread_filter, node);
                assert_eq!(
                    passes_trivially(plugin, &state, node),
                    status.is_success(),
                    "{status:?} on {node:?} for {pod:?}"
                );
                if status.is_success() {
                    passed += 1;
                } else {
                    failed += 1;
                }
            }
        }
        assert!(passed > 3 && failed > 3, "{passed} passed, {failed} failed");
    }

    #[test]
    fn remembered_scores_choose_the_same_nodes_as_scoring_every_node_afresh() {
        use crate::scheduler::snapshot::PodSummary;
        use crate::sim::rng::SimRng;
        let mut nodes = Vec::new();
        for i in 0..12i64 {
            let mut node = NodeInfo::new(
                &format!("n{i:02}"),
                Resources {
                    milli_cpu: 1000 + 500 * (i % 3),
                    memory_bytes: (1 << 30) * (1 + i % 4),
                },
                110,
            );
            if i % 4 == 0 {
                node.images.insert("nginx:1.25".into(), 700 << 20);
            }
            nodes.push(node);
        }
        // The explained path scores every node afresh, plugin by plugin; the other one
        // reuses each node's remembered sum where its inputs did not change.
        let mut remembered = Snapshot::new(nodes.clone());
        let mut afresh = Snapshot::new(nodes);
        let mut with_memo = Scheduler::new(Config {
            explain: false,
            ..Config::default()
        });
        let mut without_memo = Scheduler::new(Config {
            explain: true,
            ..Config::default()
        });
        let (mut rng_a, mut rng_b) = (SimRng::seed_from(3), SimRng::seed_from(3));
        let mut nodes_used = std::collections::BTreeSet::new();
        for i in 0..240usize {
            let cpu = [10, 10, 10, 250, 10][i % 5];
            let image = if i % 7 == 0 { "redis:7" } else { "nginx:1.25" };
            let mut pod = pod(serde_json::json!({"containers": [{
                "name": "c", "image": image,
                "resources": {"requests": {"cpu": format!("{cpu}m"), "memory": "16Mi"}}}]}));
            pod.metadata_mut().name = Some(format!("p{i}"));
            let a = with_memo.schedule_one(&pod, &remembered, &mut rng_a);
            let b = without_memo.schedule_one(&pod, &afresh, &mut rng_b);
            assert_eq!(a.decision, b.decision, "pod {i}");
            if let Decision::Scheduled { node } = &a.decision {
                let summary = PodSummary::from_pod(&pod).expect("summary");
                remembered.add_pod(node, summary.clone()).expect("node");
                afresh.add_pod(node, summary).expect("node");
                nodes_used.insert(node.clone());
            }
            if i == 80 {
                // A node pulls an image: its images are renumbered, the spreads change.
                remembered.add_image("n05", "redis:7", 30 << 20);
                afresh.add_image("n05", "redis:7", 30 << 20);
            }
            if i == 120 {
                // One node loses the image and another gains it: every spread stays as it
                // was, only those two nodes' image scores change.
                for snapshot in [&mut remembered, &mut afresh] {
                    let mut info = snapshot.get("n00").expect("n00").clone();
                    info.images.clear();
                    snapshot.upsert_node(info);
                    snapshot.add_image("n01", "nginx:1.25", 700 << 20);
                }
            }
            if i == 160 {
                // A pod leaves a node.
                let (namespace, name) = ("default", "p3");
                for snapshot in [&mut remembered, &mut afresh] {
                    let node = snapshot
                        .nodes()
                        .iter()
                        .find(|n| n.pods.iter().any(|p| p.name == name))
                        .map(|n| n.name.clone())
                        .expect("p3 was placed");
                    snapshot.remove_pod(&node, namespace, name).expect("p3");
                }
            }
        }
        assert!(nodes_used.len() > 6, "{nodes_used:?}");
    }
}
