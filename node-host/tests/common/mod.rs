//! What the integration tests that run the `kubeplay` binary share: pipe a script into
//! `kubeplay play` ([`play`]); start `kubeplay serve`
//! on a free loopback port with a data directory (a fresh temporary one, or one the test
//! keeps across restarts), wait for its kubeconfig, read its URL and token, run the real
//! kubectl against it with a time limit, and kill the server on drop; send one HTTPS request
//! to a server trusting the CA it made ([`HttpsClient`]).
//!
//! Each test file includes it with `mod common;` and uses what it needs.

#![allow(dead_code)]
// The harness reads files and the wall clock; clippy.toml bans both for the sans-IO core only.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `kubeplay play ARGS` with `script` on its standard input and waits for it to end.
pub fn play(args: &[&str], script: &str) -> std::process::Output {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubeplay"))
        .arg("play")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kubeplay play starts");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(script.as_bytes())
        .expect("the script is written");
    child.wait_with_output().expect("kubeplay play ends")
}

/// How long a fresh server may take to write its kubeconfig.
pub const KUBECONFIG_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether the real kubectl is installed.
pub fn kubectl_installed() -> bool {
    Command::new("kubectl")
        .args(["version", "--client"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Whether the real kubectl is installed; prints `skipped: kubectl is not installed (WHY)`
/// when it is not.
pub fn have_kubectl(why: &str) -> bool {
    let found = kubectl_installed();
    if !found {
        eprintln!("skipped: kubectl is not installed ({why})");
    }
    found
}

/// Where the server's data directory lives.
enum DataDir {
    /// A temporary folder removed with the server.
    Temporary(tempfile::TempDir),
    /// A folder the test owns (kept across restarts).
    Kept(PathBuf),
}

/// A running `kubeplay serve`, killed (SIGKILL) on drop.
pub struct ServeProcess {
    child: Child,
    data_dir: DataDir,
    log: Option<PathBuf>,
}

impl ServeProcess {
    /// Starts `kubeplay serve --listen 127.0.0.1:0 ARGS --data-dir <fresh temp dir>` with
    /// its output discarded, and waits for its kubeconfig.
    pub fn start(args: &[&str]) -> ServeProcess {
        let dir = tempfile::tempdir().expect("temp data dir");
        let child = serve_command(args, dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start kubeplay serve");
        let server = ServeProcess {
            child,
            data_dir: DataDir::Temporary(dir),
            log: None,
        };
        server.wait_for_kubeconfig(KUBECONFIG_TIMEOUT);
        server
    }

    /// Starts `kubeplay serve --listen 127.0.0.1:0 ARGS --data-dir DATA_DIR` with `RUST_LOG=info`
    /// and its log in `log_dir`, without waiting. A kubeconfig left by a previous run is
    /// removed first, so its reappearance means this run wrote it.
    pub fn spawn_on(data_dir: &Path, log_dir: &Path, args: &[&str]) -> ServeProcess {
        let _ = std::fs::remove_file(data_dir.join("kubeconfig"));
        let log = log_dir.join(format!("serve-{}.log", std::process::id()));
        let log_file = std::fs::File::create(&log).expect("server log file");
        let child = serve_command(args, data_dir)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .expect("start kubeplay serve");
        ServeProcess {
            child,
            data_dir: DataDir::Kept(data_dir.to_path_buf()),
            log: Some(log),
        }
    }

    /// Waits until the kubeconfig exists; panics (with the server log, if kept) after
    /// `timeout`.
    pub fn wait_for_kubeconfig(&self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while !self.kubeconfig().is_file() {
            assert!(
                Instant::now() < deadline,
                "no kubeconfig after {timeout:?}{}",
                match &self.log {
                    Some(_) => format!("; log:\n{}", self.log_text()),
                    None => String::new(),
                }
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        match &self.data_dir {
            DataDir::Temporary(dir) => dir.path(),
            DataDir::Kept(path) => path,
        }
    }

    /// The kubeconfig the server wrote.
    pub fn kubeconfig(&self) -> PathBuf {
        self.data_dir().join("kubeconfig")
    }

    /// The server's log so far (empty when it was discarded).
    pub fn log_text(&self) -> String {
        self.log
            .as_ref()
            .and_then(|log| std::fs::read_to_string(log).ok())
            .unwrap_or_default()
    }

    /// The admin bearer token.
    pub fn token(&self) -> String {
        std::fs::read_to_string(self.data_dir().join("token"))
            .expect("token written")
            .trim()
            .to_string()
    }

    /// The CA certificate (PEM) the server's certificate is signed with.
    pub fn ca_pem(&self) -> Vec<u8> {
        std::fs::read(self.data_dir().join("ca.crt")).expect("ca.crt written")
    }

    /// The address the server listens on, from the kubeconfig's `server: https://ADDR`.
    pub fn address(&self) -> std::net::SocketAddr {
        let kubeconfig = std::fs::read_to_string(self.kubeconfig()).expect("read kubeconfig");
        kubeconfig
            .lines()
            .find_map(|line| line.trim().strip_prefix("server: https://"))
            .and_then(|address| address.trim().parse().ok())
            .expect("the kubeconfig names the server's address")
    }

    /// The server's exit status, if it has exited.
    pub fn try_wait(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().expect("wait for kubeplay")
    }

    /// SIGKILL: no shutdown code runs.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Runs kubectl with this server's kubeconfig, bounded by `timeout`.
    pub fn kubectl(&self, args: &[&str], timeout: Duration) -> KubectlRun {
        run_kubectl(&self.kubeconfig(), args, timeout)
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `kubeplay serve --listen 127.0.0.1:0 ARGS --data-dir DATA_DIR`.
fn serve_command(args: &[&str], data_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kubeplay"));
    command
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .arg("--data-dir")
        .arg(data_dir);
    command
}

/// What one kubectl run printed.
#[derive(Debug)]
pub struct KubectlRun {
    /// Whether it exited 0.
    pub success: bool,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

/// Runs the real kubectl with `kubeconfig` (and no in-cluster settings); panics when it runs
/// longer than `timeout`.
pub fn run_kubectl(kubeconfig: &Path, args: &[&str], timeout: Duration) -> KubectlRun {
    let mut child = spawn_kubectl(kubeconfig, args);
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for kubectl") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("kubectl {args:?} took longer than {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut stdout = String::new();
    let mut stderr = String::new();
    if let Some(mut out) = child.stdout.take() {
        out.read_to_string(&mut stdout).expect("kubectl stdout");
    }
    if let Some(mut err) = child.stderr.take() {
        err.read_to_string(&mut stderr).expect("kubectl stderr");
    }
    KubectlRun {
        success: status.success(),
        stdout,
        stderr,
    }
}

/// Starts the real kubectl with `kubeconfig`, its output piped.
pub fn spawn_kubectl(kubeconfig: &Path, args: &[&str]) -> Child {
    Command::new("kubectl")
        .args(args)
        .env("KUBECONFIG", kubeconfig)
        .env_remove("KUBERNETES_SERVICE_HOST")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start kubectl")
}

/// An HTTPS client of one server: trusts only the CA the server made, opens a fresh
/// connection per request (HTTP/1.1 over rustls), or one HTTP/2 connection for many.
pub struct HttpsClient {
    address: std::net::SocketAddr,
    connector: tokio_rustls::TlsConnector,
    h2_connector: tokio_rustls::TlsConnector,
}

impl HttpsClient {
    /// A client of the server at `address` whose certificate `ca_pem` signed.
    pub fn new(address: std::net::SocketAddr, ca_pem: &[u8]) -> HttpsClient {
        use rustls_pki_types::pem::PemObject as _;
        let mut roots = rustls::RootCertStore::empty();
        for cert in rustls_pki_types::CertificateDer::pem_slice_iter(ca_pem) {
            roots.add(cert.expect("PEM certificate")).expect("CA added");
        }
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        let mut h2_config = config.clone();
        h2_config.alpn_protocols = vec![b"h2".to_vec()];
        HttpsClient {
            address,
            connector: tokio_rustls::TlsConnector::from(std::sync::Arc::new(config)),
            h2_connector: tokio_rustls::TlsConnector::from(std::sync::Arc::new(h2_config)),
        }
    }

    /// Sends one request (with `Authorization: Bearer` when `bearer` is given) and returns the
    /// response with its body unread, or which step failed.
    pub async fn try_open(
        &self,
        method: hyper::Method,
        path: &str,
        bearer: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<hyper::Response<hyper::body::Incoming>, String> {
        let stream = tokio::net::TcpStream::connect(self.address)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        let name = rustls_pki_types::ServerName::try_from("127.0.0.1")
            .map_err(|e| format!("server name: {e}"))?;
        let tls = self
            .connector
            .connect(name, stream)
            .await
            .map_err(|e| format!("TLS handshake with the server's CA: {e}"))?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls))
                .await
                .map_err(|e| format!("HTTP/1 handshake: {e}"))?;
        tokio::spawn(connection);
        let mut request = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header(hyper::header::HOST, self.address.to_string())
            .header(hyper::header::CONTENT_TYPE, content_type);
        if let Some(token) = bearer {
            request = request.header(hyper::header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = request
            .body(http_body_util::Full::new(hyper::body::Bytes::from(body)))
            .map_err(|e| format!("request: {e}"))?;
        sender
            .send_request(request)
            .await
            .map_err(|e| format!("response: {e}"))
    }

    /// One HTTP/2 connection to the server (ALPN `h2` offered and, checked here, chosen), to
    /// send several requests over at the same time.
    pub async fn connect_h2(
        &self,
    ) -> hyper::client::conn::http2::SendRequest<http_body_util::Full<hyper::body::Bytes>> {
        let stream = tokio::net::TcpStream::connect(self.address)
            .await
            .expect("connect");
        let name = rustls_pki_types::ServerName::try_from("127.0.0.1").expect("server name");
        let tls = self
            .h2_connector
            .connect(name, stream)
            .await
            .expect("TLS handshake with the server's CA");
        assert_eq!(
            tls.get_ref().1.alpn_protocol(),
            Some(b"h2".as_slice()),
            "the server did not choose HTTP/2 in ALPN"
        );
        let (sender, connection) = hyper::client::conn::http2::handshake(
            hyper_util::rt::TokioExecutor::new(),
            hyper_util::rt::TokioIo::new(tls),
        )
        .await
        .expect("HTTP/2 handshake");
        tokio::spawn(connection);
        sender
    }

    /// [`HttpsClient::try_open`], panicking with the step that failed.
    pub async fn open(
        &self,
        method: hyper::Method,
        path: &str,
        bearer: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> hyper::Response<hyper::body::Incoming> {
        match self
            .try_open(method, path, bearer, content_type, body)
            .await
        {
            Ok(response) => response,
            Err(step) => panic!("{path}: {step}"),
        }
    }
}
