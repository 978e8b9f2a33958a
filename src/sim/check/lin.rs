//! Linearizability checking: the Wing–Gong search with Lowe's memoization, as Porcupine does it.
//!
//! A history is linearizable when every operation can be given one instant inside its real-time
//! interval `[invoke, complete]` such that, taken in that order, the operations behave exactly as
//! the sequential model ([`State::apply`]) says.
//!
//! Which operations take part:
//! - `Ok` → must be linearized; a read must return exactly what the model reads at that point,
//!   an update must be accepted by the model (`Ok(None)`). An `Ok` read without a value can never
//!   be placed.
//! - `Refused(InsufficientFunds)` → must be linearized, and the model must refuse it there too
//!   (only the refusal is compared, not the balance the replica reported).
//! - `Refused(NoQuorum)` → dropped: a refusal had no effect anywhere.
//! - `Timeout` or pending updates → optional: linearized anywhere after their invoke, or never
//!   (their return time is +∞). Timed-out and pending reads are dropped.
//!
//! Intervals are closed: op A precedes op B in real time only when `A.complete < B.invoke`; at
//! equal ticks, calls are ordered before returns (the two ops count as concurrent).
//!
//! The history is first split into independent parts by the keys the ops touch
//! (P-compositionality: a transfer joins its two keys, a feed read joins posts and likes) and
//! each part is checked on its own.
//!
//! **Counter-example.** When a part is not linearizable, the search remembers the deepest point it
//! reached (the most ops linearized). The counter-example is, at that point: the op that could not
//! be placed (its return came before any order could place it), the other required ops that were
//! still waiting to be placed in the same window (invoked before that return), and, for each key
//! the blocked op touches, the last update the linearized prefix had applied to it (the update
//! whose effect the blocked op contradicts). A stale read gives `{write, read}`; a double spend
//! gives `{withdrawal, withdrawal}`. Ids are sorted.
//!
//! **Cost.** Mostly sequential histories check in about 1.5 steps per op (10 000 bank ops:
//! ~15 000 steps, ~15 ms natively with opt-level 3). Timed-out updates are the expensive part:
//! the search may have to try them at every dead end. Register writes and posts nobody read are
//! dropped up front, and at a dead end waiting optional ops are only tried when they could turn
//! a rejected answer right (see `optional_can_help`); still, dozens of timed-out bank updates
//! whose effect is unknown can exhaust the budget, and the verdict is then `None`.
//! Two reductions keep many clients cheap: identical candidates are tried once (symmetry, see
//! `PartSearch::dominated`), and in feed and register parts optional ops are only placed as the
//! exact block a read lacks, just before it (see `Placed`). A [`Search`] can also be resumed
//! slice by slice instead of stopping at a budget.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use serde::Serialize;

use crate::sim::model::State;
use crate::sim::sort;
use crate::sim::types::{Case, OpId, OpKind, OpRecord, Outcome, Reason, Request, Tick, Value};
use crate::sim::vecmap::VecMap;

/// A budget that checks realistic runs (10 000 mostly sequential ops take ~10 000–20 000 steps)
/// while bounding time (~1 µs a step natively) and memory (at most one memo entry a step).
pub const DEFAULT_BUDGET: u64 = 500_000;

/// The verdict of [`check`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LinResult {
    /// `Some(true)`: linearizable; `Some(false)`: not; `None`: unknown (budget exhausted, or the
    /// history holds ops the case cannot run — those ops are then the counter-example).
    pub verdict: Option<bool>,
    /// Sorted op ids explaining a `Some(false)` verdict (see the module documentation).
    pub counterexample: Vec<OpId>,
    /// Search steps taken, over all parts.
    pub explored: u64,
}

/// What the model must answer for an op to be placed at a point.
#[derive(Clone, Debug)]
enum Expect {
    /// An `Ok` read: the model must read exactly this (None: the record has no value).
    Read(Option<Value>),
    /// An `Ok` update: the model must accept it.
    Done,
    /// A refusal for insufficient funds: the model must refuse it too.
    Refused,
    /// A timed-out or pending update: any answer (a refused one simply changes nothing).
    Any,
}

impl Expect {
    fn accepts(&self, result: &Result<Option<Value>, Reason>) -> bool {
        matches!(
            (self, result),
            (Expect::Any, _)
                | (Expect::Done, Ok(None))
                | (Expect::Refused, Err(Reason::InsufficientFunds { .. }))
        )
    }
}

