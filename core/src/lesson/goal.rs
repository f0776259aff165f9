//! Step goals: a small typed vocabulary of cluster states a step asks for, and their
//! evaluation against a [`World`].
//!
//! A [`Goal`] is data (one YAML key naming the kind of goal, its fields below it), never
//! code. [`Goal::is_met`] reads the objects straight from the API server's store, as the
//! browser's views do, so checking a goal after every line neither writes nor adds API
//! requests to the trace. What "running" means is the same everywhere: a pod is *running*
//! when its phase is `Running`, its `Ready` condition is `True` and it is not being deleted
//! (a `Terminating` pod still says `Running` in its phase, and a learner would not count it).
//!
//! Two goals look beyond the objects: [`Goal::PodsReplaced`] compares with the pods there were
//! when the step began (a [`StepBaseline`]), and [`Goal::RanCommand`] with the lines the
//! learner ran in the step (for steps that only observe, like `play traffic`).

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::Deserialize;

use crate::api::labels::Selector;
use crate::api::objects::{Kind, Object, StoredPod};
use crate::apiserver::registry::{list_prefix, object_key};
use crate::sim::world::World;
use crate::store::{KeyRange, KvStore, RangeRequest};

use super::format::Lang;

/// One cluster state a step asks for. In YAML: `goal: {deploymentAvailable: {name: web,
/// replicas: 3}}`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Goal {
    /// The named pod is running (and, with `readyContainers`, that many containers are ready).
    PodRunning(PodRunning),
    /// The named pod's containers restarted at least `restarts` times and it runs again.
    PodRestarted(PodRestarted),
    /// Exactly `count` running pods match the selector.
    PodsRunning(PodsMatching),
    /// Exactly `count` running pods match the selector and at least one of them was not
    /// there when the step began: the controller replaced what was deleted.
    PodsReplaced(PodsMatching),
    /// Every node runs a running pod that matches the selector.
    PodOnEveryNode(PodOnEveryNode),
    /// The Deployment wants `replicas`, and that many are updated and available, with no old
    /// pod left over.
    DeploymentAvailable(DeploymentAvailable),
    /// The Deployment's pod template runs `image`, and its rollout is complete.
    DeploymentImage(DeploymentImage),
    /// The Service's Endpoints hold exactly `count` ready addresses.
    ServiceEndpoints(ServiceEndpoints),
    /// The node is cordoned (`spec.unschedulable: true`).
    NodeCordoned(NodeName),
    /// The node is schedulable again (not cordoned).
    NodeSchedulable(NodeName),
    /// The node's `Ready` condition is not `True` (`NotReady` or `Unknown`).
    NodeNotReady(NodeName),
    /// An object of this kind and name exists.
    ObjectExists(ObjectRef),
    /// No object of this kind and name exists (any more).
    ObjectAbsent(ObjectRef),
    /// The object exists and its labels match the selector.
    Labels(LabelsMatch),
    /// The learner ran a line starting with these words during the step, and it succeeded.
    RanCommand(RanCommand),
    /// Every goal of the list is met.
    AllOf(Vec<Goal>),
}

fn default_namespace() -> String {
    "default".to_string()
}

/// A pod by name.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PodRunning {
    /// The pod's name.
    pub name: String,
    /// Its namespace (`default`).
    #[serde(default = "default_namespace")]
    pub namespace: String,
    /// How many of its containers must be ready (all of them when left out).
    #[serde(default)]
    pub ready_containers: Option<usize>,
}

/// A pod whose containers restarted.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PodRestarted {
    /// The pod's name.
    pub name: String,
    /// Its namespace (`default`).
    #[serde(default = "default_namespace")]
    pub namespace: String,
    /// The least total of its containers' `restartCount`.
    #[serde(default = "one")]
    pub restarts: i32,
}

fn one() -> i32 {
    1
}

/// Pods a label selector picks.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PodsMatching {
    /// A label selector (`app=web`, `tier in (frontend)`).
    pub selector: String,
    /// How many running pods it must pick, exactly.
    pub count: usize,
    /// Their namespace (`default`).
    #[serde(default = "default_namespace")]
    pub namespace: String,
}

/// A pod on every node.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PodOnEveryNode {
    /// A label selector.
    pub selector: String,
    /// The pods' namespace (`default`).
    #[serde(default = "default_namespace")]
    pub namespace: String,
}

