//! Durable storage for `kubeplay serve`: a [`DurableStore`] keeps the core's in-memory MVCC
//! store and saves every commit to a write-ahead log, fsynced before the write is
//! acknowledged, so the cluster survives `kill -9` and a power cut.
//!
//! # Design: a write-ahead log with snapshots, as etcd does
//!
//! The store already lives in memory ([`MemoryStore`], with its history, watches and
//! compaction), and it must keep doing so: reads and watches never touch the disk. What has to
//! be durable is only the sequence of commits. So this is etcd's own design, cut down: a
//! write-ahead log of commits (`wal.rs`) plus periodic snapshots of the live keys
//! (`snapshot.rs`). An embedded database such as redb (pure Rust, ACID, fsync on commit; 4.x on
//! crates.io) was the alternative; it was not chosen because it would keep a second copy of
//! every object in an on-disk B-tree, rewriting tree pages on each commit, to serve reads this
//! store never makes, and it would hide the mechanism a Kubernetes learner may want to see
//! (etcd's `member/wal` and `member/snap` folders). The log needs one small dependency
//! (`crc32fast`) and a few hundred lines whose failure modes are tested here.
//!
//! # Data flow
//!
//! 1. A write ([`KvStore::put`], [`KvStore::delete_range`], [`KvStore::txn`]) runs in the
//!    [`MemoryStore`].
//! 2. The store's own change feed (a watch on every key, opened at start) yields the changed
//!    keys with their new `create_revision`, `mod_revision`, `version` and value; they become
//!    one commit record per revision (a transaction's keys share one).
//! 3. The commit is framed (length + CRC-32, `frame.rs`), appended to `store/wal` and
//!    `fdatasync`ed. Only then does the write return, so every acknowledged write is on disk.
//! 4. When the log outgrows the last snapshot (see *Snapshot policy*), every live key at the
//!    current revision is written to `store/snapshot` (temporary file, fsync, rename, fsync
//!    the folder) and the log starts over from that revision.
//!
//! # Snapshot policy
//!
//! A snapshot holds only the live keys at one revision, each once, as the object's compact
//! JSON: no history (the compactor's five minutes of revisions stay in memory), because
//! [`open`] restores the store compacted at the recovered revision, so a watch or list from
//! before the restart gets 410 Gone whatever the files hold. Its size is the live data set's:
//! for `--sim-nodes 300` with 9,000 pods, ~0.5 GB, 53 KB per pod, 44 KB of which are the
//! scheduler simulator's annotations (a filter and score result per node for each pod).
//!
//! The next snapshot is taken once the log reaches `max(`[`StorageOptions::snapshot_after_wal_bytes`]
//! ` (64 MiB), `[`StorageOptions::wal_to_snapshot_ratio`]` (2) × the last snapshot's size)`.
//! A fixed log size alone rewrote the whole store every 64 MiB of log, so a 466 MB store
//! wrote ~7 bytes of snapshot per byte of log and filled the disk (BENCHMARKS.md). With the
//! ratio `k`, a snapshot is written only after `k` times its predecessor's size in log bytes,
//! so in a steady cluster snapshots add at most `1/k` to what the log writes (with `k = 2`,
//! the disk sees at most 1.5 × the log's bytes; while the store grows, a snapshot can also
//! hold what the log just added, and snapshots grow geometrically, so the factor stays
//! constant). `k = 2` rather than 1 halves that overhead, and keeps recovery bounded:
//! [`open`] reads one snapshot and replays at most `k` times its size of log, and the folder
//! holds at most the snapshot, the log (`k` × it) and a new snapshot being written. No
//! minimum time between snapshots: the bound above is in bytes already, and a clock would
//! let a burst of writes grow the log (disk and recovery time) without limit.
//!
//! Encoding and writing every live key takes seconds at that size, so it runs on a thread of
//! its own ([`StorageOptions::snapshot_in_background`]): the write that triggers it only
//! clones the live keys' `Arc`s at revision R, fsyncs the log and starts the next log
//! segment, `wal.next` with base R (written whole to `wal.next.tmp`, fsynced, renamed, the
//! folder fsynced), and writes go on into that segment while the thread writes
//! `snapshot.tmp`, fsyncs and renames it. The write or [`KvStore::sync`] that finds it done
//! renames `wal.next` over `wal` and fsyncs the folder. Each commit is written once (as etcd's
//! `wal/*.wal` segments; until session 9 the commits made meanwhile were copied into the new
//! log as well, +17 % log bytes in a burst). A crash at any point leaves a state [`open`]
//! recovers: the old snapshot, `wal` and `wal.next` (replayed in turn), or the new snapshot with
//! both logs (the commits up to R are skipped), or the new snapshot and the new log. A snapshot
//! that fails leaves the store appending to `wal.next`; the next one keeps that segment, whose
//! older base [`open`] handles by skipping what the snapshot holds. When [`open`] finds a
//! segment it writes a snapshot at once and starts a single log again. Dropping the store
//! waits for the thread.
//!
//! [`open`] reverses it: the snapshot's keys, then every commit of the log after the snapshot's
//! revision (each must be the previous revision plus one), give each key's last value and
//! metadata and the store revision (deletes advance it too); [`MemoryStore::restore`] rebuilds
//! the store from them, compacted at that revision. A watch or list from a resourceVersion
//! before the restart then gets 410 Gone, as after an etcd compaction; watches themselves are
//! not saved.
//!
//! # Failures
//!
//! - A crash in the middle of an append leaves a **torn last record**: it fails its length or
//!   checksum check with nothing valid after it. It was never acknowledged, so [`open`] drops
//!   it with a warning (see [`Recovery::dropped_torn_tail`]) and cuts it off the file.
//! - A bad record with valid records after it, a bad snapshot, or commits that skip a revision
//!   are **damage**: [`open`] fails with [`StorageError::Corrupt`], naming the file, the byte
//!   and what to do. It never drops acknowledged writes silently.
//! - If saving a commit fails (disk full, I/O error), the write is answered with
//!   [`StoreError::Unavailable`] (it may or may not have been saved) and so is every later
//!   request: the memory now runs ahead of the disk. The host should exit and be restarted, as
//!   etcd exits on a failed log write; [`DurableStore::failure`] tells it.
//! - One server per data directory: [`open`] takes an exclusive `flock` on `store/LOCK`
//!   (`lock.rs`); a second server is refused with [`StorageError::Locked`]. The kernel drops
//!   the lock when the process dies, so `kill -9` leaves no stale lock.
//!
//! # Files
//!
//! ```text
//! <data dir>/store/LOCK       the lock; holds the owner's pid
//! <data dir>/store/wal        "KPWAL001", header {baseRevision}, one commit per revision
//! <data dir>/store/wal.next   the same, the log segment after a snapshot being written
//! <data dir>/store/snapshot   "KPSNAP01", header {revision, keys}, one record per live key
//! ```
//!
//! # Wiring it into `kubeplay serve`
//!
//! [`crate::serve::serve`] opens the store, logs its [`Recovery`], and hands it to
//! [`crate::serve::Cluster::start_on_disk`], whose actor stops the cluster (and the server
//! exits) once [`DurableStore::failure`] reports a lost disk. The bare steps:
//!
//! ```no_run
//! # fn start(data_dir: &std::path::Path, seed: u64,
//! #          now: kubeplay_core::sim::clock::Timestamp) -> anyhow::Result<()> {
//! use kubeplay_core::apiserver::ApiServer;
//! let store = kubeplay::storage::open(data_dir)?; // fails fast: locked, damaged, unreadable
//! let recovery = store.recovery().clone();        // log it: revision, keys, dropped tail
//! // The seed must come from the OS each start: a fixed seed would hand out the same UIDs
//! // and generated names again after a restart.
//! let api = ApiServer::with_store(store, seed, now);
//! // After each request, check `api.store().failure()` and stop the server if it is `Some`.
//! # let _ = (recovery, api); Ok(()) }
//! ```

