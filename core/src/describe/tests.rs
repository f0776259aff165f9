//! Whole-output tests of `describe` on objects a real simulated cluster produced.

use std::time::Duration;

use crate::api::manifest::parse_manifests;
use crate::api::objects::Kind;
use crate::sim::world::{World, WorldConfig};

use super::{describe, describe_all};

const WEB: &str = "
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: 'nginx:1.25'
        ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
";

fn apply(world: &mut World, manifests: &str) {
    world.api().set_user("kubectl");
    for object in parse_manifests(manifests).unwrap() {
        let namespace = if object.namespace().is_empty() {
            "default".to_string()
        } else {
            object.namespace().to_string()
        };
        world.api().create(&namespace, object).unwrap();
    }
}

fn web_world() -> World {
    let mut world = World::new(&WorldConfig::default());
    apply(&mut world, WEB);
    world.advance(Duration::from_secs(60));
    world
}

#[test]
#[ignore]
fn dump() {
    let mut world = web_world();
    let now = world.now();
    let pods = world
        .api()
        .list(Kind::Pod, Some("default"), &Default::default())
        .unwrap();
    let pod = pods.items[0].name().to_string();
    let rs = world
        .api()
        .list(Kind::ReplicaSet, Some("default"), &Default::default())
        .unwrap()
        .items[0]
        .name()
        .to_string();
    let slice = world
        .api()
        .list(Kind::EndpointSlice, Some("default"), &Default::default())
        .unwrap()
        .items[0]
        .name()
        .to_string();
    for (kind, ns, name) in [
        (Kind::Pod, "default", pod.as_str()),
        (Kind::ReplicaSet, "default", rs.as_str()),
        (Kind::Deployment, "default", "web"),
        (Kind::Service, "default", "web"),
        (Kind::Endpoints, "default", "web"),
        (Kind::EndpointSlice, "default", slice.as_str()),
        (Kind::Namespace, "", "default"),
        (Kind::Node, "", "node-1"),
    ] {
        println!(
            "=== {kind:?}\n{}",
            describe(world.api(), kind, ns, name, now).unwrap()
        );
    }
    println!(
        "=== all\n{}",
        describe_all(world.api(), Kind::Pod, Some("default"), "app=web", now).unwrap()
    );
}
