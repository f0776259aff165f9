//! The ordered event queue that drives a simulation: [`EventQueue`].
//!
//! Components ask for work at a later time (a pod's container finishes starting in 800 ms, a
//! controller wants to resync in 30 s); the host schedules those as events at a [`Timestamp`].
//! The host's loop pops the next event, moves the [`VirtualClock`] to its time and hands the
//! event to whoever asked for it ([`EventQueue::pop_next_advancing`] does the first two steps).
//! Events due at the same instant come out in the order they were scheduled, so the order never
//! depends on anything but the inputs. A scheduled event can be cancelled by its [`EventId`].
//! The queue holds at most a fixed number of events, so a runaway component fails loudly
//! instead of exhausting memory.

use super::clock::{Timestamp, VirtualClock};
use std::collections::BTreeMap;

/// How many events a queue holds unless told otherwise.
pub const DEFAULT_EVENT_LIMIT: usize = 1 << 20;

/// Why an event could not be scheduled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueueError {
    /// The queue already holds its limit of pending events.
    #[error("the event queue is full ({limit} pending events); a component is scheduling events faster than they come due")]
    Full {
        /// The queue's limit.
        limit: usize,
    },
}

/// Names one scheduled event, for cancelling it. Ids are never reused within a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventId(u64);

impl EventId {
    /// The event's insertion sequence number (0 for the first event a queue scheduled).
    pub fn sequence(self) -> u64 {
        self.0
    }
}

/// An event taken off the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledEvent<E> {
    /// When it was due.
    pub at: Timestamp,
    /// Its id, as [`EventQueue::schedule`] returned it.
    pub id: EventId,
    /// The event itself.
    pub event: E,
}

/// Events ordered by due time, then by the order they were scheduled in.
#[derive(Debug, Clone)]
pub struct EventQueue<E> {
    /// Pending events by (due time, insertion sequence): iteration order is pop order.
    pending: BTreeMap<(Timestamp, EventId), E>,
    /// Due time of each pending event, so cancelling does not scan.
    due_by_id: BTreeMap<EventId, Timestamp>,
    next_sequence: u64,
    limit: usize,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue::new()
    }
}

impl<E> EventQueue<E> {
    /// An empty queue holding at most [`DEFAULT_EVENT_LIMIT`] events.
    pub fn new() -> Self {
        EventQueue::with_limit(DEFAULT_EVENT_LIMIT)
    }

    /// An empty queue holding at most `limit` events.
    pub fn with_limit(limit: usize) -> Self {
        EventQueue {
            pending: BTreeMap::new(),
            due_by_id: BTreeMap::new(),
            next_sequence: 0,
            limit,
        }
    }

    /// Schedules `event` at `at`. An event scheduled in the past is simply due at once.
    pub fn schedule(&mut self, at: Timestamp, event: E) -> Result<EventId, QueueError> {
        if self.pending.len() >= self.limit {
            return Err(QueueError::Full { limit: self.limit });
        }
        let id = EventId(self.next_sequence);
        self.next_sequence += 1;
        self.pending.insert((at, id), event);
        self.due_by_id.insert(id, at);
        Ok(id)
    }

    /// Removes a pending event and returns it; `None` if it already ran or was cancelled.
    pub fn cancel(&mut self, id: EventId) -> Option<E> {
        let at = self.due_by_id.remove(&id)?;
        self.pending.remove(&(at, id))
    }

    /// When the next event is due, if any.
    pub fn peek_time(&self) -> Option<Timestamp> {
        self.pending.keys().next().map(|&(at, _)| at)
    }

    /// Takes the next event whatever its time (the host then moves its clock there).
    pub fn pop_next(&mut self) -> Option<ScheduledEvent<E>> {
        let ((at, id), event) = self.pending.pop_first()?;
        self.due_by_id.remove(&id);
        Some(ScheduledEvent { at, id, event })
    }

    /// Takes the next event if it is due at or before `now`.
    pub fn pop_due(&mut self, now: Timestamp) -> Option<ScheduledEvent<E>> {
        if self.peek_time()? > now {
            return None;
        }
        self.pop_next()
    }

    /// Takes the next event and moves `clock` to its time. An event that was scheduled in the
    /// past leaves the clock where it is: simulated time never goes back.
    pub fn pop_next_advancing(&mut self, clock: &mut VirtualClock) -> Option<ScheduledEvent<E>> {
        let next = self.pop_next()?;
        if next.at > clock.now() {
            // Cannot fail: the time is later than the clock's.
            let _ = clock.advance_to(next.at);
        }
        Some(next)
    }

