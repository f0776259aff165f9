//! `kubectl explain`'s documentation renderer: the field docs of a kind, or of a field path in
//! it, printed exactly as kubectl v1.32 prints them from the server's OpenAPI v3 documents
//! (its `plaintext` template in `k8s.io/kubectl/pkg/explain/v2/templates`).
//!
//! Data flows: [`docs`] parses the embedded table (generated from the schemas `kubeplay serve`
//! publishes) → [`explain`] walks the field path from the kind's schema → the header, the
//! `FIELD:` line, the description (wrapped by [`wrap()`] as kubectl's `wrap` does) and the field
//! list (or, with `--recursive`, the tree of field names) are printed.

pub mod docs;
pub mod wrap;

use docs::{Composition, Docs, DocsError, FieldDoc, TypeDoc, NEWLINE_IN_TABLE, TAB_IN_TABLE};
use wrap::{indent, wrap};

/// Why a field path could not be explained; texts are kubectl's.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExplainError {
    /// A field on the path is not in the schema (kubectl names the path's last element).
    #[error("field \"{field}\" does not exist")]
    FieldNotFound {
        /// The last element of the path.
        field: String,
        /// What kubectl printed before it failed (its template had written the header).
        printed: String,
    },
    /// The kind has no schema in the table.
    #[error("GVK {0} not found in OpenAPI schema")]
    KindNotFound(String),
    /// The embedded table is malformed.
    #[error(transparent)]
    Docs(#[from] DocsError),
}

/// What to explain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExplainRequest<'a> {
    /// The API group (empty for the core group).
    pub group: &'a str,
    /// The version (`v1`).
    pub version: &'a str,
    /// The kind (`Pod`).
    pub kind: &'a str,
    /// The field path after the resource (`["spec", "containers"]`).
    pub field_path: &'a [String],
    /// `--recursive`: the names of all fields, nested, without descriptions.
    pub recursive: bool,
}

/// kubectl's explain output for `request` from the embedded docs table.
pub fn explain(request: &ExplainRequest<'_>) -> Result<String, ExplainError> {
    let docs = Docs::parse(docs::DOCS_TSV)?;
    explain_with(&docs, request)
}

/// [`explain`] over a given table.
pub fn explain_with(docs: &Docs<'_>, request: &ExplainRequest<'_>) -> Result<String, ExplainError> {
    let root = docs.kind(request.kind).ok_or_else(|| {
        ExplainError::KindNotFound(format!(
            "{}/{}, Kind={}",
            request.group, request.version, request.kind
        ))
    })?;
    let mut text = String::new();
    if !request.group.is_empty() {
        text.push_str(&format!("GROUP:      {}\n", request.group));
    }
    text.push_str(&format!("KIND:       {}\n", request.kind));
    text.push_str(&format!("VERSION:    {}\n\n", request.version));

    let header = text.clone();
    let missing = || ExplainError::FieldNotFound {
        field: request.field_path.last().cloned().unwrap_or_default(),
        printed: header.clone(),
    };
    // Where the path ends: the field reached (None: the kind itself) and the schema whose
    // fields are listed.
    let mut current: &TypeDoc<'_> = root;
    let mut reached: Option<&FieldDoc<'_>> = None;
    for (index, name) in request.field_path.iter().enumerate() {
        if index > 0 {
            // Going deeper than a field needs that field to lead to a schema with fields.
            let target = reached
                .and_then(|f| f.target)
                .and_then(|t| docs.type_doc(t))
                .ok_or_else(missing)?;
            current = target;
        }
        let field = current
            .fields
            .iter()
            .find(|f| f.name == name.as_str())
            .ok_or_else(missing)?;
        reached = Some(field);
    }

    // The template's `description`: each non-empty description on the way, followed by a
    // line break.
    let mut description = String::new();
    let mut add = |part: &str| {
        if !part.is_empty() {
            description.push_str(&from_table(part));
            description.push('\n');
        }
    };
    let (listed, history): (Option<&TypeDoc<'_>>, Vec<&str>) = match reached {
        None => {
            add(root.description);
            (Some(root), Vec::new())
        }
        Some(field) => {
            // The FIELD line, the (empty) enum line, then a blank line.
            text.push_str(&format!(
                "FIELD: {} <{}>\n\n\n",
                field.name, field.type_text
            ));
            let target = field.target.and_then(|t| docs.type_doc(t));
            let target_description = target.map(|t| t.description).unwrap_or_default();
            match field.composition {
                Composition::Both => {
                    add(field.description);
                    add(target_description);
                }
                Composition::Own => add(field.description),
                Composition::Target => add(target_description),
            }
            let history = target.map(|t| vec![t.name]).unwrap_or_default();
            (target, history)
        }
    };
    text.push_str("DESCRIPTION:\n");
    if description.is_empty() {
        description.push_str("<empty>");
    }
    text.push_str(&indent(4, &wrap(&description, 76)));
    text.push('\n');
    let mut fields = String::new();
    if let Some(listed) = listed {
        field_list(docs, listed, 1, request.recursive, &history, &mut fields);
    }
    if !fields.is_empty() {
        text.push_str("FIELDS:\n");
        text.push_str(&fields);
    }
    text.push('\n');
    Ok(text)
}

/// The template's `fieldList`: each field of `schema` at `level`, and with `recursive` the
/// fields of its target below it (unless that schema is already on the path: a cycle).
fn field_list(
    docs: &Docs<'_>,
    schema: &TypeDoc<'_>,
    level: usize,
    recursive: bool,
    history: &[&str],
    out: &mut String,
) {
    let indent_amount = level * 2;
    for field in &schema.fields {
        out.push_str(&indent(indent_amount, field.name));
        out.push_str(&format!("\t<{}>", field.type_text));
        if field.required {
            out.push_str(" -required-");
        }
        out.push('\n');
        if recursive {
            let Some(target) = field.target.and_then(|t| docs.type_doc(t)) else {
                continue;
            };
            if history.contains(&target.name) {
                continue;
            }
            let mut deeper = history.to_vec();
            deeper.push(target.name);
            field_list(docs, target, level + 1, recursive, &deeper, out);
        } else {
            let description = if field.description.is_empty() {
                "<no description>"
            } else {
                field.description
            };
            out.push_str(&indent(
                indent_amount + 2,
                &wrap(
                    &from_table(description),
                    78usize.saturating_sub(indent_amount),
                ),
            ));
            out.push_str("\n\n");
        }
    }
}

/// A description from the table with its line breaks and tabs back.
fn from_table(text: &str) -> String {
    text.replace(NEWLINE_IN_TABLE, "\n")
        .replace(TAB_IN_TABLE, "\t")
}

#[cfg(test)]
mod tests;
