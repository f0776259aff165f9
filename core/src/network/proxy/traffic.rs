//! Walking a node's proxy rules with a simulated packet, exactly as netfilter would.
//!
//! A packet enters `KUBE-SERVICES` (or `KUBE-NODEPORTS` via a node address), jumps to the
//! service's chain, and the `statistic` match decides endpoint by endpoint: iptables stores
//! `--probability p` as the 31-bit threshold `round(p * 2^31)` and the kernel compares a fresh
//! `random_u32 & 0x7fffffff` against it for every rule it passes. [`ServicePortRules::pick_endpoint`]
//! does the same with the caller's draws, from the same printed probabilities, so the shown
//! rules and the simulated traffic agree to the bit. ClientIP affinity is the `recent` match:
//! an [`AffinityTable`] remembers, per `KUBE-SEP-…` list, when each client was last seen.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use rand_core::RngCore;

use super::{
    probability, Endpoint, PolicyChain, Protocol, ProxyRules, ServicePortName, ServicePortRules,
};

/// The `statistic` match's threshold for a printed probability: `lround(p * 0x80000000)`.
pub fn statistic_threshold(probability_text: &str) -> u32 {
    let p: f64 = probability_text.parse().unwrap_or(1.0);
    let scaled = (p * f64::from(0x8000_0000u32)).round();
    if scaled <= 0.0 {
        0
    } else if scaled >= f64::from(u32::MAX) {
        u32::MAX
    } else {
        scaled as u32
    }
}

/// The `recent` module's lists: when each client was last sent to each endpoint chain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AffinityTable {
    last_seen_ms: BTreeMap<(String, Ipv4Addr), u64>,
}

impl AffinityTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// `--rcheck --seconds s --reap`: whether `client` is on `list` and was seen in the last
    /// `seconds`; stale entries are removed.
    pub fn rcheck(&mut self, list: &str, client: Ipv4Addr, now_ms: u64, seconds: i32) -> bool {
        let key = (list.to_string(), client);
        let window_ms = u64::try_from(seconds).unwrap_or(0) * 1000;
        match self.last_seen_ms.get(&key) {
            Some(seen) if now_ms.saturating_sub(*seen) <= window_ms => true,
            Some(_) => {
                self.last_seen_ms.remove(&key);
                false
            }
            None => false,
        }
    }

    /// `--set`: records that `client` was sent to `list` now.
    pub fn set(&mut self, list: &str, client: Ipv4Addr, now_ms: u64) {
        self.last_seen_ms.insert((list.to_string(), client), now_ms);
    }
}

impl ServicePortRules {
    /// The endpoint a packet from `client` reaches through a policy chain, walking its rules
    /// in order: affinity checks first (if ClientIP affinity is on), then each `statistic`
    /// rule drawing `next_draw() & 0x7fffffff`, the last rule unconditional. `None` when the
    /// chain has no endpoints.
    pub fn pick_endpoint(
        &self,
        policy: PolicyChain,
        client: Ipv4Addr,
        affinity: &mut AffinityTable,
        now_ms: u64,
        next_draw: &mut impl FnMut() -> u32,
    ) -> Option<&Endpoint> {
        let endpoints = self.endpoints_of(policy);
        let mut chosen = None;
        if let Some(seconds) = self.session_affinity_timeout_seconds {
            chosen = endpoints
                .iter()
                .find(|ep| affinity.rcheck(&ep.chain, client, now_ms, seconds));
        }
        if chosen.is_none() {
            let n = endpoints.len();
            for (i, ep) in endpoints.iter().enumerate() {
                if i + 1 == n {
                    chosen = Some(ep);
                    break;
                }
                let draw = next_draw() & 0x7fff_ffff;
                if draw < statistic_threshold(&probability(n - i)) {
                    chosen = Some(ep);
                    break;
                }
            }
        }
        let ep = chosen?;
        if self.session_affinity_timeout_seconds.is_some() {
            affinity.set(&ep.chain, client, now_ms);
        }
        Some(ep)
    }
}

