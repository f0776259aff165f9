//! `PodSpec` and `PodTemplateSpec` validation, shared by Pods and by every controller that embeds a
//! pod template (Deployment, ReplicaSet, ReplicationController).
//!
//! It follows Kubernetes' `ValidatePodSpec` and `validateContainers` for the fields kubeplay
//! runs: containers (names, images, ports, env, volume mounts, resources, probes, lifecycle),
//! init containers, volumes by name, restart and DNS policy, node selector, tolerations and the
//! scheduling fields. Because validation runs after defaulting, fields that defaulting always
//! fills (`restartPolicy`, `dnsPolicy`, `terminationGracePeriodSeconds`, each container's
//! `imagePullPolicy` and `terminationMessagePolicy`, port protocols) are required here, exactly
//! as the API server requires them.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{
    Container, ContainerPort, PodSpec, PodTemplateSpec, Probe, ResourceRequirements, Toleration,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::Value;

use super::field::{ErrorList, FieldError, FieldPath};
use super::names::{
    inclusive_range_error, is_config_map_key, is_dns1123_label, is_qualified_name,
    is_valid_label_value, is_valid_port_name, is_valid_port_num, NameRule,
};
use super::object_meta::{
    validate_annotations, validate_label_name, validate_labels, validate_nonnegative, IS_NEGATIVE,
};
use super::quantity::ParsedQuantity;

/// Port protocols, in the sorted order Kubernetes lists them.
pub(crate) const SUPPORTED_PROTOCOLS: [&str; 3] = ["SCTP", "TCP", "UDP"];
const RESTART_POLICIES: [&str; 3] = ["Always", "OnFailure", "Never"];
const DNS_POLICIES: [&str; 4] = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
const PULL_POLICIES: [&str; 3] = ["Always", "IfNotPresent", "Never"];
const TERMINATION_MESSAGE_POLICIES: [&str; 2] = ["File", "FallbackToLogsOnError"];
const HTTP_SCHEMES: [&str; 2] = ["HTTP", "HTTPS"];
const TAINT_EFFECTS: [&str; 3] = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
const MAX_INT32: i64 = i32::MAX as i64;

/// Invalid values for each string of `errs`, at `path`.
fn invalid_each(path: &FieldPath, value: &str, msgs: Vec<String>) -> ErrorList {
    msgs.into_iter()
        .map(|msg| FieldError::invalid(path, value, msg))
        .collect()
}

/// Checks a DNS-1123 label field (Kubernetes' `ValidateDNS1123Label`).
pub(crate) fn validate_dns1123_label(value: &str, path: &FieldPath) -> ErrorList {
    invalid_each(path, value, is_dns1123_label(value))
}

/// Checks a qualified-name field (Kubernetes' `ValidateQualifiedName`).
pub(crate) fn validate_qualified_name(value: &str, path: &FieldPath) -> ErrorList {
    invalid_each(path, value, is_qualified_name(value))
}

/// Checks an int-or-string port: a number 1-65535 or an IANA service name.
pub(crate) fn validate_port_num_or_name(port: &IntOrString, path: &FieldPath) -> ErrorList {
    match port {
        IntOrString::Int(n) => is_valid_port_num(i64::from(*n))
            .into_iter()
            .map(|msg| FieldError::invalid(path, *n, msg))
            .collect(),
        IntOrString::String(name) => invalid_each(path, name, is_valid_port_name(name)),
    }
}

/// Validates a pod template: its labels and annotations, and its pod spec.
pub fn validate_pod_template_spec(template: &PodTemplateSpec, path: &FieldPath) -> ErrorList {
    let meta = template.metadata.as_ref();
    let mut errs = validate_labels(meta.and_then(|m| m.labels.as_ref()), &path.child("labels"));
    errs.extend(validate_annotations(
        meta.and_then(|m| m.annotations.as_ref()),
        &path.child("annotations"),
    ));
    let spec_path = path.child("spec");
    match &template.spec {
        Some(spec) => {
            errs.extend(validate_pod_spec(spec, &spec_path));
            if spec
                .ephemeral_containers
                .as_ref()
                .is_some_and(|e| !e.is_empty())
            {
                errs.push(FieldError::forbidden(
                    &spec_path.child("ephemeralContainers"),
                    "ephemeral containers not allowed in pod template",
                ));
            }
        }
        None => errs.extend(validate_pod_spec(&PodSpec::default(), &spec_path)),
    }
    errs
}

/// Validates a pod spec (Kubernetes' `ValidatePodSpec`).
pub fn validate_pod_spec(spec: &PodSpec, path: &FieldPath) -> ErrorList {
    validate_pod_spec_on_node(spec, spec.node_name.as_deref(), path)
}

