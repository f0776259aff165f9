//! What the scheduler-explain view shows for one pod: every node's filter verdict, each
//! feasible node's score per plugin, and why a pending pod waits.
//!
//! kube-scheduler (the core's [`kubeplay_core::scheduler::component`]) stamps each pod it
//! tries to place with the kube-scheduler-simulator annotations: `filter-result` (node →
//! filter plugin → `"passed"` or the failure message), `score-result` (node → score plugin →
//! raw score) and `finalscore-result` (node → score plugin → normalised score × weight).
//! [`explain_annotations`] turns those three JSON maps into one [`NodeExplanation`] per node
//! (pure, tested without a world); [`SchedulingExplanation::read`] reads the pod from the
//! store or the live mirror (no API request, so the trace does not depend on rendering), adds its
//! `PodScheduled=False` message (the `FailedScheduling` text), its nominated node and the
//! scheduler's trace notes about it (preemption).
//!
//! On big clusters the scheduler lists at most `explain_max_nodes` (100) of the nodes it
//! evaluated and counts the rest in `kubeplay.dev/explain-omitted-nodes`; the view then shows
//! the listed nodes and, in [`UnlistedNodes`], how many more there were and why they failed,
//! rather than calling the unlisted ones "not evaluated".
//!
//! The picker lists every pod ([`pod_choices`]), or, when live mode mirrors a big cluster's
//! summaries, at most [`MAX_SUMMARY_CHOICES`] of them under a name filter
//! ([`summary_pod_choices`] says which); the summary mirror keeps a [`SummaryChoiceIndex`]
//! current with each stream line, so a render lists them without reading every pod.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use std::sync::Arc;

use crate::cluster::ObjectSource;
use crate::i18n::Key;
use crate::inspector::ObjectRef;
use crate::live::summary::PodSummary;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kubeplay_core::api::objects::{Kind, Object, StoredPod};
use kubeplay_core::scheduler::component::TRACE_COMPONENT;
use kubeplay_core::scheduler::explain::OmittedNodes;
use kubeplay_core::scheduler::framework::{
    FILTER_RESULT_ANNOTATION, FINAL_SCORE_RESULT_ANNOTATION, OMITTED_NODES_ANNOTATION,
    PASSED_FILTER_MESSAGE, SCORE_RESULT_ANNOTATION,
};
use kubeplay_core::scheduler::Config;
use kubeplay_core::sim::trace::TraceRecord;

/// A pod the learner can pick.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodChoice {
    /// The pod's namespace.
    pub namespace: String,
    /// The pod's name.
    pub name: String,
    /// The node it is bound to; None while pending.
    pub node: Option<String>,
}

impl PodChoice {
    /// `namespace/name`, the key the picker and the trace notes use.
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// Every pod, pending ones first (they are the interesting ones), then by namespace and name.
pub fn pod_choices<'a>(source: impl Into<ObjectSource<'a>>) -> Vec<PodChoice> {
    let mut choices: Vec<PodChoice> = source
        .into()
        .objects(Kind::Pod)
        .iter()
        .filter_map(|object| match object.as_ref() {
            Object::Pod(pod) => Some(PodChoice {
                namespace: pod.metadata.namespace.clone().unwrap_or_default(),
                name: pod.metadata.name.clone().unwrap_or_default(),
                node: pod
                    .node_name()
                    .filter(|n| !n.is_empty())
                    .map(str::to_string),
            }),
            _ => None,
        })
        .collect();
    choices.sort_by(|a, b| {
        (a.node.is_some(), &a.namespace, &a.name).cmp(&(b.node.is_some(), &b.namespace, &b.name))
    });
    choices
}

/// The most pods the picker lists from a big live cluster's summaries (a `<select>` of
/// 30,000 options is no picker); the pod picked on the canvas is always listed too.
pub const MAX_SUMMARY_CHOICES: usize = 200;

/// The picker's pods in [`crate::live::MirrorMode::Summary`]: what is listed, out of how many.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SummaryChoices {
    /// The listed pods: pending ones first, then by namespace and name, at most
    /// [`MAX_SUMMARY_CHOICES`] (plus the pod picked in the cluster view).
    pub choices: Vec<PodChoice>,
    /// How many pods match the filter.
    pub matching: usize,
    /// How many pods the cluster has.
    pub total: usize,
}

/// Lists the pods of a big live cluster from their summaries: those whose `namespace/name`
/// contains `filter` (any case), pending ones first, then (when a node is `selected` in the
/// cluster view: the canvas picks nodes) that node's pods, then the others, each group by
/// namespace and name, capped at [`MAX_SUMMARY_CHOICES`]. A pod `selected` in the cluster
/// view comes first even when the cap or the filter would leave it out.
///
/// This reads every pod: the view lists from a [`SummaryChoiceIndex`] kept current with the
/// stream instead, and this is what the index's listing is checked against.
#[cfg_attr(not(test), allow(dead_code))]
pub fn summary_pod_choices<'a>(
    pods: impl Iterator<Item = &'a PodSummary>,
    filter: &str,
    selected: Option<&ObjectRef>,
) -> SummaryChoices {
    let filter = filter.trim().to_lowercase();
    let choice = |pod: &PodSummary| PodChoice {
        namespace: pod.namespace.clone(),
        name: pod.name.clone(),
        node: pod.node_name.clone().filter(|n| !n.is_empty()),
    };
    let selected_pod = selected.filter(|s| s.kind == Kind::Pod);
    let selected_node = selected
        .filter(|s| s.kind == Kind::Node)
        .map(|s| s.name.as_str());
    let mut total = 0;
    let mut matching = 0;
    // Pending, on the selected node, the others: each kept up to the cap, enough to fill
    // the list whichever groups are empty.
    let mut groups: [Vec<PodChoice>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    let mut picked = None;
    for pod in pods {
        total += 1;
        let matches = filter.is_empty()
            || format!("{}/{}", pod.namespace, pod.name)
                .to_lowercase()
                .contains(&filter);
        if matches {
            matching += 1;
        }
        if selected_pod.is_some_and(|s| s.namespace == pod.namespace && s.name == pod.name) {
            picked = Some(choice(pod));
            continue;
        }
        if !matches {
            continue;
        }
        let node = pod.node_name.as_deref().filter(|n| !n.is_empty());
        let group = match node {
            None => 0,
            Some(node) if Some(node) == selected_node => 1,
            Some(_) => 2,
        };
        if let Some(list) = groups.get_mut(group) {
            if list.len() < MAX_SUMMARY_CHOICES {
                list.push(choice(pod));
            }
        }
    }
    let mut choices: Vec<PodChoice> = picked.into_iter().collect();
    let [pending, on_node, others] = groups;
    choices.extend(
        pending
            .into_iter()
            .chain(on_node)
            .chain(others)
            .take(MAX_SUMMARY_CHOICES),
    );
    SummaryChoices {
        choices,
        matching,
        total,
    }
}

/// A pod's key in the summary mirror: (namespace, name).
type PodKey = (Box<str>, Box<str>);

/// The summary mirror's pods, by (namespace, name).
pub type SummaryPods = BTreeMap<(String, String), PodSummary>;

/// What the picker lists from: the filter (trimmed, in lower case, as [`summary_pod_choices`]
/// matches it) and the node picked on the canvas.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct ChoiceQuery {
    filter: String,
    node: Option<String>,
}

/// The three groups of [`summary_pod_choices`], in the order they are listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ChoiceGroup {
    /// No node yet (or an empty one).
    Pending,
    /// On the node picked on the canvas.
    OnNode,
    /// On another node.
    Other,
}

impl ChoiceQuery {
    fn new(filter: &str, selected: Option<&ObjectRef>) -> ChoiceQuery {
        ChoiceQuery {
            filter: filter.trim().to_lowercase(),
            node: selected
                .filter(|s| s.kind == Kind::Node)
                .map(|s| s.name.clone()),
        }
    }

    /// Whether `namespace/name` contains the filter (any case).
    fn matches(&self, namespace: &str, name: &str) -> bool {
        self.filter.is_empty()
            || format!("{namespace}/{name}")
                .to_lowercase()
                .contains(&self.filter)
    }

    /// The group of a pod on `node`.
    fn group(&self, node: Option<&str>) -> ChoiceGroup {
        match node.filter(|n| !n.is_empty()) {
            None => ChoiceGroup::Pending,
            Some(node) if Some(node) == self.node.as_deref() => ChoiceGroup::OnNode,
            Some(_) => ChoiceGroup::Other,
        }
    }
}

/// The pods matching the picker's current query, by group, each in (namespace, name) order.
#[derive(Clone, Debug, Default)]
struct ChoiceSets {
    query: ChoiceQuery,
    pending: BTreeSet<PodKey>,
    on_node: BTreeSet<PodKey>,
    /// With a filter: the matching pods bound to other nodes, with their node. Without one it
    /// stays empty (it would hold nearly every pod): the listing walks the mirror's pods
    /// instead, skipping the pending ones and those on the picked node, and it only gets that
    /// far when those two groups hold fewer than [`MAX_SUMMARY_CHOICES`] pods, so it skips
    /// fewer than that many.
    others: BTreeMap<PodKey, Box<str>>,
    /// The last listing: the mirror's pods version and the cluster view's pick it was made
    /// for (the query is `query`: a new one clears this).
    last: Option<(u64, Option<ObjectRef>, Rc<SummaryChoices>)>,
}

impl ChoiceSets {
    /// Reads every pod for `query` (a list, or a new query).
    fn fill(&mut self, query: ChoiceQuery, pods: &SummaryPods) {
        *self = ChoiceSets {
            query,
            ..ChoiceSets::default()
        };
        for ((namespace, name), pod) in pods {
            self.insert(namespace, name, pod.node_name.as_deref());
        }
    }

    fn insert(&mut self, namespace: &str, name: &str, node: Option<&str>) {
        if !self.query.matches(namespace, name) {
            return;
        }
        // The key is made only where it is kept (without a filter most pods are not).
        let key = || (namespace.into(), name.into());
        match self.query.group(node) {
            ChoiceGroup::Pending => {
                self.pending.insert(key());
            }
            ChoiceGroup::OnNode => {
                self.on_node.insert(key());
            }
            ChoiceGroup::Other if self.query.filter.is_empty() => {}
            ChoiceGroup::Other => {
                self.others.insert(key(), node.unwrap_or_default().into());
            }
        }
    }

    fn remove(&mut self, namespace: &str, name: &str, node: Option<&str>) {
        if !self.query.matches(namespace, name) {
            return;
        }
        let key: PodKey = (namespace.into(), name.into());
        match self.query.group(node) {
            ChoiceGroup::Pending => {
                self.pending.remove(&key);
            }
            ChoiceGroup::OnNode => {
                self.on_node.remove(&key);
            }
            ChoiceGroup::Other => {
                self.others.remove(&key);
            }
        }
    }

