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

// The node host's allocator (node-host/src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // As `kubeplay sim` (node-host/src/allocator.rs): keep freed memory instead of purging
    // it after 10 ms, which made the kernel fault and zero the same pages again and again.
    // SAFETY: stores an integer in mimalloc's option table before any other thread exists.
    // 15 is `mi_option_purge_delay` (node-host/src/allocator.rs tests the number).
    unsafe { libmimalloc_sys::mi_option_set(15, -1) };
    sim_main::main();
}
