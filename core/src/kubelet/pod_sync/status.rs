//! The pod's status as the kubelet computes it from its records: phase (Kubernetes'
//! `getPhase`), the conditions `PodReadyToStartContainers`, `Initialized`, `Ready`,
//! `ContainersReady`, `PodScheduled`, the pod and host IPs, and one container status per
//! container with its state, last state, readiness and restart count.
//!
//! Two habits of the real kubelet shape what a learner sees here:
//! - Its status comes from the runtime's containers, not from what the pod worker is doing.
//!   A container that exited shows `terminated` (`Error`) until the worker's next sync after
//!   the exit: the sync that found it in crash-loop back-off records the `CrashLoopBackOff`
//!   reason (kubelet's reason cache), and the pod worker comes back to it
//!   [`POD_WORKER_BACK_OFF`] later. A restart that is still pulling or creating shows what was
//!   shown before it began (the new container does not exist yet), so `kubectl get pods` reads
//!   `Error` → `CrashLoopBackOff` → `Running`, never `ContainerCreating`, for a crashing pod.
//! - The status manager merges rather than replaces conditions (`mergePodStatus`): the
//!   conditions the kubelet does not own (the scheduler's or the eviction's
//!   `DisruptionTarget`, readiness gates) are kept from the API's copy, and a condition keeps
//!   its `lastTransitionTime` while its status stays the same.

use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateRunning, ContainerStateTerminated, ContainerStateWaiting,
    ContainerStatus, HostIP, PodCondition, PodIP, PodStatus,
};

use std::hash::{Hash, Hasher};

use super::sent_status::{hash_condition, FingerprintHasher};
use std::time::Duration;

use super::containers::{ContainerRecord, ContainerStep, Termination, WaitingReason};
use super::sent_status::{PreviousContainer, SentView};
use super::{PodState, PodWorker, RestartPolicy};
use crate::api::objects::ConditionRef;
use crate::sim::clock::Timestamp;

/// How long the kubelet's pod worker waits before syncing a pod again after a sync that
/// ended in an error such as `CrashLoopBackOff` (`backOffPeriod` in `pod_workers.go`).
pub const POD_WORKER_BACK_OFF: Duration = Duration::from_secs(10);

/// The pod conditions the kubelet owns (`PodConditionsByKubelet` in
/// `pkg/kubelet/types/pod_status.go`); every other condition is kept from the API's copy.
pub const KUBELET_CONDITIONS: [&str; 5] = [
    "PodScheduled",
    "Ready",
    "Initialized",
    "ContainersReady",
    "PodReadyToStartContainers",
];

/// Pod phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PodPhase {
    /// Accepted, not all containers started yet.
    Pending,
    /// Bound, at least one container running or restarting.
    Running,
    /// Every container exited 0 and none will restart.
    Succeeded,
    /// Every container stopped, at least one failed, none will restart (or rejected).
    Failed,
}

impl PodPhase {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            PodPhase::Pending => "Pending",
            PodPhase::Running => "Running",
            PodPhase::Succeeded => "Succeeded",
            PodPhase::Failed => "Failed",
        }
    }
}

fn terminated_state(t: &Termination) -> ContainerState {
    ContainerState {
        terminated: Some(ContainerStateTerminated {
            exit_code: t.exit_code,
            reason: Some(t.reason.as_str().to_string()),
            started_at: Some(t.started_at.to_k8s_time()),
            finished_at: Some(t.finished_at.to_k8s_time()),
            container_id: t.container_id.clone(),
            ..ContainerStateTerminated::default()
        }),
        ..ContainerState::default()
    }
}

fn waiting_state(reason: &str, message: Option<String>) -> ContainerState {
    ContainerState {
        waiting: Some(ContainerStateWaiting {
            reason: Some(reason.to_string()),
            message,
        }),
        ..ContainerState::default()
    }
}

/// Whether the back-off of `termination` was already shown (a sync found the container in
/// crash-loop back-off and recorded the reason).
fn back_off_shown(record: &ContainerRecord, termination: &Termination) -> bool {
    record.backoff_event_for == Some(termination.finished_at)
}

