//! Checkers: what a finished run's history proves.
//!
//! Everything here works on data only — the history (`&[OpRecord]`) and a few facts the engine
//! gathered ([`RunFacts`]) — so it can check a live run, an exported history or a hand-made one.
//!
//! - [`lin`]: linearizability (Wing–Gong–Lowe search against the sequential model).
//! - [`anomalies`]: stale reads, lost updates, convergence, bank invariants.
//! - [`stats`]: outcomes, availability, latency.
//! - [`history`]: the exported history format and a Porcupine-style event log.
//! - [`bench`]: a realistic linearizable history to time the checker on.

pub mod anomalies;
pub mod bench;
pub mod history;
pub mod lin;
pub mod stats;

use serde::Serialize;

use crate::sim::types::{Case, Consistency, OpId, OpKind, OpRecord, OpSet, Tick, Value};

pub use bench::bench_history;
#[cfg(not(target_arch = "wasm32"))]
pub use history::{history_from_json, history_to_json};
pub use history::{history_json, porcupine_log};
pub use stats::NodeStats;

/// Facts about a finished run, provided by the engine.
#[derive(Clone, Debug)]
pub struct RunFacts<'a> {
    pub case: Case,
    /// Initial integer value per key.
    pub initial: &'a [i64],
    /// The whole history (pending ops: `complete`/`outcome` are `None`).
    pub ops: &'a [OpRecord],
    /// Final: per data-holding replica, per key, the update ops its value reflects.
    pub replica_seen: Vec<Vec<OpSet>>,
    /// Final: per data-holding up replica, its keys' values.
    pub replica_values: Vec<Vec<Value>>,
    /// Bank: the lowest balance any replica held at any time.
    pub min_balance: Option<i64>,
    pub last_fault_end: Option<Tick>,
    pub converged_at: Option<Tick>,
    pub end_tick: Tick,
}

/// Everything the checkers found. Serialized as the CLI's JSON `checks` object.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Checks {
    /// `None`: unknown (the search budget ran out).
    pub linearizable: Option<bool>,
    /// Sorted op ids explaining a non-linearizable verdict (see [`lin`]).
    pub lin_counterexample: Vec<OpId>,
    pub stale_reads: u32,
    pub stale_ops: Vec<OpId>,
    pub lost_updates: u32,
    pub lost_ops: Vec<OpId>,
    pub converged: bool,
    /// `converged_at - last_fault_end` (from tick 0 when there was no fault), when converged.
    pub converge_ticks: Option<Tick>,
    /// Bank only.
    pub min_balance: Option<i64>,
    /// Bank only (0 otherwise).
    pub double_spends: u32,
    /// Bank only; `None` also when no replica's balances can be summed.
    pub money_conserved: Option<bool>,
    pub ok: u32,
    pub refused: u32,
    pub timeouts: u32,
    /// Ops the system served (ok, or a business refusal) / finished ops; 1.0 if none finished.
    pub availability: f64,
    pub per_node: Vec<NodeStats>,
    /// Nearest-rank percentiles of `complete - invoke` over `Ok` ops.
    pub latency_p50: Option<Tick>,
    pub latency_p99: Option<Tick>,
}

/// Runs every checker on a finished run. `lin_budget` bounds the linearizability search
/// ([`lin::DEFAULT_BUDGET`] is a good default).
pub fn check(facts: &RunFacts, lin_budget: u64) -> Checks {
    let lin = lin::check(facts.case, facts.initial, facts.ops, lin_budget);
    let stale_ops = anomalies::stale_reads(facts.ops);
    let lost_ops = anomalies::lost_updates(facts.case, facts.ops, &facts.replica_seen);
    let converged = anomalies::converged(facts.converged_at, &facts.replica_values);
    let converge_ticks = match (converged, facts.converged_at) {
        (true, Some(at)) => Some(at.saturating_sub(facts.last_fault_end.unwrap_or(0))),
        _ => None,
    };
    let bank = anomalies::bank(facts);
    let totals = stats::totals(facts.ops);
    let (latency_p50, latency_p99) = stats::latency(facts.ops);
    let double_spends = match bank.double_spends {
        0 => 0,
        replayed => {
            anomalies::settle_double_spends(money_verdict(facts, &lin, lin_budget), replayed)
        }
    };
    Checks {
        linearizable: lin.verdict,
        lin_counterexample: lin.counterexample,
        stale_reads: count(&stale_ops),
        stale_ops,
        lost_updates: count(&lost_ops),
        lost_ops,
        converged,
        converge_ticks,
        min_balance: bank.min_balance,
        double_spends,
        money_conserved: bank.money_conserved,
        ok: totals.ok,
        refused: totals.refused,
        timeouts: totals.timeouts,
        availability: totals.availability,
        per_node: stats::per_node(facts.ops),
        latency_p50,
        latency_p99,
    }
}

