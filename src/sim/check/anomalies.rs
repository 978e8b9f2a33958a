//! Anomalies a run can show: stale reads, lost updates, divergence, and the bank's invariants.

use std::collections::BTreeSet;

use crate::sim::model::State;
use crate::sim::sort;
use crate::sim::types::{
    Case, Consistency, OpId, OpKind, OpRecord, OpSet, Outcome, Request, Tick, Value,
};

use super::EndState;

/// Reads that missed an acknowledged update (the engine fills `missed`), by id.
pub fn stale_reads(ops: &[OpRecord]) -> Vec<OpId> {
    ops.iter()
        .filter(|o| o.req.kind == OpKind::Read && o.is_stale())
        .map(|o| o.id)
        .collect()
}

/// Acknowledged (`Ok`) updates that no replica's final value reflects, on any key they touch:
/// the write was confirmed to the client and then lost (e.g. discarded by last-writer-wins).
/// Empty when the engine reports no replica (nothing to compare against).
pub fn lost_updates(case: Case, ops: &[OpRecord], replica_seen: &[Vec<OpSet>]) -> Vec<OpId> {
    if replica_seen.is_empty() {
        return Vec::new();
    }
    let held = |op: &OpRecord| {
        State::keys_of(case, &op.req).iter().any(|k| {
            replica_seen
                .iter()
                .any(|keys| keys.get(*k as usize).is_some_and(|s| s.contains(op.id)))
        })
    };
    ops.iter()
        .filter(|o| o.outcome() == Some(Outcome::Ok) && o.req.kind.is_update())
        .filter(|o| !held(o))
        .map(|o| o.id)
        .collect()
}

/// Converged: the engine saw the replicas agree, and their final values are all equal.
pub fn converged(converged_at: Option<Tick>, replica_values: &[Vec<Value>]) -> bool {
    converged_at.is_some() && replica_values.windows(2).all(|w| w[0] == w[1])
}

/// The bank's invariants (all `None`/0 for other cases).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankChecks {
    /// The lowest balance any replica held (the engine's figure, else the final replicas').
    pub min_balance: Option<i64>,
    /// `Ok` withdrawals/transfers paid out without the money (see [`double_spends`]).
    pub double_spends: u32,
    /// Whether every replica's total equals the money deposited minus the money withdrawn.
    pub money_conserved: Option<bool>,
}

pub fn bank(case: Case, initial: &[i64], ops: &[OpRecord], end: &EndState) -> BankChecks {
    if case != Case::Bank {
        return BankChecks {
            min_balance: None,
            double_spends: 0,
            money_conserved: None,
        };
    }
    let final_min = end
        .replica_values
        .iter()
        .flatten()
        .filter_map(|v| match v {
            Value::Int(x) => Some(*x),
            _ => None,
        })
        .min();
    BankChecks {
        min_balance: end.min_balance.or(final_min),
        double_spends: double_spends(initial, ops),
        money_conserved: money_conserved(initial, ops, &end.replica_values),
    }
}

/// The double spends to report, given the linearizability verdict and the completion-order
/// replay's count: a linearizable history has a legal single-copy order in which every accepted
/// withdrawal was covered, so it has none, whatever order the replies came back in (the replay
/// cannot see timed-out deposits that did land).
pub fn settle_double_spends(linearizable: Option<bool>, replayed: u32) -> u32 {
    if linearizable == Some(true) {
        0
    } else {
        replayed
    }
}

/// Replays every `Ok` deposit, withdrawal and transfer in completion order (ties: by id) on a
/// fresh single copy, and counts the withdrawals/transfers it would have refused. The replay
/// follows the money that was actually paid out: a counted op is still debited (the balance may
/// go negative), so later withdrawals that the lost money could not cover count as well.
pub fn double_spends(initial: &[i64], ops: &[OpRecord]) -> u32 {
    u32::try_from(double_spend_ops(initial, ops).len()).unwrap_or(u32::MAX)
}

