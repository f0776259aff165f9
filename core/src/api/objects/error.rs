//! What can go wrong turning JSON into a typed [`Object`](super::Object).
//!
//! The texts follow the real API server's decoder: a missing `kind` or `apiVersion`, a body that
//! is not a JSON object, an unknown kind, and a field of the wrong type (with its path).

use super::Kind;

/// Why a JSON value is not a supported Kubernetes object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ObjectError {
    /// The value has no (or an empty) `kind` field.
    #[error("Object 'Kind' is missing in '{json}'")]
    MissingKind {
        /// The offending value as compact JSON.
        json: String,
    },
    /// The value has a `kind` but no (or an empty) `apiVersion` field.
    #[error("Object 'apiVersion' is missing in '{json}'")]
    MissingApiVersion {
        /// The offending value as compact JSON.
        json: String,
    },
    /// The value is not a JSON object at all (an array, a string, a number or a bool).
    #[error("couldn't get version/kind; json parse error: json: cannot unmarshal {json_type} into Go value of type struct {{ APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }}")]
    NotAnObject {
        /// The JSON type found, as Go names it: `array`, `string`, `number` or `bool`.
        json_type: &'static str,
    },
    /// `apiVersion` or `kind` is not a string.
    #[error("couldn't get version/kind; json parse error: json: cannot unmarshal {json_type} into Go struct field .{field} of type string")]
    TypeMetaNotAString {
        /// `apiVersion` or `kind`.
        field: &'static str,
        /// The JSON type found.
        json_type: &'static str,
    },
    /// No supported kind has this `apiVersion` and `kind`.
    #[error("no matches for kind \"{kind}\" in version \"{api_version}\"")]
    NoKindMatch {
        /// The `kind` asked for.
        kind: String,
        /// The `apiVersion` asked for.
        api_version: String,
    },
    /// The value names a different kind than the one the caller expects.
    #[error("the object provided is of kind \"{found}\" but kind \"{expected}\" was expected")]
    KindMismatch {
        /// The kind the caller asked to decode.
        expected: Kind,
        /// The kind the value names.
        found: String,
    },
    /// A field has the wrong type or value for the kind's schema.
    #[error("{kind} in version \"{version}\" cannot be handled as a {kind}: {path}: {message}")]
    Decode {
        /// The kind being decoded.
        kind: Kind,
        /// The kind's version (`v1`).
        version: &'static str,
        /// Where in the object the problem is, e.g. `spec.containers[0].ports[0].containerPort`.
        path: String,
        /// What serde found wrong there.
        message: String,
    },
    /// A typed object could not be turned back into JSON (a bug, not a user error).
    #[error("cannot serialize {kind}: {message}")]
    Serialize {
        /// The kind being serialized.
        kind: Kind,
        /// What serde_json reported.
        message: String,
    },
}

/// The JSON type of a value as Go's encoding/json names it in unmarshal errors.
pub(crate) fn go_json_type(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "bool",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}
