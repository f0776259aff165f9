//! Simulated time: the [`Timestamp`] every component reads and the [`VirtualClock`] that holds it.
//!
//! The core never reads a wall clock. The host owns one [`VirtualClock`]: the browser moves it
//! forward to the next due event of the simulation (see [`super::queue`]), the native node host
//! sets it from the wall clock before each step. Components receive the current [`Timestamp`] as
//! an argument, compute deadlines with [`std::time::Duration`] arithmetic, and stamp objects with
//! [`Timestamp::to_metav1_time`] (what `metadata.creationTimestamp` holds), which Kubernetes
//! prints with second precision as RFC 3339 (`2025-01-01T00:00:00Z`).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, Time};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, AddAssign, Sub};
use std::time::Duration;

/// Why a clock value could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    /// The timestamp lies past 9999-12-30T22:00:00Z, the last instant the timestamp type of
    /// `metav1.Time` (jiff's) can hold.
    #[error("timestamp {unix_ms} ms after the Unix epoch is after 9999-12-30T22:00:00Z, the last instant a Kubernetes time can hold")]
    OutOfRange {
        /// The offending value, in milliseconds since the Unix epoch.
        unix_ms: u64,
    },
    /// A `metav1.Time` before 1970-01-01T00:00:00Z cannot be held by a [`Timestamp`].
    #[error(
        "time {time} is before the Unix epoch (1970-01-01T00:00:00Z); simulated time starts there"
    )]
    BeforeUnixEpoch {
        /// The offending time, as RFC 3339.
        time: String,
    },
    /// [`VirtualClock::advance_to`] was asked to move time backwards.
    #[error(
        "the clock cannot go back from {now} to {requested}; simulated time only moves forward"
    )]
    WentBackwards {
        /// The clock's current time.
        now: Timestamp,
        /// The earlier time that was asked for.
        requested: Timestamp,
    },
}

/// An instant of simulated time: milliseconds since the Unix epoch (1970-01-01T00:00:00Z).
///
/// The count is unsigned (`u64`): simulated time never lies before 1970, and ordering, hashing
/// and serialization (a plain JSON number) are the same on every target. Arithmetic with
/// [`Duration`] saturates instead of overflowing (`u64::MAX` milliseconds is 584 million years
/// away); sub-millisecond parts of a `Duration` are dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(u64);

/// Where every simulation starts: 2025-01-01T00:00:00Z, so that traces and object timestamps
/// of a seed do not depend on the day the simulation ran.
pub const SIMULATION_EPOCH: Timestamp = Timestamp(1_735_689_600_000);

impl Timestamp {
    /// The Unix epoch itself, 1970-01-01T00:00:00Z.
    pub const UNIX_EPOCH: Timestamp = Timestamp(0);

    /// The instant `unix_ms` milliseconds after the Unix epoch.
    pub const fn from_unix_ms(unix_ms: u64) -> Self {
        Timestamp(unix_ms)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn as_unix_ms(self) -> u64 {
        self.0
    }

    /// This instant plus `duration`, or `None` past `u64::MAX` milliseconds.
    pub fn checked_add(self, duration: Duration) -> Option<Self> {
        let ms = u64::try_from(duration.as_millis()).ok()?;
        self.0.checked_add(ms).map(Timestamp)
    }

    /// This instant plus `duration`, stopping at the largest representable instant.
    pub fn saturating_add(self, duration: Duration) -> Self {
        self.checked_add(duration).unwrap_or(Timestamp(u64::MAX))
    }

    /// This instant minus `duration`, stopping at the Unix epoch.
    pub fn saturating_sub(self, duration: Duration) -> Self {
        let ms = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
        Timestamp(self.0.saturating_sub(ms))
    }

    /// How long after `earlier` this instant is; zero if `earlier` is in fact later.
    pub fn duration_since(self, earlier: Timestamp) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }

    /// This instant as the timestamp type of `k8s-openapi` (jiff), at millisecond precision.
    pub fn to_jiff(self) -> Result<jiff::Timestamp, ClockError> {
        i64::try_from(self.0)
            .ok()
            .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
            .ok_or(ClockError::OutOfRange { unix_ms: self.0 })
    }

