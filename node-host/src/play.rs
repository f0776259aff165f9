//! `kubeplay play`: the playground's command line natively, on an in-process simulated
//! cluster ([`kubeplay_core::play::Session`]).
//!
//! Lines come from standard input. On a terminal, [`run_interactive`] shows a prompt with
//! line editing and history (rustyline; Ctrl-C clears the line or ends an open
//! `kubectl get -w`, Ctrl-D or `exit` quits). Piped, [`run_script`] reads the lines as a script.
//! Either way each line's stdout and stderr are printed exactly as the session returns them
//! (what the browser terminal shows).
//!
//! Virtual time moves only with lines (each kubectl line one step, `play wait`,
//! `play advance`), never with the wall clock, so an open `kubectl get -w` prints its rows when
//! a later line moves time, until the next kubectl line ends it.
//!
//! With `--lesson ID` the session runs a lesson ([`kubeplay_core::lesson::LessonSession`]):
//! its title and first step are printed before the first line, each line's output is followed
//! by `✓ step done` and the next step when the cluster reaches the step's goal, `play lesson`
//! prints the current step again, and the lesson's manifests are ready for `kubectl apply -f`.
//!
//! The exit code of a script is 0 when every line succeeded and 1 when at least one failed
//! (the script still runs to its end, like `bash` without `-e`, so the transcript is whole);
//! an interactive session always ends with 0.

use std::io::{BufRead, Write};

use kubeplay_core::lesson::{self, Lang, LessonError, LessonSession};
use kubeplay_core::play::{LineOutput, PlayConfig, Session};

/// What `kubeplay play` was asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlayOptions {
    /// How many simulated nodes (the lesson's count, else 3, when not given).
    pub nodes: Option<usize>,
    /// The seed of every random choice.
    pub seed: u64,
    /// The lesson to run, if any (its id, `pods`, or folder, `01-pods`).
    pub lesson: Option<String>,
    /// The language of the lesson's texts.
    pub lang: Lang,
}

/// How many nodes a free session has when `--nodes` is not given.
pub const DEFAULT_NODES: usize = 3;

/// Why `kubeplay play` could not start.
#[derive(Debug, thiserror::Error)]
pub enum PlayStartError {
    /// The lesson does not exist or does not parse.
    #[error(transparent)]
    Lesson(#[from] LessonError),
}

impl PlayStartError {
    /// The process exit code for this error (2, a usage error).
    pub fn exit_code(&self) -> i32 {
        match self {
            PlayStartError::Lesson(_) => 2,
        }
    }
}

/// A playground session, with or without a lesson.
pub enum Playground {
    /// kubectl and play lines only.
    Free(Box<Session>),
    /// A lesson runs beside the lines.
    Lesson(Box<LessonSession>),
}

impl Playground {
    /// Runs one line (and, in a lesson, checks the step's goal).
    pub fn run_line(&mut self, line: &str) -> LineOutput {
        match self {
            Playground::Free(session) => session.run_line(line),
            Playground::Lesson(lesson) => lesson.run_line(line),
        }
    }

    /// The session underneath.
    pub fn session(&mut self) -> &mut Session {
        match self {
            Playground::Free(session) => session,
            Playground::Lesson(lesson) => lesson.session(),
        }
    }

    /// What to print before the first line: the lesson's title and first step.
    pub fn intro(&self) -> Option<String> {
        match self {
            Playground::Free(_) => None,
            Playground::Lesson(lesson) => Some(lesson.intro()),
        }
    }

