//! The workload controllers of kube-controller-manager, as sans-IO reconcilers.
//!
//! A host opens watches on the kinds in [`ControllerManager::WATCHED_KINDS`] and feeds each
//! event to [`ControllerManager::handle_watch_event`]; the manager updates its
//! [`cache::InformerCache`] and puts the controller objects the event concerns on a work
//! queue (de-duplicated, first in first out). [`ControllerManager::poll_api_request`] runs
//! reconcilers until one has something to say and hands out its requests one at a time; the
//! host executes each with [`crate::apiserver::ApiServer::handle`] and reports the outcome with
//! [`ControllerManager::handle_api_result`] (this releases the next slow-start batch and
//! records events). Reconcilers that want to look again later (minReadySeconds,
//! progressDeadlineSeconds, retries after errors) set timers: [`ControllerManager::poll_timeout`]
//! says when, and [`ControllerManager::handle_tick`] moves the clock.
//!
//! Each reconciler, kube-rs style, is a function of (object, what the cache says) returning
//! [`Reconciled`]: requests plus when to look again. It keeps only caches and expectations.
//!
//! - [`replica_set`]: ReplicaSets (set-based selectors) and, sharing the logic,
//!   [`replication_controller`]s (equality selectors).
//! - [`deployment`]: Deployments — rolling update, recreate, revisions, rollback, pause,
//!   progress deadline.
//! - [`node_lifecycle`]: node health from Lease heartbeats, the not-ready/unreachable
//!   taints, and taint-based eviction.
//! - [`endpoints`] and [`endpoint_slice`]: the pod IPs behind each Service.
//! - [`garbage_collector`]: deletes dependents whose owners are gone, orphans or deletes
//!   them in the foreground as the owner's delete asked.
//! - [`namespace`]: empties a Terminating namespace, then lets it go.

pub mod cache;
pub mod controller_utils;
pub mod deployment;
pub mod endpoint_slice;
pub mod endpoints;
pub mod events;
pub mod expectations;
pub mod garbage_collector;
pub mod namespace;
pub mod node_lifecycle;
pub mod replica_set;
pub mod replication_controller;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use crate::api::objects::{Kind, Object};
use crate::apiserver::{ApiError, ApiRequest, ApiWatchEvent, WatchEventType};
use crate::sim::clock::Timestamp;

use cache::{controller_ref, InformerCache, ObjectKey};
use deployment::DeploymentController;
use endpoint_slice::EndpointSliceController;
use endpoints::EndpointsController;
use garbage_collector::GarbageCollector;
use namespace::NamespaceController;
use node_lifecycle::NodeLifecycleController;
use replica_set::ReplicaSetController;

/// What one reconcile wants: requests to send now, and when to be woken again.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reconciled {
    /// Requests, in the order to send them.
    pub requests: Vec<ApiRequest>,
    /// Look again after this long (even if nothing changes).
    pub requeue_after: Option<Duration>,
}

/// Which controller a queued key belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ControllerName {
    /// The ReplicationController controller (`replication-controller`).
    ReplicationController,
    /// The ReplicaSet controller (`replicaset-controller`).
    ReplicaSet,
    /// The Deployment controller (`deployment-controller`).
    Deployment,
    /// The node lifecycle controller (`node-lifecycle-controller`), keyed by node.
    NodeLifecycle,
    /// The taint eviction controller (`taint-eviction-controller`), keyed by node.
    TaintEviction,
    /// The Endpoints controller (`endpoint-controller`); keys are Services.
    Endpoints,
    /// The EndpointSlice controller (`endpointslice-controller`); keys are Services.
    EndpointSlice,
    /// The garbage collector (`garbagecollector`); it keeps its own set of items, under one
    /// empty key.
    GarbageCollector,
    /// The namespace controller (`namespace-controller`); keys are namespaces.
    Namespace,
}

/// One work item: a controller and the object it reconciles.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QueueKey {
    /// The controller.
    pub controller: ControllerName,
    /// The object (namespace/name).
    pub key: ObjectKey,
}

/// The first retry delay after a failed request (client-go's rate limiter base, 5 ms).
const RETRY_BASE: Duration = Duration::from_millis(5);
/// The longest retry delay (client-go's rate limiter cap, 1000 s).
const RETRY_MAX: Duration = Duration::from_secs(1000);

