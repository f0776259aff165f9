//! `kubectl rollout status|history|undo|pause|resume|restart` for deployments.
//!
//! `status` is one-shot: it prints the line kubectl's status watcher prints for the current
//! state (`Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are
//! available...` or `deployment "web" successfully rolled out`); a host that wants kubectl's
//! waiting loops, running it again after each simulation step until [`deployment_status`]
//! says done. `history` reads the deployment's ReplicaSets (their
//! `deployment.kubernetes.io/revision` and `kubernetes.io/change-cause` annotations); `undo`
//! copies a revision's pod template back into the deployment as kubectl does.

use std::sync::Arc;

use serde_json::{json, Value};

use super::CommandSpec;
use crate::api::objects::{Kind, Object};
use crate::api::patch::PatchType;
use crate::apiserver::ListOptions;
use crate::kubectl::error::KubectlError;
use crate::kubectl::flags::{FlagKind, FlagSpec, ParsedArgs};
use crate::kubectl::targets::{object_ref, quoted_ref, resolve_targets};
use crate::kubectl::{Context, Output};

/// The annotation holding a ReplicaSet's revision.
pub const REVISION_ANNOTATION: &str = "deployment.kubernetes.io/revision";
/// The annotation `history` prints as CHANGE-CAUSE.
pub const CHANGE_CAUSE_ANNOTATION: &str = "kubernetes.io/change-cause";
/// The pod template annotation `restart` sets.
pub const RESTARTED_AT_ANNOTATION: &str = "kubectl.kubernetes.io/restartedAt";

/// `kubectl rollout`.
pub const COMMAND: CommandSpec = CommandSpec {
    name: "rollout",
    aliases: &[],
    short: "Manage the rollout of a resource",
    usage: "kubectl rollout SUBCOMMAND [options]",
    flags: &[
        FlagSpec {
            long: "revision",
            short: None,
            kind: FlagKind::String,
            usage: "history: see the details of this revision; status: pin to a revision.",
        },
        FlagSpec {
            long: "to-revision",
            short: None,
            kind: FlagKind::String,
            usage: "The revision to rollback to. Default to 0 (last revision).",
        },
        FlagSpec {
            long: "watch",
            short: Some('w'),
            kind: FlagKind::Bool,
            usage:
                "Watch the status of the rollout until it's done (the host repeats the command).",
        },
        FlagSpec {
            long: "timeout",
            short: None,
            kind: FlagKind::String,
            usage: "status: the length of time to wait before ending watch, zero means never (a Go duration such as 1s, 2m, 3h). The playground reads the status once, so it only checks the value.",
        },
        FlagSpec {
            long: "selector",
            short: Some('l'),
            kind: FlagKind::String,
            usage: "Selector (label query) to filter on.",
        },
    ],
    run,
};

const HELP: &str = "Manage the rollout of one or many resources.\n\nAvailable Commands:\n  history       View rollout history\n  pause         Mark the provided resource as paused\n  restart       Restart a resource\n  resume        Resume a paused resource\n  status        Show the status of the rollout\n  undo          Undo a previous rollout\n\nUsage:\n  kubectl rollout SUBCOMMAND [options]\n\nUse \"kubectl rollout <command> --help\" for more information about a given command.";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sub {
    Status,
    History,
    Undo,
    Pause,
    Resume,
    Restart,
}

fn run(context: &mut Context<'_>, args: &ParsedArgs) -> Result<Output, KubectlError> {
    let Some((word, resources)) = args.args.split_first() else {
        return Err(KubectlError::Message(HELP.to_string()));
    };
    let sub = match word.as_str() {
        "status" => Sub::Status,
        "history" => Sub::History,
        "undo" => Sub::Undo,
        "pause" => Sub::Pause,
        "resume" => Sub::Resume,
        "restart" => Sub::Restart,
        _ => {
            return Err(KubectlError::Message(format!(
                "error: unknown command \"{}\"\nSee 'kubectl rollout -h' for help and examples",
                args.args.join(" ")
            )))
        }
    };
    if resources.is_empty() {
        return Err(KubectlError::Usage(
            "required resource not specified".to_string(),
        ));
    }
    if let Some(text) = args.string("timeout") {
        if let Err(error) = crate::play::units::parse_duration(text) {
            return Err(KubectlError::Usage(format!(
                "invalid argument \"{text}\" for \"--timeout\" flag: {error}"
            )));
        }
    }
    let selector = args.string("selector");
    let targets = resolve_targets(context, resources, selector, false)?;
    let mut output = Output::default();
    for (kind, name) in targets {
        let result = if kind == Kind::Deployment {
            run_one(context, args, sub, &name)
        } else {
            Err(KubectlError::Usage(match sub {
                Sub::History => format!(
                    "no history viewer has been implemented for \"{}\"",
                    kind.kind_name()
                ),
                Sub::Undo => format!(
                    "no rollbacker has been implemented for \"{}\"",
                    kind.kind_name()
                ),
                Sub::Status => format!(
                    "no status viewer has been implemented for {}",
                    kind.kind_name()
                ),
                Sub::Pause | Sub::Resume | Sub::Restart => {
                    format!("{} is not supported", object_ref(kind, &name))
                }
            }))
        };
        match result {
            Ok(text) => output.stdout.push_str(&text),
            Err(error) => output.push_error(&error),
        }
    }
    Ok(output)
}

