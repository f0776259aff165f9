//! One scenario, two ways: piped through `kubeplay play` (the core's kubectl on a simulated
//! cluster in virtual time) and run with the real `kubectl` against `kubeplay serve` (the
//! node host's API server, its simulated nodes on the wall clock). Both must end in the same
//! object state and print the same tables.
//!
//! The scenario is a list of [`Step`]s: kubectl command lines, and "settle" points where the
//! play side types `play wait` and the serve side polls until every Deployment is fully
//! rolled out and no pod is terminating. Each side's output is then reduced to what must not
//! depend on the side:
//!
//! - the messages of the writing commands (`deployment.apps/web created`, …) line by line,
//!   generated name suffixes replaced;
//! - every `get … -o wide` table's header (column names and order) and its rows, with the
//!   cells that name random or timing-dependent things (generated name suffixes, IPs, ages,
//!   the node a pod landed on) replaced by placeholders after checking their form, and READY
//!   (`n/m`), STATUS, RESTARTS, images and selectors kept as printed;
//! - a summary of `get … -o json`: kinds, name patterns, replicas, images, labels,
//!   selectors, ports, pod phases and readiness counts, revisions.
//!
//! The two reductions are compared with `assert_eq!`, so a failure shows the difference.
//! Without kubectl on the PATH the test prints why and checks nothing.

// clippy.toml bans the wall clock and file I/O for the sans-IO core; this harness drives
// processes with wall-clock timeouts, which is its job.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use std::time::{Duration, Instant};

use serde_json::{json, Value};

mod common;
use common::ServeProcess;

/// How many simulated nodes each side runs.
const NODES: &str = "2";
/// How long one kubectl command may take.
const KUBECTL_TIMEOUT: Duration = Duration::from_secs(120);
/// How long the serve side may take to settle.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(120);
/// How fast the serve side's simulated nodes pull images and start containers.
const SIM_SPEED: &str = "10";
/// What `kubeplay play` prints for `play time`, used to split its output per command.
const SEPARATOR_MARK: &str = "since the cluster started";

