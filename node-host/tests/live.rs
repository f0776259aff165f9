//! Live mode's endpoints (`/kubeplay/v1/info`, `trace`, `exec`) end to end: each test starts
//! the `kubeplay` binary on `127.0.0.1:0` with a fresh data directory ([`common`]) and asks
//! it over TLS (trusting the CA it made) what the web page asks in live mode.

// clippy.toml bans the wall clock and file I/O for the sans-IO core; this harness drives a
// process with wall-clock timeouts and reads its credentials, which is its job.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use std::time::Duration;

use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::{Method, Response, StatusCode};
use serde_json::{json, Value};

mod common;
use common::ServeProcess;

/// How fast the simulated nodes run.
const SIM_SPEED: &str = "20";

/// How long a test waits for something the cluster does by itself.
const WAIT: Duration = Duration::from_secs(30);

/// A TLS client of one server.
struct Client {
    https: common::HttpsClient,
    token: String,
}

/// Which token a request carries.
#[derive(Clone, Copy, Debug)]
enum Token<'a> {
    /// The server's admin token.
    Admin,
    /// No Authorization header.
    Missing,
    /// This one.
    Other(&'a str),
}

impl Client {
    fn of(server: &ServeProcess) -> Client {
        Client {
            https: common::HttpsClient::new(server.address(), &server.ca_pem()),
            token: server.token(),
        }
    }

    /// Sends one request and returns the response with its body unread.
    async fn open(
        &self,
        method: Method,
        path: &str,
        token: Token<'_>,
        body: Vec<u8>,
    ) -> Response<Incoming> {
        let bearer = match token {
            Token::Admin => Some(self.token.as_str()),
            Token::Missing => None,
            Token::Other(other) => Some(other),
        };
        self.https
            .open(method, path, bearer, "application/json", body)
            .await
    }

    /// Sends one request and reads the answer as JSON, or None when the connection broke
    /// first (a server refusing a huge body may answer and close before it was all sent).
    async fn try_send(&self, path: &str, body: Vec<u8>) -> Option<(StatusCode, Value)> {
        let response = self
            .https
            .try_open(
                Method::POST,
                path,
                Some(&self.token),
                "application/json",
                body,
            )
            .await
            .ok()?;
        let status = response.status();
        let bytes = response.into_body().collect().await.ok()?.to_bytes();
        Some((status, serde_json::from_slice(&bytes).ok()?))
    }

    /// Sends one request and reads the whole answer as JSON.
    async fn send(
        &self,
        method: Method,
        path: &str,
        token: Token<'_>,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        let response = self.open(method, path, token, body).await;
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("read body")
            .to_bytes();
        let value = serde_json::from_slice(&bytes).unwrap_or_else(|error| {
            panic!(
                "{path} answered no JSON ({error}): {}",
                String::from_utf8_lossy(&bytes)
            )
        });
        (status, value)
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(Method::GET, path, Token::Admin, Vec::new()).await
    }

    /// Runs one exec line; insists on 200 and returns the answer.
    async fn exec(&self, line: &str) -> Value {
        let body = json!({ "line": line }).to_string().into_bytes();
        let (status, answer) = self
            .send(Method::POST, "/kubeplay/v1/exec", Token::Admin, body)
            .await;
        assert_eq!(status, StatusCode::OK, "{line}: {answer}");
        answer
    }
}

fn start(args: &[&str]) -> (ServeProcess, Client) {
    let server = ServeProcess::start(args);
    let client = Client::of(&server);
    (server, client)
}

fn assert_status(status: StatusCode, body: &Value, code: StatusCode, reason: &str) {
    assert_eq!(status, code, "{body}");
    assert_eq!(body["kind"], "Status", "{body}");
    assert_eq!(body["code"], code.as_u16(), "{body}");
    assert_eq!(body["reason"], reason, "{body}");
}

