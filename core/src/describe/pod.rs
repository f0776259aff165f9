//! `kubectl describe pod`, and the pieces of it that the workload describers reuse: the
//! containers block (image, ports, state, probes, environment, mounts), the volumes block
//! and the `Pod Template:` section of ReplicaSets, ReplicationControllers and Deployments.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStatus, EnvVar, PodTemplateSpec, Probe,
    ResourceRequirements, Volume,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use crate::api::validation::quantity::ParsedQuantity;
use crate::apiserver::registry::pod_qos_class;
use crate::sim::clock::Timestamp;

use super::events::describe_events;
use super::format::{
    annotations_multiline, controlled_by, int_or_string, labels_multiline, print_bool, quantity,
    rfc1123z, since, string_or_none, tolerations_multiline,
};
use super::writer::{w, PrefixWriter, LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3};
use crate::api::objects::StoredPod;
use k8s_openapi::api::core::v1::Event;

/// `describePod`.
pub(crate) fn describe_pod(pod: &StoredPod, events: Option<&[Event]>, now: Timestamp) -> String {
    let mut w = PrefixWriter::new();
    let meta = &pod.metadata;
    let default_spec = Default::default();
    let spec = pod.spec.as_deref().unwrap_or(&default_spec);
    let status = pod.to_status().unwrap_or_default();
    let status = &status;
    w!(
        w,
        LEVEL_0,
        "Name:\t{}\n",
        meta.name.as_deref().unwrap_or("")
    );
    w!(
        w,
        LEVEL_0,
        "Namespace:\t{}\n",
        meta.namespace.as_deref().unwrap_or("")
    );
    if let Some(priority) = spec.priority {
        w!(w, LEVEL_0, "Priority:\t{priority}\n");
    }
    if let Some(class) = spec
        .priority_class_name
        .as_deref()
        .filter(|c| !c.is_empty())
    {
        w!(w, LEVEL_0, "Priority Class Name:\t{class}\n");
    }
    if let Some(class) = spec.runtime_class_name.as_deref().filter(|c| !c.is_empty()) {
        w!(w, LEVEL_0, "Runtime Class Name:\t{class}\n");
    }
    if let Some(sa) = spec
        .service_account_name
        .as_deref()
        .filter(|s| !s.is_empty())
    {
        w!(w, LEVEL_0, "Service Account:\t{sa}\n");
    }
    match pod.node_name().filter(|n| !n.is_empty()) {
        None => w!(w, LEVEL_0, "Node:\t<none>\n"),
        Some(node) => w!(
            w,
            LEVEL_0,
            "Node:\t{node}/{}\n",
            status.host_ip.as_deref().unwrap_or("")
        ),
    }
    if let Some(start) = &status.start_time {
        w!(w, LEVEL_0, "Start Time:\t{}\n", rfc1123z(Some(start)));
    }
    labels_multiline(&mut w, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", meta.annotations.as_ref());
    let phase = status.phase.as_deref().unwrap_or("");
    match &meta.deletion_timestamp {
        Some(deleted) if phase != "Failed" && phase != "Succeeded" => {
            w!(
                w,
                LEVEL_0,
                "Status:\tTerminating (lasts {})\n",
                since(now, Some(deleted))
            );
            w!(
                w,
                LEVEL_0,
                "Termination Grace Period:\t{}s\n",
                meta.deletion_grace_period_seconds.unwrap_or(0)
            );
        }
        _ => w!(w, LEVEL_0, "Status:\t{phase}\n"),
    }
    if let Some(reason) = status.reason.as_deref().filter(|r| !r.is_empty()) {
        w!(w, LEVEL_0, "Reason:\t{reason}\n");
    }
    if let Some(message) = status.message.as_deref().filter(|m| !m.is_empty()) {
        w!(w, LEVEL_0, "Message:\t{message}\n");
    }
    if let Some(profile) = spec
        .security_context
        .as_ref()
        .and_then(|s| s.seccomp_profile.as_ref())
    {
        w!(w, LEVEL_0, "SeccompProfile:\t{}\n", profile.type_);
        if profile.type_ == "Localhost" {
            w!(
                w,
                LEVEL_0,
                "LocalhostProfile:\t{}\n",
                profile.localhost_profile.as_deref().unwrap_or("")
            );
        }
    }
    w!(
        w,
        LEVEL_0,
        "IP:\t{}\n",
        status.pod_ip.as_deref().unwrap_or("")
    );
    let ips = status.pod_ips.as_deref().unwrap_or_default();
    if ips.is_empty() {
        w!(w, LEVEL_0, "IPs:\t<none>\n");
    } else {
        w!(w, LEVEL_0, "IPs:\n");
        for ip in ips {
            w!(w, LEVEL_1, "IP:\t{}\n", ip.ip);
        }
    }
    if let Some(owner) = controlled_by(meta) {
        w!(w, LEVEL_0, "Controlled By:\t{owner}\n");
    }
    if let Some(nominated) = status
        .nominated_node_name
        .as_deref()
        .filter(|n| !n.is_empty())
    {
        w!(w, LEVEL_0, "NominatedNodeName:\t{nominated}\n");
    }
    if let Some(resources) = &spec.resources {
        w!(w, LEVEL_0, "Resources:\n");
        describe_resources(&mut w, resources, LEVEL_1);
    }
    let env = PodEnv(Some(pod));
    if let Some(init) = spec.init_containers.as_deref().filter(|c| !c.is_empty()) {
        let statuses = status.init_container_statuses.as_deref();
        describe_containers(&mut w, "Init Containers", init, statuses, env, "");
    }
    let statuses = status.container_statuses.as_deref();
    describe_containers(&mut w, "Containers", &spec.containers, statuses, env, "");
    if let Some(gates) = spec.readiness_gates.as_deref().filter(|g| !g.is_empty()) {
        w!(w, LEVEL_0, "Readiness Gates:\n  Type\tStatus\n");
        for gate in gates {
            let status = status
                .conditions
                .iter()
                .flatten()
                .find(|c| c.type_ == gate.condition_type)
                .map_or("<none>", |c| c.status.as_str());
            w!(w, LEVEL_1, "{} \t{status} \n", gate.condition_type);
        }
    }
    if let Some(conditions) = status.conditions.as_deref().filter(|c| !c.is_empty()) {
        w!(w, LEVEL_0, "Conditions:\n  Type\tStatus\n");
        for condition in conditions {
            w!(w, LEVEL_1, "{} \t{} \n", condition.type_, condition.status);
        }
    }
    describe_volumes(&mut w, spec.volumes.as_deref().unwrap_or_default(), "");
    let qos = status
        .qos_class
        .as_deref()
        .filter(|q| !q.is_empty())
        .unwrap_or_else(|| pod_qos_class(pod));
    w!(w, LEVEL_0, "QoS Class:\t{qos}\n");
    labels_multiline(&mut w, "", "Node-Selectors", spec.node_selector.as_ref());
    tolerations_multiline(
        &mut w,
        "",
        "Tolerations",
        spec.tolerations.as_deref().unwrap_or_default(),
    );
    if let Some(events) = events {
        describe_events(&mut w, events, now);
    }
    w.finish()
}

/// `DescribePodTemplate`: the template of a workload, indented two spaces.
pub(crate) fn describe_pod_template(w: &mut PrefixWriter, template: Option<&PodTemplateSpec>) {
    w!(w, LEVEL_0, "Pod Template:\n");
    let Some(template) = template else {
        w.write(LEVEL_1, "<unset>");
        return;
    };
    let meta = template.metadata.as_ref();
    labels_multiline(w, "", "  Labels", meta.and_then(|m| m.labels.as_ref()));
    if let Some(annotations) = meta
        .and_then(|m| m.annotations.as_ref())
        .filter(|a| !a.is_empty())
    {
        annotations_multiline(w, "  Annotations", Some(annotations));
    }
    let default_spec = Default::default();
    let spec = template.spec.as_ref().unwrap_or(&default_spec);
    if let Some(sa) = spec
        .service_account_name
        .as_deref()
        .filter(|s| !s.is_empty())
    {
        w!(w, LEVEL_1, "Service Account:\t{sa}\n");
    }
    if let Some(init) = spec.init_containers.as_deref().filter(|c| !c.is_empty()) {
        describe_containers(w, "Init Containers", init, None, PodEnv(None), "  ");
    }
    describe_containers(w, "Containers", &spec.containers, None, PodEnv(None), "  ");
    describe_volumes(w, spec.volumes.as_deref().unwrap_or_default(), "  ");
    if let Some(class) = spec
        .priority_class_name
        .as_deref()
        .filter(|c| !c.is_empty())
    {
        w!(w, LEVEL_1, "Priority Class Name:\t{class}\n");
    }
    labels_multiline(w, "", "  Node-Selectors", spec.node_selector.as_ref());
    tolerations_multiline(
        w,
        "",
        "  Tolerations",
        spec.tolerations.as_deref().unwrap_or_default(),
    );
}

/// Resolves `fieldRef` environment variables against the pod (kubectl's
/// `EnvValueRetriever`); a template has no pod, so they resolve to nothing.
#[derive(Clone, Copy)]
struct PodEnv<'a>(Option<&'a StoredPod>);

