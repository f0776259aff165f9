//! The playground session: one simulated cluster and the command lines a learner types at
//! it, the same for the browser terminal, lessons and `kubeplay play`.
//!
//! A host builds a [`Session`] from a [`PlayConfig`] and hands it one line at a time through
//! [`Session::run_line`]; it gets a [`LineOutput`] back (stdout, stderr, exit code) to print.
//! A line is:
//!
//! - blank, or a comment (`#` at the start of a word, outside quotes, starts one): nothing;
//! - `kubectl …`: the in-core [`crate::kubectl`], run at the current virtual instant. The
//!   cluster then settles (every controller reacts) and virtual time moves on by
//!   [`PlayConfig::step_per_command`] (1 s by default: about the time a learner takes to read
//!   the answer), so a `kubectl get pods` right after `kubectl create` shows pods still
//!   starting, as on a real cluster. `play wait` and `play advance` are the explicit ways to
//!   let more time pass;
//! - `play …`: a playground command ([`commands::COMMANDS`]): wait until quiet, advance time,
//!   stop/start/cut off/heal/add nodes, crash a container, slow the registry, print the clock,
//!   send traffic to a Service or resolve a name through cluster DNS ([`traffic`]).
//!
//! `kubectl get -w` prints the current rows and keeps its watch open: every later step of
//! virtual time (the step after a kubectl line, `play wait`, `play advance`) polls it at each
//! instant and prints the new rows as part of that line's output. The next `kubectl` line ends
//! it, as pressing Ctrl-C to type another command would; `play` lines leave it open, so
//! `kubectl get pods -w` followed by `play wait` shows a rollout row by row.

pub mod commands;
pub mod error;
pub mod quiet;
pub mod traffic;
pub mod units;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::time::Duration;

use crate::kubectl::{self, GetWatch, Kubectl};
use crate::sim::clock::Timestamp;
use crate::sim::world::{World, WorldConfig};

pub use error::PlayError;

/// How a playground session starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlayConfig {
    /// How many simulated nodes (`node-1` …).
    pub nodes: usize,
    /// The seed every random choice derives from: the same seed and lines print the same.
    pub seed: u64,
    /// How much virtual time passes after each kubectl line (zero: only settle).
    pub step_per_command: Duration,
    /// How long `play wait` waits without `--timeout`.
    pub wait_timeout: Duration,
}

impl Default for PlayConfig {
    fn default() -> PlayConfig {
        PlayConfig {
            nodes: 3,
            seed: 1,
            step_per_command: Duration::from_secs(1),
            wait_timeout: commands::DEFAULT_WAIT_TIMEOUT,
        }
    }
}

impl PlayConfig {
    /// The World this session runs.
    pub fn world_config(&self) -> WorldConfig {
        WorldConfig {
            seed: self.seed,
            nodes: self.nodes,
            ..WorldConfig::default()
        }
    }
}

/// What one line printed and how it ended.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineOutput {
    /// What went to standard output.
    pub stdout: String,
    /// What went to standard error.
    pub stderr: String,
    /// 0 for success, 1 for any error (as kubectl).
    pub exit_code: i32,
}

impl LineOutput {
    fn failed(error: &PlayError) -> LineOutput {
        LineOutput {
            stderr: format!("{error}\n"),
            exit_code: 1,
            ..LineOutput::default()
        }
    }
}

/// A simulated cluster and the kubectl that talks to it.
pub struct Session {
    world: World,
    kubectl: Kubectl,
    config: PlayConfig,
    started: Timestamp,
    watch: Option<GetWatch>,
    /// Rows an open watch printed while the current line ran.
    watch_output: LineOutput,
    /// Files `kubectl apply -f` / `create -f` may name (`"-"` is standard input), as the
    /// host supplies them: the browser's editor, or the node host reading them from disk.
    files: BTreeMap<String, String>,
}

impl Session {
    /// Makes a file available to `-f NAME` (replacing one of the same name).
    pub fn set_file(&mut self, name: impl Into<String>, text: impl Into<String>) {
        self.files.insert(name.into(), text.into());
    }

    /// Starts a cluster of `config.nodes` nodes.
    pub fn new(config: PlayConfig) -> Session {
        Session::with_world(World::new(&config.world_config()), config)
    }

    /// A session over a World the host built (and maybe filled) itself; `config.nodes` and
    /// `config.seed` are not used.
    pub fn with_world(world: World, config: PlayConfig) -> Session {
        let started = world.now();
        Session::with_world_started(world, config, started)
    }

