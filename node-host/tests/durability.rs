//! Durability of the node host's store: restarts, torn and damaged logs, the data directory
//! lock, snapshots, and a real `kill -9` of a process in the middle of writing.
//!
//! The `kill -9` test runs this test binary again as a child, with only the ignored
//! `durability_child_writer` test selected: the child writes ConfigMaps through an
//! `ApiServer<DurableStore>` and prints one `ACK` line per acknowledged write, the parent
//! kills it with SIGKILL and checks that every acknowledged object is back.

// A test of the host's files reads and writes them, and the measurement reads the wall clock.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

use kubeplay::storage::{self, DurableStore, StorageError, StorageOptions};
use kubeplay_core::api::objects::{Kind, Object};
use kubeplay_core::apiserver::{ApiServer, DeleteOptions};
use kubeplay_core::sim::clock::Timestamp;
use kubeplay_core::store::{KeyRange, KvStore, RangeRequest, StoreError, WatchRequest};
use serde_json::json;

/// The environment variable that tells the child writer where to write.
const CHILD_DIR_VAR: &str = "KUBEPLAY_DURABILITY_CHILD_DIR";

/// The environment variable that tells the child writer to commit in groups of this size
/// (empty: one fsync per write).
const CHILD_GROUP_VAR: &str = "KUBEPLAY_DURABILITY_CHILD_GROUP";

/// The environment variable that tells the child writer to snapshot in the background after
/// this many bytes of log (empty: the default options).
const CHILD_SNAPSHOT_VAR: &str = "KUBEPLAY_DURABILITY_CHILD_SNAPSHOT";

fn config_map(name: &str, filler_bytes: usize) -> Object {
    Object::from_value(json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "labels": {"app": "durability"}},
        "data": {"filler": "x".repeat(filler_bytes)},
    }))
    .expect("a valid ConfigMap")
}

fn api(store: DurableStore) -> ApiServer<DurableStore> {
    ApiServer::with_store(store, rand_seed(), Timestamp(1_700_000_000_000))
}

fn api_with(dir: &Path, options: StorageOptions) -> ApiServer<DurableStore> {
    api(storage::open_with(dir, options).expect("open"))
}

/// A different seed per open, as the host seeds from the OS: a fixed seed would repeat UIDs.
fn rand_seed() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed) * 7919 + u64::from(std::process::id())
}

/// name → (uid, resourceVersion) of every ConfigMap in `default`.
fn config_maps(api: &mut ApiServer<DurableStore>) -> BTreeMap<String, (String, String)> {
    let kvs = api
        .store()
        .range(&RangeRequest::new(KeyRange::prefix(
            "/registry/configmaps/default/",
        )))
        .expect("range")
        .kvs;
    kvs.iter()
        .map(|kv| {
            let name = kv.key.rsplit('/').next().unwrap_or_default().to_string();
            let object = api.get(Kind::ConfigMap, "default", &name).expect("get");
            let meta = object.metadata();
            (
                name,
                (
                    meta.uid.clone().unwrap_or_default(),
                    meta.resource_version.clone().unwrap_or_default(),
                ),
            )
        })
        .collect()
}

fn wal_path(dir: &Path) -> std::path::PathBuf {
    dir.join(storage::STORE_DIR).join("wal")
}

#[test]
fn objects_come_back_with_their_uids_and_resource_versions_after_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut first = api(storage::open(dir.path()).expect("open"));
    for i in 0..20 {
        first
            .create("default", config_map(&format!("cm-{i}"), 100))
            .expect("create");
    }
    let mut updated = (*first.get(Kind::ConfigMap, "default", "cm-3").expect("get")).clone();
    updated
        .metadata_mut()
        .labels
        .get_or_insert_with(Default::default)
        .insert("changed".into(), "yes".into());
    first.update("default", updated).expect("update");
    first
        .delete(
            Kind::ConfigMap,
            "default",
            "cm-7",
            &DeleteOptions::default(),
        )
        .expect("delete");
    let before = config_maps(&mut first);
    let revision = first.current_revision();
    drop(first);

    let mut second = api(storage::open(dir.path()).expect("reopen"));
    assert_eq!(config_maps(&mut second), before);
    assert_eq!(before.len(), 19);
    assert!(!before.contains_key("cm-7"));
    assert_eq!(second.current_revision(), revision);
    assert_eq!(second.store().recovery().revision, revision);
    let cm3 = second.get(Kind::ConfigMap, "default", "cm-3").expect("get");
    let labels = cm3.metadata().labels.clone().unwrap_or_default();
    assert_eq!(labels.get("changed").map(String::as_str), Some("yes"));
    // The system namespaces were saved at the first start and not created again.
    assert_eq!(second.store().recovery().dropped_torn_tail, None);
}

