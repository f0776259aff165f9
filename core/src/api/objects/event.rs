//! [`CompactEvent`]: a core/v1 Event as kubeplay keeps it in memory, several times smaller
//! than the k8s-openapi `Event` it stands for.
//!
//! A simulated cluster holds about five Events per pod (Scheduled, Pulling, Pulled, Created,
//! Started), and the k8s-openapi `Event` spends 1,000 bytes inline plus one heap string per
//! field on them, most of which are `None` or one of a few dozen well-known words. An Event
//! that comes in (decoded JSON, or built by a recorder) is turned into a `CompactEvent` by
//! `From<Event>`: strings that are nearly always a known word (`type`, `reason`, the source
//! and reporting component, the involved object's `apiVersion`, `kind` and `namespace`) become
//! one-byte [`Word`]s, the involved object's uid and resourceVersion become 16 bytes and a
//! number, timestamps of whole milliseconds become one `i64` each, and everything else that
//! events rarely carry (`action`, `eventTime`, `related`, `series`, a word outside the table,
//! a timestamp finer than a millisecond, a uid that is not a lowercase UUID) goes into one
//! boxed [`EventRest`] that is absent in the common case. Going out (`to_event`, serializing,
//! printers, describe) rebuilds the exact `Event`: the conversion is lossless, so the JSON a
//! client reads is what the k8s-openapi type would give. The metadata stays an `ObjectMeta`,
//! because every object hands out `&mut ObjectMeta` to the API server.
//!
//! Every `Event` has exactly one compact form (a word is `Known` only when it is in the
//! table, `Rare` only when it is not, the rest is absent when empty), so the derived equality
//! is the equality of the Events.

use crate::sim::rng::format_uuid;
use std::borrow::Cow;
use std::fmt;

use super::compact::{exact_millis, time_from_millis, word_index};
use k8s_openapi::api::core::v1::{Event, EventSeries, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta, Time};
use serde::{Serialize, Serializer};

/// The strings Events nearly always hold in their word fields, sorted by bytes (looked up by
/// binary search): types, the reasons and components kubeplay and Kubernetes' core
/// components write, the API versions and kinds events point at, the system namespaces.
const WORDS: [&str; 83] = [
    "",
    "BackOff",
    "CIDRNotAvailable",
    "Completed",
    "ConfigMap",
    "Created",
    "CronJob",
    "DaemonSet",
    "Deployment",
    "DeploymentPaused",
    "DeploymentResumed",
    "DeploymentRollback",
    "EndpointSlice",
    "Endpoints",
    "ErrImageNeverPull",
    "Event",
    "Evicted",
    "ExceededGracePeriod",
    "Failed",
    "FailedCreate",
    "FailedCreatePodSandBox",
    "FailedDelete",
    "FailedKillPod",
    "FailedMount",
    "FailedScheduling",
    "FailedSync",
    "Job",
    "Killing",
    "Lease",
    "Namespace",
    "Node",
    "NodeAllocatableEnforced",
    "NodeHasNoDiskPressure",
    "NodeHasSufficientMemory",
    "NodeHasSufficientPID",
    "NodeNotReady",
    "NodeNotSchedulable",
    "NodeReady",
    "NodeSchedulable",
    "Normal",
    "Pod",
    "Preempted",
    "Preempting",
    "PriorityClass",
    "Pulled",
    "Pulling",
    "RegisteredNode",
    "RemovingNode",
    "ReplicaSet",
    "ReplicationController",
    "SandboxChanged",
    "ScalingReplicaSet",
    "Scheduled",
    "SelectingAll",
    "Service",
    "Started",
    "Starting",
    "StatefulSet",
    "SuccessfulCreate",
    "SuccessfulDelete",
    "TaintManagerEviction",
    "Unhealthy",
    "Warning",
    "apps/v1",
    "batch/v1",
    "cidrAllocator",
    "coordination.k8s.io/v1",
    "default",
    "default-scheduler",
    "deployment-controller",
    "discovery.k8s.io/v1",
    "endpoint-controller",
    "endpointslice-controller",
    "kube-node-lease",
    "kube-public",
    "kube-system",
    "kubelet",
    "node-controller",
    "replicaset-controller",
    "replication-controller",
    "scheduling.k8s.io/v1",
    "taint-eviction-controller",
    "v1",
];

/// Whether two strings are equal, at compile time.
const fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The index of a word of the table, at compile time (a word outside it fails the build).
const fn word(text: &str) -> u8 {
    let mut i = 0;
    while i < WORDS.len() {
        if same_text(WORDS[i], text) {
            return i as u8;
        }
        i += 1;
    }
    panic!("not in WORDS")
}

/// The words each field holds most often, tried before the binary search: an Event built
/// by a recorder then costs one or two short comparisons a field.
const TYPE_HINTS: &[u8] = &[word("Normal"), word("Warning")];
const REASON_HINTS: &[u8] = &[
    word("Scheduled"),
    word("Pulled"),
    word("Pulling"),
    word("Created"),
    word("Started"),
    word("SuccessfulCreate"),
];
const COMPONENT_HINTS: &[u8] = &[
    word("kubelet"),
    word("default-scheduler"),
    word("replicaset-controller"),
];
const INSTANCE_HINTS: &[u8] = &[word("")];
const API_VERSION_HINTS: &[u8] = &[word("v1")];
const KIND_HINTS: &[u8] = &[word("Pod")];
const NAMESPACE_HINTS: &[u8] = &[word("default")];