/// The state, last state and restart count a container shows now. `previous` is its status
/// in the last status sent, for the run before the last one (which the record no longer
/// keeps).
fn container_status(
    record: &ContainerRecord,
    now: Timestamp,
    previous: Option<PreviousContainer<'_>>,
) -> ContainerStatus {
    let last_terminated = record
        .last_termination
        .as_ref()
        .map(|t| terminated_state(t));
    // The run before `record.last_termination`, as the last status showed it.
    let earlier = || -> ContainerState {
        previous
            .as_ref()
            .and_then(|p| p.last_state.as_deref().cloned())
            .filter(|state| state != &last_terminated.clone().unwrap_or_default())
            .unwrap_or_default()
    };
    let restarts = record.restart_count;
    let (state, last_state, restart_count) = match &record.step {
        ContainerStep::Waiting {
            reason: WaitingReason::CrashLoopBackOff,
            message,
            ..
        } => match &record.last_termination {
            // Until the worker's next sync the runtime's exited container is all there is.
            Some(t) if now < t.finished_at.plus(POD_WORKER_BACK_OFF) => {
                (terminated_state(t), earlier(), restarts)
            }
            Some(_) | None => (
                waiting_state(WaitingReason::CrashLoopBackOff.as_str(), message.clone()),
                last_terminated.clone().unwrap_or_default(),
                restarts,
            ),
        },
        ContainerStep::Waiting {
            reason, message, ..
        } => (
            waiting_state(reason.as_str(), message.clone()),
            last_terminated.clone().unwrap_or_default(),
            restarts,
        ),
        ContainerStep::Pulling
        | ContainerStep::Creating { .. }
        | ContainerStep::Starting { .. } => {
            match &record.last_termination {
                // A restart under way: the new container does not exist yet, so the status
                // shows the run that ended (and its restart count).
                Some(t) if restarts > 0 && back_off_shown(record, t) => (
                    waiting_state(
                        WaitingReason::CrashLoopBackOff.as_str(),
                        previous
                            .as_ref()
                            .and_then(|p| p.waiting_message)
                            .map(str::to_string),
                    ),
                    terminated_state(t),
                    restarts - 1,
                ),
                Some(t) if restarts > 0 => (terminated_state(t), earlier(), restarts - 1),
                Some(_) | None => (
                    waiting_state(WaitingReason::ContainerCreating.as_str(), None),
                    last_terminated.clone().unwrap_or_default(),
                    restarts,
                ),
            }
        }
        ContainerStep::Running { started_at } | ContainerStep::Stopping { started_at } => (
            ContainerState {
                running: Some(ContainerStateRunning {
                    started_at: Some(started_at.to_k8s_time()),
                }),
                ..ContainerState::default()
            },
            last_terminated.clone().unwrap_or_default(),
            restarts,
        ),
        ContainerStep::Terminated(t) => (
            terminated_state(t),
            last_terminated.clone().unwrap_or_default(),
            restarts,
        ),
    };
    // The ids are those of the container started last (`convertToAPIContainerStatuses`
    // reads them from the runtime's containers): a container still being pulled, created or
    // started has none yet — the kubelet creates and starts it in one sync, so no status
    // shows it created and not started — and a restart under way shows the run that ended.
    ContainerStatus {
        name: record.name().to_string(),
        image: record.image().to_string(),
        image_id: record.image_id.as_deref().unwrap_or_default().to_string(),
        container_id: record.container_id.clone(),
        ready: record.ready,
        restart_count: i32::try_from(restart_count).unwrap_or(i32::MAX),
        started: Some(record.started),
        state: Some(state),
        last_state: Some(last_state),
        ..ContainerStatus::default()
    }
}

/// Kubernetes' `getPhase` over the app containers.
fn app_phase(worker: &PodWorker) -> PodPhase {
    let (mut waiting, mut running, mut stopped, mut succeeded) = (0, 0, 0, 0);
    for c in &worker.app {
        match &c.step {
            ContainerStep::Running { .. } | ContainerStep::Stopping { .. } => running += 1,
            ContainerStep::Terminated(t) => {
                stopped += 1;
                if t.exit_code == 0 {
                    succeeded += 1;
                }
            }
            ContainerStep::Waiting { .. }
            | ContainerStep::Pulling
            | ContainerStep::Creating { .. }
            | ContainerStep::Starting { .. } => {
                if c.last_termination.is_some() {
                    stopped += 1;
                } else {
                    waiting += 1;
                }
            }
        }
    }
    if waiting > 0 {
        PodPhase::Pending
    } else if running > 0 {
        PodPhase::Running
    } else if stopped > 0 {
        match worker.restart_policy {
            RestartPolicy::Always => PodPhase::Running,
            RestartPolicy::OnFailure | RestartPolicy::Never if stopped == succeeded => {
                PodPhase::Succeeded
            }
            RestartPolicy::Never => PodPhase::Failed,
            RestartPolicy::OnFailure => PodPhase::Running,
        }
    } else {
        PodPhase::Pending
    }
}

