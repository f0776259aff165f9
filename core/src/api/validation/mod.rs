//! Validation as the Kubernetes API server does it: every problem is a [`FieldError`]-style
//! message tied to a field path.

pub mod names;
