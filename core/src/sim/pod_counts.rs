//! The counts behind [`World::pod_summary`](super::world::World::pod_summary), kept up to date
//! from the store instead of listing every pod each time they are asked for.
//!
//! On first use [`PodCounts`] reads every pod once (a range at the store's current revision)
//! and opens a store watch on the pods' keys from the next revision, with the previous pair of
//! each change. Every later look drains that watch: a changed pod leaves the class of its old
//! version and joins the class of its new one, a deleted pod leaves its class. The world
//! drains it before each compaction too, so the watch never holds history back. This is the
//! world's own bookkeeping, not an API request: it leaves no trace records.

use super::world::PodSummary;
use crate::api::objects::{Kind, Object, StoredPod};
use crate::apiserver::registry;
use crate::store::{KeyRange, KvStore, RangeRequest, WatchEvent, WatchId, WatchRequest};

/// Where one pod counts in a [`PodSummary`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PodClass {
    RunningReady,
    RunningNotReady,
    Pending,
    Finished,
}

/// A pod's place in the summary: whether it is bound to a node, and its class.
fn classify(pod: &StoredPod) -> (bool, PodClass) {
    let scheduled = pod.node_name().is_some();
    let ready = pod.status.as_ref().is_some_and(|s| {
        s.conditions()
            .any(|c| c.type_() == "Ready" && c.status() == "True")
    });
    let class = match pod.phase().unwrap_or_default() {
        "Running" if ready => PodClass::RunningReady,
        "Running" => PodClass::RunningNotReady,
        "Succeeded" | "Failed" => PodClass::Finished,
        _ => PodClass::Pending,
    };
    (scheduled, class)
}

/// Adds (or takes away) one pod's counts.
fn count(summary: &mut PodSummary, object: &Object, add: bool) {
    let Object::Pod(pod) = object else {
        return;
    };
    let (scheduled, class) = classify(pod);
    let change = |n: &mut usize| {
        *n = if add { *n + 1 } else { n.saturating_sub(1) };
    };
    change(&mut summary.total);
    if scheduled {
        change(&mut summary.scheduled);
    }
    match class {
        PodClass::RunningReady => change(&mut summary.running_ready),
        PodClass::RunningNotReady => change(&mut summary.running_not_ready),
        PodClass::Pending => change(&mut summary.pending),
        PodClass::Finished => change(&mut summary.finished),
    }
}

/// Pod counts kept from a store watch (see the module docs).
#[derive(Clone, Debug, Default)]
pub(super) struct PodCounts {
    /// The watch, once the counts were first asked for.
    watch: Option<WatchId>,
    /// The counts as of the last drain.
    summary: PodSummary,
}

impl PodCounts {
    /// The counts as the store holds them now.
    pub(super) fn summary<S: KvStore<Object>>(&mut self, store: &mut S) -> PodSummary {
        self.catch_up(store, true);
        self.summary
    }

    /// Folds in the changes since the last look; `start` opens the watch if it is not open
    /// yet (the compactor only drains a watch that exists).
    pub(super) fn catch_up<S: KvStore<Object>>(&mut self, store: &mut S, start: bool) {
        let watch = match self.watch {
            Some(watch) => watch,
            None if start => match self.start(store) {
                Some(watch) => watch,
                None => return,
            },
            None => return,
        };
        let Ok(events) = store.poll_watch(watch) else {
            return;
        };
        for event in events {
            match event {
                WatchEvent::Put { kv, prev_kv } => {
                    if let Some(prev) = prev_kv {
                        count(&mut self.summary, &prev.value, false);
                    }
                    count(&mut self.summary, &kv.value, true);
                }
                WatchEvent::Delete { prev_kv, .. } => {
                    if let Some(prev) = prev_kv {
                        count(&mut self.summary, &prev.value, false);
                    }
                }
            }
        }
    }

    /// Counts every pod once and watches the pods' keys from the next revision.
    fn start<S: KvStore<Object>>(&mut self, store: &mut S) -> Option<WatchId> {
        let prefix = KeyRange::prefix(registry::key_prefix(Kind::Pod));
        let response = store.range(&RangeRequest::new(prefix.clone())).ok()?;
        let mut summary = PodSummary::default();
        for kv in &response.kvs {
            count(&mut summary, &kv.value, true);
        }
        let request = WatchRequest::new(prefix)
            .from_revision(response.revision + 1)
            .with_prev_kv();
        let watch = store.watch(request).ok()?;
        self.summary = summary;
        self.watch = Some(watch);
        Some(watch)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::store::{DeleteRangeRequest, MemoryStore, PutRequest};

    fn pod(name: &str, node: Option<&str>, phase: &str, ready: bool) -> Arc<Object> {
        let value = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"nodeName": node, "containers": [{"name": "app", "image": "nginx"}]},
            "status": {"phase": phase, "conditions": [
                {"type": "Ready", "status": if ready { "True" } else { "False" }}
            ]}
        });
        match Object::from_value(value) {
            Ok(object) => Arc::new(object),
            Err(error) => panic!("pod: {error}"),
        }
    }

    fn put(store: &mut MemoryStore<Object>, object: Arc<Object>) {
        let key = registry::object_key(Kind::Pod, "default", object.name());
        if let Err(error) = store.put(PutRequest::new(key, object)) {
            panic!("put: {error}");
        }
    }

    #[test]
    fn the_counts_follow_creates_changes_and_deletes_of_pods_seen_before_and_after_the_first_look()
    {
        let mut store = MemoryStore::new();
        put(&mut store, pod("a", None, "Pending", false));
        put(&mut store, pod("b", Some("n1"), "Running", true));
        let mut counts = PodCounts::default();
        let first = counts.summary(&mut store);
        assert_eq!(
            (
                first.total,
                first.scheduled,
                first.running_ready,
                first.pending
            ),
            (2, 1, 1, 1)
        );
        put(&mut store, pod("a", Some("n1"), "Running", false));
        put(&mut store, pod("c", Some("n2"), "Succeeded", false));
        // A compaction drains the watch first (as the world does), so nothing is lost.
        counts.catch_up(&mut store, false);
        let revision = store.current_revision();
        if let Err(error) = store.compact(revision) {
            panic!("compact: {error}");
        }
        let key = registry::object_key(Kind::Pod, "default", "b");
        if let Err(error) = store.delete_range(&DeleteRangeRequest::new(KeyRange::key(key))) {
            panic!("delete: {error}");
        }
        assert_eq!(
            counts.summary(&mut store),
            PodSummary {
                total: 2,
                scheduled: 2,
                running_ready: 0,
                running_not_ready: 1,
                pending: 0,
                finished: 1,
            }
        );
    }
}
