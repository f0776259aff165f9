//! Scenario tests through the whole simulated cluster: Deployments, Services, and the
//! Endpoints and EndpointSlices the controllers write for them.

use std::time::Duration;

use serde_json::Value;

use crate::api::manifest::parse_manifests;
use crate::api::objects::Kind;
use crate::apiserver::ListOptions;
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

const UNREADY: &str = "
apiVersion: v1
kind: Pod
metadata: {name: unready, labels: {app: web}}
spec:
  containers:
  - name: app
    image: kubeplay/unready
    ports: [{name: http, containerPort: 8080}]
    readinessProbe: {httpGet: {path: /ready, port: 8080}, periodSeconds: 5}
";

pub(crate) fn apply(world: &mut World, manifests: &str) {
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

fn endpoints(world: &mut World) -> Value {
    world
        .api()
        .get(Kind::Endpoints, "default", "web")
        .map(|o| o.to_value())
        .unwrap_or(Value::Null)
}

fn slices(world: &mut World) -> Vec<Value> {
    let options = ListOptions::with_label_selector("kubernetes.io/service-name=web");
    world
        .api()
        .list(Kind::EndpointSlice, Some("default"), &options)
        .map(|l| l.items.iter().map(|o| o.to_value()).collect())
        .unwrap_or_default()
}

fn ready_addresses(endpoints: &Value) -> usize {
    endpoints["subsets"][0]["addresses"]
        .as_array()
        .map_or(0, Vec::len)
}

fn run_until_ready_addresses(world: &mut World, want: usize) -> bool {
    let deadline = world.now().plus(Duration::from_secs(120));
    world.run_until(deadline, |w| ready_addresses(&endpoints(w)) == want)
}

#[test]
fn a_service_over_a_three_replica_deployment_gets_three_ready_endpoints_and_a_slice() {
    let mut world = World::new(&WorldConfig::default());
    apply(&mut world, WEB);
    assert!(
        run_until_ready_addresses(&mut world, 3),
        "{}",
        endpoints(&mut world)
    );
    world.advance(Duration::from_secs(1));

    let endpoints = endpoints(&mut world);
    let subset = &endpoints["subsets"][0];
    for address in subset["addresses"].as_array().unwrap() {
        assert!(
            address["ip"].as_str().unwrap().starts_with("10.244."),
            "{address}"
        );
        assert!(address["nodeName"].as_str().unwrap().starts_with("node-"));
        assert_eq!(address["targetRef"]["kind"], "Pod");
    }
    // The named targetPort `http` resolves to the containers' port 8080.
    assert_eq!(
        subset["ports"],
        serde_json::json!([{"name": "http", "port": 8080, "protocol": "TCP"}])
    );
    assert!(endpoints["metadata"]["annotations"]
        ["endpoints.kubernetes.io/last-change-trigger-time"]
        .is_string());

    let slices = slices(&mut world);
    assert_eq!(slices.len(), 1, "{slices:?}");
    let slice = &slices[0];
    let name = slice["metadata"]["name"].as_str().unwrap();
    assert!(
        name.starts_with("web-") && name.len() == "web-".len() + 5,
        "{name}"
    );
    assert_eq!(slice["addressType"], "IPv4");
    assert_eq!(
        slice["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"],
        "endpointslice-controller.k8s.io"
    );
    assert_eq!(slice["metadata"]["ownerReferences"][0]["kind"], "Service");
    assert_eq!(slice["ports"][0]["port"], 8080);
    let endpoints = slice["endpoints"].as_array().unwrap();
    assert_eq!(endpoints.len(), 3);
    assert!(endpoints
        .iter()
        .all(|e| e["conditions"]["ready"] == true && e["nodeName"].is_string()));
}

#[test]
fn a_pod_that_is_not_ready_is_listed_as_not_ready() {
    let mut world = World::new(&WorldConfig::default());
    apply(&mut world, WEB);
    apply(&mut world, UNREADY);
    let deadline = world.now().plus(Duration::from_secs(120));
    let found = world.run_until(deadline, |w| {
        let e = endpoints(w);
        ready_addresses(&e) == 3
            && e["subsets"][0]["notReadyAddresses"]
                .as_array()
                .is_some_and(|a| a.len() == 1)
    });
    assert!(found, "{}", endpoints(&mut world));
    let endpoints = endpoints(&mut world);
    assert_eq!(
        endpoints["subsets"][0]["notReadyAddresses"][0]["targetRef"]["name"],
        "unready"
    );
    world.advance(Duration::from_secs(1));
    let slices = slices(&mut world);
    let endpoint = slices
        .iter()
        .flat_map(|s| s["endpoints"].as_array().cloned().unwrap_or_default())
        .find(|e| e["targetRef"]["name"] == "unready")
        .unwrap();
    assert_eq!(
        endpoint["conditions"],
        serde_json::json!({"ready": false, "serving": false, "terminating": false})
    );
}

#[test]
fn deleting_the_service_deletes_its_endpoints() {
    let mut world = World::new(&WorldConfig::default());
    apply(&mut world, WEB);
    assert!(run_until_ready_addresses(&mut world, 3));
    world.api().set_user("kubectl");
    world
        .api()
        .delete(Kind::Service, "default", "web", &Default::default())
        .unwrap();
    world.advance(Duration::from_secs(1));
    assert_eq!(endpoints(&mut world), Value::Null);
}
