//! `kubeplay serve` over loopback HTTPS, as a client sees it.
//!
//! The server runs in this process on `127.0.0.1:0` with a fresh data directory (as
//! `tests/serve.rs` starts it), on a multi-threaded tokio runtime; clients are hyper HTTP/1.1
//! connections over rustls that trust the CA the server made and send its admin token. Every
//! benchmark is a bounded loop:
//! - `list_10000_pods`: `GET /api/v1/pods` of 10,000 pods (created through the API first, with
//!   no nodes), as JSON and as the server-side Table kubectl asks for;
//! - `watch_fan_out`: 100 watchers on one namespace's ConfigMaps; one sample creates 100
//!   ConfigMaps and waits until every watcher has read all 100 events;
//! - sustained writes: printed before divan's table, since divan reports no percentiles:
//!   5,000 ConfigMap creates one after the other on one connection (p50, p99, max latency),
//!   then 4 connections writing at once (throughput).
//!
//! Run with `cargo bench -p kubeplay --bench serve`.

// The harness measures wall-clock time and writes a data directory; clippy.toml bans both for
// the sans-IO core, not for the host's benchmarks.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use kubeplay::serve::{self, ClusterConfig, ServeConfig, UiFiles};
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;
use tokio::sync::{Mutex, Notify};
use tokio_rustls::TlsConnector;

/// Pods in the list benchmark.
const POD_COUNT: usize = 10_000;
/// Watchers in the fan-out benchmark.
const WATCHERS: usize = 100;
/// Events per fan-out sample.
const EVENTS_PER_SAMPLE: usize = 100;
/// Sequential creates in the latency run.
const SEQUENTIAL_WRITES: usize = 5_000;
/// Connections and creates each in the throughput run.
const PARALLEL_WRITERS: usize = 4;
const WRITES_PER_WRITER: usize = 1_250;
/// How many connections create the 10,000 pods.
const POD_CREATORS: usize = 4;

/// The Table media type kubectl 1.33 asks for with `kubectl get`.
const TABLE_ACCEPT: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

/// The running server and what a client needs to reach it.
struct Fixture {
    runtime: Runtime,
    address: SocketAddr,
    connector: TlsConnector,
    token: String,
    /// One kept-alive connection for the list benchmarks.
    list_connection: Mutex<Option<SendRequest<Full<Bytes>>>>,
    _data_dir: tempfile::TempDir,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(start)
}

fn start() -> Fixture {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let data_dir = tempfile::tempdir().expect("temp data dir");
    let (address, connector, token) = runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let address = listener.local_addr().expect("bound address");
        let config = ServeConfig {
            ui: UiFiles::NotBuilt,
            data_dir: data_dir.path().to_path_buf(),
            // No simulated nodes: the benchmarks measure the API server alone.
            cluster: ClusterConfig {
                sim_nodes: 0,
                ..ClusterConfig::default()
            },
        };
        tokio::spawn(serve::serve(listener, config, std::future::pending()));
        let token_file = data_dir.path().join("token");
        let kubeconfig = data_dir.path().join("kubeconfig");
        for _ in 0..1000 {
            if kubeconfig.is_file() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let ca = std::fs::read(data_dir.path().join("ca.crt")).expect("ca.crt written");
        let token = std::fs::read_to_string(token_file)
            .expect("token written")
            .trim()
            .to_string();
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(&ca) {
            roots.add(cert.expect("PEM certificate")).expect("CA added");
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let client = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        (address, TlsConnector::from(Arc::new(client)), token)
    });
    let fixture = Fixture {
        runtime,
        address,
        connector,
        token,
        list_connection: Mutex::new(None),
        _data_dir: data_dir,
    };
    fixture.runtime.block_on(async {
        let mut connection = fixture.connect().await;
        for namespace in ["bench-watch", "bench-writes"] {
            let body = format!(
                r#"{{"apiVersion":"v1","kind":"Namespace","metadata":{{"name":"{namespace}"}}}}"#
            );
            let (status, _) = fixture
                .send(&mut connection, Method::POST, "/api/v1/namespaces", body)
                .await;
            assert_eq!(status, StatusCode::CREATED, "namespace {namespace}");
        }
    });
    fixture
}