impl PodWorker {
    /// The pod's phase now.
    pub fn phase(&self) -> PodPhase {
        if matches!(self.state, PodState::Rejected { .. }) || self.init_failed() {
            return PodPhase::Failed;
        }
        if !self.initialized() {
            return PodPhase::Pending;
        }
        app_phase(self)
    }

    fn condition(
        &self,
        kind: &str,
        status: bool,
        reason: Option<String>,
        message: Option<String>,
        now: Timestamp,
    ) -> PodCondition {
        let status = if status { "True" } else { "False" };
        // Keep the transition time while the status stays the same: the status manager
        // compares with the status it sent last, or with the API's copy before it sent any
        // (so `PodScheduled` keeps the scheduler's time).
        let since = self
            .last_sent()
            .or(self.pod.status.as_deref().map(SentView))
            .and_then(|sent| sent.transition_time(kind, status))
            .unwrap_or_else(|| now.to_k8s_time());
        PodCondition {
            type_: kind.to_string(),
            status: status.to_string(),
            reason,
            message,
            last_transition_time: Some(since),
            ..PodCondition::default()
        }
    }

    /// The status to report now.
    pub fn compute_status(&self, node_ip: &str, now: Timestamp) -> PodStatus {
        let phase = self.phase();
        let mut status = PodStatus {
            phase: Some(phase.as_str().to_string()),
            qos_class: self
                .pod
                .status
                .as_ref()
                .and_then(|s| s.qos_class())
                .map(str::to_string),
            start_time: self.start_time.map(Timestamp::to_k8s_time),
            ..PodStatus::default()
        };
        if let PodState::Rejected { reason, message } = &self.state {
            status.reason = Some(reason.clone());
            status.message = Some(format!("Pod was rejected: {message}"));
            return status;
        }
        status.host_ip = Some(node_ip.to_string());
        status.host_ips = Some(vec![HostIP {
            ip: node_ip.to_string(),
        }]);
        if let Some(ip) = &self.pod_ip {
            status.pod_ip = Some(ip.clone());
            status.pod_ips = Some(vec![PodIP { ip: ip.clone() }]);
        }
        let completed = phase == PodPhase::Succeeded;
        let incomplete: Vec<&str> = self
            .init
            .iter()
            .filter(|c| !c.succeeded())
            .map(|c| c.name())
            .collect();
        let unready: Vec<&str> = self
            .app
            .iter()
            .filter(|c| !c.ready)
            .map(|c| c.name())
            .collect();
        let ready_reason = || -> (bool, Option<String>, Option<String>) {
            if completed {
                (false, Some("PodCompleted".to_string()), None)
            } else if unready.is_empty() {
                (true, None, None)
            } else {
                (
                    false,
                    Some("ContainersNotReady".to_string()),
                    Some(format!(
                        "containers with unready status: [{}]",
                        unready.join(" ")
                    )),
                )
            }
        };
        let sandbox_ready = self.pod_ip.is_some()
            && matches!(self.state, PodState::Running | PodState::Terminating);
        let (init_ok, init_reason, init_message) = if completed && !self.init.is_empty() {
            (true, Some("PodCompleted".to_string()), None)
        } else if incomplete.is_empty() {
            (true, None, None)
        } else {
            (
                false,
                Some("ContainersNotInitialized".to_string()),
                Some(format!(
                    "containers with incomplete status: [{}]",
                    incomplete.join(" ")
                )),
            )
        };
        let (ready, ready_r, ready_m) = ready_reason();
        let (cready, cready_r, cready_m) = ready_reason();
        // mergePodStatus: the conditions others own first, as the API has them.
        let mut conditions: Vec<PodCondition> =
            self.others_conditions().map(|c| c.to_condition()).collect();
        conditions.extend([
            self.condition("PodReadyToStartContainers", sandbox_ready, None, None, now),
            self.condition("Initialized", init_ok, init_reason, init_message, now),
            self.condition("Ready", ready, ready_r, ready_m, now),
            self.condition("ContainersReady", cready, cready_r, cready_m, now),
            self.condition("PodScheduled", true, None, None, now),
        ]);
        status.conditions = Some(conditions);
        let sent = self.last_sent();
        if !self.init.is_empty() {
            status.init_container_statuses = Some(
                self.init
                    .iter()
                    .map(|c| {
                        container_status(c, now, sent.and_then(|s| s.container(true, c.name())))
                    })
                    .collect(),
            );
        }
        status.container_statuses = Some(
            self.app
                .iter()
                .map(|c| container_status(c, now, sent.and_then(|s| s.container(false, c.name()))))
                .collect(),
        );
        status
    }

