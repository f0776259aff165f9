//! Builds the web playground into `dist/`.
//!
//! 1. `cargo build -p kubeplay-web --target wasm32-unknown-unknown --profile wasm-release`
//!    (the size-tuned profile in the root Cargo.toml).
//! 2. Finds the `.wasm` in Cargo's target directory (asked from `cargo metadata`, so
//!    `CARGO_TARGET_DIR` and config files are respected).
//! 3. Binds it with `wasm-bindgen-cli-support` (the library behind the `wasm-bindgen` CLI, so
//!    its version always matches the `wasm-bindgen` crate the app links) for the `web`
//!    target: `dist/kubeplay_web.js` + `dist/kubeplay_web_bg.wasm`.
//! 4. Copies `static/` (index.html, style.css, …) into `dist/` and prints the sizes.
//!
//! `kubeplay serve` serves `dist/` (from disk in the source tree; see node-host's `ui`).

use crate::{setup::WASM_TARGET, util};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use wasm_bindgen_cli_support::Bindgen;

/// The Cargo package of the web app.
const WEB_PACKAGE: &str = "kubeplay-web";
/// The Cargo profile tuned for a small wasm (root Cargo.toml).
const WASM_PROFILE: &str = "wasm-release";
/// The base name of the generated files; static/index.html imports `./kubeplay_web.js`.
const OUT_NAME: &str = "kubeplay_web";

/// Builds the web app (wasm + JS glue + static files) into `dist/`.
pub fn build() -> Result<()> {
    let root = util::workspace_root();
    util::step("build kubeplay-web for wasm32", || {
        util::cargo(&[
            "build",
            "--package",
            WEB_PACKAGE,
            "--target",
            WASM_TARGET,
            "--profile",
            WASM_PROFILE,
        ])
    })?;
    let wasm = target_dir(&root)?
        .join(WASM_TARGET)
        .join(WASM_PROFILE)
        .join(format!("{WEB_PACKAGE}.wasm"));
    if !wasm.is_file() {
        bail!(
            "cargo built {WEB_PACKAGE} but {} is missing",
            wasm.display()
        );
    }

    let dist = root.join("dist");
    if dist.exists() {
        std::fs::remove_dir_all(&dist)
            .with_context(|| format!("could not empty {}", dist.display()))?;
    }
    std::fs::create_dir_all(&dist)
        .with_context(|| format!("could not create {}", dist.display()))?;

    // `KUBEPLAY_DIST_NAMES=1` keeps the wasm's function names, so a browser profile (the live
    // bench's CDP profile) names Rust functions instead of `wasm-function[N]`; such a dist is
    // for measuring only and is not held to the size budget.
    let keep_names = std::env::var("KUBEPLAY_DIST_NAMES").is_ok_and(|v| v == "1");
    util::step("wasm-bindgen (target web)", || {
        bind(&wasm, &dist, keep_names)
    })?;
    copy_dir(&root.join("static"), &dist)?;

    let bound = dist.join(format!("{OUT_NAME}_bg.wasm"));
    println!(
        "dist: {} ({}; {} before wasm-bindgen)",
        dist.display(),
        describe_size(&bound)?,
        describe_size(&wasm)?,
    );
    if keep_names {
        println!(
            "dist: function names kept (KUBEPLAY_DIST_NAMES=1): the size budget was not checked"
        );
        return Ok(());
    }
    check_gzipped_size(&bound)
}

/// The most the wasm may weigh gzipped (what a browser downloads from a compressing server).
const GZIPPED_BUDGET_BYTES: usize = 1_536 * 1024;

/// Prints the wasm's gzipped size (`gzip -9`) and fails when it is over the budget.
fn check_gzipped_size(wasm: &Path) -> Result<()> {
    let output = match Command::new("gzip").args(["-9", "-c"]).arg(wasm).output() {
        Ok(output) if output.status.success() => output,
        _ => {
            println!("dist: gzip is not available; the gzipped size was not checked");
            return Ok(());
        }
    };
    let gzipped_bytes = output.stdout.len();
    // Precision loss only matters above 2^52 bytes.
    #[allow(clippy::cast_precision_loss)]
    let gzipped_kib = gzipped_bytes as f64 / 1024.0;
    println!(
        "dist: gzipped wasm {gzipped_kib:.1} KiB ({gzipped_bytes} bytes; budget {} KiB)",
        GZIPPED_BUDGET_BYTES / 1024
    );
    if gzipped_bytes > GZIPPED_BUDGET_BYTES {
        bail!(
            "the gzipped wasm is {gzipped_bytes} bytes, over the {GZIPPED_BUDGET_BYTES}-byte budget: look for a new large dependency"
        );
    }
    Ok(())
}

/// Generates the JS glue and the final wasm for ES-module loading in the browser.
fn bind(wasm: &Path, out_dir: &Path, keep_names: bool) -> Result<()> {
    Bindgen::new()
        .input_path(wasm)
        .out_name(OUT_NAME)
        .web(true)?
        // `init()` with no argument then fetches `kubeplay_web_bg.wasm` next to the JS file.
        .omit_default_module_path(false)
        .typescript(false)
        .debug(false)
        .keep_debug(false)
        // The name section only maps function indexes to names for stack traces; it is a
        // large share of the file. The `target_features` section is left alone: it tells
        // wasm-bindgen which features (e.g. reference types) the module uses.
        .remove_name_section(!keep_names)
        .remove_producers_section(true)
        .demangle(keep_names)
        .generate(out_dir)
        .with_context(|| format!("wasm-bindgen could not process {}", wasm.display()))
}

/// Cargo's target directory, as Cargo itself resolves it (`CARGO_TARGET_DIR`, config, default).
fn target_dir(root: &Path) -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(root)
        .output()
        .context("could not run `cargo metadata`")?;
    if !output.status.success() {
        bail!(
            "`cargo metadata` failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).context("`cargo metadata` printed invalid JSON")?;
    match metadata
        .get("target_directory")
        .and_then(|dir| dir.as_str())
    {
        Some(dir) => Ok(PathBuf::from(dir)),
        None => bail!("`cargo metadata` did not say where the target directory is"),
    }
}

/// Copies every file under `from` into `to`, keeping sub-folders and skipping dotfiles.
fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    let entries =
        std::fs::read_dir(from).with_context(|| format!("could not list {}", from.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("could not list {}", from.display()))?;
        let source = entry.path();
        // Dotfiles (.gitkeep, editor files) are not part of the site.
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            std::fs::create_dir_all(&target)
                .with_context(|| format!("could not create {}", target.display()))?;
            copy_dir(&source, &target)?;
        } else {
            std::fs::copy(&source, &target).with_context(|| {
                format!(
                    "could not copy {} to {}",
                    source.display(),
                    target.display()
                )
            })?;
        }
    }
    Ok(())
}

/// "123.4 KiB (126361 bytes)" for a file.
fn describe_size(path: &Path) -> Result<String> {
    let size_bytes = std::fs::metadata(path)
        .with_context(|| format!("could not read the size of {}", path.display()))?
        .len();
    // Precision loss only matters above 2^52 bytes.
    #[allow(clippy::cast_precision_loss)]
    let size_kib = size_bytes as f64 / 1024.0;
    Ok(format!(
        "{} {size_kib:.1} KiB ({size_bytes} bytes)",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    ))
}
