//! What the search does around one candidate: which candidates are alike (symmetry classes),
//! whether waiting optional ops could unblock a dead end, placing an op, and the counter-example
//! a dead end leaves. Part of [`super`]; split out to keep each file to one job.

use std::collections::BTreeMap;

use super::*;

/// The most optional ops one block may hold (a read needing more gets none: it is rejected).
pub(super) const MAX_BLOCK: i64 = crate::sim::types::MAX_OPS as i64;

/// Numbers the ops of a part by class: equal requests (as the model sees them) and equal
/// expected answers.
pub(super) fn classes(ops: &[POp]) -> Vec<u32> {
    let mut seen: BTreeMap<ClassKey, u32> = BTreeMap::new();
    ops.iter()
        .map(|o| {
            let next = u32::try_from(seen.len()).expect("parts hold at most MAX_OPS ops");
            *seen.entry(class_key(o)).or_insert(next)
        })
        .collect()
}

/// (kind, key, key2, arg, expectation tag, expected read value).
pub(super) type ClassKey = (OpKind, u8, u8, i64, u8, Option<Value>);

pub(super) fn class_key(o: &POp) -> ClassKey {
    let (tag, value) = match &o.expect {
        Expect::Read(v) => (0, v.clone()),
        Expect::Done => (1, None),
        Expect::Refused => (2, None),
        Expect::Any => (3, None),
    };
    let r = &o.req;
    let (key, key2, arg) = match r.kind {
        // What the model ignores: a like's key and arg, a post's keys.
        OpKind::Like => (1, 1, 0),
        OpKind::Post => (0, 0, r.arg),
        _ => (r.key, r.key2, r.arg),
    };
    (r.kind, key, key2, arg, tag, value)
}

/// At a dead end: could placing some of the optional ops now waiting make a required candidate
/// that the model currently rejects acceptable? A sound over-approximation (true when unsure):
/// bank balances move by at most the waiting deltas (guards are monotone in the balance),
/// register reads need a waiting write of their value, feed reads need their missing posts and
/// likes among the waiting ones.
pub(super) fn optional_can_help(case: Case, ops: &[POp], ev: &Events, state: &State) -> bool {
    let mut waiting: Vec<&Request> = Vec::new();
    let mut rejected: Vec<&POp> = Vec::new();
    let mut e = ev.next[HEAD];
    while e != NIL && ev.is_call[e] {
        let op = &ops[ev.op[e]];
        if op.ret.is_none() {
            waiting.push(&op.req);
        } else if !accepted_now(op, state) {
            rejected.push(op);
        }
        e = ev.next[e];
    }
    if waiting.is_empty() {
        return false;
    }
    rejected.iter().any(|x| could_fix(case, x, &waiting, state))
}

pub(super) fn accepted_now(op: &POp, state: &State) -> bool {
    if let Expect::Read(expected) = &op.expect {
        return expected.as_ref() == Some(&state.read(&op.req));
    }
    let mut s = state.clone();
    op.expect.accepts(&s.apply(&op.req))
}

/// The change each waiting op makes to integer key `key` (0 when it does not touch it).
pub(super) fn deltas<'a>(
    case: Case,
    waiting: &'a [&'a Request],
    key: u8,
) -> impl Iterator<Item = i64> + 'a {
    waiting.iter().map(move |w| match (case, w.kind) {
        (Case::Feed, OpKind::Like) if key == 1 => 1,
        (Case::Bank, OpKind::Deposit) if w.key == key => w.arg,
        (Case::Bank, OpKind::Withdraw | OpKind::Transfer) if w.key == key => w.arg.saturating_neg(),
        (Case::Bank, OpKind::Transfer) if w.key2 == key => w.arg,
        _ => 0,
    })
}

/// The (lowest, highest) change the waiting ops can make to integer key `key`.
pub(super) fn delta_range(case: Case, waiting: &[&Request], key: u8) -> (i64, i64) {
    let (mut low, mut high) = (0i64, 0i64);
    for d in deltas(case, waiting, key) {
        if d < 0 {
            low = low.saturating_add(d);
        } else {
            high = high.saturating_add(d);
        }
    }
    (low, high)
}

