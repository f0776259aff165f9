//! `kubectl get`: lists or reads objects of one or more kinds and prints them as a table,
//! names, JSON, YAML, a JSONPath template or custom columns; `-w` goes on printing a row per
//! change (see [`crate::kubectl::watch`]).

use std::sync::Arc;

use serde_json::{json, Value};

use super::CommandSpec;
use crate::api::objects::{Kind, Object};
use crate::apiserver::{ApiError, ListOptions};
use crate::kubectl::error::KubectlError;
use crate::kubectl::flags::{FlagKind, FlagSpec, ParsedArgs};
use crate::kubectl::output::{parse_output, to_json, to_yaml, OutputFormat};
use crate::kubectl::resource::{resolve, ResourceSelection};
use crate::kubectl::watch::GetWatch;
use crate::kubectl::{Context, Output};
use crate::printers::human::kind_prefix;
use crate::printers::{align_columns, print_table, table, HumanPrintOptions};

/// `kubectl get`.
pub const COMMAND: CommandSpec = CommandSpec {
    name: "get",
    aliases: &[],
    short: "Display one or many resources",
    usage: "kubectl get [(-o|--output=)json|yaml|name|go-template|go-template-file|template|templatefile|jsonpath|jsonpath-as-json|jsonpath-file|custom-columns|custom-columns-file|wide] (TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...) [flags] [options]",
    flags: FLAGS,
    run,
};

const FLAGS: &[FlagSpec] = &[
    FlagSpec {
        long: "output",
        short: Some('o'),
        kind: FlagKind::String,
        usage: "Output format. One of: (json, yaml, name, jsonpath, custom-columns, wide).",
    },
    FlagSpec {
        long: "selector",
        short: Some('l'),
        kind: FlagKind::String,
        usage: "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints.",
    },
    FlagSpec {
        long: "field-selector",
        short: None,
        kind: FlagKind::String,
        usage: "Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. --field-selector key1=value1,key2=value2). The server only supports a limited number of field queries per type.",
    },
    FlagSpec {
        long: "all-namespaces",
        short: Some('A'),
        kind: FlagKind::Bool,
        usage: "If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace.",
    },
    FlagSpec {
        long: "show-labels",
        short: None,
        kind: FlagKind::Bool,
        usage: "When printing, show all labels as the last column (default hide labels column)",
    },
    FlagSpec {
        long: "label-columns",
        short: Some('L'),
        kind: FlagKind::StringSlice,
        usage: "Accepts a comma separated list of labels that are going to be presented as columns. Names are case-sensitive. You can also use multiple flag options like -L label1 -L label2...",
    },
    FlagSpec {
        long: "watch",
        short: Some('w'),
        kind: FlagKind::Bool,
        usage: "After listing/getting the requested object, watch for changes.",
    },
    FlagSpec {
        long: "watch-only",
        short: None,
        kind: FlagKind::Bool,
        usage: "Watch for changes to the requested object(s), without listing/getting first.",
    },
    FlagSpec {
        long: "no-headers",
        short: None,
        kind: FlagKind::Bool,
        usage: "When using the default or custom-column output format, don't print headers (default print headers).",
    },
    FlagSpec {
        long: "ignore-not-found",
        short: None,
        kind: FlagKind::Bool,
        usage: "If set to true, suppresses NotFound error for specific objects that do not exist.",
    },
    FlagSpec {
        long: "show-kind",
        short: None,
        kind: FlagKind::Bool,
        usage: "If present, list the resource type for the requested object(s).",
    },
];

const NO_RESOURCE_TYPE: &str = "You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples";

/// What `get` was asked, after its flags are read.
#[derive(Clone, Debug)]
pub struct GetRequest {
    /// The namespace to read (None with `-A`).
    pub namespace: Option<String>,
    /// The namespace as named in "No resources found in … namespace."
    pub namespace_name: String,
    /// `-l`.
    pub label_selector: Option<String>,
    /// `--field-selector`.
    pub field_selector: Option<String>,
    /// `-o`.
    pub format: OutputFormat,
    /// Table options.
    pub print: HumanPrintOptions,
    /// `--ignore-not-found`.
    pub ignore_not_found: bool,
}

