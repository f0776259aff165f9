//! The `Events:` section: the events whose `involvedObject` is the described object, found
//! with the same field selector kubectl's `searchEvents` sends, sorted by last timestamp and
//! printed as kubectl's `DescribeEvents` table (`Normal  Scheduled  10s  default-scheduler
//! Successfully assigned …`, `(x3 over 2m)` for repeated events).

use k8s_openapi::api::core::v1::Event;

use crate::api::objects::{Kind, Object};
use crate::apiserver::{ApiError, ListOptions};
use crate::kubectl::KubectlApi;
use crate::sim::clock::Timestamp;

use super::format::{since, since_micro};
use super::writer::{w, PrefixWriter, LEVEL_0, LEVEL_1};

/// What an event search looks for: kubectl's `GetFieldSelector(name, namespace, kind, uid)`.
pub(crate) struct EventQuery<'a> {
    /// `involvedObject.name`.
    pub name: &'a str,
    /// `involvedObject.namespace`, and the namespace listed (all namespaces when empty).
    pub namespace: &'a str,
    /// `involvedObject.kind`, left out when empty (kubectl clears it for pods).
    pub kind: &'a str,
    /// `involvedObject.uid`, left out when empty.
    pub uid: &'a str,
}

/// Lists the events about one object (kubectl's `searchEvents`).
pub(crate) fn search_events<A: KubectlApi + ?Sized>(
    api: &mut A,
    query: &EventQuery<'_>,
) -> Result<Vec<Event>, ApiError> {
    // fields.Set.String(): the terms sorted by key.
    let mut terms = Vec::new();
    if !query.kind.is_empty() {
        terms.push(format!("involvedObject.kind={}", escape(query.kind)));
    }
    terms.push(format!("involvedObject.name={}", escape(query.name)));
    terms.push(format!(
        "involvedObject.namespace={}",
        escape(query.namespace)
    ));
    if !query.uid.is_empty() {
        terms.push(format!("involvedObject.uid={}", escape(query.uid)));
    }
    let options = ListOptions {
        field_selector: Some(terms.join(",")),
        ..ListOptions::default()
    };
    let namespace = Some(query.namespace).filter(|ns| !ns.is_empty());
    let list = api.list(Kind::Event, namespace, &options)?;
    Ok(list
        .items
        .iter()
        .filter_map(|o| match o.as_ref() {
            Object::Event(event) => Some(event.to_event()),
            _ => None,
        })
        .collect())
}

/// The events about an object that has a name, namespace, kind and uid
/// (`searchEvents(client, obj)`); none when the search fails, as kubectl ignores the error.
pub(crate) fn events_for<A: KubectlApi + ?Sized>(api: &mut A, object: &Object) -> Vec<Event> {
    let meta = object.metadata();
    let query = EventQuery {
        name: object.name(),
        namespace: object.namespace(),
        kind: object.kind().kind_name(),
        uid: meta.uid.as_deref().unwrap_or(""),
    };
    search_events(api, &query).unwrap_or_default()
}

/// `fields.EscapeValue`.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace(',', "\\,")
        .replace('=', "\\=")
}

/// `DescribeEvents`: `Events:  <none>`, or a flush (the table aligns on its own) and the
/// table sorted by last timestamp.
pub(crate) fn describe_events(w: &mut PrefixWriter, events: &[Event], now: Timestamp) {
    if events.is_empty() {
        w!(w, LEVEL_0, "Events:\t<none>\n");
        return;
    }
    w.flush();
    let mut sorted: Vec<&Event> = events.iter().collect();
    // Go's sort.Sort is not stable; for equal timestamps a stable sort keeps list order,
    // which is what Go's insertion sort does for up to 12 events.
    sorted.sort_by_key(|e| e.last_timestamp.as_ref().map(|t| t.0));
    w!(w, LEVEL_0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
    w!(w, LEVEL_1, "----\t------\t----\t----\t-------\n");
    for event in sorted {
        let first = match &event.event_time {
            Some(event_time) => since_micro(now, Some(event_time)),
            None => since(now, event.first_timestamp.as_ref()),
        };
        let count = event.count.unwrap_or(0);
        let interval = if let Some(series) = &event.series {
            format!(
                "{} (x{} over {first})",
                since_micro(now, series.last_observed_time.as_ref()),
                series.count.unwrap_or(0)
            )
        } else if count > 1 {
            format!(
                "{} (x{count} over {first})",
                since(now, event.last_timestamp.as_ref())
            )
        } else {
            first
        };
        let source = event
            .source
            .as_ref()
            .and_then(|s| s.component.as_deref())
            .filter(|c| !c.is_empty())
            .or(event.reporting_component.as_deref())
            .unwrap_or("");
        w!(
            w,
            LEVEL_1,
            "{}\t{}\t{interval}\t{source}\t{}\n",
            event.type_.as_deref().unwrap_or(""),
            event.reason.as_deref().unwrap_or(""),
            event.message.as_deref().unwrap_or("").trim()
        );
    }
}
