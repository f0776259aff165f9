//! What the traffic view offers and shows: a batch of requests to a Service, and where they
//! landed as a bar chart.
//!
//! [`TrafficChoices::read`] lists what the form can pick from the store: Services (with their
//! NodePorts), running pods as senders, and the nodes. The learner's choice is a
//! [`TrafficSpec`]; the playground records it in the session (so going back in time and
//! replaying sends the same batch at the same instant, keeping the world deterministic) and
//! hands [`TrafficSpec::to_request`] to the core's `World::send_traffic`, which routes each
//! request through cluster DNS and the source node's kube-proxy rules. The
//! `TrafficReport` it returns becomes a [`BarChart`] (one bar per answering pod, one per
//! failure reason) that the view draws as SVG, plus the latency figures formatted by
//! [`format_micros`].

use std::sync::Arc;

use kubeplay_core::api::objects::{Kind, Object};
use kubeplay_core::sim::traffic::{
    RequestFailure, TrafficReport, TrafficRequest, TrafficSource, TrafficTarget,
    DEFAULT_OUTSIDE_CLIENT,
};
use kubeplay_core::sim::world::World;
use serde::{Deserialize, Serialize};

use crate::cluster::stored_objects;

/// The most requests one batch may send (a learner's typo must not freeze the page).
pub const MAX_REQUESTS: u32 = 10_000;

/// The number of requests the form starts with.
pub const DEFAULT_REQUESTS: u32 = 100;

/// Who sends the requests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum SpecSource {
    /// A running pod (its resolver asks cluster DNS, its node's rules route).
    Pod {
        /// The pod's namespace.
        namespace: String,
        /// The pod's name.
        name: String,
    },
    /// A client outside the cluster, dialling a node's NodePort.
    Outside,
}

/// Where the requests go.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum SpecTarget {
    /// A Service name as a program in the pod writes it (`web`, or `web.other` across
    /// namespaces), on the Service's first port.
    Service {
        /// The name.
        name: String,
    },
    /// A node's NodePort.
    NodePort {
        /// The node.
        node: String,
        /// The port.
        port: i32,
    },
}

/// One batch of requests, as the session records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrafficSpec {
    /// Who sends.
    pub source: SpecSource,
    /// Where to.
    pub target: SpecTarget,
    /// How many requests (at most [`MAX_REQUESTS`]).
    pub count: u32,
}

impl TrafficSpec {
    /// The core's request for this batch (a pod dialling a NodePort, or an outside client
    /// naming a Service, are the core's to answer or refuse with its own message).
    pub fn to_request(&self) -> TrafficRequest {
        TrafficRequest {
            from: match &self.source {
                SpecSource::Pod { namespace, name } => TrafficSource::Pod {
                    namespace: namespace.clone(),
                    name: name.clone(),
                },
                SpecSource::Outside => TrafficSource::Outside {
                    client: DEFAULT_OUTSIDE_CLIENT,
                },
            },
            to: match &self.target {
                SpecTarget::Service { name } => TrafficTarget::ServiceName {
                    name: name.clone(),
                    port: None,
                },
                SpecTarget::NodePort { node, port } => TrafficTarget::NodePort {
                    node: node.clone(),
                    port: *port,
                },
            },
            count: self.count.min(MAX_REQUESTS),
        }
    }
}

/// A Service the form offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceChoice {
    /// The Service's namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// `spec.type` (`ClusterIP`, `NodePort`, …).
    pub service_type: String,
    /// Its NodePorts, one per port that has one.
    pub node_ports: Vec<i32>,
}

impl ServiceChoice {
    /// The name a pod in `from_namespace` dials: `web` in the same namespace, `web.other`
    /// across namespaces.
    pub fn name_from(&self, from_namespace: &str) -> String {
        if self.namespace == from_namespace {
            self.name.clone()
        } else {
            format!("{}.{}", self.name, self.namespace)
        }
    }
}