    /// A session over a World that started at `started`, for a host that keeps its World
    /// across sessions (the browser page resuming a World it cloned or replayed): `play time`
    /// counts from `started`.
    pub fn with_world_started(world: World, config: PlayConfig, started: Timestamp) -> Session {
        Session {
            started,
            world,
            kubectl: Kubectl::default(),
            config,
            watch: None,
            watch_output: LineOutput::default(),
            files: BTreeMap::new(),
        }
    }

    /// The simulated cluster (for hosts and tests that prepare objects directly).
    pub fn world(&mut self) -> &mut World {
        &mut self.world
    }

    /// The simulated cluster, to read (views that only look at the store).
    pub fn world_ref(&self) -> &World {
        &self.world
    }

    /// Whether a `kubectl get -w` is still open.
    pub fn is_watching(&self) -> bool {
        self.watch.is_some()
    }

    /// Closes an open `kubectl get -w` (Ctrl-C at the prompt).
    pub fn stop_watch(&mut self) {
        if let Some(watch) = self.watch.take() {
            watch.stop(self.world.api());
        }
    }

    /// Runs one line: a kubectl command, a playground command, a comment or nothing.
    pub fn run_line(&mut self, line: &str) -> LineOutput {
        let line = strip_comment(line);
        let Some(words) = shlex::split(line) else {
            return LineOutput::failed(&PlayError::UnterminatedQuote);
        };
        let Some(first) = words.first() else {
            return LineOutput::default();
        };
        self.watch_output = LineOutput::default();
        let mut output = match first.as_str() {
            "kubectl" => self.kubectl_line(line),
            "play" => match self.run_play(words.get(1..).unwrap_or_default()) {
                Ok(stdout) => LineOutput {
                    stdout,
                    ..LineOutput::default()
                },
                Err(error) => LineOutput::failed(&error),
            },
            other => LineOutput::failed(&PlayError::NotACommand(other.to_string())),
        };
        // Watch rows come before a wait's verdict when both were printed during this line;
        // for kubectl lines they follow the command's own output.
        let watched = std::mem::take(&mut self.watch_output);
        if first == "kubectl" {
            output.stdout.push_str(&watched.stdout);
        } else {
            output.stdout = watched.stdout + &output.stdout;
        }
        output.stderr.push_str(&watched.stderr);
        output
    }

    /// A kubectl line: the one call into [`crate::kubectl`], then the time step.
    fn kubectl_line(&mut self, line: &str) -> LineOutput {
        self.stop_watch();
        let now = self.world.now();
        let _ = now;
        let mut output = self.world.kubectl(&self.kubectl, line, self.files.clone());
        self.watch = output.watch.take();
        let result = LineOutput {
            stdout: output.stdout,
            stderr: output.stderr,
            exit_code: output.exit_code,
        };
        let deadline = self.world.now().plus(self.config.step_per_command);
        self.run_watching(deadline, |_| false);
        result
    }

    /// Runs the World until `deadline` or `done`, printing an open watch's rows at each
    /// instant into [`Session::watch_output`]. Returns whether `done` was reached.
    fn run_watching(
        &mut self,
        deadline: Timestamp,
        mut done: impl FnMut(&mut World) -> bool,
    ) -> bool {
        let Session {
            world,
            watch,
            watch_output,
            ..
        } = self;
        world.run_until(deadline, |world| {
            if let Some(watch) = watch.as_mut() {
                let now = world.now();
                let rows: kubectl::Output = watch.poll(world.api(), now);
                watch_output.stdout.push_str(&rows.stdout);
                watch_output.stderr.push_str(&rows.stderr);
            }
            done(world)
        })
    }
}

/// The line without its comment: from a `#` that starts a word outside quotes to the end.
fn strip_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut previous_is_space = true;
    for (index, c) in line.char_indices() {
        if escaped {
            escaped = false;
            previous_is_space = false;
            continue;
        }
        match (quote, c) {
            (None, '#') if previous_is_space => return line.get(..index).unwrap_or(line),
            (None, '\'' | '"') => quote = Some(c),
            (None | Some('"'), '\\') => escaped = true,
            (Some(open), _) if c == open => quote = None,
            _ => {}
        }
        previous_is_space = quote.is_none() && c.is_whitespace();
    }
    line
}
