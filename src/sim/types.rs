//! The shared vocabulary of the simulation: identifiers, limits, operations, outcomes, values.
//!
//! Everything here is plain data (serde, fixed-width integers), so it can be serialized into
//! scenarios, share links, reports and exported histories without loss.

use serde::{Deserialize, Serialize};

/// Logical time. 1 tick = 1 simulated millisecond.
pub type Tick = u64;
/// A node's index: 0-based; shown to people as `n1`, `n2`, …
pub type NodeId = u8;
/// A client's index: 0-based.
pub type ClientId = u8;
/// An operation's id: its index in the history.
pub type OpId = u32;

/// Hard limits. Every input is checked against these before the simulation starts.
pub const MAX_NODES: usize = 9;
pub const MAX_CLIENTS: usize = 18;
pub const MAX_OPS: usize = 10_000;
pub const MAX_TICKS: Tick = 1_000_000;
pub const MAX_INPUT_BYTES: usize = 256 * 1024;
pub const MAX_KEYS: usize = 4;
/// Messages in flight at once; a run that exceeds it stops with an error, never grows unbounded.
pub const MAX_IN_FLIGHT: usize = 20_000;
/// Events one run may process. Scenario validation estimates a run's events from its dials and
/// refuses one that would need more; the engine stops with `SimError::EventBudget` if a run
/// (retries, user input) gets there anyway. At this budget the heaviest runs inside the other
/// limits take a few seconds natively (see BENCHMARKS.md, "Bounded work").
pub const MAX_EVENTS: u64 = 1_000_000;

/// The name people see for a node: `n1` for index 0.
pub fn node_name(id: NodeId) -> String {
    format!("n{}", u32::from(id) + 1)
}

/// Replication mode: each is a real protocol (see `src/sim/proto/`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// One node holds the data, the others only forward to it.
    Ca,
    /// Leader-based majority replication (Raft style).
    Cp,
    /// Leaderless, always-writable replication (Dynamo style).
    Ap,
    /// Strict N/R/W quorums.
    Quorum,
}

impl Mode {
    pub const ALL: [Mode; 4] = [Mode::Ca, Mode::Cp, Mode::Ap, Mode::Quorum];
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Ca => "ca",
            Mode::Cp => "cp",
            Mode::Ap => "ap",
            Mode::Quorum => "quorum",
        }
    }
    pub fn parse(s: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// How AP replicas resolve concurrent updates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Conflict {
    /// Last writer wins, by (wall-clock timestamp with skew, node id).
    Lww,
    /// Vector clocks: concurrent versions are kept as siblings.
    Vclock,
    /// CRDTs: PN-counter for numbers, add-wins set for posts.
    Crdt,
}

impl Conflict {
    pub const ALL: [Conflict; 3] = [Conflict::Lww, Conflict::Vclock, Conflict::Crdt];
    pub fn as_str(self) -> &'static str {
        match self {
            Conflict::Lww => "lww",
            Conflict::Vclock => "vclock",
            Conflict::Crdt => "crdt",
        }
    }
    pub fn parse(s: &str) -> Option<Conflict> {
        Conflict::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// The application running on the cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Case {
    /// Accounts with integer balances that must never go negative.
    Bank,
    /// Posts (a set) and likes (a counter).
    Feed,
    /// One read/write register `x`.
    Register,
}

impl Case {
    pub fn as_str(self) -> &'static str {
        match self {
            Case::Bank => "bank",
            Case::Feed => "feed",
            Case::Register => "register",
        }
    }
    /// The keys this case stores, by index.
    pub fn keys(self) -> &'static [&'static str] {
        match self {
            Case::Bank => &["checking", "savings"],
            Case::Feed => &["posts", "likes"],
            Case::Register => &["x"],
        }
    }
    /// What type of data each key holds.
    pub fn key_type(self, key: u8) -> KeyType {
        match (self, key) {
            (Case::Feed, 0) => KeyType::Set,
            (Case::Feed, _) | (Case::Bank, _) => KeyType::Counter,
            (Case::Register, _) => KeyType::Register,
        }
    }
    /// The operations a client of this case can send.
    pub fn op_kinds(self) -> &'static [OpKind] {
        match self {
            Case::Bank => &[
                OpKind::Deposit,
                OpKind::Withdraw,
                OpKind::Transfer,
                OpKind::Read,
            ],
            Case::Feed => &[OpKind::Post, OpKind::Like, OpKind::Read],
            Case::Register => &[OpKind::Write, OpKind::Read],
        }
    }
}

