//! Versioned values of the leaderless (AP) replicas: one per key per replica.
//!
//! A [`Versioned`] carries the data of one key, whatever metadata its conflict resolution needs
//! (LWW stamp, vector clocks, CRDT state) and the [`OpSet`] of update ops it reflects. Merging
//! two versions never invents ops: a merged value reflects a subset of the union of both sets,
//! and when LWW discards a value its ops are gone (a lost update the checkers can see).
//!
//! Promises: `merge` is commutative, associative and idempotent for every variant (LWW is a max
//! over a total order, vector clocks keep the maximal siblings, CRDTs are join semilattices), so
//! replicas that have received the same versions hold equal values, in any delivery order.

use std::sync::Arc;

use crate::sim::model::State;
use crate::sim::sort;
use crate::sim::types::{
    node_name, Case, Conflict, KeyType, NodeId, OpId, OpKind, OpSet, Reason, Request, Value,
    MAX_NODES,
};

use super::ProtoConfig;

/// A last-writer-wins timestamp: (wall clock with skew, writing node). The higher one wins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stamp {
    pub clock: i64,
    pub node: NodeId,
}

impl Stamp {
    /// The stamp of the initial value: lower than any stamp an update can produce.
    pub const INITIAL: Stamp = Stamp {
        clock: i64::MIN,
        node: 0,
    };
}

/// What an update does to one key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Counters: add a (possibly negative) delta.
    Add(i64),
    /// Sets: add a post id.
    Insert(u32),
    /// Registers: overwrite.
    Assign(i64),
}

/// LWW: one value, the one with the highest stamp.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lww {
    pub data: Value,
    pub stamp: Stamp,
    pub ops: OpSet,
}

/// One concurrent version under vector clocks.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Sibling {
    /// One counter per node (`clock[i]` = updates by node i this version has seen).
    pub clock: Vec<u64>,
    pub data: Value,
    pub ops: OpSet,
}

/// A PN-counter: `base + ΣP − ΣN`, per-node P and N merged by maximum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PnCounter {
    /// The initial value (the same at every replica).
    pub base: i64,
    pub p: Vec<i64>,
    pub n: Vec<i64>,
    pub ops: OpSet,
}

/// An add-wins set: each add is tagged with a unique dot (node, counter); merge = union.
/// (No removes exist in the cases, so nothing is ever tombstoned.)
///
/// The dots are shared (`Arc`, copy-on-write): cloning a set — for a message, a hint, a
/// snapshot — is O(1), and a merge that adds nothing copies nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AwSet {
    /// Each dot with the post id it tags, sorted by dot (a `Vec`, not a `BTreeMap`: built by
    /// the merge's sorted union, grown at one node's end by a local add; no B-tree code).
    pub dots: Arc<Vec<((NodeId, u64), u32)>>,
    /// The post ids the dots tag, sorted, deduplicated: what a read returns, kept up to date
    /// so a read costs a copy, not a sort.
    pub ids: Arc<Vec<u32>>,
    pub ops: OpSet,
}

/// The value of one key at one replica, under the run's conflict resolution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Versioned {
    /// `Conflict::Lww`, and CRDT registers.
    Lww(Lww),
    /// `Conflict::Vclock`: the maximal siblings, sorted, never empty.
    Vclock(Vec<Sibling>),
    /// `Conflict::Crdt` counters.
    Counter(PnCounter),
    /// `Conflict::Crdt` sets.
    Set(AwSet),
}

/// The initial data of `key`: its `cfg.initial` integer, or an empty set.
pub fn initial_data(cfg: &ProtoConfig, key: u8) -> Value {
    match cfg.case.key_type(key) {
        KeyType::Set => Value::Set(Vec::new()),
        _ => Value::Int(cfg.initial.get(key as usize).copied().unwrap_or(0)),
    }
}

