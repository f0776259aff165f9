//! The in-memory [`KvStore`]: an ordered map from key to [`KeyHistory`], plus the watch hub.
//!
//! Reads walk the ordered map over the requested [`KeyRange`] and pick each key's revision
//! visible at the requested store revision. Writes run in a write transaction: all changes of
//! one request get revision `current + 1`, are appended to the key histories and (while
//! watches exist) to the shared watch log, and the store revision advances once at the end if
//! anything changed. Transactions are validated completely before their first write, so a
//! failing transaction changes nothing.
//!
//! Every write that replaces a key's revision is also queued with its revision; compaction at
//! revision `r` takes the queued writes at or below `r` and compacts only their keys, so its
//! cost follows what was written since the last compaction, not how many keys exist.
//!
//! A durable host rebuilds a store from what it saved with [`MemoryStore::restore`]: each
//! live key's latest revision and the store revision, no older history, so the restored store
//! is compacted at its revision (reads and watches from before it get
//! [`StoreError::Compacted`], as Kubernetes clients see after an etcd compaction).

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use super::history::{KeyHistory, KeyRevision};
use super::watch::WatchHub;
use super::{
    CompactResponse, Compare, DeleteRangeRequest, DeleteRangeResponse, KeyRange, KeyValue, KvStore,
    PutRequest, PutResponse, RangeRequest, RangeResponse, RequestOp, ResponseOp, RestoreError,
    Revision, StoreError, TxnRequest, TxnResponse, WatchEvent, WatchId, WatchRequest,
};

/// An etcd-like MVCC store kept in memory. See the [module docs](super).
#[derive(Debug)]
pub struct MemoryStore<V> {
    keys: BTreeMap<Arc<str>, KeyHistory<V>>,
    /// Every write that replaced a revision (an overwrite, a delete, a re-creation), in
    /// revision order: compaction at `r` only has work on the keys written so at or below
    /// `r`, so it visits those instead of every key.
    superseding_writes: VecDeque<(Revision, Arc<str>)>,
    revision: Revision,
    compact_revision: Revision,
    watches: WatchHub<V>,
}

// A derived Clone would require `V: Clone`; cloning only bumps the Arcs (a World is cloned
// for the browser's replay checkpoints).
impl<V> Clone for MemoryStore<V> {
    fn clone(&self) -> Self {
        Self {
            keys: self.keys.clone(),
            superseding_writes: self.superseding_writes.clone(),
            revision: self.revision,
            compact_revision: self.compact_revision,
            watches: self.watches.clone(),
        }
    }
}

impl<V> Default for MemoryStore<V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V> MemoryStore<V> {
    /// Calls `visit` with every value the store holds: `true` for the key histories (latest
    /// and retained older revisions), `false` for the watch log (changes and the revisions
    /// they replaced). For memory censuses (which holder keeps which revision alive).
    #[doc(hidden)]
    pub fn census_values(&self, mut visit: impl FnMut(bool, &Arc<V>)) {
        for history in self.keys.values() {
            history.census_values(|value| visit(true, value));
        }
        self.watches.census_values(|value| visit(false, value));
    }

    /// An empty store at revision 1.
    pub fn new() -> Self {
        Self {
            keys: BTreeMap::new(),
            superseding_writes: VecDeque::new(),
            revision: 1,
            compact_revision: 0,
            watches: WatchHub::default(),
        }
    }

