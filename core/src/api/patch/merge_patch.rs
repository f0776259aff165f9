//! JSON merge patch (RFC 7386), the `application/merge-patch+json` patch type.
//!
//! A merge patch is a partial document: objects in the patch merge into objects in the
//! target key by key, a `null` value deletes the key, and anything else (strings, numbers,
//! lists, or an object meeting a non-object) replaces the target value wholesale. Lists are
//! never merged: this is the difference a strategic merge patch adds on top. Applying a merge
//! patch cannot fail: every pair of JSON values has a result.

use serde_json::{Map, Value};

/// Applies the RFC 7386 merge patch `patch` to `target` and returns the patched document.
///
/// `target` is left untouched; the result is a new value.
pub fn apply_merge_patch(target: &Value, patch: &Value) -> Value {
    merge_value(target.clone(), patch)
}

/// The RFC's `MergePatch(Target, Patch)` function on owned values.
fn merge_value(target: Value, patch: &Value) -> Value {
    let Value::Object(patch_fields) = patch else {
        return patch.clone();
    };
    let mut target_fields = match target {
        Value::Object(fields) => fields,
        _ => Map::new(),
    };
    for (key, patch_value) in patch_fields {
        if patch_value.is_null() {
            target_fields.shift_remove(key);
        } else {
            match target_fields.get_mut(key) {
                // Merge in place so the document keeps its field order.
                Some(slot) => {
                    let current = std::mem::take(slot);
                    *slot = merge_value(current, patch_value);
                }
                None => {
                    target_fields.insert(key.clone(), merge_value(Value::Null, patch_value));
                }
            }
        }
    }
    Value::Object(target_fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The examples of RFC 7386, Appendix A: (original, patch, result).
    fn rfc7386_appendix_a() -> Vec<(Value, Value, Value)> {
        vec![
            (json!({"a":"b"}), json!({"a":"c"}), json!({"a":"c"})),
            (json!({"a":"b"}), json!({"b":"c"}), json!({"a":"b","b":"c"})),
            (json!({"a":"b"}), json!({"a":null}), json!({})),
            (
                json!({"a":"b","b":"c"}),
                json!({"a":null}),
                json!({"b":"c"}),
            ),
            (json!({"a":["b"]}), json!({"a":"c"}), json!({"a":"c"})),
            (json!({"a":"c"}), json!({"a":["b"]}), json!({"a":["b"]})),
            (
                json!({"a":{"b":"c"}}),
                json!({"a":{"b":"d","c":null}}),
                json!({"a":{"b":"d"}}),
            ),
            (json!({"a":[{"b":"c"}]}), json!({"a":[1]}), json!({"a":[1]})),
            (json!(["a", "b"]), json!(["c", "d"]), json!(["c", "d"])),
            (json!({"a":"b"}), json!(["c"]), json!(["c"])),
            (json!({"a":"foo"}), json!(null), json!(null)),
            (json!({"a":"foo"}), json!("bar"), json!("bar")),
            (json!({"e":null}), json!({"a":1}), json!({"e":null,"a":1})),
            (json!([1, 2]), json!({"a":"b","c":null}), json!({"a":"b"})),
            (
                json!({}),
                json!({"a":{"bb":{"ccc":null}}}),
                json!({"a":{"bb":{}}}),
            ),
        ]
    }

    #[test]
    fn merge_patch_gives_every_result_of_rfc_7386_appendix_a() {
        for (original, patch, expected) in rfc7386_appendix_a() {
            let result = apply_merge_patch(&original, &patch);
            assert_eq!(result, expected, "original {original} patched with {patch}");
        }
    }

    #[test]
    fn merge_patch_replaces_a_list_instead_of_merging_it() {
        let target = json!({"spec":{"containers":[{"name":"a"},{"name":"b"}]}});
        let patch = json!({"spec":{"containers":[{"name":"c"}]}});
        let result = apply_merge_patch(&target, &patch);
        assert_eq!(result, json!({"spec":{"containers":[{"name":"c"}]}}));
    }

    #[test]
    fn merge_patch_leaves_the_target_unchanged() {
        let target = json!({"a":{"b":1}});
        let _ = apply_merge_patch(&target, &json!({"a":null}));
        assert_eq!(target, json!({"a":{"b":1}}));
    }
}