/// The data type behind a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    /// An integer that is overwritten (`write`).
    Register,
    /// An integer changed by deltas (balance, likes).
    Counter,
    /// A grow-only / add-wins set of post ids.
    Set,
}

/// What a client asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OpKind {
    /// Read `key` (feed: reads posts and likes together).
    Read,
    /// Register: set `key` to `arg`.
    Write,
    /// Bank: add `arg` to `key`.
    Deposit,
    /// Bank: subtract `arg` from `key` if the balance the serving replica sees suffices.
    Withdraw,
    /// Bank: move `arg` from `key` to `key2` if funds suffice.
    Transfer,
    /// Feed: add post id `arg` to the posts set.
    Post,
    /// Feed: add one like.
    Like,
}

impl OpKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OpKind::Read => "read",
            OpKind::Write => "write",
            OpKind::Deposit => "deposit",
            OpKind::Withdraw => "withdraw",
            OpKind::Transfer => "transfer",
            OpKind::Post => "post",
            OpKind::Like => "like",
        }
    }
    /// Every kind, in the order of their codes (share links number them so).
    pub const ALL: [OpKind; 7] = [
        OpKind::Read,
        OpKind::Write,
        OpKind::Deposit,
        OpKind::Withdraw,
        OpKind::Transfer,
        OpKind::Post,
        OpKind::Like,
    ];
    pub fn parse(s: &str) -> Option<OpKind> {
        OpKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
    /// True for every kind that changes data.
    pub fn is_update(self) -> bool {
        !matches!(self, OpKind::Read)
    }
}

/// Per-request consistency, as a client can ask for it.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Consistency {
    /// Whatever the mode does by default.
    #[default]
    Default,
    /// Read: linearizable (CP: read-index at the leader; AP/quorum: a majority).
    Strong,
    /// Read: the local replica's value, fast and possibly stale.
    Eventual,
    /// Write: acknowledged only after a majority of replicas has it.
    Quorum,
}

/// A request as the client sends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub kind: OpKind,
    /// Key index into `Case::keys()`.
    pub key: u8,
    /// Second key (transfer destination); equal to `key` otherwise.
    pub key2: u8,
    /// Amount, written value or post id; 0 for reads and likes.
    pub arg: i64,
    #[serde(default)]
    pub consistency: Consistency,
}

impl Request {
    /// A request on key 0 with no second key: what a client button or a scripted lesson request
    /// sends (the protocols map each kind to the keys it touches).
    pub fn simple(kind: OpKind, arg: i64, consistency: Consistency) -> Request {
        Request {
            kind,
            key: 0,
            key2: 0,
            arg,
            consistency,
        }
    }
}

/// Why a request was refused. A refusal means the request had no effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum Reason {
    /// The serving node reaches `reached` replicas (itself included if it is one) of `total`; it
    /// needs `needed`. Quorum mode: the replicas of the request's key (the fewest of any key).
    NoQuorum { reached: u8, needed: u8, total: u8 },
    /// The withdrawal exceeds the balance the serving replica saw.
    InsufficientFunds { balance: i64 },
}

impl Reason {
    /// A stable slug for tests and `data-reason`.
    pub fn slug(self) -> &'static str {
        match self {
            Reason::NoQuorum { .. } => "no-quorum",
            Reason::InsufficientFunds { .. } => "insufficient-funds",
        }
    }
    /// One plain sentence for people, e.g. "no quorum: n3 reaches 1 of 3 replicas".
    pub fn describe(self, node: NodeId) -> String {
        match self {
            Reason::NoQuorum {
                reached,
                needed,
                total,
            } => format!(
                "no quorum: {} reaches {} of {} replicas (needs {})",
                node_name(node),
                reached,
                total,
                needed
            ),
            Reason::InsufficientFunds { balance } => {
                format!(
                    "insufficient funds: {} saw a balance of {}",
                    node_name(node),
                    balance
                )
            }
        }
    }
}

/// How an operation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "lowercase")]
pub enum Outcome {
    Ok,
    Refused(Reason),
    /// The client gave up waiting. The operation may or may not have taken effect.
    Timeout,
}

impl Outcome {
    pub fn slug(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Refused(_) => "refused",
            Outcome::Timeout => "timeout",
        }
    }
}

