//! QUORUM: strict N/R/W replication. Every key lives on all N = `cfg.nodes` replicas as
//! (data, version, ops); the higher version wins.
//!
//! The coordinator is the node the client is attached to. A read asks every replica (itself
//! locally) and answers with the highest version among the first R replies, read-repairing the
//! replicas that answered with an older one. An update is a read-modify-write: phase 1 reads
//! max(R, W) replicas — too few by the deadline and it is REFUSED with `NoQuorum` (nothing was
//! written, so the refusal is honest); phase 2 writes version (max + 1, coordinator) to all and
//! answers Ok after W acks — too few by the deadline and there is NO reply (indeterminate).
//!
//! Promises: with R + W > N and no concurrent updates, a read sees the last acknowledged write;
//! every request is answered or abandoned within `request_timeout_ticks` of its arrival; a
//! `Refused(NoQuorum)` (reads too) means nothing was written.

use std::collections::{BTreeMap, BTreeSet};

use crate::sim::model::State;
use crate::sim::types::{
    node_name, Case, Consistency, MsgKind, NodeId, OpId, OpSet, Outcome, Reason, Request, Role,
    Value, MAX_NODES,
};

use super::versioned::initial_data;
use super::{Ctx, NodeView, ProtoConfig, Timer};

/// A version: (counter, writing coordinator). Higher wins; (0, 0) is the initial value.
pub type Version = (u64, NodeId);

/// One key's value at one replica.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stored {
    pub version: Version,
    pub data: Value,
    /// The update ops this value reflects.
    pub ops: OpSet,
}

impl Stored {
    /// True if `self` should replace `other`. Versions are compared first; equal versions (only
    /// one write makes a version) fall back to the data so the choice is deterministic.
    fn newer_than(&self, other: &Stored) -> bool {
        self > other
    }
}

/// Versions of some keys, as they travel.
pub type Vals = Vec<(u8, Stored)>;

/// True if some key of `vals` is older than its version in `best`.
fn behind(vals: &Vals, best: &Vals) -> bool {
    vals.iter()
        .any(|(k, v)| best.iter().any(|(bk, b)| bk == k && b.newer_than(v)))
}

#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    /// A coordinator asks for the replica's versions of `keys` (reads, update phase 1).
    Read {
        op: OpId,
        keys: Vec<u8>,
    },
    ReadReply {
        op: OpId,
        vals: Vals,
    },
    /// Update phase 2: the new versions.
    Replicate {
        op: OpId,
        vals: Vals,
    },
    /// The replica now holds a version at least as new as the one replicated.
    Ack {
        op: OpId,
    },
    /// A newer version pushed to a replica that answered a read with an older one.
    ReadRepair {
        vals: Vals,
    },
}

impl Msg {
    pub fn kind(&self) -> MsgKind {
        match self {
            Msg::Read { .. } => MsgKind::Read,
            Msg::ReadReply { .. } => MsgKind::ReadReply,
            Msg::Replicate { .. } => MsgKind::Replicate,
            Msg::Ack { .. } => MsgKind::Ack,
            Msg::ReadRepair { .. } => MsgKind::ReadRepair,
        }
    }
}

