//! The namespace controller (`namespace-controller`): Kubernetes' `pkg/controller/namespace`
//! as a reconciler.
//!
//! Deleting a Namespace does not remove it: the API server sets `deletionTimestamp` and
//! `status.phase: Terminating` and keeps it while `spec.finalizers` holds `kubernetes`.
//! [`NamespaceController::sync`] then empties it: every namespaced object in it, of every
//! kind, is deleted (propagation Background, as `deleteCollection` does). Deletions that
//! take time (pods' grace periods, other finalizers) are waited for — each one's DELETED
//! event wakes the controller again — and when the namespace holds nothing any more the
//! controller removes `kubernetes` from `spec.finalizers`, upon which the API server deletes
//! the namespace.
//!
//! The real controller removes the finalizer through the `namespaces/<name>/finalize`
//! subresource; kubeplay's API server has none, and a plain update of `spec.finalizers`
//! does the same there.

use std::time::Duration;

use k8s_openapi::api::core::v1::Namespace;

use crate::api::objects::{Kind, Object};
use crate::apiserver::{ApiRequest, DeleteOptions, PropagationPolicy};

use super::cache::{InformerCache, ObjectKey};
use super::Reconciled;

#[cfg(test)]
mod world_tests;

/// The finalizer the namespace controller owns (`v1.FinalizerKubernetes`).
pub const FINALIZER_KUBERNETES: &str = "kubernetes";

/// How long to wait before looking again at a namespace whose content is still going
/// (a safety net: each deletion's watch event normally wakes the controller first).
pub const CONTENT_REMAINING_RECHECK: Duration = Duration::from_secs(5);

/// The namespace inside an object, if it is one.
pub fn as_namespace(object: &Object) -> Option<&Namespace> {
    match object {
        Object::Namespace(ns) => Some(ns),
        _ => None,
    }
}

/// Whether a namespace is being deleted.
pub fn is_terminating(namespace: &Namespace) -> bool {
    namespace.metadata.deletion_timestamp.is_some()
}

/// The namespaced kinds whose objects a terminating namespace must lose.
pub fn namespaced_kinds() -> impl Iterator<Item = Kind> {
    Kind::ALL.into_iter().filter(|k| k.namespaced())
}

/// The namespace controller.
#[derive(Clone, Debug, Default)]
pub struct NamespaceController;

impl NamespaceController {
    /// A controller.
    pub fn new() -> NamespaceController {
        NamespaceController
    }

    /// Reconciles one namespace (key: empty namespace, the namespace's name).
    pub fn sync(&mut self, key: &ObjectKey, cache: &InformerCache) -> Reconciled {
        let mut out = Reconciled::default();
        let Some(object) = cache.get(Kind::Namespace, "", &key.name) else {
            return out;
        };
        let Some(namespace) = as_namespace(object) else {
            return out;
        };
        if !is_terminating(namespace) {
            return out;
        }
        let finalizers = namespace
            .spec
            .as_ref()
            .and_then(|s| s.finalizers.clone())
            .unwrap_or_default();
        if !finalizers.iter().any(|f| f == FINALIZER_KUBERNETES) {
            return out;
        }
        let mut remaining = 0usize;
        for kind in namespaced_kinds() {
            for item in cache.list(kind, Some(&key.name)) {
                remaining += 1;
                if item.metadata().deletion_timestamp.is_some() {
                    continue;
                }
                out.requests.push(ApiRequest::Delete {
                    kind,
                    namespace: key.name.clone(),
                    name: item.name().to_string(),
                    options: DeleteOptions {
                        propagation_policy: Some(PropagationPolicy::Background),
                        ..DeleteOptions::default()
                    },
                });
            }
        }
        if remaining > 0 {
            out.requeue_after = Some(CONTENT_REMAINING_RECHECK);
            return out;
        }
        let mut finalized = namespace.clone();
        if let Some(spec) = finalized.spec.as_mut() {
            let kept: Vec<String> = finalizers
                .into_iter()
                .filter(|f| f != FINALIZER_KUBERNETES)
                .collect();
            spec.finalizers = (!kept.is_empty()).then_some(kept);
        }
        out.requests.push(ApiRequest::Update {
            namespace: String::new(),
            object: Object::from(finalized),
        });
        out
    }
}
