//! The object model: Kubernetes kinds in their wire form, and the machinery around them.
//!
//! Objects arrive as JSON or YAML ([`manifest`]), are typed as one of the supported kinds
//! ([`objects`]), defaulted ([`defaulting`]), validated ([`validation`]) and compared against
//! label and field selectors ([`labels`], [`fields`]). Patches ([`patch`]) work on the JSON
//! form, exactly as the real API server applies them.

pub mod defaulting;
pub mod events;
pub mod fields;
pub mod labels;
pub mod manifest;
pub mod objects;
pub mod patch;
pub mod validation;
