//! Stored data shared by the protocols.
//!
//! [`Applied`] is a single-copy state machine (CA's single node, CP's replicated log applied in
//! order) that also remembers which update ops each key reflects. The AP and quorum replicas keep
//! versioned values (LWW timestamps, vector-clock siblings, CRDTs) defined further down.

use crate::sim::model::State;
use crate::sim::types::{OpId, OpSet, Reason, Request, Value};

use super::ProtoConfig;

/// A state machine applying requests in order, tracking the ops each key reflects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub state: State,
    /// `seen[k]`: the update ops applied to key `k`.
    pub seen: Vec<OpSet>,
}

impl Applied {
    pub fn new(cfg: &ProtoConfig) -> Applied {
        let state = State::new(cfg.case, &cfg.initial);
        let seen = vec![OpSet::new(); state.keys.len()];
        Applied { state, seen }
    }

    /// Applies `req` (op `op`). A successful update is recorded in the `seen` set of each key it
    /// touches; a refused one changes nothing.
    pub fn apply(&mut self, op: OpId, req: &Request) -> Result<Option<Value>, Reason> {
        let result = self.state.apply(req);
        if result.is_ok() && req.kind.is_update() {
            for k in State::keys_of(self.state.case, req) {
                self.seen[k as usize].insert(op);
            }
        }
        result
    }

    /// The ops reflected by a read of `req`'s keys.
    pub fn seen_by(&self, req: &Request) -> OpSet {
        let mut s = OpSet::new();
        for k in State::keys_of(self.state.case, req) {
            s.union_with(&self.seen[k as usize]);
        }
        s
    }
}
