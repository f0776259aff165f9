//! Scenario tests: a real `ApiServer`, one `Kubelet` and its `SimRuntime` stepped together on
//! a virtual clock, as the browser's simulation loop drives them.

use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use serde_json::json;

use super::runtime::RuntimeResult;
use super::sim_runtime::{SimRuntime, SimRuntimeConfig};
use super::*;
use crate::api::objects::Kind;
use crate::apiserver::{
    ApiServer, ApiWatchId, DeleteOptions, ListOptions, WatchEventType, WatchOptions,
};
use crate::sim::clock::SIM_EPOCH;

/// One node and the API server, on a virtual clock.
struct Harness {
    api: ApiServer,
    kubelet: Kubelet,
    runtime: SimRuntime,
    now: Timestamp,
    watch: ApiWatchId,
}

impl Harness {
    fn new(seed: u64) -> Harness {
        let mut api = ApiServer::new(seed, SIM_EPOCH);
        let watch = api
            .watch(
                Kind::Pod,
                None,
                &WatchOptions {
                    field_selector: Some("spec.nodeName=node-1".to_string()),
                    ..WatchOptions::default()
                },
            )
            .unwrap();
        let config = KubeletConfig::new("node-1", "192.168.1.11").with_pod_cidr("10.244.1.0/24");
        let runtime = SimRuntime::new(
            SimRuntimeConfig::default(),
            config.pod_cidr.as_deref().and_then(|c| c.parse().ok()),
            SIM_EPOCH,
        );
        let kubelet = Kubelet::new(config, SIM_EPOCH);
        let mut h = Harness {
            api,
            kubelet,
            runtime,
            now: SIM_EPOCH,
            watch,
        };
        h.pump();
        h
    }

    /// Moves messages between the parts until nothing is left at this instant.
    fn pump(&mut self) {
        loop {
            let mut moved = false;
            self.api.set_time(self.now);
            self.api.set_user("system:node:node-1");
            while let Some(request) = self.kubelet.poll_api_request() {
                let _ = self.api.handle(request);
                moved = true;
            }
            for event in self.api.poll_watch(self.watch).unwrap() {
                moved = true;
                match event.event_type {
                    WatchEventType::Deleted => self.kubelet.handle_pod_deleted(&event.object),
                    WatchEventType::Added | WatchEventType::Modified => {
                        self.kubelet.handle_pod(event.object)
                    }
                    WatchEventType::Bookmark => {}
                }
            }
            while let Some(command) = self.kubelet.poll_runtime_command() {
                self.runtime.handle_command(self.now, command);
                moved = true;
            }
            while let Some(result) = self.runtime.poll_result() {
                self.kubelet.handle_runtime_result(result);
                moved = true;
            }
            if !moved {
                break;
            }
        }
    }

    /// Runs the loop until `until`, waking at every timer.
    fn run_until(&mut self, until: Timestamp) {
        loop {
            self.pump();
            let next = [self.kubelet.poll_timeout(), self.runtime.poll_timeout()]
                .into_iter()
                .flatten()
                .min();
            match next {
                Some(at) if at <= until => {
                    self.now = self.now.max(at);
                    self.runtime.handle_tick(self.now);
                    self.kubelet.handle_tick(self.now);
                }
                _ => {
                    self.now = until;
                    self.runtime.handle_tick(self.now);
                    self.kubelet.handle_tick(self.now);
                    self.pump();
                    return;
                }
            }
        }
    }

    fn run_for(&mut self, secs: u64) {
        let until = self.now.plus(Duration::from_secs(secs));
        self.run_until(until);
    }

