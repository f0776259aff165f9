//! Scheduling throughput of kube-scheduler alone: N nodes, 10,000 pending pods, one tick.
//!
//! Run with `cargo bench -p kubeplay-core --bench scheduler`. Each sample builds a
//! [`KubeScheduler`] from watch events (N Ready nodes with 4 CPUs, 16 GiB and 110 pods each,
//! then 10,000 pending pods of one Deployment's template asking for 10m CPU and 16Mi), then
//! times one `handle_tick` that schedules every pod and drains what the scheduler sends (the
//! bindings and `Scheduled` events). The explanation annotations are off, as in
//! `kubeplay sim`; one bench runs with them on to show what they cost.

use std::sync::Arc;

use divan::counter::ItemsCount;
use divan::Bencher;
use kubeplay_core::api::objects::Object;
use kubeplay_core::apiserver::{ApiWatchEvent, WatchEventType};
use kubeplay_core::scheduler::component::KubeScheduler;
use kubeplay_core::scheduler::Config;
use kubeplay_core::sim::clock::SIM_EPOCH;
use kubeplay_core::sim::rng::SimRng;
use serde_json::json;

fn main() {
    divan::main();
}

const PODS: usize = 10_000;

fn added(object: Object) -> ApiWatchEvent {
    ApiWatchEvent {
        event_type: WatchEventType::Added,
        object: Arc::new(object),
    }
}

/// A scheduler that knows `nodes` nodes and has `PODS` pods pending.
fn scheduler_with_pending_pods(nodes: usize, annotations: bool) -> KubeScheduler {
    let mut scheduler = KubeScheduler::new(Config::default(), SimRng::seed_from(1));
    scheduler.publish_annotations = annotations;
    for i in 0..nodes {
        let name = format!("node-{i:05}");
        let node = Object::from_value(json!({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
            "status": {"allocatable": {"cpu": "4", "memory": "16Gi", "pods": "110"},
                       "capacity": {"cpu": "4", "memory": "16Gi", "pods": "110"},
                       "images": [{"names": ["docker.io/library/nginx:1.25", "nginx:1.25"],
                                   "sizeBytes": 70_000_000}]}
        }))
        .expect("a well-formed node");
        scheduler.handle_watch_event(&added(node));
    }
    for i in 0..PODS {
        let pod = Object::from_value(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("web-5d8f7c9b4-{i:06}"), "namespace": "default",
                         "uid": format!("uid-{i}"),
                         "labels": {"app": "web", "pod-template-hash": "5d8f7c9b4"}},
            "spec": {"schedulerName": "default-scheduler", "priority": 0,
                     "containers": [{"name": "web", "image": "nginx:1.25",
                                     "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}
        }))
        .expect("a well-formed pod");
        scheduler.handle_watch_event(&added(pod));
    }
    scheduler
}

fn schedule_all(bencher: Bencher, nodes: usize, annotations: bool) {
    bencher
        .counter(ItemsCount::new(PODS))
        .with_inputs(|| scheduler_with_pending_pods(nodes, annotations))
        .bench_local_values(|mut scheduler| {
            scheduler.handle_tick(SIM_EPOCH);
            let mut sent = 0usize;
            while scheduler.poll_api_request().is_some() {
                sent += 1;
            }
            assert!(sent >= 2 * PODS, "every pod is bound: {sent} requests");
            scheduler
        });
}

/// 10,000 pods onto 1,000 nodes (42 % of the nodes scored per pod).
#[divan::bench(sample_count = 3)]
fn nodes_1000(bencher: Bencher) {
    schedule_all(bencher, 1_000, false);
}

/// 10,000 pods onto 5,000 nodes (10 %, 500 nodes, scored per pod).
#[divan::bench(sample_count = 3)]
fn nodes_5000(bencher: Bencher) {
    schedule_all(bencher, 5_000, false);
}

/// 10,000 pods onto 1,000 nodes, writing the kube-scheduler-simulator annotations.
#[divan::bench(sample_count = 3)]
fn nodes_1000_with_annotations(bencher: Bencher) {
    schedule_all(bencher, 1_000, true);
}
