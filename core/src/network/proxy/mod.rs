//! The service proxy: kube-proxy's iptables mode as a pure function.
//!
//! [`ProxyRules::compute`] takes one node's view — its [`ProxyConfig`] and snapshots of
//! every Service and EndpointSlice — and returns, per service port, what kube-proxy's
//! `syncProxyRules` would decide: which endpoints the `KUBE-SVC-…` (Cluster policy) and
//! `KUBE-SVL-…` (Local policy) chains spread traffic over, with which `--probability`, whether
//! ClientIP session affinity applies, and which NodePort / external IP entries lead there.
//! From that one value, [`render`] writes the `iptables-save` text a learner would see on the
//! node, and [`traffic`] walks the same rules to route a simulated packet, so what is shown
//! and what happens can never disagree.
//!
//! Endpoint selection follows `CategorizeEndpoints`: ready endpoints; if none is ready
//! anywhere, endpoints that are still serving while terminating. Endpoints are ordered by
//! their `ip:port` text as kube-proxy orders them. Topology hints are not modelled.

pub mod chain_names;
pub mod render;
pub mod traffic;

use std::collections::BTreeMap;
use std::fmt;
use std::net::Ipv4Addr;

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::discovery::v1::EndpointSlice;

use super::cidr::Ipv4Cidr;

/// The label an EndpointSlice carries naming its Service.
pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";
/// The session affinity timeout the API server defaults `timeoutSeconds` to (3 hours).
pub const DEFAULT_CLIENT_IP_TIMEOUT_SECONDS: i32 = 10800;
/// Above this many endpoints kube-proxy drops per-endpoint comments ("large cluster mode").
pub const LARGE_CLUSTER_ENDPOINTS_THRESHOLD: usize = 1000;

/// A service port's identity, printed `namespace/name:port` (or `namespace/name` for an
/// unnamed port) — the text kube-proxy hashes and writes into its comments.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServicePortName {
    /// The Service's namespace.
    pub namespace: String,
    /// The Service's name.
    pub name: String,
    /// The port's name (empty for a single unnamed port).
    pub port: String,
}

impl fmt::Display for ServicePortName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)?;
        if !self.port.is_empty() {
            write!(f, ":{}", self.port)?;
        }
        Ok(())
    }
}

/// A service port's transport protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    /// TCP (the default).
    Tcp,
    /// UDP.
    Udp,
    /// SCTP.
    Sctp,
}

impl Protocol {
    /// Parses the API's `TCP` / `UDP` / `SCTP`; a missing protocol is TCP.
    pub fn from_api(value: Option<&str>) -> Option<Self> {
        match value {
            None | Some("TCP") => Some(Self::Tcp),
            Some("UDP") => Some(Self::Udp),
            Some("SCTP") => Some(Self::Sctp),
            Some(_) => None,
        }
    }

    /// The lower-case name iptables uses (`-p tcp`) and kube-proxy hashes.
    pub fn lower(&self) -> &'static str {
        match self {
            Self::Tcp => "tcp",
            Self::Udp => "udp",
            Self::Sctp => "sctp",
        }
    }

    /// The API's upper-case name.
    pub fn api_name(&self) -> &'static str {
        match self {
            Self::Tcp => "TCP",
            Self::Udp => "UDP",
            Self::Sctp => "SCTP",
        }
    }
}

/// What one node's kube-proxy is configured with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyConfig {
    /// This node's name (endpoints on it are "local").
    pub node_name: String,
    /// This node's addresses (NodePort traffic arrives on them).
    pub node_ips: Vec<Ipv4Addr>,
    /// `--cluster-cidr`: traffic from outside it to a ClusterIP is masqueraded. Without it
    /// kube-proxy cannot tell pod traffic apart and writes no such rule.
    pub cluster_cidr: Option<Ipv4Cidr>,
    /// `--masquerade-all`: masquerade all ClusterIP traffic.
    pub masquerade_all: bool,
    /// The packet mark meaning "masquerade me", printed as kube-proxy's tests print it.
    pub masquerade_mark: String,
    /// `--iptables-localhost-nodeports` (default true): NodePorts answer on 127.0.0.1.
    pub localhost_node_ports: bool,
    /// Whether the kernel offers `nfacct` counters (kube-proxy then counts some drops).
    pub nfacct: bool,
    /// Whether iptables supports `MASQUERADE --random-fully` (kernels since 3.13).
    pub masquerade_random_fully: bool,
}

