//! The big-cluster view's model: every node as a small tile, every pod as a pixel of its
//! state's colour, drawn into one RGBA buffer.
//!
//! Above [`CANVAS_THRESHOLD`] nodes, DOM cards per node and chips per pod get too many for
//! the browser to lay out fluidly, so the cluster view switches to a `<canvas>` ([`uses_canvas`],
//! in live mode too). Data flows: [`TileCluster::read`] reads a compact summary from the
//! world's store or the live mirror ([`ObjectSource`]; per node: readiness,
//! cordon, and one [`PodState`] per pod, derived cheaply from the pod's status rather than by
//! the full kubectl printer), [`TileLayout::new`] fits the tiles to the canvas width, and
//! [`rasterize`] paints the buffer the component hands to `putImageData` in one call.
//! [`TileLayout::node_at`] turns a click back into a node for the inspector.
//! A live summary mirror does not read every pod at each render: it keeps its tiles current
//! with each stream line ([`SummaryTiles`]), and the view takes them through
//! [`TileCluster::shared`].
//! [`TileCluster::synthetic`] makes a cluster of any size without a world, to measure drawing
//! alone (the `?bench=canvas` page).
//!
//! Plain Rust, tested natively; `components::cluster_canvas` only moves the buffer to the page.

// Lookups only (never iterated, so no order reaches anything shown): see `assemble`.
#[allow(clippy::disallowed_types)]
use std::collections::HashMap;
use std::rc::Rc;

use kubeplay_core::api::objects::{Kind, Object, StoredPod};

use crate::cluster::{NodeReadiness, ObjectSource, PodState};

/// From this many nodes on, the cluster view draws a canvas instead of cards.
pub const CANVAS_THRESHOLD: usize = 200;

/// Whether a cluster of `nodes` nodes is drawn on the canvas (in the simulation and live
/// alike: the tiles read through [`ObjectSource`]).
pub fn uses_canvas(nodes: usize) -> bool {
    nodes >= CANVAS_THRESHOLD
}

/// The canvas tiles of a live summary mirror, kept current line by line: a pod's line moves
/// or recolours only that pod's square (removed from the tile it was on, put on the tile it is
/// on now, at its place in (namespace, name) order); a node's line changes only its tile's
/// border, and only a node added or removed (rare) or a new list reads everything again. The
/// result is always what [`TileCluster::from_summary`] reads from the same mirror (the tests
/// check it line by line), without reading every pod at each render: a render of the
/// streaming cluster view was the largest of the page's long tasks at 1,000 × 30,000.
///
/// [`SummaryTiles::tiles`] hands out the tiles as an `Rc`: unchanged tiles are the same `Rc`
/// (the canvas then does not draw again); the first change after the view took them copies
/// them once ([`Rc::make_mut`]), the next ones change that copy in place.
#[derive(Clone, Debug, Default)]
pub struct SummaryTiles {
    tiles: Rc<TileCluster>,
    /// Beside each tile of `tiles` (same order), its pods' keys in the order of its
    /// [`NodeTile::pods`]: (namespace, name), sorted.
    keys: Vec<Vec<(Box<str>, Box<str>)>>,
    /// Each node's tile, by name.
    // Lookups only (never iterated, so no order reaches anything shown).
    #[allow(clippy::disallowed_types)]
    index: HashMap<String, usize>,
}

/// Where a pod's square is: on a tile (its index) or pending, with its state.
type Placed = (Option<usize>, PodState);