/// Applies `change` to plain data. A change that does not fit the data is a protocol bug.
pub fn apply_change(data: &mut Value, change: Change) {
    match (data, change) {
        (Value::Int(v), Change::Add(d)) => *v = v.saturating_add(d),
        (Value::Int(v), Change::Assign(x)) => *v = x,
        (Value::Set(s), Change::Insert(id)) => {
            if let Err(pos) = s.binary_search(&id) {
                s.insert(pos, id);
            }
        }
        (d, c) => panic!("change {c:?} does not fit data {d:?}"),
    }
}

fn int_of(v: &Value) -> i64 {
    match v {
        Value::Int(x) => *x,
        other => panic!("not an integer: {other:?}"),
    }
}

/// `a` dominates `b`: `a ≥ b` pointwise and `a ≠ b` (`a` happened after `b`).
fn dominates(a: &[u64], b: &[u64]) -> bool {
    assert_eq!(a.len(), b.len(), "vector clocks of different sizes");
    a != b && a.iter().zip(b).all(|(x, y)| x >= y)
}

/// `t` makes `s` obsolete: a later clock, or the same clock and a greater sibling (equal clocks
/// only come from the same update, so this tie-break only keeps the result canonical).
fn beats(t: &Sibling, s: &Sibling) -> bool {
    dominates(&t.clock, &s.clock) || (t.clock == s.clock && t > s)
}

/// The maximal siblings of `all`, sorted and deduplicated: the canonical vclock value.
fn maximal(all: Vec<Sibling>) -> Vec<Sibling> {
    let mut keep: Vec<Sibling> = all
        .iter()
        .filter(|s| !all.iter().any(|t| beats(t, s)))
        .cloned()
        .collect();
    sort::sort(&mut keep);
    keep.dedup();
    assert!(!keep.is_empty(), "a vclock value always has a sibling");
    // One sibling per last writer at most (a node's later update dominates its earlier ones),
    // plus none for the initial value once anything was written.
    assert!(
        keep.len() <= MAX_NODES,
        "more siblings than nodes: {}",
        keep.len()
    );
    keep
}

/// Resolves siblings the simple application way: sets are united (ops united), numbers take the
/// largest sibling (and its ops).
fn resolve(siblings: &[Sibling]) -> (Value, OpSet) {
    assert!(!siblings.is_empty());
    if let Value::Set(_) = siblings[0].data {
        let mut data = Value::Set(Vec::new());
        let mut ops = OpSet::new();
        for s in siblings {
            if let Value::Set(ids) = &s.data {
                for id in ids {
                    apply_change(&mut data, Change::Insert(*id));
                }
            }
            ops.union_with(&s.ops);
        }
        return (data, ops);
    }
    let best = siblings
        .iter()
        .max_by(|a, b| (int_of(&a.data), &a.ops).cmp(&(int_of(&b.data), &b.ops)))
        .expect("non-empty");
    (best.data.clone(), best.ops.clone())
}

impl Versioned {
    /// The initial value of `key` under `cfg.conflict`.
    pub fn new(cfg: &ProtoConfig, key: u8) -> Versioned {
        let nodes = cfg.nodes as usize;
        assert!((1..=MAX_NODES).contains(&nodes));
        let data = initial_data(cfg, key);
        match (cfg.conflict, cfg.case.key_type(key)) {
            (Conflict::Lww, _) | (Conflict::Crdt, KeyType::Register) => Versioned::Lww(Lww {
                data,
                stamp: Stamp::INITIAL,
                ops: OpSet::new(),
            }),
            (Conflict::Vclock, _) => Versioned::Vclock(vec![Sibling {
                clock: vec![0; nodes],
                data,
                ops: OpSet::new(),
            }]),
            (Conflict::Crdt, KeyType::Counter) => Versioned::Counter(PnCounter {
                base: int_of(&data),
                p: vec![0; nodes],
                n: vec![0; nodes],
                ops: OpSet::new(),
            }),
            (Conflict::Crdt, KeyType::Set) => Versioned::Set(AwSet::default()),
        }
    }

