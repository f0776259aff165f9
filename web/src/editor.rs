//! The YAML editor's model: where in the learner's text each problem is, found without
//! touching the cluster.
//!
//! Text flows in through [`check`]: it is cut into documents at `---` lines
//! ([`split_documents`]) so that every document is checked on its own and the problems of all
//! of them show at once. Each document is read with the core's manifest parser (a syntax error
//! keeps the parser's line and column, moved by the document's first line); each object is then
//! put through what the API server does before it stores anything — defaulting and the kind's
//! validation, or for an object that exists the three-way patch `kubectl apply` would send
//! applied to the stored object and the update validation — reading the store directly, so
//! neither the store, the API server's random streams nor the trace change. The core's API
//! server has no `dryRun=All`, so this is its side-effect-free stand-in; nothing is written
//! until the learner applies ([`crate::playground::Playground::apply_from_editor`], the same
//! `kubectl apply -f -` the terminal runs).
//!
//! A validation error names a field path (`spec.template.spec.containers[0].image`);
//! [`YamlLineIndex`] maps it back to the line of that key in the document (or of its nearest
//! parent that is written, for a missing required field), so the view can mark it in the
//! gutter and print the message under the line.
//!
//! Live (the page attached to a `kubeplay serve`) the check reads the server's mirror instead
//! of the world ([`crate::cluster::ObjectSource`]), and Apply goes to the server; its answer's
//! field errors (`Deployment.apps "web" is invalid: spec.replicas: …`) are put at their lines
//! by [`place_server_errors`], with the same path-to-line index.

use kubeplay_core::api::defaulting;
use kubeplay_core::api::manifest::{parse_manifests, ManifestError};
use kubeplay_core::api::objects::{Kind, Object};
use kubeplay_core::api::patch::{apply_patch, PatchType};
use kubeplay_core::apiserver::registry;
use kubeplay_core::kubectl::apply_patch::{three_way_patch, LAST_APPLIED_ANNOTATION};
use serde_json::Value;

use crate::cluster::ObjectSource;

/// The Deployment template of the editor (the sample Deployment with a Service beside it).
pub const DEPLOYMENT_TEMPLATE: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx
        ports:
        - containerPort: 80
";

/// The Service template of the editor: a ClusterIP Service in front of the template's pods.
pub const SERVICE_TEMPLATE: &str = "\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 80
";

/// One step of a field path: a mapping key or a list index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathSegment {
    /// A mapping key (`spec`, or the `app` of `metadata.labels[app]`).
    Key(String),
    /// A list index (`[0]`).
    Index(usize),
}

/// Reads a Kubernetes field path (`spec.containers[0].image`, `metadata.labels[app.io/x]`)
/// into segments. Brackets hold an index when they hold digits, else a map key (which may
/// contain dots).
pub fn parse_field_path(path: &str) -> Vec<PathSegment> {
    let mut segments = Vec::new();
    let mut name = String::new();
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                if !name.is_empty() {
                    segments.push(PathSegment::Key(std::mem::take(&mut name)));
                }
            }
            '[' => {
                if !name.is_empty() {
                    segments.push(PathSegment::Key(std::mem::take(&mut name)));
                }
                let inner: String = chars.by_ref().take_while(|c| *c != ']').collect();
                segments.push(match inner.parse::<usize>() {
                    Ok(index) => PathSegment::Index(index),
                    Err(_) => PathSegment::Key(inner),
                });
            }
            other => name.push(other),
        }
    }
    if !name.is_empty() {
        segments.push(PathSegment::Key(name));
    }
    segments
}

/// Where a node of the YAML text is written.
#[derive(Clone, Debug, PartialEq, Eq)]
struct IndexEntry {
    path: Vec<PathSegment>,
    /// Counted from 1.
    line: usize,
    /// Counted from 1.
    column: usize,
}

/// Every mapping key and list item of a block-style YAML text with the line it is on.
///
/// A line scanner rather than a parser, so it works on text the parser rejects and keeps
/// positions the parser forgets: it follows indentation (a key or `-` at a column closes
/// everything at that column or deeper), counts list items per list, understands compact
/// lists (`containers:` followed by `- name:` at the same column), `- - nested` items, quoted
/// keys, comments, and skips the lines of `|`/`>` block scalars. Flow collections
/// (`[a, b]`, `{a: 1}`) are values of their key's line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct YamlLineIndex {
    entries: Vec<IndexEntry>,
}

/// A place in the text: line and column, counted from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// The line, counted from 1.
    pub line: usize,
    /// The column, counted from 1.
    pub column: usize,
}

/// An open node while scanning: where it starts and what it is.
struct Frame {
    /// Counted from 0.
    column: usize,
    segment: PathSegment,
}

