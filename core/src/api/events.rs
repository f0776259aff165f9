//! Building `v1 Event` objects the way Kubernetes' event recorder does: named
//! `<object>.<hex timestamp>`, pointing at the object through `involvedObject`, with the
//! component that reported it. Components create them with an `ApiRequest::Create`.

use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::api::objects::Object;
use crate::sim::clock::Timestamp;

/// Whether an event is routine or a problem (the TYPE column of `kubectl get events`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    /// Something expected happened (Scheduled, Pulled, Started, ScalingReplicaSet…).
    Normal,
    /// Something went wrong (FailedScheduling, BackOff, Unhealthy…).
    Warning,
}

impl EventType {
    /// `Normal` or `Warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Normal => "Normal",
            EventType::Warning => "Warning",
        }
    }
}

/// Who reports an event: the component (`default-scheduler`, `kubelet`,
/// `deployment-controller`) and, for node agents, the host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reporter {
    /// The reporting component.
    pub component: String,
    /// The node, for kubelets.
    pub host: Option<String>,
}

impl Reporter {
    /// A reporter without a host.
    pub fn component(component: &str) -> Reporter {
        Reporter {
            component: component.to_string(),
            host: None,
        }
    }
}

/// A reference to an object, as events and owner lookups use it.
pub fn object_reference(object: &Object) -> ObjectReference {
    let meta = object.metadata();
    ObjectReference {
        api_version: Some(object.kind().api_version().to_string()),
        kind: Some(object.kind().kind_name().to_string()),
        name: meta.name.clone(),
        namespace: meta.namespace.clone(),
        uid: meta.uid.clone(),
        resource_version: meta.resource_version.clone(),
        field_path: None,
    }
}

/// Writes events for one reporter, naming them uniquely: client-go names events
/// `<object>.<UnixNano in hex>`, and virtual time moves in milliseconds, so events in the same
/// millisecond take the next nanosecond.
#[derive(Clone, Debug)]
pub struct EventRecorder {
    reporter: Reporter,
    last_nanos: u128,
}

impl EventRecorder {
    /// A recorder for `reporter`.
    pub fn new(reporter: Reporter) -> EventRecorder {
        EventRecorder {
            reporter,
            last_nanos: 0,
        }
    }

    /// Who the events come from.
    pub fn reporter(&self) -> &Reporter {
        &self.reporter
    }

    /// A new event about the object `involved` points at (events of cluster-scoped objects
    /// go to `default`, as client-go puts them).
    pub fn record(
        &mut self,
        now: Timestamp,
        involved: ObjectReference,
        event_type: EventType,
        reason: &str,
        message: String,
    ) -> Event {
        let nanos = (u128::from(now.as_millis()) * 1_000_000).max(self.last_nanos + 1);
        self.last_nanos = nanos;
        let object_name = involved.name.clone().unwrap_or_default();
        let namespace = involved
            .namespace
            .clone()
            .filter(|ns| !ns.is_empty())
            .unwrap_or_else(|| "default".to_string());
        let time = now.to_k8s_time();
        Event {
            metadata: ObjectMeta {
                name: Some(format!("{object_name}.{nanos:x}")),
                namespace: Some(namespace),
                ..ObjectMeta::default()
            },
            involved_object: involved,
            reason: Some(reason.to_string()),
            message: Some(message),
            type_: Some(event_type.as_str().to_string()),
            source: Some(EventSource {
                component: Some(self.reporter.component.clone()),
                host: self.reporter.host.clone(),
            }),
            first_timestamp: Some(time.clone()),
            last_timestamp: Some(time),
            count: Some(1),
            reporting_component: Some(self.reporter.component.clone()),
            reporting_instance: Some(self.reporter.host.clone().unwrap_or_default()),
            ..Event::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::clock::SIM_EPOCH;
    use serde_json::json;

    #[test]
    fn events_point_at_their_object_and_are_named_after_it() {
        let pod = Object::from_value(json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web", "namespace": "lab", "uid": "u-1"}}))
        .unwrap();
        let mut recorder = EventRecorder::new(Reporter::component("kubelet"));
        let mut record = || {
            recorder.record(
                SIM_EPOCH,
                object_reference(&pod),
                EventType::Warning,
                "BackOff",
                "Back-off".to_string(),
            )
        };
        let event = record();
        assert!(event.metadata.name.as_deref().unwrap().starts_with("web."));
        assert_eq!(event.involved_object.kind.as_deref(), Some("Pod"));
        assert_eq!(event.involved_object.uid.as_deref(), Some("u-1"));
        assert_eq!(event.type_.as_deref(), Some("Warning"));
        assert_eq!(event.metadata.namespace.as_deref(), Some("lab"));
        let other = record();
        assert_ne!(event.metadata.name, other.metadata.name);
    }
}
