//! [`CompactPodStatus`]: a core/v1 PodStatus as kubeplay keeps it in memory, several times
//! smaller than the k8s-openapi `PodStatus` it stands for.
//!
//! Every pod holds a status the kubelet wrote (phase, four or five conditions, the host and
//! pod IPs, the start time, the QoS class, one status per container), and the k8s-openapi
//! `PodStatus` spends ~450 bytes inline on it, ~170 more per condition and ~900 more per
//! container status (most of it `None`s), plus one heap string per field. A status that comes
//! in (decoded JSON, or computed by the kubelet) becomes a `CompactPodStatus` through
//! `From<PodStatus>`: the phase, the QoS class, condition types, statuses and reasons and
//! waiting reasons become one-byte words when they are well known, timestamps of whole
//! milliseconds one `i64` each, `hostIPs`/`podIPs` that only repeat `hostIP`/`podIP` one flag,
//! container states an enum with a small variant for `waiting` and `running`; the conditions
//! and container statuses become compact slices. Whatever does not fit this (a condition with
//! a `lastProbeTime` or a time finer than a millisecond, a container status with resources,
//! user or volume mounts, the fields kubeplay never writes) stays as it came, in one boxed
//! `PodStatus` of the rest that is absent in the common case; a list that does not fit goes
//! there whole. Going out ([`CompactPodStatus::to_status`], serializing, printers, describe)
//! rebuilds the exact `PodStatus`: the conversion is lossless, so the JSON is what the
//! k8s-openapi type would give.
//!
//! Every `PodStatus` has exactly one compact form (each field is kept in one place only,
//! decided by its own value), so the derived equality is the equality of the statuses.
//! Readers use the accessors ([`CompactPodStatus::phase`], [`CompactPodStatus::conditions`],
//! [`CompactPodStatus::container_statuses`], …), which read the compact fields or the rest,
//! whichever holds the value.

use std::borrow::Cow;
use std::fmt;

use super::compact::{exact_millis, time_from_millis, word_index};
use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateRunning, ContainerStateWaiting, ContainerStatus, HostIP,
    PodCondition, PodIP, PodResourceClaimStatus, PodStatus,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use serde::{Serialize, Serializer};

/// The strings statuses nearly always hold in their word fields, sorted by bytes (looked up
/// by binary search): phases, QoS classes, condition types, statuses and reasons, and the
/// kubelet's waiting reasons.
const WORDS: [&str; 28] = [
    "",
    "BestEffort",
    "Burstable",
    "ContainerCreating",
    "ContainersNotInitialized",
    "ContainersNotReady",
    "ContainersReady",
    "CrashLoopBackOff",
    "DisruptionTarget",
    "ErrImageNeverPull",
    "ErrImagePull",
    "Failed",
    "False",
    "Guaranteed",
    "ImagePullBackOff",
    "Initialized",
    "Pending",
    "PodCompleted",
    "PodInitializing",
    "PodReadyToStartContainers",
    "PodScheduled",
    "Ready",
    "Running",
    "SchedulerError",
    "Succeeded",
    "True",
    "Unknown",
    "Unschedulable",
];

/// The index of `text` in [`WORDS`], if it is there.
fn known_word(text: &str) -> Option<u8> {
    word_index(&WORDS, text)
}

/// A string field that is usually a well-known word.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
enum Text {
    /// Not set (`None`).
    #[default]
    Absent,
    /// `WORDS[index]`.
    Known(u8),
    /// Any other string.
    Other(Box<str>),
}

impl Text {
    fn new(text: Option<String>) -> Text {
        match text {
            None => Text::Absent,
            Some(text) => match known_word(&text) {
                Some(index) => Text::Known(index),
                None => Text::Other(text.into_boxed_str()),
            },
        }
    }

    fn get(&self) -> Option<&str> {
        match self {
            Text::Absent => None,
            Text::Known(index) => WORDS.get(usize::from(*index)).copied(),
            Text::Other(text) => Some(text),
        }
    }

    fn owned(&self) -> Option<String> {
        self.get().map(str::to_string)
    }
}

/// A time field of a compact part: `Ok(None)` when absent, `Ok(Some(ms))` when it is whole
/// milliseconds, `Err(())` when the part cannot be kept compact.
fn encode_time(time: Option<&Time>) -> Result<Option<i64>, ()> {
    match time {
        None => Ok(None),
        Some(time) => exact_millis(time).map(Some).ok_or(()),
    }
}

fn boxed(text: Option<String>) -> Option<Box<str>> {
    text.map(String::into_boxed_str)
}

fn owned(text: &Option<Box<str>>) -> Option<String> {
    text.as_deref().map(str::to_string)
}

/// A pod condition whose type and status are well-known words, without a `lastProbeTime`
/// and with a transition time of whole milliseconds (the kubelet's and the scheduler's): 24
/// bytes, the rarely set reason, message and observed generation boxed.
#[derive(Clone, Debug, PartialEq, Eq)]
struct CompactCondition {
    /// `lastTransitionTime` in milliseconds, or [`NO_TIME`].
    last_transition_ms: i64,
    extra: Option<Box<ConditionExtra>>,
    /// `type`, an index of [`WORDS`].
    type_: u8,
    /// `status`, an index of [`WORDS`].
    status: u8,
}

