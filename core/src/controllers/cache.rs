//! The informer cache: what the controllers believe the cluster holds, fed by watch events.
//!
//! Like client-go's shared informers, a host opens one watch per kind and hands every
//! [`ApiWatchEvent`] to [`InformerCache::apply`]; controllers then read objects by kind,
//! namespace and name, by label selector or by owner. The cache is only as fresh as the
//! events it has been given, which is why controllers write with `resourceVersion`
//! preconditions and keep expectations. Everything is kept in `BTreeMap`s so every listing is
//! in a fixed (namespace, name) order.
//!
//! Like the `controllerUID` indexer of kube-controller-manager's informers, the cache also
//! indexes objects by the uid of their controller reference and keeps the set of objects with
//! no controller (orphans): a ReplicaSet sync reads its own pods and the adoptable ones
//! without scanning every pod of the namespace, which at 150,000 pods was most of its cost.
//! The index holds the objects' `Arc`s (kept pointing at the latest state on every event),
//! so such a sync walks its 500 pods without looking each one up by key again.
//! Orphans are indexed only for the kinds a controller adopts (Pods, ReplicaSets): Events,
//! Leases, Nodes and the rest have no controller either, and a copy of each of their keys
//! (six Events per pod) cost more memory than the pods' own index; asking for another kind's
//! orphans scans its namespace instead.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;

use crate::api::labels::Selector;
use crate::api::objects::{Kind, Object};
use crate::apiserver::{ApiWatchEvent, WatchEventType};

/// Where an object lives: its namespace (empty for cluster-scoped kinds) and name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl ObjectKey {
    /// The key of a namespace and a name.
    pub fn new(namespace: &str, name: &str) -> ObjectKey {
        ObjectKey {
            namespace: namespace.to_string(),
            name: name.to_string(),
        }
    }

    /// The key of an object.
    pub fn of(object: &Object) -> ObjectKey {
        ObjectKey::new(object.namespace(), object.name())
    }
}

impl std::fmt::Display for ObjectKey {
    /// `namespace/name`, as client-go's `MetaNamespaceKeyFunc` prints keys.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.namespace.is_empty() {
            f.write_str(&self.name)
        } else {
            write!(f, "{}/{}", self.namespace, self.name)
        }
    }
}

/// A namespace and a name to look a key up by, without building an [`ObjectKey`] (two
/// allocations) for every lookup. It orders as [`ObjectKey`] does: namespace, then name.
trait KeyParts {
    /// The namespace and the name.
    fn parts(&self) -> (&str, &str);
}

impl KeyParts for ObjectKey {
    fn parts(&self) -> (&str, &str) {
        (&self.namespace, &self.name)
    }
}

impl KeyParts for (&str, &str) {
    fn parts(&self) -> (&str, &str) {
        (self.0, self.1)
    }
}

impl<'a> std::borrow::Borrow<dyn KeyParts + 'a> for ObjectKey {
    fn borrow(&self) -> &(dyn KeyParts + 'a) {
        self
    }
}

impl PartialEq for dyn KeyParts + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.parts() == other.parts()
    }
}

impl Eq for dyn KeyParts + '_ {}

impl PartialOrd for dyn KeyParts + '_ {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for dyn KeyParts + '_ {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.parts().cmp(&other.parts())
    }
}

/// The controller reference of an object: its owner reference with `controller: true`.
pub fn controller_ref(object: &Object) -> Option<&OwnerReference> {
    object
        .metadata()
        .owner_references
        .as_deref()?
        .iter()
        .find(|r| r.controller == Some(true))
}

/// Objects by key, as an owner index holds them.
type Indexed = BTreeMap<ObjectKey, Arc<Object>>;

/// Objects of every watched kind, as the watch events last described them.
#[derive(Clone, Debug, Default)]
pub struct InformerCache {
    objects: BTreeMap<Kind, Indexed>,
    /// Objects by kind and the uid of their controller reference. The index holds the
    /// objects themselves (one more `Arc` each), so a controller reads the objects it owns
    /// without looking each one up again.
    controlled: BTreeMap<Kind, BTreeMap<String, Indexed>>,
    /// The objects without a controller reference, by kind, for the kinds
    /// [`adopted_by_controllers`] names.
    orphans: BTreeMap<Kind, Indexed>,
}

