//! Round-trip tests: manifests from the Kubernetes documentation load as typed objects and come
//! back out as the same JSON, fields kubeplay does not act on included.

use serde_json::{json, Value};

use super::{Kind, Object, ObjectError};

fn yaml_to_value(text: &str) -> Value {
    serde_yaml_ng::from_str(text).unwrap_or_else(|e| panic!("test fixture is not YAML: {e}"))
}

#[test]
fn documentation_manifests_round_trip_unchanged() {
    let fixtures: [(&str, &str, Kind); 8] = [
        (
            "nginx-deployment",
            include_str!("testdata/nginx-deployment.yaml"),
            Kind::Deployment,
        ),
        (
            "two-container-pod",
            include_str!("testdata/two-container-pod.yaml"),
            Kind::Pod,
        ),
        (
            "frontend-replicaset",
            include_str!("testdata/frontend-replicaset.yaml"),
            Kind::ReplicaSet,
        ),
        (
            "replication-controller",
            include_str!("testdata/replication-controller.yaml"),
            Kind::ReplicationController,
        ),
        (
            "service-named-target-port",
            include_str!("testdata/service-named-target-port.yaml"),
            Kind::Service,
        ),
        (
            "configmap-game-demo",
            include_str!("testdata/configmap-game-demo.yaml"),
            Kind::ConfigMap,
        ),
        (
            "lease-apiserver-identity",
            include_str!("testdata/lease-apiserver-identity.yaml"),
            Kind::Lease,
        ),
        (
            "endpointslice-example",
            include_str!("testdata/endpointslice-example.yaml"),
            Kind::EndpointSlice,
        ),
    ];
    for (name, text, kind) in fixtures {
        let input = yaml_to_value(text);
        let object = Object::from_value(input.clone())
            .unwrap_or_else(|e| panic!("{name} does not load: {e}"));
        assert_eq!(object.kind(), kind, "{name}");
        assert_eq!(object.to_value(), input, "{name} changed on the round trip");
    }
}

#[test]
fn fields_kubeplay_does_not_act_on_still_round_trip() {
    let input = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "annotations": {"a": "b"}, "finalizers": ["x/y"]},
        "spec": {
            "containers": [{
                "name": "c",
                "image": "busybox",
                "securityContext": {"capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}},
                "resizePolicy": [{"resourceName": "cpu", "restartPolicy": "NotRequired"}],
            }],
            "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}],
            "os": {"name": "linux"},
        },
    });
    let object = Object::from_value(input.clone()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(object.to_value(), input);
}

#[test]
fn accessors_read_the_metadata() {
    let object = Object::from_value(yaml_to_value(include_str!(
        "testdata/nginx-deployment.yaml"
    )))
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(object.name(), "nginx-deployment");
    assert_eq!(object.namespace(), "");
    assert_eq!(
        object.labels().get("app").map(String::as_str),
        Some("nginx")
    );
    let mut object = object;
    object.metadata_mut().namespace = Some("default".into());
    assert_eq!(object.namespace(), "default");
    assert_eq!(object.to_value()["metadata"]["namespace"], "default");
}

#[test]
fn decoding_errors_read_like_the_api_server() {
    let table: Vec<(Value, &str)> = vec![
        (
            json!({"apiVersion": "v1", "metadata": {"name": "x"}}),
            r#"Object 'Kind' is missing in '{"apiVersion":"v1","metadata":{"name":"x"}}'"#,
        ),
        (
            json!({"kind": "Pod"}),
            r#"Object 'apiVersion' is missing in '{"kind":"Pod"}'"#,
        ),
        (json!({"apiVersion": "v1", "kind": "Foo"}), r#"no matches for kind "Foo" in version "v1""#),
        (
            json!({"apiVersion": "v1", "kind": "Deployment"}),
            r#"no matches for kind "Deployment" in version "v1""#,
        ),
        (
            json!([1, 2]),
            r#"couldn't get version/kind; json parse error: json: cannot unmarshal array into Go value of type struct { APIVersion string "json:\"apiVersion,omitempty\""; Kind string "json:\"kind,omitempty\"" }"#,
        ),
        (
            json!({"apiVersion": "v1", "kind": 3}),
            "couldn't get version/kind; json parse error: json: cannot unmarshal number into Go struct field .kind of type string",
        ),
        (
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                   "spec": {"containers": [{"name": "c", "ports": [{"containerPort": "eighty"}]}]}}),
            r#"Pod in version "v1" cannot be handled as a Pod: spec.containers[0].ports[0].containerPort: invalid type: string "eighty", expected i32"#,
        ),
    ];
    for (input, want) in table {
        let got = Object::from_value(input.clone()).map(|o| o.kind());
        match got {
            Err(error) => assert_eq!(error.to_string(), want, "{input}"),
            Ok(kind) => panic!("{input} decoded as {kind}, want error {want}"),
        }
    }
}