/// A value returned by a read (or stored in a key).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    /// A register or counter.
    Int(i64),
    /// Post ids, sorted, no duplicates.
    Set(Vec<u32>),
    /// A feed read: posts and like count together.
    Feed { posts: Vec<u32>, likes: i64 },
    /// Concurrent versions kept side by side (vector clocks), sorted.
    /// Serialized as `{"siblings": [...]}` so it cannot be mistaken for a set of post ids.
    #[serde(with = "siblings_serde")]
    Siblings(Vec<Value>),
}

mod siblings_serde {
    use super::Value;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Tagged<T> {
        siblings: T,
    }

    pub fn serialize<S: Serializer>(v: &[Value], s: S) -> Result<S::Ok, S::Error> {
        Tagged { siblings: v }.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Value>, D::Error> {
        Ok(Tagged::<Vec<Value>>::deserialize(d)?.siblings)
    }
}

/// Words an [`OpSet`] may hold: op ids are below `MAX_OPS`, so one set is at most 1.25 KB
/// (10 000 bits), whatever the run does. This is the explicit bound on what one value carries
/// besides its data.
pub const MAX_OPSET_WORDS: usize = MAX_OPS.div_ceil(64);

/// A set of operation ids: which updates a stored value reflects. A bitset over op ids.
///
/// Every replicated value carries one, so the simulation knows exactly which acknowledged
/// updates a read saw (stale reads) and which ones no replica holds any more (lost updates).
/// Invariant: at most `MAX_OPSET_WORDS` words and no trailing zero word, so equal sets compare
/// equal and a set costs only as many words as its largest id needs.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OpSet {
    words: Vec<u64>,
}

impl OpSet {
    pub fn new() -> OpSet {
        OpSet::default()
    }
    pub fn insert(&mut self, op: OpId) {
        assert!((op as usize) < MAX_OPS, "op ids are below MAX_OPS");
        let (w, b) = (op as usize / 64, op % 64);
        if self.words.len() <= w {
            self.words.resize(w + 1, 0);
        }
        self.words[w] |= 1u64 << b;
        self.check();
    }
    pub fn contains(&self, op: OpId) -> bool {
        let (w, b) = (op as usize / 64, op % 64);
        self.words.get(w).is_some_and(|x| x & (1u64 << b) != 0)
    }
    pub fn union_with(&mut self, other: &OpSet) {
        if self.words.len() < other.words.len() {
            self.words.resize(other.words.len(), 0);
        }
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= *b;
        }
        self.check();
    }
    /// True if every op of `self` is in `other`.
    pub fn is_subset(&self, other: &OpSet) -> bool {
        self.words
            .iter()
            .enumerate()
            .all(|(i, w)| w & !other.words.get(i).copied().unwrap_or(0) == 0)
    }
    pub fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }
    pub fn iter(&self) -> impl Iterator<Item = OpId> + '_ {
        self.words.iter().enumerate().flat_map(|(i, w)| {
            (0..64u32)
                .filter(move |b| w & (1u64 << b) != 0)
                .map(move |b| i as u32 * 64 + b)
        })
    }
    fn check(&self) {
        assert!(self.words.len() <= MAX_OPSET_WORDS, "an op set is bounded");
        debug_assert!(
            self.words.last().is_none_or(|w| *w != 0),
            "no trailing zero word"
        );
    }
}

/// How and when an op ended. A value comes only with `Outcome::Ok` (a read's answer; an `Ok`
/// update has none): the fields are private, so no other combination can be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    at: Tick,
    outcome: Outcome,
    value: Option<Value>,
}

impl Completion {
    /// An op that ended at `at` with `outcome` and `value`; `None` when a value comes with an
    /// outcome other than `Ok`.
    pub fn new(at: Tick, outcome: Outcome, value: Option<Value>) -> Option<Completion> {
        (value.is_none() || outcome == Outcome::Ok).then_some(Completion { at, outcome, value })
    }
    /// An op that ended at `at` with `outcome` and no value.
    pub fn without_value(at: Tick, outcome: Outcome) -> Completion {
        Completion {
            at,
            outcome,
            value: None,
        }
    }
    /// An op acknowledged at `at`, with the value a read returned.
    pub fn ok(at: Tick, value: Option<Value>) -> Completion {
        Completion {
            at,
            outcome: Outcome::Ok,
            value,
        }
    }
    /// An op refused at `at`.
    pub fn refused(at: Tick, reason: Reason) -> Completion {
        Completion {
            at,
            outcome: Outcome::Refused(reason),
            value: None,
        }
    }
    /// An op whose client gave up at `at`.
    pub fn timeout(at: Tick) -> Completion {
        Completion {
            at,
            outcome: Outcome::Timeout,
            value: None,
        }
    }
    /// When the op ended.
    pub fn at(&self) -> Tick {
        self.at
    }
    pub fn outcome(&self) -> Outcome {
        self.outcome
    }
    /// The value returned (an `Ok` read), if any.
    pub fn value(&self) -> Option<&Value> {
        self.value.as_ref()
    }
}