#[test]
fn the_revision_keeps_increasing_across_restarts_even_when_the_last_write_was_a_delete() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut first = api(storage::open(dir.path()).expect("open"));
    first
        .create("default", config_map("short-lived", 10))
        .expect("create");
    first
        .delete(
            Kind::ConfigMap,
            "default",
            "short-lived",
            &DeleteOptions::default(),
        )
        .expect("delete");
    let after_delete = first.current_revision();
    drop(first);

    let mut second = api(storage::open(dir.path()).expect("reopen"));
    assert_eq!(second.current_revision(), after_delete);
    let created = second
        .create("default", config_map("next", 10))
        .expect("create");
    let rv: u64 = created
        .metadata()
        .resource_version
        .as_deref()
        .and_then(|rv| rv.parse().ok())
        .expect("a numeric resourceVersion");
    assert!(rv > after_delete, "{rv} after {after_delete}");
    assert!(second
        .get(Kind::ConfigMap, "default", "short-lived")
        .is_err());
}

#[test]
fn reads_from_before_a_restart_are_compacted_as_after_an_etcd_compaction() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut first = api(storage::open(dir.path()).expect("open"));
    first
        .create("default", config_map("a", 10))
        .expect("create");
    let old = first.current_revision();
    first
        .create("default", config_map("b", 10))
        .expect("create");
    drop(first);

    let store = storage::open(dir.path()).expect("reopen");
    let past = store.range(&RangeRequest::new(KeyRange::prefix("/")).with_revision(old));
    assert!(
        matches!(past, Err(StoreError::Compacted { .. })),
        "{past:?}"
    );
}

#[test]
fn a_torn_last_record_is_dropped_with_a_warning_and_later_writes_follow_the_good_ones() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut first = api(storage::open(dir.path()).expect("open"));
    for name in ["kept-1", "kept-2", "torn"] {
        first
            .create("default", config_map(name, 200))
            .expect("create");
    }
    drop(first);
    // A crash in the middle of the last append: its last 50 bytes never reached the disk.
    let wal = wal_path(dir.path());
    let len = std::fs::metadata(&wal).expect("wal").len();
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&wal)
        .expect("open wal");
    file.set_len(len - 50).expect("cut");
    drop(file);

    let mut second = api(storage::open(dir.path()).expect("a torn tail is not an error"));
    let dropped = second.store().recovery().dropped_torn_tail.clone();
    assert!(
        dropped
            .as_deref()
            .is_some_and(|d| d.contains("torn record")),
        "{dropped:?}"
    );
    let names: Vec<String> = config_maps(&mut second).into_keys().collect();
    assert_eq!(names, ["kept-1", "kept-2"]);
    second
        .create("default", config_map("after", 10))
        .expect("create after recovery");
    drop(second);

    let mut third = api(storage::open(dir.path()).expect("reopen"));
    assert_eq!(third.store().recovery().dropped_torn_tail, None);
    let names: Vec<String> = config_maps(&mut third).into_keys().collect();
    assert_eq!(names, ["after", "kept-1", "kept-2"]);
}

#[test]
fn a_damaged_record_before_the_last_one_is_an_error_naming_the_file_and_what_to_do() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut first = api(storage::open(dir.path()).expect("open"));
    for i in 0..5 {
        first
            .create("default", config_map(&format!("cm-{i}"), 200))
            .expect("create");
    }
    drop(first);
    let wal = wal_path(dir.path());
    let mut bytes = std::fs::read(&wal).expect("read wal");
    let middle = bytes.len() / 2;
    if let Some(byte) = bytes.get_mut(middle) {
        *byte ^= 0x55;
    }
    std::fs::write(&wal, &bytes).expect("write wal");

    let error = storage::open(dir.path()).expect_err("damage must not open");
    assert!(
        matches!(&error, StorageError::Corrupt { path, .. } if path == &wal),
        "{error:?}"
    );
    let message = error.to_string();
    for expected in [
        "wal is damaged",
        "at byte",
        "restore the data directory from a backup",
    ] {
        assert!(message.contains(expected), "{message:?} lacks {expected:?}");
    }
}