    /// The instant a jiff timestamp names, truncated to milliseconds.
    pub fn from_jiff(at: jiff::Timestamp) -> Result<Self, ClockError> {
        u64::try_from(at.as_millisecond())
            .map(Timestamp)
            .map_err(|_| ClockError::BeforeUnixEpoch {
                time: format!("{at:.0}"),
            })
    }

    /// This instant as a `metav1.Time` (`creationTimestamp`, `deletionTimestamp`, condition
    /// transition times). Kubernetes writes these with second precision; the value keeps the
    /// milliseconds, and serializing it drops them exactly as Kubernetes does.
    pub fn to_metav1_time(self) -> Result<Time, ClockError> {
        self.to_jiff().map(Time)
    }

    /// This instant as a `metav1.MicroTime` (events' `eventTime`, leases' `renewTime`).
    pub fn to_metav1_micro_time(self) -> Result<MicroTime, ClockError> {
        self.to_jiff().map(MicroTime)
    }

    /// This instant as Kubernetes prints a `metav1.Time`: RFC 3339 in UTC with whole seconds,
    /// e.g. `2025-01-01T00:00:00Z` (milliseconds are truncated, not rounded).
    pub fn to_rfc3339(self) -> Result<String, ClockError> {
        let seconds = self.to_jiff()?.as_second();
        let whole = jiff::Timestamp::from_second(seconds)
            .map_err(|_| ClockError::OutOfRange { unix_ms: self.0 })?;
        Ok(format!("{whole:.0}"))
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 with whole seconds, as Kubernetes prints `creationTimestamp`; instants past
    /// [`ClockError::OutOfRange`]'s limit print as a millisecond count instead.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_rfc3339() {
            Ok(text) => f.write_str(&text),
            Err(_) => write!(f, "{} ms after the Unix epoch", self.0),
        }
    }
}

impl Add<Duration> for Timestamp {
    type Output = Timestamp;

    /// Saturating: see [`Timestamp::saturating_add`].
    fn add(self, duration: Duration) -> Timestamp {
        self.saturating_add(duration)
    }
}

impl AddAssign<Duration> for Timestamp {
    fn add_assign(&mut self, duration: Duration) {
        *self = self.saturating_add(duration);
    }
}

impl Sub<Duration> for Timestamp {
    type Output = Timestamp;

    /// Saturating: see [`Timestamp::saturating_sub`].
    fn sub(self, duration: Duration) -> Timestamp {
        self.saturating_sub(duration)
    }
}

impl Sub<Timestamp> for Timestamp {
    type Output = Duration;

    /// Saturating: see [`Timestamp::duration_since`].
    fn sub(self, earlier: Timestamp) -> Duration {
        self.duration_since(earlier)
    }
}

/// The simulation's one clock. Only the host moves it, and only forward.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VirtualClock {
    now: Timestamp,
}

impl Default for VirtualClock {
    /// A clock at [`SIMULATION_EPOCH`].
    fn default() -> Self {
        VirtualClock::new(SIMULATION_EPOCH)
    }
}

impl VirtualClock {
    /// A clock that reads `start`.
    pub fn new(start: Timestamp) -> Self {
        VirtualClock { now: start }
    }

    /// The current simulated time.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// Moves time forward by `duration` and returns the new time.
    pub fn advance(&mut self, duration: Duration) -> Timestamp {
        self.now += duration;
        self.now
    }

