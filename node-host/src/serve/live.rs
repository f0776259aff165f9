//! Live mode: what the web page reads and runs when it is attached to this server instead of
//! its in-page simulation.
//!
//! Every path is under `/kubeplay/v1/` and needs the same admin bearer token as the Kubernetes
//! API (the router puts them behind the same `require_token` check: 401 `Unauthorized` Status
//! without it or with a wrong one). Bodies and answers are JSON; every error is a Kubernetes
//! `Status` object ([`StatusError`]).
//!
//! - `GET /kubeplay/v1/info` → `{"version": "v1.33.0-kubeplay", "nodes": ["node-1", …],
//!   "traceKept": N, "traceNext": SEQ}`: the Kubernetes version the server speaks, the Node
//!   objects' names, how many trace records the server keeps (`--trace-keep`; 0: the trace
//!   endpoint is off) and the sequence number the next trace record will get (so a page can
//!   follow only what happens from now on). `"pods": N` counts the pods (so the page can
//!   choose between mirroring full objects and the compact [`summary`]).
//! - `GET /kubeplay/v1/trace?since=SEQ` → `{"records": [TraceRecord…], "next": SEQ2,
//!   "dropped": K}`. Records are the core's [`TraceRecord`] in its serde form (`type` tag,
//!   camelCase fields). Every record has a sequence number: its position among all records
//!   since the server started, counting from 0 ([`Trace::records_since`]). The answer holds
//!   the kept records whose sequence is `since` or later (`since` defaults to 0), oldest first;
//!   `next` is the sequence after the last of them (ask `since=next` next time); `dropped`
//!   counts the records from `since` on that are gone because they were older than the kept
//!   window. A `since` beyond what exists (a restarted server) answers no records and the
//!   server's `next`, so a client re-syncs. `tail=N` answers only the newest N of those
//!   records and counts the ones left out before them in `dropped` too: a page that keeps
//!   only its newest records asks for no more than it keeps, however far behind it is (the
//!   page's main thread decodes every record it gets).
//! - `GET /kubeplay/v1/trace?since=SEQ&watch=true` streams newline-delimited records (one
//!   [`TraceRecord`] JSON per line, no envelope, chunked like a Kubernetes watch): first the
//!   kept records from `since`, then each one as it happens; record `since + i` is line `i`.
//!   Without `since` the stream starts at the trace's current end. A `since` older than the
//!   kept window is 410 `Expired` (read it without `watch` to see what was dropped, then watch
//!   from its `next`); a client that falls so far behind that the window passes it sees the
//!   stream end, and reconnects the same way. The stream ends cleanly when the client goes,
//!   and after [`TRACE_WATCH_TIMEOUT`].
//! - `POST /kubeplay/v1/exec` with `{"line": "kubectl get pods"}` (optionally `"files":
//!   {"-": "<yaml>"}` for `-f -` and `-f NAME`) → `{"stdout": …, "stderr": …, "exitCode": N}`:
//!   one command line through the core's kubectl ([`World::kubectl`], the same kubectl as the
//!   browser terminal and `kubeplay play`) against this server's cluster, as the admin user.
//!   `kubectl get -w` and `kubectl logs -f` answer once, without streaming, and say so on
//!   stderr; `play …` lines answer exit code 1 with an error saying they need the in-page
//!   simulation; a blank line or a `#` comment does nothing. The body limit is the API's
//!   ([`MAX_REQUEST_BODY_BYTES`](super::api::status::MAX_REQUEST_BODY_BYTES), 413 above
//!   it); a body that is not that JSON, or a line with a line break, is 400.
//!
//! - `GET /kubeplay/v1/summary[?watch=true[&resourceVersion=N]]`: every node and pod in a
//!   compact form (only what the page's cluster view and canvas draw), as a list or a
//!   newline-delimited stream of changes; see [`summary`], which the page uses instead of
//!   full Pods and Nodes for big clusters (`info`'s `pods` tells it how big).
//!
//! - `GET /kubeplay/v1/images?node=NAME`: one node's cached images and layers (its
//!   simulated runtime's) and its kubelet's `Pulled` Events; see [`images`], which the page's
//!   images view reads on demand for the node it shows.
//!
//! Beyond the protocol agreed with the page (additions only, nothing changed): `info`'s
//! `traceNext` and `pods`, `exec`'s optional `files`, 410 for a trace watch from before the window, and
//! 404 `NotFound` naming `--trace-keep` from both trace forms when the server keeps no trace.
//!
//! The trace lives in the cluster actor's [`World`] as a bounded ring
//! ([`ClusterConfig::trace_keep`](super::ClusterConfig::trace_keep), `--trace-keep`, default
//! 20,000 records), so a server left running holds at most that many.
//!
//! [`World`]: kubeplay_core::sim::world::World
//! [`World::kubectl`]: kubeplay_core::sim::world::World::kubectl
//! [`Trace::records_since`]: kubeplay_core::sim::trace::Trace::records_since

