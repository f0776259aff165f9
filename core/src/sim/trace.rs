//! The trace: one structured record per thing that happened (an API request, a store commit,
//! a watch delivery, …), in the order it happened.
//!
//! The UI is built on the trace and replay compares it: [`Trace::hash`] is a stable 64-bit
//! FNV-1a over each record's canonical JSON, so the same seed and commands give the same hash
//! on native and on wasm32 (std's `DefaultHasher` is not stable across builds, so it is not
//! used here).
//!
//! Every record has a sequence number: its position among all records appended, counting
//! from 0 ([`Trace::len`] before it was appended). A trace that keeps only its last records
//! ([`Trace::keeping_last`]) still numbers them so; [`Trace::first_kept`] says where its window
//! starts and [`Trace::records_since`] reads from a sequence on, which is how the node host
//! serves the trace to a page that follows it.

use super::clock::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// What kind of change a store commit made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StoreOp {
    /// A key was created or overwritten.
    Put,
    /// A key was deleted.
    Delete,
}

/// One thing that happened in the simulated cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum TraceRecord {
    /// A request reached the API server and got an answer.
    ApiRequest {
        /// When.
        at: Timestamp,
        /// Who asked (`kubectl`, `kube-scheduler`, `kubelet/node-1`, …).
        user: String,
        /// The Kubernetes verb (`create`, `get`, `list`, `watch`, `update`, `patch`, `delete`).
        verb: String,
        /// The resource, with subresource (`pods`, `pods/binding`, `deployments/scale`).
        resource: String,
        /// The namespace, empty for cluster-scoped requests.
        namespace: String,
        /// The object's name, empty for lists and creates with generateName.
        name: String,
        /// The HTTP status code of the answer.
        code: u16,
    },
    /// The store committed a write at a new revision.
    StoreCommit {
        /// When.
        at: Timestamp,
        /// The revision the write produced.
        revision: u64,
        /// The key written (`/registry/pods/default/web-1`).
        key: String,
        /// Put or delete.
        op: StoreOp,
    },
    /// A watch event was delivered to a watcher.
    WatchDelivery {
        /// When.
        at: Timestamp,
        /// The API server's id of the watch.
        watch_id: u64,
        /// The resourceVersion of the event.
        revision: u64,
        /// ADDED, MODIFIED, DELETED or BOOKMARK.
        event_type: String,
        /// The object's key.
        key: String,
    },
    /// A free-form note from a component not yet given records of its own.
    Note {
        /// When.
        at: Timestamp,
        /// The component (`kube-scheduler`, `kubelet/node-1`).
        component: String,
        /// What happened.
        message: String,
    },
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(FNV_PRIME);
    }
    hash
}

/// A writer that feeds every byte written into the running FNV-1a hash, so a record's JSON
/// is hashed as the serializer produces it, without an intermediate buffer. FNV-1a takes one
/// byte at a time, so the hash is the same however the serializer splits its writes.
struct FnvWriter<'h> {
    hash: &'h mut u64,
}