#[tokio::test]
async fn every_live_endpoint_refuses_a_missing_or_wrong_token_with_401() {
    let (_server, client) = start(&[]);
    let endpoints = [
        (Method::GET, "/kubeplay/v1/info", Vec::new()),
        (Method::GET, "/kubeplay/v1/trace?since=0", Vec::new()),
        (Method::GET, "/kubeplay/v1/trace?watch=true", Vec::new()),
        (
            Method::POST,
            "/kubeplay/v1/exec",
            br#"{"line":"kubectl get pods"}"#.to_vec(),
        ),
        (Method::GET, "/kubeplay/v1/summary", Vec::new()),
        (Method::GET, "/kubeplay/v1/summary?watch=true", Vec::new()),
        (Method::GET, "/kubeplay/v1/images?node=node-1", Vec::new()),
        (Method::GET, "/kubeplay/v1/unknown", Vec::new()),
    ];
    for (method, path, body) in endpoints {
        for token in [Token::Missing, Token::Other("not-the-token")] {
            let (status, answer) = client.send(method.clone(), path, token, body.clone()).await;
            assert_status(status, &answer, StatusCode::UNAUTHORIZED, "Unauthorized");
        }
    }
    // The same requests with the token get through.
    let (status, _) = client.get("/kubeplay/v1/info").await;
    assert_eq!(status, StatusCode::OK);
    let (status, answer) = client.get("/kubeplay/v1/unknown").await;
    assert_status(status, &answer, StatusCode::NOT_FOUND, "NotFound");
}

#[tokio::test]
async fn info_names_the_version_the_nodes_and_the_kept_trace() {
    let (_server, client) = start(&["--sim-nodes", "2"]);
    let (status, info) = client.get("/kubeplay/v1/info").await;
    assert_eq!(status, StatusCode::OK, "{info}");
    assert_eq!(info["version"], "v1.33.0-kubeplay");
    assert_eq!(info["nodes"], json!(["node-1", "node-2"]));
    assert_eq!(info["traceKept"], 20_000);
    assert!(info["traceNext"].as_u64().is_some_and(|n| n > 0), "{info}");
    assert_eq!(info["pods"], 0, "{info}");
    let (status, answer) = client
        .send(Method::POST, "/kubeplay/v1/info", Token::Admin, Vec::new())
        .await;
    assert_status(
        status,
        &answer,
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
    );
}

#[tokio::test]
async fn trace_since_numbers_records_and_counts_those_older_than_the_kept_window() {
    let (_server, client) = start(&["--trace-keep", "50", "--sim-speed", SIM_SPEED]);
    // Each exec is at least one API request record; a deployment makes many more.
    client
        .exec("kubectl create deployment web --image=nginx --replicas=2")
        .await;
    let deadline = tokio::time::Instant::now() + WAIT;
    let page = loop {
        let (status, page) = client.get("/kubeplay/v1/trace?since=0").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        if page["next"].as_u64().unwrap_or(0) > 80 {
            break page;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the trace never grew: {page}"
        );
        client.exec("kubectl get pods").await;
    };
    let records = page["records"].as_array().expect("records");
    let next = page["next"].as_u64().expect("next");
    let dropped = page["dropped"].as_u64().expect("dropped");
    assert_eq!(records.len(), 50, "the window holds --trace-keep records");
    assert_eq!(dropped + records.len() as u64, next);
    for record in records {
        let kind = record["type"].as_str().unwrap_or_default();
        assert!(
            ["apiRequest", "storeCommit", "watchDelivery", "note"].contains(&kind),
            "{record}"
        );
        assert!(record["at"].is_u64(), "{record}");
    }

    // From inside the window: nothing dropped, and exactly the records from `since` on.
    let since = next - 5;
    let (_, page) = client
        .get(&format!("/kubeplay/v1/trace?since={since}"))
        .await;
    let later = page["next"].as_u64().expect("next");
    assert_eq!(page["dropped"], 0, "{page}");
    assert_eq!(
        page["records"].as_array().map(Vec::len),
        Some((later - since) as usize)
    );
    assert_eq!(
        page["records"][0], records[45],
        "sequence numbers are stable"
    );

    // `tail`: only the newest records, the ones before them counted as dropped.
    let (status, page) = client.get("/kubeplay/v1/trace?since=0&tail=3").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let tail_next = page["next"].as_u64().expect("next");
    assert_eq!(page["records"].as_array().map(Vec::len), Some(3), "{page}");
    assert_eq!(page["dropped"].as_u64(), Some(tail_next - 3), "{page}");
    let (status, _) = client.get("/kubeplay/v1/trace?since=0&tail=many").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Beyond the end: no records, and the server's end to re-sync from.
    let (_, page) = client.get("/kubeplay/v1/trace?since=999999999").await;
    assert_eq!(page["records"], json!([]));
    assert!(
        page["next"].as_u64().is_some_and(|n| n < 999_999_999),
        "{page}"
    );

    // A watch from before the window is 410 Expired; a bad `since` is 400.
    let (status, answer) = client.get("/kubeplay/v1/trace?since=0&watch=true").await;
    assert_status(status, &answer, StatusCode::GONE, "Expired");
    let (status, answer) = client.get("/kubeplay/v1/trace?since=soon").await;
    assert_status(status, &answer, StatusCode::BAD_REQUEST, "BadRequest");
}

