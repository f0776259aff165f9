//! Determinism: one seeded scenario must record the same trace, bit for bit, natively and on
//! wasm32.
//!
//! [`run_scenario`] drives the real API server the way a host does: it takes the next event
//! off the simulation's queue, moves the virtual clock there, and turns the event into API
//! requests whose choices (which pod, which labels, how many replicas) come from the seeded
//! RNG. Every API request, store commit and watch delivery lands in the trace, and a note per
//! write carries the object's generated name, uid, timestamps and resourceVersion, so
//! anything that makes the two targets differ — `usize` width, hashing, time formatting, map
//! order, serialization — changes the hash on one of them. The same test runs under
//! `cargo test` and, through wasm-bindgen-test, under node for `wasm32-unknown-unknown`
//! (`cargo xtask test` does both).
//!
//! When the scenario or the API server's behaviour changes on purpose, re-record
//! [`EXPECTED_TRACE_HASH`] and [`EXPECTED_RECORDS`] from a native run: the failure message
//! prints the new values.

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::{Binding, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kubeplay_core::api::objects::{Kind, Object};
use kubeplay_core::api::patch::PatchType;
use kubeplay_core::apiserver::{
    ApiServer, ApiWatchId, DeleteOptions, ListOptions, PropagationPolicy, WatchOptions,
};
use kubeplay_core::sim::clock::{Timestamp, VirtualClock, SIM_EPOCH};
use kubeplay_core::sim::queue::EventQueue;
use kubeplay_core::sim::rng::SimRng;
use kubeplay_core::sim::trace::{Trace, TraceRecord};
use serde_json::json;

/// The scenario's seed ("kubeplay" in ASCII).
const SEED: u64 = 0x6b75_6265_706c_6179;
/// The trace hash [`run_scenario`] gives for [`SEED`], recorded natively.
const EXPECTED_TRACE_HASH: u64 = 0x4552_8533_02a0_3105;
/// How many records that trace holds.
const EXPECTED_RECORDS: u64 = 851;

/// The control loops stop re-arming after this much virtual time.
const SCENARIO_LENGTH_MS: u64 = 240_000;

/// The most events one run may process, so a scheduling bug cannot loop forever.
const MAX_STEPS: usize = 5_000;

const NODES: [&str; 3] = ["node-1", "node-2", "node-3"];
const NAMESPACES: [&str; 2] = ["default", "shop"];
const APPS: [&str; 4] = ["web", "api", "worker", "cache"];

/// What the scenario's event queue holds.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// A user creates `count` pods of one app with `generateName`.
    CreatePods {
        namespace: &'static str,
        app: &'static str,
        count: u64,
    },
    /// A user creates (or scales) a Deployment.
    ApplyDeployment {
        namespace: &'static str,
        app: &'static str,
        replicas: u64,
    },
    /// The scheduler binds every pending pod it sees to a random node.
    ScheduleAll,
    /// Kubelets report pods on their nodes as Running.
    ReportRunning,
    /// A user relabels a random pod (moving it in and out of selective watches).
    RelabelRandomPod,
    /// A user deletes a random pod (graceful when it is on a node).
    DeleteRandomPod,
    /// A user lists pods with a selector, page by page.
    ListPaged,
}

struct Scenario {
    clock: VirtualClock,
    queue: EventQueue<Step>,
    rng: SimRng,
    api: ApiServer,
    watches: Vec<ApiWatchId>,
    trace: Trace,
}

