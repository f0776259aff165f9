//! The patch `kubectl apply` sends when the object exists: a three-way strategic merge patch
//! computed from the configuration applied last time (the `last-applied-configuration`
//! annotation), the configuration applied now, and the live object, as
//! k8s.io/apimachinery's `strategicpatch.CreateThreeWayMergePatch` computes it.
//!
//! Two diffs are merged into one patch:
//! - deletions, from last-applied to new: a field the learner removed from their file is
//!   deleted (`null` in a map, `$patch: delete` for an element of a merge list,
//!   `$deleteFromPrimitiveList` for a merged list of strings);
//! - additions and changes, from live to new: every field of the file whose value differs
//!   from the live one is set. Fields the file never named (set by a controller, by
//!   `kubectl scale` or defaulting) are left as they are.
//!
//! The merge keys and list strategies come from [`crate::api::patch::schema`]. Data flows in
//! as three JSON values and out as one patch value; an empty object means "unchanged".
//! `$setElementOrder` directives are not emitted: new list elements land where the strategic
//! merge puts them.

use serde_json::{Map, Value};

use crate::api::patch::schema::{schema_for_kind, FieldStrategy, StructSchema};

/// The annotation holding the configuration applied last.
pub const LAST_APPLIED_ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";

type Schema = Option<&'static StructSchema>;

/// The three-way patch for an object of kind `kind` ("Deployment"): `original` is the last
/// applied configuration (Null when there is none), `modified` the new one, `current` the
/// live object.
pub fn three_way_patch(original: &Value, modified: &Value, current: &Value, kind: &str) -> Value {
    let schema = schema_for_kind(kind);
    let empty = Map::new();
    let as_map = |value: &'_ Value| -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_else(|| empty.clone())
    };
    let (original, modified, current) = (as_map(original), as_map(modified), as_map(current));
    let deletions = deletions(&original, &modified, schema);
    let changes = additions_and_changes(&current, &modified, schema);
    Value::Object(merge_patches(deletions, changes, schema))
}

/// Whether a patch changes nothing.
pub fn is_empty_patch(patch: &Value) -> bool {
    patch.as_object().is_none_or(Map::is_empty)
}

fn field_schema(schema: Schema, name: &str) -> (FieldStrategy, Schema) {
    match schema {
        Some(schema) => schema.field(name),
        None => (FieldStrategy::Default, None),
    }
}

fn key_of<'v>(element: &'v Value, key: &str) -> Option<&'v Value> {
    element.as_object().and_then(|m| m.get(key))
}

/// What is set in `modified` and differs from `current`.
fn additions_and_changes(
    current: &Map<String, Value>,
    modified: &Map<String, Value>,
    schema: Schema,
) -> Map<String, Value> {
    let mut patch = Map::new();
    for (name, wanted) in modified {
        let Some(live) = current.get(name) else {
            patch.insert(name.clone(), wanted.clone());
            continue;
        };
        if live == wanted {
            continue;
        }
        let (strategy, sub_schema) = field_schema(schema, name);
        match (live, wanted, strategy) {
            (Value::Object(live), Value::Object(wanted), _) => {
                let sub = additions_and_changes(live, wanted, sub_schema);
                if !sub.is_empty() {
                    patch.insert(name.clone(), Value::Object(sub));
                }
            }
            (Value::Array(live), Value::Array(wanted), FieldStrategy::MergeByKey(key)) => {
                let mut elements = Vec::new();
                for element in wanted {
                    let id = key_of(element, key);
                    let matching = live.iter().find(|l| id.is_some() && key_of(l, key) == id);
                    match (matching, element) {
                        (Some(Value::Object(l)), Value::Object(w)) => {
                            let mut sub = additions_and_changes(l, w, sub_schema);
                            if !sub.is_empty() {
                                if let Some(id) = id {
                                    sub.insert(key.to_string(), id.clone());
                                }
                                elements.push(Value::Object(sub));
                            }
                        }
                        (Some(l), w) if l == w => {}
                        _ => elements.push(element.clone()),
                    }
                }
                if !elements.is_empty() {
                    patch.insert(name.clone(), Value::Array(elements));
                }
            }
            (Value::Array(live), Value::Array(wanted), FieldStrategy::MergePrimitives) => {
                let added: Vec<Value> = wanted
                    .iter()
                    .filter(|w| !live.contains(w))
                    .cloned()
                    .collect();
                if !added.is_empty() {
                    patch.insert(name.clone(), Value::Array(added));
                }
            }
            _ => {
                patch.insert(name.clone(), wanted.clone());
            }
        }
    }
    patch
}