    /// The listing for the current query: what [`summary_pod_choices`] reads from every pod,
    /// here from walking the groups in order and stopping at [`MAX_SUMMARY_CHOICES`].
    fn list(&self, pods: &SummaryPods, selected: Option<&ObjectRef>) -> SummaryChoices {
        let selected_pod = selected.filter(|s| s.kind == Kind::Pod);
        let is_picked = |namespace: &str, name: &str| {
            selected_pod.is_some_and(|s| s.namespace == namespace && s.name == name)
        };
        let mut choices: Vec<PodChoice> = selected_pod
            .and_then(|s| pods.get(&(s.namespace.clone(), s.name.clone())))
            .map(|pod| PodChoice {
                namespace: pod.namespace.clone(),
                name: pod.name.clone(),
                node: pod.node_name.clone().filter(|n| !n.is_empty()),
            })
            .into_iter()
            .collect();
        let limit = choices.len() + MAX_SUMMARY_CHOICES;
        let grouped = self
            .pending
            .iter()
            .map(|(namespace, name)| (&**namespace, &**name, None))
            .chain(
                self.on_node
                    .iter()
                    .map(|(namespace, name)| (&**namespace, &**name, self.query.node.as_deref())),
            );
        let others: Box<dyn Iterator<Item = (&str, &str, Option<&str>)>> =
            if self.query.filter.is_empty() {
                Box::new(pods.values().filter_map(|pod| {
                    let node = pod.node_name.as_deref();
                    (self.query.group(node) == ChoiceGroup::Other).then_some((
                        pod.namespace.as_str(),
                        pod.name.as_str(),
                        node,
                    ))
                }))
            } else {
                Box::new(
                    self.others
                        .iter()
                        .map(|((namespace, name), node)| (&**namespace, &**name, Some(&**node))),
                )
            };
        for (namespace, name, node) in grouped.chain(others) {
            if choices.len() >= limit {
                break;
            }
            if is_picked(namespace, name) {
                continue;
            }
            choices.push(PodChoice {
                namespace: namespace.to_string(),
                name: name.to_string(),
                node: node.map(str::to_string),
            });
        }
        let matching = if self.query.filter.is_empty() {
            pods.len()
        } else {
            self.pending.len() + self.on_node.len() + self.others.len()
        };
        SummaryChoices {
            choices,
            matching,
            total: pods.len(),
        }
    }
}

/// The scheduler-explain picker's pods of a live summary mirror, kept current line by line:
/// for the last filter and node pick, the matching pending pods, those on the picked node
/// and (with a filter) the others, each in (namespace, name) order. A listing then walks
/// them in order and stops at [`MAX_SUMMARY_CHOICES`], and the counts are the groups' sizes,
/// so a render costs nothing proportional to the cluster; what it lists is always what
/// [`summary_pod_choices`] reads from every pod (the tests check it line by line). A new
/// filter or node pick reads every pod once; a stream line moves one pod between groups.
///
/// Why: streaming summaries render the view several times a second, and reading 30,000 pod
/// summaries at each render was the explain panel's whole cost in the live profile.
///
/// The groups sit behind a `RefCell` because the query comes from the view's render, which
/// reads the mirror through a shared borrow; nothing here borrows it twice.
#[derive(Clone, Debug, Default)]
pub struct SummaryChoiceIndex {
    sets: RefCell<ChoiceSets>,
}

impl SummaryChoiceIndex {
    /// Reads every pod again (a new list).
    pub fn rebuild(&mut self, pods: &SummaryPods) {
        let sets = self.sets.get_mut();
        let query = std::mem::take(&mut sets.query);
        sets.fill(query, pods);
    }

    /// One pod's summary changed from `old` to `new` (None: not there), both with the same
    /// key. Call it before the mirror stores `new`.
    pub fn pod_changed(&mut self, old: Option<&PodSummary>, new: Option<&PodSummary>) {
        // The last listing stays until the next one replaces it (the pods version moved): the
        // view may still hold it, and freeing 200 choices is a render's work, not a line's.
        let sets = self.sets.get_mut();
        if let Some(old) = old {
            sets.remove(&old.namespace, &old.name, old.node_name.as_deref());
        }
        if let Some(new) = new {
            sets.insert(&new.namespace, &new.name, new.node_name.as_deref());
        }
    }

    /// The picker's pods as [`summary_pod_choices`] lists them from `pods` (the mirror's
    /// pods, at `version`, which moves with each of their changes): the same `Rc` while the
    /// pods, the filter and the pick stay as they were.
    pub fn choices(
        &self,
        pods: &SummaryPods,
        version: u64,
        filter: &str,
        selected: Option<&ObjectRef>,
    ) -> Rc<SummaryChoices> {
        let mut sets = self.sets.borrow_mut();
        let query = ChoiceQuery::new(filter, selected);
        if sets.query != query {
            sets.fill(query, pods);
        }
        if let Some((seen, seen_selected, choices)) = &sets.last {
            if *seen == version && seen_selected.as_ref() == selected {
                return Rc::clone(choices);
            }
        }
        let choices = Rc::new(sets.list(pods, selected));
        sets.last = Some((version, selected.cloned(), Rc::clone(&choices)));
        choices
    }
}

/// What the filters said about one node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FilterVerdict {
    /// Every filter plugin passed: the node could run the pod.
    Feasible,
    /// A filter plugin rejected the node (the framework stops at the first one).
    Filtered {
        /// The plugin (`NodeResourcesFit`).
        plugin: String,
        /// Its message (`Insufficient cpu`).
        message: String,
    },
    /// The scheduler did not look at the node (it had found enough feasible nodes, or the
    /// node joined after the attempt).
    NotEvaluated,
}

/// One score plugin's contribution on one node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginScore {
    /// The plugin (`NodeResourcesFit`).
    pub plugin: String,
    /// The plugin's weight in the default profile, when known.
    pub weight: Option<i64>,
    /// The raw score the plugin gave (`score-result`).
    pub raw: Option<i64>,
    /// Normalised score × weight (`finalscore-result`), what enters the sum.
    pub weighted: Option<i64>,
}

/// Everything the scheduler decided about one node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeExplanation {
    /// The node's name.
    pub node: String,
    /// The filters' verdict.
    pub verdict: FilterVerdict,
    /// Each filter plugin that ran, in the order the profile runs them, with `passed` or
    /// its failure message.
    pub filters: Vec<(String, String)>,
    /// Each score plugin's scores, in the profile's order (empty unless feasible).
    pub scores: Vec<PluginScore>,
    /// The final score: the sum of the weighted scores (None unless scored).
    pub total: Option<i64>,
    /// Whether the pod went to this node.
    pub chosen: bool,
}

/// node → plugin → text, the shape of each simulator annotation.
type ResultMap = BTreeMap<String, BTreeMap<String, String>>;

fn result_map(annotations: &BTreeMap<String, String>, key: &str) -> Option<ResultMap> {
    serde_json::from_str(annotations.get(key)?).ok()
}

/// Where a plugin stands in `order` (unknown plugins after the known ones, by name).
fn rank(order: &[&str], plugin: &str) -> usize {
    order
        .iter()
        .position(|p| *p == plugin)
        .unwrap_or(order.len())
}

/// Turns the three simulator annotations into one explanation per node: feasible nodes by
/// final score (highest first), then the filtered ones, then those in `node_names` the
/// scheduler did not evaluate (only when the annotations list every evaluated node, see
/// [`unlisted_nodes`]). None when the pod carries no readable filter annotation (the
/// scheduler has not tried it yet).
pub fn explain_annotations(
    annotations: &BTreeMap<String, String>,
    node_names: &[String],
    chosen: Option<&str>,
) -> Option<Vec<NodeExplanation>> {
    let filter = result_map(annotations, FILTER_RESULT_ANNOTATION)?;
    let score = result_map(annotations, SCORE_RESULT_ANNOTATION).unwrap_or_default();
    let final_score = result_map(annotations, FINAL_SCORE_RESULT_ANNOTATION).unwrap_or_default();
    let config = Config::default();
    let filter_order: Vec<&str> = config.filter_plugins.iter().map(|p| p.as_str()).collect();
    let score_order: Vec<&str> = config
        .score_plugins
        .iter()
        .map(|(p, _)| p.as_str())
        .collect();
    let weight_of = |plugin: &str| {
        config
            .score_plugins
            .iter()
            .find(|(p, _)| p.as_str() == plugin)
            .map(|(_, w)| *w)
    };

    let mut names: Vec<&String> = filter.keys().chain(score.keys()).collect();
    // With nodes left out of the annotations, an unlisted node may have been evaluated:
    // only the counts in `UnlistedNodes` are known about them.
    if !annotations.contains_key(OMITTED_NODES_ANNOTATION) {
        names.extend(node_names);
    }
    names.sort();
    names.dedup();

    let mut nodes: Vec<NodeExplanation> = names
        .into_iter()
        .map(|node| {
            let mut filters: Vec<(String, String)> = filter
                .get(node)
                .map(|results| {
                    results
                        .iter()
                        .map(|(p, m)| (p.clone(), m.clone()))
                        .collect()
                })
                .unwrap_or_default();
            filters.sort_by(|(a, _), (b, _)| {
                (rank(&filter_order, a), a).cmp(&(rank(&filter_order, b), b))
            });
            let verdict = if !filter.contains_key(node) {
                FilterVerdict::NotEvaluated
            } else {
                match filters.iter().find(|(_, m)| m != PASSED_FILTER_MESSAGE) {
                    Some((plugin, message)) => FilterVerdict::Filtered {
                        plugin: plugin.clone(),
                        message: message.clone(),
                    },
                    None => FilterVerdict::Feasible,
                }
            };
            let raw = score.get(node);
            let weighted = final_score.get(node);
            let mut plugins: Vec<&String> = raw
                .iter()
                .flat_map(|m| m.keys())
                .chain(weighted.iter().flat_map(|m| m.keys()))
                .collect();
            plugins.sort_by(|a, b| (rank(&score_order, a), a).cmp(&(rank(&score_order, b), b)));
            plugins.dedup();
            let number = |map: Option<&BTreeMap<String, String>>, plugin: &str| {
                map.and_then(|m| m.get(plugin))
                    .and_then(|text| text.parse::<i64>().ok())
            };
            let scores: Vec<PluginScore> = plugins
                .into_iter()
                .map(|plugin| PluginScore {
                    plugin: plugin.clone(),
                    weight: weight_of(plugin),
                    raw: number(raw, plugin),
                    weighted: number(weighted, plugin),
                })
                .collect();
            let total = weighted.map(|_| scores.iter().filter_map(|s| s.weighted).sum());
            NodeExplanation {
                node: node.clone(),
                verdict,
                filters,
                scores,
                total,
                chosen: chosen == Some(node.as_str()),
            }
        })
        .collect();
    let order = |n: &NodeExplanation| match n.verdict {
        FilterVerdict::Feasible => 0,
        FilterVerdict::Filtered { .. } => 1,
        FilterVerdict::NotEvaluated => 2,
    };
    nodes.sort_by(|a, b| {
        (order(a), std::cmp::Reverse(a.total), &a.node).cmp(&(
            order(b),
            std::cmp::Reverse(b.total),
            &b.node,
        ))
    });
    Some(nodes)
}