/// One op of a part, as the search sees it.
#[derive(Clone, Debug)]
struct POp {
    id: OpId,
    req: Request,
    invoke: Tick,
    /// Return time; `None` for optional ops (never forced).
    ret: Option<Tick>,
    expect: Expect,
}

/// Checks `ops` (a whole history of `case`, starting from `initial`) for linearizability within
/// `budget` search steps. Never panics on malformed ops; never runs past the budget.
pub fn check(case: Case, initial: &[i64], ops: &[OpRecord], budget: u64) -> LinResult {
    let mut search = Search::new(case, initial, ops);
    search.step(budget).unwrap_or(LinResult {
        verdict: None,
        counterexample: Vec::new(),
        explored: search.explored(),
    })
}

/// A linearizability search that can be resumed: [`Search::step`] runs it for a number of steps
/// and keeps where it stopped, so a caller can spread one search over many short slices (the
/// page does one slice per animation frame) instead of giving it one fixed budget.
pub struct Search {
    case: Case,
    initial: Vec<i64>,
    /// The parts not started yet, last first.
    todo: Vec<Vec<POp>>,
    current: Option<PartSearch>,
    explored: u64,
    /// The answer, once known.
    done: Option<LinResult>,
    /// Test hook: false runs the plain Wing–Gong–Lowe search (no symmetry pruning).
    symmetry: bool,
}

impl Search {
    /// Prepares the search over a whole history of `case` starting from `initial`. Takes no
    /// search step. Ops the case cannot run make the answer `None` at once (see [`LinResult`]).
    pub fn new(case: Case, initial: &[i64], ops: &[OpRecord]) -> Search {
        let invalid: Vec<OpId> = ops
            .iter()
            .filter(|o| !op_is_valid(case, &o.req))
            .map(|o| o.id)
            .collect();
        let (todo, done) = if invalid.is_empty() {
            let mut parts = split(case, ops);
            parts.reverse();
            (parts, None)
        } else {
            let r = LinResult {
                verdict: None,
                counterexample: invalid,
                explored: 0,
            };
            (Vec::new(), Some(r))
        };
        Search {
            case,
            initial: initial.to_vec(),
            todo,
            current: None,
            explored: 0,
            done,
            symmetry: true,
        }
    }

    /// Search steps taken so far, over all parts.
    pub fn explored(&self) -> u64 {
        self.explored
    }

    /// Runs at most `budget` more steps. `Some`: the answer (the same on every later call);
    /// `None`: not decided yet, call again to go on.
    pub fn step(&mut self, budget: u64) -> Option<LinResult> {
        let limit = self.explored.saturating_add(budget);
        while self.done.is_none() {
            if self.current.is_none() {
                let Some(part) = self.todo.pop() else {
                    self.done = Some(LinResult {
                        verdict: Some(true),
                        counterexample: Vec::new(),
                        explored: self.explored,
                    });
                    break;
                };
                let part = drop_unobservable(self.case, part);
                let mut ps = PartSearch::new(self.case, &self.initial, part);
                ps.symmetry = self.symmetry;
                self.current = Some(ps);
            }
            let part = self.current.as_mut().expect("a part is under way");
            match part.run(&mut self.explored, limit)? {
                PartVerdict::Linearizable => self.current = None,
                PartVerdict::Violation(mut ids) => {
                    sort::sort(&mut ids);
                    ids.dedup();
                    self.current = None;
                    self.todo.clear();
                    self.done = Some(LinResult {
                        verdict: Some(false),
                        counterexample: ids,
                        explored: self.explored,
                    });
                }
            }
        }
        self.done.clone()
    }
}

/// The largest amount a bank op may carry (keeps every balance computation far from overflow).
pub const MAX_AMOUNT: i64 = 1_000_000_000_000;

