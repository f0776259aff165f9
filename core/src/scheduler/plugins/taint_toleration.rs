//! TaintToleration: a node's `NoSchedule` and `NoExecute` taints keep out pods that do not
//! tolerate them (filter); untolerated `PreferNoSchedule` taints lower a node's score, and
//! the counts are normalised in reverse so the node with fewest gets 100.

use k8s_openapi::api::core::v1::{Taint, Toleration};

use super::{Code, CycleState, Status, MAX_NODE_SCORE};
use crate::scheduler::snapshot::NodeInfo;

/// `Toleration.ToleratesTaint`: effects and keys match (an empty one matches all), and
/// `Exists` matches any value while `Equal` (the default) needs the same value.
pub fn toleration_tolerates_taint(toleration: &Toleration, taint: &Taint) -> bool {
    let effect = toleration.effect.as_deref().unwrap_or_default();
    if !effect.is_empty() && effect != taint.effect {
        return false;
    }
    let key = toleration.key.as_deref().unwrap_or_default();
    if !key.is_empty() && key != taint.key {
        return false;
    }
    match toleration.operator.as_deref().unwrap_or_default() {
        "Exists" => true,
        "" | "Equal" => {
            toleration.value.as_deref().unwrap_or_default()
                == taint.value.as_deref().unwrap_or_default()
        }
        _ => false,
    }
}

/// `TolerationsTolerateTaint`: whether any toleration tolerates the taint.
pub fn tolerations_tolerate_taint(tolerations: &[Toleration], taint: &Taint) -> bool {
    tolerations
        .iter()
        .any(|t| toleration_tolerates_taint(t, taint))
}

/// Fails a node with its first untolerated `NoSchedule`/`NoExecute` taint:
/// `node(s) had untolerated taint {key: value}`.
pub fn filter(state: &CycleState<'_>, node: &NodeInfo) -> Status {
    let untolerated = node.taints.iter().find(|taint| {
        (taint.effect == "NoSchedule" || taint.effect == "NoExecute")
            && !tolerations_tolerate_taint(state.tolerations, taint)
    });
    match untolerated {
        None => Status::success(),
        Some(taint) => Status::new(
            Code::UnschedulableAndUnresolvable,
            format!(
                "node(s) had untolerated taint {{{}: {}}}",
                taint.key,
                taint.value.as_deref().unwrap_or_default()
            ),
        ),
    }
}

/// The number of `PreferNoSchedule` taints not tolerated by the pod's tolerations whose
/// effect is empty or `PreferNoSchedule`.
pub fn score(state: &CycleState<'_>, node: &NodeInfo) -> i64 {
    if node.taints.is_empty() {
        return 0;
    }
    let count = node
        .taints
        .iter()
        .filter(|t| {
            t.effect == "PreferNoSchedule"
                && !tolerations_tolerate_taint(&state.prefer_no_schedule_tolerations, t)
        })
        .count();
    i64::try_from(count).unwrap_or(i64::MAX)
}

/// `DefaultNormalizeScore(MaxNodeScore, reverse=true)`.
pub fn normalize_score(scores: &mut [i64]) {
    default_normalize_score(MAX_NODE_SCORE, true, scores);
}

/// `helper.DefaultNormalizeScore`: scales `[0, max]` to `[0, max_priority]`, optionally
/// reversed; all zeros stay zero (or become `max_priority` when reversed).
pub fn default_normalize_score(max_priority: i64, reverse: bool, scores: &mut [i64]) {
    let max_count = scores.iter().copied().max().unwrap_or(0).max(0);
    if max_count == 0 {
        if reverse {
            scores.iter_mut().for_each(|s| *s = max_priority);
        }
        return;
    }
    for score in scores.iter_mut() {
        let scaled = max_priority * *score / max_count;
        *score = if reverse {
            max_priority - scaled
        } else {
            scaled
        };
    }
}
