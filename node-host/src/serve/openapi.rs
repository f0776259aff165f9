//! `/openapi/v2` and `/openapi/v3`: what `kubectl apply` reads before it sends anything.
//!
//! kubeplay does not serve the real schema yet. What kubectl 1.32 does without it (checked
//! with `kubectl apply -v=8` against this server): it asks `/openapi/v3` to learn whether the
//! server validates fields itself; a 404 makes it fall back to `/openapi/v2`, first as
//! protobuf, then (after a 406) as JSON. Given a valid Swagger 2.0 document with no
//! definitions, kubectl's client-side validation finds no schema for the kind and lets the
//! object through, and its patch computation falls back to the compiled-in Go types — so
//! `kubectl apply -f` works without `--validate=false`. The server still validates every
//! object itself, with Kubernetes' messages.

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::json;

use crate::serve::api::status::StatusError;
use crate::serve::version::VersionInfo;

/// The OpenAPI routes (behind the token check).
pub fn router() -> Router {
    Router::new()
        .route("/openapi/v2", get(v2))
        .route("/openapi/v3", get(not_served))
        .route("/openapi/v3/{*rest}", get(not_served))
}

/// The media type of the protobuf answer (kube-apiserver's; Go's mime parser refuses the `@v1.0` form kubectl puts in `Accept`).
const OPENAPI_V2_PROTOBUF: &str = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

/// `GET /openapi/v2`: a Swagger 2.0 document with no paths and no definitions, as protobuf
/// (gnostic's `openapi_v2.Document`) when the client asks for it, else as JSON.
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
    let document = json!({
        "swagger": "2.0",
        "info": {"title": "Kubernetes", "version": version},
        "paths": {},
        "definitions": {},
    });
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        document.to_string(),
    )
        .into_response()
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

/// `GET /openapi/v3…`: not served yet (404 Status).
async fn not_served() -> Response {
    StatusError::not_found_path().into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

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
