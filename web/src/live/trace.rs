//! The live trace: the server's trace records, read page by page from
//! `GET /kubeplay/v1/trace?since=SEQ&tail=N` (at most the newest [`LIVE_TRACE_PAGE`] of the
//! records since the last page), kept for the timeline, the control-plane map and the
//! scheduler explanation's notes.
//!
//! Each answer is `{"records": […], "next": SEQ2, "dropped": K}`: the records after `since`
//! (in the core's `TraceRecord` JSON form), where to ask from next time, and how many records
//! the server no longer had (it keeps only its newest ones). [`LiveTrace::apply_page`] appends
//! the records, keeping the newest [`LIVE_TRACE_KEPT`]; [`LiveTrace::len`] counts every
//! record appended since the page went live, which is what the control-plane map's
//! `consume` needs to tell new records from ones it has seen. A record the page cannot read
//! (a newer server's record type) is skipped, never a panic.

use std::collections::VecDeque;

use kubeplay_core::api::objects::Kind;
use kubeplay_core::apiserver::registry::list_prefix;
use kubeplay_core::sim::clock::Timestamp;
use kubeplay_core::sim::trace::{StoreOp, TraceRecord};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

/// How many records the page keeps.
pub const LIVE_TRACE_KEPT: usize = 5_000;

/// The most records one page asks for (`tail`): the newest ones since the last page. A busy
/// cluster writes thousands of records a second; the page decodes each one it gets on its
/// main thread, so a page behind by more reads only the newest (the server counts the rest
/// as dropped) instead of all of them to keep the last [`LIVE_TRACE_KEPT`].
pub const LIVE_TRACE_PAGE: usize = 2_000;

/// The path of the trace endpoint.
pub const TRACE_PATH: &str = "/kubeplay/v1/trace";

/// Why a trace page could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TraceError {
    /// The body is not JSON.
    #[error("the trace answer is not JSON: {0}")]
    NotJson(String),
    /// The body has no `records` array or no `next` number.
    #[error("the trace answer has no records array or next number")]
    NotAPage,
}

/// The server's recent trace, as far as the page has read it.
#[derive(Clone, Debug, Default)]
pub struct LiveTrace {
    records: VecDeque<TraceRecord>,
    appended: u64,
    next: u64,
    dropped: u64,
}

impl LiveTrace {
    /// An empty trace that starts reading at sequence 0.
    pub fn new() -> LiveTrace {
        LiveTrace::default()
    }

    /// The path of the next page.
    pub fn next_path(&self) -> String {
        format!("{TRACE_PATH}?since={}&tail={LIVE_TRACE_PAGE}", self.next)
    }

    /// Appends one answer's records; returns how many were appended (the answer read and
    /// decoded in one go: [`TracePage`] for the same in slices).
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn apply_page(&mut self, body: &str) -> Result<usize, TraceError> {
        let mut page = TracePage::read(body)?;
        while !page.decode_some(|| false) {}
        Ok(self.append(page))
    }

    /// Appends a decoded page's records ([`TracePage::decode_some`] until it said done; a
    /// record not decoded yet is skipped like an unreadable one); returns how many were
    /// appended.
    pub fn append(&mut self, page: TracePage<'_>) -> usize {
        let TracePage {
            raw,
            decoded,
            next,
            dropped,
        } = page;
        // Only the newest LIVE_TRACE_KEPT were decoded; the older ones count.
        let skip = raw.len().saturating_sub(LIVE_TRACE_KEPT);
        let mut appended = skip;
        // A record type this page does not know (a newer server) is skipped.
        for record in decoded.into_iter().flatten() {
            self.records.push_back(record);
            appended += 1;
        }
        while self.records.len() > LIVE_TRACE_KEPT {
            self.records.pop_front();
        }
        self.appended += appended as u64;
        self.dropped += dropped;
        // A server that restarted counts from 0 again: follow it.
        self.next = next;
        appended
    }