fn run_one(
    context: &mut Context<'_>,
    args: &ParsedArgs,
    sub: Sub,
    name: &str,
) -> Result<String, KubectlError> {
    let namespace = context.namespace.clone();
    let deployment = context.api.get(Kind::Deployment, &namespace, name)?;
    let value = deployment.to_value();
    let paused = value.pointer("/spec/paused").and_then(Value::as_bool) == Some(true);
    let reference = object_ref(Kind::Deployment, name);
    let quoted = quoted_ref(Kind::Deployment, name).replace("deployment.apps", "deployments.apps");
    let patch = |context: &mut Context<'_>, patch: Value| -> Result<(), KubectlError> {
        context.api.patch(
            Kind::Deployment,
            &namespace,
            name,
            PatchType::StrategicMergePatch,
            &patch,
            false,
        )?;
        Ok(())
    };
    match sub {
        Sub::Status => {
            let (line, _done) = deployment_status(&value, name)?;
            Ok(line)
        }
        Sub::Pause => {
            if paused {
                return Err(KubectlError::Usage(format!("{quoted} is already paused")));
            }
            patch(context, json!({"spec": {"paused": true}}))?;
            Ok(format!("{reference} paused\n"))
        }
        Sub::Resume => {
            if !paused {
                return Err(KubectlError::Usage(format!("{quoted} is not paused")));
            }
            patch(context, json!({"spec": {"paused": null}}))?;
            Ok(format!("{reference} resumed\n"))
        }
        Sub::Restart => {
            if paused {
                return Err(KubectlError::Usage(
                    "can't restart paused deployment (run rollout resume first)".to_string(),
                ));
            }
            let now = context.now.to_rfc3339();
            patch(
                context,
                json!({"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT_ANNOTATION: now}}}}}),
            )?;
            Ok(format!("{reference} restarted\n"))
        }
        Sub::History => {
            let history = history(context, &deployment)?;
            match args.string("revision") {
                Some(revision) => {
                    let wanted: i64 = revision.parse().unwrap_or(-1);
                    let Some((_, rs)) = history.iter().find(|(r, _)| *r == wanted) else {
                        return Err(KubectlError::Usage(
                            "unable to find the specified revision".to_string(),
                        ));
                    };
                    Ok(format!(
                        "{reference} with revision #{wanted}\n{}",
                        pod_template_text(rs)
                    ))
                }
                None => {
                    if history.is_empty() {
                        return Ok(format!("{reference} \nNo rollout history found.\n"));
                    }
                    let mut text = format!("{reference} \nREVISION  CHANGE-CAUSE\n");
                    for (revision, rs) in &history {
                        let cause = rs
                            .metadata()
                            .annotations
                            .as_ref()
                            .and_then(|a| a.get(CHANGE_CAUSE_ANNOTATION))
                            .cloned()
                            .unwrap_or_else(|| "<none>".to_string());
                        text.push_str(&format!("{:<10}{cause}\n", revision));
                    }
                    text.push('\n');
                    Ok(text)
                }
            }
        }
        Sub::Undo => {
            if paused {
                return Err(KubectlError::Usage("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again".to_string()));
            }
            let history = history(context, &deployment)?;
            let to_revision: i64 = match args.string("to-revision") {
                Some(text) => text.parse().map_err(|_| {
                    KubectlError::Usage(format!("invalid argument \"{text}\" for \"--to-revision\" flag: strconv.ParseInt: parsing \"{text}\": invalid syntax"))
                })?,
                None => 0,
            };
            let target = if to_revision == 0 {
                if history.len() < 2 {
                    return Err(KubectlError::Usage(format!(
                        "no rollout history found for deployment \"{name}\""
                    )));
                }
                history.iter().rev().nth(1)
            } else {
                history.iter().find(|(r, _)| *r == to_revision)
            };
            let Some((revision, rs)) = target else {
                return Err(KubectlError::Usage(format!(
                    "unable to find specified revision {to_revision} in history"
                )));
            };
            let mut template = rs
                .to_value()
                .pointer("/spec/template")
                .cloned()
                .unwrap_or(Value::Null);
            if let Some(labels) = template
                .pointer_mut("/metadata/labels")
                .and_then(Value::as_object_mut)
            {
                labels.remove("pod-template-hash");
            }
            if value.pointer("/spec/template") == Some(&template) {
                return Ok(format!(
                    "{reference} skipped rollback (current template already matches revision {revision})\n"
                ));
            }
            let mut object = value.clone();
            object["spec"]["template"] = template;
            let object = crate::kubectl::targets::from_value(Kind::Deployment, object)?;
            context.api.update(&namespace, object)?;
            Ok(format!("{reference} rolled back\n"))
        }
    }
}

/// The line `rollout status` prints for a deployment's state, and whether the rollout is
/// done; an error when it exceeded its progress deadline.
pub fn deployment_status(deployment: &Value, name: &str) -> Result<(String, bool), KubectlError> {
    let number = |pointer: &str| {
        deployment
            .pointer(pointer)
            .and_then(Value::as_i64)
            .unwrap_or(0)
    };
    let generation = number("/metadata/generation");
    let observed = number("/status/observedGeneration");
    if generation > observed {
        return Ok((
            "Waiting for deployment spec update to be observed...\n".to_string(),
            false,
        ));
    }
    let deadline_exceeded = deployment
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|conditions| {
            conditions.iter().any(|c| {
                c.get("type").and_then(Value::as_str) == Some("Progressing")
                    && c.get("reason").and_then(Value::as_str) == Some("ProgressDeadlineExceeded")
            })
        });
    if deadline_exceeded {
        return Err(KubectlError::Usage(format!(
            "deployment \"{name}\" exceeded its progress deadline"
        )));
    }
    let wanted = deployment
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let replicas = number("/status/replicas");
    let updated = number("/status/updatedReplicas");
    let available = number("/status/availableReplicas");
    if updated < wanted {
        return Ok((format!("Waiting for deployment \"{name}\" rollout to finish: {updated} out of {wanted} new replicas have been updated...\n"), false));
    }
    if replicas > updated {
        return Ok((format!("Waiting for deployment \"{name}\" rollout to finish: {} old replicas are pending termination...\n", replicas - updated), false));
    }
    if available < updated {
        return Ok((format!("Waiting for deployment \"{name}\" rollout to finish: {available} of {updated} updated replicas are available...\n"), false));
    }
    Ok((
        format!("deployment \"{name}\" successfully rolled out\n"),
        true,
    ))
}