/// The fields of a condition that are usually not set.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ConditionExtra {
    reason: Text,
    message: Option<Box<str>>,
    observed_generation: Option<i64>,
}

/// `lastTransitionTime` not set (no time jiff holds is this many milliseconds).
const NO_TIME: i64 = i64::MIN;

impl CompactCondition {
    /// The compact form, if `condition` has one.
    fn encode(condition: &PodCondition) -> Option<CompactCondition> {
        if condition.last_probe_time.is_some() {
            return None;
        }
        let last_transition_ms = encode_time(condition.last_transition_time.as_ref())
            .ok()?
            .unwrap_or(NO_TIME);
        let extra = (condition.reason.is_some()
            || condition.message.is_some()
            || condition.observed_generation.is_some())
        .then(|| {
            Box::new(ConditionExtra {
                reason: Text::new(condition.reason.clone()),
                message: condition.message.as_deref().map(Box::from),
                observed_generation: condition.observed_generation,
            })
        });
        Some(CompactCondition {
            last_transition_ms,
            extra,
            type_: known_word(&condition.type_)?,
            status: known_word(&condition.status)?,
        })
    }

    fn word(index: u8) -> &'static str {
        WORDS.get(usize::from(index)).copied().unwrap_or_default()
    }

    fn last_transition_time(&self) -> Option<Time> {
        (self.last_transition_ms != NO_TIME)
            .then(|| time_from_millis(self.last_transition_ms))
            .flatten()
    }

    fn reason(&self) -> Option<&str> {
        self.extra.as_ref().and_then(|extra| extra.reason.get())
    }

    fn message(&self) -> Option<&str> {
        self.extra
            .as_ref()
            .and_then(|extra| extra.message.as_deref())
    }

    fn decode(&self) -> PodCondition {
        PodCondition {
            last_probe_time: None,
            last_transition_time: self.last_transition_time(),
            message: self.message().map(str::to_string),
            observed_generation: self.extra.as_ref().and_then(|e| e.observed_generation),
            reason: self.reason().map(str::to_string),
            status: Self::word(self.status).to_string(),
            type_: Self::word(self.type_).to_string(),
        }
    }
}

/// A pod condition as [`CompactPodStatus::conditions`] hands it out.
#[derive(Clone, Copy, Debug)]
pub struct ConditionRef<'a>(ConditionInner<'a>);

#[derive(Clone, Copy, Debug)]
enum ConditionInner<'a> {
    Compact(&'a CompactCondition),
    Full(&'a PodCondition),
}

impl<'a> ConditionRef<'a> {
    /// `type`.
    pub fn type_(&self) -> &'a str {
        match self.0 {
            ConditionInner::Compact(c) => CompactCondition::word(c.type_),
            ConditionInner::Full(c) => &c.type_,
        }
    }

    /// `status` (`True`, `False`, `Unknown`).
    pub fn status(&self) -> &'a str {
        match self.0 {
            ConditionInner::Compact(c) => CompactCondition::word(c.status),
            ConditionInner::Full(c) => &c.status,
        }
    }

    /// `reason`.
    pub fn reason(&self) -> Option<&'a str> {
        match self.0 {
            ConditionInner::Compact(c) => c.reason(),
            ConditionInner::Full(c) => c.reason.as_deref(),
        }
    }

    /// `message`.
    pub fn message(&self) -> Option<&'a str> {
        match self.0 {
            ConditionInner::Compact(c) => c.message(),
            ConditionInner::Full(c) => c.message.as_deref(),
        }
    }

    /// `lastTransitionTime`.
    pub fn last_transition_time(&self) -> Option<Time> {
        match self.0 {
            ConditionInner::Compact(c) => c.last_transition_time(),
            ConditionInner::Full(c) => c.last_transition_time.clone(),
        }
    }

    /// The k8s-openapi `PodCondition`.
    pub fn to_condition(&self) -> PodCondition {
        match self.0 {
            ConditionInner::Compact(c) => c.decode(),
            ConditionInner::Full(c) => c.clone(),
        }
    }
}

/// A container's `state` or `lastState`.
#[derive(Clone, Debug, Default, PartialEq)]
enum StateSlot {
    /// Not set.
    #[default]
    Absent,
    /// `{}`.
    Empty,
    /// Only `waiting`.
    Waiting {
        reason: Text,
        message: Option<Box<str>>,
    },
    /// Only `running`, its start of whole milliseconds (or none).
    Running { started_at_ms: Option<i64> },
    /// Anything else (`terminated`, or several at once), as it came.
    Other(Box<ContainerState>),
}

