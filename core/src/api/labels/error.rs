//! Errors of label selector parsing and requirement construction, worded as Kubernetes words
//! them (`k8s.io/apimachinery/pkg/labels`).
//!
//! Parsing errors name the token found and what was expected; requirement errors are
//! field errors (`values[0][app]: Invalid value: "-x": ...`) aggregated the way Kubernetes
//! aggregates a `field.ErrorList`.

use std::fmt;

use super::go_format::go_quote;

/// One field error raised while building a [`Requirement`](super::Requirement), as
/// Kubernetes' `field.Invalid` renders it: `<field>: Invalid value: <value>: <detail>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequirementError {
    /// The field path, e.g. `key`, `values`, `values[0][app]`, or `<nil>` for a key rejected
    /// by the string parser (Kubernetes passes it no path).
    pub field: String,
    /// The bad value as Go prints it (a quoted string, or a JSON list).
    pub bad_value: String,
    /// Why the value is wrong.
    pub detail: String,
}

impl fmt::Display for RequirementError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: Invalid value: {}: {}",
            self.field, self.bad_value, self.detail
        )
    }
}

/// Formats a list of field errors as Kubernetes' aggregate error: one message alone, several
/// deduplicated inside `[...]` separated by `, `.
fn aggregate(errors: &[RequirementError]) -> String {
    let mut seen: Vec<String> = Vec::new();
    for err in errors {
        let msg = err.to_string();
        if !seen.contains(&msg) {
            seen.push(msg);
        }
    }
    match seen.as_slice() {
        [one] => one.clone(),
        many => format!("[{}]", many.join(", ")),
    }
}

/// What was wrong with a label selector string or a label selector object.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SelectorError {
    /// A requirement (one comma-separated term) of a selector string could not be parsed;
    /// the inner error says why.
    #[error("unable to parse requirement: {0}")]
    UnableToParseRequirement(Box<SelectorError>),
    /// The parser met a token it did not expect at that place.
    #[error("found '{found}', expected: {expected}")]
    UnexpectedToken {
        /// The text of the token found (empty at the end of the string).
        found: String,
        /// What the grammar allows there, in Kubernetes' words.
        expected: &'static str,
    },
    /// `in` or `notin` was not followed by `(`.
    #[error("found '{found}' expected: '('")]
    MissingOpenParenthesis {
        /// The text of the token found instead.
        found: String,
    },
    /// The key, the values, or their number do not fit the operator.
    #[error("{}", aggregate(.0))]
    InvalidRequirement(Vec<RequirementError>),
    /// A `LabelSelector` match expression used an operator other than `In`, `NotIn`,
    /// `Exists` or `DoesNotExist`.
    #[error("{} is not a valid label selector operator", go_quote(.0))]
    InvalidLabelSelectorOperator(String),
}
