//! Property test: [`MemoryStore`] against a model that keeps every historical state.
//!
//! The model is a `Vec` with one full key→pair map per revision. Random sequences of puts,
//! deletes, transactions, compactions, reads and watch polls run against both; every read at
//! every readable revision must match the model's state of that revision, and the events a
//! live watcher and a replaying watcher receive must match the model's revision-to-revision
//! differences.

use std::collections::BTreeMap;
use std::sync::Arc;

use proptest::prelude::*;

use super::*;

const KEYS: [&str; 6] = ["/a", "/a/b", "/a/c", "/b", "/b/a", "/c"];
const PREFIXES: [&str; 5] = ["", "/", "/a", "/a/", "/b"];

/// A pair as the model sees it: (create_revision, mod_revision, version, value).
type ModelPair = (Revision, Revision, u64, u32);
type ModelState = BTreeMap<String, ModelPair>;

#[derive(Debug, Clone)]
enum Op {
    Put(usize, u32),
    Delete(usize),
    DeletePrefix(usize),
    /// If KEYS[.0] has version .1, put KEYS[.2] and delete KEYS[.3]; else put KEYS[.3].
    Txn(usize, u64, usize, usize, u32),
    /// Compact to a revision chosen by the fraction .0 / 100 of the current revision.
    Compact(u64),
    Poll,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..KEYS.len(), any::<u32>()).prop_map(|(k, v)| Op::Put(k, v)),
        1 => (0..KEYS.len()).prop_map(Op::Delete),
        1 => (0..PREFIXES.len()).prop_map(Op::DeletePrefix),
        2 => (0..KEYS.len(), 0..3u64, 0..KEYS.len(), 0..KEYS.len(), any::<u32>())
            .prop_map(|(c, v, p, d, x)| Op::Txn(c, v, p, d, x)),
        1 => (0..100u64).prop_map(Op::Compact),
        1 => Just(Op::Poll),
    ]
}

fn key_at(i: usize) -> &'static str {
    KEYS.get(i).copied().unwrap_or("/a")
}

fn prefix_at(i: usize) -> &'static str {
    PREFIXES.get(i).copied().unwrap_or("/")
}

/// The model's next state after writing `writes` (key → Some(value) or None for delete) at
/// revision `at`; `None` if nothing changed.
fn apply_model(
    state: &ModelState,
    writes: &[(String, Option<u32>)],
    at: Revision,
) -> Option<ModelState> {
    let mut next = state.clone();
    let mut changed = false;
    for (key, value) in writes {
        match value {
            Some(v) => {
                let pair = match next.get(key) {
                    Some(&(create, _, version, _)) => (create, at, version + 1, *v),
                    None => (at, at, 1, *v),
                };
                next.insert(key.clone(), pair);
                changed = true;
            }
            None => changed |= next.remove(key).is_some(),
        }
    }
    changed.then_some(next)
}

fn pairs(kvs: &[KeyValue<u32>]) -> Vec<(String, ModelPair)> {
    kvs.iter()
        .map(|kv| {
            (
                kv.key.to_string(),
                (kv.create_revision, kv.mod_revision, kv.version, *kv.value),
            )
        })
        .collect()
}

/// The events between consecutive model states in `(from..=to)`, each as
/// (revision, key, Some(value) for a put or None for a delete), sorted by revision then key.
fn model_events(
    states: &[ModelState],
    from: Revision,
    to: Revision,
    filter: &KeyRange,
) -> Vec<(Revision, String, Option<u32>)> {
    let mut events = Vec::new();
    for at in from.max(2)..=to {
        let (Some(before), Some(after)) = (states.get(at as usize - 1), states.get(at as usize))
        else {
            continue;
        };
        for (key, &(_, modified, _, value)) in after {
            if modified == at && filter.contains(key) {
                events.push((at, key.clone(), Some(value)));
            }
        }
        for key in before.keys() {
            if !after.contains_key(key) && filter.contains(key) {
                events.push((at, key.clone(), None));
            }
        }
    }
    events.sort();
    events
}

fn store_events(events: &[WatchEvent<u32>]) -> Vec<(Revision, String, Option<u32>)> {
    let mut out: Vec<_> = events
        .iter()
        .map(|e| match e {
            WatchEvent::Put { kv, .. } => (kv.mod_revision, kv.key.to_string(), Some(*kv.value)),
            WatchEvent::Delete {
                key, mod_revision, ..
            } => (*mod_revision, key.to_string(), None),
        })
        .collect();
    out.sort();
    out
}