/// A Deployment's replicas.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeploymentAvailable {
    /// The Deployment's name.
    pub name: String,
    /// How many replicas it wants and has available.
    pub replicas: i32,
    /// Its namespace (`default`).
    #[serde(default = "default_namespace")]
    pub namespace: String,
}

/// A Deployment's image.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeploymentImage {
    /// The Deployment's name.
    pub name: String,
    /// The image (`nginx:1.27`).
    pub image: String,
    /// The container that must run it (any container when left out).
    #[serde(default)]
    pub container: Option<String>,
    /// Its namespace (`default`).
    #[serde(default = "default_namespace")]
    pub namespace: String,
}

/// A Service's ready endpoints.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceEndpoints {
    /// The Service's name (its Endpoints object has the same).
    pub name: String,
    /// How many ready addresses, exactly.
    pub count: usize,
    /// Its namespace (`default`).
    #[serde(default = "default_namespace")]
    pub namespace: String,
}

/// A node by name.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NodeName {
    /// The node's name (`node-2`).
    pub name: String,
}

/// Any object by kind and name.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ObjectRef {
    /// The kind as kubectl names it (`pod`, `deployment`, `svc`).
    pub kind: String,
    /// The object's name.
    pub name: String,
    /// Its namespace (`default`; ignored for cluster-scoped kinds).
    #[serde(default = "default_namespace")]
    pub namespace: String,
}

/// An object's labels.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LabelsMatch {
    /// The kind as kubectl names it.
    pub kind: String,
    /// The object's name.
    pub name: String,
    /// A label selector its labels must match (`tier=frontend`).
    pub selector: String,
    /// Its namespace (`default`).
    #[serde(default = "default_namespace")]
    pub namespace: String,
}

/// A line the learner ran.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RanCommand {
    /// The words the line starts with (`play traffic web`).
    pub command: String,
}

/// What a step remembers from its start, for goals that compare with it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StepBaseline {
    /// The uids of every pod there was when the step began.
    pub pod_uids: BTreeSet<String>,
    /// The lines run since the step began that succeeded, split into words.
    pub succeeded_lines: Vec<Vec<String>>,
}

impl StepBaseline {
    /// The baseline of a step beginning now.
    pub fn capture(world: &mut World) -> StepBaseline {
        StepBaseline {
            pod_uids: stored(world, Kind::Pod, None)
                .iter()
                .filter_map(|pod| pod.metadata().uid.clone())
                .collect(),
            succeeded_lines: Vec::new(),
        }
    }
}