/// What the traffic form can pick from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrafficChoices {
    /// Services, by namespace and name (without `default/kubernetes`, whose endpoint is the
    /// API server, not a pod).
    pub services: Vec<ServiceChoice>,
    /// Pods that have an IP and can send (`namespace`, `name`).
    pub pods: Vec<(String, String)>,
    /// The nodes, by name.
    pub nodes: Vec<String>,
}

impl TrafficChoices {
    /// Reads the Services, pods with an IP, and nodes from the store.
    pub fn read(world: &mut World) -> TrafficChoices {
        let services = service_choices(&stored_objects(world, Kind::Service));
        let mut pods: Vec<(String, String)> = stored_objects(world, Kind::Pod)
            .iter()
            .filter_map(|object| match object.as_ref() {
                Object::Pod(pod) => {
                    let has_ip = pod.pod_ip().is_some_and(|ip| !ip.is_empty());
                    let terminating = pod.metadata.deletion_timestamp.is_some();
                    (has_ip && !terminating).then(|| {
                        (
                            pod.metadata.namespace.clone().unwrap_or_default(),
                            pod.metadata.name.clone().unwrap_or_default(),
                        )
                    })
                }
                _ => None,
            })
            .collect();
        pods.sort();
        TrafficChoices {
            services,
            pods,
            nodes: world.node_names(),
        }
    }
}

/// The Services a form or list offers, by namespace and name (without `default/kubernetes`,
/// whose endpoint is the API server, not a pod).
pub fn service_choices(objects: &[Arc<Object>]) -> Vec<ServiceChoice> {
    let mut services: Vec<ServiceChoice> = objects
        .iter()
        .filter_map(|object| match object.as_ref() {
            Object::Service(service) => {
                let namespace = service.metadata.namespace.clone().unwrap_or_default();
                let name = service.metadata.name.clone().unwrap_or_default();
                if namespace == "default" && name == "kubernetes" {
                    return None;
                }
                let spec = service.spec.as_ref();
                Some(ServiceChoice {
                    namespace,
                    name,
                    service_type: spec
                        .and_then(|s| s.type_.clone())
                        .unwrap_or_else(|| "ClusterIP".to_string()),
                    node_ports: spec
                        .and_then(|s| s.ports.as_ref())
                        .map(|ports| ports.iter().filter_map(|p| p.node_port).collect())
                        .unwrap_or_default(),
                })
            }
            _ => None,
        })
        .collect();
    services.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    services
}

/// The label an EndpointSlice names its Service with.
pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

/// The most endpoints the live view lists one by one (the counts cover them all).
pub const MAX_ENDPOINT_ROWS: usize = 200;

/// The API path listing a Service's EndpointSlices (live mode reads them on demand).
pub fn endpoint_slices_path(namespace: &str, service: &str) -> String {
    format!(
        "/apis/discovery.k8s.io/v1/namespaces/{namespace}/endpointslices?labelSelector={SERVICE_NAME_LABEL}%3D{service}"
    )
}

/// One endpoint of a Service, as its EndpointSlice gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointRow {
    /// The endpoint's first address (the pod IP).
    pub address: String,
    /// The pod behind it (`targetRef`), if any.
    pub pod: Option<String>,
    /// `nodeName`.
    pub node: Option<String>,
    /// `conditions.ready` (unset reads as ready, as the API says consumers should).
    pub ready: bool,
    /// `conditions.terminating`.
    pub terminating: bool,
}

/// Where a Service's requests can go: its endpoints across its EndpointSlices.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceEndpoints {
    /// How many EndpointSlices the Service has.
    pub slices: usize,
    /// The ports, as `name:port/protocol` (`http:80/TCP`), without repeats.
    pub ports: Vec<String>,
    /// The endpoints, ready ones first, then by pod, at most [`MAX_ENDPOINT_ROWS`].
    pub rows: Vec<EndpointRow>,
    /// Ready endpoints (kube-proxy sends requests to these).
    pub ready: usize,
    /// Endpoints not ready (no requests go to them).
    pub not_ready: usize,
    /// How many ready endpoints each node holds, by node.
    pub per_node: Vec<(String, usize)>,
}

