//! What one pod of `kubeplay sim` costs in bytes, part by part: the inline size of each type
//! and the heap bytes a copy of each part allocates (counted by this binary's allocator).
//! Ignored by default (a measurement, not a check):
//! `cargo test --release -p kubeplay-core --test pod_spec_bytes -- --ignored --nocapture`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::{Container, PodSpec, PodStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kubeplay_core::api::objects::{CompactPodStatus, Kind, Object, StoredPod};
use kubeplay_core::apiserver::ListOptions;
use kubeplay_core::sim::run::SimRunConfig;
use kubeplay_core::sim::world::World;

/// Counts requested bytes and calls (the real allocator rounds sizes up a little more).
struct Counting;

static BYTES: AtomicUsize = AtomicUsize::new(0);
static CALLS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        CALLS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Heap bytes and allocation calls a clone of `value` makes.
fn heap_of<T: Clone>(value: &T) -> (usize, usize) {
    let (bytes, calls) = (BYTES.load(Ordering::Relaxed), CALLS.load(Ordering::Relaxed));
    let copy = value.clone();
    let counted = (
        BYTES.load(Ordering::Relaxed) - bytes,
        CALLS.load(Ordering::Relaxed) - calls,
    );
    drop(copy);
    counted
}

fn row(what: &str, inline: usize, (heap, calls): (usize, usize)) {
    println!(
        "{what:<44} inline {inline:>5} B  heap {heap:>5} B in {calls:>3} allocations  total {:>5} B",
        inline + heap
    );
}

#[test]
#[ignore = "a measurement: run with --ignored --nocapture"]
fn bytes_of_one_sim_pod() {
    let config = SimRunConfig::command_line(3, 6, 1, 110, Duration::from_secs(3600));
    let mut world = World::new(&config.world);
    world.api().set_user("kubeplay-sim");
    if let Some(object) = kubeplay_core::sim::run::deployment("app-0", 6) {
        let _ = world.api().create("default", object);
    }
    let deadline = world.now().plus(Duration::from_secs(120));
    world.run_until(deadline, |world| world.pod_summary().running_ready >= 6);
    let pods = world
        .api()
        .list(Kind::Pod, Some("default"), &ListOptions::default())
        .map(|list| list.items)
        .unwrap_or_default();
    let Some(object) = pods.first() else {
        println!("skipped: the run made no pod");
        return;
    };
    let Object::Pod(pod) = object.as_ref() else {
        println!("skipped: not a pod");
        return;
    };
    let pod: &StoredPod = pod;
    let spec = pod.spec().cloned().unwrap_or_default();
    let status = pod.to_status().unwrap_or_default();
    let compact = pod.status().cloned().unwrap_or_default();
    println!(
        "one running pod of `sim` (a Deployment replica, node {:?}):",
        pod.node_name()
    );
    row(
        "StoredPod (box of Object::Pod)",
        size_of::<StoredPod>(),
        (0, 0),
    );
    row(
        "ObjectMeta",
        size_of::<ObjectMeta>(),
        heap_of(&pod.metadata),
    );
    row(
        "PodSpec (without nodeName)",
        size_of::<PodSpec>(),
        heap_of(&spec),
    );
    row(
        "  containers (Vec<Container>)",
        0,
        heap_of(&spec.containers),
    );
    println!(
        "  {} container(s), size_of::<Container>() = {} B",
        spec.containers.len(),
        size_of::<Container>()
    );
    row(
        "PodStatus (running, k8s-openapi)",
        size_of::<PodStatus>(),
        heap_of(&status),
    );
    row(
        "CompactPodStatus (running, as stored)",
        size_of::<CompactPodStatus>(),
        heap_of(&compact),
    );
    row(
        "Arc<PodSpec> (shared: pointer only)",
        size_of::<Option<Arc<PodSpec>>>(),
        (0, 0),
    );
    let spec_json = serde_json::to_string(&spec).unwrap_or_default();
    println!("spec as JSON: {} B: {spec_json}", spec_json.len());
    let meta_json = serde_json::to_string(&pod.metadata).unwrap_or_default();
    println!("metadata as JSON: {} B: {meta_json}", meta_json.len());
}
