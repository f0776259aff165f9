//! ImageLocality: favours nodes that already hold the pod's images. Each present image adds
//! its size scaled by the share of nodes that hold it (so an image everywhere counts fully,
//! one on a single node barely — against "node heating"); the sum is mapped from
//! [23 MiB, 1000 MiB × containers] onto 0–100.

use super::{CycleState, MAX_NODE_SCORE};
use crate::scheduler::snapshot::{NodeInfo, Snapshot};

const MB: i64 = 1024 * 1024;
/// Below this sum the score is 0.
pub const MIN_THRESHOLD_BYTES: i64 = 23 * MB;
/// Per container, above this sum the score is 100.
pub const MAX_CONTAINER_THRESHOLD_BYTES: i64 = 1000 * MB;

/// `calculatePriority(sumImageScores(...), containers)`.
pub fn score(state: &CycleState<'_>, node: &NodeInfo, snapshot: &Snapshot) -> i64 {
    score_with_spreads(state, &image_spreads(state, snapshot), node)
}

/// The share of nodes holding each of the pod's images (in `state.image_names` order),
/// computed once per cycle rather than once per node.
pub fn image_spreads(state: &CycleState<'_>, snapshot: &Snapshot) -> Vec<f64> {
    let total_nodes = snapshot.num_nodes().max(1) as f64;
    state
        .image_names
        .iter()
        .map(|image| snapshot.image_num_nodes(image) as f64 / total_nodes)
        .collect()
}

/// The pod's images as the framework scores them once per cycle: each image's snapshot id
/// (`None` when no node has it) and spread, in `state.image_names` order.
pub fn pod_images(state: &CycleState<'_>, snapshot: &Snapshot) -> Vec<(Option<u32>, f64)> {
    state
        .image_names
        .iter()
        .zip(image_spreads(state, snapshot))
        .map(|(image, spread)| (snapshot.image_id(image), spread))
        .collect()
}

/// [`score`] for a node of the snapshot [`pod_images`] came from, looking images up by id
/// (the same sum in the same order as [`score_with_spreads`]).
pub fn score_with_ids(
    state: &CycleState<'_>,
    images: &[(Option<u32>, f64)],
    node: &NodeInfo,
) -> i64 {
    if node.images.is_empty() {
        return calculate_priority(0, state.num_containers);
    }
    let sum: i64 = images
        .iter()
        .filter_map(|&(id, spread)| {
            let size = node.image_size_by_id(id?)?;
            Some((size as f64 * spread) as i64)
        })
        .sum();
    calculate_priority(sum, state.num_containers)
}

/// [`score`] with the spreads of [`image_spreads`].
pub fn score_with_spreads(state: &CycleState<'_>, spreads: &[f64], node: &NodeInfo) -> i64 {
    if node.images.is_empty() {
        return calculate_priority(0, state.num_containers);
    }
    let sum: i64 = state
        .image_names
        .iter()
        .zip(spreads)
        .filter_map(|(image, spread)| {
            let size = *node.images.get(image)?;
            Some((size as f64 * spread) as i64)
        })
        .sum();
    calculate_priority(sum, state.num_containers)
}

/// Maps the summed image score onto 0–100.
pub fn calculate_priority(sum_scores: i64, num_containers: usize) -> i64 {
    let max_threshold =
        MAX_CONTAINER_THRESHOLD_BYTES * i64::try_from(num_containers.max(1)).unwrap_or(1);
    let clamped = sum_scores.clamp(MIN_THRESHOLD_BYTES, max_threshold);
    MAX_NODE_SCORE * (clamped - MIN_THRESHOLD_BYTES) / (max_threshold - MIN_THRESHOLD_BYTES)
}