/// True when `case`'s model can run `req` without panicking: a known kind, keys in range,
/// amounts in `0..=MAX_AMOUNT`, post ids that fit a `u32`.
pub fn op_is_valid(case: Case, req: &Request) -> bool {
    let n_keys = case.keys().len();
    let key_ok = (req.key as usize) < n_keys;
    let key2_ok = req.kind != OpKind::Transfer || (req.key2 as usize) < n_keys;
    let arg_ok = match req.kind {
        OpKind::Deposit | OpKind::Withdraw | OpKind::Transfer => {
            (0..=MAX_AMOUNT).contains(&req.arg)
        }
        OpKind::Post => u32::try_from(req.arg).is_ok(),
        OpKind::Read | OpKind::Write | OpKind::Like => true,
    };
    case.op_kinds().contains(&req.kind) && key_ok && key2_ok && arg_ok
}

/// How one op enters the search, or `None` when it is dropped.
fn entry_of(op: &OpRecord) -> Option<POp> {
    let required = |expect: Expect| {
        let ret = op.completed_at().unwrap_or(Tick::MAX).max(op.invoke);
        Some(POp {
            id: op.id,
            req: op.req,
            invoke: op.invoke,
            ret: Some(ret),
            expect,
        })
    };
    match op.outcome() {
        Some(Outcome::Ok) if op.req.kind == OpKind::Read => {
            required(Expect::Read(op.value().cloned()))
        }
        Some(Outcome::Ok) => required(Expect::Done),
        Some(Outcome::Refused(Reason::InsufficientFunds { .. })) => required(Expect::Refused),
        Some(Outcome::Refused(Reason::NoQuorum { .. })) => None,
        Some(Outcome::Timeout) | None if op.req.kind.is_update() => Some(POp {
            id: op.id,
            req: op.req,
            invoke: op.invoke,
            ret: None,
            expect: Expect::Any,
        }),
        Some(Outcome::Timeout) | None => None,
    }
}

/// Splits the history into independent parts (union-find over the keys each op touches).
/// Each part's ops are sorted by invoke time, then id.
fn split(case: Case, ops: &[OpRecord]) -> Vec<Vec<POp>> {
    let n_keys = case.keys().len();
    let mut parent: Vec<usize> = (0..n_keys).collect();
    fn root(parent: &mut [usize], mut k: usize) -> usize {
        while parent[k] != k {
            parent[k] = parent[parent[k]];
            k = parent[k];
        }
        k
    }
    let entries: Vec<POp> = ops.iter().filter_map(entry_of).collect();
    for e in &entries {
        let keys = State::keys_of(case, &e.req);
        let first = root(&mut parent, keys[0] as usize);
        for k in &keys[1..] {
            let r = root(&mut parent, *k as usize);
            parent[r] = first;
        }
    }
    let mut parts: VecMap<usize, Vec<POp>> = VecMap::new();
    for e in entries {
        let r = root(&mut parent, State::keys_of(case, &e.req)[0] as usize);
        parts.get_or_default(r).push(e);
    }
    parts
        .into_iter()
        .map(|(_, mut p)| {
            sort::sort_by_key(&mut p, |o| (o.invoke, o.id));
            p
        })
        .collect()
}

/// Drops optional ops that provably never matter: a register write whose value no read returned,
/// a post no read's posts contain. (Any linearization placing one has no read between it and
/// the next overwrite — or no read after it at all — so removing it changes no result.)
fn drop_unobservable(case: Case, part: Vec<POp>) -> Vec<POp> {
    let read_values: Vec<&Value> = part
        .iter()
        .filter_map(|o| match &o.expect {
            Expect::Read(Some(v)) => Some(v),
            _ => None,
        })
        .collect();
    let observed = |o: &POp| match (case, o.req.kind) {
        (Case::Register, OpKind::Write) => read_values.contains(&&Value::Int(o.req.arg)),
        (Case::Feed, OpKind::Post) => read_values.iter().any(|v| match v {
            Value::Feed { posts, .. } | Value::Set(posts) => {
                u32::try_from(o.req.arg).is_ok_and(|p| posts.contains(&p))
            }
            _ => false,
        }),
        _ => true,
    };
    let keep: Vec<bool> = part
        .iter()
        .map(|o| o.ret.is_some() || observed(o))
        .collect();
    part.into_iter()
        .zip(keep)
        .filter_map(|(o, k)| k.then_some(o))
        .collect()
}

enum PartVerdict {
    Linearizable,
    Violation(Vec<OpId>),
}

const NIL: usize = usize::MAX;
const HEAD: usize = 0;