/// [`validate_pod_spec`] for a spec whose `nodeName` is kept apart (a stored pod's, see
/// `StoredPod::node_name`): `node_name` is checked in its place and `spec.node_name` ignored.
pub fn validate_pod_spec_on_node(
    spec: &PodSpec,
    node_name: Option<&str>,
    path: &FieldPath,
) -> ErrorList {
    let mut errs = ErrorList::new();
    if spec.termination_grace_period_seconds.is_none() {
        errs.push(FieldError::required(
            &path.child("terminationGracePeriodSeconds"),
            "",
        ));
    }
    let grace_period = spec.termination_grace_period_seconds;
    let volumes = validate_volumes(spec, &path.child("volumes"), &mut errs);
    let restart_policy = spec.restart_policy.as_deref().unwrap_or("");
    errs.extend(validate_containers(
        &spec.containers,
        &volumes,
        grace_period,
        &path.child("containers"),
    ));
    errs.extend(validate_init_containers(
        spec.init_containers.as_deref().unwrap_or_default(),
        &spec.containers,
        &volumes,
        grace_period,
        &path.child("initContainers"),
    ));
    errs.extend(validate_host_network_ports(spec, path));
    let restart_path = path.child("restartPolicy");
    match restart_policy {
        "" => errs.push(FieldError::required(&restart_path, "")),
        p if RESTART_POLICIES.contains(&p) => {}
        p => errs.push(FieldError::not_supported(
            &restart_path,
            p,
            &RESTART_POLICIES,
        )),
    }
    let dns_path = path.child("dnsPolicy");
    let dns_policy = spec.dns_policy.as_deref().unwrap_or("");
    match dns_policy {
        "" => errs.push(FieldError::required(&dns_path, "")),
        p if DNS_POLICIES.contains(&p) => {}
        p => errs.push(FieldError::not_supported(&dns_path, p, &DNS_POLICIES)),
    }
    errs.extend(validate_labels(
        spec.node_selector.as_ref(),
        &path.child("nodeSelector"),
    ));
    if dns_policy == "None" {
        let config_path = path.child("dnsConfig");
        match &spec.dns_config {
            None => errs.push(FieldError::required(
                &config_path,
                "must provide `dnsConfig` when `dnsPolicy` is None",
            )),
            Some(config) if config.nameservers.as_ref().is_none_or(Vec::is_empty) => {
                errs.push(FieldError::required(
                    &config_path.child("nameservers"),
                    "must provide at least one DNS nameserver when `dnsPolicy` is None",
                ));
            }
            Some(_) => {}
        }
    }
    if let Some(name) = spec
        .service_account_name
        .as_deref()
        .filter(|n| !n.is_empty())
    {
        errs.extend(invalid_each(
            &path.child("serviceAccountName"),
            name,
            NameRule::Dns1123Subdomain.check(name, false),
        ));
    }
    if let Some(node) = node_name.filter(|n| !n.is_empty()) {
        errs.extend(invalid_each(
            &path.child("nodeName"),
            node,
            NameRule::Dns1123Subdomain.check(node, false),
        ));
    }
    if let Some(deadline) = spec.active_deadline_seconds {
        if !(1..=MAX_INT32).contains(&deadline) {
            errs.push(FieldError::invalid(
                &path.child("activeDeadlineSeconds"),
                deadline,
                inclusive_range_error(1, MAX_INT32),
            ));
        }
    }
    if let Some(hostname) = spec.hostname.as_deref().filter(|h| !h.is_empty()) {
        errs.extend(validate_dns1123_label(hostname, &path.child("hostname")));
    }
    if let Some(subdomain) = spec.subdomain.as_deref().filter(|s| !s.is_empty()) {
        errs.extend(validate_dns1123_label(subdomain, &path.child("subdomain")));
    }
    if let Some(tolerations) = spec.tolerations.as_deref().filter(|t| !t.is_empty()) {
        errs.extend(validate_tolerations(
            tolerations,
            &path.child("tolerations"),
        ));
    }
    if let Some(class) = spec
        .priority_class_name
        .as_deref()
        .filter(|c| !c.is_empty())
    {
        errs.extend(invalid_each(
            &path.child("priorityClassName"),
            class,
            NameRule::Dns1123Subdomain.check(class, false),
        ));
    }
    errs
}

/// Checks volume names and that each volume names exactly one source; returns the valid names.
fn validate_volumes(spec: &PodSpec, path: &FieldPath, errs: &mut ErrorList) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (i, volume) in spec.volumes.iter().flatten().enumerate() {
        let index_path = path.index(i);
        let name_path = index_path.child("name");
        let mut volume_errs = ErrorList::new();
        // A volume's JSON form has its name plus one key per source (emptyDir, configMap…).
        let sources: Vec<String> = match serde_json::to_value(volume) {
            Ok(Value::Object(map)) => map.keys().filter(|k| *k != "name").cloned().collect(),
            Ok(_) | Err(_) => Vec::new(),
        };
        if sources.is_empty() {
            volume_errs.push(FieldError::required(
                &index_path,
                "must specify a volume type",
            ));
        }
        for extra in sources.iter().skip(1) {
            volume_errs.push(FieldError::forbidden(
                &index_path.child(extra),
                "may not specify more than 1 volume type",
            ));
        }
        if volume.name.is_empty() {
            volume_errs.push(FieldError::required(&name_path, ""));
        } else {
            volume_errs.extend(validate_dns1123_label(&volume.name, &name_path));
        }
        if names.contains(&volume.name) {
            volume_errs.push(FieldError::duplicate(&name_path, volume.name.as_str()));
        }
        if volume_errs.is_empty() {
            names.insert(volume.name.clone());
        } else {
            errs.extend(volume_errs);
        }
    }
    names
}

