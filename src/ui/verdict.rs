//! What the run's history proves, for the metrics panel and the history diagram. A thin adapter
//! over the sim's checkers: the UI computes nothing about correctness itself.

use crate::sim::types::{Case, OpId, OpRecord, Outcome, Tick};
use crate::sim::world::Sim;

/// The figures the page shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// `None`: unknown (not checked, or the search budget ran out).
    pub linearizable: Option<bool>,
    pub counterexample: Vec<OpId>,
    /// Percent of finished ops the system served.
    pub availability: Option<f64>,
    pub stale_reads: u32,
    /// `None`: unknown.
    pub lost_updates: Option<u32>,
    pub min_balance: Option<i64>,
    pub double_spends: Option<u32>,
    pub converged: bool,
    pub converge_ticks: Option<Tick>,
    pub latency_p50: Option<Tick>,
    pub latency_p99: Option<Tick>,
}

fn served(op: &OpRecord) -> bool {
    matches!(
        op.outcome,
        Some(Outcome::Ok | Outcome::Refused(crate::sim::types::Reason::InsufficientFunds { .. }))
    )
}

fn percentile(sorted: &[Tick], p: usize) -> Option<Tick> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// Checks the run as it stands now.
pub fn verdict(sim: &Sim, case: Case) -> Verdict {
    let ops = sim.history();
    let finished = ops.iter().filter(|o| o.outcome.is_some()).count();
    let availability = (finished > 0)
        .then(|| 100.0 * ops.iter().filter(|o| served(o)).count() as f64 / finished as f64);
    let mut lat: Vec<Tick> = ops
        .iter()
        .filter(|o| o.outcome == Some(Outcome::Ok))
        .filter_map(|o| o.complete.map(|c| c - o.invoke))
        .collect();
    lat.sort_unstable();
    let converge_ticks = sim
        .converged_at()
        .filter(|_| sim.converged_now())
        .map(|at| at.saturating_sub(sim.last_fault_end()));
    Verdict {
        linearizable: None,
        counterexample: Vec::new(),
        availability,
        stale_reads: ops.iter().filter(|o| o.is_stale()).count() as u32,
        lost_updates: None,
        min_balance: (case == Case::Bank).then(|| sim.min_balance()).flatten(),
        double_spends: None,
        converged: sim.converged_now(),
        converge_ticks,
        latency_p50: percentile(&lat, 50),
        latency_p99: percentile(&lat, 99),
    }
}
