//! Create, update (main resource and `status`), and patch.
//!
//! Every write ends in [`ApiServer::commit_put`]: one compare-and-swap transaction at the next
//! revision, so two writers racing on the same object cannot both win — the loser gets the
//! same 409 Conflict a real API server gives.

use std::sync::Arc;

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::scheduling::v1::PriorityClass;
use serde_json::Value;

use super::admission::{needs_priority_classes, NamespaceState, Operation};
use super::allocator::AllocationError;
use super::error::ApiError;
use super::registry;
use super::{ApiServer, DeleteOutcome};
use crate::api::defaulting;
use crate::api::objects::{Kind, Object};
use crate::api::patch::{apply_patch, PatchType};
use crate::api::validation::{FieldError, FieldPath};
use crate::sim::trace::StoreOp;
use crate::store::{
    Compare, CompareResult, KeyValue, KvStore, PutRequest, RequestOp, Revision, TxnRequest,
};

/// Which part of an object a write may change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Part {
    /// The main resource: everything but status (for kinds with a status subresource).
    Main,
    /// The `status` subresource: status only.
    Status,
}

impl Part {
    fn resource(self, kind: Kind) -> String {
        match self {
            Part::Main => kind.plural().to_string(),
            Part::Status => [kind.plural(), "/status"].concat(),
        }
    }
}

/// The longest `generateName` base kept (63 minus the 5-character random suffix).
const MAX_GENERATED_NAME_BASE_LENGTH: usize = 58;

/// How many generated names are tried before giving up (Kubernetes retries too).
const GENERATE_NAME_ATTEMPTS: usize = 8;

fn parse_resource_version(text: &str) -> Result<Revision, ApiError> {
    text.parse::<Revision>().map_err(|_| {
        ApiError::BadRequest(format!(
            "invalid resource version \"{text}\": resourceVersion must be a decimal number"
        ))
    })
}

impl<S: KvStore<Object>> ApiServer<S> {
    /// Creates an object in `namespace` (ignored for cluster-scoped kinds). The object's own
    /// `metadata.namespace` may be empty or must equal `namespace`.
    pub fn create(&mut self, namespace: &str, object: Object) -> Result<Arc<Object>, ApiError> {
        let kind = object.kind();
        let requested_name = object.name().to_string();
        let result = self.create_inner(namespace, object);
        let name = match &result {
            Ok(created) => created.name().to_string(),
            Err(_) => requested_name,
        };
        self.traced(
            "create",
            kind.plural().to_string(),
            namespace,
            &name,
            result,
        )
    }

    /// Replaces an object (PUT). `metadata.resourceVersion`, when set, must be the stored one.
    pub fn update(&mut self, namespace: &str, object: Object) -> Result<Arc<Object>, ApiError> {
        self.update_traced(namespace, object, Part::Main)
    }

    /// Replaces an object's status (PUT on the `status` subresource).
    pub fn update_status(
        &mut self,
        namespace: &str,
        object: Object,
    ) -> Result<Arc<Object>, ApiError> {
        self.update_traced(namespace, object, Part::Status)
    }

    fn update_traced(
        &mut self,
        namespace: &str,
        object: Object,
        part: Part,
    ) -> Result<Arc<Object>, ApiError> {
        let kind = object.kind();
        let name = object.name().to_string();
        let result = self.update_inner(namespace, object, part);
        self.traced("update", part.resource(kind), namespace, &name, result)
    }

    /// Patches an object (PATCH) with a JSON patch, merge patch or strategic merge patch;
    /// `status` patches the status subresource.
    pub fn patch(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        patch_type: PatchType,
        patch: &Value,
        status: bool,
    ) -> Result<Arc<Object>, ApiError> {
        let part = if status { Part::Status } else { Part::Main };
        let result = self.patch_inner(kind, namespace, name, patch_type, patch, part);
        self.traced("patch", part.resource(kind), namespace, name, result)
    }