/// The linearizability verdict that settles double spends: an eventual read is allowed to be
/// stale and moves no money, so when one breaks linearizability the history is checked again
/// without the eventual reads (only then, and only when the replay counted a double spend).
fn money_verdict(facts: &RunFacts, lin: &lin::LinResult, lin_budget: u64) -> Option<bool> {
    let eventual =
        |o: &&OpRecord| o.req.kind == OpKind::Read && o.req.consistency == Consistency::Eventual;
    if lin.verdict != Some(false)
        || facts.case != Case::Bank
        || !facts.ops.iter().any(|o| eventual(&o))
    {
        return lin.verdict;
    }
    let rest: Vec<OpRecord> = facts.ops.iter().filter(|o| !eventual(o)).cloned().collect();
    lin::check(facts.case, facts.initial, &rest, lin_budget).verdict
}

fn count(ids: &[OpId]) -> u32 {
    u32::try_from(ids.len()).unwrap_or(u32::MAX)
}

#[cfg(test)]
pub(crate) mod testutil {
    use crate::sim::types::{
        ClientId, Consistency, NodeId, OpId, OpKind, OpRecord, Outcome, Request, Tick, Value,
    };

    /// A hand-made history entry.
    #[allow(clippy::too_many_arguments)]
    pub fn op(
        id: OpId,
        client: ClientId,
        kind: OpKind,
        key: u8,
        arg: i64,
        invoke: Tick,
        complete: Option<Tick>,
        outcome: Option<Outcome>,
        value: Option<Value>,
    ) -> OpRecord {
        OpRecord {
            id,
            client,
            node: client as NodeId % 3,
            req: Request {
                kind,
                key,
                key2: if kind == OpKind::Transfer {
                    1 - key.min(1)
                } else {
                    key
                },
                arg,
                consistency: Consistency::Default,
            },
            invoke,
            complete,
            outcome,
            value,
            missed: Vec::new(),
            fresh: None,
        }
    }

    pub fn ok(id: OpId, kind: OpKind, arg: i64, invoke: Tick, complete: Tick) -> OpRecord {
        op(
            id,
            id as ClientId,
            kind,
            0,
            arg,
            invoke,
            Some(complete),
            Some(Outcome::Ok),
            None,
        )
    }

    pub fn read(id: OpId, value: i64, invoke: Tick, complete: Tick) -> OpRecord {
        op(
            id,
            id as ClientId,
            OpKind::Read,
            0,
            0,
            invoke,
            Some(complete),
            Some(Outcome::Ok),
            Some(Value::Int(value)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::{ok, read};
    use super::*;
    use crate::sim::types::OpKind;

    #[test]
    fn check_combines_every_checker() {
        // Register: write 1 acknowledged, then a stale read of 0 (the engine marked it missed).
        let mut ops = vec![ok(0, OpKind::Write, 1, 0, 10), read(1, 0, 20, 30)];
        ops[1].missed = vec![0];
        let mut seen = OpSet::new();
        seen.insert(0);
        let facts = RunFacts {
            case: Case::Register,
            initial: &[0],
            ops: &ops,
            replica_seen: vec![vec![seen.clone()], vec![seen]],
            replica_values: vec![vec![Value::Int(1)], vec![Value::Int(1)]],
            min_balance: None,
            last_fault_end: Some(25),
            converged_at: Some(40),
            end_tick: 50,
        };
        let c = check(&facts, lin::DEFAULT_BUDGET);
        assert_eq!(c.linearizable, Some(false));
        assert_eq!(c.lin_counterexample, vec![0, 1]);
        assert_eq!((c.stale_reads, c.stale_ops.clone()), (1, vec![1]));
        assert_eq!(c.lost_updates, 0);
        assert!(c.converged);
        assert_eq!(c.converge_ticks, Some(15));
        assert_eq!(
            (c.min_balance, c.double_spends, c.money_conserved),
            (None, 0, None)
        );
        assert_eq!((c.ok, c.refused, c.timeouts), (2, 0, 0));
        assert_eq!(c.latency_p50, Some(10));
        #[cfg(not(target_arch = "wasm32"))]
        {
            let json = serde_json::to_value(&c).expect("serializes");
            for field in [
                "linearizable",
                "lin_counterexample",
                "converge_ticks",
                "per_node",
                "latency_p99",
            ] {
                assert!(json.get(field).is_some(), "missing {field}");
            }
        }
    }
}
