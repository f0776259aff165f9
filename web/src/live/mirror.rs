//! The live object mirror: what `kubeplay serve` holds, copied into the page by list + watch,
//! as an informer's cache does it.
//!
//! Data flow: the live driver (`super::client`, wasm32 only) lists a kind (`GET /api/v1/pods`) and hands
//! the body to [`ObjectMirror::apply_list`], which replaces that kind's objects and remembers
//! the list's `resourceVersion`; then it opens a watch from there
//! (`?watch=true&resourceVersion=…&allowWatchBookmarks=true`) and hands each line of the
//! stream to [`ObjectMirror::apply_watch_line`]: ADDED and MODIFIED store the object, DELETED
//! removes it, BOOKMARK only moves the resourceVersion, and an `ERROR` event with a 410 Gone
//! Status says the resourceVersion was compacted away ([`WatchOutcome::Gone`]: list again).
//! A polled kind's list (no watch) is read the same way in slices ([`ListDecode`]), so a big
//! one is not decoded in one task. When a stream ends the driver asks [`next_step_after_status`] what to do: watch again from
//! the last resourceVersion, list again, stop (the token was refused) or wait and retry.
//!
//! Objects are kept as `Arc<Object>` by kind, then namespace and name, so the views read them
//! in the same order the simulation's store gives (its keys are `/registry/pods/NS/NAME`).
//! Nothing here panics on what the server sends: a line that is not an event is an error the
//! driver logs and skips.

use std::collections::BTreeMap;
use std::sync::Arc;

use kubeplay_core::api::objects::{Kind, Object};
use serde_json::value::RawValue;
use serde_json::Value;

/// Why a list body or a watch line could not be applied.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MirrorError {
    /// The text is not JSON.
    #[error("the server's answer is not JSON: {0}")]
    NotJson(String),
    /// A list answer has no `items` array.
    #[error("the list answer for {0} has no items array")]
    NotAList(&'static str),
    /// An object could not be decoded as the kind asked for.
    #[error("a {kind} from the server could not be read: {reason}")]
    BadObject {
        /// The kind that was listed or watched.
        kind: &'static str,
        /// What the decoder said.
        reason: String,
    },
    /// A watch line has a `type` that is none of Kubernetes' event types.
    #[error("unknown watch event type {0:?}")]
    UnknownEventType(String),
    /// The server ended the watch with an `ERROR` event other than 410 Gone.
    #[error("the watch ended with an error: {code} {message}")]
    WatchError {
        /// The Status code.
        code: i64,
        /// The Status message.
        message: String,
    },
}

/// What one watch line did to the mirror.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatchOutcome {
    /// An object was added, changed or removed: the views should re-render.
    Changed,
    /// Only the resourceVersion moved (a BOOKMARK), or the line was empty.
    Unchanged,
    /// The server said 410 Gone: the resourceVersion is too old; list again.
    Gone,
}

/// What the driver does after a list or watch request ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextStep {
    /// Open a new watch from the last resourceVersion (the stream timed out normally).
    Watch,
    /// List again, then watch (410 Gone: the resourceVersion was compacted away).
    Relist,
    /// Stop: the server no longer accepts the token.
    Stop,
    /// Wait a moment, then list again (the server was unreachable or failed).
    RetryLater,
}

/// What to do after a request ended with HTTP `status` (0: the request failed without one).
pub fn next_step_after_status(status: u16) -> NextStep {
    match status {
        200..=299 => NextStep::Watch,
        410 => NextStep::Relist,
        401 | 403 => NextStep::Stop,
        _ => NextStep::RetryLater,
    }
}

/// The objects of one kind and the resourceVersion they are current at.
#[derive(Clone, Debug, Default)]
struct KindMirror {
    objects: BTreeMap<(String, String), Arc<Object>>,
    resource_version: String,
    listed: bool,
}

/// Every mirrored object, by kind, namespace and name.
#[derive(Clone, Debug, Default)]
pub struct ObjectMirror {
    kinds: BTreeMap<Kind, KindMirror>,
}

