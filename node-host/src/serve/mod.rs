//! The node host's HTTPS server: the Kubernetes REST API over the core, and the web UI.
//!
//! [`serve`] takes a listener the caller bound (the binary binds `--listen`, tests bind
//! `127.0.0.1:0`), opens the cluster's store in the data directory ([`crate::storage`]:
//! what it holds comes back, every write is on disk before it is answered), loads or makes
//! the credentials there ([`security`]), starts the cluster actor ([`cluster`]: API server,
//! controllers, scheduler, simulated nodes on the wall clock) and serves TLS until the
//! shutdown future completes, or until the store's disk fails (then it returns
//! [`ServeError::StoreFailed`]). A request
//! flows: rustls → hyper (HTTP/2 when the client offers `h2` in ALPN, as kube-apiserver
//! does; HTTP/1.1 otherwise) → axum's [`router`] → the `require_token` check for
//! API paths → [`api`] (REST, discovery, `pods/log` in [`api::logs`]), [`openapi`], [`live`],
//! [`version`], the health checks, or the web playground's files ([`ui`]).
//!
//! What needs the admin token: everything under `/api`, `/apis`, `/openapi` and
//! `/kubeplay` (live mode's trace and exec, [`live`]) (401
//! `Unauthorized` Status without it or with a wrong one). What stays open, as Kubernetes'
//! default RBAC (`system:public-info-viewer`) leaves it open: `/version`, `/healthz`,
//! `/readyz`, `/livez`. The web UI at `/` is served without a token too: it is a
//! self-contained simulation in the browser; its live mode reads this server's cluster only
//! through `/kubeplay/v1/` with the token the user gives it.

pub mod advertise;
pub mod api;
pub mod cluster;
pub mod live;
pub mod openapi;
pub mod security;
pub mod ui;
pub mod version;