/// Reads the endpoints of the Service `namespace/service` from EndpointSlice objects (those
/// of other Services are ignored).
pub fn service_endpoints(
    slices: &[Arc<Object>],
    namespace: &str,
    service: &str,
) -> ServiceEndpoints {
    let mut endpoints = ServiceEndpoints::default();
    let mut rows = Vec::new();
    let mut per_node: std::collections::BTreeMap<String, usize> = Default::default();
    for object in slices {
        let Object::EndpointSlice(slice) = object.as_ref() else {
            continue;
        };
        let belongs = slice.metadata.namespace.as_deref() == Some(namespace)
            && slice
                .metadata
                .labels
                .as_ref()
                .and_then(|labels| labels.get(SERVICE_NAME_LABEL))
                .is_some_and(|name| name == service);
        if !belongs {
            continue;
        }
        endpoints.slices += 1;
        for port in slice.ports.iter().flatten() {
            let text = format!(
                "{}{}/{}",
                port.name
                    .as_deref()
                    .filter(|n| !n.is_empty())
                    .map(|n| format!("{n}:"))
                    .unwrap_or_default(),
                port.port.map(|p| p.to_string()).unwrap_or_default(),
                port.protocol.as_deref().unwrap_or("TCP")
            );
            if !endpoints.ports.contains(&text) {
                endpoints.ports.push(text);
            }
        }
        for endpoint in &slice.endpoints {
            let conditions = endpoint.conditions.as_ref();
            let ready = conditions.and_then(|c| c.ready).unwrap_or(true);
            let terminating = conditions.and_then(|c| c.terminating).unwrap_or(false);
            if ready {
                endpoints.ready += 1;
                if let Some(node) = &endpoint.node_name {
                    *per_node.entry(node.clone()).or_insert(0) += 1;
                }
            } else {
                endpoints.not_ready += 1;
            }
            rows.push(EndpointRow {
                address: endpoint.addresses.first().cloned().unwrap_or_default(),
                pod: endpoint.target_ref.as_ref().and_then(|r| r.name.clone()),
                node: endpoint.node_name.clone(),
                ready,
                terminating,
            });
        }
    }
    rows.sort_by(|a, b| (!a.ready, &a.pod, &a.address).cmp(&(!b.ready, &b.pod, &b.address)));
    rows.truncate(MAX_ENDPOINT_ROWS);
    endpoints.rows = rows;
    endpoints.per_node = per_node.into_iter().collect();
    endpoints
}

/// Why the form's current choice cannot be sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MissingChoice {
    /// No Service is chosen (there is none yet).
    Service,
    /// An outside client needs a NodePort, and the chosen Service has none.
    NodePort,
    /// An outside client needs a node to dial, and there is none.
    Node,
}

/// What the form's fields hold: the sender (`None` is outside the cluster, else
/// `namespace/name` of a pod), the Service (`namespace/name`), the node for a NodePort, and
/// the typed request count.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrafficForm {
    /// The sending pod's `namespace/name`; None for a client outside the cluster.
    pub source: Option<String>,
    /// The Service's `namespace/name`; None picks the first.
    pub service: Option<String>,
    /// The node whose NodePort an outside client dials; None picks the first.
    pub node: Option<String>,
    /// The request count as typed.
    pub count: String,
}

