//! Admission: whether a pod bound to this node fits what the node has left, checked as the
//! kubelet's `NodeResourcesFit`-like admit handler does (pods count, then cpu, then memory).
//! A pod that does not fit is rejected: it fails with reason `OutOfcpu`, `OutOfmemory` or
//! `OutOfpods` and the message `Pod was rejected: Node didn't have enough resource: …`.

use k8s_openapi::api::core::v1::Container;

use crate::api::objects::StoredPod;
use crate::api::validation::quantity::ParsedQuantity;

/// What a pod asks for: cpu in millicores, memory in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ResourceRequest {
    /// Millicores.
    pub cpu_millis: i64,
    /// Bytes.
    pub memory_bytes: i64,
}

/// The node's allocatable resources.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Allocatable {
    /// Millicores.
    pub cpu_millis: i64,
    /// Bytes.
    pub memory_bytes: i64,
    /// Pods.
    pub pods: i64,
}

/// Why a pod was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// `OutOfcpu`, `OutOfmemory`, `OutOfpods`.
    pub reason: String,
    /// `Node didn't have enough resource: cpu, requested: 3000, used: 500, capacity: 2000`.
    pub message: String,
}

fn quantity(container: &Container, resource: &str, scale: i128) -> i64 {
    container
        .resources
        .as_ref()
        .and_then(|r| r.requests.as_ref())
        .and_then(|r| r.get(resource))
        .and_then(|q| ParsedQuantity::parse(&q.0).ok())
        .map_or(0, |q| {
            // Round up to the unit, as Kubernetes' MilliValue/Value do.
            let units = (q.nanos + scale - 1).div_euclid(scale);
            i64::try_from(units).unwrap_or(i64::MAX)
        })
}

/// A pod's effective request: the larger of the app containers' sum and any one init
/// container.
pub fn pod_request(pod: &StoredPod) -> ResourceRequest {
    let Some(spec) = &pod.spec else {
        return ResourceRequest::default();
    };
    let request = |c: &Container| ResourceRequest {
        cpu_millis: quantity(c, "cpu", 1_000_000),
        memory_bytes: quantity(c, "memory", 1_000_000_000),
    };
    let mut total = ResourceRequest::default();
    for c in &spec.containers {
        let r = request(c);
        total.cpu_millis += r.cpu_millis;
        total.memory_bytes += r.memory_bytes;
    }
    for c in spec.init_containers.iter().flatten() {
        let r = request(c);
        total.cpu_millis = total.cpu_millis.max(r.cpu_millis);
        total.memory_bytes = total.memory_bytes.max(r.memory_bytes);
    }
    total
}

/// Checks one pod against what the admitted pods already use.
pub fn admit(
    request: ResourceRequest,
    used: ResourceRequest,
    used_pods: i64,
    allocatable: Allocatable,
) -> Result<(), Rejection> {
    let checks = [
        ("pods", 1, used_pods, allocatable.pods),
        (
            "cpu",
            request.cpu_millis,
            used.cpu_millis,
            allocatable.cpu_millis,
        ),
        (
            "memory",
            request.memory_bytes,
            used.memory_bytes,
            allocatable.memory_bytes,
        ),
    ];
    for (resource, requested, used, capacity) in checks {
        if requested > 0 && used + requested > capacity {
            return Err(Rejection {
                reason: format!("OutOf{resource}"),
                message: format!(
                    "Node didn't have enough resource: {resource}, requested: {requested}, used: {used}, capacity: {capacity}"
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NODE: Allocatable = Allocatable {
        cpu_millis: 2000,
        memory_bytes: 4 << 30,
        pods: 110,
    };

    #[test]
    fn a_pod_asking_more_cpu_than_is_left_is_out_of_cpu() {
        let request = ResourceRequest {
            cpu_millis: 1800,
            memory_bytes: 0,
        };
        let used = ResourceRequest {
            cpu_millis: 500,
            memory_bytes: 0,
        };
        let rejection = admit(request, used, 3, NODE).unwrap_err();
        assert_eq!(rejection.reason, "OutOfcpu");
        assert_eq!(
            rejection.message,
            "Node didn't have enough resource: cpu, requested: 1800, used: 500, capacity: 2000"
        );
    }

    #[test]
    fn a_full_node_rejects_the_next_pod_as_out_of_pods() {
        let rejection = admit(
            ResourceRequest::default(),
            ResourceRequest::default(),
            110,
            NODE,
        )
        .unwrap_err();
        assert_eq!(rejection.reason, "OutOfpods");
    }
}