    fn create_pod(&mut self, name: &str, spec: serde_json::Value) {
        let mut spec = spec;
        spec["nodeName"] = json!("node-1");
        let pod = Object::from_value(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default"},
            "spec": spec,
        }))
        .unwrap();
        self.api.set_time(self.now);
        self.api.create("default", pod).unwrap();
        self.pump();
    }

    fn pod(&mut self, name: &str) -> Option<Pod> {
        match self.api.get(Kind::Pod, "default", name).ok()?.as_ref() {
            Object::Pod(p) => Some(p.to_pod()),
            _ => None,
        }
    }

    fn phase(&mut self, name: &str) -> String {
        self.pod(name)
            .and_then(|p| p.status?.phase)
            .unwrap_or_default()
    }

    fn waiting_reason(&mut self, name: &str) -> Option<String> {
        self.pod(name)?
            .status?
            .container_statuses?
            .first()?
            .state
            .as_ref()?
            .waiting
            .as_ref()?
            .reason
            .clone()
    }

    fn restart_count(&mut self, name: &str) -> i32 {
        self.pod(name)
            .and_then(|p| {
                p.status?
                    .container_statuses?
                    .first()
                    .map(|c| c.restart_count)
            })
            .unwrap_or(-1)
    }

    /// `(reason, message)` of the events about a pod, oldest first.
    fn events(&mut self, pod: &str) -> Vec<(String, String)> {
        let list = self
            .api
            .list(Kind::Event, Some("default"), &ListOptions::default())
            .unwrap();
        let mut events: Vec<(String, String, String)> = list
            .items
            .iter()
            .filter_map(|o| match o.as_ref() {
                Object::Event(e) if e.involved_object().name() == Some(pod) => Some((
                    e.metadata.name.clone().unwrap_or_default(),
                    e.reason().unwrap_or_default().to_string(),
                    e.message().unwrap_or_default().to_string(),
                )),
                _ => None,
            })
            .collect();
        // Names end in the hex of the event time: same length, so text order is time order.
        events.sort();
        events.into_iter().map(|(_, r, m)| (r, m)).collect()
    }

    fn reasons(&mut self, pod: &str) -> Vec<String> {
        self.events(pod).into_iter().map(|(r, _)| r).collect()
    }
}

fn nginx() -> serde_json::Value {
    json!({"containers": [{"name": "nginx", "image": "nginx:1.25"}]})
}

#[test]
fn an_nginx_pod_goes_from_container_creating_to_running_with_the_kubelet_events_in_order() {
    let mut h = Harness::new(1);
    h.create_pod("web", nginx());
    h.run_for(0);
    assert_eq!(h.phase("web"), "Pending");
    assert_eq!(
        h.waiting_reason("web").as_deref(),
        Some("ContainerCreating")
    );
    h.run_for(10);
    assert_eq!(h.phase("web"), "Running");
    let status = h.pod("web").unwrap().status.unwrap();
    assert!(status.pod_ip.unwrap().starts_with("10.244.1."));
    assert_eq!(status.host_ip.as_deref(), Some("192.168.1.11"));
    let ready = status
        .conditions
        .unwrap()
        .into_iter()
        .find(|c| c.type_ == "Ready")
        .unwrap();
    assert_eq!(ready.status, "True");
    let events = h.events("web");
    let reasons: Vec<&str> = events.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(reasons, ["Pulling", "Pulled", "Created", "Started"]);
    assert_eq!(events[0].1, "Pulling image \"nginx:1.25\"");
    assert!(
        events[1]
            .1
            .starts_with("Successfully pulled image \"nginx:1.25\" in 1."),
        "{}",
        events[1].1
    );
    assert!(
        events[1].1.ends_with(". Image size: 66902800 bytes."),
        "{}",
        events[1].1
    );
    assert_eq!(events[2].1, "Created container: nginx");
    assert_eq!(events[3].1, "Started container nginx");
}

fn started_after(h: &mut Harness, pod: &str) -> Duration {
    let p = h.pod(pod).unwrap();
    let created = Timestamp::from_k8s_time(p.metadata.creation_timestamp.as_ref().unwrap());
    let status = p.status.unwrap();
    let running = status.container_statuses.unwrap()[0]
        .state
        .clone()
        .unwrap()
        .running
        .unwrap();
    Timestamp::from_k8s_time(running.started_at.as_ref().unwrap()).since(created)
}

#[test]
fn a_second_pod_with_the_same_image_finds_it_already_present_and_starts_faster() {
    let mut h = Harness::new(2);
    h.create_pod("first", nginx());
    h.run_for(10);
    h.create_pod("second", nginx());
    h.run_for(10);
    assert_eq!(h.phase("second"), "Running");
    assert_eq!(
        h.events("second")[0],
        (
            "Pulled".to_string(),
            "Container image \"nginx:1.25\" already present on machine".to_string()
        )
    );
    assert!(started_after(&mut h, "second") < started_after(&mut h, "first"));
}

