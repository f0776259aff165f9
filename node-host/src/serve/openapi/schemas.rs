//! The JSON schemas of the supported kinds, as kube-apiserver publishes them in its OpenAPI
//! documents.
//!
//! The schemas themselves come from k8s-openapi's `schemars` feature, which carries the
//! descriptions and types of the Kubernetes swagger for every Go type. Three things that
//! Kubernetes adds to its own documents are missing there and are added here:
//! - `x-kubernetes-group-version-kind` on each kind (kubectl finds a kind's schema by it, for
//!   `kubectl explain` and for computing `kubectl apply`'s patches);
//! - the strategic-merge metadata (`x-kubernetes-patch-strategy`,
//!   `x-kubernetes-patch-merge-key`) that Kubernetes reads from Go struct tags: kubectl computes
//!   `apply`'s three-way patch from it, so without it lists such as `containers` would be
//!   replaced instead of merged by name. It is taken from the core's patch schema (the same
//!   table the server merges with), plus the `retainKeys` strategies the server does not need;
//! - a `…List` schema per kind.

use std::collections::BTreeMap;

use k8s_openapi::api::{
    apps::v1 as apps, autoscaling::v1 as autoscaling, coordination::v1 as coordination,
    core::v1 as core, discovery::v1 as discovery,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1 as meta;
use kubeplay_core::api::objects::Kind;
use kubeplay_core::api::patch::schema::{schema_for_kind, FieldStrategy, StructSchema};
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{json, Map, Value};

/// Where a document keeps its named schemas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// OpenAPI 3.0: `#/components/schemas/…`.
    OpenApiV3,
    /// Swagger 2.0: `#/definitions/…`.
    SwaggerV2,
}

impl Flavor {
    /// The prefix of a `$ref` to a named schema.
    pub fn ref_prefix(self) -> &'static str {
        match self {
            Flavor::OpenApiV3 => "#/components/schemas/",
            Flavor::SwaggerV2 => "#/definitions/",
        }
    }

    fn settings(self) -> SchemaSettings {
        let mut settings = SchemaSettings::openapi3();
        settings.meta_schema = None;
        if self == Flavor::SwaggerV2 {
            settings.definitions_path = "/definitions".into();
        }
        settings
    }
}

/// The schema name (`io.k8s.api.core.v1.Pod`) of a supported kind.
pub fn schema_name(kind: Kind) -> String {
    match kind {
        Kind::Namespace => core::Namespace::schema_name(),
        Kind::Node => core::Node::schema_name(),
        Kind::Pod => core::Pod::schema_name(),
        Kind::ReplicationController => core::ReplicationController::schema_name(),
        Kind::ReplicaSet => apps::ReplicaSet::schema_name(),
        Kind::Deployment => apps::Deployment::schema_name(),
        Kind::Service => core::Service::schema_name(),
        Kind::Endpoints => core::Endpoints::schema_name(),
        Kind::EndpointSlice => discovery::EndpointSlice::schema_name(),
        Kind::Event => core::Event::schema_name(),
        Kind::ConfigMap => core::ConfigMap::schema_name(),
        Kind::Lease => coordination::Lease::schema_name(),
        Kind::PriorityClass => k8s_openapi::api::scheduling::v1::PriorityClass::schema_name(),
    }
    .into_owned()
}

/// The schema name of a kind's list (`io.k8s.api.core.v1.PodList`).
pub fn list_schema_name(kind: Kind) -> String {
    format!("{}List", schema_name(kind))
}

