//! A tiny deterministic network for protocol tests (not the engine): messages take a latency
//! drawn from a seeded rng in a fixed range, cut links drop messages (when sent and when they
//! arrive), crashed nodes drop everything, timers live in a queue ordered by (tick, sequence).
//! Handlers are called through `Ctx`/`Out` as the engine calls them, and a [`Watch`] sees the
//! cluster after every handler call (e.g. to assert Raft's safety invariants).

use std::collections::{BTreeMap, BTreeSet};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::sim::types::{Consistency, NodeId, OpId, OpKind, OpSet, Outcome, Request, Tick, Value};

use super::{Ctx, Effect, Msg, Out, ProtoConfig, Replica, Timer};

enum Event {
    Deliver {
        from: NodeId,
        to: NodeId,
        msg: Msg,
    },
    /// A timer of `node`, set during its life number `life` (timers die with a crash).
    Timer {
        node: NodeId,
        life: u64,
        timer: Timer,
    },
}

/// Looks at every node after each handler call; the place for cluster-wide invariants.
pub trait Watch {
    fn after_call(&mut self, nodes: &[Replica], cfg: &ProtoConfig);
}

/// Watches nothing.
impl Watch for () {
    fn after_call(&mut self, _: &[Replica], _: &ProtoConfig) {}
}

/// One client reply: outcome, value, seen ops, and the tick it arrived.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    pub outcome: Outcome,
    pub value: Option<Value>,
    pub seen: OpSet,
    pub at: Tick,
}

pub struct Net<W: Watch = ()> {
    pub cfg: ProtoConfig,
    pub nodes: Vec<Replica>,
    pub now: Tick,
    /// Every message takes between `latency.0` and `latency.1` ticks (inclusive).
    pub latency: (Tick, Tick),
    /// Directed links that drop messages.
    pub cut: BTreeSet<(NodeId, NodeId)>,
    pub down: BTreeSet<NodeId>,
    /// Every reply, by op; a second reply to one op fails the test.
    pub replies: BTreeMap<OpId, Reply>,
    /// Messages sent, by kind name (to assert traffic happened).
    pub sent: BTreeMap<&'static str, u32>,
    /// When each op was requested.
    pub invoked_at: BTreeMap<OpId, Tick>,
    pub watch: W,
    lives: Vec<u64>,
    queue: BTreeMap<(Tick, u64), Event>,
    seq: u64,
    next_op: OpId,
    pub rng: ChaCha8Rng,
    net_rng: ChaCha8Rng,
}

pub fn req(kind: OpKind, key: u8, arg: i64) -> Request {
    Request {
        kind,
        key,
        key2: 1,
        arg,
        consistency: Consistency::Default,
    }
}

impl Net {
    /// Seed 7, every message 5 ticks, no watch.
    pub fn new(cfg: ProtoConfig) -> Net {
        Net::with(cfg, 7, (5, 5), ())
    }
}

impl<W: Watch> Net<W> {
    /// Nodes draw from an rng seeded with `seed`, the network from another one.
    pub fn with(cfg: ProtoConfig, seed: u64, latency: (Tick, Tick), watch: W) -> Net<W> {
        assert!(
            latency.0 >= 1 && latency.0 <= latency.1,
            "bad latency {latency:?}"
        );
        let nodes = (0..cfg.nodes).map(|i| Replica::new(&cfg, i)).collect();
        let mut net = Net {
            nodes,
            now: 0,
            latency,
            cut: BTreeSet::new(),
            down: BTreeSet::new(),
            replies: BTreeMap::new(),
            sent: BTreeMap::new(),
            invoked_at: BTreeMap::new(),
            watch,
            lives: vec![0; cfg.nodes as usize],
            queue: BTreeMap::new(),
            seq: 0,
            next_op: 0,
            rng: ChaCha8Rng::seed_from_u64(seed),
            net_rng: ChaCha8Rng::seed_from_u64(seed ^ 0x5eed),
            cfg,
        };
        for i in 0..net.cfg.nodes {
            net.call(i, |n, ctx| n.on_start(ctx));
        }
        net
    }

    fn push(&mut self, at: Tick, ev: Event) {
        self.seq += 1;
        self.queue.insert((at, self.seq), ev);
    }

    /// Runs one handler of node `i` outside the network and returns its effects (they are not
    /// carried out: the test inspects them).
    pub fn direct(&mut self, i: NodeId, f: impl FnOnce(&mut Replica, &mut Ctx)) -> Vec<Effect> {
        let mut out = Out::default();
        let mut ctx = Ctx {
            now: self.now,
            me: i,
            cfg: &self.cfg,
            rng: &mut self.rng,
            out: &mut out,
        };
        f(&mut self.nodes[i as usize], &mut ctx);
        out.effects
    }

