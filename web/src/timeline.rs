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

/// Where a windowed list stands: how far its box is scrolled and how big the box and a row are
/// (CSS pixels). A windowed list puts only the rows its box shows (plus a few around them) in
/// the page; row `i` sits at `i × row_height`, and the list's full height keeps the scrollbar
/// right.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Viewport {
    /// The box's `scrollTop`.
    pub scroll_top: f64,
    /// The box's inner height (`clientHeight`) when it is as tall as it gets.
    pub box_height: f64,
    /// One row's height; positive.
    pub row_height: f64,
}

impl Viewport {
    /// The row at the top of the box: the first one at least partly visible, or `count` for an
    /// empty list. A scroll position beyond the end (the list shrank since the box scrolled)
    /// counts as scrolled to the end.
    pub fn first_visible(&self, count: usize) -> usize {
        let row = self.row_height();
        let scroll = self.scroll_top(count);
        // Truncation is the floor here: `scroll` is finite, >= 0 and at most `count × row`.
        ((scroll / row) as usize).min(count)
    }

    /// The rows to put in the page: those the box shows, with `overscan` rows more on each
    /// side (so a short scroll shows rows that are already there), as `start..end` indexes
    /// into a list of `count` rows.
    pub fn window(&self, overscan: usize, count: usize) -> std::ops::Range<usize> {
        if count == 0 {
            return 0..0;
        }
        let row = self.row_height();
        let scroll = self.scroll_top(count);
        let first = self.first_visible(count);
        let height = if self.box_height.is_finite() {
            self.box_height.max(0.0)
        } else {
            0.0
        };
        // The row the box's bottom edge falls in; one row at least, even in a box of no height.
        let bottom = (((scroll + height) / row).ceil() as usize).clamp(first + 1, count);
        first.saturating_sub(overscan)..bottom.saturating_add(overscan).min(count)
    }

    /// `scroll_top` made usable: finite, not negative and no further than the last box-full
    /// of a list of `count` rows.
    fn scroll_top(&self, count: usize) -> f64 {
        if !self.scroll_top.is_finite() {
            return 0.0;
        }
        let height = if self.box_height.is_finite() {
            self.box_height.max(0.0)
        } else {
            0.0
        };
        let end = (count as f64 * self.row_height() - height).max(0.0);
        self.scroll_top.clamp(0.0, end)
    }

    /// `row_height` made usable: a positive, finite number (1 pixel otherwise).
    fn row_height(&self) -> f64 {
        if self.row_height.is_finite() && self.row_height > 0.0 {
            self.row_height
        } else {
            1.0
        }
    }
}

/// How many rows to compare when looking for a row again in a new list (two lists can hold
/// the same row text at the same time; three in a row are far less likely to repeat).
const ANCHOR_ROWS: usize = 3;

