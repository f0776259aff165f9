//! Table tests for the scheduler: plugins one by one, the FitError text, host selection,
//! `percentageOfNodesToScore`, the queue and the simulator annotations.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::Taint;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use super::explain::OmittedNodes;
use super::framework::{
    num_feasible_nodes_to_find, schedule_one, Config, Decision, Scheduler,
    FILTER_RESULT_ANNOTATION, FINAL_SCORE_RESULT_ANNOTATION, OMITTED_NODES_ANNOTATION,
    SCORE_RESULT_ANNOTATION,
};
use super::plugins::{
    balanced_allocation, image_locality, node_affinity, node_resources_fit, taint_toleration,
    CycleState,
};
use super::queue::{backoff_duration_ms, ClusterEvent, QueueName, SchedulingQueue};
use super::snapshot::{NodeInfo, PodSummary, Resources, Snapshot};
use crate::api::objects::StoredPod;

const GI: i64 = 1024 * 1024 * 1024;

fn pod(spec: serde_json::Value) -> StoredPod {
    serde_json::from_value(json!({
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
        "spec": spec,
    }))
    .expect("test pod is valid")
}

fn pod_requesting(cpu: &str, memory: &str) -> StoredPod {
    pod(json!({"containers": [{"name": "c", "image": "nginx",
        "resources": {"requests": {"cpu": cpu, "memory": memory}}}]}))
}

fn node(name: &str, milli_cpu: i64, memory_bytes: i64) -> NodeInfo {
    let mut node = NodeInfo::new(
        name,
        Resources {
            milli_cpu,
            memory_bytes,
        },
        110,
    );
    node.labels
        .insert("kubernetes.io/hostname".to_string(), name.to_string());
    node
}

fn running(name: &str, milli_cpu: i64, memory_bytes: i64, priority: i32) -> PodSummary {
    let resources = Resources {
        milli_cpu,
        memory_bytes,
    };
    PodSummary {
        namespace: "default".to_string(),
        name: name.to_string(),
        labels: std::sync::Arc::new(BTreeMap::from([("app".to_string(), "web".to_string())])),
        priority,
        resources: super::snapshot::PodResources {
            requested: resources,
            non_zero_requested: resources,
        },
        terminating: false,
    }
}

fn taint(key: &str, value: &str, effect: &str) -> Taint {
    Taint {
        key: key.to_string(),
        value: Some(value.to_string()),
        effect: effect.to_string(),
        time_added: None,
    }
}

fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

#[test]
fn three_node_cluster_with_one_cordoned_and_two_full_prints_kubernetes_fit_error() {
    let mut cordoned = node("node-a", 4000, 8 * GI);
    cordoned.unschedulable = true;
    let mut full_b = node("node-b", 2000, 8 * GI);
    full_b.add_pod(running("busy-b", 2000, GI, 0));
    let mut full_c = node("node-c", 2000, 8 * GI);
    full_c.add_pod(running("busy-c", 1900, GI, 0));
    let snapshot = Snapshot::new([cordoned, full_b, full_c]);
    let result = schedule_one(
        &pod_requesting("500m", "128Mi"),
        &snapshot,
        &Config::default(),
        &mut rng(1),
    );
    assert_eq!(
        result.failure_message().as_deref(),
        Some(
            "0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu. \
             preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, \
             2 No preemption victims found for incoming pod."
        )
    );
}

#[test]
fn fit_error_says_preemption_is_not_helpful_when_every_node_is_unresolvable() {
    let mut a = node("node-a", 4000, 8 * GI);
    a.unschedulable = true;
    let mut b = node("node-b", 4000, 8 * GI);
    b.taints.push(taint("dedicated", "gpu", "NoSchedule"));
    let c = node("node-c", 4000, 8 * GI);
    let mut p = pod_requesting("100m", "64Mi");
    if let Some(spec) = p.spec.as_mut().map(Arc::make_mut) {
        spec.node_selector = Some(BTreeMap::from([("disk".to_string(), "ssd".to_string())]));
    }
    let result = schedule_one(
        &p,
        &Snapshot::new([a, b, c]),
        &Config::default(),
        &mut rng(1),
    );
    assert_eq!(
        result.failure_message().as_deref(),
        Some(
            "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, \
             1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) were unschedulable. \
             preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
        )
    );
}

