//! What the pod worker keeps of the status it sent while the API's copy of the pod does not
//! show it yet ([`SentSummary`]), and one way to read the last status sent whether it is
//! that summary or the API's copy ([`SentView`]).
//!
//! The next sync reads little of the status last sent: each kubelet condition's status and
//! transition time (a condition keeps its time while its status stays), every condition's
//! type and status (`needsReconcile`), and per container its last state, its waiting message
//! and whether it showed `terminated`. Whether a newly computed status is the one sent, and
//! whether a watched pod echoes it, is told by a fingerprint of the whole status. A pod of a
//! start-up burst holds this summary (a few hundred bytes) instead of a full `PodStatus`
//! (about 2 KB) until the watch delivers its status back.

use std::hash::{Hash, Hasher};

use k8s_openapi::api::core::v1::{ContainerState, ContainerStatus, PodCondition, PodStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::status::KUBELET_CONDITIONS;

/// A kubelet condition as the status sent showed it: `True` or not, since when.
#[derive(Clone, Debug, PartialEq)]
struct KubeletCondition {
    /// Whether the status was `True` (otherwise `False`).
    status: bool,
    /// `lastTransitionTime`.
    since: Option<Time>,
}

/// One container status of the status sent, as far as the next sync reads it.
#[derive(Clone, Debug, PartialEq)]
struct SentContainer {
    /// The container's name.
    name: Box<str>,
    /// Whether it is in `initContainerStatuses` (else `containerStatuses`).
    init: bool,
    /// Whether `state.terminated` was set.
    terminated: bool,
    /// `state.waiting.message`.
    waiting_message: Option<Box<str>>,
    /// `lastState`, when it was not empty (an empty one reads the same as none).
    last_state: Option<Box<ContainerState>>,
}

/// The status last sent, summarised (see the [module docs](self)).
#[derive(Clone, Debug, PartialEq)]
pub struct SentSummary {
    /// [`fingerprint`] of the whole status.
    fingerprint: u64,
    /// The first condition of each [`KUBELET_CONDITIONS`] type, when its status was `True`
    /// or `False`.
    kubelet: [Option<KubeletCondition>; KUBELET_CONDITIONS.len()],
    /// Every other condition, as type and status.
    others: Vec<(Box<str>, Box<str>)>,
    /// The container statuses, `containerStatuses` first.
    containers: Vec<SentContainer>,
}

impl SentSummary {
    /// The summary of `status`.
    pub fn of(status: &PodStatus) -> SentSummary {
        SentSummary::with_fingerprint(status, fingerprint(status))
    }

    /// The summary of `status`, whose [`fingerprint`] is `fingerprint`.
    pub fn with_fingerprint(status: &PodStatus, fingerprint: u64) -> SentSummary {
        let mut kubelet: [Option<KubeletCondition>; KUBELET_CONDITIONS.len()] = Default::default();
        let mut seen = [false; KUBELET_CONDITIONS.len()];
        let mut others = Vec::new();
        for c in status.conditions.iter().flatten() {
            let index = KUBELET_CONDITIONS.iter().position(|k| *k == c.type_);
            let first = index.filter(|&i| !seen[i]);
            if let Some(i) = index {
                seen[i] = true;
            }
            let shown = match c.status.as_str() {
                "True" => Some(true),
                "False" => Some(false),
                _ => None,
            };
            match (first, shown) {
                (Some(i), Some(status)) => {
                    kubelet[i] = Some(KubeletCondition {
                        status,
                        since: c.last_transition_time.clone(),
                    });
                }
                (Some(_) | None, _) => {
                    others.push((Box::from(c.type_.as_str()), Box::from(c.status.as_str())));
                }
            }
        }
        let sent = |init: bool, statuses: &Option<Vec<ContainerStatus>>| {
            statuses
                .iter()
                .flatten()
                .map(move |s| SentContainer {
                    name: Box::from(s.name.as_str()),
                    init,
                    terminated: s.state.as_ref().is_some_and(|s| s.terminated.is_some()),
                    waiting_message: s
                        .state
                        .as_ref()
                        .and_then(|s| s.waiting.as_ref())
                        .and_then(|w| w.message.as_deref())
                        .map(Box::from),
                    last_state: s
                        .last_state
                        .as_ref()
                        .filter(|state| **state != ContainerState::default())
                        .map(|state| Box::new(state.clone())),
                })
                .collect::<Vec<_>>()
        };
        let mut containers = sent(false, &status.container_statuses);
        containers.extend(sent(true, &status.init_container_statuses));
        SentSummary {
            fingerprint,
            kubelet,
            others,
            containers,
        }
    }
}

/// A container's status in the status last sent, as [`SentView::container`] reads it.
#[derive(Clone, Copy, Debug)]
pub struct PreviousContainer<'a> {
    /// `lastState` (None or empty read the same).
    pub last_state: Option<&'a ContainerState>,
    /// `state.waiting.message`.
    pub waiting_message: Option<&'a str>,
}

