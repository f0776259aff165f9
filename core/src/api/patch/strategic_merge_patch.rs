//! Strategic merge patch, the `application/strategic-merge-patch+json` patch type (the one
//! `kubectl patch` sends by default), as k8s.io/apimachinery/pkg/util/strategicpatch applies it
//! on the API server.
//!
//! It is a JSON merge patch that knows the object's schema ([`super::schema`]): maps merge key
//! by key and `null` deletes a key, as in RFC 7386; lists tagged `patchStrategy: merge` merge
//! instead of being replaced — lists of objects element by element using their merge key
//! (`containers` by `name`), lists of primitives as a set union (`finalizers`) — and untagged
//! lists are replaced. Directives inside the patch refine this:
//!
//! - `$patch: replace` in a map replaces the whole map; as an element of a merge list it
//!   replaces the whole list with the patch's other elements.
//! - `$patch: delete` in a map deletes it; as an element of a merge list it deletes the elements
//!   with that element's merge key.
//! - `$patch: merge` is the default and, as in Kubernetes, is rejected where it is written
//!   explicitly (in a map: "unknown patch type"; in a list: "merging lists cannot yet be
//!   specified in the patch").
//! - `$deleteFromPrimitiveList/<field>: [values]` removes those values from a primitive list.
//! - `$setElementOrder/<field>: [...]` gives the order of a merge list's elements after merging.
//! - `$retainKeys: [keys]` deletes every key of the map not in the list (used for union
//!   fields such as a volume's source).
//!
//! Element order in merged lists follows Kubernetes: elements named by the patch come in the
//! patch's order, and the live object's other elements are interleaved where they were — so
//! a new element patched alone into `[a, b]` lands *first* (`[c, a, b]`), exactly as the
//! `kubectl patch` documentation shows for its redis container.
//!
//! Data flows one way: the live object and the patch are copied, merged recursively by
//! [`apply_strategic_merge_patch`], and the result returned; the inputs are never changed.
//! Directive keys that Kubernetes would drop when decoding the result into its Go types are
//! dropped from the result here too.

use serde_json::{Map, Value};
use thiserror::Error;

use super::schema::{schema_for_kind, FieldStrategy, StructSchema};
use super::{json_equal, PatchError};

type Object = Map<String, Value>;
type Schema = Option<&'static StructSchema>;

const DIRECTIVE_MARKER: &str = "$patch";
const DELETE_DIRECTIVE: &str = "delete";
const REPLACE_DIRECTIVE: &str = "replace";
const MERGE_DIRECTIVE: &str = "merge";
const RETAIN_KEYS_DIRECTIVE: &str = "$retainKeys";
const DELETE_FROM_PRIMITIVE_LIST_PREFIX: &str = "$deleteFromPrimitiveList";
const SET_ELEMENT_ORDER_PREFIX: &str = "$setElementOrder";

/// Why a strategic merge patch could not be applied. The texts are those of
/// k8s.io/apimachinery's `mergepatch` and `strategicpatch` packages (maps are shown as JSON).
#[derive(Debug, Clone, PartialEq, Error)]
pub enum StrategicMergePatchError {
    /// The live object or the patch is not a JSON object.
    #[error("invalid JSON document")]
    InvalidJsonDocument,
    /// A `$patch` directive with a value other than `replace` or `delete` (in a map) or
    /// `replace`, `delete`, `merge` (in a list).
    #[error("unknown patch type: {directive} in map: {map}")]
    UnknownPatchType {
        /// The directive's value, as JSON.
        directive: String,
        /// The map that held it, as JSON.
        map: String,
    },
    /// An element of a merge list lacks the list's merge key.
    #[error("map: {map} does not contain declared merge key: {key}")]
    NoMergeKey {
        /// The element, as JSON.
        map: String,
        /// The merge key.
        key: &'static str,
    },
    /// `$patch: merge` written as an element of a list.
    #[error("merging lists cannot yet be specified in the patch")]
    MergingListsNotSupported,
    /// A value of the wrong JSON type where the patch structure needs another.
    #[error("expected a {expected}, but received a {actual}")]
    BadArgType {
        /// The Go type expected.
        expected: &'static str,
        /// The Go type found.
        actual: &'static str,
    },
    /// A list whose elements are lists.
    #[error("lists of lists are not supported")]
    NoListOfLists,
    /// The elements of the live list and the patch list are not all of one JSON type.
    #[error("list element types are not identical: {lists}")]
    ElementTypesNotIdentical {
        /// The lists, as JSON.
        lists: String,
    },
    /// A `$setElementOrder` list for a field whose live and patch lists are both empty.
    #[error("no elements in any of the given slices")]
    NoElements,
    /// A `$deleteFromPrimitiveList` key without `/<field>`.
    #[error("invalid patch format of primitive list")]
    BadPatchFormatForPrimitiveList,
    /// A `$retainKeys` that is not a list, or a patch key missing from it.
    #[error("invalid patch format of retainKeys")]
    BadPatchFormatForRetainKeys,
    /// A `$setElementOrder` key without `/<field>`.
    #[error("invalid patch format of setElementOrder list")]
    BadPatchFormatForSetElementOrderList,
    /// The patch list's elements are not in the order its `$setElementOrder` list gives.
    #[error("The order in patch list:\n{patch_list}\n doesn't match $setElementOrder list:\n{order_list}\n")]
    SetElementOrderMismatch {
        /// The patch list, as JSON.
        patch_list: String,
        /// The `$setElementOrder` list, as JSON.
        order_list: String,
    },
    /// A list of objects asked to merge (by `$deleteFromPrimitiveList`) that has no merge key.
    #[error("cannot merge lists without merge key for {schema}")]
    NoMergeKeyForList {
        /// The schema's name.
        schema: &'static str,
    },
}

