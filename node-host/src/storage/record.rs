//! What the store's files say, as JSON payloads of [`frame`](super::frame)s.
//!
//! The write-ahead log holds one [`WalHeader`] and then one [`Commit`] per store revision: every
//! key the commit put (with its new metadata and value) or deleted. The snapshot holds one
//! [`SnapshotHeader`] and then one [`SavedKey`] per live key. Values are the objects' JSON
//! ([`Object::to_value`]), so the files are readable with `jq` after stripping the frame
//! headers, and decoding goes through the same [`Object::from_value`] as an API request.

use std::sync::Arc;

use kubeplay_core::api::objects::Object;
use kubeplay_core::store::{KeyValue, Revision, WatchEvent};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The first frame of the write-ahead log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct WalHeader {
    /// The store revision the log continues from (the snapshot's, or 1 for a new store).
    pub(crate) base_revision: Revision,
}

/// The first frame of the snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SnapshotHeader {
    /// The store revision the snapshot was taken at.
    pub(crate) revision: Revision,
    /// How many [`SavedKey`] frames follow (a shorter snapshot is damaged).
    pub(crate) keys: u64,
}

/// One live key with its metadata and value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SavedKey<V = Value> {
    /// The key, e.g. `/registry/pods/default/nginx`.
    pub(crate) key: String,
    /// The revision that created this generation of the key.
    pub(crate) create_revision: Revision,
    /// The revision of the key's last write.
    pub(crate) mod_revision: Revision,
    /// Writes since creation.
    pub(crate) version: u64,
    /// The object's JSON (as read back: its text, decoded only if the key is still live
    /// once the log is replayed).
    pub(crate) value: V,
}

/// An object's JSON text as read from a file, not decoded yet.
pub(crate) type RawJson = Box<serde_json::value::RawValue>;

impl SavedKey<RawJson> {
    /// The key-value pair, decoding the object from its text.
    pub(crate) fn decode(self) -> Result<KeyValue<Object>, String> {
        let value: Value = serde_json::from_str(self.value.get())
            .map_err(|e| format!("the object under key {:?} does not decode: {e}", self.key))?;
        SavedKey {
            key: self.key,
            create_revision: self.create_revision,
            mod_revision: self.mod_revision,
            version: self.version,
            value,
        }
        .into_key_value()
    }
}

/// A [`Commit`] as read back from the log, its values left as text (most are superseded by
/// a later commit of the same key and never need decoding).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct LoggedCommit {
    /// The revision of the commit.
    pub(crate) revision: Revision,
    /// The keys it wrote.
    pub(crate) changes: Vec<LoggedChange>,
}

/// A [`Change`] as read back: `op` is `put` (with the other fields) or `delete`. (A
/// flat struct: serde's internally tagged enums cannot hold raw JSON.)
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct LoggedChange {
    /// `put` or `delete`.
    pub(crate) op: String,
    /// The key.
    pub(crate) key: String,
    /// A put's create revision.
    #[serde(default)]
    pub(crate) create_revision: Option<Revision>,
    /// A put's version.
    #[serde(default)]
    pub(crate) version: Option<u64>,
    /// A put's object, as text.
    #[serde(default)]
    pub(crate) value: Option<RawJson>,
}

impl SavedKey {
    /// The saved form of a key-value pair.
    pub(crate) fn from_key_value(kv: &KeyValue<Object>) -> Self {
        Self {
            key: kv.key.to_string(),
            create_revision: kv.create_revision,
            mod_revision: kv.mod_revision,
            version: kv.version,
            value: kv.value.to_value(),
        }
    }

    /// The key-value pair again, decoding the object.
    pub(crate) fn into_key_value(self) -> Result<KeyValue<Object>, String> {
        let object = Object::from_value(self.value)
            .map_err(|e| format!("the object under key {:?} does not decode: {e}", self.key))?;
        Ok(KeyValue {
            key: Arc::from(self.key),
            create_revision: self.create_revision,
            mod_revision: self.mod_revision,
            version: self.version,
            value: Arc::new(object),
        })
    }
}

/// Everything one store revision changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Commit {
    /// The revision of the commit; each commit's is the previous one's plus one.
    pub(crate) revision: Revision,
    /// The keys it wrote, in the order the store reported them.
    pub(crate) changes: Vec<Change>,
}

/// One key's change in a [`Commit`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase", deny_unknown_fields)]
pub(crate) enum Change {
    /// The key was created or overwritten (its mod revision is the commit's).
    #[serde(rename_all = "camelCase")]
    Put {
        /// The key.
        key: String,
        /// The revision that created this generation of the key.
        create_revision: Revision,
        /// Writes since creation.
        version: u64,
        /// The object's JSON.
        value: Value,
    },
    /// The key was deleted.
    Delete {
        /// The key.
        key: String,
    },
}

impl Change {
    /// The change one watch event of the store's own change feed describes.
    pub(crate) fn from_event(event: &WatchEvent<Object>) -> Self {
        match event {
            WatchEvent::Put { kv, .. } => Change::Put {
                key: kv.key.to_string(),
                create_revision: kv.create_revision,
                version: kv.version,
                value: kv.value.to_value(),
            },
            WatchEvent::Delete { key, .. } => Change::Delete {
                key: key.to_string(),
            },
        }
    }
}

/// Groups the change feed's events by revision into commits (one revision per commit; a
/// transaction's several keys share one).
pub(crate) fn commits_from_events(events: &[WatchEvent<Object>]) -> Vec<Commit> {
    let mut commits: Vec<Commit> = Vec::new();
    for event in events {
        let change = Change::from_event(event);
        match commits.last_mut() {
            Some(commit) if commit.revision == event.revision() => commit.changes.push(change),
            Some(_) | None => commits.push(Commit {
                revision: event.revision(),
                changes: vec![change],
            }),
        }
    }
    commits
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_commit_is_camel_case_json_tagged_by_op() {
        let commit = Commit {
            revision: 7,
            changes: vec![
                Change::Put {
                    key: "/registry/configmaps/default/a".into(),
                    create_revision: 3,
                    version: 2,
                    value: json!({"kind": "ConfigMap"}),
                },
                Change::Delete {
                    key: "/registry/configmaps/default/b".into(),
                },
            ],
        };
        let text = serde_json::to_value(&commit).expect("encode");
        assert_eq!(
            text,
            json!({"revision": 7, "changes": [
                {"op": "put", "key": "/registry/configmaps/default/a", "createRevision": 3,
                 "version": 2, "value": {"kind": "ConfigMap"}},
                {"op": "delete", "key": "/registry/configmaps/default/b"}
            ]})
        );
        let back: Commit = serde_json::from_value(text).expect("decode");
        assert_eq!(back, commit);
    }

    #[test]
    fn a_record_with_an_unknown_field_does_not_decode() {
        let decoded = serde_json::from_value::<WalHeader>(json!({"baseRevision": 1, "x": 2}));
        assert!(decoded.is_err());
    }
}
