//! One way to read the status the pod worker last sent ([`SentView`]), whether the worker
//! still keeps it (sent, not yet echoed by the watch) or reads it from the API's copy.
//!
//! The next sync reads little of the status last sent: each kubelet condition's status and
//! transition time (a condition keeps its time while its status stays), every condition's
//! type and status (`needsReconcile`), and per container its last state, its waiting message
//! and whether it showed `terminated`; and whether a newly computed status is the one sent.
//! Until the watch echoes it the worker keeps the status it sent as the `Arc` the request
//! carried, which the API server stores as the pod's status: the worker's copy costs a
//! pointer. (It used to keep a summary of its own, ~200 bytes a pod with a fingerprint of the
//! status, from before the store shared the sent status's `Arc`.)

use std::borrow::Cow;
use std::hash::{Hash, Hasher};

use k8s_openapi::api::core::v1::{ContainerState, PodCondition};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use crate::api::objects::CompactPodStatus;

/// A container's status in the status last sent, as [`SentView::container`] reads it.
#[derive(Clone, Debug)]
pub struct PreviousContainer<'a> {
    /// `lastState` (None or empty read the same).
    pub last_state: Option<Cow<'a, ContainerState>>,
    /// `state.waiting.message`.
    pub waiting_message: Option<&'a str>,
}

/// The status last sent: the API's copy that shows it, or the one the worker keeps until
/// the echo.
#[derive(Clone, Copy, Debug)]
pub struct SentView<'a>(pub &'a CompactPodStatus);

impl<'a> SentView<'a> {
    /// The `lastTransitionTime` of the first condition of the kubelet's type `kind` when its
    /// status is `status` (`True`/`False`).
    pub fn transition_time(self, kind: &str, status: &str) -> Option<Time> {
        self.0
            .condition(kind)
            .filter(|c| c.status() == status)
            .and_then(|c| c.last_transition_time())
    }

    /// Whether any condition sent satisfies `test(type, status)`.
    pub fn any_condition(self, mut test: impl FnMut(&str, &str) -> bool) -> bool {
        self.0.conditions().any(|c| test(c.type_(), c.status()))
    }

    /// The first status of container `name` in `initContainerStatuses` (`init`) or
    /// `containerStatuses`.
    pub fn container(self, init: bool, name: &str) -> Option<PreviousContainer<'a>> {
        let sent = self.0;
        let found = if init {
            sent.init_container_statuses().find(|s| s.name() == name)
        } else {
            sent.container_statuses().find(|s| s.name() == name)
        };
        found.map(|s| PreviousContainer {
            last_state: s.last_state(),
            waiting_message: s.waiting_message(),
        })
    }

    /// Whether the first status of container `name` (`containerStatuses`, then
    /// `initContainerStatuses`) showed it `terminated`.
    pub fn shows_terminated(self, name: &str) -> bool {
        let sent = self.0;
        sent.container_statuses()
            .chain(sent.init_container_statuses())
            .find(|s| s.name() == name)
            .is_some_and(|s| s.is_terminated())
    }

    /// Whether `status` is the status sent (the same one, or an equal one).
    pub fn is(self, status: &CompactPodStatus) -> bool {
        std::ptr::eq(self.0, status) || self.0 == status
    }
}

fn hash_time(h: &mut FingerprintHasher, time: &Option<Time>) {
    match time {
        None => h.write_u8(0),
        Some(t) => {
            h.write_u8(1);
            h.write_i64(t.0.as_second());
            h.write_i32(t.0.subsec_nanosecond());
        }
    }
}

/// Hashes every field of a pod condition.
pub(super) fn hash_condition(h: &mut FingerprintHasher, condition: &PodCondition) {
    let PodCondition {
        last_probe_time,
        last_transition_time,
        message,
        observed_generation,
        reason,
        status,
        type_,
    } = condition;
    type_.hash(h);
    status.hash(h);
    reason.hash(h);
    message.hash(h);
    observed_generation.hash(h);
    hash_time(h, last_transition_time);
    hash_time(h, last_probe_time);
}