/// The call/return events of one part as a doubly linked list (index 0 is a sentinel head), so
/// that linearizing an op ("lifting" its call and return) and undoing it are O(1).
struct Events {
    next: Vec<usize>,
    prev: Vec<usize>,
    /// Index into the part's ops.
    op: Vec<usize>,
    /// For a call: its return event, or `NIL` for an optional op. For a return: `NIL`.
    matching: Vec<usize>,
    is_call: Vec<bool>,
}

impl Events {
    fn new(ops: &[POp]) -> Events {
        // (time, 0 = call / 1 = return, op index): calls before returns at equal ticks.
        let mut evs: Vec<(Tick, u8, usize)> = Vec::with_capacity(ops.len() * 2);
        for (i, o) in ops.iter().enumerate() {
            evs.push((o.invoke, 0, i));
            if let Some(r) = o.ret {
                evs.push((r, 1, i));
            }
        }
        sort::sort(&mut evs);
        let n = evs.len() + 1;
        let mut ev = Events {
            next: (1..=n).map(|i| if i == n { NIL } else { i }).collect(),
            prev: (0..n).map(|i| if i == 0 { NIL } else { i - 1 }).collect(),
            op: vec![NIL; n],
            matching: vec![NIL; n],
            is_call: vec![false; n],
        };
        let mut call_of = vec![NIL; ops.len()];
        for (slot, (_, kind, i)) in evs.iter().enumerate() {
            let e = slot + 1;
            ev.op[e] = *i;
            ev.is_call[e] = *kind == 0;
            if *kind == 0 {
                call_of[*i] = e;
            } else {
                assert_ne!(call_of[*i], NIL, "a return event follows its call");
                ev.matching[call_of[*i]] = e;
            }
        }
        ev
    }

    fn unlink(&mut self, x: usize) {
        let (p, n) = (self.prev[x], self.next[x]);
        self.next[p] = n;
        if n != NIL {
            self.prev[n] = p;
        }
    }

    fn relink(&mut self, x: usize) {
        let (p, n) = (self.prev[x], self.next[x]);
        self.next[p] = x;
        if n != NIL {
            self.prev[n] = x;
        }
    }

    /// Removes a call and its return (the op is linearized).
    fn lift(&mut self, call: usize) {
        self.unlink(call);
        if self.matching[call] != NIL {
            self.unlink(self.matching[call]);
        }
    }

    /// Undoes [`Events::lift`] (must be called in reverse order of lifts).
    fn unlift(&mut self, call: usize) {
        if self.matching[call] != NIL {
            self.relink(self.matching[call]);
        }
        self.relink(call);
    }
}

/// A bitset of linearized ops with an incrementally maintained (Zobrist) hash.
struct Linearized {
    words: Vec<u64>,
    hash: u64,
}

fn mix64(mut x: u64) -> u64 {
    // splitmix64's finalizer: a fixed, deterministic scrambler.
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

impl Linearized {
    fn new(n: usize) -> Linearized {
        Linearized {
            words: vec![0; n.div_ceil(64)],
            hash: 0,
        }
    }
    fn toggle(&mut self, i: usize) {
        self.words[i / 64] ^= 1 << (i % 64);
        self.hash ^= mix64(i as u64);
    }
    /// The canonical compact form: (count of leading all-ones words, the words after them up to
    /// the last non-zero one). A mostly sequential search keeps this a handful of words.
    fn compact(&self) -> (usize, &[u64]) {
        let full = self.words.iter().take_while(|w| **w == u64::MAX).count();
        let end = self
            .words
            .iter()
            .rposition(|w| *w != 0)
            .map_or(0, |i| i + 1)
            .max(full);
        (full, &self.words[full..end])
    }
}

/// A small deterministic hasher (FxHash's multiply-rotate) for model states.
#[derive(Default)]
struct FxHasher(u64);

/// A `u32` per key (a count, or the memo's chain head), hashed with [`FxHasher`]: only looked
/// up, never walked, so its order cannot reach a verdict (and it needs no B-tree code).
type FxMap<K> = HashMap<K, u32, BuildHasherDefault<FxHasher>>;

impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7C_C1_B7_27_22_0A_95);
    }
    fn write_u32(&mut self, x: u32) {
        self.write_u64(u64::from(x));
    }
    fn write_i64(&mut self, x: i64) {
        self.write_u64(x as u64);
    }
    fn write_usize(&mut self, x: usize) {
        self.write_u64(x as u64);
    }
}

