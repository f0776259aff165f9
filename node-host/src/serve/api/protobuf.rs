//! Kubernetes protobuf request bodies turned into JSON, for the objects kubectl's generators
//! send that way (`kubectl create namespace|configmap|deployment|service …` use typed
//! clients whose content type is `application/vnd.kubernetes.protobuf`).
//!
//! A body is the 4-byte magic `k8s\0` and a `runtime.Unknown` envelope (`typeMeta`, `raw`);
//! `raw` is the object in the field numbers of `k8s.io/api/*/v1/generated.proto`. This module
//! knows the messages of Namespace, ConfigMap, Deployment and Service as those generators fill
//! them (a table of field numbers per message, below). A field it does not know is skipped
//! only when it holds its zero value (Go's encoder writes every non-pointer field, and a
//! zero value means what an absent JSON field means); any other unknown field is refused
//! with 415 and a message saying what to do instead, so nothing a client sends is silently
//! lost.

use base64::Engine as _;
use kubeplay_core::api::objects::Kind;
use serde_json::{Map, Value};

/// The protobuf media type.
pub const PROTOBUF_MEDIA_TYPE: &str = "application/vnd.kubernetes.protobuf";

/// The prefix of every Kubernetes protobuf body.
const MAGIC: &[u8; 4] = b"k8s\0";

/// Why a protobuf body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtobufError {
    /// The bytes are not well-formed protobuf or lack the `k8s\0` envelope.
    #[error("the protobuf body is malformed: {0}")]
    Malformed(&'static str),
    /// The body uses a field or kind kubeplay does not decode from protobuf.
    #[error("kubeplay cannot read {0} from a protobuf body yet; send the object as JSON or YAML (kubectl create -f FILE, or kubectl apply)")]
    Unsupported(String),
}

/// The messages this decoder knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Message {
    Unknown,
    TypeMeta,
    ObjectMeta,
    Time,
    Namespace,
    NamespaceSpec,
    NamespaceStatus,
    ConfigMap,
    Deployment,
    DeploymentSpec,
    DeploymentStrategy,
    DeploymentStatus,
    LabelSelector,
    LabelSelectorRequirement,
    PodTemplateSpec,
    PodSpec,
    Container,
    ContainerPort,
    ResourceRequirements,
    Quantity,
    Service,
    ServiceSpec,
    ServicePort,
    ServiceStatus,
    IntOrString,
    Eviction,
    DeleteOptions,
    Preconditions,
}

/// How one field's value is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    String,
    Bytes,
    /// A plain `bool`: false is left out (Go cannot tell it from unset).
    Bool,
    /// A pointer `*bool`: false is a value.
    OptionalBool,
    /// A pointer integer (`*int32`): zero is a value.
    Int,
    /// A plain integer (`int32`): Go cannot tell zero from unset, so zero is left out.
    IntOrZero,
    Object(Message),
    /// A `map<string, string>`.
    StringMap,
    /// A `map<string, bytes>` (base64 in JSON).
    BytesMap,
    /// A `map<string, Quantity>`.
    QuantityMap,
}