    /// A store at `revision` holding `entries`, each the latest revision of a live key with
    /// its saved `create_revision`, `mod_revision` and `version`: the state a durable host
    /// saved, brought back. No older revisions exist, so the compaction point is `revision`.
    ///
    /// Refuses entries that contradict each other or the revision (a duplicate or empty key,
    /// a key modified after `revision`, a create revision after the mod revision, a version
    /// that more writes than revisions would need) rather than serve an impossible history.
    pub fn restore(
        revision: Revision,
        entries: impl IntoIterator<Item = KeyValue<V>>,
    ) -> Result<Self, RestoreError> {
        if revision == 0 {
            return Err(RestoreError::ZeroRevision);
        }
        let mut keys = BTreeMap::new();
        for entry in entries {
            check_restored_entry(&entry, revision)?;
            let KeyValue {
                key,
                create_revision,
                mod_revision,
                version,
                value,
            } = entry;
            let latest = KeyRevision {
                mod_revision,
                create_revision,
                version,
                value: Some(value),
            };
            match keys.entry(key) {
                Entry::Vacant(slot) => {
                    slot.insert(KeyHistory::new(latest));
                }
                Entry::Occupied(slot) => {
                    return Err(RestoreError::DuplicateKey {
                        key: slot.key().to_string(),
                    });
                }
            }
        }
        Ok(Self {
            keys,
            superseding_writes: VecDeque::new(),
            revision,
            compact_revision: revision,
            watches: WatchHub::default(),
        })
    }

    /// How many keys have retained history (live keys and deleted keys not yet compacted).
    pub fn key_count(&self) -> usize {
        self.keys.len()
    }

    /// How many watches exist.
    pub fn watch_count(&self) -> usize {
        self.watches.watcher_count()
    }

    /// How many changes the shared watch log has room for (for tests).
    #[cfg(test)]
    pub(crate) fn watch_log_capacity(&self) -> usize {
        self.watches.log_capacity()
    }

    /// How many changes the shared watch log holds (all watchers' undelivered changes).
    pub fn logged_changes(&self) -> usize {
        self.watches.logged_changes()
    }

    /// The revision a read at `requested` (0 = current) sees, if it is readable.
    fn readable_revision(&self, requested: Revision) -> Result<Revision, StoreError> {
        if requested == 0 {
            return Ok(self.revision);
        }
        if requested > self.revision {
            return Err(StoreError::FutureRevision {
                requested,
                current_revision: self.revision,
            });
        }
        if requested < self.compact_revision {
            return Err(StoreError::Compacted {
                requested,
                compact_revision: self.compact_revision,
            });
        }
        Ok(requested)
    }

    /// Answers a range at revision `at`, which the caller has checked.
    fn read_at(&self, key: &KeyRange, limit: usize, at: Revision) -> RangeResponse<V> {
        let mut kvs = Vec::new();
        let mut count = 0;
        for (k, history) in key.walk(&self.keys) {
            let Some(visible) = history.live_at(at) else {
                continue;
            };
            count += 1;
            if limit == 0 || kvs.len() < limit {
                kvs.extend(visible.to_key_value(k));
            }
        }
        RangeResponse {
            revision: self.revision,
            more: count > kvs.len(),
            kvs,
            count,
        }
    }

    /// Answers a range at revision `at` with at most `limit` (> 0) pairs, walking no further
    /// than the first visible key past them: a page costs O(limit), however many keys follow.
    fn read_page_at(&self, key: &KeyRange, limit: usize, at: Revision) -> RangeResponse<V> {
        let mut kvs = Vec::with_capacity(limit);
        let mut more = false;
        for (k, history) in key.walk(&self.keys) {
            let Some(visible) = history.live_at(at) else {
                continue;
            };
            if kvs.len() == limit {
                more = true;
                break;
            }
            kvs.extend(visible.to_key_value(k));
        }
        RangeResponse {
            revision: self.revision,
            count: kvs.len() + usize::from(more),
            more,
            kvs,
        }
    }

    /// Writes `request` at revision `at` (not yet committed).
    fn write_put(&mut self, request: PutRequest<V>, at: Revision) -> PutResponse<V> {
        // One map search: the entry gives the stored key handle that compaction's queue and
        // the watch log share (the handle made here is dropped when the key exists).
        let entry = self.keys.entry(Arc::from(request.key));
        let writes = Writes {
            watches: &mut self.watches,
            superseding_writes: &mut self.superseding_writes,
        };
        writes.put(entry, request.value, request.prev_kv, at)
    }