/// How many node cards the explain view shows until the learner asks for the others. The
/// nodes come feasible first by final score (the chosen one on top), then filtered, then not
/// evaluated ([`explain_annotations`]), so the first ones say the most. A pod on a big
/// cluster is explained on dozens of nodes, and a card is ~100 elements: all of them were
/// made and laid out whenever the explained pod changed, the page's longest tasks at 1,000
/// nodes × 30,000 pods (BENCHMARKS.md, session 14; with 12, one run still had a render tick
/// of 55 ms at that moment).
pub const NODE_CARDS_FIRST: usize = 6;

/// The node cards to show: every one when `expanded`, else the first [`NODE_CARDS_FIRST`]
/// and the chosen node wherever it stands; and how many are left out.
pub fn shown_node_cards(
    nodes: &[NodeExplanation],
    expanded: bool,
) -> (Vec<&NodeExplanation>, usize) {
    if expanded || nodes.len() <= NODE_CARDS_FIRST {
        return (nodes.iter().collect(), 0);
    }
    let mut shown: Vec<&NodeExplanation> = nodes.iter().take(NODE_CARDS_FIRST).collect();
    shown.extend(nodes.iter().skip(NODE_CARDS_FIRST).filter(|n| n.chosen));
    let left_out = nodes.len() - shown.len();
    (shown, left_out)
}

/// The nodes a capped explanation does not list, counted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnlistedNodes {
    /// The evaluated nodes the scheduler left out: how many, how many were feasible, and
    /// the filter failure reasons of the others.
    pub omitted: OmittedNodes,
    /// The cluster's other nodes, which the scheduler did not evaluate (it had found enough
    /// feasible nodes), as far as the current node list tells.
    pub not_evaluated: usize,
}

impl UnlistedNodes {
    /// One line for the view: `320 more nodes not listed: 300 feasible with lower final
    /// scores, 12 Insufficient cpu, 8 node(s) were unschedulable.` (reasons as the
    /// `FailedScheduling` message prints them: count, then Kubernetes' text, sorted).
    pub fn summary(&self, text: &impl Fn(Key) -> &'static str) -> String {
        let count = |key: Key, n: usize| text(key).replace("{n}", &n.to_string());
        let mut parts = Vec::new();
        if self.omitted.feasible > 0 {
            parts.push(count(Key::NotListedFeasible, self.omitted.feasible));
        }
        let mut reasons: Vec<String> = self
            .omitted
            .reasons
            .iter()
            .map(|(reason, n)| format!("{n} {reason}"))
            .collect();
        reasons.sort();
        parts.extend(reasons);
        let mut line = count(Key::NodesNotListed, self.omitted.count);
        if !parts.is_empty() {
            line.push_str(": ");
            line.push_str(&parts.join(", "));
        }
        line.push('.');
        if self.not_evaluated > 0 {
            line.push(' ');
            line.push_str(&count(Key::NodesNotEvaluated, self.not_evaluated));
            line.push('.');
        }
        line
    }
}

/// What the annotations leave out, when the scheduler capped them
/// (`kubeplay.dev/explain-omitted-nodes`); None when they list every evaluated node.
pub fn unlisted_nodes(
    annotations: &BTreeMap<String, String>,
    node_names: &[String],
) -> Option<UnlistedNodes> {
    let omitted = OmittedNodes::from_json(annotations.get(OMITTED_NODES_ANNOTATION)?)?;
    let listed = result_map(annotations, FILTER_RESULT_ANNOTATION)
        .map(|filter| filter.keys().filter(|n| node_names.contains(n)).count())
        .unwrap_or(0);
    Some(UnlistedNodes {
        not_evaluated: node_names
            .len()
            .saturating_sub(listed)
            .saturating_sub(omitted.count),
        omitted,
    })
}

/// The whole view for one pod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchedulingExplanation {
    /// The pod's namespace.
    pub namespace: String,
    /// The pod's name.
    pub name: String,
    /// The node the pod is bound to.
    pub node: Option<String>,
    /// `status.nominatedNodeName` (preemption made room there).
    pub nominated_node: Option<String>,
    /// The `FailedScheduling` message (`0/3 nodes are available: 3 Insufficient cpu. …`)
    /// while the pod is unschedulable.
    pub failure: Option<String>,
    /// Per node; None before the scheduler's first attempt. An `Rc`: the view keeps it
    /// while what it is read from stays the same ([`ExplainMemo`]) and draws the node cards
    /// again only when it is a new one.
    pub nodes: Option<Rc<Vec<NodeExplanation>>>,
    /// The evaluated nodes `nodes` leaves out (big clusters), counted.
    pub unlisted: Option<UnlistedNodes>,
    /// The scheduler's trace notes naming the pod (preemption decisions), oldest first.
    pub notes: Rc<Vec<String>>,
}

/// The `PodScheduled=False` condition's message, as kube-scheduler wrote it.
fn unschedulable_message(pod: &StoredPod) -> Option<String> {
    pod.status
        .as_ref()?
        .conditions()
        .find(|c| c.type_() == "PodScheduled" && c.status() == "False")
        .and_then(|c| c.message().map(str::to_string))
        .filter(|m| !m.is_empty())
}

/// The annotations the per-node part of an explanation is read from.
const EXPLAIN_ANNOTATIONS: [&str; 4] = [
    FILTER_RESULT_ANNOTATION,
    SCORE_RESULT_ANNOTATION,
    FINAL_SCORE_RESULT_ANNOTATION,
    OMITTED_NODES_ANNOTATION,
];

/// The node a pod is bound to (None while pending).
fn bound_node(pod: &StoredPod) -> Option<&str> {
    pod.node_name().filter(|n| !n.is_empty())
}

/// What a pod's per-node explanation ([`explain_annotations`], [`unlisted_nodes`]) is read
/// from, besides the node names: its scheduler annotations and its node.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct PodInputs {
    /// The [`EXPLAIN_ANNOTATIONS`] the pod carries.
    annotations: BTreeMap<String, String>,
    /// The node it is bound to.
    node: Option<String>,
}

impl PodInputs {
    fn of(pod: &StoredPod) -> PodInputs {
        let annotations = pod.metadata.annotations.as_ref();
        PodInputs {
            annotations: EXPLAIN_ANNOTATIONS
                .iter()
                .filter_map(|key| {
                    let value = annotations?.get(*key)?;
                    Some(((*key).to_string(), value.clone()))
                })
                .collect(),
            node: bound_node(pod).map(str::to_string),
        }
    }

    /// Whether `pod` has these inputs (compared in place: the annotations are JSON maps of
    /// up to 100 nodes, not worth copying to find them unchanged).
    fn describe(&self, pod: &StoredPod) -> bool {
        let annotations = pod.metadata.annotations.as_ref();
        self.node.as_deref() == bound_node(pod)
            && EXPLAIN_ANNOTATIONS
                .iter()
                .all(|key| self.annotations.get(*key) == annotations.and_then(|a| a.get(*key)))
    }

    /// The per-node part of the explanation.
    fn explain(&self, node_names: &[String]) -> NodesPart {
        NodesPart {
            nodes: explain_annotations(&self.annotations, node_names, self.node.as_deref())
                .map(Rc::new),
            unlisted: unlisted_nodes(&self.annotations, node_names),
        }
    }
}

/// The per-node part of an explanation: what costs (JSON parsing, and the view's node cards).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct NodesPart {
    nodes: Option<Rc<Vec<NodeExplanation>>>,
    unlisted: Option<UnlistedNodes>,
}

/// The explanation's parts read straight from the pod: cheap, read at each render.
fn pod_head(
    namespace: &str,
    name: &str,
    pod: &StoredPod,
    part: NodesPart,
    notes: Rc<Vec<String>>,
) -> SchedulingExplanation {
    let node = bound_node(pod).map(str::to_string);
    SchedulingExplanation {
        namespace: namespace.to_string(),
        name: name.to_string(),
        failure: if node.is_none() {
            unschedulable_message(pod)
        } else {
            None
        },
        nominated_node: pod
            .status
            .as_ref()
            .and_then(|s| s.nominated_node_name())
            .filter(|n| !n.is_empty())
            .map(str::to_string),
        node,
        nodes: part.nodes,
        unlisted: part.unlisted,
        notes,
    }
}

/// The pod `namespace/name` of `source`, read without a request.
fn find_pod(source: &mut ObjectSource<'_>, namespace: &str, name: &str) -> Option<Arc<Object>> {
    source
        .object(Kind::Pod, namespace, name)
        .filter(|object| matches!(object.as_ref(), Object::Pod(_)))
}

/// The scheduler's note about the pod `key` in `record`, if it is one.
fn note_about<'r>(record: &'r TraceRecord, key: &str) -> Option<&'r String> {
    match record {
        TraceRecord::Note {
            component, message, ..
        } if component == TRACE_COMPONENT && mentions(message, key) => Some(message),
        _ => None,
    }
}

/// The trace records a source keeps, numbered: (the number of the first kept record, the
/// number the next one will get, the kept records from `since` on, oldest first). The
/// simulation numbers them from the world's first; live mode from the page's first read.
fn trace_since<'s>(
    source: &'s ObjectSource<'_>,
    since: u64,
) -> (u64, u64, Box<dyn Iterator<Item = &'s TraceRecord> + 's>) {
    match source {
        ObjectSource::Simulation(world) => {
            let trace = world.trace();
            let records = trace.records_since(since).map(|(_, record)| record);
            (trace.first_kept(), trace.len(), Box::new(records))
        }
        ObjectSource::Live(live) => {
            let end = live.trace.len();
            let kept = live.trace.kept();
            let first = end.saturating_sub(kept as u64);
            let skip = usize::try_from(since.saturating_sub(first)).unwrap_or(usize::MAX);
            (first, end, Box::new(live.trace.records().skip(skip)))
        }
    }
}

impl SchedulingExplanation {
    /// What to say when there are no per-node results: the scheduler has not tried yet, or —
    /// for a pod that is bound or was found unschedulable — none were written (a pod placed
    /// by `spec.nodeName`, or a server run with its scheduler annotations off).
    pub fn missing_nodes_key(&self) -> Key {
        if self.node.is_some() || self.failure.is_some() {
            Key::NoNodeResults
        } else {
            Key::NotTriedYet
        }
    }

