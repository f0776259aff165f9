//! [`StoredPod`]: a core/v1 Pod as kubeplay keeps it (`Object::Pod`), its spec and status
//! shared between revisions.
//!
//! A pod is written several times in its first seconds (created, bound, then a status write
//! per kubelet sync), and each write is a new revision in the store: with the k8s-openapi
//! `Pod`, every revision holds its own copy of the `PodSpec` (about 4 KB for one container
//! once defaulted) although only a bind changes it, and the kubelet keeps a copy of the status
//! it sent until the watch echoes it. A `StoredPod` holds the spec and the status behind
//! `Arc`s: a status write shares the previous revision's spec, the kubelet can keep the `Arc`
//! of the status it sent, and a spec change goes through [`StoredPod::spec_mut`], which copies
//! only what someone else still holds (`Arc::make_mut`). The status is kept as a
//! [`CompactPodStatus`] (a fraction of the k8s-openapi `PodStatus`'s bytes, converted
//! losslessly at the edges): readers use [`StoredPod::status`] and its accessors,
//! [`StoredPod::phase`], or [`StoredPod::to_status`] for the whole `PodStatus`; writers
//! [`StoredPod::set_status`] or [`StoredPod::edit_status`]. The metadata is an
//! `Arc<ObjectMeta>` too, without its `resourceVersion`, which is kept beside it
//! ([`StoredPod::resource_version`]): a pod's revisions (created, bound, each status write)
//! differ only in that number and share one metadata body.
//!
//! A `Pod` comes in through `From<Pod>` (decoded JSON, a pod a client built) and
//! `Deserialize` (which reads exactly what the k8s-openapi `Pod` reads), and goes out
//! through `From<StoredPod>` / [`StoredPod::to_pod`] and `Serialize`, which writes exactly
//! what the k8s-openapi `Pod` writes (same fields, same order), so JSON, printers, describe
//! and trace hashes do not change. Equality compares the values behind the `Arc`s. Code that
//! reads a pod takes `&StoredPod`: `pod.spec.as_ref()` reads through the `Arc` as before,
//! [`StoredPod::spec`] / [`StoredPod::status`] give plain references.

use std::borrow::Cow;
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Pod, PodSpec, PodStatus};

use super::pod_status::CompactPodStatus;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::ser::{Impossible, SerializeStruct};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::meta::MetaWithResourceVersion;

/// A Pod whose spec and status are shared with the other revisions (and, for the spec, the
/// other pods) that have the same ones.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StoredPod {
    /// The pod's metadata **without its `resourceVersion`** (always `None` in here: see
    /// [`StoredPod::resource_version`]), shared between the pod's revisions while equal.
    /// Change it with [`StoredPod::metadata_mut`].
    pub metadata: Arc<ObjectMeta>,
    /// `metadata.resourceVersion`, kept out of the shared metadata.
    resource_version: Option<Box<str>>,
    /// The pod's spec **without its `nodeName`** (always `None` in here: see
    /// [`StoredPod::node_name`]), shared between revisions and between the pods of one
    /// controller while equal.
    pub spec: Option<Arc<PodSpec>>,
    /// `spec.nodeName`, kept out of the shared spec (only present when `spec` is); an `Arc`
    /// so that a pod's revisions share it too.
    node_name: Option<Arc<str>>,
    /// The pod's status, compact, shared with whoever sent it.
    pub status: Option<Arc<CompactPodStatus>>,
}

impl StoredPod {
    /// A pod of these parts; `spec`'s own `nodeName`, if any, becomes the pod's node name.
    pub fn new(
        mut metadata: ObjectMeta,
        spec: Option<PodSpec>,
        status: Option<PodStatus>,
    ) -> StoredPod {
        let resource_version = metadata.resource_version.take().map(String::into_boxed_str);
        let mut pod = StoredPod {
            metadata: Arc::new(metadata),
            resource_version,
            spec: None,
            node_name: None,
            status: status.map(|status| Arc::new(CompactPodStatus::from(status))),
        };
        if let Some(mut spec) = spec {
            pod.node_name = spec.node_name.take().map(Arc::from);
            pod.spec = Some(Arc::new(spec));
        }
        pod
    }