mod frame;
mod lock;
mod record;
mod snapshot;
mod wal;

use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::io::Read;
use std::path::{Path, PathBuf};

use kubeplay_core::api::objects::Object;
use kubeplay_core::store::{
    CompactResponse, DeleteRangeRequest, DeleteRangeResponse, KeyRange, KeyValue, KvStore,
    MemoryStore, PutRequest, PutResponse, RangeRequest, RangeResponse, RestoreError, Revision,
    StoreError, TxnRequest, TxnResponse, WatchEvent, WatchId, WatchRequest,
};

use lock::DataDirLock;
use record::{RawJson, SavedKey};
use wal::Wal;

/// The folder inside the data directory that holds the store's files.
pub const STORE_DIR: &str = "store";

/// Why the store could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// Another process holds the data directory's lock.
    #[error("{}", locked_message(dir, *holder))]
    Locked {
        /// The data directory.
        dir: PathBuf,
        /// The pid the lock file names, if it names one.
        holder: Option<u32>,
    },
    /// A file operation failed.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done, as a verb phrase ("fsync", "open the lock file").
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A store file is damaged in a way a crash cannot explain.
    #[error("{path} is damaged: {reason}; {advice}")]
    Corrupt {
        /// The damaged file.
        path: PathBuf,
        /// What is wrong, and where.
        reason: String,
        /// What the user can do.
        advice: &'static str,
    },
    /// The files are each intact but together describe an impossible store (or an object that
    /// this kubeplay cannot decode).
    #[error("the saved store in {dir} cannot be restored: {reason}; restore the data directory from a backup, or run the kubeplay version that wrote it")]
    Unrestorable {
        /// The store folder.
        dir: PathBuf,
        /// What does not fit.
        reason: String,
    },
}