impl Scenario {
    fn new(seed: u64) -> Scenario {
        let mut api = ApiServer::new(seed, SIM_EPOCH);
        api.set_user("scenario");
        let shop = Object::from_value(
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}),
        )
        .expect("a namespace manifest");
        api.create("", shop).expect("the shop namespace");
        let watches = vec![
            api.watch(Kind::Pod, None, &WatchOptions::default())
                .expect("pod watch"),
            api.watch(
                Kind::Pod,
                Some("default"),
                &WatchOptions {
                    label_selector: Some("app in (web, api)".into()),
                    ..Default::default()
                },
            )
            .expect("selective pod watch"),
            api.watch(Kind::Deployment, None, &WatchOptions::default())
                .expect("deployment watch"),
        ];
        Scenario {
            clock: VirtualClock::new(SIM_EPOCH),
            queue: EventQueue::new(),
            rng: SimRng::seed_from(seed ^ 0x5ce7_a210),
            api,
            watches,
            trace: Trace::keeping_last(64),
        }
    }

    fn pick(&mut self, items: &[&'static str]) -> &'static str {
        self.rng.choose(items).copied().unwrap_or("default")
    }

    fn rearm(&mut self, delay_ms: u64, step: Step) {
        if self.clock.now().since(SIM_EPOCH) < Duration::from_millis(SCENARIO_LENGTH_MS) {
            self.after(delay_ms, step);
        }
    }

    fn after(&mut self, delay_ms: u64, step: Step) {
        let at = self.clock.now().plus(Duration::from_millis(delay_ms));
        self.queue.schedule(at, step);
    }

    /// The scenario's inputs: waves of user commands; the control loops re-arm themselves.
    fn start(&mut self) {
        for wave in 0..10u64 {
            let at = wave * 20_000;
            let namespace = self.pick(&NAMESPACES);
            let app = self.pick(&APPS);
            let count = 1 + self.rng.below(5);
            self.after(
                at,
                Step::CreatePods {
                    namespace,
                    app,
                    count,
                },
            );
            let replicas = 1 + self.rng.below(4);
            let delay = at + self.rng.below(5_000);
            self.after(
                delay,
                Step::ApplyDeployment {
                    namespace,
                    app,
                    replicas,
                },
            );
            for _ in 0..self.rng.below(3) {
                let jitter = 500 + self.rng.below(15_000);
                self.after(at + jitter, Step::DeleteRandomPod);
            }
            let delay = at + self.rng.below(20_000);
            self.after(delay, Step::RelabelRandomPod);
            self.after(at + 19_000, Step::ListPaged);
        }
        self.after(1_000, Step::ScheduleAll);
        self.after(2_000, Step::ReportRunning);
    }

    fn run(mut self) -> Trace {
        self.start();
        for _ in 0..MAX_STEPS {
            let Some((at, step)) = self.queue.pop_next() else {
                break;
            };
            self.clock.advance_to(at);
            self.api.set_time(at);
            self.handle(step);
            for id in self.watches.clone() {
                // Every watch is polled after every step, so none falls behind.
                let _ = self.api.poll_watch(id);
            }
            let records = self.api.poll_trace();
            self.trace.extend(records);
        }
        self.trace
    }

    fn note(&mut self, object: &Arc<Object>) {
        let meta = object.metadata();
        let created = meta
            .creation_timestamp
            .as_ref()
            .map(|t| Timestamp::from_k8s_time(t).to_rfc3339())
            .unwrap_or_default();
        self.trace.record(TraceRecord::Note {
            at: self.clock.now(),
            component: "scenario".into(),
            message: format!(
                "{} {} uid={} rv={} created={created} deleting={}",
                object.kind(),
                object.name(),
                meta.uid.as_deref().unwrap_or(""),
                object.resource_version().unwrap_or(""),
                meta.deletion_timestamp.is_some(),
            ),
        });
    }

    fn pods(&mut self) -> Vec<Arc<Object>> {
        self.api
            .list(Kind::Pod, None, &ListOptions::default())
            .map(|l| l.items)
            .unwrap_or_default()
    }

    fn handle(&mut self, step: Step) {
        match step {
            Step::CreatePods {
                namespace,
                app,
                count,
            } => {
                for _ in 0..count {
                    let pod = Object::from_value(json!({
                        "apiVersion": "v1", "kind": "Pod",
                        "metadata": {"generateName": format!("{app}-"), "labels": {"app": app}},
                        "spec": {"containers": [{"name": app, "image": "nginx:1.25"}]}
                    }))
                    .expect("a pod manifest");
                    if let Ok(created) = self.api.create(namespace, pod) {
                        self.note(&created);
                    }
                }
            }
            Step::ApplyDeployment {
                namespace,
                app,
                replicas,
            } => {
                let name = format!("{app}-deploy");
                let result = match self.api.get(Kind::Deployment, namespace, &name) {
                    Ok(_) => self.api.patch(
                        Kind::Deployment,
                        namespace,
                        &name,
                        PatchType::StrategicMergePatch,
                        &json!({"spec": {"replicas": replicas}}),
                        false,
                    ),
                    Err(_) => {
                        let deployment = Object::from_value(json!({
                            "apiVersion": "apps/v1", "kind": "Deployment",
                            "metadata": {"name": name},
                            "spec": {
                                "replicas": replicas,
                                "selector": {"matchLabels": {"app": app}},
                                "template": {"metadata": {"labels": {"app": app}},
                                             "spec": {"containers": [{"name": app, "image": "nginx:1.25"}]}}
                            }
                        }))
                        .expect("a deployment manifest");
                        self.api.create(namespace, deployment)
                    }
                };
                if let Ok(object) = result {
                    self.note(&object);
                }
            }
            Step::ScheduleAll => {
                self.api.set_user("kube-scheduler");
                for pod in self.pods() {
                    let unbound = pod.to_value()["spec"]["nodeName"].is_null();
                    if unbound && pod.metadata().deletion_timestamp.is_none() {
                        let node = self.pick(&NODES);
                        let binding = Binding {
                            metadata: ObjectMeta {
                                name: Some(pod.name().to_string()),
                                ..Default::default()
                            },
                            target: ObjectReference {
                                kind: Some("Node".into()),
                                name: Some(node.into()),
                                ..Default::default()
                            },
                        };
                        if let Ok(bound) = self.api.bind(pod.namespace(), &binding) {
                            self.note(&bound);
                        }
                    }
                }
                self.api.set_user("scenario");
                let delay = 1_000 + self.rng.below(2_000);
                self.rearm(delay, Step::ScheduleAll);
            }
            Step::ReportRunning => {
                for pod in self.pods() {
                    let value = pod.to_value();
                    if !value["spec"]["nodeName"].is_null() && value["status"]["phase"] == "Pending"
                    {
                        self.api.set_user(&format!(
                            "kubelet/{}",
                            value["spec"]["nodeName"].as_str().unwrap_or("")
                        ));
                        let ip =
                            format!("10.244.{}.{}", self.rng.below(3), 2 + self.rng.below(250));
                        let patch = json!({"status": {"phase": "Running", "podIP": ip}});
                        if let Ok(running) = self.api.patch(
                            Kind::Pod,
                            pod.namespace(),
                            pod.name(),
                            PatchType::MergePatch,
                            &patch,
                            true,
                        ) {
                            self.note(&running);
                        }
                    }
                    if pod.metadata().deletion_timestamp.is_some() {
                        let options = DeleteOptions {
                            grace_period_seconds: Some(0),
                            ..Default::default()
                        };
                        let _ = self
                            .api
                            .delete(Kind::Pod, pod.namespace(), pod.name(), &options);
                    }
                }
                self.api.set_user("scenario");
                let delay = 1_500 + self.rng.below(3_000);
                self.rearm(delay, Step::ReportRunning);
            }
            Step::RelabelRandomPod => {
                let pods = self.pods();
                if let Some(pod) = self.rng.choose(&pods).cloned() {
                    let app = self.pick(&APPS);
                    let patch = json!({"metadata": {"labels": {"app": app}}});
                    if let Ok(patched) = self.api.patch(
                        Kind::Pod,
                        pod.namespace(),
                        pod.name(),
                        PatchType::MergePatch,
                        &patch,
                        false,
                    ) {
                        self.note(&patched);
                    }
                }
            }
            Step::DeleteRandomPod => {
                let pods = self.pods();
                if let Some(pod) = self.rng.choose(&pods).cloned() {
                    let options = DeleteOptions {
                        propagation_policy: Some(PropagationPolicy::Background),
                        ..Default::default()
                    };
                    if let Ok(outcome) =
                        self.api
                            .delete(Kind::Pod, pod.namespace(), pod.name(), &options)
                    {
                        let object = Arc::clone(outcome.object());
                        self.note(&object);
                    }
                }
            }
            Step::ListPaged => {
                let mut options = ListOptions {
                    limit: Some(2),
                    label_selector: Some("app!=cache".into()),
                    ..Default::default()
                };
                loop {
                    let Ok(page) = self.api.list(Kind::Pod, None, &options) else {
                        break;
                    };
                    match page.continue_token {
                        Some(token) => options.continue_token = Some(token),
                        None => break,
                    }
                }
            }
        }
    }
}

fn run_scenario(seed: u64) -> Trace {
    Scenario::new(seed).run()
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn the_seeded_scenario_records_the_expected_trace_hash_on_every_target() {
    let trace = run_scenario(SEED);
    let target = if cfg!(target_arch = "wasm32") {
        "wasm32"
    } else {
        "native"
    };
    assert_eq!(
        (trace.hash(), trace.len()),
        (EXPECTED_TRACE_HASH, EXPECTED_RECORDS),
        "on {target}: trace hash {:#018x} over {} records; re-record the constants only if the change was intended",
        trace.hash(),
        trace.len()
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn the_scenario_exercises_requests_commits_and_watch_deliveries() {
    let trace = run_scenario(SEED);
    assert!(trace.len() > 500, "only {} records", trace.len());
    let mut kinds = std::collections::BTreeSet::new();
    let mut all = Trace::new();
    let mut scenario = Scenario::new(SEED);
    scenario.trace = Trace::new();
    let full = scenario.run();
    for record in full.records() {
        kinds.insert(match record {
            TraceRecord::ApiRequest { .. } => "request",
            TraceRecord::StoreCommit { .. } => "commit",
            TraceRecord::WatchDelivery { .. } => "watch",
            TraceRecord::Note { .. } => "note",
        });
        all.record(record.clone());
    }
    assert_eq!(kinds.len(), 4, "{kinds:?}");
    assert_eq!(
        all.hash(),
        trace.hash(),
        "a bounded trace hashes like a full one"
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn another_seed_gives_another_trace() {
    assert_ne!(run_scenario(SEED).hash(), run_scenario(SEED + 1).hash());
}
