//! Reading request bodies: the size limit, JSON or YAML by `Content-Type`, and the objects,
//! scales, bindings and delete options they carry. Everything a client can send wrong ends as
//! a 400, 413 or 415 [`StatusError`], never a panic.

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap};
use kubeplay_core::api::objects::{Kind, Object};
use kubeplay_core::apiserver::{DeleteOptions, PropagationPolicy};
use serde_json::Value;

use super::query::Params;
use super::status::{StatusError, MAX_REQUEST_BODY_BYTES};

/// The body media types kubeplay reads.
pub const BODY_MEDIA_TYPES: [&str; 2] = ["application/json", "application/yaml"];

/// Reads the whole body, refusing more than [`MAX_REQUEST_BODY_BYTES`] with 413.
pub async fn read(headers: &HeaderMap, body: Body) -> Result<Bytes, StatusError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > MAX_REQUEST_BODY_BYTES) {
        return Err(StatusError::too_large());
    }
    axum::body::to_bytes(body, MAX_REQUEST_BODY_BYTES)
        .await
        .map_err(|error| {
            let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&error);
            while let Some(cause) = source {
                if cause.is::<http_body_util::LengthLimitError>() {
                    return StatusError::too_large();
                }
                source = cause.source();
            }
            StatusError::bad_request(format!("unable to read the request body: {error}"))
        })
}

/// The media type of the body (`application/json` when the client sent none).
pub fn media_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "application/json".to_string())
}

/// Decodes a JSON or YAML body into a JSON value.
pub fn decode_value(media_type: &str, bytes: &[u8]) -> Result<Value, StatusError> {
    match media_type {
        "application/json" | "*/*" => serde_json::from_slice(bytes).map_err(|error| {
            StatusError::bad_request(format!(
                "couldn't get version/kind; json parse error: {error}"
            ))
        }),
        "application/yaml" | "application/x-yaml" | "text/yaml" => serde_yaml_ng::from_slice(bytes)
            .map_err(|error| {
                StatusError::bad_request(format!(
                    "couldn't get version/kind; yaml parse error: {error}"
                ))
            }),
        // Protobuf (what kubectl's typed clients send for `kubectl create deployment|
        // configmap|namespace`) is not decoded yet.
        _ => Err(StatusError::unsupported_media_type(&BODY_MEDIA_TYPES)),
    }
}

/// Decodes a typed body (a `Scale`, a `Binding`).
pub fn decode_typed<T: serde::de::DeserializeOwned>(
    media_type: &str,
    bytes: &[u8],
) -> Result<T, StatusError> {
    let value = decode_value(media_type, bytes)?;
    serde_json::from_value(value).map_err(|error| StatusError::bad_request(error.to_string()))
}

/// The options of a DELETE: the `DeleteOptions` body (if any) first, then query parameters,
/// which win when both are given (kubectl sends the body; curl users send the query).
pub fn delete_options(
    media_type: &str,
    bytes: &[u8],
    params: &Params,
) -> Result<DeleteOptions, StatusError> {
    let mut options = DeleteOptions::default();
    let body = if bytes.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        decode_value(media_type, bytes)?
    };
    if let Some(seconds) = body.get("gracePeriodSeconds").and_then(Value::as_i64) {
        options.grace_period_seconds = Some(seconds);
    }
    if let Some(policy) = body.get("propagationPolicy").and_then(Value::as_str) {
        options.propagation_policy = Some(parse_policy(policy)?);
    }
    if let Some(orphan) = body.get("orphanDependents").and_then(Value::as_bool) {
        options.propagation_policy.get_or_insert(if orphan {
            PropagationPolicy::Orphan
        } else {
            PropagationPolicy::Background
        });
    }
    if let Some(preconditions) = body.get("preconditions") {
        options.precondition_uid = preconditions
            .get("uid")
            .and_then(Value::as_str)
            .map(str::to_string);
        options.precondition_resource_version = preconditions
            .get("resourceVersion")
            .and_then(Value::as_str)
            .map(str::to_string);
    }
    if let Some(seconds) = params.get("gracePeriodSeconds") {
        let seconds = seconds.parse::<i64>().map_err(|_| {
            StatusError::bad_request(format!(
                "gracePeriodSeconds: invalid value {seconds:?}: not an integer"
            ))
        })?;
        options.grace_period_seconds = Some(seconds);
    }
    if let Some(policy) = params.get("propagationPolicy") {
        options.propagation_policy = Some(parse_policy(policy)?);
    }
    Ok(options)
}