/// Collects the bytes of a fingerprint (the status inputs') and hashes them once with XXH3 when finished: the
/// fingerprints are fed in many tiny writes (a byte, a short string, `Debug` text piece by
/// piece), which a streaming hasher pays for one by one.
#[derive(Default)]
pub(super) struct FingerprintHasher(Vec<u8>);

impl Hasher for FingerprintHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }

    fn finish(&self) -> u64 {
        xxhash_rust::xxh3::xxh3_64(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn status(value: serde_json::Value) -> k8s_openapi::api::core::v1::PodStatus {
        serde_json::from_value(value).unwrap()
    }

    fn sample() -> CompactPodStatus {
        status(json!({
            "phase": "Running",
            "conditions": [
                {"type": "DisruptionTarget", "status": "True", "lastTransitionTime": "2025-01-01T00:00:01Z"},
                {"type": "PodReadyToStartContainers", "status": "True", "lastTransitionTime": "2025-01-01T00:00:02Z"},
                {"type": "Initialized", "status": "True", "lastTransitionTime": "2025-01-01T00:00:03Z"},
                {"type": "Ready", "status": "False", "lastTransitionTime": "2025-01-01T00:00:04Z"},
                {"type": "ContainersReady", "status": "Unknown", "lastTransitionTime": "2025-01-01T00:00:05Z"},
                {"type": "PodScheduled", "status": "True", "lastTransitionTime": "2025-01-01T00:00:06Z"},
                {"type": "Ready", "status": "True"}
            ],
            "initContainerStatuses": [
                {"name": "init", "image": "busybox", "imageID": "", "ready": false, "restartCount": 0,
                 "state": {"terminated": {"exitCode": 0, "reason": "Completed"}},
                 "lastState": {}}
            ],
            "containerStatuses": [
                {"name": "app", "image": "nginx", "imageID": "", "ready": false, "restartCount": 2,
                 "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 20s"}},
                 "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}}},
                {"name": "side", "image": "nginx", "imageID": "", "ready": true, "restartCount": 0,
                 "state": {"running": {"startedAt": "2025-01-01T00:00:07Z"}},
                 "lastState": {}}
            ]
        }))
        .into()
    }

    #[test]
    fn the_view_reads_the_first_condition_and_container_of_each_name() {
        let sent = sample();
        let view = SentView(&sent);
        let time = |text: &str| Some(Time(text.parse().unwrap()));
        assert_eq!(
            view.transition_time("Ready", "False"),
            time("2025-01-01T00:00:04Z")
        );
        // Only the first `Ready` counts, and it is `False`.
        assert_eq!(view.transition_time("Ready", "True"), None);
        assert_eq!(view.transition_time("ContainersReady", "True"), None);
        assert!(view.any_condition(|k, s| k == "Ready" && s == "True"));
        assert!(view.any_condition(|k, s| k == "DisruptionTarget" && s == "True"));
        assert!(!view.any_condition(|k, s| k == "PodScheduled" && s == "False"));
        let app = view.container(false, "app").unwrap();
        assert_eq!(app.waiting_message, Some("back-off 20s"));
        assert!(app.last_state.unwrap().terminated.is_some());
        assert!(view.container(true, "app").is_none());
        assert!(view.container(true, "init").is_some());
        assert!(view.shows_terminated("init"));
        assert!(!view.shows_terminated("app"));
        assert!(!view.shows_terminated("none"));
    }

    #[test]
    fn the_status_sent_is_the_same_or_an_equal_one_and_no_other() {
        let sent = sample();
        assert!(SentView(&sent).is(&sent));
        assert!(SentView(&sent).is(&sent.clone()));
        let mut other = sent.clone();
        other.edit(|s| s.container_statuses.as_mut().unwrap()[0].restart_count = 3);
        assert!(!SentView(&sent).is(&other));
        let mut other = sent.clone();
        other.edit(|s| s.conditions.as_mut().unwrap()[3].status = "True".to_string());
        assert!(!SentView(&sent).is(&other));
    }
}