    /// Deletes the keys of `request` at revision `at` (not yet committed).
    fn write_delete(
        &mut self,
        request: &DeleteRangeRequest,
        at: Revision,
    ) -> DeleteRangeResponse<V> {
        let logging = self.watches.is_active();
        let mut deleted = 0;
        let mut prev_kvs = Vec::new();
        for (key, history) in request.key.walk_mut(&mut self.keys) {
            if history.latest().value.is_none() {
                continue;
            }
            deleted += 1;
            if request.prev_kv {
                prev_kvs.extend(history.latest().to_key_value(key));
            }
            let tombstone = KeyRevision::tombstone(at);
            if logging {
                self.watches.record(key, &tombstone, Some(history.latest()));
            }
            history.push(tombstone);
            self.superseding_writes.push_back((at, Arc::clone(key)));
        }
        DeleteRangeResponse {
            revision: at,
            deleted,
            prev_kvs,
        }
    }

    /// Answers the API server's write transaction, one guard on the key of one put and
    /// nothing on failure, with one map search for both (the general path searches once for
    /// the guard and again for the write). Any other transaction is handed back unchanged.
    #[allow(clippy::type_complexity)]
    fn guarded_put(
        &mut self,
        request: TxnRequest<V>,
    ) -> Result<Result<TxnResponse<V>, StoreError>, TxnRequest<V>> {
        let TxnRequest {
            compare,
            success,
            failure,
        } = request;
        if !failure.is_empty() {
            return Err(TxnRequest {
                compare,
                success,
                failure,
            });
        }
        let [guard] = match <[Compare; 1]>::try_from(compare) {
            Ok(one) => one,
            Err(compare) => {
                return Err(TxnRequest {
                    compare,
                    success,
                    failure,
                })
            }
        };
        let put = match <[RequestOp<V>; 1]>::try_from(success) {
            Ok([RequestOp::Put(put)]) if put.key == guard.key => put,
            Ok([op]) => {
                return Err(TxnRequest {
                    compare: vec![guard],
                    success: vec![op],
                    failure,
                })
            }
            Err(success) => {
                return Err(TxnRequest {
                    compare: vec![guard],
                    success,
                    failure,
                })
            }
        };
        if put.key.is_empty() {
            return Ok(Err(StoreError::EmptyKey));
        }
        let entry = self.keys.entry(Arc::from(put.key));
        let visible = match &entry {
            Entry::Occupied(slot) => slot.get().live_at(self.revision),
            Entry::Vacant(_) => None,
        };
        let holds = match visible {
            Some(r) => guard.holds(r.create_revision, r.mod_revision, r.version),
            None => guard.holds(0, 0, 0),
        };
        if !holds {
            return Ok(Ok(TxnResponse {
                revision: self.revision,
                succeeded: false,
                responses: Vec::new(),
            }));
        }
        let at = self.revision + 1;
        let writes = Writes {
            watches: &mut self.watches,
            superseding_writes: &mut self.superseding_writes,
        };
        let response = writes.put(entry, put.value, put.prev_kv, at);
        self.revision = at;
        Ok(Ok(TxnResponse {
            revision: at,
            succeeded: true,
            responses: vec![ResponseOp::Put(response)],
        }))
    }

