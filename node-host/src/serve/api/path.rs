//! Parsing a Kubernetes API URL path into what it names, purely (no I/O), so it is table-tested.
//!
//! `/api/v1/namespaces/default/pods/web/status` becomes an [`ApiPath::Resource`] with kind Pod,
//! namespace `default`, name `web` and subresource [`Subresource::Status`]; `/apis/apps/v1`
//! becomes [`ApiPath::GroupVersion`]. The namespace's own URL (`/api/v1/namespaces/x`) and
//! a namespaced collection inside it (`/api/v1/namespaces/x/pods`) are told apart by the
//! segment after the name.

use kubeplay_core::api::objects::Kind;

/// What an API path names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiPath {
    /// `/api`: the legacy core group's versions.
    CoreVersions,
    /// `/apis`: the named API groups.
    Groups,
    /// `/api/v1` or `/apis/{group}/{version}`: the resources of one group version.
    GroupVersion {
        /// `""` for the core group.
        group: String,
        /// `v1`.
        version: String,
    },
    /// A collection, an object or an object's subresource.
    Resource(ResourcePath),
}

/// A collection, object or subresource URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourcePath {
    /// The kind the URL's group and resource name.
    pub kind: Kind,
    /// The namespace in the URL (`None`: a cluster-scoped kind, or all namespaces).
    pub namespace: Option<String>,
    /// The object's name (`None`: the collection).
    pub name: Option<String>,
    /// The subresource after the name.
    pub subresource: Option<Subresource>,
}

/// The subresources kubeplay serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subresource {
    /// `…/status`.
    Status,
    /// `…/scale` (deployments, replicasets, replicationcontrollers).
    Scale,
    /// `pods/{name}/binding`.
    Binding,
    /// `pods/{name}/log`: what the pod's container printed (plain text).
    Log,
    /// `pods/{name}/eviction`: a `policy/v1` Eviction that deletes the pod (`kubectl drain`).
    Eviction,
}

impl Subresource {
    /// The name in the URL.
    pub fn as_str(self) -> &'static str {
        match self {
            Subresource::Status => "status",
            Subresource::Scale => "scale",
            Subresource::Binding => "binding",
            Subresource::Log => "log",
            Subresource::Eviction => "eviction",
        }
    }

    fn parse(segment: &str) -> Option<Subresource> {
        match segment {
            "status" => Some(Subresource::Status),
            "scale" => Some(Subresource::Scale),
            "binding" => Some(Subresource::Binding),
            "log" => Some(Subresource::Log),
            "eviction" => Some(Subresource::Eviction),
            _ => None,
        }
    }
}

/// Why a path names nothing kubeplay serves (the server answers 404 NotFound).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the server could not find the requested resource")]
pub struct UnknownPath;

/// Parses a URL path (without the query) under `/api` or `/apis`.
pub fn parse(path: &str) -> Result<ApiPath, UnknownPath> {
    let segments: Vec<&str> = path
        .trim_end_matches('/')
        .split('/')
        .skip(1)
        .collect::<Vec<_>>();
    match segments.as_slice() {
        ["api"] => Ok(ApiPath::CoreVersions),
        ["apis"] => Ok(ApiPath::Groups),
        ["api", "v1"] => Ok(ApiPath::GroupVersion {
            group: String::new(),
            version: "v1".to_string(),
        }),
        ["apis", group, version] if known_group_version(group, version) => {
            Ok(ApiPath::GroupVersion {
                group: (*group).to_string(),
                version: (*version).to_string(),
            })
        }
        ["api", "v1", rest @ ..] => resource("", rest).map(ApiPath::Resource),
        ["apis", group, version, rest @ ..] if known_group_version(group, version) => {
            resource(group, rest).map(ApiPath::Resource)
        }
        _ => Err(UnknownPath),
    }
}

/// Whether some supported kind lives in this group version.
pub fn known_group_version(group: &str, version: &str) -> bool {
    !group.is_empty()
        && Kind::ALL
            .iter()
            .any(|kind| kind.group() == group && kind.version() == version)
}

