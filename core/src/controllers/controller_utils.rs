//! Helpers every workload controller shares, after Kubernetes' `controller_utils.go` and
//! `podutil`: which pods count (active, ready, available), which pod goes first when scaling
//! down (`ActivePodsWithRanks`), how a pod is stamped from a template, and how a controller
//! claims objects through owner references (`ControllerRefManager`: adopt matching orphans,
//! release owned objects that stopped matching).
//!
//! Claims only *return* the patches to send; the caller treats adopted objects as owned at
//! once, as Kubernetes does after a successful adoption patch.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Pod, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use serde_json::json;

use crate::api::labels::Selector;
use crate::api::objects::{Kind, Object, StoredPod};
use crate::api::patch::PatchType;
use crate::apiserver::ApiRequest;
use crate::sim::clock::Timestamp;

use super::cache::controller_ref;

/// The annotation that lowers (or raises) a pod's cost of deletion on scale-down.
pub const POD_DELETION_COST_ANNOTATION: &str = "controller.kubernetes.io/pod-deletion-cost";

/// Who owns: the controller object's identity as an owner reference needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owner {
    /// The controller object's kind.
    pub kind: Kind,
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// UID.
    pub uid: String,
    /// Whether the owner is being deleted (it then adopts nothing and releases nothing).
    pub deleting: bool,
}

impl Owner {
    /// The owner identity of a stored object.
    pub fn of(object: &Object) -> Owner {
        Owner {
            kind: object.kind(),
            namespace: object.namespace().to_string(),
            name: object.name().to_string(),
            uid: object.metadata().uid.clone().unwrap_or_default(),
            deleting: object.metadata().deletion_timestamp.is_some(),
        }
    }

    /// `metav1.NewControllerRef`: controller and blockOwnerDeletion set.
    pub fn controller_ref(&self) -> OwnerReference {
        OwnerReference {
            api_version: self.kind.api_version().to_string(),
            kind: self.kind.kind_name().to_string(),
            name: self.name.clone(),
            uid: self.uid.clone(),
            controller: Some(true),
            block_owner_deletion: Some(true),
        }
    }
}

/// The pod inside an object, if it is one.
pub fn as_pod(object: &Object) -> Option<&StoredPod> {
    match object {
        Object::Pod(pod) => Some(pod),
        _ => None,
    }
}

fn phase(pod: &StoredPod) -> &str {
    pod.phase().unwrap_or("")
}

/// `controller.IsPodActive`: not Succeeded, not Failed, not being deleted.
pub fn is_pod_active(pod: &StoredPod) -> bool {
    let phase = phase(pod);
    phase != "Succeeded" && phase != "Failed" && pod.metadata.deletion_timestamp.is_none()
}

/// When the pod's Ready condition last turned True, if it is True.
pub fn pod_ready_since(pod: &StoredPod) -> Option<Option<Timestamp>> {
    let condition = pod.status.as_ref()?.condition("Ready")?;
    (condition.status() == "True").then(|| {
        condition
            .last_transition_time()
            .as_ref()
            .map(Timestamp::from_k8s_time)
    })
}

/// `podutil.IsPodReady`: the Ready condition is True.
pub fn is_pod_ready(pod: &StoredPod) -> bool {
    pod_ready_since(pod).is_some()
}

/// `podutil.IsPodAvailable`: ready for at least `min_ready_seconds` (strictly longer, as
/// Kubernetes compares with `Before`).
pub fn is_pod_available(pod: &StoredPod, min_ready_seconds: i32, now: Timestamp) -> bool {
    match pod_ready_since(pod) {
        None => false,
        Some(_) if min_ready_seconds <= 0 => true,
        Some(None) => false,
        Some(Some(since)) => {
            let seconds = u64::try_from(min_ready_seconds).unwrap_or(0);
            since.plus(std::time::Duration::from_secs(seconds)) < now
        }
    }
}

fn pod_deletion_cost(pod: &StoredPod) -> i32 {
    pod.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(POD_DELETION_COST_ANNOTATION))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn max_container_restarts(pod: &StoredPod) -> i32 {
    pod.status
        .iter()
        .flat_map(|s| s.container_statuses())
        .map(|c| c.restart_count())
        .max()
        .unwrap_or(0)
}

fn node_name(pod: &StoredPod) -> &str {
    pod.node_name().unwrap_or("")
}