    /// Checks a transaction branch before anything is written: no empty keys, readable
    /// revisions, and no key written twice (etcd's `checkIntervals`: two puts of one key, or a
    /// put inside a delete's range, conflict; deletes never conflict with each other).
    fn validate_branch(&self, ops: &[RequestOp<V>]) -> Result<(), StoreError> {
        // One operation cannot conflict with another: no lists to build.
        let single = ops.len() < 2;
        let mut puts: Vec<&str> = Vec::new();
        let mut deletes: Vec<&KeyRange> = Vec::new();
        for op in ops {
            match op {
                RequestOp::Range(range) => {
                    if range.key.is_empty_key() {
                        return Err(StoreError::EmptyKey);
                    }
                    self.readable_revision(range.revision)?;
                }
                RequestOp::Put(put) => {
                    if put.key.is_empty() {
                        return Err(StoreError::EmptyKey);
                    }
                    if !single {
                        puts.push(&put.key);
                    }
                }
                RequestOp::DeleteRange(delete) => {
                    if delete.key.is_empty_key() {
                        return Err(StoreError::EmptyKey);
                    }
                    if !single {
                        deletes.push(&delete.key);
                    }
                }
            }
        }
        puts.sort_unstable();
        if let Some(pair) = puts.windows(2).find(|pair| pair.first() == pair.get(1)) {
            let key = pair.first().copied().unwrap_or_default();
            return Err(StoreError::DuplicateKey {
                key: key.to_string(),
            });
        }
        if let Some(key) = puts
            .iter()
            .find(|key| deletes.iter().any(|d| d.contains(key)))
        {
            return Err(StoreError::DuplicateKey {
                key: key.to_string(),
            });
        }
        Ok(())
    }

    /// Whether every guard of `request` holds at the current revision.
    fn guards_hold(&self, request: &TxnRequest<V>) -> bool {
        request.compare.iter().all(|guard| {
            let visible = self
                .keys
                .get(guard.key.as_str())
                .and_then(|h| h.live_at(self.revision));
            match visible {
                Some(r) => guard.holds(r.create_revision, r.mod_revision, r.version),
                None => guard.holds(0, 0, 0),
            }
        })
    }
}

/// What a write changes besides the key map: the watch log and compaction's queue (borrowed
/// apart from the map, so a write can hold a map entry while it records).
struct Writes<'a, V> {
    watches: &'a mut WatchHub<V>,
    superseding_writes: &'a mut VecDeque<(Revision, Arc<str>)>,
}

impl<V> Writes<'_, V> {
    /// Writes `value` into the map entry of its key at revision `at` (not yet committed).
    fn put(
        self,
        entry: Entry<'_, Arc<str>, KeyHistory<V>>,
        value: Arc<V>,
        with_prev_kv: bool,
        at: Revision,
    ) -> PutResponse<V> {
        let slot = match entry {
            Entry::Vacant(slot) => {
                let first = KeyRevision::created(at, value);
                if self.watches.is_active() {
                    self.watches.record(slot.key(), &first, None);
                }
                slot.insert(KeyHistory::new(first));
                return PutResponse {
                    revision: at,
                    prev_kv: None,
                };
            }
            Entry::Occupied(slot) => slot,
        };
        let key = Arc::clone(slot.key());
        let history = slot.into_mut();
        let next = history.latest().successor(at, value);
        let prev_kv = if with_prev_kv {
            history.latest().to_key_value(&key)
        } else {
            None
        };
        if self.watches.is_active() {
            self.watches.record(&key, &next, Some(history.latest()));
        }
        history.push(next);
        self.superseding_writes.push_back((at, key));
        PutResponse {
            revision: at,
            prev_kv,
        }
    }
}

/// Checks one entry given to [`MemoryStore::restore`] against the store revision.
fn check_restored_entry<V>(entry: &KeyValue<V>, revision: Revision) -> Result<(), RestoreError> {
    let key = || entry.key.to_string();
    if entry.key.is_empty() {
        return Err(RestoreError::EmptyKey);
    }
    if entry.mod_revision > revision {
        return Err(RestoreError::ModifiedAfterStore {
            key: key(),
            mod_revision: entry.mod_revision,
            revision,
        });
    }
    if entry.create_revision == 0 || entry.create_revision > entry.mod_revision {
        return Err(RestoreError::CreateRevisionOutOfRange {
            key: key(),
            create_revision: entry.create_revision,
            mod_revision: entry.mod_revision,
        });
    }
    let max_version = entry.mod_revision - entry.create_revision + 1;
    if entry.version == 0 || entry.version > max_version {
        return Err(RestoreError::VersionOutOfRange {
            key: key(),
            version: entry.version,
            max_version,
        });
    }
    Ok(())
}

