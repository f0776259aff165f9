//! What can go wrong in a kubectl command, and how kubectl reports each: cobra's usage errors
//! (`error: unknown flag: --foo` and the `See 'kubectl get --help' for usage.` line), the API
//! server's errors (`Error from server (NotFound): pods "x" not found`) and kubectl's own
//! (`error: the server doesn't have a resource type "foo"`).

use crate::apiserver::ApiError;

use super::flags::FlagError;
use super::output::OutputError;

/// One failed kubectl command (or one failed item of it).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum KubectlError {
    /// The flags did not parse.
    #[error("error: {error}\nSee 'kubectl {command} --help' for usage.")]
    Flag {
        /// The command whose flags these were (`get`).
        command: String,
        /// What was wrong.
        error: FlagError,
    },
    /// The first word is no kubectl command.
    #[error(
        "error: unknown command \"{name}\" for \"kubectl\"{}",
        suggestions_text(suggestions)
    )]
    UnknownCommand {
        /// The word given.
        name: String,
        /// Commands within two edits of it, as cobra suggests them.
        suggestions: Vec<String>,
    },
    /// A kubectl command that the playground does not have yet.
    #[error("error: {0}: not yet available in the playground")]
    NotAvailable(String),
    /// The line's quotes do not close.
    #[error("error: the command line has an unterminated quote")]
    UnterminatedQuote,
    /// The resource type is unknown.
    #[error("error: the server doesn't have a resource type \"{0}\"")]
    UnknownResourceType(String),
    /// `-o` could not be understood.
    #[error("error: {0}")]
    Output(#[from] OutputError),
    /// The API server refused the request.
    #[error("Error from server ({}): {}", .0.reason(), .0)]
    Api(#[from] ApiError),
    /// Any other usage error, with kubectl's text.
    #[error("error: {0}")]
    Usage(String),
    /// A message printed as it is (kubectl's multi-line usage texts).
    #[error("{0}")]
    Message(String),
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
    text
}
