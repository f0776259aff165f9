//! The core's whole cluster on its own thread, on the wall clock, and the handle HTTP handlers
//! talk to it through.
//!
//! [`World`] holds the API server, kube-scheduler, the controller manager and one simulated
//! kubelet per node. It is single-threaded and deterministic (the API server holds the
//! admission chain as a plain `Box<dyn …>`, so it is not even `Send`). The node host therefore
//! gives it one OS thread, an actor, which loops:
//!
//! 1. wait for a job (a closure sent with [`Cluster::call`] or [`Cluster::call_world`]), but
//!    no longer than until the world's next timer ([`World::next_wakeup`]) or
//!    [`IDLE_TICK`], so pods progress when no client asks anything;
//! 2. move the world to the wall clock ([`World::advance_to`]), so every timer due by now
//!    (image pulls, container starts, heartbeats, controller resyncs) has fired;
//! 3. run the job, and the jobs that queued meanwhile;
//! 4. settle ([`World::settle`]) so the controllers, the scheduler and the kubelets react to
//!    what the jobs wrote; then make the turn's writes durable with one fsync (group commit,
//!    [`DurableStore::save_in_groups`]) and only then answer each job on its oneshot channel;
//! 5. when the store's revision moved, publish it on a `tokio::sync::watch` channel; every
//!    open HTTP watch stream waits on it and then polls its core watch
//!    ([`ApiServer::poll_watch`]) through the actor. Likewise the trace's length
//!    ([`Cluster::trace_lengths`]), which live mode's trace streams wait on.
//!
//! The world keeps the last [`ClusterConfig::trace_keep`] trace records (a bounded ring, so a
//! server left running holds at most that many); live mode ([`super::live`]) reads them.
//!
//! The world's store is a [`ClusterStore`]: the [`DurableStore`] of the data directory for
//! `kubeplay serve` ([`Cluster::start_on_disk`]), where every write is on disk before it is
//! answered and a restart brings the cluster back (see [`kubeplay_core::sim::world::World::with_store`]:
//! the simulated nodes rejoin as after a reboot), or plain memory for tests
//! ([`Cluster::start`]). If the disk fails, the store refuses every later request; the actor
//! then stops and reports why on [`Cluster::failure`], and the server exits.

use std::sync::mpsc;
use std::time::Duration;

use kubeplay_core::api::objects::{Kind, Object};
use kubeplay_core::apiserver::event_ttl::DEFAULT_EVENT_TTL;
use kubeplay_core::apiserver::registry::list_prefix;
use kubeplay_core::apiserver::{ApiServer, ApiServerEndpoint};
use kubeplay_core::kubelet::sim_runtime::SimRuntimeConfig;
use kubeplay_core::network::cidr::Ipv4Cidr;
use kubeplay_core::network::ipam::{
    default_cluster_cidr_for, is_wider_than_default, node_block_count, DEFAULT_NODE_CIDR_MASK_SIZE,
};
use kubeplay_core::sim::clock::Timestamp;
use kubeplay_core::sim::world::{World, WorldConfig};
use kubeplay_core::store::{
    CompactResponse, DeleteRangeRequest, DeleteRangeResponse, KeyRange, KvStore, MemoryStore,
    PutRequest, PutResponse, RangeRequest, RangeResponse, Revision, StoreError, TxnRequest,
    TxnResponse, WatchEvent, WatchId, WatchRequest,
};
use tokio::sync::{oneshot, watch};

use crate::storage::DurableStore;

/// The API server of the node host's cluster.
pub type ClusterApi = ApiServer<ClusterStore>;

/// The node host's whole simulated cluster.
pub type ClusterWorld = World<ClusterStore>;

/// A job for the actor thread: it runs on the world and returns how to answer, which the
/// actor does only once the turn's writes are on disk.
type Job = Box<dyn FnOnce(&mut ClusterWorld) -> Answer + Send>;

/// Sends a job's result to whoever is waiting for it.
type Answer = Box<dyn FnOnce() + Send>;

/// The longest the actor sleeps without looking at the clock, so the world keeps up with it
/// even when no component asked to be woken.
pub const IDLE_TICK: Duration = Duration::from_millis(100);

/// The shortest wait between two moves of the clock.
const MIN_WAIT: Duration = Duration::from_millis(1);

/// How many queued jobs the actor runs between two moves of the clock.
const JOBS_PER_TURN: usize = 64;

/// The user requests over HTTP are made as (the admin kubeconfig's user).
pub(crate) const ADMIN_USER: &str = "kubeplay-admin";

/// How the cluster behind `kubeplay serve` is built.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterConfig {
    /// How many simulated nodes (`node-1` … `node-N`); 0 leaves pods Pending.
    pub sim_nodes: usize,
    /// How much faster than the realistic defaults simulated image pulls, sandbox and
    /// container starts run (1.0: realistic; 10.0: ten times faster).
    pub sim_speed: f64,
    /// How many of the latest trace records the server keeps for live mode (0 keeps none and
    /// turns the trace endpoint off).
    pub trace_keep: usize,
    /// The cluster CIDR cut into one /24 podCIDR per node (kube-controller-manager's
    /// `--cluster-cidr`), as given; `None` takes 10.244.0.0/16 widened to hold every
    /// simulated node (see [`ClusterConfig::pod_cidr_plan`]).
    pub cluster_cidr: Option<Ipv4Cidr>,
    /// Which kube-scheduler-simulator annotations the scheduler writes on each pod it tries
    /// (`--scheduler-annotations`).
    pub scheduler_annotations: SchedulerAnnotations,
    /// Where the API server answers, written into the `kubernetes` Service's endpoints
    /// (`--advertise-address`; see [`super::advertise::advertise_endpoint`]).
    pub api_server_endpoint: ApiServerEndpoint,
    /// How long an Event is kept after its last write (kube-apiserver's `--event-ttl`; zero
    /// keeps them for good).
    pub event_ttl: Duration,
}

