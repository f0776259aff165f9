//! The `scale` subresource (Deployments, ReplicaSets, ReplicationControllers: what `kubectl
//! scale` uses) and `pods/binding` (what the scheduler posts to put a pod on a node).

use std::sync::Arc;

use k8s_openapi::api::autoscaling::v1::{Scale, ScaleSpec, ScaleStatus};
use k8s_openapi::api::core::v1::{Binding, PodCondition};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::api::labels::Selector;
use crate::api::objects::{Kind, Object};
use crate::api::validation::{FieldError, FieldPath};
use crate::store::KvStore;

use super::error::ApiError;
use super::registry;
use super::write::Part;
use super::ApiServer;

/// The replicas and selector of a scalable object.
fn scale_of(object: &Object) -> Option<(i32, i32, String)> {
    match object {
        Object::Deployment(d) => {
            let spec = d.spec.as_ref()?;
            let selector = Selector::from_label_selector(Some(&spec.selector))
                .map(|s| s.to_string())
                .unwrap_or_default();
            let status = d.status.as_ref().and_then(|s| s.replicas).unwrap_or(0);
            Some((spec.replicas.unwrap_or(1), status, selector))
        }
        Object::ReplicaSet(rs) => {
            let spec = rs.spec.as_ref()?;
            let selector = Selector::from_label_selector(Some(&spec.selector))
                .map(|s| s.to_string())
                .unwrap_or_default();
            let status = rs.status.as_ref().map(|s| s.replicas).unwrap_or(0);
            Some((spec.replicas.unwrap_or(1), status, selector))
        }
        Object::ReplicationController(rc) => {
            let spec = rc.spec.as_ref()?;
            let selector = spec
                .selector
                .as_ref()
                .map(|m| Selector::from_set(m).to_string())
                .unwrap_or_default();
            let status = rc.status.as_ref().map(|s| s.replicas).unwrap_or(0);
            Some((spec.replicas.unwrap_or(1), status, selector))
        }
        _ => None,
    }
}

fn set_replicas(object: &mut Object, replicas: i32) {
    match object {
        Object::Deployment(d) => {
            d.spec.get_or_insert_with(Default::default).replicas = Some(replicas)
        }
        Object::ReplicaSet(rs) => {
            rs.spec.get_or_insert_with(Default::default).replicas = Some(replicas)
        }
        Object::ReplicationController(rc) => {
            rc.spec.get_or_insert_with(Default::default).replicas = Some(replicas)
        }
        _ => {}
    }
}

fn no_scale(kind: Kind) -> ApiError {
    ApiError::MethodNotAllowed(format!(
        "the server does not allow this method on the requested resource ({}/scale)",
        kind.plural()
    ))
}

fn to_scale(object: &Object) -> Option<Scale> {
    let (replicas, status_replicas, selector) = scale_of(object)?;
    let meta = object.metadata();
    Some(Scale {
        metadata: ObjectMeta {
            name: meta.name.clone(),
            namespace: meta.namespace.clone(),
            uid: meta.uid.clone(),
            resource_version: object.resource_version().map(str::to_string),
            creation_timestamp: meta.creation_timestamp.clone(),
            ..ObjectMeta::default()
        },
        spec: Some(ScaleSpec {
            replicas: Some(replicas),
        }),
        status: Some(ScaleStatus {
            replicas: status_replicas,
            selector: Some(selector),
        }),
    })
}

impl<S: KvStore<Object>> ApiServer<S> {
    /// Reads the `scale` subresource.
    pub fn get_scale(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
    ) -> Result<Scale, ApiError> {
        let result = if registry::has_scale_subresource(kind) {
            self.get_current(kind, namespace, name).and_then(|kv| {
                to_scale(&kv.value)
                    .ok_or_else(|| ApiError::Internal("object has no spec".to_string()))
            })
        } else {
            Err(no_scale(kind))
        };
        self.traced(
            "get",
            format!("{}/scale", kind.plural()),
            namespace,
            name,
            result,
        )
    }

    /// Writes the `scale` subresource: sets `spec.replicas`.
    pub fn update_scale(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        scale: &Scale,
    ) -> Result<Scale, ApiError> {
        let result = self.update_scale_inner(kind, namespace, name, scale);
        self.traced(
            "update",
            format!("{}/scale", kind.plural()),
            namespace,
            name,
            result,
        )
    }

