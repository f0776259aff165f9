//! Scenario tests through the whole [`World`]: the stories the lessons tell, from `kubectl`
//! requests to pods answering traffic, each with a fixed seed.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use serde_json::{json, Value};

use crate::api::objects::{Kind, Object};
use crate::api::patch::PatchType;
use crate::apiserver::{DeleteOptions, ListOptions, PropagationPolicy};
use crate::controllers::deployment::rollback::{history, rollback, Rollback};
use crate::controllers::deployment::util::{REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION};
use crate::controllers::endpoints::world_tests::apply;
use crate::controllers::node_lifecycle::NODE_MONITOR_GRACE_PERIOD;

use super::traffic::{TrafficRequest, TrafficSource, TrafficTarget};
use super::world::{World, WorldConfig};

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
      - name: nginx
        image: 'nginx:1.25'
        ports: [{name: http, containerPort: 8080}]
";

const CLIENT: &str = "
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  containers:
  - {name: sh, image: 'busybox:1.36', command: [sleep, infinity]}
";

fn world() -> World {
    World::new(&WorldConfig::default())
}

fn kubectl_patch(world: &mut World, kind: Kind, name: &str, patch: Value) {
    world.api().set_user("kubectl");
    world
        .api()
        .patch(kind, "default", name, PatchType::MergePatch, &patch, false)
        .unwrap();
}

fn pods(world: &mut World, selector: &str) -> Vec<Value> {
    world
        .api()
        .list(
            Kind::Pod,
            Some("default"),
            &ListOptions::with_label_selector(selector),
        )
        .unwrap()
        .items
        .iter()
        .map(|p| p.to_value())
        .collect()
}

fn is_ready(pod: &Value) -> bool {
    pod["metadata"]["deletionTimestamp"].is_null()
        && pod["status"]["conditions"].as_array().is_some_and(|c| {
            c.iter()
                .any(|c| c["type"] == "Ready" && c["status"] == "True")
        })
}

fn ready_pods(world: &mut World, selector: &str) -> Vec<Value> {
    pods(world, selector).into_iter().filter(is_ready).collect()
}

fn deployment(world: &mut World, name: &str) -> Deployment {
    match world
        .api()
        .get(Kind::Deployment, "default", name)
        .as_deref()
    {
        Ok(Object::Deployment(d)) => (**d).clone(),
        other => panic!("no deployment {name}: {other:?}"),
    }
}

fn replica_sets(world: &mut World) -> Vec<ReplicaSet> {
    world
        .api()
        .list(Kind::ReplicaSet, Some("default"), &ListOptions::default())
        .unwrap()
        .items
        .iter()
        .filter_map(|o| match o.as_ref() {
            Object::ReplicaSet(rs) => Some((**rs).clone()),
            _ => None,
        })
        .collect()
}

/// `kubectl rollout status`: the controller saw the last change and every replica is updated
/// and available, with no old pods left.
fn rollout_complete(world: &mut World, name: &str) -> bool {
    let d = deployment(world, name).clone();
    let want = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let Some(status) = d.status.as_ref() else {
        return false;
    };
    status.observed_generation == d.metadata.generation
        && status.updated_replicas == Some(want)
        && status.replicas == Some(want)
        && status.available_replicas == Some(want)
}

/// Runs until `done`, failing the test with `what` after two virtual minutes.
fn wait(world: &mut World, what: &str, done: impl FnMut(&mut World) -> bool) {
    let deadline = world.now().plus(Duration::from_secs(120));
    assert!(world.run_until(deadline, done), "timed out waiting: {what}");
}

/// Runs until `done`, and returns the highest number of pods not terminating that existed at
/// any settled instant on the way (what `maxSurge` limits).
fn wait_measuring_peak_pods(
    world: &mut World,
    what: &str,
    mut done: impl FnMut(&mut World) -> bool,
) -> usize {
    let mut peak = 0;
    wait(world, what, |w| {
        let live = pods(w, "")
            .iter()
            .filter(|p| p["metadata"]["deletionTimestamp"].is_null())
            .count();
        peak = peak.max(live);
        done(w)
    });
    peak
}

