//! What the engine watches for the checkers and the trace: balances, convergence, the hash.

use super::Sim;
use crate::sim::action::{Action, StepInfo, StepKind};
use crate::sim::types::{Case, Mode, NodeId, Status, Value};

const FNV_PRIME: u64 = 0x0100_0000_01b3;

impl Sim {
    pub(super) fn track_balance(&mut self, node: NodeId) {
        if self.cfg.case != Case::Bank {
            return;
        }
        let keys = self.slots[usize::from(node)].replica.keys();
        let low = keys
            .iter()
            .enumerate()
            .filter(|(k, _)| self.cfg.holds(node, *k as u8))
            .filter_map(|(k, v)| lowest_int(v).map(|i| (i, k as u8)))
            .min();
        if let Some((low, key)) = low {
            if self.min_balance_key.is_none() || self.min_balance.is_none_or(|m| low < m) {
                self.min_balance_key = Some(key);
            }
            self.min_balance = Some(self.min_balance.map_or(low, |m| m.min(low)));
        }
    }

    pub(super) fn observe_views(&mut self) {
        if !self.views_dirty {
            return;
        }
        self.views_dirty = false;
        let equal = self.replicas_agree();
        if !equal {
            self.equal_since = None;
        } else if self.equal_since.is_none() {
            self.equal_since = Some(self.now);
        }
    }

    /// True when, for every key, the up nodes that keep a copy of it hold equal values.
    fn replicas_agree(&self) -> bool {
        if self.cfg.mode == Mode::Quorum && self.cfg.n < self.cfg.nodes {
            return self.partial_replicas_agree();
        }
        let mut first: Option<std::borrow::Cow<'_, [Value]>> = None;
        for slot in self.slots.iter().filter(|s| s.status == Status::Up) {
            if !slot.replica.holds_data() {
                continue;
            }
            let keys = slot.replica.keys();
            match &first {
                None => first = Some(keys),
                // One difference settles it; the other replicas need not be looked at.
                Some(f) if *f != keys => return false,
                Some(_) => {}
            }
        }
        true
    }

    /// Quorum mode with N < nodes: each key's up replicas agree (the other nodes keep no copy).
    fn partial_replicas_agree(&self) -> bool {
        let keys = self.cfg.case.keys().len() as u8;
        (0..keys).all(|k| {
            let mut values = self
                .cfg
                .replicas_of(k)
                .into_iter()
                .map(usize::from)
                .filter(|r| self.slots[*r].status == Status::Up)
                .map(|r| self.slots[r].replica.keys()[usize::from(k)].clone());
            let Some(first) = values.next() else {
                return true;
            };
            values.all(|v| v == first)
        })
    }

    pub(super) fn fold(&mut self, words: &[u64]) {
        // FNV-1a over each word's little-endian bytes (shifts, not an array iterator: the same
        // hash, at a fraction of the cost in a size-optimised build).
        let mut h = self.trace;
        for w in words {
            for i in 0..8 {
                h = (h ^ ((w >> (8 * i)) & 0xff)).wrapping_mul(FNV_PRIME);
            }
        }
        self.trace = h;
    }

    pub(super) fn fold_step(&mut self, info: &StepInfo) {
        let t = info.tick;
        let words: [u64; 4] = match &info.kind {
            StepKind::Delivered { from, to, kind } => {
                [1, u64::from(*from), u64::from(*to), *kind as u64]
            }
            StepKind::Dropped(d) => [2, u64::from(d.from), u64::from(d.to), d.kind as u64],
            StepKind::Parked { from, to, kind } => {
                [3, u64::from(*from), u64::from(*to), *kind as u64]
            }
            StepKind::Timer { node } => [4, u64::from(*node), 0, 0],
            StepKind::StaleTimer { node } => [5, u64::from(*node), 0, 0],
            StepKind::Arrived { op, node } => [6, u64::from(*op), u64::from(*node), 0],
            StepKind::ArrivedAtCrashed { op, node } => [7, u64::from(*op), u64::from(*node), 0],
            StepKind::Deferred { node } => [8, u64::from(*node), 0, 0],
            StepKind::Replied { op, late } => [9, u64::from(*op), u64::from(*late), 0],
            StepKind::TimedOut { op } => [10, u64::from(*op), 0, 0],
            StepKind::TimeoutIgnored { op } => [11, u64::from(*op), 0, 0],
            StepKind::Action { action, skipped } => {
                [12, action_code(action), u64::from(*skipped), 0]
            }
            StepKind::Stopped(_) => [13, 0, 0, 0],
        };
        self.fold(&[t]);
        self.fold(&words);
    }
}

/// The lowest integer in a value (siblings count by their lowest).
fn lowest_int(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Siblings(vs) => vs.iter().filter_map(lowest_int).min(),
        Value::Set(_) | Value::Feed { .. } => None,
    }
}

/// A small number identifying an action and its nodes, for the trace hash.
pub(super) fn action_code(a: &Action) -> u64 {
    let tag: u64 = match a {
        Action::Request { client, .. } => 100 + u64::from(*client),
        Action::Crash(_) => 1,
        Action::Recover(_) => 2,
        Action::Pause(_) => 3,
        Action::Resume(_) => 4,
        Action::Cut { .. } => 5,
        Action::CutBoth { .. } => 6,
        Action::Heal { .. } => 7,
        Action::Partition { .. } => 8,
        Action::Isolate(_) => 9,
        Action::HealAll => 10,
        Action::SetLatency { .. } => 11,
        Action::SetLoss { .. } => 12,
        Action::Hold { .. } => 13,
        Action::Release { .. } => 14,
        Action::DropMessage(id) => 15 + 16 * id,
        Action::DelayMessage { id, ticks } => 16 + 16 * id.wrapping_mul(31).wrapping_add(*ticks),
    };
    a.nodes().iter().fold(tag, |h, n| {
        h.wrapping_mul(31).wrapping_add(u64::from(*n) + 1)
    })
}
