//! The `World`: a whole simulated cluster on one virtual clock.
//!
//! It wires the API server (and its store), kube-scheduler, the controller manager, and one
//! kubelet with a simulated container runtime per node. A host (the browser, `kubeplay play`,
//! `kubeplay sim`, a test) sends user requests through [`World::api`] and moves time with
//! [`World::settle`], [`World::advance`] or [`World::run_until`]. Between two instants,
//! components exchange data in a fixed order — watch events out of the API server, ticks,
//! requests back in, runtime commands and results — until nothing moves, so the same seed
//! and the same user requests give the same trace, bit for bit.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use crate::api::objects::{Kind, Object};
use crate::apiserver::{ApiServer, ApiWatchId, ListOptions, WatchOptions};
use crate::controllers::ControllerManager;
use crate::kubelet::sim_runtime::{SimRuntime, SimRuntimeConfig};
use crate::kubelet::{Kubelet, KubeletConfig};
use crate::network::cidr::Ipv4Cidr;
use crate::network::ipam::ClusterCidrAllocator;
use crate::scheduler::component::KubeScheduler;
use crate::scheduler::Config as SchedulerConfig;

use rand_core::RngCore;

use super::clock::{Timestamp, VirtualClock, SIM_EPOCH};
use super::rng::SimRng;
use super::trace::Trace;

/// How many rounds of message passing one instant may take before the world gives up on
/// it (a component that keeps answering itself would otherwise spin forever).
const MAX_ROUNDS_PER_INSTANT: usize = 10_000;

/// How the world is built.
#[derive(Clone, Debug)]
pub struct WorldConfig {
    /// The seed every random choice derives from.
    pub seed: u64,
    /// How many worker nodes (`node-1` …).
    pub nodes: usize,
    /// Each node's CPU (a Kubernetes quantity).
    pub node_cpu: String,
    /// Each node's memory.
    pub node_memory: String,
    /// Each node's pod limit (the kubelet's `maxPods`; 110 by default).
    pub max_pods: u32,
    /// The cluster CIDR that is cut into one podCIDR per node.
    pub cluster_cidr: String,
    /// The podCIDR size per node.
    pub node_cidr_mask_size: u8,
    /// Whether the scheduler writes the kube-scheduler-simulator annotations.
    pub scheduler_annotations: bool,
    /// How many trace records are kept (the hash covers all of them).
    pub trace_records_kept: usize,
}

impl Default for WorldConfig {
    fn default() -> WorldConfig {
        WorldConfig {
            seed: 1,
            nodes: 3,
            node_cpu: "2".to_string(),
            node_memory: "4Gi".to_string(),
            max_pods: 110,
            cluster_cidr: "10.244.0.0/16".to_string(),
            node_cidr_mask_size: 24,
            scheduler_annotations: true,
            trace_records_kept: 100_000,
        }
    }
}

/// What a fault injection did to a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeFault {
    /// Healthy: the kubelet and runtime run and talk to the API server.
    None,
    /// Stopped ([`World::stop_node`]): kubelet and runtime are frozen; no heartbeats, no
    /// status, no watch events. [`World::start_node`] resumes them where they were.
    Stopped,
    /// Cut off ([`World::cut_off_node`]): the kubelet and its containers keep running, but
    /// nothing the kubelet sends reaches the API server and no watch event reaches it;
    /// [`World::heal_node`] reconnects it (the watch then delivers what it missed).
    CutOff,
}

/// Why a fault could not be injected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FaultError {
    /// No simulated node has this name.
    #[error("node \"{0}\" not found: the simulated nodes are node-1 … node-N")]
    NodeNotFound(String),
    /// No pod has this name in this namespace.
    #[error("pods \"{1}\" not found in namespace \"{0}\"")]
    PodNotFound(String, String),
    /// The pod is not bound to a node yet, so no container of it runs.
    #[error("pod \"{0}\" is not running on a node yet: wait until it is scheduled")]
    PodNotOnNode(String),
}