    fn patch_inner(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        patch_type: PatchType,
        patch: &Value,
        part: Part,
    ) -> Result<Arc<Object>, ApiError> {
        let current = self.get_current(kind, namespace, name)?;
        let patched = apply_patch(
            patch_type,
            &current.value.to_value(),
            patch,
            kind.kind_name(),
        )
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
        let object = Object::from_value_as(kind, patched)
            .map_err(|e| ApiError::BadRequest(e.to_string()))?;
        self.update_inner(namespace, object, part)
    }

    /// The stored key-value of an object, or 404.
    pub(crate) fn get_current(
        &self,
        kind: Kind,
        namespace: &str,
        name: &str,
    ) -> Result<KeyValue<Object>, ApiError> {
        let key = registry::object_key(kind, namespace, name);
        match self.store.get(&key) {
            Ok(Some(kv)) => Ok(kv),
            Ok(None) => Err(ApiError::NotFound {
                kind,
                name: name.to_string(),
            }),
            Err(e) => Err(ApiError::Internal(e.to_string())),
        }
    }

    /// The PriorityClasses that exist, when admitting this write reads them (else none: a
    /// store range per write would cost every kind for the sake of two).
    pub(crate) fn priority_classes_for(
        &self,
        kind: Kind,
        operation: Operation,
    ) -> Vec<PriorityClass> {
        if !needs_priority_classes(kind, operation) {
            return Vec::new();
        }
        let prefix = registry::key_prefix(Kind::PriorityClass);
        let Ok(response) = self.store.range(&crate::store::RangeRequest::new(
            crate::store::KeyRange::prefix(prefix),
        )) else {
            return Vec::new();
        };
        response
            .kvs
            .iter()
            .filter_map(|kv| match kv.value.as_ref() {
                Object::PriorityClass(class) => Some(class.as_ref().clone()),
                _ => None,
            })
            .collect()
    }

    pub(crate) fn namespace_state(&self, kind: Kind, namespace: &str) -> NamespaceState {
        if !kind.namespaced() {
            return NamespaceState::NotApplicable;
        }
        match self.get_current(Kind::Namespace, "", namespace) {
            Ok(kv) => match kv.value.as_ref() {
                Object::Namespace(ns)
                    if ns.metadata.deletion_timestamp.is_some()
                        || ns.status.as_ref().and_then(|s| s.phase.as_deref())
                            == Some("Terminating") =>
                {
                    NamespaceState::Terminating
                }
                _ => NamespaceState::Active,
            },
            Err(_) => NamespaceState::Missing,
        }
    }

    /// Puts the object's namespace in order: the request's for namespaced kinds (they must
    /// agree when both are given), none for cluster-scoped kinds.
    fn settle_namespace(namespace: &str, object: &mut Object) -> Result<String, ApiError> {
        let kind = object.kind();
        // Only written when it changes: a pod's metadata may be shared with the sender's
        // copy, and writing would copy it.
        if !kind.namespaced() {
            if object.metadata().namespace.is_some() {
                object.metadata_mut().namespace = None;
            }
            return Ok(String::new());
        }
        let own = object.metadata().namespace.clone().unwrap_or_default();
        let settled = match (own.is_empty(), namespace.is_empty()) {
            (true, true) => "default".to_string(),
            (true, false) => namespace.to_string(),
            (false, true) => own,
            (false, false) if own == namespace => own,
            (false, false) => {
                return Err(ApiError::BadRequest(
                    "the namespace of the provided object does not match the namespace sent on the request".to_string(),
                ))
            }
        };
        if object.metadata().namespace.as_deref() != Some(settled.as_str()) {
            object.metadata_mut().namespace = Some(settled.clone());
        }
        Ok(settled)
    }

