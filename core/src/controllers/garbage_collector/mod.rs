//! The garbage collector (`garbagecollector`): Kubernetes' `pkg/controller/garbagecollector`
//! as a reconciler over the informer cache.
//!
//! Objects point at their owners with `metadata.ownerReferences` (by uid). The collector
//! keeps an index from owner uid to dependents, fed by
//! [`GarbageCollector::handle_watch_event`], and a set of items to look at. For each,
//! [`GarbageCollector::sync`] does what `attemptToDeleteItem` and `attemptToOrphan` do:
//!
//! - **Background** (the default): an object whose owners are all gone (no object of that
//!   kind and uid) is deleted; if it still has a live owner, the references to gone owners
//!   are removed instead.
//! - **Orphan**: an owner being deleted with the `orphan` finalizer has its reference
//!   removed from every dependent; once none is left, the finalizer is removed and the API
//!   server deletes the owner.
//! - **Foreground**: an owner being deleted with the `foregroundDeletion` finalizer waits
//!   while any dependent with `blockOwnerDeletion: true` exists; those dependents are
//!   deleted (in the foreground themselves when they have dependents), and when none is left
//!   the finalizer is removed.
//!
//! Unlike the real collector, kubeplay does not confirm an absent owner with a live GET: the
//! cache is fed in revision order by the host, so an owner is always seen before the objects
//! that point at it. References to kinds the collector does not watch are left alone.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use serde_json::{json, Value};

use crate::api::objects::{Kind, Object};
use crate::api::patch::PatchType;
use crate::apiserver::{
    ApiRequest, ApiWatchEvent, DeleteOptions, PropagationPolicy, WatchEventType,
};

use super::cache::{InformerCache, ObjectKey};
use super::Reconciled;

#[cfg(test)]
mod world_tests;

pub use crate::apiserver::{FOREGROUND_FINALIZER, ORPHAN_FINALIZER};

/// The kinds whose owner references the collector follows (owners and dependents alike).
pub const GC_KINDS: [Kind; 6] = [
    Kind::Pod,
    Kind::ReplicationController,
    Kind::ReplicaSet,
    Kind::Deployment,
    Kind::Service,
    Kind::EndpointSlice,
];

/// One object the collector knows: kind, namespace and name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ItemKey {
    /// The kind.
    pub kind: Kind,
    /// Where it lives.
    pub key: ObjectKey,
}

impl ItemKey {
    fn of(object: &Object) -> ItemKey {
        ItemKey {
            kind: object.kind(),
            key: ObjectKey::of(object),
        }
    }
}

/// How an owner reference resolves (`classifyReferences`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OwnerState {
    /// The owner exists and is not waiting for its dependents.
    Solid,
    /// No object of that kind, name and uid exists.
    Dangling,
    /// The owner is being deleted in the foreground.
    WaitingForDependentsDeletion,
}

fn has_finalizer(object: &Object, finalizer: &str) -> bool {
    object
        .metadata()
        .finalizers
        .iter()
        .flatten()
        .any(|f| f == finalizer)
}

fn owner_references(object: &Object) -> &[OwnerReference] {
    object
        .metadata()
        .owner_references
        .as_deref()
        .unwrap_or_default()
}

/// Whether two states of one object look the same to the collector: the same uid, owner
/// references and finalizers, and neither being deleted. (An object being deleted is always
/// looked at again: a finalizer removal that conflicted comes back through its next event.)
fn same_ownership(previous: &Object, current: &Object) -> bool {
    let (before, after) = (previous.metadata(), current.metadata());
    before.deletion_timestamp.is_none()
        && after.deletion_timestamp.is_none()
        && before.uid == after.uid
        && before.owner_references == after.owner_references
        && before.finalizers == after.finalizers
}

/// An item as the graph holds it: one allocation per object, shared by the indexes below
/// (ordered by the key's value, so every index iterates as with plain `ItemKey`s).
type Item = Arc<ItemKey>;

