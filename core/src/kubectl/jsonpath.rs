//! kubectl's JSONPath templates (`-o jsonpath=…`, and the cells of `-o custom-columns`), as
//! `k8s.io/client-go/util/jsonpath` reads them: text with `{…}` actions — paths
//! (`.items[*].metadata.name`, `['key']`, `[0]`, `[1:3]`, `..name`, `[?(@.a=="b")]`, unions
//! `.a,.b`), string literals (`{"\n"}`) and `{range …}…{end}` loops.
//!
//! A small implementation of our own: the JSONPath crates implement RFC 9535 (no template text,
//! no `range`/`end`, different output), while kubectl's dialect is what learners type.
//! [`Template::parse`] builds the template once; [`Template::execute`] runs it over a JSON value.
//! Missing keys print nothing (kubectl's `--allow-missing-template-keys` default).

use serde_json::Value;

/// Why a template could not be parsed; messages are client-go's.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JsonPathError {
    /// A `{` without its `}`.
    #[error("unclosed action")]
    UnclosedAction,
    /// An `{end}` without a `{range}`, or a `{range}` without an `{end}`.
    #[error("not in range, nothing to end")]
    UnmatchedEnd,
    /// A `{range …}` that is never closed.
    #[error("unclosed range")]
    UnclosedRange,
    /// A path that does not follow the grammar.
    #[error("unrecognized character in action: {0}")]
    Unrecognized(String),
    /// An array index or slice that is not a number.
    #[error("invalid array index {0}")]
    InvalidIndex(String),
    /// A filter that cannot be read.
    #[error("invalid filter: {0}")]
    InvalidFilter(String),
    /// A quoted string without its closing quote.
    #[error("unterminated quoted string")]
    UnterminatedString,
}

/// One step of a path.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    /// `.name` or `['name']`.
    Field(String),
    /// `.*` or `[*]` on an object or array.
    Wildcard,
    /// `..name`: the field at any depth.
    Recursive(String),
    /// `[i]`, negative from the end.
    Index(i64),
    /// `[start:end:step]`.
    Slice(Option<i64>, Option<i64>, Option<i64>),
    /// `[?(@.path op literal)]` or `[?(@.path)]`.
    Filter(Box<Filter>),
}

#[derive(Clone, Debug, PartialEq)]
struct Filter {
    left: Path,
    comparison: Option<(Comparison, Value)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Comparison {
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// A path: from the root (`$`) or the current value.
#[derive(Clone, Debug, PartialEq)]
struct Path {
    from_root: bool,
    steps: Vec<Step>,
}

/// One part of an action: a path or a literal.
#[derive(Clone, Debug, PartialEq)]
enum Expression {
    Path(Path),
    Literal(String),
}

#[derive(Clone, Debug, PartialEq)]
enum Node {
    Text(String),
    /// One action; several expressions are a union (`{.a,.b}`).
    Action(Vec<Expression>),
    Range(Path, Vec<Node>),
}

/// A parsed template.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    nodes: Vec<Node>,
}

impl Template {
    /// Parses a template such as `{range .items[*]}{.metadata.name}{"\n"}{end}`.
    pub fn parse(text: &str) -> Result<Template, JsonPathError> {
        let mut stack: Vec<(Path, Vec<Node>)> = Vec::new();
        let mut nodes: Vec<Node> = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            let Some(open) = rest.find('{') else {
                nodes.push(Node::Text(rest.to_string()));
                break;
            };
            if open > 0 {
                nodes.push(Node::Text(rest[..open].to_string()));
            }
            let after = &rest[open + 1..];
            let close = find_action_end(after).ok_or(JsonPathError::UnclosedAction)?;
            let action = after[..close].trim();
            rest = &after[close + 1..];
            if action == "end" {
                let (path, body) = stack.pop().ok_or(JsonPathError::UnmatchedEnd)?;
                let inner = std::mem::replace(&mut nodes, body);
                nodes.push(Node::Range(path, inner));
            } else if let Some(path) = action.strip_prefix("range ") {
                let path = parse_path(path.trim())?;
                stack.push((path, std::mem::take(&mut nodes)));
            } else {
                nodes.push(Node::Action(parse_union(action)?));
            }
        }
        if !stack.is_empty() {
            return Err(JsonPathError::UnclosedRange);
        }
        Ok(Template { nodes })
    }

