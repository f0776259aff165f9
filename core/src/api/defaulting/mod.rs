//! defaulting (work in progress).
