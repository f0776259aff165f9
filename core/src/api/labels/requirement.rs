//! One requirement of a label selector: a key, an operator and values
//! (Kubernetes' `labels.Requirement` and `selection.Operator`).
//!
//! [`Requirement::new`] checks a requirement exactly as `labels.NewRequirement` does (key
//! syntax, value syntax, how many values the operator takes) and reports every problem as a
//! field error. [`Requirement::matches`] then decides whether one object's labels satisfy it.

use std::fmt;

use super::error::{RequirementError, SelectorError};
use super::go_format::{go_json_strings, go_quote};
use super::Labels;
use crate::api::validation::names::{is_qualified_name, is_valid_label_value};

/// How a requirement relates a label key to its values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Operator {
    /// `key=value`: the label is present and equals the value.
    Equals,
    /// `key==value`: the same as [`Operator::Equals`], written with two signs.
    DoubleEquals,
    /// `key!=value`: the label is absent, or present with another value.
    NotEquals,
    /// `key in (a,b)`: the label is present and its value is one of the values.
    In,
    /// `key notin (a,b)`: the label is absent, or its value is none of the values.
    NotIn,
    /// `key`: the label is present, whatever its value.
    Exists,
    /// `!key`: the label is absent.
    DoesNotExist,
    /// `key>5`: the label is present, is an integer, and is greater than the value.
    GreaterThan,
    /// `key<5`: the label is present, is an integer, and is less than the value.
    LessThan,
}

impl Operator {
    /// Kubernetes' name for the operator (`selection.Operator`): `=`, `==`, `!=`, `in`,
    /// `notin`, `exists`, `!`, `gt`, `lt`.
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Equals => "=",
            Operator::DoubleEquals => "==",
            Operator::NotEquals => "!=",
            Operator::In => "in",
            Operator::NotIn => "notin",
            Operator::Exists => "exists",
            Operator::DoesNotExist => "!",
            Operator::GreaterThan => "gt",
            Operator::LessThan => "lt",
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One condition on one label key. A selector matches when all its requirements match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    key: String,
    operator: Operator,
    /// Nearly always one value, so a small vector beats a set here (as in Kubernetes).
    values: Vec<String>,
}

impl Requirement {
    /// Builds a requirement, checking it as `labels.NewRequirement` does:
    /// the key must be a qualified name; `in`/`notin` need at least one value; `=`, `==`,
    /// `!=` exactly one; `exists` and `!` none; `gt`/`lt` exactly one integer; every value
    /// must be a valid label value. All problems are reported together.
    pub fn new(
        key: impl Into<String>,
        operator: Operator,
        values: Vec<String>,
    ) -> Result<Requirement, SelectorError> {
        let key = key.into();
        let mut errors = Vec::new();
        let key_errors = is_qualified_name(&key);
        if !key_errors.is_empty() {
            errors.push(RequirementError {
                field: "key".to_string(),
                bad_value: go_quote(&key),
                detail: key_errors.join("; "),
            });
        }
        let count_error = |detail: &str| RequirementError {
            field: "values".to_string(),
            bad_value: go_json_strings(&values),
            detail: detail.to_string(),
        };
        match operator {
            Operator::In | Operator::NotIn => {
                if values.is_empty() {
                    errors.push(count_error(
                        "for 'in', 'notin' operators, values set can't be empty",
                    ));
                }
            }
            Operator::Equals | Operator::DoubleEquals | Operator::NotEquals => {
                if values.len() != 1 {
                    errors.push(count_error(
                        "exact-match compatibility requires one single value",
                    ));
                }
            }
            Operator::Exists | Operator::DoesNotExist => {
                if !values.is_empty() {
                    errors.push(count_error(
                        "values set must be empty for exists and does not exist",
                    ));
                }
            }
            Operator::GreaterThan | Operator::LessThan => {
                if values.len() != 1 {
                    errors.push(count_error(
                        "for 'Gt', 'Lt' operators, exactly one value is required",
                    ));
                }
                for (i, value) in values.iter().enumerate() {
                    if value.parse::<i64>().is_err() {
                        errors.push(RequirementError {
                            field: format!("values[{i}]"),
                            bad_value: go_quote(value),
                            detail: "for 'Gt', 'Lt' operators, the value must be an integer"
                                .to_string(),
                        });
                    }
                }
            }
        }
        for (i, value) in values.iter().enumerate() {
            let value_errors = is_valid_label_value(value);
            if !value_errors.is_empty() {
                errors.push(RequirementError {
                    field: format!("values[{i}][{key}]"),
                    bad_value: go_quote(value),
                    detail: value_errors.join("; "),
                });
            }
        }
        if errors.is_empty() {
            Ok(Requirement {
                key,
                operator,
                values,
            })
        } else {
            Err(SelectorError::InvalidRequirement(errors))
        }
    }

