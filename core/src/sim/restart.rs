//! A [`World`](super::world::World) built on a store that already holds a cluster: the host
//! was restarted (after `kill -9`, a crash or a clean stop) on its saved state.
//!
//! The control plane needs nothing special: the API server only bootstraps what is missing
//! and rebuilds its ClusterIP and NodePort allocations from the stored Services
//! ([`ApiServer::with_store`]); the scheduler and the controllers open their watches without a
//! resourceVersion, so they start from one ADDED event per stored object, as after a real
//! kube-controller-manager restart. What this module adds is what the rest of the world
//! cannot know on its own:
//!
//! - **Nodes reboot.** A stored node keeps its name and its podCIDR (the block is marked used
//!   before new nodes take blocks). Its kubelet finds its Node already registered, so instead
//!   of a create it posts its status, as the kubelet does after `AlreadyExists`. Its runtime
//!   starts empty: every container of the previous boot is gone, so the kubelet creates new
//!   sandboxes and starts the containers again, counting a restart (see
//!   [`crate::kubelet::pod_sync`]).
//! - **Pod IPs stay taken.** Each stored pod's IP is reserved again for that pod in its node's
//!   IPAM, as the host-local plugin keeps its reservations on disk, so no new sandbox gets an
//!   address a stored pod still shows, and a pod's new sandbox gets its old address back.
//! - **UIDs do not repeat.** The API server's random stream is derived from the seed *and* the
//!   store's revision, so a host that restarts with the same seed (a test, `kubeplay play`)
//!   does not hand out the uids and generated names of its first run again. `kubeplay serve`
//!   also draws a fresh seed from the OS at every start.
//!
//! A fresh store (revision 1) changes nothing: the same seed gives the same trace as before.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use crate::api::objects::{Kind, Object};
use crate::apiserver::{registry, ApiRequest, ApiServer};
use crate::kubelet::sim_runtime::SimRuntime;
use crate::kubelet::Kubelet;
use crate::network::cidr::Ipv4Cidr;
use crate::network::ipam::ClusterCidrAllocator;
use crate::store::{KeyRange, KvStore, RangeRequest, Revision};

/// What a store held for the world when the world was built on it.
#[derive(Clone, Debug, Default)]
pub(crate) struct StoredCluster {
    /// The store's revision when it already held a cluster; None for a fresh store.
    revision: Option<Revision>,
    /// The stored Nodes by name.
    nodes: BTreeMap<String, StoredNode>,
}

/// One stored Node and the pod IPs its pods hold.
#[derive(Clone, Debug, Default)]
struct StoredNode {
    /// `spec.podCIDR`.
    pod_cidr: Option<Ipv4Cidr>,
    /// `status.podIP` of each pod bound to it that has not finished, by pod uid.
    pod_ips: BTreeMap<String, Ipv4Addr>,
}

impl StoredCluster {
    /// Reads the Nodes and Pods of `store` (nothing for a fresh store at revision 1).
    pub(crate) fn read<S: KvStore<Object>>(store: &S) -> StoredCluster {
        let revision = store.current_revision();
        if revision <= 1 {
            return StoredCluster::default();
        }
        let mut nodes = BTreeMap::new();
        for object in read_kind(store, Kind::Node) {
            let Object::Node(node) = object.as_ref() else {
                continue;
            };
            let pod_cidr = node
                .spec
                .as_ref()
                .and_then(|s| s.pod_cidr.as_deref())
                .and_then(|c| c.parse::<Ipv4Cidr>().ok());
            let stored = StoredNode {
                pod_cidr,
                pod_ips: BTreeMap::new(),
            };
            nodes.insert(object.name().to_string(), stored);
        }
        for object in read_kind(store, Kind::Pod) {
            let Object::Pod(pod) = object.as_ref() else {
                continue;
            };
            let Some(node) = pod.node_name().and_then(|n| nodes.get_mut(n)) else {
                continue;
            };
            let finished = matches!(pod.phase(), Some("Succeeded" | "Failed"));
            let ip = pod.pod_ip().and_then(|ip| ip.parse::<Ipv4Addr>().ok());
            if let (false, Some(ip), Some(uid)) = (finished, ip, pod.metadata.uid.as_ref()) {
                node.pod_ips.insert(uid.clone(), ip);
            }
        }
        StoredCluster {
            revision: Some(revision),
            nodes,
        }
    }

    /// Whether the store already held a cluster.
    pub(crate) fn is_recovered(&self) -> bool {
        self.revision.is_some()
    }

