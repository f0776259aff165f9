//! The operations of one group version, as an OpenAPI 3.0 `paths` object.
//!
//! Only what kubeplay serves is listed: per kind the collection (list, create,
//! deletecollection, and list across namespaces), the item (read, replace, patch, delete), and
//! the `status`, `scale` and `binding` subresources. Each operation carries the extensions
//! kubectl reads: `x-kubernetes-action` and `x-kubernetes-group-version-kind`. kubectl 1.33
//! decides that the server validates fields itself when the PATCH operation of a kind lists
//! the `fieldValidation` parameter (cli-runtime's `queryParamVerifierV3`), and computes
//! `kubectl apply`'s strategic merge patch from the schemas when that operation accepts
//! `application/strategic-merge-patch+json`; so every write operation lists the write
//! parameters, and every PATCH the three patch types kubeplay applies. Server-side apply
//! (`application/apply-patch+yaml`) is not served and not listed.

use kubeplay_core::api::objects::Kind;
use kubeplay_core::apiserver::registry::{has_scale_subresource, has_status_subresource};
use serde_json::{json, Map, Value};

use super::schemas::{list_schema_name, schema_name, Flavor};

/// The patch media types kubeplay applies.
const PATCH_MEDIA_TYPES: [&str; 3] = [
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
];

/// A query parameter, inline (kubectl reads parameter names without resolving `$ref`s).
fn query(name: &str, description: &str, kind: &str) -> Value {
    json!({
        "name": name,
        "in": "query",
        "description": description,
        "schema": {"type": kind, "uniqueItems": true},
    })
}

fn path_parameter(name: &str, description: &str) -> Value {
    json!({
        "name": name,
        "in": "path",
        "description": description,
        "required": true,
        "schema": {"type": "string", "uniqueItems": true},
    })
}

fn pretty() -> Value {
    query(
        "pretty",
        "If 'true', then the output is pretty printed.",
        "string",
    )
}

/// `dryRun`, `fieldManager` and `fieldValidation`: the parameters of every write.
fn write_parameters() -> Vec<Value> {
    vec![
        query(
            "dryRun",
            "When present, indicates that modifications should not be persisted. The only valid value is All (kubeplay refuses it for now).",
            "string",
        ),
        query(
            "fieldManager",
            "A name associated with the actor or entity that is making these changes.",
            "string",
        ),
        query(
            "fieldValidation",
            "How the server treats fields of the body that the schema does not know: Ignore (drop them silently), Warn (drop them and send a Warning header per field; the default), or Strict (refuse the request with a BadRequest naming them).",
            "string",
        ),
    ]
}

fn list_parameters() -> Vec<Value> {
    vec![
        query(
            "allowWatchBookmarks",
            "Asks the watch for BOOKMARK events.",
            "boolean",
        ),
        query(
            "continue",
            "The continue token of the previous page of a chunked list.",
            "string",
        ),
        query(
            "fieldSelector",
            "Restricts the list to objects whose fields match.",
            "string",
        ),
        query(
            "labelSelector",
            "Restricts the list to objects whose labels match.",
            "string",
        ),
        query(
            "limit",
            "The largest number of objects one page of the list holds.",
            "integer",
        ),
        query(
            "resourceVersion",
            "Which version of the collection to list or watch from.",
            "string",
        ),
        query(
            "resourceVersionMatch",
            "How resourceVersion applies to a list: Exact or NotOlderThan.",
            "string",
        ),
        query(
            "timeoutSeconds",
            "How long the list or watch call may take.",
            "integer",
        ),
        query(
            "watch",
            "Streams the changes to the collection instead of listing it.",
            "boolean",
        ),
    ]
}

fn delete_parameters() -> Vec<Value> {
    vec![
        query(
            "dryRun",
            "When present, indicates that modifications should not be persisted.",
            "string",
        ),
        query(
            "gracePeriodSeconds",
            "The duration in seconds before the object should be deleted.",
            "integer",
        ),
        query(
            "propagationPolicy",
            "Whether and how garbage collection deletes the dependents: Orphan, Background or Foreground.",
            "string",
        ),
    ]
}

