//! The API server semantics (work in progress).