impl PodEnv<'_> {
    fn field_value(&self, path: &str) -> String {
        let Some(pod) = self.0 else {
            return String::new();
        };
        let meta = &pod.metadata;
        let spec = pod.spec.as_ref();
        let status = pod.status.as_ref();
        let from_map = |map: Option<&BTreeMap<String, String>>, rest: &str| {
            let key = rest
                .strip_prefix("['")
                .and_then(|r| r.strip_suffix("']"))
                .unwrap_or("");
            map.and_then(|m| m.get(key)).cloned().unwrap_or_default()
        };
        let text = |s: Option<&String>| s.cloned().unwrap_or_default();
        match path {
            "metadata.name" => text(meta.name.as_ref()),
            "metadata.namespace" => text(meta.namespace.as_ref()),
            "metadata.uid" => text(meta.uid.as_ref()),
            "spec.nodeName" => pod.node_name().unwrap_or_default().to_string(),
            "spec.serviceAccountName" => text(spec.and_then(|s| s.service_account_name.as_ref())),
            "status.podIP" => pod.pod_ip().unwrap_or_default().to_string(),
            "status.hostIP" => status
                .and_then(|s| s.host_ip())
                .unwrap_or_default()
                .to_string(),
            _ => {
                if let Some(rest) = path.strip_prefix("metadata.labels") {
                    from_map(meta.labels.as_ref(), rest)
                } else if let Some(rest) = path.strip_prefix("metadata.annotations") {
                    from_map(meta.annotations.as_ref(), rest)
                } else {
                    String::new()
                }
            }
        }
    }
}

