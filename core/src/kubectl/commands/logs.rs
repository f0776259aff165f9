//! `kubectl logs POD|TYPE/NAME [-c C] [--previous] [-f] [--tail N]`: a container's output.
//! Logs live in the container runtime, not the API server: the host supplies them through a
//! [`crate::kubectl::PodLogs`]. `-f` prints what there is now; a host that follows runs the
//! command again and prints what is new.

use super::CommandSpec;
use crate::api::objects::{Kind, Object};
use crate::apiserver::{ApiError, ListOptions};
use crate::kubectl::error::KubectlError;
use crate::kubectl::flags::{FlagKind, FlagSpec, ParsedArgs};
use crate::kubectl::{Context, Output};

/// `kubectl logs`.
pub const COMMAND: CommandSpec = CommandSpec {
    name: "logs",
    aliases: &[],
    short: "Print the logs for a container in a pod",
    usage: "kubectl logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER] [options]",
    flags: &[
        FlagSpec {
            long: "container",
            short: Some('c'),
            kind: FlagKind::String,
            usage: "Print the logs of this container",
        },
        FlagSpec {
            long: "previous",
            short: Some('p'),
            kind: FlagKind::Bool,
            usage: "If true, print the logs for the previous instance of the container in a pod if it exists.",
        },
        FlagSpec {
            long: "follow",
            short: Some('f'),
            kind: FlagKind::Bool,
            usage: "Specify if the logs should be streamed.",
        },
        FlagSpec {
            long: "tail",
            short: None,
            kind: FlagKind::String,
            usage: "Lines of recent log file to display. Defaults to -1 with no selector, showing all log lines.",
        },
    ],
    run,
};

const USAGE: &str = "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples";

fn not_found(error: ApiError, namespace: &str) -> KubectlError {
    KubectlError::Usage(format!(
        "error from server (NotFound): {error} in namespace \"{namespace}\""
    ))
}

fn run(context: &mut Context<'_>, args: &ParsedArgs) -> Result<Output, KubectlError> {
    let target = match args.args.as_slice() {
        [target] => target.clone(),
        [pod, container] if !args.given("container") => {
            return logs_of(context, args, pod, Some(container.clone()))
        }
        _ => return Err(KubectlError::Message(USAGE.to_string())),
    };
    logs_of(
        context,
        args,
        &target,
        args.string("container").map(str::to_string),
    )
}

fn logs_of(
    context: &mut Context<'_>,
    args: &ParsedArgs,
    target: &str,
    container: Option<String>,
) -> Result<Output, KubectlError> {
    let namespace = context.namespace.clone();
    let mut output = Output::default();
    let pod = match target.split_once('/') {
        None => context
            .api
            .get(Kind::Pod, &namespace, target)
            .map_err(|e| not_found(e, &namespace))?,
        Some((type_name, name)) => {
            let kind = crate::kubectl::resource::resolve_kind(type_name)?;
            let object = context
                .api
                .get(kind, &namespace, name)
                .map_err(|e| not_found(e, &namespace))?;
            let value = object.to_value();
            let selector = match kind {
                Kind::Pod => None,
                Kind::Deployment | Kind::ReplicaSet => {
                    value.pointer("/spec/selector/matchLabels").cloned()
                }
                Kind::ReplicationController | Kind::Service => {
                    value.pointer("/spec/selector").cloned()
                }
                Kind::Namespace
                | Kind::Node
                | Kind::Endpoints
                | Kind::EndpointSlice
                | Kind::Event
                | Kind::ConfigMap
                | Kind::Lease
                | Kind::PriorityClass => {
                    return Err(KubectlError::Usage(format!(
                        "cannot get the logs from {}",
                        kind.kind_name()
                    )))
                }
            };
            match selector {
                None => object,
                Some(selector) => {
                    let text = selector
                        .as_object()
                        .map(|m| {
                            m.iter()
                                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                                .collect::<Vec<_>>()
                                .join(",")
                        })
                        .unwrap_or_default();
                    let pods = context
                        .api
                        .list(
                            Kind::Pod,
                            Some(&namespace),
                            &ListOptions::with_label_selector(&text),
                        )?
                        .items;
                    let Some(first) = pods.first().cloned() else {
                        return Err(KubectlError::Usage(
                            "timed out waiting for the condition".to_string(),
                        ));
                    };
                    if pods.len() > 1 {
                        output.stderr.push_str(&format!(
                            "Found {} pods, using pod/{}\n",
                            pods.len(),
                            first.name()
                        ));
                    }
                    first
                }
            }
        }
    };
    let names: Vec<String> = match pod.as_ref() {
        Object::Pod(p) => p
            .spec
            .as_ref()
            .map(|s| s.containers.iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let container = match container {
        Some(name) => {
            if !names.contains(&name) {
                return Err(KubectlError::Usage(format!(
                    "container {name} is not valid for pod {}",
                    pod.name()
                )));
            }
            name
        }
        None => {
            let Some(first) = names.first() else {
                return Err(KubectlError::Usage(format!(
                    "pod {} has no containers",
                    pod.name()
                )));
            };
            if names.len() > 1 {
                output.stderr.push_str(&format!(
                    "Defaulted container \"{first}\" out of: {}\n",
                    names.join(", ")
                ));
            }
            first.clone()
        }
    };
    let tail: Option<usize> = match args.string("tail") {
        Some(text) => match text.parse::<i64>() {
            Ok(n) if n < 0 => None,
            Ok(n) => Some(usize::try_from(n).unwrap_or(0)),
            Err(_) => {
                return Err(KubectlError::Message(format!("error: invalid argument \"{text}\" for \"--tail\" flag: strconv.ParseInt: parsing \"{text}\": invalid syntax\nSee 'kubectl logs --help' for usage.")))
            }
        },
        None => None,
    };
    let Some(logs) = context.logs.as_deref_mut() else {
        return Err(KubectlError::Usage(
            "logs are not available here".to_string(),
        ));
    };
    let text = logs
        .logs(
            context.api,
            &namespace,
            pod.name(),
            Some(&container),
            args.bool("previous"),
        )
        .map_err(KubectlError::Usage)?;
    let text = match tail {
        Some(n) => {
            let lines: Vec<&str> = text.lines().collect();
            let start = lines.len().saturating_sub(n);
            let mut kept = lines.get(start..).unwrap_or_default().join("\n");
            if !kept.is_empty() {
                kept.push('\n');
            }
            kept
        }
        None => text,
    };
    output.stdout.push_str(&text);
    Ok(output)
}
