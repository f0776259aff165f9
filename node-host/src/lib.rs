//! `kubeplay`, the node host: the kubeplay control plane on a real machine.
//!
//! The binary (`main.rs`) parses the command line with clap and starts tokio; everything it
//! runs lives in this library so integration tests can drive it without a process:
//!
//! - [`serve`]: the HTTP server. [`serve::serve`] takes an already bound listener (tests bind
//!   port 0 on loopback), answers the Kubernetes discovery endpoints it has so far
//!   (`/version`, `/healthz`, `/readyz`) and serves the web playground (`/`) from
//!   [`serve::UiFiles`].
//! - [`data_dir`]: where the node host keeps its state on disk.
//!
//! Still to come (see DESIGN.md): the REST API over the core's API server, TLS and
//! authentication, persistence, and the real node agent.

pub mod data_dir;
pub mod serve;
