//! Core kubectl run through `World::kubectl`: the same command line the browser terminal and
//! `kubeplay play` use, with the simulated runtime's container logs behind `kubectl logs`.

// On wasm32 each plain `#[test]` here becomes a wasm-bindgen test (see kubeplay-wasm-test).
#[cfg(target_arch = "wasm32")]
#[macro_use]
extern crate kubeplay_wasm_test;

use std::collections::BTreeMap;
use std::time::Duration;

use kubeplay_core::kubectl::Kubectl;
use kubeplay_core::sim::world::{World, WorldConfig};

fn run(world: &mut World, line: &str) -> kubeplay_core::kubectl::Output {
    let output = world.kubectl(&Kubectl::default(), line, BTreeMap::new());
    world.settle();
    output
}

#[test]
fn kubectl_logs_prints_what_the_simulated_nginx_wrote() {
    let mut world = World::new(&WorldConfig::default());
    let created = run(
        &mut world,
        "kubectl create deployment web --image=nginx:1.25 --replicas=1",
    );
    assert_eq!(created.exit_code, 0, "{}", created.stderr);
    assert_eq!(created.stdout, "deployment.apps/web created\n");
    world.advance(Duration::from_secs(60));
    let logs = run(&mut world, "kubectl logs deployment/web");
    assert_eq!(logs.exit_code, 0, "{}", logs.stderr);
    assert!(
        logs.stdout.contains("nginx") && logs.stdout.lines().count() > 3,
        "nginx's startup lines:\n{}",
        logs.stdout
    );
    let previous = run(&mut world, "kubectl logs deployment/web --previous");
    assert_eq!(previous.exit_code, 1);
    assert!(
        previous
            .stderr
            .contains("previous terminated container \"nginx\""),
        "{}",
        previous.stderr
    );
}

#[test]
fn kubectl_apply_reads_the_files_the_host_supplies() {
    let mut world = World::new(&WorldConfig::default());
    let manifest =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  color: blue\n";
    let files = BTreeMap::from([("cm.yaml".to_string(), manifest.to_string())]);
    let applied = world.kubectl(
        &Kubectl::default(),
        "kubectl apply -f cm.yaml",
        files.clone(),
    );
    assert_eq!(
        applied.stdout, "configmap/settings created\n",
        "{}",
        applied.stderr
    );
    let again = world.kubectl(&Kubectl::default(), "kubectl apply -f cm.yaml", files);
    assert_eq!(
        again.stdout, "configmap/settings unchanged\n",
        "{}",
        again.stderr
    );
    let missing = world.kubectl(
        &Kubectl::default(),
        "kubectl apply -f nope.yaml",
        BTreeMap::new(),
    );
    assert_eq!(missing.exit_code, 1);
    assert!(!missing.stderr.is_empty());
}