/// `describeContainers`.
fn describe_containers(
    w: &mut PrefixWriter,
    label: &str,
    containers: &[Container],
    statuses: Option<&[ContainerStatus]>,
    env: PodEnv<'_>,
    space: &str,
) {
    let none = if containers.is_empty() { " <none>" } else { "" };
    w!(w, LEVEL_0, "{space}{label}:{none}\n");
    for container in containers {
        let status = statuses
            .into_iter()
            .flatten()
            .find(|s| s.name == container.name);
        describe_container_basic_info(w, container, status, space);
        describe_container_command(w, container);
        if let Some(status) = status {
            describe_status(w, "State", status.state.as_ref());
            if status
                .last_state
                .as_ref()
                .is_some_and(|s| s.terminated.is_some())
            {
                describe_status(w, "Last State", status.last_state.as_ref());
            }
            w!(w, LEVEL_2, "Ready:\t{}\n", print_bool(status.ready));
            w!(w, LEVEL_2, "Restart Count:\t{}\n", status.restart_count);
        }
        if let Some(resources) = &container.resources {
            describe_resources(w, resources, LEVEL_2);
        }
        describe_container_probes(w, container);
        if container.env_from.as_ref().is_some_and(|e| !e.is_empty()) {
            describe_container_env_from(w, container);
        }
        describe_container_env(w, container, env);
        describe_container_mounts(w, container);
    }
}

