//! The API server's own endpoints: kube-apiserver's endpoint reconciler, which keeps the
//! `default/kubernetes` Endpoints and EndpointSlice pointing at the API server's advertise
//! address and secure port.
//!
//! The `kubernetes` Service has no selector, so no controller fills in its endpoints: the API
//! server does it itself (`pkg/controlplane/reconcilers`, every 10 s with the default `lease`
//! reconciler). It writes an Endpoints labelled `endpointslice.kubernetes.io/skip-mirror:
//! "true"` (so the EndpointSliceMirroring controller leaves it alone) with one subset: the
//! address and the `https` port, and an EndpointSlice of the same name labelled
//! `kubernetes.io/service-name: kubernetes` with the address as one ready endpoint. Each is
//! written only when missing or different (a deleted one comes back at the next pass).
//! kube-proxy then routes `10.96.0.1:443` to the API server like any other Service.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use k8s_openapi::api::core::v1::{EndpointAddress, EndpointPort, EndpointSubset, Endpoints};
use k8s_openapi::api::discovery::v1::{
    Endpoint, EndpointConditions, EndpointPort as SlicePort, EndpointSlice,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::ApiServer;
use crate::api::objects::{Kind, Object};
use crate::store::KvStore;

/// The label that keeps the EndpointSliceMirroring controller off an Endpoints.
pub const SKIP_MIRROR_LABEL: &str = "endpointslice.kubernetes.io/skip-mirror";
/// The label naming an EndpointSlice's Service.
pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";
/// The name (and namespace) of the API server's Service and endpoints.
const NAME: &str = "kubernetes";
const NAMESPACE: &str = "default";
/// The name of the `kubernetes` Service's only port.
const PORT_NAME: &str = "https";

/// Where the API server answers: kube-apiserver's `--advertise-address` and `--secure-port`,
/// what the `kubernetes` Service's endpoints point at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApiServerEndpoint {
    /// The address other machines reach the API server at; `None` when the host has none to
    /// give (then the `kubernetes` Service has no endpoints, as when kube-apiserver's
    /// reconciler cannot write them). It must be an address Endpoints accept: not loopback,
    /// link-local or unspecified.
    pub address: Option<Ipv4Addr>,
    /// Its HTTPS port (the `kubernetes` Service's `targetPort`).
    pub port: u16,
}

impl ApiServerEndpoint {
    /// The simulated control-plane machine: 192.168.49.1 (the simulated nodes are
    /// 192.168.49.2 onwards) on kube-apiserver's default secure port, 6443.
    pub const SIMULATED: ApiServerEndpoint = ApiServerEndpoint {
        address: Some(Ipv4Addr::new(192, 168, 49, 1)),
        port: 6443,
    };
}

impl Default for ApiServerEndpoint {
    fn default() -> ApiServerEndpoint {
        ApiServerEndpoint::SIMULATED
    }
}

/// The Endpoints the reconciler wants for `endpoint`.
fn wanted_endpoints(address: Ipv4Addr, port: u16) -> Endpoints {
    Endpoints {
        metadata: ObjectMeta {
            name: Some(NAME.to_string()),
            namespace: Some(NAMESPACE.to_string()),
            labels: Some(BTreeMap::from([(
                SKIP_MIRROR_LABEL.to_string(),
                "true".to_string(),
            )])),
            ..ObjectMeta::default()
        },
        subsets: Some(vec![EndpointSubset {
            addresses: Some(vec![EndpointAddress {
                ip: address.to_string(),
                ..EndpointAddress::default()
            }]),
            ports: Some(vec![EndpointPort {
                name: Some(PORT_NAME.to_string()),
                port: i32::from(port),
                protocol: Some("TCP".to_string()),
                ..EndpointPort::default()
            }]),
            ..EndpointSubset::default()
        }]),
    }
}

/// The EndpointSlice the reconciler wants for `endpoint`.
fn wanted_slice(address: Ipv4Addr, port: u16) -> EndpointSlice {
    EndpointSlice {
        metadata: ObjectMeta {
            name: Some(NAME.to_string()),
            namespace: Some(NAMESPACE.to_string()),
            labels: Some(BTreeMap::from([(
                SERVICE_NAME_LABEL.to_string(),
                NAME.to_string(),
            )])),
            ..ObjectMeta::default()
        },
        address_type: "IPv4".to_string(),
        endpoints: vec![Endpoint {
            addresses: vec![address.to_string()],
            conditions: Some(EndpointConditions {
                ready: Some(true),
                ..EndpointConditions::default()
            }),
            ..Endpoint::default()
        }],
        ports: Some(vec![SlicePort {
            name: Some(PORT_NAME.to_string()),
            port: Some(i32::from(port)),
            protocol: Some("TCP".to_string()),
            ..SlicePort::default()
        }]),
    }
}

