//! Controller expectations: how many pod creations and which pod deletions a controller has
//! asked for and not yet seen come back through its watch (Kubernetes'
//! `UIDTrackingControllerExpectations` in `controller_utils.go`).
//!
//! A ReplicaSet that has just asked for three pods must not ask again when the next event
//! arrives before the three pods are in its cache, or a burst of events would over-create.
//! So the controller records "expect 3 creations" and manages replicas again only once the
//! watch has shown them (or five minutes have passed, in case some were lost).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use crate::sim::clock::Timestamp;

use super::cache::ObjectKey;

/// How long expectations are trusted before a controller syncs anyway (Kubernetes'
/// `ExpectationsTimeout`, 5 minutes).
pub const EXPECTATIONS_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// The expectations of one controller object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expectation {
    /// Creations asked for and not yet observed.
    pub add: i64,
    /// Deletions asked for and not yet observed.
    pub del: i64,
    /// The pods whose deletion is expected.
    pub deleting: BTreeSet<ObjectKey>,
    /// When the expectations were set.
    pub set_at: Timestamp,
}

impl Expectation {
    /// Whether every expected creation and deletion has been observed.
    pub fn fulfilled(&self) -> bool {
        self.add <= 0 && self.del <= 0
    }
}

/// Expectations of every object of one controller, by the controller object's key.
#[derive(Clone, Debug, Default)]
pub struct ControllerExpectations {
    by_controller: BTreeMap<ObjectKey, Expectation>,
}

impl ControllerExpectations {
    /// Whether the controller may manage replicas of this object now: no expectations, all
    /// observed, or expired.
    pub fn satisfied(&self, key: &ObjectKey, now: Timestamp) -> bool {
        match self.by_controller.get(key) {
            None => true,
            Some(e) => e.fulfilled() || now.since(e.set_at) > EXPECTATIONS_TIMEOUT,
        }
    }

    /// Records that `count` creations were asked for.
    pub fn expect_creations(&mut self, key: &ObjectKey, count: usize, now: Timestamp) {
        self.by_controller.insert(
            key.clone(),
            Expectation {
                add: i64::try_from(count).unwrap_or(i64::MAX),
                del: 0,
                deleting: BTreeSet::new(),
                set_at: now,
            },
        );
    }

    /// Records that these pods are being deleted.
    pub fn expect_deletions(&mut self, key: &ObjectKey, pods: Vec<ObjectKey>, now: Timestamp) {
        let deleting: BTreeSet<ObjectKey> = pods.into_iter().collect();
        self.by_controller.insert(
            key.clone(),
            Expectation {
                add: 0,
                del: i64::try_from(deleting.len()).unwrap_or(i64::MAX),
                deleting,
                set_at: now,
            },
        );
    }

    /// One expected creation was seen (or will never happen because it failed).
    pub fn creation_observed(&mut self, key: &ObjectKey) {
        if let Some(e) = self.by_controller.get_mut(key) {
            e.add -= 1;
        }
    }

    /// The deletion of this pod was seen (or failed). Pods that were not expected change
    /// nothing.
    pub fn deletion_observed(&mut self, key: &ObjectKey, pod: &ObjectKey) {
        if let Some(e) = self.by_controller.get_mut(key) {
            if e.deleting.remove(pod) {
                e.del -= 1;
            }
        }
    }

    /// Forgets the expectations of a deleted controller object.
    pub fn delete(&mut self, key: &ObjectKey) {
        self.by_controller.remove(key);
    }

    /// The expectations of one object, if any.
    pub fn get(&self, key: &ObjectKey) -> Option<&Expectation> {
        self.by_controller.get(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expectations_are_satisfied_once_every_creation_is_observed_or_they_expire() {
        let key = ObjectKey::new("default", "web");
        let start = Timestamp(1_000);
        let mut expectations = ControllerExpectations::default();
        assert!(expectations.satisfied(&key, start));
        expectations.expect_creations(&key, 2, start);
        assert!(!expectations.satisfied(&key, start));
        expectations.creation_observed(&key);
        assert!(!expectations.satisfied(&key, start));
        expectations.creation_observed(&key);
        assert!(expectations.satisfied(&key, start));
        expectations.expect_creations(&key, 1, start);
        assert!(expectations.satisfied(
            &key,
            start
                .plus(EXPECTATIONS_TIMEOUT)
                .plus(Duration::from_millis(1))
        ));
    }

    #[test]
    fn only_expected_pod_deletions_count() {
        let key = ObjectKey::new("default", "web");
        let mut expectations = ControllerExpectations::default();
        let a = ObjectKey::new("default", "a");
        expectations.expect_deletions(&key, vec![a.clone()], Timestamp(0));
        expectations.deletion_observed(&key, &ObjectKey::new("default", "other"));
        assert!(!expectations.satisfied(&key, Timestamp(0)));
        expectations.deletion_observed(&key, &a);
        expectations.deletion_observed(&key, &a);
        assert_eq!(expectations.get(&key).unwrap().del, 0);
        assert!(expectations.satisfied(&key, Timestamp(0)));
    }
}
