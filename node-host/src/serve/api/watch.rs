//! Watch streams: `GET …?watch=true` as newline-delimited JSON events over a chunked body.
//!
//! [`start`] opens a core watch through the actor and spawns a task that owns it: the task
//! drains the core watch ([`ApiServer::poll_watch`](kubeplay_core::apiserver::ApiServer::poll_watch)),
//! writes each event as one line, then sleeps until the store's revision moves, a bookmark is
//! due, the client goes away or the watch's timeout ends; then it closes the core watch. A
//! resourceVersion that is too old is answered as Kubernetes does: HTTP 200 and a single
//! `ERROR` event carrying a 410 Gone `Status`.
//!
//! Every watcher of a server gets its own copy of each event from the core, but the bytes it
//! writes are encoded once per event and output form and shared ([`EncodedEvents`]): with 100
//! informers watching pods, a pod update is turned into JSON once, not 100 times.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, StatusCode};
use axum::response::Response;
use kubeplay_core::api::objects::Kind;
use kubeplay_core::apiserver::{ApiError, ApiWatchEvent, ApiWatchId, WatchEventType};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use super::query::Params;
use super::status::{status_value, StatusError};
use super::table::{self, TableRequest};
use crate::serve::cluster::Cluster;

/// How often a watch that asked for bookmarks gets one (kube-apiserver: about a minute).
pub const BOOKMARK_INTERVAL: Duration = Duration::from_secs(60);

/// How long a watch stays open when the client sets no `timeoutSeconds` (kube-apiserver's
/// `--min-request-timeout` default is 1800 s).
pub const DEFAULT_WATCH_TIMEOUT: Duration = Duration::from_secs(1800);

/// How many encoded events may wait for a slow client before the watch task waits too.
const STREAM_BUFFER_EVENTS: usize = 256;

/// How many encoded event lines [`EncodedEvents`] keeps. Watchers drain their events within
/// moments of each other, so only the latest few thousand events are ever asked for again.
pub const ENCODED_EVENTS_KEPT: usize = 4096;

/// The output an event line was encoded for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Output {
    /// `{"type":…,"object":{…}}` with the whole object.
    Json,
    /// A one-row Table without column definitions, for this `includeObject` and this "now"
    /// (ages are relative to it).
    TableRow { include_object: u8, now_ms: u64 },
}

/// Which event line: one state of one object (kind, namespace, name and resourceVersion name
/// it exactly: a DELETED event's object carries the deletion's revision), seen as one event
/// type, in one output form.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct EventKey {
    kind: Kind,
    namespace: String,
    name: String,
    resource_version: String,
    event_type: &'static str,
    output: Output,
}

impl EventKey {
    fn of(event: &ApiWatchEvent, output: Output) -> EventKey {
        let object = &event.object;
        EventKey {
            kind: object.kind(),
            namespace: object.namespace().to_string(),
            name: object.name().to_string(),
            resource_version: object.resource_version().unwrap_or_default().to_string(),
            event_type: event.event_type.as_str(),
            output,
        }
    }
}

/// The encoded lines of recent watch events, shared by every watch stream of one server: the
/// first watcher to write an event encodes it, the others send the same bytes (a reference
/// count, no copy). Holds at most [`ENCODED_EVENTS_KEPT`] lines, dropping the oldest first.
#[derive(Debug, Default)]
pub struct EncodedEvents {
    cache: Mutex<EncodedCache>,
}

#[derive(Debug, Default)]
struct EncodedCache {
    lines: BTreeMap<EventKey, Bytes>,
    order: VecDeque<EventKey>,
    /// How many lines were encoded (for tests and benchmarks: hits are the rest).
    encoded: u64,
}

