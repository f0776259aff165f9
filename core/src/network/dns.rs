//! Cluster DNS as CoreDNS' `kubernetes` plugin answers it, and the pod resolver in front of it.
//!
//! [`ClusterDnsView::new`] indexes a snapshot of Services, EndpointSlices and Pods once;
//! [`ClusterDnsView::answer`] then answers one question the way the Kubernetes DNS
//! specification describes and CoreDNS implements it:
//!
//! - `<svc>.<ns>.svc.<zone>` A: the ClusterIP; for a headless Service (`clusterIP: None`) the
//!   ready endpoint IPs (NXDOMAIN while there is none); for an ExternalName Service a CNAME.
//! - `<hostname>.<svc>.<ns>.svc.<zone>` A: one endpoint of a headless Service, by its
//!   `hostname`, or by its dashed IP (`10-244-1-5`) when it has none.
//! - `_<port>._<proto>.<svc>.<ns>.svc.<zone>` SRV for named ports: priority 0, weight
//!   `floor(100 / n)`, the port, and the Service (or each endpoint) as target.
//! - `a-b-c-d.<ns>.pod.<zone>` A: pod records (`pods insecure`, kubeadm's Corefile default).
//! - Unknown names: NXDOMAIN; known names without data of the asked type: NOERROR, no answer.
//!
//! A pod does not ask for `web` directly: its resolver ([`ResolvConf`]) expands short names
//! through the search path `<ns>.svc.<zone> svc.<zone> <zone>` with `ndots:5`, sending one query
//! per try. [`resolve`] replays that walk against one [`DnsReplica`], which counts every query
//! it answers per second of simulated time — the DNS load a scale lesson plots.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::Ipv4Addr;

use crate::api::objects::StoredPod;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::discovery::v1::EndpointSlice;

use super::proxy::{Protocol, SERVICE_NAME_LABEL};

/// The default cluster domain (`--cluster-domain` of the kubelet).
pub const DEFAULT_CLUSTER_DOMAIN: &str = "cluster.local";
/// The TTL CoreDNS' kubernetes plugin gives its records by default, in seconds.
pub const DEFAULT_TTL_SECONDS: u32 = 5;
/// The kubelet's `ndots` option for `ClusterFirst` pods.
pub const DEFAULT_NDOTS: usize = 5;

/// The question types this server answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RecordType {
    /// IPv4 address.
    A,
    /// IPv6 address (never present: the simulated cluster is IPv4 only).
    Aaaa,
    /// Service location.
    Srv,
    /// Canonical name.
    Cname,
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::A => "A",
            Self::Aaaa => "AAAA",
            Self::Srv => "SRV",
            Self::Cname => "CNAME",
        })
    }
}

/// The data of one resource record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordData {
    /// An IPv4 address.
    A(Ipv4Addr),
    /// An alias.
    Cname(String),
    /// A service location.
    Srv {
        /// Priority (always 0).
        priority: u16,
        /// Weight (`floor(100 / n)` among n records).
        weight: u16,
        /// The port.
        port: u16,
        /// The target host name (fully qualified, with trailing dot).
        target: String,
    },
}

/// One resource record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The owner name, fully qualified with a trailing dot.
    pub name: String,
    /// Time to live in seconds.
    pub ttl: u32,
    /// The data.
    pub data: RecordData,
}

impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.data {
            RecordData::A(ip) => write!(f, "{}\t{}\tIN\tA\t{ip}", self.name, self.ttl),
            RecordData::Cname(target) => {
                write!(f, "{}\t{}\tIN\tCNAME\t{target}", self.name, self.ttl)
            }
            RecordData::Srv {
                priority,
                weight,
                port,
                target,
            } => write!(
                f,
                "{}\t{}\tIN\tSRV\t{priority} {weight} {port} {target}",
                self.name, self.ttl
            ),
        }
    }
}

