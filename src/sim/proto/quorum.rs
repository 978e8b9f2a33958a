//! QUORUM: strict N/R/W replication (Dynamo style, no sloppy quorum, no hinted handoff). Each
//! key lives on N replicas only — its preference list, the N nodes starting at `key % nodes`
//! around the ring ([`preference_list`]) — as (data, version, ops); the higher version wins.
//! The other nodes keep no copy of it and are never asked about it.
//!
//! The coordinator is the node the client is attached to, a replica of the key or not. A read
//! asks the key's replicas (itself locally, if it is one) and answers with the highest version
//! among the first R replies, read-repairing the replicas that answered with an older one. An
//! update is a read-modify-write: phase 1 reads max(R, W) replicas — too few by the deadline and
//! it is REFUSED with `NoQuorum` (nothing was written, so the refusal is honest); phase 2 writes
//! version (max + 1, coordinator) to the key's replicas and answers Ok after W of them acked —
//! too few by the deadline and there is NO reply (indeterminate: the replicas it reached keep
//! it). A request on several keys (a transfer, a feed read) needs R (or W) replicas of each key.
//!
//! Promises: with R + W > N every read quorum overlaps every acknowledged write's quorum, so a
//! read that begins after an update was acknowledged sees it — unless a write to that key failed
//! part-way (it reached some replicas and was never acknowledged: a later read may or may not
//! meet it) or updates of that key ran at the same time (two read-modify-writes that read the
//! same version: the higher version wins and the other update is lost). Every request is
//! answered or abandoned within `request_timeout_ticks` of its arrival; a `Refused(NoQuorum)`
//! (reads too) means nothing was written.

use crate::sim::model::State;
use crate::sim::sort;
use crate::sim::types::{
    node_name, Case, Consistency, MsgKind, NodeId, OpId, OpSet, Outcome, Reason, Request, Role,
    Value, MAX_NODES,
};

use super::nodeset::NodeSet;
use super::versioned::initial_data;
use super::{Ctx, NodeView, ProtoConfig, Timer};
use crate::sim::vecmap::VecMap;

/// A version: (counter, writing coordinator). Higher wins; (0, 0) is the initial value.
pub type Version = (u64, NodeId);

/// Whether `node` is one of the `n` replicas of `key` on a ring of `nodes` nodes: the key's
/// preference list is the `n` nodes starting at `key % nodes`.
pub fn holds(nodes: u8, n: u8, node: NodeId, key: u8) -> bool {
    assert!(
        node < nodes && n <= nodes,
        "node {node}, n {n}, nodes {nodes}"
    );
    let first = u16::from(key) % u16::from(nodes);
    let offset = (u16::from(node) + u16::from(nodes) - first) % u16::from(nodes);
    offset < u16::from(n)
}

/// The `n` replicas of `key` on a ring of `nodes` nodes, from the first one around the ring.
pub fn preference_list(nodes: u8, n: u8, key: u8) -> Vec<NodeId> {
    assert!(0 < n && n <= nodes, "n {n}, nodes {nodes}");
    let first = u16::from(key) % u16::from(nodes);
    (0..u16::from(n))
        .map(|i| ((first + i) % u16::from(nodes)) as NodeId)
        .collect()
}

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
    Writing { acks: NodeSet },
    /// Answered; late read replies are still repaired until the deadline.
    Done,
}

/// A request this node coordinates (volatile: lost on a crash).
#[derive(Clone, Debug)]
struct Pending {
    req: Request,
    phase: Phase,
    /// Read replies, self included.
    replies: VecMap<NodeId, Vals>,
    /// The highest version of each key among the replies, once phase 1 is complete.
    best: Vals,
    /// Replies needed to finish phase 1 (R, or max(R, W) for updates).
    read_needed: u8,
    /// Acks needed to finish phase 2 (W).
    write_needed: u8,
    /// The replicas of the request's keys (self included if it is one): who is asked.
    asked: NodeSet,
}

#[derive(Clone, Debug)]
pub struct Node {
    me: NodeId,
    nodes: u8,
    /// Replicas per key.
    n: u8,
    case: Case,
    /// The data (on disk: survives crashes), one slot per key; the slot of a key this node is
    /// not a replica of stays at its initial value and is never read nor written.
    keys: Vec<Stored>,
    /// Requests in progress (volatile).
    pending: VecMap<OpId, Pending>,
    /// The last read / write quorum this node gathered as a coordinator: the op and the
    /// replicas that answered (volatile; shown to a reader looking inside).
    last_read: Option<(OpId, Vec<NodeId>)>,
    last_write: Option<(OpId, Vec<NodeId>)>,
}

