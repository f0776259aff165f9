//! One writer per data directory: an exclusive `flock` on `store/LOCK`.
//!
//! [`DataDirLock::acquire`] opens (creating) the lock file and asks the kernel for an
//! exclusive, non-blocking `flock`. The kernel releases it when the file is closed: when the
//! [`DataDirLock`] drops, or when the process dies in any way, `kill -9` included, so a crash
//! never leaves a stale lock behind (a lock file made with `O_EXCL` would). The holder writes
//! its pid into the file only so that the refusal message can name it.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use super::StorageError;

/// The lock file's name inside the store folder.
pub(crate) const LOCK_FILE: &str = "LOCK";

/// The held lock; dropping it releases it.
#[derive(Debug)]
pub(crate) struct DataDirLock {
    /// Keeps the locked file open; the lock lives as long as it does.
    _file: File,
}

impl DataDirLock {
    /// Takes the exclusive lock on `store_dir/LOCK`, or says who holds it.
    pub(crate) fn acquire(store_dir: &Path) -> Result<Self, StorageError> {
        let path = store_dir.join(LOCK_FILE);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|source| StorageError::Io {
                action: "open the lock file",
                path: path.clone(),
                source,
            })?;
        if !try_lock_exclusive(&file).map_err(|source| StorageError::Io {
            action: "lock",
            path: path.clone(),
            source,
        })? {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            return Err(StorageError::Locked {
                dir: store_dir.parent().unwrap_or(store_dir).to_path_buf(),
                holder: holder.trim().parse().ok(),
            });
        }
        write_pid(&mut file, &path)?;
        Ok(Self { _file: file })
    }
}

/// Replaces the lock file's text with this process's pid.
fn write_pid(file: &mut File, path: &Path) -> Result<(), StorageError> {
    let io = |source| StorageError::Io {
        action: "write the pid into",
        path: path.to_path_buf(),
        source,
    };
    file.set_len(0).map_err(io)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    writeln!(file, "{}", std::process::id()).map_err(io)
}

/// Tries to take an exclusive `flock` without waiting: `Ok(false)` when another open file
/// holds it.
#[cfg(unix)]
fn try_lock_exclusive(file: &File) -> std::io::Result<bool> {
    use std::os::fd::AsRawFd;
    // SAFETY: flock takes a file descriptor and flags and touches no memory of ours; the
    // descriptor is valid because `file` is borrowed for the whole call.
    let result = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if result == 0 {
        return Ok(true);
    }
    let error = std::io::Error::last_os_error();
    if error.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(error)
    }
}

/// Without `flock`, there is no lock: the store still works, two servers on one folder are
/// not refused.
#[cfg(not(unix))]
fn try_lock_exclusive(_file: &File) -> std::io::Result<bool> {
    Ok(true)
}