/// The response code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rcode {
    /// The name exists (answers may still be empty: NODATA).
    NoError,
    /// The name does not exist.
    NxDomain,
    /// The name is outside the cluster zone: CoreDNS would forward it upstream, which the
    /// simulation does not have.
    NotInClusterZone,
}

/// The answer to one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsResponse {
    /// The question name, fully qualified with a trailing dot.
    pub name: String,
    /// The question type.
    pub qtype: RecordType,
    /// The response code.
    pub rcode: Rcode,
    /// Answer records.
    pub answers: Vec<Record>,
    /// Additional records (addresses of SRV targets).
    pub additional: Vec<Record>,
}

impl DnsResponse {
    /// NOERROR with at least one answer.
    pub fn has_answers(&self) -> bool {
        self.rcode == Rcode::NoError && !self.answers.is_empty()
    }

    /// The IPv4 addresses among the answers.
    pub fn addresses(&self) -> Vec<Ipv4Addr> {
        self.answers
            .iter()
            .filter_map(|r| match r.data {
                RecordData::A(ip) => Some(ip),
                _ => None,
            })
            .collect()
    }
}

/// How the plugin answers pod names (`pods` option of the kubernetes plugin).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodsMode {
    /// No pod records.
    Disabled,
    /// Answer any well-formed `a-b-c-d.<ns>.pod.<zone>` (kubeadm's Corefile).
    Insecure,
    /// Answer only if a pod with that IP exists in that namespace.
    Verified,
}

#[derive(Debug, Clone)]
struct ServicePortEntry {
    name: String,
    protocol: Protocol,
    port: i32,
}

#[derive(Debug, Clone)]
struct EndpointEntry {
    ip: Ipv4Addr,
    hostname: Option<String>,
    /// Endpoint ports by (name, protocol).
    ports: Vec<ServicePortEntry>,
}

impl EndpointEntry {
    /// CoreDNS' `endpointHostname`: the hostname, or the IP with dots as dashes.
    fn dns_label(&self) -> String {
        self.hostname
            .clone()
            .unwrap_or_else(|| self.ip.to_string().replace('.', "-"))
    }
}

#[derive(Debug, Clone)]
enum ServiceKind {
    ClusterIp(Ipv4Addr),
    Headless(Vec<EndpointEntry>),
    ExternalName(String),
}

#[derive(Debug, Clone)]
struct ServiceEntry {
    kind: ServiceKind,
    ports: Vec<ServicePortEntry>,
}

/// An indexed snapshot of what cluster DNS knows.
#[derive(Debug, Clone)]
pub struct ClusterDnsView {
    zone: String,
    pods_mode: PodsMode,
    ttl_seconds: u32,
    services: BTreeMap<(String, String), ServiceEntry>,
    pod_ips: BTreeSet<(String, Ipv4Addr)>,
}