/// One client operation in the history: what was asked, when, where, and how it ended.
///
/// Exported as before `Completion` existed (`complete`, `outcome`, `value`, each `null` while
/// pending), through [`OpWire`], so old exports read back and `caplab check` is unchanged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(into = "OpWire", try_from = "OpWire")]
pub struct OpRecord {
    pub id: OpId,
    pub client: ClientId,
    /// The node the client is attached to.
    pub node: NodeId,
    pub req: Request,
    pub invoke: Tick,
    /// `None` while the operation is still pending.
    pub completion: Option<Completion>,
    /// For reads: acknowledged updates (completed before this read was invoked) that the
    /// returned value did not reflect. Empty means not stale.
    pub missed: Vec<OpId>,
    /// For stale reads: the value a read reflecting every acknowledged update would return.
    pub fresh: Option<Value>,
}

impl OpRecord {
    pub fn is_stale(&self) -> bool {
        !self.missed.is_empty()
    }
    /// When the op ended (`None`: pending).
    pub fn completed_at(&self) -> Option<Tick> {
        self.completion.as_ref().map(Completion::at)
    }
    /// How the op ended (`None`: pending).
    pub fn outcome(&self) -> Option<Outcome> {
        self.completion.as_ref().map(Completion::outcome)
    }
    /// The value the op returned, if it ended with one.
    pub fn value(&self) -> Option<&Value> {
        self.completion.as_ref().and_then(Completion::value)
    }
}

/// An [`OpRecord`] as exported: the completion as three parallel fields.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OpWire {
    pub id: OpId,
    pub client: ClientId,
    pub node: NodeId,
    #[serde(flatten)]
    pub req: Request,
    pub invoke: Tick,
    pub complete: Option<Tick>,
    pub outcome: Option<Outcome>,
    pub value: Option<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missed: Vec<OpId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fresh: Option<Value>,
}

impl From<OpRecord> for OpWire {
    fn from(o: OpRecord) -> OpWire {
        let (complete, outcome, value) = match o.completion {
            Some(c) => (Some(c.at), Some(c.outcome), c.value),
            None => (None, None, None),
        };
        OpWire {
            id: o.id,
            client: o.client,
            node: o.node,
            req: o.req,
            invoke: o.invoke,
            complete,
            outcome,
            value,
            missed: o.missed,
            fresh: o.fresh,
        }
    }
}

impl TryFrom<OpWire> for OpRecord {
    type Error = String;
    fn try_from(w: OpWire) -> Result<OpRecord, String> {
        let completion = match (w.complete, w.outcome, w.value) {
            (None, None, None) => None,
            (Some(at), Some(outcome), value) => Some(
                Completion::new(at, outcome, value)
                    .ok_or_else(|| format!("op {}: a value comes only with an ok outcome", w.id))?,
            ),
            (_, _, Some(_)) if w.complete.is_none() => {
                return Err(format!("op {}: a value needs a completion", w.id))
            }
            _ => {
                return Err(format!(
                    "op {}: an outcome needs a completion tick and vice versa",
                    w.id
                ))
            }
        };
        Ok(OpRecord {
            id: w.id,
            client: w.client,
            node: w.node,
            req: w.req,
            invoke: w.invoke,
            completion,
            missed: w.missed,
            fresh: w.fresh,
        })
    }
}

/// A node's role as the UI shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Leader,
    Follower,
    Candidate,
    Replica,
    /// The one data node of CA mode.
    Single,
    /// A CA-mode node that only forwards to the single data node.
    Proxy,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Leader => "leader",
            Role::Follower => "follower",
            Role::Candidate => "candidate",
            Role::Replica => "replica",
            Role::Single => "single",
            Role::Proxy => "proxy",
        }
    }
}

