//! NodeUnschedulable: a cordoned node (`spec.unschedulable: true`) takes no new pods, unless
//! the pod tolerates the `node.kubernetes.io/unschedulable:NoSchedule` taint.

use k8s_openapi::api::core::v1::Taint;

use super::taint_toleration::tolerations_tolerate_taint;
use super::{Code, CycleState, Status};
use crate::scheduler::snapshot::NodeInfo;

/// `ErrReasonUnschedulable`.
pub const ERR_REASON_UNSCHEDULABLE: &str = "node(s) were unschedulable";
/// The taint a cordoned node implies (`v1.TaintNodeUnschedulable`).
pub const TAINT_NODE_UNSCHEDULABLE: &str = "node.kubernetes.io/unschedulable";

/// Fails cordoned nodes with `UnschedulableAndUnresolvable`.
pub fn filter(state: &CycleState<'_>, node: &NodeInfo) -> Status {
    if !node.unschedulable {
        return Status::success();
    }
    let taint = Taint {
        key: TAINT_NODE_UNSCHEDULABLE.to_string(),
        effect: "NoSchedule".to_string(),
        ..Taint::default()
    };
    if tolerations_tolerate_taint(state.tolerations, &taint) {
        return Status::success();
    }
    Status::new(Code::UnschedulableAndUnresolvable, ERR_REASON_UNSCHEDULABLE)
}
