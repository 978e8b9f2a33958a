//! Replication protocols as sans-IO state machines (in the style of stateright's actors).
//!
//! A node never touches a network, a clock or a global rng. The engine (`super::world`) calls
//! one handler per event with a [`Ctx`]; the handler updates the node's state and writes what it
//! wants to happen (sends, timers, replies to clients) into `ctx.out`. The engine decides when
//! and whether those effects happen (latency, cuts, crashes, pauses).
//!
//! Each protocol module exports `Node` and `Msg` with the same handler set, dispatched by the
//! [`Replica`] and [`Msg`] enums here.

pub mod ap;
pub mod ca;
pub mod cp;
pub mod inside;
pub mod nodeset;
pub mod quorum;
pub mod store;
#[cfg(test)]
pub(crate) mod testnet;
pub mod versioned;

use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::types::{
    Case, Conflict, Mode, MsgKind, NodeId, OpId, OpSet, Outcome, Request, Role, Tick, Value,
};

/// Protocol parameters, fixed for a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProtoConfig {
    pub mode: Mode,
    pub conflict: Conflict,
    pub case: Case,
    /// Number of nodes in the cluster (1..=MAX_NODES).
    pub nodes: u8,
    /// Quorum mode: replicas per key (1..=nodes; each key lives on its N-node preference list),
    /// read and write quorum sizes (1..=n).
    pub n: u8,
    pub r: u8,
    pub w: u8,
    /// Initial integer value of each key (bank balances).
    pub initial: Vec<i64>,
    /// CP: a follower that hears no leader for a time drawn from this range starts an election.
    pub election_timeout_ticks: (Tick, Tick),
    /// CP: leader heartbeat period.
    pub heartbeat_ticks: Tick,
    /// How long a coordinator waits for replicas before it gives up on a request.
    pub request_timeout_ticks: Tick,
    /// AP: period of anti-entropy syncs with peers.
    pub anti_entropy_ticks: Tick,
    /// AP: period of hinted-handoff retries.
    pub hint_retry_ticks: Tick,
    /// AP/LWW: each node's wall clock is `tick + clock_skew_ticks[node]` (may be negative).
    pub clock_skew_ticks: Vec<i64>,
}

/// The initial values of a case when a scenario names none: one per key (bank: 100 in checking).
pub fn default_initial(case: Case) -> Vec<i64> {
    match case {
        Case::Bank => vec![100, 0],
        _ => vec![0; case.keys().len()],
    }
}

impl ProtoConfig {
    /// Sensible defaults for `nodes` nodes.
    pub fn new(mode: Mode, conflict: Conflict, case: Case, nodes: u8) -> ProtoConfig {
        let majority = nodes / 2 + 1;
        ProtoConfig {
            mode,
            conflict,
            case,
            nodes,
            n: nodes,
            r: majority,
            w: majority,
            initial: default_initial(case),
            election_timeout_ticks: (300, 600),
            heartbeat_ticks: 100,
            request_timeout_ticks: 800,
            anti_entropy_ticks: 500,
            hint_retry_ticks: 400,
            clock_skew_ticks: vec![0; nodes as usize],
        }
    }

    pub fn majority(&self) -> u8 {
        self.nodes / 2 + 1
    }

    /// Whether `node` keeps a copy of `key`: in quorum mode only the key's N replicas (its
    /// preference list) do; in the other modes every node does (a CA proxy holds no data at all,
    /// see `Replica::holds_data`).
    pub fn holds(&self, node: NodeId, key: u8) -> bool {
        self.mode != Mode::Quorum || quorum::holds(self.nodes, self.n, node, key)
    }

    /// The nodes that keep a copy of `key`, in ring order from the key's first replica.
    pub fn replicas_of(&self, key: u8) -> Vec<NodeId> {
        if self.mode != Mode::Quorum {
            return (0..self.nodes).collect();
        }
        quorum::preference_list(self.nodes, self.n, key)
    }
}

/// Timers a node can set. Protocols use the variants they need.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Timer {
    /// CP: election timeout; `epoch` lets a node ignore timers it has since reset.
    Election { epoch: u64 },
    /// CP: leader heartbeat.
    Heartbeat,
    /// AP: anti-entropy round.
    AntiEntropy,
    /// AP: retry delivering hints.
    HintRetry,
    /// A coordinator's deadline for one client request.
    Deadline(OpId),
}

/// What a handler wants to happen.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Send `msg` to node `to` (the engine applies latency, loss and cuts).
    Send { to: NodeId, msg: Msg },
    /// Fire `timer` at this node `after` ticks from now (dropped if the node crashes first).
    SetTimer { after: Tick, timer: Timer },
    /// Answer the client that sent request `op` to this node. `seen` is the set of update ops the
    /// returned value reflects (reads), used for stale-read detection; empty for updates.
    Reply {
        op: OpId,
        outcome: Outcome,
        value: Option<Value>,
        seen: OpSet,
    },
}

/// The output buffer of one handler call.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Out {
    pub effects: Vec<Effect>,
}

impl Out {
    pub fn send(&mut self, to: NodeId, msg: Msg) {
        self.effects.push(Effect::Send { to, msg });
    }
    pub fn timer(&mut self, after: Tick, timer: Timer) {
        self.effects.push(Effect::SetTimer { after, timer });
    }
    pub fn reply(&mut self, op: OpId, outcome: Outcome, value: Option<Value>, seen: OpSet) {
        self.effects.push(Effect::Reply {
            op,
            outcome,
            value,
            seen,
        });
    }
}

