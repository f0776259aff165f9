//! A simulated container runtime that answers [`RuntimeCommand`]s over virtual time.
//!
//! It is the browser's stand-in for containerd + runc + CNI, in the spirit of KWOK's
//! "Stages": each step of a container's life happens after a configurable delay
//! ([`SimRuntimeConfig`]). The host feeds commands in with [`SimRuntime::handle_command`],
//! moves time with [`SimRuntime::handle_tick`], drains answers with
//! [`SimRuntime::poll_result`] and sleeps until [`SimRuntime::poll_timeout`].
//!
//! - Images come from an [`images::ImageCatalogue`] of layered images; the node keeps a
//!   [`images::LayerCache`], so a pull downloads only missing layers. Pull time = registry
//!   round trip + missing bytes / bandwidth + missing bytes / extraction rate. Pulls are
//!   serialised, as the kubelet's default `serializeImagePulls: true` makes them.
//! - Pod IPs come from the node's podCIDR through [`HostLocalIpam`], as the host-local CNI
//!   plugin hands them out.
//! - What a container does once started follows the conventions in [`workload`]; what it
//!   prints is kept per run in the container's record ([`logs::ContainerRuns`],
//!   [`SimRuntime::container_log`]).
//! - Per pod the runtime keeps one map entry (by uid) with one small record per container:
//!   its name, workload, state, instance number and kept runs. Container ids are not stored:
//!   `containerd://<pod uid>-<container>-<instance>` is derived from them.

pub mod images;
pub mod logs;
pub mod workload;

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use crate::network::cidr::Ipv4Cidr;
use crate::network::ipam::HostLocalIpam;
use crate::sim::clock::Timestamp;

use super::runtime::{
    ContainerConfig, ExitReason, ImagePullFailure, ProbeAction, ProbeKind, PullPolicy,
    RuntimeCommand, RuntimeResult,
};
use images::{normalize_reference, ImageCatalogue, LayerCache};
use logs::{ContainerLog, ContainerRuns, RunEnd, ScriptShelf};
use workload::{workload_for, Workload, SIGTERM_EXIT_DELAY};

/// The delays and rates of the simulated runtime (KWOK-stage-like knobs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimRuntimeConfig {
    /// Download rate from the registry, bytes per second.
    pub bandwidth_bytes_per_sec: u64,
    /// Layer extraction rate, bytes per second.
    pub extraction_bytes_per_sec: u64,
    /// One registry round trip (manifest resolution), paid by every pull.
    pub registry_latency: Duration,
    /// Creating a sandbox (pause container, network namespace, CNI ADD).
    pub sandbox_latency: Duration,
    /// Creating a container.
    pub create_latency: Duration,
    /// Starting a created container.
    pub start_latency: Duration,
    /// Running one probe.
    pub probe_latency: Duration,
    /// Tearing a sandbox down.
    pub remove_sandbox_latency: Duration,
}

impl Default for SimRuntimeConfig {
    fn default() -> Self {
        SimRuntimeConfig {
            bandwidth_bytes_per_sec: 50_000_000,
            extraction_bytes_per_sec: 200_000_000,
            registry_latency: Duration::from_millis(300),
            sandbox_latency: Duration::from_millis(600),
            create_latency: Duration::from_millis(80),
            start_latency: Duration::from_millis(150),
            probe_latency: Duration::from_millis(5),
            remove_sandbox_latency: Duration::from_millis(100),
        }
    }
}