impl StateSlot {
    fn encode(state: Option<ContainerState>) -> StateSlot {
        let Some(state) = state else {
            return StateSlot::Absent;
        };
        match state {
            ContainerState {
                running: None,
                terminated: None,
                waiting: None,
            } => StateSlot::Empty,
            ContainerState {
                running: None,
                terminated: None,
                waiting: Some(waiting),
            } => StateSlot::Waiting {
                reason: Text::new(waiting.reason),
                message: boxed(waiting.message),
            },
            ContainerState {
                running: Some(running),
                terminated: None,
                waiting: None,
            } => match encode_time(running.started_at.as_ref()) {
                Ok(started_at_ms) => StateSlot::Running { started_at_ms },
                Err(()) => StateSlot::Other(Box::new(ContainerState {
                    running: Some(running),
                    ..ContainerState::default()
                })),
            },
            other => StateSlot::Other(Box::new(other)),
        }
    }

    fn decode(&self) -> Option<Cow<'_, ContainerState>> {
        Some(match self {
            StateSlot::Absent => return None,
            StateSlot::Empty => Cow::Owned(ContainerState::default()),
            StateSlot::Waiting { reason, message } => Cow::Owned(ContainerState {
                waiting: Some(ContainerStateWaiting {
                    message: owned(message),
                    reason: reason.owned(),
                }),
                ..ContainerState::default()
            }),
            StateSlot::Running { started_at_ms } => Cow::Owned(ContainerState {
                running: Some(ContainerStateRunning {
                    started_at: started_at_ms.and_then(time_from_millis),
                }),
                ..ContainerState::default()
            }),
            StateSlot::Other(state) => Cow::Borrowed(state.as_ref()),
        })
    }

    fn waiting_reason(&self) -> Option<&str> {
        match self {
            StateSlot::Waiting { reason, .. } => reason.get(),
            StateSlot::Other(state) => state.waiting.as_ref()?.reason.as_deref(),
            StateSlot::Absent | StateSlot::Empty | StateSlot::Running { .. } => None,
        }
    }

    fn waiting_message(&self) -> Option<&str> {
        match self {
            StateSlot::Waiting { message, .. } => message.as_deref(),
            StateSlot::Other(state) => state.waiting.as_ref()?.message.as_deref(),
            StateSlot::Absent | StateSlot::Empty | StateSlot::Running { .. } => None,
        }
    }
}

/// A container status without resources, user, volume mounts or stop signal (the
/// kubelet's).
#[derive(Clone, Debug, PartialEq)]
struct CompactContainer {
    name: Box<str>,
    image: Box<str>,
    image_id: Box<str>,
    container_id: Option<Box<str>>,
    state: StateSlot,
    last_state: StateSlot,
    restart_count: i32,
    ready: bool,
    started: Option<bool>,
}

impl CompactContainer {
    /// Whether `status` has a compact form: nothing set beyond what the kubelet writes.
    fn fits(status: &ContainerStatus) -> bool {
        status.allocated_resources.is_none()
            && status.allocated_resources_status.is_none()
            && status.resources.is_none()
            && status.stop_signal.is_none()
            && status.user.is_none()
            && status.volume_mounts.is_none()
    }

    /// The compact form of a status that [`CompactContainer::fits`].
    fn encode(status: ContainerStatus) -> CompactContainer {
        CompactContainer {
            name: status.name.into_boxed_str(),
            image: status.image.into_boxed_str(),
            image_id: status.image_id.into_boxed_str(),
            container_id: boxed(status.container_id),
            state: StateSlot::encode(status.state),
            last_state: StateSlot::encode(status.last_state),
            restart_count: status.restart_count,
            ready: status.ready,
            started: status.started,
        }
    }

    fn decode(&self) -> ContainerStatus {
        ContainerStatus {
            container_id: owned(&self.container_id),
            image: self.image.to_string(),
            image_id: self.image_id.to_string(),
            last_state: self.last_state.decode().map(Cow::into_owned),
            name: self.name.to_string(),
            ready: self.ready,
            restart_count: self.restart_count,
            started: self.started,
            state: self.state.decode().map(Cow::into_owned),
            ..ContainerStatus::default()
        }
    }
}

/// A container status as [`CompactPodStatus::container_statuses`] hands it out.
#[derive(Clone, Copy, Debug)]
pub struct ContainerRef<'a>(ContainerInner<'a>);

