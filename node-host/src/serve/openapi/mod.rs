//! `/openapi/v2` and `/openapi/v3`: the schemas of the supported kinds and the operations on
//! them, which `kubectl apply`, `create` and `explain` read before they send anything.
//!
//! What kubectl 1.33 does with them (checked with `kubectl apply -v=8` against this server and
//! in cli-runtime's `query_param_verifier_v3.go`, kubectl's `apply/patcher.go`):
//! - `GET /openapi/v3` lists one document per group version (`api/v1`, `apis/apps/v1`, …).
//!   kubectl reads the document of the object's group version and, when the PATCH operation
//!   of its kind lists the `fieldValidation` parameter, skips its own schema validation and
//!   sends `fieldValidation=Strict`, leaving unknown fields to the server ([`super::api::body`]
//!   refuses them with Kubernetes' `strict decoding error`). Without a v3 document it falls
//!   back to `/openapi/v2` and validates on the client.
//! - `kubectl apply` on an existing object computes its three-way strategic merge patch from
//!   the v3 schema of the kind (found by `x-kubernetes-group-version-kind`), using the patch
//!   strategies and merge keys written on its fields ([`schemas`]).
//! - `kubectl explain` reads the same v3 documents.
//!
//! The documents are built once, on first use, from k8s-openapi's schemas ([`schemas`]) and
//! the operations kubeplay serves ([`paths`]). `/openapi/v2` is served as JSON with the same
//! definitions; asked for protobuf (what client-go asks for), it answers a document with no
//! definitions, since encoding the schemas as gnostic protobuf is not done yet: kubectl then
//! finds no v2 schema and relies on v3 (or, if v3 fails, lets the server validate).

pub mod paths;
pub mod schemas;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use kubeplay_core::api::objects::Kind;
use kubeplay_core::apiserver::registry::has_scale_subresource;
use serde_json::{json, Value};

use self::schemas::{Flavor, SchemaRequest};
use crate::serve::api::status::StatusError;
use crate::serve::version::VersionInfo;

/// The OpenAPI routes (behind the token check).
pub fn router() -> Router {
    Router::new()
        .route("/openapi/v2", get(v2))
        .route("/openapi/v3", get(v3_index))
        .route("/openapi/v3/{*group_version}", get(v3_document))
}

/// The serialized documents, built on first use.
struct Documents {
    /// `/openapi/v2` as JSON.
    v2_json: Vec<u8>,
    /// The v3 documents by path (`api/v1`, `apis/apps/v1`), with their hashes.
    v3: BTreeMap<String, (String, Vec<u8>)>,
    /// `/openapi/v3`.
    v3_index: Vec<u8>,
}

fn documents() -> &'static Documents {
    static DOCUMENTS: OnceLock<Documents> = OnceLock::new();
    DOCUMENTS.get_or_init(build_documents)
}

/// The group versions served and their kinds, in the order of [`Kind::ALL`].
fn group_versions() -> Vec<(String, Vec<Kind>)> {
    let mut groups: Vec<(String, Vec<Kind>)> = Vec::new();
    for kind in Kind::ALL {
        let path = if kind.group().is_empty() {
            format!("api/{}", kind.version())
        } else {
            format!("apis/{}/{}", kind.group(), kind.version())
        };
        match groups.iter_mut().find(|(known, _)| *known == path) {
            Some((_, kinds)) => kinds.push(kind),
            None => groups.push((path, vec![kind])),
        }
    }
    groups
}

/// The OpenAPI 3.0 document of one group version.
pub fn v3_document_value(kinds: &[Kind]) -> Value {
    let request = SchemaRequest {
        kinds,
        scale: kinds.iter().any(|&kind| has_scale_subresource(kind)),
        binding: kinds.contains(&Kind::Pod),
    };
    json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": VersionInfo::current().git_version},
        "paths": paths::paths(Flavor::OpenApiV3, kinds),
        "components": {
            "schemas": schemas::named_schemas(Flavor::OpenApiV3, &request),
            "securitySchemes": {
                "BearerToken": {
                    "type": "apiKey",
                    "description": "Bearer Token authentication",
                    "name": "authorization",
                    "in": "header",
                },
            },
        },
        "security": [{"BearerToken": []}],
    })
}

/// The Swagger 2.0 document: every kind's definitions, no paths.
pub fn v2_document_value() -> Value {
    let request = SchemaRequest {
        kinds: &Kind::ALL,
        scale: true,
        binding: true,
    };
    json!({
        "swagger": "2.0",
        "info": {"title": "Kubernetes", "version": VersionInfo::current().git_version},
        "paths": {},
        "definitions": schemas::named_schemas(Flavor::SwaggerV2, &request),
        "securityDefinitions": {
            "BearerToken": {
                "type": "apiKey",
                "description": "Bearer Token authentication",
                "name": "authorization",
                "in": "header",
            },
        },
        "security": [{"BearerToken": []}],
    })
}