    /// Merges `other` into `self` (commutative, associative, idempotent).
    pub fn merge(&mut self, other: &Versioned) {
        match (self, other) {
            (Versioned::Lww(a), Versioned::Lww(b)) => {
                if (b.stamp, &b.data, &b.ops) > (a.stamp, &a.data, &a.ops) {
                    *a = b.clone();
                }
            }
            (Versioned::Vclock(a), Versioned::Vclock(b)) => {
                let all = a.iter().chain(b.iter()).cloned().collect();
                *a = maximal(all);
            }
            (Versioned::Counter(a), Versioned::Counter(b)) => {
                assert_eq!(a.base, b.base, "counters with different initial values");
                assert_eq!(a.p.len(), b.p.len(), "counters of different cluster sizes");
                for (x, y) in a.p.iter_mut().zip(&b.p) {
                    *x = (*x).max(*y);
                }
                for (x, y) in a.n.iter_mut().zip(&b.n) {
                    *x = (*x).max(*y);
                }
                a.ops.union_with(&b.ops);
            }
            (Versioned::Set(a), Versioned::Set(b)) => a.merge(b),
            (a, b) => panic!("merging values of different kinds: {a:?} and {b:?}"),
        }
    }

    /// True if `self` already reflects everything in `other` (merging it would change nothing).
    pub fn covers(&self, other: &Versioned) -> bool {
        if let (Versioned::Set(a), Versioned::Set(b)) = (self, other) {
            return a.covers(b);
        }
        let mut merged = self.clone();
        merged.merge(other);
        merged == *self
    }

    /// Merges `other` into `self`; returns true if `self` changed. Sets answer without a copy.
    pub fn merge_changed(&mut self, other: &Versioned) -> bool {
        if let (Versioned::Set(a), Versioned::Set(b)) = (&mut *self, other) {
            let changed = !a.covers(b);
            a.merge(b);
            return changed;
        }
        let before = self.clone();
        self.merge(other);
        *self != before
    }

    /// What a local read returns (`Value::Siblings`, sorted, when there are several) and
    /// the ops it reflects.
    pub fn read(&self) -> (Value, OpSet) {
        match self {
            Versioned::Lww(l) => (l.data.clone(), l.ops.clone()),
            Versioned::Vclock(sibs) => {
                let mut values: Vec<Value> = sibs.iter().map(|s| s.data.clone()).collect();
                sort::sort(&mut values);
                let mut ops = OpSet::new();
                for s in sibs {
                    ops.union_with(&s.ops);
                }
                let value = if values.len() == 1 {
                    values.remove(0)
                } else {
                    Value::Siblings(values)
                };
                (value, ops)
            }
            Versioned::Counter(c) => (Value::Int(c.value()), c.ops.clone()),
            Versioned::Set(s) => (Value::Set(s.ids.to_vec()), s.ops.clone()),
        }
    }

    /// The integer a local read-modify-write starts from (counters, registers): the LWW value,
    /// the largest sibling, or the PN-counter's value.
    pub fn local_int(&self) -> i64 {
        match self {
            Versioned::Lww(l) => int_of(&l.data),
            Versioned::Vclock(sibs) => int_of(&resolve(sibs).0),
            Versioned::Counter(c) => c.value(),
            Versioned::Set(_) => panic!("a set has no integer value"),
        }
    }

