//! Replay checkpoints: copies of the World kept in memory so that going back in time replays
//! from the nearest one instead of from the seed.
//!
//! The playground offers each instant its World reaches ([`Checkpoints::due`] says when one is
//! wanted: every [`Checkpoints::every`] of virtual time or [`Checkpoints::every_entries`]
//! session entries since the last) and [`Checkpoints::take`] clones the World then. Going back
//! to an instant starts from [`Checkpoints::nearest`] at or before it and replays the session
//! entries after it; the core is deterministic and a cloned World runs on exactly as the
//! original, so the result is the same World, trace hash included, as a replay from the seed.
//!
//! Memory stays bounded: past [`MAX_CHECKPOINTS`] every other checkpoint is dropped and the
//! intervals double, so a long session keeps checkpoints spread over all of it, denser
//! nowhere. A new command after going back ([`Checkpoints::forget_after`]) drops the
//! checkpoints of the abandoned branch.

use std::time::Duration;

use kubeplay_core::sim::clock::Timestamp;
use kubeplay_core::sim::world::World;

/// The most checkpoints kept.
pub const MAX_CHECKPOINTS: usize = 12;

/// Virtual time between checkpoints at the start of a session.
pub const FIRST_INTERVAL: Duration = Duration::from_secs(30);

/// Session entries between checkpoints at the start of a session.
pub const FIRST_ENTRY_INTERVAL: usize = 20;

/// One copy of the World and how many session entries it had applied.
pub struct Checkpoint {
    /// The World at [`Checkpoint::at`].
    pub world: World,
    /// How many session entries it had seen.
    pub applied: usize,
}

impl Checkpoint {
    /// The instant it was taken.
    pub fn at(&self) -> Timestamp {
        self.world.now()
    }
}

/// The checkpoints of one timeline, oldest first.
pub struct Checkpoints {
    list: Vec<Checkpoint>,
    every: Duration,
    every_entries: usize,
    /// Whether checkpoints are off (the benchmark's "before").
    disabled: bool,
}

impl Default for Checkpoints {
    fn default() -> Checkpoints {
        Checkpoints {
            list: Vec::new(),
            every: FIRST_INTERVAL,
            every_entries: FIRST_ENTRY_INTERVAL,
            disabled: false,
        }
    }
}

impl Checkpoints {
    /// No checkpoints ever: every replay starts from the seed.
    #[cfg(test)]
    pub fn disabled() -> Checkpoints {
        Checkpoints {
            disabled: true,
            ..Checkpoints::default()
        }
    }

    /// How many are kept.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// The virtual time between checkpoints now.
    #[cfg(test)]
    pub fn every(&self) -> Duration {
        self.every
    }

    /// The session entries between checkpoints now.
    #[cfg(test)]
    pub fn every_entries(&self) -> usize {
        self.every_entries
    }

    /// The instant after `now` at which the next checkpoint falls due by time (None when
    /// checkpoints are off).
    pub fn next_due(&self, now: Timestamp) -> Option<Timestamp> {
        if self.disabled {
            return None;
        }
        let last = self.list.last().map(Checkpoint::at);
        let due = last.map_or(now.plus(self.every), |at| at.plus(self.every));
        (due > now).then_some(due)
    }

    /// Whether a World at `now` that has applied `applied` entries should be kept.
    pub fn due(&self, now: Timestamp, applied: usize) -> bool {
        if self.disabled {
            return false;
        }
        match self.list.last() {
            None => {
                now.since(kubeplay_core::sim::clock::SIM_EPOCH) >= self.every
                    || applied >= self.every_entries
            }
            Some(last) => {
                now > last.at()
                    && (now.since(last.at()) >= self.every
                        || applied >= last.applied + self.every_entries)
            }
        }
    }

    /// Keeps a copy of `world`, thinning out the older ones past [`MAX_CHECKPOINTS`].
    pub fn take(&mut self, world: &World, applied: usize) {
        self.list.push(Checkpoint {
            world: world.clone(),
            applied,
        });
        if self.list.len() > MAX_CHECKPOINTS {
            // Keep every other one, always the newest.
            let newest = self.list.len() - 1;
            let mut index = 0;
            self.list.retain(|_| {
                let keep = (newest - index) % 2 == 0;
                index += 1;
                keep
            });
            self.every *= 2;
            self.every_entries *= 2;
        }
    }

    /// The newest checkpoint at or before `target`.
    pub fn nearest(&self, target: Timestamp) -> Option<&Checkpoint> {
        self.list.iter().rev().find(|c| c.at() <= target)
    }

    /// A new entry was recorded at `at` after the first `kept` entries: the checkpoints that
    /// saw a dropped entry, or lie after `at`, belong to an abandoned branch.
    pub fn forget_after(&mut self, kept: usize, at: Timestamp) {
        self.list.retain(|c| c.applied <= kept && c.at() <= at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeplay_core::sim::world::WorldConfig;

    fn world_at(seconds: u64) -> World {
        let mut world = World::new(&WorldConfig::default());
        world.advance(Duration::from_secs(seconds));
        world
    }

    #[test]
    fn a_long_session_keeps_at_most_the_cap_spread_over_all_of_it() {
        let mut checkpoints = Checkpoints::default();
        let mut world = World::new(&WorldConfig::default());
        for step in 0..200 {
            world.advance(Duration::from_secs(30));
            if checkpoints.due(world.now(), step) {
                checkpoints.take(&world, step);
            }
            assert!(checkpoints.len() <= MAX_CHECKPOINTS);
        }
        assert!(checkpoints.len() >= MAX_CHECKPOINTS / 2);
        assert!(checkpoints.every() > FIRST_INTERVAL);
        assert!(checkpoints.every_entries() > FIRST_ENTRY_INTERVAL);
        let newest = checkpoints.nearest(world.now().plus(Duration::from_secs(1)));
        assert!(newest.is_some_and(|c| world.now().since(c.at()) <= checkpoints.every()));
        let earliest = checkpoints.list.first().map(Checkpoint::at);
        assert!(earliest.is_some_and(|at| at.since(SIM_EPOCH) < Duration::from_secs(30 * 50)));
    }

    use kubeplay_core::sim::clock::SIM_EPOCH;

    #[test]
    fn the_nearest_checkpoint_is_the_newest_at_or_before_the_target() {
        let mut checkpoints = Checkpoints::default();
        for (seconds, applied) in [(40, 1), (80, 2), (120, 3)] {
            checkpoints.take(&world_at(seconds), applied);
        }
        let at = |s: u64| SIM_EPOCH.plus(Duration::from_secs(s));
        let cases = [(30, None), (40, Some(1)), (100, Some(2)), (500, Some(3))];
        for (target, applied) in cases {
            assert_eq!(
                checkpoints.nearest(at(target)).map(|c| c.applied),
                applied,
                "{target}"
            );
        }
        checkpoints.forget_after(2, at(90));
        assert_eq!(checkpoints.len(), 2);
        checkpoints.forget_after(1, at(90));
        assert_eq!(checkpoints.len(), 1);
    }

    #[test]
    fn disabled_checkpoints_are_never_due() {
        let checkpoints = Checkpoints::disabled();
        let now = SIM_EPOCH.plus(Duration::from_secs(3_600));
        assert!(!checkpoints.due(now, 1_000));
        assert_eq!(checkpoints.next_due(now), None);
    }
}
