//! The events the kubelet writes, with the reasons and message texts of Kubernetes v1.33's
//! kubelet (`pkg/kubelet/events`, `images/image_manager.go`,
//! `kuberuntime/kuberuntime_container.go`, `prober/prober.go`).
//!
//! An event is a core/v1 `Event` created through [`ApiRequest::Create`], named
//! `<pod>.<hex of the event time in nanoseconds>` as client-go's recorder names them, with
//! `source.component: kubelet` and `source.host: <node>`.

use std::time::Duration;

use crate::api::objects::{InvolvedRef, StoredPod};

use crate::apiserver::ApiRequest;
use crate::sim::clock::Timestamp;

/// Reason `Pulling`.
pub const PULLING_IMAGE: &str = "Pulling";
/// Reason `Pulled`.
pub const PULLED_IMAGE: &str = "Pulled";
/// Reason `Failed` (image pulls, container creation).
pub const FAILED: &str = "Failed";
/// Reason `BackOff` (image pulls and container restarts).
pub const BACK_OFF: &str = "BackOff";
/// Reason `ErrImageNeverPull`.
pub const ERR_IMAGE_NEVER_PULL: &str = "ErrImageNeverPull";
/// Reason `Created`.
pub const CREATED_CONTAINER: &str = "Created";
/// Reason `Started`.
pub const STARTED_CONTAINER: &str = "Started";
/// Reason `Killing`.
pub const KILLING_CONTAINER: &str = "Killing";
/// Reason `Unhealthy`.
pub const CONTAINER_UNHEALTHY: &str = "Unhealthy";
/// Reason `NodeReady`.
pub const NODE_READY: &str = "NodeReady";
/// Reason `Starting` (the kubelet itself).
pub const STARTING_KUBELET: &str = "Starting";

pub use crate::api::events::EventType;

/// Formats a duration as Go's `time.Duration.String` does, after truncation to
/// milliseconds (`313ms`, `1.2s`, `1m2.5s`).
pub fn go_duration(duration: Duration) -> String {
    let ms = duration.as_millis();
    if ms == 0 {
        return "0s".to_string();
    }
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let hours = ms / 3_600_000;
    let minutes = (ms / 60_000) % 60;
    let seconds = (ms / 1000) % 60;
    let fraction = ms % 1000;
    let mut text = String::new();
    if hours > 0 {
        text.push_str(&format!("{hours}h"));
    }
    if hours > 0 || minutes > 0 {
        text.push_str(&format!("{minutes}m"));
    }
    text.push_str(&seconds.to_string());
    if fraction > 0 {
        let digits = format!("{fraction:03}");
        text.push('.');
        text.push_str(digits.trim_end_matches('0'));
    }
    text.push('s');
    text
}

/// `Pulling image "nginx:1.25"`.
pub fn pulling_message(image: &str) -> String {
    format!("Pulling image \"{image}\"")
}

/// `Successfully pulled image "nginx:1.25" in 1.2s (1.5s including waiting). Image size: 67000000 bytes.`
pub fn pulled_message(image: &str, pull: Duration, total: Duration, size_bytes: u64) -> String {
    format!(
        "Successfully pulled image \"{image}\" in {} ({} including waiting). Image size: {size_bytes} bytes.",
        go_duration(pull),
        go_duration(total)
    )
}

/// `Container image "nginx:1.25" already present on machine`.
pub fn already_present_message(image: &str) -> String {
    format!("Container image \"{image}\" already present on machine")
}

/// `Failed to pull image "x": <runtime error>`.
pub fn failed_to_pull_message(image: &str, error: &str) -> String {
    format!("Failed to pull image \"{image}\": {error}")
}

/// `Back-off pulling image "x"`.
pub fn back_off_pulling_message(image: &str) -> String {
    format!("Back-off pulling image \"{image}\"")
}

/// `Error: ErrImagePull` and the like, the `Failed` event after a failed start.
pub fn error_message(reason: &str) -> String {
    format!("Error: {reason}")
}

/// `Created container: nginx`.
pub fn created_message(container: &str) -> String {
    format!("Created container: {container}")
}