/// `(JSON name, how to read it, repeated)` of a field number in a message.
fn field(message: Message, number: u64) -> Option<(&'static str, Field, bool)> {
    use Field::{
        Bool, Bytes, BytesMap, Int, IntOrZero, Object, OptionalBool, QuantityMap, String, StringMap,
    };
    let found = match (message, number) {
        (Message::Unknown, 1) => ("typeMeta", Object(Message::TypeMeta), false),
        (Message::Unknown, 2) => ("raw", Bytes, false),
        (Message::Unknown, 3) => ("contentEncoding", String, false),
        (Message::Unknown, 4) => ("contentType", String, false),
        (Message::TypeMeta, 1) => ("apiVersion", String, false),
        (Message::TypeMeta, 2) => ("kind", String, false),
        (Message::ObjectMeta, 1) => ("name", String, false),
        (Message::ObjectMeta, 2) => ("generateName", String, false),
        (Message::ObjectMeta, 3) => ("namespace", String, false),
        (Message::ObjectMeta, 5) => ("uid", String, false),
        (Message::ObjectMeta, 6) => ("resourceVersion", String, false),
        (Message::ObjectMeta, 7) => ("generation", IntOrZero, false),
        (Message::ObjectMeta, 8) => ("creationTimestamp", Object(Message::Time), false),
        (Message::ObjectMeta, 11) => ("labels", StringMap, false),
        (Message::ObjectMeta, 12) => ("annotations", StringMap, false),
        (Message::ObjectMeta, 14) => ("finalizers", String, true),
        (Message::Time, 1) => ("seconds", Int, false),
        (Message::Time, 2) => ("nanos", Int, false),
        (Message::Namespace | Message::ConfigMap | Message::Deployment | Message::Service, 1) => {
            ("metadata", Object(Message::ObjectMeta), false)
        }
        (Message::Namespace, 2) => ("spec", Object(Message::NamespaceSpec), false),
        (Message::Namespace, 3) => ("status", Object(Message::NamespaceStatus), false),
        (Message::NamespaceSpec, 1) => ("finalizers", String, true),
        (Message::NamespaceStatus, 1) => ("phase", String, false),
        (Message::ConfigMap, 2) => ("data", StringMap, false),
        (Message::ConfigMap, 3) => ("binaryData", BytesMap, false),
        (Message::ConfigMap, 4) => ("immutable", OptionalBool, false),
        (Message::Deployment, 2) => ("spec", Object(Message::DeploymentSpec), false),
        (Message::Deployment, 3) => ("status", Object(Message::DeploymentStatus), false),
        (Message::DeploymentSpec, 1) => ("replicas", Int, false),
        (Message::DeploymentSpec, 2) => ("selector", Object(Message::LabelSelector), false),
        (Message::DeploymentSpec, 3) => ("template", Object(Message::PodTemplateSpec), false),
        (Message::DeploymentSpec, 4) => ("strategy", Object(Message::DeploymentStrategy), false),
        (Message::DeploymentSpec, 5) => ("minReadySeconds", IntOrZero, false),
        (Message::DeploymentSpec, 6) => ("revisionHistoryLimit", Int, false),
        (Message::DeploymentSpec, 7) => ("paused", Bool, false),
        (Message::DeploymentSpec, 9) => ("progressDeadlineSeconds", Int, false),
        (Message::DeploymentStrategy, 1) => ("type", String, false),
        (Message::LabelSelector, 1) => ("matchLabels", StringMap, false),
        (Message::LabelSelector, 2) => (
            "matchExpressions",
            Object(Message::LabelSelectorRequirement),
            true,
        ),
        (Message::LabelSelectorRequirement, 1) => ("key", String, false),
        (Message::LabelSelectorRequirement, 2) => ("operator", String, false),
        (Message::LabelSelectorRequirement, 3) => ("values", String, true),
        (Message::PodTemplateSpec, 1) => ("metadata", Object(Message::ObjectMeta), false),
        (Message::PodTemplateSpec, 2) => ("spec", Object(Message::PodSpec), false),
        (Message::PodSpec, 2) => ("containers", Object(Message::Container), true),
        (Message::PodSpec, 3) => ("restartPolicy", String, false),
        (Message::PodSpec, 7) => ("nodeSelector", StringMap, false),
        (Message::Container, 1) => ("name", String, false),
        (Message::Container, 2) => ("image", String, false),
        (Message::Container, 3) => ("command", String, true),
        (Message::Container, 4) => ("args", String, true),
        (Message::Container, 6) => ("ports", Object(Message::ContainerPort), true),
        (Message::Container, 8) => ("resources", Object(Message::ResourceRequirements), false),
        (Message::Container, 14) => ("imagePullPolicy", String, false),
        (Message::ContainerPort, 1) => ("name", String, false),
        (Message::ContainerPort, 2) => ("hostPort", IntOrZero, false),
        (Message::ContainerPort, 3) => ("containerPort", IntOrZero, false),
        (Message::ContainerPort, 4) => ("protocol", String, false),
        (Message::ResourceRequirements, 1) => ("limits", QuantityMap, false),
        (Message::ResourceRequirements, 2) => ("requests", QuantityMap, false),
        (Message::Quantity, 1) => ("string", String, false),
        (Message::Service, 2) => ("spec", Object(Message::ServiceSpec), false),
        (Message::Service, 3) => ("status", Object(Message::ServiceStatus), false),
        (Message::ServiceSpec, 1) => ("ports", Object(Message::ServicePort), true),
        (Message::ServiceSpec, 2) => ("selector", StringMap, false),
        (Message::ServiceSpec, 3) => ("clusterIP", String, false),
        (Message::ServiceSpec, 4) => ("type", String, false),
        (Message::ServiceSpec, 5) => ("externalIPs", String, true),
        (Message::ServiceSpec, 10) => ("externalName", String, false),
        (Message::ServicePort, 1) => ("name", String, false),
        (Message::ServicePort, 2) => ("protocol", String, false),
        (Message::ServicePort, 3) => ("port", IntOrZero, false),
        (Message::ServicePort, 4) => ("targetPort", Object(Message::IntOrString), false),
        (Message::ServicePort, 5) => ("nodePort", IntOrZero, false),
        (Message::IntOrString, 1) => ("type", Int, false),
        (Message::IntOrString, 2) => ("intVal", Int, false),
        (Message::IntOrString, 3) => ("strVal", String, false),
        (Message::Eviction, 1) => ("metadata", Object(Message::ObjectMeta), false),
        (Message::Eviction, 2) => ("deleteOptions", Object(Message::DeleteOptions), false),
        (Message::DeleteOptions, 1) => ("gracePeriodSeconds", Int, false),
        (Message::DeleteOptions, 2) => ("preconditions", Object(Message::Preconditions), false),
        (Message::DeleteOptions, 3) => ("orphanDependents", OptionalBool, false),
        (Message::DeleteOptions, 4) => ("propagationPolicy", String, false),
        (Message::DeleteOptions, 5) => ("dryRun", String, true),
        (Message::Preconditions, 1) => ("uid", String, false),
        (Message::Preconditions, 2) => ("resourceVersion", String, false),
        _ => return None,
    };
    Some(found)
}

