//! Where the node host keeps its state on disk.
//!
//! Without `--data-dir` it is `$XDG_DATA_HOME/kubeplay`, or `~/.local/share/kubeplay` when
//! `XDG_DATA_HOME` is unset (the XDG base directory rules; a service running as root gets
//! `/root/.local/share/kubeplay`, so lab installs usually pass `--data-dir /var/lib/kubeplay`).
//! [`prepare`] creates the folder readable by its owner only, because it will hold the
//! cluster's tokens and keys.

use std::path::{Path, PathBuf};

/// Why the data directory could not be chosen or created.
#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    /// Neither `XDG_DATA_HOME` nor `HOME` names a folder, so there is no default.
    #[error("cannot choose a data directory: neither XDG_DATA_HOME nor HOME is set to an absolute path; pass --data-dir DIR")]
    NoDefault,
    /// Creating the folder failed.
    #[error("cannot create the data directory {dir}: {source}; pass --data-dir with a folder you can write")]
    Create {
        /// The folder that could not be created.
        dir: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
}

/// The default data directory for these environment values (`XDG_DATA_HOME`, `HOME`).
///
/// Relative values are ignored, as the XDG base directory specification says.
pub fn default_data_dir(
    xdg_data_home: Option<&Path>,
    home: Option<&Path>,
) -> Result<PathBuf, DataDirError> {
    if let Some(xdg) = xdg_data_home.filter(|dir| dir.is_absolute()) {
        return Ok(xdg.join("kubeplay"));
    }
    if let Some(home) = home.filter(|dir| dir.is_absolute()) {
        return Ok(home.join(".local").join("share").join("kubeplay"));
    }
    Err(DataDirError::NoDefault)
}

/// The default data directory for this process's environment.
pub fn default_data_dir_from_env() -> Result<PathBuf, DataDirError> {
    let xdg = std::env::var_os("XDG_DATA_HOME").map(PathBuf::from);
    let home = std::env::var_os("HOME").map(PathBuf::from);
    default_data_dir(xdg.as_deref(), home.as_deref())
}

/// Creates `dir` (and its parents) if missing; new folders are private to their owner.
pub fn prepare(dir: &Path) -> Result<(), DataDirError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|source| DataDirError::Create {
        dir: dir.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_data_dir_follows_the_xdg_rules() {
        let cases: [(Option<&str>, Option<&str>, Option<&str>); 6] = [
            (Some("/xdg"), Some("/home/u"), Some("/xdg/kubeplay")),
            (None, Some("/home/u"), Some("/home/u/.local/share/kubeplay")),
            (
                Some("relative"),
                Some("/home/u"),
                Some("/home/u/.local/share/kubeplay"),
            ),
            (
                Some(""),
                Some("/home/u"),
                Some("/home/u/.local/share/kubeplay"),
            ),
            (None, Some("relative"), None),
            (None, None, None),
        ];
        for (xdg, home, expected) in cases {
            let chosen = default_data_dir(xdg.map(Path::new), home.map(Path::new)).ok();
            assert_eq!(
                chosen,
                expected.map(PathBuf::from),
                "XDG_DATA_HOME={xdg:?} HOME={home:?}"
            );
        }
    }

    #[test]
    fn prepare_creates_missing_parents_and_accepts_an_existing_folder() {
        let dir = std::env::temp_dir()
            .join(format!("kubeplay-data-dir-test-{}", std::process::id()))
            .join("a")
            .join("b");
        prepare(&dir).expect("first prepare");
        prepare(&dir).expect("second prepare of the same folder");
        assert!(dir.is_dir());
        let _ = std::fs::remove_dir_all(dir.parent().and_then(Path::parent).unwrap_or(&dir));
    }
}
