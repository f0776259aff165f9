//! Validation of a write to `pods/status` (Kubernetes' `ValidatePodStatusUpdate`).
//!
//! A status write keeps the stored spec (the status strategy's `PrepareForUpdate` copies it
//! from the old pod), so nothing of the spec is validated again: only the metadata update,
//! the pod conditions' types, that `spec.nodeName` did not move, the nominated node's name,
//! the immutable QoS class, that no container leaves `Terminated` when its restart policy
//! forbids it, the resource claim statuses and the pod and host IPs. The API server calls it
//! with the merged pod (old spec and metadata, new status) and the stored pod.

use k8s_openapi::api::core::v1::{PodResourceClaimStatus, PodSpec};
use serde_json::Value;

use super::field::{ErrorList, FieldError, FieldPath};
use super::names::{is_dns1123_subdomain, is_qualified_name, is_valid_ip};
use super::object_meta::{validate_immutable, validate_object_meta_update_with};
use crate::api::objects::{CompactPodStatus, ContainerRef, StoredPod};

/// The conditions the system owns, whose types are not checked as qualified names.
const SYSTEM_POD_CONDITIONS: [&str; 3] = ["PodScheduled", "Ready", "Initialized"];

const NOT_TO_NON_TERMINATED: &str = "may not be transitioned to non-terminated state";
const ONE_IP_PER_FAMILY: &str = "may specify no more than one IP for each IP family";

/// Validates a status update of a pod: `new` is the pod as it would be stored, `old` the
/// stored one.
pub fn validate_pod_status_update(new: &StoredPod, old: &StoredPod) -> ErrorList {
    let meta_path = FieldPath::new("metadata");
    let mut errs = if new.metadata == old.metadata {
        ErrorList::new()
    } else {
        validate_object_meta_update_with(
            &new.metadata,
            new.resource_version(),
            &old.metadata,
            &meta_path,
        )
    };
    let empty = CompactPodStatus::default();
    let new_status = new.status.as_deref().unwrap_or(&empty);
    let old_status = old.status.as_deref().unwrap_or(&empty);
    // Kubernetes validates the conditions under `metadata` (the path it still holds then).
    errs.extend(validate_pod_conditions(
        new_status.conditions().map(|c| c.type_()),
        &meta_path.child("conditions"),
    ));

    let status_path = FieldPath::new("status");
    fn node_name(pod: &StoredPod) -> &str {
        pod.node_name().unwrap_or_default()
    }
    if node_name(new) != node_name(old) {
        errs.push(FieldError::forbidden(
            &status_path.child("nodeName"),
            "may not be changed directly",
        ));
    }
    let nominated = new_status.nominated_node_name().unwrap_or("");
    if nominated != old_status.nominated_node_name().unwrap_or("") && !nominated.is_empty() {
        for msg in is_dns1123_subdomain(nominated) {
            errs.push(FieldError::invalid(
                &status_path.child("nominatedNodeName"),
                nominated,
                msg,
            ));
        }
    }
    fn qos(status: &CompactPodStatus) -> &str {
        status.qos_class().unwrap_or_default()
    }
    errs.extend(validate_immutable(
        &qos(new_status),
        &qos(old_status),
        &status_path.child("qosClass"),
    ));

    let default_spec = PodSpec::default();
    let old_spec = old.spec.as_deref().unwrap_or(&default_spec);
    let restart_policy = old_spec.restart_policy.as_deref().unwrap_or("");
    let restartable_init = |name: &str| {
        old_spec
            .init_containers
            .iter()
            .flatten()
            .find(|c| c.name == name)
            .is_some_and(|c| c.restart_policy.as_deref() == Some("Always"))
    };
    if restart_policy != "Always" {
        errs.extend(validate_container_state_transition(
            &new_status.container_statuses().collect::<Vec<_>>(),
            &old_status.container_statuses().collect::<Vec<_>>(),
            &status_path.child("containerStatuses"),
            restart_policy,
            |_| false,
        ));
        errs.extend(validate_container_state_transition(
            &new_status.init_container_statuses().collect::<Vec<_>>(),
            &old_status.init_container_statuses().collect::<Vec<_>>(),
            &status_path.child("initContainerStatuses"),
            restart_policy,
            restartable_init,
        ));
    }
    // The kubelet never restarts ephemeral containers: an implicit `Never`.
    errs.extend(validate_container_state_transition(
        &new_status
            .ephemeral_container_statuses()
            .collect::<Vec<_>>(),
        &old_status
            .ephemeral_container_statuses()
            .collect::<Vec<_>>(),
        &status_path.child("ephemeralContainerStatuses"),
        "Never",
        |_| false,
    ));
    errs.extend(validate_resource_claim_statuses(
        new_status.resource_claim_statuses(),
        new.spec.as_deref().unwrap_or(&default_spec),
        &status_path.child("resourceClaimStatuses"),
    ));
    errs.extend(validate_ips(
        new_status.pod_ips().unwrap_or_default(),
        &status_path.child("podIPs"),
        None,
    ));
    errs.extend(validate_ips(
        new_status.host_ips().unwrap_or_default(),
        &status_path.child("hostIPs"),
        Some(new_status.host_ip().unwrap_or("")),
    ));
    errs
}