    /// `metadata.resourceVersion` as written (`Some("")` is kept apart from `None`).
    pub fn resource_version(&self) -> Option<&str> {
        self.resource_version.as_deref()
    }

    /// Sets `metadata.resourceVersion` without touching the shared metadata.
    pub fn set_resource_version(&mut self, resource_version: Option<String>) {
        self.resource_version = resource_version.map(String::into_boxed_str);
    }

    /// The metadata to change (its `resource_version` is not the pod's: change that with
    /// [`StoredPod::set_resource_version`]); copied first if another revision shares it.
    pub fn metadata_mut(&mut self) -> &mut ObjectMeta {
        Arc::make_mut(&mut self.metadata)
    }

    /// The whole metadata, `resourceVersion` included (a copy).
    pub fn full_metadata(&self) -> ObjectMeta {
        ObjectMeta {
            resource_version: self.resource_version.as_deref().map(str::to_string),
            ..self.metadata.as_ref().clone()
        }
    }

    /// The spec without its `nodeName` (use [`StoredPod::node_name`] for that), if the pod
    /// has one.
    pub fn spec(&self) -> Option<&PodSpec> {
        self.spec.as_deref()
    }

    /// `spec.nodeName` as written (`Some("")` is kept apart from `None`, as in the JSON).
    pub fn node_name(&self) -> Option<&str> {
        self.node_name.as_deref()
    }

    /// Sets `spec.nodeName` without touching the shared spec (an empty spec is made first
    /// when the pod has none and a node is given).
    pub fn set_node_name(&mut self, node_name: Option<String>) {
        if node_name.is_some() && self.spec.is_none() {
            self.spec = Some(Arc::default());
        }
        self.node_name = node_name.map(Arc::from);
    }

    /// Gives this pod `other`'s spec and node name (shared, not copied), as a status write
    /// keeps the stored pod's spec.
    pub fn copy_spec_from(&mut self, other: &StoredPod) {
        self.spec.clone_from(&other.spec);
        self.node_name.clone_from(&other.node_name);
    }

    /// The whole spec, `nodeName` included: borrowed when the pod has no node name, else a
    /// copy (for the few readers that need one `PodSpec` value, such as an update's diff).
    pub fn full_spec(&self) -> Option<Cow<'_, PodSpec>> {
        let spec = self.spec.as_deref()?;
        Some(match &self.node_name {
            None => Cow::Borrowed(spec),
            Some(node) => Cow::Owned(PodSpec {
                node_name: Some(node.to_string()),
                ..spec.clone()
            }),
        })
    }

    /// The spec to change (an empty one is made first if there is none); copied first if
    /// another revision or pod shares it. Its `node_name` is not the pod's: change that with
    /// [`StoredPod::set_node_name`].
    pub fn spec_mut(&mut self) -> &mut PodSpec {
        Arc::make_mut(self.spec.get_or_insert_with(Arc::default))
    }

    /// The status, if the pod has one (read it through its accessors).
    pub fn status(&self) -> Option<&CompactPodStatus> {
        self.status.as_deref()
    }

    /// `status.phase`.
    pub fn phase(&self) -> Option<&str> {
        self.status.as_deref().and_then(CompactPodStatus::phase)
    }

    /// `status.podIP`.
    pub fn pod_ip(&self) -> Option<&str> {
        self.status.as_deref().and_then(CompactPodStatus::pod_ip)
    }

    /// The whole status as a k8s-openapi `PodStatus` (a copy: for printers, describe and
    /// the few readers that need one value).
    pub fn to_status(&self) -> Option<PodStatus> {
        self.status.as_deref().map(CompactPodStatus::to_status)
    }

    /// Sets the status (kept compact).
    pub fn set_status(&mut self, status: Option<PodStatus>) {
        self.status = status.map(|status| Arc::new(CompactPodStatus::from(status)));
    }

    /// Changes the status through its `PodStatus` form (an empty one is made first if there
    /// is none); the pod gets a status of its own, others sharing the old one keep it.
    pub fn edit_status(&mut self, change: impl FnOnce(&mut PodStatus)) {
        let mut status = self.to_status().unwrap_or_default();
        change(&mut status);
        self.set_status(Some(status));
    }

    /// The k8s-openapi `Pod` this stands for (copies the spec and the status).
    pub fn to_pod(&self) -> Pod {
        Pod {
            metadata: self.full_metadata(),
            spec: self.full_spec().map(Cow::into_owned),
            status: self.to_status(),
        }
    }
}

