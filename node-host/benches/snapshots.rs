//! How much `kubeplay serve`'s durable store writes to disk for a big simulated cluster, and
//! how long its snapshots stall the store.
//!
//! The run is the one of BENCHMARKS.md's live-mode test, in virtual time: a
//! [`World`] of NODES simulated nodes over a [`DurableStore`] in a fresh folder under `/tmp`
//! (the serve actor's setup: group commit, one fsync per step), Deployments of 1,000 replicas
//! for PODS pods, then STEADY virtual minutes of the running cluster (heartbeats, leases,
//! status). The world is configured as `kubeplay serve` configures it (five minutes of store
//! history, the scheduler simulator's annotations), except for a cluster CIDR wide enough for
//! every node (as `kubeplay sim` does past 256 nodes), so every pod runs.
//!
//! ```text
//! cargo bench -p kubeplay --bench snapshots -- [NODES PODS STEADY_MINUTES [RATIO [BACKGROUND [ANNOTATIONS]]]]
//! ```
//!
//! RATIO is [`StorageOptions::wal_to_snapshot_ratio`] (default 2; 0 is the fixed 64 MiB rule
//! of before), BACKGROUND `on` (default) or `off` ([`StorageOptions::snapshot_in_background`];
//! `0 off` is the store as it was before), ANNOTATIONS `on` (up to 100 nodes listed per pod),
//! `off`, or how many nodes to list at most (`20`: serve's `--scheduler-annotations auto`
//! past 20 nodes).
//! `KUBEPLAY_BENCH_DIR` names the folder to make the data directory in (default `/tmp`; a
//! tmpfs such as `/dev/shm` spares the disk, though its fsyncs cost nothing). It prints one line per snapshot
//! (revision, size, the wall time of the step that took it), then the totals, what the live
//! keys weigh by resource, and how long reopening the store takes. The folder is deleted at
//! the end; the run stops early if its file system has less than 10 GB free or the machine
//! less than 3 GB of available memory.

// A benchmark of the host's files measures the wall clock and reads /proc.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use kubeplay::storage::{self, DurableStore, StorageOptions};
use kubeplay_core::api::objects::Object;
use kubeplay_core::sim::world::{World, WorldConfig};
use kubeplay_core::store::{KeyRange, KvStore, RangeRequest};
use serde_json::json;

