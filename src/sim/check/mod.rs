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
#[cfg(not(target_arch = "wasm32"))]
pub mod import;
pub mod lin;
pub mod stats;

use serde::Serialize;

use crate::sim::types::{Case, Consistency, OpId, OpKind, OpRecord, OpSet, Tick, Value};

pub use bench::bench_history;
#[cfg(not(target_arch = "wasm32"))]
pub use history::{history_from_json, history_to_json};
pub use history::{history_json, porcupine_log};
#[cfg(not(target_arch = "wasm32"))]
pub use import::{read_history, Format, LoadedHistory};
pub use stats::NodeStats;

use lin::LinResult;

/// The named search budgets of the linearizability checker (explored states). Every caller of
/// [`check`] names one, so the same input gets the same verdict wherever the same budget is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Budget {
    /// `caplab run` and `caplab check`: a thorough search.
    Cli,
    /// `caplab sweep`: one seed of many, a tenth of the CLI's.
    Sweep,
    /// The page, per history change while a run plays or is stepped (a frame's share of time).
    PageSlice,
    /// Lessons narrate the checker's verdict at each step: the CLI's budget, so a lesson says what
    /// `caplab run` says.
    Lessons,
    /// The second search that settles a bank's double spends without the readers' eventual
    /// reads: small, because the page runs it again on every refresh of its figures.
    Settle,
    /// An explicit number of steps (tests, benchmarks).
    Steps(u64),
}

impl Budget {
    /// The search steps this budget allows.
    pub const fn steps(self) -> u64 {
        match self {
            Budget::Cli | Budget::Lessons => 2_000_000,
            Budget::Sweep | Budget::PageSlice => 200_000,
            Budget::Settle => 20_000,
            Budget::Steps(n) => n,
        }
    }
}

impl From<u64> for Budget {
    fn from(steps: u64) -> Budget {
        Budget::Steps(steps)
    }
}

/// What a history alone does not tell: the final replica state and what the engine observed
/// over time. A run has it; an export carries it (the history file's optional `"end"`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EndState {
    /// Per data-holding replica, per key, the update ops its value reflects.
    pub replica_seen: Vec<Vec<OpSet>>,
    /// Per data-holding up replica, its keys' values.
    pub replica_values: Vec<Vec<Value>>,
    /// Bank: the lowest balance any replica held at any time.
    pub min_balance: Option<i64>,
    pub last_fault_end: Option<Tick>,
    /// When the replicas last came to agree (`None`: not converged, or faults still active).
    pub converged_at: Option<Tick>,
    pub end_tick: Tick,
}

/// Facts about a run (finished or not), whatever their source: a live `Sim`
/// (`report::facts`), an exported history file or a Porcupine-style log.
#[derive(Clone, Debug)]
pub struct RunFacts<'a> {
    pub case: Case,
    /// Initial integer value per key.
    pub initial: &'a [i64],
    /// The whole history (pending ops: `complete`/`outcome` are `None`).
    pub ops: &'a [OpRecord],
    /// `None` when the input does not carry it (an older export, a log): the checks that need
    /// it are reported in [`Checks::unknown`].
    pub end: Option<&'a EndState>,
    /// The ops come from a Porcupine-style log: no nodes, no stale-read marks, and a timed-out
    /// op is indistinguishable from a pending one.
    pub from_log: bool,
}

/// Everything the checkers found. Serialized as the CLI's JSON `checks` object.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Checks {
    /// `None`: unknown (the search budget ran out).
    pub linearizable: Option<bool>,
    /// Sorted op ids explaining a non-linearizable verdict (see [`lin`]).
    pub lin_counterexample: Vec<OpId>,
    /// Search steps the linearizability checker took.
    pub lin_explored: u64,
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
    /// The fields above that this input cannot answer: their values are not the run's (0,
    /// `false`, `None`, an empty list, or computed from what the input has). Empty for a run and
    /// for an export that carries its end state.
    pub unknown: Vec<&'static str>,
}

/// Runs every checker: the search within `budget`, then [`check_with_lin`].
pub fn check(facts: &RunFacts, budget: Budget) -> Checks {
    let lin = lin::check(facts.case, facts.initial, facts.ops, budget.steps());
    check_with_lin(facts, lin)
}

/// The one verdict path: every checker but the search, whose result comes in `lin` (the page
/// keeps it cached between frames). `caplab run`, `caplab check`, the page and the lessons all
/// end here.
pub fn check_with_lin(facts: &RunFacts, lin: LinResult) -> Checks {
    let none = EndState::default();
    let end = facts.end.unwrap_or(&none);
    let stale_ops = anomalies::stale_reads(facts.ops);
    let lost_ops = anomalies::lost_updates(facts.case, facts.ops, &end.replica_seen);
    let converged = anomalies::converged(end.converged_at, &end.replica_values);
    let converge_ticks = match (converged, end.converged_at) {
        (true, Some(at)) => Some(at.saturating_sub(end.last_fault_end.unwrap_or(0))),
        _ => None,
    };
    let bank = anomalies::bank(facts.case, facts.initial, facts.ops, end);
    let totals = stats::totals(facts.ops);
    let (latency_p50, latency_p99) = stats::latency(facts.ops);
    // A double spend counted by replaying in completion order is settled by the search: on the
    // history itself, or without the readers' eventual reads (stale by choice) when those alone
    // make it non-linearizable.
    let double_spends = match bank.double_spends {
        0 => 0,
        replayed => anomalies::settle_double_spends(money_verdict(facts, &lin), replayed),
    };
    let mut checks = Checks {
        linearizable: lin.verdict,
        lin_counterexample: lin.counterexample,
        lin_explored: lin.explored,
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
        unknown: Vec::new(),
    };
    mark_unknown(facts, &mut checks);
    checks
}

