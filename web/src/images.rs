//! What the images view shows per node: the image layers its runtime has cached (and their
//! sizes) and how long each image pull took.
//!
//! The cache comes from each node's simulated container runtime (read-only through
//! `World::node_runtime`): the images it holds, each image's layers from the registry's
//! catalogue, and which layers several cached images share (stored once on disk, pulled
//! once). The pulls come from the kubelet's `Pulled` events (`source.host` is the node):
//! [`parse_pulled_message`] reads kubelet's exact texts — `Successfully pulled image "nginx"
//! in 7.264s (7.264s including waiting). Image size: 68857691 bytes.` or `Container image
//! "nginx" already present on machine` — so the view shows the same numbers
//! `kubectl describe pod` does.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::cluster::ObjectSource;
use kubeplay_core::api::objects::{CompactEvent, Kind, Object};
use serde::Deserialize;

/// One cached layer of an image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedLayer {
    /// The digest shortened to its first 8 and last 4 characters (`f2a2b3c4…f801`): the
    /// simulated digests of one image's layers share long prefixes.
    pub short_digest: String,
    /// Compressed size in bytes.
    pub size_bytes: u64,
    /// How many of the node's cached images use the layer (more than one: stored once).
    pub used_by: usize,
}

/// One image in a node's cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedImage {
    /// The normalised reference (`docker.io/library/nginx:latest`).
    pub reference: String,
    /// The sum of its layers' sizes.
    pub size_bytes: u64,
    /// Its layers, base first.
    pub layers: Vec<CachedLayer>,
}

/// How one image pull went, from a `Pulled` event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PullOutcome {
    /// Layers were downloaded.
    Pulled {
        /// The pull itself (`7.264s`, Go's duration text).
        pull: String,
        /// The pull in milliseconds, for the bar.
        pull_ms: u64,
        /// The pull plus the time queued behind other pulls.
        including_waiting: String,
        /// The image's size in bytes.
        size_bytes: u64,
    },
    /// The image was in the cache: nothing downloaded.
    AlreadyPresent,
}

/// One pull on a node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PullRecord {
    /// The pod (`namespace/name`) the image was pulled for.
    pub pod: String,
    /// The image as the pod spec names it (`nginx`).
    pub image: String,
    /// How it went.
    pub outcome: PullOutcome,
}

/// One node's column of the view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeImages {
    /// The node's name.
    pub node: String,
    /// Its cached images, by reference.
    pub images: Vec<CachedImage>,
    /// Bytes on disk: each shared layer once.
    pub disk_bytes: u64,
    /// Distinct layers held.
    pub layer_count: usize,
    /// Its pulls, oldest first.
    pub pulls: Vec<PullRecord>,
}

/// Reads every node's image cache and pulls from the in-page simulation. (Live, the view
/// reads one node at a time from the server instead: [`read_node_images_answer`]; given a
/// mirror, this finds no runtime and shows only the pulls from its Events.)
pub fn read_node_images<'a>(source: impl Into<ObjectSource<'a>>) -> Vec<NodeImages> {
    let mut source = source.into();
    let mut pulls = pulls_by_node(&source.objects(Kind::Event));
    let node_names = source.node_names();
    let world = source.world();
    node_names
        .into_iter()
        .map(|node| {
            let mut images = Vec::new();
            let mut disk_bytes = 0;
            let mut layer_count = 0;
            if let Some(runtime) = world.as_ref().and_then(|w| w.node_runtime(&node)) {
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
                images = held
                    .iter()
                    .map(|image| CachedImage {
                        reference: image.reference.clone(),
                        size_bytes: image.size_bytes(),
                        layers: image
                            .layers
                            .iter()
                            .filter(|layer| cache.has_layer(layer.digest))
                            .map(|layer| CachedLayer {
                                short_digest: shorten_digest(layer.digest),
                                size_bytes: layer.size_bytes,
                                used_by: users.get(layer.digest).copied().unwrap_or(1),
                            })
                            .collect(),
                    })
                    .collect();
                disk_bytes = cache.size_bytes(catalogue);
                layer_count = cache.layer_count();
            }
            NodeImages {
                pulls: pulls.remove(&node).unwrap_or_default(),
                node,
                images,
                disk_bytes,
                layer_count,
            }
        })
        .collect()
}

