//! The simulated registry's image catalogue and a node's layer cache.
//!
//! Images are lists of layers; images built on the same base share its layers, exactly as
//! OCI images do, so pulling `nginx:1.25` onto a node that already holds `debian:12` only
//! downloads nginx's own layers. Sizes are the compressed sizes the real images have on
//! Docker Hub (rounded). A reference is normalised as Docker does (`nginx` is
//! `docker.io/library/nginx:latest`) before it is looked up.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, OnceLock};

/// One layer: a digest and its compressed size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layer {
    /// The layer's (simulated) digest, unique per content.
    pub digest: &'static str,
    /// Compressed size in bytes.
    pub size_bytes: u64,
}

/// One image in the catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    /// The normalised reference (`docker.io/library/nginx:1.25`).
    pub reference: String,
    /// The image's layers, base first.
    pub layers: Vec<Layer>,
}

impl Image {
    /// The sum of the layer sizes.
    pub fn size_bytes(&self) -> u64 {
        self.layers.iter().map(|l| l.size_bytes).sum()
    }

    /// A digest reference for `imageID` (`docker.io/library/nginx@sha256:…`), derived from
    /// the top layer so it is stable.
    pub fn image_id(&self) -> String {
        let repository = self
            .reference
            .rsplit_once(':')
            .map_or(self.reference.as_str(), |(r, _)| r);
        let top = self.layers.last().map_or("", |l| l.digest);
        format!("{repository}@sha256:{top}")
    }
}

const MB: u64 = 1_000_000;

const ALPINE_BASE: Layer = layer("a1f2c3d4e5b60718293a4b5c6d7e8f90", 3_600_000);
const BUSYBOX_BASE: Layer = layer("b2c3d4e5f6a71829304b5c6d7e8f9a01", 2_200_000);
const DEBIAN_BASE: Layer = layer("d3e4f5a6b7c8192a3b4c5d6e7f8091a2", 49 * MB);
const DEBIAN_SLIM_BASE: Layer = layer("d4e5f6a7b8c9203b4c5d6e7f8091a2b3", 28 * MB);
const UBUNTU_BASE: Layer = layer("e5f6a7b8c9d0314c5d6e7f8091a2b3c4", 29_700_000);

const fn layer(digest: &'static str, size_bytes: u64) -> Layer {
    Layer { digest, size_bytes }
}