/// Applies the strategic merge patch `patch` to `target`, an object of kind `kind` ("Pod",
/// "Deployment", …), and returns the patched object.
///
/// The kind selects the merge keys and strategies of [`super::schema`]; for a kind without a
/// schema maps still merge but every list is replaced (Kubernetes itself refuses strategic
/// merge patches for custom resources: check [`schema_for_kind`] first to do the same).
pub fn apply_strategic_merge_patch(
    target: &Value,
    patch: &Value,
    kind: &str,
) -> std::result::Result<Value, PatchError> {
    let original = match target {
        Value::Object(fields) => fields.clone(),
        _ => return Err(StrategicMergePatchError::InvalidJsonDocument.into()),
    };
    let patch = match patch {
        Value::Object(fields) => fields.clone(),
        // Go decodes `null` into an empty map: the patch changes nothing.
        Value::Null => Object::new(),
        _ => return Err(StrategicMergePatchError::InvalidJsonDocument.into()),
    };
    let merged = merge_map(original, patch, schema_for_kind(kind))?;
    Ok(Value::Object(merged))
}

type Result<T> = std::result::Result<T, StrategicMergePatchError>;

/// The Go type name of a decoded JSON value, as Kubernetes' error texts print it.
fn go_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(_) => "float64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

fn as_json(value: &Value) -> String {
    value.to_string()
}

fn object_as_json(object: &Object) -> String {
    // Serializing a map of JSON values cannot fail.
    serde_json::to_string(object).unwrap_or_default()
}

fn lists_as_json(lists: &[&[Value]]) -> String {
    serde_json::to_string(lists).unwrap_or_default()
}

fn merge_key_of(strategy: FieldStrategy) -> Option<&'static str> {
    match strategy {
        FieldStrategy::MergeByKey(key) => Some(key),
        FieldStrategy::Default | FieldStrategy::MergePrimitives => None,
    }
}

fn lookup(schema: Schema, key: &str) -> (FieldStrategy, Schema) {
    schema.map_or((FieldStrategy::Default, None), |schema| schema.field(key))
}

/// Strips the `prefix/` of a directive key (`$setElementOrder/containers` → `containers`).
fn extract_key(key: &str, prefix: &str) -> Result<String> {
    match key.split_once('/') {
        Some((head, rest)) if head == prefix => Ok(rest.to_owned()),
        _ if prefix == DELETE_FROM_PRIMITIVE_LIST_PREFIX => {
            Err(StrategicMergePatchError::BadPatchFormatForPrimitiveList)
        }
        _ => Err(StrategicMergePatchError::BadPatchFormatForSetElementOrderList),
    }
}

fn is_directive_key(key: &str) -> bool {
    key == DIRECTIVE_MARKER
        || key == RETAIN_KEYS_DIRECTIVE
        || key.starts_with(DELETE_FROM_PRIMITIVE_LIST_PREFIX)
        || key.starts_with(SET_ELEMENT_ORDER_PREFIX)
}

