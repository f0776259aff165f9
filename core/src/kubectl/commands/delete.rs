//! `kubectl delete`: by `TYPE NAME…`, `TYPE/NAME`, `-l`, `--all` or `-f`, with
//! `--grace-period`, `--now`, `--force` and `--cascade`. Prints `pod "x" deleted` as soon as
//! the API server has accepted the delete: the playground behaves as `--wait=false` always
//! does (the learner watches the pod terminate with `get -w` instead of a blocked prompt).

use super::apply::FILENAME_FLAG;
use super::CommandSpec;
use crate::apiserver::{ApiError, DeleteOptions, PropagationPolicy};
use crate::kubectl::error::KubectlError;
use crate::kubectl::flags::{FlagKind, FlagSpec, ParsedArgs};
use crate::kubectl::targets::{file_error, quoted_ref, read_files, resolve_targets};
use crate::kubectl::{Context, Output};

/// `kubectl delete`.
pub const COMMAND: CommandSpec = CommandSpec {
    name: "delete",
    aliases: &[],
    short: "Delete resources by file names, stdin, resources and names, or by resources and label selector",
    usage: "kubectl delete ([-f FILENAME] | [-k DIRECTORY] | TYPE [(NAME | -l label | --all)]) [options]",
    flags: &[
        FILENAME_FLAG,
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
            usage: "Delete all resources, in the namespace of the specified resource types.",
        },
        FlagSpec {
            long: "grace-period",
            short: None,
            kind: FlagKind::String,
            usage: "Period of time in seconds given to the resource to terminate gracefully. Ignored if negative. Set to 1 for immediate shutdown. Can only be set to 0 when --force is true (force deletion).",
        },
        FlagSpec {
            long: "now",
            short: None,
            kind: FlagKind::Bool,
            usage: "If true, resources are signaled for immediate shutdown (same as --grace-period=1).",
        },
        FlagSpec {
            long: "force",
            short: None,
            kind: FlagKind::Bool,
            usage: "If true, immediately remove resources from API and bypass graceful deletion.",
        },
        FlagSpec {
            long: "cascade",
            short: None,
            kind: FlagKind::String,
            usage: "Must be \"background\", \"orphan\", or \"foreground\". Defaults to background.",
        },
        FlagSpec {
            long: "wait",
            short: None,
            kind: FlagKind::Bool,
            usage: "If true, wait for resources to be gone before returning. The playground never waits.",
        },
        FlagSpec {
            long: "ignore-not-found",
            short: None,
            kind: FlagKind::Bool,
            usage: "Treat \"resource not found\" as a successful delete.",
        },
    ],
    run,
};

const FORCE_WARNING: &str = "Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n";

fn options(args: &ParsedArgs) -> Result<DeleteOptions, KubectlError> {
    let policy = match args.string("cascade") {
        None | Some("background") | Some("true") => PropagationPolicy::Background,
        Some("foreground") => PropagationPolicy::Foreground,
        Some("orphan") | Some("false") => PropagationPolicy::Orphan,
        Some(other) => {
            return Err(KubectlError::Usage(format!(
                "invalid cascade value ({other}). Must be \"background\", \"foreground\", or \"orphan\""
            )))
        }
    };
    let mut grace: i64 = match args.string("grace-period") {
        Some(value) => value.parse().map_err(|_| {
            KubectlError::Message(format!("error: invalid argument \"{value}\" for \"--grace-period\" flag: strconv.ParseInt: parsing \"{value}\": invalid syntax\nSee 'kubectl delete --help' for usage."))
        })?,
        None => -1,
    };
    if args.bool("now") {
        if args.given("grace-period") {
            return Err(KubectlError::Usage(
                "--now and --grace-period cannot be specified together".to_string(),
            ));
        }
        grace = 1;
    }
    let force = args.bool("force");
    if grace == 0 && !force {
        grace = 1;
    }
    if force && grace < 0 {
        grace = 0;
    }
    Ok(DeleteOptions {
        grace_period_seconds: (grace >= 0).then_some(grace),
        propagation_policy: Some(policy),
        ..DeleteOptions::default()
    })
}

fn run(context: &mut Context<'_>, args: &ParsedArgs) -> Result<Output, KubectlError> {
    let options = options(args)?;
    let files = args.strings("filename");
    let mut output = Output::default();
    if args.bool("force") && options.grace_period_seconds == Some(0) {
        output.stderr.push_str(FORCE_WARNING);
    }
    let verb = if options.grace_period_seconds == Some(0) {
        "force deleted"
    } else {
        "deleted"
    };
    let ignore_not_found = args.bool("ignore-not-found");
    if !files.is_empty() {
        for item in read_files(context, &files)? {
            let kind = item.object.kind();
            let name = item.object.name().to_string();
            let namespace = item.object.namespace().to_string();
            match context.api.delete(kind, &namespace, &name, &options) {
                Ok(_) => output
                    .stdout
                    .push_str(&format!("{} {verb}\n", quoted_ref(kind, &name))),
                Err(ApiError::NotFound { .. }) if ignore_not_found => {}
                Err(error) => output.push_error(&file_error("deleting", &item.file, &error)),
            }
        }
        return Ok(output);
    }
    let all = args.bool("all");
    let selector = args.string("selector");
    let by_collection = selector.is_some() || all;
    let targets = resolve_targets(context, &args.args, selector, all)?;
    if targets.is_empty() && by_collection {
        output.stdout.push_str("No resources found\n");
        return Ok(output);
    }
    let namespace = context.namespace.clone();
    for (kind, name) in targets {
        let namespace = if kind.namespaced() {
            namespace.as_str()
        } else {
            ""
        };
        match context.api.delete(kind, namespace, &name, &options) {
            Ok(_) => output
                .stdout
                .push_str(&format!("{} {verb}\n", quoted_ref(kind, &name))),
            Err(ApiError::NotFound { .. }) if ignore_not_found => {}
            Err(error) => output.push_error(&KubectlError::Api(error)),
        }
    }
    Ok(output)
}
