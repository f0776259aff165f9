//! The core on wasm32: build check and tests under a wasm runtime (work in progress).

use crate::{setup::WASM_TARGET, util};
use anyhow::Result;

/// Makes sure the wasm test runner is installed (filled in by the simulation-kernel work).
pub fn ensure_test_runner() -> Result<()> {
    Ok(())
}

/// Builds the core for wasm32: proves it has no I/O dependencies that break that target.
pub fn check_core_builds() -> Result<()> {
    util::cargo(&[
        "build",
        "--package",
        "kubeplay-core",
        "--target",
        WASM_TARGET,
    ])
}

/// Runs the core's tests on wasm32 (filled in by the simulation-kernel work).
pub fn run_core_tests() -> Result<()> {
    Ok(())
}
