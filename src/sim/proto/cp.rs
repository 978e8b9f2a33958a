//! CP: leader-based majority replication in the style of Raft.
//!
//! What it promises: every update a client hears `Ok` for is in the log of a majority and will be
//! applied, in the same log position, by every replica (State Machine Safety); default and
//! `Strong` reads are linearizable (ReadIndex: the leader confirms with a majority that it still
//! leads, then answers once it has applied everything committed when the read arrived). The price
//! is availability: a node that cannot reach a majority refuses at once with
//! [`Reason::NoQuorum`], and a request whose fate it cannot confirm gets no answer at all (the
//! client times out). `Eventual` reads are served locally and may be stale.
//!
//! Simplifications of real Raft, all on the safe side:
//! - Pre-Vote (a round that does not bump the term) with leader stickiness, so an isolated node
//!   never inflates its term and never deposes a healthy leader when it comes back.
//! - Check-quorum: a leader that has not heard from a majority within the election timeout steps
//!   down, so the minority side shows no leader and refuses instead of hanging.
//! - Election-timeout backoff: each election timeout in a row that finds no leader doubles the
//!   high end of the next timeout's range (up to [`MAX_ELECTION_BACKOFF`] times), so candidates
//!   whose timeouts are close to the message delay stop colliding round after round.
//! - No snapshots, no membership changes; at most [`MAX_APPEND_ENTRIES`] entries per message.
//!
//! Persistent state (survives [`Raft::on_crash`]): `term`, `voted_for`, `log`. Everything else is
//! volatile; after a recovery the node re-learns the commit index from a leader and rebuilds its
//! state machine by re-applying the committed log from scratch.

use crate::sim::types::{Consistency, OpKind};
use crate::sim::types::{
    MsgKind, NodeId, OpId, OpSet, Outcome, Reason, Request, Role, Tick, Value,
};

use super::nodeset::NodeSet;
use super::store::Applied;
use super::{Ctx, NodeView, ProtoConfig, Timer};
use crate::sim::vecmap::VecMap;

mod election;
mod replication;
#[cfg(test)]
mod tests;

use replication::AppendArgs;

/// A Raft term.
pub type Term = u64;
/// A 1-based log position; 0 means "before the first entry".
pub type LogIndex = u64;

/// Most entries one AppendEntries message carries; a lagging follower catches up in batches.
pub const MAX_APPEND_ENTRIES: usize = 64;
/// How many times a node re-forwards a request after hearing "not the leader".
pub const MAX_FORWARD_ATTEMPTS: u8 = 3;
/// Most doublings of the election timeout's high end after elections that found no leader: a
/// node waits `lo..=hi << backoff` ticks, so the longest wait is `hi << MAX_ELECTION_BACKOFF`.
pub const MAX_ELECTION_BACKOFF: u8 = 3;

/// What a log entry asks the state machine to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// Appended by a new leader so that it commits an entry of its own term (Raft §5.4.2).
    Noop,
    /// A client update, applied in log order by every replica.
    Client { op: OpId, req: Request },
}

/// One log entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub term: Term,
    pub cmd: Command,
}

/// The leader's answer to a forwarded request.
#[derive(Clone, Debug, PartialEq)]
pub enum FwdResult {
    /// The request completed (or was refused with no effect); relay this to the client.
    Done {
        result: Result<Option<Value>, Reason>,
        seen: OpSet,
    },
    /// The receiver is not the leader and did nothing with the request.
    NotLeader,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    /// Pre-Vote: "would you vote for me in `term`?" Changes no term and no vote.
    PreVote {
        term: Term,
        last_index: LogIndex,
        last_term: Term,
    },
    /// The answer to a pre-vote; `term` echoes the proposed term.
    PreVoteReply { term: Term, granted: bool },
    /// RequestVote.
    Vote {
        term: Term,
        last_index: LogIndex,
        last_term: Term,
    },
    /// The answer to a vote request; `term` is the voter's current term.
    VoteReply { term: Term, granted: bool },
    /// AppendEntries (a heartbeat when `entries` is empty). `read_seq` numbers leadership
    /// confirmation rounds for ReadIndex.
    Append {
        term: Term,
        prev_index: LogIndex,
        prev_term: Term,
        entries: Vec<Entry>,
        commit: LogIndex,
        read_seq: u64,
    },
    /// A follower's answer: on success `index` is its match index, on failure a hint of where
    /// its log may agree with the leader's.
    AppendReply {
        term: Term,
        success: bool,
        index: LogIndex,
        read_seq: u64,
    },
    /// A client request forwarded to the leader.
    Forward { op: OpId, req: Request },
    /// The leader's answer to a forwarded request.
    ForwardReply { op: OpId, result: FwdResult },
}

