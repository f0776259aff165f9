//! The lesson format: what a `lessons/NN-id/lesson.yaml` holds, how it is parsed and checked.
//!
//! [`parse`] reads the YAML into a [`Lesson`] (unknown fields are refused, so a typo is an
//! error rather than a silently ignored line) and then [`validate`]s what serde cannot say:
//! no empty text in either language, the id matches the folder, every selector parses, every
//! `-f FILE` a suggested command names is one of the lesson's files. Every error names the
//! file and the field (`lessons/01-pods/lesson.yaml: steps[2].goal.podsRunning.selector: …`).
//! lessons/README.md documents the format for lesson authors.

use serde::Deserialize;

use crate::api::labels::Selector;
use crate::api::objects::Kind;

use super::goal::Goal;

/// A language a lesson is written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Lang {
    /// Korean (`ko`), the language of the course.
    #[default]
    Ko,
    /// English (`en`).
    En,
}

impl Lang {
    /// Every language, in the order lessons list them.
    pub const ALL: [Lang; 2] = [Lang::Ko, Lang::En];

    /// The language's code (`ko`, `en`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ko => "ko",
            Lang::En => "en",
        }
    }

    /// The language a code names (`ko`, `en`).
    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|lang| lang.code() == code)
    }
}

/// A text in every language a lesson is written in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// Korean.
    pub ko: String,
    /// English.
    pub en: String,
}

impl Text {
    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ko => &self.ko,
            Lang::En => &self.en,
        }
    }
}

/// One lesson: a title, a short summary and the steps a learner takes in order.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// The id `kubeplay play --lesson ID` takes; the folder is `NN-id`.
    pub id: String,
    /// The lesson's title.
    pub title: Text,
    /// What the lesson teaches, in a sentence or two.
    pub summary: Text,
    /// How many nodes the lesson's cluster has (3 unless it says otherwise).
    #[serde(default = "default_nodes")]
    pub nodes: usize,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// The manifests the lesson's commands name with `-f` (file name → text), filled from the
    /// lesson index, not from the YAML.
    #[serde(skip)]
    pub files: Vec<LessonFile>,
}

fn default_nodes() -> usize {
    3
}

/// A file a lesson ships beside its `lesson.yaml` (a manifest for `kubectl apply -f`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonFile {
    /// The file's name as commands name it (`sidecar.yaml`).
    pub name: String,
    /// Its contents.
    pub text: String,
}

/// One step: what to read, what to type, and the cluster state that completes it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// A few words naming the step.
    pub title: Text,
    /// What the learner reads (plain text with `code` and blank-line paragraphs).
    pub text: Text,
    /// Lines that complete the step, in order (`kubectl …`, `play …`).
    #[serde(default)]
    pub commands: Vec<String>,
    /// The state of the cluster that completes the step.
    pub goal: Goal,
}

/// A lesson that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LessonError {
    /// The YAML does not parse, or a field has the wrong shape or is unknown.
    #[error("{file}: {field}: {message}")]
    Yaml {
        /// The lesson file (`lessons/01-pods/lesson.yaml`).
        file: String,
        /// Where in it (`steps[1].goal`), or `.` for the whole document.
        field: String,
        /// What was wrong, as the YAML parser says it.
        message: String,
    },
    /// The YAML parses but says something a lesson cannot.
    #[error("{file}: {field}: {message}")]
    Invalid {
        /// The lesson file.
        file: String,
        /// The field at fault (`steps[0].text.en`).
        field: String,
        /// What was wrong and what to write instead.
        message: String,
    },
    /// No lesson has the id asked for.
    #[error("lesson \"{id}\" not found; available lessons: {}", available.join(", "))]
    NotFound {
        /// The id asked for.
        id: String,
        /// The ids there are.
        available: Vec<String>,
    },
}

/// Parses and validates one lesson. `folder` is the lesson's folder name (`01-pods`), used
/// for messages and to check the id; `files` are the files shipped beside it.
pub fn parse(folder: &str, yaml: &str, files: Vec<LessonFile>) -> Result<Lesson, LessonError> {
    let file = format!("lessons/{folder}/lesson.yaml");
    // Goals are written as one-key maps (`podRunning: {name: web}`), not YAML tags: the
    // singleton-map adapter reads every enum that way, and the path tracker inside it
    // remembers where in the document an error happened.
    let mut track = serde_path_to_error::Track::new();
    let tracked = serde_path_to_error::Deserializer::new(
        serde_yaml_ng::Deserializer::from_str(yaml),
        &mut track,
    );
    let parsed: Result<Lesson, _> =
        serde_yaml_ng::with::singleton_map_recursive::deserialize(tracked);
    let mut lesson = parsed.map_err(|error| {
        let field = match track.path().to_string().as_str() {
            "" | "." => ".".to_string(),
            path => path.to_string(),
        };
        // The YAML error starts with its own path (`steps[0]: …`); say the path once.
        let message = error.to_string();
        let message = match message.split_once(": ") {
            Some((path, rest)) if !path.contains(' ') => rest.to_string(),
            _ => message,
        };
        LessonError::Yaml {
            file: file.clone(),
            field,
            message,
        }
    })?;
    lesson.files = files;
    validate(folder, &file, &lesson)?;
    Ok(lesson)
}

