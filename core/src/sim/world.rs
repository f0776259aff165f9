//! The `World`: a whole simulated cluster on one virtual clock.
//!
//! It wires the API server (and its store), kube-scheduler, the controller manager, and one
//! kubelet with a simulated container runtime per node. A host (the browser, `kubeplay play`,
//! `kubeplay sim`, a test) sends user requests through [`World::api`] and moves time with
//! [`World::settle`], [`World::advance`] or [`World::run_until`]. Between two instants,
//! components exchange data in a fixed order — watch events out of the API server, ticks,
//! requests back in, runtime commands and results — until nothing moves, so the same seed
//! and the same user requests give the same trace, bit for bit.
//!
//! A round only wakes the nodes that have something to do: those that received watch events
//! or moved messages in the round before, and those whose kubelet or runtime timeout is due
//! (each node keeps its next wakeup time). A node left alone would have done nothing, so
//! skipping it changes no record of the trace; a node woken by watch events first catches
//! its clock up to the previous round, as if it had been ticked there.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use crate::api::objects::{Kind, Object};
use crate::apiserver::{ApiServer, ApiServerEndpoint, ApiWatchId, WatchOptions};
use crate::controllers::ControllerManager;
use crate::kubelet::sim_runtime::logs::{self, ContainerLog, LogsError};
use crate::kubelet::sim_runtime::{SimRuntime, SimRuntimeConfig};
use crate::kubelet::{Kubelet, KubeletConfig};
use crate::network::cidr::Ipv4Cidr;
use crate::network::ipam::ClusterCidrAllocator;
use crate::scheduler::component::KubeScheduler;
use crate::scheduler::Config as SchedulerConfig;
use crate::store::{KvStore, MemoryStore};

use rand_core::RngCore;

use super::clock::{Timestamp, VirtualClock, SIM_EPOCH};
use super::rng::SimRng;
use super::trace::{Trace, TraceSink};

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
    /// At most how many nodes those annotations list per pod (the scheduler's
    /// `explain_max_nodes`; the rest are counted in `kubeplay.dev/explain-omitted-nodes`).
    pub scheduler_annotation_max_nodes: usize,
    /// How many trace records are kept (the hash covers all of them).
    pub trace_records_kept: usize,
    /// The instant the world starts at (a host on the wall clock passes the current time).
    pub start: Timestamp,
    /// Every node's simulated runtime delays and rates.
    pub runtime: SimRuntimeConfig,
    /// How often the store's history is compacted, in virtual time (kube-apiserver's
    /// `--etcd-compaction-interval`, 5 minutes by default; zero never compacts). Each
    /// compaction forgets the revisions older than the one the store had an interval before.
    pub compaction_interval: Duration,
    /// Also compact whenever the store's history holds twice this many revisions, keeping
    /// the last this-many (etcd's `--auto-compaction-mode=revision`); zero turns it off, the
    /// default. Compaction is checked after every round, so a burst within one virtual instant
    /// (thousands of pods created, bound and started at once) does not keep every
    /// intermediate copy of every object until the next interval. `kubeplay sim` uses it.
    pub compaction_retained_revisions: u64,
    /// Where the API server answers (`--advertise-address`, `--secure-port`): the
    /// `kubernetes` Service's endpoints. The simulated control plane's by default; a host
    /// passes its own.
    pub api_server_endpoint: ApiServerEndpoint,
    /// How long the API server keeps an Event after its last write (`--event-ttl`, 1 h).
    pub event_ttl: Duration,
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
            scheduler_annotation_max_nodes: crate::scheduler::explain::DEFAULT_EXPLAIN_MAX_NODES,
            trace_records_kept: 100_000,
            start: SIM_EPOCH,
            runtime: SimRuntimeConfig::default(),
            compaction_interval: Duration::from_secs(5 * 60),
            compaction_retained_revisions: 0,
            api_server_endpoint: ApiServerEndpoint::default(),
            event_ttl: crate::apiserver::event_ttl::DEFAULT_EVENT_TTL,
        }
    }
}