impl YamlLineIndex {
    /// Indexes `text`; `first_line` is the line number of its first line (for a document cut
    /// out of a longer text). A `---` line starts a new document: paths start over.
    pub fn build(text: &str, first_line: usize) -> YamlLineIndex {
        let mut entries = Vec::new();
        let mut stack: Vec<Frame> = Vec::new();
        // Lines indented deeper than this column belong to a block scalar.
        let mut block_scalar_column: Option<usize> = None;
        for (offset, raw) in text.lines().enumerate() {
            let line = first_line + offset;
            let indent = raw.len() - raw.trim_start_matches(' ').len();
            let content = raw.trim();
            if let Some(column) = block_scalar_column {
                if content.is_empty() || indent > column {
                    continue;
                }
                block_scalar_column = None;
            }
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            if is_document_marker(raw) {
                stack.clear();
                continue;
            }
            let mut column = indent;
            let mut rest = raw.get(indent..).unwrap_or("");
            loop {
                if rest == "-" || rest.starts_with("- ") {
                    while stack.last().is_some_and(|top| top.column > column) {
                        stack.pop();
                    }
                    let index = match stack.last() {
                        Some(Frame {
                            column: top_column,
                            segment: PathSegment::Index(previous),
                        }) if *top_column == column => {
                            let next = previous + 1;
                            stack.pop();
                            next
                        }
                        _ => 0,
                    };
                    stack.push(Frame {
                        column,
                        segment: PathSegment::Index(index),
                    });
                    entries.push(IndexEntry {
                        path: stack.iter().map(|f| f.segment.clone()).collect(),
                        line,
                        column: column + 1,
                    });
                    let after = rest.get(1..).unwrap_or("");
                    let item = after.trim_start_matches(' ');
                    column += 1 + after.len() - item.len();
                    rest = item;
                    continue;
                }
                if let Some((key, value)) = split_key(rest) {
                    while stack.last().is_some_and(|top| top.column >= column) {
                        stack.pop();
                    }
                    stack.push(Frame {
                        column,
                        segment: PathSegment::Key(key),
                    });
                    entries.push(IndexEntry {
                        path: stack.iter().map(|f| f.segment.clone()).collect(),
                        line,
                        column: column + 1,
                    });
                    if value.starts_with('|') || value.starts_with('>') {
                        block_scalar_column = Some(column);
                    }
                }
                break;
            }
        }
        YamlLineIndex { entries }
    }

    /// Where the field at `path` is written, or its nearest written parent (a required field
    /// that is missing is marked at its parent); the bool says whether the field itself was
    /// found. None when not even the first segment is in the text.
    pub fn locate(&self, path: &[PathSegment]) -> Option<(Position, bool)> {
        (1..=path.len()).rev().find_map(|length| {
            let prefix = path.get(..length)?;
            self.entries
                .iter()
                .find(|entry| entry.path == prefix)
                .map(|entry| {
                    (
                        Position {
                            line: entry.line,
                            column: entry.column,
                        },
                        length == path.len(),
                    )
                })
        })
    }
}

/// `---` alone or followed by a space or tab: a YAML document start.
fn is_document_marker(line: &str) -> bool {
    line == "---" || line.starts_with("--- ") || line.starts_with("---\t")
}

/// The key and the value text of a `key: value` (or `key:`) line, quotes taken off the key;
/// None when the text is no mapping entry (a scalar, a flow collection, a comment).
fn split_key(text: &str) -> Option<(String, &str)> {
    let (key, after) = match text.chars().next()? {
        quote @ ('"' | '\'') => {
            let body = text.get(1..)?;
            let end = body.find(quote)?;
            let key = body.get(..end)?.to_string();
            (key, body.get(end + 1..)?)
        }
        '{' | '[' | '#' | '&' | '*' | '!' | '|' | '>' => return None,
        _ => {
            let colon = text
                .match_indices(':')
                .map(|(at, _)| at)
                .find(|at| matches!(text.get(at + 1..at + 2), None | Some(" ") | Some("\t")))?;
            let key = text.get(..colon)?;
            if key.contains(" #") {
                return None;
            }
            (key.trim_end().to_string(), text.get(colon..)?)
        }
    };
    let value = after.strip_prefix(':')?;
    if !(value.is_empty() || value.starts_with(' ') || value.starts_with('\t')) {
        return None;
    }
    Some((key, value.trim()))
}

/// One document of the editor's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentText {
    /// The line it starts on (its `---` line, if it has one), counted from 1.
    pub first_line: usize,
    /// Its text, `---` line included.
    pub text: String,
}

