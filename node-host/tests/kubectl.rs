//! The real `kubectl` against `kubeplay serve`: each test starts the `kubeplay` binary on
//! `127.0.0.1:0` with a fresh data directory, points `KUBECONFIG` at the kubeconfig it writes,
//! and checks what kubectl prints. Every kubectl run is bounded by a timeout. Without kubectl
//! on the PATH the tests print why and pass without checking anything.

// clippy.toml bans the wall clock and file I/O for the sans-IO core; this harness drives
// processes with wall-clock timeouts and writes manifests, which is its job.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, Instant};

mod common;
use common::{KubectlRun as Run, ServeProcess};

/// How long one kubectl command may take (`rollout status --timeout=60s` included).
const KUBECTL_TIMEOUT: Duration = Duration::from_secs(90);

/// How fast the test server's simulated nodes pull images and start containers.
const TEST_SIM_SPEED: &str = "10";

const WEB_MANIFEST: &str = "apiVersion: apps/v1
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
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        ports:
        - containerPort: 80
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
";

const WEB_POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web-1
  labels:
    app: web
spec:
  containers:
  - name: nginx
    image: nginx:1.25
";

/// A running `kubeplay serve`, stopped (killed) on drop.
struct Kubeplay {
    process: ServeProcess,
}

impl Kubeplay {
    /// Starts the server with one fast simulated node, or `None` (with the reason printed)
    /// when kubectl is missing.
    fn start() -> Option<Kubeplay> {
        Kubeplay::start_with(&[])
    }

    /// Starts the server with these extra `kubeplay serve` arguments.
    fn start_with(extra: &[&str]) -> Option<Kubeplay> {
        if !common::have_kubectl("these tests drive the real kubectl") {
            return None;
        }
        let mut args = vec!["--sim-speed", TEST_SIM_SPEED];
        args.extend_from_slice(extra);
        Some(Kubeplay {
            process: ServeProcess::start(&args),
        })
    }

    fn kubeconfig(&self) -> PathBuf {
        self.process.kubeconfig()
    }