    /// Moves time forward to `at`. Moving to the current time is allowed; moving back is not.
    pub fn advance_to(&mut self, at: Timestamp) -> Result<(), ClockError> {
        if at < self.now {
            return Err(ClockError::WentBackwards {
                now: self.now,
                requested: at,
            });
        }
        self.now = at;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simulation_epoch_prints_as_new_year_2025_like_kubernetes() {
        assert_eq!(
            SIMULATION_EPOCH.to_rfc3339().as_deref(),
            Ok("2025-01-01T00:00:00Z")
        );
        assert_eq!(SIMULATION_EPOCH.to_string(), "2025-01-01T00:00:00Z");
    }

    #[test]
    fn rfc3339_drops_milliseconds_without_rounding() {
        let cases = [
            (0, "1970-01-01T00:00:00Z"),
            (999, "1970-01-01T00:00:00Z"),
            (1_000, "1970-01-01T00:00:01Z"),
            (1_735_689_600_000 + 59_999, "2025-01-01T00:00:59Z"),
            (1_740_787_199_500, "2025-02-28T23:59:59Z"),
            (253_402_207_199_999, "9999-12-30T21:59:59Z"),
        ];
        for (unix_ms, expected) in cases {
            assert_eq!(
                Timestamp::from_unix_ms(unix_ms).to_rfc3339().as_deref(),
                Ok(expected),
                "{unix_ms} ms"
            );
        }
    }

    #[test]
    fn instants_after_the_end_of_the_year_9999_are_out_of_range() {
        let past = Timestamp::from_unix_ms(253_402_300_800_000);
        assert_eq!(
            past.to_rfc3339(),
            Err(ClockError::OutOfRange {
                unix_ms: 253_402_300_800_000
            })
        );
        assert_eq!(past.to_string(), "253402300800000 ms after the Unix epoch");
        assert!(Timestamp::from_unix_ms(253_402_207_200_000)
            .to_jiff()
            .is_ok());
        assert!(Timestamp::from_unix_ms(253_402_207_200_001)
            .to_jiff()
            .is_err());
        assert!(Timestamp::from_unix_ms(u64::MAX).to_jiff().is_err());
    }

    #[test]
    fn metav1_time_serializes_with_second_precision() {
        let at = SIMULATION_EPOCH + Duration::from_millis(1_500);
        let time = at.to_metav1_time().map(|time| serde_json::to_string(&time));
        assert_eq!(
            time.ok().and_then(Result::ok).as_deref(),
            Some("\"2025-01-01T00:00:01Z\"")
        );
    }

    #[test]
    fn jiff_round_trip_keeps_milliseconds() {
        let at = SIMULATION_EPOCH + Duration::from_millis(1_234);
        assert_eq!(at.to_jiff().and_then(Timestamp::from_jiff), Ok(at));
    }

    #[test]
    fn jiff_times_before_1970_are_rejected() {
        let before = jiff::Timestamp::from_second(-1).map(Timestamp::from_jiff);
        assert_eq!(
            before.ok(),
            Some(Err(ClockError::BeforeUnixEpoch {
                time: "1969-12-31T23:59:59Z".to_string()
            }))
        );
    }

    #[test]
    fn duration_arithmetic_saturates_at_both_ends() {
        let start = Timestamp::from_unix_ms(1_000);
        assert_eq!(
            start + Duration::from_secs(2),
            Timestamp::from_unix_ms(3_000)
        );
        assert_eq!(start - Duration::from_secs(2), Timestamp::UNIX_EPOCH);
        assert_eq!(
            Timestamp::from_unix_ms(u64::MAX - 1) + Duration::from_secs(1),
            Timestamp::from_unix_ms(u64::MAX)
        );
        assert_eq!(
            Timestamp::from_unix_ms(u64::MAX - 1).checked_add(Duration::from_secs(1)),
            None
        );
        assert_eq!(
            Timestamp::from_unix_ms(3_500) - start,
            Duration::from_millis(2_500)
        );
        assert_eq!(start - Timestamp::from_unix_ms(3_500), Duration::ZERO);
        assert_eq!(
            start + Duration::from_micros(1_999),
            Timestamp::from_unix_ms(1_001)
        );
    }

    #[test]
    fn timestamps_serialize_as_plain_millisecond_numbers() {
        assert_eq!(
            serde_json::to_string(&SIMULATION_EPOCH).ok().as_deref(),
            Some("1735689600000")
        );
        assert_eq!(
            serde_json::from_str::<Timestamp>("1735689600000").ok(),
            Some(SIMULATION_EPOCH)
        );
    }

    #[test]
    fn virtual_clock_starts_at_the_simulation_epoch_and_only_moves_forward() {
        let mut clock = VirtualClock::default();
        assert_eq!(clock.now(), SIMULATION_EPOCH);
        let later = clock.advance(Duration::from_secs(10));
        assert_eq!(later, SIMULATION_EPOCH + Duration::from_secs(10));
        assert_eq!(clock.advance_to(later), Ok(()));
        assert_eq!(
            clock.advance_to(SIMULATION_EPOCH),
            Err(ClockError::WentBackwards {
                now: later,
                requested: SIMULATION_EPOCH
            })
        );
        assert_eq!(clock.now(), later);
        let much_later = later + Duration::from_secs(3_600);
        assert_eq!(clock.advance_to(much_later), Ok(()));
        assert_eq!(clock.now(), much_later);
    }
}
