//! Watch: a stream of ADDED / MODIFIED / DELETED events for one kind (and namespace,
//! selectors), built on a store watch over the kind's key prefix.
//!
//! Sans-IO like the store: [`ApiServer::watch`] opens a watch and the host drains it with
//! [`ApiServer::poll_watch`], sending each event to its client (a chunked HTTP response, the
//! browser's informers). Selectors are applied the way the API server's watch cache applies
//! them: an object that starts matching arrives as ADDED, one that stops matching leaves as
//! DELETED.
//!
//! Like the watch cache's `spec.nodeName` index for pods, watches pinned to one node by a
//! `spec.nodeName=<node>` field selector (every kubelet's) do not each scan every pod change:
//! one shared store watch over all pods feeds them, and each change goes only to the watches of
//! the node names it had before and after (`NodeNameIndex`). What a client sees is the same.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use serde_json::{json, Value};

use crate::api::fields::FieldSelector;
use crate::api::labels::Selector;
use crate::api::objects::{Kind, Object};
use crate::sim::trace::TraceRecord;
use crate::store::{KeyRange, KvStore, RangeRequest, Revision, WatchEvent, WatchId, WatchRequest};

use super::error::ApiError;
use super::list::{parse_selectors, selected, store_read_error};
use super::options::WatchOptions;
use super::registry;
use super::ApiServer;

/// The id of an API watch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ApiWatchId(pub u64);

/// The type of a watch event, as on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatchEventType {
    /// An object appeared (or started matching the selectors).
    Added,
    /// A matching object changed.
    Modified,
    /// An object went away (or stopped matching the selectors).
    Deleted,
    /// No change: the watch has seen everything up to this resourceVersion.
    Bookmark,
}

impl WatchEventType {
    /// `ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK`.
    pub fn as_str(self) -> &'static str {
        match self {
            WatchEventType::Added => "ADDED",
            WatchEventType::Modified => "MODIFIED",
            WatchEventType::Deleted => "DELETED",
            WatchEventType::Bookmark => "BOOKMARK",
        }
    }
}

/// One event of an API watch.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiWatchEvent {
    /// What happened.
    pub event_type: WatchEventType,
    /// The object after the change (for DELETED: its last state, at the deletion's
    /// resourceVersion).
    pub object: Arc<Object>,
}

impl ApiWatchEvent {
    /// The event as Kubernetes JSON (`{"type":"ADDED","object":{…}}`).
    pub fn to_value(&self) -> Value {
        json!({"type": self.event_type.as_str(), "object": self.object.to_value()})
    }

    fn revision(&self) -> Revision {
        self.object
            .resource_version()
            .and_then(|rv| rv.parse().ok())
            .unwrap_or(0)
    }
}

/// The API server's state for one open watch.
#[derive(Clone)]
pub(crate) struct ApiWatch {
    kind: Kind,
    store_watch: WatchId,
    labels: Selector,
    fields: FieldSelector,
    initial: VecDeque<ApiWatchEvent>,
    bookmarks: bool,
    /// The node this watch is pinned to when the [`NodeNameIndex`] feeds it (then
    /// `store_watch` is unused).
    indexed_node: Option<String>,
    /// Store events the index handed to this watch, not yet polled.
    pending: VecDeque<WatchEvent<Object>>,
}

/// The field the pod watch index is keyed by.
const NODE_NAME_FIELD: &str = "spec.nodeName";

/// Pod watches by the node name their field selector pins, fed from one store watch over
/// all pods.
#[derive(Clone, Default)]
pub(crate) struct NodeNameIndex {
    /// The shared store watch, while some indexed watch is open.
    store_watch: Option<WatchId>,
    /// Indexed watches by node name.
    by_node: BTreeMap<String, Vec<ApiWatchId>>,
}

/// A pod's `spec.nodeName` as a field selector sees it ("" when unbound).
fn pod_node_name(object: &Object) -> &str {
    match object {
        Object::Pod(pod) => pod.node_name().unwrap_or(""),
        _ => "",
    }
}

impl ApiWatch {
    fn passes(&self, object: &Object) -> bool {
        selected(object, &self.labels, &self.fields)
    }

    /// Turns one store event into what this watch's client sees, if anything.
    fn translate(&self, event: WatchEvent<Object>) -> Option<ApiWatchEvent> {
        match event {
            WatchEvent::Put { kv, prev_kv } => {
                let now_matches = self.passes(&kv.value);
                let matched_before = prev_kv.as_ref().is_some_and(|p| self.passes(&p.value));
                let event_type = match (matched_before, now_matches) {
                    (true, true) => WatchEventType::Modified,
                    (false, true) => WatchEventType::Added,
                    (true, false) => WatchEventType::Deleted,
                    (false, false) => return None,
                };
                Some(ApiWatchEvent {
                    event_type,
                    object: kv.value,
                })
            }
            WatchEvent::Delete {
                mod_revision,
                prev_kv,
                ..
            } => {
                let prev = prev_kv?;
                if !self.passes(&prev.value) {
                    return None;
                }
                let mut last = prev.value.as_ref().clone();
                last.set_resource_version(Some(mod_revision.to_string()));
                Some(ApiWatchEvent {
                    event_type: WatchEventType::Deleted,
                    object: Arc::new(last),
                })
            }
        }
    }
}

