//! `kubectl explain` in the core against the real kubectl.
//!
//! Two jobs:
//! - the generator of the core's explain docs table (`core/src/kubectl/explain/docs.tsv`):
//!   it walks the OpenAPI v3 documents `kubeplay serve` publishes (built by
//!   `kubeplay::serve::openapi`) from each supported kind and writes one line per named schema
//!   and per field. `the_explain_docs_table_is_up_to_date` fails when the checked-in table
//!   differs from what the schemas give; run it with `KUBEPLAY_BLESS=1` to rewrite the table:
//!   `KUBEPLAY_BLESS=1 cargo test -p kubeplay --test explain`;
//! - the comparison: the real kubectl's `explain` against a running `kubeplay serve` and the
//!   core's for the same arguments must print the same. Without kubectl on the PATH it prints
//!   why and passes without checking.

// clippy.toml bans the wall clock and file I/O for the sans-IO core; this harness writes the
// generated table and drives processes with wall-clock timeouts, which is its job.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;

use kubeplay::serve::openapi::v3_document_value;
use kubeplay_core::api::objects::Kind;
use serde_json::Value;

mod common;
use common::ServeProcess;

/// Where the core embeds the table from.
fn table_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../core/src/kubectl/explain/docs.tsv")
}

const REF_PREFIX: &str = "#/components/schemas/";

/// Every named schema of every served document, and the kinds' schema names.
fn schemas() -> (BTreeMap<String, Value>, Vec<(Kind, String)>) {
    let mut groups: Vec<((&str, &str), Vec<Kind>)> = Vec::new();
    for kind in Kind::ALL {
        let gv = (kind.group(), kind.version());
        match groups.iter_mut().find(|(known, _)| *known == gv) {
            Some((_, kinds)) => kinds.push(kind),
            None => groups.push((gv, vec![kind])),
        }
    }
    let mut all = BTreeMap::new();
    let mut kinds = Vec::new();
    for (_, group_kinds) in &groups {
        let document = v3_document_value(group_kinds);
        let named = document["components"]["schemas"]
            .as_object()
            .expect("components.schemas");
        for kind in group_kinds {
            let gvk = serde_json::json!({"group": kind.group(), "kind": kind.kind_name(), "version": kind.version()});
            let name = named
                .iter()
                .find(|(_, schema)| {
                    schema["x-kubernetes-group-version-kind"]
                        .as_array()
                        .is_some_and(|list| list.contains(&gvk))
                })
                .map(|(name, _)| name.clone())
                .unwrap_or_else(|| panic!("no schema for {}", kind.kind_name()));
            kinds.push((*kind, name));
        }
        for (name, schema) in named {
            all.entry(name.clone()).or_insert_with(|| schema.clone());
        }
    }
    (all, kinds)
}

fn ref_name(schema: &Value) -> Option<&str> {
    schema.get("$ref")?.as_str()?.strip_prefix(REF_PREFIX)
}

fn resolve<'s>(schema: &'s Value, all: &'s BTreeMap<String, Value>) -> &'s Value {
    ref_name(schema).and_then(|n| all.get(n)).unwrap_or(schema)
}

fn has_object_additional_properties(schema: &Value) -> bool {
    schema
        .get("additionalProperties")
        .is_some_and(Value::is_object)
}

/// The template's `typeGuess`.
fn type_guess(schema: &Value, all: &BTreeMap<String, Value>) -> String {
    if let Some(items) = schema.get("items") {
        return format!("[]{}", type_guess(items, all));
    }
    if has_object_additional_properties(schema) {
        return format!(
            "map[string]{}",
            type_guess(&schema["additionalProperties"], all)
        );
    }
    if let Some([only]) = schema
        .get("allOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        if schema.get("properties").is_none() {
            return type_guess(only, all);
        }
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let target = ref_name(schema).and_then(|n| all.get(n));
        let target_type = target.and_then(|t| t.get("type")).and_then(Value::as_str);
        return match target_type {
            None | Some("object") => {
                let name = reference.rsplit('/').next().unwrap_or_default();
                let last = name.rsplit('.').next().unwrap_or_default();
                if last.is_empty() {
                    "Object".to_string()
                } else {
                    last.to_string()
                }
            }
            Some(other) => other.to_string(),
        };
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("object") | None => "Object".to_string(),
        Some(other) => other.to_string(),
    }
}

/// The named schema a field's value is: through `$ref`, a single `allOf`, items or map values.
fn target(schema: &Value) -> Option<String> {
    if let Some(name) = ref_name(schema) {
        return Some(name.to_string());
    }
    if let Some(items) = schema.get("items") {
        return target(items);
    }
    if has_object_additional_properties(schema) {
        return target(&schema["additionalProperties"]);
    }
    let all_of = schema.get("allOf").and_then(Value::as_array)?;
    assert!(all_of.len() <= 1, "allOf with several schemas: {schema}");
    target(all_of.first()?)
}

/// The template's `description`: the non-empty descriptions it prints, in order.
fn description_chain(schema: &Value, all: &BTreeMap<String, Value>, out: &mut Vec<String>) {
    let resolved = resolve(schema, all);
    if let Some(text) = resolved.get("description").and_then(Value::as_str) {
        if !text.is_empty() {
            out.push(clean(text));
        }
    }
    for sub in resolved
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        description_chain(sub, all, out);
    }
    if let Some(items) = resolved.get("items") {
        description_chain(items, all, out);
    }
    if has_object_additional_properties(resolved) {
        description_chain(&resolved["additionalProperties"], all, out);
    }
}

