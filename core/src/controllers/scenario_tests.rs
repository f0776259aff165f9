//! Scenario tests: the controller manager against a real [`ApiServer`], with a tiny fake
//! kubelet that binds pods to a node and marks them Running and Ready.

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::{PodCondition, PodStatus};
use serde_json::{json, Value};

use super::*;
use crate::api::manifest::parse_manifests;
use crate::apiserver::{ApiServer, ApiWatchId, ListOptions, WatchOptions};
use crate::sim::clock::SIM_EPOCH;

pub(crate) struct Harness {
    pub api: ApiServer,
    pub cm: ControllerManager,
    watches: Vec<ApiWatchId>,
    pub now: Timestamp,
    /// Whether the fake kubelet makes new pods Running and Ready.
    pub kubelet_ready: bool,
    /// Every request the controllers sent, in order.
    pub sent: Vec<ApiRequest>,
}

impl Harness {
    pub fn new() -> Harness {
        let mut api = ApiServer::new(7, SIM_EPOCH);
        let watches = ControllerManager::WATCHED_KINDS
            .iter()
            .map(|kind| api.watch(*kind, None, &WatchOptions::default()).unwrap())
            .collect();
        Harness {
            api,
            cm: ControllerManager::new(SIM_EPOCH),
            watches,
            now: SIM_EPOCH,
            kubelet_ready: true,
            sent: Vec::new(),
        }
    }

    pub fn apply(&mut self, yaml: &str) {
        for object in parse_manifests(yaml).unwrap() {
            let ns = if object.namespace().is_empty() {
                "default".to_string()
            } else {
                object.namespace().to_string()
            };
            self.api.set_user("kubectl");
            self.api.create(&ns, object).unwrap();
        }
    }

    pub fn patch(&mut self, kind: Kind, name: &str, patch: Value) {
        self.api.set_user("kubectl");
        self.api
            .patch(
                kind,
                "default",
                name,
                crate::api::patch::PatchType::MergePatch,
                &patch,
                false,
            )
            .unwrap();
    }

    fn feed_events(&mut self) -> bool {
        let mut any = false;
        for id in self.watches.clone() {
            for event in self.api.poll_watch(id).unwrap() {
                self.cm.handle_watch_event(&event);
                any = true;
            }
        }
        any
    }

    /// The fake kubelet: bind unscheduled pods to node-1 and make them Running and Ready.
    fn kubelet(&mut self) -> bool {
        if !self.kubelet_ready {
            return false;
        }
        self.api.set_user("kubelet/node-1");
        let pods = self
            .api
            .list(Kind::Pod, Some("default"), &ListOptions::default())
            .unwrap();
        let mut any = false;
        for object in pods.items {
            let Object::Pod(pod) = object.as_ref() else {
                continue;
            };
            if pod.metadata.deletion_timestamp.is_some() {
                // Finish graceful deletion at once.
                let options = crate::apiserver::DeleteOptions {
                    grace_period_seconds: Some(0),
                    ..Default::default()
                };
                let _ = self
                    .api
                    .delete(Kind::Pod, "default", object.name(), &options);
                any = true;
                continue;
            }
            if pod.phase() == Some("Running") {
                continue;
            }
            let mut pod = pod.as_ref().clone();
            pod.set_node_name(Some("node-1".to_string()));
            let _ = self.api.update("default", Object::from(pod.clone()));
            let Object::Pod(fresh) = self
                .api
                .get(Kind::Pod, "default", object.name())
                .unwrap()
                .as_ref()
                .clone()
            else {
                continue;
            };
            let mut fresh = *fresh;
            fresh.set_status(Some(PodStatus {
                phase: Some("Running".to_string()),
                conditions: Some(vec![PodCondition {
                    type_: "Ready".to_string(),
                    status: "True".to_string(),
                    last_transition_time: Some(self.now.to_k8s_time()),
                    ..PodCondition::default()
                }]),
                ..PodStatus::default()
            }));
            self.api
                .update_status("default", Object::from(fresh))
                .unwrap();
            any = true;
        }
        any
    }

    /// Runs controllers, watches and the kubelet until nothing moves; `check` runs after
    /// every step.
    pub fn settle_with(&mut self, mut check: impl FnMut(&mut ApiServer)) {
        for _ in 0..500 {
            let mut any = self.feed_events();
            self.api.set_user("kube-controller-manager");
            while let Some(request) = self.cm.poll_api_request() {
                let result = self.api.handle(request.clone());
                self.cm.handle_api_result(&request, &result);
                self.sent.push(request);
                any = true;
                check(&mut self.api);
            }
            any |= self.feed_events();
            any |= self.kubelet();
            check(&mut self.api);
            if !any {
                return;
            }
        }
        panic!("the cluster did not settle");
    }

    pub fn settle(&mut self) {
        self.settle_with(|_| {});
    }

    #[allow(dead_code)]
    pub fn advance(&mut self, by: Duration) {
        self.now = self.now.plus(by);
        self.api.set_time(self.now);
        self.cm.handle_tick(self.now);
    }

    pub fn pods(&mut self) -> Vec<Arc<Object>> {
        self.api
            .list(Kind::Pod, Some("default"), &ListOptions::default())
            .unwrap()
            .items
    }

    pub fn events(&self) -> Vec<(String, String)> {
        self.sent.iter().filter_map(events::describe).collect()
    }
}

pub(crate) fn hand_made_pod(name: &str, labels: Value) -> String {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "labels": labels},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]}
    })
    .to_string()
}

const RC: &str = "
apiVersion: v1
kind: ReplicationController
metadata:
  name: web
spec:
  replicas: 3
  selector:
    app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
";