impl ProxyConfig {
    /// The defaults of a kubeadm node: cluster CIDR 10.244.0.0/16, mark 0x4000,
    /// localhost NodePorts, nfacct and `--random-fully` available.
    pub fn new(node_name: impl Into<String>, node_ips: Vec<Ipv4Addr>) -> Self {
        Self {
            node_name: node_name.into(),
            node_ips,
            cluster_cidr: super::ipam::DEFAULT_CLUSTER_CIDR.parse().ok(),
            masquerade_all: false,
            masquerade_mark: "0x4000".to_string(),
            localhost_node_ports: true,
            nfacct: true,
            masquerade_random_fully: true,
        }
    }
}

/// One endpoint of a service port as kube-proxy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The pod IP.
    pub ip: Ipv4Addr,
    /// The target port.
    pub port: i32,
    /// The node it runs on, if the slice says.
    pub node_name: Option<String>,
    /// `conditions.ready` (absent means ready).
    pub ready: bool,
    /// `conditions.serving` (absent means serving).
    pub serving: bool,
    /// `conditions.terminating` (absent means not terminating).
    pub terminating: bool,
    /// Its `KUBE-SEP-…` chain.
    pub chain: String,
}

impl Endpoint {
    /// `ip:port`, as kube-proxy prints, hashes and sorts it.
    pub fn address(&self) -> String {
        format!("{}:{}", self.ip, self.port)
    }
}

/// Which kind of traffic policy a dispatch chain implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyChain {
    /// `KUBE-SVC-…`: all usable endpoints in the cluster.
    Cluster,
    /// `KUBE-SVL-…`: only this node's endpoints.
    Local,
}

/// Everything kube-proxy decided for one service port on this node.
#[derive(Debug, Clone, PartialEq)]
pub struct ServicePortRules {
    /// `ns/svc:port`.
    pub name: ServicePortName,
    /// The protocol.
    pub protocol: Protocol,
    /// The ClusterIP.
    pub cluster_ip: Ipv4Addr,
    /// The service port.
    pub port: i32,
    /// The NodePort, if any.
    pub node_port: Option<i32>,
    /// `spec.externalIPs` (IPv4 ones).
    pub external_ips: Vec<Ipv4Addr>,
    /// `Some(timeout)` when `sessionAffinity: ClientIP`.
    pub session_affinity_timeout_seconds: Option<i32>,
    /// `internalTrafficPolicy: Local`.
    pub internal_policy_local: bool,
    /// `externalTrafficPolicy: Local` (only meaningful when externally accessible).
    pub external_policy_local: bool,
    /// Every endpoint the slices list for this port, sorted by `ip:port`.
    pub all_endpoints: Vec<Endpoint>,
    /// The endpoints `KUBE-SVC-…` spreads over (empty if the chain is unused).
    pub cluster_endpoints: Vec<Endpoint>,
    /// The endpoints `KUBE-SVL-…` spreads over (empty if the chain is unused).
    pub local_endpoints: Vec<Endpoint>,
    /// Whether any usable endpoint exists anywhere.
    pub has_endpoints: bool,
    /// `KUBE-SVC-…`.
    pub cluster_chain: String,
    /// `KUBE-SVL-…`.
    pub local_chain: String,
    /// `KUBE-EXT-…`.
    pub external_chain: String,
}

impl ServicePortRules {
    /// Whether NodePort or external IP traffic can reach this port.
    pub fn externally_accessible(&self) -> bool {
        self.node_port.is_some() || !self.external_ips.is_empty()
    }

    /// Whether the `KUBE-SVC-…` chain is in use.
    pub fn uses_cluster_endpoints(&self) -> bool {
        !self.internal_policy_local || (self.externally_accessible() && !self.external_policy_local)
    }

    /// Whether the `KUBE-SVL-…` chain is in use.
    pub fn uses_local_endpoints(&self) -> bool {
        self.internal_policy_local || (self.externally_accessible() && self.external_policy_local)
    }

    /// Whether ClusterIP traffic has somewhere to go.
    pub fn has_internal_endpoints(&self) -> bool {
        if self.internal_policy_local {
            self.has_endpoints && !self.local_endpoints.is_empty()
        } else {
            self.has_endpoints
        }
    }

