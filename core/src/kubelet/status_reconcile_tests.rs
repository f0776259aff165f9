//! The kubelet's status reconciliation through the whole [`World`]: while a node is cut off,
//! the node lifecycle controller marks its pods `Ready=False`; once the partition heals, the
//! kubelet's next status sync finds the API's pod status differs from its own and writes its
//! own back, so the pods are `Ready` again without any container restarting.

use std::time::Duration;

use crate::api::manifest::parse_manifests;
use crate::api::objects::Kind;
use crate::apiserver::ListOptions;
use crate::controllers::node_lifecycle::NODE_MONITOR_GRACE_PERIOD;
use crate::sim::world::{World, WorldConfig};

use super::pod_sync::STATUS_SYNC_PERIOD;

const WEB: &str = "
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: nginx, image: 'nginx:1.25', resources: {requests: {cpu: 100m}}}
";

/// Each pod's Ready condition status, by pod name.
fn readiness(world: &mut World) -> Vec<(String, String)> {
    let list = world
        .api()
        .list(Kind::Pod, Some("default"), &ListOptions::default())
        .unwrap();
    list.items
        .iter()
        .map(|p| {
            let v = p.to_value();
            let ready = v["status"]["conditions"]
                .as_array()
                .and_then(|cs| cs.iter().find(|c| c["type"] == "Ready"))
                .map(|c| c["status"].as_str().unwrap_or("").to_string())
                .unwrap_or_default();
            (p.name().to_string(), ready)
        })
        .collect()
}

fn statuses(readiness: &[(String, String)]) -> Vec<&str> {
    readiness.iter().map(|(_, s)| s.as_str()).collect()
}

#[test]
fn pods_marked_not_ready_on_a_cut_off_node_are_ready_again_after_the_next_status_sync() {
    let mut world = World::new(&WorldConfig {
        nodes: 1,
        ..WorldConfig::default()
    });
    world.api().set_user("kubectl");
    let object = parse_manifests(WEB).unwrap().remove(0);
    world.api().create("default", object).unwrap();
    let deadline = world.now().plus(Duration::from_secs(120));
    assert!(world.run_until(deadline, |w| w.pod_summary().running_ready == 2));

    world.cut_off_node("node-1").unwrap();
    world.advance(NODE_MONITOR_GRACE_PERIOD + Duration::from_secs(10));
    assert_eq!(statuses(&readiness(&mut world)), ["False", "False"]);

    world.heal_node("node-1").unwrap();
    world.advance(STATUS_SYNC_PERIOD + Duration::from_secs(1));
    assert_eq!(statuses(&readiness(&mut world)), ["True", "True"]);
    let summary = world.pod_summary();
    assert_eq!(
        (summary.total, summary.running_ready),
        (2, 2),
        "{summary:?}"
    );
}