/// The garbage collector.
#[derive(Clone, Debug, Default)]
pub struct GarbageCollector {
    /// Owner uid → the items that reference it. The uid is the one allocation that
    /// `owners_of` shares for every dependent of that owner.
    dependents: BTreeMap<Arc<str>, BTreeSet<Item>>,
    /// Item → the owner uids it references (to keep the index in step), sorted and without
    /// repeats. A boxed slice, not a `BTreeSet`: nearly every object has one owner, and a
    /// one-entry set takes a whole B-tree leaf (~280 bytes per pod).
    owners_of: BTreeMap<Item, Box<[Arc<str>]>>,
    /// Uid → item, for the objects the collector has seen.
    by_uid: BTreeMap<String, Item>,
    /// Items to look at on the next sync.
    dirty: BTreeSet<Item>,
}

impl GarbageCollector {
    /// A collector with an empty graph.
    pub fn new() -> GarbageCollector {
        GarbageCollector::default()
    }

    /// Whether any item waits for a sync.
    pub fn has_work(&self) -> bool {
        !self.dirty.is_empty()
    }

    /// Feeds one watch event of a [`GC_KINDS`] kind (others are ignored): updates the graph
    /// and marks what must be looked at. `previous` is the state the object had before the
    /// event, as the informer cache held it (None when it was new or is not known). Returns
    /// whether a sync is needed.
    ///
    /// Like the graph builder's `processGraphChanges`, an update that leaves the object's
    /// owner references, finalizers and deletion state as they were (a status write, most pod
    /// events) changes nothing in the graph and marks nothing: nothing the collector decides
    /// on moved. It still asks for a sync (an empty one), so the collector's place in the work
    /// queue is where every other event would have put it.
    pub fn handle_watch_event(&mut self, event: &ApiWatchEvent, previous: Option<&Object>) -> bool {
        let object = &event.object;
        if !GC_KINDS.contains(&object.kind()) {
            return false;
        }
        if event.event_type == WatchEventType::Modified
            && previous.is_some_and(|previous| same_ownership(previous, object))
        {
            return true;
        }
        let key = ItemKey::of(object);
        let uid = object.metadata().uid.clone().unwrap_or_default();
        let (item, previous_owners) = match self.owners_of.remove_entry(&key) {
            Some((item, owners)) => (item, owners),
            None => (Arc::new(key), Box::default()),
        };
        for owner in &previous_owners {
            if let Some(set) = self.dependents.get_mut(owner) {
                set.remove(&item);
                if set.is_empty() {
                    self.dependents.remove(owner);
                }
            }
        }
        let gone = event.event_type == WatchEventType::Deleted;
        let owners: Box<[Arc<str>]> = if gone {
            Box::default()
        } else {
            let mut uids: Vec<&str> = owner_references(object)
                .iter()
                .map(|r| r.uid.as_str())
                .collect();
            uids.sort_unstable();
            uids.dedup();
            // An owner's uid is allocated once, by its first dependent.
            uids.into_iter()
                .map(|uid| match self.dependents.get_key_value(uid) {
                    Some((shared, _)) => Arc::clone(shared),
                    None => Arc::from(uid),
                })
                .collect()
        };
        for owner in &owners {
            self.dependents
                .entry(Arc::clone(owner))
                .or_default()
                .insert(Arc::clone(&item));
        }
        // Owners that lost or may be waiting on this dependent look again.
        for owner in previous_owners.iter().chain(owners.iter()) {
            if let Some(owner_item) = self.by_uid.get(owner.as_ref()) {
                self.dirty.insert(Arc::clone(owner_item));
            }
        }
        if gone {
            self.by_uid.remove(&uid);
        } else {
            self.owners_of.insert(Arc::clone(&item), owners);
            self.by_uid.insert(uid.clone(), Arc::clone(&item));
            self.dirty.insert(item);
        }
        // The dependents of an owner that went or is going look again.
        if gone || object.metadata().deletion_timestamp.is_some() {
            if let Some(dependents) = self.dependents.get(uid.as_str()) {
                self.dirty.extend(dependents.iter().cloned());
            }
        }
        !self.dirty.is_empty()
    }

