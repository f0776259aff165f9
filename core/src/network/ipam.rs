//! IP address management, the four allocators a cluster runs:
//!
//! - [`ClusterCidrAllocator`]: kube-controller-manager's range allocator. It cuts the
//!   cluster CIDR (`--cluster-cidr`, default here 10.244.0.0/16) into one block per node
//!   (`--node-cidr-mask-size`, default /24) and writes it to `node.spec.podCIDR`. Like
//!   Kubernetes' `cidrset`, it hands out the next free block after the last one it gave,
//!   wrapping around, and says `CIDR allocation failed; there are no remaining CIDRs left to
//!   allocate in the accepted range` when all are taken (the node then gets a
//!   `CIDRNotAvailable` event and no podCIDR).
//! - [`HostLocalIpam`]: what the `host-local` CNI plugin does on each node with that
//!   podCIDR: the gateway is `.1`, pods get `.2`, `.3`, … up to `.254`, continuing after the
//!   last address it reserved (so a freed address is only reused after the range wraps).
//! - [`ServiceIpAllocator`]: the API server's ClusterIP allocator over the service CIDR
//!   (default 10.96.0.0/12). Requested IPs are checked and taken as is; dynamic ones are
//!   drawn at random, preferring the upper band so the lower band stays free for static
//!   assignment (KEP-3070, `min(max(16, size/16), 256)` addresses). 10.96.0.1 — the first
//!   address — is the `kubernetes` Service's.
//! - [`NodePortAllocator`]: the same scheme over the NodePort range 30000-32767 (KEP-3668,
//!   `min(max(16, size/32), 128)` ports in the static band).
//!
//! All state is in memory and all randomness comes from the `RngCore` the caller passes in,
//! so the same seed gives the same addresses on every host.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::Ipv4Addr;

use rand_core::RngCore;

use super::cidr::Ipv4Cidr;

/// The cluster CIDR kubeplay uses when none is configured (flannel's and kubeadm guides').
pub const DEFAULT_CLUSTER_CIDR: &str = "10.244.0.0/16";
/// kube-controller-manager's default `--node-cidr-mask-size` for IPv4.
pub const DEFAULT_NODE_CIDR_MASK_SIZE: u8 = 24;
/// The widest cluster CIDR [`default_cluster_cidr_for`] grows to: 10.128.0.0/9 holds 32,768
/// podCIDRs of /24 and stays clear of the 10.96.0.0/12 service range (a /8 would overlap it).
pub const WIDEST_DEFAULT_CLUSTER_PREFIX: u8 = 9;

/// The cluster CIDR for a cluster of `nodes` nodes when none is configured:
/// [`DEFAULT_CLUSTER_CIDR`] (256 podCIDRs of /24), widened one bit at a time (10.244.0.0/15,
/// /14, 10.240.0.0/13, … up to 10.128.0.0/9) until it holds every node. Each widened range
/// contains the narrower ones, so a cluster that grows keeps the podCIDRs it gave out.
/// Clusters past 32,768 nodes get the /9: the nodes beyond it get no podCIDR.
pub fn default_cluster_cidr_for(nodes: usize) -> Ipv4Cidr {
    let mut cidr: Ipv4Cidr = DEFAULT_CLUSTER_CIDR
        .parse()
        .unwrap_or_else(|_| unreachable!("the default cluster CIDR parses"));
    while node_block_count(cidr) < nodes as u64 && cidr.prefix_len() > WIDEST_DEFAULT_CLUSTER_PREFIX
    {
        match Ipv4Cidr::new(cidr.network(), cidr.prefix_len() - 1) {
            Some(wider) => cidr = wider,
            None => break,
        }
    }
    cidr
}

/// How many podCIDRs of the default node mask size (/24) `cidr` holds (0 when the mask is
/// narrower than `cidr` itself).
pub fn node_block_count(cidr: Ipv4Cidr) -> u64 {
    cidr.subnet_count(DEFAULT_NODE_CIDR_MASK_SIZE).unwrap_or(0)
}

/// Whether `cidr` is wider than [`DEFAULT_CLUSTER_CIDR`] (a default widened for a big cluster).
pub fn is_wider_than_default(cidr: Ipv4Cidr) -> bool {
    DEFAULT_CLUSTER_CIDR
        .parse::<Ipv4Cidr>()
        .is_ok_and(|default| cidr.prefix_len() < default.prefix_len())
}

/// kube-apiserver's default `--service-cluster-ip-range` in kubeadm clusters.
pub const DEFAULT_SERVICE_CIDR: &str = "10.96.0.0/12";
/// The first port of kube-apiserver's default `--service-node-port-range` (30000-32767).
pub const DEFAULT_NODE_PORT_BASE: u16 = 30000;
/// How many ports the default NodePort range holds (30000-32767).
pub const DEFAULT_NODE_PORT_SIZE: u16 = 2768;
/// The event reason the node IPAM controller records when a node gets no podCIDR.
pub const CIDR_NOT_AVAILABLE_REASON: &str = "CIDRNotAvailable";
/// Kubernetes' `cidrset` refuses more than 2^16 node blocks per cluster CIDR.
const CLUSTER_SUBNET_MAX_DIFF: u8 = 16;