impl SummaryTiles {
    /// Reads every node and pod (a list, or a node added or removed).
    pub fn build<'a>(
        nodes: impl Iterator<Item = &'a crate::live::summary::NodeSummary>,
        pods: impl Iterator<Item = &'a crate::live::summary::PodSummary>,
    ) -> SummaryTiles {
        let mut tiles: Vec<NodeTile> = nodes.map(NodeTile::without_pods).collect();
        tiles.sort_by(|a, b| natural(&a.name, &b.name));
        #[allow(clippy::disallowed_types)]
        let index: HashMap<String, usize> = tiles
            .iter()
            .enumerate()
            .map(|(i, tile)| (tile.name.clone(), i))
            .collect();
        let mut keys = vec![Vec::new(); tiles.len()];
        let mut pending = 0;
        // `pods` come in (namespace, name) order, so each tile's list is sorted.
        for pod in pods {
            let on = pod.node_name.as_deref().and_then(|name| index.get(name));
            match on {
                Some(&i) => {
                    if let (Some(tile), Some(tile_keys)) = (tiles.get_mut(i), keys.get_mut(i)) {
                        tile.pods.push(pod.state());
                        tile_keys.push((pod.namespace.as_str().into(), pod.name.as_str().into()));
                    }
                }
                None => pending += 1,
            }
        }
        SummaryTiles {
            tiles: Rc::new(TileCluster {
                nodes: tiles,
                pending,
            }),
            keys,
            index,
        }
    }

    /// The tiles as they are now.
    pub fn tiles(&self) -> Rc<TileCluster> {
        Rc::clone(&self.tiles)
    }

    /// Where a pod on `node` (if bound) in `state` is drawn.
    fn place(&self, node: Option<&str>, state: PodState) -> Placed {
        (node.and_then(|name| self.index.get(name).copied()), state)
    }

    /// A pod's summary changed from `old` to `new` (each its node, if bound, and its state;
    /// None: not there). Returns false if the tiles did not hold the pod where `old` says
    /// (they then need [`SummaryTiles::build`] again; never expected).
    pub fn pod_changed(
        &mut self,
        (namespace, name): (&str, &str),
        old: Option<(Option<&str>, PodState)>,
        new: Option<(Option<&str>, PodState)>,
    ) -> bool {
        let old = old.map(|(node, state)| self.place(node, state));
        let new = new.map(|(node, state)| self.place(node, state));
        match (old, new) {
            // Same tile and same state, or pending both times: nothing drawn changes.
            (old, new) if old == new => return true,
            (Some((None, _)), Some((None, _))) => return true,
            _ => {}
        }
        let find = |keys: &[(Box<str>, Box<str>)]| {
            keys.binary_search_by(|(ns, n)| (&**ns, &**n).cmp(&(namespace, name)))
        };
        let tiles = Rc::make_mut(&mut self.tiles);
        // Recoloured where it is.
        if let (Some((Some(from), _)), Some((Some(to), state))) = (old, new) {
            if from == to {
                let (Some(keys), Some(tile)) = (self.keys.get(from), tiles.nodes.get_mut(from))
                else {
                    return false;
                };
                return match find(keys) {
                    Ok(at) => tile.pods.get_mut(at).map(|s| *s = state).is_some(),
                    Err(_) => false,
                };
            }
        }
        match old {
            Some((Some(from), _)) => {
                let (Some(keys), Some(tile)) = (self.keys.get_mut(from), tiles.nodes.get_mut(from))
                else {
                    return false;
                };
                let Ok(at) = find(keys) else {
                    return false;
                };
                keys.remove(at);
                if at < tile.pods.len() {
                    tile.pods.remove(at);
                }
            }
            Some((None, _)) => tiles.pending = tiles.pending.saturating_sub(1),
            None => {}
        }
        match new {
            Some((Some(to), state)) => {
                let (Some(keys), Some(tile)) = (self.keys.get_mut(to), tiles.nodes.get_mut(to))
                else {
                    return false;
                };
                let at = match find(keys) {
                    Ok(at) | Err(at) => at,
                };
                keys.insert(at, (namespace.into(), name.into()));
                tile.pods.insert(at.min(tile.pods.len()), state);
            }
            Some((None, _)) => tiles.pending += 1,
            None => {}
        }
        true
    }

    /// A node that has a tile changed its readiness or cordon. Returns false if it has no
    /// tile (a new node: the tiles need [`SummaryTiles::build`] again).
    pub fn node_changed(&mut self, node: &crate::live::summary::NodeSummary) -> bool {
        let Some(&at) = self.index.get(&node.name) else {
            return false;
        };
        let (readiness, cordoned) = (node.readiness(), node.unschedulable);
        let unchanged = self
            .tiles
            .nodes
            .get(at)
            .is_some_and(|tile| tile.readiness == readiness && tile.cordoned == cordoned);
        if !unchanged {
            if let Some(tile) = Rc::make_mut(&mut self.tiles).nodes.get_mut(at) {
                tile.readiness = readiness;
                tile.cordoned = cordoned;
            }
        }
        true
    }
}

/// A tile's side in pixels at 2-pixel pods (a 1-pixel border around 6 × 6 pods).
const TILE_PX: u32 = 15;

/// The gap between tiles, in pixels.
const GAP_PX: u32 = 1;

/// One node's tile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeTile {
    /// The node's name.
    pub name: String,
    /// The Ready condition.
    pub readiness: NodeReadiness,
    /// Whether `spec.unschedulable` is set.
    pub cordoned: bool,
    /// The states of the node's pods.
    pub pods: Vec<PodState>,
}

impl NodeTile {
    /// The tile of a node from its summary line, before its pods are placed.
    fn without_pods(node: &crate::live::summary::NodeSummary) -> NodeTile {
        NodeTile {
            name: node.name.clone(),
            readiness: node.readiness(),
            cordoned: node.unschedulable,
            pods: Vec::new(),
        }
    }
}

/// Every node's tile, plus the pods no node runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TileCluster {
    /// The nodes, in natural name order (`node-2` before `node-10`).
    pub nodes: Vec<NodeTile>,
    /// How many pods no node runs (yet).
    pub pending: usize,
}