    /// Builds a requirement without checking it, for values already known to be valid
    /// (Kubernetes' `SelectorFromValidatedSet`).
    pub(crate) fn new_unchecked(key: String, operator: Operator, values: Vec<String>) -> Self {
        Requirement {
            key,
            operator,
            values,
        }
    }

    /// The label key this requirement is about.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The operator relating the key to the values.
    pub fn operator(&self) -> Operator {
        self.operator
    }

    /// The values, in the order given (sorted and deduplicated when parsed from a string).
    pub fn values(&self) -> &[String] {
        &self.values
    }

    fn has_value(&self, value: &str) -> bool {
        self.values.iter().any(|v| v == value)
    }

    /// Whether the labels satisfy this requirement. `!=` and `notin` match objects that do
    /// not have the key at all; `>` and `<` need the key present with an integer value.
    pub fn matches(&self, labels: &(impl Labels + ?Sized)) -> bool {
        match self.operator {
            Operator::In | Operator::Equals | Operator::DoubleEquals => {
                labels.get(&self.key).is_some_and(|v| self.has_value(v))
            }
            Operator::NotIn | Operator::NotEquals => {
                labels.get(&self.key).is_none_or(|v| !self.has_value(v))
            }
            Operator::Exists => labels.get(&self.key).is_some(),
            Operator::DoesNotExist => labels.get(&self.key).is_none(),
            Operator::GreaterThan => self
                .integers(labels)
                .is_some_and(|(have, want)| have > want),
            Operator::LessThan => self
                .integers(labels)
                .is_some_and(|(have, want)| have < want),
        }
    }

    /// For `gt`/`lt`: the label's integer value and the requirement's single integer, or
    /// `None` when the label is missing, either is not an integer, or there is not exactly
    /// one value.
    fn integers(&self, labels: &(impl Labels + ?Sized)) -> Option<(i64, i64)> {
        let have = labels.get(&self.key)?.parse::<i64>().ok()?;
        let [want] = self.values.as_slice() else {
            return None;
        };
        Some((have, want.parse::<i64>().ok()?))
    }
}

impl fmt::Display for Requirement {
    /// Kubernetes' canonical form: `key=v`, `key==v`, `key!=v`, `key in (a,b)`,
    /// `key notin (a,b)`, `key`, `!key`, `key>1`, `key<1`; several values sorted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (infix, open, close) = match self.operator {
            Operator::DoesNotExist => return write!(f, "!{}", self.key),
            Operator::Exists => return f.write_str(&self.key),
            Operator::Equals => ("=", "", ""),
            Operator::DoubleEquals => ("==", "", ""),
            Operator::NotEquals => ("!=", "", ""),
            Operator::In => (" in ", "(", ")"),
            Operator::NotIn => (" notin ", "(", ")"),
            Operator::GreaterThan => (">", "", ""),
            Operator::LessThan => ("<", "", ""),
        };
        let values = if self.values.len() == 1 {
            self.values.concat()
        } else {
            let mut sorted = self.values.clone();
            sorted.sort();
            sorted.join(",")
        };
        write!(f, "{}{infix}{open}{values}{close}", self.key)
    }
}
