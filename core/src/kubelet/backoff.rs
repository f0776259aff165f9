//! Exponential back-off per key, as client-go's `flowcontrol.Backoff` keeps it for the
//! kubelet: image pulls (`<pod uid>_<image>`) and container restarts
//! (`<pod>_<namespace>_<uid>_<container>`), starting at 10 s and doubling to 5 min. An entry
//! not touched for twice the maximum (10 min) starts over.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::sim::clock::Timestamp;

/// The kubelet's initial back-off (`backOffPeriod`).
pub const INITIAL_BACKOFF: Duration = Duration::from_secs(10);
/// The kubelet's maximum back-off (`MaxContainerBackOff`).
pub const MAX_BACKOFF: Duration = Duration::from_secs(300);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    delay: Duration,
    last_update: Timestamp,
}

/// Back-off delays per key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    entries: BTreeMap<String, Entry>,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::new(INITIAL_BACKOFF, MAX_BACKOFF)
    }
}

impl Backoff {
    /// A back-off starting at `initial`, doubling up to `max`.
    pub fn new(initial: Duration, max: Duration) -> Backoff {
        Backoff {
            initial,
            max,
            entries: BTreeMap::new(),
        }
    }

    fn expired(&self, event_time: Timestamp, entry: &Entry) -> bool {
        event_time.since(entry.last_update) > self.max * 2
    }

    /// Records a failure at `event_time`: the first (or first after a long quiet) gets the
    /// initial delay, each later one twice the previous, capped at the maximum.
    pub fn next(&mut self, key: &str, event_time: Timestamp) {
        let delay = match self.entries.get(key) {
            Some(entry) if !self.expired(event_time, entry) => (entry.delay * 2).min(self.max),
            _ => self.initial,
        };
        self.entries.insert(
            key.to_string(),
            Entry {
                delay,
                last_update: event_time,
            },
        );
    }

    /// The current delay of a key (zero when it has none).
    pub fn get(&self, key: &str) -> Duration {
        self.entries.get(key).map_or(Duration::ZERO, |e| e.delay)
    }

    /// Whether `now` is still within the delay counted from `event_time` (a container's
    /// finish time).
    pub fn is_in_backoff_since(&self, key: &str, event_time: Timestamp, now: Timestamp) -> bool {
        match self.entries.get(key) {
            Some(entry) if !self.expired(now, entry) => now.since(event_time) < entry.delay,
            _ => false,
        }
    }

    /// Whether `now` is still within the delay counted from the last failure.
    pub fn is_in_backoff_since_update(&self, key: &str, now: Timestamp) -> bool {
        match self.entries.get(key) {
            Some(entry) if !self.expired(now, entry) => now.since(entry.last_update) < entry.delay,
            _ => false,
        }
    }

    /// When the back-off of a key counted from the last failure ends.
    pub fn ends_after_update(&self, key: &str) -> Option<Timestamp> {
        self.entries.get(key).map(|e| e.last_update.plus(e.delay))
    }

    /// Forgets a key.
    pub fn remove(&mut self, key: &str) {
        self.entries.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::clock::SIM_EPOCH;

    #[test]
    fn delays_double_from_ten_seconds_to_five_minutes() {
        let mut backoff = Backoff::default();
        let mut delays = Vec::new();
        for i in 0..8 {
            backoff.next("k", SIM_EPOCH.plus(Duration::from_secs(i)));
            delays.push(backoff.get("k").as_secs());
        }
        assert_eq!(delays, [10, 20, 40, 80, 160, 300, 300, 300]);
    }

    #[test]
    fn ten_quiet_minutes_reset_the_delay() {
        let mut backoff = Backoff::default();
        backoff.next("k", SIM_EPOCH);
        backoff.next("k", SIM_EPOCH);
        assert_eq!(backoff.get("k"), Duration::from_secs(20));
        backoff.next("k", SIM_EPOCH.plus(Duration::from_secs(601)));
        assert_eq!(backoff.get("k"), Duration::from_secs(10));
    }
}
