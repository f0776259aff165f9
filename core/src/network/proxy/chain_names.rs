//! kube-proxy's iptables chain names.
//!
//! iptables chain names are limited to 28 characters, so kube-proxy names a service port's
//! chains by a hash: SHA-256 of the service port name (`ns/svc:port`) followed by the
//! lower-case protocol (and, for an endpoint chain, the endpoint `ip:port`), encoded with
//! standard base32 and cut to 16 characters (`portProtoHash` / `servicePortEndpointChainName`
//! in `pkg/proxy/iptables/proxier.go`). The prefixes say what the chain does.

use sha2::{Digest, Sha256};

/// `KUBE-SVC-`: dispatches a service port's traffic over its endpoints (`Cluster` policy).
pub const SERVICE_CHAIN_PREFIX: &str = "KUBE-SVC-";
/// `KUBE-SVL-`: dispatches over this node's endpoints only (`Local` policy).
pub const SERVICE_LOCAL_CHAIN_PREFIX: &str = "KUBE-SVL-";
/// `KUBE-EXT-`: where NodePort / external IP traffic enters before its policy chain.
pub const SERVICE_EXTERNAL_CHAIN_PREFIX: &str = "KUBE-EXT-";
/// `KUBE-FW-`: load balancer source range filtering.
pub const SERVICE_FIREWALL_CHAIN_PREFIX: &str = "KUBE-FW-";
/// `KUBE-SEP-`: one endpoint's DNAT.
pub const SERVICE_ENDPOINT_CHAIN_PREFIX: &str = "KUBE-SEP-";

const BASE32_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// The first 16 characters of the standard (RFC 4648) base32 encoding of SHA-256(`input`).
fn hash16(input: &str) -> String {
    let digest = Sha256::digest(input.as_bytes());
    // 16 base32 characters are 80 bits: the first 10 bytes of the digest.
    let mut bits: u128 = 0;
    for byte in digest.iter().take(10) {
        bits = (bits << 8) | u128::from(*byte);
    }
    (0..16)
        .rev()
        .map(|i| {
            let index = ((bits >> (i * 5)) & 0x1f) as usize;
            char::from(BASE32_ALPHABET.get(index).copied().unwrap_or(b'A'))
        })
        .collect()
}

/// `portProtoHash`: the 16-character hash shared by a service port's SVC/SVL/EXT/FW chains.
pub fn port_proto_hash(service_port_name: &str, protocol: &str) -> String {
    hash16(&format!("{service_port_name}{protocol}"))
}

/// `KUBE-SVC-…` for `ns/svc:port` and a lower-case protocol (`tcp`).
pub fn service_chain(service_port_name: &str, protocol: &str) -> String {
    format!(
        "{SERVICE_CHAIN_PREFIX}{}",
        port_proto_hash(service_port_name, protocol)
    )
}

/// `KUBE-SVL-…` for `ns/svc:port` and a lower-case protocol.
pub fn service_local_chain(service_port_name: &str, protocol: &str) -> String {
    format!(
        "{SERVICE_LOCAL_CHAIN_PREFIX}{}",
        port_proto_hash(service_port_name, protocol)
    )
}

/// `KUBE-EXT-…` for `ns/svc:port` and a lower-case protocol.
pub fn service_external_chain(service_port_name: &str, protocol: &str) -> String {
    format!(
        "{SERVICE_EXTERNAL_CHAIN_PREFIX}{}",
        port_proto_hash(service_port_name, protocol)
    )
}

/// `KUBE-FW-…` for `ns/svc:port` and a lower-case protocol.
pub fn service_firewall_chain(service_port_name: &str, protocol: &str) -> String {
    format!(
        "{SERVICE_FIREWALL_CHAIN_PREFIX}{}",
        port_proto_hash(service_port_name, protocol)
    )
}

/// `KUBE-SEP-…` for `ns/svc:port`, a lower-case protocol and the endpoint's `ip:port`.
pub fn service_endpoint_chain(service_port_name: &str, protocol: &str, endpoint: &str) -> String {
    format!(
        "{SERVICE_ENDPOINT_CHAIN_PREFIX}{}",
        hash16(&format!("{service_port_name}{protocol}{endpoint}"))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_names_match_the_ones_in_kubernetes_proxier_tests() {
        // Expected values from pkg/proxy/iptables/proxier_test.go (TestOverallIPTablesRules).
        let cases = [
            (
                service_chain("ns1/svc1:p80", "tcp"),
                "KUBE-SVC-XPGD46QRK7WJZT7O",
            ),
            (
                service_chain("ns2/svc2:p80", "tcp"),
                "KUBE-SVC-GNZBNJ2PO5MGZ6GT",
            ),
            (
                service_chain("ns3/svc3:p80", "tcp"),
                "KUBE-SVC-X27LE4BHSL4DOUIK",
            ),
            (
                service_chain("ns4/svc4:p80", "tcp"),
                "KUBE-SVC-4SW47YFZTEDKD3PK",
            ),
            (
                service_external_chain("ns5/svc5:p80", "tcp"),
                "KUBE-EXT-NUKIZ6OKUXPJNT4C",
            ),
            (
                service_firewall_chain("ns5/svc5:p80", "tcp"),
                "KUBE-FW-NUKIZ6OKUXPJNT4C",
            ),
            (
                service_local_chain("ns1/svc1:p80", "tcp"),
                "KUBE-SVL-XPGD46QRK7WJZT7O",
            ),
            (
                service_endpoint_chain("ns1/svc1:p80", "tcp", "10.180.0.1:80"),
                "KUBE-SEP-SXIVWICOYRO3J4NJ",
            ),
            (
                service_endpoint_chain("ns4/svc4:p80", "tcp", "10.180.0.4:80"),
                "KUBE-SEP-UKSFD7AGPMPPLUHC",
            ),
            (
                service_endpoint_chain("ns4/svc4:p80", "tcp", "10.180.0.5:80"),
                "KUBE-SEP-C6EBXVWJJZMIWKLZ",
            ),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
        }
    }

    #[test]
    fn chain_names_match_a_kubeadm_cluster_for_the_kubernetes_and_dns_services() {
        // As seen in `iptables-save` on any kubeadm cluster.
        assert_eq!(
            service_chain("default/kubernetes:https", "tcp"),
            "KUBE-SVC-NPX46M4PTMTKRN6Y"
        );
        assert_eq!(
            service_chain("kube-system/kube-dns:dns", "udp"),
            "KUBE-SVC-TCOU7JCQXEZGVUNU"
        );
        assert_eq!(
            service_chain("kube-system/kube-dns:dns-tcp", "tcp"),
            "KUBE-SVC-ERIFXISQEP7F7OF4"
        );
    }
}