impl TrafficForm {
    /// The Service the form points at: the chosen one if it still exists, else the first.
    pub fn chosen_service<'a>(&self, choices: &'a TrafficChoices) -> Option<&'a ServiceChoice> {
        self.service
            .as_ref()
            .and_then(|key| {
                choices
                    .services
                    .iter()
                    .find(|s| format!("{}/{}", s.namespace, s.name) == *key)
            })
            .or_else(|| choices.services.first())
    }

    /// The node an outside client dials: the chosen one if it still exists, else the first.
    pub fn chosen_node(&self, choices: &TrafficChoices) -> Option<String> {
        self.node
            .clone()
            .filter(|n| choices.nodes.contains(n))
            .or_else(|| choices.nodes.first().cloned())
    }

    /// The batch to send, or why it cannot be sent.
    pub fn to_spec(&self, choices: &TrafficChoices) -> Result<TrafficSpec, MissingChoice> {
        let service = self.chosen_service(choices).ok_or(MissingChoice::Service)?;
        let count = parse_count(&self.count);
        let sending_pod = self.source.as_ref().and_then(|key| key.split_once('/'));
        match sending_pod {
            Some((namespace, name)) => Ok(TrafficSpec {
                source: SpecSource::Pod {
                    namespace: namespace.to_string(),
                    name: name.to_string(),
                },
                target: SpecTarget::Service {
                    name: service.name_from(namespace),
                },
                count,
            }),
            None => {
                let port = *service.node_ports.first().ok_or(MissingChoice::NodePort)?;
                let node = self.chosen_node(choices).ok_or(MissingChoice::Node)?;
                Ok(TrafficSpec {
                    source: SpecSource::Outside,
                    target: SpecTarget::NodePort { node, port },
                    count,
                })
            }
        }
    }
}

/// What a bar stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BarKind {
    /// Requests a pod answered.
    Pod,
    /// Requests the API server answered (the `kubernetes` Service's endpoint).
    ApiServer,
    /// Requests that failed for this reason.
    Failure(RequestFailure),
}

/// One horizontal bar of the chart, in SVG user units.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bar {
    /// What it stands for.
    pub kind: BarKind,
    /// The label left of the bar (a pod's name, or the failure).
    pub label: String,
    /// How many requests.
    pub count: u32,
    /// The share of all requests sent, in tenths of a percent (333 = 33.3 %).
    pub permille: u32,
    /// The bar's top edge.
    pub y: u32,
    /// The bar's length (0 for a zero count).
    pub width: u32,
}

impl Bar {
    /// `33.3%`.
    pub fn percent_text(&self) -> String {
        format!("{}.{}%", self.permille / 10, self.permille % 10)
    }
}

/// The bar chart of one report: every bar starts at [`BarChart::label_width`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BarChart {
    /// The SVG's width.
    pub width: u32,
    /// The SVG's height.
    pub height: u32,
    /// Where the bars start (room for the labels).
    pub label_width: u32,
    /// Each bar's thickness.
    pub bar_height: u32,
    /// The bars, pods first (by name), then the API server, then failures.
    pub bars: Vec<Bar>,
}

/// The chart's geometry.
const CHART_WIDTH: u32 = 480;
const LABEL_WIDTH: u32 = 170;
/// Room right of the longest bar for its count and share.
const VALUE_WIDTH: u32 = 90;
const BAR_HEIGHT: u32 = 18;
const BAR_GAP: u32 = 6;