/// One simulated node: its kubelet, its runtime, and the kubelet's pod watch.
struct SimNode {
    kubelet: Kubelet,
    runtime: SimRuntime,
    pod_watch: ApiWatchId,
    fault: NodeFault,
}

/// A simulated cluster.
pub struct World {
    clock: VirtualClock,
    api: ApiServer,
    scheduler: KubeScheduler,
    scheduler_watches: Vec<ApiWatchId>,
    controllers: ControllerManager,
    controller_watches: Vec<ApiWatchId>,
    nodes: BTreeMap<String, SimNode>,
    trace: Trace,
}

impl World {
    /// Builds the cluster: control plane, then the nodes, each with its podCIDR.
    pub fn new(config: &WorldConfig) -> World {
        let start = SIM_EPOCH;
        let mut rng = SimRng::seed_from(config.seed);
        let mut api = ApiServer::new(rng.next_u64(), start);
        let mut scheduler = KubeScheduler::new(
            SchedulerConfig::default(),
            SimRng::seed_from(rng.next_u64()),
        );
        scheduler.publish_annotations = config.scheduler_annotations;
        let all = WatchOptions::default();
        let scheduler_watches = [Kind::Node, Kind::Pod]
            .iter()
            .filter_map(|kind| api.watch(*kind, None, &all).ok())
            .collect();
        let controller_watches = ControllerManager::WATCHED_KINDS
            .iter()
            .filter_map(|kind| api.watch(*kind, None, &all).ok())
            .collect();
        let mut world = World {
            clock: VirtualClock::new(start),
            api,
            scheduler,
            scheduler_watches,
            controllers: ControllerManager::new(start),
            controller_watches,
            nodes: BTreeMap::new(),
            trace: Trace::keeping_last(config.trace_records_kept),
        };
        let mut cidrs = config
            .cluster_cidr
            .parse::<Ipv4Cidr>()
            .ok()
            .and_then(|cidr| ClusterCidrAllocator::new(cidr, config.node_cidr_mask_size).ok());
        let mut without_cidr = Vec::new();
        for i in 1..=config.nodes {
            let name = format!("node-{i}");
            let pod_cidr = cidrs.as_mut().and_then(|a| a.allocate_next().ok());
            if pod_cidr.is_none() {
                without_cidr.push(name.clone());
            }
            world.add_node(config, &name, i, pod_cidr);
        }
        world.settle();
        world.report_nodes_without_pod_cidr(&without_cidr);
        world
    }

    /// Records the node IPAM controller's `CIDRNotAvailable` event on every node the cluster
    /// CIDR had no block left for: it runs no pods with their own IPs.
    fn report_nodes_without_pod_cidr(&mut self, nodes: &[String]) {
        use crate::api::events::{object_reference, EventRecorder, EventType, Reporter};
        use crate::network::ipam::{cidr_not_available_message, CIDR_NOT_AVAILABLE_REASON};
        let mut recorder = EventRecorder::new(Reporter::component("cidrAllocator"));
        self.api.set_user("system:kube-controller-manager");
        for name in nodes {
            let Ok(node) = self.api.get(Kind::Node, "", name) else {
                continue;
            };
            let event = recorder.record(
                self.clock.now(),
                object_reference(&node),
                EventType::Normal,
                CIDR_NOT_AVAILABLE_REASON,
                cidr_not_available_message(name),
            );
            let _ = self.api.create("default", Object::from(event));
        }
        self.settle();
    }