impl<V> KvStore<V> for MemoryStore<V> {
    fn current_revision(&self) -> Revision {
        self.revision
    }

    fn compact_revision(&self) -> Revision {
        self.compact_revision
    }

    fn range(&self, request: &RangeRequest) -> Result<RangeResponse<V>, StoreError> {
        if request.key.is_empty_key() {
            return Err(StoreError::EmptyKey);
        }
        let at = self.readable_revision(request.revision)?;
        if request.stop_at_limit && request.limit > 0 {
            return Ok(self.read_page_at(&request.key, request.limit, at));
        }
        Ok(self.read_at(&request.key, request.limit, at))
    }

    fn put(&mut self, request: PutRequest<V>) -> Result<PutResponse<V>, StoreError> {
        if request.key.is_empty() {
            return Err(StoreError::EmptyKey);
        }
        let at = self.revision + 1;
        let response = self.write_put(request, at);
        self.revision = at;
        Ok(response)
    }

    fn delete_range(
        &mut self,
        request: &DeleteRangeRequest,
    ) -> Result<DeleteRangeResponse<V>, StoreError> {
        if request.key.is_empty_key() {
            return Err(StoreError::EmptyKey);
        }
        let at = self.revision + 1;
        let mut response = self.write_delete(request, at);
        // Deleting nothing is not a write: the revision stays (as in etcd).
        if response.deleted > 0 {
            self.revision = at;
        }
        response.revision = self.revision;
        Ok(response)
    }

    fn txn(&mut self, request: TxnRequest<V>) -> Result<TxnResponse<V>, StoreError> {
        let request = match self.guarded_put(request) {
            Ok(answered) => return answered,
            Err(request) => request,
        };
        self.validate_branch(&request.success)?;
        self.validate_branch(&request.failure)?;
        let succeeded = self.guards_hold(&request);
        let ops = if succeeded {
            request.success
        } else {
            request.failure
        };
        let at = self.revision + 1;
        let mut changed = false;
        let mut responses = Vec::with_capacity(ops.len());
        for op in ops {
            let response = match op {
                RequestOp::Range(range) => {
                    // A read sees the branch's earlier writes, as etcd's write view does.
                    let view = match range.revision {
                        0 if changed => at,
                        0 => self.revision,
                        explicit => explicit,
                    };
                    ResponseOp::Range(self.read_at(&range.key, range.limit, view))
                }
                RequestOp::Put(put) => {
                    changed = true;
                    ResponseOp::Put(self.write_put(put, at))
                }
                RequestOp::DeleteRange(delete) => {
                    let response = self.write_delete(&delete, at);
                    changed |= response.deleted > 0;
                    ResponseOp::DeleteRange(response)
                }
            };
            responses.push(response);
        }
        if changed {
            self.revision = at;
        }
        for response in &mut responses {
            match response {
                ResponseOp::Range(r) => r.revision = self.revision,
                ResponseOp::Put(r) => r.revision = self.revision,
                ResponseOp::DeleteRange(r) => r.revision = self.revision,
            }
        }
        Ok(TxnResponse {
            revision: self.revision,
            succeeded,
            responses,
        })
    }

    fn compact(&mut self, revision: Revision) -> Result<CompactResponse, StoreError> {
        if revision > self.revision {
            return Err(StoreError::FutureRevision {
                requested: revision,
                current_revision: self.revision,
            });
        }
        if revision <= self.compact_revision {
            return Err(StoreError::Compacted {
                requested: revision,
                compact_revision: self.compact_revision,
            });
        }
        // Only a key written over at or below `revision` has revisions to drop (or is a
        // tombstone to remove); every other key's history is already what compaction leaves.
        while self
            .superseding_writes
            .front()
            .is_some_and(|(written, _)| *written <= revision)
        {
            let Some((_, key)) = self.superseding_writes.pop_front() else {
                break;
            };
            let keep = match self.keys.get_mut(&key) {
                Some(history) => history.compact(revision),
                None => continue,
            };
            if !keep {
                self.keys.remove(&key);
            }
        }
        if self.superseding_writes.capacity() > 4 * self.superseding_writes.len().max(1024) {
            self.superseding_writes
                .shrink_to(self.superseding_writes.len() * 2);
        }
        self.compact_revision = revision;
        Ok(CompactResponse {
            revision: self.revision,
            compact_revision: revision,
        })
    }

