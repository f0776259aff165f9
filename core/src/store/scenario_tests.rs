//! Scenario tests of [`MemoryStore`] through the [`KvStore`] trait: etcd v3 semantics of
//! revisions, ranges, deletes, transactions, compaction and watches.

use std::sync::Arc;

use super::*;

type Store = MemoryStore<String>;

fn value(text: &str) -> Arc<String> {
    Arc::new(text.to_string())
}

fn put(store: &mut Store, key: &str, text: &str) -> Revision {
    match store.put(PutRequest::new(key, value(text))) {
        Ok(response) => response.revision,
        Err(error) => panic!("put {key}: {error}"),
    }
}

fn delete(store: &mut Store, key: KeyRange) -> DeleteRangeResponse<String> {
    match store.delete_range(&DeleteRangeRequest::new(key).with_prev_kv()) {
        Ok(response) => response,
        Err(error) => panic!("delete: {error}"),
    }
}

fn range(store: &Store, request: RangeRequest) -> RangeResponse<String> {
    match store.range(&request) {
        Ok(response) => response,
        Err(error) => panic!("range {request:?}: {error}"),
    }
}

fn get(store: &Store, key: &str) -> Option<KeyValue<String>> {
    match store.get(key) {
        Ok(kv) => kv,
        Err(error) => panic!("get {key}: {error}"),
    }
}

fn keys(response: &RangeResponse<String>) -> Vec<&str> {
    response.kvs.iter().map(|kv| &*kv.key).collect()
}

fn watch(store: &mut Store, request: WatchRequest) -> WatchId {
    match store.watch(request) {
        Ok(id) => id,
        Err(error) => panic!("watch: {error}"),
    }
}

fn poll(store: &mut Store, id: WatchId) -> Vec<WatchEvent<String>> {
    match store.poll_watch(id) {
        Ok(events) => events,
        Err(error) => panic!("poll {id}: {error}"),
    }
}

/// Each event as (kind, key, revision) for compact assertions.
fn summary(events: &[WatchEvent<String>]) -> Vec<(&'static str, String, Revision)> {
    events
        .iter()
        .map(|e| {
            let kind = match e {
                WatchEvent::Put { .. } => "put",
                WatchEvent::Delete { .. } => "delete",
            };
            (kind, e.key().to_string(), e.revision())
        })
        .collect()
}

fn pods_store() -> Store {
    let mut store = Store::new();
    for name in ["a", "b", "c", "d", "e"] {
        put(&mut store, &format!("/registry/pods/default/{name}"), name);
    }
    put(&mut store, "/registry/pods/kube-system/dns", "dns");
    put(&mut store, "/registry/services/default/web", "web");
    store
}

#[test]
fn an_empty_store_is_at_revision_one_and_each_write_advances_it_once() {
    let mut store = Store::new();
    assert_eq!(store.current_revision(), 1);
    assert_eq!(put(&mut store, "/a", "1"), 2);
    assert_eq!(put(&mut store, "/b", "1"), 3);
    assert_eq!(put(&mut store, "/a", "2"), 4);
    assert_eq!(store.current_revision(), 4);
}

#[test]
fn revisions_and_versions_follow_each_write_of_a_key() {
    let mut store = Store::new();
    put(&mut store, "/a", "1");
    put(&mut store, "/other", "x");
    put(&mut store, "/a", "2");
    put(&mut store, "/a", "3");
    let Some(kv) = get(&store, "/a") else {
        panic!("/a exists");
    };
    assert_eq!((kv.create_revision, kv.mod_revision, kv.version), (2, 5, 3));
    assert_eq!(*kv.value, "3");
}

#[test]
fn a_range_at_a_past_revision_sees_the_values_of_that_revision() {
    let mut store = Store::new();
    put(&mut store, "/a", "1");
    put(&mut store, "/a", "2");
    delete(&mut store, KeyRange::key("/a"));
    put(&mut store, "/b", "1");
    let cases: [(Revision, Option<&str>); 5] = [
        (1, None),
        (2, Some("1")),
        (3, Some("2")),
        (4, None),
        (5, None),
    ];
    for (at, expected) in cases {
        let response = range(
            &store,
            RangeRequest::new(KeyRange::key("/a")).with_revision(at),
        );
        let got = response.kvs.first().map(|kv| kv.value.as_str());
        assert_eq!(got, expected, "at revision {at}");
        assert_eq!(
            response.revision, 5,
            "the header revision is the current one"
        );
    }
}