/// The top-level message of a kind, when this decoder knows it.
fn message_of(kind: Kind) -> Option<Message> {
    match kind {
        Kind::Namespace => Some(Message::Namespace),
        Kind::ConfigMap => Some(Message::ConfigMap),
        Kind::Deployment => Some(Message::Deployment),
        Kind::Service => Some(Message::Service),
        Kind::Node
        | Kind::Pod
        | Kind::ReplicationController
        | Kind::ReplicaSet
        | Kind::Endpoints
        | Kind::EndpointSlice
        | Kind::Event
        | Kind::Lease
        | Kind::PriorityClass => None,
    }
}

/// Decodes a protobuf body of `kind` into its JSON form.
pub fn decode(kind: Kind, bytes: &[u8]) -> Result<Value, ProtobufError> {
    let message = message_of(kind).ok_or_else(|| ProtobufError::Unsupported(kind.to_string()))?;
    let (_, mut object) = read_envelope(message, bytes, kind)?;
    object.insert("apiVersion".into(), kind.api_version().into());
    object.insert("kind".into(), kind.kind_name().into());
    Ok(Value::Object(object))
}

/// Decodes a protobuf `Eviction` (what `kubectl drain` posts to `pods/{name}/eviction`) into
/// its JSON form, keeping the `apiVersion` the envelope names (`policy/v1` or
/// `policy/v1beta1`: both have the same fields).
pub fn decode_eviction(bytes: &[u8]) -> Result<Value, ProtobufError> {
    let (type_meta, mut object) = read_envelope(Message::Eviction, bytes, Kind::Pod)?;
    let api_version = type_meta
        .get("apiVersion")
        .cloned()
        .unwrap_or_else(|| "policy/v1".into());
    object.insert("apiVersion".into(), api_version);
    object.insert("kind".into(), "Eviction".into());
    Ok(Value::Object(object))
}

/// The JSON fields of one decoded message.
type Fields = Map<String, Value>;

/// Opens the `k8s\0` + `runtime.Unknown` envelope and reads its `raw` bytes as `message`;
/// returns the envelope's `typeMeta` and the message's fields.
fn read_envelope(
    message: Message,
    bytes: &[u8],
    kind: Kind,
) -> Result<(Fields, Fields), ProtobufError> {
    let envelope = bytes
        .strip_prefix(MAGIC)
        .ok_or(ProtobufError::Malformed("it does not start with k8s\\0"))?;
    let mut unknown = read_message(Message::Unknown, envelope, kind)?;
    let raw = unknown
        .get("raw")
        .and_then(Value::as_str)
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .unwrap_or_default();
    let type_meta = match unknown.remove("typeMeta") {
        Some(Value::Object(fields)) => fields,
        _ => Map::new(),
    };
    Ok((type_meta, read_message(message, &raw, kind)?))
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn varint(&mut self) -> Result<u64, ProtobufError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self
                .bytes
                .get(self.at)
                .ok_or(ProtobufError::Malformed("a number runs past the end"))?;
            self.at += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(ProtobufError::Malformed("a number is too long"))
    }

    fn bytes(&mut self) -> Result<&[u8], ProtobufError> {
        let length = usize::try_from(self.varint()?)
            .map_err(|_| ProtobufError::Malformed("a length is too large"))?;
        let end = self
            .at
            .checked_add(length)
            .filter(|&end| end <= self.bytes.len())
            .ok_or(ProtobufError::Malformed("a field runs past the end"))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }
}