/// The API path that lists every object of `kind` (all namespaces).
pub fn list_path(kind: Kind) -> String {
    if kind.group().is_empty() {
        format!("/api/{}/{}", kind.version(), kind.plural())
    } else {
        format!(
            "/apis/{}/{}/{}",
            kind.group(),
            kind.version(),
            kind.plural()
        )
    }
}

/// The API path of one object of `kind` (`namespace` is ignored for cluster-scoped kinds).
pub fn object_path(kind: Kind, namespace: &str, name: &str) -> String {
    let base = list_path(kind);
    if kind.namespaced() {
        // `/api/v1/pods` → `/api/v1/namespaces/NS/pods/NAME`.
        let (prefix, plural) = base.rsplit_once('/').unwrap_or((base.as_str(), ""));
        format!("{prefix}/namespaces/{namespace}/{plural}/{name}")
    } else {
        format!("{base}/{name}")
    }
}

/// The path listing the Events about one object (all namespaces, by field selector).
pub fn events_path(kind: Kind, namespace: &str, name: &str) -> String {
    let mut selector = format!(
        "involvedObject.kind={},involvedObject.name={name}",
        kind.kind_name()
    );
    if kind.namespaced() {
        selector.push_str(&format!(",involvedObject.namespace={namespace}"));
    }
    format!("{}?fieldSelector={selector}", list_path(Kind::Event))
}

/// The API path of a watch of `kind` from `resource_version`, with bookmarks.
pub fn watch_path(kind: Kind, resource_version: &str) -> String {
    format!(
        "{}?watch=true&resourceVersion={}&allowWatchBookmarks=true",
        list_path(kind),
        resource_version
    )
}

fn parse(text: &str) -> Result<Value, MirrorError> {
    serde_json::from_str(text).map_err(|error| MirrorError::NotJson(error.to_string()))
}

fn decode(kind: Kind, value: Value) -> Result<Object, MirrorError> {
    let bad = |reason: String| MirrorError::BadObject {
        kind: kind.kind_name(),
        reason,
    };
    if !value.is_object() {
        return Err(bad("not a JSON object".to_string()));
    }
    let object = Object::from_value_as(kind, value).map_err(|error| bad(error.to_string()))?;
    if object.name().is_empty() {
        return Err(bad("no metadata.name".to_string()));
    }
    Ok(object)
}

fn key_of(object: &Object) -> (String, String) {
    (object.namespace().to_string(), object.name().to_string())
}

/// A list answer read in two steps, so that a big one (a 1,000-pod Service's Endpoints is
/// ~100 kB, listed every few seconds on a churning cluster) is not decoded in one task of the
/// page's main thread: [`ListDecode::read`] only splits it into its items' JSON texts (one
/// pass over the text), [`ListDecode::decode_some`] decodes them a few at a time, and
/// [`ObjectMirror::finish_list`] takes them. [`ObjectMirror::apply_list`] does all three at
/// once.
pub struct ListDecode<'a> {
    kind: Kind,
    raw: Vec<&'a RawValue>,
    /// How many of `raw` are decoded into `objects`.
    at: usize,
    objects: BTreeMap<(String, String), Arc<Object>>,
    resource_version: String,
}

/// A list answer's parts, not decoded yet (`items` checked to be an array separately, so
/// that a list without one says so rather than failing as JSON).
#[derive(serde::Deserialize)]
struct RawList<'a> {
    #[serde(borrow, default)]
    items: Option<&'a RawValue>,
    #[serde(borrow, default)]
    metadata: Option<&'a RawValue>,
}