#[test]
fn a_prefix_range_with_a_limit_reports_more_and_the_full_count() {
    let store = pods_store();
    let response = range(
        &store,
        RangeRequest::new(KeyRange::prefix("/registry/pods/default/")).with_limit(2),
    );
    assert_eq!(
        keys(&response),
        ["/registry/pods/default/a", "/registry/pods/default/b"]
    );
    assert!(response.more);
    assert_eq!(response.count, 5);

    let all = range(
        &store,
        RangeRequest::new(KeyRange::prefix("/registry/pods/")),
    );
    assert_eq!(all.count, 6);
    assert!(!all.more);

    let exact = range(
        &store,
        RangeRequest::new(KeyRange::prefix("/registry/pods/")).with_limit(6),
    );
    assert!(
        !exact.more,
        "a limit equal to the count leaves nothing more"
    );
}

#[test]
fn a_half_open_range_covers_start_but_not_end() {
    let store = pods_store();
    let response = range(
        &store,
        RangeRequest::new(KeyRange::range(
            "/registry/pods/default/b",
            "/registry/pods/default/d",
        )),
    );
    assert_eq!(
        keys(&response),
        ["/registry/pods/default/b", "/registry/pods/default/c"]
    );
}

#[test]
fn delete_then_recreate_resets_version_and_create_revision() {
    let mut store = Store::new();
    put(&mut store, "/a", "1");
    put(&mut store, "/a", "2");
    let deleted = delete(&mut store, KeyRange::key("/a"));
    assert_eq!(deleted.deleted, 1);
    assert_eq!(deleted.revision, 4);
    assert!(get(&store, "/a").is_none());
    put(&mut store, "/a", "3");
    let Some(kv) = get(&store, "/a") else {
        panic!("/a was recreated");
    };
    assert_eq!((kv.create_revision, kv.mod_revision, kv.version), (5, 5, 1));
}

#[test]
fn deleting_nothing_does_not_advance_the_revision() {
    let mut store = pods_store();
    let before = store.current_revision();
    let response = delete(&mut store, KeyRange::prefix("/registry/nodes/"));
    assert_eq!(response.deleted, 0);
    assert_eq!(store.current_revision(), before);
}

#[test]
fn a_prefix_delete_removes_every_key_under_it_in_one_revision() {
    let mut store = pods_store();
    let response = delete(&mut store, KeyRange::prefix("/registry/pods/default/"));
    assert_eq!(response.deleted, 5);
    assert_eq!(response.prev_kvs.len(), 5);
    assert_eq!(store.current_revision(), 9);
    let left = range(&store, RangeRequest::new(KeyRange::prefix("/registry/")));
    assert_eq!(
        keys(&left),
        [
            "/registry/pods/kube-system/dns",
            "/registry/services/default/web"
        ]
    );
}

#[test]
fn put_returns_the_previous_pair_only_when_asked() {
    let mut store = Store::new();
    let first = store.put(PutRequest::new("/a", value("1")).with_prev_kv());
    assert_eq!(first.map(|r| r.prev_kv), Ok(None));
    let plain = store.put(PutRequest::new("/a", value("2")));
    assert_eq!(plain.map(|r| r.prev_kv.is_none()), Ok(true));
    let Ok(asked) = store.put(PutRequest::new("/a", value("3")).with_prev_kv()) else {
        panic!("put succeeds");
    };
    let Some(prev) = asked.prev_kv else {
        panic!("the previous pair was asked for");
    };
    assert_eq!(
        (prev.value.as_str(), prev.mod_revision, prev.version),
        ("2", 3, 2)
    );
}

#[test]
fn values_are_shared_with_readers_not_copied() {
    let mut store = Store::new();
    let shared = value("big object");
    let _ = store.put(PutRequest::new("/a", Arc::clone(&shared)));
    let Some(kv) = get(&store, "/a") else {
        panic!("/a exists");
    };
    assert!(Arc::ptr_eq(&kv.value, &shared));
}

