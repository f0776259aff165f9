//! `iptables-save` text for a node's [`ProxyRules`], rule for rule as kube-proxy writes it.
//!
//! [`IptablesDump::from_rules`] replays `syncProxyRules`: it writes chain declarations and
//! rules into the `filter` and `nat` tables in kube-proxy's order. [`IptablesDump::restore_input`]
//! prints that stream as kube-proxy hands it to `iptables-restore`; [`IptablesDump::save`]
//! prints it grouped by chain, `KUBE-NODEPORTS` and `KUBE-SERVICES` first and the rest in name
//! order — the canonical form Kubernetes' own proxier tests compare against, and what a
//! learner reads on a node.

use super::{probability, PolicyChain, ProxyRules, ServicePortRules};

const KUBE_SERVICES: &str = "KUBE-SERVICES";
const KUBE_EXTERNAL_SERVICES: &str = "KUBE-EXTERNAL-SERVICES";
const KUBE_FORWARD: &str = "KUBE-FORWARD";
const KUBE_NODEPORTS: &str = "KUBE-NODEPORTS";
const KUBE_PROXY_FIREWALL: &str = "KUBE-PROXY-FIREWALL";
const KUBE_FIREWALL: &str = "KUBE-FIREWALL";
const KUBE_POSTROUTING: &str = "KUBE-POSTROUTING";
const KUBE_MARK_MASQ: &str = "KUBE-MARK-MASQ";
const LOCALHOST_NODEPORTS_COUNTER: &str = "localhost_nps_accepted_pkts";
const CT_STATE_INVALID_COUNTER: &str = "ct_state_invalid_dropped_pkts";

/// One rule: the chain it is appended to and the rest of its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IptablesRule {
    /// The chain (`-A <chain>`).
    pub chain: String,
    /// Everything after `-A <chain> `.
    pub args: String,
}

/// One table's chain declarations and rules, in the order kube-proxy writes them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IptablesTable {
    /// `filter` or `nat`.
    pub name: String,
    /// Declared chains (`:KUBE-SERVICES - [0:0]`).
    pub chains: Vec<String>,
    /// Rules in write order.
    pub rules: Vec<IptablesRule>,
}

impl IptablesTable {
    fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            ..Self::default()
        }
    }

    fn chain(&mut self, name: &str) {
        self.chains.push(name.to_string());
    }

    fn rule(&mut self, chain: &str, args: impl Into<String>) {
        self.rules.push(IptablesRule {
            chain: chain.to_string(),
            args: args.into(),
        });
    }

    /// The rules of one chain, in order.
    pub fn rules_of<'a>(&'a self, chain: &'a str) -> impl Iterator<Item = &'a IptablesRule> + 'a {
        self.rules.iter().filter(move |r| r.chain == chain)
    }
}

/// The `filter` and `nat` tables kube-proxy programs on a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IptablesDump {
    /// The `filter` table.
    pub filter: IptablesTable,
    /// The `nat` table.
    pub nat: IptablesTable,
}

/// Quotes a comment the way kube-proxy does: in double quotes when it has a space.
fn comment(text: &str) -> String {
    if text.contains(' ') {
        format!("-m comment --comment \"{text}\"")
    } else {
        format!("-m comment --comment {text}")
    }
}