/// Stop when the file system of the data directory has less than this free.
const MIN_FREE_BYTES: u64 = 10_000_000_000;
/// Or when the machine has less than this memory available (a tmpfs data dir lives in it).
const MIN_AVAILABLE_MEMORY_BYTES: u64 = 3_000_000_000;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let number = |i: usize, default: u64| {
        args.get(i)
            .and_then(|a| a.parse::<u64>().ok())
            .unwrap_or(default)
    };
    let nodes = number(0, 300) as usize;
    let pods = number(1, 9_000) as usize;
    let steady = Duration::from_secs(60 * number(2, 10));
    let flag = |i: usize| args.get(i).is_none_or(|a| a != "off");
    let options = StorageOptions {
        wal_to_snapshot_ratio: number(3, 2),
        snapshot_in_background: flag(4),
        ..StorageOptions::default()
    };
    // ANNOTATIONS: `on` (up to 100 nodes listed per pod), `off`, or how many nodes to list.
    let annotation_nodes = args.get(5).and_then(|a| a.parse::<usize>().ok());
    let annotations = flag(5);
    let annotation_max_nodes =
        annotation_nodes.unwrap_or(WorldConfig::default().scheduler_annotation_max_nodes);
    println!(
        "{nodes} nodes, {pods} pods, {} virtual min steady, {options:?}, scheduler annotations {annotations} (at most {annotation_max_nodes} nodes)",
        steady.as_secs() / 60
    );

    let parent = std::env::var("KUBEPLAY_BENCH_DIR").unwrap_or_else(|_| "/tmp".to_string());
    let dir = tempfile::Builder::new()
        .prefix("durable-snapshots-bench")
        .tempdir_in(&parent)
        .expect("temp dir");
    let io_before = proc_io();
    let mut store = storage::open_with(dir.path(), options).expect("open the store");
    store.save_in_groups();
    let config = WorldConfig {
        seed: 7,
        nodes,
        scheduler_annotations: annotations && annotation_max_nodes > 0,
        scheduler_annotation_max_nodes: annotation_max_nodes,
        trace_records_kept: 1_000,
        cluster_cidr: if nodes > 256 {
            "10.128.0.0/9".to_string()
        } else {
            WorldConfig::default().cluster_cidr
        },
        ..WorldConfig::default()
    };
    let started = Instant::now();
    let mut world = World::with_store(&config, store);
    world.api().set_user("bench");
    let mut remaining = pods;
    let mut index = 0;
    while remaining > 0 {
        let replicas = remaining.min(1_000);
        world
            .api()
            .create("default", deployment(&format!("bench-{index}"), replicas))
            .expect("create a Deployment");
        remaining -= replicas;
        index += 1;
    }

    let mut snapshots = world.api().store().stats().snapshots;
    let mut longest_step = Duration::ZERO;
    let mut longest_snapshot_step = Duration::ZERO;
    let mut in_progress = false;
    let mut log_when_running = 0;
    let mut all_running_at: Option<Duration> = None;
    let start = world.now();
    let deadline = Duration::from_secs(3600);
    loop {
        let step = Instant::now();
        world.advance(Duration::from_secs(1));
        world.api().sync_store().expect("sync");
        let step = step.elapsed();
        longest_step = longest_step.max(step);
        let virtual_now = world.now().since(start);
        let stats = world.api().store().stats();
        if world.api().store().snapshot_in_progress() && !in_progress {
            println!(
                "snapshot started at revision {} (virtual {:.0} s), step took {:.2} s",
                world.api().current_revision(),
                virtual_now.as_secs_f64(),
                step.as_secs_f64()
            );
            longest_snapshot_step = longest_snapshot_step.max(step);
        }
        in_progress = world.api().store().snapshot_in_progress();
        if stats.snapshots != snapshots {
            snapshots = stats.snapshots;
            longest_snapshot_step = longest_snapshot_step.max(step);
            println!(
                "snapshot {snapshots} finished, store at revision {} (virtual {:.0} s): {:.1} MB, step took {:.2} s; log written so far {:.1} MB",
                world.api().current_revision(),
                virtual_now.as_secs_f64(),
                mb(stats.last_snapshot_bytes),
                step.as_secs_f64(),
                mb(stats.wal_bytes),
            );
        }
        if all_running_at.is_none() && world.pod_summary().running_ready >= pods {
            all_running_at = Some(virtual_now);
            log_when_running = stats.wal_bytes;
            println!(
                "all {pods} pods running at virtual {:.0} s (wall {:.0} s), revision {}",
                virtual_now.as_secs_f64(),
                started.elapsed().as_secs_f64(),
                world.api().current_revision()
            );
        }
        if all_running_at.is_some_and(|at| virtual_now >= at + steady) || virtual_now > deadline {
            break;
        }
        if free_bytes(&parent) < MIN_FREE_BYTES {
            println!("stopping: less than 10 GB free under {parent}");
            break;
        }
        if available_memory_bytes() < MIN_AVAILABLE_MEMORY_BYTES {
            println!("stopping: less than 3 GB of memory available");
            break;
        }
    }
    while world.api().store().snapshot_in_progress() {
        std::thread::sleep(Duration::from_millis(50));
        world.api().sync_store().expect("sync");
    }
    let wall = started.elapsed();
    let stats = world.api().store().stats();
    let revision = world.api().current_revision();
    let on_disk = folder_bytes(&dir.path().join(storage::STORE_DIR));
    println!(
        "revision {revision}, wall {:.0} s (longest step {:.2} s, longest step with a snapshot {:.2} s)",
        wall.as_secs_f64(),
        longest_step.as_secs_f64(),
        longest_snapshot_step.as_secs_f64()
    );
    println!(
        "written: log {:.1} MB + {} snapshots {:.1} MB = {:.1} MB ({:.2}x the log); on disk at the end {:.1} MB",
        mb(stats.wal_bytes),
        stats.snapshots,
        mb(stats.snapshot_bytes),
        mb(stats.total_bytes()),
        stats.total_bytes() as f64 / stats.wal_bytes.max(1) as f64,
        mb(on_disk)
    );
    if let Some(at) = all_running_at {
        let minutes = (world.now().since(start) - at).as_secs_f64() / 60.0;
        let per_minute = (stats.wal_bytes - log_when_running) as f64 / minutes.max(1.0 / 60.0);
        let per_day = per_minute * 60.0 * 24.0;
        let snapshot = stats.last_snapshot_bytes as f64;
        let fixed = StorageOptions::default().snapshot_after_wal_bytes as f64;
        println!(
            "steady state: log {:.2} MB per virtual minute, {:.0} MB per day; a day's snapshots of {:.0} MB: every {:.0} MB of log (fixed rule) {:.0} MB, every 2x the snapshot {:.0} MB",
            per_minute / 1e6,
            per_day / 1e6,
            snapshot / 1e6,
            fixed / 1e6,
            per_day / fixed * snapshot / 1e6,
            per_day / (2.0 * snapshot).max(fixed) * snapshot / 1e6,
        );
    }
    weigh_live_keys(world.api().store());

    drop(world);
    let io_after = proc_io();
    let reopened = Instant::now();
    let store = storage::open_with(dir.path(), options).expect("reopen");
    println!(
        "reopen: {:.2} s, {} keys, {} commits replayed from a {:.1} MB log",
        reopened.elapsed().as_secs_f64(),
        store.recovery().keys,
        store.recovery().replayed_commits,
        mb(store.wal_len_bytes())
    );
    if let (Some(before), Some(after)) = (io_before, io_after) {
        println!(
            "/proc/self/io during the run: wchar {:.1} MB, write_bytes {:.1} MB",
            mb(after.0 - before.0),
            mb(after.1 - before.1)
        );
    }
    drop(store);
    dir.close().expect("delete the data dir");
}

