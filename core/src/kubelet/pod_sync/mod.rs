//! Pod sync: the kubelet's per-pod state machine.
//!
//! A [`PodWorker`] is created when a pod bound to this node is first seen. Its [`PodState`]
//! walks: admission ([`admission`]) → `Rejected` or `StartingSandbox` → `Running` (sandbox up,
//! pod IP known; containers progress) → `Terminating` (deletionTimestamp set: stop containers
//! within the grace period) or `Finishing` (every container done for good) →
//! `RemovingSandbox` → `Deleted` (final `Delete` with grace 0 sent) or `Finished`.
//!
//! Each container ([`containers`]) walks its own steps: Waiting → Pulling → Creating →
//! Starting → Running → Terminated, with back-offs for image pulls and restarts. Inputs are
//! pod updates, runtime results and timer ticks; every input ends in [`PodWorker::sync`],
//! which may emit runtime commands and API requests (events and, when the status really
//! changed, one `UpdateStatus`) into the [`SyncContext`]. Nothing here does I/O.
//!
//! Like the kubelet's status manager (`needsReconcile`), a worker notices when the API
//! server's copy of the status says something else than the conditions it last sent — the
//! node lifecycle controller marks pods `Ready=False` on a node it lost touch with — and
//! writes its own status back at the next status sync, [`STATUS_SYNC_PERIOD`] later.

pub mod admission;
pub mod containers;
pub mod probes;
pub mod reboot;
pub mod sent_status;
pub mod status;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::Container;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::api::objects::{CompactPodStatus, Kind, Object, StoredPod};
use crate::apiserver::{ApiRequest, DeleteOptions};
use crate::kubelet::backoff::Backoff;
use crate::kubelet::events::{self, EventRecorder, EventType};
use crate::kubelet::runtime::{
    ContainerKind, ImagePullFailure, ProbeKind, RuntimeCommand, RuntimeResult,
};
use crate::kubelet::shared_names::SharedNames;
use crate::kubelet::shared_pod::SharedPod;
use crate::sim::clock::Timestamp;
use containers::{ContainerRecord, ContainerStep, Termination, WaitingReason};
use probes::ProbeVerdict;
use sent_status::SentView;

/// The status manager's `syncPeriod`: how long after the API's copy of a pod status
/// drifted from the kubelet's the kubelet writes its own back.
pub const STATUS_SYNC_PERIOD: Duration = Duration::from_secs(10);

/// `spec.restartPolicy`, parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RestartPolicy {
    /// `Always` (the default).
    Always,
    /// `OnFailure`.
    OnFailure,
    /// `Never`.
    Never,
}

impl RestartPolicy {
    /// The policy of a pod spec's value; unset (or unknown, which validation rejects) reads
    /// as `Always`.
    pub fn parse(value: Option<&str>) -> RestartPolicy {
        match value {
            Some("OnFailure") => RestartPolicy::OnFailure,
            Some("Never") => RestartPolicy::Never,
            Some(_) | None => RestartPolicy::Always,
        }
    }
}

/// Where a pod stands on this node.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PodState {
    /// Admission refused the pod; it is Failed for good.
    Rejected {
        /// `OutOfcpu`, `OutOfmemory`, `OutOfpods`.
        reason: String,
        /// The admission message.
        message: String,
    },
    /// `RunPodSandbox` sent.
    StartingSandbox,
    /// The sandbox failed; tried again at `retry_at`.
    SandboxFailed {
        /// The runtime's error.
        message: String,
        /// When to try again.
        retry_at: Timestamp,
    },
    /// The sandbox is up; containers are started, run and restarted.
    Running,
    /// The pod is being deleted; containers are being stopped.
    Terminating,
    /// Every container is done for good (Succeeded/Failed); the sandbox goes.
    Finishing,
    /// `RemovePodSandbox` sent.
    RemovingSandbox,
    /// Done and the pod object stays (Succeeded, Failed).
    Finished,
    /// The final `Delete` was sent.
    Deleted,
}

/// Everything a worker may touch while it syncs: the time, the node, the outboxes and the
/// kubelet-wide back-offs.
pub struct SyncContext<'a> {
    /// Now.
    pub now: Timestamp,
    /// The node's IP (`status.hostIP`).
    pub node_ip: &'a str,
    /// API requests out.
    pub api: &'a mut VecDeque<ApiRequest>,
    /// Runtime commands out.
    pub runtime: &'a mut VecDeque<RuntimeCommand>,
    /// The event recorder.
    pub events: &'a mut EventRecorder,
    /// Container restart back-off.
    pub crash_backoff: &'a mut Backoff,
    /// Image pull back-off.
    pub image_backoff: &'a mut Backoff,
    /// How soon a pod whose sync hit an error is synced again.
    pub error_resync: Duration,
    /// The node's shared texts (container names, images, image ids).
    pub names: &'a mut SharedNames,
}

/// Where the worker keeps the status it last sent.
#[derive(Clone, Debug)]
enum SentStatus {
    /// None sent yet.
    None,
    /// The API's copy of the pod shows it: read it there.
    Echoed,
    /// Sent and not (or no longer) what the API's copy shows: the status itself, shared
    /// with the request that carried it (and so with the store that keeps it).
    Pending(Arc<CompactPodStatus>),
}

