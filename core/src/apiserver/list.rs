//! Get and list: reads straight from the store at a revision, filtered by label and field
//! selectors, paged with `limit` and `continue` tokens as the real API server pages them
//! (a token pins the revision of the first page, so pages are one consistent snapshot).

use std::sync::Arc;

use base64::Engine;
use serde_json::{json, Value};

use crate::api::fields::FieldSelector;
use crate::api::labels::Selector;
use crate::api::objects::{Kind, Object};
use crate::store::{KeyRange, KvStore, RangeRequest, Revision, StoreError};

use super::error::ApiError;
use super::options::{ListOptions, ResourceVersionMatch};
use super::registry::{self, SelectableFields};
use super::ApiServer;

/// One page of a list.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectList {
    /// The kind listed.
    pub kind: Kind,
    /// The objects, in key order (namespace, then name).
    pub items: Vec<Arc<Object>>,
    /// The revision the list was read at (`metadata.resourceVersion`).
    pub resource_version: Revision,
    /// The token for the next page, when there is one.
    pub continue_token: Option<String>,
    /// How many objects follow this page, when known (only for unfiltered lists).
    pub remaining_item_count: Option<i64>,
}

impl ObjectList {
    /// The list as Kubernetes JSON (`PodList` with `metadata` and `items`).
    pub fn to_value(&self) -> Value {
        let mut metadata = serde_json::Map::new();
        metadata.insert(
            "resourceVersion".to_string(),
            Value::String(self.resource_version.to_string()),
        );
        if let Some(token) = &self.continue_token {
            metadata.insert("continue".to_string(), Value::String(token.clone()));
        }
        if let Some(remaining) = self.remaining_item_count {
            metadata.insert("remainingItemCount".to_string(), Value::from(remaining));
        }
        json!({
            "apiVersion": self.kind.api_version(),
            "kind": format!("{}List", self.kind.kind_name()),
            "metadata": Value::Object(metadata),
            "items": self.items.iter().map(|o| o.to_value()).collect::<Vec<_>>(),
        })
    }
}

/// The message of the 410 answer to a continue token whose revision was compacted.
const CONTINUE_EXPIRED: &str = "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

/// Encodes a continue token: the revision and the key (relative to the listed prefix) to
/// start after, in the same shape Kubernetes uses.
fn encode_continue(revision: Revision, start_after: &str) -> String {
    let token =
        json!({"v": "meta.k8s.io/v1", "rv": revision, "start": format!("{start_after}\u{0}")});
    base64::engine::general_purpose::STANDARD.encode(token.to_string())
}

fn decode_continue(token: &str) -> Result<(Revision, String), ApiError> {
    let invalid = |why: &str| ApiError::BadRequest(format!("continue key is not valid: {why}"));
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(token)
        .map_err(|_| invalid("illegal base64 data"))?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| invalid("invalid JSON"))?;
    if value.get("v").and_then(Value::as_str) != Some("meta.k8s.io/v1") {
        return Err(invalid(
            "incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
        ));
    }
    let revision = value
        .get("rv")
        .and_then(Value::as_u64)
        .filter(|rv| *rv > 0)
        .ok_or_else(|| {
            invalid("incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
        })?;
    let start = value
        .get("start")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty() && !s.contains("..") && !s.starts_with('/'))
        .ok_or_else(|| invalid("encoded from and to paths do not match"))?;
    Ok((revision, start.to_string()))
}

/// The smallest key above every key that starts with `prefix`.
fn prefix_end(prefix: &str) -> String {
    let mut end = prefix.as_bytes().to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return String::from_utf8_lossy(&end).into_owned();
        }
    }
    String::new()
}

pub(crate) fn store_read_error(error: StoreError) -> ApiError {
    match error {
        StoreError::Compacted {
            requested,
            compact_revision,
        } => ApiError::Expired(format!(
            "too old resource version: {requested} ({compact_revision})"
        )),
        StoreError::FutureRevision {
            requested,
            current_revision,
        } => ApiError::BadRequest(format!(
            "Too large resource version: {requested}, current: {current_revision}"
        )),
        other => ApiError::Internal(other.to_string()),
    }
}

/// Parses the label and field selectors of a request for `kind` (400 on any error).
pub(crate) fn parse_selectors(
    kind: Kind,
    label_selector: Option<&str>,
    field_selector: Option<&str>,
) -> Result<(Selector, FieldSelector), ApiError> {
    let labels = match label_selector {
        Some(text) => Selector::parse(text).map_err(|e| ApiError::BadRequest(e.to_string()))?,
        None => Selector::everything(),
    };
    let fields = match field_selector {
        Some(text) => FieldSelector::parse(text)
            .map_err(|e| ApiError::BadRequest(e.to_string()))?
            .convert_for_kind(kind.kind_name())
            .map_err(|e| ApiError::BadRequest(e.to_string()))?,
        None => FieldSelector::everything(),
    };
    Ok((labels, fields))
}

