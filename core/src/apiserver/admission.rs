//! The admission chain: mutating and validating checks that run on every write after
//! defaulting and before validation, as kube-apiserver's admission plugins do.
//!
//! Built in, in Kubernetes' order: **NamespaceLifecycle** (the namespace must exist and not be
//! terminating; the system namespaces cannot be deleted), **ServiceAccount** (pods run as
//! `default` unless they say otherwise), **DefaultTolerationSeconds** (pods tolerate
//! `not-ready`/`unreachable` nodes for 300 s), **Priority** ([`priority`]: a pod's
//! PriorityClass becomes its `spec.priority`; one global default class), and an
//! **image policy** hook ([`ImagePolicy`]) that decides which images may run — the
//! teachable "binary authorization" step; by default it admits everything.
//!
//! The chain reads nothing itself: the API server hands in what it needs to know about the
//! rest of the cluster (the namespace's state, the PriorityClasses that exist).

pub mod priority;

use std::sync::Arc;

use k8s_openapi::api::core::v1::Toleration;
use k8s_openapi::api::scheduling::v1::PriorityClass;

use super::error::{qualified_resource, ApiError};
use crate::api::objects::{Kind, Object, StoredPod};

/// The system namespaces that can never be deleted.
pub const IMMORTAL_NAMESPACES: [&str; 3] = ["default", "kube-system", "kube-public"];

/// How long pods tolerate a not-ready or unreachable node by default (seconds).
pub const DEFAULT_TOLERATION_SECONDS: i64 = 300;

/// The write being admitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// A new object.
    Create,
    /// A change to an existing object.
    Update,
    /// A delete.
    Delete,
}

/// Decides which container images may run (binary authorization). A denial names the
/// images and why.
pub trait ImagePolicy {
    /// Reviews the images of a pod about to be created in `namespace`; `Err` carries the
    /// reason shown to the user.
    fn review(&self, namespace: &str, images: &[&str]) -> Result<(), String>;
}

/// Admits every image (the default until a policy is configured).
#[derive(Clone, Copy, Debug, Default)]
pub struct AllowAllImages;

impl ImagePolicy for AllowAllImages {
    fn review(&self, _namespace: &str, _images: &[&str]) -> Result<(), String> {
        Ok(())
    }
}

/// An extra admission step a host or lesson can add.
pub trait AdmissionPlugin {
    /// The plugin's name, for messages.
    fn name(&self) -> &str;
    /// Mutates or refuses a write. `old` is the stored object for updates and deletes.
    fn admit(
        &self,
        operation: Operation,
        object: &mut Object,
        old: Option<&Object>,
    ) -> Result<(), ApiError>;
}

/// The chain the API server runs.
#[derive(Clone)]
pub struct AdmissionChain {
    /// The image policy consulted for every new pod (shared, not copied, when a World is
    /// cloned: policies only read).
    pub image_policy: Arc<dyn ImagePolicy>,
    /// Extra plugins, run last, in order.
    pub plugins: Vec<Arc<dyn AdmissionPlugin>>,
}

impl Default for AdmissionChain {
    fn default() -> AdmissionChain {
        AdmissionChain {
            image_policy: Arc::new(AllowAllImages),
            plugins: Vec::new(),
        }
    }
}

/// What the chain needs to know about the object's namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NamespaceState {
    /// The kind is cluster-scoped.
    NotApplicable,
    /// The namespace does not exist.
    Missing,
    /// The namespace exists and is active.
    Active,
    /// The namespace is being deleted.
    Terminating,
}

fn forbidden(kind: Kind, name: &str, reason: &str) -> ApiError {
    ApiError::Forbidden {
        kind,
        name: name.to_string(),
        message: format!(
            "{} \"{name}\" is forbidden: {reason}",
            qualified_resource(kind)
        ),
    }
}

