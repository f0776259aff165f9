//! Defaults of a pod spec wherever it appears: in a Pod and in the pod templates of
//! Deployments, ReplicaSets and ReplicationControllers.
//!
//! These are Kubernetes' `SetDefaults_PodSpec`, `SetDefaults_Container`, `SetDefaults_Probe`,
//! `SetDefaults_HTTPGetAction`, `SetDefaults_Volume` (and the volume sources' default modes),
//! `SetDefaults_ObjectFieldSelector` and the declarative container-port protocol. Pod-only
//! defaults (which must not appear in templates) live in `super::pod`. As in Go, an empty
//! string or a zero number counts as unset where the Go field is not a pointer.

use k8s_openapi::api::core::v1::{
    ContainerPort, EnvVar, Lifecycle, PodSecurityContext, PodSpec, Probe, Volume,
};

use super::image::default_image_pull_policy;
use super::{set_if_empty, set_if_none, set_if_zero};

/// `v1.DefaultTerminationGracePeriodSeconds`.
pub const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS: i64 = 30;
/// `v1.DefaultSchedulerName`.
pub const DEFAULT_SCHEDULER_NAME: &str = "default-scheduler";
/// `v1.TerminationMessagePathDefault`.
pub const DEFAULT_TERMINATION_MESSAGE_PATH: &str = "/dev/termination-log";
/// The default mode of files projected from a ConfigMap, Secret, downward API or projected
/// volume: 0644.
pub const DEFAULT_VOLUME_FILE_MODE: i32 = 0o644;

/// `SetDefaults_Container` and the defaults of what a container holds. A macro because
/// `Container` and `EphemeralContainer` are distinct types with the same fields.
macro_rules! default_container {
    ($container:expr) => {{
        let container = $container;
        if container
            .image_pull_policy
            .as_deref()
            .unwrap_or("")
            .is_empty()
        {
            let image = container.image.as_deref().unwrap_or("");
            container.image_pull_policy = Some(default_image_pull_policy(image).to_owned());
        }
        set_if_empty(
            &mut container.termination_message_path,
            DEFAULT_TERMINATION_MESSAGE_PATH,
        );
        set_if_empty(&mut container.termination_message_policy, "File");
        for port in container.ports.iter_mut().flatten() {
            apply_container_port_defaults(port);
        }
        for env in container.env.iter_mut().flatten() {
            apply_env_var_defaults(env);
        }
        for probe in [
            &mut container.liveness_probe,
            &mut container.readiness_probe,
            &mut container.startup_probe,
        ] {
            if let Some(probe) = probe {
                apply_probe_defaults(probe);
            }
        }
        if let Some(lifecycle) = &mut container.lifecycle {
            apply_lifecycle_defaults(lifecycle);
        }
    }};
}

/// Applies the pod spec defaults shared by Pods and pod templates.
pub fn apply_pod_spec_defaults(spec: &mut PodSpec) {
    set_if_empty(&mut spec.dns_policy, "ClusterFirst");
    set_if_empty(&mut spec.restart_policy, "Always");
    if spec.security_context.is_none() {
        spec.security_context = Some(PodSecurityContext::default());
    }
    set_if_none(
        &mut spec.termination_grace_period_seconds,
        DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS,
    );
    set_if_empty(&mut spec.scheduler_name, DEFAULT_SCHEDULER_NAME);

    for volume in spec.volumes.iter_mut().flatten() {
        apply_volume_defaults(volume);
    }
    for container in spec.init_containers.iter_mut().flatten() {
        default_container!(container);
    }
    for container in spec.containers.iter_mut() {
        default_container!(container);
    }
    for container in spec.ephemeral_containers.iter_mut().flatten() {
        default_container!(container);
    }
}

fn apply_container_port_defaults(port: &mut ContainerPort) {
    set_if_empty(&mut port.protocol, "TCP");
}

fn apply_env_var_defaults(env: &mut EnvVar) {
    if let Some(field_ref) = env.value_from.as_mut().and_then(|v| v.field_ref.as_mut()) {
        set_if_empty(&mut field_ref.api_version, "v1");
    }
}

/// `SetDefaults_Probe` and the HTTP action's path and scheme.
pub fn apply_probe_defaults(probe: &mut Probe) {
    set_if_zero(&mut probe.timeout_seconds, 1);
    set_if_zero(&mut probe.period_seconds, 10);
    set_if_zero(&mut probe.success_threshold, 1);
    set_if_zero(&mut probe.failure_threshold, 3);
    if let Some(http_get) = &mut probe.http_get {
        set_if_empty(&mut http_get.path, "/");
        set_if_empty(&mut http_get.scheme, "HTTP");
    }
}