/// Validates the regular containers: the common checks, unique names, probes and lifecycle.
fn validate_containers(
    containers: &[Container],
    volumes: &BTreeSet<String>,
    grace_period: Option<i64>,
    path: &FieldPath,
) -> ErrorList {
    if containers.is_empty() {
        return vec![FieldError::required(path, "")];
    }
    let mut errs = ErrorList::new();
    let mut names = BTreeSet::new();
    for (i, container) in containers.iter().enumerate() {
        let container_path = path.index(i);
        errs.extend(validate_container_common(
            container,
            volumes,
            &container_path,
        ));
        if !names.insert(container.name.as_str()) {
            errs.push(FieldError::duplicate(
                &container_path.child("name"),
                container.name.as_str(),
            ));
        }
        errs.extend(validate_lifecycle_and_probes(
            container,
            grace_period,
            &container_path,
        ));
        if container.restart_policy.is_some() {
            errs.push(FieldError::forbidden(
                &container_path.child("restartPolicy"),
                "may not be set for non-init containers",
            ));
        }
    }
    errs.extend(check_host_port_conflicts(containers, path));
    errs
}

/// Validates init containers: the common checks, names unique across all containers, and
/// probes only for restartable (sidecar) init containers.
fn validate_init_containers(
    containers: &[Container],
    regular: &[Container],
    volumes: &BTreeSet<String>,
    grace_period: Option<i64>,
    path: &FieldPath,
) -> ErrorList {
    let mut errs = ErrorList::new();
    let mut names: BTreeSet<&str> = regular.iter().map(|c| c.name.as_str()).collect();
    for (i, container) in containers.iter().enumerate() {
        let container_path = path.index(i);
        errs.extend(validate_container_common(
            container,
            volumes,
            &container_path,
        ));
        let restart_always = match container.restart_policy.as_deref() {
            None => false,
            Some("Always") => true,
            Some(other) => {
                errs.push(FieldError::not_supported(
                    &container_path.child("restartPolicy"),
                    other,
                    &["Always"],
                ));
                false
            }
        };
        if names.contains(container.name.as_str()) {
            errs.push(FieldError::duplicate(
                &container_path.child("name"),
                container.name.as_str(),
            ));
        } else if !container.name.is_empty() {
            names.insert(container.name.as_str());
        }
        errs.extend(check_host_port_conflicts(
            std::slice::from_ref(container),
            path,
        ));
        if restart_always {
            errs.extend(validate_lifecycle_and_probes(
                container,
                grace_period,
                &container_path,
            ));
        } else {
            let forbidden = "may not be set for init containers without restartPolicy=Always";
            let present = [
                ("lifecycle", container.lifecycle.is_some()),
                ("livenessProbe", container.liveness_probe.is_some()),
                ("readinessProbe", container.readiness_probe.is_some()),
                ("startupProbe", container.startup_probe.is_some()),
            ];
            for (field, set) in present {
                if set {
                    errs.push(FieldError::forbidden(
                        &container_path.child(field),
                        forbidden,
                    ));
                }
            }
        }
    }
    errs
}

