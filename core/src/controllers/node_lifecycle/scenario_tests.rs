//! Node failure through the whole simulated cluster: a stopped node goes `Unknown`, gets
//! the unreachable taints, its pods are evicted after their tolerations and replaced
//! elsewhere; healing removes the taints.

use std::time::Duration;

use serde_json::Value;

use crate::api::manifest::parse_manifests;
use crate::api::objects::Kind;
use crate::apiserver::ListOptions;
use crate::sim::world::{World, WorldConfig};

use super::{NODE_MONITOR_GRACE_PERIOD, TAINT_NODE_UNREACHABLE};

const WEB: &str = "
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: nginx, image: 'nginx:1.25', resources: {requests: {cpu: 100m}}}
";

fn create(world: &mut World, yaml: &str) {
    world.api().set_user("kubectl");
    for object in parse_manifests(yaml).unwrap() {
        world.api().create("default", object).unwrap();
    }
}

fn pods(world: &mut World) -> Vec<Value> {
    world
        .api()
        .list(Kind::Pod, Some("default"), &ListOptions::default())
        .unwrap()
        .items
        .iter()
        .map(|p| p.to_value())
        .collect()
}

fn node(world: &mut World, name: &str) -> Value {
    world.api().get(Kind::Node, "", name).unwrap().to_value()
}

fn ready_condition(node: &Value) -> Value {
    node["status"]["conditions"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["type"] == "Ready").cloned())
        .unwrap_or(Value::Null)
}