impl From<Pod> for StoredPod {
    fn from(pod: Pod) -> StoredPod {
        StoredPod::new(pod.metadata, pod.spec, pod.status)
    }
}

impl From<StoredPod> for Pod {
    /// The `Pod`, without copying the spec or status that nobody else holds.
    fn from(pod: StoredPod) -> Pod {
        let node_name = pod.node_name.as_deref().map(str::to_string);
        Pod {
            metadata: ObjectMeta {
                resource_version: pod.resource_version.map(String::from),
                ..Arc::unwrap_or_clone(pod.metadata)
            },
            spec: pod.spec.map(|spec| PodSpec {
                node_name,
                ..Arc::unwrap_or_clone(spec)
            }),
            status: pod.status.as_deref().map(CompactPodStatus::to_status),
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
    /// `spec` (with `nodeName` in its place) and `status` when present.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let fields = 3 + usize::from(self.spec.is_some()) + usize::from(self.status.is_some());
        let mut state = serializer.serialize_struct("Pod", fields)?;
        state.serialize_field("apiVersion", "v1")?;
        state.serialize_field("kind", "Pod")?;
        let metadata = MetaWithResourceVersion {
            meta: &self.metadata,
            resource_version: self.resource_version.as_deref(),
        };
        state.serialize_field("metadata", &metadata)?;
        if let Some(spec) = &self.spec {
            let spec = SpecWithNodeName {
                spec,
                node_name: self.node_name.as_deref(),
            };
            state.serialize_field("spec", &spec)?;
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

/// A shared spec serialized with the pod's own `nodeName`, without copying the spec.
struct SpecWithNodeName<'a> {
    spec: &'a PodSpec,
    node_name: Option<&'a str>,
}

impl Serialize for SpecWithNodeName<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.node_name {
            None => self.spec.serialize(serializer),
            Some(node_name) => self.spec.serialize(NodeNameSerializer {
                inner: serializer,
                node_name,
            }),
        }
    }
}

/// The field `nodeName` is written under.
const NODE_NAME_FIELD: &str = "nodeName";

/// Hands the k8s-openapi `PodSpec` serializer a struct serializer that adds `nodeName` where
/// k8s-openapi writes it: its fields come in the byte order of their JSON names, so
/// `nodeName` goes before the first field whose name sorts after it (or last).
struct NodeNameSerializer<'a, S> {
    inner: S,
    node_name: &'a str,
}

/// The error for anything but a struct (a `PodSpec` only ever serializes as one).
fn not_a_struct<E: serde::ser::Error>() -> E {
    E::custom("a PodSpec serializes as a struct")
}