impl<S: KvStore<Object>> ApiServer<S> {
    /// Where this API server says it answers (the `kubernetes` Service's endpoints).
    pub fn advertised_endpoint(&self) -> ApiServerEndpoint {
        self.advertise
    }

    /// One pass of kube-apiserver's endpoint reconciler: points the `kubernetes` Service's
    /// `https` port at the advertised port, creates the `default/kubernetes` Endpoints and
    /// EndpointSlice when missing and resets them when their addresses, ports or labels
    /// differ from the advertised endpoint. Writes go through the normal write path
    /// (traced, watched); when all are right, nothing is written or traced. Without an
    /// advertised address there are no endpoints to write. Returns how many objects it wrote.
    pub fn reconcile_kubernetes_endpoints(&mut self) -> usize {
        let port = self.advertise.port;
        let mut written = self.reconcile_kubernetes_service_port(port);
        let Some(address) = self.advertise.address else {
            return written;
        };
        let endpoints = wanted_endpoints(address, port);
        match self.get_current(Kind::Endpoints, NAMESPACE, NAME) {
            Err(_) => written += usize::from(self.create(NAMESPACE, endpoints.into()).is_ok()),
            Ok(kv) => {
                if let Object::Endpoints(current) = kv.value.as_ref() {
                    if current.subsets != endpoints.subsets
                        || current.metadata.labels != endpoints.metadata.labels
                    {
                        let mut reset = current.as_ref().clone();
                        reset.subsets = endpoints.subsets;
                        reset.metadata.labels = endpoints.metadata.labels;
                        written += usize::from(self.update(NAMESPACE, reset.into()).is_ok());
                    }
                }
            }
        }
        let slice = wanted_slice(address, port);
        match self.get_current(Kind::EndpointSlice, NAMESPACE, NAME) {
            Err(_) => written += usize::from(self.create(NAMESPACE, slice.into()).is_ok()),
            Ok(kv) => {
                if let Object::EndpointSlice(current) = kv.value.as_ref() {
                    if current.endpoints != slice.endpoints
                        || current.ports != slice.ports
                        || current.address_type != slice.address_type
                        || current.metadata.labels != slice.metadata.labels
                    {
                        let mut reset = current.as_ref().clone();
                        reset.endpoints = slice.endpoints;
                        reset.ports = slice.ports;
                        reset.address_type = slice.address_type;
                        reset.metadata.labels = slice.metadata.labels;
                        written += usize::from(self.update(NAMESPACE, reset.into()).is_ok());
                    }
                }
            }
        }
        written
    }
}