/// The status last sent: the API's copy that shows it, or the worker's summary.
#[derive(Clone, Copy, Debug)]
pub enum SentView<'a> {
    /// The whole status.
    Full(&'a PodStatus),
    /// The summary kept until the echo.
    Summary(&'a SentSummary),
}

impl<'a> SentView<'a> {
    /// The `lastTransitionTime` of the first condition of the kubelet's type `kind` when its
    /// status is `status` (`True`/`False`).
    pub fn transition_time(self, kind: &str, status: &str) -> Option<Time> {
        match self {
            SentView::Full(sent) => sent
                .conditions
                .as_ref()
                .and_then(|cs| cs.iter().find(|c| c.type_ == kind))
                .filter(|c| c.status == status)
                .and_then(|c| c.last_transition_time.clone()),
            SentView::Summary(summary) => {
                let index = KUBELET_CONDITIONS.iter().position(|k| *k == kind)?;
                summary.kubelet.get(index)?.as_ref().and_then(|c| {
                    let shown = if c.status { "True" } else { "False" };
                    (shown == status).then(|| c.since.clone()).flatten()
                })
            }
        }
    }

    /// Whether any condition sent satisfies `test(type, status)`.
    pub fn any_condition(self, mut test: impl FnMut(&str, &str) -> bool) -> bool {
        match self {
            SentView::Full(sent) => sent
                .conditions
                .iter()
                .flatten()
                .any(|c: &PodCondition| test(&c.type_, &c.status)),
            SentView::Summary(summary) => {
                KUBELET_CONDITIONS
                    .iter()
                    .zip(&summary.kubelet)
                    .any(|(kind, c)| {
                        c.as_ref()
                            .is_some_and(|c| test(kind, if c.status { "True" } else { "False" }))
                    })
                    || summary
                        .others
                        .iter()
                        .any(|(kind, status)| test(kind, status))
            }
        }
    }

    /// The first status of container `name` in `initContainerStatuses` (`init`) or
    /// `containerStatuses`.
    pub fn container(self, init: bool, name: &str) -> Option<PreviousContainer<'a>> {
        match self {
            SentView::Full(sent) => {
                let list = if init {
                    sent.init_container_statuses.as_deref()
                } else {
                    sent.container_statuses.as_deref()
                };
                list?
                    .iter()
                    .find(|s| s.name == name)
                    .map(|s| PreviousContainer {
                        last_state: s.last_state.as_ref(),
                        waiting_message: s
                            .state
                            .as_ref()
                            .and_then(|s| s.waiting.as_ref())
                            .and_then(|w| w.message.as_deref()),
                    })
            }
            SentView::Summary(summary) => summary
                .containers
                .iter()
                .find(|c| c.init == init && *c.name == *name)
                .map(|c| PreviousContainer {
                    last_state: c.last_state.as_deref(),
                    waiting_message: c.waiting_message.as_deref(),
                }),
        }
    }

    /// Whether the first status of container `name` (`containerStatuses`, then
    /// `initContainerStatuses`) showed it `terminated`.
    pub fn shows_terminated(self, name: &str) -> bool {
        match self {
            SentView::Full(sent) => sent
                .container_statuses
                .iter()
                .chain(sent.init_container_statuses.iter())
                .flatten()
                .find(|s| s.name == name)
                .and_then(|s| s.state.as_ref())
                .is_some_and(|s| s.terminated.is_some()),
            SentView::Summary(summary) => summary
                .containers
                .iter()
                .find(|c| *c.name == *name)
                .is_some_and(|c| c.terminated),
        }
    }

    /// Whether `status` is the status sent (for the summary: has its fingerprint).
    pub fn is(self, status: &PodStatus) -> bool {
        self.is_with(status, &mut None)
    }

    /// [`SentView::is`], keeping the fingerprint of `status` in `known` (computed only if
    /// needed and not known yet).
    pub fn is_with(self, status: &PodStatus, known: &mut Option<u64>) -> bool {
        match self {
            SentView::Full(sent) => sent == status,
            SentView::Summary(summary) => {
                summary.fingerprint == *known.get_or_insert_with(|| fingerprint(status))
            }
        }
    }
}

