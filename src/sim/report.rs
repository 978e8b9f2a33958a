//! From a finished (or paused) `Sim` to the checkers' verdicts: the one place that gathers the
//! facts the checkers need, used by the CLI, the tests and the UI alike.

use super::check::{self, Checks, RunFacts};
use super::types::{Mode, NodeId, OpSet, Role, Status, Value};
use super::world::Sim;

/// The default search budget of the linearizability checker (explored states).
pub const LIN_BUDGET: u64 = 2_000_000;

/// Runs every checker over the sim's history and final replica state.
pub fn checks(sim: &Sim, lin_budget: u64) -> Checks {
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
