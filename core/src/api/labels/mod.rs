//! Labels and label selectors, as Kubernetes' `k8s.io/apimachinery/pkg/labels`.
//!
//! A selector comes from one of three places: a string such as `kubectl get -l
//! 'tier notin (frontend),environment=production'` ([`parse`]), a ReplicationController's
//! label map ([`Selector::from_set`]), or a `LabelSelector` object in a ReplicaSet,
//! Deployment or Service-like spec ([`Selector::from_label_selector`]). Each becomes a
//! [`Selector`]: [`Requirement`]s sorted by key, each checked on the way in. Controllers,
//! the API server's list filter and the service proxy then ask
//! [`Selector::matches`] of each object's labels (anything implementing [`Labels`]).
//! Errors ([`SelectorError`]) carry Kubernetes' own wording.

mod error;
mod go_format;
mod lexer;
mod parser;
mod requirement;
mod selector;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

pub use error::{RequirementError, SelectorError};
pub use requirement::{Operator, Requirement};
pub use selector::{parse, Selector};

pub use go_format::go_quote;

/// Read access to an object's labels, whatever holds them.
pub trait Labels {
    /// The value of label `key`, or `None` when the object has no such label.
    fn get(&self, key: &str) -> Option<&str>;
}

impl Labels for BTreeMap<String, String> {
    fn get(&self, key: &str) -> Option<&str> {
        BTreeMap::get(self, key).map(String::as_str)
    }
}

/// Labels as `ObjectMeta.labels` holds them: no map means no labels.
impl Labels for Option<BTreeMap<String, String>> {
    fn get(&self, key: &str) -> Option<&str> {
        self.as_ref().and_then(|labels| Labels::get(labels, key))
    }
}

impl<L: Labels + ?Sized> Labels for &L {
    fn get(&self, key: &str) -> Option<&str> {
        (**self).get(key)
    }
}