/// The message of the `CIDRNotAvailable` event the node IPAM controller records on a node.
pub fn cidr_not_available_message(node_name: &str) -> String {
    format!("Node {node_name} status is now: {CIDR_NOT_AVAILABLE_REASON}")
}

/// A uniform draw in `0..bound` (`bound > 0`), without modulo bias.
pub(crate) fn uniform_below(rng: &mut impl RngCore, bound: u64) -> u64 {
    if bound <= 1 {
        return 0;
    }
    let zone = u64::MAX - (u64::MAX % bound);
    loop {
        let draw = rng.next_u64();
        if draw < zone {
            return draw % bound;
        }
    }
}

// ---------------------------------------------------------------------------------------
// Node podCIDRs
// ---------------------------------------------------------------------------------------

/// Errors of the node podCIDR allocator, with `cidrset`'s texts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CidrSetError {
    /// Every node block of the cluster CIDR is taken.
    #[error("CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range")]
    NoCidrsRemaining,
    /// The node mask is more than 16 bits longer than the cluster mask (or shorter).
    #[error("New CIDR set failed; the node CIDR size is too big")]
    SubnetTooBig,
    /// A block handed back or marked as used is not one of this allocator's blocks.
    #[error("CIDR {cidr} is not a /{node_mask_size} block of the cluster CIDR {cluster_cidr}")]
    NotInClusterCidr {
        /// The block that was given.
        cidr: Ipv4Cidr,
        /// The cluster CIDR.
        cluster_cidr: Ipv4Cidr,
        /// The node mask size.
        node_mask_size: u8,
    },
}

/// Hands out one podCIDR block per node from the cluster CIDR, as kube-controller-manager's
/// range allocator (`cidrset`) does.
#[derive(Debug, Clone)]
pub struct ClusterCidrAllocator {
    cluster_cidr: Ipv4Cidr,
    node_mask_size: u8,
    max_cidrs: u64,
    used: BTreeSet<u64>,
    next_candidate: u64,
}

impl ClusterCidrAllocator {
    /// An allocator cutting `cluster_cidr` into `/node_mask_size` blocks.
    pub fn new(cluster_cidr: Ipv4Cidr, node_mask_size: u8) -> Result<Self, CidrSetError> {
        if node_mask_size < cluster_cidr.prefix_len()
            || node_mask_size - cluster_cidr.prefix_len() > CLUSTER_SUBNET_MAX_DIFF
        {
            return Err(CidrSetError::SubnetTooBig);
        }
        let max_cidrs = cluster_cidr
            .subnet_count(node_mask_size)
            .ok_or(CidrSetError::SubnetTooBig)?;
        Ok(Self {
            cluster_cidr,
            node_mask_size,
            max_cidrs,
            used: BTreeSet::new(),
            next_candidate: 0,
        })
    }

    /// The cluster CIDR this allocator cuts.
    pub fn cluster_cidr(&self) -> Ipv4Cidr {
        self.cluster_cidr
    }

    /// The prefix length of each node's block.
    pub fn node_mask_size(&self) -> u8 {
        self.node_mask_size
    }

    /// How many node blocks the cluster CIDR holds (256 for a /16 cut into /24s).
    pub fn capacity(&self) -> u64 {
        self.max_cidrs
    }

    /// How many node blocks are in use.
    pub fn allocated_count(&self) -> u64 {
        self.used.len() as u64
    }

    /// The next free block after the last one handed out, wrapping around.
    pub fn allocate_next(&mut self) -> Result<Ipv4Cidr, CidrSetError> {
        let found = (0..self.max_cidrs)
            .map(|i| (i + self.next_candidate) % self.max_cidrs)
            .find(|candidate| !self.used.contains(candidate))
            .ok_or(CidrSetError::NoCidrsRemaining)?;
        self.used.insert(found);
        self.next_candidate = (found + 1) % self.max_cidrs;
        self.cluster_cidr
            .subnet(self.node_mask_size, found)
            .ok_or(CidrSetError::NoCidrsRemaining)
    }

    /// Marks a block a node already has (for example after a restart) as used.
    pub fn occupy(&mut self, cidr: Ipv4Cidr) -> Result<(), CidrSetError> {
        let index = self.index_of(cidr)?;
        self.used.insert(index);
        Ok(())
    }

    /// Gives a deleted node's block back.
    pub fn release(&mut self, cidr: Ipv4Cidr) -> Result<(), CidrSetError> {
        let index = self.index_of(cidr)?;
        self.used.remove(&index);
        Ok(())
    }

    fn index_of(&self, cidr: Ipv4Cidr) -> Result<u64, CidrSetError> {
        let not_ours = || CidrSetError::NotInClusterCidr {
            cidr,
            cluster_cidr: self.cluster_cidr,
            node_mask_size: self.node_mask_size,
        };
        if cidr.prefix_len() != self.node_mask_size {
            return Err(not_ours());
        }
        self.cluster_cidr.subnet_index(&cidr).ok_or_else(not_ours)
    }
}