/// Cuts a YAML stream into its documents at the `---` lines. A JSON text is one document.
pub fn split_documents(text: &str) -> Vec<DocumentText> {
    let mut documents = Vec::new();
    let mut current = DocumentText {
        first_line: 1,
        text: String::new(),
    };
    for (offset, line) in text.lines().enumerate() {
        if is_document_marker(line) && !current.text.trim().is_empty() {
            documents.push(std::mem::replace(
                &mut current,
                DocumentText {
                    first_line: offset + 1,
                    text: String::new(),
                },
            ));
        } else if is_document_marker(line) {
            current.first_line = offset + 1;
            current.text.clear();
        }
        current.text.push_str(line);
        current.text.push('\n');
    }
    if !current.text.trim().is_empty() {
        documents.push(current);
    }
    documents
}

/// What a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkerKind {
    /// The text is not YAML (or JSON).
    Syntax,
    /// The document is not an object kubeplay knows (no kind, an unknown kind).
    Object,
    /// The API server would reject the object (validation, a missing namespace).
    Invalid,
}

/// One problem, at the line the view marks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    /// The line, counted from 1.
    pub line: usize,
    /// The column, counted from 1, when known.
    pub column: Option<usize>,
    /// What kind of problem.
    pub kind: MarkerKind,
    /// The message, as kubectl would print it (the field path first for field errors).
    pub message: String,
}

/// The result of checking the editor's text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EditorCheck {
    /// How many objects the text holds (0 when a document does not parse).
    pub objects: usize,
    /// The problems, by line.
    pub markers: Vec<Marker>,
}

/// Checks the editor's text against the cluster without changing it: syntax, then what the
/// API server would say to each object. `default_namespace` is the namespace of objects
/// that name none (kubectl's). The cluster is the simulation's world or, live, the mirror of
/// the server ([`ObjectSource`]): there an object of a kind the mirror does not hold is
/// checked as a create, and the namespace only once the mirror has listed namespaces.
pub fn check<'a>(
    source: impl Into<ObjectSource<'a>>,
    text: &str,
    default_namespace: &str,
) -> EditorCheck {
    let mut source = source.into();
    let mut result = EditorCheck::default();
    for document in split_documents(text) {
        let index = YamlLineIndex::build(&document.text, document.first_line);
        let objects = match parse_manifests(&document.text) {
            Ok(objects) => objects,
            Err(error) => {
                result.markers.push(manifest_marker(&error, &document));
                continue;
            }
        };
        let is_list = is_list(objects.len(), &index);
        for (item, object) in objects.into_iter().enumerate() {
            result.objects += 1;
            let prefix = item_prefix(is_list, item);
            for problem in object_problems(&mut source, object, default_namespace) {
                let mut path = prefix.clone();
                path.extend(parse_field_path(&problem.path));
                let position = index.locate(&path).map(|(position, _)| position);
                result.markers.push(Marker {
                    line: position.map_or(document.first_line, |p| p.line),
                    column: position.map(|p| p.column),
                    kind: MarkerKind::Invalid,
                    message: problem.message,
                });
            }
        }
    }
    result.markers.sort_by_key(|marker| marker.line);
    result
}

/// What the server's answer to the editor's apply says about the text (live mode): its field
/// errors placed at their lines, and every other error line as the server wrote it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerProblems {
    /// Field errors of objects the text holds, at the line of their field (or of the
    /// object's first line when the field is not written).
    pub markers: Vec<Marker>,
    /// Error lines that name no object of the text, or no field (`Error from server
    /// (NotFound): namespaces "x" not found`), as they are.
    pub unplaced: Vec<String>,
}

/// One `… KIND "NAME" is invalid: …` error of the server, taken apart.
#[derive(Clone, Debug, PartialEq, Eq)]
struct InvalidObject {
    /// The kind as the message names it, group cut off (`Deployment` of `Deployment.apps`).
    kind: String,
    /// The object's name.
    name: String,
    /// (field path, message) per field error; the message starts with the path, as
    /// [`check`]'s markers do.
    errors: Vec<(String, String)>,
}

/// Places the field errors of the server's answer to `kubectl apply -f -` of `text` (its
/// stderr) at their lines, as [`check`] does with the errors it finds itself: each line of the
/// form `… Deployment.apps "web" is invalid: spec.x: Invalid value: …` (one field error, or
/// several in brackets, as Kubernetes joins them) is matched to the object of that kind and
/// name in the text, and each field path to its line. The rest is kept as it is.
pub fn place_server_errors(text: &str, stderr: &str) -> ServerProblems {
    let mut problems = ServerProblems::default();
    // Every object of the text, with its document's line index and its path prefix.
    let mut objects: Vec<(Object, YamlLineIndex, Vec<PathSegment>, usize)> = Vec::new();
    for document in split_documents(text) {
        let Ok(parsed) = parse_manifests(&document.text) else {
            continue;
        };
        let index = YamlLineIndex::build(&document.text, document.first_line);
        let is_list = is_list(parsed.len(), &index);
        let first_line = first_content_line(&document);
        for (item, object) in parsed.into_iter().enumerate() {
            let prefix = item_prefix(is_list, item);
            let line = index
                .locate(&prefix)
                .map_or(first_line, |(position, _)| position.line);
            objects.push((object, index.clone(), prefix, line));
        }
    }
    for line in stderr.lines().filter(|line| !line.trim().is_empty()) {
        let placed = parse_invalid(line).and_then(|invalid| {
            let (_, index, prefix, object_line) = objects.iter().find(|(object, ..)| {
                object.kind().kind_name() == invalid.kind && object.name() == invalid.name
            })?;
            Some(
                invalid
                    .errors
                    .into_iter()
                    .map(|(path, message)| {
                        let mut full = prefix.clone();
                        full.extend(parse_field_path(&path));
                        let position = index.locate(&full).map(|(position, _)| position);
                        Marker {
                            line: position.map_or(*object_line, |p| p.line),
                            column: position.map(|p| p.column),
                            kind: MarkerKind::Invalid,
                            message,
                        }
                    })
                    .collect::<Vec<_>>(),
            )
        });
        match placed {
            Some(markers) => problems.markers.extend(markers),
            None => problems.unplaced.push(line.to_string()),
        }
    }
    problems.markers.sort_by_key(|marker| marker.line);
    problems
}

