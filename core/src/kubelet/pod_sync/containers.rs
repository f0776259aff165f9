//! One container's life as the kubelet tracks it: [`ContainerStep`] is where its start
//! sequence (pull → create → start) or its run stands, [`WaitingReason`] what
//! `state.waiting.reason` shows while it is not running.

use k8s_openapi::api::core::v1::Container;

use super::probes::ProbeWorker;
use crate::api::defaulting::default_image_pull_policy;
use crate::api::validation::quantity::ParsedQuantity;
use crate::kubelet::runtime::{ContainerConfig, ContainerKind, ExitReason, PullPolicy};
use crate::sim::clock::Timestamp;

/// Why a container is waiting, as `state.waiting.reason` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitingReason {
    /// Sandbox, pull, create or start in progress.
    ContainerCreating,
    /// An app container waiting for the init containers.
    PodInitializing,
    /// The last pull failed.
    ErrImagePull,
    /// Pulls are backing off after failures.
    ImagePullBackOff,
    /// `imagePullPolicy: Never` and the image is not on the node.
    ErrImageNeverPull,
    /// Restarts are backing off after the container kept exiting.
    CrashLoopBackOff,
    /// The runtime could not create the container.
    CreateContainerError,
}

impl WaitingReason {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            WaitingReason::ContainerCreating => "ContainerCreating",
            WaitingReason::PodInitializing => "PodInitializing",
            WaitingReason::ErrImagePull => "ErrImagePull",
            WaitingReason::ImagePullBackOff => "ImagePullBackOff",
            WaitingReason::ErrImageNeverPull => "ErrImageNeverPull",
            WaitingReason::CrashLoopBackOff => "CrashLoopBackOff",
            WaitingReason::CreateContainerError => "CreateContainerError",
        }
    }
}

/// How a run of the container ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Termination {
    /// Exit code.
    pub exit_code: i32,
    /// The runtime's reason.
    pub reason: ExitReason,
    /// When that run started.
    pub started_at: Timestamp,
    /// When it ended.
    pub finished_at: Timestamp,
    /// The runtime's id of that run.
    pub container_id: Option<String>,
}

/// Where a container stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContainerStep {
    /// Not running and nothing asked of the runtime; tried again at `retry_at` if set.
    Waiting {
        /// Why.
        reason: WaitingReason,
        /// The waiting message.
        message: Option<String>,
        /// When the next attempt may happen (None: at the next sync).
        retry_at: Option<Timestamp>,
    },
    /// `PullImage` sent.
    Pulling,
    /// `CreateContainer` sent.
    Creating,
    /// `StartContainer` sent.
    Starting,
    /// Its process runs.
    Running {
        /// Since when.
        started_at: Timestamp,
    },
    /// `StopContainer` sent; the process still runs.
    Stopping {
        /// Since when it ran.
        started_at: Timestamp,
    },
    /// Its last run ended and no new one was begun.
    Terminated(Termination),
}

impl ContainerStep {
    /// Whether the runtime owes an answer about this container.
    pub fn in_flight(&self) -> bool {
        matches!(
            self,
            ContainerStep::Pulling | ContainerStep::Creating | ContainerStep::Starting
        )
    }
}

/// The kubelet's record of one container of a pod.
#[derive(Clone, Debug)]
pub struct ContainerRecord {
    /// The container's spec.
    pub spec: Container,
    /// Init or app container.
    pub kind: ContainerKind,
    /// Where it stands.
    pub step: ContainerStep,
    /// `restartCount`.
    pub restart_count: u32,
    /// `lastState.terminated`.
    pub last_termination: Option<Termination>,
    /// The current run's runtime id.
    pub container_id: Option<String>,
    /// The digest reference of its image, once pulled or found.
    pub image_id: Option<String>,
    /// `ready`.
    pub ready: bool,
    /// `started`: running and past its startup probe.
    pub started: bool,
    /// The BackOff event was written for the run that ended at this time.
    pub backoff_event_for: Option<Timestamp>,
    /// Probe workers, started when the container runs.
    pub probes: Vec<ProbeWorker>,
}

impl ContainerRecord {
    /// A record of a container the kubelet has not started yet.
    pub fn new(spec: Container, kind: ContainerKind, waiting: WaitingReason) -> ContainerRecord {
        let probes = ProbeWorker::for_container(&spec);
        ContainerRecord {
            spec,
            kind,
            step: ContainerStep::Waiting {
                reason: waiting,
                message: None,
                retry_at: None,
            },
            restart_count: 0,
            last_termination: None,
            container_id: None,
            image_id: None,
            ready: false,
            started: false,
            backoff_event_for: None,
            probes,
        }
    }

    /// The container's name.
    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// The image reference.
    pub fn image(&self) -> &str {
        self.spec.image.as_deref().unwrap_or("")
    }

    /// `spec.containers{name}` or `spec.initContainers{name}`, for events.
    pub fn field_path(&self) -> String {
        match self.kind {
            ContainerKind::Init => format!("spec.initContainers{{{}}}", self.spec.name),
            ContainerKind::App => format!("spec.containers{{{}}}", self.spec.name),
        }
    }

    /// The pull policy, defaulted from the image when unset.
    pub fn pull_policy(&self) -> PullPolicy {
        let policy = self
            .spec
            .image_pull_policy
            .clone()
            .unwrap_or_else(|| default_image_pull_policy(self.image()).to_string());
        PullPolicy::parse(&policy)
    }

    /// What the runtime needs to create it.
    pub fn config(&self) -> ContainerConfig {
        let memory_limit_bytes = self
            .spec
            .resources
            .as_ref()
            .and_then(|r| r.limits.as_ref())
            .and_then(|l| l.get("memory"))
            .and_then(|q| ParsedQuantity::parse(&q.0).ok())
            .and_then(|q| u64::try_from(q.nanos / 1_000_000_000).ok());
        ContainerConfig {
            name: self.spec.name.clone(),
            image: self.image().to_string(),
            command: self.spec.command.clone().unwrap_or_default(),
            args: self.spec.args.clone().unwrap_or_default(),
            memory_limit_bytes,
            attempt: self.restart_count,
        }
    }

    /// Whether it finished successfully (an init container that is done).
    pub fn succeeded(&self) -> bool {
        matches!(&self.step, ContainerStep::Terminated(t) if t.exit_code == 0)
    }
}