    /// Looks at every marked item and returns the requests that move ownership on.
    pub fn sync(&mut self, cache: &InformerCache) -> Reconciled {
        let mut out = Reconciled::default();
        let mut work: Vec<Item> = std::mem::take(&mut self.dirty).into_iter().collect();
        let mut seen = BTreeSet::new();
        while let Some(item) = work.pop() {
            if !seen.insert(Arc::clone(&item)) {
                continue;
            }
            let Some(object) = cache.get(item.kind, &item.key.namespace, &item.key.name) else {
                continue;
            };
            let object = Arc::clone(object);
            if object.metadata().deletion_timestamp.is_some() {
                if has_finalizer(&object, ORPHAN_FINALIZER) {
                    self.orphan_dependents(&object, cache, &mut out);
                } else if has_finalizer(&object, FOREGROUND_FINALIZER) {
                    let blocking = self.blocking_dependents(&object, cache);
                    if blocking.is_empty() {
                        out.requests
                            .push(remove_finalizer(&object, FOREGROUND_FINALIZER));
                    } else {
                        work.extend(blocking.into_iter().filter(|d| !seen.contains(d)));
                    }
                }
                continue;
            }
            self.attempt_to_delete(&object, cache, &mut out);
        }
        out
    }

    /// The live dependents of an owner: objects in the cache that still reference its uid.
    fn live_dependents(&self, owner: &Object, cache: &InformerCache) -> Vec<(Item, Arc<Object>)> {
        let uid = owner.metadata().uid.clone().unwrap_or_default();
        self.dependents
            .get(uid.as_str())
            .into_iter()
            .flatten()
            .filter_map(|d| {
                let object = cache.get(d.kind, &d.key.namespace, &d.key.name)?;
                owner_references(object)
                    .iter()
                    .any(|r| r.uid == uid)
                    .then(|| (Arc::clone(d), Arc::clone(object)))
            })
            .collect()
    }

    /// Dependents whose reference to this owner has `blockOwnerDeletion: true`.
    fn blocking_dependents(&self, owner: &Object, cache: &InformerCache) -> Vec<Item> {
        let uid = owner.metadata().uid.clone().unwrap_or_default();
        self.live_dependents(owner, cache)
            .into_iter()
            .filter(|(_, d)| {
                owner_references(d)
                    .iter()
                    .any(|r| r.uid == uid && r.block_owner_deletion == Some(true))
            })
            .map(|(item, _)| item)
            .collect()
    }

    /// `attemptToOrphan`: remove the owner's reference from every dependent, then the
    /// `orphan` finalizer.
    fn orphan_dependents(&self, owner: &Object, cache: &InformerCache, out: &mut Reconciled) {
        let uid = owner.metadata().uid.clone().unwrap_or_default();
        let dependents = self.live_dependents(owner, cache);
        if dependents.is_empty() {
            out.requests.push(remove_finalizer(owner, ORPHAN_FINALIZER));
            return;
        }
        for (_, dependent) in dependents {
            out.requests.push(delete_owner_refs_patch(
                &dependent,
                std::slice::from_ref(&uid),
            ));
        }
    }

    fn classify(
        &self,
        object: &Object,
        reference: &OwnerReference,
        cache: &InformerCache,
    ) -> OwnerState {
        let Some(kind) = Kind::from_kind_name(&reference.api_version, &reference.kind) else {
            return OwnerState::Solid;
        };
        if !GC_KINDS.contains(&kind) {
            // A kind the collector does not watch: it cannot tell, so it keeps the object.
            return OwnerState::Solid;
        }
        let namespace = if kind.namespaced() {
            object.namespace()
        } else {
            ""
        };
        match cache.get(kind, namespace, &reference.name) {
            Some(owner) if owner.metadata().uid.as_deref() == Some(reference.uid.as_str()) => {
                if owner.metadata().deletion_timestamp.is_some()
                    && has_finalizer(owner, FOREGROUND_FINALIZER)
                {
                    OwnerState::WaitingForDependentsDeletion
                } else {
                    OwnerState::Solid
                }
            }
            Some(_) | None => OwnerState::Dangling,
        }
    }