/// Whether a node runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Up,
    /// Stopped; loses volatile state; events for it are dropped.
    Crashed,
    /// Frozen (a long GC pause); events for it wait until it resumes.
    Paused,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Up => "up",
            Status::Crashed => "crashed",
            Status::Paused => "paused",
        }
    }
}

/// The kind of a message, for drawing it (colour, shape, label).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MsgKind {
    /// A request forwarded to the node that can serve it (leader, single node).
    Forward,
    /// The answer to a forwarded request.
    ForwardReply,
    /// Log entries / a new version pushed to a replica.
    Replicate,
    /// A replica's acknowledgement.
    Ack,
    /// A leader's empty append (keeps followers from starting elections).
    Heartbeat,
    /// An election: request for a vote.
    Vote,
    /// An election: the answer.
    VoteReply,
    /// A quorum / strong read asking a replica for its version.
    Read,
    /// A replica's answer to a read.
    ReadReply,
    /// A newer version pushed to a replica that answered a read with an older one.
    ReadRepair,
    /// Anti-entropy: a replica's full state sent to a peer.
    Sync,
    /// A hinted-handoff delivery of writes held for a replica that was unreachable.
    Hint,
}

impl MsgKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MsgKind::Forward => "forward",
            MsgKind::ForwardReply => "forward-reply",
            MsgKind::Replicate => "replicate",
            MsgKind::Ack => "ack",
            MsgKind::Heartbeat => "heartbeat",
            MsgKind::Vote => "vote",
            MsgKind::VoteReply => "vote-reply",
            MsgKind::Read => "read",
            MsgKind::ReadReply => "read-reply",
            MsgKind::ReadRepair => "read-repair",
            MsgKind::Sync => "sync",
            MsgKind::Hint => "hint",
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod serde_tests {
    use super::Value;

    #[test]
    fn every_value_shape_round_trips_through_json() {
        let values = [
            Value::Int(-3),
            Value::Set(vec![1, 2]),
            Value::Feed {
                posts: vec![4],
                likes: 2,
            },
            Value::Siblings(vec![Value::Int(1), Value::Int(2)]),
            Value::Siblings(vec![Value::Set(vec![1]), Value::Set(vec![1, 2])]),
        ];
        for v in values {
            let text = serde_json::to_string(&v).unwrap();
            assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), v, "{text}");
        }
    }
}

#[cfg(test)]
mod opset_tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn build(ids: &[OpId]) -> (OpSet, BTreeSet<OpId>) {
        let mut s = OpSet::new();
        for id in ids {
            s.insert(*id);
        }
        (s, ids.iter().copied().collect())
    }

    fn agrees(s: &OpSet, m: &BTreeSet<OpId>) -> Result<(), TestCaseError> {
        prop_assert_eq!(s.len(), m.len());
        prop_assert_eq!(s.is_empty(), m.is_empty());
        prop_assert_eq!(
            s.iter().collect::<Vec<_>>(),
            m.iter().copied().collect::<Vec<_>>()
        );
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Random inserts and unions agree with a `BTreeSet<OpId>` model, and equal contents
        /// give equal sets whatever the order they were built in.
        #[test]
        fn op_set_behaves_like_a_btreeset(
            a in proptest::collection::vec(0..MAX_OPS as OpId, 0..200),
            b in proptest::collection::vec(0..MAX_OPS as OpId, 0..200),
            probes in proptest::collection::vec(0..(MAX_OPS as OpId + 100), 0..50),
        ) {
            let (mut sa, mut ma) = build(&a);
            let (sb, mb) = build(&b);
            agrees(&sa, &ma)?;
            sa.union_with(&sb);
            ma.extend(mb.iter().copied());
            agrees(&sa, &ma)?;
            for p in probes {
                prop_assert_eq!(sa.contains(p), ma.contains(&p));
            }
            let mut rev: Vec<OpId> = ma.iter().copied().collect();
            rev.reverse();
            prop_assert_eq!(&build(&rev).0, &sa);
            prop_assert!(sa.words.len() <= MAX_OPSET_WORDS);
        }
    }

    #[test]
    #[should_panic(expected = "below MAX_OPS")]
    fn an_op_id_beyond_the_limit_is_refused() {
        OpSet::new().insert(MAX_OPS as OpId);
    }
}
