//! `GET /version`: which Kubernetes the node host speaks, as `kubectl version` reads it.
//!
//! The body has the shape of apimachinery's `version.Info`, fields in its order. kubeplay
//! implements the Kubernetes 1.33 API, so it reports 1.33 with a `-kubeplay` suffix on
//! `gitVersion`; `goVersion` stays empty and `compiler` says `rustc`, because there is no Go.

use axum::Json;
use serde::Serialize;

/// The Kubernetes version whose API kubeplay implements.
pub const KUBERNETES_MAJOR: u32 = 1;
/// The minor part of [`KUBERNETES_MAJOR`]'s version.
pub const KUBERNETES_MINOR: u32 = 33;
/// The patch level kubeplay follows.
pub const KUBERNETES_PATCH: u32 = 0;

/// The JSON `/version` answers (apimachinery `pkg/version.Info`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionInfo {
    /// Major version of the binary version, e.g. `"1"`.
    pub major: String,
    /// Minor version of the binary version, e.g. `"33"`.
    pub minor: String,
    /// Major version of the emulated version (the same as `major` here).
    pub emulation_major: String,
    /// Minor version of the emulated version (the same as `minor` here).
    pub emulation_minor: String,
    /// Major version of the oldest version this one stays compatible with.
    pub min_compatibility_major: String,
    /// Minor version of the oldest version this one stays compatible with (one minor back).
    pub min_compatibility_minor: String,
    /// The version string, e.g. `v1.33.0-kubeplay`.
    pub git_version: String,
    /// The commit the binary was built from (empty: not recorded yet).
    pub git_commit: String,
    /// `clean` or `dirty` for the build's tree (empty: not recorded yet).
    pub git_tree_state: String,
    /// When the binary was built, RFC 3339 (Kubernetes' value when unset).
    pub build_date: String,
    /// The Go toolchain (empty: kubeplay is not written in Go).
    pub go_version: String,
    /// The compiler, `rustc`.
    pub compiler: String,
    /// `os/arch` in Go's names, e.g. `linux/amd64`.
    pub platform: String,
}

impl VersionInfo {
    /// The version of this binary.
    pub fn current() -> VersionInfo {
        VersionInfo {
            major: KUBERNETES_MAJOR.to_string(),
            minor: KUBERNETES_MINOR.to_string(),
            emulation_major: KUBERNETES_MAJOR.to_string(),
            emulation_minor: KUBERNETES_MINOR.to_string(),
            min_compatibility_major: KUBERNETES_MAJOR.to_string(),
            min_compatibility_minor: KUBERNETES_MINOR.saturating_sub(1).to_string(),
            git_version: format!(
                "v{KUBERNETES_MAJOR}.{KUBERNETES_MINOR}.{KUBERNETES_PATCH}-kubeplay"
            ),
            git_commit: String::new(),
            git_tree_state: String::new(),
            build_date: "1970-01-01T00:00:00Z".to_string(),
            go_version: String::new(),
            compiler: "rustc".to_string(),
            platform: go_platform(std::env::consts::OS, std::env::consts::ARCH),
        }
    }
}

/// Handles `GET /version`.
pub async fn get_version() -> Json<VersionInfo> {
    Json(VersionInfo::current())
}

/// Rust's OS and architecture names as Go's `GOOS/GOARCH`, which clients expect.
fn go_platform(os: &str, arch: &str) -> String {
    let os = match os {
        "macos" => "darwin",
        other => other,
    };
    let arch = match arch {
        "x86_64" => "amd64",
        "x86" => "386",
        "aarch64" => "arm64",
        "powerpc64" if cfg!(target_endian = "little") => "ppc64le",
        other => other,
    };
    format!("{os}/{arch}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_platform_names_become_go_platform_names() {
        let cases = [
            ("linux", "x86_64", "linux/amd64"),
            ("linux", "aarch64", "linux/arm64"),
            ("macos", "aarch64", "darwin/arm64"),
            ("linux", "riscv64", "linux/riscv64"),
            ("windows", "x86", "windows/386"),
        ];
        for (os, arch, expected) in cases {
            assert_eq!(go_platform(os, arch), expected, "{os} {arch}");
        }
    }

    #[test]
    fn current_version_is_kubernetes_1_33_with_a_kubeplay_suffix() {
        let version = VersionInfo::current();
        assert_eq!(
            (version.major.as_str(), version.minor.as_str()),
            ("1", "33")
        );
        assert_eq!(version.git_version, "v1.33.0-kubeplay");
        assert_eq!(version.min_compatibility_minor, "32");
    }
}
