//! The node host's HTTP server.
//!
//! [`serve`] runs [`router`] on a listener the caller bound (the binary binds `--listen`,
//! tests bind `127.0.0.1:0`) until the shutdown future completes, then lets open requests
//! finish. Requests flow: axum's router → the Kubernetes endpoints in this module and
//! [`version`] → everything else to [`ui`], which answers from the web playground's files.

pub mod ui;
pub mod version;

pub use ui::{UiError, UiFiles};

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use std::future::Future;
use tokio::net::TcpListener;

/// What the server serves.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// Where the web playground's files come from.
    pub ui: UiFiles,
}

/// All routes: `/version`, `/healthz`, `/readyz`, and the web UI for every other path.
pub fn router(config: ServeConfig) -> Router {
    Router::new()
        .route("/version", get(version::get_version))
        .route("/healthz", get(ok))
        .route("/readyz", get(ok))
        .fallback(ui::get_file)
        .with_state(config.ui)
        .layer(middleware::from_fn(log_request))
}

/// Serves HTTP on `listener` until `shutdown` completes, then finishes open requests.
pub async fn serve(
    listener: TcpListener,
    config: ServeConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(config))
        .with_graceful_shutdown(shutdown)
        .await
}

/// `/healthz` and `/readyz`: the API server answers `ok` (text/plain) when healthy.
///
/// Nothing can be unhealthy yet; the checks arrive with storage and the control loops.
async fn ok() -> &'static str {
    "ok"
}

/// Logs each request at debug level (`RUST_LOG=kubeplay=debug`).
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let uri = request.uri().clone();
    let response = next.run(request).await;
    tracing::debug!(%method, %uri, status = response.status().as_u16(), "request");
    response
}