fn build_documents() -> Documents {
    let mut v3 = BTreeMap::new();
    let mut index = serde_json::Map::new();
    for (path, kinds) in group_versions() {
        let bytes = v3_document_value(&kinds).to_string().into_bytes();
        let hash = content_hash(&bytes);
        index.insert(
            path.clone(),
            json!({"serverRelativeURL": format!("/openapi/v3/{path}?hash={hash}")}),
        );
        v3.insert(path, (hash, bytes));
    }
    Documents {
        v2_json: v2_document_value().to_string().into_bytes(),
        v3,
        v3_index: json!({"paths": index}).to_string().into_bytes(),
    }
}

/// A hash of a document for its `?hash=` URL (kube-apiserver uses SHA-512; any hash that
/// changes with the content serves the purpose: clients compare, never recompute it).
fn content_hash(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016X}")
}

fn json_bytes(bytes: &'static [u8]) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        bytes,
    )
        .into_response()
}

/// `GET /openapi/v3`: the index of the group version documents.
async fn v3_index() -> Response {
    json_bytes(&documents().v3_index)
}

/// `GET /openapi/v3/{group_version}`: one group version's document (404 for others).
async fn v3_document(Path(group_version): Path<String>) -> Response {
    match documents().v3.get(group_version.trim_end_matches('/')) {
        Some((_, bytes)) => json_bytes(bytes),
        None => StatusError::not_found_path().into_response(),
    }
}

/// The media type of the protobuf answer (kube-apiserver's; Go's mime parser refuses the `@v1.0` form kubectl puts in `Accept`).
const OPENAPI_V2_PROTOBUF: &str = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

/// `GET /openapi/v2`: the Swagger 2.0 document as JSON, or, when the client asks for
/// protobuf (gnostic's `openapi_v2.Document`), one with no definitions yet.
async fn v2(headers: HeaderMap) -> Response {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("*/*");
    let version = VersionInfo::current().git_version;
    if accept.contains("protobuf") {
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, OPENAPI_V2_PROTOBUF)],
            empty_document_protobuf(&version),
        )
            .into_response();
    }
    json_bytes(&documents().v2_json)
}

/// `Document{swagger: "2.0", info: Info{title: "Kubernetes", version}}` in protobuf wire format
/// (field 1 `swagger`, field 2 `info` with its fields 1 `title` and 2 `version`).
fn empty_document_protobuf(version: &str) -> Vec<u8> {
    let mut info = Vec::new();
    push_string_field(&mut info, 1, "Kubernetes");
    push_string_field(&mut info, 2, version);
    let mut document = Vec::new();
    push_string_field(&mut document, 1, "2.0");
    push_bytes_field(&mut document, 2, &info);
    document
}

fn push_string_field(out: &mut Vec<u8>, field: u8, text: &str) {
    push_bytes_field(out, field, text.as_bytes());
}

fn push_bytes_field(out: &mut Vec<u8>, field: u8, bytes: &[u8]) {
    out.push((field << 3) | 2);
    let mut length = bytes.len();
    loop {
        let low = (length & 0x7f) as u8;
        length >>= 7;
        if length == 0 {
            out.push(low);
            break;
        }
        out.push(low | 0x80);
    }
    out.extend_from_slice(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_v3_index_lists_one_document_per_group_version_with_a_hash() {
        let index: Value = serde_json::from_slice(&documents().v3_index).unwrap();
        let paths = index["paths"].as_object().unwrap();
        let names: Vec<&str> = paths.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "api/v1",
                "apis/apps/v1",
                "apis/coordination.k8s.io/v1",
                "apis/discovery.k8s.io/v1",
                "apis/scheduling.k8s.io/v1"
            ]
        );
        let url = paths["apis/apps/v1"]["serverRelativeURL"].as_str().unwrap();
        assert!(url.starts_with("/openapi/v3/apis/apps/v1?hash="), "{url}");
    }

    #[test]
    fn the_apps_document_holds_deployments_and_the_pod_template_they_refer_to() {
        let document = v3_document_value(&[Kind::ReplicaSet, Kind::Deployment]);
        let schemas = &document["components"]["schemas"];
        assert!(schemas.get("io.k8s.api.apps.v1.Deployment").is_some());
        assert!(schemas.get("io.k8s.api.core.v1.PodTemplateSpec").is_some());
        assert!(schemas.get("io.k8s.api.autoscaling.v1.Scale").is_some());
        assert!(document["paths"]
            .get("/apis/apps/v1/namespaces/{namespace}/deployments/{name}")
            .is_some());
    }

    #[test]
    fn the_empty_document_is_valid_protobuf_with_swagger_and_info() {
        let bytes = empty_document_protobuf("v1.33.0-kubeplay");
        let mut expected = vec![0x0a, 3];
        expected.extend_from_slice(b"2.0");
        expected.extend_from_slice(&[0x12, 30, 0x0a, 10]);
        expected.extend_from_slice(b"Kubernetes");
        expected.extend_from_slice(&[0x12, 16]);
        expected.extend_from_slice(b"v1.33.0-kubeplay");
        assert_eq!(bytes, expected);
    }
}