impl Msg {
    pub fn kind(&self) -> MsgKind {
        match self {
            Msg::PreVote { .. } | Msg::Vote { .. } => MsgKind::Vote,
            Msg::PreVoteReply { .. } | Msg::VoteReply { .. } => MsgKind::VoteReply,
            Msg::Append { entries, .. } if entries.is_empty() => MsgKind::Heartbeat,
            Msg::Append { .. } => MsgKind::Replicate,
            Msg::AppendReply { .. } => MsgKind::Ack,
            Msg::Forward { .. } => MsgKind::Forward,
            Msg::ForwardReply { .. } => MsgKind::ForwardReply,
        }
    }
}

/// Who is waiting for the answer to a request a leader serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    /// A client attached to this node.
    Client,
    /// A node that forwarded the request on behalf of its client.
    Node(NodeId),
}

/// A linearizable read waiting at the leader (ReadIndex).
#[derive(Clone, Copy, Debug)]
struct PendingRead {
    op: OpId,
    req: Request,
    origin: Origin,
    /// Answer once `last_applied >= read_index`.
    read_index: LogIndex,
    /// ... and a majority acknowledged a heartbeat round numbered `>= read_seq`.
    read_seq: u64,
}

/// A request this node forwarded, kept to relay the answer or to re-route it.
#[derive(Clone, Copy, Debug)]
struct Forwarded {
    req: Request,
    attempts: u8,
}

/// A CP replica. The state lives behind a box so that [`super::Replica`] stays small.
#[derive(Clone, Debug)]
pub struct Node(Box<Raft>);

impl std::ops::Deref for Node {
    type Target = Raft;
    fn deref(&self) -> &Raft {
        &self.0
    }
}

impl std::ops::DerefMut for Node {
    fn deref_mut(&mut self) -> &mut Raft {
        &mut self.0
    }
}

impl Node {
    pub fn new(cfg: &ProtoConfig, me: NodeId) -> Node {
        Node(Box::new(Raft::new(cfg, me)))
    }
}

/// The state and handlers of one CP replica (reached through [`Node`]).
#[derive(Clone, Debug)]
pub struct Raft {
    me: NodeId,
    nodes: u8,
    majority: u8,
    /// Followers consider a leader alive (and reject pre-votes) for this long after hearing it.
    lease_ticks: Tick,
    /// A peer counts as reachable for this long after a message from it (NoQuorum, check-quorum).
    heard_window_ticks: Tick,
    election_timeout_ticks: (Tick, Tick),
    heartbeat_ticks: Tick,
    request_timeout_ticks: Tick,
    /// The state machine a freshly started replica has (rebuilt from it after a crash).
    initial: Applied,

    // Persistent.
    term: Term,
    voted_for: Option<NodeId>,
    log: Vec<Entry>,

    // Volatile.
    role: Role,
    leader: Option<NodeId>,
    leader_heard_at: Option<Tick>,
    last_heard: Vec<Option<Tick>>,
    started_at: Tick,
    leading_since: Tick,
    commit: LogIndex,
    last_applied: LogIndex,
    applied: Applied,
    /// Timer generation: an `Election` timer with another epoch is stale.
    election_epoch: u64,
    /// Election timeouts in a row that found no live leader (capped at
    /// [`MAX_ELECTION_BACKOFF`]); each widens the next timeout's range. 0 once a leader is heard.
    election_backoff: u8,
    heartbeat_armed: bool,
    /// Pre-vote round in progress: proposed term and who granted it (self included).
    prevote: Option<(Term, NodeSet)>,
    votes: NodeSet,
    // Leader only.
    next_index: Vec<LogIndex>,
    match_index: Vec<LogIndex>,
    /// Index of this leader's no-op entry: reads wait until it is applied.
    term_start: LogIndex,
    read_seq: u64,
    acked_seq: Vec<u64>,
    updates: VecMap<OpId, Origin>,
    reads: Vec<PendingRead>,
    // Any node.
    forwarded: VecMap<OpId, Forwarded>,
    /// Requests waiting for a leader to be known (an election is in progress).
    parked: VecMap<OpId, Request>,
}

fn outcome_of(result: &Result<Option<Value>, Reason>) -> (Outcome, Option<Value>) {
    match result {
        Ok(v) => (Outcome::Ok, v.clone()),
        Err(r) => (Outcome::Refused(*r), None),
    }
}

