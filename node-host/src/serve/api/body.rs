//! Reading request bodies: the size limit, JSON or YAML by `Content-Type`, and the objects,
//! scales, bindings and delete options they carry. Everything a client can send wrong ends as
//! a 400, 413 or 415 [`StatusError`], never a panic.

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap};
use k8s_openapi::api::policy::v1::Eviction;
use kubeplay_core::api::objects::{Kind, Object};
use kubeplay_core::api::patch::{apply_patch, PatchType};
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
    if let Some(length) = declared.filter(|length| *length > MAX_REQUEST_BODY_BYTES) {
        if length <= DRAIN_LIMIT_BYTES {
            drain(body).await;
        }
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

/// How much of a refused body the server still reads (and drops) before it answers 413.
const DRAIN_LIMIT_BYTES: usize = 4 * MAX_REQUEST_BODY_BYTES;

/// How long the server reads a refused body at most.
const DRAIN_TIME: std::time::Duration = std::time::Duration::from_secs(2);

/// Reads and drops a refused body (up to [`DRAIN_LIMIT_BYTES`] and [`DRAIN_TIME`]) before the
/// 413 goes out. A server that answers and closes while the client is still sending leaves
/// unread bytes in its socket, and closing such a socket resets the connection: the client then
/// loses the answer it was about to read and sees only "connection reset". Go's net/http
/// server reads on after a handler for the same reason.
async fn drain(mut body: Body) {
    use http_body_util::BodyExt as _;
    let mut left = DRAIN_LIMIT_BYTES;
    let _ = tokio::time::timeout(DRAIN_TIME, async {
        while let Some(Ok(frame)) = body.frame().await {
            let read = frame.data_ref().map_or(0, Bytes::len);
            left = left.saturating_sub(read);
            if left == 0 {
                break;
            }
        }
    })
    .await;
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

/// The `apiVersion`s a `pods/{name}/eviction` body may have (kube-apiserver accepts both;
/// their fields are the same).
const EVICTION_API_VERSIONS: [&str; 2] = ["policy/v1", "policy/v1beta1"];

/// Decodes the body of `POST pods/{name}/eviction`: a `policy/v1` or `policy/v1beta1`
/// Eviction, as JSON, YAML or protobuf (kubectl drain sends protobuf).
pub fn decode_eviction(media_type: &str, bytes: &[u8]) -> Result<Eviction, StatusError> {
    let mut value = if media_type == super::protobuf::PROTOBUF_MEDIA_TYPE {
        super::protobuf::decode_eviction(bytes).map_err(|error| match error {
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
    let api_version = value
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let kind = value.get("kind").and_then(Value::as_str).unwrap_or("");
    if !EVICTION_API_VERSIONS.contains(&api_version) || kind != "Eviction" {
        return Err(StatusError::bad_request(format!(
            "the body of pods/eviction must be a policy/v1 Eviction, not {kind} {api_version}"
        )));
    }
    // k8s-openapi's Eviction reads only its own apiVersion; v1beta1 has the same fields.
    value["apiVersion"] = Value::from("policy/v1");
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
    fn an_eviction_body_must_be_a_policy_eviction_of_v1_or_v1beta1() {
        let cases = [
            (
                r#"{"kind":"Eviction","apiVersion":"policy/v1","metadata":{"name":"a"}}"#,
                true,
            ),
            (
                r#"{"kind":"Eviction","apiVersion":"policy/v1beta1","metadata":{"name":"a"},"deleteOptions":{"gracePeriodSeconds":0}}"#,
                true,
            ),
            (
                r#"{"kind":"Eviction","apiVersion":"policy/v2","metadata":{"name":"a"}}"#,
                false,
            ),
            (
                r#"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"a"}}"#,
                false,
            ),
            ("not json", false),
        ];
        for (body, accepted) in cases {
            let decoded = decode_eviction("application/json", body.as_bytes());
            assert_eq!(decoded.is_ok(), accepted, "{body}");
            if let Ok(eviction) = decoded {
                assert_eq!(eviction.metadata.name.as_deref(), Some("a"));
            } else if let Err(error) = decoded {
                assert_eq!(error.code, axum::http::StatusCode::BAD_REQUEST, "{body}");
            }
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

/// The unknown fields a PATCH would write: the patch applied to `current` (the stored object
/// as JSON) and compared with what the typed object keeps. Empty when the patch or the result
/// does not decode, since the patch itself then reports that error.
pub fn unknown_fields_after_patch(
    kind: Kind,
    patch_type: PatchType,
    current: &Value,
    patch: &Value,
) -> (Value, Vec<String>) {
    let Ok(patched) = apply_patch(patch_type, current, patch, kind.kind_name()) else {
        return (Value::Null, Vec::new());
    };
    let Ok(object) = Object::from_value_as(kind, patched.clone()) else {
        return (Value::Null, Vec::new());
    };
    let unknown = unknown_fields(&patched, &object.to_value());
    (patched, unknown)
}

/// Applies `fieldValidation` to the unknown fields of a PATCH, as kube-apiserver's patcher
/// does: Strict refuses it with a 422 whose one cause is an invalid value of the field
/// `patch` — the patch as Go prints a map for a strategic merge patch, the patched object as
/// JSON for a merge or JSON patch — and Warn answers a warning per field.
pub fn judge_patch(
    validation: FieldValidation,
    patch_type: PatchType,
    patch: &Value,
    patched: &Value,
    unknown: &[String],
) -> Result<Vec<String>, StatusError> {
    let messages: Vec<String> = unknown
        .iter()
        .map(|field| format!("unknown field \"{field}\""))
        .collect();
    match validation {
        FieldValidation::Ignore => Ok(Vec::new()),
        FieldValidation::Warn => Ok(messages),
        FieldValidation::Strict if messages.is_empty() => Ok(Vec::new()),
        FieldValidation::Strict => {
            let shown = match patch_type {
                PatchType::StrategicMergePatch | PatchType::ApplyPatch => go_print(patch),
                PatchType::JsonPatch | PatchType::MergePatch => go_json(patched),
            };
            let detail = format!(
                "Invalid value: {}: strict decoding error: {}",
                go_quote(&shown),
                messages.join(", ")
            );
            let mut error = StatusError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "Invalid",
                format!(" \"\" is invalid: patch: {detail}"),
            );
            error.status["details"] = serde_json::json!({
                "causes": [{"reason": "FieldValueInvalid", "message": detail, "field": "patch"}]
            });
            Err(error)
        }
    }
}

/// A decoded JSON value as Go's `fmt` prints a `map[string]interface{}` with `%+v`:
/// `map[spec:map[replicas:3]]`, keys sorted, lists as `[a b]`, null as `<nil>`.
fn go_print(value: &Value) -> String {
    match value {
        Value::Null => "<nil>".to_string(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => number.to_string(),
        Value::String(text) => text.clone(),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(go_print).collect();
            format!("[{}]", items.join(" "))
        }
        Value::Object(fields) => {
            let mut keys: Vec<&String> = fields.keys().collect();
            keys.sort();
            let entries: Vec<String> = keys
                .into_iter()
                .map(|key| format!("{key}:{}", go_print(&fields[key])))
                .collect();
            format!("map[{}]", entries.join(" "))
        }
    }
}

/// A JSON value as Go's `json.Marshal` writes a decoded map: compact, keys sorted, and
/// `<`, `>`, `&` escaped.
fn go_json(value: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(fields) => {
                let mut keys: Vec<&String> = fields.keys().collect();
                keys.sort();
                Value::Object(
                    keys.into_iter()
                        .map(|key| (key.clone(), sorted(&fields[key])))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(value)
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// `text` quoted as Go's `%q` quotes a string.
fn go_quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                quoted.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod patch_validation_tests {
    use super::*;
    use serde_json::json;

    fn deployment() -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "c", "image": "nginx"}]}
                }
            }
        })
    }

    #[test]
    fn a_strict_strategic_merge_patch_with_a_typo_is_invalid_as_kube_apiserver_words_it() {
        let patch = json!({"spec": {"replicass": 3, "template": {"metadata": {"labels": {"tier": "a b"}}}}});
        let (patched, unknown) = unknown_fields_after_patch(
            Kind::Deployment,
            PatchType::StrategicMergePatch,
            &deployment(),
            &patch,
        );
        assert_eq!(unknown, ["spec.replicass"]);
        let error = judge_patch(
            FieldValidation::Strict,
            PatchType::StrategicMergePatch,
            &patch,
            &patched,
            &unknown,
        )
        .unwrap_err();
        assert_eq!(error.code.as_u16(), 422);
        assert_eq!(
            error.status["message"],
            " \"\" is invalid: patch: Invalid value: \"map[spec:map[replicass:3 template:map[metadata:map[labels:map[tier:a b]]]]]\": strict decoding error: unknown field \"spec.replicass\""
        );
        assert_eq!(error.status["details"]["causes"][0]["field"], "patch");
    }

    #[test]
    fn a_merge_patch_shows_the_patched_object_as_sorted_json_and_warn_and_ignore_accept() {
        let patch = json!({"data": {"a": "<1>"}, "dat": {"b": "2"}});
        let current = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
        let (patched, unknown) =
            unknown_fields_after_patch(Kind::ConfigMap, PatchType::MergePatch, &current, &patch);
        assert_eq!(unknown, ["dat"]);
        let strict = judge_patch(
            FieldValidation::Strict,
            PatchType::MergePatch,
            &patch,
            &patched,
            &unknown,
        )
        .unwrap_err();
        assert_eq!(
            strict.status["details"]["causes"][0]["message"],
            r#"Invalid value: "{\"apiVersion\":\"v1\",\"dat\":{\"b\":\"2\"},\"data\":{\"a\":\"\\u003c1\\u003e\"},\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"}}": strict decoding error: unknown field "dat""#
        );
        let warn = judge_patch(
            FieldValidation::Warn,
            PatchType::MergePatch,
            &patch,
            &patched,
            &unknown,
        );
        assert_eq!(warn.unwrap(), ["unknown field \"dat\""]);
        let ignore = judge_patch(
            FieldValidation::Ignore,
            PatchType::MergePatch,
            &patch,
            &patched,
            &unknown,
        );
        assert!(ignore.unwrap().is_empty());
    }
}
