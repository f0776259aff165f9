//! Manifests: the text a user applies, split into documents and typed as [`Object`]s.
//!
//! Text flows in through [`parse_manifests`]: a JSON stream (text starting with `{` or `[`) or a
//! YAML stream of `---`-separated documents is read document by document into JSON values;
//! empty documents are skipped; a `List` (`v1 List`, or a typed list such as `PodList`) is
//! expanded into its items; every value then becomes an [`Object`] through
//! [`Object::from_value`]. Errors name the document (counted from 1, empty ones included), the
//! line where known, and what is wrong. Objects flow back out as text through [`to_yaml`] and
//! [`to_json_pretty`], fields in the order k8s-openapi serializes them. No input panics.

use serde::Deserialize;
use serde_json::Value;

use crate::api::objects::{go_json_type, Kind, Object, ObjectError};

/// Why a manifest could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    /// The text is not valid YAML or JSON.
    #[error("error parsing document {document}{}: {message}", at_line(*line, *column))]
    Syntax {
        /// The document, counted from 1.
        document: usize,
        /// The line of the error, counted from 1, when the parser reports it.
        line: Option<usize>,
        /// The column of the error, counted from 1, when the parser reports it.
        column: Option<usize>,
        /// What the parser found wrong.
        message: String,
    },
    /// A document is well-formed but not a supported Kubernetes object.
    #[error("error in document {document}{}: {source}", at_line(*line, None))]
    Object {
        /// The document, counted from 1.
        document: usize,
        /// The line the document starts on, counted from 1, when known.
        line: Option<usize>,
        /// What is wrong with the object.
        #[source]
        source: ObjectError,
    },
    /// An item of a List document is not a supported Kubernetes object.
    #[error("error in document {document}{}, items[{item}]: {source}", at_line(*line, None))]
    ListItem {
        /// The document, counted from 1.
        document: usize,
        /// The line the document starts on, counted from 1, when known.
        line: Option<usize>,
        /// The index of the item in `items`, counted from 0 as in a field path.
        item: usize,
        /// What is wrong with the item.
        #[source]
        source: ObjectError,
    },
    /// A List document's `items` is not an array.
    #[error("error in document {document}{}: items: expected an array of objects, found {found}", at_line(*line, None))]
    ListItemsNotAnArray {
        /// The document, counted from 1.
        document: usize,
        /// The line the document starts on, counted from 1, when known.
        line: Option<usize>,
        /// The JSON type found instead.
        found: &'static str,
    },
}

fn at_line(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(line), Some(column)) => format!(" (line {line}, column {column})"),
        (Some(line), None) => format!(" (line {line})"),
        (None, _) => String::new(),
    }
}

/// One document of the stream, before it is typed.
struct Document {
    /// Counted from 1.
    number: usize,
    /// The line it starts on, counted from 1, when known.
    line: Option<usize>,
    value: Value,
}

/// Reads every object in a JSON or YAML manifest stream.
pub fn parse_manifests(text: &str) -> Result<Vec<Object>, ManifestError> {
    let documents = if looks_like_json(text) {
        json_documents(text)?
    } else {
        yaml_documents(text)?
    };
    let mut objects = Vec::new();
    for document in documents {
        if document.value.is_null() {
            continue;
        }
        expand(document, &mut objects)?;
    }
    Ok(objects)
}

/// kubectl's rule: a stream whose first non-space character opens a JSON value is JSON.
fn looks_like_json(text: &str) -> bool {
    matches!(text.trim_start().chars().next(), Some('{') | Some('['))
}

fn json_documents(text: &str) -> Result<Vec<Document>, ManifestError> {
    let mut documents = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    loop {
        let start = stream.byte_offset();
        let number = documents.len() + 1;
        match stream.next() {
            None => return Ok(documents),
            Some(Ok(value)) => documents.push(Document {
                number,
                line: Some(line_of_next_token(text, start)),
                value,
            }),
            Some(Err(error)) => {
                return Err(ManifestError::Syntax {
                    document: number,
                    line: Some(error.line()),
                    column: Some(error.column()),
                    message: error.to_string(),
                })
            }
        }
    }
}

/// The line (from 1) of the first non-whitespace character at or after `offset`.
fn line_of_next_token(text: &str, offset: usize) -> usize {
    let rest = text.get(offset..).unwrap_or("");
    let skipped = rest.len() - rest.trim_start().len();
    let end = offset.saturating_add(skipped);
    text.get(..end).unwrap_or(text).matches('\n').count() + 1
}

