//! The trace: one structured [`TraceRecord`] for everything observable that happens.
//!
//! Components return trace records alongside their outputs (an API request answered, a store
//! revision committed, a watch event delivered, …); the host appends them, in the order it
//! processed them, to one [`Trace`]. The UI animates the retained records; tests compare whole
//! runs through [`Trace::hash`], a running 64-bit FNV-1a hash over each record's canonical
//! encoding (its compact JSON plus a newline), which is the same on every target and in every
//! process — unlike `std`'s `DefaultHasher`. Long runs keep only the hash and the last records
//! ([`TraceRetention`]).

use super::clock::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// How many records [`Trace::default`] keeps.
pub const DEFAULT_RETAINED_RECORDS: usize = 65_536;

/// What a store commit did to its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StoreOp {
    /// The key did not exist and now does.
    Create,
    /// The key existed and got a new value.
    Update,
    /// The key was removed.
    Delete,
}

/// The type of a watch event, spelled as Kubernetes sends it on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WatchEventType {
    /// `ADDED`: the object appeared (or the watch's initial list).
    Added,
    /// `MODIFIED`: the object changed.
    Modified,
    /// `DELETED`: the object was removed.
    Deleted,
    /// `BOOKMARK`: only the resource version moved on.
    Bookmark,
    /// `ERROR`: the watch failed (for example, its resource version was compacted).
    Error,
}

/// One observable step of the simulation. Serialized in camelCase with a `type` tag, e.g.
/// `{"type":"storeCommit","at":1735689600000,"revision":2,"key":"/pods/default/web","op":"create"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum TraceRecord {
    /// The API server answered a request.
    ApiRequest {
        /// When it was answered.
        at: Timestamp,
        /// Who asked (`kubectl`, `kube-scheduler`, `kubelet/node-1`, …).
        user: String,
        /// The Kubernetes verb: `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`,
        /// `deletecollection`.
        verb: String,
        /// The resource (plural, lower case, with `/subresource` if any), e.g. `pods/status`.
        resource: String,
        /// The namespace, for namespaced requests.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        namespace: Option<String>,
        /// The object name, for requests about one object.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// The HTTP status code of the answer.
        code: u16,
    },
    /// The store committed a change.
    StoreCommit {
        /// When it was committed.
        at: Timestamp,
        /// The store revision the change created.
        revision: u64,
        /// The changed key.
        key: String,
        /// What happened to the key.
        op: StoreOp,
    },
    /// A watch event reached a watcher.
    WatchDelivery {
        /// When it was delivered.
        at: Timestamp,
        /// Which watch it was delivered on.
        watch_id: u64,
        /// The store revision of the event.
        revision: u64,
        /// The event's type.
        event_type: WatchEventType,
        /// The key of the object concerned.
        key: String,
    },
    /// A human-readable remark from a component.
    Note {
        /// When it was made.
        at: Timestamp,
        /// Who made it (`scheduler`, `kubelet/node-1`, …).
        component: String,
        /// What it says.
        message: String,
    },
    /// A structured record of a kind this enum has no variant for yet.
    Custom {
        /// When it happened.
        at: Timestamp,
        /// Who recorded it.
        component: String,
        /// What kind of record it is, e.g. `schedulingDecision`.
        kind: String,
        /// The record's details.
        data: serde_json::Value,
    },
}

impl TraceRecord {
    /// When the recorded step happened.
    pub fn at(&self) -> Timestamp {
        match self {
            TraceRecord::ApiRequest { at, .. }
            | TraceRecord::StoreCommit { at, .. }
            | TraceRecord::WatchDelivery { at, .. }
            | TraceRecord::Note { at, .. }
            | TraceRecord::Custom { at, .. } => *at,
        }
    }
}

/// Which records a [`Trace`] keeps besides its hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceRetention {
    /// Every record (for tests and short runs).
    All,
    /// The most recent `n` records.
    Last(usize),
    /// No records: only the hash and the count (for long determinism runs).
    HashOnly,
}

/// The 64-bit FNV-1a hash: simple, fast for short inputs and, unlike `std`'s hashers, fixed
/// by its specification, so values can be stored in tests and compared across targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StableHasher {
    state: u64,
}

const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

impl Default for StableHasher {
    fn default() -> Self {
        StableHasher {
            state: FNV_OFFSET_BASIS,
        }
    }
}

