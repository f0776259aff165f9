//! Deployment scenarios against a real API server (see `scenario_tests::Harness`).

use std::time::Duration;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use serde_json::json;

use crate::api::objects::{Kind, Object};
use crate::apiserver::{ApiServer, ListOptions};
use crate::controllers::scenario_tests::Harness;

use super::rollback::{rollback, Rollback};
use super::util::*;

const WEB: &str = "
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  strategy:
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.24
";

fn deployment(api: &mut ApiServer) -> Deployment {
    match api
        .get(Kind::Deployment, "default", "web")
        .unwrap()
        .as_ref()
        .clone()
    {
        Object::Deployment(d) => *d,
        _ => unreachable!(),
    }
}

fn replica_sets(api: &mut ApiServer) -> Vec<ReplicaSet> {
    api.list(Kind::ReplicaSet, Some("default"), &ListOptions::default())
        .unwrap()
        .items
        .iter()
        .filter_map(|o| match o.as_ref() {
            Object::ReplicaSet(rs) => Some(rs.as_ref().clone()),
            _ => None,
        })
        .collect()
}

fn available_pods(api: &mut ApiServer) -> usize {
    api.list(Kind::Pod, Some("default"), &ListOptions::default())
        .unwrap()
        .items
        .iter()
        .filter(|o| match o.as_ref() {
            Object::Pod(p) => {
                p.metadata.deletion_timestamp.is_none()
                    && crate::controllers::controller_utils::is_pod_ready(p)
            }
            _ => false,
        })
        .count()
}

fn set_image(h: &mut Harness, image: &str) {
    h.patch(Kind::Deployment, "web", json!({"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": image}]}}}}));
}

fn condition(d: &Deployment, type_: &str) -> (String, String) {
    let c = get_condition(d.status.as_ref().unwrap(), type_).unwrap();
    (c.status.clone(), c.reason.clone().unwrap_or_default())
}

#[test]
fn a_new_deployment_creates_a_hashed_replica_set_and_completes() {
    let mut h = Harness::new();
    h.apply(WEB);
    h.settle();
    let rss = replica_sets(&mut h.api);
    assert_eq!(rss.len(), 1);
    let rs = &rss[0];
    let hash = rs.metadata.labels.as_ref().unwrap()[DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY].clone();
    assert_eq!(
        rs.metadata.name.as_deref(),
        Some(format!("web-{hash}").as_str())
    );
    let annotations = rs.metadata.annotations.as_ref().unwrap();
    assert_eq!(annotations[REVISION_ANNOTATION], "1");
    assert_eq!(annotations[DESIRED_REPLICAS_ANNOTATION], "3");
    assert_eq!(annotations[MAX_REPLICAS_ANNOTATION], "4");
    let d = deployment(&mut h.api);
    assert_eq!(
        d.metadata.annotations.as_ref().unwrap()[REVISION_ANNOTATION],
        "1"
    );
    let status = d.status.clone().unwrap();
    assert_eq!(
        (
            status.replicas,
            status.updated_replicas,
            status.ready_replicas,
            status.available_replicas,
            status.unavailable_replicas
        ),
        (Some(3), Some(3), Some(3), Some(3), None)
    );
    assert_eq!(status.observed_generation, d.metadata.generation);
    assert_eq!(
        condition(&d, "Available"),
        ("True".into(), MINIMUM_REPLICAS_AVAILABLE.into())
    );
    assert_eq!(
        condition(&d, "Progressing"),
        ("True".into(), NEW_RS_AVAILABLE_REASON.into())
    );
    let events = h.events();
    assert!(events.contains(&(
        "ScalingReplicaSet".to_string(),
        format!("Scaled up replica set web-{hash} from 0 to 3")
    )));
}

#[test]
fn rolling_from_v1_to_v2_with_max_surge_1_and_max_unavailable_0_never_drops_below_desired() {
    let mut h = Harness::new();
    h.apply(WEB);
    h.settle();
    set_image(&mut h, "nginx:1.25");
    let mut lowest = usize::MAX;
    let mut highest_total = 0;
    h.settle_with(|api| {
        lowest = lowest.min(available_pods(api));
        let total: i32 = replica_sets(api).iter().map(rs_replicas).sum();
        highest_total = highest_total.max(total);
    });
    assert_eq!(lowest, 3, "available pods never drop below 3");
    assert_eq!(highest_total, 4, "never more than replicas + maxSurge");
    let rss = replica_sets(&mut h.api);
    assert_eq!(rss.len(), 2);
    let new = rss.iter().find(|rs| revision(rs) == 2).unwrap();
    assert_eq!(rs_replicas(new), 3);
    let old = rss.iter().find(|rs| revision(rs) == 1).unwrap();
    assert_eq!(rs_replicas(old), 0);
    let d = deployment(&mut h.api);
    assert_eq!(d.status.as_ref().unwrap().updated_replicas, Some(3));
    assert_eq!(condition(&d, "Progressing").1, NEW_RS_AVAILABLE_REASON);
    assert!(h
        .events()
        .iter()
        .any(|(_, m)| m.starts_with("Scaled down replica set web-") && m.ends_with("from 1 to 0")));
}