    /// When the status will change by itself: a container in crash-loop back-off whose last
    /// status still shows it terminated switches to `CrashLoopBackOff` at the pod worker's
    /// next sync ([`POD_WORKER_BACK_OFF`] after the exit).
    pub fn status_change_due(&self) -> Option<Timestamp> {
        let sent = self.last_sent()?;
        let shown = |name: &str| sent.shows_terminated(name);
        self.init
            .iter()
            .chain(&self.app)
            .filter_map(|c| {
                let ContainerStep::Waiting {
                    reason: WaitingReason::CrashLoopBackOff,
                    ..
                } = &c.step
                else {
                    return None;
                };
                let t = c.last_termination.as_ref()?;
                shown(c.name()).then(|| t.finished_at.plus(POD_WORKER_BACK_OFF))
            })
            .min()
    }
}

/// A fingerprint of everything [`PodWorker::compute_status`] reads except the time and the
/// status last sent, as it was when the status last sent was computed (or when a computed
/// status came out equal to it). While the worker's values still give the same
/// fingerprint, computing the status again would give the status last sent once more: a
/// condition keeps its transition time and a container its earlier state from the last
/// status, which are the ones computed from these values. The sync can skip it.
///
/// The values hashed: the node IP, the pod's state, IP, start time and restart policy,
/// each container's name, image, step, restart count, last termination, ids, readiness,
/// `started` and back-off mark, and from the API's copy of the status its `qosClass` and
/// the conditions the kubelet does not own (kept from it; the kubelet's own conditions
/// there are read only before it sent any status, and then it keeps no fingerprint). A
/// 64-bit XXH3 (specified, the same on every target) stands for them in
/// 8 bytes instead of a copy of each; two different sets of values giving the same
/// fingerprint has a chance of 2^-64.
///
/// The time only matters when a condition changes its status (its transition time, which a
/// change of these values would show) and for a container in `CrashLoopBackOff` (shown as
/// terminated until the pod worker's back-off passes): such a worker keeps no fingerprint,
/// so it computes its status at every sync.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatusInputs(u64);

impl PodWorker {
    fn crash_looping(&self) -> bool {
        self.init.iter().chain(&self.app).any(|c| {
            matches!(
                c.step,
                ContainerStep::Waiting {
                    reason: WaitingReason::CrashLoopBackOff,
                    ..
                }
            )
        })
    }

    /// The fingerprint of the status's inputs now (see [`StatusInputs`]).
    fn status_fingerprint(&self, node_ip: &str) -> StatusInputs {
        let mut h = FingerprintHasher::default();
        node_ip.hash(&mut h);
        self.state.hash(&mut h);
        self.pod_ip.hash(&mut h);
        self.start_time.hash(&mut h);
        self.restart_policy.hash(&mut h);
        h.write_usize(self.init.len());
        for c in self.init.iter().chain(&self.app) {
            c.name().hash(&mut h);
            c.image().hash(&mut h);
            c.step.hash(&mut h);
            c.restart_count.hash(&mut h);
            c.last_termination.hash(&mut h);
            c.container_id.hash(&mut h);
            c.image_id.hash(&mut h);
            c.ready.hash(&mut h);
            c.started.hash(&mut h);
            c.backoff_event_for.hash(&mut h);
        }
        h.write_u8(0xff);
        self.pod
            .status
            .as_ref()
            .and_then(|s| s.qos_class())
            .hash(&mut h);
        for condition in self.others_conditions() {
            hash_condition(&mut h, &condition.to_condition());
        }
        StatusInputs(h.finish())
    }

    /// The inputs of the status now, or None when the status also depends on the time (see
    /// [`StatusInputs`]).
    pub(super) fn status_inputs(&self, node_ip: &str) -> Option<StatusInputs> {
        if self.crash_looping() || self.last_sent().is_none() {
            return None;
        }
        Some(self.status_fingerprint(node_ip))
    }

    /// Whether the worker's values still give `inputs`.
    pub(super) fn status_inputs_unchanged(&self, inputs: &StatusInputs, node_ip: &str) -> bool {
        !self.crash_looping() && self.status_fingerprint(node_ip) == *inputs
    }

    /// The conditions of the API's copy of the status that the kubelet does not own.
    fn others_conditions(&self) -> impl Iterator<Item = ConditionRef<'_>> {
        self.pod
            .status
            .iter()
            .flat_map(|s| s.conditions())
            .filter(|c| !KUBELET_CONDITIONS.contains(&c.type_()))
    }
}
