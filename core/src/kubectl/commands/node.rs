//! `kubectl cordon`, `uncordon` and `drain`: mark a node (un)schedulable, and evict the pods
//! running on it. The playground evicts by deleting the pod with its grace period (kubeplay
//! has no PodDisruptionBudgets, so an eviction is always allowed) and reports each pod as
//! evicted at once instead of waiting for it to be gone.

use std::sync::Arc;

use serde_json::json;

use super::CommandSpec;
use crate::api::objects::{Kind, Object};
use crate::api::patch::PatchType;
use crate::apiserver::{DeleteOptions, ListOptions};
use crate::kubectl::error::KubectlError;
use crate::kubectl::flags::{FlagKind, FlagSpec, ParsedArgs};
use crate::kubectl::targets::object_ref;
use crate::kubectl::{Context, Output};

/// `kubectl cordon`.
pub const CORDON: CommandSpec = CommandSpec {
    name: "cordon",
    aliases: &[],
    short: "Mark node as unschedulable",
    usage: "kubectl cordon NODE [options]",
    flags: &[],
    run: run_cordon,
};

/// `kubectl uncordon`.
pub const UNCORDON: CommandSpec = CommandSpec {
    name: "uncordon",
    aliases: &[],
    short: "Mark node as schedulable",
    usage: "kubectl uncordon NODE [options]",
    flags: &[],
    run: run_uncordon,
};

/// `kubectl drain`.
pub const DRAIN: CommandSpec = CommandSpec {
    name: "drain",
    aliases: &[],
    short: "Drain node in preparation for maintenance",
    usage: "kubectl drain NODE [options]",
    flags: &[
        FlagSpec {
            long: "ignore-daemonsets",
            short: None,
            kind: FlagKind::Bool,
            usage: "Ignore DaemonSet-managed pods.",
        },
        FlagSpec {
            long: "force",
            short: None,
            kind: FlagKind::Bool,
            usage: "Continue even if there are pods that do not declare a controller.",
        },
        FlagSpec {
            long: "delete-emptydir-data",
            short: None,
            kind: FlagKind::Bool,
            usage: "Continue even if there are pods using emptyDir (local data that will be deleted when the node is drained).",
        },
        FlagSpec {
            long: "grace-period",
            short: None,
            kind: FlagKind::String,
            usage: "Period of time in seconds given to each pod to terminate gracefully. If negative, the default value specified in the pod will be used.",
        },
        FlagSpec {
            long: "timeout",
            short: None,
            kind: FlagKind::String,
            usage: "The length of time to wait before giving up, zero means infinite",
        },
    ],
    run: run_drain,
};

fn node_name<'a>(args: &'a ParsedArgs, command: &str) -> Result<&'a str, KubectlError> {
    match args.args.as_slice() {
        [name] => Ok(name),
        _ => Err(KubectlError::Message(format!(
            "error: USAGE: {command} NODE [flags]\nSee 'kubectl {command} -h' for help and examples"
        ))),
    }
}

/// Sets `spec.unschedulable`; the line kubectl prints.
fn set_unschedulable(
    context: &mut Context<'_>,
    name: &str,
    unschedulable: bool,
) -> Result<String, KubectlError> {
    let node = context.api.get(Kind::Node, "", name)?;
    let current = matches!(node.as_ref(), Object::Node(n) if n.spec.as_ref().and_then(|s| s.unschedulable) == Some(true));
    let reference = object_ref(Kind::Node, name);
    let (done, already) = if unschedulable {
        ("cordoned", "already cordoned")
    } else {
        ("uncordoned", "already uncordoned")
    };
    if current == unschedulable {
        return Ok(format!("{reference} {already}\n"));
    }
    let value = if unschedulable {
        json!(true)
    } else {
        json!(null)
    };
    context.api.patch(
        Kind::Node,
        "",
        name,
        PatchType::StrategicMergePatch,
        &json!({"spec": {"unschedulable": value}}),
        false,
    )?;
    Ok(format!("{reference} {done}\n"))
}

fn run_cordon(context: &mut Context<'_>, args: &ParsedArgs) -> Result<Output, KubectlError> {
    let name = node_name(args, "cordon")?;
    Ok(Output::stdout(set_unschedulable(context, name, true)?))
}

fn run_uncordon(context: &mut Context<'_>, args: &ParsedArgs) -> Result<Output, KubectlError> {
    let name = node_name(args, "uncordon")?;
    Ok(Output::stdout(set_unschedulable(context, name, false)?))
}

fn controller_kind(pod: &Object) -> Option<String> {
    pod.metadata()
        .owner_references
        .as_ref()?
        .iter()
        .find(|r| r.controller == Some(true))
        .map(|r| r.kind.clone())
}

