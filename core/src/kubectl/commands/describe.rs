//! `kubectl describe`: resolves the arguments as `get` does (types, `TYPE NAME`, `TYPE/NAME`,
//! `-l`, `-A`) and prints [`crate::describe`]'s text for each object, a blank line between
//! two. A name that matches nothing exactly describes every object whose name starts with it,
//! as kubectl does.

use super::CommandSpec;
use crate::api::objects::Kind;
use crate::apiserver::{ApiError, ListOptions};
use crate::kubectl::error::KubectlError;
use crate::kubectl::flags::{FlagKind, FlagSpec, ParsedArgs};
use crate::kubectl::resource::{resolve, ResourceSelection};
use crate::kubectl::{Context, Output};

/// `kubectl describe`.
pub const COMMAND: CommandSpec = CommandSpec {
    name: "describe",
    aliases: &[],
    short: "Show details of a specific resource or group of resources",
    usage: "kubectl describe (-f FILENAME | TYPE [NAME_PREFIX | -l label] | TYPE/NAME)",
    flags: &[
        FlagSpec {
            long: "selector",
            short: Some('l'),
            kind: FlagKind::String,
            usage: "Selector (label query) to filter on",
        },
        FlagSpec {
            long: "all-namespaces",
            short: Some('A'),
            kind: FlagKind::Bool,
            usage: "If present, list the requested object(s) across all namespaces.",
        },
    ],
    run,
};

fn run(context: &mut Context<'_>, args: &ParsedArgs) -> Result<Output, KubectlError> {
    if args.args.is_empty() {
        return Err(KubectlError::Usage(
            "You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.".to_string(),
        ));
    }
    let resources = resolve(&args.args)?;
    let all_namespaces = args.bool("all-namespaces");
    let selector = args.string("selector").unwrap_or("");
    let namespace = context.namespace.clone();
    let now = context.now;
    let mut output = Output::default();
    let mut described = Vec::new();
    match &resources.selection {
        ResourceSelection::Kinds(kinds) => {
            let scope = (!all_namespaces).then_some(namespace.as_str());
            for kind in kinds {
                match crate::describe::describe_all(context.api, *kind, scope, selector, now) {
                    Ok(text) if text.is_empty() => {}
                    Ok(text) => described.push(text),
                    Err(error) => output.push_error(&KubectlError::Api(error)),
                }
            }
            if described.is_empty() && output.exit_code == 0 {
                output.stderr = if all_namespaces {
                    "No resources found\n".to_string()
                } else {
                    format!("No resources found in {namespace} namespace.\n")
                };
            }
        }
        ResourceSelection::Named(named) => {
            for (kind, name) in named {
                match describe_name_or_prefix(context, *kind, &namespace, name) {
                    Ok(text) => described.push(text),
                    Err(error) => output.push_error(&KubectlError::Api(error)),
                }
            }
        }
    }
    output.stdout = described.join("\n\n");
    Ok(output)
}

/// kubectl describes the object with exactly this name, or else every object whose name
/// starts with it (`kubectl describe pods web` describes all `web-…` pods).
fn describe_name_or_prefix(
    context: &mut Context<'_>,
    kind: Kind,
    namespace: &str,
    name: &str,
) -> Result<String, ApiError> {
    let now = context.now;
    let exact = crate::describe::describe(context.api, kind, namespace, name, now);
    let Err(ApiError::NotFound { .. }) = &exact else {
        return exact;
    };
    let scope = kind.namespaced().then_some(namespace);
    let list = context.api.list(kind, scope, &ListOptions::default())?;
    let mut texts = Vec::new();
    for object in &list.items {
        let object_name = object.name();
        if object_name.starts_with(name) {
            let object_namespace = object.metadata().namespace.as_deref().unwrap_or(namespace);
            texts.push(crate::describe::describe(
                context.api,
                kind,
                object_namespace,
                object_name,
                now,
            )?);
        }
    }
    if texts.is_empty() {
        return exact;
    }
    Ok(texts.join("\n\n"))
}