/// Checks the fields every kind of container shares (Kubernetes' `validateContainerCommon`).
fn validate_container_common(
    container: &Container,
    volumes: &BTreeSet<String>,
    path: &FieldPath,
) -> ErrorList {
    let mut errs = ErrorList::new();
    let name_path = path.child("name");
    if container.name.is_empty() {
        errs.push(FieldError::required(&name_path, ""));
    } else {
        errs.extend(validate_dns1123_label(&container.name, &name_path));
    }
    if container.image.as_deref().unwrap_or("").is_empty() {
        errs.push(FieldError::required(&path.child("image"), ""));
    }
    let policy_path = path.child("terminationMessagePolicy");
    match container
        .termination_message_policy
        .as_deref()
        .unwrap_or("")
    {
        "" => errs.push(FieldError::required(&policy_path, "")),
        p if TERMINATION_MESSAGE_POLICIES.contains(&p) => {}
        p => errs.push(FieldError::not_supported(
            &policy_path,
            p,
            &TERMINATION_MESSAGE_POLICIES,
        )),
    }
    errs.extend(validate_container_ports(
        container.ports.as_deref().unwrap_or_default(),
        &path.child("ports"),
    ));
    for (i, env) in container.env.iter().flatten().enumerate() {
        let env_name_path = path.child("env").index(i).child("name");
        if env.name.is_empty() {
            errs.push(FieldError::required(&env_name_path, ""));
        } else if env
            .name
            .chars()
            .any(|c| !c.is_ascii() || c.is_ascii_control() || c == '=')
        {
            errs.push(FieldError::invalid(
                &env_name_path,
                env.name.as_str(),
                "a valid environment variable name must consist only of printable ASCII characters other than '='",
            ));
        }
        if let Some(source) = &env.value_from {
            if let Some(key_ref) = &source.config_map_key_ref {
                let key_path = path
                    .child("env")
                    .index(i)
                    .child("valueFrom")
                    .child("configMapKeyRef")
                    .child("key");
                if key_ref.key.is_empty() {
                    errs.push(FieldError::required(&key_path, ""));
                } else {
                    errs.extend(invalid_each(
                        &key_path,
                        &key_ref.key,
                        is_config_map_key(&key_ref.key),
                    ));
                }
            }
        }
    }
    let mut mount_paths = BTreeSet::new();
    for (i, mount) in container.volume_mounts.iter().flatten().enumerate() {
        let mount_path = path.child("volumeMounts").index(i);
        if mount.name.is_empty() {
            errs.push(FieldError::required(&mount_path.child("name"), ""));
        }
        if !volumes.contains(&mount.name) {
            errs.push(FieldError::not_found(
                &mount_path.child("name"),
                mount.name.as_str(),
            ));
        }
        if mount.mount_path.is_empty() {
            errs.push(FieldError::required(&mount_path.child("mountPath"), ""));
        }
        if !mount_paths.insert(mount.mount_path.as_str()) {
            errs.push(FieldError::invalid(
                &mount_path.child("mountPath"),
                mount.mount_path.as_str(),
                "must be unique",
            ));
        }
    }
    let pull_path = path.child("imagePullPolicy");
    match container.image_pull_policy.as_deref().unwrap_or("") {
        "" => errs.push(FieldError::required(&pull_path, "")),
        p if PULL_POLICIES.contains(&p) => {}
        p => errs.push(FieldError::not_supported(&pull_path, p, &PULL_POLICIES)),
    }
    if let Some(resources) = &container.resources {
        errs.extend(validate_resource_requirements(
            resources,
            &path.child("resources"),
        ));
    }
    errs
}

/// Checks container ports (Kubernetes' `validateContainerPorts`).
fn validate_container_ports(ports: &[ContainerPort], path: &FieldPath) -> ErrorList {
    let mut errs = ErrorList::new();
    let mut names = BTreeSet::new();
    for (i, port) in ports.iter().enumerate() {
        let port_path = path.index(i);
        if let Some(name) = port.name.as_deref().filter(|n| !n.is_empty()) {
            let msgs = is_valid_port_name(name);
            if !msgs.is_empty() {
                errs.extend(invalid_each(&port_path.child("name"), name, msgs));
            } else if !names.insert(name) {
                errs.push(FieldError::duplicate(&port_path.child("name"), name));
            }
        }
        if port.container_port == 0 {
            errs.push(FieldError::required(&port_path.child("containerPort"), ""));
        } else {
            for msg in is_valid_port_num(i64::from(port.container_port)) {
                errs.push(FieldError::invalid(
                    &port_path.child("containerPort"),
                    port.container_port,
                    msg,
                ));
            }
        }
        if let Some(host_port) = port.host_port.filter(|p| *p != 0) {
            for msg in is_valid_port_num(i64::from(host_port)) {
                errs.push(FieldError::invalid(
                    &port_path.child("hostPort"),
                    host_port,
                    msg,
                ));
            }
        }
        errs.extend(validate_protocol(
            port.protocol.as_deref(),
            &port_path.child("protocol"),
        ));
    }
    errs
}

/// Checks a port protocol: required, and one of SCTP, TCP, UDP.
pub(crate) fn validate_protocol(protocol: Option<&str>, path: &FieldPath) -> ErrorList {
    match protocol.unwrap_or("") {
        "" => vec![FieldError::required(path, "")],
        p if SUPPORTED_PROTOCOLS.contains(&p) => ErrorList::new(),
        p => vec![FieldError::not_supported(path, p, &SUPPORTED_PROTOCOLS)],
    }
}

/// Reports host ports used twice (same protocol, host IP and port) across `containers`.
fn check_host_port_conflicts(containers: &[Container], path: &FieldPath) -> ErrorList {
    let mut errs = ErrorList::new();
    let mut seen = BTreeSet::new();
    for (ci, container) in containers.iter().enumerate() {
        for (pi, port) in container.ports.iter().flatten().enumerate() {
            let host_port = port.host_port.unwrap_or(0);
            if host_port == 0 {
                continue;
            }
            let key = format!(
                "{}/{}/{}",
                port.protocol.as_deref().unwrap_or(""),
                port.host_ip.as_deref().unwrap_or(""),
                host_port
            );
            if seen.contains(&key) {
                let port_path = path.index(ci).child("ports").index(pi).child("hostPort");
                errs.push(FieldError::duplicate(&port_path, key));
            } else {
                seen.insert(key);
            }
        }
    }
    errs
}

