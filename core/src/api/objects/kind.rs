//! The kinds kubeplay serves, and how each is named on the wire and on the command line.
//!
//! A [`Kind`] ties the names Kubernetes uses for one resource together: its API group and
//! version, its `kind` in manifests, its resource names in URLs (`pods`, `pod`), the short
//! names `kubectl` accepts (`po`) and whether it lives in a namespace. Every name comes from the
//! k8s-openapi `Resource` constants where the crate has them, so they match v1.33 exactly; the
//! singular and short names come from the API server's discovery document.

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{
    ConfigMap, Endpoints, Event, Namespace, Node, Pod, ReplicationController, Service,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::{ClusterResourceScope, NamespaceResourceScope, Resource};

/// One kind of object that kubeplay stores and serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// `v1 Namespace`: a name scope for the namespaced kinds.
    Namespace,
    /// `v1 Node`: a machine that runs pods.
    Node,
    /// `v1 Pod`: one or more containers sharing an IP and volumes.
    Pod,
    /// `v1 ReplicationController`: keeps N pods matching an equality selector running.
    ReplicationController,
    /// `apps/v1 ReplicaSet`: keeps N pods matching a set-based selector running.
    ReplicaSet,
    /// `apps/v1 Deployment`: rolls ReplicaSets from one pod template to the next.
    Deployment,
    /// `v1 Service`: a stable virtual IP and DNS name in front of the pods a selector picks.
    Service,
    /// `v1 Endpoints`: the addresses behind a Service (the legacy form).
    Endpoints,
    /// `discovery.k8s.io/v1 EndpointSlice`: the addresses behind a Service, in slices.
    EndpointSlice,
    /// `v1 Event`: a record of something that happened to an object.
    Event,
    /// `v1 ConfigMap`: configuration data as key-value pairs.
    ConfigMap,
    /// `coordination.k8s.io/v1 Lease`: a lock with a holder and a renew time (node heartbeats,
    /// leader election).
    Lease,
    /// `scheduling.k8s.io/v1 PriorityClass`: a name for a pod priority (cluster-scoped); the
    /// scheduler preempts lower-priority pods to make room for higher ones.
    PriorityClass,
}

/// Whether a k8s-openapi resource scope is a namespace (a compile-time fact of each type).
trait ScopeIsNamespaced {
    const NAMESPACED: bool;
}
impl ScopeIsNamespaced for NamespaceResourceScope {
    const NAMESPACED: bool = true;
}
impl ScopeIsNamespaced for ClusterResourceScope {
    const NAMESPACED: bool = false;
}

/// The names of one kind as k8s-openapi knows them.
struct Names {
    group: &'static str,
    version: &'static str,
    api_version: &'static str,
    kind: &'static str,
    plural: &'static str,
    namespaced: bool,
}

const fn names_of<T>() -> Names
where
    T: Resource,
    T::Scope: ScopeIsNamespaced,
{
    Names {
        group: T::GROUP,
        version: T::VERSION,
        api_version: T::API_VERSION,
        kind: T::KIND,
        plural: T::URL_PATH_SEGMENT,
        namespaced: <T::Scope as ScopeIsNamespaced>::NAMESPACED,
    }
}

impl Kind {
    /// Every supported kind, in a fixed order (the order `kubectl api-resources` groups them).
    pub const ALL: [Kind; 13] = [
        Kind::ConfigMap,
        Kind::Endpoints,
        Kind::Event,
        Kind::Namespace,
        Kind::Node,
        Kind::Pod,
        Kind::ReplicationController,
        Kind::Service,
        Kind::Deployment,
        Kind::ReplicaSet,
        Kind::Lease,
        Kind::EndpointSlice,
        Kind::PriorityClass,
    ];

