//! `kubeplay serve` end to end over loopback: the server runs in the test process on
//! `127.0.0.1:0` and a plain hyper client asks it what a browser or `kubectl` would.

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::{HeaderMap, Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use kubeplay::serve::{self, ServeConfig, UiFiles};
use std::net::SocketAddr;
use std::path::PathBuf;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

const INDEX_HTML: &str = "<!doctype html><title>kubeplay test page</title>";
const WASM_BYTES: &[u8] = b"\0asm\x01\0\0\0";

/// A server on a loopback port; dropping it without [`TestServer::stop`] aborts the task.
struct TestServer {
    address: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl TestServer {
    async fn start(ui: UiFiles) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let address = listener.local_addr().expect("bound address");
        let (stop, stopped) = oneshot::channel::<()>();
        let shutdown = async {
            let _ = stopped.await;
        };
        let task = tokio::spawn(serve::serve(listener, ServeConfig { ui }, shutdown));
        TestServer {
            address,
            stop: Some(stop),
            task,
        }
    }

    /// A server whose UI is a fresh folder with an index.html and a wasm file.
    async fn start_with_ui_folder(name: &str) -> TestServer {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("ui-{name}"));
        tokio::fs::create_dir_all(&dir)
            .await
            .expect("create UI folder");
        tokio::fs::write(dir.join("index.html"), INDEX_HTML)
            .await
            .expect("write index.html");
        tokio::fs::write(dir.join("kubeplay_web_bg.wasm"), WASM_BYTES)
            .await
            .expect("write wasm");
        let ui = UiFiles::locate(Some(&dir)).expect("the folder has index.html");
        TestServer::start(ui).await
    }

    async fn request(&self, method: Method, path: &str) -> (StatusCode, HeaderMap, Bytes) {
        let stream = TcpStream::connect(self.address).await.expect("connect");
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .expect("HTTP/1 handshake");
        tokio::spawn(connection);
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(hyper::header::HOST, self.address.to_string())
            .body(Empty::<Bytes>::new())
            .expect("valid request");
        let response = sender.send_request(request).await.expect("response");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("read body")
            .to_bytes();
        (status, headers, body)
    }

    async fn get(&self, path: &str) -> (StatusCode, HeaderMap, Bytes) {
        self.request(Method::GET, path).await
    }

    async fn stop(mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task).await.expect("server task did not panic")
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn content_type(headers: &HeaderMap) -> &str {
    headers
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn version_answers_like_a_kubernetes_1_33_api_server() {
    let server = TestServer::start_with_ui_folder("version").await;
    let (status, headers, body) = server.get("/version").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type(&headers), "application/json");

    let info: k8s_openapi::apimachinery::pkg::version::Info =
        serde_json::from_slice(&body).expect("body is a version.Info");
    assert_eq!(info.major, "1");
    assert_eq!(info.minor, "33");
    assert_eq!(info.git_version, "v1.33.0-kubeplay");
    assert_eq!(info.emulation_minor.as_deref(), Some("33"));
    assert_eq!(info.min_compatibility_minor.as_deref(), Some("32"));
    assert!(info.platform.contains('/'), "platform {:?}", info.platform);

    let text = String::from_utf8_lossy(&body);
    assert!(
        text.starts_with(r#"{"major":"1","minor":"33","#),
        "fields come in apimachinery's order: {text}"
    );
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn healthz_and_readyz_answer_ok() {
    let server = TestServer::start_with_ui_folder("health").await;
    for path in ["/healthz", "/readyz"] {
        let (status, headers, body) = server.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(
            content_type(&headers),
            "text/plain; charset=utf-8",
            "{path}"
        );
        assert_eq!(body, "ok", "{path}");
    }
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn root_serves_index_html_as_html() {
    let server = TestServer::start_with_ui_folder("root").await;
    let (status, headers, body) = server.get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type(&headers), "text/html; charset=utf-8");
    assert_eq!(body, INDEX_HTML);
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn wasm_is_served_as_application_wasm() {
    let server = TestServer::start_with_ui_folder("wasm").await;
    let (status, headers, body) = server.get("/kubeplay_web_bg.wasm").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type(&headers), "application/wasm");
    assert_eq!(body, WASM_BYTES);
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn head_of_a_file_has_its_headers_and_no_body() {
    let server = TestServer::start_with_ui_folder("head").await;
    let (status, headers, body) = server.request(Method::HEAD, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type(&headers), "text/html; charset=utf-8");
    assert!(body.is_empty());
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn unknown_paths_are_404_like_the_api_server() {
    let server = TestServer::start_with_ui_folder("unknown").await;
    for path in [
        "/no-such-file.js",
        "/api/v1/pods",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/index.html/x",
    ] {
        let (status, _, body) = server.get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(body, "404 page not found\n", "{path}");
    }
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn writes_to_ui_paths_are_refused() {
    let server = TestServer::start_with_ui_folder("post").await;
    let (status, headers, _) = server.request(Method::POST, "/").await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        headers
            .get(hyper::header::ALLOW)
            .and_then(|v| v.to_str().ok()),
        Some("GET, HEAD")
    );
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn without_a_built_ui_the_root_page_says_how_to_build_it() {
    let server = TestServer::start(UiFiles::NotBuilt).await;
    let (status, _, body) = server.get("/").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(String::from_utf8_lossy(&body).contains("cargo xtask dist"));
    let (status, _, _) = server.get("/kubeplay_web.js").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn the_server_stops_when_the_shutdown_future_completes() {
    let server = TestServer::start_with_ui_folder("shutdown").await;
    let address = server.address;
    server
        .stop()
        .await
        .expect("serve returns Ok after shutdown");
    assert!(
        TcpStream::connect(address).await.is_err(),
        "the port is closed after shutdown"
    );
}
