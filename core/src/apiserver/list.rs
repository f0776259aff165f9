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
pub(crate) fn prefix_end(prefix: &str) -> String {
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
        let Some(limit) = options.limit.filter(|l| *l > 0) else {
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
            let items = response
                .kvs
                .iter()
                .filter(|kv| selected(&kv.value, &labels, &fields))
                .map(|kv| Arc::clone(&kv.value))
                .collect();
            return Ok(ObjectList {
                kind,
                items,
                resource_version: read_revision,
                continue_token: None,
                remaining_item_count: None,
            });
        };
        let page = self.read_page(&start, &end, revision, limit, &labels, &fields)?;
        let continue_token = page.resume_after.as_deref().map(|last_key| {
            let relative = last_key.strip_prefix(&prefix).unwrap_or(last_key);
            encode_continue(page.revision, relative)
        });
        // kube-apiserver also reports `remainingItemCount` for unselective pages, from etcd's
        // count of every key after the page. Counting them is exactly the O(keys) walk a page
        // must not cost, and Kubernetes documents the field as optional ("clients should not
        // rely on the remainingItemCount to be set"), so kubeplay leaves it unset.
        Ok(ObjectList {
            kind,
            items: page.items,
            resource_version: page.revision,
            continue_token,
            remaining_item_count: None,
        })
    }

    /// Reads one page: ranges the store from `start` at `revision` in chunks of `limit + 1`
    /// keys until `limit` objects passed the selectors or the range ends, so a page costs
    /// O(limit) for an unselective list (and O(keys scanned) for a selective one), never a
    /// read of the whole collection.
    fn read_page(
        &self,
        start: &str,
        end: &str,
        revision: Revision,
        limit: usize,
        labels: &Selector,
        fields: &FieldSelector,
    ) -> Result<Page, ApiError> {
        let chunk = limit.saturating_add(1);
        let mut from = start.to_string();
        let mut pinned = revision;
        let mut items: Vec<Arc<Object>> = Vec::with_capacity(limit);
        let mut last_item_key: Option<Arc<str>> = None;
        loop {
            let response = self
                .store
                .range(
                    &RangeRequest::new(KeyRange::range(from.as_str(), end))
                        .with_revision(pinned)
                        .with_limit(chunk)
                        .stopping_at_limit(),
                )
                .map_err(store_read_error)?;
            // etcd answers with its current revision; later chunks must read the same one.
            if pinned == 0 {
                pinned = response.revision;
            }
            let mut last_scanned = None;
            for kv in &response.kvs {
                if items.len() == limit {
                    // Another key follows a full page: the token resumes after its last item.
                    return Ok(Page {
                        items,
                        revision: pinned,
                        resume_after: last_item_key,
                    });
                }
                if selected(&kv.value, labels, fields) {
                    items.push(Arc::clone(&kv.value));
                    last_item_key = Some(Arc::clone(&kv.key));
                }
                last_scanned = Some(Arc::clone(&kv.key));
            }
            match last_scanned {
                Some(key) if response.more => from = format!("{key}\u{0}"),
                _ => {
                    return Ok(Page {
                        items,
                        revision: pinned,
                        resume_after: None,
                    })
                }
            }
        }
    }
}

/// One page read by [`ApiServer::read_page`].
struct Page {
    /// The selected objects, at most the limit.
    items: Vec<Arc<Object>>,
    /// The revision every chunk was read at.
    revision: Revision,
    /// The key of the page's last object, when more keys follow it.
    resume_after: Option<Arc<str>>,
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

    use crate::sim::clock::SIM_EPOCH;
    use crate::store::MemoryStore;

