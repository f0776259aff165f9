//! `kubectl scale --replicas=N TYPE/NAME`: sets the replica count of deployments, replica
//! sets and replication controllers (their `scale` subresource), printing
//! `deployment.apps/web scaled`.

use serde_json::json;

use super::CommandSpec;
use crate::api::objects::Kind;
use crate::api::patch::PatchType;
use crate::apiserver::ApiError;
use crate::kubectl::error::KubectlError;
use crate::kubectl::flags::{FlagKind, FlagSpec, ParsedArgs};
use crate::kubectl::targets::{object_ref, required, resolve_targets};
use crate::kubectl::{Context, Output};

/// `kubectl scale`.
pub const COMMAND: CommandSpec = CommandSpec {
    name: "scale",
    aliases: &[],
    short: "Set a new size for a deployment, replica set, or replication controller",
    usage: "kubectl scale [--resource-version=version] [--current-replicas=count] --replicas=COUNT (-f FILENAME | TYPE NAME) [options]",
    flags: &[
        FlagSpec {
            long: "replicas",
            short: None,
            kind: FlagKind::String,
            usage: "The new desired number of replicas. Required.",
        },
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
            usage: "Select all resources in the namespace of the specified resource types",
        },
    ],
    run,
};

fn run(context: &mut Context<'_>, args: &ParsedArgs) -> Result<Output, KubectlError> {
    let replicas = required(args, "replicas")?;
    let replicas: i64 = replicas.parse().unwrap_or(-1);
    if replicas < 0 {
        return Err(KubectlError::Usage(
            "The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0"
                .to_string(),
        ));
    }
    let targets = resolve_targets(
        context,
        &args.args,
        args.string("selector"),
        args.bool("all"),
    )?;
    let mut output = Output::default();
    let namespace = context.namespace.clone();
    for (kind, name) in targets {
        if !matches!(
            kind,
            Kind::Deployment | Kind::ReplicaSet | Kind::ReplicationController
        ) {
            output.push_error(&KubectlError::Message(
                "Error from server (NotFound): the server could not find the requested resource"
                    .to_string(),
            ));
            continue;
        }
        let patch = json!({"spec": {"replicas": replicas}});
        match context.api.patch(
            kind,
            &namespace,
            &name,
            PatchType::MergePatch,
            &patch,
            false,
        ) {
            Ok(_) => output
                .stdout
                .push_str(&format!("{} scaled\n", object_ref(kind, &name))),
            Err(error @ ApiError::NotFound { .. }) => output.push_error(&KubectlError::Usage(
                format!("no objects passed to scale {error}"),
            )),
            Err(error) => output.push_error(&KubectlError::Api(error)),
        }
    }
    Ok(output)
}