/// The index of `text` in [`WORDS`], trying `hints` first.
fn known_word_hinted(text: &str, hints: &[u8]) -> Option<u8> {
    for &hint in hints {
        if WORDS.get(usize::from(hint)) == Some(&text) {
            return Some(hint);
        }
    }
    known_word(text)
}

/// The index of `text` in [`WORDS`], if it is there.
fn known_word(text: &str) -> Option<u8> {
    word_index(&WORDS, text)
}

/// One string field of an Event that is nearly always a known word.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Word {
    /// The field is not set (`None`).
    #[default]
    Absent,
    /// The field is `WORDS[index]`.
    Known(u8),
    /// The field is the same string as `source.host` (the kubelet's `reportingInstance`).
    SourceHost,
    /// The field is a string outside the table, kept in [`EventRest::texts`].
    Rare,
}

/// The Event fields kept as [`Word`]s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WordField {
    /// `type`.
    Type,
    /// `reason`.
    Reason,
    /// `source.component`.
    SourceComponent,
    /// `reportingComponent`.
    ReportingComponent,
    /// `reportingInstance`.
    ReportingInstance,
    /// `involvedObject.apiVersion`.
    InvolvedApiVersion,
    /// `involvedObject.kind`.
    InvolvedKind,
    /// `involvedObject.namespace`.
    InvolvedNamespace,
}

impl WordField {
    /// The words this field holds most often.
    fn hints(self) -> &'static [u8] {
        match self {
            WordField::Type => TYPE_HINTS,
            WordField::Reason => REASON_HINTS,
            WordField::SourceComponent | WordField::ReportingComponent => COMPONENT_HINTS,
            WordField::ReportingInstance => INSTANCE_HINTS,
            WordField::InvolvedApiVersion => API_VERSION_HINTS,
            WordField::InvolvedKind => KIND_HINTS,
            WordField::InvolvedNamespace => NAMESPACE_HINTS,
        }
    }
}

/// How many [`WordField`]s there are.
const WORD_FIELDS: usize = 8;

impl WordField {
    /// The field's slot in [`CompactEvent::words`] and [`EventRest::texts`].
    fn index(self) -> usize {
        match self {
            WordField::Type => 0,
            WordField::Reason => 1,
            WordField::SourceComponent => 2,
            WordField::ReportingComponent => 3,
            WordField::ReportingInstance => 4,
            WordField::InvolvedApiVersion => 5,
            WordField::InvolvedKind => 6,
            WordField::InvolvedNamespace => 7,
        }
    }
}

/// `involvedObject.uid`: the 16 bytes of a lowercase UUID (what the API server assigns).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum UidSlot {
    /// Not set.
    #[default]
    Absent,
    /// A UUID in its canonical lowercase text form.
    Uuid([u8; 16]),
    /// Any other string, kept in [`EventRest::involved_uid`].
    Rare,
}

/// `involvedObject.resourceVersion`: a decimal number as the API server writes them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum VersionSlot {
    /// Not set.
    #[default]
    Absent,
    /// A number written without leading zeros.
    Number(u64),
    /// Any other string, kept in [`EventRest::involved_resource_version`].
    Rare,
}

/// A `Time` of whole milliseconds since the Unix epoch, or one of two markers that no time
/// jiff can hold reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct MillisSlot(i64);

impl MillisSlot {
    /// Not set.
    const ABSENT: MillisSlot = MillisSlot(i64::MIN);
    /// Finer than a millisecond: the exact time is in the rest.
    const RARE: MillisSlot = MillisSlot(i64::MIN + 1);
}

impl Default for MillisSlot {
    fn default() -> Self {
        MillisSlot::ABSENT
    }
}

/// The fields an Event rarely sets, boxed behind one pointer that is `None` when all are
/// empty.
#[derive(Clone, Debug, Default, PartialEq)]
struct EventRest {
    action: Option<String>,
    event_time: Option<MicroTime>,
    related: Option<ObjectReference>,
    series: Option<EventSeries>,
    /// `firstTimestamp` when it is finer than a millisecond.
    first_timestamp: Option<Time>,
    /// `lastTimestamp` when it is finer than a millisecond.
    last_timestamp: Option<Time>,
    /// `involvedObject.uid` when it is not a lowercase UUID.
    involved_uid: Option<String>,
    /// `involvedObject.resourceVersion` when it is not a plain number.
    involved_resource_version: Option<String>,
    /// The [`Word::Rare`] strings, by [`WordField::index`].
    texts: [Option<Box<str>>; WORD_FIELDS],
}

