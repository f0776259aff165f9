//! Events the controllers record (`kubectl describe` shows them): client-go's legacy
//! `EventRecorder` with its correlator, turned into the `Create` and `Patch` requests for
//! core/v1 Events that client-go's broadcaster sends (see [`crate::api::events`]: similar
//! events aggregate, repeated ones bump a count, a flood about one object is dropped).
//!
//! Each event is named `<object>.<hex nanoseconds>` as client-go names them; the nanoseconds
//! come from the manager's clock plus a sequence number, so two events in the same
//! millisecond still get distinct names.

use crate::api::events::{involved_ref, Reporter};

use crate::api::objects::Object;
use crate::apiserver::ApiRequest;
use crate::sim::clock::Timestamp;

pub use crate::api::events::EventType;

/// Builds the Event objects of one controller (`source.component`).
#[derive(Clone, Debug)]
pub struct EventRecorder {
    component: &'static str,
    inner: crate::api::events::EventRecorder,
}

impl EventRecorder {
    /// A recorder for a component (`replicaset-controller`, `deployment-controller`, …).
    pub fn new(component: &'static str) -> EventRecorder {
        EventRecorder {
            component,
            inner: crate::api::events::EventRecorder::correlated(Reporter::component(component)),
        }
    }

    /// The component events are recorded for.
    pub fn component(&self) -> &'static str {
        self.component
    }

    /// The requests that record one event about `object`: a create, a patch of an earlier
    /// event, or nothing when the spam filter drops it.
    pub fn event(
        &mut self,
        object: &Object,
        event_type: EventType,
        reason: &str,
        message: String,
        now: Timestamp,
    ) -> Vec<ApiRequest> {
        self.inner
            .correlate_requests(now, involved_ref(object), event_type, reason, message)
    }
}

/// The reason and message of an Event request (for tests and the UI's action log).
pub fn describe(request: &ApiRequest) -> Option<(String, String)> {
    match request {
        ApiRequest::Create {
            object: Object::Event(event),
            ..
        } => Some((
            event.reason().unwrap_or_default().to_string(),
            event.message().unwrap_or_default().to_string(),
        )),
        _ => None,
    }
}
