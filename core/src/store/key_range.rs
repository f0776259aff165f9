//! Which keys a request covers: one key, a prefix, or a half-open range.
//!
//! Requests ([`RangeRequest`](super::RangeRequest), deletes, watches) name their keys with a
//! [`KeyRange`]; the store turns it into a walk over its ordered key map, and watchers use
//! [`KeyRange::contains`] to filter the shared event log.

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::ops::Bound;

/// The keys a request covers, as etcd's `key` + `range_end` pair does.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyRange {
    /// Exactly this key (etcd: `range_end` empty).
    Key(String),
    /// Every key starting with this prefix; the empty prefix covers every key
    /// (etcd: `range_end` = prefix with its last byte incremented).
    Prefix(String),
    /// Every key `k` with `start <= k < end`; empty when `end <= start`.
    Range {
        /// The first key covered (inclusive).
        start: String,
        /// The first key not covered (exclusive).
        end: String,
    },
}

impl KeyRange {
    /// One key.
    pub fn key(key: impl Into<String>) -> Self {
        Self::Key(key.into())
    }

    /// Every key under `prefix`.
    pub fn prefix(prefix: impl Into<String>) -> Self {
        Self::Prefix(prefix.into())
    }

    /// Every key in `[start, end)`.
    pub fn range(start: impl Into<String>, end: impl Into<String>) -> Self {
        Self::Range {
            start: start.into(),
            end: end.into(),
        }
    }

    /// Whether `key` is covered.
    pub fn contains(&self, key: &str) -> bool {
        match self {
            Self::Key(k) => k == key,
            Self::Prefix(prefix) => key.starts_with(prefix.as_str()),
            Self::Range { start, end } => start.as_str() <= key && key < end.as_str(),
        }
    }

    /// Whether this names the empty single key, which etcd refuses.
    pub(crate) fn is_empty_key(&self) -> bool {
        matches!(self, Self::Key(k) if k.is_empty())
    }

    /// The bounds of a `BTreeMap::range` walk over the covered keys; `None` when none are.
    fn bounds(&self) -> Option<(Bound<&str>, Bound<&str>)> {
        match self {
            Self::Key(k) => Some((Bound::Included(k.as_str()), Bound::Included(k.as_str()))),
            Self::Prefix(prefix) => Some((Bound::Included(prefix.as_str()), Bound::Unbounded)),
            Self::Range { start, end } if start < end => Some((
                Bound::Included(start.as_str()),
                Bound::Excluded(end.as_str()),
            )),
            // `BTreeMap::range` panics on an inverted range; an inverted range covers nothing.
            Self::Range { .. } => None,
        }
    }

    /// Whether a walk that reached `key` (in key order, from [`Self::bounds`]) is still inside.
    fn still_inside(&self, key: &str) -> bool {
        match self {
            Self::Prefix(prefix) => key.starts_with(prefix.as_str()),
            Self::Key(_) | Self::Range { .. } => true,
        }
    }

    /// The entries of `map` whose keys are covered, in key order.
    pub(crate) fn walk<'m, K, T>(
        &'m self,
        map: &'m BTreeMap<K, T>,
    ) -> impl Iterator<Item = (&'m K, &'m T)>
    where
        K: Borrow<str> + Ord,
    {
        self.bounds()
            .map(|bounds| map.range::<str, _>(bounds))
            .into_iter()
            .flatten()
            .take_while(move |(k, _)| self.still_inside((*k).borrow()))
    }

    /// The entries of `map` whose keys are covered, in key order, mutably.
    pub(crate) fn walk_mut<'m, K, T>(
        &'m self,
        map: &'m mut BTreeMap<K, T>,
    ) -> impl Iterator<Item = (&'m K, &'m mut T)>
    where
        K: Borrow<str> + Ord,
    {
        self.bounds()
            .map(|bounds| map.range_mut::<str, _>(bounds))
            .into_iter()
            .flatten()
            .take_while(move |(k, _)| self.still_inside((*k).borrow()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ranges_cover_exactly_their_keys() {
        let cases = [
            (KeyRange::key("/a/b"), "/a/b", true),
            (KeyRange::key("/a/b"), "/a/bc", false),
            (KeyRange::prefix("/a/"), "/a/b", true),
            (KeyRange::prefix("/a/"), "/a", false),
            (KeyRange::prefix(""), "/anything", true),
            (KeyRange::range("/a", "/c"), "/a", true),
            (KeyRange::range("/a", "/c"), "/b/zz", true),
            (KeyRange::range("/a", "/c"), "/c", false),
            (KeyRange::range("/c", "/a"), "/b", false),
        ];
        for (range, key, expected) in cases {
            assert_eq!(range.contains(key), expected, "{range:?} contains {key}");
        }
    }

    #[test]
    fn walking_an_inverted_or_empty_range_yields_nothing() {
        let map: BTreeMap<String, u8> = [("/a".to_string(), 1), ("/b".to_string(), 2)]
            .into_iter()
            .collect();
        assert_eq!(KeyRange::range("/b", "/a").walk(&map).count(), 0);
        assert_eq!(KeyRange::range("/a", "/a").walk(&map).count(), 0);
        assert_eq!(KeyRange::prefix("/").walk(&map).count(), 2);
        assert_eq!(KeyRange::key("/b").walk(&map).count(), 1);
    }
}
