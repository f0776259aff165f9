//! Live mode's work in slices of a few milliseconds, so that no task of the page's main
//! thread runs long while a big cluster churns.
//!
//! A busy summary stream delivers thousands of lines at once: the browser queues the chunks
//! that arrived while the page was busy, and a `ReadableStream` read of a queued chunk
//! resolves as a microtask, so without a yield every queued chunk was applied in the one task
//! (up to 0.6 s at 1,000 × 30,000). The driver (`client.rs`, wasm32 only) now applies a stream's
//! buffered lines for at most [`slice_ms`] and then yields to the event loop (rendering,
//! input and the other streams run) before it goes on with the next line: [`take_slice`].
//! The trace poll's records are decoded the same way ([`super::trace::TracePage`]).
//!
//! Order is kept and nothing is dropped: the lines not applied yet stay in the stream's
//! [`LineBuffer`] and are applied, in order, before the next chunk is read. A render is
//! never asked for per slice: lines only [`super::LiveState::touch`], and renders stay
//! throttled by [`super::LiveState::render_due`].

use super::lines::{LineBuffer, LineFlow, Taken};

/// How long one slice of a stream's lines (or of a trace page's records) may run, in ms:
/// well under the 50 ms of a long task, leaving room for the render or input handler that
/// shares its frame.
pub const SLICE_MS: f64 = 8.0;

/// The slice length in use: [`SLICE_MS`], or without end when the page was built with
/// `KUBEPLAY_LIVE_NO_SLICES` set (to measure what slicing changes).
pub fn slice_ms() -> f64 {
    if option_env!("KUBEPLAY_LIVE_NO_SLICES").is_some() {
        f64::INFINITY
    } else {
        SLICE_MS
    }
}

/// One slice of work: when it started and how many lines (or records) it did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Slice {
    /// When it started (`performance.now()` ms).
    pub started: f64,
    /// How many lines or records it did.
    pub lines: usize,
    budget: f64,
}

impl Slice {
    /// A slice starting at `now` with the page's slice length ([`slice_ms`]).
    pub fn start(now: f64) -> Slice {
        Slice::with_budget(now, slice_ms())
    }

    /// A slice starting at `now` that may run `budget` ms.
    pub fn with_budget(now: f64, budget: f64) -> Slice {
        Slice {
            started: now,
            lines: 0,
            budget,
        }
    }

    /// Counts one line done; true when the slice's time is spent. The clock is read after
    /// every line: a read is one `performance.now()` call ([`crate::page_clock`] keeps the
    /// `Performance` object), far less than a line, and a slice of slow lines (a
    /// ReplicaSet's ~3 ms under load) then ends one line past its time, not several (read
    /// every 8 lines, slices of 15 ms were seen).
    pub fn done_one(&mut self, now: impl FnOnce() -> f64) -> bool {
        self.lines += 1;
        now() - self.started >= self.budget
    }
}

