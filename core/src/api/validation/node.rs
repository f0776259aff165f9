//! Node validation (Kubernetes' `ValidateNode` and `ValidateNodeUpdate`): a cluster-scoped object
//! with a DNS-1123 subdomain name, well-formed taints (reported under `metadata.taints`, exactly
//! where Kubernetes reports them), valid pod CIDRs, and pod CIDRs / provider ID that only go from
//! unset to set.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::Node;

use super::field::{ErrorList, FieldError, FieldPath};
use super::names::{is_valid_label_value, NameRule};
use super::object_meta::{
    validate_label_name, validate_object_meta, validate_object_meta_update, Scope,
};
use super::pod_spec::taint_effects;

fn validate_taints(node: &Node) -> ErrorList {
    let mut errs = ErrorList::new();
    let path = FieldPath::new("metadata").child("taints");
    let mut unique = BTreeSet::new();
    for (i, taint) in node
        .spec
        .iter()
        .flat_map(|s| s.taints.iter().flatten())
        .enumerate()
    {
        let index_path = path.index(i);
        errs.extend(validate_label_name(&taint.key, &index_path.child("key")));
        let value = taint.value.as_deref().unwrap_or("");
        let msgs = is_valid_label_value(value);
        if !msgs.is_empty() {
            errs.push(FieldError::invalid(
                &index_path.child("value"),
                value,
                msgs.join(";"),
            ));
        }
        let effect_path = index_path.child("effect");
        if taint.effect.is_empty() {
            errs.push(FieldError::required(&effect_path, ""));
        } else if !taint_effects().contains(&taint.effect.as_str()) {
            errs.push(FieldError::not_supported(
                &effect_path,
                taint.effect.as_str(),
                taint_effects(),
            ));
        }
        if !unique.insert((taint.effect.clone(), taint.key.clone())) {
            let mut duplicate =
                FieldError::duplicate(&index_path, serde_json::to_value(taint).unwrap_or_default());
            duplicate.detail = "taints must be unique by key and effect pair".into();
            errs.push(duplicate);
        }
    }
    errs
}

fn validate_pod_cidrs(node: &Node) -> ErrorList {
    let mut errs = ErrorList::new();
    let path = FieldPath::new("spec").child("podCIDRs");
    for (i, cidr) in node
        .spec
        .iter()
        .flat_map(|s| s.pod_cidrs.iter().flatten())
        .enumerate()
    {
        let valid = cidr.split_once('/').is_some_and(|(ip, bits)| {
            ip.parse::<core::net::IpAddr>().is_ok_and(|addr| {
                let max = if addr.is_ipv4() { 32 } else { 128 };
                bits.parse::<u8>().is_ok_and(|b| b <= max)
            })
        });
        if !valid {
            errs.push(FieldError::invalid(
                &path.index(i),
                cidr.as_str(),
                "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
            ));
        }
    }
    errs
}

/// Validates a new Node.
pub fn validate_node(node: &Node) -> ErrorList {
    let mut errs = validate_object_meta(
        &node.metadata,
        Scope::Cluster,
        NameRule::Dns1123Subdomain,
        &FieldPath::new("metadata"),
    );
    errs.extend(validate_taints(node));
    errs.extend(validate_pod_cidrs(node));
    errs
}

/// Validates an update of a Node: pod CIDRs and provider ID may only be set once.
pub fn validate_node_update(new: &Node, old: &Node) -> ErrorList {
    let mut errs =
        validate_object_meta_update(&new.metadata, &old.metadata, &FieldPath::new("metadata"));
    let new_spec = new.spec.clone().unwrap_or_default();
    let old_spec = old.spec.clone().unwrap_or_default();
    let old_cidrs = old_spec.pod_cidrs.unwrap_or_default();
    if !old_cidrs.is_empty() {
        let new_cidrs = new_spec.pod_cidrs.unwrap_or_default();
        let message = "node updates may not change podCIDR except from \"\" to valid";
        let path = FieldPath::new("spec").child("podCIDRs");
        if new_cidrs.len() != old_cidrs.len() {
            errs.push(FieldError::forbidden(&path, message));
        } else {
            for (a, b) in new_cidrs.iter().zip(&old_cidrs) {
                if a != b {
                    errs.push(FieldError::forbidden(&path, message));
                }
            }
        }
    }
    let old_provider = old_spec.provider_id.unwrap_or_default();
    if !old_provider.is_empty() && new_spec.provider_id.unwrap_or_default() != old_provider {
        errs.push(FieldError::forbidden(
            &FieldPath::new("spec").child("providerID"),
            "node updates may not change providerID except from \"\" to valid",
        ));
    }
    errs.extend(validate_taints(new));
    errs.extend(validate_pod_cidrs(new));
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::validation::object_meta::tests::meta;
    use k8s_openapi::api::core::v1::{NodeSpec, Taint};

    #[test]
    fn node_taints_need_a_known_effect() {
        let node = |effect: &str| Node {
            metadata: meta("node-1", None),
            spec: Some(NodeSpec {
                taints: Some(vec![Taint {
                    key: "dedicated".into(),
                    effect: effect.into(),
                    value: Some("gpu".into()),
                    ..Taint::default()
                }]),
                ..NodeSpec::default()
            }),
            ..Node::default()
        };
        let cases = [
            ("NoSchedule is a known effect", node("NoSchedule"), vec![]),
            ("an unknown effect is unsupported", node("Never"),
                vec!["metadata.taints[0].effect: Unsupported value: \"Never\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\""]),
        ];
        for (name, n, want) in cases {
            let got: Vec<String> = validate_node(&n).iter().map(ToString::to_string).collect();
            assert_eq!(got, want, "{name}");
        }
    }
}