impl ClusterDnsView {
    /// Indexes a snapshot. `zone` is the cluster domain (`cluster.local`).
    pub fn new(
        zone: &str,
        pods_mode: PodsMode,
        services: &[Service],
        slices: &[EndpointSlice],
        pods: &[StoredPod],
    ) -> Self {
        // Ready endpoints per (namespace, service), first address of each, deduplicated.
        let mut endpoints: BTreeMap<(String, String), Vec<EndpointEntry>> = BTreeMap::new();
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
            let ports: Vec<ServicePortEntry> = slice
                .ports
                .iter()
                .flatten()
                .filter_map(|p| {
                    Some(ServicePortEntry {
                        name: p.name.clone().unwrap_or_default(),
                        protocol: Protocol::from_api(p.protocol.as_deref())?,
                        port: p.port?,
                    })
                })
                .collect();
            let list = endpoints.entry((namespace, service.clone())).or_default();
            for ep in &slice.endpoints {
                let ready = ep.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true);
                let Some(ip) = ep.addresses.first().and_then(|a| a.parse().ok()) else {
                    continue;
                };
                if !ready || list.iter().any(|e| e.ip == ip) {
                    continue;
                }
                list.push(EndpointEntry {
                    ip,
                    hostname: ep.hostname.clone(),
                    ports: ports.clone(),
                });
            }
        }
        let mut index = BTreeMap::new();
        for service in services {
            let Some(spec) = service.spec.as_ref() else {
                continue;
            };
            let namespace = service.metadata.namespace.clone().unwrap_or_default();
            let name = service.metadata.name.clone().unwrap_or_default();
            let kind = if spec.type_.as_deref() == Some("ExternalName") {
                match &spec.external_name {
                    Some(target) => ServiceKind::ExternalName(target.clone()),
                    None => continue,
                }
            } else {
                match spec.cluster_ip.as_deref() {
                    Some("None") => {
                        let mut eps = endpoints
                            .get(&(namespace.clone(), name.clone()))
                            .cloned()
                            .unwrap_or_default();
                        eps.sort_by_key(|e| e.ip);
                        ServiceKind::Headless(eps)
                    }
                    Some(ip) => match ip.parse() {
                        Ok(ip) => ServiceKind::ClusterIp(ip),
                        Err(_) => continue,
                    },
                    None => continue,
                }
            };
            let ports = spec
                .ports
                .iter()
                .flatten()
                .filter_map(|p| {
                    Some(ServicePortEntry {
                        name: p.name.clone().unwrap_or_default(),
                        protocol: Protocol::from_api(p.protocol.as_deref())?,
                        port: p.port,
                    })
                })
                .collect();
            index.insert((namespace, name), ServiceEntry { kind, ports });
        }
        let pod_ips = pods
            .iter()
            .filter_map(|pod| {
                let ip = pod.pod_ip()?.parse().ok()?;
                Some((pod.metadata.namespace.clone().unwrap_or_default(), ip))
            })
            .collect();
        Self {
            zone: normalize(zone),
            pods_mode,
            ttl_seconds: DEFAULT_TTL_SECONDS,
            services: index,
            pod_ips,
        }
    }

    /// The cluster zone, without trailing dot.
    pub fn zone(&self) -> &str {
        &self.zone
    }

    /// Answers one question (the name may or may not end with a dot; case is ignored).
    pub fn answer(&self, qname: &str, qtype: RecordType) -> DnsResponse {
        let name = normalize(qname);
        let mut response = DnsResponse {
            name: format!("{name}."),
            qtype,
            rcode: Rcode::NoError,
            answers: Vec::new(),
            additional: Vec::new(),
        };
        let Some(rest) = strip_zone(&name, &self.zone) else {
            response.rcode = Rcode::NotInClusterZone;
            return response;
        };
        // Labels below the zone, outermost first: ["svc", ns, svc, ...].
        let labels: Vec<&str> = rest.rsplit('.').filter(|l| !l.is_empty()).collect();
        let found = match labels.as_slice() {
            [] | ["svc"] | ["pod"] => Some(Vec::new()),
            ["svc", ns] => self.namespace_exists(ns).then(Vec::new),
            ["svc", ns, svc] => self.service_records(&name, ns, svc, qtype, &mut response),
            ["svc", ns, svc, endpoint] => self.endpoint_records(&name, ns, svc, endpoint, qtype),
            ["svc", ns, svc, proto, port] => {
                self.srv_records(&name, ns, svc, proto, port, qtype, &mut response)
            }
            ["pod", ns] => self.namespace_exists(ns).then(Vec::new),
            ["pod", ns, ip] => self.pod_records(&name, ns, ip, qtype),
            _ => None,
        };
        match found {
            Some(answers) => response.answers = answers,
            None => {
                response.rcode = Rcode::NxDomain;
                response.additional.clear();
            }
        }
        response
    }

    fn namespace_exists(&self, ns: &str) -> bool {
        self.services.keys().any(|(n, _)| n == ns) || self.pod_ips.iter().any(|(n, _)| n == ns)
    }

    fn record(&self, name: &str, data: RecordData) -> Record {
        Record {
            name: format!("{name}."),
            ttl: self.ttl_seconds,
            data,
        }
    }

    fn service_records(
        &self,
        name: &str,
        ns: &str,
        svc: &str,
        qtype: RecordType,
        response: &mut DnsResponse,
    ) -> Option<Vec<Record>> {
        let entry = self.services.get(&(ns.to_string(), svc.to_string()))?;
        let records = match (&entry.kind, qtype) {
            (ServiceKind::ClusterIp(ip), RecordType::A) => {
                vec![self.record(name, RecordData::A(*ip))]
            }
            (ServiceKind::Headless(eps), _) if eps.is_empty() => return None,
            (ServiceKind::Headless(eps), RecordType::A) => eps
                .iter()
                .map(|e| self.record(name, RecordData::A(e.ip)))
                .collect(),
            (
                ServiceKind::ExternalName(target),
                RecordType::A | RecordType::Aaaa | RecordType::Cname,
            ) => {
                vec![self.record(name, RecordData::Cname(format!("{}.", normalize(target))))]
            }
            (ServiceKind::ClusterIp(_) | ServiceKind::Headless(_), RecordType::Srv) => {
                // SRV on the bare service name: one record per port, as CoreDNS does.
                let all: Vec<(String, String)> = entry
                    .ports
                    .iter()
                    .map(|p| (p.name.clone(), p.protocol.lower().to_string()))
                    .collect();
                let mut records = Vec::new();
                for (port, proto) in all {
                    let mut extra = DnsResponse {
                        additional: Vec::new(),
                        ..response.clone()
                    };
                    if let Some(found) =
                        self.srv_for(name, ns, svc, entry, &proto, &port, &mut extra)
                    {
                        records.extend(found);
                        response.additional.extend(extra.additional);
                    }
                }
                records
            }
            _ => Vec::new(),
        };
        Some(records)
    }

    fn endpoint_records(
        &self,
        name: &str,
        ns: &str,
        svc: &str,
        endpoint: &str,
        qtype: RecordType,
    ) -> Option<Vec<Record>> {
        let entry = self.services.get(&(ns.to_string(), svc.to_string()))?;
        let ServiceKind::Headless(eps) = &entry.kind else {
            return None;
        };
        let matching: Vec<&EndpointEntry> =
            eps.iter().filter(|e| e.dns_label() == endpoint).collect();
        if matching.is_empty() {
            return None;
        }
        Some(match qtype {
            RecordType::A => matching
                .iter()
                .map(|e| self.record(name, RecordData::A(e.ip)))
                .collect(),
            _ => Vec::new(),
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn srv_records(
        &self,
        name: &str,
        ns: &str,
        svc: &str,
        proto: &str,
        port: &str,
        qtype: RecordType,
        response: &mut DnsResponse,
    ) -> Option<Vec<Record>> {
        let entry = self.services.get(&(ns.to_string(), svc.to_string()))?;
        let proto = proto.strip_prefix('_')?;
        let port = port.strip_prefix('_')?;
        let service_name = format!("{svc}.{ns}.svc.{}", self.zone);
        let records = self.srv_for(&service_name, ns, svc, entry, proto, port, response)?;
        if qtype != RecordType::Srv {
            response.additional.clear();
            return Some(Vec::new());
        }
        Some(
            records
                .into_iter()
                .map(|mut r| {
                    r.name = format!("{name}.");
                    r
                })
                .collect(),
        )
    }

    /// SRV records of one named port of a Service, with the targets' A records as additional.
    #[allow(clippy::too_many_arguments)]
    fn srv_for(
        &self,
        service_name: &str,
        ns: &str,
        svc: &str,
        entry: &ServiceEntry,
        proto: &str,
        port: &str,
        response: &mut DnsResponse,
    ) -> Option<Vec<Record>> {
        if port.is_empty() {
            return None;
        }
        let wanted = |p: &ServicePortEntry| p.name == port && p.protocol.lower() == proto;
        let service_port = entry.ports.iter().find(|p| wanted(p))?;
        let targets: Vec<(String, u16, Ipv4Addr)> = match &entry.kind {
            ServiceKind::ClusterIp(ip) => vec![(
                format!("{service_name}."),
                u16::try_from(service_port.port).ok()?,
                *ip,
            )],
            ServiceKind::Headless(eps) => eps
                .iter()
                .filter_map(|e| {
                    let p = e.ports.iter().find(|p| wanted(p))?;
                    Some((
                        format!("{}.{svc}.{ns}.svc.{}.", e.dns_label(), self.zone),
                        u16::try_from(p.port).ok()?,
                        e.ip,
                    ))
                })
                .collect(),
            ServiceKind::ExternalName(_) => return None,
        };
        if targets.is_empty() {
            return None;
        }
        // CoreDNS spreads a weight of 100 over the records of one priority, rounding down.
        let weight = u16::try_from(100 / targets.len()).unwrap_or(0);
        let mut records = Vec::new();
        for (target, port, ip) in targets {
            response.additional.push(Record {
                name: target.clone(),
                ttl: self.ttl_seconds,
                data: RecordData::A(ip),
            });
            records.push(self.record(
                service_name,
                RecordData::Srv {
                    priority: 0,
                    weight,
                    port,
                    target,
                },
            ));
        }
        Some(records)
    }

    fn pod_records(
        &self,
        name: &str,
        ns: &str,
        label: &str,
        qtype: RecordType,
    ) -> Option<Vec<Record>> {
        let ip: Ipv4Addr = label.replace('-', ".").parse().ok()?;
        let exists = match self.pods_mode {
            PodsMode::Disabled => false,
            PodsMode::Insecure => true,
            PodsMode::Verified => self.pod_ips.contains(&(ns.to_string(), ip)),
        };
        if !exists {
            return None;
        }
        Some(match qtype {
            RecordType::A => vec![self.record(name, RecordData::A(ip))],
            _ => Vec::new(),
        })
    }
}

fn normalize(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

fn strip_zone<'a>(name: &'a str, zone: &str) -> Option<&'a str> {
    if name == zone {
        return Some("");
    }
    name.strip_suffix(zone)?.strip_suffix('.')
}

/// One CoreDNS replica: answers questions and counts them per second of simulated time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DnsReplica {
    /// The replica's name (its pod's name).
    pub name: String,
    queries_total: u64,
    queries_per_second: BTreeMap<u64, u64>,
}

