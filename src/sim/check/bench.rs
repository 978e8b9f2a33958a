//! A realistic, linearizable-by-construction history to time the linearizability checker on.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::sim::model::State;
use crate::sim::sort;
use crate::sim::types::{
    Case, ClientId, Completion, Consistency, NodeId, OpKind, OpRecord, Outcome, Request, Tick,
    MAX_OPS,
};

/// Ticks a client waits for an answer before it gives up.
const TIMEOUT_TICKS: Tick = 40;

/// A bank history of `n_ops` ops (at most `MAX_OPS`) from 3–5 concurrent clients against a
/// single copy with random latencies: each op takes effect at one instant inside
/// `[invoke, complete]`, in a global order, so the history is linearizable. Every op gets an
/// answer (see [`history_with_timeouts`] for timed-out ones). Same `seed` ⇒ same history.
pub fn bench_history(n_ops: usize, seed: u64) -> (Case, Vec<i64>, Vec<OpRecord>) {
    history_with_timeouts(n_ops, seed, 0)
}

/// [`bench_history`] with about `timeouts_per_mille` updates in 1000 timing out (the client
/// gives up after 40 ticks; the effect lands or not, half and half).
pub fn history_with_timeouts(
    n_ops: usize,
    seed: u64,
    timeouts_per_mille: u32,
) -> (Case, Vec<i64>, Vec<OpRecord>) {
    assert!(
        n_ops <= MAX_OPS,
        "bench_history: {n_ops} ops exceeds MAX_OPS"
    );
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let case = Case::Bank;
    let initial = vec![100, 50];
    let n_clients: usize = rng.random_range(3..=5);
    let mut next_free: Vec<Tick> = (0..n_clients).map(|_| rng.random_range(0..5)).collect();
    // (op index, the tick it takes effect; None: never).
    let mut effects: Vec<(usize, Option<Tick>)> = Vec::with_capacity(n_ops);
    let mut ops: Vec<OpRecord> = Vec::with_capacity(n_ops);
    for i in 0..n_ops {
        let client = (0..n_clients)
            .min_by_key(|c| (next_free[*c], *c))
            .unwrap_or(0);
        let invoke = next_free[client];
        let req = random_request(&mut rng);
        let point = invoke + rng.random_range(1..=4);
        let mut complete = point + rng.random_range(0..=4);
        let mut effect = Some(point);
        let mut outcome = Outcome::Ok;
        if req.kind.is_update() && rng.random_range(0..1000) < timeouts_per_mille {
            outcome = Outcome::Timeout;
            complete = invoke + TIMEOUT_TICKS;
            if rng.random_bool(0.5) {
                effect = None;
            }
        }
        next_free[client] = complete + rng.random_range(0..=3);
        effects.push((i, effect));
        ops.push(OpRecord {
            id: i as u32,
            client: client as ClientId,
            node: (client % 3) as NodeId,
            req,
            invoke,
            completion: Some(Completion::without_value(complete, outcome)),
            missed: Vec::new(),
            fresh: None,
        });
    }
    // Apply in effect order; fill in what each op returned.
    effects.retain(|(_, at)| at.is_some());
    sort::sort_by_key(&mut effects, |(i, at)| (*at, *i));
    let mut state = State::new(case, &initial);
    for (i, _) in effects {
        let result = state.apply(&ops[i].req);
        let op = &mut ops[i];
        let Some(at) = op
            .completed_at()
            .filter(|_| op.outcome() != Some(Outcome::Timeout))
        else {
            continue;
        };
        op.completion = Some(match result {
            Ok(v) => Completion::ok(at, v),
            Err(reason) => Completion::refused(at, reason),
        });
    }
    (case, initial, ops)
}

/// A register history of `n_ops` ops (at most `MAX_OPS`) from `n_clients` concurrent clients
/// (1..=255) on one key, every write of a value no other write uses, built like
/// [`history_with_timeouts`] (linearizable by construction; about 5 writes in 1000 time out,
/// half of them landing). Half the ops are reads. Same `seed` ⇒ same history.
pub fn register_history(
    n_ops: usize,
    n_clients: usize,
    seed: u64,
) -> (Case, Vec<i64>, Vec<OpRecord>) {
    assert!(n_ops <= MAX_OPS && (1..=255).contains(&n_clients));
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut next_free: Vec<Tick> = (0..n_clients).map(|_| rng.random_range(0..5)).collect();
    let mut points: Vec<(Tick, usize)> = Vec::with_capacity(n_ops);
    let mut ops: Vec<OpRecord> = Vec::with_capacity(n_ops);
    for i in 0..n_ops {
        let client = (0..n_clients)
            .min_by_key(|c| (next_free[*c], *c))
            .unwrap_or(0);
        let invoke = next_free[client];
        let write = rng.random_bool(0.5);
        let point = invoke + rng.random_range(1..=6);
        let mut complete = point + rng.random_range(0..=6);
        let mut outcome = Outcome::Ok;
        if write && rng.random_range(0..1000) < 5 {
            outcome = Outcome::Timeout;
            complete = invoke + TIMEOUT_TICKS;
        }
        if outcome == Outcome::Ok || rng.random_bool(0.5) {
            points.push((point, i));
        }
        next_free[client] = complete + rng.random_range(0..=3);
        let kind = if write { OpKind::Write } else { OpKind::Read };
        ops.push(OpRecord {
            id: i as u32,
            client: client as ClientId,
            node: (client % 3) as NodeId,
            req: Request {
                kind,
                key: 0,
                key2: 0,
                arg: if write { i as i64 + 1 } else { 0 },
                consistency: Consistency::Default,
            },
            invoke,
            completion: Some(Completion::without_value(complete, outcome)),
            missed: Vec::new(),
            fresh: None,
        });
    }
    sort::sort(&mut points);
    let mut state = State::new(Case::Register, &[0]);
    for (_, i) in points {
        let applied = state.apply(&ops[i].req);
        let acked = ops[i]
            .completion
            .as_ref()
            .filter(|c| c.outcome() == Outcome::Ok);
        if let (Ok(v), Some(c)) = (applied, acked) {
            ops[i].completion = Some(Completion::ok(c.at(), v));
        }
    }
    (Case::Register, vec![0], ops)
}

fn random_request(rng: &mut ChaCha8Rng) -> Request {
    let key: u8 = rng.random_range(0..2);
    let (kind, arg) = match rng.random_range(0..100) {
        0..30 => (OpKind::Deposit, rng.random_range(1..=50)),
        30..55 => (OpKind::Withdraw, rng.random_range(1..=60)),
        55..70 => (OpKind::Transfer, rng.random_range(1..=40)),
        _ => (OpKind::Read, 0),
    };
    Request {
        kind,
        key,
        key2: if kind == OpKind::Transfer {
            1 - key
        } else {
            key
        },
        arg,
        consistency: Consistency::Default,
    }
}
