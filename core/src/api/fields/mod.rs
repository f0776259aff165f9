//! fields (work in progress).
