//! The `sim` example's run on the system allocator (glibc `malloc`), for heaptrack, which
//! records only what goes through `malloc`: `heaptrack sim_system_alloc NODES PODS [SEED]`.
//! CPU figures come from the `sim` example (mimalloc, as `kubeplay sim`).

#[path = "common/sim_main.rs"]
mod sim_main;

fn main() {
    sim_main::main();
}
