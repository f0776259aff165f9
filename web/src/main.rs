//! The kubeplay browser playground (work in progress: built for wasm32 by `cargo xtask dist`).

fn main() {}
