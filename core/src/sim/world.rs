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

/// One simulated node: its kubelet, its runtime, and the kubelet's pod watch.
struct SimNode {
    kubelet: Kubelet,
    runtime: SimRuntime,
    pod_watch: ApiWatchId,
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
        for i in 1..=config.nodes {
            let pod_cidr = cidrs.as_mut().and_then(|a| a.allocate_next().ok());
            world.add_node(config, &format!("node-{i}"), i, pod_cidr);
        }
        world.settle();
        world
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
            node.kubelet.handle_tick(now);
            node.runtime.handle_tick(now);
        }
        // Requests back into the API server, runtime commands and results.
        self.api.set_user("system:kube-scheduler");
        while let Some(request) = self.scheduler.poll_api_request() {
            let _ = self.api.handle(request);
            moved += 1;
        }
        self.api.set_user("system:kube-controller-manager");
        while let Some(request) = self.controllers.poll_api_request() {
            let result = self.api.handle(request.clone());
            self.controllers.handle_api_result(&request, &result);
            moved += 1;
        }
        for (name, node) in self.nodes.iter_mut() {
            self.api.set_user(&format!("system:node:{name}"));
            while let Some(request) = node.kubelet.poll_api_request() {
                let _ = self.api.handle(request);
                moved += 1;
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
        for node in self.nodes.values() {
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