impl Node {
    pub fn new(cfg: &ProtoConfig, me: NodeId) -> Node {
        assert!(me < cfg.nodes && cfg.nodes as usize <= MAX_NODES);
        assert!(1 <= cfg.n && cfg.n <= cfg.nodes, "1 <= N <= nodes");
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
            n: cfg.n,
            case: cfg.case,
            keys,
            pending: VecMap::new(),
            last_read: None,
            last_write: None,
        }
    }

    pub fn on_start(&mut self, _ctx: &mut Ctx) {}

    /// Whether this node is a replica of `key`.
    pub fn holds(&self, key: u8) -> bool {
        holds(self.nodes, self.n, self.me, key)
    }

    /// The nodes that hold at least one of `keys`.
    fn replicas(&self, keys: &[u8]) -> NodeSet {
        let mut set = NodeSet::new();
        for i in (0..self.nodes).filter(|i| keys.iter().any(|k| holds(self.nodes, self.n, *i, *k)))
        {
            set.insert(i);
        }
        set
    }

    /// The fewest members of `among` that any key of `keys` has among its replicas.
    fn least(&self, keys: &[u8], among: impl Iterator<Item = NodeId> + Clone) -> u8 {
        keys.iter()
            .map(|k| {
                let c = among
                    .clone()
                    .filter(|i| holds(self.nodes, self.n, *i, *k))
                    .count();
                u8::try_from(c).unwrap_or(u8::MAX)
            })
            .min()
            .unwrap_or(0)
    }

    /// The quorum sizes (R, W) for a request, clamped to 1..=N. `Strong` reads and `Quorum`
    /// writes raise them to a majority of the N replicas.
    fn quorums(&self, cfg: &ProtoConfig, req: &Request) -> (u8, u8) {
        let majority = self.n / 2 + 1;
        let r = match req.consistency {
            Consistency::Strong | Consistency::Quorum => cfg.r.max(majority),
            Consistency::Eventual => 1,
            _ => cfg.r,
        };
        let w = match req.consistency {
            Consistency::Quorum => cfg.w.max(majority),
            _ => cfg.w,
        };
        (r.clamp(1, self.n), w.clamp(1, self.n))
    }

    /// This node's versions of those of `keys` it is a replica of.
    fn local(&self, keys: &[u8]) -> Vals {
        keys.iter()
            .filter(|k| self.holds(**k))
            .map(|k| (*k, self.keys[*k as usize].clone()))
            .collect()
    }

    /// Stores `v` at key `k` if it is newer; returns true if it was stored.
    fn store(&mut self, k: u8, v: &Stored) -> bool {
        assert!(
            self.holds(k),
            "{} stores key {k}, not one of its keys",
            self.me
        );
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
        let asked = self.replicas(&keys);
        let local_only = keys.iter().all(|k| self.holds(*k));
        if !req.kind.is_update() && req.consistency == Consistency::Eventual && local_only {
            let (value, seen) = self.read_value(&req, &self.local(&keys));
            ctx.out.reply(op, Outcome::Ok, Some(value), seen);
            return;
        }
        let (r, w) = self.quorums(ctx.cfg, &req);
        let read_needed = if req.kind.is_update() { r.max(w) } else { r };
        for to in asked.iter().filter(|i| *i != self.me) {
            let mine: Vec<u8> = keys
                .iter()
                .copied()
                .filter(|k| holds(self.nodes, self.n, to, *k))
                .collect();
            ctx.out.send(to, wrap(Msg::Read { op, keys: mine }));
        }
        let mut replies = VecMap::new();
        if asked.contains(self.me) {
            replies.insert(self.me, self.local(&keys));
        }
        let pending = Pending {
            req,
            phase: Phase::Reading,
            replies,
            best: Vec::new(),
            read_needed,
            write_needed: w,
            asked,
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
        let keys = State::keys_of(self.case, &p.req);
        match &p.phase {
            Phase::Reading if self.least(&keys, p.replies.keys().copied()) >= p.read_needed => {
                self.last_read = Some((op, p.replies.keys().copied().collect()));
                self.finish_read(ctx, op)
            }
            Phase::Writing { acks } if self.least(&keys, acks.iter()) >= p.write_needed => {
                self.last_write = Some((op, acks.iter().collect()));
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
            if p.req.kind.is_update() || p.replies.len() == p.asked.len() {
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
        sort::sort(&mut best);
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

    /// Sends `best` to replica `i` (or stores it here), the keys `i` is a replica of only.
    fn repair(&mut self, ctx: &mut Ctx, i: NodeId, best: &Vals) {
        let vals = self.for_replica(i, best);
        if i == self.me {
            for (k, v) in &vals {
                self.store(*k, v);
            }
        } else {
            ctx.out.send(i, wrap(Msg::ReadRepair { vals }));
        }
    }

    /// The versions of `vals` whose key node `i` is a replica of.
    fn for_replica(&self, i: NodeId, vals: &Vals) -> Vals {
        vals.iter()
            .filter(|(k, _)| holds(self.nodes, self.n, i, *k))
            .cloned()
            .collect()
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
        assert_eq!(
            best.len(),
            {
                let mut keys = State::keys_of(self.case, &req);
                sort::sort(&mut keys);
                keys.dedup();
                keys.len()
            },
            "phase 1 read every key of the update"
        );
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
        for (k, v) in self.for_replica(self.me, &vals) {
            self.store(k, &v);
        }
        let Some(p) = self.pending.get_mut(&op) else {
            unreachable!("phase 2 of a request that is not pending")
        };
        let asked = p.asked;
        let mut acks = NodeSet::new();
        if asked.contains(self.me) {
            acks.insert(self.me);
        }
        p.phase = Phase::Writing { acks };
        for to in asked.iter().filter(|i| *i != self.me) {
            let mine = self.for_replica(to, &vals);
            ctx.out.send(to, wrap(Msg::Replicate { op, vals: mine }));
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
                let all = p.replies.len() == p.asked.len();
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
            let keys = State::keys_of(self.case, &p.req);
            let reason = Reason::NoQuorum {
                reached: self.least(&keys, p.replies.keys().copied()),
                needed: p.read_needed,
                total: self.n,
            };
            ctx.out
                .reply(op, Outcome::Refused(reason), None, OpSet::new());
        }
        // Phase 2 without W acks: no reply; the write may or may not survive (indeterminate).
    }

    pub fn on_crash(&mut self) {
        self.pending.clear();
        self.last_read = None;
        self.last_write = None;
    }

    /// Updates this node coordinates that have not gathered their W acks yet.
    pub fn pending_writes(&self) -> u32 {
        let open = |p: &&Pending| p.req.kind.is_update() && p.phase != Phase::Done;
        self.pending.values().filter(open).count() as u32
    }

    pub fn inside(&self) -> super::inside::QuorumInside {
        super::inside::QuorumInside {
            keys: (0..self.keys.len() as u8)
                .map(|k| self.holds(k).then(|| self.keys[usize::from(k)].clone()))
                .collect(),
            last_read: self.last_read.clone(),
            last_write: self.last_write.clone(),
            waiting: self.pending.len(),
        }
    }

    /// The local value of each key (cheap: no formatting).
    pub fn keys(&self) -> std::borrow::Cow<'_, [Value]> {
        self.keys.iter().map(|v| v.data.clone()).collect()
    }

    pub fn view(&self) -> NodeView {
        let version: Vec<String> = self
            .keys
            .iter()
            .enumerate()
            .map(|(k, v)| match v.version {
                _ if !self.holds(k as u8) => "—".to_string(),
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

    #[test]
    fn preference_lists_go_around_the_ring() {
        assert_eq!(preference_list(3, 2, 0), vec![0, 1]);
        assert_eq!(preference_list(3, 2, 1), vec![1, 2]);
        assert_eq!(preference_list(3, 2, 2), vec![2, 0]);
        assert_eq!(preference_list(5, 3, 4), vec![4, 0, 1]);
        for nodes in 1..=5u8 {
            for n in 1..=nodes {
                for key in 0..4u8 {
                    let list = preference_list(nodes, n, key);
                    assert_eq!(list.len(), usize::from(n));
                    for node in 0..nodes {
                        assert_eq!(holds(nodes, n, node, key), list.contains(&node));
                    }
                }
            }
        }
    }

    /// N = 2 of 3 nodes: x lives on n1 and n2. n3 coordinates requests for x without a copy:
    /// it asks n1 and n2 only and counts their answers; nobody ever sends x to n3.
    #[test]
    fn n2_of_3_the_third_node_coordinates_without_a_copy() {
        let mut cfg = ProtoConfig::new(Mode::Quorum, Conflict::Lww, Case::Register, 3);
        (cfg.n, cfg.r, cfg.w) = (2, 1, 2);
        let mut net = Net::new(cfg);
        let effects = net.direct(0, |n, ctx| n.on_request(ctx, 99, req(OpKind::Write, 0, 5)));
        let to: Vec<NodeId> = effects
            .iter()
            .filter_map(|e| match e {
                super::super::Effect::Send { to, .. } => Some(*to),
                _ => None,
            })
            .collect();
        assert_eq!(to, vec![1], "n1 asks the other replica only");
        for (i, at) in [2u8, 0, 2, 1].into_iter().enumerate() {
            let w = net.request(at, req(OpKind::Write, 0, i as i64 + 1));
            net.run(100);
            assert_eq!(net.outcome(w), Some(Outcome::Ok));
            let r = net.request(2, req(OpKind::Read, 0, 0));
            net.run(100);
            let (value, seen) = net.read_reply(r);
            assert_eq!(
                value,
                Value::Int(i as i64 + 1),
                "R = 1, W = N = 2: not stale"
            );
            assert!(seen.contains(w));
        }
        assert_eq!(local(&net, 0, 0), Value::Int(4));
        assert_eq!(local(&net, 1, 0), Value::Int(4));
        assert_eq!(local(&net, 2, 0), Value::Int(0), "n3 keeps no copy of x");
        // W = 2 needs both replicas: with n2 down a write is refused (phase 1 reached 1 of 2).
        net.crash(1);
        let w = net.request(2, req(OpKind::Write, 0, 9));
        net.run(1_000);
        let no = Reason::NoQuorum {
            reached: 1,
            needed: 2,
            total: 2,
        };
        assert_eq!(net.outcome(w), Some(Outcome::Refused(no)));
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
