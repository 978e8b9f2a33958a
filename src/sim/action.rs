//! Everything a user, a scenario or a share link can make happen ([`Action`]), what one engine
//! step reports ([`StepInfo`]), and the engine's typed errors ([`SimError`]).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::types::{node_name, Case, ClientId, MsgKind, NodeId, OpId, OpKind, Request, Tick};
use crate::sim::sort;

/// One thing that can happen to a run, applied at the current tick.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Client `client` sends `req` to its node.
    Request { client: ClientId, req: Request },
    /// The node stops and loses its volatile state.
    Crash(NodeId),
    /// A crashed node starts again.
    Recover(NodeId),
    /// The node freezes; events for it wait.
    Pause(NodeId),
    /// A paused node continues; its waiting events are replayed in order.
    Resume(NodeId),
    /// Cut the link `from → to` (one way).
    Cut { from: NodeId, to: NodeId },
    /// Cut both directions between `a` and `b`.
    CutBoth { a: NodeId, b: NodeId },
    /// Restore both directions between `a` and `b`.
    Heal { a: NodeId, b: NodeId },
    /// Cut every link between different sides.
    Partition { sides: Vec<Vec<NodeId>> },
    /// Cut every link to and from the node.
    Isolate(NodeId),
    /// Restore every link.
    HealAll,
    /// Latency of both directions between `a` and `b`.
    SetLatency {
        a: NodeId,
        b: NodeId,
        base_ticks: Tick,
        jitter_ticks: Tick,
    },
    /// Loss probability (1/1000) of both directions between `a` and `b`.
    SetLoss {
        a: NodeId,
        b: NodeId,
        per_mille: u16,
    },
    /// Messages arriving on `from → to` wait until release.
    Hold { from: NodeId, to: NodeId },
    /// Deliver what a held link kept.
    Release { from: NodeId, to: NodeId },
    /// The message with this id (see [`Flight::id`]) dies now, wherever it is on its way.
    DropMessage(MsgId),
    /// The message with this id, still on the wire, arrives `ticks` later than it would.
    DelayMessage { id: MsgId, ticks: Tick },
}

/// A message's number in its run: the count of messages sent before it (so the same seed and
/// inputs give every message the same number).
pub type MsgId = u64;

/// Largest latency an action or scenario may set, in ticks.
pub const MAX_LATENCY_TICKS: Tick = 100_000;

impl Action {
    /// True for actions that end a fault (the convergence clock restarts at them).
    pub fn ends_fault(&self) -> bool {
        matches!(
            self,
            Action::Recover(_)
                | Action::Resume(_)
                | Action::Heal { .. }
                | Action::HealAll
                | Action::Release { .. }
        )
    }

    /// The nodes the action names.
    pub fn nodes(&self) -> Vec<NodeId> {
        match self {
            Action::Request { .. }
            | Action::HealAll
            | Action::DropMessage(_)
            | Action::DelayMessage { .. } => Vec::new(),
            Action::Crash(n)
            | Action::Recover(n)
            | Action::Pause(n)
            | Action::Resume(n)
            | Action::Isolate(n) => {
                vec![*n]
            }
            Action::Cut { from, to } | Action::Hold { from, to } | Action::Release { from, to } => {
                vec![*from, *to]
            }
            Action::CutBoth { a, b }
            | Action::Heal { a, b }
            | Action::SetLatency { a, b, .. }
            | Action::SetLoss { a, b, .. } => vec![*a, *b],
            Action::Partition { sides } => sides.iter().flatten().copied().collect(),
        }
    }

    /// Checks the action against a cluster of `nodes` nodes and `clients` clients running `case`.
    pub fn validate(&self, case: Case, nodes: u8, clients: usize) -> Result<(), SimError> {
        for n in self.nodes() {
            if n >= nodes {
                return Err(SimError::UnknownNode { node: n, nodes });
            }
        }
        match self {
            Action::Request { client, req } => {
                if usize::from(*client) >= clients {
                    return Err(SimError::UnknownClient {
                        client: *client,
                        clients,
                    });
                }
                validate_request(case, req)
            }
            Action::Partition { sides } => {
                let all = self.nodes();
                let mut sorted = all.clone();
                sort::sort(&mut sorted);
                sorted.dedup();
                if sorted.len() != all.len() || sides.len() > usize::from(nodes) {
                    return Err(SimError::BadAction(
                        "a partition lists each node on at most one side".into(),
                    ));
                }
                Ok(())
            }
            Action::SetLatency {
                base_ticks,
                jitter_ticks,
                ..
            } => {
                if *base_ticks > MAX_LATENCY_TICKS || *jitter_ticks > MAX_LATENCY_TICKS {
                    return Err(SimError::BadAction(format!(
                        "latency is at most {MAX_LATENCY_TICKS} ticks"
                    )));
                }
                Ok(())
            }
            Action::SetLoss { per_mille, .. } if *per_mille > 1000 => Err(SimError::BadAction(
                format!("loss {per_mille} is over 1000 per mille"),
            )),
            Action::DelayMessage { ticks, .. } if *ticks == 0 || *ticks > MAX_LATENCY_TICKS => Err(
                SimError::BadAction(format!("a delay is 1..={MAX_LATENCY_TICKS} ticks")),
            ),
            _ => Ok(()),
        }
    }
}