    fn update_scale_inner(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        scale: &Scale,
    ) -> Result<Scale, ApiError> {
        if !registry::has_scale_subresource(kind) {
            return Err(no_scale(kind));
        }
        let replicas = scale.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0);
        if replicas < 0 {
            let path = FieldPath::new("spec").child("replicas");
            return Err(ApiError::Invalid {
                group: "autoscaling",
                kind: "Scale",
                name: name.to_string(),
                errors: vec![FieldError::invalid(
                    &path,
                    replicas,
                    "must be greater than or equal to 0",
                )],
            });
        }
        let current = self.get_current(kind, namespace, name)?;
        if let Some(rv) = scale
            .metadata
            .resource_version
            .as_deref()
            .filter(|rv| !rv.is_empty())
        {
            if rv != current.mod_revision.to_string() {
                return Err(ApiError::modified(kind, name));
            }
        }
        let mut object = current.value.as_ref().clone();
        set_replicas(&mut object, replicas);
        let updated = self.update_inner(namespace, object, Part::Main)?;
        to_scale(&updated).ok_or_else(|| ApiError::Internal("object has no spec".to_string()))
    }

    /// Binds a pod to a node (`POST pods/<name>/binding`), as the scheduler does.
    pub fn bind(&mut self, namespace: &str, binding: &Binding) -> Result<Arc<Object>, ApiError> {
        let name = binding.metadata.name.clone().unwrap_or_default();
        let result = self.bind_inner(namespace, &name, binding);
        self.traced(
            "create",
            "pods/binding".to_string(),
            namespace,
            &name,
            result,
        )
    }

    fn bind_inner(
        &mut self,
        namespace: &str,
        name: &str,
        binding: &Binding,
    ) -> Result<Arc<Object>, ApiError> {
        let target_kind = binding.target.kind.as_deref().unwrap_or("");
        if !target_kind.is_empty() && target_kind != "Node" {
            let path = FieldPath::new("target").child("kind");
            return Err(ApiError::Invalid {
                group: "",
                kind: "Binding",
                name: name.to_string(),
                errors: vec![FieldError::invalid(
                    &path,
                    target_kind,
                    "must be empty or 'Node'",
                )],
            });
        }
        let node = binding.target.name.clone().unwrap_or_default();
        if node.is_empty() {
            let path = FieldPath::new("target").child("name");
            return Err(ApiError::Invalid {
                group: "",
                kind: "Binding",
                name: name.to_string(),
                errors: vec![FieldError::required(&path, "")],
            });
        }
        let current = self.get_current(Kind::Pod, namespace, name)?;
        let Object::Pod(pod) = current.value.as_ref() else {
            return Err(ApiError::Internal(
                "a pod key holds another kind".to_string(),
            ));
        };
        let conflict = |detail: String| ApiError::Conflict {
            kind: Kind::Pod,
            subresource: Some("binding"),
            name: name.to_string(),
            detail,
        };
        if pod.metadata.deletion_timestamp.is_some() {
            return Err(conflict(format!(
                "pod {name} is being deleted, cannot be assigned to a host"
            )));
        }
        if let Some(assigned) = pod.node_name().filter(|n| !n.is_empty()) {
            return Err(conflict(format!(
                "pod {name} is already assigned to node \"{assigned}\""
            )));
        }
        let mut bound = pod.as_ref().clone();
        bound.set_node_name(Some(node));
        let now = self.now.to_k8s_time();
        bound.edit_status(|status| {
            let conditions = status.conditions.get_or_insert_with(Vec::new);
            match conditions.iter_mut().find(|c| c.type_ == "PodScheduled") {
                Some(condition) => {
                    condition.status = "True".to_string();
                    condition.reason = None;
                    condition.message = None;
                    condition.last_transition_time = Some(now);
                }
                None => conditions.push(PodCondition {
                    type_: "PodScheduled".to_string(),
                    status: "True".to_string(),
                    last_transition_time: Some(now),
                    ..PodCondition::default()
                }),
            }
        });
        let key = registry::object_key(Kind::Pod, namespace, name);
        self.commit_put(&key, Object::from(bound), Some(current.mod_revision))?
            .ok_or_else(|| ApiError::modified(Kind::Pod, name))
    }
}