fn read_message(
    message: Message,
    bytes: &[u8],
    kind: Kind,
) -> Result<Map<String, Value>, ProtobufError> {
    let mut out = Map::new();
    let mut reader = Reader { bytes, at: 0 };
    while reader.at < bytes.len() {
        let tag = reader.varint()?;
        let (number, wire_type) = (tag >> 3, tag & 7);
        let Some((name, field_kind, repeated)) = field(message, number) else {
            // Go's protobuf encoder writes every non-pointer field, even when it holds its
            // zero value (an empty selfLink, a zero status count, an empty struct). A zero
            // value means the same as an absent field in the JSON form, so it is skipped;
            // anything else is refused.
            let empty = match wire_type {
                0 => reader.varint()? == 0,
                2 => reader.bytes()?.is_empty(),
                _ => false,
            };
            if empty {
                continue;
            }
            return Err(ProtobufError::Unsupported(format!(
                "field {number} of {message:?} in a {kind}"
            )));
        };
        let value = match (wire_type, field_kind) {
            (0, Field::Int) => {
                // int32/int64 are two's complement varints.
                Value::from(reader.varint()? as i64)
            }
            (0, Field::IntOrZero) => match reader.varint()? as i64 {
                0 => continue,
                number => Value::from(number),
            },
            (0, Field::Bool) => match reader.varint()? {
                0 => continue,
                _ => Value::Bool(true),
            },
            (0, Field::OptionalBool) => Value::Bool(reader.varint()? != 0),
            (2, Field::String) => {
                let text = String::from_utf8(reader.bytes()?.to_vec())
                    .map_err(|_| ProtobufError::Malformed("a string is not UTF-8"))?;
                // A plain Go string is written even when empty; empty means unset in JSON.
                // Items of a list (`args: [""]`) are kept.
                if text.is_empty() && !repeated {
                    continue;
                }
                Value::String(text)
            }
            (2, Field::Bytes) => {
                Value::String(base64::engine::general_purpose::STANDARD.encode(reader.bytes()?))
            }
            (2, Field::Object(inner)) => {
                let fields = read_message(inner, reader.bytes()?, kind)?;
                match convert(inner, fields) {
                    Some(value) => value,
                    None => continue,
                }
            }
            (2, Field::StringMap | Field::BytesMap | Field::QuantityMap) => {
                let (key, value) = read_entry(reader.bytes()?, field_kind, kind)?;
                let entry = out.entry(name).or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(map) = entry {
                    map.insert(key, value);
                }
                continue;
            }
            _ => {
                return Err(ProtobufError::Malformed(
                    "a field has an unexpected wire type",
                ))
            }
        };
        if repeated {
            let entry = out.entry(name).or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(items) = entry {
                items.push(value);
            }
        } else {
            out.insert(name.to_string(), value);
        }
    }
    Ok(out)
}

/// One `map` entry (field 1 key, field 2 value).
fn read_entry(
    bytes: &[u8],
    field_kind: Field,
    kind: Kind,
) -> Result<(String, Value), ProtobufError> {
    let mut reader = Reader { bytes, at: 0 };
    let mut key = String::new();
    let mut value = Value::String(String::new());
    while reader.at < bytes.len() {
        let tag = reader.varint()?;
        if tag & 7 != 2 {
            return Err(ProtobufError::Malformed(
                "a map entry has an unexpected wire type",
            ));
        }
        let data = reader.bytes()?;
        match (tag >> 3, field_kind) {
            (1, _) => {
                key = String::from_utf8(data.to_vec())
                    .map_err(|_| ProtobufError::Malformed("a map key is not UTF-8"))?;
            }
            (2, Field::BytesMap) => {
                value = Value::String(base64::engine::general_purpose::STANDARD.encode(data));
            }
            (2, Field::QuantityMap) => {
                let quantity = read_message(Message::Quantity, data, kind)?;
                value = quantity.get("string").cloned().unwrap_or(Value::Null);
            }
            (2, _) => {
                value = Value::String(
                    String::from_utf8(data.to_vec())
                        .map_err(|_| ProtobufError::Malformed("a map value is not UTF-8"))?,
                );
            }
            _ => return Err(ProtobufError::Malformed("a map entry has an unknown field")),
        }
    }
    Ok((key, value))
}

