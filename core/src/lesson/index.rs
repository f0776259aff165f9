//! The lessons compiled into the crate: every folder under `lessons/` with its `lesson.yaml`
//! and the files its commands name, through `include_str!`, so the browser has them as well
//! as the node host. A test checks that every folder on disk is listed here and parses.
//!
//! Adding a lesson: create `lessons/NN-id/lesson.yaml` (and its manifests), then add one
//! [`LessonSource`] below, in the order learners take them.

use super::format::{parse, Lesson, LessonError, LessonFile};

/// One lesson folder as compiled in.
#[derive(Clone, Copy, Debug)]
pub struct LessonSource {
    /// The folder's name (`01-pods`).
    pub folder: &'static str,
    /// Its `lesson.yaml`.
    pub yaml: &'static str,
    /// The other files in it (name, text).
    pub files: &'static [(&'static str, &'static str)],
}

impl LessonSource {
    /// The lesson's id: the folder name after `NN-`.
    pub fn id(&self) -> &'static str {
        self.folder
            .split_once('-')
            .map_or(self.folder, |(_, id)| id)
    }

    /// Parses and validates the lesson.
    pub fn parse(&self) -> Result<Lesson, LessonError> {
        let files = self
            .files
            .iter()
            .map(|(name, text)| LessonFile {
                name: (*name).to_string(),
                text: (*text).to_string(),
            })
            .collect();
        parse(self.folder, self.yaml, files)
    }
}

/// Every lesson, in the order learners take them.
pub const LESSONS: &[LessonSource] = &[
    LessonSource {
        folder: "01-pods",
        yaml: include_str!("../../../lessons/01-pods/lesson.yaml"),
        files: &[(
            "sidecar.yaml",
            include_str!("../../../lessons/01-pods/sidecar.yaml"),
        )],
    },
    LessonSource {
        folder: "02-deployments",
        yaml: include_str!("../../../lessons/02-deployments/lesson.yaml"),
        files: &[],
    },
    LessonSource {
        folder: "03-services",
        yaml: include_str!("../../../lessons/03-services/lesson.yaml"),
        files: &[(
            "canary.yaml",
            include_str!("../../../lessons/03-services/canary.yaml"),
        )],
    },
];

/// The ids of every lesson, in order.
pub fn ids() -> Vec<&'static str> {
    LESSONS.iter().map(LessonSource::id).collect()
}

/// The lesson with this id (`pods`) or folder name (`01-pods`).
pub fn find(id: &str) -> Result<Lesson, LessonError> {
    LESSONS
        .iter()
        .find(|source| source.id() == id || source.folder == id)
        .ok_or_else(|| LessonError::NotFound {
            id: id.to_string(),
            available: ids().into_iter().map(str::to_string).collect(),
        })?
        .parse()
}

/// The id of the lesson after `id`, if there is one.
pub fn next_after(id: &str) -> Option<&'static str> {
    let position = LESSONS.iter().position(|source| source.id() == id)?;
    LESSONS.get(position + 1).map(LessonSource::id)
}