/// The path of one node's image cache and pulls in live mode (`kubeplay serve`'s
/// `/kubeplay/v1/images`, read on demand for a big cluster).
pub fn node_images_path(node: &str) -> String {
    format!("/kubeplay/v1/images?node={node}")
}

/// One cached layer as the server gives it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct LayerAnswer {
    digest: String,
    size_bytes: u64,
    used_by: usize,
}

/// One cached image as the server gives it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ImageAnswer {
    reference: String,
    size_bytes: u64,
    layers: Vec<LayerAnswer>,
}

/// The answer of `GET /kubeplay/v1/images?node=NAME`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct NodeImagesAnswer {
    node: String,
    images: Vec<ImageAnswer>,
    disk_bytes: u64,
    layer_count: usize,
    events: Vec<serde_json::Value>,
}

/// Reads the server's answer for one node into the view's column: its cache as the server's
/// runtime holds it, its pulls from the `Pulled` Events it sent (read as the simulation's).
pub fn read_node_images_answer(body: &str) -> Result<NodeImages, String> {
    let answer: NodeImagesAnswer = serde_json::from_str(body).map_err(|error| error.to_string())?;
    if answer.node.is_empty() {
        return Err("the answer names no node".to_string());
    }
    let events: Vec<Arc<Object>> = answer
        .events
        .into_iter()
        .filter_map(|value| Object::from_value_as(Kind::Event, value).ok())
        .map(Arc::new)
        .collect();
    let mut pulls = pulls_by_node(&events);
    Ok(NodeImages {
        pulls: pulls.remove(&answer.node).unwrap_or_default(),
        images: answer
            .images
            .into_iter()
            .map(|image| CachedImage {
                reference: image.reference,
                size_bytes: image.size_bytes,
                layers: image
                    .layers
                    .into_iter()
                    .map(|layer| CachedLayer {
                        short_digest: shorten_digest(&layer.digest),
                        size_bytes: layer.size_bytes,
                        used_by: layer.used_by,
                    })
                    .collect(),
            })
            .collect(),
        disk_bytes: answer.disk_bytes,
        layer_count: answer.layer_count,
        node: answer.node,
    })
}

/// The kubelet's `Pulled` events per node (`source.host`), oldest first.
fn pulls_by_node(events: &[Arc<Object>]) -> BTreeMap<String, Vec<PullRecord>> {
    let mut pulled: Vec<&CompactEvent> = events
        .iter()
        .filter_map(|object| match object.as_ref() {
            Object::Event(event) if event.reason() == Some("Pulled") => Some(event.as_ref()),
            _ => None,
        })
        .collect();
    pulled.sort_by_key(|e| {
        e.first_timestamp()
            .or_else(|| e.last_timestamp())
            .map(|t| t.0.as_millisecond())
    });
    let mut by_node: BTreeMap<String, Vec<PullRecord>> = BTreeMap::new();
    for event in pulled {
        let Some(node) = event.source_host().map(str::to_string) else {
            continue;
        };
        let Some((image, outcome)) = event.message().and_then(parse_pulled_message) else {
            continue;
        };
        let involved = event.involved_object();
        by_node.entry(node).or_default().push(PullRecord {
            pod: format!(
                "{}/{}",
                involved.namespace().unwrap_or_default(),
                involved.name().unwrap_or_default()
            ),
            image,
            outcome,
        });
    }
    by_node
}

/// `f2a2b3c4…f801`: the first 8 and last 4 characters of a digest (whole when short).
pub fn shorten_digest(digest: &str) -> String {
    let chars: Vec<char> = digest.chars().collect();
    if chars.len() <= 13 {
        return digest.to_string();
    }
    let head: String = chars.iter().take(8).collect();
    let tail: String = chars.iter().skip(chars.len() - 4).collect();
    format!("{head}…{tail}")
}