#[test]
fn txn_compare_and_swap_succeeds_when_the_mod_revision_matches() {
    let mut store = Store::new();
    let written = put(&mut store, "/a", "1");
    let response = store.txn(TxnRequest {
        compare: vec![Compare::mod_revision("/a", CompareResult::Equal, written)],
        success: vec![
            RequestOp::Put(PutRequest::new("/a", value("2"))),
            RequestOp::Put(PutRequest::new("/b", value("2"))),
            RequestOp::Range(RangeRequest::new(KeyRange::prefix("/"))),
        ],
        failure: vec![RequestOp::Range(RangeRequest::new(KeyRange::key("/a")))],
    });
    let Ok(response) = response else {
        panic!("txn succeeds: {response:?}");
    };
    assert!(response.succeeded);
    assert_eq!(response.revision, 3, "both puts share one revision");
    let Some(ResponseOp::Range(read)) = response.responses.get(2) else {
        panic!("third response is the range");
    };
    let values: Vec<&str> = read.kvs.iter().map(|kv| kv.value.as_str()).collect();
    assert_eq!(
        values,
        ["2", "2"],
        "a read in the txn sees the txn's own writes"
    );
    assert_eq!(get(&store, "/b").map(|kv| kv.mod_revision), Some(3));
}

#[test]
fn txn_compare_and_swap_runs_the_failure_branch_when_the_mod_revision_moved() {
    let mut store = Store::new();
    let seen = put(&mut store, "/a", "1");
    put(&mut store, "/a", "someone else");
    let response = store.txn(TxnRequest {
        compare: vec![Compare::mod_revision("/a", CompareResult::Equal, seen)],
        success: vec![RequestOp::Put(PutRequest::new("/a", value("mine")))],
        failure: vec![RequestOp::Range(RangeRequest::new(KeyRange::key("/a")))],
    });
    let Ok(response) = response else {
        panic!("txn succeeds: {response:?}");
    };
    assert!(!response.succeeded);
    assert_eq!(
        response.revision, 3,
        "a read-only branch does not advance the revision"
    );
    let Some(ResponseOp::Range(read)) = response.responses.first() else {
        panic!("the failure branch read /a");
    };
    assert_eq!(
        read.kvs.first().map(|kv| kv.value.as_str()),
        Some("someone else")
    );
}

#[test]
fn txn_compares_treat_a_missing_key_as_all_zero_counters() {
    let cases = [
        (Compare::version("/missing", CompareResult::Equal, 0), true),
        (
            Compare::create_revision("/missing", CompareResult::Equal, 0),
            true,
        ),
        (
            Compare::mod_revision("/missing", CompareResult::Greater, 0),
            false,
        ),
        (Compare::version("/a", CompareResult::Greater, 0), true),
        (Compare::version("/a", CompareResult::Less, 2), true),
        (Compare::version("/a", CompareResult::NotEqual, 1), false),
        (
            Compare::create_revision("/a", CompareResult::Equal, 2),
            true,
        ),
    ];
    for (compare, expected) in cases {
        let mut store = Store::new();
        put(&mut store, "/a", "1");
        let response = store.txn(TxnRequest {
            compare: vec![compare.clone()],
            success: vec![],
            failure: vec![],
        });
        assert_eq!(response.map(|r| r.succeeded), Ok(expected), "{compare:?}");
    }
}

#[test]
fn txn_refuses_a_branch_that_writes_a_key_twice_and_changes_nothing() {
    let cases: [Vec<RequestOp<String>>; 2] = [
        vec![
            RequestOp::Put(PutRequest::new("/a", value("1"))),
            RequestOp::Put(PutRequest::new("/a", value("2"))),
        ],
        vec![
            RequestOp::DeleteRange(DeleteRangeRequest::new(KeyRange::prefix("/"))),
            RequestOp::Put(PutRequest::new("/a", value("2"))),
        ],
    ];
    for ops in cases {
        let mut store = Store::new();
        let error = store.txn(TxnRequest {
            compare: vec![],
            success: ops,
            failure: vec![],
        });
        let Err(error) = error else {
            panic!("a duplicate key is refused");
        };
        assert_eq!(
            error.to_string(),
            "etcdserver: duplicate key given in txn request"
        );
        assert_eq!(store.current_revision(), 1);
    }
}

