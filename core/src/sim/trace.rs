//! The trace: one structured record per thing that happened (an API request, a store commit,
//! a watch delivery, …), in the order it happened.
//!
//! The UI is built on the trace and replay compares it: [`Trace::hash`] is a stable 64-bit
//! hash of every record in order, so the same seed and commands give the same hash on native
//! and on wasm32. Each record is written in a fixed binary form (a tag byte per kind, integers
//! as little-endian `u64`, strings as their length and bytes: see `encode`) and hashed with
//! XXH3-64 seeded with the hash so far. XXH3 is a specified algorithm with the same output on
//! every platform (std's `DefaultHasher` is not stable across builds, so it is not used). The
//! hash used to be FNV-1a over each record's JSON; serializing every record to JSON cost ~10 %
//! of a `kubeplay sim` run, the binary form a fraction of it.
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

/// The hash of an empty trace (XXH3's seed for the first record).
const EMPTY_TRACE_HASH: u64 = 0;

/// The tag byte of each record kind in [`encode`].
fn tag(record: &TraceRecord) -> u8 {
    match record {
        TraceRecord::ApiRequest { .. } => 1,
        TraceRecord::StoreCommit { .. } => 2,
        TraceRecord::WatchDelivery { .. } => 3,
        TraceRecord::Note { .. } => 4,
    }
}