impl Fixture {
    /// A new kept-alive HTTP/1.1 connection over TLS.
    async fn connect(&self) -> SendRequest<Full<Bytes>> {
        let stream = TcpStream::connect(self.address).await.expect("connect");
        stream.set_nodelay(true).expect("TCP_NODELAY");
        let name = ServerName::try_from("127.0.0.1").expect("server name");
        let tls = self
            .connector
            .connect(name, stream)
            .await
            .expect("TLS handshake");
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
            .await
            .expect("HTTP/1 handshake");
        tokio::spawn(connection);
        sender
    }

    fn request(
        &self,
        method: Method,
        path: &str,
        accept: &str,
        body: String,
    ) -> Request<Full<Bytes>> {
        Request::builder()
            .method(method)
            .uri(path)
            .header(hyper::header::HOST, self.address.to_string())
            .header(
                hyper::header::AUTHORIZATION,
                format!("Bearer {}", self.token),
            )
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .header(hyper::header::ACCEPT, accept)
            .body(Full::new(Bytes::from(body)))
            .expect("valid request")
    }

    /// Sends one request and reads the whole answer.
    async fn send(
        &self,
        connection: &mut SendRequest<Full<Bytes>>,
        method: Method,
        path: &str,
        body: String,
    ) -> (StatusCode, Bytes) {
        self.send_accepting(connection, method, path, "application/json", body)
            .await
    }

    async fn send_accepting(
        &self,
        connection: &mut SendRequest<Full<Bytes>>,
        method: Method,
        path: &str,
        accept: &str,
        body: String,
    ) -> (StatusCode, Bytes) {
        connection.ready().await.expect("connection ready");
        let response = connection
            .send_request(self.request(method, path, accept, body))
            .await
            .expect("response");
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("read body")
            .to_bytes();
        (status, body)
    }

    /// Lists `path` on the kept-alive list connection; returns the size of the answer.
    async fn list(&self, path: &str, accept: &str) -> usize {
        let mut guard = self.list_connection.lock().await;
        if guard.is_none() {
            *guard = Some(self.connect().await);
        }
        let connection = guard.as_mut().expect("connection just made");
        let (status, body) = self
            .send_accepting(connection, Method::GET, path, accept, String::new())
            .await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        body.len()
    }
}

fn config_map(namespace: &str, name: &str) -> String {
    format!(
        r#"{{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"{name}","namespace":"{namespace}","labels":{{"app":"bench"}}}},"data":{{"mode":"fast","size":"large"}}}}"#
    )
}

fn pod(name: &str) -> String {
    format!(
        r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"{name}","namespace":"default","labels":{{"app":"web-{}"}}}},"spec":{{"containers":[{{"name":"web","image":"nginx:1.25","ports":[{{"containerPort":80}}],"resources":{{"requests":{{"cpu":"10m","memory":"16Mi"}}}}}}]}}}}"#,
        name.len() % 7
    )
}

/// Creates the 10,000 pods once (on first use), over a few connections at once.
fn pods_created() {
    static CREATED: OnceLock<Duration> = OnceLock::new();
    let elapsed = CREATED.get_or_init(|| {
        let fixture = fixture();
        fixture.runtime.block_on(async {
            let started = Instant::now();
            let mut creators = Vec::new();
            for creator in 0..POD_CREATORS {
                creators.push(tokio::spawn(async move {
                    let mut connection = fixture.connect().await;
                    for index in (creator..POD_COUNT).step_by(POD_CREATORS) {
                        let (status, body) = fixture
                            .send(
                                &mut connection,
                                Method::POST,
                                "/api/v1/namespaces/default/pods",
                                pod(&format!("web-{index:05}")),
                            )
                            .await;
                        assert_eq!(
                            status,
                            StatusCode::CREATED,
                            "{}",
                            String::from_utf8_lossy(&body)
                        );
                    }
                }));
            }
            for creator in creators {
                creator.await.expect("creator finished");
            }
            started.elapsed()
        })
    });
    static PRINTED: OnceLock<()> = OnceLock::new();
    PRINTED.get_or_init(|| {
        let fixture = fixture();
        let (json, table) = fixture.runtime.block_on(async {
            (
                fixture.list("/api/v1/pods", "application/json").await,
                fixture.list("/api/v1/pods", TABLE_ACCEPT).await,
            )
        });
        eprintln!(
            "setup: {POD_COUNT} pods created over {POD_CREATORS} connections in {elapsed:.2?} ({:.0} creates/s); the list is {json} bytes as JSON, {table} bytes as a Table",
            POD_COUNT as f64 / elapsed.as_secs_f64()
        );
    });
}

