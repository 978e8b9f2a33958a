//! From a finished (or paused) `Sim` to the checkers' verdicts: the one place that gathers the
//! facts the checkers need, used by the CLI, the tests, the lessons and the UI alike. The
//! verdicts themselves come from the one function `check::check_with_lin`, which `caplab check`
//! calls on an exported history too.

use super::check::{self, lin::LinResult, Budget, Checks, EndState, RunFacts};
use super::types::{Mode, NodeId, OpSet, Role, Status, Value};
use super::world::Sim;

/// The CLI's search budget in steps (kept for callers that pass a number).
pub const LIN_BUDGET: u64 = Budget::Cli.steps();

/// What the history alone does not tell: the replicas' final state and the engine's observations.
pub fn end_state(sim: &Sim) -> EndState {
    let cfg = sim.config();
    let keys = cfg.case.keys().len() as u8;
    let mut replica_seen: Vec<Vec<OpSet>> = Vec::new();
    for node in 0..sim.node_count() {
        if sim.view(node).role == Role::Proxy {
            continue; // holds no data
        }
        // What a node keeps on disk counts for lost updates even while it is down; a key it is
        // not a replica of counts for nothing.
        let seen = (0..keys).map(|k| {
            if sim.holds_key(node, k) {
                sim.replica_seen(node, k)
            } else {
                OpSet::new()
            }
        });
        replica_seen.push(seen.collect());
    }
    let replica_values = replica_values(sim);
    let converged_at = if sim.faults_active() {
        None
    } else {
        sim.converged_at()
    };
    EndState {
        replica_seen,
        replica_values,
        min_balance: sim.min_balance(),
        last_fault_end: sim.last_fault_end(),
        converged_at,
        end_tick: sim.end_tick(),
    }
}

/// The sim's facts, with `end` (from [`end_state`]).
pub fn facts<'a>(sim: &'a Sim, end: &'a EndState) -> RunFacts<'a> {
    let cfg = sim.config();
    RunFacts {
        case: cfg.case,
        initial: &cfg.initial,
        ops: sim.history(),
        end: Some(end),
        from_log: false,
    }
}

/// Runs every checker over the sim's history and final replica state.
pub fn checks(sim: &Sim, budget: impl Into<Budget>) -> Checks {
    let end = end_state(sim);
    check::check(&facts(sim, &end), budget.into())
}

/// Every checker, with the search's result given (the page caches it between frames).
pub fn checks_with_lin(sim: &Sim, lin: LinResult) -> Checks {
    let end = end_state(sim);
    check::check_with_lin(&facts(sim, &end), lin)
}

/// The run as a version-1 history file, end state included, so that `caplab check` of it gives
/// the same verdicts as the run (the CLI's `--export-history` and the page's download).
pub fn history_json(sim: &Sim) -> String {
    let cfg = sim.config();
    check::history_json(cfg.case, &cfg.initial, sim.history(), Some(&end_state(sim)))
}

/// The final values of every up copy of the whole data set. A node that keeps every key is one
/// copy. In quorum mode with N < nodes no node need keep every key: copy `j` (0..N) is then made
/// of each key's `j`-th replica on its preference list, and counts only when all of them are up.
fn replica_values(sim: &Sim) -> Vec<Vec<Value>> {
    let cfg = sim.config();
    let keys = cfg.case.keys().len() as u8;
    let up = |node: NodeId| sim.status(node) == Status::Up;
    if cfg.mode != Mode::Quorum || cfg.n == cfg.nodes {
        return (0..sim.node_count())
            .filter(|node| up(*node))
            .map(|node| sim.view(node))
            .filter(|view| view.role != Role::Proxy)
            .map(|view| view.keys)
            .collect();
    }
    let lists: Vec<Vec<NodeId>> = (0..keys).map(|k| cfg.replicas_of(k)).collect();
    (0..usize::from(cfg.n))
        .filter(|j| lists.iter().all(|l| up(l[*j])))
        .map(|j| {
            let values = lists.iter().enumerate();
            values
                .map(|(k, l)| sim.view(l[j]).keys[k].clone())
                .collect()
        })
        .collect()
}
