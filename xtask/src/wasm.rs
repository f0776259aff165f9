//! wasm32: the core's build check, its whole test suite under node, and the web app's unit
//! tests in headless Chromium.
//!
//! `cargo test --target wasm32-unknown-unknown` produces a `.wasm` file that cannot run by
//! itself; cargo hands it to the program named by `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER`.
//! That is `wasm-bindgen-test-runner` from the `wasm-bindgen-cli` crate, which must be the very
//! version of `wasm-bindgen` in `Cargo.lock` (the two share an unstable format), so
//! [`ensure_test_runner`] builds exactly that version from crates.io into the build cache
//! (`<target dir>/tools/wasm-bindgen-cli-<version>/bin/`) when it is not there yet.
//!
//! The runner only runs `#[wasm_bindgen_test]` functions; the core and the web app turn their
//! plain `#[test]`s into those on wasm32 through the `kubeplay-wasm-test` attribute (see
//! `core/wasm-test/src/lib.rs`), so the same tests run natively and on wasm32.
//!
//! - [`run_core_tests`]: every core test target (unit tests with the golden transcripts,
//!   `core/tests/*`) under node.
//! - [`run_web_tests`]: the web app's view-logic unit tests in Debian's headless Chromium,
//!   driven by Debian's chromedriver; the runner serves the test page on loopback and reads
//!   the results back through WebDriver.

// xtask is a host tool: the workspace's bans on file I/O are for the core.
#![allow(clippy::disallowed_methods)]

use crate::{setup::WASM_TARGET, util};
use anyhow::{bail, Context, Result};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The program cargo runs wasm32 test binaries with.
const TEST_RUNNER: &str = "wasm-bindgen-test-runner";
/// Debian's Chromium (package chromium).
const CHROMIUM: &str = "/usr/bin/chromium";
/// Debian's chromedriver (package chromium-driver).
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long one test may take, in seconds (the runner's default of 20 is tight for a debug
/// build of the whole core test suite on a loaded two-core machine).
const TEST_TIMEOUT_SECONDS: &str = "300";

/// Builds `wasm-bindgen-test-runner` at the `wasm-bindgen` version of `Cargo.lock` into the
/// build cache, unless that version is already there.
pub fn ensure_test_runner() -> Result<()> {
    let wanted = locked_wasm_bindgen_version()?;
    if installed_runner_version(&wanted).as_deref() == Some(wanted.as_str()) {
        return Ok(());
    }
    let root = tools_root(&wanted);
    println!(
        "setup: building wasm-bindgen-cli {wanted} from crates.io into {} (the wasm32 test runner; takes a few minutes)",
        root.display()
    );
    let version = format!("={wanted}");
    let root_arg = root.display().to_string();
    if util::cargo(&[
        "install",
        "wasm-bindgen-cli",
        "--version",
        &version,
        "--root",
        &root_arg,
    ])
    .is_err()
    {
        bail!(
            "setup: `cargo install wasm-bindgen-cli --version {version} --root {root_arg}` failed; the wasm32 tests need its {TEST_RUNNER}"
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

/// Runs every core test target compiled for wasm32 under node: the unit tests (golden
/// transcripts of kubectl, describe and play included) and the integration tests in
/// `core/tests/`.
pub fn run_core_tests() -> Result<()> {
    if !util::on_path("node") {
        bail!("node is not on the PATH; the core's wasm32 tests run under node (install nodejs)");
    }
    let mut command = wasm_test_command(&["--package", "kubeplay-core", "--lib", "--tests"])?;
    util::run(&mut command)
}

/// Runs the web app's unit tests compiled for wasm32 in headless Chromium through
/// chromedriver. Skipped, saying why, when Chromium or chromedriver is missing (setup could
/// not install them), like the browser end-to-end test.
pub fn run_web_tests() -> Result<()> {
    for program in [CHROMIUM, CHROMEDRIVER] {
        if !Path::new(program).is_file() {
            println!(
                "web wasm32 tests SKIPPED: {program} is missing (setup installs Debian's chromium and chromium-driver; it could not here)"
            );
            return Ok(());
        }
    }
    let scratch = std::env::temp_dir().join(format!("kubeplay-web-tests-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch)
        .with_context(|| format!("could not create {}", scratch.display()))?;
    let result = (|| {
        let capabilities = scratch.join("webdriver.json");
        write_chromium_capabilities(&capabilities, &scratch.join("profile"))?;
        let mut command = wasm_test_command(&["--package", "kubeplay-web"])?;
        command
            .env("WASM_BINDGEN_USE_BROWSER", "1")
            .env("CHROMEDRIVER", CHROMEDRIVER)
            .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", &capabilities)
            .env("WASM_BINDGEN_TEST_DRIVER_TIMEOUT", "30");
        util::run(&mut command)
    })();
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

/// The WebDriver capabilities the runner opens its Chromium session with: Debian's binary and
/// a quiet, isolated profile. The runner adds `headless`, `no-sandbox` and
/// `disable-dev-shm-usage` itself.
fn write_chromium_capabilities(path: &Path, profile: &Path) -> Result<()> {
    let capabilities = json!({
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                format!("--user-data-dir={}", profile.display()),
            ],
        }
    });
    std::fs::write(path, capabilities.to_string())
        .with_context(|| format!("could not write {}", path.display()))
}

/// `cargo test --target wasm32-unknown-unknown <args>` with the runner set up for it.
fn wasm_test_command(args: &[&str]) -> Result<Command> {
    let version = locked_wasm_bindgen_version()?;
    let Some(runner) = runner_path(&version) else {
        bail!("{TEST_RUNNER} {version} is not built; run `cargo xtask setup` first");
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut command = Command::new(cargo);
    command
        .args(["test", "--target", WASM_TARGET])
        .args(args)
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", runner)
        .env("WASM_BINDGEN_TEST_TIMEOUT", TEST_TIMEOUT_SECONDS)
        .current_dir(util::workspace_root());
    Ok(command)
}

/// The `wasm-bindgen` version pinned in the workspace's `Cargo.lock`.
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

/// The version the built `wasm-bindgen-test-runner --version` reports, if it runs at all.
fn installed_runner_version(version: &str) -> Option<String> {
    let output = Command::new(runner_path(version)?)
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

/// Where [`ensure_test_runner`] installs the CLI of one version: inside the build cache, so a
/// CI machine keeps it between runs and a clean checkout builds its own.
fn tools_root(version: &str) -> PathBuf {
    crate::setup::target_dir()
        .join("tools")
        .join(format!("wasm-bindgen-cli-{version}"))
}

/// The built runner of this version, if it is there.
fn runner_path(version: &str) -> Option<PathBuf> {
    let runner = tools_root(version).join("bin").join(TEST_RUNNER);
    runner.is_file().then_some(runner)
}