    /// Reads the pod and what the scheduler said about it; None when it does not exist. The
    /// view reads through an [`ExplainMemo`] instead, which reads only what changed.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn read<'a>(
        source: impl Into<ObjectSource<'a>>,
        namespace: &str,
        name: &str,
    ) -> Option<SchedulingExplanation> {
        let mut source = source.into();
        let object = find_pod(&mut source, namespace, name)?;
        let Object::Pod(pod) = object.as_ref() else {
            return None;
        };
        let part = PodInputs::of(pod).explain(&source.node_names());
        let key = format!("{namespace}/{name}");
        let (_, _, records) = trace_since(&source, 0);
        let notes = records
            .filter_map(|record| note_about(record, &key).cloned())
            .collect();
        Some(pod_head(namespace, name, pod, part, Rc::new(notes)))
    }
}

/// The scheduler's notes about one pod, read from the trace as it grows.
#[derive(Debug, Default)]
struct NotesScan {
    /// The pod (`namespace/name`).
    key: String,
    /// Where the source's records are from: the simulation, or live mode.
    live: bool,
    /// The number of the next record to read.
    next: u64,
    /// The last record read (to tell a trace that was replaced by one as long: a session
    /// restored, time travel, another server).
    last: Option<TraceRecord>,
    /// The notes found, with their records' numbers.
    found: Vec<(u64, String)>,
    /// The notes as the view shows them (the same `Rc` while they stay the same).
    notes: Rc<Vec<String>>,
}

impl NotesScan {
    /// The notes about `key` among the records `source` keeps, reading only the records
    /// added since the last call for the same pod; returns how many records it read.
    fn update(&mut self, source: &ObjectSource<'_>, key: &str) -> u64 {
        let live = matches!(source, ObjectSource::Live(_));
        let (first, end, _) = trace_since(source, u64::MAX);
        let same_trace = self.key == key
            && self.live == live
            && end >= self.next
            && (self.next <= first || {
                let (_, _, mut records) = trace_since(source, self.next.saturating_sub(1));
                records.next() == self.last.as_ref()
            });
        let mut changed = false;
        if !same_trace {
            changed = !self.found.is_empty();
            *self = NotesScan {
                key: key.to_string(),
                live,
                next: first,
                ..NotesScan::default()
            };
        }
        // Records that left the window take their notes along, as a full read would.
        let before = self.found.len();
        self.found.retain(|(at, _)| *at >= first);
        changed |= self.found.len() != before;
        let start = self.next.max(first);
        let (_, _, records) = trace_since(source, start);
        let mut read = 0;
        for (at, record) in (start..).zip(records) {
            read += 1;
            if let Some(note) = note_about(record, key) {
                self.found.push((at, note.clone()));
                changed = true;
            }
            if at + 1 == end {
                self.last = Some(record.clone());
            }
        }
        self.next = end;
        if changed {
            self.notes = Rc::new(self.found.iter().map(|(_, n)| n.clone()).collect());
        }
        read
    }
}

/// The scheduler-explain view's explanation, kept between renders: each render reads only
/// what moved. The per-node part (three JSON annotations parsed for up to 100 nodes, the
/// node cards drawn from it) is read again only when the pod's scheduler annotations, its
/// node or the node names changed, and stays the same `Rc` otherwise; the trace notes are
/// read from the records added since the last render only.
///
/// Why: the scheduler tab is the default one, and a big live cluster renders the page up to
/// four times a second; reading the explanation each time parsed the annotations, copied
/// the 1,000 node names, scanned the whole trace and re-diffed ~100 node cards.
#[derive(Debug, Default)]
pub struct ExplainMemo {
    /// The pod object the explanation was read from (held, so its address is not reused).
    object: Option<Arc<Object>>,
    /// The pod's metadata read last (shared between a pod's revisions while equal).
    metadata: Option<Arc<ObjectMeta>>,
    /// What the per-node part was read from.
    inputs: Option<PodInputs>,
    /// The node names it was read with, and the live summary's nodes version they are at.
    node_names: Vec<String>,
    nodes_version: Option<u64>,
    /// The per-node part.
    part: NodesPart,
    /// The notes.
    notes: NotesScan,
    /// How many times the per-node part was read (for tests and benchmarks).
    parts_read: u64,
    /// How many trace records were read for notes in all.
    records_read: u64,
}

impl ExplainMemo {
    /// A memo that has read nothing yet.
    pub fn new() -> ExplainMemo {
        ExplainMemo::default()
    }

    /// The explanation of the pod `namespace/name` ([`SchedulingExplanation::read`] gives
    /// the same), reading only what changed since the last call.
    pub fn explain(
        &mut self,
        source: &mut ObjectSource<'_>,
        namespace: &str,
        name: &str,
    ) -> Option<SchedulingExplanation> {
        let Some(object) = find_pod(source, namespace, name) else {
            self.object = None;
            self.metadata = None;
            return None;
        };
        let Object::Pod(pod) = object.as_ref() else {
            return None;
        };
        let names_changed = self.update_node_names(source);
        let same_pod = self
            .object
            .as_ref()
            .is_some_and(|seen| Arc::ptr_eq(seen, &object))
            || (self
                .metadata
                .as_ref()
                .is_some_and(|m| Arc::ptr_eq(m, &pod.metadata))
                && self.inputs.as_ref().and_then(|i| i.node.as_deref()) == bound_node(pod));
        let same_inputs = same_pod || self.inputs.as_ref().is_some_and(|i| i.describe(pod));
        if names_changed || !same_inputs || self.inputs.is_none() {
            let inputs = PodInputs::of(pod);
            self.part = inputs.explain(&self.node_names);
            self.inputs = Some(inputs);
            self.parts_read += 1;
        }
        self.metadata = Some(Arc::clone(&pod.metadata));
        self.records_read += self.notes.update(source, &format!("{namespace}/{name}"));
        let explanation = pod_head(
            namespace,
            name,
            pod,
            self.part.clone(),
            Rc::clone(&self.notes.notes),
        );
        self.object = Some(object);
        Some(explanation)
    }

    /// Reads the node names again when they may have moved (a live summary says when by its
    /// nodes version; otherwise they are read and compared: a small cluster); returns
    /// whether they changed.
    fn update_node_names(&mut self, source: &ObjectSource<'_>) -> bool {
        let version = match source {
            ObjectSource::Live(live) => live.node_names_version(),
            ObjectSource::Simulation(_) => None,
        };
        if version.is_some() && version == self.nodes_version {
            return false;
        }
        self.nodes_version = version;
        let names = source.node_names();
        if names == self.node_names {
            return false;
        }
        self.node_names = names;
        true
    }

    /// How many times the per-node part was read.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn parts_read(&self) -> u64 {
        self.parts_read
    }

    /// How many trace records were read for notes in all.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn records_read(&self) -> u64 {
        self.records_read
    }
}

