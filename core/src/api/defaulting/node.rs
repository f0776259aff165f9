//! Node defaults (`SetDefaults_NodeStatus`): a node that reports capacity but no allocatable
//! resources can allocate all of its capacity.

use k8s_openapi::api::core::v1::Node;

/// Applies `SetDefaults_NodeStatus`.
pub fn apply_node_defaults(node: &mut Node) {
    if let Some(status) = &mut node.status {
        if status.allocatable.is_none() {
            status.allocatable = status.capacity.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn allocatable_defaults_to_capacity_and_is_kept_when_given() {
        let table = [
            (
                json!({"capacity": {"cpu": "4", "pods": "110"}}),
                json!({"cpu": "4", "pods": "110"}),
            ),
            (
                json!({"capacity": {"cpu": "4"}, "allocatable": {"cpu": "3800m"}}),
                json!({"cpu": "3800m"}),
            ),
        ];
        for (status, want) in table {
            let input = json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n"}, "status": status});
            let mut node: Node = serde_json::from_value(input).unwrap_or_else(|e| panic!("{e}"));
            apply_node_defaults(&mut node);
            let got = serde_json::to_value(&node).unwrap_or_default();
            assert_eq!(got["status"]["allocatable"], want);
        }
    }
}