/// Takes apart `… KIND "NAME" is invalid: ERRORS`; None for any other line.
fn parse_invalid(line: &str) -> Option<InvalidObject> {
    const INVALID: &str = " is invalid: ";
    let at = line.find(INVALID)?;
    let head = line.get(..at)?.strip_suffix('"')?;
    let name_start = head.rfind('"')?;
    let name = head.get(name_start + 1..)?.to_string();
    let before = head.get(..name_start)?.strip_suffix(' ')?;
    let kind_word = before.rsplit([' ', ':']).next()?;
    let kind = kind_word.split('.').next()?.to_string();
    if kind.is_empty() {
        return None;
    }
    let body = line.get(at + INVALID.len()..)?.trim();
    if body.is_empty() {
        return None;
    }
    let body = body
        .strip_prefix('[')
        .and_then(|inner| inner.strip_suffix(']'))
        .unwrap_or(body);
    let errors = split_field_errors(body);
    (!errors.is_empty()).then_some(InvalidObject { kind, name, errors })
}

/// The characters of a field path (`spec.containers[0].image`, `metadata.labels[a.io/b]`).
fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '[' | ']' | '-' | '_' | '/')
}

/// The field path a field error starts with (`spec.replicas` of `spec.replicas: Invalid
/// value: …`), if it starts with one.
fn leading_path(text: &str) -> Option<&str> {
    let end = text.find(|c: char| !is_path_char(c))?;
    let path = text.get(..end)?;
    let starts_with_letter = path.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    (starts_with_letter && text.get(end..)?.starts_with(": ")).then_some(path)
}

/// Cuts Kubernetes' joined field errors (`a: Required value, b.c: Invalid value: 1: …`) at
/// each `, ` followed by a field path and `: `: a message's own commas are followed by words
/// and spaces or by quoted values, never by a path and a colon.
fn split_field_errors(body: &str) -> Vec<(String, String)> {
    let mut starts = vec![0];
    for (at, _) in body.match_indices(", ") {
        if body.get(at + 2..).and_then(leading_path).is_some() {
            starts.push(at + 2);
        }
    }
    let mut errors = Vec::new();
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(body.len(), |next| next - 2);
        let Some(message) = body.get(start..end) else {
            continue;
        };
        // An error about the whole object has no path: it is marked at the object.
        let path = leading_path(message).unwrap_or_default();
        errors.push((path.to_string(), message.to_string()));
    }
    errors
}

/// A marker for a document the manifest parser rejected.
fn manifest_marker(error: &ManifestError, document: &DocumentText) -> Marker {
    let shift = |line: usize| document.first_line + line.saturating_sub(1);
    match error {
        ManifestError::Syntax {
            line,
            column,
            message,
            ..
        } => Marker {
            line: line.map_or(document.first_line, shift),
            column: *column,
            kind: MarkerKind::Syntax,
            message: without_location(message),
        },
        ManifestError::Object { source, .. } | ManifestError::ListItem { source, .. } => Marker {
            line: first_content_line(document),
            column: None,
            kind: MarkerKind::Object,
            message: source.to_string(),
        },
        ManifestError::ListItemsNotAnArray { found, .. } => Marker {
            line: first_content_line(document),
            column: None,
            kind: MarkerKind::Object,
            message: format!("items: expected an array of objects, found {found}"),
        },
    }
}

/// The parser's message without its `at line L column C` (relative to the document, and
/// shown by the marker's place instead), wherever in the message it is.
fn without_location(message: &str) -> String {
    let mut message = message.to_string();
    while let Some(at) = message.find(" at line ") {
        let after = message.get(at + " at line ".len()..).unwrap_or("");
        let after = after.trim_start_matches(|c: char| c.is_ascii_digit());
        let after = after.strip_prefix(" column ").unwrap_or(after);
        let after = after.trim_start_matches(|c: char| c.is_ascii_digit());
        message = format!("{}{after}", message.get(..at).unwrap_or(""));
    }
    message
}