/// Whether a note names the pod `key` as a whole word (`default/web-1` is not in
/// `default/web-12`).
fn mentions(message: &str, key: &str) -> bool {
    message.match_indices(key).any(|(at, _)| {
        let after = message[at + key.len()..].chars().next();
        !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::summary::SummaryMirror;
    use crate::live::{LiveInfo, LiveState, MirrorMode};
    use crate::playground::Playground;

    #[test]
    fn a_pod_without_node_results_says_why_by_whether_it_was_bound_or_tried() {
        let explanation = |node: Option<&str>, failure: Option<&str>| SchedulingExplanation {
            namespace: "default".into(),
            name: "web".into(),
            node: node.map(String::from),
            nominated_node: None,
            failure: failure.map(String::from),
            nodes: None,
            unlisted: None,
            notes: Rc::default(),
        };
        assert_eq!(
            explanation(None, None).missing_nodes_key(),
            Key::NotTriedYet
        );
        assert_eq!(
            explanation(Some("node-1"), None).missing_nodes_key(),
            Key::NoNodeResults
        );
        assert_eq!(
            explanation(None, Some("0/3 nodes are available: 3 Insufficient cpu."))
                .missing_nodes_key(),
            Key::NoNodeResults
        );
    }

    fn pod_summary(name: &str, node: Option<&str>) -> PodSummary {
        PodSummary {
            namespace: "default".to_string(),
            name: name.to_string(),
            node_name: node.map(str::to_string),
            status: "Running".to_string(),
            ..PodSummary::default()
        }
    }

    fn listed(choices: &SummaryChoices) -> Vec<&str> {
        choices.choices.iter().map(|c| c.name.as_str()).collect()
    }

    #[test]
    fn summary_choices_list_pending_pods_first_and_filter_by_name() {
        let pods = [
            pod_summary("api-1", Some("node-1")),
            pod_summary("web-1", Some("node-2")),
            pod_summary("web-2", None),
            pod_summary("api-2", Some("")),
        ];
        let all = summary_pod_choices(pods.iter(), "", None);
        assert_eq!(listed(&all), ["web-2", "api-2", "api-1", "web-1"]);
        assert_eq!((all.matching, all.total), (4, 4));
        assert_eq!(all.choices.get(1).and_then(|c| c.node.clone()), None);
        let web = summary_pod_choices(pods.iter(), " Default/WEB", None);
        assert_eq!(listed(&web), ["web-2", "web-1"]);
        assert_eq!((web.matching, web.total), (2, 4));
    }

    #[test]
    fn summary_choices_are_capped_but_keep_the_pod_picked_on_the_canvas() {
        let pods: Vec<PodSummary> = (0..MAX_SUMMARY_CHOICES + 50)
            .map(|i| pod_summary(&format!("pod-{i:05}"), (i % 2 == 0).then_some("node-1")))
            .collect();
        let last = pods.last().map(|p| p.name.clone()).unwrap_or_default();
        let picked = ObjectRef {
            kind: Kind::Pod,
            namespace: "default".to_string(),
            name: last.clone(),
        };
        let capped = summary_pod_choices(pods.iter(), "", Some(&picked));
        assert_eq!(capped.choices.len(), MAX_SUMMARY_CHOICES + 1);
        assert_eq!(capped.choices.first().map(|c| c.name.clone()), Some(last));
        assert_eq!(capped.matching, MAX_SUMMARY_CHOICES + 50);
        // The odd pods are pending: after the picked one (pending too), the other 124 come
        // first, then bound ones fill the rest.
        let pending = capped
            .choices
            .iter()
            .skip(1)
            .take_while(|c| c.node.is_none());
        assert_eq!(pending.count(), (MAX_SUMMARY_CHOICES + 50) / 2 - 1);
        let filtered = summary_pod_choices(pods.iter(), "pod-0001", Some(&picked));
        assert_eq!(filtered.choices.len(), 11);
        let node_pick = ObjectRef {
            kind: Kind::Node,
            namespace: String::new(),
            name: "node-1".to_string(),
        };
        let by_node = summary_pod_choices(pods.iter(), "pod-0001", Some(&node_pick));
        assert_eq!(by_node.choices.len(), 10);
    }

    /// A summary stream line for one pod.
    fn pod_line(event: &str, namespace: &str, name: &str, node: Option<&str>, rv: usize) -> String {
        serde_json::json!({
            "type": event,
            "pod": {
                "namespace": namespace,
                "name": name,
                "nodeName": node,
                "status": if node.is_some_and(|n| !n.is_empty()) { "Running" } else { "Pending" },
                "resourceVersion": rv.to_string(),
            }
        })
        .to_string()
    }

    /// A summary list of `pods` (namespace, name, node) on `nodes`.
    fn summary_list(nodes: &[String], pods: &[(String, String, Option<String>)]) -> String {
        let nodes: Vec<_> = nodes
            .iter()
            .map(|n| serde_json::json!({"name": n, "ready": "True", "podCapacity": 110}))
            .collect();
        let pods: Vec<_> = pods
            .iter()
            .map(|(namespace, name, node)| {
                serde_json::json!({"namespace": namespace, "name": name, "nodeName": node,
                    "status": "Running", "resourceVersion": "1"})
            })
            .collect();
        serde_json::json!({"resourceVersion": "1", "nodes": nodes, "pods": pods}).to_string()
    }

    fn node_ref(name: &str) -> ObjectRef {
        ObjectRef {
            kind: Kind::Node,
            namespace: String::new(),
            name: name.to_string(),
        }
    }

    fn pod_ref(namespace: &str, name: &str) -> ObjectRef {
        ObjectRef {
            kind: Kind::Pod,
            namespace: namespace.to_string(),
            name: name.to_string(),
        }
    }

    /// xorshift64: the same lines on every run, so a failure names its step.
    fn next(state: &mut u64, below: u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state % below.max(1)
    }

    #[test]
    fn the_mirrors_choices_are_what_reading_every_pod_gives_after_each_line() {
        let namespaces = ["default", "Shop"];
        let nodes = [
            None,
            Some(""),
            Some("node-1"),
            Some("node-2"),
            Some("node-3"),
            Some("node-10"),
        ];
        let filters = [
            "",
            "web",
            " SHOP/",
            "-1",
            "nothing-matches",
            "default/web-00",
        ];
        let name_of = |i: u64| {
            let prefix = if i % 3 == 0 { "api" } else { "web" };
            format!("{prefix}-{i:03}")
        };
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut mirror = SummaryMirror::new();
        let listed_pods: Vec<(String, String, Option<String>)> = (0..150)
            .map(|i| {
                let node = nodes[(i % nodes.len() as u64) as usize];
                (
                    namespaces[(i % 2) as usize].to_string(),
                    name_of(i * 3 % 500),
                    node.map(str::to_string),
                )
            })
            .collect();
        let node_names: Vec<String> = ["node-1", "node-2", "node-3"].map(String::from).to_vec();
        assert_eq!(
            mirror.apply_list(&summary_list(&node_names, &listed_pods)),
            Ok(())
        );
        let (mut compared, mut capped, mut picked_shown) = (0, 0, 0);
        for step in 0..4_000_usize {
            // Phases: mostly bound pods, then mostly pending ones (more than the cap).
            let pending_bias = if step / 1_000 % 2 == 1 { 6 } else { 1 };
            let node = |state: &mut u64| {
                if next(state, 8) < pending_bias {
                    nodes[next(state, 2) as usize]
                } else {
                    nodes[2 + next(state, 4) as usize]
                }
            };
            let roll = next(&mut state, 100);
            let line = if step % 1_500 == 1_499 {
                // A new list: what the mirror holds, again.
                let pods: Vec<_> = mirror
                    .pods()
                    .map(|p| (p.namespace.clone(), p.name.clone(), p.node_name.clone()))
                    .collect();
                assert_eq!(mirror.apply_list(&summary_list(&node_names, &pods)), Ok(()));
                "a new list".to_string()
            } else if roll < 45 {
                let namespace = namespaces[next(&mut state, 2) as usize];
                let name = name_of(next(&mut state, 500));
                let event = if next(&mut state, 2) == 0 {
                    "ADDED"
                } else {
                    "MODIFIED"
                };
                pod_line(event, namespace, &name, node(&mut state), step)
            } else if roll < 65 {
                let namespace = namespaces[next(&mut state, 2) as usize];
                let name = name_of(next(&mut state, 500));
                pod_line("DELETED", namespace, &name, None, step)
            } else if roll < 92 {
                // An existing pod scheduled, moved or back to pending.
                let count = mirror.pods().count() as u64;
                let at = next(&mut state, count) as usize;
                let Some((namespace, name)) = mirror
                    .pods()
                    .nth(at)
                    .map(|p| (p.namespace.clone(), p.name.clone()))
                else {
                    continue;
                };
                pod_line("MODIFIED", &namespace, &name, node(&mut state), step)
            } else if roll < 96 {
                let event = if next(&mut state, 2) == 0 {
                    "ADDED"
                } else {
                    "DELETED"
                };
                format!(r#"{{"type":"{event}","node":{{"name":"node-10","ready":"True"}}}}"#)
            } else {
                format!(r#"{{"type":"BOOKMARK","resourceVersion":"{step}"}}"#)
            };
            if line != "a new list" {
                assert!(
                    mirror.apply_watch_line(&line).is_ok(),
                    "step {step}: {line}"
                );
            }
            let filter = filters[step / 111 % filters.len()];
            let picked = mirror
                .pods()
                .nth(step / 7 % 300)
                .map(|p| pod_ref(&p.namespace, &p.name));
            let selected = match step / 37 % 5 {
                0 => None,
                1 => Some(node_ref("node-1")),
                2 => Some(node_ref("node-10")),
                3 => picked,
                _ => Some(pod_ref("default", "gone")),
            };
            let got = mirror.pod_choices(filter, selected.as_ref());
            let want = summary_pod_choices(mirror.pods(), filter, selected.as_ref());
            assert_eq!(
                *got, want,
                "step {step}: after {line}, filter {filter:?}, selected {selected:?}"
            );
            compared += 1;
            capped += usize::from(want.matching > MAX_SUMMARY_CHOICES);
            picked_shown += usize::from(
                selected.as_ref().is_some_and(|s| s.kind == Kind::Pod)
                    && want.choices.first().map(|c| c.name.as_str())
                        == selected.as_ref().map(|s| s.name.as_str()),
            );
        }
        // The lines reached what the test is about: capped lists and the picked pod.
        assert!(compared > 3_900, "{compared}");
        assert!(capped > 500, "{capped} capped listings");
        assert!(
            picked_shown > 300,
            "{picked_shown} listings led by the picked pod"
        );
    }

    #[test]
    fn the_mirrors_choices_are_the_same_rc_until_a_pod_the_filter_or_the_pick_changes() {
        let mut mirror = SummaryMirror::new();
        let pods = [
            (
                "default".to_string(),
                "web-1".to_string(),
                Some("node-1".to_string()),
            ),
            ("default".to_string(), "web-2".to_string(), None),
        ];
        assert_eq!(mirror.apply_list(&summary_list(&[], &pods)), Ok(()));
        let first = mirror.pod_choices("", None);
        assert_eq!(listed(&first), ["web-2", "web-1"]);
        assert!(Rc::ptr_eq(&first, &mirror.pod_choices("", None)));
        let bookmark = r#"{"type":"BOOKMARK","resourceVersion":"9"}"#;
        assert!(mirror.apply_watch_line(bookmark).is_ok());
        assert!(Rc::ptr_eq(&first, &mirror.pod_choices("", None)));

        let added = pod_line("ADDED", "default", "web-3", None, 10);
        assert!(mirror.apply_watch_line(&added).is_ok());
        let moved = mirror.pod_choices("", None);
        assert_eq!(listed(&moved), ["web-2", "web-3", "web-1"]);
        assert_eq!((moved.matching, moved.total), (3, 3));
        let filtered = mirror.pod_choices("WEB-3 ", None);
        assert_eq!(listed(&filtered), ["web-3"]);
        assert_eq!((filtered.matching, filtered.total), (1, 3));
        let node_1 = node_ref("node-1");
        let on_node = mirror.pod_choices("", Some(&node_1));
        assert!(!Rc::ptr_eq(&moved, &on_node));
        assert!(Rc::ptr_eq(
            &on_node,
            &mirror.pod_choices(" ", Some(&node_1))
        ));
    }

    /// One render's listing from the mirror's index (a function of its own for callgrind).
    #[inline(never)]
    fn indexed_choices(
        mirror: &SummaryMirror,
        filter: &str,
        selected: Option<&ObjectRef>,
    ) -> Rc<SummaryChoices> {
        mirror.pod_choices(filter, selected)
    }

    /// The first listing for a new filter or node pick: the index reads every pod. (Returns
    /// the count, not the listing: a body the same as `indexed_choices`'s would be merged
    /// with it by the compiler, and callgrind could not tell them apart.)
    #[inline(never)]
    fn first_choices(mirror: &SummaryMirror, filter: &str, selected: Option<&ObjectRef>) -> usize {
        mirror.pod_choices(filter, selected).choices.len()
    }

    /// One render's listing as the view read it before the index: every pod.
    #[inline(never)]
    fn scanned_choices(
        mirror: &SummaryMirror,
        filter: &str,
        selected: Option<&ObjectRef>,
    ) -> SummaryChoices {
        summary_pod_choices(mirror.pods(), filter, selected)
    }

    /// One stream line into the mirror (a function of its own for callgrind).
    #[inline(never)]
    fn apply_line(mirror: &mut SummaryMirror, line: &str) {
        assert!(mirror.apply_watch_line(line).is_ok(), "{line}");
    }

    /// The figures for BENCHMARKS.md, at 1,000 nodes and 30,000 pods: one render's picker
    /// listing after each pod line, from the index and by reading every pod. Instruction
    /// counts: `valgrind --tool=callgrind TEST_BINARY --ignored --exact
    /// scheduler_explain::tests::picker_choices_at_30000_pods` and `callgrind_annotate
    /// --inclusive=yes` for `indexed_choices`, `scanned_choices`, `first_choices` and
    /// `apply_line` (per query with `PICKER_QUERY=0`, `1` or `2`).
    #[test]
    #[ignore = "a measurement, not a check: run it by name"]
    #[allow(clippy::disallowed_methods, clippy::disallowed_types)]
    fn picker_choices_at_30000_pods() {
        let nodes: Vec<String> = (0..1_000).map(|i| format!("node-{i}")).collect();
        let pods: Vec<(String, String, Option<String>)> = (0..30_000)
            .map(|i| {
                let node = (i % 300 != 0).then(|| format!("node-{}", i % 1_000));
                (
                    "default".to_string(),
                    format!("bench-{}-7d4b9c5f6-{i:05}", i % 9),
                    node,
                )
            })
            .collect();
        let mut mirror = SummaryMirror::new();
        assert_eq!(mirror.apply_list(&summary_list(&nodes, &pods)), Ok(()));
        let node_7 = node_ref("node-7");
        let queries = [("", None), ("", Some(&node_7)), ("bench-3", None)];
        let rounds = 10;
        // `PICKER_QUERY=N` measures only the Nth query (callgrind's counts per query).
        let only = std::env::var("PICKER_QUERY")
            .ok()
            .and_then(|n| n.parse::<usize>().ok());
        for (at, (filter, selected)) in queries.into_iter().enumerate() {
            if only.is_some_and(|only| only != at) {
                continue;
            }
            // A new query reads every pod once (a keystroke in the filter, a canvas click).
            let _ = first_choices(&mirror, filter, selected);
            let (mut indexed, mut scanned) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
            for round in 0..rounds {
                // A pending pod gets scheduled: the pods version moves, as in churn.
                let (namespace, name, _) = &pods[round * 300];
                let line = pod_line("MODIFIED", namespace, name, Some("node-7"), 100 + round);
                apply_line(&mut mirror, &line);
                let timed = std::time::Instant::now();
                let from_index = indexed_choices(&mirror, filter, selected);
                indexed += timed.elapsed();
                let timed = std::time::Instant::now();
                let from_pods = scanned_choices(&mirror, filter, selected);
                scanned += timed.elapsed();
                assert_eq!(*from_index, from_pods);
            }
            println!(
                "filter {filter:?}, selected {:?}: per render after a line, from the index {:?}, \
                 reading every pod {:?}",
                selected.map(|s| &s.name),
                indexed / rounds as u32,
                scanned / rounds as u32
            );
        }
    }

    #[test]
    fn summary_choices_put_the_pods_of_the_node_picked_on_the_canvas_after_the_pending() {
        let pods = [
            pod_summary("a", Some("node-1")),
            pod_summary("b", Some("node-2")),
            pod_summary("c", None),
            pod_summary("d", Some("node-2")),
        ];
        let node_2 = ObjectRef {
            kind: Kind::Node,
            namespace: String::new(),
            name: "node-2".to_string(),
        };
        let choices = summary_pod_choices(pods.iter(), "", Some(&node_2));
        assert_eq!(listed(&choices), ["c", "b", "d", "a"]);
    }

    fn annotations(filter: &str, score: &str, final_score: &str) -> BTreeMap<String, String> {
        BTreeMap::from([
            (FILTER_RESULT_ANNOTATION.to_string(), filter.to_string()),
            (SCORE_RESULT_ANNOTATION.to_string(), score.to_string()),
            (
                FINAL_SCORE_RESULT_ANNOTATION.to_string(),
                final_score.to_string(),
            ),
        ])
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn feasible_nodes_come_first_by_final_score_then_filtered_then_unevaluated() {
        let given = annotations(
            r#"{"a":{"NodeUnschedulable":"node(s) were unschedulable"},
                "b":{"NodeUnschedulable":"passed","NodeResourcesFit":"passed"},
                "c":{"NodeUnschedulable":"passed","NodeResourcesFit":"passed"}}"#,
            r#"{"b":{"NodeResourcesFit":"60","TaintToleration":"0"},
                "c":{"NodeResourcesFit":"81","TaintToleration":"0"}}"#,
            r#"{"b":{"NodeResourcesFit":"60","TaintToleration":"300"},
                "c":{"NodeResourcesFit":"81","TaintToleration":"300"}}"#,
        );
        let Some(nodes) = explain_annotations(&given, &names(&["a", "b", "c", "d"]), Some("c"))
        else {
            panic!("annotations not read");
        };
        let order: Vec<_> = nodes.iter().map(|n| n.node.as_str()).collect();
        assert_eq!(order, ["c", "b", "a", "d"]);
        assert_eq!(nodes[0].total, Some(381));
        assert!(nodes[0].chosen && !nodes[1].chosen);
        assert_eq!(
            nodes[2].verdict,
            FilterVerdict::Filtered {
                plugin: "NodeUnschedulable".to_string(),
                message: "node(s) were unschedulable".to_string()
            }
        );
        assert_eq!(nodes[3].verdict, FilterVerdict::NotEvaluated);
        assert_eq!(nodes[2].total, None);
    }

    #[test]
    fn plugins_are_listed_in_the_profiles_order_with_their_weights() {
        let given = annotations(
            r#"{"b":{"TaintToleration":"passed","NodeUnschedulable":"passed","NodeResourcesFit":"passed"}}"#,
            r#"{"b":{"ImageLocality":"0","NodeResourcesFit":"81","TaintToleration":"0"}}"#,
            r#"{"b":{"ImageLocality":"0","NodeResourcesFit":"81","TaintToleration":"300"}}"#,
        );
        let nodes = explain_annotations(&given, &[], None).unwrap_or_default();
        let Some(b) = nodes.first() else {
            panic!("no node");
        };
        let filters: Vec<_> = b.filters.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            filters,
            ["NodeUnschedulable", "TaintToleration", "NodeResourcesFit"]
        );
        let scores: Vec<_> = b
            .scores
            .iter()
            .map(|s| (s.plugin.as_str(), s.weight, s.raw, s.weighted))
            .collect();
        assert_eq!(
            scores,
            [
                ("TaintToleration", Some(3), Some(0), Some(300)),
                ("NodeResourcesFit", Some(1), Some(81), Some(81)),
                ("ImageLocality", Some(1), Some(0), Some(0)),
            ]
        );
    }

    #[test]
    fn a_pod_without_readable_annotations_has_no_node_explanations() {
        let cases = [
            BTreeMap::new(),
            BTreeMap::from([(FILTER_RESULT_ANNOTATION.to_string(), "not json".to_string())]),
        ];
        for given in cases {
            assert_eq!(explain_annotations(&given, &names(&["a"]), None), None);
        }
    }

    fn capped(omitted: &str) -> BTreeMap<String, String> {
        let mut given = annotations(
            r#"{"a":{"NodeUnschedulable":"node(s) were unschedulable"},
                "c":{"NodeUnschedulable":"passed","NodeResourcesFit":"passed"}}"#,
            r#"{"c":{"NodeResourcesFit":"81"}}"#,
            r#"{"c":{"NodeResourcesFit":"81"}}"#,
        );
        given.insert(OMITTED_NODES_ANNOTATION.to_string(), omitted.to_string());
        given
    }

    #[test]
    fn a_capped_explanation_lists_only_its_nodes_and_counts_the_rest() {
        let given = capped(
            r#"{"count":5,"feasible":3,"reasons":{"Insufficient cpu":2,"Insufficient memory":1}}"#,
        );
        let cluster = names(&["a", "b", "c", "d", "e", "f", "g", "h", "i"]);
        let nodes = explain_annotations(&given, &cluster, Some("c")).unwrap_or_default();
        let listed: Vec<_> = nodes.iter().map(|n| n.node.as_str()).collect();
        assert_eq!(
            listed,
            ["c", "a"],
            "unlisted nodes are not shown as not evaluated"
        );
        let unlisted = unlisted_nodes(&given, &cluster);
        assert_eq!(
            unlisted
                .as_ref()
                .map(|u| (u.omitted.count, u.not_evaluated)),
            Some((5, 2)),
            "9 nodes: 2 listed, 5 left out, 2 not evaluated"
        );
        let english = |key| crate::i18n::text(key, crate::i18n::Language::English);
        let korean = |key| crate::i18n::text(key, crate::i18n::Language::Korean);
        let Some(unlisted) = unlisted else {
            panic!("no unlisted nodes")
        };
        assert_eq!(
            unlisted.summary(&english),
            "5 more nodes not listed: 3 feasible with lower final scores, 1 Insufficient memory, \
             2 Insufficient cpu. 2 nodes not evaluated.",
            "reasons sorted as the FailedScheduling message sorts them (as text)"
        );
        assert_eq!(
            unlisted.summary(&korean),
            "목록에 표시하지 않은 노드 5개: 필터는 통과했지만 최종 점수가 더 낮은 노드 3개, 1 Insufficient memory, \
             2 Insufficient cpu. 평가하지 않은 노드 2개."
        );
    }

    #[test]
    fn an_uncapped_explanation_has_no_unlisted_nodes() {
        let given = annotations(r#"{"a":{"NodeUnschedulable":"passed"}}"#, "{}", "{}");
        assert_eq!(unlisted_nodes(&given, &names(&["a", "b"])), None);
        let unreadable = capped("12");
        assert_eq!(unlisted_nodes(&unreadable, &names(&["a", "b"])), None);
    }

    #[test]
    fn an_unschedulable_pod_with_every_node_left_out_but_examples_says_only_why() {
        let given = capped(r#"{"count":998,"feasible":0,"reasons":{"Insufficient cpu":998}}"#);
        let mut cluster: Vec<String> = (0..998).map(|i| format!("n{i}")).collect();
        cluster.extend(names(&["a", "c"]));
        let english = |key| crate::i18n::text(key, crate::i18n::Language::English);
        let summary = unlisted_nodes(&given, &cluster).map(|u| u.summary(&english));
        assert_eq!(
            summary.as_deref(),
            Some("998 more nodes not listed: 998 Insufficient cpu.")
        );
    }

    #[test]
    fn notes_match_the_pod_key_as_a_whole_name() {
        let cases = [
            ("preemption: default/web-1 (priority 10) nominated", true),
            ("preemption: default/web-12 (priority 10) nominated", false),
            ("evicting default/web-1, default/db", true),
            ("nothing here", false),
        ];
        for (message, expected) in cases {
            assert_eq!(mentions(message, "default/web-1"), expected, "{message}");
        }
    }

    fn run_for(playground: &mut Playground, seconds: u64) {
        playground.set_running(true);
        for _ in 0..seconds * 4 {
            playground.tick(250.0);
        }
        playground.set_running(false);
    }

    #[test]
    fn a_scheduled_sample_pod_shows_its_node_as_the_feasible_node_with_the_top_score() {
        let mut playground = Playground::new(3, 3);
        playground.apply_sample();
        run_for(&mut playground, 10);
        let choices = pod_choices(playground.world_mut());
        let Some(pod) = choices.first() else {
            panic!("no pods");
        };
        let explanation =
            SchedulingExplanation::read(playground.world_mut(), &pod.namespace, &pod.name);
        let Some(explanation) = explanation else {
            panic!("pod gone");
        };
        assert!(explanation.node.is_some());
        assert_eq!(explanation.failure, None);
        let nodes = explanation.nodes.unwrap_or_default();
        assert_eq!(nodes.len(), 3);
        let chosen: Vec<_> = nodes.iter().filter(|n| n.chosen).collect();
        assert_eq!(chosen.len(), 1);
        assert_eq!(chosen.first().map(|n| &n.node), explanation.node.as_ref());
        let top = nodes.iter().filter_map(|n| n.total).max();
        assert_eq!(chosen.first().and_then(|n| n.total), top);
    }

    #[test]
    fn a_pod_too_big_for_every_node_shows_the_failed_scheduling_message_and_each_filter() {
        let mut playground = Playground::new(3, 3);
        playground.apply(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: huge\nspec:\n  containers:\n  - name: app\n    image: nginx\n    resources:\n      requests:\n        cpu: \"64\"\n",
        );
        run_for(&mut playground, 5);
        let choices = pod_choices(playground.world_mut());
        assert_eq!(
            choices.first().map(|c| (c.key(), c.node.clone())),
            Some(("default/huge".to_string(), None))
        );
        let explanation = SchedulingExplanation::read(playground.world_mut(), "default", "huge");
        let Some(explanation) = explanation else {
            panic!("pod gone");
        };
        let failure = explanation.failure.unwrap_or_default();
        assert!(
            failure.starts_with("0/3 nodes are available: 3 Insufficient cpu."),
            "{failure}"
        );
        for node in explanation.nodes.unwrap_or_default().iter() {
            assert_eq!(
                node.verdict,
                FilterVerdict::Filtered {
                    plugin: "NodeResourcesFit".to_string(),
                    message: "Insufficient cpu".to_string()
                },
                "{}",
                node.node
            );
        }
    }

    /// A pod as the server sends it, bound to `node`, whose filter-result says `filter` of
    /// node n2 (the others passed), at resourceVersion `rv`.
    fn pod_body(name: &str, node: Option<&str>, n2_filter: &str, rv: u32) -> String {
        let filter = serde_json::json!({
            "n1": {"NodeResourcesFit": "passed", "NodeUnschedulable": "passed"},
            "n2": {"NodeResourcesFit": n2_filter, "NodeUnschedulable": "passed"},
            "n3": {"NodeResourcesFit": "passed", "NodeUnschedulable": "passed"},
        });
        let score =
            serde_json::json!({"n1": {"NodeResourcesFit": "40"}, "n3": {"NodeResourcesFit": "60"}});
        serde_json::json!({
            "metadata": {
                "namespace": "default",
                "name": name,
                "resourceVersion": rv.to_string(),
                "annotations": {
                    FILTER_RESULT_ANNOTATION: filter.to_string(),
                    SCORE_RESULT_ANNOTATION: score.to_string(),
                    FINAL_SCORE_RESULT_ANNOTATION: score.to_string(),
                    "unrelated": rv.to_string(),
                },
            },
            "spec": {"nodeName": node, "containers": [{"name": "c", "image": "nginx"}]},
        })
        .to_string()
    }

    fn node_list(names: &[&str], rv: u32) -> String {
        let items: Vec<_> = names
            .iter()
            .map(|n| serde_json::json!({"metadata": {"name": n}}))
            .collect();
        serde_json::json!({"items": items, "metadata": {"resourceVersion": rv.to_string()}})
            .to_string()
    }

    fn note_record(message: &str) -> String {
        serde_json::json!({"type": "note", "at": 1, "component": TRACE_COMPONENT, "message": message})
            .to_string()
    }

    /// The memo's explanation of `default/NAME`, checked against a full read.
    fn explained(memo: &mut ExplainMemo, live: &LiveState, name: &str) -> SchedulingExplanation {
        let got = memo.explain(&mut ObjectSource::Live(live), "default", name);
        let read = SchedulingExplanation::read(live, "default", name);
        assert_eq!(got, read, "{name}");
        let Some(got) = got else {
            panic!("no explanation of {name}");
        };
        got
    }

    fn same_nodes(a: &SchedulingExplanation, b: &SchedulingExplanation) -> bool {
        match (&a.nodes, &b.nodes) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }

    #[test]
    fn the_memo_reads_the_nodes_again_exactly_when_the_pods_annotations_its_node_or_the_node_names_change(
    ) {
        let mut live = LiveState::new(
            "t".to_string(),
            LiveInfo::default(),
            kubeplay_core::sim::clock::Timestamp::from_millis(0),
        );
        let apply = |live: &mut LiveState, body: String| {
            assert_eq!(live.mirror.apply_object(Kind::Pod, &body), Ok(()));
        };
        assert_eq!(
            live.mirror
                .apply_list(Kind::Node, &node_list(&["n1", "n2", "n3"], 1)),
            Ok(())
        );
        apply(&mut live, pod_body("a", Some("n3"), "passed", 2));
        apply(&mut live, pod_body("b", Some("n1"), "passed", 3));
        let mut memo = ExplainMemo::new();
        let first = explained(&mut memo, &live, "a");
        assert_eq!(memo.parts_read(), 1);
        assert_eq!(first.nodes.as_ref().map(|n| n.len()), Some(3));

        // Nothing changed; another pod changed; the pod read again with only its
        // resourceVersion and an unrelated annotation moved: the same `Rc`, nothing parsed.
        let again = explained(&mut memo, &live, "a");
        apply(&mut live, pod_body("b", None, "Insufficient cpu", 4));
        let other_changed = explained(&mut memo, &live, "a");
        apply(&mut live, pod_body("a", Some("n3"), "passed", 5));
        let refetched = explained(&mut memo, &live, "a");
        for unchanged in [&again, &other_changed, &refetched] {
            assert!(same_nodes(&first, unchanged));
            assert!(Rc::ptr_eq(&first.notes, &unchanged.notes));
        }
        assert_eq!(memo.parts_read(), 1);

        // Its annotations rewritten (another scheduling attempt): read again.
        apply(&mut live, pod_body("a", Some("n3"), "Insufficient cpu", 6));
        let rewritten = explained(&mut memo, &live, "a");
        assert_eq!(memo.parts_read(), 2);
        assert!(!same_nodes(&first, &rewritten));
        let n2 = rewritten
            .nodes
            .as_ref()
            .and_then(|nodes| nodes.iter().find(|n| n.node == "n2").cloned());
        assert_eq!(
            n2.map(|n| n.verdict),
            Some(FilterVerdict::Filtered {
                plugin: "NodeResourcesFit".to_string(),
                message: "Insufficient cpu".to_string()
            })
        );
        // Its node changed (the chosen card moves).
        apply(&mut live, pod_body("a", Some("n1"), "Insufficient cpu", 7));
        let moved = explained(&mut memo, &live, "a");
        assert_eq!(memo.parts_read(), 3);
        assert!(!same_nodes(&rewritten, &moved));

        // A node joined (listed as not evaluated); the same names listed again change nothing.
        let nodes = ["n1", "n2", "n3", "n4"];
        assert_eq!(
            live.mirror.apply_list(Kind::Node, &node_list(&nodes, 8)),
            Ok(())
        );
        let joined = explained(&mut memo, &live, "a");
        assert_eq!(memo.parts_read(), 4);
        assert_eq!(joined.nodes.as_ref().map(|n| n.len()), Some(4));
        assert_eq!(
            live.mirror.apply_list(Kind::Node, &node_list(&nodes, 9)),
            Ok(())
        );
        let relisted = explained(&mut memo, &live, "a");
        assert_eq!(memo.parts_read(), 4);
        assert!(same_nodes(&joined, &relisted));

        // Another pod picked, then this one again; gone: None.
        let b = explained(&mut memo, &live, "b");
        assert_eq!(memo.parts_read(), 5);
        assert_eq!(b.node, None);
        explained(&mut memo, &live, "a");
        assert_eq!(memo.parts_read(), 6);
        live.mirror.remove(Kind::Pod, "default", "a");
        assert_eq!(
            memo.explain(&mut ObjectSource::Live(&live), "default", "a"),
            None
        );
    }

    #[test]
    fn the_memo_reads_only_new_trace_records_for_notes() {
        let mut live = LiveState::new(
            "t".to_string(),
            LiveInfo::default(),
            kubeplay_core::sim::clock::Timestamp::from_millis(0),
        );
        assert_eq!(
            live.mirror
                .apply_list(Kind::Node, &node_list(&["n1", "n2", "n3"], 1)),
            Ok(())
        );
        assert_eq!(
            live.mirror
                .apply_object(Kind::Pod, &pod_body("a", None, "passed", 2)),
            Ok(())
        );
        let page = |records: &[String], next: usize| {
            format!(r#"{{"records":[{}],"next":{next}}}"#, records.join(","))
        };
        let commit = r#"{"type":"storeCommit","at":2,"revision":8,"key":"/registry/pods/default/x","op":"Put"}"#;
        let mut memo = ExplainMemo::new();
        let none = explained(&mut memo, &live, "a");
        assert!(none.notes.is_empty());
        assert_eq!(memo.records_read(), 0);

        let first = [
            note_record("preemption: default/a (priority 10) nominated n2"),
            note_record("preemption: default/ab (priority 10) nominated n1"),
            commit.to_string(),
        ];
        assert_eq!(live.trace.apply_page(&page(&first, 3)), Ok(3));
        let one = explained(&mut memo, &live, "a");
        assert_eq!(
            *one.notes,
            ["preemption: default/a (priority 10) nominated n2"]
        );
        assert_eq!(memo.records_read(), 3);
        // Records about others: only they are read, the notes stay the same `Rc`.
        let others = [commit.to_string(), note_record("evicting default/b")];
        assert_eq!(live.trace.apply_page(&page(&others, 5)), Ok(2));
        let still = explained(&mut memo, &live, "a");
        assert!(Rc::ptr_eq(&one.notes, &still.notes));
        assert_eq!(memo.records_read(), 5);
        assert!(same_nodes(&one, &still));
        let more = [note_record("evicting default/c, default/a")];
        assert_eq!(live.trace.apply_page(&page(&more, 6)), Ok(1));
        let two = explained(&mut memo, &live, "a");
        assert_eq!(two.notes.len(), 2);
        assert_eq!(memo.records_read(), 6);
        assert_eq!(memo.parts_read(), 1);

        // Records that leave the kept window take their notes along.
        let filler = vec![commit.to_string(); crate::live::trace::LIVE_TRACE_KEPT - 1];
        assert_eq!(
            live.trace.apply_page(&page(&filler, 6 + filler.len())),
            Ok(filler.len())
        );
        let window = explained(&mut memo, &live, "a");
        assert_eq!(*window.notes, ["evicting default/c, default/a"]);
        assert_eq!(memo.records_read(), 6 + filler.len() as u64);
    }

    /// A live state that mirrors summaries (as for a big cluster).
    fn summary_live_state() -> LiveState {
        let info = LiveInfo {
            pods: crate::live::summary::SUMMARY_POD_THRESHOLD,
            ..LiveInfo::default()
        };
        LiveState::new(
            "t".to_string(),
            info,
            kubeplay_core::sim::clock::Timestamp::from_millis(0),
        )
    }

    #[test]
    fn a_summary_mirrors_node_lines_that_keep_the_names_do_not_read_the_nodes_again() {
        let mut live = summary_live_state();
        assert_eq!(live.mode, MirrorMode::Summary);
        let names = names(&["n1", "n2", "n3"]);
        let pods = [("default".to_string(), "a".to_string(), None)];
        assert_eq!(
            live.summary.apply_list(&summary_list(&names, &pods)),
            Ok(())
        );
        assert_eq!(
            live.mirror
                .apply_object(Kind::Pod, &pod_body("a", None, "passed", 2)),
            Ok(())
        );
        let mut memo = ExplainMemo::new();
        let first = explained(&mut memo, &live, "a");
        assert_eq!(memo.parts_read(), 1);
        let node_line = |event: &str, name: &str, ready: &str, rv: u32| {
            serde_json::json!({"type": event, "node": {"name": name, "ready": ready, "resourceVersion": rv.to_string()}})
                .to_string()
        };
        for line in [
            node_line("MODIFIED", "n2", "False", 5),
            pod_line("MODIFIED", "default", "a", None, 6),
        ] {
            assert!(live.summary.apply_watch_line(&line).is_ok(), "{line}");
        }
        let same = explained(&mut memo, &live, "a");
        assert_eq!(memo.parts_read(), 1);
        assert!(same_nodes(&first, &same));
        let line = node_line("ADDED", "n4", "True", 7);
        assert!(live.summary.apply_watch_line(&line).is_ok(), "{line}");
        let joined = explained(&mut memo, &live, "a");
        assert_eq!(memo.parts_read(), 2);
        assert_eq!(joined.nodes.as_ref().map(|n| n.len()), Some(4));
    }

    #[test]
    fn the_memo_follows_the_simulation_tick_by_tick() {
        let mut playground = Playground::new(3, 3);
        playground.apply_sample();
        run_for(&mut playground, 10);
        let Some(pod) = pod_choices(playground.world_mut()).into_iter().next() else {
            panic!("no pods");
        };
        let mut memo = ExplainMemo::new();
        let mut check = |playground: &mut Playground, namespace: &str, name: &str| {
            let got = memo.explain(
                &mut ObjectSource::Simulation(playground.world_mut()),
                namespace,
                name,
            );
            assert_eq!(
                got,
                SchedulingExplanation::read(playground.world_mut(), namespace, name)
            );
            (got, memo.parts_read(), memo.records_read())
        };
        let (first, parts, _) = check(&mut playground, &pod.namespace, &pod.name);
        assert_eq!(parts, 1);
        playground.set_running(true);
        for _ in 0..20 {
            let before = playground.world_mut().trace().len();
            let (_, _, read_before) = check(&mut playground, &pod.namespace, &pod.name);
            playground.tick(250.0);
            let added = playground.world_mut().trace().len() - before;
            let (now, parts, read) = check(&mut playground, &pod.namespace, &pod.name);
            // A bound pod's annotations stay: the same node cards; only new records read.
            assert_eq!(parts, 1);
            assert!(same_nodes(
                first.as_ref().unwrap_or_else(|| panic!("no explanation")),
                now.as_ref().unwrap_or_else(|| panic!("no explanation"))
            ));
            assert_eq!(read - read_before, added);
        }
        // A pod no node can take (the apply already runs the scheduler once): every node
        // filtered, kept through the retries while the annotations stay.
        playground.apply(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: huge\nspec:\n  containers:\n  - name: app\n    image: nginx\n    resources:\n      requests:\n        cpu: \"64\"\n",
        );
        check(&mut playground, "default", "huge");
        for _ in 0..20 {
            playground.tick(250.0);
            check(&mut playground, "default", "huge");
        }
        let (tried, _, _) = check(&mut playground, "default", "huge");
        let tried = tried.unwrap_or_else(|| panic!("no explanation"));
        assert_eq!(tried.nodes.as_ref().map(|n| n.len()), Some(3));
        assert!(tried.failure.is_some());
    }

    /// `renders` reads of `default/p` as the view did before [`ExplainMemo`] (a function of
    /// its own for callgrind).
    #[inline(never)]
    fn explain_by_reading(live: &LiveState, renders: usize) -> usize {
        (0..renders)
            .filter_map(|_| SchedulingExplanation::read(live, "default", "p"))
            .map(|e| e.nodes.map_or(0, |n| n.len()))
            .sum()
    }

    /// The same through the memo (the view's way now).
    #[inline(never)]
    fn explain_through_the_memo(memo: &mut ExplainMemo, live: &LiveState, renders: usize) -> usize {
        (0..renders)
            .filter_map(|_| memo.explain(&mut ObjectSource::Live(live), "default", "p"))
            .map(|e| e.nodes.map_or(0, |n| n.len()))
            .sum()
    }

    /// The figures for BENCHMARKS.md: a big live cluster's explanation (1,000 nodes in the
    /// summary, a pod whose annotations list 100 of them, 5,000 trace records kept), read at
    /// each of 100 renders while nothing it shows changed, then at 100 more after a re-fetch
    /// of the pod with only its resourceVersion moved (the memo's first read is not counted). Instruction counts: `valgrind --tool=callgrind
    /// TEST_BINARY --ignored --exact scheduler_explain::tests::explanation_reads_at_1000_nodes`
    /// and `callgrind_annotate --inclusive=yes` for `explain_by_reading` and
    /// `explain_through_the_memo`.
    #[test]
    #[ignore = "a measurement, not a check: run it by name"]
    #[allow(clippy::disallowed_methods, clippy::disallowed_types)]
    fn explanation_reads_at_1000_nodes() {
        let mut live = summary_live_state();
        let nodes: Vec<String> = (0..1_000).map(|i| format!("node-{i}")).collect();
        let pods = [(
            "default".to_string(),
            "p".to_string(),
            Some("node-7".to_string()),
        )];
        assert_eq!(
            live.summary.apply_list(&summary_list(&nodes, &pods)),
            Ok(())
        );
        let config = Config::default();
        let mut filter = serde_json::Map::new();
        let mut score = serde_json::Map::new();
        for node in nodes.iter().take(100) {
            let passed: serde_json::Map<String, serde_json::Value> = config
                .filter_plugins
                .iter()
                .map(|p| (p.as_str().to_string(), "passed".into()))
                .collect();
            filter.insert(node.clone(), passed.into());
            let scores: serde_json::Map<String, serde_json::Value> = config
                .score_plugins
                .iter()
                .map(|(p, _)| (p.as_str().to_string(), "42".into()))
                .collect();
            score.insert(node.clone(), scores.into());
        }
        let omitted = OmittedNodes {
            count: 900,
            feasible: 900,
            reasons: BTreeMap::new(),
        };
        let body = |rv: u32| {
            serde_json::json!({
                "metadata": {
                    "namespace": "default", "name": "p", "resourceVersion": rv.to_string(),
                    "annotations": {
                        FILTER_RESULT_ANNOTATION: serde_json::Value::from(filter.clone()).to_string(),
                        SCORE_RESULT_ANNOTATION: serde_json::Value::from(score.clone()).to_string(),
                        FINAL_SCORE_RESULT_ANNOTATION: serde_json::Value::from(score.clone()).to_string(),
                        OMITTED_NODES_ANNOTATION: omitted.to_json(),
                    },
                },
                "spec": {"nodeName": "node-7", "containers": [{"name": "c", "image": "nginx"}]},
            })
            .to_string()
        };
        assert_eq!(live.mirror.apply_object(Kind::Pod, &body(1)), Ok(()));
        let records: Vec<String> = (0..crate::live::trace::LIVE_TRACE_KEPT)
            .map(|i| note_record(&format!("preemption: default/q-{i} nominated node-1")))
            .collect();
        let page = format!(
            r#"{{"records":[{}],"next":{}}}"#,
            records.join(","),
            records.len()
        );
        assert!(live.trace.apply_page(&page).is_ok());

        let renders = 100;
        let read = explain_by_reading(&live, renders);
        let mut memo = ExplainMemo::new();
        // The first read, outside the measured function: what each render cost before.
        assert!(memo
            .explain(&mut ObjectSource::Live(&live), "default", "p")
            .is_some());
        let memoized = explain_through_the_memo(&mut memo, &live, renders);
        assert_eq!(read, memoized);
        assert_eq!(read, 100 * renders);
        assert!(live.mirror.apply_object(Kind::Pod, &body(2)).is_ok());
        let refetched = explain_through_the_memo(&mut memo, &live, renders);
        assert_eq!(refetched, memoized);
        println!(
            "{renders} renders, then {renders} after a re-fetch: the memo read the nodes {} time(s) and {} trace records",
            memo.parts_read(),
            memo.records_read()
        );
    }

    #[test]
    fn the_first_node_cards_show_and_the_chosen_one_wherever_it_stands() {
        let node = |i: usize, chosen: bool| NodeExplanation {
            node: format!("node-{i}"),
            verdict: FilterVerdict::Feasible,
            filters: Vec::new(),
            scores: Vec::new(),
            total: None,
            chosen,
        };
        let names = |shown: &[&NodeExplanation]| -> Vec<String> {
            shown.iter().map(|n| n.node.clone()).collect()
        };
        // A small cluster: every card, nothing left out.
        let few: Vec<NodeExplanation> = (0..3).map(|i| node(i, i == 1)).collect();
        let (shown, left_out) = shown_node_cards(&few, false);
        assert_eq!(
            (names(&shown), left_out),
            (
                vec!["node-0".to_string(), "node-1".into(), "node-2".into()],
                0
            )
        );
        // A big one: the first ones, the chosen one after them, the rest counted.
        let many: Vec<NodeExplanation> = (0..100).map(|i| node(i, i == 40)).collect();
        let (shown, left_out) = shown_node_cards(&many, false);
        assert_eq!(shown.len(), NODE_CARDS_FIRST + 1);
        assert_eq!(left_out, 100 - NODE_CARDS_FIRST - 1);
        assert_eq!(shown.first().map(|n| n.node.as_str()), Some("node-0"));
        assert_eq!(shown.last().map(|n| n.node.as_str()), Some("node-40"));
        // The chosen one among the first is not shown twice.
        let top: Vec<NodeExplanation> = (0..100).map(|i| node(i, i == 0)).collect();
        let (shown, left_out) = shown_node_cards(&top, false);
        assert_eq!(
            (shown.len(), left_out),
            (NODE_CARDS_FIRST, 100 - NODE_CARDS_FIRST)
        );
        // Asked for: every card.
        let (shown, left_out) = shown_node_cards(&many, true);
        assert_eq!((shown.len(), left_out), (100, 0));
    }
}
