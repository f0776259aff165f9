//! Errors of the MVCC store, with etcd's own texts.
//!
//! Every operation of [`KvStore`](super::KvStore) returns `Result<_, StoreError>`. The texts of
//! the revision errors are etcd's mvcc texts (`mvcc: required revision has been compacted`),
//! and the request errors are etcd's gRPC texts (`etcdserver: ...`), so that the API server can
//! map them exactly as the real kube-apiserver maps etcd's errors.

use super::{Revision, WatchId};

/// What went wrong in a store operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// A read, watch or compaction named a revision that compaction has already removed.
    #[error("mvcc: required revision has been compacted")]
    Compacted {
        /// The revision the caller asked for.
        requested: Revision,
        /// The store's compaction point: the oldest revision that can still be read.
        compact_revision: Revision,
    },
    /// A read or compaction named a revision newer than the store's current revision.
    #[error("mvcc: required revision is a future revision")]
    FutureRevision {
        /// The revision the caller asked for.
        requested: Revision,
        /// The store's current revision.
        current_revision: Revision,
    },
    /// A request named the empty key (a prefix may be empty, a single key may not).
    #[error("etcdserver: key is not provided")]
    EmptyKey,
    /// One branch of a transaction writes the same key twice, or puts a key that one of its
    /// deletes also covers; both writes would share one revision.
    #[error("etcdserver: duplicate key given in txn request")]
    DuplicateKey {
        /// The key written twice.
        key: String,
    },
    /// The watch was never created, was canceled, or was ended by a compaction.
    #[error("watch {0} not found: it was canceled, ended by compaction, or never created")]
    WatchNotFound(WatchId),
}
