//! Simulated traffic through the [`World`]: N requests from a pod or from outside the cluster,
//! to a Service name, a ClusterIP or a node's NodePort, counted per pod.
//!
//! Data flow for one [`World::send_traffic`] call: the data plane reads the cluster's current
//! Services, EndpointSlices, Pods and Nodes straight from the store (kube-proxy's and CoreDNS'
//! informer caches, assumed caught up; these reads are not API requests, so they leave no
//! trace), builds the source node's [`ProxyRules`] and one [`ClusterDnsView`], and then, per
//! request:
//!
//! 1. a Service name is resolved by the pod's resolver ([`ResolvConf`], search path and
//!    `ndots:5`) against one CoreDNS replica, chosen as the source node's `KUBE-SVC-…` chain for
//!    `kube-dns` would choose it (1/n, 1/(n-1), … over the replicas). Every query is counted by
//!    that replica, so [`World::dns_load`] shows DNS load growing with the traffic;
//! 2. the packet walks the node's iptables rules ([`ProxyRules::route`]) with draws from the
//!    world's traffic RNG and the node's `recent` table for ClientIP affinity;
//! 3. the chosen endpoint's pod answers, unless its node is stopped (the connection times out).
//!    `REJECT` (no endpoints) is a refused connection, `DROP` a time-out, a name without
//!    records NXDOMAIN.
//!
//! Latency model (simulated microseconds added by the cluster, not by the application): each
//! DNS query costs [`DNS_QUERY_US`]; the packet's hop to its endpoint costs [`LOCAL_HOP_US`]
//! on the same node or [`CROSS_NODE_HOP_US`] to another node (the overlay); a client outside
//! the cluster first pays [`CLIENT_TO_NODE_US`] to reach the node. iptables' DNAT itself is
//! treated as free. Only successful requests enter the latency figures.
//!
//! The trace gets one summary record per call, plus one record per request when a call sends
//! at most [`TRACE_EACH_REQUEST_UP_TO`] requests.

use std::collections::BTreeMap;
use std::fmt;
use std::net::Ipv4Addr;

use k8s_openapi::api::core::v1::{Node, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use rand_core::RngCore;

use crate::api::objects::{Kind, Object, StoredPod};
use crate::apiserver::registry::list_prefix;
use crate::network::cidr::Ipv4Cidr;
use crate::network::dns::{
    resolve, ClusterDnsView, DnsReplica, PodsMode, RecordType, ResolvConf, DEFAULT_CLUSTER_DOMAIN,
};
use crate::network::proxy::traffic::{statistic_threshold, AffinityTable, Packet, Verdict};
use crate::network::proxy::{probability, Protocol, ProxyConfig, ProxyRules};
use crate::store::{KeyRange, KvStore, RangeRequest};

use super::rng::SimRng;
use super::trace::TraceRecord;
use super::world::{NodeFault, World, WorldConfig};

/// How many CoreDNS replicas a fresh world runs (kubeadm's default).
pub const DEFAULT_DNS_REPLICAS: usize = 2;
/// The `kube-dns` Service's ClusterIP, the `nameserver` of every pod's resolv.conf.
pub const KUBE_DNS_IP: Ipv4Addr = Ipv4Addr::new(10, 96, 0, 10);
/// The source address of an outside client when the request does not name one.
pub const DEFAULT_OUTSIDE_CLIENT: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 10);
/// One DNS query's round trip to a CoreDNS replica (answered from its informer cache).
pub const DNS_QUERY_US: u64 = 400;
/// A packet's hop to a pod on the same node (veth and bridge).
pub const LOCAL_HOP_US: u64 = 30;
/// A packet's hop to a pod on another node (through the overlay network).
pub const CROSS_NODE_HOP_US: u64 = 250;
/// An outside client's hop to the node whose NodePort it dials.
pub const CLIENT_TO_NODE_US: u64 = 1000;
/// Calls with at most this many requests trace every request; larger ones only a summary.
pub const TRACE_EACH_REQUEST_UP_TO: u32 = 10;
/// The component name traffic records carry in the trace.
const COMPONENT: &str = "traffic";
/// The ReplicaSet hash part of the simulated CoreDNS pods' names.
const COREDNS_HASH: &str = "76f75df574";

/// Where requests come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrafficSource {
    /// A running pod: its node's rules route the packets and its resolver asks cluster DNS.
    Pod {
        /// The pod's namespace.
        namespace: String,
        /// The pod's name.
        name: String,
    },
    /// A client outside the cluster (it has no cluster DNS; it dials a node's NodePort).
    Outside {
        /// The client's address.
        client: Ipv4Addr,
    },
}

/// Where requests go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrafficTarget {
    /// A Service name as a program in the pod would write it: `web`, `web.other`,
    /// `web.other.svc.cluster.local`. Resolved through cluster DNS for each request.
    ServiceName {
        /// The name.
        name: String,
        /// The Service port; None means the Service's first port.
        port: Option<i32>,
    },
    /// An address and port: a ClusterIP (or any IP a pod can dial).
    Address {
        /// The destination address.
        ip: Ipv4Addr,
        /// The destination port.
        port: i32,
    },
    /// A node's address at a NodePort.
    NodePort {
        /// The node's name.
        node: String,
        /// The NodePort.
        port: i32,
    },
}

