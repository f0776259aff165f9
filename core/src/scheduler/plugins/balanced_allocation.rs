//! NodeResourcesBalancedAllocation: favours nodes whose cpu and memory would be used in the
//! same proportion after placing the pod: `(1 - std) * 100` over the requested fractions.
//! Best-effort pods (no requests) are skipped at PreScore, as since Kubernetes 1.32.

use super::{CycleState, MAX_NODE_SCORE};
use crate::scheduler::snapshot::NodeInfo;

/// Whether the plugin skips this pod (it requests neither cpu nor memory).
pub fn skips(state: &CycleState<'_>) -> bool {
    let requested = state.resources.requested;
    requested.milli_cpu == 0 && requested.memory_bytes == 0
}

/// `balancedResourceScorer` on the node's plus the pod's actual requests.
pub fn score(state: &CycleState<'_>, node: &NodeInfo) -> i64 {
    let pod = state.resources.requested;
    let pairs = [
        (
            node.requested.milli_cpu + pod.milli_cpu,
            node.allocatable.milli_cpu,
        ),
        (
            node.requested.memory_bytes + pod.memory_bytes,
            node.allocatable.memory_bytes,
        ),
    ];
    // The fractions of the resources the node has (allocatable 0 is left out); with both
    // present the standard deviation of two values is half their distance.
    let mut fractions = pairs
        .iter()
        .filter(|(_, allocatable)| *allocatable != 0)
        .map(|&(requested, allocatable)| (requested as f64 / allocatable as f64).min(1.0));
    let std = match (fractions.next(), fractions.next(), fractions.next()) {
        (Some(a), Some(b), None) => ((a - b) / 2.0).abs(),
        _ => 0.0,
    };
    ((1.0 - std) * MAX_NODE_SCORE as f64) as i64
}