/// Adds the schema of `kind` (and of everything it refers to) to the generator.
fn add_kind(generator: &mut SchemaGenerator, kind: Kind) {
    match kind {
        Kind::Namespace => generator.subschema_for::<core::Namespace>(),
        Kind::Node => generator.subschema_for::<core::Node>(),
        Kind::Pod => generator.subschema_for::<core::Pod>(),
        Kind::ReplicationController => generator.subschema_for::<core::ReplicationController>(),
        Kind::ReplicaSet => generator.subschema_for::<apps::ReplicaSet>(),
        Kind::Deployment => generator.subschema_for::<apps::Deployment>(),
        Kind::Service => generator.subschema_for::<core::Service>(),
        Kind::Endpoints => generator.subschema_for::<core::Endpoints>(),
        Kind::EndpointSlice => generator.subschema_for::<discovery::EndpointSlice>(),
        Kind::Event => generator.subschema_for::<core::Event>(),
        Kind::ConfigMap => generator.subschema_for::<core::ConfigMap>(),
        Kind::Lease => generator.subschema_for::<coordination::Lease>(),
        Kind::PriorityClass => {
            generator.subschema_for::<k8s_openapi::api::scheduling::v1::PriorityClass>()
        }
    };
}

/// The `x-kubernetes-group-version-kind` value of one kind (a list, as Kubernetes writes it
/// on schemas).
pub fn gvk(group: &str, version: &str, kind: &str) -> Value {
    json!([{"group": group, "kind": kind, "version": version}])
}

/// What the named schemas of a document are built from.
pub struct SchemaRequest<'a> {
    /// The kinds served (each with its list).
    pub kinds: &'a [Kind],
    /// Whether `autoscaling/v1 Scale` is referenced (a scale subresource is served).
    pub scale: bool,
    /// Whether `v1 Binding` is referenced (`pods/binding`).
    pub binding: bool,
}

/// The named schemas for `request`: each kind with its list, what they refer to, and the
/// request and answer types of the write paths (`Status`, `DeleteOptions`, `Patch`).
pub fn named_schemas(flavor: Flavor, request: &SchemaRequest<'_>) -> BTreeMap<String, Value> {
    let mut generator = flavor.settings().into_generator();
    for &kind in request.kinds {
        add_kind(&mut generator, kind);
    }
    generator.subschema_for::<meta::Status>();
    generator.subschema_for::<meta::DeleteOptions>();
    generator.subschema_for::<meta::Patch>();
    generator.subschema_for::<meta::ListMeta>();
    if request.scale {
        generator.subschema_for::<autoscaling::Scale>();
    }
    if request.binding {
        generator.subschema_for::<core::Binding>();
    }
    let mut schemas: BTreeMap<String, Value> =
        generator.take_definitions(true).into_iter().collect();
    for &kind in request.kinds {
        let name = schema_name(kind);
        if let Some(schema) = schemas.get_mut(&name) {
            mark_kind(schema, kind.group(), kind.version(), kind.kind_name());
        }
        if let Some(patch_schema) = schema_for_kind(kind.kind_name()) {
            annotate_patch_strategies(&mut schemas, flavor, &name, patch_schema);
        }
        schemas.insert(list_schema_name(kind), list_schema(flavor, kind));
    }
    let scale_name = autoscaling::Scale::schema_name().into_owned();
    if let Some(scale) = schemas.get_mut(&scale_name) {
        mark_kind(scale, "autoscaling", "v1", "Scale");
    }
    let binding_name = core::Binding::schema_name().into_owned();
    if let Some(binding) = schemas.get_mut(&binding_name) {
        mark_kind(binding, "", "v1", "Binding");
    }
    let status_name = meta::Status::schema_name().into_owned();
    if let Some(status) = schemas.get_mut(&status_name) {
        mark_kind(status, "", "v1", "Status");
    }
    add_retain_keys(&mut schemas);
    schemas
}

/// Adds the group-version-kind extension and drops `metadata` from `required` (k8s-openapi
/// requires it because its Rust field is not optional; Kubernetes' schemas do not).
fn mark_kind(schema: &mut Value, group: &str, version: &str, kind: &str) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    object.insert(
        "x-kubernetes-group-version-kind".into(),
        gvk(group, version, kind),
    );
    let now_empty = match object.get_mut("required").and_then(Value::as_array_mut) {
        Some(required) => {
            required.retain(|field| field != "metadata");
            required.is_empty()
        }
        None => false,
    };
    if now_empty {
        object.remove("required");
    }
}