/// `validatePodConditions`: types other than the system's must be qualified names.
fn validate_pod_conditions<'a>(
    condition_types: impl Iterator<Item = &'a str>,
    path: &FieldPath,
) -> ErrorList {
    let mut errs = ErrorList::new();
    for (i, type_) in condition_types.enumerate() {
        if SYSTEM_POD_CONDITIONS.contains(&type_) {
            continue;
        }
        for msg in is_qualified_name(type_) {
            errs.push(FieldError::invalid(
                &path.index(i).child("Type"),
                type_,
                msg,
            ));
        }
    }
    errs
}

/// `ValidateContainerStateTransition` (and its init-container twin, which also lets
/// restartable init containers restart): under `Never`, or `OnFailure` after a success, a
/// terminated container stays terminated.
fn validate_container_state_transition(
    new: &[ContainerRef<'_>],
    old: &[ContainerRef<'_>],
    path: &FieldPath,
    restart_policy: &str,
    may_restart: impl Fn(&str) -> bool,
) -> ErrorList {
    let mut errs = ErrorList::new();
    if restart_policy == "Always" {
        return errs;
    }
    for (i, old_status) in old.iter().enumerate() {
        let Some(exit_code) = old_status.terminated_exit_code() else {
            continue;
        };
        if exit_code != 0 && restart_policy == "OnFailure" {
            continue;
        }
        if may_restart(old_status.name()) {
            continue;
        }
        for new_status in new {
            let still_terminated = new_status.is_terminated();
            if new_status.name() == old_status.name() && !still_terminated {
                errs.push(FieldError::forbidden(
                    &path.index(i).child("state"),
                    NOT_TO_NON_TERMINATED,
                ));
            }
        }
    }
    errs
}

/// `validatePodResourceClaimStatuses`: each names a claim of the spec, once.
fn validate_resource_claim_statuses(
    claims: &[PodResourceClaimStatus],
    spec: &PodSpec,
    path: &FieldPath,
) -> ErrorList {
    let mut errs = ErrorList::new();
    let mut seen: Vec<&str> = Vec::new();
    for (i, claim) in claims.iter().enumerate() {
        let name_path = path.index(i).child("name");
        let in_spec = spec
            .resource_claims
            .iter()
            .flatten()
            .any(|c| c.name == claim.name);
        if !in_spec {
            errs.push(FieldError::invalid(
                &name_path,
                claim.name.as_str(),
                "must match the name of an entry in `spec.resourceClaims`",
            ));
        }
        if seen.contains(&claim.name.as_str()) {
            errs.push(FieldError::duplicate(&name_path, claim.name.as_str()));
        } else {
            seen.push(&claim.name);
        }
        if let Some(claim_name) = &claim.resource_claim_name {
            for msg in is_dns1123_subdomain(claim_name) {
                errs.push(FieldError::invalid(&name_path, claim_name.as_str(), msg));
            }
        }
    }
    errs
}

/// `validatePodIPs` / `validateHostIPs`: valid addresses, at most one per family, no
/// duplicates; for host IPs (`host_ip` given) the first must equal `hostIP`.
fn validate_ips(ips: Vec<&str>, path: &FieldPath, host_ip: Option<&str>) -> ErrorList {
    let mut errs = ErrorList::new();
    if ips.is_empty() {
        return errs;
    }
    if let (Some(host_ip), Some(first)) = (host_ip, ips.first()) {
        if host_ip != *first {
            errs.push(FieldError::invalid(
                &path.index(0).child("ip"),
                *first,
                "must be equal to `hostIP`",
            ));
        }
    }
    for (i, ip) in ips.iter().enumerate() {
        for msg in is_valid_ip(ip) {
            errs.push(FieldError::invalid(&path.index(i), *ip, msg));
        }
    }
    if ips.len() > 1 {
        let parsed: Vec<Option<core::net::IpAddr>> = ips.iter().map(|ip| ip.parse().ok()).collect();
        let v4 = parsed.iter().flatten().filter(|ip| ip.is_ipv4()).count();
        let v6 = parsed.iter().flatten().filter(|ip| ip.is_ipv6()).count();
        let dual_stack = v4 > 0 && v6 > 0;
        let duplicates = ips
            .iter()
            .enumerate()
            .filter(|(i, ip)| ips.iter().take(*i).any(|earlier| earlier == *ip))
            .map(|(i, ip)| (i, *ip));
        let mut duplicate_errs = ErrorList::new();
        for (i, ip) in duplicates {
            duplicate_errs.push(FieldError::duplicate(
                &path.index(i),
                serde_json::json!({ "ip": ip }),
            ));
        }
        let family_err = (!dual_stack || ips.len() > 2).then(|| {
            let listed: Vec<Value> = ips
                .iter()
                .map(|ip| serde_json::json!({ "ip": ip }))
                .collect();
            FieldError::invalid(path, Value::Array(listed), ONE_IP_PER_FAMILY)
        });
        // Kubernetes checks host IPs for duplicates first, pod IPs for families first.
        if host_ip.is_some() {
            errs.extend(duplicate_errs);
            errs.extend(family_err);
        } else {
            errs.extend(family_err);
            errs.extend(duplicate_errs);
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{
        ContainerState, ContainerStateRunning, ContainerStateTerminated, ContainerStatus, HostIP,
        Pod, PodCondition, PodIP, PodStatus,
    };

    fn pod(restart_policy: &str, status: PodStatus) -> StoredPod {
        Pod {
            spec: Some(PodSpec {
                node_name: Some("node-1".into()),
                restart_policy: Some(restart_policy.into()),
                ..PodSpec::default()
            }),
            status: Some(status),
            ..Pod::default()
        }
        .into()
    }

    fn container(name: &str, terminated_with: Option<i32>) -> ContainerStatus {
        let state = match terminated_with {
            Some(exit_code) => ContainerState {
                terminated: Some(ContainerStateTerminated {
                    exit_code,
                    ..ContainerStateTerminated::default()
                }),
                ..ContainerState::default()
            },
            None => ContainerState {
                running: Some(ContainerStateRunning::default()),
                ..ContainerState::default()
            },
        };
        ContainerStatus {
            name: name.into(),
            state: Some(state),
            ..ContainerStatus::default()
        }
    }

    fn containers(list: Vec<ContainerStatus>) -> PodStatus {
        PodStatus {
            container_statuses: Some(list),
            ..PodStatus::default()
        }
    }

    fn messages(errs: ErrorList) -> Vec<String> {
        errs.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn status_updates_are_checked_with_kubernetes_messages() {
        let terminated = containers(vec![container("app", Some(0))]);
        let failed = containers(vec![container("app", Some(1))]);
        let running = containers(vec![container("app", None)]);
        let cases: Vec<(&str, StoredPod, StoredPod, Vec<&str>)> = vec![
            (
                "a container restarting under Always is fine",
                pod("Always", running.clone()),
                pod("Always", terminated.clone()),
                vec![],
            ),
            (
                "a succeeded container may not run again under OnFailure",
                pod("OnFailure", running.clone()),
                pod("OnFailure", terminated.clone()),
                vec!["status.containerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state"],
            ),
            (
                "a failed container may run again under OnFailure",
                pod("OnFailure", running.clone()),
                pod("OnFailure", failed.clone()),
                vec![],
            ),
            (
                "a failed container may not run again under Never",
                pod("Never", running.clone()),
                pod("Never", failed),
                vec!["status.containerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state"],
            ),
            (
                "the QoS class is immutable",
                pod("Always", PodStatus { qos_class: Some("Guaranteed".into()), ..PodStatus::default() }),
                pod("Always", PodStatus { qos_class: Some("BestEffort".into()), ..PodStatus::default() }),
                vec!["status.qosClass: Invalid value: \"Guaranteed\": field is immutable"],
            ),
            (
                "a custom condition type must be a qualified name",
                pod("Always", PodStatus {
                    conditions: Some(vec![
                        PodCondition { type_: "Ready".into(), status: "True".into(), ..PodCondition::default() },
                        PodCondition { type_: "bad type".into(), status: "True".into(), ..PodCondition::default() },
                    ]),
                    ..PodStatus::default()
                }),
                pod("Always", PodStatus::default()),
                vec!["metadata.conditions[1].Type: Invalid value: \"bad type\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"],
            ),
            (
                "the first host IP must be hostIP",
                pod("Always", PodStatus {
                    host_ip: Some("10.0.0.1".into()),
                    host_ips: Some(vec![HostIP { ip: "10.0.0.2".into() }]),
                    ..PodStatus::default()
                }),
                pod("Always", PodStatus::default()),
                vec!["status.hostIPs[0].ip: Invalid value: \"10.0.0.2\": must be equal to `hostIP`"],
            ),
            (
                "pod IPs must be addresses",
                pod("Always", PodStatus {
                    pod_ips: Some(vec![PodIP { ip: "ten".into() }]),
                    ..PodStatus::default()
                }),
                pod("Always", PodStatus::default()),
                vec!["status.podIPs[0]: Invalid value: \"ten\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"],
            ),
        ];
        for (name, new, old, want) in cases {
            assert_eq!(
                messages(validate_pod_status_update(&new, &old)),
                want,
                "{name}"
            );
        }
    }

    #[test]
    fn moving_the_pod_to_another_node_through_the_status_is_forbidden() {
        let old = pod("Always", PodStatus::default());
        let mut new = old.clone();
        new.set_node_name(Some("node-2".into()));
        assert_eq!(
            messages(validate_pod_status_update(&new, &old)),
            vec!["status.nodeName: Forbidden: may not be changed directly"]
        );
    }
}