impl EventRest {
    /// Whether nothing is kept here (then the event needs no rest).
    fn is_empty(&self) -> bool {
        self.action.is_none()
            && self.event_time.is_none()
            && self.related.is_none()
            && self.series.is_none()
            && self.first_timestamp.is_none()
            && self.last_timestamp.is_none()
            && self.involved_uid.is_none()
            && self.involved_resource_version.is_none()
            && self.texts.iter().all(Option::is_none)
    }
}

/// A core/v1 Event, kept compact (see the module docs of `api::objects::event`). Build one from an `Event`
/// with `From`, read fields through the accessors, and get the `Event` back with
/// [`CompactEvent::to_event`].
#[derive(Clone, Default, PartialEq)]
pub struct CompactEvent {
    /// The Event's metadata, as every object keeps it.
    pub metadata: ObjectMeta,
    involved_name: Option<Box<str>>,
    involved_field_path: Option<Box<str>>,
    message: Option<Box<str>>,
    source_host: Option<Box<str>>,
    rest: Option<Box<EventRest>>,
    first_timestamp: MillisSlot,
    last_timestamp: MillisSlot,
    involved_resource_version: VersionSlot,
    count: Option<i32>,
    involved_uid: UidSlot,
    words: [Word; WORD_FIELDS],
    /// Whether `source` is set (`"source": {}` differs from no source).
    has_source: bool,
}

/// The involved object of a [`CompactEvent`], read field by field.
#[derive(Clone, Copy, Debug)]
pub struct InvolvedObject<'a> {
    event: &'a CompactEvent,
}

impl<'a> InvolvedObject<'a> {
    /// `involvedObject.apiVersion`.
    pub fn api_version(&self) -> Option<&'a str> {
        self.event.word(WordField::InvolvedApiVersion)
    }

    /// `involvedObject.kind`.
    pub fn kind(&self) -> Option<&'a str> {
        self.event.word(WordField::InvolvedKind)
    }

    /// `involvedObject.name`.
    pub fn name(&self) -> Option<&'a str> {
        self.event.involved_name.as_deref()
    }

    /// `involvedObject.namespace`.
    pub fn namespace(&self) -> Option<&'a str> {
        self.event.word(WordField::InvolvedNamespace)
    }

    /// `involvedObject.uid`.
    pub fn uid(&self) -> Option<Cow<'a, str>> {
        match self.event.involved_uid {
            UidSlot::Absent => None,
            UidSlot::Uuid(bytes) => Some(Cow::Owned(format_uuid(&bytes))),
            UidSlot::Rare => self
                .event
                .rest
                .as_ref()
                .and_then(|rest| rest.involved_uid.as_deref())
                .map(Cow::Borrowed),
        }
    }

    /// `involvedObject.resourceVersion`.
    pub fn resource_version(&self) -> Option<Cow<'a, str>> {
        match self.event.involved_resource_version {
            VersionSlot::Absent => None,
            VersionSlot::Number(number) => Some(Cow::Owned(number.to_string())),
            VersionSlot::Rare => self
                .event
                .rest
                .as_ref()
                .and_then(|rest| rest.involved_resource_version.as_deref())
                .map(Cow::Borrowed),
        }
    }

    /// `involvedObject.fieldPath` (`spec.containers{nginx}` for a container's events).
    pub fn field_path(&self) -> Option<&'a str> {
        self.event.involved_field_path.as_deref()
    }

    /// The whole `involvedObject`.
    pub fn to_reference(&self) -> ObjectReference {
        ObjectReference {
            api_version: self.api_version().map(str::to_string),
            field_path: self.field_path().map(str::to_string),
            kind: self.kind().map(str::to_string),
            name: self.name().map(str::to_string),
            namespace: self.namespace().map(str::to_string),
            resource_version: self.resource_version().map(Cow::into_owned),
            uid: self.uid().map(Cow::into_owned),
        }
    }
}

impl CompactEvent {
    /// The string of a word field.
    fn word(&self, field: WordField) -> Option<&str> {
        match self.words[field.index()] {
            Word::Absent => None,
            Word::Known(index) => WORDS.get(usize::from(index)).copied(),
            Word::SourceHost => self.source_host.as_deref(),
            Word::Rare => self
                .rest
                .as_ref()
                .and_then(|rest| rest.texts[field.index()].as_deref()),
        }
    }

    /// `type` (`Normal`, `Warning`).
    pub fn type_(&self) -> Option<&str> {
        self.word(WordField::Type)
    }

    /// `reason` (`Scheduled`, `Pulled`, …).
    pub fn reason(&self) -> Option<&str> {
        self.word(WordField::Reason)
    }

    /// `message`.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// `count`.
    pub fn count(&self) -> Option<i32> {
        self.count
    }

    /// `firstTimestamp`.
    pub fn first_timestamp(&self) -> Option<Time> {
        self.time(self.first_timestamp, |rest| &rest.first_timestamp)
    }

    /// `lastTimestamp`.
    pub fn last_timestamp(&self) -> Option<Time> {
        self.time(self.last_timestamp, |rest| &rest.last_timestamp)
    }