/// A batch of simulated requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrafficRequest {
    /// Who sends.
    pub from: TrafficSource,
    /// Where to.
    pub to: TrafficTarget,
    /// How many requests (each its own connection, and its own DNS lookup).
    pub count: u32,
}

impl TrafficRequest {
    /// `count` requests from a pod to a Service name on its first port.
    pub fn from_pod_to_name(namespace: &str, pod: &str, name: &str, count: u32) -> Self {
        Self {
            from: TrafficSource::Pod {
                namespace: namespace.to_string(),
                name: pod.to_string(),
            },
            to: TrafficTarget::ServiceName {
                name: name.to_string(),
                port: None,
            },
            count,
        }
    }

    /// `count` requests from outside the cluster to a node's NodePort.
    pub fn from_outside_to_node_port(node: &str, port: i32, count: u32) -> Self {
        Self {
            from: TrafficSource::Outside {
                client: DEFAULT_OUTSIDE_CLIENT,
            },
            to: TrafficTarget::NodePort {
                node: node.to_string(),
                port,
            },
            count,
        }
    }
}

/// Why one request failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RequestFailure {
    /// The name has no address records (`NXDOMAIN`, or a name without A records).
    NxDomain,
    /// The Service has no ready endpoint: kube-proxy's `REJECT` answers with ICMP port
    /// unreachable, which the client sees as `connection refused`.
    ConnectionRefused,
    /// Nothing answered: kube-proxy's `DROP` (no local endpoint), an endpoint on a stopped
    /// node, or an address nobody owns.
    ConnectionTimedOut,
}

impl fmt::Display for RequestFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NxDomain => "NXDOMAIN",
            Self::ConnectionRefused => "connection refused",
            Self::ConnectionTimedOut => "connection timed out",
        })
    }
}

/// Why traffic could not be sent at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TrafficError {
    /// The source pod does not exist.
    #[error("pods \"{1}\" not found in namespace \"{0}\"")]
    PodNotFound(String, String),
    /// The source pod has no IP yet (not scheduled, or its sandbox is not up).
    #[error("pod \"{0}\" has no IP yet: wait until it is running")]
    PodNotRunning(String),
    /// The node named as NodePort target (or hosting the source pod) does not exist.
    #[error("node \"{0}\" not found: the simulated nodes are node-1 … node-N")]
    NodeNotFound(String),
    /// The node that would send the packets is stopped.
    #[error("node \"{0}\" is stopped: its pods send nothing until it is started again")]
    SourceNodeStopped(String),
    /// An outside client cannot use cluster DNS.
    #[error("a client outside the cluster cannot resolve \"{0}\" through cluster DNS: send to a node's NodePort instead")]
    NoClusterDnsOutside(String),
}

/// How many queries one CoreDNS replica answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsReplicaLoad {
    /// The replica's pod name.
    pub name: String,
    /// Queries answered since the world started.
    pub queries_total: u64,
    /// Queries answered during the current simulated second.
    pub queries_this_second: u64,
}

/// The latency the cluster added to successful requests, in simulated microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LatencySummary {
    /// The fastest request.
    pub min_us: u64,
    /// The mean (rounded down).
    pub mean_us: u64,
    /// The slowest request.
    pub max_us: u64,
    /// All DNS time, summed over successful requests.
    pub dns_total_us: u64,
    /// All network hop time, summed over successful requests.
    pub network_total_us: u64,
}

/// What happened to a batch of requests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrafficReport {
    /// Requests sent.
    pub sent: u32,
    /// Requests a pod answered.
    pub succeeded: u32,
    /// Answered requests per pod, keyed `namespace/name`.
    pub per_pod: BTreeMap<String, u32>,
    /// Requests the API server answered: the `kubernetes` Service's endpoint is the
    /// advertised API server address, not a pod (counted in `succeeded`, not in `per_pod`).
    pub api_server: u32,
    /// Failed requests by reason.
    pub failures: BTreeMap<RequestFailure, u32>,
    /// The fully qualified name the resolver settled on, for a name target that resolved.
    pub resolved_name: Option<String>,
    /// The address the requests were sent to (the last one resolved, for names).
    pub destination: Option<Ipv4Addr>,
    /// DNS queries sent (several per lookup when the search path is walked).
    pub dns_queries: u64,
    /// Added latency of the successful requests.
    pub latency: LatencySummary,
}

impl TrafficReport {
    /// The share of sent requests answered by the pods for which `pick` is true.
    pub fn share_of(&self, mut pick: impl FnMut(&str) -> bool) -> f64 {
        if self.sent == 0 {
            return 0.0;
        }
        let hits: u32 = self
            .per_pod
            .iter()
            .filter(|(pod, _)| pick(pod))
            .map(|(_, n)| *n)
            .sum();
        f64::from(hits) / f64::from(self.sent)
    }

    /// How many requests failed for `reason`.
    pub fn failed(&self, reason: RequestFailure) -> u32 {
        self.failures.get(&reason).copied().unwrap_or(0)
    }
}

/// The data plane's own state inside the world: its random stream, each node's `recent`
/// table for ClientIP affinity, and the CoreDNS replicas with their query counters.
#[derive(Clone, Debug)]
pub struct TrafficState {
    rng: SimRng,
    cluster_cidr: Option<Ipv4Cidr>,
    affinity: BTreeMap<String, AffinityTable>,
    dns_replicas: Vec<DnsReplica>,
}