#[divan::bench_group(sample_count = 10, sample_size = 1)]
mod list_10000_pods {
    use super::*;

    #[divan::bench]
    fn as_json(bencher: divan::Bencher) {
        pods_created();
        let fixture = fixture();
        bencher.bench_local(|| {
            fixture
                .runtime
                .block_on(fixture.list("/api/v1/pods", "application/json"))
        });
    }

    #[divan::bench]
    fn as_table(bencher: divan::Bencher) {
        pods_created();
        let fixture = fixture();
        bencher.bench_local(|| {
            fixture
                .runtime
                .block_on(fixture.list("/api/v1/pods", TABLE_ACCEPT))
        });
    }

    #[divan::bench]
    fn as_json_in_pages_of_500(bencher: divan::Bencher) {
        pods_created();
        let fixture = fixture();
        bencher.bench_local(|| {
            fixture.runtime.block_on(async {
                let mut path = "/api/v1/pods?limit=500".to_string();
                loop {
                    let mut guard = fixture.list_connection.lock().await;
                    if guard.is_none() {
                        *guard = Some(fixture.connect().await);
                    }
                    let connection = guard.as_mut().expect("connection just made");
                    let (status, body) = fixture
                        .send(connection, Method::GET, &path, String::new())
                        .await;
                    assert_eq!(status, StatusCode::OK);
                    let page: serde_json::Value = serde_json::from_slice(&body).expect("list JSON");
                    match page["metadata"]["continue"].as_str() {
                        Some(token) if !token.is_empty() => {
                            path = format!("/api/v1/pods?limit=500&continue={token}");
                        }
                        _ => break,
                    }
                }
            })
        });
    }
}

/// 100 watchers that count the events they read.
struct Watchers {
    seen: Arc<AtomicUsize>,
    progress: Arc<Notify>,
    created: AtomicUsize,
}

fn watchers() -> &'static Watchers {
    static WATCHERS_STARTED: OnceLock<Watchers> = OnceLock::new();
    WATCHERS_STARTED.get_or_init(|| {
        let fixture = fixture();
        let seen = Arc::new(AtomicUsize::new(0));
        let progress = Arc::new(Notify::new());
        fixture.runtime.block_on(async {
            let mut connection = fixture.connect().await;
            let (_, body) = fixture
                .send(
                    &mut connection,
                    Method::GET,
                    "/api/v1/namespaces/bench-watch/configmaps",
                    String::new(),
                )
                .await;
            let list: serde_json::Value = serde_json::from_slice(&body).expect("list JSON");
            let revision = list["metadata"]["resourceVersion"]
                .as_str()
                .expect("list resourceVersion")
                .to_string();
            let path = format!(
                "/api/v1/namespaces/bench-watch/configmaps?watch=true&resourceVersion={revision}"
            );
            for _ in 0..WATCHERS {
                let mut connection = fixture.connect().await;
                connection.ready().await.expect("connection ready");
                let response = connection
                    .send_request(fixture.request(
                        Method::GET,
                        &path,
                        "application/json",
                        String::new(),
                    ))
                    .await
                    .expect("watch response");
                assert_eq!(response.status(), StatusCode::OK);
                let seen = Arc::clone(&seen);
                let progress = Arc::clone(&progress);
                tokio::spawn(async move {
                    let _keep = connection;
                    let mut body = response.into_body();
                    while let Some(frame) = body.frame().await {
                        let Ok(frame) = frame else { break };
                        if let Some(data) = frame.data_ref() {
                            let events = data.iter().filter(|&&b| b == b'\n').count();
                            if events > 0 {
                                seen.fetch_add(events, Ordering::SeqCst);
                                progress.notify_one();
                            }
                        }
                    }
                });
            }
        });
        Watchers {
            seen,
            progress,
            created: AtomicUsize::new(0),
        }
    })
}