fn parse_policy(policy: &str) -> Result<PropagationPolicy, StatusError> {
    PropagationPolicy::parse(policy).ok_or_else(|| {
        StatusError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "Invalid",
            format!("DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"{policy}\": supported values: \"Foreground\", \"Background\", \"Orphan\""),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_json_and_yaml_bodies_are_400_and_other_media_types_415() {
        let cases: [(&str, &[u8], Option<u16>); 5] = [
            ("application/json", b"{\"a\": 1}", None),
            ("application/json", b"{not json", Some(400)),
            ("application/yaml", b"a: 1\n", None),
            ("application/yaml", b"a: [1\n", Some(400)),
            ("application/vnd.kubernetes.protobuf", b"\x00", Some(415)),
        ];
        for (media_type, bytes, expected) in cases {
            let got = decode_value(media_type, bytes)
                .err()
                .map(|e| e.code.as_u16());
            assert_eq!(got, expected, "{media_type}");
        }
    }

    #[test]
    fn delete_options_come_from_the_body_and_the_query_wins() {
        let body = br#"{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Foreground","preconditions":{"uid":"u1"}}"#;
        let options = delete_options("application/json", body, &Params::default()).unwrap();
        assert_eq!(
            options.propagation_policy,
            Some(PropagationPolicy::Foreground)
        );
        assert_eq!(options.precondition_uid.as_deref(), Some("u1"));
        let query = Params::from_pairs(vec![
            ("propagationPolicy".into(), "Orphan".into()),
            ("gracePeriodSeconds".into(), "0".into()),
        ]);
        let options = delete_options("application/json", body, &query).unwrap();
        assert_eq!(options.propagation_policy, Some(PropagationPolicy::Orphan));
        assert_eq!(options.grace_period_seconds, Some(0));
        let bad = Params::from_pairs(vec![("propagationPolicy".into(), "Sideways".into())]);
        assert_eq!(
            delete_options("application/json", b"", &bad)
                .unwrap_err()
                .code
                .as_u16(),
            422
        );
    }
}

/// The fields of `input` that the typed object dropped while decoding (`decoded` is the
/// object encoded again), as apimachinery's strict decoder names them: `spec.replica`,
/// `spec.template.spec.containers[0].imagePullPolcy`. Explicit nulls are not fields.
pub fn unknown_fields(input: &Value, decoded: &Value) -> Vec<String> {
    let mut unknown = Vec::new();
    collect_unknown(input, decoded, "", &mut unknown);
    unknown
}

fn collect_unknown(input: &Value, decoded: &Value, path: &str, unknown: &mut Vec<String>) {
    match (input, decoded) {
        (Value::Object(fields), Value::Object(known)) => {
            for (key, value) in fields {
                if value.is_null() {
                    continue;
                }
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match known.get(key) {
                    Some(decoded_value) => collect_unknown(value, decoded_value, &child, unknown),
                    None => unknown.push(child),
                }
            }
        }
        (Value::Array(items), Value::Array(known)) => {
            for (index, (item, decoded_item)) in items.iter().zip(known).enumerate() {
                collect_unknown(item, decoded_item, &format!("{path}[{index}]"), unknown);
            }
        }
        _ => {}
    }
}

/// What the server does with unknown fields (`fieldValidation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldValidation {
    /// Refuse the request (400), kubectl's default.
    Strict,
    /// Accept it with a `Warning` header per field (the server's default).
    Warn,
    /// Accept it silently.
    Ignore,
}

impl FieldValidation {
    /// Reads `fieldValidation` (unset: Warn).
    pub fn from_params(params: &Params) -> Result<FieldValidation, StatusError> {
        match params.get("fieldValidation") {
            None | Some("") | Some("Warn") => Ok(FieldValidation::Warn),
            Some("Strict") => Ok(FieldValidation::Strict),
            Some("Ignore") => Ok(FieldValidation::Ignore),
            Some(other) => Err(StatusError::bad_request(format!(
                "fieldValidation parameter unsupported: {other}, supported values: Ignore, Strict, Warn"
            ))),
        }
    }
}

/// A decoded object with the unknown fields its body named.
pub struct Decoded {
    /// The object.
    pub object: Object,
    /// `unknown field "spec.replica"` for each dropped field (Warn), empty otherwise.
    pub warnings: Vec<String>,
}

/// Decodes a create or update body and applies `fieldValidation` to its unknown fields.
pub fn decode_object_checked(
    kind: Kind,
    media_type: &str,
    bytes: &[u8],
    validation: FieldValidation,
) -> Result<Decoded, StatusError> {
    let value = if media_type == super::protobuf::PROTOBUF_MEDIA_TYPE {
        super::protobuf::decode(kind, bytes).map_err(|error| match error {
            super::protobuf::ProtobufError::Malformed(_) => {
                StatusError::bad_request(error.to_string())
            }
            super::protobuf::ProtobufError::Unsupported(_) => StatusError::new(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UnsupportedMediaType",
                error.to_string(),
            ),
        })?
    } else {
        decode_value(media_type, bytes)?
    };
    let object = Object::from_value_as(kind, value.clone())
        .map_err(|error| StatusError::bad_request(error.to_string()))?;
    let unknown = match validation {
        FieldValidation::Ignore => Vec::new(),
        FieldValidation::Strict | FieldValidation::Warn => {
            unknown_fields(&value, &object.to_value())
        }
    };
    let messages: Vec<String> = unknown
        .iter()
        .map(|field| format!("unknown field \"{field}\""))
        .collect();
    match validation {
        FieldValidation::Strict if !messages.is_empty() => {
            Err(StatusError::bad_request(format!(
                "{kind_name} in version \"{version}\" cannot be handled as a {kind_name}: strict decoding error: {}",
                messages.join(", "),
                kind_name = kind.kind_name(),
                version = kind.version(),
            )))
        }
        FieldValidation::Strict | FieldValidation::Ignore => Ok(Decoded {
            object,
            warnings: Vec::new(),
        }),
        FieldValidation::Warn => Ok(Decoded {
            object,
            warnings: messages,
        }),
    }
}

#[cfg(test)]
mod strict_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_fields_are_named_by_their_path_with_list_indexes() {
        let input = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "labelz": {"a": "b"}},
            "spec": {
                "replica": 3,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "c", "image": "nginx", "imagePullPolcy": "Always", "resources": {}}]}
                },
                "paused": null
            }
        });
        let object = Object::from_value(input.clone()).unwrap();
        assert_eq!(
            unknown_fields(&input, &object.to_value()),
            [
                "metadata.labelz",
                "spec.replica",
                "spec.template.spec.containers[0].imagePullPolcy"
            ]
        );
    }

    #[test]
    fn strict_validation_refuses_unknown_fields_with_the_decoders_message_and_warn_lists_them() {
        let body =
            br#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"dat":{"a":"1"}}"#;
        let error = decode_object_checked(
            Kind::ConfigMap,
            "application/json",
            body,
            FieldValidation::Strict,
        )
        .err()
        .unwrap();
        assert_eq!(
            error.status["message"],
            "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: unknown field \"dat\""
        );
        let warned = decode_object_checked(
            Kind::ConfigMap,
            "application/json",
            body,
            FieldValidation::Warn,
        )
        .unwrap();
        assert_eq!(warned.warnings, ["unknown field \"dat\""]);
        let clean =
            br#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1"}}"#;
        let decoded = decode_object_checked(
            Kind::ConfigMap,
            "application/json",
            clean,
            FieldValidation::Strict,
        )
        .unwrap();
        assert!(decoded.warnings.is_empty());
    }
}
