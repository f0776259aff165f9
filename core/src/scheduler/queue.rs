//! The scheduling queue, sans-IO: kube-scheduler's activeQ, backoffQ and unschedulable pods.
//!
//! Pods arrive with [`SchedulingQueue::add`] and leave with [`SchedulingQueue::pop`] in
//! PrioritySort order (higher priority, then earlier queue time). A pod that could not be
//! scheduled comes back through [`SchedulingQueue::add_unschedulable`] and waits until a
//! cluster event ([`SchedulingQueue::handle_cluster_event`]: node added or updated, assigned
//! pod deleted) or until it has waited 5 minutes; it then goes to the backoffQ if its backoff
//! (1 s doubling per attempt up to 10 s) has not expired, else straight to the activeQ.
//! Time is the caller's: every method takes `now_ms`, and [`SchedulingQueue::handle_tick`]
//! runs the periodic flushes. Nothing here is stored per pod but its key and a few integers.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use super::framework::queue_sort_less;

/// `podInitialBackoffDuration` default.
pub const POD_INITIAL_BACKOFF_MS: u64 = 1_000;
/// `podMaxBackoffDuration` default.
pub const POD_MAX_BACKOFF_MS: u64 = 10_000;
/// `podMaxInUnschedulablePodsDuration`: unschedulable pods are retried after this long.
pub const POD_MAX_IN_UNSCHEDULABLE_PODS_MS: u64 = 5 * 60 * 1_000;

/// A cluster change that may make unschedulable pods schedulable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClusterEvent {
    /// A node was added.
    NodeAdded,
    /// A node changed (labels, taints, allocatable, unschedulable).
    NodeUpdated,
    /// A pod bound to a node was deleted, freeing room.
    AssignedPodDeleted,
}

/// A pod waiting in the queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuedPod {
    /// `namespace/name`.
    pub key: String,
    /// `spec.priority`.
    pub priority: i32,
    /// When it was last added to a queue.
    pub timestamp_ms: u64,
    /// How many scheduling attempts it has had.
    pub attempts: u32,
}

/// Where a pod currently waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueName {
    /// Ready to be popped.
    Active,
    /// Waiting out its backoff.
    Backoff,
    /// Waiting for a cluster event or the 5-minute flush.
    Unschedulable,
    /// Popped and being scheduled.
    InFlight,
}

/// `calculateBackoffDuration`: 1 s for the first attempt, doubling, at most 10 s.
pub fn backoff_duration_ms(attempts: u32) -> u64 {
    let mut duration = POD_INITIAL_BACKOFF_MS;
    for _ in 1..attempts {
        duration = duration.saturating_mul(2);
        if duration > POD_MAX_BACKOFF_MS {
            return POD_MAX_BACKOFF_MS;
        }
    }
    duration
}

/// activeQ + backoffQ + unschedulable pods.
#[derive(Clone, Debug, Default)]
pub struct SchedulingQueue {
    pods: BTreeMap<String, (QueuedPod, QueueName)>,
    active: BTreeMap<ActiveSlot, String>,
    backoff: BTreeMap<BackoffSlot, String>,
    /// The unschedulable pods by the time they were put there, so the 5-minute flush and
    /// [`SchedulingQueue::poll_timeout_ms`] read the oldest ones instead of scanning every
    /// queued pod (with 10,000 pods Pending for want of nodes, that scan on every turn of
    /// `kubeplay serve`'s loop took most of its CPU).
    unschedulable: BTreeMap<UnschedulableSlot, String>,
    /// Where each pod of `active`, `backoff` or `unschedulable` sits there, so taking it out
    /// is one lookup instead of a scan of the queues (which made queueing 150,000 pods
    /// quadratic).
    slots: BTreeMap<String, Slot>,
    sequence: u64,
}

/// An activeQ position: priority (highest first), then queue time, then arrival.
type ActiveSlot = (Reverse<i32>, u64, u64);
/// A backoffQ position: backoff expiry, then arrival.
type BackoffSlot = (u64, u64);
/// A place among the unschedulable pods: when it was put there, then arrival.
type UnschedulableSlot = (u64, u64);

/// Where a pod sits in the activeQ or backoffQ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Active(ActiveSlot),
    Backoff(BackoffSlot),
    Unschedulable(UnschedulableSlot),
}

impl SchedulingQueue {
    /// An empty queue.
    pub fn new() -> SchedulingQueue {
        SchedulingQueue::default()
    }

    fn next_sequence(&mut self) -> u64 {
        self.sequence += 1;
        self.sequence
    }

    fn push_active(&mut self, mut pod: QueuedPod, now_ms: u64) {
        pod.timestamp_ms = now_ms;
        let sequence = self.next_sequence();
        let slot = (Reverse(pod.priority), pod.timestamp_ms, sequence);
        self.active.insert(slot, pod.key.clone());
        self.slots.insert(pod.key.clone(), Slot::Active(slot));
        self.pods.insert(pod.key.clone(), (pod, QueueName::Active));
    }