/// kube-controller-manager's workload controllers behind one sans-IO interface.
#[derive(Clone)]
pub struct ControllerManager {
    now: Timestamp,
    cache: InformerCache,
    replication: ReplicaSetController,
    replica_sets: ReplicaSetController,
    deployments: DeploymentController,
    node_lifecycle: NodeLifecycleController,
    endpoints: EndpointsController,
    endpoint_slices: EndpointSliceController,
    garbage_collector: GarbageCollector,
    namespaces: NamespaceController,
    queue: VecDeque<QueueKey>,
    queued: BTreeSet<QueueKey>,
    timers: BTreeMap<QueueKey, Timestamp>,
    failures: BTreeMap<QueueKey, u32>,
    outgoing: VecDeque<ApiRequest>,
}

impl ControllerManager {
    /// The kinds whose watch events the manager needs.
    pub const WATCHED_KINDS: [Kind; 12] = [
        Kind::Pod,
        Kind::ReplicationController,
        Kind::ReplicaSet,
        Kind::Deployment,
        Kind::Node,
        Kind::Service,
        Kind::Endpoints,
        Kind::EndpointSlice,
        // The namespace controller must see every namespaced kind to empty a namespace.
        Kind::Namespace,
        Kind::ConfigMap,
        Kind::Event,
        Kind::Lease,
    ];

    /// A manager with empty caches, its clock at `now`.
    pub fn new(now: Timestamp) -> ControllerManager {
        ControllerManager {
            now,
            cache: InformerCache::new(),
            replication: replication_controller::new_replication_manager(),
            replica_sets: ReplicaSetController::new(Kind::ReplicaSet),
            deployments: DeploymentController::new(),
            node_lifecycle: NodeLifecycleController::new(),
            endpoints: EndpointsController::new(),
            endpoint_slices: EndpointSliceController::new(),
            garbage_collector: GarbageCollector::new(),
            namespaces: NamespaceController::new(),
            queue: VecDeque::new(),
            queued: BTreeSet::new(),
            timers: BTreeMap::new(),
            failures: BTreeMap::new(),
            outgoing: VecDeque::new(),
        }
    }

    /// What the manager's informers hold.
    pub fn cache(&self) -> &InformerCache {
        &self.cache
    }

    /// The manager's clock.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// How many work items wait.
    pub fn queue_len(&self) -> usize {
        self.queue.len()
    }

    fn enqueue(&mut self, controller: ControllerName, key: ObjectKey) {
        let item = QueueKey { controller, key };
        if self.queued.insert(item.clone()) {
            self.queue.push_back(item);
        }
    }

    fn enqueue_after(&mut self, controller: ControllerName, key: ObjectKey, after: Duration) {
        if after.is_zero() {
            self.enqueue(controller, key);
            return;
        }
        let at = self.now.plus(after);
        let item = QueueKey { controller, key };
        let entry = self.timers.entry(item).or_insert(at);
        *entry = (*entry).min(at);
    }

    /// Feeds one watch event: the cache is updated and the controllers concerned are queued.
    pub fn handle_watch_event(&mut self, event: &ApiWatchEvent) {
        if event.event_type == WatchEventType::Bookmark {
            return;
        }
        let old = self.cache.apply(event);
        let new = match event.event_type {
            WatchEventType::Deleted => None,
            WatchEventType::Added | WatchEventType::Modified | WatchEventType::Bookmark => {
                Some(Arc::clone(&event.object))
            }
        };
        let key = ObjectKey::of(&event.object);
        match event.object.kind() {
            Kind::Pod => {
                let wake_rc =
                    self.replication
                        .handle_pod_event(&self.cache, old.as_deref(), new.as_deref());
                let wake_rs =
                    self.replica_sets
                        .handle_pod_event(&self.cache, old.as_deref(), new.as_deref());
                for (key, after) in wake_rc {
                    self.enqueue_after(
                        ControllerName::ReplicationController,
                        key,
                        after.unwrap_or_default(),
                    );
                }
                for (key, after) in wake_rs {
                    self.enqueue_after(ControllerName::ReplicaSet, key, after.unwrap_or_default());
                }
                if let Some(node) = self
                    .node_lifecycle
                    .handle_pod_event(&self.cache, &event.object)
                {
                    self.enqueue(ControllerName::NodeLifecycle, node.clone());
                    self.enqueue(ControllerName::TaintEviction, node);
                }
                if new.is_none() {
                    for key in self
                        .deployments
                        .handle_pod_deleted(&self.cache, &event.object)
                    {
                        self.enqueue(ControllerName::Deployment, key);
                    }
                }
            }
            Kind::ReplicationController => {
                self.enqueue(ControllerName::ReplicationController, key);
            }
            Kind::ReplicaSet => {
                self.enqueue(ControllerName::ReplicaSet, key);
                for key in self.deployments.handle_replica_set_event(
                    &self.cache,
                    old.as_deref(),
                    new.as_deref(),
                    &event.object,
                ) {
                    self.enqueue(ControllerName::Deployment, key);
                }
            }
            Kind::Deployment => self.enqueue(ControllerName::Deployment, key),
            Kind::Node => {
                self.enqueue(ControllerName::NodeLifecycle, key.clone());
                self.enqueue(ControllerName::TaintEviction, key);
            }
            Kind::Lease => {
                if let Some(node) = self.node_lifecycle.handle_lease_event(&event.object) {
                    self.enqueue(ControllerName::NodeLifecycle, node);
                }
            }
            Kind::Namespace
            | Kind::Service
            | Kind::Endpoints
            | Kind::EndpointSlice
            | Kind::Event
            | Kind::ConfigMap
            | Kind::PriorityClass => {}
        }
        self.route_to_service_and_lifecycle_controllers(event, old.as_deref(), new.as_deref());
    }

