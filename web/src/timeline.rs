//! The timeline: the trace as rows the learner can filter, each at its virtual time.
//!
//! [`rows`] turns the world's recent [`TraceRecord`]s into [`TimelineRow`]s (newest first, at
//! most a page of them) that pass a [`TimelineFilter`]: by kind of record and by a text that
//! must occur in the row's component/user or text. Clicking a row's time moves the clock there
//! ([`crate::playground::Playground::travel_to`]).

use kubeplay_core::sim::clock::{Timestamp, SIM_EPOCH};
use kubeplay_core::sim::trace::{StoreOp, TraceRecord};

/// Which kinds of record the timeline shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordKind {
    /// Every record.
    All,
    /// API requests.
    Requests,
    /// Store commits.
    Commits,
    /// Watch deliveries.
    Watches,
    /// Components' notes.
    Notes,
}

impl RecordKind {
    /// Every choice, in the order the filter shows them.
    pub const ALL: [RecordKind; 5] = [
        RecordKind::All,
        RecordKind::Requests,
        RecordKind::Commits,
        RecordKind::Watches,
        RecordKind::Notes,
    ];

    fn of(record: &TraceRecord) -> RecordKind {
        match record {
            TraceRecord::ApiRequest { .. } => RecordKind::Requests,
            TraceRecord::StoreCommit { .. } => RecordKind::Commits,
            TraceRecord::WatchDelivery { .. } => RecordKind::Watches,
            TraceRecord::Note { .. } => RecordKind::Notes,
        }
    }
}

/// The timeline's filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimelineFilter {
    /// Which kind of record.
    pub kind: RecordKind,
    /// Text that must occur in the row's component or text (case-insensitive); empty for any.
    pub text: String,
}

impl Default for TimelineFilter {
    fn default() -> TimelineFilter {
        TimelineFilter {
            kind: RecordKind::All,
            text: String::new(),
        }
    }
}

/// One row of the timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimelineRow {
    /// When it happened.
    pub at: Timestamp,
    /// What kind of record.
    pub kind: RecordKind,
    /// Who: the requesting user, `etcd`, the watch id, or the component.
    pub component: String,
    /// What: `create pods default/web-…  201`, `PUT /registry/… @42`, …
    pub text: String,
}

/// The newest rows (at most `limit`) that pass the filter, newest first.
pub fn rows<'a>(
    records: impl DoubleEndedIterator<Item = &'a TraceRecord>,
    filter: &TimelineFilter,
    limit: usize,
) -> Vec<TimelineRow> {
    let needle = filter.text.to_lowercase();
    records
        .rev()
        .filter(|record| filter.kind == RecordKind::All || RecordKind::of(record) == filter.kind)
        .map(row)
        .filter(|row| {
            needle.is_empty()
                || row.component.to_lowercase().contains(&needle)
                || row.text.to_lowercase().contains(&needle)
        })
        .take(limit)
        .collect()
}

fn row(record: &TraceRecord) -> TimelineRow {
    let kind = RecordKind::of(record);
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
            let target = match (namespace.is_empty(), name.is_empty()) {
                (true, true) => String::new(),
                (true, false) => name.clone(),
                (false, true) => format!("{namespace}/"),
                (false, false) => format!("{namespace}/{name}"),
            };
            TimelineRow {
                at: *at,
                kind,
                component: user.clone(),
                text: format!("{verb} {resource} {target} → {code}"),
            }
        }
        TraceRecord::StoreCommit {
            at,
            revision,
            key,
            op,
        } => TimelineRow {
            at: *at,
            kind,
            component: "etcd".to_string(),
            text: format!(
                "{} {key} @{revision}",
                match op {
                    StoreOp::Put => "PUT",
                    StoreOp::Delete => "DELETE",
                }
            ),
        },
        TraceRecord::WatchDelivery {
            at,
            watch_id,
            revision,
            event_type,
            key,
        } => TimelineRow {
            at: *at,
            kind,
            component: format!("watch #{watch_id}"),
            text: format!("{event_type} {key} @{revision}"),
        },
        TraceRecord::Note {
            at,
            component,
            message,
        } => TimelineRow {
            at: *at,
            kind,
            component: component.clone(),
            text: message.clone(),
        },
    }
}

/// A virtual time as the time since the simulation started: `+1:02.345`.
pub fn since_start(at: Timestamp) -> String {
    let ms = at.as_millis().saturating_sub(SIM_EPOCH.as_millis());
    let minutes = ms / 60_000;
    let seconds = (ms % 60_000) / 1_000;
    let millis = ms % 1_000;
    format!("+{minutes}:{seconds:02}.{millis:03}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> Timestamp {
        Timestamp::from_millis(SIM_EPOCH.as_millis() + ms)
    }

    fn sample() -> Vec<TraceRecord> {
        vec![
            TraceRecord::ApiRequest {
                at: at(1),
                user: "kubectl".to_string(),
                verb: "create".to_string(),
                resource: "deployments".to_string(),
                namespace: "default".to_string(),
                name: "web".to_string(),
                code: 201,
            },
            TraceRecord::StoreCommit {
                at: at(1),
                revision: 7,
                key: "/registry/deployments/default/web".to_string(),
                op: StoreOp::Put,
            },
            TraceRecord::Note {
                at: at(2),
                component: "kube-scheduler".to_string(),
                message: "bound default/web-1 to node-2".to_string(),
            },
        ]
    }

    #[test]
    fn rows_come_newest_first_and_filter_by_kind() {
        let records = sample();
        let all = rows(records.iter(), &TimelineFilter::default(), 10);
        let kinds: Vec<_> = all.iter().map(|r| r.kind).collect();
        assert_eq!(
            kinds,
            [RecordKind::Notes, RecordKind::Commits, RecordKind::Requests]
        );
        let filter = TimelineFilter {
            kind: RecordKind::Commits,
            text: String::new(),
        };
        let commits = rows(records.iter(), &filter, 10);
        assert_eq!(commits.len(), 1);
        assert_eq!(
            commits.first().map(|r| r.text.as_str()),
            Some("PUT /registry/deployments/default/web @7")
        );
    }

    #[test]
    fn the_text_filter_matches_component_or_text_ignoring_case() {
        let records = sample();
        for (text, expected) in [("SCHEDULER", 1), ("web", 3), ("kubectl", 1), ("zzz", 0)] {
            let filter = TimelineFilter {
                kind: RecordKind::All,
                text: text.to_string(),
            };
            assert_eq!(rows(records.iter(), &filter, 10).len(), expected, "{text}");
        }
    }

    #[test]
    fn the_limit_keeps_the_newest_rows() {
        let records = sample();
        let newest = rows(records.iter(), &TimelineFilter::default(), 1);
        assert_eq!(newest.first().map(|r| r.at), Some(at(2)));
    }

    #[test]
    fn times_read_as_minutes_seconds_and_milliseconds_since_the_start() {
        assert_eq!(since_start(at(0)), "+0:00.000");
        assert_eq!(since_start(at(62_345)), "+1:02.345");
    }
}
