//! `kubectl rollout history` and `kubectl rollout undo [--to-revision=N]` for Deployments.
//!
//! apps/v1 has no rollback field: kubectl finds the ReplicaSet of the wanted revision and
//! sends a JSON patch that copies its template (minus the pod-template-hash label) and its
//! annotations into the Deployment. The Deployment controller then finds that ReplicaSet as
//! the new one and gives it the next revision (keeping the old number in
//! `deployment.kubernetes.io/revision-history`).

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use serde_json::json;

use crate::api::objects::Kind;
use crate::api::patch::PatchType;
use crate::apiserver::ApiRequest;

use super::util::*;
use super::DeploymentError;

/// What `kubectl rollout undo` does.
#[derive(Clone, Debug, PartialEq)]
pub enum Rollback {
    /// Send this patch; kubectl then prints `deployment.apps/<name> rolled back`.
    Patch(Box<ApiRequest>),
    /// Nothing to do: `skipped rollback (current template already matches revision N)`.
    Skipped(String),
}

/// The revisions of a Deployment's ReplicaSets, oldest first (`kubectl rollout history`).
pub fn history(replica_sets: &[ReplicaSet]) -> BTreeMap<i64, ReplicaSet> {
    replica_sets
        .iter()
        .map(|rs| (revision(rs), rs.clone()))
        .filter(|(revision, _)| *revision > 0)
        .collect()
}

/// The rollback request for `--to-revision=to_revision` (0: the previous revision).
pub fn rollback(
    d: &Deployment,
    replica_sets: &[ReplicaSet],
    to_revision: i64,
) -> Result<Rollback, DeploymentError> {
    let name = d.metadata.name.clone().unwrap_or_default();
    if d.spec.as_ref().and_then(|s| s.paused).unwrap_or(false) {
        return Err(DeploymentError::RollbackPaused);
    }
    let revisions = history(replica_sets);
    let target = if to_revision == 0 {
        // The second highest revision.
        let mut numbers: Vec<i64> = revisions.keys().copied().collect();
        numbers.pop();
        let previous = numbers
            .pop()
            .ok_or_else(|| DeploymentError::NoRolloutHistory(name.clone()))?;
        revisions.get(&previous).cloned()
    } else {
        revisions.get(&to_revision).cloned()
    }
    .ok_or(DeploymentError::RevisionNotFound(to_revision))?;
    let template = without_hash(&rs_template(&target));
    let current = d
        .spec
        .as_ref()
        .map(|s| s.template.clone())
        .unwrap_or_default();
    if equal_ignore_hash(&template, &current) {
        return Ok(Rollback::Skipped(format!(
            "skipped rollback (current template already matches revision {})",
            revision(&target)
        )));
    }
    let mut annotations: BTreeMap<String, String> = BTreeMap::new();
    for key in ANNOTATIONS_TO_SKIP {
        if let Some(v) = d.metadata.annotations.as_ref().and_then(|a| a.get(key)) {
            annotations.insert(key.to_string(), v.clone());
        }
    }
    for (k, v) in target.metadata.annotations.iter().flatten() {
        if !ANNOTATIONS_TO_SKIP.contains(&k.as_str()) {
            annotations.insert(k.clone(), v.clone());
        }
    }
    Ok(Rollback::Patch(Box::new(ApiRequest::Patch {
        kind: Kind::Deployment,
        namespace: d.metadata.namespace.clone().unwrap_or_default(),
        name,
        patch_type: PatchType::JsonPatch,
        patch: json!([
            {"op": "replace", "path": "/spec/template", "value": template},
            {"op": "replace", "path": "/metadata/annotations", "value": annotations},
        ]),
        status: false,
    })))
}
