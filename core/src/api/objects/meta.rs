//! An object's metadata kept apart from its `resourceVersion`, so that a kind's revisions can
//! share one metadata body (`Arc<ObjectMeta>`) while only the revision number differs
//! ([`StoredPod`](super::StoredPod) does this), and the serializer that writes such a pair
//! exactly as k8s-openapi writes the whole `ObjectMeta`.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

/// A metadata body with the `resourceVersion` kept beside it, serialized as the one
/// `ObjectMeta` they stand for: the same fields in the same order as k8s-openapi's own
/// serializer (`resourceVersion` between `ownerReferences` and `selfLink`). The body's own
/// `resource_version` is not written.
pub(crate) struct MetaWithResourceVersion<'a> {
    pub(crate) meta: &'a ObjectMeta,
    pub(crate) resource_version: Option<&'a str>,
}

impl Serialize for MetaWithResourceVersion<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let m = self.meta;
        let count = [
            m.annotations.is_some(),
            m.creation_timestamp.is_some(),
            m.deletion_grace_period_seconds.is_some(),
            m.deletion_timestamp.is_some(),
            m.finalizers.is_some(),
            m.generate_name.is_some(),
            m.generation.is_some(),
            m.labels.is_some(),
            m.managed_fields.is_some(),
            m.name.is_some(),
            m.namespace.is_some(),
            m.owner_references.is_some(),
            self.resource_version.is_some(),
            m.self_link.is_some(),
            m.uid.is_some(),
        ]
        .into_iter()
        .filter(|present| *present)
        .count();
        let mut state = serializer.serialize_struct("ObjectMeta", count)?;
        if let Some(value) = &m.annotations {
            state.serialize_field("annotations", value)?;
        }
        if let Some(value) = &m.creation_timestamp {
            state.serialize_field("creationTimestamp", value)?;
        }
        if let Some(value) = &m.deletion_grace_period_seconds {
            state.serialize_field("deletionGracePeriodSeconds", value)?;
        }
        if let Some(value) = &m.deletion_timestamp {
            state.serialize_field("deletionTimestamp", value)?;
        }
        if let Some(value) = &m.finalizers {
            state.serialize_field("finalizers", value)?;
        }
        if let Some(value) = &m.generate_name {
            state.serialize_field("generateName", value)?;
        }
        if let Some(value) = &m.generation {
            state.serialize_field("generation", value)?;
        }
        if let Some(value) = &m.labels {
            state.serialize_field("labels", value)?;
        }
        if let Some(value) = &m.managed_fields {
            state.serialize_field("managedFields", value)?;
        }
        if let Some(value) = &m.name {
            state.serialize_field("name", value)?;
        }
        if let Some(value) = &m.namespace {
            state.serialize_field("namespace", value)?;
        }
        if let Some(value) = &m.owner_references {
            state.serialize_field("ownerReferences", value)?;
        }
        if let Some(value) = self.resource_version {
            state.serialize_field("resourceVersion", value)?;
        }
        if let Some(value) = &m.self_link {
            state.serialize_field("selfLink", value)?;
        }
        if let Some(value) = &m.uid {
            state.serialize_field("uid", value)?;
        }
        state.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every field of `ObjectMeta` set, so that each one's name and place is checked.
    fn full_meta() -> ObjectMeta {
        serde_json::from_value(json!({
            "annotations": {"a": "1", "b": ""},
            "creationTimestamp": "2026-11-27T00:00:00Z",
            "deletionGracePeriodSeconds": 30,
            "deletionTimestamp": "2026-11-27T00:01:00Z",
            "finalizers": ["example.com/keep", "kubernetes"],
            "generateName": "web-",
            "generation": 4,
            "labels": {"app": "web", "tier": "front"},
            "managedFields": [{
                "apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {}},
                "manager": "kubectl", "operation": "Update", "subresource": "status",
                "time": "2026-11-27T00:00:01Z"
            }],
            "name": "web-abcde",
            "namespace": "shop",
            "ownerReferences": [{
                "apiVersion": "apps/v1", "blockOwnerDeletion": true, "controller": true,
                "kind": "ReplicaSet", "name": "web", "uid": "u-1"
            }],
            "resourceVersion": "1234",
            "selfLink": "/api/v1/namespaces/shop/pods/web-abcde",
            "uid": "u-2"
        }))
        .expect("a valid ObjectMeta")
    }

    #[test]
    fn writes_what_k8s_openapi_writes_for_every_field() {
        assert_split_writes_as(&full_meta());
    }

    /// `meta` split into a body and its `resourceVersion` writes exactly what `meta` writes
    /// (JSON, YAML, a `Value`).
    fn assert_split_writes_as(meta: &ObjectMeta) {
        let mut body = meta.clone();
        let resource_version = body.resource_version.take();
        let split = MetaWithResourceVersion {
            meta: &body,
            resource_version: resource_version.as_deref(),
        };
        assert_eq!(
            serde_json::to_string(&split).unwrap(),
            serde_json::to_string(meta).unwrap()
        );
        assert_eq!(
            serde_yaml_ng::to_string(&split).unwrap(),
            serde_yaml_ng::to_string(meta).unwrap()
        );
        assert_eq!(
            serde_json::to_value(&split).unwrap(),
            serde_json::to_value(meta).unwrap()
        );
    }

    #[test]
    fn writes_what_k8s_openapi_writes_with_fields_missing() {
        for meta in [
            ObjectMeta::default(),
            ObjectMeta {
                name: Some("only".into()),
                ..ObjectMeta::default()
            },
            ObjectMeta {
                resource_version: Some("7".into()),
                ..ObjectMeta::default()
            },
            ObjectMeta {
                resource_version: Some(String::new()),
                uid: Some("u".into()),
                ..ObjectMeta::default()
            },
        ] {
            assert_split_writes_as(&meta);
        }
    }

    #[test]
    fn the_body_s_own_resource_version_is_not_written() {
        let body = ObjectMeta {
            name: Some("x".into()),
            resource_version: Some("stale".into()),
            ..ObjectMeta::default()
        };
        let split = MetaWithResourceVersion {
            meta: &body,
            resource_version: Some("9"),
        };
        assert_eq!(
            serde_json::to_value(&split).unwrap(),
            json!({"name": "x", "resourceVersion": "9"})
        );
    }
}