/// A Deployment as `kubectl create deployment NAME --image=nginx --replicas=N` makes it.
fn deployment(name: &str, replicas: usize) -> Object {
    Object::from_value(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}
            }
        }
    }))
    .expect("a valid Deployment")
}

/// Prints the live keys' JSON bytes by resource, and what the pods' annotations weigh.
fn weigh_live_keys(store: &DurableStore) {
    let kvs = store
        .range(&RangeRequest::new(KeyRange::prefix("")))
        .expect("range")
        .kvs;
    let mut by_resource: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut pod_annotation_bytes = 0;
    for kv in &kvs {
        let resource = kv.key.split('/').nth(2).unwrap_or("?").to_string();
        let bytes = serde_json::to_vec(&kv.value.to_value())
            .map(|v| v.len())
            .unwrap_or(0);
        let entry = by_resource.entry(resource.clone()).or_default();
        entry.0 += 1;
        entry.1 += bytes;
        if resource == "pods" {
            let annotations = kv.value.metadata().annotations.clone().unwrap_or_default();
            pod_annotation_bytes += annotations
                .iter()
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>();
        }
    }
    let total: usize = by_resource.values().map(|(_, b)| b).sum();
    println!(
        "live keys: {} ({:.1} MB of JSON)",
        kvs.len(),
        mb(total as u64)
    );
    for (resource, (count, bytes)) in &by_resource {
        println!(
            "  {resource:<28} {count:>7} keys {:>8.1} MB ({:>6} B each)",
            mb(*bytes as u64),
            bytes / count.max(&1)
        );
    }
    let pods = by_resource.get("pods").map_or(1, |(c, _)| *c).max(1);
    println!(
        "  pod annotations: {:.1} MB ({} B per pod)",
        mb(pod_annotation_bytes as u64),
        pod_annotation_bytes / pods
    );
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

/// (wchar, write_bytes) of this process, from /proc/self/io.
fn proc_io() -> Option<(u64, u64)> {
    let text = std::fs::read_to_string("/proc/self/io").ok()?;
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    Some((field("wchar:")?, field("write_bytes:")?))
}

/// Free bytes on the file system holding `path`.
fn free_bytes(path: &str) -> u64 {
    let Ok(c_path) = std::ffi::CString::new(path) else {
        return 0;
    };
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: a valid NUL-terminated path and a zeroed statvfs to fill.
    if unsafe { libc::statvfs(c_path.as_ptr(), &mut stat) } != 0 {
        return 0;
    }
    stat.f_bavail as u64 * stat.f_frsize as u64
}

/// MemAvailable from /proc/meminfo (unknown: plenty).
fn available_memory_bytes() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("MemAvailable:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(u64::MAX, |kb| kb * 1024)
}

/// The bytes of the files in `dir`.
fn folder_bytes(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}