/// What a handler may read and write besides its own state.
pub struct Ctx<'a> {
    pub now: Tick,
    pub me: NodeId,
    pub cfg: &'a ProtoConfig,
    /// The run's one seeded rng (deterministic: same seed, same draws).
    pub rng: &'a mut ChaCha8Rng,
    pub out: &'a mut Out,
}

/// What the UI and the checkers may see of a node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeView {
    pub role: Role,
    /// The node's local value of each key (what a local read would return, siblings included).
    pub keys: Vec<Value>,
    /// One short line on versions: "term 3 · log 5 · commit 5", "vc n1:2 n2:0 n3:1", "v7".
    pub version: String,
    /// Writes held for unreachable replicas (hinted handoff), if any.
    pub hints: u32,
}

/// A node of any mode.
#[derive(Clone, Debug)]
pub enum Replica {
    Ca(ca::Node),
    Cp(cp::Node),
    Ap(ap::Node),
    Quorum(quorum::Node),
}

/// A message of any mode.
#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    Ca(ca::Msg),
    Cp(cp::Msg),
    Ap(ap::Msg),
    Quorum(quorum::Msg),
}

impl Msg {
    pub fn kind(&self) -> MsgKind {
        match self {
            Msg::Ca(m) => m.kind(),
            Msg::Cp(m) => m.kind(),
            Msg::Ap(m) => m.kind(),
            Msg::Quorum(m) => m.kind(),
        }
    }
}

macro_rules! dispatch {
    ($self:expr, $n:ident => $body:expr) => {
        match $self {
            Replica::Ca($n) => $body,
            Replica::Cp($n) => $body,
            Replica::Ap($n) => $body,
            Replica::Quorum($n) => $body,
        }
    };
}

impl Replica {
    pub fn new(cfg: &ProtoConfig, me: NodeId) -> Replica {
        match cfg.mode {
            Mode::Ca => Replica::Ca(ca::Node::new(cfg, me)),
            Mode::Cp => Replica::Cp(cp::Node::new(cfg, me)),
            Mode::Ap => Replica::Ap(ap::Node::new(cfg, me)),
            Mode::Quorum => Replica::Quorum(quorum::Node::new(cfg, me)),
        }
    }
    /// Called once at tick 0 and after every recovery (set the first timers).
    pub fn on_start(&mut self, ctx: &mut Ctx) {
        dispatch!(self, n => n.on_start(ctx))
    }
    pub fn on_message(&mut self, ctx: &mut Ctx, from: NodeId, msg: Msg) {
        match (self, msg) {
            (Replica::Ca(n), Msg::Ca(m)) => n.on_message(ctx, from, m),
            (Replica::Cp(n), Msg::Cp(m)) => n.on_message(ctx, from, m),
            (Replica::Ap(n), Msg::Ap(m)) => n.on_message(ctx, from, m),
            (Replica::Quorum(n), Msg::Quorum(m)) => n.on_message(ctx, from, m),
            (r, m) => panic!("message of another mode: {m:?} for {:?}", r.view().role),
        }
    }
    pub fn on_timer(&mut self, ctx: &mut Ctx, timer: Timer) {
        dispatch!(self, n => n.on_timer(ctx, timer))
    }
    /// A client request arrives at this node.
    pub fn on_request(&mut self, ctx: &mut Ctx, op: OpId, req: Request) {
        dispatch!(self, n => n.on_request(ctx, op, req))
    }
    /// The node crashes: it keeps only what a real system keeps on disk.
    pub fn on_crash(&mut self) {
        dispatch!(self, n => n.on_crash())
    }
    pub fn view(&self) -> NodeView {
        dispatch!(self, n => n.view())
    }
    /// The node's local value of each key: `view().keys` without the cost of the rest.
    pub fn keys(&self) -> std::borrow::Cow<'_, [Value]> {
        dispatch!(self, n => n.keys())
    }
    /// Whether the node stores data (CA proxies do not).
    pub fn holds_data(&self) -> bool {
        match self {
            Replica::Ca(n) => n.holds_data(),
            _ => true,
        }
    }
    /// What the node's protocol holds, for a reader looking inside it.
    pub fn inside(&self) -> inside::Inside {
        match self {
            Replica::Ca(n) => inside::Inside::Ca {
                holds_data: n.holds_data(),
            },
            Replica::Cp(n) => inside::Inside::Cp(n.inside()),
            Replica::Ap(n) => inside::Inside::Ap(n.inside()),
            Replica::Quorum(n) => inside::Inside::Quorum(n.inside()),
        }
    }
    /// AP: the replicas this node holds hints for, each with how many (other modes: none).
    pub fn hint_targets(&self) -> Vec<(NodeId, u32)> {
        match self {
            Replica::Ap(n) => n.hint_targets(),
            _ => Vec::new(),
        }
    }
    /// Writes this node holds that are not settled yet: CP, client updates in its log past the
    /// commit index; AP and quorum, updates it coordinates that still wait for replicas' acks.
    pub fn pending_writes(&self) -> u32 {
        match self {
            Replica::Ca(_) => 0,
            Replica::Cp(n) => n.pending_writes(),
            Replica::Ap(n) => n.pending_writes(),
            Replica::Quorum(n) => n.pending_writes(),
        }
    }
    /// The update ops the node's current value of `key` reflects.
    pub fn seen(&self, key: u8) -> OpSet {
        dispatch!(self, n => n.seen(key))
    }
}
