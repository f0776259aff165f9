//! What a scheduling cycle's [`Explanation`] lists, and how it is written as the
//! kube-scheduler-simulator annotations.
//!
//! The framework filters (and scores) up to hundreds of nodes per pod; listing every one of
//! them on every pod would cost more than scheduling it (three JSON maps of node × plugin,
//! ~200 KB per pod at 1,000 nodes, kept by the store on the pod). So the framework hands the
//! nodes it evaluated to [`select_explained_nodes`], which keeps at most
//! [`Config::explain_max_nodes`](super::Config::explain_max_nodes) of them by a fixed rule
//! and counts the rest in an [`OmittedNodes`]. [`Explanation::simulator_annotations`] then
//! writes the listed nodes as the simulator's three maps, serialising straight from the
//! explanation into each string, and — only when nodes were left out — our own
//! [`super::framework::OMITTED_NODES_ANNOTATION`] with the count
//! and the reasons, so the simulator's maps keep exactly their format and meaning.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::framework::{
    Explanation, FILTER_RESULT_ANNOTATION, FINAL_SCORE_RESULT_ANNOTATION, OMITTED_NODES_ANNOTATION,
    PASSED_FILTER_MESSAGE, SCORE_RESULT_ANNOTATION,
};
use super::plugins::Status;

/// The default of [`Config::explain_max_nodes`](super::Config::explain_max_nodes): the
/// same as kube-scheduler's `minFeasibleNodesToFind`, so a cluster of fewer than 100 nodes
/// (where the scheduler evaluates every node) is always explained in full.
pub const DEFAULT_EXPLAIN_MAX_NODES: usize = 100;

/// The evaluated nodes an explanation leaves out, counted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OmittedNodes {
    /// How many evaluated nodes are not listed.
    pub count: usize,
    /// How many of them passed every filter (and scored lower than the listed ones).
    pub feasible: usize,
    /// The filtered-out ones: each failure reason with how many of them it rejected (a node
    /// rejected for several reasons counts under each, as in the `FailedScheduling`
    /// message).
    pub reasons: BTreeMap<String, usize>,
}

/// Which evaluated nodes an explanation lists: positions in the feasible list and in the
/// list of filtered-out nodes, plus what is left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExplainedNodes {
    /// Positions of the listed feasible nodes.
    pub feasible: Vec<usize>,
    /// Positions of the listed filtered-out nodes.
    pub filtered: Vec<usize>,
    /// The nodes not listed.
    pub omitted: OmittedNodes,
}

/// One filtered-out node as the selection sees it: its name, the position of the failing
/// plugin in the active filter list and the failing status.
pub type Rejection<'a> = (&'a str, usize, &'a Status);

