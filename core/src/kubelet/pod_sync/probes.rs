//! Probe workers: one per probe of a running container, deciding when the next probe is due
//! and turning the runtime's answers into a verdict with the probe's success and failure
//! thresholds (`periodSeconds` 10, `successThreshold` 1, `failureThreshold` 3 by default).
//! The probe itself runs in the runtime ([`RuntimeCommand::ExecProbe`]).
//!
//! [`RuntimeCommand::ExecProbe`]: crate::kubelet::runtime::RuntimeCommand::ExecProbe

use std::time::Duration;

use k8s_openapi::api::core::v1::{Container, Probe};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::kubelet::runtime::{ProbeAction, ProbeKind};
use crate::sim::clock::Timestamp;

/// What a run of probes concluded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeVerdict {
    /// Not enough results yet.
    Unknown,
    /// `successThreshold` successes in a row.
    Success,
    /// `failureThreshold` failures in a row.
    Failure,
}

/// One probe of one container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeWorker {
    /// Which probe.
    pub kind: ProbeKind,
    /// What it checks.
    pub action: ProbeAction,
    initial_delay: Duration,
    period: Duration,
    success_threshold: u32,
    failure_threshold: u32,
    /// When the next probe is due (None: not running).
    pub next_at: Option<Timestamp>,
    /// A probe was sent and not answered.
    pub in_flight: bool,
    successes: u32,
    failures: u32,
    /// The current verdict.
    pub verdict: ProbeVerdict,
}

fn port_number(port: &IntOrString, container: &Container) -> i32 {
    match port {
        IntOrString::Int(n) => *n,
        IntOrString::String(name) => container
            .ports
            .iter()
            .flatten()
            .find(|p| p.name.as_deref() == Some(name.as_str()))
            .map_or(0, |p| p.container_port),
    }
}

fn seconds(value: Option<i32>, default: u64) -> Duration {
    Duration::from_secs(value.and_then(|v| u64::try_from(v).ok()).unwrap_or(default))
}

impl ProbeWorker {
    fn new(kind: ProbeKind, probe: &Probe, container: &Container) -> Option<ProbeWorker> {
        let action = if let Some(http) = &probe.http_get {
            ProbeAction::HttpGet {
                path: http.path.clone().unwrap_or_else(|| "/".to_string()),
                port: port_number(&http.port, container),
            }
        } else if let Some(tcp) = &probe.tcp_socket {
            ProbeAction::TcpSocket {
                port: port_number(&tcp.port, container),
            }
        } else if let Some(exec) = &probe.exec {
            ProbeAction::Exec {
                command: exec.command.clone().unwrap_or_default(),
            }
        } else if let Some(grpc) = &probe.grpc {
            ProbeAction::Grpc { port: grpc.port }
        } else {
            return None;
        };
        let threshold = |v: Option<i32>, d: u32| {
            v.and_then(|v| u32::try_from(v).ok())
                .filter(|v| *v > 0)
                .unwrap_or(d)
        };
        Some(ProbeWorker {
            kind,
            action,
            initial_delay: seconds(probe.initial_delay_seconds, 0),
            period: seconds(probe.period_seconds.filter(|p| *p > 0), 10),
            success_threshold: threshold(probe.success_threshold, 1),
            failure_threshold: threshold(probe.failure_threshold, 3),
            next_at: None,
            in_flight: false,
            successes: 0,
            failures: 0,
            verdict: ProbeVerdict::Unknown,
        })
    }

    /// The workers of a container's startup, readiness and liveness probes.
    pub fn for_container(container: &Container) -> Vec<ProbeWorker> {
        [
            (ProbeKind::Startup, &container.startup_probe),
            (ProbeKind::Readiness, &container.readiness_probe),
            (ProbeKind::Liveness, &container.liveness_probe),
        ]
        .into_iter()
        .filter_map(|(kind, probe)| {
            probe
                .as_ref()
                .and_then(|p| ProbeWorker::new(kind, p, container))
        })
        .collect()
    }

    /// Arms the worker for a container that started at `started_at`.
    pub fn start(&mut self, started_at: Timestamp) {
        self.next_at = Some(started_at.plus(self.initial_delay));
        self.in_flight = false;
        self.successes = 0;
        self.failures = 0;
        self.verdict = ProbeVerdict::Unknown;
    }

    /// Disarms the worker (the container stopped).
    pub fn stop(&mut self) {
        self.next_at = None;
        self.in_flight = false;
    }

    /// Whether a probe should be sent at `now`; if so, marks it sent and schedules the next.
    pub fn take_due(&mut self, now: Timestamp) -> bool {
        match self.next_at {
            Some(at) if at <= now && !self.in_flight => {
                self.in_flight = true;
                self.next_at = Some(now.plus(self.period));
                true
            }
            _ => false,
        }
    }

    /// Records one answer and returns the verdict.
    pub fn record(&mut self, success: bool) -> ProbeVerdict {
        self.in_flight = false;
        if success {
            self.successes += 1;
            self.failures = 0;
            if self.successes >= self.success_threshold {
                self.verdict = ProbeVerdict::Success;
            }
        } else {
            self.failures += 1;
            self.successes = 0;
            if self.failures >= self.failure_threshold {
                self.verdict = ProbeVerdict::Failure;
            }
        }
        self.verdict
    }
}
