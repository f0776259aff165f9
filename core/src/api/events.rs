//! Building `v1 Event` objects the way Kubernetes' event recorder does: named
//! `<object>.<hex timestamp>`, pointing at the object through `involvedObject`, with the
//! component that reported it.
//!
//! Components that use client-go's legacy recorder (kube-controller-manager's controllers, the
//! kubelet) pass each event through an [`EventCorrelator`] first, as client-go's
//! `events_cache.go` does: the event goes through the [`EventAggregator`] (the tenth similar
//! event within ten minutes becomes one `(combined from similar events): …` event), then the
//! dedup log (an event seen before becomes a `PATCH` of its count, lastTimestamp and message),
//! then the per source and object spam filter (a token bucket of 25, refilled once every five
//! minutes of virtual time; events over it are dropped). The outcome, a [`CorrelatedEvent`],
//! turns into the `Create` or `Patch` requests client-go would send. The scheduler records
//! through events.k8s.io in Kubernetes, which does not correlate: it uses
//! [`EventRecorder::record`] directly.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::{json, Value};

use crate::api::objects::{CompactEvent, InvolvedRef, Kind, Object, RecordedEvent};
use crate::api::patch::PatchType;
use crate::apiserver::ApiRequest;
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
        resource_version: object.resource_version().map(str::to_string),
        field_path: None,
    }
}

/// The object an event is about, borrowed from it (what [`object_reference`] copies).
pub fn involved_ref(object: &Object) -> InvolvedRef<'_> {
    let meta = object.metadata();
    InvolvedRef {
        api_version: Some(object.kind().api_version()),
        kind: Some(object.kind().kind_name()),
        name: meta.name.as_deref(),
        namespace: meta.namespace.as_deref(),
        uid: meta.uid.as_deref(),
        resource_version: object.resource_version(),
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
    correlator: Option<Box<EventCorrelator>>,
}

impl EventRecorder {
    /// A recorder for `reporter` that writes every event as it comes (events.k8s.io's
    /// recorder, which the scheduler uses, does no correlation).
    pub fn new(reporter: Reporter) -> EventRecorder {
        EventRecorder {
            reporter,
            last_nanos: 0,
            correlator: None,
        }
    }

    /// A recorder for `reporter` that correlates its events as client-go's legacy recorder
    /// does (see [`EventCorrelator`]); use [`EventRecorder::correlate`] with it.
    pub fn correlated(reporter: Reporter) -> EventRecorder {
        EventRecorder {
            correlator: Some(Box::new(EventCorrelator::new())),
            ..EventRecorder::new(reporter)
        }
    }

    /// Who the events come from.
    pub fn reporter(&self) -> &Reporter {
        &self.reporter
    }

    /// The next unique event time in nanoseconds at `now`.
    fn next_nanos(&mut self, now: Timestamp) -> u128 {
        next_nanos(&mut self.last_nanos, now)
    }

