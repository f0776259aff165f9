//! An event's row: LAST SEEN, TYPE, REASON, OBJECT (`kind/name`), MESSAGE, and the wide
//! SUBOBJECT, SOURCE, FIRST SEEN, COUNT and NAME cells (`printEvent`).

use k8s_openapi::api::core::v1::Event;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use crate::sim::clock::Timestamp;

use super::duration::{age, human_or_unknown};
use super::Cell;

pub(crate) fn event_cells(event: &Event, name: Cell, now: Timestamp) -> Vec<Cell> {
    let first_seen = match (&event.first_timestamp, &event.event_time) {
        (Some(first), _) => age(Some(first), now),
        (None, Some(micro)) => {
            human_or_unknown(now, Some(Timestamp::from_k8s_time(&Time(micro.0))))
        }
        (None, None) => "<unknown>".to_string(),
    };
    let mut last_seen = match &event.last_timestamp {
        Some(last) => age(Some(last), now),
        None => first_seen.clone(),
    };
    let mut count = event.count.unwrap_or(0);
    if let Some(series) = &event.series {
        last_seen = human_or_unknown(
            now,
            series
                .last_observed_time
                .as_ref()
                .map(|t| Timestamp::from_k8s_time(&Time(t.0))),
        );
        count = series.count.unwrap_or(0);
    } else if count == 0 {
        count = 1;
    }
    let involved = &event.involved_object;
    let kind = involved.kind.clone().unwrap_or_default().to_lowercase();
    let target = match involved.name.as_deref().filter(|n| !n.is_empty()) {
        Some(n) => format!("{kind}/{n}"),
        None => kind,
    };
    let source = event.source.as_ref();
    let component = source
        .and_then(|s| s.component.clone())
        .filter(|c| !c.is_empty())
        .or_else(|| event.reporting_component.clone())
        .unwrap_or_default();
    let instance = source
        .and_then(|s| s.host.clone())
        .filter(|h| !h.is_empty())
        .or_else(|| event.reporting_instance.clone())
        .unwrap_or_default();
    let source = if instance.is_empty() {
        component
    } else {
        format!("{component}, {instance}")
    };
    vec![
        last_seen.into(),
        event.type_.clone().unwrap_or_default().into(),
        event.reason.clone().unwrap_or_default().into(),
        target.into(),
        involved.field_path.clone().unwrap_or_default().into(),
        source.into(),
        event
            .message
            .clone()
            .unwrap_or_default()
            .trim()
            .to_string()
            .into(),
        first_seen.into(),
        count.into(),
        name,
    ]
}