/// One sample: create 100 ConfigMaps, wait until each of the 100 watchers has read them all.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn watch_fan_out_100_events_to_100_watchers(bencher: divan::Bencher) {
    let fixture = fixture();
    let watchers = watchers();
    bencher.bench_local(|| {
        fixture.runtime.block_on(async {
            let first = watchers
                .created
                .fetch_add(EVENTS_PER_SAMPLE, Ordering::SeqCst);
            let target = (first + EVENTS_PER_SAMPLE) * WATCHERS;
            let mut connection = fixture.connect().await;
            for index in first..first + EVENTS_PER_SAMPLE {
                let (status, _) = fixture
                    .send(
                        &mut connection,
                        Method::POST,
                        "/api/v1/namespaces/bench-watch/configmaps",
                        config_map("bench-watch", &format!("watched-{index:06}")),
                    )
                    .await;
                assert_eq!(status, StatusCode::CREATED);
            }
            let deadline = Instant::now() + Duration::from_secs(30);
            while watchers.seen.load(Ordering::SeqCst) < target {
                assert!(Instant::now() < deadline, "watchers fell behind");
                let _ =
                    tokio::time::timeout(Duration::from_millis(100), watchers.progress.notified())
                        .await;
            }
        })
    });
}

/// The latency percentile `fraction` (0..=1) of sorted samples.
fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let last = sorted.len().saturating_sub(1);
    let index = ((last as f64) * fraction).round() as usize;
    sorted.get(index.min(last)).copied().unwrap_or_default()
}

/// Sequential creates on one connection (latency), then parallel writers (throughput).
fn sustained_writes() {
    let fixture = fixture();
    fixture.runtime.block_on(async {
        let mut connection = fixture.connect().await;
        let mut latencies = Vec::with_capacity(SEQUENTIAL_WRITES);
        let started = Instant::now();
        for index in 0..SEQUENTIAL_WRITES {
            let sent = Instant::now();
            let (status, _) = fixture
                .send(
                    &mut connection,
                    Method::POST,
                    "/api/v1/namespaces/bench-writes/configmaps",
                    config_map("bench-writes", &format!("sequential-{index:06}")),
                )
                .await;
            latencies.push(sent.elapsed());
            assert_eq!(status, StatusCode::CREATED);
        }
        let elapsed = started.elapsed();
        latencies.sort_unstable();
        eprintln!(
            "sustained writes, 1 connection: {SEQUENTIAL_WRITES} ConfigMap creates in {elapsed:.2?} ({:.0} creates/s); latency p50 {:.2?}, p99 {:.2?}, max {:.2?}",
            SEQUENTIAL_WRITES as f64 / elapsed.as_secs_f64(),
            percentile(&latencies, 0.50),
            percentile(&latencies, 0.99),
            percentile(&latencies, 1.0),
        );

        let started = Instant::now();
        let mut writers = Vec::new();
        for writer in 0..PARALLEL_WRITERS {
            writers.push(tokio::spawn(async move {
                let mut connection = fixture.connect().await;
                let mut latencies = Vec::with_capacity(WRITES_PER_WRITER);
                for index in 0..WRITES_PER_WRITER {
                    let sent = Instant::now();
                    let (status, _) = fixture
                        .send(
                            &mut connection,
                            Method::POST,
                            "/api/v1/namespaces/bench-writes/configmaps",
                            config_map("bench-writes", &format!("parallel-{writer}-{index:06}")),
                        )
                        .await;
                    latencies.push(sent.elapsed());
                    assert_eq!(status, StatusCode::CREATED);
                }
                latencies
            }));
        }
        let mut latencies = Vec::new();
        for writer in writers {
            latencies.extend(writer.await.expect("writer finished"));
        }
        let elapsed = started.elapsed();
        latencies.sort_unstable();
        let total = PARALLEL_WRITERS * WRITES_PER_WRITER;
        eprintln!(
            "sustained writes, {PARALLEL_WRITERS} connections: {total} ConfigMap creates in {elapsed:.2?} ({:.0} creates/s); latency p50 {:.2?}, p99 {:.2?}, max {:.2?}",
            total as f64 / elapsed.as_secs_f64(),
            percentile(&latencies, 0.50),
            percentile(&latencies, 0.99),
            percentile(&latencies, 1.0),
        );
    });
}

fn main() {
    // `cargo test --benches` runs each divan bench once without `--bench`; the write run is
    // only for real benchmark runs.
    if std::env::args().any(|argument| argument == "--bench") {
        sustained_writes();
    }
    divan::main();
}
