//! `kubectl set image TYPE/NAME CONTAINER=IMAGE…`: changes container images of deployments,
//! replica sets, replication controllers and pods (`*` names every container), printing
//! `deployment.apps/web image updated` when something changed.

use serde_json::Value;

use super::CommandSpec;
use crate::api::objects::Kind;
use crate::kubectl::error::KubectlError;
use crate::kubectl::flags::{FlagKind, FlagSpec, ParsedArgs};
use crate::kubectl::targets::{from_value, get, object_ref, resolve_targets, update};
use crate::kubectl::{Context, Output};

/// `kubectl set`.
pub const COMMAND: CommandSpec = CommandSpec {
    name: "set",
    aliases: &[],
    short: "Set specific features on objects",
    usage: "kubectl set image (-f FILENAME | TYPE NAME) CONTAINER_NAME_1=CONTAINER_IMAGE_1 ... CONTAINER_NAME_N=CONTAINER_IMAGE_N [options]",
    flags: &[
        FlagSpec {
            long: "selector",
            short: Some('l'),
            kind: FlagKind::String,
            usage: "Selector (label query) to filter on.",
        },
        FlagSpec {
            long: "all",
            short: None,
            kind: FlagKind::Bool,
            usage: "Select all resources, in the namespace of the specified resource types",
        },
    ],
    run,
};

fn run(context: &mut Context<'_>, args: &ParsedArgs) -> Result<Output, KubectlError> {
    let Some((sub, rest)) = args.args.split_first() else {
        return Err(KubectlError::Message(
            "error: Required subcommand not specified: image\nSee 'kubectl set -h' for help and examples".to_string(),
        ));
    };
    if sub != "image" {
        return Err(KubectlError::Message(format!(
            "error: unknown command \"{}\"\nSee 'kubectl set -h' for help and examples",
            args.args.join(" ")
        )));
    }
    let split = rest
        .iter()
        .position(|a| a.contains('='))
        .unwrap_or(rest.len());
    let resources = rest.get(..split).unwrap_or_default();
    let mut images = Vec::new();
    for word in rest.get(split..).unwrap_or_default() {
        let Some((container, image)) = word.split_once('=') else {
            return Err(KubectlError::Usage(
                "all resources must be specified before image changes: ".to_string() + word,
            ));
        };
        images.push((container.to_string(), image.to_string()));
    }
    if images.is_empty() {
        return Err(KubectlError::Usage(
            "at least one image update is required".to_string(),
        ));
    }
    let targets = resolve_targets(
        context,
        resources,
        args.string("selector"),
        args.bool("all"),
    )?;
    let mut output = Output::default();
    for (kind, name) in targets {
        match set_one(context, kind, &name, &images) {
            Ok(Some(line)) => output.stdout.push_str(&line),
            Ok(None) => {}
            Err(error) => output.push_error(&error),
        }
    }
    Ok(output)
}

fn set_one(
    context: &mut Context<'_>,
    kind: Kind,
    name: &str,
    images: &[(String, String)],
) -> Result<Option<String>, KubectlError> {
    let object = get(context, kind, name)?;
    let mut value = object.to_value();
    let before = value.clone();
    let pointer = match kind {
        Kind::Pod => "/spec/containers",
        Kind::Deployment | Kind::ReplicaSet | Kind::ReplicationController => {
            "/spec/template/spec/containers"
        }
        Kind::Namespace
        | Kind::Node
        | Kind::Service
        | Kind::Endpoints
        | Kind::EndpointSlice
        | Kind::Event
        | Kind::ConfigMap
        | Kind::Lease
        | Kind::PriorityClass => {
            return Err(KubectlError::Usage(format!(
                "unable to update image on {}",
                object_ref(kind, name)
            )))
        }
    };
    let Some(containers) = value.pointer_mut(pointer).and_then(Value::as_array_mut) else {
        return Err(KubectlError::Usage(format!(
            "unable to find container named \"{}\"",
            images.first().map(|(c, _)| c.as_str()).unwrap_or("")
        )));
    };
    for (container, image) in images {
        let mut found = false;
        for entry in containers.iter_mut() {
            let matches = container == "*"
                || entry.get("name").and_then(Value::as_str) == Some(container.as_str());
            if matches {
                entry["image"] = Value::from(image.clone());
                found = true;
            }
        }
        if !found {
            return Err(KubectlError::Usage(format!(
                "unable to find container named \"{container}\""
            )));
        }
    }
    if value == before {
        return Ok(None);
    }
    let changed = from_value(kind, value)?;
    update(context, changed)?;
    Ok(Some(format!("{} image updated\n", object_ref(kind, name))))
}
