//! `kubectl apply -f`: creates each object of the files, or updates it with the three-way
//! strategic merge patch of [`crate::kubectl::apply_patch`], keeping the configuration in the
//! `kubectl.kubernetes.io/last-applied-configuration` annotation for the next apply.
//! Prints `deployment.apps/web created|configured|unchanged` per object.

use serde_json::Value;

use super::CommandSpec;
use crate::api::objects::Object;
use crate::api::patch::PatchType;
use crate::apiserver::ApiError;
use crate::kubectl::apply_patch::{is_empty_patch, three_way_patch, LAST_APPLIED_ANNOTATION};
use crate::kubectl::error::KubectlError;
use crate::kubectl::flags::{FlagKind, FlagSpec, ParsedArgs};
use crate::kubectl::targets::{file_error, object_ref, read_files, sorted};
use crate::kubectl::{Context, Output};

/// `kubectl apply`.
pub const COMMAND: CommandSpec = CommandSpec {
    name: "apply",
    aliases: &[],
    short: "Apply a configuration to a resource by file name or stdin",
    usage: "kubectl apply (-f FILENAME | -k DIRECTORY) [options]",
    flags: &[FILENAME_FLAG],
    run,
};

/// `-f`, shared by the commands that read manifests.
pub const FILENAME_FLAG: FlagSpec = FlagSpec {
    long: "filename",
    short: Some('f'),
    kind: FlagKind::StringArray,
    usage: "The files that contain the configurations to apply ('-' is standard input).",
};

fn run(context: &mut Context<'_>, args: &ParsedArgs) -> Result<Output, KubectlError> {
    let files = args.strings("filename");
    if files.is_empty() {
        return Err(KubectlError::Usage(
            "must specify one of -f and -k".to_string(),
        ));
    }
    if !args.args.is_empty() {
        return Err(KubectlError::Message(format!(
            "error: Unexpected args: [{}]\nSee 'kubectl apply -h' for help and examples",
            args.args.join(" ")
        )));
    }
    let objects = read_files(context, &files)?;
    let mut output = Output::default();
    for item in objects {
        match apply_one(context, item.object) {
            Ok(line) => output.stdout.push_str(&line),
            Err((verb, error)) => output.push_error(&file_error(verb, &item.file, &error)),
        }
    }
    Ok(output)
}

/// The configuration as kubectl records it: the object with the annotation removed (an
/// empty `annotations` map kept), keys sorted, and a newline at the end.
pub fn last_applied_text(config: &Value) -> String {
    let mut config = config.clone();
    if let Some(metadata) = config.get_mut("metadata").and_then(Value::as_object_mut) {
        let annotations = metadata
            .entry("annotations")
            .or_insert_with(|| Value::Object(serde_json::Map::new()));
        if let Some(map) = annotations.as_object_mut() {
            map.remove(LAST_APPLIED_ANNOTATION);
        } else {
            *annotations = Value::Object(serde_json::Map::new());
        }
    }
    format!("{}\n", sorted(&config))
}

fn apply_one(
    context: &mut Context<'_>,
    object: Object,
) -> Result<String, (&'static str, ApiError)> {
    let kind = object.kind();
    let namespace = object.namespace().to_string();
    let name = object.name().to_string();
    let config = object.to_value();
    let text = last_applied_text(&config);
    let mut modified = config.clone();
    if let Some(metadata) = modified.get_mut("metadata").and_then(Value::as_object_mut) {
        let annotations = metadata
            .entry("annotations")
            .or_insert_with(|| Value::Object(serde_json::Map::new()));
        if !annotations.is_object() {
            *annotations = Value::Object(serde_json::Map::new());
        }
        if let Some(map) = annotations.as_object_mut() {
            map.insert(LAST_APPLIED_ANNOTATION.to_string(), Value::from(text));
        }
    }
    let live = match context.api.get(kind, &namespace, &name) {
        Ok(live) => live,
        Err(ApiError::NotFound { .. }) => {
            let object = Object::from_value_as(kind, modified)
                .map_err(|e| ("creating", ApiError::BadRequest(e.to_string())))?;
            let created = context
                .api
                .create(&namespace, object)
                .map_err(|e| ("creating", e))?;
            return Ok(format!("{} created\n", object_ref(kind, created.name())));
        }
        Err(error) => return Err(("retrieving current configuration of", error)),
    };
    let live_value = live.to_value();
    let original = live
        .metadata()
        .annotations
        .as_ref()
        .and_then(|a| a.get(LAST_APPLIED_ANNOTATION))
        .and_then(|text| serde_json::from_str::<Value>(text).ok())
        .unwrap_or(Value::Null);
    let patch = three_way_patch(&original, &modified, &live_value, kind.kind_name());
    if is_empty_patch(&patch) {
        return Ok(format!("{} unchanged\n", object_ref(kind, &name)));
    }
    context
        .api
        .patch(
            kind,
            &namespace,
            &name,
            PatchType::StrategicMergePatch,
            &patch,
            false,
        )
        .map_err(|e| ("patching", e))?;
    Ok(format!("{} configured\n", object_ref(kind, &name)))
}
