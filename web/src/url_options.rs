//! Options read from the page address, for big clusters and measurements.
//!
//! - `?nodes=N` starts a fresh cluster of N nodes (1 to [`MAX_NODES`]) instead of the saved
//!   session (a saved session of that many nodes is restored as usual).
//! - `?bench=canvas&nodes=N&pods=P&frames=F` shows only the big-cluster canvas with a made-up
//!   cluster of N nodes and P pods, redrawn F times (see
//!   [`crate::components::CanvasBench`]), to measure drawing without a simulated World.
//!
//! [`UrlOptions::parse`] is plain Rust (tested natively); the app reads
//! `window.location.search` and hands it in.

/// The most nodes `?nodes=` asks for.
pub const MAX_NODES: usize = 5_000;

/// The most pods the canvas benchmark draws.
pub const MAX_BENCH_PODS: usize = 1_000_000;

/// What the address asked for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UrlOptions {
    /// The node count of a fresh cluster, if given.
    pub nodes: Option<usize>,
    /// The canvas benchmark, if asked for.
    pub canvas_bench: Option<CanvasBenchOptions>,
}

/// The canvas benchmark's size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CanvasBenchOptions {
    /// Nodes to draw.
    pub nodes: usize,
    /// Pods to spread over them.
    pub pods: usize,
    /// Frames to draw.
    pub frames: u64,
}

impl UrlOptions {
    /// Reads a query string (`?nodes=500`, with or without the `?`). Unknown parameters and
    /// values that are not numbers in range are ignored.
    pub fn parse(query: &str) -> UrlOptions {
        let mut nodes = None;
        let mut pods = None;
        let mut frames = None;
        let mut bench = false;
        for pair in query.trim_start_matches('?').split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "nodes" => {
                    nodes = value
                        .parse::<usize>()
                        .ok()
                        .filter(|n| (1..=MAX_NODES).contains(n))
                }
                "pods" => pods = value.parse::<usize>().ok().filter(|n| *n <= MAX_BENCH_PODS),
                "frames" => {
                    frames = value
                        .parse::<u64>()
                        .ok()
                        .filter(|n| (1..=10_000).contains(n))
                }
                "bench" => bench = value == "canvas",
                _ => {}
            }
        }
        UrlOptions {
            nodes,
            canvas_bench: bench.then(|| CanvasBenchOptions {
                nodes: nodes.unwrap_or(MAX_NODES),
                pods: pods.unwrap_or(150_000),
                frames: frames.unwrap_or(60),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_asks_for_a_node_count_or_the_canvas_benchmark() {
        let cases = [
            ("", UrlOptions::default()),
            (
                "?nodes=500",
                UrlOptions {
                    nodes: Some(500),
                    canvas_bench: None,
                },
            ),
            ("nodes=0", UrlOptions::default()),
            ("?nodes=99999", UrlOptions::default()),
            ("?nodes=abc&x=1", UrlOptions::default()),
            (
                "?bench=canvas",
                UrlOptions {
                    nodes: None,
                    canvas_bench: Some(CanvasBenchOptions {
                        nodes: 5_000,
                        pods: 150_000,
                        frames: 60,
                    }),
                },
            ),
            (
                "?bench=canvas&nodes=300&pods=9000&frames=5",
                UrlOptions {
                    nodes: Some(300),
                    canvas_bench: Some(CanvasBenchOptions {
                        nodes: 300,
                        pods: 9_000,
                        frames: 5,
                    }),
                },
            ),
        ];
        for (query, options) in cases {
            assert_eq!(UrlOptions::parse(query), options, "{query:?}");
        }
    }
}
