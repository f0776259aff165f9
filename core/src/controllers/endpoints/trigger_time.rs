//! The `endpoints.kubernetes.io/last-change-trigger-time` bookkeeping shared by the Endpoints
//! and EndpointSlice controllers (Kubernetes' `TriggerTimeTracker`).
//!
//! Each sync hands in the Service and its selected pods; the tracker compares every pod's
//! trigger time (its Ready condition's `lastTransitionTime`) and the Service's
//! (`creationTimestamp`) with what it saw at the previous sync of that Service, and returns
//! the earliest one that changed — the moment the change now being published started. A
//! Service seen for the first time reports its creation time. None means "do not export the
//! annotation".

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Service;

use crate::api::objects::StoredPod;
use crate::controllers::cache::ObjectKey;
use crate::sim::clock::Timestamp;

/// The annotation both controllers write.
pub const LAST_CHANGE_TRIGGER_TIME_ANNOTATION: &str =
    "endpoints.kubernetes.io/last-change-trigger-time";

/// What the tracker saw at a Service's last sync.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct ServiceState {
    last_service_trigger_time: Option<Timestamp>,
    last_pod_trigger_times: BTreeMap<String, Timestamp>,
}

/// Per-Service trigger times, as Kubernetes' `TriggerTimeTracker` keeps them.
#[derive(Clone, Debug, Default)]
pub struct TriggerTimeTracker {
    states: BTreeMap<ObjectKey, ServiceState>,
}

/// A pod's trigger time: when its Ready condition last changed.
fn pod_trigger_time(pod: &StoredPod) -> Option<Timestamp> {
    pod.status
        .as_ref()?
        .condition("Ready")?
        .last_transition_time()
        .as_ref()
        .map(Timestamp::from_k8s_time)
}

impl TriggerTimeTracker {
    /// Records this sync and returns the time to export, if any.
    pub fn compute(
        &mut self,
        key: &ObjectKey,
        service: &Service,
        pods: &[&StoredPod],
    ) -> Option<Timestamp> {
        let known = self.states.get(key);
        let was_known = known.is_some();
        let previous = known.cloned().unwrap_or_default();
        let mut min_changed: Option<Timestamp> = None;
        let mut pod_times = BTreeMap::new();
        for pod in pods {
            let Some(time) = pod_trigger_time(pod) else {
                continue;
            };
            let name = pod.metadata.name.clone().unwrap_or_default();
            if previous
                .last_pod_trigger_times
                .get(&name)
                .is_none_or(|t| time > *t)
            {
                min_changed = Some(min_changed.map_or(time, |m| m.min(time)));
            }
            pod_times.insert(name, time);
        }
        let service_time = service
            .metadata
            .creation_timestamp
            .as_ref()
            .map(Timestamp::from_k8s_time);
        if let Some(time) = service_time {
            if previous.last_service_trigger_time.is_none_or(|t| time > t) {
                min_changed = Some(min_changed.map_or(time, |m| m.min(time)));
            }
        }
        self.states.insert(
            key.clone(),
            ServiceState {
                last_service_trigger_time: service_time,
                last_pod_trigger_times: pod_times,
            },
        );
        if was_known {
            min_changed
        } else {
            service_time
        }
    }

    /// Forgets a deleted Service.
    pub fn delete_service(&mut self, key: &ObjectKey) {
        self.states.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(name: &str, ready_at: &str) -> StoredPod {
        serde_json::from_value(json!({
            "metadata": {"name": name},
            "status": {"conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": ready_at}]}
        }))
        .unwrap_or_default()
    }

    #[test]
    fn a_new_service_reports_its_creation_then_only_the_earliest_changed_pod() {
        let service: Service = serde_json::from_value(json!({
            "metadata": {"name": "web", "creationTimestamp": "2025-01-01T00:00:00Z"}
        }))
        .unwrap_or_default();
        let key = ObjectKey::new("default", "web");
        let mut tracker = TriggerTimeTracker::default();
        let a = pod("a", "2025-01-01T00:00:10Z");
        let first = tracker.compute(&key, &service, &[&a]);
        assert_eq!(
            first.map(Timestamp::to_rfc3339).as_deref(),
            Some("2025-01-01T00:00:00Z")
        );
        assert_eq!(tracker.compute(&key, &service, &[&a]), None);
        let b = pod("b", "2025-01-01T00:00:20Z");
        let c = pod("c", "2025-01-01T00:00:15Z");
        let next = tracker.compute(&key, &service, &[&a, &b, &c]);
        assert_eq!(
            next.map(Timestamp::to_rfc3339).as_deref(),
            Some("2025-01-01T00:00:15Z")
        );
    }
}