/// Whether a controller may adopt objects of `kind` that have no controller (the ReplicaSet
/// and ReplicationController managers adopt Pods, the Deployment controller ReplicaSets), so
/// the cache keeps their orphans indexed.
fn adopted_by_controllers(kind: Kind) -> bool {
    match kind {
        Kind::Pod | Kind::ReplicaSet => true,
        Kind::Namespace
        | Kind::Node
        | Kind::ReplicationController
        | Kind::Deployment
        | Kind::Service
        | Kind::Endpoints
        | Kind::EndpointSlice
        | Kind::Event
        | Kind::ConfigMap
        | Kind::Lease
        | Kind::PriorityClass => false,
    }
}

impl InformerCache {
    /// An empty cache.
    pub fn new() -> InformerCache {
        InformerCache::default()
    }

    /// Applies one watch event and returns the state the object had before it (None when it
    /// was new). BOOKMARK events change nothing.
    pub fn apply(&mut self, event: &ApiWatchEvent) -> Option<Arc<Object>> {
        match event.event_type {
            WatchEventType::Added | WatchEventType::Modified => self.put(Arc::clone(&event.object)),
            WatchEventType::Deleted => {
                let object = &event.object;
                let kind = object.kind();
                let key = ObjectKey::of(object);
                let old = self.objects.get_mut(&kind)?.remove(&key)?;
                self.unindex(kind, &key, &old);
                Some(old)
            }
            WatchEventType::Bookmark => None,
        }
    }

    /// Puts an object in the cache as it is (for tests and for hosts that prime a cache from
    /// a list).
    pub fn insert(&mut self, object: Object) {
        self.put(Arc::new(object));
    }

    /// Stores `object` and keeps the owner index in step; returns the state it replaced.
    fn put(&mut self, object: Arc<Object>) -> Option<Arc<Object>> {
        let kind = object.kind();
        let key = ObjectKey::of(&object);
        let old = self
            .objects
            .entry(kind)
            .or_default()
            .insert(key.clone(), Arc::clone(&object));
        let new_owner = controller_ref(&object).map(|r| r.uid.as_str());
        if let Some(previous) = &old {
            if controller_ref(previous).map(|r| r.uid.as_str()) == new_owner {
                // Same owner: the index entry stays, pointing at the new state.
                if let Some(slot) = self.index_slot(kind, new_owner, &key) {
                    *slot = object;
                }
                return old;
            }
            self.unindex(kind, &key, previous);
        }
        match new_owner {
            Some(uid) => {
                let owned = self.controlled.entry(kind).or_default();
                let index = match owned.get_mut(uid) {
                    Some(index) => index,
                    None => owned.entry(uid.to_string()).or_default(),
                };
                index.insert(key, object);
            }
            None if adopted_by_controllers(kind) => {
                self.orphans.entry(kind).or_default().insert(key, object);
            }
            None => {}
        }
        old
    }

    /// The owner index entry of `key`, an object of `kind` controlled by `owner` (None: an
    /// orphan), if the index holds it.
    fn index_slot(
        &mut self,
        kind: Kind,
        owner: Option<&str>,
        key: &ObjectKey,
    ) -> Option<&mut Arc<Object>> {
        match owner {
            Some(uid) => self.controlled.get_mut(&kind)?.get_mut(uid)?.get_mut(key),
            None => self.orphans.get_mut(&kind)?.get_mut(key),
        }
    }

    /// Removes `key` (holding `old`) from the owner index.
    fn unindex(&mut self, kind: Kind, key: &ObjectKey, old: &Object) {
        match controller_ref(old) {
            Some(reference) => {
                let Some(owned) = self.controlled.get_mut(&kind) else {
                    return;
                };
                if let Some(index) = owned.get_mut(reference.uid.as_str()) {
                    index.remove(key);
                    if index.is_empty() {
                        owned.remove(reference.uid.as_str());
                    }
                }
            }
            None => {
                if let Some(index) = self.orphans.get_mut(&kind) {
                    index.remove(key);
                }
            }
        }
    }

