//! `kubectl expose TYPE NAME --port=…`: a Service selecting the pods of a deployment,
//! replica set, replication controller or pod, with its labels copied from the object and
//! its ports from `--port` or, without it, from the containers' ports.

use serde_json::{json, Value};

use super::CommandSpec;
use crate::api::objects::Kind;
use crate::kubectl::error::KubectlError;
use crate::kubectl::flags::{FlagKind, FlagSpec, ParsedArgs};
use crate::kubectl::targets::{build, get, object_ref, resolve_targets, NO_RESOURCES_GIVEN};
use crate::kubectl::{Context, Output};

/// `kubectl expose`.
pub const COMMAND: CommandSpec = CommandSpec {
    name: "expose",
    aliases: &[],
    short: "Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service",
    usage: "kubectl expose (-f FILENAME | TYPE NAME) [--port=port] [--protocol=TCP|UDP|SCTP] [--target-port=number-or-name] [--name=name] [--external-ip=external-ip-of-service] [--type=type] [options]",
    flags: &[
        FlagSpec {
            long: "port",
            short: None,
            kind: FlagKind::String,
            usage: "The port that the service should serve on. Copied from the resource being exposed, if unspecified",
        },
        FlagSpec {
            long: "target-port",
            short: None,
            kind: FlagKind::String,
            usage: "Name or number for the port on the container that the service should direct traffic to. Optional.",
        },
        FlagSpec {
            long: "type",
            short: None,
            kind: FlagKind::String,
            usage: "Type for this service: ClusterIP, NodePort, LoadBalancer, or ExternalName. Default is 'ClusterIP'.",
        },
        FlagSpec {
            long: "name",
            short: None,
            kind: FlagKind::String,
            usage: "The name for the newly created object.",
        },
        FlagSpec {
            long: "protocol",
            short: None,
            kind: FlagKind::String,
            usage: "The network protocol for the service to be created. Default is 'TCP'.",
        },
    ],
    run,
};

fn run(context: &mut Context<'_>, args: &ParsedArgs) -> Result<Output, KubectlError> {
    if args.args.is_empty() {
        return Err(KubectlError::Usage(NO_RESOURCES_GIVEN.to_string()));
    }
    let targets = resolve_targets(context, &args.args, None, false)?;
    let mut output = Output::default();
    for (kind, name) in targets {
        match expose_one(context, args, kind, &name) {
            Ok(line) => output.stdout.push_str(&line),
            Err(error) => output.push_error(&error),
        }
    }
    Ok(output)
}

fn expose_one(
    context: &mut Context<'_>,
    args: &ParsedArgs,
    kind: Kind,
    name: &str,
) -> Result<String, KubectlError> {
    let object = get(context, kind, name)?;
    let value = object.to_value();
    let (selector, pod_spec) = match kind {
        Kind::Deployment | Kind::ReplicaSet => {
            if value.pointer("/spec/selector/matchExpressions").is_some() {
                return Err(KubectlError::Usage(format!(
                    "couldn't convert expressions - \"{}\" to map-based selector format",
                    kind.kind_name()
                )));
            }
            (
                value.pointer("/spec/selector/matchLabels").cloned(),
                value.pointer("/spec/template/spec").cloned(),
            )
        }
        Kind::ReplicationController => (
            value.pointer("/spec/selector").cloned(),
            value.pointer("/spec/template/spec").cloned(),
        ),
        Kind::Pod => (
            value.pointer("/metadata/labels").cloned(),
            value.get("spec").cloned(),
        ),
        Kind::Service => (value.pointer("/spec/selector").cloned(), None),
        Kind::Namespace
        | Kind::Node
        | Kind::Endpoints
        | Kind::EndpointSlice
        | Kind::Event
        | Kind::ConfigMap
        | Kind::Lease
        | Kind::PriorityClass => {
            return Err(KubectlError::Usage(format!(
                "cannot expose a {}",
                kind.kind_name()
            )))
        }
    };
    let Some(selector) = selector.filter(|s| s.as_object().is_some_and(|m| !m.is_empty())) else {
        return Err(KubectlError::Usage(
            "couldn't retrieve selectors via --selector flag or introspection".to_string(),
        ));
    };
    let protocol = args.string("protocol").unwrap_or("TCP");
    let target_port = args.string("target-port").map(|t| match t.parse::<i64>() {
        Ok(number) => json!(number),
        Err(_) => json!(t),
    });
    let mut ports = Vec::new();
    if let Some(port) = args.string("port") {
        let number: i64 = port.parse().map_err(|_| {
            KubectlError::Usage(format!("strconv.Atoi: parsing \"{port}\": invalid syntax"))
        })?;
        ports.push(json!({
            "port": number,
            "protocol": protocol,
            "targetPort": target_port.clone().unwrap_or(json!(number))
        }));
    } else {
        let container_ports: Vec<i64> = pod_spec
            .as_ref()
            .and_then(|s| s.get("containers"))
            .and_then(Value::as_array)
            .map(|containers| {
                containers
                    .iter()
                    .filter_map(|c| c.get("ports").and_then(Value::as_array))
                    .flatten()
                    .filter_map(|p| p.get("containerPort").and_then(Value::as_i64))
                    .collect()
            })
            .unwrap_or_default();
        let several = container_ports.len() > 1;
        for (index, number) in container_ports.iter().enumerate() {
            let mut port = json!({
                "port": number,
                "protocol": protocol,
                "targetPort": target_port.clone().unwrap_or(json!(number))
            });
            if several {
                port["name"] = json!(format!("port-{}", index + 1));
            }
            ports.push(port);
        }
    }
    if ports.is_empty() {
        return Err(KubectlError::Usage(
            "couldn't find port via --port flag or introspection".to_string(),
        ));
    }
    let service_name = args.string("name").unwrap_or(name);
    let mut spec = json!({"selector": selector, "ports": ports});
    if let Some(service_type) = args.string("type") {
        spec["type"] = json!(service_type);
    }
    let mut metadata = json!({"name": service_name});
    if let Some(labels) = value.pointer("/metadata/labels") {
        metadata["labels"] = labels.clone();
    }
    let service = build(json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata,
        "spec": spec
    }))?;
    let namespace = context.namespace.clone();
    let created = context.api.create(&namespace, service)?;
    Ok(format!(
        "{} exposed\n",
        object_ref(Kind::Service, created.name())
    ))
}