    /// `eventTime` (set by events.k8s.io-style recorders).
    pub fn event_time(&self) -> Option<&MicroTime> {
        self.rest.as_ref().and_then(|rest| rest.event_time.as_ref())
    }

    /// `series`.
    pub fn series(&self) -> Option<&EventSeries> {
        self.rest.as_ref().and_then(|rest| rest.series.as_ref())
    }

    /// `action`.
    pub fn action(&self) -> Option<&str> {
        self.rest.as_ref().and_then(|rest| rest.action.as_deref())
    }

    /// `related`.
    pub fn related(&self) -> Option<&ObjectReference> {
        self.rest.as_ref().and_then(|rest| rest.related.as_ref())
    }

    /// `involvedObject`.
    pub fn involved_object(&self) -> InvolvedObject<'_> {
        InvolvedObject { event: self }
    }

    /// Whether `source` is set at all.
    pub fn has_source(&self) -> bool {
        self.has_source
    }

    /// `source.component` (`kubelet`, `default-scheduler`, …).
    pub fn source_component(&self) -> Option<&str> {
        self.word(WordField::SourceComponent)
    }

    /// `source.host` (the node, for the kubelet's events).
    pub fn source_host(&self) -> Option<&str> {
        self.source_host.as_deref()
    }

    /// `reportingComponent`.
    pub fn reporting_component(&self) -> Option<&str> {
        self.word(WordField::ReportingComponent)
    }

    /// `reportingInstance`.
    pub fn reporting_instance(&self) -> Option<&str> {
        self.word(WordField::ReportingInstance)
    }

    /// The k8s-openapi `Event` this stands for (for the edges: JSON, printers, describe).
    pub fn to_event(&self) -> Event {
        let owned = |text: Option<&str>| text.map(str::to_string);
        Event {
            action: owned(self.action()),
            count: self.count,
            event_time: self.event_time().cloned(),
            first_timestamp: self.first_timestamp(),
            involved_object: self.involved_object().to_reference(),
            last_timestamp: self.last_timestamp(),
            message: owned(self.message()),
            metadata: self.metadata.clone(),
            reason: owned(self.reason()),
            related: self.related().cloned(),
            reporting_component: owned(self.reporting_component()),
            reporting_instance: owned(self.reporting_instance()),
            series: self.series().cloned(),
            source: self.has_source.then(|| EventSource {
                component: owned(self.source_component()),
                host: owned(self.source_host()),
            }),
            type_: owned(self.type_()),
        }
    }

    fn time(&self, slot: MillisSlot, exact: impl Fn(&EventRest) -> &Option<Time>) -> Option<Time> {
        match slot {
            MillisSlot::ABSENT => None,
            MillisSlot::RARE => self.rest.as_ref().and_then(|rest| exact(rest).clone()),
            MillisSlot(millis) => time_from_millis(millis),
        }
    }
}

/// Encodes one word field, moving a string outside the table into `rare`.
fn encode_word(text: Option<String>, hints: &[u8], rare: &mut Option<Box<str>>) -> Word {
    let Some(text) = text else {
        return Word::Absent;
    };
    match known_word_hinted(&text, hints) {
        Some(index) => Word::Known(index),
        None => {
            *rare = Some(text.into_boxed_str());
            Word::Rare
        }
    }
}

/// Encodes a timestamp, keeping one finer than a millisecond exactly in `exact`.
fn encode_time(time: Option<Time>, exact: &mut Option<Time>) -> MillisSlot {
    let Some(time) = time else {
        return MillisSlot::ABSENT;
    };
    match exact_millis(&time) {
        Some(millis) => MillisSlot(millis),
        None => {
            *exact = Some(time);
            MillisSlot::RARE
        }
    }
}

/// The bytes of a UUID in canonical lowercase form (`8-4-4-4-12` hex digits), or `None`.
fn parse_uuid(text: &str) -> Option<[u8; 16]> {
    let text = text.as_bytes();
    if text.len() != 36 {
        return None;
    }
    let mut bytes = [0u8; 16];
    let mut digits = 0usize;
    for (position, &c) in text.iter().enumerate() {
        let value = match c {
            b'-' if matches!(position, 8 | 13 | 18 | 23) => continue,
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => return None,
        };
        if matches!(position, 8 | 13 | 18 | 23) {
            return None;
        }
        let byte = bytes.get_mut(digits / 2)?;
        *byte = (*byte << 4) | value;
        digits += 1;
    }
    (digits == 32).then_some(bytes)
}