/// Messages whose JSON form is not an object: Time (RFC 3339, or absent when zero) and
/// IntOrString (a number or a string).
fn convert(message: Message, fields: Map<String, Value>) -> Option<Value> {
    match message {
        Message::Time => {
            let seconds = fields.get("seconds").and_then(Value::as_i64).unwrap_or(0);
            if seconds == 0 {
                return None;
            }
            let millis = u64::try_from(seconds).ok()?.checked_mul(1000)?;
            Some(Value::String(
                kubeplay_core::sim::clock::Timestamp::from_millis(millis).to_rfc3339(),
            ))
        }
        Message::IntOrString => {
            if fields.get("type").and_then(Value::as_i64) == Some(1) {
                Some(
                    fields
                        .get("strVal")
                        .cloned()
                        .unwrap_or(Value::String(String::new())),
                )
            } else {
                Some(fields.get("intVal").cloned().unwrap_or(Value::from(0)))
            }
        }
        _ => Some(Value::Object(fields)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field_bytes(number: u8, bytes: &[u8]) -> Vec<u8> {
        let mut out = vec![(number << 3) | 2, u8::try_from(bytes.len()).unwrap()];
        out.extend_from_slice(bytes);
        out
    }

    fn field_varint(number: u8, value: u8) -> Vec<u8> {
        vec![number << 3, value]
    }

    #[test]
    fn a_config_map_in_the_kubernetes_envelope_decodes_to_json() {
        let mut metadata = field_bytes(1, b"settings");
        metadata.extend(field_bytes(8, &[])); // a zero creationTimestamp is left out
        let mut entry = field_bytes(1, b"mode");
        entry.extend(field_bytes(2, b"fast"));
        let mut raw = field_bytes(1, &metadata);
        raw.extend(field_bytes(2, &entry));
        let mut type_meta = field_bytes(1, b"v1");
        type_meta.extend(field_bytes(2, b"ConfigMap"));
        let mut envelope = field_bytes(1, &type_meta);
        envelope.extend(field_bytes(2, &raw));
        let mut body = MAGIC.to_vec();
        body.extend(envelope);
        assert_eq!(
            decode(Kind::ConfigMap, &body).unwrap(),
            json!({
                "metadata": {"name": "settings"},
                "data": {"mode": "fast"},
                "apiVersion": "v1",
                "kind": "ConfigMap",
            })
        );
    }

    #[test]
    fn an_eviction_with_delete_options_decodes_keeping_its_policy_version() {
        let metadata = field_bytes(1, b"web-1");
        let mut preconditions = field_bytes(1, b"uid-1");
        preconditions.extend(field_bytes(2, b"42"));
        let mut options = field_varint(1, 5);
        options.extend(field_bytes(2, &preconditions));
        options.extend(field_bytes(5, b"All"));
        let mut raw = field_bytes(1, &metadata);
        raw.extend(field_bytes(2, &options));
        for version in ["policy/v1", "policy/v1beta1"] {
            let mut type_meta = field_bytes(1, version.as_bytes());
            type_meta.extend(field_bytes(2, b"Eviction"));
            let mut envelope = field_bytes(1, &type_meta);
            envelope.extend(field_bytes(2, &raw));
            let mut body = MAGIC.to_vec();
            body.extend(envelope);
            assert_eq!(
                decode_eviction(&body).unwrap(),
                json!({
                    "metadata": {"name": "web-1"},
                    "deleteOptions": {
                        "gracePeriodSeconds": 5,
                        "preconditions": {"uid": "uid-1", "resourceVersion": "42"},
                        "dryRun": ["All"],
                    },
                    "apiVersion": version,
                    "kind": "Eviction",
                })
            );
        }
    }

    #[test]
    fn a_service_port_target_port_is_a_number_or_a_name() {
        let mut port = field_bytes(2, b"TCP");
        port.extend(field_varint(3, 80));
        let mut target = field_varint(1, 0);
        target.extend(field_varint(2, 8));
        port.extend(field_bytes(4, &target));
        let fields = read_message(Message::ServicePort, &port, Kind::Service).unwrap();
        assert_eq!(
            Value::Object(fields),
            json!({"protocol": "TCP", "port": 80, "targetPort": 8})
        );
    }

    #[test]
    fn unknown_fields_and_kinds_are_refused_not_dropped() {
        let zero = [MAGIC.as_slice(), &field_bytes(2, &field_varint(15, 0))].concat();
        assert!(
            decode(Kind::ConfigMap, &zero).is_ok(),
            "a zero value is skipped"
        );
        let body = [MAGIC.as_slice(), &field_bytes(2, &field_varint(15, 1))].concat();
        assert!(matches!(
            decode(Kind::ConfigMap, &body),
            Err(ProtobufError::Unsupported(_))
        ));
        assert!(matches!(
            decode(Kind::Pod, &body),
            Err(ProtobufError::Unsupported(_))
        ));
        assert!(matches!(
            decode(Kind::ConfigMap, b"{}"),
            Err(ProtobufError::Malformed(_))
        ));
    }
}
