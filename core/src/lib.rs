//! # kubeplay-core
//!
//! A small but faithful Kubernetes control plane as pure, deterministic state machines.
//! Nothing in this crate performs I/O, reads a clock or asks the OS for randomness: hosts
//! (the browser simulation in `kubeplay-web`, the native node host in `kubeplay`) feed inputs
//! in and carry outputs out. The same seed and the same commands give the same trace on
//! native and on wasm32.
//!
//! The layout follows the path of one request:
//!
//! - [`api`]: the object model — Kubernetes kinds as their real JSON/YAML wire types, labels
//!   and selectors, defaulting, validation and patching.
//! - [`store`]: an etcd-like MVCC key-value store with revisions, transactions, watch and
//!   compaction.
//! - [`apiserver`]: the API server's semantics on top of the store — verbs, optimistic
//!   concurrency, admission, graceful deletion, subresources and Status errors.
//! - [`scheduler`]: kube-scheduler's framework and default plugins over a snapshot, with an
//!   explanation of every decision.
//! - [`network`]: pod and service IP allocation, kube-proxy's iptables rules, cluster DNS.
//! - [`printers`]: each kind's table columns and cells, shared by the server's `Table` answers
//!   and the in-core [`kubectl`], which parses command lines and prints as kubectl does.
//! - [`play`]: the playground session — a simulated cluster and the lines a learner types
//!   at it (`kubectl …`, `play wait`, faults), for the browser terminal and `kubeplay play`.
//! - [`lesson`]: the learning path as data — lessons in Korean and English, step goals checked
//!   against the cluster, and the run that moves a learner through them.
//! - [`sim`]: the simulation kernel — virtual clock, ordered event queue, seeded RNG, trace.

pub mod api;
pub mod apiserver;
pub mod controllers;
pub mod describe;
pub mod kubectl;
pub mod kubelet;
pub mod lesson;
pub mod network;
pub mod play;
pub mod printers;
pub mod scheduler;
pub mod sim;
pub mod store;

// On wasm32 every plain `#[test]` in the crate becomes a wasm-bindgen test, so
// `cargo xtask test` runs the whole unit-test suite under node as well (see kubeplay-wasm-test).
#[cfg(all(test, target_arch = "wasm32"))]
#[macro_use]
extern crate kubeplay_wasm_test;