/// The refusal text for a locked data directory.
fn locked_message(dir: &Path, holder: Option<u32>) -> String {
    let who = match holder {
        Some(pid) => format!("another kubeplay server (pid {pid})"),
        None => "another kubeplay server".to_string(),
    };
    format!(
        "{who} is using the data directory {}; stop it first, or pass a different --data-dir",
        dir.display()
    )
}

/// How the store is kept on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StorageOptions {
    /// The log never starts over before it reaches this size (a small store still snapshots
    /// only this often).
    pub snapshot_after_wal_bytes: u64,
    /// Nor before it reaches this many times the last snapshot's size, so that rewriting
    /// every live key costs at most `1 / ratio` of the bytes the log itself wrote (see the
    /// [module docs](self)); zero keeps only the fixed size above.
    pub wal_to_snapshot_ratio: u64,
    /// Write snapshots on a thread of their own while writes go on (the default), instead of
    /// stalling the write that triggered one until every live key is on disk.
    pub snapshot_in_background: bool,
}

impl Default for StorageOptions {
    fn default() -> Self {
        Self {
            snapshot_after_wal_bytes: 64 * 1024 * 1024,
            wal_to_snapshot_ratio: 2,
            snapshot_in_background: true,
        }
    }
}

impl StorageOptions {
    /// The log size at which the next snapshot is taken, given the last snapshot's size:
    /// `max(snapshot_after_wal_bytes, wal_to_snapshot_ratio × snapshot_bytes)`.
    pub fn snapshot_threshold(&self, snapshot_bytes: u64) -> u64 {
        self.snapshot_after_wal_bytes
            .max(self.wal_to_snapshot_ratio.saturating_mul(snapshot_bytes))
    }
}

/// What the store has written to disk since it was opened (a snapshot written by [`open`]
/// itself included).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StorageStats {
    /// Bytes appended to write-ahead logs (headers of new logs included).
    pub wal_bytes: u64,
    /// Snapshots written.
    pub snapshots: u64,
    /// Bytes of every snapshot written, together.
    pub snapshot_bytes: u64,
    /// The size of the snapshot on disk, if there is one (also one found by [`open`]).
    pub last_snapshot_bytes: u64,
}

impl StorageStats {
    /// Every byte written: logs and snapshots.
    pub fn total_bytes(&self) -> u64 {
        self.wal_bytes + self.snapshot_bytes
    }
}

/// What [`open`] found and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    /// The store revision after recovery.
    pub revision: Revision,
    /// How many live keys were brought back.
    pub keys: usize,
    /// The revision of the snapshot recovery started from, if there was one.
    pub snapshot_revision: Option<Revision>,
    /// How many log commits were replayed on top of the snapshot.
    pub replayed_commits: usize,
    /// What was wrong with the torn last log record that was dropped, if one was.
    pub dropped_torn_tail: Option<String>,
}

/// The core's [`MemoryStore`] with every commit saved to disk before it is acknowledged.
/// See the [module docs](self).
#[derive(Debug)]
pub struct DurableStore {
    memory: MemoryStore<Object>,
    /// The store's own watch on every key: the source of the log's commits.
    changes: WatchId,
    wal: Wal,
    store_dir: PathBuf,
    options: StorageOptions,
    /// The log size at which the next snapshot is taken.
    next_snapshot_at: u64,
    /// What has been written since opening.
    stats: StorageStats,
    /// The snapshot being written on its own thread, if one is.
    in_flight: Option<SnapshotInFlight>,
    recovery: Recovery,
    /// Why the store stopped accepting requests, once saving failed.
    failure: Option<String>,
    /// Whether each write waits for its own fsync (the default), or the host groups them
    /// ([`DurableStore::save_in_groups`]) and calls [`KvStore::sync`] before it answers.
    sync_each_commit: bool,
    /// Reused buffers of the write path.
    events: Vec<WatchEvent<Object>>,
    frames: Vec<u8>,
    payload: Vec<u8>,
    _lock: DataDirLock,
}

/// A snapshot being written on its own thread.
#[derive(Debug)]
struct SnapshotInFlight {
    /// The revision it holds.
    revision: Revision,
    /// The thread; it returns the snapshot's size.
    writer: std::thread::JoinHandle<Result<u64, String>>,
}

impl Drop for DurableStore {
    /// Waits for a snapshot still being written, so no thread renames files in the folder
    /// after the lock is released.
    fn drop(&mut self) {
        self.finish_snapshot_if_done(true);
    }
}

/// Opens (creating if needed) the store in `data_dir`'s `store` folder with the default
/// options, recovering whatever it holds. See the [module docs](self).
pub fn open(data_dir: &Path) -> Result<DurableStore, StorageError> {
    open_with(data_dir, StorageOptions::default())
}