/// A simulated packet's first-packet facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packet {
    /// Source address (a pod IP, a node IP or an outside client).
    pub source: Ipv4Addr,
    /// Whether the source is an address of this node itself (`--src-type LOCAL`).
    pub source_is_local: bool,
    /// Destination address (a ClusterIP, an external IP or a node IP for NodePorts).
    pub destination: Ipv4Addr,
    /// Destination port.
    pub port: i32,
    /// Transport protocol.
    pub protocol: Protocol,
}

/// What the node's rules do with a packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// DNAT to an endpoint.
    Forwarded {
        /// The service port it matched.
        service: ServicePortName,
        /// The endpoint's pod IP.
        endpoint_ip: Ipv4Addr,
        /// The endpoint's port.
        endpoint_port: i32,
        /// The `KUBE-SEP-…` chain that rewrote it.
        endpoint_chain: String,
        /// Whether it was marked for SNAT (`KUBE-MARK-MASQ`).
        masqueraded: bool,
    },
    /// Refused by the filter table (`REJECT`: no endpoints; `DROP`: no local endpoints).
    Refused {
        /// The service port it matched.
        service: ServicePortName,
        /// `REJECT` or `DROP`.
        target: &'static str,
        /// The rule's comment, e.g. `default/web:http has no endpoints`.
        comment: String,
    },
    /// No service rule matched; the packet goes on unchanged.
    NotAService,
}

impl ProxyRules {
    /// Routes one packet through the node's rules, drawing `statistic` randoms from `rng`.
    pub fn route(
        &self,
        packet: &Packet,
        affinity: &mut AffinityTable,
        now_ms: u64,
        rng: &mut impl RngCore,
    ) -> Verdict {
        let mut draw = || rng.next_u32();
        let from_pod = self
            .config
            .cluster_cidr
            .is_some_and(|cidr| cidr.contains(packet.source));
        for sp in &self.service_ports {
            if sp.protocol != packet.protocol {
                continue;
            }
            if packet.destination == sp.cluster_ip && packet.port == sp.port {
                if !sp.has_internal_endpoints() {
                    return refused(sp, sp.has_endpoints);
                }
                let masq =
                    self.config.masquerade_all || (self.config.cluster_cidr.is_some() && !from_pod);
                return forward(
                    sp,
                    sp.internal_policy(),
                    packet,
                    masq,
                    affinity,
                    now_ms,
                    &mut draw,
                );
            }
            let to_external_ip =
                sp.external_ips.contains(&packet.destination) && packet.port == sp.port;
            let to_node_port = sp.node_port == Some(packet.port)
                && (self.config.node_ips.contains(&packet.destination)
                    || (self.config.localhost_node_ports && packet.destination.is_loopback()));
            if !(to_external_ip || to_node_port) {
                continue;
            }
            if !sp.has_endpoints {
                return refused(sp, false);
            }
            if !sp.external_policy_local {
                return forward(
                    sp,
                    PolicyChain::Cluster,
                    packet,
                    true,
                    affinity,
                    now_ms,
                    &mut draw,
                );
            }
            if from_pod {
                return forward(
                    sp,
                    PolicyChain::Cluster,
                    packet,
                    false,
                    affinity,
                    now_ms,
                    &mut draw,
                );
            }
            if packet.source_is_local {
                return forward(
                    sp,
                    PolicyChain::Cluster,
                    packet,
                    true,
                    affinity,
                    now_ms,
                    &mut draw,
                );
            }
            if !sp.has_external_endpoints() {
                return refused(sp, true);
            }
            return forward(
                sp,
                PolicyChain::Local,
                packet,
                false,
                affinity,
                now_ms,
                &mut draw,
            );
        }
        Verdict::NotAService
    }
}

fn refused(sp: &ServicePortRules, has_endpoints: bool) -> Verdict {
    if has_endpoints {
        Verdict::Refused {
            service: sp.name.clone(),
            target: "DROP",
            comment: format!("{} has no local endpoints", sp.name),
        }
    } else {
        Verdict::Refused {
            service: sp.name.clone(),
            target: "REJECT",
            comment: format!("{} has no endpoints", sp.name),
        }
    }
}