/// How often kube-apiserver's endpoint reconciler checks the `kubernetes` Service's
/// endpoints (`--endpoint-reconciler-type=lease`: every 10 s).
pub const API_ENDPOINT_RECONCILE_INTERVAL: Duration = Duration::from_secs(10);

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

/// Reads a container's log: the pod from the API server, the lines from its node's runtime.
fn read_container_log<A: crate::kubectl::KubectlApi + ?Sized>(
    api: &mut A,
    nodes: &BTreeMap<String, SimNode>,
    namespace: &str,
    pod: &str,
    container: Option<&str>,
    previous: bool,
) -> Result<ContainerLog, LogsError> {
    let object = api
        .get(Kind::Pod, namespace, pod)
        .map_err(|_| LogsError::PodNotFound(pod.to_string()))?;
    let Object::Pod(found) = object.as_ref() else {
        return Err(LogsError::PodNotFound(pod.to_string()));
    };
    let container = logs::choose_container(found, container)?;
    let Some(node_name) = found.node_name() else {
        return Ok(ContainerLog::default());
    };
    let container_id = logs::choose_run(found, &container, previous)?;
    Ok(nodes
        .get(node_name)
        .and_then(|node| node.runtime.container_log(&container_id))
        .unwrap_or_default())
}

/// The simulated nodes' container logs, as core kubectl's `logs` reads them.
struct NodeLogs<'a> {
    nodes: &'a BTreeMap<String, SimNode>,
}

impl crate::kubectl::PodLogs for NodeLogs<'_> {
    fn logs(
        &mut self,
        api: &mut dyn crate::kubectl::KubectlApi,
        namespace: &str,
        pod: &str,
        container: Option<&str>,
        previous: bool,
    ) -> Result<String, String> {
        let log = read_container_log(api, self.nodes, namespace, pod, container, previous)
            .map_err(|error| error.to_string())?;
        Ok(log
            .lines
            .iter()
            .map(|line| format!("{}\n", line.text))
            .collect())
    }
}

/// One simulated node: its kubelet, its runtime, and the kubelet's pod watch.
#[derive(Clone)]
struct SimNode {
    kubelet: Kubelet,
    runtime: SimRuntime,
    pod_watch: ApiWatchId,
    fault: NodeFault,
    /// When the kubelet or the runtime next needs a tick (cached after every round the node
    /// took part in).
    wake_at: Option<Timestamp>,
    /// Whether the node moved messages in the last round it took part in (or was poked from
    /// outside), so it takes part in the next round too.
    busy: bool,
    /// The time of the kubelet's last tick.
    ticked_at: Timestamp,
    /// Whether the node was ticked in the current round (its requests, commands and results
    /// are moved at the end of the round).
    ticked_this_round: bool,
    /// The user its kubelet's requests are made as (`system:node:NAME`).
    user: String,
}

impl SimNode {
    /// Whether the node must take part in a round at `now`.
    fn is_due(&self, now: Timestamp) -> bool {
        self.busy || self.wake_at.is_some_and(|t| t <= now)
    }