    fn create_inner(
        &mut self,
        namespace: &str,
        mut object: Object,
    ) -> Result<Arc<Object>, ApiError> {
        let kind = object.kind();
        let namespace = Self::settle_namespace(namespace, &mut object)?;
        if object.resource_version().is_some_and(|rv| !rv.is_empty()) {
            return Err(ApiError::BadRequest(
                "resourceVersion should not be set on objects to be created".to_string(),
            ));
        }
        let generate_name = object.metadata().generate_name.clone().unwrap_or_default();
        let needs_generated_name = object.name().is_empty() && !generate_name.is_empty();
        {
            let now = self.now.to_k8s_time();
            let uid = self.rng.uid();
            let meta = object.metadata_mut();
            meta.uid = Some(uid);
            meta.creation_timestamp = Some(now);
            meta.deletion_timestamp = None;
            meta.deletion_grace_period_seconds = None;
            meta.generation = registry::tracks_generation(kind).then_some(1);
            meta.self_link = None;
        }
        registry::reset_status_for_create(&mut object);
        defaulting::apply_defaults(&mut object);
        defaulting::prepare_for_create(&mut object);
        let namespace_state = self.namespace_state(kind, &namespace);
        let priority_classes = self.priority_classes_for(kind, Operation::Create);

        // Only a generated name can be retried: then each attempt starts from a copy of the
        // prepared object; otherwise the object itself is the one candidate.
        let mut template = Some(object);
        for attempt in 0..GENERATE_NAME_ATTEMPTS {
            let mut candidate = match template.take() {
                Some(object) if needs_generated_name => {
                    let candidate = object.clone();
                    template = Some(object);
                    candidate
                }
                Some(object) => object,
                None => break,
            };
            if needs_generated_name {
                let suffix = self.rng.generate_name_suffix();
                // Like Kubernetes' SimpleNameGenerator: the base is cut so that base + suffix
                // fits in 63 characters.
                let base: String = generate_name
                    .chars()
                    .take(MAX_GENERATED_NAME_BASE_LENGTH)
                    .collect();
                candidate.metadata_mut().name = Some(format!("{base}{suffix}"));
            }
            self.admission.admit(
                Operation::Create,
                &mut candidate,
                None,
                namespace_state,
                &priority_classes,
            )?;
            let allocated = self.allocate_service(&mut candidate)?;
            let mut errors = registry::validate_create(&candidate);
            if let Err(e) = &allocated {
                errors.push(e.clone());
            }
            if !errors.is_empty() {
                self.release_service(&candidate);
                return Err(ApiError::invalid(kind, candidate.name(), errors));
            }
            let key = registry::object_key(kind, &namespace, candidate.name());
            self.shared_specs.share_on_create(&mut candidate);
            match self.commit_put_or_return(&key, candidate, None)? {
                Ok(stored) => return Ok(stored),
                Err(candidate) => {
                    self.release_service(&candidate);
                    if !needs_generated_name || attempt + 1 == GENERATE_NAME_ATTEMPTS {
                        return Err(ApiError::AlreadyExists {
                            kind,
                            name: candidate.name().to_string(),
                        });
                    }
                }
            }
        }
        Err(ApiError::Internal(
            "generateName attempts exhausted".to_string(),
        ))
    }

