//! The strategic-merge schema: which fields of each supported kind merge lists, and by what key.
//!
//! In Kubernetes this information lives in Go struct tags such as
//! `patchStrategy:"merge" patchMergeKey:"name"` on `PodSpec.Containers` (k8s.io/api). Here it
//! is a small static tree of [`StructSchema`] nodes, one per Go struct that matters, listing
//! only the fields that carry a tag or lead to one. The strategic merge patch walks this tree
//! alongside the document: a field missing from the tree (or a kind missing from
//! [`schema_for_kind`]) gets the default treatment, which is "maps merge, lists replace".
//! The `retainKeys` strategy is not listed: it only matters when a client computes a patch,
//! the server just follows the `$retainKeys` directive found in the patch.

/// How a field of a struct is patched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldStrategy {
    /// No tag: a map merges key by key, a list is replaced by the patch's list.
    Default,
    /// `patchStrategy:"merge"` on a list of primitives: the lists are united (`finalizers`).
    MergePrimitives,
    /// `patchStrategy:"merge" patchMergeKey:"…"` on a list of objects: elements with the same
    /// value of the key merge, others are added.
    MergeByKey(&'static str),
}

/// One field of a Go struct as the strategic merge patch sees it.
#[derive(Debug)]
pub struct FieldSchema {
    /// The JSON name of the field.
    pub name: &'static str,
    /// How the field is patched.
    pub strategy: FieldStrategy,
    /// The schema of the field's value (for a list: of each element), if it has tagged fields.
    pub schema: Option<&'static StructSchema>,
}

/// The fields of one Go struct that carry a patch tag or lead to one.
#[derive(Debug)]
pub struct StructSchema {
    /// The Go type name, used in error messages.
    pub name: &'static str,
    /// The fields, in the order of the Go struct.
    pub fields: &'static [FieldSchema],
}

impl StructSchema {
    /// The strategy and sub-schema of the field `name`; unknown fields get the default.
    pub fn field(&self, name: &str) -> (FieldStrategy, Option<&'static StructSchema>) {
        self.fields
            .iter()
            .find(|field| field.name == name)
            .map_or((FieldStrategy::Default, None), |field| {
                (field.strategy, field.schema)
            })
    }
}

const fn plain(name: &'static str, schema: &'static StructSchema) -> FieldSchema {
    FieldSchema {
        name,
        strategy: FieldStrategy::Default,
        schema: Some(schema),
    }
}

const fn merge_by(name: &'static str, key: &'static str) -> FieldSchema {
    FieldSchema {
        name,
        strategy: FieldStrategy::MergeByKey(key),
        schema: None,
    }
}

const fn merge_by_with(
    name: &'static str,
    key: &'static str,
    schema: &'static StructSchema,
) -> FieldSchema {
    FieldSchema {
        name,
        strategy: FieldStrategy::MergeByKey(key),
        schema: Some(schema),
    }
}

const fn merge_primitives(name: &'static str) -> FieldSchema {
    FieldSchema {
        name,
        strategy: FieldStrategy::MergePrimitives,
        schema: None,
    }
}

/// `metav1.ObjectMeta`.
static OBJECT_META: StructSchema = StructSchema {
    name: "ObjectMeta",
    fields: &[
        merge_by("ownerReferences", "uid"),
        merge_primitives("finalizers"),
    ],
};

/// `v1.Container`, and `v1.EphemeralContainer` (whose common fields carry the same tags).
static CONTAINER: StructSchema = StructSchema {
    name: "Container",
    fields: &[
        merge_by("ports", "containerPort"),
        merge_by("env", "name"),
        merge_by("volumeMounts", "mountPath"),
        merge_by("volumeDevices", "devicePath"),
    ],
};

/// `v1.PodSpec`. `tolerations`, `readinessGates` and others have no tag: they are replaced.
static POD_SPEC: StructSchema = StructSchema {
    name: "PodSpec",
    fields: &[
        // patchStrategy:"merge,retainKeys"
        merge_by("volumes", "name"),
        merge_by_with("initContainers", "name", &CONTAINER),
        merge_by_with("containers", "name", &CONTAINER),
        merge_by_with("ephemeralContainers", "name", &CONTAINER),
        merge_by("imagePullSecrets", "name"),
        merge_by("hostAliases", "ip"),
        merge_by("topologySpreadConstraints", "topologyKey"),
        merge_by("schedulingGates", "name"),
        // patchStrategy:"merge,retainKeys"
        merge_by("resourceClaims", "name"),
    ],
};

/// `v1.PodStatus`. `containerStatuses` has no tag: it is replaced.
static POD_STATUS: StructSchema = StructSchema {
    name: "PodStatus",
    fields: &[
        merge_by("conditions", "type"),
        merge_by("hostIPs", "ip"),
        merge_by("podIPs", "ip"),
        // patchStrategy:"merge,retainKeys"
        merge_by("resourceClaimStatuses", "name"),
    ],
};

static POD: StructSchema = StructSchema {
    name: "Pod",
    fields: &[
        plain("metadata", &OBJECT_META),
        plain("spec", &POD_SPEC),
        plain("status", &POD_STATUS),
    ],
};

