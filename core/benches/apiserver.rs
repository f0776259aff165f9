//! API server reads at scale: a list of 150,000 pods filtered by a label selector, and the
//! same list filtered by a field selector (pods on one node).
//!
//! Run with `cargo bench -p kubeplay-core --bench apiserver`. The cluster is built once
//! through the API server itself (create with defaulting, admission and validation), then
//! each sample lists it. Pods carry `app: web-<n % 100>`, so `app=web-7` selects 1,500.

use divan::counter::ItemsCount;
use divan::Bencher;
use kubeplay_core::api::objects::{Kind, Object};
use kubeplay_core::apiserver::{ApiServer, ListOptions};
use kubeplay_core::sim::clock::SIM_EPOCH;
use serde_json::json;

fn main() {
    divan::main();
}

const PODS: usize = 150_000;

fn cluster_with_pods(count: usize) -> ApiServer {
    let mut api = ApiServer::new(1, SIM_EPOCH);
    for i in 0..count {
        let pod = Object::from_value(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("web-{i:06}"), "labels": {"app": format!("web-{}", i % 100), "tier": "frontend"}},
            "spec": {"nodeName": format!("node-{}", i % 5000), "containers": [{"name": "nginx", "image": "nginx:1.25", "ports": [{"containerPort": 80}]}]}
        }))
        .expect("a well-formed pod");
        api.create("default", pod).expect("pods are created");
    }
    api
}

/// `kubectl get pods -l app=web-7` over 150,000 pods.
#[divan::bench(sample_count = 10)]
fn list_150k_pods_by_label_selector(bencher: Bencher) {
    let mut api = cluster_with_pods(PODS);
    let options = ListOptions::with_label_selector("app=web-7");
    bencher.counter(ItemsCount::new(PODS)).bench_local(|| {
        let list = api
            .list(Kind::Pod, Some("default"), &options)
            .expect("list");
        assert_eq!(list.items.len(), PODS / 100);
        list
    });
}

/// `kubectl get pods --field-selector spec.nodeName=node-7` over 150,000 pods.
#[divan::bench(sample_count = 10)]
fn list_150k_pods_by_field_selector(bencher: Bencher) {
    let mut api = cluster_with_pods(PODS);
    let options = ListOptions {
        field_selector: Some("spec.nodeName=node-7".to_string()),
        ..ListOptions::default()
    };
    bencher.counter(ItemsCount::new(PODS)).bench_local(|| {
        let list = api
            .list(Kind::Pod, Some("default"), &options)
            .expect("list");
        assert_eq!(list.items.len(), PODS / 5000);
        list
    });
}

/// Creates through the whole write path (defaulting, admission, validation, commit).
#[divan::bench(sample_count = 10)]
fn create_10k_pods(bencher: Bencher) {
    bencher
        .counter(ItemsCount::new(10_000usize))
        .bench_local(|| cluster_with_pods(10_000));
}