#[test]
fn decoding_as_a_kind_fills_in_missing_type_fields() {
    let object = Object::from_value_as(
        Kind::ConfigMap,
        json!({"metadata": {"name": "c"}, "data": {"k": "v"}}),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(object.kind(), Kind::ConfigMap);
    assert_eq!(object.to_value()["apiVersion"], "v1");
    assert_eq!(object.to_value()["kind"], "ConfigMap");
}

#[test]
fn decoding_as_a_kind_rejects_another_kind() {
    let error = Object::from_value_as(
        Kind::Pod,
        json!({"apiVersion": "apps/v1", "kind": "Deployment"}),
    );
    assert_eq!(
        error,
        Err(ObjectError::KindMismatch {
            expected: Kind::Pod,
            found: "apps/v1/Deployment".into()
        })
    );
}

#[test]
fn typed_values_convert_into_and_out_of_objects() {
    let pod = k8s_openapi::api::core::v1::Pod::default();
    let object = Object::from(pod.clone());
    assert_eq!(object.kind(), Kind::Pod);
    assert_eq!(
        k8s_openapi::api::core::v1::Pod::try_from(object.clone()),
        Ok(pod)
    );
    assert!(k8s_openapi::api::core::v1::Service::try_from(object).is_err());
}

/// Events are stored compactly: what comes out must still be what the k8s-openapi `Event`
/// gives for the same JSON (timestamps print with second precision in both).
#[test]
fn events_round_trip_as_the_k8s_openapi_event_does() {
    use k8s_openapi::api::core::v1::Event;
    let every_field = json!({
        "apiVersion": "v1",
        "kind": "Event",
        "action": "Binding",
        "count": 3,
        "eventTime": "2025-01-01T00:00:01.123456Z",
        "firstTimestamp": "2025-01-01T00:00:00Z",
        "involvedObject": {"apiVersion": "v1", "kind": "Pod", "name": "web-1",
            "namespace": "lab", "uid": "0f1e2d3c-4b5a-4697-8879-a0b1c2d3e4f5",
            "resourceVersion": "42", "fieldPath": "spec.containers{app}"},
        "lastTimestamp": "2025-01-01T00:00:02Z",
        "message": "Successfully assigned lab/web-1 to node-1",
        "metadata": {"name": "web-1.181a", "namespace": "lab", "labels": {"a": "b"},
            "annotations": {"c": "d"}, "uid": "u-9", "resourceVersion": "5",
            "creationTimestamp": "2025-01-01T00:00:00Z", "finalizers": ["x/y"],
            "ownerReferences": [{"apiVersion": "v1", "kind": "Pod", "name": "web-1",
                "uid": "u-1"}],
            "managedFields": [{"manager": "kubectl", "operation": "Update",
                "apiVersion": "v1", "time": "2025-01-01T00:00:00Z"}]},
        "reason": "Scheduled",
        "related": {"apiVersion": "v1", "kind": "Node", "name": "node-1"},
        "reportingComponent": "default-scheduler",
        "reportingInstance": "default-scheduler-node-1",
        "series": {"count": 4, "lastObservedTime": "2025-01-01T00:00:03.000001Z"},
        "source": {"component": "default-scheduler", "host": "node-1"},
        "type": "Normal",
    });
    let rare_words = json!({
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": "w.1", "namespace": "team-a"},
        "involvedObject": {"apiVersion": "example.com/v1", "kind": "Widget", "name": "w",
            "namespace": "team-a", "uid": "W-1", "resourceVersion": "007"},
        "firstTimestamp": "2025-01-01T00:00:00.5Z",
        "reason": "Tuned",
        "type": "Curious",
        "source": {},
        "reportingInstance": "",
    });
    let empty = json!({"apiVersion": "v1", "kind": "Event", "metadata": {}});
    for input in [every_field, rare_words, empty] {
        let object = Object::from_value(input.clone()).unwrap_or_else(|e| panic!("{e}"));
        let typed: Event = serde_json::from_value(input.clone()).unwrap_or_else(|e| panic!("{e}"));
        let mut expected = serde_json::to_value(&typed).unwrap_or_else(|e| panic!("{e}"));
        if let Value::Object(map) = &mut expected {
            map.insert("apiVersion".into(), "v1".into());
            map.insert("kind".into(), "Event".into());
        }
        assert_eq!(object.to_value(), expected, "{input}");
        assert_eq!(Event::try_from(object.clone()), Ok(typed.clone()));
        assert_eq!(Object::from(typed), object);
    }
}

/// A pod whose metadata has every field a client can write, `resourceVersion` included.
fn pod_with_full_metadata() -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "annotations": {"note": "kept", "empty": ""},
            "creationTimestamp": "2026-11-27T00:00:00Z",
            "deletionGracePeriodSeconds": 30,
            "deletionTimestamp": "2026-11-27T00:01:00Z",
            "finalizers": ["example.com/keep"],
            "generateName": "web-",
            "generation": 2,
            "labels": {"app": "web", "pod-template-hash": "abc"},
            "managedFields": [{
                "apiVersion": "v1", "fieldsType": "FieldsV1",
                "fieldsV1": {"f:metadata": {"f:labels": {"f:app": {}}}},
                "manager": "kubectl-client-side-apply", "operation": "Update",
                "time": "2026-11-27T00:00:00Z"
            }],
            "name": "web-x1",
            "namespace": "shop",
            "ownerReferences": [{
                "apiVersion": "apps/v1", "blockOwnerDeletion": true, "controller": true,
                "kind": "ReplicaSet", "name": "web", "uid": "rs-uid"
            }],
            "resourceVersion": "4711",
            "selfLink": "/api/v1/namespaces/shop/pods/web-x1",
            "uid": "pod-uid"
        },
        "spec": {"containers": [{"name": "app", "image": "nginx"}], "nodeName": "node-1"},
        "status": {"phase": "Running"}
    })
}