fn state_hash(s: &State) -> u64 {
    let mut h = FxHasher(0);
    s.hash(&mut h);
    h.finish()
}

/// Lowe's memo: the (linearized set, model state) pairs already explored. Keyed by a hash, with
/// exact comparison along the hash's chain, so a collision never prunes a different
/// configuration. Bitsets live in one arena (compact form, see [`Linearized::compact`]).
#[derive(Default)]
struct Memo {
    heads: FxMap<u64>,
    entries: Vec<MemoEntry>,
    words: Vec<u64>,
}

struct MemoEntry {
    full: usize,
    start: usize,
    len: usize,
    state: State,
    /// The next entry with the same hash, or `u32::MAX`.
    next: u32,
}

impl Memo {
    /// Inserts the configuration; false if it was already there.
    fn insert(&mut self, lin: &Linearized, state: &State) -> bool {
        let key = lin.hash.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ state_hash(state);
        let (full, rest) = lin.compact();
        let head = self.heads.get(&key).copied().unwrap_or(u32::MAX);
        let mut i = head;
        while i != u32::MAX {
            let e = &self.entries[i as usize];
            if e.full == full && self.words[e.start..e.start + e.len] == *rest && e.state == *state
            {
                return false;
            }
            i = e.next;
        }
        let index =
            u32::try_from(self.entries.len()).expect("memo entries are bounded by the budget");
        self.entries.push(MemoEntry {
            full,
            start: self.words.len(),
            len: rest.len(),
            state: state.clone(),
            next: head,
        });
        self.words.extend_from_slice(rest);
        self.heads.insert(key, index);
        true
    }
}

/// The counter-example at the deepest point the search reached.
#[derive(Default)]
struct Deepest {
    depth: Option<usize>,
    ids: Vec<OpId>,
}

/// The Wing–Gong–Lowe search over one part, resumable ([`PartSearch::run`]).
///
/// At each point the candidates are the calls before the first remaining return. They are tried
/// in two passes: required ops first, then optional (timed-out, pending) ones, so an optional op
/// whose effect nobody saw costs nothing until the required ops get stuck without it.
///
/// At a dead end (no required candidate can be placed), optional ops are only tried when some
/// combination of them could turn a rejected candidate's answer right ([`optional_can_help`]).
/// Otherwise the dead end comes from an earlier choice and the search backtracks at once: an
/// optional op that changes no candidate's answer commutes with the next required op, so placing
/// it later reaches the same configurations.
///
/// Symmetry: a candidate is skipped when another waiting candidate of the same class (same
/// request, same expected answer) must be placed no later than it ([`PartSearch::dominated`]).
/// Swapping the two in any linearization gives another one, so trying one of them is enough.
/// This is what keeps dozens of identical likes (or deposits, or reads of one value) from
/// being tried in every order and every subset.
struct PartSearch {
    case: Case,
    ops: Vec<POp>,
    /// Ops with equal requests and expected answers share a class.
    class: Vec<u32>,
    pending: Pending,
    ev: Events,
    state: State,
    lin: Linearized,
    n_required: usize,
    required_left: usize,
    /// (call event, the state before it when the op changed it, part of a read's block).
    stack: Vec<Placed>,
    memo: Memo,
    deepest: Deepest,
    entry: usize,
    /// False: the pass over required candidates; true: the pass over optional ones.
    optional_pass: bool,
    symmetry: bool,
}

impl PartSearch {
    fn new(case: Case, initial: &[i64], ops: Vec<POp>) -> PartSearch {
        let ev = Events::new(&ops);
        let n_required = ops.iter().filter(|o| o.ret.is_some()).count();
        PartSearch {
            case,
            class: classes(&ops),
            pending: Pending::new(case, &ops),
            entry: ev.next[HEAD],
            ev,
            state: State::new(case, initial),
            lin: Linearized::new(ops.len()),
            n_required,
            required_left: n_required,
            stack: Vec::new(),
            memo: Memo::default(),
            deepest: Deepest::default(),
            optional_pass: false,
            symmetry: true,
            ops,
        }
    }