/// A resourceVersion that reads back the same as a number: digits, no leading zero.
fn parse_version(text: &str) -> Option<u64> {
    let plain = !text.is_empty()
        && text.bytes().all(|c| c.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    plain.then(|| text.parse().ok()).flatten()
}

impl From<Event> for CompactEvent {
    fn from(event: Event) -> CompactEvent {
        let mut rest = EventRest {
            action: event.action,
            event_time: event.event_time,
            related: event.related,
            series: event.series,
            ..EventRest::default()
        };
        let (has_source, source_component, source_host) = match event.source {
            Some(source) => (true, source.component, source.host),
            None => (false, None, None),
        };
        let source_host = source_host.map(String::into_boxed_str);
        let involved = event.involved_object;
        let mut words = [Word::Absent; WORD_FIELDS];
        let mut put = |field: WordField, text: Option<String>| {
            words[field.index()] = encode_word(text, field.hints(), &mut rest.texts[field.index()]);
        };
        put(WordField::Type, event.type_);
        put(WordField::Reason, event.reason);
        put(WordField::SourceComponent, source_component);
        put(WordField::ReportingComponent, event.reporting_component);
        put(WordField::InvolvedApiVersion, involved.api_version);
        put(WordField::InvolvedKind, involved.kind);
        put(WordField::InvolvedNamespace, involved.namespace);
        let instance = WordField::ReportingInstance;
        words[instance.index()] = match event.reporting_instance {
            Some(text)
                if known_word_hinted(&text, instance.hints()).is_none()
                    && source_host.as_deref() == Some(&text) =>
            {
                Word::SourceHost
            }
            other => encode_word(other, instance.hints(), &mut rest.texts[instance.index()]),
        };
        let involved_uid = match involved.uid {
            None => UidSlot::Absent,
            Some(uid) => match parse_uuid(&uid) {
                Some(bytes) => UidSlot::Uuid(bytes),
                None => {
                    rest.involved_uid = Some(uid);
                    UidSlot::Rare
                }
            },
        };
        let involved_resource_version = match involved.resource_version {
            None => VersionSlot::Absent,
            Some(version) => match parse_version(&version) {
                Some(number) => VersionSlot::Number(number),
                None => {
                    rest.involved_resource_version = Some(version);
                    VersionSlot::Rare
                }
            },
        };
        let first_timestamp = encode_time(event.first_timestamp, &mut rest.first_timestamp);
        let last_timestamp = encode_time(event.last_timestamp, &mut rest.last_timestamp);
        let rest = (!rest.is_empty()).then(|| Box::new(rest));
        CompactEvent {
            metadata: event.metadata,
            involved_name: involved.name.map(String::into_boxed_str),
            involved_field_path: involved.field_path.map(String::into_boxed_str),
            message: event.message.map(String::into_boxed_str),
            source_host,
            rest,
            first_timestamp,
            last_timestamp,
            involved_resource_version,
            count: event.count,
            involved_uid,
            words,
            has_source,
        }
    }
}

/// The object an event is about (`involvedObject`), borrowed from whoever records it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InvolvedRef<'a> {
    /// `apiVersion`.
    pub api_version: Option<&'a str>,
    /// `kind`.
    pub kind: Option<&'a str>,
    /// `name`.
    pub name: Option<&'a str>,
    /// `namespace`.
    pub namespace: Option<&'a str>,
    /// `uid`.
    pub uid: Option<&'a str>,
    /// `resourceVersion`.
    pub resource_version: Option<&'a str>,
    /// `fieldPath` (`spec.containers{nginx}`).
    pub field_path: Option<&'a str>,
}

impl<'a> From<&'a ObjectReference> for InvolvedRef<'a> {
    fn from(reference: &'a ObjectReference) -> InvolvedRef<'a> {
        InvolvedRef {
            api_version: reference.api_version.as_deref(),
            kind: reference.kind.as_deref(),
            name: reference.name.as_deref(),
            namespace: reference.namespace.as_deref(),
            uid: reference.uid.as_deref(),
            resource_version: reference.resource_version.as_deref(),
            field_path: reference.field_path.as_deref(),
        }
    }
}

/// What an event recorder sets on an Event it makes (client-go's `makeEvent`, or the
/// correlator's aggregate event): [`CompactEvent::recorded`] builds the compact form from it
/// without going through a k8s-openapi `Event`. `source` is always set.
#[derive(Clone, Debug)]
pub struct RecordedEvent<'a> {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`.
    pub namespace: String,
    /// `involvedObject`.
    pub involved: InvolvedRef<'a>,
    /// `type`.
    pub type_: &'a str,
    /// `reason`.
    pub reason: &'a str,
    /// `message`.
    pub message: String,
    /// `source.component`.
    pub source_component: &'a str,
    /// `source.host`.
    pub source_host: Option<&'a str>,
    /// `firstTimestamp`.
    pub first_timestamp: Time,
    /// `lastTimestamp`.
    pub last_timestamp: Time,
    /// `count`.
    pub count: i32,
    /// `reportingComponent`.
    pub reporting_component: Option<&'a str>,
    /// `reportingInstance`.
    pub reporting_instance: Option<&'a str>,
}

/// Encodes one word field from borrowed text, copying a string outside the table into `rare`.
fn encode_word_str(text: Option<&str>, hints: &[u8], rare: &mut Option<Box<str>>) -> Word {
    let Some(text) = text else {
        return Word::Absent;
    };
    match known_word_hinted(text, hints) {
        Some(index) => Word::Known(index),
        None => {
            *rare = Some(Box::from(text));
            Word::Rare
        }
    }
}

