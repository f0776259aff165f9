//! JSON patch (RFC 6902), the `application/json-patch+json` patch type.
//!
//! A JSON patch is a list of operations (`add`, `remove`, `replace`, `move`, `copy`, `test`),
//! each naming a location with a JSON pointer (RFC 6901: `/spec/containers/0/image`, with `~1`
//! for `/` and `~0` for `~` inside a key, and `-` for "after the last element" of a list).
//! The operations run in order on a copy of the target; the first one that fails stops the
//! patch and the target is left as it was (the patch is atomic). Error texts follow the
//! library the Kubernetes API server uses (evanphx/json-patch), prefixed with the index of the
//! operation that failed.

use serde_json::{Map, Value};
use thiserror::Error;

use super::{json_equal, json_type_name};

/// Why a JSON patch could not be applied.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum JsonPatchError {
    /// The patch document is not a JSON list of operations.
    #[error("a JSON patch must be a list of operations, but received a {found}")]
    NotAList {
        /// The JSON type that was sent instead.
        found: &'static str,
    },
    /// One operation failed; nothing of the patch was applied.
    #[error("JSON patch operation {index} ({op}) failed: {reason}")]
    OperationFailed {
        /// The zero-based position of the failing operation in the patch.
        index: usize,
        /// The operation's `op` as written (`unknown` when it had none).
        op: String,
        /// What went wrong.
        reason: JsonPatchOperationError,
    },
}

/// Why a single JSON patch operation failed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum JsonPatchOperationError {
    /// The operation is not a JSON object.
    #[error("an operation must be an object, but received a {found}")]
    NotAnObject {
        /// The JSON type that was sent instead.
        found: &'static str,
    },
    /// A member the operation needs (`op`, `path`, `from` or `value`) is absent or not text.
    #[error("operation missing {field} field: missing value")]
    MissingField {
        /// The name of the missing member.
        field: &'static str,
    },
    /// `op` names no RFC 6902 operation.
    #[error("Unexpected kind: {op}")]
    UnknownOperation {
        /// The `op` as written.
        op: String,
    },
    /// A pointer is neither empty nor starts with `/`.
    #[error("JSON pointer {pointer:?} must be empty or start with '/'")]
    InvalidPointer {
        /// The pointer as written.
        pointer: String,
    },
    /// The location (or its parent, for `add`) does not exist in the document.
    #[error("{op} operation does not apply: doc is missing path: \"{path}\": missing value")]
    PathNotFound {
        /// The operation's name.
        op: &'static str,
        /// The pointer as written.
        path: String,
    },
    /// The `from` location of a `move` or `copy` does not exist.
    #[error("{op} operation does not apply: doc is missing from path: {from}: missing value")]
    FromNotFound {
        /// The operation's name.
        op: &'static str,
        /// The pointer as written.
        from: String,
    },
    /// A list index is past the end of the list (or `-` where an element must exist).
    #[error("Unable to access invalid index: {index}: invalid index referenced")]
    InvalidIndex {
        /// The index token as written.
        index: String,
    },
    /// A pointer token used on a list is not a number (or has leading zeros).
    #[error("value was not a proper array index: '{token}'")]
    NotAnArrayIndex {
        /// The token as written.
        token: String,
    },
    /// A `test` operation found a different value.
    #[error("testing value {path} failed: test failed")]
    TestFailed {
        /// The pointer as written.
        path: String,
    },
    /// A `move` whose `from` is a parent of its `path` (RFC 6902 section 4.4).
    #[error("move operation cannot move {from} into its own child {path}")]
    MoveIntoOwnChild {
        /// The source pointer.
        from: String,
        /// The destination pointer.
        path: String,
    },
}

/// One decoded RFC 6902 operation.
enum Operation {
    Add { path: String, value: Value },
    Remove { path: String },
    Replace { path: String, value: Value },
    Move { from: String, path: String },
    Copy { from: String, path: String },
    Test { path: String, value: Value },
}