/// Names of one kind as operation ids spell them: `CoreV1`, `AppsV1`, `CoordinationV1`.
fn group_version_id(kind: Kind) -> String {
    let group = kind.group().split('.').next().unwrap_or("");
    let group = if group.is_empty() { "core" } else { group };
    format!("{}{}", capitalize(group), capitalize(kind.version()))
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The URL prefix of a kind's group version: `/api/v1` or `/apis/apps/v1`.
fn group_version_prefix(kind: Kind) -> String {
    if kind.group().is_empty() {
        format!("/api/{}", kind.version())
    } else {
        format!("/apis/{}/{}", kind.group(), kind.version())
    }
}

/// What one operation reads and answers.
struct Operation {
    tag: String,
    verb: &'static str,
    action: &'static str,
    id_suffix: String,
    gvk: (&'static str, &'static str, &'static str),
    parameters: Vec<Value>,
    body: Option<Vec<&'static str>>,
    body_schema: String,
    answer_schema: String,
    answer_code: &'static str,
}

fn operation(flavor: Flavor, op: Operation) -> Value {
    let prefix = flavor.ref_prefix();
    let reference = |name: &str| json!({"$ref": format!("{prefix}{name}")});
    let answer = json!({
        "description": "OK",
        "content": {"application/json": {"schema": reference(&op.answer_schema)}},
    });
    let mut responses = Map::new();
    responses.insert(op.answer_code.to_string(), answer);
    responses.insert("401".into(), json!({"description": "Unauthorized"}));
    let (group, version, kind) = op.gvk;
    let mut operation = json!({
        "tags": [op.tag],
        "operationId": format!("{}{}", op.verb, op.id_suffix),
        "parameters": op.parameters,
        "responses": responses,
        "x-kubernetes-action": op.action,
        "x-kubernetes-group-version-kind": {"group": group, "kind": kind, "version": version},
    });
    if let Some(media_types) = op.body {
        let content: Map<String, Value> = media_types
            .into_iter()
            .map(|media_type| {
                (
                    media_type.to_string(),
                    json!({"schema": reference(&op.body_schema)}),
                )
            })
            .collect();
        operation["requestBody"] = json!({"content": content, "required": true});
    }
    operation
}

/// The `paths` of the kinds of one group version.
pub fn paths(flavor: Flavor, kinds: &[Kind]) -> Map<String, Value> {
    let mut paths = Map::new();
    for &kind in kinds {
        add_kind_paths(flavor, kind, &mut paths);
    }
    paths
}

fn add_kind_paths(flavor: Flavor, kind: Kind, paths: &mut Map<String, Value>) {
    let prefix = group_version_prefix(kind);
    let plural = kind.plural();
    let gv_id = group_version_id(kind);
    let kind_name = kind.kind_name();
    let scope = if kind.namespaced() { "Namespaced" } else { "" };
    let gvk = (kind.group(), kind.version(), kind_name);
    let object = schema_name(kind);
    let list = list_schema_name(kind);
    let status = "io.k8s.apimachinery.pkg.apis.meta.v1.Status".to_string();
    let patch_body = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch".to_string();
    let delete_body = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions".to_string();
    let json_body = vec!["application/json", "application/yaml"];
    let (collection, namespace_parameter) = if kind.namespaced() {
        (
            format!("{prefix}/namespaces/{{namespace}}/{plural}"),
            Some(path_parameter(
                "namespace",
                "object name and auth scope, such as for teams and projects",
            )),
        )
    } else {
        (format!("{prefix}/{plural}"), None)
    };
    let scope_parameters = |name: Option<&str>| -> Vec<Value> {
        let mut parameters = Vec::new();
        if let Some(name) = name {
            parameters.push(path_parameter("name", &format!("name of the {name}")));
        }
        parameters.extend(namespace_parameter.clone());
        parameters.push(pretty());
        parameters
    };
    let tag = format!(
        "{}_{}",
        kind.group()
            .split('.')
            .next()
            .filter(|g| !g.is_empty())
            .unwrap_or("core"),
        kind.version()
    );
    let op = |verb: &'static str, action: &'static str, suffix: &str, parameters: Vec<Value>| {
        Operation {
            tag: tag.clone(),
            verb: "",
            action: "",
            id_suffix: String::new(),
            gvk,
            parameters,
            body: None,
            body_schema: String::new(),
            answer_schema: String::new(),
            answer_code: "200",
        }
        .named(verb, action, format!("{gv_id}{scope}{kind_name}{suffix}"))
    };

    let mut collection_item = Map::new();
    collection_item.insert("parameters".into(), json!(scope_parameters(None)));
    collection_item.insert(
        "get".into(),
        operation(
            flavor,
            op("list", "list", "", list_parameters()).answers(&list),
        ),
    );
    collection_item.insert(
        "post".into(),
        operation(
            flavor,
            op("create", "post", "", write_parameters())
                .reads(json_body.clone(), &object)
                .answers(&object)
                .code("201"),
        ),
    );
    let mut deletecollection = list_parameters();
    deletecollection.extend(delete_parameters());
    collection_item.insert(
        "delete".into(),
        operation(
            flavor,
            op("deleteCollection", "deletecollection", "", deletecollection)
                .reads(json_body.clone(), &delete_body)
                .answers(&status),
        ),
    );
    paths.insert(collection.clone(), Value::Object(collection_item));

    if kind.namespaced() {
        let mut all_namespaces = Map::new();
        all_namespaces.insert("parameters".into(), json!([pretty()]));
        let mut list_all = op("list", "list", "", list_parameters()).answers(&list);
        list_all.id_suffix = format!("{gv_id}{kind_name}ForAllNamespaces");
        all_namespaces.insert("get".into(), operation(flavor, list_all));
        paths.insert(format!("{prefix}/{plural}"), Value::Object(all_namespaces));
    }

    let mut item = Map::new();
    item.insert(
        "parameters".into(),
        json!(scope_parameters(Some(kind_name))),
    );
    item.insert(
        "get".into(),
        operation(flavor, op("read", "get", "", Vec::new()).answers(&object)),
    );
    item.insert(
        "put".into(),
        operation(
            flavor,
            op("replace", "put", "", write_parameters())
                .reads(json_body.clone(), &object)
                .answers(&object),
        ),
    );
    item.insert(
        "patch".into(),
        operation(
            flavor,
            op("patch", "patch", "", patch_parameters())
                .reads(PATCH_MEDIA_TYPES.to_vec(), &patch_body)
                .answers(&object),
        ),
    );
    item.insert(
        "delete".into(),
        operation(
            flavor,
            op("delete", "delete", "", delete_parameters())
                .reads(json_body.clone(), &delete_body)
                .answers(&status),
        ),
    );
    let item_path = format!("{collection}/{{name}}");
    paths.insert(item_path.clone(), Value::Object(item));

    if has_status_subresource(kind) {
        let mut status_item = Map::new();
        status_item.insert(
            "parameters".into(),
            json!(scope_parameters(Some(kind_name))),
        );
        status_item.insert(
            "get".into(),
            operation(
                flavor,
                op("read", "get", "Status", Vec::new()).answers(&object),
            ),
        );
        status_item.insert(
            "put".into(),
            operation(
                flavor,
                op("replace", "put", "Status", write_parameters())
                    .reads(json_body.clone(), &object)
                    .answers(&object),
            ),
        );
        status_item.insert(
            "patch".into(),
            operation(
                flavor,
                op("patch", "patch", "Status", patch_parameters())
                    .reads(PATCH_MEDIA_TYPES.to_vec(), &patch_body)
                    .answers(&object),
            ),
        );
        paths.insert(format!("{item_path}/status"), Value::Object(status_item));
    }

    if has_scale_subresource(kind) {
        let scale = "io.k8s.api.autoscaling.v1.Scale".to_string();
        let scale_op = |verb: &'static str, action: &'static str, parameters: Vec<Value>| {
            let mut operation = op(verb, action, "Scale", parameters);
            operation.gvk = ("autoscaling", "v1", "Scale");
            operation
        };
        let mut scale_item = Map::new();
        scale_item.insert("parameters".into(), json!(scope_parameters(Some("Scale"))));
        scale_item.insert(
            "get".into(),
            operation(flavor, scale_op("read", "get", Vec::new()).answers(&scale)),
        );
        scale_item.insert(
            "put".into(),
            operation(
                flavor,
                scale_op("replace", "put", write_parameters())
                    .reads(json_body.clone(), &scale)
                    .answers(&scale),
            ),
        );
        scale_item.insert(
            "patch".into(),
            operation(
                flavor,
                scale_op("patch", "patch", patch_parameters())
                    .reads(PATCH_MEDIA_TYPES.to_vec(), &patch_body)
                    .answers(&scale),
            ),
        );
        paths.insert(format!("{item_path}/scale"), Value::Object(scale_item));
    }

    if kind == Kind::Pod {
        let binding = "io.k8s.api.core.v1.Binding".to_string();
        let mut binding_op = op("create", "post", "Binding", write_parameters())
            .reads(json_body, &binding)
            .answers(&binding)
            .code("201");
        binding_op.gvk = ("", "v1", "Binding");
        let mut binding_item = Map::new();
        binding_item.insert(
            "parameters".into(),
            json!(scope_parameters(Some("Binding"))),
        );
        binding_item.insert("post".into(), operation(flavor, binding_op));
        paths.insert(format!("{item_path}/binding"), Value::Object(binding_item));
    }
}

/// The write parameters plus `force` (which only server-side apply reads).
fn patch_parameters() -> Vec<Value> {
    let mut parameters = write_parameters();
    parameters.push(query(
        "force",
        "Force is going to \"force\" Apply requests; kubeplay does not serve server-side apply.",
        "boolean",
    ));
    parameters
}

impl Operation {
    fn named(mut self, verb: &'static str, action: &'static str, id_suffix: String) -> Operation {
        self.verb = verb;
        self.action = action;
        self.id_suffix = id_suffix;
        self
    }

    fn reads(mut self, media_types: Vec<&'static str>, schema: &str) -> Operation {
        self.body = Some(media_types);
        self.body_schema = schema.to_string();
        self
    }

    fn answers(mut self, schema: &str) -> Operation {
        self.answer_schema = schema.to_string();
        self
    }

    fn code(mut self, code: &'static str) -> Operation {
        self.answer_code = code;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_patch_of_a_kind_lists_field_validation_and_the_strategic_merge_type() {
        let paths = paths(Flavor::OpenApiV3, &[Kind::Deployment]);
        let mut patches = 0;
        for (path, item) in &paths {
            let Some(patch) = item.get("patch") else {
                continue;
            };
            patches += 1;
            let names: Vec<&str> = patch["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|p| p["name"].as_str())
                .collect();
            assert!(names.contains(&"fieldValidation"), "{path}");
            assert!(
                patch["requestBody"]["content"]
                    .get("application/strategic-merge-patch+json")
                    .is_some(),
                "{path}"
            );
        }
        assert_eq!(patches, 3, "the deployment, its status and its scale");
        let item = &paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"];
        assert_eq!(
            item["patch"]["operationId"],
            "patchAppsV1NamespacedDeployment"
        );
        assert_eq!(
            item["patch"]["x-kubernetes-group-version-kind"],
            json!({"group": "apps", "kind": "Deployment", "version": "v1"})
        );
        let scale = &paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"];
        assert_eq!(
            scale["patch"]["x-kubernetes-group-version-kind"]["kind"],
            "Scale"
        );
    }

    #[test]
    fn cluster_scoped_kinds_have_no_namespace_in_their_paths() {
        let paths = paths(Flavor::OpenApiV3, &[Kind::Node, Kind::Lease]);
        assert!(paths.contains_key("/api/v1/nodes/{name}/status"));
        assert!(paths.contains_key("/apis/coordination.k8s.io/v1/leases"));
        assert_eq!(
            paths["/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}"]["get"]
                ["operationId"],
            "readCoordinationV1NamespacedLease"
        );
    }
}