/// Where the row at `index` of `old` (and the ones after it) is in `new`: the index that keeps
/// the row a reader looks at in place when the list changes under them (newer rows came in on
/// top, or the simulation went back in time and dropped the newest). `None` when the row is
/// gone or `index` is out of `old`. The nearest match to `index` wins.
pub fn find_again(old: &[TimelineRow], index: usize, new: &[TimelineRow]) -> Option<usize> {
    let wanted = old.get(index..)?;
    let wanted = wanted.get(..ANCHOR_ROWS.min(wanted.len()))?;
    let first = wanted.first()?;
    // The rows from `at` on are the wanted ones (as far as the new list goes: the oldest can
    // have fallen off its end).
    let matches = |at: usize| {
        new.get(at..)
            .is_some_and(|rest| rest.iter().zip(wanted).all(|(a, b)| a == b))
    };
    // Newer rows come in on top, so the row most often moved down: look there first, then up.
    let is_it = |at: &usize| new.get(*at) == Some(first) && matches(*at);
    let below = (index..new.len()).find(is_it);
    let above = (0..index.min(new.len())).rev().find(is_it);
    match (below, above) {
        (Some(b), Some(a)) => Some(if b - index <= index - a { b } else { a }),
        (found, None) | (None, found) => found,
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

    fn viewport(scroll_top: f64, box_height: f64) -> Viewport {
        Viewport {
            scroll_top,
            box_height,
            row_height: 20.0,
        }
    }

    #[test]
    fn the_window_holds_the_rows_the_box_shows_and_the_overscan() {
        // A 100 px box over 20 px rows shows 5 rows; 2 more on each side.
        assert_eq!(viewport(0.0, 100.0).window(2, 200), 0..7);
        // Scrolled to row 10 exactly: rows 10..15 visible.
        assert_eq!(viewport(200.0, 100.0).window(2, 200), 8..17);
        // Half a row further: row 10 is half visible, row 15 half visible.
        assert_eq!(viewport(210.0, 100.0).first_visible(200), 10);
        assert_eq!(viewport(210.0, 100.0).window(2, 200), 8..18);
        assert_eq!(viewport(210.0, 100.0).window(0, 200), 10..16);
    }

    #[test]
    fn the_window_of_an_empty_list_is_empty() {
        assert_eq!(viewport(0.0, 100.0).window(4, 0), 0..0);
        assert_eq!(viewport(500.0, 100.0).window(4, 0), 0..0);
        assert_eq!(viewport(500.0, 100.0).first_visible(0), 0);
    }

    #[test]
    fn a_short_list_is_all_in_the_window() {
        assert_eq!(viewport(0.0, 352.0).window(4, 3), 0..3);
    }

    #[test]
    fn scrolled_past_the_end_of_a_list_that_shrank_shows_its_last_rows() {
        // The box was at row 150 of 200; the filter left 20 rows (400 px, box 100 px).
        let v = viewport(3000.0, 100.0);
        assert_eq!(v.first_visible(20), 15);
        assert_eq!(v.window(2, 20), 13..20);
        // Fewer rows than the box holds: from the top.
        assert_eq!(v.window(2, 3), 0..3);
        assert_eq!(v.first_visible(3), 0);
    }

    #[test]
    fn a_tiny_or_odd_box_still_shows_a_row() {
        // No height at all (not laid out yet): the top row and the overscan.
        assert_eq!(viewport(0.0, 0.0).window(0, 50), 0..1);
        assert_eq!(viewport(400.0, 0.0).window(1, 50), 19..22);
        // A box smaller than a row.
        assert_eq!(viewport(10.0, 5.0).window(0, 50), 0..1);
        // Nonsense numbers from a page that is not laid out read as "at the top".
        let odd = Viewport {
            scroll_top: f64::NAN,
            box_height: f64::INFINITY,
            row_height: 0.0,
        };
        assert_eq!(odd.first_visible(10), 0);
        assert_eq!(odd.window(2, 10), 0..1 + 2);
        assert_eq!(viewport(-50.0, 100.0).window(0, 50), 0..5);
    }

    #[test]
    fn the_window_never_ends_past_the_list() {
        for count in 0..40 {
            for scroll in [0.0, 15.0, 100.0, 390.0, 799.0, 5000.0] {
                let window = viewport(scroll, 100.0).window(3, count);
                assert!(
                    window.start <= window.end && window.end <= count,
                    "{count} {scroll}"
                );
                if count > 0 {
                    assert!(window.end > window.start, "{count} {scroll}");
                }
            }
        }
    }

    fn numbered(range: std::ops::Range<u64>) -> Vec<TimelineRow> {
        range
            .rev()
            .map(|n| TimelineRow {
                at: at(n),
                kind: RecordKind::Notes,
                component: "c".to_string(),
                text: format!("row {n}"),
            })
            .collect()
    }

    #[test]
    fn a_row_is_found_again_below_when_newer_rows_came_in_on_top() {
        let old = numbered(0..100); // newest first: "row 99" at index 0
        let new = numbered(0..130);
        assert_eq!(find_again(&old, 0, &new), Some(30));
        assert_eq!(find_again(&old, 40, &new), Some(70));
        // The list keeps its newest 100: the oldest rows fell off the end.
        let capped = &new[..100];
        assert_eq!(find_again(&old, 69, capped), Some(99));
        assert_eq!(find_again(&old, 70, capped), None);
    }

    #[test]
    fn a_row_is_found_again_above_after_a_travel_back_in_time() {
        let old = numbered(0..100);
        let new = numbered(0..60); // the 40 newest rows are gone
        assert_eq!(find_again(&old, 50, &new), Some(10));
        assert_eq!(find_again(&old, 10, &new), None);
    }

    #[test]
    fn finding_a_row_again_needs_the_rows_after_it_too() {
        let mut old = numbered(0..10);
        let mut new = numbered(0..10);
        // The same text twice: only the run of rows tells them apart.
        old[7].text = "same".to_string();
        new[2].text = "same".to_string();
        new[7].text = "same".to_string();
        assert_eq!(find_again(&old, 7, &new), Some(7));
        assert_eq!(find_again(&old, 0, &[]), None);
        assert_eq!(find_again(&[], 0, &new), None);
        assert_eq!(find_again(&old, 10, &new), None);
        // The last rows of a list: fewer than three to compare.
        assert_eq!(find_again(&old, 9, &new), Some(9));
    }
}