    fn watch(&mut self, request: WatchRequest) -> Result<WatchId, StoreError> {
        if request.key.is_empty_key() {
            return Err(StoreError::EmptyKey);
        }
        let next_revision = match request.start_revision {
            0 => self.revision + 1,
            start if start < self.compact_revision => {
                return Err(StoreError::Compacted {
                    requested: start,
                    compact_revision: self.compact_revision,
                })
            }
            start => start,
        };
        Ok(self
            .watches
            .add(request.key, request.prev_kv, next_revision, self.revision))
    }

    fn poll_watch_into(
        &mut self,
        id: WatchId,
        out: &mut Vec<WatchEvent<V>>,
    ) -> Result<(), StoreError> {
        let plan = self
            .watches
            .begin_poll(id)
            .ok_or(StoreError::WatchNotFound(id))?;
        if let Some((from, to)) = plan.replay {
            if from < self.compact_revision {
                self.watches.remove(id, self.revision);
                return Err(StoreError::Compacted {
                    requested: from,
                    compact_revision: self.compact_revision,
                });
            }
            let first_new = out.len();
            let filter = self
                .watches
                .filter(id)
                .ok_or(StoreError::WatchNotFound(id))?;
            for (key, history) in filter.walk(&self.keys) {
                for (change, previous) in history.changes_between(from, to) {
                    out.push(WatchEvent::from_change(key, change, previous, plan.prev_kv));
                }
            }
            // The walk is in key order; a stable sort gives revision order, and keys written in
            // one transaction stay in key order.
            if let Some(replayed) = out.get_mut(first_new..) {
                replayed.sort_by_key(WatchEvent::revision);
            }
        }
        self.watches.finish_poll(id, self.revision, out);
        Ok(())
    }

    fn oldest_watch_cursor(&self) -> Option<Revision> {
        self.watches.slowest_cursor()
    }

    fn get(&self, key: &str) -> Result<Option<KeyValue<V>>, StoreError> {
        // The same answer as a single-key range at the current revision, without building
        // the request and the answer's list (the API server reads one key per write).
        if key.is_empty() {
            return Err(StoreError::EmptyKey);
        }
        Ok(self.keys.get_key_value(key).and_then(|(key, history)| {
            history
                .live_at(self.revision)
                .and_then(|visible| visible.to_key_value(key))
        }))
    }

    fn cancel_watch(&mut self, id: WatchId) -> Result<(), StoreError> {
        if self.watches.remove(id, self.revision) {
            Ok(())
        } else {
            Err(StoreError::WatchNotFound(id))
        }
    }
}

#[cfg(test)]
mod restore_tests {
    use super::*;

    fn entry(key: &str, create: Revision, modified: Revision, version: u64) -> KeyValue<u32> {
        KeyValue {
            key: Arc::from(key),
            create_revision: create,
            mod_revision: modified,
            version,
            value: Arc::new(7),
        }
    }

    #[test]
    fn a_restored_store_serves_each_key_with_its_saved_revisions() {
        let store = MemoryStore::restore(9, [entry("/a", 2, 5, 3), entry("/b", 9, 9, 1)])
            .expect("consistent state");
        assert_eq!(store.current_revision(), 9);
        let a = store.get("/a").expect("read").expect("key /a");
        assert_eq!((a.create_revision, a.mod_revision, a.version), (2, 5, 3));
        assert_eq!(*a.value, 7);
        assert!(store.get("/b").expect("read").is_some());
        assert_eq!(store.key_count(), 2);
    }

