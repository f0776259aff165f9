//! Taint-based eviction (kube-controller-manager's `taint-eviction-controller`,
//! `pkg/controller/tainteviction`): pods on a node with `NoExecute` taints are deleted when
//! the shortest `tolerationSeconds` among the tolerations they use runs out, and at once when
//! some `NoExecute` taint is not tolerated at all.
//!
//! [`eviction_for`] is a pure function of (node, pod, now): the node lifecycle controller
//! asks it for every pod of a tainted node and turns [`Eviction::Now`] into a delete plus the
//! `TaintManagerEviction` event, and [`Eviction::At`] into a timer.

use std::time::Duration;

use k8s_openapi::api::core::v1::{Node, Taint, Toleration};

use crate::api::objects::StoredPod;
use crate::scheduler::plugins::taint_toleration::toleration_tolerates_taint;
use crate::sim::clock::Timestamp;

/// The reason of the event recorded when a pod is deleted for a taint.
pub const EVICTION_EVENT_REASON: &str = "TaintManagerEviction";

/// What the taint eviction controller does with one pod.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Eviction {
    /// The node has no `NoExecute` taint, or the pod tolerates all of them forever.
    Keep,
    /// The pod tolerates the taints for a while: delete it at this time.
    At(Timestamp),
    /// Some `NoExecute` taint is not tolerated (or the toleration ran out): delete now.
    Now,
}

/// The event message for a pod marked for deletion (`Marking for deletion Pod ns/name`).
pub fn eviction_message(namespace: &str, name: &str) -> String {
    format!("Marking for deletion Pod {namespace}/{name}")
}

/// The event message for a pod whose pending deletion was called off (the taint went, or
/// the pod now tolerates it forever): `Cancelling deletion of Pod ns/name`.
pub fn cancel_message(namespace: &str, name: &str) -> String {
    format!("Cancelling deletion of Pod {namespace}/{name}")
}

/// The node's `NoExecute` taints.
pub fn no_execute_taints(node: &Node) -> Vec<&Taint> {
    node.spec
        .as_ref()
        .and_then(|s| s.taints.as_ref())
        .into_iter()
        .flatten()
        .filter(|t| t.effect == "NoExecute")
        .collect()
}

/// How long the pod may stay given the tolerations it uses (`getMinTolerationTime`): None
/// is forever, and negative seconds count as zero.
fn min_toleration_time(used: &[&Toleration]) -> Option<Duration> {
    used.iter()
        .filter_map(|t| t.toleration_seconds)
        .map(|s| Duration::from_secs(u64::try_from(s).unwrap_or(0)))
        .min()
}

/// When the pod on this node is to be deleted. The clock of a toleration starts when the
/// earliest current `NoExecute` taint was added (its `timeAdded`), or `now` for taints
/// without one — standing in for the moment the controller first saw the pod on a tainted
/// node.
pub fn eviction_for(node: &Node, pod: &StoredPod, now: Timestamp) -> Eviction {
    let taints = no_execute_taints(node);
    if taints.is_empty() {
        return Eviction::Keep;
    }
    let tolerations: &[Toleration] = pod
        .spec
        .as_ref()
        .and_then(|s| s.tolerations.as_deref())
        .unwrap_or(&[]);
    let mut used: Vec<&Toleration> = Vec::new();
    for taint in &taints {
        let matching: Vec<&Toleration> = tolerations
            .iter()
            .filter(|t| toleration_tolerates_taint(t, taint))
            .collect();
        if matching.is_empty() {
            return Eviction::Now;
        }
        used.extend(matching);
    }
    let Some(allowed) = min_toleration_time(&used) else {
        return Eviction::Keep;
    };
    let start = taints
        .iter()
        .filter_map(|t| t.time_added.as_ref())
        .map(Timestamp::from_k8s_time)
        .min()
        .unwrap_or(now);
    let at = start.plus(allowed);
    if at <= now {
        Eviction::Now
    } else {
        Eviction::At(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{NodeSpec, Pod, PodSpec};

    fn node(taints: &[(&str, &str)], added: Timestamp) -> Node {
        Node {
            spec: Some(NodeSpec {
                taints: Some(
                    taints
                        .iter()
                        .map(|(key, effect)| Taint {
                            key: key.to_string(),
                            effect: effect.to_string(),
                            time_added: (*effect == "NoExecute").then(|| added.to_k8s_time()),
                            value: None,
                        })
                        .collect(),
                ),
                ..NodeSpec::default()
            }),
            ..Node::default()
        }
    }

    fn pod(tolerations: &[(&str, Option<i64>)]) -> StoredPod {
        Pod {
            spec: Some(PodSpec {
                tolerations: Some(
                    tolerations
                        .iter()
                        .map(|(key, seconds)| Toleration {
                            key: (!key.is_empty()).then(|| key.to_string()),
                            operator: Some("Exists".to_string()),
                            effect: Some("NoExecute".to_string()),
                            toleration_seconds: *seconds,
                            value: None,
                        })
                        .collect(),
                ),
                ..PodSpec::default()
            }),
            ..Pod::default()
        }
        .into()
    }

    const UNREACHABLE: &str = "node.kubernetes.io/unreachable";
    const T0: Timestamp = Timestamp(1_000_000);

    #[test]
    fn eviction_follows_taints_and_tolerations() {
        let secs = |s| T0.plus(Duration::from_secs(s));
        let cases: Vec<(&str, Node, StoredPod, Timestamp, Eviction)> = vec![
            (
                "a node without NoExecute taints keeps its pods",
                node(&[(UNREACHABLE, "NoSchedule")], T0),
                pod(&[]),
                T0,
                Eviction::Keep,
            ),
            (
                "a pod without a matching toleration goes at once",
                node(&[(UNREACHABLE, "NoExecute")], T0),
                pod(&[("other", Some(300))]),
                T0,
                Eviction::Now,
            ),
            (
                "the default 300 s toleration counts from timeAdded",
                node(&[(UNREACHABLE, "NoExecute")], T0),
                pod(&[(UNREACHABLE, Some(300))]),
                secs(10),
                Eviction::At(secs(300)),
            ),
            (
                "a toleration that ran out evicts now",
                node(&[(UNREACHABLE, "NoExecute")], T0),
                pod(&[(UNREACHABLE, Some(30))]),
                secs(30),
                Eviction::Now,
            ),
            (
                "the shortest of the tolerations used wins",
                node(&[(UNREACHABLE, "NoExecute")], T0),
                pod(&[(UNREACHABLE, Some(300)), ("", Some(30))]),
                T0,
                Eviction::At(secs(30)),
            ),
            (
                "a toleration without seconds tolerates forever",
                node(&[(UNREACHABLE, "NoExecute")], T0),
                pod(&[(UNREACHABLE, None)]),
                secs(100_000),
                Eviction::Keep,
            ),
            (
                "negative seconds count as zero",
                node(&[(UNREACHABLE, "NoExecute")], T0),
                pod(&[(UNREACHABLE, Some(-5))]),
                T0,
                Eviction::Now,
            ),
        ];
        for (name, node, pod, now, want) in cases {
            assert_eq!(eviction_for(&node, &pod, now), want, "{name}");
        }
    }

    #[test]
    fn eviction_message_names_the_pod_with_its_namespace() {
        assert_eq!(
            eviction_message("default", "web-1"),
            "Marking for deletion Pod default/web-1"
        );
    }
}
