//! `LabelSelector` checks shared by every kind that selects pods (Deployment, ReplicaSet,
//! topology spread, affinity…), as Kubernetes' `ValidateLabelSelector` does them, and the small
//! amount of matching validation needs (does the selector match the template's labels?).
//!
//! Matching here follows `metav1.LabelSelectorAsSelector`: a selector whose requirements are
//! malformed is not a selector at all ([`SelectorMatch::Invalid`]), an empty one selects
//! everything, and a missing one selects nothing.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};

use super::field::{ErrorList, FieldError, FieldPath};
use super::names::{is_qualified_name, is_valid_label_value};
use super::object_meta::{validate_label_name, validate_labels};

/// The label-selector operators Kubernetes accepts in `matchExpressions`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SelectorOperator {
    /// The label's value is one of `values`.
    In,
    /// The label is missing or its value is not one of `values`.
    NotIn,
    /// The label is present.
    Exists,
    /// The label is absent.
    DoesNotExist,
}

impl SelectorOperator {
    /// Reads an operator as written in a manifest.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "In" => Some(SelectorOperator::In),
            "NotIn" => Some(SelectorOperator::NotIn),
            "Exists" => Some(SelectorOperator::Exists),
            "DoesNotExist" => Some(SelectorOperator::DoesNotExist),
            _ => None,
        }
    }
}