    /// Applies op `op` (a `change`) at replica `me`, whose wall clock reads `wall_clock`.
    pub fn update(&mut self, me: NodeId, wall_clock: i64, op: OpId, change: Change) {
        match self {
            Versioned::Lww(l) => {
                let stamp = Stamp {
                    clock: wall_clock.max(l.stamp.clock.saturating_add(1)),
                    node: me,
                };
                assert!(
                    stamp > l.stamp,
                    "an LWW update's stamp exceeds the one it replaces"
                );
                apply_change(&mut l.data, change);
                l.stamp = stamp;
                l.ops.insert(op);
            }
            Versioned::Vclock(sibs) => {
                let (mut data, mut ops) = resolve(sibs);
                apply_change(&mut data, change);
                ops.insert(op);
                let mut clock = vec![0; sibs[0].clock.len()];
                for s in sibs.iter() {
                    for (x, y) in clock.iter_mut().zip(&s.clock) {
                        *x = (*x).max(*y);
                    }
                }
                clock[me as usize] += 1;
                *sibs = vec![Sibling { clock, data, ops }];
            }
            Versioned::Counter(c) => {
                match change {
                    Change::Add(d) if d >= 0 => {
                        c.p[me as usize] = c.p[me as usize].saturating_add(d)
                    }
                    Change::Add(d) => {
                        c.n[me as usize] = c.n[me as usize].saturating_add(d.saturating_neg())
                    }
                    other => panic!("change {other:?} on a counter"),
                }
                c.ops.insert(op);
            }
            Versioned::Set(s) => {
                let Change::Insert(id) = change else {
                    panic!("change {change:?} on a set")
                };
                // This node's dots end where the next node's begin; its newest is the last.
                let end = s.dots.partition_point(|((n, _), _)| *n <= me);
                let counter = end
                    .checked_sub(1)
                    .map(|i| s.dots[i].0)
                    .filter(|(n, _)| *n == me)
                    .map(|(_, c)| c);
                let dot = (me, counter.unwrap_or(0) + 1);
                Arc::make_mut(&mut s.dots).insert(end, (dot, id));
                s.add_id(id);
                s.ops.insert(op);
            }
        }
    }

    /// One short line on the version: "t=1234@n1", "[n1:2 n2:0 n3:1]", "P[1 0 2] N[0 0 0]",
    /// "dots 3".
    pub fn version(&self) -> String {
        fn list(xs: &[i64]) -> String {
            xs.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        }
        match self {
            Versioned::Lww(l) if l.stamp == Stamp::INITIAL => "t=-".into(),
            Versioned::Lww(l) => format!("t={}@{}", l.stamp.clock, node_name(l.stamp.node)),
            Versioned::Vclock(sibs) => {
                let clocks: Vec<String> = sibs
                    .iter()
                    .map(|s| {
                        let parts: Vec<String> = s
                            .clock
                            .iter()
                            .enumerate()
                            .map(|(i, c)| format!("{}:{}", node_name(i as NodeId), c))
                            .collect();
                        format!("[{}]", parts.join(" "))
                    })
                    .collect();
                clocks.join("|")
            }
            Versioned::Counter(c) => format!("P[{}] N[{}]", list(&c.p), list(&c.n)),
            Versioned::Set(s) => format!("dots {}", s.dots.len()),
        }
    }
}

impl AwSet {
    /// Each op of a set made exactly one dot, and dots travel only with their ops: so the op set
    /// decides inclusion, without walking the dots.
    fn check(&self) {
        debug_assert_eq!(self.dots.len(), self.ops.len(), "one dot per op");
        debug_assert!(
            self.ids.windows(2).all(|w| w[0] < w[1]),
            "ids sorted, unique"
        );
    }

    fn add_id(&mut self, id: u32) {
        if let Err(pos) = self.ids.binary_search(&id) {
            Arc::make_mut(&mut self.ids).insert(pos, id);
        }
    }

    /// True if `self` holds every dot and op of `other`.
    pub fn covers(&self, other: &AwSet) -> bool {
        self.check();
        other.check();
        other.ops.is_subset(&self.ops)
    }

