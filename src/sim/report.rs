//! From a finished (or paused) `Sim` to the checkers' verdicts: the one place that gathers the
//! facts the checkers need, used by the CLI, the tests, the lessons and the UI alike. The
//! verdicts themselves come from the one function `check::check_with_lin`, which `caplab check`
//! calls on an exported history too.

use super::check::{self, lin::LinResult, Budget, Checks, EndState, RunFacts};
use super::types::{OpSet, Role, Status, Value};
use super::world::Sim;

/// The CLI's search budget in steps (kept for callers that pass a number).
pub const LIN_BUDGET: u64 = Budget::Cli.steps();

/// What the history alone does not tell: the replicas' final state and the engine's observations.
pub fn end_state(sim: &Sim) -> EndState {
    let cfg = sim.config();
    let keys = cfg.case.keys().len() as u8;
    let mut replica_seen: Vec<Vec<OpSet>> = Vec::new();
    let mut replica_values: Vec<Vec<Value>> = Vec::new();
    for node in 0..sim.node_count() {
        let view = sim.view(node);
        if view.role == Role::Proxy {
            continue; // holds no data
        }
        // What a node keeps on disk counts for lost updates even while it is down.
        replica_seen.push((0..keys).map(|k| sim.replica_seen(node, k)).collect());
        if sim.status(node) == Status::Up {
            replica_values.push(view.keys);
        }
    }
    let converged_at = if sim.faults_active() {
        None
    } else {
        sim.converged_at()
    };
    EndState {
        replica_seen,
        replica_values,
        min_balance: sim.min_balance(),
        last_fault_end: Some(sim.last_fault_end()),
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
