//! `kubectl get -w`: the current state first, then one row per change as the API server's
//! watch delivers it.
//!
//! [`GetWatch::start`] lists the kind (unless `--watch-only`), prints it, and opens an API
//! watch from the list's resourceVersion. The host keeps the [`GetWatch`] and calls
//! [`GetWatch::poll`] whenever it wants more (after each simulation step in the browser or
//! `kubeplay play`); each call returns the rows of the events since the last one. Rows are
//! aligned like kubectl's watch output: a column keeps the widest width it has had, and grows
//! when a new cell is wider. [`GetWatch::stop`] closes the API watch.

use crate::api::objects::{Kind, Object};
use crate::apiserver::{ApiWatchId, WatchEventType, WatchOptions};
use crate::printers::human::{header, row_cells};
use crate::printers::{self, HumanPrintOptions, Table};
use crate::sim::clock::Timestamp;

use super::commands::get::{custom_cells, name_line, read, render_value, GetRequest};
use super::error::KubectlError;
use super::output::OutputFormat;
use super::resource::ResourceSelection;
use super::{Context, KubectlApi, Output};

/// An open `kubectl get -w`.
#[derive(Debug)]
pub struct GetWatch {
    kind: Kind,
    id: ApiWatchId,
    request: GetRequest,
    options: HumanPrintOptions,
    widths: Vec<usize>,
    header_printed: bool,
}

impl GetWatch {
    /// Prints the current state and opens the watch.
    pub fn start(
        context: &mut Context<'_>,
        request: GetRequest,
        selection: &ResourceSelection,
        watch_only: bool,
    ) -> Result<Output, KubectlError> {
        let (kind, name) = match selection {
            ResourceSelection::Kinds(kinds) => match kinds.as_slice() {
                [kind] => (*kind, None),
                _ => return Err(multiple_types()),
            },
            ResourceSelection::Named(named) => match named.as_slice() {
                [(kind, name)] => (*kind, Some(name.clone())),
                _ => return Err(multiple_types()),
            },
        };
        let mut output = Output::default();
        let groups = read(context, &request, selection, &mut output);
        if output.exit_code != 0 {
            return Ok(output);
        }
        let namespace = request.namespace.clone().filter(|_| kind.namespaced());
        let field_selector = match (&name, &request.field_selector) {
            (Some(name), Some(fields)) => Some(format!("metadata.name={name},{fields}")),
            (Some(name), None) => Some(format!("metadata.name={name}")),
            (None, fields) => fields.clone(),
        };
        let options = WatchOptions {
            label_selector: request.label_selector.clone(),
            field_selector,
            resource_version: Some(context.api.current_revision().to_string()),
            allow_watch_bookmarks: false,
        };
        let id = context.api.watch(kind, namespace.as_deref(), &options)?;
        let mut watch = GetWatch {
            kind,
            id,
            options: request.print_options(kind),
            request,
            widths: Vec::new(),
            header_printed: false,
        };
        if !watch_only {
            let objects: Vec<_> = groups.into_iter().flat_map(|(_, items)| items).collect();
            let mut rendered = Vec::new();
            for object in &objects {
                rendered.push(watch.render(object, context.now));
            }
            // The first block is aligned as one table, as kubectl's tab writer does.
            for lines in &rendered {
                if let Rendered::Lines(lines) = lines {
                    for line in lines {
                        watch.widen(line);
                    }
                }
            }
            for lines in rendered {
                output.stdout.push_str(&watch.text(lines));
            }
        }
        output.watch = Some(watch);
        Ok(output)
    }

    /// The rows of the changes since the last poll (empty when nothing changed).
    pub fn poll(&mut self, api: &mut dyn KubectlApi, now: Timestamp) -> Output {
        let events = match api.poll_watch(self.id) {
            Ok(events) => events,
            Err(error) => return Output::error(&KubectlError::Api(error)),
        };
        let mut output = Output::default();
        for event in events {
            match event.event_type {
                WatchEventType::Added | WatchEventType::Modified | WatchEventType::Deleted => {
                    let rendered = self.render(&event.object, now);
                    output.stdout.push_str(&self.text(rendered));
                }
                WatchEventType::Bookmark => {}
            }
        }
        output
    }

    /// Closes the watch (Ctrl-C).
    pub fn stop(self, api: &mut dyn KubectlApi) {
        api.cancel_watch(self.id);
    }

    fn text(&mut self, rendered: Rendered) -> String {
        match rendered {
            Rendered::Lines(lines) => lines.iter().map(|line| self.align(line)).collect(),
            Rendered::Text(text) => text,
        }
    }

    /// Makes the columns at least as wide as this line's cells.
    fn widen(&mut self, cells: &[String]) {
        let last = cells.len().saturating_sub(1);
        for (index, cell) in cells.iter().enumerate().take(last) {
            let width = cell.chars().count();
            match self.widths.get_mut(index) {
                Some(w) => *w = (*w).max(width),
                None => self.widths.push(width),
            }
        }
    }

    fn render(&mut self, object: &std::sync::Arc<Object>, now: Timestamp) -> Rendered {
        match &self.request.format {
            OutputFormat::Table | OutputFormat::Wide => {
                let table = Table {
                    kind: self.kind,
                    columns: printers::columns(self.kind),
                    rows: vec![printers::row(object, now)],
                };
                let mut lines = Vec::new();
                if !self.header_printed && !self.options.no_headers {
                    lines.push(header(&table, &self.options));
                }
                self.header_printed = true;
                for row in &table.rows {
                    lines.push(row_cells(&table, row, &self.options));
                }
                Rendered::Lines(lines)
            }
            OutputFormat::Name => Rendered::Text(name_line(object)),
            OutputFormat::CustomColumns(columns) => {
                let mut lines = Vec::new();
                if !self.header_printed && !self.options.no_headers {
                    lines.push(columns.iter().map(|(h, _)| h.clone()).collect());
                }
                self.header_printed = true;
                lines.push(custom_cells(columns, object));
                Rendered::Lines(lines)
            }
            OutputFormat::Yaml => {
                let text = render_value(&self.request.format, &object.to_value());
                if self.header_printed {
                    Rendered::Text(format!("---\n{text}"))
                } else {
                    self.header_printed = true;
                    Rendered::Text(text)
                }
            }
            OutputFormat::Json | OutputFormat::JsonPath(_) => {
                Rendered::Text(render_value(&self.request.format, &object.to_value()))
            }
        }
    }

    /// One line, each cell padded to the widest its column has been plus three spaces.
    fn align(&mut self, cells: &[String]) -> String {
        self.widen(cells);
        let last = cells.len().saturating_sub(1);
        let mut line = String::new();
        for (index, cell) in cells.iter().enumerate() {
            line.push_str(cell);
            if index < last {
                let width = cell.chars().count();
                let column = self.widths.get(index).copied().unwrap_or(width);
                line.extend(std::iter::repeat_n(' ', column.saturating_sub(width) + 3));
            }
        }
        line.push('\n');
        line
    }
}

/// One object's output: table lines still to align, or finished text.
enum Rendered {
    Lines(Vec<Vec<String>>),
    Text(String),
}

fn multiple_types() -> KubectlError {
    KubectlError::Usage("watch is only supported on individual resources and resource collections - more than 1 resource was found".to_string())
}