#[test]
fn an_unknown_image_goes_from_err_image_pull_to_image_pull_back_off() {
    let mut h = Harness::new(3);
    h.create_pod(
        "typo",
        json!({"containers": [{"name": "app", "image": "nginx:9.99"}]}),
    );
    h.run_for(0);
    h.run_until(h.now.plus(Duration::from_millis(1200)));
    assert_eq!(h.waiting_reason("typo").as_deref(), Some("ErrImagePull"));
    h.run_for(2);
    assert_eq!(
        h.waiting_reason("typo").as_deref(),
        Some("ImagePullBackOff")
    );
    let events = h.events("typo");
    assert!(events.contains(&("Failed".to_string(), "Error: ErrImagePull".to_string())));
    assert!(events.contains(&(
        "BackOff".to_string(),
        "Back-off pulling image \"nginx:9.99\"".to_string()
    )));
    assert!(events.contains(&("Failed".to_string(), "Error: ImagePullBackOff".to_string())));
    // The retries back off: 10 s, then 20 s, then 40 s between pulls.
    h.run_for(120);
    // The recorder correlates repeats: one `Pulling` Event whose count goes up.
    let list = h
        .api
        .list(Kind::Event, Some("default"), &ListOptions::default())
        .unwrap();
    let pulls: i32 = list
        .items
        .iter()
        .filter_map(|o| match o.as_ref() {
            Object::Event(e)
                if e.involved_object().name() == Some("typo") && e.reason() == Some("Pulling") =>
            {
                e.count()
            }
            _ => None,
        })
        .sum();
    assert!((3..=5).contains(&pulls), "{pulls} pulls in two minutes");
}

#[test]
fn a_crashing_container_reaches_crash_loop_back_off_with_growing_restart_count() {
    let mut h = Harness::new(4);
    h.create_pod(
        "crash",
        json!({"containers": [{"name": "app", "image": "kubeplay/crash"}]}),
    );
    h.run_for(20);
    assert!(h.restart_count("crash") >= 1);
    let mut seen_back_off = false;
    let mut restarts = Vec::new();
    for _ in 0..200 {
        h.run_for(1);
        if h.waiting_reason("crash").as_deref() == Some("CrashLoopBackOff") {
            seen_back_off = true;
        }
        let count = h.restart_count("crash");
        if restarts.last().map(|(c, _)| *c) != Some(count) {
            restarts.push((count, h.now));
        }
    }
    assert!(seen_back_off);
    assert!(
        h.restart_count("crash") >= 4,
        "{}",
        h.restart_count("crash")
    );
    let gaps: Vec<u64> = restarts
        .windows(2)
        .map(|w| w[1].1.since(w[0].1).as_secs())
        .collect();
    // Each restart waits the back-off (doubling) plus the 3 s the container runs.
    assert!(gaps.windows(2).all(|g| g[1] > g[0]), "{gaps:?}");
    let back_off = h
        .events("crash")
        .into_iter()
        .find(|(r, _)| r == "BackOff")
        .unwrap();
    let uid = h.pod("crash").unwrap().metadata.uid.unwrap();
    assert_eq!(
        back_off.1,
        format!("Back-off restarting failed container app in pod crash_default({uid})")
    );
}

#[test]
fn deleting_a_running_pod_stops_its_containers_within_the_grace_period_and_it_disappears() {
    let mut h = Harness::new(5);
    h.create_pod("web", nginx());
    h.run_for(10);
    h.api.set_time(h.now);
    h.api
        .delete(Kind::Pod, "default", "web", &DeleteOptions::default())
        .unwrap();
    h.pump();
    assert!(h.reasons("web").contains(&"Killing".to_string()));
    h.run_for(5);
    assert!(h.pod("web").is_none());
    assert_eq!(h.kubelet.pod_count(), 0);
}

#[test]
fn a_sleeping_pid_one_is_killed_when_its_grace_period_ends() {
    let mut h = Harness::new(6);
    h.create_pod(
        "sleeper",
        json!({"terminationGracePeriodSeconds": 5,
               "containers": [{"name": "s", "image": "busybox", "command": ["sleep", "3600"]}]}),
    );
    h.run_for(10);
    h.api.set_time(h.now);
    h.api
        .delete(Kind::Pod, "default", "sleeper", &DeleteOptions::default())
        .unwrap();
    h.run_for(4);
    assert!(h.pod("sleeper").is_some(), "still within its grace period");
    h.run_for(2);
    assert!(h.pod("sleeper").is_none());
}