/// The deployment's ReplicaSets by revision, oldest first.
fn history(
    context: &mut Context<'_>,
    deployment: &Arc<Object>,
) -> Result<Vec<(i64, Arc<Object>)>, KubectlError> {
    let uid = deployment.metadata().uid.clone().unwrap_or_default();
    let namespace = context.namespace.clone();
    let list = context
        .api
        .list(Kind::ReplicaSet, Some(&namespace), &ListOptions::default())?;
    let mut history: Vec<(i64, Arc<Object>)> = list
        .items
        .into_iter()
        .filter(|rs| {
            rs.metadata()
                .owner_references
                .as_ref()
                .is_some_and(|refs| refs.iter().any(|r| r.uid == uid))
        })
        .filter_map(|rs| {
            let revision = rs
                .metadata()
                .annotations
                .as_ref()
                .and_then(|a| a.get(REVISION_ANNOTATION))
                .and_then(|r| r.parse::<i64>().ok())?;
            Some((revision, rs))
        })
        .collect();
    history.sort_by_key(|(revision, _)| *revision);
    Ok(history)
}

/// The pod template of a revision, in the shape `kubectl rollout history --revision` prints.
fn pod_template_text(rs: &Object) -> String {
    let value = rs.to_value();
    let template = value
        .pointer("/spec/template")
        .cloned()
        .unwrap_or(Value::Null);
    let mut text = String::from("Pod Template:\n");
    let labels: Vec<String> = template
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                .collect()
        })
        .unwrap_or_default();
    text.push_str(&format!(
        "  Labels:\t{}\n",
        if labels.is_empty() {
            "<none>".to_string()
        } else {
            labels.join("\n\t")
        }
    ));
    text.push_str("  Containers:\n");
    let containers = template
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for container in containers {
        text.push_str(&format!(
            "   {}:\n    Image:\t{}\n",
            container.get("name").and_then(Value::as_str).unwrap_or(""),
            container.get("image").and_then(Value::as_str).unwrap_or("")
        ));
    }
    text.push('\n');
    text
}