/// Feeds `Debug` text to a hasher (for the fields a kubelet status never sets).
struct DebugHasher<'h>(&'h mut FingerprintHasher);

impl std::fmt::Write for DebugHasher<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.write(s.as_bytes());
        Ok(())
    }
}

/// Hashes a field the kubelet's status never sets: a tag when it is absent (the usual
/// case, cheap), else its `Debug` text.
fn hash_debug<T: std::fmt::Debug>(h: &mut FingerprintHasher, value: &Option<T>) {
    use std::fmt::Write as _;
    let Some(value) = value else {
        h.write_u8(0);
        return;
    };
    h.write_u8(1);
    // Writing into a hasher cannot fail.
    let _ = write!(DebugHasher(h), "{value:?}");
    h.write_u8(0xfe);
}

fn hash_time(h: &mut FingerprintHasher, time: &Option<Time>) {
    match time {
        None => h.write_u8(0),
        Some(t) => {
            h.write_u8(1);
            h.write_i64(t.0.as_second());
            h.write_i32(t.0.subsec_nanosecond());
        }
    }
}

fn hash_state(h: &mut FingerprintHasher, state: &Option<ContainerState>) {
    let Some(ContainerState {
        running,
        terminated,
        waiting,
    }) = state
    else {
        h.write_u8(0);
        return;
    };
    h.write_u8(1);
    match running {
        None => h.write_u8(0),
        Some(r) => {
            h.write_u8(1);
            hash_time(h, &r.started_at);
        }
    }
    match terminated {
        None => h.write_u8(0),
        Some(t) => {
            h.write_u8(1);
            t.container_id.hash(h);
            t.exit_code.hash(h);
            hash_time(h, &t.finished_at);
            t.message.hash(h);
            t.reason.hash(h);
            t.signal.hash(h);
            hash_time(h, &t.started_at);
        }
    }
    match waiting {
        None => h.write_u8(0),
        Some(w) => {
            h.write_u8(1);
            w.message.hash(h);
            w.reason.hash(h);
        }
    }
}

fn hash_container_statuses(h: &mut FingerprintHasher, statuses: &Option<Vec<ContainerStatus>>) {
    let Some(statuses) = statuses else {
        h.write_u8(0);
        return;
    };
    h.write_u8(1);
    h.write_usize(statuses.len());
    for s in statuses {
        let ContainerStatus {
            allocated_resources,
            allocated_resources_status,
            container_id,
            image,
            image_id,
            last_state,
            name,
            ready,
            resources,
            restart_count,
            started,
            state,
            stop_signal,
            user,
            volume_mounts,
        } = s;
        name.hash(h);
        image.hash(h);
        image_id.hash(h);
        container_id.hash(h);
        ready.hash(h);
        restart_count.hash(h);
        started.hash(h);
        stop_signal.hash(h);
        hash_state(h, state);
        hash_state(h, last_state);
        // Fields the kubelet's status never sets: hashed through their `Debug` text.
        hash_debug(h, allocated_resources);
        hash_debug(h, allocated_resources_status);
        hash_debug(h, resources);
        hash_debug(h, user);
        hash_debug(h, volume_mounts);
    }
}