/// Opens the store in `data_dir`'s `store` folder with `options`.
pub fn open_with(data_dir: &Path, options: StorageOptions) -> Result<DurableStore, StorageError> {
    let store_dir = data_dir.join(STORE_DIR);
    create_private_dir(&store_dir)?;
    let lock = DataDirLock::acquire(&store_dir)?;
    for leftover in ["wal.tmp", "wal.next.tmp", "snapshot.tmp"] {
        remove_if_present(&store_dir.join(leftover))?;
    }

    let snapshot = snapshot::read(&store_dir.join(snapshot::SNAPSHOT_FILE))?;
    let wal_path = store_dir.join(wal::WAL_FILE);
    let mut wal = wal::read(&wal_path)?;
    // A log segment started by a background snapshot the crash interrupted (or that failed):
    // it continues `wal`, which was fsynced whole before the segment was created.
    let next_path = store_dir.join(wal::NEXT_WAL_FILE);
    let mut next = wal::read(&next_path)?;

    let snapshot_revision = snapshot.as_ref().map(|s| s.revision);
    let mut stats = StorageStats {
        last_snapshot_bytes: snapshot.as_ref().map_or(0, |s| s.size_bytes),
        ..StorageStats::default()
    };
    let mut revision = snapshot_revision.unwrap_or(1);
    let mut keys: BTreeMap<String, SavedKey<RawJson>> = BTreeMap::new();
    for key in snapshot.map(|s| s.keys).unwrap_or_default() {
        keys.insert(key.key.clone(), key);
    }
    let mut replayed_commits = 0;
    if let (Some(old), Some(_)) = (&wal, &next) {
        if let Some(reason) = &old.torn_tail {
            return Err(StorageError::Corrupt {
                path: wal_path,
                reason: format!(
                    "its record at byte {} is torn ({reason}) although the log {} continues it",
                    old.valid_len,
                    next_path.display()
                ),
                advice: "restore the data directory from a backup",
            });
        }
    }
    for (log, path) in [(&mut wal, &wal_path), (&mut next, &next_path)] {
        let Some(log) = log else { continue };
        if log.base_revision > revision {
            return Err(StorageError::Corrupt {
                path: path.clone(),
                reason: format!(
                    "it continues from revision {} but the store before it ends at revision {revision}: the snapshot or log it follows is missing",
                    log.base_revision
                ),
                advice: "restore the data directory from a backup",
            });
        }
        // Commits the snapshot (or the log before) already holds are skipped: a log left by
        // a crash mid-snapshot, or a segment started before the snapshot it follows.
        let mut skipping = true;
        for commit in std::mem::take(&mut log.commits) {
            if skipping && commit.revision <= revision {
                continue;
            }
            skipping = false;
            if commit.revision != revision + 1 {
                return Err(StorageError::Corrupt {
                    path: path.clone(),
                    reason: format!(
                        "the commit of revision {} follows revision {revision}: commits are missing",
                        commit.revision
                    ),
                    advice: "restore the data directory from a backup",
                });
            }
            revision = commit.revision;
            apply_commit(&mut keys, commit).map_err(|reason| StorageError::Corrupt {
                path: path.clone(),
                reason,
                advice: "restore the data directory from a backup",
            })?;
            replayed_commits += 1;
        }
    }

    let (active, active_path) = if next.is_some() {
        (&next, &next_path)
    } else {
        (&wal, &wal_path)
    };
    let dropped_torn_tail = active.as_ref().and_then(|w| {
        w.torn_tail.map(|reason| {
            format!(
                "{} ends with a torn record at byte {} ({reason}; {} bytes dropped), left by a crash during a write that was never acknowledged",
                active_path.display(),
                w.valid_len,
                w.file_len - w.valid_len
            )
        })
    });
    if let Some(warning) = &dropped_torn_tail {
        tracing::warn!("{warning}");
    }

    let unrestorable = |reason: String| StorageError::Unrestorable {
        dir: store_dir.clone(),
        reason,
    };
    let entries = decode_keys(keys.into_values().collect()).map_err(unrestorable)?;
    let key_count = entries.len();
    let memory = MemoryStore::restore(revision, entries)
        .map_err(|e: RestoreError| unrestorable(e.to_string()))?;

    // Keep the log if it continues from the snapshot we read (or from the start); otherwise
    // (no log, or one left behind by a crash while switching to a newer snapshot, or one
    // over the snapshot threshold) save everything as a snapshot and start a new log.
    let log_continues = |base: Revision| base == snapshot_revision.unwrap_or(1);
    let threshold = options.snapshot_threshold(stats.last_snapshot_bytes);
    let wal = match wal {
        Some(w) if next.is_none() && log_continues(w.base_revision) && w.valid_len < threshold => {
            Wal::open_for_append(&wal_path, w.valid_len)?
        }
        Some(_) | None => {
            if wal.is_none() && snapshot_revision.is_some() {
                tracing::warn!(
                    "{} is missing; starting from the snapshot at revision {revision}",
                    wal_path.display()
                );
            }
            let all = read_all(&memory).map_err(|e| unrestorable(e.to_string()))?;
            let size_bytes = snapshot::write(&store_dir, revision, &all)?;
            stats.snapshots += 1;
            stats.snapshot_bytes += size_bytes;
            stats.last_snapshot_bytes = size_bytes;
            let wal = Wal::create(&store_dir, revision, &[])?;
            stats.wal_bytes += wal.len_bytes();
            // The segment's commits are in the new snapshot now.
            if next.is_some() {
                remove_if_present(&next_path)?;
                fsync_dir(&store_dir)?;
            }
            wal
        }
    };

    let mut memory = memory;
    let changes = memory
        .watch(WatchRequest::new(KeyRange::prefix("")))
        .map_err(|e| unrestorable(e.to_string()))?;
    let next_snapshot_at = options.snapshot_threshold(stats.last_snapshot_bytes);
    Ok(DurableStore {
        memory,
        changes,
        wal,
        store_dir,
        options,
        next_snapshot_at,
        stats,
        in_flight: None,
        recovery: Recovery {
            revision,
            keys: key_count,
            snapshot_revision,
            replayed_commits,
            dropped_torn_tail,
        },
        failure: None,
        sync_each_commit: true,
        events: Vec::new(),
        frames: Vec::new(),
        payload: Vec::new(),
        _lock: lock,
    })
}

