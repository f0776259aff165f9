//! Throughput of the MVCC store: puts per second, and watch fan-out to 1,000 watchers.
//!
//! Run with `cargo bench -p kubeplay-core --bench store`. Keys look like the API server's
//! (`/registry/pods/<namespace>/pod-<n>`); values are small (`Arc<u64>`), created per put.

use std::sync::Arc;

use divan::counter::ItemsCount;
use divan::Bencher;
use kubeplay_core::store::{KeyRange, KvStore, MemoryStore, PutRequest, WatchEvent, WatchRequest};

fn main() {
    divan::main();
}

const PUTS: usize = 100_000;
const WATCHERS: usize = 1_000;
const BATCH: usize = 1_000;

fn pod_keys(count: usize) -> Vec<String> {
    (0..count)
        .map(|i| format!("/registry/pods/ns-{:03}/pod-{i:06}", i % 100))
        .collect()
}

fn filled_store(keys: &[String]) -> MemoryStore<u64> {
    let mut store = MemoryStore::new();
    for (i, key) in keys.iter().enumerate() {
        let _ = store.put(PutRequest::new(key.as_str(), Arc::new(i as u64)));
    }
    store
}

/// Puts on keys the store has never seen: each allocates a key and a history.
#[divan::bench(sample_count = 20)]
fn puts_on_fresh_keys(bencher: Bencher) {
    bencher
        .counter(ItemsCount::new(PUTS))
        .with_inputs(|| (MemoryStore::<u64>::new(), pod_keys(PUTS)))
        .bench_local_values(|(mut store, keys)| {
            for (i, key) in keys.into_iter().enumerate() {
                let _ = store.put(PutRequest::new(key, Arc::new(i as u64)));
            }
            store
        });
}

/// Puts that overwrite existing keys: each appends a revision to a key's history.
#[divan::bench(sample_count = 20)]
fn puts_overwriting_keys(bencher: Bencher) {
    bencher
        .counter(ItemsCount::new(PUTS))
        .with_inputs(|| {
            let keys = pod_keys(PUTS);
            (filled_store(&keys), keys)
        })
        .bench_local_values(|(mut store, keys)| {
            for (i, key) in keys.into_iter().enumerate() {
                let _ = store.put(PutRequest::new(key, Arc::new(i as u64)));
            }
            store
        });
}

/// Overwrites followed by compaction, the steady state of a long-running cluster.
#[divan::bench(sample_count = 20)]
fn puts_overwriting_keys_then_compacting(bencher: Bencher) {
    bencher
        .counter(ItemsCount::new(PUTS))
        .with_inputs(|| {
            let keys = pod_keys(PUTS);
            (filled_store(&keys), keys)
        })
        .bench_local_values(|(mut store, keys)| {
            for (i, key) in keys.into_iter().enumerate() {
                let _ = store.put(PutRequest::new(key, Arc::new(i as u64)));
            }
            let _ = store.compact(store.current_revision());
            store
        });
}

/// Overwrites while one watcher (the API server's watch cache) follows every key: each put
/// is also appended to the shared watch log, which a poll per 1,000 puts drains.
#[divan::bench(sample_count = 20)]
fn puts_overwriting_keys_with_one_watcher(bencher: Bencher) {
    bencher
        .counter(ItemsCount::new(PUTS))
        .with_inputs(|| {
            let keys = pod_keys(PUTS);
            let mut store = filled_store(&keys);
            let id = store.watch(WatchRequest::new(KeyRange::prefix("/registry/")));
            (store, id, keys)
        })
        .bench_local_values(|(mut store, id, keys)| {
            let mut events = Vec::with_capacity(BATCH);
            for (i, key) in keys.into_iter().enumerate() {
                let _ = store.put(PutRequest::new(key, Arc::new(i as u64)));
                if i % BATCH == BATCH - 1 {
                    if let Ok(id) = id {
                        events.clear();
                        let _ = store.poll_watch_into(id, &mut events);
                    }
                }
            }
            store
        });
}

fn store_with_watchers(
    prefix_of: impl Fn(usize) -> String,
) -> (MemoryStore<u64>, Vec<kubeplay_core::store::WatchId>) {
    let mut store = MemoryStore::new();
    let ids = (0..WATCHERS)
        .filter_map(|i| {
            store
                .watch(WatchRequest::new(KeyRange::prefix(prefix_of(i))))
                .ok()
        })
        .collect();
    (store, ids)
}

/// 1,000 watchers on `/registry/pods/` each receive every event of a batch of 1,000 puts:
/// one million deliveries per iteration (counted items), puts and polls included.
#[divan::bench(sample_count = 20)]
fn watch_fan_out_to_1000_prefix_watchers(bencher: Bencher) {
    let keys = pod_keys(BATCH);
    bencher
        .counter(ItemsCount::new(WATCHERS * BATCH))
        .with_inputs(|| store_with_watchers(|_| "/registry/pods/".to_string()))
        .bench_local_values(|(mut store, ids)| {
            for (i, key) in keys.iter().enumerate() {
                let _ = store.put(PutRequest::new(key.as_str(), Arc::new(i as u64)));
            }
            let mut delivered = 0;
            let mut events: Vec<WatchEvent<u64>> = Vec::with_capacity(BATCH);
            for id in &ids {
                events.clear();
                let _ = store.poll_watch_into(*id, &mut events);
                delivered += events.len();
            }
            assert_eq!(delivered, WATCHERS * BATCH);
            store
        });
}

/// 1,000 watchers on 100 namespace prefixes (10 per namespace), a batch of 1,000 puts spread
/// over the namespaces: each watcher filters the shared log and receives its 10 events.
#[divan::bench(sample_count = 20)]
fn watch_fan_out_to_1000_watchers_on_disjoint_prefixes(bencher: Bencher) {
    let keys = pod_keys(BATCH);
    bencher
        .counter(ItemsCount::new(BATCH))
        .with_inputs(|| store_with_watchers(|i| format!("/registry/pods/ns-{:03}/", i % 100)))
        .bench_local_values(|(mut store, ids)| {
            for (i, key) in keys.iter().enumerate() {
                let _ = store.put(PutRequest::new(key.as_str(), Arc::new(i as u64)));
            }
            let mut delivered = 0;
            let mut events: Vec<WatchEvent<u64>> = Vec::with_capacity(BATCH);
            for id in &ids {
                events.clear();
                let _ = store.poll_watch_into(*id, &mut events);
                delivered += events.len();
            }
            assert_eq!(delivered, WATCHERS * BATCH / 100);
            store
        });
}