/// How many nodes `--scheduler-annotations auto` lists per pod: every evaluated node on a
/// cluster of up to this many, else this many (the chosen node, one node per distinct filter
/// failure, the best scores), the others counted in `kubeplay.dev/explain-omitted-nodes`.
/// Each listed node costs ~440 bytes per pod: 100 of them (the core's cap) made 44 KB of a
/// 53 KB pod at 300 nodes.
pub const AUTO_ANNOTATION_NODES: usize = 20;

/// Which kube-scheduler-simulator annotations (`scheduler-simulator/filter-result`,
/// `score-result`, `finalscore-result`: per node and plugin) the scheduler writes on each pod.
/// They are what the web page's Scheduler explain view shows; each listed node costs ~440
/// bytes per pod in the store, its log and its snapshots.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SchedulerAnnotations {
    /// Every evaluated node up to [`AUTO_ANNOTATION_NODES`], that many on bigger clusters.
    #[default]
    Auto,
    /// Up to 100 nodes (the scheduler's cap, kube-scheduler's `minFeasibleNodesToFind`).
    On,
    /// None: the explain view has nothing to show.
    Off,
    /// Up to this many nodes (0 is [`SchedulerAnnotations::Off`]).
    Nodes(usize),
}

impl SchedulerAnnotations {
    /// At most how many nodes each pod's annotations list; 0 writes none.
    pub fn max_nodes(self) -> usize {
        match self {
            SchedulerAnnotations::Auto => AUTO_ANNOTATION_NODES,
            SchedulerAnnotations::On => WorldConfig::default().scheduler_annotation_max_nodes,
            SchedulerAnnotations::Off => 0,
            SchedulerAnnotations::Nodes(nodes) => nodes,
        }
    }
}

impl std::fmt::Display for SchedulerAnnotations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SchedulerAnnotations::Auto => f.write_str("auto"),
            SchedulerAnnotations::On => f.write_str("on"),
            SchedulerAnnotations::Off => f.write_str("off"),
            SchedulerAnnotations::Nodes(nodes) => write!(f, "{nodes}"),
        }
    }
}

/// Parses a `--scheduler-annotations` value: `auto`, `on`, `off` or a number of nodes.
pub fn parse_scheduler_annotations(text: &str) -> Result<SchedulerAnnotations, String> {
    match text.trim() {
        "auto" => Ok(SchedulerAnnotations::Auto),
        "on" => Ok(SchedulerAnnotations::On),
        "off" => Ok(SchedulerAnnotations::Off),
        other => match other.parse::<usize>() {
            Ok(0) => Ok(SchedulerAnnotations::Off),
            Ok(nodes) => Ok(SchedulerAnnotations::Nodes(nodes)),
            Err(_) => Err(format!(
                "{text:?} is not auto, on, off or a number of nodes to list per pod"
            )),
        },
    }
}

/// Reads `--event-ttl` as kube-apiserver does (a Go duration: `1h`, `30m`, `1h30m`, `0` for
/// no expiry).
pub fn parse_event_ttl(text: &str) -> Result<Duration, String> {
    use kubeplay_core::play::units::{parse_duration, UnitError};
    parse_duration(text.trim()).map_err(|error| {
        let what = match error {
            UnitError::Negative(_) => format!("time: negative duration \"{text}\""),
            other => other.to_string(),
        };
        format!("{what}: give a duration like 1h, 30m or 1h30m (0 keeps Events for good)")
    })
}

/// The narrowest cluster CIDR `--cluster-cidr` accepts is one node block (/24); the widest
/// is 2^16 blocks (/8), Kubernetes' `cidrset` limit.
const NARROWEST_CLUSTER_PREFIX: u8 = DEFAULT_NODE_CIDR_MASK_SIZE;
const WIDEST_CLUSTER_PREFIX: u8 = DEFAULT_NODE_CIDR_MASK_SIZE - 16;

/// Which cluster CIDR a run uses and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PodCidrPlan {
    /// The cluster CIDR.
    pub cluster_cidr: Ipv4Cidr,
    /// How many node podCIDRs (/24) it holds.
    pub capacity: u64,
    /// The default was widened beyond 10.244.0.0/16 to hold every simulated node.
    pub widened: bool,
    /// `--cluster-cidr` was given.
    pub explicit: bool,
    /// How many simulated nodes cannot get a podCIDR from it (0 when all fit): they get a
    /// `CIDRNotAvailable` event and their pods stay ContainerCreating.
    pub nodes_without_room: usize,
}