/// Applies one replayed commit to the recovered keys (their values stay text); says what is
/// wrong with a change that is neither a whole put nor a delete.
fn apply_commit(
    keys: &mut BTreeMap<String, SavedKey<RawJson>>,
    commit: record::LoggedCommit,
) -> Result<(), String> {
    for change in commit.changes {
        match (change.op.as_str(), change.create_revision, change.version, change.value) {
            ("put", Some(create_revision), Some(version), Some(value)) => {
                keys.insert(
                    change.key.clone(),
                    SavedKey {
                        key: change.key,
                        create_revision,
                        mod_revision: commit.revision,
                        version,
                        value,
                    },
                );
            }
            ("delete", None, None, None) => {
                keys.remove(&change.key);
            }
            (op, ..) => {
                return Err(format!(
                    "the commit of revision {} has a change {op:?} of key {:?} that is neither a whole put nor a delete",
                    commit.revision, change.key
                ))
            }
        }
    }
    Ok(())
}

/// Decodes the recovered keys' objects, on up to four threads (decoding hundreds of MB of
/// JSON is most of a reopen's time).
fn decode_keys(keys: Vec<SavedKey<RawJson>>) -> Result<Vec<KeyValue<Object>>, String> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    if threads == 1 || keys.len() < 1_000 {
        return keys.into_iter().map(SavedKey::decode).collect();
    }
    let chunk = keys.len().div_ceil(threads);
    let mut chunks: Vec<Vec<SavedKey<RawJson>>> = Vec::with_capacity(threads);
    let mut rest = keys.into_iter();
    loop {
        let part: Vec<_> = rest.by_ref().take(chunk).collect();
        if part.is_empty() {
            break;
        }
        chunks.push(part);
    }
    std::thread::scope(|scope| {
        let workers: Vec<_> = chunks
            .into_iter()
            .map(|part| {
                scope.spawn(move || {
                    part.into_iter()
                        .map(SavedKey::decode)
                        .collect::<Result<Vec<_>, String>>()
                })
            })
            .collect();
        let mut all = Vec::new();
        for worker in workers {
            let part = worker
                .join()
                .unwrap_or_else(|_| Err("a decoding thread panicked".to_string()))?;
            all.extend(part);
        }
        Ok(all)
    })
}

/// Every live key of `memory` at its current revision.
fn read_all(memory: &MemoryStore<Object>) -> Result<Vec<KeyValue<Object>>, StoreError> {
    Ok(memory.range(&RangeRequest::new(KeyRange::prefix("")))?.kvs)
}

impl DurableStore {
    /// What [`open`] found: the revision, the keys, and any torn record it dropped.
    pub fn recovery(&self) -> &Recovery {
        &self.recovery
    }

    /// Why the store stopped accepting requests, if saving a commit failed. The host should
    /// then exit: only a restart brings memory and disk back in step.
    pub fn failure(&self) -> Option<&str> {
        self.failure.as_deref()
    }

    /// The folder holding the store's files.
    pub fn store_dir(&self) -> &Path {
        &self.store_dir
    }

    /// How many live and recently deleted keys the store holds.
    pub fn key_count(&self) -> usize {
        self.memory.key_count()
    }

    /// Group commit: from now on a write returns once its commits are written to the log
    /// file, and [`KvStore::sync`] makes everything written so far durable with one fsync. The
    /// host must call `sync` before it acknowledges any write (or shows it to a watcher); the
    /// serve actor does so once per turn, so concurrent writers share an fsync instead of
    /// queueing for one each, as etcd batches its raft log writes. A crash before the sync
    /// loses only writes nobody was told about, and the log stays a prefix of the history.
    pub fn save_in_groups(&mut self) {
        self.sync_each_commit = false;
    }