    /// Gives a new Service its ClusterIP and NodePorts. The outer error is a refusal of the
    /// whole request; the inner one a field error to report with validation's.
    fn allocate_service(
        &mut self,
        object: &mut Object,
    ) -> Result<Result<(), FieldError>, ApiError> {
        let Object::Service(service) = object else {
            return Ok(Ok(()));
        };
        let Some(spec) = service.spec.as_mut() else {
            return Ok(Ok(()));
        };
        let service_type = spec
            .type_
            .clone()
            .unwrap_or_else(|| "ClusterIP".to_string());
        if service_type == "ExternalName" {
            return Ok(Ok(()));
        }
        let requested = spec.cluster_ip.clone().filter(|ip| !ip.is_empty());
        if requested.as_deref() != Some("None") {
            match self.allocator.allocate_ip(requested.as_deref()) {
                Ok(ip) => {
                    spec.cluster_ip = Some(ip.clone());
                    spec.cluster_ips = Some(vec![ip]);
                }
                Err(e) => {
                    return Ok(Err(allocation_field_error(
                        "spec.clusterIPs",
                        0,
                        requested.as_deref(),
                        &e,
                    )))
                }
            }
        } else {
            spec.cluster_ips = Some(vec!["None".to_string()]);
        }
        spec.ip_families
            .get_or_insert_with(|| vec!["IPv4".to_string()]);
        spec.ip_family_policy
            .get_or_insert_with(|| "SingleStack".to_string());
        if service_type == "NodePort" || service_type == "LoadBalancer" {
            for (i, port) in spec.ports.iter_mut().flatten().enumerate() {
                // `nodePort: 0` (or none) asks for any free port, as in Kubernetes.
                let requested = port.node_port.filter(|p| *p != 0);
                match self.allocator.allocate_node_port(requested) {
                    Ok(node_port) => port.node_port = Some(node_port),
                    Err(e) => {
                        let path = FieldPath::new("spec")
                            .child("ports")
                            .index(i)
                            .child("nodePort");
                        let bad = port.node_port.map(Value::from).unwrap_or(Value::Null);
                        return Ok(Err(FieldError::invalid(&path, bad, e.to_string())));
                    }
                }
            }
        }
        Ok(Ok(()))
    }

    fn release_service(&mut self, object: &Object) {
        if let Object::Service(service) = object {
            self.allocator.release(service);
        }
    }

    pub(crate) fn release_allocations_of(&mut self, service: &Service) {
        self.allocator.release(service);
    }

    /// Writes `object` at `key` in one transaction at the next revision, stamping its
    /// `resourceVersion`. `expected` is the stored mod revision the write replaces, or None
    /// for "must not exist". Returns None when that precondition failed (a lost race).
    pub(crate) fn commit_put(
        &mut self,
        key: &str,
        object: Object,
        expected: Option<Revision>,
    ) -> Result<Option<Arc<Object>>, ApiError> {
        Ok(self.commit_put_or_return(key, object, expected)?.ok())
    }

    /// [`Self::commit_put`], giving the object back (with its `resourceVersion` stamped)
    /// when the precondition failed, so a caller that retries or cleans up needs no copy.
    pub(crate) fn commit_put_or_return(
        &mut self,
        key: &str,
        mut object: Object,
        expected: Option<Revision>,
    ) -> Result<Result<Arc<Object>, Arc<Object>>, ApiError> {
        let revision = self.store.current_revision() + 1;
        object.set_resource_version(Some(revision.to_string()));
        let stored = Arc::new(object);
        let compare = match expected {
            Some(mod_revision) => Compare::mod_revision(key, CompareResult::Equal, mod_revision),
            None => Compare::create_revision(key, CompareResult::Equal, 0),
        };
        let response = self
            .store
            .txn(TxnRequest {
                compare: vec![compare],
                success: vec![RequestOp::Put(PutRequest::new(key, Arc::clone(&stored)))],
                failure: Vec::new(),
            })
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        if !response.succeeded {
            return Ok(Err(stored));
        }
        if response.revision != revision {
            return Err(ApiError::Internal(format!(
                "store committed revision {} where {revision} was expected",
                response.revision
            )));
        }
        self.record_commit(revision, key, StoreOp::Put);
        self.lease_if_event(&stored, revision);
        Ok(Ok(stored))
    }