fn phase_ordinal(pod: &StoredPod) -> u8 {
    match phase(pod) {
        "Unknown" => 1,
        "Running" => 2,
        // Pending and everything else rank lowest, as Go's map lookup of a missing key.
        _ => 0,
    }
}

/// `floor(log2(nanoseconds since t))`, or -1 when `t` is not in the past: the bucket that
/// `LogarithmicScaleDown` compares (integer arithmetic, so native and wasm32 agree).
fn log2_age_bucket(t: Timestamp, now: Timestamp) -> i64 {
    let nanos = u128::from(now.0.saturating_sub(t.0)) * 1_000_000;
    if nanos == 0 {
        -1
    } else {
        127 - i64::from(nanos.leading_zeros())
    }
}

fn uid(pod: &StoredPod) -> &str {
    pod.metadata.uid.as_deref().unwrap_or("")
}

/// `ActivePodsWithRanks.Less`: whether `a` should be deleted before `b` on scale-down.
/// `rank` is the number of related active pods on the same node (more doubled-up goes first).
pub fn compare_for_deletion(
    a: &StoredPod,
    a_rank: usize,
    b: &StoredPod,
    b_rank: usize,
    now: Timestamp,
) -> Ordering {
    // 1. Unassigned < assigned.
    let (node_a, node_b) = (node_name(a), node_name(b));
    if node_a != node_b && (node_a.is_empty() || node_b.is_empty()) {
        return if node_a.is_empty() {
            Ordering::Less
        } else {
            Ordering::Greater
        };
    }
    // 2. Pending < Unknown < Running.
    let by_phase = phase_ordinal(a).cmp(&phase_ordinal(b));
    if by_phase != Ordering::Equal {
        return by_phase;
    }
    // 3. Not ready < ready.
    let by_ready = is_pod_ready(a).cmp(&is_pod_ready(b));
    if by_ready != Ordering::Equal {
        return by_ready;
    }
    // 4. Lower pod-deletion-cost < higher.
    let by_cost = pod_deletion_cost(a).cmp(&pod_deletion_cost(b));
    if by_cost != Ordering::Equal {
        return by_cost;
    }
    // 5. Doubled up (more related pods on the node) < not.
    if a_rank != b_rank {
        return b_rank.cmp(&a_rank);
    }
    // 6. Been ready for less time < more time, on the logarithmic scale (a pod without a
    //    ready time first). 7. Higher restart count < lower. 8. Empty creation time < newer <
    //    older, on the same scale. Then by UID.
    //
    // Kubernetes breaks a tie inside one bucket by UID at step 6 already, but goes on to
    // step 7 when the two times are equal, and skips step 6 when either time is missing:
    // that order is not transitive (three pods can each rank before the next), which Go's
    // sort tolerates and Rust's `sort_by` may answer with a panic (a 1,000-replica rollout
    // restart did). Here every step compares a value of each pod alone, and the UID comes
    // last, so the order is total; it differs from Kubernetes' only among pods whose ready
    // times fall in the same bucket.
    let ready_bucket = |p: &StoredPod| {
        pod_ready_since(p)
            .flatten()
            .map(|t| log2_age_bucket(t, now))
    };
    let created_bucket = |p: &StoredPod| {
        p.metadata
            .creation_timestamp
            .as_ref()
            .map(|t| log2_age_bucket(Timestamp::from_k8s_time(t), now))
    };
    ready_bucket(a)
        .cmp(&ready_bucket(b))
        .then_with(|| max_container_restarts(b).cmp(&max_container_restarts(a)))
        .then_with(|| created_bucket(a).cmp(&created_bucket(b)))
        .then_with(|| uid(a).cmp(uid(b)))
}