    /// The write-ahead log's current size.
    pub fn wal_len_bytes(&self) -> u64 {
        self.wal.len_bytes()
    }

    /// The log size at which the next snapshot will be taken.
    pub fn next_snapshot_at_wal_bytes(&self) -> u64 {
        self.next_snapshot_at
    }

    /// What the store has written to disk since it was opened.
    pub fn stats(&self) -> StorageStats {
        self.stats
    }

    /// Waits for a snapshot being written in the background, if one is, and starts the new
    /// log after it (a write that finds it finished does the same).
    pub fn finish_snapshot(&mut self) {
        self.finish_snapshot_if_done(true);
    }

    /// Whether a snapshot is being written in the background.
    pub fn snapshot_in_progress(&self) -> bool {
        self.in_flight.is_some()
    }

    /// Stops the store as a failed save would (the tests of the hosts that must react).
    #[cfg(test)]
    pub(crate) fn fail_for_test(&mut self, reason: &str) {
        let _ = self.fail(reason.to_string());
    }

    /// Refuses requests once saving has failed.
    fn check_available(&self) -> Result<(), StoreError> {
        match &self.failure {
            Some(reason) => Err(StoreError::Unavailable(format!(
                "{reason}; restart the server"
            ))),
            None => Ok(()),
        }
    }

    /// Stops the store after a failure to save; the error for the request that saw it.
    fn fail(&mut self, reason: String) -> StoreError {
        tracing::error!("the store stops accepting requests: {reason}");
        let error = StoreError::Unavailable(format!(
            "{reason}; the last change may or may not be saved, restart the server"
        ));
        self.failure = Some(reason);
        error
    }

    /// Saves the commits the last write made; returns once they are on disk.
    fn save_changes(&mut self) -> Result<(), StoreError> {
        self.events.clear();
        if let Err(error) = self.memory.poll_watch_into(self.changes, &mut self.events) {
            return Err(self.fail(format!("the store's change feed failed: {error}")));
        }
        if self.events.is_empty() {
            return Ok(());
        }
        self.frames.clear();
        for commit in record::commits_from_events(&self.events) {
            self.payload.clear();
            if let Err(error) = serde_json::to_writer(&mut self.payload, &commit) {
                self.events.clear();
                return Err(self.fail(format!(
                    "cannot encode the commit of revision {}: {error}",
                    commit.revision
                )));
            }
            frame::encode(&self.payload, &mut self.frames);
        }
        self.events.clear();
        if let Err(error) = self.wal.append(&self.frames) {
            let path = self.wal.path().display().to_string();
            return Err(self.fail(format!("cannot write {path}: {error}")));
        }
        self.stats.wal_bytes += self.frames.len() as u64;
        if self.sync_each_commit {
            self.sync_log()?;
        }
        self.finish_snapshot_if_done(false);
        if self.in_flight.is_none() && self.wal.len_bytes() >= self.next_snapshot_at {
            self.start_snapshot();
        }
        Ok(())
    }

    /// Fsyncs the log; a failure stops the store.
    fn sync_log(&mut self) -> Result<(), StoreError> {
        if let Err(error) = self.wal.sync() {
            let path = self.wal.path().display().to_string();
            return Err(self.fail(format!("cannot fsync {path}: {error}")));
        }
        Ok(())
    }

    /// Starts a snapshot of every live key at the current revision: on its own thread when
    /// [`StorageOptions::snapshot_in_background`] (the write continues at once; the new log
    /// starts once the snapshot is on disk, see [`DurableStore::finish_snapshot`]), or here.
    /// Reading the live keys only clones their `Arc`s; encoding and writing them is the slow
    /// part (seconds for hundreds of MB).
    fn start_snapshot(&mut self) {
        let revision = self.memory.current_revision();
        let all = match read_all(&self.memory) {
            Ok(all) => std::sync::Arc::new(all),
            Err(error) => {
                self.snapshot_failed(&error.to_string());
                return;
            }
        };
        if self.options.snapshot_in_background {
            if !self.start_next_segment(revision) {
                return; // put off (or the store stopped)
            }
            let store_dir = self.store_dir.clone();
            let for_thread = std::sync::Arc::clone(&all);
            let spawned = std::thread::Builder::new()
                .name("kubeplay-snapshot".to_string())
                .spawn(move || {
                    snapshot::write(&store_dir, revision, &for_thread).map_err(|e| e.to_string())
                });
            match spawned {
                Ok(writer) => {
                    self.in_flight = Some(SnapshotInFlight { revision, writer });
                    return;
                }
                Err(error) => {
                    tracing::warn!(
                        "cannot start a thread for the snapshot ({error}); writing it now"
                    );
                }
            }
        }
        let written = snapshot::write(&self.store_dir, revision, &all).map_err(|e| e.to_string());
        self.switch_to_snapshot(revision, written);
    }

