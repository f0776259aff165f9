//! Deployment arithmetic and bookkeeping, after Kubernetes' `deployment/util/deployment_util.go`:
//! the rolling-update fenceposts (`maxSurge` rounds up, `maxUnavailable` rounds down, both 0
//! means 1 unavailable), the `pod-template-hash` (`ComputeHash`), revision and replica
//! annotations, and conditions.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::sim::clock::Timestamp;

use super::DeploymentError;

/// The label (and selector key) that tells a Deployment's ReplicaSets apart.
pub const DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY: &str = "pod-template-hash";
/// The revision of a ReplicaSet and of its Deployment.
pub const REVISION_ANNOTATION: &str = "deployment.kubernetes.io/revision";
/// Earlier revisions a ReplicaSet had (set when a rollback reuses it).
pub const REVISION_HISTORY_ANNOTATION: &str = "deployment.kubernetes.io/revision-history";
/// The Deployment's `spec.replicas` when the ReplicaSet was last scaled.
pub const DESIRED_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/desired-replicas";
/// `replicas + maxSurge` when the ReplicaSet was last scaled.
pub const MAX_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/max-replicas";
/// The longest revision-history annotation, in characters.
pub const MAX_REV_HISTORY_LENGTH_IN_CHARS: usize = 2000;

/// Condition reason: a new ReplicaSet was created.
pub const NEW_REPLICA_SET_REASON: &str = "NewReplicaSetCreated";
/// Condition reason: the new ReplicaSet already existed.
pub const FOUND_NEW_RS_REASON: &str = "FoundNewReplicaSet";
/// Condition reason: the rollout is progressing.
pub const RS_UPDATED_REASON: &str = "ReplicaSetUpdated";
/// Condition reason: the rollout completed.
pub const NEW_RS_AVAILABLE_REASON: &str = "NewReplicaSetAvailable";
/// Condition reason: no progress within `progressDeadlineSeconds`.
pub const TIMED_OUT_REASON: &str = "ProgressDeadlineExceeded";
/// Condition reason: the Deployment is paused.
pub const PAUSED_DEPLOY_REASON: &str = "DeploymentPaused";
/// Condition reason: the Deployment was resumed.
pub const RESUMED_DEPLOY_REASON: &str = "DeploymentResumed";
/// Condition reason: enough pods are available.
pub const MINIMUM_REPLICAS_AVAILABLE: &str = "MinimumReplicasAvailable";
/// Condition reason: too few pods are available.
pub const MINIMUM_REPLICAS_UNAVAILABLE: &str = "MinimumReplicasUnavailable";
/// Condition reason: creating the new ReplicaSet failed.
pub const FAILED_RS_CREATE_REASON: &str = "ReplicaSetCreateError";

/// Annotations a Deployment does not copy to its ReplicaSets (and `kubectl rollout undo`
/// does not copy back).
pub const ANNOTATIONS_TO_SKIP: [&str; 6] = [
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION_ANNOTATION,
    REVISION_HISTORY_ANNOTATION,
    DESIRED_REPLICAS_ANNOTATION,
    MAX_REPLICAS_ANNOTATION,
    "deprecated.deployment.rollback.to",
];

/// `intstr.GetScaledValueFromIntOrPercent`: an int as is, or `N%` of `total`, rounded up or
/// down.
pub fn scaled_value(
    value: &IntOrString,
    total: i32,
    round_up: bool,
) -> Result<i32, DeploymentError> {
    match value {
        IntOrString::Int(v) => Ok(*v),
        IntOrString::String(s) => {
            let percent: i64 = s
                .strip_suffix('%')
                .ok_or_else(|| {
                    DeploymentError::InvalidIntOrString(
                        "invalid type: string is not a percentage".to_string(),
                    )
                })?
                .parse()
                .map_err(|_| DeploymentError::InvalidIntOrString(format!("invalid value {s:?}")))?;
            let product = percent * i64::from(total);
            let value = if round_up {
                (product + 99).div_euclid(100)
            } else {
                product.div_euclid(100)
            };
            Ok(i32::try_from(value).unwrap_or(i32::MAX))
        }
    }
}

/// `ResolveFenceposts`: (maxSurge, maxUnavailable) for `desired` replicas. Surge rounds up,
/// unavailable rounds down; when both come out 0, one pod may be unavailable.
pub fn resolve_fenceposts(
    max_surge: Option<&IntOrString>,
    max_unavailable: Option<&IntOrString>,
    desired: i32,
) -> Result<(i32, i32), DeploymentError> {
    let zero = IntOrString::Int(0);
    let surge = scaled_value(max_surge.unwrap_or(&zero), desired, true)?;
    let mut unavailable = scaled_value(max_unavailable.unwrap_or(&zero), desired, false)?;
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    Ok((surge, unavailable))
}

