//! The web playground's files: where they come from and how they are answered.
//!
//! [`UiFiles::locate`] picks the source once at start-up, in this order:
//! 1. `--ui-dir DIR`, when given (it must hold `index.html`);
//! 2. the source tree's `dist/` (what `cargo xtask dist` builds), when the binary runs on the
//!    machine it was built on and that folder exists — always the freshest build;
//! 3. the copy of `dist/` embedded into the binary at build time (see `build.rs`), which is
//!    what an installed binary on a lab machine uses;
//! 4. nothing: `/` then answers 503 with a page saying how to build the UI.
//!
//! [`get_file`] maps a request path to a file (`/` → `index.html`), refuses paths that try
//! to leave the folder, and sets the content type from the extension (`.wasm` must be
//! `application/wasm` for the browser's streaming compile).

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use std::fmt;
use std::path::{Path, PathBuf};

/// Files embedded at build time: (path relative to `dist/` with `/`, contents).
static EMBEDDED: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/embedded_ui.rs"));

/// Where the source tree's `dist/` is (only exists where the binary was built).
const SOURCE_TREE_DIST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../dist");

/// Why the UI files could not be used.
#[derive(Debug, thiserror::Error)]
pub enum UiError {
    /// `--ui-dir` names a folder without `index.html`.
    #[error("the UI folder {dir} has no index.html; build the UI with `cargo xtask dist` and pass its dist/ folder, or leave out --ui-dir")]
    MissingIndex {
        /// The folder given with `--ui-dir`.
        dir: PathBuf,
    },
}

/// Files compiled into the binary.
#[derive(Clone, Copy)]
pub struct EmbeddedFiles {
    files: &'static [(&'static str, &'static [u8])],
}

impl EmbeddedFiles {
    /// The files `build.rs` embedded; `None` when `dist/` was not built at build time.
    pub fn built_in() -> Option<EmbeddedFiles> {
        let has_index = EMBEDDED.iter().any(|(path, _)| *path == "index.html");
        has_index.then_some(EmbeddedFiles { files: EMBEDDED })
    }

    /// The contents of the file at `path` (relative, `/`-separated).
    pub fn get(&self, path: &str) -> Option<&'static [u8]> {
        self.files
            .iter()
            .find(|(name, _)| *name == path)
            .map(|(_, bytes)| *bytes)
    }

    /// How many files there are.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there are no files.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

impl fmt::Debug for EmbeddedFiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmbeddedFiles")
            .field("files", &self.files.len())
            .finish()
    }
}

/// Where the web playground's files come from.
#[derive(Clone, Debug)]
pub enum UiFiles {
    /// Read from this folder on every request (a rebuilt `dist/` shows up on reload).
    Directory(PathBuf),
    /// Compiled into the binary.
    Embedded(EmbeddedFiles),
    /// No UI was built: `/` explains how to build it.
    NotBuilt,
}

impl UiFiles {
    /// Picks the UI source (see the module documentation for the order).
    pub fn locate(ui_dir: Option<&Path>) -> Result<UiFiles, UiError> {
        if let Some(dir) = ui_dir {
            if !dir.join("index.html").is_file() {
                return Err(UiError::MissingIndex {
                    dir: dir.to_path_buf(),
                });
            }
            return Ok(UiFiles::Directory(dir.to_path_buf()));
        }
        let source_tree_dist = Path::new(SOURCE_TREE_DIST);
        if source_tree_dist.join("index.html").is_file() {
            let dir = source_tree_dist
                .canonicalize()
                .unwrap_or_else(|_| source_tree_dist.to_path_buf());
            return Ok(UiFiles::Directory(dir));
        }
        Ok(EmbeddedFiles::built_in().map_or(UiFiles::NotBuilt, UiFiles::Embedded))
    }
}

impl fmt::Display for UiFiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UiFiles::Directory(dir) => write!(f, "the folder {}", dir.display()),
            UiFiles::Embedded(files) => {
                write!(f, "the {} files embedded in the binary", files.len())
            }
            UiFiles::NotBuilt => write!(
                f,
                "nowhere: the web UI was not built (run `cargo xtask dist`, or pass --ui-dir)"
            ),
        }
    }
}