    /// Union of dots and ops. Copies nothing when `other` adds nothing, and shares `other`'s
    /// dots when they hold all of ours.
    fn merge(&mut self, other: &AwSet) {
        if self.covers(other) {
            return;
        }
        if other.covers(self) {
            self.dots = Arc::clone(&other.dots);
            self.ids = Arc::clone(&other.ids);
            self.ops = other.ops.clone();
            return;
        }
        // Each side holds dots the other lacks: one pass over both sorted maps (and id lists)
        // builds the union, instead of one search and insert per dot.
        let dots = union_sorted(self.dots.iter(), other.dots.iter(), |(da, ia), (db, ib)| {
            let order = da.cmp(db);
            assert!(order.is_ne() || ia == ib, "one dot tagged two adds");
            order
        });
        self.dots = Arc::new(dots.into_iter().copied().collect());
        let ids = union_sorted(self.ids.iter(), other.ids.iter(), |a, b| a.cmp(b));
        self.ids = Arc::new(ids.into_iter().copied().collect());
        self.ops.union_with(&other.ops);
        self.check();
    }
}

/// The union of two sorted, duplicate-free sequences, sorted, duplicate-free (`cmp` orders
/// them; an item in both is kept once, from `a`).
fn union_sorted<T>(
    a: impl Iterator<Item = T>,
    b: impl Iterator<Item = T>,
    cmp: impl Fn(&T, &T) -> std::cmp::Ordering,
) -> Vec<T> {
    let (mut a, mut b) = (a.peekable(), b.peekable());
    let mut out = Vec::new();
    loop {
        let next = match (a.peek(), b.peek()) {
            (None, None) => return out,
            (Some(_), None) => a.next(),
            (None, Some(_)) => b.next(),
            (Some(x), Some(y)) => match cmp(x, y) {
                std::cmp::Ordering::Less => a.next(),
                std::cmp::Ordering::Greater => b.next(),
                std::cmp::Ordering::Equal => {
                    b.next();
                    a.next()
                }
            },
        };
        out.extend(next);
    }
}

impl PnCounter {
    pub fn value(&self) -> i64 {
        let p: i64 = self.p.iter().fold(0i64, |a, x| a.saturating_add(*x));
        let n: i64 = self.n.iter().fold(0i64, |a, x| a.saturating_add(*x));
        self.base.saturating_add(p).saturating_sub(n)
    }
}

/// The per-key changes an update request makes, or why it is refused, judged on `local_int`
/// (the balance this replica sees). Reads change nothing.
pub fn changes_of(
    case: Case,
    req: &Request,
    local_int: impl Fn(u8) -> i64,
) -> Result<Vec<(u8, Change)>, Reason> {
    Ok(match req.kind {
        OpKind::Read => Vec::new(),
        OpKind::Write => vec![(req.key, Change::Assign(req.arg))],
        OpKind::Deposit => vec![(req.key, Change::Add(req.arg))],
        OpKind::Like => vec![(1, Change::Add(1))],
        OpKind::Post => vec![(0, Change::Insert(req.arg as u32))],
        OpKind::Withdraw | OpKind::Transfer => {
            let balance = local_int(req.key);
            if balance < req.arg {
                return Err(Reason::InsufficientFunds { balance });
            }
            let mut out = vec![(req.key, Change::Add(req.arg.saturating_neg()))];
            if req.kind == OpKind::Transfer {
                out.push((req.key2, Change::Add(req.arg)));
            }
            out
        }
    })
    .inspect(|changes: &Vec<(u8, Change)>| {
        for (k, _) in changes {
            assert!(
                (*k as usize) < case.keys().len(),
                "key {k} out of range for {case:?}"
            );
        }
    })
}

/// The alternatives a possibly-siblinged value stands for.
fn alternatives(v: Value) -> Vec<Value> {
    match v {
        Value::Siblings(vs) => vs,
        other => vec![other],
    }
}

