//! The write-ahead log: `store/wal`, every commit since the snapshot, fsynced before its write
//! is acknowledged.
//!
//! The file is the magic string [`WAL_MAGIC`], one [`WalHeader`] frame naming the revision the
//! log continues from, then one [`Commit`] frame per store revision. [`Wal::append`] writes
//! frames at the end and waits for `fdatasync`, which also makes the file's new length
//! durable. A new log is written whole to `wal.tmp`, fsynced and renamed over `wal` (and the
//! folder fsynced), so `wal` always has a complete header; only its last commit can be torn.
//! [`read`] drops such a torn tail (it was never acknowledged) and [`Wal::open_for_append`]
//! cuts it off the file so the next commit follows the last good one.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use kubeplay_core::store::Revision;

use super::frame::{self, BadFrame};
use super::record::{LoggedCommit, WalHeader};
use super::{fsync_dir, read_existing, StorageError};

/// The log's file name in the store folder.
pub(crate) const WAL_FILE: &str = "wal";

/// The next log segment's file name: a background snapshot at revision R starts it (base R)
/// at once, so commits made while the snapshot is written go only there; once the snapshot
/// is on disk it is renamed over [`WAL_FILE`].
pub(crate) const NEXT_WAL_FILE: &str = "wal.next";

/// The first bytes of every log file (format version 1).
pub(crate) const WAL_MAGIC: &[u8; 8] = b"KPWAL001";

/// What a damaged log's error message tells the user to do.
const WAL_ADVICE: &str = "kubeplay does not guess which acknowledged writes are lost: restore \
    the data directory from a backup, or move this file aside to start from the last snapshot \
    (every change after the snapshot is then lost)";

/// What [`read`] found in an existing log.
#[derive(Debug)]
pub(crate) struct WalContents {
    /// The revision the log continues from.
    pub(crate) base_revision: Revision,
    /// Its commits in file order.
    pub(crate) commits: Vec<LoggedCommit>,
    /// Where the last good frame ends.
    pub(crate) valid_len: u64,
    /// The file's length on disk.
    pub(crate) file_len: u64,
    /// What was wrong with the torn last frame, if the file ends with one.
    pub(crate) torn_tail: Option<BadFrame>,
}

/// Reads the log at `path`, or `None` if there is none.
pub(crate) fn read(path: &Path) -> Result<Option<WalContents>, StorageError> {
    let Some(bytes) = read_existing(path)? else {
        return Ok(None);
    };
    let corrupt = |reason: String| StorageError::Corrupt {
        path: path.to_path_buf(),
        reason,
        advice: WAL_ADVICE,
    };
    if bytes.get(..WAL_MAGIC.len()) != Some(&WAL_MAGIC[..]) {
        return Err(corrupt(
            "it does not start with kubeplay's write-ahead log marker".to_string(),
        ));
    }
    let scan = frame::scan(&bytes, WAL_MAGIC.len()).map_err(|damaged| {
        corrupt(format!(
            "at byte {}, before its last record, {}",
            damaged.offset, damaged.reason
        ))
    })?;
    let mut frames = scan.frames.iter();
    let Some(header) = frames.next() else {
        return Err(corrupt("its header record is missing".to_string()));
    };
    let header: WalHeader = serde_json::from_slice(header.payload)
        .map_err(|e| corrupt(format!("its header record does not decode: {e}")))?;
    let mut commits = Vec::with_capacity(scan.frames.len().saturating_sub(1));
    for frame in frames {
        let commit: LoggedCommit = serde_json::from_slice(frame.payload).map_err(|e| {
            corrupt(format!(
                "the record at byte {} has a valid checksum but does not decode: {e}",
                frame.offset
            ))
        })?;
        commits.push(commit);
    }
    Ok(Some(WalContents {
        base_revision: header.base_revision,
        commits,
        valid_len: scan.valid_len,
        file_len: bytes.len() as u64,
        torn_tail: scan.torn_tail,
    }))
}

/// The open log, appending at its end.
#[derive(Debug)]
pub(crate) struct Wal {
    file: File,
    path: PathBuf,
    len_bytes: u64,
    /// Appended since the last fsync.
    unsynced: bool,
}