    fn add_node(
        &mut self,
        config: &WorldConfig,
        name: &str,
        index: usize,
        pod_cidr: Option<Ipv4Cidr>,
    ) {
        let now = self.clock.now();
        // Node addresses look like a local lab network; they are never dialled.
        let node_ip = format!("192.168.{}.{}", 49 + index / 250, 2 + index % 250);
        let mut kubelet_config = KubeletConfig::new(name, &node_ip);
        kubelet_config.cpu = config.node_cpu.clone();
        kubelet_config.memory = config.node_memory.clone();
        kubelet_config.max_pods = config.max_pods;
        if let Some(cidr) = pod_cidr {
            kubelet_config = kubelet_config.with_pod_cidr(&cidr.to_string());
        }
        let options = WatchOptions {
            field_selector: Some(format!("spec.nodeName={name}")),
            ..WatchOptions::default()
        };
        let Ok(pod_watch) = self.api.watch(Kind::Pod, None, &options) else {
            return;
        };
        self.nodes.insert(
            name.to_string(),
            SimNode {
                kubelet: Kubelet::new(kubelet_config, now),
                runtime: SimRuntime::new(SimRuntimeConfig::default(), pod_cidr, now),
                pod_watch,
                fault: NodeFault::None,
            },
        );
    }

    /// The API server, for user requests (`kubectl`): set the user with
    /// [`ApiServer::set_user`], then call [`World::settle`] to let the cluster react.
    pub fn api(&mut self) -> &mut ApiServer {
        &mut self.api
    }

    /// The current virtual time.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The trace so far (its hash covers every record).
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// The names of the simulated nodes.
    pub fn node_names(&self) -> Vec<String> {
        self.nodes.keys().cloned().collect()
    }

    /// Lets every component react to everything that happened up to now, without moving
    /// time. Returns how many messages moved.
    pub fn settle(&mut self) -> usize {
        let now = self.clock.now();
        self.api.set_time(now);
        let mut moved_total = 0;
        for _ in 0..MAX_ROUNDS_PER_INSTANT {
            let moved = self.round(now);
            moved_total += moved;
            self.collect_trace();
            if moved == 0 {
                break;
            }
        }
        moved_total
    }

    fn collect_trace(&mut self) {
        let records = self.api.poll_trace();
        self.trace.extend(records);
    }

    /// One round of message passing at `now`.
    fn round(&mut self, now: Timestamp) -> usize {
        let mut moved = 0;
        // Watch events out of the API server.
        for id in &self.scheduler_watches {
            for event in self.api.poll_watch(*id).unwrap_or_default() {
                self.scheduler.handle_watch_event(&event);
                moved += 1;
            }
        }
        for id in &self.controller_watches {
            for event in self.api.poll_watch(*id).unwrap_or_default() {
                self.controllers.handle_watch_event(&event);
                moved += 1;
            }
        }
        for node in self.nodes.values_mut() {
            if node.fault != NodeFault::None {
                // The events wait in the API server's watch until the node is back.
                continue;
            }
            for event in self.api.poll_watch(node.pod_watch).unwrap_or_default() {
                match event.event_type {
                    crate::apiserver::WatchEventType::Deleted => {
                        node.kubelet.handle_pod_deleted(&event.object)
                    }
                    _ => node.kubelet.handle_pod(Arc::clone(&event.object)),
                }
                moved += 1;
            }
        }
        // Ticks.
        self.scheduler.handle_tick(now);
        self.controllers.handle_tick(now);
        for node in self.nodes.values_mut() {
            if node.fault == NodeFault::Stopped {
                continue;
            }
            node.kubelet.handle_tick(now);
            node.runtime.handle_tick(now);
        }
        // Requests back into the API server, runtime commands and results.
        self.api.set_user("system:kube-scheduler");
        while let Some(request) = self.scheduler.poll_api_request() {
            let _ = self.api.handle(request);
            moved += 1;
        }
        // The scheduler's notes (preemptions) follow the requests they explain.
        self.collect_trace();
        self.trace.extend(self.scheduler.poll_trace());
        self.api.set_user("system:kube-controller-manager");
        while let Some(request) = self.controllers.poll_api_request() {
            let result = self.api.handle(request.clone());
            self.controllers.handle_api_result(&request, &result);
            moved += 1;
        }
        for (name, node) in self.nodes.iter_mut() {
            match node.fault {
                NodeFault::Stopped => continue,
                NodeFault::CutOff => {
                    // Lost on the way: the kubelet moves on as if the network ate them.
                    while node.kubelet.poll_api_request().is_some() {
                        moved += 1;
                    }
                }
                NodeFault::None => {
                    self.api.set_user(&format!("system:node:{name}"));
                    while let Some(request) = node.kubelet.poll_api_request() {
                        let _ = self.api.handle(request);
                        moved += 1;
                    }
                }
            }
            while let Some(command) = node.kubelet.poll_runtime_command() {
                node.runtime.handle_command(now, command);
                moved += 1;
            }
            while let Some(result) = node.runtime.poll_result() {
                node.kubelet.handle_runtime_result(result);
                moved += 1;
            }
        }
        moved
    }

