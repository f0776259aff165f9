//! An etcd-like MVCC key-value store: revisions, transactions, watch and compaction.
//!
//! The API server keeps every object here under keys like `/registry/pods/default/nginx`,
//! exactly as kube-apiserver keeps them in etcd, and every semantic it builds on is etcd v3's:
//!
//! - One global **revision** counts committed writes. An empty store is at revision 1; each
//!   put, delete or transaction that changes something advances it by exactly one.
//! - Each key carries `create_revision`, `mod_revision` and `version` ([`KeyValue`]); deleting a
//!   key and creating it again starts a new generation (version 1, a new create revision).
//! - Reads ([`RangeRequest`]) see the current revision or any past one down to the
//!   **compaction** point; below it they fail with [`StoreError::Compacted`], above the current
//!   revision with [`StoreError::FutureRevision`].
//! - A [`TxnRequest`] checks [`Compare`] guards and runs one of two operation lists
//!   atomically, all its writes sharing one revision (the API server's optimistic concurrency
//!   is a `mod_revision` compare).
//! - A **watch** ([`WatchRequest`]) delivers [`WatchEvent`]s in revision order from now or
//!   from a past revision. It is sans-IO: the host drains events with
//!   [`KvStore::poll_watch`].
//!
//! Data flow: a write request enters [`MemoryStore`], which appends a revision to the key's
//! history (in `history`) and, while watches exist, one entry to the shared watch log (in
//! `watch`). Values are `Arc<V>` from the request on: the store, range answers, the watch
//! log and every watcher's events share them and never copy them. [`KvStore`] is the seam
//! where a real etcd cluster can replace the in-memory store.

mod error;
mod history;
mod key_range;
mod memory;
mod request;
mod watch;

#[cfg(test)]
mod model_tests;
#[cfg(test)]
mod scenario_tests;

pub use error::{RestoreError, StoreError};
pub use key_range::KeyRange;
pub use memory::MemoryStore;
pub use request::{
    CompactResponse, Compare, CompareResult, CompareTarget, DeleteRangeRequest,
    DeleteRangeResponse, KeyValue, PutRequest, PutResponse, RangeRequest, RangeResponse, RequestOp,
    ResponseOp, TxnRequest, TxnResponse,
};
pub use watch::{WatchEvent, WatchId, WatchRequest};

/// A store revision: the number of committed write transactions, plus one (etcd's `int64`
/// revision; never negative here). In requests, 0 means "the current revision" / "now".
pub type Revision = u64;

/// The operations of an etcd v3 key-value store, as the API server uses them.
///
/// [`MemoryStore`] implements it in memory; a later backend can forward the same requests to
/// a real etcd cluster.
pub trait KvStore<V> {
    /// The revision of the last committed write (1 for an empty store).
    fn current_revision(&self) -> Revision;

    /// The compaction point: the oldest revision that can still be read or watched from
    /// (0 when never compacted).
    fn compact_revision(&self) -> Revision;

    /// Reads keys at the current or a past revision.
    fn range(&self, request: &RangeRequest) -> Result<RangeResponse<V>, StoreError>;

    /// Writes one key.
    fn put(&mut self, request: PutRequest<V>) -> Result<PutResponse<V>, StoreError>;

    /// Deletes one key or a range of keys.
    fn delete_range(
        &mut self,
        request: &DeleteRangeRequest,
    ) -> Result<DeleteRangeResponse<V>, StoreError>;

    /// Runs a transaction atomically: either all of its chosen branch applies or nothing does.
    fn txn(&mut self, request: TxnRequest<V>) -> Result<TxnResponse<V>, StoreError>;

    /// Forgets every revision older than `revision` that is not the latest of its key
    /// (and keys deleted at or before it), so reads and watches below it fail afterwards.
    fn compact(&mut self, revision: Revision) -> Result<CompactResponse, StoreError>;

    /// Starts a watch; its events are drained with [`Self::poll_watch`].
    fn watch(&mut self, request: WatchRequest) -> Result<WatchId, StoreError>;

    /// Appends the events of watch `id` not yet delivered to `out`, in revision order.
    /// Fails with [`StoreError::Compacted`] (and ends the watch) if it replays from a
    /// revision that compaction has removed meanwhile.
    fn poll_watch_into(
        &mut self,
        id: WatchId,
        out: &mut Vec<WatchEvent<V>>,
    ) -> Result<(), StoreError>;

    /// Ends watch `id`.
    fn cancel_watch(&mut self, id: WatchId) -> Result<(), StoreError>;

    /// The oldest revision some watch has not been given yet, if the store knows (None when
    /// no watch exists or the store cannot tell). Compacting above it would end that watch
    /// if it still has to replay from the key histories, so a compactor stays at or below it.
    fn oldest_watch_cursor(&self) -> Option<Revision> {
        None
    }

    /// Makes every commit so far durable, for a store that saves commits in groups (the node
    /// host's log fsyncs once per group and answers the group's writers after it). Stores that
    /// keep nothing on disk, or save each commit as it happens, have nothing to do.
    fn sync(&mut self) -> Result<(), StoreError> {
        Ok(())
    }

    /// The events of watch `id` not yet delivered, in revision order.
    fn poll_watch(&mut self, id: WatchId) -> Result<Vec<WatchEvent<V>>, StoreError> {
        let mut out = Vec::new();
        self.poll_watch_into(id, &mut out)?;
        Ok(out)
    }

    /// Reads one key at the current revision.
    fn get(&self, key: &str) -> Result<Option<KeyValue<V>>, StoreError> {
        let response = self.range(&RangeRequest::new(KeyRange::key(key)))?;
        Ok(response.kvs.into_iter().next())
    }
}