fn describe_container_basic_info(
    w: &mut PrefixWriter,
    container: &Container,
    status: Option<&ContainerStatus>,
    space: &str,
) {
    let name_indent = if space.is_empty() { "" } else { " " };
    w!(w, LEVEL_1, "{name_indent}{}:\n", container.name);
    if let Some(status) = status {
        w!(
            w,
            LEVEL_2,
            "Container ID:\t{}\n",
            status.container_id.as_deref().unwrap_or("")
        );
    }
    w!(
        w,
        LEVEL_2,
        "Image:\t{}\n",
        container.image.as_deref().unwrap_or("")
    );
    if let Some(status) = status {
        w!(w, LEVEL_2, "Image ID:\t{}\n", status.image_id);
    }
    let ports = container.ports.as_deref().unwrap_or_default();
    let protocol =
        |p: &k8s_openapi::api::core::v1::ContainerPort| p.protocol.clone().unwrap_or_default();
    let container_ports = ports
        .iter()
        .map(|p| format!("{}/{}", p.container_port, protocol(p)))
        .collect::<Vec<_>>()
        .join(", ");
    if container_ports.contains(',') {
        w!(w, LEVEL_2, "Ports:\t{container_ports}\n");
    } else {
        w!(w, LEVEL_2, "Port:\t{}\n", string_or_none(&container_ports));
    }
    let host_ports = ports
        .iter()
        .map(|p| format!("{}/{}", p.host_port.unwrap_or(0), protocol(p)))
        .collect::<Vec<_>>()
        .join(", ");
    if host_ports.contains(',') {
        w!(w, LEVEL_2, "Host Ports:\t{host_ports}\n");
    } else {
        w!(w, LEVEL_2, "Host Port:\t{}\n", string_or_none(&host_ports));
    }
    if let Some(profile) = container
        .security_context
        .as_ref()
        .and_then(|s| s.seccomp_profile.as_ref())
    {
        w!(w, LEVEL_2, "SeccompProfile:\t{}\n", profile.type_);
        if profile.type_ == "Localhost" {
            w!(
                w,
                LEVEL_3,
                "LocalhostProfile:\t{}\n",
                profile.localhost_profile.as_deref().unwrap_or("")
            );
        }
    }
}

fn describe_container_command(w: &mut PrefixWriter, container: &Container) {
    for (title, items) in [("Command", &container.command), ("Args", &container.args)] {
        let Some(items) = items.as_deref().filter(|i| !i.is_empty()) else {
            continue;
        };
        w!(w, LEVEL_2, "{title}:\n");
        for item in items {
            for line in item.split('\n') {
                w!(w, LEVEL_3, "{line}\n");
            }
        }
    }
}

/// `describeResources`: limits then requests, each sorted by resource name.
fn describe_resources(w: &mut PrefixWriter, resources: &ResourceRequirements, level: usize) {
    for (title, list) in [
        ("Limits", &resources.limits),
        ("Requests", &resources.requests),
    ] {
        let Some(list) = list.as_ref().filter(|l| !l.is_empty()) else {
            continue;
        };
        w!(w, level, "{title}:\n");
        for (name, value) in list {
            w!(w, level + 1, "{name}:\t{}\n", quantity(&value.0));
        }
    }
}

/// `describeStatus`: Running with its start, Waiting with its reason, or Terminated.
fn describe_status(w: &mut PrefixWriter, state_name: &str, state: Option<&ContainerState>) {
    let state = state.cloned().unwrap_or_default();
    if let Some(running) = &state.running {
        w!(w, LEVEL_2, "{state_name}:\tRunning\n");
        w!(
            w,
            LEVEL_3,
            "Started:\t{}\n",
            rfc1123z(running.started_at.as_ref())
        );
    } else if let Some(waiting) = &state.waiting {
        w!(w, LEVEL_2, "{state_name}:\tWaiting\n");
        if let Some(reason) = waiting.reason.as_deref().filter(|r| !r.is_empty()) {
            w!(w, LEVEL_3, "Reason:\t{reason}\n");
        }
    } else if let Some(terminated) = &state.terminated {
        w!(w, LEVEL_2, "{state_name}:\tTerminated\n");
        if let Some(reason) = terminated.reason.as_deref().filter(|r| !r.is_empty()) {
            w!(w, LEVEL_3, "Reason:\t{reason}\n");
        }
        if let Some(message) = terminated.message.as_deref().filter(|m| !m.is_empty()) {
            w!(w, LEVEL_3, "Message:\t{message}\n");
        }
        w!(w, LEVEL_3, "Exit Code:\t{}\n", terminated.exit_code);
        if let Some(signal) = terminated.signal.filter(|s| *s > 0) {
            w!(w, LEVEL_3, "Signal:\t{signal}\n");
        }
        w!(
            w,
            LEVEL_3,
            "Started:\t{}\n",
            rfc1123z(terminated.started_at.as_ref())
        );
        w!(
            w,
            LEVEL_3,
            "Finished:\t{}\n",
            rfc1123z(terminated.finished_at.as_ref())
        );
    } else {
        w!(w, LEVEL_2, "{state_name}:\tWaiting\n");
    }
}