    /// One object by kind, namespace and name.
    pub fn get(&self, kind: Kind, namespace: &str, name: &str) -> Option<&Arc<Object>> {
        let key: &dyn KeyParts = &(namespace, name);
        self.objects.get(&kind)?.get(key)
    }

    /// Every object of a kind, in one namespace or (None) in all, ordered by namespace and
    /// name.
    pub fn list<'a>(
        &'a self,
        kind: Kind,
        namespace: Option<&'a str>,
    ) -> impl Iterator<Item = &'a Arc<Object>> + 'a {
        let objects = self.objects.get(&kind);
        let all = match namespace {
            None => objects.map(|m| m.range::<ObjectKey, _>(..)),
            // Keys sort by namespace first: one namespace is one contiguous range.
            Some(ns) => objects.map(|m| m.range::<dyn KeyParts, _>(namespace_start(&(ns, "")))),
        };
        all.into_iter()
            .flatten()
            .take_while(move |(key, _)| namespace.is_none_or(|ns| key.namespace == ns))
            .map(|(_, object)| object)
    }

    /// The objects of a kind in a namespace whose labels the selector matches.
    pub fn select(&self, kind: Kind, namespace: &str, selector: &Selector) -> Vec<Arc<Object>> {
        self.list(kind, Some(namespace))
            .filter(|o| selector.matches(o.labels()))
            .cloned()
            .collect()
    }

    /// The objects of a kind in a namespace whose controller reference names the owner with
    /// this uid.
    pub fn controlled_by(&self, kind: Kind, namespace: &str, owner_uid: &str) -> Vec<Arc<Object>> {
        self.controlled_in(kind, namespace, owner_uid)
            .cloned()
            .collect()
    }

    /// The objects of a kind in a namespace that the owner with this uid controls or that
    /// have no controller at all (what a controller may own or adopt), ordered by name.
    pub fn controlled_by_or_orphaned(
        &self,
        kind: Kind,
        namespace: &str,
        owner_uid: &str,
    ) -> Vec<Arc<Object>> {
        self.controlled_by_or_orphaned_iter(kind, namespace, owner_uid)
            .cloned()
            .collect()
    }

    /// [`InformerCache::controlled_by_or_orphaned`] without collecting: the objects in
    /// (namespace, name) order, borrowed from the cache.
    pub fn controlled_by_or_orphaned_iter<'a>(
        &'a self,
        kind: Kind,
        namespace: &'a str,
        owner_uid: &str,
    ) -> impl Iterator<Item = &'a Arc<Object>> + 'a {
        let (unindexed, orphans) = if adopted_by_controllers(kind) {
            let orphans = self
                .orphans
                .get(&kind)
                .into_iter()
                .flat_map(move |index| in_namespace(index, namespace));
            (None, Some(orphans))
        } else {
            // No orphan index for this kind: one pass over the namespace, in name order.
            let owner_uid = owner_uid.to_string();
            let all = self
                .list(kind, Some(namespace))
                .filter(move |o| controller_ref(o).is_none_or(|r| r.uid == owner_uid));
            (Some(all), None)
        };
        let owned = if unindexed.is_some() {
            None
        } else {
            Some(self.controlled_in(kind, namespace, owner_uid))
        };
        let merged = MergeByKey {
            left: owned.into_iter().flatten().peekable(),
            right: orphans.into_iter().flatten().peekable(),
        };
        unindexed.into_iter().flatten().chain(merged)
    }

    /// The objects of a kind in a namespace whose controller reference has this uid, in
    /// name order.
    fn controlled_in<'a>(
        &'a self,
        kind: Kind,
        namespace: &'a str,
        owner_uid: &str,
    ) -> impl Iterator<Item = &'a Arc<Object>> + 'a {
        self.controlled
            .get(&kind)
            .and_then(|owned| owned.get(owner_uid))
            .into_iter()
            .flat_map(move |index| in_namespace(index, namespace))
    }

    /// The object a controller reference points at, if the cache holds it with the same uid
    /// (a reference to a deleted and re-created owner resolves to nothing, as in
    /// `resolveControllerRef`).
    pub fn resolve_controller_ref(
        &self,
        namespace: &str,
        reference: &OwnerReference,
        expected_kind: Kind,
    ) -> Option<&Arc<Object>> {
        if reference.kind != expected_kind.kind_name() {
            return None;
        }
        let object = self.get(expected_kind, namespace, &reference.name)?;
        (object.metadata().uid.as_deref() == Some(reference.uid.as_str())).then_some(object)
    }

    /// How many objects of a kind the cache holds.
    pub fn count(&self, kind: Kind) -> usize {
        self.objects.get(&kind).map_or(0, BTreeMap::len)
    }
}

