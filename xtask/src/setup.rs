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
#[allow(dead_code)] // used as later issues need packages (chromium, runc, …)
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
