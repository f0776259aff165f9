//! The object model: Kubernetes kinds in their wire form, and the machinery around them.
//!
//! Objects arrive as JSON or YAML (see `manifest`), are defaulted (`defaulting`), validated
//! (`validation`) and compared against selectors (`labels`). Patches (`patch`) work on the
//! JSON form, exactly as the real API server applies them.

pub mod labels;
pub mod patch;
pub mod validation;