impl<S: KvStore<Object>> ApiServer<S> {
    /// Points the `kubernetes` Service's `https` port at `port` if it targets another one (a
    /// restarted host listening elsewhere), as kube-apiserver's Service reconciler does.
    fn reconcile_kubernetes_service_port(&mut self, port: u16) -> usize {
        let Ok(kv) = self.get_current(Kind::Service, NAMESPACE, NAME) else {
            return 0;
        };
        let Object::Service(service) = kv.value.as_ref() else {
            return 0;
        };
        let target = IntOrString::Int(i32::from(port));
        let mut reset = service.as_ref().clone();
        let Some(https) = reset
            .spec
            .as_mut()
            .and_then(|spec| spec.ports.as_mut())
            .and_then(|ports| {
                ports
                    .iter_mut()
                    .find(|p| p.name.as_deref() == Some(PORT_NAME))
            })
        else {
            return 0;
        };
        if https.target_port.as_ref() == Some(&target) {
            return 0;
        }
        https.target_port = Some(target);
        usize::from(self.update(NAMESPACE, reset.into()).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::DeleteOptions;
    use crate::sim::clock::SIM_EPOCH;
    use serde_json::json;

    fn value(api: &mut ApiServer, kind: Kind) -> serde_json::Value {
        api.get(kind, NAMESPACE, NAME).unwrap().to_value()
    }

    #[test]
    fn a_new_cluster_has_the_kubernetes_endpoints_and_slice() {
        let mut api = ApiServer::new(1, SIM_EPOCH);
        let endpoints = value(&mut api, Kind::Endpoints);
        assert_eq!(
            endpoints["metadata"]["labels"],
            json!({"endpointslice.kubernetes.io/skip-mirror": "true"})
        );
        assert_eq!(
            endpoints["subsets"],
            json!([{"addresses": [{"ip": "192.168.49.1"}],
                    "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}])
        );
        let slice = value(&mut api, Kind::EndpointSlice);
        assert_eq!(
            slice["metadata"]["labels"],
            json!({"kubernetes.io/service-name": "kubernetes"})
        );
        assert_eq!(slice["addressType"], "IPv4");
        assert_eq!(
            slice["endpoints"],
            json!([{"addresses": ["192.168.49.1"], "conditions": {"ready": true}}])
        );
        assert_eq!(
            slice["ports"],
            json!([{"name": "https", "port": 6443, "protocol": "TCP"}])
        );
        // The Service's targetPort is the advertised port.
        let service = value(&mut api, Kind::Service);
        assert_eq!(service["spec"]["ports"][0]["targetPort"], 6443);
        // A second pass has nothing to do.
        assert_eq!(api.reconcile_kubernetes_endpoints(), 0);
    }

    #[test]
    fn a_deleted_or_changed_endpoint_is_put_back_at_the_next_pass() {
        let mut api = ApiServer::new(1, SIM_EPOCH);
        api.delete(
            Kind::EndpointSlice,
            NAMESPACE,
            NAME,
            &DeleteOptions::default(),
        )
        .unwrap();
        let Object::Endpoints(endpoints) = api
            .get(Kind::Endpoints, NAMESPACE, NAME)
            .unwrap()
            .as_ref()
            .clone()
        else {
            panic!("not an Endpoints");
        };
        let mut changed = *endpoints;
        changed.subsets = None;
        api.update(NAMESPACE, changed.into()).unwrap();
        assert_eq!(api.reconcile_kubernetes_endpoints(), 2);
        assert_eq!(
            value(&mut api, Kind::Endpoints)["subsets"][0]["addresses"],
            json!([{"ip": "192.168.49.1"}])
        );
        assert_eq!(
            value(&mut api, Kind::EndpointSlice)["endpoints"][0]["addresses"],
            json!(["192.168.49.1"])
        );
        assert_eq!(api.reconcile_kubernetes_endpoints(), 0);
    }

    #[test]
    fn a_host_advertises_its_own_address_and_port() {
        let endpoint = ApiServerEndpoint {
            address: Some(Ipv4Addr::new(192, 0, 2, 10)),
            port: 16443,
        };
        let mut api = ApiServer::with_store_advertising(
            crate::store::MemoryStore::new(),
            1,
            SIM_EPOCH,
            endpoint,
        );
        assert_eq!(api.advertised_endpoint(), endpoint);
        let slice = value(&mut api, Kind::EndpointSlice);
        assert_eq!(slice["endpoints"][0]["addresses"], json!(["192.0.2.10"]));
        assert_eq!(slice["ports"][0]["port"], 16443);
        assert_eq!(
            value(&mut api, Kind::Service)["spec"]["ports"][0]["targetPort"],
            16443
        );
    }

    #[test]
    fn a_host_restarted_on_another_port_moves_the_service_and_endpoints_there() {
        let api = ApiServer::new(1, SIM_EPOCH);
        let store = api.store().clone();
        let moved = ApiServerEndpoint {
            port: 7443,
            ..ApiServerEndpoint::SIMULATED
        };
        let mut api = ApiServer::with_store_advertising(store, 2, SIM_EPOCH, moved);
        assert_eq!(
            value(&mut api, Kind::Service)["spec"]["ports"][0]["targetPort"],
            7443
        );
        assert_eq!(
            value(&mut api, Kind::EndpointSlice)["ports"][0]["port"],
            7443
        );
        assert_eq!(
            value(&mut api, Kind::Endpoints)["subsets"][0]["ports"][0]["port"],
            7443
        );
        assert_eq!(api.reconcile_kubernetes_endpoints(), 0);
    }

    #[test]
    fn a_host_without_an_address_leaves_the_service_without_endpoints() {
        let endpoint = ApiServerEndpoint {
            address: None,
            port: 6443,
        };
        let mut api = ApiServer::with_store_advertising(
            crate::store::MemoryStore::new(),
            1,
            SIM_EPOCH,
            endpoint,
        );
        assert!(api.get(Kind::Endpoints, NAMESPACE, NAME).is_err());
        assert!(api.get(Kind::EndpointSlice, NAMESPACE, NAME).is_err());
        assert!(api.get(Kind::Service, NAMESPACE, NAME).is_ok());
        assert_eq!(api.reconcile_kubernetes_endpoints(), 0);
    }
}