    /// `attemptToDeleteItem` for an object not being deleted.
    fn attempt_to_delete(&self, object: &Object, cache: &InformerCache, out: &mut Reconciled) {
        let references = owner_references(object);
        if references.is_empty() {
            return;
        }
        let mut solid = 0;
        let mut to_unlink = Vec::new();
        let mut waiting = 0;
        for reference in references {
            match self.classify(object, reference, cache) {
                OwnerState::Solid => solid += 1,
                OwnerState::Dangling => to_unlink.push(reference.uid.clone()),
                OwnerState::WaitingForDependentsDeletion => {
                    waiting += 1;
                    to_unlink.push(reference.uid.clone());
                }
            }
        }
        if solid > 0 {
            // A live owner keeps the object; references to gone or going owners are dropped.
            if !to_unlink.is_empty() {
                out.requests
                    .push(delete_owner_refs_patch(object, &to_unlink));
            }
            return;
        }
        let has_dependents = !self.live_dependents(object, cache).is_empty();
        let policy = if waiting > 0 && has_dependents {
            PropagationPolicy::Foreground
        } else if has_finalizer(object, ORPHAN_FINALIZER) {
            PropagationPolicy::Orphan
        } else if has_finalizer(object, FOREGROUND_FINALIZER) {
            PropagationPolicy::Foreground
        } else {
            PropagationPolicy::Background
        };
        out.requests.push(ApiRequest::Delete {
            kind: object.kind(),
            namespace: object.namespace().to_string(),
            name: object.name().to_string(),
            options: DeleteOptions {
                propagation_policy: Some(policy),
                precondition_uid: object.metadata().uid.clone(),
                ..DeleteOptions::default()
            },
        });
    }
}

/// The strategic merge patch that drops owner references by uid, guarded by the dependent's
/// uid (`GenerateDeleteOwnerRefStrategicMergeBytes`).
pub fn delete_owner_refs_patch(dependent: &Object, owner_uids: &[String]) -> ApiRequest {
    let deletes: Vec<Value> = owner_uids
        .iter()
        .map(|uid| json!({"$patch": "delete", "uid": uid}))
        .collect();
    ApiRequest::Patch {
        kind: dependent.kind(),
        namespace: dependent.namespace().to_string(),
        name: dependent.name().to_string(),
        patch_type: PatchType::StrategicMergePatch,
        patch: json!({"metadata": {"ownerReferences": deletes, "uid": dependent.metadata().uid}}),
        status: false,
    }
}