/// With `hostNetwork`, a Pod's host ports must equal its container ports.
fn validate_host_network_ports(spec: &PodSpec, path: &FieldPath) -> ErrorList {
    let mut errs = ErrorList::new();
    if spec.host_network != Some(true) {
        return errs;
    }
    for (ci, container) in spec.containers.iter().enumerate() {
        for (pi, port) in container.ports.iter().flatten().enumerate() {
            let host_port = port.host_port.unwrap_or(0);
            if host_port != 0 && host_port != port.container_port {
                let port_path = path
                    .child("containers")
                    .index(ci)
                    .child("ports")
                    .index(pi)
                    .child("hostPort");
                errs.push(FieldError::invalid(
                    &port_path,
                    host_port,
                    "must match `containerPort` when `hostNetwork` is true",
                ));
            }
        }
    }
    errs
}

/// Validates a container's lifecycle hooks and its three probes.
fn validate_lifecycle_and_probes(
    container: &Container,
    grace_period: Option<i64>,
    path: &FieldPath,
) -> ErrorList {
    let mut errs = ErrorList::new();
    if let Some(lifecycle) = &container.lifecycle {
        let hooks = [
            ("postStart", &lifecycle.post_start),
            ("preStop", &lifecycle.pre_stop),
        ];
        for (name, hook) in hooks {
            if let Some(hook) = hook {
                let handler = Handler {
                    exec: hook
                        .exec
                        .as_ref()
                        .map(|e| e.command.as_deref().unwrap_or_default()),
                    http_get: hook.http_get.as_ref(),
                    tcp_port: hook.tcp_socket.as_ref().map(|t| &t.port),
                    grpc_port: None,
                    sleep_seconds: hook.sleep.as_ref().map(|s| s.seconds),
                };
                errs.extend(validate_handler(
                    &handler,
                    grace_period,
                    &path.child("lifecycle").child(name),
                ));
            }
        }
    }
    if let Some(probe) = &container.liveness_probe {
        let probe_path = path.child("livenessProbe");
        errs.extend(validate_probe(probe, grace_period, &probe_path));
        errs.extend(require_success_threshold_one(probe, &probe_path));
    }
    if let Some(probe) = &container.readiness_probe {
        let probe_path = path.child("readinessProbe");
        errs.extend(validate_probe(probe, grace_period, &probe_path));
        if let Some(seconds) = probe.termination_grace_period_seconds {
            errs.push(FieldError::invalid(
                &probe_path.child("terminationGracePeriodSeconds"),
                seconds,
                "must not be set for readinessProbes",
            ));
        }
    }
    if let Some(probe) = &container.startup_probe {
        let probe_path = path.child("startupProbe");
        errs.extend(validate_probe(probe, grace_period, &probe_path));
        errs.extend(require_success_threshold_one(probe, &probe_path));
    }
    errs
}

fn require_success_threshold_one(probe: &Probe, path: &FieldPath) -> ErrorList {
    match probe.success_threshold {
        Some(threshold) if threshold != 1 => vec![FieldError::invalid(
            &path.child("successThreshold"),
            threshold,
            "must be 1",
        )],
        Some(_) | None => ErrorList::new(),
    }
}

/// The action a probe or lifecycle hook runs (Kubernetes' `commonHandler`).
struct Handler<'a> {
    exec: Option<&'a [String]>,
    http_get: Option<&'a k8s_openapi::api::core::v1::HTTPGetAction>,
    tcp_port: Option<&'a IntOrString>,
    grpc_port: Option<i32>,
    sleep_seconds: Option<i64>,
}