use std::collections::BTreeMap;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use kubeplay_core::api::objects::Kind;
use kubeplay_core::apiserver::{ApiError, ListOptions};
use kubeplay_core::kubectl::Kubectl;
use kubeplay_core::sim::trace::{Trace, TraceRecord};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use super::api::status::StatusError;
use super::api::{body, json_response};
use super::cluster::{Cluster, ADMIN_USER};
use super::version::VersionInfo;

pub mod images;
pub mod summary;

/// How long a trace stream stays open (as a Kubernetes watch without `timeoutSeconds`); the
/// page reconnects with `since` set to where it got.
pub const TRACE_WATCH_TIMEOUT: Duration = Duration::from_secs(1800);

/// The most records a trace stream reads from the actor in one call, so a client catching up
/// on a full window never holds the cluster thread for long.
const TRACE_WATCH_BATCH: usize = 1000;

/// How many batches may wait for a slow client before the stream task waits too.
const STREAM_BUFFER_BATCHES: usize = 16;

/// What stderr says after `kubectl get -w` in live mode.
pub const WATCH_NOT_AVAILABLE: &str =
    "watching is not available in live mode: this is the list as it is now; run the command again to see what changed";

/// What stderr says after `kubectl logs -f` in live mode.
pub const FOLLOW_NOT_AVAILABLE: &str =
    "following logs is not available in live mode: these are the logs as they are now; run the command again for newer lines";

/// What a `play …` line answers in live mode.
pub const PLAY_NOT_AVAILABLE: &str = "error: `play` commands need the in-page simulation (they move its clock, pause nodes and send simulated traffic); the page is attached to a running kubeplay serve, where only kubectl commands run. Leave live mode to use them.";

/// The live-mode routes (the caller puts them behind the token check).
pub fn router(cluster: Cluster) -> Router {
    Router::new()
        .route("/kubeplay/v1/info", any(info))
        .route("/kubeplay/v1/trace", any(trace))
        .route("/kubeplay/v1/exec", any(exec))
        .route("/kubeplay/v1/summary", any(summary_endpoint))
        .route("/kubeplay/v1/images", any(images_endpoint))
        .route("/kubeplay", any(not_found))
        .route("/kubeplay/{*rest}", any(not_found))
        .with_state(cluster)
}

/// Any other path under `/kubeplay`.
async fn not_found() -> Response {
    StatusError::not_found_path().into_response()
}

fn only(method: &Method, allowed: &Method) -> Result<(), StatusError> {
    if method == allowed {
        Ok(())
    } else {
        Err(StatusError::method_not_allowed(method.as_str()))
    }
}

/// The answer of `GET /kubeplay/v1/info`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Info {
    /// The Kubernetes version the server speaks (`/version`'s `gitVersion`).
    pub version: String,
    /// The names of the Node objects, in name order.
    pub nodes: Vec<String>,
    /// How many trace records the server keeps (0: the trace endpoint is off).
    pub trace_kept: usize,
    /// The sequence number the next trace record will get.
    pub trace_next: u64,
    /// How many pods the cluster has.
    #[serde(default)]
    pub pods: usize,
}