/// Whether a document is read as a list (`kind: List` with `items`, or several objects), so
/// each object's fields sit under `items[N]`.
fn is_list(objects: usize, index: &YamlLineIndex) -> bool {
    objects != 1
        || index
            .locate(&[PathSegment::Key("items".to_string())])
            .is_some_and(|(_, exact)| exact)
}

/// The path prefix of the `item`th object of a document: `items[item]` in a list, none alone.
fn item_prefix(is_list: bool, item: usize) -> Vec<PathSegment> {
    if is_list {
        vec![
            PathSegment::Key("items".to_string()),
            PathSegment::Index(item),
        ]
    } else {
        Vec::new()
    }
}

/// The first line of a document that is neither blank, a comment nor `---`.
fn first_content_line(document: &DocumentText) -> usize {
    document
        .text
        .lines()
        .position(|line| {
            let trimmed = line.trim();
            !trimmed.is_empty() && !trimmed.starts_with('#') && !is_document_marker(line)
        })
        .map_or(document.first_line, |offset| document.first_line + offset)
}

/// A problem with one object: the field it is about (may be empty) and the message.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Problem {
    path: String,
    message: String,
}

/// What the API server would say to `kubectl apply` of this object, read-only.
fn object_problems(
    source: &mut ObjectSource<'_>,
    mut object: Object,
    default_namespace: &str,
) -> Vec<Problem> {
    let kind = object.kind();
    let namespace = if kind.namespaced() {
        let own = object.namespace().to_string();
        let namespace = if own.is_empty() {
            default_namespace.to_string()
        } else {
            own
        };
        object.metadata_mut().namespace = Some(namespace.clone());
        namespace
    } else {
        object.metadata_mut().namespace = None;
        String::new()
    };
    let mut problems = Vec::new();
    if kind.namespaced()
        && source.knows(Kind::Namespace)
        && source.object(Kind::Namespace, "", &namespace).is_none()
    {
        problems.push(Problem {
            path: "metadata.namespace".to_string(),
            message: format!("namespaces \"{namespace}\" not found"),
        });
    }
    let name = object.name().to_string();
    let live = if name.is_empty() {
        None
    } else {
        source.object(kind, &namespace, &name)
    };
    let errors = match live {
        None => {
            defaulting::apply_defaults(&mut object);
            defaulting::prepare_for_create(&mut object);
            registry::validate_create(&object)
        }
        Some(live) => match patched(&live, &object) {
            Ok(mut updated) => {
                defaulting::apply_defaults(&mut updated);
                registry::validate_update(&updated, &live)
            }
            Err(message) => {
                problems.push(Problem {
                    path: String::new(),
                    message,
                });
                Vec::new()
            }
        },
    };
    problems.extend(errors.into_iter().map(|error| Problem {
        path: error.field.to_string(),
        message: error.to_string(),
    }));
    problems
}

