//! Field errors, as Kubernetes' `k8s.io/apimachinery/pkg/util/validation/field` package has them.
//!
//! Every validator in this module returns an [`ErrorList`]: one [`FieldError`] per problem, each
//! tied to a [`FieldPath`] such as `spec.containers[0].name`. The API server joins their
//! `Display` text into the `... is invalid: ...` message that `kubectl` prints, so `Display` here
//! is byte for byte Kubernetes' `Error()`: the path, the error type's text, the bad value (strings
//! quoted as Go's `%q`, numbers and booleans bare, lists and maps as compact JSON, as Kubernetes
//! 1.34 and later print them) and the detail.

use std::fmt;

use serde_json::Value;

/// What kind of problem a [`FieldError`] reports (Kubernetes' `field.ErrorType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FieldErrorType {
    /// A value that was looked up (for example a volume name) does not exist.
    NotFound,
    /// A required value is missing (empty string, null, or empty list).
    Required,
    /// A value that must be unique appears twice.
    Duplicate,
    /// A value is malformed or out of range.
    Invalid,
    /// A value is not one of an enumerated set of values.
    NotSupported,
    /// A well-formed value is not allowed here (for example on update).
    Forbidden,
    /// A value is longer than allowed; the value itself is not printed.
    TooLong,
    /// A list has more items than allowed.
    TooMany,
    /// Something went wrong that is not the user's fault.
    Internal,
}

impl FieldErrorType {
    /// Kubernetes' machine-readable reason (`FieldValueInvalid` and so on), as it appears in a
    /// `Status` object's `details.causes[].reason`.
    pub fn reason(self) -> &'static str {
        match self {
            FieldErrorType::NotFound => "FieldValueNotFound",
            FieldErrorType::Required => "FieldValueRequired",
            FieldErrorType::Duplicate => "FieldValueDuplicate",
            FieldErrorType::Invalid => "FieldValueInvalid",
            FieldErrorType::NotSupported => "FieldValueNotSupported",
            FieldErrorType::Forbidden => "FieldValueForbidden",
            FieldErrorType::TooLong => "FieldValueTooLong",
            FieldErrorType::TooMany => "FieldValueTooMany",
            FieldErrorType::Internal => "InternalError",
        }
    }

    /// Whether Kubernetes prints the bad value for this type of error.
    fn shows_value(self) -> bool {
        match self {
            FieldErrorType::Required
            | FieldErrorType::Forbidden
            | FieldErrorType::TooLong
            | FieldErrorType::Internal => false,
            FieldErrorType::NotFound
            | FieldErrorType::Duplicate
            | FieldErrorType::Invalid
            | FieldErrorType::NotSupported
            | FieldErrorType::TooMany => true,
        }
    }
}

impl fmt::Display for FieldErrorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            FieldErrorType::NotFound => "Not found",
            FieldErrorType::Required => "Required value",
            FieldErrorType::Duplicate => "Duplicate value",
            FieldErrorType::Invalid => "Invalid value",
            FieldErrorType::NotSupported => "Unsupported value",
            FieldErrorType::Forbidden => "Forbidden",
            FieldErrorType::TooLong => "Too long",
            FieldErrorType::TooMany => "Too many",
            FieldErrorType::Internal => "Internal error",
        };
        f.write_str(text)
    }
}

/// One validation problem at one field (Kubernetes' `field.Error`).
#[derive(Clone, Debug, PartialEq)]
pub struct FieldError {
    /// What kind of problem this is.
    pub error_type: FieldErrorType,
    /// The field path, e.g. `spec.containers[0].image`.
    pub field: String,
    /// The offending value; `None` when Kubernetes omits it.
    pub bad_value: Option<Value>,
    /// A human-readable explanation; may be empty.
    pub detail: String,
}

/// A list of field errors, in the order the validators found them.
pub type ErrorList = Vec<FieldError>;