    /// Recomputes the cached wakeup time.
    fn refresh_wake_at(&mut self) {
        self.wake_at = match (self.kubelet.poll_timeout(), self.runtime.poll_timeout()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }

    /// Brings the kubelet's clock to `at` if it has not been ticked there: nothing is due by
    /// then (the node would have taken part), so this only moves its clock.
    fn catch_up(&mut self, at: Timestamp) {
        if self.ticked_at < at {
            self.kubelet.handle_tick(at);
            self.ticked_at = at;
        }
    }
}

/// kube-apiserver's compactor on the virtual clock: every interval it compacts the store to
/// the revision it noted one interval before, so at least one interval of history stays
/// readable while older revisions are freed (without it a run keeps every revision of every
/// object: ~6 of a ~14 KB pod each).
#[derive(Clone)]
struct Compactor {
    interval: Duration,
    /// When the next compaction is due.
    next_at: Timestamp,
    /// The store revision noted at the last compaction (or at the start).
    noted_revision: crate::store::Revision,
    /// Revisions kept by the revision-count compaction (0: off).
    retained_revisions: u64,
}

/// A host's monotonic clock, in nanoseconds, that a world may be given to measure how much
/// wall time its components take ([`World::set_stopwatch`]). The simulation never acts on
/// what it reads: it only adds durations up for the host to report, so runs stay
/// deterministic and the core reads no clock of its own.
pub type Stopwatch = fn() -> u64;

/// A simulated cluster, over an in-memory store unless a host hands it another one
/// ([`World::with_store`]).
#[derive(Clone)]
pub struct World<S: KvStore<Object> = MemoryStore<Object>> {
    clock: VirtualClock,
    api: ApiServer<S>,
    scheduler: KubeScheduler,
    scheduler_watches: Vec<ApiWatchId>,
    controllers: ControllerManager,
    controller_watches: Vec<ApiWatchId>,
    nodes: BTreeMap<String, SimNode>,
    trace: Trace,
    /// The instant of the last round (every node that took part was ticked there).
    last_round_at: Timestamp,
    /// The data plane's state for simulated traffic (see [`super::traffic`]).
    pub(super) traffic: super::traffic::TrafficState,
    /// What the world was built with, for nodes added later ([`World::add_nodes`]).
    config: WorldConfig,
    /// The podCIDR blocks still free for nodes added later.
    pod_cidrs: Option<ClusterCidrAllocator>,
    /// What the store held when the world was built on it (empty for a fresh store).
    stored: super::restart::StoredCluster,
    /// When and how far the store's history is compacted.
    compactor: Compactor,
    /// What [`World::pod_summary`] reports, kept from a store watch.
    pod_counts: super::pod_counts::PodCounts,
    /// The host's clock for [`World::scheduler_wall_seconds`], if it gave one.
    stopwatch: Option<Stopwatch>,
    /// Nanoseconds of that clock spent scheduling (see [`World::scheduler_wall_seconds`]).
    scheduler_nanos: u64,
    /// When the API server's endpoint reconciler next runs.
    api_endpoints_next_at: Timestamp,
}

impl World {
    /// Builds the cluster in memory: control plane, then the nodes, each with its podCIDR.
    pub fn new(config: &WorldConfig) -> World {
        World::with_store(config, MemoryStore::new())
    }
}

impl<S: KvStore<Object>> World<S> {
    /// Runs one kubectl command line against this cluster, with `files` for `-f` (`"-"` is
    /// standard input) and the simulated runtime's container logs for `kubectl logs`. The
    /// cluster does not react until the next [`World::settle`] or time step.
    pub fn kubectl(
        &mut self,
        kubectl: &crate::kubectl::Kubectl,
        line: &str,
        files: BTreeMap<String, String>,
    ) -> crate::kubectl::Output {
        let now = self.clock.now();
        let mut logs = NodeLogs { nodes: &self.nodes };
        let mut host = crate::kubectl::Host {
            files,
            logs: Some(&mut logs),
        };
        let output = kubectl.run_with_host(&mut self.api, now, line, &mut host);
        self.collect_trace();
        output
    }