/// The chart of a report. Pod labels drop the namespace when every pod shares it.
pub fn bar_chart(report: &TrafficReport) -> BarChart {
    let namespaces: Vec<&str> = report
        .per_pod
        .keys()
        .filter_map(|key| key.split_once('/').map(|(ns, _)| ns))
        .collect();
    let one_namespace = namespaces.windows(2).all(|w| w.first() == w.last());
    let mut entries: Vec<(BarKind, String, u32)> = report
        .per_pod
        .iter()
        .map(|(key, count)| {
            let label = match key.split_once('/') {
                Some((_, name)) if one_namespace => name.to_string(),
                _ => key.clone(),
            };
            (BarKind::Pod, label, *count)
        })
        .collect();
    if report.api_server > 0 {
        entries.push((
            BarKind::ApiServer,
            "kube-apiserver".to_string(),
            report.api_server,
        ));
    }
    entries.extend(
        report
            .failures
            .iter()
            .map(|(reason, count)| (BarKind::Failure(*reason), reason.to_string(), *count)),
    );
    let longest = entries.iter().map(|(_, _, n)| *n).max().unwrap_or(0);
    let track = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH;
    let bars: Vec<Bar> = entries
        .into_iter()
        .zip(0u32..)
        .map(|((kind, label, count), index)| Bar {
            kind,
            label,
            count,
            permille: if report.sent == 0 {
                0
            } else {
                u32::try_from(u64::from(count) * 1000 / u64::from(report.sent)).unwrap_or(1000)
            },
            y: BAR_GAP + index * (BAR_HEIGHT + BAR_GAP),
            width: if longest == 0 {
                0
            } else {
                u32::try_from(u64::from(count) * u64::from(track) / u64::from(longest))
                    .unwrap_or(track)
            },
        })
        .collect();
    let rows = u32::try_from(bars.len()).unwrap_or(u32::MAX);
    BarChart {
        width: CHART_WIDTH,
        height: BAR_GAP + rows.saturating_mul(BAR_HEIGHT + BAR_GAP),
        label_width: LABEL_WIDTH,
        bar_height: BAR_HEIGHT,
        bars,
    }
}

/// Simulated microseconds as a person reads them: `850 µs`, `1.25 ms`, `12.5 ms`.
pub fn format_micros(us: u64) -> String {
    if us < 1_000 {
        return format!("{us} µs");
    }
    let hundredths = us / 10;
    let ms = hundredths / 100;
    let fraction = hundredths % 100;
    if fraction == 0 {
        format!("{ms} ms")
    } else if fraction % 10 == 0 {
        format!("{ms}.{} ms", fraction / 10)
    } else {
        format!("{ms}.{fraction:02} ms")
    }
}