impl Wal {
    /// Replaces the store folder's log with one continuing from `base_revision`, holding
    /// `frames` (whole encoded commit frames after that revision; empty for a fresh log).
    pub(crate) fn create(
        store_dir: &Path,
        base_revision: Revision,
        frames: &[u8],
    ) -> Result<Self, StorageError> {
        Self::create_named(store_dir, WAL_FILE, base_revision, frames)
    }

    /// Like [`Wal::create`], for the log file `name` of the store folder (written whole to
    /// `<name>.tmp`, fsynced, renamed, the folder fsynced: the file always has its header).
    pub(crate) fn create_named(
        store_dir: &Path,
        name: &str,
        base_revision: Revision,
        frames: &[u8],
    ) -> Result<Self, StorageError> {
        let path = store_dir.join(name);
        let temporary = store_dir.join(format!("{name}.tmp"));
        let io = |action, path: &Path| {
            let path = path.to_path_buf();
            move |source| StorageError::Io {
                action,
                path,
                source,
            }
        };
        let mut bytes = WAL_MAGIC.to_vec();
        let header = serde_json::to_vec(&WalHeader { base_revision })
            .map_err(|e| io("encode the header of", &temporary)(std::io::Error::other(e)))?;
        frame::encode(&header, &mut bytes);
        bytes.extend_from_slice(frames);
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&temporary)
            .map_err(io("create", &temporary))?;
        file.write_all(&bytes).map_err(io("write", &temporary))?;
        file.sync_all().map_err(io("fsync", &temporary))?;
        drop(file);
        std::fs::rename(&temporary, &path).map_err(io("rename the temporary log to", &path))?;
        fsync_dir(store_dir)?;
        Self::open_for_append(&path, bytes.len() as u64)
    }

    /// Opens the log at `path` to append after its first `valid_len` bytes, cutting off (and
    /// fsyncing the cut of) anything after them: a torn tail [`read`] has reported.
    pub(crate) fn open_for_append(path: &Path, valid_len: u64) -> Result<Self, StorageError> {
        let io = |action| {
            let path = path.to_path_buf();
            move |source| StorageError::Io {
                action,
                path,
                source,
            }
        };
        let file = OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(io("open"))?;
        let len = file.metadata().map_err(io("read the length of"))?.len();
        if len != valid_len {
            file.set_len(valid_len)
                .map_err(io("cut the torn tail off"))?;
            file.sync_all().map_err(io("fsync"))?;
        }
        Ok(Self {
            file,
            path: path.to_path_buf(),
            len_bytes: valid_len,
            unsynced: false,
        })
    }

    /// Appends `frames` (whole encoded frames) to the file; they are on disk after the next
    /// [`Wal::sync`].
    pub(crate) fn append(&mut self, frames: &[u8]) -> std::io::Result<()> {
        self.file.write_all(frames)?;
        self.len_bytes += frames.len() as u64;
        self.unsynced = true;
        Ok(())
    }

    /// Waits until everything appended is on disk (one fsync for however many appends).
    pub(crate) fn sync(&mut self) -> std::io::Result<()> {
        if self.unsynced {
            self.file.sync_data()?;
            self.unsynced = false;
        }
        Ok(())
    }

    /// The log's length in bytes.
    pub(crate) fn len_bytes(&self) -> u64 {
        self.len_bytes
    }

    /// The log's path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Renames the open log to `name` in the store folder (replacing the file there) and
    /// fsyncs the folder, so the rename is durable; appends go on into the same file.
    pub(crate) fn rename_to(&mut self, store_dir: &Path, name: &str) -> Result<(), StorageError> {
        let target = store_dir.join(name);
        std::fs::rename(&self.path, &target).map_err(|source| StorageError::Io {
            action: "rename the log to",
            path: target.clone(),
            source,
        })?;
        self.path = target;
        fsync_dir(store_dir)
    }

    /// Whether this is the file `name` of its folder.
    pub(crate) fn is_named(&self, name: &str) -> bool {
        self.path.file_name().is_some_and(|file| file == name)
    }
}