/// The object `kubectl apply` would leave: the three-way patch of the last applied
/// configuration, this one and the live object, applied to the live object.
fn patched(live: &Object, config: &Object) -> Result<Object, String> {
    let kind = live.kind();
    let live_value = live.to_value();
    let original = live
        .metadata()
        .annotations
        .as_ref()
        .and_then(|a| a.get(LAST_APPLIED_ANNOTATION))
        .and_then(|text| serde_json::from_str::<Value>(text).ok())
        .unwrap_or(Value::Null);
    let patch = three_way_patch(&original, &config.to_value(), &live_value, kind.kind_name());
    let value = apply_patch(
        PatchType::StrategicMergePatch,
        &live_value,
        &patch,
        kind.kind_name(),
    )
    .map_err(|e| e.to_string())?;
    Object::from_value_as(kind, value).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeplay_core::sim::world::{World, WorldConfig};

    fn key(name: &str) -> PathSegment {
        PathSegment::Key(name.to_string())
    }

    fn line_of(text: &str, path: &str) -> Option<(usize, bool)> {
        YamlLineIndex::build(text, 1)
            .locate(&parse_field_path(path))
            .map(|(position, exact)| (position.line, exact))
    }

    #[test]
    fn field_paths_split_into_keys_indexes_and_bracketed_map_keys() {
        assert_eq!(
            parse_field_path("spec.template.spec.containers[0].image"),
            vec![
                key("spec"),
                key("template"),
                key("spec"),
                key("containers"),
                PathSegment::Index(0),
                key("image")
            ]
        );
        assert_eq!(
            parse_field_path("metadata.labels[app.kubernetes.io/name]"),
            vec![
                key("metadata"),
                key("labels"),
                key("app.kubernetes.io/name")
            ]
        );
        assert_eq!(parse_field_path(""), Vec::<PathSegment>::new());
    }

    #[test]
    fn fields_of_the_deployment_template_map_to_their_lines() {
        let cases = [
            ("metadata.name", Some((4, true))),
            ("metadata.labels[app]", Some((6, true))),
            ("spec.replicas", Some((8, true))),
            ("spec.selector.matchLabels", Some((10, true))),
            ("spec.template.spec.containers[0]", Some((18, true))),
            ("spec.template.spec.containers[0].name", Some((18, true))),
            ("spec.template.spec.containers[0].image", Some((19, true))),
            (
                "spec.template.spec.containers[0].ports[0].containerPort",
                Some((21, true)),
            ),
            // Missing fields are marked at their nearest written parent.
            (
                "spec.template.spec.containers[0].resources",
                Some((18, false)),
            ),
            ("spec.strategy.type", Some((7, false))),
            ("status", None),
        ];
        for (path, want) in cases {
            assert_eq!(line_of(DEPLOYMENT_TEMPLATE, path), want, "{path}");
        }
    }

    #[test]
    fn list_items_count_per_list_indented_or_compact_and_nested() {
        let text = "\
spec:
  containers:
    - name: a
      image: x
    - name: b
      ports:
      - containerPort: 80
      - containerPort: 81
  initContainers:
  - name: init
matrix:
- - one
  - two
- - three
";
        let cases = [
            ("spec.containers[0].image", Some((4, true))),
            ("spec.containers[1].name", Some((5, true))),
            ("spec.containers[1].ports[1].containerPort", Some((8, true))),
            ("spec.initContainers[0].name", Some((10, true))),
            ("matrix[0][1]", Some((13, true))),
            ("matrix[1][0]", Some((14, true))),
        ];
        for (path, want) in cases {
            assert_eq!(line_of(text, path), want, "{path}");
        }
    }

    #[test]
    fn block_scalars_comments_and_quoted_keys_do_not_confuse_the_index() {
        let text = "\
# a comment: with a colon
metadata:
  annotations:
    \"example.com/note\": |
      image: not-a-key
      - not an item
  name: web # name: again
data:
  'key': value
  url: http://example.com:8080/x
";
        let cases = [
            ("metadata.annotations[example.com/note]", Some((4, true))),
            ("metadata.name", Some((7, true))),
            ("metadata.image", Some((2, false))),
            ("data[key]", Some((9, true))),
            ("data.url", Some((10, true))),
        ];
        for (path, want) in cases {
            assert_eq!(line_of(text, path), want, "{path}");
        }
    }

    #[test]
    fn documents_are_cut_at_marker_lines_and_keep_their_first_line() {
        let text = "---\na: 1\n---\n# only a comment\n---\nb: 2\nc: 3\n";
        let documents = split_documents(text);
        let firsts: Vec<usize> = documents.iter().map(|d| d.first_line).collect();
        assert_eq!(firsts, [1, 3, 5]);
        assert_eq!(
            documents.get(2).map(|d| d.text.as_str()),
            Some("---\nb: 2\nc: 3\n")
        );
        assert_eq!(split_documents(" \n\n"), Vec::<DocumentText>::new());
    }

    fn world() -> World {
        World::new(&WorldConfig {
            seed: 1,
            nodes: 1,
            ..WorldConfig::default()
        })
    }

    #[test]
    fn the_templates_pass_the_check() {
        let mut world = world();
        let text = format!("{DEPLOYMENT_TEMPLATE}---\n{SERVICE_TEMPLATE}");
        let result = check(&mut world, &text, "default");
        assert_eq!(result.markers, Vec::new());
        assert_eq!(result.objects, 2);
    }

    #[test]
    fn an_invalid_field_is_marked_at_its_line_in_its_document() {
        let mut world = world();
        let broken = DEPLOYMENT_TEMPLATE.replace("image: nginx", "image: \"\"");
        let text = format!("{SERVICE_TEMPLATE}---\n{broken}");
        let result = check(&mut world, &text, "default");
        let service_lines = SERVICE_TEMPLATE.lines().count();
        let want_line = service_lines + 1 + 19;
        assert_eq!(result.markers.len(), 1, "{:?}", result.markers);
        let marker = result.markers.first();
        assert_eq!(marker.map(|m| m.line), Some(want_line));
        assert_eq!(
            marker.map(|m| m.message.as_str()),
            Some("spec.template.spec.containers[0].image: Required value")
        );
    }

    #[test]
    fn a_syntax_error_is_marked_at_its_line_in_the_whole_text() {
        let mut world = world();
        let text = format!("{SERVICE_TEMPLATE}---\nkind: ConfigMap\nmetadata:\n  name: [x\n");
        let result = check(&mut world, &text, "default");
        let marker = result.markers.first();
        assert_eq!(marker.map(|m| m.kind), Some(MarkerKind::Syntax));
        let line = marker.map_or(0, |m| m.line);
        let service_lines = SERVICE_TEMPLATE.lines().count();
        assert!(line > service_lines + 2, "line {line}");
        assert!(
            marker.is_some_and(|m| !m.message.contains(" at line ")),
            "{marker:?}"
        );
    }

    #[test]
    fn an_unknown_kind_and_a_missing_namespace_are_reported() {
        let mut world = world();
        let text = "apiVersion: v1\nkind: Gizmo\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: nowhere\n";
        let result = check(&mut world, text, "default");
        let found: Vec<(usize, MarkerKind, &str)> = result
            .markers
            .iter()
            .map(|m| (m.line, m.kind, m.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    1,
                    MarkerKind::Object,
                    "no matches for kind \"Gizmo\" in version \"v1\""
                ),
                (8, MarkerKind::Invalid, "namespaces \"nowhere\" not found"),
            ]
        );
    }

    #[test]
    fn checking_changes_neither_the_store_nor_the_trace() {
        let mut world = world();
        let before_revision = world.api().current_revision();
        let before_hash = world.trace().hash();
        let broken = DEPLOYMENT_TEMPLATE.replace("replicas: 3", "replicas: -1");
        let _ = check(&mut world, &broken, "default");
        let _ = check(&mut world, DEPLOYMENT_TEMPLATE, "default");
        assert_eq!(world.api().current_revision(), before_revision);
        assert_eq!(world.trace().hash(), before_hash);
    }

    #[test]
    fn an_existing_object_is_checked_as_the_update_apply_would_send() {
        let mut world = world();
        let kubectl = kubeplay_core::kubectl::Kubectl::default();
        let files = [("-".to_string(), DEPLOYMENT_TEMPLATE.to_string())].into();
        let output = world.kubectl(&kubectl, "kubectl apply -f -", files);
        assert_eq!(output.stdout, "deployment.apps/web created\n");
        let changed = DEPLOYMENT_TEMPLATE.replace("app: web\n  template", "app: other\n  template");
        let result = check(&mut world, &changed, "default");
        let marker = result.markers.first();
        assert!(
            marker.is_some_and(|m| m.message.starts_with("spec.selector: Invalid value")
                && m.message.contains("field is immutable")),
            "{:?}",
            result.markers
        );
        assert_eq!(marker.map(|m| m.line), Some(9));
    }

    fn kubectl_apply(world: &mut World, text: &str) -> kubeplay_core::kubectl::Output {
        let kubectl = kubeplay_core::kubectl::Kubectl::default();
        let files = [("-".to_string(), text.to_string())].into();
        world.kubectl(&kubectl, "kubectl apply -f -", files)
    }

    #[test]
    fn joined_field_errors_split_at_paths_and_not_at_a_messages_own_commas() {
        let cases: [(&str, Vec<&str>); 4] = [
            ("spec.replicas: Invalid value: -1: must be greater than or equal to 0", vec!["spec.replicas"]),
            (
                "spec.template.spec.containers[0].image: Required value, spec.replicas: Invalid value: -1: must be greater than or equal to 0",
                vec!["spec.template.spec.containers[0].image", "spec.replicas"],
            ),
            (
                "spec.type: Unsupported value: \"Big\": supported values: \"ClusterIP\", \"NodePort\", metadata.labels[app.io/x]: Invalid value: \"-\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
                vec!["spec.type", "metadata.labels[app.io/x]"],
            ),
            ("Invalid value: the object as a whole", vec![""]),
        ];
        for (body, paths) in cases {
            let found: Vec<String> = split_field_errors(body)
                .into_iter()
                .map(|(p, _)| p)
                .collect();
            assert_eq!(found, paths, "{body}");
        }
        let joined = split_field_errors("a: Required value, b.c: Invalid value: 1");
        assert_eq!(
            joined,
            [
                ("a".to_string(), "a: Required value".to_string()),
                ("b.c".to_string(), "b.c: Invalid value: 1".to_string())
            ]
        );
    }

    #[test]
    fn the_servers_field_errors_are_marked_at_their_lines_in_the_right_document() {
        let mut world = world();
        let broken = DEPLOYMENT_TEMPLATE
            .replace("image: nginx", "image: \"\"")
            .replace("replicas: 3", "replicas: -1");
        let text = format!("{SERVICE_TEMPLATE}---\n{broken}");
        let output = kubectl_apply(&mut world, &text);
        assert!(output.stderr.contains("is invalid"), "{}", output.stderr);
        let placed = place_server_errors(&text, &output.stderr);
        let shift = SERVICE_TEMPLATE.lines().count() + 1;
        let lines: Vec<usize> = placed.markers.iter().map(|m| m.line).collect();
        assert_eq!(lines, [shift + 8, shift + 19], "{placed:?}");
        let local = check(&mut world, &text, "default");
        let local_messages: Vec<&str> = local.markers.iter().map(|m| m.message.as_str()).collect();
        let server_messages: Vec<&str> =
            placed.markers.iter().map(|m| m.message.as_str()).collect();
        assert_eq!(server_messages, local_messages);
        assert_eq!(placed.unplaced, Vec::<String>::new());
    }

    #[test]
    fn server_errors_that_name_no_object_of_the_text_are_kept_as_they_are() {
        let stderr = "Error from server (NotFound): error when creating \"STDIN\": namespaces \"nowhere\" not found\n\
            Error from server (Invalid): error when creating \"STDIN\": ConfigMap \"other\" is invalid: data[a b]: Invalid value: \"a b\": a valid config key must consist of alphanumeric characters\n\n";
        let placed = place_server_errors(SERVICE_TEMPLATE, stderr);
        assert_eq!(placed.markers, Vec::new());
        assert_eq!(placed.unplaced.len(), 2);
        assert!(placed
            .unplaced
            .iter()
            .all(|line| line.starts_with("Error from server")));
    }

    #[test]
    fn a_servers_error_about_a_field_not_written_is_marked_at_its_object() {
        let stderr = "The Service \"web\" is invalid: spec.clusterIP: Invalid value: \"None\": field is immutable";
        let text = format!("{DEPLOYMENT_TEMPLATE}---\n{SERVICE_TEMPLATE}");
        let placed = place_server_errors(&text, stderr);
        let service_first_line = DEPLOYMENT_TEMPLATE.lines().count() + 2;
        let marker = placed.markers.first();
        // `spec` is written: the missing clusterIP is marked at it.
        assert_eq!(marker.map(|m| m.line), Some(service_first_line + 4));
        assert_eq!(
            marker.map(|m| m.message.as_str()),
            Some("spec.clusterIP: Invalid value: \"None\": field is immutable")
        );
        for garbage in [
            "is invalid: ",
            "\" is invalid: x",
            "Deployment \"web\" is invalid: ",
            "x \"\" is invalid",
        ] {
            let placed = place_server_errors(&text, garbage);
            assert_eq!(placed.markers, Vec::new(), "{garbage}");
            assert_eq!(placed.unplaced, [garbage.to_string()], "{garbage}");
        }
    }

    #[test]
    fn a_live_check_reads_the_mirror_and_skips_what_it_does_not_hold() {
        use crate::live::{LiveInfo, LiveState};
        use kubeplay_core::sim::clock::Timestamp;
        let mut live = LiveState::new(
            "t".to_string(),
            LiveInfo::default(),
            Timestamp::from_millis(0),
        );
        let in_nowhere = SERVICE_TEMPLATE.replace("name: web", "name: web\n  namespace: nowhere");
        // Namespaces not mirrored yet: the namespace is not judged; the field check still is.
        let result = check(&live, &in_nowhere, "default");
        assert_eq!(result.markers, Vec::new());
        let broken = DEPLOYMENT_TEMPLATE.replace("image: nginx", "image: \"\"");
        let result = check(&live, &broken, "default");
        assert_eq!(result.markers.first().map(|m| m.line), Some(19));
        let namespaces =
            r#"{"items":[{"metadata":{"name":"default"}}],"metadata":{"resourceVersion":"5"}}"#;
        assert_eq!(live.mirror.apply_list(Kind::Namespace, namespaces), Ok(()));
        let result = check(&live, &in_nowhere, "default");
        let found: Vec<&str> = result.markers.iter().map(|m| m.message.as_str()).collect();
        assert_eq!(found, ["namespaces \"nowhere\" not found"]);
        assert_eq!(
            check(&live, SERVICE_TEMPLATE, "default").markers,
            Vec::new()
        );
        // A mirrored Deployment is checked as the update apply would send.
        let deployments = format!(
            r#"{{"items":[{}],"metadata":{{"resourceVersion":"9"}}}}"#,
            deployment_json()
        );
        assert_eq!(
            live.mirror.apply_list(Kind::Deployment, &deployments),
            Ok(())
        );
        let changed = DEPLOYMENT_TEMPLATE.replace("app: web\n  template", "app: other\n  template");
        let result = check(&live, &changed, "default");
        assert!(
            result
                .markers
                .first()
                .is_some_and(|m| m.line == 9 && m.message.contains("field is immutable")),
            "{:?}",
            result.markers
        );
    }

    /// The template Deployment as the server would list it.
    fn deployment_json() -> String {
        let mut world = world();
        let output = kubectl_apply(&mut world, DEPLOYMENT_TEMPLATE);
        assert_eq!(output.stdout, "deployment.apps/web created\n");
        crate::cluster::stored_objects(&mut world, Kind::Deployment)
            .first()
            .map(|object| object.to_value().to_string())
            .unwrap_or_default()
    }
}