    /// Before a background snapshot at `revision`: makes everything the log holds durable and
    /// moves the appends to a new segment, `wal.next` with base `revision`, so the commits made
    /// while the snapshot is written are written once (the switch then only renames it over
    /// `wal`). Already on a segment (an earlier snapshot failed), it stays on that one: its
    /// base is older, and recovery skips what the snapshot holds. False when the segment
    /// cannot be started (the snapshot is then put off; a failed fsync stops the store).
    fn start_next_segment(&mut self, revision: Revision) -> bool {
        if self.wal.is_named(wal::NEXT_WAL_FILE) {
            return true;
        }
        if self.sync_log().is_err() {
            return false;
        }
        match Wal::create_named(&self.store_dir, wal::NEXT_WAL_FILE, revision, &[]) {
            Ok(next) => {
                self.stats.wal_bytes += next.len_bytes();
                self.wal = next;
                true
            }
            Err(error) => {
                self.snapshot_failed(&format!("cannot start the next log segment: {error}"));
                false
            }
        }
    }

    /// If a snapshot is being written in the background and has finished (or, with `wait`,
    /// once it has), starts the new log after it.
    fn finish_snapshot_if_done(&mut self, wait: bool) {
        let done = self
            .in_flight
            .as_ref()
            .is_some_and(|flight| wait || flight.writer.is_finished());
        if !done {
            return;
        }
        let Some(flight) = self.in_flight.take() else {
            return;
        };
        let written = flight
            .writer
            .join()
            .unwrap_or_else(|_| Err("the snapshot thread panicked".to_string()));
        if self.failure.is_some() {
            return; // the store has stopped: leave the files as they are for the restart
        }
        self.switch_to_snapshot(flight.revision, written);
    }

    /// After a snapshot at `revision` was written (or failed): the log after it becomes
    /// `wal`, either the segment started with the snapshot (renamed over the old log) or a new
    /// empty log. A failed snapshot only delays the next try (`wal` and the segment still hold
    /// everything); a failed switch of logs stops the store, because its open log might no
    /// longer be the one on disk.
    fn switch_to_snapshot(&mut self, revision: Revision, written: Result<u64, String>) {
        match written {
            Ok(size_bytes) => {
                self.stats.snapshots += 1;
                self.stats.snapshot_bytes += size_bytes;
                self.stats.last_snapshot_bytes = size_bytes;
                self.next_snapshot_at = self.options.snapshot_threshold(size_bytes);
                tracing::info!(
                    "snapshot at revision {revision} written ({size_bytes} bytes); starting a new log, the next snapshot after {} bytes of it",
                    self.next_snapshot_at
                );
                if self.wal.is_named(wal::NEXT_WAL_FILE) {
                    let store_dir = self.store_dir.clone();
                    if let Err(error) = self.wal.rename_to(&store_dir, wal::WAL_FILE) {
                        let _ = self.fail(format!("cannot start a new log: {error}"));
                    }
                    return;
                }
                match Wal::create(&self.store_dir, revision, &[]) {
                    Ok(wal) => {
                        self.stats.wal_bytes += wal.len_bytes();
                        self.wal = wal;
                    }
                    Err(error) => {
                        let _ = self.fail(format!("cannot start a new log: {error}"));
                    }
                }
            }
            Err(error) => self.snapshot_failed(&error),
        }
    }

    /// Puts the next try off by another threshold's worth of log.
    fn snapshot_failed(&mut self, error: &str) {
        tracing::warn!("cannot write a snapshot (the log keeps every change): {error}");
        self.next_snapshot_at = self.wal.len_bytes()
            + self
                .options
                .snapshot_threshold(self.stats.last_snapshot_bytes);
    }

    /// Answers a write's result after saving what it changed.
    fn saved<T>(&mut self, result: Result<T, StoreError>) -> Result<T, StoreError> {
        let response = result?;
        self.save_changes()?;
        Ok(response)
    }

    /// Refuses requests naming the store's own change feed.
    fn check_watch_id(&self, id: WatchId) -> Result<(), StoreError> {
        if id == self.changes {
            Err(StoreError::WatchNotFound(id))
        } else {
            Ok(())
        }
    }
}

impl KvStore<Object> for DurableStore {
    fn current_revision(&self) -> Revision {
        self.memory.current_revision()
    }

    fn compact_revision(&self) -> Revision {
        self.memory.compact_revision()
    }

    fn range(&self, request: &RangeRequest) -> Result<RangeResponse<Object>, StoreError> {
        self.check_available()?;
        self.memory.range(request)
    }

    fn put(&mut self, request: PutRequest<Object>) -> Result<PutResponse<Object>, StoreError> {
        self.check_available()?;
        let result = self.memory.put(request);
        self.saved(result)
    }

