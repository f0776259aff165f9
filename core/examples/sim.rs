//! `kubeplay sim` without the node host: the same deterministic run
//! ([`kubeplay_core::sim::run::SimRunConfig::command_line`]) built from the core crate alone,
//! so profiling a change to the core needs no release build of tokio, hyper and rustls.
//!
//! `cargo run --release -p kubeplay-core --example sim -- NODES PODS [SEED]` prints the run's
//! report as one JSON object with the wall time added. Under `perf record` or callgrind this is
//! the process to profile; it allocates with mimalloc as `kubeplay sim` does, so the figures
//! are the node host's. For heaptrack, which sees only the C library's `malloc`, run the
//! `sim_system_alloc` example instead (the same run on the system allocator).

#[path = "common/sim_main.rs"]
mod sim_main;

// The node host's allocator and settings, from the same source file.
#[path = "../../node-host/src/allocator.rs"]
#[allow(dead_code)]
mod allocator;

#[global_allocator]
static ALLOCATOR: allocator::Allocator = allocator::Allocator;

fn main() {
    allocator::keep_freed_memory();
    sim_main::main();
}
