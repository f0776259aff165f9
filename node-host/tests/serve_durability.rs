//! `kubeplay serve` survives `kill -9`: each test starts the `kubeplay` binary on a data
//! directory, writes through the real `kubectl`, kills the server with SIGKILL, starts it
//! again on the same directory and checks with kubectl that everything came back: every
//! object with its uid, resourceVersions that keep growing, the Deployment's pods running
//! again after their node "rebooted". Damaged store files are tested the same way: a torn
//! last record still starts, damage in the middle refuses to start, naming the file.
//! Without kubectl on the PATH the tests print why and pass without checking anything.

// clippy.toml bans the wall clock and file I/O for the sans-IO core; this harness drives
// processes with wall-clock timeouts and edits store files, which is its job.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;
use common::ServeProcess;

/// How long one kubectl command may take.
const KUBECTL_TIMEOUT: Duration = Duration::from_secs(60);

/// How long the server may take to be ready, and the pods to run.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// How fast the simulated node pulls images and starts containers.
const TEST_SIM_SPEED: &str = "20";

const MANIFESTS: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
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
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector:
    app: web
  ports:
  - port: 80
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  colour: blue
";

/// Whether the real kubectl is installed (the tests skip without it).
fn have_kubectl() -> bool {
    common::have_kubectl("these tests drive the real kubectl")
}

/// A running `kubeplay serve` on a data directory the test keeps; killed with SIGKILL on
/// [`Server::kill`] or on drop.
struct Server {
    process: ServeProcess,
}

impl Server {
    /// Starts the server on `data_dir` and waits until kubectl gets an answer.
    fn start(data_dir: &Path, log_dir: &Path) -> Server {
        let server = Server::spawn(data_dir, log_dir);
        server.process.wait_for_kubeconfig(READY_TIMEOUT);
        server.ok(&["get", "namespaces"]);
        server
    }

    /// Starts the server without waiting for it (the kubeconfig of a previous run is removed
    /// first, so its reappearance means this run wrote it).
    fn spawn(data_dir: &Path, log_dir: &Path) -> Server {
        Server {
            process: ServeProcess::spawn_on(data_dir, log_dir, &["--sim-speed", TEST_SIM_SPEED]),
        }
    }

    /// SIGKILL: no shutdown code runs.
    fn kill(mut self) {
        self.process.kill();
    }

    fn kubeconfig(&self) -> PathBuf {
        self.process.kubeconfig()
    }

    fn log_text(&self) -> String {
        self.process.log_text()
    }

    /// Runs kubectl and insists it succeeds; returns its stdout.
    fn ok(&self, args: &[&str]) -> String {
        let (success, stdout, stderr) = kubectl(&self.kubeconfig(), args);
        assert!(
            success,
            "kubectl {args:?} failed:\n{stdout}\n{stderr}\nserver log:\n{}",
            self.log_text()
        );
        stdout
    }

    /// `kubectl get KINDS -o json` as one JSON list.
    fn items(&self, kinds: &str) -> Vec<Value> {
        let output = self.ok(&["get", kinds, "-o", "json"]);
        let list: Value = serde_json::from_str(&output).expect("kubectl printed JSON");
        list["items"].as_array().cloned().unwrap_or_default()
    }

