//! Installs what a fresh machine lacks. Every step checks first, so a second run is quick.

use crate::util;
use anyhow::{bail, Result};
use std::process::Command;

/// The wasm target the core and the web app build for.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Installs everything the run and test commands need.
pub fn run() -> Result<()> {
    ensure_wasm_target()?;
    crate::wasm::ensure_test_runner()?;
    ensure_python_client()?;
    ensure_node();
    ensure_browser();
    Ok(())
}

/// Debian's Node.js, which runs the core's wasm32 tests. Not fatal here: that test step says
/// so when node is missing.
fn ensure_node() {
    if util::on_path("node") {
        return;
    }
    if let Err(error) = ensure_debian_packages(&["nodejs"]) {
        println!("setup: could not install nodejs ({error:#}); the core's wasm32 tests need it");
    }
}

/// Debian's Chromium and its chromedriver, a Korean font, and Debian's Firefox ESR with
/// geckodriver (built from crates.io: Debian does not package it), for the web playground's
/// end-to-end test.
/// Not fatal: without them the browser test says why it skips that browser.
fn ensure_browser() {
    if let Err(error) = ensure_debian_packages(&["chromium", "chromium-driver"]) {
        println!("setup: could not install chromium and chromium-driver ({error:#}); the browser test will be skipped");
    }
    // A Korean font: without one the browsers draw the Korean UI as empty boxes, and the
    // README's Korean screenshots show nothing readable.
    if let Err(error) = ensure_debian_packages(&["fonts-nanum"]) {
        println!("setup: could not install fonts-nanum ({error:#}); Korean text in the browser test's screenshots will show as boxes");
    }
    if let Err(error) = ensure_debian_packages(&["firefox-esr"]) {
        println!(
            "setup: could not install firefox-esr ({error:#}); the browser test will skip Firefox"
        );
    }
    if let Err(error) = ensure_geckodriver() {
        println!(
            "setup: could not build geckodriver ({error:#}); the browser test will skip Firefox"
        );
    }
}

/// The geckodriver release setup builds (its crates.io version).
const GECKODRIVER_VERSION: &str = "0.37.1";

/// Builds geckodriver into `~/.cargo/bin` with `cargo install`, unless it is there.
fn ensure_geckodriver() -> Result<()> {
    let installed = Command::new("geckodriver")
        .arg("--version")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).contains(GECKODRIVER_VERSION))
        .unwrap_or(false);
    let in_cargo_bin = std::env::var_os("HOME")
        .map(|home| std::path::Path::new(&home).join(".cargo/bin/geckodriver"))
        .is_some_and(|path| path.is_file());
    if installed || in_cargo_bin {
        return Ok(());
    }
    println!("setup: building geckodriver {GECKODRIVER_VERSION} with cargo install (a few minutes, once)");
    util::run(Command::new("cargo").args([
        "install",
        "--locked",
        "--version",
        GECKODRIVER_VERSION,
        "geckodriver",
    ]))
}

/// The official Kubernetes Python client, pinned to the release that matches the API version
/// the node host serves (v1.33), for the node host's client-library tests.
const PYTHON_CLIENT: &str = "kubernetes==33.1.0";

/// Cargo's build cache: `CARGO_TARGET_DIR`, else the workspace's `target/`. Tools that setup
/// builds or installs live in it, so CI runs on the same machine reuse them and a clean clone
/// never has them in its tree.
pub fn target_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| util::workspace_root().join("target"))
}

/// Where the Python client's virtual environment lives: in the build cache (see
/// [`target_dir`]).
pub fn python_venv() -> std::path::PathBuf {
    target_dir().join("python-client")
}

/// The Python interpreter of that environment (tests find it in `KUBEPLAY_PYTHON`).
pub fn python_interpreter() -> std::path::PathBuf {
    python_venv().join("bin").join("python")
}

/// Creates the virtual environment and installs the pinned client into it, once.
fn ensure_python_client() -> Result<()> {
    let python = python_interpreter();
    let has_client = python.is_file()
        && Command::new(&python)
            .args([
                "-c",
                "import kubernetes, sys; sys.exit(kubernetes.__version__ != '33.1.0')",
            ])
            .output()
            .map(|out| out.status.success())
            .unwrap_or(false);
    if has_client {
        return Ok(());
    }
    let venv = python_venv();
    println!(
        "setup: installing the Kubernetes Python client ({PYTHON_CLIENT}) into {}",
        venv.display()
    );
    if util::run(Command::new("python3").arg("-m").arg("venv").arg(&venv)).is_err() {
        bail!(
            "setup: `python3 -m venv {}` failed; the Python client tests need python3 with venv",
            venv.display()
        );
    }
    if util::run(Command::new(&python).args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        PYTHON_CLIENT,
    ]))
    .is_err()
    {
        bail!("setup: `pip install {PYTHON_CLIENT}` failed; the Python client tests need PyPI");
    }
    Ok(())
}

fn ensure_wasm_target() -> Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).contains(WASM_TARGET))
        .unwrap_or(false);
    if installed {
        return Ok(());
    }
    println!("setup: adding the {WASM_TARGET} target with rustup");
    if util::run(Command::new("rustup").args(["target", "add", WASM_TARGET])).is_err() {
        bail!("setup: `rustup target add {WASM_TARGET}` failed; the core's wasm32 build and tests need it");
    }
    Ok(())
}

/// Installs Debian packages that are missing (`apt-get update` once, then install).
pub fn ensure_debian_packages(packages: &[&str]) -> Result<()> {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| {
            !Command::new("dpkg")
                .args(["-s", p])
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false)
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    println!("setup: installing Debian packages {}", missing.join(" "));
    util::run(Command::new("apt-get").args(["update", "-qq"]))?;
    util::run(
        Command::new("apt-get")
            .args(["install", "-y", "-qq", "--no-install-recommends"])
            .args(&missing)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}