fn check_reads(store: &MemoryStore<u32>, states: &[ModelState]) -> Result<(), TestCaseError> {
    let current = store.current_revision();
    for at in 1..=current {
        let Some(state) = states.get(at as usize) else {
            return Err(TestCaseError::fail(format!("model has no state {at}")));
        };
        for (p, limit) in PREFIXES.iter().zip([0usize, 1, 2, 3, 0]) {
            let filter = KeyRange::prefix(*p);
            let result = store.range(
                &RangeRequest::new(filter.clone())
                    .with_revision(at)
                    .with_limit(limit),
            );
            if at < store.compact_revision() {
                prop_assert!(
                    matches!(result, Err(StoreError::Compacted { .. })),
                    "read at {at} below compaction"
                );
                continue;
            }
            let response = result.map_err(|e| TestCaseError::fail(format!("read at {at}: {e}")))?;
            let expected: Vec<(String, ModelPair)> = state
                .iter()
                .filter(|(k, _)| filter.contains(k))
                .map(|(k, p)| (k.clone(), *p))
                .collect();
            prop_assert_eq!(
                response.count,
                expected.len(),
                "count at {} of {:?}",
                at,
                filter
            );
            let shown = if limit == 0 {
                expected.len()
            } else {
                limit.min(expected.len())
            };
            prop_assert_eq!(
                pairs(&response.kvs),
                expected.get(..shown).unwrap_or_default().to_vec()
            );
            prop_assert_eq!(response.more, shown < expected.len());
        }
    }
    let future = store.range(&RangeRequest::new(KeyRange::prefix("/")).with_revision(current + 1));
    prop_assert!(
        matches!(future, Err(StoreError::FutureRevision { .. })),
        "future read fails"
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn the_store_matches_a_model_of_every_historical_state(ops in proptest::collection::vec(op(), 1..60), replay_pick in 0..100u64) {
        let mut store: MemoryStore<u32> = MemoryStore::new();
        // states[r] is the state at revision r; revision 0 does not exist, revision 1 is empty.
        let mut states: Vec<ModelState> = vec![ModelState::new(), ModelState::new()];
        let live_filter = KeyRange::prefix("/a");
        let live = store.watch(WatchRequest::new(live_filter.clone()))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut live_events = Vec::new();

        for op in ops {
            let at = store.current_revision() + 1;
            let last = states.last().cloned().unwrap_or_default();
            let writes: Option<Vec<(String, Option<u32>)>> = match op {
                Op::Put(k, v) => {
                    let response = store.put(PutRequest::new(key_at(k), Arc::new(v)));
                    prop_assert!(response.is_ok());
                    Some(vec![(key_at(k).to_string(), Some(v))])
                }
                Op::Delete(k) => {
                    let response = store.delete_range(&DeleteRangeRequest::new(KeyRange::key(key_at(k))));
                    prop_assert!(response.is_ok());
                    Some(vec![(key_at(k).to_string(), None)])
                }
                Op::DeletePrefix(p) => {
                    let filter = KeyRange::prefix(prefix_at(p));
                    let response = store.delete_range(&DeleteRangeRequest::new(filter.clone()));
                    prop_assert!(response.is_ok());
                    Some(last.keys().filter(|k| filter.contains(k)).map(|k| (k.clone(), None)).collect())
                }
                Op::Txn(c, version, p, d, value) => {
                    let model_version = last.get(key_at(c)).map_or(0, |pair| pair.2);
                    let request = TxnRequest {
                        compare: vec![Compare::version(key_at(c), CompareResult::Equal, version)],
                        success: vec![
                            RequestOp::Put(PutRequest::new(key_at(p), Arc::new(value))),
                            RequestOp::DeleteRange(DeleteRangeRequest::new(KeyRange::key(key_at(d)))),
                        ],
                        failure: vec![RequestOp::Put(PutRequest::new(key_at(d), Arc::new(value)))],
                    };
                    let response = store.txn(request);
                    if p == d {
                        prop_assert!(matches!(response, Err(StoreError::DuplicateKey { .. })), "duplicate key refused");
                        None
                    } else {
                        let response = response.map_err(|e| TestCaseError::fail(e.to_string()))?;
                        prop_assert_eq!(response.succeeded, model_version == version);
                        if response.succeeded {
                            Some(vec![(key_at(p).to_string(), Some(value)), (key_at(d).to_string(), None)])
                        } else {
                            Some(vec![(key_at(d).to_string(), Some(value))])
                        }
                    }
                }
                Op::Compact(fraction) => {
                    let target = (store.current_revision() * fraction / 100).max(1);
                    let result = store.compact(target);
                    if target <= store.compact_revision() && result.is_err() {
                        prop_assert!(matches!(result, Err(StoreError::Compacted { .. })), "recompaction refused");
                    } else {
                        prop_assert!(result.is_ok(), "compact to {target}: {result:?}");
                    }
                    None
                }
                Op::Poll => {
                    let polled = store.poll_watch(live).map_err(|e| TestCaseError::fail(e.to_string()))?;
                    live_events.extend(polled);
                    None
                }
            };
            if let Some(next) = writes.and_then(|w| apply_model(&last, &w, at)) {
                states.push(next);
            }
            prop_assert_eq!(store.current_revision() as usize, states.len() - 1, "one revision per changing write");
        }

        check_reads(&store, &states)?;

        let current = store.current_revision();
        live_events.extend(store.poll_watch(live).map_err(|e| TestCaseError::fail(e.to_string()))?);
        prop_assert_eq!(store_events(&live_events), model_events(&states, 2, current, &live_filter));

        let from = (store.compact_revision() + replay_pick % (current + 1)).clamp(1, current.max(1));
        // A replay from the compaction point itself may miss a delete made exactly there (etcd
        // drops that tombstone too), so replay from just above it.
        let from = if from == store.compact_revision() { from + 1 } else { from };
        let all = KeyRange::prefix("/");
        let replay = store.watch(WatchRequest::new(all.clone()).from_revision(from))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let replayed = store.poll_watch(replay).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(store_events(&replayed), model_events(&states, from, current, &all));
    }
}