#[test]
fn a_pod_s_metadata_round_trips_with_its_resource_version_kept_apart() {
    let input = pod_with_full_metadata();
    let object = Object::from_value(input.clone()).expect("the pod loads");
    assert_eq!(object.resource_version(), Some("4711"));
    // The shared body does not hold the revision; the object does.
    assert_eq!(object.metadata().resource_version, None);
    assert_eq!(object.to_value(), input);
    // The same text, field for field, as the k8s-openapi `Pod` writes.
    let typed: k8s_openapi::api::core::v1::Pod =
        serde_json::from_value(input.clone()).expect("a pod");
    assert_eq!(
        serde_json::to_string(&object.to_value()).unwrap_or_default(),
        serde_json::to_string(&typed).unwrap_or_default()
    );
    // Through the k8s-openapi type and back.
    let pod = k8s_openapi::api::core::v1::Pod::try_from(object.clone()).expect("a pod");
    assert_eq!(pod.metadata.resource_version.as_deref(), Some("4711"));
    assert_eq!(pod, typed);
    assert_eq!(serde_json::to_value(&pod).unwrap_or_default(), input);
    assert_eq!(Object::from(pod), object);
    // An empty resourceVersion is kept apart from none.
    let mut empty = input.clone();
    empty["metadata"]["resourceVersion"] = json!("");
    let object = Object::from_value(empty.clone()).expect("the pod loads");
    assert_eq!(object.resource_version(), Some(""));
    assert_eq!(object.to_value(), empty);
    let mut none = input;
    if let Some(meta) = none["metadata"].as_object_mut() {
        meta.remove("resourceVersion");
    }
    let object = Object::from_value(none.clone()).expect("the pod loads");
    assert_eq!(object.resource_version(), None);
    assert_eq!(object.to_value(), none);
}

#[test]
fn a_new_resource_version_does_not_copy_a_pod_s_shared_metadata() {
    let object = Object::from_value(pod_with_full_metadata()).expect("the pod loads");
    let mut next = object.clone();
    next.set_resource_version(Some("4712".to_string()));
    assert!(std::ptr::eq(object.metadata(), next.metadata()));
    assert_eq!(next.resource_version(), Some("4712"));
    assert_eq!(
        next.to_value()["metadata"]["resourceVersion"],
        json!("4712")
    );
    assert_ne!(next, object);
    // A change of the metadata copies it for this revision only.
    next.metadata_mut().finalizers = None;
    assert!(!std::ptr::eq(object.metadata(), next.metadata()));
    assert_eq!(
        object.metadata().finalizers.as_deref(),
        Some(&["example.com/keep".to_string()][..])
    );
    assert_eq!(
        next.to_value()["metadata"]["resourceVersion"],
        json!("4712")
    );
    assert_eq!(next.to_value()["metadata"].get("finalizers"), None);
}

#[test]
fn every_kind_reads_and_writes_its_resource_version() {
    let objects = [
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}),
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}),
        json!({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e"},
            "involvedObject": {}}),
        json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "r"}}),
    ];
    for input in objects {
        let mut object = Object::from_value(input.clone()).expect("the object loads");
        assert_eq!(object.resource_version(), None, "{input}");
        object.set_resource_version(Some("12".to_string()));
        assert_eq!(object.resource_version(), Some("12"), "{input}");
        let mut expected = input.clone();
        expected["metadata"]["resourceVersion"] = json!("12");
        assert_eq!(object.to_value(), expected, "{input}");
        object.set_resource_version(None);
        assert_eq!(object.to_value(), input, "{input}");
    }
}
