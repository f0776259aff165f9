//! What kubectl needs of the API server, as a trait object.
//!
//! Commands reach the API server only through [`KubectlApi`] (the `api` of their
//! [`super::Context`]), so the same kubectl runs against an API server over any store: the
//! browser's and `kubeplay play`'s in-memory one, and `kubeplay serve`'s durable one (its live
//! mode runs the page's terminal lines there). Every method is the [`ApiServer`] method of the
//! same name; a command's requests are traced as the API server traces them.

use std::sync::Arc;

use serde_json::Value;

use crate::api::objects::{Kind, Object};
use crate::api::patch::PatchType;
use crate::apiserver::{
    ApiError, ApiServer, ApiWatchEvent, ApiWatchId, DeleteOptions, DeleteOutcome, ListOptions,
    ObjectList, WatchOptions,
};
use crate::sim::clock::Timestamp;
use crate::store::{KvStore, Revision};

/// The API server's verbs kubectl uses (see [`ApiServer`] for what each does).
pub trait KubectlApi {
    /// Moves the API server's clock forward to `now` (never back).
    fn set_time(&mut self, now: Timestamp);
    /// Who the next requests are made as (their trace records name this user).
    fn set_user(&mut self, user: &str);
    /// The store's current revision.
    fn current_revision(&self) -> Revision;
    /// Reads one object.
    fn get(&mut self, kind: Kind, namespace: &str, name: &str) -> Result<Arc<Object>, ApiError>;
    /// Lists objects of a kind, in one namespace or all (`None`).
    fn list(
        &mut self,
        kind: Kind,
        namespace: Option<&str>,
        options: &ListOptions,
    ) -> Result<ObjectList, ApiError>;
    /// Creates an object.
    fn create(&mut self, namespace: &str, object: Object) -> Result<Arc<Object>, ApiError>;
    /// Replaces an object.
    fn update(&mut self, namespace: &str, object: Object) -> Result<Arc<Object>, ApiError>;
    /// Patches an object (or its status when `status`).
    #[allow(clippy::too_many_arguments)]
    fn patch(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        patch_type: PatchType,
        patch: &Value,
        status: bool,
    ) -> Result<Arc<Object>, ApiError>;
    /// Deletes an object.
    fn delete(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        options: &DeleteOptions,
    ) -> Result<DeleteOutcome, ApiError>;
    /// Opens a watch.
    fn watch(
        &mut self,
        kind: Kind,
        namespace: Option<&str>,
        options: &WatchOptions,
    ) -> Result<ApiWatchId, ApiError>;
    /// The events of a watch since the last poll.
    fn poll_watch(&mut self, id: ApiWatchId) -> Result<Vec<ApiWatchEvent>, ApiError>;
    /// Closes a watch.
    fn cancel_watch(&mut self, id: ApiWatchId);
}

impl<S: KvStore<Object>> KubectlApi for ApiServer<S> {
    fn set_time(&mut self, now: Timestamp) {
        ApiServer::set_time(self, now);
    }

    fn set_user(&mut self, user: &str) {
        ApiServer::set_user(self, user);
    }

    fn current_revision(&self) -> Revision {
        ApiServer::current_revision(self)
    }

    fn get(&mut self, kind: Kind, namespace: &str, name: &str) -> Result<Arc<Object>, ApiError> {
        ApiServer::get(self, kind, namespace, name)
    }

    fn list(
        &mut self,
        kind: Kind,
        namespace: Option<&str>,
        options: &ListOptions,
    ) -> Result<ObjectList, ApiError> {
        ApiServer::list(self, kind, namespace, options)
    }

    fn create(&mut self, namespace: &str, object: Object) -> Result<Arc<Object>, ApiError> {
        ApiServer::create(self, namespace, object)
    }

    fn update(&mut self, namespace: &str, object: Object) -> Result<Arc<Object>, ApiError> {
        ApiServer::update(self, namespace, object)
    }

    fn patch(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        patch_type: PatchType,
        patch: &Value,
        status: bool,
    ) -> Result<Arc<Object>, ApiError> {
        ApiServer::patch(self, kind, namespace, name, patch_type, patch, status)
    }

    fn delete(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        options: &DeleteOptions,
    ) -> Result<DeleteOutcome, ApiError> {
        ApiServer::delete(self, kind, namespace, name, options)
    }

    fn watch(
        &mut self,
        kind: Kind,
        namespace: Option<&str>,
        options: &WatchOptions,
    ) -> Result<ApiWatchId, ApiError> {
        ApiServer::watch(self, kind, namespace, options)
    }

    fn poll_watch(&mut self, id: ApiWatchId) -> Result<Vec<ApiWatchEvent>, ApiError> {
        ApiServer::poll_watch(self, id)
    }

    fn cancel_watch(&mut self, id: ApiWatchId) {
        ApiServer::cancel_watch(self, id);
    }
}