#[derive(Clone, Copy, Debug)]
enum ContainerInner<'a> {
    Compact(&'a CompactContainer),
    Full(&'a ContainerStatus),
}

impl<'a> ContainerRef<'a> {
    /// `name`.
    pub fn name(&self) -> &'a str {
        match self.0 {
            ContainerInner::Compact(c) => &c.name,
            ContainerInner::Full(c) => &c.name,
        }
    }

    /// `ready`.
    pub fn ready(&self) -> bool {
        match self.0 {
            ContainerInner::Compact(c) => c.ready,
            ContainerInner::Full(c) => c.ready,
        }
    }

    /// `restartCount`.
    pub fn restart_count(&self) -> i32 {
        match self.0 {
            ContainerInner::Compact(c) => c.restart_count,
            ContainerInner::Full(c) => c.restart_count,
        }
    }

    /// `state`.
    pub fn state(&self) -> Option<Cow<'a, ContainerState>> {
        match self.0 {
            ContainerInner::Compact(c) => c.state.decode(),
            ContainerInner::Full(c) => c.state.as_ref().map(Cow::Borrowed),
        }
    }

    /// `lastState`.
    pub fn last_state(&self) -> Option<Cow<'a, ContainerState>> {
        match self.0 {
            ContainerInner::Compact(c) => c.last_state.decode(),
            ContainerInner::Full(c) => c.last_state.as_ref().map(Cow::Borrowed),
        }
    }

    /// `state.waiting.reason`.
    pub fn waiting_reason(&self) -> Option<&'a str> {
        match self.0 {
            ContainerInner::Compact(c) => c.state.waiting_reason(),
            ContainerInner::Full(c) => c.state.as_ref()?.waiting.as_ref()?.reason.as_deref(),
        }
    }

    /// `state.waiting.message`.
    pub fn waiting_message(&self) -> Option<&'a str> {
        match self.0 {
            ContainerInner::Compact(c) => c.state.waiting_message(),
            ContainerInner::Full(c) => c.state.as_ref()?.waiting.as_ref()?.message.as_deref(),
        }
    }

    /// Whether `state.terminated` is set.
    pub fn is_terminated(&self) -> bool {
        self.terminated_exit_code().is_some()
    }

    /// `state.terminated.exitCode`, when `state.terminated` is set.
    pub fn terminated_exit_code(&self) -> Option<i32> {
        let state = match self.0 {
            ContainerInner::Compact(c) => match &c.state {
                StateSlot::Other(state) => state.as_ref(),
                StateSlot::Absent
                | StateSlot::Empty
                | StateSlot::Waiting { .. }
                | StateSlot::Running { .. } => return None,
            },
            ContainerInner::Full(c) => c.state.as_ref()?,
        };
        state.terminated.as_ref().map(|t| t.exit_code)
    }

    /// The k8s-openapi `ContainerStatus`.
    pub fn to_container_status(&self) -> ContainerStatus {
        match self.0 {
            ContainerInner::Compact(c) => c.decode(),
            ContainerInner::Full(c) => c.clone(),
        }
    }
}

/// A core/v1 PodStatus, kept compact (see the module docs of `api::objects::pod_status`). Build one from a
/// `PodStatus` with `From`, read it through the accessors, and get the `PodStatus` back with
/// [`CompactPodStatus::to_status`].
#[derive(Clone, Default, PartialEq)]
pub struct CompactPodStatus {
    conditions: Option<Box<[CompactCondition]>>,
    container_statuses: Option<Box<[CompactContainer]>>,
    init_container_statuses: Option<Box<[CompactContainer]>>,
    host_ip: Option<Box<str>>,
    pod_ip: Option<Box<str>>,
    start_time_ms: Option<i64>,
    /// Every field not kept above, as it came (`None` when all are empty).
    rest: Option<Box<PodStatus>>,
    phase: Text,
    qos_class: Text,
    /// `hostIPs` is `[{ip: hostIP}]` (and `hostIP` is set).
    host_ips_mirror: bool,
    /// `podIPs` is `[{ip: podIP}]` (and `podIP` is set).
    pod_ips_mirror: bool,
}

/// Encodes a list of container statuses: compact when every one fits, else kept whole in
/// `rest`.
fn encode_containers(
    list: Option<Vec<ContainerStatus>>,
    rest: &mut Option<Vec<ContainerStatus>>,
) -> Option<Box<[CompactContainer]>> {
    let list = list?;
    if !list.iter().all(CompactContainer::fits) {
        *rest = Some(list);
        return None;
    }
    Some(list.into_iter().map(CompactContainer::encode).collect())
}

impl From<PodStatus> for CompactPodStatus {
    fn from(status: PodStatus) -> CompactPodStatus {
        let mut rest = status;
        let phase = Text::new(rest.phase.take());
        let qos_class = Text::new(rest.qos_class.take());
        let host_ip = boxed(rest.host_ip.take());
        let pod_ip = boxed(rest.pod_ip.take());
        let host_ips_mirror = match (&host_ip, &rest.host_ips) {
            (Some(ip), Some(ips)) => matches!(ips.as_slice(), [one] if one.ip == **ip),
            _ => false,
        };
        if host_ips_mirror {
            rest.host_ips = None;
        }
        let pod_ips_mirror = match (&pod_ip, &rest.pod_ips) {
            (Some(ip), Some(ips)) => matches!(ips.as_slice(), [one] if one.ip == **ip),
            _ => false,
        };
        if pod_ips_mirror {
            rest.pod_ips = None;
        }
        let start_time_ms = match rest.start_time.as_ref().map(exact_millis) {
            Some(Some(millis)) => {
                rest.start_time = None;
                Some(millis)
            }
            Some(None) | None => None,
        };
        let conditions = match rest.conditions.as_ref() {
            None => None,
            Some(list) => {
                let compact: Option<Vec<CompactCondition>> =
                    list.iter().map(CompactCondition::encode).collect();
                if compact.is_some() {
                    rest.conditions = None;
                }
                compact.map(Vec::into_boxed_slice)
            }
        };
        let container_statuses =
            encode_containers(rest.container_statuses.take(), &mut rest.container_statuses);
        let init_container_statuses = encode_containers(
            rest.init_container_statuses.take(),
            &mut rest.init_container_statuses,
        );
        let rest = (rest != PodStatus::default()).then(|| Box::new(rest));
        CompactPodStatus {
            conditions,
            container_statuses,
            init_container_statuses,
            host_ip,
            pod_ip,
            start_time_ms,
            rest,
            phase,
            qos_class,
            host_ips_mirror,
            pod_ips_mirror,
        }
    }
}

