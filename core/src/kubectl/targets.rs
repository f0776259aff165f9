//! What the writing commands act on, read the way kubectl's resource builder reads it:
//! manifests from the files `-f` names (supplied by the host, see [`crate::kubectl::Host`]),
//! and objects named by `TYPE NAME…`, `TYPE/NAME…`, `TYPE -l SELECTOR` or `TYPE --all`.
//! Also the two ways kubectl names an object in its messages: `deployment.apps/web`
//! (what happened to it) and `deployment.apps "web"` (deleted).

use serde_json::Value;

use crate::api::manifest::parse_manifests;
use crate::api::objects::{Kind, Object};
use crate::apiserver::{ApiError, ListOptions};

use super::error::KubectlError;
use super::resource::{resolve, ResourceSelection};
use super::Context;

/// The usage error kubectl prints when no resource is named.
pub const NO_RESOURCES_GIVEN: &str = "You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'";

/// `deployment.apps`, `pod`: a kind as kubectl prefixes names with it.
pub fn kind_prefix(kind: Kind) -> String {
    let lower = kind.kind_name().to_ascii_lowercase();
    if kind.group().is_empty() {
        lower
    } else {
        format!("{lower}.{}", kind.group())
    }
}

/// `deployment.apps/web`.
pub fn object_ref(kind: Kind, name: &str) -> String {
    format!("{}/{name}", kind_prefix(kind))
}

/// `deployment.apps "web"`.
pub fn quoted_ref(kind: Kind, name: &str) -> String {
    format!("{} \"{name}\"", kind_prefix(kind))
}

/// One object read from a file, with the file's name for messages.
pub struct FileObject {
    /// The name given to `-f`.
    pub file: String,
    /// The object as written in the file.
    pub object: Object,
}

/// Reads every object in the files `-f` names, with the namespace they go to filled in
/// (the file's own, else the context's; kubectl refuses a file naming another namespace than
/// an explicit `-n`).
pub fn read_files(
    context: &Context<'_>,
    files: &[String],
) -> Result<Vec<FileObject>, KubectlError> {
    let mut objects = Vec::new();
    for file in files {
        let Some(text) = context.files.get(file) else {
            return Err(KubectlError::Usage(format!(
                "the path \"{file}\" does not exist"
            )));
        };
        let parsed = parse_manifests(text)
            .map_err(|e| KubectlError::Usage(format!("error parsing {file}: {e}")))?;
        for mut object in parsed {
            let kind = object.kind();
            if kind.namespaced() {
                let own = object.namespace().to_string();
                if own.is_empty() {
                    object.metadata_mut().namespace = Some(context.namespace.clone());
                } else if context.namespace_given && own != context.namespace {
                    return Err(KubectlError::Usage(format!(
                        "the namespace from the provided object \"{own}\" does not match the namespace \"{}\". You must pass '--namespace={own}' to perform this operation.",
                        context.namespace
                    )));
                }
            } else {
                object.metadata_mut().namespace = None;
            }
            objects.push(FileObject {
                file: file.clone(),
                object,
            });
        }
    }
    Ok(objects)
}

/// The objects `TYPE NAME…`, `TYPE/NAME…`, `TYPE -l …` or `TYPE --all` name, in order, as
/// (kind, name). `args` are the resource words only. An empty selection is no error (the
/// caller prints `No resources found`).
pub fn resolve_targets(
    context: &mut Context<'_>,
    args: &[String],
    selector: Option<&str>,
    all: bool,
) -> Result<Vec<(Kind, String)>, KubectlError> {
    if args.is_empty() {
        return Err(KubectlError::Usage(NO_RESOURCES_GIVEN.to_string()));
    }
    let resources = resolve(args)?;
    match resources.selection {
        ResourceSelection::Named(named) => {
            if selector.is_some() {
                return Err(KubectlError::Usage(
                    "name cannot be provided when a selector is specified".to_string(),
                ));
            }
            if all {
                return Err(KubectlError::Usage(
                    "setting 'all' parameter but found a non empty selector. ".to_string(),
                ));
            }
            Ok(named)
        }
        ResourceSelection::Kinds(kinds) => {
            if selector.is_some() && all {
                return Err(KubectlError::Usage(
                    "setting 'all' parameter but found a non empty selector. ".to_string(),
                ));
            }
            if selector.is_none() && !all {
                return Err(KubectlError::Usage(
                    "resource(s) were provided, but no name was specified".to_string(),
                ));
            }
            let options = ListOptions {
                label_selector: selector.map(str::to_string),
                ..ListOptions::default()
            };
            let mut targets = Vec::new();
            for kind in kinds {
                let namespace = kind.namespaced().then_some(context.namespace.as_str());
                let list = context.api.list(kind, namespace, &options)?;
                targets.extend(list.items.iter().map(|o| (kind, o.name().to_string())));
            }
            Ok(targets)
        }
    }
}

/// Reads one object for a command that changes it.
pub fn get(context: &mut Context<'_>, kind: Kind, name: &str) -> Result<Object, KubectlError> {
    let namespace = context.namespace.clone();
    Ok(context.api.get(kind, &namespace, name)?.as_ref().clone())
}

/// Writes a changed object back (PUT).
pub fn update(context: &mut Context<'_>, object: Object) -> Result<Object, KubectlError> {
    let namespace = match object.namespace() {
        "" => context.namespace.clone(),
        other => other.to_string(),
    };
    Ok(context.api.update(&namespace, object)?.as_ref().clone())
}

/// The object as JSON, for commands that edit fields by path.
pub fn to_value(object: &Object) -> Value {
    object.to_value()
}

/// Back from JSON after editing.
pub fn from_value(kind: Kind, value: Value) -> Result<Object, KubectlError> {
    Object::from_value_as(kind, value)
        .map_err(|e| KubectlError::Api(ApiError::BadRequest(e.to_string())))
}

/// `Error from server (AlreadyExists): error when creating "web.yaml": …`: an API error
/// about an object read from a file.
pub fn file_error(verb: &str, file: &str, error: &ApiError) -> KubectlError {
    KubectlError::Message(format!(
        "Error from server ({}): error when {verb} \"{file}\": {error}",
        error.reason()
    ))
}

/// A JSON value with every object's keys sorted, as Go's `encoding/json` writes maps.
pub fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = serde_json::Map::new();
            for key in keys {
                if let Some(v) = map.get(key) {
                    out.insert(key.clone(), sorted(v));
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// Builds an object from JSON the command wrote itself.
pub fn build(value: Value) -> Result<Object, KubectlError> {
    Object::from_value(value).map_err(|e| KubectlError::Usage(e.to_string()))
}

/// A flag kubectl requires, with cobra's message when it is missing.
pub fn required<'p>(
    args: &'p super::flags::ParsedArgs,
    flag: &str,
) -> Result<&'p str, KubectlError> {
    args.string(flag)
        .ok_or_else(|| KubectlError::Usage(format!("required flag(s) \"{flag}\" not set")))
}

/// `error: exactly one NAME is required, got N` with the help hint.
pub fn exactly_one_name(command: &str, got: usize) -> KubectlError {
    KubectlError::Message(format!(
        "error: exactly one NAME is required, got {got}\nSee 'kubectl {command} -h' for help and examples"
    ))
}