impl DnsReplica {
    /// How many seconds of per-second counts a replica keeps.
    pub const HISTORY_SECONDS: u64 = 300;

    /// A replica with no queries yet.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// Answers one question at simulated time `now_ms`, counting it.
    pub fn handle_query(
        &mut self,
        view: &ClusterDnsView,
        qname: &str,
        qtype: RecordType,
        now_ms: u64,
    ) -> DnsResponse {
        let second = now_ms / 1000;
        self.queries_total += 1;
        *self.queries_per_second.entry(second).or_default() += 1;
        let oldest = second.saturating_sub(Self::HISTORY_SECONDS);
        self.queries_per_second = self.queries_per_second.split_off(&oldest);
        view.answer(qname, qtype)
    }

    /// Every query this replica has answered.
    pub fn queries_total(&self) -> u64 {
        self.queries_total
    }

    /// Queries answered during simulated second `second` (0 if outside the kept history).
    pub fn queries_in_second(&self, second: u64) -> u64 {
        self.queries_per_second.get(&second).copied().unwrap_or(0)
    }
}

/// A pod's `/etc/resolv.conf` under `dnsPolicy: ClusterFirst`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvConf {
    /// The cluster DNS Service's IP (`kube-dns`, 10.96.0.10 by default).
    pub nameserver: Ipv4Addr,
    /// The search path.
    pub search: Vec<String>,
    /// Names with fewer dots than this are tried with the search path first.
    pub ndots: usize,
}

