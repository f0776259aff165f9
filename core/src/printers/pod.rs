//! A pod's row: READY as ready/total containers, STATUS as kubectl derives it from the phase,
//! init containers, container states and deletion (`printPod`), RESTARTS with the time of
//! the last restart, and the wide IP, NODE, NOMINATED NODE and READINESS GATES cells.

use crate::sim::clock::Timestamp;

use super::duration::human_duration;
use super::Cell;
use crate::api::objects::StoredPod;

pub(crate) fn pod_cells(pod: &StoredPod, name: Cell, age: Cell, now: Timestamp) -> Vec<Cell> {
    let spec = pod.spec.as_ref();
    // The printer reads most of the status: one k8s-openapi copy of it.
    let status = pod.to_status();
    let status = status.as_ref();
    let total = spec.map_or(0, |s| s.containers.len());
    let mut reason = status.and_then(|s| s.phase.clone()).unwrap_or_default();
    if let Some(r) = status
        .and_then(|s| s.reason.clone())
        .filter(|r| !r.is_empty())
    {
        reason = r;
    }
    let conditions = status.and_then(|s| s.conditions.as_deref()).unwrap_or(&[]);
    if conditions
        .iter()
        .any(|c| c.type_ == "PodScheduled" && c.reason.as_deref() == Some("SchedulingGated"))
    {
        reason = "SchedulingGated".to_string();
    }
    let mut restarts: i64 = 0;
    let mut ready = 0;
    let mut last_restart: Option<Timestamp> = None;
    let mut initializing = false;
    let init_statuses = status
        .and_then(|s| s.init_container_statuses.as_deref())
        .unwrap_or(&[]);
    let init_count = spec
        .and_then(|s| s.init_containers.as_ref())
        .map_or(0, Vec::len);
    for (index, container) in init_statuses.iter().enumerate() {
        restarts += i64::from(container.restart_count);
        let state = container.state.as_ref();
        if let Some(terminated) = state.and_then(|s| s.terminated.as_ref()) {
            if terminated.exit_code == 0 {
                continue;
            }
            reason = match terminated.reason.as_deref().filter(|r| !r.is_empty()) {
                Some(r) => format!("Init:{r}"),
                None if terminated.signal.unwrap_or(0) != 0 => {
                    format!("Init:Signal:{}", terminated.signal.unwrap_or(0))
                }
                None => format!("Init:ExitCode:{}", terminated.exit_code),
            };
        } else if let Some(waiting) = state.and_then(|s| s.waiting.as_ref()).filter(|w| {
            w.reason
                .as_deref()
                .is_some_and(|r| !r.is_empty() && r != "PodInitializing")
        }) {
            reason = format!("Init:{}", waiting.reason.as_deref().unwrap_or_default());
        } else {
            reason = format!("Init:{index}/{init_count}");
        }
        initializing = true;
        break;
    }
    let initialized = conditions
        .iter()
        .any(|c| c.type_ == "Initialized" && c.status == "True");
    if !initializing || initialized {
        restarts = 0;
        let mut has_running = false;
        let statuses = status
            .and_then(|s| s.container_statuses.as_deref())
            .unwrap_or(&[]);
        for container in statuses.iter().rev() {
            restarts += i64::from(container.restart_count);
            if let Some(finished) = container
                .last_state
                .as_ref()
                .and_then(|s| s.terminated.as_ref())
                .and_then(|t| t.finished_at.as_ref())
            {
                let finished = Timestamp::from_k8s_time(finished);
                if last_restart.is_none_or(|last| finished > last) {
                    last_restart = Some(finished);
                }
            }
            let state = container.state.as_ref();
            let waiting = state.and_then(|s| s.waiting.as_ref());
            let terminated = state.and_then(|s| s.terminated.as_ref());
            if let Some(r) = waiting
                .and_then(|w| w.reason.clone())
                .filter(|r| !r.is_empty())
            {
                reason = r;
            } else if let Some(r) = terminated
                .and_then(|t| t.reason.clone())
                .filter(|r| !r.is_empty())
            {
                reason = r;
            } else if let Some(t) = terminated {
                reason = match t.signal.unwrap_or(0) {
                    0 => format!("ExitCode:{}", t.exit_code),
                    signal => format!("Signal:{signal}"),
                };
            } else if container.ready && state.and_then(|s| s.running.as_ref()).is_some() {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            reason = if conditions
                .iter()
                .any(|c| c.type_ == "Ready" && c.status == "True")
            {
                "Running".to_string()
            } else {
                "NotReady".to_string()
            };
        }
    }
    let phase = status.and_then(|s| s.phase.as_deref());
    if pod.metadata.deletion_timestamp.is_some() {
        if status.and_then(|s| s.reason.as_deref()) == Some("NodeLost") {
            reason = "Unknown".to_string();
        } else if !matches!(phase, Some("Succeeded" | "Failed")) {
            reason = "Terminating".to_string();
        }
    }
    let restarts_text = match last_restart {
        Some(at) if restarts != 0 => format!("{restarts} ({} ago)", human_duration(now, at)),
        _ => restarts.to_string(),
    };
    let pod_ip = status
        .and_then(|s| s.pod_ips.as_ref())
        .and_then(|ips| ips.first())
        .map(|ip| ip.ip.clone())
        .or_else(|| status.and_then(|s| s.pod_ip.clone()))
        .filter(|ip| !ip.is_empty())
        .unwrap_or_else(|| "<none>".to_string());
    let node = pod
        .node_name()
        .filter(|n| !n.is_empty())
        .unwrap_or("<none>")
        .to_string();
    let nominated = status
        .and_then(|s| s.nominated_node_name.clone())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "<none>".to_string());
    let gates = spec
        .and_then(|s| s.readiness_gates.as_deref())
        .unwrap_or(&[]);
    let readiness_gates = if gates.is_empty() {
        "<none>".to_string()
    } else {
        let true_count = gates
            .iter()
            .filter(|gate| {
                conditions
                    .iter()
                    .find(|c| c.type_ == gate.condition_type)
                    .is_some_and(|c| c.status == "True")
            })
            .count();
        format!("{true_count}/{}", gates.len())
    };
    vec![
        name,
        format!("{ready}/{total}").into(),
        reason.into(),
        restarts_text.into(),
        age,
        pod_ip.into(),
        node.into(),
        nominated.into(),
        readiness_gates.into(),
    ]
}