/// The catalogue: every image the simulated registry serves.
fn catalogue_entries() -> Vec<(&'static str, Vec<Layer>)> {
    let nginx_125 = vec![
        DEBIAN_BASE,
        layer("f1a2b3c4d5e6071829a3b4c5d6e7f801", 17_900 * 1000),
        layer("f1a2b3c4d5e6071829a3b4c5d6e7f802", 630),
        layer("f1a2b3c4d5e6071829a3b4c5d6e7f803", 960),
        layer("f1a2b3c4d5e6071829a3b4c5d6e7f804", 1_210),
    ];
    let nginx_127 = vec![
        DEBIAN_BASE,
        layer("f2a2b3c4d5e6071829a3b4c5d6e7f801", 19_500 * 1000),
        layer("f2a2b3c4d5e6071829a3b4c5d6e7f802", 630),
        layer("f2a2b3c4d5e6071829a3b4c5d6e7f803", 960),
    ];
    let nginx_126 = vec![
        DEBIAN_BASE,
        layer("f3a2b3c4d5e6071829a3b4c5d6e7f801", 18_800 * 1000),
        layer("f3a2b3c4d5e6071829a3b4c5d6e7f802", 630),
        layer("f3a2b3c4d5e6071829a3b4c5d6e7f803", 960),
    ];
    let python_slim = vec![
        DEBIAN_SLIM_BASE,
        layer("c1b2a3d4e5f6071829a3b4c5d6e7f801", 3_500 * 1000),
        layer("c1b2a3d4e5f6071829a3b4c5d6e7f802", 14 * MB),
        layer("c1b2a3d4e5f6071829a3b4c5d6e7f803", 250),
    ];
    let python_full = vec![
        DEBIAN_BASE,
        layer("c2b2a3d4e5f6071829a3b4c5d6e7f801", 24 * MB),
        layer("c2b2a3d4e5f6071829a3b4c5d6e7f802", 64 * MB),
        layer("c2b2a3d4e5f6071829a3b4c5d6e7f803", 211 * MB),
        layer("c2b2a3d4e5f6071829a3b4c5d6e7f804", 27 * MB),
    ];
    let temurin_jre = vec![
        UBUNTU_BASE,
        layer("7a1b2c3d4e5f60718293a4b5c6d7e801", 17 * MB),
        layer("7a1b2c3d4e5f60718293a4b5c6d7e802", 55 * MB),
    ];
    let mut spring = temurin_jre.clone();
    spring.extend([
        layer("5b1c2d3e4f5a60718293a4b5c6d7e801", 18 * MB),
        layer("5b1c2d3e4f5a60718293a4b5c6d7e802", 243 * MB),
        layer("5b1c2d3e4f5a60718293a4b5c6d7e803", 42 * MB),
    ]);
    let node_alpine = vec![
        ALPINE_BASE,
        layer("6c1d2e3f4a5b60718293a4b5c6d7e801", 42 * MB),
        layer("6c1d2e3f4a5b60718293a4b5c6d7e802", 1_400 * 1000),
    ];
    let redis_alpine = vec![
        ALPINE_BASE,
        layer("8d1e2f3a4b5c60718293a4b5c6d7e801", 1_100 * 1000),
        layer("8d1e2f3a4b5c60718293a4b5c6d7e802", 12 * MB),
    ];
    // Behaviour images (see `workload`): tiny images on busybox that crash, run out of
    // memory, fail probes or finish.
    let behaviour = |digest: &'static str| vec![BUSYBOX_BASE, layer(digest, 4_000)];
    vec![
        ("docker.io/library/alpine:3.20", vec![ALPINE_BASE]),
        ("docker.io/library/alpine:latest", vec![ALPINE_BASE]),
        ("docker.io/library/busybox:1.36", vec![BUSYBOX_BASE]),
        ("docker.io/library/busybox:latest", vec![BUSYBOX_BASE]),
        ("docker.io/library/debian:12", vec![DEBIAN_BASE]),
        ("docker.io/library/debian:bookworm", vec![DEBIAN_BASE]),
        ("docker.io/library/debian:latest", vec![DEBIAN_BASE]),
        ("docker.io/library/ubuntu:24.04", vec![UBUNTU_BASE]),
        ("docker.io/library/nginx:1.25", nginx_125.clone()),
        ("docker.io/library/nginx:1.26", nginx_126),
        ("docker.io/library/nginx:1.27", nginx_127.clone()),
        ("docker.io/library/nginx:latest", nginx_127),
        ("docker.io/library/nginx:1.14.2", nginx_125),
        ("docker.io/library/python:3.12-slim", python_slim),
        ("docker.io/library/python:3.12", python_full.clone()),
        ("docker.io/library/python:latest", python_full),
        ("docker.io/library/node:22-alpine", node_alpine),
        ("docker.io/library/redis:7-alpine", redis_alpine),
        ("docker.io/library/eclipse-temurin:21-jre", temurin_jre),
        ("docker.io/springio/petclinic:latest", spring.clone()),
        ("docker.io/springio/petclinic:3.3", spring),
        (
            "docker.io/kubeplay/crash:latest",
            behaviour("9e00000000000000000000000000c001"),
        ),
        (
            "docker.io/kubeplay/oom:latest",
            behaviour("9e00000000000000000000000000c002"),
        ),
        (
            "docker.io/kubeplay/unready:latest",
            behaviour("9e00000000000000000000000000c003"),
        ),
        (
            "docker.io/kubeplay/unhealthy:latest",
            behaviour("9e00000000000000000000000000c004"),
        ),
        (
            "docker.io/kubeplay/job:latest",
            behaviour("9e00000000000000000000000000c005"),
        ),
        (
            "docker.io/library/hello-world:latest",
            vec![layer("9e00000000000000000000000000c006", 2_500)],
        ),
    ]
}

/// Normalises a reference as Docker does: default registry `docker.io`, default namespace
/// `library`, default tag `latest` (a digest reference keeps its digest).
pub fn normalize_reference(image: &str) -> String {
    let (name, suffix) = match image.split_once('@') {
        Some((name, digest)) => (name, format!("@{digest}")),
        None => {
            let last_slash = image.rfind('/').map_or(0, |i| i + 1);
            match image.get(last_slash..).and_then(|last| last.rfind(':')) {
                Some(colon) => {
                    let at = last_slash + colon;
                    (&image[..at], format!(":{}", &image[at + 1..]))
                }
                None => (image, ":latest".to_string()),
            }
        }
    };
    let first = name.split('/').next().unwrap_or("");
    let has_registry =
        name.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    let full = if has_registry {
        name.to_string()
    } else if name.contains('/') {
        format!("docker.io/{name}")
    } else {
        format!("docker.io/library/{name}")
    };
    format!("{full}{suffix}")
}

/// The simulated registry: every image it serves, by normalised reference.
///
/// Every node's runtime has one; they share the built-in images (one map behind an `Arc`, ~7 KB
/// that 5,000 nodes would otherwise each copy) until a lesson adds an image to one of them.
#[derive(Clone, Debug)]
pub struct ImageCatalogue {
    images: Arc<BTreeMap<String, Image>>,
}