/// Applies the RFC 6902 patch `patch` (a JSON list of operations) to `target`.
///
/// Returns the patched document; on error `target` is unchanged (the operations run on a copy).
pub fn apply_json_patch(target: &Value, patch: &Value) -> Result<Value, JsonPatchError> {
    let Value::Array(operations) = patch else {
        return Err(JsonPatchError::NotAList {
            found: json_type_name(patch),
        });
    };
    let mut document = target.clone();
    for (index, raw_operation) in operations.iter().enumerate() {
        let failed = |reason| JsonPatchError::OperationFailed {
            index,
            op: raw_operation
                .get("op")
                .and_then(Value::as_str)
                .unwrap_or("unknown")
                .to_owned(),
            reason,
        };
        let operation = decode_operation(raw_operation).map_err(failed)?;
        apply_operation(&mut document, operation).map_err(failed)?;
    }
    Ok(document)
}

fn decode_operation(raw: &Value) -> Result<Operation, JsonPatchOperationError> {
    let Value::Object(fields) = raw else {
        return Err(JsonPatchOperationError::NotAnObject {
            found: json_type_name(raw),
        });
    };
    let text = |field: &'static str| {
        fields
            .get(field)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or(JsonPatchOperationError::MissingField { field })
    };
    let value = || {
        fields
            .get("value")
            .cloned()
            .ok_or(JsonPatchOperationError::MissingField { field: "value" })
    };
    let op = text("op")?;
    match op.as_str() {
        "add" => Ok(Operation::Add {
            path: text("path")?,
            value: value()?,
        }),
        "remove" => Ok(Operation::Remove {
            path: text("path")?,
        }),
        "replace" => Ok(Operation::Replace {
            path: text("path")?,
            value: value()?,
        }),
        "move" => Ok(Operation::Move {
            from: text("from")?,
            path: text("path")?,
        }),
        "copy" => Ok(Operation::Copy {
            from: text("from")?,
            path: text("path")?,
        }),
        "test" => Ok(Operation::Test {
            path: text("path")?,
            value: value()?,
        }),
        _ => Err(JsonPatchOperationError::UnknownOperation { op }),
    }
}

fn apply_operation(
    document: &mut Value,
    operation: Operation,
) -> Result<(), JsonPatchOperationError> {
    match operation {
        Operation::Add { path, value } => add(document, "add", &path, value),
        Operation::Remove { path } => remove(document, "remove", &path).map(drop),
        Operation::Replace { path, value } => {
            let tokens = parse_pointer(&path)?;
            let Some(slot) = resolve_mut(document, &tokens) else {
                return Err(JsonPatchOperationError::PathNotFound {
                    op: "replace",
                    path,
                });
            };
            *slot = value;
            Ok(())
        }
        Operation::Move { from, path } => {
            if from == path {
                // Moving a value onto itself changes nothing, but it must exist.
                return match resolve(document, &parse_pointer(&from)?) {
                    Some(_) => Ok(()),
                    None => Err(JsonPatchOperationError::FromNotFound { op: "move", from }),
                };
            }
            if path.starts_with(&format!("{from}/")) {
                return Err(JsonPatchOperationError::MoveIntoOwnChild { from, path });
            }
            if resolve(document, &parse_pointer(&from)?).is_none() {
                return Err(JsonPatchOperationError::FromNotFound { op: "move", from });
            }
            let value = remove(document, "move", &from)?;
            add(document, "move", &path, value)
        }
        Operation::Copy { from, path } => {
            let Some(value) = resolve(document, &parse_pointer(&from)?).cloned() else {
                return Err(JsonPatchOperationError::FromNotFound { op: "copy", from });
            };
            add(document, "copy", &path, value)
        }
        Operation::Test { path, value } => {
            let tokens = parse_pointer(&path)?;
            match resolve(document, &tokens) {
                None => Err(JsonPatchOperationError::PathNotFound { op: "test", path }),
                Some(found) if json_equal(found, &value) => Ok(()),
                Some(_) => Err(JsonPatchOperationError::TestFailed { path }),
            }
        }
    }
}

/// Splits an RFC 6901 pointer into its unescaped reference tokens.
fn parse_pointer(pointer: &str) -> Result<Vec<String>, JsonPatchOperationError> {
    if pointer.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = pointer.strip_prefix('/') else {
        return Err(JsonPatchOperationError::InvalidPointer {
            pointer: pointer.to_owned(),
        });
    };
    // `~1` must be unescaped before `~0`, so that `~01` means the key `~1`.
    Ok(rest
        .split('/')
        .map(|token| token.replace("~1", "/").replace("~0", "~"))
        .collect())
}