/// The `…List` schema of a kind, as Kubernetes publishes it.
fn list_schema(flavor: Flavor, kind: Kind) -> Value {
    let prefix = flavor.ref_prefix();
    json!({
        "description": format!("{}List is a list of {}s.", kind.kind_name(), kind.kind_name()),
        "type": "object",
        "properties": {
            "apiVersion": {
                "description": "APIVersion defines the versioned schema of this representation of an object.",
                "type": "string",
            },
            "items": {
                "description": format!("List of {}.", kind.plural()),
                "type": "array",
                "items": {"$ref": format!("{prefix}{}", schema_name(kind))},
            },
            "kind": {
                "description": "Kind is a string value representing the REST resource this object represents.",
                "type": "string",
            },
            "metadata": {
                "allOf": [{"$ref": format!("{prefix}{}", meta::ListMeta::schema_name())}],
                "description": "Standard list metadata.",
            },
        },
        "required": ["items"],
        "x-kubernetes-group-version-kind": gvk(kind.group(), kind.version(), &format!("{}List", kind.kind_name())),
    })
}

/// The name of the schema a property refers to (through `$ref`, `allOf: [{$ref}]`, or, for a
/// list, its `items`).
fn referenced_name(property: &Value, flavor: Flavor) -> Option<String> {
    let target = property.get("items").unwrap_or(property);
    let reference = target.get("$ref").or_else(|| {
        target
            .get("allOf")
            .and_then(Value::as_array)
            .and_then(|all| all.first())
            .and_then(|first| first.get("$ref"))
    })?;
    reference
        .as_str()?
        .strip_prefix(flavor.ref_prefix())
        .map(str::to_string)
}