/// Answers any path the API routes do not claim with a UI file, or 404.
pub async fn get_file(State(ui): State<UiFiles>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
            "405 method not allowed\n",
        )
            .into_response();
    }
    let Some(path) = file_path(uri.path()) else {
        return not_found();
    };
    match &ui {
        UiFiles::Directory(dir) => read_from_directory(dir, &path).await,
        UiFiles::Embedded(files) => match files.get(&path) {
            Some(bytes) => file_response(&path, Body::from(bytes)),
            None => not_found(),
        },
        UiFiles::NotBuilt if path == "index.html" => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            NOT_BUILT_PAGE,
        )
            .into_response(),
        UiFiles::NotBuilt => not_found(),
    }
}

/// The page `/` shows when no UI was built.
const NOT_BUILT_PAGE: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>kubeplay</title></head>\n<body><h1>kubeplay</h1>\n<p>The node host is running, but its web playground was not built.</p>\n<p>In the kubeplay source tree run <code>cargo xtask dist</code> (or <code>cargo xtask run</code>), then reload; or start <code>kubeplay serve --ui-dir DIR</code> with a built <code>dist/</code> folder.</p>\n<p lang=\"ko\">웹 놀이터가 빌드되지 않았습니다. 소스 트리에서 <code>cargo xtask dist</code>를 실행한 뒤 새로 고치세요.</p>\n</body></html>\n";

/// The relative file path for a URL path, or `None` if it could leave the UI folder.
///
/// `/` and paths ending in `/` mean that folder's `index.html`. The path is not
/// percent-decoded: every UI file has a plain name, and `%2e%2e` then names no file.
fn file_path(url_path: &str) -> Option<String> {
    let relative = url_path.strip_prefix('/').unwrap_or(url_path);
    let mut path = relative.to_string();
    if path.is_empty() || path.ends_with('/') {
        path.push_str("index.html");
    }
    let safe = path.split('/').all(|segment| {
        !segment.is_empty()
            && segment != "."
            && segment != ".."
            && !segment.contains(['\\', '\0', ':'])
    });
    safe.then_some(path)
}

async fn read_from_directory(dir: &Path, path: &str) -> Response {
    let file = dir.join(path);
    match tokio::fs::read(&file).await {
        Ok(bytes) => file_response(path, Body::from(bytes)),
        Err(error)
            if matches!(
                error.kind(),
                std::io::ErrorKind::NotFound
                    | std::io::ErrorKind::IsADirectory
                    | std::io::ErrorKind::NotADirectory
            ) =>
        {
            not_found()
        }
        Err(error) => {
            tracing::warn!(file = %file.display(), %error, "could not read a UI file");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "500 could not read the file; see the kubeplay log\n",
            )
                .into_response()
        }
    }
}

fn file_response(path: &str, body: Body) -> Response {
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(path)),
    );
    // Revalidate every time: a rebuilt dist/ must show up on reload, and the files are small.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// The body Kubernetes' API server (Go's `http.NotFound`) sends for unknown paths.
fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "404 page not found\n").into_response()
}

/// The content type for a file name, by extension.
fn content_type(path: &str) -> &'static str {
    let extension = path
        .rsplit_once('.')
        .map(|(_, extension)| extension.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_paths_map_to_files_inside_the_ui_folder_only() {
        let cases = [
            ("/", Some("index.html")),
            ("/kubeplay_web_bg.wasm", Some("kubeplay_web_bg.wasm")),
            ("/icons/", Some("icons/index.html")),
            ("/icons/k8s.svg", Some("icons/k8s.svg")),
            ("/../etc/passwd", None),
            ("/a/../../b", None),
            ("/./index.html", None),
            ("//etc/passwd", None),
            ("/a\\..\\b", None),
            ("/C:/x", None),
        ];
        for (url_path, expected) in cases {
            assert_eq!(file_path(url_path).as_deref(), expected, "{url_path}");
        }
    }

    #[test]
    fn content_types_follow_the_extension() {
        let cases = [
            ("index.html", "text/html; charset=utf-8"),
            ("kubeplay_web.js", "text/javascript; charset=utf-8"),
            ("kubeplay_web_bg.wasm", "application/wasm"),
            ("style.css", "text/css; charset=utf-8"),
            ("LOGO.PNG", "image/png"),
            ("README", "application/octet-stream"),
        ];
        for (path, expected) in cases {
            assert_eq!(content_type(path), expected, "{path}");
        }
    }

    #[test]
    fn a_ui_dir_without_index_html_is_refused() {
        let dir = std::env::temp_dir().join("kubeplay-ui-test-no-index-here");
        let error = UiFiles::locate(Some(&dir)).expect_err("no index.html there");
        assert!(error.to_string().contains("has no index.html"), "{error}");
    }
}
