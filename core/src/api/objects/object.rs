//! [`Object`]: one stored Kubernetes object of a supported kind, in its k8s-openapi wire type.
//!
//! JSON comes in through [`Object::from_value`] (which reads `apiVersion` and `kind` first, as
//! the API server's decoder does, then decodes the typed body and reports type errors with their
//! field path) and goes out through [`Object::to_value`]. Every v1.33 field is a field of the
//! k8s-openapi type, so fields kubeplay does not act on still round-trip. Each variant is boxed:
//! a Pod is over 2 KB inline, an `Object` is two words. Events, of which a cluster holds
//! several per pod, are kept as [`CompactEvent`], which converts losslessly to and from the
//! k8s-openapi `Event` at the edges; Pods as [`StoredPod`], whose spec and status are shared
//! between revisions (same JSON as the k8s-openapi `Pod`).

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{
    ConfigMap, Endpoints, Event, Namespace, Node, Pod, ReplicationController, Service,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::Value;

use super::error::go_json_type;
use super::{CompactEvent, Kind, ObjectError, StoredPod};

/// Declares [`Object`] with one boxed variant per kind, and the conversions that every variant
/// shares, so adding a kind is one line here and one in [`Kind`].
macro_rules! objects {
    ($($variant:ident($stored:ty)),* $(,)?) => {
        /// One Kubernetes object of a supported kind, as its k8s-openapi type (Events as
        /// [`CompactEvent`], Pods as [`StoredPod`]).
        #[derive(Clone, Debug, PartialEq)]
        pub enum Object {
            $(
                #[doc = concat!("A `", stringify!($variant), "`.")]
                $variant(Box<$stored>),
            )*
        }

        impl Object {
            /// The object's kind.
            pub fn kind(&self) -> Kind {
                match self {
                    $(Object::$variant(_) => Kind::$variant,)*
                }
            }

            /// The object's metadata (name, namespace, labels, ...). **Its
            /// `resource_version` is not to be read here** (a Pod keeps it apart from its
            /// shared metadata, so it is `None` in there): use [`Object::resource_version`].
            pub fn metadata(&self) -> &ObjectMeta {
                match self {
                    $(Object::$variant(inner) => HasMetadata::metadata(inner.as_ref()),)*
                }
            }

            /// The object's metadata, to change (a Pod's is copied first if another revision
            /// shares it). **Its `resource_version` is not to be written here**: use
            /// [`Object::set_resource_version`].
            pub fn metadata_mut(&mut self) -> &mut ObjectMeta {
                match self {
                    $(Object::$variant(inner) => HasMetadata::metadata_mut(inner.as_mut()),)*
                }
            }

            /// `metadata.resourceVersion`, if set.
            pub fn resource_version(&self) -> Option<&str> {
                match self {
                    $(Object::$variant(inner) => HasMetadata::resource_version(inner.as_ref()),)*
                }
            }

            /// Sets `metadata.resourceVersion` (a Pod's shared metadata is not copied).
            pub fn set_resource_version(&mut self, resource_version: Option<String>) {
                match self {
                    $(Object::$variant(inner) => {
                        HasMetadata::set_resource_version(inner.as_mut(), resource_version)
                    })*
                }
            }

            /// The JSON form of the object, with `apiVersion` and `kind`, fields in the order
            /// k8s-openapi serializes them.
            pub fn to_value(&self) -> Value {
                let result = match self {
                    $(Object::$variant(inner) => serde_json::to_value(inner.as_ref()),)*
                };
                // k8s-openapi types only have string map keys, so serializing to a Value cannot
                // fail; Null keeps this function total without a panic path.
                result.unwrap_or(Value::Null)
            }

            fn decode_as(kind: Kind, value: Value) -> Result<Object, ObjectError> {
                match kind {
                    $(Kind::$variant => decode::<$variant>(kind, value)
                        .map(|inner| Object::$variant(Box::new(<$stored>::from(inner)))),)*
                }
            }
        }

        $(
            impl From<$variant> for Object {
                fn from(inner: $variant) -> Object {
                    Object::$variant(Box::new(<$stored>::from(inner)))
                }
            }

            impl TryFrom<Object> for $variant {
                type Error = Object;

                /// The typed object, or the object itself back when it is of another kind.
                fn try_from(object: Object) -> Result<$variant, Object> {
                    match object {
                        Object::$variant(inner) => Ok($variant::from(*inner)),
                        other => Err(other),
                    }
                }
            }
        )*
    };
}

/// How [`Object`] reaches each kind's metadata and `resourceVersion`.
trait HasMetadata {
    fn metadata(&self) -> &ObjectMeta;
    fn metadata_mut(&mut self) -> &mut ObjectMeta;
    fn resource_version(&self) -> Option<&str>;
    fn set_resource_version(&mut self, resource_version: Option<String>);
}

/// The kinds whose metadata is a plain `metadata: ObjectMeta` field.
macro_rules! inline_metadata {
    ($($stored:ty),* $(,)?) => {
        $(
            impl HasMetadata for $stored {
                fn metadata(&self) -> &ObjectMeta {
                    &self.metadata
                }
                fn metadata_mut(&mut self) -> &mut ObjectMeta {
                    &mut self.metadata
                }
                fn resource_version(&self) -> Option<&str> {
                    self.metadata.resource_version.as_deref()
                }
                fn set_resource_version(&mut self, resource_version: Option<String>) {
                    self.metadata.resource_version = resource_version;
                }
            }
        )*
    };
}

inline_metadata!(
    Namespace,
    Node,
    ReplicationController,
    ReplicaSet,
    Deployment,
    Service,
    Endpoints,
    EndpointSlice,
    CompactEvent,
    ConfigMap,
    Lease,
    PriorityClass,
);

/// A Pod's metadata is shared between its revisions, its `resourceVersion` kept beside it.
impl HasMetadata for StoredPod {
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        StoredPod::metadata_mut(self)
    }
    fn resource_version(&self) -> Option<&str> {
        StoredPod::resource_version(self)
    }
    fn set_resource_version(&mut self, resource_version: Option<String>) {
        StoredPod::set_resource_version(self, resource_version);
    }
}

