use super::*;
use serde_json::json;

fn pod(name: &str, ip: Option<&str>, ready: bool, extra: serde_json::Value) -> StoredPod {
    let mut value = json!({
        "metadata": {"name": name, "namespace": "default", "uid": format!("uid-{name}"), "labels": {"app": "web"}},
        "spec": {"nodeName": "node-1", "containers": [{"name": "app", "image": "nginx",
            "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]}]},
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": if ready {"True"} else {"False"}}]}
    });
    if let Some(ip) = ip {
        value["status"]["podIP"] = json!(ip);
    }
    if let Some(meta) = extra.get("metadata").and_then(|m| m.as_object()) {
        for (k, v) in meta {
            value["metadata"][k] = v.clone();
        }
    }
    serde_json::from_value(value).unwrap_or_default()
}

fn service(ports: serde_json::Value) -> Service {
    serde_json::from_value(json!({
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"selector": {"app": "web"}, "clusterIP": "10.96.0.10", "ports": ports}
    }))
    .unwrap_or_default()
}

fn ips(addresses: &Option<Vec<EndpointAddress>>) -> Vec<String> {
    addresses.iter().flatten().map(|a| a.ip.clone()).collect()
}

#[test]
fn ready_pods_are_addresses_and_unready_ones_not_ready_addresses() {
    let a = pod("a", Some("10.244.0.2"), true, json!({}));
    let b = pod("b", Some("10.244.0.3"), false, json!({}));
    let svc = service(json!([{"port": 80, "targetPort": 8080, "protocol": "TCP"}]));
    let subsets = desired_subsets(&svc, &[&a, &b], false);
    assert_eq!(subsets.len(), 1);
    assert_eq!(ips(&subsets[0].addresses), ["10.244.0.2"]);
    assert_eq!(ips(&subsets[0].not_ready_addresses), ["10.244.0.3"]);
    let address = &subsets[0].addresses.as_ref().unwrap()[0];
    assert_eq!(address.node_name.as_deref(), Some("node-1"));
    assert_eq!(
        address.target_ref.as_ref().and_then(|r| r.name.as_deref()),
        Some("a")
    );
}

#[test]
fn pods_without_an_ip_and_terminating_pods_are_left_out() {
    let no_ip = pod("a", None, true, json!({}));
    let terminating = pod(
        "b",
        Some("10.244.0.3"),
        true,
        json!({"metadata": {"deletionTimestamp": "2025-01-01T00:00:00Z"}}),
    );
    let svc = service(json!([{"port": 80, "targetPort": 8080}]));
    assert!(desired_subsets(&svc, &[&no_ip, &terminating], false).is_empty());
}

#[test]
fn named_target_ports_are_resolved_from_container_ports() {
    let a = pod("a", Some("10.244.0.2"), true, json!({}));
    let cases = [
        (
            "a name found in the pod resolves to its containerPort",
            json!({"port": 80, "targetPort": "http"}),
            Some(8080),
        ),
        (
            "a number is used as it is",
            json!({"port": 80, "targetPort": 9090}),
            Some(9090),
        ),
        (
            "a name the pod lacks resolves to nothing",
            json!({"port": 80, "targetPort": "metrics"}),
            None,
        ),
        (
            "a name with another protocol does not match",
            json!({"port": 80, "targetPort": "http", "protocol": "UDP"}),
            None,
        ),
    ];
    for (name, port, want) in cases {
        let port: ServicePort = serde_json::from_value(port).unwrap_or_default();
        assert_eq!(find_port(&a, &port), want, "{name}");
    }
}

#[test]
fn ports_serving_the_same_addresses_share_one_subset() {
    let a = pod("a", Some("10.244.0.2"), true, json!({}));
    let svc = service(json!([
        {"name": "http", "port": 80, "targetPort": "http"},
        {"name": "alt", "port": 81, "targetPort": 9000},
        {"name": "metrics", "port": 82, "targetPort": "metrics"}
    ]));
    let subsets = desired_subsets(&svc, &[&a], false);
    assert_eq!(subsets.len(), 1);
    let ports: Vec<_> = subsets[0]
        .ports
        .iter()
        .flatten()
        .map(|p| (p.name.clone().unwrap_or_default(), p.port))
        .collect();
    assert_eq!(
        ports,
        [("alt".to_string(), 9000), ("http".to_string(), 8080)]
    );
}

#[test]
fn restart_policy_decides_whether_finished_pods_stay() {
    let finished = |policy: &str, phase: &str| -> StoredPod {
        serde_json::from_value(json!({
            "metadata": {"name": "a"},
            "spec": {"restartPolicy": policy, "containers": []},
            "status": {"podIP": "10.244.0.2", "phase": phase}
        }))
        .unwrap_or_default()
    };
    let cases = [
        ("Never", "Failed", false),
        ("Never", "Succeeded", false),
        ("OnFailure", "Failed", true),
        ("OnFailure", "Succeeded", false),
        ("Always", "Succeeded", true),
    ];
    for (policy, phase, want) in cases {
        assert_eq!(
            should_pod_be_in_endpoints(&finished(policy, phase), false),
            want,
            "{policy} {phase}"
        );
    }
}