impl IptablesDump {
    /// Writes the tables for `rules` in kube-proxy's order.
    pub fn from_rules(rules: &ProxyRules) -> Self {
        let config = &rules.config;
        let mark = &config.masquerade_mark;
        let mut filter = IptablesTable::new("filter");
        let mut nat = IptablesTable::new("nat");
        for chain in [
            KUBE_SERVICES,
            KUBE_EXTERNAL_SERVICES,
            KUBE_FORWARD,
            KUBE_NODEPORTS,
            KUBE_PROXY_FIREWALL,
        ] {
            filter.chain(chain);
        }
        for chain in [
            KUBE_SERVICES,
            KUBE_NODEPORTS,
            KUBE_POSTROUTING,
            KUBE_MARK_MASQ,
        ] {
            nat.chain(chain);
        }
        nat.rule(
            KUBE_POSTROUTING,
            format!("-m mark ! --mark {mark}/{mark} -j RETURN"),
        );
        nat.rule(KUBE_POSTROUTING, format!("-j MARK --xor-mark {mark}"));
        let random_fully = if config.masquerade_random_fully {
            " --random-fully"
        } else {
            ""
        };
        nat.rule(
            KUBE_POSTROUTING,
            format!(
                "{} -j MASQUERADE{random_fully}",
                comment("kubernetes service traffic requiring SNAT")
            ),
        );
        nat.rule(KUBE_MARK_MASQ, format!("-j MARK --or-mark {mark}"));
        if config.localhost_node_ports {
            filter.chain(KUBE_FIREWALL);
            filter.rule(
                KUBE_FIREWALL,
                format!(
                    "{} -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP",
                    comment("block incoming localnet connections")
                ),
            );
        }

        for sp in &rules.service_ports {
            write_service_port(rules, sp, &mut filter, &mut nat);
        }

        nat.rule(
            KUBE_SERVICES,
            format!(
                "{} -m addrtype --dst-type LOCAL{} -j {KUBE_NODEPORTS}",
                comment(
                    "kubernetes service nodeports; NOTE: this must be the last rule in this chain"
                ),
                if config.localhost_node_ports {
                    ""
                } else {
                    " ! -d 127.0.0.0/8"
                }
            ),
        );
        let nfacct = if config.nfacct {
            format!(" -m nfacct --nfacct-name {CT_STATE_INVALID_COUNTER}")
        } else {
            String::new()
        };
        filter.rule(
            KUBE_FORWARD,
            format!("-m conntrack --ctstate INVALID{nfacct} -j DROP"),
        );
        filter.rule(
            KUBE_FORWARD,
            format!(
                "{} -m mark --mark {mark}/{mark} -j ACCEPT",
                comment("kubernetes forwarding rules")
            ),
        );
        filter.rule(
            KUBE_FORWARD,
            format!(
                "{} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
                comment("kubernetes forwarding conntrack rule")
            ),
        );
        Self { filter, nat }
    }

    /// The text kube-proxy feeds to `iptables-restore`, in its write order.
    pub fn restore_input(&self) -> String {
        let mut out = String::new();
        for table in [&self.filter, &self.nat] {
            out.push_str(&format!("*{}\n", table.name));
            for chain in &table.chains {
                out.push_str(&format!(":{chain} - [0:0]\n"));
            }
            for rule in &table.rules {
                out.push_str(&format!("-A {} {}\n", rule.chain, rule.args));
            }
            out.push_str("COMMIT\n");
        }
        out
    }

    /// The tables as `iptables-save` shows them: rules grouped by chain, `KUBE-NODEPORTS`
    /// and `KUBE-SERVICES` first, then the other chains by name.
    pub fn save(&self) -> String {
        let mut out = String::new();
        for table in [&self.filter, &self.nat] {
            let mut chains = table.chains.clone();
            chains.sort_by_key(|c| {
                let rank = match c.as_str() {
                    KUBE_NODEPORTS => 0,
                    KUBE_SERVICES => 1,
                    _ => 2,
                };
                (rank, c.clone())
            });
            chains.dedup();
            out.push_str(&format!("*{}\n", table.name));
            for chain in &chains {
                out.push_str(&format!(":{chain} - [0:0]\n"));
            }
            for chain in &chains {
                for rule in table.rules_of(chain) {
                    out.push_str(&format!("-A {} {}\n", rule.chain, rule.args));
                }
            }
            out.push_str("COMMIT\n");
        }
        out
    }
}

impl ProxyRules {
    /// The node's tables as `iptables-save` would print them.
    pub fn iptables_save(&self) -> String {
        IptablesDump::from_rules(self).save()
    }
}