/// Validates one `matchExpressions` entry.
fn validate_requirement(
    requirement: &LabelSelectorRequirement,
    allow_invalid_label_value: bool,
    path: &FieldPath,
) -> ErrorList {
    let mut errs = ErrorList::new();
    let values = requirement.values.as_deref().unwrap_or_default();
    match SelectorOperator::parse(&requirement.operator) {
        Some(SelectorOperator::In | SelectorOperator::NotIn) => {
            if values.is_empty() {
                errs.push(FieldError::required(
                    &path.child("values"),
                    "must be specified when `operator` is 'In' or 'NotIn'",
                ));
            }
        }
        Some(SelectorOperator::Exists | SelectorOperator::DoesNotExist) => {
            if !values.is_empty() {
                errs.push(FieldError::forbidden(
                    &path.child("values"),
                    "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                ));
            }
        }
        None => errs.push(FieldError::invalid(
            &path.child("operator"),
            requirement.operator.as_str(),
            "not a valid selector operator",
        )),
    }
    errs.extend(validate_label_name(&requirement.key, &path.child("key")));
    if !allow_invalid_label_value {
        for (i, value) in values.iter().enumerate() {
            for msg in is_valid_label_value(value) {
                errs.push(FieldError::invalid(
                    &path.child("values").index(i),
                    value.as_str(),
                    msg,
                ));
            }
        }
    }
    errs
}

/// Validates a label selector's syntax: `matchLabels` as labels, each `matchExpressions` entry's
/// operator, key and values (Kubernetes' `ValidateLabelSelector` with strict label values).
pub fn validate_label_selector(selector: &LabelSelector, path: &FieldPath) -> ErrorList {
    let mut errs = validate_labels(selector.match_labels.as_ref(), &path.child("matchLabels"));
    for (i, requirement) in selector.match_expressions.iter().flatten().enumerate() {
        errs.extend(validate_requirement(
            requirement,
            false,
            &path.child("matchExpressions").index(i),
        ));
    }
    errs
}

/// Whether a selector has no requirements at all (`{}`), which selects everything.
pub fn is_empty_selector(selector: &LabelSelector) -> bool {
    selector
        .match_labels
        .as_ref()
        .is_none_or(BTreeMap::is_empty)
        && selector
            .match_expressions
            .as_ref()
            .is_none_or(Vec::is_empty)
}

/// The outcome of matching a selector against a label set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SelectorMatch {
    /// The selector is well formed and selects the labels.
    Matches,
    /// The selector is well formed and does not select the labels.
    DoesNotMatch,
    /// The selector cannot be turned into a selector (bad operator, key or values).
    Invalid,
}

/// Matches a selector against labels the way `LabelSelectorAsSelector(...).Matches(...)` does.
pub fn match_label_selector(
    selector: &LabelSelector,
    labels: Option<&BTreeMap<String, String>>,
) -> SelectorMatch {
    let empty = BTreeMap::new();
    let labels = labels.unwrap_or(&empty);
    let mut matches = true;
    for (key, value) in selector.match_labels.iter().flatten() {
        if !is_qualified_name(key).is_empty() || !is_valid_label_value(value).is_empty() {
            return SelectorMatch::Invalid;
        }
        matches &= labels.get(key) == Some(value);
    }
    for requirement in selector.match_expressions.iter().flatten() {
        let values = requirement.values.as_deref().unwrap_or_default();
        if !is_qualified_name(&requirement.key).is_empty()
            || values.iter().any(|v| !is_valid_label_value(v).is_empty())
        {
            return SelectorMatch::Invalid;
        }
        let actual = labels.get(&requirement.key);
        let requirement_matches = match SelectorOperator::parse(&requirement.operator) {
            Some(SelectorOperator::In) if !values.is_empty() => {
                actual.is_some_and(|a| values.contains(a))
            }
            Some(SelectorOperator::NotIn) if !values.is_empty() => {
                actual.is_none_or(|a| !values.contains(a))
            }
            Some(SelectorOperator::Exists) if values.is_empty() => actual.is_some(),
            Some(SelectorOperator::DoesNotExist) if values.is_empty() => actual.is_none(),
            Some(_) | None => return SelectorMatch::Invalid,
        };
        matches &= requirement_matches;
    }
    if matches {
        SelectorMatch::Matches
    } else {
        SelectorMatch::DoesNotMatch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selector(labels: &[(&str, &str)], exprs: &[(&str, &str, &[&str])]) -> LabelSelector {
        LabelSelector {
            match_labels: (!labels.is_empty()).then(|| {
                labels
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect()
            }),
            match_expressions: (!exprs.is_empty()).then(|| {
                exprs
                    .iter()
                    .map(|(k, op, vs)| LabelSelectorRequirement {
                        key: k.to_string(),
                        operator: op.to_string(),
                        values: (!vs.is_empty())
                            .then(|| vs.iter().map(|v| v.to_string()).collect()),
                    })
                    .collect()
            }),
        }
    }

    #[test]
    fn selector_syntax_errors_read_like_kubernetes() {
        let path = FieldPath::new("spec").child("selector");
        let cases: Vec<(&str, LabelSelector, Vec<&str>)> = vec![
            ("a plain matchLabels selector is fine", selector(&[("app", "web")], &[]), vec![]),
            ("In without values needs values", selector(&[], &[("tier", "In", &[])]),
                vec!["spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"]),
            ("Exists with values forbids them", selector(&[], &[("tier", "Exists", &["a"])]),
                vec!["spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"]),
            ("an unknown operator is invalid", selector(&[], &[("tier", "Equals", &["a"])]),
                vec!["spec.selector.matchExpressions[0].operator: Invalid value: \"Equals\": not a valid selector operator"]),
        ];
        for (name, sel, want) in cases {
            let got: Vec<String> = validate_label_selector(&sel, &path)
                .iter()
                .map(ToString::to_string)
                .collect();
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn selectors_match_template_labels_with_set_based_operators() {
        let labels = BTreeMap::from([
            ("app".to_string(), "web".to_string()),
            ("tier".to_string(), "front".to_string()),
        ]);
        let cases: Vec<(&str, LabelSelector, SelectorMatch)> = vec![
            (
                "equal labels match",
                selector(&[("app", "web")], &[]),
                SelectorMatch::Matches,
            ),
            (
                "a different value does not match",
                selector(&[("app", "db")], &[]),
                SelectorMatch::DoesNotMatch,
            ),
            (
                "In matches a listed value",
                selector(&[], &[("tier", "In", &["front", "back"])]),
                SelectorMatch::Matches,
            ),
            (
                "NotIn matches when the key is absent",
                selector(&[], &[("env", "NotIn", &["prod"])]),
                SelectorMatch::Matches,
            ),
            (
                "Exists needs the key",
                selector(&[], &[("env", "Exists", &[])]),
                SelectorMatch::DoesNotMatch,
            ),
            (
                "DoesNotExist matches a missing key",
                selector(&[], &[("env", "DoesNotExist", &[])]),
                SelectorMatch::Matches,
            ),
            (
                "a bad operator is not a selector",
                selector(&[], &[("env", "Is", &["x"])]),
                SelectorMatch::Invalid,
            ),
        ];
        for (name, sel, want) in cases {
            assert_eq!(match_label_selector(&sel, Some(&labels)), want, "{name}");
        }
    }
}