impl GetRequest {
    /// The table options for one kind (the NAMESPACE column only for namespaced kinds).
    pub fn print_options(&self, kind: Kind) -> HumanPrintOptions {
        let mut options = self.print.clone();
        options.with_namespace = options.with_namespace && kind.namespaced();
        options.wide = matches!(self.format, OutputFormat::Wide);
        options
    }

    fn list_options(&self) -> ListOptions {
        ListOptions {
            label_selector: self.label_selector.clone(),
            field_selector: self.field_selector.clone(),
            ..ListOptions::default()
        }
    }
}

fn run(context: &mut Context<'_>, args: &ParsedArgs) -> Result<Output, KubectlError> {
    if args.args.is_empty() {
        return Err(KubectlError::Message(NO_RESOURCE_TYPE.to_string()));
    }
    let format = parse_output(args.string("output"))?;
    let resources = resolve(&args.args)?;
    let all_namespaces = args.bool("all-namespaces");
    let label_selector = args.string("selector").map(str::to_string);
    if let ResourceSelection::Named(_) = resources.selection {
        if label_selector.is_some() {
            return Err(KubectlError::Usage(
                "name cannot be provided when a selector is specified".to_string(),
            ));
        }
        if all_namespaces {
            return Err(KubectlError::Usage(
                "a resource cannot be retrieved by name across all namespaces".to_string(),
            ));
        }
    }
    let request = GetRequest {
        namespace: (!all_namespaces).then(|| context.namespace.clone()),
        namespace_name: context.namespace.clone(),
        label_selector,
        field_selector: args.string("field-selector").map(str::to_string),
        format,
        print: HumanPrintOptions {
            wide: false,
            no_headers: args.bool("no-headers"),
            show_labels: args.bool("show-labels"),
            label_columns: args.strings("label-columns"),
            with_namespace: all_namespaces,
            with_kind: resources.multiple_types || args.bool("show-kind"),
        },
        ignore_not_found: args.bool("ignore-not-found"),
    };
    if args.bool("watch") || args.bool("watch-only") {
        return GetWatch::start(
            context,
            request,
            &resources.selection,
            args.bool("watch-only"),
        );
    }
    let mut output = Output::default();
    let groups = read(context, &request, &resources.selection, &mut output);
    let single = matches!(&resources.selection, ResourceSelection::Named(n) if n.len() == 1);
    print(
        context,
        &request,
        &groups,
        single,
        &resources.selection,
        &mut output,
    );
    Ok(output)
}

/// Objects of one kind, in the order they were read.
pub type Group = (Kind, Vec<Arc<Object>>);

/// Reads what the selection names; errors go to the output's stderr, one line each.
pub fn read(
    context: &mut Context<'_>,
    request: &GetRequest,
    selection: &ResourceSelection,
    output: &mut Output,
) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    match selection {
        ResourceSelection::Kinds(kinds) => {
            for kind in kinds {
                let namespace = request.namespace.as_deref().filter(|_| kind.namespaced());
                match context.api.list(*kind, namespace, &request.list_options()) {
                    Ok(list) => groups.push((*kind, list.items)),
                    Err(error) => output.push_error(&KubectlError::Api(explain_selector_error(
                        *kind, request, error,
                    ))),
                }
            }
        }
        ResourceSelection::Named(named) => {
            let namespace = request.namespace.clone().unwrap_or_default();
            for (kind, name) in named {
                match context.api.get(*kind, &namespace, name) {
                    Ok(object) => match groups.last_mut() {
                        Some((last, items)) if last == kind => items.push(object),
                        _ => groups.push((*kind, vec![object])),
                    },
                    Err(ApiError::NotFound { .. }) if request.ignore_not_found => {}
                    Err(error) => output.push_error(&KubectlError::Api(error)),
                }
            }
        }
    }
    groups
}

