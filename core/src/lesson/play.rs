//! A playground session with a lesson running: the terminal's view of a [`LessonRun`].
//!
//! [`LessonSession`] owns a [`Session`] (the cluster the lesson asks for, with the lesson's
//! files ready for `kubectl apply -f NAME`) and the run. [`LessonSession::run_line`] answers
//! `play lesson` itself (the current step again) and hands every other line to the session;
//! after each line it checks the goal and appends what changed to the line's stdout: a
//! `✓ step done` line per completed step, then the next step, or the completion message.
//! The `render_*` functions are the texts it prints, in the run's language, so the browser
//! terminal prints the same.

use crate::play::{LineOutput, PlayConfig, Session};

use super::format::{Lang, Lesson};
use super::index;
use super::run::{LessonRun, RunState};

/// A session and the lesson it runs.
pub struct LessonSession {
    session: Session,
    run: LessonRun,
}

impl LessonSession {
    /// Starts a cluster of the lesson's nodes (unless `nodes` says otherwise) and the run.
    pub fn start(lesson: Lesson, lang: Lang, nodes: Option<usize>, seed: u64) -> LessonSession {
        let config = PlayConfig {
            nodes: nodes.unwrap_or(lesson.nodes),
            seed,
            ..PlayConfig::default()
        };
        let mut session = Session::new(config);
        for file in &lesson.files {
            session.set_file(file.name.clone(), file.text.clone());
        }
        let run = LessonRun::start(lesson, lang, session.world());
        LessonSession { session, run }
    }

    /// The title, the summary and the first step: what to print before the first line.
    pub fn intro(&self) -> String {
        let lesson = self.run.lesson();
        let lang = self.run.lang();
        let mut text = format!(
            "=== {} ===\n{}\n",
            lesson.title.get(lang),
            lesson.summary.get(lang).trim_end()
        );
        text.push_str(&current_text(&self.run));
        text
    }

    /// The session (for files and watches).
    pub fn session(&mut self) -> &mut Session {
        &mut self.session
    }

    /// The run (for views of the steps and the progress).
    pub fn run(&self) -> &LessonRun {
        &self.run
    }

    /// Runs one line and appends the lesson's progress to its output.
    pub fn run_line(&mut self, line: &str) -> LineOutput {
        if is_play_lesson(line) {
            return LineOutput {
                stdout: current_text(&self.run),
                ..LineOutput::default()
            };
        }
        let mut output = self.session.run_line(line);
        if matches!(self.run.state(), RunState::Finished) {
            return output;
        }
        self.run.note_line(line, output.exit_code == 0);
        let progress = self.run.check(self.session.world());
        for index in &progress.completed {
            output.stdout.push_str(&render_step_done(
                self.run.lesson(),
                *index,
                self.run.lang(),
            ));
        }
        if progress.advanced() {
            output.stdout.push_str(&current_text(&self.run));
        }
        output
    }
}

/// Whether the line is `play lesson` (with any spacing and a comment after it).
fn is_play_lesson(line: &str) -> bool {
    let words: Vec<String> = shlex::split(line)
        .unwrap_or_default()
        .into_iter()
        .take_while(|word| !word.starts_with('#'))
        .collect();
    words == ["play", "lesson"]
}

/// The current step's text, or the completion message when the run is finished.
fn current_text(run: &LessonRun) -> String {
    match run.current_step() {
        Some((index, _)) => render_step(run.lesson(), index, run.lang()),
        None => render_finished(run.lesson(), run.lang()),
    }
}

/// One step as the terminal prints it: number and title, text, commands, goal.
pub fn render_step(lesson: &Lesson, index: usize, lang: Lang) -> String {
    let Some(step) = lesson.steps.get(index) else {
        return String::new();
    };
    let mut text = format!(
        "\n[{}/{}] {}\n\n{}\n",
        index + 1,
        lesson.steps.len(),
        step.title.get(lang),
        step.text.get(lang).trim_end()
    );
    if !step.commands.is_empty() {
        text.push('\n');
        for command in &step.commands {
            text.push_str(&format!("  $ {command}\n"));
        }
    }
    let goal_word = match lang {
        Lang::Ko => "목표",
        Lang::En => "Goal",
    };
    text.push_str(&format!("\n{goal_word}: {}\n", step.goal.describe(lang)));
    text
}

/// The line printed when a step is done.
pub fn render_step_done(lesson: &Lesson, index: usize, lang: Lang) -> String {
    let title = lesson
        .steps
        .get(index)
        .map(|step| step.title.get(lang))
        .unwrap_or_default();
    let total = lesson.steps.len();
    match lang {
        Lang::Ko => format!("\n✓ {}/{total}단계 완료: {title}\n", index + 1),
        Lang::En => format!("\n✓ step {}/{total} done: {title}\n", index + 1),
    }
}

/// The message at the end of the lesson, with the next lesson's command when there is one.
pub fn render_finished(lesson: &Lesson, lang: Lang) -> String {
    let title = lesson.title.get(lang);
    let mut text = match lang {
        Lang::Ko => format!("\n★ 레슨 완료: {title}. 수고하셨습니다!\n"),
        Lang::En => format!("\n★ Lesson complete: {title}. Well done!\n"),
    };
    if let Some(next) = index::next_after(&lesson.id) {
        text.push_str(&match lang {
            Lang::Ko => format!("다음 레슨: kubeplay play --lesson {next}\n"),
            Lang::En => format!("Next lesson: kubeplay play --lesson {next}\n"),
        });
    }
    text
}