fn put_u64(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(&n.to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u64(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// Writes `record` in the fixed binary form the trace hash covers: its tag byte, then every
/// field in declaration order (integers as little-endian `u64`, strings as their length as a
/// `u64` and their UTF-8 bytes). The form is self-delimiting, so two different sequences of
/// records never write the same bytes.
fn encode(record: &TraceRecord, out: &mut Vec<u8>) {
    out.push(tag(record));
    match record {
        TraceRecord::ApiRequest {
            at,
            user,
            verb,
            resource,
            namespace,
            name,
            code,
        } => {
            put_u64(out, at.0);
            put_str(out, user);
            put_str(out, verb);
            put_str(out, resource);
            put_str(out, namespace);
            put_str(out, name);
            put_u64(out, u64::from(*code));
        }
        TraceRecord::StoreCommit {
            at,
            revision,
            key,
            op,
        } => {
            put_u64(out, at.0);
            put_u64(out, *revision);
            put_str(out, key);
            out.push(match op {
                StoreOp::Put => 1,
                StoreOp::Delete => 2,
            });
        }
        TraceRecord::WatchDelivery {
            at,
            watch_id,
            revision,
            event_type,
            key,
        } => {
            put_u64(out, at.0);
            put_u64(out, *watch_id);
            put_u64(out, *revision);
            put_str(out, event_type);
            put_str(out, key);
        }
        TraceRecord::Note {
            at,
            component,
            message,
        } => {
            put_u64(out, at.0);
            put_str(out, component);
            put_str(out, message);
        }
    }
}

/// The trace hash after `record`, given the hash before it.
fn chain(hash: u64, record: &TraceRecord, scratch: &mut Vec<u8>) -> u64 {
    scratch.clear();
    encode(record, scratch);
    xxhash_rust::xxh3::xxh3_64_with_seed(scratch, hash)
}

/// Collects trace records, keeping a running hash of all of them and the most recent ones.
#[derive(Clone, Debug)]
pub struct Trace {
    hash: u64,
    count: u64,
    recent: VecDeque<TraceRecord>,
    keep_last: usize,
    /// The reused buffer each record is encoded into before it is hashed.
    scratch: Vec<u8>,
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
            hash: EMPTY_TRACE_HASH,
            count: 0,
            recent: VecDeque::new(),
            keep_last: n,
            scratch: Vec::new(),
        }
    }

    /// Appends one record.
    pub fn record(&mut self, record: TraceRecord) {
        self.hash = chain(self.hash, &record, &mut self.scratch);
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

/// Where a component's trace records go until the trace takes them: kept in a list that
/// [`TraceSink::take`] drains (the trace appends them later, in order), or, once
/// [`TraceSink::fold_into`] handed it the trace itself, straight into that trace.
///
/// A host that keeps no records (`kubeplay sim` only reports the hash) folds the API
/// server's records as they are made: a start-up burst's round otherwise held every request,
/// commit and watch delivery of the round (hundreds of bytes a pod) until the round ended.
/// Either way the trace sees the same records in the same order, so its hash is the same,
/// provided whoever appends to the trace itself first drains the sink (as the world does).
#[derive(Clone, Debug)]
pub enum TraceSink {
    /// Records kept until drained.
    Buffered(Vec<TraceRecord>),
    /// Records appended to this trace as they come.
    Direct(Trace),
}

impl Default for TraceSink {
    fn default() -> TraceSink {
        TraceSink::Buffered(Vec::new())
    }
}

impl TraceSink {
    /// Takes one record.
    pub fn push(&mut self, record: TraceRecord) {
        match self {
            TraceSink::Buffered(records) => records.push(record),
            TraceSink::Direct(trace) => trace.record(record),
        }
    }

    /// How many records wait to be drained (always 0 once folding into a trace).
    pub fn len(&self) -> usize {
        match self {
            TraceSink::Buffered(records) => records.len(),
            TraceSink::Direct(_) => 0,
        }
    }

    /// Whether no record waits to be drained.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drains the records kept since the last call (none once folding into a trace).
    pub fn take(&mut self) -> Vec<TraceRecord> {
        match self {
            TraceSink::Buffered(records) => {
                // The next batch starts with room for as many records as this one had: taken
                // empty, the vector regrew (and copied its records) several times a round.
                let next = Vec::with_capacity(records.len());
                std::mem::replace(records, next)
            }
            TraceSink::Direct(_) => Vec::new(),
        }
    }

    /// From now on appends every record straight to `trace`, after the records still kept.
    pub fn fold_into(&mut self, mut trace: Trace) {
        trace.extend(self.take());
        *self = TraceSink::Direct(trace);
    }

    /// The trace the records go to, once folding.
    pub fn trace(&self) -> Option<&Trace> {
        match self {
            TraceSink::Buffered(_) => None,
            TraceSink::Direct(trace) => Some(trace),
        }
    }

    /// The trace the records go to, once folding, to append other records to.
    pub fn trace_mut(&mut self) -> Option<&mut Trace> {
        match self {
            TraceSink::Buffered(_) => None,
            TraceSink::Direct(trace) => Some(trace),
        }
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
    fn the_hash_is_xxh3_over_each_records_binary_form_seeded_with_the_hash_before() {
        let records = [note("x"), note("y")];
        let mut trace = Trace::keeping_last(0);
        trace.extend(records.clone());
        let mut expected = 0;
        for record in &records {
            let mut bytes = Vec::new();
            encode(record, &mut bytes);
            expected = xxhash_rust::xxh3::xxh3_64_with_seed(&bytes, expected);
        }
        assert_eq!(trace.hash(), expected);
    }

    #[test]
    fn a_note_encodes_as_its_tag_time_and_length_prefixed_strings() {
        let mut bytes = Vec::new();
        encode(&note("hi"), &mut bytes);
        let mut expected = vec![4];
        expected.extend_from_slice(&1u64.to_le_bytes());
        expected.extend_from_slice(&4u64.to_le_bytes());
        expected.extend_from_slice(b"test");
        expected.extend_from_slice(&2u64.to_le_bytes());
        expected.extend_from_slice(b"hi");
        assert_eq!(bytes, expected);
    }

    #[test]
    fn moving_a_byte_between_two_strings_changes_the_hash() {
        let split = |component: &str, message: &str| {
            let mut trace = Trace::keeping_last(0);
            trace.record(TraceRecord::Note {
                at: Timestamp(1),
                component: component.into(),
                message: message.into(),
            });
            trace.hash()
        };
        assert_ne!(split("ab", "c"), split("a", "bc"));
    }

    #[test]
    fn every_field_of_every_kind_changes_the_hash() {
        let hash = |record: TraceRecord| {
            let mut trace = Trace::keeping_last(0);
            trace.record(record);
            trace.hash()
        };
        let request = |at, user: &str, verb: &str, resource: &str, ns: &str, name: &str, code| {
            TraceRecord::ApiRequest {
                at: Timestamp(at),
                user: user.into(),
                verb: verb.into(),
                resource: resource.into(),
                namespace: ns.into(),
                name: name.into(),
                code,
            }
        };
        let base = hash(request(1, "u", "get", "pods", "default", "a", 200));
        for other in [
            request(2, "u", "get", "pods", "default", "a", 200),
            request(1, "v", "get", "pods", "default", "a", 200),
            request(1, "u", "list", "pods", "default", "a", 200),
            request(1, "u", "get", "nodes", "default", "a", 200),
            request(1, "u", "get", "pods", "other", "a", 200),
            request(1, "u", "get", "pods", "default", "b", 200),
            request(1, "u", "get", "pods", "default", "a", 404),
        ] {
            assert_ne!(hash(other), base);
        }
        let commit = |revision, key: &str, op| TraceRecord::StoreCommit {
            at: Timestamp(1),
            revision,
            key: key.into(),
            op,
        };
        let base = hash(commit(5, "/k", StoreOp::Put));
        assert_ne!(hash(commit(6, "/k", StoreOp::Put)), base);
        assert_ne!(hash(commit(5, "/l", StoreOp::Put)), base);
        assert_ne!(hash(commit(5, "/k", StoreOp::Delete)), base);
        let delivery = |watch_id, revision, event_type: &str| TraceRecord::WatchDelivery {
            at: Timestamp(1),
            watch_id,
            revision,
            event_type: event_type.into(),
            key: "/k".into(),
        };
        let base = hash(delivery(1, 2, "ADDED"));
        assert_ne!(hash(delivery(3, 2, "ADDED")), base);
        assert_ne!(hash(delivery(1, 3, "ADDED")), base);
        assert_ne!(hash(delivery(1, 2, "MODIFIED")), base);
    }

    #[test]
    fn a_sink_folding_into_the_trace_gives_the_hash_of_draining_it_in_order() {
        // As the world does: before appending its own records, it drains the sink into its
        // trace; once the sink folds, the sink holds the trace and takes them too.
        fn append_own(sink: &mut TraceSink, own: &mut Trace, record: TraceRecord) {
            let drained = sink.take();
            own.extend(drained);
            match sink {
                TraceSink::Direct(trace) => trace.record(record),
                TraceSink::Buffered(_) => own.record(record),
            }
        }
        let mut buffered = TraceSink::default();
        let mut buffered_own = Trace::new();
        let mut folding = TraceSink::default();
        let mut folding_own = Trace::new();
        for (step, message) in ["a", "b", "c", "d", "e"].iter().enumerate() {
            if step == 2 {
                // Records still kept move into the trace first.
                let own = std::mem::replace(&mut folding_own, Trace::keeping_last(0));
                folding.fold_into(own);
            }
            buffered.push(note(message));
            folding.push(note(message));
            if step % 2 == 1 {
                append_own(&mut buffered, &mut buffered_own, note("own"));
                append_own(&mut folding, &mut folding_own, note("own"));
            }
        }
        buffered_own.extend(buffered.take());
        let folded = folding.trace().expect("folding");
        assert_eq!(folded.hash(), buffered_own.hash());
        assert_eq!(folded.len(), buffered_own.len());
        assert_eq!(folded.len(), 7);
        assert!(folding.is_empty());
        assert!(folding.take().is_empty());
        assert_eq!(folding_own.len(), 0);
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
