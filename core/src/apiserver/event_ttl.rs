//! Events expire. kube-apiserver stores every Event under an etcd lease of `--event-ttl`
//! (1 h by default, `pkg/registry/core/event/storage`): each create or update of the Event
//! grants a fresh lease, and when the last one runs out etcd deletes the key, so watchers see
//! the Event `DELETED` and `kubectl get events` shows only the last hour. Without this, a
//! cluster that runs for days keeps every Event ever recorded.
//!
//! The leases here are a queue in write order, not a map: the API server's clock only moves
//! forward and every lease lasts the same `ttl`, so the oldest write always expires first.
//! A rewritten Event leaves its older entry behind; that entry is recognised by its revision
//! (the key has moved on) and dropped when it reaches the front. A deleted Event's entry finds
//! no key. Each entry costs its key and two numbers (the sim writes hundreds of thousands of
//! Events at 150,000 pods, so no per-key index is kept beside the store).

use std::collections::VecDeque;
use std::time::Duration;

use super::ApiServer;
use crate::api::objects::{Kind, Object};
use crate::sim::clock::Timestamp;
use crate::store::{KeyRange, KvStore, RangeRequest, Revision};

/// kube-apiserver's `--event-ttl` default.
pub const DEFAULT_EVENT_TTL: Duration = Duration::from_secs(60 * 60);

/// One Event write's lease.
#[derive(Clone, Debug)]
struct Lease {
    /// When the write happened (the lease runs `ttl` from here).
    written: Timestamp,
    /// The Event's store key.
    key: Box<str>,
    /// The revision the write made: the lease still holds while the key is at it.
    revision: Revision,
}

/// The Events' leases, oldest write first.
#[derive(Clone, Debug)]
pub(crate) struct EventLeases {
    ttl: Duration,
    queue: VecDeque<Lease>,
}

impl Default for EventLeases {
    fn default() -> EventLeases {
        EventLeases {
            ttl: DEFAULT_EVENT_TTL,
            queue: VecDeque::new(),
        }
    }
}

impl EventLeases {
    /// Records that `key` was written at `revision` at `written`.
    fn grant(&mut self, key: &str, revision: Revision, written: Timestamp) {
        self.queue.push_back(Lease {
            written,
            key: key.into(),
            revision,
        });
    }

    /// The oldest lease that has run out at `now`, taken off the queue.
    fn pop_expired(&mut self, now: Timestamp) -> Option<Lease> {
        let front = self.queue.front()?;
        if self.ttl.is_zero() {
            return None;
        }
        if front.written.plus(self.ttl) > now {
            return None;
        }
        self.queue.pop_front()
    }
}

impl<S: KvStore<Object>> ApiServer<S> {
    /// `--event-ttl`: how long an Event is kept after its last write. Applies to the Events
    /// already stored too (their leases count from their last write, or from when this API
    /// server started for the ones it found in the store). Zero keeps Events for good, as
    /// kube-apiserver stores without a lease then.
    pub fn set_event_ttl(&mut self, ttl: Duration) {
        self.event_leases.ttl = ttl;
        if ttl.is_zero() {
            self.event_leases.queue = VecDeque::new();
        }
    }

    /// The `--event-ttl` in force.
    pub fn event_ttl(&self) -> Duration {
        self.event_leases.ttl
    }

    /// Notes a committed write of `object` at `key`: an Event gets a fresh lease.
    pub(crate) fn lease_if_event(&mut self, key: &str, object: &Object, revision: Revision) {
        if matches!(object, Object::Event(_)) && !self.event_leases.ttl.is_zero() {
            self.event_leases.grant(key, revision, self.now);
        }
    }

    /// Leases for the Events found in the store when the API server starts (a restart keeps
    /// no lease times, so each runs a full `ttl` from now).
    pub(crate) fn lease_stored_events(&mut self) {
        let prefix = super::registry::key_prefix(Kind::Event);
        let Ok(response) = self
            .store
            .range(&RangeRequest::new(KeyRange::prefix(prefix)))
        else {
            return;
        };
        for kv in response.kvs {
            self.event_leases.grant(&kv.key, kv.mod_revision, self.now);
        }
    }

    /// Deletes every Event whose lease ran out by now, as etcd does when a lease expires: no
    /// request, no grace period, a plain delete that watchers see as `DELETED`. Returns how
    /// many were deleted.
    pub fn expire_events(&mut self) -> usize {
        let mut deleted = 0;
        while let Some(lease) = self.event_leases.pop_expired(self.now) {
            let Ok(Some(current)) = self.store.get(&lease.key) else {
                continue;
            };
            if current.mod_revision != lease.revision {
                // Written again since: a newer lease is further back in the queue.
                continue;
            }
            let last_state = Object::clone(&current.value);
            if let Ok(Some(_)) = self.commit_delete(&lease.key, current.mod_revision, &last_state) {
                deleted += 1;
            }
        }
        deleted
    }
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::{Event, ObjectReference};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    use super::*;
    use crate::apiserver::WatchOptions;
    use crate::store::MemoryStore;

