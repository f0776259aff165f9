//! The requests and responses of the store, shaped after etcd's v3 `KV` service.
//!
//! A caller builds a request ([`RangeRequest`], [`PutRequest`], [`DeleteRangeRequest`],
//! [`TxnRequest`]) and hands it to a [`KvStore`](super::KvStore); the response carries the
//! store revision it was answered at and [`KeyValue`]s whose values are `Arc`s shared with the
//! store (reading never copies a value).

use std::sync::Arc;

use super::{KeyRange, Revision};

/// One key at one revision, as etcd's `mvccpb.KeyValue` (without leases).
#[derive(Debug, PartialEq, Eq)]
pub struct KeyValue<V> {
    /// The key, shared with the store's index.
    pub key: Arc<str>,
    /// The revision that created this generation of the key.
    pub create_revision: Revision,
    /// The revision of the last write to the key.
    pub mod_revision: Revision,
    /// Writes since creation, starting at 1; a delete and re-create starts again at 1.
    pub version: u64,
    /// The value, shared with the store and with every watcher.
    pub value: Arc<V>,
}

// A derived Clone would require `V: Clone`; cloning only bumps two reference counts.
impl<V> Clone for KeyValue<V> {
    fn clone(&self) -> Self {
        Self {
            key: Arc::clone(&self.key),
            create_revision: self.create_revision,
            mod_revision: self.mod_revision,
            version: self.version,
            value: Arc::clone(&self.value),
        }
    }
}

/// Read keys at the current or a past revision (etcd `RangeRequest`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeRequest {
    /// Which keys to read.
    pub key: KeyRange,
    /// The store revision to read at; 0 reads at the current revision.
    pub revision: Revision,
    /// The most key-value pairs to return; 0 returns all.
    pub limit: usize,
    /// Whether a limited read stops at the first pair past `limit` instead of counting
    /// every match (what a list page needs: it costs O(limit), not O(keys in range)). The
    /// answer's `more` stays exact; its `count` is then only a lower bound.
    pub stop_at_limit: bool,
}

impl RangeRequest {
    /// Reads `key` at the current revision, without a limit.
    pub fn new(key: KeyRange) -> Self {
        Self {
            key,
            revision: 0,
            limit: 0,
            stop_at_limit: false,
        }
    }

    /// Reads at `revision` instead (0 = current).
    pub fn with_revision(mut self, revision: Revision) -> Self {
        self.revision = revision;
        self
    }

    /// Returns at most `limit` pairs (0 = all).
    pub fn with_limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// Stops after `limit` pairs plus one look past them, without counting the rest (see
    /// [`Self::stop_at_limit`]).
    pub fn stopping_at_limit(mut self) -> Self {
        self.stop_at_limit = true;
        self
    }
}

/// The answer to a [`RangeRequest`] (etcd `RangeResponse`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeResponse<V> {
    /// The store's current revision when the request was served (etcd's header revision).
    pub revision: Revision,
    /// The matching pairs in key order, at most `limit` of them.
    pub kvs: Vec<KeyValue<V>>,
    /// Whether more pairs matched than `limit` let through.
    pub more: bool,
    /// How many pairs matched in total, regardless of `limit` (with
    /// [`RangeRequest::stop_at_limit`], only those returned plus one when `more`).
    pub count: usize,
}

/// Write one key (etcd `PutRequest`, without leases).
#[derive(Debug, PartialEq, Eq)]
pub struct PutRequest<V> {
    /// The key to write; must not be empty.
    pub key: String,
    /// The new value, shared from here on.
    pub value: Arc<V>,
    /// Whether to return the pair the put replaced.
    pub prev_kv: bool,
}

impl<V> Clone for PutRequest<V> {
    fn clone(&self) -> Self {
        Self {
            key: self.key.clone(),
            value: Arc::clone(&self.value),
            prev_kv: self.prev_kv,
        }
    }
}

impl<V> PutRequest<V> {
    /// Puts `value` at `key`, not asking for the previous pair.
    pub fn new(key: impl Into<String>, value: Arc<V>) -> Self {
        Self {
            key: key.into(),
            value,
            prev_kv: false,
        }
    }

    /// Also returns the pair the put replaces.
    pub fn with_prev_kv(mut self) -> Self {
        self.prev_kv = true;
        self
    }
}

/// The answer to a [`PutRequest`] (etcd `PutResponse`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutResponse<V> {
    /// The store revision after the put (the put's own revision).
    pub revision: Revision,
    /// The replaced pair, when asked for and the key existed.
    pub prev_kv: Option<KeyValue<V>>,
}

/// Delete one key or a range of keys (etcd `DeleteRangeRequest`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteRangeRequest {
    /// Which keys to delete.
    pub key: KeyRange,
    /// Whether to return the deleted pairs.
    pub prev_kv: bool,
}

impl DeleteRangeRequest {
    /// Deletes `key`, not asking for the deleted pairs.
    pub fn new(key: KeyRange) -> Self {
        Self {
            key,
            prev_kv: false,
        }
    }

    /// Also returns the deleted pairs.
    pub fn with_prev_kv(mut self) -> Self {
        self.prev_kv = true;
        self
    }
}