impl ResolvConf {
    /// What the kubelet writes for a pod in `namespace`: search
    /// `<ns>.svc.<zone> svc.<zone> <zone>`, `options ndots:5`.
    pub fn for_pod(namespace: &str, zone: &str, nameserver: Ipv4Addr) -> Self {
        let zone = normalize(zone);
        Self {
            nameserver,
            search: vec![
                format!("{namespace}.svc.{zone}"),
                format!("svc.{zone}"),
                zone,
            ],
            ndots: DEFAULT_NDOTS,
        }
    }

    /// The file's text.
    pub fn render(&self) -> String {
        format!(
            "search {}\nnameserver {}\noptions ndots:{}\n",
            self.search.join(" "),
            self.nameserver,
            self.ndots
        )
    }

    /// The fully qualified names the resolver tries for `name`, in order (glibc `res_search`):
    /// a trailing dot means only the name itself; fewer than `ndots` dots means the search
    /// domains first, then the name as is; otherwise the name first, then the search domains.
    pub fn candidates(&self, name: &str) -> Vec<String> {
        if let Some(absolute) = name.strip_suffix('.') {
            return vec![absolute.to_string()];
        }
        let expanded = self.search.iter().map(|domain| format!("{name}.{domain}"));
        if name.matches('.').count() >= self.ndots {
            std::iter::once(name.to_string()).chain(expanded).collect()
        } else {
            expanded.chain(std::iter::once(name.to_string())).collect()
        }
    }
}