fn wire(m: Msg) -> super::Msg {
    super::Msg::Cp(m)
}

impl Raft {
    pub fn new(cfg: &ProtoConfig, me: NodeId) -> Raft {
        assert!(
            cfg.nodes >= 1 && me < cfg.nodes,
            "node {me} outside a cluster of {}",
            cfg.nodes
        );
        let (lo, hi) = cfg.election_timeout_ticks;
        let n = cfg.nodes as usize;
        let initial = Applied::new(cfg);
        Raft {
            me,
            nodes: cfg.nodes,
            majority: cfg.majority(),
            lease_ticks: lo.max(1),
            heard_window_ticks: hi.max(lo).max(1),
            election_timeout_ticks: (lo.max(1), hi.max(lo).max(1)),
            heartbeat_ticks: cfg.heartbeat_ticks.max(1),
            request_timeout_ticks: cfg.request_timeout_ticks.max(1),
            applied: initial.clone(),
            initial,
            term: 0,
            voted_for: None,
            log: Vec::new(),
            role: Role::Follower,
            leader: None,
            leader_heard_at: None,
            last_heard: vec![None; n],
            started_at: 0,
            leading_since: 0,
            commit: 0,
            last_applied: 0,
            election_epoch: 0,
            election_backoff: 0,
            heartbeat_armed: false,
            prevote: None,
            votes: NodeSet::new(),
            next_index: vec![1; n],
            match_index: vec![0; n],
            term_start: 0,
            read_seq: 0,
            acked_seq: vec![0; n],
            updates: VecMap::new(),
            reads: Vec::new(),
            forwarded: VecMap::new(),
            parked: VecMap::new(),
        }
    }

    // ----- Accessors (tests, checkers, UI) -----

    pub fn term(&self) -> Term {
        self.term
    }
    pub fn role(&self) -> Role {
        self.role
    }
    /// The leader this node believes in (itself when leading).
    pub fn leader(&self) -> Option<NodeId> {
        self.leader
    }
    pub fn commit_index(&self) -> LogIndex {
        self.commit
    }
    pub fn last_applied(&self) -> LogIndex {
        self.last_applied
    }
    pub fn log(&self) -> &[Entry] {
        &self.log
    }
    /// The replica's applied state machine.
    pub fn applied(&self) -> &Applied {
        &self.applied
    }

    // ----- Handlers -----

    /// Tick 0 and after every recovery: arm the election timer.
    pub fn on_start(&mut self, ctx: &mut Ctx) {
        self.started_at = ctx.now;
        self.reset_election_timer(ctx);
    }

    pub fn on_request(&mut self, ctx: &mut Ctx, op: OpId, req: Request) {
        if req.kind == OpKind::Read && req.consistency == Consistency::Eventual {
            let value = self.applied.state.read(&req);
            ctx.out
                .reply(op, Outcome::Ok, Some(value), self.applied.seen_by(&req));
            return;
        }
        ctx.out
            .timer(self.request_timeout_ticks, Timer::Deadline(op));
        self.route(ctx, op, req, 0);
    }

    pub fn on_message(&mut self, ctx: &mut Ctx, from: NodeId, msg: Msg) {
        if let Some(slot) = self.last_heard.get_mut(from as usize) {
            *slot = Some(ctx.now);
        }
        match msg {
            Msg::PreVote {
                term,
                last_index,
                last_term,
            } => self.on_prevote(ctx, from, term, last_index, last_term),
            Msg::PreVoteReply { term, granted } => self.on_prevote_reply(ctx, from, term, granted),
            Msg::Vote {
                term,
                last_index,
                last_term,
            } => self.on_vote(ctx, from, term, last_index, last_term),
            Msg::VoteReply { term, granted } => self.on_vote_reply(ctx, from, term, granted),
            Msg::Append {
                term,
                prev_index,
                prev_term,
                entries,
                commit,
                read_seq,
            } => {
                let a = AppendArgs {
                    term,
                    prev_index,
                    prev_term,
                    entries,
                    commit,
                    read_seq,
                };
                self.on_append(ctx, from, a)
            }
            Msg::AppendReply {
                term,
                success,
                index,
                read_seq,
            } => self.on_append_reply(ctx, from, term, success, index, read_seq),
            Msg::Forward { op, req } => self.on_forward(ctx, from, op, req),
            Msg::ForwardReply { op, result } => self.on_forward_reply(ctx, from, op, result),
        }
        self.check_invariants();
    }