    /// Runs the template over a value and returns the text.
    pub fn execute(&self, data: &Value) -> String {
        let mut out = String::new();
        run_nodes(&self.nodes, data, data, &mut out);
        out
    }

    /// The values of the template's first action (for custom-columns cells).
    pub fn values(&self, data: &Value) -> Vec<Value> {
        for node in &self.nodes {
            if let Node::Action(expressions) = node {
                return expressions
                    .iter()
                    .flat_map(|e| evaluate(e, data, data))
                    .collect();
            }
        }
        Vec::new()
    }
}

/// The index of the `}` closing an action, skipping quoted strings.
fn find_action_end(text: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (index, c) in text.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '"' | '\'' => quote = Some(c),
                '}' => return Some(index),
                _ => {}
            },
        }
    }
    None
}

fn run_nodes(nodes: &[Node], root: &Value, current: &Value, out: &mut String) {
    for node in nodes {
        match node {
            Node::Text(text) => out.push_str(text),
            Node::Action(expressions) => {
                let values: Vec<Value> = expressions
                    .iter()
                    .flat_map(|e| evaluate(e, root, current))
                    .collect();
                let texts: Vec<String> = values.iter().map(value_text).collect();
                out.push_str(&texts.join(" "));
            }
            Node::Range(path, body) => {
                for value in walk(path, root, current) {
                    let items: Vec<Value> = match value {
                        Value::Array(items) => items,
                        other => vec![other],
                    };
                    for item in &items {
                        run_nodes(body, root, item, out);
                    }
                }
            }
        }
    }
}

/// How one result prints: strings bare, everything else as compact JSON.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => serde_json::to_string(&super::output::sorted(other)).unwrap_or_default(),
    }
}

fn evaluate(expression: &Expression, root: &Value, current: &Value) -> Vec<Value> {
    match expression {
        Expression::Literal(text) => vec![Value::String(text.clone())],
        Expression::Path(path) => walk(path, root, current),
    }
}

fn walk(path: &Path, root: &Value, current: &Value) -> Vec<Value> {
    let start = if path.from_root { root } else { current };
    let mut values = vec![start.clone()];
    for step in &path.steps {
        let mut next = Vec::new();
        for value in &values {
            apply_step(step, value, root, &mut next);
        }
        values = next;
    }
    values
}

fn apply_step(step: &Step, value: &Value, root: &Value, out: &mut Vec<Value>) {
    match step {
        Step::Field(name) => {
            if let Some(found) = value.get(name.as_str()) {
                out.push(found.clone());
            }
        }
        Step::Wildcard => match value {
            Value::Array(items) => out.extend(items.iter().cloned()),
            Value::Object(map) => out.extend(map.values().cloned()),
            _ => {}
        },
        Step::Recursive(name) => collect_recursive(name, value, out),
        Step::Index(index) => {
            if let Value::Array(items) = value {
                let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
                let at = if *index < 0 { len + index } else { *index };
                if let Some(item) = usize::try_from(at).ok().and_then(|i| items.get(i)) {
                    out.push(item.clone());
                }
            }
        }
        Step::Slice(start, end, step) => {
            if let Value::Array(items) = value {
                let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
                let clamp = |v: i64| if v < 0 { (len + v).max(0) } else { v.min(len) };
                let from = clamp(start.unwrap_or(0));
                let to = clamp(end.unwrap_or(len));
                let by = step.unwrap_or(1).max(1);
                let mut at = from;
                while at < to {
                    if let Some(item) = usize::try_from(at).ok().and_then(|i| items.get(i)) {
                        out.push(item.clone());
                    }
                    at += by;
                }
            }
        }
        Step::Filter(filter) => {
            let candidates: Vec<&Value> = match value {
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            for candidate in candidates {
                if filter_matches(filter, root, candidate) {
                    out.push(candidate.clone());
                }
            }
        }
    }
}

fn collect_recursive(name: &str, value: &Value, out: &mut Vec<Value>) {
    match value {
        Value::Object(map) => {
            if let Some(found) = map.get(name) {
                out.push(found.clone());
            }
            for child in map.values() {
                collect_recursive(name, child, out);
            }
        }
        Value::Array(items) => {
            for child in items {
                collect_recursive(name, child, out);
            }
        }
        _ => {}
    }
}

fn filter_matches(filter: &Filter, root: &Value, candidate: &Value) -> bool {
    let found = walk(&filter.left, root, candidate);
    let Some((comparison, right)) = &filter.comparison else {
        return !found.is_empty();
    };
    found.iter().any(|left| compare(left, *comparison, right))
}

fn compare(left: &Value, comparison: Comparison, right: &Value) -> bool {
    let ordering = match (left, right) {
        (Value::Number(a), Value::Number(b)) => a
            .as_f64()
            .zip(b.as_f64())
            .and_then(|(a, b)| a.partial_cmp(&b)),
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        (a, b) if a == b => Some(std::cmp::Ordering::Equal),
        _ => None,
    };
    match (comparison, ordering) {
        (Comparison::Equal, Some(o)) => o.is_eq(),
        (Comparison::NotEqual, o) => o.is_none_or(|o| !o.is_eq()),
        (Comparison::Less, Some(o)) => o.is_lt(),
        (Comparison::LessOrEqual, Some(o)) => o.is_le(),
        (Comparison::Greater, Some(o)) => o.is_gt(),
        (Comparison::GreaterOrEqual, Some(o)) => o.is_ge(),
        (_, None) => false,
    }
}

/// Splits an action on top-level commas into a union of expressions.
fn parse_union(action: &str) -> Result<Vec<Expression>, JsonPathError> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (index, c) in action.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '(') => depth += 1,
            (None, ']' | ')') => depth = depth.saturating_sub(1),
            (None, ',') if depth == 0 => {
                parts.push(&action[start..index]);
                start = index + 1;
            }
            (None, _) => {}
        }
    }
    parts.push(&action[start..]);
    parts
        .into_iter()
        .map(|part| parse_expression(part.trim()))
        .collect()
}