    fn event(name: &str, message: &str) -> Object {
        Object::from(Event {
            metadata: ObjectMeta {
                name: Some(name.to_string()),
                namespace: Some("default".to_string()),
                ..ObjectMeta::default()
            },
            involved_object: ObjectReference {
                kind: Some("Pod".to_string()),
                name: Some("web".to_string()),
                namespace: Some("default".to_string()),
                ..ObjectReference::default()
            },
            reason: Some("Started".to_string()),
            message: Some(message.to_string()),
            type_: Some("Normal".to_string()),
            ..Event::default()
        })
    }

    fn names(api: &mut ApiServer) -> Vec<String> {
        api.list(Kind::Event, Some("default"), &Default::default())
            .unwrap()
            .items
            .iter()
            .filter_map(|o| o.metadata().name.clone())
            .collect()
    }

    fn at(api: &ApiServer, seconds: u64) -> Timestamp {
        crate::sim::clock::SIM_EPOCH
            .plus(Duration::from_secs(seconds))
            .max(api.now())
    }

    #[test]
    fn an_event_is_deleted_an_event_ttl_after_its_last_write_and_watchers_see_it_go() {
        let mut api = ApiServer::new(1, crate::sim::clock::SIM_EPOCH);
        api.set_event_ttl(Duration::from_secs(600));
        api.create("default", event("a", "first")).unwrap();
        api.set_time(at(&api, 100));
        api.create("default", event("b", "second")).unwrap();
        let watch = api.watch(Kind::Event, Some("default"), &WatchOptions::default());
        let watch = watch.unwrap();

        // At 599 s nothing has run out; at 600 s the first Event's lease has.
        api.set_time(at(&api, 599));
        assert_eq!(api.expire_events(), 0);
        // Rewriting b at 599 s renews its lease to 1,199 s.
        let mut b = event("b", "second, again");
        let stored = api.get(Kind::Event, "default", "b").unwrap();
        b.set_resource_version(stored.resource_version().map(str::to_string));
        api.update("default", b).unwrap();
        api.set_time(at(&api, 600));
        assert_eq!(api.expire_events(), 1);
        assert_eq!(names(&mut api), ["b"]);
        // b's first lease (from 100 s) ran out at 700 s, but b was written since.
        api.set_time(at(&api, 1_198));
        assert_eq!(api.expire_events(), 0);
        assert_eq!(names(&mut api), ["b"]);
        api.set_time(at(&api, 1_199));
        assert_eq!(api.expire_events(), 1);
        assert!(names(&mut api).is_empty());

        let seen: Vec<(String, Option<String>)> = api
            .poll_watch(watch)
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e.event_type.as_str().to_string(),
                    e.object.metadata().name.clone(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                // A watch without a resourceVersion starts with what exists.
                ("ADDED".to_string(), Some("a".to_string())),
                ("ADDED".to_string(), Some("b".to_string())),
                ("MODIFIED".to_string(), Some("b".to_string())),
                ("DELETED".to_string(), Some("a".to_string())),
                ("DELETED".to_string(), Some("b".to_string())),
            ]
        );
    }

    #[test]
    fn a_deleted_or_recreated_event_is_not_expired_by_its_old_lease() {
        let mut api = ApiServer::new(1, crate::sim::clock::SIM_EPOCH);
        api.set_event_ttl(Duration::from_secs(60));
        api.create("default", event("a", "old")).unwrap();
        api.delete(Kind::Event, "default", "a", &Default::default())
            .unwrap();
        api.set_time(at(&api, 30));
        api.create("default", event("a", "new")).unwrap();
        api.set_time(at(&api, 60));
        assert_eq!(
            api.expire_events(),
            0,
            "the old lease is the deleted Event's"
        );
        assert_eq!(names(&mut api), ["a"]);
        api.set_time(at(&api, 90));
        assert_eq!(api.expire_events(), 1);
    }

    #[test]
    fn a_zero_event_ttl_keeps_events_for_good() {
        let mut api = ApiServer::new(1, crate::sim::clock::SIM_EPOCH);
        api.create("default", event("a", "kept")).unwrap();
        api.set_event_ttl(Duration::ZERO);
        api.create("default", event("b", "kept")).unwrap();
        api.set_time(at(&api, 100 * 3_600));
        assert_eq!(api.expire_events(), 0);
        assert_eq!(names(&mut api), ["a", "b"]);
    }

    #[test]
    fn events_found_in_the_store_at_start_get_a_full_ttl_from_then() {
        let mut api = ApiServer::new(1, crate::sim::clock::SIM_EPOCH);
        api.create("default", event("a", "before the restart"))
            .unwrap();
        api.create("default", event("b", "before the restart"))
            .unwrap();
        let store: MemoryStore<Object> = api.store().clone();
        let restart = crate::sim::clock::SIM_EPOCH.plus(Duration::from_secs(3_000));
        let mut api = ApiServer::with_store(store, 2, restart);
        assert_eq!(api.event_ttl(), DEFAULT_EVENT_TTL);
        api.set_time(restart.plus(Duration::from_secs(3_599)));
        assert_eq!(api.expire_events(), 0);
        api.set_time(restart.plus(DEFAULT_EVENT_TTL));
        assert_eq!(api.expire_events(), 2);
        assert!(names(&mut api).is_empty());
    }
}