    /// Searches until `explored` reaches `limit` (`None`: not decided yet) or an answer.
    fn run(&mut self, explored: &mut u64, limit: u64) -> Option<PartVerdict> {
        loop {
            if self.required_left == 0 {
                return Some(PartVerdict::Linearizable);
            }
            if *explored >= limit {
                return None;
            }
            *explored += 1;
            let entry = self.entry;
            if entry != NIL && self.ev.is_call[entry] {
                self.try_candidate(entry);
                continue;
            }
            if !self.optional_pass && optional_can_help(self.case, &self.ops, &self.ev, &self.state)
            {
                self.entry = self.ev.next[HEAD];
                self.optional_pass = true;
                continue;
            }
            if let Some(verdict) = self.backtrack() {
                return Some(verdict);
            }
        }
    }

    /// Tries to place the candidate whose call is `entry`; moves on to the next event if not.
    fn try_candidate(&mut self, entry: usize) {
        let i = self.ev.op[entry];
        let is_optional = self.ops[i].ret.is_none();
        if self.blocks() && self.optional_pass {
            // The second pass: rejected reads, each with the block it lacks.
            let tried = !is_optional
                && !self.dominated(entry)
                && !accepted_now(&self.ops[i], &self.state)
                && self.try_block(entry);
            if !tried {
                self.entry = self.ev.next[entry];
            }
            return;
        }
        if is_optional != self.optional_pass || (self.symmetry && self.dominated(entry)) {
            self.entry = self.ev.next[entry];
            return;
        }
        let placed = if self.write_blocked(i) {
            None
        } else {
            try_place(
                &self.ops[i],
                &mut self.state,
                &mut self.lin,
                i,
                &mut self.memo,
            )
        };
        let Some(saved) = placed else {
            self.entry = self.ev.next[entry];
            return;
        };
        self.count(i, true);
        self.stack.push((entry, saved, false));
        self.ev.lift(entry);
        if !is_optional {
            self.required_left -= 1;
        }
        self.entry = self.ev.next[HEAD];
        self.optional_pass = false;
    }

    /// A return (or the end) after both passes: the op it closes cannot be placed. Undoes the
    /// last placement; `Some` when there is none left (the part is not linearizable).
    fn backtrack(&mut self) -> Option<PartVerdict> {
        // Depth counts required ops only: placing optional ops does not make a path "deeper".
        let depth = self.n_required - self.required_left;
        if self.deepest.depth.is_none_or(|d| depth > d) {
            self.deepest = Deepest {
                depth: Some(depth),
                ids: self.explain_here(),
            };
        }
        let Some((call, saved, _)) = self.stack.pop() else {
            return Some(PartVerdict::Violation(std::mem::take(
                &mut self.deepest.ids,
            )));
        };
        let i = self.ev.op[call];
        self.lin.toggle(i);
        self.count(i, false);
        if let Some(s) = saved {
            self.state = s;
        }
        let is_optional = self.ops[i].ret.is_none();
        if !is_optional {
            self.required_left += 1;
        }
        self.ev.unlift(call);
        // A read placed with a block was tried in the second pass: go on with that pass.
        let had_block = self.undo_block() > 0;
        self.entry = self.ev.next[call];
        self.optional_pass = is_optional || had_block;
        None
    }

    /// True when another waiting candidate of the same class must be placed no later than the
    /// candidate at `call`: its return event comes first (an optional op has none; between two
    /// of them the earlier call wins). Placing that one instead is never worse.
    fn dominated(&self, call: usize) -> bool {
        let ev = &self.ev;
        let c = self.class[ev.op[call]];
        let order = |e: usize| (ev.matching[e], e);
        let mut e = ev.next[HEAD];
        while e != NIL && ev.is_call[e] {
            if e != call && self.class[ev.op[e]] == c && order(e) < order(call) {
                return true;
            }
            e = ev.next[e];
        }
        false
    }
}

/// Registers: a value nobody writes again cannot come back once overwritten. So while the
/// register holds `v`, some read of `v` is still to place and no write of `v` is left, placing
/// any write leads nowhere ([`PartSearch::write_blocked`]). With values written once each, this
/// makes the search follow the writes' order as the reads reveal it.
#[derive(Default)]
struct Pending {
    /// Required reads not placed yet, by the value they expect.
    reads: FxMap<i64>,
    /// Writes (required or optional) not placed yet, by the value they write.
    writes: FxMap<i64>,
}