    /// Builds the cluster over `store`: control plane, then the nodes, each with its podCIDR.
    ///
    /// A store that already holds a cluster (a host restarted on its saved state) is adopted
    /// as a cluster after a reboot: see `sim::restart`.
    pub fn with_store(config: &WorldConfig, store: S) -> World<S> {
        let start = config.start;
        let mut rng = SimRng::seed_from(config.seed);
        let stored = super::restart::StoredCluster::read(&store);
        let api_seed = stored.api_seed(rng.next_u64());
        let mut api =
            ApiServer::with_store_advertising(store, api_seed, start, config.api_server_endpoint);
        api.set_event_ttl(config.event_ttl);
        let mut scheduler = KubeScheduler::new(
            SchedulerConfig {
                explain_max_nodes: config.scheduler_annotation_max_nodes,
                ..SchedulerConfig::default()
            },
            SimRng::seed_from(rng.next_u64()),
        );
        scheduler.publish_annotations = config.scheduler_annotations;
        let all = WatchOptions::default();
        let scheduler_watches = [Kind::Node, Kind::Pod]
            .iter()
            .filter_map(|kind| api.watch(*kind, None, &all).ok())
            .collect();
        let traffic = super::traffic::TrafficState::new(rng.next_u64(), config);
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
            last_round_at: start,
            traffic,
            config: config.clone(),
            pod_cidrs: None,
            stored,
            compactor: Compactor {
                interval: config.compaction_interval,
                retained_revisions: config.compaction_retained_revisions,
                next_at: start.plus(config.compaction_interval),
                noted_revision: 0,
            },
            pod_counts: super::pod_counts::PodCounts::default(),
            stopwatch: None,
            scheduler_nanos: 0,
            api_endpoints_next_at: start.plus(API_ENDPOINT_RECONCILE_INTERVAL),
        };
        if config.trace_records_kept == 0 {
            // Nothing is kept, only hashed: the API server folds its records into the trace
            // as it makes them instead of holding a round's worth until the round ends.
            let trace = std::mem::replace(&mut world.trace, Trace::keeping_last(0));
            world.api.trace_sink_mut().fold_into(trace);
        }
        world.pod_cidrs = config
            .cluster_cidr
            .parse::<Ipv4Cidr>()
            .ok()
            .and_then(|cidr| ClusterCidrAllocator::new(cidr, config.node_cidr_mask_size).ok());
        world.stored.occupy_pod_cidrs(world.pod_cidrs.as_mut());
        world.add_nodes(config.nodes);
        world
    }

    /// Adds `count` nodes to the running cluster, named after the last (`node-4` …), each
    /// with the next free podCIDR and the resources of the world's config; they register at
    /// once. Returns their names.
    pub fn add_nodes(&mut self, count: usize) -> Vec<String> {
        let config = self.config.clone();
        let mut added = Vec::new();
        let mut without_cidr = Vec::new();
        let mut index = self.nodes.len();
        while added.len() < count {
            index += 1;
            let name = format!("node-{index}");
            if self.nodes.contains_key(&name) {
                continue;
            }
            // A node the store already held keeps its block (and was told about a missing one).
            let stored = self.stored.pod_cidr_of(&name);
            let pod_cidr = match stored {
                Some(cidr) => cidr,
                None => self.pod_cidrs.as_mut().and_then(|a| a.allocate_next().ok()),
            };
            if pod_cidr.is_none() && stored.is_none() {
                without_cidr.push(name.clone());
            }
            self.add_node(&config, &name, index, pod_cidr);
            added.push(name);
        }
        self.settle();
        self.report_nodes_without_pod_cidr(&without_cidr);
        added
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
        let mut kubelet = Kubelet::new(kubelet_config, now);
        let mut runtime = SimRuntime::new(config.runtime.clone(), pod_cidr, now);
        self.stored
            .rejoin_node(name, &mut kubelet, &mut runtime, &mut self.api);
        self.nodes.insert(
            name.to_string(),
            SimNode {
                kubelet,
                runtime,
                pod_watch,
                fault: NodeFault::None,
                wake_at: None,
                busy: true,
                ticked_at: now,
                ticked_this_round: false,
                user: format!("system:node:{name}"),
            },
        );
    }

    /// The API server, for user requests (`kubectl`): set the user with
    /// [`ApiServer::set_user`], then call [`World::settle`] to let the cluster react.
    pub fn api(&mut self) -> &mut ApiServer<S> {
        &mut self.api
    }

    /// Whether the world was built on a store that already held a cluster (a restarted
    /// host): its nodes rejoined as after a reboot (see `sim::restart`).
    pub fn is_recovered(&self) -> bool {
        self.stored.is_recovered()
    }

    /// The current virtual time.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The trace so far (its hash covers every record).
    pub fn trace(&self) -> &Trace {
        self.api.trace_sink().trace().unwrap_or(&self.trace)
    }

    /// The trace, to append records to after the API server's (call
    /// [`World::collect_trace`] first).
    fn trace_mut(&mut self) -> &mut Trace {
        match self.api.trace_sink_mut() {
            TraceSink::Direct(trace) => trace,
            TraceSink::Buffered(_) => &mut self.trace,
        }
    }

