//! What the object inspector shows for one object: its YAML, its owner chain and its events.
//!
//! [`Inspection::read`] looks the object up in the store (like the cluster view, without an
//! API request in the trace) or the live mirror, follows the controller owner references upwards
//! (Pod → ReplicaSet → Deployment) and collects the Events whose `involvedObject` is it,
//! oldest first. The YAML is the core's `kubectl get -o yaml` form.

use std::sync::Arc;

use kubeplay_core::api::manifest::to_yaml;
use kubeplay_core::api::objects::{CompactEvent, Kind, Object};

use crate::cluster::ObjectSource;

/// Which object is inspected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectRef {
    /// The object's kind.
    pub kind: Kind,
    /// Its namespace (empty for cluster-scoped kinds).
    pub namespace: String,
    /// Its name.
    pub name: String,
}

/// One event line: `Normal  Scheduled  default-scheduler  Successfully assigned …`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventLine {
    /// `Normal` or `Warning`.
    pub event_type: String,
    /// The reason (`Scheduled`, `Pulling`, `Started`, …).
    pub reason: String,
    /// Who reported it (`default-scheduler`, `kubelet`).
    pub source: String,
    /// The message.
    pub message: String,
    /// How many times it happened.
    pub count: i32,
}

/// The inspector's content for one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inspection {
    /// The object's YAML; empty when the object no longer exists.
    pub yaml: String,
    /// The owner chain from the top owner down to the object (`Deployment/web`,
    /// `ReplicaSet/web-…`, `Pod/web-…`).
    pub owners: Vec<ObjectRef>,
    /// The object's events, oldest first.
    pub events: Vec<EventLine>,
    /// `metadata.resourceVersion`.
    pub resource_version: String,
}

fn find(
    source: &mut ObjectSource<'_>,
    kind: Kind,
    namespace: &str,
    name: &str,
) -> Option<Arc<Object>> {
    source
        .objects(kind)
        .into_iter()
        .find(|o| o.name() == name && (!kind.namespaced() || o.namespace() == namespace))
}

impl Inspection {
    /// Reads the object and what relates to it; None when it does not exist (any more).
    pub fn read<'a>(source: impl Into<ObjectSource<'a>>, target: &ObjectRef) -> Option<Inspection> {
        let mut source = source.into();
        let object = find(&mut source, target.kind, &target.namespace, &target.name)?;
        let mut owners = vec![target.clone()];
        let mut current = Arc::clone(&object);
        // Owner chains are short; the bound only guards against a reference cycle.
        for _ in 0..8 {
            let Some(owner) = current
                .metadata()
                .owner_references
                .as_ref()
                .and_then(|refs| refs.iter().find(|r| r.controller == Some(true)))
            else {
                break;
            };
            let Some(kind) = Kind::from_kind_name(&owner.api_version, &owner.kind) else {
                break;
            };
            let reference = ObjectRef {
                kind,
                namespace: target.namespace.clone(),
                name: owner.name.clone(),
            };
            owners.insert(0, reference);
            match find(&mut source, kind, &target.namespace, &owner.name) {
                Some(next) => current = next,
                None => break,
            }
        }
        let mut events: Vec<&CompactEvent> = Vec::new();
        let stored = source.objects(Kind::Event);
        for event in &stored {
            if let Object::Event(event) = event.as_ref() {
                let involved = event.involved_object();
                if involved.kind() == Some(target.kind.kind_name())
                    && involved.name() == Some(target.name.as_str())
                    && involved.namespace().unwrap_or("") == target.namespace
                {
                    events.push(event);
                }
            }
        }
        events.sort_by_key(|e| {
            e.last_timestamp()
                .or_else(|| e.first_timestamp())
                .map(|t| t.0.as_millisecond())
        });
        Some(Inspection {
            yaml: to_yaml(&object),
            owners,
            events: events
                .into_iter()
                .map(|e| EventLine {
                    event_type: e.type_().unwrap_or_default().to_string(),
                    reason: e.reason().unwrap_or_default().to_string(),
                    source: e
                        .source_component()
                        .or_else(|| e.reporting_component())
                        .unwrap_or_default()
                        .to_string(),
                    message: e.message().unwrap_or_default().to_string(),
                    count: e.count().unwrap_or(1),
                })
                .collect(),
            resource_version: object.resource_version().unwrap_or_default().to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::ClusterSnapshot;
    use crate::playground::Playground;

    #[test]
    fn a_sample_pod_shows_its_yaml_owner_chain_and_scheduling_events() {
        let mut playground = Playground::new(1, 3);
        playground.apply_sample();
        playground.set_running(true);
        for _ in 0..80 {
            playground.tick(250.0);
        }
        let snapshot = ClusterSnapshot::read(playground.world_mut());
        let chip = snapshot
            .nodes
            .iter()
            .flat_map(|n| n.chips.iter())
            .next()
            .cloned();
        let Some(chip) = chip else {
            panic!("no pod on a node");
        };
        let target = ObjectRef {
            kind: Kind::Pod,
            namespace: chip.namespace.clone(),
            name: chip.name.clone(),
        };
        let inspection = Inspection::read(playground.world_mut(), &target);
        let Some(inspection) = inspection else {
            panic!("pod {} not found", chip.name);
        };
        assert!(inspection.yaml.starts_with("apiVersion: v1\nkind: Pod\n"));
        let chain: Vec<_> = inspection.owners.iter().map(|o| o.kind).collect();
        assert_eq!(chain, [Kind::Deployment, Kind::ReplicaSet, Kind::Pod]);
        assert_eq!(
            inspection.owners.first().map(|o| o.name.as_str()),
            Some("web")
        );
        let reasons: Vec<_> = inspection
            .events
            .iter()
            .map(|e| e.reason.as_str())
            .collect();
        assert_eq!(reasons.first(), Some(&"Scheduled"), "{reasons:?}");
        assert!(!inspection.resource_version.is_empty());
    }

    #[test]
    fn an_object_that_does_not_exist_has_no_inspection() {
        let mut playground = Playground::new(1, 3);
        let target = ObjectRef {
            kind: Kind::Pod,
            namespace: "default".to_string(),
            name: "nope".to_string(),
        };
        assert_eq!(Inspection::read(playground.world_mut(), &target), None);
    }
}
