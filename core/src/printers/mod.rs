//! Tables of objects, as Kubernetes' printers make them (`pkg/printers`).
//!
//! Two consumers share one model. The node host answers `kubectl get` with a server-side
//! `Table` (it serializes a [`Table`] to JSON); the in-core kubectl ([`crate::kubectl`]) prints
//! the same [`Table`] as kubectl's human-readable printer does ([`human`]). Data flows:
//! objects → [`table`] (one [`TableRow`] of [`Cell`]s per object, wide cells included, under
//! the kind's [`TableColumn`]s from [`columns()`]) → JSON on the server, or text in kubectl.
//!
//! Each kind's cells follow kube-apiserver's `pkg/printers/internalversion/printers.go`:
//! one file per group of kinds (`pod`, `workload`, `service`, `node`, `event`);
//! ages are [`duration::human_duration`].

pub mod columns;
pub mod duration;
mod event;
pub mod format;
pub mod human;
mod node;
mod pod;
mod service;
mod tabwriter;
mod workload;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::api::objects::{Kind, Object};
use crate::sim::clock::Timestamp;

pub use columns::columns;
pub use duration::human_duration;
pub use human::{print_table, HumanPrintOptions};
pub use tabwriter::align_columns;

/// One column of a table: what `columnDefinitions` carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableColumn {
    /// The column's name as the server sends it (`Name`, `Up-to-date`); kubectl prints it in
    /// upper case.
    pub name: &'static str,
    /// The OpenAPI type of the cells: `string` or `integer`.
    pub column_type: &'static str,
    /// 0: always shown; 1 and more: only with `-o wide`.
    pub priority: u8,
    /// The description the server sends with the column.
    pub description: &'static str,
}

impl TableColumn {
    /// The `format` of the column definition: `name` for the object's name column.
    pub fn format(&self) -> &'static str {
        if self.name == "Name" && self.column_type == "string" {
            "name"
        } else {
            ""
        }
    }
}

/// One cell of a row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    /// Text (most cells, ages included).
    Text(String),
    /// A number (replica counts, ConfigMap data counts).
    Integer(i64),
}

impl Cell {
    /// The cell as kubectl prints it.
    pub fn to_text(&self) -> String {
        match self {
            Cell::Text(text) => text.clone(),
            Cell::Integer(number) => number.to_string(),
        }
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell::Text(text)
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell::Text(text.to_string())
    }
}

impl From<i32> for Cell {
    fn from(number: i32) -> Cell {
        Cell::Integer(i64::from(number))
    }
}

impl From<i64> for Cell {
    fn from(number: i64) -> Cell {
        Cell::Integer(number)
    }
}

impl From<usize> for Cell {
    fn from(number: usize) -> Cell {
        Cell::Integer(i64::try_from(number).unwrap_or(i64::MAX))
    }
}

/// How a pod that ran to completion ended: the `Completed` row condition of a Table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Completion {
    /// Phase `Succeeded`.
    Succeeded,
    /// Phase `Failed`.
    Failed,
}

impl Completion {
    /// The condition's reason (`Succeeded`, `Failed`).
    pub fn reason(self) -> &'static str {
        match self {
            Completion::Succeeded => "Succeeded",
            Completion::Failed => "Failed",
        }
    }

    /// The condition's message, as kube-apiserver writes it.
    pub fn message(self) -> &'static str {
        match self {
            Completion::Succeeded => "The pod has completed successfully.",
            Completion::Failed => "The pod has completed with a failure.",
        }
    }
}

/// One row: an object's cells (wide cells included) and the object itself.
#[derive(Clone, Debug, PartialEq)]
pub struct TableRow {
    /// One cell per column of the table.
    pub cells: Vec<Cell>,
    /// For pods that have finished: the `Completed` condition.
    pub completion: Option<Completion>,
    /// The object the row shows (kubectl reads namespace and labels from it).
    pub object: Arc<Object>,
}

/// A table of objects of one kind.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// The kind of every row's object.
    pub kind: Kind,
    /// The column definitions, wide columns included.
    pub columns: Vec<TableColumn>,
    /// One row per object, in the order given.
    pub rows: Vec<TableRow>,
}

/// The table of objects of one kind, with ages measured at `now`.
pub fn table(kind: Kind, objects: &[Arc<Object>], now: Timestamp) -> Table {
    Table {
        kind,
        columns: columns(kind),
        rows: objects.iter().map(|o| row(o, now)).collect(),
    }
}

/// The row of one object, with ages measured at `now`.
pub fn row(object: &Arc<Object>, now: Timestamp) -> TableRow {
    TableRow {
        cells: cells(object, now),
        completion: completion(object),
        object: Arc::clone(object),
    }
}

/// How a pod ended, if it has finished (`Succeeded` or `Failed`); None for other objects.
pub fn completion(object: &Object) -> Option<Completion> {
    match object {
        Object::Pod(pod) => match pod.phase() {
            Some("Succeeded") => Some(Completion::Succeeded),
            Some("Failed") => Some(Completion::Failed),
            _ => None,
        },
        _ => None,
    }
}

/// The cells of one object's row, wide cells included.
pub fn cells(object: &Object, now: Timestamp) -> Vec<Cell> {
    let name = Cell::Text(object.name().to_string());
    let age = Cell::Text(duration::age(
        object.metadata().creation_timestamp.as_ref(),
        now,
    ));
    match object {
        Object::Pod(pod) => pod::pod_cells(pod, name, age, now),
        Object::Deployment(deployment) => workload::deployment_cells(deployment, name, age),
        Object::ReplicaSet(replica_set) => workload::replica_set_cells(replica_set, name, age),
        Object::ReplicationController(rc) => workload::replication_controller_cells(rc, name, age),
        Object::Service(svc) => service::service_cells(svc, name, age),
        Object::Node(node) => node::node_cells(node, name, age),
        Object::Namespace(namespace) => vec![
            name,
            namespace
                .status
                .as_ref()
                .and_then(|s| s.phase.clone())
                .unwrap_or_default()
                .into(),
            age,
        ],
        Object::Endpoints(endpoints) => {
            vec![name, service::format_endpoints(endpoints).into(), age]
        }
        Object::EndpointSlice(slice) => vec![
            name,
            slice.address_type.clone().into(),
            service::format_slice_ports(slice).into(),
            service::format_slice_endpoints(slice).into(),
            age,
        ],
        Object::ConfigMap(config_map) => {
            let data = config_map.data.as_ref().map_or(0, BTreeMap::len)
                + config_map.binary_data.as_ref().map_or(0, BTreeMap::len);
            vec![name, data.into(), age]
        }
        Object::Event(event) => event::event_cells(&event.to_event(), name, now),
        Object::PriorityClass(class) => vec![
            name,
            i64::from(class.value).into(),
            class.global_default.unwrap_or(false).to_string().into(),
            age,
            class.preemption_policy.clone().unwrap_or_default().into(),
        ],
        Object::Lease(lease) => vec![
            name,
            lease
                .spec
                .as_ref()
                .and_then(|s| s.holder_identity.clone())
                .unwrap_or_default()
                .into(),
            age,
        ],
    }
}

#[cfg(test)]
mod tests;