fn resource(group: &str, rest: &[&str]) -> Result<ResourcePath, UnknownPath> {
    let kind_of = |plural: &str| Kind::from_resource(group, plural).ok_or(UnknownPath);
    let named = |segment: &str| {
        if segment.is_empty() {
            Err(UnknownPath)
        } else {
            Ok(Some(segment.to_string()))
        }
    };
    let path = match rest {
        // A namespaced collection or object: namespaces/{ns}/{plural}[/{name}[/{sub}]].
        ["namespaces", namespace, plural, tail @ ..]
            if Kind::from_resource(group, plural).is_some_and(Kind::namespaced) =>
        {
            let kind = kind_of(plural)?;
            let (name, subresource) = match tail {
                [] => (None, None),
                [name] => (named(name)?, None),
                [name, sub] => (
                    named(name)?,
                    Some(Subresource::parse(sub).ok_or(UnknownPath)?),
                ),
                _ => return Err(UnknownPath),
            };
            ResourcePath {
                kind,
                namespace: named(namespace)?,
                name,
                subresource,
            }
        }
        // A collection across namespaces, or a cluster-scoped object.
        [plural] => ResourcePath {
            kind: kind_of(plural)?,
            namespace: None,
            name: None,
            subresource: None,
        },
        [plural, name] if !kind_of(plural)?.namespaced() => ResourcePath {
            kind: kind_of(plural)?,
            namespace: None,
            name: named(name)?,
            subresource: None,
        },
        [plural, name, sub] if !kind_of(plural)?.namespaced() => ResourcePath {
            kind: kind_of(plural)?,
            namespace: None,
            name: named(name)?,
            subresource: Some(Subresource::parse(sub).ok_or(UnknownPath)?),
        },
        _ => return Err(UnknownPath),
    };
    match (path.kind, path.subresource) {
        (_, None) | (_, Some(Subresource::Status)) => Ok(path),
        (Kind::Pod, Some(Subresource::Binding | Subresource::Log | Subresource::Eviction)) => {
            Ok(path)
        }
        (
            Kind::Deployment | Kind::ReplicaSet | Kind::ReplicationController,
            Some(Subresource::Scale),
        ) => Ok(path),
        (
            _,
            Some(
                Subresource::Binding
                | Subresource::Scale
                | Subresource::Log
                | Subresource::Eviction,
            ),
        ) => Err(UnknownPath),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(
        kind: Kind,
        namespace: Option<&str>,
        name: Option<&str>,
        subresource: Option<Subresource>,
    ) -> ApiPath {
        ApiPath::Resource(ResourcePath {
            kind,
            namespace: namespace.map(str::to_string),
            name: name.map(str::to_string),
            subresource,
        })
    }

    #[test]
    fn kubernetes_paths_name_their_kind_namespace_name_and_subresource() {
        let cases = [
            ("/api", Ok(ApiPath::CoreVersions)),
            ("/apis", Ok(ApiPath::Groups)),
            (
                "/apis/apps/v1",
                Ok(ApiPath::GroupVersion {
                    group: "apps".into(),
                    version: "v1".into(),
                }),
            ),
            ("/api/v1/pods", Ok(object(Kind::Pod, None, None, None))),
            (
                "/api/v1/namespaces/default/pods",
                Ok(object(Kind::Pod, Some("default"), None, None)),
            ),
            (
                "/api/v1/namespaces/default/pods/web/status",
                Ok(object(
                    Kind::Pod,
                    Some("default"),
                    Some("web"),
                    Some(Subresource::Status),
                )),
            ),
            (
                "/api/v1/namespaces/default/pods/web/binding",
                Ok(object(
                    Kind::Pod,
                    Some("default"),
                    Some("web"),
                    Some(Subresource::Binding),
                )),
            ),
            (
                "/apis/apps/v1/namespaces/ns1/deployments/web/scale",
                Ok(object(
                    Kind::Deployment,
                    Some("ns1"),
                    Some("web"),
                    Some(Subresource::Scale),
                )),
            ),
            (
                "/api/v1/namespaces/kube-system",
                Ok(object(Kind::Namespace, None, Some("kube-system"), None)),
            ),
            (
                "/api/v1/namespaces/kube-system/status",
                Ok(object(
                    Kind::Namespace,
                    None,
                    Some("kube-system"),
                    Some(Subresource::Status),
                )),
            ),
            (
                "/api/v1/nodes/node-1",
                Ok(object(Kind::Node, None, Some("node-1"), None)),
            ),
            (
                "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
                Ok(object(Kind::Lease, Some("kube-node-lease"), None, None)),
            ),
            ("/api/v1/pods/web", Err(UnknownPath)),
            ("/api/v1/namespaces/default/widgets", Err(UnknownPath)),
            ("/apis/apps/v2/deployments", Err(UnknownPath)),
            (
                "/api/v1/namespaces/default/pods/web/scale",
                Err(UnknownPath),
            ),
            (
                "/api/v1/namespaces/default/services/web/binding",
                Err(UnknownPath),
            ),
            (
                "/api/v1/namespaces/default/pods/web/eviction",
                Ok(object(
                    Kind::Pod,
                    Some("default"),
                    Some("web"),
                    Some(Subresource::Eviction),
                )),
            ),
            (
                "/api/v1/namespaces/default/services/web/eviction",
                Err(UnknownPath),
            ),
            ("/apis/batch/v1", Err(UnknownPath)),
        ];
        for (path, expected) in cases {
            assert_eq!(parse(path), expected, "{path}");
        }
    }
}
