//! Watch streams: `GET …?watch=true` as newline-delimited JSON events over a chunked body.
//!
//! [`start`] opens a core watch through the actor and spawns a task that owns it: the task
//! drains the core watch ([`ApiServer::poll_watch`](kubeplay_core::apiserver::ApiServer::poll_watch)),
//! writes each event as one line, then sleeps until the store's revision moves, a bookmark is
//! due, the client goes away or the watch's timeout ends; then it closes the core watch. A
//! resourceVersion that is too old is answered as Kubernetes does: HTTP 200 and a single
//! `ERROR` event carrying a 410 Gone `Status`.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, StatusCode};
use axum::response::Response;
use kubeplay_core::api::objects::Kind;
use kubeplay_core::apiserver::{ApiError, ApiWatchEvent, ApiWatchId};
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

/// Opens a watch and answers with its stream.
pub async fn start(
    cluster: Cluster,
    kind: Kind,
    namespace: Option<String>,
    params: &Params,
    table: Option<TableRequest>,
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
            tokio::spawn(run(cluster, id, sender, table, timeout));
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
                    let line = event_line(&event, table.as_ref(), &mut first_table);
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
        )
        .await
        .expect("the watch answers 200");
        cluster
            .call(|api| api.create("default", config_map("new")).map(|_| ()))
            .await
            .expect("actor")
            .expect("create new");
        let events = lines(response).await;
        let seen: Vec<(String, String)> = events
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
            .collect();
        assert_eq!(
            seen,
            [
                ("ADDED".to_string(), "old".to_string()),
                ("ADDED".to_string(), "new".to_string())
            ]
        );
    }
}
