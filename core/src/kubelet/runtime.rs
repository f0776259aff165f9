//! The container runtime interface as data: what the kubelet asks a runtime to do
//! ([`RuntimeCommand`]) and what the runtime reports back ([`RuntimeResult`]).
//!
//! This is kubeplay's stand-in for the CRI. The kubelet's pod sync never calls a runtime: it
//! emits commands through `Kubelet::poll_runtime_command`, the host hands them to a runtime
//! (the simulated one in [`super::sim_runtime`] in the browser, runc/containerd adapters in the
//! node host), and the runtime's answers come back through `Kubelet::handle_runtime_result`.
//! Every command and result names the pod by uid and the container by name, so answers can
//! arrive in any order.

use std::time::Duration;

/// `imagePullPolicy`, parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PullPolicy {
    /// `Always`: contact the registry on every container start (cached layers are reused).
    Always,
    /// `IfNotPresent`: pull only when the node does not hold the image.
    IfNotPresent,
    /// `Never`: use the node's copy or fail with `ErrImageNeverPull`.
    Never,
}

impl PullPolicy {
    /// Parses the wire value; anything unknown reads as `IfNotPresent` (validation rejects it
    /// before a pod reaches a kubelet).
    pub fn parse(value: &str) -> PullPolicy {
        match value {
            "Always" => PullPolicy::Always,
            "Never" => PullPolicy::Never,
            _ => PullPolicy::IfNotPresent,
        }
    }
}

/// Which of a pod's container lists a container belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ContainerKind {
    /// `spec.initContainers[]`: run to completion, in order, before the app containers.
    Init,
    /// `spec.containers[]`.
    App,
}

/// What a container runs, as far as a runtime needs to know it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerConfig {
    /// The container's name in the pod.
    pub name: String,
    /// The image reference as written in the spec (`nginx:1.25`).
    pub image: String,
    /// `command` (the entrypoint override).
    pub command: Vec<String>,
    /// `args`.
    pub args: Vec<String>,
    /// `resources.limits.memory` in bytes, if any.
    pub memory_limit_bytes: Option<u64>,
    /// How many times this container has been restarted before (the CRI's `attempt`).
    pub attempt: u32,
}

/// Which probe a probe command runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProbeKind {
    /// `startupProbe`: the other probes wait until it succeeds once.
    Startup,
    /// `readinessProbe`: decides whether the container is ready (in Service endpoints).
    Readiness,
    /// `livenessProbe`: failing it restarts the container.
    Liveness,
}

impl ProbeKind {
    /// The name Kubernetes uses in event messages (`Readiness probe failed: …`).
    pub fn as_str(self) -> &'static str {
        match self {
            ProbeKind::Startup => "Startup",
            ProbeKind::Readiness => "Readiness",
            ProbeKind::Liveness => "Liveness",
        }
    }
}

/// How a probe checks the container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProbeAction {
    /// `httpGet`: a GET on the pod IP.
    HttpGet {
        /// Path.
        path: String,
        /// Port number (named ports are resolved by the kubelet; unresolved ones are 0).
        port: i32,
    },
    /// `tcpSocket`: a TCP connect.
    TcpSocket {
        /// Port number.
        port: i32,
    },
    /// `exec`: a command in the container; exit 0 is success.
    Exec {
        /// The command.
        command: Vec<String>,
    },
    /// `grpc`: the gRPC health checking protocol.
    Grpc {
        /// Port number.
        port: i32,
    },
}

/// One thing the kubelet asks the runtime to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuntimeCommand {
    /// Make sure the image is on the node according to the pull policy; the runtime answers
    /// [`RuntimeResult::ImagePresent`], [`RuntimeResult::ImagePulled`] or
    /// [`RuntimeResult::ImagePullFailed`].
    PullImage {
        /// The pod that needs the image.
        pod_uid: String,
        /// The container that needs it.
        container: String,
        /// The image reference.
        image: String,
        /// The container's `imagePullPolicy`.
        pull_policy: PullPolicy,
    },
    /// Create the pod's sandbox (network namespace, pause container) and give it an IP.
    RunPodSandbox {
        /// The pod's uid.
        pod_uid: String,
        /// `namespace/name`, for the runtime's records.
        pod_name: String,
    },
    /// Create a container in the pod's sandbox (the image must be present).
    CreateContainer {
        /// The pod's uid.
        pod_uid: String,
        /// What to run.
        config: ContainerConfig,
    },
    /// Start a created container.
    StartContainer {
        /// The pod's uid.
        pod_uid: String,
        /// The container's name.
        container: String,
    },
    /// Send SIGTERM, and SIGKILL once `grace` has passed.
    StopContainer {
        /// The pod's uid.
        pod_uid: String,
        /// The container's name.
        container: String,
        /// How long the container may take to exit before it is killed.
        grace: Duration,
    },
    /// Tear down the sandbox and release the pod IP.
    RemovePodSandbox {
        /// The pod's uid.
        pod_uid: String,
    },
    /// Run one probe against a running container.
    ExecProbe {
        /// The pod's uid.
        pod_uid: String,
        /// The container's name.
        container: String,
        /// Which probe.
        probe: ProbeKind,
        /// What it checks.
        action: ProbeAction,
    },
}

impl RuntimeCommand {
    /// The uid of the pod the command is about.
    pub fn pod_uid(&self) -> &str {
        match self {
            RuntimeCommand::PullImage { pod_uid, .. }
            | RuntimeCommand::RunPodSandbox { pod_uid, .. }
            | RuntimeCommand::CreateContainer { pod_uid, .. }
            | RuntimeCommand::StartContainer { pod_uid, .. }
            | RuntimeCommand::StopContainer { pod_uid, .. }
            | RuntimeCommand::RemovePodSandbox { pod_uid }
            | RuntimeCommand::ExecProbe { pod_uid, .. } => pod_uid,
        }
    }
}

