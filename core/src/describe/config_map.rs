//! `kubectl describe configmap`: each data key with its value under a `----` rule, and the
//! sizes of the binary data.

use k8s_openapi::api::core::v1::ConfigMap;

use crate::api::objects::Object;
use crate::apiserver::ApiError;
use crate::kubectl::KubectlApi;
use crate::sim::clock::Timestamp;

use super::events::{describe_events, events_for};
use super::format::{annotations_multiline, labels_multiline};
use super::writer::{w, PrefixWriter, LEVEL_0};

/// `ConfigMapDescriber`. Go ranges over the data map in random order; kubeplay prints keys
/// sorted, one of the orders kubectl may print.
pub(crate) fn describe_config_map<A: KubectlApi + ?Sized>(
    api: &mut A,
    object: &Object,
    config_map: &ConfigMap,
    now: Timestamp,
) -> Result<String, ApiError> {
    let meta = &config_map.metadata;
    let mut w = PrefixWriter::new();
    w!(w, LEVEL_0, "Name:\t{}\n", object.name());
    w!(w, LEVEL_0, "Namespace:\t{}\n", object.namespace());
    labels_multiline(&mut w, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", meta.annotations.as_ref());
    w!(w, LEVEL_0, "\nData\n====\n");
    for (key, value) in config_map.data.iter().flatten() {
        w!(w, LEVEL_0, "{key}:\n----\n");
        w!(w, LEVEL_0, "{value}\n");
        w!(w, LEVEL_0, "\n");
    }
    w!(w, LEVEL_0, "\nBinaryData\n====\n");
    for (key, value) in config_map.binary_data.iter().flatten() {
        w!(w, LEVEL_0, "{key}: {} bytes\n", value.0.len());
    }
    w!(w, LEVEL_0, "\n");
    let events = events_for(api, object);
    describe_events(&mut w, &events, now);
    Ok(w.finish())
}