/// `Started container nginx`.
pub fn started_message(container: &str) -> String {
    format!("Started container {container}")
}

/// `Stopping container nginx`.
pub fn killing_message(container: &str) -> String {
    format!("Stopping container {container}")
}

/// `Container nginx failed liveness probe, will be restarted`.
pub fn failed_probe_message(container: &str, probe: &str) -> String {
    format!("Container {container} failed {probe} probe, will be restarted")
}

/// `Back-off restarting failed container nginx in pod web_default(<uid>)`.
pub fn back_off_restarting_message(
    container: &str,
    pod_name: &str,
    namespace: &str,
    uid: &str,
) -> String {
    format!("Back-off restarting failed container {container} in pod {pod_name}_{namespace}({uid})")
}

/// The waiting message of a container in CrashLoopBackOff:
/// `back-off 20s restarting failed container=nginx pod=web_default(<uid>)`.
pub fn crash_loop_waiting_message(
    delay: Duration,
    container: &str,
    pod_name: &str,
    namespace: &str,
    uid: &str,
) -> String {
    format!(
        "back-off {} restarting failed container={container} pod={pod_name}_{namespace}({uid})",
        go_duration(delay)
    )
}

/// `Readiness probe failed: HTTP probe failed with statuscode: 503`.
pub fn probe_failed_message(probe: &str, output: &str) -> String {
    format!("{probe} probe failed: {output}")
}

/// Writes the events of one node's kubelet (`source.component: kubelet`, host = node).
#[derive(Clone, Debug)]
pub struct EventRecorder {
    inner: crate::api::events::EventRecorder,
}

impl EventRecorder {
    /// A recorder for the kubelet of `node_name`.
    pub fn new(node_name: &str) -> EventRecorder {
        EventRecorder {
            inner: crate::api::events::EventRecorder::correlated(crate::api::events::Reporter {
                component: "kubelet".to_string(),
                host: Some(node_name.to_string()),
            }),
        }
    }

    /// The event about a pod (and, with a field path like `spec.containers{nginx}`, one of
    /// its containers), as the requests client-go's correlating recorder sends (a create, a
    /// count patch of the same event seen before, or nothing when spam-filtered).
    pub fn pod_event(
        &mut self,
        now: Timestamp,
        pod: &StoredPod,
        field_path: Option<&str>,
        event_type: EventType,
        reason: &str,
        message: String,
    ) -> Vec<ApiRequest> {
        let meta = &pod.metadata;
        let involved = InvolvedRef {
            api_version: Some("v1"),
            kind: Some("Pod"),
            name: meta.name.as_deref(),
            namespace: meta.namespace.as_deref(),
            uid: meta.uid.as_deref(),
            resource_version: pod.resource_version(),
            field_path,
        };
        self.event(now, involved, event_type, reason, message)
    }

    /// An event about any object.
    pub fn event(
        &mut self,
        now: Timestamp,
        involved: InvolvedRef<'_>,
        event_type: EventType,
        reason: &str,
        message: String,
    ) -> Vec<ApiRequest> {
        self.inner
            .correlate_requests(now, involved, event_type, reason, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_as_go_prints_them() {
        for (ms, text) in [
            (0, "0s"),
            (313, "313ms"),
            (1000, "1s"),
            (1200, "1.2s"),
            (7264, "7.264s"),
            (62_500, "1m2.5s"),
            (3_600_000, "1h0m0s"),
        ] {
            assert_eq!(go_duration(Duration::from_millis(ms)), text);
        }
    }

    #[test]
    fn messages_match_the_kubelet_texts() {
        assert_eq!(
            pulled_message("nginx:1.27", Duration::from_millis(7264), Duration::from_millis(7264), 68_857_691),
            "Successfully pulled image \"nginx:1.27\" in 7.264s (7.264s including waiting). Image size: 68857691 bytes."
        );
        assert_eq!(
            back_off_restarting_message("app", "web", "default", "u-1"),
            "Back-off restarting failed container app in pod web_default(u-1)"
        );
    }
}