    /// Which of `kinds` the newest `count` records committed to the store (so only those are
    /// listed again: listing every kind every second would fill the trace with the page's
    /// own requests).
    pub fn kinds_committed_in_last(&self, count: usize, kinds: &[Kind]) -> Vec<Kind> {
        let skip = self.records.len().saturating_sub(count);
        kinds
            .iter()
            .copied()
            .filter(|kind| {
                let prefix = list_prefix(*kind, None);
                self.records.iter().skip(skip).any(|record| {
                    matches!(record, TraceRecord::StoreCommit { key, .. } if key.starts_with(&prefix))
                })
            })
            .collect()
    }

    /// The kept records, oldest first.
    pub fn records(&self) -> impl DoubleEndedIterator<Item = &TraceRecord> + '_ {
        self.records.iter()
    }

    /// How many records are kept.
    pub fn kept(&self) -> usize {
        self.records.len()
    }

    /// How many records were appended since the page went live (kept or not).
    pub fn len(&self) -> u64 {
        self.appended
    }

    /// How many records the server had dropped before the page read them.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

/// One trace answer as the server sent it: each record's JSON text, not decoded yet.
#[derive(Deserialize)]
struct RawPage<'a> {
    #[serde(borrow)]
    records: Vec<&'a RawValue>,
    next: u64,
    /// Read leniently, like the rest of the page's answer (not a number counts as 0).
    #[serde(default)]
    dropped: Option<Value>,
}

/// A trace answer read ([`TracePage::read`]: its records only split, one pass over the text)
/// and decoded a few records at a time ([`TracePage::decode_some`]), so that a page of
/// [`LIVE_TRACE_PAGE`] records is not decoded in one task of the page's main thread; then
/// [`LiveTrace::append`].
///
/// Each record is decoded into a flat [`WireRecord`] and only then turned into a
/// [`TraceRecord`]: `TraceRecord` is an internally tagged enum, which serde reads by first
/// buffering every record's fields. A record that cannot be read that way (a newer server's
/// record with a field of another type) is read again as a `TraceRecord`, and skipped if that
/// fails too: one odd record never loses the page.
pub struct TracePage<'a> {
    raw: Vec<&'a RawValue>,
    decoded: Vec<Option<TraceRecord>>,
    next: u64,
    dropped: u64,
}

impl<'a> TracePage<'a> {
    /// Splits an answer into its records.
    pub fn read(body: &'a str) -> Result<TracePage<'a>, TraceError> {
        let page: RawPage<'a> = serde_json::from_str(body).map_err(|error| {
            if error.is_data() {
                TraceError::NotAPage
            } else {
                TraceError::NotJson(error.to_string())
            }
        })?;
        let kept = page.records.len().min(LIVE_TRACE_KEPT);
        Ok(TracePage {
            raw: page.records,
            decoded: Vec::with_capacity(kept),
            next: page.next,
            dropped: page.dropped.as_ref().and_then(Value::as_u64).unwrap_or(0),
        })
    }

    /// Decodes the next records, in order, until every kept one is decoded (true) or
    /// `pause` (asked after each record) says to stop for now (false: call again). Only the
    /// newest [`LIVE_TRACE_KEPT`] are decoded; the older ones are only counted.
    pub fn decode_some(&mut self, mut pause: impl FnMut() -> bool) -> bool {
        let skip = self.raw.len().saturating_sub(LIVE_TRACE_KEPT);
        while let Some(raw) = self.raw.get(skip + self.decoded.len()) {
            self.decoded.push(decode_record(raw.get()));
            if pause() {
                return skip + self.decoded.len() >= self.raw.len();
            }
        }
        true
    }
}

/// One record's JSON text as a [`TraceRecord`], if it is one (see [`TracePage`]).
fn decode_record(text: &str) -> Option<TraceRecord> {
    match serde_json::from_str::<WireRecord>(text) {
        Ok(record) => record.into_record(),
        Err(_) => serde_json::from_str::<TraceRecord>(text).ok(),
    }
}

