//! An ordered event queue: events scheduled at a [`Timestamp`] come out in time order, and
//! events at the same instant in the order they were scheduled, so a run never depends on
//! anything but its inputs.

use super::clock::Timestamp;
use std::collections::BTreeMap;

/// The handle of a scheduled event, to cancel it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventId(u64);

/// Events ordered by (time, scheduling order).
#[derive(Clone, Debug)]
pub struct EventQueue<E> {
    events: BTreeMap<(Timestamp, u64), E>,
    next_seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            events: BTreeMap::new(),
            next_seq: 0,
        }
    }
}

impl<E> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> EventQueue<E> {
        EventQueue::default()
    }

    /// Schedules `event` at `at`.
    pub fn schedule(&mut self, at: Timestamp, event: E) -> EventId {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.events.insert((at, seq), event);
        EventId(seq)
    }

    /// Removes a scheduled event; returns it if it was still pending.
    pub fn cancel(&mut self, id: EventId) -> Option<E> {
        let key = self.events.keys().find(|(_, seq)| *seq == id.0).copied()?;
        self.events.remove(&key)
    }

    /// When the next event is due.
    pub fn peek_time(&self) -> Option<Timestamp> {
        self.events.keys().next().map(|(at, _)| *at)
    }

    /// Takes the next event if it is due at or before `now`.
    pub fn pop_due(&mut self, now: Timestamp) -> Option<(Timestamp, E)> {
        match self.peek_time() {
            Some(at) if at <= now => self.pop_next(),
            _ => None,
        }
    }

    /// Takes the next event, however far in the future.
    pub fn pop_next(&mut self) -> Option<(Timestamp, E)> {
        self.events.pop_first().map(|((at, _), event)| (at, event))
    }

    /// How many events are pending.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether no event is pending.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_come_out_by_time_then_by_scheduling_order() {
        let mut q = EventQueue::new();
        q.schedule(Timestamp(20), "late");
        q.schedule(Timestamp(10), "first");
        q.schedule(Timestamp(10), "second");
        assert_eq!(q.pop_next(), Some((Timestamp(10), "first")));
        assert_eq!(q.pop_next(), Some((Timestamp(10), "second")));
        assert_eq!(q.pop_next(), Some((Timestamp(20), "late")));
        assert_eq!(q.pop_next(), None);
    }

    #[test]
    fn only_due_events_pop_and_cancelled_ones_never_do() {
        let mut q = EventQueue::new();
        let a = q.schedule(Timestamp(5), 'a');
        q.schedule(Timestamp(15), 'b');
        assert_eq!(q.cancel(a), Some('a'));
        assert_eq!(q.cancel(a), None);
        assert_eq!(q.pop_due(Timestamp(10)), None);
        assert_eq!(q.peek_time(), Some(Timestamp(15)));
        assert_eq!(q.pop_due(Timestamp(15)), Some((Timestamp(15), 'b')));
        assert!(q.is_empty());
    }
}
