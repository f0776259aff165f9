//! `cargo xtask`: kubeplay's build and test orchestration.
//!
//! The README's two commands are `cargo xtask run` and `cargo xtask test`. Both start with
//! [`setup`], which installs whatever a fresh machine lacks (the wasm32 target, tools, Debian
//! packages) and says in one line what it could not do.

mod browser;
mod dist;
mod setup;
mod util;
mod wasm;

use anyhow::{bail, Result};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  run     set up what is missing, build the web playground, start `kubeplay serve`
  test    set up what is missing, then run every check and test (what CI runs)
  wasm-test
          set up what is missing, then run only the wasm32 tests: the core's whole test
          suite under node, the web app's unit tests in headless Chromium
  setup   only install what is missing (wasm32 target, tools, Debian packages)
  dist    build the web playground into dist/
  e2e     build dist/, then run the playground's end-to-end test in headless Chromium
          (`e2e --no-build` reuses dist/ as it is)
";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(command) = args.first() else {
        print!("{USAGE}");
        return Ok(());
    };
    let rest = &args[1..];
    match command.as_str() {
        "setup" => setup::run(),
        "dist" => {
            setup::run()?;
            dist::build()
        }
        "run" => {
            setup::run()?;
            dist::build()?;
            run_serve(rest)
        }
        "test" => {
            setup::run()?;
            test_all()
        }
        "wasm-test" => {
            setup::run()?;
            util::step("core wasm32 tests (node)", wasm::run_core_tests)?;
            util::step(
                "web app wasm32 unit tests (headless Chromium)",
                wasm::run_web_tests,
            )
        }
        "e2e" => {
            if rest.first().map(String::as_str) != Some("--no-build") {
                setup::run()?;
                dist::build()?;
            }
            util::step("browser end-to-end test (headless Chromium)", browser::run)
        }
        "help" | "-h" | "--help" => {
            print!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown xtask command `{other}`\n\n{USAGE}"),
    }
}

/// Starts the node host with the playground, passing extra arguments through.
fn run_serve(extra: &[String]) -> Result<()> {
    let mut args = vec!["run", "--release", "--package", "kubeplay", "--", "serve"];
    args.extend(extra.iter().map(String::as_str));
    util::cargo(&args)
}

/// Every check CI runs, in the order that fails fastest.
fn test_all() -> Result<()> {
    util::step("format", || util::cargo(&["fmt", "--all", "--check"]))?;
    util::step("clippy", || {
        util::cargo(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])
    })?;
    util::step("docs build without warnings", || {
        // Broken or private intra-doc links are bugs in the docs a reader follows.
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
        util::run(
            std::process::Command::new(cargo)
                .args(["doc", "--workspace", "--no-deps"])
                .env("RUSTDOCFLAGS", "-D warnings")
                .current_dir(util::workspace_root()),
        )
    })?;
    util::step("core builds for wasm32", wasm::check_core_builds)?;
    util::step("web app builds for wasm32", || {
        util::cargo(&[
            "build",
            "--package",
            "kubeplay-web",
            "--target",
            setup::WASM_TARGET,
        ])
    })?;
    util::step("native tests", || {
        // The node host's Python client tests run the interpreter setup installed.
        std::env::set_var("KUBEPLAY_PYTHON", setup::python_interpreter());
        util::cargo(&["test", "--workspace", "--all-targets"])
    })?;
    util::step("core wasm32 tests (node)", wasm::run_core_tests)?;
    util::step(
        "web app wasm32 unit tests (headless Chromium)",
        wasm::run_web_tests,
    )?;
    util::step("web app release build (dist/)", dist::build)?;
    util::step("browser end-to-end test (headless Chromium)", browser::run)?;
    Ok(())
}