    /// When some component next needs waking, if ever.
    pub fn next_wakeup(&self) -> Option<Timestamp> {
        let now = self.clock.now();
        let mut times = vec![
            self.scheduler.poll_timeout(),
            self.controllers.poll_timeout(),
        ];
        for node in self
            .nodes
            .values()
            .filter(|n| n.fault != NodeFault::Stopped)
        {
            times.push(node.kubelet.poll_timeout());
            times.push(node.runtime.poll_timeout());
        }
        times.into_iter().flatten().map(|t| t.max(now)).min()
    }

    /// Moves time forward by `duration`, waking components at each of their timeouts on the
    /// way.
    pub fn advance(&mut self, duration: Duration) {
        let until = self.clock.now().plus(duration);
        self.run_until(until, |_| false);
    }

    /// Runs until `deadline`, or until `done` says so after an instant has settled. Returns
    /// whether `done` was reached.
    pub fn run_until(
        &mut self,
        deadline: Timestamp,
        mut done: impl FnMut(&mut World) -> bool,
    ) -> bool {
        loop {
            self.settle();
            if done(self) {
                return true;
            }
            let now = self.clock.now();
            if now >= deadline {
                return false;
            }
            let next = match self.next_wakeup() {
                Some(t) if t > now => t.min(deadline),
                // Something wants to run now again: give it a millisecond of virtual time.
                Some(_) => now.plus(Duration::from_millis(1)).min(deadline),
                None => deadline,
            };
            self.clock.advance_to(next);
        }
    }

    /// What fault, if any, a node is under (None for an unknown node).
    pub fn node_fault(&self, name: &str) -> Option<NodeFault> {
        self.nodes.get(name).map(|n| n.fault)
    }

    fn set_fault(&mut self, name: &str, fault: NodeFault) -> Result<(), FaultError> {
        let now = self.clock.now();
        let node = self
            .nodes
            .get_mut(name)
            .ok_or_else(|| FaultError::NodeNotFound(name.to_string()))?;
        let was = node.fault;
        node.fault = fault;
        if fault == NodeFault::None && was != NodeFault::None {
            // Back in touch, the kubelet finds its Node's status in the API differs from its
            // own (the node controller set it Unknown) and posts it at once.
            node.kubelet.handle_tick(now);
            let status = crate::apiserver::ApiRequest::UpdateStatus {
                namespace: String::new(),
                object: Object::from(node.kubelet.node()),
            };
            self.api.set_time(now);
            self.api.set_user(&format!("system:node:{name}"));
            let _ = self.api.handle(status);
            self.collect_trace();
        }
        Ok(())
    }

    /// Fault injection: the node's kubelet and container runtime stop (a powered-off or
    /// frozen machine). Heartbeats stop, so after `node-monitor-grace-period` the node
    /// lifecycle controller marks the node `Unknown` and taints it unreachable.
    pub fn stop_node(&mut self, name: &str) -> Result<(), FaultError> {
        self.set_fault(name, NodeFault::Stopped)
    }