// ---------------------------------------------------------------------------------------
// Pod IPs on a node (host-local)
// ---------------------------------------------------------------------------------------

/// Errors of the per-node pod IP allocator, with the host-local CNI plugin's texts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostLocalError {
    /// Every address of the node's range is taken.
    #[error("failed to allocate for range 0: no IP addresses available in range set: {range_start}-{range_end}")]
    NoAddressesAvailable {
        /// First address of the range (`.1`).
        range_start: Ipv4Addr,
        /// Last address of the range (`.254` for a /24).
        range_end: Ipv4Addr,
    },
    /// The container (pod sandbox) already holds an address.
    #[error("{ip} has been allocated to {id}, duplicate allocation is not allowed")]
    DuplicateAllocation {
        /// The address it holds.
        ip: Ipv4Addr,
        /// The container ID.
        id: String,
    },
    /// The podCIDR is too small to hold a gateway and one pod.
    #[error("podCIDR {0} is too small: it needs room for a gateway and at least one pod")]
    RangeTooSmall(Ipv4Cidr),
    /// A requested address is outside the node's range.
    #[error("{ip} not in range set {range_start}-{range_end}")]
    NotInRange {
        /// The requested address.
        ip: Ipv4Addr,
        /// First address of the range.
        range_start: Ipv4Addr,
        /// Last address of the range.
        range_end: Ipv4Addr,
    },
    /// A requested address is the gateway's.
    #[error("requested ip {0} is subnet's gateway")]
    GatewayRequested(Ipv4Addr),
    /// A requested address is held by another container.
    #[error("requested IP address {ip} is not available in range set {range_start}-{range_end}")]
    NotAvailable {
        /// The requested address.
        ip: Ipv4Addr,
        /// First address of the range.
        range_start: Ipv4Addr,
        /// Last address of the range.
        range_end: Ipv4Addr,
    },
}

/// Pod IPs on one node, allocated from its podCIDR as the `host-local` IPAM plugin does.
#[derive(Debug, Clone)]
pub struct HostLocalIpam {
    pod_cidr: Ipv4Cidr,
    range_start: Ipv4Addr,
    range_end: Ipv4Addr,
    gateway: Ipv4Addr,
    /// The addresses held.
    held: BTreeSet<Ipv4Addr>,
    /// The address each container (pod sandbox) holds: its id is kept once, here.
    by_id: BTreeMap<Box<str>, Ipv4Addr>,
    last_reserved: Option<Ipv4Addr>,
}

impl HostLocalIpam {
    /// An allocator over `pod_cidr` with host-local's defaults: range `.1`-`.254` (network
    /// plus one to broadcast minus one), gateway `.1`.
    pub fn new(pod_cidr: Ipv4Cidr) -> Result<Self, HostLocalError> {
        if pod_cidr.size() < 4 {
            return Err(HostLocalError::RangeTooSmall(pod_cidr));
        }
        let range_start = pod_cidr
            .nth(1)
            .ok_or(HostLocalError::RangeTooSmall(pod_cidr))?;
        let range_end = pod_cidr
            .nth(pod_cidr.size() - 2)
            .ok_or(HostLocalError::RangeTooSmall(pod_cidr))?;
        Ok(Self {
            pod_cidr,
            range_start,
            range_end,
            gateway: range_start,
            held: BTreeSet::new(),
            by_id: BTreeMap::new(),
            last_reserved: None,
        })
    }

    /// The node's podCIDR.
    pub fn pod_cidr(&self) -> Ipv4Cidr {
        self.pod_cidr
    }

    /// The gateway address (`.1`), never given to a pod.
    pub fn gateway(&self) -> Ipv4Addr {
        self.gateway
    }

    /// How many pods can hold an address at once (253 for a /24).
    pub fn capacity(&self) -> u64 {
        u64::from(u32::from(self.range_end) - u32::from(self.range_start))
    }

    /// How many addresses are held.
    pub fn allocated_count(&self) -> usize {
        self.held.len()
    }

    /// The address a container holds, if any.
    pub fn address_of(&self, container_id: &str) -> Option<Ipv4Addr> {
        self.by_id.get(container_id).copied()
    }

    /// Reserves the next free address after the last one reserved, wrapping at the end.
    pub fn allocate(&mut self, container_id: &str) -> Result<Ipv4Addr, HostLocalError> {
        if let Some(ip) = self.by_id.get(container_id) {
            return Err(HostLocalError::DuplicateAllocation {
                ip: *ip,
                id: container_id.to_string(),
            });
        }
        let start = u32::from(self.range_start);
        let end = u32::from(self.range_end);
        let span = end - start + 1;
        // host-local starts after the last reserved address, or at the range start.
        let first = match self.last_reserved {
            Some(last) if u32::from(last) >= start && u32::from(last) < end => {
                u32::from(last) + 1 - start
            }
            _ => 0,
        };
        let free = (0..span)
            .map(|i| Ipv4Addr::from(start + (first + i) % span))
            .find(|ip| *ip != self.gateway && !self.held.contains(ip))
            .ok_or(HostLocalError::NoAddressesAvailable {
                range_start: self.range_start,
                range_end: self.range_end,
            })?;
        self.held.insert(free);
        self.by_id.insert(Box::from(container_id), free);
        self.last_reserved = Some(free);
        Ok(free)
    }