#[test]
fn empty_keys_are_refused_with_etcds_message() {
    let mut store = Store::new();
    let put = store.put(PutRequest::new("", value("x")));
    assert_eq!(
        put.map_err(|e| e.to_string()),
        Err("etcdserver: key is not provided".to_string())
    );
    assert_eq!(
        store.range(&RangeRequest::new(KeyRange::key(""))).err(),
        Some(StoreError::EmptyKey)
    );
    assert!(
        store
            .range(&RangeRequest::new(KeyRange::prefix("")))
            .is_ok(),
        "the empty prefix means every key"
    );
}

#[test]
fn compaction_then_a_read_below_it_fails_and_at_it_succeeds() {
    let mut store = Store::new();
    put(&mut store, "/a", "1"); // 2
    put(&mut store, "/a", "2"); // 3
    put(&mut store, "/b", "1"); // 4
    assert!(store.compact(3).is_ok());
    let below = store.range(&RangeRequest::new(KeyRange::key("/a")).with_revision(2));
    let Err(error) = below else {
        panic!("a read below the compaction point fails");
    };
    assert_eq!(
        error.to_string(),
        "mvcc: required revision has been compacted"
    );
    let at = range(
        &store,
        RangeRequest::new(KeyRange::key("/a")).with_revision(3),
    );
    assert_eq!(at.kvs.first().map(|kv| kv.value.as_str()), Some("2"));
    assert_eq!(store.compact_revision(), 3);
}

#[test]
fn compacting_twice_to_the_same_revision_or_to_the_future_fails() {
    let mut store = pods_store();
    assert!(store.compact(4).is_ok());
    assert!(matches!(
        store.compact(4),
        Err(StoreError::Compacted { .. })
    ));
    let future = store.compact(100);
    assert_eq!(
        future.map_err(|e| e.to_string()),
        Err("mvcc: required revision is a future revision".to_string())
    );
}

#[test]
fn a_read_above_the_current_revision_is_a_future_revision() {
    let store = pods_store();
    let result = store.range(&RangeRequest::new(KeyRange::prefix("/")).with_revision(9));
    assert!(matches!(
        result,
        Err(StoreError::FutureRevision {
            requested: 9,
            current_revision: 8
        })
    ));
}

#[test]
fn compaction_removes_keys_deleted_at_or_before_it() {
    let mut store = pods_store();
    delete(&mut store, KeyRange::prefix("/registry/pods/default/"));
    assert_eq!(store.key_count(), 7);
    assert!(store.compact(store.current_revision()).is_ok());
    assert_eq!(store.key_count(), 2);
}

#[test]
fn compacting_in_steps_drops_each_replaced_revision_once_its_successor_is_compacted() {
    let mut store = Store::new();
    put(&mut store, "/a", "a1"); // 2
    put(&mut store, "/b", "b1"); // 3
    put(&mut store, "/a", "a2"); // 4
    delete(&mut store, KeyRange::key("/b")); // 5
    put(&mut store, "/a", "a3"); // 6
    put(&mut store, "/b", "b2"); // 7
    let history = |store: &Store, key: &str, at: Revision| {
        range(
            store,
            RangeRequest::new(KeyRange::key(key)).with_revision(at),
        )
        .kvs
        .first()
        .map(|kv| kv.value.as_str().to_string())
    };
    assert!(store.compact(4).is_ok());
    assert_eq!(history(&store, "/a", 4).as_deref(), Some("a2"));
    assert_eq!(history(&store, "/b", 4).as_deref(), Some("b1"));
    assert!(store.compact(5).is_ok());
    assert_eq!(history(&store, "/b", 5), None);
    assert_eq!(history(&store, "/a", 5).as_deref(), Some("a2"));
    assert!(store.compact(7).is_ok());
    assert_eq!(history(&store, "/a", 7).as_deref(), Some("a3"));
    assert_eq!(history(&store, "/b", 7).as_deref(), Some("b2"));
    assert_eq!(store.key_count(), 2);
    put(&mut store, "/a", "a4"); // 8
    delete(&mut store, KeyRange::key("/b")); // 9
    assert!(store.compact(9).is_ok());
    assert_eq!(store.key_count(), 1);
    assert_eq!(get(&store, "/a").map(|kv| kv.version), Some(4));
}