#[test]
fn a_second_server_on_the_same_data_dir_is_refused_until_the_first_stops() {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = storage::open(dir.path()).expect("open");
    let error = storage::open(dir.path()).expect_err("locked");
    assert!(
        matches!(error, StorageError::Locked { holder: Some(pid), .. } if pid == std::process::id()),
        "{error:?}"
    );
    assert!(error.to_string().contains("pass a different --data-dir"));
    drop(first);
    storage::open(dir.path()).expect("open after the first server stopped");
}

#[test]
fn snapshots_start_the_log_over_and_keep_every_object() {
    let dir = tempfile::tempdir().expect("temp dir");
    // The fixed limit alone (no ratio to the snapshot's size).
    let options = StorageOptions {
        snapshot_after_wal_bytes: 8 * 1024,
        wal_to_snapshot_ratio: 0,
        snapshot_in_background: false,
    };
    let mut first = api(storage::open_with(dir.path(), options).expect("open"));
    for i in 0..60 {
        first
            .create("default", config_map(&format!("cm-{i:02}"), 500))
            .expect("create");
    }
    assert!(
        first.store().wal_len_bytes() < 8 * 1024 + 2048,
        "the log started over: {} bytes",
        first.store().wal_len_bytes()
    );
    let before = config_maps(&mut first);
    let revision = first.current_revision();
    drop(first);

    let mut second = api(storage::open_with(dir.path(), options).expect("reopen"));
    let recovery = second.store().recovery().clone();
    assert!(recovery.snapshot_revision.is_some(), "{recovery:?}");
    assert_eq!(recovery.revision, revision);
    assert_eq!(config_maps(&mut second), before);
}

#[test]
fn a_log_left_behind_by_a_crash_while_switching_to_a_new_snapshot_is_replayed_after_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut first = api(storage::open(dir.path()).expect("open"));
    for i in 0..10 {
        first
            .create("default", config_map(&format!("cm-{i}"), 300))
            .expect("create");
    }
    let before = config_maps(&mut first);
    drop(first);
    let wal = wal_path(dir.path());
    let old_log = std::fs::read(&wal).expect("read wal");
    // Opening with a tiny limit writes a snapshot and a new log at once.
    drop(
        storage::open_with(
            dir.path(),
            StorageOptions {
                snapshot_after_wal_bytes: 1,
                ..StorageOptions::default()
            },
        )
        .expect("open"),
    );
    // The crash: the snapshot was renamed into place, the new log was not.
    std::fs::write(&wal, old_log).expect("put the old log back");

    let mut second = api(storage::open(dir.path()).expect("reopen"));
    assert_eq!(config_maps(&mut second), before);
    assert_eq!(second.store().recovery().replayed_commits, 0);
}

/// Writes `count` ConfigMaps of `filler` bytes each into `dir`'s store with a limit that takes
/// no snapshot, so the next open finds a long log and no snapshot.
fn fill_log_without_snapshot(dir: &Path, count: usize, filler: usize) {
    let options = StorageOptions {
        snapshot_after_wal_bytes: u64::MAX,
        ..StorageOptions::default()
    };
    let mut api = api(storage::open_with(dir, options).expect("open"));
    for i in 0..count {
        api.create("default", config_map(&format!("big-{i:03}"), filler))
            .expect("create");
    }
}

/// Updates the ConfigMap `name` (creating it first), changing its filler each time.
fn update_small(api: &mut ApiServer<DurableStore>, name: &str, round: usize) {
    let object = config_map(name, 200 + round % 7);
    if round == 0 {
        api.create("default", object).expect("create");
    } else {
        api.update("default", object).expect("update");
    }
}

