//! IPv4 CIDR blocks: parsing (`10.244.0.0/16`), containment, sizes and the arithmetic the
//! allocators need (the n-th address, the n-th sub-block, iteration).
//!
//! Everything here is plain integer arithmetic over `u32`; [`Ipv4Addr`] is only a type for
//! addresses, no socket is touched. Allocators in [`super::ipam`] hold a [`Ipv4Cidr`] and ask
//! it for offsets; the proxy and DNS modules use it for `! -s <cluster CIDR>` and pod IPs.

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

/// Why a CIDR string could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CidrError {
    /// The text has no `/prefix` part.
    #[error("invalid CIDR address: {0} (missing \"/<prefix length>\")")]
    MissingPrefix(String),
    /// The address part is not a dotted-quad IPv4 address.
    #[error("invalid CIDR address: {0} (not an IPv4 address)")]
    InvalidAddress(String),
    /// The prefix length is not a number from 0 to 32.
    #[error("invalid CIDR address: {0} (prefix length must be 0-32)")]
    InvalidPrefix(String),
}

/// An IPv4 network: a base address with its host bits cleared and a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ipv4Cidr {
    network: u32,
    prefix_len: u8,
}

impl Ipv4Cidr {
    /// Builds the network containing `addr` with `prefix_len` bits (host bits are cleared,
    /// as Go's `net.ParseCIDR` returns the network). `None` if `prefix_len > 32`.
    pub fn new(addr: Ipv4Addr, prefix_len: u8) -> Option<Self> {
        if prefix_len > 32 {
            return None;
        }
        Some(Self {
            network: u32::from(addr) & mask_bits(prefix_len),
            prefix_len,
        })
    }

    /// The network address (`10.244.0.0` for `10.244.0.0/16`).
    pub fn network(&self) -> Ipv4Addr {
        Ipv4Addr::from(self.network)
    }

    /// The prefix length (`16` for `10.244.0.0/16`).
    pub fn prefix_len(&self) -> u8 {
        self.prefix_len
    }

    /// The broadcast (last) address of the block.
    pub fn broadcast(&self) -> Ipv4Addr {
        Ipv4Addr::from(self.network | !mask_bits(self.prefix_len))
    }

    /// How many addresses the block holds, network and broadcast included (2^(32-prefix)).
    pub fn size(&self) -> u64 {
        1u64 << (32 - u32::from(self.prefix_len))
    }

    /// Whether `addr` lies inside the block.
    pub fn contains(&self, addr: Ipv4Addr) -> bool {
        u32::from(addr) & mask_bits(self.prefix_len) == self.network
    }

    /// Whether `other` lies entirely inside this block.
    pub fn contains_cidr(&self, other: &Ipv4Cidr) -> bool {
        other.prefix_len >= self.prefix_len && self.contains(other.network())
    }

    /// The address `offset` places after the network address, if still inside the block.
    pub fn nth(&self, offset: u64) -> Option<Ipv4Addr> {
        if offset >= self.size() {
            return None;
        }
        let offset = u32::try_from(offset).ok()?;
        Some(Ipv4Addr::from(self.network.wrapping_add(offset)))
    }

    /// How far `addr` is from the network address, if it is inside the block.
    pub fn offset_of(&self, addr: Ipv4Addr) -> Option<u64> {
        self.contains(addr)
            .then(|| u64::from(u32::from(addr) - self.network))
    }

    /// How many `/sub_prefix_len` blocks fit in this block (`None` if the sub-block is larger).
    pub fn subnet_count(&self, sub_prefix_len: u8) -> Option<u64> {
        if sub_prefix_len < self.prefix_len || sub_prefix_len > 32 {
            return None;
        }
        Some(1u64 << u32::from(sub_prefix_len - self.prefix_len))
    }

    /// The `index`-th `/sub_prefix_len` block inside this block (`10.244.3.0/24` is index 3
    /// of `10.244.0.0/16` cut into /24s).
    pub fn subnet(&self, sub_prefix_len: u8, index: u64) -> Option<Ipv4Cidr> {
        if index >= self.subnet_count(sub_prefix_len)? {
            return None;
        }
        let step = 1u64 << (32 - u32::from(sub_prefix_len));
        let base = u64::from(self.network) + index * step;
        Some(Ipv4Cidr {
            network: u32::try_from(base).ok()?,
            prefix_len: sub_prefix_len,
        })
    }

    /// Which `/sub_prefix_len` block of this one `other` is, if it is exactly one of them.
    pub fn subnet_index(&self, other: &Ipv4Cidr) -> Option<u64> {
        if other.prefix_len < self.prefix_len || !self.contains(other.network()) {
            return None;
        }
        let step = 1u64 << (32 - u32::from(other.prefix_len));
        Some(u64::from(other.network - self.network) / step)
    }

    /// Every address of the block in order, network and broadcast included.
    pub fn addresses(&self) -> impl Iterator<Item = Ipv4Addr> + '_ {
        (0..self.size()).filter_map(move |i| self.nth(i))
    }
}