#[test]
fn a_never_restarting_pod_that_exits_zero_succeeds_with_reason_completed() {
    let mut h = Harness::new(7);
    h.create_pod(
        "job",
        json!({"restartPolicy": "Never",
               "containers": [{"name": "once", "image": "busybox", "command": ["sh", "-c", "echo done"]}]}),
    );
    h.run_for(30);
    assert_eq!(h.phase("job"), "Succeeded");
    let status = h.pod("job").unwrap().status.unwrap();
    let terminated = status.container_statuses.unwrap()[0]
        .state
        .clone()
        .unwrap()
        .terminated
        .unwrap();
    assert_eq!(terminated.reason.as_deref(), Some("Completed"));
    assert_eq!(terminated.exit_code, 0);
}

#[test]
fn a_pod_asking_more_cpu_than_the_node_has_fails_as_out_of_cpu() {
    let mut h = Harness::new(8);
    h.create_pod(
        "big",
        json!({"containers": [{"name": "app", "image": "nginx:1.25",
                "resources": {"requests": {"cpu": "3"}}}]}),
    );
    h.run_for(1);
    let status = h.pod("big").unwrap().status.unwrap();
    assert_eq!(status.phase.as_deref(), Some("Failed"));
    assert_eq!(status.reason.as_deref(), Some("OutOfcpu"));
    assert_eq!(
        status.message.as_deref(),
        Some("Pod was rejected: Node didn't have enough resource: cpu, requested: 3000, used: 0, capacity: 2000")
    );
}

#[test]
fn init_containers_run_in_order_before_the_app_container() {
    let mut h = Harness::new(9);
    h.create_pod(
        "init",
        json!({"initContainers": [
                  {"name": "first", "image": "busybox", "command": ["sh", "-c", "sleep 2; exit 0"]},
                  {"name": "second", "image": "busybox", "command": ["sh", "-c", "echo hi"]}],
               "containers": [{"name": "app", "image": "nginx:1.25"}]}),
    );
    h.run_for(1);
    assert_eq!(h.waiting_reason("init").as_deref(), Some("PodInitializing"));
    h.run_for(20);
    assert_eq!(h.phase("init"), "Running");
    let started: Vec<String> = h
        .events("init")
        .into_iter()
        .filter(|(r, _)| r == "Started")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(
        started,
        [
            "Started container first",
            "Started container second",
            "Started container app"
        ]
    );
}

