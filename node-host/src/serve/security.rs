//! The node host's credentials: a cluster CA, a serving certificate, the admin bearer token and
//! the kubeconfig that ties them together, all kept in the data directory.
//!
//! At first start [`Credentials::load_or_create`] makes a CA (`ca.crt`, `ca.key`) and a token
//! (`token`, 32 bytes from the OS RNG, hex); later starts read them back. The serving certificate
//! (`apiserver.crt`, `apiserver.key`) is signed by the CA at every start for `localhost`,
//! `127.0.0.1`, `::1` and the listen address, so moving `--listen` needs no manual step, and
//! `kubeconfig` is rewritten with the server URL of this start. Keys, the token and the
//! kubeconfig are written with mode 0600 (the data directory itself is 0700).

// The workspace's clippy.toml bans file I/O for the sans-IO core; keeping the credentials on
// disk is exactly this module's job.
#![allow(clippy::disallowed_methods)]

use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine as _;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, SanType,
};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// File names inside the data directory.
pub const CA_CERT_FILE: &str = "ca.crt";
/// The CA's private key.
pub const CA_KEY_FILE: &str = "ca.key";
/// The serving certificate.
pub const SERVING_CERT_FILE: &str = "apiserver.crt";
/// The serving certificate's private key.
pub const SERVING_KEY_FILE: &str = "apiserver.key";
/// The admin bearer token.
pub const TOKEN_FILE: &str = "token";
/// The kubeconfig for `KUBECONFIG=DIR/kubeconfig kubectl …`.
pub const KUBECONFIG_FILE: &str = "kubeconfig";

/// Why the credentials could not be loaded or made.
#[derive(Debug, thiserror::Error)]
pub enum SecurityError {
    /// Reading or writing a file in the data directory failed.
    #[error("cannot {action} {path}: {source}")]
    File {
        /// `read` or `write`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// Making or reading a certificate or key failed.
    #[error("certificate error ({what}): {source}; delete {CA_CERT_FILE} and {CA_KEY_FILE} in the data directory to make a new CA")]
    Certificate {
        /// What was being done.
        what: &'static str,
        /// rcgen's error.
        #[source]
        source: rcgen::Error,
    },
    /// rustls refused the certificate or key.
    #[error("TLS setup failed: {0}")]
    Tls(#[from] rustls::Error),
    /// The OS random number generator failed.
    #[error("the OS random number generator failed: {0}")]
    Random(getrandom::Error),
    /// The token file is empty or not text.
    #[error("the token file {0} is empty or not one line of text; delete it to make a new token")]
    BadToken(PathBuf),
}

/// What the server needs to speak TLS and check tokens.
#[derive(Clone)]
pub struct Credentials {
    /// The admin bearer token.
    pub token: String,
    /// The CA certificate (PEM), what clients trust.
    pub ca_pem: String,
    /// rustls' server configuration with the serving certificate.
    pub tls: Arc<rustls::ServerConfig>,
    /// Where the kubeconfig was written.
    pub kubeconfig: PathBuf,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("token", &"<redacted>")
            .field("kubeconfig", &self.kubeconfig)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// Loads the CA and token from `data_dir` (making them at first start), signs a serving
    /// certificate for `address` and writes the kubeconfig pointing at it.
    pub fn load_or_create(
        data_dir: &Path,
        address: SocketAddr,
    ) -> Result<Credentials, SecurityError> {
        let ca_params = ca_params();
        let ca_key_path = data_dir.join(CA_KEY_FILE);
        let ca_cert_path = data_dir.join(CA_CERT_FILE);
        let (ca_key, ca_pem) = if ca_key_path.is_file() && ca_cert_path.is_file() {
            let key_pem = read(&ca_key_path)?;
            let key = KeyPair::from_pem(&key_pem).map_err(|source| SecurityError::Certificate {
                what: "reading ca.key",
                source,
            })?;
            (key, read(&ca_cert_path)?)
        } else {
            let key = KeyPair::generate().map_err(|source| SecurityError::Certificate {
                what: "making the CA key",
                source,
            })?;
            let cert = ca_params.clone().self_signed(&key).map_err(|source| {
                SecurityError::Certificate {
                    what: "making the CA certificate",
                    source,
                }
            })?;
            write_private(&ca_key_path, key.serialize_pem().as_bytes())?;
            write_public(&ca_cert_path, cert.pem().as_bytes())?;
            (key, cert.pem())
        };
        // The issuer is rebuilt from the same name and key; its signature is all that matters
        // to clients, which trust the CA certificate written at first start.
        let issuer =
            ca_params
                .self_signed(&ca_key)
                .map_err(|source| SecurityError::Certificate {
                    what: "loading the CA",
                    source,
                })?;

        let mut serving =
            CertificateParams::new(vec!["localhost".to_string()]).map_err(|source| {
                SecurityError::Certificate {
                    what: "serving certificate names",
                    source,
                }
            })?;
        serving
            .distinguished_name
            .push(DnType::CommonName, "kube-apiserver");
        serving.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let mut addresses = vec![
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        ];
        if !address.ip().is_unspecified() && !addresses.contains(&address.ip()) {
            addresses.push(address.ip());
        }
        serving
            .subject_alt_names
            .extend(addresses.into_iter().map(SanType::IpAddress));
        let serving_key = KeyPair::generate().map_err(|source| SecurityError::Certificate {
            what: "making the serving key",
            source,
        })?;
        let serving_cert = serving
            .signed_by(&serving_key, &issuer, &ca_key)
            .map_err(|source| SecurityError::Certificate {
                what: "signing the serving certificate",
                source,
            })?;
        write_private(
            &data_dir.join(SERVING_KEY_FILE),
            serving_key.serialize_pem().as_bytes(),
        )?;
        write_public(
            &data_dir.join(SERVING_CERT_FILE),
            serving_cert.pem().as_bytes(),
        )?;

        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut tls = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from(serving_cert.der().to_vec())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(serving_key.serialize_der())),
            )?;
        // HTTP/2 first, as kube-apiserver offers it (kubectl and browsers then multiplex their
        // requests and watches over one connection), HTTP/1.1 for clients without it (the
        // Python client); watches stream as chunked bodies there.
        tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];

