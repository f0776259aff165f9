//! `kubeplay`, the node host: the kubeplay control plane on a real machine.
//!
//! The binary (`main.rs`) parses the command line with clap and starts tokio; everything it
//! runs lives in this library so integration tests can drive it without a process:
//!
//! - [`serve`]: the HTTPS server. [`serve::serve`] takes an already bound listener (tests bind
//!   port 0 on loopback), makes or loads the CA, serving certificate, admin token and
//!   kubeconfig in the data directory ([`serve::security`]), runs the core's API server on
//!   its own thread ([`serve::cluster`]) and serves the Kubernetes REST API over it
//!   ([`serve::api`]: all verbs, watch, discovery, tables), `/openapi/v2`, `/version`, the
//!   health checks, and the web playground (`/`) from [`serve::UiFiles`].
//! - [`play`]: `kubeplay play`, the playground's command line on an in-process simulated
//!   cluster (a prompt on a terminal, a script when piped).
//! - [`data_dir`]: where the node host keeps its state on disk.
//! - [`storage`]: the durable store (a write-ahead log with snapshots under
//!   `<data dir>/store`) that keeps the cluster across restarts and `kill -9`.
//!
//! Still to come (see DESIGN.md): wiring [`storage`] into `serve` (the cluster lives in memory
//! there for now), the control loops and nodes (`--sim-nodes`), `pods/log`, and the real node agent.

pub mod allocator;
pub mod data_dir;
pub mod play;
pub mod serve;
pub mod storage;