/// Drops directive keys at every depth, as decoding into Kubernetes' Go types does.
fn strip_directive_keys(value: Value) -> Value {
    match value {
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .filter(|(key, _)| !is_directive_key(key))
                .map(|(key, value)| (key, strip_directive_keys(value)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(strip_directive_keys).collect()),
        other => other,
    }
}

/// Go's `removeDirectives`: a map holding `$patch` disappears (from its parent map or list).
fn remove_directives(value: Value) -> Option<Value> {
    match value {
        Value::Object(fields) => {
            if fields.contains_key(DIRECTIVE_MARKER) {
                return None;
            }
            Some(Value::Object(
                fields
                    .into_iter()
                    .filter_map(|(key, value)| remove_directives(value).map(|value| (key, value)))
                    .collect(),
            ))
        }
        Value::Array(items) => Some(Value::Array(
            items.into_iter().filter_map(remove_directives).collect(),
        )),
        other => Some(other),
    }
}

/// Go's `discardNullValuesFromPatch`: nulls in map values vanish at every depth.
fn discard_nulls(value: Value) -> Value {
    match value {
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .filter(|(_, value)| !value.is_null())
                .map(|(key, value)| (key, discard_nulls(value)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(discard_nulls).collect()),
        other => other,
    }
}

/// A patch value that lands where the live object has nothing to merge with.
fn new_value(patch_value: Value) -> Option<Value> {
    remove_directives(discard_nulls(patch_value)).map(strip_directive_keys)
}

/// Whether two values have the same Go type after JSON decoding (all numbers are float64).
fn same_type(left: &Value, right: &Value) -> bool {
    std::mem::discriminant(left) == std::mem::discriminant(right)
}

/// Go's `mergeMap` with the server's options (parallel lists merged, unmatched nulls ignored).
fn merge_map(mut original: Object, mut patch: Object, schema: Schema) -> Result<Object> {
    if let Some(directive) = patch.get(DIRECTIVE_MARKER) {
        return match directive.as_str() {
            Some(REPLACE_DIRECTIVE) => {
                patch.shift_remove(DIRECTIVE_MARKER);
                Ok(patch
                    .into_iter()
                    .map(|(key, value)| (key, strip_directive_keys(value)))
                    .filter(|(key, _)| !is_directive_key(key))
                    .collect())
            }
            Some(DELETE_DIRECTIVE) => Ok(Object::new()),
            _ => Err(StrategicMergePatchError::UnknownPatchType {
                directive: directive_text(directive),
                map: object_as_json(&patch),
            }),
        };
    }
    apply_retain_keys(&mut original, &mut patch)?;
    merge_ordered_lists(&mut original, &mut patch, schema)?;
    for (key, patch_value) in patch {
        merge_field(&mut original, key, patch_value, schema)?;
    }
    Ok(original)
}

fn directive_text(directive: &Value) -> String {
    directive
        .as_str()
        .map_or_else(|| as_json(directive), str::to_owned)
}

/// Go's `applyRetainKeysDirective`.
fn apply_retain_keys(original: &mut Object, patch: &mut Object) -> Result<()> {
    let Some(retain_keys) = patch.shift_remove(RETAIN_KEYS_DIRECTIVE) else {
        return Ok(());
    };
    let Value::Array(retained) = retain_keys else {
        return Err(StrategicMergePatchError::BadPatchFormatForRetainKeys);
    };
    let is_retained = |key: &str| retained.iter().any(|kept| kept.as_str() == Some(key));
    let patch_key_not_retained = patch.iter().any(|(key, value)| {
        !value.is_null()
            && !key.starts_with(DELETE_FROM_PRIMITIVE_LIST_PREFIX)
            && !key.starts_with(SET_ELEMENT_ORDER_PREFIX)
            && !is_retained(key)
    });
    if patch_key_not_retained {
        return Err(StrategicMergePatchError::BadPatchFormatForRetainKeys);
    }
    original.retain(|key, _| is_retained(key));
    Ok(())
}

/// Merges one patch entry into `original`.
fn merge_field(
    original: &mut Object,
    key: String,
    patch_value: Value,
    schema: Schema,
) -> Result<()> {
    let (key, is_delete_list) = if key.starts_with(DELETE_FROM_PRIMITIVE_LIST_PREFIX) {
        (extract_key(&key, DELETE_FROM_PRIMITIVE_LIST_PREFIX)?, true)
    } else {
        (key, false)
    };
    if patch_value.is_null() {
        original.shift_remove(&key);
        return Ok(());
    }
    let Some(slot) = original.get_mut(&key) else {
        if !is_delete_list {
            if let Some(value) = new_value(patch_value) {
                original.insert(key, value);
            }
        }
        return Ok(());
    };
    if !same_type(slot, &patch_value) {
        if !is_delete_list {
            match new_value(patch_value) {
                Some(value) => *slot = value,
                None => {
                    original.shift_remove(&key);
                }
            }
        }
        return Ok(());
    }
    let current = std::mem::take(slot);
    let (strategy, field_schema) = lookup(schema, &key);
    *slot = match (current, patch_value) {
        (Value::Object(current), Value::Object(patch)) => {
            Value::Object(merge_map(current, patch, field_schema)?)
        }
        (Value::Array(current), Value::Array(patch)) => Value::Array(merge_list_field(
            current,
            patch,
            field_schema,
            strategy,
            is_delete_list,
        )?),
        // Same scalar type: the patch's value wins (an equal number keeps its live spelling,
        // as `80.0` and `80` are the same once Kubernetes decodes them).
        (current, patch_value) if json_equal(&current, &patch_value) => current,
        (_, patch_value) => patch_value,
    };
    Ok(())
}

/// Go's `mergeSliceHandler`: merge lists merge, other lists are replaced by the patch.
fn merge_list_field(
    original: Vec<Value>,
    patch: Vec<Value>,
    schema: Schema,
    strategy: FieldStrategy,
    is_delete_list: bool,
) -> Result<Vec<Value>> {
    match strategy {
        FieldStrategy::MergeByKey(_) | FieldStrategy::MergePrimitives => merge_list(
            original,
            patch,
            schema,
            merge_key_of(strategy),
            is_delete_list,
        ),
        FieldStrategy::Default if is_delete_list => merge_list(original, patch, schema, None, true),
        FieldStrategy::Default => Ok(patch.into_iter().map(strip_directive_keys).collect()),
    }
}

/// The JSON type shared by every element of some lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ElementKind {
    Object,
    Scalar,
}

/// Go's `sliceElementType`: all elements must have one type, and not be lists.
fn element_kind(lists: &[&[Value]]) -> Result<ElementKind> {
    let mut first: Option<&Value> = None;
    for item in lists.iter().flat_map(|list| list.iter()) {
        match first {
            None => {
                if item.is_array() {
                    return Err(StrategicMergePatchError::NoListOfLists);
                }
                first = Some(item);
            }
            Some(first) if !same_type(first, item) => {
                return Err(StrategicMergePatchError::ElementTypesNotIdentical {
                    lists: lists_as_json(lists),
                });
            }
            Some(_) => {}
        }
    }
    match first {
        None => Err(StrategicMergePatchError::NoElements),
        Some(Value::Object(_)) => Ok(ElementKind::Object),
        Some(_) => Ok(ElementKind::Scalar),
    }
}

/// What identifies a list element for ordering and matching: its merge key's value for
/// objects of a keyed list, the element itself otherwise.
fn identity<'a>(item: &'a Value, merge_key: Option<&str>) -> Option<&'a Value> {
    match merge_key {
        Some(key) => item.get(key),
        None => Some(item),
    }
}