/// The kubelet's worker for one pod.
#[derive(Clone, Debug)]
pub struct PodWorker {
    /// The pod as last seen from the API (shared with the store until the kubelet changes
    /// its copy).
    pub pod: SharedPod,
    /// Where the pod stands.
    pub state: PodState,
    /// Init containers, in order.
    pub init: Vec<ContainerRecord>,
    /// App containers.
    pub app: Vec<ContainerRecord>,
    /// `spec.restartPolicy`.
    pub restart_policy: RestartPolicy,
    /// The pod IP, once the sandbox is up.
    pub pod_ip: Option<String>,
    /// When the kubelet accepted the pod.
    pub start_time: Option<Timestamp>,
    /// The status last sent (see [`PodWorker::last_sent`]).
    sent_status: SentStatus,
    /// When the status sync looks again at an API status that differs from the last sent.
    pub reconcile_at: Option<Timestamp>,
    /// Send the status at the next sync even if it did not change.
    resend_status: bool,
    /// What the last status sent was computed from (None while a container is in crash-loop
    /// back-off, whose status moves with the time): while nothing of it changed, a sync
    /// skips computing the status again.
    status_inputs: Option<status::StatusInputs>,
    /// The time this worker is filed under in the kubelet's timer queue.
    pub(super) queued_timeout: Option<Timestamp>,
}

impl PodWorker {
    /// A worker for a newly seen pod; `admission` is the admission verdict, `names` the
    /// node's shared texts.
    pub fn new(
        pod: SharedPod,
        admission: Result<(), admission::Rejection>,
        now: Timestamp,
        names: &mut SharedNames,
    ) -> PodWorker {
        let spec = pod.spec.as_ref();
        let init_specs = spec
            .and_then(|s| s.init_containers.as_deref())
            .unwrap_or_default();
        let has_init = !init_specs.is_empty();
        let init = init_specs
            .iter()
            .map(|c| {
                ContainerRecord::new(
                    c,
                    ContainerKind::Init,
                    WaitingReason::PodInitializing,
                    names,
                )
            })
            .collect();
        let app_waiting = if has_init {
            WaitingReason::PodInitializing
        } else {
            WaitingReason::ContainerCreating
        };
        let app = spec
            .map(|s| s.containers.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|c| ContainerRecord::new(c, ContainerKind::App, app_waiting, names))
            .collect();
        let restart_policy = RestartPolicy::parse(spec.and_then(|s| s.restart_policy.as_deref()));
        let state = match admission {
            Ok(()) => PodState::StartingSandbox,
            Err(rejection) => PodState::Rejected {
                reason: rejection.reason,
                message: rejection.message,
            },
        };
        let mut worker = PodWorker {
            pod,
            state,
            init,
            app,
            restart_policy,
            pod_ip: None,
            start_time: Some(now),
            sent_status: SentStatus::None,
            reconcile_at: None,
            resend_status: false,
            status_inputs: None,
            queued_timeout: None,
        };
        reboot::carry_over_previous_boot(&mut worker, now);
        worker
    }

    fn name(&self) -> &str {
        self.pod.metadata.name.as_deref().unwrap_or("")
    }

    /// The pod's uid (read from the pod, which keeps it).
    pub fn uid(&self) -> &str {
        self.pod.metadata.uid.as_deref().unwrap_or("")
    }

    fn namespace(&self) -> &str {
        self.pod.metadata.namespace.as_deref().unwrap_or("default")
    }

    /// Whether the pod is being deleted.
    pub fn deleting(&self) -> bool {
        self.pod.metadata.deletion_timestamp.is_some()
    }

    /// Whether the worker is done with the pod and can be dropped.
    pub fn is_done(&self) -> bool {
        matches!(self.state, PodState::Deleted)
    }

    /// Whether the pod still holds node resources (for admission of later pods).
    pub fn holds_resources(&self) -> bool {
        !matches!(
            self.state,
            PodState::Rejected { .. } | PodState::Finished | PodState::Deleted
        )
    }

    fn event(
        &self,
        ctx: &mut SyncContext<'_>,
        container: Option<usize>,
        init: bool,
        t: EventType,
        reason: &str,
        message: String,
    ) {
        let field_path = container.and_then(|i| {
            let list = if init { &self.init } else { &self.app };
            list.get(i).map(ContainerRecord::field_path)
        });
        let request = ctx.events.pod_event(
            ctx.now,
            &self.pod,
            field_path.as_deref(),
            t,
            reason,
            message,
        );
        ctx.api.extend(request);
    }

    /// Whether every init container finished successfully.
    pub fn initialized(&self) -> bool {
        self.init.iter().all(ContainerRecord::succeeded)
    }

    /// Whether an init container failed and will not be retried.
    pub fn init_failed(&self) -> bool {
        self.restart_policy == RestartPolicy::Never
            && self
                .init
                .iter()
                .any(|c| matches!(&c.step, ContainerStep::Terminated(t) if t.exit_code != 0))
    }

    fn crash_key(&self, container: &str) -> String {
        format!(
            "{}_{}_{}_{}",
            self.name(),
            self.namespace(),
            self.uid(),
            container
        )
    }

