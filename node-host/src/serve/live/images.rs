//! Live mode's per-node image view: what one node's simulated container runtime holds and
//! how its image pulls went, read on demand by the web page's images view (a big cluster's
//! page mirrors no Events, and a node's runtime is never in the API at all).
//!
//! - `GET /kubeplay/v1/images?node=NAME` → `{"node": NAME, "images": [{"reference":
//!   "docker.io/library/nginx:latest", "sizeBytes": N, "layers": [{"digest": "sha256:…",
//!   "sizeBytes": N, "usedBy": K}…]}…], "diskBytes": N, "layerCount": N, "events": [Event…],
//!   "eventsOmitted": M}`: the images the node's runtime has cached (by reference), each with
//!   the layers it holds (base first) and how many cached images use each layer (more than
//!   one: stored once), the bytes on disk counting each layer once, and the kubelet's `Pulled`
//!   Events from that node (`source.host`), oldest first, at most [`MAX_PULL_EVENTS`] (the
//!   newest; `eventsOmitted` counts the rest). A node without a simulated runtime answers an
//!   empty cache and its Events; a name no Node has is 404 `NotFound` as `kubectl get node`
//!   says it; no `node` is 400.
//!
//! Data flow: one actor job reads the runtime's cache and lists the Events with the field
//! selector `reason=Pulled` (Kubernetes has no field selector on `source.host`: the host is
//! matched in the same job); the Events are encoded off the cluster thread.

use std::collections::BTreeMap;
use std::sync::Arc;

use kubeplay_core::api::objects::{Kind, Object};
use kubeplay_core::apiserver::{ApiError, ListOptions};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::super::api::status::StatusError;
use super::super::cluster::{Cluster, ADMIN_USER};

/// The most `Pulled` Events one answer carries (a node's pods are ~100; restarts add more).
pub const MAX_PULL_EVENTS: usize = 500;

/// One cached layer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LayerAnswer {
    /// The layer's digest.
    pub digest: String,
    /// Its compressed size in bytes.
    pub size_bytes: u64,
    /// How many of the node's cached images use it.
    pub used_by: usize,
}

/// One cached image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageAnswer {
    /// The normalised reference.
    pub reference: String,
    /// The sum of its layers' sizes.
    pub size_bytes: u64,
    /// The layers the node holds, base first.
    pub layers: Vec<LayerAnswer>,
}

/// The answer of `GET /kubeplay/v1/images?node=NAME`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeImagesAnswer {
    /// The node.
    pub node: String,
    /// Its cached images, by reference.
    pub images: Vec<ImageAnswer>,
    /// Bytes on disk, each layer once.
    pub disk_bytes: u64,
    /// Distinct layers held.
    pub layer_count: usize,
    /// The kubelet's `Pulled` Events from the node, oldest first.
    pub events: Vec<Value>,
    /// How many older `Pulled` Events were left out.
    pub events_omitted: usize,
}

/// What the actor job reads: the cache part of the answer, and the node's Pulled Events.
type Read = (
    Option<(Vec<ImageAnswer>, u64, usize)>,
    Vec<Arc<Object>>,
    bool,
);

/// Reads one node's image cache and pulls.
pub async fn node_images(cluster: &Cluster, node: String) -> Result<NodeImagesAnswer, StatusError> {
    let name = node.clone();
    let (cache, mut events, node_exists): Read = cluster
        .call_world(move |world| {
            let cache = world.node_runtime(&name).map(|runtime| {
                let cache = runtime.cache();
                let catalogue = runtime.catalogue();
                let held: Vec<_> = cache
                    .image_references()
                    .filter_map(|reference| catalogue.find(reference))
                    .collect();
                let mut users: BTreeMap<&str, usize> = BTreeMap::new();
                for image in &held {
                    for layer in &image.layers {
                        *users.entry(layer.digest).or_insert(0) += 1;
                    }
                }
                let images = held
                    .iter()
                    .map(|image| ImageAnswer {
                        reference: image.reference.clone(),
                        size_bytes: image.size_bytes(),
                        layers: image
                            .layers
                            .iter()
                            .filter(|layer| cache.has_layer(layer.digest))
                            .map(|layer| LayerAnswer {
                                digest: layer.digest.to_string(),
                                size_bytes: layer.size_bytes,
                                used_by: users.get(layer.digest).copied().unwrap_or(1),
                            })
                            .collect(),
                    })
                    .collect();
                (images, cache.size_bytes(catalogue), cache.layer_count())
            });
            world.api().set_user(ADMIN_USER);
            let node_exists = world.api().get(Kind::Node, "", &name).is_ok();
            let pulled = ListOptions {
                field_selector: Some("reason=Pulled".to_string()),
                ..ListOptions::default()
            };
            let events = world
                .api()
                .list(Kind::Event, None, &pulled)
                .map(|list| {
                    list.items
                        .into_iter()
                        .filter(|object| match object.as_ref() {
                            Object::Event(event) => event.source_host() == Some(name.as_str()),
                            _ => false,
                        })
                        .collect()
                })
                .unwrap_or_default();
            (cache, events, node_exists)
        })
        .await
        .map_err(|_| StatusError::stopped())?;
    if !node_exists && cache.is_none() {
        return Err(StatusError::from(ApiError::NotFound {
            kind: Kind::Node,
            name: node,
        }));
    }
    events.sort_by_key(|object| match object.as_ref() {
        Object::Event(event) => event
            .first_timestamp()
            .or_else(|| event.last_timestamp())
            .map(|t| t.0.as_millisecond()),
        _ => None,
    });
    let events_omitted = events.len().saturating_sub(MAX_PULL_EVENTS);
    let (images, disk_bytes, layer_count) = cache.unwrap_or_default();
    Ok(NodeImagesAnswer {
        node,
        images,
        disk_bytes,
        layer_count,
        events: events
            .iter()
            .skip(events_omitted)
            .map(|object| object.to_value())
            .collect(),
        events_omitted,
    })
}