impl TrafficState {
    /// The state of a fresh world: [`DEFAULT_DNS_REPLICAS`] CoreDNS replicas, no affinity.
    pub fn new(seed: u64, config: &WorldConfig) -> Self {
        let mut state = Self {
            rng: SimRng::seed_from(seed),
            cluster_cidr: config.cluster_cidr.parse().ok(),
            affinity: BTreeMap::new(),
            dns_replicas: Vec::new(),
        };
        state.set_dns_replicas(DEFAULT_DNS_REPLICAS);
        state
    }

    fn set_dns_replicas(&mut self, n: usize) {
        let n = n.max(1);
        self.dns_replicas.truncate(n);
        while self.dns_replicas.len() < n {
            let suffix = self.rng.generate_name_suffix();
            self.dns_replicas
                .push(DnsReplica::new(format!("coredns-{COREDNS_HASH}-{suffix}")));
        }
    }

    /// The replica the `kube-dns` Service's chain picks: rule i of n matches with
    /// probability 1/(n-i), the last one always — exactly the draw walk of a `KUBE-SVC-…`.
    fn pick_dns_replica(&mut self) -> usize {
        let n = self.dns_replicas.len();
        for i in 0..n.saturating_sub(1) {
            let draw = self.rng.next_u32() & 0x7fff_ffff;
            if draw < statistic_threshold(&probability(n - i)) {
                return i;
            }
        }
        n.saturating_sub(1)
    }
}

/// What the data plane knows about one pod.
struct PodInfo {
    key: String,
    node: Option<String>,
}

/// What the data plane knows about one node.
struct NodeInfo {
    ip: Option<Ipv4Addr>,
}

fn read_all<T>(world: &mut World, kind: Kind, pick: impl Fn(&Object) -> Option<T>) -> Vec<T> {
    let request = RangeRequest::new(KeyRange::prefix(list_prefix(kind, None)));
    world
        .api()
        .store()
        .range(&request)
        .map(|r| r.kvs.iter().filter_map(|kv| pick(&kv.value)).collect())
        .unwrap_or_default()
}

fn node_internal_ip(node: &Node) -> Option<Ipv4Addr> {
    node.status
        .as_ref()?
        .addresses
        .as_ref()?
        .iter()
        .find(|a| a.type_ == "InternalIP")?
        .address
        .parse()
        .ok()
}

fn pod_ip(pod: &StoredPod) -> Option<Ipv4Addr> {
    pod.pod_ip()?.parse().ok()
}

fn pod_node(pod: &StoredPod) -> Option<String> {
    pod.node_name().map(str::to_string)
}

/// One request's outcome before it is counted.
enum Outcome {
    Answered { by: Answerer, latency_us: u64 },
    Failed(RequestFailure),
}

/// Who answered a request.
enum Answerer {
    /// A pod, `namespace/name`.
    Pod(String),
    /// The API server: the `kubernetes` Service's endpoint is its advertised address.
    ApiServer,
}

impl fmt::Display for Answerer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Answerer::Pod(pod) => write!(f, "pod {pod}"),
            Answerer::ApiServer => f.write_str("the API server"),
        }
    }
}

impl World {
    /// How many CoreDNS replicas answer cluster DNS queries.
    pub fn dns_replica_count(&self) -> usize {
        self.traffic.dns_replicas.len()
    }

    /// Scales the simulated CoreDNS to `replicas` (at least 1); kept replicas keep their
    /// counters.
    pub fn set_dns_replicas(&mut self, replicas: usize) {
        self.traffic.set_dns_replicas(replicas);
    }

    /// Each CoreDNS replica's query counts.
    pub fn dns_load(&self) -> Vec<DnsReplicaLoad> {
        let second = self.now().as_millis() / 1000;
        self.traffic
            .dns_replicas
            .iter()
            .map(|r| DnsReplicaLoad {
                name: r.name.clone(),
                queries_total: r.queries_total(),
                queries_this_second: r.queries_in_second(second),
            })
            .collect()
    }

    /// DNS queries per second over all replicas, averaged over the last `window_seconds`
    /// simulated seconds (the current one included; at least one).
    pub fn dns_queries_per_second(&self, window_seconds: u64) -> f64 {
        let window = window_seconds.max(1);
        let now = self.now().as_millis() / 1000;
        let total: u64 = self
            .traffic
            .dns_replicas
            .iter()
            .map(|r| {
                (0..window)
                    .filter_map(|back| now.checked_sub(back))
                    .map(|s| r.queries_in_second(s))
                    .sum::<u64>()
            })
            .sum();
        total as f64 / window as f64
    }