impl Default for ImageCatalogue {
    fn default() -> Self {
        // Built once per process and shared: the entries are constants, so every catalogue
        // starts equal whichever built it first.
        static BUILT_IN: OnceLock<Arc<BTreeMap<String, Image>>> = OnceLock::new();
        let images = BUILT_IN.get_or_init(|| {
            Arc::new(
                catalogue_entries()
                    .into_iter()
                    .map(|(reference, layers)| {
                        (
                            reference.to_string(),
                            Image {
                                reference: reference.to_string(),
                                layers,
                            },
                        )
                    })
                    .collect(),
            )
        });
        ImageCatalogue {
            images: Arc::clone(images),
        }
    }
}

impl ImageCatalogue {
    /// The image a reference names, if the registry has it.
    pub fn find(&self, image: &str) -> Option<&Image> {
        self.images.get(&normalize_reference(image))
    }

    /// Adds (or replaces) an image, for lessons that bring their own.
    pub fn insert(&mut self, image: Image) {
        Arc::make_mut(&mut self.images).insert(image.reference.clone(), image);
    }

    /// Every image, by reference.
    pub fn images(&self) -> impl Iterator<Item = &Image> {
        self.images.values()
    }
}

/// One node's image store: the layers it holds and the images they complete.
#[derive(Clone, Debug, Default)]
pub struct LayerCache {
    layers: BTreeSet<&'static str>,
    images: BTreeSet<String>,
}

impl LayerCache {
    /// Whether the node holds the image (by normalised reference).
    pub fn has_image(&self, reference: &str) -> bool {
        self.images.contains(reference)
    }

    /// The layers of `image` the node lacks.
    pub fn missing_layers<'a>(&self, image: &'a Image) -> Vec<&'a Layer> {
        image
            .layers
            .iter()
            .filter(|l| !self.layers.contains(l.digest))
            .collect()
    }

    /// Records that the node now holds every layer of `image`.
    pub fn store(&mut self, image: &Image) {
        for layer in &image.layers {
            self.layers.insert(layer.digest);
        }
        self.images.insert(image.reference.clone());
    }

    /// Whether the node holds the layer with this digest (read-only, for the UI's image view).
    pub fn has_layer(&self, digest: &str) -> bool {
        self.layers.contains(digest)
    }

    /// How many distinct layers the node holds.
    pub fn layer_count(&self) -> usize {
        self.layers.len()
    }

    /// Bytes on disk: each shared layer counted once.
    pub fn size_bytes(&self, catalogue: &ImageCatalogue) -> u64 {
        let mut sizes: BTreeMap<&str, u64> = BTreeMap::new();
        for image in catalogue.images() {
            for layer in &image.layers {
                if self.layers.contains(layer.digest) {
                    sizes.insert(layer.digest, layer.size_bytes);
                }
            }
        }
        sizes.values().sum()
    }

    /// The images the node holds (normalised references).
    pub fn image_references(&self) -> impl Iterator<Item = &String> {
        self.images.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_normalise_as_docker_does() {
        for (given, normal) in [
            ("nginx", "docker.io/library/nginx:latest"),
            ("nginx:1.25", "docker.io/library/nginx:1.25"),
            ("springio/petclinic", "docker.io/springio/petclinic:latest"),
            ("registry.k8s.io/pause:3.10", "registry.k8s.io/pause:3.10"),
            ("localhost:5000/app", "localhost:5000/app:latest"),
        ] {
            assert_eq!(normalize_reference(given), normal, "{given}");
        }
    }

    #[test]
    fn an_image_sharing_base_layers_only_misses_its_own_layers() {
        let catalogue = ImageCatalogue::default();
        let mut cache = LayerCache::default();
        let debian = catalogue.find("debian:12").unwrap();
        cache.store(debian);
        let nginx = catalogue.find("nginx:1.25").unwrap();
        let missing = cache.missing_layers(nginx);
        assert_eq!(missing.len(), nginx.layers.len() - 1);
        assert!(missing.iter().all(|l| l.digest != DEBIAN_BASE.digest));
    }

    #[test]
    fn the_spring_image_weighs_several_hundred_megabytes() {
        let catalogue = ImageCatalogue::default();
        let spring = catalogue.find("springio/petclinic:3.3").unwrap();
        assert!(spring.size_bytes() > 300 * MB && spring.size_bytes() < 600 * MB);
        let nginx = catalogue.find("nginx:1.25").unwrap().size_bytes();
        assert!(nginx > 60 * MB && nginx < 75 * MB, "{nginx}");
    }
}
