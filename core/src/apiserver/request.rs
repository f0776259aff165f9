//! One enum for every write a component can ask of the API server, so that controllers, the
//! scheduler and kubelets can *return* their intents (sans-IO) and a host executes them with
//! [`ApiServer::handle`].

use std::sync::Arc;

use k8s_openapi::api::core::v1::Binding;
use serde_json::Value;

use crate::api::objects::{Kind, Object};
use crate::api::patch::PatchType;
use crate::store::KvStore;

use super::error::ApiError;
use super::options::DeleteOptions;
use super::ApiServer;

/// A write request, as a component's intent.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiRequest {
    /// `POST`: create an object.
    Create {
        /// Namespace (empty for cluster-scoped kinds).
        namespace: String,
        /// The new object.
        object: Object,
    },
    /// `PUT`: replace an object.
    Update {
        /// Namespace.
        namespace: String,
        /// The object, with the resourceVersion it was read at.
        object: Object,
    },
    /// `PUT …/status`: replace an object's status.
    UpdateStatus {
        /// Namespace.
        namespace: String,
        /// The object carrying the new status.
        object: Object,
    },
    /// `PATCH`: patch an object or its status.
    Patch {
        /// The kind patched.
        kind: Kind,
        /// Namespace.
        namespace: String,
        /// Name.
        name: String,
        /// How to read the patch.
        patch_type: PatchType,
        /// The patch document.
        patch: Value,
        /// Whether the status subresource is patched.
        status: bool,
    },
    /// `DELETE`: delete an object.
    Delete {
        /// The kind deleted.
        kind: Kind,
        /// Namespace.
        namespace: String,
        /// Name.
        name: String,
        /// Grace period, propagation, preconditions.
        options: DeleteOptions,
    },
    /// `POST pods/<name>/binding`: put a pod on a node.
    Bind {
        /// Namespace of the pod.
        namespace: String,
        /// The binding (pod name in metadata, node in target), boxed: it is ten times the
        /// size of the other variants.
        binding: Box<Binding>,
    },
}

impl<S: KvStore<Object>> ApiServer<S> {
    /// Executes one write request. For deletes, the object returned is the deleted or the
    /// pending (terminating) object.
    pub fn handle(&mut self, request: ApiRequest) -> Result<Arc<Object>, ApiError> {
        match request {
            ApiRequest::Create { namespace, object } => self.create(&namespace, object),
            ApiRequest::Update { namespace, object } => self.update(&namespace, object),
            ApiRequest::UpdateStatus { namespace, object } => {
                self.update_status(&namespace, object)
            }
            ApiRequest::Patch {
                kind,
                namespace,
                name,
                patch_type,
                patch,
                status,
            } => self.patch(kind, &namespace, &name, patch_type, &patch, status),
            ApiRequest::Delete {
                kind,
                namespace,
                name,
                options,
            } => self
                .delete(kind, &namespace, &name, &options)
                .map(|outcome| std::sync::Arc::clone(outcome.object())),
            ApiRequest::Bind { namespace, binding } => self.bind(&namespace, &binding),
        }
    }
}
