//! Scenario tests of the API server's semantics, each a sentence about Kubernetes behaviour.

use std::time::Duration;

use k8s_openapi::api::autoscaling::v1::{Scale, ScaleSpec};
use k8s_openapi::api::core::v1::{Binding, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::json;

use super::*;
use crate::api::manifest::parse_manifests;
use crate::api::objects::StoredPod;
use crate::api::patch::PatchType;
use crate::sim::clock::SIM_EPOCH;

fn server() -> ApiServer {
    ApiServer::new(42, SIM_EPOCH)
}

fn one(yaml: &str) -> Object {
    parse_manifests(yaml).unwrap().remove(0)
}

const NGINX_DEPLOYMENT: &str = "
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
  labels:
    app: nginx
spec:
  replicas: 3
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
        ports:
        - containerPort: 80
";

fn pod(name: &str, labels: serde_json::Value) -> Object {
    Object::from_value(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "labels": labels},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]}
    }))
    .unwrap()
}

fn names(list: &ObjectList) -> Vec<String> {
    list.items.iter().map(|o| o.name().to_string()).collect()
}

#[test]
fn a_fresh_cluster_has_the_system_namespaces_and_the_kubernetes_service() {
    let mut api = server();
    let namespaces = api
        .list(Kind::Namespace, None, &ListOptions::default())
        .unwrap();
    assert_eq!(
        names(&namespaces),
        ["default", "kube-node-lease", "kube-public", "kube-system"]
    );
    let Object::Namespace(default) = api
        .get(Kind::Namespace, "", "default")
        .unwrap()
        .as_ref()
        .clone()
    else {
        panic!("not a namespace")
    };
    assert_eq!(default.status.unwrap().phase.as_deref(), Some("Active"));
    let Object::Service(svc) = api
        .get(Kind::Service, "default", "kubernetes")
        .unwrap()
        .as_ref()
        .clone()
    else {
        panic!("not a service")
    };
    let spec = svc.spec.unwrap();
    assert_eq!(spec.cluster_ip.as_deref(), Some(KUBERNETES_SERVICE_IP));
    assert_eq!(spec.type_.as_deref(), Some("ClusterIP"));
    assert_eq!(spec.ports.unwrap()[0].port, 443);
}

#[test]
fn create_sets_uid_timestamp_resource_version_generation_and_defaults() {
    let mut api = server();
    api.set_time(SIM_EPOCH.plus(Duration::from_secs(60)));
    let created = api.create("default", one(NGINX_DEPLOYMENT)).unwrap();
    let meta = created.metadata();
    assert_eq!(meta.uid.as_deref().map(str::len), Some(36));
    assert_eq!(
        meta.creation_timestamp
            .as_ref()
            .map(|t| Timestamp::from_k8s_time(t).to_rfc3339()),
        Some("2025-01-01T00:01:00Z".to_string())
    );
    assert_eq!(
        created.resource_version().map(str::to_string),
        Some(api.current_revision().to_string())
    );
    assert_eq!(meta.generation, Some(1));
    assert_eq!(meta.namespace.as_deref(), Some("default"));
    let value = created.to_value();
    assert_eq!(
        value["spec"]["strategy"]["rollingUpdate"]["maxSurge"],
        "25%"
    );
    assert_eq!(value["spec"]["revisionHistoryLimit"], 10);
    assert_eq!(value["spec"]["template"]["spec"]["restartPolicy"], "Always");
    assert_eq!(
        value["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"],
        "IfNotPresent"
    );
}

#[test]
fn creating_the_same_name_twice_is_already_exists() {
    let mut api = server();
    api.create("default", pod("web", json!({}))).unwrap();
    let err = api.create("default", pod("web", json!({}))).unwrap_err();
    assert_eq!(err.code(), 409);
    assert_eq!(err.reason(), "AlreadyExists");
    assert_eq!(err.to_string(), "pods \"web\" already exists");
}

#[test]
fn generate_name_gets_a_five_character_suffix() {
    let mut api = server();
    let mut object = pod("", json!({}));
    object.metadata_mut().name = None;
    object.metadata_mut().generate_name = Some("web-".to_string());
    let created = api.create("default", object).unwrap();
    assert!(created.name().starts_with("web-"));
    assert_eq!(created.name().len(), "web-".len() + 5);
}

#[test]
fn a_long_generate_name_is_cut_so_the_name_fits_63_characters() {
    let mut api = server();
    let mut object = pod("", json!({}));
    object.metadata_mut().name = None;
    object.metadata_mut().generate_name = Some("a".repeat(70));
    let created = api.create("default", object).unwrap();
    assert_eq!(created.name().len(), 63);
}

#[test]
fn creating_in_a_missing_namespace_is_not_found() {
    let mut api = server();
    let err = api.create("nope", pod("web", json!({}))).unwrap_err();
    assert_eq!(err.code(), 404);
    assert_eq!(err.to_string(), "namespaces \"nope\" not found");
}

