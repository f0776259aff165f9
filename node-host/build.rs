//! Embeds the built web UI (`dist/` at the workspace root) into the `kubeplay` binary, so an
//! installed binary serves the playground with no files next to it.
//!
//! The script writes `$OUT_DIR/embedded_ui.rs`: a slice of `(path, include_bytes!(…))` pairs,
//! empty when `dist/` has not been built — the binary then serves `dist/` from disk or a page
//! saying how to build it (see `src/serve/ui.rs`). Cargo reruns the script when anything in
//! `dist/` changes; it cannot watch for `dist/` appearing without rebuilding on every build, so
//! a binary built before `cargo xtask dist` keeps an empty set until this file or `dist/`
//! changes (the runtime falls back to `dist/` on disk in the source tree).

// A build script is host-side code: reading the file tree and writing OUT_DIR is its job.
#![allow(clippy::disallowed_methods)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let dist = manifest_dir.join("..").join("dist");

    let mut files = Vec::new();
    if dist.join("index.html").is_file() {
        println!("cargo:rerun-if-changed={}", dist.display());
        collect_files(&dist, &dist, &mut files);
        files.sort();
    }

    let mut code = String::from("&[\n");
    for (url_path, file) in &files {
        let _ = writeln!(code, "    ({url_path:?}, include_bytes!({file:?})),");
    }
    code.push_str("]\n");

    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    if let Err(error) = std::fs::write(out_dir.join("embedded_ui.rs"), code) {
        panic!("could not write embedded_ui.rs into OUT_DIR: {error}");
    }
}

/// Adds every file under `dir` as (path relative to `root` with `/`, absolute file path).
fn collect_files(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(root, &path, files);
            continue;
        }
        let relative = path.strip_prefix(root).ok().and_then(|relative| {
            let parts: Option<Vec<&str>> = relative.iter().map(|part| part.to_str()).collect();
            parts.map(|parts| parts.join("/"))
        });
        let absolute = std::fs::canonicalize(&path)
            .ok()
            .and_then(|absolute| absolute.to_str().map(str::to_owned));
        match (relative, absolute) {
            (Some(relative), Some(absolute)) => files.push((relative, absolute)),
            _ => println!(
                "cargo:warning=not embedding {} (its path is not UTF-8)",
                path.display()
            ),
        }
    }
}
