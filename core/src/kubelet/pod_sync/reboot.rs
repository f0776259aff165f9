//! A pod whose containers ran before the node rebooted.
//!
//! A kubelet that starts (a node that rebooted, or a node host restarted on its saved cluster)
//! receives its node's pods from the API with the status its previous run wrote: containers
//! with a `containerID`, running or terminated. The runtime has lost all of them. As the real
//! kubelet does after a reboot, the worker then counts each container that was created as
//! restarted (`restartCount` + 1) with its last run ended `Unknown`, exit code 255, when the
//! status still showed it running; the pod keeps its `startTime`. A container that the pod's
//! `restartPolicy` would not restart (`Never`, or `OnFailure` after exit code 0) stays
//! terminated instead. Init containers run again, as they do in a new sandbox.

use k8s_openapi::api::core::v1::ContainerStatus;

use super::containers::{ContainerRecord, ContainerStep, Termination};
use super::{PodWorker, RestartPolicy};
use crate::kubelet::runtime::ExitReason;
use crate::sim::clock::Timestamp;

/// The exit code containerd reports for a container a reboot killed.
pub const REBOOT_EXIT_CODE: i32 = 255;

/// Takes over what the pod's stored status says about a previous boot (nothing for a pod
/// whose containers never ran).
pub(super) fn carry_over_previous_boot(worker: &mut PodWorker, now: Timestamp) {
    let Some(status) = worker.pod.to_status() else {
        return;
    };
    let ran_before = status
        .container_statuses
        .iter()
        .chain(status.init_container_statuses.iter())
        .flatten()
        .any(|c| c.container_id.is_some());
    if !ran_before {
        return;
    }
    if let Some(start) = &status.start_time {
        worker.start_time = Some(Timestamp::from_k8s_time(start));
    }
    let policy = worker.restart_policy;
    for record in &mut worker.init {
        if let Some(old) = find(&status.init_container_statuses, record.name()) {
            if let Some(run) = last_run(old, now) {
                restart(record, old, run);
            }
        }
    }
    for record in &mut worker.app {
        let Some(old) = find(&status.container_statuses, record.name()) else {
            continue;
        };
        let Some(run) = last_run(old, now) else {
            continue;
        };
        let restarts = match policy {
            RestartPolicy::Never => false,
            RestartPolicy::OnFailure => run.exit_code != 0,
            RestartPolicy::Always => true,
        };
        if restarts {
            restart(record, old, run);
        } else {
            record.restart_count = count(old);
            record.container_id = run.container_id.clone();
            record.step = ContainerStep::Terminated(run);
        }
    }
}

fn find<'a>(statuses: &'a Option<Vec<ContainerStatus>>, name: &str) -> Option<&'a ContainerStatus> {
    statuses.iter().flatten().find(|s| s.name == name)
}

fn count(old: &ContainerStatus) -> u32 {
    u32::try_from(old.restart_count).unwrap_or(0)
}

/// The container starts again: one more restart, the lost run as its last state.
fn restart(record: &mut ContainerRecord, old: &ContainerStatus, run: Termination) {
    record.restart_count = count(old).saturating_add(1);
    record.last_termination = Some(Box::new(run));
}

/// How the container's last run ended, if it ever ran: as stored when it had terminated, cut
/// off by the reboot (`Unknown`, 255) when it was running.
fn last_run(old: &ContainerStatus, now: Timestamp) -> Option<Termination> {
    let container_id = old.container_id.clone()?;
    let state = old.state.as_ref();
    if let Some(done) = state.and_then(|s| s.terminated.as_ref()) {
        let reason = match done.reason.as_deref() {
            Some("Completed") => ExitReason::Completed,
            Some("OOMKilled") => ExitReason::OomKilled,
            Some("Unknown") => ExitReason::Unknown,
            _ if done.exit_code == 0 => ExitReason::Completed,
            _ => ExitReason::Error,
        };
        let finished_at = done
            .finished_at
            .as_ref()
            .map_or(now, Timestamp::from_k8s_time);
        return Some(Termination {
            exit_code: done.exit_code,
            reason,
            started_at: done
                .started_at
                .as_ref()
                .map_or(finished_at, Timestamp::from_k8s_time),
            finished_at,
            container_id: Some(container_id),
        });
    }
    let started_at = state
        .and_then(|s| s.running.as_ref())
        .and_then(|r| r.started_at.as_ref())
        .map_or(now, Timestamp::from_k8s_time);
    Some(Termination {
        exit_code: REBOOT_EXIT_CODE,
        reason: ExitReason::Unknown,
        started_at,
        finished_at: now,
        container_id: Some(container_id),
    })
}