fn parse_expression(text: &str) -> Result<Expression, JsonPathError> {
    if let Some(quoted) = text.strip_prefix('"') {
        let inner = quoted
            .strip_suffix('"')
            .ok_or(JsonPathError::UnterminatedString)?;
        return Ok(Expression::Literal(unescape(inner)));
    }
    Ok(Expression::Path(parse_path(text)?))
}

fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

fn parse_path(text: &str) -> Result<Path, JsonPathError> {
    let chars: Vec<char> = text.chars().collect();
    let mut position = 0;
    let mut path = Path {
        from_root: false,
        steps: Vec::new(),
    };
    match chars.first() {
        Some('$') => {
            path.from_root = true;
            position = 1;
        }
        Some('@') => position = 1,
        _ => {}
    }
    while let Some(&c) = chars.get(position) {
        match c {
            '.' => {
                position += 1;
                let recursive = chars.get(position) == Some(&'.');
                if recursive {
                    position += 1;
                }
                let name: String = chars
                    .iter()
                    .skip(position)
                    .take_while(|c| !matches!(c, '.' | '['))
                    .collect();
                position += name.chars().count();
                if name.is_empty() {
                    if recursive {
                        return Err(JsonPathError::Unrecognized(text.to_string()));
                    }
                    continue;
                }
                if name
                    .chars()
                    .any(|c| c.is_whitespace() || matches!(c, ']' | ')' | '('))
                {
                    return Err(JsonPathError::Unrecognized(text.to_string()));
                }
                path.steps.push(match (recursive, name.as_str()) {
                    (true, _) => Step::Recursive(name),
                    (false, "*") => Step::Wildcard,
                    (false, _) => Step::Field(name),
                });
            }
            '[' => {
                let close = find_bracket_end(&chars, position)
                    .ok_or_else(|| JsonPathError::Unrecognized(text.to_string()))?;
                let inner: String = chars
                    .get(position + 1..close)
                    .unwrap_or_default()
                    .iter()
                    .collect();
                position = close + 1;
                path.steps.push(parse_bracket(inner.trim())?);
            }
            _ => return Err(JsonPathError::Unrecognized(text.to_string())),
        }
    }
    Ok(path)
}

fn find_bracket_end(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (index, &c) in chars.iter().enumerate().skip(open) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[') => depth += 1,
            (None, ']') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(index);
                }
            }
            (None, _) => {}
        }
    }
    None
}