/// Checks that `req` is an operation of `case` on keys it has.
pub fn validate_request(case: Case, req: &Request) -> Result<(), SimError> {
    if !case.op_kinds().contains(&req.kind) {
        return Err(SimError::BadRequest(format!(
            "{} is not an operation of the {} case",
            req.kind.as_str(),
            case.as_str()
        )));
    }
    let keys = case.keys().len();
    let key2_used = req.kind == OpKind::Transfer;
    if usize::from(req.key) >= keys || (key2_used && usize::from(req.key2) >= keys) {
        return Err(SimError::BadRequest(format!(
            "the {} case has {} keys",
            case.as_str(),
            keys
        )));
    }
    if req.arg < 0 || req.arg > i64::from(u32::MAX) {
        return Err(SimError::BadRequest(format!(
            "argument {} is out of range 0..=4294967295",
            req.arg
        )));
    }
    if req.kind == OpKind::Transfer && req.key == req.key2 {
        return Err(SimError::BadRequest(
            "a transfer needs two different keys".into(),
        ));
    }
    Ok(())
}

/// Why a message died.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DropCause {
    /// The link was cut when it arrived.
    Cut,
    /// Lost (decided when it was sent).
    Loss,
    /// The receiver was crashed.
    Crashed,
    /// The reader dropped it ([`Action::DropMessage`]).
    Reader,
}

/// A message that died, for the UI's drop marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dropped {
    pub from: NodeId,
    pub to: NodeId,
    pub kind: MsgKind,
    pub sent: Tick,
    /// When it died.
    pub tick: Tick,
    pub cause: DropCause,
}

/// A message on the wire (or parked on a held link), for drawing it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flight {
    pub id: MsgId,
    pub from: NodeId,
    pub to: NodeId,
    pub kind: MsgKind,
    pub sent: Tick,
    /// When it arrives (for a held message: when it arrived at the held link).
    pub deliver: Tick,
    /// It will die on arrival: the link is cut now, or it was lost.
    pub doomed: bool,
    /// It waits on a held link.
    pub held: bool,
}

/// What one engine step did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepKind {
    /// A message reached its node and was handled.
    Delivered {
        from: NodeId,
        to: NodeId,
        kind: MsgKind,
    },
    /// A message died.
    Dropped(Dropped),
    /// A message arrived on a held link and waits.
    Parked {
        from: NodeId,
        to: NodeId,
        kind: MsgKind,
    },
    /// A node's timer fired.
    Timer { node: NodeId },
    /// A timer of an older incarnation or of a crashed node was ignored.
    StaleTimer { node: NodeId },
    /// A client request reached its node.
    Arrived { op: OpId, node: NodeId },
    /// A client request reached a crashed node and was lost.
    ArrivedAtCrashed { op: OpId, node: NodeId },
    /// An event for a paused node was put aside until it resumes.
    Deferred { node: NodeId },
    /// A reply reached its client (`late`: the op had already timed out, the reply is ignored).
    Replied { op: OpId, late: bool },
    /// A client gave up on an op.
    TimedOut { op: OpId },
    /// A client's timeout for an op that had already completed.
    TimeoutIgnored { op: OpId },
    /// A scheduled action ran (`skipped`: it could not, e.g. the client was busy).
    Action { action: Action, skipped: bool },
    /// The run stopped on this error (e.g. too many messages in flight).
    Stopped(SimError),
}

/// One processed event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepInfo {
    pub tick: Tick,
    pub kind: StepKind,
}

/// Why the engine refused an input or stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SimError {
    /// More than `limit` messages would be in flight.
    TooManyInFlight {
        limit: usize,
    },
    /// More than `limit` events would be queued.
    QueueFull {
        limit: usize,
    },
    /// The run processed `limit` events (its budget) at tick `tick` and stopped.
    EventBudget {
        limit: u64,
        tick: Tick,
    },
    /// The client already waits for op `op`.
    ClientBusy {
        client: ClientId,
        op: OpId,
    },
    UnknownNode {
        node: NodeId,
        nodes: u8,
    },
    UnknownClient {
        client: ClientId,
        clients: usize,
    },
    /// The history already holds `limit` ops.
    TooManyOps {
        limit: usize,
    },
    /// A request that the case cannot run.
    BadRequest(String),
    /// An action that cannot apply.
    BadAction(String),
    /// A time in the past or beyond the run's end.
    BadTick {
        tick: Tick,
        now: Tick,
        end_tick: Tick,
    },
    /// A configuration out of its limits.
    Config(String),
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::TooManyInFlight { limit } => {
                write!(f, "too many messages in flight (limit {limit})")
            }
            SimError::QueueFull { limit } => write!(f, "too many pending events (limit {limit})"),
            SimError::EventBudget { limit, tick } => write!(
                f,
                "the run stopped at tick {tick}: it used its budget of {limit} events"
            ),
            SimError::ClientBusy { client, op } => {
                write!(f, "client {client} is busy with op {op}")
            }
            SimError::UnknownNode { node, nodes } => {
                write!(
                    f,
                    "unknown node {} (the cluster has {nodes} nodes)",
                    node_name(*node)
                )
            }
            SimError::UnknownClient { client, clients } => {
                write!(f, "unknown client {client} (there are {clients} clients)")
            }
            SimError::TooManyOps { limit } => write!(f, "too many operations (limit {limit})"),
            SimError::BadRequest(s) => write!(f, "bad request: {s}"),
            SimError::BadAction(s) => write!(f, "bad action: {s}"),
            SimError::BadTick {
                tick,
                now,
                end_tick,
            } => {
                write!(
                    f,
                    "tick {tick} is outside the run (now {now}, end {end_tick})"
                )
            }
            SimError::Config(s) => write!(f, "bad configuration: {s}"),
        }
    }
}

impl std::error::Error for SimError {}