impl Goal {
    /// The YAML key of this kind of goal (`podsRunning`).
    pub fn tag(&self) -> &'static str {
        match self {
            Goal::PodRunning(_) => "podRunning",
            Goal::PodRestarted(_) => "podRestarted",
            Goal::PodsRunning(_) => "podsRunning",
            Goal::PodsReplaced(_) => "podsReplaced",
            Goal::PodOnEveryNode(_) => "podOnEveryNode",
            Goal::DeploymentAvailable(_) => "deploymentAvailable",
            Goal::DeploymentImage(_) => "deploymentImage",
            Goal::ServiceEndpoints(_) => "serviceEndpoints",
            Goal::NodeCordoned(_) => "nodeCordoned",
            Goal::NodeSchedulable(_) => "nodeSchedulable",
            Goal::NodeNotReady(_) => "nodeNotReady",
            Goal::ObjectExists(_) => "objectExists",
            Goal::ObjectAbsent(_) => "objectAbsent",
            Goal::Labels(_) => "labels",
            Goal::RanCommand(_) => "ranCommand",
            Goal::AllOf(_) => "allOf",
        }
    }

    /// Whether the cluster is in the state the goal asks for.
    pub fn is_met(&self, world: &mut World, baseline: &StepBaseline) -> bool {
        match self {
            Goal::PodRunning(goal) => get(world, Kind::Pod, &goal.namespace, &goal.name)
                .as_deref()
                .and_then(as_pod)
                .is_some_and(|pod| {
                    is_running(pod)
                        && goal
                            .ready_containers
                            .is_none_or(|wanted| ready_containers(pod) == wanted)
                }),
            Goal::PodRestarted(goal) => get(world, Kind::Pod, &goal.namespace, &goal.name)
                .as_deref()
                .and_then(as_pod)
                .is_some_and(|pod| is_running(pod) && restarts(pod) >= goal.restarts),
            Goal::PodsRunning(goal) => running_pods(world, goal).len() == goal.count,
            Goal::PodsReplaced(goal) => {
                let running = running_pods(world, goal);
                running.len() == goal.count
                    && running.iter().any(|pod| {
                        pod.metadata
                            .uid
                            .as_ref()
                            .is_some_and(|uid| !baseline.pod_uids.contains(uid))
                    })
            }
            Goal::PodOnEveryNode(goal) => pod_on_every_node(world, goal),
            Goal::DeploymentAvailable(goal) => {
                deployment_settled(world, &goal.namespace, &goal.name, |replicas, _| {
                    replicas == goal.replicas
                })
            }
            Goal::DeploymentImage(goal) => {
                deployment_settled(world, &goal.namespace, &goal.name, |_, containers| {
                    containers.iter().any(|container| {
                        container.image.as_deref() == Some(goal.image.as_str())
                            && goal
                                .container
                                .as_ref()
                                .is_none_or(|name| *name == container.name)
                    })
                })
            }
            Goal::ServiceEndpoints(goal) => {
                match get(world, Kind::Endpoints, &goal.namespace, &goal.name).as_deref() {
                    Some(Object::Endpoints(endpoints)) => {
                        let ready: usize = endpoints
                            .subsets
                            .iter()
                            .flatten()
                            .map(|subset| subset.addresses.as_ref().map_or(0, Vec::len))
                            .sum();
                        ready == goal.count
                    }
                    _ => false,
                }
            }
            Goal::NodeCordoned(node) => {
                node_unschedulable(world, &node.name).is_some_and(|cordoned| cordoned)
            }
            Goal::NodeSchedulable(node) => {
                node_unschedulable(world, &node.name).is_some_and(|cordoned| !cordoned)
            }
            Goal::NodeNotReady(node) => match get(world, Kind::Node, "", &node.name).as_deref() {
                Some(Object::Node(node)) => node
                    .status
                    .as_ref()
                    .and_then(|status| status.conditions.as_ref())
                    .and_then(|conditions| conditions.iter().find(|c| c.type_ == "Ready"))
                    .is_none_or(|ready| ready.status != "True"),
                _ => false,
            },
            Goal::ObjectExists(object) => find_object(world, object).is_some(),
            Goal::ObjectAbsent(object) => {
                Kind::from_cli_name(&object.kind).is_some() && find_object(world, object).is_none()
            }
            Goal::Labels(goal) => {
                let (Some(kind), Ok(selector)) = (
                    Kind::from_cli_name(&goal.kind),
                    Selector::parse(&goal.selector),
                ) else {
                    return false;
                };
                get(world, kind, &goal.namespace, &goal.name)
                    .is_some_and(|object| selector.matches(object.labels()))
            }
            Goal::RanCommand(goal) => {
                let wanted = shlex::split(&goal.command).unwrap_or_default();
                !wanted.is_empty()
                    && baseline
                        .succeeded_lines
                        .iter()
                        .any(|words| words.starts_with(&wanted))
            }
            Goal::AllOf(goals) => goals.iter().all(|goal| goal.is_met(world, baseline)),
        }
    }

    /// The goal in a sentence, for the terminal and the lessons panel.
    pub fn describe(&self, lang: Lang) -> String {
        match (self, lang) {
            (Goal::PodRunning(goal), Lang::En) => match goal.ready_containers {
                Some(n) => format!("pod {} is Running with {n} ready containers", goal.name),
                None => format!("pod {} is Running and Ready", goal.name),
            },
            (Goal::PodRunning(goal), Lang::Ko) => match goal.ready_containers {
                Some(n) => format!("파드 {}: 컨테이너 {n}개 준비 완료, Running", goal.name),
                None => format!("파드 {}: Running, Ready", goal.name),
            },
            (Goal::PodRestarted(goal), Lang::En) => format!(
                "pod {} restarted at least {} time(s) and runs again",
                goal.name, goal.restarts
            ),
            (Goal::PodRestarted(goal), Lang::Ko) => format!(
                "파드 {}: 컨테이너 재시작 {}회 이상, 다시 실행 중",
                goal.name, goal.restarts
            ),
            (Goal::PodsRunning(goal), Lang::En) => format!(
                "{} running pod(s) with labels {}",
                goal.count, goal.selector
            ),
            (Goal::PodsRunning(goal), Lang::Ko) => {
                format!("레이블 {}인 파드 {}개가 실행 중", goal.selector, goal.count)
            }
            (Goal::PodsReplaced(goal), Lang::En) => format!(
                "{} running pod(s) with labels {}, at least one of them new",
                goal.count, goal.selector
            ),
            (Goal::PodsReplaced(goal), Lang::Ko) => format!(
                "레이블 {}인 파드 {}개가 실행 중이고 그중 하나 이상은 새로 만들어진 것",
                goal.selector, goal.count
            ),
            (Goal::PodOnEveryNode(goal), Lang::En) => {
                format!("every node runs a pod with labels {}", goal.selector)
            }
            (Goal::PodOnEveryNode(goal), Lang::Ko) => {
                format!("모든 노드에서 레이블 {}인 파드가 실행 중", goal.selector)
            }
            (Goal::DeploymentAvailable(goal), Lang::En) => format!(
                "Deployment {} has {} available replicas",
                goal.name, goal.replicas
            ),
            (Goal::DeploymentAvailable(goal), Lang::Ko) => format!(
                "디플로이먼트 {}의 사용 가능한 레플리카가 {}개",
                goal.name, goal.replicas
            ),
            (Goal::DeploymentImage(goal), Lang::En) => {
                format!("Deployment {} has rolled out {}", goal.name, goal.image)
            }
            (Goal::DeploymentImage(goal), Lang::Ko) => {
                format!("디플로이먼트 {}: {} 롤아웃 완료", goal.name, goal.image)
            }
            (Goal::ServiceEndpoints(goal), Lang::En) => {
                format!("Service {} has {} ready endpoints", goal.name, goal.count)
            }
            (Goal::ServiceEndpoints(goal), Lang::Ko) => format!(
                "서비스 {}의 준비된 엔드포인트가 {}개",
                goal.name, goal.count
            ),
            (Goal::NodeCordoned(node), Lang::En) => format!("node {} is cordoned", node.name),
            (Goal::NodeCordoned(node), Lang::Ko) => {
                format!("노드 {}: cordon됨(스케줄 불가)", node.name)
            }
            (Goal::NodeSchedulable(node), Lang::En) => {
                format!("node {} is schedulable again", node.name)
            }
            (Goal::NodeSchedulable(node), Lang::Ko) => {
                format!("노드 {}: 다시 스케줄 가능", node.name)
            }
            (Goal::NodeNotReady(node), Lang::En) => format!("node {} is NotReady", node.name),
            (Goal::NodeNotReady(node), Lang::Ko) => {
                format!("노드 {}: NotReady", node.name)
            }
            (Goal::ObjectExists(object), Lang::En) => {
                format!("{} {} exists", object.kind, object.name)
            }
            (Goal::ObjectExists(object), Lang::Ko) => {
                format!("{} {} 존재", object.kind, object.name)
            }
            (Goal::ObjectAbsent(object), Lang::En) => {
                format!("{} {} is gone", object.kind, object.name)
            }
            (Goal::ObjectAbsent(object), Lang::Ko) => {
                format!("{} {} 삭제됨", object.kind, object.name)
            }
            (Goal::Labels(goal), Lang::En) => {
                format!("{} {} has labels {}", goal.kind, goal.name, goal.selector)
            }
            (Goal::Labels(goal), Lang::Ko) => {
                format!("{} {}: 레이블 {}", goal.kind, goal.name, goal.selector)
            }
            (Goal::RanCommand(goal), Lang::En) => format!("you ran `{}`", goal.command),
            (Goal::RanCommand(goal), Lang::Ko) => format!("`{}` 실행", goal.command),
            (Goal::AllOf(goals), lang) => goals
                .iter()
                .map(|goal| goal.describe(lang))
                .collect::<Vec<_>>()
                .join(match lang {
                    Lang::En => ", and ",
                    Lang::Ko => ", 그리고 ",
                }),
        }
    }
}

