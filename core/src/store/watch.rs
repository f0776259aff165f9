//! Watches: one shared event log, one cursor per watcher.
//!
//! Every committed change is appended once to the [`WatchHub`]'s log (only while some watch
//! exists) as the key, the new revision and the revision it replaced, all `Arc`-shared with the
//! key's history. A watcher is just a [`KeyRange`] filter and a cursor (the next revision it
//! has not seen). The host drains a watcher with `poll_watch`: the hub scans the log from the
//! cursor, keeps the events the filter covers and moves the cursor to the end, so 1,000
//! watchers cost 1,000 cursors, not 1,000 queues. After every poll or cancel the log is trimmed
//! below the slowest cursor, so a store without watchers logs nothing.
//!
//! A watch that starts below the log (a replay from a past revision) first reads the older
//! changes from the key histories, which keep every revision since the compaction point; if
//! compaction has passed its cursor by then, the watch ends with
//! [`StoreError::Compacted`](super::StoreError::Compacted), as etcd cancels such watchers.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::sync::Arc;

use super::history::KeyRevision;
use super::{KeyRange, KeyValue, Revision};

/// Names one watch of one store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WatchId(pub u64);

impl fmt::Display for WatchId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What to watch and from when (etcd `WatchCreateRequest`, without filters and progress).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchRequest {
    /// The keys whose changes are delivered.
    pub key: KeyRange,
    /// The first revision to deliver (inclusive); 0 means "changes after now". A past
    /// revision replays history from there; a future one waits for it.
    pub start_revision: Revision,
    /// Whether each event carries the pair it replaced.
    pub prev_kv: bool,
}

impl WatchRequest {
    /// Watches `key` from now on, without previous pairs.
    pub fn new(key: KeyRange) -> Self {
        Self {
            key,
            start_revision: 0,
            prev_kv: false,
        }
    }

    /// Starts at `revision` instead (0 = now).
    pub fn from_revision(mut self, revision: Revision) -> Self {
        self.start_revision = revision;
        self
    }

    /// Delivers the replaced pair with each event.
    pub fn with_prev_kv(mut self) -> Self {
        self.prev_kv = true;
        self
    }
}

/// One change delivered to a watcher (etcd `mvccpb.Event`).
#[derive(Debug, PartialEq, Eq)]
pub enum WatchEvent<V> {
    /// The key was created or overwritten.
    Put {
        /// The key as written.
        kv: KeyValue<V>,
        /// The pair it replaced, when the watch asked for it and the key existed.
        prev_kv: Option<KeyValue<V>>,
    },
    /// The key was deleted.
    Delete {
        /// The deleted key.
        key: Arc<str>,
        /// The revision of the delete.
        mod_revision: Revision,
        /// The pair that was deleted, when the watch asked for it.
        prev_kv: Option<KeyValue<V>>,
    },
}

impl<V> Clone for WatchEvent<V> {
    fn clone(&self) -> Self {
        match self {
            Self::Put { kv, prev_kv } => Self::Put {
                kv: kv.clone(),
                prev_kv: prev_kv.clone(),
            },
            Self::Delete {
                key,
                mod_revision,
                prev_kv,
            } => Self::Delete {
                key: Arc::clone(key),
                mod_revision: *mod_revision,
                prev_kv: prev_kv.clone(),
            },
        }
    }
}

impl<V> WatchEvent<V> {
    /// The key that changed.
    pub fn key(&self) -> &str {
        match self {
            Self::Put { kv, .. } => &kv.key,
            Self::Delete { key, .. } => key,
        }
    }

    /// The revision of the change.
    pub fn revision(&self) -> Revision {
        match self {
            Self::Put { kv, .. } => kv.mod_revision,
            Self::Delete { mod_revision, .. } => *mod_revision,
        }
    }

    /// The pair the change replaced, if it was asked for and known.
    pub fn prev_kv(&self) -> Option<&KeyValue<V>> {
        match self {
            Self::Put { prev_kv, .. } | Self::Delete { prev_kv, .. } => prev_kv.as_ref(),
        }
    }