    fn push_backoff(&mut self, pod: QueuedPod) {
        let expiry = self.backoff_expiry_ms(&pod);
        let sequence = self.next_sequence();
        self.backoff.insert((expiry, sequence), pod.key.clone());
        self.slots
            .insert(pod.key.clone(), Slot::Backoff((expiry, sequence)));
        self.pods.insert(pod.key.clone(), (pod, QueueName::Backoff));
    }

    fn backoff_expiry_ms(&self, pod: &QueuedPod) -> u64 {
        pod.timestamp_ms
            .saturating_add(backoff_duration_ms(pod.attempts))
    }

    fn forget_position(&mut self, key: &str) {
        match self.slots.remove(key) {
            Some(Slot::Active(slot)) => {
                self.active.remove(&slot);
            }
            Some(Slot::Backoff(slot)) => {
                self.backoff.remove(&slot);
            }
            Some(Slot::Unschedulable(slot)) => {
                self.unschedulable.remove(&slot);
            }
            None => {}
        }
    }

    /// A new pending pod enters the activeQ.
    pub fn add(&mut self, key: &str, priority: i32, now_ms: u64) {
        self.forget_position(key);
        let pod = QueuedPod {
            key: key.to_string(),
            priority,
            timestamp_ms: now_ms,
            attempts: 0,
        };
        self.push_active(pod, now_ms);
    }

    /// A pod left (deleted or bound elsewhere).
    pub fn delete(&mut self, key: &str) {
        self.forget_position(key);
        self.pods.remove(key);
    }

    /// Where a pod waits, if it is queued.
    pub fn queue_of(&self, key: &str) -> Option<QueueName> {
        self.pods.get(key).map(|(_, q)| *q)
    }

    /// How many pods wait in each queue: (active, backoff, unschedulable).
    pub fn len(&self) -> (usize, usize, usize) {
        (
            self.active.len(),
            self.backoff.len(),
            self.unschedulable.len(),
        )
    }

    /// Whether no pod waits anywhere.
    pub fn is_empty(&self) -> bool {
        self.pods.is_empty()
    }

    /// Takes the next pod in PrioritySort order (after moving pods whose backoff expired),
    /// counting the attempt.
    pub fn pop(&mut self, now_ms: u64) -> Option<QueuedPod> {
        self.flush_backoff_completed(now_ms);
        let (_, key) = self.active.pop_first()?;
        self.slots.remove(&key);
        let (pod, queue) = self.pods.get_mut(&key)?;
        pod.attempts = pod.attempts.saturating_add(1);
        *queue = QueueName::InFlight;
        Some(pod.clone())
    }

    /// A popped pod did not fit: it waits among the unschedulable pods.
    pub fn add_unschedulable(&mut self, mut pod: QueuedPod, now_ms: u64) {
        self.forget_position(&pod.key);
        pod.timestamp_ms = now_ms;
        let slot = (now_ms, self.next_sequence());
        self.unschedulable.insert(slot, pod.key.clone());
        self.slots
            .insert(pod.key.clone(), Slot::Unschedulable(slot));
        self.pods
            .insert(pod.key.clone(), (pod, QueueName::Unschedulable));
    }

    /// A popped pod failed for another reason (an error): it backs off and retries.
    pub fn add_backoff(&mut self, mut pod: QueuedPod, now_ms: u64) {
        self.forget_position(&pod.key);
        pod.timestamp_ms = now_ms;
        self.push_backoff(pod);
    }

    /// A popped pod was scheduled and bound: it leaves the queue.
    pub fn done(&mut self, key: &str) {
        self.delete(key);
    }

    fn move_unschedulable(&mut self, now_ms: u64, only_older_than_ms: Option<u64>) {
        // The pods put there at or before this time qualify.
        let put_by_ms = match only_older_than_ms {
            None => u64::MAX,
            Some(age) => match now_ms.checked_sub(age) {
                Some(time) => time,
                None => return,
            },
        };
        let mut keys: Vec<String> = Vec::new();
        while let Some(entry) = self.unschedulable.first_entry() {
            if entry.key().0 > put_by_ms {
                break;
            }
            keys.push(entry.remove());
        }
        // They move in name order, as when they were found by scanning the pods by key:
        // the order gives them their place among activeQ pods of the same priority and time.
        keys.sort_unstable();
        for key in keys {
            self.slots.remove(&key);
            let Some((pod, _)) = self.pods.remove(&key) else {
                continue;
            };
            if self.backoff_expiry_ms(&pod) > now_ms {
                self.push_backoff(pod);
            } else {
                self.push_active(pod, now_ms);
            }
        }
    }

    /// `MoveAllToActiveOrBackoffQueue`: a cluster event may help every unschedulable pod.
    pub fn handle_cluster_event(&mut self, event: ClusterEvent, now_ms: u64) {
        match event {
            ClusterEvent::NodeAdded
            | ClusterEvent::NodeUpdated
            | ClusterEvent::AssignedPodDeleted => {
                self.move_unschedulable(now_ms, None);
            }
        }
    }