    /// Reserves a given address for a container, as host-local does for a requested IP; a
    /// restarted node uses it to take back the addresses its stored pods hold. Later
    /// allocations continue after the highest address reserved so far.
    pub fn reserve(&mut self, container_id: &str, ip: Ipv4Addr) -> Result<(), HostLocalError> {
        if let Some(held) = self.by_id.get(container_id) {
            return Err(HostLocalError::DuplicateAllocation {
                ip: *held,
                id: container_id.to_string(),
            });
        }
        let (range_start, range_end) = (self.range_start, self.range_end);
        if ip < range_start || ip > range_end {
            return Err(HostLocalError::NotInRange {
                ip,
                range_start,
                range_end,
            });
        }
        if ip == self.gateway {
            return Err(HostLocalError::GatewayRequested(ip));
        }
        if self.held.contains(&ip) {
            return Err(HostLocalError::NotAvailable {
                ip,
                range_start,
                range_end,
            });
        }
        self.held.insert(ip);
        self.by_id.insert(Box::from(container_id), ip);
        if self.last_reserved.is_none_or(|last| last < ip) {
            self.last_reserved = Some(ip);
        }
        Ok(())
    }

    /// Releases whatever address the container holds; releasing twice is harmless (as CNI DEL).
    pub fn release(&mut self, container_id: &str) -> Option<Ipv4Addr> {
        let ip = self.by_id.remove(container_id)?;
        self.held.remove(&ip);
        Some(ip)
    }
}

// ---------------------------------------------------------------------------------------
// The banded bitmap behind ClusterIPs and NodePorts
// ---------------------------------------------------------------------------------------

/// A set of `size` slots whose first `offset` slots form the static band: dynamic
/// allocation starts at a random slot of the upper band and scans forward (wrapping inside
/// the band); only when that band is full does it try the lower band the same way.
#[derive(Debug, Clone)]
struct BandedRange {
    size: u64,
    offset: u64,
    used: BTreeSet<u64>,
}

impl BandedRange {
    fn new(size: u64, offset: u64) -> Self {
        Self {
            size,
            offset: offset.min(size),
            used: BTreeSet::new(),
        }
    }

    fn take(&mut self, slot: u64) -> bool {
        self.used.insert(slot)
    }

    fn free(&mut self, slot: u64) -> bool {
        self.used.remove(&slot)
    }

    fn take_next(&mut self, rng: &mut impl RngCore) -> Option<u64> {
        if self.used.len() as u64 >= self.size {
            return None;
        }
        let upper = self.size - self.offset;
        if upper > 0 {
            let start = uniform_below(rng, upper);
            if let Some(slot) = self.scan(self.offset, upper, start) {
                return Some(slot);
            }
        }
        if self.offset > 0 {
            let start = uniform_below(rng, self.offset);
            return self.scan(0, self.offset, start);
        }
        None
    }

    fn scan(&mut self, base: u64, len: u64, start: u64) -> Option<u64> {
        let found = (0..len)
            .map(|i| base + (start + i) % len)
            .find(|slot| !self.used.contains(slot))?;
        self.used.insert(found);
        Some(found)
    }
}

// ---------------------------------------------------------------------------------------
// ClusterIPs
// ---------------------------------------------------------------------------------------

/// Errors of the ClusterIP allocator, with kube-apiserver's texts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceIpError {
    /// The requested IP is outside the service CIDR (or is its network/broadcast address).
    #[error(
        "the provided IP ({ip}) is not in the valid range. The range of valid IPs is {valid_range}"
    )]
    NotInRange {
        /// The requested IP.
        ip: Ipv4Addr,
        /// The service CIDR.
        valid_range: Ipv4Cidr,
    },
    /// The requested IP belongs to another Service.
    #[error("provided IP is already allocated")]
    Allocated,
    /// No address is left.
    #[error("range is full")]
    Full,
}

/// Allocates Service ClusterIPs from the service CIDR as kube-apiserver does.
#[derive(Debug, Clone)]
pub struct ServiceIpAllocator {
    cidr: Ipv4Cidr,
    range: BandedRange,
}

impl ServiceIpAllocator {
    /// An allocator over `cidr`; its usable addresses exclude the network and broadcast
    /// addresses, and the static band is `min(max(16, size/16), 256)` addresses.
    pub fn new(cidr: Ipv4Cidr) -> Self {
        let usable = cidr.size().saturating_sub(2);
        Self {
            cidr,
            range: BandedRange::new(usable, service_ip_range_offset(cidr.size())),
        }
    }

    /// The service CIDR.
    pub fn cidr(&self) -> Ipv4Cidr {
        self.cidr
    }