    /// Whether NodePort / external IP traffic from outside has somewhere to go.
    pub fn has_external_endpoints(&self) -> bool {
        if self.external_policy_local {
            self.has_endpoints && !self.local_endpoints.is_empty()
        } else {
            self.has_endpoints
        }
    }

    /// The chain ClusterIP traffic jumps to.
    pub fn internal_policy(&self) -> PolicyChain {
        if self.internal_policy_local {
            PolicyChain::Local
        } else {
            PolicyChain::Cluster
        }
    }

    /// The chain NodePort / external IP traffic from outside ends up in.
    pub fn external_policy(&self) -> PolicyChain {
        if self.external_policy_local {
            PolicyChain::Local
        } else {
            PolicyChain::Cluster
        }
    }

    /// The endpoints a policy chain spreads over, in rule order.
    pub fn endpoints_of(&self, chain: PolicyChain) -> &[Endpoint] {
        match chain {
            PolicyChain::Cluster => &self.cluster_endpoints,
            PolicyChain::Local => &self.local_endpoints,
        }
    }

    /// The name of a policy chain.
    pub fn chain_name(&self, chain: PolicyChain) -> &str {
        match chain {
            PolicyChain::Cluster => &self.cluster_chain,
            PolicyChain::Local => &self.local_chain,
        }
    }

    /// The endpoint chains that exist on this node: the union of both policies' endpoints.
    pub fn reachable_endpoints(&self) -> Vec<&Endpoint> {
        let mut all: Vec<&Endpoint> = Vec::new();
        if self.uses_cluster_endpoints() {
            all.extend(self.cluster_endpoints.iter());
        }
        if self.uses_local_endpoints() {
            for ep in &self.local_endpoints {
                if !all.iter().any(|seen| seen.chain == ep.chain) {
                    all.push(ep);
                }
            }
        }
        all
    }
}

/// `%0.10f` of 1/n: the `--probability` kube-proxy writes for the i-th of n remaining rules.
pub fn probability(remaining: usize) -> String {
    format!("{:.10}", 1.0 / remaining.max(1) as f64)
}

/// The rules for one node: one entry per service port, ordered by service port name.
#[derive(Debug, Clone, PartialEq)]
pub struct ProxyRules {
    /// The configuration they were computed with.
    pub config: ProxyConfig,
    /// Per service port decisions.
    pub service_ports: Vec<ServicePortRules>,
    /// Whether there are more than 1000 endpoints (kube-proxy then omits endpoint comments).
    pub large_cluster_mode: bool,
}

impl ProxyRules {
    /// Computes what kube-proxy on `config.node_name` would program for these objects.
    /// Headless and ExternalName Services, non-IPv4 ClusterIPs and slices of other address
    /// types are skipped, as kube-proxy skips them.
    pub fn compute(config: &ProxyConfig, services: &[Service], slices: &[EndpointSlice]) -> Self {
        // Endpoints per (namespace, service, port name, protocol), deduplicated by ip:port.
        type PortKey = (String, String, String, Protocol);
        let mut endpoints: BTreeMap<PortKey, BTreeMap<String, Endpoint>> = BTreeMap::new();
        for slice in slices {
            if slice.address_type != "IPv4" {
                continue;
            }
            let namespace = slice.metadata.namespace.clone().unwrap_or_default();
            let Some(service) = slice
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(SERVICE_NAME_LABEL))
            else {
                continue;
            };
            for port in slice.ports.iter().flatten() {
                let (Some(number), Some(protocol)) =
                    (port.port, Protocol::from_api(port.protocol.as_deref()))
                else {
                    continue;
                };
                if number == 0 {
                    continue;
                }
                let key = (
                    namespace.clone(),
                    service.clone(),
                    port.name.clone().unwrap_or_default(),
                    protocol,
                );
                let entry = endpoints.entry(key).or_default();
                for ep in &slice.endpoints {
                    let Some(ip) = ep.addresses.first().and_then(|a| a.parse().ok()) else {
                        continue;
                    };
                    let conditions = ep.conditions.as_ref();
                    let endpoint = Endpoint {
                        ip,
                        port: number,
                        node_name: ep.node_name.clone(),
                        ready: conditions.and_then(|c| c.ready).unwrap_or(true),
                        serving: conditions.and_then(|c| c.serving).unwrap_or(true),
                        terminating: conditions.and_then(|c| c.terminating).unwrap_or(false),
                        chain: String::new(),
                    };
                    entry.entry(endpoint.address()).or_insert(endpoint);
                }
            }
        }

