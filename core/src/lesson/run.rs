//! A learner's way through one lesson: which step is current, and when it is done.
//!
//! A host (the terminal's [`super::play::LessonSession`], a web lessons panel) makes a
//! [`LessonRun`] with [`LessonRun::start`], which captures the first step's baseline. After
//! every line the learner runs it calls [`LessonRun::note_line`] (so observation goals see the
//! line) and then [`LessonRun::check`]: while the current step's goal is met the run moves on
//! (a learner who ran ahead may finish several steps with one line) and the returned
//! [`Progress`] says which steps were completed. Views read the lesson, the current step and
//! the texts in the chosen language from the run; nothing here prints.

use crate::sim::world::World;

use super::format::{Lang, Lesson, Step};
use super::goal::StepBaseline;

/// Where a run stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunState {
    /// Step `index` (0-based) is current: its goal is not met yet.
    OnStep(usize),
    /// Every step is done.
    Finished,
}

/// What one [`LessonRun::check`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    /// The steps (0-based) this check completed, in order; empty when nothing changed.
    pub completed: Vec<usize>,
    /// Where the run stands now.
    pub state: RunState,
}

impl Progress {
    /// Whether this check completed any step.
    pub fn advanced(&self) -> bool {
        !self.completed.is_empty()
    }
}

/// One learner's run through a lesson.
#[derive(Clone, Debug)]
pub struct LessonRun {
    lesson: Lesson,
    lang: Lang,
    state: RunState,
    baseline: StepBaseline,
}

impl LessonRun {
    /// Starts at the first step, remembering the cluster as it is now.
    pub fn start(lesson: Lesson, lang: Lang, world: &mut World) -> LessonRun {
        let state = if lesson.steps.is_empty() {
            RunState::Finished
        } else {
            RunState::OnStep(0)
        };
        LessonRun {
            lesson,
            lang,
            state,
            baseline: StepBaseline::capture(world),
        }
    }

    /// The lesson being run.
    pub fn lesson(&self) -> &Lesson {
        &self.lesson
    }

    /// The language its texts are shown in.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// Shows the texts in another language from now on.
    pub fn set_lang(&mut self, lang: Lang) {
        self.lang = lang;
    }

    /// Where the run stands.
    pub fn state(&self) -> RunState {
        self.state
    }

    /// The current step's index and the step, unless the lesson is finished.
    pub fn current_step(&self) -> Option<(usize, &Step)> {
        match self.state {
            RunState::OnStep(index) => self.lesson.steps.get(index).map(|step| (index, step)),
            RunState::Finished => None,
        }
    }

    /// How many steps are done (for a progress bar: done of `lesson().steps.len()`).
    pub fn steps_done(&self) -> usize {
        match self.state {
            RunState::OnStep(index) => index,
            RunState::Finished => self.lesson.steps.len(),
        }
    }

    /// Records a line the learner ran and whether it succeeded (exit code 0), for goals that
    /// ask for a command to have been run.
    pub fn note_line(&mut self, line: &str, succeeded: bool) {
        if !succeeded {
            return;
        }
        if let Some(words) = shlex::split(line).filter(|words| !words.is_empty()) {
            self.baseline.succeeded_lines.push(words);
        }
    }

    /// Checks the current step's goal against the cluster, moving on while goals are met.
    pub fn check(&mut self, world: &mut World) -> Progress {
        let mut completed = Vec::new();
        while let RunState::OnStep(index) = self.state {
            let Some(step) = self.lesson.steps.get(index) else {
                self.state = RunState::Finished;
                break;
            };
            if !step.goal.is_met(world, &self.baseline) {
                break;
            }
            completed.push(index);
            self.state = if index + 1 < self.lesson.steps.len() {
                RunState::OnStep(index + 1)
            } else {
                RunState::Finished
            };
            self.baseline = StepBaseline::capture(world);
        }
        Progress {
            completed,
            state: self.state,
        }
    }
}