fn mask_bits(prefix_len: u8) -> u32 {
    if prefix_len == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix_len))
    }
}

impl FromStr for Ipv4Cidr {
    type Err = CidrError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (addr, prefix) = text
            .split_once('/')
            .ok_or_else(|| CidrError::MissingPrefix(text.to_string()))?;
        let addr: Ipv4Addr = addr
            .parse()
            .map_err(|_| CidrError::InvalidAddress(text.to_string()))?;
        // Go's parser rejects signs and leading zeros beyond a single digit; so do we.
        let valid_digits = !prefix.is_empty()
            && prefix.len() <= 2
            && prefix.bytes().all(|b| b.is_ascii_digit())
            && !(prefix.len() > 1 && prefix.starts_with('0'));
        let prefix_len: u8 = prefix
            .parse()
            .ok()
            .filter(|p| valid_digits && *p <= 32)
            .ok_or_else(|| CidrError::InvalidPrefix(text.to_string()))?;
        Ipv4Cidr::new(addr, prefix_len).ok_or_else(|| CidrError::InvalidPrefix(text.to_string()))
    }
}

impl fmt::Display for Ipv4Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network(), self.prefix_len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(text: &str) -> Ipv4Cidr {
        text.parse().unwrap()
    }

    #[test]
    fn parsing_clears_host_bits_like_go_parse_cidr() {
        assert_eq!(cidr("10.244.7.9/16").to_string(), "10.244.0.0/16");
        assert_eq!(cidr("10.96.0.0/12").to_string(), "10.96.0.0/12");
        assert_eq!(cidr("10.100.0.0/12").to_string(), "10.96.0.0/12");
    }

    #[test]
    fn malformed_cidrs_are_rejected_with_the_reason() {
        let cases = [
            ("10.0.0.0", CidrError::MissingPrefix("10.0.0.0".into())),
            ("10.0.0/8", CidrError::InvalidAddress("10.0.0/8".into())),
            (
                "10.0.0.0/33",
                CidrError::InvalidPrefix("10.0.0.0/33".into()),
            ),
            ("10.0.0.0/", CidrError::InvalidPrefix("10.0.0.0/".into())),
            (
                "10.0.0.0/+8",
                CidrError::InvalidPrefix("10.0.0.0/+8".into()),
            ),
            (
                "10.0.0.0/08",
                CidrError::InvalidPrefix("10.0.0.0/08".into()),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(text.parse::<Ipv4Cidr>(), Err(want), "{text}");
        }
    }

    #[test]
    fn sizes_broadcast_and_containment_follow_the_prefix() {
        let c = cidr("10.96.0.0/12");
        assert_eq!(c.size(), 1_048_576);
        assert_eq!(c.broadcast(), Ipv4Addr::new(10, 111, 255, 255));
        assert!(c.contains(Ipv4Addr::new(10, 111, 0, 1)));
        assert!(!c.contains(Ipv4Addr::new(10, 112, 0, 1)));
        assert_eq!(cidr("0.0.0.0/0").size(), 1 << 32);
        assert!(cidr("0.0.0.0/0").contains(Ipv4Addr::new(203, 0, 113, 1)));
        assert_eq!(cidr("10.0.0.5/32").size(), 1);
        assert!(cidr("10.244.0.0/16").contains_cidr(&cidr("10.244.3.0/24")));
        assert!(!cidr("10.244.3.0/24").contains_cidr(&cidr("10.244.0.0/16")));
    }

    #[test]
    fn a_slash_16_cuts_into_256_slash_24_blocks_in_order() {
        let c = cidr("10.244.0.0/16");
        assert_eq!(c.subnet_count(24), Some(256));
        assert_eq!(c.subnet(24, 0), Some(cidr("10.244.0.0/24")));
        assert_eq!(c.subnet(24, 255), Some(cidr("10.244.255.0/24")));
        assert_eq!(c.subnet(24, 256), None);
        assert_eq!(c.subnet_index(&cidr("10.244.17.0/24")), Some(17));
        assert_eq!(c.subnet_index(&cidr("10.245.17.0/24")), None);
        assert_eq!(c.subnet_count(8), None);
    }

    #[test]
    fn nth_offset_and_iteration_agree() {
        let c = cidr("10.244.1.0/30");
        let all: Vec<_> = c.addresses().map(|a| a.to_string()).collect();
        assert_eq!(
            all,
            ["10.244.1.0", "10.244.1.1", "10.244.1.2", "10.244.1.3"]
        );
        assert_eq!(c.nth(2), Some(Ipv4Addr::new(10, 244, 1, 2)));
        assert_eq!(c.nth(4), None);
        assert_eq!(c.offset_of(Ipv4Addr::new(10, 244, 1, 3)), Some(3));
        assert_eq!(c.offset_of(Ipv4Addr::new(10, 244, 2, 0)), None);
    }
}