    /// A new event about the object `involved` points at (events of cluster-scoped objects
    /// go to `default`, as client-go puts them), without correlation.
    pub fn record(
        &mut self,
        now: Timestamp,
        involved: ObjectReference,
        event_type: EventType,
        reason: &str,
        message: String,
    ) -> Event {
        let nanos = self.next_nanos(now);
        let (name, namespace) = {
            let involved = InvolvedRef::from(&involved);
            (event_name(&involved, nanos), event_namespace(&involved))
        };
        let time = now.to_k8s_time();
        Event {
            metadata: ObjectMeta {
                name: Some(name),
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

    /// A new event about the object `involved` points at, without correlation, in the
    /// compact form the store keeps (the same Event [`EventRecorder::record`] makes).
    pub fn record_compact(
        &mut self,
        now: Timestamp,
        involved: InvolvedRef<'_>,
        event_type: EventType,
        reason: &str,
        message: String,
    ) -> CompactEvent {
        let nanos = self.next_nanos(now);
        CompactEvent::recorded(made_event(
            &self.reporter,
            nanos,
            now,
            involved,
            event_type,
            reason,
            message,
        ))
    }

    /// Records an event through the correlator (a recorder made with [`EventRecorder::new`]
    /// has none and always creates): what client-go's broadcaster would send for it.
    pub fn correlate(
        &mut self,
        now: Timestamp,
        involved: InvolvedRef<'_>,
        event_type: EventType,
        reason: &str,
        message: String,
    ) -> CorrelatedEvent {
        let nanos = self.next_nanos(now);
        let Some(correlator) = self.correlator.as_mut() else {
            return CorrelatedEvent::Create(Box::new(CompactEvent::recorded(made_event(
                &self.reporter,
                nanos,
                now,
                involved,
                event_type,
                reason,
                message,
            ))));
        };
        let made = Made {
            reporter: &self.reporter,
            nanos,
            involved,
            event_type,
            reason,
            message,
        };
        let last_nanos = &mut self.last_nanos;
        correlator.correlate(made, now, || next_nanos(last_nanos, now))
    }

    /// [`EventRecorder::correlate`], as the requests to send (none when the spam filter
    /// dropped the event).
    pub fn correlate_requests(
        &mut self,
        now: Timestamp,
        involved: InvolvedRef<'_>,
        event_type: EventType,
        reason: &str,
        message: String,
    ) -> Vec<ApiRequest> {
        self.correlate(now, involved, event_type, reason, message)
            .into_requests()
    }
}

/// The next unique event time in nanoseconds at `now`, after `last` (which it becomes).
fn next_nanos(last: &mut u128, now: Timestamp) -> u128 {
    let nanos = (u128::from(now.as_millis()) * 1_000_000).max(*last + 1);
    *last = nanos;
    nanos
}

/// The name client-go gives an event: `<involved object name>.<UnixNano in hex>`.
fn event_name(involved: &InvolvedRef<'_>, nanos: u128) -> String {
    format!("{}.{nanos:x}", involved.name.unwrap_or_default())
}

/// The namespace an event about `involved` goes to (`default` for cluster-scoped objects).
fn event_namespace(involved: &InvolvedRef<'_>) -> String {
    involved
        .namespace
        .filter(|ns| !ns.is_empty())
        .unwrap_or("default")
        .to_string()
}

/// The Event client-go's `makeEvent` makes (what [`EventRecorder::record`] returns).
fn made_event<'a>(
    reporter: &'a Reporter,
    nanos: u128,
    now: Timestamp,
    involved: InvolvedRef<'a>,
    event_type: EventType,
    reason: &'a str,
    message: String,
) -> RecordedEvent<'a> {
    let time = now.to_k8s_time();
    RecordedEvent {
        name: event_name(&involved, nanos),
        namespace: event_namespace(&involved),
        involved,
        type_: event_type.as_str(),
        reason,
        message,
        source_component: &reporter.component,
        source_host: reporter.host.as_deref(),
        first_timestamp: time.clone(),
        last_timestamp: time,
        count: 1,
        reporting_component: Some(&reporter.component),
        reporting_instance: Some(reporter.host.as_deref().unwrap_or("")),
    }
}

/// An event as the recorder made it, before correlation: its parts, borrowed.
struct Made<'a> {
    reporter: &'a Reporter,
    /// The nanoseconds of its name.
    nanos: u128,
    involved: InvolvedRef<'a>,
    event_type: EventType,
    reason: &'a str,
    message: String,
}

/// What client-go's broadcaster sends for one correlated event.
#[derive(Clone, Debug, PartialEq)]
pub enum CorrelatedEvent {
    /// A new Event (`POST`).
    Create(Box<CompactEvent>),
    /// A strategic merge patch of an Event written before: `count`, `lastTimestamp` and
    /// `message` (`PATCH`).
    Patch {
        /// The namespace of the Event.
        namespace: String,
        /// The name of the Event.
        name: String,
        /// `{"count": n, "lastTimestamp": …, "message": …}`.
        patch: Value,
        /// Set when the Event was never written (its first occurrence was dropped by the spam
        /// filter): the patch fails with NotFound and client-go then creates this event.
        create_on_not_found: Option<Box<CompactEvent>>,
    },
    /// Dropped by the spam filter.
    Skip,
}

impl CorrelatedEvent {
    /// The requests client-go sends, in order.
    pub fn into_requests(self) -> Vec<ApiRequest> {
        match self {
            CorrelatedEvent::Create(event) => vec![create_request(*event)],
            CorrelatedEvent::Patch {
                namespace,
                name,
                patch,
                create_on_not_found,
            } => {
                let mut requests = vec![ApiRequest::Patch {
                    kind: Kind::Event,
                    namespace,
                    name,
                    patch_type: PatchType::StrategicMergePatch,
                    patch,
                    status: false,
                }];
                requests.extend(create_on_not_found.map(|event| create_request(*event)));
                requests
            }
            CorrelatedEvent::Skip => Vec::new(),
        }
    }
}

