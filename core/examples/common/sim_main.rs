//! The body of the `sim` and `sim_system_alloc` examples: read `NODES PODS [SEED]`, run
//! [`SimRunConfig::command_line`], print the report as one JSON object with the wall time.

// An example measures wall time; clippy.toml bans the clock for the sans-IO library only.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use std::time::{Duration, Instant};

use kubeplay_core::sim::run::{run_keeping_world, SimRunConfig};

/// Runs the example with the process's arguments.
pub fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |index: usize, default: u64| -> u64 {
        match args.get(index) {
            None => default,
            Some(text) => text.parse().unwrap_or_else(|_| {
                eprintln!("usage: sim NODES PODS [SEED] (whole numbers; got {text:?})");
                std::process::exit(2)
            }),
        }
    };
    let nodes = number(0, 100) as usize;
    let pods = number(1, 3_000) as usize;
    let seed = number(2, 1);
    let mut config = SimRunConfig::command_line(nodes, pods, seed, 110, Duration::from_secs(3600));
    config.stopwatch = Some(monotonic_nanos);
    let started = Instant::now();
    let (report, world) = run_keeping_world(&config, |_| {});
    let wall_seconds = started.elapsed().as_secs_f64();
    let scheduler_seconds = world.scheduler_wall_seconds();
    // As `kubeplay sim`: the OS takes the memory back faster than freeing it piece by piece.
    std::mem::forget(world);
    let mut value = serde_json::to_value(&report).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        map.insert("wall_seconds".into(), serde_json::json!(wall_seconds));
        map.insert(
            "scheduler_seconds".into(),
            serde_json::json!(scheduler_seconds),
        );
    }
    println!("{value}");
}

/// The clock the world times its scheduler with (as `kubeplay sim`'s): nanoseconds since the
/// first call.
fn monotonic_nanos() -> u64 {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    let elapsed = START.get_or_init(Instant::now).elapsed();
    u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX)
}