impl<'a> ListDecode<'a> {
    /// Splits a list answer of `kind` into its items.
    pub fn read(kind: Kind, body: &'a str) -> Result<ListDecode<'a>, MirrorError> {
        let list: RawList<'a> = serde_json::from_str(body).map_err(|error| {
            if error.is_data() {
                MirrorError::NotAList(kind.kind_name())
            } else {
                MirrorError::NotJson(error.to_string())
            }
        })?;
        // An array would be read as the struct's fields in order.
        if !body.trim_start().starts_with('{') {
            return Err(MirrorError::NotAList(kind.kind_name()));
        }
        let raw: Vec<&'a RawValue> = list
            .items
            .and_then(|items| serde_json::from_str(items.get()).ok())
            .ok_or(MirrorError::NotAList(kind.kind_name()))?;
        let resource_version = list
            .metadata
            .and_then(|metadata| serde_json::from_str::<Value>(metadata.get()).ok())
            .and_then(|metadata| {
                metadata
                    .get("resourceVersion")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .unwrap_or_default();
        Ok(ListDecode {
            kind,
            raw,
            at: 0,
            objects: BTreeMap::new(),
            resource_version,
        })
    }

    /// Decodes the next items, in order, until all are (true) or `pause` (asked after each
    /// item) says to stop for now (false: call again). An item that cannot be read fails the
    /// whole list, as a list decoded at once does.
    pub fn decode_some(&mut self, mut pause: impl FnMut() -> bool) -> Result<bool, MirrorError> {
        while let Some(raw) = self.raw.get(self.at) {
            let object = decode(self.kind, parse(raw.get())?)?;
            self.objects.insert(key_of(&object), Arc::new(object));
            self.at += 1;
            if pause() {
                return Ok(self.at >= self.raw.len());
            }
        }
        Ok(true)
    }
}

impl ObjectMirror {
    /// An empty mirror.
    pub fn new() -> ObjectMirror {
        ObjectMirror::default()
    }

    /// Replaces the objects of `kind` with those of a list answer (`{"items": […],
    /// "metadata": {"resourceVersion": …}}`). The items of a list carry no `apiVersion`/`kind`
    /// (the API server leaves them out), so they are decoded as `kind`. On an error the
    /// mirror keeps what it had.
    pub fn apply_list(&mut self, kind: Kind, body: &str) -> Result<(), MirrorError> {
        let mut list = ListDecode::read(kind, body)?;
        list.decode_some(|| false)?;
        self.finish_list(list);
        Ok(())
    }

    /// Takes a list decoded whole ([`ListDecode`]) as the objects of its kind, unless the
    /// kind was meanwhile listed at a newer resourceVersion (a list that started earlier and
    /// was decoded in slices ends after a later one: it is then dropped, as stale). Returns
    /// whether it was taken.
    pub fn finish_list(&mut self, list: ListDecode<'_>) -> bool {
        let newer_held = self.kinds.get(&list.kind).is_some_and(|held| {
            held.listed
                && matches!(
                    (held.resource_version.parse::<u64>(), list.resource_version.parse::<u64>()),
                    (Ok(held), Ok(listed)) if held > listed
                )
        });
        if newer_held || list.at < list.raw.len() {
            return false;
        }
        self.kinds.insert(
            list.kind,
            KindMirror {
                objects: list.objects,
                resource_version: list.resource_version,
                listed: true,
            },
        );
        true
    }

    /// Applies one line of a watch stream of `kind` (`{"type": "ADDED", "object": {…}}`).
    pub fn apply_watch_line(
        &mut self,
        kind: Kind,
        line: &str,
    ) -> Result<WatchOutcome, MirrorError> {
        if line.trim().is_empty() {
            return Ok(WatchOutcome::Unchanged);
        }
        let value = parse(line)?;
        let event_type = value
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let object = value.get("object").cloned().unwrap_or(Value::Null);
        let resource_version = object
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .map(str::to_string);
        match event_type.as_str() {
            "ADDED" | "MODIFIED" | "DELETED" => {
                let decoded = decode(kind, object)?;
                let mirror = self.kinds.entry(kind).or_default();
                let key = key_of(&decoded);
                if event_type == "DELETED" {
                    mirror.objects.remove(&key);
                } else {
                    mirror.objects.insert(key, Arc::new(decoded));
                }
                if let Some(rv) = resource_version {
                    mirror.resource_version = rv;
                }
                Ok(WatchOutcome::Changed)
            }
            "BOOKMARK" => {
                if let Some(rv) = resource_version {
                    self.kinds.entry(kind).or_default().resource_version = rv;
                }
                Ok(WatchOutcome::Unchanged)
            }
            "ERROR" => watch_error(&object),
            other => Err(MirrorError::UnknownEventType(other.to_string())),
        }
    }