/// `GET /kubeplay/v1/info`.
async fn info(State(cluster): State<Cluster>, method: Method) -> Response {
    let answer = async {
        only(&method, &Method::GET)?;
        let (nodes, trace_next, pods) = cluster
            .call_world(|world| {
                let next = world.trace().len();
                let pods = world.pod_summary().total;
                world.api().set_user(ADMIN_USER);
                let nodes = world.api().list(Kind::Node, None, &ListOptions::default());
                (nodes, next, pods)
            })
            .await
            .map_err(|_| StatusError::stopped())?;
        let nodes = nodes.map_err(StatusError::from)?;
        let info = Info {
            version: VersionInfo::current().git_version,
            nodes: nodes
                .items
                .iter()
                .map(|node| node.name().to_string())
                .collect(),
            trace_kept: cluster.trace_keep(),
            trace_next,
            pods,
        };
        Ok::<_, StatusError>(json_body(&info))
    };
    answer.await.unwrap_or_else(IntoResponse::into_response)
}

/// The answer of `GET /kubeplay/v1/trace` without `watch`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TracePage {
    /// The kept records from `since` on, oldest first.
    pub records: Vec<TraceRecord>,
    /// The sequence number after the last record (the `since` of the next read).
    pub next: u64,
    /// How many records from `since` on were older than the kept window (or left out by
    /// `tail`).
    pub dropped: u64,
}

/// The query of `GET /kubeplay/v1/trace`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct TraceQuery {
    since: Option<u64>,
    watch: bool,
    tail: Option<usize>,
}

impl TraceQuery {
    fn parse(pairs: Vec<(String, String)>) -> Result<TraceQuery, StatusError> {
        let mut query = TraceQuery::default();
        for (key, value) in pairs {
            match key.as_str() {
                "since" => {
                    query.since = Some(parse_count(
                        "since",
                        &value,
                        "a trace sequence number (0 or more)",
                    )?);
                }
                "watch" => query.watch = parse_watch(&value)?,
                "tail" => {
                    query.tail = Some(parse_count(
                        "tail",
                        &value,
                        "a number of records (0 or more)",
                    )?);
                }
                // Unknown parameters are ignored, as kube-apiserver ignores them.
                _ => {}
            }
        }
        Ok(query)
    }
}

/// Reads the kept records from `since` on, at most `limit` of them.
fn read_page(trace: &Trace, since: u64, limit: usize) -> TracePage {
    let first_kept = trace.first_kept();
    let records: Vec<TraceRecord> = trace
        .records_since(since)
        .take(limit)
        .map(|(_, record)| record.clone())
        .collect();
    let start = since.max(first_kept);
    let next = if since > trace.len() {
        trace.len()
    } else {
        start + records.len() as u64
    };
    TracePage {
        records,
        next,
        dropped: first_kept.saturating_sub(since),
    }
}

/// The Status of a trace endpoint on a server that keeps no trace.
fn trace_off() -> StatusError {
    StatusError::new(
        StatusCode::NOT_FOUND,
        "NotFound",
        "this server keeps no trace (it was started with --trace-keep 0): restart kubeplay serve with --trace-keep N, N above 0, to follow its trace in live mode",
    )
}

/// A live endpoint's query: its `name=value` pairs, or axum's reason it could not read them.
type LiveQuery = Result<Query<Vec<(String, String)>>, axum::extract::rejection::QueryRejection>;

/// The pairs of a [`LiveQuery`]; a query that cannot be read answers 400 with axum's reason.
fn query_pairs(query: LiveQuery) -> Result<Vec<(String, String)>, StatusError> {
    query
        .map(|Query(pairs)| pairs)
        .map_err(|rejection| StatusError::bad_request(rejection.body_text()))
}

/// Reads the kept records from `since` on like [`read_page`], but only the newest `tail` of
/// them; the ones left out before them count as dropped.
fn read_newest(trace: &Trace, since: u64, tail: usize) -> TracePage {
    let start = since.max(trace.first_kept());
    let left_out = trace
        .len()
        .saturating_sub(start)
        .saturating_sub(tail as u64);
    if left_out == 0 {
        return read_page(trace, since, usize::MAX);
    }
    let mut page = read_page(trace, start + left_out, usize::MAX);
    page.dropped = trace.first_kept().saturating_sub(since) + left_out;
    page
}