#[test]
fn rc_adopts_a_hand_made_pod_with_matching_labels_and_deletes_the_surplus() {
    let mut h = Harness::new();
    h.kubelet_ready = false;
    h.apply(&hand_made_pod("stray", json!({"app": "web"})));
    h.apply(RC);
    h.settle();
    let pods = h.pods();
    assert_eq!(pods.len(), 3, "the stray pod counts as one of three");
    let stray = pods.iter().find(|p| p.name() == "stray").unwrap();
    let reference = cache::controller_ref(stray).unwrap();
    assert_eq!(
        (reference.kind.as_str(), reference.name.as_str()),
        ("ReplicationController", "web")
    );
    assert_eq!(reference.block_owner_deletion, Some(true));
    for pod in &pods {
        assert!(pod.name() == "stray" || pod.name().starts_with("web-"));
    }
    // A fourth hand-made pod is adopted and one pod too many is deleted.
    h.apply(&hand_made_pod("another", json!({"app": "web"})));
    h.settle();
    assert_eq!(
        h.pods()
            .iter()
            .filter(|p| p.metadata().deletion_timestamp.is_none())
            .count(),
        3
    );
    let events = h.events();
    assert!(events
        .iter()
        .any(|(reason, message)| reason == "SuccessfulDelete"
            && message.starts_with("Deleted pod: ")));
    assert_eq!(
        events
            .iter()
            .filter(|(reason, _)| reason == "SuccessfulCreate")
            .count(),
        2
    );
}

#[test]
fn rs_with_match_expressions_selects_by_set_and_releases_a_pod_whose_labels_changed() {
    let mut h = Harness::new();
    h.apply(
        "
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: frontend
spec:
  replicas: 2
  selector:
    matchExpressions:
    - {key: tier, operator: In, values: [frontend, web]}
    - {key: env, operator: NotIn, values: [dev]}
  template:
    metadata:
      labels:
        tier: frontend
    spec:
      containers:
      - name: php
        image: php:8
",
    );
    h.apply(&hand_made_pod(
        "dev-pod",
        json!({"tier": "web", "env": "dev"}),
    ));
    h.apply(&hand_made_pod(
        "prod-pod",
        json!({"tier": "web", "env": "prod"}),
    ));
    h.settle();
    let owned = |h: &mut Harness| {
        h.pods()
            .iter()
            .filter(|p| cache::controller_ref(p).is_some())
            .map(|p| p.name().to_string())
            .collect::<Vec<_>>()
    };
    let names = owned(&mut h);
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"prod-pod".to_string()));
    assert!(!names.contains(&"dev-pod".to_string()));
    // Relabel the adopted pod: it is released and replaced.
    h.patch(
        Kind::Pod,
        "prod-pod",
        json!({"metadata": {"labels": {"tier": "db"}}}),
    );
    h.settle();
    let names = owned(&mut h);
    assert_eq!(names.len(), 2);
    assert!(!names.contains(&"prod-pod".to_string()));
    let Object::ReplicaSet(rs) = h
        .api
        .get(Kind::ReplicaSet, "default", "frontend")
        .unwrap()
        .as_ref()
        .clone()
    else {
        panic!()
    };
    let status = rs.status.unwrap();
    assert_eq!(
        (
            status.replicas,
            status.ready_replicas,
            status.available_replicas
        ),
        (2, Some(2), Some(2))
    );
    assert_eq!(status.fully_labeled_replicas, Some(2));
    assert_eq!(status.observed_generation, Some(1));
}

#[test]
fn expectations_prevent_double_creation_when_the_same_event_is_seen_twice() {
    let mut h = Harness::new();
    h.kubelet_ready = false;
    h.apply(RC);
    // Only the RC's ADDED event: the controller asks for one pod (first slow-start batch).
    let events: Vec<_> = h
        .watches
        .clone()
        .iter()
        .flat_map(|id| h.api.poll_watch(*id).unwrap())
        .collect();
    for event in &events {
        h.cm.handle_watch_event(event);
    }
    let mut creates = 0;
    while let Some(request) = h.cm.poll_api_request() {
        if matches!(
            request,
            ApiRequest::Create {
                object: Object::Pod(_),
                ..
            }
        ) {
            creates += 1;
        }
        // The host never reports the outcome, so no further batch goes out.
    }
    assert_eq!(creates, 1);
    // The same event again (a relist): the expectations are not met, nothing is created.
    for event in &events {
        h.cm.handle_watch_event(event);
    }
    let mut again = 0;
    while let Some(request) = h.cm.poll_api_request() {
        if matches!(
            request,
            ApiRequest::Create {
                object: Object::Pod(_),
                ..
            }
        ) {
            again += 1;
        }
    }
    assert_eq!(again, 0);
    let key = ObjectKey::new("default", "web");
    assert!(!h.cm.replication.expectations().satisfied(&key, h.now));
}

#[test]
fn slow_start_sends_batches_of_one_two_and_four() {
    let mut h = Harness::new();
    h.kubelet_ready = false;
    h.apply(&RC.replace("replicas: 3", "replicas: 7"));
    h.feed_events();
    let mut batches = Vec::new();
    loop {
        let mut batch = Vec::new();
        while let Some(request) = h.cm.poll_api_request() {
            if matches!(
                request,
                ApiRequest::Create {
                    object: Object::Pod(_),
                    ..
                }
            ) {
                batch.push(request);
            }
        }
        if batch.is_empty() {
            break;
        }
        batches.push(batch.len());
        for request in batch {
            let result = h.api.handle(request.clone());
            h.cm.handle_api_result(&request, &result);
        }
    }
    assert_eq!(batches, [1, 2, 4]);
}