/// Whether an object passes both selectors.
pub(crate) fn selected(object: &Object, labels: &Selector, fields: &FieldSelector) -> bool {
    labels.matches(object.labels())
        && (fields.is_empty() || fields.matches(&SelectableFields(object)))
}

impl<S: KvStore<Object>> ApiServer<S> {
    /// Reads one object.
    pub fn get(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
    ) -> Result<Arc<Object>, ApiError> {
        let namespace = if kind.namespaced() { namespace } else { "" };
        let result = self.get_current(kind, namespace, name).map(|kv| kv.value);
        self.traced("get", kind.plural().to_string(), namespace, name, result)
    }

    /// Lists a kind in one namespace, or in all when `namespace` is None.
    pub fn list(
        &mut self,
        kind: Kind,
        namespace: Option<&str>,
        options: &ListOptions,
    ) -> Result<ObjectList, ApiError> {
        let result = self.list_inner(kind, namespace, options);
        let ns = namespace.unwrap_or("").to_string();
        self.traced("list", kind.plural().to_string(), &ns, "", result)
    }

    fn list_inner(
        &self,
        kind: Kind,
        namespace: Option<&str>,
        options: &ListOptions,
    ) -> Result<ObjectList, ApiError> {
        let (labels, fields) = parse_selectors(
            kind,
            options.label_selector.as_deref(),
            options.field_selector.as_deref(),
        )?;
        let prefix = registry::list_prefix(kind, namespace);
        let end = prefix_end(&prefix);
        let (revision, start) = match options.continue_token.as_deref() {
            Some(token) if !token.is_empty() => {
                let (revision, start_after) = decode_continue(token)?;
                if revision < self.store.compact_revision() {
                    return Err(ApiError::Expired(CONTINUE_EXPIRED.to_string()));
                }
                (revision, format!("{prefix}{start_after}"))
            }
            _ => {
                let revision = match (
                    options.resource_version.as_deref(),
                    options.resource_version_match,
                ) {
                    (Some(rv), Some(ResourceVersionMatch::Exact)) => {
                        rv.parse::<Revision>().map_err(|_| {
                            ApiError::BadRequest(format!("invalid resource version \"{rv}\""))
                        })?
                    }
                    // Unset, "0" and NotOlderThan are all served from the latest state.
                    _ => 0,
                };
                (revision, prefix.clone())
            }
        };
        let response = self
            .store
            .range(&RangeRequest::new(KeyRange::range(start, end)).with_revision(revision))
            .map_err(store_read_error)?;
        // etcd answers with its current revision; a pinned read happened at `revision`.
        let read_revision = if revision == 0 {
            response.revision
        } else {
            revision
        };
        let limit = options.limit.filter(|l| *l > 0);
        let unfiltered = labels.is_empty() && fields.is_empty();
        let mut items = Vec::new();
        let mut continue_token = None;
        let mut remaining_item_count = None;
        for (index, kv) in response.kvs.iter().enumerate() {
            if limit.is_some_and(|l| items.len() == l) {
                // More keys follow the full page: hand out a token to resume after the last.
                if let Some(last) = items.last().map(|o: &Arc<Object>| o.as_ref()) {
                    let last_key = registry::object_key(kind, last.namespace(), last.name());
                    let relative = last_key.strip_prefix(&prefix).unwrap_or(&last_key);
                    continue_token = Some(encode_continue(read_revision, relative));
                    if unfiltered {
                        remaining_item_count = i64::try_from(response.kvs.len() - index).ok();
                    }
                }
                break;
            }
            if selected(&kv.value, &labels, &fields) {
                items.push(Arc::clone(&kv.value));
            }
        }
        Ok(ObjectList {
            kind,
            items,
            resource_version: read_revision,
            continue_token,
            remaining_item_count,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continue_tokens_round_trip_and_reject_garbage() {
        let token = encode_continue(42, "default/web-2");
        assert_eq!(
            decode_continue(&token).unwrap(),
            (42, "default/web-2\u{0}".to_string())
        );
        assert!(matches!(
            decode_continue("%%%"),
            Err(ApiError::BadRequest(_))
        ));
        let bad =
            base64::engine::general_purpose::STANDARD.encode(r#"{"v":"x","rv":1,"start":"a"}"#);
        assert!(matches!(
            decode_continue(&bad),
            Err(ApiError::BadRequest(_))
        ));
    }

    #[test]
    fn prefix_end_is_the_next_key_after_the_prefix() {
        assert_eq!(prefix_end("/registry/pods/"), "/registry/pods0");
        assert_eq!(prefix_end("a"), "b");
    }
}
