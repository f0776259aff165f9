//! The official Kubernetes Python client against `kubeplay serve`: starts the server with
//! simulated nodes on `127.0.0.1:0` and runs `tests/python/client_scenario.py` (create a
//! Deployment and a Service, rollout, scale, set image, history, undo, label selectors,
//! watch, logs, conflicts, cascading delete) with the server's kubeconfig.
//!
//! The interpreter comes from `KUBEPLAY_PYTHON`, which `cargo xtask test` sets to the virtual
//! environment `cargo xtask setup` installs the pinned client into. Without it the test
//! prints why and checks nothing.

// This harness drives processes with wall-clock timeouts, which is its job.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long the whole scenario may take.
const SCENARIO_TIMEOUT: Duration = Duration::from_secs(240);

/// The Python interpreter with the client installed, or why there is none.
fn python_with_client() -> Result<PathBuf, String> {
    let Some(python) = std::env::var_os("KUBEPLAY_PYTHON").map(PathBuf::from) else {
        return Err(
            "KUBEPLAY_PYTHON is not set (`cargo xtask test` sets it after installing the client)"
                .into(),
        );
    };
    let has_client = Command::new(&python)
        .args(["-c", "import kubernetes"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if has_client {
        Ok(python)
    } else {
        Err(format!(
            "{} cannot import kubernetes (run `cargo xtask setup`)",
            python.display()
        ))
    }
}

#[test]
fn the_official_python_client_runs_a_deployment_lifecycle() {
    let python = match python_with_client() {
        Ok(python) => python,
        Err(why) => {
            eprintln!("skipped: {why}");
            return;
        }
    };
    let dir = tempfile::tempdir().expect("temp data dir");
    let mut server = Command::new(env!("CARGO_BIN_EXE_kubeplay"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--sim-nodes",
            "2",
            "--data-dir",
        ])
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start kubeplay serve");
    let kubeconfig = dir.path().join("kubeconfig");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !kubeconfig.is_file() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/python/client_scenario.py");
    let mut scenario = Command::new(&python)
        .arg(&script)
        .env("KUBECONFIG", &kubeconfig)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the Python client scenario");
    // Every wait inside the script is bounded; this bounds the whole run as well.
    let deadline = Instant::now() + SCENARIO_TIMEOUT;
    while scenario.try_wait().expect("wait for python").is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let timed_out = scenario.try_wait().expect("wait for python").is_none();
    if timed_out {
        let _ = scenario.kill();
    }
    let output = scenario.wait_with_output().expect("python output");
    let _ = server.kill();
    let _ = server.wait();
    assert!(
        !timed_out,
        "the Python client scenario took longer than {SCENARIO_TIMEOUT:?}"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the Python client scenario failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    assert!(
        stdout.contains("ok: delete with cascade"),
        "the scenario stopped early:\n{stdout}"
    );
}
