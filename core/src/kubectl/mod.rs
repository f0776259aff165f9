//! kubectl in the core: the playground's command line, the same for the browser terminal and
//! `kubeplay play`.
//!
//! A host hands [`run`] (or [`Kubectl::run`]) the API server, the current time and one command
//! line; it gets an [`Output`] back: stdout, stderr and an exit code, exactly as kubectl would
//! print them against a real cluster. Data flows: the line is split into words like a shell
//! does ([`shlex`]) → the command is looked up in [`commands::COMMANDS`] → its flags are
//! parsed with pflag's rules ([`flags`]) → the command reads the API server and prints through
//! [`crate::printers`] or [`output`].
//!
//! `get -w` returns the current table and a [`watch::GetWatch`] in [`Output::watch`]; the host
//! calls [`watch::GetWatch::poll`] whenever it likes (each simulation step, or each time the
//! browser renders) to receive the rows of the changes since, and
//! [`watch::GetWatch::stop`] when the learner presses Ctrl-C.
//!
//! Commands that read files (`apply -f`, `create -f`, `delete -f`) or pod logs get them from
//! the host through a [`Host`]: the host passes the files the learner has (the browser's
//! editor buffers, or the files `kubeplay play` read from disk; `-` is standard input) and,
//! when it runs containers, a [`PodLogs`] that reads their output. [`Kubectl::run`] runs with
//! an empty host; [`Kubectl::run_with_host`] with a real one.
//!
//! Adding a command is one file in [`commands`] that defines a [`commands::CommandSpec`], plus
//! its line in [`commands::COMMANDS`].

pub mod api;
pub mod apply_patch;
pub mod commands;
pub mod error;
pub mod explain;
pub mod flags;
pub mod jsonpath;
pub mod output;
pub mod resource;
pub mod targets;
pub mod watch;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod write_tests;

use std::collections::BTreeMap;

use crate::sim::clock::Timestamp;

pub use api::KubectlApi;
pub use error::KubectlError;
pub use watch::GetWatch;

/// What a command printed and how it ended.
#[derive(Debug, Default)]
pub struct Output {
    /// What went to standard output.
    pub stdout: String,
    /// What went to standard error.
    pub stderr: String,
    /// The exit code: 0 for success, 1 for any error (as kubectl).
    pub exit_code: i32,
    /// For `get -w`: the open watch the host polls for more rows.
    pub watch: Option<GetWatch>,
}

impl Output {
    /// A successful output with this stdout.
    pub fn stdout(text: impl Into<String>) -> Output {
        Output {
            stdout: text.into(),
            ..Output::default()
        }
    }

    /// A failed output: the error's text on stderr, exit code 1.
    pub fn error(error: &KubectlError) -> Output {
        Output {
            stderr: format!("{error}\n"),
            exit_code: 1,
            ..Output::default()
        }
    }

    /// Adds an error line to stderr and marks the output failed.
    pub fn push_error(&mut self, error: &KubectlError) {
        self.stderr.push_str(&format!("{error}\n"));
        self.exit_code = 1;
    }
}

/// The settings of the kubectl a host runs: what a kubeconfig would say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kubectl {
    /// The API server's URL, as `cluster-info` prints it.
    pub server_url: String,
    /// The namespace used when `-n` is not given.
    pub default_namespace: String,
    /// The user name the requests are made as (recorded in the trace).
    pub user: String,
}

impl Default for Kubectl {
    fn default() -> Kubectl {
        Kubectl {
            server_url: "https://127.0.0.1:6443".to_string(),
            default_namespace: "default".to_string(),
            user: "kubectl".to_string(),
        }
    }
}

/// Container output, kept by the container runtime rather than the API server (the
/// simulated runtime of a `World`, or a node host's real one).
pub trait PodLogs {
    /// The log of one container of a pod (`container` None: the pod's only container), of
    /// its previous instance when `previous`; the error text is printed after `error: `.
    /// `api` is the API server the command runs against, for hosts (like the World) whose
    /// log source needs to read the pod.
    fn logs(
        &mut self,
        api: &mut dyn KubectlApi,
        namespace: &str,
        pod: &str,
        container: Option<&str>,
        previous: bool,
    ) -> Result<String, String>;
}

