//! Preemption through the whole [`World`]: a full node, a higher-priority pod, and what a
//! learner sees — the victim's `Preempted` event, the preemptor running on the freed room, the
//! ReplicaSet's replacement left `Pending`, and the scheduler's trace note.

use std::time::Duration;

use crate::api::manifest::parse_manifests;
use crate::api::objects::{Kind, Object};
use crate::apiserver::ListOptions;
use crate::sim::trace::TraceRecord;
use crate::sim::world::{World, WorldConfig};

const LOW: &str = "
apiVersion: apps/v1
kind: Deployment
metadata: {name: batch}
spec:
  replicas: 4
  selector: {matchLabels: {app: batch}}
  template:
    metadata: {labels: {app: batch}}
    spec:
      containers:
      - {name: worker, image: 'busybox:1.36', command: [sleep, '3600'], resources: {requests: {cpu: 500m}}}
";

const HIGH: &str = "
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high-priority}
value: 1000000
description: For pods that must run now.
---
apiVersion: v1
kind: Pod
metadata: {name: important}
spec:
  priorityClassName: high-priority
  containers:
  - {name: app, image: 'nginx:1.25', resources: {requests: {cpu: 500m}}}
";

fn create_all(world: &mut World, yaml: &str) {
    world.api().set_user("kubectl");
    for object in parse_manifests(yaml).unwrap() {
        let namespace = if object.kind().namespaced() {
            "default"
        } else {
            ""
        };
        world.api().create(namespace, object).unwrap();
    }
}

fn phase_of(world: &mut World, name: &str) -> String {
    world
        .api()
        .get(Kind::Pod, "default", name)
        .map(|p| {
            p.to_value()["status"]["phase"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .unwrap_or_default()
}

fn batch_pods(world: &mut World) -> Vec<(String, String, bool)> {
    let list = world
        .api()
        .list(Kind::Pod, Some("default"), &ListOptions::default())
        .unwrap();
    list.items
        .iter()
        .filter(|p| p.name().starts_with("batch-"))
        .map(|p| {
            let v = p.to_value();
            (
                p.name().to_string(),
                v["status"]["phase"].as_str().unwrap_or("").to_string(),
                v["spec"]["nodeName"].is_string(),
            )
        })
        .collect()
}

fn event_messages(world: &mut World, reason: &str) -> Vec<String> {
    let list = world
        .api()
        .list(Kind::Event, None, &ListOptions::default())
        .unwrap();
    list.items
        .iter()
        .filter_map(|o| match o.as_ref() {
            Object::Event(e) if e.reason() == Some(reason) => e.message().map(str::to_string),
            _ => None,
        })
        .collect()
}

#[test]
fn a_high_priority_pod_evicts_one_low_priority_pod_and_runs_while_its_replacement_waits() {
    let mut world = World::new(&WorldConfig {
        nodes: 1,
        ..WorldConfig::default()
    });
    create_all(&mut world, LOW);
    let deadline = world.now().plus(Duration::from_secs(120));
    assert!(
        world.run_until(deadline, |w| w.pod_summary().running_ready == 4),
        "{:?}",
        world.pod_summary()
    );
    let before: Vec<String> = batch_pods(&mut world).into_iter().map(|p| p.0).collect();

    create_all(&mut world, HIGH);
    let deadline = world.now().plus(Duration::from_secs(120));
    assert!(
        world.run_until(deadline, |w| phase_of(w, "important") == "Running"),
        "important is {}",
        phase_of(&mut world, "important")
    );
    world.advance(Duration::from_secs(30));

    let uid = world
        .api()
        .get(Kind::Pod, "default", "important")
        .unwrap()
        .metadata()
        .uid
        .clone()
        .unwrap_or_default();
    assert_eq!(
        event_messages(&mut world, "Preempted"),
        [format!("Preempted by pod {uid} on node node-1")]
    );
    let after = batch_pods(&mut world);
    let survivors = after.iter().filter(|p| before.contains(&p.0)).count();
    let waiting: Vec<_> = after
        .iter()
        .filter(|p| !before.contains(&p.0))
        .map(|(name, phase, on_node)| (name.starts_with("batch-"), phase.clone(), *on_node))
        .collect();
    assert_eq!(survivors, 3, "{after:?}");
    assert_eq!(waiting, [(true, "Pending".to_string(), false)], "{after:?}");
    let notes: Vec<String> = world
        .trace()
        .records()
        .filter_map(|r| match r {
            TraceRecord::Note {
                component, message, ..
            } if component == "kube-scheduler" => Some(message.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].starts_with("preemption: default/important (priority 1000000) nominated to node-1, evicting default/batch-"),
        "{notes:?}"
    );
    assert!(
        notes[0].ends_with("(priority 0); node-1 is the only node where preemption makes room"),
        "{notes:?}"
    );
}