/// Parses a `--cluster-cidr` value: an IPv4 CIDR from /8 to /24 (each node gets a /24).
pub fn parse_cluster_cidr(text: &str) -> Result<Ipv4Cidr, String> {
    let cidr: Ipv4Cidr = text
        .trim()
        .parse()
        .map_err(|error| format!("{text:?} is not an IPv4 CIDR such as 10.244.0.0/16: {error}"))?;
    let prefix = cidr.prefix_len();
    if !(WIDEST_CLUSTER_PREFIX..=NARROWEST_CLUSTER_PREFIX).contains(&prefix) {
        return Err(format!(
            "{text:?} has a /{prefix} prefix; the cluster CIDR must be from /{WIDEST_CLUSTER_PREFIX} \
             (65,536 nodes) to /{NARROWEST_CLUSTER_PREFIX} (one node), as each node gets a \
             /{DEFAULT_NODE_CIDR_MASK_SIZE}"
        ));
    }
    Ok(cidr)
}

impl ClusterConfig {
    /// The cluster CIDR this configuration uses: `cluster_cidr` as given, else the core's
    /// [`default_cluster_cidr_for`] `sim_nodes` (10.244.0.0/16 widened one bit at a time up
    /// to 10.128.0.0/9; `kubeplay sim` uses the same rule). Every widened range contains the
    /// default one, so nodes a smaller run stored keep their podCIDRs.
    pub fn pod_cidr_plan(&self) -> PodCidrPlan {
        let (cluster_cidr, widened) = match self.cluster_cidr {
            Some(cidr) => (cidr, false),
            None => {
                let cidr = default_cluster_cidr_for(self.sim_nodes);
                (cidr, is_wider_than_default(cidr))
            }
        };
        let capacity = node_block_count(cluster_cidr);
        PodCidrPlan {
            cluster_cidr,
            capacity,
            widened,
            explicit: self.cluster_cidr.is_some(),
            nodes_without_room: usize::try_from((self.sim_nodes as u64).saturating_sub(capacity))
                .unwrap_or(usize::MAX),
        }
    }
}

/// How many trace records `kubeplay serve` keeps unless told otherwise: a few minutes of a
/// busy small cluster, a few megabytes of memory.
pub const DEFAULT_TRACE_KEEP: usize = 20_000;

impl Default for ClusterConfig {
    fn default() -> ClusterConfig {
        ClusterConfig {
            sim_nodes: 1,
            sim_speed: 1.0,
            trace_keep: DEFAULT_TRACE_KEEP,
            cluster_cidr: None,
            scheduler_annotations: SchedulerAnnotations::Auto,
            api_server_endpoint: ApiServerEndpoint::SIMULATED,
            event_ttl: DEFAULT_EVENT_TTL,
        }
    }
}

/// The runtime's delays divided by `speed` and its rates multiplied by it. A speed that is
/// not a positive finite number counts as 1.
pub fn scaled_runtime(speed: f64) -> SimRuntimeConfig {
    let speed = if speed.is_finite() && speed > 0.0 {
        speed
    } else {
        1.0
    };
    let base = SimRuntimeConfig::default();
    let delay = |d: Duration| d.div_f64(speed);
    let rate = |r: u64| {
        let scaled = (r as f64 * speed).round();
        if scaled >= u64::MAX as f64 {
            u64::MAX
        } else {
            (scaled as u64).max(1)
        }
    };
    SimRuntimeConfig {
        bandwidth_bytes_per_sec: rate(base.bandwidth_bytes_per_sec),
        extraction_bytes_per_sec: rate(base.extraction_bytes_per_sec),
        registry_latency: delay(base.registry_latency),
        sandbox_latency: delay(base.sandbox_latency),
        create_latency: delay(base.create_latency),
        start_latency: delay(base.start_latency),
        probe_latency: delay(base.probe_latency),
        remove_sandbox_latency: delay(base.remove_sandbox_latency),
    }
}

/// Where the cluster keeps its objects.
#[derive(Debug)]
pub enum ClusterStore {
    /// In memory only: gone when the process ends (tests).
    Memory(MemoryStore<Object>),
    /// On disk in the data directory: every write is saved before it is answered.
    Durable(Box<DurableStore>),
}

impl ClusterStore {
    /// Why the store stopped accepting requests (its disk failed), if it did.
    pub fn failure(&self) -> Option<&str> {
        match self {
            ClusterStore::Memory(_) => None,
            ClusterStore::Durable(store) => store.failure(),
        }
    }
}

/// Runs the same call on whichever store it is.
macro_rules! on_store {
    ($self:expr, $store:ident => $call:expr) => {
        match $self {
            ClusterStore::Memory($store) => $call,
            ClusterStore::Durable($store) => $call,
        }
    };
}

impl KvStore<Object> for ClusterStore {
    fn current_revision(&self) -> Revision {
        on_store!(self, s => s.current_revision())
    }

    fn compact_revision(&self) -> Revision {
        on_store!(self, s => s.compact_revision())
    }

    fn range(&self, request: &RangeRequest) -> Result<RangeResponse<Object>, StoreError> {
        on_store!(self, s => s.range(request))
    }

    fn put(&mut self, request: PutRequest<Object>) -> Result<PutResponse<Object>, StoreError> {
        on_store!(self, s => s.put(request))
    }

    fn delete_range(
        &mut self,
        request: &DeleteRangeRequest,
    ) -> Result<DeleteRangeResponse<Object>, StoreError> {
        on_store!(self, s => s.delete_range(request))
    }

    fn txn(&mut self, request: TxnRequest<Object>) -> Result<TxnResponse<Object>, StoreError> {
        on_store!(self, s => s.txn(request))
    }

