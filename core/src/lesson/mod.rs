//! Lessons: the learning path as data, and the code that runs it.
//!
//! Each lesson is a folder `lessons/NN-id/` at the top of the repository with a `lesson.yaml`
//! (title, summary and steps in Korean and English; each step a text, suggested commands and a
//! goal) and the manifests its commands apply. They are compiled in ([`index`]) so the browser
//! and the node host run the same lessons. Data flows:
//!
//! - [`mod@format`]: YAML → a validated [`Lesson`] (errors name the file and the field);
//! - [`goal`]: a step's [`Goal`], a small typed vocabulary of cluster states, evaluated
//!   against the [`World`](crate::sim::world::World)'s stored objects;
//! - [`run`]: [`LessonRun`], the current step and its progress, moved on by
//!   [`LessonRun::check`] after each line;
//! - [`play`]: [`LessonSession`], a playground [`Session`](crate::play::Session) with a run,
//!   which answers `play lesson` and prints `✓ step done` and the next step, as `kubeplay
//!   play --lesson ID` and the browser terminal show them.

pub mod format;
pub mod goal;
pub mod index;
pub mod play;
pub mod run;

#[cfg(test)]
mod tests;

pub use format::{Lang, Lesson, LessonError, LessonFile, Step, Text};
pub use goal::{Goal, StepBaseline};
pub use play::LessonSession;
pub use run::{LessonRun, Progress, RunState};
