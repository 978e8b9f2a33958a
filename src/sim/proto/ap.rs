//! AP: leaderless, always-writable replication (Dynamo / Riak style).
//!
//! Any replica accepts any update: it applies it to its local versioned value (see
//! [`super::versioned`]) and answers at once, then pushes the new version to every other replica.
//! Replicas that do not acknowledge in time get a hint (hinted handoff) retried until acked.
//! Reads answer from the local replica (fast, maybe stale) and repair the others in the
//! background; `Strong` reads wait for a majority. Anti-entropy syncs whole states with one peer
//! per period, so after faults heal and traffic stops, all replicas converge.
//!
//! Promises: a refusal only ever means `InsufficientFunds` on the local balance (nothing applied);
//! `Strong` reads and `Quorum` writes that miss a majority get no reply (a timeout) — a `Quorum`
//! write stays applied where it got, which is exactly why it is indeterminate.
//!
//! Per request: a read with `Strong` or `Quorum` waits for a majority (self included); any other
//! read answers locally. An update with `Quorum` is answered after a majority acked; any other
//! update is answered at once. Every request is answered or abandoned within
//! `request_timeout_ticks` of its arrival.

use crate::sim::model::State;
use crate::sim::types::{
    Consistency, MsgKind, NodeId, OpId, OpSet, Outcome, Request, Role, Value, MAX_KEYS, MAX_NODES,
};

use super::nodeset::NodeSet;
use super::versioned::{VStore, Versioned};
use super::{Ctx, NodeView, ProtoConfig, Timer};
use crate::sim::vecmap::VecMap;

/// At most one hint per (target replica, key): newer hints merge into older ones.
pub const MAX_HINTS: usize = MAX_NODES * MAX_KEYS;

/// Versions of some keys, as they travel.
pub type Vals = Vec<(u8, Versioned)>;

#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    /// A coordinator pushes the versions an update produced.
    Replicate {
        op: OpId,
        vals: Vals,
    },
    /// A replica acknowledges `Replicate { op }`.
    Ack {
        op: OpId,
    },
    /// Hinted handoff: versions held for this replica while it was unreachable.
    Hint {
        vals: Vals,
    },
    /// The answer to a hint: the versions the replica now holds (it covers the hint).
    HintAck {
        vals: Vals,
    },
    /// A coordinator asks for a replica's versions of `keys` (read, read repair).
    Read {
        op: OpId,
        keys: Vec<u8>,
    },
    ReadReply {
        op: OpId,
        vals: Vals,
    },
    /// Newer versions pushed to a replica that answered a read with older ones.
    ReadRepair {
        vals: Vals,
    },
    /// Anti-entropy: the sender's whole state; `answer` asks the receiver to sync back if the
    /// sender lacked something (a sync-back has `answer: false`, so it never ping-pongs).
    Sync {
        keys: Vec<Versioned>,
        answer: bool,
    },
}

impl Msg {
    pub fn kind(&self) -> MsgKind {
        match self {
            Msg::Replicate { .. } => MsgKind::Replicate,
            Msg::Ack { .. } | Msg::HintAck { .. } => MsgKind::Ack,
            Msg::Hint { .. } => MsgKind::Hint,
            Msg::Read { .. } => MsgKind::Read,
            Msg::ReadReply { .. } => MsgKind::ReadReply,
            Msg::ReadRepair { .. } => MsgKind::ReadRepair,
            Msg::Sync { .. } => MsgKind::Sync,
        }
    }
}

fn wrap(m: Msg) -> super::Msg {
    super::Msg::Ap(m)
}

/// A request this node coordinates (volatile: lost on a crash).
#[derive(Clone, Debug)]
enum Pending {
    /// An update applied locally and pushed; `acked` includes this node.
    Update {
        vals: Vals,
        acked: NodeSet,
        answered: bool,
    },
    /// A read; `replied` includes this node. Default reads are answered at once and only
    /// repair; strong reads are answered when `replied` reaches a majority.
    Read {
        req: Request,
        replied: NodeSet,
        answered: bool,
    },
}

#[derive(Clone, Debug)]
pub struct Node {
    me: NodeId,
    nodes: u8,
    /// The data (on disk: survives crashes).
    store: VStore,
    /// Hinted handoff, (target, key) → version to deliver (on disk: survives crashes).
    hints: VecMap<(NodeId, u8), Versioned>,
    /// Requests in progress (volatile).
    pending: VecMap<OpId, Pending>,
    /// Anti-entropy round counter, picks the next peer (volatile).
    sync_round: u64,
}