/// One step of the scenario.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// A kubectl command line (without `kubectl`), whose output is compared as a message.
    Message(&'static str),
    /// A `get … -o wide` whose table is compared by layout and normalised cells.
    Table(&'static str),
    /// A `get … -o json` whose objects are compared as a normalised summary.
    Objects(&'static str),
    /// A `rollout status`: only its last line is compared (kubectl's watcher prints progress
    /// lines on the way, depending on timing).
    Status(&'static str),
    /// Wait until the cluster is settled.
    Settle,
}

const SCENARIO: &[Step] = &[
    Step::Message("create deployment web --image=nginx:1.25 --replicas=3"),
    Step::Message("expose deployment web --port=80 --target-port=80"),
    Step::Settle,
    Step::Status("rollout status deployment/web"),
    Step::Message("scale deployment web --replicas=4"),
    Step::Message("set image deployment/web nginx=nginx:1.26"),
    Step::Settle,
    Step::Status("rollout status deployment/web"),
    Step::Message("rollout history deployment/web"),
    Step::Message("label deployment web tier=front"),
    Step::Message("label pods -l app=web team=blue"),
    Step::Settle,
    Step::Table("get deploy -o wide"),
    Step::Table("get rs -o wide"),
    Step::Table("get pods -o wide"),
    Step::Table("get svc -o wide"),
    Step::Table("get endpoints -o wide"),
    Step::Table("get nodes -o wide"),
    Step::Objects("get deploy,rs,pods,svc,endpoints,nodes -o json"),
    Step::Message("delete service web"),
    Step::Message("delete deployment web"),
    Step::Settle,
    Step::Objects("get deploy,rs,pods,svc -o json"),
];

/// What one side printed for each non-settle step, reduced for comparison.
type Reduced = Vec<(String, Value)>;

#[test]
fn a_scenario_through_play_and_through_kubectl_against_serve_ends_the_same() {
    if !kubectl_installed() {
        eprintln!("skipped: kubectl is not installed (this test drives the real kubectl)");
        return;
    }
    let played = reduce_all(&run_play());
    let served = reduce_all(&run_serve());
    if std::env::var_os("PLAY_VS_SERVE_DUMP").is_some() {
        eprintln!("{:#}", json!(played));
    }
    for ((command, play), (_, serve)) in played.iter().zip(&served) {
        assert_eq!(
            play,
            serve,
            "`kubectl {command}` differs between play (left) and serve (right):\nplay:\n{}\nserve:\n{}",
            serde_json::to_string_pretty(play).unwrap_or_default(),
            serde_json::to_string_pretty(serve).unwrap_or_default()
        );
    }
    assert_eq!(played.len(), served.len());
}

/// Reduces each step's raw output.
fn reduce_all(outputs: &[(Step, String)]) -> Reduced {
    outputs
        .iter()
        .map(|(step, output)| match step {
            Step::Message(command) => (
                command.to_string(),
                output.lines().map(normalise_names).collect(),
            ),
            Step::Status(command) => (
                command.to_string(),
                Value::from(output.lines().last().unwrap_or("")),
            ),
            Step::Table(command) => (command.to_string(), reduce_table(output)),
            Step::Objects(command) => (command.to_string(), reduce_objects(output)),
            Step::Settle => ("settle".to_string(), Value::Null),
        })
        .collect()
}

// ---- the play side ----

/// Pipes the scenario into `kubeplay play`, a `play time` line after each command to mark
/// where its output ends; returns each step's stdout. Any stderr fails the test.
fn run_play() -> Vec<(Step, String)> {
    let mut script = String::new();
    for step in SCENARIO {
        match step {
            Step::Message(command)
            | Step::Table(command)
            | Step::Objects(command)
            | Step::Status(command) => script.push_str(&format!("kubectl {command}\n")),
            Step::Settle => script.push_str("play wait\n"),
        }
        script.push_str("play time\n");
    }
    let output = common::play(&["--nodes", NODES], &script);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stderr.is_empty(),
        "kubeplay play failed ({}):\n{stderr}\n{stdout}",
        output.status
    );
    let mut chunks = Vec::new();
    let mut current = String::new();
    for line in stdout.lines() {
        if line.contains(SEPARATOR_MARK) {
            chunks.push(std::mem::take(&mut current));
        } else {
            current.push_str(line);
            current.push('\n');
        }
    }
    assert_eq!(
        chunks.len(),
        SCENARIO.len(),
        "one `play time` line per step:\n{stdout}"
    );
    SCENARIO.iter().copied().zip(chunks).collect()
}

// ---- the serve side ----

/// A running `kubeplay serve`, killed on drop.
struct Serve {
    process: ServeProcess,
}

impl Serve {
    fn start() -> Serve {
        Serve {
            process: ServeProcess::start(&["--sim-nodes", NODES, "--sim-speed", SIM_SPEED]),
        }
    }

    fn kubeconfig(&self) -> PathBuf {
        self.process.kubeconfig()
    }

    /// Runs kubectl (the words of `command`) and insists it succeeds; returns its stdout.
    fn kubectl(&self, command: &str) -> String {
        let args: Vec<&str> = command.split_whitespace().collect();
        let run = common::run_kubectl(&self.kubeconfig(), &args, KUBECTL_TIMEOUT);
        assert!(
            run.success && run.stderr.is_empty(),
            "kubectl {command} failed:\n{}\n{}",
            run.stdout,
            run.stderr
        );
        run.stdout
    }

    /// Polls until every Deployment has all its replicas updated, ready and available, every
    /// pod of the namespace runs (none terminating) and the endpoints list them all.
    fn settle(&self) {
        let deadline = Instant::now() + SETTLE_TIMEOUT;
        loop {
            let objects: Value =
                serde_json::from_str(&self.kubectl("get deploy,pods,endpoints -o json"))
                    .expect("kubectl prints JSON");
            if is_settled(&objects) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the serve side did not settle in {SETTLE_TIMEOUT:?}:\n{objects:#}"
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

/// Whether a `List` of Deployments, Pods and Endpoints shows a settled namespace.
fn is_settled(list: &Value) -> bool {
    let items = list["items"].as_array().cloned().unwrap_or_default();
    let of_kind = |kind: &str| -> Vec<Value> {
        items
            .iter()
            .filter(|item| item["kind"] == kind)
            .cloned()
            .collect()
    };
    let mut wanted_pods = 0;
    for deployment in of_kind("Deployment") {
        let wanted = deployment["spec"]["replicas"].as_u64().unwrap_or(1);
        wanted_pods += wanted;
        let status = &deployment["status"];
        let done = [
            "replicas",
            "updatedReplicas",
            "readyReplicas",
            "availableReplicas",
        ]
        .iter()
        .all(|field| status[*field].as_u64() == Some(wanted))
            && status["observedGeneration"] == deployment["metadata"]["generation"];
        if !done {
            return false;
        }
    }
    let pods = of_kind("Pod");
    let running = pods.iter().all(|pod| {
        pod["status"]["phase"] == "Running" && pod["metadata"]["deletionTimestamp"].is_null()
    });
    let endpoints_full = of_kind("Endpoints").iter().all(|endpoints| {
        endpoints["metadata"]["name"] == "kubernetes"
            || endpoints["subsets"]
                .as_array()
                .map(|subsets| {
                    subsets
                        .iter()
                        .map(|s| s["addresses"].as_array().map_or(0, Vec::len))
                        .sum::<usize>()
                })
                .unwrap_or(0) as u64
                == wanted_pods
    });
    running && pods.len() as u64 == wanted_pods && endpoints_full
}

/// Runs the scenario with the real kubectl against a fresh `kubeplay serve`.
fn run_serve() -> Vec<(Step, String)> {
    let serve = Serve::start();
    SCENARIO
        .iter()
        .map(|step| {
            let output = match step {
                Step::Message(command)
                | Step::Table(command)
                | Step::Objects(command)
                | Step::Status(command) => serve.kubectl(command),
                Step::Settle => {
                    serve.settle();
                    String::new()
                }
            };
            (*step, output)
        })
        .collect()
}

// ---- reductions ----

/// A table's header and its rows as `column → normalised cell`, rows sorted.
fn reduce_table(output: &str) -> Value {
    let mut lines = output.lines();
    let header = lines.next().unwrap_or("");
    let columns = header_columns(header);
    let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
    let mut rows: Vec<Value> = lines
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let cells: BTreeMap<String, Value> = columns
                .iter()
                .enumerate()
                .map(|(index, (name, start))| {
                    let end = columns.get(index + 1).map_or(line.len(), |(_, s)| *s);
                    let cell = line.get(*start..end.min(line.len())).unwrap_or("").trim();
                    (name.to_string(), Value::from(normalise_cell(name, cell)))
                })
                .collect();
            json!(cells)
        })
        .collect();
    // The API server's own endpoints differ by host (the simulated control plane's address
    // and port in play, the server's in serve; none on a machine without a default route):
    // the serve tests check them on their own.
    rows.retain(|row| !(row.get("ENDPOINTS").is_some() && row["NAME"] == "kubernetes"));
    rows.sort_by_key(|row| row.to_string());
    json!({ "columns": names, "rows": rows })
}

/// The header's column names with the byte offset each starts at. Names are separated by
/// at least two spaces (`NOMINATED NODE` is one name).
fn header_columns(header: &str) -> Vec<(&str, usize)> {
    let bytes = header.as_bytes();
    let starts: Vec<usize> = (0..bytes.len())
        .filter(|&i| {
            bytes[i] != b' ' && (i == 0 || (i >= 2 && bytes[i - 1] == b' ' && bytes[i - 2] == b' '))
        })
        .collect();
    starts
        .iter()
        .enumerate()
        .map(|(index, &start)| {
            let end = starts.get(index + 1).copied().unwrap_or(header.len());
            (header[start..end].trim_end(), start)
        })
        .collect()
}

/// A cell with what may differ between the sides replaced, after checking its form.
fn normalise_cell(column: &str, cell: &str) -> String {
    match column {
        "AGE" => {
            assert!(is_age(cell), "AGE cell {cell:?}");
            "<age>".to_string()
        }
        "IP" | "CLUSTER-IP" | "INTERNAL-IP" => {
            assert!(is_ipv4(cell), "{column} cell {cell:?}");
            "<ip>".to_string()
        }
        "NODE" => {
            assert!(
                cell.strip_prefix("node-")
                    .is_some_and(|n| n.parse::<u32>().is_ok()),
                "NODE cell {cell:?}"
            );
            "<node>".to_string()
        }
        "ENDPOINTS" => cell
            .split(',')
            .map(|endpoint| {
                let (address, rest) = endpoint.split_once(':').unwrap_or((endpoint, ""));
                assert!(is_ipv4(address), "ENDPOINTS cell {cell:?}");
                format!("<ip>:{rest}")
            })
            .collect::<Vec<_>>()
            .join(","),
        _ => normalise_names(cell),
    }
}

/// Replaces generated suffixes: `web-5d4f8b7c9-x2x7q` becomes `web-<hash>-<suffix>`,
/// `web-5d4f8b7c9` becomes `web-<hash>`, `pod-template-hash=…` keeps only its key.
fn normalise_names(text: &str) -> String {
    let mut words = Vec::new();
    for word in text.split(' ') {
        let mut parts: Vec<String> = Vec::new();
        for part in word.split(',') {
            let part = if let Some(rest) = part.strip_prefix("pod-template-hash=") {
                assert!(is_hash(rest), "pod-template-hash {rest:?}");
                "pod-template-hash=<hash>".to_string()
            } else {
                normalise_generated(part)
            };
            parts.push(part);
        }
        words.push(parts.join(","));
    }
    words.join(" ")
}

fn normalise_generated(name: &str) -> String {
    let pieces: Vec<&str> = name.split('-').collect();
    match pieces.as_slice() {
        [.., hash, suffix] if pieces.len() >= 3 && is_hash(hash) && is_suffix(suffix) => {
            format!("{}-<hash>-<suffix>", pieces[..pieces.len() - 2].join("-"))
        }
        [.., hash] if pieces.len() >= 2 && is_hash(hash) => {
            format!("{}-<hash>", pieces[..pieces.len() - 1].join("-"))
        }
        _ => name.to_string(),
    }
}

/// A pod-template-hash: 6 to 10 of kubernetes' safe alphanumerics, with a digit (so that
/// words like `nginx` or `front` are left alone).
fn is_hash(text: &str) -> bool {
    (6..=10).contains(&text.len())
        && text.bytes().all(is_safe_alphanumeric)
        && text.bytes().any(|b| b.is_ascii_digit())
}

/// A generateName suffix: 5 of kubernetes' safe alphanumerics.
fn is_suffix(text: &str) -> bool {
    text.len() == 5 && text.bytes().all(is_safe_alphanumeric)
}

/// `bcdfghjklmnpqrstvwxz2456789`, the alphabet of `utilrand.String`.
fn is_safe_alphanumeric(byte: u8) -> bool {
    b"bcdfghjklmnpqrstvwxz2456789".contains(&byte)
}

fn is_ipv4(text: &str) -> bool {
    let octets: Vec<&str> = text.split('.').collect();
    octets.len() == 4 && octets.iter().all(|o| o.parse::<u8>().is_ok())
}

/// `5s`, `2m3s`, `10m`, `3h`, `2d4h`, …
fn is_age(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || b"smhdy".contains(&b))
        && text.bytes().next().is_some_and(|b| b.is_ascii_digit())
}

/// The objects of a `List`, reduced per kind to what both sides must agree on.
fn reduce_objects(output: &str) -> Value {
    let list: Value = serde_json::from_str(output).unwrap_or_else(|error| {
        panic!("not JSON ({error}):\n{output}");
    });
    let mut by_kind: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for item in list["items"].as_array().cloned().unwrap_or_default() {
        let kind = item["kind"].as_str().unwrap_or("").to_string();
        if kind == "Endpoints" && item["metadata"]["name"] == "kubernetes" {
            // Host-specific, as in `reduce_table`.
            continue;
        }
        by_kind.entry(kind).or_default().push(reduce_object(&item));
    }
    for objects in by_kind.values_mut() {
        objects.sort_by_key(|object| object.to_string());
    }
    json!(by_kind)
}

fn reduce_object(item: &Value) -> Value {
    let metadata = &item["metadata"];
    let name = normalise_generated(metadata["name"].as_str().unwrap_or(""));
    let labels = normalised_labels(&metadata["labels"]);
    let owners: Vec<Value> = metadata["ownerReferences"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|owner| {
            json!({
                "kind": owner["kind"],
                "name": normalise_generated(owner["name"].as_str().unwrap_or("")),
                "controller": owner["controller"],
            })
        })
        .collect();
    let images = |spec: &Value| -> Value {
        spec["containers"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|c| json!({"name": c["name"], "image": c["image"], "ports": c["ports"]}))
            .collect()
    };
    let revision = &metadata["annotations"]["deployment.kubernetes.io/revision"];
    match item["kind"].as_str().unwrap_or("") {
        "Deployment" | "ReplicaSet" => json!({
            "name": name,
            "labels": labels,
            "owners": owners,
            "revision": revision,
            "replicas": item["spec"]["replicas"],
            "selector": normalised_labels(&item["spec"]["selector"]["matchLabels"]),
            "templateLabels": normalised_labels(&item["spec"]["template"]["metadata"]["labels"]),
            "containers": images(&item["spec"]["template"]["spec"]),
            "status": {
                "replicas": item["status"]["replicas"],
                "readyReplicas": item["status"]["readyReplicas"],
                "availableReplicas": item["status"]["availableReplicas"],
                "updatedReplicas": item["status"]["updatedReplicas"],
            },
        }),
        "Pod" => {
            let statuses = item["status"]["containerStatuses"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            json!({
                "name": name,
                "labels": labels,
                "owners": owners,
                "containers": images(&item["spec"]),
                "phase": item["status"]["phase"],
                "ready": statuses.iter().filter(|s| s["ready"] == true).count(),
                "restarts": statuses.iter().map(|s| s["restartCount"].as_u64().unwrap_or(0)).sum::<u64>(),
                "conditions": item["status"]["conditions"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .iter()
                    .map(|c| json!([c["type"], c["status"]]))
                    .collect::<Vec<_>>(),
            })
        }
        "Service" => json!({
            "name": name,
            "labels": labels,
            "type": item["spec"]["type"],
            "selector": item["spec"]["selector"],
            "ports": if name == "kubernetes" {
                // Its targetPort is the API server's own port (6443 in play, the test
                // server's ephemeral port in serve).
                let mut ports = item["spec"]["ports"].clone();
                ports[0]["targetPort"] = Value::from("<apiserver port>");
                ports
            } else {
                item["spec"]["ports"].clone()
            },
            "sessionAffinity": item["spec"]["sessionAffinity"],
        }),
        "Endpoints" => {
            let subsets = item["subsets"].as_array().cloned().unwrap_or_default();
            let count = |field: &str| -> usize {
                subsets
                    .iter()
                    .map(|s| s[field].as_array().map_or(0, Vec::len))
                    .sum()
            };
            json!({
                "name": name,
                "labels": labels,
                "addresses": count("addresses"),
                "notReadyAddresses": count("notReadyAddresses"),
                "ports": subsets.iter().map(|s| s["ports"].clone()).collect::<Vec<_>>(),
            })
        }
        "Node" => json!({
            "name": name,
            "labels": labels,
            "unschedulable": item["spec"]["unschedulable"],
            "conditions": item["status"]["conditions"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|c| json!([c["type"], c["status"]]))
                .collect::<Vec<_>>(),
            "nodeInfo": {
                "kubeletVersion": item["status"]["nodeInfo"]["kubeletVersion"],
                "containerRuntimeVersion": item["status"]["nodeInfo"]["containerRuntimeVersion"],
                "osImage": item["status"]["nodeInfo"]["osImage"],
            },
        }),
        other => json!({ "name": name, "kind": other }),
    }
}

/// Labels with the pod-template-hash value replaced.
fn normalised_labels(labels: &Value) -> Value {
    let Some(map) = labels.as_object() else {
        return Value::Null;
    };
    let normalised: BTreeMap<String, Value> = map
        .iter()
        .map(|(key, value)| {
            let value = if key == "pod-template-hash" {
                Value::from("<hash>")
            } else {
                value.clone()
            };
            (key.clone(), value)
        })
        .collect();
    json!(normalised)
}

fn kubectl_installed() -> bool {
    common::kubectl_installed()
}

#[test]
fn table_cells_are_normalised_where_the_sides_may_differ() {
    let cases = [
        ("NAME", "web-5d4f8b7c9-x2x7q", "web-<hash>-<suffix>"),
        ("NAME", "web-5d4f8b7c9", "web-<hash>"),
        ("NAME", "web", "web"),
        ("NAME", "node-1", "node-1"),
        (
            "SELECTOR",
            "app=web,pod-template-hash=5d4f8b7c9",
            "app=web,pod-template-hash=<hash>",
        ),
        ("IMAGES", "nginx:1.26", "nginx:1.26"),
        ("AGE", "2m3s", "<age>"),
        ("IP", "10.244.1.7", "<ip>"),
        ("NODE", "node-2", "<node>"),
        (
            "ENDPOINTS",
            "10.244.1.2:80,10.244.2.3:80",
            "<ip>:80,<ip>:80",
        ),
        ("READY", "1/1", "1/1"),
    ];
    for (column, cell, expected) in cases {
        assert_eq!(normalise_cell(column, cell), expected, "{column} {cell}");
    }
}

#[test]
fn header_columns_keep_two_word_names_together() {
    let header = "NAME   READY   NOMINATED NODE   READINESS GATES";
    assert_eq!(
        header_columns(header),
        [
            ("NAME", 0),
            ("READY", 7),
            ("NOMINATED NODE", 15),
            ("READINESS GATES", 32)
        ]
    );
}