fn yaml_documents(text: &str) -> Result<Vec<Document>, ManifestError> {
    let mut values = Vec::new();
    for document in serde_yaml_ng::Deserializer::from_str(text) {
        match Value::deserialize(document) {
            Ok(value) => values.push(value),
            Err(error) => {
                let location = error.location();
                return Err(ManifestError::Syntax {
                    document: values.len() + 1,
                    line: location.as_ref().map(|l| l.line()),
                    column: location.as_ref().map(|l| l.column()),
                    message: error.to_string(),
                });
            }
        }
    }
    // The YAML parser does not say where a document starts; `---` at the start of a line always
    // begins one, so count them, and only trust the count when it agrees with the parser.
    let starts = yaml_document_start_lines(text);
    let lines_known = starts.len() == values.len();
    Ok(values
        .into_iter()
        .enumerate()
        .map(|(index, value)| Document {
            number: index + 1,
            line: if lines_known {
                starts.get(index).copied()
            } else {
                None
            },
            value,
        })
        .collect())
}

/// The line (from 1) where each YAML document starts: each `---` marker line, and line 1 when
/// content comes before the first marker.
fn yaml_document_start_lines(text: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let is_marker = line == "---" || line.starts_with("--- ") || line.starts_with("---\t");
        let trimmed = line.trim();
        let is_content = !trimmed.is_empty() && !trimmed.starts_with('#') && trimmed != "...";
        if is_marker {
            starts.push(index + 1);
        } else if is_content && starts.is_empty() {
            starts.push(1);
        }
    }
    starts
}

/// Adds the objects of one document: itself, or the items of a List.
fn expand(document: Document, objects: &mut Vec<Object>) -> Result<(), ManifestError> {
    let Some(item_kind) = list_item_kind(&document.value) else {
        let object =
            Object::from_value(document.value).map_err(|source| ManifestError::Object {
                document: document.number,
                line: document.line,
                source,
            })?;
        objects.push(object);
        return Ok(());
    };
    let Value::Object(mut list) = document.value else {
        return Ok(());
    };
    let items = match list.remove("items") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(ManifestError::ListItemsNotAnArray {
                document: document.number,
                line: document.line,
                found: go_json_type(&other),
            })
        }
    };
    for (item, value) in items.into_iter().enumerate() {
        let decoded = match item_kind {
            ListItems::AnyKind => Object::from_value(value),
            ListItems::Of(kind) => Object::from_value_as(kind, value),
        };
        let object = decoded.map_err(|source| ManifestError::ListItem {
            document: document.number,
            line: document.line,
            item,
            source,
        })?;
        objects.push(object);
    }
    Ok(())
}

/// What the items of a list document are.
#[derive(Clone, Copy)]
enum ListItems {
    /// `kind: List`: each item names its own kind.
    AnyKind,
    /// A typed list (`PodList`): items are of this kind and may leave out apiVersion and kind.
    Of(Kind),
}

fn list_item_kind(value: &Value) -> Option<ListItems> {
    let kind = value.get("kind")?.as_str()?;
    if kind == "List" {
        return Some(ListItems::AnyKind);
    }
    let api_version = value.get("apiVersion")?.as_str()?;
    let item_kind = kind.strip_suffix("List")?;
    Kind::from_kind_name(api_version, item_kind).map(ListItems::Of)
}

/// The object as YAML, as `kubectl get -o yaml` prints it (fields in k8s-openapi's order).
pub fn to_yaml(object: &Object) -> String {
    // A JSON value always has string keys, so YAML serialization cannot fail.
    serde_yaml_ng::to_string(&object.to_value()).unwrap_or_default()
}

