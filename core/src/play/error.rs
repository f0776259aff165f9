//! What can go wrong in a playground line, and how it is reported: usage errors in kubectl's
//! style (`error: unknown flag: --foo` and a `See 'play wait --help' for usage.` line), the API
//! server's errors as kubectl prints them, and the playground's own (a wait that timed out,
//! a node that does not exist).

use crate::apiserver::ApiError;
use crate::kubectl::flags::FlagError;

/// One failed playground line.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PlayError {
    /// The line starts with neither `kubectl` nor `play`.
    #[error("error: unknown command \"{0}\": a line is a kubectl command (kubectl get pods) or a playground command (play help); '#' starts a comment")]
    NotACommand(String),
    /// `play` followed by a word that is no playground command.
    #[error(
        "error: unknown command \"{name}\" for \"play\"{}\nRun 'play help' for the playground's commands.",
        suggestions_text(suggestions)
    )]
    UnknownCommand {
        /// The word given.
        name: String,
        /// Playground commands within two edits of it.
        suggestions: Vec<String>,
    },
    /// The flags did not parse.
    #[error("error: {error}\nSee 'play {command} --help' for usage.")]
    Flag {
        /// The command whose flags these were (`wait`).
        command: String,
        /// What was wrong.
        error: FlagError,
    },
    /// Wrong arguments.
    #[error("error: {message}\nSee 'play {command} --help' for usage.")]
    Usage {
        /// The command (`node stop`).
        command: String,
        /// What was wrong.
        message: String,
    },
    /// The line's quotes do not close.
    #[error("error: the command line has an unterminated quote")]
    UnterminatedQuote,
    /// No simulated node has this name.
    #[error("error: node \"{name}\" not found: the nodes are {} (see 'play nodes')", .known.join(", "))]
    NodeNotFound {
        /// The name given.
        name: String,
        /// The simulated nodes.
        known: Vec<String>,
    },
    /// The API server refused a read.
    #[error("Error from server ({}): {}", .0.reason(), .0)]
    Api(#[from] ApiError),
    /// A fault could not be injected (the pod is not on a node yet, no such container).
    #[error("error: {0}")]
    Fault(String),
    /// `play wait` gave up.
    #[error(
        "error: timed out after {after} waiting for the cluster to settle; still moving:{}",
        lines_text(unsettled)
    )]
    WaitTimedOut {
        /// The timeout, as Go prints durations (`5m0s`).
        after: String,
        /// What is not settled, one line per object.
        unsettled: Vec<String>,
    },
    /// `play lesson` without a lesson running.
    #[error("error: no lesson is running: start one with kubeplay play --lesson ID (lessons: {lessons})")]
    NoLesson {
        /// The ids of the lessons there are.
        lessons: String,
    },
    /// Traffic could not be sent (the source pod is missing or not running, a stopped
    /// node, no cluster DNS outside the cluster).
    #[error("error: {0}")]
    Traffic(#[from] crate::sim::traffic::TrafficError),
}

fn suggestions_text(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        return String::new();
    }
    let mut text = "\n\nDid you mean this?".to_string();
    for suggestion in suggestions {
        text.push_str("\n\t");
        text.push_str(suggestion);
    }
    text.push('\n');
    text
}

fn lines_text(lines: &[String]) -> String {
    if lines.is_empty() {
        return " components are still due at this instant".to_string();
    }
    lines.iter().map(|line| format!("\n  {line}")).collect()
}