    /// Builds the event for revision `change` of `key`, replacing `previous`.
    pub(crate) fn from_change(
        key: &Arc<str>,
        change: &KeyRevision<V>,
        previous: Option<&KeyRevision<V>>,
        with_prev_kv: bool,
    ) -> Self {
        let prev_kv = if with_prev_kv {
            previous.and_then(|p| p.to_key_value(key))
        } else {
            None
        };
        match change.to_key_value(key) {
            Some(kv) => Self::Put { kv, prev_kv },
            None => Self::Delete {
                key: Arc::clone(key),
                mod_revision: change.mod_revision,
                prev_kv,
            },
        }
    }
}

/// Log capacity (changes) the hub always keeps once it has grown, so a steady stream of
/// writes does not reallocate the log after every poll.
const LOG_CAPACITY_KEPT: usize = 1024;

/// One committed change in the shared log.
#[derive(Debug)]
struct LoggedChange<V> {
    key: Arc<str>,
    change: KeyRevision<V>,
    /// The revision it replaced, if that was live.
    previous: Option<KeyRevision<V>>,
}

// A derived Clone would require `V: Clone`; cloning only bumps the Arcs.
impl<V> Clone for LoggedChange<V> {
    fn clone(&self) -> Self {
        Self {
            key: Arc::clone(&self.key),
            change: self.change.clone(),
            previous: self.previous.clone(),
        }
    }
}

/// One watcher: a filter and a cursor.
#[derive(Clone, Debug)]
struct Watcher {
    key: KeyRange,
    prev_kv: bool,
    /// The oldest revision this watcher has not been given yet.
    next_revision: Revision,
}

/// Where a watcher must read from, as decided by [`WatchHub::begin_poll`].
#[derive(Debug)]
pub(crate) struct PollPlan {
    /// Whether to attach previous pairs.
    pub(crate) prev_kv: bool,
    /// Replay `[from, to)` from the key histories first, if set.
    pub(crate) replay: Option<(Revision, Revision)>,
}

/// All watchers of a store and the log they share.
#[derive(Debug)]
pub(crate) struct WatchHub<V> {
    /// Changes in commit order; holds every change with revision >= `log_first_revision`.
    log: VecDeque<LoggedChange<V>>,
    log_first_revision: Revision,
    watchers: BTreeMap<WatchId, Watcher>,
    /// How many watchers sit at each cursor, to find the slowest one quickly.
    cursors: BTreeMap<Revision, usize>,
    next_id: u64,
}

// A derived Clone would require `V: Clone`; cloning only bumps the Arcs.
impl<V> Clone for WatchHub<V> {
    fn clone(&self) -> Self {
        Self {
            log: self.log.clone(),
            log_first_revision: self.log_first_revision,
            watchers: self.watchers.clone(),
            cursors: self.cursors.clone(),
            next_id: self.next_id,
        }
    }
}

impl<V> Default for WatchHub<V> {
    fn default() -> Self {
        Self {
            log: VecDeque::new(),
            log_first_revision: 1,
            watchers: BTreeMap::new(),
            cursors: BTreeMap::new(),
            next_id: 1,
        }
    }
}

impl<V> WatchHub<V> {
    /// Whether any watch exists (only then are changes logged).
    pub(crate) fn is_active(&self) -> bool {
        !self.watchers.is_empty()
    }

    /// How many changes the log has room for without growing (for tests).
    #[cfg(test)]
    pub(crate) fn log_capacity(&self) -> usize {
        self.log.capacity()
    }

    /// How many changes the log holds (for tests and metrics).
    pub(crate) fn logged_changes(&self) -> usize {
        self.log.len()
    }

    /// Calls `visit` with every value the log holds (for memory censuses).
    pub(crate) fn census_values(&self, mut visit: impl FnMut(&Arc<V>)) {
        for logged in &self.log {
            for revision in std::iter::once(&logged.change).chain(logged.previous.as_ref()) {
                if let Some(value) = &revision.value {
                    visit(value);
                }
            }
        }
    }

    /// How many watches exist.
    pub(crate) fn watcher_count(&self) -> usize {
        self.watchers.len()
    }

    /// The oldest revision a watcher has not been given yet (None without watchers).
    pub(crate) fn slowest_cursor(&self) -> Option<Revision> {
        self.cursors.keys().next().copied()
    }