pub use cluster::{Cluster, ClusterConfig};
pub use security::Credentials;
pub use ui::{UiError, UiFiles};

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// How long a client may take for the TLS handshake.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long shutdown waits for open requests (watches never end on their own).
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// What the server serves.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// Where the web playground's files come from.
    pub ui: UiFiles,
    /// The data directory (the cluster's store, credentials and kubeconfig live here); it
    /// must exist.
    pub data_dir: PathBuf,
    /// The simulated cluster behind the API (nodes, runtime speed).
    pub cluster: ClusterConfig,
}

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The credentials could not be loaded or made.
    #[error(transparent)]
    Security(#[from] security::SecurityError),
    /// A socket or thread operation failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The cluster's store could not be opened (locked, damaged, unreadable).
    #[error("cannot open the cluster's saved state")]
    Storage(#[from] crate::storage::StorageError),
    /// The store could not save a write (a full or lost disk): the server stopped.
    #[error("the cluster's store failed and the server stopped: {0}; free or repair the disk of the data directory, then start kubeplay again (every acknowledged write is kept)")]
    StoreFailed(String),
}

/// All routes. API paths need `token`.
pub fn router(ui: UiFiles, cluster: Cluster, token: Arc<str>) -> Router {
    let live = live::router(cluster.clone());
    let api_state = api::ApiState::new(cluster);
    let protected = Router::new()
        .route("/api", any(api::handle))
        .route("/api/{*rest}", any(api::handle))
        .route("/apis", any(api::handle))
        .route("/apis/{*rest}", any(api::handle))
        .with_state(api_state)
        .merge(openapi::router())
        .merge(live)
        .layer(middleware::from_fn_with_state(token, require_token));
    Router::new()
        .route("/version", get(version::get_version))
        .route("/healthz", get(ok))
        .route("/readyz", get(ok))
        .route("/livez", get(ok))
        .fallback(ui::get_file)
        .with_state(ui)
        .merge(protected)
        .layer(middleware::from_fn(log_request))
}

/// Serves HTTPS on `listener` until `shutdown` completes, then gives open requests a few
/// seconds to finish. Returns the error that kept it from starting.
pub async fn serve(
    listener: TcpListener,
    config: ServeConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let address = listener.local_addr()?;
    let store = crate::storage::open(&config.data_dir)?;
    log_recovery(store.recovery(), store.store_dir());
    let credentials = Credentials::load_or_create(&config.data_dir, address)?;
    let cluster = Cluster::start_on_disk(&config.cluster, store)?;
    let store_failed = cluster.clone();
    let app = router(config.ui, cluster, Arc::from(credentials.token.as_str()));
    tracing::info!(
        "kubeplay is serving on {}/ (Ctrl-C stops it); try: KUBECONFIG={} kubectl get nodes",
        security::server_url(address),
        credentials.kubeconfig.display()
    );
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::clone(&credentials.tls));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    let mut failure = None;
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        tracing::warn!(%error, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let acceptor = acceptor.clone();
                let app = app.clone();
                let watcher = graceful.watcher();
                tokio::spawn(async move {
                    let tls = match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => tls,
                        Ok(Err(error)) => {
                            tracing::debug!(%peer, %error, "TLS handshake failed");
                            return;
                        }
                        Err(_) => {
                            tracing::debug!(%peer, "TLS handshake timed out");
                            return;
                        }
                    };
                    let service = hyper_util::service::TowerToHyperService::new(app);
                    // ALPN chose the protocol during the handshake. HTTP/2 multiplexes every
                    // request and watch of a client over one connection: a browser keeps at
                    // most six HTTP/1.1 connections per server, which live mode's watches and
                    // requests would otherwise share.
                    let h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2".as_slice());
                    let ended = if h2 {
                        let connection = hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                            .serve_connection(TokioIo::new(tls), service);
                        watcher.watch(connection).await
                    } else {
                        let connection = hyper::server::conn::http1::Builder::new()
                            .serve_connection(TokioIo::new(tls), service);
                        watcher.watch(connection).await
                    };
                    if let Err(error) = ended {
                        tracing::debug!(%peer, %error, "connection ended with an error");
                    }
                });
            }
            () = &mut shutdown => break,
            reason = store_failed.failure() => {
                failure = Some(reason);
                break;
            }
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {}
    }
    match failure {
        Some(reason) => Err(ServeError::StoreFailed(reason)),
        None => Ok(()),
    }
}

/// Logs what opening the store found: a fresh store, or the cluster it brought back.
fn log_recovery(recovery: &crate::storage::Recovery, store_dir: &std::path::Path) {
    if recovery.keys == 0 && recovery.revision <= 1 {
        tracing::info!(store = %store_dir.display(), "new cluster store");
        return;
    }
    tracing::info!(
        store = %store_dir.display(),
        revision = recovery.revision,
        objects = recovery.keys,
        snapshot_revision = recovery.snapshot_revision.unwrap_or(0),
        replayed_commits = recovery.replayed_commits,
        dropped_torn_tail = recovery.dropped_torn_tail.is_some(),
        "cluster recovered from disk; simulated nodes rejoin as after a reboot"
    );
}

/// `/healthz`, `/readyz` and `/livez`: the API server answers `ok` (text/plain) when healthy.
///
/// Nothing can be unhealthy yet; the checks arrive with storage and the control loops.
async fn ok() -> &'static str {
    "ok"
}

/// Refuses API requests without the admin bearer token with kube-apiserver's 401 Status.
async fn require_token(State(token): State<Arc<str>>, request: Request, next: Next) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    if security::bearer_matches(presented, &token) {
        next.run(request).await
    } else {
        api::status::StatusError::unauthorized().into_response()
    }
}

/// Logs each request at debug level (`RUST_LOG=kubeplay=debug`).
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let uri = request.uri().clone();
    let response = next.run(request).await;
    tracing::debug!(%method, %uri, status = response.status().as_u16(), "request");
    response
}