impl EncodedEvents {
    /// The line for `key`, encoded by `encode` only if no watcher has encoded it yet.
    fn line(&self, key: EventKey, encode: impl FnOnce() -> Bytes) -> Bytes {
        if let Some(line) = self.lock().lines.get(&key) {
            return line.clone();
        }
        // Encode outside the lock: two watchers may both encode a new event, never wait.
        let line = encode();
        let mut cache = self.lock();
        cache.encoded += 1;
        if !cache.lines.contains_key(&key) {
            if cache.order.len() >= ENCODED_EVENTS_KEPT {
                if let Some(oldest) = cache.order.pop_front() {
                    cache.lines.remove(&oldest);
                }
            }
            cache.order.push_back(key.clone());
            cache.lines.insert(key, line.clone());
        }
        line
    }

    /// How many event lines were encoded so far (the rest of the lines sent were shared).
    pub fn encoded_count(&self) -> u64 {
        self.lock().encoded
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, EncodedCache> {
        // A panic while holding the lock leaves a consistent map; keep serving.
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Opens a watch and answers with its stream.
pub async fn start(
    cluster: Cluster,
    kind: Kind,
    namespace: Option<String>,
    params: &Params,
    table: Option<TableRequest>,
    encoded: Arc<EncodedEvents>,
) -> Result<Response, StatusError> {
    let options = params.watch_options();
    let timeout = match params.get("timeoutSeconds") {
        None | Some("") => DEFAULT_WATCH_TIMEOUT,
        Some(text) => text.parse::<u64>().map(Duration::from_secs).map_err(|_| {
            StatusError::bad_request(format!("timeoutSeconds: Invalid value: {text:?}"))
        })?,
    };
    let opened = cluster
        .call(move |api| api.watch(kind, namespace.as_deref(), &options))
        .await
        .map_err(|_| StatusError::stopped())?;
    let (sender, receiver) = mpsc::channel::<Result<Bytes, std::io::Error>>(STREAM_BUFFER_EVENTS);
    match opened {
        Ok(id) => {
            tokio::spawn(run(cluster, id, sender, table, timeout, encoded));
        }
        Err(error @ ApiError::Expired(_)) => {
            let line = error_line(&error);
            let _ = sender.send(Ok(line)).await;
        }
        Err(error) => return Err(error.into()),
    }
    let body = Body::from_stream(ReceiverStream::new(receiver));
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CACHE_CONTROL, "no-cache, private")
        .body(body)
        .map_err(|e| StatusError::from(ApiError::Internal(e.to_string())))
}

/// The watch task: forwards events until the client leaves or the timeout ends.
async fn run(
    cluster: Cluster,
    id: ApiWatchId,
    sender: mpsc::Sender<Result<Bytes, std::io::Error>>,
    table: Option<TableRequest>,
    timeout: Duration,
    encoded: Arc<EncodedEvents>,
) {
    let mut revisions = cluster.revisions();
    let deadline = tokio::time::Instant::now() + timeout;
    let mut next_bookmark = tokio::time::Instant::now() + BOOKMARK_INTERVAL;
    let mut first_table = true;
    'stream: loop {
        revisions.borrow_and_update();
        let polled = match cluster.call(move |api| api.poll_watch(id)).await {
            Ok(polled) => polled,
            Err(_) => break,
        };
        match polled {
            Ok(events) => {
                for event in events {
                    let line =
                        shared_event_line(&encoded, &event, table.as_ref(), &mut first_table);
                    if sender.send(Ok(line)).await.is_err() {
                        break 'stream;
                    }
                }
            }
            Err(error) => {
                let _ = sender.send(Ok(error_line(&error))).await;
                break;
            }
        }
        tokio::select! {
            changed = revisions.changed() => {
                if changed.is_err() {
                    break;
                }
            }
            () = tokio::time::sleep_until(next_bookmark) => {
                next_bookmark = tokio::time::Instant::now() + BOOKMARK_INTERVAL;
                let bookmark = cluster.call(move |api| api.bookmark(id)).await.ok().flatten();
                if let Some(event) = bookmark {
                    let line = event_line(&event, None, &mut first_table);
                    if sender.send(Ok(line)).await.is_err() {
                        break;
                    }
                }
            }
            () = tokio::time::sleep_until(deadline) => break,
            () = sender.closed() => break,
        }
    }
    let _ = cluster.call(move |api| api.cancel_watch(id)).await;
}

/// One event as a line, from `encoded` when another watcher already encoded it. The first
/// Table row of a stream carries the column definitions, so it is this stream's own.
fn shared_event_line(
    encoded: &EncodedEvents,
    event: &ApiWatchEvent,
    table: Option<&TableRequest>,
    first_table: &mut bool,
) -> Bytes {
    let output = match table {
        Some(_) if event.event_type == WatchEventType::Bookmark => Output::Json,
        Some(_) if *first_table => return event_line(event, table, first_table),
        Some(request) => Output::TableRow {
            include_object: match request.include_object {
                table::IncludeObject::None => 0,
                table::IncludeObject::Metadata => 1,
                table::IncludeObject::Object => 2,
            },
            now_ms: request.now.as_millis(),
        },
        None => Output::Json,
    };
    encoded.line(EventKey::of(event, output), || {
        let mut first = false;
        event_line(event, table, &mut first)
    })
}

/// One event as a line; with a table request, a non-bookmark object becomes a one-row Table
/// (column definitions only in the first, as kube-apiserver sends them).
fn event_line(
    event: &ApiWatchEvent,
    table: Option<&TableRequest>,
    first_table: &mut bool,
) -> Bytes {
    let value = match table {
        Some(request) if event.event_type != kubeplay_core::apiserver::WatchEventType::Bookmark => {
            let mut object = table::object_table(&event.object, request);
            if !*first_table {
                if let Value::Object(fields) = &mut object {
                    fields.insert("columnDefinitions".into(), Value::Array(Vec::new()));
                }
            }
            *first_table = false;
            json!({"type": event.event_type.as_str(), "object": object})
        }
        _ => event.to_value(),
    };
    line(&value)
}

fn error_line(error: &ApiError) -> Bytes {
    line(&json!({"type": "ERROR", "object": status_value(error)}))
}

fn line(value: &Value) -> Bytes {
    let mut text = value.to_string();
    text.push('\n');
    Bytes::from(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeplay_core::api::objects::Object;

    fn config_map(name: &str) -> Object {
        Object::from_value(json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name}, "data": {"a": "1"}
        }))
        .expect("a valid ConfigMap")
    }

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params::from_pairs(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect(),
        )
    }

    /// Each watch event's type and object name, in order.
    fn types_and_names(events: &[serde_json::Value]) -> Vec<(String, String)> {
        events
            .iter()
            .map(|e| {
                (
                    e["type"].as_str().unwrap_or("").to_string(),
                    e["object"]["metadata"]["name"]
                        .as_str()
                        .unwrap_or("")
                        .to_string(),
                )
            })
            .collect()
    }

    async fn lines(response: Response) -> Vec<Value> {
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("the stream ends");
        String::from_utf8_lossy(&body)
            .lines()
            .map(|line| serde_json::from_str(line).expect("each line is JSON"))
            .collect()
    }

    #[tokio::test]
    async fn a_watch_from_a_compacted_revision_gets_one_error_event_with_410_gone() {
        let cluster = Cluster::start().expect("cluster");
        cluster
            .call(|api| {
                api.create("default", config_map("a")).expect("create a");
                api.create("default", config_map("b")).expect("create b");
                let revision = api.current_revision();
                api.compact(revision).expect("compact");
            })
            .await
            .expect("actor");
        let response = start(
            cluster,
            Kind::ConfigMap,
            Some("default".to_string()),
            &params(&[("watch", "1"), ("resourceVersion", "1")]),
            None,
            Arc::default(),
        )
        .await
        .expect("the watch answers 200");
        assert_eq!(response.status(), StatusCode::OK);
        let events = lines(response).await;
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0]["type"], "ERROR");
        assert_eq!(events[0]["object"]["kind"], "Status");
        assert_eq!(events[0]["object"]["code"], 410);
        assert_eq!(events[0]["object"]["reason"], "Expired");
    }

    #[tokio::test]
    async fn a_watch_streams_existing_and_new_objects_until_its_timeout() {
        let cluster = Cluster::start().expect("cluster");
        cluster
            .call(|api| api.create("default", config_map("old")).map(|_| ()))
            .await
            .expect("actor")
            .expect("create old");
        let response = start(
            cluster.clone(),
            Kind::ConfigMap,
            Some("default".to_string()),
            &params(&[("watch", "true"), ("timeoutSeconds", "1")]),
            None,
            Arc::default(),
        )
        .await
        .expect("the watch answers 200");
        cluster
            .call(|api| api.create("default", config_map("new")).map(|_| ()))
            .await
            .expect("actor")
            .expect("create new");
        let events = lines(response).await;
        let seen = types_and_names(&events);
        assert_eq!(
            seen,
            [
                ("ADDED".to_string(), "old".to_string()),
                ("ADDED".to_string(), "new".to_string())
            ]
        );
    }

    #[tokio::test]
    async fn watchers_of_one_server_share_each_event_line_encoded_once() {
        let cluster = Cluster::start().expect("cluster");
        let encoded: Arc<EncodedEvents> = Arc::default();
        let mut responses = Vec::new();
        for _ in 0..3 {
            responses.push(
                start(
                    cluster.clone(),
                    Kind::ConfigMap,
                    Some("default".to_string()),
                    &params(&[("watch", "true"), ("timeoutSeconds", "1")]),
                    None,
                    Arc::clone(&encoded),
                )
                .await
                .expect("the watch answers 200"),
            );
        }
        cluster
            .call(|api| {
                api.create("default", config_map("a"))?;
                api.create("default", config_map("b"))?;
                api.delete(Kind::ConfigMap, "default", "a", &Default::default())
                    .map(|_| ())
            })
            .await
            .expect("actor")
            .expect("writes");
        let mut streams = Vec::new();
        for response in responses {
            streams.push(lines(response).await);
        }
        let seen = types_and_names(&streams[0]);
        assert_eq!(
            seen,
            [
                ("ADDED".to_string(), "a".to_string()),
                ("ADDED".to_string(), "b".to_string()),
                ("DELETED".to_string(), "a".to_string())
            ]
        );
        assert!(streams.iter().all(|s| *s == streams[0]), "{streams:?}");
        // Three events, three watchers: three encodings (a DELETED object is a fresh copy per
        // watcher in the core, and still shares one line).
        assert_eq!(encoded.encoded_count(), 3);
    }

    #[test]
    fn the_encoded_events_keep_only_the_newest_lines() {
        let encoded = EncodedEvents::default();
        let event = |name: &str| ApiWatchEvent {
            event_type: WatchEventType::Added,
            object: Arc::new(config_map(name)),
        };
        for i in 0..=ENCODED_EVENTS_KEPT {
            let e = event(&format!("cm-{i}"));
            encoded.line(EventKey::of(&e, Output::Json), || {
                event_line(&e, None, &mut false)
            });
        }
        let first = event("cm-0");
        let last = event(&format!("cm-{ENCODED_EVENTS_KEPT}"));
        let encoded_before = encoded.encoded_count();
        encoded.line(EventKey::of(&last, Output::Json), || {
            Bytes::from_static(b"x")
        });
        assert_eq!(
            encoded.encoded_count(),
            encoded_before,
            "the newest is kept"
        );
        let again = encoded.line(EventKey::of(&first, Output::Json), || {
            Bytes::from_static(b"re-encoded")
        });
        assert_eq!(
            again,
            Bytes::from_static(b"re-encoded"),
            "the oldest was dropped"
        );
    }
}