    pub(crate) fn update_inner(
        &mut self,
        namespace: &str,
        mut object: Object,
        part: Part,
    ) -> Result<Arc<Object>, ApiError> {
        let kind = object.kind();
        let namespace = Self::settle_namespace(namespace, &mut object)?;
        let name = object.name().to_string();
        if name.is_empty() {
            return Err(ApiError::BadRequest(
                "name is required for an update; set metadata.name".to_string(),
            ));
        }
        let current = match self.get_current(kind, &namespace, &name) {
            Ok(kv) => kv,
            Err(ApiError::NotFound { .. })
                if part == Part::Main && registry::allows_create_on_update(kind) =>
            {
                object.set_resource_version(None);
                return self.create_inner(&namespace, object);
            }
            Err(e) => return Err(e),
        };
        let old = Arc::clone(&current.value);
        if let Some(rv) = object.resource_version().filter(|rv| !rv.is_empty()) {
            if parse_resource_version(rv)? != current.mod_revision {
                return Err(ApiError::modified(kind, &name));
            }
        }
        if let (Some(new_uid), Some(old_uid)) = (&object.metadata().uid, &old.metadata().uid) {
            if !new_uid.is_empty() && new_uid != old_uid {
                return Err(ApiError::Conflict {
                    kind,
                    subresource: None,
                    name,
                    detail: format!(
                        "Precondition failed: UID in precondition: {new_uid}, UID in object meta: {old_uid}"
                    ),
                });
            }
        }

        if part == Part::Status && kind == Kind::Pod {
            return self.update_pod_status(&namespace, &name, object, &current);
        }

        let mut updated = match part {
            Part::Main => {
                {
                    let old_meta = old.metadata();
                    let meta = object.metadata_mut();
                    meta.uid = old_meta.uid.clone();
                    meta.creation_timestamp = old_meta.creation_timestamp.clone();
                    meta.generation = old_meta.generation;
                    meta.deletion_timestamp = old_meta.deletion_timestamp.clone();
                    meta.deletion_grace_period_seconds = old_meta.deletion_grace_period_seconds;
                    meta.self_link = None;
                }
                if registry::has_status_subresource(kind) {
                    registry::copy_status(&mut object, &old);
                }
                defaulting::apply_defaults(&mut object);
                object
            }
            Part::Status => {
                let mut merged = old.as_ref().clone();
                registry::copy_status(&mut merged, &object);
                merged
            }
        };
        updated.set_resource_version(old.resource_version().map(str::to_string));

        let namespace_state = self.namespace_state(kind, &namespace);
        let priority_classes = self.priority_classes_for(kind, Operation::Update);
        self.admission.admit(
            Operation::Update,
            &mut updated,
            Some(&old),
            namespace_state,
            &priority_classes,
        )?;
        let NodePortChanges {
            allocated,
            released,
            error,
        } = self.update_service_node_ports(&mut updated, &old);
        let mut errors = registry::validate_update(&updated, &old);
        errors.extend(error);
        if !errors.is_empty() {
            self.allocator.release_node_ports(&allocated);
            return Err(ApiError::invalid(kind, &name, errors));
        }
        if registry::tracks_generation(kind)
            && registry::spec_value(&updated) != registry::spec_value(&old)
        {
            let meta = updated.metadata_mut();
            meta.generation = Some(meta.generation.unwrap_or(0) + 1);
        }
        let key = registry::object_key(kind, &namespace, &name);
        if should_delete_during_update(&updated) {
            return match self.commit_delete(&key, current.mod_revision, &updated)? {
                Some(DeleteOutcome::Deleted(o) | DeleteOutcome::Pending(o)) => Ok(o),
                None => Err(ApiError::modified(kind, &name)),
            };
        }
        // A pod keeps the stored spec and status where they did not change (a patch decodes
        // them anew).
        super::shared_specs::share_unchanged(&mut updated, &old);
        if &updated == old.as_ref() {
            // A no-op update writes nothing and keeps the resourceVersion, as in Kubernetes.
            return Ok(old);
        }
        match self.commit_put(&key, updated, Some(current.mod_revision)) {
            Ok(Some(stored)) => {
                self.allocator.release_node_ports(&released);
                Ok(stored)
            }
            Ok(None) => {
                self.allocator.release_node_ports(&allocated);
                Err(ApiError::modified(kind, &name))
            }
            Err(e) => {
                self.allocator.release_node_ports(&allocated);
                Err(e)
            }
        }
    }

