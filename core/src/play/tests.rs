//! Scenario tests of the playground session: scripts of lines run through
//! [`Session::run_line`] on a seeded cluster, the transcript compared with golden files
//! (`core/tests/golden/play_*.txt`, read with `include_str!` so the tests build for wasm32
//! too). A property test feeds arbitrary lines: each ends with an exit code, a failure always
//! says why, nothing panics.
//!
//! `kubectl create` is not in the core's kubectl yet, so the scenarios create their objects
//! through the API in the setup and the scripts start from there.

use std::time::Duration;

use super::*;
use crate::api::manifest::parse_manifests;

const WEB: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
";

const SOLO: &str = "apiVersion: v1
kind: Pod
metadata:
  name: solo
spec:
  containers:
  - name: app
    image: nginx:1.25
";

const GREEDY: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: greedy
spec:
  replicas: 1
  selector:
    matchLabels:
      app: greedy
  template:
    metadata:
      labels:
        app: greedy
    spec:
      containers:
      - name: app
        image: nginx:1.25
        resources:
          requests:
            cpu: '64'
";

/// A fresh three-node session with these manifests created in `default`, then one step of
/// virtual time, as a `kubectl apply` line will do once the core's kubectl has it.
fn session_with(manifests: &[&str]) -> Session {
    let config = PlayConfig::default();
    let mut world = World::new(&config.world_config());
    world.api().set_user("kubectl");
    for manifest in manifests {
        for object in parse_manifests(manifest).expect("the scenario's manifests parse") {
            world
                .api()
                .create("default", object)
                .expect("the scenario's objects are created");
        }
    }
    world.advance(config.step_per_command);
    Session::with_world(world, config)
}

/// Runs each line and writes a transcript: the line, stdout, stderr lines prefixed with
/// `! `, and the exit code when it is not 0.
fn transcript(session: &mut Session, script: &str) -> String {
    let mut text = String::new();
    for line in script.lines() {
        let output = session.run_line(line);
        text.push_str(&format!("$ {line}\n{}", output.stdout));
        for error_line in output.stderr.lines() {
            text.push_str(&format!("! {error_line}\n"));
        }
        if output.exit_code != 0 {
            text.push_str(&format!("[exit {}]\n", output.exit_code));
        }
        text.push('\n');
    }
    text
}

fn assert_golden(actual: &str, expected: &str, file: &str) {
    if actual != expected {
        println!("---- actual {file} ----\n{actual}---- end ----");
    }
    assert_eq!(actual, expected, "{file} differs");
}

#[test]
fn play_wait_settles_a_new_deployment_and_get_prints_the_settled_tables() {
    let mut session = session_with(&[WEB]);
    let actual = transcript(
        &mut session,
        "kubectl get deploy,rs,pods
play wait
kubectl get deploy,rs,pods -o wide
play time",
    );
    assert_golden(
        &actual,
        include_str!("../../tests/golden/play_wait.txt"),
        "play_wait.txt",
    );
}

#[test]
fn a_stopped_node_s_pods_are_replaced_elsewhere_after_the_eviction_timeout() {
    let mut session = session_with(&[WEB]);
    let actual = transcript(
        &mut session,
        "play wait
kubectl get pods -o wide
play node stop node-1
play nodes
play advance 1m
play nodes
kubectl get nodes
play advance 5m
play wait
kubectl get pods -o wide
play node start node-1
play wait
kubectl get nodes
kubectl get pods -o wide
play node add
play nodes",
    );
    assert_golden(
        &actual,
        include_str!("../../tests/golden/play_node_stop.txt"),
        "play_node_stop.txt",
    );
}

#[test]
fn faults_timeouts_comments_and_usage_errors_print_as_documented() {
    let mut session = session_with(&[SOLO, GREEDY]);
    let actual = transcript(
        &mut session,
        "# a comment, then a blank line

kubectl get pods   # a trailing comment
play wait --timeout 30s
play crash solo
kubectl get pod solo
play advance 30s
kubectl get pod solo
play registry-bandwidth 10MB/s
hello
play
play wat
play wait --foo
play wait --timeout 5d
play wait extra
play advance
play advance 5
play advance -1s
play node
play node stop
play node stop node-9
play node reboot node-1
play node add 0
play crash
play crash nope
play crash solo -c nope
play registry-bandwidth fast
play traffic web -n 10
play dns web
play time extra
kubectl get pods 'unterminated
play help
play node --help",
    );
    assert_golden(
        &actual,
        include_str!("../../tests/golden/play_errors.txt"),
        "play_errors.txt",
    );
}

