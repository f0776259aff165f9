//! ReplicaSet defaults (`SetDefaults_ReplicaSet` in apps/v1): one replica, and the pod
//! template's defaults.

use k8s_openapi::api::apps::v1::ReplicaSet;

use super::pod_spec::apply_pod_spec_defaults;
use super::set_if_none;

/// Applies `SetDefaults_ReplicaSet` and the template's pod spec defaults.
pub fn apply_replica_set_defaults(replica_set: &mut ReplicaSet) {
    let spec = replica_set.spec.get_or_insert_with(Default::default);
    set_if_none(&mut spec.replicas, 1);
    if let Some(template) = &mut spec.template {
        apply_pod_spec_defaults(template.spec.get_or_insert_with(Default::default));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::ReplicaSetSpec;
    use k8s_openapi::api::core::v1::{Container, PodSpec, PodTemplateSpec};

    #[test]
    fn a_replica_set_without_replicas_gets_one() {
        let mut rs = ReplicaSet {
            spec: Some(ReplicaSetSpec {
                template: Some(PodTemplateSpec {
                    spec: Some(PodSpec {
                        containers: vec![Container {
                            name: "c".into(),
                            image: Some("nginx".into()),
                            ..Default::default()
                        }],
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        };
        apply_replica_set_defaults(&mut rs);
        let spec = rs.spec.unwrap_or_default();
        assert_eq!(spec.replicas, Some(1));
        let pod_spec = spec.template.and_then(|t| t.spec).unwrap_or_default();
        assert_eq!(pod_spec.restart_policy.as_deref(), Some("Always"));
        assert_eq!(
            pod_spec
                .containers
                .first()
                .and_then(|c| c.image_pull_policy.as_deref()),
            Some("Always")
        );
    }

    #[test]
    fn explicit_zero_replicas_are_kept() {
        let mut rs = ReplicaSet {
            spec: Some(ReplicaSetSpec {
                replicas: Some(0),
                ..Default::default()
            }),
            ..Default::default()
        };
        apply_replica_set_defaults(&mut rs);
        assert_eq!(rs.spec.and_then(|s| s.replicas), Some(0));
    }
}