    /// `PUT pods/<name>/status`, as the pod status strategy does it: the stored spec and
    /// metadata stay (`PrepareForUpdate` copies them from the old pod, and an empty QoS class
    /// is filled in from it), only the new status is taken from `sent`, and only what
    /// `ValidatePodStatusUpdate` checks is validated, not the whole spec again. The stored pod
    /// is copied once, and not at all when the status did not change.
    fn update_pod_status(
        &mut self,
        namespace: &str,
        name: &str,
        sent: Object,
        current: &KeyValue<Object>,
    ) -> Result<Arc<Object>, ApiError> {
        let kind = Kind::Pod;
        let old = Arc::clone(&current.value);
        let (Object::Pod(mut sent), Object::Pod(old_pod)) = (sent, old.as_ref()) else {
            return Err(ApiError::Internal(format!(
                "pods \"{name}\" is stored as another kind"
            )));
        };
        let mut status = sent.status.take();
        if let Some(status) = status.as_mut() {
            if status.qos_class().unwrap_or("").is_empty() {
                let stored = old_pod.status.as_ref().and_then(|s| s.qos_class());
                if status.qos_class() != stored {
                    // Copies the status only if the sender still holds it.
                    Arc::make_mut(status).set_qos_class(stored);
                }
            }
        }
        let unchanged = status == old_pod.status;
        let namespace_state = self.namespace_state(kind, namespace);
        let mut updated = if unchanged && self.admission.plugins.is_empty() {
            // Nothing to merge and no plugin that could change it: admission has nothing
            // to do on a pod status update (the pod's priority is the stored one).
            None
        } else {
            // The stored metadata and spec (with its node name) with the new status, in the box the request came
            // in (the stored status is not copied only to be replaced).
            let mut pod = sent;
            pod.metadata = Arc::clone(&old_pod.metadata);
            pod.set_resource_version(old_pod.resource_version().map(str::to_string));
            pod.copy_spec_from(old_pod);
            pod.status = status;
            let mut merged = Object::Pod(pod);
            self.admission.admit(
                Operation::Update,
                &mut merged,
                Some(&old),
                namespace_state,
                &[],
            )?;
            Some(merged)
        };
        let errors = match &updated {
            Some(Object::Pod(new_pod)) => {
                crate::api::validation::validate_pod_status_update(new_pod, old_pod)
            }
            Some(other) => registry::validate_update(other, &old),
            None => crate::api::validation::validate_pod_status_update(old_pod, old_pod),
        };
        if !errors.is_empty() {
            return Err(ApiError::invalid(kind, name, errors));
        }
        let key = registry::object_key(kind, namespace, name);
        if should_delete_during_update(updated.as_ref().unwrap_or(&old)) {
            let updated = updated.take().unwrap_or_else(|| old.as_ref().clone());
            return match self.commit_delete(&key, current.mod_revision, &updated)? {
                Some(DeleteOutcome::Deleted(o) | DeleteOutcome::Pending(o)) => Ok(o),
                None => Err(ApiError::modified(kind, name)),
            };
        }
        // Without plugins the merged pod differs from the stored one exactly when the status
        // does, so the whole pod is only compared when a plugin may have changed it.
        let no_plugins = self.admission.plugins.is_empty();
        let Some(updated) = updated.filter(|u| (no_plugins && !unchanged) || u != old.as_ref())
        else {
            // A no-op update writes nothing and keeps the resourceVersion, as in Kubernetes.
            return Ok(old);
        };
        match self.commit_put(&key, updated, Some(current.mod_revision))? {
            Some(stored) => Ok(stored),
            None => Err(ApiError::modified(kind, name)),
        }
    }