/// The update that removes one finalizer from an object, at the version the cache holds (a
/// conflict means the object changed, and its watch event brings the collector back).
pub fn remove_finalizer(object: &Object, finalizer: &str) -> ApiRequest {
    let mut updated = object.clone();
    let meta = updated.metadata_mut();
    let remaining: Vec<String> = meta
        .finalizers
        .iter()
        .flatten()
        .filter(|f| *f != finalizer)
        .cloned()
        .collect();
    meta.finalizers = (!remaining.is_empty()).then_some(remaining);
    ApiRequest::Update {
        namespace: object.namespace().to_string(),
        object: updated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod_owned_by(kind: &str, api_version: &str, uid: &str) -> Object {
        Object::from_value(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "namespace": "default", "uid": "pod-uid",
                "ownerReferences": [{"apiVersion": api_version, "kind": kind, "name": "owner",
                                     "uid": uid, "controller": true, "blockOwnerDeletion": true}]},
            "spec": {"containers": [{"name": "app", "image": "nginx"}]}
        }))
        .unwrap()
    }

    fn sync_one(pod: Object, owner: Option<Object>) -> Reconciled {
        let mut cache = InformerCache::new();
        let mut gc = GarbageCollector::new();
        for object in owner.into_iter().chain([pod]) {
            cache.insert(object.clone());
            gc.handle_watch_event(
                &ApiWatchEvent {
                    event_type: WatchEventType::Added,
                    object: Arc::new(object),
                },
                None,
            );
        }
        gc.sync(&cache)
    }

    #[test]
    fn a_pod_whose_replica_set_is_gone_is_deleted_with_its_uid_as_precondition() {
        let out = sync_one(pod_owned_by("ReplicaSet", "apps/v1", "gone"), None);
        let [ApiRequest::Delete { kind, options, .. }] = out.requests.as_slice() else {
            panic!("{:?}", out.requests);
        };
        assert_eq!(*kind, Kind::Pod);
        assert_eq!(options.precondition_uid.as_deref(), Some("pod-uid"));
        assert_eq!(
            options.propagation_policy,
            Some(PropagationPolicy::Background)
        );
    }

    #[test]
    fn an_update_that_leaves_ownership_alone_marks_nothing_but_one_that_changes_it_does() {
        let pod = pod_owned_by("ReplicaSet", "apps/v1", "rs-uid");
        let mut gc = GarbageCollector::new();
        let added = ApiWatchEvent {
            event_type: WatchEventType::Added,
            object: Arc::new(pod.clone()),
        };
        assert!(gc.handle_watch_event(&added, None));
        gc.sync(&InformerCache::new());
        assert!(!gc.has_work());

        let mut relabelled = pod.clone();
        relabelled
            .metadata_mut()
            .labels
            .get_or_insert_with(Default::default)
            .insert("tier".into(), "web".into());
        let status_only = ApiWatchEvent {
            event_type: WatchEventType::Modified,
            object: Arc::new(relabelled.clone()),
        };
        gc.handle_watch_event(&status_only, Some(&pod));
        assert!(!gc.has_work());

        let mut released = relabelled.clone();
        released.metadata_mut().owner_references = None;
        let release = ApiWatchEvent {
            event_type: WatchEventType::Modified,
            object: Arc::new(released),
        };
        assert!(gc.handle_watch_event(&release, Some(&relabelled)));
        assert!(gc.has_work());
    }

    #[test]
    fn the_graph_holds_each_item_and_each_owner_uid_once() {
        let mut gc = GarbageCollector::new();
        for name in ["a", "b"] {
            let mut pod = pod_owned_by("ReplicaSet", "apps/v1", "rs-uid");
            pod.metadata_mut().name = Some(name.to_string());
            pod.metadata_mut().uid = Some(format!("{name}-uid"));
            let event = ApiWatchEvent {
                event_type: WatchEventType::Added,
                object: Arc::new(pod),
            };
            gc.handle_watch_event(&event, None);
        }
        let owner_uids: Vec<&Arc<str>> = gc.owners_of.values().flat_map(|o| o.iter()).collect();
        assert_eq!(owner_uids.len(), 2);
        let (shared, dependents) = gc.dependents.first_key_value().expect("one owner");
        assert!(owner_uids.iter().all(|uid| Arc::ptr_eq(uid, shared)));
        for dependent in dependents {
            let in_owners_of = gc
                .owners_of
                .get_key_value(dependent.as_ref())
                .expect("known");
            assert!(Arc::ptr_eq(in_owners_of.0, dependent));
            let uid = format!("{}-uid", dependent.key.name);
            assert!(Arc::ptr_eq(&gc.by_uid[&uid], dependent));
        }
        assert_eq!(dependents.len(), 2);
    }

    #[test]
    fn an_owner_of_a_kind_the_collector_does_not_watch_keeps_its_dependent() {
        let out = sync_one(pod_owned_by("Job", "batch/v1", "job-uid"), None);
        assert!(out.requests.is_empty(), "{:?}", out.requests);
    }

    #[test]
    fn a_live_owner_with_the_same_uid_keeps_its_dependent() {
        let owner = Object::from_value(json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": "owner", "namespace": "default", "uid": "rs-uid"},
            "spec": {"selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "app", "image": "nginx"}]}}}
        }))
        .unwrap();
        let out = sync_one(
            pod_owned_by("ReplicaSet", "apps/v1", "rs-uid"),
            Some(owner.clone()),
        );
        assert!(out.requests.is_empty(), "{:?}", out.requests);
        // The same name with another uid is a different (re-created) owner: the pod goes.
        let out = sync_one(
            pod_owned_by("ReplicaSet", "apps/v1", "old-uid"),
            Some(owner),
        );
        assert!(matches!(
            out.requests.as_slice(),
            [ApiRequest::Delete { .. }]
        ));
    }
}