    /// The `kubernetes` Service's ClusterIP: the first usable address (10.96.0.1).
    pub fn kubernetes_service_ip(&self) -> Option<Ipv4Addr> {
        self.cidr.nth(1)
    }

    /// The last address of the static band (10.96.1.0 for 10.96.0.0/12).
    pub fn static_band_end(&self) -> Option<Ipv4Addr> {
        if self.range.offset == 0 {
            return None;
        }
        self.cidr.nth(self.range.offset)
    }

    /// How many addresses can be allocated in total.
    pub fn capacity(&self) -> u64 {
        self.range.size
    }

    /// How many addresses are allocated.
    pub fn allocated_count(&self) -> u64 {
        self.range.used.len() as u64
    }

    /// Whether `ip` is allocated.
    pub fn is_allocated(&self, ip: Ipv4Addr) -> bool {
        self.slot_of(ip)
            .is_some_and(|slot| self.range.used.contains(&slot))
    }

    /// Takes the requested `ip` (a Service with `spec.clusterIP` set).
    pub fn allocate(&mut self, ip: Ipv4Addr) -> Result<(), ServiceIpError> {
        let slot = self.slot_of(ip).ok_or(ServiceIpError::NotInRange {
            ip,
            valid_range: self.cidr,
        })?;
        if self.range.take(slot) {
            Ok(())
        } else {
            Err(ServiceIpError::Allocated)
        }
    }

    /// Picks a free address, preferring the upper (dynamic) band.
    pub fn allocate_next(&mut self, rng: &mut impl RngCore) -> Result<Ipv4Addr, ServiceIpError> {
        let slot = self.range.take_next(rng).ok_or(ServiceIpError::Full)?;
        self.cidr.nth(slot + 1).ok_or(ServiceIpError::Full)
    }

    /// Gives `ip` back; `false` if it was not allocated or not in range (Kubernetes ignores both).
    pub fn release(&mut self, ip: Ipv4Addr) -> bool {
        self.slot_of(ip).is_some_and(|slot| self.range.free(slot))
    }

    fn slot_of(&self, ip: Ipv4Addr) -> Option<u64> {
        let offset = self.cidr.offset_of(ip)?;
        // Slot 0 is network + 1; the network and broadcast addresses are not usable.
        (offset >= 1 && offset <= self.range.size).then(|| offset - 1)
    }
}

/// KEP-3070's static band size for a service CIDR of `cidr_size` addresses:
/// `min(max(16, cidr_size/16), 256)`, or 0 for ranges of 16 addresses or fewer.
pub fn service_ip_range_offset(cidr_size: u64) -> u64 {
    const MIN: u64 = 16;
    const MAX: u64 = 256;
    const STEP: u64 = 16;
    if cidr_size <= MIN {
        return 0;
    }
    (cidr_size / STEP).clamp(MIN, MAX)
}

// ---------------------------------------------------------------------------------------
// NodePorts
// ---------------------------------------------------------------------------------------

/// A port range such as `30000-32767`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortRange {
    /// The first port.
    pub base: u16,
    /// How many ports the range holds.
    pub size: u16,
}

impl PortRange {
    /// Whether `port` is in the range.
    pub fn contains(&self, port: i32) -> bool {
        let base = i32::from(self.base);
        port >= base && port < base + i32::from(self.size)
    }
}

impl Default for PortRange {
    fn default() -> Self {
        Self {
            base: DEFAULT_NODE_PORT_BASE,
            size: DEFAULT_NODE_PORT_SIZE,
        }
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let last = u32::from(self.base) + u32::from(self.size) - 1;
        write!(f, "{}-{}", self.base, last)
    }
}

/// Errors of the NodePort allocator, with kube-apiserver's texts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NodePortError {
    /// The requested port is outside `--service-node-port-range`.
    #[error("provided port is not in the valid range. The range of valid ports is {valid_ports}")]
    NotInRange {
        /// The range, printed as `30000-32767`.
        valid_ports: PortRange,
    },
    /// The requested port belongs to another Service.
    #[error("provided port is already allocated")]
    Allocated,
    /// No port is left.
    #[error("range is full")]
    Full,
}

/// Allocates NodePorts from `--service-node-port-range` as kube-apiserver does.
#[derive(Debug, Clone)]
pub struct NodePortAllocator {
    ports: PortRange,
    range: BandedRange,
}

impl Default for NodePortAllocator {
    fn default() -> Self {
        Self::new(PortRange::default())
    }
}

impl NodePortAllocator {
    /// An allocator over `ports`; the static band is `min(max(16, size/32), 128)` ports
    /// (86 ports, 30000-30085, for the default range).
    pub fn new(ports: PortRange) -> Self {
        let size = u64::from(ports.size);
        Self {
            ports,
            range: BandedRange::new(size, node_port_range_offset(size)),
        }
    }

    /// The port range.
    pub fn ports(&self) -> PortRange {
        self.ports
    }

    /// The last port of the static band, if there is one.
    pub fn static_band_end(&self) -> Option<u16> {
        let offset = u16::try_from(self.range.offset).ok()?;
        (offset > 0).then(|| self.ports.base + offset - 1)
    }