fn wrap(m: Msg) -> super::Msg {
    super::Msg::Quorum(m)
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Phase {
    /// Phase 1 (reads, and updates before writing): collecting `read_needed` replies.
    Reading,
    /// Update phase 2: collecting `write_needed` acks (self included).
    Writing { acks: BTreeSet<NodeId> },
    /// Answered; late read replies are still repaired until the deadline.
    Done,
}

/// A request this node coordinates (volatile: lost on a crash).
#[derive(Clone, Debug)]
struct Pending {
    req: Request,
    phase: Phase,
    /// Read replies, self included.
    replies: BTreeMap<NodeId, Vals>,
    /// The highest version of each key among the replies, once phase 1 is complete.
    best: Vals,
    /// Replies needed to finish phase 1 (R, or max(R, W) for updates).
    read_needed: u8,
    /// Acks needed to finish phase 2 (W).
    write_needed: u8,
}

#[derive(Clone, Debug)]
pub struct Node {
    me: NodeId,
    nodes: u8,
    case: Case,
    /// The data (on disk: survives crashes).
    keys: Vec<Stored>,
    /// Requests in progress (volatile).
    pending: BTreeMap<OpId, Pending>,
}

impl Node {
    pub fn new(cfg: &ProtoConfig, me: NodeId) -> Node {
        assert!(me < cfg.nodes && cfg.nodes as usize <= MAX_NODES);
        let keys = (0..cfg.case.keys().len() as u8)
            .map(|k| Stored {
                version: (0, 0),
                data: initial_data(cfg, k),
                ops: OpSet::new(),
            })
            .collect();
        Node {
            me,
            nodes: cfg.nodes,
            case: cfg.case,
            keys,
            pending: BTreeMap::new(),
        }
    }

    pub fn on_start(&mut self, _ctx: &mut Ctx) {}

    /// The quorum sizes (R, W) for a request, clamped to 1..=N.
    fn quorums(&self, cfg: &ProtoConfig, req: &Request) -> (u8, u8) {
        let majority = cfg.majority();
        let r = match req.consistency {
            Consistency::Strong | Consistency::Quorum => cfg.r.max(majority),
            _ => cfg.r,
        };
        let w = match req.consistency {
            Consistency::Quorum => cfg.w.max(majority),
            _ => cfg.w,
        };
        (r.clamp(1, self.nodes), w.clamp(1, self.nodes))
    }

    fn local(&self, keys: &[u8]) -> Vals {
        keys.iter()
            .map(|k| (*k, self.keys[*k as usize].clone()))
            .collect()
    }

    /// Stores `v` at key `k` if it is newer; returns true if it was stored.
    fn store(&mut self, k: u8, v: &Stored) -> bool {
        let Some(mine) = self.keys.get_mut(k as usize) else {
            panic!("key {k} out of range")
        };
        if v.newer_than(mine) {
            *mine = v.clone();
            return true;
        }
        false
    }

    /// A read of `req` over the given versions (a feed read combines posts and likes).
    fn read_value(&self, req: &Request, vals: &Vals) -> (Value, OpSet) {
        let mut state = State {
            case: self.case,
            keys: self.keys.iter().map(|v| v.data.clone()).collect(),
        };
        let mut seen = OpSet::new();
        for (k, v) in vals {
            state.keys[*k as usize] = v.data.clone();
            seen.union_with(&v.ops);
        }
        (state.read(req), seen)
    }

    pub fn on_request(&mut self, ctx: &mut Ctx, op: OpId, req: Request) {
        let keys = State::keys_of(self.case, &req);
        if !req.kind.is_update() && req.consistency == Consistency::Eventual {
            let (value, seen) = self.read_value(&req, &self.local(&keys));
            ctx.out.reply(op, Outcome::Ok, Some(value), seen);
            return;
        }
        let (r, w) = self.quorums(ctx.cfg, &req);
        let read_needed = if req.kind.is_update() { r.max(w) } else { r };
        for to in (0..self.nodes).filter(|i| *i != self.me) {
            ctx.out.send(
                to,
                wrap(Msg::Read {
                    op,
                    keys: keys.clone(),
                }),
            );
        }
        let replies = BTreeMap::from([(self.me, self.local(&keys))]);
        let pending = Pending {
            req,
            phase: Phase::Reading,
            replies,
            best: Vec::new(),
            read_needed,
            write_needed: w,
        };
        self.pending.insert(op, pending);
        ctx.out
            .timer(ctx.cfg.request_timeout_ticks, Timer::Deadline(op));
        self.progress(ctx, op);
    }

    /// Moves request `op` on as far as the replies and acks it has allow.
    fn progress(&mut self, ctx: &mut Ctx, op: OpId) {
        let Some(p) = self.pending.get(&op) else {
            return;
        };
        match &p.phase {
            Phase::Reading if p.replies.len() >= p.read_needed as usize => {
                self.finish_read(ctx, op)
            }
            Phase::Writing { acks } if acks.len() >= p.write_needed as usize => {
                ctx.out.reply(op, Outcome::Ok, None, OpSet::new());
                self.finish(op);
            }
            _ => {}
        }
    }

    /// Marks `op` answered. Reads stay to repair late repliers until the deadline.
    fn finish(&mut self, op: OpId) {
        if let Some(p) = self.pending.get_mut(&op) {
            p.phase = Phase::Done;
            if p.req.kind.is_update() || p.replies.len() == self.nodes as usize {
                self.pending.remove(&op);
            }
        }
    }

    /// Phase 1 is complete: pick the highest versions, repair, then answer a read or start
    /// phase 2 of an update.
    fn finish_read(&mut self, ctx: &mut Ctx, op: OpId) {
        let Some(p) = self.pending.get_mut(&op) else {
            return;
        };
        let mut best: Vals = Vec::new();
        for vals in p.replies.values() {
            for (k, v) in vals {
                match best.iter_mut().find(|(bk, _)| bk == k) {
                    Some((_, b)) if v.newer_than(b) => *b = v.clone(),
                    Some(_) => {}
                    None => best.push((*k, v.clone())),
                }
            }
        }
        best.sort_unstable();
        p.best = best.clone();
        let req = p.req;
        let behind: Vec<NodeId> = p
            .replies
            .iter()
            .filter(|(_, vals)| behind(vals, &best))
            .map(|(i, _)| *i)
            .collect();
        if !req.kind.is_update() {
            for i in behind {
                self.repair(ctx, i, &best);
            }
            let (value, seen) = self.read_value(&req, &best);
            ctx.out.reply(op, Outcome::Ok, Some(value), seen);
            self.finish(op);
            return;
        }
        self.start_write(ctx, op, req, best);
    }

    /// Sends `best` to replica `i` (or stores it here).
    fn repair(&mut self, ctx: &mut Ctx, i: NodeId, best: &Vals) {
        if i == self.me {
            for (k, v) in best {
                self.store(*k, v);
            }
        } else {
            ctx.out
                .send(i, wrap(Msg::ReadRepair { vals: best.clone() }));
        }
    }

    /// Update phase 2: compute the new data from the highest versions, write it here and send it
    /// to every replica. A refused update (insufficient funds) writes nothing.
    fn start_write(&mut self, ctx: &mut Ctx, op: OpId, req: Request, best: Vals) {
        let mut state = State {
            case: self.case,
            keys: self.keys.iter().map(|v| v.data.clone()).collect(),
        };
        for (k, v) in &best {
            state.keys[*k as usize] = v.data.clone();
        }
        if let Err(reason) = state.apply(&req) {
            ctx.out
                .reply(op, Outcome::Refused(reason), None, OpSet::new());
            self.pending.remove(&op);
            return;
        }
        let vals: Vals = best
            .iter()
            .map(|(k, b)| {
                let mut ops = b.ops.clone();
                ops.insert(op);
                let version = (b.version.0 + 1, self.me);
                assert!(
                    version > b.version,
                    "a write's version exceeds the one it read"
                );
                (
                    *k,
                    Stored {
                        version,
                        data: state.keys[*k as usize].clone(),
                        ops,
                    },
                )
            })
            .collect();
        for (k, v) in &vals {
            self.store(*k, v);
        }
        for to in (0..self.nodes).filter(|i| *i != self.me) {
            ctx.out.send(
                to,
                wrap(Msg::Replicate {
                    op,
                    vals: vals.clone(),
                }),
            );
        }
        if let Some(p) = self.pending.get_mut(&op) {
            p.phase = Phase::Writing {
                acks: BTreeSet::from([self.me]),
            };
        }
        self.progress(ctx, op);
    }

    pub fn on_message(&mut self, ctx: &mut Ctx, from: NodeId, msg: Msg) {
        assert!(from < self.nodes && from != self.me);
        match msg {
            Msg::Read { op, keys } => {
                let vals = self.local(&keys);
                ctx.out.send(from, wrap(Msg::ReadReply { op, vals }));
            }
            Msg::ReadReply { op, vals } => self.on_read_reply(ctx, from, op, vals),
            Msg::Replicate { op, vals } => {
                for (k, v) in &vals {
                    self.store(*k, v);
                }
                ctx.out.send(from, wrap(Msg::Ack { op }));
            }
            Msg::Ack { op } => {
                if let Some(Pending {
                    phase: Phase::Writing { acks },
                    ..
                }) = self.pending.get_mut(&op)
                {
                    acks.insert(from);
                }
                self.progress(ctx, op);
            }
            Msg::ReadRepair { vals } => {
                for (k, v) in &vals {
                    self.store(*k, v);
                }
            }
        }
    }

    fn on_read_reply(&mut self, ctx: &mut Ctx, from: NodeId, op: OpId, vals: Vals) {
        let Some(p) = self.pending.get_mut(&op) else {
            return;
        };
        match p.phase {
            Phase::Reading => {
                p.replies.insert(from, vals);
                self.progress(ctx, op);
            }
            Phase::Done => {
                p.replies.insert(from, vals.clone());
                let best = p.best.clone();
                let all = p.replies.len() == self.nodes as usize;
                if behind(&vals, &best) {
                    self.repair(ctx, from, &best);
                }
                if all {
                    self.pending.remove(&op);
                }
            }
            Phase::Writing { .. } => {}
        }
    }

    pub fn on_timer(&mut self, ctx: &mut Ctx, timer: Timer) {
        let Timer::Deadline(op) = timer else { return };
        let Some(p) = self.pending.remove(&op) else {
            return;
        };
        if p.phase == Phase::Reading {
            // Nothing was written yet (reads never write; updates write in phase 2): the
            // refusal is honest.
            let reason = Reason::NoQuorum {
                reached: p.replies.len() as u8,
                needed: p.read_needed,
                total: self.nodes,
            };
            ctx.out
                .reply(op, Outcome::Refused(reason), None, OpSet::new());
        }
        // Phase 2 without W acks: no reply; the write may or may not survive (indeterminate).
    }

    pub fn on_crash(&mut self) {
        self.pending.clear();
    }

    /// The local value of each key (cheap: no formatting).
    pub fn keys(&self) -> std::borrow::Cow<'_, [Value]> {
        self.keys.iter().map(|v| v.data.clone()).collect()
    }

    pub fn view(&self) -> NodeView {
        let version: Vec<String> = self
            .keys
            .iter()
            .map(|v| match v.version {
                (0, _) => "v0".to_string(),
                (c, n) => format!("v{}@{}", c, node_name(n)),
            })
            .collect();
        NodeView {
            role: Role::Replica,
            keys: self.keys.iter().map(|v| v.data.clone()).collect(),
            version: version.join(" · "),
            hints: 0,
        }
    }

    pub fn seen(&self, key: u8) -> OpSet {
        self.keys
            .get(key as usize)
            .map(|v| v.ops.clone())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::proto::testnet::{req, Net};
    use crate::sim::proto::Replica;
    use crate::sim::types::{Conflict, Mode, OpKind};

    fn net(case: Case, r: u8, w: u8) -> Net {
        let mut cfg = ProtoConfig::new(Mode::Quorum, Conflict::Lww, case, 3);
        (cfg.r, cfg.w) = (r, w);
        Net::new(cfg)
    }

    fn local(net: &Net, i: usize, key: u8) -> Value {
        match &net.nodes[i] {
            Replica::Quorum(n) => n.keys[key as usize].data.clone(),
            _ => panic!("a quorum node"),
        }
    }

    /// Writes `x = i` at node `i % 3` and reads at node `(i + 1) % 3`, one after the other;
    /// returns the ids of the acknowledged writes.
    fn write_then_read_everywhere(net: &mut Net, up: &[NodeId]) -> Vec<OpId> {
        let mut acked = Vec::new();
        for i in 0..9i64 {
            let at = up[i as usize % up.len()];
            let w = net.request(at, req(OpKind::Write, 0, i));
            net.run(100);
            assert_eq!(net.outcome(w), Some(Outcome::Ok), "write {i} at {at}");
            acked.push(w);
            let r = net.request(up[(i as usize + 1) % up.len()], req(OpKind::Read, 0, 0));
            net.run(100);
            let (value, seen) = net.read_reply(r);
            assert_eq!(value, Value::Int(i), "read after write {i} is not stale");
            assert!(
                acked.iter().all(|op| seen.contains(*op)),
                "seen lacks an acked write"
            );
        }
        acked
    }

    #[test]
    fn majority_quorums_never_read_stale_without_faults() {
        let mut net = net(Case::Register, 2, 2);
        write_then_read_everywhere(&mut net, &[0, 1, 2]);
    }

    #[test]
    fn one_node_down_everything_still_works() {
        let mut net = net(Case::Bank, 2, 2);
        net.crash(2);
        let a = net.request(0, req(OpKind::Withdraw, 0, 80));
        net.run(100);
        let b = net.request(1, req(OpKind::Withdraw, 0, 80));
        net.run(100);
        assert_eq!(net.outcome(a), Some(Outcome::Ok));
        assert_eq!(
            net.outcome(b),
            Some(Outcome::Refused(Reason::InsufficientFunds { balance: 20 })),
            "the read-modify-write saw the first withdrawal"
        );
        let d = net.request(1, req(OpKind::Deposit, 0, 5));
        net.run(100);
        assert_eq!(net.outcome(d), Some(Outcome::Ok));
        // n3 comes back with old data; a quorum read there still sees the latest and repairs it.
        net.recover(2);
        assert_eq!(local(&net, 2, 0), Value::Int(100));
        let r = net.request(2, req(OpKind::Read, 0, 0));
        net.run(100);
        let (value, seen) = net.read_reply(r);
        assert_eq!(value, Value::Int(25));
        assert!(seen.contains(a) && seen.contains(d) && !seen.contains(b));
        assert_eq!(local(&net, 2, 0), Value::Int(25), "read repair");
    }

    #[test]
    fn minority_side_refuses_updates_with_no_quorum() {
        let mut net = net(Case::Feed, 2, 2);
        net.isolate(2);
        let lonely = net.request(2, req(OpKind::Like, 1, 0));
        let majority = net.request(0, req(OpKind::Like, 1, 0));
        net.run(1_000);
        assert_eq!(
            net.outcome(lonely),
            Some(Outcome::Refused(Reason::NoQuorum {
                reached: 1,
                needed: 2,
                total: 3
            }))
        );
        assert_eq!(
            local(&net, 2, 1),
            Value::Int(0),
            "a refused update wrote nothing"
        );
        assert_eq!(net.outcome(majority), Some(Outcome::Ok));
        assert_eq!(local(&net, 1, 1), Value::Int(1));
        let at = net.replies[&lonely].at;
        assert_eq!(at, net.cfg.request_timeout_ticks, "refused at the deadline");
    }

    #[test]
    fn r1_w1_reads_stale_on_the_isolated_side() {
        let mut net = net(Case::Register, 1, 1);
        net.isolate(2);
        let w = net.request(0, req(OpKind::Write, 0, 7));
        assert_eq!(
            net.outcome(w),
            Some(Outcome::Ok),
            "W = 1: acked by the coordinator alone"
        );
        net.run(100);
        let r = net.request(2, req(OpKind::Read, 0, 0));
        let (value, seen) = net.read_reply(r);
        assert_eq!(value, Value::Int(0));
        assert!(!seen.contains(w), "a stale read: it missed op {w}");
        // A strong read raises R to a majority: refused on the minority side.
        let mut strong = req(OpKind::Read, 0, 0);
        strong.consistency = Consistency::Strong;
        let s = net.request(2, strong);
        net.run(1_000);
        assert_eq!(
            net.outcome(s),
            Some(Outcome::Refused(Reason::NoQuorum {
                reached: 1,
                needed: 2,
                total: 3
            }))
        );
        // After the heal, a strong read at n3 finds the write.
        net.heal();
        let s = net.request(2, strong);
        net.run(100);
        assert_eq!(net.read_reply(s).0, Value::Int(7));
    }

    #[test]
    fn unacked_phase_two_gets_no_reply() {
        let mut net = net(Case::Register, 1, 3);
        net.cut.insert((0, 2)); // phase 1 needs 3 replies: n3 is unreachable
        net.cut.insert((2, 0));
        let w = net.request(0, req(OpKind::Write, 0, 1));
        net.run(1_000);
        assert_eq!(
            net.outcome(w),
            Some(Outcome::Refused(Reason::NoQuorum {
                reached: 2,
                needed: 3,
                total: 3
            }))
        );
        // Phase 1 succeeds, phase 2 loses its acks: no reply, yet the write is on n1.
        net.heal();
        let w = net.request(0, req(OpKind::Write, 0, 2));
        net.run(12); // the Read round trip completes (latency 5) and Replicate goes out
        net.isolate(0);
        net.run(1_000);
        assert_eq!(net.outcome(w), None, "indeterminate: the client times out");
        assert_eq!(local(&net, 0, 0), Value::Int(2));
        assert_eq!(local(&net, 1, 0), Value::Int(0), "replicate was cut");
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Sequential bank operations at random nodes while at most one node at a time is
        /// crashed or isolated (faults change only between settled operations): with majority
        /// quorums every operation is answered exactly as the single-copy model answers it.
        #[test]
        fn majority_quorums_match_the_sequential_model_with_one_fault(
            steps in prop::collection::vec((0u8..3, 0u8..6, 1i64..90, 0u8..4), 1..30),
        ) {
            let mut net = net(Case::Bank, 2, 2);
            let mut model = State::new(Case::Bank, &net.cfg.initial);
            let settle = net.cfg.request_timeout_ticks + 20;
            let mut faulty: Option<NodeId> = None;
            for (node, action, arg, fault) in steps {
                // Change the fault: heal everything, then maybe crash or isolate one node.
                net.heal();
                if let Some(f) = faulty.take() {
                    net.recover(f);
                }
                match fault {
                    0 => {
                        net.crash(node);
                        faulty = Some(node);
                    }
                    1 => net.isolate(node),
                    _ => {}
                }
                let at = (node + 1) % 3; // the client's node is never the faulty one
                let kind = [OpKind::Deposit, OpKind::Withdraw, OpKind::Transfer, OpKind::Read]
                    [action as usize % 4];
                let mut r = req(kind, (action / 4) % 2, arg);
                r.key2 = 1 - r.key;
                let op = net.request(at, r);
                net.run(settle);
                let expected = model.apply(&r);
                let reply = net.replies.get(&op).cloned();
                prop_assert!(reply.is_some(), "op {} unanswered", op);
                let reply = reply.unwrap_or_else(|| unreachable!());
                match expected {
                    Ok(value) => {
                        prop_assert_eq!(reply.outcome, Outcome::Ok);
                        prop_assert_eq!(reply.value, value);
                    }
                    Err(reason) => prop_assert_eq!(reply.outcome, Outcome::Refused(reason)),
                }
            }
        }
    }
}