impl TileCluster {
    /// Reads the nodes and pods of the world's store or of the live mirror.
    pub fn read<'a>(source: impl Into<ObjectSource<'a>>) -> TileCluster {
        let mut source = source.into();
        if let ObjectSource::Live(live) = &source {
            if live.mode == crate::live::MirrorMode::Summary {
                return TileCluster::from_summary(&live.summary);
            }
        }
        let nodes = source.objects(Kind::Node);
        let pods = source.objects(Kind::Pod);
        let tiles: Vec<NodeTile> = nodes
            .iter()
            .filter_map(|object| match object.as_ref() {
                Object::Node(node) => Some(NodeTile {
                    name: object.name().to_string(),
                    readiness: node_readiness(node),
                    cordoned: node
                        .spec
                        .as_ref()
                        .and_then(|s| s.unschedulable)
                        .unwrap_or(false),
                    pods: Vec::new(),
                }),
                _ => None,
            })
            .collect();
        TileCluster::assemble(
            tiles,
            pods.iter().filter_map(|object| match object.as_ref() {
                Object::Pod(pod) => Some((pod.node_name(), tile_state(pod))),
                _ => None,
            }),
        )
    }

    /// The tiles to draw: a live summary mirror's own ([`SummaryTiles`], kept current line by
    /// line: the same `Rc` while nothing drawn changed), else read afresh (the simulation's
    /// world, a full live mirror).
    pub fn shared<'a>(source: impl Into<ObjectSource<'a>>) -> Rc<TileCluster> {
        let source = source.into();
        if let ObjectSource::Live(live) = &source {
            if live.mode == crate::live::MirrorMode::Summary {
                return live.summary.tiles();
            }
        }
        Rc::new(TileCluster::read(source))
    }

    /// Reads the tiles from a live summary mirror (a big cluster: no full objects), every
    /// pod afresh (what [`SummaryTiles`] keeps current line by line).
    pub fn from_summary(summary: &crate::live::SummaryMirror) -> TileCluster {
        let tiles = summary.nodes().map(NodeTile::without_pods).collect();
        TileCluster::assemble(
            tiles,
            summary
                .pods()
                .map(|pod| (pod.node_name.as_deref(), pod.state())),
        )
    }

    /// Puts the tiles in natural name order and each pod (its node's name, if bound, and its
    /// state) on its node's tile; pods on no known node count as pending.
    fn assemble<'a>(
        mut tiles: Vec<NodeTile>,
        pods: impl Iterator<Item = (Option<&'a str>, PodState)>,
    ) -> TileCluster {
        tiles.sort_by(|a, b| natural(&a.name, &b.name));
        // A hash map: one lookup per pod (30,000 at 1,000 nodes), where a BTreeMap's string
        // comparisons were the largest single cost in the page's profile.
        #[allow(clippy::disallowed_types)]
        let index: HashMap<&str, usize> = tiles
            .iter()
            .enumerate()
            .map(|(i, tile)| (tile.name.as_str(), i))
            .collect();
        let mut on_node: Vec<(usize, PodState)> = Vec::with_capacity(pods.size_hint().0);
        let mut pending = 0;
        for (node, state) in pods {
            match node.and_then(|name| index.get(name)) {
                Some(&i) => on_node.push((i, state)),
                None => pending += 1,
            }
        }
        for (i, state) in on_node {
            if let Some(tile) = tiles.get_mut(i) {
                tile.pods.push(state);
            }
        }
        TileCluster {
            nodes: tiles,
            pending,
        }
    }

    /// A made-up cluster of `nodes` nodes and `pods` pods spread evenly, for measuring the
    /// drawing alone; `frame` shifts which pods are in which state, so frames differ.
    pub fn synthetic(nodes: usize, pods: usize, frame: u64) -> TileCluster {
        let per_node = pods.checked_div(nodes).unwrap_or(0);
        let extra = pods.checked_rem(nodes).unwrap_or(0);
        let states = [
            PodState::Running,
            PodState::Running,
            PodState::Running,
            PodState::Running,
            PodState::Creating,
            PodState::Pending,
            PodState::Failing,
            PodState::Terminating,
        ];
        let tiles = (0..nodes)
            .map(|n| {
                let count = per_node + usize::from(n < extra);
                NodeTile {
                    name: format!("node-{}", n + 1),
                    readiness: if (n as u64 + frame / 8) % 97 == 0 {
                        NodeReadiness::NotReady
                    } else {
                        NodeReadiness::Ready
                    },
                    cordoned: n % 211 == 0,
                    pods: (0..count)
                        .map(|p| {
                            let mix = (n as u64)
                                .wrapping_mul(31)
                                .wrapping_add(p as u64 * 7)
                                .wrapping_add(frame);
                            states
                                .get(usize::try_from(mix % states.len() as u64).unwrap_or(0))
                                .copied()
                                .unwrap_or(PodState::Running)
                        })
                        .collect(),
                }
            })
            .collect();
        TileCluster {
            nodes: tiles,
            pending: 0,
        }
    }

    /// How many pods run on nodes.
    pub fn pods_on_nodes(&self) -> usize {
        self.nodes.iter().map(|n| n.pods.len()).sum()
    }
}

