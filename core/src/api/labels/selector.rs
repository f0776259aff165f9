//! The label selector: a list of requirements that must all hold (Kubernetes'
//! `labels.Selector`), built from a string, a label map, or a `LabelSelector` object.
//!
//! Requirements are kept sorted by key, as Kubernetes sorts them, so that equal selectors
//! print the same. A selector with no requirements selects everything; the special
//! "nothing" selector (from a missing `LabelSelector`) selects no object at all.

use std::collections::BTreeMap;
use std::fmt;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::error::SelectorError;
use super::parser::parse_requirements;
use super::requirement::{Operator, Requirement};
use super::Labels;

/// Which objects a selector can select at all.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Scope {
    /// Objects whose labels satisfy every requirement (all objects when there are none).
    Requirements(Vec<Requirement>),
    /// No object: Kubernetes' `labels.Nothing()`, what a nil `LabelSelector` means.
    Nothing,
}

/// A label selector: requirements on label keys that must all match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector {
    scope: Scope,
}

fn sorted(mut requirements: Vec<Requirement>) -> Vec<Requirement> {
    // A stable sort keeps the written order of requirements on the same key.
    requirements.sort_by(|a, b| a.key().cmp(b.key()));
    requirements
}

/// Parses a label selector string with Kubernetes' grammar: `k=v`, `k==v`, `k!=v`,
/// `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, `k>1`, `k<1`, joined by commas. The empty
/// string selects everything.
pub fn parse(input: &str) -> Result<Selector, SelectorError> {
    Selector::parse(input)
}

impl Selector {
    /// See [`parse`].
    pub fn parse(input: &str) -> Result<Selector, SelectorError> {
        Ok(Selector {
            scope: Scope::Requirements(sorted(parse_requirements(input)?)),
        })
    }

    /// The selector that matches every object (no requirements).
    pub fn everything() -> Selector {
        Selector {
            scope: Scope::Requirements(Vec::new()),
        }
    }

    /// The selector that matches no object at all.
    pub fn nothing() -> Selector {
        Selector {
            scope: Scope::Nothing,
        }
    }

    /// A selector from already-checked requirements (sorted by key here).
    pub fn from_requirements(requirements: Vec<Requirement>) -> Selector {
        Selector {
            scope: Scope::Requirements(sorted(requirements)),
        }
    }

    /// The equality selector of a label map, as a ReplicationController's `spec.selector`
    /// is read (`labels.SelectorFromSet`): `k1=v1,k2=v2`. The map is not checked; an empty
    /// map selects everything.
    pub fn from_set(set: &BTreeMap<String, String>) -> Selector {
        Selector::from_requirements(
            set.iter()
                .map(|(k, v)| {
                    Requirement::new_unchecked(k.clone(), Operator::Equals, vec![v.clone()])
                })
                .collect(),
        )
    }

    /// Like [`Selector::from_set`], but checks every key and value first
    /// (`labels.ValidatedSelectorFromSet`).
    pub fn validated_from_set(set: &BTreeMap<String, String>) -> Result<Selector, SelectorError> {
        let requirements = set
            .iter()
            .map(|(k, v)| Requirement::new(k.clone(), Operator::Equals, vec![v.clone()]))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Selector::from_requirements(requirements))
    }

    /// Converts a `LabelSelector` object (as in a ReplicaSet's or Deployment's
    /// `spec.selector`) as `metav1.LabelSelectorAsSelector` does: no selector selects
    /// nothing, an empty one everything; `matchLabels` become `=` requirements and
    /// `matchExpressions` take the operators `In`, `NotIn`, `Exists` and `DoesNotExist`.
    pub fn from_label_selector(
        selector: Option<&LabelSelector>,
    ) -> Result<Selector, SelectorError> {
        let Some(selector) = selector else {
            return Ok(Selector::nothing());
        };
        let match_labels = selector.match_labels.as_ref();
        let match_expressions = selector.match_expressions.as_deref().unwrap_or_default();
        if match_labels.is_none_or(BTreeMap::is_empty) && match_expressions.is_empty() {
            return Ok(Selector::everything());
        }
        let mut requirements = Vec::new();
        for (key, value) in match_labels.into_iter().flatten() {
            requirements.push(Requirement::new(
                key.clone(),
                Operator::Equals,
                vec![value.clone()],
            )?);
        }
        for expression in match_expressions {
            let operator = match expression.operator.as_str() {
                "In" => Operator::In,
                "NotIn" => Operator::NotIn,
                "Exists" => Operator::Exists,
                "DoesNotExist" => Operator::DoesNotExist,
                other => {
                    return Err(SelectorError::InvalidLabelSelectorOperator(
                        other.to_string(),
                    ))
                }
            };
            requirements.push(Requirement::new(
                expression.key.clone(),
                operator,
                expression.values.clone().unwrap_or_default(),
            )?);
        }
        Ok(Selector::from_requirements(requirements))
    }

    /// Adds requirements, keeping them sorted by key.
    pub fn with_requirements(self, more: impl IntoIterator<Item = Requirement>) -> Selector {
        match self.scope {
            Scope::Requirements(mut requirements) => {
                requirements.extend(more);
                Selector::from_requirements(requirements)
            }
            Scope::Nothing => self,
        }
    }

    /// Whether the object with these labels is selected.
    pub fn matches(&self, labels: &(impl Labels + ?Sized)) -> bool {
        match &self.scope {
            Scope::Requirements(requirements) => requirements.iter().all(|r| r.matches(labels)),
            Scope::Nothing => false,
        }
    }

    /// Whether the selector places no restriction (selects everything). The "nothing"
    /// selector is not empty.
    pub fn is_empty(&self) -> bool {
        match &self.scope {
            Scope::Requirements(requirements) => requirements.is_empty(),
            Scope::Nothing => false,
        }
    }

    /// Whether this is the "nothing" selector, which selects no object.
    pub fn is_nothing(&self) -> bool {
        match self.scope {
            Scope::Requirements(_) => false,
            Scope::Nothing => true,
        }
    }

    /// The requirements, sorted by key (none for "everything" and for "nothing").
    pub fn requirements(&self) -> &[Requirement] {
        match &self.scope {
            Scope::Requirements(requirements) => requirements,
            Scope::Nothing => &[],
        }
    }

    /// The value `key` must have if the selector pins it to exactly one value (`key=v`,
    /// `key==v` or `key in (v)`), for looking objects up in an index. Like Kubernetes'
    /// `RequiresExactMatch`, only the first requirement on `key` is considered.
    pub fn exact_match_value(&self, key: &str) -> Option<&str> {
        let requirement = self.requirements().iter().find(|r| r.key() == key)?;
        match (requirement.operator(), requirement.values()) {
            (Operator::Equals | Operator::DoubleEquals | Operator::In, [value]) => Some(value),
            _ => None,
        }
    }
}

impl Default for Selector {
    fn default() -> Self {
        Selector::everything()
    }
}

impl fmt::Display for Selector {
    /// Kubernetes' canonical `String()`: requirements joined by `,` (empty for both
    /// "everything" and "nothing").
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, requirement) in self.requirements().iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{requirement}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Selector {
    type Err = SelectorError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Selector::parse(s)
    }
}