/// `v1.PodTemplateSpec`, inside every workload's `spec.template`.
static POD_TEMPLATE_SPEC: StructSchema = StructSchema {
    name: "PodTemplateSpec",
    fields: &[plain("metadata", &OBJECT_META), plain("spec", &POD_SPEC)],
};

/// A workload spec whose only tagged path is its pod template (`DeploymentSpec`,
/// `ReplicaSetSpec`, `ReplicationControllerSpec`). `DeploymentSpec.strategy` is tagged
/// `retainKeys` only, which changes nothing when applying a patch.
static WORKLOAD_SPEC: StructSchema = StructSchema {
    name: "WorkloadSpec",
    fields: &[plain("template", &POD_TEMPLATE_SPEC)],
};

/// A status whose only tagged field is `conditions`, merged by `type` (`DeploymentStatus`,
/// `ReplicaSetStatus`, `ReplicationControllerStatus`, `NamespaceStatus`, `ServiceStatus`).
static CONDITIONS_STATUS: StructSchema = StructSchema {
    name: "Status",
    fields: &[merge_by("conditions", "type")],
};

static WORKLOAD: StructSchema = StructSchema {
    name: "Workload",
    fields: &[
        plain("metadata", &OBJECT_META),
        plain("spec", &WORKLOAD_SPEC),
        plain("status", &CONDITIONS_STATUS),
    ],
};

/// `v1.ServiceSpec`.
static SERVICE_SPEC: StructSchema = StructSchema {
    name: "ServiceSpec",
    fields: &[merge_by("ports", "port")],
};

static SERVICE: StructSchema = StructSchema {
    name: "Service",
    fields: &[
        plain("metadata", &OBJECT_META),
        plain("spec", &SERVICE_SPEC),
        plain("status", &CONDITIONS_STATUS),
    ],
};

/// `v1.NodeSpec`. `taints` has no tag: it is replaced.
static NODE_SPEC: StructSchema = StructSchema {
    name: "NodeSpec",
    fields: &[merge_primitives("podCIDRs")],
};

/// `v1.NodeStatus`.
static NODE_STATUS: StructSchema = StructSchema {
    name: "NodeStatus",
    fields: &[
        merge_by("conditions", "type"),
        merge_by("addresses", "type"),
    ],
};

static NODE: StructSchema = StructSchema {
    name: "Node",
    fields: &[
        plain("metadata", &OBJECT_META),
        plain("spec", &NODE_SPEC),
        plain("status", &NODE_STATUS),
    ],
};

static NAMESPACE: StructSchema = StructSchema {
    name: "Namespace",
    fields: &[
        plain("metadata", &OBJECT_META),
        plain("status", &CONDITIONS_STATUS),
    ],
};

/// Kinds whose only tagged fields are in their metadata (ConfigMap, Endpoints, EndpointSlice,
/// Event, Lease, PriorityClass).
static METADATA_ONLY: StructSchema = StructSchema {
    name: "Object",
    fields: &[plain("metadata", &OBJECT_META)],
};

/// The strategic-merge schema of the kind `kind` ("Pod", "Deployment", …), or `None` for a
/// kind kubeplay has no schema for (a custom resource, for example).
pub fn schema_for_kind(kind: &str) -> Option<&'static StructSchema> {
    match kind {
        "Pod" => Some(&POD),
        "Deployment" | "ReplicaSet" | "ReplicationController" => Some(&WORKLOAD),
        "Service" => Some(&SERVICE),
        "Node" => Some(&NODE),
        "Namespace" => Some(&NAMESPACE),
        "ConfigMap" | "Endpoints" | "EndpointSlice" | "Event" | "Lease" | "PriorityClass" => {
            Some(&METADATA_ONLY)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_containers_merge_by_name_and_their_ports_by_container_port() {
        let pod = schema_for_kind("Pod").unwrap();
        let (_, spec) = pod.field("spec");
        let (strategy, container) = spec.unwrap().field("containers");
        assert_eq!(strategy, FieldStrategy::MergeByKey("name"));
        assert_eq!(
            container.unwrap().field("ports").0,
            FieldStrategy::MergeByKey("containerPort")
        );
    }

    #[test]
    fn pod_tolerations_and_node_taints_are_replaced() {
        let pod_spec = schema_for_kind("Pod").unwrap().field("spec").1.unwrap();
        assert_eq!(pod_spec.field("tolerations").0, FieldStrategy::Default);
        let node_spec = schema_for_kind("Node").unwrap().field("spec").1.unwrap();
        assert_eq!(node_spec.field("taints").0, FieldStrategy::Default);
    }

    #[test]
    fn deployment_template_reaches_the_pod_spec_table() {
        let deployment = schema_for_kind("Deployment").unwrap();
        let template = deployment.field("spec").1.unwrap().field("template").1;
        let pod_spec = template.unwrap().field("spec").1.unwrap();
        assert_eq!(pod_spec.name, "PodSpec");
    }

    #[test]
    fn unknown_kind_has_no_schema() {
        assert!(schema_for_kind("CronTab").is_none());
    }
}