#[test]
fn invalid_objects_get_422_with_a_cause_per_field() {
    let mut api = server();
    let mut bad = one(NGINX_DEPLOYMENT);
    if let Object::Deployment(d) = &mut bad {
        let spec = d.spec.as_mut().unwrap();
        spec.replicas = Some(-1);
        spec.template.spec.as_mut().unwrap().containers[0].image = None;
    }
    let err = api.create("default", bad).unwrap_err();
    assert_eq!(err.code(), 422);
    let status = err.to_status();
    assert_eq!(status.reason.as_deref(), Some("Invalid"));
    let message = status.message.unwrap();
    assert!(
        message.starts_with("Deployment.apps \"nginx-deployment\" is invalid: ["),
        "{message}"
    );
    assert!(
        message.contains("spec.replicas: Invalid value: -1: must be greater than or equal to 0"),
        "{message}"
    );
    assert!(
        message.contains("spec.template.spec.containers[0].image: Required value"),
        "{message}"
    );
    let causes = status.details.unwrap().causes.unwrap();
    assert!(causes
        .iter()
        .any(|c| c.field.as_deref() == Some("spec.replicas")
            && c.reason.as_deref() == Some("FieldValueInvalid")));
}

#[test]
fn a_stale_resource_version_on_update_is_a_conflict() {
    let mut api = server();
    let first = api
        .create("default", pod("web", json!({"app": "web"})))
        .unwrap();
    let mut a = first.as_ref().clone();
    a.metadata_mut().labels = Some([("app".to_string(), "v2".to_string())].into());
    api.update("default", a).unwrap();
    let mut stale = first.as_ref().clone();
    stale.metadata_mut().labels = Some([("app".to_string(), "v3".to_string())].into());
    let err = api.update("default", stale).unwrap_err();
    assert_eq!(err.code(), 409);
    assert_eq!(
        err.to_string(),
        "Operation cannot be fulfilled on pods \"web\": the object has been modified; please apply your changes to the latest version and try again"
    );
}

#[test]
fn a_no_op_update_keeps_the_resource_version() {
    let mut api = server();
    let created = api.create("default", pod("web", json!({}))).unwrap();
    let revision = api.current_revision();
    let again = api.update("default", created.as_ref().clone()).unwrap();
    assert_eq!(again.resource_version(), created.resource_version());
    assert_eq!(api.current_revision(), revision);
}

#[test]
fn generation_moves_with_spec_changes_only() {
    let mut api = server();
    let created = api.create("default", one(NGINX_DEPLOYMENT)).unwrap();
    let mut labelled = created.as_ref().clone();
    labelled.metadata_mut().labels = Some([("tier".to_string(), "web".to_string())].into());
    let labelled = api.update("default", labelled).unwrap();
    assert_eq!(labelled.metadata().generation, Some(1));
    let scaled = api
        .patch(
            Kind::Deployment,
            "default",
            "nginx-deployment",
            PatchType::MergePatch,
            &json!({"spec": {"replicas": 5}}),
            false,
        )
        .unwrap();
    assert_eq!(scaled.metadata().generation, Some(2));
    let status = api
        .patch(
            Kind::Deployment,
            "default",
            "nginx-deployment",
            PatchType::MergePatch,
            &json!({"status": {"replicas": 5}}),
            true,
        )
        .unwrap();
    assert_eq!(status.metadata().generation, Some(2));
    assert_eq!(status.to_value()["status"]["replicas"], 5);
}

#[test]
fn the_main_resource_ignores_status_and_the_status_subresource_ignores_spec() {
    let mut api = server();
    api.create("default", pod("web", json!({}))).unwrap();
    let through_main = api
        .patch(
            Kind::Pod,
            "default",
            "web",
            PatchType::MergePatch,
            &json!({"status": {"phase": "Running"}}),
            false,
        )
        .unwrap();
    assert_eq!(through_main.to_value()["status"]["phase"], "Pending");
    let through_status = api
        .patch(
            Kind::Pod,
            "default",
            "web",
            PatchType::MergePatch,
            &json!({"status": {"phase": "Running"}, "metadata": {"labels": {"x": "y"}}}),
            true,
        )
        .unwrap();
    assert_eq!(through_status.to_value()["status"]["phase"], "Running");
    assert!(through_status.labels().get("x").is_none());
}

/// A pod carrying only a name and the given status, as the kubelet sends it.
fn status_only(name: &str, status: serde_json::Value) -> Object {
    Object::from_value(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name}, "status": status
    }))
    .unwrap()
}

#[test]
fn a_pod_status_write_keeps_the_stored_spec_metadata_and_qos_class() {
    let mut api = server();
    let created = api
        .create("default", pod("web", json!({"app": "web"})))
        .unwrap();
    let stored = api
        .update_status(
            "default",
            status_only("web", json!({"phase": "Running", "podIP": "10.244.0.5"})),
        )
        .unwrap();
    let (before, after) = (created.to_value(), stored.to_value());
    assert_eq!(after["spec"], before["spec"]);
    assert_eq!(after["metadata"]["labels"], json!({"app": "web"}));
    assert_eq!(after["metadata"]["uid"], before["metadata"]["uid"]);
    assert_eq!(after["status"]["phase"], "Running");
    assert_eq!(after["status"]["qosClass"], before["status"]["qosClass"]);
    assert_ne!(
        after["metadata"]["resourceVersion"],
        before["metadata"]["resourceVersion"]
    );
}

