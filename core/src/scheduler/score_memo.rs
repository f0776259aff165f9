//! Each node's last pointwise score, kept so a cycle does not redo arithmetic whose inputs
//! did not change.
//!
//! NodeResourcesFit (LeastAllocated), NodeResourcesBalancedAllocation and ImageLocality score
//! a node from the node alone (its allocatable, its requests, its images) and from inputs
//! that are the same for every node of a cycle (the pod's requests and images, each image's
//! spread over the cluster, the plugin weights). kube-scheduler recomputes them for every
//! feasible node in every cycle; at 5,000 nodes that is two integer and two float divisions
//! and an image lookup for ~500 nodes per pod, while between two cycles of a burst only the
//! node the last pod went to has changed.
//!
//! So the [`Snapshot`](super::Snapshot) numbers each distinct set of cycle-wide inputs
//! ([`ScoreInputs`], an id per value, never reused within a snapshot and the snapshots cloned
//! from it), and each [`NodeInfo`](super::NodeInfo) remembers its weighted sum with the id and
//! the node-side numbers it was computed from. The memo is used only when both match exactly,
//! so the totals — and every decision and trace — are the ones a full recomputation gives.
//! The node's images are not compared: the memo is cleared whenever the node's image list is
//! renumbered, which is the only way that list changes.
//!
//! The memo sits behind a [`Cell`] because cycles read the snapshot through a shared
//! reference; nothing outside the score pass reads it, and it takes no part in equality.

use std::cell::{Cell, RefCell};

use super::snapshot::Resources;

/// What the pointwise scores of one cycle read that is the same for every node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScoreInputs {
    /// Weights of NodeResourcesFit, BalancedAllocation (0 when it skips the pod) and
    /// ImageLocality.
    pub weights: [i64; 3],
    /// The pod's requests (BalancedAllocation).
    pub requested: Resources,
    /// The pod's non-zero requests (LeastAllocated).
    pub non_zero_requested: Resources,
    /// How many containers the pod has (ImageLocality's upper threshold).
    pub num_containers: usize,
    /// The pod's images: snapshot image id and spread (as the bits of the `f64`).
    pub images: Vec<(Option<u32>, u64)>,
}

/// The numbering of [`ScoreInputs`] a snapshot hands out.
#[derive(Clone, Debug, Default)]
pub struct InputsNumbering {
    last: RefCell<Option<(ScoreInputs, u64)>>,
    next_id: Cell<u64>,
}

impl InputsNumbering {
    /// The id of these inputs: the last one's if they are equal, else a new one (ids start at
    /// 1; 0 marks an empty memo).
    pub fn id_of(&self, inputs: ScoreInputs) -> u64 {
        let mut last = self.last.borrow_mut();
        if let Some((previous, id)) = last.as_ref() {
            if *previous == inputs {
                return *id;
            }
        }
        let id = self.next_id.get() + 1;
        self.next_id.set(id);
        *last = Some((inputs, id));
        id
    }
}

impl PartialEq for InputsNumbering {
    /// Bookkeeping only: two snapshots with the same nodes are equal whatever they numbered.
    fn eq(&self, _: &InputsNumbering) -> bool {
        true
    }
}

/// The node-side numbers a memoised total was computed from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Memo {
    inputs_id: u64,
    allocatable: Resources,
    requested: Resources,
    non_zero_requested: Resources,
    total: i64,
}

/// One node's memo (see the module documentation).
#[derive(Clone, Debug, Default)]
pub struct NodeScoreMemo(Cell<Memo>);

impl NodeScoreMemo {
    /// The node's weighted pointwise total for the inputs numbered `inputs_id`: the memo's
    /// if it was computed from the same inputs and the same node numbers, else `compute()`'s
    /// (which is then remembered).
    pub fn total(
        &self,
        inputs_id: u64,
        allocatable: Resources,
        requested: Resources,
        non_zero_requested: Resources,
        compute: impl FnOnce() -> i64,
    ) -> i64 {
        let memo = self.0.get();
        if memo.inputs_id == inputs_id
            && memo.allocatable == allocatable
            && memo.requested == requested
            && memo.non_zero_requested == non_zero_requested
        {
            return memo.total;
        }
        let total = compute();
        self.0.set(Memo {
            inputs_id,
            allocatable,
            requested,
            non_zero_requested,
            total,
        });
        total
    }

    /// Forgets the memo (the node's images changed).
    pub fn clear(&self) {
        self.0.set(Memo::default());
    }
}

impl PartialEq for NodeScoreMemo {
    /// Bookkeeping only: it takes no part in what a node is.
    fn eq(&self, _: &NodeScoreMemo) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(cpu: i64) -> ScoreInputs {
        ScoreInputs {
            weights: [1, 1, 1],
            requested: Resources {
                milli_cpu: cpu,
                memory_bytes: 0,
            },
            non_zero_requested: Resources {
                milli_cpu: cpu,
                memory_bytes: 0,
            },
            num_containers: 1,
            images: vec![(Some(0), 0.5f64.to_bits())],
        }
    }

    #[test]
    fn equal_inputs_in_a_row_keep_their_id_and_any_change_gets_a_new_one() {
        let numbering = InputsNumbering::default();
        let first = numbering.id_of(inputs(10));
        assert_eq!(numbering.id_of(inputs(10)), first);
        let second = numbering.id_of(inputs(20));
        assert_ne!(second, first);
        // Going back to earlier inputs is a new id too: only the last inputs are kept.
        let third = numbering.id_of(inputs(10));
        assert_ne!(third, first);
        assert_ne!(third, second);
        assert_ne!(first, 0, "0 marks an empty memo");
    }

    #[test]
    fn a_memo_is_used_only_for_the_same_inputs_and_node_numbers() {
        let memo = NodeScoreMemo::default();
        let r = |cpu| Resources {
            milli_cpu: cpu,
            memory_bytes: 1,
        };
        let computed = Cell::new(0);
        let compute = |value| {
            computed.set(computed.get() + 1);
            value
        };
        assert_eq!(memo.total(1, r(1000), r(10), r(100), || compute(7)), 7);
        assert_eq!(memo.total(1, r(1000), r(10), r(100), || compute(8)), 7);
        assert_eq!(computed.get(), 1);
        // Another pod placed on the node, other inputs, other allocatable: recomputed.
        assert_eq!(memo.total(1, r(1000), r(20), r(100), || compute(9)), 9);
        assert_eq!(memo.total(1, r(1000), r(20), r(200), || compute(10)), 10);
        assert_eq!(memo.total(2, r(1000), r(20), r(200), || compute(11)), 11);
        assert_eq!(memo.total(2, r(999), r(20), r(200), || compute(12)), 12);
        memo.clear();
        assert_eq!(memo.total(2, r(999), r(20), r(200), || compute(13)), 13);
        assert_eq!(computed.get(), 6);
    }
}