/// A description as the table holds it: its line breaks as U+001E and its tabs as U+001F
/// (the table is one line per field, tab-separated).
fn clean(text: &str) -> String {
    assert!(
        !text.contains(['\u{1e}', '\u{1f}']),
        "a description with U+001E or U+001F: {text}"
    );
    text.replace('\n', "\u{1e}").replace('\t', "\u{1f}")
}

/// The docs table for the served schemas.
fn generate() -> String {
    let (all, kinds) = schemas();
    let mut text = String::from(
        "# kubectl explain docs for kubeplay's kinds; generated by node-host/tests/explain.rs\n\
         # (KUBEPLAY_BLESS=1 cargo test -p kubeplay --test explain); do not edit.\n",
    );
    let mut reachable: BTreeSet<String> = BTreeSet::new();
    let mut pending: Vec<String> = Vec::new();
    for (kind, name) in &kinds {
        text.push_str(&format!("K\t{}\t{name}\n", kind.kind_name()));
        pending.push(name.clone());
    }
    while let Some(name) = pending.pop() {
        if !reachable.insert(name.clone()) {
            continue;
        }
        let schema = &all[&name];
        for property in schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|p| p.values())
        {
            if let Some(next) = target(property) {
                pending.push(next);
            }
        }
    }
    for name in &reachable {
        let schema = &all[name];
        assert!(
            schema.get("externalDocs").is_none(),
            "externalDocs on {name}"
        );
        let description = schema
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default();
        text.push_str(&format!("T\t{name}\t{}\n", clean(description)));
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
            continue;
        };
        let mut names: Vec<&String> = properties.keys().collect();
        names.sort();
        for field in names {
            let property = &properties[field];
            assert!(property.get("enum").is_none(), "enum on {name}.{field}");
            assert!(
                property.get("externalDocs").is_none(),
                "externalDocs on {name}.{field}"
            );
            let own = clean(
                property
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
            );
            let target_name = target(property);
            let target_description = target_name
                .as_ref()
                .and_then(|t| all[t].get("description"))
                .and_then(Value::as_str)
                .map(clean)
                .unwrap_or_default();
            let mut chain = Vec::new();
            description_chain(property, &all, &mut chain);
            let non_empty = |parts: &[&String]| -> Vec<String> {
                parts
                    .iter()
                    .filter(|p| !p.is_empty())
                    .map(|p| p.to_string())
                    .collect()
            };
            let composition = if chain == non_empty(&[&own, &target_description]) {
                "b"
            } else if chain == non_empty(&[&own]) {
                "o"
            } else if chain == non_empty(&[&target_description]) {
                "t"
            } else {
                panic!("{name}.{field}: the description is neither its own nor its target's");
            };
            text.push_str(&format!(
                "F\t{field}\t{}\t{}\t{}\t{composition}\t{own}\n",
                type_guess(property, &all),
                u8::from(required.contains(&field.as_str())),
                target_name.unwrap_or_default(),
            ));
        }
    }
    text
}

#[test]
fn the_explain_docs_table_is_up_to_date() {
    let generated = generate();
    let path = table_path();
    if std::env::var_os("KUBEPLAY_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write the explain docs table");
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "{} is stale: regenerate it with KUBEPLAY_BLESS=1 cargo test -p kubeplay --test explain",
        path.display()
    );
}

fn start_serve() -> Option<ServeProcess> {
    if !common::have_kubectl("this test compares with the real kubectl") {
        return None;
    }
    Some(ServeProcess::start(&[]))
}

/// The real kubectl's stdout, stderr and success for `kubectl explain ARGS`.
fn real_explain(serve: &ServeProcess, args: &[&str]) -> (String, String, bool) {
    let mut words = vec!["explain"];
    words.extend_from_slice(args);
    let run = serve.kubectl(&words, Duration::from_secs(60));
    (run.stdout, run.stderr, run.success)
}

#[test]
fn the_core_explains_like_the_real_kubectl_against_serve() {
    let Some(serve) = start_serve() else {
        return;
    };
    let cases: &[&[&str]] = &[
        &["pod"],
        &["pods.spec"],
        &["pod.spec.containers"],
        &["po.spec.containers.resources.limits"],
        &["pod.metadata.labels"],
        &["deploy.spec.strategy"],
        &["deployments.apps.spec.strategy.rollingUpdate"],
        &["deploy.spec.strategy", "--recursive"],
        &["deploy", "--api-version=apps/v1"],
        &["svc.spec.ports"],
        &["node.status.conditions"],
        &["rs", "--recursive"],
        &["pod", "--recursive"],
        &["pod.spec.nope"],
        &["pod.spec.nope.deeper"],
        &["pod.spec.restartPolicy.deeper"],
        &["nope"],
        &["deploy", "--api-version=apps/v2"],
        &["deploy", "--api-version=v1"],
        &[],
        &["pod", "svc"],
    ];
    let mut api =
        kubeplay_core::apiserver::ApiServer::new(1, kubeplay_core::sim::clock::Timestamp(0));
    let mut mismatches = Vec::new();
    for args in cases {
        let (real_out, real_err, real_ok) = real_explain(&serve, args);
        let line = format!("explain {}", args.join(" "));
        let ours =
            kubeplay_core::kubectl::run(&mut api, kubeplay_core::sim::clock::Timestamp(0), &line);
        if ours.stdout != real_out || ours.stderr != real_err || (ours.exit_code == 0) != real_ok {
            mismatches.push(format!(
                "kubectl {line}\n--- real (ok={real_ok}) stdout:\n{real_out}\n--- real stderr:\n{real_err}\n--- core (exit {}) stdout:\n{}\n--- core stderr:\n{}",
                ours.exit_code, ours.stdout, ours.stderr
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n\n"));
}