    fn compact(&mut self, revision: Revision) -> Result<CompactResponse, StoreError> {
        on_store!(self, s => s.compact(revision))
    }

    fn watch(&mut self, request: WatchRequest) -> Result<WatchId, StoreError> {
        on_store!(self, s => s.watch(request))
    }

    fn poll_watch_into(
        &mut self,
        id: WatchId,
        out: &mut Vec<WatchEvent<Object>>,
    ) -> Result<(), StoreError> {
        on_store!(self, s => s.poll_watch_into(id, out))
    }

    fn cancel_watch(&mut self, id: WatchId) -> Result<(), StoreError> {
        on_store!(self, s => s.cancel_watch(id))
    }

    fn oldest_watch_cursor(&self) -> Option<Revision> {
        on_store!(self, s => s.oldest_watch_cursor())
    }

    fn sync(&mut self) -> Result<(), StoreError> {
        on_store!(self, s => s.sync())
    }
}

/// The cluster as the HTTP layer sees it: cheap to clone, usable from any task.
#[derive(Clone, Debug)]
pub struct Cluster {
    jobs: mpsc::Sender<Job>,
    revisions: watch::Receiver<Revision>,
    trace_lengths: watch::Receiver<u64>,
    failure: watch::Receiver<Option<String>>,
    trace_keep: usize,
}

/// The actor thread has stopped (it only stops when every [`Cluster`] handle is gone, or
/// when a request panicked inside the core).
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the API server thread has stopped")]
pub struct ClusterStopped;

impl Cluster {
    /// Starts a fresh in-memory cluster with the default [`ClusterConfig`].
    pub fn start() -> std::io::Result<Cluster> {
        Cluster::start_with(&ClusterConfig::default())
    }

    /// Starts a fresh in-memory cluster on its own thread, seeded from the OS RNG, starting
    /// at the wall clock's now.
    pub fn start_with(config: &ClusterConfig) -> std::io::Result<Cluster> {
        Cluster::start_on(config, ClusterStore::Memory(MemoryStore::new()))
    }

    /// Starts the cluster on the data directory's store (opened with
    /// [`crate::storage::open`]): the cluster it holds comes back, its nodes rejoining as
    /// after a reboot.
    pub fn start_on_disk(
        config: &ClusterConfig,
        mut store: DurableStore,
    ) -> std::io::Result<Cluster> {
        // The actor fsyncs once per turn and answers only after it (see `run_actor`).
        store.save_in_groups();
        Cluster::start_on(config, ClusterStore::Durable(Box::new(store)))
    }

    /// Starts the cluster over `store` on its own thread, seeded from the OS RNG (a fresh
    /// seed every start, so no run repeats another's uids), starting at the wall clock's now.
    pub fn start_on(config: &ClusterConfig, store: ClusterStore) -> std::io::Result<Cluster> {
        let mut seed_bytes = [0u8; 8];
        getrandom::fill(&mut seed_bytes).map_err(std::io::Error::other)?;
        let plan = config.pod_cidr_plan();
        let world_config = WorldConfig {
            seed: u64::from_le_bytes(seed_bytes),
            nodes: config.sim_nodes,
            start: wall_clock(),
            runtime: scaled_runtime(config.sim_speed),
            // Live mode reads the latest records; the ring's bound keeps memory bounded.
            trace_records_kept: config.trace_keep,
            cluster_cidr: plan.cluster_cidr.to_string(),
            scheduler_annotations: config.scheduler_annotations.max_nodes() > 0,
            scheduler_annotation_max_nodes: config.scheduler_annotations.max_nodes(),
            api_server_endpoint: config.api_server_endpoint,
            event_ttl: config.event_ttl,
            ..WorldConfig::default()
        };
        // Unbounded: senders are async tasks that must never block a tokio thread; each
        // waits for its own answer, so the queue holds at most one job per open request.
        let (jobs, queue) = mpsc::channel::<Job>();
        let (publish, revisions) = watch::channel(0);
        let (publish_trace, trace_lengths) = watch::channel(0);
        let (report_failure, failure) = watch::channel(None);
        std::thread::Builder::new()
            .name("kubeplay-cluster".to_string())
            .spawn(move || {
                let mut world = World::with_store(&world_config, store);
                warn_about_nodes_without_a_kubelet(&mut world);
                warn_about_stored_pod_cidrs(&mut world, plan.cluster_cidr);
                publish.send_replace(world.api().current_revision());
                let publishers = Publishers {
                    revisions: publish,
                    trace_lengths: publish_trace,
                };
                run_actor(&mut world, &queue, &publishers);
                // The actor stops for good only when the store failed (or nobody is left).
                let reason = world.api().store().failure().map(str::to_string);
                if let Some(reason) = reason {
                    report_failure.send_replace(Some(reason));
                }
            })?;
        Ok(Cluster {
            jobs,
            revisions,
            trace_lengths,
            failure,
            trace_keep: config.trace_keep,
        })
    }

    /// Completes with the reason once the store failed (a lost disk): the cluster has
    /// stopped, and only a restart brings memory and disk back in step. Never completes
    /// otherwise.
    pub async fn failure(&self) -> String {
        let mut failure = self.failure.clone();
        let reason = match failure.wait_for(Option::is_some).await {
            Ok(reason) => reason.clone(),
            Err(_) => None,
        };
        match reason {
            Some(reason) => reason,
            None => std::future::pending().await,
        }
    }

