//! Scenario tests of PriorityClass through the API server: the built-in classes, a pod's
//! priority resolved at create, and the refusals worded as kube-apiserver words them.

use serde_json::json;

use super::*;
use crate::sim::clock::SIM_EPOCH;

fn server() -> ApiServer {
    ApiServer::new(42, SIM_EPOCH)
}

fn class(name: &str, value: i32, global_default: bool) -> Object {
    Object::from_value(json!({
        "apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
        "metadata": {"name": name}, "value": value, "globalDefault": global_default,
    }))
    .unwrap()
}

fn pod(name: &str, class_name: Option<&str>) -> Object {
    let mut spec = json!({"containers": [{"name": "app", "image": "nginx:1.25"}]});
    if let Some(class_name) = class_name {
        spec["priorityClassName"] = json!(class_name);
    }
    Object::from_value(json!({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec,
    }))
    .unwrap()
}

#[test]
fn a_fresh_cluster_has_the_two_system_priority_classes() {
    let mut api = server();
    let list = api
        .list(Kind::PriorityClass, None, &ListOptions::default())
        .unwrap();
    let classes: Vec<(String, i64, String)> = list
        .items
        .iter()
        .map(|o| {
            let v = o.to_value();
            (
                o.name().to_string(),
                v["value"].as_i64().unwrap_or(0),
                v["preemptionPolicy"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        classes,
        [
            (
                "system-cluster-critical".to_string(),
                2_000_000_000,
                "PreemptLowerPriority".to_string()
            ),
            (
                "system-node-critical".to_string(),
                2_000_001_000,
                "PreemptLowerPriority".to_string()
            ),
        ]
    );
}

#[test]
fn a_pod_naming_a_class_is_created_with_its_priority_and_policy() {
    let mut api = server();
    api.create("", class("high", 1_000_000, false)).unwrap();
    let created = api.create("default", pod("web", Some("high"))).unwrap();
    let value = created.to_value();
    assert_eq!(value["spec"]["priority"], 1_000_000);
    assert_eq!(value["spec"]["preemptionPolicy"], "PreemptLowerPriority");
    let plain = api
        .create("default", pod("plain", None))
        .unwrap()
        .to_value();
    assert_eq!(plain["spec"]["priority"], 0);
    assert!(plain["spec"]["priorityClassName"].is_null(), "{plain}");
}

#[test]
fn a_pod_without_a_class_gets_the_global_default() {
    let mut api = server();
    api.create("", class("batch", 100, true)).unwrap();
    let value = api.create("default", pod("job", None)).unwrap().to_value();
    assert_eq!(value["spec"]["priorityClassName"], "batch");
    assert_eq!(value["spec"]["priority"], 100);
}

#[test]
fn a_pod_naming_a_missing_class_is_forbidden() {
    let mut api = server();
    let error = api.create("default", pod("web", Some("gold"))).unwrap_err();
    assert_eq!(error.code(), 403);
    assert_eq!(
        error.to_string(),
        "pods \"web\" is forbidden: no PriorityClass with name gold was found"
    );
}

#[test]
fn a_second_global_default_class_is_forbidden() {
    let mut api = server();
    api.create("", class("first", 10, true)).unwrap();
    let error = api.create("", class("second", 20, true)).unwrap_err();
    assert_eq!(error.code(), 403);
    assert_eq!(
        error.to_string(),
        "priorityclasses.scheduling.k8s.io \"second\" is forbidden: PriorityClass first is already marked as default. Only one default can exist"
    );
}

#[test]
fn a_system_class_cannot_be_deleted_and_its_value_cannot_change() {
    let mut api = server();
    let error = api
        .delete(
            Kind::PriorityClass,
            "",
            "system-node-critical",
            &DeleteOptions::default(),
        )
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "priorityclasses.scheduling.k8s.io \"system-node-critical\" is forbidden: this is a system priority class and cannot be deleted"
    );
    api.create("", class("high", 1000, false)).unwrap();
    let error = api
        .patch(
            Kind::PriorityClass,
            "",
            "high",
            crate::api::patch::PatchType::MergePatch,
            &json!({"value": 2000}),
            false,
        )
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "PriorityClass.scheduling.k8s.io \"high\" is invalid: value: Forbidden: may not be changed in an update."
    );
    assert!(api
        .delete(Kind::PriorityClass, "", "high", &DeleteOptions::default())
        .is_ok());
}