    /// How many ports are allocated.
    pub fn allocated_count(&self) -> u64 {
        self.range.used.len() as u64
    }

    /// Whether `port` is allocated.
    pub fn is_allocated(&self, port: i32) -> bool {
        self.slot_of(port)
            .is_some_and(|slot| self.range.used.contains(&slot))
    }

    /// Takes the requested `port` (a Service with `nodePort` set).
    pub fn allocate(&mut self, port: i32) -> Result<(), NodePortError> {
        let slot = self.slot_of(port).ok_or(NodePortError::NotInRange {
            valid_ports: self.ports,
        })?;
        if self.range.take(slot) {
            Ok(())
        } else {
            Err(NodePortError::Allocated)
        }
    }

    /// Picks a free port, preferring the upper (dynamic) band.
    pub fn allocate_next(&mut self, rng: &mut impl RngCore) -> Result<i32, NodePortError> {
        let slot = self.range.take_next(rng).ok_or(NodePortError::Full)?;
        let slot = i32::try_from(slot).map_err(|_| NodePortError::Full)?;
        Ok(i32::from(self.ports.base) + slot)
    }

    /// Gives `port` back; `false` if it was not allocated or not in range.
    pub fn release(&mut self, port: i32) -> bool {
        self.slot_of(port).is_some_and(|slot| self.range.free(slot))
    }

    fn slot_of(&self, port: i32) -> Option<u64> {
        self.ports
            .contains(port)
            .then(|| u64::try_from(port - i32::from(self.ports.base)).ok())
            .flatten()
    }
}