impl FieldError {
    /// `NotFound`: a referenced value does not exist.
    pub fn not_found(path: &FieldPath, value: impl Into<Value>) -> Self {
        Self::new(FieldErrorType::NotFound, path, Some(value.into()), "")
    }

    /// `Required`: a value must be given.
    pub fn required(path: &FieldPath, detail: impl Into<String>) -> Self {
        Self::new(FieldErrorType::Required, path, None, detail)
    }

    /// `Duplicate`: a value that must be unique was seen before.
    pub fn duplicate(path: &FieldPath, value: impl Into<Value>) -> Self {
        Self::new(FieldErrorType::Duplicate, path, Some(value.into()), "")
    }

    /// `Invalid`: a value is malformed or out of range.
    pub fn invalid(path: &FieldPath, value: impl Into<Value>, detail: impl Into<String>) -> Self {
        Self::new(FieldErrorType::Invalid, path, Some(value.into()), detail)
    }

    /// `NotSupported`: a value is not one of `supported`, which are listed quoted in the detail.
    pub fn not_supported(path: &FieldPath, value: impl Into<Value>, supported: &[&str]) -> Self {
        let detail = if supported.is_empty() {
            String::new()
        } else {
            let quoted: Vec<String> = supported.iter().map(|v| go_quote(v)).collect();
            format!("supported values: {}", quoted.join(", "))
        };
        Self::new(
            FieldErrorType::NotSupported,
            path,
            Some(value.into()),
            detail,
        )
    }

    /// `Forbidden`: a value is not allowed here.
    pub fn forbidden(path: &FieldPath, detail: impl Into<String>) -> Self {
        Self::new(FieldErrorType::Forbidden, path, None, detail)
    }

    /// `TooLong`: a value is longer than `max_length` bytes (the value is not printed).
    pub fn too_long(path: &FieldPath, max_length: usize) -> Self {
        let unit = if max_length == 1 { "byte" } else { "bytes" };
        Self::new(
            FieldErrorType::TooLong,
            path,
            None,
            format!("may not be more than {max_length} {unit}"),
        )
    }

    /// `TooMany`: a list has `actual` items where at most `max` are allowed.
    pub fn too_many(path: &FieldPath, actual: usize, max: usize) -> Self {
        let unit = if max == 1 { "item" } else { "items" };
        Self::new(
            FieldErrorType::TooMany,
            path,
            Some(Value::from(actual)),
            format!("must have at most {max} {unit}"),
        )
    }

    /// `Internal`: something went wrong that the user cannot fix.
    pub fn internal(path: &FieldPath, detail: impl Into<String>) -> Self {
        Self::new(FieldErrorType::Internal, path, None, detail)
    }

    fn new(
        error_type: FieldErrorType,
        path: &FieldPath,
        bad_value: Option<Value>,
        detail: impl Into<String>,
    ) -> Self {
        FieldError {
            error_type,
            field: path.to_string(),
            bad_value,
            detail: detail.into(),
        }
    }

    /// The message without the field path (Kubernetes' `ErrorBody`).
    pub fn body(&self) -> String {
        let mut out = self.error_type.to_string();
        if self.error_type.shows_value() {
            if let Some(value) = &self.bad_value {
                out.push_str(": ");
                out.push_str(&render_value(value));
            }
        }
        if !self.detail.is_empty() {
            out.push_str(": ");
            out.push_str(&self.detail);
        }
        out
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.body())
    }
}

/// Prints a bad value the way Kubernetes does: strings as Go's `%q`, scalars bare, the rest as
/// compact JSON.
fn render_value(value: &Value) -> String {
    match value {
        Value::String(s) => go_quote(s),
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::Array(_) | Value::Object(_) => {
            value.to_string()
        }
    }
}

pub use crate::api::labels::go_quote;