fn validate_handler(
    handler: &Handler<'_>,
    grace_period: Option<i64>,
    path: &FieldPath,
) -> ErrorList {
    let mut errs = ErrorList::new();
    let mut count = 0;
    let mut take = |name: &str, errs: &mut ErrorList| -> bool {
        if count > 0 {
            errs.push(FieldError::forbidden(
                &path.child(name),
                "may not specify more than 1 handler type",
            ));
            false
        } else {
            count += 1;
            true
        }
    };
    if let Some(command) = handler.exec {
        if take("exec", &mut errs) && command.is_empty() {
            errs.push(FieldError::required(
                &path.child("exec").child("command"),
                "",
            ));
        }
    }
    if let Some(http) = handler.http_get {
        if take("httpGet", &mut errs) {
            let http_path = path.child("httpGet");
            if http.path.as_deref().unwrap_or("").is_empty() {
                errs.push(FieldError::required(&http_path.child("path"), ""));
            }
            errs.extend(validate_port_num_or_name(
                &http.port,
                &http_path.child("port"),
            ));
            let scheme = http.scheme.as_deref().unwrap_or("");
            if !HTTP_SCHEMES.contains(&scheme) {
                errs.push(FieldError::not_supported(
                    &http_path.child("scheme"),
                    scheme,
                    &HTTP_SCHEMES,
                ));
            }
        }
    }
    if let Some(port) = handler.tcp_port {
        if take("tcpSocket", &mut errs) {
            errs.extend(validate_port_num_or_name(
                port,
                &path.child("tcpSocket").child("port"),
            ));
        }
    }
    if let Some(port) = handler.grpc_port {
        if take("grpc", &mut errs) {
            errs.extend(validate_port_num_or_name(
                &IntOrString::Int(port),
                &path.child("grpc").child("port"),
            ));
        }
    }
    if let Some(seconds) = handler.sleep_seconds {
        if take("sleep", &mut errs) {
            let grace = grace_period.unwrap_or(0);
            if seconds <= 0 || seconds > grace {
                errs.push(FieldError::invalid(
                    &path.child("sleep"),
                    seconds,
                    format!("must be greater than 0 and less than terminationGracePeriodSeconds ({grace})"),
                ));
            }
        }
    }
    if count == 0 {
        errs.push(FieldError::required(path, "must specify a handler type"));
    }
    errs
}

/// Validates a probe (Kubernetes' `validateProbe`).
fn validate_probe(probe: &Probe, grace_period: Option<i64>, path: &FieldPath) -> ErrorList {
    let handler = Handler {
        exec: probe
            .exec
            .as_ref()
            .map(|e| e.command.as_deref().unwrap_or_default()),
        http_get: probe.http_get.as_ref(),
        tcp_port: probe.tcp_socket.as_ref().map(|t| &t.port),
        grpc_port: probe.grpc.as_ref().map(|g| g.port),
        sleep_seconds: None,
    };
    let mut errs = validate_handler(&handler, grace_period, path);
    let numbers = [
        ("initialDelaySeconds", probe.initial_delay_seconds),
        ("timeoutSeconds", probe.timeout_seconds),
        ("periodSeconds", probe.period_seconds),
        ("successThreshold", probe.success_threshold),
        ("failureThreshold", probe.failure_threshold),
    ];
    for (name, value) in numbers {
        errs.extend(validate_nonnegative(
            i64::from(value.unwrap_or(0)),
            &path.child(name),
        ));
    }
    if let Some(seconds) = probe.termination_grace_period_seconds.filter(|s| *s <= 0) {
        errs.push(FieldError::invalid(
            &path.child("terminationGracePeriodSeconds"),
            seconds,
            "must be greater than 0",
        ));
    }
    errs
}

/// Whether a resource name is Kubernetes-native (no prefix, or a `kubernetes.io/` one).
fn is_native_resource(name: &str) -> bool {
    !name.contains('/') || name.contains("kubernetes.io/")
}

/// Extended resources (`example.com/gpu`) and hugepages may not be overcommitted.
fn is_overcommit_allowed(name: &str) -> bool {
    is_native_resource(name) && !name.starts_with("hugepages-")
}

/// Checks a container resource name (Kubernetes' `validateContainerResourceName`).
fn validate_container_resource_name(name: &str, path: &FieldPath) -> ErrorList {
    let mut errs = invalid_each(path, name, is_qualified_name(name));
    if !errs.is_empty() {
        return errs;
    }
    if !name.contains('/') {
        let standard = matches!(name, "cpu" | "memory" | "ephemeral-storage")
            || name.starts_with("hugepages-");
        if !standard {
            errs.push(FieldError::invalid(
                path,
                name,
                "must be a standard resource for containers",
            ));
        }
    } else if !is_native_resource(name)
        && (name.starts_with("requests.")
            || !is_qualified_name(&format!("requests.{name}")).is_empty())
    {
        errs.push(FieldError::invalid(
            path,
            name,
            "doesn't follow extended resource name standard",
        ));
    }
    errs
}

/// Parses each quantity of a resource list, reporting unparsable ones and negative values.
fn parse_resource_list<'a>(
    list: Option<&'a BTreeMap<String, Quantity>>,
    path: &FieldPath,
    errs: &mut ErrorList,
) -> BTreeMap<&'a str, ParsedQuantity> {
    let mut parsed = BTreeMap::new();
    for (name, quantity) in list.into_iter().flatten() {
        let entry_path = path.key(name);
        errs.extend(validate_container_resource_name(name, &entry_path));
        match ParsedQuantity::parse(&quantity.0) {
            Ok(q) => {
                if q.is_negative() {
                    errs.push(FieldError::invalid(&entry_path, q.to_string(), IS_NEGATIVE));
                }
                if !is_native_resource(name) && !q.is_integer() {
                    errs.push(FieldError::invalid(
                        &entry_path,
                        q.to_string(),
                        "must be an integer",
                    ));
                }
                parsed.insert(name.as_str(), q);
            }
            Err(e) => errs.push(FieldError::invalid(
                &entry_path,
                quantity.0.as_str(),
                e.to_string(),
            )),
        }
    }
    parsed
}