/// The ops [`double_spends`] counts, in the replay's order, each with the balance its account
/// held in the replay just before it (less than it paid out).
pub fn double_spend_ops(initial: &[i64], ops: &[OpRecord]) -> Vec<(OpId, i64)> {
    let mut updates: Vec<&OpRecord> = ops
        .iter()
        .filter(|o| o.outcome() == Some(Outcome::Ok))
        .filter(|o| {
            matches!(
                o.req.kind,
                OpKind::Deposit | OpKind::Withdraw | OpKind::Transfer
            )
        })
        .collect();
    sort::sort_by_key(&mut updates, |o| (o.completed_at(), o.id));
    let mut state = State::new(Case::Bank, initial);
    let n_keys = Case::Bank.keys().len();
    let mut found = Vec::new();
    for o in updates {
        if !super::lin::op_is_valid(Case::Bank, &o.req) {
            continue;
        }
        let before = state.int(o.req.key);
        if state.apply(&o.req).is_err() {
            found.push((o.id, before));
            let debit = |key: u8, arg: i64| Request {
                kind: OpKind::Deposit,
                key,
                key2: key,
                arg,
                consistency: Consistency::Default,
            };
            // Forced: the money left anyway. Deposits of ±arg cannot be refused.
            let _ = state.apply(&debit(o.req.key, o.req.arg.saturating_neg()));
            if o.req.kind == OpKind::Transfer && (o.req.key2 as usize) < n_keys {
                let _ = state.apply(&debit(o.req.key2, o.req.arg));
            }
        }
    }
    found
}

/// Most distinct totals the indeterminate (timed-out) ops can explain before falling back to
/// their range.
const MAX_SUBSET_SUMS: usize = 4096;

/// For each replica: the sum of its balances equals the initial money plus `Ok` deposits minus
/// `Ok` withdrawals (transfers move money and net to zero), give or take any subset of the
/// timed-out/pending deposits and withdrawals (their effect is unknown). `None` when there is no
/// replica or a replica holds a non-integer balance (e.g. unresolved siblings).
pub fn money_conserved(
    initial: &[i64],
    ops: &[OpRecord],
    replica_values: &[Vec<Value>],
) -> Option<bool> {
    let n_keys = Case::Bank.keys().len();
    let delta = |o: &OpRecord| match o.req.kind {
        OpKind::Deposit => o.req.arg,
        OpKind::Withdraw => o.req.arg.saturating_neg(),
        _ => 0,
    };
    let mut expected: i64 = initial.iter().take(n_keys).sum();
    let mut unknown: Vec<i64> = Vec::new();
    for o in ops {
        match o.outcome() {
            Some(Outcome::Ok) => expected = expected.saturating_add(delta(o)),
            Some(Outcome::Timeout) | None if delta(o) != 0 => unknown.push(delta(o)),
            _ => {}
        }
    }
    let explains = offsets(&unknown);
    let mut all = true;
    for values in replica_values {
        let mut total = 0i64;
        for v in values {
            match v {
                Value::Int(x) => total = total.saturating_add(*x),
                _ => return None,
            }
        }
        all &= explains(total.saturating_sub(expected));
    }
    if replica_values.is_empty() {
        None
    } else {
        Some(all)
    }
}