/// `GET /kubeplay/v1/trace[?since=SEQ][&watch=true][&tail=N]`.
async fn trace(State(cluster): State<Cluster>, method: Method, query: LiveQuery) -> Response {
    let answer = async {
        only(&method, &Method::GET)?;
        let pairs = query_pairs(query)?;
        let query = TraceQuery::parse(pairs)?;
        if cluster.trace_keep() == 0 {
            return Err(trace_off());
        }
        if query.watch {
            return watch_trace(cluster, query.since).await;
        }
        let since = query.since.unwrap_or(0);
        let tail = query.tail.unwrap_or(usize::MAX);
        let page = cluster
            .call_world(move |world| read_newest(world.trace(), since, tail))
            .await
            .map_err(|_| StatusError::stopped())?;
        Ok(json_body(&page))
    };
    answer.await.unwrap_or_else(IntoResponse::into_response)
}

/// Starts a trace stream from `since` (the trace's end when None).
async fn watch_trace(cluster: Cluster, since: Option<u64>) -> Result<Response, StatusError> {
    let (first_kept, length) = cluster
        .call_world(|world| (world.trace().first_kept(), world.trace().len()))
        .await
        .map_err(|_| StatusError::stopped())?;
    let start = since.unwrap_or(length);
    if start < first_kept {
        return Err(StatusError::from(ApiError::Expired(format!(
            "too old trace sequence: {start} (the oldest kept is {first_kept}); read /kubeplay/v1/trace?since={start} without watch, then watch from its next"
        ))));
    }
    let (sender, receiver) = mpsc::channel::<Result<Bytes, std::io::Error>>(STREAM_BUFFER_BATCHES);
    tokio::spawn(stream_trace(cluster, start.min(length), sender));
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CACHE_CONTROL, "no-cache, private")
        .body(Body::from_stream(ReceiverStream::new(receiver)))
        .map_err(|e| StatusError::from(ApiError::Internal(e.to_string())))
}

/// The trace stream's task: sends the records from `cursor` on as they come, until the client
/// goes, it falls behind the kept window, or [`TRACE_WATCH_TIMEOUT`] passes.
async fn stream_trace(
    cluster: Cluster,
    mut cursor: u64,
    sender: mpsc::Sender<Result<Bytes, std::io::Error>>,
) {
    let mut lengths = cluster.trace_lengths();
    let deadline = tokio::time::Instant::now() + TRACE_WATCH_TIMEOUT;
    loop {
        lengths.borrow_and_update();
        let since = cursor;
        let page = match cluster
            .call_world(move |world| read_page(world.trace(), since, TRACE_WATCH_BATCH))
            .await
        {
            Ok(page) => page,
            Err(_) => return,
        };
        if page.dropped > 0 {
            // The window moved past this client: end, so it re-reads with `since`.
            return;
        }
        let full = page.records.len() == TRACE_WATCH_BATCH;
        if !page.records.is_empty() {
            let mut lines = Vec::new();
            for record in &page.records {
                if serde_json::to_writer(&mut lines, record).is_err() {
                    return;
                }
                lines.push(b'\n');
            }
            if sender.send(Ok(Bytes::from(lines))).await.is_err() {
                return;
            }
        }
        cursor = page.next;
        if full {
            continue;
        }
        tokio::select! {
            changed = lengths.changed() => {
                if changed.is_err() {
                    return;
                }
            }
            () = tokio::time::sleep_until(deadline) => return,
            () = sender.closed() => return,
        }
    }
}

/// The query of `GET /kubeplay/v1/summary`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct SummaryQuery {
    watch: bool,
    resource_version: Option<String>,
}

impl SummaryQuery {
    fn parse(pairs: Vec<(String, String)>) -> Result<SummaryQuery, StatusError> {
        let mut query = SummaryQuery::default();
        for (key, value) in pairs {
            match key.as_str() {
                "watch" => query.watch = parse_watch(&value)?,
                "resourceVersion" => {
                    if !value.is_empty() && value.parse::<u64>().is_err() {
                        return Err(StatusError::bad_request(format!(
                            "resourceVersion: Invalid value: {value:?}: must be a resourceVersion from a summary list or a BOOKMARK"
                        )));
                    }
                    query.resource_version = Some(value).filter(|v| !v.is_empty());
                }
                // Unknown parameters are ignored, as kube-apiserver ignores them.
                _ => {}
            }
        }
        Ok(query)
    }
}

