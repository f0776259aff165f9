//! One container's life as the kubelet tracks it: [`ContainerStep`] is where its start
//! sequence (pull → create → start) or its run stands, [`WaitingReason`] what
//! `state.waiting.reason` shows while it is not running.

use std::sync::Arc;

use k8s_openapi::api::core::v1::Container;

use super::probes::ProbeWorker;
use crate::api::defaulting::default_image_pull_policy;
use crate::api::validation::quantity::ParsedQuantity;
use crate::kubelet::runtime::{ContainerConfig, ContainerKind, ExitReason, PullPolicy};
use crate::kubelet::shared_names::SharedNames;
use crate::sim::clock::Timestamp;

/// Why a container is waiting, as `state.waiting.reason` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
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
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
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
    Creating {
        /// The digest reference of the image it is created from.
        image_id: Arc<str>,
    },
    /// `StartContainer` sent: the container exists and has not run yet. The kubelet creates
    /// and starts a container in one sync, so no status shows it in between: its ids become
    /// the record's once it started.
    Starting {
        /// The digest reference of its image.
        image_id: Arc<str>,
        /// The runtime's id of the new container.
        container_id: String,
    },
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
            ContainerStep::Pulling
                | ContainerStep::Creating { .. }
                | ContainerStep::Starting { .. }
        )
    }
}

/// The kubelet's record of one container of a pod. It keeps the container's name and image
/// (what its status shows) and reads the rest of the spec from the worker's pod, which it
/// shares with the store, when it needs it ([`ContainerRecord::pull_policy`],
/// [`ContainerRecord::config`]). Names, images and image ids are the node's shared texts
/// ([`SharedNames`]): the replicas of a Deployment hold one copy between them.
#[derive(Clone, Debug)]
pub struct ContainerRecord {
    /// `name`.
    name: Arc<str>,
    /// `image`, as the container was accepted with.
    image: Arc<str>,
    /// Init or app container.
    pub kind: ContainerKind,
    /// Where it stands.
    pub step: ContainerStep,
    /// `restartCount`.
    pub restart_count: u32,
    /// `lastState.terminated` (boxed: most containers never ended).
    pub last_termination: Option<Box<Termination>>,
    /// The runtime id of the container started last (the current or last run): what
    /// `containerID` shows. A container being created or started has its id in its step.
    pub container_id: Option<String>,
    /// The digest reference of the image of the container started last: what `imageID`
    /// shows (a container that does not exist in the runtime yet shows none).
    pub image_id: Option<Arc<str>>,
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
    /// A record of a container the kubelet has not started yet; `names` shares its name
    /// and image with the node's other records.
    pub fn new(
        spec: &Container,
        kind: ContainerKind,
        waiting: WaitingReason,
        names: &mut SharedNames,
    ) -> ContainerRecord {
        let probes = ProbeWorker::for_container(spec);
        ContainerRecord {
            name: names.get(&spec.name),
            image: names.get(spec.image.as_deref().unwrap_or_default()),
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
        &self.name
    }

    /// The image reference.
    pub fn image(&self) -> &str {
        &self.image
    }

    /// `spec.containers{name}` or `spec.initContainers{name}`, for events.
    pub fn field_path(&self) -> String {
        match self.kind {
            ContainerKind::Init => format!("spec.initContainers{{{}}}", self.name),
            ContainerKind::App => format!("spec.containers{{{}}}", self.name),
        }
    }

    /// The pull policy of `spec` (this container's spec), defaulted from the image when
    /// unset.
    pub fn pull_policy(&self, spec: Option<&Container>) -> PullPolicy {
        let policy = spec
            .and_then(|s| s.image_pull_policy.clone())
            .unwrap_or_else(|| default_image_pull_policy(self.image()).to_string());
        PullPolicy::parse(&policy)
    }

    /// What the runtime needs to create it; `spec` is this container's spec.
    pub fn config(&self, spec: Option<&Container>) -> ContainerConfig {
        let memory_limit_bytes = spec
            .and_then(|s| s.resources.as_ref())
            .and_then(|r| r.limits.as_ref())
            .and_then(|l| l.get("memory"))
            .and_then(|q| ParsedQuantity::parse(&q.0).ok())
            .and_then(|q| u64::try_from(q.nanos / 1_000_000_000).ok());
        ContainerConfig {
            name: self.name().to_string(),
            image: self.image().to_string(),
            command: spec.and_then(|s| s.command.clone()).unwrap_or_default(),
            args: spec.and_then(|s| s.args.clone()).unwrap_or_default(),
            memory_limit_bytes,
            attempt: self.restart_count,
        }
    }

    /// Whether it finished successfully (an init container that is done).
    pub fn succeeded(&self) -> bool {
        matches!(&self.step, ContainerStep::Terminated(t) if t.exit_code == 0)
    }
}
