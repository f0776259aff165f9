//! The API server's semantics, sans-IO: what `kube-apiserver` does between decoding a request
//! and answering it.
//!
//! A host (the browser simulation, or the node host's HTTP layer) decodes a request, calls
//! one method of [`ApiServer`] with the current time already set, and encodes the answer:
//! an object, a list, or an [`ApiError`] whose [`ApiError::to_status`] is the Kubernetes
//! `Status`. Writes go through the same steps as in Kubernetes:
//!
//! 1. decode (the host) → 2. defaulting ([`crate::api::defaulting`]) → 3. admission
//!    ([`admission`]) → 4. validation ([`crate::api::validation`]) → 5. a compare-and-swap
//!    transaction in the [`crate::store`] at the next revision → 6. watch fan-out
//!    ([`watch`]).
//!
//! Every request, store commit and watch delivery leaves a [`TraceRecord`], drained with
//! [`ApiServer::poll_trace`].

pub mod admission;
mod allocator;
mod delete;
pub mod endpoint_reconciler;
pub mod error;
pub mod event_ttl;
mod eviction;
mod list;
pub mod options;
pub mod registry;
pub mod request;
mod shared_specs;
mod subresources;
pub mod watch;
mod write;

#[cfg(test)]
mod priority_tests;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Namespace, Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::api::objects::{Kind, Object};
use crate::sim::clock::Timestamp;
use crate::sim::rng::SimRng;
use crate::sim::trace::{StoreOp, TraceRecord, TraceSink};
use crate::store::{KvStore, MemoryStore, RangeRequest, Revision, StoreError};

pub use admission::{AdmissionPlugin, ImagePolicy};
pub use delete::{FOREGROUND_FINALIZER, ORPHAN_FINALIZER};
pub use endpoint_reconciler::ApiServerEndpoint;
pub use error::ApiError;
pub use list::ObjectList;
pub use options::{DeleteOptions, ListOptions, PropagationPolicy, WatchOptions};
pub use request::ApiRequest;
pub use watch::{ApiWatchEvent, ApiWatchId, WatchEventType};

/// The namespaces every fresh cluster has.
pub const SYSTEM_NAMESPACES: [&str; 4] =
    ["default", "kube-system", "kube-public", "kube-node-lease"];

/// The ClusterIP of the `kubernetes` Service: the first address of the service CIDR.
pub const KUBERNETES_SERVICE_IP: &str = "10.96.0.1";

/// What a delete did.
#[derive(Clone, Debug, PartialEq)]
pub enum DeleteOutcome {
    /// The object is gone from the store; this is its last state.
    Deleted(Arc<Object>),
    /// The object stays until its grace period ends or its finalizers are removed; this is
    /// its state with `deletionTimestamp` set (HTTP 202 for pods, 200 otherwise).
    Pending(Arc<Object>),
}

impl DeleteOutcome {
    /// The object, deleted or pending.
    pub fn object(&self) -> &Arc<Object> {
        match self {
            DeleteOutcome::Deleted(o) | DeleteOutcome::Pending(o) => o,
        }
    }
}

/// The API server over a store. Generic over the store so a host can back it with etcd.
#[derive(Clone)]
pub struct ApiServer<S: KvStore<Object> = MemoryStore<Object>> {
    store: S,
    now: Timestamp,
    rng: SimRng,
    user: String,
    trace: TraceSink,
    watches: BTreeMap<ApiWatchId, watch::ApiWatch>,
    /// Pod watches pinned to one node by `spec.nodeName=…`, fed from one shared store watch.
    node_index: watch::NodeNameIndex,
    next_watch_id: u64,
    admission: admission::AdmissionChain,
    allocator: allocator::ServiceAllocator,
    /// The spec each controller's last created pod got, to share with its next one.
    shared_specs: shared_specs::SharedSpecs,
    /// Where this API server answers (the `kubernetes` Service's endpoints).
    advertise: ApiServerEndpoint,
    /// Every Event write's lease (`--event-ttl`).
    event_leases: event_ttl::EventLeases,
}

impl ApiServer<MemoryStore<Object>> {
    /// A fresh cluster in memory, started at `now` with the given seed: the four system
    /// namespaces, the `kubernetes` Service and the two system PriorityClasses, as a new real
    /// cluster has them.
    pub fn new(seed: u64, now: Timestamp) -> ApiServer<MemoryStore<Object>> {
        ApiServer::with_store(MemoryStore::new(), seed, now)
    }
}