    /// The API server's seed: `seed` itself for a fresh store; for a recovered one, `seed`
    /// mixed with the store revision (different for every restart, since each start writes).
    pub(crate) fn api_seed(&self, seed: u64) -> u64 {
        match self.revision {
            None => seed,
            Some(revision) => seed ^ mix(revision),
        }
    }

    /// Marks the stored nodes' podCIDRs as used, so nodes added later get other blocks.
    pub(crate) fn occupy_pod_cidrs(&self, allocator: Option<&mut ClusterCidrAllocator>) {
        let Some(allocator) = allocator else { return };
        for cidr in self.nodes.values().filter_map(|n| n.pod_cidr) {
            // A block outside this cluster CIDR (the config changed) is simply not ours.
            let _ = allocator.occupy(cidr);
        }
    }

    /// The podCIDR a stored node keeps (`Some(None)`: stored without one), or None when no
    /// node of this name is stored.
    pub(crate) fn pod_cidr_of(&self, node: &str) -> Option<Option<Ipv4Cidr>> {
        self.nodes.get(node).map(|n| n.pod_cidr)
    }

    /// Brings a stored node back as after a reboot: its pods' IPs are reserved again in its
    /// runtime, and its kubelet's registration becomes a status update of the stored Node.
    /// Nothing happens for a node the store did not hold.
    pub(crate) fn rejoin_node<S: KvStore<Object>>(
        &self,
        name: &str,
        kubelet: &mut Kubelet,
        runtime: &mut SimRuntime,
        api: &mut ApiServer<S>,
    ) {
        let Some(stored) = self.nodes.get(name) else {
            return;
        };
        for (uid, ip) in &stored.pod_ips {
            // An address outside the node's podCIDR or taken twice cannot be reserved; the
            // pod then gets a new one with its new sandbox.
            let _ = runtime.reserve_pod_ip(uid, *ip);
        }
        api.set_user(&format!("system:node:{name}"));
        while let Some(request) = kubelet.poll_api_request() {
            let request = match request {
                ApiRequest::Create { namespace, object } if object.kind() == Kind::Node => {
                    ApiRequest::UpdateStatus { namespace, object }
                }
                other => other,
            };
            let _ = api.handle(request);
        }
    }
}

/// Every stored object of `kind`.
fn read_kind<S: KvStore<Object>>(store: &S, kind: Kind) -> Vec<std::sync::Arc<Object>> {
    let request = RangeRequest::new(KeyRange::prefix(registry::key_prefix(kind)));
    store
        .range(&request)
        .map(|response| response.kvs.into_iter().map(|kv| kv.value).collect())
        .unwrap_or_default()
}

