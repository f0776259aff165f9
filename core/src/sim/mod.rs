//! The simulation kernel (work in progress).