impl<S: KvStore<Object>> ApiServer<S> {
    /// An API server over an existing store (which may already hold a cluster: the bootstrap
    /// objects are only created when missing, and allocations are rebuilt from what is
    /// stored).
    pub fn with_store(store: S, seed: u64, now: Timestamp) -> ApiServer<S> {
        ApiServer::with_store_advertising(store, seed, now, ApiServerEndpoint::default())
    }

    /// [`ApiServer::with_store`] for an API server that answers at `advertise` (a host's own
    /// address and port, written into the `kubernetes` Service's endpoints) rather than at
    /// the simulated control plane's.
    pub fn with_store_advertising(
        store: S,
        seed: u64,
        now: Timestamp,
        advertise: ApiServerEndpoint,
    ) -> ApiServer<S> {
        let mut server = ApiServer {
            store,
            now,
            rng: SimRng::seed_from(seed),
            user: "system:apiserver".to_string(),
            trace: TraceSink::default(),
            watches: BTreeMap::new(),
            node_index: watch::NodeNameIndex::default(),
            next_watch_id: 1,
            admission: admission::AdmissionChain::default(),
            allocator: allocator::ServiceAllocator::default(),
            shared_specs: shared_specs::SharedSpecs::default(),
            advertise,
            event_leases: event_ttl::EventLeases::default(),
        };
        server.rebuild_allocations();
        server.lease_stored_events();
        server.bootstrap();
        server.user = "anonymous".to_string();
        server
    }

    /// Sets the current time; every request after this sees it.
    pub fn set_time(&mut self, now: Timestamp) {
        self.now = self.now.max(now);
    }

    /// The current time as the API server sees it.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// Names who makes the next requests (recorded in the trace: `kubectl`,
    /// `kube-scheduler`, `kubelet/node-1`…).
    pub fn set_user(&mut self, user: &str) {
        if self.user != user {
            self.user = user.to_string();
        }
    }

    /// Who makes the next requests ([`ApiServer::set_user`]).
    pub fn user(&self) -> &str {
        &self.user
    }

    /// Installs the image policy that admission consults for every pod (binary
    /// authorization). The default admits every image.
    pub fn set_image_policy(&mut self, policy: Box<dyn ImagePolicy>) {
        self.admission.image_policy = policy.into();
    }

    /// The store's current revision (the cluster's resourceVersion).
    pub fn current_revision(&self) -> Revision {
        self.store.current_revision()
    }

    /// Compacts the store's history up to `revision`: older lists, watches and continue
    /// tokens answer 410 Gone.
    pub fn compact(&mut self, revision: Revision) -> Result<(), ApiError> {
        self.store
            .compact(revision)
            .map(|_| ())
            .map_err(|e| ApiError::BadRequest(e.to_string()))
    }

    /// Read access to the store (for the UI's etcd view and tests).
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Makes every write so far durable ([`KvStore::sync`]): a host that lets its store save
    /// commits in groups calls this before it answers the group's requests.
    pub fn sync_store(&mut self) -> Result<(), StoreError> {
        self.store.sync()
    }

    /// The store itself, for a host's own bookkeeping watches (the World's pod counts).
    /// Writes never go this way: they take the API server's write path.
    pub(crate) fn store_mut(&mut self) -> &mut S {
        &mut self.store
    }

    /// Drains the trace records written since the last call.
    /// (none once [`ApiServer::trace_sink_mut`] folds them straight into a trace).
    pub fn poll_trace(&mut self) -> Vec<TraceRecord> {
        self.trace.take()
    }

    /// Where the trace records go ([`TraceSink`]).
    pub fn trace_sink(&self) -> &TraceSink {
        &self.trace
    }

    /// Where the trace records go, to fold them straight into a trace
    /// ([`TraceSink::fold_into`]).
    pub fn trace_sink_mut(&mut self) -> &mut TraceSink {
        &mut self.trace
    }

    fn record_request(
        &mut self,
        verb: &str,
        resource: String,
        namespace: &str,
        name: &str,
        code: u16,
    ) {
        self.trace.push(TraceRecord::ApiRequest {
            at: self.now,
            user: self.user.clone(),
            verb: verb.to_string(),
            resource,
            namespace: namespace.to_string(),
            name: name.to_string(),
            code,
        });
    }

    fn record_commit(&mut self, revision: Revision, key: &str, op: StoreOp) {
        self.trace.push(TraceRecord::StoreCommit {
            at: self.now,
            revision,
            key: key.to_string(),
            op,
        });
    }