/// Picks the nodes to list, at most `max_nodes` of the evaluated ones. When all evaluated
/// nodes fit in the budget, all are listed. Otherwise, in this order until the budget is
/// spent:
///
/// 1. the chosen node (`chosen`, a position in `feasible`);
/// 2. for each distinct rejection (failing plugin and status), the first node it rejected,
///    in the order the filters saw them;
/// 3. the other feasible nodes by final score, highest first (`totals`, aligned with
///    `feasible`; ties by node name);
/// 4. the other filtered-out nodes, in the order the filters saw them.
///
/// `feasible` holds the feasible nodes' names and `rejected` the others, both in the order
/// the filters saw them. The rule depends only on its inputs, so the same cycle lists the
/// same nodes every time.
pub fn select_explained_nodes(
    max_nodes: usize,
    feasible: &[&str],
    totals: Option<&[i64]>,
    chosen: Option<usize>,
    rejected: &[Rejection<'_>],
) -> ExplainedNodes {
    if feasible.len() + rejected.len() <= max_nodes {
        return ExplainedNodes {
            feasible: (0..feasible.len()).collect(),
            filtered: (0..rejected.len()).collect(),
            omitted: OmittedNodes::default(),
        };
    }
    let mut listed_feasible = vec![false; feasible.len()];
    let mut listed_rejected = vec![false; rejected.len()];
    let mut budget = max_nodes;
    let mut take = |listed: &mut Vec<bool>, position: usize| {
        if budget > 0 && listed.get(position) == Some(&false) {
            listed[position] = true;
            budget -= 1;
        }
    };
    if let Some(chosen) = chosen {
        take(&mut listed_feasible, chosen);
    }
    let mut seen: Vec<(usize, &Status)> = Vec::new();
    for (position, &(_, plugin, status)) in rejected.iter().enumerate() {
        if !seen.contains(&(plugin, status)) {
            seen.push((plugin, status));
            take(&mut listed_rejected, position);
        }
    }
    let mut by_score: Vec<usize> = (0..feasible.len()).collect();
    let total = |i: usize| totals.and_then(|t| t.get(i)).copied().unwrap_or(0);
    let name = |i: usize| feasible.get(i).copied().unwrap_or_default();
    by_score.sort_by(|&a, &b| total(b).cmp(&total(a)).then_with(|| name(a).cmp(name(b))));
    for position in by_score {
        take(&mut listed_feasible, position);
    }
    for position in 0..rejected.len() {
        take(&mut listed_rejected, position);
    }

    let mut selected = ExplainedNodes::default();
    for (position, listed) in listed_feasible.iter().enumerate() {
        if *listed {
            selected.feasible.push(position);
        } else {
            selected.omitted.count += 1;
            selected.omitted.feasible += 1;
        }
    }
    for (position, listed) in listed_rejected.iter().enumerate() {
        if *listed {
            selected.filtered.push(position);
        } else if let Some((_, _, status)) = rejected.get(position) {
            selected.omitted.count += 1;
            for reason in &status.reasons {
                match selected.omitted.reasons.get_mut(reason.as_ref()) {
                    Some(count) => *count += 1,
                    None => {
                        selected.omitted.reasons.insert(reason.to_string(), 1);
                    }
                }
            }
        }
    }
    selected
}

/// Appends `text` as a JSON string, escaped as `serde_json` escapes it (quote, backslash
/// and control characters; everything else verbatim).
pub fn push_json_string(out: &mut String, text: &str) {
    out.push('"');
    let mut clean_from = 0;
    for (at, byte) in text.bytes().enumerate() {
        let escape: &str = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0x00..=0x1f => "",
            _ => continue,
        };
        out.push_str(text.get(clean_from..at).unwrap_or_default());
        if escape.is_empty() {
            let _ = write!(out, "\\u{byte:04x}");
        } else {
            out.push_str(escape);
        }
        clean_from = at + 1;
    }
    out.push_str(text.get(clean_from..).unwrap_or_default());
    out.push('"');
}

/// Appends a JSON object of string values with its keys in byte order (as Go's
/// `json.Marshal` and a `BTreeMap` write them); of repeated keys the last one wins.
fn push_object<V: AsRef<str>>(out: &mut String, entries: &mut [(&str, V)]) {
    entries.sort_by_key(|(key, _)| *key);
    out.push('{');
    let mut first = true;
    for (i, (key, value)) in entries.iter().enumerate() {
        if entries.get(i + 1).is_some_and(|(next, _)| next == key) {
            continue;
        }
        if !first {
            out.push(',');
        }
        first = false;
        push_json_string(out, key);
        out.push(':');
        push_json_string(out, value.as_ref());
    }
    out.push('}');
}

/// Appends `"node":` before a node's object, with the separating comma when needed.
fn push_node_key(out: &mut String, node: &str) {
    if !out.ends_with('{') {
        out.push(',');
    }
    push_json_string(out, node);
    out.push(':');
}