/// Parses a list index token: digits without leading zeros.
fn parse_index(token: &str) -> Result<usize, JsonPatchOperationError> {
    let is_canonical = !token.is_empty()
        && token.bytes().all(|byte| byte.is_ascii_digit())
        && (token == "0" || !token.starts_with('0'));
    if !is_canonical {
        return Err(JsonPatchOperationError::NotAnArrayIndex {
            token: token.to_owned(),
        });
    }
    token
        .parse::<usize>()
        .map_err(|_| JsonPatchOperationError::InvalidIndex {
            index: token.to_owned(),
        })
}

fn resolve<'a>(document: &'a Value, tokens: &[String]) -> Option<&'a Value> {
    tokens
        .iter()
        .try_fold(document, |current, token| match current {
            Value::Object(fields) => fields.get(token),
            Value::Array(items) => parse_index(token).ok().and_then(|index| items.get(index)),
            _ => None,
        })
}

fn resolve_mut<'a>(document: &'a mut Value, tokens: &[String]) -> Option<&'a mut Value> {
    let mut current = document;
    for token in tokens {
        current = match current {
            Value::Object(fields) => fields.get_mut(token)?,
            Value::Array(items) => items.get_mut(parse_index(token).ok()?)?,
            _ => return None,
        };
    }
    Some(current)
}

/// Splits tokens into the parent's tokens and the last token; `None` for the root.
fn split_last(tokens: &[String]) -> Option<(&[String], &str)> {
    tokens
        .split_last()
        .map(|(last, parent)| (parent, last.as_str()))
}

fn add(
    document: &mut Value,
    op: &'static str,
    path: &str,
    value: Value,
) -> Result<(), JsonPatchOperationError> {
    let tokens = parse_pointer(path)?;
    let Some((parent_tokens, last)) = split_last(&tokens) else {
        *document = value;
        return Ok(());
    };
    let not_found = || JsonPatchOperationError::PathNotFound {
        op,
        path: path.to_owned(),
    };
    match resolve_mut(document, parent_tokens).ok_or_else(not_found)? {
        Value::Object(fields) => {
            set_field(fields, last, value);
            Ok(())
        }
        Value::Array(items) => {
            if last == "-" {
                items.push(value);
                return Ok(());
            }
            let index = parse_index(last)?;
            if index > items.len() {
                return Err(JsonPatchOperationError::InvalidIndex {
                    index: last.to_owned(),
                });
            }
            items.insert(index, value);
            Ok(())
        }
        _ => Err(not_found()),
    }
}

/// Sets `key` to `value`, keeping the key's position when it already exists.
fn set_field(fields: &mut Map<String, Value>, key: &str, value: Value) {
    match fields.get_mut(key) {
        Some(slot) => *slot = value,
        None => {
            fields.insert(key.to_owned(), value);
        }
    }
}