fn has_empty_dir(pod: &Object) -> bool {
    match pod {
        Object::Pod(pod) => pod
            .spec
            .as_ref()
            .and_then(|s| s.volumes.as_ref())
            .is_some_and(|v| v.iter().any(|v| v.empty_dir.is_some())),
        _ => false,
    }
}

fn finished(pod: &Object) -> bool {
    match pod {
        Object::Pod(pod) => matches!(pod.phase(), Some("Succeeded" | "Failed")),
        _ => false,
    }
}

fn run_drain(context: &mut Context<'_>, args: &ParsedArgs) -> Result<Output, KubectlError> {
    let name = node_name(args, "drain")?;
    let mut output = Output::stdout(set_unschedulable(context, name, true)?);
    let options = ListOptions {
        field_selector: Some(format!("spec.nodeName={name}")),
        ..ListOptions::default()
    };
    let pods = context.api.list(Kind::Pod, None, &options)?.items;
    let mut to_evict: Vec<Arc<Object>> = Vec::new();
    let mut daemon_set = Vec::new();
    let mut local_storage = Vec::new();
    let mut unreplicated = Vec::new();
    let mut ignored_daemon_set = Vec::new();
    let mut warned_local = Vec::new();
    let mut warned_unreplicated = Vec::new();
    for pod in pods {
        let id = format!("{}/{}", pod.namespace(), pod.name());
        if pod.metadata().deletion_timestamp.is_some() {
            continue;
        }
        let controller = controller_kind(&pod);
        if controller.as_deref() == Some("DaemonSet") {
            if args.bool("ignore-daemonsets") {
                ignored_daemon_set.push(id);
            } else {
                daemon_set.push(id);
            }
            continue;
        }
        if has_empty_dir(&pod) && !finished(&pod) {
            if !args.bool("delete-emptydir-data") {
                local_storage.push(id);
                continue;
            }
            warned_local.push(id.clone());
        }
        if controller.is_none() {
            if !args.bool("force") {
                unreplicated.push(id);
                continue;
            }
            warned_unreplicated.push(id);
        }
        to_evict.push(pod);
    }
    let mut errors = Vec::new();
    if !daemon_set.is_empty() {
        errors.push(format!(
            "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): {}",
            daemon_set.join(", ")
        ));
    }
    if !local_storage.is_empty() {
        errors.push(format!(
            "cannot delete Pods with local storage (use --delete-emptydir-data to override): {}",
            local_storage.join(", ")
        ));
    }
    if !unreplicated.is_empty() {
        errors.push(format!("cannot delete cannot delete Pods that declare no controller (use --force to override): {}", unreplicated.join(", ")));
    }
    if !errors.is_empty() {
        output.push_error(&KubectlError::Message(format!(
            "error: unable to drain node \"{name}\" due to error: {}, continuing command...\nThere are pending nodes to be drained:\n {name}\n{}",
            errors.join(", "),
            errors.join("\n")
        )));
        return Ok(output);
    }
    if !ignored_daemon_set.is_empty() {
        output.stderr.push_str(&format!(
            "Warning: ignoring DaemonSet-managed Pods: {}\n",
            ignored_daemon_set.join(", ")
        ));
    }
    if !warned_unreplicated.is_empty() {
        output.stderr.push_str(&format!(
            "Warning: deleting Pods that declare no controller: {}\n",
            warned_unreplicated.join(", ")
        ));
    }
    if !warned_local.is_empty() {
        output.stderr.push_str(&format!(
            "Warning: deleting Pods with local storage: {}\n",
            warned_local.join(", ")
        ));
    }
    let grace = args
        .string("grace-period")
        .and_then(|g| g.parse::<i64>().ok())
        .filter(|g| *g >= 0);
    let delete = DeleteOptions {
        grace_period_seconds: grace,
        ..DeleteOptions::default()
    };
    let mut evicted = String::new();
    for pod in &to_evict {
        output.stdout.push_str(&format!(
            "evicting pod {}/{}\n",
            pod.namespace(),
            pod.name()
        ));
        match context
            .api
            .delete(Kind::Pod, pod.namespace(), pod.name(), &delete)
        {
            Ok(_) => evicted.push_str(&format!("{} evicted\n", object_ref(Kind::Pod, pod.name()))),
            Err(error) => output.push_error(&KubectlError::Api(error)),
        }
    }
    output.stdout.push_str(&evicted);
    if output.exit_code == 0 {
        output
            .stdout
            .push_str(&format!("{} drained\n", object_ref(Kind::Node, name)));
    }
    Ok(output)
}