    /// Every supported kind, in the order of [`Kind::ALL`].
    pub fn all() -> &'static [Kind] {
        &Self::ALL
    }

    const fn names(self) -> Names {
        match self {
            Kind::Namespace => names_of::<Namespace>(),
            Kind::Node => names_of::<Node>(),
            Kind::Pod => names_of::<Pod>(),
            Kind::ReplicationController => names_of::<ReplicationController>(),
            Kind::ReplicaSet => names_of::<ReplicaSet>(),
            Kind::Deployment => names_of::<Deployment>(),
            Kind::Service => names_of::<Service>(),
            Kind::Endpoints => names_of::<Endpoints>(),
            Kind::EndpointSlice => names_of::<EndpointSlice>(),
            Kind::Event => names_of::<Event>(),
            Kind::ConfigMap => names_of::<ConfigMap>(),
            Kind::Lease => names_of::<Lease>(),
            Kind::PriorityClass => names_of::<PriorityClass>(),
        }
    }

    /// The API group: `""` for the core group, else `"apps"`, `"discovery.k8s.io"`, ...
    pub const fn group(self) -> &'static str {
        self.names().group
    }

    /// The version within the group (`"v1"` for every supported kind).
    pub const fn version(self) -> &'static str {
        self.names().version
    }

    /// The `apiVersion` field of a manifest: `"v1"`, `"apps/v1"`, ...
    pub const fn api_version(self) -> &'static str {
        self.names().api_version
    }

    /// The `kind` field of a manifest: `"Pod"`, `"Deployment"`, ...
    pub const fn kind_name(self) -> &'static str {
        self.names().kind
    }

    /// The resource name in URLs and `kubectl get`: `"pods"`, `"deployments"`, ...
    pub const fn plural(self) -> &'static str {
        self.names().plural
    }

    /// The singular resource name (`"pod"`); `Endpoints` is `"endpoints"` as in discovery.
    pub const fn singular(self) -> &'static str {
        match self {
            Kind::Namespace => "namespace",
            Kind::Node => "node",
            Kind::Pod => "pod",
            Kind::ReplicationController => "replicationcontroller",
            Kind::ReplicaSet => "replicaset",
            Kind::Deployment => "deployment",
            Kind::Service => "service",
            Kind::Endpoints => "endpoints",
            Kind::EndpointSlice => "endpointslice",
            Kind::Event => "event",
            Kind::ConfigMap => "configmap",
            Kind::Lease => "lease",
            Kind::PriorityClass => "priorityclass",
        }
    }

    /// The short names `kubectl api-resources` lists for this kind (`po` for pods).
    pub const fn short_names(self) -> &'static [&'static str] {
        match self {
            Kind::Namespace => &["ns"],
            Kind::Node => &["no"],
            Kind::Pod => &["po"],
            Kind::ReplicationController => &["rc"],
            Kind::ReplicaSet => &["rs"],
            Kind::Deployment => &["deploy"],
            Kind::Service => &["svc"],
            Kind::Endpoints => &["ep"],
            Kind::EndpointSlice => &[],
            Kind::Event => &["ev"],
            Kind::ConfigMap => &["cm"],
            Kind::Lease => &[],
            Kind::PriorityClass => &["pc"],
        }
    }

    /// Whether objects of this kind live in a namespace (false for Namespace, Node and
    /// PriorityClass).
    pub const fn namespaced(self) -> bool {
        self.names().namespaced
    }

    /// The kind named by a manifest's `apiVersion` and `kind`, if kubeplay supports it.
    pub fn from_kind_name(api_version: &str, kind: &str) -> Option<Kind> {
        Self::ALL
            .into_iter()
            .find(|k| k.api_version() == api_version && k.kind_name() == kind)
    }

    /// The kind behind a resource in a URL: API group (`""` for core) and plural name.
    pub fn from_resource(group: &str, plural: &str) -> Option<Kind> {
        Self::ALL
            .into_iter()
            .find(|k| k.group() == group && k.plural() == plural)
    }

    /// The kind a user means on the command line: plural, singular, short name or kind name,
    /// case-insensitive, optionally qualified by its group (`deployments.apps`), as `kubectl
    /// get` resolves resource arguments.
    pub fn from_cli_name(name: &str) -> Option<Kind> {
        let lower = name.to_ascii_lowercase();
        let (resource, group) = match lower.split_once('.') {
            Some((resource, group)) => (resource, Some(group)),
            None => (lower.as_str(), None),
        };
        Self::ALL.into_iter().find(|k| {
            let group_matches = group.is_none_or(|g| g == k.group());
            group_matches
                && (k.plural() == resource
                    || k.singular() == resource
                    || k.short_names().contains(&resource)
                    || k.kind_name().eq_ignore_ascii_case(resource))
        })
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.kind_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_the_names_real_kubernetes_uses() {
        let table: [(Kind, &str, &str, &str, &str, bool); 13] = [
            (Kind::Namespace, "", "v1", "Namespace", "namespaces", false),
            (Kind::Node, "", "v1", "Node", "nodes", false),
            (Kind::Pod, "", "v1", "Pod", "pods", true),
            (
                Kind::ReplicationController,
                "",
                "v1",
                "ReplicationController",
                "replicationcontrollers",
                true,
            ),
            (
                Kind::ReplicaSet,
                "apps",
                "apps/v1",
                "ReplicaSet",
                "replicasets",
                true,
            ),
            (
                Kind::Deployment,
                "apps",
                "apps/v1",
                "Deployment",
                "deployments",
                true,
            ),
            (Kind::Service, "", "v1", "Service", "services", true),
            (Kind::Endpoints, "", "v1", "Endpoints", "endpoints", true),
            (
                Kind::EndpointSlice,
                "discovery.k8s.io",
                "discovery.k8s.io/v1",
                "EndpointSlice",
                "endpointslices",
                true,
            ),
            (Kind::Event, "", "v1", "Event", "events", true),
            (Kind::ConfigMap, "", "v1", "ConfigMap", "configmaps", true),
            (
                Kind::Lease,
                "coordination.k8s.io",
                "coordination.k8s.io/v1",
                "Lease",
                "leases",
                true,
            ),
            (
                Kind::PriorityClass,
                "scheduling.k8s.io",
                "scheduling.k8s.io/v1",
                "PriorityClass",
                "priorityclasses",
                false,
            ),
        ];
        for (kind, group, api_version, kind_name, plural, namespaced) in table {
            assert_eq!(kind.group(), group, "{kind:?}");
            assert_eq!(kind.version(), "v1", "{kind:?}");
            assert_eq!(kind.api_version(), api_version, "{kind:?}");
            assert_eq!(kind.kind_name(), kind_name, "{kind:?}");
            assert_eq!(kind.plural(), plural, "{kind:?}");
            assert_eq!(kind.namespaced(), namespaced, "{kind:?}");
            assert_eq!(Kind::from_kind_name(api_version, kind_name), Some(kind));
            assert_eq!(Kind::from_resource(group, plural), Some(kind));
        }
    }

    #[test]
    fn all_lists_every_kind_once() {
        let set: std::collections::BTreeSet<Kind> = Kind::all().iter().copied().collect();
        assert_eq!(set.len(), Kind::ALL.len());
    }

    #[test]
    fn a_kind_in_the_wrong_group_is_not_found() {
        assert_eq!(Kind::from_kind_name("v1", "Deployment"), None);
        assert_eq!(Kind::from_kind_name("apps/v1", "Pod"), None);
        assert_eq!(Kind::from_kind_name("events.k8s.io/v1", "Event"), None);
        assert_eq!(Kind::from_resource("apps", "pods"), None);
    }

    #[test]
    fn command_line_names_resolve_like_kubectl() {
        let table = [
            ("po", Some(Kind::Pod)),
            ("pods", Some(Kind::Pod)),
            ("Pod", Some(Kind::Pod)),
            ("deploy", Some(Kind::Deployment)),
            ("deployments.apps", Some(Kind::Deployment)),
            ("deployments.v1", None),
            ("rc", Some(Kind::ReplicationController)),
            ("rs", Some(Kind::ReplicaSet)),
            ("svc", Some(Kind::Service)),
            ("ep", Some(Kind::Endpoints)),
            ("endpointslices", Some(Kind::EndpointSlice)),
            ("ns", Some(Kind::Namespace)),
            ("no", Some(Kind::Node)),
            ("cm", Some(Kind::ConfigMap)),
            ("ev", Some(Kind::Event)),
            ("lease", Some(Kind::Lease)),
            ("pc", Some(Kind::PriorityClass)),
            (
                "priorityclasses.scheduling.k8s.io",
                Some(Kind::PriorityClass),
            ),
            ("secrets", None),
        ];
        for (name, want) in table {
            assert_eq!(Kind::from_cli_name(name), want, "{name}");
        }
    }
}