#[test]
fn the_next_snapshot_waits_until_the_log_outgrows_the_last_snapshot() {
    let dir = tempfile::tempdir().expect("temp dir");
    fill_log_without_snapshot(dir.path(), 100, 2_000);
    let options = StorageOptions {
        snapshot_after_wal_bytes: 8 * 1024,
        wal_to_snapshot_ratio: 2,
        snapshot_in_background: false,
    };
    // The long log is over the limit: opening saves everything as a snapshot.
    let mut api = api(storage::open_with(dir.path(), options).expect("open"));
    let opened = api.store().stats();
    assert_eq!(opened.snapshots, 1, "{opened:?}");
    let snapshot_bytes = opened.last_snapshot_bytes;
    assert!(snapshot_bytes > 200_000, "{opened:?}");
    assert_eq!(
        api.store().next_snapshot_at_wal_bytes(),
        2 * snapshot_bytes,
        "the next snapshot waits for twice the snapshot's size, not 8 KiB"
    );

    let mut round = 0;
    let mut log_before_snapshot = 0;
    while api.store().stats().snapshots == 1 {
        log_before_snapshot = api.store().wal_len_bytes();
        update_small(&mut api, "small", round);
        round += 1;
        assert!(round < 10_000, "no second snapshot");
    }
    assert!(
        log_before_snapshot > 8 * 1024,
        "the fixed limit alone would have snapshotted long before"
    );
    assert!(
        log_before_snapshot < 2 * snapshot_bytes,
        "the snapshot came once the log passed twice the snapshot: {log_before_snapshot} before the last write"
    );
    let second = api.store().stats();
    assert!(
        second.wal_bytes >= 2 * snapshot_bytes,
        "the log had grown to twice the snapshot: {second:?}"
    );
    let before = config_maps(&mut api);
    let revision = api.current_revision();
    drop(api);

    let mut reopened = api_with(dir.path(), options);
    assert_eq!(reopened.current_revision(), revision);
    assert_eq!(config_maps(&mut reopened), before);
}

#[test]
fn a_log_smaller_than_the_snapshot_threshold_is_replayed_on_open_and_not_snapshotted_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    fill_log_without_snapshot(dir.path(), 60, 2_000);
    let options = StorageOptions {
        snapshot_after_wal_bytes: 8 * 1024,
        wal_to_snapshot_ratio: 2,
        snapshot_in_background: false,
    };
    let mut first = api(storage::open_with(dir.path(), options).expect("open"));
    for round in 0..100 {
        update_small(&mut first, "small", round);
    }
    assert!(first.store().wal_len_bytes() > 8 * 1024);
    assert_eq!(first.store().stats().snapshots, 1);
    let before = config_maps(&mut first);
    drop(first);

    let mut second = api(storage::open_with(dir.path(), options).expect("reopen"));
    let recovery = second.store().recovery().clone();
    assert_eq!(recovery.replayed_commits, 100, "{recovery:?}");
    assert_eq!(
        second.store().stats().snapshots,
        0,
        "a log under twice the snapshot's size is kept as it is"
    );
    assert_eq!(config_maps(&mut second), before);
}

#[test]
fn rewriting_a_large_store_costs_at_most_half_the_log_bytes() {
    let dir = tempfile::tempdir().expect("temp dir");
    fill_log_without_snapshot(dir.path(), 100, 2_000);
    // The old rule (a snapshot every 8 KiB of log whatever its size) would rewrite the ~220 KB
    // of live keys every ~25 small updates: ~100 snapshots, ~100 times the log's bytes.
    let options = StorageOptions {
        snapshot_after_wal_bytes: 8 * 1024,
        wal_to_snapshot_ratio: 2,
        snapshot_in_background: false,
    };
    let mut api = api(storage::open_with(dir.path(), options).expect("open"));
    let first_snapshot = api.store().stats().snapshot_bytes;
    for round in 0..3_000 {
        update_small(&mut api, "small", round);
    }
    let stats = api.store().stats();
    assert!(stats.snapshots >= 2, "{stats:?}");
    assert!(
        stats.snapshot_bytes - first_snapshot <= stats.wal_bytes / 2,
        "snapshots after the first wrote at most half the log's bytes: {stats:?}"
    );
    let before = config_maps(&mut api);
    drop(api);
    let mut reopened = api_with(dir.path(), options);
    assert_eq!(config_maps(&mut reopened), before);
}