/// The image and outcome of a kubelet `Pulled` message; None for any other text.
pub fn parse_pulled_message(message: &str) -> Option<(String, PullOutcome)> {
    if let Some(rest) = message.strip_prefix("Container image \"") {
        let image = rest.strip_suffix("\" already present on machine")?;
        return Some((image.to_string(), PullOutcome::AlreadyPresent));
    }
    let rest = message.strip_prefix("Successfully pulled image \"")?;
    let (image, rest) = rest.split_once("\" in ")?;
    let (pull, rest) = rest.split_once(" (")?;
    let (including_waiting, rest) = rest.split_once(" including waiting). Image size: ")?;
    let size_bytes = rest.strip_suffix(" bytes.")?.parse().ok()?;
    Some((
        image.to_string(),
        PullOutcome::Pulled {
            pull_ms: parse_go_duration_ms(pull)?,
            pull: pull.to_string(),
            including_waiting: including_waiting.to_string(),
            size_bytes,
        },
    ))
}

/// Milliseconds of a Go duration text as the kubelet prints them (`313ms`, `7.264s`,
/// `1m2.5s`, `1h0m3s`); None for other text.
pub fn parse_go_duration_ms(text: &str) -> Option<u64> {
    if text == "0s" {
        return Some(0);
    }
    let mut total_ms: u64 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_len);
        let unit_len = after
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_len);
        let unit_ms: u64 = match unit {
            "h" => 3_600_000,
            "m" => 60_000,
            "s" => 1_000,
            "ms" => 1,
            _ => return None,
        };
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        let whole: u64 = whole.parse().ok()?;
        // Up to three decimals (the kubelet truncates to milliseconds).
        let fraction_ms = if fraction.is_empty() {
            0
        } else {
            let digits: String = fraction.chars().chain("000".chars()).take(3).collect();
            digits.parse::<u64>().ok()? * unit_ms / 1_000
        };
        total_ms = total_ms
            .checked_add(whole.checked_mul(unit_ms)?)?
            .checked_add(fraction_ms)?;
        rest = next;
    }
    Some(total_ms)
}