    /// Writes a file into the data directory and returns its path.
    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.process.data_dir().join(name);
        write(&path, text);
        path
    }

    /// Runs kubectl with this server's kubeconfig.
    fn kubectl(&self, args: &[&str]) -> Run {
        self.kubectl_with(&self.kubeconfig(), args)
    }

    /// Runs kubectl with another kubeconfig.
    fn kubectl_with(&self, kubeconfig: &Path, args: &[&str]) -> Run {
        common::run_kubectl(kubeconfig, args, KUBECTL_TIMEOUT)
    }

    fn spawn_kubectl(&self, kubeconfig: &Path, args: &[&str]) -> Child {
        common::spawn_kubectl(kubeconfig, args)
    }

    /// Runs kubectl and insists it succeeds; returns its output.
    fn ok(&self, args: &[&str]) -> String {
        let run = self.kubectl(args);
        assert!(
            run.success,
            "kubectl {args:?} failed:\n{}\n{}",
            run.stdout, run.stderr
        );
        run.stdout
    }

    /// Runs kubectl until its output satisfies `done` (every 250 ms, up to 60 s); returns the
    /// last output.
    fn eventually(&self, args: &[&str], done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let output = self.ok(args);
            if done(&output) {
                return output;
            }
            assert!(
                Instant::now() < deadline,
                "kubectl {args:?} never printed what was expected; last:\n{output}"
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// Runs kubectl and insists it fails; returns its stderr.
    fn fails(&self, args: &[&str]) -> String {
        let run = self.kubectl(args);
        assert!(!run.success, "kubectl {args:?} succeeded:\n{}", run.stdout);
        run.stderr
    }
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write test file");
}

/// The words of the first line (the header) of a kubectl table.
fn header(output: &str) -> Vec<&str> {
    output
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect()
}

#[test]
fn get_namespaces_shows_the_four_system_namespaces_as_active() {
    let Some(server) = Kubeplay::start() else {
        return;
    };
    let output = server.ok(&["get", "ns"]);
    assert_eq!(header(&output), ["NAME", "STATUS", "AGE"]);
    for namespace in ["default", "kube-system", "kube-public", "kube-node-lease"] {
        assert!(
            output
                .lines()
                .any(|line| line.starts_with(namespace) && line.contains("Active")),
            "{namespace} missing in:\n{output}"
        );
    }
}

#[test]
fn apply_creates_a_deployment_and_a_service_and_get_prints_the_usual_columns() {
    // Without nodes the pods stay Pending, so READY stays 0/2 whenever kubectl looks.
    let Some(server) = Kubeplay::start_with(&["--sim-nodes", "0"]) else {
        return;
    };
    let manifest = server.file("web.yaml", WEB_MANIFEST);
    let manifest = manifest.to_str().expect("UTF-8 path");
    let applied = server.ok(&["apply", "-f", manifest]);
    assert!(applied.contains("deployment.apps/web created"), "{applied}");
    assert!(applied.contains("service/web created"), "{applied}");

    let deployments = server.ok(&["get", "deploy"]);
    assert_eq!(
        header(&deployments),
        ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    );
    assert!(deployments.contains("web    0/2"), "{deployments}");

    let services = server.ok(&["get", "svc"]);
    assert_eq!(
        header(&services),
        [
            "NAME",
            "TYPE",
            "CLUSTER-IP",
            "EXTERNAL-IP",
            "PORT(S)",
            "AGE"
        ]
    );
    let web = services
        .lines()
        .find(|line| line.starts_with("web "))
        .unwrap_or_else(|| panic!("no web service in:\n{services}"));
    let cells: Vec<&str> = web.split_whitespace().collect();
    assert_eq!(cells[1], "ClusterIP");
    assert!(cells[2].starts_with("10.96."), "{web}");
    assert_eq!(&cells[3..5], ["<none>", "80/TCP"]);

    let wide = server.ok(&["get", "deploy", "-o", "wide"]);
    assert!(
        wide.contains("nginx        nginx:1.25   app=web"),
        "wide columns: {wide}"
    );

    let again = server.ok(&["apply", "-f", manifest]);
    assert!(again.contains("service/web unchanged"), "{again}");
}

#[test]
fn label_selectors_pick_pods_and_an_invalid_selector_is_a_400() {
    let Some(server) = Kubeplay::start_with(&["--sim-nodes", "0"]) else {
        return;
    };
    let pod = server.file("pod.yaml", WEB_POD);
    server.ok(&["apply", "-f", pod.to_str().expect("UTF-8 path")]);
    server.ok(&["run", "other", "--image=busybox", "--labels=app=db"]);

    let web = server.ok(&["get", "pods", "-l", "app=web"]);
    assert_eq!(header(&web), ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
    assert!(web.contains("web-1   0/1     Pending"), "{web}");
    assert!(!web.contains("other"), "{web}");

    let set_based = server.ok(&["get", "pods", "-l", "app in (db,cache)", "-o", "name"]);
    assert_eq!(set_based.trim(), "pod/other");

    let error = server.fails(&["get", "pods", "-l", "app in (web"]);
    assert!(
        error.contains("Error from server (BadRequest)")
            && error.contains("unable to parse requirement: found '', expected: ',' or ')'"),
        "{error}"
    );
}

#[test]
fn label_scale_and_delete_with_cascade_change_the_deployment() {
    let Some(server) = Kubeplay::start() else {
        return;
    };
    let manifest = server.file("web.yaml", WEB_MANIFEST);
    server.ok(&["apply", "-f", manifest.to_str().expect("UTF-8 path")]);

    let labeled = server.ok(&["label", "deployment", "web", "tier=front"]);
    assert_eq!(labeled.trim(), "deployment.apps/web labeled");
    let by_label = server.ok(&["get", "deploy", "-l", "tier=front", "-o", "name"]);
    assert_eq!(by_label.trim(), "deployment.apps/web");

    let scaled = server.ok(&["scale", "deployment", "web", "--replicas=5"]);
    assert_eq!(scaled.trim(), "deployment.apps/web scaled");
    let replicas = server.ok(&["get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"]);
    assert_eq!(replicas, "5");

    // A foreground delete waits for the garbage collector to delete the ReplicaSet and its
    // pods before the Deployment goes.
    let deleted = server.ok(&[
        "delete",
        "deployment",
        "web",
        "--cascade=foreground",
        "--wait=false",
    ]);
    assert_eq!(deleted.trim(), "deployment.apps \"web\" deleted");
    server.eventually(&["get", "deploy,rs,pods", "-o", "name"], |out| {
        out.trim().is_empty()
    });

    server.ok(&["delete", "service", "web", "--cascade=background"]);
    let gone = server.fails(&["get", "service", "web"]);
    assert!(
        gone.contains("Error from server (NotFound): services \"web\" not found"),
        "{gone}"
    );
}

#[test]
fn get_watch_prints_an_added_event_for_a_new_pod() {
    let Some(server) = Kubeplay::start() else {
        return;
    };
    let mut watcher = server.spawn_kubectl(
        &server.kubeconfig(),
        &["get", "pods", "--watch", "--output-watch-events"],
    );
    // Give the watch time to start, then create a pod it must report.
    std::thread::sleep(Duration::from_millis(1500));
    let pod = server.file("pod.yaml", WEB_POD);
    server.ok(&["apply", "-f", pod.to_str().expect("UTF-8 path")]);
    std::thread::sleep(Duration::from_millis(1500));
    let _ = watcher.kill();
    let output = watcher.wait_with_output().expect("watch output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout
            .lines()
            .any(|line| line.starts_with("ADDED") && line.contains("web-1")),
        "no ADDED event for web-1 in:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_wrong_token_is_refused_with_401() {
    let Some(server) = Kubeplay::start() else {
        return;
    };
    // kubectl 1.32 prints "(the server has asked for the client to provide credentials)"
    // here against a real cluster too: its discovery client reads the 401 without the Status.
    let wrong = server.fails(&["--token=not-the-token", "get", "ns"]);
    assert!(
        wrong.contains("error: You must be logged in to the server"),
        "{wrong}"
    );
    // A kubeconfig user with no credentials at all makes kubectl prompt for a username
    // before it sends anything, so the missing-token case is checked with a plain HTTPS
    // client in tests/serve.rs (`api_paths_need_the_token_and_answer_401_status_without_it`).
}

#[test]
fn bad_requests_are_413_400_and_409_statuses() {
    let Some(server) = Kubeplay::start() else {
        return;
    };
    let big = server.file(
        "big.json",
        &format!(
            r#"{{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"big"}},"data":{{"a":"{}"}}}}"#,
            "x".repeat(3 * 1024 * 1024)
        ),
    );
    let path = "/api/v1/namespaces/default/configmaps";
    let too_large = server.fails(&["create", "--raw", path, "-f", big.to_str().expect("UTF-8")]);
    assert!(
        too_large.contains(
            "Error from server (RequestEntityTooLarge): Request entity too large: limit is 3145728"
        ),
        "{too_large}"
    );

    let bad = server.file("bad.json", "{not json");
    let malformed = server.fails(&["create", "--raw", path, "-f", bad.to_str().expect("UTF-8")]);
    assert!(
        malformed.contains("Error from server (BadRequest)"),
        "{malformed}"
    );

    let config_map = server.file(
        "c1.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c1\ndata:\n  a: \"1\"\n",
    );
    server.ok(&["apply", "-f", config_map.to_str().expect("UTF-8")]);
    let read_back = server.ok(&["get", "cm", "c1", "-o", "json"]);
    server.ok(&["label", "cm", "c1", "changed=yes"]);
    let stale = server.file("c1-stale.json", &read_back.replace("\"1\"", "\"2\""));
    let conflict = server.fails(&["replace", "-f", stale.to_str().expect("UTF-8")]);
    assert!(
        conflict.contains("Error from server (Conflict)")
            && conflict.contains("Operation cannot be fulfilled on configmaps \"c1\": the object has been modified; please apply your changes to the latest version and try again"),
        "{conflict}"
    );
}

#[test]
fn apply_refuses_a_manifest_with_a_misspelled_field_as_kubernetes_does() {
    let Some(server) = Kubeplay::start() else {
        return;
    };
    let typo = server.file(
        "typo.yaml",
        &WEB_MANIFEST.replace("  replicas: 2", "  replica: 2"),
    );
    let error = server.fails(&["apply", "-f", typo.to_str().expect("UTF-8 path")]);
    assert!(
        error.contains("Error from server (BadRequest): error when creating")
            && error.contains("Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.replica\""),
        "{error}"
    );
}

#[test]
fn kubectl_create_generators_work_through_protobuf_bodies() {
    let Some(server) = Kubeplay::start() else {
        return;
    };
    assert_eq!(
        server.ok(&["create", "namespace", "team-a"]).trim(),
        "namespace/team-a created"
    );
    assert_eq!(
        server
            .ok(&[
                "create",
                "configmap",
                "settings",
                "--from-literal=mode=fast"
            ])
            .trim(),
        "configmap/settings created"
    );
    assert_eq!(
        server
            .ok(&[
                "create",
                "deployment",
                "web",
                "--image=nginx:1.25",
                "--replicas=3",
                "--port=80"
            ])
            .trim(),
        "deployment.apps/web created"
    );
    assert_eq!(
        server
            .ok(&["create", "service", "nodeport", "web", "--tcp=80:8080"])
            .trim(),
        "service/web created"
    );
    let spec = server.ok(&[
        "get",
        "deploy",
        "web",
        "-o",
        "jsonpath={.spec.replicas} {.spec.selector.matchLabels.app} {.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort}",
    ]);
    assert_eq!(spec, "3 web nginx:1.25 80");
    let data = server.ok(&["get", "cm", "settings", "-o", "jsonpath={.data.mode}"]);
    assert_eq!(data, "fast");
    let ports = server.ok(&[
        "get",
        "svc",
        "web",
        "-o",
        "jsonpath={.spec.ports[0].nodePort}",
    ]);
    assert!(
        ports
            .parse::<u16>()
            .is_ok_and(|port| (30000..=32767).contains(&port)),
        "{ports}"
    );
}

#[test]
fn a_deployment_rolls_out_scales_updates_history_and_undo_with_kubectl() {
    let Some(server) = Kubeplay::start() else {
        return;
    };
    server.ok(&[
        "create",
        "deployment",
        "web",
        "--image=nginx:1.25",
        "--replicas=3",
    ]);
    let status = server.ok(&["rollout", "status", "deployment/web", "--timeout=60s"]);
    assert!(
        status.contains("deployment \"web\" successfully rolled out"),
        "{status}"
    );
    let pods = server.ok(&["get", "pods"]);
    let running = pods
        .lines()
        .filter(|l| l.contains("1/1     Running"))
        .count();
    assert_eq!(running, 3, "{pods}");
    let nodes = server.ok(&["get", "pods", "-o", "jsonpath={.items[*].spec.nodeName}"]);
    assert_eq!(nodes, "node-1 node-1 node-1");

    server.ok(&["scale", "deployment", "web", "--replicas=5"]);
    server.eventually(&["get", "deploy", "web"], |out| out.contains("web    5/5"));

    let updated = server.ok(&["set", "image", "deployment/web", "nginx=nginx:1.26"]);
    assert_eq!(updated.trim(), "deployment.apps/web image updated");
    let status = server.ok(&["rollout", "status", "deployment/web", "--timeout=60s"]);
    assert!(status.contains("successfully rolled out"), "{status}");
    let images = server.eventually(
        &[
            "get",
            "pods",
            "-o",
            "jsonpath={.items[*].spec.containers[0].image}",
        ],
        |out| out.split_whitespace().count() == 5,
    );
    assert!(
        images.split_whitespace().all(|i| i == "nginx:1.26"),
        "{images}"
    );

    let history = server.ok(&["rollout", "history", "deployment/web"]);
    let revisions: Vec<&str> = history
        .lines()
        .skip_while(|l| !l.starts_with("REVISION"))
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(revisions, ["1", "2"], "{history}");

    let undone = server.ok(&["rollout", "undo", "deployment/web"]);
    assert_eq!(undone.trim(), "deployment.apps/web rolled back");
    server.ok(&["rollout", "status", "deployment/web", "--timeout=60s"]);
    let image = server.ok(&[
        "get",
        "deploy",
        "web",
        "-o",
        "jsonpath={.spec.template.spec.containers[0].image}",
    ]);
    assert_eq!(image, "nginx:1.25");
    let history = server.ok(&["rollout", "history", "deployment/web"]);
    assert!(
        history.contains("2         <none>") && history.contains("3         <none>"),
        "{history}"
    );

    server.ok(&["delete", "deployment", "web"]);
    server.eventually(&["get", "rs,pods", "-o", "name"], |out| {
        out.trim().is_empty()
    });
}

#[test]
fn logs_print_what_the_container_wrote_and_refuse_as_kubernetes_does() {
    let Some(server) = Kubeplay::start() else {
        return;
    };
    server.ok(&["create", "deployment", "web", "--image=nginx:1.25"]);
    server.ok(&["rollout", "status", "deployment/web", "--timeout=60s"]);
    let logs = server.ok(&["logs", "deploy/web"]);
    assert!(
        logs.starts_with("/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty"),
        "{logs}"
    );
    assert!(logs.contains("[notice] 1#1: nginx/1.25\n"), "{logs}");
    let tail = server.ok(&["logs", "deploy/web", "--tail=1", "--timestamps"]);
    let (time, text) = tail.trim().split_once(' ').expect("a timestamp");
    assert!(time.ends_with('Z') && time.contains('T'), "{tail}");
    assert!(text.ends_with("start worker process 29"), "{tail}");

    let pod = server.ok(&["get", "pods", "-o", "jsonpath={.items[0].metadata.name}"]);
    let previous = server.fails(&["logs", &pod, "--previous"]);
    assert!(
        previous.contains(&format!(
            "Error from server (BadRequest): previous terminated container \"nginx\" in pod \"{pod}\" not found"
        )),
        "{previous}"
    );
    let missing = server.fails(&["logs", "no-such-pod"]);
    assert!(missing.contains("(NotFound)"), "{missing}");

    // A pod with two containers needs -c; a busybox that echoes prints what it echoed.
    let two = server.file(
        "two.yaml",
        "apiVersion: v1
kind: Pod
metadata:
  name: two
spec:
  containers:
  - name: web
    image: nginx:1.25
  - name: hello
    image: busybox:1.36
    command: [sh, -c, 'echo hello from busybox; sleep 3600']
",
    );
    server.ok(&["apply", "-f", two.to_str().expect("UTF-8 path")]);
    server.ok(&["wait", "--for=condition=Ready", "pod/two", "--timeout=60s"]);
    let raw = server.fails(&["get", "--raw", "/api/v1/namespaces/default/pods/two/log"]);
    assert!(
        raw.contains("a container name must be specified for pod two, choose one of: [web hello]"),
        "{raw}"
    );
    assert_eq!(
        server.ok(&["logs", "two", "-c", "hello"]),
        "hello from busybox\n"
    );

    // follow keeps the stream open until the client leaves.
    let mut follower =
        server.spawn_kubectl(&server.kubeconfig(), &["logs", "-f", "two", "-c", "hello"]);
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        follower.try_wait().expect("poll kubectl").is_none(),
        "kubectl logs -f ended while the container runs"
    );
    let _ = follower.kill();
    let output = follower.wait_with_output().expect("follow output");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "hello from busybox\n"
    );
}

#[test]
fn get_pods_watch_sees_a_new_pod_become_running() {
    let Some(server) = Kubeplay::start() else {
        return;
    };
    let mut watcher = server.spawn_kubectl(&server.kubeconfig(), &["get", "pods", "--watch"]);
    std::thread::sleep(Duration::from_millis(1000));
    let pod = server.file("pod.yaml", WEB_POD);
    server.ok(&["apply", "-f", pod.to_str().expect("UTF-8 path")]);
    server.ok(&[
        "wait",
        "--for=condition=Ready",
        "pod/web-1",
        "--timeout=60s",
    ]);
    std::thread::sleep(Duration::from_millis(1000));
    let _ = watcher.kill();
    let output = watcher.wait_with_output().expect("watch output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let states: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("web-1"))
        .filter_map(|l| l.split_whitespace().nth(2))
        .collect();
    assert_eq!(states.first(), Some(&"Pending"), "{stdout}");
    assert_eq!(states.last(), Some(&"Running"), "{stdout}");
}

#[test]
fn apply_reads_openapi_v3_and_refuses_a_typo_in_a_patch_to_an_existing_deployment() {
    let Some(server) = Kubeplay::start() else {
        return;
    };
    let web = server.file("web.yaml", WEB_MANIFEST);
    let web = web.to_str().expect("UTF-8 path");
    let verbose = server.kubectl(&["apply", "-f", web, "-v=6"]);
    assert!(verbose.success, "{}", verbose.stderr);
    assert!(
        verbose.stderr.contains("/openapi/v3/apis/apps/v1?hash=")
            && !verbose.stderr.contains("/openapi/v2"),
        "kubectl validates through the server's OpenAPI v3:\n{}",
        verbose.stderr
    );
    let typo = server.file(
        "typo.yaml",
        &WEB_MANIFEST.replace("  replicas: 2", "  replicass: 3"),
    );
    let error = server.fails(&["apply", "-f", typo.to_str().expect("UTF-8 path")]);
    assert!(
        error.contains("The request is invalid: patch: Invalid value: \"map[metadata:map[annotations:map[kubectl.kubernetes.io/last-applied-configuration:")
            && error.contains("strict decoding error: unknown field \"spec.replicass\""),
        "{error}"
    );
}

#[test]
fn apply_removes_a_container_dropped_from_the_manifest_using_the_published_merge_keys() {
    let Some(server) = Kubeplay::start() else {
        return;
    };
    let two = WEB_MANIFEST.replace(
        "        ports:\n        - containerPort: 80\n",
        "        ports:\n        - containerPort: 80\n      - name: sidecar\n        image: busybox:1.36\n",
    );
    let first = server.file("two.yaml", &two);
    server.ok(&["apply", "-f", first.to_str().expect("UTF-8 path")]);
    let second = server.file("one.yaml", WEB_MANIFEST);
    let run = server.kubectl(&["apply", "-f", second.to_str().expect("UTF-8 path"), "-v=8"]);
    assert!(run.success, "{}", run.stderr);
    assert!(
        run.stderr.contains("$setElementOrder/containers"),
        "kubectl computed a strategic merge patch with the containers' merge key:\n{}",
        run.stderr
    );
    let names = server.ok(&[
        "get",
        "deployment",
        "web",
        "-o",
        "jsonpath={.spec.template.spec.containers[*].name}",
    ]);
    assert_eq!(names.trim(), "nginx");
}

#[test]
fn patch_with_an_unknown_field_warns_as_the_server_default() {
    let Some(server) = Kubeplay::start() else {
        return;
    };
    server.ok(&[
        "create",
        "configmap",
        "settings",
        "--from-literal=mode=fast",
    ]);
    let run = server.kubectl(&[
        "patch",
        "configmap",
        "settings",
        "--type=merge",
        "-p",
        r#"{"dta":{"b":"2"}}"#,
    ]);
    assert!(run.success, "{}", run.stderr);
    assert!(
        run.stderr.contains("Warning: unknown field \"dta\""),
        "{}",
        run.stderr
    );
}

#[test]
fn explain_reads_the_field_documentation_from_openapi_v3() {
    let Some(server) = Kubeplay::start() else {
        return;
    };
    let output = server.ok(&["explain", "pods.spec.containers"]);
    assert!(
        output.contains("FIELD: containers <[]Container>")
            && output.contains("List of containers belonging to the pod."),
        "{output}"
    );
    let strategy = server.ok(&["explain", "deployment.spec.strategy.type"]);
    assert!(strategy.contains("GROUP:      apps"), "{strategy}");
}

/// The names of the pods `kubectl get pods -o wide` shows on `node`.
fn pods_on(server: &Kubeplay, node: &str) -> Vec<String> {
    let wide = server.ok(&["get", "pods", "-o", "wide", "--no-headers"]);
    wide.lines()
        .filter(|line| line.split_whitespace().nth(6) == Some(node))
        .filter_map(|line| line.split_whitespace().next().map(str::to_string))
        .collect()
}

#[test]
fn drain_evicts_a_deployments_pods_to_the_other_node_and_uncordon_reopens_the_node() {
    let Some(server) = Kubeplay::start_with(&["--sim-nodes", "2"]) else {
        return;
    };
    server.ok(&[
        "create",
        "deployment",
        "web",
        "--image=nginx:1.25",
        "--replicas=4",
    ]);
    server.ok(&["rollout", "status", "deployment/web", "--timeout=60s"]);
    let on_node_1 = pods_on(&server, "node-1");
    assert!(
        !on_node_1.is_empty(),
        "the scheduler spreads over both nodes"
    );

    let drained = server.ok(&[
        "drain",
        "node-1",
        "--ignore-daemonsets",
        "--delete-emptydir-data",
        "--timeout=60s",
    ]);
    // kubectl's own wording of a drain that evicts (a drain that falls back to DELETE
    // prints no "evicting pod" lines).
    let lines: Vec<&str> = drained.lines().collect();
    assert_eq!(lines.first(), Some(&"node/node-1 cordoned"), "{drained}");
    assert_eq!(lines.last(), Some(&"node/node-1 drained"), "{drained}");
    for pod in &on_node_1 {
        assert!(
            lines.contains(&format!("evicting pod default/{pod}").as_str()),
            "{pod} not evicted:\n{drained}"
        );
        assert!(
            lines.contains(&format!("pod/{pod} evicted").as_str()),
            "{pod} not evicted:\n{drained}"
        );
    }
    let nodes = server.ok(&["get", "nodes"]);
    assert!(
        nodes
            .lines()
            .any(|l| l.starts_with("node-1") && l.contains("Ready,SchedulingDisabled")),
        "{nodes}"
    );
    // The ReplicaSet replaces the evicted pods, all on node-2.
    server.eventually(&["get", "deploy", "web"], |out| out.contains("web    4/4"));
    assert!(pods_on(&server, "node-1").is_empty());
    assert_eq!(pods_on(&server, "node-2").len(), 4);

    let uncordoned = server.ok(&["uncordon", "node-1"]);
    assert_eq!(uncordoned.trim(), "node/node-1 uncordoned");
    let nodes = server.ok(&["get", "nodes", "--no-headers"]);
    assert!(
        nodes
            .lines()
            .all(|l| l.split_whitespace().nth(1) == Some("Ready")),
        "{nodes}"
    );
    // A new pod can land on node-1 again.
    server.ok(&["scale", "deployment", "web", "--replicas=8"]);
    server.eventually(&["get", "deploy", "web"], |out| out.contains("web    8/8"));
    assert!(!pods_on(&server, "node-1").is_empty());
}

#[test]
fn an_eviction_naming_another_pod_or_a_missing_pod_is_refused_as_kubernetes_refuses_it() {
    let Some(server) = Kubeplay::start_with(&["--sim-nodes", "0"]) else {
        return;
    };
    let pod = server.file("pod.yaml", WEB_POD);
    server.ok(&["create", "-f", pod.to_str().expect("utf-8 path")]);
    let body = |name: &str, version: &str| {
        format!(r#"{{"kind":"Eviction","apiVersion":"{version}","metadata":{{"name":"{name}"}}}}"#)
    };
    let other = server.file("other.json", &body("db", "policy/v1"));
    let stderr = server.fails(&[
        "create",
        "--raw",
        "/api/v1/namespaces/default/pods/web-1/eviction",
        "-f",
        other.to_str().expect("utf-8 path"),
    ]);
    assert!(
        stderr.contains(
            "Error from server (BadRequest): name in URL does not match name in Eviction object"
        ),
        "{stderr}"
    );
    let ghost = server.file("ghost.json", &body("ghost", "policy/v1"));
    let stderr = server.fails(&[
        "create",
        "--raw",
        "/api/v1/namespaces/default/pods/ghost/eviction",
        "-f",
        ghost.to_str().expect("utf-8 path"),
    ]);
    assert!(
        stderr.contains("Error from server (NotFound): pods \"ghost\" not found"),
        "{stderr}"
    );
    // policy/v1beta1 is accepted too; an unscheduled pod goes at once.
    let beta = server.file("beta.json", &body("web-1", "policy/v1beta1"));
    let answer = server.ok(&[
        "create",
        "--raw",
        "/api/v1/namespaces/default/pods/web-1/eviction",
        "-f",
        beta.to_str().expect("utf-8 path"),
    ]);
    assert!(answer.contains(r#""status":"Success""#), "{answer}");
    server.eventually(&["get", "pods", "-o", "name"], |out| out.trim().is_empty());
}

#[test]
fn describe_pod_deployment_and_node_and_get_events_show_what_happened() {
    let Some(server) = Kubeplay::start() else {
        return;
    };
    server.ok(&[
        "create",
        "deployment",
        "web",
        "--image=nginx:1.25",
        "--replicas=1",
    ]);
    server.ok(&["rollout", "status", "deployment/web", "--timeout=60s"]);
    let pod = server.ok(&["get", "pods", "-o", "name"]);
    let pod = pod.trim();
    let pod_name = pod.trim_start_matches("pod/");

    let described = server.ok(&["describe", pod]);
    for expected in [
        format!("Name:             {pod_name}"),
        "Namespace:        default".to_string(),
        "Node:             node-1/".to_string(),
        "Status:           Running".to_string(),
        "Controlled By:  ReplicaSet/web-".to_string(),
        "    Image:          nginx:1.25".to_string(),
        "QoS Class:                    BestEffort".to_string(),
        format!("Successfully assigned default/{pod_name} to node-1"),
        "Started container nginx".to_string(),
    ] {
        assert!(
            described.contains(&expected),
            "{expected:?} missing in:\n{described}"
        );
    }

    let described = server.ok(&["describe", "deploy", "web"]);
    for expected in [
        "Name:                   web",
        "Selector:               app=web",
        "Replicas:               1 desired | 1 updated | 1 total | 1 available | 0 unavailable",
        "StrategyType:           RollingUpdate",
        "RollingUpdateStrategy:  25% max unavailable, 25% max surge",
        "NewReplicaSet:   web-",
        "Scaled up replica set web-",
    ] {
        assert!(
            described.contains(expected),
            "{expected:?} missing in:\n{described}"
        );
    }

    let described = server.ok(&["describe", "node", "node-1"]);
    for expected in [
        "Name:               node-1",
        "Unschedulable:      false",
        "  Ready            True",
        "KubeletReady                 kubelet is posting ready status",
        "Non-terminated Pods:          (1 in total)",
        "Allocated resources:",
    ] {
        assert!(
            described.contains(expected),
            "{expected:?} missing in:\n{described}"
        );
    }

    let events = server.ok(&["get", "events"]);
    assert_eq!(
        header(&events),
        ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    );
    for (reason, object) in [
        ("Scheduled", pod.to_string()),
        ("Started", pod.to_string()),
        ("ScalingReplicaSet", "deployment/web".to_string()),
    ] {
        assert!(
            events
                .lines()
                .any(|l| l.contains(&format!(" {reason} ")) && l.contains(&object)),
            "no {reason} event for {object} in:\n{events}"
        );
    }
    let selected = server.ok(&[
        "get",
        "events",
        "--field-selector",
        "involvedObject.kind=Deployment",
        "-o",
        "jsonpath={.items[*].reason}",
    ]);
    assert!(
        selected
            .split_whitespace()
            .all(|r| r == "ScalingReplicaSet")
            && !selected.is_empty(),
        "{selected}"
    );
}

#[test]
fn rollout_restart_replaces_the_pods_and_annotate_adds_refuses_overwrites_and_removes() {
    let Some(server) = Kubeplay::start() else {
        return;
    };
    server.ok(&[
        "create",
        "deployment",
        "web",
        "--image=nginx:1.25",
        "--replicas=2",
    ]);
    server.ok(&["rollout", "status", "deployment/web", "--timeout=60s"]);
    let before = server.ok(&["get", "pods", "-o", "name"]);

    let restarted = server.ok(&["rollout", "restart", "deployment/web"]);
    assert_eq!(restarted.trim(), "deployment.apps/web restarted");
    let status = server.ok(&["rollout", "status", "deployment/web", "--timeout=60s"]);
    assert!(status.contains("successfully rolled out"), "{status}");
    let restarted_at = server.ok(&[
        "get",
        "deploy",
        "web",
        "-o",
        "jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}",
    ]);
    assert!(restarted_at.ends_with('Z'), "{restarted_at:?}");
    let after = server.eventually(&["get", "pods", "-o", "name"], |out| {
        out.lines().count() == 2
    });
    assert!(
        after
            .lines()
            .all(|pod| !before.lines().any(|old| old == pod)),
        "before:\n{before}\nafter:\n{after}"
    );
    let history = server.ok(&["rollout", "history", "deployment/web"]);
    assert!(history.contains("2         <none>"), "{history}");

    let annotated = server.ok(&["annotate", "deployment", "web", "team=blue"]);
    assert_eq!(annotated.trim(), "deployment.apps/web annotated");
    let refused = server.fails(&["annotate", "deployment", "web", "team=red"]);
    assert!(
        refused.contains(
            "error: --overwrite is false but found the following declared annotation(s): 'team' already has a value (blue)"
        ),
        "{refused}"
    );
    server.ok(&["annotate", "deployment", "web", "team=red", "--overwrite"]);
    let team = server.ok(&[
        "get",
        "deploy",
        "web",
        "-o",
        "jsonpath={.metadata.annotations.team}",
    ]);
    assert_eq!(team, "red");
    let pods = server.ok(&["annotate", "pods", "--all", "note=x"]);
    assert_eq!(
        pods.lines().filter(|l| l.ends_with(" annotated")).count(),
        2,
        "{pods}"
    );
    server.ok(&["annotate", "deployment", "web", "team-"]);
    let annotations = server.ok(&[
        "get",
        "deploy",
        "web",
        "-o",
        "jsonpath={.metadata.annotations}",
    ]);
    assert!(!annotations.contains("team"), "{annotations}");
}

#[test]
fn the_kubernetes_service_points_at_the_port_the_server_listens_on() {
    let Some(server) = Kubeplay::start() else {
        return;
    };
    let port = server.process.address().port();
    let slices = server.ok(&[
        "get",
        "endpointslices",
        "-l",
        "kubernetes.io/service-name=kubernetes",
        "-o",
        "json",
    ]);
    let slices: serde_json::Value = serde_json::from_str(&slices).expect("JSON");
    let items = slices["items"].as_array().cloned().unwrap_or_default();
    if server
        .process
        .log_text()
        .contains("no address to advertise")
    {
        // Listening on loopback with no default route: nothing Endpoints would accept.
        eprintln!("no default route on this machine: checking that nothing is advertised");
        assert!(items.is_empty(), "{items:?}");
        return;
    }
    assert_eq!(items.len(), 1, "{slices}");
    let slice = &items[0];
    assert_eq!(slice["metadata"]["name"], "kubernetes");
    assert_eq!(slice["addressType"], "IPv4");
    assert_eq!(slice["ports"][0]["name"], "https");
    assert_eq!(slice["ports"][0]["port"], port);
    assert_eq!(slice["endpoints"][0]["conditions"]["ready"], true);
    let address = slice["endpoints"][0]["addresses"][0]
        .as_str()
        .and_then(|a| a.parse::<std::net::Ipv4Addr>().ok())
        .expect("an IPv4 address");
    // The server listens on 127.0.0.1, which Endpoints refuse: it advertises its
    // default-route interface instead, as kube-apiserver does.
    assert!(!address.is_loopback(), "{address}");
    let endpoints = server.ok(&["get", "endpoints", "kubernetes"]);
    assert!(
        endpoints.contains(&format!("{address}:{port}")),
        "{endpoints}"
    );
    let service = server.ok(&[
        "get",
        "service",
        "kubernetes",
        "-o",
        "jsonpath={.spec.ports[0].targetPort}",
    ]);
    assert_eq!(service.trim(), port.to_string());
}

#[test]
fn events_expire_after_the_event_ttl_and_kubectl_watches_them_go() {
    let Some(server) = Kubeplay::start_with(&["--event-ttl", "3s"]) else {
        return;
    };
    server.ok(&["run", "ttl", "--image=nginx"]);
    // The pod's Events (Scheduled, Pulling, …) appear, then, 3 s after their last write, go.
    let listed = server.eventually(&["get", "events", "-o", "name"], |out| !out.is_empty());
    let first = listed.lines().next().expect("an event").to_string();
    server.eventually(&["get", "events", "-o", "name"], |out| {
        !out.lines().any(|line| line == first)
    });
    // A bad duration is refused before anything starts, saying what a duration looks like.
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_kubeplay"))
        .args(["serve", "--event-ttl", "an hour"])
        .output()
        .expect("kubeplay runs");
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("--event-ttl") && stderr.contains("1h30m"),
        "{stderr}"
    );
}