/// KEP-3668's static band size for a NodePort range of `range_size` ports:
/// `min(max(16, range_size/32), 128)`, or 0 for ranges of 16 ports or fewer.
pub fn node_port_range_offset(range_size: u64) -> u64 {
    const MIN: u64 = 16;
    const MAX: u64 = 128;
    const STEP: u64 = 32;
    if range_size <= MIN {
        return 0;
    }
    (range_size / STEP).clamp(MIN, MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn the_default_cluster_cidr_widens_one_bit_at_a_time_to_hold_every_node() {
        let cases = [
            (0, "10.244.0.0/16"),
            (256, "10.244.0.0/16"),
            (257, "10.244.0.0/15"),
            (1_000, "10.244.0.0/14"),
            (1_025, "10.240.0.0/13"),
            (4_096, "10.240.0.0/12"),
            (5_000, "10.224.0.0/11"),
            (15_000, "10.192.0.0/10"),
            (32_768, "10.128.0.0/9"),
            (100_000, "10.128.0.0/9"),
        ];
        for (nodes, want) in cases {
            let chosen = default_cluster_cidr_for(nodes);
            assert_eq!(chosen.to_string(), want, "{nodes} nodes");
            assert_eq!(is_wider_than_default(chosen), nodes > 256, "{nodes} nodes");
            if nodes <= 32_768 {
                assert!(node_block_count(chosen) >= nodes as u64, "{nodes} nodes");
            }
        }
        assert_eq!(node_block_count(cidr("10.128.0.0/9")), 32_768);
        assert_eq!(node_block_count(cidr("10.0.0.0/25")), 0);
        let default: Ipv4Cidr = DEFAULT_CLUSTER_CIDR.parse().unwrap();
        assert!(default_cluster_cidr_for(20_000).contains_cidr(&default));
    }

    fn cidr(text: &str) -> Ipv4Cidr {
        text.parse().unwrap()
    }

    fn ip(text: &str) -> Ipv4Addr {
        text.parse().unwrap()
    }

    #[test]
    fn nodes_get_consecutive_slash_24_pod_cidrs_from_the_cluster_cidr() {
        let mut alloc = ClusterCidrAllocator::new(cidr(DEFAULT_CLUSTER_CIDR), 24).unwrap();
        assert_eq!(alloc.capacity(), 256);
        let first: Vec<_> = (0..3)
            .map(|_| alloc.allocate_next().unwrap().to_string())
            .collect();
        assert_eq!(first, ["10.244.0.0/24", "10.244.1.0/24", "10.244.2.0/24"]);
    }

    #[test]
    fn a_released_pod_cidr_is_reused_only_after_the_allocator_wraps() {
        let mut alloc = ClusterCidrAllocator::new(cidr("10.244.0.0/22"), 24).unwrap();
        let a = alloc.allocate_next().unwrap();
        let _b = alloc.allocate_next().unwrap();
        alloc.release(a).unwrap();
        assert_eq!(alloc.allocate_next().unwrap(), cidr("10.244.2.0/24"));
        assert_eq!(alloc.allocate_next().unwrap(), cidr("10.244.3.0/24"));
        assert_eq!(alloc.allocate_next().unwrap(), cidr("10.244.0.0/24"));
    }

    #[test]
    fn the_257th_node_of_a_slash_16_gets_no_pod_cidr() {
        let mut alloc = ClusterCidrAllocator::new(cidr(DEFAULT_CLUSTER_CIDR), 24).unwrap();
        for _ in 0..256 {
            alloc.allocate_next().unwrap();
        }
        let err = alloc.allocate_next().unwrap_err();
        assert_eq!(err, CidrSetError::NoCidrsRemaining);
        assert_eq!(
            err.to_string(),
            "CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range"
        );
        assert_eq!(
            cidr_not_available_message("node-257"),
            "Node node-257 status is now: CIDRNotAvailable"
        );
    }

    #[test]
    fn occupied_pod_cidrs_are_skipped_and_foreign_ones_refused() {
        let mut alloc = ClusterCidrAllocator::new(cidr("10.244.0.0/23"), 24).unwrap();
        alloc.occupy(cidr("10.244.0.0/24")).unwrap();
        assert_eq!(alloc.allocate_next().unwrap(), cidr("10.244.1.0/24"));
        assert!(matches!(
            alloc.occupy(cidr("10.9.0.0/24")),
            Err(CidrSetError::NotInClusterCidr { .. })
        ));
        assert!(matches!(
            ClusterCidrAllocator::new(cidr("10.0.0.0/8"), 25),
            Err(CidrSetError::SubnetTooBig)
        ));
    }

    #[test]
    fn host_local_hands_out_from_dot_2_and_keeps_dot_1_for_the_gateway() {
        let mut ipam = HostLocalIpam::new(cidr("10.244.1.0/24")).unwrap();
        assert_eq!(ipam.gateway(), ip("10.244.1.1"));
        assert_eq!(ipam.capacity(), 253);
        assert_eq!(ipam.allocate("pod-a").unwrap(), ip("10.244.1.2"));
        assert_eq!(ipam.allocate("pod-b").unwrap(), ip("10.244.1.3"));
        assert_eq!(ipam.address_of("pod-b"), Some(ip("10.244.1.3")));
        assert_eq!(
            ipam.allocate("pod-a").unwrap_err().to_string(),
            "10.244.1.2 has been allocated to pod-a, duplicate allocation is not allowed"
        );
    }

    #[test]
    fn host_local_continues_after_the_last_reserved_address_and_reuses_after_wrapping() {
        let mut ipam = HostLocalIpam::new(cidr("10.244.1.0/29")).unwrap();
        // Range .1-.6, gateway .1: pods can hold .2-.6.
        let got: Vec<_> = ["a", "b", "c"]
            .iter()
            .map(|id| ipam.allocate(id).unwrap().to_string())
            .collect();
        assert_eq!(got, ["10.244.1.2", "10.244.1.3", "10.244.1.4"]);
        assert_eq!(ipam.release("a"), Some(ip("10.244.1.2")));
        assert_eq!(ipam.release("a"), None);
        assert_eq!(ipam.allocate("d").unwrap(), ip("10.244.1.5"));
        assert_eq!(ipam.allocate("e").unwrap(), ip("10.244.1.6"));
        assert_eq!(ipam.allocate("f").unwrap(), ip("10.244.1.2"));
        let err = ipam.allocate("g").unwrap_err();
        assert_eq!(
            err.to_string(),
            "failed to allocate for range 0: no IP addresses available in range set: 10.244.1.1-10.244.1.6"
        );
    }

    #[test]
    fn host_local_takes_back_reserved_addresses_and_allocates_after_them() {
        let mut ipam = HostLocalIpam::new(cidr("10.244.1.0/24")).unwrap();
        ipam.reserve("pod-a", ip("10.244.1.7")).unwrap();
        ipam.reserve("pod-b", ip("10.244.1.3")).unwrap();
        assert_eq!(ipam.address_of("pod-a"), Some(ip("10.244.1.7")));
        assert_eq!(ipam.allocate("pod-c").unwrap(), ip("10.244.1.8"));
        let refusals = [
            (
                "pod-d",
                "10.244.1.3",
                "requested IP address 10.244.1.3 is not available in range set 10.244.1.1-10.244.1.254",
            ),
            (
                "pod-d",
                "10.244.1.1",
                "requested ip 10.244.1.1 is subnet's gateway",
            ),
            (
                "pod-d",
                "10.244.2.9",
                "10.244.2.9 not in range set 10.244.1.1-10.244.1.254",
            ),
            (
                "pod-a",
                "10.244.1.9",
                "10.244.1.7 has been allocated to pod-a, duplicate allocation is not allowed",
            ),
        ];
        for (id, address, message) in refusals {
            assert_eq!(
                ipam.reserve(id, ip(address)).unwrap_err().to_string(),
                message,
                "{id} {address}"
            );
        }
    }

    #[test]
    fn a_slash_24_node_holds_253_pods_then_reports_exhaustion() {
        let mut ipam = HostLocalIpam::new(cidr("10.244.1.0/24")).unwrap();
        for i in 0..253 {
            ipam.allocate(&format!("pod-{i}")).unwrap();
        }
        assert_eq!(ipam.allocated_count(), 253);
        assert_eq!(
            ipam.allocate("one-too-many").unwrap_err().to_string(),
            "failed to allocate for range 0: no IP addresses available in range set: 10.244.1.1-10.244.1.254"
        );
    }

    #[test]
    fn the_service_range_reserves_a_256_address_static_band() {
        assert_eq!(service_ip_range_offset(cidr("10.96.0.0/12").size()), 256);
        assert_eq!(service_ip_range_offset(cidr("10.96.0.0/24").size()), 16);
        assert_eq!(service_ip_range_offset(cidr("10.96.0.0/20").size()), 256);
        assert_eq!(service_ip_range_offset(cidr("10.96.0.0/28").size()), 0);
        let alloc = ServiceIpAllocator::new(cidr(DEFAULT_SERVICE_CIDR));
        assert_eq!(alloc.kubernetes_service_ip(), Some(ip("10.96.0.1")));
        assert_eq!(alloc.static_band_end(), Some(ip("10.96.1.0")));
    }

    #[test]
    fn requested_cluster_ips_are_validated_with_kubernetes_messages() {
        let mut alloc = ServiceIpAllocator::new(cidr(DEFAULT_SERVICE_CIDR));
        alloc.allocate(ip("10.96.0.1")).unwrap();
        assert_eq!(
            alloc.allocate(ip("10.96.0.1")).unwrap_err().to_string(),
            "provided IP is already allocated"
        );
        assert_eq!(
            alloc.allocate(ip("1.1.1.1")).unwrap_err().to_string(),
            "the provided IP (1.1.1.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12"
        );
        for edge in ["10.96.0.0", "10.111.255.255"] {
            assert!(matches!(
                alloc.allocate(ip(edge)),
                Err(ServiceIpError::NotInRange { .. })
            ));
        }
        assert!(alloc.release(ip("10.96.0.1")));
        alloc.allocate(ip("10.96.0.1")).unwrap();
    }

    #[test]
    fn dynamic_cluster_ips_come_from_the_upper_band_and_repeat_with_the_seed() {
        let draw = |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut alloc = ServiceIpAllocator::new(cidr(DEFAULT_SERVICE_CIDR));
            (0..20)
                .map(|_| alloc.allocate_next(&mut rng).unwrap())
                .collect::<Vec<_>>()
        };
        let first = draw(7);
        assert_eq!(first, draw(7));
        assert_ne!(first, draw(8));
        for ip in &first {
            assert!(
                u32::from(*ip) > u32::from(Ipv4Addr::new(10, 96, 1, 0)),
                "{ip}"
            );
            assert!(cidr(DEFAULT_SERVICE_CIDR).contains(*ip));
        }
    }

    #[test]
    fn the_static_band_is_used_once_the_upper_band_is_full() {
        // A /27 has 30 usable addresses and a static band of 16: 14 dynamic ones come first.
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut alloc = ServiceIpAllocator::new(cidr("10.96.0.0/27"));
        let mut got: Vec<u32> = (0..14)
            .map(|_| u32::from(alloc.allocate_next(&mut rng).unwrap()) & 0xff)
            .collect();
        got.sort_unstable();
        assert_eq!(got, (17..=30).collect::<Vec<_>>());
        let low = u32::from(alloc.allocate_next(&mut rng).unwrap()) & 0xff;
        assert!((1..=16).contains(&low));
        for _ in 0..15 {
            alloc.allocate_next(&mut rng).unwrap();
        }
        assert_eq!(alloc.allocate_next(&mut rng), Err(ServiceIpError::Full));
        assert_eq!(ServiceIpError::Full.to_string(), "range is full");
    }

    #[test]
    fn node_ports_are_checked_against_30000_to_32767() {
        let mut ports = NodePortAllocator::default();
        assert_eq!(ports.static_band_end(), Some(30085));
        ports.allocate(30080).unwrap();
        assert_eq!(
            ports.allocate(30080).unwrap_err().to_string(),
            "provided port is already allocated"
        );
        for bad in [29999, 32768, 80] {
            assert_eq!(
                ports.allocate(bad).unwrap_err().to_string(),
                "provided port is not in the valid range. The range of valid ports is 30000-32767"
            );
        }
        ports.allocate(32767).unwrap();
        assert!(ports.release(30080));
        assert!(!ports.release(30080));
    }

    #[test]
    fn dynamic_node_ports_prefer_the_upper_band_until_it_is_full() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut ports = NodePortAllocator::new(PortRange {
            base: 30000,
            size: 40,
        });
        assert_eq!(ports.static_band_end(), Some(30015));
        let mut upper: Vec<i32> = (0..24)
            .map(|_| ports.allocate_next(&mut rng).unwrap())
            .collect();
        upper.sort_unstable();
        assert_eq!(upper, (30016..30040).collect::<Vec<_>>());
        let lower = ports.allocate_next(&mut rng).unwrap();
        assert!((30000..30016).contains(&lower));
        for _ in 0..15 {
            ports.allocate_next(&mut rng).unwrap();
        }
        assert_eq!(ports.allocate_next(&mut rng), Err(NodePortError::Full));
    }
}