    /// Appends records to the trace (for parts of the world that live in other files).
    pub(super) fn record_trace(
        &mut self,
        records: impl IntoIterator<Item = super::trace::TraceRecord>,
    ) {
        self.collect_trace();
        self.trace_mut().extend(records);
    }

    /// The names of the simulated nodes.
    pub fn node_names(&self) -> Vec<String> {
        self.nodes.keys().cloned().collect()
    }

    /// A node's simulated container runtime, read-only (its image cache and the registry's
    /// catalogue, for the UI's image view); None for an unknown node.
    pub fn node_runtime(&self, name: &str) -> Option<&SimRuntime> {
        self.nodes.get(name).map(|node| &node.runtime)
    }

    /// Who reads each watch the world holds open on the API server: (watch id, the user
    /// name of its reader as the trace names it: `system:kube-scheduler`,
    /// `system:kube-controller-manager`, `system:node:NAME`). The control-plane map uses it to
    /// draw a watch delivery towards its reader.
    pub fn watch_owners(&self) -> Vec<(u64, String)> {
        let scheduler = self
            .scheduler_watches
            .iter()
            .map(|id| (id.0, "system:kube-scheduler".to_string()));
        let controllers = self
            .controller_watches
            .iter()
            .map(|id| (id.0, "system:kube-controller-manager".to_string()));
        let nodes = self
            .nodes
            .iter()
            .map(|(name, node)| (node.pod_watch.0, format!("system:node:{name}")));
        scheduler.chain(controllers).chain(nodes).collect()
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
            self.compact_if_history_is_long();
            if moved == 0 {
                break;
            }
        }
        self.compact_if_due(now);
        self.reconcile_api_endpoints_if_due(now);
        moved_total
    }

    /// kube-apiserver's endpoint reconciler, every [`API_ENDPOINT_RECONCILE_INTERVAL`]: puts
    /// the `kubernetes` Endpoints and EndpointSlice back if someone deleted or changed them;
    /// and the expired Events' deletion.
    fn reconcile_api_endpoints_if_due(&mut self, now: Timestamp) {
        if now < self.api_endpoints_next_at {
            return;
        }
        self.api_endpoints_next_at = now.plus(API_ENDPOINT_RECONCILE_INTERVAL);
        let user = self.api.user().to_string();
        self.api.set_user("system:apiserver");
        if self.api.reconcile_kubernetes_endpoints() > 0 {
            self.collect_trace();
        }
        self.api.set_user(&user);
        // etcd deletes the Events whose leases ran out (see `apiserver::event_ttl`); on the
        // same tick, so a due expiry scan runs at most every interval.
        if self.api.expire_events() > 0 {
            self.collect_trace();
        }
    }

    /// Compacts the store when the compactor is due: to the revision noted an interval ago,
    /// and never above the slowest watch's cursor (a watch still replaying from the key
    /// histories would end). Every component here is fed by watches, which read the store's
    /// watch log rather than the histories, so none of them needs the old revisions.
    fn compact_if_due(&mut self, now: Timestamp) {
        let compactor = &self.compactor;
        if compactor.interval.is_zero() || now < compactor.next_at {
            return;
        }
        self.compact_towards(compactor.noted_revision);
        self.compactor.noted_revision = self.api.current_revision();
        self.compactor.next_at = now.plus(self.compactor.interval);
    }

    /// The revision-count compaction ([`WorldConfig::compaction_retained_revisions`]): when
    /// the history since the last compaction is twice the retained count, compacts to the
    /// retained count back (never above the slowest watch's cursor).
    fn compact_if_history_is_long(&mut self) {
        let retained = self.compactor.retained_revisions;
        if retained == 0 {
            return;
        }
        let current = self.api.current_revision();
        let compacted = self.api.store().compact_revision();
        if current.saturating_sub(compacted) < retained.saturating_mul(2) {
            return;
        }
        self.compact_towards(current.saturating_sub(retained));
    }

    /// Compacts the store to `wanted`, or to the slowest watch's cursor when that is older,
    /// after draining the pod counts' watch (only drained when asked) so it holds nothing back.
    fn compact_towards(&mut self, wanted: crate::store::Revision) {
        self.pod_counts.catch_up(self.api.store_mut(), false);
        let store = self.api.store();
        let target = store
            .oldest_watch_cursor()
            .map_or(wanted, |cursor| cursor.min(wanted));
        if target > store.compact_revision() {
            // Refused only for a revision already compacted: nothing to do then.
            let _ = self.api.compact(target);
        }
    }

    /// Gives the world the host's clock, to measure [`World::scheduler_wall_seconds`].
    pub fn set_stopwatch(&mut self, stopwatch: Stopwatch) {
        self.stopwatch = Some(stopwatch);
    }

    /// Wall-clock seconds the scheduler took, by the clock [`World::set_stopwatch`] gave (0
    /// without one): the scheduler's watch events (its cache), its scheduling cycles, and its
    /// Binding requests through the API server — a pod is scheduled once it is bound, as
    /// kube-scheduler's own throughput counts it.
    pub fn scheduler_wall_seconds(&self) -> f64 {
        self.scheduler_nanos as f64 / 1e9
    }

    /// Adds the time since `started` (read from the stopwatch) to the scheduler's.
    fn add_scheduler_time(&mut self, started: Option<u64>) {
        if let (Some(now), Some(started)) = (self.stopwatch, started) {
            self.scheduler_nanos += now().saturating_sub(started);
        }
    }

    fn collect_trace(&mut self) {
        let records = self.api.poll_trace();
        self.trace.extend(records);
    }

    /// One round of message passing at `now`.
    fn round(&mut self, now: Timestamp) -> usize {
        let mut moved = 0;
        // Watch events out of the API server.
        let scheduling = self.stopwatch.map(|now| now());
        for id in &self.scheduler_watches {
            for event in self.api.poll_watch(*id).unwrap_or_default() {
                self.scheduler.handle_watch_event(&event);
                moved += 1;
            }
        }
        self.add_scheduler_time(scheduling);
        for id in &self.controller_watches {
            for event in self.api.poll_watch(*id).unwrap_or_default() {
                self.controllers.handle_watch_event(&event);
                moved += 1;
            }
        }
        let last_round_at = self.last_round_at;
        for node in self.nodes.values_mut() {
            if node.fault != NodeFault::None {
                // The events wait in the API server's watch until the node is back.
                continue;
            }
            let events = self.api.poll_watch(node.pod_watch).unwrap_or_default();
            if events.is_empty() {
                continue;
            }
            node.catch_up(last_round_at);
            node.busy = true;
            for event in events {
                match event.event_type {
                    crate::apiserver::WatchEventType::Deleted => {
                        node.kubelet.handle_pod_deleted(&event.object)
                    }
                    _ => node.kubelet.handle_pod(Arc::clone(&event.object)),
                }
                moved += 1;
            }
        }
        // Every watch has read up to now: the revisions the deliveries superseded can go
        // before this round's writes add new ones (in a start-up burst, a pod's created
        // revision would otherwise live on next to its bound one and its first status).
        self.compact_if_history_is_long();
        // Ticks.
        let scheduling = self.stopwatch.map(|now| now());
        self.scheduler.handle_tick(now);
        self.add_scheduler_time(scheduling);
        self.controllers.handle_tick(now);
        for node in self.nodes.values_mut() {
            if node.fault == NodeFault::Stopped || !node.is_due(now) {
                continue;
            }
            node.kubelet.handle_tick(now);
            node.runtime.handle_tick(now);
            node.ticked_at = now;
            node.ticked_this_round = true;
        }
        // Requests back into the API server, runtime commands and results.
        self.api.set_user("system:kube-scheduler");
        let scheduling = self.stopwatch.map(|now| now());
        while let Some(request) = self.scheduler.poll_api_request() {
            let _ = self.api.handle(request);
            moved += 1;
        }
        self.add_scheduler_time(scheduling);
        // The scheduler's notes (preemptions) follow the requests they explain.
        self.collect_trace();
        let notes = self.scheduler.poll_trace();
        self.trace_mut().extend(notes);
        self.api.set_user("system:kube-controller-manager");
        while let Some(request) = self.controllers.poll_api_request() {
            let result = self.api.handle(request.clone());
            self.controllers.handle_api_result(&request, &result);
            moved += 1;
        }
        // Only the nodes ticked above can have anything queued.
        for node in self.nodes.values_mut() {
            if !std::mem::take(&mut node.ticked_this_round) {
                continue;
            }
            let mut node_moved = 0;
            match node.fault {
                NodeFault::Stopped => continue,
                NodeFault::CutOff => {
                    // Lost on the way: the kubelet moves on as if the network ate them.
                    while node.kubelet.poll_api_request().is_some() {
                        node_moved += 1;
                    }
                }
                NodeFault::None => {
                    self.api.set_user(&node.user);
                    while let Some(request) = node.kubelet.poll_api_request() {
                        let _ = self.api.handle(request);
                        node_moved += 1;
                    }
                }
            }
            while let Some(command) = node.kubelet.poll_runtime_command() {
                node.runtime.handle_command(now, command);
                node_moved += 1;
            }
            while let Some(result) = node.runtime.poll_result() {
                node.kubelet.handle_runtime_result(result);
                node_moved += 1;
            }
            node.busy = node_moved > 0;
            node.refresh_wake_at();
            moved += node_moved;
        }
        self.last_round_at = now;
        moved
    }

    /// When some component next needs waking, if ever.
    pub fn next_wakeup(&self) -> Option<Timestamp> {
        let now = self.clock.now();
        let nodes = self
            .nodes
            .values()
            .filter(|n| n.fault != NodeFault::Stopped)
            .map(|n| n.wake_at);
        [
            self.scheduler.poll_timeout(),
            self.controllers.poll_timeout(),
        ]
        .into_iter()
        .chain(nodes)
        .flatten()
        .map(|t| t.max(now))
        .min()
    }

    /// Moves time forward by `duration`, waking components at each of their timeouts on the
    /// way.
    pub fn advance(&mut self, duration: Duration) {
        let until = self.clock.now().plus(duration);
        self.run_until(until, |_| false);
    }

    /// Moves time forward to `instant` (nothing if it is not later than now), waking
    /// components at each of their timeouts on the way; everything due by then has happened.
    pub fn advance_to(&mut self, instant: Timestamp) {
        self.run_until(instant, |_| false);
    }

    /// What a pod's container printed, as `kubectl logs` reads it: `container` may be left
    /// out when the pod has one container; `previous` reads the run before the current one.
    /// A pod not yet bound to a node has an empty log.
    pub fn container_logs(
        &mut self,
        namespace: &str,
        pod: &str,
        container: Option<&str>,
        previous: bool,
    ) -> Result<ContainerLog, LogsError> {
        let log = read_container_log(
            &mut self.api,
            &self.nodes,
            namespace,
            pod,
            container,
            previous,
        );
        self.collect_trace();
        log
    }

    /// Runs until `deadline`, or until `done` says so after an instant has settled. Returns
    /// whether `done` was reached.
    pub fn run_until(
        &mut self,
        deadline: Timestamp,
        mut done: impl FnMut(&mut World<S>) -> bool,
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
        node.busy = true;
        node.refresh_wake_at();
        if fault == NodeFault::None && was != NodeFault::None {
            // Back in touch, the kubelet finds its Node's status in the API differs from its
            // own (the node controller set it Unknown) and posts it at once.
            node.kubelet.handle_tick(now);
            node.ticked_at = now;
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
            .node_name()
            .map(str::to_string)
            .ok_or_else(|| FaultError::PodNotOnNode(pod.to_string()))?;
        let node = self
            .nodes
            .get_mut(&node_name)
            .ok_or(FaultError::NodeNotFound(node_name))?;
        node.runtime.crash_container(now, &uid, container);
        node.busy = true;
        node.refresh_wake_at();
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
    /// The counts are kept from a store watch (`sim::pod_counts`), not by listing every
    /// pod: this is the world's own bookkeeping, not a request, and leaves no trace records.
    pub fn pod_summary(&mut self) -> PodSummary {
        self.pod_counts.summary(self.api.store_mut())
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
    use crate::apiserver::ListOptions;

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
                Object::Event(e) if e.reason() == Some("CIDRNotAvailable") => {
                    e.message().map(str::to_string)
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
    fn the_compactor_frees_history_older_than_one_interval_and_keeps_the_rest() {
        use crate::store::KvStore;
        let mut world = World::new(&WorldConfig {
            compaction_interval: Duration::from_secs(1),
            ..WorldConfig::default()
        });
        deploy_web(&mut world);
        world.advance(Duration::from_secs(1));
        let noted = world.api().current_revision();
        world.advance(Duration::from_secs(30));
        let compacted = world.api().store().compact_revision();
        assert!(compacted >= noted, "{compacted} < {noted}");
        assert!(compacted <= world.api().current_revision());
        assert!(all_running(&mut world, 3));
    }

    #[test]
    fn revision_count_compaction_keeps_the_history_short_without_changing_the_run() {
        use crate::store::KvStore;
        let run = |retained: u64| {
            let mut world = World::new(&WorldConfig {
                compaction_interval: Duration::ZERO,
                compaction_retained_revisions: retained,
                ..WorldConfig::default()
            });
            deploy_web(&mut world);
            world.advance(Duration::from_secs(30));
            let history = world.api().current_revision() - world.api().store().compact_revision();
            assert!(all_running(&mut world, 3));
            (history, world.trace().hash())
        };
        let (history_off, hash_off) = run(0);
        let (history_on, hash_on) = run(5);
        assert!(history_off > 10, "{history_off}");
        // Checked after every round: at most twice the retained count, plus one round's writes.
        assert!(history_on < 10 + 5, "{history_on}");
        assert_eq!(
            hash_on, hash_off,
            "compaction is invisible to the components"
        );
    }

    #[test]
    fn without_a_compaction_interval_every_revision_stays() {
        use crate::store::KvStore;
        let mut world = World::new(&WorldConfig {
            compaction_interval: Duration::ZERO,
            ..WorldConfig::default()
        });
        deploy_web(&mut world);
        world.advance(Duration::from_secs(30));
        assert_eq!(world.api().store().compact_revision(), 0);
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

    #[test]
    fn a_world_keeping_no_records_hashes_the_same_trace_as_one_keeping_them_all() {
        let run = |kept: usize| {
            let mut world = World::new(&WorldConfig {
                trace_records_kept: kept,
                ..WorldConfig::default()
            });
            deploy_web(&mut world);
            world.advance(Duration::from_secs(7));
            world.stop_node("node-2").unwrap();
            world.advance(Duration::from_secs(60));
            (
                world.trace().hash(),
                world.trace().len(),
                world.trace().records().count(),
            )
        };
        let (all_hash, all_len, all_kept) = run(usize::MAX);
        let (none_hash, none_len, none_kept) = run(0);
        assert_eq!(none_hash, all_hash);
        assert_eq!(none_len, all_len);
        assert_eq!(all_kept as u64, all_len);
        assert_eq!(none_kept, 0);
        assert!(world_api_sink_folds(0));
        assert!(!world_api_sink_folds(10));
    }

    fn world_api_sink_folds(kept: usize) -> bool {
        let mut world = World::new(&WorldConfig {
            trace_records_kept: kept,
            ..WorldConfig::default()
        });
        world.api().trace_sink().trace().is_some()
    }

    #[test]
    fn a_cloned_world_runs_on_exactly_as_the_original() {
        let mut world = World::new(&WorldConfig::default());
        deploy_web(&mut world);
        world.advance(Duration::from_secs(7));
        let mut copy = world.clone();
        for each in [&mut world, &mut copy] {
            each.stop_node("node-2").unwrap();
            each.advance(Duration::from_secs(400));
        }
        assert_eq!(copy.trace().hash(), world.trace().hash());
        assert_eq!(copy.trace().len(), world.trace().len());
        assert_eq!(copy.now(), world.now());
    }
}