#[test]
fn a_watch_from_now_sees_only_later_changes_in_revision_order() {
    let mut store = pods_store();
    let id = watch(
        &mut store,
        WatchRequest::new(KeyRange::prefix("/registry/")),
    );
    assert!(poll(&mut store, id).is_empty());
    put(&mut store, "/registry/pods/default/a", "a2"); // 9
    delete(&mut store, KeyRange::key("/registry/services/default/web")); // 10
    assert_eq!(
        summary(&poll(&mut store, id)),
        [
            ("put", "/registry/pods/default/a".to_string(), 9),
            ("delete", "/registry/services/default/web".to_string(), 10),
        ]
    );
    assert!(poll(&mut store, id).is_empty(), "events are delivered once");
}

#[test]
fn a_watch_from_a_past_revision_replays_history_then_follows_live_changes() {
    let mut store = Store::new();
    put(&mut store, "/a", "1"); // 2
    put(&mut store, "/a", "2"); // 3
    delete(&mut store, KeyRange::key("/a")); // 4
    let id = watch(
        &mut store,
        WatchRequest::new(KeyRange::prefix("/"))
            .from_revision(3)
            .with_prev_kv(),
    );
    put(&mut store, "/b", "1"); // 5
    let events = poll(&mut store, id);
    assert_eq!(
        summary(&events),
        [
            ("put", "/a".to_string(), 3),
            ("delete", "/a".to_string(), 4),
            ("put", "/b".to_string(), 5),
        ]
    );
    let prev_values: Vec<Option<&str>> = events
        .iter()
        .map(|e| e.prev_kv().map(|kv| kv.value.as_str()))
        .collect();
    assert_eq!(prev_values, [Some("1"), Some("2"), None]);
}

#[test]
fn a_watch_on_a_prefix_only_sees_that_prefix() {
    let mut store = Store::new();
    let pods = watch(
        &mut store,
        WatchRequest::new(KeyRange::prefix("/registry/pods/")),
    );
    let one = watch(
        &mut store,
        WatchRequest::new(KeyRange::key("/registry/pods/default/a")),
    );
    put(&mut store, "/registry/pods/default/a", "a");
    put(&mut store, "/registry/pods/default/ab", "ab");
    put(&mut store, "/registry/podsecurity/x", "x");
    put(&mut store, "/registry/services/default/web", "web");
    let pod_keys: Vec<String> = summary(&poll(&mut store, pods))
        .into_iter()
        .map(|(_, k, _)| k)
        .collect();
    assert_eq!(
        pod_keys,
        ["/registry/pods/default/a", "/registry/pods/default/ab"]
    );
    let one_keys: Vec<String> = summary(&poll(&mut store, one))
        .into_iter()
        .map(|(_, k, _)| k)
        .collect();
    assert_eq!(one_keys, ["/registry/pods/default/a"]);
}

#[test]
fn a_watch_from_a_compacted_revision_fails() {
    let mut store = pods_store();
    assert!(store.compact(5).is_ok());
    let result = store.watch(WatchRequest::new(KeyRange::prefix("/")).from_revision(4));
    assert!(matches!(
        result,
        Err(StoreError::Compacted {
            requested: 4,
            compact_revision: 5
        })
    ));
    assert!(store
        .watch(WatchRequest::new(KeyRange::prefix("/")).from_revision(5))
        .is_ok());
}

#[test]
fn a_replaying_watch_overtaken_by_compaction_ends_with_compacted() {
    let mut store = pods_store();
    let id = watch(
        &mut store,
        WatchRequest::new(KeyRange::prefix("/")).from_revision(2),
    );
    assert!(store.compact(6).is_ok());
    assert!(matches!(
        store.poll_watch(id),
        Err(StoreError::Compacted { .. })
    ));
    assert_eq!(
        store.poll_watch(id).err(),
        Some(StoreError::WatchNotFound(id))
    );
}

#[test]
fn watch_events_carry_prev_kv_only_when_asked() {
    let mut store = Store::new();
    put(&mut store, "/a", "1");
    let with = watch(
        &mut store,
        WatchRequest::new(KeyRange::key("/a")).with_prev_kv(),
    );
    let without = watch(&mut store, WatchRequest::new(KeyRange::key("/a")));
    put(&mut store, "/a", "2");
    delete(&mut store, KeyRange::key("/a"));
    let with_events = poll(&mut store, with);
    let prevs: Vec<Option<&str>> = with_events
        .iter()
        .map(|e| e.prev_kv().map(|kv| kv.value.as_str()))
        .collect();
    assert_eq!(prevs, [Some("1"), Some("2")]);
    assert!(poll(&mut store, without)
        .iter()
        .all(|e| e.prev_kv().is_none()));
}