/// One name lookup by a pod: every query it sent, and the response it settled on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    /// The questions sent, in order (each one counted by the replica).
    pub queries: Vec<String>,
    /// The response the resolver returned to the application.
    pub response: DnsResponse,
}

/// Resolves `name` as a pod's resolver would: tries each candidate against `replica` until
/// one has answers or the name leaves the cluster zone (CoreDNS would forward it upstream).
pub fn resolve(
    resolv_conf: &ResolvConf,
    replica: &mut DnsReplica,
    view: &ClusterDnsView,
    name: &str,
    qtype: RecordType,
    now_ms: u64,
) -> Lookup {
    let mut queries = Vec::new();
    let mut nodata: Option<DnsResponse> = None;
    let mut last: Option<DnsResponse> = None;
    for candidate in resolv_conf.candidates(name) {
        let response = replica.handle_query(view, &candidate, qtype, now_ms);
        queries.push(response.name.clone());
        match response.rcode {
            Rcode::NoError if !response.answers.is_empty() => {
                return Lookup { queries, response };
            }
            Rcode::NoError => nodata = Some(response),
            Rcode::NxDomain => last = Some(response),
            Rcode::NotInClusterZone if !candidate.contains('.') => {
                // A single label outside the zone is no top-level domain: upstream says NXDOMAIN.
                last = Some(DnsResponse {
                    rcode: Rcode::NxDomain,
                    ..response
                });
            }
            Rcode::NotInClusterZone => {
                // Out-of-zone names go upstream, which the simulation does not have.
                return Lookup { queries, response };
            }
        }
    }
    let response = nodata.or(last).unwrap_or_else(|| view.answer(name, qtype));
    Lookup { queries, response }
}

#[cfg(test)]
mod tests {
    use super::super::proxy::test_objects::*;
    use super::*;
    use k8s_openapi::api::core::v1::{Pod, PodStatus};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn ip(text: &str) -> Ipv4Addr {
        text.parse().unwrap()
    }

