//! `kubectl version`: the client's and the server's versions.

use super::CommandSpec;
use crate::kubectl::error::KubectlError;
use crate::kubectl::flags::{FlagKind, FlagSpec, ParsedArgs};
use crate::kubectl::{Context, Output};

/// The version the playground's kubectl and API server report.
pub const KUBEPLAY_VERSION: &str = "v1.33.0-kubeplay";

/// `kubectl version`.
pub const COMMAND: CommandSpec = CommandSpec {
    name: "version",
    aliases: &[],
    short: "Print the client and server version information",
    usage: "kubectl version [flags] [options]",
    flags: &[FlagSpec {
        long: "client",
        short: None,
        kind: FlagKind::Bool,
        usage: "If true, shows client version only (no server required).",
    }],
    run,
};

fn run(_context: &mut Context<'_>, args: &ParsedArgs) -> Result<Output, KubectlError> {
    let mut text = format!("Client Version: {KUBEPLAY_VERSION}\n");
    if !args.bool("client") {
        text.push_str(&format!("Server Version: {KUBEPLAY_VERSION}\n"));
    }
    Ok(Output::stdout(text))
}
