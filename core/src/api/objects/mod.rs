//! The object model: the Kubernetes kinds kubeplay supports, as their real wire types.
//!
//! A manifest's JSON becomes an [`Object`] (one variant per [`Kind`], each wrapping the
//! k8s-openapi v1.33 type), is defaulted and validated by the sibling modules, stored, and goes
//! back out as JSON with [`Object::to_value`]. Two kinds are kept in a form of their own,
//! converted losslessly at the edges: Events ([`CompactEvent`]), because a cluster holds
//! several per pod, and Pods ([`StoredPod`]: spec and status behind `Arc`s, shared between a
//! pod's revisions, the status as a [`CompactPodStatus`]). Because k8s-openapi knows every v1.33 field,
//! fields kubeplay does not act on survive the round trip unchanged.

mod compact;
mod error;
mod event;
mod kind;
mod meta;
mod object;
mod pod;
mod pod_status;
#[cfg(test)]
mod round_trip_tests;

pub(crate) use error::go_json_type;
pub use error::ObjectError;
pub use event::{CompactEvent, InvolvedObject, InvolvedRef, RecordedEvent};
pub use kind::Kind;
pub use object::Object;
pub use pod::StoredPod;
pub use pod_status::{CompactPodStatus, ConditionRef, ContainerRef};
