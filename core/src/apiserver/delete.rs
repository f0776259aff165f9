//! Delete, as the API server does it: preconditions, graceful deletion for pods
//! (`deletionTimestamp` now + grace period; the kubelet finishes the job), finalizers that
//! hold an object until controllers are done with it, and the propagation policy that adds
//! the `orphan` or `foregroundDeletion` finalizer for the garbage collector.

use std::sync::Arc;
use std::time::Duration;

use crate::api::objects::{Kind, Object};
use crate::sim::trace::StoreOp;
use crate::store::{
    Compare, CompareResult, DeleteRangeRequest, KeyRange, KvStore, RequestOp, Revision, TxnRequest,
};

use super::admission::Operation;
use super::error::ApiError;
use super::options::{DeleteOptions, PropagationPolicy};
use super::registry;
use super::{ApiServer, DeleteOutcome};

/// The finalizer the garbage collector uses for orphaning dependents.
pub const ORPHAN_FINALIZER: &str = "orphan";
/// The finalizer the garbage collector uses for foreground deletion.
pub const FOREGROUND_FINALIZER: &str = "foregroundDeletion";
/// A pod's grace period when neither the request nor the pod names one.
pub const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS: i64 = 30;

impl<S: KvStore<Object>> ApiServer<S> {
    /// Deletes an object. Pods on a node get a grace period; objects with finalizers stay
    /// until they are removed (see [`DeleteOutcome`]).
    pub fn delete(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        options: &DeleteOptions,
    ) -> Result<DeleteOutcome, ApiError> {
        let result = self.delete_inner(kind, namespace, name, options);
        self.traced("delete", kind.plural().to_string(), namespace, name, result)
    }

    pub(super) fn delete_inner(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        options: &DeleteOptions,
    ) -> Result<DeleteOutcome, ApiError> {
        let namespace = if kind.namespaced() { namespace } else { "" };
        let current = self.get_current(kind, namespace, name)?;
        let old = Arc::clone(&current.value);
        check_preconditions(kind, name, options, &old, current.mod_revision)?;
        let mut object = old.as_ref().clone();
        self.admission.admit(
            Operation::Delete,
            &mut object,
            Some(&old),
            super::admission::NamespaceState::NotApplicable,
            &[],
        )?;

        let key = registry::object_key(kind, namespace, name);
        let grace_seconds = match &object {
            Object::Pod(pod) => {
                let on_node = pod.node_name().is_some_and(|n| !n.is_empty());
                let finished = matches!(pod.phase(), Some("Succeeded" | "Failed"));
                let requested = options.grace_period_seconds.unwrap_or_else(|| {
                    pod.spec
                        .as_ref()
                        .and_then(|s| s.termination_grace_period_seconds)
                        .unwrap_or(DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS)
                });
                if !on_node || finished {
                    0
                } else if requested < 0 {
                    // Kubernetes turns a negative grace period into the shortest real one.
                    1
                } else {
                    requested
                }
            }
            _ => 0,
        };

        let policy = options
            .propagation_policy
            .unwrap_or(PropagationPolicy::Background);
        let finalizers = object
            .metadata_mut()
            .finalizers
            .get_or_insert_with(Vec::new);
        let added = match policy {
            PropagationPolicy::Orphan => Some(ORPHAN_FINALIZER),
            PropagationPolicy::Foreground => Some(FOREGROUND_FINALIZER),
            PropagationPolicy::Background => None,
        };
        if let Some(finalizer) = added {
            if !finalizers.iter().any(|f| f == finalizer) {
                finalizers.push(finalizer.to_string());
            }
        }
        let has_finalizers = !finalizers.is_empty();
        if !has_finalizers {
            object.metadata_mut().finalizers = None;
        }
        let namespace_finalizing = match &mut object {
            Object::Namespace(ns) => {
                let finalizing = ns
                    .spec
                    .as_ref()
                    .and_then(|s| s.finalizers.as_ref())
                    .is_some_and(|f| !f.is_empty());
                if finalizing || has_finalizers {
                    ns.status.get_or_insert_with(Default::default).phase =
                        Some("Terminating".to_string());
                }
                finalizing
            }
            _ => false,
        };

        let already_terminating = old.metadata().deletion_timestamp.is_some();
        let pending = has_finalizers || namespace_finalizing || grace_seconds > 0;
        if !pending {
            return match self.commit_delete(&key, current.mod_revision, &old)? {
                Some(outcome) => Ok(outcome),
                None => Err(ApiError::modified(kind, name)),
            };
        }

        // Graceful: mark the object and keep it. A later delete may only shorten the grace.
        let now = self.now;
        let meta = object.metadata_mut();
        let current_grace = meta.deletion_grace_period_seconds;
        let shorten = current_grace.is_none_or(|g| grace_seconds < g);
        if !already_terminating || shorten {
            meta.deletion_timestamp = Some(
                now.plus(Duration::from_secs(
                    u64::try_from(grace_seconds).unwrap_or(0),
                ))
                .to_k8s_time(),
            );
            meta.deletion_grace_period_seconds = Some(grace_seconds);
        }
        if &object == old.as_ref() {
            return Ok(DeleteOutcome::Pending(old));
        }
        match self.commit_put(&key, object, Some(current.mod_revision))? {
            Some(stored) => Ok(DeleteOutcome::Pending(stored)),
            None => Err(ApiError::modified(kind, name)),
        }
    }

    /// Removes `key` in one transaction if it is still at `expected`. Returns None when it
    /// changed meanwhile.
    pub(crate) fn commit_delete(
        &mut self,
        key: &str,
        expected: Revision,
        last_state: &Object,
    ) -> Result<Option<DeleteOutcome>, ApiError> {
        let response = self
            .store
            .txn(TxnRequest {
                compare: vec![Compare::mod_revision(key, CompareResult::Equal, expected)],
                success: vec![RequestOp::DeleteRange(DeleteRangeRequest::new(
                    KeyRange::key(key),
                ))],
                failure: Vec::new(),
            })
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        if !response.succeeded {
            return Ok(None);
        }
        self.record_commit(response.revision, key, StoreOp::Delete);
        if let Object::Service(service) = last_state {
            self.release_allocations_of(service);
        }
        Ok(Some(DeleteOutcome::Deleted(Arc::new(last_state.clone()))))
    }
}

fn check_preconditions(
    kind: Kind,
    name: &str,
    options: &DeleteOptions,
    object: &Object,
    mod_revision: Revision,
) -> Result<(), ApiError> {
    if let Some(uid) = &options.precondition_uid {
        let actual = object.metadata().uid.clone().unwrap_or_default();
        if *uid != actual {
            return Err(ApiError::Conflict {
                kind,
                subresource: None,
                name: name.to_string(),
                detail: format!(
                    "Precondition failed: UID in precondition: {uid}, UID in object meta: {actual}"
                ),
            });
        }
    }
    if let Some(rv) = &options.precondition_resource_version {
        if *rv != mod_revision.to_string() {
            return Err(ApiError::Conflict {
                kind,
                subresource: None,
                name: name.to_string(),
                detail: format!(
                    "Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {mod_revision}"
                ),
            });
        }
    }
    Ok(())
}