    /// A Service update's NodePorts, as the Service REST storage handles them: a type that
    /// no longer needs NodePorts drops the ones the user left unchanged (strategy's
    /// `dropTypeDependentFields`); a type that needs them keeps the ports it had and gets new
    /// ones for ports without (or with changed) NodePorts.
    fn update_service_node_ports(&mut self, updated: &mut Object, old: &Object) -> NodePortChanges {
        let (Object::Service(new), Object::Service(old)) = (updated, old) else {
            return NodePortChanges::default();
        };
        let node_ports_of = |service: &Service| -> Vec<i32> {
            service
                .spec
                .iter()
                .flat_map(|s| s.ports.iter().flatten())
                .filter_map(|p| p.node_port.filter(|n| *n != 0))
                .collect()
        };
        let old_ports = node_ports_of(old);
        // (port, protocol) → NodePort, for `patchAllocatedValues`: a port sent without its
        // NodePort keeps the one it had.
        let old_by_port: Vec<(i32, Option<String>, i32)> = old
            .spec
            .iter()
            .flat_map(|s| s.ports.iter().flatten())
            .filter_map(|p| Some((p.port, p.protocol.clone(), p.node_port.filter(|n| *n != 0)?)))
            .collect();
        let sent_ports = node_ports_of(new);
        let Some(spec) = new.spec.as_mut() else {
            return NodePortChanges {
                released: old_ports,
                ..NodePortChanges::default()
            };
        };
        let needs_node_ports = match spec.type_.as_deref() {
            Some("NodePort") => true,
            Some("LoadBalancer") => spec.allocate_load_balancer_node_ports != Some(false),
            _ => false,
        };
        let mut allocated = Vec::new();
        if needs_node_ports {
            for (i, port) in spec.ports.iter_mut().flatten().enumerate() {
                let requested = port.node_port.filter(|p| *p != 0);
                if requested.is_some_and(|p| old_ports.contains(&p)) {
                    continue;
                }
                if requested.is_none() {
                    let had = old_by_port
                        .iter()
                        .find(|(n, protocol, _)| *n == port.port && *protocol == port.protocol);
                    if let Some((_, _, node_port)) = had {
                        port.node_port = Some(*node_port);
                        continue;
                    }
                }
                match self.allocator.allocate_node_port(requested) {
                    Ok(node_port) => {
                        port.node_port = Some(node_port);
                        allocated.push(node_port);
                    }
                    Err(e) => {
                        let path = FieldPath::new("spec")
                            .child("ports")
                            .index(i)
                            .child("nodePort");
                        let bad = port.node_port.map(Value::from).unwrap_or(Value::Null);
                        return NodePortChanges {
                            allocated,
                            released: Vec::new(),
                            error: Some(FieldError::invalid(&path, bad, e.to_string())),
                        };
                    }
                }
            }
        } else if sent_ports.iter().all(|p| old_ports.contains(p)) {
            for port in spec.ports.iter_mut().flatten() {
                port.node_port = None;
            }
        }
        let kept = node_ports_of(new);
        let released = old_ports
            .into_iter()
            .filter(|p| !kept.contains(p))
            .collect();
        NodePortChanges {
            allocated,
            released,
            error: None,
        }
    }
}

/// What a Service update did to NodePorts.
#[derive(Default)]
struct NodePortChanges {
    /// Ports newly taken (given back if the update fails).
    allocated: Vec<i32>,
    /// Old ports to give back once the update is stored.
    released: Vec<i32>,
    /// A failed allocation, reported with validation's errors.
    error: Option<FieldError>,
}

/// An object marked for deletion whose last finalizer is gone is deleted by the update that
/// removed it (pods only once their grace period is over).
fn should_delete_during_update(object: &Object) -> bool {
    let meta = object.metadata();
    if meta.deletion_timestamp.is_none() || meta.finalizers.as_ref().is_some_and(|f| !f.is_empty())
    {
        return false;
    }
    match object {
        Object::Pod(_) => meta.deletion_grace_period_seconds == Some(0),
        Object::Namespace(ns) => ns
            .spec
            .as_ref()
            .and_then(|s| s.finalizers.as_ref())
            .is_none_or(|f| f.is_empty()),
        _ => true,
    }
}

fn allocation_field_error(
    field: &str,
    index: usize,
    requested: Option<&str>,
    error: &AllocationError,
) -> FieldError {
    let path = FieldPath::new(field).index(index);
    let bad = requested.map(Value::from).unwrap_or(Value::Null);
    FieldError::invalid(&path, bad, error.to_string())
}