/// What a read of `req` returns given each key's read value (a feed read combines posts and
/// likes; siblings on either key give one `Feed` sibling per combination), and its ops.
pub fn combine_read(
    case: Case,
    req: &Request,
    read: impl Fn(u8) -> (Value, OpSet),
) -> (Value, OpSet) {
    let mut seen = OpSet::new();
    let mut per_key = Vec::new();
    for k in State::keys_of(case, req) {
        let (v, ops) = read(k);
        seen.union_with(&ops);
        per_key.push(v);
    }
    if case != Case::Feed {
        assert_eq!(per_key.len(), 1, "a read touches one key");
        return (per_key.remove(0), seen);
    }
    assert_eq!(per_key.len(), 2, "a feed read touches posts and likes");
    let likes = alternatives(per_key.remove(1));
    let posts = alternatives(per_key.remove(0));
    let mut combos = Vec::new();
    for p in &posts {
        for l in &likes {
            let posts = match p {
                Value::Set(s) => s.clone(),
                other => panic!("posts hold a set, not {other:?}"),
            };
            combos.push(Value::Feed {
                posts,
                likes: int_of(l),
            });
        }
    }
    sort::sort(&mut combos);
    let value = if combos.len() == 1 {
        combos.remove(0)
    } else {
        Value::Siblings(combos)
    };
    (value, seen)
}

/// Every key of one AP replica. Kept on disk: survives crashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VStore {
    pub case: Case,
    pub keys: Vec<Versioned>,
}

impl VStore {
    pub fn new(cfg: &ProtoConfig) -> VStore {
        let keys = (0..cfg.case.keys().len() as u8)
            .map(|k| Versioned::new(cfg, k))
            .collect();
        VStore {
            case: cfg.case,
            keys,
        }
    }