    /// Sends `request.count` requests at the current instant and reports where they went.
    /// The cluster's objects are not changed; the traffic RNG, the nodes' affinity tables
    /// and the DNS counters are, and the trace gets a summary.
    pub fn send_traffic(
        &mut self,
        request: &TrafficRequest,
    ) -> Result<TrafficReport, TrafficError> {
        let now_ms = self.now().as_millis();
        let services: Vec<Service> = read_all(self, Kind::Service, |o| match o {
            Object::Service(s) => Some((**s).clone()),
            _ => None,
        });
        let slices: Vec<EndpointSlice> = read_all(self, Kind::EndpointSlice, |o| match o {
            Object::EndpointSlice(s) => Some((**s).clone()),
            _ => None,
        });
        let pods: Vec<StoredPod> = read_all(self, Kind::Pod, |o| match o {
            Object::Pod(p) => Some((**p).clone()),
            _ => None,
        });
        let nodes: BTreeMap<String, NodeInfo> = read_all(self, Kind::Node, |o| match o {
            Object::Node(n) => Some((
                n.metadata.name.clone().unwrap_or_default(),
                NodeInfo {
                    ip: node_internal_ip(n),
                },
            )),
            _ => None,
        })
        .into_iter()
        .collect();
        let pods_by_ip: BTreeMap<Ipv4Addr, PodInfo> = pods
            .iter()
            .filter_map(|p| {
                Some((
                    pod_ip(p)?,
                    PodInfo {
                        key: format!(
                            "{}/{}",
                            p.metadata.namespace.as_deref().unwrap_or_default(),
                            p.metadata.name.as_deref().unwrap_or_default()
                        ),
                        node: pod_node(p),
                    },
                ))
            })
            .collect();

        // Who sends, from which node.
        let (source_ip, source_node, resolv_conf, outside) = match &request.from {
            TrafficSource::Pod { namespace, name } => {
                let pod = pods
                    .iter()
                    .find(|p| {
                        p.metadata.namespace.as_deref() == Some(namespace.as_str())
                            && p.metadata.name.as_deref() == Some(name.as_str())
                    })
                    .ok_or_else(|| TrafficError::PodNotFound(namespace.clone(), name.clone()))?;
                let ip = pod_ip(pod).ok_or_else(|| TrafficError::PodNotRunning(name.clone()))?;
                let node =
                    pod_node(pod).ok_or_else(|| TrafficError::PodNotRunning(name.clone()))?;
                let conf = ResolvConf::for_pod(namespace, DEFAULT_CLUSTER_DOMAIN, KUBE_DNS_IP);
                (ip, node, Some(conf), false)
            }
            TrafficSource::Outside { client } => {
                let TrafficTarget::NodePort { node, .. } = &request.to else {
                    let what = match &request.to {
                        TrafficTarget::ServiceName { name, .. } => name.clone(),
                        TrafficTarget::Address { ip, port } => format!("{ip}:{port}"),
                        TrafficTarget::NodePort { node, port } => format!("{node}:{port}"),
                    };
                    return Err(TrafficError::NoClusterDnsOutside(what));
                };
                (*client, node.clone(), None, true)
            }
        };
        let source_node_info = nodes
            .get(&source_node)
            .ok_or_else(|| TrafficError::NodeNotFound(source_node.clone()))?;
        match self.node_fault(&source_node) {
            Some(NodeFault::Stopped) => {
                return Err(TrafficError::SourceNodeStopped(source_node.clone()))
            }
            Some(NodeFault::None) | Some(NodeFault::CutOff) | None => {}
        }
        let node_ip = source_node_info.ip;
        let mut config = ProxyConfig::new(source_node.clone(), node_ip.into_iter().collect());
        config.cluster_cidr = self.traffic.cluster_cidr;
        let rules = ProxyRules::compute(&config, &services, &slices);
        let dns_view = ClusterDnsView::new(
            DEFAULT_CLUSTER_DOMAIN,
            PodsMode::Insecure,
            &services,
            &slices,
            &pods,
        );
        let api_server = self.api().advertised_endpoint();
        let stopped: Vec<String> = self
            .node_names()
            .into_iter()
            .filter(|n| self.node_fault(n) == Some(NodeFault::Stopped))
            .collect();

        let mut report = TrafficReport {
            sent: request.count,
            ..TrafficReport::default()
        };
        let mut per_request_notes = Vec::new();
        let mut latencies: Vec<u64> = Vec::new();
        for _ in 0..request.count {
            let mut dns_us = 0;
            // 1. Where to: resolve names through cluster DNS.
            let destination = match &request.to {
                TrafficTarget::ServiceName { name, port } => {
                    let Some(conf) = resolv_conf.as_ref() else {
                        return Err(TrafficError::NoClusterDnsOutside(name.clone()));
                    };
                    let replica = self.traffic.pick_dns_replica();
                    let Some(replica) = self.traffic.dns_replicas.get_mut(replica) else {
                        continue;
                    };
                    let lookup = resolve(conf, replica, &dns_view, name, RecordType::A, now_ms);
                    let queries = lookup.queries.len() as u64;
                    report.dns_queries += queries;
                    dns_us = queries * DNS_QUERY_US;
                    let addresses = lookup.response.addresses();
                    // CoreDNS' `loadbalance` plugin shuffles A records; the client takes the
                    // first.
                    let chosen = match addresses.len() {
                        0 | 1 => addresses.first().copied(),
                        n => {
                            let i = self.traffic.rng.below(n as u64) as usize;
                            addresses.get(i).copied()
                        }
                    };
                    match chosen {
                        Some(ip) => {
                            report.resolved_name =
                                Some(lookup.response.name.trim_end_matches('.').to_string());
                            let port = port.or_else(|| {
                                rules
                                    .service_ports
                                    .iter()
                                    .find(|sp| sp.cluster_ip == ip)
                                    .map(|sp| sp.port)
                            });
                            Some((ip, port.unwrap_or(80)))
                        }
                        None => None,
                    }
                }
                TrafficTarget::Address { ip, port } => Some((*ip, *port)),
                TrafficTarget::NodePort { node, port } => {
                    let ip = nodes
                        .get(node)
                        .ok_or_else(|| TrafficError::NodeNotFound(node.clone()))?
                        .ip
                        .ok_or_else(|| TrafficError::NodeNotFound(node.clone()))?;
                    Some((ip, *port))
                }
            };
            let outcome = match destination {
                None => Outcome::Failed(RequestFailure::NxDomain),
                Some((ip, port)) => {
                    report.destination = Some(ip);
                    let packet = Packet {
                        source: source_ip,
                        source_is_local: false,
                        destination: ip,
                        port,
                        protocol: Protocol::Tcp,
                    };
                    let affinity = self
                        .traffic
                        .affinity
                        .entry(source_node.clone())
                        .or_default();
                    let verdict = rules.route(&packet, affinity, now_ms, &mut self.traffic.rng);
                    let endpoint = match verdict {
                        Verdict::Forwarded {
                            endpoint_ip,
                            endpoint_port,
                            ..
                        } => Ok((endpoint_ip, endpoint_port)),
                        Verdict::Refused {
                            target: "REJECT", ..
                        } => Err(RequestFailure::ConnectionRefused),
                        Verdict::Refused { .. } => Err(RequestFailure::ConnectionTimedOut),
                        // Not a service address: the packet goes to whoever owns it.
                        Verdict::NotAService => Ok((ip, port)),
                    };
                    // Who answers, and the network hop to it.
                    let answered = endpoint.and_then(|(endpoint_ip, endpoint_port)| {
                        // The API server runs outside the pod network (on the control plane
                        // machine): what reaches its address and port, it answers.
                        if api_server.address == Some(endpoint_ip)
                            && i32::from(api_server.port) == endpoint_port
                        {
                            return Ok((Answerer::ApiServer, CROSS_NODE_HOP_US));
                        }
                        match pods_by_ip.get(&endpoint_ip) {
                            Some(pod)
                                if !pod.node.as_ref().is_some_and(|n| stopped.contains(n)) =>
                            {
                                let hop = if pod.node.as_deref() == Some(source_node.as_str()) {
                                    LOCAL_HOP_US
                                } else {
                                    CROSS_NODE_HOP_US
                                };
                                Ok((Answerer::Pod(pod.key.clone()), hop))
                            }
                            _ => Err(RequestFailure::ConnectionTimedOut),
                        }
                    });
                    match answered {
                        Err(failure) => Outcome::Failed(failure),
                        Ok((by, hop)) => {
                            let outside_us = if outside { CLIENT_TO_NODE_US } else { 0 };
                            report.latency.dns_total_us += dns_us;
                            report.latency.network_total_us += hop + outside_us;
                            Outcome::Answered {
                                by,
                                latency_us: dns_us + hop + outside_us,
                            }
                        }
                    }
                }
            };
            if request.count <= TRACE_EACH_REQUEST_UP_TO {
                per_request_notes.push(match &outcome {
                    Outcome::Answered { by, latency_us } => {
                        format!("request answered by {by} in {latency_us} µs")
                    }
                    Outcome::Failed(failure) => format!("request failed: {failure}"),
                });
            }
            match outcome {
                Outcome::Answered { by, latency_us } => {
                    report.succeeded += 1;
                    match by {
                        Answerer::Pod(pod) => *report.per_pod.entry(pod).or_default() += 1,
                        Answerer::ApiServer => report.api_server += 1,
                    }
                    latencies.push(latency_us);
                }
                Outcome::Failed(failure) => *report.failures.entry(failure).or_default() += 1,
            }
        }
        if let (Some(min), Some(max)) = (latencies.iter().min(), latencies.iter().max()) {
            report.latency.min_us = *min;
            report.latency.max_us = *max;
            report.latency.mean_us = latencies.iter().sum::<u64>() / latencies.len() as u64;
        }
        let at = self.now();
        let mut records: Vec<TraceRecord> = per_request_notes
            .into_iter()
            .map(|message| TraceRecord::Note {
                at,
                component: COMPONENT.to_string(),
                message,
            })
            .collect();
        records.push(TraceRecord::Note {
            at,
            component: COMPONENT.to_string(),
            message: summary(request, &report),
        });
        self.record_trace(records);
        Ok(report)
    }
}

