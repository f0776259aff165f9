//! [`StoredPod`]: a core/v1 Pod as kubeplay keeps it (`Object::Pod`), its spec and status
//! shared between revisions.
//!
//! A pod is written several times in its first seconds (created, bound, then a status write
//! per kubelet sync), and each write is a new revision in the store: with the k8s-openapi
//! `Pod`, every revision holds its own copy of the `PodSpec` (about 4 KB for one container
//! once defaulted) although only a bind changes it, and the kubelet keeps a copy of the status
//! it sent until the watch echoes it. A `StoredPod` holds the spec and the status behind
//! `Arc`s: a status write shares the previous revision's spec, the kubelet can keep the `Arc`
//! of the status it sent, and a change goes through [`StoredPod::spec_mut`] /
//! [`StoredPod::status_mut`], which copy only what someone else still holds
//! (`Arc::make_mut`). The metadata stays an `ObjectMeta` (every object hands out
//! `&mut ObjectMeta` to the API server).
//!
//! A `Pod` comes in through `From<Pod>` (decoded JSON, a pod a client built) and
//! `Deserialize` (which reads exactly what the k8s-openapi `Pod` reads), and goes out
//! through `From<StoredPod>` / [`StoredPod::to_pod`] and `Serialize`, which writes exactly
//! what the k8s-openapi `Pod` writes (same fields, same order), so JSON, printers, describe
//! and trace hashes do not change. Equality compares the values behind the `Arc`s. Code that
//! reads a pod takes `&StoredPod`: `pod.spec.as_ref()` reads through the `Arc` as before,
//! [`StoredPod::spec`] / [`StoredPod::status`] give plain references.

use std::sync::Arc;

use k8s_openapi::api::core::v1::{Pod, PodSpec, PodStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A Pod whose spec and status are shared with the other revisions that have the same ones.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StoredPod {
    /// The pod's metadata.
    pub metadata: ObjectMeta,
    /// The pod's spec, shared between revisions (a status write keeps the stored one).
    pub spec: Option<Arc<PodSpec>>,
    /// The pod's status, shared with whoever sent it.
    pub status: Option<Arc<PodStatus>>,
}

impl StoredPod {
    /// The spec, if the pod has one.
    pub fn spec(&self) -> Option<&PodSpec> {
        self.spec.as_deref()
    }

    /// The status, if the pod has one.
    pub fn status(&self) -> Option<&PodStatus> {
        self.status.as_deref()
    }

    /// The spec to change (an empty one is made first if there is none); copied first if
    /// another revision shares it.
    pub fn spec_mut(&mut self) -> &mut PodSpec {
        Arc::make_mut(self.spec.get_or_insert_with(Arc::default))
    }

    /// The status to change (an empty one is made first if there is none); copied first if
    /// someone else shares it.
    pub fn status_mut(&mut self) -> &mut PodStatus {
        Arc::make_mut(self.status.get_or_insert_with(Arc::default))
    }

    /// The k8s-openapi `Pod` this stands for (copies the spec and the status).
    pub fn to_pod(&self) -> Pod {
        Pod {
            metadata: self.metadata.clone(),
            spec: self.spec.as_deref().cloned(),
            status: self.status.as_deref().cloned(),
        }
    }
}

impl From<Pod> for StoredPod {
    fn from(pod: Pod) -> StoredPod {
        StoredPod {
            metadata: pod.metadata,
            spec: pod.spec.map(Arc::new),
            status: pod.status.map(Arc::new),
        }
    }
}

impl From<StoredPod> for Pod {
    /// The `Pod`, without copying the spec or status that nobody else holds.
    fn from(pod: StoredPod) -> Pod {
        Pod {
            metadata: pod.metadata,
            spec: pod.spec.map(Arc::unwrap_or_clone),
            status: pod.status.map(Arc::unwrap_or_clone),
        }
    }
}

impl From<&StoredPod> for Pod {
    fn from(pod: &StoredPod) -> Pod {
        pod.to_pod()
    }
}

impl Serialize for StoredPod {
    /// Exactly what the k8s-openapi `Pod` writes: `apiVersion`, `kind`, `metadata`, then
    /// `spec` and `status` when present.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let fields = 3 + usize::from(self.spec.is_some()) + usize::from(self.status.is_some());
        let mut state = serializer.serialize_struct("Pod", fields)?;
        state.serialize_field("apiVersion", "v1")?;
        state.serialize_field("kind", "Pod")?;
        state.serialize_field("metadata", &self.metadata)?;
        if let Some(spec) = &self.spec {
            state.serialize_field("spec", spec.as_ref())?;
        }
        if let Some(status) = &self.status {
            state.serialize_field("status", status.as_ref())?;
        }
        state.end()
    }
}

impl<'de> Deserialize<'de> for StoredPod {
    /// Reads what the k8s-openapi `Pod` reads (the same fields, the same errors).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<StoredPod, D::Error> {
        Pod::deserialize(deserializer).map(StoredPod::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(value: serde_json::Value) -> Pod {
        match serde_json::from_value(value) {
            Ok(pod) => pod,
            Err(error) => panic!("pod: {error}"),
        }
    }

    #[test]
    fn a_stored_pod_serializes_exactly_as_the_k8s_openapi_pod() {
        let cases = [
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bare"}}),
            json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
                "spec": {"nodeName": "node-1", "containers": [{"name": "app", "image": "nginx"}]},
                "status": {"phase": "Running", "podIP": "10.244.1.2"}
            }),
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {}, "status": {}}),
        ];
        for value in cases {
            let original = pod(value);
            let stored = StoredPod::from(original.clone());
            let written = serde_json::to_string(&stored).unwrap_or_default();
            assert_eq!(
                written,
                serde_json::to_string(&original).unwrap_or_default()
            );
            assert_eq!(Pod::from(stored), original);
        }
    }

    #[test]
    fn a_clone_shares_the_spec_and_a_change_copies_it() {
        let original = StoredPod::from(pod(json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
            "spec": {"containers": [{"name": "app", "image": "nginx"}]}
        })));
        let mut bound = original.clone();
        assert!(matches!((&original.spec, &bound.spec), (Some(a), Some(b)) if Arc::ptr_eq(a, b)));
        bound.spec_mut().node_name = Some("node-1".to_string());
        assert_eq!(original.spec().and_then(|s| s.node_name.as_deref()), None);
        assert_eq!(
            bound.spec().and_then(|s| s.node_name.as_deref()),
            Some("node-1")
        );
    }

    #[test]
    fn status_mut_makes_an_empty_status_when_the_pod_has_none() {
        let mut stored = StoredPod::default();
        stored.status_mut().phase = Some("Pending".to_string());
        assert_eq!(
            stored.status().and_then(|s| s.phase.as_deref()),
            Some("Pending")
        );
    }
}