/// What `original` set and `modified` no longer sets.
fn deletions(
    original: &Map<String, Value>,
    modified: &Map<String, Value>,
    schema: Schema,
) -> Map<String, Value> {
    let mut patch = Map::new();
    for (name, before) in original {
        let Some(now) = modified.get(name) else {
            patch.insert(name.clone(), Value::Null);
            continue;
        };
        let (strategy, sub_schema) = field_schema(schema, name);
        match (before, now, strategy) {
            (Value::Object(before), Value::Object(now), _) => {
                let sub = deletions(before, now, sub_schema);
                if !sub.is_empty() {
                    patch.insert(name.clone(), Value::Object(sub));
                }
            }
            (Value::Array(before), Value::Array(now), FieldStrategy::MergeByKey(key)) => {
                let mut elements = Vec::new();
                for element in before {
                    let Some(id) = key_of(element, key) else {
                        continue;
                    };
                    match now.iter().find(|n| key_of(n, key) == Some(id)) {
                        None => {
                            let mut directive = Map::new();
                            directive.insert(key.to_string(), id.clone());
                            directive.insert("$patch".to_string(), Value::from("delete"));
                            elements.push(Value::Object(directive));
                        }
                        Some(Value::Object(n)) => {
                            if let Value::Object(b) = element {
                                let mut sub = deletions(b, n, sub_schema);
                                if !sub.is_empty() {
                                    sub.insert(key.to_string(), id.clone());
                                    elements.push(Value::Object(sub));
                                }
                            }
                        }
                        Some(_) => {}
                    }
                }
                if !elements.is_empty() {
                    patch.insert(name.clone(), Value::Array(elements));
                }
            }
            (Value::Array(before), Value::Array(now), FieldStrategy::MergePrimitives) => {
                let removed: Vec<Value> = before
                    .iter()
                    .filter(|b| !now.contains(b))
                    .cloned()
                    .collect();
                if !removed.is_empty() {
                    patch.insert(
                        format!("$deleteFromPrimitiveList/{name}"),
                        Value::Array(removed),
                    );
                }
            }
            _ => {}
        }
    }
    patch
}

/// Merges the deletions patch into the changes patch (changes win where both speak).
fn merge_patches(
    deletions: Map<String, Value>,
    mut changes: Map<String, Value>,
    schema: Schema,
) -> Map<String, Value> {
    for (name, deletion) in deletions {
        let (strategy, sub_schema) = field_schema(schema, &name);
        let merged = match (changes.remove(&name), deletion, strategy) {
            (None, deletion, _) => deletion,
            (Some(Value::Object(change)), Value::Object(deletion), _) => {
                Value::Object(merge_patches(deletion, change, sub_schema))
            }
            (
                Some(Value::Array(mut change)),
                Value::Array(deletion),
                FieldStrategy::MergeByKey(key),
            ) => {
                for element in deletion {
                    let id = key_of(&element, key).cloned();
                    let position = change
                        .iter()
                        .position(|c| id.is_some() && key_of(c, key) == id.as_ref());
                    match (position, element) {
                        (Some(index), Value::Object(deleted)) => {
                            if let Some(Value::Object(existing)) = change.get_mut(index) {
                                let both = merge_patches(deleted, existing.clone(), sub_schema);
                                *existing = both;
                            }
                        }
                        (_, element) => change.push(element),
                    }
                }
                Value::Array(change)
            }
            (Some(change), _, _) => change,
        };
        changes.insert(name, merged);
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::patch::apply_strategic_merge_patch;
    use serde_json::json;

    fn deployment(replicas: i64, containers: Value, labels: Value) -> Value {
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "labels": labels},
            "spec": {
                "replicas": replicas,
                "template": {"spec": {"containers": containers}}
            }
        })
    }

    fn applied(original: &Value, modified: &Value, current: &Value) -> Value {
        let patch = three_way_patch(original, modified, current, "Deployment");
        apply_strategic_merge_patch(current, &patch, "Deployment").expect("the patch applies")
    }

    #[test]
    fn a_field_removed_from_the_configuration_is_removed_from_the_live_object() {
        let original = deployment(
            2,
            json!([{"name": "a", "image": "x"}]),
            json!({"app": "web", "tier": "front"}),
        );
        let modified = deployment(
            2,
            json!([{"name": "a", "image": "x"}]),
            json!({"app": "web"}),
        );
        let live = applied(&original, &modified, &original);
        assert_eq!(live["metadata"]["labels"], json!({"app": "web"}));
    }

    #[test]
    fn a_field_set_by_someone_else_is_kept() {
        let original = deployment(
            2,
            json!([{"name": "a", "image": "x"}]),
            json!({"app": "web"}),
        );
        let mut current = original.clone();
        current["metadata"]["labels"]["owner"] = json!("ops");
        current["spec"]["strategy"] = json!({"type": "RollingUpdate"});
        let mut modified = original.clone();
        modified["spec"]["replicas"] = json!(3);
        let live = applied(&original, &modified, &current);
        assert_eq!(live["metadata"]["labels"]["owner"], "ops");
        assert_eq!(live["spec"]["strategy"]["type"], "RollingUpdate");
        assert_eq!(live["spec"]["replicas"], 3);
    }

    #[test]
    fn a_value_changed_live_is_set_back_to_the_configuration() {
        let original = deployment(
            2,
            json!([{"name": "a", "image": "x"}]),
            json!({"app": "web"}),
        );
        let mut current = original.clone();
        current["spec"]["replicas"] = json!(5);
        let live = applied(&original, &original, &current);
        assert_eq!(live["spec"]["replicas"], 2);
    }

    #[test]
    fn containers_merge_by_name_and_a_removed_container_is_deleted() {
        let original = deployment(
            1,
            json!([{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]),
            json!({}),
        );
        let mut current = original.clone();
        current["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = json!("Always");
        let modified = deployment(1, json!([{"name": "a", "image": "x2"}]), json!({}));
        let live = applied(&original, &modified, &current);
        assert_eq!(
            live["spec"]["template"]["spec"]["containers"],
            json!([{"name": "a", "image": "x2", "imagePullPolicy": "Always"}])
        );
    }

    #[test]
    fn the_same_configuration_again_gives_an_empty_patch() {
        let original = deployment(
            2,
            json!([{"name": "a", "image": "x"}]),
            json!({"app": "web"}),
        );
        let mut current = original.clone();
        current["status"] = json!({"replicas": 2});
        let patch = three_way_patch(&original, &original, &current, "Deployment");
        assert!(is_empty_patch(&patch), "{patch}");
    }
}
