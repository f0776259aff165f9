//! core/v1 Event validation (Kubernetes' legacy event rules, which are all that apply to events
//! written through the core/v1 API): the event's namespace matches its involved object's, and
//! new-style events (with `eventTime`) carry a reporting controller, instance, action and reason
//! within their length limits. The rules read the stored [`CompactEvent`] through its
//! accessors.

use crate::api::objects::CompactEvent;

use super::field::{ErrorList, FieldError, FieldPath};
use super::names::{is_dns1123_subdomain, is_qualified_name};

const REPORTING_INSTANCE_LIMIT: usize = 128;
const ACTION_LIMIT: usize = 128;
const REASON_LIMIT: usize = 128;
const NOTE_LIMIT: usize = 1024;

/// Validates a new Event.
pub fn validate_event(event: &CompactEvent) -> ErrorList {
    let mut errs = ErrorList::new();
    let namespace = event.metadata.namespace.as_deref().unwrap_or("");
    let involved_namespace = event.involved_object().namespace().unwrap_or("");
    let involved_path = FieldPath::new("involvedObject").child("namespace");
    let mismatch = || {
        FieldError::invalid(
            &involved_path,
            involved_namespace,
            "does not match event.namespace",
        )
    };
    if event.event_time().is_none() {
        let matches = if involved_namespace.is_empty() {
            namespace.is_empty() || namespace == "default"
        } else {
            namespace == involved_namespace
        };
        if !matches {
            errs.push(mismatch());
        }
    } else {
        if involved_namespace.is_empty() && namespace != "default" && namespace != "kube-system" {
            errs.push(mismatch());
        }
        let controller = event.reporting_component().unwrap_or("");
        let controller_path = FieldPath::new("reportingController");
        if controller.is_empty() {
            errs.push(FieldError::required(&controller_path, ""));
        }
        for msg in is_qualified_name(controller) {
            errs.push(FieldError::invalid(&controller_path, controller, msg));
        }
        let limited = [
            (
                "reportingInstance",
                event.reporting_instance(),
                REPORTING_INSTANCE_LIMIT,
                true,
            ),
            ("action", event.action(), ACTION_LIMIT, true),
            ("reason", event.reason(), REASON_LIMIT, true),
            ("message", event.message(), NOTE_LIMIT, false),
        ];
        for (field, value, limit, required) in limited {
            let value = value.unwrap_or("");
            let path = FieldPath::new(field);
            if required && value.is_empty() {
                errs.push(FieldError::required(&path, ""));
            }
            if value.len() > limit {
                errs.push(FieldError::invalid(
                    &path,
                    "",
                    format!("can have at most {limit} characters"),
                ));
            }
        }
    }
    for msg in is_dns1123_subdomain(namespace) {
        errs.push(FieldError::invalid(
            &FieldPath::new("namespace"),
            namespace,
            msg,
        ));
    }
    errs
}

/// Validates an update of an Event through core/v1: Kubernetes applies only the legacy rules to
/// the new event there (the stricter immutability rules belong to events.k8s.io/v1).
pub fn validate_event_update(new: &CompactEvent, _old: &CompactEvent) -> ErrorList {
    validate_event(new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::validation::object_meta::tests::meta;
    use k8s_openapi::api::core::v1::{Event, ObjectReference};

    #[test]
    fn event_namespace_must_match_the_involved_object() {
        let event = |ns: &str, involved: &str| {
            CompactEvent::from(Event {
                metadata: meta("web.17a", Some(ns)),
                involved_object: ObjectReference {
                    namespace: Some(involved.into()),
                    ..ObjectReference::default()
                },
                ..Event::default()
            })
        };
        let cases = [
            ("matching namespaces are valid", event("default", "default"), vec![]),
            ("a different namespace is invalid", event("default", "prod"),
                vec!["involvedObject.namespace: Invalid value: \"prod\": does not match event.namespace"]),
        ];
        for (name, e, want) in cases {
            let got: Vec<String> = validate_event(&e).iter().map(ToString::to_string).collect();
            assert_eq!(got, want, "{name}");
        }
    }
}