#[test]
fn higher_priority_pod_nominates_the_node_where_evicting_a_lower_priority_pod_helps() {
    let mut a = node("node-a", 1000, 8 * GI);
    a.add_pod(running("low", 800, GI, 0));
    let mut b = node("node-b", 1000, 8 * GI);
    b.add_pod(running("mid", 800, GI, 50));
    let mut p = pod_requesting("500m", "128Mi");
    if let Some(spec) = p.spec.as_mut().map(Arc::make_mut) {
        spec.priority = Some(100);
    }
    let result = schedule_one(&p, &Snapshot::new([a, b]), &Config::default(), &mut rng(1));
    match result.decision {
        Decision::Unschedulable { nominated_node, .. } => {
            assert_eq!(nominated_node.as_deref(), Some("node-a"));
        }
        other => panic!("expected a nomination, got {other:?}"),
    }
}

#[test]
fn pod_with_node_selector_lands_only_on_matching_nodes() {
    let mut nodes = Vec::new();
    for i in 0..10 {
        let mut n = node(&format!("node-{i}"), 4000, 8 * GI);
        if i % 3 == 0 {
            n.labels.insert("disk".to_string(), "ssd".to_string());
        }
        nodes.push(n);
    }
    let snapshot = Snapshot::new(nodes);
    let mut p = pod_requesting("100m", "64Mi");
    if let Some(spec) = p.spec.as_mut().map(Arc::make_mut) {
        spec.node_selector = Some(BTreeMap::from([("disk".to_string(), "ssd".to_string())]));
    }
    for seed in 0..20 {
        let result = schedule_one(&p, &snapshot, &Config::default(), &mut rng(seed));
        let Decision::Scheduled { node } = result.decision else {
            panic!("pod should schedule");
        };
        assert!(["node-0", "node-3", "node-6", "node-9"].contains(&node.as_str()));
    }
}

#[test]
fn ties_between_equal_best_nodes_are_broken_by_the_seeded_rng() {
    let snapshot = Snapshot::new((0..5).map(|i| node(&format!("node-{i}"), 4000, 8 * GI)));
    let p = pod_requesting("100m", "64Mi");
    let pick = |seed| match schedule_one(&p, &snapshot, &Config::default(), &mut rng(seed)).decision
    {
        Decision::Scheduled { node } => node,
        other => panic!("unexpected {other:?}"),
    };
    assert_eq!(pick(7), pick(7));
    let chosen: std::collections::BTreeSet<String> = (0..30).map(pick).collect();
    assert!(chosen.len() > 1, "different seeds spread over tied nodes");
}

#[test]
fn percentage_of_nodes_to_score_follows_the_adaptive_default() {
    for (nodes, expected) in [(50, 50), (100, 100), (1000, 420), (5000, 500)] {
        assert_eq!(
            num_feasible_nodes_to_find(0, nodes),
            expected,
            "{nodes} nodes"
        );
    }
    assert_eq!(num_feasible_nodes_to_find(30, 1000), 300);
    assert_eq!(num_feasible_nodes_to_find(1, 1000), 100);
}

#[test]
fn scheduler_rotates_its_start_index_by_the_nodes_it_processed() {
    let snapshot = Snapshot::new((0..300).map(|i| node(&format!("node-{i:03}"), 4000, 8 * GI)));
    let mut scheduler = Scheduler::new(Config::default());
    let result = scheduler.schedule_one(&pod_requesting("100m", "64Mi"), &snapshot, &mut rng(1));
    assert_eq!(result.explanation.evaluated_nodes, 144, "48 % of 300 nodes");
    assert_eq!(scheduler.next_start_node_index, 144);
}

#[test]
fn queue_backoff_doubles_from_one_second_to_ten() {
    let expected = [1_000, 2_000, 4_000, 8_000, 10_000, 10_000];
    for (attempts, want) in (1..).zip(expected) {
        assert_eq!(backoff_duration_ms(attempts), want, "attempt {attempts}");
    }
}

#[test]
fn queue_pops_by_priority_then_time_and_retries_unschedulable_pods_on_events() {
    let mut queue = SchedulingQueue::new();
    queue.add("default/low", 0, 0);
    queue.add("default/high", 10, 5);
    queue.add("default/low-later", 0, 3);
    let order: Vec<String> = std::iter::from_fn(|| queue.pop(10).map(|p| p.key)).collect();
    assert_eq!(order, ["default/high", "default/low", "default/low-later"]);

    let mut queue = SchedulingQueue::new();
    queue.add("default/web", 0, 0);
    let popped = queue.pop(0).expect("queued");
    queue.add_unschedulable(popped, 100);
    assert_eq!(
        queue.queue_of("default/web"),
        Some(QueueName::Unschedulable)
    );
    queue.handle_cluster_event(ClusterEvent::NodeAdded, 500);
    assert_eq!(queue.queue_of("default/web"), Some(QueueName::Backoff));
    assert!(queue.pop(1_099).is_none(), "backoff of 1 s not over");
    assert_eq!(queue.pop(1_100).map(|p| p.attempts), Some(2));
}

