//! Events expire. kube-apiserver stores every Event under an etcd lease of `--event-ttl`
//! (1 h by default, `pkg/registry/core/event/storage`): each create or update of the Event
//! grants a fresh lease, and when the last one runs out etcd deletes the key, so watchers see
//! the Event `DELETED` and `kubectl get events` shows only the last hour. Without this, a
//! cluster that runs for days keeps every Event ever recorded.
//!
//! The leases are not kept per Event: at 150,000 pods the sim writes most of a million Events,
//! and a queue of their keys cost ~80 MB. Instead the API server notes, per second in which
//! Events were written, the last such write's time and store revision (a checkpoint). The
//! store's revisions only grow, so every Event whose `mod_revision` is at or below a
//! checkpoint's was last written at or before the checkpoint's time: once that time plus the
//! TTL has passed, a scan of the Events deletes exactly those. A rewritten Event has a newer
//! `mod_revision` and waits for a later checkpoint; a deleted one is simply not found. The
//! scan reads every Event, so the World runs it only every few seconds, and only once some
//! checkpoint is due (the first hour of a cluster costs nothing but the checkpoints).

use std::collections::VecDeque;
use std::time::Duration;

use super::ApiServer;
use crate::api::objects::{Kind, Object};
use crate::sim::clock::Timestamp;
use crate::store::{KeyRange, KvStore, RangeRequest, Revision};

/// kube-apiserver's `--event-ttl` default.
pub const DEFAULT_EVENT_TTL: Duration = Duration::from_secs(60 * 60);

/// Event writes closer together than this share one checkpoint.
const CHECKPOINT_SPAN: Duration = Duration::from_secs(1);

/// How many Events one page of the expiry scan reads.
const SCAN_PAGE: usize = 4_096;

/// The Event writes of up to [`CHECKPOINT_SPAN`]: the last one's time and revision.
#[derive(Clone, Copy, Debug)]
struct Checkpoint {
    /// The first write's time (where the span starts).
    first: Timestamp,
    /// The last write's time: the leases of these writes run out at `last` + TTL.
    last: Timestamp,
    /// The last write's store revision.
    revision: Revision,
}

/// The Events' leases, as checkpoints oldest first.
#[derive(Clone, Debug)]
pub(crate) struct EventLeases {
    ttl: Duration,
    checkpoints: VecDeque<Checkpoint>,
}

impl Default for EventLeases {
    fn default() -> EventLeases {
        EventLeases {
            ttl: DEFAULT_EVENT_TTL,
            checkpoints: VecDeque::new(),
        }
    }
}

impl EventLeases {
    /// Records an Event write at `revision` at `now`.
    fn written(&mut self, now: Timestamp, revision: Revision) {
        match self.checkpoints.back_mut() {
            Some(open) if now < open.first.plus(CHECKPOINT_SPAN) => {
                open.last = open.last.max(now);
                open.revision = open.revision.max(revision);
            }
            _ => self.checkpoints.push_back(Checkpoint {
                first: now,
                last: now,
                revision,
            }),
        }
    }

    /// The highest revision whose leases have all run out at `now`, taking the checkpoints
    /// it covers off the queue; None when no checkpoint is due.
    fn take_expired(&mut self, now: Timestamp) -> Option<Revision> {
        if self.ttl.is_zero() {
            return None;
        }
        let mut expired = None;
        while let Some(oldest) = self.checkpoints.front() {
            if oldest.last.plus(self.ttl) > now {
                break;
            }
            expired = Some(oldest.revision);
            self.checkpoints.pop_front();
        }
        expired
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
            self.event_leases.checkpoints = VecDeque::new();
        }
    }

    /// The `--event-ttl` in force.
    pub fn event_ttl(&self) -> Duration {
        self.event_leases.ttl
    }

    /// Notes a committed write of `object`: an Event gets a fresh lease.
    pub(crate) fn lease_if_event(&mut self, object: &Object, revision: Revision) {
        if matches!(object, Object::Event(_)) && !self.event_leases.ttl.is_zero() {
            self.event_leases.written(self.now, revision);
        }
    }

    /// Leases for the Events found in the store when the API server starts (a restart keeps
    /// no lease times, so each runs a full TTL from now).
    pub(crate) fn lease_stored_events(&mut self) {
        let revision = self.store.current_revision();
        if revision > 0 {
            self.event_leases.written(self.now, revision);
        }
    }

    /// Deletes every Event whose lease ran out by now, as etcd does when a lease expires: no
    /// request, no grace period, a plain delete that watchers see as `DELETED`. Reads every
    /// Event when some lease is due (see the module docs), else nothing. Returns how many
    /// were deleted.
    pub fn expire_events(&mut self) -> usize {
        let Some(expired) = self.event_leases.take_expired(self.now) else {
            return 0;
        };
        let prefix = super::registry::key_prefix(Kind::Event);
        let end = super::list::prefix_end(prefix);
        let mut from = prefix.to_string();
        let mut deleted = 0;
        loop {
            let page = RangeRequest::new(KeyRange::range(from.as_str(), end.as_str()))
                .with_limit(SCAN_PAGE)
                .stopping_at_limit();
            let Ok(response) = self.store.range(&page) else {
                return deleted;
            };
            let Some(last) = response.kvs.last() else {
                return deleted;
            };
            from = format!("{}\0", last.key);
            for kv in &response.kvs {
                if kv.mod_revision <= expired {
                    if let Ok(Some(_)) = self.commit_delete(&kv.key, kv.mod_revision, &kv.value) {
                        deleted += 1;
                    }
                }
            }
            if !response.more {
                return deleted;
            }
        }
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
    fn writes_within_a_second_expire_together_never_before_their_ttl() {
        let mut api = ApiServer::new(1, crate::sim::clock::SIM_EPOCH);
        api.set_event_ttl(Duration::from_secs(60));
        let start = api.now();
        api.create("default", event("a", "at 0 ms")).unwrap();
        api.set_time(start.plus(Duration::from_millis(900)));
        api.create("default", event("b", "at 900 ms")).unwrap();
        // One checkpoint for both: a's lease counts from b's write, so a stays 900 ms longer
        // than its TTL but never goes early.
        api.set_time(start.plus(Duration::from_millis(60_000)));
        assert_eq!(api.expire_events(), 0);
        api.set_time(start.plus(Duration::from_millis(60_900)));
        assert_eq!(api.expire_events(), 2);
    }

    #[test]
    fn the_scan_pages_through_more_events_than_one_page_and_keeps_newer_ones() {
        let mut api = ApiServer::new(1, crate::sim::clock::SIM_EPOCH);
        api.set_event_ttl(Duration::from_secs(60));
        let old = SCAN_PAGE + 100;
        for i in 0..old {
            api.create("default", event(&format!("old-{i:05}"), "old"))
                .unwrap();
        }
        api.set_time(at(&api, 30));
        api.create("default", event("new", "new")).unwrap();
        api.set_time(at(&api, 60));
        assert_eq!(api.expire_events(), old);
        assert_eq!(names(&mut api), ["new"]);
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