/// The request count typed in the form, clamped to 1 …= [`MAX_REQUESTS`]; the default for
/// text that is not a number.
pub fn parse_count(text: &str) -> u32 {
    text.trim()
        .parse::<u32>()
        .map_or(DEFAULT_REQUESTS, |n| n.clamp(1, MAX_REQUESTS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playground::Playground;
    use crate::session::Session;
    use std::collections::BTreeMap;

    fn object(kind: Kind, value: serde_json::Value) -> Arc<Object> {
        Arc::new(Object::from_value_as(kind, value).unwrap_or_else(|e| panic!("{e}")))
    }

    fn slice(name: &str, service: &str, endpoints: serde_json::Value) -> Arc<Object> {
        object(
            Kind::EndpointSlice,
            serde_json::json!({
                "metadata": {"namespace": "default", "name": name,
                             "labels": {"kubernetes.io/service-name": service}},
                "addressType": "IPv4",
                "ports": [{"name": "http", "port": 80, "protocol": "TCP"}],
                "endpoints": endpoints,
            }),
        )
    }

    #[test]
    fn a_services_endpoints_are_read_from_its_slices_ready_first_with_counts_per_node() {
        let slices = [
            slice(
                "web-abc",
                "web",
                serde_json::json!([
                    {"addresses": ["10.244.1.5"], "nodeName": "node-2",
                     "targetRef": {"kind": "Pod", "name": "web-2"},
                     "conditions": {"ready": false, "terminating": true}},
                    {"addresses": ["10.244.0.4"], "nodeName": "node-1",
                     "targetRef": {"kind": "Pod", "name": "web-1"}, "conditions": {"ready": true}},
                ]),
            ),
            slice(
                "web-def",
                "web",
                serde_json::json!([
                    {"addresses": ["10.244.0.9"], "nodeName": "node-1",
                     "targetRef": {"kind": "Pod", "name": "web-3"}, "conditions": {}},
                ]),
            ),
            slice(
                "api-abc",
                "api",
                serde_json::json!([{"addresses": ["10.244.2.2"], "nodeName": "node-3"}]),
            ),
        ];
        let web = service_endpoints(&slices, "default", "web");
        assert_eq!(web.slices, 2);
        assert_eq!(web.ports, ["http:80/TCP"]);
        assert_eq!((web.ready, web.not_ready), (2, 1));
        assert_eq!(web.per_node, [("node-1".to_string(), 2)]);
        let pods: Vec<_> = web.rows.iter().map(|r| r.pod.as_deref()).collect();
        assert_eq!(pods, [Some("web-1"), Some("web-3"), Some("web-2")]);
        assert!(web.rows.last().is_some_and(|r| r.terminating && !r.ready));
        assert_eq!(service_endpoints(&slices, "other", "web").slices, 0);
        assert_eq!(
            endpoint_slices_path("shop", "web"),
            "/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices?labelSelector=kubernetes.io/service-name%3Dweb"
        );
    }

    #[test]
    fn service_choices_leave_out_the_api_servers_own_service() {
        let services = [
            object(
                Kind::Service,
                serde_json::json!({"metadata": {"namespace": "default", "name": "kubernetes"}}),
            ),
            object(
                Kind::Service,
                serde_json::json!({"metadata": {"namespace": "shop", "name": "web"},
                    "spec": {"type": "NodePort", "ports": [{"port": 80, "nodePort": 30080}]}}),
            ),
        ];
        let choices = service_choices(&services);
        assert_eq!(choices.len(), 1);
        assert_eq!(
            choices
                .first()
                .map(|c| (c.service_type.as_str(), c.node_ports.clone())),
            Some(("NodePort", vec![30080]))
        );
    }

    fn report(per_pod: &[(&str, u32)], failures: &[(RequestFailure, u32)]) -> TrafficReport {
        let succeeded = per_pod.iter().map(|(_, n)| n).sum();
        let failed: u32 = failures.iter().map(|(_, n)| n).sum();
        TrafficReport {
            sent: succeeded + failed,
            succeeded,
            per_pod: per_pod.iter().map(|(k, n)| (k.to_string(), *n)).collect(),
            failures: failures.iter().copied().collect::<BTreeMap<_, _>>(),
            ..TrafficReport::default()
        }
    }

    #[test]
    fn the_busiest_bar_fills_the_track_and_the_others_scale_with_their_count() {
        let chart = bar_chart(&report(
            &[
                ("default/web-a", 50),
                ("default/web-b", 25),
                ("default/web-c", 25),
            ],
            &[],
        ));
        let track = chart.width - chart.label_width - VALUE_WIDTH;
        let widths: Vec<_> = chart.bars.iter().map(|b| b.width).collect();
        assert_eq!(widths, [track, track / 2, track / 2]);
        let labels: Vec<_> = chart.bars.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["web-a", "web-b", "web-c"]);
        assert_eq!(chart.bars[0].percent_text(), "50.0%");
        assert_eq!(chart.bars[1].percent_text(), "25.0%");
    }

    #[test]
    fn failures_get_their_own_bars_after_the_pods() {
        let chart = bar_chart(&report(
            &[("default/web-a", 2)],
            &[(RequestFailure::ConnectionRefused, 1)],
        ));
        let kinds: Vec<_> = chart
            .bars
            .iter()
            .map(|b| (b.kind, b.label.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                (BarKind::Pod, "web-a"),
                (
                    BarKind::Failure(RequestFailure::ConnectionRefused),
                    "connection refused"
                )
            ]
        );
        assert_eq!(chart.bars[1].percent_text(), "33.3%");
        assert!(chart.bars[1].y > chart.bars[0].y);
        assert!(chart.height >= chart.bars[1].y + chart.bar_height);
    }

    #[test]
    fn requests_the_api_server_answered_get_a_bar_of_their_own_before_the_failures() {
        let mut answered = report(&[], &[(RequestFailure::ConnectionTimedOut, 1)]);
        answered.api_server = 3;
        answered.succeeded = 3;
        answered.sent = 4;
        let chart = bar_chart(&answered);
        let bars: Vec<_> = chart
            .bars
            .iter()
            .map(|b| (b.kind, b.label.as_str(), b.percent_text()))
            .collect();
        assert_eq!(
            bars,
            [
                (BarKind::ApiServer, "kube-apiserver", "75.0%".to_string()),
                (
                    BarKind::Failure(RequestFailure::ConnectionTimedOut),
                    "connection timed out",
                    "25.0%".to_string()
                )
            ]
        );
    }

    #[test]
    fn pods_of_several_namespaces_keep_their_namespace_in_the_label() {
        let chart = bar_chart(&report(&[("a/web", 1), ("b/web", 1)], &[]));
        let labels: Vec<_> = chart.bars.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["a/web", "b/web"]);
    }

    #[test]
    fn an_empty_report_has_no_bars_and_no_division_by_zero() {
        let chart = bar_chart(&TrafficReport::default());
        assert!(chart.bars.is_empty());
        assert_eq!(chart.height, BAR_GAP);
    }

    #[test]
    fn microseconds_read_as_microseconds_or_milliseconds() {
        let cases = [
            (0, "0 µs"),
            (850, "850 µs"),
            (1_000, "1 ms"),
            (1_250, "1.25 ms"),
            (1_280, "1.28 ms"),
            (12_500, "12.5 ms"),
        ];
        for (us, text) in cases {
            assert_eq!(format_micros(us), text, "{us}");
        }
    }

    #[test]
    fn typed_counts_are_clamped_and_nonsense_gives_the_default() {
        let cases = [
            ("10", 10),
            (" 3 ", 3),
            ("0", 1),
            ("999999", MAX_REQUESTS),
            ("ten", DEFAULT_REQUESTS),
            ("-4", DEFAULT_REQUESTS),
        ];
        for (text, count) in cases {
            assert_eq!(parse_count(text), count, "{text:?}");
        }
    }

    #[test]
    fn a_spec_survives_the_session_json_and_becomes_the_cores_request() {
        let spec = TrafficSpec {
            source: SpecSource::Outside,
            target: SpecTarget::NodePort {
                node: "node-2".to_string(),
                port: 30080,
            },
            count: 20,
        };
        let json = serde_json::to_string(&spec).unwrap_or_default();
        let back: Option<TrafficSpec> = serde_json::from_str(&json).ok();
        assert_eq!(back.as_ref(), Some(&spec));
        assert_eq!(
            spec.to_request(),
            TrafficRequest::from_outside_to_node_port("node-2", 30080, 20)
        );
    }

    fn run_for(playground: &mut Playground, seconds: u64) {
        playground.set_running(true);
        for _ in 0..seconds * 4 {
            playground.tick(250.0);
        }
        playground.set_running(false);
    }

    #[test]
    fn traffic_to_a_node_port_reaches_the_sample_pods_and_replays_to_the_same_trace() {
        let mut playground = Playground::new(4, 3);
        playground.apply_sample();
        playground.run_kubectl("kubectl expose deployment web --port=80 --type=NodePort");
        run_for(&mut playground, 40);
        let choices = TrafficChoices::read(playground.world_mut());
        let Some(web) = choices.services.iter().find(|s| s.name == "web") else {
            panic!("no web Service: {choices:?}");
        };
        let Some(port) = web.node_ports.first().copied() else {
            panic!("web has no NodePort");
        };
        assert_eq!(choices.pods.len(), 3);
        playground.send_traffic(TrafficSpec {
            source: SpecSource::Outside,
            target: SpecTarget::NodePort {
                node: "node-1".to_string(),
                port,
            },
            count: 90,
        });
        let report = match playground.last_traffic() {
            Some((_, Ok(report))) => report.clone(),
            other => panic!("traffic not sent: {other:?}"),
        };
        assert_eq!((report.sent, report.succeeded), (90, 90));
        assert_eq!(report.per_pod.len(), 3);
        assert!(report.latency.min_us > 0);
        run_for(&mut playground, 1);

        let saved = Session::from_json(&playground.session().to_json());
        let restored = Playground::restore(saved.unwrap_or_else(|| Session::new(0, 3, 0)));
        assert_eq!(
            restored.world().trace().hash(),
            playground.world().trace().hash()
        );
    }

    #[test]
    fn a_pod_sending_to_a_service_name_is_the_cores_pod_to_name_request() {
        let spec = TrafficSpec {
            source: SpecSource::Pod {
                namespace: "default".to_string(),
                name: "client".to_string(),
            },
            target: SpecTarget::Service {
                name: "web".to_string(),
            },
            count: MAX_REQUESTS + 1,
        };
        assert_eq!(
            spec.to_request(),
            TrafficRequest::from_pod_to_name("default", "client", "web", MAX_REQUESTS)
        );
    }

    fn choices() -> TrafficChoices {
        TrafficChoices {
            services: vec![
                ServiceChoice {
                    namespace: "default".to_string(),
                    name: "api".to_string(),
                    service_type: "ClusterIP".to_string(),
                    node_ports: Vec::new(),
                },
                ServiceChoice {
                    namespace: "default".to_string(),
                    name: "web".to_string(),
                    service_type: "NodePort".to_string(),
                    node_ports: vec![30080],
                },
            ],
            pods: vec![("shop".to_string(), "client".to_string())],
            nodes: vec!["node-1".to_string(), "node-2".to_string()],
        }
    }

    #[test]
    fn the_form_turns_its_fields_into_a_batch_or_says_what_is_missing() {
        let form = |source: Option<&str>, service: Option<&str>, node: Option<&str>| TrafficForm {
            source: source.map(str::to_string),
            service: service.map(str::to_string),
            node: node.map(str::to_string),
            count: "5".to_string(),
        };
        let cases = [
            (
                form(None, Some("default/web"), Some("node-2")),
                Ok((
                    SpecSource::Outside,
                    SpecTarget::NodePort {
                        node: "node-2".to_string(),
                        port: 30080,
                    },
                )),
            ),
            (
                form(None, Some("default/web"), Some("gone")),
                Ok((
                    SpecSource::Outside,
                    SpecTarget::NodePort {
                        node: "node-1".to_string(),
                        port: 30080,
                    },
                )),
            ),
            (form(None, None, None), Err(MissingChoice::NodePort)),
            (
                form(Some("shop/client"), Some("default/api"), None),
                Ok((
                    SpecSource::Pod {
                        namespace: "shop".to_string(),
                        name: "client".to_string(),
                    },
                    SpecTarget::Service {
                        name: "api.default".to_string(),
                    },
                )),
            ),
        ];
        for (given, expected) in cases {
            let got = given.to_spec(&choices()).map(|spec| {
                assert_eq!(spec.count, 5);
                (spec.source, spec.target)
            });
            assert_eq!(got, expected, "{given:?}");
        }
        let empty = TrafficChoices::default();
        assert_eq!(
            form(None, None, None).to_spec(&empty),
            Err(MissingChoice::Service)
        );
    }

    #[test]
    fn a_service_is_named_across_namespaces_with_its_namespace() {
        let service = ServiceChoice {
            namespace: "shop".to_string(),
            name: "web".to_string(),
            service_type: "ClusterIP".to_string(),
            node_ports: Vec::new(),
        };
        assert_eq!(service.name_from("shop"), "web");
        assert_eq!(service.name_from("default"), "web.shop");
    }
}