/// Validates requests and limits: known names, valid non-negative quantities, and every request
/// at most its limit (Kubernetes' `ValidateResourceRequirements`).
pub fn validate_resource_requirements(
    requirements: &ResourceRequirements,
    path: &FieldPath,
) -> ErrorList {
    let mut errs = ErrorList::new();
    let limits_path = path.child("limits");
    let requests_path = path.child("requests");
    let limits = parse_resource_list(requirements.limits.as_ref(), &limits_path, &mut errs);
    let requests = parse_resource_list(requirements.requests.as_ref(), &requests_path, &mut errs);
    for (name, request) in &requests {
        match limits.get(name) {
            Some(limit) if !is_overcommit_allowed(name) && request != limit => {
                errs.push(FieldError::invalid(
                    &requests_path,
                    request.to_string(),
                    format!("must be equal to {name} limit of {limit}"),
                ));
            }
            Some(limit) if request > limit => errs.push(FieldError::invalid(
                &requests_path,
                request.to_string(),
                format!("must be less than or equal to {name} limit of {limit}"),
            )),
            Some(_) => {}
            None if !is_overcommit_allowed(name) => errs.push(FieldError::required(
                &limits_path,
                "Limit must be set for non overcommitable resources",
            )),
            None => {}
        }
    }
    errs
}

/// Validates tolerations (Kubernetes' `ValidateTolerations`).
pub(crate) fn validate_tolerations(tolerations: &[Toleration], path: &FieldPath) -> ErrorList {
    let mut errs = ErrorList::new();
    for (i, toleration) in tolerations.iter().enumerate() {
        let index_path = path.index(i);
        let key = toleration.key.as_deref().unwrap_or("");
        let operator = toleration.operator.as_deref().unwrap_or("");
        let effect = toleration.effect.as_deref().unwrap_or("");
        let value = toleration.value.as_deref().unwrap_or("");
        if !key.is_empty() {
            errs.extend(validate_label_name(key, &index_path.child("key")));
        }
        if key.is_empty() && operator != "Exists" {
            errs.push(FieldError::invalid(
                &index_path.child("operator"),
                operator,
                "operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
            ));
        }
        if toleration.toleration_seconds.is_some() && effect != "NoExecute" {
            errs.push(FieldError::invalid(
                &index_path.child("effect"),
                effect,
                "effect must be 'NoExecute' when `tolerationSeconds` is set",
            ));
        }
        match operator {
            "Equal" | "" => {
                let msgs = is_valid_label_value(value);
                if !msgs.is_empty() {
                    errs.push(FieldError::invalid(
                        &index_path.child("operator"),
                        value,
                        msgs.join(";"),
                    ));
                }
            }
            "Exists" => {
                if !value.is_empty() {
                    errs.push(FieldError::invalid(
                        &index_path.child("operator"),
                        serde_json::to_value(toleration).unwrap_or(Value::Null),
                        "value must be empty when `operator` is 'Exists'",
                    ));
                }
            }
            other => errs.push(FieldError::not_supported(
                &index_path.child("operator"),
                other,
                &["Equal", "Exists"],
            )),
        }
        if !effect.is_empty() && !TAINT_EFFECTS.contains(&effect) {
            errs.push(FieldError::not_supported(
                &index_path.child("effect"),
                effect,
                &TAINT_EFFECTS,
            ));
        }
    }
    errs
}

