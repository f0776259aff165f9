//! The simulation kernel: one virtual clock, one seeded RNG, an ordered event queue and the
//! trace.
//!
//! Nothing here reads the wall clock or the OS: a host (the browser's simulation loop, the
//! node host's tokio driver, a test) hands time in as a [`clock::Timestamp`] and randomness
//! comes from one [`rng::SimRng`] seeded at start. Components append [`trace::TraceRecord`]s
//! to a [`trace::Trace`], whose running hash lets two runs be compared bit for bit.

pub mod clock;
mod pod_counts;
pub mod queue;
mod restart;
pub mod rng;
pub mod run;
#[cfg(test)]
mod scenario_tests;
pub mod trace;
pub mod traffic;
pub mod world;
