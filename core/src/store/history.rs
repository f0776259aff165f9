//! The revisions of one key, newest first in reach.
//!
//! The store keeps one [`KeyHistory`] per key in an ordered map. A history holds the key's
//! latest revision inline (the hot path: reads at the current revision and overwrites touch no
//! other memory) and older revisions in a boxed vector that stays unallocated until the key is
//! written a second time and is emptied again by compaction. Each revision is 32 bytes: three
//! counters and an `Arc` of the value, shared with every reader and watcher, never copied.
//! A delete is recorded as a tombstone revision (no value), so reads at past revisions and
//! watch replays see it.

use std::sync::Arc;

use super::{KeyValue, Revision};

/// One revision of one key: a value, or a tombstone left by a delete.
#[derive(Debug)]
pub(crate) struct KeyRevision<V> {
    /// The store revision that wrote this entry.
    pub(crate) mod_revision: Revision,
    /// The revision that created the key's current generation (0 for a tombstone).
    pub(crate) create_revision: Revision,
    /// Writes since creation, starting at 1 (0 for a tombstone).
    pub(crate) version: u64,
    /// The value, or `None` for a tombstone.
    pub(crate) value: Option<Arc<V>>,
}

// A derived Clone would require `V: Clone`; cloning only bumps the Arc.
impl<V> Clone for KeyRevision<V> {
    fn clone(&self) -> Self {
        Self {
            mod_revision: self.mod_revision,
            create_revision: self.create_revision,
            version: self.version,
            value: self.value.clone(),
        }
    }
}

impl<V> KeyRevision<V> {
    /// A tombstone written at `revision`.
    pub(crate) fn tombstone(revision: Revision) -> Self {
        Self {
            mod_revision: revision,
            create_revision: 0,
            version: 0,
            value: None,
        }
    }

    /// The revision that a put of `value` at `revision` writes after this one.
    pub(crate) fn successor(&self, revision: Revision, value: Arc<V>) -> Self {
        if self.value.is_some() {
            Self {
                mod_revision: revision,
                create_revision: self.create_revision,
                version: self.version + 1,
                value: Some(value),
            }
        } else {
            Self::created(revision, value)
        }
    }

    /// The first revision of a new generation.
    pub(crate) fn created(revision: Revision, value: Arc<V>) -> Self {
        Self {
            mod_revision: revision,
            create_revision: revision,
            version: 1,
            value: Some(value),
        }
    }

    /// The key-value pair this revision shows, or `None` for a tombstone.
    pub(crate) fn to_key_value(&self, key: &Arc<str>) -> Option<KeyValue<V>> {
        self.value.as_ref().map(|value| KeyValue {
            key: Arc::clone(key),
            create_revision: self.create_revision,
            mod_revision: self.mod_revision,
            version: self.version,
            value: Arc::clone(value),
        })
    }
}

/// All retained revisions of one key, in ascending `mod_revision`.
#[derive(Debug)]
pub(crate) struct KeyHistory<V> {
    /// Revisions older than `latest`, ascending; `None` (nothing allocated, one word in the
    /// map's node instead of a vector's three) for most keys.
    // The box is the point: the rare key with older revisions pays one more allocation so
    // that every key's map slot is 16 bytes smaller.
    #[allow(clippy::box_collection)]
    older: Option<Box<Vec<KeyRevision<V>>>>,
    /// The newest revision.
    latest: KeyRevision<V>,
}

// A derived Clone would require `V: Clone`; cloning only bumps the Arcs.
impl<V> Clone for KeyHistory<V> {
    fn clone(&self) -> Self {
        Self {
            older: self.older.clone(),
            latest: self.latest.clone(),
        }
    }
}

impl<V> KeyHistory<V> {
    /// A history whose only revision is `first`.
    pub(crate) fn new(first: KeyRevision<V>) -> Self {
        Self {
            older: None,
            latest: first,
        }
    }

    /// The retained revisions older than the newest, ascending.
    fn older(&self) -> &[KeyRevision<V>] {
        self.older.as_deref().map_or(&[], Vec::as_slice)
    }

    /// Calls `visit` with every retained value (for memory censuses).
    pub(crate) fn census_values(&self, mut visit: impl FnMut(&Arc<V>)) {
        for revision in self.older().iter().chain(std::iter::once(&self.latest)) {
            if let Some(value) = &revision.value {
                visit(value);
            }
        }
    }

    /// The newest revision (possibly a tombstone).
    pub(crate) fn latest(&self) -> &KeyRevision<V> {
        &self.latest
    }

    /// Appends a newer revision.
    pub(crate) fn push(&mut self, next: KeyRevision<V>) {
        let previous = std::mem::replace(&mut self.latest, next);
        self.older.get_or_insert_with(Box::default).push(previous);
    }

    /// The revision visible at store revision `at` (possibly a tombstone), if the key existed.
    pub(crate) fn at(&self, at: Revision) -> Option<&KeyRevision<V>> {
        if self.latest.mod_revision <= at {
            return Some(&self.latest);
        }
        let older = self.older();
        let visible = older.partition_point(|r| r.mod_revision <= at);
        visible.checked_sub(1).and_then(|i| older.get(i))
    }