impl<S: KvStore<Object>> ApiServer<S> {
    /// Calls `visit` with every object the API watches hold queued (initial lists and the
    /// per-node queues the pod index fills), for memory censuses.
    #[doc(hidden)]
    pub fn census_watch_queues(&self, mut visit: impl FnMut(&Arc<Object>)) {
        for watch in self.watches.values() {
            for event in &watch.initial {
                visit(&event.object);
            }
            for event in &watch.pending {
                match event {
                    WatchEvent::Put { kv, prev_kv } => {
                        visit(&kv.value);
                        if let Some(prev) = prev_kv {
                            visit(&prev.value);
                        }
                    }
                    WatchEvent::Delete { prev_kv, .. } => {
                        if let Some(prev) = prev_kv {
                            visit(&prev.value);
                        }
                    }
                }
            }
        }
    }

    /// Opens a watch on a kind in one namespace, or all when `namespace` is None.
    pub fn watch(
        &mut self,
        kind: Kind,
        namespace: Option<&str>,
        options: &WatchOptions,
    ) -> Result<ApiWatchId, ApiError> {
        let result = self.watch_inner(kind, namespace, options);
        let ns = namespace.unwrap_or("").to_string();
        self.traced("watch", kind.plural().to_string(), &ns, "", result)
    }

    fn watch_inner(
        &mut self,
        kind: Kind,
        namespace: Option<&str>,
        options: &WatchOptions,
    ) -> Result<ApiWatchId, ApiError> {
        let (labels, fields) = parse_selectors(
            kind,
            options.label_selector.as_deref(),
            options.field_selector.as_deref(),
        )?;
        let prefix = registry::list_prefix(kind, namespace);
        let from_now = matches!(
            options.resource_version.as_deref(),
            None | Some("") | Some("0")
        );
        let indexed_node = match (kind, namespace, from_now) {
            (Kind::Pod, None, true) => fields.exact_match_value(NODE_NAME_FIELD).map(String::from),
            _ => None,
        };
        let mut watch = ApiWatch {
            kind,
            store_watch: WatchId(0),
            labels,
            fields,
            initial: VecDeque::new(),
            bookmarks: options.allow_watch_bookmarks,
            indexed_node,
            pending: VecDeque::new(),
        };
        if watch.indexed_node.is_some() {
            // Hand out every change so far first, so the new watch starts exactly after the
            // state it lists below.
            self.dispatch_node_index()?;
        }
        let start_revision = match options.resource_version.as_deref() {
            None | Some("") | Some("0") => {
                // Start with the current state: one ADDED per matching object.
                let response = self
                    .store
                    .range(&RangeRequest::new(KeyRange::prefix(prefix.clone())))
                    .map_err(store_read_error)?;
                for kv in response.kvs {
                    if watch.passes(&kv.value) {
                        watch.initial.push_back(ApiWatchEvent {
                            event_type: WatchEventType::Added,
                            object: kv.value,
                        });
                    }
                }
                response.revision + 1
            }
            Some(rv) => {
                let revision: Revision = rv.parse().map_err(|_| {
                    ApiError::BadRequest(format!("invalid resource version \"{rv}\""))
                })?;
                revision + 1
            }
        };
        let compacted = self.store.compact_revision();
        if start_revision <= compacted {
            return Err(ApiError::Expired(format!(
                "too old resource version: {} ({})",
                start_revision - 1,
                compacted
            )));
        }
        let id = ApiWatchId(self.next_watch_id);
        match watch.indexed_node.clone() {
            Some(node) => {
                if self.node_index.store_watch.is_none() {
                    let all_pods = registry::list_prefix(Kind::Pod, None);
                    let shared = self
                        .store
                        .watch(
                            WatchRequest::new(KeyRange::prefix(all_pods))
                                .from_revision(start_revision)
                                .with_prev_kv(),
                        )
                        .map_err(store_read_error)?;
                    self.node_index.store_watch = Some(shared);
                }
                self.node_index.by_node.entry(node).or_default().push(id);
            }
            None => {
                watch.store_watch = self
                    .store
                    .watch(
                        WatchRequest::new(KeyRange::prefix(prefix))
                            .from_revision(start_revision)
                            .with_prev_kv(),
                    )
                    .map_err(store_read_error)?;
            }
        }
        self.next_watch_id += 1;
        self.watches.insert(id, watch);
        Ok(id)
    }