#[test]
fn the_same_pod_status_twice_writes_nothing_the_second_time() {
    let mut api = server();
    api.create("default", pod("web", json!({}))).unwrap();
    let status = json!({"phase": "Running"});
    let first = api
        .update_status("default", status_only("web", status.clone()))
        .unwrap();
    let revision = api.current_revision();
    let second = api
        .update_status("default", status_only("web", status))
        .unwrap();
    assert_eq!(api.current_revision(), revision);
    assert_eq!(second.resource_version(), first.resource_version());
}

#[test]
fn a_pod_status_write_is_validated_as_a_status_with_kubernetes_messages() {
    let mut api = server();
    api.create("default", pod("web", json!({}))).unwrap();
    let refused = api
        .update_status(
            "default",
            status_only(
                "web",
                json!({"phase": "Running", "qosClass": "Guaranteed", "podIPs": [{"ip": "ten"}]}),
            ),
        )
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "Pod \"web\" is invalid: [status.qosClass: Invalid value: \"Guaranteed\": field is immutable, status.podIPs[0]: Invalid value: \"ten\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)]"
    );
}

#[test]
fn lists_filter_by_label_and_field_selectors() {
    let mut api = server();
    api.create(
        "default",
        pod("a", json!({"app": "web", "tier": "frontend"})),
    )
    .unwrap();
    api.create(
        "default",
        pod("b", json!({"app": "web", "tier": "backend"})),
    )
    .unwrap();
    api.create("default", pod("c", json!({"app": "db"})))
        .unwrap();
    let list = |api: &mut ApiServer, selector: &str| {
        names(
            &api.list(
                Kind::Pod,
                Some("default"),
                &ListOptions::with_label_selector(selector),
            )
            .unwrap(),
        )
    };
    assert_eq!(list(&mut api, "app=web"), ["a", "b"]);
    assert_eq!(list(&mut api, "tier notin (frontend)"), ["b", "c"]);
    assert_eq!(list(&mut api, "app=web,tier!=backend"), ["a"]);
    assert_eq!(list(&mut api, "!tier"), ["c"]);
    let by_name = api
        .list(
            Kind::Pod,
            None,
            &ListOptions {
                field_selector: Some("metadata.name=b".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(names(&by_name), ["b"]);
    let pending = api
        .list(
            Kind::Pod,
            None,
            &ListOptions {
                field_selector: Some("status.phase=Pending,spec.nodeName=".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(pending.items.len(), 3);
}

#[test]
fn bad_selectors_are_400_bad_request() {
    let mut api = server();
    let err = api
        .list(
            Kind::Pod,
            None,
            &ListOptions::with_label_selector("app in (web"),
        )
        .unwrap_err();
    assert_eq!(err.code(), 400);
    let err = api
        .list(
            Kind::Pod,
            None,
            &ListOptions {
                field_selector: Some("spec.color=red".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(err.code(), 400);
    assert_eq!(err.to_string(), "field label not supported: spec.color");
}

#[test]
fn limit_and_continue_page_through_one_consistent_snapshot() {
    let mut api = server();
    for i in 0..5 {
        api.create("default", pod(&format!("p{i}"), json!({})))
            .unwrap();
    }
    let first = api
        .list(
            Kind::Pod,
            Some("default"),
            &ListOptions {
                limit: Some(2),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(names(&first), ["p0", "p1"]);
    // remainingItemCount is optional in Kubernetes; counting the rest would make a page O(n).
    assert_eq!(first.remaining_item_count, None);
    // Changes after the first page do not show in later pages.
    api.create("default", pod("p2a", json!({}))).unwrap();
    let second = api
        .list(
            Kind::Pod,
            Some("default"),
            &ListOptions {
                limit: Some(2),
                continue_token: first.continue_token.clone(),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(names(&second), ["p2", "p3"]);
    assert_eq!(second.resource_version, first.resource_version);
    let third = api
        .list(
            Kind::Pod,
            Some("default"),
            &ListOptions {
                limit: Some(2),
                continue_token: second.continue_token.clone(),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(names(&third), ["p4"]);
    assert_eq!(third.continue_token, None);
}

#[test]
fn a_continue_token_older_than_compaction_is_410_gone() {
    let mut api = server();
    for i in 0..3 {
        api.create("default", pod(&format!("p{i}"), json!({})))
            .unwrap();
    }
    let first = api
        .list(
            Kind::Pod,
            Some("default"),
            &ListOptions {
                limit: Some(1),
                ..Default::default()
            },
        )
        .unwrap();
    api.create("default", pod("later", json!({}))).unwrap();
    api.compact(api.current_revision()).unwrap();
    let err = api
        .list(
            Kind::Pod,
            Some("default"),
            &ListOptions {
                limit: Some(1),
                continue_token: first.continue_token,
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(err.code(), 410);
    assert_eq!(err.reason(), "Expired");
}

#[test]
fn watch_streams_added_modified_and_deleted() {
    let mut api = server();
    let watch = api
        .watch(Kind::Pod, Some("default"), &WatchOptions::default())
        .unwrap();
    assert!(api.poll_watch(watch).unwrap().is_empty());
    api.create("default", pod("web", json!({}))).unwrap();
    api.patch(
        Kind::Pod,
        "default",
        "web",
        PatchType::MergePatch,
        &json!({"metadata": {"labels": {"v": "2"}}}),
        false,
    )
    .unwrap();
    api.delete(Kind::Pod, "default", "web", &DeleteOptions::default())
        .unwrap();
    let events = api.poll_watch(watch).unwrap();
    let types: Vec<_> = events.iter().map(|e| e.event_type).collect();
    assert_eq!(
        types,
        [
            WatchEventType::Added,
            WatchEventType::Modified,
            WatchEventType::Deleted
        ]
    );
    let deleted_rv = events[2].object.resource_version().map(str::to_string);
    assert_eq!(deleted_rv, Some(api.current_revision().to_string()));
}

#[test]
fn watch_without_resource_version_starts_with_the_current_objects() {
    let mut api = server();
    api.create("default", pod("a", json!({}))).unwrap();
    let watch = api
        .watch(Kind::Pod, None, &WatchOptions::default())
        .unwrap();
    let events = api.poll_watch(watch).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_type, WatchEventType::Added);
}

#[test]
fn watch_from_a_resource_version_replays_what_came_after_it() {
    let mut api = server();
    api.create("default", pod("a", json!({}))).unwrap();
    let after_a = api.current_revision();
    api.create("default", pod("b", json!({}))).unwrap();
    let watch = api
        .watch(
            Kind::Pod,
            None,
            &WatchOptions {
                resource_version: Some(after_a.to_string()),
                ..Default::default()
            },
        )
        .unwrap();
    let events = api.poll_watch(watch).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].object.name(), "b");
}

#[test]
fn watch_from_a_compacted_resource_version_is_410_gone() {
    let mut api = server();
    let old = api.current_revision();
    api.create("default", pod("a", json!({}))).unwrap();
    api.create("default", pod("b", json!({}))).unwrap();
    api.compact(api.current_revision()).unwrap();
    let err = api
        .watch(
            Kind::Pod,
            None,
            &WatchOptions {
                resource_version: Some(old.to_string()),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(err.code(), 410);
    assert!(
        err.to_string().starts_with("too old resource version: "),
        "{err}"
    );
}

#[test]
fn a_label_change_moves_an_object_in_and_out_of_a_selective_watch() {
    let mut api = server();
    api.create("default", pod("web", json!({"app": "web"})))
        .unwrap();
    let watch = api
        .watch(
            Kind::Pod,
            None,
            &WatchOptions {
                label_selector: Some("app=web".into()),
                resource_version: Some(api.current_revision().to_string()),
                ..Default::default()
            },
        )
        .unwrap();
    api.patch(
        Kind::Pod,
        "default",
        "web",
        PatchType::MergePatch,
        &json!({"metadata": {"labels": {"app": "other"}}}),
        false,
    )
    .unwrap();
    api.patch(
        Kind::Pod,
        "default",
        "web",
        PatchType::MergePatch,
        &json!({"metadata": {"labels": {"app": "web"}}}),
        false,
    )
    .unwrap();
    let types: Vec<_> = api
        .poll_watch(watch)
        .unwrap()
        .iter()
        .map(|e| e.event_type)
        .collect();
    assert_eq!(types, [WatchEventType::Deleted, WatchEventType::Added]);
}

#[test]
fn bookmarks_carry_the_current_resource_version() {
    let mut api = server();
    let watch = api
        .watch(
            Kind::EndpointSlice,
            None,
            &WatchOptions {
                allow_watch_bookmarks: true,
                ..Default::default()
            },
        )
        .unwrap();
    let bookmark = api.bookmark(watch).unwrap();
    assert_eq!(bookmark.event_type, WatchEventType::Bookmark);
    assert_eq!(
        bookmark.object.resource_version().map(str::to_string),
        Some(api.current_revision().to_string())
    );
    let plain = api
        .watch(Kind::Pod, None, &WatchOptions::default())
        .unwrap();
    assert!(api.bookmark(plain).is_none());
}

fn scheduled_pod(api: &mut ApiServer, name: &str) {
    api.create("default", pod(name, json!({}))).unwrap();
    let binding = binding_to(name, "node-1");
    api.bind("default", &binding).unwrap();
}

#[test]
fn node_pinned_pod_watches_see_only_their_nodes_pods_from_when_they_opened() {
    let mut api = server();
    scheduled_pod(&mut api, "early");
    let on_node = |node: &str| WatchOptions {
        field_selector: Some(format!("spec.nodeName={node}")),
        ..Default::default()
    };
    let node_1 = api.watch(Kind::Pod, None, &on_node("node-1")).unwrap();
    let node_2 = api.watch(Kind::Pod, None, &on_node("node-2")).unwrap();
    let unbound = api.watch(Kind::Pod, None, &on_node("")).unwrap();
    scheduled_pod(&mut api, "web");
    let seen = |api: &mut ApiServer, watch| -> Vec<(WatchEventType, String)> {
        api.poll_watch(watch)
            .unwrap()
            .iter()
            .map(|e| (e.event_type, e.object.name().to_string()))
            .collect()
    };
    // The pod already on node-1 arrives as the watch's initial state; the new one arrives
    // when the binding moves it onto the node.
    assert_eq!(
        seen(&mut api, node_1),
        [
            (WatchEventType::Added, "early".to_string()),
            (WatchEventType::Added, "web".to_string())
        ]
    );
    assert_eq!(seen(&mut api, node_2), []);
    assert_eq!(
        seen(&mut api, unbound),
        [
            (WatchEventType::Added, "web".to_string()),
            (WatchEventType::Deleted, "web".to_string())
        ]
    );
    // A watch opened later starts after what it listed.
    let late = api.watch(Kind::Pod, None, &on_node("node-1")).unwrap();
    api.cancel_watch(node_1);
    assert_eq!(seen(&mut api, late).len(), 2);
    api.delete(Kind::Pod, "default", "web", &DeleteOptions::default())
        .unwrap();
    assert_eq!(
        seen(&mut api, late),
        [(WatchEventType::Modified, "web".to_string())]
    );
    assert_eq!(seen(&mut api, node_2), []);
}

#[test]
fn deleting_a_scheduled_pod_is_graceful_and_a_second_delete_with_zero_grace_finishes_it() {
    let mut api = server();
    scheduled_pod(&mut api, "web");
    let outcome = api
        .delete(Kind::Pod, "default", "web", &DeleteOptions::default())
        .unwrap();
    let DeleteOutcome::Pending(marked) = outcome else {
        panic!("expected graceful deletion")
    };
    assert_eq!(marked.metadata().deletion_grace_period_seconds, Some(30));
    let deadline = Timestamp::from_k8s_time(marked.metadata().deletion_timestamp.as_ref().unwrap());
    assert_eq!(deadline, SIM_EPOCH.plus(Duration::from_secs(30)));
    let done = api
        .delete(
            Kind::Pod,
            "default",
            "web",
            &DeleteOptions {
                grace_period_seconds: Some(0),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(matches!(done, DeleteOutcome::Deleted(_)));
    assert_eq!(
        api.get(Kind::Pod, "default", "web").unwrap_err().code(),
        404
    );
}

#[test]
fn deleting_an_unscheduled_pod_is_immediate() {
    let mut api = server();
    api.create("default", pod("web", json!({}))).unwrap();
    let outcome = api
        .delete(Kind::Pod, "default", "web", &DeleteOptions::default())
        .unwrap();
    assert!(matches!(outcome, DeleteOutcome::Deleted(_)));
}

#[test]
fn finalizers_hold_an_object_until_the_last_one_is_removed() {
    let mut api = server();
    let mut cm = Object::from_value(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "finalizers": ["example.com/hold"]}})).unwrap();
    cm.metadata_mut().namespace = None;
    api.create("default", cm).unwrap();
    let outcome = api
        .delete(Kind::ConfigMap, "default", "c", &DeleteOptions::default())
        .unwrap();
    assert!(matches!(outcome, DeleteOutcome::Pending(_)));
    assert!(api
        .get(Kind::ConfigMap, "default", "c")
        .unwrap()
        .metadata()
        .deletion_timestamp
        .is_some());
    api.patch(
        Kind::ConfigMap,
        "default",
        "c",
        PatchType::MergePatch,
        &json!({"metadata": {"finalizers": null}}),
        false,
    )
    .unwrap();
    assert_eq!(
        api.get(Kind::ConfigMap, "default", "c").unwrap_err().code(),
        404
    );
}

#[test]
fn propagation_policies_add_the_garbage_collector_finalizers() {
    let mut api = server();
    api.create("default", one(NGINX_DEPLOYMENT)).unwrap();
    let foreground = api
        .delete(
            Kind::Deployment,
            "default",
            "nginx-deployment",
            &DeleteOptions {
                propagation_policy: Some(PropagationPolicy::Foreground),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        foreground.object().metadata().finalizers,
        Some(vec!["foregroundDeletion".to_string()])
    );
    let mut other = one(NGINX_DEPLOYMENT);
    other.metadata_mut().name = Some("orphaned".into());
    api.create("default", other).unwrap();
    let orphan = api
        .delete(
            Kind::Deployment,
            "default",
            "orphaned",
            &DeleteOptions {
                propagation_policy: Some(PropagationPolicy::Orphan),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        orphan.object().metadata().finalizers,
        Some(vec!["orphan".to_string()])
    );
    let mut third = one(NGINX_DEPLOYMENT);
    third.metadata_mut().name = Some("background".into());
    api.create("default", third).unwrap();
    let background = api
        .delete(
            Kind::Deployment,
            "default",
            "background",
            &DeleteOptions::default(),
        )
        .unwrap();
    assert!(matches!(background, DeleteOutcome::Deleted(_)));
}

#[test]
fn a_terminating_namespace_refuses_new_content_and_system_namespaces_cannot_be_deleted() {
    let mut api = server();
    api.create(
        "",
        Object::from_value(
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "lab"}}),
        )
        .unwrap(),
    )
    .unwrap();
    let outcome = api
        .delete(Kind::Namespace, "", "lab", &DeleteOptions::default())
        .unwrap();
    assert!(matches!(outcome, DeleteOutcome::Pending(_)));
    assert_eq!(
        outcome.object().to_value()["status"]["phase"],
        "Terminating"
    );
    let err = api.create("lab", pod("web", json!({}))).unwrap_err();
    assert_eq!(err.code(), 403);
    assert_eq!(err.to_string(), "pods \"web\" is forbidden: unable to create new content in namespace lab because it is being terminated");
    let err = api
        .delete(Kind::Namespace, "", "default", &DeleteOptions::default())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "namespaces \"default\" is forbidden: this namespace may not be deleted"
    );
}

#[test]
fn each_patch_type_applies_as_kubernetes_applies_it() {
    let mut api = server();
    api.create("default", one(NGINX_DEPLOYMENT)).unwrap();
    // Strategic merge: containers merge by name, so the sidecar is added next to nginx.
    let smp = json!({"spec": {"template": {"spec": {"containers": [{"name": "sidecar", "image": "busybox:1.36"}]}}}});
    let patched = api
        .patch(
            Kind::Deployment,
            "default",
            "nginx-deployment",
            PatchType::StrategicMergePatch,
            &smp,
            false,
        )
        .unwrap();
    let containers = patched.to_value()["spec"]["template"]["spec"]["containers"].clone();
    assert_eq!(containers.as_array().unwrap().len(), 2);
    // Merge patch: lists are replaced wholesale.
    let merge = json!({"spec": {"template": {"spec": {"containers": [{"name": "only", "image": "nginx:1.25"}]}}}});
    let patched = api
        .patch(
            Kind::Deployment,
            "default",
            "nginx-deployment",
            PatchType::MergePatch,
            &merge,
            false,
        )
        .unwrap();
    assert_eq!(
        patched.to_value()["spec"]["template"]["spec"]["containers"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // JSON patch: precise operations, and a failed test changes nothing.
    let json_patch = json!([{"op": "replace", "path": "/spec/replicas", "value": 4}]);
    let patched = api
        .patch(
            Kind::Deployment,
            "default",
            "nginx-deployment",
            PatchType::JsonPatch,
            &json_patch,
            false,
        )
        .unwrap();
    assert_eq!(patched.to_value()["spec"]["replicas"], 4);
    let failing = json!([{"op": "test", "path": "/spec/replicas", "value": 9}, {"op": "replace", "path": "/spec/replicas", "value": 1}]);
    let err = api
        .patch(
            Kind::Deployment,
            "default",
            "nginx-deployment",
            PatchType::JsonPatch,
            &failing,
            false,
        )
        .unwrap_err();
    assert_eq!(err.code(), 400);
    assert_eq!(
        api.get(Kind::Deployment, "default", "nginx-deployment")
            .unwrap()
            .to_value()["spec"]["replicas"],
        4
    );
}

#[test]
fn a_patch_that_breaks_validation_is_refused_and_changes_nothing() {
    let mut api = server();
    api.create("default", one(NGINX_DEPLOYMENT)).unwrap();
    let before = api
        .get(Kind::Deployment, "default", "nginx-deployment")
        .unwrap();
    let err = api
        .patch(
            Kind::Deployment,
            "default",
            "nginx-deployment",
            PatchType::MergePatch,
            &json!({"spec": {"selector": {"matchLabels": {"app": "other"}}}}),
            false,
        )
        .unwrap_err();
    assert_eq!(err.code(), 422);
    assert_eq!(
        api.get(Kind::Deployment, "default", "nginx-deployment")
            .unwrap(),
        before
    );
}

#[test]
fn the_scale_subresource_reads_and_writes_replicas() {
    let mut api = server();
    api.create("default", one(NGINX_DEPLOYMENT)).unwrap();
    let scale = api
        .get_scale(Kind::Deployment, "default", "nginx-deployment")
        .unwrap();
    assert_eq!(scale.spec.as_ref().unwrap().replicas, Some(3));
    assert_eq!(
        scale.status.as_ref().unwrap().selector.as_deref(),
        Some("app=nginx")
    );
    let new = Scale {
        spec: Some(ScaleSpec { replicas: Some(5) }),
        ..scale.clone()
    };
    api.update_scale(Kind::Deployment, "default", "nginx-deployment", &new)
        .unwrap();
    assert_eq!(
        api.get(Kind::Deployment, "default", "nginx-deployment")
            .unwrap()
            .to_value()["spec"]["replicas"],
        5
    );
    let negative = Scale {
        spec: Some(ScaleSpec { replicas: Some(-1) }),
        ..Default::default()
    };
    let err = api
        .update_scale(Kind::Deployment, "default", "nginx-deployment", &negative)
        .unwrap_err();
    assert_eq!(err.to_string(), "Scale.autoscaling \"nginx-deployment\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0");
    assert_eq!(
        api.get_scale(Kind::Pod, "default", "x").unwrap_err().code(),
        405
    );
}

#[test]
fn binding_assigns_a_node_once() {
    let mut api = server();
    scheduled_pod(&mut api, "web");
    let bound = api.get(Kind::Pod, "default", "web").unwrap().to_value();
    assert_eq!(bound["spec"]["nodeName"], "node-1");
    assert_eq!(bound["status"]["conditions"][0]["type"], "PodScheduled");
    let again = binding_to("web", "node-2");
    let err = api.bind("default", &again).unwrap_err();
    assert_eq!(err.to_string(), "Operation cannot be fulfilled on pods/binding \"web\": pod web is already assigned to node \"node-1\"");
}

#[test]
fn services_get_cluster_ips_and_node_ports_and_give_them_back() {
    let mut api = server();
    let svc = one("
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
");
    let created = api.create("default", svc.clone()).unwrap().to_value();
    assert_eq!(created["spec"]["clusterIP"], "10.96.0.2");
    assert_eq!(created["spec"]["ports"][0]["nodePort"], 30000);
    assert_eq!(created["spec"]["ports"][0]["protocol"], "TCP");
    api.delete(Kind::Service, "default", "web", &DeleteOptions::default())
        .unwrap();
    let again = api.create("default", svc).unwrap().to_value();
    assert_eq!(again["spec"]["clusterIP"], "10.96.0.2");
}

#[test]
fn changing_a_service_type_allocates_and_releases_its_node_ports() {
    let mut api = server();
    let svc = one("apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}, ports: [{port: 80}]}");
    api.create("default", svc).unwrap();
    let to_type = |api: &mut ApiServer, type_: &str| {
        api.patch(
            Kind::Service,
            "default",
            "web",
            crate::api::patch::PatchType::MergePatch,
            &json!({"spec": {"type": type_}}),
            false,
        )
        .unwrap()
        .to_value()
    };
    let node_port = to_type(&mut api, "NodePort");
    assert_eq!(
        node_port["spec"]["ports"][0]["nodePort"], 30000,
        "{node_port}"
    );
    // A full update that leaves the NodePort out keeps it.
    let mut sent = api.get(Kind::Service, "default", "web").unwrap().to_value();
    sent["spec"]["ports"][0]
        .as_object_mut()
        .unwrap()
        .remove("nodePort");
    let object = Object::from_value(sent).unwrap();
    let kept = api.update("default", object).unwrap().to_value();
    assert_eq!(kept["spec"]["ports"][0]["nodePort"], 30000, "{kept}");
    let cluster_ip = to_type(&mut api, "ClusterIP");
    assert!(
        cluster_ip["spec"]["ports"][0]["nodePort"].is_null(),
        "{cluster_ip}"
    );
    // 30000 is free again.
    let other = one("apiVersion: v1\nkind: Service\nmetadata: {name: other}\nspec: {type: NodePort, ports: [{port: 80}]}");
    let other = api.create("default", other).unwrap().to_value();
    assert_eq!(other["spec"]["ports"][0]["nodePort"], 30000);
    // Back to NodePort: the next free port.
    let again = to_type(&mut api, "NodePort");
    assert_eq!(again["spec"]["ports"][0]["nodePort"], 30001, "{again}");
}

#[test]
fn node_port_zero_asks_for_any_free_port() {
    let mut api = server();
    let svc = one("apiVersion: v1\nkind: Service\nmetadata: {name: np}\nspec: {type: NodePort, ports: [{port: 80, nodePort: 0}]}");
    let created = api.create("default", svc).unwrap().to_value();
    assert_eq!(created["spec"]["ports"][0]["nodePort"], 30000);
}

#[test]
fn every_request_and_commit_is_traced() {
    let mut api = server();
    api.poll_trace();
    api.set_user("kubectl");
    api.create("default", pod("web", json!({}))).unwrap();
    let _ = api.get(Kind::Pod, "default", "missing");
    let trace = api.poll_trace();
    assert!(
        matches!(&trace[0], crate::sim::trace::TraceRecord::StoreCommit { key, .. } if key == "/registry/pods/default/web")
    );
    assert!(
        matches!(&trace[1], crate::sim::trace::TraceRecord::ApiRequest { verb, code: 201, user, .. } if verb == "create" && user == "kubectl")
    );
    assert!(matches!(
        &trace[2],
        crate::sim::trace::TraceRecord::ApiRequest { code: 404, .. }
    ));
}

#[test]
fn a_restarted_server_over_the_same_store_keeps_objects_and_allocations() {
    let mut api = server();
    api.create(
        "default",
        one("apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {ports: [{port: 80}]}"),
    )
    .unwrap();
    let uid = api
        .get(Kind::Service, "default", "a")
        .unwrap()
        .metadata()
        .uid
        .clone();
    let ApiServer { store, .. } = api;
    let mut restarted = ApiServer::with_store(store, 7, SIM_EPOCH);
    assert_eq!(
        restarted
            .get(Kind::Service, "default", "a")
            .unwrap()
            .metadata()
            .uid,
        uid
    );
    let b = restarted
        .create(
            "default",
            one("apiVersion: v1\nkind: Service\nmetadata: {name: b}\nspec: {ports: [{port: 80}]}"),
        )
        .unwrap();
    assert_eq!(b.to_value()["spec"]["clusterIP"], "10.96.0.3");
}

/// A pod owned by the ReplicaSet `web` (uid `rs-1`), as its controller creates it.
fn replica(name: &str) -> Object {
    Object::from_value(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "labels": {"app": "web"}, "ownerReferences": [{
            "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "uid": "rs-1",
            "controller": true}]},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]}
    }))
    .unwrap()
}

fn bind_to(api: &mut ApiServer, name: &str, node: &str) -> Arc<Object> {
    api.bind("default", &binding_to(name, node)).unwrap()
}

/// A Binding of pod `name` to `node`.
fn binding_to(name: &str, node: &str) -> Binding {
    Binding {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..Default::default()
        },
        target: ObjectReference {
            kind: Some("Node".into()),
            name: Some(node.into()),
            ..Default::default()
        },
    }
}

fn stored_pod(object: &Object) -> &StoredPod {
    match object {
        Object::Pod(pod) => pod,
        other => panic!("not a pod: {}", other.kind().kind_name()),
    }
}

fn on_node(api: &mut ApiServer, node: &str) -> Vec<String> {
    let options = ListOptions {
        field_selector: Some(format!("spec.nodeName={node}")),
        ..Default::default()
    };
    names(&api.list(Kind::Pod, Some("default"), &options).unwrap())
}

#[test]
fn bound_replicas_share_one_spec_and_each_keeps_its_own_node() {
    let mut api = server();
    for name in ["web-a", "web-b", "web-c"] {
        api.create("default", replica(name)).unwrap();
    }
    let a = bind_to(&mut api, "web-a", "node-1");
    let b = bind_to(&mut api, "web-b", "node-2");
    let c = api.get(Kind::Pod, "default", "web-c").unwrap();
    let (pa, pb, pc) = (stored_pod(&a), stored_pod(&b), stored_pod(&c));
    for other in [pb, pc] {
        assert!(
            matches!((&pa.spec, &other.spec), (Some(x), Some(y)) if Arc::ptr_eq(x, y)),
            "the bound replicas keep the template's spec"
        );
    }
    assert_eq!(a.to_value()["spec"]["nodeName"], "node-1");
    assert_eq!(b.to_value()["spec"]["nodeName"], "node-2");
    assert_eq!(c.to_value()["spec"].get("nodeName"), None);
    assert_eq!(on_node(&mut api, "node-1"), ["web-a"]);
    assert_eq!(on_node(&mut api, "node-2"), ["web-b"]);
    assert_eq!(on_node(&mut api, ""), ["web-c"]);
    // A replica created after the bindings still gets the spec without a node.
    let d = api.create("default", replica("web-d")).unwrap();
    assert_eq!(d.to_value()["spec"].get("nodeName"), None);
    assert!(matches!((&pa.spec, &stored_pod(&d).spec), (Some(x), Some(y)) if Arc::ptr_eq(x, y)));
    // The last binding of the same spec does not move the first pod.
    bind_to(&mut api, "web-c", "node-3");
    let a = api.get(Kind::Pod, "default", "web-a").unwrap();
    assert_eq!(a.to_value()["spec"]["nodeName"], "node-1");
}

#[test]
fn a_put_or_patch_of_a_bound_pod_keeps_its_node() {
    let mut api = server();
    scheduled_pod(&mut api, "web");
    let mut body = api.get(Kind::Pod, "default", "web").unwrap().to_value();
    body["spec"]["containers"][0]["image"] = json!("nginx:1.27");
    let updated = api
        .update("default", Object::from_value(body).unwrap())
        .unwrap();
    assert_eq!(updated.to_value()["spec"]["nodeName"], "node-1");
    assert_eq!(
        updated.to_value()["spec"]["containers"][0]["image"],
        "nginx:1.27"
    );
    let patched = api
        .patch(
            Kind::Pod,
            "default",
            "web",
            PatchType::MergePatch,
            &json!({"metadata": {"annotations": {"note": "x"}}}),
            false,
        )
        .unwrap();
    assert_eq!(patched.to_value()["spec"]["nodeName"], "node-1");
    assert_eq!(on_node(&mut api, "node-1"), ["web"]);

    // A PUT that drops or changes the node is a forbidden spec change, as in Kubernetes.
    for node in [json!(null), json!("node-2")] {
        let mut body = api.get(Kind::Pod, "default", "web").unwrap().to_value();
        body["spec"]["nodeName"] = node;
        let err = api
            .update("default", Object::from_value(body).unwrap())
            .unwrap_err();
        assert_eq!(err.code(), 422);
        assert!(
            err.to_string().contains("- spec.nodeName: \"node-1\""),
            "{err}"
        );
    }
    assert_eq!(on_node(&mut api, "node-1"), ["web"]);
}

#[test]
fn a_pod_status_write_keeps_the_node_name() {
    let mut api = server();
    scheduled_pod(&mut api, "web");
    let stored = api
        .update_status("default", status_only("web", json!({"phase": "Running"})))
        .unwrap();
    assert_eq!(stored.to_value()["spec"]["nodeName"], "node-1");
    assert_eq!(stored_pod(&stored).node_name(), Some("node-1"));
    assert_eq!(on_node(&mut api, "node-1"), ["web"]);
}

#[test]
fn a_pod_created_with_a_node_name_is_on_that_node() {
    let mut api = server();
    let mut body = pod("pinned", json!({})).to_value();
    body["spec"]["nodeName"] = json!("node-7");
    let created = api
        .create("default", Object::from_value(body).unwrap())
        .unwrap();
    assert_eq!(created.to_value()["spec"]["nodeName"], "node-7");
    assert_eq!(
        stored_pod(&created)
            .spec()
            .and_then(|s| s.node_name.as_deref()),
        None
    );
    assert_eq!(on_node(&mut api, "node-7"), ["pinned"]);
    let binding = binding_to("pinned", "node-1");
    let err = api.bind("default", &binding).unwrap_err();
    assert!(
        err.to_string()
            .contains("already assigned to node \"node-7\""),
        "{err}"
    );
}