fn image_of(pod: &Value) -> String {
    pod["spec"]["containers"][0]["image"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

fn revision_of(rs: &ReplicaSet) -> String {
    rs.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(REVISION_ANNOTATION))
        .cloned()
        .unwrap_or_default()
}

fn rs_image(rs: &ReplicaSet) -> String {
    rs.spec
        .as_ref()
        .and_then(|s| s.template.as_ref())
        .and_then(|t| t.spec.as_ref())
        .and_then(|s| s.containers.first())
        .and_then(|c| c.image.clone())
        .unwrap_or_default()
}

#[test]
fn a_deployment_scales_rolls_out_keeps_history_rolls_back_and_heals_itself() {
    let mut world = world();
    apply(&mut world, WEB);
    wait(&mut world, "3 web pods ready", |w| {
        rollout_complete(w, "web") && ready_pods(w, "app=web").len() == 3
    });

    // kubectl scale deployment web --replicas=5
    kubectl_patch(
        &mut world,
        Kind::Deployment,
        "web",
        json!({"spec": {"replicas": 5}}),
    );
    wait(&mut world, "scaled to 5", |w| {
        rollout_complete(w, "web") && ready_pods(w, "app=web").len() == 5
    });
    assert_eq!(
        replica_sets(&mut world).len(),
        1,
        "scaling makes no new ReplicaSet"
    );

    // kubectl set image deployment/web nginx=nginx:1.27
    kubectl_patch(
        &mut world,
        Kind::Deployment,
        "web",
        json!({"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}}}}),
    );
    wait(&mut world, "rolled out nginx:1.27", |w| {
        rollout_complete(w, "web")
            && pods(w, "app=web").len() == 5
            && pods(w, "app=web")
                .iter()
                .all(|p| image_of(p) == "nginx:1.27" && is_ready(p))
    });

    // kubectl rollout history deployment/web
    let revisions = history(&replica_sets(&mut world));
    let listed: Vec<(i64, String)> = revisions.iter().map(|(n, rs)| (*n, rs_image(rs))).collect();
    assert_eq!(
        listed,
        [(1, "nginx:1.25".to_string()), (2, "nginx:1.27".to_string())]
    );
    let old = revisions.get(&1).unwrap();
    assert_eq!(old.spec.as_ref().and_then(|s| s.replicas), Some(0));

    // kubectl rollout undo deployment/web
    let d = deployment(&mut world, "web");
    let Rollback::Patch(request) = rollback(&d, &replica_sets(&mut world), 0).unwrap() else {
        panic!("undo skipped");
    };
    world.api().set_user("kubectl");
    world.api().handle(*request).unwrap();
    wait(&mut world, "rolled back to nginx:1.25", |w| {
        rollout_complete(w, "web")
            && pods(w, "app=web").len() == 5
            && pods(w, "app=web")
                .iter()
                .all(|p| image_of(p) == "nginx:1.25" && is_ready(p))
    });
    // The first ReplicaSet is reused and becomes revision 3, remembering it was revision 1.
    let sets = replica_sets(&mut world);
    assert_eq!(sets.len(), 2);
    let reused = sets.iter().find(|rs| rs_image(rs) == "nginx:1.25").unwrap();
    assert_eq!(revision_of(reused), "3");
    assert_eq!(
        reused
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(REVISION_HISTORY_ANNOTATION))
            .map(String::as_str),
        Some("1")
    );
    assert_eq!(
        deployment(&mut world, "web")
            .metadata
            .annotations
            .unwrap_or_default()
            .get(REVISION_ANNOTATION)
            .map(String::as_str),
        Some("3")
    );

    // kubectl delete pod <one of them>: the ReplicaSet makes a new one.
    let victim = ready_pods(&mut world, "app=web")[0]["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    world.api().set_user("kubectl");
    world
        .api()
        .delete(Kind::Pod, "default", &victim, &DeleteOptions::default())
        .unwrap();
    wait(&mut world, "self-healed to 5 pods", |w| {
        let ready = ready_pods(w, "app=web");
        ready.len() == 5
            && ready
                .iter()
                .all(|p| p["metadata"]["name"] != victim.as_str())
    });
}

#[test]
fn a_replication_controller_adopts_a_stray_pod_with_matching_labels() {
    let mut world = world();
    apply(
        &mut world,
        "
apiVersion: v1
kind: Pod
metadata: {name: stray, labels: {app: legacy}}
spec:
  containers:
  - {name: nginx, image: 'nginx:1.25'}
",
    );
    wait(&mut world, "stray pod ready", |w| {
        ready_pods(w, "app=legacy").len() == 1
    });
    apply(
        &mut world,
        "
apiVersion: v1
kind: ReplicationController
metadata: {name: legacy}
spec:
  replicas: 3
  selector: {app: legacy}
  template:
    metadata: {labels: {app: legacy}}
    spec:
      containers:
      - {name: nginx, image: 'nginx:1.25'}
",
    );
    wait(&mut world, "3 legacy pods ready", |w| {
        ready_pods(w, "app=legacy").len() == 3
    });
    world.advance(Duration::from_secs(5));
    let all = pods(&mut world, "app=legacy");
    // Only two were created: the hand-made pod counts, and now belongs to the RC.
    assert_eq!(all.len(), 3);
    let stray = all
        .iter()
        .find(|p| p["metadata"]["name"] == "stray")
        .unwrap();
    assert_eq!(
        stray["metadata"]["ownerReferences"][0]["kind"], "ReplicationController",
        "{stray}"
    );
    assert_eq!(stray["metadata"]["ownerReferences"][0]["name"], "legacy");
    assert_eq!(stray["metadata"]["ownerReferences"][0]["controller"], true);
}

#[test]
fn pods_of_a_failed_node_are_rescheduled_after_the_eviction_timeout() {
    let mut world = world();
    apply(&mut world, WEB);
    wait(&mut world, "3 web pods ready", |w| {
        ready_pods(w, "app=web").len() == 3
    });
    let node_of = |p: &Value| p["spec"]["nodeName"].as_str().unwrap_or("").to_string();
    let victim = node_of(&ready_pods(&mut world, "app=web")[0]);
    world.stop_node(&victim).unwrap();
    // The node goes Unknown after the grace period; its pods stay bound for the default
    // 300 s toleration of the unreachable taint.
    world.advance(NODE_MONITOR_GRACE_PERIOD + Duration::from_secs(200));
    assert!(pods(&mut world, "app=web")
        .iter()
        .filter(|p| node_of(p) == victim)
        .all(|p| p["metadata"]["deletionTimestamp"].is_null()));
    world.advance(Duration::from_secs(120));
    wait(&mut world, "replacements ready elsewhere", |w| {
        let ready = ready_pods(w, "app=web");
        ready.len() == 3 && ready.iter().all(|p| node_of(p) != victim)
    });
}

/// A running web Deployment, deleted with `policy`; returns the world afterwards.
fn delete_web_with(policy: PropagationPolicy) -> World {
    let mut world = world();
    apply(&mut world, WEB);
    wait(&mut world, "3 web pods ready", |w| {
        ready_pods(w, "app=web").len() == 3
    });
    world.api().set_user("kubectl");
    let options = DeleteOptions {
        propagation_policy: Some(policy),
        ..DeleteOptions::default()
    };
    world
        .api()
        .delete(Kind::Deployment, "default", "web", &options)
        .unwrap();
    world
}

#[test]
fn cascade_delete_removes_replica_sets_and_pods_and_orphan_leaves_the_pods_running() {
    for policy in [PropagationPolicy::Background, PropagationPolicy::Foreground] {
        let mut world = delete_web_with(policy);
        wait(&mut world, "deployment, replica set and pods gone", |w| {
            w.api().get(Kind::Deployment, "default", "web").is_err()
                && replica_sets(w).is_empty()
                && pods(w, "app=web").is_empty()
        });
    }
    let mut world = delete_web_with(PropagationPolicy::Orphan);
    world.advance(Duration::from_secs(30));
    assert!(world.api().get(Kind::Deployment, "default", "web").is_err());
    let sets = replica_sets(&mut world);
    assert_eq!(sets.len(), 1);
    assert!(
        sets[0].metadata.owner_references.is_none()
            || sets[0]
                .metadata
                .owner_references
                .as_ref()
                .is_some_and(Vec::is_empty)
    );
    assert_eq!(ready_pods(&mut world, "app=web").len(), 3);
}

fn deployment_yaml(name: &str, replicas: u32, labels: &str, image: &str) -> String {
    format!(
        "
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{{labels}}}}}
  template:
    metadata: {{labels: {{{labels}}}}}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - {{name: app, image: '{image}', ports: [{{name: http, containerPort: 8080}}]}}
"
    )
}