/// Taint effects, for Node validation.
pub(crate) fn taint_effects() -> &'static [&'static str] {
    &TAINT_EFFECTS
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{HTTPGetAction, Volume, VolumeMount};

    /// A container as defaulting leaves it.
    pub(crate) fn container(name: &str, image: &str) -> Container {
        Container {
            name: name.to_string(),
            image: Some(image.to_string()),
            image_pull_policy: Some("IfNotPresent".into()),
            termination_message_policy: Some("File".into()),
            termination_message_path: Some("/dev/termination-log".into()),
            ..Container::default()
        }
    }

    /// A pod spec as defaulting leaves it.
    pub(crate) fn spec(containers: Vec<Container>) -> PodSpec {
        PodSpec {
            containers,
            restart_policy: Some("Always".into()),
            dns_policy: Some("ClusterFirst".into()),
            termination_grace_period_seconds: Some(30),
            ..PodSpec::default()
        }
    }

    fn messages(spec: &PodSpec) -> Vec<String> {
        validate_pod_spec(spec, &FieldPath::new("spec"))
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    fn port(number: i32, name: Option<&str>, protocol: &str) -> ContainerPort {
        ContainerPort {
            container_port: number,
            name: name.map(str::to_string),
            protocol: Some(protocol.to_string()),
            ..ContainerPort::default()
        }
    }

    fn resources(requests: &[(&str, &str)], limits: &[(&str, &str)]) -> ResourceRequirements {
        let list = |items: &[(&str, &str)]| {
            (!items.is_empty()).then(|| {
                items
                    .iter()
                    .map(|(k, v)| (k.to_string(), Quantity(v.to_string())))
                    .collect()
            })
        };
        ResourceRequirements {
            requests: list(requests),
            limits: list(limits),
            ..ResourceRequirements::default()
        }
    }

    #[test]
    fn pod_spec_reports_common_container_mistakes_like_kubernetes() {
        let with = |f: &dyn Fn(&mut PodSpec)| {
            let mut s = spec(vec![container("web", "nginx")]);
            f(&mut s);
            s
        };
        let cases: Vec<(&str, PodSpec, Vec<&str>)> = vec![
            ("a defaulted single-container spec is valid", with(&|_| {}), vec![]),
            ("no containers at all is required", spec(vec![]), vec!["spec.containers: Required value"]),
            ("a missing image is required", with(&|s| s.containers[0].image = None),
                vec!["spec.containers[0].image: Required value"]),
            ("two containers with one name are duplicates", with(&|s| s.containers.push(container("web", "redis"))),
                vec!["spec.containers[1].name: Duplicate value: \"web\""]),
            ("an upper-case container name is invalid", with(&|s| s.containers[0].name = "Web".into()),
                vec!["spec.containers[0].name: Invalid value: \"Web\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"]),
            ("a port above 65535 is out of range", with(&|s| s.containers[0].ports = Some(vec![port(70000, None, "TCP")])),
                vec!["spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"]),
            ("a port name longer than 15 characters is invalid", with(&|s| s.containers[0].ports = Some(vec![port(80, Some("http-web-server-1"), "TCP")])),
                vec!["spec.containers[0].ports[0].name: Invalid value: \"http-web-server-1\": must be no more than 15 characters"]),
            ("two ports with one name are duplicates", with(&|s| s.containers[0].ports = Some(vec![port(80, Some("http"), "TCP"), port(81, Some("http"), "TCP")])),
                vec!["spec.containers[0].ports[1].name: Duplicate value: \"http\""]),
            ("an unknown protocol is unsupported", with(&|s| s.containers[0].ports = Some(vec![port(80, None, "HTTP")])),
                vec!["spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\""]),
            ("an unknown restart policy is unsupported", with(&|s| s.restart_policy = Some("Sometimes".into())),
                vec!["spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\""]),
            ("an unknown dns policy is unsupported", with(&|s| s.dns_policy = Some("Cluster".into())),
                vec!["spec.dnsPolicy: Unsupported value: \"Cluster\": supported values: \"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\""]),
            ("a request above its limit is invalid", with(&|s| s.containers[0].resources = Some(resources(&[("cpu", "1")], &[("cpu", "500m")]))),
                vec!["spec.containers[0].resources.requests: Invalid value: \"1\": must be less than or equal to cpu limit of 500m"]),
            ("a negative memory request is invalid", with(&|s| s.containers[0].resources = Some(resources(&[("memory", "-128Mi")], &[]))),
                vec!["spec.containers[0].resources.requests[memory]: Invalid value: \"-128Mi\": must be greater than or equal to 0"]),
            ("an unknown resource name is not standard", with(&|s| s.containers[0].resources = Some(resources(&[("gpu", "1")], &[]))),
                vec!["spec.containers[0].resources.requests[gpu]: Invalid value: \"gpu\": must be a standard resource for containers"]),
            ("a mount of an undeclared volume is not found", with(&|s| s.containers[0].volume_mounts = Some(vec![VolumeMount { name: "data".into(), mount_path: "/data".into(), ..VolumeMount::default() }])),
                vec!["spec.containers[0].volumeMounts[0].name: Not found: \"data\""]),
            ("a volume without a source needs a type", with(&|s| s.volumes = Some(vec![Volume { name: "data".into(), ..Volume::default() }])),
                vec!["spec.volumes[0]: Required value: must specify a volume type"]),
            ("a probe without a handler needs one", with(&|s| s.containers[0].liveness_probe = Some(Probe::default())),
                vec!["spec.containers[0].livenessProbe: Required value: must specify a handler type"]),
            ("a liveness probe must succeed once", with(&|s| s.containers[0].liveness_probe = Some(Probe { http_get: Some(HTTPGetAction { path: Some("/".into()), port: IntOrString::Int(80), scheme: Some("HTTP".into()), ..HTTPGetAction::default() }), success_threshold: Some(2), ..Probe::default() })),
                vec!["spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"]),
            ("a missing grace period is required", with(&|s| s.termination_grace_period_seconds = None),
                vec!["spec.terminationGracePeriodSeconds: Required value"]),
        ];
        for (name, s, want) in cases {
            assert_eq!(messages(&s), want, "{name}");
        }
    }
}