/// `node-2` before `node-10`: shorter names first, then by text.
fn natural(a: &str, b: &str) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn node_readiness(node: &k8s_openapi::api::core::v1::Node) -> NodeReadiness {
    let ready = node
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|conditions| conditions.iter().find(|c| c.type_ == "Ready"))
        .map(|c| c.status.as_str());
    match ready {
        Some("True") => NodeReadiness::Ready,
        Some("False") => NodeReadiness::NotReady,
        _ => NodeReadiness::Unknown,
    }
}

/// A pod's state family from its status alone (cheaper than kubectl's STATUS column, which
/// the cards use; at thousands of pods per frame only the family matters).
pub fn tile_state(pod: &StoredPod) -> PodState {
    if pod.metadata.deletion_timestamp.is_some() {
        return PodState::Terminating;
    }
    if matches!(pod.phase(), Some("Succeeded" | "Failed")) {
        return PodState::Finished;
    }
    let waiting = pod
        .status
        .iter()
        .flat_map(|s| s.container_statuses())
        .filter_map(|c| c.waiting_reason())
        .find(|reason| *reason != "ContainerCreating" && *reason != "PodInitializing");
    if waiting.is_some() {
        return PodState::Failing;
    }
    let scheduled = pod.node_name().is_some();
    match pod.phase() {
        Some("Running") => PodState::Running,
        _ if scheduled => PodState::Creating,
        _ => PodState::Pending,
    }
}

/// Where the tiles go on a canvas of a given width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TileLayout {
    /// Tiles per row.
    pub columns: u32,
    /// Rows of tiles.
    pub rows: u32,
    /// One tile's side, in pixels.
    pub tile_px: u32,
    /// One pod's side inside a tile, in pixels (2, or 1 for crowded nodes).
    pub pod_px: u32,
    /// Pods per row inside a tile.
    pub pods_per_row: u32,
    /// The canvas width, in pixels.
    pub width: u32,
    /// The canvas height, in pixels.
    pub height: u32,
}

impl TileLayout {
    /// Fits `nodes` tiles of up to `max_pods` pods into a canvas `width` pixels wide.
    pub fn new(width: u32, nodes: usize, max_pods: usize) -> TileLayout {
        let inner = TILE_PX - 2;
        // 2-pixel pods while they fit, else 1-pixel pods in a tile grown to hold them.
        let (pod_px, pods_per_row) = if max_pods <= ((inner / 2) * (inner / 2)) as usize {
            (2, inner / 2)
        } else {
            let side = (max_pods as f64).sqrt().ceil();
            // At most a few hundred pods per node: the side is small.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let side = (side as u32).max(inner);
            (1, side)
        };
        let tile_px = (pods_per_row * pod_px + 2).max(TILE_PX);
        let pitch = tile_px + GAP_PX;
        let columns = (width.max(pitch) / pitch).max(1);
        let nodes = u32::try_from(nodes).unwrap_or(u32::MAX);
        let rows = nodes.div_ceil(columns).max(1);
        TileLayout {
            columns,
            rows,
            tile_px,
            pod_px,
            pods_per_row,
            width: columns * pitch,
            height: rows * pitch,
        }
    }

    /// The top-left pixel of tile `index`.
    pub fn origin(&self, index: usize) -> (u32, u32) {
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        let pitch = self.tile_px + GAP_PX;
        (
            (index % self.columns) * pitch,
            (index / self.columns) * pitch,
        )
    }

    /// The tile under pixel (`x`, `y`) of the canvas, if any (the gaps belong to none).
    pub fn node_at(&self, x: f64, y: f64, nodes: usize) -> Option<usize> {
        if x.is_nan() || y.is_nan() || x < 0.0 || y < 0.0 {
            return None;
        }
        let pitch = f64::from(self.tile_px + GAP_PX);
        let (column, row) = ((x / pitch).floor(), (y / pitch).floor());
        if column >= f64::from(self.columns) || x - column * pitch >= f64::from(self.tile_px) {
            return None;
        }
        if y - row * pitch >= f64::from(self.tile_px) {
            return None;
        }
        // Both are small non-negative whole numbers here.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let index = (row as usize) * (self.columns as usize) + column as usize;
        (index < nodes).then_some(index)
    }
}

/// An RGBA colour.
type Rgba = [u8; 4];

const BACKGROUND: Rgba = [0xf4, 0xf6, 0xfa, 0xff];
const TILE: Rgba = [0xff, 0xff, 0xff, 0xff];

fn border_colour(tile: &NodeTile) -> Rgba {
    if tile.cordoned {
        return [0x8a, 0x63, 0xd2, 0xff];
    }
    match tile.readiness {
        NodeReadiness::Ready => [0x9a, 0xa5, 0xb8, 0xff],
        NodeReadiness::NotReady => [0xd6, 0x33, 0x33, 0xff],
        NodeReadiness::Unknown => [0xe0, 0x9b, 0x1a, 0xff],
    }
}