#[test]
fn rollback_to_revision_1_reuses_the_old_replica_set_as_revision_3() {
    let mut h = Harness::new();
    h.apply(WEB);
    h.settle();
    set_image(&mut h, "nginx:1.25");
    h.settle();
    let d = deployment(&mut h.api);
    let request = match rollback(&d, &replica_sets(&mut h.api), 1).unwrap() {
        Rollback::Patch(request) => request,
        Rollback::Skipped(message) => panic!("{message}"),
    };
    h.api.handle(*request).unwrap();
    h.settle();
    let rss = replica_sets(&mut h.api);
    assert_eq!(rss.len(), 2, "no third ReplicaSet: the old one is reused");
    let active = rss.iter().find(|rs| rs_replicas(rs) == 3).unwrap();
    assert_eq!(revision(active), 3);
    assert_eq!(
        active.metadata.annotations.as_ref().unwrap()[REVISION_HISTORY_ANNOTATION],
        "1"
    );
    let image = rs_template(active).spec.unwrap().containers[0]
        .image
        .clone();
    assert_eq!(image.as_deref(), Some("nginx:1.24"));
    assert_eq!(
        deployment(&mut h.api).metadata.annotations.unwrap()[REVISION_ANNOTATION],
        "3"
    );
    // Rolling back to the revision in place is skipped; an unknown revision is an error.
    let d = deployment(&mut h.api);
    assert_eq!(
        rollback(&d, &replica_sets(&mut h.api), 3).unwrap(),
        Rollback::Skipped(
            "skipped rollback (current template already matches revision 3)".to_string()
        )
    );
    assert_eq!(
        rollback(&d, &replica_sets(&mut h.api), 9)
            .unwrap_err()
            .to_string(),
        "unable to find specified revision 9 in history"
    );
}

#[test]
fn pause_stops_progress_and_resume_continues() {
    let mut h = Harness::new();
    h.apply(WEB);
    h.settle();
    h.patch(Kind::Deployment, "web", json!({"spec": {"paused": true}}));
    set_image(&mut h, "nginx:1.25");
    h.settle();
    assert_eq!(
        replica_sets(&mut h.api).len(),
        1,
        "no new ReplicaSet while paused"
    );
    assert_eq!(
        condition(&deployment(&mut h.api), "Progressing"),
        ("Unknown".into(), PAUSED_DEPLOY_REASON.into())
    );
    h.patch(Kind::Deployment, "web", json!({"spec": {"paused": false}}));
    h.settle();
    let rss = replica_sets(&mut h.api);
    assert_eq!(rss.len(), 2);
    assert!(rss
        .iter()
        .any(|rs| revision(rs) == 2 && rs_replicas(rs) == 3));
}

#[test]
fn revision_history_limit_deletes_the_oldest_scaled_down_replica_sets() {
    let mut h = Harness::new();
    h.apply(&WEB.replace(
        "  replicas: 3\n",
        "  replicas: 3\n  revisionHistoryLimit: 1\n",
    ));
    h.settle();
    for image in ["nginx:1.25", "nginx:1.26", "nginx:1.27"] {
        set_image(&mut h, image);
        h.settle();
    }
    let mut revisions: Vec<i64> = replica_sets(&mut h.api).iter().map(revision).collect();
    revisions.sort();
    assert_eq!(revisions, [3, 4]);
}

#[test]
fn a_rollout_without_ready_pods_exceeds_its_progress_deadline() {
    let mut h = Harness::new();
    h.apply(&WEB.replace(
        "  replicas: 3\n",
        "  replicas: 3\n  progressDeadlineSeconds: 60\n",
    ));
    h.settle();
    h.kubelet_ready = false;
    set_image(&mut h, "nginx:broken");
    h.settle();
    assert_eq!(
        condition(&deployment(&mut h.api), "Progressing").1,
        RS_UPDATED_REASON
    );
    let wake = h.cm.poll_timeout().expect("a wake-up at the deadline");
    assert!(wake > h.now.plus(Duration::from_secs(60)));
    h.advance(Duration::from_secs(62));
    h.settle();
    let d = deployment(&mut h.api);
    assert_eq!(
        condition(&d, "Progressing"),
        ("False".into(), TIMED_OUT_REASON.into())
    );
    let message = get_condition(d.status.as_ref().unwrap(), "Progressing")
        .unwrap()
        .message
        .clone()
        .unwrap();
    assert!(
        message.starts_with("ReplicaSet \"web-")
            && message.ends_with("\" has timed out progressing.")
    );
    assert_eq!(
        condition(&d, "Available").0,
        "True",
        "the old pods still serve"
    );
}

#[test]
fn recreate_scales_the_old_replica_set_to_zero_before_the_new_one_grows() {
    let mut h = Harness::new();
    h.apply(&WEB.replace(
        "  strategy:\n    rollingUpdate:\n      maxSurge: 1\n      maxUnavailable: 0\n",
        "  strategy:\n    type: Recreate\n",
    ));
    h.settle();
    set_image(&mut h, "nginx:1.25");
    let mut overlap = false;
    h.settle_with(|api| {
        let rss = replica_sets(api);
        let active = rss
            .iter()
            .filter(|rs| rs_replicas(rs) > 0 || rs_actual(rs) > 0)
            .count();
        overlap |= active > 1;
    });
    assert!(!overlap, "old and new pods never run together");
    assert!(replica_sets(&mut h.api)
        .iter()
        .any(|rs| revision(rs) == 2 && rs_replicas(rs) == 3));
}

#[test]
fn scaling_a_deployment_scales_its_replica_set_and_annotations() {
    let mut h = Harness::new();
    h.apply(WEB);
    h.settle();
    h.patch(Kind::Deployment, "web", json!({"spec": {"replicas": 5}}));
    h.settle();
    let rs = replica_sets(&mut h.api).remove(0);
    assert_eq!(rs_replicas(&rs), 5);
    assert_eq!(desired_replicas_annotation(&rs), Some(5));
    assert_eq!(h.pods().len(), 5);
}