#[tokio::test]
async fn a_trace_watch_streams_the_records_a_write_causes() {
    let (_server, client) = start(&["--sim-speed", SIM_SPEED]);
    let response = client
        .open(
            Method::GET,
            "/kubeplay/v1/trace?watch=true",
            Token::Admin,
            Vec::new(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = response.into_body();
    let created = client
        .exec("kubectl create deployment watched --image=nginx")
        .await;
    assert_eq!(created["exitCode"], 0, "{created}");
    let mut buffered = Vec::new();
    let found = tokio::time::timeout(WAIT, async {
        loop {
            let frame = body
                .frame()
                .await
                .expect("the stream stays open")
                .expect("a chunk");
            let Ok(data) = frame.into_data() else {
                continue;
            };
            buffered.extend_from_slice(&data);
            while let Some(end) = buffered.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = buffered.drain(..=end).collect();
                let record: Value = serde_json::from_slice(&line).expect("one JSON record a line");
                if record["type"] == "storeCommit"
                    && record["key"] == "/registry/deployments/default/watched"
                {
                    return record;
                }
            }
        }
    })
    .await
    .expect("the watch delivered the deployment's store commit");
    assert_eq!(found["op"], "Put", "{found}");
    drop(body);
    // The server is fine after the client went away.
    let (status, _) = client.get("/kubeplay/v1/info").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn exec_creates_a_deployment_and_get_prints_it_as_kubectl_does() {
    let (_server, client) = start(&["--sim-speed", SIM_SPEED]);
    let created = client
        .exec("kubectl create deployment web --image=nginx --replicas=2")
        .await;
    assert_eq!(
        created,
        json!({"stdout": "deployment.apps/web created\n", "stderr": "", "exitCode": 0})
    );
    // The write went to the server's own API: the REST API sees it.
    let (status, deployment) = client
        .get("/apis/apps/v1/namespaces/default/deployments/web")
        .await;
    assert_eq!(status, StatusCode::OK, "{deployment}");
    assert_eq!(deployment["spec"]["replicas"], 2);

    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let listed = client.exec("kubectl get deploy").await;
        assert_eq!(listed["exitCode"], 0, "{listed}");
        assert_eq!(listed["stderr"], "", "{listed}");
        let stdout = listed["stdout"].as_str().unwrap_or_default();
        let lines: Vec<Vec<&str>> = stdout
            .lines()
            .map(|line| line.split_whitespace().collect())
            .collect();
        assert_eq!(
            lines.first().map(Vec::as_slice),
            Some(&["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"][..]),
            "{stdout}"
        );
        let row = lines.get(1).cloned().unwrap_or_default();
        assert_eq!(row.first(), Some(&"web"), "{stdout}");
        if row.get(1..4) == Some(&["2/2", "2", "2"][..]) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the deployment never became ready:\n{stdout}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn exec_of_bad_input_answers_a_clear_error_and_never_streams() {
    let (_server, client) = start(&[]);
    for body in [
        &b"not json"[..],
        br#"{"command":"get pods"}"#,
        br#"{"line":7}"#,
    ] {
        let (status, answer) = client
            .send(
                Method::POST,
                "/kubeplay/v1/exec",
                Token::Admin,
                body.to_vec(),
            )
            .await;
        assert_status(status, &answer, StatusCode::BAD_REQUEST, "BadRequest");
        let message = answer["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with("the exec body must be {\"line\": \"<one command line>\"}"),
            "{message}"
        );
    }
    let (status, answer) = client
        .send(
            Method::POST,
            "/kubeplay/v1/exec",
            Token::Admin,
            br#"{"line":"kubectl get pods\nkubectl get nodes"}"#.to_vec(),
        )
        .await;
    assert_status(status, &answer, StatusCode::BAD_REQUEST, "BadRequest");

    let unknown = client.exec("kubectl frobnicate").await;
    assert_eq!(unknown["exitCode"], 1, "{unknown}");
    assert!(
        unknown["stderr"]
            .as_str()
            .is_some_and(|e| e.contains("unknown command \"frobnicate\"")),
        "{unknown}"
    );

    let play = client.exec("play wait").await;
    assert_eq!(play["exitCode"], 1, "{play}");
    assert!(
        play["stderr"]
            .as_str()
            .is_some_and(|e| e.contains("`play` commands need the in-page simulation")),
        "{play}"
    );

    let watched = tokio::time::timeout(WAIT, client.exec("kubectl get namespaces -w"))
        .await
        .expect("get -w answers without streaming");
    assert_eq!(watched["exitCode"], 0, "{watched}");
    assert!(
        watched["stdout"]
            .as_str()
            .is_some_and(|o| o.contains("kube-system")),
        "{watched}"
    );
    assert!(
        watched["stderr"]
            .as_str()
            .is_some_and(|e| e.contains("watching is not available in live mode")),
        "{watched}"
    );

    let comment = client.exec("# nothing to run").await;
    assert_eq!(comment, json!({"stdout": "", "stderr": "", "exitCode": 0}));
    let (status, answer) = client.get("/kubeplay/v1/exec").await;
    assert_status(
        status,
        &answer,
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
    );
}

#[tokio::test]
async fn an_exec_body_above_the_api_limit_is_413() {
    let (_server, client) = start(&[]);
    let line = "x".repeat(kubeplay::serve::api::status::MAX_REQUEST_BODY_BYTES);
    let body = json!({ "line": line }).to_string().into_bytes();
    let mut answered = None;
    for _ in 0..10 {
        answered = client.try_send("/kubeplay/v1/exec", body.clone()).await;
        if answered.is_some() {
            break;
        }
    }
    let (status, answer) = answered.expect("the server answered one of ten tries");
    assert_status(
        status,
        &answer,
        StatusCode::PAYLOAD_TOO_LARGE,
        "RequestEntityTooLarge",
    );
}

#[tokio::test]
async fn a_server_keeping_no_trace_says_how_to_turn_the_trace_on() {
    let (_server, client) = start(&["--trace-keep", "0"]);
    for path in ["/kubeplay/v1/trace", "/kubeplay/v1/trace?watch=true"] {
        let (status, answer) = client.get(path).await;
        assert_status(status, &answer, StatusCode::NOT_FOUND, "NotFound");
        assert!(
            answer["message"]
                .as_str()
                .is_some_and(|m| m.contains("--trace-keep N")),
            "{answer}"
        );
    }
    let (_, info) = client.get("/kubeplay/v1/info").await;
    assert_eq!(info["traceKept"], 0);
}

/// Reads newline-delimited JSON from `body` until `done` says a line is the one wanted;
/// returns every line read.
async fn read_lines_until(body: &mut Incoming, mut done: impl FnMut(&Value) -> bool) -> Vec<Value> {
    let mut buffered = Vec::new();
    let mut lines = Vec::new();
    tokio::time::timeout(WAIT, async {
        loop {
            let frame = body
                .frame()
                .await
                .expect("the stream stays open")
                .expect("a chunk");
            let Ok(data) = frame.into_data() else {
                continue;
            };
            buffered.extend_from_slice(&data);
            while let Some(end) = buffered.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = buffered.drain(..=end).collect();
                let value: Value = serde_json::from_slice(&line).expect("one JSON object a line");
                let found = done(&value);
                lines.push(value);
                if found {
                    return;
                }
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("the wanted line never came; got {lines:?}"));
    lines
}

#[tokio::test]
async fn the_summary_lists_nodes_and_pods_compactly_and_streams_only_what_changes_them() {
    let (_server, client) = start(&["--sim-nodes", "2", "--sim-speed", SIM_SPEED]);
    let (status, list) = client.get("/kubeplay/v1/summary").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let nodes = list["nodes"].as_array().cloned().unwrap_or_default();
    let names: Vec<&str> = nodes.iter().filter_map(|n| n["name"].as_str()).collect();
    assert_eq!(names, ["node-1", "node-2"], "{list}");
    for node in &nodes {
        assert_eq!(node["podCapacity"], 110, "{node}");
        assert!(
            node["podCIDR"].as_str().is_some_and(|c| c.contains('/')),
            "{node}"
        );
        assert!(node["resourceVersion"].as_str().is_some(), "{node}");
        // Only what the canvas draws: no status, no spec.
        assert!(
            node.get("status").is_none() && node.get("spec").is_none(),
            "{node}"
        );
    }
    let since = list["resourceVersion"]
        .as_str()
        .expect("a resourceVersion")
        .to_string();
    let response = client
        .open(
            Method::GET,
            &format!("/kubeplay/v1/summary?watch=true&resourceVersion={since}"),
            Token::Admin,
            Vec::new(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = response.into_body();
    let created = client
        .exec("kubectl create deployment sum --image=nginx --replicas=2")
        .await;
    assert_eq!(created["exitCode"], 0, "{created}");
    let mut running = std::collections::BTreeSet::new();
    let lines = read_lines_until(&mut body, |line| {
        let pod = &line["pod"];
        if pod["status"] == "Running" && pod["nodeName"].as_str().is_some() {
            running.insert(pod["name"].as_str().unwrap_or_default().to_string());
        }
        running.len() == 2
    })
    .await;
    let pods: Vec<&Value> = lines
        .iter()
        .map(|l| &l["pod"])
        .filter(|p| p.is_object())
        .collect();
    assert!(!pods.is_empty(), "{lines:?}");
    for pod in &pods {
        assert_eq!(pod["namespace"], "default", "{pod}");
        assert_eq!(pod["app"], "sum", "{pod}");
        assert!(
            pod["owner"]
                .as_str()
                .is_some_and(|o| o.starts_with("ReplicaSet/sum-")),
            "{pod}"
        );
        assert!(pod["templateHash"].as_str().is_some(), "{pod}");
        assert!(
            pod.get("spec").is_none() && pod.get("metadata").is_none(),
            "{pod}"
        );
    }
    // Each pod's lines show a change of its summary: never the same one twice in a row.
    for name in &running {
        let mine: Vec<&&Value> = pods.iter().filter(|p| p["name"] == name.as_str()).collect();
        for pair in mine.windows(2) {
            let strip = |v: &Value| {
                let mut v = v.clone();
                v.as_object_mut().map(|o| o.remove("resourceVersion"));
                v
            };
            assert_ne!(strip(pair[0]), strip(pair[1]), "{name}: {mine:?}");
        }
    }
    assert!(
        lines
            .iter()
            .any(|l| l["type"] == "BOOKMARK" && l["resourceVersion"].as_str().is_some()),
        "{lines:?}"
    );
    drop(body);
    // The list now holds the two pods, running.
    let (_, list) = client.get("/kubeplay/v1/summary").await;
    let listed = list["pods"].as_array().map(|pods| {
        pods.iter()
            .filter(|p| p["app"] == "sum" && p["status"] == "Running")
            .count()
    });
    assert_eq!(listed, Some(2), "{list}");
    let (_, info) = client.get("/kubeplay/v1/info").await;
    assert!(info["pods"].as_u64().is_some_and(|n| n >= 2), "{info}");
}

/// Opens `/kubeplay/v1/summary?watch=true` without a revision (the whole state first).
async fn summary_stream_from_the_start(client: &Client) -> Incoming {
    let response = client
        .open(
            Method::GET,
            "/kubeplay/v1/summary?watch=true",
            Token::Admin,
            Vec::new(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.into_body()
}

#[tokio::test]
async fn a_summary_watch_without_a_resource_version_starts_with_every_node_and_bad_queries_are_400()
{
    let (_server, client) = start(&["--sim-nodes", "2"]);
    let mut body = summary_stream_from_the_start(&client).await;
    let mut added = Vec::new();
    read_lines_until(&mut body, |line| {
        if line["type"] == "ADDED" {
            if let Some(name) = line["node"]["name"].as_str() {
                added.push(name.to_string());
            }
        }
        line["type"] == "BOOKMARK"
    })
    .await;
    added.sort();
    assert_eq!(added, ["node-1", "node-2"]);
    drop(body);
    // An empty cluster's initial state ends at once, with a BOOKMARK (a page waits for it).
    let (_empty_server, empty) = start(&["--sim-nodes", "0"]);
    let mut body = summary_stream_from_the_start(&empty).await;
    let mut before_bookmark = Vec::new();
    read_lines_until(&mut body, |line| {
        if line["type"] == "BOOKMARK" {
            return true;
        }
        before_bookmark.push(line.clone());
        false
    })
    .await;
    assert_eq!(before_bookmark, Vec::<serde_json::Value>::new());
    drop(body);
    for path in [
        "/kubeplay/v1/summary?watch=maybe",
        "/kubeplay/v1/summary?watch=true&resourceVersion=abc",
    ] {
        let (status, answer) = client.get(path).await;
        assert_status(status, &answer, StatusCode::BAD_REQUEST, "BadRequest");
    }
    let (status, answer) = client
        .send(
            Method::POST,
            "/kubeplay/v1/summary",
            Token::Admin,
            Vec::new(),
        )
        .await;
    assert_status(
        status,
        &answer,
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
    );
}

#[tokio::test]
async fn a_nodes_images_answer_its_runtimes_cache_and_its_own_pulls() {
    let (_server, client) = start(&["--sim-nodes", "2", "--sim-speed", SIM_SPEED]);
    let created = client
        .exec("kubectl create deployment img --image=nginx --replicas=4")
        .await;
    assert_eq!(created["exitCode"], 0, "{created}");
    let started = std::time::Instant::now();
    let (answer, pulls) = loop {
        let (status, answer) = client.get("/kubeplay/v1/images?node=node-1").await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let pulls = answer["events"].as_array().cloned().unwrap_or_default();
        if !pulls.is_empty() && answer["images"].as_array().is_some_and(|i| !i.is_empty()) {
            break (answer, pulls);
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "no pull on node-1 within a minute: {answer}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert_eq!(answer["node"], "node-1", "{answer}");
    let image = &answer["images"][0];
    assert!(
        image["reference"]
            .as_str()
            .is_some_and(|r| r.contains("nginx")),
        "{answer}"
    );
    assert!(image["layers"][0]["digest"].as_str().is_some(), "{answer}");
    assert!(
        answer["diskBytes"].as_u64().is_some_and(|b| b > 0),
        "{answer}"
    );
    assert!(
        answer["layerCount"].as_u64().is_some_and(|n| n > 0),
        "{answer}"
    );
    for event in &pulls {
        assert_eq!(event["reason"], "Pulled", "{event}");
        assert_eq!(event["source"]["host"], "node-1", "{event}");
    }
    let (status, answer) = client.get("/kubeplay/v1/images?node=nope").await;
    assert_status(status, &answer, StatusCode::NOT_FOUND, "NotFound");
    assert_eq!(answer["message"], "nodes \"nope\" not found", "{answer}");
    let (status, answer) = client.get("/kubeplay/v1/images").await;
    assert_status(status, &answer, StatusCode::BAD_REQUEST, "BadRequest");
}