/// One DNS lookup made as a pod's resolver makes it ([`World::lookup_dns`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsLookupReport {
    /// The resolv.conf the lookup followed.
    pub resolv_conf: ResolvConf,
    /// The CoreDNS replica `kube-dns` routed the queries to.
    pub replica: String,
    /// The queries sent and the response the resolver returned.
    pub lookup: crate::network::dns::Lookup,
}

impl World {
    /// Resolves `name` (A records) as the resolver of a pod in `namespace` would: its search
    /// path and `ndots:5`, against one CoreDNS replica chosen as `kube-dns`' rules choose it.
    /// The replica counts the queries ([`World::dns_load`]); the trace gets a note.
    pub fn lookup_dns(&mut self, namespace: &str, name: &str) -> DnsLookupReport {
        let now_ms = self.now().as_millis();
        let services: Vec<Service> = read_all(self, Kind::Service, |o| match o {
            Object::Service(s) => Some((**s).clone()),
            _ => None,
        });
        let slices: Vec<EndpointSlice> = read_all(self, Kind::EndpointSlice, |o| match o {
            Object::EndpointSlice(s) => Some((**s).clone()),
            _ => None,
        });
        let pods: Vec<StoredPod> = read_all(self, Kind::Pod, |o| match o {
            Object::Pod(p) => Some((**p).clone()),
            _ => None,
        });
        let view = ClusterDnsView::new(
            DEFAULT_CLUSTER_DOMAIN,
            PodsMode::Insecure,
            &services,
            &slices,
            &pods,
        );
        let resolv_conf = ResolvConf::for_pod(namespace, DEFAULT_CLUSTER_DOMAIN, KUBE_DNS_IP);
        let index = self.traffic.pick_dns_replica();
        let (replica, lookup) = match self.traffic.dns_replicas.get_mut(index) {
            Some(replica) => (
                replica.name.clone(),
                resolve(&resolv_conf, replica, &view, name, RecordType::A, now_ms),
            ),
            // set_dns_replicas keeps at least one replica; answer uncounted if none.
            None => (
                String::new(),
                crate::network::dns::Lookup {
                    queries: Vec::new(),
                    response: view.answer(name, RecordType::A),
                },
            ),
        };
        let at = self.now();
        self.record_trace(vec![TraceRecord::Note {
            at,
            component: COMPONENT.to_string(),
            message: format!(
                "DNS lookup of {name} from namespace {namespace}: {} queries to {replica}, {} address(es)",
                lookup.queries.len(),
                lookup.response.addresses().len()
            ),
        }]);
        DnsLookupReport {
            resolv_conf,
            replica,
            lookup,
        }
    }
}