fn taints(node: &Value) -> Vec<String> {
    node["spec"]["taints"]
        .as_array()
        .map(|t| {
            t.iter()
                .map(|t| {
                    format!(
                        "{}:{}",
                        t["key"].as_str().unwrap_or(""),
                        t["effect"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn on_node(pods: &[Value], node: &str) -> Vec<Value> {
    pods.iter()
        .filter(|p| p["spec"]["nodeName"] == node)
        .cloned()
        .collect()
}

fn running_ready_off(world: &mut World, node: &str) -> usize {
    pods(world)
        .iter()
        .filter(|p| p["spec"]["nodeName"] != node && p["metadata"]["deletionTimestamp"].is_null())
        .filter(|p| p["status"]["phase"] == "Running")
        .filter(|p| {
            p["status"]["conditions"].as_array().is_some_and(|c| {
                c.iter()
                    .any(|c| c["type"] == "Ready" && c["status"] == "True")
            })
        })
        .count()
}

fn events(world: &mut World, reason: &str) -> Vec<String> {
    world
        .api()
        .list(Kind::Event, None, &ListOptions::default())
        .unwrap()
        .items
        .iter()
        .map(|e| e.to_value())
        .filter(|e| e["reason"] == reason)
        .map(|e| e["message"].as_str().unwrap_or("").to_string())
        .collect()
}

/// A world running the web Deployment; returns the node holding the first pod.
fn running_web() -> (World, String) {
    let mut world = World::new(&WorldConfig::default());
    create(&mut world, WEB);
    let deadline = world.now().plus(Duration::from_secs(120));
    assert!(world.run_until(deadline, |w| {
        let s = w.pod_summary();
        s.total == 3 && s.running_ready == 3
    }));
    let first = pods(&mut world)[0]["spec"]["nodeName"]
        .as_str()
        .unwrap()
        .to_string();
    (world, first)
}

#[test]
fn a_stopped_node_goes_unknown_after_the_grace_period_with_unreachable_taints() {
    let (mut world, victim) = running_web();
    world.stop_node(&victim).unwrap();
    world.advance(NODE_MONITOR_GRACE_PERIOD - Duration::from_secs(15));
    assert_eq!(
        ready_condition(&node(&mut world, &victim))["status"],
        "True"
    );
    assert!(taints(&node(&mut world, &victim)).is_empty());

    world.advance(Duration::from_secs(20));
    let stopped = node(&mut world, &victim);
    let ready = ready_condition(&stopped);
    assert_eq!(ready["status"], "Unknown");
    assert_eq!(ready["reason"], "NodeStatusUnknown");
    assert_eq!(ready["message"], "Kubelet stopped posting node status.");
    assert_eq!(
        taints(&stopped),
        [
            format!("{TAINT_NODE_UNREACHABLE}:NoSchedule"),
            format!("{TAINT_NODE_UNREACHABLE}:NoExecute")
        ]
    );
    let no_execute = stopped["spec"]["taints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["effect"] == "NoExecute")
        .unwrap()
        .clone();
    assert!(no_execute["timeAdded"].is_string(), "{no_execute}");
    let all = pods(&mut world);
    for pod in on_node(&all, &victim) {
        let ready = pod["status"]["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["type"] == "Ready")
            .unwrap()
            .clone();
        assert_eq!(ready["status"], "False", "{pod}");
    }
    assert!(events(&mut world, "NodeNotReady")
        .contains(&format!("Node {victim} status is now: NodeNotReady")));
}

#[test]
fn pods_of_a_stopped_node_are_evicted_after_300_seconds_and_replaced_elsewhere() {
    let (mut world, victim) = running_web();
    let before = on_node(&pods(&mut world), &victim);
    assert!(!before.is_empty());
    world.stop_node(&victim).unwrap();
    // Grace period plus a little: tainted, not yet evicted.
    world.advance(NODE_MONITOR_GRACE_PERIOD + Duration::from_secs(250));
    let all = pods(&mut world);
    assert!(on_node(&all, &victim)
        .iter()
        .all(|p| p["metadata"]["deletionTimestamp"].is_null()));

    world.advance(Duration::from_secs(60));
    let all = pods(&mut world);
    let victims = on_node(&all, &victim);
    // The kubelet is gone, so the pods stay Terminating, as in Kubernetes.
    assert_eq!(victims.len(), before.len());
    assert!(
        victims
            .iter()
            .all(|p| p["metadata"]["deletionTimestamp"].is_string()),
        "{victims:?}"
    );
    let evictions = events(&mut world, "TaintManagerEviction");
    for pod in &before {
        let name = pod["metadata"]["name"].as_str().unwrap();
        assert!(
            evictions.contains(&format!("Marking for deletion Pod default/{name}")),
            "{evictions:?}"
        );
    }
    // The ReplicaSet replaces them on the other nodes.
    let deadline = world.now().plus(Duration::from_secs(120));
    assert!(world.run_until(deadline, |w| running_ready_off(w, &victim) == 3));
    // Back on, the kubelet sees the deletions, stops the containers and the pods go.
    world.start_node(&victim).unwrap();
    world.advance(Duration::from_secs(60));
    let all = pods(&mut world);
    assert!(on_node(&all, &victim).is_empty(), "{all:?}");
}

#[test]
fn starting_a_stopped_node_again_removes_the_taints() {
    let (mut world, victim) = running_web();
    world.stop_node(&victim).unwrap();
    world.advance(NODE_MONITOR_GRACE_PERIOD + Duration::from_secs(10));
    assert!(!taints(&node(&mut world, &victim)).is_empty());
    world.start_node(&victim).unwrap();
    world.advance(Duration::from_secs(1));
    let healed = node(&mut world, &victim);
    assert_eq!(ready_condition(&healed)["status"], "True");
    assert!(taints(&healed).is_empty(), "{healed}");
    // The pending evictions are called off and the pods stay.
    let cancelled = events(&mut world, "TaintManagerEviction");
    let all = pods(&mut world);
    let kept = on_node(&all, &victim);
    assert!(!kept.is_empty());
    for pod in &kept {
        assert!(pod["metadata"]["deletionTimestamp"].is_null());
        let name = pod["metadata"]["name"].as_str().unwrap();
        assert!(
            cancelled.contains(&format!("Cancelling deletion of Pod default/{name}")),
            "{cancelled:?}"
        );
    }
}

#[test]
fn a_cut_off_node_is_tainted_and_healing_the_partition_removes_the_taints() {
    let (mut world, victim) = running_web();
    world.cut_off_node(&victim).unwrap();
    world.advance(NODE_MONITOR_GRACE_PERIOD + Duration::from_secs(10));
    assert_eq!(
        ready_condition(&node(&mut world, &victim))["status"],
        "Unknown"
    );
    world.heal_node(&victim).unwrap();
    world.advance(Duration::from_secs(1));
    assert!(taints(&node(&mut world, &victim)).is_empty());
}

#[test]
fn a_pod_tolerating_unreachable_for_30_seconds_goes_after_30_seconds() {
    let (mut world, victim) = running_web();
    create(
        &mut world,
        &format!(
            "
apiVersion: v1
kind: Pod
metadata: {{name: short}}
spec:
  nodeName: {victim}
  tolerations:
  - {{key: {TAINT_NODE_UNREACHABLE}, operator: Exists, effect: NoExecute, tolerationSeconds: 30}}
  containers:
  - {{name: app, image: 'busybox:1.36'}}
"
        ),
    );
    world.advance(Duration::from_secs(30));
    world.stop_node(&victim).unwrap();
    let short_deleted = |w: &mut World| {
        pods(w).iter().any(|p| {
            p["metadata"]["name"] == "short" && p["metadata"]["deletionTimestamp"].is_string()
        })
    };
    // The last heartbeat was at most 10 s before the stop: tainted 40–50 s after it, so
    // 65 s after the stop the 30 s toleration has not run out, and 85 s after it has.
    world.advance(NODE_MONITOR_GRACE_PERIOD + Duration::from_secs(15));
    assert!(!taints(&node(&mut world, &victim)).is_empty());
    assert!(!short_deleted(&mut world));
    world.advance(Duration::from_secs(20));
    assert!(short_deleted(&mut world));
    // The Deployment's pods still have their 300 s.
    let all = pods(&mut world);
    assert!(on_node(&all, &victim)
        .iter()
        .filter(|p| p["metadata"]["name"] != "short")
        .all(|p| p["metadata"]["deletionTimestamp"].is_null()));
}

#[test]
fn crashing_a_container_restarts_it() {
    let (mut world, _) = running_web();
    let name = pods(&mut world)[0]["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    world.crash_container("default", &name, "nginx").unwrap();
    world.advance(Duration::from_secs(15));
    let pod = world
        .api()
        .get(Kind::Pod, "default", &name)
        .unwrap()
        .to_value();
    assert_eq!(
        pod["status"]["containerStatuses"][0]["restartCount"], 1,
        "{pod}"
    );
    assert!(world.crash_container("default", "nope", "nginx").is_err());
    assert!(world.stop_node("node-9").is_err());
}