/// SplitMix64's step over `value`: a bijection, so two revisions never give the same mixed
/// value.
fn mix(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::time::Duration;

    use serde_json::Value;

    use super::*;
    use crate::api::manifest::parse_manifests;
    use crate::apiserver::ListOptions;
    use crate::sim::world::{World, WorldConfig};
    use crate::store::MemoryStore;

    const WEB: &str = "
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: nginx, image: 'nginx:1.25'}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80}]
";

    fn create(world: &mut World, yaml: &str) {
        world.api().set_user("kubectl");
        for object in parse_manifests(yaml).unwrap() {
            let namespace = object.namespace().to_string();
            let namespace = if namespace.is_empty() {
                "default".to_string()
            } else {
                namespace
            };
            world.api().create(&namespace, object).unwrap();
        }
    }

    fn values(world: &mut World, kind: Kind) -> Vec<Value> {
        world.api().set_user("test");
        let list = world
            .api()
            .list(kind, None, &ListOptions::default())
            .unwrap();
        list.items.iter().map(|o| o.to_value()).collect()
    }

    fn running_web_pods(world: &mut World) -> Vec<Value> {
        values(world, Kind::Pod)
            .into_iter()
            .filter(|p| p["metadata"]["labels"]["app"] == "web")
            .filter(|p| p["status"]["phase"] == "Running")
            .filter(|p| p["status"]["containerStatuses"][0]["ready"] == true)
            .collect()
    }

    /// The store as a host that saved it would bring it back: every live key, compacted.
    fn saved_copy(world: &mut World) -> MemoryStore<Object> {
        let store = world.api().store();
        let all = store
            .range(&RangeRequest::new(KeyRange::prefix("")))
            .unwrap()
            .kvs;
        MemoryStore::restore(store.current_revision(), all).unwrap()
    }

    fn uid_by_key(values: &[Value]) -> BTreeMap<String, String> {
        values
            .iter()
            .map(|v| {
                let key = format!(
                    "{}/{}/{}",
                    v["kind"].as_str().unwrap_or(""),
                    v["metadata"]["namespace"].as_str().unwrap_or(""),
                    v["metadata"]["name"].as_str().unwrap_or("")
                );
                (key, v["metadata"]["uid"].as_str().unwrap_or("").to_string())
            })
            .collect()
    }

    fn everything(world: &mut World) -> Vec<Value> {
        [
            Kind::Namespace,
            Kind::Node,
            Kind::Service,
            Kind::Deployment,
            Kind::ReplicaSet,
            Kind::Pod,
            Kind::PriorityClass,
        ]
        .into_iter()
        .flat_map(|kind| values(world, kind))
        .collect()
    }

    #[test]
    fn a_world_restarted_on_its_saved_store_adopts_every_object_and_reruns_the_pods() {
        let config = WorldConfig {
            nodes: 2,
            ..WorldConfig::default()
        };
        let mut first = World::new(&config);
        create(&mut first, WEB);
        let deadline = first.now().plus(Duration::from_secs(120));
        assert!(first.run_until(deadline, |w| running_web_pods(w).len() == 3));
        let before = everything(&mut first);
        let ips_before: BTreeMap<String, String> = running_web_pods(&mut first)
            .iter()
            .map(|p| {
                (
                    p["metadata"]["uid"].as_str().unwrap().to_string(),
                    p["status"]["podIP"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let revision_before = first.api().current_revision();

        // The same seed on purpose: the restart must not repeat the first run's uids.
        let restarted_config = WorldConfig {
            start: first.now().plus(Duration::from_secs(30)),
            ..config.clone()
        };
        let store = saved_copy(&mut first);
        let mut second = World::with_store(&restarted_config, store);
        assert!(second.is_recovered());
        let after = everything(&mut second);
        let (before_uids, after_uids) = (uid_by_key(&before), uid_by_key(&after));
        assert_eq!(
            before_uids, after_uids,
            "no object was lost, added or replaced"
        );

        let deadline = second.now().plus(Duration::from_secs(120));
        assert!(second.run_until(deadline, |w| {
            running_web_pods(w)
                .iter()
                .all(|p| p["status"]["containerStatuses"][0]["restartCount"] == 1)
                && running_web_pods(w).len() == 3
        }));
        let pods = running_web_pods(&mut second);
        for pod in &pods {
            let uid = pod["metadata"]["uid"].as_str().unwrap();
            assert_eq!(
                ips_before.get(uid).map(String::as_str),
                pod["status"]["podIP"].as_str(),
                "a pod keeps its IP across the restart"
            );
            let last = &pod["status"]["containerStatuses"][0]["lastState"]["terminated"];
            assert_eq!(last["reason"], "Unknown", "{pod}");
            assert_eq!(last["exitCode"], 255, "{pod}");
        }

        // New writes get later resourceVersions, new uids and free allocations.
        create(
            &mut second,
            "apiVersion: v1\nkind: Service\nmetadata: {name: other}\nspec: {type: NodePort, selector: {app: other}, ports: [{port: 80}]}\n",
        );
        let services = values(&mut second, Kind::Service);
        let other = services
            .iter()
            .find(|s| s["metadata"]["name"] == "other")
            .unwrap();
        let rv: u64 = other["metadata"]["resourceVersion"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(rv > revision_before);
        assert!(!before_uids
            .values()
            .any(|uid| uid == other["metadata"]["uid"].as_str().unwrap()));
        let cluster_ips: BTreeSet<&str> = services
            .iter()
            .filter_map(|s| s["spec"]["clusterIP"].as_str())
            .collect();
        assert_eq!(cluster_ips.len(), services.len(), "{services:?}");
        let node_ports: BTreeSet<i64> = services
            .iter()
            .filter_map(|s| s["spec"]["ports"][0]["nodePort"].as_i64())
            .collect();
        assert_eq!(node_ports.len(), 2, "{services:?}");
        let all_ips: Vec<String> = values(&mut second, Kind::Pod)
            .iter()
            .filter_map(|p| p["status"]["podIP"].as_str().map(String::from))
            .collect();
        let unique: BTreeSet<&String> = all_ips.iter().collect();
        assert_eq!(unique.len(), all_ips.len(), "{all_ips:?}");
    }

    #[test]
    fn a_fresh_store_is_not_a_recovered_one() {
        let world = World::new(&WorldConfig::default());
        assert!(!world.is_recovered());
        assert_eq!(StoredCluster::default().api_seed(7), 7);
    }
}