fn describe_container_probes(w: &mut PrefixWriter, container: &Container) {
    for (title, probe) in [
        ("Liveness", &container.liveness_probe),
        ("Readiness", &container.readiness_probe),
        ("Startup", &container.startup_probe),
    ] {
        if let Some(probe) = probe {
            w!(w, LEVEL_2, "{title}:\t{}\n", describe_probe(probe));
        }
    }
}

/// `DescribeProbe`: the handler and its timing, e.g.
/// `http-get http://:8080/ready delay=0s timeout=1s period=5s #success=1 #failure=3`.
fn describe_probe(probe: &Probe) -> String {
    let attrs = format!(
        "delay={}s timeout={}s period={}s #success={} #failure={}",
        probe.initial_delay_seconds.unwrap_or(0),
        probe.timeout_seconds.unwrap_or(0),
        probe.period_seconds.unwrap_or(0),
        probe.success_threshold.unwrap_or(0),
        probe.failure_threshold.unwrap_or(0)
    );
    if let Some(exec) = &probe.exec {
        let command = exec.command.as_deref().unwrap_or_default().join(" ");
        return format!("exec [{command}] {attrs}");
    }
    if let Some(http) = &probe.http_get {
        let scheme = http.scheme.as_deref().unwrap_or("").to_lowercase();
        let host = http.host.as_deref().unwrap_or("");
        let port = int_or_string(&http.port);
        let host_port = if port.is_empty() {
            host.to_string()
        } else if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let path = http.path.as_deref().unwrap_or("");
        let url = if scheme.is_empty() {
            format!("//{host_port}{path}")
        } else {
            format!("{scheme}://{host_port}{path}")
        };
        return format!("http-get {url} {attrs}");
    }
    if let Some(tcp) = &probe.tcp_socket {
        return format!(
            "tcp-socket {}:{} {attrs}",
            tcp.host.as_deref().unwrap_or(""),
            int_or_string(&tcp.port)
        );
    }
    if let Some(grpc) = &probe.grpc {
        return format!(
            "grpc <pod>:{} {} {attrs}",
            grpc.port,
            grpc.service.as_deref().unwrap_or("")
        );
    }
    format!("unknown {attrs}")
}

fn describe_container_env_from(w: &mut PrefixWriter, container: &Container) {
    w!(w, LEVEL_2, "Environment Variables from:\n");
    for source in container.env_from.iter().flatten() {
        let (from, name, optional) = if let Some(cm) = &source.config_map_ref {
            ("ConfigMap", cm.name.as_str(), cm.optional == Some(true))
        } else if let Some(secret) = &source.secret_ref {
            (
                "Secret",
                secret.name.as_str(),
                secret.optional == Some(true),
            )
        } else {
            ("", "", false)
        };
        match source.prefix.as_deref().filter(|p| !p.is_empty()) {
            None => w!(w, LEVEL_3, "{name}\t{from}\tOptional: {optional}\n"),
            Some(prefix) => w!(
                w,
                LEVEL_3,
                "{name}\t{from} with prefix '{prefix}'\tOptional: {optional}\n"
            ),
        }
    }
}