impl Explanation {
    /// The kube-scheduler-simulator annotations: each value is a JSON object
    /// node → plugin → string (`"passed"` or the failure message for filters, the raw
    /// score for `score-result`, normalised × weight for `finalscore-result`; plugins that
    /// PreScore skipped show `"0"`), over the nodes the explanation lists. When it left
    /// evaluated nodes out, a fourth annotation of kubeplay's own,
    /// [`OMITTED_NODES_ANNOTATION`], says how many and why (`{"count":…,"feasible":…,
    /// "reasons":{reason: count}}`).
    pub fn simulator_annotations(&self) -> BTreeMap<String, String> {
        let mut filter = String::with_capacity(self.filter.len() * 160 + 2);
        filter.push('{');
        for (node, results) in &self.filter {
            push_node_key(&mut filter, node);
            let mut entries: Vec<(&str, std::borrow::Cow<'_, str>)> = results
                .iter()
                .map(|(plugin, status)| {
                    let text = if status.is_success() {
                        PASSED_FILTER_MESSAGE.into()
                    } else if let [only] = status.reasons.as_slice() {
                        std::borrow::Cow::Borrowed(only.as_ref())
                    } else {
                        status.message().into()
                    };
                    (plugin.as_str(), text)
                })
                .collect();
            push_object(&mut filter, &mut entries);
        }
        filter.push('}');

        let mut score = String::with_capacity(self.score.len() * 200 + 2);
        let mut final_score = String::with_capacity(self.score.len() * 200 + 2);
        score.push('{');
        final_score.push('{');
        let mut numbers = String::new();
        for (node, results) in &self.score {
            numbers.clear();
            // Each plugin's raw and weighted score as text, one buffer for the node.
            let mut spans = Vec::with_capacity(results.len());
            for result in results {
                let start = numbers.len();
                let _ = write!(numbers, "{}", result.raw.unwrap_or(0));
                let middle = numbers.len();
                let _ = write!(numbers, "{}", result.weighted);
                spans.push((result.plugin.as_str(), start, middle, numbers.len()));
            }
            let text = |from: usize, to: usize| numbers.get(from..to).unwrap_or_default();
            push_node_key(&mut score, node);
            let mut raw: Vec<(&str, &str)> = spans
                .iter()
                .map(|&(plugin, start, middle, _)| (plugin, text(start, middle)))
                .collect();
            push_object(&mut score, &mut raw);
            push_node_key(&mut final_score, node);
            let mut weighted: Vec<(&str, &str)> = spans
                .iter()
                .map(|&(plugin, _, middle, end)| (plugin, text(middle, end)))
                .collect();
            push_object(&mut final_score, &mut weighted);
        }
        score.push('}');
        final_score.push('}');

        let mut annotations = BTreeMap::from([
            (FILTER_RESULT_ANNOTATION.to_string(), filter),
            (SCORE_RESULT_ANNOTATION.to_string(), score),
            (FINAL_SCORE_RESULT_ANNOTATION.to_string(), final_score),
        ]);
        if self.omitted.count > 0 {
            annotations.insert(OMITTED_NODES_ANNOTATION.to_string(), self.omitted.to_json());
        }
        annotations
    }
}

impl OmittedNodes {
    /// The value of [`OMITTED_NODES_ANNOTATION`]:
    /// `{"count":320,"feasible":300,"reasons":{"Insufficient cpu":20}}`.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(64);
        let _ = write!(
            out,
            "{{\"count\":{},\"feasible\":{},\"reasons\":{{",
            self.count, self.feasible
        );
        for (i, (reason, count)) in self.reasons.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_json_string(&mut out, reason);
            let _ = write!(out, ":{count}");
        }
        out.push_str("}}");
        out
    }

    /// Reads [`OMITTED_NODES_ANNOTATION`]'s value back; `None` when it is not that shape.
    pub fn from_json(text: &str) -> Option<OmittedNodes> {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        let number = |v: &serde_json::Value| v.as_u64().and_then(|n| usize::try_from(n).ok());
        let reasons = value
            .get("reasons")?
            .as_object()?
            .iter()
            .map(|(reason, count)| Some((reason.clone(), number(count)?)))
            .collect::<Option<BTreeMap<String, usize>>>()?;
        Some(OmittedNodes {
            count: number(value.get("count")?)?,
            feasible: number(value.get("feasible")?)?,
            reasons,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::plugins::Code;

    #[test]
    fn json_strings_are_escaped_exactly_as_serde_json_escapes_them() {
        let mut every_ascii: String = (0u8..0x80).map(char::from).collect();
        every_ascii.push_str("ünïcode ✓ \u{2028} 한국어");
        let cases = [
            "",
            "passed",
            "node(s) had untolerated taint {a: \"b\"}",
            "\\",
            &every_ascii,
        ];
        for text in cases {
            let mut ours = String::new();
            push_json_string(&mut ours, text);
            let expected = serde_json::to_string(text).unwrap_or_default();
            assert_eq!(ours, expected, "{text:?}");
        }
    }

    #[test]
    fn objects_are_written_with_sorted_keys_and_the_last_of_repeated_keys() {
        let mut entries = [("b", "2"), ("a", "1"), ("b", "3")];
        let mut out = String::new();
        push_object(&mut out, &mut entries);
        assert_eq!(out, r#"{"a":"1","b":"3"}"#);
    }

    fn failing(reasons: &[&'static str]) -> Status {
        Status {
            code: Code::Unschedulable,
            reasons: reasons.iter().map(|r| (*r).into()).collect(),
        }
    }

    #[test]
    fn all_nodes_are_listed_while_they_fit_in_the_budget() {
        let cpu = failing(&["Insufficient cpu"]);
        let listed = select_explained_nodes(3, &["a", "b"], None, Some(1), &[("c", 2, &cpu)]);
        assert_eq!(listed.feasible, [0, 1]);
        assert_eq!(listed.filtered, [0]);
        assert_eq!(listed.omitted, OmittedNodes::default());
    }

    #[test]
    fn over_budget_the_chosen_node_then_one_node_per_reason_then_top_scores_are_listed() {
        let cpu = failing(&["Insufficient cpu"]);
        let both = failing(&["Insufficient cpu", "Insufficient memory"]);
        let cordoned = failing(&["node(s) were unschedulable"]);
        let feasible = ["f0", "f1", "f2", "f3", "f4"];
        let totals = [10, 50, 30, 50, 20];
        let rejected: Vec<Rejection<'_>> = vec![
            ("r0", 2, &cpu),
            ("r1", 2, &cpu),
            ("r2", 2, &both),
            ("r3", 0, &cordoned),
            ("r4", 2, &cpu),
        ];
        // Chosen f3 (tied with f1 at 50), budget 6: f3, r0, r2, r3, then f1 (50, by name
        // before f3), f2 (30).
        let listed = select_explained_nodes(6, &feasible, Some(&totals), Some(3), &rejected);
        assert_eq!(listed.feasible, [1, 2, 3]);
        assert_eq!(listed.filtered, [0, 2, 3]);
        assert_eq!(
            listed.omitted,
            OmittedNodes {
                count: 4,
                feasible: 2,
                reasons: BTreeMap::from([("Insufficient cpu".to_string(), 2)]),
            }
        );
        // The same inputs give the same answer.
        let again = select_explained_nodes(6, &feasible, Some(&totals), Some(3), &rejected);
        assert_eq!(listed, again);
    }

    #[test]
    fn with_nothing_feasible_the_budget_goes_to_rejected_nodes_in_the_order_seen() {
        let cpu = failing(&["Insufficient cpu"]);
        let taint = failing(&["node(s) had untolerated taint {a: b}"]);
        let rejected: Vec<Rejection<'_>> = vec![
            ("r0", 2, &cpu),
            ("r1", 2, &cpu),
            ("r2", 2, &cpu),
            ("r3", 1, &taint),
            ("r4", 2, &cpu),
        ];
        let listed = select_explained_nodes(3, &[], None, None, &rejected);
        assert_eq!(listed.filtered, [0, 1, 3]);
        assert_eq!(listed.omitted.count, 2);
        assert_eq!(listed.omitted.feasible, 0);
        assert_eq!(
            listed.omitted.reasons,
            BTreeMap::from([("Insufficient cpu".to_string(), 2)])
        );
    }

    #[test]
    fn a_budget_of_zero_lists_no_node_and_counts_them_all() {
        let cpu = failing(&["Insufficient cpu"]);
        let listed = select_explained_nodes(0, &["a"], Some(&[5]), Some(0), &[("b", 2, &cpu)]);
        assert!(listed.feasible.is_empty() && listed.filtered.is_empty());
        assert_eq!((listed.omitted.count, listed.omitted.feasible), (2, 1));
    }

    #[test]
    fn the_omitted_nodes_annotation_reads_back_what_was_written() {
        let omitted = OmittedNodes {
            count: 320,
            feasible: 300,
            reasons: BTreeMap::from([
                ("Insufficient cpu".to_string(), 20),
                ("node(s) had untolerated taint {a: \"b\"}".to_string(), 1),
            ]),
        };
        let text = omitted.to_json();
        assert!(
            text.starts_with(r#"{"count":320,"feasible":300,"reasons":{"#),
            "{text}"
        );
        assert_eq!(OmittedNodes::from_json(&text), Some(omitted));
        assert_eq!(OmittedNodes::from_json("12"), None);
    }
}