/// A path to a field, built the way Kubernetes' `field.Path` is: `FieldPath::new("spec")
/// .child("containers").index(0).child("name")` prints `spec.containers[0].name`.
///
/// It is kept rendered (one string), so each step is one allocation: validation builds a
/// path for every checked field, and only the few that fail are ever printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldPath {
    rendered: String,
}

impl FieldPath {
    /// A path starting at the top-level field `root` (may be empty for "the whole object").
    pub fn new(root: &str) -> Self {
        FieldPath {
            rendered: root.to_string(),
        }
    }

    /// The path to the child field `name`.
    pub fn child(&self, name: &str) -> Self {
        // Kubernetes puts a dot before every non-empty named element except the first.
        let mut rendered = String::with_capacity(self.rendered.len() + 1 + name.len());
        rendered.push_str(&self.rendered);
        if !name.is_empty() {
            rendered.push('.');
        }
        rendered.push_str(name);
        FieldPath { rendered }
    }

    /// The path to list element `index`.
    pub fn index(&self, index: usize) -> Self {
        use std::fmt::Write as _;
        let mut rendered = String::with_capacity(self.rendered.len() + 8);
        rendered.push_str(&self.rendered);
        // Writing to a String cannot fail.
        let _ = write!(rendered, "[{index}]");
        FieldPath { rendered }
    }

    /// The path to map entry `key`.
    pub fn key(&self, key: &str) -> Self {
        let mut rendered = String::with_capacity(self.rendered.len() + key.len() + 2);
        rendered.push_str(&self.rendered);
        rendered.push('[');
        rendered.push_str(key);
        rendered.push(']');
        FieldPath { rendered }
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rendered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_print_children_indexes_and_keys_like_kubernetes() {
        let cases = [
            (
                FieldPath::new("spec")
                    .child("containers")
                    .index(0)
                    .child("name"),
                "spec.containers[0].name",
            ),
            (
                FieldPath::new("metadata").child("labels").key("app"),
                "metadata.labels[app]",
            ),
            (FieldPath::new(""), ""),
            // Go prints a dot after an empty root too.
            (FieldPath::new("").child("x"), ".x"),
        ];
        for (path, want) in cases {
            assert_eq!(path.to_string(), want);
        }
    }

    #[test]
    fn error_display_matches_kubernetes_error_strings() {
        let replicas = FieldPath::new("spec").child("replicas");
        let cases = [
            (
                FieldError::invalid(&replicas, -1, "must be greater than or equal to 0"),
                "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
            ),
            (
                FieldError::required(
                    &FieldPath::new("metadata").child("name"),
                    "name or generateName is required",
                ),
                "metadata.name: Required value: name or generateName is required",
            ),
            (
                FieldError::not_supported(
                    &FieldPath::new("spec").child("template").child("spec").child("restartPolicy"),
                    "Never",
                    &["Always"],
                ),
                "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"",
            ),
            (
                FieldError::required(&FieldPath::new("spec").child("containers"), ""),
                "spec.containers: Required value",
            ),
            (
                FieldError::duplicate(&FieldPath::new("spec").child("containers").index(1).child("name"), "web"),
                "spec.containers[1].name: Duplicate value: \"web\"",
            ),
            (
                FieldError::invalid(&replicas, json!({"app": "web"}), "x"),
                "spec.replicas: Invalid value: {\"app\":\"web\"}: x",
            ),
            (
                FieldError::too_long(&FieldPath::new(""), 1_048_576),
                ": Too long: may not be more than 1048576 bytes",
            ),
            (
                FieldError::forbidden(&FieldPath::new("spec"), "nope"),
                "spec: Forbidden: nope",
            ),
        ];
        for (error, want) in cases {
            assert_eq!(error.to_string(), want);
        }
    }

    #[test]
    fn strings_are_quoted_like_go_percent_q() {
        assert_eq!(go_quote("a\"b\\c\nd\u{1}é"), "\"a\\\"b\\\\c\\nd\\x01é\"");
    }
}