impl CompactPodStatus {
    /// `phase` (`Pending`, `Running`, `Succeeded`, `Failed`, `Unknown`).
    pub fn phase(&self) -> Option<&str> {
        self.phase.get()
    }

    /// `qosClass`.
    pub fn qos_class(&self) -> Option<&str> {
        self.qos_class.get()
    }

    /// Sets `qosClass`.
    pub fn set_qos_class(&mut self, qos_class: Option<&str>) {
        self.qos_class = Text::new(qos_class.map(str::to_string));
    }

    /// `hostIP`.
    pub fn host_ip(&self) -> Option<&str> {
        self.host_ip.as_deref()
    }

    /// `podIP`.
    pub fn pod_ip(&self) -> Option<&str> {
        self.pod_ip.as_deref()
    }

    /// `podIPs`, as IP strings (`None` when the list is not set).
    pub fn pod_ips(&self) -> Option<Vec<&str>> {
        if self.pod_ips_mirror {
            return Some(self.pod_ip.as_deref().into_iter().collect());
        }
        self.rest
            .as_ref()
            .and_then(|rest| rest.pod_ips.as_ref())
            .map(|ips| ips.iter().map(|ip| ip.ip.as_str()).collect())
    }

    /// `hostIPs`, as IP strings (`None` when the list is not set).
    pub fn host_ips(&self) -> Option<Vec<&str>> {
        if self.host_ips_mirror {
            return Some(self.host_ip.as_deref().into_iter().collect());
        }
        self.rest
            .as_ref()
            .and_then(|rest| rest.host_ips.as_ref())
            .map(|ips| ips.iter().map(|ip| ip.ip.as_str()).collect())
    }

    /// `startTime`.
    pub fn start_time(&self) -> Option<Time> {
        match self.start_time_ms {
            Some(millis) => time_from_millis(millis),
            None => self.rest.as_ref().and_then(|rest| rest.start_time.clone()),
        }
    }

    /// `reason` (`Evicted`, …).
    pub fn reason(&self) -> Option<&str> {
        self.rest.as_ref().and_then(|rest| rest.reason.as_deref())
    }

    /// `message`.
    pub fn message(&self) -> Option<&str> {
        self.rest.as_ref().and_then(|rest| rest.message.as_deref())
    }

    /// `nominatedNodeName`.
    pub fn nominated_node_name(&self) -> Option<&str> {
        self.rest
            .as_ref()
            .and_then(|rest| rest.nominated_node_name.as_deref())
    }

    /// Whether `conditions` is set at all (an empty list counts).
    pub fn has_conditions(&self) -> bool {
        self.conditions.is_some() || self.rest.as_ref().is_some_and(|r| r.conditions.is_some())
    }

