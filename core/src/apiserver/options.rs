//! Request options: what `?labelSelector=…&limit=…`, a `DeleteOptions` body and the like say,
//! already decoded from the URL or body by the host.

/// Options of a list request (`GET /api/v1/namespaces/default/pods?...`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListOptions {
    /// `labelSelector`: the label selector grammar (`app=web,tier in (a,b)`).
    pub label_selector: Option<String>,
    /// `fieldSelector`: `metadata.name=x,status.phase!=Running`.
    pub field_selector: Option<String>,
    /// `limit`: at most this many items per page (0 or unset: all).
    pub limit: Option<usize>,
    /// `continue`: the token a previous page returned.
    pub continue_token: Option<String>,
    /// `resourceVersion`: unset or "0" reads the latest state; a number with
    /// `resourceVersionMatch=Exact` reads the state at that revision.
    pub resource_version: Option<String>,
    /// `resourceVersionMatch`.
    pub resource_version_match: Option<ResourceVersionMatch>,
}

/// How a list's `resourceVersion` is interpreted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceVersionMatch {
    /// The state at exactly that revision (may be 410 Gone if compacted).
    Exact,
    /// Any state at least as new as that revision: kubeplay serves the latest.
    NotOlderThan,
}

impl ListOptions {
    /// Options selecting by a label selector only.
    pub fn with_label_selector(selector: &str) -> ListOptions {
        ListOptions {
            label_selector: Some(selector.to_string()),
            ..ListOptions::default()
        }
    }
}

/// Options of a watch request (`GET ...?watch=true`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WatchOptions {
    /// `labelSelector`.
    pub label_selector: Option<String>,
    /// `fieldSelector`.
    pub field_selector: Option<String>,
    /// `resourceVersion`: unset or "0" starts with an ADDED event per existing object; a
    /// number N streams every change after N (410 Gone if N is compacted).
    pub resource_version: Option<String>,
    /// `allowWatchBookmarks`: the host may ask for BOOKMARK events.
    pub allow_watch_bookmarks: bool,
}

/// `propagationPolicy` of a delete: what happens to the objects this one owns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PropagationPolicy {
    /// Dependents lose their owner reference and stay (`orphan` finalizer).
    Orphan,
    /// The owner goes at once; the garbage collector deletes dependents afterwards.
    Background,
    /// The owner stays, marked with the `foregroundDeletion` finalizer, until every
    /// blocking dependent is gone.
    Foreground,
}

impl PropagationPolicy {
    /// Parses the wire value (`Orphan`, `Background`, `Foreground`).
    pub fn parse(value: &str) -> Option<PropagationPolicy> {
        match value {
            "Orphan" => Some(PropagationPolicy::Orphan),
            "Background" => Some(PropagationPolicy::Background),
            "Foreground" => Some(PropagationPolicy::Foreground),
            _ => None,
        }
    }
}

/// Options of a delete request (the `DeleteOptions` body or query parameters).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeleteOptions {
    /// `gracePeriodSeconds`: for pods, how long the kubelet waits before killing; 0 deletes
    /// at once (`kubectl delete --force --grace-period=0`).
    pub grace_period_seconds: Option<i64>,
    /// `propagationPolicy` (default Background).
    pub propagation_policy: Option<PropagationPolicy>,
    /// `preconditions.uid`: only delete the object with this uid.
    pub precondition_uid: Option<String>,
    /// `preconditions.resourceVersion`: only delete this exact version.
    pub precondition_resource_version: Option<String>,
}