/// `watch=…` as kube-apiserver reads it.
/// A query parameter that counts (`since`, `tail`), or the 400 naming it and what it must be.
fn parse_count<T: std::str::FromStr>(
    name: &str,
    value: &str,
    must_be: &str,
) -> Result<T, StatusError> {
    value.parse::<T>().map_err(|_| {
        StatusError::bad_request(format!(
            "{name}: Invalid value: {value:?}: must be {must_be}"
        ))
    })
}

fn parse_watch(value: &str) -> Result<bool, StatusError> {
    match value {
        "true" | "1" => Ok(true),
        "false" | "0" | "" => Ok(false),
        _ => Err(StatusError::bad_request(format!(
            "watch: Invalid value: {value:?}: must be true or false"
        ))),
    }
}

/// `GET /kubeplay/v1/summary[?watch=true[&resourceVersion=N]]`.
async fn summary_endpoint(
    State(cluster): State<Cluster>,
    method: Method,
    query: LiveQuery,
) -> Response {
    let answer = async {
        only(&method, &Method::GET)?;
        let pairs = query_pairs(query)?;
        let query = SummaryQuery::parse(pairs)?;
        if query.watch {
            return summary::watch(cluster, query.resource_version).await;
        }
        let list = summary::list(&cluster).await?;
        // Straight to bytes: a big cluster's list is tens of megabytes of JSON.
        let bytes = serde_json::to_vec(&list)
            .map_err(|error| StatusError::from(ApiError::Internal(error.to_string())))?;
        Ok((
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            bytes,
        )
            .into_response())
    };
    answer.await.unwrap_or_else(IntoResponse::into_response)
}

/// `GET /kubeplay/v1/images?node=NAME`.
async fn images_endpoint(
    State(cluster): State<Cluster>,
    method: Method,
    query: LiveQuery,
) -> Response {
    let answer = async {
        only(&method, &Method::GET)?;
        let pairs = query_pairs(query)?;
        let node = pairs
            .into_iter()
            .find(|(key, _)| key == "node")
            .map(|(_, value)| value)
            .filter(|value| !value.is_empty())
            .ok_or_else(|| StatusError::bad_request("node: Required value"))?;
        let answer = images::node_images(&cluster, node).await?;
        Ok::<_, StatusError>(json_body(&answer))
    };
    answer.await.unwrap_or_else(IntoResponse::into_response)
}

/// The body of `POST /kubeplay/v1/exec`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExecRequest {
    /// One command line.
    line: String,
    /// Files `-f` may name (`-` is standard input).
    #[serde(default)]
    files: BTreeMap<String, String>,
}

/// The answer of `POST /kubeplay/v1/exec`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecResult {
    /// What the command printed on standard output.
    pub stdout: String,
    /// What it printed on standard error.
    pub stderr: String,
    /// 0 for success, 1 for an error (as kubectl).
    pub exit_code: i32,
}

/// What kind of line `exec` got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LineKind {
    /// Blank or a `#` comment: nothing to run.
    Nothing,
    /// A `play …` line: needs the in-page simulation.
    Play,
    /// A kubectl line (with or without the leading `kubectl`).
    Kubectl {
        /// `kubectl logs -f` / `--follow`.
        follows_logs: bool,
    },
}

fn line_kind(line: &str) -> LineKind {
    let trimmed = line.trim();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return LineKind::Nothing;
    }
    let words = shlex::split(trimmed).unwrap_or_else(|| {
        trimmed
            .split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>()
    });
    let mut words = words.iter().map(String::as_str).peekable();
    if words.peek() == Some(&"play") {
        return LineKind::Play;
    }
    if words.peek() == Some(&"kubectl") {
        words.next();
    }
    let words: Vec<&str> = words.collect();
    let is_logs = words.iter().find(|w| !w.starts_with('-')) == Some(&"logs");
    let follows = words
        .iter()
        .any(|w| matches!(*w, "-f" | "--follow" | "--follow=true"));
    LineKind::Kubectl {
        follows_logs: is_logs && follows,
    }
}