impl std::io::Write for FnvWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        *self.hash = fnv1a(*self.hash, bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Collects trace records, keeping a running hash of all of them and the most recent ones.
#[derive(Clone, Debug)]
pub struct Trace {
    hash: u64,
    count: u64,
    recent: VecDeque<TraceRecord>,
    keep_last: usize,
}

impl Default for Trace {
    fn default() -> Trace {
        Trace::keeping_last(usize::MAX)
    }
}

impl Trace {
    /// A trace that keeps every record.
    pub fn new() -> Trace {
        Trace::default()
    }

    /// A trace that keeps only the last `n` records (the hash still covers all of them).
    pub fn keeping_last(n: usize) -> Trace {
        Trace {
            hash: FNV_OFFSET,
            count: 0,
            recent: VecDeque::new(),
            keep_last: n,
        }
    }

    /// Appends one record.
    pub fn record(&mut self, record: TraceRecord) {
        // Serializing our own plain enum to JSON cannot fail (and the writer never does); the
        // separator byte counts the record whatever happens.
        let _ = serde_json::to_writer(
            FnvWriter {
                hash: &mut self.hash,
            },
            &record,
        );
        self.hash = fnv1a(self.hash, b"\n");
        self.count += 1;
        if self.keep_last > 0 {
            if self.recent.len() == self.keep_last {
                self.recent.pop_front();
            }
            self.recent.push_back(record);
        }
    }

    /// Appends several records in order.
    pub fn extend(&mut self, records: impl IntoIterator<Item = TraceRecord>) {
        for record in records {
            self.record(record);
        }
    }

    /// The stable hash of every record so far.
    pub fn hash(&self) -> u64 {
        self.hash
    }

    /// How many records were appended in all.
    pub fn len(&self) -> u64 {
        self.count
    }

    /// Whether nothing was recorded yet.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The records kept, oldest first.
    pub fn records(&self) -> impl Iterator<Item = &TraceRecord> {
        self.recent.iter()
    }

    /// The sequence number of the oldest record kept (equal to [`Trace::len`] when none is
    /// kept): every record before it was dropped from the window.
    pub fn first_kept(&self) -> u64 {
        self.count.saturating_sub(self.recent.len() as u64)
    }

    /// The kept records whose sequence number is `since` or later, oldest first, each with
    /// its sequence number.
    pub fn records_since(&self, since: u64) -> impl Iterator<Item = (u64, &TraceRecord)> {
        let first = self.first_kept();
        let skip = usize::try_from(since.saturating_sub(first)).unwrap_or(usize::MAX);
        self.recent
            .iter()
            .enumerate()
            .skip(skip)
            .map(move |(index, record)| (first + index as u64, record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(message: &str) -> TraceRecord {
        TraceRecord::Note {
            at: Timestamp(1),
            component: "test".into(),
            message: message.into(),
        }
    }

    #[test]
    fn the_hash_depends_on_every_record_and_their_order() {
        let mut a = Trace::new();
        a.extend([note("x"), note("y")]);
        let mut b = Trace::new();
        b.extend([note("y"), note("x")]);
        let mut c = Trace::new();
        c.extend([note("x"), note("y")]);
        assert_ne!(a.hash(), b.hash());
        assert_eq!(a.hash(), c.hash());
        assert_eq!(a.len(), 2);
    }

    #[test]
    fn a_bounded_trace_keeps_the_last_records_but_hashes_all() {
        let mut bounded = Trace::keeping_last(2);
        let mut full = Trace::new();
        for m in ["a", "b", "c"] {
            bounded.record(note(m));
            full.record(note(m));
        }
        assert_eq!(bounded.hash(), full.hash());
        let kept: Vec<_> = bounded.records().cloned().collect();
        assert_eq!(kept, vec![note("b"), note("c")]);
    }

    #[test]
    fn records_since_numbers_records_from_the_first_ever_appended() {
        let mut bounded = Trace::keeping_last(2);
        for m in ["a", "b", "c", "d"] {
            bounded.record(note(m));
        }
        assert_eq!(bounded.first_kept(), 2);
        let from_start: Vec<_> = bounded
            .records_since(0)
            .map(|(seq, r)| (seq, r.clone()))
            .collect();
        assert_eq!(from_start, vec![(2, note("c")), (3, note("d"))]);
        let from_last: Vec<_> = bounded.records_since(3).map(|(seq, _)| seq).collect();
        assert_eq!(from_last, vec![3]);
        assert_eq!(bounded.records_since(4).count(), 0);
        assert_eq!(bounded.records_since(u64::MAX).count(), 0);
    }

    #[test]
    fn a_trace_keeping_nothing_starts_its_window_at_its_length() {
        let mut none = Trace::keeping_last(0);
        none.record(note("a"));
        assert_eq!(none.first_kept(), 1);
        assert_eq!(none.records_since(0).count(), 0);
    }

    #[test]
    fn the_hash_is_fnv1a_over_each_records_json_and_a_newline() {
        let records = [note("x"), note("y")];
        let mut trace = Trace::keeping_last(0);
        trace.extend(records.clone());
        let mut expected = FNV_OFFSET;
        for record in &records {
            expected = fnv1a(expected, serde_json::to_string(record).unwrap().as_bytes());
            expected = fnv1a(expected, b"\n");
        }
        assert_eq!(trace.hash(), expected);
    }

    #[test]
    fn records_serialize_in_camel_case_with_a_type_tag() {
        let record = TraceRecord::WatchDelivery {
            at: Timestamp(5),
            watch_id: 1,
            revision: 9,
            event_type: "ADDED".into(),
            key: "/registry/pods/default/a".into(),
        };
        let json = serde_json::to_string(&record).unwrap();
        assert_eq!(
            json,
            r#"{"type":"watchDelivery","at":5,"watchId":1,"revision":9,"eventType":"ADDED","key":"/registry/pods/default/a"}"#
        );
    }
}