fn require_identity(item: &Value, merge_key: Option<&'static str>) -> Result<Value> {
    match (item, merge_key) {
        (Value::Object(fields), Some(key)) => {
            fields
                .get(key)
                .cloned()
                .ok_or_else(|| StrategicMergePatchError::NoMergeKey {
                    map: object_as_json(fields),
                    key,
                })
        }
        (_, Some(_)) => Err(StrategicMergePatchError::BadArgType {
            expected: "map[string]interface {}",
            actual: go_type_name(item),
        }),
        (_, None) => Ok(item.clone()),
    }
}

fn identities(items: &[Value], merge_key: Option<&'static str>) -> Result<Vec<Value>> {
    items
        .iter()
        .map(|item| require_identity(item, merge_key))
        .collect()
}

fn position(order: &[Value], identity: &Value) -> Option<usize> {
    order
        .iter()
        .position(|candidate| json_equal(candidate, identity))
}

/// Go's `mergeSlice`.
fn merge_list(
    original: Vec<Value>,
    patch: Vec<Value>,
    schema: Schema,
    merge_key: Option<&'static str>,
    is_delete_list: bool,
) -> Result<Vec<Value>> {
    if original.is_empty() && patch.is_empty() {
        return Ok(original);
    }
    let kind = element_kind(&[&original, &patch])?;
    let (server_list, patch_order, merged, order_key) = match kind {
        ElementKind::Scalar => {
            if is_delete_list {
                return Ok(original
                    .into_iter()
                    .filter(|item| position(&patch, item).is_none())
                    .collect());
            }
            let mut merged: Vec<Value> = Vec::with_capacity(original.len() + patch.len());
            for item in original.iter().chain(patch.iter()) {
                if position(&merged, item).is_none() {
                    merged.push(item.clone());
                }
            }
            (original, patch, merged, None)
        }
        ElementKind::Object => {
            let Some(key) = merge_key else {
                return Err(StrategicMergePatchError::NoMergeKeyForList {
                    schema: schema.map_or("struct", |schema| schema.name),
                });
            };
            let (original, patch) = apply_list_directives(original, patch, key)?;
            let patch_order = identities(&patch, Some(key))?;
            let merged = merge_keyed_elements(original.clone(), patch, key, schema)?;
            (original, patch_order, merged, Some(key))
        }
    };
    let server_order = identities(&server_list, order_key)?;
    let (patch_items, server_only) = partition(merged, &patch_order, order_key)?;
    Ok(normalize_element_order(
        patch_items,
        server_only,
        &patch_order,
        &server_order,
        order_key,
    ))
}

/// Go's `mergeSliceWithSpecialElements`: applies `$patch: delete` / `replace` elements and
/// returns the (new) live list and the patch without them.
fn apply_list_directives(
    mut original: Vec<Value>,
    patch: Vec<Value>,
    merge_key: &'static str,
) -> Result<(Vec<Value>, Vec<Value>)> {
    let mut plain_patch = Vec::with_capacity(patch.len());
    let mut replace = false;
    for item in patch {
        let Some(directive) = item.get(DIRECTIVE_MARKER) else {
            plain_patch.push(item);
            continue;
        };
        match directive.as_str() {
            Some(DELETE_DIRECTIVE) => {
                let doomed = require_identity(&item, Some(merge_key))?;
                original.retain(|candidate| {
                    !candidate
                        .get(merge_key)
                        .is_some_and(|value| json_equal(value, &doomed))
                });
            }
            Some(REPLACE_DIRECTIVE) => replace = true,
            Some(MERGE_DIRECTIVE) => {
                return Err(StrategicMergePatchError::MergingListsNotSupported);
            }
            _ => {
                return Err(StrategicMergePatchError::UnknownPatchType {
                    directive: directive_text(directive),
                    map: as_json(&item),
                });
            }
        }
    }
    if replace {
        let replacement = plain_patch.into_iter().map(strip_directive_keys).collect();
        return Ok((replacement, Vec::new()));
    }
    Ok((original, plain_patch))
}

/// Go's `mergeSliceWithoutSpecialElements`: patch elements merge into the live element with
/// the same merge key, or are appended.
fn merge_keyed_elements(
    mut original: Vec<Value>,
    patch: Vec<Value>,
    merge_key: &'static str,
    schema: Schema,
) -> Result<Vec<Value>> {
    for item in patch {
        let identity = require_identity(&item, Some(merge_key))?;
        let found = original.iter().position(|candidate| {
            candidate
                .get(merge_key)
                .is_some_and(|value| json_equal(value, &identity))
        });
        match (found.and_then(|index| original.get_mut(index)), item) {
            (Some(slot), Value::Object(patch_fields)) => {
                let current = match std::mem::take(slot) {
                    Value::Object(fields) => fields,
                    _ => Object::new(),
                };
                *slot = Value::Object(merge_map(current, patch_fields, schema)?);
            }
            (_, item) => original.push(strip_directive_keys(item)),
        }
    }
    Ok(original)
}

/// Splits `merged` into the elements the patch (or order list) names and the others.
fn partition(
    merged: Vec<Value>,
    order: &[Value],
    merge_key: Option<&'static str>,
) -> Result<(Vec<Value>, Vec<Value>)> {
    let mut named = Vec::new();
    let mut others = Vec::new();
    for item in merged {
        let identity = require_identity(&item, merge_key)?;
        if position(order, &identity).is_some() {
            named.push(item);
        } else {
            others.push(item);
        }
    }
    Ok((named, others))
}

