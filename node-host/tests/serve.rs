//! `kubeplay serve` end to end over loopback: the server runs in the test process on
//! `127.0.0.1:0` with a fresh data directory, and a hyper client over rustls (trusting the
//! CA the server made) asks it what a browser or `kubectl` would.

use http_body_util::BodyExt;
use hyper::body::Bytes;
use hyper::{HeaderMap, Method, StatusCode};
use kubeplay::serve::{self, ClusterConfig, ServeConfig, UiFiles};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

mod common;

const INDEX_HTML: &str = "<!doctype html><title>kubeplay test page</title>";
const WASM_BYTES: &[u8] = b"\0asm\x01\0\0\0";

/// A server on a loopback port with a fresh data directory; dropping it without
/// [`TestServer::stop`] aborts the task.
struct TestServer {
    address: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), serve::ServeError>>,
    client: common::HttpsClient,
    token: String,
    _data_dir: tempfile::TempDir,
}

impl TestServer {
    async fn start(ui: UiFiles) -> TestServer {
        let data_dir = tempfile::tempdir().expect("temp data dir");
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let address = listener.local_addr().expect("bound address");
        let (stop, stopped) = oneshot::channel::<()>();
        let shutdown = async {
            let _ = stopped.await;
        };
        let config = ServeConfig {
            ui,
            data_dir: data_dir.path().to_path_buf(),
            cluster: ClusterConfig::default(),
        };
        let task = tokio::spawn(serve::serve(listener, config, shutdown));
        let kubeconfig = data_dir.path().join("kubeconfig");
        for _ in 0..500 {
            if kubeconfig.is_file() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let ca = tokio::fs::read(data_dir.path().join("ca.crt"))
            .await
            .expect("ca.crt written");
        let token = tokio::fs::read_to_string(data_dir.path().join("token"))
            .await
            .expect("token written")
            .trim()
            .to_string();
        let client = common::HttpsClient::new(address, &ca);
        TestServer {
            address,
            stop: Some(stop),
            task,
            client,
            token,
            _data_dir: data_dir,
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

    /// Sends one request over TLS (trusting the server's CA), with a bearer token if given.
    async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> (StatusCode, HeaderMap, Bytes) {
        let response = self
            .client
            .open(method, path, token, content_type, body)
            .await;
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

    async fn request(&self, method: Method, path: &str) -> (StatusCode, HeaderMap, Bytes) {
        self.send(method, path, None, "application/json", Vec::new())
            .await
    }

    async fn get(&self, path: &str) -> (StatusCode, HeaderMap, Bytes) {
        self.request(Method::GET, path).await
    }

    async fn stop(mut self) -> Result<(), serve::ServeError> {
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

#[tokio::test]
async fn api_paths_need_the_token_and_answer_401_status_without_it() {
    let server = TestServer::start_with_ui_folder("auth").await;
    for token in [None, Some("wrong")] {
        let (status, headers, body) = server
            .send(
                Method::GET,
                "/api/v1/pods",
                token,
                "application/json",
                Vec::new(),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}");
        assert_eq!(content_type(&headers), "application/json");
        let status_body: serde_json::Value = serde_json::from_slice(&body).expect("Status JSON");
        assert_eq!(status_body["kind"], "Status");
        assert_eq!(status_body["reason"], "Unauthorized");
        assert_eq!(status_body["code"], 401);
    }
    let token = server.token.clone();
    let (status, _, _) = server
        .send(
            Method::GET,
            "/api/v1/pods",
            Some(&token),
            "application/json",
            Vec::new(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn a_watch_and_a_write_share_one_http2_connection() {
    let server = TestServer::start_with_ui_folder("http2").await;
    let bearer = format!("Bearer {}", server.token);
    let mut sender = server.client.connect_h2().await;
    let request = |method: Method, path: &str, body: &str| {
        hyper::Request::builder()
            .method(method)
            .uri(format!("https://{}{path}", server.address))
            .header(hyper::header::AUTHORIZATION, bearer.as_str())
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .body(http_body_util::Full::new(Bytes::from(body.to_string())))
            .expect("request")
    };
    let path = "/api/v1/namespaces/default/configmaps";
    // The watch stays open on its stream while the create goes over another one.
    let watch = sender
        .send_request(request(Method::GET, &format!("{path}?watch=true"), ""))
        .await
        .expect("watch answered");
    assert_eq!(watch.status(), StatusCode::OK);
    assert_eq!(watch.version(), hyper::Version::HTTP_2);
    let created = sender
        .send_request(request(
            Method::POST,
            path,
            r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"over-h2"}}"#,
        ))
        .await
        .expect("create answered");
    assert_eq!(created.status(), StatusCode::CREATED);
    let mut body = watch.into_body();
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !String::from_utf8_lossy(&seen).contains("over-h2") {
        let frame = tokio::time::timeout_at(deadline, body.frame())
            .await
            .expect("the watch event came within 10 s")
            .expect("the watch stream stays open")
            .expect("a frame");
        if let Ok(data) = frame.into_data() {
            seen.extend_from_slice(&data);
        }
    }
    let line = String::from_utf8_lossy(&seen);
    let event: serde_json::Value = serde_json::from_str(
        line.lines()
            .find(|l| l.contains("over-h2"))
            .expect("the event's line"),
    )
    .expect("a watch event as JSON");
    assert_eq!(event["type"], "ADDED");
    assert_eq!(event["object"]["metadata"]["name"], "over-h2");
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn bad_bodies_are_413_and_400_statuses() {
    let server = TestServer::start_with_ui_folder("bodies").await;
    let token = server.token.clone();
    let path = "/api/v1/namespaces/default/configmaps";
    let big = format!(
        r#"{{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"big"}},"data":{{"a":"{}"}}}}"#,
        "x".repeat(kubeplay::serve::api::status::MAX_REQUEST_BODY_BYTES)
    );
    let cases: [(Vec<u8>, StatusCode, &str); 3] = [
        (
            big.into_bytes(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLarge",
        ),
        (b"{not json".to_vec(), StatusCode::BAD_REQUEST, "BadRequest"),
        (b"[1, 2]".to_vec(), StatusCode::BAD_REQUEST, "BadRequest"),
    ];
    for (body, code, reason) in cases {
        let (status, _, answer) = server
            .send(Method::POST, path, Some(&token), "application/json", body)
            .await;
        assert_eq!(status, code);
        let answer: serde_json::Value = serde_json::from_slice(&answer).expect("Status JSON");
        assert_eq!(answer["reason"], reason);
    }
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn openapi_v3_lists_each_group_version_and_its_document_advertises_field_validation() {
    let server = TestServer::start_with_ui_folder("openapi").await;
    let token = server.token.clone();
    let get = |path: String| {
        let token = token.clone();
        let server = &server;
        async move {
            server
                .send(
                    Method::GET,
                    &path,
                    Some(&token),
                    "application/json",
                    Vec::new(),
                )
                .await
        }
    };
    let (status, _, _) = server.get("/openapi/v3").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "OpenAPI needs the token");
    let (status, _, body) = get("/openapi/v3".into()).await;
    assert_eq!(status, StatusCode::OK);
    let index: serde_json::Value = serde_json::from_slice(&body).expect("index JSON");
    let url = index["paths"]["api/v1"]["serverRelativeURL"]
        .as_str()
        .expect("api/v1 is listed")
        .to_string();
    let (status, headers, body) = get(url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type(&headers), "application/json");
    let document: serde_json::Value = serde_json::from_slice(&body).expect("document JSON");
    let patch = &document["paths"]["/api/v1/namespaces/{namespace}/configmaps/{name}"]["patch"];
    assert_eq!(
        patch["x-kubernetes-group-version-kind"]["kind"],
        "ConfigMap"
    );
    assert!(patch["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .any(|parameter| parameter["name"] == "fieldValidation"));
    let (status, _, _) = get("/openapi/v3/apis/nothing/v1".into()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn field_validation_strict_refuses_warn_warns_and_ignore_accepts_unknown_fields() {
    let server = TestServer::start_with_ui_folder("field-validation").await;
    let token = server.token.clone();
    let body = |name: &str| {
        format!(r#"{{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"{name}"}},"dta":{{"a":"1"}}}}"#)
            .into_bytes()
    };
    let path = "/api/v1/namespaces/default/configmaps";
    let (status, _, answer) = server
        .send(
            Method::POST,
            &format!("{path}?fieldValidation=Strict"),
            Some(&token),
            "application/json",
            body("strict"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let answer: serde_json::Value = serde_json::from_slice(&answer).expect("Status JSON");
    assert_eq!(
        answer["message"],
        "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: unknown field \"dta\""
    );
    let (status, headers, _) = server
        .send(
            Method::POST,
            &format!("{path}?fieldValidation=Warn"),
            Some(&token),
            "application/json",
            body("warn"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        headers
            .get(hyper::header::WARNING)
            .and_then(|v| v.to_str().ok()),
        Some(r#"299 - "unknown field \"dta\"""#)
    );
    let (status, headers, _) = server
        .send(
            Method::POST,
            &format!("{path}?fieldValidation=Ignore"),
            Some(&token),
            "application/json",
            body("ignore"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(headers.get(hyper::header::WARNING).is_none());
    let (status, _, answer) = server
        .send(
            Method::PATCH,
            &format!("{path}/warn?fieldValidation=Strict"),
            Some(&token),
            "application/merge-patch+json",
            br#"{"dta":{"b":"2"}}"#.to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let answer: serde_json::Value = serde_json::from_slice(&answer).expect("Status JSON");
    assert_eq!(answer["reason"], "Invalid");
    assert_eq!(answer["details"]["causes"][0]["field"], "patch");
    server.stop().await.expect("clean stop");
}