fn remove(
    document: &mut Value,
    op: &'static str,
    path: &str,
) -> Result<Value, JsonPatchOperationError> {
    let tokens = parse_pointer(path)?;
    let not_found = || JsonPatchOperationError::PathNotFound {
        op,
        path: path.to_owned(),
    };
    let Some((parent_tokens, last)) = split_last(&tokens) else {
        // RFC 6902 gives no meaning to removing the whole document.
        return Err(not_found());
    };
    match resolve_mut(document, parent_tokens).ok_or_else(not_found)? {
        Value::Object(fields) => fields.shift_remove(last).ok_or_else(not_found),
        Value::Array(items) => {
            let index = parse_index(last)?;
            if index >= items.len() {
                return Err(JsonPatchOperationError::InvalidIndex {
                    index: last.to_owned(),
                });
            }
            Ok(items.remove(index))
        }
        _ => Err(not_found()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// RFC 6902 Appendix A examples that succeed: (document, patch, result).
    fn rfc6902_successful_examples() -> Vec<(&'static str, Value, Value, Value)> {
        vec![
            (
                "A.1 adding an object member",
                json!({"foo":"bar"}),
                json!([{"op":"add","path":"/baz","value":"qux"}]),
                json!({"baz":"qux","foo":"bar"}),
            ),
            (
                "A.2 adding an array element",
                json!({"foo":["bar","baz"]}),
                json!([{"op":"add","path":"/foo/1","value":"qux"}]),
                json!({"foo":["bar","qux","baz"]}),
            ),
            (
                "A.3 removing an object member",
                json!({"baz":"qux","foo":"bar"}),
                json!([{"op":"remove","path":"/baz"}]),
                json!({"foo":"bar"}),
            ),
            (
                "A.4 removing an array element",
                json!({"foo":["bar","qux","baz"]}),
                json!([{"op":"remove","path":"/foo/1"}]),
                json!({"foo":["bar","baz"]}),
            ),
            (
                "A.5 replacing a value",
                json!({"baz":"qux","foo":"bar"}),
                json!([{"op":"replace","path":"/baz","value":"boo"}]),
                json!({"baz":"boo","foo":"bar"}),
            ),
            (
                "A.6 moving a value",
                json!({"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}),
                json!([{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]),
                json!({"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}),
            ),
            (
                "A.7 moving an array element",
                json!({"foo":["all","grass","cows","eat"]}),
                json!([{"op":"move","from":"/foo/1","path":"/foo/3"}]),
                json!({"foo":["all","cows","eat","grass"]}),
            ),
            (
                "A.8 testing a value: success",
                json!({"baz":"qux","foo":["a",2,"c"]}),
                json!([
                    {"op":"test","path":"/baz","value":"qux"},
                    {"op":"test","path":"/foo/1","value":2}
                ]),
                json!({"baz":"qux","foo":["a",2,"c"]}),
            ),
            (
                "A.10 adding a nested member object",
                json!({"foo":"bar"}),
                json!([{"op":"add","path":"/child","value":{"grandchild":{}}}]),
                json!({"foo":"bar","child":{"grandchild":{}}}),
            ),
            (
                "A.11 ignoring unrecognized elements",
                json!({"foo":"bar"}),
                json!([{"op":"add","path":"/baz","value":"qux","xyz":123}]),
                json!({"foo":"bar","baz":"qux"}),
            ),
            (
                "A.14 ~ escape ordering",
                json!({"/":9,"~1":10}),
                json!([{"op":"test","path":"/~01","value":10}]),
                json!({"/":9,"~1":10}),
            ),
            (
                "A.16 adding an array value",
                json!({"foo":["bar"]}),
                json!([{"op":"add","path":"/foo/-","value":["abc","def"]}]),
                json!({"foo":["bar",["abc","def"]]}),
            ),
            (
                "copying a value",
                json!({"a":{"b":1}}),
                json!([{"op":"copy","from":"/a","path":"/c"}]),
                json!({"a":{"b":1},"c":{"b":1}}),
            ),
            (
                "a key with a slash, escaped as ~1",
                json!({"metadata":{"labels":{"app.kubernetes.io/name":"web"}}}),
                json!([{"op":"replace","path":"/metadata/labels/app.kubernetes.io~1name","value":"api"}]),
                json!({"metadata":{"labels":{"app.kubernetes.io/name":"api"}}}),
            ),
            (
                "numbers compare by value in test",
                json!({"replicas":3}),
                json!([{"op":"test","path":"/replicas","value":3.0}]),
                json!({"replicas":3}),
            ),
            (
                "adding at the root replaces the document",
                json!({"a":1}),
                json!([{"op":"add","path":"","value":[1]}]),
                json!([1]),
            ),
        ]
    }

    #[test]
    fn json_patch_gives_the_results_of_rfc_6902_appendix_a() {
        for (name, document, patch, expected) in rfc6902_successful_examples() {
            let result = apply_json_patch(&document, &patch);
            assert_eq!(result, Ok(expected), "{name}");
        }
    }

    fn failed(index: usize, op: &str, reason: JsonPatchOperationError) -> JsonPatchError {
        JsonPatchError::OperationFailed {
            index,
            op: op.to_owned(),
            reason,
        }
    }

    #[test]
    fn json_patch_reports_which_operation_failed_and_why() {
        let cases = vec![
            (
                "A.9 testing a value: error",
                json!({"baz":"qux"}),
                json!([{"op":"test","path":"/baz","value":"bar"}]),
                failed(
                    0,
                    "test",
                    JsonPatchOperationError::TestFailed {
                        path: "/baz".into(),
                    },
                ),
            ),
            (
                "A.12 adding to a nonexistent target",
                json!({"foo":"bar"}),
                json!([{"op":"add","path":"/baz/bat","value":"qux"}]),
                failed(
                    0,
                    "add",
                    JsonPatchOperationError::PathNotFound {
                        op: "add",
                        path: "/baz/bat".into(),
                    },
                ),
            ),
            (
                "A.15 comparing strings and numbers",
                json!({"/":9,"~1":10}),
                json!([{"op":"test","path":"/~01","value":"10"}]),
                failed(
                    0,
                    "test",
                    JsonPatchOperationError::TestFailed {
                        path: "/~01".into(),
                    },
                ),
            ),
            (
                "removing past the end of a list",
                json!({"foo":[1]}),
                json!([{"op":"test","path":"/foo/0","value":1},{"op":"remove","path":"/foo/5"}]),
                failed(
                    1,
                    "remove",
                    JsonPatchOperationError::InvalidIndex { index: "5".into() },
                ),
            ),
            (
                "adding past the end of a list",
                json!({"foo":[1]}),
                json!([{"op":"add","path":"/foo/2","value":3}]),
                failed(
                    0,
                    "add",
                    JsonPatchOperationError::InvalidIndex { index: "2".into() },
                ),
            ),
            (
                "a list index with a leading zero",
                json!({"foo":[1,2]}),
                json!([{"op":"replace","path":"/foo/01","value":3}]),
                failed(
                    0,
                    "replace",
                    JsonPatchOperationError::PathNotFound {
                        op: "replace",
                        path: "/foo/01".into(),
                    },
                ),
            ),
            (
                "replacing a missing member",
                json!({"foo":1}),
                json!([{"op":"replace","path":"/bar","value":3}]),
                failed(
                    0,
                    "replace",
                    JsonPatchOperationError::PathNotFound {
                        op: "replace",
                        path: "/bar".into(),
                    },
                ),
            ),
            (
                "an unknown operation",
                json!({}),
                json!([{"op":"frobnicate","path":"/a"}]),
                failed(
                    0,
                    "frobnicate",
                    JsonPatchOperationError::UnknownOperation {
                        op: "frobnicate".into(),
                    },
                ),
            ),
            (
                "an add without a value",
                json!({}),
                json!([{"op":"add","path":"/a"}]),
                failed(
                    0,
                    "add",
                    JsonPatchOperationError::MissingField { field: "value" },
                ),
            ),
            (
                "a move into its own child",
                json!({"a":{"b":1}}),
                json!([{"op":"move","from":"/a","path":"/a/b/c"}]),
                failed(
                    0,
                    "move",
                    JsonPatchOperationError::MoveIntoOwnChild {
                        from: "/a".into(),
                        path: "/a/b/c".into(),
                    },
                ),
            ),
            (
                "copying from a missing location",
                json!({}),
                json!([{"op":"copy","from":"/x","path":"/y"}]),
                failed(
                    0,
                    "copy",
                    JsonPatchOperationError::FromNotFound {
                        op: "copy",
                        from: "/x".into(),
                    },
                ),
            ),
            (
                "a pointer without a leading slash",
                json!({}),
                json!([{"op":"add","path":"a","value":1}]),
                failed(
                    0,
                    "add",
                    JsonPatchOperationError::InvalidPointer {
                        pointer: "a".into(),
                    },
                ),
            ),
        ];
        for (name, document, patch, expected) in cases {
            assert_eq!(apply_json_patch(&document, &patch), Err(expected), "{name}");
        }
    }

    #[test]
    fn json_patch_error_message_names_the_operation_index_and_reason() {
        let error = apply_json_patch(
            &json!({"baz":"qux"}),
            &json!([{"op":"add","path":"/a","value":1},{"op":"test","path":"/baz","value":"bar"}]),
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "JSON patch operation 1 (test) failed: testing value /baz failed: test failed"
        );
    }

    #[test]
    fn json_patch_that_fails_halfway_leaves_the_target_unchanged() {
        let target = json!({"a":1});
        let patch = json!([
            {"op":"add","path":"/b","value":2},
            {"op":"remove","path":"/missing"}
        ]);
        assert!(apply_json_patch(&target, &patch).is_err());
        assert_eq!(target, json!({"a":1}));
    }

    #[test]
    fn json_patch_that_is_not_a_list_is_rejected() {
        assert_eq!(
            apply_json_patch(&json!({}), &json!({"op":"add"})),
            Err(JsonPatchError::NotAList { found: "object" })
        );
    }
}