    /// Runs `f` on the API server (the world moved to now first) and returns what it returns.
    pub async fn call<T, F>(&self, f: F) -> Result<T, ClusterStopped>
    where
        T: Send + 'static,
        F: FnOnce(&mut ClusterApi) -> T + Send + 'static,
    {
        self.call_world(move |world| {
            world.api().set_user(ADMIN_USER);
            f(world.api())
        })
        .await
    }

    /// Runs `f` on the whole world (moved to now first): logs, nodes, fault injection.
    pub async fn call_world<T, F>(&self, f: F) -> Result<T, ClusterStopped>
    where
        T: Send + 'static,
        F: FnOnce(&mut ClusterWorld) -> T + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |world| {
            let value = f(world);
            Box::new(move || {
                let _ = reply.send(value);
            })
        });
        self.jobs.send(job).map_err(|_| ClusterStopped)?;
        answer.await.map_err(|_| ClusterStopped)
    }

    /// A receiver that changes whenever the store's revision moved (a client's write, or a
    /// controller's, scheduler's or kubelet's).
    pub fn revisions(&self) -> watch::Receiver<Revision> {
        self.revisions.clone()
    }

    /// A receiver that changes whenever the trace grew (it holds [`Trace::len`], the
    /// sequence number the next record will get).
    ///
    /// [`Trace::len`]: kubeplay_core::sim::trace::Trace::len
    pub fn trace_lengths(&self) -> watch::Receiver<u64> {
        self.trace_lengths.clone()
    }

    /// How many trace records the world keeps ([`ClusterConfig::trace_keep`]).
    pub fn trace_keep(&self) -> usize {
        self.trace_keep
    }
}

/// Where the actor announces what moved.
struct Publishers {
    /// The store's revision.
    revisions: watch::Sender<Revision>,
    /// The trace's length.
    trace_lengths: watch::Sender<u64>,
}

/// Stored Nodes this run has no simulated kubelet for (the store was made with a larger
/// `--sim-nodes`): as on a real cluster whose machine is gone, their status stops being
/// renewed, the node controller marks them NotReady and evicts their pods. Says so once at
/// start, with what to do, so the admin is not left guessing why.
fn warn_about_nodes_without_a_kubelet(world: &mut ClusterWorld) {
    let running = world.node_names();
    let request = RangeRequest::new(KeyRange::prefix(list_prefix(Kind::Node, None)));
    let Ok(stored) = world.api().store().range(&request) else {
        return;
    };
    let orphans: Vec<String> = stored
        .kvs
        .iter()
        .filter_map(|kv| kv.value.metadata().name.clone())
        .filter(|name| !running.contains(name))
        .collect();
    if !orphans.is_empty() {
        tracing::warn!(
            nodes = %orphans.join(", "),
            "the store holds nodes this run has no simulated kubelet for (it was started with a \
             larger --sim-nodes): they will go NotReady and their pods will be evicted; restart \
             with a --sim-nodes that includes them to bring them back, or `kubectl delete node` \
             them"
        );
    }
}

/// What a restart on a data directory made with another cluster CIDR means for the nodes'
/// podCIDRs, said once at start. A Node keeps the `spec.podCIDR` it was stored with (the
/// field is immutable in Kubernetes): one outside today's cluster CIDR keeps working, and a
/// node stored without one (an earlier run had no room for it) stays without, even when the
/// range now has room, until it is deleted and registers again.
fn warn_about_stored_pod_cidrs(world: &mut ClusterWorld, cluster_cidr: Ipv4Cidr) {
    let running = world.node_names();
    let request = RangeRequest::new(KeyRange::prefix(list_prefix(Kind::Node, None)));
    let Ok(stored) = world.api().store().range(&request) else {
        return;
    };
    let mut outside = Vec::new();
    let mut without = Vec::new();
    let mut inside = 0u64;
    for kv in &stored.kvs {
        let Object::Node(node) = &*kv.value else {
            continue;
        };
        let Some(name) = node.metadata.name.clone() else {
            continue;
        };
        let pod_cidr = node.spec.as_ref().and_then(|spec| spec.pod_cidr.as_deref());
        match pod_cidr.map(str::parse::<Ipv4Cidr>) {
            Some(Ok(cidr)) if cluster_cidr.contains_cidr(&cidr) => inside += 1,
            Some(_) => outside.push(name),
            None if running.contains(&name) => without.push(name),
            None => {}
        }
    }
    if !outside.is_empty() {
        tracing::warn!(
            %cluster_cidr,
            nodes = %outside.join(", "),
            "stored nodes have a podCIDR outside the cluster CIDR (the data directory was made \
             with another --cluster-cidr or more --sim-nodes): they keep it, as a node's podCIDR \
             never changes; the allocator does not track those blocks"
        );
    }
    let free = node_block_count(cluster_cidr).saturating_sub(inside);
    if !without.is_empty() && free > 0 {
        tracing::warn!(
            %cluster_cidr,
            nodes = %without.join(", "),
            "stored nodes have no podCIDR (an earlier run's cluster CIDR had no room for them) \
             and keep none, so their pods stay ContainerCreating, although the cluster CIDR has \
             {free} free blocks now: `kubectl delete node` them and restart to give them one"
        );
    }
}