fn describe_container_env(w: &mut PrefixWriter, container: &Container, env: PodEnv<'_>) {
    let vars = container.env.as_deref().unwrap_or_default();
    let none = if vars.is_empty() { "\t<none>" } else { "" };
    w!(w, LEVEL_2, "Environment:{none}\n");
    for var in vars {
        describe_env_var(w, container, var, env);
    }
}

fn describe_env_var(w: &mut PrefixWriter, container: &Container, var: &EnvVar, env: PodEnv<'_>) {
    let Some(from) = &var.value_from else {
        for (i, line) in var.value.as_deref().unwrap_or("").split('\n').enumerate() {
            if i == 0 {
                w!(w, LEVEL_3, "{}:\t{line}\n", var.name);
            } else {
                w!(w, LEVEL_3, "\t{line}\n");
            }
        }
        return;
    };
    if let Some(field) = &from.field_ref {
        let api_version = field.api_version.as_deref().unwrap_or("");
        let value = env.field_value(&field.field_path);
        w!(
            w,
            LEVEL_3,
            "{}:\t{value} ({api_version}:{})\n",
            var.name,
            field.field_path
        );
    } else if let Some(resource) = &from.resource_field_ref {
        let mut value = container_resource_value(container, &resource.resource, &resource.divisor);
        if value == "0"
            && (resource.resource == "limits.cpu" || resource.resource == "limits.memory")
        {
            value = "node allocatable".to_string();
        }
        w!(
            w,
            LEVEL_3,
            "{}:\t{value} ({})\n",
            var.name,
            resource.resource
        );
    } else if let Some(secret) = &from.secret_key_ref {
        w!(
            w,
            LEVEL_3,
            "{}:\t<set to the key '{}' in secret '{}'>\tOptional: {}\n",
            var.name,
            secret.key,
            secret.name,
            secret.optional == Some(true)
        );
    } else if let Some(cm) = &from.config_map_key_ref {
        w!(
            w,
            LEVEL_3,
            "{}:\t<set to the key '{}' of config map '{}'>\tOptional: {}\n",
            var.name,
            cm.key,
            cm.name,
            cm.optional == Some(true)
        );
    }
}

/// `resource.ExtractContainerResourceValue` for cpu and memory: the container's own request
/// or limit divided by the divisor, rounded up; `""` for what it cannot resolve.
fn container_resource_value(
    container: &Container,
    resource: &str,
    divisor: &Option<Quantity>,
) -> String {
    let Some((kind, name)) = resource.split_once('.') else {
        return String::new();
    };
    let resources = container.resources.as_ref();
    let list = match kind {
        "limits" => resources.and_then(|r| r.limits.as_ref()),
        "requests" => resources.and_then(|r| r.requests.as_ref()),
        _ => return String::new(),
    };
    let value = list
        .and_then(|l| l.get(name))
        .and_then(|q| ParsedQuantity::parse(&q.0).ok())
        .map_or(0, |q| q.nanos);
    let divisor = divisor
        .as_ref()
        .and_then(|d| ParsedQuantity::parse(&d.0).ok())
        .map_or(1_000_000_000, |d| d.nanos);
    if divisor <= 0 {
        return String::new();
    }
    // Ceiling division, as Kubernetes rounds these values up.
    let quotient = (value + divisor - 1).div_euclid(divisor);
    quotient.to_string()
}

fn describe_container_mounts(w: &mut PrefixWriter, container: &Container) {
    let mut mounts: Vec<_> = container.volume_mounts.iter().flatten().collect();
    let none = if mounts.is_empty() { "\t<none>" } else { "" };
    w!(w, LEVEL_2, "Mounts:{none}\n");
    mounts.sort_by(|a, b| a.mount_path.cmp(&b.mount_path));
    for mount in mounts {
        let mut flags = vec![if mount.read_only == Some(true) {
            "ro"
        } else {
            "rw"
        }
        .to_string()];
        if let Some(sub_path) = mount.sub_path.as_deref().filter(|s| !s.is_empty()) {
            flags.push(format!("path={sub_path:?}"));
        }
        w!(
            w,
            LEVEL_3,
            "{} from {} ({})\n",
            mount.mount_path,
            mount.name,
            flags.join(",")
        );
    }
    let mut devices: Vec<_> = container.volume_devices.iter().flatten().collect();
    if !devices.is_empty() {
        w!(w, LEVEL_2, "Devices:{none}\n");
        devices.sort_by(|a, b| a.device_path.cmp(&b.device_path));
        for device in devices {
            w!(w, LEVEL_3, "{} from {}\n", device.device_path, device.name);
        }
    }
}