/// kubectl's resource builder wraps a list's BadRequest with the selectors it sent.
fn explain_selector_error(kind: Kind, request: &GetRequest, error: ApiError) -> ApiError {
    match error {
        ApiError::BadRequest(message) => ApiError::BadRequest(format!(
            "Unable to find \"{}/{}, Resource={}\" that match label selector \"{}\", field selector \"{}\": {message}",
            kind.group(),
            kind.version(),
            kind.plural(),
            request.label_selector.as_deref().unwrap_or(""),
            request.field_selector.as_deref().unwrap_or(""),
        )),
        other => other,
    }
}

fn print(
    context: &Context<'_>,
    request: &GetRequest,
    groups: &[Group],
    single: bool,
    selection: &ResourceSelection,
    output: &mut Output,
) {
    let objects: Vec<&Arc<Object>> = groups.iter().flat_map(|(_, items)| items).collect();
    match &request.format {
        OutputFormat::Table | OutputFormat::Wide => {
            let mut tables = Vec::new();
            for (kind, items) in groups.iter().filter(|(_, items)| !items.is_empty()) {
                let table = table(*kind, items, context.now);
                tables.push(align_columns(&print_table(
                    &table,
                    &request.print_options(*kind),
                )));
            }
            output.stdout.push_str(&tables.join("\n"));
            if tables.is_empty() && output.exit_code == 0 && !request.ignore_not_found {
                let all_namespaced = match selection {
                    ResourceSelection::Kinds(kinds) => kinds.iter().all(|k| k.namespaced()),
                    ResourceSelection::Named(named) => named.iter().all(|(k, _)| k.namespaced()),
                };
                if request.namespace.is_some() && all_namespaced {
                    output.stderr.push_str(&format!(
                        "No resources found in {} namespace.\n",
                        request.namespace_name
                    ));
                } else {
                    output.stderr.push_str("No resources found\n");
                }
            }
        }
        OutputFormat::Name => {
            for object in objects {
                output.stdout.push_str(&name_line(object));
            }
        }
        OutputFormat::Json | OutputFormat::Yaml | OutputFormat::JsonPath(_) => {
            let value = match objects.as_slice() {
                [one] if single => one.to_value(),
                _ => list_value(&objects),
            };
            output
                .stdout
                .push_str(&render_value(&request.format, &value));
        }
        OutputFormat::CustomColumns(columns) => {
            let mut lines = Vec::new();
            if !request.print.no_headers {
                lines.push(columns.iter().map(|(h, _)| h.clone()).collect());
            }
            for object in objects {
                lines.push(custom_cells(columns, object));
            }
            if lines.len() > usize::from(!request.print.no_headers) {
                output.stdout.push_str(&align_columns(&lines));
            }
        }
    }
}

/// `-o name`: `deployment.apps/web`.
pub fn name_line(object: &Object) -> String {
    format!("{}/{}\n", kind_prefix(object), object.name())
}

/// The cells of one object under custom columns (`<none>` where a path finds nothing).
pub fn custom_cells(
    columns: &[(String, crate::kubectl::jsonpath::Template)],
    object: &Object,
) -> Vec<String> {
    let value = object.to_value();
    columns
        .iter()
        .map(|(_, template)| {
            let values = template.values(&value);
            if values.is_empty() {
                "<none>".to_string()
            } else {
                values
                    .iter()
                    .map(crate::kubectl::jsonpath::value_text)
                    .collect::<Vec<_>>()
                    .join(",")
            }
        })
        .collect()
}

/// Several objects as kubectl wraps them: a `v1 List`.
pub fn list_value(objects: &[&Arc<Object>]) -> Value {
    json!({
        "apiVersion": "v1",
        "items": objects.iter().map(|o| o.to_value()).collect::<Vec<_>>(),
        "kind": "List",
        "metadata": {"resourceVersion": ""},
    })
}

/// A value in a JSON, YAML or JSONPath format (others print nothing).
pub fn render_value(format: &OutputFormat, value: &Value) -> String {
    match format {
        OutputFormat::Json => to_json(value),
        OutputFormat::Yaml => to_yaml(value),
        OutputFormat::JsonPath(template) => template.execute(value),
        OutputFormat::Table
        | OutputFormat::Wide
        | OutputFormat::Name
        | OutputFormat::CustomColumns(_) => String::new(),
    }
}
