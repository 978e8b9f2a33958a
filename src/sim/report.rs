//! From a finished (or paused) `Sim` to the checkers' verdicts: the one place that gathers the
//! facts the checkers need, used by the CLI, the tests and the UI alike.

use super::check::{self, Checks, RunFacts};
use super::types::{OpSet, Role, Status, Value};
use super::world::Sim;

/// The default search budget of the linearizability checker (explored states).
pub const LIN_BUDGET: u64 = 2_000_000;

/// Runs every checker over the sim's history and final replica state.
pub fn checks(sim: &Sim, lin_budget: u64) -> Checks {
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
    let facts = RunFacts {
        case: cfg.case,
        initial: &cfg.initial,
        ops: sim.history(),
        replica_seen,
        replica_values,
        min_balance: sim.min_balance(),
        last_fault_end: Some(sim.last_fault_end()),
        converged_at,
        end_tick: sim.end_tick(),
    };
    check::check(&facts, lin_budget)
}