/// The `POST` of a new Event (resourceVersion cleared, as `recordEvent` does).
fn create_request(mut event: CompactEvent) -> ApiRequest {
    event.metadata.resource_version = None;
    ApiRequest::Create {
        namespace: event.metadata.namespace.clone().unwrap_or_default(),
        object: Object::from(event),
    }
}

/// client-go's `maxLruCacheEntries`: the size of each correlator cache.
pub const MAX_LRU_CACHE_ENTRIES: usize = 4096;
/// `defaultAggregateMaxEvents`: similar events before aggregation.
pub const AGGREGATE_MAX_EVENTS: usize = 10;
/// `defaultAggregateIntervalInSeconds`: how long a group of similar events stays open.
pub const AGGREGATE_INTERVAL: Duration = Duration::from_secs(600);
/// `defaultSpamBurst`: events a source may send about one object at once.
pub const SPAM_BURST: u64 = 25;
/// One token of the spam filter refills in this long (`defaultSpamQPS` = 1/300).
pub const SPAM_REFILL: Duration = Duration::from_secs(300);
/// `EventAggregatorByReasonMessageFunc`'s prefix.
pub const AGGREGATE_MESSAGE_PREFIX: &str = "(combined from similar events): ";

/// A cache key: the 128-bit FNV-1a hash of client-go's string key (its fields joined with
/// no separator), so the caches hold 16 bytes a key instead of the whole text.
type CacheKey = u128;