/// One line a learner can read: who sent what where, and what happened.
fn summary(request: &TrafficRequest, report: &TrafficReport) -> String {
    let from = match &request.from {
        TrafficSource::Pod { namespace, name } => format!("pod {namespace}/{name}"),
        TrafficSource::Outside { client } => format!("{client} (outside the cluster)"),
    };
    let to = match &request.to {
        TrafficTarget::ServiceName { name, .. } => match &report.resolved_name {
            Some(fqdn) => format!("{name} ({fqdn})"),
            None => name.clone(),
        },
        TrafficTarget::Address { ip, port } => format!("{ip}:{port}"),
        TrafficTarget::NodePort { node, port } => format!("node {node} NodePort {port}"),
    };
    let spread: Vec<String> = report
        .per_pod
        .iter()
        .map(|(pod, n)| format!("{pod} {n}"))
        .chain((report.api_server > 0).then(|| format!("the API server {}", report.api_server)))
        .collect();
    let failures: Vec<String> = report
        .failures
        .iter()
        .map(|(reason, n)| format!("{n} {reason}"))
        .collect();
    format!(
        "{} requests from {from} to {to}: {} answered [{}]; failed [{}]; {} DNS queries; added latency mean {} µs (min {}, max {})",
        report.sent,
        report.succeeded,
        spread.join(", "),
        failures.join(", "),
        report.dns_queries,
        report.latency.mean_us,
        report.latency.min_us,
        report.latency.max_us,
    )
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::controllers::endpoints::world_tests::apply;

    const WEB: &str = "
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: 'nginx:1.25'
        ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  containers:
  - {name: sh, image: 'busybox:1.36', command: [sleep, infinity]}
";

    /// A world running three web pods behind a Service, and a client pod.
    fn running(extra: &str) -> World {
        let mut world = World::new(&WorldConfig::default());
        apply(&mut world, WEB);
        if !extra.is_empty() {
            apply(&mut world, extra);
        }
        let deadline = world.now().plus(Duration::from_secs(120));
        let done = world.run_until(deadline, |w| {
            let s = w.pod_summary();
            s.total == s.running_ready && s.running_ready >= 4
        });
        assert!(done, "{:?}", world.pod_summary());
        // Endpoints follow readiness within the next instants.
        world.advance(Duration::from_secs(2));
        world
    }

    fn from_client(to: TrafficTarget, count: u32) -> TrafficRequest {
        TrafficRequest {
            from: TrafficSource::Pod {
                namespace: "default".into(),
                name: "client".into(),
            },
            to,
            count,
        }
    }

    fn name(name: &str) -> TrafficTarget {
        TrafficTarget::ServiceName {
            name: name.into(),
            port: None,
        }
    }

    fn service_value(world: &mut World, namespace: &str, name: &str) -> serde_json::Value {
        world
            .api()
            .get(Kind::Service, namespace, name)
            .unwrap()
            .to_value()
    }

    #[test]
    fn requests_to_the_kubernetes_service_are_answered_by_the_api_server_not_a_pod() {
        let mut world = running("");
        let report = world
            .send_traffic(&from_client(name("kubernetes"), 6))
            .unwrap();
        assert_eq!(
            report.resolved_name.as_deref(),
            Some("kubernetes.default.svc.cluster.local")
        );
        assert_eq!(
            (report.sent, report.succeeded, report.api_server),
            (6, 6, 6)
        );
        assert!(
            report.per_pod.is_empty() && report.failures.is_empty(),
            "{report:?}"
        );
        assert!(report.latency.min_us > 0, "{report:?}");
        // The Service's port 443 leads to the advertised 6443; dialled directly, the address
        // answers on that port only.
        let at = |port| TrafficTarget::Address {
            ip: Ipv4Addr::new(192, 168, 49, 1),
            port,
        };
        assert_eq!(
            world
                .send_traffic(&from_client(at(6443), 2))
                .unwrap()
                .api_server,
            2
        );
        let elsewhere = world.send_traffic(&from_client(at(8080), 2)).unwrap();
        assert_eq!(elsewhere.failed(RequestFailure::ConnectionTimedOut), 2);
        let notes: Vec<String> = world
            .trace()
            .records()
            .filter_map(|r| match r {
                TraceRecord::Note { message, .. } => Some(message.clone()),
                _ => None,
            })
            .collect();
        assert!(
            notes
                .iter()
                .any(|m| m == "request answered by the API server in 650 µs"),
            "{notes:?}"
        );
    }

    #[test]
    fn requests_to_a_service_name_spread_evenly_over_its_three_pods() {
        let mut world = running("");
        let report = world
            .send_traffic(&TrafficRequest::from_pod_to_name(
                "default", "client", "web", 3000,
            ))
            .unwrap();
        assert_eq!(report.succeeded, 3000, "{report:?}");
        assert_eq!(
            report.resolved_name.as_deref(),
            Some("web.default.svc.cluster.local")
        );
        assert_eq!(report.per_pod.len(), 3);
        for n in report.per_pod.values() {
            assert!((900..1100).contains(n), "{report:?}");
        }
        // `web` has fewer than 5 dots and the first search domain answers: one query each.
        assert_eq!(report.dns_queries, 3000);
        assert!(report.latency.min_us >= DNS_QUERY_US + LOCAL_HOP_US);
        assert!(report.latency.max_us <= DNS_QUERY_US + CROSS_NODE_HOP_US);
    }

    #[test]
    fn the_search_path_costs_one_query_per_try_across_namespaces() {
        let other = "
apiVersion: v1
kind: Namespace
metadata: {name: other}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: other}
spec:
  selector: {app: api}
  ports: [{port: 9000}]
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: other, labels: {app: api}}
spec:
  containers:
  - {name: api, image: 'nginx:1.25'}