/// `spec.replicas` (default 1).
pub fn replicas(d: &Deployment) -> i32 {
    d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
}

/// Whether the strategy is RollingUpdate (the default).
pub fn is_rolling_update(d: &Deployment) -> bool {
    d.spec
        .as_ref()
        .and_then(|s| s.strategy.as_ref())
        .and_then(|s| s.type_.as_deref())
        .is_none_or(|t| t == "RollingUpdate")
}

fn fenceposts(d: &Deployment) -> (i32, i32) {
    let rolling = d
        .spec
        .as_ref()
        .and_then(|s| s.strategy.as_ref())
        .and_then(|s| s.rolling_update.as_ref());
    let default = IntOrString::String("25%".to_string());
    let surge = rolling.map_or(Some(&default), |r| r.max_surge.as_ref());
    let unavailable = rolling.map_or(Some(&default), |r| r.max_unavailable.as_ref());
    // Validation rejects malformed values; a bad one here behaves like 0.
    resolve_fenceposts(surge, unavailable, replicas(d)).unwrap_or((0, 1))
}

/// `MaxSurge`: 0 unless RollingUpdate.
pub fn max_surge(d: &Deployment) -> i32 {
    if !is_rolling_update(d) {
        return 0;
    }
    fenceposts(d).0
}

/// `MaxUnavailable`: 0 unless RollingUpdate with replicas; never more than replicas.
pub fn max_unavailable(d: &Deployment) -> i32 {
    if !is_rolling_update(d) || replicas(d) == 0 {
        return 0;
    }
    fenceposts(d).1.min(replicas(d))
}

/// 32-bit FNV-1a.
fn fnv32a(bytes: &[u8], mut hash: u32) -> u32 {
    for b in bytes {
        hash ^= u32::from(*b);
        hash = hash.wrapping_mul(16_777_619);
    }
    hash
}

/// `rand.SafeEncodeString`: each byte mapped onto an alphabet without vowels (so no words)
/// and without look-alike characters.
pub fn safe_encode_string(s: &str) -> String {
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    s.bytes()
        .map(|b| char::from(ALPHANUMS[usize::from(b) % ALPHANUMS.len()]))
        .collect()
}

/// `controller.ComputeHash`: FNV-32a over the template and the collision count, printed in
/// decimal and safe-encoded.
///
/// Kubernetes hashes Go's `spew` printing of the template struct, which cannot be reproduced
/// outside Go; kubeplay hashes the template's JSON instead, so the algorithm and the shape of
/// the result (up to 10 characters of `bcdfghjklmnpqrstvwxz2456789`) match Kubernetes but
/// not the exact value for the same template.
pub fn compute_hash(template: &PodTemplateSpec, collision_count: Option<i32>) -> String {
    let printed = serde_json::to_string(template).unwrap_or_default();
    let mut hash = fnv32a(printed.as_bytes(), 2_166_136_261);
    if let Some(count) = collision_count {
        let mut bytes = [0u8; 8];
        bytes[..4].copy_from_slice(&(count as u32).to_le_bytes());
        hash = fnv32a(&bytes, hash);
    }
    safe_encode_string(&hash.to_string())
}

/// A template without the pod-template-hash label (for `EqualIgnoreHash`).
pub fn without_hash(template: &PodTemplateSpec) -> PodTemplateSpec {
    let mut template = template.clone();
    if let Some(labels) = template.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        labels.remove(DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY);
        if labels.is_empty() {
            if let Some(m) = template.metadata.as_mut() {
                m.labels = None;
            }
        }
    }
    template
}

/// `EqualIgnoreHash`: two templates are the same apart from the pod-template-hash label.
pub fn equal_ignore_hash(a: &PodTemplateSpec, b: &PodTemplateSpec) -> bool {
    let (a, b) = (without_hash(a), without_hash(b));
    serde_json::to_value(&a).ok() == serde_json::to_value(&b).ok()
}

/// A ReplicaSet's template.
pub fn rs_template(rs: &ReplicaSet) -> PodTemplateSpec {
    rs.spec
        .as_ref()
        .and_then(|s| s.template.clone())
        .unwrap_or_default()
}

/// A ReplicaSet's `spec.replicas` (default 1, as defaulting sets it).
pub fn rs_replicas(rs: &ReplicaSet) -> i32 {
    rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
}

/// Sets a ReplicaSet's `spec.replicas`.
pub fn set_rs_replicas(rs: &mut ReplicaSet, replicas: i32) {
    rs.spec.get_or_insert_with(Default::default).replicas = Some(replicas);
}

/// A ReplicaSet's `status.availableReplicas`.
pub fn rs_available(rs: &ReplicaSet) -> i32 {
    rs.status
        .as_ref()
        .and_then(|s| s.available_replicas)
        .unwrap_or(0)
}