impl StableHasher {
    /// Mixes `bytes` into the hash.
    pub fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.state ^= u64::from(byte);
            self.state = self.state.wrapping_mul(FNV_PRIME);
        }
    }

    /// The hash of everything written so far.
    pub fn finish(&self) -> u64 {
        self.state
    }
}

impl std::io::Write for StableHasher {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        StableHasher::write(self, bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Collects trace records and keeps a hash of all of them.
#[derive(Debug, Clone)]
pub struct Trace {
    retained: VecDeque<TraceRecord>,
    retention: TraceRetention,
    hasher: StableHasher,
    total: u64,
}

impl Default for Trace {
    /// A trace keeping the last [`DEFAULT_RETAINED_RECORDS`] records.
    fn default() -> Self {
        Trace::new(TraceRetention::Last(DEFAULT_RETAINED_RECORDS))
    }
}

impl Trace {
    /// An empty trace keeping what `retention` says.
    pub fn new(retention: TraceRetention) -> Self {
        Trace {
            retained: VecDeque::new(),
            retention,
            hasher: StableHasher::default(),
            total: 0,
        }
    }

    /// Appends a record and returns its sequence number (0 for the first record).
    pub fn record(&mut self, record: TraceRecord) -> u64 {
        self.hash_record(&record);
        let sequence = self.total;
        self.total += 1;
        match self.retention {
            TraceRetention::All => self.retained.push_back(record),
            TraceRetention::Last(keep) => {
                if keep > 0 {
                    if self.retained.len() >= keep {
                        self.retained.pop_front();
                    }
                    self.retained.push_back(record);
                }
            }
            TraceRetention::HashOnly => {}
        }
        sequence
    }

    /// The hash of every record appended so far, in order. Two runs with equal hashes
    /// recorded the same records (short of a 64-bit collision).
    pub fn hash(&self) -> u64 {
        self.hasher.finish()
    }

    /// [`Trace::hash`] as 16 lower-case hex digits, for messages and logs.
    pub fn hash_hex(&self) -> String {
        format!("{:016x}", self.hash())
    }

    /// How many records were appended, retained or not.
    pub fn total_recorded(&self) -> u64 {
        self.total
    }

    /// What this trace keeps.
    pub fn retention(&self) -> TraceRetention {
        self.retention
    }

    /// The retained records, oldest first, with their sequence numbers.
    pub fn retained(&self) -> impl Iterator<Item = (u64, &TraceRecord)> {
        let first = self.total - self.retained.len() as u64;
        (first..).zip(self.retained.iter())
    }

    /// The retained records with sequence numbers from `sequence` on: what a viewer that has
    /// seen everything before `sequence` has not seen yet.
    pub fn retained_since(&self, sequence: u64) -> impl Iterator<Item = (u64, &TraceRecord)> {
        self.retained()
            .skip_while(move |&(seen, _)| seen < sequence)
    }

    /// The most recent retained record.
    pub fn last(&self) -> Option<&TraceRecord> {
        self.retained.back()
    }

    fn hash_record(&mut self, record: &TraceRecord) {
        // Serializing these types cannot fail: every map key is a string and no value is a
        // non-finite float (serde_json::Value cannot hold one). Should that ever change, the
        // failure still changes the hash rather than going unnoticed.
        if serde_json::to_writer(&mut self.hasher, record).is_err() {
            self.hasher.write(b"\0unserializable record\0");
        }
        self.hasher.write(b"\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::clock::SIMULATION_EPOCH;
    use std::time::Duration;

    fn commit(revision: u64) -> TraceRecord {
        TraceRecord::StoreCommit {
            at: SIMULATION_EPOCH + Duration::from_millis(revision),
            revision,
            key: format!("/registry/pods/default/web-{revision}"),
            op: StoreOp::Create,
        }
    }

    #[test]
    fn fnv1a_matches_its_published_test_vectors() {
        let cases: [(&[u8], u64); 3] = [
            (b"", 0xcbf2_9ce4_8422_2325),
            (b"a", 0xaf63_dc4c_8601_ec8c),
            (b"foobar", 0x8594_4171_f739_67e8),
        ];
        for (input, expected) in cases {
            let mut hasher = StableHasher::default();
            hasher.write(input);
            assert_eq!(hasher.finish(), expected, "{input:?}");
        }
    }

    #[test]
    fn records_serialize_in_camel_case_with_a_type_tag() {
        let cases = [
            (
                TraceRecord::ApiRequest {
                    at: SIMULATION_EPOCH,
                    user: "kubectl".into(),
                    verb: "create".into(),
                    resource: "pods".into(),
                    namespace: Some("default".into()),
                    name: None,
                    code: 201,
                },
                r#"{"type":"apiRequest","at":1735689600000,"user":"kubectl","verb":"create","resource":"pods","namespace":"default","code":201}"#,
            ),
            (
                commit(2),
                r#"{"type":"storeCommit","at":1735689600002,"revision":2,"key":"/registry/pods/default/web-2","op":"create"}"#,
            ),
            (
                TraceRecord::WatchDelivery {
                    at: SIMULATION_EPOCH,
                    watch_id: 7,
                    revision: 3,
                    event_type: WatchEventType::Modified,
                    key: "/registry/pods/default/web".into(),
                },
                r#"{"type":"watchDelivery","at":1735689600000,"watchId":7,"revision":3,"eventType":"MODIFIED","key":"/registry/pods/default/web"}"#,
            ),
            (
                TraceRecord::Note {
                    at: SIMULATION_EPOCH,
                    component: "scheduler".into(),
                    message: "0/3 nodes are available".into(),
                },
                r#"{"type":"note","at":1735689600000,"component":"scheduler","message":"0/3 nodes are available"}"#,
            ),
            (
                TraceRecord::Custom {
                    at: SIMULATION_EPOCH,
                    component: "scheduler".into(),
                    kind: "schedulingDecision".into(),
                    data: serde_json::json!({"node": "node-1", "score": 87}),
                },
                r#"{"type":"custom","at":1735689600000,"component":"scheduler","kind":"schedulingDecision","data":{"node":"node-1","score":87}}"#,
            ),
        ];
        for (record, json) in cases {
            assert_eq!(serde_json::to_string(&record).ok().as_deref(), Some(json));
            assert_eq!(serde_json::from_str::<TraceRecord>(json).ok(), Some(record));
        }
    }

    #[test]
    fn the_hash_is_fnv1a_over_each_records_json_and_a_newline() {
        let mut trace = Trace::new(TraceRetention::All);
        trace.record(commit(1));
        let mut expected = StableHasher::default();
        expected.write(
            serde_json::to_string(&commit(1))
                .unwrap_or_default()
                .as_bytes(),
        );
        expected.write(b"\n");
        assert_eq!(trace.hash(), expected.finish());
    }

    #[test]
    fn equal_records_give_equal_hashes_and_order_matters() {
        let mut first = Trace::new(TraceRetention::All);
        let mut second = Trace::new(TraceRetention::HashOnly);
        let mut reversed = Trace::new(TraceRetention::All);
        for revision in 1..=3 {
            first.record(commit(revision));
            second.record(commit(revision));
        }
        for revision in (1..=3).rev() {
            reversed.record(commit(revision));
        }
        assert_eq!(first.hash(), second.hash());
        assert_ne!(first.hash(), reversed.hash());
        assert_ne!(first.hash(), Trace::new(TraceRetention::All).hash());
        assert_eq!(first.hash_hex().len(), 16);
    }

    #[test]
    fn hash_only_traces_count_records_but_keep_none() {
        let mut trace = Trace::new(TraceRetention::HashOnly);
        for revision in 0..10 {
            trace.record(commit(revision));
        }
        assert_eq!(trace.total_recorded(), 10);
        assert_eq!(trace.retained().count(), 0);
        assert_eq!(trace.last(), None);
    }

    #[test]
    fn bounded_traces_keep_the_last_records_with_their_sequence_numbers() {
        let mut trace = Trace::new(TraceRetention::Last(3));
        for revision in 0..10 {
            assert_eq!(trace.record(commit(revision)), revision);
        }
        let kept: Vec<(u64, u64)> = trace
            .retained()
            .filter_map(|(sequence, record)| {
                if let TraceRecord::StoreCommit { revision, .. } = record {
                    Some((sequence, *revision))
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(kept, [(7, 7), (8, 8), (9, 9)]);
        assert_eq!(trace.retained_since(9).count(), 1);
        assert_eq!(trace.retained_since(2).count(), 3);
        assert_eq!(trace.last(), Some(&commit(9)));
    }

    #[test]
    fn a_trace_keeping_zero_records_still_hashes() {
        let mut trace = Trace::new(TraceRetention::Last(0));
        trace.record(commit(1));
        assert_eq!(trace.retained().count(), 0);
        assert_ne!(trace.hash(), StableHasher::default().finish());
    }

    #[test]
    fn every_record_knows_when_it_happened() {
        assert_eq!(commit(5).at(), SIMULATION_EPOCH + Duration::from_millis(5));
    }
}