    fn view() -> ClusterDnsView {
        let web = service(
            "default",
            "web",
            "10.96.10.10",
            &[("http", 80), ("metrics", 9090)],
        );
        let api = service("other", "api", "10.96.20.20", &[("grpc", 9000)]);
        let db = service("default", "db", "None", &[("sql", 5432)]);
        let empty = service("default", "lonely", "None", &[("sql", 5432)]);
        let mut ext = service("default", "search", "", &[]);
        if let Some(spec) = ext.spec.as_mut() {
            spec.type_ = Some("ExternalName".into());
            spec.cluster_ip = None;
            spec.external_name = Some("www.example.com".into());
        }
        let db_eps = slice(
            "default",
            "db",
            &[("sql", 5432)],
            &[
                Ep {
                    hostname: Some("db-0"),
                    ..ready("10.244.1.5")
                },
                ready("10.244.2.7"),
                Ep {
                    ready: false,
                    ..ready("10.244.3.9")
                },
            ],
        );
        let pod = Pod {
            metadata: ObjectMeta {
                namespace: Some("default".into()),
                name: Some("web-1".into()),
                ..Default::default()
            },
            status: Some(PodStatus {
                pod_ip: Some("10.244.1.5".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        ClusterDnsView::new(
            DEFAULT_CLUSTER_DOMAIN,
            PodsMode::Insecure,
            &[web, api, db, empty, ext],
            &[db_eps],
            &[pod.into()],
        )
    }

    fn lines(response: &DnsResponse) -> Vec<String> {
        response.answers.iter().map(Record::to_string).collect()
    }

    #[test]
    fn a_cluster_ip_service_name_resolves_to_its_cluster_ip() {
        let r = view().answer("web.default.svc.cluster.local", RecordType::A);
        assert_eq!(r.rcode, Rcode::NoError);
        assert_eq!(
            lines(&r),
            ["web.default.svc.cluster.local.\t5\tIN\tA\t10.96.10.10"]
        );
    }

    #[test]
    fn a_headless_service_resolves_to_its_ready_endpoints() {
        let r = view().answer("db.default.svc.cluster.local.", RecordType::A);
        assert_eq!(r.addresses(), [ip("10.244.1.5"), ip("10.244.2.7")]);
    }

    #[test]
    fn a_headless_service_without_ready_endpoints_is_nxdomain() {
        let r = view().answer("lonely.default.svc.cluster.local", RecordType::A);
        assert_eq!(r.rcode, Rcode::NxDomain);
    }

    #[test]
    fn headless_endpoints_resolve_by_hostname_or_dashed_ip() {
        let v = view();
        let by_host = v.answer("db-0.db.default.svc.cluster.local", RecordType::A);
        assert_eq!(by_host.addresses(), [ip("10.244.1.5")]);
        let by_ip = v.answer("10-244-2-7.db.default.svc.cluster.local", RecordType::A);
        assert_eq!(by_ip.addresses(), [ip("10.244.2.7")]);
        let not_ready = v.answer("10-244-3-9.db.default.svc.cluster.local", RecordType::A);
        assert_eq!(not_ready.rcode, Rcode::NxDomain);
    }

    #[test]
    fn named_ports_have_srv_records_pointing_at_the_service_or_its_endpoints() {
        let v = view();
        let r = v.answer("_http._tcp.web.default.svc.cluster.local", RecordType::Srv);
        assert_eq!(
            lines(&r),
            ["_http._tcp.web.default.svc.cluster.local.\t5\tIN\tSRV\t0 100 80 web.default.svc.cluster.local."]
        );
        assert_eq!(r.additional[0].data, RecordData::A(ip("10.96.10.10")));
        let r = v.answer("_sql._tcp.db.default.svc.cluster.local", RecordType::Srv);
        assert_eq!(
            lines(&r),
            [
                "_sql._tcp.db.default.svc.cluster.local.\t5\tIN\tSRV\t0 50 5432 db-0.db.default.svc.cluster.local.",
                "_sql._tcp.db.default.svc.cluster.local.\t5\tIN\tSRV\t0 50 5432 10-244-2-7.db.default.svc.cluster.local.",
            ]
        );
        let wrong_proto = v.answer("_http._udp.web.default.svc.cluster.local", RecordType::Srv);
        assert_eq!(wrong_proto.rcode, Rcode::NxDomain);
    }

    #[test]
    fn pod_names_resolve_to_the_ip_they_spell() {
        let r = view().answer("10-244-1-5.default.pod.cluster.local", RecordType::A);
        assert_eq!(r.addresses(), [ip("10.244.1.5")]);
        let bad = view().answer("10-244-1.default.pod.cluster.local", RecordType::A);
        assert_eq!(bad.rcode, Rcode::NxDomain);
    }

    #[test]
    fn an_external_name_service_answers_with_a_cname() {
        let r = view().answer("search.default.svc.cluster.local", RecordType::A);
        assert_eq!(
            lines(&r),
            ["search.default.svc.cluster.local.\t5\tIN\tCNAME\twww.example.com."]
        );
    }

    #[test]
    fn unknown_names_are_nxdomain_and_known_names_without_data_are_nodata() {
        let v = view();
        for name in [
            "nope.default.svc.cluster.local",
            "web.nowhere.svc.cluster.local",
            "a.b.c.d.e.f.svc.cluster.local",
        ] {
            assert_eq!(
                v.answer(name, RecordType::A).rcode,
                Rcode::NxDomain,
                "{name}"
            );
        }
        let aaaa = v.answer("web.default.svc.cluster.local", RecordType::Aaaa);
        assert_eq!((aaaa.rcode, aaaa.answers.len()), (Rcode::NoError, 0));
        let ns = v.answer("default.svc.cluster.local", RecordType::A);
        assert_eq!((ns.rcode, ns.answers.len()), (Rcode::NoError, 0));
        assert_eq!(
            v.answer("example.com", RecordType::A).rcode,
            Rcode::NotInClusterZone
        );
    }

    #[test]
    fn a_pods_resolv_conf_has_the_namespace_search_path_and_ndots_5() {
        let conf = ResolvConf::for_pod("default", "cluster.local", ip("10.96.0.10"));
        assert_eq!(
            conf.render(),
            "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"
        );
        assert_eq!(
            conf.candidates("web"),
            [
                "web.default.svc.cluster.local",
                "web.svc.cluster.local",
                "web.cluster.local",
                "web"
            ]
        );
        assert_eq!(
            conf.candidates("a.b.c.d.e.f"),
            [
                "a.b.c.d.e.f",
                "a.b.c.d.e.f.default.svc.cluster.local",
                "a.b.c.d.e.f.svc.cluster.local",
                "a.b.c.d.e.f.cluster.local"
            ]
        );
        assert_eq!(
            conf.candidates("web.default.svc.cluster.local."),
            ["web.default.svc.cluster.local"]
        );
    }

    #[test]
    fn short_names_resolve_in_the_pods_namespace_and_across_with_the_namespace_suffix() {
        let v = view();
        let conf = ResolvConf::for_pod("default", "cluster.local", ip("10.96.0.10"));
        let mut replica = DnsReplica::new("coredns-1");
        let same = resolve(&conf, &mut replica, &v, "web", RecordType::A, 1_000);
        assert_eq!(same.response.addresses(), [ip("10.96.10.10")]);
        assert_eq!(same.queries, ["web.default.svc.cluster.local."]);
        let across = resolve(&conf, &mut replica, &v, "api.other", RecordType::A, 1_500);
        assert_eq!(across.response.addresses(), [ip("10.96.20.20")]);
        assert_eq!(
            across.queries,
            [
                "api.other.default.svc.cluster.local.",
                "api.other.svc.cluster.local."
            ]
        );
        let missing = resolve(&conf, &mut replica, &v, "nope", RecordType::A, 2_000);
        assert_eq!(missing.response.rcode, Rcode::NxDomain);
        assert_eq!(missing.queries.len(), 4);
        assert_eq!(replica.queries_total(), 7);
        assert_eq!(replica.queries_in_second(1), 3);
        assert_eq!(replica.queries_in_second(2), 4);
    }
}