/// A container the runtime knows.
#[derive(Clone, Debug)]
struct SimContainer {
    /// Its name in the pod.
    name: String,
    workload: Workload,
    state: SimContainerState,
    /// Bumped on every create, so a timer of an earlier instance is ignored.
    instance: u64,
    /// What its kept runs printed.
    runs: ContainerRuns,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SimContainerState {
    Created,
    Running { since: Timestamp },
    Exited,
}

/// Something that happens later.
#[derive(Clone, Debug)]
enum Scheduled {
    /// Deliver a result as is.
    Deliver(RuntimeResult),
    /// Mark the container running, then deliver `ContainerStarted`.
    Start {
        pod_uid: String,
        container: String,
        instance: u64,
    },
    /// The container's process ends (if it is still that instance and running).
    Exit {
        pod_uid: String,
        container: String,
        instance: u64,
        exit_code: i32,
        reason: ExitReason,
        /// Whether the kubelet stopped it (for what it prints on the way out).
        stopped: bool,
    },
}

/// The simulated runtime of one node.
#[derive(Clone, Debug)]
pub struct SimRuntime {
    config: SimRuntimeConfig,
    catalogue: ImageCatalogue,
    cache: LayerCache,
    /// When each image being pulled becomes usable.
    image_available_at: BTreeMap<String, Timestamp>,
    ipam: Option<HostLocalIpam>,
    now: Timestamp,
    pulls_busy_until: Timestamp,
    scheduled: BTreeMap<(Timestamp, u64), Scheduled>,
    next_seq: u64,
    next_instance: u64,
    /// Per pod uid, its containers (a pod has few: a list, not a map).
    pods: BTreeMap<String, Vec<SimContainer>>,
    ready: VecDeque<RuntimeResult>,
    scripts: ScriptShelf,
}

impl SimRuntime {
    /// A runtime with an empty image cache. Without a podCIDR, sandboxes cannot get an IP.
    pub fn new(config: SimRuntimeConfig, pod_cidr: Option<Ipv4Cidr>, now: Timestamp) -> Self {
        SimRuntime {
            config,
            catalogue: ImageCatalogue::default(),
            cache: LayerCache::default(),
            image_available_at: BTreeMap::new(),
            ipam: pod_cidr.and_then(|cidr| HostLocalIpam::new(cidr).ok()),
            now,
            pulls_busy_until: now,
            scheduled: BTreeMap::new(),
            next_seq: 0,
            next_instance: 0,
            pods: BTreeMap::new(),
            ready: VecDeque::new(),
            scripts: ScriptShelf::default(),
        }
    }

    /// The node's layer cache (what the scheduler's ImageLocality and the UI look at).
    pub fn cache(&self) -> &LayerCache {
        &self.cache
    }

    /// The registry's catalogue, to read (layer sizes for the UI's image view).
    pub fn catalogue(&self) -> &ImageCatalogue {
        &self.catalogue
    }

    /// The registry's catalogue, to add images to.
    pub fn catalogue_mut(&mut self) -> &mut ImageCatalogue {
        &mut self.catalogue
    }

    /// The knobs, to change (a slow registry is `bandwidth_bytes_per_sec` turned down).
    pub fn config_mut(&mut self) -> &mut SimRuntimeConfig {
        &mut self.config
    }

    /// Pre-loads an image into the node's cache (a node image that ships with it).
    pub fn preload_image(&mut self, image: &str) -> bool {
        match self.catalogue.find(image).cloned() {
            Some(found) => {
                self.cache.store(&found);
                true
            }
            None => false,
        }
    }

    /// Reserves `ip` for a pod's sandbox before it is created (a rebooted node taking back
    /// the address its stored pod holds); its next sandbox gets that address.
    pub fn reserve_pod_ip(
        &mut self,
        pod_uid: &str,
        ip: std::net::Ipv4Addr,
    ) -> Result<(), crate::network::ipam::HostLocalError> {
        match &mut self.ipam {
            Some(ipam) => ipam.reserve(pod_uid, ip),
            None => Ok(()),
        }
    }

    /// What a container run printed, by the container id the kubelet reports in the pod's
    /// status (`containerd://…`); `None` once the run or its pod is gone.
    pub fn container_log(&self, container_id: &str) -> Option<ContainerLog> {
        // `containerd://<pod uid>-<container>-<instance>`: uids and names may hold dashes, so
        // every split is tried; the instance number is unique in the runtime, so at most one
        // container has a run of it.
        let rest = container_id.strip_prefix(CONTAINER_ID_PREFIX)?;
        let (pod_and_name, instance_text) = rest.rsplit_once('-')?;
        let instance: u64 = instance_text.parse().ok()?;
        pod_and_name.match_indices('-').find_map(|(at, _)| {
            let pod_uid = pod_and_name.get(..at)?;
            let name = pod_and_name.get(at + 1..)?;
            if self::container_id(pod_uid, name, instance) != container_id {
                return None;
            }
            self.pods
                .get(pod_uid)?
                .iter()
                .find(|c| c.name == name)?
                .runs
                .log(instance)
        })
    }