/// Hashes every field of a pod condition.
pub(super) fn hash_condition(h: &mut FingerprintHasher, condition: &PodCondition) {
    let PodCondition {
        last_probe_time,
        last_transition_time,
        message,
        observed_generation,
        reason,
        status,
        type_,
    } = condition;
    type_.hash(h);
    status.hash(h);
    reason.hash(h);
    message.hash(h);
    observed_generation.hash(h);
    hash_time(h, last_transition_time);
    hash_time(h, last_probe_time);
}

fn hash_ips<'s>(h: &mut FingerprintHasher, ips: Option<impl ExactSizeIterator<Item = &'s String>>) {
    match ips {
        None => h.write_u8(0),
        Some(ips) => {
            h.write_u8(1);
            h.write_usize(ips.len());
            for ip in ips {
                ip.hash(h);
            }
        }
    }
}

/// Collects the bytes of a fingerprint and hashes them once with XXH3 when finished: the
/// fingerprints are fed in many tiny writes (a byte, a short string, `Debug` text piece by
/// piece), which a streaming hasher pays for one by one.
#[derive(Default)]
pub(super) struct FingerprintHasher(Vec<u8>);

impl Hasher for FingerprintHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }

    fn finish(&self) -> u64 {
        xxhash_rust::xxh3::xxh3_64(&self.0)
    }
}