objects!(
    Namespace(Namespace),
    Node(Node),
    Pod(StoredPod),
    ReplicationController(ReplicationController),
    ReplicaSet(ReplicaSet),
    Deployment(Deployment),
    Service(Service),
    Endpoints(Endpoints),
    EndpointSlice(EndpointSlice),
    Event(CompactEvent),
    ConfigMap(ConfigMap),
    Lease(Lease),
    PriorityClass(PriorityClass),
);

impl From<CompactEvent> for Object {
    fn from(event: CompactEvent) -> Object {
        Object::Event(Box::new(event))
    }
}

impl From<StoredPod> for Object {
    fn from(pod: StoredPod) -> Object {
        Object::Pod(Box::new(pod))
    }
}

/// The labels of an object that has none.
static NO_LABELS: BTreeMap<String, String> = BTreeMap::new();

impl Object {
    /// The object's name; empty when it has none yet (only `generateName`), as in Go.
    pub fn name(&self) -> &str {
        self.metadata().name.as_deref().unwrap_or("")
    }

    /// The object's namespace; empty for cluster-scoped kinds and when not set yet.
    pub fn namespace(&self) -> &str {
        self.metadata().namespace.as_deref().unwrap_or("")
    }

    /// The object's labels (an empty map when it has none).
    pub fn labels(&self) -> &BTreeMap<String, String> {
        self.metadata().labels.as_ref().unwrap_or(&NO_LABELS)
    }

    /// Decodes a JSON object of any supported kind, dispatching on its `apiVersion` and `kind`.
    pub fn from_value(value: Value) -> Result<Object, ObjectError> {
        let (api_version, kind_name) = type_meta(&value)?;
        let kind_name = kind_name.ok_or_else(|| ObjectError::MissingKind {
            json: value.to_string(),
        })?;
        let api_version = api_version.ok_or_else(|| ObjectError::MissingApiVersion {
            json: value.to_string(),
        })?;
        let kind = Kind::from_kind_name(api_version, kind_name).ok_or_else(|| {
            ObjectError::NoKindMatch {
                kind: kind_name.to_owned(),
                api_version: api_version.to_owned(),
            }
        })?;
        Object::decode_as(kind, value)
    }

    /// Decodes a JSON object that must be of `kind`, as the API server does for a request to a
    /// kind's URL: a missing `apiVersion` or `kind` is taken from the URL's kind, a different
    /// one is an error.
    pub fn from_value_as(kind: Kind, mut value: Value) -> Result<Object, ObjectError> {
        let (api_version, kind_name) = type_meta(&value)?;
        let found = match (api_version, kind_name) {
            (Some(v), Some(k)) if v == kind.api_version() && k == kind.kind_name() => None,
            (None, None) => None,
            (None, Some(k)) if k == kind.kind_name() => None,
            (Some(v), None) if v == kind.api_version() => None,
            (v, k) => Some(format!(
                "{}/{}",
                v.unwrap_or(kind.api_version()),
                k.unwrap_or(kind.kind_name())
            )),
        };
        if let Some(found) = found {
            return Err(ObjectError::KindMismatch {
                expected: kind,
                found,
            });
        }
        if let Value::Object(map) = &mut value {
            map.insert("apiVersion".into(), kind.api_version().into());
            map.insert("kind".into(), kind.kind_name().into());
        } else {
            // Null: an empty body. The typed decoder reports what it expected.
            value = serde_json::json!({
                "apiVersion": kind.api_version(),
                "kind": kind.kind_name(),
            });
        }
        Object::decode_as(kind, value)
    }
}

/// Reads `apiVersion` and `kind` as Go's TypeMeta decoding does: a missing, null or empty field
/// is absent, a non-string is a type error, and a body that is not an object is rejected.
fn type_meta(value: &Value) -> Result<(Option<&str>, Option<&str>), ObjectError> {
    let map = match value {
        Value::Object(map) => map,
        Value::Null => return Ok((None, None)),
        other => {
            return Err(ObjectError::NotAnObject {
                json_type: go_json_type(other),
            })
        }
    };
    let field = |name: &'static str| -> Result<Option<&str>, ObjectError> {
        match map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(other) => Err(ObjectError::TypeMetaNotAString {
                field: name,
                json_type: go_json_type(other),
            }),
        }
    };
    Ok((field("apiVersion")?, field("kind")?))
}

/// Decodes the typed body, keeping the path of the first field that does not fit.
fn decode<T: serde::de::DeserializeOwned>(kind: Kind, value: Value) -> Result<T, ObjectError> {
    serde_path_to_error::deserialize(value).map_err(|error| ObjectError::Decode {
        kind,
        version: kind.version(),
        path: error.path().to_string(),
        message: error.inner().to_string(),
    })
}