fn parse_bracket(inner: &str) -> Result<Step, JsonPathError> {
    if inner == "*" {
        return Ok(Step::Wildcard);
    }
    if let Some(filter) = inner.strip_prefix("?(").and_then(|f| f.strip_suffix(')')) {
        return Ok(Step::Filter(Box::new(parse_filter(filter.trim())?)));
    }
    for quote in ['\'', '"'] {
        if let Some(name) = inner
            .strip_prefix(quote)
            .and_then(|n| n.strip_suffix(quote))
        {
            return Ok(Step::Field(name.to_string()));
        }
    }
    let number = |text: &str| -> Result<Option<i64>, JsonPathError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        text.parse::<i64>()
            .map(Some)
            .map_err(|_| JsonPathError::InvalidIndex(inner.to_string()))
    };
    if inner.contains(':') {
        let mut parts = inner.split(':');
        let start = number(parts.next().unwrap_or(""))?;
        let end = number(parts.next().unwrap_or(""))?;
        let step = number(parts.next().unwrap_or(""))?;
        return Ok(Step::Slice(start, end, step));
    }
    match number(inner)? {
        Some(index) => Ok(Step::Index(index)),
        None => Err(JsonPathError::InvalidIndex(inner.to_string())),
    }
}

fn parse_filter(text: &str) -> Result<Filter, JsonPathError> {
    const OPERATORS: [(&str, Comparison); 6] = [
        ("==", Comparison::Equal),
        ("!=", Comparison::NotEqual),
        ("<=", Comparison::LessOrEqual),
        (">=", Comparison::GreaterOrEqual),
        ("<", Comparison::Less),
        (">", Comparison::Greater),
    ];
    for (symbol, comparison) in OPERATORS {
        if let Some((left, right)) = text.split_once(symbol) {
            let left = parse_path(left.trim())?;
            let right = right.trim();
            let literal = if let Some(inner) = right
                .strip_prefix('"')
                .and_then(|r| r.strip_suffix('"'))
                .or_else(|| right.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')))
            {
                Value::String(inner.to_string())
            } else {
                serde_json::from_str(right)
                    .map_err(|_| JsonPathError::InvalidFilter(text.to_string()))?
            };
            return Ok(Filter {
                left,
                comparison: Some((comparison, literal)),
            });
        }
    }
    Ok(Filter {
        left: parse_path(text)?,
        comparison: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn data() -> Value {
        json!({
            "kind": "List",
            "items": [
                {"metadata": {"name": "a", "labels": {"app": "web"}}, "spec": {"replicas": 2}},
                {"metadata": {"name": "b"}, "spec": {"replicas": 1}},
            ]
        })
    }

    #[test]
    fn templates_print_like_kubectl() {
        let table = [
            ("{.items[*].metadata.name}", "a b"),
            ("{.items[0].metadata.name}{\"\\n\"}", "a\n"),
            (
                "{range .items[*]}{.metadata.name}{\"\\t\"}{.spec.replicas}{\"\\n\"}{end}",
                "a\t2\nb\t1\n",
            ),
            ("{.items[?(@.metadata.name==\"b\")].spec.replicas}", "1"),
            ("{.items[?(@.spec.replicas>1)].metadata.name}", "a"),
            ("{.items[-1:].metadata.name}", "b"),
            ("{..name}", "a b"),
            ("{.items[0].metadata.labels}", "{\"app\":\"web\"}"),
            ("{.items[0].metadata['name']}", "a"),
            ("{.kind},{.missing}", "List,"),
            ("{.items[0].metadata.name,.kind}", "a List"),
            ("name: {$.items[1].metadata.name}", "name: b"),
        ];
        for (template, expected) in table {
            let parsed = Template::parse(template).unwrap();
            assert_eq!(parsed.execute(&data()), expected, "{template}");
        }
    }

    #[test]
    fn broken_templates_are_errors() {
        assert_eq!(
            Template::parse("{.items[0].metadata.name").unwrap_err(),
            JsonPathError::UnclosedAction
        );
        assert_eq!(
            Template::parse("{end}").unwrap_err(),
            JsonPathError::UnmatchedEnd
        );
        assert!(Template::parse("{range .items[*]}x").is_err());
        assert!(Template::parse("{.items[x]}").is_err());
    }
}
