//! The simulation kernel: the clock, the event queue, the random number generator and the trace
//! that every component of the simulated cluster shares.
//!
//! A host (the browser's simulation loop, a test, the native node host) owns one of each. Its
//! loop takes the next event from the [`EventQueue`], moves the [`VirtualClock`] to the event's
//! [`Timestamp`], hands the event to the component it is for together with the time and the
//! [`SimRng`], schedules whatever timers the component asks for, and appends the component's
//! [`TraceRecord`]s to the [`Trace`]. Because time and randomness only come in through these
//! values, the same seed and the same commands give the same trace hash natively and on wasm32
//! (`core/tests/determinism.rs` checks exactly that).
//!
//! - [`clock`]: [`Timestamp`] (milliseconds since the Unix epoch), [`SIMULATION_EPOCH`],
//!   conversion to `metav1.Time`, and the [`VirtualClock`].
//! - [`queue`]: [`EventQueue`], due-time order with ties broken by scheduling order.
//! - [`rng`]: [`SimRng`], seeded ChaCha8 with UIDs and `generateName` suffixes.
//! - [`trace`]: [`TraceRecord`] and the [`Trace`] collector with its stable hash.

pub mod clock;
pub mod queue;
pub mod rng;
pub mod trace;

pub use clock::{ClockError, Timestamp, VirtualClock, SIMULATION_EPOCH};
pub use queue::{EventId, EventQueue, QueueError, ScheduledEvent};
pub use rng::SimRng;
pub use trace::{StoreOp, Trace, TraceRecord, TraceRetention, WatchEventType};
