//! `kubectl describe endpointslice`: address type, ports, and each endpoint with its
//! ready condition, hostname, target, node and zone.

use k8s_openapi::api::discovery::v1::EndpointSlice;

use crate::api::objects::Object;
use crate::apiserver::ApiError;
use crate::kubectl::KubectlApi;
use crate::sim::clock::Timestamp;

use super::events::{describe_events, events_for};
use super::format::{annotations_multiline, labels_multiline};
use super::writer::{w, PrefixWriter, LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3};

/// `describeEndpointSliceV1`.
pub(crate) fn describe_endpoint_slice<A: KubectlApi + ?Sized>(
    api: &mut A,
    object: &Object,
    slice: &EndpointSlice,
    now: Timestamp,
) -> Result<String, ApiError> {
    let events = events_for(api, object);
    let meta = &slice.metadata;
    let unset = || "<unset>".to_string();
    let mut w = PrefixWriter::new();
    w!(w, LEVEL_0, "Name:\t{}\n", object.name());
    w!(w, LEVEL_0, "Namespace:\t{}\n", object.namespace());
    labels_multiline(&mut w, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", meta.annotations.as_ref());
    w!(w, LEVEL_0, "AddressType:\t{}\n", slice.address_type);
    let ports = slice.ports.as_deref().unwrap_or_default();
    if ports.is_empty() {
        w!(w, LEVEL_0, "Ports: <unset>\n");
    } else {
        w!(w, LEVEL_0, "Ports:\n");
        w!(w, LEVEL_1, "Name\tPort\tProtocol\n");
        w!(w, LEVEL_1, "----\t----\t--------\n");
        for port in ports {
            let name = port
                .name
                .clone()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(unset);
            let number = port.port.map_or_else(unset, |p| p.to_string());
            w!(
                w,
                LEVEL_1,
                "{name}\t{number}\t{}\n",
                port.protocol.as_deref().unwrap_or("")
            );
        }
    }
    if slice.endpoints.is_empty() {
        w!(w, LEVEL_0, "Endpoints: <none>\n");
    } else {
        w!(w, LEVEL_0, "Endpoints:\n");
        for endpoint in &slice.endpoints {
            let addresses = endpoint.addresses.join(", ");
            let addresses = if addresses.is_empty() {
                "<none>".to_string()
            } else {
                addresses
            };
            w!(w, LEVEL_1, "- Addresses:\t{addresses}\n");
            w!(w, LEVEL_2, "Conditions:\n");
            let ready = endpoint
                .conditions
                .as_ref()
                .and_then(|c| c.ready)
                .map_or_else(unset, |r| r.to_string());
            w!(w, LEVEL_3, "Ready:\t{ready}\n");
            w!(
                w,
                LEVEL_2,
                "Hostname:\t{}\n",
                endpoint.hostname.clone().unwrap_or_else(unset)
            );
            if let Some(target) = &endpoint.target_ref {
                w!(
                    w,
                    LEVEL_2,
                    "TargetRef:\t{}/{}\n",
                    target.kind.as_deref().unwrap_or(""),
                    target.name.as_deref().unwrap_or("")
                );
            }
            w!(
                w,
                LEVEL_2,
                "NodeName:\t{}\n",
                endpoint.node_name.clone().unwrap_or_else(unset)
            );
            w!(
                w,
                LEVEL_2,
                "Zone:\t{}\n",
                endpoint.zone.clone().unwrap_or_else(unset)
            );
        }
    }
    describe_events(&mut w, &events, now);
    Ok(w.finish())
}