impl Node {
    pub fn new(cfg: &ProtoConfig, me: NodeId) -> Node {
        assert!(me < cfg.nodes && cfg.nodes as usize <= MAX_NODES);
        assert!(cfg.case.keys().len() <= MAX_KEYS);
        Node {
            me,
            nodes: cfg.nodes,
            store: VStore::new(cfg),
            hints: VecMap::new(),
            pending: VecMap::new(),
            sync_round: 0,
        }
    }

    fn others(&self) -> impl Iterator<Item = NodeId> + '_ {
        (0..self.nodes).filter(move |i| *i != self.me)
    }

    fn wall_clock(ctx: &Ctx) -> i64 {
        let skew = ctx
            .cfg
            .clock_skew_ticks
            .get(ctx.me as usize)
            .copied()
            .unwrap_or(0);
        (ctx.now as i64).saturating_add(skew)
    }

    pub fn on_start(&mut self, ctx: &mut Ctx) {
        ctx.out
            .timer(ctx.cfg.anti_entropy_ticks.max(1), Timer::AntiEntropy);
        ctx.out
            .timer(ctx.cfg.hint_retry_ticks.max(1), Timer::HintRetry);
    }

    pub fn on_request(&mut self, ctx: &mut Ctx, op: OpId, req: Request) {
        if req.kind.is_update() {
            self.update(ctx, op, req);
        } else {
            self.read(ctx, op, req);
        }
    }

    fn update(&mut self, ctx: &mut Ctx, op: OpId, req: Request) {
        let wall = Self::wall_clock(ctx);
        let keys = match self.store.update(self.me, wall, op, &req) {
            Ok(keys) => keys,
            Err(reason) => {
                ctx.out
                    .reply(op, Outcome::Refused(reason), None, OpSet::new());
                return;
            }
        };
        let vals = self.store.values(&keys);
        for to in self.others() {
            ctx.out.send(
                to,
                wrap(Msg::Replicate {
                    op,
                    vals: vals.clone(),
                }),
            );
        }
        let answered = req.consistency != Consistency::Quorum;
        if answered {
            ctx.out.reply(op, Outcome::Ok, None, OpSet::new());
        }
        let acked = NodeSet::of(self.me);
        self.pending.insert(
            op,
            Pending::Update {
                vals,
                acked,
                answered,
            },
        );
        ctx.out
            .timer(ctx.cfg.request_timeout_ticks, Timer::Deadline(op));
        self.check_update(ctx, op);
    }

    fn read(&mut self, ctx: &mut Ctx, op: OpId, req: Request) {
        let strong = matches!(req.consistency, Consistency::Strong | Consistency::Quorum);
        if !strong {
            let (value, seen) = self.store.read(&req);
            ctx.out.reply(op, Outcome::Ok, Some(value), seen);
        }
        let keys = State::keys_of(self.store.case, &req);
        for to in self.others() {
            ctx.out.send(
                to,
                wrap(Msg::Read {
                    op,
                    keys: keys.clone(),
                }),
            );
        }
        let replied = NodeSet::of(self.me);
        self.pending.insert(
            op,
            Pending::Read {
                req,
                replied,
                answered: !strong,
            },
        );
        ctx.out
            .timer(ctx.cfg.request_timeout_ticks, Timer::Deadline(op));
        self.check_read(ctx, op);
    }

    /// Answers a `Quorum` write once a majority holds it; forgets it once everyone does.
    fn check_update(&mut self, ctx: &mut Ctx, op: OpId) {
        let Some(Pending::Update {
            acked, answered, ..
        }) = self.pending.get_mut(&op)
        else {
            return;
        };
        if !*answered && acked.len() >= ctx.cfg.majority() as usize {
            *answered = true;
            ctx.out.reply(op, Outcome::Ok, None, OpSet::new());
        }
        if *answered && acked.len() == self.nodes as usize {
            self.pending.remove(&op);
        }
    }

    /// Answers a strong read once a majority (self included) has replied and been merged in.
    fn check_read(&mut self, ctx: &mut Ctx, op: OpId) {
        let Some(Pending::Read {
            req,
            replied,
            answered,
        }) = self.pending.get_mut(&op)
        else {
            return;
        };
        if !*answered && replied.len() >= ctx.cfg.majority() as usize {
            *answered = true;
            let (value, seen) = self.store.read(req);
            ctx.out.reply(op, Outcome::Ok, Some(value), seen);
        }
        if *answered && replied.len() == self.nodes as usize {
            self.pending.remove(&op);
        }
    }

    /// Merges `vals` into the local store; returns true if anything changed.
    fn merge_all(&mut self, vals: &Vals) -> bool {
        let mut changed = false;
        for (k, v) in vals {
            changed |= self.store.merge(*k, v);
        }
        changed
    }

    pub fn on_message(&mut self, ctx: &mut Ctx, from: NodeId, msg: Msg) {
        assert!(from < self.nodes && from != self.me);
        match msg {
            Msg::Replicate { op, vals } => {
                self.merge_all(&vals);
                ctx.out.send(from, wrap(Msg::Ack { op }));
            }
            Msg::Ack { op } => {
                if let Some(Pending::Update { acked, .. }) = self.pending.get_mut(&op) {
                    acked.insert(from);
                }
                self.check_update(ctx, op);
            }
            Msg::Hint { vals } => {
                self.merge_all(&vals);
                let keys: Vec<u8> = vals.iter().map(|(k, _)| *k).collect();
                let held = self.store.values(&keys);
                ctx.out.send(from, wrap(Msg::HintAck { vals: held }));
            }
            Msg::HintAck { vals } => {
                for (k, v) in vals {
                    let delivered = self.hints.get(&(from, k)).is_some_and(|h| v.covers(h));
                    if delivered {
                        self.hints.remove(&(from, k));
                    }
                }
            }
            Msg::Read { op, keys } => {
                let vals = self.store.values(&keys);
                ctx.out.send(from, wrap(Msg::ReadReply { op, vals }));
            }
            Msg::ReadReply { op, vals } => self.on_read_reply(ctx, from, op, vals),
            Msg::ReadRepair { vals } => {
                self.merge_all(&vals);
            }
            Msg::Sync { keys, answer } => self.on_sync(ctx, from, keys, answer),
        }
    }

    /// Merges a replier's versions in, repairs the replier if it was behind, and may answer a
    /// strong read.
    fn on_read_reply(&mut self, ctx: &mut Ctx, from: NodeId, op: OpId, vals: Vals) {
        self.merge_all(&vals);
        let behind = vals
            .iter()
            .any(|(k, v)| !v.covers(&self.store.keys[*k as usize]));
        if behind {
            let keys: Vec<u8> = vals.iter().map(|(k, _)| *k).collect();
            let vals = self.store.values(&keys);
            ctx.out.send(from, wrap(Msg::ReadRepair { vals }));
        }
        if let Some(Pending::Read { replied, .. }) = self.pending.get_mut(&op) {
            replied.insert(from);
        }
        self.check_read(ctx, op);
    }

    fn on_sync(&mut self, ctx: &mut Ctx, from: NodeId, keys: Vec<Versioned>, answer: bool) {
        assert_eq!(
            keys.len(),
            self.store.keys.len(),
            "a sync carries every key"
        );
        for (k, v) in keys.iter().enumerate() {
            self.store.merge(k as u8, v);
        }
        let sender_lacks = keys
            .iter()
            .zip(&self.store.keys)
            .any(|(theirs, mine)| theirs != mine);
        if answer && sender_lacks {
            let keys = self.store.keys.clone();
            ctx.out.send(
                from,
                wrap(Msg::Sync {
                    keys,
                    answer: false,
                }),
            );
        }
    }

    pub fn on_timer(&mut self, ctx: &mut Ctx, timer: Timer) {
        match timer {
            Timer::AntiEntropy => {
                if self.nodes > 1 {
                    let offset = 1 + (self.sync_round % (u64::from(self.nodes) - 1)) as u8;
                    let peer = (self.me + offset) % self.nodes;
                    self.sync_round += 1;
                    let keys = self.store.keys.clone();
                    ctx.out.send(peer, wrap(Msg::Sync { keys, answer: true }));
                }
                ctx.out
                    .timer(ctx.cfg.anti_entropy_ticks.max(1), Timer::AntiEntropy);
            }
            Timer::HintRetry => {
                let mut by_target: VecMap<NodeId, Vals> = VecMap::new();
                for ((target, k), v) in &self.hints {
                    by_target.get_or_default(*target).push((*k, v.clone()));
                }
                for (target, vals) in by_target {
                    ctx.out.send(target, wrap(Msg::Hint { vals }));
                }
                ctx.out
                    .timer(ctx.cfg.hint_retry_ticks.max(1), Timer::HintRetry);
            }
            Timer::Deadline(op) => self.on_deadline(op),
            Timer::Election { .. } | Timer::Heartbeat => {}
        }
    }

    /// A request's deadline: replicas that never acked an update get hints; an unanswered
    /// strong read or quorum write is abandoned (the client times out).
    fn on_deadline(&mut self, op: OpId) {
        let Some(Pending::Update { vals, acked, .. }) = self.pending.remove(&op) else {
            return;
        };
        let missing: Vec<NodeId> = self.others().filter(|i| !acked.contains(*i)).collect();
        for target in missing {
            for (k, v) in &vals {
                match self.hints.get_mut(&(target, *k)) {
                    Some(h) => h.merge(v),
                    None => {
                        self.hints.insert((target, *k), v.clone());
                    }
                }
            }
        }
        assert!(
            self.hints.len() <= MAX_HINTS,
            "hints are bounded by nodes × keys"
        );
    }

    pub fn on_crash(&mut self) {
        self.pending.clear();
        self.sync_round = 0;
    }

    /// The local value of each key (cheap: no formatting).
    pub fn keys(&self) -> std::borrow::Cow<'_, [Value]> {
        self.store.keys.iter().map(|v| v.read().0).collect()
    }

    pub fn view(&self) -> NodeView {
        let version: Vec<String> = self.store.keys.iter().map(Versioned::version).collect();
        NodeView {
            role: Role::Replica,
            keys: self.store.keys.iter().map(|v| v.read().0).collect(),
            version: version.join(" · "),
            hints: self.hints.len() as u32,
        }
    }

    /// Updates this node coordinates that some replica has not acknowledged yet.
    pub fn pending_writes(&self) -> u32 {
        let unacked = |p: &&Pending| match p {
            Pending::Update { acked, .. } => acked.len() < usize::from(self.nodes),
            Pending::Read { .. } => false,
        };
        self.pending.values().filter(unacked).count() as u32
    }

    pub fn inside(&self) -> super::inside::ApInside {
        super::inside::ApInside {
            keys: self.store.keys.clone(),
            hints: self
                .hints
                .iter()
                .map(|((to, key), v)| (*to, *key, v.clone()))
                .collect(),
            waiting: self.pending.len(),
        }
    }

    /// The replicas this node holds hints for, each with how many (one per key), in node order.
    pub fn hint_targets(&self) -> Vec<(NodeId, u32)> {
        let mut out: Vec<(NodeId, u32)> = Vec::new();
        for (target, _) in self.hints.keys() {
            match out.last_mut() {
                Some((t, n)) if t == target => *n += 1,
                _ => out.push((*target, 1)),
            }
        }
        out
    }

    pub fn seen(&self, key: u8) -> OpSet {
        self.store
            .keys
            .get(key as usize)
            .map(|v| v.read().1)
            .unwrap_or_default()
    }

    /// The local value of `key` (for tests and tools).
    pub fn value(&self, key: u8) -> Value {
        self.store.keys[key as usize].read().0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::proto::testnet::{req, Net};
    use crate::sim::proto::Replica;
    use crate::sim::types::{Case, Conflict, Mode, OpKind, Reason};

    fn net(conflict: Conflict, case: Case) -> Net {
        Net::new(ProtoConfig::new(Mode::Ap, conflict, case, 3))
    }

    fn ap(net: &Net, i: usize) -> &Node {
        match &net.nodes[i] {
            Replica::Ap(n) => n,
            _ => panic!("an AP node"),
        }
    }

    /// Likes at n1 (op 0) and n3 (op 1) while n3 is isolated, then heal and stay quiet.
    fn partitioned_likes(conflict: Conflict) -> Net {
        let mut net = net(conflict, Case::Feed);
        net.isolate(2);
        let a = net.request(0, req(OpKind::Like, 1, 0));
        net.run(10);
        let b = net.request(2, req(OpKind::Like, 1, 0));
        net.run(50);
        assert_eq!(
            net.outcome(a),
            Some(Outcome::Ok),
            "AP accepts on the majority side"
        );
        assert_eq!(
            net.outcome(b),
            Some(Outcome::Ok),
            "AP accepts on the minority side"
        );
        // n3's read is stale: it lacks n1's like.
        let r = net.request(2, req(OpKind::Read, 0, 0));
        let (value, seen) = net.read_reply(r);
        assert_eq!(
            value,
            Value::Feed {
                posts: vec![],
                likes: 1
            }
        );
        assert!(seen.contains(b) && !seen.contains(a), "n3 missed op {a}");
        assert!(!net.converged());
        net.heal();
        net.run(5_000);
        assert!(net.converged(), "replicas converge after heal and quiet");
        net
    }

    #[test]
    fn lww_loses_a_concurrent_like_after_heal() {
        let net = partitioned_likes(Conflict::Lww);
        assert_eq!(ap(&net, 0).value(1), Value::Int(1));
        let seen = ap(&net, 0).seen(1);
        assert_eq!(seen.len(), 1, "one of the two likes is lost: {seen:?}");
    }

    #[test]
    fn crdt_keeps_every_like_after_heal() {
        let net = partitioned_likes(Conflict::Crdt);
        for i in 0..3 {
            assert_eq!(ap(&net, i).value(1), Value::Int(2));
            assert_eq!(ap(&net, i).seen(1).len(), 2);
        }
    }

    #[test]
    fn vclock_shows_siblings_after_heal() {
        let net = partitioned_likes(Conflict::Vclock);
        assert_eq!(
            ap(&net, 1).value(1),
            Value::Siblings(vec![Value::Int(1), Value::Int(1)])
        );
        assert!(ap(&net, 1).view().version.contains('|'), "two clocks shown");
    }

    #[test]
    fn crdt_bank_overdrafts_under_partition() {
        let mut net = net(Conflict::Crdt, Case::Bank);
        net.isolate(2);
        let a = net.request(0, req(OpKind::Withdraw, 0, 80));
        let b = net.request(2, req(OpKind::Withdraw, 0, 80));
        net.run(20);
        assert_eq!(net.outcome(a), Some(Outcome::Ok));
        assert_eq!(
            net.outcome(b),
            Some(Outcome::Ok),
            "both sides saw 100 locally"
        );
        // A third withdrawal at n2 sees n1's withdrawal (replicated) and is refused.
        let c = net.request(1, req(OpKind::Withdraw, 0, 80));
        assert_eq!(
            net.outcome(c),
            Some(Outcome::Refused(Reason::InsufficientFunds { balance: 20 }))
        );
        net.heal();
        net.run(5_000);
        assert!(net.converged());
        assert_eq!(
            ap(&net, 0).value(0),
            Value::Int(-60),
            "the invariant is broken"
        );
    }

    #[test]
    fn hinted_handoff_delivers_a_held_write_on_heal() {
        let mut cfg = ProtoConfig::new(Mode::Ap, Conflict::Lww, Case::Register, 3);
        cfg.anti_entropy_ticks = 1_000_000; // only hints may deliver
        let mut net = Net::new(cfg);
        net.isolate(2);
        let w = net.request(0, req(OpKind::Write, 0, 42));
        net.run(1_000);
        assert_eq!(net.outcome(w), Some(Outcome::Ok));
        assert_eq!(ap(&net, 0).view().hints, 1, "n1 holds a hint for n3");
        assert_eq!(ap(&net, 0).hint_targets(), vec![(2, 1)], "for n3");
        assert_eq!(ap(&net, 2).value(0), Value::Int(0));
        net.crash(0);
        net.recover(0);
        assert_eq!(ap(&net, 0).view().hints, 1, "hints survive a crash");
        net.heal();
        net.run(1_000);
        assert_eq!(
            ap(&net, 0).view().hints,
            0,
            "the hint was acked and dropped"
        );
        assert_eq!(ap(&net, 2).value(0), Value::Int(42));
        assert!(ap(&net, 2).seen(0).contains(w));
        assert!(net.sent.get("hint").copied().unwrap_or(0) >= 1);
    }

    #[test]
    fn strong_reads_and_quorum_writes_need_a_majority() {
        let mut net = net(Conflict::Lww, Case::Register);
        let w = net.request(0, req(OpKind::Write, 0, 5));
        net.run(20);
        net.isolate(2);
        let strong = |mut r: Request, c| {
            r.consistency = c;
            r
        };
        let lonely_read = net.request(2, strong(req(OpKind::Read, 0, 0), Consistency::Strong));
        let lonely_write = net.request(2, strong(req(OpKind::Write, 0, 9), Consistency::Quorum));
        let read = net.request(0, strong(req(OpKind::Read, 0, 0), Consistency::Strong));
        assert_eq!(net.outcome(read), None, "waits for a majority");
        net.run(20);
        let (value, seen) = net.read_reply(read);
        assert_eq!(value, Value::Int(5));
        assert!(seen.contains(w));
        let write = net.request(1, strong(req(OpKind::Write, 0, 7), Consistency::Quorum));
        assert_eq!(net.outcome(write), None, "waits for a majority");
        net.run(2_000);
        assert_eq!(net.outcome(write), Some(Outcome::Ok));
        assert_eq!(
            net.outcome(lonely_read),
            None,
            "no majority: the client times out"
        );
        assert_eq!(
            net.outcome(lonely_write),
            None,
            "no majority: indeterminate"
        );
        assert_eq!(
            ap(&net, 2).value(0),
            Value::Int(9),
            "yet applied where it got"
        );
    }

    #[test]
    fn default_reads_repair_stale_replicas() {
        let mut cfg = ProtoConfig::new(Mode::Ap, Conflict::Lww, Case::Register, 3);
        cfg.anti_entropy_ticks = 1_000_000;
        cfg.hint_retry_ticks = 1_000_000;
        let mut net = Net::new(cfg);
        net.cut.insert((0, 2)); // n3 never gets the write directly
        let w = net.request(0, req(OpKind::Write, 0, 3));
        net.run(20);
        net.heal();
        let r = net.request(2, req(OpKind::Read, 0, 0));
        assert_eq!(net.read_reply(r).0, Value::Int(0), "stale local answer");
        net.run(20);
        assert!(
            ap(&net, 2).seen(0).contains(w),
            "read repair brought the write to n3"
        );
        assert!(net.converged());
    }

    #[test]
    fn lww_with_a_slow_clock_loses_the_later_write() {
        let mut cfg = ProtoConfig::new(Mode::Ap, Conflict::Lww, Case::Register, 3);
        cfg.clock_skew_ticks = vec![0, 0, -1_000];
        let mut net = Net::new(cfg);
        net.isolate(2);
        let first = net.request(0, req(OpKind::Write, 0, 1));
        net.run(100);
        let later = net.request(2, req(OpKind::Write, 0, 2));
        net.run(100);
        assert_eq!(ap(&net, 2).view().version, "t=-900@n3");
        net.heal();
        net.run(5_000);
        assert!(net.converged());
        assert_eq!(
            ap(&net, 2).value(0),
            Value::Int(1),
            "n3's stamp -900 < n1's 0"
        );
        assert!(ap(&net, 2).seen(0).contains(first) && !ap(&net, 2).seen(0).contains(later));
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Random likes, posts and reads at random nodes under random isolations and crashes:
        /// after everything heals and traffic stops, all replicas converge; with CRDTs no
        /// acknowledged like or post is lost.
        #[test]
        fn replicas_converge_after_faults_heal(
            conflict in prop::sample::select(vec![Conflict::Lww, Conflict::Vclock, Conflict::Crdt]),
            steps in prop::collection::vec((0u8..3, 0u8..6, 1u64..300), 1..40),
        ) {
            let mut net = net(conflict, Case::Feed);
            let mut updates = Vec::new();
            for (node, action, wait) in steps {
                match action {
                    0 | 1 => updates.push(net.request(node, req(OpKind::Like, 1, 0))),
                    2 => updates.push(net.request(node, req(OpKind::Post, 0, (wait % 7) as i64))),
                    3 => {
                        net.request(node, req(OpKind::Read, 0, 0));
                    }
                    4 => net.isolate(node),
                    _ if net.down.contains(&node) => net.recover(node),
                    _ => net.crash(node),
                }
                net.run(wait);
            }
            net.heal();
            for i in 0..3 {
                if net.down.contains(&i) {
                    net.recover(i);
                }
            }
            net.run(10_000);
            prop_assert!(net.converged());
            let ok: Vec<OpId> = updates
                .into_iter()
                .filter(|op| net.outcome(*op) == Some(Outcome::Ok))
                .collect();
            if conflict == Conflict::Crdt {
                let mut seen = ap(&net, 0).seen(0);
                seen.union_with(&ap(&net, 0).seen(1));
                prop_assert!(ok.iter().all(|op| seen.contains(*op)), "a CRDT lost an update");
            }
            for i in 0..3 {
                prop_assert_eq!(ap(&net, i).view().hints, 0, "every hint was delivered");
            }
        }
    }
}