impl Pending {
    fn new(case: Case, ops: &[POp]) -> Pending {
        let mut p = Pending::default();
        if case == Case::Register {
            for o in ops {
                if let Some((map, v)) = p.slot(o) {
                    *map.entry(v).or_insert(0) += 1;
                }
            }
        }
        p
    }

    /// The counter op `o` counts in, if any.
    fn slot(&mut self, o: &POp) -> Option<(&mut FxMap<i64>, i64)> {
        match (&o.expect, o.req.kind) {
            (Expect::Read(Some(Value::Int(v))), OpKind::Read) => Some((&mut self.reads, *v)),
            (_, OpKind::Write) => Some((&mut self.writes, o.req.arg)),
            _ => None,
        }
    }
}

impl PartSearch {
    /// Keeps [`Pending`] in step with op `i` being placed (`true`) or undone.
    fn count(&mut self, i: usize, placed: bool) {
        if self.case != Case::Register {
            return;
        }
        if let Some((map, v)) = self.pending.slot(&self.ops[i]) {
            let n = map.entry(v).or_insert(0);
            assert!(placed || *n < u32::MAX, "pending counts stay in range");
            *n = if placed { n.saturating_sub(1) } else { *n + 1 };
        }
    }

    /// The counter-example at this dead end ([`explain`]). When the register holds a value
    /// whose reads are still to come and nobody writes it again, that is the conflict: a write
    /// blocked by it is explained by the write and the first such read alone; any other dead
    /// end adds that read to the usual explanation.
    fn explain_here(&self) -> Vec<OpId> {
        let read = self.first_pending_read();
        let blocked = (self.entry != NIL).then(|| self.ev.op[self.entry]);
        if let (Some(b), Some(r)) = (blocked, read) {
            if self.write_blocked(b) {
                return vec![self.ops[b].id, r];
            }
        }
        let mut ids = explain(self.case, &self.ops, &self.ev, &self.stack, self.entry);
        ids.extend(read);
        ids
    }

    /// The first read still to place of the value the register holds, when no write of that
    /// value is left (`None` otherwise, and outside registers).
    fn first_pending_read(&self) -> Option<OpId> {
        if !self.symmetry || self.case != Case::Register {
            return None;
        }
        let mut e = self.ev.next[HEAD];
        while e != NIL {
            let o = &self.ops[self.ev.op[e]];
            if self.ev.is_call[e] && o.req.kind == OpKind::Read {
                let v = self.state.int(o.req.key);
                let left = |m: &FxMap<i64>| m.get(&v).copied().unwrap_or(0);
                let expects_v = matches!(&o.expect, Expect::Read(Some(Value::Int(x))) if *x == v);
                if expects_v && o.ret.is_some() && left(&self.pending.writes) == 0 {
                    return Some(o.id);
                }
            }
            e = self.ev.next[e];
        }
        None
    }

    /// Whether op `i` is a register write that cannot be placed now (see [`Pending`]).
    fn write_blocked(&self, i: usize) -> bool {
        let op = &self.ops[i];
        if !self.symmetry || self.case != Case::Register || op.req.kind != OpKind::Write {
            return false;
        }
        let v = self.state.int(op.req.key);
        let left = |m: &FxMap<i64>| m.get(&v).copied().unwrap_or(0);
        left(&self.pending.reads) > 0 && left(&self.pending.writes) == 0
    }
}

/// A placed op: (call event, the state before it when the op changed it, part of a block).
type Placed = (usize, Option<State>, bool);

/// Blocks: in cases whose updates commute (feed) or overwrite each other (a register part holds
/// one key), an optional update only matters to the reads after it. Moving it later, to just
/// before the first read after it, keeps every answer (feed: nothing in between observes it;
/// register: the next op on the key is that read, or a write that hides it, and then it can be
/// dropped). So some linearization, if any, places optional ops only in a block just before a
/// read, and the block is exactly what that read lacks: its missing posts and likes, or one
/// write of its value. The search then never tries optional ops on their own: a rejected read
/// is tried with its block ([`PartSearch::try_block`]), and a dead end just backtracks.
impl PartSearch {
    fn blocks(&self) -> bool {
        self.symmetry && matches!(self.case, Case::Feed | Case::Register)
    }

