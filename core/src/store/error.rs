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
    /// The store's backing storage failed (a durable store could not save a change); the
    /// write that saw this error may or may not have been saved, and the store refuses every
    /// later request until it is restarted. etcd exits in this situation.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
}

/// Why [`MemoryStore::restore`](super::MemoryStore::restore) refused the state it was given:
/// the saved keys contradict each other or the saved revision.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RestoreError {
    /// The saved revision is 0; an empty store is at revision 1.
    #[error("cannot restore a store at revision 0: revisions start at 1")]
    ZeroRevision,
    /// A saved key is the empty string.
    #[error("cannot restore the empty key")]
    EmptyKey,
    /// The same key was given twice.
    #[error("key {key:?} is given twice")]
    DuplicateKey {
        /// The repeated key.
        key: String,
    },
    /// A key was written after the revision the store is restored at.
    #[error("key {key:?} was modified at revision {mod_revision}, after the store's revision {revision}")]
    ModifiedAfterStore {
        /// The key.
        key: String,
        /// Its saved mod revision.
        mod_revision: Revision,
        /// The revision the store is restored at.
        revision: Revision,
    },
    /// A key's create revision is 0 or after its mod revision.
    #[error("key {key:?} has create revision {create_revision}, which must be between 1 and its mod revision {mod_revision}")]
    CreateRevisionOutOfRange {
        /// The key.
        key: String,
        /// Its saved create revision.
        create_revision: Revision,
        /// Its saved mod revision.
        mod_revision: Revision,
    },
    /// A key's version is 0, or more writes than revisions between its creation and its
    /// last modification.
    #[error("key {key:?} has version {version}, which must be between 1 and {max_version} (one write per revision since its creation)")]
    VersionOutOfRange {
        /// The key.
        key: String,
        /// Its saved version.
        version: u64,
        /// The largest version its revisions allow.
        max_version: u64,
    },
}