    pub fn on_timer(&mut self, ctx: &mut Ctx, timer: Timer) {
        match timer {
            Timer::Election { epoch } if epoch == self.election_epoch => {
                self.on_election_timeout(ctx)
            }
            Timer::Election { .. } => {}
            Timer::Heartbeat => {
                self.heartbeat_armed = false;
                if self.role == Role::Leader {
                    self.on_heartbeat(ctx);
                }
            }
            Timer::Deadline(op) => {
                // Nobody waits any more: drop every trace, answer nothing (the client timed out).
                self.forwarded.remove(&op);
                self.parked.remove(&op);
                self.updates.remove(&op);
                self.reads.retain(|r| r.op != op);
            }
            Timer::AntiEntropy | Timer::HintRetry => {}
        }
        self.check_invariants();
    }

    /// Keeps term, vote and log (on disk); forgets everything else.
    pub fn on_crash(&mut self) {
        let n = self.nodes as usize;
        self.role = Role::Follower;
        self.leader = None;
        self.leader_heard_at = None;
        self.last_heard = vec![None; n];
        self.commit = 0;
        self.last_applied = 0;
        self.applied = self.initial.clone();
        self.heartbeat_armed = false;
        self.election_backoff = 0;
        self.prevote = None;
        self.votes.clear();
        self.next_index = vec![1; n];
        self.match_index = vec![0; n];
        self.term_start = 0;
        self.read_seq = 0;
        self.acked_seq = vec![0; n];
        self.updates.clear();
        self.reads.clear();
        self.forwarded.clear();
        self.parked.clear();
        // `election_epoch` is a timer generation, not state: keeping it monotonic makes any
        // timer that survived the crash stale.
        self.election_epoch += 1;
    }