/// Applies the lines waiting in `buffer` with `apply` (false: stop the stream) until they are
/// all applied or `slice`'s time is spent ([`Taken::Paused`]: yield to the event loop, start
/// a new slice and call again before reading more of the stream). Lines are applied exactly
/// once and in order, however the slices fall.
pub fn take_slice(
    buffer: &mut LineBuffer,
    slice: &mut Slice,
    mut now: impl FnMut() -> f64,
    mut apply: impl FnMut(&str) -> bool,
) -> Taken {
    buffer.take_lines(|line| {
        if !apply(line) {
            LineFlow::Stop
        } else if slice.done_one(&mut now) {
            LineFlow::Pause
        } else {
            LineFlow::Go
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::mirror::{ObjectMirror, WatchOutcome};
    use super::super::summary::SummaryMirror;
    use super::*;
    use kubeplay_core::api::objects::Kind;

    /// Feeds `text` to a fresh buffer in chunks of `chunk`, applying its lines in slices on a
    /// clock that moves 1 ms per look (so a slice of `budget` ms ends every `budget` lines), as
    /// the driver does: every buffered line before the next chunk. Returns how many slices
    /// paused.
    fn feed_in_slices(
        text: &str,
        chunk: usize,
        budget: f64,
        mut apply: impl FnMut(&str) -> bool,
    ) -> usize {
        let mut buffer = LineBuffer::new();
        let mut clock = 0.0;
        let mut pauses = 0;
        for bytes in text.as_bytes().chunks(chunk) {
            buffer.extend(bytes);
            let mut slice = Slice::with_budget(clock, budget);
            loop {
                let tick = || {
                    clock += 1.0;
                    clock
                };
                match take_slice(&mut buffer, &mut slice, tick, &mut apply) {
                    Taken::Paused => {
                        pauses += 1;
                        slice = Slice::with_budget(clock, budget);
                    }
                    Taken::Drained => break,
                    // The stream ends here (the driver cancels the read).
                    Taken::Stopped => return pauses,
                }
            }
        }
        pauses
    }

    fn summary_list() -> String {
        let nodes: Vec<String> = (0..4)
            .map(|n| format!(r#"{{"name":"node-{n}","ready":"True","resourceVersion":"1"}}"#))
            .collect();
        let pods: Vec<String> = (0..40)
            .map(|p| {
                format!(
                    r#"{{"namespace":"default","name":"web-{p}","nodeName":"node-{}","status":"Running","resourceVersion":"2"}}"#,
                    p % 4
                )
            })
            .collect();
        format!(
            r#"{{"resourceVersion":"10","nodes":[{}],"pods":[{}]}}"#,
            nodes.join(","),
            pods.join(",")
        )
    }

    /// A churn's summary lines: pods deleted and replaced (pending, then bound, then
    /// running), a node going NotReady and back, bookmarks, an empty line and a bad one.
    fn summary_lines() -> String {
        let mut lines = Vec::new();
        let mut rv = 10;
        let mut next = || {
            rv += 1;
            rv
        };
        for p in 0..40 {
            let r = next();
            lines.push(format!(
                r#"{{"type":"DELETED","pod":{{"namespace":"default","name":"web-{p}","nodeName":"node-{}","status":"Running","resourceVersion":"{r}"}}}}"#,
                p % 4
            ));
            let r = next();
            lines.push(format!(
                r#"{{"type":"ADDED","pod":{{"namespace":"default","name":"new-{p}","status":"Pending","resourceVersion":"{r}"}}}}"#
            ));
            if p % 7 == 0 {
                let r = next();
                lines.push(format!(
                    r#"{{"type":"MODIFIED","node":{{"name":"node-{}","ready":"{}","resourceVersion":"{r}"}}}}"#,
                    p % 4,
                    if p % 14 == 0 { "False" } else { "True" }
                ));
                lines.push(format!(r#"{{"type":"BOOKMARK","resourceVersion":"{r}"}}"#));
                lines.push(String::new());
                lines.push("not json".to_string());
            }
        }
        for p in 0..40 {
            for status in ["ContainerCreating", "Running"] {
                let r = next();
                lines.push(format!(
                    r#"{{"type":"MODIFIED","pod":{{"namespace":"default","name":"new-{p}","nodeName":"node-{}","status":"{status}","resourceVersion":"{r}"}}}}"#,
                    (p + 1) % 4
                ));
            }
        }
        lines.iter().map(|line| format!("{line}\n")).collect()
    }

    /// Everything a summary mirror shows, to compare two of them.
    fn shown(mirror: &SummaryMirror) -> String {
        format!(
            "{} {:?} {:?} {:?} {:?} {:?}",
            mirror.resource_version(),
            mirror.nodes_version(),
            mirror.pod_choices("", None),
            mirror.nodes().collect::<Vec<_>>(),
            mirror.pods().collect::<Vec<_>>(),
            mirror.tiles()
        )
    }

    #[test]
    fn summary_lines_applied_in_slices_leave_the_mirror_of_applying_them_in_one_go() {
        let lines = summary_lines();
        let mut whole = SummaryMirror::new();
        assert_eq!(whole.apply_list(&summary_list()), Ok(()));
        let mut changes = 0;
        for line in lines.lines() {
            if whole.apply_watch_line(line) == Ok(WatchOutcome::Changed) {
                changes += 1;
            }
        }
        assert!(changes > 100, "{changes} changes");
        for chunk in [1, 5, 97, 1_000, lines.len()] {
            for budget in [1.0, 4.0, 1_000.0] {
                let mut sliced = SummaryMirror::new();
                assert_eq!(sliced.apply_list(&summary_list()), Ok(()));
                let mut applied = 0;
                let pauses = feed_in_slices(&lines, chunk, budget, |line| {
                    applied += 1;
                    // An unreadable line is skipped, as the driver does.
                    let _ = sliced.apply_watch_line(line);
                    true
                });
                assert_eq!(applied, lines.lines().count(), "{chunk} {budget}");
                assert_eq!(
                    shown(&sliced),
                    shown(&whole),
                    "chunks {chunk}, slices {budget}"
                );
                if budget == 1.0 && chunk == lines.len() {
                    // One chunk, one line a slice (the pause after the last line finds
                    // nothing left: drained).
                    assert_eq!(pauses, applied - 1);
                }
                if budget == 1_000.0 {
                    assert_eq!(pauses, 0);
                }
            }
        }
    }

    #[test]
    fn a_410_in_the_middle_stops_the_slices_there_and_a_new_list_starts_over() {
        let mut lines = summary_lines();
        let cut = lines.lines().count() / 2;
        let mut with_error: Vec<&str> = lines.lines().collect();
        let error = r#"{"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old resource version"}}"#;
        with_error.insert(cut, error);
        lines = with_error.iter().map(|l| format!("{l}\n")).collect();
        let mut mirror = SummaryMirror::new();
        assert_eq!(mirror.apply_list(&summary_list()), Ok(()));
        let (mut applied, mut gone) = (0, false);
        feed_in_slices(&lines, 300, 2.0, |line| {
            applied += 1;
            if mirror.apply_watch_line(line) == Ok(WatchOutcome::Gone) {
                gone = true;
                return false;
            }
            true
        });
        assert!(gone);
        assert_eq!(applied, cut + 1, "nothing after the 410 was applied");
        // The driver lists again: the list replaces what the half-applied lines left.
        let mut fresh = SummaryMirror::new();
        assert_eq!(fresh.apply_list(&summary_list()), Ok(()));
        assert_eq!(mirror.apply_list(&summary_list()), Ok(()));
        assert_eq!(
            (mirror.resource_version(), mirror.pods().collect::<Vec<_>>()),
            (fresh.resource_version(), fresh.pods().collect::<Vec<_>>())
        );
    }

    #[test]
    fn watch_lines_of_full_objects_applied_in_slices_leave_the_same_mirror() {
        let list = r#"{"items":[],"metadata":{"resourceVersion":"1"}}"#;
        let lines: String = (0..60)
            .map(|i| {
                let (event, rv) = if i % 5 == 4 {
                    ("DELETED", i)
                } else {
                    ("ADDED", i)
                };
                format!(
                    "{{\"type\":\"{event}\",\"object\":{{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"metadata\":{{\"namespace\":\"default\",\"name\":\"rs-{}\",\"resourceVersion\":\"{}\"}}}}}}\n",
                    i % 13,
                    rv + 2
                )
            })
            .collect();
        let mut whole = ObjectMirror::new();
        assert_eq!(whole.apply_list(Kind::ReplicaSet, list), Ok(()));
        for line in lines.lines() {
            assert!(whole.apply_watch_line(Kind::ReplicaSet, line).is_ok());
        }
        let mut sliced = ObjectMirror::new();
        assert_eq!(sliced.apply_list(Kind::ReplicaSet, list), Ok(()));
        let pauses = feed_in_slices(&lines, 2_000, 1.0, |line| {
            assert!(sliced.apply_watch_line(Kind::ReplicaSet, line).is_ok());
            true
        });
        assert!(pauses > 0);
        let names = |mirror: &ObjectMirror| mirror.names(Kind::ReplicaSet, "default");
        assert!(!names(&whole).is_empty());
        assert_eq!(names(&sliced), names(&whole));
        assert_eq!(
            sliced.resource_version(Kind::ReplicaSet),
            whole.resource_version(Kind::ReplicaSet)
        );
    }

    #[test]
    fn a_slice_looks_at_the_clock_after_each_line_and_ends_when_its_time_is_spent() {
        let mut looks = 0;
        let mut slice = Slice::with_budget(100.0, 8.0);
        let mut clock = 100.0;
        let mut ended_at = None;
        for line in 1..=64 {
            clock += 0.5;
            let now = clock;
            if slice.done_one(|| {
                looks += 1;
                now
            }) {
                ended_at = Some(line);
                break;
            }
        }
        // 0.5 ms a line: 8 ms are spent after 16 lines, seen at the look after line 16.
        assert_eq!(ended_at, Some(16));
        assert_eq!(looks, 16);
        assert_eq!(slice.lines, 16);
        assert!(Slice::start(0.0).budget > 0.0);
    }
}
