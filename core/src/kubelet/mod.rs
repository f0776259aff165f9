//! The kubelet, sans-IO: one [`Kubelet`] per node.
//!
//! Inputs: pods bound to this node ([`Kubelet::handle_pod`], [`Kubelet::handle_pod_deleted`],
//! from a watch the host keeps), runtime answers ([`Kubelet::handle_runtime_result`]) and
//! time ([`Kubelet::handle_tick`]). Outputs: API requests ([`Kubelet::poll_api_request`]:
//! the Node registration, Lease heartbeats every 10 s, events, pod status updates, the final
//! pod delete), runtime commands ([`Kubelet::poll_runtime_command`]) and when to wake it
//! next ([`Kubelet::poll_timeout`]).
//!
//! Layout: [`runtime`] is the runtime interface as data, [`sim_runtime`] the simulated
//! runtime the browser uses, [`pod_sync`] the per-pod state machine, [`events`] the event
//! texts, [`backoff`] the back-off bookkeeping and [`node_status`] the Node and Lease objects.

pub mod backoff;
pub mod events;
pub mod node_status;
pub mod pod_sync;
pub mod runtime;
pub mod shared_names;
pub mod shared_pod;
pub mod sim_runtime;

#[cfg(test)]
mod status_reconcile_tests;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::Node;

use crate::api::objects::Object;
use crate::api::validation::quantity::ParsedQuantity;
use crate::apiserver::ApiRequest;
use crate::sim::clock::Timestamp;
use backoff::Backoff;
use events::EventRecorder;
use pod_sync::admission::{self, Allocatable, ResourceRequest};
use pod_sync::{PodWorker, SyncContext};
use runtime::{RuntimeCommand, RuntimeResult};
use shared_names::SharedNames;
use shared_pod::SharedPod;

/// How often the kubelet renews its Lease (`renewInterval`: a quarter of 40 s).
pub const LEASE_RENEW_INTERVAL: Duration = Duration::from_secs(10);
/// The Lease's `leaseDurationSeconds` (`nodeLeaseDurationSeconds`).
pub const LEASE_DURATION_SECONDS: i32 = 40;
/// How often the node status is reported when nothing changed (`nodeStatusReportFrequency`).
pub const NODE_STATUS_REPORT_FREQUENCY: Duration = Duration::from_secs(300);
/// The default `maxPods`.
pub const DEFAULT_MAX_PODS: u32 = 110;

/// A kubelet's configuration (what the host knows about the node).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubeletConfig {
    /// The node's name.
    pub node_name: String,
    /// The node's InternalIP.
    pub node_ip: String,
    /// CPU capacity (`"2"`, `"3500m"`).
    pub cpu: String,
    /// Memory capacity (`"4Gi"`).
    pub memory: String,
    /// `maxPods` (110 by default).
    pub max_pods: u32,
    /// The node's podCIDR, given by the host (None: beyond the cluster CIDR).
    pub pod_cidr: Option<String>,
    /// Extra node labels (topology zone and the like).
    pub labels: BTreeMap<String, String>,
    /// How soon a pod whose sync hit an error (failed pull, failed create) is synced again.
    pub error_resync: Duration,
}

impl KubeletConfig {
    /// A node with 2 CPUs, 4 GiB and 110 pods.
    pub fn new(node_name: &str, node_ip: &str) -> KubeletConfig {
        KubeletConfig {
            node_name: node_name.to_string(),
            node_ip: node_ip.to_string(),
            cpu: "2".to_string(),
            memory: "4Gi".to_string(),
            max_pods: DEFAULT_MAX_PODS,
            pod_cidr: None,
            labels: BTreeMap::new(),
            error_resync: Duration::from_secs(1),
        }
    }

    /// The same configuration with a podCIDR.
    pub fn with_pod_cidr(mut self, cidr: &str) -> KubeletConfig {
        self.pod_cidr = Some(cidr.to_string());
        self
    }

    /// Allocatable resources (kubeplay reserves nothing for the system).
    pub fn allocatable(&self) -> Allocatable {
        let parse = |q: &str, scale: i128| {
            ParsedQuantity::parse(q)
                .ok()
                .and_then(|q| i64::try_from(q.nanos / scale).ok())
                .unwrap_or(0)
        };
        Allocatable {
            cpu_millis: parse(&self.cpu, 1_000_000),
            memory_bytes: parse(&self.memory, 1_000_000_000),
            pods: i64::from(self.max_pods),
        }
    }
}

