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

/// A new event about `object`. `sequence` makes names unique when one component reports
/// several events about the same object in the same millisecond.
pub fn new_event(
    object: &Object,
    event_type: EventType,
    reason: &str,
    message: &str,
    reporter: &Reporter,
    now: Timestamp,
    sequence: u64,
) -> Event {
    let namespace = match object.namespace() {
        "" => "default".to_string(),
        ns => ns.to_string(),
    };
    // Kubernetes names events after the object and the reporting time in nanoseconds, hex.
    let nanos = u128::from(now.as_millis()) * 1_000_000 + u128::from(sequence % 1_000_000);
    let time = now.to_k8s_time();
    Event {
        metadata: ObjectMeta {
            name: Some(format!("{}.{nanos:x}", object.name())),
            namespace: Some(namespace),
            ..ObjectMeta::default()
        },
        involved_object: object_reference(object),
        reason: Some(reason.to_string()),
        message: Some(message.to_string()),
        type_: Some(event_type.as_str().to_string()),
        source: Some(EventSource {
            component: Some(reporter.component.clone()),
            host: reporter.host.clone(),
        }),
        first_timestamp: Some(time.clone()),
        last_timestamp: Some(time),
        count: Some(1),
        reporting_component: Some(reporter.component.clone()),
        reporting_instance: Some(reporter.host.clone().unwrap_or_default()),
        ..Event::default()
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
            "metadata": {"name": "web", "namespace": "default", "uid": "u-1"}}))
        .unwrap();
        let event = new_event(
            &pod,
            EventType::Warning,
            "BackOff",
            "Back-off",
            &Reporter::component("kubelet"),
            SIM_EPOCH,
            0,
        );
        assert!(event.metadata.name.as_deref().unwrap().starts_with("web."));
        assert_eq!(event.involved_object.kind.as_deref(), Some("Pod"));
        assert_eq!(event.involved_object.uid.as_deref(), Some("u-1"));
        assert_eq!(event.type_.as_deref(), Some("Warning"));
        let other = new_event(
            &pod,
            EventType::Warning,
            "BackOff",
            "Back-off",
            &Reporter::component("kubelet"),
            SIM_EPOCH,
            1,
        );
        assert_ne!(event.metadata.name, other.metadata.name);
    }
}