    /// The live (non-tombstone) revision visible at `at`.
    pub(crate) fn live_at(&self, at: Revision) -> Option<&KeyRevision<V>> {
        self.at(at).filter(|r| r.value.is_some())
    }

    /// Every retained revision written in `[from, to)`, each with the revision before it
    /// (when retained), oldest first.
    pub(crate) fn changes_between(
        &self,
        from: Revision,
        to: Revision,
    ) -> impl Iterator<Item = (&KeyRevision<V>, Option<&KeyRevision<V>>)> {
        let all = self.older().iter().chain(std::iter::once(&self.latest));
        let previous = std::iter::once(None).chain(self.older().iter().map(Some));
        all.zip(previous)
            .filter(move |(r, _)| from <= r.mod_revision && r.mod_revision < to)
    }

    /// Drops the revisions that compaction at `at` makes unreachable: all revisions at or
    /// below `at` except the newest of them, and that one too when it is a tombstone.
    /// Returns `false` when nothing is left and the key should be removed.
    pub(crate) fn compact(&mut self, at: Revision) -> bool {
        if self.latest.mod_revision <= at {
            self.older = None;
            return self.latest.value.is_some();
        }
        let Some(older) = self.older.as_mut() else {
            return true;
        };
        let at_or_below = older.partition_point(|r| r.mod_revision <= at);
        let keep_from = match at_or_below.checked_sub(1).and_then(|i| older.get(i)) {
            Some(newest) if newest.value.is_some() => at_or_below - 1,
            Some(_) | None => at_or_below,
        };
        if keep_from > 0 {
            older.drain(..keep_from);
            if older.is_empty() {
                self.older = None;
            } else if older.capacity() > 2 * older.len() + 4 {
                // Only a vector mostly empty is given back: compaction runs every round and
                // shrinking at each one reallocated the same few revisions again and again.
                older.shrink_to_fit();
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history(writes: &[(Revision, Option<u32>)]) -> KeyHistory<u32> {
        let mut iter = writes.iter();
        let first = |&(rev, value): &(Revision, Option<u32>)| match value {
            Some(v) => KeyRevision::created(rev, Arc::new(v)),
            None => KeyRevision::tombstone(rev),
        };
        let Some(head) = iter.next() else {
            panic!("a history needs a first write");
        };
        let mut h = KeyHistory::new(first(head));
        for &(rev, value) in iter {
            let next = match value {
                Some(v) => h.latest().successor(rev, Arc::new(v)),
                None => KeyRevision::tombstone(rev),
            };
            h.push(next);
        }
        h
    }

    // Sizes are of a 64-bit host (the node host); wasm32's pointers are half as wide.
    #[cfg(target_pointer_width = "64")]
    #[test]
    fn a_key_costs_a_40_byte_history_with_one_32_byte_revision_inline() {
        // Per-key overhead matters at 150,000 pods: keep these from growing unnoticed.
        assert_eq!(std::mem::size_of::<KeyRevision<String>>(), 32);
        assert_eq!(std::mem::size_of::<KeyHistory<String>>(), 40);
    }

    #[test]
    fn a_history_answers_each_revision_with_the_newest_write_at_or_below_it() {
        let h = history(&[(2, Some(20)), (4, Some(40)), (6, None), (8, Some(80))]);
        let value_at = |at| h.live_at(at).and_then(|r| r.value.as_deref().copied());
        let cases = [
            (1, None),
            (2, Some(20)),
            (3, Some(20)),
            (5, Some(40)),
            (6, None),
            (7, None),
            (9, Some(80)),
        ];
        for (at, expected) in cases {
            assert_eq!(value_at(at), expected, "at revision {at}");
        }
        assert_eq!(h.live_at(5).map(|r| r.version), Some(2));
        assert_eq!(
            h.live_at(8).map(|r| (r.create_revision, r.version)),
            Some((8, 1))
        );
    }

    #[test]
    fn compaction_keeps_the_newest_live_revision_at_or_below_the_compaction_point() {
        let mut h = history(&[(2, Some(20)), (4, Some(40)), (6, Some(60))]);
        assert!(h.compact(5));
        assert_eq!(h.at(4).map(|r| r.mod_revision), Some(4));
        assert!(h.at(3).is_none());
        assert_eq!(h.changes_between(0, 100).count(), 2);
    }

    #[test]
    fn compaction_past_a_final_tombstone_removes_the_key() {
        let mut h = history(&[(2, Some(20)), (3, None)]);
        assert!(h.compact(2));
        assert!(!h.compact(3));
    }

    #[test]
    fn compaction_drops_a_tombstone_that_is_the_newest_revision_at_the_point() {
        let mut h = history(&[(2, Some(20)), (3, None), (5, Some(50))]);
        assert!(h.compact(4));
        assert!(h.at(4).is_none());
        assert_eq!(h.changes_between(0, 100).count(), 1);
    }
}