fn apply_lifecycle_defaults(lifecycle: &mut Lifecycle) {
    for handler in [&mut lifecycle.post_start, &mut lifecycle.pre_stop]
        .into_iter()
        .flatten()
    {
        if let Some(http_get) = &mut handler.http_get {
            set_if_empty(&mut http_get.path, "/");
            set_if_empty(&mut http_get.scheme, "HTTP");
        }
    }
}

/// `SetDefaults_Volume` (a volume without a source is an emptyDir) and the default modes and
/// types of its source.
fn apply_volume_defaults(volume: &mut Volume) {
    if has_no_source(volume) {
        volume.empty_dir = Some(Default::default());
    }
    if let Some(host_path) = &mut volume.host_path {
        // HostPathUnset is the empty string, and it is stored as such.
        set_if_none(&mut host_path.type_, String::new());
    }
    if let Some(secret) = &mut volume.secret {
        set_if_none(&mut secret.default_mode, DEFAULT_VOLUME_FILE_MODE);
    }
    if let Some(config_map) = &mut volume.config_map {
        set_if_none(&mut config_map.default_mode, DEFAULT_VOLUME_FILE_MODE);
    }
    if let Some(downward_api) = &mut volume.downward_api {
        set_if_none(&mut downward_api.default_mode, DEFAULT_VOLUME_FILE_MODE);
        for item in downward_api.items.iter_mut().flatten() {
            if let Some(field_ref) = &mut item.field_ref {
                set_if_empty(&mut field_ref.api_version, "v1");
            }
        }
    }
    if let Some(projected) = &mut volume.projected {
        set_if_none(&mut projected.default_mode, DEFAULT_VOLUME_FILE_MODE);
        for source in projected.sources.iter_mut().flatten() {
            if let Some(downward_api) = &mut source.downward_api {
                for item in downward_api.items.iter_mut().flatten() {
                    if let Some(field_ref) = &mut item.field_ref {
                        set_if_empty(&mut field_ref.api_version, "v1");
                    }
                }
            }
            if let Some(token) = &mut source.service_account_token {
                set_if_none(&mut token.expiration_seconds, 3600);
            }
        }
    }
}