    /// Fault injection healed: a stopped (or cut-off) node's kubelet and runtime carry on
    /// from where they were and report the node's status at once.
    pub fn start_node(&mut self, name: &str) -> Result<(), FaultError> {
        self.set_fault(name, NodeFault::None)
    }

    /// Fault injection: a network partition between the node and the control plane. The
    /// kubelet and its containers keep running, but its requests are lost and it receives
    /// no watch events.
    pub fn cut_off_node(&mut self, name: &str) -> Result<(), FaultError> {
        self.set_fault(name, NodeFault::CutOff)
    }

    /// Fault injection healed: the partition ends; the node reports its status and its pod
    /// watch delivers what it missed.
    pub fn heal_node(&mut self, name: &str) -> Result<(), FaultError> {
        self.set_fault(name, NodeFault::None)
    }

    /// Fault injection: a container of a pod dies now with exit code 1 (`Error`); the
    /// kubelet restarts it by the pod's restartPolicy, with back-off.
    pub fn crash_container(
        &mut self,
        namespace: &str,
        pod: &str,
        container: &str,
    ) -> Result<(), FaultError> {
        let now = self.clock.now();
        let object = self
            .api
            .get(Kind::Pod, namespace, pod)
            .map_err(|_| FaultError::PodNotFound(namespace.to_string(), pod.to_string()))?;
        self.collect_trace();
        let Object::Pod(found) = object.as_ref() else {
            return Err(FaultError::PodNotFound(
                namespace.to_string(),
                pod.to_string(),
            ));
        };
        let uid = found.metadata.uid.clone().unwrap_or_default();
        let node_name = found
            .spec
            .as_ref()
            .and_then(|s| s.node_name.clone())
            .ok_or_else(|| FaultError::PodNotOnNode(pod.to_string()))?;
        let node = self
            .nodes
            .get_mut(&node_name)
            .ok_or(FaultError::NodeNotFound(node_name))?;
        node.runtime.crash_container(now, &uid, container);
        Ok(())
    }

    /// Fault injection: every node pulls images at this bandwidth from now on (a slow
    /// registry).
    pub fn set_registry_bandwidth(&mut self, bytes_per_sec: u64) {
        for node in self.nodes.values_mut() {
            node.runtime.config_mut().bandwidth_bytes_per_sec = bytes_per_sec.max(1);
        }
    }

    /// Counts pods by phase (`Pending`, `Running`, …) and how many are bound to a node.
    pub fn pod_summary(&mut self) -> PodSummary {
        let mut summary = PodSummary::default();
        let Ok(list) = self.api.list(Kind::Pod, None, &ListOptions::default()) else {
            return summary;
        };
        for object in list.items {
            let Object::Pod(pod) = object.as_ref() else {
                continue;
            };
            summary.total += 1;
            if pod
                .spec
                .as_ref()
                .and_then(|s| s.node_name.as_deref())
                .is_some()
            {
                summary.scheduled += 1;
            }
            let phase = pod
                .status
                .as_ref()
                .and_then(|s| s.phase.clone())
                .unwrap_or_default();
            let ready = pod
                .status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
            match phase.as_str() {
                "Running" if ready => summary.running_ready += 1,
                "Running" => summary.running_not_ready += 1,
                "Pending" => summary.pending += 1,
                "Succeeded" | "Failed" => summary.finished += 1,
                _ => summary.pending += 1,
            }
        }
        // Trace the reads above like any other request: they are part of the run.
        self.collect_trace();
        summary
    }
}

