//! Cluster networking as pure computations: address management, the service proxy's
//! rules and cluster DNS.
//!
//! Data flows in one direction: controllers allocate addresses with [`ipam`] (a podCIDR per
//! node, a pod IP per sandbox, a ClusterIP and NodePorts per Service); the endpoint slice
//! controller publishes ready pod IPs; [`proxy`] turns Services plus EndpointSlices into
//! kube-proxy's iptables rules for one node (and walks them to route simulated packets);
//! [`dns`] answers names over the same objects the way CoreDNS' `kubernetes` plugin does.
//! None of these modules talks to the API server: they take snapshots of objects and return
//! values, so the browser simulation and the native node host can share them.

pub mod cidr;
pub mod dns;
pub mod ipam;
pub mod proxy;