    /// The applied state's keys (cheap: no formatting).
    pub fn keys(&self) -> std::borrow::Cow<'_, [Value]> {
        std::borrow::Cow::Borrowed(&self.applied.state.keys)
    }

    pub fn view(&self) -> NodeView {
        NodeView {
            role: self.role,
            keys: self.applied.state.keys.clone(),
            version: format!(
                "term {} · log {} · commit {}",
                self.term,
                self.log.len(),
                self.commit
            ),
            hints: 0,
        }
    }

    /// Client updates in this node's log past its commit index.
    pub fn pending_writes(&self) -> u32 {
        let from = usize::try_from(self.commit).unwrap_or(usize::MAX);
        let tail = self.log.get(from..).unwrap_or(&[]);
        tail.iter()
            .filter(|e| matches!(e.cmd, Command::Client { .. }))
            .count() as u32
    }

    pub fn inside(&self) -> super::inside::CpInside {
        let leading = self.role == Role::Leader;
        super::inside::CpInside {
            term: self.term,
            role: self.role,
            voted_for: self.voted_for,
            leader: self.leader,
            commit: self.commit,
            log_len: self.log.len() as LogIndex,
            log: super::inside::log_lines(&self.log, self.commit),
            peers: (0..self.nodes)
                .filter(|p| leading && *p != self.me)
                .map(|p| (p, self.match_index[usize::from(p)]))
                .collect(),
        }
    }

    pub fn seen(&self, key: u8) -> OpSet {
        self.applied
            .seen
            .get(key as usize)
            .cloned()
            .unwrap_or_default()
    }

    // ----- Reachability -----

    /// Nodes this node reaches: itself plus peers heard from within the heard window.
    fn reached(&self, now: Tick) -> u8 {
        let peers = (0..self.nodes)
            .filter(|&p| p != self.me)
            .filter(|&p| {
                self.last_heard[p as usize]
                    .is_some_and(|t| now.saturating_sub(t) < self.heard_window_ticks)
            })
            .count();
        1 + peers as u8
    }

    fn no_quorum(&self, now: Tick) -> Reason {
        Reason::NoQuorum {
            reached: self.reached(now),
            needed: self.majority,
            total: self.nodes,
        }
    }

    /// The leader this node can forward to: known and heard from within the lease.
    fn live_leader(&self, now: Tick) -> Option<NodeId> {
        match (self.leader, self.leader_heard_at) {
            (Some(l), _) if l == self.me && self.role == Role::Leader => Some(l),
            (Some(l), Some(t)) if l != self.me && now.saturating_sub(t) < self.lease_ticks => {
                Some(l)
            }
            _ => None,
        }
    }

    // ----- Client requests -----

    /// Serves, forwards, refuses or parks a request that arrived at (or came back to) this node.
    fn route(&mut self, ctx: &mut Ctx, op: OpId, req: Request, attempts: u8) {
        if self.role == Role::Leader {
            if self.reached(ctx.now) < self.majority {
                let reason = self.no_quorum(ctx.now);
                ctx.out
                    .reply(op, Outcome::Refused(reason), None, OpSet::new());
            } else {
                self.serve(ctx, op, req, Origin::Client);
            }
            return;
        }
        if let Some(l) = self.live_leader(ctx.now) {
            self.forwarded.insert(op, Forwarded { req, attempts });
            ctx.out.send(l, wire(Msg::Forward { op, req }));
            return;
        }
        // A node that just (re)started cannot know yet who is reachable.
        let settled = ctx.now.saturating_sub(self.started_at) >= 2 * self.heard_window_ticks;
        if settled && self.reached(ctx.now) < self.majority {
            let reason = self.no_quorum(ctx.now);
            ctx.out
                .reply(op, Outcome::Refused(reason), None, OpSet::new());
        } else {
            // A majority is reachable (or the node just started): a leader should emerge soon.
            self.parked.insert(op, req);
        }
    }

    /// Re-routes parked requests (a leader became known, or time passed).
    fn flush_parked(&mut self, ctx: &mut Ctx) {
        let parked = std::mem::take(&mut self.parked);
        for (op, req) in parked {
            self.route(ctx, op, req, 0);
        }
    }

    /// The leader takes a request: an update goes into the log, a read waits for ReadIndex.
    fn serve(&mut self, ctx: &mut Ctx, op: OpId, req: Request, origin: Origin) {
        assert_eq!(self.role, Role::Leader);
        if self.updates.contains_key(&op) || self.reads.iter().any(|r| r.op == op) {
            return; // A duplicate delivery: already in progress.
        }
        if origin != Origin::Client {
            ctx.out
                .timer(self.request_timeout_ticks, Timer::Deadline(op));
        }
        if req.kind.is_update() {
            self.updates.insert(op, origin);
            self.append_local(Command::Client { op, req });
            self.advance_commit(ctx);
            self.broadcast_append(ctx);
        } else {
            self.read_seq += 1;
            let read_index = self.commit.max(self.term_start);
            self.reads.push(PendingRead {
                op,
                req,
                origin,
                read_index,
                read_seq: self.read_seq,
            });
            self.broadcast_append(ctx);
            self.serve_reads(ctx);
        }
    }

    fn answer(
        &mut self,
        ctx: &mut Ctx,
        op: OpId,
        origin: Origin,
        result: Result<Option<Value>, Reason>,
        seen: OpSet,
    ) {
        match origin {
            Origin::Client => {
                let (o, v) = outcome_of(&result);
                ctx.out.reply(op, o, v, seen);
            }
            Origin::Node(n) => ctx.out.send(
                n,
                wire(Msg::ForwardReply {
                    op,
                    result: FwdResult::Done { result, seen },
                }),
            ),
        }
    }

    fn on_forward(&mut self, ctx: &mut Ctx, from: NodeId, op: OpId, req: Request) {
        if self.role != Role::Leader {
            ctx.out.send(
                from,
                wire(Msg::ForwardReply {
                    op,
                    result: FwdResult::NotLeader,
                }),
            );
        } else if self.reached(ctx.now) < self.majority {
            let result = Err(self.no_quorum(ctx.now));
            ctx.out.send(
                from,
                wire(Msg::ForwardReply {
                    op,
                    result: FwdResult::Done {
                        result,
                        seen: OpSet::new(),
                    },
                }),
            );
        } else {
            self.serve(ctx, op, req, Origin::Node(from));
        }
    }

    fn on_forward_reply(&mut self, ctx: &mut Ctx, from: NodeId, op: OpId, result: FwdResult) {
        let Some(fwd) = self.forwarded.remove(&op) else {
            return; // Not waiting (deadline passed or crashed since): the client timed out.
        };
        match result {
            FwdResult::Done { result, seen } => {
                let (o, v) = outcome_of(&result);
                ctx.out.reply(op, o, v, seen);
            }
            FwdResult::NotLeader => {
                if self.leader == Some(from) {
                    self.leader = None;
                }
                if fwd.attempts + 1 < MAX_FORWARD_ATTEMPTS {
                    self.route(ctx, op, fwd.req, fwd.attempts + 1);
                }
                // Otherwise give up silently: the client times out.
            }
        }
    }
}