    /// The resourceVersion `kind` is current at (empty before its first list).
    pub fn resource_version(&self, kind: Kind) -> &str {
        self.kinds
            .get(&kind)
            .map_or("", |mirror| mirror.resource_version.as_str())
    }

    /// Whether `kind` has been listed at least once.
    pub fn listed(&self, kind: Kind) -> bool {
        self.kinds.get(&kind).is_some_and(|mirror| mirror.listed)
    }

    /// Stores one object read on its own (`GET /api/v1/namespaces/NS/pods/NAME`: the
    /// inspected object in summary mode), without marking its kind listed.
    pub fn apply_object(&mut self, kind: Kind, body: &str) -> Result<(), MirrorError> {
        let object = decode(kind, parse(body)?)?;
        self.kinds
            .entry(kind)
            .or_default()
            .objects
            .insert(key_of(&object), Arc::new(object));
        Ok(())
    }

    /// Removes one object (the inspected object is gone: 404).
    pub fn remove(&mut self, kind: Kind, namespace: &str, name: &str) {
        let namespace = if kind.namespaced() { namespace } else { "" };
        if let Some(mirror) = self.kinds.get_mut(&kind) {
            mirror
                .objects
                .remove(&(namespace.to_string(), name.to_string()));
        }
    }

    /// How many objects of `kind` the mirror holds.
    pub fn count(&self, kind: Kind) -> usize {
        self.kinds
            .get(&kind)
            .map_or(0, |mirror| mirror.objects.len())
    }

    /// Every object of `kind`, by namespace and name.
    pub fn objects(&self, kind: Kind) -> Vec<Arc<Object>> {
        self.kinds
            .get(&kind)
            .map(|mirror| mirror.objects.values().cloned().collect())
            .unwrap_or_default()
    }

    /// The object of `kind` named `name` in `namespace` (ignored for cluster-scoped kinds),
    /// if the mirror has it.
    pub fn get(&self, kind: Kind, namespace: &str, name: &str) -> Option<Arc<Object>> {
        let namespace = if kind.namespaced() { namespace } else { "" };
        self.kinds
            .get(&kind)?
            .objects
            .get(&(namespace.to_string(), name.to_string()))
            .cloned()
    }