/// The record types [`TraceRecord`] has (`type`), and any other.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
enum WireType {
    ApiRequest,
    StoreCommit,
    WatchDelivery,
    Note,
    #[default]
    #[serde(other)]
    Other,
}

/// Every field any [`TraceRecord`] has, flat (a record has some of them): read without
/// serde's buffering of internally tagged enums, then checked by [`WireRecord::into_record`]
/// (a record lacking one of its type's fields is skipped, as `TraceRecord`'s own decoding
/// would refuse it).
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct WireRecord {
    #[serde(rename = "type")]
    record_type: WireType,
    at: Option<Timestamp>,
    user: Option<String>,
    verb: Option<String>,
    resource: Option<String>,
    namespace: Option<String>,
    name: Option<String>,
    code: Option<u16>,
    revision: Option<u64>,
    key: Option<String>,
    op: Option<StoreOp>,
    watch_id: Option<u64>,
    event_type: Option<String>,
    component: Option<String>,
    message: Option<String>,
}

impl WireRecord {
    /// The record, if it is of a known type and has every field of it.
    fn into_record(self) -> Option<TraceRecord> {
        let at = self.at?;
        match self.record_type {
            WireType::ApiRequest => Some(TraceRecord::ApiRequest {
                at,
                user: self.user?,
                verb: self.verb?,
                resource: self.resource?,
                namespace: self.namespace?,
                name: self.name?,
                code: self.code?,
            }),
            WireType::StoreCommit => Some(TraceRecord::StoreCommit {
                at,
                revision: self.revision?,
                key: self.key?,
                op: self.op?,
            }),
            WireType::WatchDelivery => Some(TraceRecord::WatchDelivery {
                at,
                watch_id: self.watch_id?,
                revision: self.revision?,
                event_type: self.event_type?,
                key: self.key?,
            }),
            WireType::Note => Some(TraceRecord::Note {
                at,
                component: self.component?,
                message: self.message?,
            }),
            WireType::Other => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"{"records":[
        {"type":"apiRequest","at":1735689600001,"user":"kubectl","verb":"create","resource":"deployments","namespace":"default","name":"web","code":201},
        {"type":"storeCommit","at":1735689600001,"revision":7,"key":"/registry/deployments/default/web","op":"Put"},
        {"type":"somethingNew","at":1}
    ],"next":12,"dropped":3}"#;

    #[test]
    fn a_page_appends_its_records_skips_unreadable_ones_and_moves_next() {
        let mut trace = LiveTrace::new();
        assert_eq!(trace.next_path(), "/kubeplay/v1/trace?since=0&tail=2000");
        assert_eq!(trace.apply_page(PAGE), Ok(2));
        assert_eq!(trace.len(), 2);
        assert_eq!(trace.kept(), 2);
        assert_eq!(trace.dropped(), 3);
        assert_eq!(trace.next_path(), "/kubeplay/v1/trace?since=12&tail=2000");
        assert!(matches!(
            trace.records().next(),
            Some(TraceRecord::ApiRequest { code: 201, .. })
        ));
    }

    #[test]
    fn only_kinds_the_newest_records_committed_are_named() {
        let mut trace = LiveTrace::new();
        assert_eq!(trace.apply_page(PAGE), Ok(2));
        let kinds = [Kind::Deployment, Kind::Service, Kind::ReplicaSet];
        assert_eq!(trace.kinds_committed_in_last(2, &kinds), [Kind::Deployment]);
        assert!(trace.kinds_committed_in_last(0, &kinds).is_empty());
        let page = r#"{"records":[{"type":"storeCommit","at":2,"revision":8,"key":"/registry/services/specs/default/web","op":"Put"}],"next":13}"#;
        assert_eq!(trace.apply_page(page), Ok(1));
        assert_eq!(trace.kinds_committed_in_last(1, &kinds), [Kind::Service]);
    }