impl<'a, S: Serializer> Serializer for NodeNameSerializer<'a, S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Impossible<S::Ok, S::Error>;
    type SerializeTuple = Impossible<S::Ok, S::Error>;
    type SerializeTupleStruct = Impossible<S::Ok, S::Error>;
    type SerializeTupleVariant = Impossible<S::Ok, S::Error>;
    type SerializeMap = Impossible<S::Ok, S::Error>;
    type SerializeStruct = NodeNameStruct<'a, S::SerializeStruct>;
    type SerializeStructVariant = Impossible<S::Ok, S::Error>;

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        Ok(NodeNameStruct {
            inner: self.inner.serialize_struct(name, len + 1)?,
            node_name: Some(self.node_name),
        })
    }

    fn serialize_bool(self, _: bool) -> Result<S::Ok, S::Error> {
        Err(not_a_struct())
    }
    fn serialize_i8(self, _: i8) -> Result<S::Ok, S::Error> {
        Err(not_a_struct())
    }
    fn serialize_i16(self, _: i16) -> Result<S::Ok, S::Error> {
        Err(not_a_struct())
    }
    fn serialize_i32(self, _: i32) -> Result<S::Ok, S::Error> {
        Err(not_a_struct())
    }
    fn serialize_i64(self, _: i64) -> Result<S::Ok, S::Error> {
        Err(not_a_struct())
    }
    fn serialize_u8(self, _: u8) -> Result<S::Ok, S::Error> {
        Err(not_a_struct())
    }
    fn serialize_u16(self, _: u16) -> Result<S::Ok, S::Error> {
        Err(not_a_struct())
    }
    fn serialize_u32(self, _: u32) -> Result<S::Ok, S::Error> {
        Err(not_a_struct())
    }
    fn serialize_u64(self, _: u64) -> Result<S::Ok, S::Error> {
        Err(not_a_struct())
    }
    fn serialize_f32(self, _: f32) -> Result<S::Ok, S::Error> {
        Err(not_a_struct())
    }
    fn serialize_f64(self, _: f64) -> Result<S::Ok, S::Error> {
        Err(not_a_struct())
    }
    fn serialize_char(self, _: char) -> Result<S::Ok, S::Error> {
        Err(not_a_struct())
    }
    fn serialize_str(self, _: &str) -> Result<S::Ok, S::Error> {
        Err(not_a_struct())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<S::Ok, S::Error> {
        Err(not_a_struct())
    }
    fn serialize_none(self) -> Result<S::Ok, S::Error> {
        Err(not_a_struct())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<S::Ok, S::Error> {
        Err(not_a_struct())
    }
    fn serialize_unit(self) -> Result<S::Ok, S::Error> {
        Err(not_a_struct())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<S::Ok, S::Error> {
        Err(not_a_struct())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
    ) -> Result<S::Ok, S::Error> {
        Err(not_a_struct())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<S::Ok, S::Error> {
        Err(not_a_struct())
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<S::Ok, S::Error> {
        Err(not_a_struct())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        Err(not_a_struct())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, S::Error> {
        Err(not_a_struct())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        Err(not_a_struct())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        Err(not_a_struct())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        Err(not_a_struct())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        Err(not_a_struct())
    }
    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

/// The `PodSpec`'s fields, with `nodeName` written in its place.
struct NodeNameStruct<'a, T> {
    inner: T,
    /// The node name while it is still to be written.
    node_name: Option<&'a str>,
}

impl<T: SerializeStruct> SerializeStruct for NodeNameStruct<'_, T> {
    type Ok = T::Ok;
    type Error = T::Error;

    fn serialize_field<V: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &V,
    ) -> Result<(), T::Error> {
        if key == NODE_NAME_FIELD {
            // The shared spec holds none; the pod's own one is written instead.
            return Ok(());
        }
        if key > NODE_NAME_FIELD {
            if let Some(node_name) = self.node_name.take() {
                self.inner.serialize_field(NODE_NAME_FIELD, node_name)?;
            }
        }
        self.inner.serialize_field(key, value)
    }

    fn skip_field(&mut self, key: &'static str) -> Result<(), T::Error> {
        self.inner.skip_field(key)
    }

    fn end(mut self) -> Result<T::Ok, T::Error> {
        if let Some(node_name) = self.node_name.take() {
            self.inner.serialize_field(NODE_NAME_FIELD, node_name)?;
        }
        self.inner.end()
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

    /// A spec with fields on both sides of `nodeName` in k8s-openapi's order.
    fn full_spec_json(node: serde_json::Value) -> serde_json::Value {
        json!({
            "activeDeadlineSeconds": 30,
            "containers": [{"name": "app", "image": "nginx"}],
            "dnsPolicy": "ClusterFirst",
            "hostname": "h",
            "initContainers": [{"name": "init", "image": "busybox"}],
            "nodeName": node,
            "nodeSelector": {"disk": "ssd"},
            "os": {"name": "linux"},
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "volumes": [{"name": "data", "emptyDir": {}}]
        })
    }

    /// `stored` writes exactly what the k8s-openapi `original` writes: compact and pretty
    /// JSON, YAML and a `Value`.
    fn assert_writes_as(stored: &StoredPod, original: &Pod) {
        assert_eq!(
            serde_json::to_string(stored).unwrap_or_default(),
            serde_json::to_string(original).unwrap_or_default()
        );
        assert_eq!(
            serde_json::to_string_pretty(stored).unwrap_or_default(),
            serde_json::to_string_pretty(original).unwrap_or_default()
        );
        assert_eq!(
            serde_yaml_ng::to_string(stored).unwrap_or_default(),
            serde_yaml_ng::to_string(original).unwrap_or_default()
        );
        assert_eq!(
            serde_json::to_value(stored).ok(),
            serde_json::to_value(original).ok()
        );
    }

    #[test]
    fn the_node_name_is_written_in_its_place_in_json_and_yaml() {
        let specs = [
            full_spec_json(json!("node-1")),
            full_spec_json(json!("")),
            json!({"containers": [], "nodeName": "node-9"}),
            json!({"nodeName": "last"}),
            json!({"affinity": {}, "nodeName": "n", "tolerations": []}),
        ];
        for spec in specs {
            let original = pod(json!({
                "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"}, "spec": spec
            }));
            let stored = StoredPod::from(original.clone());
            assert_eq!(stored.spec().and_then(|s| s.node_name.as_deref()), None);
            assert_eq!(
                stored.node_name(),
                original.spec.as_ref().and_then(|s| s.node_name.as_deref())
            );
            assert_writes_as(&stored, &original);
            assert_eq!(stored.full_spec().map(Cow::into_owned), original.spec);
            assert_eq!(stored.to_pod(), original);
            assert_eq!(Pod::from(stored), original);
        }
    }

    #[test]
    fn binding_one_pod_shares_the_spec_without_leaking_its_node() {
        let template = StoredPod::from(pod(json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
            "spec": {"containers": [{"name": "app", "image": "nginx"}]}
        })));
        let mut bound = template.clone();
        bound.set_node_name(Some("node-1".to_string()));
        let mut other = template.clone();
        other.set_node_name(Some("node-2".to_string()));
        for pod in [&bound, &other] {
            assert!(matches!((&template.spec, &pod.spec), (Some(a), Some(b)) if Arc::ptr_eq(a, b)));
        }
        let node_in_json = |pod: &StoredPod| {
            serde_json::to_value(pod)
                .ok()
                .and_then(|v| v["spec"]["nodeName"].as_str().map(str::to_string))
        };
        assert_eq!(template.node_name(), None);
        assert_eq!(node_in_json(&template), None);
        assert_eq!(node_in_json(&bound).as_deref(), Some("node-1"));
        assert_eq!(node_in_json(&other).as_deref(), Some("node-2"));
        assert_eq!(
            template.to_pod().spec.and_then(|s| s.node_name),
            None,
            "the shared spec must not carry a node"
        );
        assert_ne!(bound, other);
        assert_ne!(bound, template);
    }

    #[test]
    fn a_clone_shares_the_spec_and_a_change_copies_it() {
        let original = StoredPod::from(pod(json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
            "spec": {"nodeName": "node-1", "containers": [{"name": "app", "image": "nginx"}]}
        })));
        let mut changed = original.clone();
        assert!(matches!((&original.spec, &changed.spec), (Some(a), Some(b)) if Arc::ptr_eq(a, b)));
        changed.spec_mut().containers[0].image = Some("nginx:1.27".to_string());
        assert_eq!(changed.node_name(), Some("node-1"));
        assert_eq!(
            original
                .spec()
                .and_then(|s| s.containers[0].image.as_deref()),
            Some("nginx")
        );
        assert_eq!(
            changed
                .spec()
                .and_then(|s| s.containers[0].image.as_deref()),
            Some("nginx:1.27")
        );
    }

    #[test]
    fn setting_a_node_on_a_pod_without_a_spec_makes_one() {
        let mut stored = StoredPod::default();
        stored.set_node_name(Some("node-1".to_string()));
        assert_eq!(
            serde_json::to_value(&stored)
                .ok()
                .map(|v| v["spec"].clone()),
            Some(json!({"containers": [], "nodeName": "node-1"}))
        );
        stored.set_node_name(None);
        assert_eq!(stored.node_name(), None);
    }

    #[test]
    fn a_pod_with_a_full_status_is_written_as_the_k8s_openapi_pod() {
        let original = pod(json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
            "spec": {"nodeName": "node-1", "containers": [{"name": "app", "image": "nginx"}]},
            "status": {
                "phase": "Running",
                "conditions": [
                    {"type": "Ready", "status": "True", "lastTransitionTime": "2025-01-01T00:00:03Z"},
                    {"type": "PodScheduled", "status": "True", "lastTransitionTime": "2025-01-01T00:00:00Z"}
                ],
                "hostIP": "192.168.0.7", "hostIPs": [{"ip": "192.168.0.7"}],
                "podIP": "10.244.7.3", "podIPs": [{"ip": "10.244.7.3"}],
                "startTime": "2025-01-01T00:00:01Z", "qosClass": "BestEffort",
                "containerStatuses": [{"name": "app", "image": "nginx", "imageID": "sha256:1",
                    "containerID": "containerd://1", "ready": true, "started": true,
                    "restartCount": 1, "state": {"running": {"startedAt": "2025-01-01T00:00:02Z"}},
                    "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}}}],
                "initContainerStatuses": [],
                "reason": "", "message": "hello"
            }
        }));
        let stored = StoredPod::from(original.clone());
        assert_eq!(stored.phase(), Some("Running"));
        assert_eq!(stored.pod_ip(), Some("10.244.7.3"));
        assert_eq!(stored.to_status(), original.status);
        assert_writes_as(&stored, &original);
        assert_eq!(stored.to_pod(), original);
        assert_eq!(Pod::from(stored), original);
    }

    #[test]
    fn a_bad_status_gives_the_k8s_openapi_error() {
        for value in [
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {}, "status": {"phase": 3}}),
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {},
                "status": {"containerStatuses": [{"name": "a", "ready": "yes"}]}}),
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {},
                "status": {"startTime": "yesterday"}}),
        ] {
            let ours = serde_json::from_value::<StoredPod>(value.clone()).map(|_| ());
            let theirs = serde_json::from_value::<Pod>(value).map(|_| ());
            assert!(ours.is_err());
            assert_eq!(
                ours.map_err(|e| e.to_string()),
                theirs.map_err(|e| e.to_string())
            );
        }
    }

    #[test]
    fn edit_status_makes_an_empty_status_when_the_pod_has_none() {
        let mut stored = StoredPod::default();
        stored.edit_status(|status| status.phase = Some("Pending".to_string()));
        assert_eq!(stored.phase(), Some("Pending"));
        assert_eq!(
            stored.to_status(),
            Some(PodStatus {
                phase: Some("Pending".to_string()),
                ..PodStatus::default()
            })
        );
    }
}
