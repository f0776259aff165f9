//! Strings the pods of one node have in common, kept once per kubelet.
//!
//! Every container record of a node names its container and image, and once it ran, its
//! image's digest reference (`imageID`, ~70 bytes). The pods of one Deployment all say the
//! same: a node with 110 replicas would hold 110 copies of each. The kubelet keeps one
//! [`SharedNames`] table; a worker asks it for an `Arc<str>` of a text ([`SharedNames::get`])
//! and holds that (16 bytes, no allocation of its own). Texts no worker holds any more are
//! dropped from the table when it has doubled since it was last pruned, so a long-lived node
//! that sees many different names does not keep them all.

use std::collections::BTreeSet;
use std::sync::Arc;

/// The fewest entries the table prunes at.
const MIN_PRUNE_AT: usize = 64;

/// One kubelet's table of shared texts.
#[derive(Clone, Debug)]
pub struct SharedNames {
    names: BTreeSet<Arc<str>>,
    /// The table is pruned when it reaches this many entries.
    prune_at: usize,
}

impl Default for SharedNames {
    fn default() -> Self {
        SharedNames {
            names: BTreeSet::new(),
            prune_at: MIN_PRUNE_AT,
        }
    }
}

impl SharedNames {
    /// `text`, shared with every other holder of the same text on this node.
    pub fn get(&mut self, text: &str) -> Arc<str> {
        if let Some(known) = self.names.get(text) {
            return Arc::clone(known);
        }
        if self.names.len() >= self.prune_at {
            // Only the table holds these: nobody needs them any more.
            self.names.retain(|name| Arc::strong_count(name) > 1);
            self.prune_at = (self.names.len() * 2).max(MIN_PRUNE_AT);
        }
        let name: Arc<str> = Arc::from(text);
        self.names.insert(Arc::clone(&name));
        name
    }

    /// How many texts the table holds.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the table holds none.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_text_is_handed_out_as_one_shared_string() {
        let mut names = SharedNames::default();
        let first = names.get("nginx:1.25");
        let second = names.get("nginx:1.25");
        assert!(Arc::ptr_eq(&first, &second));
        assert_eq!(&*first, "nginx:1.25");
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn texts_nobody_holds_are_dropped_once_the_table_has_grown() {
        let mut names = SharedNames::default();
        let kept = names.get("kept");
        for i in 0..MIN_PRUNE_AT - 1 {
            names.get(&format!("gone-{i}"));
        }
        // The table reached its pruning size: the next new text prunes it first.
        let fresh = names.get("fresh");
        assert_eq!(names.len(), 2, "only `kept` and `fresh` remain");
        assert!(Arc::ptr_eq(&kept, &names.get("kept")));
        assert!(Arc::ptr_eq(&fresh, &names.get("fresh")));
    }
}