    /// Drains the index's shared store watch and hands each pod change to the watches of the
    /// node names the pod had before and after it.
    fn dispatch_node_index(&mut self) -> Result<(), ApiError> {
        let Some(shared) = self.node_index.store_watch else {
            return Ok(());
        };
        let events = match self.store.poll_watch(shared) {
            Ok(events) => events,
            Err(error) => {
                self.fail_node_index();
                return Err(store_read_error(error));
            }
        };
        for event in events {
            let before = event.prev_kv().map(|p| pod_node_name(&p.value));
            let after = match &event {
                WatchEvent::Put { kv, .. } => Some(pod_node_name(&kv.value)),
                WatchEvent::Delete { .. } => None,
            };
            let after = after.filter(|a| Some(*a) != before);
            let targets: Vec<ApiWatchId> = [before, after]
                .into_iter()
                .flatten()
                .filter_map(|node| self.node_index.by_node.get(node))
                .flatten()
                .copied()
                .collect();
            for id in targets {
                if let Some(watch) = self.watches.get_mut(&id) {
                    watch.pending.push_back(event.clone());
                }
            }
        }
        Ok(())
    }

    /// The shared store watch failed: every indexed watch ends, as its own store watch
    /// would have.
    fn fail_node_index(&mut self) {
        if let Some(shared) = self.node_index.store_watch.take() {
            let _ = self.store.cancel_watch(shared);
        }
        for (_, ids) in std::mem::take(&mut self.node_index.by_node) {
            for id in ids {
                self.watches.remove(&id);
            }
        }
    }

    /// Drains the events of a watch that are ready. A watch that fell behind compaction
    /// ends with 410 Gone (the client lists again and re-watches).
    pub fn poll_watch(&mut self, id: ApiWatchId) -> Result<Vec<ApiWatchEvent>, ApiError> {
        let Some(watch) = self.watches.get_mut(&id) else {
            return Err(ApiError::BadRequest(format!("watch {} is not open", id.0)));
        };
        let mut events: Vec<ApiWatchEvent> = watch.initial.drain(..).collect();
        let store_events = if watch.indexed_node.is_some() {
            self.dispatch_node_index()?;
            match self.watches.get_mut(&id) {
                Some(watch) => watch.pending.drain(..).collect(),
                None => Vec::new(),
            }
        } else {
            match self.store.poll_watch(watch.store_watch) {
                Ok(events) => events,
                Err(error) => {
                    self.cancel_watch(id);
                    return Err(store_read_error(error));
                }
            }
        };
        if let Some(watch) = self.watches.get(&id) {
            events.extend(store_events.into_iter().filter_map(|e| watch.translate(e)));
            for event in &events {
                let key =
                    registry::object_key(watch.kind, event.object.namespace(), event.object.name());
                self.trace.push(TraceRecord::WatchDelivery {
                    at: self.now,
                    watch_id: id.0,
                    revision: event.revision(),
                    event_type: event.event_type.as_str().to_string(),
                    key,
                });
            }
        }
        Ok(events)
    }

    /// A BOOKMARK event at the current revision, if the watch asked for bookmarks. Hosts
    /// send one now and then so clients can resume from a recent resourceVersion.
    pub fn bookmark(&mut self, id: ApiWatchId) -> Option<ApiWatchEvent> {
        let watch = self.watches.get(&id)?;
        if !watch.bookmarks {
            return None;
        }
        let revision = self.store.current_revision();
        let mut object = registry::empty_object(watch.kind);
        object.set_resource_version(Some(revision.to_string()));
        Some(ApiWatchEvent {
            event_type: WatchEventType::Bookmark,
            object: Arc::new(object),
        })
    }

    /// Closes a watch.
    pub fn cancel_watch(&mut self, id: ApiWatchId) {
        let Some(watch) = self.watches.remove(&id) else {
            return;
        };
        let Some(node) = watch.indexed_node else {
            // The store watch may already be gone (ended by compaction): nothing to undo.
            let _ = self.store.cancel_watch(watch.store_watch);
            return;
        };
        if let Some(ids) = self.node_index.by_node.get_mut(&node) {
            ids.retain(|other| *other != id);
            if ids.is_empty() {
                self.node_index.by_node.remove(&node);
            }
        }
        if self.node_index.by_node.is_empty() {
            if let Some(shared) = self.node_index.store_watch.take() {
                let _ = self.store.cancel_watch(shared);
            }
        }
    }

    /// How many watches are open.
    pub fn watch_count(&self) -> usize {
        self.watches.len()
    }
}