/// `POST /kubeplay/v1/exec`.
async fn exec(
    State(cluster): State<Cluster>,
    method: Method,
    headers: HeaderMap,
    request_body: Body,
) -> Response {
    let answer = async {
        only(&method, &Method::POST)?;
        let bytes = body::read(&headers, request_body).await?;
        let media_type = body::media_type(&headers);
        if media_type != "application/json" {
            return Err(StatusError::unsupported_media_type(&["application/json"]));
        }
        let request: ExecRequest = serde_json::from_slice(&bytes).map_err(|error| {
            StatusError::bad_request(format!(
                "the exec body must be {{\"line\": \"<one command line>\"}}: {error}"
            ))
        })?;
        if request.line.contains(['\n', '\r']) {
            return Err(StatusError::bad_request(
                "line: Invalid value: one command line per request (it has a line break)",
            ));
        }
        let result = match line_kind(&request.line) {
            LineKind::Nothing => ExecResult {
                stdout: String::new(),
                stderr: String::new(),
                exit_code: 0,
            },
            LineKind::Play => ExecResult {
                stdout: String::new(),
                stderr: format!("{PLAY_NOT_AVAILABLE}\n"),
                exit_code: 1,
            },
            LineKind::Kubectl { follows_logs } => {
                let server_url = server_url(&headers);
                run_kubectl(&cluster, request, server_url, follows_logs).await?
            }
        };
        Ok(json_body(&result))
    };
    answer.await.unwrap_or_else(IntoResponse::into_response)
}

/// The server's URL as the client reached it (for `kubectl cluster-info`).
fn server_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .filter(|host| {
            !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '-' | '[' | ']'))
        });
    match host {
        Some(host) => format!("https://{host}"),
        None => Kubectl::default().server_url,
    }
}

/// Runs one kubectl line in the cluster actor, as the admin user.
async fn run_kubectl(
    cluster: &Cluster,
    request: ExecRequest,
    server_url: String,
    follows_logs: bool,
) -> Result<ExecResult, StatusError> {
    let output = cluster
        .call_world(move |world| {
            let kubectl = Kubectl {
                server_url,
                user: ADMIN_USER.to_string(),
                ..Kubectl::default()
            };
            let mut output = world.kubectl(&kubectl, &request.line, request.files);
            let watched = match output.watch.take() {
                Some(watch) => {
                    watch.stop(world.api());
                    true
                }
                None => false,
            };
            (output, watched)
        })
        .await
        .map_err(|_| StatusError::stopped())?;
    let (output, watched) = output;
    let mut stderr = output.stderr;
    if watched {
        stderr.push_str(WATCH_NOT_AVAILABLE);
        stderr.push('\n');
    }
    if follows_logs && output.exit_code == 0 {
        stderr.push_str(FOLLOW_NOT_AVAILABLE);
        stderr.push('\n');
    }
    Ok(ExecResult {
        stdout: output.stdout,
        stderr,
        exit_code: output.exit_code,
    })
}