    fn delete_range(
        &mut self,
        request: &DeleteRangeRequest,
    ) -> Result<DeleteRangeResponse<Object>, StoreError> {
        self.check_available()?;
        let result = self.memory.delete_range(request);
        self.saved(result)
    }

    fn txn(&mut self, request: TxnRequest<Object>) -> Result<TxnResponse<Object>, StoreError> {
        self.check_available()?;
        let result = self.memory.txn(request);
        self.saved(result)
    }

    /// Compaction only trims the history in memory: the files hold no history to trim, and a
    /// restart compacts at the recovered revision anyway.
    fn compact(&mut self, revision: Revision) -> Result<CompactResponse, StoreError> {
        self.check_available()?;
        self.memory.compact(revision)
    }

    fn watch(&mut self, request: WatchRequest) -> Result<WatchId, StoreError> {
        self.check_available()?;
        self.memory.watch(request)
    }

    fn poll_watch_into(
        &mut self,
        id: WatchId,
        out: &mut Vec<WatchEvent<Object>>,
    ) -> Result<(), StoreError> {
        self.check_available()?;
        self.check_watch_id(id)?;
        self.memory.poll_watch_into(id, out)
    }

    fn cancel_watch(&mut self, id: WatchId) -> Result<(), StoreError> {
        self.check_watch_id(id)?;
        self.memory.cancel_watch(id)
    }

    fn oldest_watch_cursor(&self) -> Option<Revision> {
        self.memory.oldest_watch_cursor()
    }

    fn sync(&mut self) -> Result<(), StoreError> {
        self.check_available()?;
        self.sync_log()?;
        self.finish_snapshot_if_done(false);
        Ok(())
    }
}

/// Creates `dir` and its parents if missing; new folders are private to their owner.
fn create_private_dir(dir: &Path) -> Result<(), StorageError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|source| StorageError::Io {
        action: "create",
        path: dir.to_path_buf(),
        source,
    })
}

/// Removes `path` unless it does not exist.
fn remove_if_present(path: &Path) -> Result<(), StorageError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(StorageError::Io {
            action: "remove the leftover",
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// The whole file at `path`, or `None` if it does not exist.
fn read_existing(path: &Path) -> Result<Option<Vec<u8>>, StorageError> {
    let io = |source| StorageError::Io {
        action: "read",
        path: path.to_path_buf(),
        source,
    };
    let mut file = match OpenOptions::new().read(true).open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(io(error)),
    };
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(io)?;
    Ok(Some(bytes))
}

/// Makes the entries of `dir` (files created, renamed or removed in it) durable.
fn fsync_dir(dir: &Path) -> Result<(), StorageError> {
    let io = |action| {
        move |source| StorageError::Io {
            action,
            path: dir.to_path_buf(),
            source,
        }
    };
    let folder = OpenOptions::new()
        .read(true)
        .open(dir)
        .map_err(io("open the folder"))?;
    folder.sync_all().map_err(io("fsync the folder"))
}

#[cfg(test)]
mod replay_tests {
    use super::*;

    fn commit(text: &str) -> record::LoggedCommit {
        serde_json::from_str(text).expect("a logged commit")
    }

    #[test]
    fn replay_keeps_the_last_value_as_text_and_decodes_only_the_live_keys() {
        let mut keys = BTreeMap::new();
        let cm = |data: &str| {
            format!(
                r#"{{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"a","namespace":"default"}},"data":{{"x":"{data}"}}}}"#
            )
        };
        let put = |revision: u64, version: u64, value: &str| {
            commit(&format!(
                r#"{{"revision":{revision},"changes":[{{"op":"put","key":"/registry/configmaps/default/a","createRevision":2,"version":{version},"value":{value}}}]}}"#
            ))
        };
        apply_commit(&mut keys, put(2, 1, &cm("one"))).expect("put");
        // A superseded value is never decoded, even one this kubeplay could not read.
        apply_commit(&mut keys, put(3, 2, r#"{"kind":"Nonsense"}"#)).expect("put");
        apply_commit(&mut keys, put(4, 3, &cm("three"))).expect("put");
        let decoded = decode_keys(keys.into_values().collect()).expect("decode");
        assert_eq!(decoded.len(), 1);
        assert_eq!((decoded[0].mod_revision, decoded[0].version), (4, 3));
        assert_eq!(decoded[0].value.to_value()["data"]["x"], "three");

        let mut keys = BTreeMap::new();
        let broken = commit(
            r#"{"revision":5,"changes":[{"op":"put","key":"/registry/configmaps/default/a"}]}"#,
        );
        let error = apply_commit(&mut keys, broken).expect_err("a put without a value");
        assert!(error.contains("revision 5"), "{error}");
        let deleted = commit(
            r#"{"revision":6,"changes":[{"op":"delete","key":"/registry/configmaps/default/a"}]}"#,
        );
        apply_commit(&mut keys, deleted).expect("delete");
        assert!(keys.is_empty());
    }
}