/// The keys from the first of a namespace on (`start` is the namespace and an empty name).
fn namespace_start<'a>(
    start: &'a (&'a str, &'a str),
) -> (
    Bound<&'a (dyn KeyParts + 'a)>,
    Bound<&'a (dyn KeyParts + 'a)>,
) {
    (Bound::Included(start as &dyn KeyParts), Bound::Unbounded)
}

/// The objects of one namespace in an index, in name order.
fn in_namespace<'a>(
    index: &'a Indexed,
    namespace: &'a str,
) -> impl Iterator<Item = &'a Arc<Object>> + 'a {
    // Keys sort by namespace first: one namespace is one contiguous range.
    index
        .range::<dyn KeyParts, _>(namespace_start(&(namespace, "")))
        .take_while(move |(key, _)| key.namespace == namespace)
        .map(|(_, object)| object)
}

/// Two iterators of objects, each in (namespace, name) order, merged into one in that order.
struct MergeByKey<'a, L, R>
where
    L: Iterator<Item = &'a Arc<Object>>,
    R: Iterator<Item = &'a Arc<Object>>,
{
    left: std::iter::Peekable<L>,
    right: std::iter::Peekable<R>,
}

impl<'a, L, R> Iterator for MergeByKey<'a, L, R>
where
    L: Iterator<Item = &'a Arc<Object>>,
    R: Iterator<Item = &'a Arc<Object>>,
{
    type Item = &'a Arc<Object>;

    fn next(&mut self) -> Option<&'a Arc<Object>> {
        let take_left = match (self.left.peek(), self.right.peek()) {
            (Some(l), Some(r)) => (l.namespace(), l.name()) <= (r.namespace(), r.name()),
            (Some(_), None) => true,
            (None, _) => false,
        };
        if take_left {
            self.left.next()
        } else {
            self.right.next()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(name: &str, labels: serde_json::Value, owner_uid: Option<&str>) -> Object {
        let mut meta = json!({"name": name, "namespace": "default", "labels": labels});
        if let Some(uid) = owner_uid {
            meta["ownerReferences"] = json!([{
                "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web",
                "uid": uid, "controller": true
            }]);
        }
        Object::from_value(json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": {"containers": [{"name": "app", "image": "nginx"}]}
        }))
        .unwrap()
    }

    fn event(event_type: WatchEventType, object: Object) -> ApiWatchEvent {
        ApiWatchEvent {
            event_type,
            object: Arc::new(object),
        }
    }

    #[test]
    fn added_modified_and_deleted_events_keep_the_cache_in_step() {
        let mut cache = InformerCache::new();
        assert!(cache
            .apply(&event(
                WatchEventType::Added,
                pod("a", json!({"app": "web"}), None)
            ))
            .is_none());
        let old = cache.apply(&event(
            WatchEventType::Modified,
            pod("a", json!({"app": "db"}), None),
        ));
        assert_eq!(old.unwrap().labels()["app"], "web");
        assert_eq!(
            cache.get(Kind::Pod, "default", "a").unwrap().labels()["app"],
            "db"
        );
        cache.apply(&event(WatchEventType::Deleted, pod("a", json!({}), None)));
        assert_eq!(cache.count(Kind::Pod), 0);
    }

    #[test]
    fn selector_and_owner_lookups_return_objects_in_name_order() {
        let mut cache = InformerCache::new();
        cache.insert(pod("c", json!({"app": "web"}), Some("u1")));
        cache.insert(pod("a", json!({"app": "web"}), None));
        cache.insert(pod("b", json!({"app": "db"}), Some("u1")));
        let selector = Selector::parse("app=web").unwrap();
        let selected: Vec<_> = cache
            .select(Kind::Pod, "default", &selector)
            .iter()
            .map(|o| o.name().to_string())
            .collect();
        assert_eq!(selected, ["a", "c"]);
        let owned: Vec<_> = cache
            .controlled_by(Kind::Pod, "default", "u1")
            .iter()
            .map(|o| o.name().to_string())
            .collect();
        assert_eq!(owned, ["b", "c"]);
    }

    #[test]
    fn kinds_nobody_adopts_keep_no_orphan_index_but_answer_the_same() {
        let config_map = |name: &str, owner_uid: Option<&str>| {
            let mut meta = json!({"name": name, "namespace": "default"});
            if let Some(uid) = owner_uid {
                meta["ownerReferences"] = json!([{
                    "apiVersion": "v1", "kind": "Service", "name": "web",
                    "uid": uid, "controller": true
                }]);
            }
            Object::from_value(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta}))
                .unwrap()
        };
        let mut cache = InformerCache::new();
        cache.insert(config_map("c", None));
        cache.insert(config_map("b", Some("u1")));
        cache.insert(config_map("a", Some("u2")));
        cache.insert(pod("p", json!({}), None));
        assert!(!cache.orphans.contains_key(&Kind::ConfigMap));
        assert_eq!(cache.orphans[&Kind::Pod].len(), 1);
        let names: Vec<String> = cache
            .controlled_by_or_orphaned(Kind::ConfigMap, "default", "u1")
            .iter()
            .map(|o| o.name().to_string())
            .collect();
        assert_eq!(names, ["b", "c"]);
        assert!(cache
            .controlled_by_or_orphaned(Kind::ConfigMap, "other", "u1")
            .is_empty());
        // Deleting an unindexed orphan leaves the index alone.
        cache.apply(&event(WatchEventType::Deleted, config_map("c", None)));
        assert_eq!(cache.count(Kind::ConfigMap), 2);
        assert_eq!(cache.orphans[&Kind::Pod].len(), 1);
    }

    #[test]
    fn the_owner_index_follows_adoption_release_and_deletion() {
        let names = |objects: Vec<Arc<Object>>| -> Vec<String> {
            objects.iter().map(|o| o.name().to_string()).collect()
        };
        let mut cache = InformerCache::new();
        cache.insert(pod("a", json!({}), None));
        cache.insert(pod("b", json!({}), Some("u1")));
        cache.insert(pod("c", json!({}), Some("u2")));
        assert_eq!(
            names(cache.controlled_by_or_orphaned(Kind::Pod, "default", "u1")),
            ["a", "b"]
        );
        // `a` is adopted by u2, `b` released, `c` deleted.
        cache.apply(&event(
            WatchEventType::Modified,
            pod("a", json!({}), Some("u2")),
        ));
        cache.apply(&event(WatchEventType::Modified, pod("b", json!({}), None)));
        cache.apply(&event(
            WatchEventType::Deleted,
            pod("c", json!({}), Some("u2")),
        ));
        assert_eq!(
            names(cache.controlled_by(Kind::Pod, "default", "u2")),
            ["a"]
        );
        assert_eq!(
            names(cache.controlled_by_or_orphaned(Kind::Pod, "default", "u1")),
            ["b"]
        );
        assert!(cache.controlled_by(Kind::Pod, "other", "u2").is_empty());
    }

    #[test]
    fn listing_one_namespace_returns_only_its_objects_in_name_order() {
        let mut cache = InformerCache::new();
        for (namespace, name) in [("b", "x"), ("a", "y"), ("b", "a"), ("c", "z")] {
            let mut object = pod(name, json!({}), None);
            object.metadata_mut().namespace = Some(namespace.to_string());
            cache.insert(object);
        }
        let listed: Vec<String> = cache
            .list(Kind::Pod, Some("b"))
            .map(|o| o.name().to_string())
            .collect();
        assert_eq!(listed, ["a", "x"]);
        assert_eq!(cache.list(Kind::Pod, None).count(), 4);
        assert_eq!(cache.list(Kind::Pod, Some("d")).count(), 0);
    }
}