/// Lists (and blanks) what the input cannot answer.
fn mark_unknown(facts: &RunFacts, c: &mut Checks) {
    if facts.end.is_none() {
        c.unknown
            .extend(["lost_updates", "converged", "converge_ticks"]);
        (c.lost_updates, c.lost_ops, c.converged, c.converge_ticks) = (0, Vec::new(), false, None);
        if facts.case == Case::Bank {
            c.unknown.extend(["min_balance", "money_conserved"]);
            (c.min_balance, c.money_conserved) = (None, None);
        }
    }
    if facts.from_log {
        c.unknown
            .extend(["stale_reads", "timeouts", "availability", "per_node"]);
        (c.stale_reads, c.stale_ops, c.per_node) = (0, Vec::new(), Vec::new());
    }
}

/// The linearizability verdict that settles double spends: an eventual read is allowed to be
/// stale and moves no money, so when one breaks linearizability the history is checked again
/// without the eventual reads (only then, and only when the replay counted a double spend).
fn money_verdict(facts: &RunFacts, lin: &lin::LinResult) -> Option<bool> {
    let eventual =
        |o: &&OpRecord| o.req.kind == OpKind::Read && o.req.consistency == Consistency::Eventual;
    if lin.verdict != Some(false)
        || facts.case != Case::Bank
        || !facts.ops.iter().any(|o| eventual(&o))
    {
        return lin.verdict;
    }
    let rest: Vec<OpRecord> = facts.ops.iter().filter(|o| !eventual(o)).cloned().collect();
    lin::check(facts.case, facts.initial, &rest, Budget::Settle.steps()).verdict
}

fn count(ids: &[OpId]) -> u32 {
    u32::try_from(ids.len()).unwrap_or(u32::MAX)
}

#[cfg(test)]
pub(crate) mod testutil {
    use crate::sim::types::{
        ClientId, Completion, Consistency, NodeId, OpId, OpKind, OpRecord, Outcome, Request, Tick,
        Value,
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
            completion: complete.map(|at| {
                let outcome = outcome.expect("a completed op has an outcome");
                Completion::new(at, outcome, value).expect("a value only with Ok")
            }),
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

    /// Replaces a completed op's value (it becomes an `Ok`).
    pub fn set_value(o: &mut OpRecord, value: Option<Value>) {
        let at = o.completed_at().expect("a completed op");
        o.completion = Some(Completion::ok(at, value));
    }

    /// Replaces a completed op's outcome (its value is kept only with `Ok`).
    pub fn set_outcome(o: &mut OpRecord, outcome: Outcome) {
        let at = o.completed_at().expect("a completed op");
        let value = o.value().cloned().filter(|_| outcome == Outcome::Ok);
        o.completion = Completion::new(at, outcome, value);
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
        let end = EndState {
            replica_seen: vec![vec![seen.clone()], vec![seen]],
            replica_values: vec![vec![Value::Int(1)], vec![Value::Int(1)]],
            min_balance: None,
            last_fault_end: Some(25),
            converged_at: Some(40),
            end_tick: 50,
        };
        let facts = RunFacts {
            case: Case::Register,
            initial: &[0],
            ops: &ops,
            end: Some(&end),
            from_log: false,
        };
        let c = check(&facts, Budget::Cli);
        assert!(c.unknown.is_empty());
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

    #[test]
    fn what_the_input_does_not_carry_is_reported_unknown() {
        // Bank: two withdrawals of 80 from 100, both acknowledged: not linearizable, one
        // double spend, whatever the input carries.
        let ops = vec![
            ok(0, OpKind::Withdraw, 80, 0, 10),
            ok(1, OpKind::Withdraw, 80, 0, 11),
        ];
        let end = EndState {
            replica_values: vec![vec![Value::Int(-60), Value::Int(0)]],
            converged_at: Some(20),
            ..EndState::default()
        };
        let mut facts = RunFacts {
            case: Case::Bank,
            initial: &[100, 0],
            ops: &ops,
            end: Some(&end),
            from_log: false,
        };
        let full = check(&facts, Budget::Cli);
        assert_eq!((full.min_balance, full.double_spends), (Some(-60), 1));
        assert!(full.unknown.is_empty() && full.converged);
        facts.end = None;
        let bare = check(&facts, Budget::Cli);
        assert_eq!(
            bare.unknown,
            vec![
                "lost_updates",
                "converged",
                "converge_ticks",
                "min_balance",
                "money_conserved"
            ]
        );
        assert_eq!((bare.min_balance, bare.money_conserved), (None, None));
        assert_eq!((bare.linearizable, bare.double_spends), (Some(false), 1));
        facts.from_log = true;
        let log = check(&facts, Budget::Cli);
        assert!(log.unknown.contains(&"stale_reads") && log.per_node.is_empty());
    }
}