        let token = load_or_create_token(&data_dir.join(TOKEN_FILE))?;
        let kubeconfig = data_dir.join(KUBECONFIG_FILE);
        write_private(
            &kubeconfig,
            kubeconfig_yaml(&server_url(address), &ca_pem, &token).as_bytes(),
        )?;
        Ok(Credentials {
            token,
            ca_pem,
            tls: Arc::new(tls),
            kubeconfig,
        })
    }
}

fn ca_params() -> CertificateParams {
    let mut params = CertificateParams::default();
    params
        .distinguished_name
        .push(DnType::CommonName, "kubeplay-ca");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params
}

fn load_or_create_token(path: &Path) -> Result<String, SecurityError> {
    if path.is_file() {
        let token = read(path)?.trim().to_string();
        if token.is_empty() || token.contains(char::is_whitespace) {
            return Err(SecurityError::BadToken(path.to_path_buf()));
        }
        return Ok(token);
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(SecurityError::Random)?;
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    write_private(path, format!("{token}\n").as_bytes())?;
    Ok(token)
}

/// The URL clients use: the listen address, with loopback for an unspecified address.
pub fn server_url(address: SocketAddr) -> String {
    let ip = match address.ip() {
        ip if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        ip => ip,
    };
    format!("https://{}", SocketAddr::new(ip, address.port()))
}

/// The kubeconfig text: one cluster, one user with the token, one current context.
pub fn kubeconfig_yaml(server: &str, ca_pem: &str, token: &str) -> String {
    let ca_data = base64::engine::general_purpose::STANDARD.encode(ca_pem.as_bytes());
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: kubeplay\n  cluster:\n    server: {server}\n    certificate-authority-data: {ca_data}\nusers:\n- name: kubeplay-admin\n  user:\n    token: {token}\ncontexts:\n- name: kubeplay\n  context:\n    cluster: kubeplay\n    user: kubeplay-admin\n    namespace: default\ncurrent-context: kubeplay\npreferences: {{}}\n"
    )
}

fn read(path: &Path) -> Result<String, SecurityError> {
    std::fs::read_to_string(path).map_err(|source| SecurityError::File {
        action: "read",
        path: path.to_path_buf(),
        source,
    })
}

fn write_with_mode(path: &Path, bytes: &[u8], mode: u32) -> Result<(), SecurityError> {
    let error = |source| SecurityError::File {
        action: "write",
        path: path.to_path_buf(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
        options.mode(mode);
        let mut file = options.open(path).map_err(error)?;
        // An existing file keeps its old mode on open; set it again.
        file.set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(error)?;
        file.write_all(bytes).map_err(error)?;
        file.sync_all().map_err(error)
    }
    #[cfg(not(unix))]
    {
        let _ = mode;
        let mut file = options.open(path).map_err(error)?;
        file.write_all(bytes).map_err(error)?;
        file.sync_all().map_err(error)
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), SecurityError> {
    write_with_mode(path, bytes, 0o600)
}

fn write_public(path: &Path, bytes: &[u8]) -> Result<(), SecurityError> {
    write_with_mode(path, bytes, 0o644)
}

/// Whether an `Authorization` header value carries `token` (constant-time comparison).
pub fn bearer_matches(header: Option<&str>, token: &str) -> bool {
    let Some(presented) = header.and_then(|h| {
        let (scheme, rest) = h.trim().split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
    }) else {
        return false;
    };
    let (a, b) = (presented.as_bytes(), token.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_bearer_token_matches() {
        let cases = [
            (Some("Bearer abc"), true),
            (Some("bearer abc"), true),
            (Some("Bearer abd"), false),
            (Some("Bearer ab"), false),
            (Some("Basic abc"), false),
            (Some("abc"), false),
            (None, false),
        ];
        for (header, expected) in cases {
            assert_eq!(bearer_matches(header, "abc"), expected, "{header:?}");
        }
    }

    #[test]
    fn first_start_makes_private_files_and_a_second_start_keeps_the_ca_and_token() {
        let dir = tempfile::tempdir().unwrap();
        let address: SocketAddr = "127.0.0.1:6443".parse().unwrap();
        let first = Credentials::load_or_create(dir.path(), address).unwrap();
        let second = Credentials::load_or_create(dir.path(), address).unwrap();
        assert_eq!(first.token, second.token);
        assert_eq!(first.ca_pem, second.ca_pem);
        assert_eq!(first.token.len(), 64);
        #[cfg(unix)]
        for file in [CA_KEY_FILE, SERVING_KEY_FILE, TOKEN_FILE, KUBECONFIG_FILE] {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join(file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{file}");
        }
        let kubeconfig = std::fs::read_to_string(dir.path().join(KUBECONFIG_FILE)).unwrap();
        assert!(kubeconfig.contains("server: https://127.0.0.1:6443"));
        assert!(kubeconfig.contains(&first.token));
    }

    #[test]
    fn an_unspecified_listen_address_is_reached_on_loopback() {
        let cases = [
            ("0.0.0.0:6443", "https://127.0.0.1:6443"),
            ("10.0.0.5:7000", "https://10.0.0.5:7000"),
            ("[::1]:6443", "https://[::1]:6443"),
        ];
        for (address, expected) in cases {
            assert_eq!(server_url(address.parse().unwrap()), expected);
        }
    }
}