    /// The names of the objects of `kind` in `namespace` (any namespace for cluster-scoped
    /// kinds), sorted.
    pub fn names(&self, kind: Kind, namespace: &str) -> Vec<String> {
        self.kinds
            .get(&kind)
            .map(|mirror| {
                mirror
                    .objects
                    .keys()
                    .filter(|(ns, _)| !kind.namespaced() || ns == namespace)
                    .map(|(_, name)| name.clone())
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl crate::completion::CompletionSource for ObjectMirror {
    fn names(&mut self, kind: Kind, namespace: &str) -> Vec<String> {
        ObjectMirror::names(self, kind, namespace)
    }
}

/// What a watch stream's `ERROR` line means: `410 Gone` (list again from scratch) or a
/// failure of the stream, with the Status's code and message.
pub(crate) fn watch_error(status: &Value) -> Result<WatchOutcome, MirrorError> {
    let code = status.get("code").and_then(Value::as_i64).unwrap_or(0);
    if code == 410 {
        return Ok(WatchOutcome::Gone);
    }
    Err(MirrorError::WatchError {
        code,
        message: status
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const POD_LIST: &str = r#"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"40"},
        "items":[
          {"metadata":{"name":"web-b","namespace":"default","resourceVersion":"38"},"spec":{"containers":[{"name":"nginx","image":"nginx"}]}},
          {"metadata":{"name":"web-a","namespace":"default","resourceVersion":"39"},"spec":{"containers":[{"name":"nginx","image":"nginx"}]}}
        ]}"#;

    fn event(event_type: &str, name: &str, rv: &str) -> String {
        format!(
            r#"{{"type":"{event_type}","object":{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"{name}","namespace":"default","resourceVersion":"{rv}"}},"spec":{{"containers":[{{"name":"c","image":"nginx"}}]}}}}}}"#
        )
    }

    fn names(mirror: &ObjectMirror) -> Vec<String> {
        mirror
            .objects(Kind::Pod)
            .iter()
            .map(|o| o.name().to_string())
            .collect()
    }

    #[test]
    fn a_list_fills_the_kind_in_name_order_and_remembers_its_resource_version() {
        let mut mirror = ObjectMirror::new();
        assert!(!mirror.listed(Kind::Pod));
        assert_eq!(mirror.apply_list(Kind::Pod, POD_LIST), Ok(()));
        assert_eq!(names(&mirror), ["web-a", "web-b"]);
        assert_eq!(mirror.resource_version(Kind::Pod), "40");
        assert!(mirror.listed(Kind::Pod));
        assert!(mirror.objects(Kind::Node).is_empty());
    }

    #[test]
    fn a_list_decoded_one_item_a_slice_is_the_list_decoded_at_once() {
        let mut whole = ObjectMirror::new();
        assert_eq!(whole.apply_list(Kind::Pod, POD_LIST), Ok(()));
        let mut sliced = ObjectMirror::new();
        let mut list = ListDecode::read(Kind::Pod, POD_LIST).expect("a list");
        let mut slices = 1;
        while !list.decode_some(|| true).expect("items decode") {
            slices += 1;
        }
        assert_eq!(slices, 2);
        assert!(sliced.finish_list(list));
        assert_eq!(names(&sliced), names(&whole));
        assert_eq!(sliced.resource_version(Kind::Pod), "40");
        assert!(sliced.listed(Kind::Pod));
        // A list not decoded to its end is not taken.
        let mut half = ListDecode::read(Kind::Pod, POD_LIST).expect("a list");
        assert_eq!(half.decode_some(|| true), Ok(false));
        assert!(!ObjectMirror::new().finish_list(half));
    }

    #[test]
    fn a_list_that_ends_after_a_newer_one_is_dropped_as_stale() {
        let mut mirror = ObjectMirror::new();
        let older = POD_LIST.replace(r#""resourceVersion":"40""#, r#""resourceVersion":"35""#);
        let newer = POD_LIST.replace(
            r#"{"metadata":{"name":"web-a""#,
            r#"{"metadata":{"name":"web-z""#,
        );
        let mut slow = ListDecode::read(Kind::Pod, &older).expect("a list");
        assert_eq!(mirror.apply_list(Kind::Pod, &newer), Ok(()));
        assert_eq!(slow.decode_some(|| false), Ok(true));
        assert!(!mirror.finish_list(slow));
        assert_eq!(names(&mirror), ["web-b", "web-z"]);
        assert_eq!(mirror.resource_version(Kind::Pod), "40");
        // The same or a newer revision is taken.
        let mut again = ListDecode::read(Kind::Pod, POD_LIST).expect("a list");
        assert_eq!(again.decode_some(|| false), Ok(true));
        assert!(mirror.finish_list(again));
        assert_eq!(names(&mirror), ["web-a", "web-b"]);
    }

    #[test]
    fn a_list_answer_that_is_not_one_says_so() {
        let mut mirror = ObjectMirror::new();
        for (body, expected) in [
            ("not json", "NotJson"),
            ("[]", "NotAList"),
            (r#"[[{"metadata":{"name":"a"}}]]"#, "NotAList"),
            (r#"{"items":"x"}"#, "NotAList"),
            (r#"{"kind":"PodList"}"#, "NotAList"),
            (r#"{"items":[1]}"#, "BadObject"),
            (r#"{"items":[{"metadata":{}}]}"#, "BadObject"),
        ] {
            let got = mirror.apply_list(Kind::Pod, body);
            assert!(
                format!("{got:?}").contains(expected),
                "{body}: {got:?}, not {expected}"
            );
        }
        assert!(!mirror.listed(Kind::Pod));
        // Items whose text is odd but valid JSON (escapes, spaces) read as usual.
        let spaced = r#" { "items" : [ {"metadata":{"name":"we\u0062","namespace":"default"},"spec":{"containers":[{"name":"c","image":"nginx"}]}} ] } "#;
        assert_eq!(mirror.apply_list(Kind::Pod, spaced), Ok(()));
        assert_eq!(names(&mirror), ["web"]);
    }

    #[test]
    fn watch_events_add_change_and_remove_objects_and_move_the_resource_version() {
        let mut mirror = ObjectMirror::new();
        assert_eq!(mirror.apply_list(Kind::Pod, POD_LIST), Ok(()));
        let steps = [
            (event("ADDED", "web-c", "41"), WatchOutcome::Changed, vec!["web-a", "web-b", "web-c"], "41"),
            (event("MODIFIED", "web-a", "42"), WatchOutcome::Changed, vec!["web-a", "web-b", "web-c"], "42"),
            (event("DELETED", "web-b", "43"), WatchOutcome::Changed, vec!["web-a", "web-c"], "43"),
            (
                r#"{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"50"}}}"#.to_string(),
                WatchOutcome::Unchanged,
                vec!["web-a", "web-c"],
                "50",
            ),
            (String::new(), WatchOutcome::Unchanged, vec!["web-a", "web-c"], "50"),
        ];
        for (line, outcome, expected, rv) in steps {
            assert_eq!(
                mirror.apply_watch_line(Kind::Pod, &line),
                Ok(outcome),
                "{line}"
            );
            assert_eq!(names(&mirror), expected, "{line}");
            assert_eq!(mirror.resource_version(Kind::Pod), rv, "{line}");
        }
        let modified = mirror
            .objects(Kind::Pod)
            .into_iter()
            .find(|o| o.name() == "web-a")
            .and_then(|o| o.resource_version().map(str::to_string));
        assert_eq!(modified.as_deref(), Some("42"));
    }

    #[test]
    fn a_410_gone_error_event_asks_for_a_relist_and_other_errors_are_reported() {
        let mut mirror = ObjectMirror::new();
        let gone = r#"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 5 (40)","reason":"Expired","code":410}}"#;
        assert_eq!(
            mirror.apply_watch_line(Kind::Pod, gone),
            Ok(WatchOutcome::Gone)
        );
        let failed = r#"{"type":"ERROR","object":{"kind":"Status","code":500,"message":"boom"}}"#;
        assert_eq!(
            mirror.apply_watch_line(Kind::Pod, failed),
            Err(MirrorError::WatchError {
                code: 500,
                message: "boom".to_string()
            })
        );
    }

    #[test]
    fn an_object_read_on_its_own_is_stored_without_listing_its_kind_and_can_be_removed() {
        let mut mirror = ObjectMirror::new();
        let pod = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-a","namespace":"default","resourceVersion":"7"},"spec":{"containers":[{"name":"c","image":"nginx"}]}}"#;
        assert_eq!(mirror.apply_object(Kind::Pod, pod), Ok(()));
        assert!(!mirror.listed(Kind::Pod));
        assert_eq!(mirror.count(Kind::Pod), 1);
        assert!(mirror.get(Kind::Pod, "default", "web-a").is_some());
        assert!(mirror.apply_object(Kind::Pod, "{}").is_err());
        mirror.remove(Kind::Pod, "default", "web-a");
        assert_eq!(mirror.count(Kind::Pod), 0);
    }

    #[test]
    fn object_and_event_paths_name_one_object() {
        assert_eq!(
            object_path(Kind::Pod, "default", "web-a"),
            "/api/v1/namespaces/default/pods/web-a"
        );
        assert_eq!(
            object_path(Kind::ReplicaSet, "shop", "web-1"),
            "/apis/apps/v1/namespaces/shop/replicasets/web-1"
        );
        assert_eq!(
            object_path(Kind::Node, "", "node-7"),
            "/api/v1/nodes/node-7"
        );
        assert_eq!(
            events_path(Kind::Pod, "default", "web-a"),
            "/api/v1/events?fieldSelector=involvedObject.kind=Pod,involvedObject.name=web-a,involvedObject.namespace=default"
        );
        assert_eq!(
            events_path(Kind::Node, "", "node-7"),
            "/api/v1/events?fieldSelector=involvedObject.kind=Node,involvedObject.name=node-7"
        );
    }

    #[test]
    fn what_follows_a_request_depends_on_its_status() {
        let cases = [
            (200, NextStep::Watch),
            (410, NextStep::Relist),
            (401, NextStep::Stop),
            (403, NextStep::Stop),
            (500, NextStep::RetryLater),
            (0, NextStep::RetryLater),
        ];
        for (status, step) in cases {
            assert_eq!(next_step_after_status(status), step, "{status}");
        }
    }

    #[test]
    fn garbage_from_the_server_is_an_error_and_never_a_panic_and_keeps_what_was_mirrored() {
        let mut mirror = ObjectMirror::new();
        assert_eq!(mirror.apply_list(Kind::Pod, POD_LIST), Ok(()));
        let lines = [
            "not json",
            "{",
            "[]",
            "42",
            r#"{"type":"ADDED"}"#,
            r#"{"type":"ADDED","object":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"}}}"#,
            r#"{"type":"ADDED","object":{"metadata":{"name":7}}}"#,
            r#"{"type":"WIBBLE","object":{}}"#,
            r#"{"object":{}}"#,
        ];
        for line in lines {
            assert!(mirror.apply_watch_line(Kind::Pod, line).is_err(), "{line}");
        }
        let bodies = [
            "",
            "null",
            "{}",
            r#"{"items":3}"#,
            r#"{"items":[{"metadata":{"name":[]}}]}"#,
        ];
        for body in bodies {
            assert!(mirror.apply_list(Kind::Pod, body).is_err(), "{body}");
        }
        assert_eq!(names(&mirror), ["web-a", "web-b"]);
        assert_eq!(mirror.resource_version(Kind::Pod), "40");
    }

    #[test]
    fn names_of_namespaced_kinds_are_per_namespace() {
        let mut mirror = ObjectMirror::new();
        assert_eq!(mirror.apply_list(Kind::Pod, POD_LIST), Ok(()));
        assert_eq!(mirror.names(Kind::Pod, "default"), ["web-a", "web-b"]);
        assert!(mirror.names(Kind::Pod, "kube-system").is_empty());
    }

    #[test]
    fn paths_name_the_group_version_and_plural() {
        assert_eq!(list_path(Kind::Pod), "/api/v1/pods");
        assert_eq!(list_path(Kind::Deployment), "/apis/apps/v1/deployments");
        assert_eq!(
            watch_path(Kind::Node, "12"),
            "/api/v1/nodes?watch=true&resourceVersion=12&allowWatchBookmarks=true"
        );
    }

    #[test]
    fn objects_are_found_by_namespace_and_name_and_cluster_scoped_ones_by_name_alone() {
        let mut mirror = ObjectMirror::new();
        assert_eq!(mirror.apply_list(Kind::Pod, POD_LIST), Ok(()));
        let nodes =
            r#"{"items":[{"metadata":{"name":"node-1"}}],"metadata":{"resourceVersion":"2"}}"#;
        assert_eq!(mirror.apply_list(Kind::Node, nodes), Ok(()));
        let found = |kind, namespace, name| {
            mirror
                .get(kind, namespace, name)
                .map(|o| o.name().to_string())
        };
        assert_eq!(
            found(Kind::Pod, "default", "web-a"),
            Some("web-a".to_string())
        );
        assert_eq!(found(Kind::Pod, "other", "web-a"), None);
        assert_eq!(
            found(Kind::Node, "default", "node-1"),
            Some("node-1".to_string())
        );
        assert_eq!(found(Kind::Deployment, "default", "web"), None);
    }
}