";
        let mut world = running(other);
        let cases = [
            ("api.other", 2, "api.other.svc.cluster.local"),
            ("api.other.svc", 3, "api.other.svc.cluster.local"),
            // Four dots are fewer than ndots:5, so the three search domains are tried first.
            (
                "api.other.svc.cluster.local",
                4,
                "api.other.svc.cluster.local",
            ),
            (
                "api.other.svc.cluster.local.",
                1,
                "api.other.svc.cluster.local",
            ),
        ];
        for (target, queries, fqdn) in cases {
            let report = world.send_traffic(&from_client(name(target), 1)).unwrap();
            assert_eq!(report.dns_queries, queries, "{target}");
            assert_eq!(report.resolved_name.as_deref(), Some(fqdn), "{target}");
            assert_eq!(report.succeeded, 1, "{target}: {report:?}");
        }
        // From `default`, the short name `api` is not found: no Service `api` lives here.
        let report = world.send_traffic(&from_client(name("api"), 1)).unwrap();
        assert_eq!(report.failed(RequestFailure::NxDomain), 1, "{report:?}");
    }

    #[test]
    fn an_unknown_name_fails_every_request_with_nxdomain() {
        let mut world = running("");
        let report = world.send_traffic(&from_client(name("nope"), 5)).unwrap();
        assert_eq!(report.succeeded, 0);
        assert_eq!(report.failed(RequestFailure::NxDomain), 5);
        // Each lookup walks the three search domains and the bare name.
        assert_eq!(report.dns_queries, 20);
        assert_eq!(report.latency, LatencySummary::default());
    }

    #[test]
    fn a_service_without_ready_endpoints_refuses_connections() {
        let lonely = "
apiVersion: v1
kind: Service
metadata: {name: lonely}
spec:
  selector: {app: nobody}
  ports: [{port: 80}]
";
        let mut world = running(lonely);
        let report = world.send_traffic(&from_client(name("lonely"), 7)).unwrap();
        assert_eq!(
            report.failed(RequestFailure::ConnectionRefused),
            7,
            "{report:?}"
        );
        let ip: Ipv4Addr = service_value(&mut world, "default", "lonely")["spec"]["clusterIP"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let by_address = TrafficTarget::Address { ip, port: 80 };
        let report = world.send_traffic(&from_client(by_address, 3)).unwrap();
        assert_eq!(report.failed(RequestFailure::ConnectionRefused), 3);
        assert_eq!(report.dns_queries, 0);
    }

    #[test]
    fn outside_clients_reach_the_pods_through_any_node_port() {
        let node_port = "
apiVersion: v1
kind: Service
metadata: {name: web-public}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080, nodePort: 30080}]
";
        let mut world = running(node_port);
        for node in world.node_names() {
            let report = world
                .send_traffic(&TrafficRequest::from_outside_to_node_port(
                    &node, 30080, 300,
                ))
                .unwrap();
            assert_eq!(report.succeeded, 300, "{node}: {report:?}");
            assert_eq!(report.per_pod.len(), 3, "{node}: {report:?}");
            assert!(report.latency.min_us >= CLIENT_TO_NODE_US + LOCAL_HOP_US);
        }
        // A port nobody listens on: nothing answers.
        let report = world
            .send_traffic(&TrafficRequest::from_outside_to_node_port(
                "node-1", 30999, 2,
            ))
            .unwrap();
        assert_eq!(report.failed(RequestFailure::ConnectionTimedOut), 2);
        let error = world
            .send_traffic(&TrafficRequest {
                from: TrafficSource::Outside {
                    client: DEFAULT_OUTSIDE_CLIENT,
                },
                to: name("web"),
                count: 1,
            })
            .unwrap_err();
        assert_eq!(error, TrafficError::NoClusterDnsOutside("web".into()));
    }

    #[test]
    fn client_ip_affinity_sends_every_request_of_a_client_to_one_pod() {
        let mut world = running("");
        world.api().set_user("kubectl");
        world
            .api()
            .patch(
                Kind::Service,
                "default",
                "web",
                crate::api::patch::PatchType::MergePatch,
                &serde_json::json!({"spec": {"sessionAffinity": "ClientIP"}}),
                false,
            )
            .unwrap();
        world.settle();
        let report = world.send_traffic(&from_client(name("web"), 500)).unwrap();
        assert_eq!(report.succeeded, 500);
        assert_eq!(report.per_pod.len(), 1, "{report:?}");
    }

    #[test]
    fn dns_queries_spread_over_the_coredns_replicas_and_are_counted_per_second() {
        let mut world = running("");
        assert_eq!(world.dns_replica_count(), DEFAULT_DNS_REPLICAS);
        world.send_traffic(&from_client(name("web"), 1000)).unwrap();
        let load = world.dns_load();
        assert_eq!(load.len(), 2);
        let total: u64 = load.iter().map(|r| r.queries_total).sum();
        assert_eq!(total, 1000);
        for replica in &load {
            assert!(replica.name.starts_with("coredns-"), "{load:?}");
            assert!(
                (400..600).contains(&replica.queries_this_second),
                "{load:?}"
            );
        }
        assert_eq!(world.dns_queries_per_second(1), 1000.0);
        assert_eq!(world.dns_queries_per_second(10), 100.0);
        world.set_dns_replicas(4);
        world.advance(Duration::from_secs(1));
        world.send_traffic(&from_client(name("web"), 400)).unwrap();
        let fresh = world.dns_load();
        assert_eq!(fresh.len(), 4);
        assert!(fresh[3].queries_this_second > 50, "{fresh:?}");
        assert_eq!(
            fresh[0].queries_total,
            load[0].queries_total + fresh[0].queries_this_second
        );
    }

    #[test]
    fn traffic_to_pods_on_a_stopped_node_times_out_until_they_leave_the_endpoints() {
        let mut world = running("");
        let node_of =
            |pod: &serde_json::Value| pod["spec"]["nodeName"].as_str().unwrap_or("").to_string();
        let client_node = node_of(
            &world
                .api()
                .get(Kind::Pod, "default", "client")
                .unwrap()
                .to_value(),
        );
        let web_nodes: Vec<String> = world
            .api()
            .list(
                Kind::Pod,
                Some("default"),
                &crate::apiserver::ListOptions::with_label_selector("app=web"),
            )
            .unwrap()
            .items
            .iter()
            .map(|p| node_of(&p.to_value()))
            .collect();
        let victim = web_nodes
            .iter()
            .find(|n| **n != client_node)
            .cloned()
            .unwrap();
        world.stop_node(&victim).unwrap();
        let report = world.send_traffic(&from_client(name("web"), 300)).unwrap();
        assert!(
            report.failed(RequestFailure::ConnectionTimedOut) > 50,
            "{report:?}"
        );
        // After the node monitor grace period the pods there are marked not ready and leave
        // the endpoints: traffic flows again.
        world.advance(Duration::from_secs(60));
        let report = world.send_traffic(&from_client(name("web"), 300)).unwrap();
        assert_eq!(report.succeeded, 300, "{report:?}");
        // The client's own node stopped sends nothing at all.
        world.stop_node(&client_node).unwrap();
        let error = world
            .send_traffic(&from_client(name("web"), 1))
            .unwrap_err();
        assert_eq!(error, TrafficError::SourceNodeStopped(client_node));
    }

    #[test]
    fn the_same_seed_sends_the_same_traffic_the_same_way() {
        let run = || {
            let mut world = running("");
            let report = world.send_traffic(&from_client(name("web"), 100)).unwrap();
            (report, world.trace().hash())
        };
        assert_eq!(run(), run());
    }

    #[test]
    fn small_batches_trace_each_request_and_large_ones_only_a_summary() {
        let mut world = running("");
        let notes = |world: &World| {
            world
                .trace()
                .records()
                .filter(
                    |r| matches!(r, TraceRecord::Note { component, .. } if component == COMPONENT),
                )
                .count()
        };
        world.send_traffic(&from_client(name("web"), 3)).unwrap();
        assert_eq!(notes(&world), 4);
        world.send_traffic(&from_client(name("web"), 1000)).unwrap();
        assert_eq!(notes(&world), 5);
        let last = world.trace().records().last().cloned();
        let Some(TraceRecord::Note { message, .. }) = last else {
            panic!("no summary: {last:?}");
        };
        assert!(
            message.starts_with("1000 requests from pod default/client to web (web.default.svc.cluster.local): 1000 answered"),
            "{message}"
        );
    }
}