/// The kubelet of one node.
#[derive(Clone)]
pub struct Kubelet {
    config: KubeletConfig,
    now: Timestamp,
    /// The pod workers by uid, boxed: a map node has room for eleven entries, and a worker
    /// inline in each slot left ~400 bytes of empty room per pod.
    workers: BTreeMap<String, Box<PodWorker>>,
    /// Every worker's next timeout, ordered by time (then uid): the kubelet's own timer
    /// queue, so neither a tick nor [`Kubelet::poll_timeout`] looks at every pod. Each
    /// worker keeps the entry it has here (`PodWorker::queued_timeout`).
    timeouts: BTreeSet<(Timestamp, String)>,
    api_out: VecDeque<ApiRequest>,
    runtime_out: VecDeque<RuntimeCommand>,
    events: EventRecorder,
    crash_backoff: Backoff,
    image_backoff: Backoff,
    next_lease_at: Timestamp,
    next_node_status_at: Timestamp,
    /// Container names, images and image ids, shared by this node's workers.
    names: SharedNames,
}

/// How many entries an outbox keeps room for once drained.
pub const OUTBOX_KEPT_CAPACITY: usize = 8;

/// Gives back the room a drained outbox grew to in a burst (every pod of the node starting at
/// once), keeping [`OUTBOX_KEPT_CAPACITY`]: a `VecDeque` never shrinks by itself, and 5,000
/// kubelets each keeping room for their largest burst in three queues held ~450 bytes per
/// pod for the rest of the run.
pub fn release_burst_capacity<T>(queue: &mut VecDeque<T>) {
    if queue.is_empty() && queue.capacity() > OUTBOX_KEPT_CAPACITY {
        queue.shrink_to(OUTBOX_KEPT_CAPACITY);
    }
}

impl Kubelet {
    /// A kubelet starting at `now`: it registers its Node and takes its Lease.
    pub fn new(config: KubeletConfig, now: Timestamp) -> Kubelet {
        let mut kubelet = Kubelet {
            events: EventRecorder::new(&config.node_name),
            config,
            now,
            workers: BTreeMap::new(),
            timeouts: BTreeSet::new(),
            api_out: VecDeque::new(),
            runtime_out: VecDeque::new(),
            crash_backoff: Backoff::default(),
            image_backoff: Backoff::default(),
            next_lease_at: now,
            next_node_status_at: now.plus(NODE_STATUS_REPORT_FREQUENCY),
            names: SharedNames::default(),
        };
        let node = kubelet.node();
        kubelet.api_out.push_back(ApiRequest::Create {
            namespace: String::new(),
            object: Object::from(node),
        });
        kubelet.heartbeat();
        kubelet
    }

    /// The configuration.
    pub fn config(&self) -> &KubeletConfig {
        &self.config
    }

    /// The Node object this kubelet registers and reports.
    pub fn node(&self) -> Node {
        node_status::node_object(&self.config, self.now)
    }

    /// The worker of a pod (for the UI and tests).
    pub fn worker(&self, uid: &str) -> Option<&PodWorker> {
        self.workers.get(uid).map(|worker| &**worker)
    }

    /// How many pods this kubelet is looking after.
    pub fn pod_count(&self) -> usize {
        self.workers.len()
    }