#[test]
fn unschedulable_pods_are_flushed_after_five_minutes() {
    let mut queue = SchedulingQueue::new();
    queue.add("default/web", 0, 0);
    let popped = queue.pop(0).expect("queued");
    queue.add_unschedulable(popped, 0);
    queue.handle_tick(299_999);
    assert_eq!(
        queue.queue_of("default/web"),
        Some(QueueName::Unschedulable)
    );
    assert_eq!(queue.poll_timeout_ms(), Some(300_000));
    queue.handle_tick(300_000);
    assert_eq!(queue.queue_of("default/web"), Some(QueueName::Active));
}

#[test]
fn taint_toleration_filter_reports_the_first_untolerated_taint() {
    let cases = [
        (vec![], "NoSchedule", true),
        (
            vec![json!({"key": "dedicated", "operator": "Equal", "value": "gpu"})],
            "NoSchedule",
            true,
        ),
        (
            vec![json!({"key": "dedicated", "operator": "Exists"})],
            "NoExecute",
            true,
        ),
        (
            vec![json!({"key": "dedicated", "value": "cpu"})],
            "NoSchedule",
            false,
        ),
        (
            vec![json!({"operator": "Exists", "effect": "NoExecute"})],
            "NoSchedule",
            false,
        ),
    ];
    for (tolerations, effect, tolerated) in cases {
        let has_tolerations = !tolerations.is_empty();
        let p = pod(json!({"containers": [{"name": "c"}], "tolerations": tolerations}));
        let state = CycleState::new(&p).expect("valid pod");
        let mut n = node("n", 1000, GI);
        n.taints.push(taint("dedicated", "gpu", effect));
        let status = taint_toleration::filter(&state, &n);
        let expect_pass = tolerated && has_tolerations;
        assert_eq!(
            status.is_success(),
            expect_pass,
            "{tolerations:?} vs {effect}"
        );
        if !expect_pass {
            assert_eq!(
                status.message(),
                "node(s) had untolerated taint {dedicated: gpu}"
            );
        }
    }
}

#[test]
fn taint_toleration_scores_fewer_prefer_no_schedule_taints_higher() {
    let mut scores = vec![0, 1, 2];
    taint_toleration::normalize_score(&mut scores);
    assert_eq!(scores, [100, 50, 0]);
    let p = pod(json!({"containers": [{"name": "c"}]}));
    let state = CycleState::new(&p).expect("valid pod");
    let mut n = node("n", 1000, GI);
    n.taints.push(taint("a", "1", "PreferNoSchedule"));
    n.taints.push(taint("b", "1", "NoSchedule"));
    assert_eq!(taint_toleration::score(&state, &n), 1);
}

#[test]
fn node_affinity_operators_match_node_labels() {
    let cases = [
        ("In", vec!["a", "b"], true),
        ("In", vec!["c"], false),
        ("NotIn", vec!["c"], true),
        ("NotIn", vec!["a"], false),
        ("Exists", vec![], true),
        ("DoesNotExist", vec![], false),
    ];
    let mut n = node("n", 1000, GI);
    n.labels.insert("tier".to_string(), "a".to_string());
    n.labels.insert("cores".to_string(), "8".to_string());
    for (operator, values, expected) in cases {
        let p = pod(
            json!({"containers": [{"name": "c"}], "affinity": {"nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchExpressions": [{"key": "tier", "operator": operator, "values": values}]}
            ]}}}}),
        );
        let state = CycleState::new(&p).expect("valid pod");
        assert_eq!(
            node_affinity::filter(&state, &n).is_success(),
            expected,
            "{operator}"
        );
    }
    for (operator, value, expected) in [("Gt", "4", true), ("Gt", "8", false), ("Lt", "9", true)] {
        let p = pod(
            json!({"containers": [{"name": "c"}], "affinity": {"nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchExpressions": [{"key": "cores", "operator": operator, "values": [value]}]}
            ]}}}}),
        );
        let state = CycleState::new(&p).expect("valid pod");
        let status = node_affinity::filter(&state, &n);
        assert_eq!(status.is_success(), expected, "{operator} {value}");
        if !expected {
            assert_eq!(
                status.message(),
                "node(s) didn't match Pod's node affinity/selector"
            );
        }
    }
}