    /// Whether `id` is still pending.
    pub fn contains(&self, id: EventId) -> bool {
        self.due_by_id.contains_key(&id)
    }

    /// How many events are pending.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// Whether no events are pending.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// The most events this queue holds.
    pub fn limit(&self) -> usize {
        self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::clock::SIMULATION_EPOCH;
    use std::time::Duration;

    fn at(ms: u64) -> Timestamp {
        SIMULATION_EPOCH + Duration::from_millis(ms)
    }

    fn drain(queue: &mut EventQueue<&'static str>) -> Vec<&'static str> {
        std::iter::from_fn(|| queue.pop_next().map(|next| next.event)).collect()
    }

    #[test]
    fn events_come_out_in_time_order() {
        let mut queue = EventQueue::new();
        for (ms, name) in [(30, "c"), (10, "a"), (20, "b")] {
            assert!(queue.schedule(at(ms), name).is_ok());
        }
        assert_eq!(queue.peek_time(), Some(at(10)));
        assert_eq!(drain(&mut queue), ["a", "b", "c"]);
        assert!(queue.is_empty());
    }

    #[test]
    fn events_due_at_the_same_time_come_out_in_scheduling_order() {
        let mut queue = EventQueue::new();
        for name in ["first", "second", "third"] {
            assert!(queue.schedule(at(5), name).is_ok());
        }
        assert!(queue.schedule(at(1), "earliest").is_ok());
        assert_eq!(drain(&mut queue), ["earliest", "first", "second", "third"]);
    }

    #[test]
    fn cancelled_events_never_come_out() {
        let mut queue = EventQueue::new();
        let keep = queue.schedule(at(1), "keep");
        let drop = queue.schedule(at(2), "drop");
        let (Ok(keep), Ok(drop)) = (keep, drop) else {
            panic!("scheduling into an empty queue failed");
        };
        assert_eq!(queue.cancel(drop), Some("drop"));
        assert_eq!(queue.cancel(drop), None);
        assert!(!queue.contains(drop));
        assert!(queue.contains(keep));
        assert_eq!(queue.len(), 1);
        assert_eq!(drain(&mut queue), ["keep"]);
        assert_eq!(queue.cancel(keep), None);
    }

    #[test]
    fn pop_due_leaves_future_events_in_place() {
        let mut queue = EventQueue::new();
        assert!(queue.schedule(at(100), "later").is_ok());
        assert!(queue.schedule(at(10), "soon").is_ok());
        assert_eq!(queue.pop_due(at(50)).map(|next| next.event), Some("soon"));
        assert_eq!(queue.pop_due(at(50)), None);
        assert_eq!(queue.pop_due(at(100)).map(|next| next.event), Some("later"));
        assert_eq!(queue.pop_due(at(1_000)), None);
    }

    #[test]
    fn pop_next_advancing_moves_the_clock_forward_but_never_back() {
        let mut queue = EventQueue::new();
        let mut clock = VirtualClock::new(at(50));
        assert!(queue.schedule(at(80), "future").is_ok());
        assert!(queue.schedule(at(20), "overdue").is_ok());
        let overdue = queue.pop_next_advancing(&mut clock);
        assert_eq!(
            overdue.map(|next| (next.at, next.event)),
            Some((at(20), "overdue"))
        );
        assert_eq!(clock.now(), at(50));
        let future = queue.pop_next_advancing(&mut clock);
        assert_eq!(future.map(|next| next.event), Some("future"));
        assert_eq!(clock.now(), at(80));
        assert_eq!(queue.pop_next_advancing(&mut clock), None);
    }

    #[test]
    fn a_full_queue_refuses_new_events_until_one_leaves() {
        let mut queue = EventQueue::with_limit(2);
        assert!(queue.schedule(at(1), "a").is_ok());
        assert!(queue.schedule(at(2), "b").is_ok());
        assert_eq!(
            queue.schedule(at(3), "c"),
            Err(QueueError::Full { limit: 2 })
        );
        assert!(queue.pop_next().is_some());
        assert!(queue.schedule(at(3), "c").is_ok());
    }

    #[test]
    fn event_ids_are_never_reused() {
        let mut queue = EventQueue::new();
        let first = queue.schedule(at(1), "a");
        assert!(queue.pop_next().is_some());
        let second = queue.schedule(at(1), "b");
        assert_ne!(first, second);
        assert_eq!(second.map(EventId::sequence), Ok(1));
    }
}
