//! `kubeplay sim` end to end: the binary runs a small cluster to completion, prints one JSON
//! object with the documented fields, and the same seed gives the same trace hash.

use std::process::Command;

fn sim(args: &[&str]) -> serde_json::Value {
    let output = Command::new(env!("CARGO_BIN_EXE_kubeplay"))
        .arg("sim")
        .args(args)
        .arg("--json")
        .output()
        .expect("kubeplay runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("one JSON object on stdout")
}

#[test]
fn kubeplay_sim_runs_every_pod_and_reports_the_documented_fields() {
    let report = sim(&["--nodes", "4", "--pods", "60", "--seed", "5"]);
    for field in [
        "pods_running",
        "pods_scheduled",
        "scheduler_pods_per_second",
        "scheduler_seconds",
        "pods_per_second",
        "virtual_seconds",
        "wall_seconds",
        "trace_hash",
    ] {
        assert!(report.get(field).is_some(), "missing {field} in {report}");
    }
    assert_eq!(report["pods_running"], 60);
    assert_eq!(report["all_running"], true);
    // The scheduler's own wall time is part of the run's, and was measured.
    let seconds = |field: &str| report[field].as_f64().unwrap_or(-1.0);
    assert!(seconds("scheduler_seconds") > 0.0, "{report}");
    assert!(
        seconds("scheduler_seconds") <= seconds("wall_seconds"),
        "{report}"
    );
    assert!(
        seconds("scheduler_pods_per_second") >= seconds("pods_per_second"),
        "{report}"
    );
}

#[test]
fn kubeplay_sim_is_deterministic_for_a_seed() {
    let a = sim(&["--nodes", "3", "--pods", "30", "--seed", "9"]);
    let b = sim(&["--nodes", "3", "--pods", "30", "--seed", "9"]);
    let c = sim(&["--nodes", "3", "--pods", "30", "--seed", "10"]);
    assert_eq!(a["trace_hash"], b["trace_hash"]);
    assert_eq!(a["virtual_seconds"], b["virtual_seconds"]);
    assert_ne!(a["trace_hash"], c["trace_hash"]);
}

#[test]
fn kubeplay_sim_reports_pods_that_do_not_fit() {
    let report = sim(&[
        "--nodes",
        "1",
        "--pods",
        "12",
        "--max-pods",
        "10",
        "--max-virtual-seconds",
        "120",
    ]);
    assert_eq!(report["all_running"], false);
    assert_eq!(report["pods_running"], 10);
    assert_eq!(report["pods_pending"], 2);
}