#[test]
fn node_affinity_scores_the_weights_of_matching_preferred_terms() {
    let p = pod(
        json!({"containers": [{"name": "c"}], "affinity": {"nodeAffinity": {
        "preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 10, "preference": {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}},
            {"weight": 5, "preference": {"matchExpressions": [{"key": "ssd", "operator": "Exists"}]}}
        ]}}}),
    );
    let state = CycleState::new(&p).expect("valid pod");
    let mut n = node("n", 1000, GI);
    n.labels.insert("zone".to_string(), "a".to_string());
    n.labels.insert("ssd".to_string(), "true".to_string());
    assert_eq!(node_affinity::score(&state, &n), 15);
    let mut scores = vec![15, 5, 0];
    node_affinity::normalize_score(&mut scores);
    assert_eq!(scores, [100, 33, 0]);
}

#[test]
fn node_resources_fit_lists_every_insufficient_resource() {
    let p = pod_requesting("2", "2Gi");
    let state = CycleState::new(&p).expect("valid pod");
    let cases = [
        (node("roomy", 4000, 4 * GI), 110, ""),
        (node("small-cpu", 1000, 4 * GI), 110, "Insufficient cpu"),
        (
            node("small", 1000, GI),
            110,
            "Insufficient cpu, Insufficient memory",
        ),
        (node("no-slots", 4000, 4 * GI), 0, "Too many pods"),
    ];
    for (mut n, pods, expected) in cases {
        n.allowed_pod_number = pods;
        assert_eq!(
            node_resources_fit::filter(&state, &n).message(),
            expected,
            "{}",
            n.name
        );
    }
}

#[test]
fn least_allocated_and_balanced_allocation_score_as_kubernetes() {
    let p = pod_requesting("1", "1Gi");
    let state = CycleState::new(&p).expect("valid pod");
    let mut n = node("n", 4000, 8 * GI);
    n.add_pod(running("other", 1000, GI, 0));
    // cpu (4000-2000)*100/4000 = 50, memory (8-2)*100/8 = 75 → (50+75)/2 = 62.
    assert_eq!(node_resources_fit::score(&state, &n), 62);
    // fractions 0.5 and 0.25 → std 0.125 → 87.
    assert_eq!(balanced_allocation::score(&state, &n), 87);
    let best_effort = pod(json!({"containers": [{"name": "c"}]}));
    assert!(balanced_allocation::skips(
        &CycleState::new(&best_effort).expect("valid")
    ));
}

#[test]
fn image_locality_scales_present_image_size_by_spread() {
    let mut a = node("a", 1000, GI);
    a.images
        .insert("nginx:latest".to_string(), 500 * 1024 * 1024);
    let b = node("b", 1000, GI);
    let snapshot = Snapshot::new([a, b]);
    let p = pod(json!({"containers": [{"name": "c", "image": "nginx"}]}));
    let state = CycleState::new(&p).expect("valid pod");
    let on_a = snapshot.get("a").expect("node a");
    // 500 MiB × 1/2 = 250 MiB → 100 × (250-23)/(1000-23) = 23.
    assert_eq!(image_locality::score(&state, on_a, &snapshot), 23);
    let on_b = snapshot.get("b").expect("node b");
    assert_eq!(image_locality::score(&state, on_b, &snapshot), 0);
}

#[test]
fn pod_topology_spread_rejects_nodes_that_would_exceed_max_skew() {
    let mut nodes = Vec::new();
    for (name, zone, pods) in [("a", "z1", 2), ("b", "z2", 0), ("c", "z1", 0)] {
        let mut n = node(name, 8000, 16 * GI);
        n.labels
            .insert("topology.kubernetes.io/zone".to_string(), zone.to_string());
        for i in 0..pods {
            n.add_pod(running(&format!("{name}-{i}"), 100, 1, 0));
        }
        nodes.push(n);
    }
    nodes.push(node("unlabelled", 8000, 16 * GI));
    let snapshot = Snapshot::new(nodes);
    let p = pod(
        json!({"containers": [{"name": "c"}], "topologySpreadConstraints": [{
        "maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
        "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": {"app": "web"}}}]}),
    );
    let result = schedule_one(&p, &snapshot, &Config::default(), &mut rng(1));
    assert_eq!(
        result.decision,
        Decision::Scheduled {
            node: "b".to_string()
        }
    );
    let filter = &result.explanation.filter;
    let reason = |n: &str| {
        filter
            .get(n)
            .and_then(|r| r.last())
            .map(|(_, s)| s.message())
            .unwrap_or_default()
    };
    assert_eq!(
        reason("a"),
        "node(s) didn't match pod topology spread constraints"
    );
    assert_eq!(
        reason("unlabelled"),
        "node(s) didn't match pod topology spread constraints (missing required label)"
    );
}