    /// Fault injection: the container's process dies now with exit code 1 (`Error`).
    pub fn crash_container(&mut self, now: Timestamp, pod_uid: &str, container: &str) {
        self.handle_tick(now);
        let instance = self
            .pods
            .get(pod_uid)
            .and_then(|p| p.iter().find(|c| c.name == container))
            .map(|c| c.instance);
        if let Some(instance) = instance {
            self.schedule(
                now,
                Scheduled::Exit {
                    pod_uid: pod_uid.to_string(),
                    container: container.to_string(),
                    instance,
                    exit_code: 1,
                    reason: ExitReason::Error,
                    stopped: false,
                },
            );
            self.handle_tick(now);
        }
    }

    /// Takes one command at `now`.
    pub fn handle_command(&mut self, now: Timestamp, command: RuntimeCommand) {
        self.handle_tick(now);
        match command {
            RuntimeCommand::PullImage {
                pod_uid,
                container,
                image,
                pull_policy,
            } => self.pull_image(pod_uid, container, image, pull_policy),
            RuntimeCommand::RunPodSandbox { pod_uid, .. } => self.run_pod_sandbox(pod_uid),
            RuntimeCommand::CreateContainer { pod_uid, config } => {
                self.create_container(pod_uid, config)
            }
            RuntimeCommand::StartContainer { pod_uid, container } => {
                self.start_container(pod_uid, container)
            }
            RuntimeCommand::StopContainer {
                pod_uid,
                container,
                grace,
            } => self.stop_container(pod_uid, container, grace),
            RuntimeCommand::RemovePodSandbox { pod_uid } => {
                // The pod's containers go, and their logs with them.
                self.pods.remove(&pod_uid);
                if let Some(ipam) = &mut self.ipam {
                    ipam.release(&pod_uid);
                }
                let at = self.now.plus(self.config.remove_sandbox_latency);
                self.schedule(
                    at,
                    Scheduled::Deliver(RuntimeResult::SandboxRemoved { pod_uid }),
                );
            }
            RuntimeCommand::ExecProbe {
                pod_uid,
                container,
                probe,
                action,
            } => self.exec_probe(pod_uid, container, probe, action),
        }
        self.handle_tick(now);
    }

    /// Moves time to `now`: everything due happens.
    pub fn handle_tick(&mut self, now: Timestamp) {
        self.now = self.now.max(now);
        while let Some(entry) = self.scheduled.first_entry() {
            if entry.key().0 > self.now {
                break;
            }
            let ((at, _), scheduled) = entry.remove_entry();
            self.fire(at, scheduled);
        }
    }

    /// The next answer, if one is ready.
    pub fn poll_result(&mut self) -> Option<RuntimeResult> {
        let next = self.ready.pop_front();
        if next.is_none() {
            crate::kubelet::release_burst_capacity(&mut self.ready);
        }
        next
    }

    /// When the runtime next has something to do.
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        self.scheduled.keys().next().map(|(at, _)| *at)
    }

    fn schedule(&mut self, at: Timestamp, scheduled: Scheduled) {
        self.scheduled.insert((at, self.next_seq), scheduled);
        self.next_seq += 1;
    }

    fn fire(&mut self, at: Timestamp, scheduled: Scheduled) {
        match scheduled {
            Scheduled::Deliver(result) => self.ready.push_back(result),
            Scheduled::Start {
                pod_uid,
                container,
                instance,
            } => {
                let Some(c) = self.container_mut(&pod_uid, &container) else {
                    return;
                };
                if c.instance != instance || c.state != SimContainerState::Created {
                    return;
                }
                c.state = SimContainerState::Running { since: at };
                c.runs.handle_started(instance, at);
                let exit = c.workload.exit;
                self.ready.push_back(RuntimeResult::ContainerStarted {
                    pod_uid: pod_uid.clone(),
                    container: container.clone(),
                });
                if let Some(exit) = exit {
                    self.schedule(
                        at.plus(exit.after),
                        Scheduled::Exit {
                            pod_uid,
                            container,
                            instance,
                            exit_code: exit.exit_code,
                            reason: exit.reason,
                            stopped: false,
                        },
                    );
                }
            }
            Scheduled::Exit {
                pod_uid,
                container,
                instance,
                exit_code,
                reason,
                stopped,
            } => {
                let Some(c) = self.container_mut(&pod_uid, &container) else {
                    return;
                };
                let running = matches!(c.state, SimContainerState::Running { .. });
                if c.instance != instance || !running {
                    return;
                }
                c.state = SimContainerState::Exited;
                let end = if stopped {
                    RunEnd::Stopped
                } else {
                    RunEnd::Exited(exit_code)
                };
                c.runs.handle_ended(instance, at, end);
                self.ready.push_back(RuntimeResult::ContainerExited {
                    pod_uid,
                    container,
                    exit_code,
                    reason,
                });
            }
        }
    }