/// The actor's loop (see the module documentation); returns when every handle is gone or
/// when the store failed.
fn run_actor(world: &mut ClusterWorld, queue: &mpsc::Receiver<Job>, publish: &Publishers) {
    loop {
        let now = wall_clock();
        let wait = match world.next_wakeup() {
            Some(at) if at > now => at.since(now).min(IDLE_TICK),
            // Due already: look again soon, without spinning on a component that keeps
            // asking for "now".
            Some(_) => MIN_WAIT,
            None => IDLE_TICK,
        };
        let mut jobs = Vec::new();
        match queue.recv_timeout(wait) {
            Ok(job) => jobs.push(job),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        }
        while jobs.len() < JOBS_PER_TURN {
            match queue.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let before = world.api().current_revision();
        world.advance_to(wall_clock());
        let mut answers = Vec::with_capacity(jobs.len());
        for job in jobs {
            answers.push(job(world));
            world.settle();
        }
        // Group commit: one fsync for the whole turn's writes (the clients' and the
        // components'), before anyone hears of them. On failure nobody is answered: their
        // requests end as if the server had stopped before saving them.
        let synced = world.api().sync_store();
        if let Some(reason) = world.api().store().failure() {
            tracing::error!("the cluster stops: {reason}");
            return;
        }
        if let Err(error) = synced {
            tracing::error!("the cluster stops: {error}");
            return;
        }
        for answer in answers {
            answer();
        }
        let after = world.api().current_revision();
        if after != before {
            publish.revisions.send_replace(after);
        }
        let trace_length = world.trace().len();
        if *publish.trace_lengths.borrow() != trace_length {
            publish.trace_lengths.send_replace(trace_length);
        }
    }
}

/// The wall clock as the core's [`Timestamp`]. The workspace bans `SystemTime` because the
/// core must not read the clock; the node host is where the clock comes from, so this one
/// function reads it and everything else in the host takes time from here.
#[allow(clippy::disallowed_methods, clippy::disallowed_types)]
pub fn wall_clock() -> Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0);
    Timestamp::from_millis(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_faster_runtime_divides_delays_and_multiplies_rates() {
        let fast = scaled_runtime(10.0);
        let base = SimRuntimeConfig::default();
        assert_eq!(fast.sandbox_latency, base.sandbox_latency / 10);
        assert_eq!(
            fast.bandwidth_bytes_per_sec,
            base.bandwidth_bytes_per_sec * 10
        );
        assert_eq!(scaled_runtime(0.0), base);
        assert_eq!(scaled_runtime(f64::NAN), base);
    }

    #[test]
    fn the_event_ttl_reads_go_durations_and_says_what_it_wants_otherwise() {
        assert_eq!(parse_event_ttl("1h0m0s"), Ok(Duration::from_secs(3_600)));
        assert_eq!(parse_event_ttl(" 90m "), Ok(Duration::from_secs(5_400)));
        assert_eq!(parse_event_ttl("0"), Ok(Duration::ZERO));
        for (bad, why) in [
            ("an hour", "time: invalid duration \"an hour\""),
            ("5", "time: missing unit in duration \"5\""),
            ("1d", "time: unknown unit \"d\" in duration \"1d\""),
            ("-1h", "time: negative duration \"-1h\""),
        ] {
            let error = parse_event_ttl(bad).unwrap_err();
            assert!(error.starts_with(why), "{error}");
            assert!(error.ends_with("(0 keeps Events for good)"), "{error}");
        }
    }

    #[tokio::test]
    async fn a_store_whose_disk_failed_stops_the_cluster_and_says_why() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = crate::storage::open(dir.path()).expect("open the store");
        store.fail_for_test("cannot write store/wal: No space left on device");
        let cluster = Cluster::start_on_disk(&ClusterConfig::default(), store).expect("start");
        let reason = tokio::time::timeout(Duration::from_secs(10), cluster.failure())
            .await
            .expect("the failure is reported");
        assert!(reason.contains("No space left on device"), "{reason}");
        assert!(cluster.call(|api| api.current_revision()).await.is_err());
    }

    #[tokio::test]
    async fn a_cluster_on_a_reopened_store_keeps_its_objects() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = crate::storage::open(dir.path()).expect("open the store");
        let cluster = Cluster::start_on_disk(&ClusterConfig::default(), store).expect("start");
        let uid = cluster
            .call(|api| {
                api.get(kubeplay_core::api::objects::Kind::Namespace, "", "default")
                    .map(|ns| ns.metadata().uid.clone())
            })
            .await
            .expect("call")
            .expect("default namespace");
        drop(cluster);
        // The actor thread ends with the last handle and releases the store's lock.
        let mut reopened = crate::storage::open(dir.path());
        for _ in 0..500 {
            if reopened.is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
            reopened = crate::storage::open(dir.path());
        }
        let store = reopened.expect("the store reopens once the first cluster is gone");
        assert!(store.recovery().keys > 0);
        let cluster = Cluster::start_on_disk(&ClusterConfig::default(), store).expect("restart");
        let again = cluster
            .call(|api| {
                api.get(kubeplay_core::api::objects::Kind::Namespace, "", "default")
                    .map(|ns| ns.metadata().uid.clone())
            })
            .await
            .expect("call")
            .expect("default namespace");
        assert_eq!(uid, again);
    }

    /// Every node's `spec.podCIDR` (None: the node has none), by name.
    async fn pod_cidrs(cluster: &Cluster) -> std::collections::BTreeMap<String, Option<String>> {
        cluster
            .call(|api| {
                let list = api
                    .list(Kind::Node, None, &Default::default())
                    .expect("list nodes");
                list.items
                    .iter()
                    .filter_map(|object| match &**object {
                        Object::Node(node) => Some((
                            node.metadata.name.clone().unwrap_or_default(),
                            node.spec.as_ref().and_then(|spec| spec.pod_cidr.clone()),
                        )),
                        _ => None,
                    })
                    .collect()
            })
            .await
            .expect("call")
    }

    fn cidr(text: &str) -> Ipv4Cidr {
        text.parse().expect("a CIDR")
    }

    fn plan(sim_nodes: usize, cluster_cidr: Option<&str>) -> PodCidrPlan {
        ClusterConfig {
            sim_nodes,
            cluster_cidr: cluster_cidr.map(cidr),
            ..ClusterConfig::default()
        }
        .pod_cidr_plan()
    }

    #[test]
    fn the_default_cluster_cidr_widens_to_hold_every_simulated_node() {
        let small = plan(256, None);
        assert_eq!(small.cluster_cidr, cidr("10.244.0.0/16"));
        assert_eq!(
            (small.capacity, small.widened, small.nodes_without_room),
            (256, false, 0)
        );
        let big = plan(300, None);
        assert_eq!(big.cluster_cidr, cidr("10.244.0.0/15"));
        assert_eq!(
            (big.capacity, big.widened, big.nodes_without_room),
            (512, true, 0)
        );
        // Past /14 the base address's bits are cleared, as a CIDR's network address is.
        assert_eq!(plan(1025, None).cluster_cidr, cidr("10.240.0.0/13"));
        assert_eq!(plan(32_768, None).cluster_cidr, cidr("10.128.0.0/9"));
        // Every widened range contains the default one, so stored podCIDRs stay inside it.
        for nodes in [257, 600, 5000, 32_768] {
            assert!(plan(nodes, None)
                .cluster_cidr
                .contains_cidr(&cidr("10.244.0.0/16")));
        }
        // The default stops at /9, clear of the 10.96.0.0/12 service range, and says how
        // many nodes get no podCIDR.
        let huge = plan(40_000, None);
        assert_eq!(huge.cluster_cidr, cidr("10.128.0.0/9"));
        assert_eq!(huge.nodes_without_room, 40_000 - 32_768);
        assert!(!huge.cluster_cidr.contains_cidr(&cidr("10.96.0.0/12")));
    }

    #[test]
    fn an_explicit_cluster_cidr_is_used_as_given_even_when_it_is_too_small() {
        let narrow = plan(5, Some("10.244.0.0/22"));
        assert_eq!(narrow.cluster_cidr, cidr("10.244.0.0/22"));
        assert!(narrow.explicit && !narrow.widened);
        assert_eq!((narrow.capacity, narrow.nodes_without_room), (4, 1));
        let wide = plan(3, Some("10.0.0.0/8"));
        assert_eq!((wide.capacity, wide.nodes_without_room), (65_536, 0));
    }

    #[test]
    fn a_cluster_cidr_flag_must_be_an_ipv4_cidr_from_slash_8_to_slash_24() {
        assert_eq!(parse_cluster_cidr("10.1.0.0/16"), Ok(cidr("10.1.0.0/16")));
        assert_eq!(parse_cluster_cidr("10.1.2.3/16"), Ok(cidr("10.1.0.0/16")));
        for bad in [
            "10.1.0.0",
            "10.1.0.0/x",
            "fd00::/48",
            "10.1.0.0/25",
            "10.0.0.0/7",
            "",
        ] {
            let error = parse_cluster_cidr(bad).expect_err(bad);
            assert!(error.contains(&format!("{bad:?}")), "{error}");
        }
        assert!(parse_cluster_cidr("10.1.0.0/25")
            .expect_err("too narrow")
            .contains("/8"));
    }

    #[tokio::test]
    async fn three_hundred_simulated_nodes_each_get_a_pod_cidr() {
        let config = ClusterConfig {
            sim_nodes: 300,
            trace_keep: 0,
            ..ClusterConfig::default()
        };
        let cluster = Cluster::start_with(&config).expect("start");
        let cidrs = pod_cidrs(&cluster).await;
        assert_eq!(cidrs.len(), 300);
        let range = cidr("10.244.0.0/15");
        let distinct: std::collections::BTreeSet<Ipv4Cidr> = cidrs
            .iter()
            .map(|(name, pod_cidr)| {
                let pod_cidr = pod_cidr
                    .as_deref()
                    .unwrap_or_else(|| panic!("{name} has none"));
                let block = cidr(pod_cidr);
                assert!(range.contains_cidr(&block), "{name}: {block}");
                block
            })
            .collect();
        assert_eq!(distinct.len(), 300);
    }

    /// Opens the store of `dir`, waiting for a previous cluster's actor to let it go.
    fn reopen(dir: &std::path::Path) -> DurableStore {
        let mut reopened = crate::storage::open(dir);
        for _ in 0..500 {
            if reopened.is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
            reopened = crate::storage::open(dir);
        }
        reopened.expect("the store reopens once the previous cluster is gone")
    }

    #[tokio::test]
    async fn a_restart_with_a_wider_cluster_cidr_keeps_the_stored_pod_cidrs() {
        let dir = tempfile::tempdir().expect("temp dir");
        // Room for two nodes: node-3 gets none.
        let narrow = ClusterConfig {
            sim_nodes: 3,
            cluster_cidr: Some(cidr("10.244.0.0/23")),
            ..ClusterConfig::default()
        };
        let cluster = Cluster::start_on_disk(&narrow, reopen(dir.path())).expect("start");
        let first = pod_cidrs(&cluster).await;
        assert_eq!(first["node-1"].as_deref(), Some("10.244.0.0/24"));
        assert_eq!(first["node-2"].as_deref(), Some("10.244.1.0/24"));
        assert_eq!(first["node-3"], None);
        drop(cluster);

        // The default range holds them all now; the stored blocks are kept and not handed
        // out again, node-4 gets the next free one. node-3 keeps having none (a podCIDR is
        // set once, at registration; the start-up log says to delete the node).
        let wide = ClusterConfig {
            sim_nodes: 4,
            ..ClusterConfig::default()
        };
        let cluster = Cluster::start_on_disk(&wide, reopen(dir.path())).expect("restart");
        let second = pod_cidrs(&cluster).await;
        assert_eq!(second["node-1"], first["node-1"]);
        assert_eq!(second["node-2"], first["node-2"]);
        assert_eq!(second["node-3"], None);
        assert_eq!(second["node-4"].as_deref(), Some("10.244.2.0/24"));
        drop(cluster);

        // Back to a narrower explicit range that does not hold node-4's block: it keeps it.
        let cluster = Cluster::start_on_disk(&narrow, reopen(dir.path())).expect("restart");
        let third = pod_cidrs(&cluster).await;
        assert_eq!(third["node-4"], second["node-4"]);
    }

    /// Creates a pod on a cluster of `nodes` nodes and returns the annotations the scheduler
    /// wrote on it.
    async fn scheduled_pod_annotations(
        nodes: usize,
        setting: SchedulerAnnotations,
    ) -> std::collections::BTreeMap<String, String> {
        let config = ClusterConfig {
            sim_nodes: nodes,
            trace_keep: 0,
            scheduler_annotations: setting,
            ..ClusterConfig::default()
        };
        let cluster = Cluster::start_with(&config).expect("start");
        cluster
            .call(|api| {
                let pod = Object::from_value(serde_json::json!({
                    "apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": "web"},
                    "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}
                }))
                .expect("a pod");
                api.create("default", pod).expect("create");
            })
            .await
            .expect("call");
        // The create's turn settles the world, so the scheduler has tried the pod.
        cluster
            .call(|api| {
                let pod = api.get(Kind::Pod, "default", "web").expect("the pod");
                pod.metadata().annotations.clone().unwrap_or_default()
            })
            .await
            .expect("call")
    }

    /// How many nodes the filter-result annotation lists.
    fn listed_nodes(annotations: &std::collections::BTreeMap<String, String>) -> usize {
        let filter = &annotations["scheduler-simulator/filter-result"];
        let map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(filter).expect("a JSON object");
        map.len()
    }

    #[test]
    fn scheduler_annotation_settings_parse_and_say_how_many_nodes_they_list() {
        let parse = parse_scheduler_annotations;
        assert_eq!(parse("auto"), Ok(SchedulerAnnotations::Auto));
        assert_eq!(parse("on").map(SchedulerAnnotations::max_nodes), Ok(100));
        assert_eq!(parse("off").map(SchedulerAnnotations::max_nodes), Ok(0));
        assert_eq!(parse("0"), Ok(SchedulerAnnotations::Off));
        assert_eq!(parse("7"), Ok(SchedulerAnnotations::Nodes(7)));
        assert_eq!(
            SchedulerAnnotations::Auto.max_nodes(),
            AUTO_ANNOTATION_NODES
        );
        let error = parse("all").expect_err("not a setting");
        assert!(
            error.contains("\"all\"") && error.contains("auto, on, off"),
            "{error}"
        );
        assert!(parse("-3").is_err());
    }

    #[tokio::test]
    async fn auto_lists_every_node_of_a_small_cluster_and_twenty_of_a_big_one() {
        let small = scheduled_pod_annotations(3, SchedulerAnnotations::Auto).await;
        assert_eq!(listed_nodes(&small), 3);
        assert!(!small.contains_key("kubeplay.dev/explain-omitted-nodes"));

        let big = scheduled_pod_annotations(30, SchedulerAnnotations::Auto).await;
        assert_eq!(listed_nodes(&big), AUTO_ANNOTATION_NODES);
        assert_eq!(
            big.get("kubeplay.dev/explain-omitted-nodes")
                .map(
                    |text| serde_json::from_str::<serde_json::Value>(text).expect("JSON")["count"]
                        .clone()
                ),
            Some(serde_json::json!(30 - AUTO_ANNOTATION_NODES)),
        );
        let on = scheduled_pod_annotations(30, SchedulerAnnotations::On).await;
        assert_eq!(listed_nodes(&on), 30);
    }

    #[tokio::test]
    async fn off_writes_no_scheduler_annotations() {
        let off = scheduled_pod_annotations(3, SchedulerAnnotations::Off).await;
        assert!(
            off.keys()
                .all(|key| !key.starts_with("scheduler-simulator/")
                    && !key.starts_with("kubeplay.dev/explain")),
            "{off:?}"
        );
    }
}
