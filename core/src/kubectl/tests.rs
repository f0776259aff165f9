//! Scenario tests of the in-core kubectl: a scripted cluster in a [`World`], commands run
//! through [`run`], and the transcript compared with a golden file
//! (`core/tests/golden/kubectl_get.txt`). Plain `#[test]`s with no file access, so they build
//! for wasm32 too. A property test feeds arbitrary lines and checks that each ends with an
//! exit code and a message, never a panic.

use std::time::Duration;

use super::*;
use crate::api::manifest::parse_manifests;
use crate::sim::world::{World, WorldConfig};

const MANIFESTS: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
        tier: front
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 80
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: kube-public
data:
  color: blue
";

/// A two-node cluster running the manifests, settled and a minute older.
fn scenario() -> World {
    let mut world = World::new(&WorldConfig {
        nodes: 2,
        ..WorldConfig::default()
    });
    for object in parse_manifests(MANIFESTS).expect("the scenario's manifests parse") {
        let namespace = match object.namespace() {
            "" => "default".to_string(),
            other => other.to_string(),
        };
        world
            .api()
            .create(&namespace, object)
            .expect("the scenario's objects are created");
    }
    world.advance(Duration::from_secs(60));
    world
}

/// Runs each line and writes a transcript: the command, stdout, stderr lines prefixed with
/// `! `, and the exit code when it is not 0.
fn transcript(world: &mut World, lines: &[&str]) -> String {
    let mut text = String::new();
    for line in lines {
        let now = world.now();
        let output = run(world.api(), now, line);
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

const GET_SCRIPT: &[&str] = &[
    "kubectl get nodes",
    "kubectl get nodes -o wide",
    "kubectl get deploy,rs,pods",
    "kubectl get pods -o wide",
    "kubectl get pods --show-labels",
    "kubectl get deploy -L app -L tier",
    "kubectl get svc,ep -A",
    "kubectl get cm -A",
    "kubectl get ns",
    "kubectl get deploy web -o name",
    "kubectl get pods -l 'app in (web)' -o name",
    "kubectl get pods --field-selector=spec.nodeName=node-1 -o name",
    "kubectl get deploy -o jsonpath='{.items[*].metadata.name}{\"\\n\"}'",
    "kubectl get pods -o jsonpath='{range .items[*]}{.metadata.name}{\"\\t\"}{.status.phase}{\"\\n\"}{end}'",
    "kubectl get deploy -o custom-columns=NAME:.metadata.name,REPLICAS:.spec.replicas,MISSING:.spec.nothing",
    "kubectl get cm settings -n kube-public -o yaml",
    "kubectl get cm -n kube-public -o json",
    "kubectl get pods -n kube-system",
    "kubectl get nodes -l nothing=here",
    "kubectl get pods x",
    "kubectl get po/x deploy/web",
    "kubectl get foo",
    "kubectl get pods,foo",
    "kubectl get",
    "kubectl get pods --foo",
    "kubectl get pods -z",
    "kubectl get pods -n",
    "kubectl get pods -o foo",
    "kubectl get pods --field-selector=foo=bar",
    "kubectl get pods -l 'app in (x'",
    "kubectl get deploy web ns/default",
    "kubectl get deploy -o 'jsonpath={.items[0].metadata.name'",
    "kubectl gt pods",
    "kubectl describe pods",
    "kubectl api-resources",
    "kubectl version",
    "kubectl cluster-info",
];

#[test]
fn get_prints_tables_formats_and_errors_as_kubectl_does() {
    let mut world = scenario();
    let actual = transcript(&mut world, GET_SCRIPT);
    let expected = include_str!("../../tests/golden/kubectl_get.txt");
    if actual != expected {
        println!("---- actual transcript ----\n{actual}---- end ----");
    }
    assert_eq!(actual, expected);
}

#[test]
fn get_watch_prints_the_current_rows_then_a_row_per_change() {
    let mut world = scenario();
    let now = world.now();
    let mut output = run(world.api(), now, "kubectl get deploy -w");
    assert_eq!(output.exit_code, 0, "{}", output.stderr);
    assert!(
        output.stdout.starts_with("NAME   READY"),
        "{}",
        output.stdout
    );
    let mut watch = output.watch.take().expect("get -w returns a watch");
    let now = world.now();
    let scaled = run(
        world.api(),
        now,
        "kubectl get deploy web -o jsonpath={.spec.replicas}",
    );
    assert_eq!(scaled.stdout, "2");
    let mut deployment = world
        .api()
        .get(crate::api::objects::Kind::Deployment, "default", "web")
        .expect("the deployment exists")
        .as_ref()
        .clone();
    if let crate::api::objects::Object::Deployment(d) = &mut deployment {
        if let Some(spec) = d.spec.as_mut() {
            spec.replicas = Some(3);
        }
    }
    world
        .api()
        .update("default", deployment)
        .expect("the scale-up is written");
    world.advance(Duration::from_secs(30));
    let now = world.now();
    let more = watch.poll(world.api(), now);
    assert!(more.stdout.lines().count() >= 1, "no rows after a change");
    assert!(
        more.stdout.lines().all(|l| l.starts_with("web ")),
        "{}",
        more.stdout
    );
    assert!(more.stdout.contains("3/3"), "{}", more.stdout);
    watch.stop(world.api());
}

#[test]
fn watching_several_kinds_is_refused_like_kubectl() {
    let mut world = scenario();
    let now = world.now();
    let output = run(world.api(), now, "kubectl get pods,svc -w");
    assert_eq!(output.exit_code, 1);
    assert_eq!(output.stderr, "error: watch is only supported on individual resources and resource collections - more than 1 resource was found\n");
}

#[cfg(not(target_arch = "wasm32"))]
mod properties {
    use super::*;
    use crate::apiserver::ApiServer;
    use proptest::prelude::*;

    fn word() -> impl Strategy<Value = String> {
        let command_names: Vec<String> = commands::COMMANDS
            .iter()
            .map(|c| c.name.to_string())
            .collect();
        prop_oneof![
            proptest::sample::select(command_names),
            proptest::sample::select(vec![
                "deployment".to_string(),
                "deploy/web".to_string(),
                "service".to_string(),
                "clusterip".to_string(),
                "status".to_string(),
                "history".to_string(),
                "undo".to_string(),
                "image".to_string(),
                "x=y".to_string(),
                "x-".to_string(),
                "--image=nginx".to_string(),
                "--replicas=3".to_string(),
                "--tcp=80:8080".to_string(),
                "--port=80".to_string(),
                "-f".to_string(),
                "-f -".to_string(),
                "--all".to_string(),
                "--overwrite".to_string(),
                "--to-revision=1".to_string(),
                "node-1".to_string(),
                "--force".to_string(),
            ]),
            Just("get".to_string()),
            Just("pods".to_string()),
            Just("deploy,rs,po".to_string()),
            Just("-o".to_string()),
            Just("-owide".to_string()),
            Just("jsonpath={.items[*]".to_string()),
            Just("custom-columns=A:.x,B".to_string()),
            Just("-l".to_string()),
            Just("-A".to_string()),
            Just("-w".to_string()),
            Just("--".to_string()),
            Just("'".to_string()),
            Just("po/".to_string()),
            "[ -~]{0,12}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn any_command_line_ends_with_an_exit_code_and_a_message(words in proptest::collection::vec(word(), 0..6)) {
            let mut api = ApiServer::new(1, Timestamp(1_000));
            let line = format!("kubectl {}", words.join(" "));
            let mut host = Host::default();
            host.files.insert("-".to_string(), MANIFESTS.to_string());
            let output = Kubectl::default().run_with_host(&mut api, Timestamp(2_000), &line, &mut host);
            if output.exit_code != 0 {
                prop_assert!(!output.stderr.is_empty(), "{line}: failed silently");
            }
            if let Some(watch) = output.watch {
                watch.stop(&mut api);
            }
        }
    }
}

#[test]
fn rollout_status_accepts_a_go_duration_timeout_and_refuses_a_bad_one() {
    let mut world = scenario();
    let now = world.now();
    let plain = run(world.api(), now, "kubectl rollout status deploy/web");
    let timed = run(
        world.api(),
        now,
        "kubectl rollout status deploy/web --timeout=90s",
    );
    assert_eq!(timed.exit_code, 0, "{}", timed.stderr);
    assert_eq!(timed.stdout, plain.stdout);
    let bad = run(
        world.api(),
        now,
        "kubectl rollout status deploy/web --timeout=soon",
    );
    assert_ne!(bad.exit_code, 0);
    assert!(
        bad.stderr.starts_with(
            "error: invalid argument \"soon\" for \"--timeout\" flag: time: invalid duration \"soon\""
        ),
        "{}",
        bad.stderr
    );
}