    /// Records the outcome of one request in the trace and passes it on.
    fn traced<T>(
        &mut self,
        verb: &str,
        resource: String,
        namespace: &str,
        name: &str,
        result: Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let code = match &result {
            Ok(_) => {
                if verb == "create" {
                    201
                } else {
                    200
                }
            }
            Err(e) => e.code(),
        };
        self.record_request(verb, resource, namespace, name, code);
        result
    }

    fn bootstrap(&mut self) {
        for name in SYSTEM_NAMESPACES {
            if self.get(Kind::Namespace, "", name).is_ok() {
                continue;
            }
            let namespace = Namespace {
                metadata: ObjectMeta {
                    name: Some(name.to_string()),
                    ..ObjectMeta::default()
                },
                ..Namespace::default()
            };
            // Creating well-formed built-in objects into an empty store cannot fail; if a
            // custom store refuses, the cluster simply starts without it and says so in the
            // trace as a failed request.
            let _ = self.create("", Object::from(namespace));
        }
        if self.get(Kind::Service, "default", "kubernetes").is_err() {
            let service = Service {
                metadata: ObjectMeta {
                    name: Some("kubernetes".to_string()),
                    namespace: Some("default".to_string()),
                    labels: Some(BTreeMap::from([
                        ("component".to_string(), "apiserver".to_string()),
                        ("provider".to_string(), "kubernetes".to_string()),
                    ])),
                    ..ObjectMeta::default()
                },
                spec: Some(ServiceSpec {
                    cluster_ip: Some(KUBERNETES_SERVICE_IP.to_string()),
                    ports: Some(vec![ServicePort {
                        name: Some("https".to_string()),
                        port: 443,
                        protocol: Some("TCP".to_string()),
                        target_port: Some(IntOrString::Int(i32::from(self.advertise.port))),
                        ..ServicePort::default()
                    }]),
                    ..ServiceSpec::default()
                }),
                ..Service::default()
            };
            let _ = self.create("default", Object::from(service));
        }
        self.bootstrap_kubernetes_endpoints();
        self.bootstrap_system_priority_classes();
    }

    /// The endpoint reconciler's first pass ([`ApiServer::reconcile_kubernetes_endpoints`]),
    /// with uids from a stream of its own (derived from the server's) so that adding it did
    /// not change every uid and generated name the server hands out after.
    fn bootstrap_kubernetes_endpoints(&mut self) {
        let stream = SimRng::seed_from(
            rand_core::RngCore::next_u64(&mut self.rng.clone()) ^ 0x454e_4450_4f49_4e54,
        );
        let main = std::mem::replace(&mut self.rng, stream);
        self.reconcile_kubernetes_endpoints();
        self.rng = main;
    }

    /// kube-apiserver's `scheduling/bootstrap-system-priority-classes` post-start hook:
    /// `system-node-critical` and `system-cluster-critical`, when missing.
    fn bootstrap_system_priority_classes(&mut self) {
        use crate::api::validation::priority_class::SYSTEM_PRIORITY_CLASSES;
        use k8s_openapi::api::scheduling::v1::PriorityClass;
        // The classes' uids come from a stream of their own (derived from the server's), so
        // adding them did not change every uid and generated name the server hands out after.
        let stream = SimRng::seed_from(
            rand_core::RngCore::next_u64(&mut self.rng.clone()) ^ 0x5052_494f_5249_5459,
        );
        let main = std::mem::replace(&mut self.rng, stream);
        for system in &SYSTEM_PRIORITY_CLASSES {
            if self.get(Kind::PriorityClass, "", system.name).is_ok() {
                continue;
            }
            let class = PriorityClass {
                metadata: ObjectMeta {
                    name: Some(system.name.to_string()),
                    ..ObjectMeta::default()
                },
                value: system.value,
                description: Some(system.description.to_string()),
                ..PriorityClass::default()
            };
            let _ = self.create("", Object::from(class));
        }
        self.rng = main;
    }

    fn rebuild_allocations(&mut self) {
        let prefix = registry::key_prefix(Kind::Service);
        let Ok(response) = self
            .store
            .range(&RangeRequest::new(crate::store::KeyRange::prefix(prefix)))
        else {
            return;
        };
        for kv in response.kvs {
            if let Object::Service(service) = kv.value.as_ref() {
                self.allocator.mark_in_use(service);
            }
        }
    }
}