/// A 200 JSON answer.
fn json_body<T: Serialize>(value: &T) -> Response {
    match serde_json::to_value(value) {
        Ok(value) => json_response(StatusCode::OK, &value),
        Err(error) => StatusError::from(ApiError::Internal(error.to_string())).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeplay_core::sim::clock::Timestamp;

    fn note(message: &str) -> TraceRecord {
        TraceRecord::Note {
            at: Timestamp(1),
            component: "test".into(),
            message: message.into(),
        }
    }

    fn trace_of(keep: usize, messages: &[&str]) -> Trace {
        let mut trace = Trace::keeping_last(keep);
        trace.extend(messages.iter().map(|m| note(m)));
        trace
    }

    #[test]
    fn a_page_from_inside_the_window_has_no_drops_and_ends_at_the_trace_length() {
        let trace = trace_of(3, &["a", "b", "c", "d", "e"]);
        let page = read_page(&trace, 3, usize::MAX);
        assert_eq!(page.records, vec![note("d"), note("e")]);
        assert_eq!((page.next, page.dropped), (5, 0));
    }

    #[test]
    fn a_page_from_before_the_window_counts_what_was_dropped() {
        let trace = trace_of(3, &["a", "b", "c", "d", "e"]);
        let page = read_page(&trace, 0, usize::MAX);
        assert_eq!(page.records, vec![note("c"), note("d"), note("e")]);
        assert_eq!((page.next, page.dropped), (5, 2));
    }

    #[test]
    fn a_limited_page_points_next_at_the_first_record_it_left_out() {
        let trace = trace_of(10, &["a", "b", "c", "d"]);
        let page = read_page(&trace, 1, 2);
        assert_eq!(page.records, vec![note("b"), note("c")]);
        assert_eq!(page.next, 3);
    }

    #[test]
    fn a_tail_page_answers_the_newest_records_and_counts_the_rest_as_dropped() {
        let trace = trace_of(4, &["a", "b", "c", "d", "e", "f"]);
        // Kept: c d e f (2 dropped before the window); the newest 2 of them: e f.
        let page = read_newest(&trace, 0, 2);
        assert_eq!(page.records, vec![note("e"), note("f")]);
        assert_eq!((page.next, page.dropped), (6, 4));
        // From inside the window: d e f, of which e f.
        let page = read_newest(&trace, 3, 2);
        assert_eq!(page.records, vec![note("e"), note("f")]);
        assert_eq!((page.next, page.dropped), (6, 1));
        // A tail larger than what is new reads it all, like a page without one.
        assert_eq!(read_newest(&trace, 3, 10), read_page(&trace, 3, usize::MAX));
        assert_eq!(
            read_newest(&trace, 90, 2),
            read_page(&trace, 90, usize::MAX)
        );
        let page = read_newest(&trace, 6, 0);
        assert!(page.records.is_empty());
        assert_eq!((page.next, page.dropped), (6, 0));
    }

    #[test]
    fn a_since_beyond_the_trace_answers_the_trace_end_so_the_client_resyncs() {
        let trace = trace_of(10, &["a", "b"]);
        let page = read_page(&trace, 90, usize::MAX);
        assert!(page.records.is_empty());
        assert_eq!((page.next, page.dropped), (2, 0));
    }

    #[test]
    fn lines_are_told_apart_by_their_first_word() {
        let cases = [
            ("", LineKind::Nothing),
            ("  # a comment", LineKind::Nothing),
            ("play wait", LineKind::Play),
            (
                "kubectl get pods",
                LineKind::Kubectl {
                    follows_logs: false,
                },
            ),
            (
                "get pods -w",
                LineKind::Kubectl {
                    follows_logs: false,
                },
            ),
            (
                "kubectl logs web -f",
                LineKind::Kubectl { follows_logs: true },
            ),
            (
                "kubectl logs --follow web",
                LineKind::Kubectl { follows_logs: true },
            ),
            (
                "kubectl apply -f x.yaml",
                LineKind::Kubectl {
                    follows_logs: false,
                },
            ),
            (
                "kubectl logs web",
                LineKind::Kubectl {
                    follows_logs: false,
                },
            ),
        ];
        for (line, expected) in cases {
            assert_eq!(line_kind(line), expected, "{line}");
        }
    }

    #[test]
    fn trace_queries_read_since_and_watch_and_refuse_bad_values() {
        let pairs = |p: &[(&str, &str)]| {
            p.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            TraceQuery::parse(pairs(&[("since", "7"), ("watch", "true")])),
            Ok(TraceQuery {
                since: Some(7),
                watch: true,
                tail: None,
            })
        );
        assert_eq!(
            TraceQuery::parse(pairs(&[("since", "7"), ("tail", "500")])),
            Ok(TraceQuery {
                since: Some(7),
                watch: false,
                tail: Some(500),
            })
        );
        let error = TraceQuery::parse(pairs(&[("tail", "-3")])).unwrap_err();
        assert_eq!(error.code, StatusCode::BAD_REQUEST);
        assert_eq!(
            error.status["message"],
            r#"tail: Invalid value: "-3": must be a number of records (0 or more)"#
        );
        let error = TraceQuery::parse(pairs(&[("since", "-1")])).unwrap_err();
        assert_eq!(error.code, StatusCode::BAD_REQUEST);
        assert_eq!(
            error.status["message"],
            r#"since: Invalid value: "-1": must be a trace sequence number (0 or more)"#
        );
        assert!(TraceQuery::parse(pairs(&[("watch", "yes")])).is_err());
    }
}
