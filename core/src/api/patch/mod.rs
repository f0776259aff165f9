//! The patch types of the Kubernetes API, applied to objects in their JSON form.
//!
//! A PATCH request names its patch type in its `Content-Type` header ([`PatchType`]); the API
//! server reads the live object as JSON, applies the patch body to it with the matching
//! function, and then decodes, defaults and validates the result like any update:
//!
//! - [`json_patch`]: RFC 6902 operations (`add`, `remove`, … at JSON pointers), atomic.
//! - [`merge_patch`]: RFC 7386, a partial document where `null` deletes; lists are replaced.
//! - [`strategic_merge_patch`]: Kubernetes' own merge patch, which merges lists of containers,
//!   ports, env vars… by key, following the per-kind table in [`schema`], plus the `$patch`,
//!   `$deleteFromPrimitiveList`, `$setElementOrder` and `$retainKeys` directives.
//!
//! Server-side apply (`application/apply-patch+yaml`) is recognised but not supported yet.
//! All functions are pure: they take the live object and the patch by reference and return a
//! new value or an error, leaving their inputs untouched.

pub mod json_patch;
pub mod merge_patch;
pub mod schema;
pub mod strategic_merge_patch;

use serde_json::Value;
use thiserror::Error;

pub use json_patch::{apply_json_patch, JsonPatchError, JsonPatchOperationError};
pub use merge_patch::apply_merge_patch;
pub use schema::schema_for_kind;
pub use strategic_merge_patch::{apply_strategic_merge_patch, StrategicMergePatchError};

/// The patch types a PATCH request may carry, named by its `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PatchType {
    /// `application/json-patch+json`: an RFC 6902 list of operations.
    JsonPatch,
    /// `application/merge-patch+json`: an RFC 7386 partial document.
    MergePatch,
    /// `application/strategic-merge-patch+json`: Kubernetes' schema-aware merge patch.
    StrategicMergePatch,
    /// `application/apply-patch+yaml`: server-side apply. Reserved: not supported yet.
    ApplyPatch,
}

impl PatchType {
    /// All patch types, in the order the API server lists them.
    pub const ALL: [PatchType; 4] = [
        PatchType::JsonPatch,
        PatchType::MergePatch,
        PatchType::StrategicMergePatch,
        PatchType::ApplyPatch,
    ];

    /// The patch type for a `Content-Type` header value (parameters such as `; charset=utf-8`
    /// are ignored), or `None` for a media type that is no patch type.
    pub fn from_content_type(content_type: &str) -> Option<PatchType> {
        let media_type = content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        PatchType::ALL
            .into_iter()
            .find(|patch_type| patch_type.content_type() == media_type)
    }

    /// The media type that names this patch type in a `Content-Type` header.
    pub fn content_type(self) -> &'static str {
        match self {
            PatchType::JsonPatch => "application/json-patch+json",
            PatchType::MergePatch => "application/merge-patch+json",
            PatchType::StrategicMergePatch => "application/strategic-merge-patch+json",
            PatchType::ApplyPatch => "application/apply-patch+yaml",
        }
    }
}

/// Why a patch could not be applied.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum PatchError {
    /// The JSON patch failed; see the inner error for the operation and the reason.
    #[error(transparent)]
    JsonPatch(#[from] JsonPatchError),
    /// The strategic merge patch failed.
    #[error(transparent)]
    StrategicMergePatch(#[from] StrategicMergePatchError),
    /// Server-side apply was asked for; kubeplay does not implement it yet.
    #[error("server-side apply (application/apply-patch+yaml) is not supported yet; use kubectl apply without --server-side")]
    ApplyPatchNotSupported,
}

/// Applies `patch` of type `patch_type` to `target`, an object of kind `kind` (the kind only
/// matters for a strategic merge patch).
pub fn apply_patch(
    patch_type: PatchType,
    target: &Value,
    patch: &Value,
    kind: &str,
) -> Result<Value, PatchError> {
    match patch_type {
        PatchType::JsonPatch => Ok(apply_json_patch(target, patch)?),
        PatchType::MergePatch => Ok(apply_merge_patch(target, patch)),
        PatchType::StrategicMergePatch => apply_strategic_merge_patch(target, patch, kind),
        PatchType::ApplyPatch => Err(PatchError::ApplyPatchNotSupported),
    }
}

/// Deep JSON equality where numbers compare by value (`1` equals `1.0`), as RFC 6902's `test`
/// and Go's decoded `float64`s do.
pub(crate) fn json_equal(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Number(l), Value::Number(r)) => {
            match (l.as_i64(), r.as_i64(), l.as_u64(), r.as_u64()) {
                (Some(l), Some(r), _, _) => l == r,
                (_, _, Some(l), Some(r)) => l == r,
                _ => l.as_f64() == r.as_f64(),
            }
        }
        (Value::Array(l), Value::Array(r)) => {
            l.len() == r.len() && l.iter().zip(r).all(|(l, r)| json_equal(l, r))
        }
        (Value::Object(l), Value::Object(r)) => {
            l.len() == r.len()
                && l.iter()
                    .all(|(key, l)| r.get(key).is_some_and(|r| json_equal(l, r)))
        }
        _ => left == right,
    }
}

/// The JSON type of a value, for error messages.
pub(crate) fn json_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_patch_type_round_trips_through_its_content_type() {
        for patch_type in PatchType::ALL {
            assert_eq!(
                PatchType::from_content_type(patch_type.content_type()),
                Some(patch_type)
            );
        }
    }

    #[test]
    fn content_type_parameters_and_case_are_ignored() {
        assert_eq!(
            PatchType::from_content_type("Application/Merge-Patch+JSON; charset=utf-8"),
            Some(PatchType::MergePatch)
        );
    }

    #[test]
    fn plain_json_is_no_patch_type() {
        assert_eq!(PatchType::from_content_type("application/json"), None);
    }

    #[test]
    fn apply_patch_refuses_server_side_apply() {
        assert_eq!(
            apply_patch(PatchType::ApplyPatch, &json!({}), &json!({}), "Pod"),
            Err(PatchError::ApplyPatchNotSupported)
        );
    }

    #[test]
    fn apply_patch_dispatches_on_the_patch_type() {
        let pod = json!({"spec":{"containers":[{"name":"a","image":"nginx"}]}});
        let patch = json!({"spec":{"containers":[{"name":"b","image":"redis"}]}});
        let merged = apply_patch(PatchType::MergePatch, &pod, &patch, "Pod").unwrap();
        assert_eq!(
            merged["spec"]["containers"].as_array().map(Vec::len),
            Some(1)
        );
        let strategic = apply_patch(PatchType::StrategicMergePatch, &pod, &patch, "Pod").unwrap();
        assert_eq!(
            strategic["spec"]["containers"].as_array().map(Vec::len),
            Some(2)
        );
    }

    #[test]
    fn json_equal_compares_numbers_by_value_and_objects_regardless_of_order() {
        assert!(json_equal(&json!(1), &json!(1.0)));
        assert!(json_equal(&json!({"a":1,"b":2}), &json!({"b":2,"a":1})));
        assert!(!json_equal(&json!("1"), &json!(1)));
    }
}
