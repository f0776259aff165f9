//! `play traffic` and `play dns`: the data plane, seen from a pod or from outside.
//!
//! Both read their flags here, hand the World a request ([`World::send_traffic`](crate::sim::world::World::send_traffic),
//! [`World::lookup_dns`](crate::sim::world::World::lookup_dns) in [`crate::sim::traffic`]) and print what came back as tables a
//! teacher can read out: which pod answered how many requests, which failed and why, what
//! the DNS lookups cost and how loaded each CoreDNS replica is. Neither moves virtual time.

use std::net::Ipv4Addr;

use k8s_openapi::api::core::v1::ServicePort;

use crate::api::objects::{Kind, Object};
use crate::kubectl::flags::ParsedArgs;
use crate::network::dns::Rcode;
use crate::printers::align_columns;
use crate::sim::traffic::{
    DnsLookupReport, RequestFailure, TrafficReport, TrafficRequest, TrafficSource, TrafficTarget,
    DEFAULT_OUTSIDE_CLIENT,
};

use super::commands::{expect_args, usage, CommandResult};
use super::error::PlayError;
use super::Session;

/// How many requests `play traffic` sends without `--requests`.
pub const DEFAULT_REQUESTS: u32 = 100;
/// The most requests one `play traffic` may send.
pub const MAX_REQUESTS: u32 = 1_000_000;

/// `pod/NAME`, `po/NAME`, `pods/NAME` or `NAME`: the pod's name.
fn pod_name(text: &str) -> Result<&str, String> {
    match text.split_once('/') {
        None => Ok(text),
        Some(("pod" | "pods" | "po", name)) if !name.is_empty() => Ok(name),
        Some(_) => Err(format!(
            "--from \"{text}\" is not a pod: give pod/NAME or NAME"
        )),
    }
}

/// `svc/NAME`, `service/NAME`, `services/NAME` or `NAME`: the Service name.
fn service_name(text: &str) -> Result<&str, String> {
    match text.split_once('/') {
        None => Ok(text),
        Some(("svc" | "service" | "services", name)) if !name.is_empty() => Ok(name),
        Some(_) => Err(format!(
            "\"{text}\" is not a Service: give svc/NAME, NAME or an address IP:PORT"
        )),
    }
}

fn percent(part: u32, whole: u32) -> String {
    if whole == 0 {
        return "0.0%".to_string();
    }
    format!("{:.1}%", f64::from(part) * 100.0 / f64::from(whole))
}

fn failure_meaning(failure: RequestFailure) -> &'static str {
    match failure {
        RequestFailure::NxDomain => "the name has no address in cluster DNS",
        RequestFailure::ConnectionRefused => {
            "the Service has no ready endpoint (kube-proxy REJECT)"
        }
        RequestFailure::ConnectionTimedOut => {
            "nobody answered: no endpoint on this node (DROP) or the pod's node is stopped"
        }
    }
}

impl Session {
    fn namespace_flag(&self, parsed: &ParsedArgs) -> String {
        parsed
            .string("namespace")
            .filter(|n| !n.is_empty())
            .unwrap_or(&self.kubectl.default_namespace)
            .to_string()
    }

    /// The Service `name` (maybe `name.namespace…`) as the API has it.
    fn read_service(
        &mut self,
        name: &str,
        namespace: &str,
    ) -> Option<k8s_openapi::api::core::v1::Service> {
        let mut labels = name.split('.');
        let short = labels.next().unwrap_or_default();
        let namespace = labels.next().unwrap_or(namespace).to_string();
        match self
            .world
            .api()
            .get(Kind::Service, &namespace, short)
            .ok()?
            .as_ref()
        {
            Object::Service(service) => Some((**service).clone()),
            _ => None,
        }
    }

