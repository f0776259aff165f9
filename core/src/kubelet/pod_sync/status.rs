//! The pod's status as the kubelet computes it from its records: phase (Kubernetes'
//! `getPhase`), the conditions `PodReadyToStartContainers`, `Initialized`, `Ready`,
//! `ContainersReady`, `PodScheduled`, the pod and host IPs, and one container status per
//! container with its state, last state, readiness and restart count.

use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateRunning, ContainerStateTerminated, ContainerStateWaiting,
    ContainerStatus, HostIP, PodCondition, PodIP, PodStatus,
};

use super::containers::{ContainerRecord, ContainerStep, Termination, WaitingReason};
use super::{PodState, PodWorker};
use crate::sim::clock::Timestamp;

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

fn container_status(record: &ContainerRecord) -> ContainerStatus {
    let state = match &record.step {
        ContainerStep::Waiting {
            reason, message, ..
        } => waiting_state(reason.as_str(), message.clone()),
        ContainerStep::Pulling | ContainerStep::Creating | ContainerStep::Starting => {
            waiting_state(WaitingReason::ContainerCreating.as_str(), None)
        }
        ContainerStep::Running { started_at } | ContainerStep::Stopping { started_at } => {
            ContainerState {
                running: Some(ContainerStateRunning {
                    started_at: Some(started_at.to_k8s_time()),
                }),
                ..ContainerState::default()
            }
        }
        ContainerStep::Terminated(t) => terminated_state(t),
    };
    ContainerStatus {
        name: record.name().to_string(),
        image: record.image().to_string(),
        image_id: record.image_id.clone().unwrap_or_default(),
        container_id: record.container_id.clone(),
        ready: record.ready,
        restart_count: i32::try_from(record.restart_count).unwrap_or(i32::MAX),
        started: Some(record.started),
        state: Some(state),
        last_state: Some(
            record
                .last_termination
                .as_ref()
                .map(terminated_state)
                .unwrap_or_default(),
        ),
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
            | ContainerStep::Creating
            | ContainerStep::Starting => {
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
        match worker.restart_policy.as_str() {
            "Always" => PodPhase::Running,
            _ if stopped == succeeded => PodPhase::Succeeded,
            "Never" => PodPhase::Failed,
            _ => PodPhase::Running,
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
        // Keep the transition time while the status stays the same.
        let since = self
            .last_status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .and_then(|cs| cs.iter().find(|c| c.type_ == kind))
            .filter(|c| c.status == status)
            .and_then(|c| c.last_transition_time.clone())
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
            qos_class: self.pod.status.as_ref().and_then(|s| s.qos_class.clone()),
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
        status.conditions = Some(vec![
            self.condition("PodReadyToStartContainers", sandbox_ready, None, None, now),
            self.condition("Initialized", init_ok, init_reason, init_message, now),
            self.condition("Ready", ready, ready_r, ready_m, now),
            self.condition("ContainersReady", cready, cready_r, cready_m, now),
            self.condition("PodScheduled", true, None, None, now),
        ]);
        if !self.init.is_empty() {
            status.init_container_statuses = Some(self.init.iter().map(container_status).collect());
        }
        status.container_statuses = Some(self.app.iter().map(container_status).collect());
        status
    }
}