/// A 64-bit XXH3 (specified, the same on every target; std's SipHash was ~9 % of a
/// `kubeplay sim` run's instructions here) of every field of `status`: two different
/// statuses get the same fingerprint with a chance of 2^-64.
pub fn fingerprint(status: &PodStatus) -> u64 {
    let PodStatus {
        conditions,
        container_statuses,
        ephemeral_container_statuses,
        host_ip,
        host_ips,
        init_container_statuses,
        message,
        nominated_node_name,
        observed_generation,
        phase,
        pod_ip,
        pod_ips,
        qos_class,
        reason,
        resize,
        resource_claim_statuses,
        start_time,
    } = status;
    let mut h = FingerprintHasher::default();
    phase.hash(&mut h);
    qos_class.hash(&mut h);
    hash_time(&mut h, start_time);
    reason.hash(&mut h);
    message.hash(&mut h);
    host_ip.hash(&mut h);
    hash_ips(
        &mut h,
        host_ips.as_deref().map(|ips| ips.iter().map(|ip| &ip.ip)),
    );
    pod_ip.hash(&mut h);
    hash_ips(
        &mut h,
        pod_ips.as_deref().map(|ips| ips.iter().map(|ip| &ip.ip)),
    );
    nominated_node_name.hash(&mut h);
    observed_generation.hash(&mut h);
    resize.hash(&mut h);
    match conditions {
        None => h.write_u8(0),
        Some(conditions) => {
            h.write_u8(1);
            h.write_usize(conditions.len());
            for c in conditions {
                hash_condition(&mut h, c);
            }
        }
    }
    hash_container_statuses(&mut h, init_container_statuses);
    hash_container_statuses(&mut h, container_statuses);
    hash_container_statuses(&mut h, ephemeral_container_statuses);
    hash_debug(&mut h, resource_claim_statuses);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{ContainerStateTerminated, ContainerStateWaiting};
    use serde_json::json;

    fn status(value: serde_json::Value) -> PodStatus {
        serde_json::from_value(value).unwrap()
    }

    fn sample() -> PodStatus {
        status(json!({
            "phase": "Running",
            "conditions": [
                {"type": "DisruptionTarget", "status": "True", "lastTransitionTime": "2025-01-01T00:00:01Z"},
                {"type": "PodReadyToStartContainers", "status": "True", "lastTransitionTime": "2025-01-01T00:00:02Z"},
                {"type": "Initialized", "status": "True", "lastTransitionTime": "2025-01-01T00:00:03Z"},
                {"type": "Ready", "status": "False", "lastTransitionTime": "2025-01-01T00:00:04Z"},
                {"type": "ContainersReady", "status": "Unknown", "lastTransitionTime": "2025-01-01T00:00:05Z"},
                {"type": "PodScheduled", "status": "True", "lastTransitionTime": "2025-01-01T00:00:06Z"},
                {"type": "Ready", "status": "True"}
            ],
            "initContainerStatuses": [
                {"name": "init", "image": "busybox", "imageID": "", "ready": false, "restartCount": 0,
                 "state": {"terminated": {"exitCode": 0, "reason": "Completed"}},
                 "lastState": {}}
            ],
            "containerStatuses": [
                {"name": "app", "image": "nginx", "imageID": "", "ready": false, "restartCount": 2,
                 "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 20s"}},
                 "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}}},
                {"name": "side", "image": "nginx", "imageID": "", "ready": true, "restartCount": 0,
                 "state": {"running": {"startedAt": "2025-01-01T00:00:07Z"}},
                 "lastState": {}}
            ]
        }))
    }

    #[test]
    fn the_summary_reads_as_the_whole_status_does() {
        let sent = sample();
        let summary = SentSummary::of(&sent);
        let (full, kept) = (SentView::Full(&sent), SentView::Summary(&summary));
        for kind in KUBELET_CONDITIONS {
            for status in ["True", "False"] {
                assert_eq!(
                    full.transition_time(kind, status),
                    kept.transition_time(kind, status),
                    "{kind} {status}"
                );
            }
        }
        for (kind, status) in [
            ("DisruptionTarget", "True"),
            ("ContainersReady", "Unknown"),
            ("Ready", "True"),
            ("Ready", "False"),
            ("Ready", "Unknown"),
            ("PodScheduled", "False"),
        ] {
            let test = |k: &str, s: &str| k == kind && s == status;
            assert_eq!(
                full.any_condition(test),
                kept.any_condition(test),
                "{kind} {status}"
            );
        }
        for name in ["init", "app", "side", "none"] {
            for init in [false, true] {
                let (a, b) = (full.container(init, name), kept.container(init, name));
                assert_eq!(a.is_some(), b.is_some(), "{name} {init}");
                if let (Some(a), Some(b)) = (a, b) {
                    assert_eq!(
                        a.last_state.filter(|s| **s != ContainerState::default()),
                        b.last_state,
                        "{name}"
                    );
                    assert_eq!(a.waiting_message, b.waiting_message, "{name}");
                }
            }
            assert_eq!(
                full.shows_terminated(name),
                kept.shows_terminated(name),
                "{name}"
            );
        }
        assert!(kept.is(&sent) && full.is(&sent));
    }

    #[test]
    fn any_change_of_the_status_changes_its_fingerprint() {
        let sent = sample();
        let summary = SentSummary::of(&sent);
        let mut changes: Vec<PodStatus> = Vec::new();
        let mut change = |edit: &dyn Fn(&mut PodStatus)| {
            let mut other = sent.clone();
            edit(&mut other);
            changes.push(other);
        };
        change(&|s| s.phase = Some("Pending".to_string()));
        change(&|s| s.conditions.as_mut().unwrap()[3].status = "True".to_string());
        change(&|s| {
            s.conditions.as_mut().unwrap()[1].last_transition_time = Some(Time(
                k8s_openapi::jiff::Timestamp::new(1_735_689_602, 1).unwrap(),
            ));
        });
        change(&|s| s.container_statuses.as_mut().unwrap()[0].restart_count = 3);
        change(&|s| {
            s.container_statuses.as_mut().unwrap()[0].state = Some(ContainerState {
                waiting: Some(ContainerStateWaiting {
                    reason: Some("CrashLoopBackOff".to_string()),
                    message: Some("back-off 40s".to_string()),
                }),
                ..ContainerState::default()
            });
        });
        change(&|s| {
            s.init_container_statuses.as_mut().unwrap()[0].last_state = Some(ContainerState {
                terminated: Some(ContainerStateTerminated {
                    exit_code: 1,
                    ..ContainerStateTerminated::default()
                }),
                ..ContainerState::default()
            });
        });
        change(&|s| s.container_statuses.as_mut().unwrap().swap(0, 1));
        change(&|s| s.pod_ip = Some("10.244.0.5".to_string()));
        change(&|s| s.container_statuses.as_mut().unwrap()[1].user = Some(Default::default()));
        for other in &changes {
            assert!(!SentView::Summary(&summary).is(other), "{other:?}");
        }
        assert_eq!(fingerprint(&sent), fingerprint(&sent.clone()));
    }
}
