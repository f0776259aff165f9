//! `kubectl describe endpoints`: each subset's ready and not-ready addresses and its ports.

use k8s_openapi::api::core::v1::Endpoints;

use crate::api::objects::Object;
use crate::apiserver::ApiError;
use crate::kubectl::KubectlApi;
use crate::sim::clock::Timestamp;

use super::events::{describe_events, events_for};
use super::format::{annotations_multiline, labels_multiline};
use super::writer::{w, PrefixWriter, LEVEL_0, LEVEL_1, LEVEL_2};

/// `EndpointsDescriber`.
pub(crate) fn describe_endpoints<A: KubectlApi + ?Sized>(
    api: &mut A,
    object: &Object,
    endpoints: &Endpoints,
    now: Timestamp,
) -> Result<String, ApiError> {
    let events = events_for(api, object);
    let meta = &endpoints.metadata;
    let mut w = PrefixWriter::new();
    w!(w, LEVEL_0, "Name:\t{}\n", object.name());
    w!(w, LEVEL_0, "Namespace:\t{}\n", object.namespace());
    labels_multiline(&mut w, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", meta.annotations.as_ref());
    w!(w, LEVEL_0, "Subsets:\n");
    for subset in endpoints.subsets.iter().flatten() {
        let ips = |addresses: &Option<Vec<k8s_openapi::api::core::v1::EndpointAddress>>| {
            let text = addresses
                .iter()
                .flatten()
                .map(|a| a.ip.as_str())
                .collect::<Vec<_>>()
                .join(",");
            if text.is_empty() {
                "<none>".to_string()
            } else {
                text
            }
        };
        w!(w, LEVEL_1, "Addresses:\t{}\n", ips(&subset.addresses));
        w!(
            w,
            LEVEL_1,
            "NotReadyAddresses:\t{}\n",
            ips(&subset.not_ready_addresses)
        );
        if let Some(ports) = subset.ports.as_deref().filter(|p| !p.is_empty()) {
            w!(w, LEVEL_1, "Ports:\n");
            w!(w, LEVEL_2, "Name\tPort\tProtocol\n");
            w!(w, LEVEL_2, "----\t----\t--------\n");
            for port in ports {
                let name = port.name.as_deref().filter(|n| !n.is_empty());
                w!(
                    w,
                    LEVEL_2,
                    "{}\t{}\t{}\n",
                    name.unwrap_or("<unset>"),
                    port.port,
                    port.protocol.as_deref().unwrap_or("")
                );
            }
        }
        w!(w, LEVEL_0, "\n");
    }
    describe_events(&mut w, &events, now);
    Ok(w.finish())
}