#[test]
fn pod_topology_spread_scores_emptier_domains_higher() {
    let mut a = node("a", 8000, 16 * GI);
    a.add_pod(running("a-0", 100, 1, 0));
    a.add_pod(running("a-1", 100, 1, 0));
    let b = node("b", 8000, 16 * GI);
    let p = pod(
        json!({"containers": [{"name": "c"}], "topologySpreadConstraints": [{
        "maxSkew": 1, "topologyKey": "kubernetes.io/hostname",
        "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": {"app": "web"}}}]}),
    );
    let result = schedule_one(&p, &Snapshot::new([a, b]), &Config::default(), &mut rng(1));
    let spread = |n: &str| {
        result.explanation.score[n]
            .iter()
            .find(|s| s.plugin.as_str() == "PodTopologySpread")
            .map(|s| (s.raw, s.normalized))
    };
    // weight ln(2+2) ≈ 1.386: a has 2 pods → round(2.77) = 3, b → 0.
    assert_eq!(spread("a"), Some((Some(3), 0)));
    assert_eq!(spread("b"), Some((Some(0), 100)));
    assert_eq!(
        result.decision,
        Decision::Scheduled {
            node: "b".to_string()
        }
    );
}

#[test]
fn explanation_renders_as_simulator_annotations() {
    let mut cordoned = node("a", 4000, 8 * GI);
    cordoned.unschedulable = true;
    let snapshot = Snapshot::new([cordoned, node("b", 4000, 8 * GI), node("c", 2000, 8 * GI)]);
    let result = schedule_one(
        &pod_requesting("1", "1Gi"),
        &snapshot,
        &Config::default(),
        &mut rng(1),
    );
    let annotations = result.explanation.simulator_annotations();
    let filter: serde_json::Value =
        serde_json::from_str(&annotations["scheduler-simulator/filter-result"]).expect("json");
    assert_eq!(
        filter["a"],
        json!({"NodeUnschedulable": "node(s) were unschedulable"})
    );
    assert_eq!(filter["b"]["NodeResourcesFit"], "passed");
    let score: serde_json::Value =
        serde_json::from_str(&annotations["scheduler-simulator/score-result"]).expect("json");
    assert_eq!(score["b"]["NodeResourcesFit"], "81");
    let final_score: serde_json::Value =
        serde_json::from_str(&annotations["scheduler-simulator/finalscore-result"]).expect("json");
    assert_eq!(final_score["b"]["TaintToleration"], "300");
    assert_eq!(final_score["b"]["NodeAffinity"], "0");
}

#[test]
fn snapshot_reads_nodes_and_bound_pods_from_objects() {
    let node_object: k8s_openapi::api::core::v1::Node = serde_json::from_value(json!({
        "metadata": {"name": "n1", "labels": {"zone": "a"}},
        "spec": {"unschedulable": true},
        "status": {"allocatable": {"cpu": "2", "memory": "4Gi", "pods": "110"},
                   "images": [{"names": ["nginx:1.27"], "sizeBytes": 1000}]}
    }))
    .expect("valid node");
    let mut bound = pod_requesting("250m", "256Mi");
    bound.set_node_name(Some("n1".to_string()));
    let snapshot = Snapshot::from_objects(&[node_object], &[bound]).expect("valid objects");
    let n1 = snapshot.get("n1").expect("n1");
    assert_eq!(
        n1.allocatable,
        Resources {
            milli_cpu: 2000,
            memory_bytes: 4 * GI
        }
    );
    assert_eq!(
        n1.requested,
        Resources {
            milli_cpu: 250,
            memory_bytes: 256 * 1024 * 1024
        }
    );
    assert!(n1.unschedulable);
    assert_eq!(snapshot.image_num_nodes("nginx:1.27"), 1);
}