fn write_service_port(
    rules: &ProxyRules,
    sp: &ServicePortRules,
    filter: &mut IptablesTable,
    nat: &mut IptablesTable,
) {
    let config = &rules.config;
    let name = sp.name.to_string();
    let proto = sp.protocol.lower();
    let has_internal = sp.has_internal_endpoints();
    let has_external = sp.has_external_endpoints();
    let uses_external_chain = sp.has_endpoints && sp.externally_accessible();
    let internal_chain = sp.chain_name(sp.internal_policy()).to_string();
    let external_policy_chain = sp.chain_name(sp.external_policy()).to_string();
    let (internal_filter_target, internal_filter_comment) = if !sp.has_endpoints {
        ("REJECT", format!("{name} has no endpoints"))
    } else {
        ("DROP", format!("{name} has no local endpoints"))
    };
    let (external_filter_target, external_filter_comment) = if !sp.has_endpoints {
        ("REJECT", format!("{name} has no endpoints"))
    } else {
        ("DROP", format!("{name} has no local endpoints"))
    };
    let match_vip = |ip: &str, port: i32| format!("-m {proto} -p {proto} -d {ip} --dport {port}");

    // Capture the ClusterIP.
    if has_internal {
        nat.rule(
            KUBE_SERVICES,
            format!(
                "{} {} -j {internal_chain}",
                comment(&format!("{name} cluster IP")),
                match_vip(&sp.cluster_ip.to_string(), sp.port)
            ),
        );
    } else {
        filter.rule(
            KUBE_SERVICES,
            format!(
                "{} {} -j {internal_filter_target}",
                comment(&internal_filter_comment),
                match_vip(&sp.cluster_ip.to_string(), sp.port)
            ),
        );
    }
    // Capture external IPs.
    for ip in &sp.external_ips {
        if sp.has_endpoints {
            nat.rule(
                KUBE_SERVICES,
                format!(
                    "{} {} -j {}",
                    comment(&format!("{name} external IP")),
                    match_vip(&ip.to_string(), sp.port),
                    sp.external_chain
                ),
            );
        }
        if !has_external {
            filter.rule(
                KUBE_EXTERNAL_SERVICES,
                format!(
                    "{} {} -j {external_filter_target}",
                    comment(&external_filter_comment),
                    match_vip(&ip.to_string(), sp.port)
                ),
            );
        }
    }
    // Capture NodePorts.
    if let Some(node_port) = sp.node_port {
        if sp.has_endpoints {
            if config.localhost_node_ports && config.nfacct {
                nat.rule(
                    KUBE_NODEPORTS,
                    format!(
                        "{} -m {proto} -p {proto} -d 127.0.0.0/8 --dport {node_port} -m nfacct --nfacct-name {LOCALHOST_NODEPORTS_COUNTER} -j {}",
                        comment(&name),
                        sp.external_chain
                    ),
                );
            }
            nat.rule(
                KUBE_NODEPORTS,
                format!(
                    "{} -m {proto} -p {proto} --dport {node_port} -j {}",
                    comment(&name),
                    sp.external_chain
                ),
            );
        }
        if !has_external {
            filter.rule(
                KUBE_EXTERNAL_SERVICES,
                format!(
                    "{} -m addrtype --dst-type LOCAL -m {proto} -p {proto} --dport {node_port} -j {external_filter_target}",
                    comment(&external_filter_comment)
                ),
            );
        }
    }

    // Internal traffic: masquerade what does not come from a pod.
    if has_internal {
        let vip = format!(
            "{} {}",
            comment(&format!("{name} cluster IP")),
            match_vip(&sp.cluster_ip.to_string(), sp.port)
        );
        if config.masquerade_all {
            nat.rule(&internal_chain, format!("{vip} -j {KUBE_MARK_MASQ}"));
        } else if let Some(cidr) = config.cluster_cidr {
            nat.rule(
                &internal_chain,
                format!("{vip} ! -s {cidr} -j {KUBE_MARK_MASQ}"),
            );
        }
    }

    // External traffic enters KUBE-EXT-….
    if uses_external_chain {
        let ext = &sp.external_chain;
        nat.chain(ext);
        if !sp.external_policy_local {
            nat.rule(
                ext,
                format!(
                    "{} -j {KUBE_MARK_MASQ}",
                    comment(&format!(
                        "masquerade traffic for {name} external destinations"
                    ))
                ),
            );
        } else {
            if let Some(cidr) = config.cluster_cidr {
                nat.rule(
                    ext,
                    format!(
                        "{} -s {cidr} -j {}",
                        comment(&format!("pod traffic for {name} external destinations")),
                        sp.cluster_chain
                    ),
                );
            }
            nat.rule(
                ext,
                format!(
                    "{} -m addrtype --src-type LOCAL -j {KUBE_MARK_MASQ}",
                    comment(&format!(
                        "masquerade LOCAL traffic for {name} external destinations"
                    ))
                ),
            );
            nat.rule(
                ext,
                format!(
                    "{} -m addrtype --src-type LOCAL -j {}",
                    comment(&format!(
                        "route LOCAL traffic for {name} external destinations"
                    )),
                    sp.cluster_chain
                ),
            );
        }
        if has_external {
            nat.rule(ext, format!("-j {external_policy_chain}"));
        }
    }

    // The dispatch chains.
    if sp.uses_cluster_endpoints() && !sp.cluster_endpoints.is_empty() {
        nat.chain(&sp.cluster_chain);
        write_service_to_endpoint_rules(rules, sp, PolicyChain::Cluster, nat);
    }
    if sp.uses_local_endpoints() && !sp.local_endpoints.is_empty() {
        nat.chain(&sp.local_chain);
        write_service_to_endpoint_rules(rules, sp, PolicyChain::Local, nat);
    }

    // One DNAT chain per endpoint.
    for ep in sp.reachable_endpoints() {
        nat.chain(&ep.chain);
        let prefix = if rules.large_cluster_mode {
            String::new()
        } else {
            format!("{} ", comment(&name))
        };
        nat.rule(
            &ep.chain,
            format!("{prefix}-s {} -j {KUBE_MARK_MASQ}", ep.ip),
        );
        let recent = if sp.session_affinity_timeout_seconds.is_some() {
            format!("-m recent --name {} --set ", ep.chain)
        } else {
            String::new()
        };
        nat.rule(
            &ep.chain,
            format!(
                "{prefix}{recent}-m {proto} -p {proto} -j DNAT --to-destination {}",
                ep.address()
            ),
        );
    }
}