/// Checks what the YAML's shape cannot: texts, the id, selectors, kinds and named files.
pub fn validate(folder: &str, file: &str, lesson: &Lesson) -> Result<(), LessonError> {
    let invalid = |field: String, message: String| LessonError::Invalid {
        file: file.to_string(),
        field,
        message,
    };
    let expected_id = folder
        .split_once('-')
        .filter(|(number, _)| !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()))
        .map(|(_, id)| id);
    match expected_id {
        Some(id) if id == lesson.id => {}
        Some(id) => {
            return Err(invalid(
                "id".to_string(),
                format!(
                    "the id \"{}\" does not match the folder \"{folder}\": write id: {id}",
                    lesson.id
                ),
            ))
        }
        None => {
            return Err(invalid(
                "id".to_string(),
                format!("the folder \"{folder}\" is not named NN-id (01-pods)"),
            ))
        }
    }
    check_text(&lesson.title, "title").map_err(|(f, m)| invalid(f, m))?;
    check_text(&lesson.summary, "summary").map_err(|(f, m)| invalid(f, m))?;
    if lesson.nodes == 0 || lesson.nodes > 100 {
        return Err(invalid(
            "nodes".to_string(),
            format!("a lesson runs on 1 to 100 nodes, not {}", lesson.nodes),
        ));
    }
    if lesson.steps.is_empty() {
        return Err(invalid(
            "steps".to_string(),
            "a lesson needs at least one step".to_string(),
        ));
    }
    for (index, step) in lesson.steps.iter().enumerate() {
        let at = format!("steps[{index}]");
        check_text(&step.title, &format!("{at}.title")).map_err(|(f, m)| invalid(f, m))?;
        check_text(&step.text, &format!("{at}.text")).map_err(|(f, m)| invalid(f, m))?;
        for (number, command) in step.commands.iter().enumerate() {
            let field = format!("{at}.commands[{number}]");
            check_command(command, lesson).map_err(|message| invalid(field, message))?;
        }
        check_goal(&step.goal, &format!("{at}.goal")).map_err(|(f, m)| invalid(f, m))?;
    }
    Ok(())
}

fn check_text(text: &Text, field: &str) -> Result<(), (String, String)> {
    for lang in Lang::ALL {
        if text.get(lang).trim().is_empty() {
            return Err((
                format!("{field}.{}", lang.code()),
                "must not be empty: every text is written in ko and en".to_string(),
            ));
        }
    }
    Ok(())
}

/// A suggested command starts with `kubectl` or `play`, and every file it names is shipped.
fn check_command(command: &str, lesson: &Lesson) -> Result<(), String> {
    let Some(words) = shlex::split(command) else {
        return Err(format!("\"{command}\" has an unterminated quote"));
    };
    match words.first().map(String::as_str) {
        Some("kubectl" | "play") => {}
        _ => return Err(format!("\"{command}\" is not a kubectl or play command")),
    }
    let mut iter = words.iter();
    while let Some(word) = iter.next() {
        let named = if word == "-f" || word == "--filename" {
            iter.next().cloned()
        } else {
            word.strip_prefix("--filename=").map(str::to_string)
        };
        if let Some(name) = named {
            if !lesson.files.iter().any(|f| f.name == name) {
                let shipped: Vec<&str> = lesson.files.iter().map(|f| f.name.as_str()).collect();
                return Err(format!(
                    "\"{command}\" names the file \"{name}\", which the lesson does not ship \
                     (its files: {}); add it to the folder and to core/src/lesson/index.rs",
                    if shipped.is_empty() {
                        "none".to_string()
                    } else {
                        shipped.join(", ")
                    }
                ));
            }
        }
    }
    Ok(())
}

/// Selectors parse, kinds exist, counts make sense, in every nested goal.
fn check_goal(goal: &Goal, field: &str) -> Result<(), (String, String)> {
    let tagged = format!("{field}.{}", goal.tag());
    let selector = |selector: &str| {
        Selector::parse(selector).map(|_| ()).map_err(|error| {
            (
                format!("{tagged}.selector"),
                format!("\"{selector}\" is not a label selector: {error}"),
            )
        })
    };
    let kind = |kind: &str| {
        Kind::from_cli_name(kind).map(|_| ()).ok_or_else(|| {
            (
                format!("{tagged}.kind"),
                format!(
                    "\"{kind}\" is not a kind kubeplay knows (pod, deployment, service, node …)"
                ),
            )
        })
    };
    match goal {
        Goal::PodRunning(_)
        | Goal::PodRestarted(_)
        | Goal::DeploymentAvailable(_)
        | Goal::DeploymentImage(_)
        | Goal::ServiceEndpoints(_)
        | Goal::NodeCordoned(_)
        | Goal::NodeSchedulable(_)
        | Goal::NodeNotReady(_) => Ok(()),
        Goal::PodsRunning(pods) | Goal::PodsReplaced(pods) => selector(&pods.selector),
        Goal::PodOnEveryNode(every) => selector(&every.selector),
        Goal::ObjectExists(object) | Goal::ObjectAbsent(object) => kind(&object.kind),
        Goal::Labels(labels) => {
            kind(&labels.kind)?;
            selector(&labels.selector)
        }
        Goal::RanCommand(ran) => match shlex::split(&ran.command) {
            Some(words) if !words.is_empty() => Ok(()),
            _ => Err((
                format!("{tagged}.command"),
                format!("\"{}\" is not a command line", ran.command),
            )),
        },
        Goal::AllOf(goals) => {
            if goals.is_empty() {
                return Err((tagged, "lists no goals".to_string()));
            }
            for (index, inner) in goals.iter().enumerate() {
                check_goal(inner, &format!("{tagged}[{index}]"))?;
            }
            Ok(())
        }
    }
}
