//! Scenario test through the whole simulated cluster: deleting a namespace empties it, then
//! it goes.

use std::time::Duration;

use crate::api::objects::Kind;
use crate::apiserver::ListOptions;
use crate::controllers::endpoints::world_tests::apply;
use crate::sim::world::{World, WorldConfig};

const SHOP: &str = "
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: nginx, image: 'nginx:1.25'}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {color: blue}
";

fn content(world: &mut World) -> usize {
    Kind::ALL
        .into_iter()
        .filter(|k| k.namespaced())
        .map(|k| {
            world
                .api()
                .list(k, Some("shop"), &ListOptions::default())
                .map_or(0, |l| l.items.len())
        })
        .sum()
}

#[test]
fn deleting_a_namespace_deletes_its_content_and_then_the_namespace() {
    let mut world = World::new(&WorldConfig::default());
    apply(&mut world, SHOP);
    let deadline = world.now().plus(Duration::from_secs(120));
    assert!(world.run_until(deadline, |w| w.pod_summary().running_ready == 2));
    world.advance(Duration::from_secs(1));
    assert!(content(&mut world) > 5);

    world.api().set_user("kubectl");
    world
        .api()
        .delete(Kind::Namespace, "", "shop", &Default::default())
        .unwrap();
    world.settle();
    let namespace = world.api().get(Kind::Namespace, "", "shop").unwrap();
    assert_eq!(namespace.to_value()["status"]["phase"], "Terminating");

    let deadline = world.now().plus(Duration::from_secs(120));
    let gone = world.run_until(deadline, |w| {
        w.api().get(Kind::Namespace, "", "shop").is_err()
    });
    assert!(gone, "content left: {}", content(&mut world));
    assert_eq!(content(&mut world), 0);
}