/// `getPodsToDelete`: the `count` pods to delete first, ranked as Kubernetes ranks them.
/// `related` are the active pods of every ReplicaSet with the same owner (for doubled-up
/// ranking across a Deployment's ReplicaSets).
pub fn pods_to_delete(
    pods: &[Arc<Object>],
    related: &[Arc<Object>],
    count: usize,
    now: Timestamp,
) -> Vec<Arc<Object>> {
    if count >= pods.len() {
        return pods.to_vec();
    }
    let mut on_node: BTreeMap<&str, usize> = BTreeMap::new();
    for pod in related.iter().filter_map(|o| as_pod(o)) {
        if is_pod_active(pod) {
            *on_node.entry(node_name(pod)).or_default() += 1;
        }
    }
    let mut ranked: Vec<(&Arc<Object>, &StoredPod, usize)> = pods
        .iter()
        .filter_map(|o| {
            let pod = as_pod(o)?;
            Some((o, pod, on_node.get(node_name(pod)).copied().unwrap_or(0)))
        })
        .collect();
    ranked.sort_by(|(_, a, ra), (_, b, rb)| compare_for_deletion(a, *ra, b, *rb, now));
    ranked
        .into_iter()
        .take(count)
        .map(|(o, _, _)| Arc::clone(o))
        .collect()
}

/// `GetPodFromTemplate`: a new pod from a controller's template, named `<owner>-` plus a
/// generated suffix, with the controller reference set.
pub fn pod_from_template(template: &PodTemplateSpec, owner: &Owner) -> Pod {
    let meta = template.metadata.clone().unwrap_or_default();
    Pod {
        metadata: ObjectMeta {
            generate_name: Some(format!("{}-", owner.name)),
            namespace: Some(owner.namespace.clone()),
            labels: meta.labels,
            annotations: meta.annotations,
            finalizers: meta.finalizers,
            owner_references: Some(vec![owner.controller_ref()]),
            ..ObjectMeta::default()
        },
        spec: template.spec.clone(),
        status: None,
    }
}

/// What a claim decided: the objects the owner now controls, and the patches that adopt or
/// release objects.
#[derive(Clone, Debug, Default)]
pub struct Claim {
    /// Owned objects after adoption and release.
    pub owned: Vec<Arc<Object>>,
    /// Adoption and release patches, in object order.
    pub patches: Vec<ApiRequest>,
}

/// What `ControllerRefManager.ClaimObject` does with one object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimDecision {
    /// The owner controls it and keeps it (its labels still match, or the owner is being
    /// deleted).
    Keep,
    /// A matching orphan, not being deleted: adopt it.
    Adopt,
    /// The owner controls it but its labels stopped matching: release it.
    Release,
    /// Controlled by someone else, or an orphan the owner does not adopt: left alone.
    LeaveAlone,
}

/// `ControllerRefManager.ClaimObject` for one object: objects controlled by someone else
/// are left alone without matching their labels.
pub fn claim_decision(owner: &Owner, selector: &Selector, object: &Object) -> ClaimDecision {
    match controller_ref(object) {
        Some(reference) if reference.uid != owner.uid => ClaimDecision::LeaveAlone,
        Some(_) => {
            if owner.deleting || selector.matches(object.labels()) {
                ClaimDecision::Keep
            } else {
                ClaimDecision::Release
            }
        }
        None => {
            if owner.deleting
                || object.metadata().deletion_timestamp.is_some()
                || !selector.matches(object.labels())
            {
                ClaimDecision::LeaveAlone
            } else {
                ClaimDecision::Adopt
            }
        }
    }
}

/// The object as it is once adopted: the owner's controller reference added, as
/// Kubernetes treats an object after a successful adoption patch.
pub fn adopted(owner: &Owner, object: &Object) -> Arc<Object> {
    let mut adopted = object.clone();
    adopted
        .metadata_mut()
        .owner_references
        .get_or_insert_with(Vec::new)
        .push(owner.controller_ref());
    Arc::new(adopted)
}

/// `ControllerRefManager.ClaimObject` over a list: keeps owned objects that still match,
/// releases owned objects that stopped matching, adopts matching orphans that are not being
/// deleted. Objects controlled by someone else are left alone.
pub fn claim(owner: &Owner, selector: &Selector, candidates: &[Arc<Object>]) -> Claim {
    let mut result = Claim::default();
    for object in candidates {
        match claim_decision(owner, selector, object) {
            ClaimDecision::Keep => result.owned.push(Arc::clone(object)),
            ClaimDecision::Adopt => {
                result.patches.push(adopt_patch(owner, object));
                result.owned.push(adopted(owner, object));
            }
            ClaimDecision::Release => result.patches.push(release_patch(owner, object)),
            ClaimDecision::LeaveAlone => {}
        }
    }
    result
}