pub(super) fn could_fix(case: Case, x: &POp, waiting: &[&Request], state: &State) -> bool {
    let in_range = |key: u8, target: i64| {
        let (low, high) = delta_range(case, waiting, key);
        let need = target.saturating_sub(state.int(key));
        (low..=high).contains(&need)
    };
    match (case, &x.expect) {
        (Case::Register, Expect::Read(Some(Value::Int(v)))) => waiting
            .iter()
            .any(|w| w.kind == OpKind::Write && w.key == x.req.key && w.arg == *v),
        (Case::Bank, Expect::Read(Some(Value::Int(v)))) => {
            // Exactly: the change must be the sum of some of the waiting deltas on that key.
            let need = v.saturating_sub(state.int(x.req.key));
            let ds: Vec<i64> = deltas(case, waiting, x.req.key)
                .filter(|d| *d != 0)
                .collect();
            in_range(x.req.key, *v) && super::super::anomalies::offsets(&ds)(need)
        }
        (Case::Feed, Expect::Read(Some(Value::Feed { posts, likes }))) => {
            let have = match &state.keys[0] {
                Value::Set(s) => s.as_slice(),
                _ => &[],
            };
            let posts_ok = have.iter().all(|p| posts.contains(p))
                && posts.iter().filter(|p| !have.contains(p)).all(|p| {
                    waiting
                        .iter()
                        .any(|w| w.kind == OpKind::Post && u32::try_from(w.arg) == Ok(*p))
                });
            posts_ok && in_range(1, *likes)
        }
        (_, Expect::Read(_)) => false,
        // An Ok withdrawal/transfer refused now needs more money: the most the waiting ops add.
        (Case::Bank, Expect::Done) => {
            let (_, high) = delta_range(case, waiting, x.req.key);
            state.int(x.req.key).saturating_add(high) >= x.req.arg
        }
        // A refusal the model does not make now needs less money.
        (Case::Bank, Expect::Refused) => {
            let (low, _) = delta_range(case, waiting, x.req.key);
            state.int(x.req.key).saturating_add(low) < x.req.arg
        }
        _ => true,
    }
}

/// Tries to linearize op `i` now. On success the op is marked, `state` advanced, and the state
/// before it returned (`Some(None)` when the op left the state unchanged).
#[allow(clippy::option_option)]
pub(super) fn try_place(
    op: &POp,
    state: &mut State,
    lin: &mut Linearized,
    i: usize,
    memo: &mut Memo,
) -> Option<Option<State>> {
    if let Expect::Read(expected) = &op.expect {
        // Reads leave the state unchanged: compare without cloning it.
        if expected.as_ref() != Some(&state.read(&op.req)) {
            return None;
        }
        lin.toggle(i);
        if memo.insert(lin, state) {
            return Some(None);
        }
        lin.toggle(i);
        return None;
    }
    let mut next = state.clone();
    let result = next.apply(&op.req);
    if !op.expect.accepts(&result) {
        return None;
    }
    lin.toggle(i);
    if memo.insert(lin, &next) {
        return Some(Some(std::mem::replace(state, next)));
    }
    lin.toggle(i);
    None
}

/// The counter-example at a dead end: the blocked op, the required ops still waiting in its
/// window, and the last linearized update of each key the blocked op touches.
pub(super) fn explain(
    case: Case,
    ops: &[POp],
    ev: &Events,
    stack: &[Placed],
    blocked: usize,
) -> Vec<OpId> {
    let mut ids = Vec::new();
    let mut e = ev.next[HEAD];
    while e != NIL && e != blocked {
        if ev.is_call[e] && ops[ev.op[e]].ret.is_some() {
            ids.push(ops[ev.op[e]].id);
        }
        e = ev.next[e];
    }
    if blocked == NIL {
        return ids;
    }
    let b = &ops[ev.op[blocked]];
    ids.push(b.id);
    let mut keys = State::keys_of(case, &b.req);
    for (call, _, _) in stack.iter().rev() {
        if keys.is_empty() {
            break;
        }
        let o = &ops[ev.op[*call]];
        if !o.req.kind.is_update() {
            continue;
        }
        let touched = State::keys_of(case, &o.req);
        let before = keys.len();
        keys.retain(|k| !touched.contains(k));
        if keys.len() < before {
            ids.push(o.id);
        }
    }
    ids
}
