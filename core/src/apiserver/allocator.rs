//! The Service registry's allocations: ClusterIPs from the service CIDR (10.96.0.0/12) and
//! NodePorts from 30000–32767.
//!
//! This is the API server's bookkeeping only — which addresses and ports are taken — with
//! Kubernetes' error texts. Addresses are handed out in order from the bottom of the range,
//! skipping the network address and `10.96.0.1` (the `kubernetes` Service's), which keeps
//! lessons readable. It is rebuilt from the stored Services when a server starts.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use k8s_openapi::api::core::v1::Service;

/// The service CIDR's first address.
const SERVICE_NET: u32 = u32::from_be_bytes([10, 96, 0, 0]);
/// The service CIDR's prefix length (/12).
const SERVICE_PREFIX_LEN: u32 = 12;
/// The NodePort range.
pub const NODE_PORT_RANGE: std::ops::RangeInclusive<i32> = 30000..=32767;

fn service_range_size() -> u32 {
    1u32 << (32 - SERVICE_PREFIX_LEN)
}

/// Why an allocation failed: the field error detail Kubernetes gives.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AllocationError {
    /// A requested ClusterIP is outside the service CIDR.
    #[error("failed to allocate IP {0}: provided IP is not in the valid range. The range of valid IPs is 10.96.0.0/12")]
    IpNotInRange(String),
    /// A requested ClusterIP is taken.
    #[error("failed to allocate IP {0}: provided IP is already allocated")]
    IpAllocated(String),
    /// A requested ClusterIP does not parse.
    #[error("must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")]
    IpInvalid(String),
    /// Every ClusterIP is taken.
    #[error("range is full")]
    IpRangeFull,
    /// A requested NodePort is outside the range.
    #[error("provided port is not in the valid range. The range of valid ports is 30000-32767")]
    PortNotInRange(i32),
    /// A requested NodePort is taken.
    #[error("provided port is already allocated")]
    PortAllocated(i32),
    /// Every NodePort is taken.
    #[error("range is full")]
    PortRangeFull,
}

/// Which ClusterIPs and NodePorts are in use.
#[derive(Clone, Debug, Default)]
pub struct ServiceAllocator {
    ips: BTreeSet<u32>,
    node_ports: BTreeSet<i32>,
}

impl ServiceAllocator {
    /// Records a stored Service's allocations (at start-up).
    pub fn mark_in_use(&mut self, service: &Service) {
        let Some(spec) = &service.spec else { return };
        if let Some(ip) = spec
            .cluster_ip
            .as_deref()
            .and_then(|ip| ip.parse::<Ipv4Addr>().ok())
        {
            self.ips.insert(u32::from(ip));
        }
        for port in spec.ports.iter().flatten() {
            if let Some(node_port) = port.node_port {
                self.node_ports.insert(node_port);
            }
        }
    }

    /// Takes a requested ClusterIP, or the next free one when `requested` is None.
    pub fn allocate_ip(&mut self, requested: Option<&str>) -> Result<String, AllocationError> {
        match requested {
            Some(text) => {
                let ip: Ipv4Addr = text
                    .parse()
                    .map_err(|_| AllocationError::IpInvalid(text.to_string()))?;
                let n = u32::from(ip);
                let offset = n.wrapping_sub(SERVICE_NET);
                if n < SERVICE_NET || offset >= service_range_size() {
                    return Err(AllocationError::IpNotInRange(text.to_string()));
                }
                if !self.ips.insert(n) {
                    return Err(AllocationError::IpAllocated(text.to_string()));
                }
                Ok(text.to_string())
            }
            None => {
                // Skip the network address and .1 (reserved for `kubernetes`), and the
                // broadcast address at the top.
                let first = SERVICE_NET + 2;
                let last = SERVICE_NET + service_range_size() - 2;
                let free = (first..=last)
                    .find(|n| !self.ips.contains(n))
                    .ok_or(AllocationError::IpRangeFull)?;
                self.ips.insert(free);
                Ok(Ipv4Addr::from(free).to_string())
            }
        }
    }

    /// Takes a requested NodePort, or the next free one when `requested` is None.
    pub fn allocate_node_port(&mut self, requested: Option<i32>) -> Result<i32, AllocationError> {
        match requested {
            Some(port) => {
                if !NODE_PORT_RANGE.contains(&port) {
                    return Err(AllocationError::PortNotInRange(port));
                }
                if !self.node_ports.insert(port) {
                    return Err(AllocationError::PortAllocated(port));
                }
                Ok(port)
            }
            None => {
                let free = NODE_PORT_RANGE
                    .clone()
                    .find(|p| !self.node_ports.contains(p))
                    .ok_or(AllocationError::PortRangeFull)?;
                self.node_ports.insert(free);
                Ok(free)
            }
        }
    }

    /// Gives back NodePorts (a Service update that dropped them, or one that failed).
    pub fn release_node_ports(&mut self, ports: &[i32]) {
        for port in ports {
            self.node_ports.remove(port);
        }
    }

    /// Gives back a Service's ClusterIP and NodePorts (on delete, or when a create fails).
    pub fn release(&mut self, service: &Service) {
        let Some(spec) = &service.spec else { return };
        if let Some(ip) = spec
            .cluster_ip
            .as_deref()
            .and_then(|ip| ip.parse::<Ipv4Addr>().ok())
        {
            self.ips.remove(&u32::from(ip));
        }
        for port in spec.ports.iter().flatten() {
            if let Some(node_port) = port.node_port {
                self.node_ports.remove(&node_port);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_ips_come_in_order_after_the_kubernetes_service() {
        let mut a = ServiceAllocator::default();
        assert_eq!(a.allocate_ip(Some("10.96.0.1")).unwrap(), "10.96.0.1");
        assert_eq!(a.allocate_ip(None).unwrap(), "10.96.0.2");
        assert_eq!(a.allocate_ip(None).unwrap(), "10.96.0.3");
    }

    #[test]
    fn requested_cluster_ips_must_be_free_and_in_range() {
        let mut a = ServiceAllocator::default();
        a.allocate_ip(Some("10.96.5.5")).unwrap();
        assert_eq!(
            a.allocate_ip(Some("10.96.5.5")).unwrap_err().to_string(),
            "failed to allocate IP 10.96.5.5: provided IP is already allocated"
        );
        assert_eq!(
            a.allocate_ip(Some("10.112.0.1")).unwrap_err().to_string(),
            "failed to allocate IP 10.112.0.1: provided IP is not in the valid range. The range of valid IPs is 10.96.0.0/12"
        );
    }

    #[test]
    fn node_ports_stay_in_their_range() {
        let mut a = ServiceAllocator::default();
        assert_eq!(a.allocate_node_port(None).unwrap(), 30000);
        assert_eq!(a.allocate_node_port(Some(30080)).unwrap(), 30080);
        assert!(matches!(
            a.allocate_node_port(Some(30080)),
            Err(AllocationError::PortAllocated(30080))
        ));
        assert!(matches!(
            a.allocate_node_port(Some(80)),
            Err(AllocationError::PortNotInRange(80))
        ));
        let service: Service = serde_json::from_value(serde_json::json!({
            "spec": {"ports": [{"port": 80, "nodePort": 30000}]}
        }))
        .unwrap();
        a.release(&service);
        assert_eq!(a.allocate_node_port(None).unwrap(), 30000);
    }
}
