//! A census of pod revisions: while `kubeplay sim`'s run goes on, which holder keeps which
//! revision of each pod alive. Ignored by default (it is a measurement, not a check):
//! `cargo test --release -p kubeplay-core --test pod_census -- --ignored --nocapture`
//! (`POD_CENSUS=NODES,PODS` to change the size).

use std::collections::BTreeMap;
use std::sync::{Arc, Weak};
use std::time::Duration;

use kubeplay_core::api::objects::Object;
use kubeplay_core::sim::run::SimRunConfig;
use kubeplay_core::sim::world::World;

/// What holds one pod revision at one sample.
#[derive(Default, Clone, Copy, Debug)]
struct Holders {
    history: u32,
    log: u32,
    queues: u32,
}

/// One sample's counts.
#[derive(Default, Clone, Debug)]
struct Sample {
    at: String,
    pods: usize,
    /// Alive revisions, counting one with container statuses twice (about twice the bytes).
    weight: usize,
    /// Changes in the store's watch log at the sample.
    logged_changes: usize,
    alive: usize,
    in_history: usize,
    older_in_history: usize,
    in_log_not_history: usize,
    in_queues_only: usize,
    outside_only: usize,
    /// Revisions alive per pod key: how many pods have 1, 2, 3, … revisions alive.
    per_pod: BTreeMap<usize, usize>,
    /// Strong counts of the revisions found in the store (latest ones), beyond the store's.
    latest_outside_refs: BTreeMap<usize, usize>,
    /// Distinct `PodSpec`s behind the alive revisions (revisions that share one count once).
    distinct_specs: usize,
    /// Distinct `PodStatus`es behind the alive revisions.
    distinct_statuses: usize,
}

#[test]
#[ignore = "a measurement: run with --ignored --nocapture"]
fn pod_revision_census_at_the_peak() {
    let (nodes, pods) = std::env::var("POD_CENSUS")
        .ok()
        .and_then(|v| {
            let (n, p) = v.split_once(',')?;
            Some((n.parse().ok()?, p.parse().ok()?))
        })
        .unwrap_or((300usize, 9000usize));
    let config = SimRunConfig::command_line(nodes, pods, 1, 110, Duration::from_secs(3600));
    let mut world = World::new(&config.world);
    world.api().set_user("kubeplay-sim");
    let mut remaining = pods;
    let mut index = 0;
    while remaining > 0 {
        let replicas = remaining.min(500);
        let name = format!("app-{index}");
        let object = kubeplay_core::sim::run::deployment(&name, replicas);
        if let Some(object) = object {
            let _ = world.api().create("default", object);
        }
        remaining -= replicas;
        index += 1;
    }
    // Every pod revision ever seen in the store, by address, with its pod key.
    let mut seen: BTreeMap<usize, (Weak<Object>, String)> = BTreeMap::new();
    let mut peak = Sample::default();
    let start = world.now();
    let deadline = start.plus(Duration::from_secs(600));
    // Sampled after every settled instant (each settle ends with a compaction check).
    world.run_until(deadline, |world| {
        let mut sample = census(world, &mut seen);
        if sample.weight > peak.weight {
            sample.at = format!("{:?}", world.now().since(start));
            peak = sample;
        }
        world.pod_summary().running_ready >= pods
    });
    let last = census(&mut world, &mut seen);
    println!("peak: {peak:#?}");
    println!("end: {last:#?}");
    assert!(peak.alive >= peak.pods);
}

fn census(world: &mut World, seen: &mut BTreeMap<usize, (Weak<Object>, String)>) -> Sample {
    let mut holders: BTreeMap<usize, Holders> = BTreeMap::new();
    let mut latest: BTreeMap<String, usize> = BTreeMap::new();
    let api = world.api();
    let mut note = |object: &Arc<Object>, which: u8, seen: &mut BTreeMap<_, _>| {
        if !matches!(object.as_ref(), Object::Pod(_)) {
            return;
        }
        let address = Arc::as_ptr(object) as usize;
        let key = format!("{}/{}", object.namespace(), object.name());
        seen.entry(address)
            .or_insert_with(|| (Arc::downgrade(object), key));
        let entry = holders.entry(address).or_default();
        match which {
            0 => entry.history += 1,
            1 => entry.log += 1,
            _ => entry.queues += 1,
        }
    };
    api.store().census_values(|in_history, value| {
        note(value, if in_history { 0 } else { 1 }, seen);
    });
    api.census_watch_queues(|value| note(value, 2, seen));
    // The store's latest revision of each pod is the highest resourceVersion in its history.
    let mut sample = Sample::default();
    seen.retain(|_, (weak, _)| weak.strong_count() > 0);
    let mut per_key: BTreeMap<&str, usize> = BTreeMap::new();
    for (address, (weak, key)) in seen.iter() {
        *per_key.entry(key.as_str()).or_default() += 1;
        sample.alive += 1;
        let has_container_statuses = weak.upgrade().is_some_and(|o| match o.as_ref() {
            Object::Pod(pod) => pod
                .status
                .as_ref()
                .is_some_and(|s| s.has_container_statuses()),
            _ => false,
        });
        sample.weight += 1 + usize::from(has_container_statuses);
        let held = holders.get(address).copied().unwrap_or_default();
        if held.history > 0 {
            sample.in_history += 1;
            let rv = weak
                .upgrade()
                .and_then(|o| o.resource_version().map(str::to_string))
                .and_then(|rv| rv.parse::<usize>().ok())
                .unwrap_or(0);
            let best = latest.entry(key.clone()).or_default();
            *best = (*best).max(rv);
        } else if held.log > 0 {
            sample.in_log_not_history += 1;
        } else if held.queues > 0 {
            sample.in_queues_only += 1;
        } else {
            sample.outside_only += 1;
        }
    }
    for (address, (weak, key)) in seen.iter() {
        let held = holders.get(address).copied().unwrap_or_default();
        if held.history == 0 {
            continue;
        }
        let Some(object) = weak.upgrade() else {
            continue;
        };
        let rv = object
            .resource_version()
            .and_then(|rv| rv.parse::<usize>().ok())
            .unwrap_or(0);
        if latest.get(key).copied() != Some(rv) {
            sample.older_in_history += 1;
        } else {
            // Minus the census's own upgrade and the store's own references.
            let outside = Arc::strong_count(&object)
                .saturating_sub(1 + (held.history + held.log + held.queues) as usize);
            *sample.latest_outside_refs.entry(outside).or_default() += 1;
        }
    }
    let mut specs = std::collections::BTreeSet::new();
    let mut statuses = std::collections::BTreeSet::new();
    for (weak, _) in seen.values() {
        if let Some(Object::Pod(pod)) = weak.upgrade().as_deref() {
            specs.extend(pod.spec.as_ref().map(|s| Arc::as_ptr(s) as usize));
            statuses.extend(pod.status.as_ref().map(|s| Arc::as_ptr(s) as usize));
        }
    }
    sample.distinct_specs = specs.len();
    sample.distinct_statuses = statuses.len();
    sample.pods = per_key.len();
    sample.logged_changes = world.api().store().logged_changes();
    for count in per_key.values() {
        *sample.per_pod.entry(*count).or_default() += 1;
    }
    sample
}