/// Pods by state, for progress reports and `play wait`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PodSummary {
    /// All pods.
    pub total: usize,
    /// Pods bound to a node.
    pub scheduled: usize,
    /// Running with every container ready.
    pub running_ready: usize,
    /// Running, not (yet) ready.
    pub running_not_ready: usize,
    /// Pending (unscheduled, pulling, starting).
    pub pending: usize,
    /// Succeeded or Failed.
    pub finished: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::manifest::parse_manifests;

    const WEB: &str = "
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: nginx, image: 'nginx:1.25', resources: {requests: {cpu: 100m}}}
";

    fn deploy_web(world: &mut World) {
        let object = parse_manifests(WEB).unwrap().remove(0);
        world.api().set_user("kubectl");
        world.api().create("default", object).unwrap();
    }

    fn all_running(world: &mut World, want: usize) -> bool {
        let s = world.pod_summary();
        s.total == want && s.running_ready == want
    }

    #[test]
    fn a_fresh_world_registers_its_nodes_with_pod_cidrs() {
        let mut world = World::new(&WorldConfig::default());
        let nodes = world
            .api()
            .list(Kind::Node, None, &ListOptions::default())
            .unwrap();
        let cidrs: Vec<_> = nodes
            .items
            .iter()
            .map(|n| {
                n.to_value()["spec"]["podCIDR"]
                    .as_str()
                    .unwrap_or("")
                    .to_string()
            })
            .collect();
        assert_eq!(nodes.items.len(), 3);
        assert_eq!(cidrs, ["10.244.0.0/24", "10.244.1.0/24", "10.244.2.0/24"]);
    }

    #[test]
    fn nodes_beyond_the_cluster_cidr_get_no_pod_cidr_and_say_so_in_an_event() {
        // A /22 holds four /24 blocks: the fifth node gets none.
        let config = WorldConfig {
            nodes: 5,
            cluster_cidr: "10.244.0.0/22".to_string(),
            ..WorldConfig::default()
        };
        let mut world = World::new(&config);
        let node = world
            .api()
            .get(Kind::Node, "", "node-5")
            .unwrap()
            .to_value();
        assert!(node["spec"]["podCIDR"].is_null(), "{node}");
        let events = world
            .api()
            .list(Kind::Event, None, &ListOptions::default())
            .unwrap();
        let messages: Vec<String> = events
            .items
            .iter()
            .filter_map(|e| match e.as_ref() {
                Object::Event(e) if e.reason.as_deref() == Some("CIDRNotAvailable") => {
                    e.message.clone()
                }
                _ => None,
            })
            .collect();
        assert_eq!(messages, ["Node node-5 status is now: CIDRNotAvailable"]);
    }

    #[test]
    fn a_deployment_becomes_three_running_pods_spread_over_the_nodes() {
        let mut world = World::new(&WorldConfig::default());
        deploy_web(&mut world);
        let deadline = world.now().plus(Duration::from_secs(120));
        assert!(
            world.run_until(deadline, |w| all_running(w, 3)),
            "{:?}",
            world.pod_summary()
        );
        let pods = world
            .api()
            .list(Kind::Pod, Some("default"), &ListOptions::default())
            .unwrap();
        for pod in &pods.items {
            let value = pod.to_value();
            assert!(
                value["status"]["podIP"]
                    .as_str()
                    .unwrap_or("")
                    .starts_with("10.244."),
                "{value}"
            );
            assert!(pod.name().starts_with("web-"));
        }
        let deployment = world
            .api()
            .get(Kind::Deployment, "default", "web")
            .unwrap()
            .to_value();
        // The controller catches up within the next instants.
        world.advance(Duration::from_secs(1));
        let deployment_now = world
            .api()
            .get(Kind::Deployment, "default", "web")
            .unwrap()
            .to_value();
        assert_eq!(
            deployment_now["status"]["availableReplicas"], 3,
            "{deployment}"
        );
    }

    #[test]
    fn the_same_seed_and_requests_give_the_same_trace() {
        let run = |seed: u64| {
            let mut world = World::new(&WorldConfig {
                seed,
                ..WorldConfig::default()
            });
            deploy_web(&mut world);
            world.advance(Duration::from_secs(60));
            (world.trace().hash(), world.trace().len())
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7).0, run(8).0);
    }
}