/// `describeVolumes`, for the volume sources a playground pod uses.
fn describe_volumes(w: &mut PrefixWriter, volumes: &[Volume], space: &str) {
    if volumes.is_empty() {
        w!(w, LEVEL_0, "{space}Volumes:\t<none>\n");
        return;
    }
    w!(w, LEVEL_0, "{space}Volumes:\n");
    let name_indent = if space.is_empty() { "" } else { " " };
    for volume in volumes {
        w!(w, LEVEL_1, "{name_indent}{}:\n", volume.name);
        if let Some(host_path) = &volume.host_path {
            w!(
                w,
                LEVEL_2,
                "Type:\tHostPath (bare host directory volume)\n    Path:\t{}\n    HostPathType:\t{}\n",
                host_path.path,
                host_path.type_.as_deref().unwrap_or("<none>")
            );
        } else if let Some(empty_dir) = &volume.empty_dir {
            let size_limit = empty_dir
                .size_limit
                .as_ref()
                .and_then(|q| ParsedQuantity::parse(&q.0).ok())
                .filter(|q| q.nanos > 0)
                .map_or_else(|| "<unset>".to_string(), |q| q.to_string());
            w!(
                w,
                LEVEL_2,
                "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t{}\n    SizeLimit:\t{size_limit}\n",
                empty_dir.medium.as_deref().unwrap_or("")
            );
        } else if let Some(secret) = &volume.secret {
            w!(
                w,
                LEVEL_2,
                "Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t{}\n    Optional:\t{}\n",
                secret.secret_name.as_deref().unwrap_or(""),
                secret.optional == Some(true)
            );
        } else if let Some(config_map) = &volume.config_map {
            w!(
                w,
                LEVEL_2,
                "Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t{}\n    Optional:\t{}\n",
                config_map.name,
                config_map.optional == Some(true)
            );
        } else if let Some(claim) = &volume.persistent_volume_claim {
            w!(
                w,
                LEVEL_2,
                "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t{}\n    ReadOnly:\t{}\n",
                claim.claim_name,
                claim.read_only.unwrap_or(false)
            );
        } else if let Some(downward) = &volume.downward_api {
            w!(
                w,
                LEVEL_2,
                "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n"
            );
            for item in downward.items.iter().flatten() {
                if let Some(field) = &item.field_ref {
                    w!(w, LEVEL_3, "{} -> {}\n", field.field_path, item.path);
                }
                if let Some(resource) = &item.resource_field_ref {
                    w!(w, LEVEL_3, "{} -> {}\n", resource.resource, item.path);
                }
            }
        } else if let Some(projected) = &volume.projected {
            w!(
                w,
                LEVEL_2,
                "Type:\tProjected (a volume that contains injected data from multiple sources)\n"
            );
            for source in projected.sources.iter().flatten() {
                if let Some(secret) = &source.secret {
                    w!(
                        w,
                        LEVEL_2,
                        "SecretName:\t{}\n    Optional:\t{}\n",
                        secret.name,
                        secret.optional == Some(true)
                    );
                } else if source.downward_api.is_some() {
                    w!(w, LEVEL_2, "DownwardAPI:\ttrue\n");
                } else if let Some(config_map) = &source.config_map {
                    w!(
                        w,
                        LEVEL_2,
                        "ConfigMapName:\t{}\n    Optional:\t{}\n",
                        config_map.name,
                        config_map.optional == Some(true)
                    );
                } else if let Some(token) = &source.service_account_token {
                    w!(
                        w,
                        LEVEL_2,
                        "TokenExpirationSeconds:\t{}\n",
                        token.expiration_seconds.unwrap_or(0)
                    );
                }
            }
        } else {
            w!(w, LEVEL_1, "<unknown>\n");
        }
    }
}