/// Walks the core's patch schema alongside the named schemas from `name`, writing each tagged
/// field's strategy and merge key on the property, as Kubernetes writes its Go struct tags.
fn annotate_patch_strategies(
    schemas: &mut BTreeMap<String, Value>,
    flavor: Flavor,
    name: &str,
    patch_schema: &'static StructSchema,
) {
    let mut pending: Vec<(String, &'static StructSchema)> = vec![(name.to_string(), patch_schema)];
    let mut visited: Vec<(String, &'static str)> = Vec::new();
    while let Some((name, patch_schema)) = pending.pop() {
        if visited
            .iter()
            .any(|(seen, schema)| *seen == name && *schema == patch_schema.name)
        {
            continue;
        }
        visited.push((name.clone(), patch_schema.name));
        let Some(properties) = schemas
            .get_mut(&name)
            .and_then(|schema| schema.get_mut("properties"))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        for field in patch_schema.fields {
            let Some(property) = properties.get_mut(field.name) else {
                continue;
            };
            if let Some(object) = property.as_object_mut() {
                write_strategy(object, field.strategy);
            }
            if let (Some(sub_schema), Some(target)) =
                (field.schema, referenced_name(property, flavor))
            {
                pending.push((target, sub_schema));
            }
        }
    }
}

fn write_strategy(property: &mut Map<String, Value>, strategy: FieldStrategy) {
    match strategy {
        FieldStrategy::Default => {}
        FieldStrategy::MergePrimitives => {
            property.insert("x-kubernetes-patch-strategy".into(), "merge".into());
        }
        FieldStrategy::MergeByKey(key) => {
            property.insert("x-kubernetes-patch-strategy".into(), "merge".into());
            property.insert("x-kubernetes-patch-merge-key".into(), key.into());
        }
    }
}

/// The fields whose Go tag also says `retainKeys` (k8s.io/api `types.go`): a client computing
/// a patch adds `$retainKeys` for them, so that switching a volume's source or a Deployment's
/// strategy type drops the old one's fields.
const RETAIN_KEYS: [(&str, &str); 4] = [
    ("io.k8s.api.core.v1.PodSpec", "volumes"),
    ("io.k8s.api.core.v1.PodSpec", "resourceClaims"),
    ("io.k8s.api.core.v1.PodStatus", "resourceClaimStatuses"),
    ("io.k8s.api.apps.v1.DeploymentSpec", "strategy"),
];

fn add_retain_keys(schemas: &mut BTreeMap<String, Value>) {
    for (schema, field) in RETAIN_KEYS {
        let Some(property) = schemas
            .get_mut(schema)
            .and_then(|schema| schema.pointer_mut(&format!("/properties/{field}")))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        let strategy = match property
            .get("x-kubernetes-patch-strategy")
            .and_then(Value::as_str)
        {
            Some("merge") => "merge,retainKeys",
            Some(_) | None => "retainKeys",
        };
        property.insert("x-kubernetes-patch-strategy".into(), strategy.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn core_schemas() -> BTreeMap<String, Value> {
        let kinds: Vec<Kind> = Kind::ALL
            .into_iter()
            .filter(|k| k.group().is_empty())
            .collect();
        named_schemas(
            Flavor::OpenApiV3,
            &SchemaRequest {
                kinds: &kinds,
                scale: true,
                binding: true,
            },
        )
    }

    #[test]
    fn each_kind_carries_its_group_version_kind_and_a_list_schema() {
        let schemas = core_schemas();
        let pod = &schemas["io.k8s.api.core.v1.Pod"];
        assert_eq!(
            pod["x-kubernetes-group-version-kind"],
            json!([{"group": "", "kind": "Pod", "version": "v1"}])
        );
        assert!(pod.get("required").is_none(), "{pod}");
        let list = &schemas["io.k8s.api.core.v1.PodList"];
        assert_eq!(
            list["properties"]["items"]["items"]["$ref"],
            "#/components/schemas/io.k8s.api.core.v1.Pod"
        );
        assert!(schemas.contains_key("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"));
    }

    #[test]
    fn containers_merge_by_name_and_volumes_also_retain_keys() {
        let schemas = core_schemas();
        let spec = &schemas["io.k8s.api.core.v1.PodSpec"]["properties"];
        assert_eq!(spec["containers"]["x-kubernetes-patch-strategy"], "merge");
        assert_eq!(spec["containers"]["x-kubernetes-patch-merge-key"], "name");
        assert_eq!(
            spec["volumes"]["x-kubernetes-patch-strategy"],
            "merge,retainKeys"
        );
        assert!(spec["tolerations"]
            .get("x-kubernetes-patch-strategy")
            .is_none());
        let container = &schemas["io.k8s.api.core.v1.Container"]["properties"];
        assert_eq!(
            container["ports"]["x-kubernetes-patch-merge-key"],
            "containerPort"
        );
        let meta = &schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]["properties"];
        assert_eq!(meta["finalizers"]["x-kubernetes-patch-strategy"], "merge");
        assert_eq!(
            meta["ownerReferences"]["x-kubernetes-patch-merge-key"],
            "uid"
        );
    }

    #[test]
    fn a_deployment_strategy_retains_keys() {
        let schemas = named_schemas(
            Flavor::SwaggerV2,
            &SchemaRequest {
                kinds: &[Kind::Deployment],
                scale: true,
                binding: false,
            },
        );
        let spec = &schemas["io.k8s.api.apps.v1.DeploymentSpec"]["properties"];
        assert_eq!(
            spec["strategy"]["x-kubernetes-patch-strategy"],
            "retainKeys"
        );
        assert_eq!(
            spec["template"]["allOf"][0]["$ref"],
            "#/definitions/io.k8s.api.core.v1.PodTemplateSpec"
        );
        assert_eq!(
            schemas["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"]
                ["x-kubernetes-patch-merge-key"],
            "name"
        );
    }
}
