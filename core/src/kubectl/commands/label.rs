//! `kubectl label` and `kubectl annotate`: set (`key=value`) or remove (`key-`) labels or
//! annotations on objects named by `TYPE NAME`, `TYPE/NAME`, `-l` or `--all`, refusing to
//! change an existing value without `--overwrite`, with kubectl's messages.

use std::collections::BTreeMap;

use super::CommandSpec;
use crate::api::objects::Object;
use crate::kubectl::error::KubectlError;
use crate::kubectl::flags::{FlagKind, FlagSpec, ParsedArgs};
use crate::kubectl::targets::{get, object_ref, resolve_targets, update};
use crate::kubectl::{Context, Output};

const FLAGS: &[FlagSpec] = &[
    FlagSpec {
        long: "overwrite",
        short: None,
        kind: FlagKind::Bool,
        usage: "If true, allow labels/annotations to be overwritten, otherwise reject updates that overwrite existing ones.",
    },
    FlagSpec {
        long: "selector",
        short: Some('l'),
        kind: FlagKind::String,
        usage: "Selector (label query) to filter on.",
    },
    FlagSpec {
        long: "all",
        short: None,
        kind: FlagKind::Bool,
        usage: "Select all resources, in the namespace of the specified resource types",
    },
];

/// `kubectl label`.
pub const COMMAND: CommandSpec = CommandSpec {
    name: "label",
    aliases: &[],
    short: "Update the labels on a resource",
    usage: "kubectl label [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version] [options]",
    flags: FLAGS,
    run: run_label,
};

/// `kubectl annotate`.
pub const ANNOTATE: CommandSpec = CommandSpec {
    name: "annotate",
    aliases: &[],
    short: "Update the annotations on a resource",
    usage: "kubectl annotate [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version] [options]",
    flags: FLAGS,
    run: run_annotate,
};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Labels,
    Annotations,
}

fn run_label(context: &mut Context<'_>, args: &ParsedArgs) -> Result<Output, KubectlError> {
    run(context, args, Field::Labels)
}

fn run_annotate(context: &mut Context<'_>, args: &ParsedArgs) -> Result<Output, KubectlError> {
    run(context, args, Field::Annotations)
}

/// The changes asked for: values to set and keys to remove.
struct Changes {
    set: Vec<(String, String)>,
    remove: Vec<String>,
}

fn split_args(args: &[String]) -> (Vec<String>, Vec<String>) {
    let first_change = args
        .iter()
        .position(|a| a.contains('=') || (a.ends_with('-') && a.len() > 1))
        .unwrap_or(args.len());
    (
        args.get(..first_change).unwrap_or_default().to_vec(),
        args.get(first_change..).unwrap_or_default().to_vec(),
    )
}

fn parse_changes(words: &[String], field: Field) -> Result<Changes, KubectlError> {
    let mut changes = Changes {
        set: Vec::new(),
        remove: Vec::new(),
    };
    for word in words {
        if let Some((key, value)) = word.split_once('=') {
            if key.is_empty() {
                return Err(KubectlError::Usage(format!(
                    "invalid {} spec: {word}",
                    singular(field)
                )));
            }
            changes.set.push((key.to_string(), value.to_string()));
        } else if let Some(key) = word.strip_suffix('-') {
            changes.remove.push(key.to_string());
        } else {
            return Err(KubectlError::Usage(format!(
                "invalid {} format: {word}",
                singular(field)
            )));
        }
    }
    if changes.set.is_empty() && changes.remove.is_empty() {
        return Err(KubectlError::Usage(format!(
            "at least one {} update is required",
            singular(field)
        )));
    }
    for key in &changes.remove {
        if changes.set.iter().any(|(k, _)| k == key) {
            return Err(KubectlError::Usage(format!(
                "can not both modify and remove {}s in the same command",
                singular(field)
            )));
        }
    }
    Ok(changes)
}

fn singular(field: Field) -> &'static str {
    match field {
        Field::Labels => "label",
        Field::Annotations => "annotation",
    }
}

fn run(context: &mut Context<'_>, args: &ParsedArgs, field: Field) -> Result<Output, KubectlError> {
    let (resources, words) = split_args(&args.args);
    let changes = parse_changes(&words, field)?;
    let targets = resolve_targets(
        context,
        &resources,
        args.string("selector"),
        args.bool("all"),
    )?;
    let mut output = Output::default();
    for (kind, name) in targets {
        match change_one(
            context,
            &mut output,
            kind,
            &name,
            &changes,
            field,
            args.bool("overwrite"),
        ) {
            Ok(line) => output.stdout.push_str(&line),
            Err(error) => output.push_error(&error),
        }
    }
    Ok(output)
}

fn map_of(object: &mut Object, field: Field) -> &mut BTreeMap<String, String> {
    let metadata = object.metadata_mut();
    match field {
        Field::Labels => metadata.labels.get_or_insert_with(BTreeMap::new),
        Field::Annotations => metadata.annotations.get_or_insert_with(BTreeMap::new),
    }
}

fn change_one(
    context: &mut Context<'_>,
    output: &mut Output,
    kind: crate::api::objects::Kind,
    name: &str,
    changes: &Changes,
    field: Field,
    overwrite: bool,
) -> Result<String, KubectlError> {
    let mut object = get(context, kind, name)?;
    let before = map_of(&mut object, field).clone();
    let map = map_of(&mut object, field);
    if !overwrite {
        let mut conflicts = Vec::new();
        for (key, value) in &changes.set {
            if let Some(existing) = map.get(key).filter(|v| *v != value) {
                conflicts.push(format!("'{key}' already has a value ({existing})"));
            }
        }
        if !conflicts.is_empty() {
            return Err(KubectlError::Usage(match field {
                Field::Labels => format!("{}, and --overwrite is false", conflicts.join("; ")),
                Field::Annotations => format!(
                    "--overwrite is false but found the following declared annotation(s): {}",
                    conflicts.join("; ")
                ),
            }));
        }
    }
    for key in &changes.remove {
        if map.remove(key).is_none() && field == Field::Labels {
            output
                .stdout
                .push_str(&format!("label \"{key}\" not found.\n"));
        }
    }
    for (key, value) in &changes.set {
        map.insert(key.clone(), value.clone());
    }
    let after = map.clone();
    let reference = object_ref(kind, name);
    if field == Field::Annotations {
        if before != after {
            update(context, object)?;
        }
        return Ok(format!("{reference} annotated\n"));
    }
    if before == after {
        return Ok(format!("{reference} not labeled\n"));
    }
    let shrank =
        after.len() < before.len() || (after.len() == before.len() && changes.set.is_empty());
    update(context, object)?;
    if !overwrite && shrank {
        Ok(format!("{reference} unlabeled\n"))
    } else {
        Ok(format!("{reference} labeled\n"))
    }
}