    fn container_mut(&mut self, pod_uid: &str, container: &str) -> Option<&mut SimContainer> {
        self.pods
            .get_mut(pod_uid)?
            .iter_mut()
            .find(|c| c.name == container)
    }

    fn image_present(&self, reference: &str) -> bool {
        self.cache.has_image(reference)
            && self
                .image_available_at
                .get(reference)
                .is_none_or(|at| *at <= self.now)
    }

    fn pull_image(
        &mut self,
        pod_uid: String,
        container: String,
        image: String,
        pull_policy: PullPolicy,
    ) {
        let reference = normalize_reference(&image);
        let present = self.image_present(&reference);
        let found = self.catalogue.find(&image).cloned();
        let skip_pull = match pull_policy {
            PullPolicy::Never | PullPolicy::IfNotPresent => present,
            PullPolicy::Always => false,
        };
        if skip_pull {
            let image_id = found.map(|f| f.image_id()).unwrap_or_default();
            let now = self.now;
            self.schedule(
                now,
                Scheduled::Deliver(RuntimeResult::ImagePresent {
                    pod_uid,
                    container,
                    image,
                    image_id,
                }),
            );
            return;
        }
        if pull_policy == PullPolicy::Never {
            let message =
                format!("Container image \"{image}\" is not present with pull policy of Never");
            let now = self.now;
            self.schedule(
                now,
                Scheduled::Deliver(RuntimeResult::ImagePullFailed {
                    pod_uid,
                    container,
                    image,
                    failure: ImagePullFailure::NeverPull,
                    message,
                }),
            );
            return;
        }
        self.ready.push_back(RuntimeResult::ImagePulling {
            pod_uid: pod_uid.clone(),
            container: container.clone(),
            image: image.clone(),
        });
        let start = self.now.max(self.pulls_busy_until);
        let Some(found) = found else {
            let repository = reference
                .rsplit_once(':')
                .map_or(reference.as_str(), |(r, _)| r);
            let repository_exists = self
                .catalogue
                .images()
                .any(|i| i.reference.starts_with(&format!("{repository}:")));
            let (failure, message) = if repository_exists {
                (
                    ImagePullFailure::NotFound,
                    format!(
                        "rpc error: code = NotFound desc = failed to pull and unpack image \"{reference}\": failed to resolve reference \"{reference}\": {reference}: not found"
                    ),
                )
            } else {
                (
                    ImagePullFailure::Unauthorized,
                    format!(
                        "rpc error: code = Unknown desc = failed to pull and unpack image \"{reference}\": failed to resolve reference \"{reference}\": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed"
                    ),
                )
            };
            let done = start.plus(self.config.registry_latency);
            self.pulls_busy_until = done;
            self.schedule(
                done,
                Scheduled::Deliver(RuntimeResult::ImagePullFailed {
                    pod_uid,
                    container,
                    image,
                    failure,
                    message,
                }),
            );
            return;
        };
        let missing = self.cache.missing_layers(&found);
        let missing_bytes: u64 = missing.iter().map(|l| l.size_bytes).sum();
        let layers_pulled = u32::try_from(missing.len()).unwrap_or(u32::MAX);
        let layers_cached = u32::try_from(found.layers.len()).unwrap_or(u32::MAX) - layers_pulled;
        let transfer = duration_for(missing_bytes, self.config.bandwidth_bytes_per_sec);
        let extract = duration_for(missing_bytes, self.config.extraction_bytes_per_sec);
        let done = start
            .plus(self.config.registry_latency)
            .plus(transfer)
            .plus(extract);
        self.pulls_busy_until = done;
        self.cache.store(&found);
        // The image is usable from the end of its first pull; a later pull of the same image
        // (queued behind others) must not push that moment back.
        self.image_available_at
            .entry(reference)
            .and_modify(|at| *at = (*at).min(done))
            .or_insert(done);
        let now = self.now;
        self.schedule(
            done,
            Scheduled::Deliver(RuntimeResult::ImagePulled {
                pod_uid,
                container,
                image,
                image_id: found.image_id(),
                layers_pulled,
                layers_cached,
                size_bytes: found.size_bytes(),
                pull_duration: done.since(start),
                total_duration: done.since(now),
            }),
        );
    }