/// A test for "can this offset be the sum of some subset of `deltas`". Exact up to
/// [`MAX_SUBSET_SUMS`] distinct sums, then the (looser) range of all subset sums.
pub(crate) fn offsets(deltas: &[i64]) -> impl Fn(i64) -> bool {
    let mut sums: BTreeSet<i64> = BTreeSet::from([0]);
    let mut exact = true;
    for d in deltas {
        let shifted: Vec<i64> = sums.iter().map(|s| s.saturating_add(*d)).collect();
        sums.extend(shifted);
        if sums.len() > MAX_SUBSET_SUMS {
            exact = false;
            break;
        }
    }
    let low: i64 = deltas.iter().filter(|d| **d < 0).sum();
    let high: i64 = deltas.iter().filter(|d| **d > 0).sum();
    move |x| {
        if exact {
            sums.contains(&x)
        } else {
            (low..=high).contains(&x)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{ok, op, read};
    use super::*;
    use crate::sim::types::Reason;

    fn seen(ids: &[OpId]) -> OpSet {
        let mut s = OpSet::new();
        for i in ids {
            s.insert(*i);
        }
        s
    }

    #[test]
    fn stale_reads_are_reads_with_missed_updates() {
        let mut ops = vec![
            ok(0, OpKind::Write, 1, 0, 5),
            read(1, 0, 6, 8),
            read(2, 1, 6, 8),
        ];
        ops[1].missed = vec![0];
        assert_eq!(stale_reads(&ops), vec![1]);
    }

    #[test]
    fn lost_update_is_an_ok_update_no_replica_holds() {
        // Feed: like 0 (ok, held by n2), like 1 (ok, held by nobody: lost by LWW),
        // like 2 timed out (not acknowledged, so not "lost"), post 3 (ok, held by n1).
        let ops = vec![
            op(
                0,
                0,
                OpKind::Like,
                1,
                0,
                0,
                Some(5),
                Some(Outcome::Ok),
                None,
            ),
            op(
                1,
                1,
                OpKind::Like,
                1,
                0,
                0,
                Some(5),
                Some(Outcome::Ok),
                None,
            ),
            op(
                2,
                2,
                OpKind::Like,
                1,
                0,
                0,
                Some(9),
                Some(Outcome::Timeout),
                None,
            ),
            op(
                3,
                0,
                OpKind::Post,
                0,
                7,
                6,
                Some(8),
                Some(Outcome::Ok),
                None,
            ),
        ];
        let replicas = vec![vec![seen(&[3]), seen(&[])], vec![seen(&[]), seen(&[0])]];
        assert_eq!(lost_updates(Case::Feed, &ops, &replicas), vec![1]);
        // The post is held only under key 0; it is not found under key 1 (likes).
        let only_likes = vec![vec![seen(&[]), seen(&[0, 1, 3])]];
        assert_eq!(lost_updates(Case::Feed, &ops, &only_likes), vec![3]);
        assert!(lost_updates(Case::Feed, &ops, &[]).is_empty());
    }

    #[test]
    fn convergence_needs_the_engine_and_equal_values() {
        let same = vec![vec![Value::Int(1)], vec![Value::Int(1)]];
        let differ = vec![vec![Value::Int(1)], vec![Value::Int(2)]];
        assert!(converged(Some(10), &same));
        assert!(!converged(Some(10), &differ));
        assert!(!converged(None, &same));
    }

    #[test]
    fn double_spend_counts_uncovered_withdrawals() {
        // 100 in checking; two Ok withdrawals of 80, then one of 20: only the first is covered.
        let ops = vec![
            ok(0, OpKind::Withdraw, 80, 0, 10),
            ok(1, OpKind::Withdraw, 80, 0, 11),
            ok(2, OpKind::Withdraw, 20, 12, 14),
        ];
        assert_eq!(double_spends(&[100, 0], &ops), 2);
        // A deposit of 100 completing first covers both 80s: 100+100-80-80-20 = 20.
        let mut covered = ops.clone();
        covered.push(ok(3, OpKind::Deposit, 100, 0, 10));
        assert_eq!(double_spends(&[100, 0], &covered), 0);
        assert_eq!(double_spends(&[100, 0], &covered[..2]), 1);
    }

    #[test]
    fn money_conservation_accounts_for_ok_and_timed_out_ops() {
        let mut ops = vec![
            ok(0, OpKind::Deposit, 50, 0, 5),
            ok(1, OpKind::Withdraw, 30, 6, 9),
            op(
                2,
                2,
                OpKind::Transfer,
                0,
                10,
                10,
                Some(12),
                Some(Outcome::Ok),
                None,
            ),
            op(
                3,
                3,
                OpKind::Withdraw,
                0,
                500,
                10,
                Some(12),
                Some(Outcome::Refused(Reason::InsufficientFunds { balance: 110 })),
                None,
            ),
        ];
        // 100 + 50 - 30 = 120, split over checking and savings.
        let good = vec![vec![Value::Int(110), Value::Int(10)]];
        let bad = vec![
            vec![Value::Int(110), Value::Int(10)],
            vec![Value::Int(150), Value::Int(0)],
        ];
        assert_eq!(money_conserved(&[100, 0], &ops, &good), Some(true));
        assert_eq!(money_conserved(&[100, 0], &ops, &bad), Some(false));
        assert_eq!(money_conserved(&[100, 0], &ops, &[]), None);
        // A timed-out deposit of 30 may or may not have landed: both 120 and 150 are fine.
        ops.push(op(
            4,
            4,
            OpKind::Deposit,
            0,
            30,
            20,
            Some(40),
            Some(Outcome::Timeout),
            None,
        ));
        assert_eq!(money_conserved(&[100, 0], &ops, &bad), Some(true));
        let siblings = vec![vec![Value::Siblings(vec![Value::Int(1)]), Value::Int(0)]];
        assert_eq!(money_conserved(&[100, 0], &ops, &siblings), None);
    }

    #[test]
    fn subset_sums_fall_back_to_the_range() {
        assert!(offsets(&[5, -3])(2));
        assert!(!offsets(&[5, -3])(1));
        let many: Vec<i64> = (1..=40).map(|i| 1i64 << i).collect(); // 2^40 distinct sums
        let test = offsets(&many);
        assert!(test(1));
        assert!(!test(-1));
    }
}