    /// Runs one handler of node `i`, turns its effects into events, then lets the watch look.
    fn call(&mut self, i: NodeId, f: impl FnOnce(&mut Replica, &mut Ctx)) {
        for e in self.direct(i, f) {
            match e {
                Effect::Send { to, msg } => {
                    assert_ne!(to, i, "a node never sends to itself");
                    *self.sent.entry(msg.kind().as_str()).or_default() += 1;
                    if !self.cut.contains(&(i, to)) {
                        let delay = self.net_rng.random_range(self.latency.0..=self.latency.1);
                        self.push(self.now + delay, Event::Deliver { from: i, to, msg });
                    }
                }
                Effect::SetTimer { after, timer } => {
                    let life = self.lives[i as usize];
                    self.push(
                        self.now + after,
                        Event::Timer {
                            node: i,
                            life,
                            timer,
                        },
                    );
                }
                Effect::Reply {
                    op,
                    outcome,
                    value,
                    seen,
                } => {
                    let r = Reply {
                        outcome,
                        value,
                        seen,
                        at: self.now,
                    };
                    assert!(
                        self.replies.insert(op, r).is_none(),
                        "op {op} answered twice"
                    );
                }
            }
        }
        self.watch.after_call(&self.nodes, &self.cfg);
    }

    /// A client at node `i` sends `req` now; returns its op id.
    pub fn request(&mut self, i: NodeId, req: Request) -> OpId {
        let op = self.next_op;
        self.next_op += 1;
        self.invoked_at.insert(op, self.now);
        if !self.down.contains(&i) {
            self.call(i, |n, ctx| n.on_request(ctx, op, req));
        }
        op
    }

    /// Processes every event up to `now + ticks`, in (tick, sequence) order.
    pub fn run(&mut self, ticks: Tick) {
        self.run_until(self.now + ticks);
    }

    /// Processes every event up to tick `end`, in (tick, sequence) order.
    pub fn run_until(&mut self, end: Tick) {
        while let Some(entry) = self.queue.first_entry() {
            if entry.key().0 > end {
                break;
            }
            let ((at, _), ev) = entry.remove_entry();
            self.now = at;
            match ev {
                Event::Deliver { from, to, msg } => {
                    if !self.down.contains(&to) && !self.cut.contains(&(from, to)) {
                        self.call(to, |n, ctx| n.on_message(ctx, from, msg));
                    }
                }
                Event::Timer { node, life, timer } => {
                    if !self.down.contains(&node) && self.lives[node as usize] == life {
                        self.call(node, |n, ctx| n.on_timer(ctx, timer));
                    }
                }
            }
        }
        self.now = end;
    }

    /// Cuts every link between `i` and the other nodes, both ways.
    pub fn isolate(&mut self, i: NodeId) {
        for j in (0..self.cfg.nodes).filter(|j| *j != i) {
            self.cut.insert((i, j));
            self.cut.insert((j, i));
        }
    }

    pub fn heal(&mut self) {
        self.cut.clear();
    }

    pub fn crash(&mut self, i: NodeId) {
        self.nodes[i as usize].on_crash();
        self.down.insert(i);
        self.lives[i as usize] += 1;
    }

    pub fn is_up(&self, i: NodeId) -> bool {
        !self.down.contains(&i)
    }

    pub fn recover(&mut self, i: NodeId) {
        self.down.remove(&i);
        self.call(i, |n, ctx| n.on_start(ctx));
    }

    pub fn outcome(&self, op: OpId) -> Option<Outcome> {
        self.replies.get(&op).map(|r| r.outcome)
    }

    /// The reply to read `op`: its value and seen set (panics if it was not answered Ok).
    pub fn read_reply(&self, op: OpId) -> (Value, OpSet) {
        let r = self
            .replies
            .get(&op)
            .unwrap_or_else(|| panic!("op {op} unanswered"));
        assert_eq!(r.outcome, Outcome::Ok, "read {op} not ok");
        (
            r.value.clone().expect("a read returns a value"),
            r.seen.clone(),
        )
    }

    /// True if every up node shows the same keys and versions.
    pub fn converged(&self) -> bool {
        let views: Vec<_> = self
            .nodes
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.down.contains(&(*i as NodeId)))
            .map(|(_, n)| {
                let v = n.view();
                (v.keys, v.version)
            })
            .collect();
        views.windows(2).all(|w| w[0] == w[1])
    }
}