impl CompactEvent {
    /// The compact form of the Event `recorded` describes: the same value `From<Event>` gives
    /// for that Event, built without its dozen intermediate strings.
    pub fn recorded(recorded: RecordedEvent<'_>) -> CompactEvent {
        let mut rest = EventRest::default();
        let involved = recorded.involved;
        let source_host: Option<Box<str>> = recorded.source_host.map(Box::from);
        let mut words = [Word::Absent; WORD_FIELDS];
        let mut put = |field: WordField, text: Option<&str>| {
            words[field.index()] =
                encode_word_str(text, field.hints(), &mut rest.texts[field.index()]);
        };
        put(WordField::Type, Some(recorded.type_));
        put(WordField::Reason, Some(recorded.reason));
        put(WordField::SourceComponent, Some(recorded.source_component));
        put(WordField::ReportingComponent, recorded.reporting_component);
        put(WordField::InvolvedApiVersion, involved.api_version);
        put(WordField::InvolvedKind, involved.kind);
        put(WordField::InvolvedNamespace, involved.namespace);
        let instance = WordField::ReportingInstance;
        words[instance.index()] = match recorded.reporting_instance {
            Some(text)
                if known_word_hinted(text, instance.hints()).is_none()
                    && source_host.as_deref() == Some(text) =>
            {
                Word::SourceHost
            }
            other => encode_word_str(other, instance.hints(), &mut rest.texts[instance.index()]),
        };
        let involved_uid = match involved.uid {
            None => UidSlot::Absent,
            Some(uid) => match parse_uuid(uid) {
                Some(bytes) => UidSlot::Uuid(bytes),
                None => {
                    rest.involved_uid = Some(uid.to_string());
                    UidSlot::Rare
                }
            },
        };
        let involved_resource_version = match involved.resource_version {
            None => VersionSlot::Absent,
            Some(version) => match parse_version(version) {
                Some(number) => VersionSlot::Number(number),
                None => {
                    rest.involved_resource_version = Some(version.to_string());
                    VersionSlot::Rare
                }
            },
        };
        let first_timestamp =
            encode_time(Some(recorded.first_timestamp), &mut rest.first_timestamp);
        let last_timestamp = encode_time(Some(recorded.last_timestamp), &mut rest.last_timestamp);
        let rest = (!rest.is_empty()).then(|| Box::new(rest));
        CompactEvent {
            metadata: ObjectMeta {
                name: Some(recorded.name),
                namespace: Some(recorded.namespace),
                ..ObjectMeta::default()
            },
            involved_name: involved.name.map(Box::from),
            involved_field_path: involved.field_path.map(Box::from),
            message: Some(recorded.message.into_boxed_str()),
            source_host,
            rest,
            first_timestamp,
            last_timestamp,
            involved_resource_version,
            count: Some(recorded.count),
            involved_uid,
            words,
            has_source: true,
        }
    }

    /// The Event a [`RecordedEvent`] stands for, as a k8s-openapi `Event` (what
    /// [`CompactEvent::recorded`] must agree with).
    pub fn recorded_event(recorded: &RecordedEvent<'_>) -> Event {
        let owned = |text: Option<&str>| text.map(str::to_string);
        let involved = &recorded.involved;
        Event {
            metadata: ObjectMeta {
                name: Some(recorded.name.clone()),
                namespace: Some(recorded.namespace.clone()),
                ..ObjectMeta::default()
            },
            involved_object: ObjectReference {
                api_version: owned(involved.api_version),
                kind: owned(involved.kind),
                name: owned(involved.name),
                namespace: owned(involved.namespace),
                uid: owned(involved.uid),
                resource_version: owned(involved.resource_version),
                field_path: owned(involved.field_path),
            },
            reason: Some(recorded.reason.to_string()),
            message: Some(recorded.message.clone()),
            type_: Some(recorded.type_.to_string()),
            source: Some(EventSource {
                component: Some(recorded.source_component.to_string()),
                host: owned(recorded.source_host),
            }),
            first_timestamp: Some(recorded.first_timestamp.clone()),
            last_timestamp: Some(recorded.last_timestamp.clone()),
            count: Some(recorded.count),
            reporting_component: owned(recorded.reporting_component),
            reporting_instance: owned(recorded.reporting_instance),
            ..Event::default()
        }
    }
}

impl From<CompactEvent> for Event {
    fn from(event: CompactEvent) -> Event {
        event.to_event()
    }
}

impl From<&CompactEvent> for Event {
    fn from(event: &CompactEvent) -> Event {
        event.to_event()
    }
}

/// Serializes as the k8s-openapi `Event` does (the same fields, in the same order).
impl Serialize for CompactEvent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_event().serialize(serializer)
    }
}