/// Bytes in decimal units, as registries and `docker images` show sizes: `3.6 MB`, `49 MB`.
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1_000_000_000, "GB"), (1_000_000, "MB"), (1_000, "kB")];
    for (size, unit) in UNITS {
        if bytes >= size {
            let tenths = bytes * 10 / size;
            return if tenths % 10 == 0 || tenths >= 1_000 {
                format!("{} {unit}", tenths / 10)
            } else {
                format!("{}.{} {unit}", tenths / 10, tenths % 10)
            };
        }
    }
    format!("{bytes} B")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playground::Playground;

    #[test]
    fn a_live_nodes_answer_gives_its_cache_and_only_its_own_pulls() {
        let pulled = |host: &str, pod: &str, message: &str| {
            serde_json::json!({
                "metadata": {"namespace": "default", "name": format!("{pod}.1")},
                "involvedObject": {"kind": "Pod", "namespace": "default", "name": pod},
                "reason": "Pulled", "message": message,
                "source": {"component": "kubelet", "host": host},
                "firstTimestamp": "2026-01-01T00:00:00Z",
            })
        };
        let body = serde_json::json!({
            "node": "node-7",
            "images": [{"reference": "docker.io/library/nginx:latest", "sizeBytes": 300,
                "layers": [{"digest": "sha256:0123456789abcdef", "sizeBytes": 100, "usedBy": 2}]}],
            "diskBytes": 250, "layerCount": 3,
            "events": [
                pulled("node-7", "web-1", "Successfully pulled image \"nginx\" in 7.264s (7.264s including waiting). Image size: 68857691 bytes."),
                pulled("node-7", "web-2", "Container image \"nginx\" already present on machine"),
                pulled("node-8", "web-3", "Container image \"nginx\" already present on machine"),
            ],
            "eventsOmitted": 0,
        })
        .to_string();
        let node = read_node_images_answer(&body);
        let node = node.as_ref().ok();
        assert_eq!(node.map(|n| n.node.as_str()), Some("node-7"));
        assert_eq!(node.map(|n| (n.disk_bytes, n.layer_count)), Some((250, 3)));
        let layer = node
            .and_then(|n| n.images.first())
            .and_then(|i| i.layers.first());
        assert_eq!(
            layer.map(|l| l.short_digest.as_str()),
            Some("sha256:0…cdef")
        );
        assert_eq!(layer.map(|l| l.used_by), Some(2));
        let pods: Vec<&str> = node
            .map(|n| n.pulls.iter().map(|p| p.pod.as_str()).collect())
            .unwrap_or_default();
        assert_eq!(pods, ["default/web-1", "default/web-2"]);
        assert!(read_node_images_answer("{}").is_err());
        assert!(read_node_images_answer("not json").is_err());
        assert_eq!(
            node_images_path("node-7"),
            "/kubeplay/v1/images?node=node-7"
        );
    }

    #[test]
    fn kubelet_pulled_messages_are_read_into_image_and_outcome() {
        let pulled = parse_pulled_message(
            "Successfully pulled image \"nginx:1.27\" in 7.264s (9.1s including waiting). Image size: 68857691 bytes.",
        );
        assert_eq!(
            pulled,
            Some((
                "nginx:1.27".to_string(),
                PullOutcome::Pulled {
                    pull: "7.264s".to_string(),
                    pull_ms: 7_264,
                    including_waiting: "9.1s".to_string(),
                    size_bytes: 68_857_691,
                }
            ))
        );
        assert_eq!(
            parse_pulled_message("Container image \"nginx\" already present on machine"),
            Some(("nginx".to_string(), PullOutcome::AlreadyPresent))
        );
        for other in [
            "Pulling image \"nginx\"",
            "Successfully pulled image \"x\" in",
            "",
        ] {
            assert_eq!(parse_pulled_message(other), None, "{other:?}");
        }
    }

    #[test]
    fn digests_shorten_to_head_and_tail_so_sibling_layers_stay_apart() {
        let cases = [
            ("f2a2b3c4d5e6071829a3b4c5d6e7f802", "f2a2b3c4…f802"),
            ("f2a2b3c4d5e6071829a3b4c5d6e7f803", "f2a2b3c4…f803"),
            ("abc", "abc"),
        ];
        for (digest, short) in cases {
            assert_eq!(shorten_digest(digest), short);
        }
    }

    #[test]
    fn go_durations_read_as_milliseconds() {
        let cases = [
            ("0s", Some(0)),
            ("313ms", Some(313)),
            ("7.264s", Some(7_264)),
            ("1.2s", Some(1_200)),
            ("1m2.5s", Some(62_500)),
            ("1h0m3s", Some(3_603_000)),
            ("3 s", None),
            ("fast", None),
        ];
        for (text, ms) in cases {
            assert_eq!(parse_go_duration_ms(text), ms, "{text:?}");
        }
    }

    #[test]
    fn sizes_read_in_decimal_units() {
        let cases = [
            (512, "512 B"),
            (3_600_000, "3.6 MB"),
            (49_000_000, "49 MB"),
            (68_857_691, "68.8 MB"),
            (1_250_000_000, "1.2 GB"),
            (250_000_000, "250 MB"),
        ];
        for (bytes, text) in cases {
            assert_eq!(format_bytes(bytes), text, "{bytes}");
        }
    }

    #[test]
    fn after_the_sample_each_node_with_a_pod_caches_nginx_and_shows_its_pull() {
        let mut playground = Playground::new(2, 3);
        playground.apply_sample();
        playground.set_running(true);
        for _ in 0..160 {
            playground.tick(250.0);
        }
        let nodes = read_node_images(playground.world_mut());
        assert_eq!(nodes.len(), 3);
        let with_nginx: Vec<_> = nodes
            .iter()
            .filter(|n| {
                n.images
                    .iter()
                    .any(|i| i.reference == "docker.io/library/nginx:latest")
            })
            .collect();
        assert!(!with_nginx.is_empty());
        for node in with_nginx {
            assert!(node.disk_bytes > 0 && node.layer_count > 0, "{}", node.node);
            let layer_bytes: u64 = node
                .images
                .iter()
                .flat_map(|i| &i.layers)
                .filter(|l| l.used_by == 1)
                .map(|l| l.size_bytes)
                .sum();
            assert!(layer_bytes <= node.disk_bytes);
            let pulled_nginx = node
                .pulls
                .iter()
                .any(|p| p.image == "nginx" && matches!(p.outcome, PullOutcome::Pulled { .. }));
            assert!(pulled_nginx, "{}: {:?}", node.node, node.pulls);
        }
    }
}
