//! `GET /api/v1/namespaces/{ns}/pods/{name}/log`: what a pod's container printed, as
//! `kubectl logs` reads it.
//!
//! The query ([`LogOptions`]: `container`, `previous`, `follow`, `tailLines`, `timestamps`,
//! `limitBytes`) is parsed here; the run to read and every error (no such pod, a container name
//! needed, no previous run, still waiting to start) come from the core's
//! [`World::container_logs`](kubeplay_core::sim::world::World::container_logs) through the
//! cluster actor. The answer is `text/plain`, one line per log line. With `follow`, the body
//! stays open: a task polls the world every [`FOLLOW_POLL`] and sends the new lines until the
//! container's run ends, the pod goes away or the client hangs up.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use kubeplay_core::api::objects::Kind;
use kubeplay_core::apiserver::ApiError;
use kubeplay_core::kubelet::sim_runtime::logs::{ContainerLog, LogLine, LogsError};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use super::query::Params;
use super::status::StatusError;
use crate::serve::cluster::Cluster;

/// How often a followed log looks for new lines.
pub const FOLLOW_POLL: Duration = Duration::from_millis(200);

/// How long a followed log may stay open at most (kube-apiserver's long-running request
/// limit is of the same order).
pub const FOLLOW_LIMIT: Duration = Duration::from_secs(4 * 3600);

/// The query of a log request (`PodLogOptions`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogOptions {
    /// `container`: which container (may be left out for a pod with one).
    pub container: Option<String>,
    /// `previous`: the run before the current one.
    pub previous: bool,
    /// `follow`: keep streaming new lines.
    pub follow: bool,
    /// `tailLines`: only the last N lines (of what is there when the request comes).
    pub tail_lines: Option<usize>,
    /// `timestamps`: prefix each line with its RFC 3339 time.
    pub timestamps: bool,
    /// `limitBytes`: stop after this many bytes.
    pub limit_bytes: Option<usize>,
}

impl LogOptions {
    /// Reads the options from the query, with kube-apiserver's validation messages.
    pub fn from_params(params: &Params) -> Result<LogOptions, StatusError> {
        let non_negative = |name: &str| -> Result<Option<usize>, StatusError> {
            match params.get(name) {
                None | Some("") => Ok(None),
                Some(text) => {
                    let value = text.parse::<i64>().map_err(|_| {
                        StatusError::bad_request(format!(
                            "{name}: Invalid value: \"{text}\": must be an integer"
                        ))
                    })?;
                    if value < 0 {
                        return Err(StatusError::new(
                            StatusCode::UNPROCESSABLE_ENTITY,
                            "Invalid",
                            format!(
                                "PodLogOptions \"\" is invalid: {name}: Invalid value: {value}: must be greater than or equal to 0"
                            ),
                        ));
                    }
                    Ok(usize::try_from(value).ok())
                }
            }
        };
        Ok(LogOptions {
            container: params
                .get("container")
                .filter(|c| !c.is_empty())
                .map(str::to_string),
            previous: params.flag("previous"),
            follow: params.flag("follow"),
            tail_lines: non_negative("tailLines")?,
            timestamps: params.flag("timestamps"),
            limit_bytes: non_negative("limitBytes")?,
        })
    }
}

/// A core log error as the API server's Status: 404 for a missing pod, else 400.
fn status_of(error: LogsError) -> StatusError {
    match error {
        LogsError::PodNotFound(name) => StatusError::from(ApiError::NotFound {
            kind: Kind::Pod,
            name,
        }),
        other => StatusError::bad_request(other.to_string()),
    }
}

/// One line as the kubelet writes it: the text, after its time with `timestamps`.
fn render(line: &LogLine, timestamps: bool) -> String {
    if timestamps {
        format!("{} {}\n", line.time.to_k8s_time().0, line.text)
    } else {
        format!("{}\n", line.text)
    }
}

/// The lines to send at first: all, or the last `tailLines`.
fn first_lines(log: &ContainerLog, options: &LogOptions) -> String {
    let skip = options
        .tail_lines
        .map_or(0, |tail| log.lines.len().saturating_sub(tail));
    log.lines
        .iter()
        .skip(skip)
        .map(|line| render(line, options.timestamps))
        .collect()
}

/// Cuts `text` to at most `limit` bytes (on a character boundary).
fn limited(text: String, limit: Option<usize>) -> String {
    match limit {
        Some(limit) if text.len() > limit => {
            let mut end = limit;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text[..end].to_string()
        }
        _ => text,
    }
}