#[test]
fn updating_a_node_in_the_snapshot_keeps_its_pods_and_recounts_its_images() {
    let mut first = node("node-b", 2000, 8 * GI);
    first.images.insert("nginx:1.27".to_string(), 1000);
    let mut snapshot = Snapshot::new([first]);
    snapshot
        .add_pod("node-b", running("busy", 500, GI, 0))
        .expect("node-b is known");
    let mut updated = node("node-b", 4000, 8 * GI);
    updated.images.insert("redis:7".to_string(), 2000);
    snapshot.upsert_node(updated);
    let b = snapshot.get("node-b").expect("node-b");
    assert_eq!(b.allocatable.milli_cpu, 4000);
    assert_eq!(b.requested.milli_cpu, 500);
    assert_eq!(b.pods.len(), 1);
    assert_eq!(snapshot.image_num_nodes("nginx:1.27"), 0);
    assert_eq!(snapshot.image_num_nodes("redis:7"), 1);
}

#[test]
fn nodes_added_out_of_name_order_are_sorted_before_scheduling_and_removal_keeps_the_index() {
    let mut snapshot = Snapshot::default();
    for name in ["node-2", "node-10", "node-1"] {
        snapshot.upsert_node(node(name, 1000, GI));
    }
    snapshot.order_nodes();
    let names: Vec<&str> = snapshot.nodes().iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["node-1", "node-10", "node-2"]);
    let removed = snapshot.remove_node("node-10").expect("node-10 was there");
    assert_eq!(removed.name, "node-10");
    assert_eq!(
        snapshot.get("node-2").map(|n| n.name.as_str()),
        Some("node-2")
    );
    assert_eq!(snapshot.num_nodes(), 2);
}

#[test]
fn pods_with_the_same_labels_share_one_interned_set_until_the_last_is_released() {
    let mut sets = super::snapshot::LabelSets::default();
    let labels = BTreeMap::from([("app".to_string(), "web".to_string())]);
    let a = sets.intern(Some(&labels));
    let b = sets.intern(Some(&labels));
    assert!(std::sync::Arc::ptr_eq(&a, &b));
    assert_eq!(sets.len(), 1);
    sets.release(&a);
    drop(a);
    assert_eq!(sets.len(), 1, "b still uses the set");
    sets.release(&b);
    drop(b);
    assert!(sets.is_empty());
}

#[test]
fn a_cycle_without_explanation_decides_exactly_as_one_with_it() {
    let nodes: Vec<NodeInfo> = (0..300)
        .map(|i| {
            let mut n = node(&format!("node-{i:03}"), 1000 + (i % 7) * 500, 8 * GI);
            if i % 5 == 0 {
                n.add_pod(running(&format!("busy-{i}"), 900, GI, 0));
            }
            n
        })
        .collect();
    let snapshot = Snapshot::new(nodes);
    let quiet = Config {
        explain: false,
        ..Config::default()
    };
    let mut explained = Scheduler::new(Config::default());
    let mut unexplained = Scheduler::new(quiet);
    let (mut rng_a, mut rng_b) = (rng(7), rng(7));
    for cpu in ["100m", "700m", "3", "250m"] {
        let p = pod_requesting(cpu, "64Mi");
        let a = explained.schedule_one(&p, &snapshot, &mut rng_a);
        let b = unexplained.schedule_one(&p, &snapshot, &mut rng_b);
        assert_eq!(a.decision, b.decision);
        assert_eq!(a.failure_message(), b.failure_message());
        assert_eq!(a.explanation.evaluated_nodes, b.explanation.evaluated_nodes);
        assert!(b.explanation.filter.is_empty() && b.explanation.score.is_empty());
        assert_eq!(
            a.explanation.filter.len() + a.explanation.omitted.count,
            a.explanation.evaluated_nodes
        );
        assert!(a.explanation.filter.len() <= Config::default().explain_max_nodes);
    }
}

/// The annotations as the scheduler wrote them before they were serialised directly and
/// capped: maps of cloned strings handed to `serde_json` (kept to prove the output is the
/// same for small clusters).
fn annotations_through_intermediate_maps(
    explanation: &super::Explanation,
) -> BTreeMap<String, String> {
    let mut filter: BTreeMap<&str, BTreeMap<&str, String>> = BTreeMap::new();
    for (node, results) in &explanation.filter {
        let entry = filter.entry(node).or_default();
        for (plugin, status) in results {
            let text = if status.is_success() {
                "passed".to_string()
            } else {
                status.message()
            };
            entry.insert(plugin.as_str(), text);
        }
    }
    let mut score: BTreeMap<&str, BTreeMap<&str, String>> = BTreeMap::new();
    let mut final_score: BTreeMap<&str, BTreeMap<&str, String>> = BTreeMap::new();
    for (node, results) in &explanation.score {
        for result in results {
            score
                .entry(node)
                .or_default()
                .insert(result.plugin.as_str(), result.raw.unwrap_or(0).to_string());
            final_score
                .entry(node)
                .or_default()
                .insert(result.plugin.as_str(), result.weighted.to_string());
        }
    }
    let json = |value: &BTreeMap<&str, BTreeMap<&str, String>>| {
        serde_json::to_string(value).unwrap_or_else(|_| "{}".to_string())
    };
    BTreeMap::from([
        (FILTER_RESULT_ANNOTATION.to_string(), json(&filter)),
        (SCORE_RESULT_ANNOTATION.to_string(), json(&score)),
        (
            FINAL_SCORE_RESULT_ANNOTATION.to_string(),
            json(&final_score),
        ),
    ])
}

