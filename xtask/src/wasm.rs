//! The core on wasm32: the build check, and its determinism test run under node.
//!
//! `cargo test --target wasm32-unknown-unknown` produces a `.wasm` file that cannot run by
//! itself; cargo hands it to the program named by `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER`.
//! That is `wasm-bindgen-test-runner` from the `wasm-bindgen-cli` crate, which must be the very
//! version of `wasm-bindgen` in `Cargo.lock` (the two share an unstable format), so
//! [`ensure_test_runner`] installs exactly that version when it is missing or different.

use crate::{setup::WASM_TARGET, util};
use anyhow::{bail, Context, Result};
use std::path::PathBuf;
use std::process::Command;

/// The program cargo runs wasm32 test binaries with.
const TEST_RUNNER: &str = "wasm-bindgen-test-runner";

/// Installs `wasm-bindgen-test-runner` at the `wasm-bindgen` version of `Cargo.lock`, unless
/// that version is already installed.
pub fn ensure_test_runner() -> Result<()> {
    let wanted = locked_wasm_bindgen_version()?;
    if installed_runner_version().as_deref() == Some(wanted.as_str()) {
        return Ok(());
    }
    println!(
        "setup: installing wasm-bindgen-cli {wanted} (the wasm32 test runner; takes about 2 minutes)"
    );
    if util::cargo(&["install", "wasm-bindgen-cli", "--version", &wanted]).is_err() {
        bail!(
            "setup: `cargo install wasm-bindgen-cli --version {wanted}` failed; the core's wasm32 tests need its {TEST_RUNNER}"
        );
    }
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

/// Runs the core's determinism test compiled for wasm32, under node.
pub fn run_core_tests() -> Result<()> {
    if !util::on_path("node") {
        bail!("node is not on the PATH; the core's wasm32 tests run under node (install nodejs)");
    }
    let Some(runner) = runner_path() else {
        bail!("{TEST_RUNNER} is not installed; run `cargo xtask setup` first");
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    util::run(
        Command::new(cargo)
            .args([
                "test",
                "--package",
                "kubeplay-core",
                "--target",
                WASM_TARGET,
                "--test",
                "determinism",
            ])
            .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", runner)
            .current_dir(util::workspace_root()),
    )
}

/// The `wasm-bindgen` version pinned in the workspace's `Cargo.lock`.
#[allow(clippy::disallowed_methods)] // xtask is a host tool; the ban on file reads is for core
fn locked_wasm_bindgen_version() -> Result<String> {
    let path = util::workspace_root().join("Cargo.lock");
    let lock = std::fs::read_to_string(&path)
        .with_context(|| format!("could not read {}", path.display()))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == r#"name = "wasm-bindgen""# {
            if let Some(version) = lines
                .next()
                .and_then(|next| next.trim().strip_prefix("version = "))
            {
                return Ok(version.trim_matches('"').to_string());
            }
        }
    }
    bail!(
        "wasm-bindgen is not in {}; the core's wasm32 dev-dependencies should have put it there",
        path.display()
    )
}

/// The version `wasm-bindgen-test-runner --version` reports, if it runs at all.
fn installed_runner_version() -> Option<String> {
    let output = Command::new(runner_path()?)
        .arg("--version")
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    // Prints e.g. "wasm-bindgen-test-runner 0.2.130".
    String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .nth(1)
        .map(str::to_string)
}

/// Where the runner is: on the PATH, or in cargo's bin folder (where `cargo install` puts it
/// even when that folder is not on the PATH).
fn runner_path() -> Option<PathBuf> {
    if util::on_path(TEST_RUNNER) {
        return Some(PathBuf::from(TEST_RUNNER));
    }
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))?;
    let installed = cargo_home.join("bin").join(TEST_RUNNER);
    installed.is_file().then_some(installed)
}