    /// Polls `kubectl get pods` until `done` holds for the web pods (up to a minute).
    fn wait_for_web_pods(&self, what: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            let pods: Vec<Value> = self
                .items("pods")
                .into_iter()
                .filter(|p| p["metadata"]["labels"]["app"] == "web")
                .collect();
            if done(&pods) {
                return pods;
            }
            assert!(
                Instant::now() < deadline,
                "the web pods never became {what}; last:\n{}",
                serde_json::to_string_pretty(&pods).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

/// Runs kubectl with `kubeconfig`, bounded by [`KUBECTL_TIMEOUT`].
fn kubectl(kubeconfig: &Path, args: &[&str]) -> (bool, String, String) {
    let mut with_timeout = args.to_vec();
    with_timeout.push("--request-timeout=20s");
    let run = common::run_kubectl(kubeconfig, &with_timeout, KUBECTL_TIMEOUT);
    (run.success, run.stdout, run.stderr)
}

/// Every web pod Running, Ready, with this restart count on its container.
fn running_with_restarts(pods: &[Value], replicas: usize, restarts: i64) -> bool {
    pods.len() == replicas
        && pods.iter().all(|p| {
            let container = &p["status"]["containerStatuses"][0];
            p["status"]["phase"] == "Running"
                && container["ready"] == true
                && container["restartCount"].as_i64() == Some(restarts)
        })
}

/// `kind/namespace/name` → uid of every object listed.
fn uids(objects: &[Value]) -> BTreeMap<String, String> {
    objects
        .iter()
        .map(|o| {
            let key = format!(
                "{}/{}/{}",
                o["kind"].as_str().unwrap_or(""),
                o["metadata"]["namespace"].as_str().unwrap_or(""),
                o["metadata"]["name"].as_str().unwrap_or("")
            );
            (key, o["metadata"]["uid"].as_str().unwrap_or("").to_string())
        })
        .collect()
}

fn resource_version(object: &Value) -> u64 {
    object["metadata"]["resourceVersion"]
        .as_str()
        .and_then(|rv| rv.parse().ok())
        .unwrap_or(0)
}

/// What the test compares across restarts.
const KINDS: &str = "deployments,replicasets,pods,services,configmaps,namespaces,nodes";

#[test]
fn a_cluster_killed_with_sigkill_comes_back_with_every_object_and_its_pods_running() {
    if !have_kubectl() {
        return;
    }
    let data = tempfile::tempdir().expect("temp data dir");
    let logs = tempfile::tempdir().expect("temp log dir");
    let server = Server::start(data.path(), logs.path());
    let manifest = logs.path().join("web.yaml");
    std::fs::write(&manifest, MANIFESTS).expect("write manifest");
    server.ok(&["apply", "-f", manifest.to_str().expect("utf-8 path")]);
    let pods_before = server.wait_for_web_pods("Running", |p| running_with_restarts(p, 2, 0));
    let before = server.items(KINDS);
    let newest_before = before.iter().map(resource_version).max().unwrap_or(0);
    let ips_before: BTreeMap<String, String> = pods_before
        .iter()
        .map(|p| {
            (
                p["metadata"]["name"].as_str().unwrap_or("").to_string(),
                p["status"]["podIP"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    server.kill();

    for restart in 1..=2 {
        let server = Server::start(data.path(), logs.path());
        let log = server.log_text();
        assert!(log.contains("cluster recovered from disk"), "{log}");
        let after = server.items(KINDS);
        assert_eq!(
            uids(&before),
            uids(&after),
            "restart {restart}: every object is back with its uid, and nothing else"
        );
        let settings = server.items("configmaps");
        assert!(
            settings
                .iter()
                .any(|c| c["metadata"]["name"] == "settings" && c["data"]["colour"] == "blue"),
            "{settings:?}"
        );

        let pods = server.wait_for_web_pods("Running again after the reboot", |p| {
            running_with_restarts(p, 2, restart)
        });
        for pod in &pods {
            let name = pod["metadata"]["name"].as_str().unwrap_or("");
            assert_eq!(
                ips_before.get(name).map(String::as_str),
                pod["status"]["podIP"].as_str(),
                "{name} keeps its IP"
            );
        }

        let name = format!("written-after-restart-{restart}");
        server.ok(&["create", "configmap", &name, "--from-literal=k=v"]);
        let created = server
            .items("configmaps")
            .into_iter()
            .find(|c| c["metadata"]["name"] == name.as_str())
            .expect("the new ConfigMap is listed");
        assert!(
            resource_version(&created) > newest_before,
            "a new write's resourceVersion {} is not past {newest_before}",
            resource_version(&created)
        );
        assert!(!uids(&before)
            .values()
            .any(|uid| created["metadata"]["uid"] == uid.as_str()));
        server.ok(&["delete", "configmap", &name]);
        server.kill();
    }
}

/// The server's write-ahead log in `data_dir`.
fn wal(data_dir: &Path) -> PathBuf {
    data_dir.join("store").join("wal")
}

/// A server that wrote a ConfigMap and was killed.
fn killed_after_a_write(data_dir: &Path, log_dir: &Path) {
    let server = Server::start(data_dir, log_dir);
    server.ok(&["create", "configmap", "kept", "--from-literal=k=v"]);
    server.kill();
}

#[test]
fn a_torn_last_log_record_is_dropped_and_the_server_starts() {
    if !have_kubectl() {
        return;
    }
    let data = tempfile::tempdir().expect("temp data dir");
    let logs = tempfile::tempdir().expect("temp log dir");
    killed_after_a_write(data.path(), logs.path());
    // A crash in the middle of an append: a record whose bytes stop short.
    let mut bytes = std::fs::read(wal(data.path())).expect("read wal");
    bytes.extend_from_slice(&[0x40, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, b'{', b'"']);
    std::fs::write(wal(data.path()), &bytes).expect("write wal");

    let server = Server::start(data.path(), logs.path());
    let log = server.log_text();
    assert!(log.contains("torn record"), "{log}");
    let names: Vec<Value> = server
        .items("configmaps")
        .iter()
        .map(|c| c["metadata"]["name"].clone())
        .collect();
    assert!(names.contains(&Value::from("kept")), "{names:?}");
    server.ok(&["create", "configmap", "after-the-tear"]);
}

#[test]
fn a_damaged_record_in_the_middle_of_the_log_refuses_to_start_naming_the_file() {
    if !have_kubectl() {
        return;
    }
    let data = tempfile::tempdir().expect("temp data dir");
    let logs = tempfile::tempdir().expect("temp log dir");
    killed_after_a_write(data.path(), logs.path());
    let wal = wal(data.path());
    let mut bytes = std::fs::read(&wal).expect("read wal");
    let middle = bytes.len() / 2;
    if let Some(byte) = bytes.get_mut(middle) {
        *byte ^= 0x55;
    }
    std::fs::write(&wal, &bytes).expect("write wal");

    let mut server = Server::spawn(data.path(), logs.path());
    let deadline = Instant::now() + READY_TIMEOUT;
    let status = loop {
        if let Some(status) = server.process.try_wait() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "kubeplay kept running on a damaged log; log:\n{}",
            server.log_text()
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let log = server.log_text();
    assert!(!status.success(), "{log}");
    assert!(log.contains(&wal.display().to_string()), "{log}");
    assert!(log.contains("is damaged"), "{log}");
    assert!(
        !server.kubeconfig().is_file(),
        "nothing is served from a damaged store"
    );
}

#[test]
fn a_restart_with_fewer_simulated_nodes_warns_about_the_nodes_left_without_a_kubelet() {
    if !have_kubectl() {
        return;
    }
    let data = tempfile::tempdir().expect("temp data dir");
    let logs = tempfile::tempdir().expect("temp log dir");
    let two = ServeProcess::spawn_on(
        data.path(),
        logs.path(),
        &["--sim-speed", TEST_SIM_SPEED, "--sim-nodes", "2"],
    );
    two.wait_for_kubeconfig(READY_TIMEOUT);
    let deadline = Instant::now() + READY_TIMEOUT;
    let nodes = loop {
        let (_, stdout, _) = kubectl(&two.kubeconfig(), &["get", "nodes", "-o", "name"]);
        let nodes: Vec<String> = stdout
            .lines()
            .filter_map(|line| line.strip_prefix("node/"))
            .map(str::to_string)
            .collect();
        if nodes.len() == 2 {
            break nodes;
        }
        assert!(
            Instant::now() < deadline,
            "two nodes never registered: {stdout}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let first_log = two.log_text();
    assert!(!first_log.contains("no simulated kubelet"), "{first_log}");
    let mut two = two;
    two.kill();

    let one = ServeProcess::spawn_on(
        data.path(),
        logs.path(),
        &["--sim-speed", TEST_SIM_SPEED, "--sim-nodes", "1"],
    );
    one.wait_for_kubeconfig(READY_TIMEOUT);
    // The warning comes when the cluster starts, which may be just after the kubeconfig.
    let deadline = Instant::now() + READY_TIMEOUT;
    let log = loop {
        let log = one.log_text();
        if log.contains("no simulated kubelet") || Instant::now() > deadline {
            break log;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let warning = log
        .lines()
        .find(|line| line.contains("no simulated kubelet"))
        .unwrap_or_else(|| panic!("no warning about the extra node; log:\n{log}"));
    // Exactly one of the two stored nodes has no kubelet in this run, and the warning names it.
    let named: Vec<&String> = nodes
        .iter()
        .filter(|n| warning.contains(n.as_str()))
        .collect();
    assert_eq!(named.len(), 1, "{warning}");
    assert!(warning.contains("--sim-nodes"), "{warning}");
}