    /// The Service port `--port` names (a number or a port name), or the first one.
    fn pick_port<'p>(
        ports: &'p [ServicePort],
        wanted: Option<&str>,
        service: &str,
    ) -> Result<&'p ServicePort, PlayError> {
        match wanted {
            None => ports
                .first()
                .ok_or_else(|| usage("traffic", format!("service \"{service}\" has no ports"))),
            Some(text) => ports
                .iter()
                .find(|p| p.name.as_deref() == Some(text) || p.port.to_string() == text)
                .ok_or_else(|| {
                    usage(
                        "traffic",
                        format!("service \"{service}\" has no port \"{text}\""),
                    )
                }),
        }
    }

    pub(super) fn play_traffic(&mut self, parsed: &ParsedArgs) -> CommandResult {
        let args = expect_args("traffic", parsed, 1, 1, "a target (svc/NAME)")?;
        let target_text = args.first().cloned().unwrap_or_default();
        let count = match parsed.string("requests") {
            None => DEFAULT_REQUESTS,
            Some(text) => text
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_REQUESTS).contains(n))
                .ok_or_else(|| {
                    usage(
                        "traffic",
                        format!(
                            "invalid argument \"{text}\" for \"--requests\" flag: give a number from 1 to {MAX_REQUESTS}"
                        ),
                    )
                })?,
        };
        let namespace = self.namespace_flag(parsed);
        let node_port = parsed.bool("node-port");
        let from = parsed.string("from");
        let port_flag = parsed.string("port");
        let request = match (from, node_port) {
            (Some(_), true) => {
                return Err(usage(
                    "traffic",
                    "--from and --node-port exclude each other: requests come from a pod or from outside",
                ))
            }
            (None, false) => {
                return Err(usage(
                    "traffic",
                    "say where the requests come from: --from pod/NAME (a pod in the cluster) or --node-port (a client outside, through a node's NodePort)",
                ))
            }
            (Some(pod), false) => {
                let pod = pod_name(pod).map_err(|m| usage("traffic", m))?.to_string();
                let to = match target_text.rsplit_once(':') {
                    Some((ip, port)) if ip.parse::<Ipv4Addr>().is_ok() => {
                        let (Ok(ip), Ok(port)) = (ip.parse::<Ipv4Addr>(), port.parse::<i32>())
                        else {
                            return Err(usage(
                                "traffic",
                                format!("invalid address \"{target_text}\": give IP:PORT"),
                            ));
                        };
                        TrafficTarget::Address { ip, port }
                    }
                    Some(_) | None => {
                        let name = service_name(&target_text)
                            .map_err(|m| usage("traffic", m))?
                            .to_string();
                        let port = match port_flag {
                            None => None,
                            Some(text) => match text.parse::<i32>() {
                                Ok(number) => Some(number),
                                Err(_) => {
                                    let service =
                                        self.read_service(&name, &namespace).ok_or_else(|| {
                                            usage(
                                                "traffic",
                                                format!("service \"{name}\" not found: a port name needs the Service"),
                                            )
                                        })?;
                                    let ports = service
                                        .spec
                                        .as_ref()
                                        .and_then(|s| s.ports.clone())
                                        .unwrap_or_default();
                                    Some(Self::pick_port(&ports, Some(text), &name)?.port)
                                }
                            },
                        };
                        TrafficTarget::ServiceName { name, port }
                    }
                };
                TrafficRequest {
                    from: TrafficSource::Pod {
                        namespace: namespace.clone(),
                        name: pod,
                    },
                    to,
                    count,
                }
            }
            (None, true) => {
                let name = service_name(&target_text)
                    .map_err(|m| usage("traffic", m))?
                    .to_string();
                let service = self.read_service(&name, &namespace).ok_or_else(|| {
                    PlayError::Fault(format!(
                        "services \"{name}\" not found in namespace \"{namespace}\""
                    ))
                })?;
                let spec = service.spec.clone().unwrap_or_default();
                let ports = spec.ports.clone().unwrap_or_default();
                let port = Self::pick_port(&ports, port_flag, &name)?;
                let Some(node_port) = port.node_port.filter(|p| *p != 0) else {
                    return Err(PlayError::Fault(format!(
                        "service \"{name}\" has no NodePort (its type is {}): make it reachable from outside with type: NodePort (kubectl expose … --type=NodePort)",
                        spec.type_.as_deref().unwrap_or("ClusterIP")
                    )));
                };
                let node = match parsed.string("node") {
                    Some(node) => node.to_string(),
                    None => self.world.node_names().into_iter().next().unwrap_or_default(),
                };
                if !self.world.node_names().contains(&node) {
                    return Err(PlayError::NodeNotFound {
                        name: node,
                        known: self.world.node_names(),
                    });
                }
                TrafficRequest::from_outside_to_node_port(&node, node_port, count)
            }
        };
        let report = self.world.send_traffic(&request)?;
        Ok(self.traffic_text(&request, &report))
    }

    /// The report as a teacher reads it out.
    fn traffic_text(&mut self, request: &TrafficRequest, report: &TrafficReport) -> String {
        let from = match &request.from {
            TrafficSource::Pod { name, .. } => {
                let node = self.pod_node(&self.namespace_of(request), name);
                format!("pod/{name} on {node}")
            }
            TrafficSource::Outside { client } if *client == DEFAULT_OUTSIDE_CLIENT => {
                format!("a client outside the cluster ({client})")
            }
            TrafficSource::Outside { client } => format!("outside the cluster ({client})"),
        };
        let to = match &request.to {
            TrafficTarget::ServiceName { name, .. } => {
                match (&report.resolved_name, report.destination) {
                    (Some(fqdn), Some(ip)) => format!("{name} ({fqdn} → {ip})"),
                    (Some(fqdn), None) => format!("{name} ({fqdn})"),
                    (None, _) => name.clone(),
                }
            }
            TrafficTarget::Address { ip, port } => format!("{ip}:{port}"),
            TrafficTarget::NodePort { node, port } => format!("NodePort {port} of {node}"),
        };
        let failed = report.sent.saturating_sub(report.succeeded);
        let mut text = format!(
            "{} requests from {from} to {to}: {} answered, {failed} failed\n",
            report.sent, report.succeeded
        );
        if !report.per_pod.is_empty() {
            let mut rows = vec![["POD", "NODE", "REQUESTS", "SHARE"]
                .map(str::to_string)
                .to_vec()];
            for (key, answered) in &report.per_pod {
                let (namespace, name) = key.split_once('/').unwrap_or(("", key));
                let node = self.pod_node(namespace, name);
                let shown = if namespace == self.kubectl.default_namespace {
                    name.to_string()
                } else {
                    key.clone()
                };
                rows.push(vec![
                    shown,
                    node,
                    answered.to_string(),
                    percent(*answered, report.sent),
                ]);
            }
            text.push('\n');
            text.push_str(&align_columns(&rows));
        }
        if report.api_server > 0 {
            let endpoint = self.world.api().advertised_endpoint();
            let at = match endpoint.address {
                Some(address) => format!("{address}:{}", endpoint.port),
                None => format!("port {}", endpoint.port),
            };
            text.push_str(&format!(
                "\n{} answered by the API server at {at} ({}): the kubernetes Service's endpoint, not a pod\n",
                report.api_server,
                percent(report.api_server, report.sent)
            ));
        }
        if !report.failures.is_empty() {
            let mut rows = vec![["FAILED", "REQUESTS", "WHY"].map(str::to_string).to_vec()];
            for (failure, n) in &report.failures {
                rows.push(vec![
                    failure.to_string(),
                    n.to_string(),
                    failure_meaning(*failure).to_string(),
                ]);
            }
            text.push('\n');
            text.push_str(&align_columns(&rows));
        }
        text.push('\n');
        if report.dns_queries > 0 {
            text.push_str(&format!(
                "DNS: {} queries for {} lookups ({:.1} per lookup)\n",
                report.dns_queries,
                report.sent,
                report.dns_queries as f64 / f64::from(report.sent.max(1))
            ));
        }
        if report.succeeded > 0 {
            text.push_str(&format!(
                "added latency: mean {} µs, min {} µs, max {} µs\n",
                report.latency.mean_us, report.latency.min_us, report.latency.max_us
            ));
        }
        text
    }

    fn namespace_of(&self, request: &TrafficRequest) -> String {
        match &request.from {
            TrafficSource::Pod { namespace, .. } => namespace.clone(),
            TrafficSource::Outside { .. } => self.kubectl.default_namespace.clone(),
        }
    }

    /// The node a pod runs on, or `<none>`.
    fn pod_node(&mut self, namespace: &str, name: &str) -> String {
        self.world
            .api()
            .get(Kind::Pod, namespace, name)
            .ok()
            .and_then(|object| match object.as_ref() {
                Object::Pod(pod) => pod.node_name().map(str::to_string),
                _ => None,
            })
            .unwrap_or_else(|| "<none>".to_string())
    }

    pub(super) fn play_dns(&mut self, parsed: &ParsedArgs) -> CommandResult {
        let args = expect_args("dns", parsed, 1, 1, "a name to resolve")?;
        let name = args.first().cloned().unwrap_or_default();
        let mut namespace = self.namespace_flag(parsed);
        let asker = match parsed.string("from") {
            Some(from) => {
                let pod = pod_name(from).map_err(|m| usage("dns", m))?.to_string();
                let object = self.world.api().get(Kind::Pod, &namespace, &pod)?;
                if let Object::Pod(found) = object.as_ref() {
                    namespace = found
                        .metadata
                        .namespace
                        .clone()
                        .unwrap_or_else(|| namespace.clone());
                }
                format!("pod/{pod}")
            }
            None => format!("a pod in namespace {namespace}"),
        };
        let report = self.world.lookup_dns(&namespace, &name);
        Ok(self.dns_text(&name, &asker, &report))
    }

    fn dns_text(&self, name: &str, asker: &str, report: &DnsLookupReport) -> String {
        let conf = &report.resolv_conf;
        let mut text = format!(
            "{asker} resolves {name}: nameserver {} (kube-dns → {}), search {}, ndots:{}\n\n",
            conf.nameserver,
            report.replica,
            conf.search.join(" "),
            conf.ndots
        );
        let response = &report.lookup.response;
        let mut rows = vec![["QUERY", "ANSWER"].map(str::to_string).to_vec()];
        let last = report.lookup.queries.len().saturating_sub(1);
        for (index, query) in report.lookup.queries.iter().enumerate() {
            let answer = if index < last {
                "no address: try the next name".to_string()
            } else {
                match response.rcode {
                    Rcode::NoError if response.answers.is_empty() => {
                        "NOERROR, no records".to_string()
                    }
                    Rcode::NoError => "NOERROR".to_string(),
                    Rcode::NxDomain => "NXDOMAIN".to_string(),
                    Rcode::NotInClusterZone => {
                        "outside cluster.local: forwarded upstream (not simulated)".to_string()
                    }
                }
            };
            rows.push(vec![format!("{query} A"), answer]);
        }
        text.push_str(&align_columns(&rows));
        text.push('\n');
        if response.answers.is_empty() {
            text.push_str(&format!("{name}: no address\n"));
        } else {
            for record in &response.answers {
                text.push_str(&format!("{record}\n"));
            }
        }
        let queries = report.lookup.queries.len();
        text.push_str(&format!(
            "\nthis lookup sent {queries} {}. CoreDNS load:\n",
            if queries == 1 { "query" } else { "queries" }
        ));
        let mut rows = vec![["REPLICA", "QUERIES", "THIS SECOND"]
            .map(str::to_string)
            .to_vec()];
        for replica in self.world.dns_load() {
            rows.push(vec![
                replica.name,
                replica.queries_total.to_string(),
                replica.queries_this_second.to_string(),
            ]);
        }
        text.push_str(&align_columns(&rows));
        text
    }
}