#[test]
fn get_watch_prints_rows_while_play_wait_moves_time_until_the_next_kubectl_line() {
    let mut session = session_with(&[WEB]);
    let watched = session.run_line("kubectl get deploy -w");
    assert_eq!(watched.exit_code, 0, "{}", watched.stderr);
    assert!(
        watched.stdout.starts_with("NAME   READY"),
        "{}",
        watched.stdout
    );
    assert!(session.is_watching());
    let waited = session.run_line("play wait");
    assert_eq!(waited.exit_code, 0, "{}", waited.stderr);
    let rows: Vec<&str> = waited.stdout.lines().collect();
    assert!(
        rows.iter()
            .any(|row| row.starts_with("web ") && row.contains("3/3")),
        "{}",
        waited.stdout
    );
    assert!(
        rows.last()
            .is_some_and(|l| l.starts_with("cluster settled after")),
        "{}",
        waited.stdout
    );
    let next = session.run_line("kubectl get deploy -o name");
    assert!(!session.is_watching());
    assert_eq!(next.stdout, "deployment.apps/web\n");
}

#[test]
fn each_kubectl_line_moves_virtual_time_by_one_step() {
    let mut session = session_with(&[]);
    let start = session.world().now();
    session.run_line("kubectl get pods");
    session.run_line("kubectl version");
    assert_eq!(session.world().now().since(start), Duration::from_secs(2));
    session.run_line("play nodes");
    session.run_line("# only a comment");
    assert_eq!(session.world().now().since(start), Duration::from_secs(2));
}

#[test]
fn comments_start_at_a_hash_that_begins_a_word_outside_quotes() {
    let cases = [
        ("# all comment", ""),
        ("kubectl get pods # list", "kubectl get pods "),
        ("kubectl get pods -l 'a=#b'", "kubectl get pods -l 'a=#b'"),
        (
            "kubectl get pods -l \"x #y\"",
            "kubectl get pods -l \"x #y\"",
        ),
        ("kubectl get a#b", "kubectl get a#b"),
        ("play wait\t#t", "play wait\t"),
    ];
    for (line, want) in cases {
        assert_eq!(strip_comment(line), want, "{line}");
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn word() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("play".to_string()),
            Just("kubectl".to_string()),
            Just("wait".to_string()),
            Just("--timeout".to_string()),
            Just("1s".to_string()),
            Just("advance".to_string()),
            Just("node".to_string()),
            Just("stop".to_string()),
            Just("add".to_string()),
            Just("node-1".to_string()),
            Just("crash".to_string()),
            Just("-c".to_string()),
            Just("registry-bandwidth".to_string()),
            Just("get".to_string()),
            Just("-w".to_string()),
            Just("#".to_string()),
            Just("'".to_string()),
            "[ -~]{0,12}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn any_line_ends_with_an_exit_code_and_a_failure_always_says_why(
            lines in proptest::collection::vec(proptest::collection::vec(word(), 0..5), 1..4)
        ) {
            let mut session = Session::new(PlayConfig {
                nodes: 1,
                wait_timeout: Duration::from_secs(5),
                ..PlayConfig::default()
            });
            for words in lines {
                let line = words.join(" ");
                let output = session.run_line(&line);
                if output.exit_code != 0 {
                    prop_assert!(!output.stderr.is_empty(), "{line}: failed silently");
                }
                prop_assert!(output.exit_code == 0 || output.exit_code == 1, "{line}");
            }
        }
    }
}

const CLIENT_AND_SERVICE: &str = "apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
---
apiVersion: v1
kind: Pod
metadata:
  name: client
spec:
  containers:
  - name: sh
    image: busybox:1.36
    command: [sleep, infinity]
";

#[test]
fn play_traffic_and_dns_print_the_spread_the_failures_and_the_dns_load() {
    let mut session = session_with(&[WEB, CLIENT_AND_SERVICE]);
    let actual = transcript(
        &mut session,
        "play wait
play traffic svc/web --from pod/client --requests 900
play dns web --from pod/client
play dns web.default.svc.cluster.local.
play dns nope
kubectl scale deployment web --replicas=0
play wait
play traffic web --from client --requests 10
play traffic web --node-port
play traffic web
play traffic svc/web --from pod/nope
play traffic web --from client --requests lots
play traffic kubernetes --from client --requests 4
play traffic --help",
    );
    assert_golden(
        &actual,
        include_str!("../../tests/golden/play_traffic.txt"),
        "play_traffic.txt",
    );
}

