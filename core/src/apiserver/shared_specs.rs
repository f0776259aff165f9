//! Pod specs shared between pods and between a pod's revisions, decided at the last step of a
//! write: the values are never changed, only which `Arc` holds them.
//!
//! A ReplicaSet's pods are created from one template, so after defaulting and admission their
//! specs are equal, and stay equal once bound (a `StoredPod` keeps `nodeName` beside its spec,
//! so a Binding does not copy it): [`SharedSpecs::share_on_create`] gives a new pod the spec
//! the last pod created for the same controller got, when it is equal. On an update
//! (a patch decodes a whole new pod, a PUT sends one) [`share_unchanged`] keeps the previous
//! revision's metadata, spec and status when the new ones are equal (the `resourceVersion`
//! is kept beside the shared metadata), so an annotation patch makes new metadata only and a write
//! that changes nothing else than the status makes none.

use std::collections::BTreeMap;
use std::sync::{Arc, Weak};

use k8s_openapi::api::core::v1::PodSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::api::objects::{Object, StoredPod};

/// The fewest entries kept before dead ones are dropped.
const MIN_PRUNE_AT: usize = 64;

/// The spec each controller's last created pod got, by the controller's uid.
#[derive(Clone, Debug)]
pub(crate) struct SharedSpecs {
    /// Controller uid → the spec of the last pod created for it (not kept alive from here).
    by_owner: BTreeMap<String, Weak<PodSpec>>,
    /// Past this many entries, the ones whose spec no pod holds any more are dropped.
    prune_at: usize,
}

impl Default for SharedSpecs {
    fn default() -> SharedSpecs {
        SharedSpecs {
            by_owner: BTreeMap::new(),
            prune_at: MIN_PRUNE_AT,
        }
    }
}

impl SharedSpecs {
    /// Gives a pod about to be created the spec of its controller's last created pod when
    /// the two are equal; otherwise remembers this pod's spec for the next one.
    pub(crate) fn share_on_create(&mut self, object: &mut Object) {
        let Object::Pod(pod) = object else {
            return;
        };
        let StoredPod { metadata, spec, .. } = pod.as_mut();
        let (Some(owner), Some(spec)) = (controller_uid(metadata), spec.as_mut()) else {
            return;
        };
        if let Some(known) = self.by_owner.get(owner).and_then(Weak::upgrade) {
            if Arc::ptr_eq(&known, spec) || known == *spec {
                *spec = known;
                return;
            }
        }
        let weak = Arc::downgrade(spec);
        self.by_owner.insert(owner.to_string(), weak);
        if self.by_owner.len() >= self.prune_at {
            self.by_owner.retain(|_, spec| spec.strong_count() > 0);
            self.prune_at = (self.by_owner.len() * 2).max(MIN_PRUNE_AT);
        }
    }
}

/// The uid of the pod's controller (the owner reference with `controller: true`).
fn controller_uid(metadata: &ObjectMeta) -> Option<&str> {
    metadata
        .owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true))
        .map(|r| r.uid.as_str())
        .filter(|uid| !uid.is_empty())
}

/// Makes `updated` (a pod about to be stored over `old`) hold `old`'s metadata, spec and
/// status where they are equal to its own.
pub(crate) fn share_unchanged(updated: &mut Object, old: &Object) {
    let (Object::Pod(new), Object::Pod(old)) = (updated, old) else {
        return;
    };
    if !Arc::ptr_eq(&new.metadata, &old.metadata) && new.metadata == old.metadata {
        new.metadata = Arc::clone(&old.metadata);
    }
    if let (Some(spec), Some(old_spec)) = (new.spec.as_mut(), old.spec.as_ref()) {
        if !Arc::ptr_eq(spec, old_spec) && spec == old_spec {
            *spec = Arc::clone(old_spec);
        }
    }
    if let (Some(status), Some(old_status)) = (new.status.as_mut(), old.status.as_ref()) {
        if !Arc::ptr_eq(status, old_status) && status == old_status {
            *status = Arc::clone(old_status);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(name: &str, owner_uid: &str, image: &str) -> Object {
        let value = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "ownerReferences": [{
                "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web",
                "uid": owner_uid, "controller": true}]},
            "spec": {"containers": [{"name": "app", "image": image}]},
            "status": {"phase": "Pending"}
        });
        match Object::from_value(value) {
            Ok(object) => object,
            Err(error) => panic!("pod: {error}"),
        }
    }

    fn spec_of(object: &Object) -> Option<&Arc<PodSpec>> {
        match object {
            Object::Pod(pod) => pod.spec.as_ref(),
            _ => None,
        }
    }

    fn same_spec(a: &Object, b: &Object) -> bool {
        matches!((spec_of(a), spec_of(b)), (Some(a), Some(b)) if Arc::ptr_eq(a, b))
    }

    #[test]
    fn pods_of_one_controller_with_equal_specs_share_one() {
        let mut specs = SharedSpecs::default();
        let mut first = pod("web-1", "rs-1", "nginx");
        let mut second = pod("web-2", "rs-1", "nginx");
        specs.share_on_create(&mut first);
        specs.share_on_create(&mut second);
        assert!(same_spec(&first, &second));
        assert_eq!(second.to_value(), pod("web-2", "rs-1", "nginx").to_value());
    }

    #[test]
    fn another_controller_or_another_spec_keeps_its_own() {
        let mut specs = SharedSpecs::default();
        let mut first = pod("web-1", "rs-1", "nginx");
        let mut other_owner = pod("api-1", "rs-2", "nginx");
        let mut other_image = pod("web-2", "rs-1", "nginx:1.27");
        specs.share_on_create(&mut first);
        specs.share_on_create(&mut other_owner);
        specs.share_on_create(&mut other_image);
        assert!(!same_spec(&first, &other_owner));
        assert!(!same_spec(&first, &other_image));
    }

    #[test]
    fn a_spec_nobody_holds_is_not_kept_alive() {
        let mut specs = SharedSpecs::default();
        let mut first = pod("web-1", "rs-1", "nginx");
        specs.share_on_create(&mut first);
        drop(first);
        let mut second = pod("web-2", "rs-1", "nginx");
        specs.share_on_create(&mut second);
        let strong = spec_of(&second).map(Arc::strong_count);
        assert_eq!(strong, Some(1));
    }

    #[test]
    fn an_update_with_an_equal_spec_and_status_keeps_the_old_ones() {
        let old = pod("web-1", "rs-1", "nginx");
        let mut patched = pod("web-1", "rs-1", "nginx");
        if let Object::Pod(p) = &mut patched {
            p.metadata_mut().annotations = Some([("note".to_string(), "x".to_string())].into());
        }
        share_unchanged(&mut patched, &old);
        assert!(same_spec(&patched, &old));
        let (Object::Pod(new), Object::Pod(old_pod)) = (&patched, &old) else {
            panic!("pods");
        };
        assert!(matches!((&new.status, &old_pod.status), (Some(a), Some(b)) if Arc::ptr_eq(a, b)));

        let mut changed = pod("web-1", "rs-1", "nginx:1.27");
        share_unchanged(&mut changed, &old);
        assert!(!same_spec(&changed, &old));
    }
}
