//! Server-side `Table` responses, so `kubectl get` prints the columns it prints against a real
//! cluster.
//!
//! kubectl asks with `Accept: application/json;as=Table;v=v1;g=meta.k8s.io,…`;
//! [`TableRequest::from_request`] notices it. Each kind's columns and cells come from
//! [`kubeplay_core::printers`] (kube-apiserver's `pkg/printers`); this file only writes them as
//! JSON. The server always
//! fills the wide (priority 1) cells and kubectl hides them without `-o wide`. Each row carries
//! the object as `PartialObjectMetadata` (or whole, or not at all, per `includeObject`) because
//! kubectl reads namespaces and labels from it (`-A`, `--show-labels`, `-L`).

use axum::http::{header, HeaderMap};
use kubeplay_core::api::objects::{Kind, Object};
use kubeplay_core::apiserver::ObjectList;
use kubeplay_core::printers::{self, Cell};
use kubeplay_core::sim::clock::Timestamp;
use serde_json::{json, Value};

/// What each row's `object` holds (`includeObject`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IncludeObject {
    /// No object.
    None,
    /// `PartialObjectMetadata` (the default).
    Metadata,
    /// The whole object.
    Object,
}

/// A request for a Table, with the time ages are measured from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableRequest {
    /// What each row's object holds.
    pub include_object: IncludeObject,
    /// Now, for the AGE columns.
    pub now: Timestamp,
}

impl TableRequest {
    /// A Table request if the `Accept` header asks for `as=Table` first among what it accepts.
    pub fn from_request(
        headers: &HeaderMap,
        params: &super::query::Params,
    ) -> Option<TableRequest> {
        let accept = headers.get(header::ACCEPT)?.to_str().ok()?;
        let first = accept.split(',').next()?;
        let wants_table = first
            .split(';')
            .any(|part| part.trim().eq_ignore_ascii_case("as=Table"));
        if !wants_table {
            return None;
        }
        let include_object = match params.get("includeObject") {
            Some("None") => IncludeObject::None,
            Some("Object") => IncludeObject::Object,
            _ => IncludeObject::Metadata,
        };
        Some(TableRequest {
            include_object,
            now: crate::serve::cluster::wall_clock(),
        })
    }
}

fn column_definitions(kind: Kind) -> Value {
    Value::Array(
        printers::columns(kind)
            .into_iter()
            .map(|column| {
                json!({
                    "name": column.name,
                    "type": column.column_type,
                    "format": column.format(),
                    "description": column.description,
                    "priority": column.priority,
                })
            })
            .collect(),
    )
}

/// A Table of one object.
pub fn object_table(object: &Object, request: &TableRequest) -> Value {
    let resource_version = object.resource_version().unwrap_or_default().to_string();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": resource_version},
        "columnDefinitions": column_definitions(object.kind()),
        "rows": [row(object, request)],
    })
}

/// A Table of a list page, keeping its resourceVersion and continue token.
pub fn list_table(list: &ObjectList, request: &TableRequest) -> Value {
    let mut metadata = serde_json::Map::new();
    metadata.insert(
        "resourceVersion".into(),
        Value::String(list.resource_version.to_string()),
    );
    if let Some(token) = &list.continue_token {
        metadata.insert("continue".into(), Value::String(token.clone()));
    }
    if let Some(remaining) = list.remaining_item_count {
        metadata.insert("remainingItemCount".into(), Value::from(remaining));
    }
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": Value::Object(metadata),
        "columnDefinitions": column_definitions(list.kind),
        "rows": list.items.iter().map(|o| row(o, request)).collect::<Vec<_>>(),
    })
}

fn cell_value(cell: Cell) -> Value {
    match cell {
        Cell::Text(text) => Value::String(text),
        Cell::Integer(number) => Value::from(number),
    }
}

fn row(object: &Object, request: &TableRequest) -> Value {
    let cells: Vec<Value> = printers::cells(object, request.now)
        .into_iter()
        .map(cell_value)
        .collect();
    let mut row = json!({ "cells": cells });
    match request.include_object {
        IncludeObject::None => {}
        IncludeObject::Metadata => {
            let metadata = serde_json::to_value(object.metadata()).unwrap_or_else(|_| json!({}));
            row["object"] = json!({
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": metadata,
            });
        }
        IncludeObject::Object => row["object"] = object.to_value(),
    }
    if let Some(completion) = printers::completion(object) {
        row["conditions"] = json!([{
            "type": "Completed", "status": "True", "reason": completion.reason(),
            "message": completion.message(),
        }]);
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubectl_accept_header_asks_for_a_table_and_plain_json_does_not() {
        let params = super::super::query::Params::default();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
                .parse()
                .unwrap(),
        );
        assert!(TableRequest::from_request(&headers, &params).is_some());
        headers.insert(header::ACCEPT, "application/json".parse().unwrap());
        assert!(TableRequest::from_request(&headers, &params).is_none());
    }
}