    fn with_context<R>(
        &mut self,
        uid: &str,
        f: impl FnOnce(&mut PodWorker, &mut SyncContext<'_>) -> R,
    ) -> Option<R> {
        let worker = self.workers.get_mut(uid)?;
        let mut ctx = SyncContext {
            now: self.now,
            node_ip: &self.config.node_ip,
            api: &mut self.api_out,
            runtime: &mut self.runtime_out,
            events: &mut self.events,
            crash_backoff: &mut self.crash_backoff,
            image_backoff: &mut self.image_backoff,
            error_resync: self.config.error_resync,
            names: &mut self.names,
        };
        let result = f(worker, &mut ctx);
        let done = worker.is_done();
        let next = if done { None } else { worker.poll_timeout() };
        let previous = std::mem::replace(&mut worker.queued_timeout, next);
        if previous != next {
            if let Some(at) = previous {
                self.timeouts.remove(&(at, uid.to_string()));
            }
            if let Some(at) = next {
                self.timeouts.insert((at, uid.to_string()));
            }
        }
        if done {
            self.workers.remove(uid);
        }
        Some(result)
    }

    /// A pod bound to this node was added or changed. Pods of other nodes are ignored.
    pub fn handle_pod(&mut self, pod: Arc<Object>) {
        // Shared with the store, not copied: see `shared_pod`.
        let Some(pod) = SharedPod::new(pod) else {
            return;
        };
        let on_this_node = pod.node_name() == Some(self.config.node_name.as_str());
        if !on_this_node {
            return;
        }
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        if self.workers.contains_key(&uid) {
            self.with_context(&uid, |w, ctx| w.handle_pod_update(pod, ctx));
            return;
        }
        let terminal = matches!(pod.phase(), Some("Succeeded" | "Failed"));
        if terminal {
            return;
        }
        let (used, used_pods) = self.used_resources();
        let verdict = admission::admit(
            admission::pod_request(&pod),
            used,
            used_pods,
            self.config.allocatable(),
        );
        let worker = PodWorker::new(pod, verdict, self.now, &mut self.names);
        self.workers.insert(uid.clone(), Box::new(worker));
        self.with_context(&uid, |w, ctx| w.sync(ctx));
    }

    fn used_resources(&self) -> (ResourceRequest, i64) {
        let mut used = ResourceRequest::default();
        let mut pods = 0;
        for w in self.workers.values().filter(|w| w.holds_resources()) {
            let r = admission::pod_request(&w.pod);
            used.cpu_millis += r.cpu_millis;
            used.memory_bytes += r.memory_bytes;
            pods += 1;
        }
        (used, pods)
    }

    /// A pod of this node is gone from the API.
    pub fn handle_pod_deleted(&mut self, pod: &Object) {
        let uid = pod.metadata().uid.clone().unwrap_or_default();
        self.with_context(&uid, |w, ctx| w.handle_pod_gone(ctx));
    }

    /// One answer from the runtime.
    pub fn handle_runtime_result(&mut self, result: RuntimeResult) {
        let uid = result.pod_uid().to_string();
        self.with_context(&uid, |w, ctx| w.handle_runtime_result(result, ctx));
    }

    /// Time moved to `now`: heartbeats, retries, probes.
    pub fn handle_tick(&mut self, now: Timestamp) {
        self.now = self.now.max(now);
        if self.next_lease_at <= self.now {
            self.heartbeat();
        }
        if self.next_node_status_at <= self.now {
            self.next_node_status_at = self.now.plus(NODE_STATUS_REPORT_FREQUENCY);
            let node = self.node();
            self.api_out.push_back(ApiRequest::UpdateStatus {
                namespace: String::new(),
                object: Object::from(node),
            });
        }
        // The due workers, synced in uid order (as a walk over every worker would).
        let due: BTreeSet<String> = self
            .timeouts
            .iter()
            .take_while(|(at, _)| *at <= self.now)
            .map(|(_, uid)| uid.clone())
            .collect();
        for uid in due {
            self.with_context(&uid, |w, ctx| w.handle_tick(ctx));
        }
    }

    fn heartbeat(&mut self) {
        self.next_lease_at = self.now.plus(LEASE_RENEW_INTERVAL);
        let lease = node_status::lease_object(&self.config.node_name, self.now);
        self.api_out.push_back(ApiRequest::Update {
            namespace: node_status::NODE_LEASE_NAMESPACE.to_string(),
            object: Object::from(lease),
        });
    }

    /// The next API request to send.
    pub fn poll_api_request(&mut self) -> Option<ApiRequest> {
        let next = self.api_out.pop_front();
        if next.is_none() {
            release_burst_capacity(&mut self.api_out);
        }
        next
    }

    /// The next runtime command to run.
    pub fn poll_runtime_command(&mut self) -> Option<RuntimeCommand> {
        let next = self.runtime_out.pop_front();
        if next.is_none() {
            release_burst_capacity(&mut self.runtime_out);
        }
        next
    }

    /// When the kubelet next needs a tick.
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        let workers = self.timeouts.first().map(|(at, _)| *at);
        let own = self.next_lease_at.min(self.next_node_status_at);
        Some(workers.map_or(own, |w| w.min(own)))
    }
}
