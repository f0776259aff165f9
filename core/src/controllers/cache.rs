//! The informer cache: what the controllers believe the cluster holds, fed by watch events.
//!
//! Like client-go's shared informers, a host opens one watch per kind and hands every
//! [`ApiWatchEvent`] to [`InformerCache::apply`]; controllers then read objects by kind,
//! namespace and name, by label selector or by owner. The cache is only as fresh as the
//! events it has been given, which is why controllers write with `resourceVersion`
//! preconditions and keep expectations. Everything is kept in `BTreeMap`s so every listing is
//! in a fixed (namespace, name) order.

use std::collections::BTreeMap;
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

/// The controller reference of an object: its owner reference with `controller: true`.
pub fn controller_ref(object: &Object) -> Option<&OwnerReference> {
    object
        .metadata()
        .owner_references
        .as_deref()?
        .iter()
        .find(|r| r.controller == Some(true))
}

/// Objects of every watched kind, as the watch events last described them.
#[derive(Clone, Debug, Default)]
pub struct InformerCache {
    objects: BTreeMap<Kind, BTreeMap<ObjectKey, Arc<Object>>>,
}

impl InformerCache {
    /// An empty cache.
    pub fn new() -> InformerCache {
        InformerCache::default()
    }

    /// Applies one watch event and returns the state the object had before it (None when it
    /// was new). BOOKMARK events change nothing.
    pub fn apply(&mut self, event: &ApiWatchEvent) -> Option<Arc<Object>> {
        let object = &event.object;
        let key = ObjectKey::of(object);
        let objects = self.objects.entry(object.kind()).or_default();
        match event.event_type {
            WatchEventType::Added | WatchEventType::Modified => {
                objects.insert(key, Arc::clone(object))
            }
            WatchEventType::Deleted => objects.remove(&key),
            WatchEventType::Bookmark => None,
        }
    }

    /// Puts an object in the cache as it is (for tests and for hosts that prime a cache from
    /// a list).
    pub fn insert(&mut self, object: Object) {
        let key = ObjectKey::of(&object);
        self.objects
            .entry(object.kind())
            .or_default()
            .insert(key, Arc::new(object));
    }

    /// One object by kind, namespace and name.
    pub fn get(&self, kind: Kind, namespace: &str, name: &str) -> Option<&Arc<Object>> {
        self.objects
            .get(&kind)?
            .get(&ObjectKey::new(namespace, name))
    }

    /// Every object of a kind, in one namespace or (None) in all, ordered by namespace and
    /// name.
    pub fn list<'a>(
        &'a self,
        kind: Kind,
        namespace: Option<&'a str>,
    ) -> impl Iterator<Item = &'a Arc<Object>> + 'a {
        self.objects
            .get(&kind)
            .into_iter()
            .flat_map(|m| m.iter())
            .filter(move |(key, _)| namespace.is_none_or(|ns| key.namespace == ns))
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
        self.list(kind, Some(namespace))
            .filter(|o| controller_ref(o).is_some_and(|r| r.uid == owner_uid))
            .cloned()
            .collect()
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
}
