//! A pod the kubelet shares with the API server's store instead of copying it.
//!
//! The kubelet keeps the pod as the watch last delivered it ([`SharedPod`]): the same
//! `Arc<Object>` the store, the watch log and the informers hold, so a node with 110 pods
//! holds no pod objects of its own. The few places that change the kubelet's copy (a pod gone
//! from the API gets a deletion timestamp, a status update writes a new status) copy it on
//! that first write, as `Arc::make_mut` does; every read goes straight to the shared object.

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, OnceLock};

use k8s_openapi::api::core::v1::Pod;

use crate::api::objects::{Object, StoredPod};

/// A pod shared with the store; reads deref to the [`StoredPod`], the first write copies it
/// (the object; its spec and status stay shared until they are written themselves).
#[derive(Clone, Debug)]
pub struct SharedPod(Arc<Object>);

impl SharedPod {
    /// Shares `object` if it is a pod.
    pub fn new(object: Arc<Object>) -> Option<SharedPod> {
        matches!(object.as_ref(), Object::Pod(_)).then_some(SharedPod(object))
    }

    /// A pod not shared with anyone yet.
    pub fn from_pod(pod: Pod) -> SharedPod {
        SharedPod(Arc::new(Object::from(pod)))
    }
}

/// An empty pod, for the impossible case of a `SharedPod` that holds another kind.
fn empty_pod() -> &'static StoredPod {
    static EMPTY: OnceLock<StoredPod> = OnceLock::new();
    EMPTY.get_or_init(StoredPod::default)
}

impl Deref for SharedPod {
    type Target = StoredPod;

    fn deref(&self) -> &StoredPod {
        match self.0.as_ref() {
            Object::Pod(pod) => pod,
            // `new` only accepts pods and `deref_mut` keeps them pods.
            _ => empty_pod(),
        }
    }
}

impl DerefMut for SharedPod {
    /// Copies the pod first if anyone else holds it.
    fn deref_mut(&mut self) -> &mut StoredPod {
        let object = Arc::make_mut(&mut self.0);
        if !matches!(object, Object::Pod(_)) {
            // `new` only accepts pods: this never runs, but a pod is the right answer.
            *object = Object::from(StoredPod::default());
        }
        match object {
            Object::Pod(pod) => pod,
            _ => unreachable!("the object was made a pod just above"),
        }
    }
}

impl From<SharedPod> for Object {
    /// The pod as an object to send: without a copy when nobody else holds it.
    fn from(pod: SharedPod) -> Object {
        Arc::unwrap_or_clone(pod.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod_object(name: &str) -> Arc<Object> {
        let value = json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "app", "image": "nginx"}]}
        });
        match Object::from_value(value) {
            Ok(object) => Arc::new(object),
            Err(error) => panic!("pod: {error}"),
        }
    }

    #[test]
    fn a_shared_pod_reads_the_stores_object_without_copying_it() {
        let object = pod_object("web");
        let shared = SharedPod::new(Arc::clone(&object)).map(|p| p.0);
        assert!(shared.is_some_and(|s| Arc::ptr_eq(&s, &object)));
    }

    #[test]
    fn a_write_copies_the_pod_and_leaves_the_stores_object_alone() {
        let object = pod_object("web");
        let Some(mut shared) = SharedPod::new(Arc::clone(&object)) else {
            panic!("a pod is accepted");
        };
        shared.metadata_mut().name = Some("changed".to_string());
        assert_eq!(shared.metadata.name.as_deref(), Some("changed"));
        assert_eq!(object.name(), "web");
        assert_eq!(Object::from(shared).name(), "changed");
    }

    #[test]
    fn only_pods_are_shared() {
        let node = Object::from_value(
            json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n"}}),
        );
        let Ok(node) = node else {
            panic!("a node parses");
        };
        assert!(SharedPod::new(Arc::new(node)).is_none());
    }
}
