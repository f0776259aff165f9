//! The snapshot: `store/snapshot`, every live key at one revision, so the write-ahead log can
//! start over instead of growing forever.
//!
//! The file is the magic string [`SNAPSHOT_MAGIC`], one [`SnapshotHeader`] frame (revision and
//! key count), then one [`SavedKey`] frame per live key. [`write`] writes `snapshot.tmp`,
//! fsyncs it, renames it over `snapshot` and fsyncs the folder, so `snapshot` is always a
//! whole snapshot: any bad frame in it is damage, never a torn tail.

use std::fs::OpenOptions;
use std::io::{BufWriter, Write};
use std::path::Path;

use kubeplay_core::api::objects::Object;
use kubeplay_core::store::{KeyValue, Revision};

use super::frame;
use super::record::{RawJson, SavedKey, SnapshotHeader};
use super::{fsync_dir, read_existing, StorageError};

/// The snapshot's file name in the store folder.
pub(crate) const SNAPSHOT_FILE: &str = "snapshot";

/// The first bytes of every snapshot file (format version 1).
pub(crate) const SNAPSHOT_MAGIC: &[u8; 8] = b"KPSNAP01";

/// What a damaged snapshot's error message tells the user to do.
const SNAPSHOT_ADVICE: &str = "restore the data directory from a backup; moving the snapshot \
    aside would lose every object it holds";

/// The snapshot's contents: its revision and keys.
#[derive(Debug)]
pub(crate) struct SnapshotContents {
    /// The revision it was taken at.
    pub(crate) revision: Revision,
    /// Every live key then.
    pub(crate) keys: Vec<SavedKey<RawJson>>,
    /// The file's size in bytes.
    pub(crate) size_bytes: u64,
}

/// Reads the snapshot at `path`, or `None` if there is none.
pub(crate) fn read(path: &Path) -> Result<Option<SnapshotContents>, StorageError> {
    let Some(bytes) = read_existing(path)? else {
        return Ok(None);
    };
    let corrupt = |reason: String| StorageError::Corrupt {
        path: path.to_path_buf(),
        reason,
        advice: SNAPSHOT_ADVICE,
    };
    if bytes.get(..SNAPSHOT_MAGIC.len()) != Some(&SNAPSHOT_MAGIC[..]) {
        return Err(corrupt(
            "it does not start with kubeplay's snapshot marker".to_string(),
        ));
    }
    let scan = frame::scan(&bytes, SNAPSHOT_MAGIC.len())
        .map_err(|damaged| corrupt(format!("at byte {}, {}", damaged.offset, damaged.reason)))?;
    if let Some(reason) = scan.torn_tail {
        return Err(corrupt(format!("at byte {}, {reason}", scan.valid_len)));
    }
    let mut frames = scan.frames.iter();
    let Some(header) = frames.next() else {
        return Err(corrupt("its header record is missing".to_string()));
    };
    let header: SnapshotHeader = serde_json::from_slice(header.payload)
        .map_err(|e| corrupt(format!("its header record does not decode: {e}")))?;
    let mut keys = Vec::with_capacity(scan.frames.len().saturating_sub(1));
    for frame in frames {
        let key: SavedKey<RawJson> = serde_json::from_slice(frame.payload).map_err(|e| {
            corrupt(format!(
                "the record at byte {} has a valid checksum but does not decode: {e}",
                frame.offset
            ))
        })?;
        keys.push(key);
    }
    if keys.len() as u64 != header.keys {
        return Err(corrupt(format!(
            "its header promises {} keys but it holds {}",
            header.keys,
            keys.len()
        )));
    }
    Ok(Some(SnapshotContents {
        revision: header.revision,
        keys,
        size_bytes: bytes.len() as u64,
    }))
}

/// Writes `kvs`, the live keys at `revision`, as the store folder's snapshot. Returns its
/// size in bytes.
pub(crate) fn write(
    store_dir: &Path,
    revision: Revision,
    kvs: &[KeyValue<Object>],
) -> Result<u64, StorageError> {
    let path = store_dir.join(SNAPSHOT_FILE);
    let temporary = store_dir.join("snapshot.tmp");
    let io = |action| {
        let path = temporary.clone();
        move |source| StorageError::Io {
            action,
            path,
            source,
        }
    };
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&temporary)
        .map_err(io("create"))?;
    let mut out = BufWriter::new(file);
    let mut buffer = Vec::new();
    let mut frame_bytes = Vec::new();
    let mut size_bytes = SNAPSHOT_MAGIC.len() as u64;
    out.write_all(SNAPSHOT_MAGIC).map_err(io("write"))?;
    let header = SnapshotHeader {
        revision,
        keys: kvs.len() as u64,
    };
    serde_json::to_writer(&mut buffer, &header).map_err(|e| io("encode")(e.into()))?;
    frame::encode(&buffer, &mut frame_bytes);
    for kv in kvs {
        out.write_all(&frame_bytes).map_err(io("write"))?;
        size_bytes += frame_bytes.len() as u64;
        buffer.clear();
        frame_bytes.clear();
        serde_json::to_writer(&mut buffer, &SavedKey::from_key_value(kv))
            .map_err(|e| io("encode")(e.into()))?;
        frame::encode(&buffer, &mut frame_bytes);
    }
    out.write_all(&frame_bytes).map_err(io("write"))?;
    size_bytes += frame_bytes.len() as u64;
    let file = out.into_inner().map_err(|e| io("write")(e.into_error()))?;
    file.sync_all().map_err(io("fsync"))?;
    drop(file);
    std::fs::rename(&temporary, &path).map_err(|source| StorageError::Io {
        action: "rename snapshot.tmp to",
        path: path.clone(),
        source,
    })?;
    fsync_dir(store_dir)?;
    Ok(size_bytes)
}