    /// Wakes the Endpoints, EndpointSlice, garbage-collector and namespace controllers for
    /// one watch event (after the cache has applied it).
    fn route_to_service_and_lifecycle_controllers(
        &mut self,
        event: &ApiWatchEvent,
        old: Option<&Object>,
        new: Option<&Object>,
    ) {
        let object = &event.object;
        if self.garbage_collector.handle_watch_event(event, old) {
            self.enqueue(ControllerName::GarbageCollector, ObjectKey::new("", ""));
        }
        // A namespace being emptied looks again whenever something in it goes.
        if object.kind().namespaced() && event.event_type == WatchEventType::Deleted {
            let terminating = self
                .cache
                .get(Kind::Namespace, "", object.namespace())
                .and_then(|o| namespace::as_namespace(o))
                .is_some_and(namespace::is_terminating);
            if terminating {
                self.enqueue(
                    ControllerName::Namespace,
                    ObjectKey::new("", object.namespace()),
                );
            }
        }
        match object.kind() {
            Kind::Pod => {
                for key in endpoints::services_for_pod(&self.cache, old, new) {
                    self.enqueue(ControllerName::Endpoints, key.clone());
                    self.enqueue(ControllerName::EndpointSlice, key);
                }
            }
            Kind::Service => {
                self.enqueue(ControllerName::Endpoints, ObjectKey::of(object));
                self.enqueue(ControllerName::EndpointSlice, ObjectKey::of(object));
            }
            Kind::EndpointSlice => {
                // Someone else changed (or deleted) a managed slice: put it right.
                if let Some(key) = endpoint_slice::managed_service_of(object) {
                    if event.event_type == WatchEventType::Deleted {
                        self.enqueue(ControllerName::EndpointSlice, key);
                    }
                }
            }
            Kind::Namespace => {
                self.enqueue(ControllerName::Namespace, ObjectKey::of(object));
            }
            Kind::Node
            | Kind::ReplicationController
            | Kind::ReplicaSet
            | Kind::Deployment
            | Kind::Endpoints
            | Kind::Event
            | Kind::ConfigMap
            | Kind::Lease
            | Kind::PriorityClass => {}
        }
    }

    /// Moves the clock to `now`: timers that are due put their objects on the queue.
    pub fn handle_tick(&mut self, now: Timestamp) {
        self.now = self.now.max(now);
        let due: Vec<QueueKey> = self
            .timers
            .iter()
            .filter(|(_, at)| **at <= self.now)
            .map(|(item, _)| item.clone())
            .collect();
        for item in due {
            self.timers.remove(&item);
            self.enqueue(item.controller, item.key);
        }
    }

