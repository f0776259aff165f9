//! Watch: a stream of ADDED / MODIFIED / DELETED events for one kind (and namespace,
//! selectors), built on a store watch over the kind's key prefix.
//!
//! Sans-IO like the store: [`ApiServer::watch`] opens a watch and the host drains it with
//! [`ApiServer::poll_watch`], sending each event to its client (a chunked HTTP response, the
//! browser's informers). Selectors are applied the way the API server's watch cache applies
//! them: an object that starts matching arrives as ADDED, one that stops matching leaves as
//! DELETED.

use std::collections::VecDeque;
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
            .metadata()
            .resource_version
            .as_deref()
            .and_then(|rv| rv.parse().ok())
            .unwrap_or(0)
    }
}

/// The API server's state for one open watch.
pub(crate) struct ApiWatch {
    kind: Kind,
    store_watch: WatchId,
    labels: Selector,
    fields: FieldSelector,
    initial: VecDeque<ApiWatchEvent>,
    bookmarks: bool,
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
                last.metadata_mut().resource_version = Some(mod_revision.to_string());
                Some(ApiWatchEvent {
                    event_type: WatchEventType::Deleted,
                    object: Arc::new(last),
                })
            }
        }
    }
}

impl<S: KvStore<Object>> ApiServer<S> {
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
        let mut watch = ApiWatch {
            kind,
            store_watch: WatchId(0),
            labels,
            fields,
            initial: VecDeque::new(),
            bookmarks: options.allow_watch_bookmarks,
        };
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
        watch.store_watch = self
            .store
            .watch(
                WatchRequest::new(KeyRange::prefix(prefix))
                    .from_revision(start_revision)
                    .with_prev_kv(),
            )
            .map_err(store_read_error)?;
        let id = ApiWatchId(self.next_watch_id);
        self.next_watch_id += 1;
        self.watches.insert(id, watch);
        Ok(id)
    }

    /// Drains the events of a watch that are ready. A watch that fell behind compaction
    /// ends with 410 Gone (the client lists again and re-watches).
    pub fn poll_watch(&mut self, id: ApiWatchId) -> Result<Vec<ApiWatchEvent>, ApiError> {
        let Some(watch) = self.watches.get_mut(&id) else {
            return Err(ApiError::BadRequest(format!("watch {} is not open", id.0)));
        };
        let mut events: Vec<ApiWatchEvent> = watch.initial.drain(..).collect();
        let store_events = match self.store.poll_watch(watch.store_watch) {
            Ok(events) => events,
            Err(error) => {
                self.cancel_watch(id);
                return Err(store_read_error(error));
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
        object.metadata_mut().resource_version = Some(revision.to_string());
        Some(ApiWatchEvent {
            event_type: WatchEventType::Bookmark,
            object: Arc::new(object),
        })
    }

    /// Closes a watch.
    pub fn cancel_watch(&mut self, id: ApiWatchId) {
        if let Some(watch) = self.watches.remove(&id) {
            // The store watch may already be gone (ended by compaction): nothing to undo.
            let _ = self.store.cancel_watch(watch.store_watch);
        }
    }

    /// How many watches are open.
    pub fn watch_count(&self) -> usize {
        self.watches.len()
    }
}
