//! `kubectl api-resources`: the kinds the API server serves, with their short names, API
//! versions and scope, as the discovery documents list them.

use super::CommandSpec;
use crate::api::objects::Kind;
use crate::kubectl::error::KubectlError;
use crate::kubectl::flags::{FlagKind, FlagSpec, ParsedArgs};
use crate::kubectl::{Context, Output};
use crate::printers::align_columns;

/// `kubectl api-resources`.
pub const COMMAND: CommandSpec = CommandSpec {
    name: "api-resources",
    aliases: &[],
    short: "Print the supported API resources on the server",
    usage: "kubectl api-resources [flags] [options]",
    flags: &[
        FlagSpec {
            long: "namespaced",
            short: None,
            kind: FlagKind::Bool,
            usage: "If false, non-namespaced resources will be returned, otherwise returning namespaced resources by default.",
        },
        FlagSpec {
            long: "no-headers",
            short: None,
            kind: FlagKind::Bool,
            usage: "When using the default or custom-column output format, don't print headers (default print headers).",
        },
        FlagSpec {
            long: "output",
            short: Some('o'),
            kind: FlagKind::String,
            usage: "Output format. One of: (wide, name).",
        },
    ],
    run,
};

fn run(_context: &mut Context<'_>, args: &ParsedArgs) -> Result<Output, KubectlError> {
    let namespaced = args.given("namespaced").then(|| args.bool("namespaced"));
    let kinds: Vec<Kind> = Kind::ALL
        .into_iter()
        .filter(|k| namespaced.is_none_or(|n| k.namespaced() == n))
        .collect();
    match args.string("output") {
        Some("name") => {
            let mut text = String::new();
            for kind in kinds {
                if kind.group().is_empty() {
                    text.push_str(&format!("{}\n", kind.plural()));
                } else {
                    text.push_str(&format!("{}.{}\n", kind.plural(), kind.group()));
                }
            }
            Ok(Output::stdout(text))
        }
        None | Some("wide") => {
            let mut lines = Vec::new();
            if !args.bool("no-headers") {
                lines.push(
                    ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
                        .map(str::to_string)
                        .to_vec(),
                );
            }
            for kind in kinds {
                lines.push(vec![
                    kind.plural().to_string(),
                    kind.short_names().join(","),
                    kind.api_version().to_string(),
                    kind.namespaced().to_string(),
                    kind.kind_name().to_string(),
                ]);
            }
            Ok(Output::stdout(align_columns(&lines)))
        }
        Some(other) => Err(KubectlError::Usage(format!(
            "--output {other} is not available"
        ))),
    }
}
