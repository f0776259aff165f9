//! kubectl's human-readable printer over a [`Table`]: upper-case headers, wide columns only
//! with `-o wide`, a NAMESPACE column first with `-A`, `kind.group/` before names when several
//! kinds are printed together, `-L key` label columns and `--show-labels`.
//!
//! [`print_table`] turns a table into lines of cells (header first unless asked not to);
//! [`super::align_columns`] lays them out as text.

use crate::api::objects::Object;

use super::format::format_labels;
use super::{Table, TableRow};

/// How kubectl was asked to print a table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HumanPrintOptions {
    /// `-o wide`: also the columns with priority above 0.
    pub wide: bool,
    /// `--no-headers`.
    pub no_headers: bool,
    /// `--show-labels`: a LABELS column at the end.
    pub show_labels: bool,
    /// `-L key`: one column per label key, after the table's own columns.
    pub label_columns: Vec<String>,
    /// `-A`: a NAMESPACE column first.
    pub with_namespace: bool,
    /// Several kinds printed together: names become `kind.group/name`.
    pub with_kind: bool,
}

/// `deployment.apps`, `pod`: the prefix kubectl puts before names when it prints several
/// kinds at once (and the `-o name` form).
pub fn kind_prefix(object: &Object) -> String {
    let kind = object.kind();
    let lower = kind.kind_name().to_ascii_lowercase();
    if kind.group().is_empty() {
        lower
    } else {
        format!("{lower}.{}", kind.group())
    }
}

/// The header line of a table, as kubectl prints it.
pub fn header(table: &Table, options: &HumanPrintOptions) -> Vec<String> {
    let mut cells = Vec::new();
    if options.with_namespace {
        cells.push("NAMESPACE".to_string());
    }
    for column in &table.columns {
        if column.priority == 0 || options.wide {
            cells.push(column.name.to_uppercase());
        }
    }
    for key in &options.label_columns {
        let last = key.rsplit('/').next().unwrap_or(key);
        cells.push(last.to_uppercase());
    }
    if options.show_labels {
        cells.push("LABELS".to_string());
    }
    cells
}

/// The cells of one row, as kubectl prints them.
pub fn row_cells(table: &Table, row: &TableRow, options: &HumanPrintOptions) -> Vec<String> {
    let mut cells = Vec::new();
    if options.with_namespace {
        cells.push(row.object.namespace().to_string());
    }
    for (column, cell) in table.columns.iter().zip(&row.cells) {
        if column.priority != 0 && !options.wide {
            continue;
        }
        let text = cell.to_text();
        if options.with_kind && column.format() == "name" {
            cells.push(format!("{}/{text}", kind_prefix(&row.object)));
        } else {
            cells.push(text);
        }
    }
    let labels = row.object.labels();
    for key in &options.label_columns {
        cells.push(labels.get(key).cloned().unwrap_or_default());
    }
    if options.show_labels {
        cells.push(format_labels(Some(labels), "<none>"));
    }
    cells
}

/// A table as lines of cells: the header (unless `--no-headers`), then one line per row.
pub fn print_table(table: &Table, options: &HumanPrintOptions) -> Vec<Vec<String>> {
    let mut lines = Vec::with_capacity(table.rows.len() + 1);
    if !options.no_headers {
        lines.push(header(table, options));
    }
    for row in &table.rows {
        lines.push(row_cells(table, row, options));
    }
    lines
}