/// A small cluster with a bit of everything: cordoned, tainted, full, busy and empty
/// nodes, image holders.
fn mixed_cluster(count: usize) -> Snapshot {
    let nodes = (0..count).map(|i| {
        let mut n = node(
            &format!("node-{i:03}"),
            1000 + (i as i64 % 4) * 1000,
            4 * GI,
        );
        match i % 6 {
            0 => n.unschedulable = true,
            1 => n.taints.push(Taint {
                key: "dedicated".to_string(),
                value: Some("gpu \"a\"".to_string()),
                effect: "NoSchedule".to_string(),
                ..Taint::default()
            }),
            2 => n.add_pod(running(&format!("busy-{i}"), 900, 3 * GI, 0)),
            3 => {
                n.images.insert("nginx:latest".to_string(), 200_000_000);
            }
            4 => n.taints.push(Taint {
                key: "spot".to_string(),
                value: None,
                effect: "PreferNoSchedule".to_string(),
                ..Taint::default()
            }),
            _ => {}
        }
        n
    });
    Snapshot::new(nodes.collect::<Vec<_>>())
}

#[test]
fn small_clusters_get_byte_for_byte_the_annotations_the_intermediate_maps_gave() {
    let pods = [
        pod_requesting("500m", "1Gi"),
        pod_requesting("1500m", "256Mi"),
        pod_requesting("64", "1Gi"),
        pod_requesting("100m", "3Gi"),
        pod(
            json!({"containers": [{"name": "c", "image": "nginx"}], "affinity": {"nodeAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 5, "preference":
            {"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In",
            "values": ["node-005"]}]}}]}}}),
        ),
    ];
    let mut compared = 0;
    for count in [1, 3, 12, 99] {
        let snapshot = mixed_cluster(count);
        for (i, p) in pods.iter().enumerate() {
            let result = schedule_one(p, &snapshot, &Config::default(), &mut rng(i as u64));
            assert_eq!(result.explanation.omitted, OmittedNodes::default());
            assert_eq!(
                result.explanation.filter.len(),
                count.min(result.explanation.evaluated_nodes)
            );
            let ours = result.explanation.simulator_annotations();
            assert_eq!(
                ours,
                annotations_through_intermediate_maps(&result.explanation),
                "{count} nodes, pod {i}"
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 20);
}

#[test]
fn big_clusters_list_at_most_explain_max_nodes_and_count_the_rest() {
    let snapshot = mixed_cluster(600);
    let config = Config {
        percentage_of_nodes_to_score: 100,
        explain_max_nodes: 40,
        ..Config::default()
    };
    let p = pod_requesting("500m", "1Gi");
    let result = schedule_one(&p, &snapshot, &config, &mut rng(3));
    let Decision::Scheduled { node: chosen } = &result.decision else {
        panic!("not scheduled: {:?}", result.decision);
    };
    let explanation = &result.explanation;
    assert_eq!(explanation.evaluated_nodes, 600);
    assert_eq!(explanation.filter.len(), 40);
    assert_eq!(explanation.omitted.count, 600 - 40);
    assert!(explanation.filter.contains_key(chosen));
    // One listed example per distinct failure: cordoned, tainted, full.
    let failures: std::collections::BTreeSet<String> = explanation
        .filter
        .values()
        .filter_map(|r| r.last())
        .filter(|(_, s)| !s.is_success())
        .map(|(_, s)| s.message())
        .collect();
    assert_eq!(failures.len(), 3, "{failures:?}");
    // The listed feasible nodes score at least as high as any omitted one: the lowest
    // listed total is the 37th best of all feasible nodes' totals.
    let listed_feasible = explanation.score.len();
    assert_eq!(listed_feasible, 40 - 3);
    let omitted_rejected: usize = explanation.omitted.count - explanation.omitted.feasible;
    let rejected_total = 600 - explanation.feasible_nodes;
    assert_eq!(omitted_rejected, rejected_total - 3);
    // Each omitted rejected node counts once per reason (these statuses have one reason).
    assert_eq!(
        explanation.omitted.reasons.values().sum::<usize>(),
        omitted_rejected
    );
    let annotations = explanation.simulator_annotations();
    let omitted = annotations
        .get(OMITTED_NODES_ANNOTATION)
        .and_then(|text| OmittedNodes::from_json(text));
    assert_eq!(omitted.as_ref(), Some(&explanation.omitted));
    let filter: BTreeMap<String, serde_json::Value> =
        serde_json::from_str(&annotations[FILTER_RESULT_ANNOTATION]).unwrap_or_default();
    assert_eq!(filter.len(), 40);
    // Deterministic: the same cycle lists the same nodes.
    let again = schedule_one(&p, &snapshot, &config, &mut rng(3));
    assert_eq!(again.explanation.simulator_annotations(), annotations);
}

#[test]
fn listed_feasible_nodes_are_the_ones_with_the_highest_final_scores() {
    // Nodes of growing size: bigger nodes have more room left and score higher.
    let nodes: Vec<NodeInfo> = (0..200)
        .map(|i| node(&format!("node-{i:03}"), 1000 + i * 100, 4 * GI))
        .collect();
    let snapshot = Snapshot::new(nodes);
    let config = Config {
        percentage_of_nodes_to_score: 100,
        explain_max_nodes: 10,
        ..Config::default()
    };
    let everything = Config {
        explain_max_nodes: usize::MAX,
        ..config.clone()
    };
    let p = pod_requesting("500m", "1Gi");
    let capped = schedule_one(&p, &snapshot, &config, &mut rng(5));
    let full = schedule_one(&p, &snapshot, &everything, &mut rng(5));
    assert_eq!(capped.decision, full.decision);
    let mut all: Vec<(i64, &String)> = full
        .explanation
        .total_score
        .iter()
        .map(|(n, t)| (*t, n))
        .collect();
    all.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    let lowest_listed = capped.explanation.total_score.values().min().copied();
    let tenth_best = all.get(9).map(|(t, _)| *t);
    assert_eq!(lowest_listed, tenth_best);
    assert_eq!(capped.explanation.total_score.len(), 10);
    assert_eq!(capped.explanation.omitted.feasible, 190);
    // Listed nodes carry the same scores as in the full explanation.
    for (node, scores) in &capped.explanation.score {
        assert_eq!(Some(scores), full.explanation.score.get(node), "{node}");
    }
}

#[test]
fn image_locality_by_image_id_scores_exactly_as_by_image_name() {
    let mut nodes = Vec::new();
    for (i, images) in [
        vec![("nginx:1.25", 700_000_000), ("redis:7", 300_000_000)],
        vec![("nginx:1.25", 700_000_000)],
        vec![("busybox:latest", 2_000_000), ("redis:7", 300_000_000)],
        vec![],
    ]
    .into_iter()
    .enumerate()
    {
        let mut n = node(&format!("n{i}"), 4000, 8 * GI);
        for (image, size) in images {
            n.images.insert(image.to_string(), size);
        }
        nodes.push(n);
    }
    let mut snapshot = Snapshot::new(nodes);
    let p = pod(json!({"containers": [{"name": "a", "image": "nginx:1.25"},
        {"name": "b", "image": "redis:7"}], "initContainers": [{"name": "i", "image": "busybox"}]}));
    let state = CycleState::new(&p).expect("valid pod");
    let compare = |snapshot: &Snapshot| {
        let spreads = image_locality::image_spreads(&state, snapshot);
        let images = image_locality::pod_images(&state, snapshot);
        let by_name: Vec<i64> = snapshot
            .nodes()
            .iter()
            .map(|n| image_locality::score_with_spreads(&state, &spreads, n))
            .collect();
        let by_id: Vec<i64> = snapshot
            .nodes()
            .iter()
            .map(|n| image_locality::score_with_ids(&state, &images, n))
            .collect();
        assert_eq!(by_id, by_name);
        by_id
    };
    let before = compare(&snapshot);
    // A pull, and a node update that changes its images, renumber as they go.
    snapshot.add_image("n3", "nginx:1.25", 700_000_000);
    let mut updated = node("n1", 4000, 8 * GI);
    updated
        .images
        .insert("busybox:latest".to_string(), 2_000_000);
    snapshot.upsert_node(updated);
    let after = compare(&snapshot);
    assert_ne!(before, after);
}
