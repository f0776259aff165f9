//! kubectl's commands, one file each. A command is a [`CommandSpec`]: its name, its flags and
//! a function from the [`Context`] and the parsed flags to an [`Output`]. To add one, write
//! `commands/<name>.rs` with a `pub const COMMAND: CommandSpec` and list it in [`COMMANDS`].

pub mod api_resources;
pub mod apply;
pub mod cluster_info;
pub mod create;
pub mod delete;
pub mod describe;
pub mod explain;
pub mod expose;
pub mod get;
pub mod label;
pub mod logs;
pub mod node;
pub mod rollout;
pub mod run;
pub mod scale;
pub mod set;
pub mod version;

use super::error::KubectlError;
use super::flags::{FlagKind, FlagSpec, ParsedArgs};
use super::{Context, Output};

/// What a command does with its context and flags.
pub type RunFn = fn(&mut Context<'_>, &ParsedArgs) -> Result<Output, KubectlError>;

/// One kubectl command.
#[derive(Clone, Copy)]
pub struct CommandSpec {
    /// The command word (`get`).
    pub name: &'static str,
    /// Other words for it.
    pub aliases: &'static [&'static str],
    /// One line saying what it does (kubectl's short description).
    pub short: &'static str,
    /// The usage line (`kubectl get [(-o|--output=)json|yaml|…] (TYPE[.VERSION][.GROUP] …)`).
    pub usage: &'static str,
    /// The flags it takes besides the global ones.
    pub flags: &'static [FlagSpec],
    /// What it does.
    pub run: RunFn,
}

/// The flags every command takes.
pub const GLOBAL_FLAGS: &[FlagSpec] = &[
    FlagSpec {
        long: "namespace",
        short: Some('n'),
        kind: FlagKind::String,
        usage: "If present, the namespace scope for this CLI request",
    },
    FlagSpec {
        long: "help",
        short: Some('h'),
        kind: FlagKind::Bool,
        usage: "help for the command",
    },
];

/// Every command the playground's kubectl has, in the order help lists them.
pub const COMMANDS: &[&CommandSpec] = &[
    &create::COMMAND,
    &expose::COMMAND,
    &run::COMMAND,
    &set::COMMAND,
    &explain::COMMAND,
    &get::COMMAND,
    &delete::COMMAND,
    &rollout::COMMAND,
    &scale::COMMAND,
    &node::CORDON,
    &node::UNCORDON,
    &node::DRAIN,
    &describe::COMMAND,
    &logs::COMMAND,
    &apply::COMMAND,
    &label::COMMAND,
    &label::ANNOTATE,
    &cluster_info::COMMAND,
    &api_resources::COMMAND,
    &version::COMMAND,
];

/// Every command of the real kubectl, in the order cobra registers them (for "Did you mean
/// this?" suggestions, which name real commands even when the playground lacks them).
const KUBECTL_COMMANDS: [&str; 44] = [
    "create",
    "expose",
    "run",
    "set",
    "explain",
    "get",
    "edit",
    "delete",
    "rollout",
    "scale",
    "autoscale",
    "certificate",
    "cluster-info",
    "top",
    "cordon",
    "uncordon",
    "drain",
    "taint",
    "describe",
    "logs",
    "attach",
    "exec",
    "port-forward",
    "proxy",
    "cp",
    "auth",
    "debug",
    "events",
    "diff",
    "apply",
    "patch",
    "replace",
    "wait",
    "kustomize",
    "label",
    "annotate",
    "completion",
    "alpha",
    "api-resources",
    "api-versions",
    "config",
    "plugin",
    "version",
    "options",
];

/// The command a word names, if the playground has it.
pub fn find(name: &str) -> Option<&'static CommandSpec> {
    COMMANDS
        .iter()
        .copied()
        .find(|c| c.name == name || c.aliases.contains(&name))
}

/// Real kubectl commands within two edits of a word, or starting with it (cobra's rule).
pub fn suggestions(word: &str) -> Vec<String> {
    KUBECTL_COMMANDS
        .iter()
        .filter(|c| {
            levenshtein(&word.to_lowercase(), c) <= 2
                || (!word.is_empty() && c.starts_with(&word.to_lowercase()))
        })
        .map(|c| c.to_string())
        .collect()
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            let value = (previous.get(j).copied().unwrap_or(0) + cost)
                .min(previous.get(j + 1).copied().unwrap_or(0) + 1)
                .min(current.get(j).copied().unwrap_or(0) + 1);
            current.push(value);
        }
        previous = current;
    }
    previous.last().copied().unwrap_or(0)
}

/// `kubectl` alone: what the playground's kubectl can do.
pub fn root_help() -> String {
    let mut text =
        String::from("kubectl controls the Kubernetes cluster manager.\n\nAvailable Commands:\n");
    let width = COMMANDS.iter().map(|c| c.name.len()).max().unwrap_or(0);
    for command in COMMANDS {
        text.push_str(&format!("  {:width$}   {}\n", command.name, command.short));
    }
    text.push_str("\nUsage:\n  kubectl [flags] [options]\n\nUse \"kubectl <command> --help\" for more information about a given command.\n");
    text
}

/// `kubectl CMD --help`: the usage and flags of one command.
pub fn help(spec: &CommandSpec) -> String {
    let mut text = format!("{}\n\nOptions:\n", spec.short);
    for flag in spec.flags.iter().chain(GLOBAL_FLAGS) {
        let names = match flag.short {
            Some(letter) => format!("-{letter}, --{}", flag.long),
            None => format!("    --{}", flag.long),
        };
        text.push_str(&format!("    {names}:\n\t{}\n\n", flag.usage));
    }
    text.push_str(&format!("Usage:\n  {}\n", spec.usage));
    text
}