    /// `conditions`, in order.
    pub fn conditions(&self) -> impl Iterator<Item = ConditionRef<'_>> {
        // At most one of the two holds the list.
        let compact = self.conditions.iter().flatten();
        let full = self
            .rest
            .iter()
            .flat_map(|rest| rest.conditions.iter().flatten());
        compact
            .map(|c| ConditionRef(ConditionInner::Compact(c)))
            .chain(full.map(|c| ConditionRef(ConditionInner::Full(c))))
    }

    /// The first condition of type `type_`.
    pub fn condition(&self, type_: &str) -> Option<ConditionRef<'_>> {
        self.conditions().find(|c| c.type_() == type_)
    }

    /// Whether the first condition of type `type_` has status `True`.
    pub fn is_condition_true(&self, type_: &str) -> bool {
        self.condition(type_).is_some_and(|c| c.status() == "True")
    }

    /// Whether `containerStatuses` is set at all (an empty list counts).
    pub fn has_container_statuses(&self) -> bool {
        self.container_statuses.is_some()
            || self
                .rest
                .as_ref()
                .is_some_and(|r| r.container_statuses.is_some())
    }

    /// `containerStatuses`, in order.
    pub fn container_statuses(&self) -> impl Iterator<Item = ContainerRef<'_>> {
        Self::containers(
            &self.container_statuses,
            |rest| &rest.container_statuses,
            self,
        )
    }

    /// `initContainerStatuses`, in order.
    pub fn init_container_statuses(&self) -> impl Iterator<Item = ContainerRef<'_>> {
        Self::containers(
            &self.init_container_statuses,
            |rest| &rest.init_container_statuses,
            self,
        )
    }

    fn containers<'a>(
        compact: &'a Option<Box<[CompactContainer]>>,
        full: impl Fn(&'a PodStatus) -> &'a Option<Vec<ContainerStatus>>,
        status: &'a CompactPodStatus,
    ) -> impl Iterator<Item = ContainerRef<'a>> {
        let full = status
            .rest
            .as_deref()
            .map(full)
            .into_iter()
            .flatten()
            .flatten();
        compact
            .iter()
            .flatten()
            .map(|c| ContainerRef(ContainerInner::Compact(c)))
            .chain(full.map(|c| ContainerRef(ContainerInner::Full(c))))
    }

    /// `ephemeralContainerStatuses`, in order.
    pub fn ephemeral_container_statuses(&self) -> impl Iterator<Item = ContainerRef<'_>> {
        self.rest
            .iter()
            .flat_map(|rest| rest.ephemeral_container_statuses.iter().flatten())
            .map(|c| ContainerRef(ContainerInner::Full(c)))
    }

    /// `resourceClaimStatuses`.
    pub fn resource_claim_statuses(&self) -> &[PodResourceClaimStatus] {
        self.rest
            .as_ref()
            .and_then(|rest| rest.resource_claim_statuses.as_deref())
            .unwrap_or_default()
    }

    /// The k8s-openapi `PodStatus` this stands for (for the edges: JSON, printers, describe).
    pub fn to_status(&self) -> PodStatus {
        let mut status = self.rest.as_deref().cloned().unwrap_or_default();
        status.phase = self.phase.owned();
        status.qos_class = self.qos_class.owned();
        status.host_ip = owned(&self.host_ip);
        status.pod_ip = owned(&self.pod_ip);
        if self.host_ips_mirror {
            status.host_ips = status.host_ip.clone().map(|ip| vec![HostIP { ip }]);
        }
        if self.pod_ips_mirror {
            status.pod_ips = status.pod_ip.clone().map(|ip| vec![PodIP { ip }]);
        }
        if let Some(millis) = self.start_time_ms {
            status.start_time = time_from_millis(millis);
        }
        if let Some(conditions) = &self.conditions {
            status.conditions = Some(conditions.iter().map(CompactCondition::decode).collect());
        }
        if let Some(list) = &self.container_statuses {
            status.container_statuses = Some(list.iter().map(CompactContainer::decode).collect());
        }
        if let Some(list) = &self.init_container_statuses {
            status.init_container_statuses =
                Some(list.iter().map(CompactContainer::decode).collect());
        }
        status
    }

    /// Changes the status through its `PodStatus` form (for the rare writers that change
    /// one field of a status they did not compute, such as a Binding's `PodScheduled`).
    pub fn edit(&mut self, change: impl FnOnce(&mut PodStatus)) {
        let mut status = self.to_status();
        change(&mut status);
        *self = CompactPodStatus::from(status);
    }
}

impl From<CompactPodStatus> for PodStatus {
    fn from(status: CompactPodStatus) -> PodStatus {
        status.to_status()
    }
}

impl From<&CompactPodStatus> for PodStatus {
    fn from(status: &CompactPodStatus) -> PodStatus {
        status.to_status()
    }
}

/// Serializes as the k8s-openapi `PodStatus` does (the same fields, in the same order).
impl Serialize for CompactPodStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_status().serialize(serializer)
    }
}

