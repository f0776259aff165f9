//! Output formats of `-o`: kubectl's table (default and `wide`), `name`, `json`, `yaml`,
//! `jsonpath=…` and `custom-columns=…`, and JSON/YAML written as kubectl writes them (keys
//! sorted, JSON indented by four spaces, YAML in go-yaml's block style).

use serde_json::Value;

use super::jsonpath::{JsonPathError, Template};

/// What `-o` asked for.
#[derive(Clone, Debug, PartialEq)]
pub enum OutputFormat {
    /// No `-o`: kubectl's table.
    Table,
    /// `-o wide`: the table with every column.
    Wide,
    /// `-o name`: `kind.group/name` per object.
    Name,
    /// `-o json`.
    Json,
    /// `-o yaml`.
    Yaml,
    /// `-o jsonpath=TEMPLATE`.
    JsonPath(Template),
    /// `-o custom-columns=HEADER:PATH,…`.
    CustomColumns(Vec<(String, Template)>),
}

/// Why `-o` could not be understood.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OutputError {
    /// A format kubectl does not know.
    #[error("unable to match a printer suitable for the output format \"{0}\", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml")]
    Unknown(String),
    /// A JSONPath template that does not parse.
    #[error("error parsing jsonpath {template}, {source}")]
    JsonPath {
        /// The template as given.
        template: String,
        /// What is wrong with it.
        source: JsonPathError,
    },
    /// `jsonpath` without a template.
    #[error("template format specified but no template given")]
    MissingTemplate,
    /// A custom-columns column without `HEADER:PATH`.
    #[error("unexpected custom-columns spec: {0}, expected <header>:<json-path-expr>")]
    CustomColumnsSpec(String),
    /// `custom-columns` without columns.
    #[error("custom-columns format specified but no custom columns given")]
    MissingColumns,
}

/// Reads the value of `-o`.
pub fn parse_output(format: Option<&str>) -> Result<OutputFormat, OutputError> {
    let Some(format) = format.filter(|f| !f.is_empty()) else {
        return Ok(OutputFormat::Table);
    };
    let (name, argument) = match format.split_once('=') {
        Some((name, argument)) => (name, Some(argument)),
        None => (format, None),
    };
    match name {
        "wide" => Ok(OutputFormat::Wide),
        "name" => Ok(OutputFormat::Name),
        "json" => Ok(OutputFormat::Json),
        "yaml" => Ok(OutputFormat::Yaml),
        "jsonpath" => {
            let template = argument
                .filter(|a| !a.is_empty())
                .ok_or(OutputError::MissingTemplate)?;
            Template::parse(template)
                .map(OutputFormat::JsonPath)
                .map_err(|source| OutputError::JsonPath {
                    template: template.to_string(),
                    source,
                })
        }
        "custom-columns" => {
            let spec = argument
                .filter(|a| !a.is_empty())
                .ok_or(OutputError::MissingColumns)?;
            let mut columns = Vec::new();
            for column in spec.split(',') {
                let (header, path) = column
                    .split_once(':')
                    .ok_or_else(|| OutputError::CustomColumnsSpec(column.to_string()))?;
                let template = relaxed_template(path);
                let parsed =
                    Template::parse(&template).map_err(|source| OutputError::JsonPath {
                        template: template.clone(),
                        source,
                    })?;
                columns.push((header.to_string(), parsed));
            }
            Ok(OutputFormat::CustomColumns(columns))
        }
        _ => Err(OutputError::Unknown(format.to_string())),
    }
}

/// kubectl's `RelaxedJSONPathExpression`: `.a`, `a` and `{.a}` all mean `{.a}`.
fn relaxed_template(path: &str) -> String {
    let trimmed = path.trim();
    if trimmed.starts_with('{') {
        return trimmed.to_string();
    }
    let inner = trimmed.strip_prefix('.').unwrap_or(trimmed);
    format!("{{.{inner}}}")
}

/// A copy of a value with every object's keys sorted, as Go prints maps.
pub fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// JSON as kubectl prints it: sorted keys, four-space indent, a final newline.
pub fn to_json(value: &Value) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    let _ = serde::Serialize::serialize(&sorted(value), &mut serializer);
    let mut text = String::from_utf8(out).unwrap_or_default();
    text.push('\n');
    text
}

/// YAML as kubectl prints it (go-yaml's block style, keys sorted).
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => write_mapping(&sorted(value), 0, &mut out),
        Value::Array(items) if !items.is_empty() => write_sequence(&sorted(value), 0, &mut out),
        other => {
            out.push_str(&scalar(other, 0));
            out.push('\n');
        }
    }
    out
}

fn is_collection(value: &Value) -> bool {
    match value {
        Value::Object(map) => !map.is_empty(),
        Value::Array(items) => !items.is_empty(),
        _ => false,
    }
}

fn write_mapping(value: &Value, indent: usize, out: &mut String) {
    let Value::Object(map) = value else {
        return;
    };
    let pad = " ".repeat(indent);
    for (key, child) in map {
        out.push_str(&pad);
        out.push_str(&quote_string(key, indent));
        out.push(':');
        match child {
            Value::Object(_) if is_collection(child) => {
                out.push('\n');
                write_mapping(child, indent + 2, out);
            }
            Value::Array(_) if is_collection(child) => {
                out.push('\n');
                write_sequence(child, indent, out);
            }
            _ => {
                out.push(' ');
                out.push_str(&scalar(child, indent + 2));
                out.push('\n');
            }
        }
    }
}