    fn run_pod_sandbox(&mut self, pod_uid: String) {
        let at = self.now.plus(self.config.sandbox_latency);
        let result = match &mut self.ipam {
            Some(ipam) => match ipam.address_of(&pod_uid) {
                Some(ip) => RuntimeResult::SandboxReady {
                    pod_uid: pod_uid.clone(),
                    ip: ip.to_string(),
                },
                None => match ipam.allocate(&pod_uid) {
                    Ok(ip) => RuntimeResult::SandboxReady {
                        pod_uid: pod_uid.clone(),
                        ip: ip.to_string(),
                    },
                    Err(e) => RuntimeResult::SandboxFailed {
                        pod_uid: pod_uid.clone(),
                        message: format!(
                            "failed to setup network for sandbox: plugin type=\"host-local\" failed (add): {e}"
                        ),
                    },
                },
            },
            None => RuntimeResult::SandboxFailed {
                pod_uid: pod_uid.clone(),
                message: "failed to setup network for sandbox: the node has no podCIDR"
                    .to_string(),
            },
        };
        if matches!(result, RuntimeResult::SandboxReady { .. }) {
            self.pods.entry(pod_uid).or_default();
        }
        self.schedule(at, Scheduled::Deliver(result));
    }

    fn create_container(&mut self, pod_uid: String, config: ContainerConfig) {
        let at = self.now.plus(self.config.create_latency);
        let reference = normalize_reference(&config.image);
        if !self.image_present(&reference) {
            let message =
                format!("failed to create containerd container: image \"{reference}\": not found");
            self.schedule(
                at,
                Scheduled::Deliver(RuntimeResult::ContainerCreateFailed {
                    pod_uid,
                    container: config.name,
                    message,
                }),
            );
            return;
        }
        self.next_instance += 1;
        let instance = self.next_instance;
        let workload = workload_for(&config.image, &config.command, &config.args);
        let container_id = container_id(&pod_uid, &config.name, instance);
        let script = self.scripts.share(logs::script_for(
            &config.image,
            &config.command,
            &config.args,
        ));
        let containers = self.pods.entry(pod_uid.clone()).or_default();
        match containers.iter_mut().find(|c| c.name == config.name) {
            // A new run of a container the pod had: its earlier runs' logs stay.
            Some(c) => {
                c.workload = workload;
                c.state = SimContainerState::Created;
                c.instance = instance;
                c.runs.handle_created(instance, script);
            }
            None => {
                let mut runs = ContainerRuns::default();
                runs.handle_created(instance, script);
                // One more container, not room for four.
                containers.reserve_exact(1);
                containers.push(SimContainer {
                    name: config.name.clone(),
                    workload,
                    state: SimContainerState::Created,
                    instance,
                    runs,
                });
            }
        }
        self.schedule(
            at,
            Scheduled::Deliver(RuntimeResult::ContainerCreated {
                pod_uid,
                container: config.name,
                container_id,
            }),
        );
    }

    fn start_container(&mut self, pod_uid: String, container: String) {
        let at = self.now.plus(self.config.start_latency);
        let Some(c) = self.container_mut(&pod_uid, &container) else {
            return;
        };
        let instance = c.instance;
        self.schedule(
            at,
            Scheduled::Start {
                pod_uid,
                container,
                instance,
            },
        );
    }

    fn stop_container(&mut self, pod_uid: String, container: String, grace: Duration) {
        let now = self.now;
        let Some(c) = self.container_mut(&pod_uid, &container) else {
            return;
        };
        let instance = c.instance;
        let (after, exit_code, reason) = match c.state {
            SimContainerState::Running { .. } if c.workload.honours_sigterm && !grace.is_zero() => {
                (SIGTERM_EXIT_DELAY.min(grace), 0, ExitReason::Completed)
            }
            SimContainerState::Running { .. } => (grace, 137, ExitReason::Error),
            SimContainerState::Created => {
                // Never started: it simply goes away.
                c.state = SimContainerState::Exited;
                return;
            }
            SimContainerState::Exited => return,
        };
        self.schedule(
            now.plus(after),
            Scheduled::Exit {
                pod_uid,
                container,
                instance,
                exit_code,
                reason,
                stopped: true,
            },
        );
    }

