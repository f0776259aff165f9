//! `kubectl run NAME --image=…`: creates one pod, labelled `run=NAME` unless `--labels`
//! says otherwise, as kubectl's pod generator builds it.

use serde_json::json;

use super::CommandSpec;
use crate::kubectl::error::KubectlError;
use crate::kubectl::flags::{FlagKind, FlagSpec, ParsedArgs};
use crate::kubectl::targets::{build, object_ref, required};
use crate::kubectl::{Context, Output};

/// `kubectl run`.
pub const COMMAND: CommandSpec = CommandSpec {
    name: "run",
    aliases: &[],
    short: "Run a particular image on the cluster",
    usage: "kubectl run NAME --image=image [--env=\"key=value\"] [--port=port] [--dry-run=server|client] [--overrides=inline-json] [--command] -- [COMMAND] [args...] [options]",
    flags: &[
        FlagSpec {
            long: "image",
            short: None,
            kind: FlagKind::String,
            usage: "The image for the container to run.",
        },
        FlagSpec {
            long: "labels",
            short: Some('l'),
            kind: FlagKind::String,
            usage: "Comma separated labels to apply to the pod. Will override previous values.",
        },
        FlagSpec {
            long: "port",
            short: None,
            kind: FlagKind::String,
            usage: "The port that this container exposes.",
        },
        FlagSpec {
            long: "restart",
            short: None,
            kind: FlagKind::String,
            usage: "The restart policy for this Pod.  Legal values [Always, OnFailure, Never].",
        },
    ],
    run,
};

fn run(context: &mut Context<'_>, args: &ParsedArgs) -> Result<Output, KubectlError> {
    let Some(name) = args.args.first() else {
        return Err(KubectlError::Message(
            "error: NAME is required for run\nSee 'kubectl run -h' for help and examples"
                .to_string(),
        ));
    };
    let image = required(args, "image")?;
    let restart = args.string("restart").unwrap_or("Always");
    if !matches!(restart, "Always" | "OnFailure" | "Never") {
        return Err(KubectlError::Usage(format!(
            "invalid restart policy: {restart}"
        )));
    }
    let mut labels = serde_json::Map::new();
    match args.string("labels") {
        Some(list) => {
            for pair in list.split(',') {
                let Some((key, value)) = pair.split_once('=') else {
                    return Err(KubectlError::Usage(format!("invalid label spec: {pair}")));
                };
                labels.insert(key.to_string(), json!(value));
            }
        }
        None => {
            labels.insert("run".to_string(), json!(name));
        }
    }
    let mut container = json!({"name": name, "image": image});
    if let Some(port) = args.string("port") {
        let port: i64 = port.parse().map_err(|_| {
            KubectlError::Usage(format!("strconv.Atoi: parsing \"{port}\": invalid syntax"))
        })?;
        container["ports"] = json!([{"containerPort": port}]);
    }
    if args.args.len() > 1 {
        container["args"] = json!(args.args.get(1..).unwrap_or_default());
    }
    let pod = build(json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "containers": [container],
            "dnsPolicy": "ClusterFirst",
            "restartPolicy": restart
        }
    }))?;
    let namespace = context.namespace.clone();
    let created = context.api.create(&namespace, pod)?;
    Ok(Output::stdout(format!(
        "{} created\n",
        object_ref(created.kind(), created.name())
    )))
}
