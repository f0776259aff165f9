//! labels (work in progress).