#[test]
fn leftover_temporary_files_of_a_crash_mid_snapshot_are_removed_and_the_store_recovers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut first = api(storage::open(dir.path()).expect("open"));
    for i in 0..10 {
        first
            .create("default", config_map(&format!("cm-{i}"), 300))
            .expect("create");
    }
    let before = config_maps(&mut first);
    let revision = first.current_revision();
    drop(first);
    // The crash: half a snapshot and half a new log, neither renamed into place.
    let store_dir = dir.path().join(storage::STORE_DIR);
    std::fs::write(store_dir.join("snapshot.tmp"), b"KPSNAP01 half a snapshot").expect("tmp");
    std::fs::write(store_dir.join("wal.tmp"), b"KPWAL001").expect("tmp");

    let mut second = api(storage::open(dir.path()).expect("reopen"));
    assert_eq!(second.current_revision(), revision);
    assert_eq!(config_maps(&mut second), before);
    assert!(!store_dir.join("snapshot.tmp").exists());
    assert!(!store_dir.join("wal.tmp").exists());
}

#[test]
fn every_acknowledged_write_survives_kill_9() {
    kill_9_while_writing(None, None);
}

/// The child snapshots every 16 KiB (or twice the last snapshot) of log on a thread while it
/// keeps writing, so the kill lands before, during or after a snapshot or a switch of logs.
#[test]
fn every_acknowledged_write_survives_kill_9_during_background_snapshots() {
    kill_9_while_writing(Some(5), Some(16 * 1024));
}

#[test]
fn snapshots_written_in_the_background_keep_every_commit_made_while_they_were_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = StorageOptions {
        snapshot_after_wal_bytes: 16 * 1024,
        wal_to_snapshot_ratio: 2,
        snapshot_in_background: true,
    };
    let mut first = api_with(dir.path(), options);
    let mut writes_during_snapshots = 0;
    for i in 0..400 {
        first
            .create("default", config_map(&format!("cm-{i:03}"), 500))
            .expect("create");
        if first.store().snapshot_in_progress() {
            writes_during_snapshots += 1;
        }
    }
    let mut store_stats = first.store().stats();
    assert!(store_stats.snapshots >= 3, "{store_stats:?}");
    let before = config_maps(&mut first);
    let revision = first.current_revision();
    drop(first); // waits for a snapshot still being written
    println!("{writes_during_snapshots} writes while a snapshot was being written");

    let mut second = api_with(dir.path(), options);
    let recovery = second.store().recovery().clone();
    assert_eq!(recovery.revision, revision);
    let snapshot_revision = recovery.snapshot_revision.expect("a snapshot");
    assert_eq!(
        recovery.replayed_commits as u64,
        revision - snapshot_revision,
        "the new log holds exactly the commits after the snapshot: {recovery:?}"
    );
    assert_eq!(config_maps(&mut second), before);
    store_stats = second.store().stats();
    assert_eq!(store_stats.snapshots, 0, "{store_stats:?}");
}

/// Group commit (`kubeplay serve`'s mode): the child writes 7 ConfigMaps, fsyncs them together
/// with `sync_store`, and only then acknowledges the 7.
#[test]
fn every_acknowledged_write_of_grouped_commits_survives_kill_9() {
    kill_9_while_writing(Some(7), None);
}