/// The object as indented JSON, as `kubectl get -o json` prints it (four-space indent).
pub fn to_json_pretty(object: &Object) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    // Writing a JSON value into a Vec cannot fail.
    if serde::Serialize::serialize(&object.to_value(), &mut serializer).is_err() {
        return String::new();
    }
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn names(objects: &[Object]) -> Vec<(Kind, String)> {
        objects
            .iter()
            .map(|o| (o.kind(), o.name().to_owned()))
            .collect()
    }

    #[test]
    fn multi_document_yaml_skips_empty_documents() {
        let text = "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels: {app: web}\nspec:\n  containers: [{name: c, image: nginx}]\n---\n# only a comment\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n";
        let objects = parse_manifests(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            names(&objects),
            vec![(Kind::Pod, "a".into()), (Kind::Service, "web".into())]
        );
    }

    #[test]
    fn a_json_stream_of_objects_is_read_whole() {
        let text = r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}
            {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"}}"#;
        let objects = parse_manifests(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            names(&objects),
            vec![(Kind::ConfigMap, "a".into()), (Kind::ConfigMap, "b".into())]
        );
    }

    #[test]
    fn empty_and_comment_only_text_has_no_objects() {
        for text in ["", "   \n", "# nothing\n", "---\n---\n", "---"] {
            assert_eq!(parse_manifests(text), Ok(vec![]), "{text:?}");
        }
    }

    #[test]
    fn a_v1_list_is_expanded_into_its_items() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: team-a}\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: web}\n  spec:\n    selector: {matchLabels: {app: web}}\n    template:\n      metadata: {labels: {app: web}}\n      spec: {containers: [{name: c, image: nginx}]}\n";
        let objects = parse_manifests(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            names(&objects),
            vec![
                (Kind::Namespace, "team-a".into()),
                (Kind::Deployment, "web".into())
            ]
        );
    }

    #[test]
    fn a_typed_list_gives_its_items_their_kind() {
        let text = r#"{"apiVersion":"v1","kind":"PodList","metadata":{"resourceVersion":"7"},
            "items":[{"metadata":{"name":"p1"},"spec":{"containers":[{"name":"c"}]}},
                     {"metadata":{"name":"p2"},"spec":{"containers":[{"name":"c"}]}}]}"#;
        let objects = parse_manifests(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            names(&objects),
            vec![(Kind::Pod, "p1".into()), (Kind::Pod, "p2".into())]
        );
    }

    #[test]
    fn errors_name_the_document_and_line() {
        let table: [(&str, &str); 6] = [
            (
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nmetadata: {name: b}\n",
                r#"error in document 2 (line 4): Object 'Kind' is missing in '{"apiVersion":"v1","metadata":{"name":"b"}}'"#,
            ),
            (
                "apiVersion: v1\nkind: Foo\n",
                r#"error in document 1 (line 1): no matches for kind "Foo" in version "v1""#,
            ),
            (
                "apiVersion: v1\nkind: List\nitems:\n- kind: Pod\n",
                r#"error in document 1 (line 1), items[0]: Object 'apiVersion' is missing in '{"kind":"Pod"}'"#,
            ),
            (
                "apiVersion: v1\nkind: List\nitems: 3\n",
                "error in document 1 (line 1): items: expected an array of objects, found number",
            ),
            (
                "just some words",
                "error in document 1 (line 1): couldn't get version/kind; json parse error: json: cannot unmarshal string into Go value of type struct { APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }",
            ),
            (
                "{\"apiVersion\": \"v1\",\n \"kind\": }",
                "error parsing document 1 (line 2, column 10): expected value at line 2 column 10",
            ),
        ];
        for (text, want) in table {
            match parse_manifests(text) {
                Err(error) => assert_eq!(error.to_string(), want, "{text:?}"),
                Ok(objects) => panic!("{text:?} parsed as {:?}", names(&objects)),
            }
        }
    }

    #[test]
    fn a_yaml_syntax_error_reports_its_line() {
        let text = "apiVersion: v1\nkind: ConfigMap\n---\nmetadata:\n  name: [unclosed\n";
        match parse_manifests(text) {
            Err(ManifestError::Syntax { document, line, .. }) => {
                assert_eq!(document, 2);
                assert!(line.is_some_and(|l| l >= 5), "line {line:?}");
            }
            other => panic!("want a syntax error, got {other:?}"),
        }
    }

    #[test]
    fn yaml_output_reads_back_as_the_same_object() {
        let text = include_str!("objects/testdata/nginx-deployment.yaml");
        let objects = parse_manifests(text).unwrap_or_else(|e| panic!("{e}"));
        for object in &objects {
            let yaml = to_yaml(object);
            assert!(
                yaml.starts_with("apiVersion: apps/v1\nkind: Deployment\n"),
                "{yaml}"
            );
            assert_eq!(
                parse_manifests(&yaml).as_deref(),
                Ok(std::slice::from_ref(object))
            );
            let json = to_json_pretty(object);
            assert!(
                json.starts_with(
                    "{\n    \"apiVersion\": \"apps/v1\",\n    \"kind\": \"Deployment\","
                ),
                "{json}"
            );
            assert_eq!(
                parse_manifests(&json).as_deref(),
                Ok(std::slice::from_ref(object))
            );
        }
    }

    proptest! {
        #[test]
        fn no_text_makes_the_parser_panic(text in any::<String>()) {
            let _ = parse_manifests(&text);
        }

        #[test]
        fn no_yaml_shaped_text_makes_the_parser_panic(
            text in r"(apiVersion: (v1|apps/v1)\n|kind: (Pod|List|PodList|Service)\n|items:\n|- |---\n|  |metadata: \{name: x\}\n|spec:\n|[:\[\]{}\-,#&*!|>'\x22%@`]|[a-z0-9 ]|\n){0,40}"
        ) {
            let _ = parse_manifests(&text);
        }
    }
}
