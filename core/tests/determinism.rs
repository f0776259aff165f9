//! Determinism: one seeded scenario must record the same trace, bit for bit, natively and on
//! wasm32.
//!
//! [`run_scenario`] drives the simulation kernel the way a host does: it takes the next event
//! off the queue, moves the virtual clock there, lets a handler draw from the seeded RNG
//! (UIDs, `generateName` suffixes, delays, choices), schedule and cancel further events, and
//! append trace records. The trace hash at the end is compared with [`EXPECTED_TRACE_HASH`],
//! recorded from a native run. The same test runs under `cargo test` and, through
//! wasm-bindgen-test, under node for `wasm32-unknown-unknown` (`cargo xtask test` does both):
//! anything that makes the two targets differ — `usize` width, hashing, float or time
//! formatting, map order — changes the hash on one of them.
//!
//! To extend the scenario (e.g. to drive the API server), add a [`Step`] variant and its
//! handler, seed it from [`Scenario::start`], and re-record the constants from a native run
//! (the failure message prints the new values).

use kubeplay_core::sim::{
    EventId, EventQueue, SimRng, StoreOp, Timestamp, Trace, TraceRecord, TraceRetention,
    VirtualClock, WatchEventType,
};
use std::collections::BTreeMap;
use std::time::Duration;

/// The scenario's seed ("kubeplay" in ASCII).
const SEED: u64 = 0x6b75_6265_706c_6179;
/// The trace hash [`run_scenario`] gives for [`SEED`], recorded natively.
const EXPECTED_TRACE_HASH: u64 = 0x9abc_1dbb_03e6_0ed5;
/// How many records that trace holds.
const EXPECTED_RECORDS: u64 = 859;

/// The most events one run may process, so a scheduling bug cannot loop forever.
const MAX_STEPS: usize = 10_000;

const NODES: [&str; 3] = ["node-1", "node-2", "node-3"];
const NAMESPACES: [&str; 2] = ["default", "shop"];
const APPS: [&str; 4] = ["web", "api", "worker", "cache"];

/// What the scenario's event queue holds: one variant per kind of thing that happens.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// A user creates `count` pods from one `generateName` base.
    CreatePods {
        namespace: &'static str,
        app: &'static str,
        count: usize,
    },
    /// The scheduler binds a pending pod to a node.
    BindPod { key: String },
    /// A pod's containers finished starting on its node.
    ContainersStarted { key: String },
    /// A user deletes a random pod.
    DeleteRandomPod,
    /// A node reports that it is alive.
    NodeHeartbeat { node: &'static str },
}