/// A ReplicaSet's `status.replicas`.
pub fn rs_actual(rs: &ReplicaSet) -> i32 {
    rs.status.as_ref().map_or(0, |s| s.replicas)
}

/// A ReplicaSet's `status.readyReplicas`.
pub fn rs_ready(rs: &ReplicaSet) -> i32 {
    rs.status
        .as_ref()
        .and_then(|s| s.ready_replicas)
        .unwrap_or(0)
}

/// A ReplicaSet's revision (0 when missing or malformed).
pub fn revision(rs: &ReplicaSet) -> i64 {
    annotation(rs.metadata.annotations.as_ref(), REVISION_ANNOTATION)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn annotation<'a>(annotations: Option<&'a BTreeMap<String, String>>, key: &str) -> Option<&'a str> {
    annotations?.get(key).map(String::as_str)
}

/// `MaxRevision` of a set of ReplicaSets.
pub fn max_revision(rss: &[ReplicaSet]) -> i64 {
    rss.iter().map(revision).max().unwrap_or(0)
}

/// `ReplicasAnnotationsNeedUpdate`.
pub fn replicas_annotations_need_update(rs: &ReplicaSet, desired: i32, max: i32) -> bool {
    let annotations = rs.metadata.annotations.as_ref();
    annotation(annotations, DESIRED_REPLICAS_ANNOTATION) != Some(desired.to_string().as_str())
        || annotation(annotations, MAX_REPLICAS_ANNOTATION) != Some(max.to_string().as_str())
}

/// `SetReplicasAnnotations`: whether anything changed.
pub fn set_replicas_annotations(rs: &mut ReplicaSet, desired: i32, max: i32) -> bool {
    let annotations = rs.metadata.annotations.get_or_insert_with(BTreeMap::new);
    let mut changed = false;
    for (key, value) in [
        (DESIRED_REPLICAS_ANNOTATION, desired.to_string()),
        (MAX_REPLICAS_ANNOTATION, max.to_string()),
    ] {
        if annotations.get(key) != Some(&value) {
            annotations.insert(key.to_string(), value);
            changed = true;
        }
    }
    changed
}

/// The `desired-replicas` annotation, if set and numeric.
pub fn desired_replicas_annotation(rs: &ReplicaSet) -> Option<i32> {
    annotation(
        rs.metadata.annotations.as_ref(),
        DESIRED_REPLICAS_ANNOTATION,
    )?
    .parse()
    .ok()
}

/// The `max-replicas` annotation, if set and numeric.
pub fn max_replicas_annotation(rs: &ReplicaSet) -> Option<i32> {
    annotation(rs.metadata.annotations.as_ref(), MAX_REPLICAS_ANNOTATION)?
        .parse()
        .ok()
}

/// `SetNewReplicaSetAnnotations`: copies the Deployment's annotations, raises the revision
/// (keeping the old one in revision-history on a rollback) and, for a ReplicaSet about to be
/// created, sets the replica annotations. Whether anything changed.
pub fn set_new_replica_set_annotations(
    d: &Deployment,
    rs: &mut ReplicaSet,
    new_revision: i64,
    exists: bool,
) -> bool {
    let mut changed = false;
    let annotations = rs.metadata.annotations.get_or_insert_with(BTreeMap::new);
    for (k, v) in d.metadata.annotations.iter().flatten() {
        if ANNOTATIONS_TO_SKIP.contains(&k.as_str()) || annotations.get(k) == Some(v) {
            continue;
        }
        annotations.insert(k.clone(), v.clone());
        changed = true;
    }
    let old_revision = annotations.get(REVISION_ANNOTATION).cloned();
    let old_revision_number = match old_revision.as_deref() {
        None | Some("") => 0,
        Some(text) => match text.parse::<i64>() {
            Ok(n) => n,
            Err(_) => return false,
        },
    };
    if old_revision_number < new_revision {
        annotations.insert(REVISION_ANNOTATION.to_string(), new_revision.to_string());
        changed = true;
        if let Some(old) = old_revision {
            let history = annotations
                .get(REVISION_HISTORY_ANNOTATION)
                .cloned()
                .unwrap_or_default();
            if history.is_empty() {
                annotations.insert(REVISION_HISTORY_ANNOTATION.to_string(), old);
            } else {
                let mut revisions: Vec<&str> = history.split(',').collect();
                let mut total = history.len() + old.len() + 1;
                let mut start = 0;
                while total > MAX_REV_HISTORY_LENGTH_IN_CHARS && start < revisions.len() {
                    total -= revisions.get(start).map_or(0, |r| r.len()) + 1;
                    start += 1;
                }
                if total <= MAX_REV_HISTORY_LENGTH_IN_CHARS {
                    revisions.drain(..start);
                    revisions.push(&old);
                    let joined = revisions.join(",");
                    annotations.insert(REVISION_HISTORY_ANNOTATION.to_string(), joined);
                }
            }
        }
    }
    if !exists && set_replicas_annotations(rs, replicas(d), replicas(d) + max_surge(d)) {
        changed = true;
    }
    changed
}

