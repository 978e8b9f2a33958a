//! A set of node ids as a bit mask (issue #16, page size): votes, acks, replies and the
//! replicas asked. It iterates in ascending id order, as the `BTreeSet<NodeId>` it replaces
//! did, so runs are unchanged; it needs none of the B-tree code a set type brings to the wasm.

use crate::sim::types::{NodeId, MAX_NODES};

/// Node ids below [`MAX_NODES`], in ascending order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NodeSet(u16);

const _: () = assert!(MAX_NODES <= 16, "a NodeSet holds up to 16 node ids");

impl NodeSet {
    pub fn new() -> NodeSet {
        NodeSet(0)
    }

    /// The set holding `id` alone.
    pub fn of(id: NodeId) -> NodeSet {
        let mut s = NodeSet::new();
        s.insert(id);
        s
    }

    pub fn insert(&mut self, id: NodeId) {
        assert!(usize::from(id) < MAX_NODES, "node id {id} out of range");
        self.0 |= 1 << id;
    }

    pub fn contains(&self, id: NodeId) -> bool {
        usize::from(id) < MAX_NODES && self.0 & (1 << id) != 0
    }

    pub fn len(&self) -> usize {
        self.0.count_ones() as usize
    }

    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }

    pub fn clear(&mut self) {
        self.0 = 0;
    }

    /// The ids, smallest first.
    pub fn iter(&self) -> impl Iterator<Item = NodeId> + Clone {
        let bits = self.0;
        (0..MAX_NODES as NodeId).filter(move |i| bits & (1 << i) != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    proptest! {
        /// Same members, size and order as the `BTreeSet` it replaces.
        #[test]
        fn agrees_with_a_btreeset(ids in proptest::collection::vec(0..MAX_NODES as NodeId, 0..20)) {
            let mut ours = NodeSet::new();
            let mut model = BTreeSet::new();
            for id in ids {
                ours.insert(id);
                model.insert(id);
            }
            prop_assert_eq!(ours.len(), model.len());
            prop_assert_eq!(ours.iter().collect::<Vec<_>>(), model.iter().copied().collect::<Vec<_>>());
            for id in 0..MAX_NODES as NodeId {
                prop_assert_eq!(ours.contains(id), model.contains(&id));
            }
        }
    }
}