const WEB_SERVICE: &str = "
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
";

fn from_client(count: u32) -> TrafficRequest {
    TrafficRequest::from_pod_to_name("default", "client", "web", count)
}

/// Sums a report's answers by the pods' `version` label.
fn answers_by_version(world: &mut World, per_pod: &BTreeMap<String, u32>) -> BTreeMap<String, u32> {
    let versions: BTreeMap<String, String> = pods(world, "app=web")
        .iter()
        .map(|p| {
            (
                format!("default/{}", p["metadata"]["name"].as_str().unwrap_or("")),
                p["metadata"]["labels"]["version"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            )
        })
        .collect();
    let mut by_version = BTreeMap::new();
    for (pod, n) in per_pod {
        let version = versions.get(pod).cloned().unwrap_or_default();
        *by_version.entry(version).or_default() += n;
    }
    by_version
}

#[test]
fn a_canary_of_one_pod_among_ten_gets_about_a_tenth_of_the_traffic() {
    let mut world = world();
    apply(
        &mut world,
        &deployment_yaml("web-v1", 9, "app: web, version: v1", "nginx:1.25"),
    );
    apply(
        &mut world,
        &deployment_yaml("web-v2", 1, "app: web, version: v2", "nginx:1.27"),
    );
    apply(&mut world, WEB_SERVICE);
    apply(&mut world, CLIENT);
    wait(&mut world, "10 web pods and the client ready", |w| {
        ready_pods(w, "app=web").len() == 10 && ready_pods(w, "").len() == 11
    });
    world.advance(Duration::from_secs(2));
    let report = world.send_traffic(&from_client(10_000)).unwrap();
    assert_eq!(report.succeeded, 10_000, "{report:?}");
    assert_eq!(report.per_pod.len(), 10);
    let by_version = answers_by_version(&mut world, &report.per_pod);
    let v2 = f64::from(by_version.get("v2").copied().unwrap_or(0)) / 10_000.0;
    // The binomial standard deviation is 0.3 %; 1.5 % is five of them.
    assert!((v2 - 0.10).abs() < 0.015, "v2 share {v2}: {by_version:?}");
}

#[test]
fn blue_green_switches_all_traffic_at_once_at_the_cost_of_twice_the_pods() {
    let mut world = world();
    apply(
        &mut world,
        &deployment_yaml("web-blue", 3, "app: web, version: blue", "nginx:1.25"),
    );
    apply(
        &mut world,
        "
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web, version: blue}
  ports: [{name: http, port: 80, targetPort: http}]
",
    );
    apply(&mut world, CLIENT);
    wait(&mut world, "blue ready", |w| {
        ready_pods(w, "version=blue").len() == 3 && ready_pods(w, "").len() == 4
    });
    world.advance(Duration::from_secs(2));
    let before = world.send_traffic(&from_client(1000)).unwrap();
    let before = answers_by_version(&mut world, &before.per_pod);
    assert_eq!(before, BTreeMap::from([("blue".to_string(), 1000)]));

    // Green comes up next to blue; the Service still points at blue.
    let web_pods = |w: &mut World| pods(w, "app=web").len();
    assert_eq!(web_pods(&mut world), 3);
    apply(
        &mut world,
        &deployment_yaml("web-green", 3, "app: web, version: green", "nginx:1.27"),
    );
    let mut peak = 0;
    wait(&mut world, "green ready", |w| {
        peak = peak.max(web_pods(w));
        ready_pods(w, "version=green").len() == 3
    });
    // The switch: one selector change moves all traffic.
    kubectl_patch(
        &mut world,
        Kind::Service,
        "web",
        json!({"spec": {"selector": {"app": "web", "version": "green"}}}),
    );
    world.advance(Duration::from_secs(2));
    peak = peak.max(web_pods(&mut world));
    let after = world.send_traffic(&from_client(1000)).unwrap();
    let after = answers_by_version(&mut world, &after.per_pod);
    assert_eq!(after, BTreeMap::from([("green".to_string(), 1000)]));
    // Blue is kept until the switch is trusted, then deleted.
    world.api().set_user("kubectl");
    world
        .api()
        .delete(
            Kind::Deployment,
            "default",
            "web-blue",
            &DeleteOptions::default(),
        )
        .unwrap();
    wait(&mut world, "blue gone", |w| {
        pods(w, "version=blue").is_empty()
    });
    assert_eq!(peak, 6, "twice the 3 replicas during the switch");
    assert_eq!(web_pods(&mut world), 3);
}