/// The strategic merge patch Kubernetes sends to adopt an object (`ownerRefControllerPatch`):
/// add the controller reference, guarded by the object's uid.
pub fn adopt_patch(owner: &Owner, object: &Object) -> ApiRequest {
    let reference = owner.controller_ref();
    ApiRequest::Patch {
        kind: object.kind(),
        namespace: object.namespace().to_string(),
        name: object.name().to_string(),
        patch_type: PatchType::StrategicMergePatch,
        patch: json!({"metadata": {
            "ownerReferences": [{
                "apiVersion": reference.api_version,
                "kind": reference.kind,
                "name": reference.name,
                "uid": reference.uid,
                "controller": true,
                "blockOwnerDeletion": true,
            }],
            "uid": object.metadata().uid,
        }}),
        status: false,
    }
}

/// The strategic merge patch Kubernetes sends to release an object (`GenerateDeleteOwnerRefStrategicMergeBytes`).
pub fn release_patch(owner: &Owner, object: &Object) -> ApiRequest {
    ApiRequest::Patch {
        kind: object.kind(),
        namespace: object.namespace().to_string(),
        name: object.name().to_string(),
        patch_type: PatchType::StrategicMergePatch,
        patch: json!({"metadata": {
            "ownerReferences": [{"$patch": "delete", "uid": owner.uid}],
            "uid": object.metadata().uid,
        }}),
        status: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::clock::SIM_EPOCH;
    use k8s_openapi::api::core::v1::{ContainerStatus, PodCondition, PodSpec, PodStatus};
    use std::time::Duration;

    struct P {
        name: &'static str,
        node: &'static str,
        phase: &'static str,
        ready_for_s: Option<u64>,
        restarts: i32,
        age_s: u64,
        cost: Option<&'static str>,
    }

    const BASE: P = P {
        name: "",
        node: "node-1",
        phase: "Running",
        ready_for_s: Some(100),
        restarts: 0,
        age_s: 1_000,
        cost: None,
    };

    fn now() -> Timestamp {
        SIM_EPOCH.plus(Duration::from_secs(100_000))
    }

    fn make(p: &P) -> Arc<Object> {
        let ago = |s: u64| Timestamp(now().0 - s * 1000).to_k8s_time();
        let pod = Pod {
            metadata: ObjectMeta {
                name: Some(p.name.to_string()),
                uid: Some(p.name.to_string()),
                creation_timestamp: Some(ago(p.age_s)),
                annotations: p.cost.map(|c| {
                    BTreeMap::from([(POD_DELETION_COST_ANNOTATION.to_string(), c.to_string())])
                }),
                ..ObjectMeta::default()
            },
            spec: Some(PodSpec {
                node_name: (!p.node.is_empty()).then(|| p.node.to_string()),
                ..PodSpec::default()
            }),
            status: Some(PodStatus {
                phase: Some(p.phase.to_string()),
                conditions: Some(vec![PodCondition {
                    type_: "Ready".to_string(),
                    status: if p.ready_for_s.is_some() {
                        "True"
                    } else {
                        "False"
                    }
                    .to_string(),
                    last_transition_time: p.ready_for_s.map(ago),
                    ..PodCondition::default()
                }]),
                container_statuses: Some(vec![ContainerStatus {
                    restart_count: p.restarts,
                    ..ContainerStatus::default()
                }]),
                ..PodStatus::default()
            }),
        };
        Arc::new(Object::from(pod))
    }

    #[test]
    fn victims_are_ranked_as_kubernetes_ranks_active_pods() {
        // (case, the pod that goes first, the pod that stays)
        let cases: Vec<(&str, P, P)> = vec![
            (
                "unscheduled before scheduled",
                P {
                    name: "a",
                    node: "",
                    phase: "Pending",
                    ready_for_s: None,
                    ..BASE
                },
                P { name: "b", ..BASE },
            ),
            (
                "pending before running",
                P {
                    name: "a",
                    phase: "Pending",
                    ready_for_s: None,
                    ..BASE
                },
                P {
                    name: "b",
                    ready_for_s: None,
                    ..BASE
                },
            ),
            (
                "unknown before running",
                P {
                    name: "a",
                    phase: "Unknown",
                    ..BASE
                },
                P { name: "b", ..BASE },
            ),
            (
                "not ready before ready",
                P {
                    name: "a",
                    ready_for_s: None,
                    ..BASE
                },
                P { name: "b", ..BASE },
            ),
            (
                "lower deletion cost before higher",
                P {
                    name: "a",
                    cost: Some("-5"),
                    ..BASE
                },
                P { name: "b", ..BASE },
            ),
            (
                "ready for a shorter time before a longer time",
                P {
                    name: "a",
                    ready_for_s: Some(10),
                    ..BASE
                },
                P {
                    name: "b",
                    ready_for_s: Some(10_000),
                    ..BASE
                },
            ),
            (
                "more restarts before fewer",
                P {
                    name: "a",
                    restarts: 3,
                    ..BASE
                },
                P { name: "b", ..BASE },
            ),
            (
                "newer before older",
                P {
                    name: "a",
                    age_s: 30,
                    ready_for_s: Some(20),
                    ..BASE
                },
                P {
                    name: "b",
                    age_s: 30_000,
                    ready_for_s: Some(20),
                    ..BASE
                },
            ),
        ];
        for (case, first, second) in cases {
            let pods = vec![make(&second), make(&first)];
            let victims = pods_to_delete(&pods, &pods, 1, now());
            assert_eq!(victims[0].name(), first.name, "{case}");
        }
    }

    #[test]
    fn a_pod_doubled_up_on_a_node_goes_before_a_pod_alone() {
        let alone = make(&P {
            name: "alone",
            node: "node-2",
            ..BASE
        });
        let doubled = make(&P {
            name: "doubled",
            ..BASE
        });
        let sibling = make(&P {
            name: "sibling",
            age_s: 500_000,
            ..BASE
        });
        let victims = pods_to_delete(
            &[Arc::clone(&alone), Arc::clone(&doubled)],
            &[alone, Arc::clone(&doubled), sibling],
            1,
            now(),
        );
        assert_eq!(victims[0].name(), "doubled");
    }

    #[test]
    fn availability_needs_ready_for_longer_than_min_ready_seconds() {
        let pod = make(&P {
            name: "a",
            ready_for_s: Some(10),
            ..BASE
        });
        let Object::Pod(pod) = pod.as_ref() else {
            unreachable!()
        };
        assert!(is_pod_available(pod, 0, now()));
        assert!(is_pod_available(pod, 9, now()));
        assert!(!is_pod_available(pod, 10, now()));
        assert!(!is_pod_available(pod, 30, now()));
    }

    #[test]
    fn deletion_order_is_total_so_sorting_many_pods_cannot_panic() {
        // Ready times in one log bucket and equal ones, restarts that disagree with the
        // UIDs: the mix that made Kubernetes' order intransitive (a < b < c < a).
        // In Kubernetes' order: b < c (same bucket, UID), c < a (equal times, restarts),
        // a < b (same bucket, UID).
        let mut pods = vec![
            make(&P {
                name: "b",
                ready_for_s: Some(71),
                ..BASE
            }),
            make(&P {
                name: "c",
                ready_for_s: Some(70),
                restarts: 1,
                ..BASE
            }),
            make(&P {
                name: "a",
                ready_for_s: Some(70),
                ..BASE
            }),
        ];
        const NAMES: [&str; 9] = ["d", "e", "f", "g", "h", "i", "j", "k", "l"];
        for (i, name) in NAMES.iter().enumerate() {
            let i = i as u64;
            pods.push(make(&P {
                name,
                ready_for_s: [Some(70 + i), Some(70), None][(i % 3) as usize],
                restarts: (i % 4) as i32,
                age_s: 1_000 + i % 2,
                ..BASE
            }));
        }
        let as_pods: Vec<&StoredPod> = pods.iter().filter_map(|o| as_pod(o)).collect();
        let cmp = |a: &StoredPod, b: &StoredPod| compare_for_deletion(a, 1, b, 1, now());
        for a in &as_pods {
            assert_eq!(cmp(a, a), Ordering::Equal);
            for b in &as_pods {
                assert_eq!(cmp(a, b), cmp(b, a).reverse(), "antisymmetric");
                for c in &as_pods {
                    if cmp(a, b) == Ordering::Less && cmp(b, c) == Ordering::Less {
                        assert_eq!(cmp(a, c), Ordering::Less, "transitive");
                    }
                }
            }
        }
        // A big scale-down sorts them all.
        let mut many = Vec::new();
        for _ in 0..100 {
            many.extend(pods.iter().cloned());
        }
        assert_eq!(pods_to_delete(&many, &many, 600, now()).len(), 600);
    }
}