impl AdmissionChain {
    /// Runs the chain on a write. Returns the (possibly mutated) object or the refusal.
    /// `priority_classes` are the PriorityClasses that exist (only read for new pods and for
    /// PriorityClass writes; see [`needs_priority_classes`]).
    pub fn admit(
        &self,
        operation: Operation,
        object: &mut Object,
        old: Option<&Object>,
        namespace_state: NamespaceState,
        priority_classes: &[PriorityClass],
    ) -> Result<(), ApiError> {
        let kind = object.kind();
        let name = object.name().to_string();
        let namespace = object.namespace().to_string();
        // NamespaceLifecycle
        match (operation, namespace_state) {
            (Operation::Create, NamespaceState::Missing) => {
                return Err(ApiError::NamespaceNotFound { namespace })
            }
            (Operation::Create, NamespaceState::Terminating) => {
                return Err(forbidden(
                    kind,
                    &name,
                    &format!("unable to create new content in namespace {namespace} because it is being terminated"),
                ))
            }
            (Operation::Delete, _)
                if kind == Kind::Namespace && IMMORTAL_NAMESPACES.contains(&name.as_str()) =>
            {
                return Err(forbidden(kind, &name, "this namespace may not be deleted"))
            }
            _ => {}
        }
        let refused =
            |refusal: priority::PriorityRefusal| forbidden(kind, &name, &refusal.to_string());
        match (operation, &mut *object, old) {
            (Operation::Create, Object::Pod(pod), _) => {
                priority::admit_new_pod_priority(pod, priority_classes).map_err(refused)?;
            }
            (Operation::Update, Object::Pod(pod), Some(Object::Pod(old_pod))) => {
                priority::keep_pod_priority(pod, old_pod);
            }
            (Operation::Create | Operation::Update, Object::PriorityClass(class), _) => {
                priority::validate_priority_class_write(operation, class, priority_classes)
                    .map_err(refused)?;
            }
            (Operation::Delete, Object::PriorityClass(_), _) => {
                priority::check_priority_class_delete(&name).map_err(refused)?;
            }
            _ => {}
        }
        if let (Operation::Create, Object::Pod(pod)) = (operation, &mut *object) {
            admit_new_pod(pod);
            let images: Vec<&str> = pod_images(pod);
            if let Err(reason) = self.image_policy.review(&namespace, &images) {
                return Err(forbidden(
                    kind,
                    &name,
                    &format!("image policy webhook backend denied one or more images: {reason}"),
                ));
            }
        }
        for plugin in &self.plugins {
            plugin.admit(operation, object, old)?;
        }
        Ok(())
    }
}

/// Every image a pod would run, init containers first.
pub fn pod_images(pod: &StoredPod) -> Vec<&str> {
    let Some(spec) = &pod.spec else {
        return Vec::new();
    };
    spec.init_containers
        .iter()
        .flatten()
        .chain(&spec.containers)
        .filter_map(|c| c.image.as_deref())
        .collect()
}

/// Whether admitting a write of `kind` reads the PriorityClasses (new pods, PriorityClass
/// writes), so the API server only lists them then.
pub fn needs_priority_classes(kind: Kind, operation: Operation) -> bool {
    match operation {
        Operation::Create => matches!(kind, Kind::Pod | Kind::PriorityClass),
        Operation::Update => kind == Kind::PriorityClass,
        Operation::Delete => false,
    }
}

/// ServiceAccount and DefaultTolerationSeconds for a new pod.
fn admit_new_pod(pod: &mut StoredPod) {
    if pod.spec.is_none() {
        return;
    }
    let spec = pod.spec_mut();
    // ServiceAccount: the `default` account, and its legacy alias field.
    if spec
        .service_account_name
        .as_deref()
        .unwrap_or("")
        .is_empty()
    {
        spec.service_account_name = Some("default".to_string());
    }
    if spec.service_account.is_none() {
        spec.service_account = spec.service_account_name.clone();
    }
    // DefaultTolerationSeconds: tolerate NotReady/Unreachable for 5 minutes unless the pod
    // already tolerates those taints.
    let tolerations = spec.tolerations.get_or_insert_with(Vec::new);
    for key in [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ] {
        let already = tolerations.iter().any(|t| {
            (t.key.as_deref() == Some(key)
                || (t.key.is_none() && t.operator.as_deref() == Some("Exists")))
                && matches!(t.effect.as_deref(), None | Some("") | Some("NoExecute"))
        });
        if !already {
            tolerations.push(Toleration {
                key: Some(key.to_string()),
                operator: Some("Exists".to_string()),
                effect: Some("NoExecute".to_string()),
                toleration_seconds: Some(DEFAULT_TOLERATION_SECONDS),
                ..Toleration::default()
            });
        }
    }
}