    fn labelled_config_map(name: &str, tier: &str) -> Object {
        Object::from_value(json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "labels": {"tier": tier}}
        }))
        .expect("a valid ConfigMap")
    }

    /// A server with ten ConfigMaps in `default`, every third one labelled `tier=db`.
    fn server_with_config_maps() -> ApiServer {
        let mut api = ApiServer::new(3, SIM_EPOCH);
        for i in 0..10 {
            let tier = if i % 3 == 0 { "db" } else { "web" };
            api.create("default", labelled_config_map(&format!("cm-{i}"), tier))
                .expect("create");
        }
        api
    }

    /// Every page of a paged list, following continue tokens to the end.
    fn pages(api: &mut ApiServer, limit: usize, selector: Option<&str>) -> Vec<Vec<String>> {
        let mut pages = Vec::new();
        let mut token = None;
        loop {
            let options = ListOptions {
                limit: Some(limit),
                label_selector: selector.map(str::to_string),
                continue_token: token,
                ..ListOptions::default()
            };
            let page = api
                .list(Kind::ConfigMap, Some("default"), &options)
                .expect("a page");
            assert!(page.items.len() <= limit, "a page never exceeds its limit");
            pages.push(page.items.iter().map(|o| o.name().to_string()).collect());
            match page.continue_token {
                Some(next) => token = Some(next),
                None => return pages,
            }
        }
    }

    #[test]
    fn paged_lists_return_the_unpaged_list_in_pages_of_at_most_limit() {
        let cases: [(usize, Option<&str>, &[usize]); 6] = [
            (3, None, &[3, 3, 3, 1]),
            (5, None, &[5, 5]),
            (10, None, &[10]),
            (50, None, &[10]),
            (1, Some("tier=db"), &[1, 1, 1, 1]),
            // A selective page reads chunk after chunk until it is full.
            (2, Some("tier=db"), &[2, 2]),
        ];
        for (limit, selector, sizes) in cases {
            let mut api = server_with_config_maps();
            let whole = api
                .list(
                    Kind::ConfigMap,
                    Some("default"),
                    &ListOptions {
                        label_selector: selector.map(str::to_string),
                        ..ListOptions::default()
                    },
                )
                .expect("the whole list");
            let got = pages(&mut api, limit, selector);
            let page_sizes: Vec<usize> = got.iter().map(Vec::len).collect();
            assert_eq!(page_sizes, sizes, "limit {limit}, selector {selector:?}");
            let joined: Vec<String> = got.into_iter().flatten().collect();
            let expected: Vec<String> = whole.items.iter().map(|o| o.name().to_string()).collect();
            assert_eq!(joined, expected, "limit {limit}, selector {selector:?}");
        }
    }

    #[test]
    fn a_page_reads_at_the_revision_of_its_token_not_the_current_one() {
        let mut api = server_with_config_maps();
        let first = api
            .list(
                Kind::ConfigMap,
                Some("default"),
                &ListOptions {
                    limit: Some(4),
                    ..ListOptions::default()
                },
            )
            .expect("first page");
        api.delete(Kind::ConfigMap, "default", "cm-5", &Default::default())
            .expect("delete cm-5");
        api.create("default", labelled_config_map("cm-55", "web"))
            .expect("create cm-55");
        let second = api
            .list(
                Kind::ConfigMap,
                Some("default"),
                &ListOptions {
                    limit: Some(4),
                    continue_token: first.continue_token,
                    ..ListOptions::default()
                },
            )
            .expect("second page");
        let names: Vec<&str> = second.items.iter().map(|o| o.name()).collect();
        // Keys sort as strings: cm-0, cm-1, cm-2, cm-3 | cm-4, cm-5, cm-6, cm-7 | cm-8, cm-9.
        assert_eq!(names, ["cm-4", "cm-5", "cm-6", "cm-7"]);
        assert_eq!(second.resource_version, first.resource_version);
    }

    #[test]
    fn continue_tokens_from_before_compaction_are_410_with_kubernetes_message() {
        let mut api = server_with_config_maps();
        let first = api
            .list(
                Kind::ConfigMap,
                Some("default"),
                &ListOptions {
                    limit: Some(2),
                    ..ListOptions::default()
                },
            )
            .expect("first page");
        api.create("default", labelled_config_map("later", "web"))
            .expect("create");
        api.compact(api.current_revision()).expect("compact");
        let error = api
            .list(
                Kind::ConfigMap,
                Some("default"),
                &ListOptions {
                    limit: Some(2),
                    continue_token: first.continue_token,
                    ..ListOptions::default()
                },
            )
            .expect_err("the token's revision is compacted");
        assert_eq!(error.code(), 410);
        assert_eq!(error.reason(), "Expired");
        assert_eq!(error.to_string(), CONTINUE_EXPIRED);
    }

    #[test]
    fn a_page_read_stops_one_key_past_its_limit_however_many_keys_follow() {
        let mut store: MemoryStore<u32> = MemoryStore::new();
        for i in 0..1000u32 {
            store
                .put(crate::store::PutRequest::new(
                    format!("/k/{i:04}"),
                    Arc::new(i),
                ))
                .expect("put");
        }
        let page = store
            .range(
                &RangeRequest::new(KeyRange::prefix("/k/"))
                    .with_limit(3)
                    .stopping_at_limit(),
            )
            .expect("range");
        let keys: Vec<&str> = page.kvs.iter().map(|kv| kv.key.as_ref()).collect();
        assert_eq!(keys, ["/k/0000", "/k/0001", "/k/0002"]);
        assert!(page.more);
        // Only the look past the page is counted, not the 997 keys that follow.
        assert_eq!(page.count, 4);
        let counted = store
            .range(&RangeRequest::new(KeyRange::prefix("/k/")).with_limit(3))
            .expect("range");
        assert_eq!(counted.count, 1000);
        assert_eq!(counted.kvs, page.kvs);
    }
}