fn forward(
    sp: &ServicePortRules,
    policy: PolicyChain,
    packet: &Packet,
    masquerade: bool,
    affinity: &mut AffinityTable,
    now_ms: u64,
    draw: &mut impl FnMut() -> u32,
) -> Verdict {
    match sp.pick_endpoint(policy, packet.source, affinity, now_ms, draw) {
        Some(ep) => Verdict::Forwarded {
            service: sp.name.clone(),
            endpoint_ip: ep.ip,
            endpoint_port: ep.port,
            endpoint_chain: ep.chain.clone(),
            // Hairpin traffic (a pod reaching itself) is masqueraded by its KUBE-SEP chain.
            masqueraded: masquerade || ep.ip == packet.source,
        },
        None => refused(sp, sp.has_endpoints),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_objects::*;
    use super::super::ProxyConfig;
    use super::*;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn web_rules(n: usize) -> ProxyRules {
        let svc = service("default", "web", "10.96.10.10", &[("http", 80)]);
        let ips: Vec<String> = (0..n).map(|i| format!("10.244.1.{}", i + 2)).collect();
        let eps: Vec<_> = ips.iter().map(|ip| ready(ip)).collect();
        ProxyRules::compute(
            &ProxyConfig::new("node-1", vec![Ipv4Addr::new(192, 168, 0, 2)]),
            &[svc],
            &[slice("default", "web", &[("http", 8080)], &eps)],
        )
    }

    fn to_web(source: [u8; 4]) -> Packet {
        Packet {
            source: Ipv4Addr::from(source),
            source_is_local: false,
            destination: Ipv4Addr::new(10, 96, 10, 10),
            port: 80,
            protocol: Protocol::Tcp,
        }
    }

    #[test]
    fn statistic_thresholds_are_the_printed_probability_times_two_to_the_31() {
        assert_eq!(statistic_threshold("0.5000000000"), 0x4000_0000);
        assert_eq!(statistic_threshold("0.3333333333"), 715_827_883);
    }

    #[test]
    fn the_rule_walk_takes_the_first_rule_whose_draw_is_below_its_threshold() {
        let rules = web_rules(3);
        let sp = &rules.service_ports[0];
        let mut affinity = AffinityTable::new();
        let client = Ipv4Addr::new(10, 244, 9, 9);
        let pick = |draws: &[u32], affinity: &mut AffinityTable| {
            let mut it = draws.iter().copied();
            sp.pick_endpoint(PolicyChain::Cluster, client, affinity, 0, &mut || {
                it.next().unwrap_or(u32::MAX)
            })
            .map(Endpoint::address)
        };
        assert_eq!(
            pick(&[0], &mut affinity).as_deref(),
            Some("10.244.1.2:8080")
        );
        assert_eq!(
            pick(&[715_827_883, 0], &mut affinity).as_deref(),
            Some("10.244.1.3:8080")
        );
        assert_eq!(
            pick(&[u32::MAX, 0x4000_0000], &mut affinity).as_deref(),
            Some("10.244.1.4:8080")
        );
    }

    #[test]
    fn traffic_spreads_evenly_over_four_endpoints() {
        let rules = web_rules(4);
        let mut rng = ChaCha8Rng::seed_from_u64(42);
        let mut affinity = AffinityTable::new();
        let mut counts: BTreeMap<Ipv4Addr, u32> = BTreeMap::new();
        for _ in 0..40_000 {
            match rules.route(&to_web([10, 244, 5, 5]), &mut affinity, 0, &mut rng) {
                Verdict::Forwarded {
                    endpoint_ip,
                    masqueraded,
                    ..
                } => {
                    assert!(!masqueraded);
                    *counts.entry(endpoint_ip).or_default() += 1;
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(counts.len(), 4);
        for count in counts.values() {
            assert!((9_500..10_500).contains(count), "{counts:?}");
        }
    }

    #[test]
    fn client_ip_affinity_keeps_a_client_on_one_endpoint_until_the_timeout() {
        let mut svc = service("default", "web", "10.96.10.10", &[("http", 80)]);
        if let Some(spec) = svc.spec.as_mut() {
            spec.session_affinity = Some("ClientIP".into());
        }
        let eps = slice(
            "default",
            "web",
            &[("http", 80)],
            &[
                ready("10.244.1.2"),
                ready("10.244.1.3"),
                ready("10.244.1.4"),
            ],
        );
        let rules = ProxyRules::compute(&ProxyConfig::new("n", vec![]), &[svc], &[eps]);
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let mut affinity = AffinityTable::new();
        let endpoint = |v: Verdict| match v {
            Verdict::Forwarded { endpoint_ip, .. } => endpoint_ip,
            other => panic!("unexpected {other:?}"),
        };
        let first = endpoint(rules.route(&to_web([10, 244, 7, 7]), &mut affinity, 0, &mut rng));
        for i in 1..50 {
            let later = rules.route(
                &to_web([10, 244, 7, 7]),
                &mut affinity,
                i * 60_000,
                &mut rng,
            );
            assert_eq!(endpoint(later), first);
        }
        // 10800 s after the last packet the entry has expired and the draw decides again.
        let mut seen = std::collections::BTreeSet::new();
        let mut now = 49 * 60_000;
        for _ in 0..30 {
            now += 10_801_000;
            seen.insert(endpoint(rules.route(
                &to_web([10, 244, 7, 7]),
                &mut affinity,
                now,
                &mut rng,
            )));
        }
        assert!(seen.len() > 1);
    }

    #[test]
    fn traffic_from_outside_the_cluster_cidr_and_to_empty_services_is_handled_like_kube_proxy() {
        let rules = web_rules(1);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut affinity = AffinityTable::new();
        match rules.route(&to_web([192, 168, 0, 50]), &mut affinity, 0, &mut rng) {
            Verdict::Forwarded { masqueraded, .. } => assert!(masqueraded),
            other => panic!("unexpected {other:?}"),
        }
        let empty = web_rules(0);
        assert_eq!(
            empty.route(&to_web([10, 244, 5, 5]), &mut affinity, 0, &mut rng),
            Verdict::Refused {
                service: empty.service_ports[0].name.clone(),
                target: "REJECT",
                comment: "default/web:http has no endpoints".into(),
            }
        );
        let mut elsewhere = to_web([10, 244, 5, 5]);
        elsewhere.destination = Ipv4Addr::new(10, 96, 99, 99);
        assert_eq!(
            rules.route(&elsewhere, &mut affinity, 0, &mut rng),
            Verdict::NotAService
        );
    }

    #[test]
    fn node_port_traffic_reaches_the_service_through_a_node_address() {
        let mut svc = service("default", "web", "10.96.10.10", &[("http", 80)]);
        if let Some(spec) = svc.spec.as_mut() {
            spec.type_ = Some("NodePort".into());
            if let Some(p) = spec.ports.as_mut().and_then(|p| p.first_mut()) {
                p.node_port = Some(30080);
            }
        }
        let eps = slice("default", "web", &[("http", 80)], &[ready("10.244.2.2")]);
        let node_ip = Ipv4Addr::new(192, 168, 0, 2);
        let rules = ProxyRules::compute(&ProxyConfig::new("node-1", vec![node_ip]), &[svc], &[eps]);
        let packet = Packet {
            source: Ipv4Addr::new(203, 0, 113, 9),
            source_is_local: false,
            destination: node_ip,
            port: 30080,
            protocol: Protocol::Tcp,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        match rules.route(&packet, &mut AffinityTable::new(), 0, &mut rng) {
            Verdict::Forwarded {
                endpoint_ip,
                masqueraded,
                ..
            } => {
                assert_eq!(endpoint_ip, Ipv4Addr::new(10, 244, 2, 2));
                assert!(masqueraded);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