    fn exec_probe(
        &mut self,
        pod_uid: String,
        container: String,
        probe: ProbeKind,
        action: ProbeAction,
    ) {
        let now = self.now;
        let at = now.plus(self.config.probe_latency);
        let ip = self
            .ipam
            .as_ref()
            .and_then(|ipam| ipam.address_of(&pod_uid))
            .map(|ip| ip.to_string())
            .unwrap_or_default();
        let Some(c) = self.container_mut(&pod_uid, &container) else {
            return;
        };
        let SimContainerState::Running { since } = c.state else {
            return;
        };
        let fails = match probe {
            ProbeKind::Startup => false,
            ProbeKind::Readiness => c.workload.fails_readiness,
            ProbeKind::Liveness => c
                .workload
                .fails_liveness_after
                .is_some_and(|after| now.since(since) >= after),
        };
        let message = if fails {
            match &action {
                ProbeAction::HttpGet { .. } => "HTTP probe failed with statuscode: 503".to_string(),
                ProbeAction::TcpSocket { port } => {
                    format!("dial tcp {ip}:{port}: connect: connection refused")
                }
                ProbeAction::Exec { .. } => String::new(),
                ProbeAction::Grpc { port } => {
                    format!("timeout: failed to connect service \"{ip}:{port}\" within 1s")
                }
            }
        } else {
            String::new()
        };
        self.schedule(
            at,
            Scheduled::Deliver(RuntimeResult::ProbeResult {
                pod_uid,
                container,
                probe,
                success: !fails,
                message,
            }),
        );
    }
}

/// The scheme of the simulated runtime's container ids.
const CONTAINER_ID_PREFIX: &str = "containerd://";

/// The runtime's id of one run of a container, as the kubelet reports it in `containerID`.
fn container_id(pod_uid: &str, container: &str, instance: u64) -> String {
    format!("{CONTAINER_ID_PREFIX}{pod_uid}-{container}-{instance}")
}

