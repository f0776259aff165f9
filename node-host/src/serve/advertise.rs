//! The address `kubeplay serve` advertises as the API server's (kube-apiserver's
//! `--advertise-address`), which the `kubernetes` Service's endpoints point at.
//!
//! kube-apiserver advertises its bind address when that is a concrete, routable one; when it
//! listens on every address or on loopback (which Endpoints refuse), it advertises the address
//! of the interface its default route goes through (`ChooseHostInterface`). This does the
//! same with `/proc/net/route` and the interface list (the `if-addrs` crate); it only reads
//! what the kernel reports and sends nothing.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use kubeplay_core::apiserver::ApiServerEndpoint;

/// The endpoint to advertise for a server listening on `listen`: the listen address if other
/// machines can use it, else the default-route interface's IPv4 address, else none (the
/// `kubernetes` Service then has no endpoints, and the server logs why).
#[allow(clippy::disallowed_methods)] // the host reads the kernel's routing table
pub fn advertise_endpoint(listen: SocketAddr) -> ApiServerEndpoint {
    let port = listen.port();
    if let IpAddr::V4(address) = listen.ip() {
        if is_advertisable(address) {
            return ApiServerEndpoint {
                address: Some(address),
                port,
            };
        }
    }
    let routes = std::fs::read_to_string("/proc/net/route").unwrap_or_default();
    let interfaces: Vec<(String, Ipv4Addr)> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|interface| match interface.addr {
            if_addrs::IfAddr::V4(v4) => Some((interface.name, v4.ip)),
            if_addrs::IfAddr::V6(_) => None,
        })
        .collect();
    ApiServerEndpoint {
        address: default_route_address(&routes, &interfaces),
        port,
    }
}

/// Whether Endpoints accept `address` and other machines could reach it: not loopback,
/// link-local, unspecified, multicast or broadcast.
fn is_advertisable(address: Ipv4Addr) -> bool {
    !(address.is_loopback()
        || address.is_link_local()
        || address.is_unspecified()
        || address.is_multicast()
        || address.is_broadcast())
}

/// The first advertisable IPv4 address of the interface the default route with the lowest
/// metric goes through, given `/proc/net/route`'s text and the (interface, address) list.
fn default_route_address(routes: &str, interfaces: &[(String, Ipv4Addr)]) -> Option<Ipv4Addr> {
    let mut defaults: Vec<(u64, &str)> = routes
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // Iface Destination Gateway Flags RefCnt Use Metric Mask ...
            let (iface, destination, flags, metric, mask) = (
                fields.first()?,
                fields.get(1)?,
                fields.get(3)?,
                fields.get(6)?,
                fields.get(7)?,
            );
            let up = u32::from_str_radix(flags, 16).ok()? & 0x1 != 0;
            (*destination == "00000000" && *mask == "00000000" && up)
                .then(|| Some((metric.parse().ok()?, *iface)))
                .flatten()
        })
        .collect();
    defaults.sort();
    defaults.into_iter().find_map(|(_, iface)| {
        interfaces
            .iter()
            .find(|(name, address)| name == iface && is_advertisable(*address))
            .map(|(_, address)| *address)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTES: &str = "\
Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth1\t00000000\t0100A8C0\t0003\t0\t0\t200\t00000000\t0\t0\t0
eth0\t00000000\t010011AC\t0003\t0\t0\t100\t00000000\t0\t0\t0
eth0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
";

    fn interfaces() -> Vec<(String, Ipv4Addr)> {
        vec![
            ("lo".to_string(), Ipv4Addr::LOCALHOST),
            ("eth0".to_string(), Ipv4Addr::new(172, 17, 0, 5)),
            ("eth1".to_string(), Ipv4Addr::new(192, 168, 0, 7)),
        ]
    }

    #[test]
    fn a_concrete_listen_address_is_advertised_as_it_is() {
        let endpoint = advertise_endpoint("192.0.2.4:7443".parse().unwrap());
        assert_eq!(
            endpoint,
            ApiServerEndpoint {
                address: Some(Ipv4Addr::new(192, 0, 2, 4)),
                port: 7443
            }
        );
    }

    #[test]
    fn loopback_or_any_falls_back_to_the_default_route_interface() {
        assert!(!is_advertisable(Ipv4Addr::LOCALHOST));
        assert!(!is_advertisable(Ipv4Addr::UNSPECIFIED));
        assert!(!is_advertisable(Ipv4Addr::new(169, 254, 1, 1)));
        // The default route with the lowest metric wins (eth0 at 100 over eth1 at 200).
        assert_eq!(
            default_route_address(ROUTES, &interfaces()),
            Some(Ipv4Addr::new(172, 17, 0, 5))
        );
        // Without eth0's address, the next default route's interface.
        let without_eth0: Vec<_> = interfaces()
            .into_iter()
            .filter(|(name, _)| name != "eth0")
            .collect();
        assert_eq!(
            default_route_address(ROUTES, &without_eth0),
            Some(Ipv4Addr::new(192, 168, 0, 7))
        );
        // No default route (an offline machine): nothing to advertise.
        let no_default = "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\n\
                          eth0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\n";
        assert_eq!(default_route_address(no_default, &interfaces()), None);
        assert_eq!(default_route_address("", &interfaces()), None);
        assert_eq!(default_route_address("garbage\nx y", &interfaces()), None);
    }

    #[test]
    fn the_listen_port_is_the_advertised_port_whatever_the_address() {
        assert_eq!(
            advertise_endpoint("127.0.0.1:16443".parse().unwrap()).port,
            16443
        );
        assert_eq!(
            advertise_endpoint("0.0.0.0:6443".parse().unwrap()).port,
            6443
        );
    }
}