/// Every stored object of a kind, in one namespace or all (read from the store: no API
/// request, no trace record).
pub(crate) fn stored(world: &mut World, kind: Kind, namespace: Option<&str>) -> Vec<Arc<Object>> {
    let request = RangeRequest::new(KeyRange::prefix(list_prefix(kind, namespace)));
    world
        .api()
        .store()
        .range(&request)
        .map(|response| response.kvs.into_iter().map(|kv| kv.value).collect())
        .unwrap_or_default()
}

/// One stored object.
fn get(world: &mut World, kind: Kind, namespace: &str, name: &str) -> Option<Arc<Object>> {
    let request = RangeRequest::new(KeyRange::key(object_key(kind, namespace, name)));
    world
        .api()
        .store()
        .range(&request)
        .ok()
        .and_then(|response| response.kvs.into_iter().next())
        .map(|kv| kv.value)
}

fn find_object(world: &mut World, object: &ObjectRef) -> Option<Arc<Object>> {
    let kind = Kind::from_cli_name(&object.kind)?;
    get(world, kind, &object.namespace, &object.name)
}

fn as_pod(object: &Object) -> Option<&StoredPod> {
    match object {
        Object::Pod(pod) => Some(pod),
        _ => None,
    }
}

/// Phase `Running`, `Ready` true, not being deleted.
fn is_running(pod: &StoredPod) -> bool {
    let Some(status) = pod.status.as_ref() else {
        return false;
    };
    pod.metadata.deletion_timestamp.is_none()
        && status.phase() == Some("Running")
        && status
            .conditions()
            .any(|c| c.type_() == "Ready" && c.status() == "True")
}