/// Where a simulated pod is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PodState {
    /// Created, not yet bound.
    Pending,
    /// Bound to a node, containers starting; the start event can still be cancelled.
    Starting { node: &'static str, start: EventId },
    /// Running on a node.
    Running { node: &'static str },
}

/// The simulated world: the kernel (clock, queue, RNG, trace) plus the scenario's own state.
struct Scenario {
    clock: VirtualClock,
    queue: EventQueue<Step>,
    rng: SimRng,
    trace: Trace,
    revision: u64,
    next_watch_id: u64,
    /// Pods by store key (`/registry/pods/<namespace>/<name>`); a BTreeMap so that iteration
    /// order (and so random choices among pods) is the same everywhere.
    pods: BTreeMap<String, PodState>,
}

impl Scenario {
    fn new(seed: u64) -> Self {
        Scenario {
            clock: VirtualClock::default(),
            queue: EventQueue::new(),
            rng: SimRng::from_seed(seed),
            trace: Trace::new(TraceRetention::Last(64)),
            revision: 1,
            next_watch_id: 1,
            pods: BTreeMap::new(),
        }
    }

    /// The scenario's inputs: waves of user commands and node heartbeats.
    fn start(&mut self) {
        for wave in 0..12u64 {
            let wave_at = Duration::from_secs(wave * 20);
            let namespace = self.pick(&NAMESPACES);
            let app = self.pick(&APPS);
            let count = self.rng.gen_range(1..=6usize).unwrap_or(1);
            self.schedule_after(
                wave_at,
                Step::CreatePods {
                    namespace,
                    app,
                    count,
                },
            );
            let deletions = self.rng.gen_range(0..3u32).unwrap_or(0);
            for _ in 0..deletions {
                let jitter = Duration::from_millis(self.rng.gen_range(500..15_000).unwrap_or(0));
                self.schedule_after(wave_at + jitter, Step::DeleteRandomPod);
            }
        }
        for node in NODES {
            let first = Duration::from_millis(self.rng.gen_range(0..10_000).unwrap_or(0));
            self.schedule_after(first, Step::NodeHeartbeat { node });
        }
    }

    /// Processes events until none are left; returns the trace.
    fn run(mut self) -> Trace {
        self.start();
        for _ in 0..MAX_STEPS {
            let Some(next) = self.queue.pop_next_advancing(&mut self.clock) else {
                break;
            };
            self.handle(next.event);
        }
        self.trace
    }

    fn handle(&mut self, step: Step) {
        match step {
            Step::CreatePods {
                namespace,
                app,
                count,
            } => self.handle_create_pods(namespace, app, count),
            Step::BindPod { key } => self.handle_bind_pod(key),
            Step::ContainersStarted { key } => self.handle_containers_started(key),
            Step::DeleteRandomPod => self.handle_delete_random_pod(),
            Step::NodeHeartbeat { node } => self.handle_node_heartbeat(node),
        }
    }

    fn handle_create_pods(&mut self, namespace: &'static str, app: &'static str, count: usize) {
        for _ in 0..count {
            let name = self.rng.generate_name(&format!("{app}-"));
            let uid = self.rng.uid();
            let key = format!("/registry/pods/{namespace}/{name}");
            self.api_request(
                "kubectl",
                "create",
                "pods",
                Some(namespace),
                Some(&name),
                201,
            );
            self.commit(&key, StoreOp::Create, WatchEventType::Added);
            let created = self.clock.now().to_rfc3339().unwrap_or_default();
            self.trace.record(TraceRecord::Custom {
                at: self.clock.now(),
                component: "kube-apiserver".into(),
                kind: "objectCreated".into(),
                data: serde_json::json!({
                    "uid": uid,
                    "creationTimestamp": created,
                    "labels": { "app": app },
                }),
            });
            self.pods.insert(key.clone(), PodState::Pending);
            let delay = Duration::from_millis(self.rng.gen_range(5..200).unwrap_or(5));
            self.schedule_after(delay, Step::BindPod { key });
        }
    }

    fn handle_bind_pod(&mut self, key: String) {
        if self.pods.get(&key) != Some(&PodState::Pending) {
            return; // deleted meanwhile
        }
        let mut candidates = NODES;
        self.rng.shuffle(&mut candidates);
        let node = self.pick(&candidates);
        let score = self.rng.gen_range(0..=100u32).unwrap_or(0);
        self.trace.record(TraceRecord::Custom {
            at: self.clock.now(),
            component: "kube-scheduler".into(),
            kind: "schedulingDecision".into(),
            data: serde_json::json!({ "pod": key, "node": node, "score": score, "order": candidates }),
        });
        let (namespace, name) = namespace_and_name(&key);
        self.api_request(
            "kube-scheduler",
            "create",
            "pods/binding",
            namespace,
            name,
            201,
        );
        self.commit(&key, StoreOp::Update, WatchEventType::Modified);
        // Pulling layers that are not cached takes long; cached images start at once.
        let cached = self.rng.gen_ratio(2, 3);
        let start_ms = if cached {
            self.rng.gen_range(300..900)
        } else {
            self.rng.gen_range(2_000..12_000)
        };
        let start = self.schedule_after(
            Duration::from_millis(start_ms.unwrap_or(300)),
            Step::ContainersStarted { key: key.clone() },
        );
        self.pods.insert(key, PodState::Starting { node, start });
    }

    fn handle_containers_started(&mut self, key: String) {
        let Some(PodState::Starting { node, .. }) = self.pods.get(&key).cloned() else {
            return;
        };
        self.trace.record(TraceRecord::Note {
            at: self.clock.now(),
            component: format!("kubelet/{node}"),
            message: format!("started containers of {key}"),
        });
        let (namespace, name) = namespace_and_name(&key);
        self.api_request(
            &format!("kubelet/{node}"),
            "patch",
            "pods/status",
            namespace,
            name,
            200,
        );
        self.commit(&key, StoreOp::Update, WatchEventType::Modified);
        self.pods.insert(key, PodState::Running { node });
    }

    fn handle_delete_random_pod(&mut self) {
        let keys: Vec<String> = self.pods.keys().cloned().collect();
        let Some(key) = self.rng.choose(&keys).cloned() else {
            self.api_request(
                "kubectl",
                "delete",
                "pods",
                Some("default"),
                Some("missing"),
                404,
            );
            return;
        };
        let (namespace, name) = namespace_and_name(&key);
        self.api_request("kubectl", "delete", "pods", namespace, name, 200);
        self.commit(&key, StoreOp::Delete, WatchEventType::Deleted);
        match self.pods.remove(&key) {
            Some(PodState::Starting { start, .. }) => {
                let cancelled = self.queue.cancel(start).is_some();
                self.trace.record(TraceRecord::Note {
                    at: self.clock.now(),
                    component: "kubelet".into(),
                    message: format!("stopped starting {key} (start event cancelled: {cancelled})"),
                });
            }
            Some(PodState::Pending) | Some(PodState::Running { .. }) | None => {}
        }
    }

    fn handle_node_heartbeat(&mut self, node: &'static str) {
        let running = self
            .pods
            .values()
            .filter(|state| matches!(state, PodState::Running { node: on } if *on == node))
            .count();
        self.api_request(
            &format!("kubelet/{node}"),
            "update",
            "leases",
            Some("kube-node-lease"),
            Some(node),
            200,
        );
        self.trace.record(TraceRecord::Custom {
            at: self.clock.now(),
            component: format!("kubelet/{node}"),
            kind: "heartbeat".into(),
            data: serde_json::json!({ "runningPods": running, "load": running as f64 / 7.0 }),
        });
        // Heartbeats stop after five simulated minutes so the run ends.
        let next = self.clock.now() + Duration::from_secs(10);
        if next < kubeplay_core::sim::SIMULATION_EPOCH + Duration::from_secs(300) {
            self.schedule_at(next, Step::NodeHeartbeat { node });
        }
    }

    fn pick(&mut self, items: &[&'static str]) -> &'static str {
        self.rng.choose(items).copied().unwrap_or_default()
    }

    fn schedule_after(&mut self, delay: Duration, step: Step) -> EventId {
        let at = self.clock.now() + delay;
        self.schedule_at(at, step)
    }

    fn schedule_at(&mut self, at: Timestamp, step: Step) -> EventId {
        match self.queue.schedule(at, step) {
            Ok(id) => id,
            Err(error) => panic!("scenario overflowed its event queue: {error}"),
        }
    }

    fn api_request(
        &mut self,
        user: &str,
        verb: &str,
        resource: &str,
        namespace: Option<&str>,
        name: Option<&str>,
        code: u16,
    ) {
        self.trace.record(TraceRecord::ApiRequest {
            at: self.clock.now(),
            user: user.into(),
            verb: verb.into(),
            resource: resource.into(),
            namespace: namespace.map(str::to_string),
            name: name.map(str::to_string),
            code,
        });
    }

    /// A store commit and its delivery to a random number of watchers.
    fn commit(&mut self, key: &str, op: StoreOp, event_type: WatchEventType) {
        self.revision += 1;
        self.trace.record(TraceRecord::StoreCommit {
            at: self.clock.now(),
            revision: self.revision,
            key: key.to_string(),
            op,
        });
        let watchers = self.rng.gen_range(1..=3u64).unwrap_or(1);
        for _ in 0..watchers {
            let watch_id = self.next_watch_id;
            self.next_watch_id += 1;
            self.trace.record(TraceRecord::WatchDelivery {
                at: self.clock.now(),
                watch_id,
                revision: self.revision,
                event_type,
                key: key.to_string(),
            });
        }
    }
}

/// The namespace and name in a pod's store key.
fn namespace_and_name(key: &str) -> (Option<&str>, Option<&str>) {
    match key
        .strip_prefix("/registry/pods/")
        .and_then(|rest| rest.split_once('/'))
    {
        Some((namespace, name)) => (Some(namespace), Some(name)),
        None => (None, None),
    }
}

/// Runs the scenario for `seed` and returns its trace (the last 64 records and the hash).
fn run_scenario(seed: u64) -> Trace {
    Scenario::new(seed).run()
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn the_seeded_scenario_records_the_expected_trace_hash_on_every_target() {
    let trace = run_scenario(SEED);
    assert_eq!(
        (trace.hash(), trace.total_recorded()),
        (EXPECTED_TRACE_HASH, EXPECTED_RECORDS),
        "seed {SEED:#x} on {}: trace hash {:#018x} over {} records; expected {EXPECTED_TRACE_HASH:#018x} \
         over {EXPECTED_RECORDS} (if the scenario or a trace format changed on purpose, record the new values)",
        std::env::consts::ARCH,
        trace.hash(),
        trace.total_recorded(),
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn running_the_scenario_twice_gives_the_same_trace() {
    let first = run_scenario(SEED);
    let second = run_scenario(SEED);
    assert_eq!(first.hash(), second.hash());
    let first_tail: Vec<&TraceRecord> = first.retained().map(|(_, record)| record).collect();
    let second_tail: Vec<&TraceRecord> = second.retained().map(|(_, record)| record).collect();
    assert_eq!(first_tail, second_tail);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn another_seed_gives_another_trace() {
    assert_ne!(run_scenario(SEED).hash(), run_scenario(SEED + 1).hash());
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn the_scenario_exercises_every_kind_of_record_and_a_few_hundred_events() {
    let trace = run_scenario(SEED);
    assert!(
        trace.total_recorded() > 300,
        "{} records",
        trace.total_recorded()
    );
    let mut full = Scenario::new(SEED);
    full.trace = Trace::new(TraceRetention::All);
    let trace = full.run();
    let kinds: std::collections::BTreeSet<&str> = trace
        .retained()
        .map(|(_, record)| match record {
            TraceRecord::ApiRequest { .. } => "apiRequest",
            TraceRecord::StoreCommit { .. } => "storeCommit",
            TraceRecord::WatchDelivery { .. } => "watchDelivery",
            TraceRecord::Note { .. } => "note",
            TraceRecord::Custom { .. } => "custom",
        })
        .collect();
    assert_eq!(kinds.len(), 5, "{kinds:?}");
    assert_eq!(trace.hash(), run_scenario(SEED).hash());
}
