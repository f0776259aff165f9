//! Events the controllers record (`kubectl describe` shows them): client-go's legacy
//! `EventRecorder`, turned into `Create` requests for core/v1 Events.
//!
//! Each event is named `<object>.<hex nanoseconds>` as client-go names them; the nanoseconds
//! come from the manager's clock plus a sequence number, so two events in the same
//! millisecond still get distinct names.

use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::api::objects::Object;
use crate::apiserver::ApiRequest;
use crate::sim::clock::Timestamp;

/// `Normal` or `Warning`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    /// Something expected happened.
    Normal,
    /// Something went wrong.
    Warning,
}

impl EventType {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Normal => "Normal",
            EventType::Warning => "Warning",
        }
    }
}

/// Builds the Event objects of one controller (`source.component`).
#[derive(Clone, Debug)]
pub struct EventRecorder {
    component: &'static str,
    sequence: u64,
}

impl EventRecorder {
    /// A recorder for a component (`replicaset-controller`, `deployment-controller`, …).
    pub fn new(component: &'static str) -> EventRecorder {
        EventRecorder {
            component,
            sequence: 0,
        }
    }

    /// The component events are recorded for.
    pub fn component(&self) -> &'static str {
        self.component
    }

    /// The request that records one event about `object`.
    pub fn event(
        &mut self,
        object: &Object,
        event_type: EventType,
        reason: &str,
        message: String,
        now: Timestamp,
    ) -> ApiRequest {
        self.sequence += 1;
        let nanos = u128::from(now.0) * 1_000_000 + u128::from(self.sequence);
        let namespace = if object.namespace().is_empty() {
            "default".to_string()
        } else {
            object.namespace().to_string()
        };
        let meta = object.metadata();
        let event = Event {
            metadata: ObjectMeta {
                name: Some(format!("{}.{:x}", object.name(), nanos)),
                namespace: Some(namespace.clone()),
                ..ObjectMeta::default()
            },
            involved_object: ObjectReference {
                api_version: Some(object.kind().api_version().to_string()),
                kind: Some(object.kind().kind_name().to_string()),
                name: meta.name.clone(),
                namespace: meta.namespace.clone(),
                uid: meta.uid.clone(),
                resource_version: meta.resource_version.clone(),
                ..ObjectReference::default()
            },
            reason: Some(reason.to_string()),
            message: Some(message),
            type_: Some(event_type.as_str().to_string()),
            source: Some(EventSource {
                component: Some(self.component.to_string()),
                host: None,
            }),
            first_timestamp: Some(now.to_k8s_time()),
            last_timestamp: Some(now.to_k8s_time()),
            count: Some(1),
            reporting_component: Some(self.component.to_string()),
            reporting_instance: Some(String::new()),
            ..Event::default()
        };
        ApiRequest::Create {
            namespace,
            object: Object::from(event),
        }
    }
}

/// The reason and message of an Event request (for tests and the UI's action log).
pub fn describe(request: &ApiRequest) -> Option<(String, String)> {
    match request {
        ApiRequest::Create {
            object: Object::Event(event),
            ..
        } => Some((
            event.reason.clone().unwrap_or_default(),
            event.message.clone().unwrap_or_default(),
        )),
        _ => None,
    }
}