    /// When the next timer is due, if any.
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        self.timers.values().min().copied()
    }

    /// The next request to send, running reconcilers from the queue until one has something
    /// to send. None when the queue is drained and nothing is waiting.
    pub fn poll_api_request(&mut self) -> Option<ApiRequest> {
        loop {
            if let Some(request) = self.outgoing.pop_front() {
                return Some(request);
            }
            let Some(item) = self.queue.pop_front() else {
                // Drained: give back the room a start-up burst grew the queues to.
                crate::kubelet::release_burst_capacity(&mut self.queue);
                crate::kubelet::release_burst_capacity(&mut self.outgoing);
                return None;
            };
            self.queued.remove(&item);
            let reconciled = match item.controller {
                ControllerName::ReplicationController => {
                    self.replication.sync(&item.key, &self.cache, self.now)
                }
                ControllerName::ReplicaSet => {
                    self.replica_sets.sync(&item.key, &self.cache, self.now)
                }
                ControllerName::Deployment => {
                    self.deployments.sync(&item.key, &self.cache, self.now)
                }
                ControllerName::NodeLifecycle => {
                    self.node_lifecycle
                        .sync_node(&item.key, &self.cache, self.now)
                }
                ControllerName::TaintEviction => {
                    self.node_lifecycle
                        .sync_evictions(&item.key, &self.cache, self.now)
                }
                ControllerName::Endpoints => self.endpoints.sync(&item.key, &self.cache),
                ControllerName::EndpointSlice => self.endpoint_slices.sync(&item.key, &self.cache),
                ControllerName::GarbageCollector => self.garbage_collector.sync(&self.cache),
                ControllerName::Namespace => self.namespaces.sync(&item.key, &self.cache),
            };
            self.outgoing.extend(reconciled.requests);
            if let Some(after) = reconciled.requeue_after {
                self.enqueue_after(item.controller, item.key, after);
            }
        }
    }

    /// Takes the outcome of a request handed out by [`Self::poll_api_request`]. Hosts must
    /// report every outcome: slow-start batches and controller events depend on it. A failed
    /// request wakes the controller that sent it again after an exponential backoff.
    pub fn handle_api_result(
        &mut self,
        request: &ApiRequest,
        result: &Result<Arc<Object>, ApiError>,
    ) {
        let now = self.now;
        let mut next = self
            .replica_sets
            .handle_result(&self.cache, request, result, now);
        next.extend(
            self.replication
                .handle_result(&self.cache, request, result, now),
        );
        next.extend(
            self.deployments
                .handle_result(&self.cache, request, result, now),
        );
        self.outgoing.extend(next);
        if let Some(item) = self.sender_of(request) {
            if result.is_ok() {
                self.failures.remove(&item);
            } else {
                let failures = self.failures.entry(item.clone()).or_insert(0);
                let delay = RETRY_BASE
                    .saturating_mul(2u32.saturating_pow((*failures).min(30)))
                    .min(RETRY_MAX);
                *failures += 1;
                self.enqueue_after(
                    item.controller,
                    item.key,
                    delay.max(Duration::from_millis(1)),
                );
            }
        }
    }

    /// Which work item sent a request (to retry it after a failure).
    fn sender_of(&self, request: &ApiRequest) -> Option<QueueKey> {
        let (kind, namespace, name, object): (Kind, &str, &str, Option<&Object>) = match request {
            ApiRequest::Create { namespace, object } | ApiRequest::Update { namespace, object } => {
                (object.kind(), namespace, object.name(), Some(object))
            }
            ApiRequest::UpdateStatus { namespace, object } => {
                let controller = match object.kind() {
                    Kind::ReplicaSet => ControllerName::ReplicaSet,
                    Kind::ReplicationController => ControllerName::ReplicationController,
                    Kind::Deployment => ControllerName::Deployment,
                    _ => return None,
                };
                return Some(QueueKey {
                    controller,
                    key: ObjectKey::new(namespace, object.name()),
                });
            }
            ApiRequest::Patch {
                kind,
                namespace,
                name,
                ..
            }
            | ApiRequest::Delete {
                kind,
                namespace,
                name,
                ..
            } => (*kind, namespace, name, None),
            ApiRequest::Bind { .. } => return None,
        };
        if kind == Kind::Endpoints {
            return Some(QueueKey {
                controller: ControllerName::Endpoints,
                key: ObjectKey::new(namespace, name),
            });
        }
        if kind == Kind::EndpointSlice {
            let slice =
                object.or_else(|| self.cache.get(kind, namespace, name).map(|o| o.as_ref()));
            return slice
                .and_then(endpoint_slice::managed_service_of)
                .map(|key| QueueKey {
                    controller: ControllerName::EndpointSlice,
                    key,
                });
        }
        if kind == Kind::Deployment {
            return Some(QueueKey {
                controller: ControllerName::Deployment,
                key: ObjectKey::new(namespace, name),
            });
        }
        let owner_ref = object.and_then(controller_ref).or_else(|| {
            self.cache
                .get(kind, namespace, name)
                .and_then(|o| controller_ref(o))
        })?;
        let controller = match owner_ref.kind.as_str() {
            "ReplicaSet" => ControllerName::ReplicaSet,
            "ReplicationController" => ControllerName::ReplicationController,
            "Deployment" => ControllerName::Deployment,
            _ => return None,
        };
        Some(QueueKey {
            controller,
            key: ObjectKey::new(namespace, &owner_ref.name),
        })
    }
}

#[cfg(test)]
mod scenario_tests;