    fn image_key(&self, image: &str) -> String {
        format!("{}_{}", self.uid(), image)
    }

    fn record_mut(&mut self, name: &str) -> Option<(bool, usize)> {
        if let Some(i) = self.init.iter().position(|c| c.name() == name) {
            return Some((true, i));
        }
        self.app
            .iter()
            .position(|c| c.name() == name)
            .map(|i| (false, i))
    }

    /// The spec of a container, read from the pod (shared with the store): the record at
    /// `index` of its list, found by name.
    fn container_spec(&self, init: bool, index: usize) -> Option<&Container> {
        let list = if init { &self.init } else { &self.app };
        let name = list.get(index)?.name();
        let spec = self.pod.spec.as_ref()?;
        let specs = if init {
            spec.init_containers.as_deref().unwrap_or_default()
        } else {
            spec.containers.as_slice()
        };
        match specs.get(index) {
            Some(c) if c.name == name => Some(c),
            Some(_) | None => specs.iter().find(|c| c.name == name),
        }
    }

    fn container(&mut self, init: bool, index: usize) -> Option<&mut ContainerRecord> {
        if init {
            self.init.get_mut(index)
        } else {
            self.app.get_mut(index)
        }
    }

    /// The status last sent: kept by the worker (shared with the request and the store)
    /// until the API's copy of the pod shows it, then read from that copy for as long as it
    /// stays the same.
    pub fn last_sent(&self) -> Option<SentView<'_>> {
        match &self.sent_status {
            SentStatus::None => None,
            SentStatus::Echoed => self.pod.status.as_deref().map(SentView),
            SentStatus::Pending(status) => Some(SentView(status)),
        }
    }

    /// Takes `pod` as the API's copy, keeping the status last sent: when the new copy's
    /// status is another than the one that showed it, the worker takes its own copy again;
    /// when the new copy shows the status it sent, it drops its own.
    fn replace_pod(&mut self, pod: SharedPod) {
        if matches!(self.sent_status, SentStatus::Echoed) && pod.status != self.pod.status {
            if let Some(status) = self.pod.status.as_ref() {
                self.sent_status = SentStatus::Pending(Arc::clone(status));
            }
        }
        self.pod = pod;
        if let SentStatus::Pending(sent) = &self.sent_status {
            if self
                .pod
                .status
                .as_ref()
                .is_some_and(|status| SentView(sent).is(status))
            {
                self.sent_status = SentStatus::Echoed;
            }
        }
    }

    /// The pod changed in the API (spec, deletionTimestamp).
    pub fn handle_pod_update(&mut self, pod: SharedPod, ctx: &mut SyncContext<'_>) {
        self.replace_pod(pod);
        if self.reconcile_at.is_none() && self.api_status_differs() {
            self.reconcile_at = Some(ctx.now.plus(STATUS_SYNC_PERIOD));
        }
        self.sync(ctx);
    }

    /// `needsReconcile`, for the conditions the kubelet reports: whether the API's copy of
    /// the status lacks one of them or has it with another status.
    pub fn api_status_differs(&self) -> bool {
        let (Some(sent), Some(api)) = (self.last_sent(), self.pod.status.as_ref()) else {
            return false;
        };
        sent.any_condition(|type_, status| {
            !api.conditions()
                .any(|c| c.type_() == type_ && c.status() == status)
        })
    }

    /// The pod is gone from the API (deleted with grace 0, or by the kubelet's own final
    /// delete): stop whatever still runs, at once.
    pub fn handle_pod_gone(&mut self, ctx: &mut SyncContext<'_>) {
        match self.state {
            PodState::Rejected { .. } | PodState::Finished | PodState::Deleted => {
                self.state = PodState::Deleted;
            }
            PodState::RemovingSandbox => {}
            PodState::StartingSandbox
            | PodState::SandboxFailed { .. }
            | PodState::Running
            | PodState::Terminating
            | PodState::Finishing => {
                let metadata = self.pod.metadata_mut();
                if metadata.deletion_timestamp.is_none() {
                    metadata.deletion_timestamp = Some(ctx.now.to_k8s_time());
                }
                metadata.deletion_grace_period_seconds = Some(0);
                self.start_termination(ctx);
                self.finish_termination_if_stopped(ctx);
            }
        }
    }

    /// Time passed: retries, probes and back-offs that are due.
    pub fn handle_tick(&mut self, ctx: &mut SyncContext<'_>) {
        if self.reconcile_at.is_some_and(|t| t <= ctx.now) {
            self.reconcile_at = None;
            // The API may have caught up with a status sent since (a late watch event).
            self.resend_status = self.api_status_differs();
        }
        self.sync(ctx);
    }

    /// When this worker next needs waking.
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        let mut next: Option<Timestamp> = None;
        let mut consider = |t: Option<Timestamp>| {
            if let Some(t) = t {
                next = Some(next.map_or(t, |n| n.min(t)));
            }
        };
        if let PodState::SandboxFailed { retry_at, .. } = &self.state {
            consider(Some(*retry_at));
        }
        consider(self.reconcile_at);
        consider(self.status_change_due());
        for c in self.init.iter().chain(&self.app) {
            if let ContainerStep::Waiting { retry_at, .. } = &c.step {
                consider(*retry_at);
            }
            if matches!(c.step, ContainerStep::Running { .. }) {
                for p in &c.probes {
                    if !p.in_flight {
                        consider(p.next_at);
                    }
                }
            }
        }
        next
    }

    /// One answer from the runtime about this pod.
    pub fn handle_runtime_result(&mut self, result: RuntimeResult, ctx: &mut SyncContext<'_>) {
        match result {
            RuntimeResult::SandboxReady { ip, .. } => {
                if self.state == PodState::StartingSandbox {
                    self.pod_ip = Some(ip);
                    self.state = PodState::Running;
                }
            }
            RuntimeResult::SandboxFailed { message, .. } => {
                if self.state == PodState::StartingSandbox {
                    self.event(
                        ctx,
                        None,
                        false,
                        EventType::Warning,
                        "FailedCreatePodSandBox",
                        format!("Failed to create pod sandbox: {message}"),
                    );
                    self.state = PodState::SandboxFailed {
                        message,
                        retry_at: ctx.now.plus(ctx.error_resync.max(Duration::from_secs(10))),
                    };
                }
            }
            RuntimeResult::SandboxRemoved { .. } => {
                if self.state == PodState::RemovingSandbox {
                    self.sandbox_removed(ctx);
                }
            }
            RuntimeResult::ImagePulling {
                container, image, ..
            } => {
                if let Some((init, i)) = self.record_mut(&container) {
                    self.event(
                        ctx,
                        Some(i),
                        init,
                        EventType::Normal,
                        events::PULLING_IMAGE,
                        events::pulling_message(&image),
                    );
                }
            }
            RuntimeResult::ImagePresent {
                container,
                image,
                image_id,
                ..
            } => {
                if let Some((init, i)) = self.record_mut(&container) {
                    self.event(
                        ctx,
                        Some(i),
                        init,
                        EventType::Normal,
                        events::PULLED_IMAGE,
                        events::already_present_message(&image),
                    );
                    self.image_ready(init, i, image_id, ctx);
                }
            }
            RuntimeResult::ImagePulled {
                container,
                image,
                image_id,
                size_bytes,
                pull_duration,
                total_duration,
                ..
            } => {
                if let Some((init, i)) = self.record_mut(&container) {
                    let message =
                        events::pulled_message(&image, pull_duration, total_duration, size_bytes);
                    self.event(
                        ctx,
                        Some(i),
                        init,
                        EventType::Normal,
                        events::PULLED_IMAGE,
                        message,
                    );
                    ctx.image_backoff.remove(&self.image_key(&image));
                    self.image_ready(init, i, image_id, ctx);
                }
            }
            RuntimeResult::ImagePullFailed {
                container,
                image,
                failure,
                message,
                ..
            } => {
                if let Some((init, i)) = self.record_mut(&container) {
                    self.image_failed(init, i, &image, failure, message, ctx);
                }
            }
            RuntimeResult::ContainerCreated {
                container,
                container_id,
                ..
            } => {
                if let Some((init, i)) = self.record_mut(&container) {
                    let terminating = self.deleting();
                    let name = container.clone();
                    self.event(
                        ctx,
                        Some(i),
                        init,
                        EventType::Normal,
                        events::CREATED_CONTAINER,
                        events::created_message(&name),
                    );
                    let uid = self.uid().to_string();
                    if let Some(c) = self.container(init, i) {
                        let image_id = match &mut c.step {
                            ContainerStep::Creating { image_id } => Some(Arc::clone(image_id)),
                            ContainerStep::Waiting { .. }
                            | ContainerStep::Pulling
                            | ContainerStep::Starting { .. }
                            | ContainerStep::Running { .. }
                            | ContainerStep::Stopping { .. }
                            | ContainerStep::Terminated(_) => None,
                        };
                        if terminating {
                            // Created and never started: the runtime keeps it as it is.
                            c.container_id = Some(container_id);
                            if image_id.is_some() {
                                c.image_id = image_id;
                            }
                            c.step = ContainerStep::Waiting {
                                reason: WaitingReason::ContainerCreating,
                                message: None,
                                retry_at: None,
                            };
                        } else {
                            c.step = ContainerStep::Starting {
                                image_id: image_id.unwrap_or_else(|| Arc::from("")),
                                container_id,
                            };
                            ctx.runtime.push_back(RuntimeCommand::StartContainer {
                                pod_uid: uid,
                                container: name,
                            });
                        }
                    }
                }
            }
            RuntimeResult::ContainerCreateFailed {
                container, message, ..
            } => {
                if let Some((init, i)) = self.record_mut(&container) {
                    self.event(
                        ctx,
                        Some(i),
                        init,
                        EventType::Warning,
                        events::FAILED,
                        events::error_message(&message),
                    );
                    let retry_at = ctx.now.plus(ctx.error_resync);
                    if let Some(c) = self.container(init, i) {
                        c.step = ContainerStep::Waiting {
                            reason: WaitingReason::CreateContainerError,
                            message: Some(message),
                            retry_at: Some(retry_at),
                        };
                    }
                }
            }
            RuntimeResult::ContainerStarted { container, .. } => {
                if let Some((init, i)) = self.record_mut(&container) {
                    self.event(
                        ctx,
                        Some(i),
                        init,
                        EventType::Normal,
                        events::STARTED_CONTAINER,
                        events::started_message(&container),
                    );
                    let now = ctx.now;
                    let terminating = self.deleting();
                    if let Some(c) = self.container(init, i) {
                        let step = std::mem::replace(
                            &mut c.step,
                            ContainerStep::Running { started_at: now },
                        );
                        if let ContainerStep::Starting {
                            image_id,
                            container_id,
                        } = step
                        {
                            c.image_id = Some(image_id);
                            c.container_id = Some(container_id);
                        }
                        let has_startup = c.probes.iter().any(|p| p.kind == ProbeKind::Startup);
                        let has_readiness = c.probes.iter().any(|p| p.kind == ProbeKind::Readiness);
                        c.started = !has_startup;
                        c.ready = c.kind == ContainerKind::App && !has_startup && !has_readiness;
                        for p in &mut c.probes {
                            if p.kind == ProbeKind::Startup || !has_startup {
                                p.start(now);
                            }
                        }
                    }
                    if terminating {
                        self.stop_container(init, i, ctx);
                    }
                }
            }
            RuntimeResult::ContainerExited {
                container,
                exit_code,
                reason,
                ..
            } => {
                if let Some((init, i)) = self.record_mut(&container) {
                    let now = ctx.now;
                    if let Some(c) = self.container(init, i) {
                        let started_at = match c.step {
                            ContainerStep::Running { started_at }
                            | ContainerStep::Stopping { started_at } => started_at,
                            ContainerStep::Waiting { .. }
                            | ContainerStep::Pulling
                            | ContainerStep::Creating { .. }
                            | ContainerStep::Starting { .. }
                            | ContainerStep::Terminated(_) => now,
                        };
                        c.step = ContainerStep::Terminated(Termination {
                            exit_code,
                            reason,
                            started_at,
                            finished_at: now,
                            container_id: c.container_id.clone(),
                        });
                        c.ready = false;
                        c.started = false;
                        for p in &mut c.probes {
                            p.stop();
                        }
                    }
                }
            }
            RuntimeResult::ProbeResult {
                container,
                probe,
                success,
                message,
                ..
            } => {
                if let Some((init, i)) = self.record_mut(&container) {
                    self.probe_result(init, i, probe, success, message, ctx);
                }
            }
        }
        self.sync(ctx);
    }

    fn image_ready(&mut self, init: bool, i: usize, image_id: String, ctx: &mut SyncContext<'_>) {
        let image_id = ctx.names.get(&image_id);
        let uid = self.uid().to_string();
        let terminating = self.deleting();
        let list = if init { &self.init } else { &self.app };
        let config = list.get(i).map(|c| c.config(self.container_spec(init, i)));
        if let (Some(c), Some(config)) = (self.container(init, i), config) {
            if terminating {
                c.step = ContainerStep::Waiting {
                    reason: WaitingReason::ContainerCreating,
                    message: None,
                    retry_at: None,
                };
                return;
            }
            c.step = ContainerStep::Creating { image_id };
            ctx.runtime.push_back(RuntimeCommand::CreateContainer {
                pod_uid: uid,
                config,
            });
        }
    }

    fn image_failed(
        &mut self,
        init: bool,
        i: usize,
        image: &str,
        failure: ImagePullFailure,
        message: String,
        ctx: &mut SyncContext<'_>,
    ) {
        let (reason, waiting_message, retry_at) = match failure {
            ImagePullFailure::NeverPull => {
                self.event(
                    ctx,
                    Some(i),
                    init,
                    EventType::Warning,
                    events::ERR_IMAGE_NEVER_PULL,
                    message.clone(),
                );
                (
                    WaitingReason::ErrImageNeverPull,
                    message,
                    ctx.now.plus(Duration::from_secs(10)),
                )
            }
            ImagePullFailure::NotFound
            | ImagePullFailure::Unauthorized
            | ImagePullFailure::RegistryUnavailable => {
                self.event(
                    ctx,
                    Some(i),
                    init,
                    EventType::Warning,
                    events::FAILED,
                    events::failed_to_pull_message(image, &message),
                );
                let key = self.image_key(image);
                ctx.image_backoff.next(&key, ctx.now);
                (
                    WaitingReason::ErrImagePull,
                    message,
                    ctx.now.plus(ctx.error_resync),
                )
            }
        };
        self.event(
            ctx,
            Some(i),
            init,
            EventType::Warning,
            events::FAILED,
            events::error_message(reason.as_str()),
        );
        if let Some(c) = self.container(init, i) {
            c.step = ContainerStep::Waiting {
                reason,
                message: Some(waiting_message),
                retry_at: Some(retry_at),
            };
        }
    }

    fn probe_result(
        &mut self,
        init: bool,
        i: usize,
        probe: ProbeKind,
        success: bool,
        message: String,
        ctx: &mut SyncContext<'_>,
    ) {
        let now = ctx.now;
        let Some(c) = self.container(init, i) else {
            return;
        };
        if !matches!(c.step, ContainerStep::Running { .. }) {
            return;
        }
        let Some(worker) = c.probes.iter_mut().find(|p| p.kind == probe) else {
            return;
        };
        let verdict = worker.record(success);
        let name = c.name().to_string();
        match (probe, verdict) {
            (ProbeKind::Startup, ProbeVerdict::Success) => {
                c.started = true;
                let has_readiness = c.probes.iter().any(|p| p.kind == ProbeKind::Readiness);
                c.ready = c.kind == ContainerKind::App && !has_readiness;
                for p in &mut c.probes {
                    if p.kind == ProbeKind::Startup {
                        p.stop();
                    } else {
                        p.start(now);
                    }
                }
            }
            (ProbeKind::Readiness, ProbeVerdict::Success) => c.ready = true,
            (ProbeKind::Readiness, ProbeVerdict::Failure) => c.ready = false,
            (ProbeKind::Liveness | ProbeKind::Startup, ProbeVerdict::Failure) => {}
            (_, ProbeVerdict::Unknown) | (ProbeKind::Liveness, ProbeVerdict::Success) => {}
        }
        if !success {
            self.event(
                ctx,
                Some(i),
                init,
                EventType::Warning,
                events::CONTAINER_UNHEALTHY,
                events::probe_failed_message(probe.as_str(), &message),
            );
        }
        if verdict == ProbeVerdict::Failure
            && matches!(probe, ProbeKind::Liveness | ProbeKind::Startup)
        {
            let kind = match probe {
                ProbeKind::Liveness => "liveness",
                ProbeKind::Startup | ProbeKind::Readiness => "startup",
            };
            self.event(
                ctx,
                Some(i),
                init,
                EventType::Normal,
                events::KILLING_CONTAINER,
                events::failed_probe_message(&name, kind),
            );
            self.send_stop(init, i, ctx);
        }
    }

    /// The grace period left for stopping containers.
    fn grace(&self, now: Timestamp) -> Duration {
        match &self.pod.metadata.deletion_timestamp {
            Some(deadline) => Timestamp::from_k8s_time(deadline).since(now),
            None => Duration::from_secs(
                self.pod
                    .spec
                    .as_ref()
                    .and_then(|s| s.termination_grace_period_seconds)
                    .and_then(|g| u64::try_from(g).ok())
                    .unwrap_or(30),
            ),
        }
    }

    fn send_stop(&mut self, init: bool, i: usize, ctx: &mut SyncContext<'_>) {
        let grace = self.grace(ctx.now);
        let uid = self.uid().to_string();
        if let Some(c) = self.container(init, i) {
            if let ContainerStep::Running { started_at } = c.step {
                c.step = ContainerStep::Stopping { started_at };
                c.ready = false;
                for p in &mut c.probes {
                    p.stop();
                }
                ctx.runtime.push_back(RuntimeCommand::StopContainer {
                    pod_uid: uid,
                    container: c.name().to_string(),
                    grace,
                });
            }
        }
    }

    fn stop_container(&mut self, init: bool, i: usize, ctx: &mut SyncContext<'_>) {
        let list = if init { &self.init } else { &self.app };
        let Some(c) = list.get(i) else {
            return;
        };
        if matches!(c.step, ContainerStep::Running { .. }) {
            let message = events::killing_message(c.name());
            self.event(
                ctx,
                Some(i),
                init,
                EventType::Normal,
                events::KILLING_CONTAINER,
                message,
            );
            self.send_stop(init, i, ctx);
        }
    }

    fn start_termination(&mut self, ctx: &mut SyncContext<'_>) {
        self.state = PodState::Terminating;
        for i in 0..self.app.len() {
            self.stop_container(false, i, ctx);
        }
        for i in 0..self.init.len() {
            self.stop_container(true, i, ctx);
        }
    }

    fn anything_running(&self) -> bool {
        self.init.iter().chain(&self.app).any(|c| {
            c.step.in_flight()
                || matches!(
                    c.step,
                    ContainerStep::Running { .. } | ContainerStep::Stopping { .. }
                )
        })
    }

    fn finish_termination_if_stopped(&mut self, ctx: &mut SyncContext<'_>) {
        if self.anything_running() {
            return;
        }
        if self.pod_ip.is_some() {
            self.state = PodState::RemovingSandbox;
            ctx.runtime.push_back(RuntimeCommand::RemovePodSandbox {
                pod_uid: self.uid().to_string(),
            });
        } else {
            self.sandbox_removed(ctx);
        }
    }

    fn sandbox_removed(&mut self, ctx: &mut SyncContext<'_>) {
        if self.deleting() {
            self.update_status(ctx);
            self.state = PodState::Deleted;
            ctx.api.push_back(ApiRequest::Delete {
                kind: Kind::Pod,
                namespace: self.namespace().to_string(),
                name: self.name().to_string(),
                options: DeleteOptions {
                    grace_period_seconds: Some(0),
                    precondition_uid: Some(self.uid().to_string()),
                    ..DeleteOptions::default()
                },
            });
        } else {
            self.state = PodState::Finished;
        }
    }

    /// Brings the pod towards what its spec asks, then reports the status if it changed.
    pub fn sync(&mut self, ctx: &mut SyncContext<'_>) {
        match self.state.clone() {
            PodState::Rejected { reason, message } => {
                if self.last_sent().is_none() {
                    self.event(ctx, None, false, EventType::Warning, &reason, message);
                }
            }
            PodState::StartingSandbox => {
                if self.last_sent().is_none() {
                    ctx.runtime.push_back(RuntimeCommand::RunPodSandbox {
                        pod_uid: self.uid().to_string(),
                        pod_name: format!("{}/{}", self.namespace(), self.name()),
                    });
                }
            }
            PodState::SandboxFailed { retry_at, .. } => {
                if self.deleting() {
                    self.sandbox_removed(ctx);
                } else if retry_at <= ctx.now {
                    self.state = PodState::StartingSandbox;
                    ctx.runtime.push_back(RuntimeCommand::RunPodSandbox {
                        pod_uid: self.uid().to_string(),
                        pod_name: format!("{}/{}", self.namespace(), self.name()),
                    });
                }
            }
            PodState::Running => {
                if self.deleting() {
                    self.start_termination(ctx);
                    self.finish_termination_if_stopped(ctx);
                } else {
                    self.sync_containers(ctx);
                    self.run_probes(ctx);
                    let phase = self.phase();
                    if matches!(
                        phase,
                        status::PodPhase::Succeeded | status::PodPhase::Failed
                    ) && !self.anything_running()
                    {
                        self.update_status(ctx);
                        self.state = PodState::Finishing;
                        self.finish_termination_if_stopped(ctx);
                    }
                }
            }
            PodState::Terminating | PodState::Finishing => {
                if self.deleting() && self.state == PodState::Finishing {
                    self.state = PodState::Terminating;
                }
                self.finish_termination_if_stopped(ctx);
            }
            PodState::Finished => {
                if self.deleting() {
                    self.sandbox_removed(ctx);
                }
            }
            PodState::RemovingSandbox | PodState::Deleted => {}
        }
        if !matches!(self.state, PodState::Deleted) {
            self.update_status(ctx);
        }
    }

    fn run_probes(&mut self, ctx: &mut SyncContext<'_>) {
        let uid = self.uid().to_string();
        for c in self.init.iter_mut().chain(self.app.iter_mut()) {
            if !matches!(c.step, ContainerStep::Running { .. }) {
                continue;
            }
            let name = c.name().to_string();
            for p in &mut c.probes {
                if p.take_due(ctx.now) {
                    ctx.runtime.push_back(RuntimeCommand::ExecProbe {
                        pod_uid: uid.clone(),
                        container: name.clone(),
                        probe: p.kind,
                        action: p.action.clone(),
                    });
                }
            }
        }
    }

    /// Starts, restarts or backs off containers: init containers one at a time in order,
    /// then the app containers.
    fn sync_containers(&mut self, ctx: &mut SyncContext<'_>) {
        for i in 0..self.init.len() {
            let Some(c) = self.init.get(i) else { break };
            if c.succeeded() {
                continue;
            }
            if !self.init_failed() {
                self.advance_container(true, i, ctx);
            }
            return;
        }
        for i in 0..self.app.len() {
            if let Some(c) = self.app.get_mut(i) {
                // Leaving PodInitializing once the init containers are done.
                if let ContainerStep::Waiting {
                    reason: reason @ WaitingReason::PodInitializing,
                    ..
                } = &mut c.step
                {
                    *reason = WaitingReason::ContainerCreating;
                }
            }
            self.advance_container(false, i, ctx);
        }
    }

    fn should_restart(&self, termination: &Termination) -> bool {
        match self.restart_policy {
            RestartPolicy::Never => false,
            RestartPolicy::OnFailure => termination.exit_code != 0,
            RestartPolicy::Always => true,
        }
    }

    fn advance_container(&mut self, init: bool, i: usize, ctx: &mut SyncContext<'_>) {
        let now = ctx.now;
        let list = if init { &self.init } else { &self.app };
        let Some(c) = list.get(i) else { return };
        match c.step.clone() {
            ContainerStep::Waiting { retry_at, .. } => {
                if retry_at.is_none_or(|at| at <= now) {
                    self.begin_start(init, i, ctx);
                }
            }
            ContainerStep::Terminated(termination) => {
                // Init containers restart on failure unless the policy is Never.
                let restart = if init {
                    termination.exit_code != 0 && self.restart_policy != RestartPolicy::Never
                } else {
                    self.should_restart(&termination)
                };
                if !restart {
                    return;
                }
                let name = c.name().to_string();
                let key = self.crash_key(&name);
                if ctx
                    .crash_backoff
                    .is_in_backoff_since(&key, termination.finished_at, now)
                {
                    let delay = ctx.crash_backoff.get(&key);
                    let message = events::crash_loop_waiting_message(
                        delay,
                        &name,
                        self.name(),
                        self.namespace(),
                        self.uid(),
                    );
                    let event_due = c.backoff_event_for != Some(termination.finished_at);
                    if event_due {
                        let text = events::back_off_restarting_message(
                            &name,
                            self.name(),
                            self.namespace(),
                            self.uid(),
                        );
                        self.event(
                            ctx,
                            Some(i),
                            init,
                            EventType::Warning,
                            events::BACK_OFF,
                            text,
                        );
                    }
                    if let Some(c) = self.container(init, i) {
                        c.backoff_event_for = Some(termination.finished_at);
                        c.last_termination = Some(Box::new(termination.clone()));
                        c.step = ContainerStep::Waiting {
                            reason: WaitingReason::CrashLoopBackOff,
                            message: Some(message),
                            retry_at: Some(termination.finished_at.plus(delay)),
                        };
                    }
                    return;
                }
                ctx.crash_backoff.next(&key, termination.finished_at);
                if let Some(c) = self.container(init, i) {
                    c.last_termination = Some(Box::new(termination));
                    c.restart_count += 1;
                }
                self.begin_start(init, i, ctx);
            }
            ContainerStep::Pulling
            | ContainerStep::Creating { .. }
            | ContainerStep::Starting { .. }
            | ContainerStep::Running { .. }
            | ContainerStep::Stopping { .. } => {}
        }
    }

    /// Begins the start sequence with the image: pull (or back off).
    fn begin_start(&mut self, init: bool, i: usize, ctx: &mut SyncContext<'_>) {
        let list = if init { &self.init } else { &self.app };
        let Some(c) = list.get(i) else { return };
        // A container leaving CrashLoopBackOff has already been counted as restarted.
        if let ContainerStep::Waiting {
            reason: WaitingReason::CrashLoopBackOff,
            ..
        } = c.step
        {
            if let Some(c) = self.container(init, i) {
                c.restart_count += 1;
            }
            let key = {
                let name = self
                    .container(init, i)
                    .map(|c| c.name().to_string())
                    .unwrap_or_default();
                self.crash_key(&name)
            };
            let finished = self
                .container(init, i)
                .and_then(|c| c.last_termination.as_ref().map(|t| t.finished_at))
                .unwrap_or(ctx.now);
            ctx.crash_backoff.next(&key, finished);
        }
        let list = if init { &self.init } else { &self.app };
        let Some(c) = list.get(i) else { return };
        let image = c.image().to_string();
        let key = self.image_key(&image);
        let policy = c.pull_policy(self.container_spec(init, i));
        let previously_failed = matches!(
            c.step,
            ContainerStep::Waiting {
                reason: WaitingReason::ErrImagePull | WaitingReason::ImagePullBackOff,
                ..
            }
        );
        if previously_failed && ctx.image_backoff.is_in_backoff_since_update(&key, ctx.now) {
            let message = events::back_off_pulling_message(&image);
            self.event(
                ctx,
                Some(i),
                init,
                EventType::Normal,
                events::BACK_OFF,
                message.clone(),
            );
            self.event(
                ctx,
                Some(i),
                init,
                EventType::Warning,
                events::FAILED,
                events::error_message(WaitingReason::ImagePullBackOff.as_str()),
            );
            let retry_at = ctx.image_backoff.ends_after_update(&key);
            if let Some(c) = self.container(init, i) {
                c.step = ContainerStep::Waiting {
                    reason: WaitingReason::ImagePullBackOff,
                    message: Some(message),
                    retry_at,
                };
            }
            return;
        }
        let uid = self.uid().to_string();
        if let Some(c) = self.container(init, i) {
            c.step = ContainerStep::Pulling;
            ctx.runtime.push_back(RuntimeCommand::PullImage {
                pod_uid: uid,
                container: c.name().to_string(),
                image,
                pull_policy: policy,
            });
        }
    }

    /// Sends `UpdateStatus` if the status differs from the last one sent.
    fn update_status(&mut self, ctx: &mut SyncContext<'_>) {
        let resend = std::mem::take(&mut self.resend_status);
        if !resend
            && self
                .status_inputs
                .as_ref()
                .is_some_and(|inputs| self.status_inputs_unchanged(inputs, ctx.node_ip))
        {
            // The status would come out as the one last sent (see `StatusInputs`).
            return;
        }
        let status = CompactPodStatus::from(self.compute_status(ctx.node_ip, ctx.now));
        if !resend && self.last_sent().is_some_and(|sent| sent.is(&status)) {
            self.status_inputs = self.status_inputs(ctx.node_ip);
            return;
        }
        // The status subresource takes only the status from the object sent (the API server
        // keeps the stored spec and metadata), so the request carries the pod's name,
        // namespace and uid (a precondition, like the kubelet's status manager's) and the
        // status, not a copy of the whole pod.
        // The worker keeps the status it sent as the request's `Arc` (the API server stores
        // that same `Arc`), not a copy.
        let status = Arc::new(status);
        self.sent_status = SentStatus::Pending(Arc::clone(&status));
        let mut pod = StoredPod::default();
        pod.metadata = Arc::new(ObjectMeta {
            name: self.pod.metadata.name.clone(),
            namespace: self.pod.metadata.namespace.clone(),
            uid: self.pod.metadata.uid.clone(),
            ..ObjectMeta::default()
        });
        pod.status = Some(status);
        // Computed again from the same inputs, with this status as the last one sent, the
        // status would come out the same (every transition time and earlier state it takes
        // from the last status is the one just computed): keep the inputs.
        self.status_inputs = self.status_inputs(ctx.node_ip);
        ctx.api.push_back(ApiRequest::UpdateStatus {
            namespace: self.namespace().to_string(),
            object: Object::from(pod),
        });
    }
}
