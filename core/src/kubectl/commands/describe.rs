//! `kubectl describe`: a placeholder until `crate::describe` lands; it answers that describe
//! is not available yet.

use super::CommandSpec;
use crate::kubectl::error::KubectlError;
use crate::kubectl::flags::{FlagKind, FlagSpec, ParsedArgs};
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

// The describe helper replaces this body with a call to `crate::describe::describe(...)`.
fn run(_context: &mut Context<'_>, _args: &ParsedArgs) -> Result<Output, KubectlError> {
    Err(KubectlError::Message(
        "describe: not yet available".to_string(),
    ))
}