/// Whether every volume source field is unset. The volume's JSON form has only `name` then,
/// which checks all ~30 source fields without listing them.
fn has_no_source(volume: &Volume) -> bool {
    match serde_json::to_value(volume) {
        Ok(serde_json::Value::Object(map)) => map.keys().all(|key| key == "name"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{
        ConfigMapVolumeSource, Container, HTTPGetAction, HostPathVolumeSource,
    };
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

    fn spec_with(container: Container) -> PodSpec {
        PodSpec {
            containers: vec![container],
            ..Default::default()
        }
    }

    #[test]
    fn an_empty_spec_gets_the_pod_spec_defaults() {
        let mut spec = PodSpec::default();
        apply_pod_spec_defaults(&mut spec);
        assert_eq!(spec.dns_policy.as_deref(), Some("ClusterFirst"));
        assert_eq!(spec.restart_policy.as_deref(), Some("Always"));
        assert_eq!(spec.security_context, Some(PodSecurityContext::default()));
        assert_eq!(spec.termination_grace_period_seconds, Some(30));
        assert_eq!(spec.scheduler_name.as_deref(), Some("default-scheduler"));
        assert_eq!(spec.enable_service_links, None, "a Pod-only default");
    }

    #[test]
    fn explicit_pod_spec_values_are_kept() {
        let mut spec = PodSpec {
            dns_policy: Some("Default".into()),
            restart_policy: Some("Never".into()),
            termination_grace_period_seconds: Some(0),
            scheduler_name: Some("my-scheduler".into()),
            ..Default::default()
        };
        apply_pod_spec_defaults(&mut spec);
        assert_eq!(spec.dns_policy.as_deref(), Some("Default"));
        assert_eq!(spec.restart_policy.as_deref(), Some("Never"));
        assert_eq!(spec.termination_grace_period_seconds, Some(0));
        assert_eq!(spec.scheduler_name.as_deref(), Some("my-scheduler"));
    }

    #[test]
    fn container_image_pull_policy_follows_the_tag() {
        let table = [
            ("nginx", "Always"),
            ("nginx:1.25", "IfNotPresent"),
            ("nginx:latest", "Always"),
            (
                "nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
                "IfNotPresent",
            ),
        ];
        for (image, want) in table {
            let mut spec = spec_with(Container {
                name: "c".into(),
                image: Some(image.into()),
                ..Default::default()
            });
            apply_pod_spec_defaults(&mut spec);
            let policy = spec
                .containers
                .first()
                .and_then(|c| c.image_pull_policy.clone());
            assert_eq!(policy.as_deref(), Some(want), "{image}");
        }
    }

    #[test]
    fn explicit_container_values_are_kept() {
        let mut spec = spec_with(Container {
            name: "c".into(),
            image: Some("nginx".into()),
            image_pull_policy: Some("Never".into()),
            termination_message_path: Some("/tmp/msg".into()),
            termination_message_policy: Some("FallbackToLogsOnError".into()),
            ports: Some(vec![ContainerPort {
                container_port: 53,
                protocol: Some("UDP".into()),
                ..Default::default()
            }]),
            ..Default::default()
        });
        let before = spec.containers.clone();
        apply_pod_spec_defaults(&mut spec);
        assert_eq!(spec.containers, before);
    }

    #[test]
    fn a_container_gets_message_and_port_defaults() {
        let mut spec = spec_with(Container {
            name: "c".into(),
            image: Some("nginx:1.25".into()),
            ports: Some(vec![ContainerPort {
                container_port: 80,
                ..Default::default()
            }]),
            ..Default::default()
        });
        apply_pod_spec_defaults(&mut spec);
        let container = spec.containers.first().cloned().unwrap_or_default();
        assert_eq!(
            container.termination_message_path.as_deref(),
            Some("/dev/termination-log")
        );
        assert_eq!(
            container.termination_message_policy.as_deref(),
            Some("File")
        );
        let protocol = container
            .ports
            .unwrap_or_default()
            .first()
            .and_then(|p| p.protocol.clone());
        assert_eq!(protocol.as_deref(), Some("TCP"));
    }

    #[test]
    fn probes_get_timing_defaults_and_http_path_and_scheme() {
        let mut spec = spec_with(Container {
            name: "c".into(),
            liveness_probe: Some(Probe {
                http_get: Some(HTTPGetAction {
                    port: IntOrString::Int(8080),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            readiness_probe: Some(Probe {
                period_seconds: Some(5),
                failure_threshold: Some(0),
                ..Default::default()
            }),
            ..Default::default()
        });
        apply_pod_spec_defaults(&mut spec);
        let container = spec.containers.first().cloned().unwrap_or_default();
        let liveness = container.liveness_probe.unwrap_or_default();
        assert_eq!(
            (
                liveness.timeout_seconds,
                liveness.period_seconds,
                liveness.success_threshold,
                liveness.failure_threshold
            ),
            (Some(1), Some(10), Some(1), Some(3))
        );
        let http_get = liveness.http_get.unwrap_or_default();
        assert_eq!(
            (http_get.path.as_deref(), http_get.scheme.as_deref()),
            (Some("/"), Some("HTTP"))
        );
        let readiness = container.readiness_probe.unwrap_or_default();
        assert_eq!(readiness.period_seconds, Some(5), "explicit value kept");
        assert_eq!(
            readiness.failure_threshold,
            Some(3),
            "zero counts as unset, as in Go"
        );
    }

    #[test]
    fn volumes_get_their_source_defaults() {
        let mut spec = PodSpec {
            volumes: Some(vec![
                Volume {
                    name: "scratch".into(),
                    ..Default::default()
                },
                Volume {
                    name: "config".into(),
                    config_map: Some(ConfigMapVolumeSource {
                        name: "game-demo".into(),
                        ..Default::default()
                    }),
                    ..Default::default()
                },
                Volume {
                    name: "host".into(),
                    host_path: Some(HostPathVolumeSource {
                        path: "/var/log".into(),
                        type_: None,
                    }),
                    ..Default::default()
                },
            ]),
            ..Default::default()
        };
        apply_pod_spec_defaults(&mut spec);
        let volumes = serde_json::to_value(&spec.volumes).unwrap_or_default();
        assert_eq!(
            volumes,
            serde_json::json!([
                {"name": "scratch", "emptyDir": {}},
                {"name": "config", "configMap": {"name": "game-demo", "defaultMode": 420}},
                {"name": "host", "hostPath": {"path": "/var/log", "type": ""}},
            ])
        );
    }
}