/// Shows the Event it stands for, not the packed fields.
impl fmt::Debug for CompactEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_event(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_word_table_is_sorted_and_has_no_duplicates() {
        assert!(WORDS.windows(2).all(|pair| pair[0] < pair[1]));
        assert_eq!(
            known_word_hinted("Pulled", REASON_HINTS),
            known_word("Pulled")
        );
        assert_eq!(
            known_word_hinted("Killing", REASON_HINTS),
            known_word("Killing")
        );
        assert_eq!(known_word_hinted("Rare", REASON_HINTS), None);
        assert!(WORDS.len() <= usize::from(u8::MAX));
        for (index, word) in WORDS.iter().enumerate() {
            assert_eq!(known_word(word).map(usize::from), Some(index), "{word}");
        }
    }

    #[test]
    fn uuids_read_back_as_the_same_text_and_other_strings_are_not_uuids() {
        let uid = "0f1e2d3c-4b5a-4697-8879-a0b1c2d3e4f5";
        let bytes = parse_uuid(uid).expect("a lowercase uuid parses");
        assert_eq!(format_uuid(&bytes), uid);
        for other in [
            "0F1E2D3C-4B5A-4697-8879-A0B1C2D3E4F5",
            "0f1e2d3c4b5a-4697-8879-a0b1c2d3e4f5-",
            "0f1e2d3c-4b5a-4697-8879-a0b1c2d3e4f",
            "0f1e2d3c-4b5a-4697-8879-a0b1c2d3e4f5a",
            "0f1e2d3c-4b5a-4697-8879-a0b1c2d3e4g5",
            "u-1",
            "",
        ] {
            assert_eq!(parse_uuid(other), None, "{other}");
        }
    }

    #[test]
    fn only_plain_numbers_are_kept_as_resource_version_numbers() {
        assert_eq!(parse_version("0"), Some(0));
        assert_eq!(parse_version("12345"), Some(12345));
        for other in ["", "007", "+1", "-1", "1a", "99999999999999999999"] {
            assert_eq!(parse_version(other), None, "{other}");
        }
    }

    fn round_trip(event: Event) {
        let compact = CompactEvent::from(event.clone());
        assert_eq!(compact.to_event(), event);
        assert_eq!(
            serde_json::to_value(&compact).unwrap(),
            serde_json::to_value(&event).unwrap()
        );
    }

    #[test]
    fn an_event_with_every_field_set_comes_back_unchanged() {
        let event: Event = serde_json::from_value(json!({
            "action": "Binding",
            "count": 3,
            "eventTime": "2025-01-01T00:00:01.123456Z",
            "firstTimestamp": "2025-01-01T00:00:00Z",
            "involvedObject": {"apiVersion": "example.com/v1", "kind": "Widget", "name": "w",
                "namespace": "lab", "uid": "not-a-uuid", "resourceVersion": "007",
                "fieldPath": "spec.containers{app}"},
            "lastTimestamp": "2025-01-01T00:00:02Z",
            "message": "Something happened",
            "metadata": {"name": "w.17a", "namespace": "lab", "labels": {"a": "b"},
                "annotations": {"c": "d"}, "uid": "u-9", "resourceVersion": "5",
                "ownerReferences": [{"apiVersion": "v1", "kind": "Pod", "name": "p",
                    "uid": "u-1"}]},
            "reason": "SomethingRare",
            "related": {"kind": "Node", "name": "node-1"},
            "reportingComponent": "example.com/widget-controller",
            "reportingInstance": "widget-controller-abc",
            "series": {"count": 4, "lastObservedTime": "2025-01-01T00:00:03.000001Z"},
            "source": {"component": "widget-controller", "host": "node-1"},
            "type": "Unusual",
        }))
        .unwrap();
        let compact = CompactEvent::from(event.clone());
        assert!(compact.rest.is_some());
        round_trip(event);
    }

    #[test]
    fn a_recorded_kubelet_event_needs_no_rest() {
        let time = k8s_openapi::jiff::Timestamp::from_millisecond(1_735_689_600_123).unwrap();
        let event = Event {
            metadata: ObjectMeta {
                name: Some("web-1.181a".to_string()),
                namespace: Some("default".to_string()),
                ..ObjectMeta::default()
            },
            involved_object: ObjectReference {
                api_version: Some("v1".to_string()),
                kind: Some("Pod".to_string()),
                name: Some("web-1".to_string()),
                namespace: Some("default".to_string()),
                uid: Some("0f1e2d3c-4b5a-4697-8879-a0b1c2d3e4f5".to_string()),
                resource_version: Some("42".to_string()),
                field_path: Some("spec.containers{app}".to_string()),
            },
            reason: Some("Pulled".to_string()),
            message: Some("Container image \"nginx\" already present on machine".to_string()),
            type_: Some("Normal".to_string()),
            source: Some(EventSource {
                component: Some("kubelet".to_string()),
                host: Some("node-7".to_string()),
            }),
            first_timestamp: Some(Time(time)),
            last_timestamp: Some(Time(time)),
            count: Some(1),
            reporting_component: Some("kubelet".to_string()),
            reporting_instance: Some("node-7".to_string()),
            ..Event::default()
        };
        let compact = CompactEvent::from(event.clone());
        assert!(compact.rest.is_none());
        assert_eq!(compact.reporting_instance(), Some("node-7"));
        assert_eq!(
            compact.involved_object().uid().as_deref(),
            Some("0f1e2d3c-4b5a-4697-8879-a0b1c2d3e4f5")
        );
        round_trip(event);
    }

    #[test]
    fn empty_and_absent_fields_stay_apart() {
        let cases = [
            Event::default(),
            Event {
                source: Some(EventSource::default()),
                ..Event::default()
            },
            Event {
                source: Some(EventSource {
                    component: Some(String::new()),
                    host: Some(String::new()),
                }),
                reporting_instance: Some(String::new()),
                reason: Some(String::new()),
                involved_object: ObjectReference {
                    uid: Some(String::new()),
                    resource_version: Some(String::new()),
                    name: Some(String::new()),
                    ..ObjectReference::default()
                },
                ..Event::default()
            },
            Event {
                series: Some(EventSeries::default()),
                ..Event::default()
            },
        ];
        for event in cases {
            round_trip(event);
        }
    }

    #[test]
    fn a_reporting_instance_equal_to_a_rare_host_follows_the_host() {
        let event = Event {
            source: Some(EventSource {
                component: Some("kubelet".to_string()),
                host: Some("worker-3".to_string()),
            }),
            reporting_instance: Some("worker-3".to_string()),
            ..Event::default()
        };
        let compact = CompactEvent::from(event.clone());
        assert_eq!(
            compact.words[WordField::ReportingInstance.index()],
            Word::SourceHost
        );
        assert!(compact.rest.is_none());
        round_trip(event);
    }

    #[test]
    fn times_finer_than_a_millisecond_and_before_the_epoch_are_kept_exactly() {
        for text in [
            "2025-01-01T00:00:00.000000001Z",
            "1969-12-31T23:59:59.999Z",
            "1969-12-31T23:59:59.9999Z",
            "0001-01-01T00:00:00Z",
            "9000-01-01T00:00:00.999999999Z",
        ] {
            let time: Time = serde_json::from_value(json!(text)).unwrap();
            round_trip(Event {
                first_timestamp: Some(time.clone()),
                last_timestamp: Some(time),
                ..Event::default()
            });
        }
    }

    #[test]
    fn equal_events_have_equal_compact_forms() {
        let event = |reason: &str| Event {
            reason: Some(reason.to_string()),
            ..Event::default()
        };
        assert_eq!(
            CompactEvent::from(event("Scheduled")),
            CompactEvent::from(event("Scheduled"))
        );
        assert_ne!(
            CompactEvent::from(event("Scheduled")),
            CompactEvent::from(event("Pulled"))
        );
        assert_eq!(
            CompactEvent::from(event("Custom")),
            CompactEvent::from(event("Custom"))
        );
    }

    #[test]
    fn a_recorded_event_built_directly_equals_the_conversion_of_its_event() {
        let ms = |millis| Time(k8s_openapi::jiff::Timestamp::from_millisecond(millis).unwrap());
        let fine = Time(k8s_openapi::jiff::Timestamp::new(1_735_689_600, 123_456_789).unwrap());
        let kubelet = RecordedEvent {
            name: "web-1.181a".to_string(),
            namespace: "default".to_string(),
            involved: InvolvedRef {
                api_version: Some("v1"),
                kind: Some("Pod"),
                name: Some("web-1"),
                namespace: Some("default"),
                uid: Some("0f1e2d3c-4b5a-4697-8879-a0b1c2d3e4f5"),
                resource_version: Some("42"),
                field_path: Some("spec.containers{app}"),
            },
            type_: "Normal",
            reason: "Pulled",
            message: "Container image \"nginx\" already present on machine".to_string(),
            source_component: "kubelet",
            source_host: Some("node-7"),
            first_timestamp: ms(1_735_689_600_123),
            last_timestamp: ms(1_735_689_600_123),
            count: 1,
            reporting_component: Some("kubelet"),
            reporting_instance: Some("node-7"),
        };
        let controller = RecordedEvent {
            involved: InvolvedRef {
                api_version: Some("apps/v1"),
                kind: Some("ReplicaSet"),
                name: Some("web-5d4f"),
                namespace: Some("lab"),
                uid: Some("u-1"),
                resource_version: Some("007"),
                field_path: None,
            },
            type_: "Warning",
            reason: "SomethingRare",
            source_component: "my-controller",
            source_host: None,
            reporting_component: Some("my-controller"),
            reporting_instance: Some(""),
            count: 3,
            first_timestamp: fine.clone(),
            ..kubelet.clone()
        };
        let aggregate = RecordedEvent {
            message: "(combined from similar events): x".to_string(),
            involved: InvolvedRef::default(),
            source_host: Some("default"),
            reporting_component: None,
            reporting_instance: None,
            last_timestamp: fine,
            ..kubelet.clone()
        };
        let instance_known_host = RecordedEvent {
            source_host: Some("kubelet"),
            reporting_instance: Some("kubelet"),
            ..kubelet.clone()
        };
        for recorded in [kubelet, controller, aggregate, instance_known_host] {
            let event = CompactEvent::recorded_event(&recorded);
            assert_eq!(
                CompactEvent::recorded(recorded.clone()),
                CompactEvent::from(event.clone()),
                "{recorded:?}"
            );
            assert_eq!(CompactEvent::recorded(recorded).to_event(), event);
        }
    }
}