fn write_service_to_endpoint_rules(
    rules: &ProxyRules,
    sp: &ServicePortRules,
    policy: PolicyChain,
    nat: &mut IptablesTable,
) {
    let chain = sp.chain_name(policy).to_string();
    let endpoints = sp.endpoints_of(policy);
    let endpoint_comment = |address: String| {
        if rules.large_cluster_mode {
            String::new()
        } else {
            format!("{} ", comment(&format!("{} -> {address}", sp.name)))
        }
    };
    if let Some(seconds) = sp.session_affinity_timeout_seconds {
        for ep in endpoints {
            nat.rule(
                &chain,
                format!(
                    "{}-m recent --name {} --rcheck --seconds {seconds} --reap -j {}",
                    endpoint_comment(ep.address()),
                    ep.chain,
                    ep.chain
                ),
            );
        }
    }
    let n = endpoints.len();
    for (i, ep) in endpoints.iter().enumerate() {
        let statistic = if i + 1 < n {
            format!(
                "-m statistic --mode random --probability {} ",
                probability(n - i)
            )
        } else {
            String::new()
        };
        nat.rule(
            &chain,
            format!(
                "{}{statistic}-j {}",
                endpoint_comment(ep.address()),
                ep.chain
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_objects::*;
    use super::super::{ProxyConfig, ProxyRules};
    use std::net::Ipv4Addr;

    /// The configuration of Kubernetes' fake proxier: cluster CIDR 10.0.0.0/8, no
    /// `--random-fully`.
    fn kubernetes_test_config() -> ProxyConfig {
        let mut config = ProxyConfig::new("test-node", vec![Ipv4Addr::new(192, 168, 0, 2)]);
        config.cluster_cidr = "10.0.0.0/8".parse().ok();
        config.masquerade_random_fully = false;
        config
    }

    #[test]
    fn a_two_endpoint_cluster_ip_service_renders_like_kube_proxy() {
        let svc = service("ns4", "svc4", "172.30.0.44", &[("p80", 80)]);
        let eps = slice(
            "ns4",
            "svc4",
            &[("p80", 80)],
            &[ready("10.180.0.4"), ready("10.180.0.5")],
        );
        let rules = ProxyRules::compute(&kubernetes_test_config(), &[svc], &[eps]);
        let want = r#"*filter
:KUBE-NODEPORTS - [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-EXTERNAL-SERVICES - [0:0]
:KUBE-FIREWALL - [0:0]
:KUBE-FORWARD - [0:0]
:KUBE-PROXY-FIREWALL - [0:0]
-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
-A KUBE-FORWARD -m conntrack --ctstate INVALID -m nfacct --nfacct-name ct_state_invalid_dropped_pkts -j DROP
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
COMMIT
*nat
:KUBE-NODEPORTS - [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-SEP-C6EBXVWJJZMIWKLZ - [0:0]
:KUBE-SEP-UKSFD7AGPMPPLUHC - [0:0]
:KUBE-SVC-4SW47YFZTEDKD3PK - [0:0]
-A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 -j KUBE-SVC-4SW47YFZTEDKD3PK
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE
-A KUBE-SEP-C6EBXVWJJZMIWKLZ -m comment --comment ns4/svc4:p80 -s 10.180.0.5 -j KUBE-MARK-MASQ
-A KUBE-SEP-C6EBXVWJJZMIWKLZ -m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.5:80
-A KUBE-SEP-UKSFD7AGPMPPLUHC -m comment --comment ns4/svc4:p80 -s 10.180.0.4 -j KUBE-MARK-MASQ
-A KUBE-SEP-UKSFD7AGPMPPLUHC -m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.4:80
-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.4:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-UKSFD7AGPMPPLUHC
-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.5:80" -j KUBE-SEP-C6EBXVWJJZMIWKLZ
COMMIT
"#;
        assert_eq!(rules.iptables_save(), want);
    }

    fn svc_chain_lines(n: usize) -> Vec<String> {
        let svc = service("default", "web", "10.96.10.10", &[("http", 80)]);
        let ips: Vec<String> = (0..n).map(|i| format!("10.244.1.{}", i + 2)).collect();
        let eps: Vec<_> = ips.iter().map(|ip| ready(ip)).collect();
        let slice = slice("default", "web", &[("http", 8080)], &eps);
        let rules = ProxyRules::compute(&ProxyConfig::new("n", vec![]), &[svc], &[slice]);
        let chain = rules.service_ports[0].cluster_chain.clone();
        rules
            .iptables_save()
            .lines()
            .filter(|l| l.starts_with(&format!("-A {chain} ")) && l.contains("KUBE-SEP-"))
            .map(|l| {
                l.split_once("--probability ")
                    .map(|(_, rest)| rest.split(' ').next().unwrap_or("").to_string())
                    .unwrap_or_else(|| "(none)".to_string())
            })
            .collect()
    }

    #[test]
    fn probabilities_for_one_to_four_endpoints_end_with_an_unconditional_rule() {
        assert_eq!(svc_chain_lines(1), ["(none)"]);
        assert_eq!(svc_chain_lines(2), ["0.5000000000", "(none)"]);
        assert_eq!(
            svc_chain_lines(3),
            ["0.3333333333", "0.5000000000", "(none)"]
        );
        assert_eq!(
            svc_chain_lines(4),
            ["0.2500000000", "0.3333333333", "0.5000000000", "(none)"]
        );
    }

    #[test]
    fn a_service_without_endpoints_is_rejected_in_the_filter_table() {
        let svc = service("ns6", "svc6", "172.30.0.46", &[("p80", 80)]);
        let text = ProxyRules::compute(&kubernetes_test_config(), &[svc], &[]).iptables_save();
        assert!(text.contains(
            "-A KUBE-SERVICES -m comment --comment \"ns6/svc6:p80 has no endpoints\" -m tcp -p tcp -d 172.30.0.46 --dport 80 -j REJECT\n"
        ));
        assert!(!text.contains("KUBE-SVC-"));
    }

    #[test]
    fn node_ports_and_client_ip_affinity_render_like_kube_proxy() {
        let mut svc = service("ns5", "svc5", "172.30.0.45", &[("p80", 80)]);
        if let Some(spec) = svc.spec.as_mut() {
            spec.type_ = Some("NodePort".into());
            spec.session_affinity = Some("ClientIP".into());
            if let Some(p) = spec.ports.as_mut().and_then(|p| p.first_mut()) {
                p.node_port = Some(3002);
            }
        }
        let eps = slice("ns5", "svc5", &[("p80", 80)], &[ready("10.180.0.3")]);
        let text = ProxyRules::compute(&kubernetes_test_config(), &[svc], &[eps]).iptables_save();
        for line in [
            "-A KUBE-NODEPORTS -m comment --comment ns5/svc5:p80 -m tcp -p tcp -d 127.0.0.0/8 --dport 3002 -m nfacct --nfacct-name localhost_nps_accepted_pkts -j KUBE-EXT-NUKIZ6OKUXPJNT4C",
            "-A KUBE-NODEPORTS -m comment --comment ns5/svc5:p80 -m tcp -p tcp --dport 3002 -j KUBE-EXT-NUKIZ6OKUXPJNT4C",
            "-A KUBE-EXT-NUKIZ6OKUXPJNT4C -m comment --comment \"masquerade traffic for ns5/svc5:p80 external destinations\" -j KUBE-MARK-MASQ",
            "-A KUBE-EXT-NUKIZ6OKUXPJNT4C -j KUBE-SVC-NUKIZ6OKUXPJNT4C",
            "-A KUBE-SEP-I77PXRDZVX7PMWMN -m comment --comment ns5/svc5:p80 -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --set -m tcp -p tcp -j DNAT --to-destination 10.180.0.3:80",
            "-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment \"ns5/svc5:p80 -> 10.180.0.3:80\" -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --rcheck --seconds 10800 --reap -j KUBE-SEP-I77PXRDZVX7PMWMN",
            "-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment \"ns5/svc5:p80 -> 10.180.0.3:80\" -j KUBE-SEP-I77PXRDZVX7PMWMN",
        ] {
            assert!(text.contains(&format!("{line}\n")), "missing {line}\nin\n{text}");
        }
    }
}