    fn flush_backoff_completed(&mut self, now_ms: u64) {
        while let Some(entry) = self.backoff.first_entry() {
            if entry.key().0 > now_ms {
                break;
            }
            let key = entry.remove();
            self.slots.remove(&key);
            if let Some((pod, _)) = self.pods.remove(&key) {
                self.push_active(pod, now_ms);
            }
        }
    }

    /// The periodic flushes: backoff expired → activeQ; unschedulable for 5 minutes →
    /// activeQ or backoffQ.
    pub fn handle_tick(&mut self, now_ms: u64) {
        self.flush_backoff_completed(now_ms);
        self.move_unschedulable(now_ms, Some(POD_MAX_IN_UNSCHEDULABLE_PODS_MS));
    }

    /// When the queue next needs [`SchedulingQueue::handle_tick`]: the earliest backoff
    /// expiry or 5-minute flush.
    pub fn poll_timeout_ms(&self) -> Option<u64> {
        let backoff = self.backoff.keys().next().map(|(expiry, _)| *expiry);
        let flush = self
            .unschedulable
            .keys()
            .next()
            .map(|(put_at, _)| put_at.saturating_add(POD_MAX_IN_UNSCHEDULABLE_PODS_MS));
        match (backoff, flush) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Whether `a` pops before `b` (PrioritySort).
    pub fn less(a: &QueuedPod, b: &QueuedPod) -> bool {
        queue_sort_less(a.priority, a.timestamp_ms, b.priority, b.timestamp_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn popped_keys(queue: &mut SchedulingQueue, now_ms: u64) -> Vec<String> {
        std::iter::from_fn(|| queue.pop(now_ms))
            .map(|p| p.key)
            .collect()
    }

    #[test]
    fn a_pod_added_again_waits_once_in_its_new_place() {
        let mut queue = SchedulingQueue::new();
        queue.add("default/a", 0, 10);
        queue.add("default/b", 0, 20);
        queue.add("default/a", 0, 30);
        assert_eq!(queue.len(), (2, 0, 0));
        assert_eq!(popped_keys(&mut queue, 30), ["default/b", "default/a"]);
    }

    #[test]
    fn a_deleted_pod_leaves_the_backoff_queue_and_the_others_stay_in_order() {
        let mut queue = SchedulingQueue::new();
        for (key, at) in [("default/a", 1), ("default/b", 2), ("default/c", 3)] {
            queue.add(key, 0, at);
        }
        let popped: Vec<QueuedPod> = std::iter::from_fn(|| queue.pop(3)).collect();
        for pod in popped {
            queue.add_backoff(pod, 3);
        }
        assert_eq!(queue.len(), (0, 3, 0));
        queue.delete("default/b");
        assert_eq!(queue.len(), (0, 2, 0));
        assert_eq!(
            popped_keys(&mut queue, 3 + POD_MAX_BACKOFF_MS),
            ["default/a", "default/c"]
        );
        assert_eq!(queue.len(), (0, 0, 0));
    }

    #[test]
    fn unschedulable_pods_flush_after_five_minutes_oldest_first_and_deleted_ones_never() {
        let mut queue = SchedulingQueue::new();
        for (key, at) in [("default/c", 1), ("default/a", 2), ("default/b", 3)] {
            queue.add(key, 0, at);
        }
        let popped: Vec<QueuedPod> = std::iter::from_fn(|| queue.pop(3)).collect();
        // c and a fail at 1,000 ms, b at 2,000 ms.
        for pod in popped {
            let at = if pod.key == "default/b" { 2_000 } else { 1_000 };
            queue.add_unschedulable(pod, at);
        }
        assert_eq!(queue.len(), (0, 0, 3));
        assert_eq!(
            queue.poll_timeout_ms(),
            Some(1_000 + POD_MAX_IN_UNSCHEDULABLE_PODS_MS)
        );
        queue.delete("default/a");
        // Just before c's five minutes nothing moves; at them only c does.
        queue.handle_tick(999 + POD_MAX_IN_UNSCHEDULABLE_PODS_MS);
        assert_eq!(queue.len(), (0, 0, 2));
        queue.handle_tick(1_000 + POD_MAX_IN_UNSCHEDULABLE_PODS_MS);
        assert_eq!(queue.len(), (1, 0, 1));
        assert_eq!(queue.queue_of("default/c"), Some(QueueName::Active));
        assert_eq!(
            queue.poll_timeout_ms(),
            Some(2_000 + POD_MAX_IN_UNSCHEDULABLE_PODS_MS)
        );
        // A cluster event moves the rest at once.
        queue.handle_cluster_event(
            ClusterEvent::NodeAdded,
            2_000 + POD_MAX_IN_UNSCHEDULABLE_PODS_MS - 1,
        );
        assert_eq!(queue.len().2, 0);
        assert_eq!(queue.queue_of("default/a"), None);
    }
}