async fn read(
    cluster: &Cluster,
    namespace: &str,
    pod: &str,
    options: &LogOptions,
) -> Result<ContainerLog, StatusError> {
    let (namespace, pod) = (namespace.to_string(), pod.to_string());
    let (container, previous) = (options.container.clone(), options.previous);
    cluster
        .call_world(move |world| {
            world.container_logs(&namespace, &pod, container.as_deref(), previous)
        })
        .await
        .map_err(|_| StatusError::stopped())?
        .map_err(status_of)
}

/// Answers a `pods/{name}/log` GET.
pub async fn get(
    cluster: Cluster,
    namespace: String,
    pod: String,
    params: &Params,
) -> Result<Response, StatusError> {
    let options = LogOptions::from_params(params)?;
    let log = read(&cluster, &namespace, &pod, &options).await?;
    let first = limited(first_lines(&log, &options), options.limit_bytes);
    let plain = [(header::CONTENT_TYPE, "text/plain")];
    if !options.follow || options.previous || !log.running {
        return Ok((StatusCode::OK, plain, first).into_response());
    }
    let (sender, receiver) = mpsc::channel::<Result<Bytes, std::io::Error>>(16);
    let mut budget = options.limit_bytes.map(|limit| limit - first.len());
    let _ = sender.send(Ok(Bytes::from(first))).await;
    let mut sent_lines = log.lines.len();
    tokio::spawn(async move {
        let deadline = tokio::time::Instant::now() + FOLLOW_LIMIT;
        loop {
            tokio::select! {
                () = tokio::time::sleep(FOLLOW_POLL) => {}
                () = sender.closed() => return,
            }
            let Ok(log) = read(&cluster, &namespace, &pod, &options).await else {
                return;
            };
            let new: String = log
                .lines
                .iter()
                .skip(sent_lines)
                .map(|line| render(line, options.timestamps))
                .collect();
            sent_lines = log.lines.len().max(sent_lines);
            if !new.is_empty() {
                let new = limited(new, budget);
                if let Some(left) = budget.as_mut() {
                    *left -= new.len();
                }
                if sender.send(Ok(Bytes::from(new))).await.is_err() {
                    return;
                }
            }
            if !log.running || budget == Some(0) || tokio::time::Instant::now() > deadline {
                return;
            }
        }
    });
    Ok((
        StatusCode::OK,
        plain,
        Body::from_stream(ReceiverStream::new(receiver)),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeplay_core::sim::clock::SIM_EPOCH;

    fn log(texts: &[&str]) -> ContainerLog {
        ContainerLog {
            lines: texts
                .iter()
                .map(|text| LogLine {
                    time: SIM_EPOCH,
                    text: (*text).to_string(),
                })
                .collect(),
            running: true,
        }
    }

    fn options(pairs: &[(&str, &str)]) -> Result<LogOptions, StatusError> {
        LogOptions::from_params(&Params::from_pairs(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect(),
        ))
    }

    #[test]
    fn tail_lines_keeps_the_last_lines_and_timestamps_prefix_them() {
        let tail = options(&[("tailLines", "2"), ("timestamps", "true")]).unwrap();
        assert_eq!(
            first_lines(&log(&["a", "b", "c"]), &tail),
            "2025-01-01T00:00:00Z b\n2025-01-01T00:00:00Z c\n"
        );
        let all = options(&[]).unwrap();
        assert_eq!(first_lines(&log(&["a", "b"]), &all), "a\nb\n");
    }

    #[test]
    fn a_negative_or_malformed_tail_is_refused() {
        assert_eq!(
            options(&[("tailLines", "-1")]).unwrap_err().code,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            options(&[("tailLines", "x")]).unwrap_err().code,
            StatusCode::BAD_REQUEST
        );
    }

    #[test]
    fn limit_bytes_cuts_the_text() {
        assert_eq!(limited("hello\n".into(), Some(3)), "hel");
        assert_eq!(limited("hello\n".into(), None), "hello\n");
    }

    #[test]
    fn a_missing_pod_is_404_and_other_log_errors_are_400() {
        assert_eq!(
            status_of(LogsError::PodNotFound("p".into())).code,
            StatusCode::NOT_FOUND
        );
        let error = status_of(LogsError::PreviousNotFound {
            container: "c".into(),
            pod: "p".into(),
        });
        assert_eq!(error.code, StatusCode::BAD_REQUEST);
        assert_eq!(
            error.status["message"],
            "previous terminated container \"c\" in pod \"p\" not found"
        );
    }
}
