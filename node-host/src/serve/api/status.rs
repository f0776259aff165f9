//! Every failed API request is answered with a Kubernetes `Status` object and its HTTP code.
//!
//! Errors decided by the core arrive as [`ApiError`] and keep its message, reason and details;
//! errors the HTTP layer finds itself (an unknown path, a body too large, a missing token)
//! are built here with the texts kube-apiserver uses for them.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use kubeplay_core::apiserver::ApiError;
use serde_json::{json, Value};

/// The largest request body the API accepts: 3 MiB, kube-apiserver's `--max-request-bytes`
/// default for everything but etcd's own limit. Larger bodies are refused with 413.
pub const MAX_REQUEST_BODY_BYTES: usize = 3 * 1024 * 1024;

/// A failed request: the HTTP code and the `Status` body.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusError {
    /// The HTTP status code (the same as the body's `code`).
    pub code: StatusCode,
    /// The `Status` object as JSON.
    pub status: Value,
}

impl StatusError {
    /// A Status with a reason and a message and no details.
    pub fn new(code: StatusCode, reason: &str, message: impl Into<String>) -> StatusError {
        StatusError {
            code,
            status: json!({
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Failure",
                "message": message.into(),
                "reason": reason,
                "code": code.as_u16(),
            }),
        }
    }

    /// 400 BadRequest.
    pub fn bad_request(message: impl Into<String>) -> StatusError {
        StatusError::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    /// 404 NotFound for a path that names no resource.
    pub fn not_found_path() -> StatusError {
        StatusError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            "the server could not find the requested resource",
        )
    }

    /// 405 MethodNotAllowed, as kube-apiserver answers a verb a resource does not support.
    pub fn method_not_allowed(method: &str) -> StatusError {
        StatusError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            format!("the server does not allow this method on the requested resource ({method})"),
        )
    }

    /// 413 RequestEntityTooLarge for a body above [`MAX_REQUEST_BODY_BYTES`].
    pub fn too_large() -> StatusError {
        StatusError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLarge",
            format!("Request entity too large: limit is {MAX_REQUEST_BODY_BYTES}"),
        )
    }

    /// 415 UnsupportedMediaType for a body type the endpoint does not read, in
    /// apimachinery's `NewUnsupportedMediaTypeError` words.
    pub fn unsupported_media_type(accepted: &[&str]) -> StatusError {
        StatusError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: {}",
                accepted.join(", ")
            ),
        )
    }

    /// 401 Unauthorized, kube-apiserver's answer to a missing or wrong bearer token.
    pub fn unauthorized() -> StatusError {
        StatusError::new(StatusCode::UNAUTHORIZED, "Unauthorized", "Unauthorized")
    }

    /// 500 InternalError: the API server thread stopped.
    pub fn stopped() -> StatusError {
        ApiError::Internal("the API server has stopped".to_string()).into()
    }
}

impl From<ApiError> for StatusError {
    fn from(error: ApiError) -> StatusError {
        let code = StatusCode::from_u16(error.code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        StatusError {
            code,
            status: status_value(&error),
        }
    }
}

/// The `Status` of a core error as JSON, with `kind`, `apiVersion` and `metadata` first.
pub fn status_value(error: &ApiError) -> Value {
    let body = serde_json::to_value(error.to_status()).unwrap_or_else(|_| json!({}));
    let mut status = serde_json::Map::new();
    status.insert("kind".into(), "Status".into());
    status.insert("apiVersion".into(), "v1".into());
    status.insert("metadata".into(), json!({}));
    if let Value::Object(fields) = body {
        for (key, value) in fields {
            if key != "kind" && key != "apiVersion" && key != "metadata" {
                status.insert(key, value);
            }
        }
    }
    Value::Object(status)
}

impl IntoResponse for StatusError {
    fn into_response(self) -> Response {
        (
            self.code,
            [(header::CONTENT_TYPE, "application/json")],
            self.status.to_string(),
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeplay_core::api::objects::Kind;

    #[test]
    fn a_core_error_keeps_its_code_reason_and_message_with_status_type_meta() {
        let error = StatusError::from(ApiError::NotFound {
            kind: Kind::Pod,
            name: "web".to_string(),
        });
        assert_eq!(error.code, StatusCode::NOT_FOUND);
        assert_eq!(error.status["kind"], "Status");
        assert_eq!(error.status["apiVersion"], "v1");
        assert_eq!(error.status["reason"], "NotFound");
        assert_eq!(error.status["message"], "pods \"web\" not found");
        assert_eq!(error.status["code"], 404);
    }

    #[test]
    fn an_unsupported_body_type_lists_the_accepted_media_types() {
        let error = StatusError::unsupported_media_type(&["application/json", "application/yaml"]);
        assert_eq!(error.code, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(
            error.status["message"],
            "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml"
        );
    }

    #[test]
    fn a_body_above_the_limit_is_413_with_the_limit_in_the_message() {
        let error = StatusError::too_large();
        assert_eq!(error.code, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(
            error.status["message"],
            "Request entity too large: limit is 3145728"
        );
    }
}