fn write_sequence(value: &Value, indent: usize, out: &mut String) {
    let Value::Array(items) = value else {
        return;
    };
    let pad = " ".repeat(indent);
    for item in items {
        out.push_str(&pad);
        out.push_str("- ");
        match item {
            Value::Object(_) if is_collection(item) => {
                let mut inner = String::new();
                write_mapping(item, indent + 2, &mut inner);
                out.push_str(inner.get(indent + 2..).unwrap_or_default());
            }
            Value::Array(_) if is_collection(item) => {
                let mut inner = String::new();
                write_sequence(item, indent + 2, &mut inner);
                out.push_str(inner.get(indent + 2..).unwrap_or_default());
            }
            _ => {
                out.push_str(&scalar(item, indent + 2));
                out.push('\n');
            }
        }
    }
}

fn scalar(value: &Value, indent: usize) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quote_string(s, indent),
        Value::Array(_) => "[]".to_string(),
        Value::Object(_) => "{}".to_string(),
    }
}

/// Whether a plain scalar would read back as something other than a string (YAML 1.1).
fn resolves_to_non_string(text: &str) -> bool {
    const WORDS: [&str; 27] = [
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
        "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
    ];
    if WORDS.contains(&text) {
        return true;
    }
    let lower = text.to_ascii_lowercase();
    if matches!(lower.as_str(), ".inf" | "-.inf" | "+.inf" | ".nan") {
        return true;
    }
    let digits = text.replace('_', "");
    let numeric_start = digits
        .trim_start_matches(['-', '+'])
        .starts_with(|c: char| c.is_ascii_digit() || c == '.');
    if numeric_start && digits.parse::<f64>().is_ok() {
        return true;
    }
    if (lower.starts_with("0x") || lower.starts_with("0b") || lower.starts_with("0o"))
        && lower.len() > 2
    {
        return true;
    }
    let bytes = text.as_bytes();
    bytes.len() >= 10
        && bytes
            .get(..4)
            .is_some_and(|b| b.iter().all(u8::is_ascii_digit))
        && bytes.get(4) == Some(&b'-')
        && bytes.get(7) == Some(&b'-')
}

fn plain_allowed(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    if text.starts_with(' ') || text.ends_with(' ') || text.ends_with(':') {
        return false;
    }
    if "#,[]{}&*!|>'\"%@`".contains(first) {
        return false;
    }
    if matches!(first, '-' | '?' | ':') {
        let second = text.chars().nth(1);
        if second.is_none_or(|c| c == ' ') {
            return false;
        }
    }
    if text.contains(": ") || text.contains(" #") {
        return false;
    }
    !text.chars().any(|c| c.is_control())
}

fn quote_string(text: &str, indent: usize) -> String {
    if text.contains('\n') && !text.chars().any(|c| c.is_control() && c != '\n') {
        let chomp = if text.ends_with('\n') { "" } else { "-" };
        let pad = " ".repeat(indent.max(2));
        let mut out = format!("|{chomp}");
        for line in text.strip_suffix('\n').unwrap_or(text).split('\n') {
            out.push('\n');
            if !line.is_empty() {
                out.push_str(&pad);
                out.push_str(line);
            }
        }
        return out;
    }
    if resolves_to_non_string(text) {
        return serde_json::to_string(text).unwrap_or_default();
    }
    if plain_allowed(text) {
        return text.to_string();
    }
    if text.chars().any(|c| c.is_control()) {
        return serde_json::to_string(text).unwrap_or_default();
    }
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml_is_written_in_go_yaml_style_with_sorted_keys_and_quoted_look_alikes() {
        let value = json!({
            "metadata": {"resourceVersion": "7", "name": "web", "creationTimestamp": "2026-11-25T23:15:37Z", "labels": {"app": "web"}},
            "items": [],
            "spec": {"containers": [{"name": "a", "args": ["-c", "echo: hi"]}], "on": "yes", "empty": ""},
            "kind": "Pod",
        });
        assert_eq!(
            to_yaml(&value),
            "items: []\nkind: Pod\nmetadata:\n  creationTimestamp: \"2026-11-25T23:15:37Z\"\n  labels:\n    app: web\n  name: web\n  resourceVersion: \"7\"\nspec:\n  containers:\n  - args:\n    - -c\n    - 'echo: hi'\n    name: a\n  empty: \"\"\n  \"on\": \"yes\"\n"
        );
    }

    #[test]
    fn json_is_indented_by_four_spaces_with_sorted_keys() {
        let value = json!({"kind": "List", "items": []});
        assert_eq!(
            to_json(&value),
            "{\n    \"items\": [],\n    \"kind\": \"List\"\n}\n"
        );
    }

    #[test]
    fn unknown_formats_name_the_allowed_ones() {
        let error = parse_output(Some("foo")).unwrap_err();
        assert!(error
            .to_string()
            .starts_with("unable to match a printer suitable for the output format \"foo\""));
        assert!(matches!(
            parse_output(Some("custom-columns=NAME")),
            Err(OutputError::CustomColumnsSpec(_))
        ));
    }
}