/// `bytes` at `rate` bytes per second (zero rate: an hour, a stalled registry).
fn duration_for(bytes: u64, rate: u64) -> Duration {
    if rate == 0 {
        return Duration::from_secs(3600);
    }
    let ms = u128::from(bytes) * 1000 / u128::from(rate);
    Duration::from_millis(u64::try_from(ms).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::clock::SIM_EPOCH;

    fn runtime() -> SimRuntime {
        SimRuntime::new(
            SimRuntimeConfig::default(),
            "10.244.1.0/24".parse().ok(),
            SIM_EPOCH,
        )
    }

    fn pull(rt: &mut SimRuntime, now: Timestamp, image: &str, policy: PullPolicy) -> RuntimeResult {
        rt.handle_command(
            now,
            RuntimeCommand::PullImage {
                pod_uid: "u".into(),
                container: "c".into(),
                image: image.into(),
                pull_policy: policy,
            },
        );
        let at = rt.poll_timeout().unwrap_or(now);
        rt.handle_tick(at);
        let mut last = rt.poll_result().unwrap();
        while let Some(next) = rt.poll_result() {
            last = next;
        }
        last
    }

    #[test]
    fn a_second_pull_of_a_cached_image_is_already_present() {
        let mut rt = runtime();
        let first = pull(&mut rt, SIM_EPOCH, "nginx:1.25", PullPolicy::IfNotPresent);
        let RuntimeResult::ImagePulled {
            layers_pulled,
            pull_duration,
            ..
        } = first
        else {
            panic!("{first:?}")
        };
        assert_eq!(layers_pulled, 5);
        // 67 MB at 50 MB/s plus extraction and the round trip.
        assert!(pull_duration > Duration::from_secs(1), "{pull_duration:?}");
        let later = SIM_EPOCH.plus(Duration::from_secs(60));
        let second = pull(&mut rt, later, "nginx:1.25", PullPolicy::IfNotPresent);
        assert!(
            matches!(second, RuntimeResult::ImagePresent { .. }),
            "{second:?}"
        );
    }

    #[test]
    fn an_image_on_a_cached_base_pulls_only_its_own_layers() {
        let mut rt = runtime();
        pull(&mut rt, SIM_EPOCH, "debian:12", PullPolicy::IfNotPresent);
        let later = SIM_EPOCH.plus(Duration::from_secs(60));
        let nginx = pull(&mut rt, later, "nginx:1.25", PullPolicy::IfNotPresent);
        let RuntimeResult::ImagePulled {
            layers_pulled,
            layers_cached,
            ..
        } = nginx
        else {
            panic!("{nginx:?}")
        };
        assert_eq!((layers_pulled, layers_cached), (4, 1));
    }

    /// Runs `command` at `now` and then everything due up to `until`, returning the results.
    fn run(
        rt: &mut SimRuntime,
        now: Timestamp,
        until: Timestamp,
        command: RuntimeCommand,
    ) -> Vec<RuntimeResult> {
        rt.handle_command(now, command);
        rt.handle_tick(until);
        std::iter::from_fn(|| rt.poll_result()).collect()
    }

    #[test]
    fn a_runs_log_is_found_by_its_container_id_until_the_sandbox_goes() {
        let mut rt = runtime();
        // Dashes in the uid and the container name: the id is split where the pod is found.
        let (uid, name) = ("a-b-c", "web-server");
        let t = |s: u64| SIM_EPOCH.plus(Duration::from_secs(s));
        pull(&mut rt, SIM_EPOCH, "nginx:1.25", PullPolicy::IfNotPresent);
        let sandbox = RuntimeCommand::RunPodSandbox {
            pod_uid: uid.into(),
            pod_name: "default/p".into(),
        };
        run(&mut rt, t(10), t(11), sandbox);
        let created = |rt: &mut SimRuntime, at: Timestamp| {
            let config = ContainerConfig {
                name: name.into(),
                image: "nginx:1.25".into(),
                command: Vec::new(),
                args: Vec::new(),
                memory_limit_bytes: None,
                attempt: 0,
            };
            let create = RuntimeCommand::CreateContainer {
                pod_uid: uid.into(),
                config,
            };
            let results = run(rt, at, at.plus(Duration::from_secs(1)), create);
            let start = RuntimeCommand::StartContainer {
                pod_uid: uid.into(),
                container: name.into(),
            };
            run(
                rt,
                at.plus(Duration::from_secs(1)),
                at.plus(Duration::from_secs(2)),
                start,
            );
            let created = results.iter().find_map(|r| match r {
                RuntimeResult::ContainerCreated { container_id, .. } => Some(container_id.clone()),
                _ => None,
            });
            created.unwrap_or_else(|| panic!("{results:?}"))
        };
        let first = created(&mut rt, t(20));
        assert_eq!(first, format!("containerd://{uid}-{name}-1"));
        rt.crash_container(t(30), uid, name);
        let second = created(&mut rt, t(40));
        let third = created(&mut rt, t(50));
        let first_log = rt.container_log(&first);
        assert!(first_log.is_none(), "only two runs are kept: {first_log:?}");
        assert!(rt
            .container_log(&second)
            .is_some_and(|l| !l.lines.is_empty()));
        assert!(rt.container_log(&third).is_some_and(|l| l.running));
        assert!(rt
            .container_log("containerd://a-b-c-web-server-99")
            .is_none());
        assert!(rt.container_log("docker://a-b-c-web-server-2").is_none());
        let remove = RuntimeCommand::RemovePodSandbox {
            pod_uid: uid.into(),
        };
        run(&mut rt, t(60), t(61), remove);
        assert!(rt.container_log(&third).is_none());
    }

    #[test]
    fn unknown_images_fail_as_containerd_reports_them() {
        let mut rt = runtime();
        let missing_tag = pull(&mut rt, SIM_EPOCH, "nginx:9.99", PullPolicy::IfNotPresent);
        let RuntimeResult::ImagePullFailed {
            failure, message, ..
        } = missing_tag
        else {
            panic!("{missing_tag:?}")
        };
        assert_eq!(failure, ImagePullFailure::NotFound);
        assert!(
            message.ends_with("docker.io/library/nginx:9.99: not found"),
            "{message}"
        );
        let later = SIM_EPOCH.plus(Duration::from_secs(60));
        let unknown = pull(&mut rt, later, "no-such-image", PullPolicy::IfNotPresent);
        assert!(matches!(
            unknown,
            RuntimeResult::ImagePullFailed {
                failure: ImagePullFailure::Unauthorized,
                ..
            }
        ));
        let never = pull(&mut rt, later, "busybox", PullPolicy::Never);
        assert!(matches!(
            never,
            RuntimeResult::ImagePullFailed {
                failure: ImagePullFailure::NeverPull,
                ..
            }
        ));
    }
}