/// Go's `normalizeElementOrder`: the patch's elements in the patch's order, the live object's
/// other elements in their live order, interleaved by `merge_sorted`.
fn normalize_element_order(
    mut patch_items: Vec<Value>,
    mut server_only: Vec<Value>,
    patch_order: &[Value],
    server_order: &[Value],
    merge_key: Option<&str>,
) -> Vec<Value> {
    let rank = |order: &[Value], item: &Value| {
        identity(item, merge_key)
            .and_then(|identity| position(order, identity))
            .unwrap_or(usize::MAX)
    };
    patch_items.sort_by_key(|item| rank(patch_order, item));
    server_only.sort_by_key(|item| rank(server_order, item));
    merge_sorted(server_only, patch_items, server_order, merge_key)
}

/// Go's `mergeSortedSlice`: walks both lists, taking the live-only element first only when
/// both are in the live list and it came earlier there.
fn merge_sorted(
    left: Vec<Value>,
    right: Vec<Value>,
    server_order: &[Value],
    merge_key: Option<&str>,
) -> Vec<Value> {
    let live_position = |item: &Value| {
        identity(item, merge_key).and_then(|identity| position(server_order, identity))
    };
    let mut result = Vec::with_capacity(left.len() + right.len());
    let mut left = left.into_iter().peekable();
    let mut right = right.into_iter().peekable();
    loop {
        let take_left = match (left.peek(), right.peek()) {
            (None, None) => break,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(l), Some(r)) => match (live_position(l), live_position(r)) {
                (Some(l), Some(r)) => l < r,
                _ => false,
            },
        };
        let next = if take_left { left.next() } else { right.next() };
        result.extend(next);
    }
    result
}

/// Go's `mergePatchIntoOriginal`: handles every `$setElementOrder/<field>` of `patch`
/// together with `<field>`, and removes both from `patch`.
fn merge_ordered_lists(original: &mut Object, patch: &mut Object, schema: Schema) -> Result<()> {
    let order_keys: Vec<String> = patch
        .keys()
        .filter(|key| key.starts_with(SET_ELEMENT_ORDER_PREFIX))
        .cloned()
        .collect();
    for order_key in order_keys {
        let Some(order_value) = patch.shift_remove(&order_key) else {
            continue;
        };
        let Value::Array(order_list) = order_value else {
            return Err(StrategicMergePatchError::BadArgType {
                expected: "[]interface {}",
                actual: go_type_name(&order_value),
            });
        };
        let field = extract_key(&order_key, SET_ELEMENT_ORDER_PREFIX)?;
        let original_list = take_list(original.get(&field))?;
        let patch_list = take_list(patch.get(&field))?;
        let (strategy, field_schema) = lookup(schema, &field);
        let merge_key = merge_key_of(strategy);
        validate_order(patch_list.as_deref().unwrap_or(&[]), &order_list, merge_key)?;
        let server_list = original_list.clone().unwrap_or_default();
        let kind = element_kind(&[&server_list, patch_list.as_deref().unwrap_or(&[])]);
        let merged = match (original_list, patch_list) {
            (Some(original_list), None) => original_list,
            (None, Some(patch_list)) => match remove_directives(Value::Array(patch_list)) {
                Some(Value::Array(items)) => items.into_iter().map(strip_directive_keys).collect(),
                _ => continue,
            },
            (Some(original_list), Some(patch_list)) => {
                merge_list_field(original_list, patch_list, field_schema, strategy, false)?
            }
            (None, None) => continue,
        };
        let kind = kind?;
        // Primitives and unkeyed objects are matched whole; keyed objects by their key.
        let order_key_name = match kind {
            ElementKind::Object => merge_key,
            ElementKind::Scalar => None,
        };
        let order = identities(&order_list, order_key_name)?;
        let server_order: Vec<Value> = server_list
            .iter()
            .filter_map(|item| identity(item, order_key_name).cloned())
            .collect();
        let (named, others) = partition(merged, &order, order_key_name)?;
        let ordered = normalize_element_order(named, others, &order, &server_order, order_key_name);
        original.insert(field.clone(), Value::Array(ordered));
        patch.shift_remove(&field);
    }
    Ok(())
}

fn take_list(value: Option<&Value>) -> Result<Option<Vec<Value>>> {
    match value {
        None => Ok(None),
        Some(Value::Array(items)) => Ok(Some(items.clone())),
        Some(other) => Err(StrategicMergePatchError::BadArgType {
            expected: "[]interface {}",
            actual: go_type_name(other),
        }),
    }
}