/// What a host supplies besides the API server: the files `-f` may name and pod logs.
#[derive(Default)]
pub struct Host<'h> {
    /// File contents by the name given to `-f`; the key `-` is standard input.
    pub files: BTreeMap<String, String>,
    /// Where `kubectl logs` reads from; None: logs are not available.
    pub logs: Option<&'h mut dyn PodLogs>,
}

/// What every command reads: the API server, the time, the settings and the namespace.
pub struct Context<'a> {
    /// The API server the command talks to.
    pub api: &'a mut dyn KubectlApi,
    /// Now, for ages.
    pub now: Timestamp,
    /// The kubectl settings.
    pub config: &'a Kubectl,
    /// The namespace of `-n`, or the default.
    pub namespace: String,
    /// Whether `-n` was given (kubectl then refuses manifests naming another namespace).
    pub namespace_given: bool,
    /// File contents by name from the host (`-` is standard input).
    pub files: &'a BTreeMap<String, String>,
    /// Pod logs from the host, if it has them.
    pub logs: Option<&'a mut dyn PodLogs>,
}

/// Runs one command line with the default settings.
pub fn run(api: &mut dyn KubectlApi, now: Timestamp, line: &str) -> Output {
    Kubectl::default().run(api, now, line)
}

impl Kubectl {
    /// Runs one command line (`kubectl get pods -o wide`; the leading `kubectl` is optional).
    pub fn run(&self, api: &mut dyn KubectlApi, now: Timestamp, line: &str) -> Output {
        self.run_with_host(api, now, line, &mut Host::default())
    }

    /// Runs one command line with files and pod logs from the host.
    pub fn run_with_host<'h>(
        &self,
        api: &mut dyn KubectlApi,
        now: Timestamp,
        line: &str,
        host: &mut Host<'h>,
    ) -> Output {
        let Some(mut words) = shlex::split(line) else {
            return Output::error(&KubectlError::UnterminatedQuote);
        };
        if words.first().map(String::as_str) == Some("kubectl") {
            words.remove(0);
        }
        let Some(position) = command_position(&words) else {
            return Output::stdout(commands::root_help());
        };
        let name = words.remove(position);
        let Some(spec) = commands::find(&name) else {
            return Output::error(&KubectlError::UnknownCommand {
                suggestions: commands::suggestions(&name),
                name,
            });
        };
        let parsed = match flags::parse(&[commands::GLOBAL_FLAGS, spec.flags], &words) {
            Ok(parsed) => parsed,
            Err(error) => {
                return Output::error(&KubectlError::Flag {
                    command: spec.name.to_string(),
                    error,
                })
            }
        };
        if parsed.bool("help") {
            return Output::stdout(commands::help(spec));
        }
        let namespace_given = parsed.string("namespace").is_some_and(|n| !n.is_empty());
        let namespace = parsed
            .string("namespace")
            .filter(|n| !n.is_empty())
            .unwrap_or(&self.default_namespace)
            .to_string();
        api.set_time(now);
        api.set_user(&self.user);
        let mut context = Context {
            api,
            now,
            config: self,
            namespace,
            namespace_given,
            files: &host.files,
            logs: match &mut host.logs {
                Some(logs) => Some(&mut **logs),
                None => None,
            },
        };
        match (spec.run)(&mut context, &parsed) {
            Ok(output) => output,
            Err(error) => Output::error(&error),
        }
    }
}

/// The index of the command word: the first word that is neither a flag nor the value of a
/// global value flag given before the command (`kubectl -n x get pods`).
fn command_position(words: &[String]) -> Option<usize> {
    let mut index = 0;
    while let Some(word) = words.get(index) {
        if word == "-n" || word == "--namespace" {
            index += 2;
            continue;
        }
        if word.starts_with('-') && word.len() > 1 {
            index += 1;
            continue;
        }
        return Some(index);
    }
    None
}