    #[test]
    fn only_the_newest_records_are_kept_but_all_are_counted() {
        let mut trace = LiveTrace::new();
        let record = r#"{"type":"note","at":1,"component":"kubelet","message":"m"}"#;
        let records = vec![record; LIVE_TRACE_KEPT + 10].join(",");
        let page = format!(
            r#"{{"records":[{records}],"next":{}}}"#,
            LIVE_TRACE_KEPT + 10
        );
        assert_eq!(trace.apply_page(&page), Ok(LIVE_TRACE_KEPT + 10));
        assert_eq!(trace.kept(), LIVE_TRACE_KEPT);
        assert_eq!(trace.len(), (LIVE_TRACE_KEPT + 10) as u64);
    }

    #[test]
    fn a_page_longer_than_what_is_kept_decodes_only_its_newest_records() {
        let mut trace = LiveTrace::new();
        let total = LIVE_TRACE_KEPT + 3;
        let records: Vec<String> = (0..total)
            .map(|i| format!(r#"{{"type":"note","at":1,"component":"kubelet","message":"m{i}"}}"#))
            .collect();
        let page = format!(
            r#"{{"records":[{}],"next":{total},"dropped":5}}"#,
            records.join(",")
        );
        assert_eq!(trace.apply_page(&page), Ok(total));
        assert_eq!(trace.len(), total as u64);
        assert_eq!(trace.kept(), LIVE_TRACE_KEPT);
        assert_eq!(trace.dropped(), 5);
        let message = |record: Option<&TraceRecord>| match record {
            Some(TraceRecord::Note { message, .. }) => message.clone(),
            other => format!("{other:?}"),
        };
        assert_eq!(message(trace.records().next()), "m3");
        assert_eq!(
            message(trace.records().next_back()),
            format!("m{}", total - 1)
        );
        // The next page asks only for the newest records after it.
        assert_eq!(
            trace.next_path(),
            format!("/kubeplay/v1/trace?since={total}&tail={LIVE_TRACE_PAGE}")
        );
    }

    #[test]
    fn every_record_type_reads_back_as_the_core_wrote_it() {
        let records = vec![
            TraceRecord::ApiRequest {
                at: Timestamp::from_millis(5),
                user: "kubelet/node-1".to_string(),
                verb: "patch".to_string(),
                resource: "pods/status".to_string(),
                namespace: "default".to_string(),
                name: "web-\"1\"".to_string(),
                code: 200,
            },
            TraceRecord::StoreCommit {
                at: Timestamp::from_millis(6),
                revision: 9,
                key: "/registry/pods/default/web-1".to_string(),
                op: StoreOp::Delete,
            },
            TraceRecord::WatchDelivery {
                at: Timestamp::from_millis(7),
                watch_id: 3,
                revision: 9,
                event_type: "DELETED".to_string(),
                key: "/registry/pods/default/web-1".to_string(),
            },
            TraceRecord::Note {
                at: Timestamp::from_millis(8),
                component: "kube-scheduler".to_string(),
                message: "ünïcode ✓".to_string(),
            },
        ];
        let page = serde_json::json!({ "records": records, "next": 4, "dropped": 0 }).to_string();
        // The flat read takes each record (nothing for the slower one to do).
        for record in &records {
            let text = serde_json::to_string(record).unwrap_or_default();
            assert!(serde_json::from_str::<WireRecord>(&text).is_ok(), "{text}");
        }
        let mut trace = LiveTrace::new();
        assert_eq!(trace.apply_page(&page), Ok(4));
        assert_eq!(trace.records().cloned().collect::<Vec<_>>(), records);
    }

    #[test]
    fn a_record_lacking_a_field_is_skipped_and_an_odd_field_does_not_lose_the_page() {
        // storeCommit without its op; apiRequest without its code.
        let missing = r#"{"records":[
            {"type":"storeCommit","at":1,"revision":7,"key":"/registry/pods/default/a"},
            {"type":"apiRequest","at":1,"user":"u","verb":"get","resource":"pods","namespace":"","name":""},
            {"type":"note","at":2,"component":"c","message":"kept"}
        ],"next":3}"#;
        let mut trace = LiveTrace::new();
        assert_eq!(trace.apply_page(missing), Ok(1));
        // A field of another type (a newer server) fails the one-pass read: the page is read
        // record by record and only that record is skipped.
        let odd = r#"{"records":[
            {"type":"somethingNew","at":"soon"},
            {"type":"note","at":3,"component":"c","message":"also kept"}
        ],"next":5,"dropped":"many"}"#;
        assert!(
            serde_json::from_str::<WireRecord>(r#"{"type":"somethingNew","at":"soon"}"#).is_err()
        );
        assert_eq!(trace.apply_page(odd), Ok(1));
        assert_eq!(trace.len(), 2);
        assert_eq!(trace.dropped(), 0);
        assert_eq!(trace.next_path(), "/kubeplay/v1/trace?since=5&tail=2000");
    }

    #[test]
    fn answers_that_are_not_pages_are_errors_and_change_nothing() {
        let mut trace = LiveTrace::new();
        for body in ["", "nope", "{}", r#"{"records":[]}"#, r#"{"next":3}"#] {
            assert!(trace.apply_page(body).is_err(), "{body}");
        }
        assert_eq!(trace.len(), 0);
        assert_eq!(trace.next_path(), "/kubeplay/v1/trace?since=0&tail=2000");
    }

    #[test]
    fn a_page_decoded_in_slices_appends_what_decoding_it_at_once_does() {
        let records: Vec<String> = (0..LIVE_TRACE_KEPT + 25)
            .map(|i| match i % 4 {
                0 => format!(r#"{{"type":"note","at":{i},"component":"kubelet","message":"m{i}"}}"#),
                1 => format!(r#"{{"type":"storeCommit","at":{i},"revision":{i},"key":"/registry/services/specs/default/s{i}","op":"Put"}}"#),
                2 => format!(r#"{{"type":"somethingNew","at":"{i}"}}"#),
                _ => format!(r#"{{"type":"watchDelivery","at":{i},"watchId":3,"revision":{i},"eventType":"ADDED","key":"/registry/pods/default/p{i}"}}"#),
            })
            .collect();
        let body = format!(
            r#"{{"records":[{}],"next":9000,"dropped":7}}"#,
            records.join(",")
        );
        let mut whole = LiveTrace::new();
        let appended = whole.apply_page(&body);
        let mut sliced = LiveTrace::new();
        let mut page = TracePage::read(&body).expect("a page");
        assert_eq!(page.raw.len(), LIVE_TRACE_KEPT + 25);
        let (mut calls, mut count) = (0, 0);
        while !page.decode_some(|| {
            count += 1;
            count % 97 == 0
        }) {
            calls += 1;
        }
        assert_eq!(calls, LIVE_TRACE_KEPT / 97);
        assert_eq!(Ok(sliced.append(page)), appended);
        assert_eq!(
            (
                sliced.len(),
                sliced.kept(),
                sliced.dropped(),
                sliced.next_path()
            ),
            (
                whole.len(),
                whole.kept(),
                whole.dropped(),
                whole.next_path()
            )
        );
        assert_eq!(
            sliced.records().collect::<Vec<_>>(),
            whole.records().collect::<Vec<_>>()
        );
        // Three of every four kept records read (one type is unknown: skipped), the oldest 25
        // only counted.
        assert_eq!(whole.kept(), LIVE_TRACE_KEPT / 4 * 3);
        assert_eq!(whole.len(), 25 + (LIVE_TRACE_KEPT / 4 * 3) as u64);
    }
}