    /// Whether the lesson ships a file of this name (then `-f NAME` uses it, not the disk).
    fn ships_file(&self, name: &str) -> bool {
        match self {
            Playground::Free(_) => false,
            Playground::Lesson(lesson) => {
                lesson.run().lesson().files.iter().any(|f| f.name == name)
            }
        }
    }
}

/// Builds the session the options ask for.
pub fn start(options: &PlayOptions) -> Result<Playground, PlayStartError> {
    if let Some(id) = &options.lesson {
        let lesson = lesson::index::find(id)?;
        return Ok(Playground::Lesson(Box::new(LessonSession::start(
            lesson,
            options.lang,
            options.nodes,
            options.seed,
        ))));
    }
    Ok(Playground::Free(Box::new(Session::new(PlayConfig {
        nodes: options.nodes.unwrap_or(DEFAULT_NODES),
        seed: options.seed,
        ..PlayConfig::default()
    }))))
}

/// Runs every line of `input` through the session, printing each line's output. Returns the
/// exit code: 0 if every line succeeded, 1 if any failed.
pub fn run_script(
    session: &mut Playground,
    input: impl BufRead,
    stdout: &mut impl Write,
    stderr: &mut impl Write,
) -> std::io::Result<i32> {
    let mut exit_code = 0;
    if let Some(intro) = session.intro() {
        stdout.write_all(intro.as_bytes())?;
    }
    for line in input.lines() {
        let line = line?;
        load_named_files(session, &line);
        let output = session.run_line(&line);
        stdout.write_all(output.stdout.as_bytes())?;
        stdout.flush()?;
        stderr.write_all(output.stderr.as_bytes())?;
        stderr.flush()?;
        if output.exit_code != 0 {
            exit_code = 1;
        }
    }
    Ok(exit_code)
}

/// Reads the files a kubectl line names with `-f`/`--filename` from disk into the session,
/// so `kubectl apply -f web.yaml` works as with the real kubectl. A file that cannot be read
/// is left out; kubectl then reports it missing. (`-f -`, standard input, is the script itself
/// here and is not supported.)
// The node host reads files for the core, which has no file I/O.
#[allow(clippy::disallowed_methods, clippy::disallowed_types)]
fn load_named_files(session: &mut Playground, line: &str) {
    let Some(words) = shlex::split(line) else {
        return;
    };
    let mut names = Vec::new();
    let mut iter = words.iter();
    while let Some(word) = iter.next() {
        if word == "-f" || word == "--filename" {
            if let Some(name) = iter.next() {
                names.push(name.clone());
            }
        } else if let Some(name) = word
            .strip_prefix("--filename=")
            .or(word.strip_prefix("-f="))
        {
            names.push(name.to_string());
        } else if let Some(name) = word.strip_prefix("-f").filter(|n| !n.is_empty()) {
            names.push(name.to_string());
        }
    }
    for name in names.into_iter().filter(|n| n != "-") {
        if session.ships_file(&name) {
            continue;
        }
        if let Ok(text) = std::fs::read_to_string(&name) {
            session.session().set_file(name, text);
        }
    }
}

/// The prompt on a terminal.
const PROMPT: &str = "kubeplay$ ";

/// Reads lines at a prompt with history until Ctrl-D or `exit`.
pub fn run_interactive(session: &mut Playground, options: &PlayOptions) -> anyhow::Result<i32> {
    use rustyline::error::ReadlineError;

    let mut editor = rustyline::DefaultEditor::new()?;
    let nodes = session.session().world().node_names().len();
    println!(
        "kubeplay play: a simulated cluster of {nodes} node{} (seed {}). Type kubectl commands, \
         'play help' for the playground's own, Ctrl-D or 'exit' to quit.",
        if nodes == 1 { "" } else { "s" },
        options.seed
    );
    if let Some(intro) = session.intro() {
        print!("{intro}");
        println!("('play lesson' shows the current step again.)");
    }
    loop {
        match editor.readline(PROMPT) {
            Ok(line) => {
                let trimmed = line.trim();
                if trimmed == "exit" || trimmed == "quit" {
                    break;
                }
                if !trimmed.is_empty() {
                    let _ = editor.add_history_entry(trimmed);
                }
                load_named_files(session, &line);
                let output = session.run_line(&line);
                print!("{}", output.stdout);
                eprint!("{}", output.stderr);
                std::io::stdout().flush()?;
            }
            Err(ReadlineError::Interrupted) => {
                // Ctrl-C: ends an open `get -w`, as it would end kubectl.
                session.session().stop_watch();
            }
            Err(ReadlineError::Eof) => break,
            Err(error) => return Err(error.into()),
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> PlayOptions {
        PlayOptions {
            nodes: Some(1),
            seed: 1,
            lesson: None,
            lang: Lang::En,
        }
    }

    #[test]
    fn a_script_with_a_failing_line_exits_with_1_and_runs_to_its_end() {
        let mut session = start(&options()).expect("no lesson asked for");
        let script = "play nope\nplay time\n";
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = run_script(&mut session, script.as_bytes(), &mut out, &mut err)
            .expect("in-memory writes succeed");
        assert_eq!(code, 1);
        let out = String::from_utf8_lossy(&out);
        assert!(out.starts_with("2025-01-01T00:00:"), "{out}");
        assert!(String::from_utf8_lossy(&err).contains("unknown command \"nope\" for \"play\""));
    }

    #[test]
    fn a_lesson_that_does_not_exist_is_refused_with_exit_code_2_and_the_available_ids() {
        let error = start(&PlayOptions {
            lesson: Some("pods-101".to_string()),
            ..options()
        })
        .err()
        .expect("no such lesson");
        assert_eq!(
            error.to_string(),
            "lesson \"pods-101\" not found; available lessons: pods, deployments, services"
        );
        assert_eq!(error.exit_code(), 2);
    }

    #[test]
    fn a_lesson_runs_on_its_own_node_count_unless_nodes_is_given() {
        let lesson = |nodes| PlayOptions {
            lesson: Some("pods".to_string()),
            nodes,
            ..options()
        };
        let mut default = start(&lesson(None)).expect("the pods lesson");
        assert_eq!(default.session().world().node_names().len(), 3);
        let mut two = start(&lesson(Some(2))).expect("the pods lesson");
        assert_eq!(two.session().world().node_names().len(), 2);
        assert!(two.intro().is_some_and(|intro| intro.contains("[1/5]")));
    }
}
