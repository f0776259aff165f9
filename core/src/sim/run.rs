//! A whole simulated run, as `kubeplay sim` performs it: build a world of N nodes, ask for P
//! pods through Deployments, and let virtual time run until every pod is running and ready
//! (or nothing moves any more). The host adds wall-clock figures; everything here is
//! deterministic.

use std::time::Duration;

use serde::Serialize;
use serde_json::json;

use crate::api::objects::Object;
use crate::network::ipam::default_cluster_cidr_for;

use super::world::{PodSummary, Stopwatch, World, WorldConfig};

/// What to simulate.
#[derive(Clone, Debug)]
pub struct SimRunConfig {
    /// The cluster.
    pub world: WorldConfig,
    /// How many pods to ask for in all.
    pub pods: usize,
    /// Replicas per Deployment (the last one takes the rest).
    pub pods_per_deployment: usize,
    /// When to give up, in virtual time.
    pub max_virtual: Duration,
    /// How much virtual time passes between two progress checks.
    pub check_every: Duration,
    /// The host's clock, to measure the scheduler's wall time
    /// ([`World::scheduler_wall_seconds`]); the run itself does not depend on it.
    pub stopwatch: Option<Stopwatch>,
}

impl Default for SimRunConfig {
    fn default() -> SimRunConfig {
        SimRunConfig {
            world: WorldConfig::default(),
            pods: 30,
            pods_per_deployment: 100,
            max_virtual: Duration::from_secs(3600),
            check_every: Duration::from_secs(1),
            stopwatch: None,
        }
    }
}

impl SimRunConfig {
    /// The run `kubeplay sim` makes: `nodes` nodes of `max_pods` pods each, `pods` pods through
    /// Deployments of 500 replicas, no scheduler annotations and no kept trace records (the
    /// trace is still hashed), and a compactor that keeps one virtual second of history.
    pub fn command_line(
        nodes: usize,
        pods: usize,
        seed: u64,
        max_pods: u32,
        max_virtual: Duration,
    ) -> SimRunConfig {
        SimRunConfig {
            world: WorldConfig {
                seed,
                nodes,
                max_pods,
                scheduler_annotations: false,
                trace_records_kept: 0,
                // Keep one virtual second of history, not kube-apiserver's five minutes: the
                // run lasts minutes of virtual time and every pod writes ~6 revisions in its
                // first seconds, which would otherwise all stay in memory.
                compaction_interval: Duration::from_secs(1),
                // And within a virtual second: the first seconds create, bind and start
                // thousands of pods in one instant, each write a full copy of the pod.
                compaction_retained_revisions: 10_000,
                // The default /16 holds 256 podCIDRs of /24: a larger cluster gets a wider
                // range, as a real one would (the same rule as `kubeplay serve`).
                cluster_cidr: default_cluster_cidr_for(nodes).to_string(),
                ..WorldConfig::default()
            },
            pods,
            pods_per_deployment: 500,
            max_virtual,
            ..SimRunConfig::default()
        }
    }
}

/// The deterministic figures of a run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SimRunReport {
    /// Nodes in the cluster.
    pub nodes: usize,
    /// Pods asked for.
    pub pods_requested: usize,
    /// Pods that exist at the end.
    pub pods_total: usize,
    /// Pods bound to a node.
    pub pods_scheduled: usize,
    /// Pods running with every container ready.
    pub pods_running: usize,
    /// Pods still pending at the end (unschedulable or stuck).
    pub pods_pending: usize,
    /// Whether every requested pod ended up running.
    pub all_running: bool,
    /// Virtual seconds from the first request to the end.
    pub virtual_seconds: f64,
    /// The trace hash, hex.
    pub trace_hash: String,
    /// Trace records produced.
    pub trace_records: u64,
}

/// The Deployment `kubeplay sim` creates: `replicas` nginx pods labelled `app: NAME`, each
/// requesting 10m cpu and 16Mi memory (None only if the object would not decode).
pub fn deployment(name: &str, replicas: usize) -> Option<Object> {
    Object::from_value(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{
                    "name": "web", "image": "nginx:1.25",
                    "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}
                }]}
            }
        }
    }))
    .ok()
}

/// Runs the simulation, calling `progress` after every check with the pod counts.
pub fn run(config: &SimRunConfig, progress: impl FnMut(&PodSummary)) -> SimRunReport {
    run_keeping_world(config, progress).0
}

/// [`run`], handing back the world as the run left it: a host about to exit may skip
/// freeing it (millions of small allocations) while a test can look inside.
pub fn run_keeping_world(
    config: &SimRunConfig,
    mut progress: impl FnMut(&PodSummary),
) -> (SimRunReport, World) {
    let mut world = World::new(&config.world);
    if let Some(stopwatch) = config.stopwatch {
        world.set_stopwatch(stopwatch);
    }
    let start = world.now();
    world.api().set_user("kubeplay-sim");
    let per = config.pods_per_deployment.max(1);
    let mut remaining = config.pods;
    let mut index = 0;
    while remaining > 0 {
        let replicas = remaining.min(per);
        if let Some(object) = deployment(&format!("app-{index}"), replicas) {
            // A refused create shows up as missing pods in the report.
            let _ = world.api().create("default", object);
        }
        remaining -= replicas;
        index += 1;
    }
    let deadline = start.plus(config.max_virtual);
    let mut summary = world.pod_summary();
    let mut quiet_checks = 0;
    while world.now() < deadline {
        let before = world.trace().len();
        world.advance(config.check_every);
        summary = world.pod_summary();
        progress(&summary);
        if summary.total >= config.pods && summary.running_ready >= config.pods {
            break;
        }
        // Only heartbeats and reads since the last check for a long while: stuck.
        let writes = world.trace().len() - before;
        quiet_checks = if writes < 8 * config.world.nodes as u64 + 16 {
            quiet_checks + 1
        } else {
            0
        };
        if quiet_checks > 600 {
            break;
        }
    }
    let report = SimRunReport {
        nodes: config.world.nodes,
        pods_requested: config.pods,
        pods_total: summary.total,
        pods_scheduled: summary.scheduled,
        pods_running: summary.running_ready,
        pods_pending: summary.pending,
        all_running: summary.running_ready >= config.pods,
        virtual_seconds: world.now().since(start).as_secs_f64(),
        trace_hash: format!("{:016x}", world.trace().hash()),
        trace_records: world.trace().len(),
    };
    (report, world)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_run_gets_every_pod_running_and_is_deterministic() {
        let config = SimRunConfig {
            world: WorldConfig {
                nodes: 4,
                seed: 3,
                ..WorldConfig::default()
            },
            pods: 40,
            pods_per_deployment: 15,
            ..SimRunConfig::default()
        };
        let mut checks = 0;
        let report = run(&config, |_| checks += 1);
        assert!(report.all_running, "{report:?}");
        assert_eq!(report.pods_scheduled, 40);
        assert!(checks > 0);
        assert_eq!(run(&config, |_| {}), report);
    }

    #[test]
    fn pods_beyond_the_cluster_capacity_stay_pending_and_the_run_ends() {
        let config = SimRunConfig {
            world: WorldConfig {
                nodes: 1,
                max_pods: 5,
                ..WorldConfig::default()
            },
            pods: 8,
            max_virtual: Duration::from_secs(120),
            ..SimRunConfig::default()
        };
        let report = run(&config, |_| {});
        assert!(!report.all_running);
        assert_eq!(report.pods_running, 5);
        assert_eq!(report.pods_pending, 3);
    }
}
