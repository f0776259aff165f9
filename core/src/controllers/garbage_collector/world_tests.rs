//! Scenario tests through the whole simulated cluster: deleting a Deployment with each
//! propagation policy.

use std::time::Duration;

use crate::api::objects::Kind;
use crate::apiserver::{DeleteOptions, ListOptions, PropagationPolicy};
use crate::controllers::endpoints::world_tests::apply;
use crate::sim::trace::{StoreOp, TraceRecord};
use crate::sim::world::{World, WorldConfig};

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
      terminationGracePeriodSeconds: 5
      containers:
      - {name: nginx, image: 'nginx:1.25'}
";

fn count(world: &mut World, kind: Kind) -> usize {
    world
        .api()
        .list(kind, Some("default"), &ListOptions::default())
        .map_or(0, |l| l.items.len())
}

fn running_web() -> World {
    let mut world = World::new(&WorldConfig::default());
    apply(&mut world, WEB);
    let deadline = world.now().plus(Duration::from_secs(120));
    assert!(world.run_until(deadline, |w| {
        let s = w.pod_summary();
        s.running_ready == 3
    }));
    world.advance(Duration::from_secs(1));
    world
}

fn delete_web(world: &mut World, policy: Option<PropagationPolicy>) {
    world.api().set_user("kubectl");
    let options = DeleteOptions {
        propagation_policy: policy,
        ..DeleteOptions::default()
    };
    world
        .api()
        .delete(Kind::Deployment, "default", "web", &options)
        .unwrap();
}

/// The store commits of deletions, as (kind prefix, key) in order.
fn deletions(world: &World) -> Vec<String> {
    world
        .trace()
        .records()
        .filter_map(|r| match r {
            TraceRecord::StoreCommit {
                key,
                op: StoreOp::Delete,
                ..
            } => Some(key.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn deleting_a_deployment_in_the_background_removes_its_replica_set_and_pods() {
    let mut world = running_web();
    delete_web(&mut world, None);
    world.advance(Duration::from_secs(60));
    assert_eq!(count(&mut world, Kind::Deployment), 0);
    assert_eq!(count(&mut world, Kind::ReplicaSet), 0);
    assert_eq!(count(&mut world, Kind::Pod), 0);
}

#[test]
fn deleting_a_deployment_with_orphan_keeps_the_replica_set_without_an_owner() {
    let mut world = running_web();
    delete_web(&mut world, Some(PropagationPolicy::Orphan));
    world.advance(Duration::from_secs(60));
    assert_eq!(count(&mut world, Kind::Deployment), 0);
    let replica_sets = world
        .api()
        .list(Kind::ReplicaSet, Some("default"), &ListOptions::default())
        .unwrap();
    assert_eq!(replica_sets.items.len(), 1);
    assert!(replica_sets.items[0]
        .metadata()
        .owner_references
        .as_deref()
        .unwrap_or_default()
        .is_empty());
    assert_eq!(count(&mut world, Kind::Pod), 3);
}

#[test]
fn deleting_a_deployment_in_the_foreground_deletes_pods_and_replica_set_first() {
    let mut world = running_web();
    delete_web(&mut world, Some(PropagationPolicy::Foreground));
    world.settle();
    // Held by its finalizer while its dependents go.
    let deployment = world.api().get(Kind::Deployment, "default", "web").unwrap();
    assert!(deployment.metadata().deletion_timestamp.is_some());
    world.advance(Duration::from_secs(60));
    assert_eq!(count(&mut world, Kind::Deployment), 0);
    assert_eq!(count(&mut world, Kind::ReplicaSet), 0);
    assert_eq!(count(&mut world, Kind::Pod), 0);
    let order = deletions(&world);
    let position = |prefix: &str| order.iter().rposition(|k| k.starts_with(prefix));
    let last_pod = position("/registry/pods/").unwrap();
    let replica_set = position("/registry/replicasets/").unwrap();
    let deployment = position("/registry/deployments/").unwrap();
    assert!(
        last_pod < replica_set && replica_set < deployment,
        "{order:?}"
    );
}