/// Runs [`durability_child_writer`] (in groups of `group` writes per fsync when given, with
/// background snapshots after `snapshot_bytes` of log when given), kills it with SIGKILL after
/// 300 acknowledged writes and checks every one of them came back.
fn kill_9_while_writing(group: Option<usize>, snapshot_bytes: Option<u64>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--ignored",
            "--exact",
            "durability_child_writer",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DIR_VAR, dir.path())
        .env(
            CHILD_GROUP_VAR,
            group.map(|n| n.to_string()).unwrap_or_default(),
        )
        .env(
            CHILD_SNAPSHOT_VAR,
            snapshot_bytes.map(|n| n.to_string()).unwrap_or_default(),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn the child writer");
    let stdout = child.stdout.take().expect("child stdout");
    let mut acknowledged: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut killed = false;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("read child output");
        let mut fields = line.split_whitespace();
        if fields.next() != Some("ACK") {
            continue;
        }
        if let (Some(name), Some(uid), Some(rv)) = (fields.next(), fields.next(), fields.next()) {
            acknowledged.insert(name.to_string(), (uid.to_string(), rv.to_string()));
        }
        if acknowledged.len() >= 300 && !killed {
            child.kill().expect("SIGKILL the child");
            killed = true;
        }
    }
    let status = child.wait().expect("wait for the child");
    assert!(
        killed,
        "the child stopped by itself ({status}) after {} writes",
        acknowledged.len()
    );
    let last_rv = acknowledged
        .values()
        .filter_map(|(_, rv)| rv.parse::<u64>().ok())
        .max()
        .expect("acknowledged writes");

    let first_rv = acknowledged
        .values()
        .filter_map(|(_, rv)| rv.parse::<u64>().ok())
        .min()
        .expect("acknowledged writes");

    let mut after = api(storage::open(dir.path()).expect("reopen after kill -9"));
    if snapshot_bytes.is_some() {
        // How many snapshots finish before the kill depends on how fast the background
        // thread gets the disk (slow under load); what matters is that recovery started from
        // one taken while the writes ran, and replayed the log after it.
        let recovery = after.store().recovery().clone();
        assert!(
            recovery.snapshot_revision.is_some_and(|r| r > first_rv),
            "the child took a snapshot after its first write (rv {first_rv}): {recovery:?}"
        );
    }
    let found = config_maps(&mut after);
    for (name, (uid, rv)) in &acknowledged {
        assert_eq!(
            found.get(name),
            Some(&(uid.clone(), rv.clone())),
            "acknowledged {name} (uid {uid}, rv {rv})"
        );
    }
    assert!(after.current_revision() >= last_rv);
    let next = after
        .create("default", config_map("after-kill", 10))
        .expect("create after recovery");
    let next_rv: u64 = next
        .metadata()
        .resource_version
        .as_deref()
        .and_then(|rv| rv.parse().ok())
        .expect("numeric resourceVersion");
    assert!(next_rv > last_rv, "{next_rv} after {last_rv}");
}

/// The child of [`every_acknowledged_write_survives_kill_9`]: writes ConfigMaps until killed.
#[test]
#[ignore = "run as a child process by every_acknowledged_write_survives_kill_9"]
fn durability_child_writer() {
    let Some(dir) = std::env::var_os(CHILD_DIR_VAR) else {
        panic!("{CHILD_DIR_VAR} is unset: this test is the child of every_acknowledged_write_survives_kill_9");
    };
    let group: Option<usize> = std::env::var(CHILD_GROUP_VAR)
        .ok()
        .and_then(|n| n.parse().ok());
    let options = match std::env::var(CHILD_SNAPSHOT_VAR)
        .ok()
        .and_then(|n| n.parse().ok())
    {
        Some(bytes) => StorageOptions {
            snapshot_after_wal_bytes: bytes,
            wal_to_snapshot_ratio: 2,
            snapshot_in_background: true,
        },
        None => StorageOptions::default(),
    };
    let mut store = storage::open_with(Path::new(&dir), options).expect("child open");
    if group.is_some() {
        store.save_in_groups();
    }
    let mut api = api(store);
    let mut out = std::io::stdout().lock();
    let mut pending = Vec::new();
    for i in 0..1_000_000 {
        let name = format!("cm-{i:07}");
        let created: Arc<Object> = api
            .create("default", config_map(&name, 2000))
            .expect("child create");
        let meta = created.metadata();
        pending.push(format!(
            "ACK {name} {} {}",
            meta.uid.as_deref().unwrap_or_default(),
            meta.resource_version.as_deref().unwrap_or_default()
        ));
        if pending.len() < group.unwrap_or(1) {
            continue;
        }
        api.sync_store().expect("child sync");
        for line in pending.drain(..) {
            writeln!(out, "{line}").expect("child stdout");
        }
        out.flush().expect("child stdout");
    }
}

/// Measures acknowledged writes per second on this machine's disk (one fsync each).
#[test]
#[ignore = "a measurement: cargo test -p kubeplay --test durability -- --ignored --nocapture measure"]
fn measure_acknowledged_writes_per_second() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temp dir");
    let mut api = api(storage::open(dir.path()).expect("open"));
    let writes = 2_000;
    let started = std::time::Instant::now();
    for i in 0..writes {
        api.create("default", config_map(&format!("cm-{i}"), 1000))
            .expect("create");
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{writes} acknowledged creates in {seconds:.2} s: {:.0} writes/s, {:.2} ms each",
        f64::from(writes) / seconds,
        seconds * 1000.0 / f64::from(writes)
    );
    assert_eq!(config_maps(&mut api).len(), writes as usize);
}