    /// Applies update `req` (op `op`) locally; returns the keys it changed. A refusal
    /// (`InsufficientFunds` on the local balance) changes nothing.
    pub fn update(
        &mut self,
        me: NodeId,
        wall_clock: i64,
        op: OpId,
        req: &Request,
    ) -> Result<Vec<u8>, Reason> {
        assert!(req.kind.is_update());
        let changes = changes_of(self.case, req, |k| self.keys[k as usize].local_int())?;
        let mut keys: Vec<u8> = Vec::new();
        for (k, change) in changes {
            self.keys[k as usize].update(me, wall_clock, op, change);
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
        Ok(keys)
    }

    /// What a local read of `req` returns, and the ops it reflects.
    pub fn read(&self, req: &Request) -> (Value, OpSet) {
        combine_read(self.case, req, |k| self.keys[k as usize].read())
    }

    /// Merges `value` into key `key`; returns true if the local value changed.
    pub fn merge(&mut self, key: u8, value: &Versioned) -> bool {
        let Some(local) = self.keys.get_mut(key as usize) else {
            panic!("key {key} out of range");
        };
        local.merge_changed(value)
    }

    /// The current versions of `keys`, to send.
    pub fn values(&self, keys: &[u8]) -> Vec<(u8, Versioned)> {
        keys.iter()
            .map(|k| (*k, self.keys[*k as usize].clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::types::{Conflict, Mode};
    use proptest::prelude::*;

    fn cfg(conflict: Conflict, case: Case) -> ProtoConfig {
        ProtoConfig::new(Mode::Ap, conflict, case, 3)
    }

    /// Replays a random history of local updates and pairwise merges on three replicas of one
    /// key; returns the three resulting values.
    fn replay(cfg: &ProtoConfig, key: u8, steps: &[(u8, u8, bool, i64)]) -> Vec<Versioned> {
        let mut reps = vec![Versioned::new(cfg, key); 3];
        for (op, (a, b, is_merge, x)) in steps.iter().enumerate() {
            let (a, b) = (*a as usize % 3, *b as usize % 3);
            if *is_merge {
                let other = reps[b].clone();
                reps[a].merge(&other);
            } else {
                let change = match cfg.case.key_type(key) {
                    KeyType::Set => Change::Insert(*x as u32 % 5),
                    KeyType::Counter => Change::Add(*x - 20),
                    KeyType::Register => Change::Assign(*x),
                };
                reps[a].update(a as NodeId, *x, op as OpId, change);
            }
        }
        reps
    }

    fn merged(a: &Versioned, b: &Versioned) -> Versioned {
        let mut m = a.clone();
        m.merge(b);
        m
    }

    proptest! {
        #[test]
        fn merge_is_commutative_associative_idempotent(
            conflict in prop::sample::select(vec![Conflict::Lww, Conflict::Vclock, Conflict::Crdt]),
            which in 0usize..3,
            steps in prop::collection::vec((0u8..3, 0u8..3, any::<bool>(), 0i64..50), 0..40),
        ) {
            let (case, key) = [(Case::Feed, 0), (Case::Feed, 1), (Case::Register, 0)][which];
            let c = cfg(conflict, case);
            let r = replay(&c, key, &steps);
            let (a, b, d) = (&r[0], &r[1], &r[2]);
            prop_assert_eq!(merged(a, b), merged(b, a));
            prop_assert_eq!(merged(&merged(a, b), d), merged(a, &merged(b, d)));
            prop_assert_eq!(merged(a, a), a.clone());
            prop_assert!(merged(a, b).covers(a) && merged(a, b).covers(b));
            // A merge never invents ops.
            let mut union = a.read().1;
            union.union_with(&b.read().1);
            let m = merged(a, b).read().1;
            prop_assert!(m.iter().all(|op| union.contains(op)));
        }
    }

    /// Two replicas like concurrently (op 1 at n1, op 2 at n3), then exchange versions.
    fn concurrent_likes(conflict: Conflict) -> Versioned {
        let c = cfg(conflict, Case::Feed);
        let mut a = Versioned::new(&c, 1);
        let mut b = Versioned::new(&c, 1);
        a.update(0, 10, 1, Change::Add(1));
        b.update(2, 20, 2, Change::Add(1));
        let b_after = merged(&b, &a);
        a.merge(&b);
        assert_eq!(a, b_after, "both replicas converge");
        a
    }

    /// Issue #12: a feed's post set travels in every message and hint; a copy must not copy
    /// the posts, and a merge that adds nothing must not either.
    #[test]
    fn crdt_set_copies_share_storage_and_reads_stay_sorted() {
        let cfg = cfg(Conflict::Crdt, Case::Feed);
        let mut a = Versioned::new(&cfg, 0);
        let mut b = Versioned::new(&cfg, 0);
        for op in 0..2_000u32 {
            // Ids out of order, some repeated, split between two replicas.
            let id = (op * 7_919) % 1_500;
            let at = if op % 3 == 0 { &mut b } else { &mut a };
            at.update((op % 3) as NodeId, 0, op, Change::Insert(id));
        }
        let copy = a.clone();
        let (Versioned::Set(sa), Versioned::Set(sc)) = (&a, &copy) else {
            panic!("a set value expected")
        };
        assert!(Arc::ptr_eq(&sa.dots, &sc.dots) && Arc::ptr_eq(&sa.ids, &sc.ids));
        a.merge(&b);
        b.merge(&a);
        assert_eq!(a, b, "both replicas converge");
        let (Versioned::Set(sa), Versioned::Set(sb)) = (&a, &b) else {
            panic!("a set value expected")
        };
        assert!(
            Arc::ptr_eq(&sa.dots, &sb.dots),
            "b took a's union without a copy"
        );
        let before = a.clone();
        assert!(
            !a.merge_changed(&b),
            "merging a covered value changes nothing"
        );
        let (Versioned::Set(sa), Versioned::Set(sbefore)) = (&a, &before) else {
            panic!("a set value expected")
        };
        assert!(Arc::ptr_eq(&sa.dots, &sbefore.dots), "and copies nothing");
        let mut expected: Vec<u32> = sa.dots.iter().map(|(_, id)| *id).collect();
        expected.sort_unstable();
        expected.dedup();
        assert_eq!(a.read().0, Value::Set(expected));
        assert_eq!(a.read().1.len(), 2_000);
    }

    #[test]
    fn lww_loses_one_of_two_concurrent_likes() {
        let (value, ops) = concurrent_likes(Conflict::Lww).read();
        assert_eq!(value, Value::Int(1));
        // The later stamp (20@n3, op 2) wins; op 1's like is lost.
        assert!(ops.contains(2) && !ops.contains(1));
    }

    #[test]
    fn crdt_counter_keeps_both_concurrent_likes() {
        let (value, ops) = concurrent_likes(Conflict::Crdt).read();
        assert_eq!(value, Value::Int(2));
        assert!(ops.contains(1) && ops.contains(2));
    }

    #[test]
    fn vclock_keeps_siblings_for_concurrent_updates_only() {
        let v = concurrent_likes(Conflict::Vclock);
        let (value, ops) = v.read();
        assert_eq!(value, Value::Siblings(vec![Value::Int(1), Value::Int(1)]));
        let Versioned::Vclock(sibs) = &v else {
            panic!("vclock value expected")
        };
        assert_eq!(sibs.len(), 2, "concurrent updates are kept side by side");
        assert!(ops.contains(1) && ops.contains(2));

        // A causally later update (at n2, after seeing both) resolves them into one sibling.
        let mut later = v.clone();
        later.update(1, 30, 3, Change::Add(1));
        let Versioned::Vclock(sibs) = &later else {
            panic!("vclock value expected")
        };
        assert_eq!(sibs.len(), 1);
        assert_eq!(sibs[0].clock, vec![1, 1, 1]);
        let mut both = v.clone();
        both.merge(&later);
        assert_eq!(both, later, "the later version dominates both siblings");
        assert_eq!(later.read().0, Value::Int(2), "max(1, 1) + 1");
    }

    #[test]
    fn vclock_sets_resolve_by_union_and_feed_reads_combine_siblings() {
        let c = cfg(Conflict::Vclock, Case::Feed);
        let mut store_a = VStore::new(&c);
        let mut store_b = VStore::new(&c);
        let post = |arg| Request {
            kind: OpKind::Post,
            key: 0,
            key2: 0,
            arg,
            consistency: Default::default(),
        };
        store_a.update(0, 1, 1, &post(7)).unwrap();
        store_b.update(1, 1, 2, &post(9)).unwrap();
        store_a.merge(0, &store_b.keys[0]);
        let read = Request {
            kind: OpKind::Read,
            ..post(0)
        };
        let (value, seen) = store_a.read(&read);
        assert_eq!(
            value,
            Value::Siblings(vec![
                Value::Feed {
                    posts: vec![7],
                    likes: 0
                },
                Value::Feed {
                    posts: vec![9],
                    likes: 0
                },
            ])
        );
        assert!(seen.contains(1) && seen.contains(2));
        store_a.update(0, 2, 3, &post(1)).unwrap();
        assert_eq!(
            store_a.read(&read).0,
            Value::Feed {
                posts: vec![1, 7, 9],
                likes: 0
            }
        );
    }

    #[test]
    fn withdraw_is_judged_on_the_local_balance() {
        let c = cfg(Conflict::Crdt, Case::Bank);
        let mut s = VStore::new(&c);
        let w = Request {
            kind: OpKind::Withdraw,
            key: 0,
            key2: 0,
            arg: 80,
            consistency: Default::default(),
        };
        assert_eq!(s.update(0, 1, 1, &w), Ok(vec![0]));
        assert_eq!(
            s.update(0, 2, 2, &w),
            Err(Reason::InsufficientFunds { balance: 20 })
        );
        assert_eq!(
            s.keys[0].read(),
            (Value::Int(20), {
                let mut o = OpSet::new();
                o.insert(1);
                o
            })
        );
    }
}