/// The answer to a [`DeleteRangeRequest`] (etcd `DeleteRangeResponse`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteRangeResponse<V> {
    /// The store revision after the delete; unchanged when nothing was deleted.
    pub revision: Revision,
    /// How many keys were deleted.
    pub deleted: usize,
    /// The deleted pairs in key order, when asked for.
    pub prev_kvs: Vec<KeyValue<V>>,
}

/// The per-key counter a [`Compare`] checks, with the number to compare it against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CompareTarget {
    /// The key's `version` (0 when the key does not exist).
    Version(u64),
    /// The key's `create_revision` (0 when the key does not exist).
    CreateRevision(Revision),
    /// The key's `mod_revision` (0 when the key does not exist).
    ModRevision(Revision),
}

/// How a [`Compare`] relates the key's counter to the given number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CompareResult {
    /// counter == number
    Equal,
    /// counter != number
    NotEqual,
    /// counter < number
    Less,
    /// counter > number
    Greater,
}

/// One guard of a transaction (etcd `Compare`, value-independent targets only).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Compare {
    /// The key whose counters are checked, at the current revision.
    pub key: String,
    /// The relation that must hold.
    pub result: CompareResult,
    /// The counter and the number to compare it with.
    pub target: CompareTarget,
}

impl Compare {
    /// Checks the key's `version` (0 = "the key does not exist").
    pub fn version(key: impl Into<String>, result: CompareResult, version: u64) -> Self {
        Self {
            key: key.into(),
            result,
            target: CompareTarget::Version(version),
        }
    }

    /// Checks the key's `create_revision`.
    pub fn create_revision(
        key: impl Into<String>,
        result: CompareResult,
        revision: Revision,
    ) -> Self {
        Self {
            key: key.into(),
            result,
            target: CompareTarget::CreateRevision(revision),
        }
    }

    /// Checks the key's `mod_revision` (the API server's optimistic concurrency check).
    pub fn mod_revision(key: impl Into<String>, result: CompareResult, revision: Revision) -> Self {
        Self {
            key: key.into(),
            result,
            target: CompareTarget::ModRevision(revision),
        }
    }

    /// Whether the guard holds for a key with these counters.
    pub(crate) fn holds(
        &self,
        create_revision: Revision,
        mod_revision: Revision,
        version: u64,
    ) -> bool {
        let (actual, expected) = match self.target {
            CompareTarget::Version(v) => (version, v),
            CompareTarget::CreateRevision(r) => (create_revision, r),
            CompareTarget::ModRevision(r) => (mod_revision, r),
        };
        match self.result {
            CompareResult::Equal => actual == expected,
            CompareResult::NotEqual => actual != expected,
            CompareResult::Less => actual < expected,
            CompareResult::Greater => actual > expected,
        }
    }
}

/// One operation inside a transaction branch (etcd `RequestOp`, without nested txns).
#[derive(Debug, PartialEq, Eq)]
pub enum RequestOp<V> {
    /// A read; it sees the writes made earlier in the same branch.
    Range(RangeRequest),
    /// A write of one key.
    Put(PutRequest<V>),
    /// A delete of one key or a range.
    DeleteRange(DeleteRangeRequest),
}

impl<V> Clone for RequestOp<V> {
    fn clone(&self) -> Self {
        match self {
            Self::Range(r) => Self::Range(r.clone()),
            Self::Put(p) => Self::Put(p.clone()),
            Self::DeleteRange(d) => Self::DeleteRange(d.clone()),
        }
    }
}

/// The answer to one [`RequestOp`] (etcd `ResponseOp`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseOp<V> {
    /// The answer to a [`RequestOp::Range`].
    Range(RangeResponse<V>),
    /// The answer to a [`RequestOp::Put`].
    Put(PutResponse<V>),
    /// The answer to a [`RequestOp::DeleteRange`].
    DeleteRange(DeleteRangeResponse<V>),
}

/// An atomic if/then/else over the store (etcd `TxnRequest`).
///
/// All writes of the chosen branch share one new revision; a branch without writes does not
/// advance the revision.
#[derive(Debug, PartialEq, Eq)]
pub struct TxnRequest<V> {
    /// Guards that must all hold for `success` to run; otherwise `failure` runs.
    pub compare: Vec<Compare>,
    /// The operations run when every guard holds.
    pub success: Vec<RequestOp<V>>,
    /// The operations run when some guard fails.
    pub failure: Vec<RequestOp<V>>,
}

impl<V> Clone for TxnRequest<V> {
    fn clone(&self) -> Self {
        Self {
            compare: self.compare.clone(),
            success: self.success.clone(),
            failure: self.failure.clone(),
        }
    }
}

/// The answer to a [`TxnRequest`] (etcd `TxnResponse`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxnResponse<V> {
    /// The store revision after the transaction.
    pub revision: Revision,
    /// Whether every guard held (so `success` ran).
    pub succeeded: bool,
    /// One answer per operation of the branch that ran, in order.
    pub responses: Vec<ResponseOp<V>>,
}

/// The answer to a compaction (etcd `CompactionResponse`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompactResponse {
    /// The store's current revision.
    pub revision: Revision,
    /// The new compaction point: reads and watches below it now fail.
    pub compact_revision: Revision,
}
