//! Virtual time: a [`Timestamp`] is milliseconds since the Unix epoch, handed in by the host.
//!
//! A simulation starts at [`SIM_EPOCH`] and moves only when its host advances the
//! [`VirtualClock`]; the node host feeds wall-clock time through the same type.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff;
use std::time::Duration;

/// A point in time: milliseconds since 1970-01-01T00:00:00Z.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Timestamp(pub u64);

/// Where every simulation starts: 2025-01-01T00:00:00Z.
pub const SIM_EPOCH: Timestamp = Timestamp(1_735_689_600_000);

impl Timestamp {
    /// The timestamp `ms` milliseconds after the Unix epoch.
    pub const fn from_millis(ms: u64) -> Timestamp {
        Timestamp(ms)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// This instant plus a duration (saturating at the far future).
    pub fn plus(self, duration: Duration) -> Timestamp {
        let ms = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
        Timestamp(self.0.saturating_add(ms))
    }

    /// How long after `earlier` this instant is (zero if it is not later).
    pub fn since(self, earlier: Timestamp) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }

    /// The Kubernetes `metav1.Time` of this instant (seconds precision on the wire).
    pub fn to_k8s_time(self) -> Time {
        let ms = i64::try_from(self.0).unwrap_or(i64::MAX);
        // Out of jiff's range (past year 9999) only if a host feeds absurd times: clamp.
        let ts = jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::MAX);
        Time(ts)
    }

    /// The timestamp of a Kubernetes `metav1.Time` (before 1970 reads as the epoch).
    pub fn from_k8s_time(time: &Time) -> Timestamp {
        Timestamp(u64::try_from(time.0.as_millisecond()).unwrap_or(0))
    }

    /// RFC 3339 with second precision, as Kubernetes prints `creationTimestamp`
    /// (`2025-01-01T00:00:00Z`).
    pub fn to_rfc3339(self) -> String {
        let ts = self.to_k8s_time().0;
        jiff::fmt::strtime::format("%Y-%m-%dT%H:%M:%SZ", ts).unwrap_or_default()
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

/// The simulation's clock: starts at a given instant and only moves forward when the host
/// says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VirtualClock {
    now: Timestamp,
}

impl VirtualClock {
    /// A clock standing at `start`.
    pub fn new(start: Timestamp) -> VirtualClock {
        VirtualClock { now: start }
    }

    /// The current instant.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// Moves the clock forward by `duration`.
    pub fn advance(&mut self, duration: Duration) -> Timestamp {
        self.now = self.now.plus(duration);
        self.now
    }

    /// Moves the clock to `to`; a time in the past is ignored, so time never goes back.
    pub fn advance_to(&mut self, to: Timestamp) -> Timestamp {
        self.now = self.now.max(to);
        self.now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_simulation_epoch_prints_as_kubernetes_prints_creation_timestamps() {
        assert_eq!(SIM_EPOCH.to_rfc3339(), "2025-01-01T00:00:00Z");
        assert_eq!(
            SIM_EPOCH.plus(Duration::from_millis(90_500)).to_rfc3339(),
            "2025-01-01T00:01:30Z"
        );
    }

    #[test]
    fn k8s_time_round_trips_through_json_at_second_precision() {
        let t = SIM_EPOCH.plus(Duration::from_secs(3600));
        let json = serde_json::to_string(&t.to_k8s_time()).unwrap();
        assert_eq!(json, "\"2025-01-01T01:00:00Z\"");
        let back: Time = serde_json::from_str(&json).unwrap();
        assert_eq!(Timestamp::from_k8s_time(&back), t);
    }

    #[test]
    fn the_virtual_clock_never_goes_back() {
        let mut clock = VirtualClock::new(SIM_EPOCH);
        clock.advance(Duration::from_secs(5));
        clock.advance_to(SIM_EPOCH);
        assert_eq!(clock.now(), SIM_EPOCH.plus(Duration::from_secs(5)));
        assert_eq!(clock.now().since(SIM_EPOCH), Duration::from_secs(5));
    }
}