fn ready_containers(pod: &StoredPod) -> usize {
    pod.status
        .iter()
        .flat_map(|s| s.container_statuses())
        .filter(|c| c.ready())
        .count()
}

fn restarts(pod: &StoredPod) -> i32 {
    pod.status
        .iter()
        .flat_map(|s| s.container_statuses())
        .map(|c| c.restart_count())
        .sum()
}

fn running_pods(world: &mut World, goal: &PodsMatching) -> Vec<StoredPod> {
    let Ok(selector) = Selector::parse(&goal.selector) else {
        return Vec::new();
    };
    stored(world, Kind::Pod, Some(&goal.namespace))
        .iter()
        .filter_map(|object| as_pod(object))
        .filter(|pod| is_running(pod) && selector.matches(&labels_of(pod)))
        .cloned()
        .collect()
}

fn labels_of(pod: &StoredPod) -> std::collections::BTreeMap<String, String> {
    pod.metadata.labels.clone().unwrap_or_default()
}

fn pod_on_every_node(world: &mut World, goal: &PodOnEveryNode) -> bool {
    let Ok(selector) = Selector::parse(&goal.selector) else {
        return false;
    };
    let nodes: Vec<String> = stored(world, Kind::Node, None)
        .iter()
        .map(|node| node.name().to_string())
        .collect();
    let covered: BTreeSet<String> = stored(world, Kind::Pod, Some(&goal.namespace))
        .iter()
        .filter_map(|object| as_pod(object))
        .filter(|pod| is_running(pod) && selector.matches(&labels_of(pod)))
        .filter_map(|pod| pod.node_name().map(str::to_string))
        .collect();
    !nodes.is_empty() && nodes.iter().all(|node| covered.contains(node))
}

/// The Deployment's controller has seen its spec and every wanted replica is updated and
/// available, with none left over; `wanted` then judges the replica count and containers.
fn deployment_settled(
    world: &mut World,
    namespace: &str,
    name: &str,
    wanted: impl Fn(i32, &[k8s_openapi::api::core::v1::Container]) -> bool,
) -> bool {
    let Some(object) = get(world, Kind::Deployment, namespace, name) else {
        return false;
    };
    let Object::Deployment(deployment) = object.as_ref() else {
        return false;
    };
    let Some(spec) = deployment.spec.as_ref() else {
        return false;
    };
    let replicas = spec.replicas.unwrap_or(1);
    let status = deployment.status.clone().unwrap_or_default();
    let observed =
        status.observed_generation.unwrap_or(0) >= deployment.metadata.generation.unwrap_or(0);
    let containers = spec
        .template
        .spec
        .as_ref()
        .map(|s| s.containers.as_slice())
        .unwrap_or_default();
    observed
        && status.replicas.unwrap_or(0) == replicas
        && status.updated_replicas.unwrap_or(0) == replicas
        && status.available_replicas.unwrap_or(0) == replicas
        && wanted(replicas, containers)
}

fn node_unschedulable(world: &mut World, name: &str) -> Option<bool> {
    match get(world, Kind::Node, "", name).as_deref() {
        Some(Object::Node(node)) => Some(
            node.spec
                .as_ref()
                .and_then(|spec| spec.unschedulable)
                .unwrap_or(false),
        ),
        _ => None,
    }
}