#[test]
fn a_watch_from_a_future_revision_waits_for_it() {
    let mut store = Store::new();
    let id = watch(
        &mut store,
        WatchRequest::new(KeyRange::prefix("/")).from_revision(4),
    );
    put(&mut store, "/a", "1"); // 2
    put(&mut store, "/a", "2"); // 3
    assert!(poll(&mut store, id).is_empty());
    put(&mut store, "/a", "3"); // 4
    assert_eq!(
        summary(&poll(&mut store, id)),
        [("put", "/a".to_string(), 4)]
    );
}

#[test]
fn the_watch_log_is_trimmed_to_the_slowest_watcher_and_dropped_without_watchers() {
    let mut store = Store::new();
    let fast = watch(&mut store, WatchRequest::new(KeyRange::prefix("/")));
    let slow = watch(&mut store, WatchRequest::new(KeyRange::prefix("/")));
    for i in 0..10 {
        put(&mut store, &format!("/k{i}"), "v");
    }
    assert_eq!(poll(&mut store, fast).len(), 10);
    assert_eq!(
        store.logged_changes(),
        10,
        "the slow watcher still needs them"
    );
    assert_eq!(poll(&mut store, slow).len(), 10);
    assert_eq!(store.logged_changes(), 0);
    put(&mut store, "/late", "v");
    assert!(store.cancel_watch(fast).is_ok());
    assert!(store.cancel_watch(slow).is_ok());
    assert_eq!(store.logged_changes(), 0);
    assert_eq!(
        store.cancel_watch(slow),
        Err(StoreError::WatchNotFound(slow))
    );
    put(&mut store, "/unwatched", "v");
    assert_eq!(
        store.logged_changes(),
        0,
        "nothing is logged while nobody watches"
    );
}

#[test]
fn the_watch_log_gives_back_the_room_a_burst_took_once_watchers_catch_up() {
    let mut store = Store::new();
    let id = watch(&mut store, WatchRequest::new(KeyRange::prefix("/")));
    for i in 0..20_000 {
        put(&mut store, &format!("/k{i}"), "v");
    }
    assert!(store.watch_log_capacity() >= 20_000);
    assert_eq!(poll(&mut store, id).len(), 20_000);
    put(&mut store, "/after", "v");
    assert_eq!(poll(&mut store, id).len(), 1);
    assert!(
        store.watch_log_capacity() <= 2_048,
        "kept room for {} changes",
        store.watch_log_capacity()
    );
}

#[test]
fn watchers_share_values_with_the_store() {
    let mut store = Store::new();
    let id = watch(&mut store, WatchRequest::new(KeyRange::prefix("/")));
    let shared = value("pod");
    let _ = store.put(PutRequest::new("/a", Arc::clone(&shared)));
    let events = poll(&mut store, id);
    let Some(WatchEvent::Put { kv, .. }) = events.first() else {
        panic!("one put event");
    };
    assert!(Arc::ptr_eq(&kv.value, &shared));
}

#[test]
fn the_oldest_watch_cursor_is_the_slowest_watchers_next_revision() {
    let mut store = Store::new();
    assert_eq!(store.oldest_watch_cursor(), None);
    put(&mut store, "/a", "1");
    let replaying = watch(
        &mut store,
        WatchRequest::new(KeyRange::prefix("/")).from_revision(2),
    );
    let live = watch(&mut store, WatchRequest::new(KeyRange::prefix("/")));
    put(&mut store, "/a", "2");
    assert_eq!(store.oldest_watch_cursor(), Some(2));
    // Compacting at the cursor still lets the slow watch replay what it has not seen.
    assert!(store.compact(2).is_ok());
    assert_eq!(poll(&mut store, replaying).len(), 2);
    assert_eq!(store.oldest_watch_cursor(), Some(3));
    assert_eq!(poll(&mut store, live).len(), 1);
    assert_eq!(store.oldest_watch_cursor(), Some(4));
    assert!(store.cancel_watch(replaying).is_ok());
    assert!(store.cancel_watch(live).is_ok());
    assert_eq!(store.oldest_watch_cursor(), None);
}