#[test]
fn a_crashing_container_shows_error_then_crash_loop_back_off_then_running() {
    let mut session = session_with(&[SOLO]);
    let actual = transcript(
        &mut session,
        "play wait
play crash solo
kubectl get pod solo
play advance 5s
kubectl get pod solo
play crash solo
kubectl get pod solo
kubectl get pod solo -o jsonpath={.status.containerStatuses[0].state}
play advance 10s
kubectl get pod solo
kubectl get pod solo -o jsonpath={.status.containerStatuses[0].lastState.terminated.reason}
play advance 5s
kubectl get pod solo
play crash solo
play advance 12s
kubectl get pod solo
kubectl get pod solo -o jsonpath={.status.containerStatuses[0].state.waiting.reason}
play advance 10s
kubectl get pod solo",
    );
    assert_golden(
        &actual,
        include_str!("../../tests/golden/play_crash.txt"),
        "play_crash.txt",
    );
}

#[test]
fn play_wait_after_a_crash_waits_for_the_restart_and_a_never_policy_pod_stays_settled() {
    let mut session = session_with(&[SOLO]);
    assert!(session.run_line("play wait").stdout.contains("settled"));
    session.run_line("play crash solo");
    let waited = session.run_line("play wait");
    assert!(
        waited.stdout.contains("cluster settled after"),
        "{}",
        waited.stdout
    );
    assert_ne!(waited.stdout, "cluster settled after 0s\n");
    let row = session.run_line("kubectl get pod solo").stdout;
    assert!(row.contains("Running") && row.contains("1/1"), "{row}");

    // A container that exits under restartPolicy Never is not started again: nothing moves.
    let never = SOLO
        .replace("name: solo", "name: once")
        .replace("containers:", "restartPolicy: Never\n  containers:");
    let mut session = session_with(&[&never]);
    session.run_line("play wait");
    session.run_line("play crash once");
    let waited = session.run_line("play wait").stdout;
    assert!(waited.contains("cluster settled after"), "{waited}");
    let row = session.run_line("kubectl get pod once").stdout;
    assert!(row.contains("Error"), "{row}");
}

#[test]
fn a_kubelet_status_write_keeps_the_conditions_the_kubelet_does_not_own() {
    use crate::api::objects::Kind;
    use k8s_openapi::api::core::v1::PodCondition;

    let mut session = session_with(&[SOLO]);
    session.run_line("play wait");
    let api = session.world().api();
    let object = api.get(Kind::Pod, "default", "solo").unwrap();
    let crate::api::objects::Object::Pod(pod) = object.as_ref() else {
        panic!("not a pod");
    };
    let mut pod = (**pod).clone();
    let scheduled_at = pod
        .status
        .as_ref()
        .and_then(|s| s.condition("PodScheduled"))
        .and_then(|c| c.last_transition_time());
    if pod.status.is_some() {
        pod.edit_status(|status| {
            if let Some(conditions) = status.conditions.as_mut() {
                conditions.push(PodCondition {
                    type_: "DisruptionTarget".to_string(),
                    status: "True".to_string(),
                    reason: Some("EvictionByEvictionAPI".to_string()),
                    ..PodCondition::default()
                });
            }
        });
    }
    pod.set_resource_version(None);
    api.update_status("default", crate::api::objects::Object::from(pod))
        .unwrap();
    // The crash makes the kubelet write the pod's status again.
    session.run_line("play crash solo");
    session.run_line("play advance 3s");
    let api = session.world().api();
    let object = api.get(Kind::Pod, "default", "solo").unwrap();
    let crate::api::objects::Object::Pod(pod) = object.as_ref() else {
        panic!("not a pod");
    };
    let conditions = pod
        .to_status()
        .and_then(|s| s.conditions)
        .unwrap_or_default();
    let types: Vec<&str> = conditions.iter().map(|c| c.type_.as_str()).collect();
    assert_eq!(
        types,
        [
            "DisruptionTarget",
            "PodReadyToStartContainers",
            "Initialized",
            "Ready",
            "ContainersReady",
            "PodScheduled"
        ]
    );
    let scheduled = conditions.iter().find(|c| c.type_ == "PodScheduled");
    assert_eq!(
        scheduled.and_then(|c| c.last_transition_time.clone()),
        scheduled_at
    );
}
