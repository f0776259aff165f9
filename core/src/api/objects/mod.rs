//! objects (work in progress).