/// Why an image could not be had.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImagePullFailure {
    /// The registry has no such repository or tag.
    NotFound,
    /// The registry refused: the repository is private or does not exist.
    Unauthorized,
    /// The registry could not be reached.
    RegistryUnavailable,
    /// `imagePullPolicy: Never` and the node does not hold the image (`ErrImageNeverPull`).
    NeverPull,
}

/// Why a container stopped, as the runtime reports it in `state.terminated.reason`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExitReason {
    /// Exit code 0.
    Completed,
    /// A non-zero exit code (including 137/143 after a kill).
    Error,
    /// Killed by the kernel for exceeding its memory limit (exit code 137).
    OomKilled,
    /// The runtime lost the container without seeing it end: the node rebooted (exit code
    /// 255, as containerd reports such containers).
    Unknown,
}

impl ExitReason {
    /// The reason text Kubernetes shows (`Completed`, `Error`, `OOMKilled`).
    pub fn as_str(self) -> &'static str {
        match self {
            ExitReason::Completed => "Completed",
            ExitReason::Error => "Error",
            ExitReason::OomKilled => "OOMKilled",
            ExitReason::Unknown => "Unknown",
        }
    }
}

/// One answer from the runtime.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuntimeResult {
    /// The runtime starts contacting the registry for the image (the kubelet's `Pulling`).
    ImagePulling {
        /// The pod that asked.
        pod_uid: String,
        /// The container that asked.
        container: String,
        /// The image reference as asked.
        image: String,
    },
    /// The image was already on the node and the policy did not ask for a pull.
    ImagePresent {
        /// The pod that asked.
        pod_uid: String,
        /// The container that asked.
        container: String,
        /// The image reference as asked.
        image: String,
        /// The image's digest reference (`docker.io/library/nginx@sha256:…`).
        image_id: String,
    },
    /// The image was pulled: only the layers the node lacked were downloaded.
    ImagePulled {
        /// The pod that asked.
        pod_uid: String,
        /// The container that asked.
        container: String,
        /// The image reference as asked.
        image: String,
        /// The image's digest reference.
        image_id: String,
        /// Layers downloaded.
        layers_pulled: u32,
        /// Layers already in the node's cache.
        layers_cached: u32,
        /// The image's total size (all layers), as the `Pulled` event reports it.
        size_bytes: u64,
        /// Time spent pulling.
        pull_duration: Duration,
        /// Time from the request to the end, including waiting for earlier pulls.
        total_duration: Duration,
    },
    /// The image could not be had.
    ImagePullFailed {
        /// The pod that asked.
        pod_uid: String,
        /// The container that asked.
        container: String,
        /// The image reference as asked.
        image: String,
        /// Why.
        failure: ImagePullFailure,
        /// The runtime's error text (what `Failed to pull image "…": <message>` shows).
        message: String,
    },
    /// The sandbox is up and has this IP.
    SandboxReady {
        /// The pod.
        pod_uid: String,
        /// The pod IP.
        ip: String,
    },
    /// The sandbox could not be created (e.g. no IP left in the node's range).
    SandboxFailed {
        /// The pod.
        pod_uid: String,
        /// The runtime's error text.
        message: String,
    },
    /// The container exists and can be started.
    ContainerCreated {
        /// The pod.
        pod_uid: String,
        /// The container's name.
        container: String,
        /// The runtime's id (`containerd://…`).
        container_id: String,
    },
    /// The container could not be created (e.g. the image vanished).
    ContainerCreateFailed {
        /// The pod.
        pod_uid: String,
        /// The container's name.
        container: String,
        /// The runtime's error text.
        message: String,
    },
    /// The container's process runs.
    ContainerStarted {
        /// The pod.
        pod_uid: String,
        /// The container's name.
        container: String,
    },
    /// The container's process ended.
    ContainerExited {
        /// The pod.
        pod_uid: String,
        /// The container's name.
        container: String,
        /// Its exit code.
        exit_code: i32,
        /// The runtime's reason.
        reason: ExitReason,
    },
    /// A probe ran.
    ProbeResult {
        /// The pod.
        pod_uid: String,
        /// The container's name.
        container: String,
        /// Which probe.
        probe: ProbeKind,
        /// Whether it passed.
        success: bool,
        /// The failure text (`HTTP probe failed with statuscode: 503`), empty on success.
        message: String,
    },
    /// The sandbox is gone and its IP released.
    SandboxRemoved {
        /// The pod.
        pod_uid: String,
    },
}

impl RuntimeResult {
    /// The uid of the pod the result is about.
    pub fn pod_uid(&self) -> &str {
        match self {
            RuntimeResult::ImagePulling { pod_uid, .. }
            | RuntimeResult::ImagePresent { pod_uid, .. }
            | RuntimeResult::ImagePulled { pod_uid, .. }
            | RuntimeResult::ImagePullFailed { pod_uid, .. }
            | RuntimeResult::SandboxReady { pod_uid, .. }
            | RuntimeResult::SandboxFailed { pod_uid, .. }
            | RuntimeResult::ContainerCreated { pod_uid, .. }
            | RuntimeResult::ContainerCreateFailed { pod_uid, .. }
            | RuntimeResult::ContainerStarted { pod_uid, .. }
            | RuntimeResult::ContainerExited { pod_uid, .. }
            | RuntimeResult::ProbeResult { pod_uid, .. }
            | RuntimeResult::SandboxRemoved { pod_uid } => pod_uid,
        }
    }
}
