//! Field selectors, as Kubernetes' `k8s.io/apimachinery/pkg/fields`, and the field labels
//! the API server accepts for each kind.
//!
//! A `fieldSelector` query parameter (`kubectl get pods --field-selector
//! status.phase=Running,spec.nodeName=node-1`) is parsed by [`parse`] into a
//! [`FieldSelector`]. The API server checks and renames its terms for the kind being listed
//! ([`FieldSelector::convert_for_kind`], [`supported_field_labels`]), answering 400 with
//! [`UnsupportedFieldLabel`]'s text when a label is not supported, and then keeps the
//! objects whose selectable fields (anything implementing [`Fields`]) pass
//! [`FieldSelector::matches`].

mod selector;
mod supported;

#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::collections::BTreeMap;

pub use selector::{
    escape_value, parse, unescape_value, FieldOperator, FieldRequirement, FieldSelector,
    FieldSelectorError,
};
pub use supported::{convert_field_label, supported_field_labels, UnsupportedFieldLabel};

/// Read access to an object's selectable fields (Kubernetes' `fields.Fields`), e.g.
/// `metadata.name`, `status.phase`, `spec.unschedulable` (as `"true"`/`"false"`).
pub trait Fields {
    /// The field's value as a string, or `None` when the object has no such field (which
    /// selectors treat as the empty string).
    fn get(&self, field: &str) -> Option<Cow<'_, str>>;
}

impl Fields for BTreeMap<String, String> {
    fn get(&self, field: &str) -> Option<Cow<'_, str>> {
        BTreeMap::get(self, field).map(|v| Cow::Borrowed(v.as_str()))
    }
}

impl<F: Fields + ?Sized> Fields for &F {
    fn get(&self, field: &str) -> Option<Cow<'_, str>> {
        (**self).get(field)
    }
}
