//! Discovery: how clients learn which groups, versions and resources the server has.
//!
//! kubeplay answers the legacy (unaggregated) form: `/api` (APIVersions), `/apis`
//! (APIGroupList) and one APIResourceList per group version, all built from [`Kind::ALL`].
//! kubectl 1.32 first asks `/api` and `/apis` with an `Accept` that prefers the aggregated
//! `apidiscovery.k8s.io/v2` form; an `application/json` answer tells it the server is
//! unaggregated, and it then reads each group version's resource list (checked with
//! `kubectl -v=8` against this server).

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use kubeplay_core::api::objects::Kind;
use serde_json::{json, Value};

use super::json_response;

/// The verbs of a main resource.
const RESOURCE_VERBS: [&str; 8] = [
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

/// The groups other than the core group, in the order `/apis` lists them.
fn named_groups() -> Vec<&'static str> {
    let mut groups: Vec<&'static str> = Vec::new();
    for kind in Kind::ALL {
        if !kind.group().is_empty() && !groups.contains(&kind.group()) {
            groups.push(kind.group());
        }
    }
    groups
}

/// `GET /api`.
pub fn core_versions(headers: &HeaderMap) -> Response {
    let address = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    json_response(
        StatusCode::OK,
        &json!({
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": address}
            ],
        }),
    )
}

/// `GET /apis`.
pub fn groups() -> Response {
    let groups: Vec<Value> = named_groups()
        .into_iter()
        .map(|group| {
            let version = json!({"groupVersion": format!("{group}/v1"), "version": "v1"});
            json!({
                "name": group,
                "versions": [version.clone()],
                "preferredVersion": version,
            })
        })
        .collect();
    json_response(
        StatusCode::OK,
        &json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}),
    )
}

/// `GET /api/v1` or `GET /apis/{group}/{version}`.
pub fn resources(group: &str, version: &str) -> Response {
    json_response(StatusCode::OK, &resource_list(group, version))
}

/// The APIResourceList of one group version.
pub fn resource_list(group: &str, version: &str) -> Value {
    let mut resources = Vec::new();
    for kind in Kind::ALL
        .into_iter()
        .filter(|k| k.group() == group && k.version() == version)
    {
        let mut resource = json!({
            "name": kind.plural(),
            "singularName": kind.singular(),
            "namespaced": kind.namespaced(),
            "kind": kind.kind_name(),
            "verbs": RESOURCE_VERBS,
        });
        if !kind.short_names().is_empty() {
            resource["shortNames"] = json!(kind.short_names());
        }
        if in_category_all(kind) {
            resource["categories"] = json!(["all"]);
        }
        resources.push(resource);
        if kubeplay_core::apiserver::registry::has_status_subresource(kind) {
            resources.push(json!({
                "name": format!("{}/status", kind.plural()),
                "singularName": "",
                "namespaced": kind.namespaced(),
                "kind": kind.kind_name(),
                "verbs": ["get", "patch", "update"],
            }));
        }
        if kubeplay_core::apiserver::registry::has_scale_subresource(kind) {
            resources.push(json!({
                "name": format!("{}/scale", kind.plural()),
                "singularName": "",
                "namespaced": kind.namespaced(),
                "group": "autoscaling",
                "version": "v1",
                "kind": "Scale",
                "verbs": ["get", "patch", "update"],
            }));
        }
        if kind == Kind::Pod {
            resources.push(json!({
                "name": "pods/binding",
                "singularName": "",
                "namespaced": true,
                "kind": "Binding",
                "verbs": ["create"],
            }));
            // kubectl drain evicts only when this entry names group `policy` and kind
            // `Eviction` (its CheckEvictionSupport); without it, drain falls back to DELETE.
            resources.push(json!({
                "name": "pods/eviction",
                "singularName": "",
                "namespaced": true,
                "group": "policy",
                "version": "v1",
                "kind": "Eviction",
                "verbs": ["create"],
            }));
            resources.push(json!({
                "name": "pods/log",
                "singularName": "",
                "namespaced": true,
                "kind": "Pod",
                "verbs": ["get"],
            }));
        }
    }
    let group_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": resources,
    })
}

/// The workload kinds `kubectl get all` shows (Kubernetes' `all` category).
fn in_category_all(kind: Kind) -> bool {
    match kind {
        Kind::Pod
        | Kind::ReplicationController
        | Kind::Service
        | Kind::Deployment
        | Kind::ReplicaSet => true,
        Kind::Namespace
        | Kind::Node
        | Kind::Endpoints
        | Kind::EndpointSlice
        | Kind::Event
        | Kind::ConfigMap
        | Kind::Lease
        | Kind::PriorityClass => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_core_group_lists_pods_with_short_names_categories_and_subresources() {
        let list = resource_list("", "v1");
        let resources = list["resources"].as_array().unwrap();
        let pods = resources.iter().find(|r| r["name"] == "pods").unwrap();
        assert_eq!(pods["shortNames"], json!(["po"]));
        assert_eq!(pods["categories"], json!(["all"]));
        assert_eq!(pods["namespaced"], true);
        assert!(resources.iter().any(|r| r["name"] == "pods/status"));
        assert!(resources.iter().any(|r| r["name"] == "pods/binding"));
        let eviction = resources
            .iter()
            .find(|r| r["name"] == "pods/eviction")
            .unwrap();
        assert_eq!(
            (&eviction["group"], &eviction["version"], &eviction["kind"]),
            (&json!("policy"), &json!("v1"), &json!("Eviction"))
        );
        assert_eq!(eviction["verbs"], json!(["create"]));
        let nodes = resources.iter().find(|r| r["name"] == "nodes").unwrap();
        assert_eq!(nodes["namespaced"], false);
    }

    #[test]
    fn apps_v1_has_a_scale_subresource_of_autoscaling_v1() {
        let list = resource_list("apps", "v1");
        let scale = list["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "deployments/scale")
            .cloned()
            .unwrap();
        assert_eq!(scale["group"], "autoscaling");
        assert_eq!(scale["kind"], "Scale");
    }

    #[test]
    fn the_named_groups_are_apps_coordination_discovery_and_scheduling() {
        let mut groups = named_groups();
        groups.sort_unstable();
        assert_eq!(
            groups,
            [
                "apps",
                "coordination.k8s.io",
                "discovery.k8s.io",
                "scheduling.k8s.io"
            ]
        );
    }
}