/// Go's `validatePatchWithSetOrderList`: the patch list's (non-deleting) elements must appear
/// in the `$setElementOrder` list, in the same relative order.
fn validate_order(
    patch_list: &[Value],
    order_list: &[Value],
    merge_key: Option<&'static str>,
) -> Result<()> {
    if patch_list.is_empty() || order_list.is_empty() {
        return Ok(());
    }
    let mut kept = Vec::with_capacity(patch_list.len());
    for item in patch_list {
        if merge_key.is_some() && !item.is_object() {
            return Err(StrategicMergePatchError::BadArgType {
                expected: "map[string]interface {}",
                actual: go_type_name(item),
            });
        }
        let deletes = item
            .get(DIRECTIVE_MARKER)
            .is_some_and(|directive| directive.as_str() == Some(DELETE_DIRECTIVE));
        if !(merge_key.is_some() && deletes) {
            kept.push(item);
        }
    }
    let mut patch_index = 0;
    let mut order_index = 0;
    while let (Some(item), Some(ordered)) = (kept.get(patch_index), order_list.get(order_index)) {
        if item.get(DIRECTIVE_MARKER).is_some() {
            patch_index += 1;
            continue;
        }
        let equal = match merge_key {
            None => json_equal(item, ordered),
            Some(_) => json_equal(
                &require_identity(item, merge_key)?,
                &require_identity(ordered, merge_key)?,
            ),
        };
        if equal {
            patch_index += 1;
        }
        order_index += 1;
    }
    if patch_index < kept.len() && order_index >= order_list.len() {
        return Err(StrategicMergePatchError::SetElementOrderMismatch {
            patch_list: as_json(&Value::Array(patch_list.to_vec())),
            order_list: as_json(&Value::Array(order_list.to_vec())),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn patched(target: Value, patch: Value, kind: &str) -> Value {
        match apply_strategic_merge_patch(&target, &patch, kind) {
            Ok(result) => result,
            Err(error) => panic!("patch {patch} failed: {error}"),
        }
    }

    fn failure(target: Value, patch: Value, kind: &str) -> PatchError {
        match apply_strategic_merge_patch(&target, &patch, kind) {
            Ok(result) => panic!("patch {patch} unexpectedly gave {result}"),
            Err(error) => error,
        }
    }

    /// The Deployment of the "Update API Objects in Place Using kubectl patch" task.
    fn patch_demo_deployment() -> Value {
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "patch-demo"},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": {"app": "nginx"}},
                "template": {
                    "metadata": {"labels": {"app": "nginx"}},
                    "spec": {
                        "containers": [{"name": "patch-demo-ctr", "image": "nginx"}],
                        "tolerations": [
                            {"effect": "NoSchedule", "key": "dedicated", "value": "test-team"}
                        ]
                    }
                }
            }
        })
    }

    fn pod_with_containers(names: &[&str]) -> Value {
        let containers: Vec<Value> = names
            .iter()
            .map(|name| json!({"name": name, "image": "busybox"}))
            .collect();
        json!({"kind": "Pod", "spec": {"containers": containers}})
    }

    fn container_names(pod: &Value) -> Vec<&str> {
        pod["spec"]["containers"]
            .as_array()
            .map(|containers| {
                containers
                    .iter()
                    .filter_map(|container| container["name"].as_str())
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn docs_patch_file_adds_a_container_merged_by_name_in_front() {
        let patch = json!({"spec":{"template":{"spec":{"containers":[
            {"name":"patch-demo-ctr-2","image":"redis"}
        ]}}}});
        let result = patched(patch_demo_deployment(), patch, "Deployment");
        assert_eq!(
            result["spec"]["template"]["spec"]["containers"],
            json!([
                {"name":"patch-demo-ctr-2","image":"redis"},
                {"name":"patch-demo-ctr","image":"nginx"}
            ])
        );
    }

    #[test]
    fn docs_patch_file_replaces_the_tolerations_list() {
        let patch = json!({"spec":{"template":{"spec":{"tolerations":[
            {"effect":"NoSchedule","key":"disktype","value":"ssd"}
        ]}}}});
        let result = patched(patch_demo_deployment(), patch, "Deployment");
        assert_eq!(
            result["spec"]["template"]["spec"]["tolerations"],
            json!([{"effect":"NoSchedule","key":"disktype","value":"ssd"}])
        );
    }

    #[test]
    fn json_merge_patch_of_the_docs_would_replace_the_containers_instead() {
        let patch = json!({"spec":{"template":{"spec":{"containers":[
            {"name":"patch-demo-ctr-3","image":"gcr.io/google-samples/hello-app:2.0"}
        ]}}}});
        let strategic = patched(patch_demo_deployment(), patch.clone(), "Deployment");
        let merge = super::super::apply_merge_patch(&patch_demo_deployment(), &patch);
        assert_eq!(
            strategic["spec"]["template"]["spec"]["containers"]
                .as_array()
                .map(Vec::len),
            Some(2)
        );
        assert_eq!(
            merge["spec"]["template"]["spec"]["containers"]
                .as_array()
                .map(Vec::len),
            Some(1)
        );
    }

    #[test]
    fn list_merges_follow_kubernetes_element_order() {
        // (live containers, patch containers, resulting order)
        let cases: Vec<(&[&str], Value, &[&str])> = vec![
            (
                &["a", "b", "c"],
                json!([{"name":"b","image":"nginx"}]),
                &["a", "b", "c"],
            ),
            (
                &["a", "b"],
                json!([{"name":"b","image":"nginx"},{"name":"c"}]),
                &["a", "b", "c"],
            ),
            (&["a", "b"], json!([{"name":"c"}]), &["c", "a", "b"]),
            (
                &["a", "b", "c"],
                // The patch's order wins for its elements; `b` keeps its place before `c`.
                json!([{"name":"c"},{"name":"a"}]),
                &["b", "c", "a"],
            ),
        ];
        for (live, patch_containers, expected) in cases {
            let patch = json!({"spec":{"containers": patch_containers}});
            let result = patched(pod_with_containers(live), patch, "Pod");
            assert_eq!(container_names(&result), expected, "live {live:?}");
        }
    }

    #[test]
    fn merge_by_key_merges_fields_of_the_matching_element_only() {
        let patch = json!({"spec":{"containers":[{"name":"b","image":"nginx:1.27"}]}});
        let result = patched(pod_with_containers(&["a", "b"]), patch, "Pod");
        assert_eq!(
            result["spec"]["containers"],
            json!([{"name":"a","image":"busybox"},{"name":"b","image":"nginx:1.27"}])
        );
    }

    #[test]
    fn patch_delete_element_removes_the_element_with_that_key() {
        let patch = json!({"spec":{"containers":[{"name":"a","$patch":"delete"}]}});
        let result = patched(pod_with_containers(&["a", "b"]), patch, "Pod");
        assert_eq!(container_names(&result), ["b"]);
    }

    #[test]
    fn patch_replace_element_replaces_the_whole_list() {
        let patch =
            json!({"spec":{"containers":[{"name":"c","image":"redis"},{"$patch":"replace"}]}});
        let result = patched(pod_with_containers(&["a", "b"]), patch, "Pod");
        assert_eq!(
            result["spec"]["containers"],
            json!([{"name":"c","image":"redis"}])
        );
    }

    #[test]
    fn patch_replace_in_a_map_replaces_the_whole_map() {
        let target = json!({"metadata":{"labels":{"app":"web","tier":"front"}}});
        let patch = json!({"metadata":{"labels":{"$patch":"replace","app":"api"}}});
        let result = patched(target, patch, "Pod");
        assert_eq!(result, json!({"metadata":{"labels":{"app":"api"}}}));
    }

    #[test]
    fn patch_delete_in_a_map_empties_the_map() {
        let target =
            json!({"spec":{"securityContext":{"runAsUser":1000},"restartPolicy":"Always"}});
        let patch = json!({"spec":{"securityContext":{"$patch":"delete"}}});
        let result = patched(target, patch, "Pod");
        assert_eq!(
            result,
            json!({"spec":{"securityContext":{},"restartPolicy":"Always"}})
        );
    }

    #[test]
    fn explicit_patch_merge_is_rejected_as_kubernetes_does() {
        let in_list = json!({"spec":{"containers":[{"$patch":"merge"}]}});
        assert_eq!(
            failure(pod_with_containers(&["a"]), in_list, "Pod").to_string(),
            "merging lists cannot yet be specified in the patch"
        );
        let in_map = json!({"metadata":{"labels":{"$patch":"merge"}}});
        assert_eq!(
            failure(json!({"metadata":{"labels":{}}}), in_map, "Pod").to_string(),
            r#"unknown patch type: merge in map: {"$patch":"merge"}"#
        );
    }

    #[test]
    fn delete_from_primitive_list_removes_finalizers() {
        let target = json!({"metadata":{"finalizers":["a","b","c"]}});
        let patch = json!({"metadata":{"$deleteFromPrimitiveList/finalizers":["b"]}});
        let result = patched(target, patch, "ConfigMap");
        assert_eq!(result, json!({"metadata":{"finalizers":["a","c"]}}));
    }

    #[test]
    fn finalizers_merge_as_a_set_with_new_ones_in_front() {
        let target = json!({"metadata":{"finalizers":["a","b"]}});
        let patch = json!({"metadata":{"finalizers":["c","a"]}});
        let result = patched(target, patch, "Namespace");
        assert_eq!(result, json!({"metadata":{"finalizers":["c","a","b"]}}));
    }

    #[test]
    fn null_deletes_a_field() {
        let target = json!({"metadata":{"labels":{"app":"web","tier":"front"}}});
        let patch = json!({"metadata":{"labels":{"tier":null}}});
        let result = patched(target, patch, "Pod");
        assert_eq!(result, json!({"metadata":{"labels":{"app":"web"}}}));
    }

    #[test]
    fn set_element_order_reorders_the_merged_list() {
        let patch = json!({"spec":{
            "$setElementOrder/containers":[{"name":"b"},{"name":"a"}],
            "containers":[{"name":"a","image":"nginx"}]
        }});
        let result = patched(pod_with_containers(&["a", "b"]), patch, "Pod");
        assert_eq!(
            result["spec"]["containers"],
            json!([{"name":"b","image":"busybox"},{"name":"a","image":"nginx"}])
        );
    }

    #[test]
    fn set_element_order_that_contradicts_the_patch_is_rejected() {
        let patch = json!({"spec":{
            "$setElementOrder/containers":[{"name":"b"}],
            "containers":[{"name":"a"}]
        }});
        assert!(matches!(
            failure(pod_with_containers(&["a", "b"]), patch, "Pod"),
            PatchError::StrategicMergePatch(
                StrategicMergePatchError::SetElementOrderMismatch { .. }
            )
        ));
    }

    #[test]
    fn retain_keys_clears_the_other_fields_of_a_volume() {
        let target = json!({"spec":{"volumes":[{"name":"data","hostPath":{"path":"/srv"}}]}});
        let patch = json!({"spec":{"volumes":[
            {"name":"data","emptyDir":{},"$retainKeys":["emptyDir","name"]}
        ]}});
        let result = patched(target, patch, "Pod");
        assert_eq!(
            result,
            json!({"spec":{"volumes":[{"name":"data","emptyDir":{}}]}})
        );
    }

    #[test]
    fn retain_keys_must_list_every_key_of_the_patch() {
        let target = json!({"spec":{"strategy":{"type":"Recreate"}}});
        let patch =
            json!({"spec":{"strategy":{"type":"RollingUpdate","$retainKeys":["rollingUpdate"]}}});
        assert_eq!(
            failure(target, patch, "Deployment"),
            PatchError::StrategicMergePatch(StrategicMergePatchError::BadPatchFormatForRetainKeys)
        );
    }

    #[test]
    fn nested_merge_lists_merge_env_by_name_and_ports_by_number() {
        let target = json!({"spec":{"containers":[{
            "name":"web",
            "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],
            "ports":[{"containerPort":80,"name":"http"}]
        }]}});
        let patch = json!({"spec":{"containers":[{
            "name":"web",
            "env":[{"name":"B","value":"3"}],
            "ports":[{"containerPort":80.0,"protocol":"TCP"}]
        }]}});
        let result = patched(target, patch, "Pod");
        assert_eq!(
            result["spec"]["containers"][0]["env"],
            json!([{"name":"A","value":"1"},{"name":"B","value":"3"}])
        );
        assert_eq!(
            result["spec"]["containers"][0]["ports"],
            json!([{"containerPort":80,"name":"http","protocol":"TCP"}])
        );
    }

    #[test]
    fn service_ports_merge_by_port_and_node_addresses_by_type() {
        let service = json!({"spec":{"ports":[{"port":80,"targetPort":8080}]}});
        let patch = json!({"spec":{"ports":[{"port":443,"targetPort":8443}]}});
        let result = patched(service, patch, "Service");
        assert_eq!(result["spec"]["ports"].as_array().map(Vec::len), Some(2));
        let node = json!({"status":{"addresses":[{"type":"InternalIP","address":"10.0.0.1"}]}});
        let patch = json!({"status":{"addresses":[{"type":"InternalIP","address":"10.0.0.2"}]}});
        let result = patched(node, patch, "Node");
        assert_eq!(
            result["status"]["addresses"],
            json!([{"type":"InternalIP","address":"10.0.0.2"}])
        );
    }

    #[test]
    fn node_taints_are_replaced() {
        let node = json!({"spec":{"taints":[{"key":"a","effect":"NoSchedule"}]}});
        let patch = json!({"spec":{"taints":[{"key":"b","effect":"NoExecute"}]}});
        let result = patched(node, patch, "Node");
        assert_eq!(
            result["spec"]["taints"],
            json!([{"key":"b","effect":"NoExecute"}])
        );
    }

    #[test]
    fn unknown_kind_merges_maps_and_replaces_lists() {
        let target = json!({"spec":{"size":1,"items":[{"name":"a"}]}});
        let patch = json!({"spec":{"color":"red","items":[{"name":"b"}]}});
        let result = patched(target, patch, "CronTab");
        assert_eq!(
            result,
            json!({"spec":{"size":1,"items":[{"name":"b"}],"color":"red"}})
        );
    }

    #[test]
    fn merge_list_element_without_its_merge_key_is_rejected() {
        let patch = json!({"spec":{"containers":[{"image":"nginx"}]}});
        assert_eq!(
            failure(pod_with_containers(&["a"]), patch, "Pod").to_string(),
            r#"map: {"image":"nginx"} does not contain declared merge key: name"#
        );
    }

    #[test]
    fn new_fields_lose_nulls_and_directive_keys() {
        let target = json!({"metadata":{"name":"p"}});
        let patch = json!({"spec":{"nodeName":null,"containers":[{"name":"a","$patch":"delete"},{"name":"b"}]}});
        let result = patched(target, patch, "Pod");
        assert_eq!(
            result,
            json!({"metadata":{"name":"p"},"spec":{"containers":[{"name":"b"}]}})
        );
    }

    #[test]
    fn non_object_documents_are_invalid() {
        assert_eq!(
            failure(json!([]), json!({}), "Pod").to_string(),
            "invalid JSON document"
        );
        assert_eq!(
            failure(json!({}), json!("x"), "Pod").to_string(),
            "invalid JSON document"
        );
    }

    #[test]
    fn the_inputs_are_left_unchanged() {
        let target = pod_with_containers(&["a"]);
        let patch = json!({"spec":{"containers":[{"name":"a","$patch":"delete"}]}});
        let _ = patched(target.clone(), patch.clone(), "Pod");
        assert_eq!(target, pod_with_containers(&["a"]));
        assert_eq!(
            patch,
            json!({"spec":{"containers":[{"name":"a","$patch":"delete"}]}})
        );
    }

    mod no_panics {
        use super::*;
        use proptest::prelude::*;

        fn key() -> impl Strategy<Value = String> {
            prop::sample::select(vec![
                "$patch",
                "$retainKeys",
                "$setElementOrder/containers",
                "$setElementOrder/finalizers",
                "$deleteFromPrimitiveList/finalizers",
                "$deleteFromPrimitiveList",
                "$setElementOrder",
                "metadata",
                "spec",
                "containers",
                "finalizers",
                "ports",
                "containerPort",
                "name",
                "image",
                "replace",
            ])
            .prop_map(str::to_owned)
        }

        fn json_value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                (-3i64..3).prop_map(|n| json!(n)),
                Just(json!(1.0)),
                prop::sample::select(vec!["replace", "delete", "merge", "name", "a"])
                    .prop_map(|s| json!(s)),
            ];
            leaf.prop_recursive(5, 64, 6, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                    prop::collection::vec((key(), inner), 0..5)
                        .prop_map(|fields| Value::Object(fields.into_iter().collect())),
                ]
            })
        }

        fn kind() -> impl Strategy<Value = &'static str> {
            prop::sample::select(vec!["Pod", "Deployment", "Node", "ConfigMap", "CronTab"])
        }

        proptest! {
            #[test]
            fn no_patch_panics(target in json_value(), patch in json_value(), kind in kind()) {
                let wrapped_target = json!({"metadata": target.clone(), "spec": target.clone()});
                let wrapped_patch = json!({"metadata": patch.clone(), "spec": patch.clone()});
                let _ = apply_strategic_merge_patch(&target, &patch, kind);
                let outcome = apply_strategic_merge_patch(&wrapped_target, &wrapped_patch, kind);
                prop_assert!(outcome.is_ok() || outcome.is_err());
                let _ = super::super::super::apply_json_patch(&target, &patch);
                let _ = super::super::super::apply_merge_patch(&target, &patch);
            }
        }
    }
}