/// The colour of a pod pixel in each state.
pub fn pod_colour(state: PodState) -> Rgba {
    match state {
        PodState::Pending => [0xb0, 0xb6, 0xc3, 0xff],
        PodState::Creating => [0x3b, 0x82, 0xf6, 0xff],
        PodState::Running => [0x22, 0xa0, 0x5a, 0xff],
        PodState::Failing => [0xdc, 0x26, 0x26, 0xff],
        PodState::Terminating => [0xf5, 0x9e, 0x0b, 0xff],
        PodState::Finished => [0x64, 0x6e, 0x80, 0xff],
    }
}

/// Paints the cluster into `buffer` (RGBA, `layout.width × layout.height`, resized as
/// needed): a bordered tile per node, a square per pod (pods beyond the tile's room are not
/// drawn; the tile's title says how many there are).
pub fn rasterize(cluster: &TileCluster, layout: &TileLayout, buffer: &mut Vec<u8>) {
    let width = layout.width as usize;
    let height = layout.height as usize;
    buffer.resize(width * height * 4, 0);
    for pixel in buffer.chunks_exact_mut(4) {
        pixel.copy_from_slice(&BACKGROUND);
    }
    let tile_px = layout.tile_px as usize;
    let pod_px = layout.pod_px as usize;
    let per_row = layout.pods_per_row as usize;
    let room = per_row * per_row;
    let mut fill = |x0: usize, y0: usize, w: usize, h: usize, colour: Rgba| {
        for y in y0..(y0 + h).min(height) {
            let start = (y * width + x0) * 4;
            let end = (y * width + (x0 + w).min(width)) * 4;
            if let Some(row) = buffer.get_mut(start..end) {
                for pixel in row.chunks_exact_mut(4) {
                    pixel.copy_from_slice(&colour);
                }
            }
        }
    };
    for (index, tile) in cluster.nodes.iter().enumerate() {
        let (x, y) = layout.origin(index);
        let (x, y) = (x as usize, y as usize);
        fill(x, y, tile_px, tile_px, border_colour(tile));
        fill(x + 1, y + 1, tile_px - 2, tile_px - 2, TILE);
        for (p, state) in tile.pods.iter().take(room).enumerate() {
            let px = x + 1 + (p % per_row) * pod_px;
            let py = y + 1 + (p / per_row) * pod_px;
            fill(px, py, pod_px, pod_px, pod_colour(*state));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playground::Playground;

    /// A live cluster of these nodes, big enough to be mirrored as summaries.
    fn summary_live(nodes: &[&str]) -> crate::live::LiveState {
        let info = crate::live::LiveInfo {
            nodes: nodes.iter().map(|n| n.to_string()).collect(),
            pods: crate::live::summary::SUMMARY_POD_THRESHOLD,
            ..crate::live::LiveInfo::default()
        };
        crate::live::LiveState::new(
            "t".to_string(),
            info,
            kubeplay_core::sim::clock::Timestamp::from_millis(0),
        )
    }

    #[test]
    fn the_live_tiles_stay_the_same_rc_until_a_line_changes_what_they_show() {
        let mut live = summary_live(&["node-1"]);
        let list = r#"{"resourceVersion":"9",
            "nodes":[{"name":"node-1","ready":"True"}],
            "pods":[{"namespace":"a","name":"p1","nodeName":"node-1","status":"ContainerCreating"}]}"#;
        assert_eq!(live.summary.apply_list(list), Ok(()));
        let first = TileCluster::shared(&live);
        assert_eq!(first.nodes.len(), 1);
        assert!(Rc::ptr_eq(&first, &TileCluster::shared(&live)));
        // A bookmark, and a pod's line that changes no colour (the STATUS text only): the
        // same tiles.
        let bookmark = r#"{"type":"BOOKMARK","resourceVersion":"12"}"#;
        assert_eq!(
            live.summary.apply_watch_line(bookmark),
            Ok(crate::live::mirror::WatchOutcome::Unchanged)
        );
        let same_colour = r#"{"type":"MODIFIED","pod":{"namespace":"a","name":"p1","nodeName":"node-1","status":"PodInitializing","resourceVersion":"13"}}"#;
        assert_eq!(
            live.summary.apply_watch_line(same_colour),
            Ok(crate::live::mirror::WatchOutcome::Changed)
        );
        assert!(Rc::ptr_eq(&first, &TileCluster::shared(&live)));
        // A pod changed colour: new tiles that show it, the old ones as they were.
        let pod = r#"{"type":"MODIFIED","pod":{"namespace":"a","name":"p1","nodeName":"node-1","status":"Running","resourceVersion":"14"}}"#;
        assert_eq!(
            live.summary.apply_watch_line(pod),
            Ok(crate::live::mirror::WatchOutcome::Changed)
        );
        let after_pod = TileCluster::shared(&live);
        assert!(!Rc::ptr_eq(&first, &after_pod));
        assert_eq!(
            after_pod.nodes.first().map(|n| n.pods.clone()),
            Some(vec![PodState::Running])
        );
        assert_eq!(
            first.nodes.first().map(|n| n.pods.clone()),
            Some(vec![PodState::Creating])
        );
        assert!(Rc::ptr_eq(&after_pod, &TileCluster::shared(&live)));
        // A node changed: new tiles.
        let node = r#"{"type":"MODIFIED","node":{"name":"node-1","ready":"False","resourceVersion":"15"}}"#;
        assert_eq!(
            live.summary.apply_watch_line(node),
            Ok(crate::live::mirror::WatchOutcome::Changed)
        );
        let after_node = TileCluster::shared(&live);
        assert!(!Rc::ptr_eq(&after_pod, &after_node));
        assert_eq!(
            after_node.nodes.first().map(|n| n.readiness),
            Some(NodeReadiness::NotReady)
        );
    }

    /// A deterministic stream of summary lines over `nodes` nodes: pods added, recoloured,
    /// moved between nodes, bound, unbound, deleted; nodes changing readiness and cordon,
    /// removed and added back; pods on nodes the summary does not have.
    fn churn_lines(nodes: usize, lines: usize) -> Vec<String> {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |below: usize| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            usize::try_from((seed >> 33) % below as u64).unwrap_or(0)
        };
        let statuses = [
            "Pending",
            "ContainerCreating",
            "Running",
            "CrashLoopBackOff",
            "Terminating",
            "Completed",
        ];
        let ready = ["True", "False", "Unknown"];
        (0..lines)
            .map(|i| {
                let rv = 100 + i;
                match next(20) {
                    0 => {
                        let node = next(nodes + 2) + 1;
                        let kind = if next(2) == 0 { "DELETED" } else { "ADDED" };
                        format!(
                            r#"{{"type":"{kind}","node":{{"name":"node-{node}","ready":"True","resourceVersion":"{rv}"}}}}"#
                        )
                    }
                    1 | 2 => {
                        let node = next(nodes) + 1;
                        let (r, cordon) = (ready[next(3)], next(4) == 0);
                        format!(
                            r#"{{"type":"MODIFIED","node":{{"name":"node-{node}","ready":"{r}","unschedulable":{cordon},"resourceVersion":"{rv}"}}}}"#
                        )
                    }
                    3 | 4 => {
                        let (ns, pod) = (["a", "b", "ab"][next(3)], next(60));
                        format!(
                            r#"{{"type":"DELETED","pod":{{"namespace":"{ns}","name":"p{pod}","resourceVersion":"{rv}"}}}}"#
                        )
                    }
                    _ => {
                        let (ns, pod) = (["a", "b", "ab"][next(3)], next(60));
                        let status = statuses[next(statuses.len())];
                        let node = match next(8) {
                            0 => String::new(),
                            1 => r#""nodeName":"gone","#.to_string(),
                            _ => format!(r#""nodeName":"node-{}","#, next(nodes + 1) + 1),
                        };
                        let kind = if next(2) == 0 { "ADDED" } else { "MODIFIED" };
                        format!(
                            r#"{{"type":"{kind}","pod":{{"namespace":"{ns}","name":"p{pod}",{node}"status":"{status}","resourceVersion":"{rv}"}}}}"#
                        )
                    }
                }
            })
            .collect()
    }

    #[test]
    fn the_live_tiles_kept_line_by_line_are_a_full_read_after_every_line() {
        let mut live = summary_live(&["node-1"]);
        let pods: Vec<String> = (0..40)
            .map(|p| {
                format!(
                    r#"{{"namespace":"{}","name":"p{p}","nodeName":"node-{}","status":"Running"}}"#,
                    if p % 2 == 0 { "a" } else { "b" },
                    p % 7 + 1
                )
            })
            .collect();
        let nodes: Vec<String> = (1..=6)
            .map(|n| format!(r#"{{"name":"node-{n}","ready":"True"}}"#))
            .collect();
        let list = format!(
            r#"{{"resourceVersion":"9","nodes":[{}],"pods":[{}]}}"#,
            nodes.join(","),
            pods.join(",")
        );
        assert_eq!(live.summary.apply_list(&list), Ok(()));
        assert_eq!(*TileCluster::shared(&live), TileCluster::read(&live));
        let mut held = TileCluster::shared(&live);
        let mut held_copy = (*held).clone();
        let (mut changed, mut moved_pending) = (0, 0);
        for (i, line) in churn_lines(6, 3_000).iter().enumerate() {
            let before = TileCluster::shared(&live);
            assert!(live.summary.apply_watch_line(line).is_ok(), "{line}");
            let kept = TileCluster::shared(&live);
            assert_eq!(
                *kept,
                TileCluster::from_summary(&live.summary),
                "line {i}: {line}"
            );
            if !Rc::ptr_eq(&before, &kept) {
                changed += 1;
            }
            if before.pending != kept.pending {
                moved_pending += 1;
            }
            // The view holds the tiles of some renders (the next change copies them), not all;
            // what it holds never changes under it.
            if i % 3 == 0 {
                assert_eq!(*held, held_copy, "line {i}");
                held_copy = (*kept).clone();
                held = kept;
            }
        }
        // The stream did change the tiles, and pending counts, many times.
        assert!(changed > 1_000, "{changed}");
        assert!(moved_pending > 100, "{moved_pending}");
        // A new list starts over.
        assert_eq!(live.summary.apply_list(&list), Ok(()));
        assert_eq!(
            *TileCluster::shared(&live),
            TileCluster::from_summary(&live.summary)
        );
    }

    #[test]
    fn the_simulations_tiles_are_read_afresh_each_time() {
        let mut playground = Playground::new(1, 2);
        let first = TileCluster::shared(playground.world_mut());
        let second = TileCluster::shared(playground.world_mut());
        assert!(!Rc::ptr_eq(&first, &second));
        assert_eq!(first, second);
    }

    #[test]
    fn a_live_cluster_mirrored_as_summaries_reads_its_tiles_from_them() {
        let mut live = summary_live(&["node-1", "node-2"]);
        assert_eq!(live.mode, crate::live::MirrorMode::Summary);
        let list = r#"{"resourceVersion":"9",
            "nodes":[{"name":"node-10","ready":"True"},{"name":"node-2","ready":"False","unschedulable":true}],
            "pods":[{"namespace":"a","name":"p1","nodeName":"node-2","status":"Running"},
                    {"namespace":"a","name":"p2","nodeName":"node-2","status":"CrashLoopBackOff"},
                    {"namespace":"a","name":"p3","nodeName":"node-10","status":"ContainerCreating"},
                    {"namespace":"a","name":"p4","status":"Pending"},
                    {"namespace":"a","name":"p5","nodeName":"gone","status":"Running"}]}"#;
        assert_eq!(live.summary.apply_list(list), Ok(()));
        let tiles = TileCluster::read(&live);
        let names: Vec<&str> = tiles.nodes.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["node-2", "node-10"]);
        assert_eq!(
            tiles
                .nodes
                .first()
                .map(|n| (n.readiness, n.cordoned, n.pods.clone())),
            Some((
                NodeReadiness::NotReady,
                true,
                vec![PodState::Running, PodState::Failing]
            ))
        );
        assert_eq!(
            tiles.nodes.get(1).map(|n| n.pods.clone()),
            Some(vec![PodState::Creating])
        );
        assert_eq!(tiles.pending, 2);
        assert_eq!(live.node_names(), ["node-10", "node-2"]);
        // The cluster view draws it on the canvas although it has two nodes.
        assert!(crate::cluster::ObjectSource::from(&live).summarized());
    }

    fn pixel(buffer: &[u8], layout: &TileLayout, x: u32, y: u32) -> [u8; 4] {
        let at = ((y * layout.width + x) * 4) as usize;
        let mut out = [0; 4];
        out.copy_from_slice(&buffer[at..at + 4]);
        out
    }

    #[test]
    fn tiles_fill_rows_of_the_canvas_width_and_clicks_find_their_node() {
        let layout = TileLayout::new(160, 25, 30);
        assert_eq!((layout.tile_px, layout.pod_px, layout.columns), (15, 2, 10));
        assert_eq!(layout.rows, 3);
        assert_eq!((layout.width, layout.height), (160, 48));
        let cases = [
            ((0.0, 0.0), Some(0)),
            ((14.9, 14.9), Some(0)),
            ((15.5, 3.0), None), // the gap
            ((16.0, 0.0), Some(1)),
            ((3.0, 17.0), Some(10)),
            ((70.0, 40.0), Some(24)),
            ((90.0, 40.0), None), // past the last node
            ((500.0, 1.0), None),
            ((-1.0, 1.0), None),
            ((f64::NAN, 1.0), None),
        ];
        for ((x, y), node) in cases {
            assert_eq!(layout.node_at(x, y, 25), node, "({x}, {y})");
        }
    }

    #[test]
    fn crowded_nodes_get_one_pixel_pods_in_bigger_tiles() {
        let layout = TileLayout::new(1000, 10, 110);
        assert_eq!(layout.pod_px, 1);
        assert_eq!(layout.pods_per_row, 13);
        assert!(layout.pods_per_row * layout.pods_per_row >= 110);
    }

    #[test]
    fn rasterizing_paints_each_pod_in_its_states_colour() {
        let cluster = TileCluster {
            nodes: vec![
                NodeTile {
                    name: "node-1".into(),
                    readiness: NodeReadiness::Ready,
                    cordoned: false,
                    pods: vec![PodState::Running, PodState::Failing],
                },
                NodeTile {
                    name: "node-2".into(),
                    readiness: NodeReadiness::NotReady,
                    cordoned: false,
                    pods: vec![],
                },
            ],
            pending: 0,
        };
        let layout = TileLayout::new(64, 2, 2);
        let mut buffer = Vec::new();
        rasterize(&cluster, &layout, &mut buffer);
        assert_eq!(buffer.len(), (layout.width * layout.height * 4) as usize);
        assert_eq!(pixel(&buffer, &layout, 1, 1), pod_colour(PodState::Running));
        assert_eq!(pixel(&buffer, &layout, 2, 2), pod_colour(PodState::Running));
        assert_eq!(pixel(&buffer, &layout, 3, 1), pod_colour(PodState::Failing));
        assert_eq!(pixel(&buffer, &layout, 5, 1), TILE);
        assert_eq!(pixel(&buffer, &layout, 15, 0), BACKGROUND);
        assert_eq!(pixel(&buffer, &layout, 16, 0), [0xd6, 0x33, 0x33, 0xff]);
    }

    #[test]
    fn a_synthetic_cluster_spreads_its_pods_over_its_nodes() {
        let cluster = TileCluster::synthetic(5_000, 150_000, 0);
        assert_eq!(cluster.nodes.len(), 5_000);
        assert_eq!(cluster.pods_on_nodes(), 150_000);
        assert!(cluster.nodes.iter().all(|n| n.pods.len() == 30));
        assert_ne!(
            TileCluster::synthetic(10, 100, 0),
            TileCluster::synthetic(10, 100, 1)
        );
    }

    #[test]
    fn reading_a_world_gives_its_nodes_in_natural_order_and_their_pods() {
        let mut playground = Playground::new(1, 12);
        playground.apply_sample();
        playground.set_running(true);
        for _ in 0..120 {
            playground.tick(250.0);
        }
        let cluster = TileCluster::read(playground.world_mut());
        let names: Vec<_> = cluster.nodes.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names.first(), Some(&"node-1"));
        assert_eq!(names.get(1), Some(&"node-2"));
        assert_eq!(names.last(), Some(&"node-12"));
        assert_eq!(cluster.pods_on_nodes(), 3);
        assert!(cluster
            .nodes
            .iter()
            .flat_map(|n| n.pods.iter())
            .all(|s| *s == PodState::Running));
    }

    #[test]
    fn a_big_live_cluster_is_drawn_on_the_canvas_from_the_mirror() {
        use crate::live::{LiveInfo, LiveState};
        use kubeplay_core::sim::clock::Timestamp;
        let mut live = LiveState::new(
            "t".to_string(),
            LiveInfo::default(),
            Timestamp::from_millis(0),
        );
        let nodes: Vec<serde_json::Value> = (1..=CANVAS_THRESHOLD + 100)
            .map(|n| {
                serde_json::json!({
                    "metadata": { "name": format!("node-{n}") },
                    "status": { "conditions": [{ "type": "Ready", "status": if n == 7 { "False" } else { "True" } }] }
                })
            })
            .collect();
        let pods = serde_json::json!({
            "items": [
                { "metadata": { "name": "a", "namespace": "default" },
                  "spec": { "nodeName": "node-10", "containers": [{ "name": "c", "image": "nginx" }] },
                  "status": { "phase": "Running" } },
                { "metadata": { "name": "b", "namespace": "default" },
                  "spec": { "containers": [{ "name": "c", "image": "nginx" }] },
                  "status": { "phase": "Pending" } }
            ],
            "metadata": { "resourceVersion": "3" }
        });
        let node_list =
            serde_json::json!({ "items": nodes, "metadata": { "resourceVersion": "3" } });
        assert_eq!(
            live.mirror.apply_list(Kind::Node, &node_list.to_string()),
            Ok(())
        );
        assert_eq!(live.mirror.apply_list(Kind::Pod, &pods.to_string()), Ok(()));
        let count = ObjectSource::from(&live).node_count();
        assert_eq!(count, CANVAS_THRESHOLD + 100);
        assert!(uses_canvas(count));
        assert!(!uses_canvas(CANVAS_THRESHOLD - 1));
        let cluster = TileCluster::read(&live);
        assert_eq!(cluster.nodes.len(), CANVAS_THRESHOLD + 100);
        let names: Vec<&str> = cluster
            .nodes
            .iter()
            .take(3)
            .map(|n| n.name.as_str())
            .collect();
        assert_eq!(names, ["node-1", "node-2", "node-3"]);
        assert_eq!(
            cluster.nodes.get(6).map(|n| n.readiness),
            Some(NodeReadiness::NotReady)
        );
        assert_eq!(
            cluster.nodes.get(9).map(|n| n.pods.clone()),
            Some(vec![PodState::Running])
        );
        assert_eq!((cluster.pods_on_nodes(), cluster.pending), (1, 1));
    }
}