#[test]
fn the_durable_store_tells_the_compactor_where_its_slowest_watch_is() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = storage::open(dir.path()).expect("open");
    let watched_from = store.current_revision() + 1;
    store
        .watch(WatchRequest::new(KeyRange::prefix("/")))
        .expect("watch");
    let mut api = api(store);
    api.create("default", config_map("a", 10)).expect("create");
    api.create("default", config_map("b", 10)).expect("create");
    assert!(api.current_revision() > watched_from);
    assert_eq!(
        api.store().oldest_watch_cursor(),
        Some(watched_from),
        "a watch that has not polled holds the compactor below what it has not been given, \
         while the store's own log watch moves on with every commit"
    );
}

/// Copies the store files of `from`'s data directory that exist into a new data directory.
fn copy_store_files(from: &Path, names: &[&str]) -> tempfile::TempDir {
    let copy = tempfile::tempdir().expect("temp dir");
    let target = copy.path().join(storage::STORE_DIR);
    std::fs::create_dir_all(&target).expect("store dir");
    for name in names {
        let source = from.join(storage::STORE_DIR).join(name);
        if source.exists() {
            std::fs::copy(&source, target.join(name)).expect("copy");
        }
    }
    copy
}

#[test]
fn commits_made_during_a_background_snapshot_are_written_once_to_the_next_segment_and_recovered() {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = StorageOptions {
        snapshot_after_wal_bytes: 256 * 1024,
        wal_to_snapshot_ratio: 2,
        snapshot_in_background: true,
    };
    let mut first = api_with(dir.path(), options);
    let store_dir = dir.path().join(storage::STORE_DIR);
    let next = store_dir.join("wal.next");
    // Write until a write lands while a snapshot is being written, then copy the files as a
    // crash at that moment would leave them.
    let mut crash_copy = None;
    for i in 0..2_000 {
        let in_flight_before = first.store().snapshot_in_progress();
        let wal_len_before = std::fs::metadata(wal_path(dir.path())).map(|m| m.len());
        first
            .create("default", config_map(&format!("cm-{i:04}"), 2_000))
            .expect("create");
        if in_flight_before && first.store().snapshot_in_progress() {
            // The commit went to the segment only: the old log did not grow.
            assert!(next.is_file(), "a segment while the snapshot is written");
            let wal_len_after = std::fs::metadata(wal_path(dir.path())).map(|m| m.len());
            assert_eq!(wal_len_before.ok(), wal_len_after.ok());
            let acknowledged = config_maps(&mut first);
            let copy = copy_store_files(dir.path(), &["wal", "wal.next", "snapshot"]);
            crash_copy = Some((copy, acknowledged));
            break;
        }
    }
    let Some((copy, acknowledged)) = crash_copy else {
        panic!("no write landed while a snapshot was being written");
    };
    // A sync that finds the snapshot written switches logs.
    for _ in 0..3_000 {
        first.sync_store().expect("sync");
        if !first.store().snapshot_in_progress() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(
        !first.store().snapshot_in_progress(),
        "the snapshot never finished"
    );
    assert!(
        !next.exists(),
        "the segment became the log: {:?}",
        std::fs::read_dir(&store_dir).map(|d| d.count())
    );
    let everything = config_maps(&mut first);
    let revision = first.current_revision();

    // A crash after the snapshot's rename, before the segment's: the new snapshot, the old
    // log (all of it in the snapshot) and the segment.
    let between = copy_store_files(copy.path(), &["wal", "wal.next"]);
    std::fs::copy(
        store_dir.join("snapshot"),
        between.path().join(storage::STORE_DIR).join("snapshot"),
    )
    .expect("copy the new snapshot");
    let mut crashed = api_with(between.path(), options);
    assert_eq!(config_maps(&mut crashed), acknowledged);
    drop(crashed);

    // A crash mid-snapshot: the old snapshot, the old log and the segment.
    let mut crashed = api_with(copy.path(), options);
    assert_eq!(config_maps(&mut crashed), acknowledged);
    drop(crashed);
    // Reopening folds the segment into a new snapshot and removes it.
    assert!(!copy
        .path()
        .join(storage::STORE_DIR)
        .join("wal.next")
        .exists());
    let mut again = api_with(copy.path(), options);
    assert_eq!(config_maps(&mut again), acknowledged);
    drop(again);

    drop(first);
    let mut reopened = api_with(dir.path(), options);
    assert_eq!(reopened.current_revision(), revision);
    assert_eq!(config_maps(&mut reopened), everything);
}
