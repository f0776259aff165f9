//! NodeName: a pod with `spec.nodeName` set fits only that node.

use super::{Code, CycleState, Status};
use crate::scheduler::snapshot::NodeInfo;

/// `ErrReason`.
pub const ERR_REASON: &str = "node(s) didn't match the requested node name";

/// Fails every node but the requested one with `UnschedulableAndUnresolvable`.
pub fn filter(state: &CycleState<'_>, node: &NodeInfo) -> Status {
    match state.node_name {
        Some(name) if name != node.name => {
            Status::new(Code::UnschedulableAndUnresolvable, ERR_REASON)
        }
        _ => Status::success(),
    }
}
