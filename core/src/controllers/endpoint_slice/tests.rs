use super::*;
use serde_json::json;

fn cache_with_pods(count: usize, ready: bool) -> InformerCache {
    let mut cache = InformerCache::new();
    cache.insert(
        Object::from_value(json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "web", "namespace": "default", "uid": "svc-uid",
                         "creationTimestamp": "2025-01-01T00:00:00Z"},
            "spec": {"selector": {"app": "web"}, "clusterIP": "10.96.0.10",
                     "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]}
        }))
        .unwrap(),
    );
    for i in 0..count {
        cache.insert(
            Object::from_value(json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": format!("web-{i:03}"), "namespace": "default", "uid": format!("p{i}"),
                             "labels": {"app": "web"}},
                "spec": {"nodeName": "node-1", "containers": [{"name": "app", "image": "nginx",
                    "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]}]},
                "status": {"phase": "Running", "podIP": format!("10.244.{}.{}", i / 200, 2 + i % 200),
                           "conditions": [{"type": "Ready", "status": if ready {"True"} else {"False"}}]}
            }))
            .unwrap(),
        );
    }
    cache
}

fn created(reconciled: &Reconciled) -> Vec<EndpointSlice> {
    reconciled
        .requests
        .iter()
        .filter_map(|r| match r {
            ApiRequest::Create {
                object: Object::EndpointSlice(s),
                ..
            } => Some(s.as_ref().clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn two_hundred_fifty_endpoints_make_three_slices_of_at_most_one_hundred() {
    let cache = cache_with_pods(250, true);
    let mut controller = EndpointSliceController::new();
    let out = controller.sync(&ObjectKey::new("default", "web"), &cache);
    let sizes: Vec<usize> = created(&out).iter().map(|s| s.endpoints.len()).collect();
    assert_eq!(sizes, [100, 100, 50]);
}

#[test]
fn a_new_slice_is_named_after_the_service_labelled_and_owned_by_it() {
    let cache = cache_with_pods(1, false);
    let out = EndpointSliceController::new().sync(&ObjectKey::new("default", "web"), &cache);
    let slices = created(&out);
    let slice = &slices[0];
    assert_eq!(slice.metadata.generate_name.as_deref(), Some("web-"));
    assert_eq!(slice.address_type, "IPv4");
    let labels = slice.metadata.labels.clone().unwrap_or_default();
    assert_eq!(labels[SERVICE_NAME_LABEL], "web");
    assert_eq!(labels[MANAGED_BY_LABEL], CONTROLLER_NAME);
    let owner = &slice.metadata.owner_references.as_ref().unwrap()[0];
    assert_eq!(
        (owner.kind.as_str(), owner.uid.as_str(), owner.controller),
        ("Service", "svc-uid", Some(true))
    );
    let endpoint = &slice.endpoints[0];
    let conditions = endpoint.conditions.clone().unwrap_or_default();
    assert_eq!(
        (conditions.ready, conditions.serving, conditions.terminating),
        (Some(false), Some(false), Some(false))
    );
    assert_eq!(slice.ports.as_ref().unwrap()[0].port, Some(8080));
    assert_eq!(
        slice.metadata.annotations.clone().unwrap_or_default()[LAST_CHANGE_TRIGGER_TIME_ANNOTATION],
        "2025-01-01T00:00:00Z"
    );
}

#[test]
fn a_service_without_pods_gets_one_empty_placeholder_slice() {
    let cache = cache_with_pods(0, true);
    let out = EndpointSliceController::new().sync(&ObjectKey::new("default", "web"), &cache);
    let slices = created(&out);
    assert_eq!(slices.len(), 1);
    assert!(slices[0].endpoints.is_empty() && slices[0].ports.is_none());
}