#[test]
fn a_failing_readiness_probe_keeps_the_pod_unready_and_logs_unhealthy() {
    let mut h = Harness::new(10);
    h.create_pod(
        "unready",
        json!({"containers": [{"name": "app", "image": "kubeplay/unready",
                "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}, "periodSeconds": 5}}]}),
    );
    h.run_for(30);
    assert_eq!(h.phase("unready"), "Running");
    let status = h.pod("unready").unwrap().status.unwrap();
    assert!(!status.container_statuses.unwrap()[0].ready);
    assert!(h.events("unready").contains(&(
        "Unhealthy".to_string(),
        "Readiness probe failed: HTTP probe failed with statuscode: 503".to_string()
    )));
}

#[test]
fn a_failing_liveness_probe_restarts_the_container() {
    let mut h = Harness::new(11);
    h.create_pod(
        "sick",
        json!({"containers": [{"name": "app", "image": "kubeplay/unhealthy",
                "livenessProbe": {"tcpSocket": {"port": 80}, "periodSeconds": 5}}]}),
    );
    h.run_for(60);
    assert!(h.restart_count("sick") >= 1);
    assert!(h.events("sick").contains(&(
        "Killing".to_string(),
        "Container app failed liveness probe, will be restarted".to_string()
    )));
}

#[test]
fn the_node_registers_and_renews_its_lease_every_ten_seconds() {
    let mut h = Harness::new(12);
    assert!(h.api.get(Kind::Node, "", "node-1").is_ok());
    h.run_for(25);
    let Object::Lease(lease) = h
        .api
        .get(Kind::Lease, "kube-node-lease", "node-1")
        .unwrap()
        .as_ref()
        .clone()
    else {
        panic!("not a lease")
    };
    let renew = lease.spec.unwrap().renew_time.unwrap();
    assert_eq!(
        Timestamp(u64::try_from(renew.0.as_millisecond()).unwrap()),
        SIM_EPOCH.plus(Duration::from_secs(20))
    );
}

fn event_trace(seed: u64) -> Vec<(String, String)> {
    let mut h = Harness::new(seed);
    h.create_pod("web", nginx());
    h.create_pod(
        "crash",
        json!({"containers": [{"name": "app", "image": "kubeplay/crash"}]}),
    );
    h.run_for(90);
    let mut all = h.events("web");
    all.extend(h.events("crash"));
    all
}

#[test]
fn the_same_seed_gives_the_same_event_sequence() {
    assert_eq!(event_trace(99), event_trace(99));
}

#[test]
fn runtime_results_for_unknown_pods_are_ignored() {
    let mut h = Harness::new(13);
    h.kubelet
        .handle_runtime_result(RuntimeResult::SandboxRemoved {
            pod_uid: "nobody".to_string(),
        });
    assert_eq!(h.kubelet.pod_count(), 0);
    h.pump();
}

#[test]
fn a_running_pod_synced_again_with_nothing_changed_gets_no_status_write() {
    let mut h = Harness::new(1);
    h.create_pod("web", nginx());
    h.run_for(10);
    assert_eq!(h.phase("web"), "Running");
    let pod = h.api.get(Kind::Pod, "default", "web").unwrap();
    // The first sync computes the status and keeps what it came from; the second skips it.
    h.kubelet.handle_pod(std::sync::Arc::clone(&pod));
    h.kubelet.handle_pod(pod);
    let mut status_writes = 0;
    while let Some(request) = h.kubelet.poll_api_request() {
        if matches!(request, crate::apiserver::ApiRequest::UpdateStatus { .. }) {
            status_writes += 1;
        }
    }
    assert_eq!(status_writes, 0);
    assert_eq!(h.phase("web"), "Running");
}

/// Every status the API stored for `pod`, in order, as `(waiting reason or state, imageID,
/// containerID)` of its first container.
fn stored_container_states(
    h: &mut Harness,
    watch: ApiWatchId,
    pod: &str,
) -> Vec<(String, String, Option<String>)> {
    h.api
        .poll_watch(watch)
        .unwrap()
        .into_iter()
        .filter(|e| e.event_type == WatchEventType::Modified && e.object.name() == pod)
        .filter_map(|e| match e.object.as_ref() {
            Object::Pod(p) => p.to_status()?.container_statuses?.first().cloned(),
            _ => None,
        })
        .map(|c| {
            let state = c.state.unwrap_or_default();
            let shown = match (state.waiting, state.running, state.terminated) {
                (Some(w), _, _) => w.reason.unwrap_or_default(),
                (None, Some(_), _) => "Running".to_string(),
                (None, None, Some(t)) => t.reason.unwrap_or_default(),
                (None, None, None) => String::new(),
            };
            (shown, c.image_id, c.container_id)
        })
        .collect()
}

#[test]
fn a_starting_container_shows_no_image_or_container_id_until_it_runs() {
    let mut h = Harness::new(1);
    let watch = h
        .api
        .watch(Kind::Pod, None, &WatchOptions::default())
        .unwrap();
    h.create_pod("web", nginx());
    h.run_for(10);
    let states = stored_container_states(&mut h, watch, "web");
    // Pending, then the sandbox's IP, then Running: neither the pull nor the create is a
    // status of its own (the kubelet creates and starts in one sync).
    assert_eq!(states.len(), 3, "{states:?}");
    for (shown, image_id, container_id) in &states[..2] {
        assert_eq!(shown, "ContainerCreating");
        assert_eq!(image_id, "");
        assert_eq!(container_id, &None);
    }
    let (shown, image_id, container_id) = &states[2];
    assert_eq!(shown, "Running");
    assert!(
        image_id.starts_with("docker.io/library/nginx@sha256:"),
        "{image_id}"
    );
    assert!(container_id
        .as_deref()
        .is_some_and(|id| id.starts_with("containerd://")));
}

#[test]
fn a_container_that_failed_to_pull_shows_no_image_id() {
    let mut h = Harness::new(3);
    let watch = h
        .api
        .watch(Kind::Pod, None, &WatchOptions::default())
        .unwrap();
    h.create_pod(
        "typo",
        json!({"containers": [{"name": "app", "image": "nginx:9.99"}]}),
    );
    h.run_for(5);
    let states = stored_container_states(&mut h, watch, "typo");
    assert!(states.iter().any(|(shown, _, _)| shown == "ErrImagePull"));
    assert!(states
        .iter()
        .all(|(_, image, id)| image.is_empty() && id.is_none()));
}

#[test]
fn a_restarting_container_shows_the_ids_of_the_run_that_ended_until_the_new_one_runs() {
    let mut h = Harness::new(4);
    let watch = h
        .api
        .watch(Kind::Pod, None, &WatchOptions::default())
        .unwrap();
    h.create_pod(
        "crash",
        json!({"containers": [{"name": "app", "image": "kubeplay/crash"}]}),
    );
    h.run_for(60);
    let states = stored_container_states(&mut h, watch, "crash");
    let mut shown_id: Option<String> = None;
    for (shown, image_id, container_id) in &states {
        match shown.as_str() {
            "ContainerCreating" => assert!(container_id.is_none() && image_id.is_empty()),
            "Running" => {
                // A new run: a new id, written once it runs.
                assert_ne!(container_id, &shown_id, "{states:?}");
                shown_id = container_id.clone();
            }
            // Exited, then backing off: still the run that ended.
            _ => assert_eq!(container_id, &shown_id, "{shown}: {states:?}"),
        }
    }
    assert!(
        states.iter().filter(|(s, _, _)| s == "Running").count() >= 2,
        "{states:?}"
    );
}

#[test]
fn the_status_sent_is_kept_as_the_requests_arc_which_the_store_keeps() {
    let mut h = Harness::new(1);
    let pod = Object::from_value(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"nodeName": "node-1", "containers": [{"name": "web", "image": "nginx"}]},
    }))
    .unwrap();
    h.api.set_time(h.now);
    h.api.create("default", pod).unwrap();
    let created = h.api.get(Kind::Pod, "default", "web").unwrap();
    let uid = created.metadata().uid.clone().unwrap();
    let mut checked = 0;
    for _ in 0..20 {
        h.api.set_user("system:node:node-1");
        while let Some(request) = h.kubelet.poll_api_request() {
            if let crate::apiserver::ApiRequest::UpdateStatus { object, .. } = &request {
                let Object::Pod(sent) = object else {
                    panic!("a status write carries a pod")
                };
                let sent = std::sync::Arc::clone(sent.status.as_ref().unwrap());
                let kept = h.kubelet.worker(&uid).unwrap().last_sent().unwrap().0;
                // The worker's copy is the request's status itself, not a copy of it.
                assert!(std::ptr::eq(kept, &*sent));
                let _ = h.api.handle(request);
                let stored = h.api.get(Kind::Pod, "default", "web").unwrap();
                let Object::Pod(stored) = stored.as_ref() else {
                    panic!("a pod")
                };
                // The store keeps the same status: one copy for the store and the kubelet.
                assert!(std::sync::Arc::ptr_eq(
                    stored.status.as_ref().unwrap(),
                    &sent
                ));
                checked += 1;
            } else {
                let _ = h.api.handle(request);
            }
        }
        for event in h.api.poll_watch(h.watch).unwrap() {
            if event.event_type != WatchEventType::Deleted {
                h.kubelet.handle_pod(event.object);
            }
        }
        while let Some(command) = h.kubelet.poll_runtime_command() {
            h.runtime.handle_command(h.now, command);
        }
        while let Some(result) = h.runtime.poll_result() {
            h.kubelet.handle_runtime_result(result);
        }
        h.now = h.now.plus(Duration::from_secs(1));
        h.runtime.handle_tick(h.now);
        h.kubelet.handle_tick(h.now);
    }
    assert!(checked >= 2, "{checked} status writes seen");
    assert_eq!(h.phase("web"), "Running");
    // Once echoed, the worker reads the API's copy, equal to what it sent last.
    let stored = h.api.get(Kind::Pod, "default", "web").unwrap();
    let Object::Pod(stored) = stored.as_ref() else {
        panic!("a pod")
    };
    let worker = h.kubelet.worker(&uid).unwrap();
    assert!(worker.last_sent().unwrap().is(stored.status().unwrap()));
}
