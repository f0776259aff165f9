//! NodeAffinity: `spec.nodeSelector` and `requiredDuringSchedulingIgnoredDuringExecution`
//! node affinity filter nodes by their labels (terms are ORed, expressions in a term ANDed,
//! operators `In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt`, `Lt`, plus `matchFields` on
//! `metadata.name`); `preferredDuringScheduling…` terms add their weights to a node's score,
//! normalised so the best node gets 100.

use k8s_openapi::api::core::v1::{NodeSelectorRequirement, NodeSelectorTerm};

use super::taint_toleration::default_normalize_score;
use super::{Code, CycleState, Status, MAX_NODE_SCORE};
use crate::api::labels::{Operator, Requirement, Selector};
use crate::api::objects::StoredPod;
use crate::scheduler::snapshot::NodeInfo;

/// `ErrReasonPod`.
pub const ERR_REASON_POD: &str = "node(s) didn't match Pod's node affinity/selector";

/// One parsed node selector term. A term that failed to parse, or has no requirements,
/// matches no node (as `nodeaffinity.NodeSelector` ignores such terms).
#[derive(Clone, Debug)]
pub struct Term {
    labels: Vec<Requirement>,
    names_in: Option<Vec<String>>,
    names_not_in: Vec<String>,
    valid: bool,
}

impl Term {
    /// Parses a `NodeSelectorTerm`.
    pub fn parse(term: &NodeSelectorTerm) -> Term {
        let mut parsed = Term {
            labels: Vec::new(),
            names_in: None,
            names_not_in: Vec::new(),
            valid: true,
        };
        let expressions = term.match_expressions.as_deref().unwrap_or_default();
        let fields = term.match_fields.as_deref().unwrap_or_default();
        if expressions.is_empty() && fields.is_empty() {
            parsed.valid = false;
        }
        for expression in expressions {
            match label_requirement(expression) {
                Some(requirement) => parsed.labels.push(requirement),
                None => parsed.valid = false,
            }
        }
        for field in fields {
            let values = field.values.clone().unwrap_or_default();
            match (field.key.as_str(), field.operator.as_str(), values.len()) {
                ("metadata.name", "In", 1) => {
                    let names = parsed.names_in.get_or_insert_with(|| values.clone());
                    names.retain(|n| values.contains(n));
                }
                ("metadata.name", "NotIn", 1) => parsed.names_not_in.extend(values),
                _ => parsed.valid = false,
            }
        }
        parsed
    }

    /// Whether the node matches every requirement of the term.
    pub fn matches(&self, node: &NodeInfo) -> bool {
        self.valid
            && self.labels.iter().all(|r| r.matches(&node.labels))
            && self
                .names_in
                .as_ref()
                .is_none_or(|names| names.contains(&node.name))
            && !self.names_not_in.contains(&node.name)
    }
}

fn label_requirement(expression: &NodeSelectorRequirement) -> Option<Requirement> {
    let operator = match expression.operator.as_str() {
        "In" => Operator::In,
        "NotIn" => Operator::NotIn,
        "Exists" => Operator::Exists,
        "DoesNotExist" => Operator::DoesNotExist,
        "Gt" => Operator::GreaterThan,
        "Lt" => Operator::LessThan,
        _ => return None,
    };
    Requirement::new(
        expression.key.clone(),
        operator,
        expression.values.clone().unwrap_or_default(),
    )
    .ok()
}

/// `nodeaffinity.RequiredNodeAffinity`: the node selector and the required terms.
#[derive(Clone, Debug, Default)]
pub struct RequiredNodeAffinity {
    node_selector: Option<Selector>,
    terms: Option<Vec<Term>>,
}

impl RequiredNodeAffinity {
    /// Reads `spec.nodeSelector` and required node affinity.
    pub fn from_pod(pod: &StoredPod) -> RequiredNodeAffinity {
        let spec = pod.spec.as_ref();
        let node_selector = spec
            .and_then(|s| s.node_selector.as_ref())
            .filter(|s| !s.is_empty())
            .map(Selector::from_set);
        let terms = spec
            .and_then(|s| s.affinity.as_ref())
            .and_then(|a| a.node_affinity.as_ref())
            .and_then(|n| {
                n.required_during_scheduling_ignored_during_execution
                    .as_ref()
            })
            .map(|selector| {
                selector
                    .node_selector_terms
                    .iter()
                    .map(Term::parse)
                    .collect()
            });
        RequiredNodeAffinity {
            node_selector,
            terms,
        }
    }

    /// Whether the pod places no node requirement (PreFilter returns Skip).
    pub fn is_empty(&self) -> bool {
        self.node_selector.is_none() && self.terms.is_none()
    }

    /// Whether the node satisfies both the selector and one of the terms.
    pub fn matches(&self, node: &NodeInfo) -> bool {
        self.node_selector
            .as_ref()
            .is_none_or(|s| s.matches(&node.labels))
            && self
                .terms
                .as_ref()
                .is_none_or(|terms| terms.iter().any(|t| t.matches(node)))
    }
}

/// Preferred scheduling terms with their weights (weight 0 terms are dropped).
#[derive(Clone, Debug, Default)]
pub struct PreferredSchedulingTerms {
    terms: Vec<(i64, Term)>,
    present: bool,
}

impl PreferredSchedulingTerms {
    /// Reads `preferredDuringSchedulingIgnoredDuringExecution`.
    pub fn from_pod(pod: &StoredPod) -> PreferredSchedulingTerms {
        let preferred = pod
            .spec
            .as_ref()
            .and_then(|s| s.affinity.as_ref())
            .and_then(|a| a.node_affinity.as_ref())
            .and_then(|n| {
                n.preferred_during_scheduling_ignored_during_execution
                    .as_ref()
            });
        PreferredSchedulingTerms {
            present: preferred.is_some(),
            terms: preferred
                .into_iter()
                .flatten()
                .filter(|t| t.weight != 0)
                .map(|t| (i64::from(t.weight), Term::parse(&t.preference)))
                .collect(),
        }
    }

    /// Whether the pod has preferred terms at all (PreScore returns Skip otherwise).
    pub fn is_present(&self) -> bool {
        self.present
    }

    /// The sum of the weights of the terms the node matches.
    pub fn score(&self, node: &NodeInfo) -> i64 {
        self.terms
            .iter()
            .filter(|(_, term)| term.matches(node))
            .map(|(weight, _)| weight)
            .sum()
    }
}

/// Fails nodes that do not match with `UnschedulableAndUnresolvable`.
pub fn filter(state: &CycleState<'_>, node: &NodeInfo) -> Status {
    if state.required_affinity.matches(node) {
        Status::success()
    } else {
        Status::new(Code::UnschedulableAndUnresolvable, ERR_REASON_POD)
    }
}

/// The sum of the weights of matching preferred terms.
pub fn score(state: &CycleState<'_>, node: &NodeInfo) -> i64 {
    state.preferred_affinity.score(node)
}

/// `DefaultNormalizeScore(MaxNodeScore, reverse=false)`.
pub fn normalize_score(scores: &mut [i64]) {
    default_normalize_score(MAX_NODE_SCORE, false, scores);
}
