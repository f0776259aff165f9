//! Whole simulated runs: N nodes, P pods through Deployments, until every pod runs.
//!
//! Run with `cargo bench -p kubeplay-core --bench sim`. Each sample builds the world and runs
//! it to the end, so the figure is the wall time of one `kubeplay sim` run of that size.

use divan::counter::ItemsCount;
use divan::Bencher;
use kubeplay_core::sim::run::{run, SimRunConfig};
use kubeplay_core::sim::world::WorldConfig;

fn main() {
    divan::main();
}

fn config(nodes: usize, pods: usize) -> SimRunConfig {
    SimRunConfig {
        world: WorldConfig {
            nodes,
            scheduler_annotations: false,
            trace_records_kept: 0,
            ..WorldConfig::default()
        },
        pods,
        pods_per_deployment: 500,
        ..SimRunConfig::default()
    }
}

/// 10 nodes, 300 pods.
#[divan::bench(sample_count = 3)]
fn nodes_10_pods_300(bencher: Bencher) {
    bencher.counter(ItemsCount::new(300usize)).bench(|| {
        let report = run(&config(10, 300), |_| {});
        assert!(report.all_running, "{report:?}");
        report
    });
}

/// 100 nodes, 3,000 pods.
#[divan::bench(sample_count = 2)]
fn nodes_100_pods_3000(bencher: Bencher) {
    bencher.counter(ItemsCount::new(3000usize)).bench(|| {
        let report = run(&config(100, 3000), |_| {});
        assert!(report.all_running, "{report:?}");
        report
    });
}
