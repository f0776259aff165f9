//! The MVCC store (work in progress).