/// A condition of a Deployment's status.
pub fn get_condition<'a>(
    status: &'a DeploymentStatus,
    type_: &str,
) -> Option<&'a DeploymentCondition> {
    status
        .conditions
        .as_deref()?
        .iter()
        .find(|c| c.type_ == type_)
}

/// `NewDeploymentCondition`: both times now.
pub fn new_condition(
    type_: &str,
    status: &str,
    reason: &str,
    message: String,
    now: Timestamp,
) -> DeploymentCondition {
    DeploymentCondition {
        type_: type_.to_string(),
        status: status.to_string(),
        reason: Some(reason.to_string()),
        message: Some(message),
        last_update_time: Some(now.to_k8s_time()),
        last_transition_time: Some(now.to_k8s_time()),
    }
}

/// `SetDeploymentCondition`: nothing when status and reason are unchanged; keeps the
/// transition time when only the reason changes.
pub fn set_condition(status: &mut DeploymentStatus, mut condition: DeploymentCondition) {
    if let Some(current) = get_condition(status, &condition.type_) {
        if current.status == condition.status && current.reason == condition.reason {
            return;
        }
        if current.status == condition.status {
            condition.last_transition_time = current.last_transition_time.clone();
        }
    }
    remove_condition(status, &condition.type_.clone());
    status
        .conditions
        .get_or_insert_with(Vec::new)
        .push(condition);
}

/// `RemoveDeploymentCondition`.
pub fn remove_condition(status: &mut DeploymentStatus, type_: &str) {
    if let Some(conditions) = status.conditions.as_mut() {
        conditions.retain(|c| c.type_ != type_);
        if conditions.is_empty() {
            status.conditions = None;
        }
    }
}

/// `HasProgressDeadline`: set and not MaxInt32.
pub fn progress_deadline_seconds(d: &Deployment) -> Option<i32> {
    d.spec
        .as_ref()
        .and_then(|s| s.progress_deadline_seconds)
        .filter(|s| *s != i32::MAX)
}

/// `DeploymentComplete`.
pub fn deployment_complete(d: &Deployment, status: &DeploymentStatus) -> bool {
    let want = replicas(d);
    status.updated_replicas.unwrap_or(0) == want
        && status.replicas.unwrap_or(0) == want
        && status.available_replicas.unwrap_or(0) == want
        && status.observed_generation.unwrap_or(0) >= d.metadata.generation.unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolling_update_fenceposts_round_surge_up_and_unavailable_down() {
        let int = IntOrString::Int;
        let pct = |s: &str| IntOrString::String(s.to_string());
        // (replicas, maxSurge, maxUnavailable, expected surge, expected unavailable)
        let cases = [
            (1, pct("25%"), pct("25%"), 1, 0),
            (3, pct("25%"), pct("25%"), 1, 0),
            (10, pct("25%"), pct("25%"), 3, 2),
            (1, pct("30%"), pct("30%"), 1, 0),
            (3, pct("30%"), pct("30%"), 1, 0),
            (10, pct("30%"), pct("30%"), 3, 3),
            (1, int(1), int(0), 1, 0),
            (3, int(1), int(0), 1, 0),
            (10, int(1), int(1), 1, 1),
            (1, int(0), int(0), 0, 1),
            (3, int(0), int(0), 0, 1),
            (10, pct("0%"), pct("0%"), 0, 1),
            (10, int(0), pct("25%"), 0, 2),
        ];
        for (replicas, surge, unavailable, want_surge, want_unavailable) in cases {
            assert_eq!(
                resolve_fenceposts(Some(&surge), Some(&unavailable), replicas).unwrap(),
                (want_surge, want_unavailable),
                "replicas {replicas}, maxSurge {surge:?}, maxUnavailable {unavailable:?}"
            );
        }
    }

    #[test]
    fn a_string_without_a_percent_sign_is_rejected() {
        assert!(scaled_value(&IntOrString::String("5".to_string()), 10, true).is_err());
    }

    #[test]
    fn the_template_hash_uses_kubernetes_safe_alphabet_and_changes_with_collisions() {
        let template = PodTemplateSpec::default();
        let hash = compute_hash(&template, None);
        assert!(!hash.is_empty() && hash.len() <= 10);
        assert!(hash
            .chars()
            .all(|c| "bcdfghjklmnpqrstvwxz2456789".contains(c)));
        assert_eq!(hash, compute_hash(&template, None));
        assert_ne!(hash, compute_hash(&template, Some(1)));
        assert_eq!(safe_encode_string("0123456789"), "456789bcdf");
    }
}
