//! `kubectl explain TYPE[.FIELD…]`: the documentation of a kind's fields, from the embedded
//! docs table ([`crate::kubectl::explain`]). The resource is resolved as kubectl's RESTMapper
//! would (`po`, `pods`, `deploy`), `--api-version` picks the group version whose document is
//! read, `--recursive` prints the field tree.

use super::CommandSpec;
use crate::api::objects::Kind;
use crate::kubectl::error::KubectlError;
use crate::kubectl::explain::{explain, ExplainError, ExplainRequest};
use crate::kubectl::flags::{FlagKind, FlagSpec, ParsedArgs};
use crate::kubectl::resource::resolve_kind;
use crate::kubectl::{Context, Output};

/// `kubectl explain`.
pub const COMMAND: CommandSpec = CommandSpec {
    name: "explain",
    aliases: &[],
    short: "Get documentation for a resource",
    usage: "kubectl explain TYPE [--recursive=FALSE|TRUE] [--api-version=api-version-group] [--output=plaintext|plaintext-openapiv2]",
    flags: &[
        FlagSpec {
            long: "recursive",
            short: None,
            kind: FlagKind::Bool,
            usage: "When true, print the name of all the fields recursively. Otherwise, print the available fields with their description.",
        },
        FlagSpec {
            long: "api-version",
            short: None,
            kind: FlagKind::String,
            usage: "Use given api-version (group/version) of the resource.",
        },
        FlagSpec {
            long: "output",
            short: None,
            kind: FlagKind::String,
            usage: "Format in which to render the schema. Valid values are: (plaintext, plaintext-openapiv2).",
        },
    ],
    run,
};

/// The group versions kubeplay serves an OpenAPI v3 document for.
fn served_group_versions() -> Vec<(&'static str, &'static str)> {
    let mut served = Vec::new();
    for kind in Kind::ALL {
        let gv = (kind.group(), kind.version());
        if !served.contains(&gv) {
            served.push(gv);
        }
    }
    served
}

/// `schema.ParseGroupVersion`: `v1`, `apps/v1`; more than one slash is an error.
fn parse_group_version(text: &str) -> Result<(&str, &str), KubectlError> {
    let mut parts = text.split('/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(version), None, None) => Ok(("", version)),
        (Some(group), Some(version), None) => Ok((group, version)),
        _ => Err(KubectlError::Usage(format!(
            "unexpected GroupVersion string: {text}"
        ))),
    }
}

fn run(_context: &mut Context<'_>, args: &ParsedArgs) -> Result<Output, KubectlError> {
    let resource = match args.args.as_slice() {
        [] => {
            return Err(KubectlError::Message(
                "error: You must specify the type of resource to explain. Use \"kubectl api-resources\" for a complete list of supported resources."
                    .to_string(),
            ))
        }
        [resource] => resource,
        [_, _, ..] => {
            return Err(KubectlError::Message(
                "error: We accept only this format: explain RESOURCE".to_string(),
            ))
        }
    };
    match args.string("output") {
        None | Some("plaintext") => {}
        Some(other) => {
            return Err(KubectlError::Usage(format!(
                "--output {other} is not available in the playground: use plaintext"
            )))
        }
    }
    // cli-runtime's SplitAndParseResourceRequestWithMatchingPrefix: the part before the first
    // dot names the resource; when the argument starts with `resource.group` (like
    // `deployments.apps.spec`), the fields follow the group, else the first dot.
    let trimmed = resource.strip_suffix('.').unwrap_or(resource);
    let name = trimmed.split('.').next().unwrap_or_default();
    // kubectl explain prints the RESTMapper's error as it is, without `error: `.
    let kind = resolve_kind(&name.to_lowercase()).map_err(|_| {
        KubectlError::Message(format!(
            "the server doesn't have a resource type \"{name}\""
        ))
    })?;
    let group_resource = format!("{}.{}", kind.plural(), kind.group());
    let fields_text = match trimmed.strip_prefix(&group_resource) {
        Some(rest) if args.string("api-version").is_none() && !kind.group().is_empty() => rest,
        Some(_) | None => trimmed.get(name.len()..).unwrap_or_default(),
    };
    let field_path: Vec<String> = fields_text.split('.').skip(1).map(str::to_string).collect();
    let (group, version) = match args.string("api-version").filter(|v| !v.is_empty()) {
        Some(text) => parse_group_version(text)?,
        None => (kind.group(), kind.version()),
    };
    let gvr = format!("{group}/{version}, Resource={}", kind.plural());
    if !served_group_versions().contains(&(group, version)) {
        return Err(KubectlError::Usage(format!(
            "couldn't find resource for \"{gvr}\""
        )));
    }
    if (group, version) != (kind.group(), kind.version()) {
        return Err(KubectlError::Usage(format!(
            "GVR ({gvr}) not found in OpenAPI schema"
        )));
    }
    let request = ExplainRequest {
        group,
        version,
        kind: kind.kind_name(),
        field_path: &field_path,
        recursive: args.bool("recursive"),
    };
    let error = match explain(&request) {
        Ok(text) => return Ok(Output::stdout(text)),
        Err(error) => error,
    };
    match &error {
        // kubectl's template has written the header to stdout when it fails on the path.
        ExplainError::FieldNotFound { printed, .. } => {
            let mut output = Output::stdout(printed.clone());
            output.push_error(&KubectlError::Usage(error.to_string()));
            Ok(output)
        }
        ExplainError::KindNotFound(_) | ExplainError::Docs(_) => {
            Err(KubectlError::Usage(error.to_string()))
        }
    }
}
