//! NodeResourcesFit: a node fits a pod when it has room for one more pod and the pod's cpu
//! and memory requests fit in allocatable minus what its pods already request (filter).
//! Scoring uses the default `LeastAllocated` strategy (cpu and memory, weight 1 each) on
//! non-zero requests: the more room left after placing the pod, the higher the score.

use super::{Code, CycleState, Status, MAX_NODE_SCORE};
use crate::scheduler::snapshot::NodeInfo;

/// Reason for a full node.
pub const ERR_REASON_TOO_MANY_PODS: &str = "Too many pods";
/// Reason for not enough cpu.
pub const ERR_REASON_INSUFFICIENT_CPU: &str = "Insufficient cpu";
/// Reason for not enough memory.
pub const ERR_REASON_INSUFFICIENT_MEMORY: &str = "Insufficient memory";

/// Fails with every insufficient resource, in Kubernetes' order (pods, cpu, memory), as
/// `Unschedulable` (preemption may help).
pub fn filter(state: &CycleState<'_>, node: &NodeInfo) -> Status {
    let mut reasons = Vec::new();
    let pods_on_node = i64::try_from(node.pods.len()).unwrap_or(i64::MAX);
    if pods_on_node.saturating_add(1) > node.allowed_pod_number {
        reasons.push(ERR_REASON_TOO_MANY_PODS.into());
    }
    let request = state.resources.requested;
    if request.milli_cpu > 0
        && request.milli_cpu > node.allocatable.milli_cpu - node.requested.milli_cpu
    {
        reasons.push(ERR_REASON_INSUFFICIENT_CPU.into());
    }
    if request.memory_bytes > 0
        && request.memory_bytes > node.allocatable.memory_bytes - node.requested.memory_bytes
    {
        reasons.push(ERR_REASON_INSUFFICIENT_MEMORY.into());
    }
    if reasons.is_empty() {
        Status::success()
    } else {
        Status {
            code: Code::Unschedulable,
            reasons,
        }
    }
}

/// Whether [`filter`] passes the node: room for one more pod, and for the pod's cpu and
/// memory requests. The scheduler asks this first on every node it filters, so the common
/// case builds no [`Status`].
pub fn fits(state: &CycleState<'_>, node: &NodeInfo) -> bool {
    let pods_on_node = i64::try_from(node.pods.len()).unwrap_or(i64::MAX);
    let request = state.resources.requested;
    pods_on_node.saturating_add(1) <= node.allowed_pod_number
        && (request.milli_cpu <= 0
            || request.milli_cpu <= node.allocatable.milli_cpu - node.requested.milli_cpu)
        && (request.memory_bytes <= 0
            || request.memory_bytes <= node.allocatable.memory_bytes - node.requested.memory_bytes)
}

/// `leastRequestedScore`: the share of capacity left free, 0–100.
pub fn least_requested_score(requested: i64, capacity: i64) -> i64 {
    if capacity == 0 || requested > capacity {
        return 0;
    }
    (capacity - requested) * MAX_NODE_SCORE / capacity
}

/// LeastAllocated: the weighted mean of cpu and memory `leastRequestedScore`, counting the
/// node's and the pod's non-zero requests.
pub fn score(state: &CycleState<'_>, node: &NodeInfo) -> i64 {
    let pod = state.resources.non_zero_requested;
    let cpu = least_requested_score(
        node.non_zero_requested.milli_cpu + pod.milli_cpu,
        node.allocatable.milli_cpu,
    );
    let memory = least_requested_score(
        node.non_zero_requested.memory_bytes + pod.memory_bytes,
        node.allocatable.memory_bytes,
    );
    (cpu + memory) / 2
}