        let mut service_ports = Vec::new();
        for service in services {
            let Some(spec) = service.spec.as_ref() else {
                continue;
            };
            if spec.type_.as_deref() == Some("ExternalName") {
                continue;
            }
            let Some(cluster_ip) = spec
                .cluster_ip
                .as_deref()
                .and_then(|ip| ip.parse::<Ipv4Addr>().ok())
            else {
                continue; // headless ("None"), unset or IPv6
            };
            let namespace = service.metadata.namespace.clone().unwrap_or_default();
            let name = service.metadata.name.clone().unwrap_or_default();
            let affinity = (spec.session_affinity.as_deref() == Some("ClientIP")).then(|| {
                spec.session_affinity_config
                    .as_ref()
                    .and_then(|c| c.client_ip.as_ref())
                    .and_then(|c| c.timeout_seconds)
                    .unwrap_or(DEFAULT_CLIENT_IP_TIMEOUT_SECONDS)
            });
            let external_ips: Vec<Ipv4Addr> = spec
                .external_ips
                .iter()
                .flatten()
                .filter_map(|ip| ip.parse().ok())
                .collect();
            for port in spec.ports.iter().flatten() {
                let Some(protocol) = Protocol::from_api(port.protocol.as_deref()) else {
                    continue;
                };
                let port_name = ServicePortName {
                    namespace: namespace.clone(),
                    name: name.clone(),
                    port: port.name.clone().unwrap_or_default(),
                };
                let key = (
                    namespace.clone(),
                    name.clone(),
                    port_name.port.clone(),
                    protocol,
                );
                let all = endpoints.get(&key).cloned().unwrap_or_default();
                service_ports.push(Self::service_port(
                    config,
                    port_name,
                    protocol,
                    cluster_ip,
                    port.port,
                    port.node_port.filter(|p| *p != 0),
                    external_ips.clone(),
                    affinity,
                    spec.internal_traffic_policy.as_deref() == Some("Local"),
                    spec.external_traffic_policy.as_deref() == Some("Local"),
                    all.into_values().collect(),
                ));
            }
        }
        service_ports.sort_by(|a, b| {
            (a.name.to_string(), a.protocol).cmp(&(b.name.to_string(), b.protocol))
        });
        let total: usize = service_ports.iter().map(|s| s.all_endpoints.len()).sum();
        Self {
            config: config.clone(),
            service_ports,
            large_cluster_mode: total > LARGE_CLUSTER_ENDPOINTS_THRESHOLD,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn service_port(
        config: &ProxyConfig,
        name: ServicePortName,
        protocol: Protocol,
        cluster_ip: Ipv4Addr,
        port: i32,
        node_port: Option<i32>,
        external_ips: Vec<Ipv4Addr>,
        session_affinity_timeout_seconds: Option<i32>,
        internal_policy_local: bool,
        external_traffic_policy_local: bool,
        mut all_endpoints: Vec<Endpoint>,
    ) -> ServicePortRules {
        let name_text = name.to_string();
        let proto = protocol.lower();
        for ep in &mut all_endpoints {
            ep.chain = chain_names::service_endpoint_chain(&name_text, proto, &ep.address());
        }
        // kube-proxy sorts endpoints by their "ip:port" text.
        all_endpoints.sort_by_key(|ep| ep.address());
        let externally_accessible = node_port.is_some() || !external_ips.is_empty();
        let mut rules = ServicePortRules {
            cluster_chain: chain_names::service_chain(&name_text, proto),
            local_chain: chain_names::service_local_chain(&name_text, proto),
            external_chain: chain_names::service_external_chain(&name_text, proto),
            name,
            protocol,
            cluster_ip,
            port,
            node_port,
            external_ips,
            session_affinity_timeout_seconds,
            internal_policy_local,
            external_policy_local: externally_accessible && external_traffic_policy_local,
            all_endpoints,
            cluster_endpoints: Vec::new(),
            local_endpoints: Vec::new(),
            has_endpoints: false,
        };
        categorize_endpoints(&mut rules, &config.node_name);
        rules
    }
}

/// `CategorizeEndpoints` without topology: fills the cluster and local endpoint lists.
fn categorize_endpoints(rules: &mut ServicePortRules, node_name: &str) {
    let is_local = |ep: &Endpoint| ep.node_name.as_deref() == Some(node_name);
    if rules.uses_cluster_endpoints() {
        let mut cluster: Vec<Endpoint> = rules
            .all_endpoints
            .iter()
            .filter(|ep| ep.ready)
            .cloned()
            .collect();
        if cluster.is_empty() {
            // No ready endpoint anywhere: fall back to those still serving while terminating.
            cluster = rules
                .all_endpoints
                .iter()
                .filter(|ep| ep.serving && ep.terminating)
                .cloned()
                .collect();
        }
        rules.has_endpoints = !cluster.is_empty();
        rules.cluster_endpoints = cluster;
    }
    if !rules.uses_local_endpoints() {
        return;
    }
    let mut local_ready = false;
    let mut local_serving_terminating = false;
    for ep in &rules.all_endpoints {
        if ep.ready {
            rules.has_endpoints = true;
            local_ready |= is_local(ep);
        } else if ep.serving && ep.terminating {
            rules.has_endpoints = true;
            local_serving_terminating |= is_local(ep);
        }
    }
    rules.local_endpoints = if local_ready {
        rules
            .all_endpoints
            .iter()
            .filter(|ep| is_local(ep) && ep.ready)
            .cloned()
            .collect()
    } else if local_serving_terminating {
        rules
            .all_endpoints
            .iter()
            .filter(|ep| is_local(ep) && ep.serving && ep.terminating)
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
}

#[cfg(test)]
pub(crate) mod test_objects {
    //! Builders for Services and EndpointSlices shared by the proxy and DNS tests.
    use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
    use k8s_openapi::api::discovery::v1::{
        Endpoint as SliceEndpoint, EndpointConditions, EndpointPort, EndpointSlice,
    };
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    pub fn service(ns: &str, name: &str, cluster_ip: &str, ports: &[(&str, i32)]) -> Service {
        Service {
            metadata: ObjectMeta {
                namespace: Some(ns.into()),
                name: Some(name.into()),
                ..Default::default()
            },
            spec: Some(ServiceSpec {
                type_: Some("ClusterIP".into()),
                cluster_ip: Some(cluster_ip.into()),
                ports: Some(
                    ports
                        .iter()
                        .map(|(n, p)| ServicePort {
                            name: (!n.is_empty()).then(|| n.to_string()),
                            port: *p,
                            protocol: Some("TCP".into()),
                            ..Default::default()
                        })
                        .collect(),
                ),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    pub struct Ep<'a> {
        pub ip: &'a str,
        pub ready: bool,
        pub terminating: bool,
        pub node: Option<&'a str>,
        pub hostname: Option<&'a str>,
    }

    pub fn ready(ip: &str) -> Ep<'_> {
        Ep {
            ip,
            ready: true,
            terminating: false,
            node: None,
            hostname: None,
        }
    }

    pub fn slice(ns: &str, service: &str, ports: &[(&str, i32)], eps: &[Ep<'_>]) -> EndpointSlice {
        EndpointSlice {
            metadata: ObjectMeta {
                namespace: Some(ns.into()),
                name: Some(format!("{service}-abcde")),
                labels: Some(
                    [(super::SERVICE_NAME_LABEL.to_string(), service.to_string())]
                        .into_iter()
                        .collect(),
                ),
                ..Default::default()
            },
            address_type: "IPv4".into(),
            endpoints: eps
                .iter()
                .map(|e| SliceEndpoint {
                    addresses: vec![e.ip.to_string()],
                    conditions: Some(EndpointConditions {
                        ready: Some(e.ready),
                        serving: Some(e.ready || e.terminating),
                        terminating: Some(e.terminating),
                    }),
                    node_name: e.node.map(str::to_string),
                    hostname: e.hostname.map(str::to_string),
                    ..Default::default()
                })
                .collect(),
            ports: Some(
                ports
                    .iter()
                    .map(|(n, p)| EndpointPort {
                        name: Some(n.to_string()),
                        port: Some(*p),
                        protocol: Some("TCP".into()),
                        ..Default::default()
                    })
                    .collect(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_objects::*;
    use super::*;

    fn config() -> ProxyConfig {
        ProxyConfig::new("node-1", vec![Ipv4Addr::new(192, 168, 0, 2)])
    }

    #[test]
    fn probabilities_are_one_over_the_remaining_endpoints_with_ten_decimals() {
        assert_eq!(probability(4), "0.2500000000");
        assert_eq!(probability(3), "0.3333333333");
        assert_eq!(probability(2), "0.5000000000");
        assert_eq!(probability(7), "0.1428571429");
    }

    #[test]
    fn ready_endpoints_are_used_and_sorted_by_their_address_text() {
        let svc = service("default", "web", "10.96.10.10", &[("http", 80)]);
        let eps = slice(
            "default",
            "web",
            &[("http", 8080)],
            &[
                ready("10.244.1.2"),
                ready("10.244.1.10"),
                Ep {
                    ready: false,
                    ..ready("10.244.2.2")
                },
            ],
        );
        let rules = ProxyRules::compute(&config(), &[svc], &[eps]);
        let sp = &rules.service_ports[0];
        assert_eq!(sp.name.to_string(), "default/web:http");
        let got: Vec<_> = sp.cluster_endpoints.iter().map(Endpoint::address).collect();
        assert_eq!(got, ["10.244.1.10:8080", "10.244.1.2:8080"]);
        assert!(sp.has_endpoints);
    }

    #[test]
    fn terminating_but_serving_endpoints_are_used_only_when_none_is_ready() {
        let svc = service("default", "web", "10.96.10.10", &[("http", 80)]);
        let going = Ep {
            ready: false,
            terminating: true,
            ..ready("10.244.1.2")
        };
        let rules = ProxyRules::compute(
            &config(),
            std::slice::from_ref(&svc),
            &[slice("default", "web", &[("http", 80)], &[going])],
        );
        assert_eq!(rules.service_ports[0].cluster_endpoints.len(), 1);

        let going = Ep {
            ready: false,
            terminating: true,
            ..ready("10.244.1.2")
        };
        let both = slice(
            "default",
            "web",
            &[("http", 80)],
            &[going, ready("10.244.1.3")],
        );
        let rules = ProxyRules::compute(&config(), &[svc], &[both]);
        let got: Vec<_> = rules.service_ports[0]
            .cluster_endpoints
            .iter()
            .map(Endpoint::address)
            .collect();
        assert_eq!(got, ["10.244.1.3:80"]);
    }

    #[test]
    fn headless_and_external_name_services_get_no_rules() {
        let headless = service("default", "db", "None", &[("sql", 5432)]);
        let mut external = service("default", "ext", "", &[]);
        if let Some(spec) = external.spec.as_mut() {
            spec.type_ = Some("ExternalName".into());
            spec.external_name = Some("example.com".into());
        }
        let rules = ProxyRules::compute(&config(), &[headless, external], &[]);
        assert!(rules.service_ports.is_empty());
    }

    #[test]
    fn external_traffic_policy_local_keeps_only_this_nodes_endpoints_in_the_svl_chain() {
        let mut svc = service("default", "web", "10.96.10.10", &[("http", 80)]);
        if let Some(spec) = svc.spec.as_mut() {
            spec.type_ = Some("NodePort".into());
            spec.external_traffic_policy = Some("Local".into());
            if let Some(p) = spec.ports.as_mut().and_then(|p| p.first_mut()) {
                p.node_port = Some(30080);
            }
        }
        let eps = slice(
            "default",
            "web",
            &[("http", 80)],
            &[
                Ep {
                    node: Some("node-1"),
                    ..ready("10.244.1.2")
                },
                Ep {
                    node: Some("node-2"),
                    ..ready("10.244.2.2")
                },
            ],
        );
        let rules = ProxyRules::compute(&config(), &[svc], &[eps]);
        let sp = &rules.service_ports[0];
        assert_eq!(sp.cluster_endpoints.len(), 2);
        let local: Vec<_> = sp.local_endpoints.iter().map(Endpoint::address).collect();
        assert_eq!(local, ["10.244.1.2:80"]);
        assert_eq!(sp.reachable_endpoints().len(), 2);
    }
}
