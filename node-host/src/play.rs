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
//! The exit code of a script is 0 when every line succeeded and 1 when at least one failed
//! (the script still runs to its end, like `bash` without `-e`, so the transcript is whole);
//! an interactive session always ends with 0.

use std::io::{BufRead, Write};

use kubeplay_core::play::{PlayConfig, Session};

/// What `kubeplay play` was asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlayOptions {
    /// How many simulated nodes.
    pub nodes: usize,
    /// The seed of every random choice.
    pub seed: u64,
    /// The lesson to start with, if any.
    pub lesson: Option<String>,
}

/// Why `kubeplay play` could not start.
#[derive(Debug, thiserror::Error)]
pub enum PlayStartError {
    /// No lesson has this id (no lessons are installed yet).
    #[error("lesson \"{0}\" not found: no lessons are installed yet")]
    LessonNotFound(String),
}

impl PlayStartError {
    /// The process exit code for this error (2, a usage error).
    pub fn exit_code(&self) -> i32 {
        match self {
            PlayStartError::LessonNotFound(_) => 2,
        }
    }
}

/// Builds the session the options ask for.
pub fn start(options: &PlayOptions) -> Result<Session, PlayStartError> {
    if let Some(lesson) = &options.lesson {
        // TODO(lessons): look the lesson up once core/src/lessons exists.
        return Err(PlayStartError::LessonNotFound(lesson.clone()));
    }
    Ok(Session::new(PlayConfig {
        nodes: options.nodes,
        seed: options.seed,
        ..PlayConfig::default()
    }))
}

/// Runs every line of `input` through the session, printing each line's output. Returns the
/// exit code: 0 if every line succeeded, 1 if any failed.
pub fn run_script(
    session: &mut Session,
    input: impl BufRead,
    stdout: &mut impl Write,
    stderr: &mut impl Write,
) -> std::io::Result<i32> {
    let mut exit_code = 0;
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
fn load_named_files(session: &mut Session, line: &str) {
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
        if let Ok(text) = std::fs::read_to_string(&name) {
            session.set_file(name, text);
        }
    }
}

/// The prompt on a terminal.
const PROMPT: &str = "kubeplay$ ";

/// Reads lines at a prompt with history until Ctrl-D or `exit`.
pub fn run_interactive(session: &mut Session, options: &PlayOptions) -> anyhow::Result<i32> {
    use rustyline::error::ReadlineError;

    let mut editor = rustyline::DefaultEditor::new()?;
    println!(
        "kubeplay play: a simulated cluster of {} node{} (seed {}). Type kubectl commands, \
         'play help' for the playground's own, Ctrl-D or 'exit' to quit.",
        options.nodes,
        if options.nodes == 1 { "" } else { "s" },
        options.seed
    );
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
                session.stop_watch();
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
            nodes: 1,
            seed: 1,
            lesson: None,
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
    fn a_lesson_that_does_not_exist_is_refused_with_exit_code_2() {
        let error = start(&PlayOptions {
            lesson: Some("pods-101".to_string()),
            ..options()
        })
        .err()
        .expect("no lessons are installed");
        assert_eq!(
            error.to_string(),
            "lesson \"pods-101\" not found: no lessons are installed yet"
        );
        assert_eq!(error.exit_code(), 2);
    }
}