#[test]
fn a_rolling_update_needs_only_max_surge_extra_pods() {
    let mut world = world();
    apply(&mut world, WEB);
    wait(&mut world, "3 web pods ready", |w| {
        rollout_complete(w, "web") && ready_pods(w, "app=web").len() == 3
    });
    kubectl_patch(
        &mut world,
        Kind::Deployment,
        "web",
        json!({"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}}}}),
    );
    let peak = wait_measuring_peak_pods(&mut world, "rolled out", |w| {
        rollout_complete(w, "web")
            && pods(w, "app=web").len() == 3
            && pods(w, "app=web")
                .iter()
                .all(|p| image_of(p) == "nginx:1.27")
    });
    // maxSurge 25 % of 3 rounds up to 1. (Pods still terminating are not counted, as the
    // Deployment controller does not count them either.)
    assert_eq!(peak, 4);
}

#[test]
fn dns_load_grows_with_the_number_of_clients() {
    let mut world = world();
    apply(&mut world, WEB);
    apply(&mut world, WEB_SERVICE);
    apply(
        &mut world,
        "
apiVersion: apps/v1
kind: Deployment
metadata: {name: clients}
spec:
  replicas: 1
  selector: {matchLabels: {app: clients}}
  template:
    metadata: {labels: {app: clients}}
    spec:
      containers:
      - {name: sh, image: 'busybox:1.36', command: [sleep, infinity]}
",
    );
    let mut load = Vec::new();
    for clients in [1usize, 4] {
        kubectl_patch(
            &mut world,
            Kind::Deployment,
            "clients",
            json!({"spec": {"replicas": clients}}),
        );
        wait(&mut world, "clients and web ready", |w| {
            ready_pods(w, "app=clients").len() == clients && ready_pods(w, "app=web").len() == 3
        });
        world.advance(Duration::from_secs(2));
        // One second of traffic: 100 requests from each client, each a lookup of `web`.
        for pod in ready_pods(&mut world, "app=clients") {
            let name = pod["metadata"]["name"].as_str().unwrap_or("").to_string();
            let request = TrafficRequest {
                from: TrafficSource::Pod {
                    namespace: "default".into(),
                    name,
                },
                to: TrafficTarget::ServiceName {
                    name: "web".into(),
                    port: None,
                },
                count: 100,
            };
            assert_eq!(world.send_traffic(&request).unwrap().succeeded, 100);
        }
        load.push(world.dns_queries_per_second(1));
    }
    assert_eq!(load, [100.0, 400.0]);
    // The two CoreDNS replicas share the load about evenly.
    for replica in world.dns_load() {
        assert!(
            (150..250).contains(&replica.queries_this_second),
            "{replica:?}"
        );
    }
}

/// The `kubernetes` Service points at the API server (kube-apiserver's endpoint reconciler),
/// and a deleted Endpoints or EndpointSlice comes back within the reconciler's 10 s.
#[test]
fn the_kubernetes_service_endpoints_come_back_after_a_delete() {
    let kubectl = crate::kubectl::Kubectl::default();
    let mut world = world();
    world.settle();
    let get = |world: &mut World, line: &str| world.kubectl(&kubectl, line, BTreeMap::new());
    let shown = get(&mut world, "get endpoints kubernetes");
    assert!(
        shown.stdout.contains("192.168.49.1:6443"),
        "{}",
        shown.stdout
    );
    for kind in ["endpoints", "endpointslice"] {
        let deleted = get(&mut world, &format!("delete {kind} kubernetes"));
        assert_eq!(deleted.exit_code, 0, "{}", deleted.stderr);
    }
    world.settle();
    assert_eq!(get(&mut world, "get endpoints kubernetes").exit_code, 1);
    world.advance(super::world::API_ENDPOINT_RECONCILE_INTERVAL);
    let back = get(&mut world, "get endpointslice kubernetes");
    assert_eq!(back.exit_code, 0, "{}", back.stderr);
    assert!(back.stdout.contains("IPv4"), "{}", back.stdout);
    assert!(back.stdout.contains("192.168.49.1"), "{}", back.stdout);
    let endpoints = get(&mut world, "get endpoints kubernetes");
    assert!(
        endpoints.stdout.contains("192.168.49.1:6443"),
        "{}",
        endpoints.stdout
    );
}

#[test]
fn events_are_gone_an_event_ttl_after_their_last_write_as_kube_apiserver_keeps_them() {
    let mut world = world();
    apply(&mut world, WEB);
    wait(&mut world, "web ready", |w| {
        ready_pods(w, "app=web").len() == 3
    });
    let reasons = |world: &mut World| -> Vec<String> {
        let list = world
            .api()
            .list(Kind::Event, Some("default"), &ListOptions::default())
            .unwrap();
        list.items
            .iter()
            .filter_map(|o| o.to_value()["reason"].as_str().map(str::to_string))
            .collect()
    };
    let first = reasons(&mut world);
    assert!(first.iter().any(|r| r == "ScalingReplicaSet"), "{first:?}");
    assert!(first.iter().any(|r| r == "Started"), "{first:?}");

    // 59 minutes on, a second rollout's Events come; a minute later the first ones are gone.
    world.advance(Duration::from_secs(59 * 60));
    assert_eq!(
        reasons(&mut world).len(),
        first.len(),
        "nothing expired yet"
    );
    kubectl_patch(
        &mut world,
        Kind::Deployment,
        "web",
        json!({"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.26"}]}}}}),
    );
    wait(&mut world, "rollout", |w| rollout_complete(w, "web"));
    let during = reasons(&mut world).len();
    assert!(during > first.len(), "the rollout recorded Events");
    world.advance(Duration::from_secs(2 * 60));
    let after = reasons(&mut world);
    assert!(!after.is_empty() && after.len() < during, "{after:?}");
    // What is left was written within the hour.
    let hour_ago = world.now().as_millis() - 3_600_000;
    for event in world
        .api()
        .list(Kind::Event, Some("default"), &ListOptions::default())
        .unwrap()
        .items
    {
        let last: k8s_openapi::apimachinery::pkg::apis::meta::v1::Time =
            serde_json::from_value(event.to_value()["lastTimestamp"].clone()).unwrap();
        // Written on the wire to the second.
        let last = crate::sim::clock::Timestamp::from_k8s_time(&last).as_millis();
        assert!(last + 1_000 > hour_ago, "{last} vs {hour_ago}");
    }
    world.advance(Duration::from_secs(60 * 60));
    assert!(
        reasons(&mut world).is_empty(),
        "an hour later, every Event is gone"
    );
}