    /// Records a committed change; call only while [`Self::is_active`].
    pub(crate) fn record(
        &mut self,
        key: &Arc<str>,
        change: &KeyRevision<V>,
        previous: Option<&KeyRevision<V>>,
    ) {
        self.log.push_back(LoggedChange {
            key: Arc::clone(key),
            change: change.clone(),
            previous: previous.filter(|p| p.value.is_some()).cloned(),
        });
    }

    /// Adds a watcher whose first undelivered revision is `next_revision`.
    pub(crate) fn add(
        &mut self,
        key: KeyRange,
        prev_kv: bool,
        next_revision: Revision,
        current: Revision,
    ) -> WatchId {
        if self.watchers.is_empty() {
            // Nothing was logged while nobody watched: the log starts after now.
            self.log.clear();
            self.log_first_revision = current + 1;
        }
        let id = WatchId(self.next_id);
        self.next_id += 1;
        self.watchers.insert(
            id,
            Watcher {
                key,
                prev_kv,
                next_revision,
            },
        );
        *self.cursors.entry(next_revision).or_insert(0) += 1;
        id
    }

    /// Removes a watcher; `false` if it did not exist.
    pub(crate) fn remove(&mut self, id: WatchId, current: Revision) -> bool {
        let Some(watcher) = self.watchers.remove(&id) else {
            return false;
        };
        self.forget_cursor(watcher.next_revision);
        self.trim(current);
        true
    }

    /// Says where watcher `id` must read from, or `None` if it does not exist.
    pub(crate) fn begin_poll(&self, id: WatchId) -> Option<PollPlan> {
        let watcher = self.watchers.get(&id)?;
        let replay = (watcher.next_revision < self.log_first_revision)
            .then_some((watcher.next_revision, self.log_first_revision));
        Some(PollPlan {
            prev_kv: watcher.prev_kv,
            replay,
        })
    }

    /// The keys watcher `id` watches, or `None` if it does not exist.
    pub(crate) fn filter(&self, id: WatchId) -> Option<&KeyRange> {
        self.watchers.get(&id).map(|w| &w.key)
    }

    /// Appends the logged changes watcher `id` has not seen and its filter covers to `out`,
    /// moves its cursor past `current` and trims the log.
    pub(crate) fn finish_poll(
        &mut self,
        id: WatchId,
        current: Revision,
        out: &mut Vec<WatchEvent<V>>,
    ) {
        let Some(watcher) = self.watchers.get_mut(&id) else {
            return;
        };
        let from = watcher.next_revision.max(self.log_first_revision);
        let start = self.log.partition_point(|c| c.change.mod_revision < from);
        for logged in self.log.range(start..) {
            if watcher.key.contains(&logged.key) {
                out.push(WatchEvent::from_change(
                    &logged.key,
                    &logged.change,
                    logged.previous.as_ref(),
                    watcher.prev_kv,
                ));
            }
        }
        let old = watcher.next_revision;
        let new = old.max(current + 1);
        if new != old {
            watcher.next_revision = new;
            self.forget_cursor(old);
            *self.cursors.entry(new).or_insert(0) += 1;
            self.trim(current);
        }
    }

    fn forget_cursor(&mut self, revision: Revision) {
        if let Some(count) = self.cursors.get_mut(&revision) {
            *count -= 1;
            if *count == 0 {
                self.cursors.remove(&revision);
            }
        }
    }

    /// Drops logged changes every watcher has seen.
    fn trim(&mut self, current: Revision) {
        let slowest = self
            .cursors
            .keys()
            .next()
            .copied()
            .unwrap_or(current + 1)
            .min(current + 1);
        while self
            .log
            .front()
            .is_some_and(|c| c.change.mod_revision < slowest)
        {
            self.log.pop_front();
        }
        if self.watchers.is_empty() {
            self.log = VecDeque::new();
        } else if self.log.capacity() > LOG_CAPACITY_KEPT
            && self.log.len() < self.log.capacity() / 8
        {
            // A burst (thousands of pods starting at once) grew the log; once the watchers
            // have caught up, give most of it back instead of keeping the peak for good.
            self.log
                .shrink_to((self.log.len() * 2).max(LOG_CAPACITY_KEPT));
        }
        self.log_first_revision = self.log_first_revision.max(slowest);
    }
}