    #[test]
    fn a_restored_store_is_compacted_at_its_revision() {
        let store = MemoryStore::restore(9, [entry("/a", 2, 5, 3)]).expect("consistent state");
        assert_eq!(store.compact_revision(), 9);
        let past = store.range(&RangeRequest::new(KeyRange::key("/a")).with_revision(8));
        assert_eq!(
            past.err(),
            Some(StoreError::Compacted {
                requested: 8,
                compact_revision: 9
            })
        );
    }

    #[test]
    fn a_restored_store_writes_at_the_next_revision_and_continues_each_key() {
        let mut store = MemoryStore::restore(9, [entry("/a", 2, 5, 3)]).expect("consistent state");
        let put = store.put(PutRequest::new("/a", Arc::new(8))).expect("put");
        assert_eq!(put.revision, 10);
        let a = store.get("/a").expect("read").expect("key /a");
        assert_eq!((a.create_revision, a.mod_revision, a.version), (2, 10, 4));
        let deleted = store
            .delete_range(&DeleteRangeRequest::new(KeyRange::key("/a")))
            .expect("delete");
        assert_eq!((deleted.deleted, deleted.revision), (1, 11));
    }

    #[test]
    fn a_watch_from_now_on_a_restored_store_sees_the_next_write() {
        let mut store = MemoryStore::restore(4, [entry("/a", 2, 3, 2)]).expect("consistent state");
        let id = store
            .watch(WatchRequest::new(KeyRange::prefix("/")))
            .expect("watch");
        store.put(PutRequest::new("/b", Arc::new(1))).expect("put");
        let events = store.poll_watch(id).expect("poll");
        assert_eq!(
            events.iter().map(WatchEvent::revision).collect::<Vec<_>>(),
            [5]
        );
    }

    #[test]
    fn restore_refuses_state_that_contradicts_itself() {
        let cases: [(&str, Revision, Vec<KeyValue<u32>>, RestoreError); 7] = [
            ("revision zero", 0, vec![], RestoreError::ZeroRevision),
            (
                "empty key",
                5,
                vec![entry("", 2, 2, 1)],
                RestoreError::EmptyKey,
            ),
            (
                "key given twice",
                5,
                vec![entry("/a", 2, 2, 1), entry("/a", 3, 3, 1)],
                RestoreError::DuplicateKey { key: "/a".into() },
            ),
            (
                "modified after the store revision",
                5,
                vec![entry("/a", 2, 6, 1)],
                RestoreError::ModifiedAfterStore {
                    key: "/a".into(),
                    mod_revision: 6,
                    revision: 5,
                },
            ),
            (
                "created after modified",
                5,
                vec![entry("/a", 4, 3, 1)],
                RestoreError::CreateRevisionOutOfRange {
                    key: "/a".into(),
                    create_revision: 4,
                    mod_revision: 3,
                },
            ),
            (
                "version zero",
                5,
                vec![entry("/a", 2, 3, 0)],
                RestoreError::VersionOutOfRange {
                    key: "/a".into(),
                    version: 0,
                    max_version: 2,
                },
            ),
            (
                "more writes than revisions",
                5,
                vec![entry("/a", 2, 3, 3)],
                RestoreError::VersionOutOfRange {
                    key: "/a".into(),
                    version: 3,
                    max_version: 2,
                },
            ),
        ];
        for (case, revision, entries, expected) in cases {
            let restored = MemoryStore::restore(revision, entries);
            assert_eq!(restored.err(), Some(expected), "{case}");
        }
    }

    #[test]
    fn an_empty_restore_is_a_store_at_that_revision_with_no_keys() {
        let store = MemoryStore::<u32>::restore(1, []).expect("empty state");
        assert_eq!((store.current_revision(), store.key_count()), (1, 0));
    }
}