/// Shows the status it stands for, not the packed fields.
impl fmt::Debug for CompactPodStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_status(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn status(value: serde_json::Value) -> PodStatus {
        match serde_json::from_value(value) {
            Ok(status) => status,
            Err(error) => panic!("status: {error}"),
        }
    }

    /// The compact form gives back the same `PodStatus` and writes the same JSON, YAML and
    /// `Value`; equal statuses have equal compact forms.
    fn round_trip(original: PodStatus) -> CompactPodStatus {
        let compact = CompactPodStatus::from(original.clone());
        assert_eq!(compact.to_status(), original);
        assert_eq!(
            serde_json::to_string(&compact).ok(),
            serde_json::to_string(&original).ok()
        );
        assert_eq!(
            serde_json::to_string_pretty(&compact).ok(),
            serde_json::to_string_pretty(&original).ok()
        );
        assert_eq!(
            serde_yaml_ng::to_string(&compact).ok(),
            serde_yaml_ng::to_string(&original).ok()
        );
        assert_eq!(
            serde_json::to_value(&compact).ok(),
            serde_json::to_value(&original).ok()
        );
        assert_eq!(compact, CompactPodStatus::from(original.clone()));
        assert_eq!(format!("{compact:?}"), format!("{original:?}"));
        compact
    }

    /// What the kubelet writes for a running pod with one container.
    fn running() -> serde_json::Value {
        json!({
            "phase": "Running",
            "conditions": [
                {"type": "PodReadyToStartContainers", "status": "True", "lastTransitionTime": "2025-01-01T00:00:02Z"},
                {"type": "Initialized", "status": "True", "lastTransitionTime": "2025-01-01T00:00:01Z"},
                {"type": "Ready", "status": "True", "lastTransitionTime": "2025-01-01T00:00:03Z"},
                {"type": "ContainersReady", "status": "True", "lastTransitionTime": "2025-01-01T00:00:03Z"},
                {"type": "PodScheduled", "status": "True", "lastTransitionTime": "2025-01-01T00:00:00Z"}
            ],
            "hostIP": "192.168.0.7",
            "hostIPs": [{"ip": "192.168.0.7"}],
            "podIP": "10.244.7.3",
            "podIPs": [{"ip": "10.244.7.3"}],
            "startTime": "2025-01-01T00:00:01Z",
            "qosClass": "BestEffort",
            "containerStatuses": [{
                "name": "app", "image": "nginx:1.27",
                "imageID": "docker.io/library/nginx@sha256:0123456789abcdef",
                "containerID": "containerd://0123456789abcdef0123456789abcdef",
                "ready": true, "started": true, "restartCount": 0,
                "state": {"running": {"startedAt": "2025-01-01T00:00:02Z"}},
                "lastState": {}
            }]
        })
    }

    #[test]
    fn a_running_pods_status_is_kept_without_a_rest_and_comes_back_unchanged() {
        let compact = round_trip(status(running()));
        assert!(compact.rest.is_none());
        assert!(compact.host_ips_mirror && compact.pod_ips_mirror);
        assert_eq!(compact.phase(), Some("Running"));
        assert_eq!(compact.qos_class(), Some("BestEffort"));
        assert_eq!(compact.pod_ip(), Some("10.244.7.3"));
        assert_eq!(compact.pod_ips(), Some(vec!["10.244.7.3"]));
        assert_eq!(compact.host_ips(), Some(vec!["192.168.0.7"]));
        assert!(compact.is_condition_true("Ready"));
        assert_eq!(
            compact
                .condition("Ready")
                .and_then(|c| c.last_transition_time()),
            Some(Time("2025-01-01T00:00:03Z".parse().unwrap()))
        );
        let app: Vec<_> = compact.container_statuses().collect();
        assert_eq!(app.len(), 1);
        assert_eq!(app[0].name(), "app");
        assert!(app[0].ready());
        assert!(!app[0].is_terminated());
        assert_eq!(
            app[0].last_state().map(Cow::into_owned),
            Some(ContainerState::default())
        );
    }

    #[test]
    fn statuses_of_every_shape_come_back_unchanged() {
        let cases = [
            json!({}),
            json!({"phase": "Pending", "qosClass": "Burstable"}),
            json!({"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False",
                "reason": "Unschedulable", "message": "0/3 nodes are available",
                "lastTransitionTime": "2025-01-01T00:00:00Z"}]}),
            // Waiting, terminated and lastState; init containers; a failed, evicted pod.
            json!({
                "phase": "Failed", "reason": "Evicted", "message": "The node was low on memory.",
                "nominatedNodeName": "node-2",
                "conditions": [
                    {"type": "DisruptionTarget", "status": "True", "reason": "TerminationByKubelet",
                     "message": "evicted", "lastTransitionTime": "2025-01-01T00:00:05Z",
                     "observedGeneration": 3},
                    {"type": "Ready", "status": "False", "reason": "PodFailed"}
                ],
                "initContainerStatuses": [{
                    "name": "init", "image": "busybox", "imageID": "", "ready": false,
                    "restartCount": 0, "started": false,
                    "state": {"terminated": {"exitCode": 0, "reason": "Completed",
                        "startedAt": "2025-01-01T00:00:01Z", "finishedAt": "2025-01-01T00:00:02Z",
                        "containerID": "containerd://aa"}},
                    "lastState": {}
                }],
                "containerStatuses": [
                    {"name": "app", "image": "nginx", "imageID": "", "ready": false,
                     "restartCount": 2,
                     "state": {"waiting": {"reason": "CrashLoopBackOff",
                        "message": "back-off 20s restarting failed container"}},
                     "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "signal": 9,
                        "message": "boom", "finishedAt": "2025-01-01T00:00:04Z"}}},
                    {"name": "side", "image": "busybox", "imageID": "", "ready": false,
                     "restartCount": 0, "state": {"waiting": {}}},
                    {"name": "new", "image": "busybox", "imageID": "", "ready": false,
                     "restartCount": 0, "state": {"waiting": {"reason": "SomethingNew"}}},
                    {"name": "bare", "image": "", "imageID": "", "ready": false, "restartCount": 0},
                    {"name": "run", "image": "x", "imageID": "", "ready": true, "restartCount": 0,
                     "state": {"running": {}}}
                ]
            }),
            // Fields kubeplay never writes, and a container status that does not fit: the
            // list stays whole in the rest.
            json!({
                "phase": "Running",
                "observedGeneration": 4,
                "resize": "InProgress",
                "ephemeralContainerStatuses": [{"name": "debug", "image": "busybox",
                    "imageID": "", "ready": false, "restartCount": 0}],
                "resourceClaimStatuses": [{"name": "gpu", "resourceClaimName": "gpu-0"}],
                "containerStatuses": [
                    {"name": "a", "image": "x", "imageID": "", "ready": true, "restartCount": 0},
                    {"name": "b", "image": "x", "imageID": "", "ready": true, "restartCount": 0,
                     "resources": {"limits": {"cpu": "1"}}, "user": {"linux": {"uid": 0, "gid": 0}},
                     "volumeMounts": [{"name": "v", "mountPath": "/v"}], "stopSignal": "SIGTERM",
                     "allocatedResources": {"cpu": "1"}}
                ]
            }),
            // Several states at once, a probe time, times finer than a millisecond.
            json!({
                "startTime": "2025-01-01T00:00:01.000001Z",
                "conditions": [{"type": "Ready", "status": "True",
                    "lastProbeTime": "2025-01-01T00:00:01Z"}],
                "containerStatuses": [{"name": "a", "image": "x", "imageID": "", "ready": true,
                    "restartCount": 0,
                    "state": {"running": {"startedAt": "2025-01-01T00:00:01.5Z"}},
                    "lastState": {"running": {"startedAt": "2025-01-01T00:00:01.0000005Z"},
                        "waiting": {"reason": "X"}}}]
            }),
            json!({"conditions": [{"type": "Ready", "status": "True",
                "lastTransitionTime": "2025-01-01T00:00:01.123456789Z"}]}),
            // A readiness gate's own condition type, and a status outside the table.
            json!({"conditions": [
                {"type": "Ready", "status": "True"},
                {"type": "example.com/feature-1", "status": "True"}]}),
            json!({"conditions": [{"type": "Ready", "status": "Maybe"}]}),
        ];
        for case in cases {
            round_trip(status(case));
        }
    }

    #[test]
    fn empty_and_absent_fields_stay_apart() {
        let cases = [
            json!({"phase": "", "qosClass": "", "hostIP": "", "podIP": "", "reason": "",
                "message": ""}),
            json!({"conditions": [], "containerStatuses": [], "initContainerStatuses": [],
                "hostIPs": [], "podIPs": []}),
            json!({"hostIP": "10.0.0.1", "hostIPs": []}),
            json!({"hostIPs": [{"ip": "10.0.0.1"}]}),
            json!({"podIP": "10.0.0.1", "podIPs": [{"ip": "10.0.0.2"}]}),
            json!({"podIP": "10.0.0.1", "podIPs": [{"ip": "10.0.0.1"}, {"ip": "fd00::1"}]}),
            json!({"podIP": "", "podIPs": [{"ip": ""}]}),
            json!({"conditions": [{"type": "", "status": ""}]}),
            json!({"containerStatuses": [{"name": "a", "image": "x", "imageID": "",
                "ready": false, "restartCount": 0, "containerID": "",
                "state": {}, "lastState": {"waiting": {"reason": "", "message": ""}}}]}),
        ];
        for case in cases {
            round_trip(status(case));
        }
    }

    #[test]
    fn the_rest_is_read_where_the_compact_fields_do_not_hold_the_value() {
        let compact = round_trip(status(json!({
            "startTime": "2025-01-01T00:00:01.000001Z",
            "podIP": "10.0.0.1",
            "podIPs": [{"ip": "10.0.0.1"}, {"ip": "fd00::1"}],
            "conditions": [{"type": "Ready", "status": "True",
                "lastProbeTime": "2025-01-01T00:00:01Z"}],
            "containerStatuses": [{"name": "a", "image": "x", "imageID": "", "ready": true,
                "restartCount": 3, "stopSignal": "SIGKILL",
                "state": {"terminated": {"exitCode": 2}}}]
        })));
        assert!(compact.rest.is_some());
        assert!(compact.is_condition_true("Ready"));
        assert_eq!(compact.pod_ips(), Some(vec!["10.0.0.1", "fd00::1"]));
        assert_eq!(
            compact.start_time(),
            Some(Time("2025-01-01T00:00:01.000001Z".parse().unwrap()))
        );
        let a = compact.container_statuses().next();
        assert_eq!(a.map(|a| a.restart_count()), Some(3));
        assert_eq!(a.and_then(|a| a.terminated_exit_code()), Some(2));
    }

    #[test]
    fn edit_changes_the_status_through_its_pod_status_form() {
        let mut compact = CompactPodStatus::from(status(running()));
        compact.edit(|s| s.phase = Some("Succeeded".to_string()));
        assert_eq!(compact.phase(), Some("Succeeded"));
        compact.set_qos_class(Some("Custom"));
        assert_eq!(compact.qos_class(), Some("Custom"));
        let mut expected = status(running());
        expected.phase = Some("Succeeded".to_string());
        expected.qos_class = Some("Custom".to_string());
        assert_eq!(compact.to_status(), expected);
        assert_eq!(compact, CompactPodStatus::from(expected));
    }

    #[test]
    fn the_word_table_is_sorted_and_fits_a_byte() {
        assert!(WORDS.windows(2).all(|pair| pair[0] < pair[1]));
        assert!(WORDS.len() <= usize::from(u8::MAX));
        for (index, word) in WORDS.iter().enumerate() {
            assert_eq!(known_word(word).map(usize::from), Some(index), "{word}");
        }
    }

    #[test]
    fn the_compact_form_is_smaller_than_the_k8s_openapi_one() {
        assert!(std::mem::size_of::<CompactPodStatus>() * 2 < std::mem::size_of::<PodStatus>());
        assert!(
            std::mem::size_of::<CompactContainer>() * 4 < std::mem::size_of::<ContainerStatus>()
        );
        assert!(std::mem::size_of::<CompactCondition>() * 6 < std::mem::size_of::<PodCondition>());
    }
}
