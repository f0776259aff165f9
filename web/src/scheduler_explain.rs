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

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::cluster::ObjectSource;
use crate::i18n::Key;
use crate::inspector::ObjectRef;
use crate::live::summary::PodSummary;
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

/// The picker's last [`SummaryChoices`] with what they were read from: the summary's
/// (nodes, pods) version, the filter and the cluster view's pick. Streaming summaries render
/// the view several times a second; scanning 30,000 summaries each time was the explain
/// panel's whole cost in the live profile, and the list only moves when one of these does.
#[derive(Debug, Default)]
pub struct SummaryChoicesMemo {
    last: Option<(SummaryChoicesKey, Rc<SummaryChoices>)>,
}

/// What [`SummaryChoices`] depend on.
type SummaryChoicesKey = ((u64, u64), String, Option<ObjectRef>);

impl SummaryChoicesMemo {
    /// The choices of [`summary_pod_choices`]: the ones made before when `version`, `filter`
    /// and `selected` are what they were, else read afresh from `pods`.
    pub fn choices<'a, I: Iterator<Item = &'a PodSummary>>(
        &mut self,
        version: (u64, u64),
        pods: impl FnOnce() -> I,
        filter: &str,
        selected: Option<&ObjectRef>,
    ) -> Rc<SummaryChoices> {
        if let Some(((seen, seen_filter, seen_selected), choices)) = &self.last {
            if *seen == version && seen_filter == filter && seen_selected.as_ref() == selected {
                return Rc::clone(choices);
            }
        }
        let choices = Rc::new(summary_pod_choices(pods(), filter, selected));
        self.last = Some((
            (version, filter.to_string(), selected.cloned()),
            Rc::clone(&choices),
        ));
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
    /// Per node; None before the scheduler's first attempt.
    pub nodes: Option<Vec<NodeExplanation>>,
    /// The evaluated nodes `nodes` leaves out (big clusters), counted.
    pub unlisted: Option<UnlistedNodes>,
    /// The scheduler's trace notes naming the pod (preemption decisions), oldest first.
    pub notes: Vec<String>,
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

    /// Reads the pod and what the scheduler said about it; None when it does not exist.
    pub fn read<'a>(
        source: impl Into<ObjectSource<'a>>,
        namespace: &str,
        name: &str,
    ) -> Option<SchedulingExplanation> {
        let mut source = source.into();
        let pods = source.objects(Kind::Pod);
        let pod = pods.iter().find_map(|object| match object.as_ref() {
            Object::Pod(pod)
                if pod.metadata.namespace.as_deref() == Some(namespace)
                    && pod.metadata.name.as_deref() == Some(name) =>
            {
                Some(pod)
            }
            _ => None,
        })?;
        let node = pod
            .node_name()
            .filter(|n| !n.is_empty())
            .map(str::to_string);
        let annotations = pod.metadata.annotations.clone().unwrap_or_default();
        let node_names = source.node_names();
        let nodes = explain_annotations(&annotations, &node_names, node.as_deref());
        let unlisted = unlisted_nodes(&annotations, &node_names);
        let key = format!("{namespace}/{name}");
        let notes = source
            .trace_records()
            .into_iter()
            .filter_map(|record| match record {
                TraceRecord::Note {
                    component, message, ..
                } if component == TRACE_COMPONENT && mentions(message, &key) => {
                    Some(message.clone())
                }
                _ => None,
            })
            .collect();
        Some(SchedulingExplanation {
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
            nodes,
            unlisted,
            notes,
        })
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
            notes: Vec::new(),
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

    #[test]
    fn the_choices_memo_scans_again_only_when_the_pods_the_filter_or_the_pick_changed() {
        let mut pods = vec![
            pod_summary("web-1", Some("node-1")),
            pod_summary("web-2", None),
        ];
        let mut memo = SummaryChoicesMemo::default();
        let scans = std::cell::Cell::new(0);
        let choices = |memo: &mut SummaryChoicesMemo,
                       pods: &[PodSummary],
                       version: u64,
                       filter: &str,
                       selected: Option<&ObjectRef>| {
            memo.choices(
                (1, version),
                || {
                    scans.set(scans.get() + 1);
                    pods.iter()
                },
                filter,
                selected,
            )
        };
        let first = choices(&mut memo, &pods, 1, "", None);
        assert_eq!(listed(&first), ["web-2", "web-1"]);
        let again = choices(&mut memo, &pods, 1, "", None);
        assert!(Rc::ptr_eq(&first, &again));
        assert_eq!(scans.get(), 1, "nothing changed: no scan");

        // A pod changed (the summary's pods version moved): scanned again.
        pods.push(pod_summary("web-3", None));
        let moved = choices(&mut memo, &pods, 2, "", None);
        assert_eq!(listed(&moved), ["web-2", "web-3", "web-1"]);
        assert_eq!(scans.get(), 2);

        // A new filter, then a new pick on the canvas: scanned again each time.
        let filtered = choices(&mut memo, &pods, 2, "web-3", None);
        assert_eq!(listed(&filtered), ["web-3"]);
        let node_1 = ObjectRef {
            kind: Kind::Node,
            namespace: String::new(),
            name: "node-1".to_string(),
        };
        let picked = choices(&mut memo, &pods, 2, "web-3", Some(&node_1));
        assert_eq!(listed(&picked), ["web-3"]);
        assert_eq!(scans.get(), 4);
        let same = choices(&mut memo, &pods, 2, "web-3", Some(&node_1));
        assert!(Rc::ptr_eq(&picked, &same));
        assert_eq!(scans.get(), 4);
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
        for node in explanation.nodes.unwrap_or_default() {
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
}