/// FNV-1a over the parts, as if they were concatenated.
fn key_of(parts: &[&str]) -> CacheKey {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    let mut hash = OFFSET;
    for part in parts {
        for byte in part.bytes() {
            hash ^= u128::from(byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    hash
}

/// The source of a recorder's events, as the keys read it: component and host.
fn source(reporter: &Reporter) -> (&str, &str) {
    (
        reporter.component.as_str(),
        reporter.host.as_deref().unwrap_or(""),
    )
}

/// `getEventKey`: source, involved object (with field path), type, reason and message.
fn event_key(made: &Made<'_>, message: &str) -> CacheKey {
    let (component, host) = source(made.reporter);
    let involved = &made.involved;
    key_of(&[
        component,
        host,
        involved.kind.unwrap_or(""),
        involved.namespace.unwrap_or(""),
        involved.name.unwrap_or(""),
        involved.field_path.unwrap_or(""),
        involved.uid.unwrap_or(""),
        involved.api_version.unwrap_or(""),
        made.event_type.as_str(),
        made.reason,
        message,
    ])
}

/// `getSpamKey`: source and involved object (without field path).
fn spam_key(made: &Made<'_>) -> CacheKey {
    let (component, host) = source(made.reporter);
    let involved = &made.involved;
    key_of(&[
        component,
        host,
        involved.kind.unwrap_or(""),
        involved.namespace.unwrap_or(""),
        involved.name.unwrap_or(""),
        involved.uid.unwrap_or(""),
        involved.api_version.unwrap_or(""),
    ])
}

/// `EventAggregatorByReasonFunc`: the aggregate key (source, involved object without field
/// path, type, reason, reporting controller and instance — the recorder's component and
/// host) and the local key (the message).
fn aggregate_keys(made: &Made<'_>) -> (CacheKey, CacheKey) {
    let (component, host) = source(made.reporter);
    let involved = &made.involved;
    let aggregate = key_of(&[
        component,
        host,
        involved.kind.unwrap_or(""),
        involved.namespace.unwrap_or(""),
        involved.name.unwrap_or(""),
        involved.uid.unwrap_or(""),
        involved.api_version.unwrap_or(""),
        made.event_type.as_str(),
        made.reason,
        component,
        host,
    ]);
    (aggregate, key_of(&[&made.message]))
}

/// A least-recently-used cache of at most `capacity` entries (groupcache's `lru.Cache`:
/// `get` and `add` make an entry the newest; adding past capacity drops the oldest).
///
/// Each entry keeps its age (a tick that grows with every `get` and `add`). The order of
/// ages is only needed to find the oldest entry once the cache overflows; until then no
/// index by age is kept (a cache of one kubelet, a few events per pod, rarely fills), and
/// the first overflow builds it from the ages, after which it is kept up to date.
#[derive(Clone, Debug)]
struct LruCache<V> {
    capacity: usize,
    tick: u64,
    entries: BTreeMap<CacheKey, (u64, V)>,
    /// Keys by age, oldest first: absent until the cache first overflows.
    by_age: Option<BTreeMap<u64, CacheKey>>,
}

impl<V> LruCache<V> {
    fn new(capacity: usize) -> LruCache<V> {
        LruCache {
            capacity,
            tick: 0,
            entries: BTreeMap::new(),
            by_age: None,
        }
    }

    fn touch(&mut self, key: CacheKey) {
        if let Some((age, _)) = self.entries.get_mut(&key) {
            self.tick += 1;
            if let Some(by_age) = &mut self.by_age {
                by_age.remove(age);
                by_age.insert(self.tick, key);
            }
            *age = self.tick;
        }
    }

    /// The entry of `key`, made the newest.
    fn get(&mut self, key: CacheKey) -> Option<&mut V> {
        self.touch(key);
        self.entries.get_mut(&key).map(|(_, value)| value)
    }

    /// The entry of `key`, leaving its age alone.
    fn peek_mut(&mut self, key: CacheKey) -> Option<&mut V> {
        self.entries.get_mut(&key).map(|(_, value)| value)
    }

    fn add(&mut self, key: CacheKey, value: V) {
        self.tick += 1;
        let old = self.entries.insert(key, (self.tick, value));
        if let Some(by_age) = &mut self.by_age {
            if let Some((old_age, _)) = old {
                by_age.remove(&old_age);
            }
            by_age.insert(self.tick, key);
        }
        if self.entries.len() <= self.capacity {
            return;
        }
        let entries = &mut self.entries;
        let by_age = self
            .by_age
            .get_or_insert_with(|| entries.iter().map(|(key, (age, _))| (*age, *key)).collect());
        while entries.len() > self.capacity {
            let Some((_, oldest)) = by_age.pop_first() else {
                break;
            };
            entries.remove(&oldest);
        }
    }

    fn len(&self) -> usize {
        self.entries.len()
    }
}

/// `aggregateRecord`: the messages seen in a group of similar events, and when the last one
/// came.
#[derive(Clone, Debug)]
struct AggregateRecord {
    /// At most [`AGGREGATE_MAX_EVENTS`] − 1 keys; nearly every group holds one, so the list
    /// starts with room for one (a `Vec`'s first push would take room for four).
    local_keys: Vec<CacheKey>,
    last_timestamp: Timestamp,
}

/// `EventAggregator`: groups events that differ only in their message; from the tenth
/// distinct message within ten minutes of the previous similar event on, the event becomes
/// one aggregate event (`(combined from similar events): <message>`) that later ones patch.
#[derive(Clone, Debug)]
pub struct EventAggregator {
    cache: LruCache<AggregateRecord>,
}

impl EventAggregator {
    fn new() -> EventAggregator {
        EventAggregator {
            cache: LruCache::new(MAX_LRU_CACHE_ENTRIES),
        }
    }

    /// `EventAggregate`: whether the event becomes an aggregate event, and then the
    /// nanoseconds of that event's name (from `nanos`).
    fn aggregate(
        &mut self,
        aggregate_key: CacheKey,
        local_key: CacheKey,
        now: Timestamp,
        nanos: impl FnOnce() -> u128,
    ) -> Option<u128> {
        let record = match self.cache.get(aggregate_key) {
            Some(record) if now.since(record.last_timestamp) <= AGGREGATE_INTERVAL => record,
            Some(_) | None => {
                self.cache.add(
                    aggregate_key,
                    AggregateRecord {
                        local_keys: Vec::with_capacity(1),
                        last_timestamp: now,
                    },
                );
                self.cache.peek_mut(aggregate_key)?
            }
        };
        if !record.local_keys.contains(&local_key) {
            record.local_keys.push(local_key);
        }
        record.last_timestamp = now;
        let distinct = record.local_keys.len();
        if distinct >= AGGREGATE_MAX_EVENTS {
            // `PopAny`: keep the set below the maximum (which message goes does not matter:
            // from here on every similar event aggregates while the group stays open).
            record.local_keys.pop();
        }
        (distinct >= AGGREGATE_MAX_EVENTS).then(nanos)
    }
}

/// `eventLog`: how often an event was seen, since when, under which name.
#[derive(Clone, Debug)]
struct EventLog {
    count: i32,
    first_timestamp: Timestamp,
    /// The nanoseconds of the Event's name, `<involved object name>.<nanos in hex>` (the
    /// object's name is part of the key the log is filed under, so the name is rebuilt from
    /// the event that finds it).
    name_nanos: u128,
    /// Whether the Event was written to the API server (`updateState` ran for it).
    written: bool,
}

/// `EventSourceObjectSpamFilter`'s token bucket for one source and object, in
/// token-milliseconds: a token is [`SPAM_REFILL`] worth, and one more accrues each millisecond.
#[derive(Clone, Debug)]
struct SpamRecord {
    tokens: u64,
    last: Timestamp,
}

/// client-go's `EventCorrelator`: aggregation, then the dedup log, then the spam filter.
#[derive(Clone, Debug)]
pub struct EventCorrelator {
    aggregator: EventAggregator,
    logger: LruCache<EventLog>,
    spam: LruCache<SpamRecord>,
}

impl Default for EventCorrelator {
    fn default() -> Self {
        EventCorrelator::new()
    }
}

impl EventCorrelator {
    /// A correlator with client-go's defaults (`NewEventCorrelator`).
    pub fn new() -> EventCorrelator {
        EventCorrelator {
            aggregator: EventAggregator::new(),
            logger: LruCache::new(MAX_LRU_CACHE_ENTRIES),
            spam: LruCache::new(MAX_LRU_CACHE_ENTRIES),
        }
    }

    /// How many entries the three caches hold (aggregator, dedup log, spam filter).
    pub fn cache_sizes(&self) -> (usize, usize, usize) {
        (
            self.aggregator.cache.len(),
            self.logger.len(),
            self.spam.len(),
        )
    }

    /// `EventCorrelate` plus the bookkeeping of `recordToSink`: what to send for the event
    /// the recorder `made`; `nanos` names an aggregate event.
    fn correlate(
        &mut self,
        made: Made<'_>,
        now: Timestamp,
        nanos: impl FnOnce() -> u128,
    ) -> CorrelatedEvent {
        let full_key = event_key(&made, &made.message);
        let (aggregate_key, local_key) = aggregate_keys(&made);
        let aggregated = self
            .aggregator
            .aggregate(aggregate_key, local_key, now, nanos);
        // The event to write: the one made, or the aggregate event (a new name, the
        // combined message, no reporting component or instance).
        let (key, made_nanos, message) = match aggregated {
            Some(aggregate_nanos) => (
                aggregate_key,
                aggregate_nanos,
                format!("{AGGREGATE_MESSAGE_PREFIX}{}", made.message),
            ),
            None => (full_key, made.nanos, made.message.clone()),
        };
        // `eventObserve`.
        let last = self.logger.get(key).cloned();
        let (count, first_timestamp, name_nanos) = match &last {
            Some(last) => (
                last.count.saturating_add(1),
                last.first_timestamp,
                last.name_nanos,
            ),
            None => (1, now, made_nanos),
        };
        let written = last.as_ref().is_some_and(|l| l.written);
        self.logger.add(
            key,
            EventLog {
                count,
                first_timestamp,
                name_nanos,
                written,
            },
        );
        if !self.accept(spam_key(&made), now) {
            return CorrelatedEvent::Skip;
        }
        // `updateState` after the write: keyed by the event's own key (for an aggregate
        // event that is a second entry beside the aggregate key's).
        let server_key = if aggregated.is_some() {
            event_key(&made, &message)
        } else {
            full_key
        };
        self.logger.add(
            server_key,
            EventLog {
                count,
                first_timestamp,
                name_nanos,
                written: true,
            },
        );
        if server_key != key {
            // The aggregate key's entry names the same Event, now written.
            if let Some(entry) = self.logger.peek_mut(key) {
                entry.written = true;
            }
        }
        let (component, host) = source(made.reporter);
        let reporting = aggregated.is_none();
        let name = event_name(&made.involved, name_nanos);
        let event = |message: String, name: String| {
            CompactEvent::recorded(RecordedEvent {
                name,
                namespace: event_namespace(&made.involved),
                involved: made.involved,
                type_: made.event_type.as_str(),
                reason: made.reason,
                message,
                source_component: component,
                source_host: made.reporter.host.as_deref(),
                first_timestamp: first_timestamp.to_k8s_time(),
                last_timestamp: now.to_k8s_time(),
                count,
                reporting_component: reporting.then_some(component),
                reporting_instance: reporting.then_some(host),
            })
        };
        if count <= 1 {
            return CorrelatedEvent::Create(Box::new(event(message, name)));
        }
        let patch = json!({
            "count": count,
            "lastTimestamp": now.to_k8s_time(),
            "message": message,
        });
        CorrelatedEvent::Patch {
            namespace: event_namespace(&made.involved),
            name: name.clone(),
            patch,
            create_on_not_found: (!written).then(|| Box::new(event(message, name))),
        }
    }

    /// `EventSourceObjectSpamFilter.Filter`, inverted: whether the source may send an
    /// event about the object of spam key `key` now.
    fn accept(&mut self, key: CacheKey, now: Timestamp) -> bool {
        let token = u64::try_from(SPAM_REFILL.as_millis()).unwrap_or(u64::MAX);
        let full = SPAM_BURST.saturating_mul(token);
        let mut record = self.spam.get(key).cloned().unwrap_or(SpamRecord {
            tokens: full,
            last: now,
        });
        let elapsed = u64::try_from(now.since(record.last).as_millis()).unwrap_or(u64::MAX);
        let tokens = record.tokens.saturating_add(elapsed).min(full);
        let accepted = tokens >= token;
        if accepted {
            record.tokens = tokens - token;
            record.last = now;
        }
        self.spam.add(key, record);
        accepted
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

    fn pod() -> Object {
        Object::from_value(json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web", "namespace": "lab", "uid": "u-1"}}))
        .unwrap()
    }

    fn at(seconds: u64) -> Timestamp {
        SIM_EPOCH.plus(Duration::from_secs(seconds))
    }

    /// The kind of each outcome: `C` create, `P<count>` patch, `-` dropped.
    fn outcome(event: &CorrelatedEvent) -> String {
        match event {
            CorrelatedEvent::Create(_) => "C".to_string(),
            CorrelatedEvent::Patch { patch, .. } => format!("P{}", patch["count"]),
            CorrelatedEvent::Skip => "-".to_string(),
        }
    }

    #[test]
    fn the_tenth_similar_event_becomes_a_combined_event_that_later_ones_patch() {
        let mut recorder = EventRecorder::correlated(Reporter::component("replicaset-controller"));
        let outcomes: Vec<CorrelatedEvent> = (0..13)
            .map(|i| {
                recorder.correlate(
                    at(i),
                    involved_ref(&pod()),
                    EventType::Normal,
                    "SuccessfulCreate",
                    format!("Created pod: web-{i}"),
                )
            })
            .collect();
        let kinds: Vec<String> = outcomes.iter().map(outcome).collect();
        assert_eq!(
            kinds,
            ["C", "C", "C", "C", "C", "C", "C", "C", "C", "C", "P2", "P3", "P4"]
        );
        let CorrelatedEvent::Create(combined) = &outcomes[9] else {
            panic!("the tenth event is created");
        };
        assert_eq!(
            combined.message(),
            Some("(combined from similar events): Created pod: web-9")
        );
        assert_eq!(combined.reporting_component(), None);
        let CorrelatedEvent::Patch { name, patch, .. } = &outcomes[12] else {
            panic!("the thirteenth event is a patch");
        };
        assert_eq!(name, combined.metadata.name.as_ref().unwrap());
        assert_eq!(
            patch["message"],
            "(combined from similar events): Created pod: web-12"
        );
        assert_eq!(patch["lastTimestamp"], json!(at(12).to_k8s_time()));
    }

    #[test]
    fn similar_events_ten_minutes_apart_do_not_aggregate() {
        let mut recorder = EventRecorder::correlated(Reporter::component("replicaset-controller"));
        let kinds: Vec<String> = (0..12)
            .map(|i| {
                let event = recorder.correlate(
                    at(i * 601),
                    involved_ref(&pod()),
                    EventType::Normal,
                    "SuccessfulCreate",
                    format!("Created pod: web-{i}"),
                );
                outcome(&event)
            })
            .collect();
        assert!(kinds.iter().all(|k| k == "C"), "{kinds:?}");
    }

    #[test]
    fn an_identical_event_patches_the_count_and_keeps_the_first_timestamp() {
        let mut recorder = EventRecorder::correlated(Reporter {
            component: "kubelet".to_string(),
            host: Some("node-1".to_string()),
        });
        let mut back_off = |seconds| {
            recorder.correlate(
                at(seconds),
                involved_ref(&pod()),
                EventType::Warning,
                "BackOff",
                "Back-off restarting failed container app in pod web_lab(u-1)".to_string(),
            )
        };
        let CorrelatedEvent::Create(first) = back_off(0) else {
            panic!("the first event is created");
        };
        for (seconds, count) in [(10, 2), (30, 3)] {
            let CorrelatedEvent::Patch {
                namespace,
                name,
                patch,
                create_on_not_found,
            } = back_off(seconds)
            else {
                panic!("a repeat is a patch");
            };
            assert_eq!(namespace, "lab");
            assert_eq!(Some(&name), first.metadata.name.as_ref());
            assert_eq!(
                patch,
                json!({"count": count, "lastTimestamp": at(seconds).to_k8s_time(),
                    "message": "Back-off restarting failed container app in pod web_lab(u-1)"})
            );
            assert_eq!(create_on_not_found, None);
        }
    }

    #[test]
    fn a_source_may_send_25_events_about_an_object_then_one_every_five_minutes() {
        let mut recorder = EventRecorder::correlated(Reporter {
            component: "kubelet".to_string(),
            host: Some("node-1".to_string()),
        });
        // Distinct reasons, so that nothing aggregates and nothing deduplicates.
        let mut n = 0;
        let mut send = |seconds| {
            n += 1;
            let event = recorder.correlate(
                at(seconds),
                involved_ref(&pod()),
                EventType::Normal,
                &format!("Reason{n}"),
                "m".to_string(),
            );
            outcome(&event)
        };
        let burst: Vec<String> = (0..26).map(|_| send(0)).collect();
        assert!(burst[..25].iter().all(|k| k == "C"));
        assert_eq!(burst[25], "-");
        for (seconds, expected) in [(299, "-"), (300, "C"), (301, "-"), (600, "C"), (900, "C")] {
            assert_eq!(send(seconds), expected, "at {seconds}s");
        }
        let other = Object::from_value(json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "db", "namespace": "lab", "uid": "u-2"}}))
        .unwrap();
        let fresh = recorder.correlate(
            at(900),
            involved_ref(&other),
            EventType::Normal,
            "Reason",
            "m".to_string(),
        );
        assert_eq!(outcome(&fresh), "C", "each object has its own bucket");
    }

    #[test]
    fn a_repeat_of_a_dropped_event_patches_then_creates_it() {
        let mut recorder = EventRecorder::correlated(Reporter::component("node-controller"));
        let mut send = |seconds, reason: &str| {
            recorder.correlate(
                at(seconds),
                involved_ref(&pod()),
                EventType::Normal,
                reason,
                "m".to_string(),
            )
        };
        for n in 0..25 {
            send(0, &format!("Reason{n}"));
        }
        assert_eq!(send(0, "Late"), CorrelatedEvent::Skip);
        let requests = send(300, "Late").into_requests();
        assert!(matches!(
            requests.as_slice(),
            [ApiRequest::Patch { .. }, ApiRequest::Create { object: Object::Event(event), .. }]
                if event.count() == Some(2)
        ));
    }

    #[test]
    fn an_uncorrelated_recorder_always_creates() {
        let mut recorder = EventRecorder::new(Reporter::component("default-scheduler"));
        for i in 0..30 {
            let event = recorder.correlate(
                at(0),
                involved_ref(&pod()),
                EventType::Normal,
                "Scheduled",
                "same".to_string(),
            );
            assert_eq!(outcome(&event), "C", "event {i}");
        }
    }

    #[test]
    fn the_caches_forget_the_least_recently_used_entry_past_capacity() {
        let mut cache = LruCache::new(2);
        cache.add(1, "a");
        cache.add(2, "b");
        assert_eq!(cache.get(1), Some(&mut "a"));
        cache.add(3, "c");
        assert_eq!(cache.get(2), None);
        assert_eq!(cache.get(1), Some(&mut "a"));
        assert_eq!(cache.len(), 2);
    }

    /// groupcache's list-based LRU, as the reference: the newest entry first.
    #[derive(Default)]
    struct ReferenceLru {
        order: Vec<(CacheKey, u32)>,
    }

    impl ReferenceLru {
        fn get(&mut self, key: CacheKey) -> Option<u32> {
            let position = self.order.iter().position(|(k, _)| *k == key)?;
            let entry = self.order.remove(position);
            self.order.insert(0, entry);
            Some(entry.1)
        }

        fn add(&mut self, key: CacheKey, value: u32, capacity: usize) {
            self.order.retain(|(k, _)| *k != key);
            self.order.insert(0, (key, value));
            self.order.truncate(capacity);
        }
    }

    #[test]
    fn the_caches_keep_the_order_of_a_list_based_lru_before_and_after_they_first_overflow() {
        let capacity = 5;
        let mut cache = LruCache::new(capacity);
        let mut reference = ReferenceLru::default();
        // A fixed pseudo-random walk over twelve keys: gets, adds of new and known keys.
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut overflowed = false;
        for step in 0..2_000u32 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let key = CacheKey::from((state >> 8) % 12);
            if state % 3 == 0 {
                assert_eq!(cache.get(key).copied(), reference.get(key), "step {step}");
            } else {
                cache.add(key, step);
                reference.add(key, step, capacity);
            }
            overflowed |= cache.by_age.is_some();
            assert_eq!(cache.len(), reference.order.len(), "step {step}");
            let mut oldest_first: Vec<(u64, CacheKey)> = cache
                .entries
                .iter()
                .map(|(k, (age, _))| (*age, *k))
                .collect();
            oldest_first.sort_unstable();
            let newest_first: Vec<CacheKey> = oldest_first.iter().rev().map(|e| e.1).collect();
            let expected: Vec<CacheKey> = reference.order.iter().map(|e| e.0).collect();
            assert_eq!(newest_first, expected, "step {step}");
            if let Some(by_age) = &cache.by_age {
                assert_eq!(
                    by_age.iter().map(|(a, k)| (*a, *k)).collect::<Vec<_>>(),
                    oldest_first
                );
            }
        }
        assert!(overflowed, "the walk overflows the cache");
    }

    #[test]
    fn a_cache_below_capacity_keeps_no_index_by_age() {
        let mut cache = LruCache::new(3);
        for key in 0..3 {
            cache.add(key, ());
            cache.get(0);
        }
        assert!(cache.by_age.is_none());
        cache.add(3, ());
        assert!(cache.by_age.is_some());
        assert_eq!(cache.get(1), None, "the least recently used entry went");
        assert_eq!(cache.len(), 3);
    }

    #[test]
    fn a_group_of_one_message_keeps_room_for_one_key() {
        let mut recorder = EventRecorder::correlated(Reporter::component("kubelet"));
        recorder.correlate(
            at(0),
            involved_ref(&pod()),
            EventType::Normal,
            "Pulled",
            "m".to_string(),
        );
        let correlator = recorder.correlator.as_ref().unwrap();
        let records: Vec<&AggregateRecord> = correlator
            .aggregator
            .cache
            .entries
            .values()
            .map(|e| &e.1)
            .collect();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].local_keys.capacity(), 1);
    }

    #[test]
    fn a_deduplicated_event_keeps_the_name_it_was_first_written_under() {
        let mut recorder = EventRecorder::correlated(Reporter::component("node-controller"));
        let mut send = |seconds| {
            recorder.correlate(
                at(seconds),
                involved_ref(&pod()),
                EventType::Normal,
                "NodeNotReady",
                "same".to_string(),
            )
        };
        let CorrelatedEvent::Create(first) = send(0) else {
            panic!("the first event is created");
        };
        let name = first.metadata.name.clone().unwrap();
        assert!(name.starts_with("web."), "{name}");
        let CorrelatedEvent::Patch { name: patched, .. } = send(1) else {
            panic!("a repeat is a patch");
        };
        assert_eq!(patched, name);
    }

    #[test]
    fn a_compact_recorded_event_is_the_recorded_event() {
        let mut compact = EventRecorder::new(Reporter::component("default-scheduler"));
        let mut full = EventRecorder::new(Reporter::component("default-scheduler"));
        for _ in 0..2 {
            let made = compact.record_compact(
                at(1),
                involved_ref(&pod()),
                EventType::Normal,
                "Scheduled",
                "m".to_string(),
            );
            let event = full.record(
                at(1),
                object_reference(&pod()),
                EventType::Normal,
                "Scheduled",
                "m".to_string(),
            );
            assert_eq!(made, CompactEvent::from(event));
        }
    }
}