    /// Places the block the rejected read at `call` lacks, then the read. False (and nothing
    /// placed) when no block of waiting optional ops can make the read right, or the resulting
    /// configuration was already explored.
    fn try_block(&mut self, call: usize) -> bool {
        let r = self.ev.op[call];
        let Some(block) = self.block_for(r) else {
            return false;
        };
        if block.iter().any(|e| self.write_blocked(self.ev.op[*e])) {
            return false;
        }
        for e in block {
            let i = self.ev.op[e];
            self.count(i, true);
            let mut next = self.state.clone();
            let _ = next.apply(&self.ops[i].req);
            self.lin.toggle(i);
            self.ev.lift(e);
            self.stack
                .push((e, Some(std::mem::replace(&mut self.state, next)), true));
        }
        match try_place(
            &self.ops[r],
            &mut self.state,
            &mut self.lin,
            r,
            &mut self.memo,
        ) {
            Some(saved) => {
                self.count(r, true);
                self.stack.push((call, saved, false));
                self.ev.lift(call);
                self.required_left -= 1;
                self.entry = self.ev.next[HEAD];
                self.optional_pass = false;
                true
            }
            None => {
                let _ = self.undo_block();
                false
            }
        }
    }

    /// Undoes the block ops on top of the stack (those placed for the read just undone).
    fn undo_block(&mut self) -> usize {
        let mut undone = 0;
        while self.stack.last().is_some_and(|p| p.2) {
            undone += 1;
            let (e, saved, _) = self.stack.pop().expect("the stack has a top");
            self.lin.toggle(self.ev.op[e]);
            self.count(self.ev.op[e], false);
            if let Some(s) = saved {
                self.state = s;
            }
            self.ev.unlift(e);
        }
        undone
    }

    /// The call events of the waiting optional ops that make read `r` right, in event order
    /// (the earliest of each class: see [`PartSearch::dominated`]); `None` if there are none.
    fn block_for(&self, r: usize) -> Option<Vec<usize>> {
        let Expect::Read(Some(want)) = &self.ops[r].expect else {
            return None;
        };
        let mut need: Vec<Request> = Vec::new();
        match (want, &self.state.keys[..]) {
            (Value::Int(v), _) if self.case == Case::Register => need.push(Request {
                kind: OpKind::Write,
                arg: *v,
                ..self.ops[r].req
            }),
            (Value::Feed { posts, likes }, [Value::Set(have), ..]) => {
                let missing_likes = likes.checked_sub(self.state.int(1))?;
                if !have.iter().all(|p| posts.contains(p)) || missing_likes > MAX_BLOCK {
                    return None;
                }
                let like = Request {
                    kind: OpKind::Like,
                    key: 1,
                    key2: 1,
                    arg: 0,
                    consistency: self.ops[r].req.consistency,
                };
                need.extend((0..missing_likes).map(|_| like));
                need.extend(posts.iter().filter(|p| !have.contains(p)).map(|p| Request {
                    kind: OpKind::Post,
                    key: 0,
                    key2: 0,
                    arg: i64::from(*p),
                    ..like
                }));
            }
            _ => return None,
        }
        self.pick_waiting(need)
    }

    /// For each needed request, a distinct waiting optional op that makes the same change.
    fn pick_waiting(&self, mut need: Vec<Request>) -> Option<Vec<usize>> {
        // What the model reads of a request: a like's key and arg, a post's key mean nothing.
        let same = |a: &Request, b: &Request| {
            a.kind == b.kind
                && match a.kind {
                    OpKind::Like => true,
                    OpKind::Post => a.arg == b.arg,
                    _ => a.arg == b.arg && a.key == b.key,
                }
        };
        let mut picked = Vec::with_capacity(need.len());
        let mut e = self.ev.next[HEAD];
        while e != NIL && self.ev.is_call[e] && !need.is_empty() {
            let o = &self.ops[self.ev.op[e]];
            if o.ret.is_none() {
                if let Some(k) = need.iter().position(|n| same(n, &o.req)) {
                    need.swap_remove(k);
                    picked.push(e);
                }
            }
            e = self.ev.next[e];
        }
        need.is_empty().then_some(picked)
    }
}

mod candidates;
use candidates::*;

#[cfg(test)]
#[path = "lin_tests.rs"]
mod tests;

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "lin_proptests.rs"]
mod proptests;
