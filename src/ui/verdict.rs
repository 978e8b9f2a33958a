//! What the run's history proves, for the metrics panel and the history diagram: a thin adapter
//! over the sim's checkers (`sim::report::checks_with_lin`, `sim::check::lin`). The UI computes
//! nothing about correctness itself.
//!
//! The linearizability search is the one costly checker, so its result is cached per run and
//! recomputed only when the history changes (an op is invoked or completes); everything else is
//! recomputed on each render.

use std::cell::RefCell;

use crate::sim::check::lin::{self, LinResult};
use crate::sim::check::Budget;
use crate::sim::report;
use crate::sim::types::{OpId, Tick};
use crate::sim::world::Sim;

/// Search steps the linearizability checker may take per history change.
pub const LIN_BUDGET: u64 = Budget::PageSlice.steps();

/// While the run plays, the search reruns at most this often (wall-clock ms): in a busy run the
/// history changes almost every frame, and a search per frame would cost most of the frame.
/// Paused or stepping, the verdict is always exact for the frame shown.
const PLAYING_REFRESH_MS: f64 = 500.0;

/// The figures the page shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// `None`: unknown (the search budget ran out).
    pub linearizable: Option<bool>,
    pub counterexample: Vec<OpId>,
    /// Percent of finished ops the system served; `None` before any op finished.
    pub availability: Option<f64>,
    pub stale_reads: u32,
    pub lost_updates: Option<u32>,
    pub min_balance: Option<i64>,
    pub double_spends: Option<u32>,
    pub converged: bool,
    pub converge_ticks: Option<Tick>,
    /// Whether some fault has ended by now (a heal, a recovery…), so that "N ms after the last
    /// fault ended" is a true sentence at this tick.
    pub fault_ended: bool,
    pub latency_p50: Option<Tick>,
    pub latency_p99: Option<Tick>,
}

/// What was last shown for one run: the history's shape (length, finished ops) the search ran
/// on and its result, and the whole verdict with the wall-clock ms it was computed at.
pub struct Shown {
    key: (usize, usize),
    lin: LinResult,
    at_ms: f64,
    verdict: Verdict,
}

/// The per-run cache of [`verdict`].
pub type LinCache = RefCell<Option<Shown>>;

/// Checks the run as it stands now. While the run plays, the figures are refreshed at most every
/// `PLAYING_REFRESH_MS` (a frame must not pay for every checker over the whole history); paused
/// or stepping, they are exact for the frame shown. The search reruns only when the history
/// changed.
pub fn verdict(sim: &Sim, cache: &LinCache, playing: bool) -> Verdict {
    let now_ms = js_sys::Date::now();
    if playing {
        if let Some(shown) = &*cache.borrow() {
            if now_ms - shown.at_ms < PLAYING_REFRESH_MS {
                return shown.verdict.clone();
            }
        }
    }
    let ops = sim.history();
    let finished = ops.iter().filter(|o| o.outcome.is_some()).count();
    let key = (ops.len(), finished);
    let cached = cache
        .borrow()
        .as_ref()
        .filter(|s| s.key == key)
        .map(|s| s.lin.clone());
    let lin = cached.unwrap_or_else(|| {
        let cfg = sim.config();
        lin::check(cfg.case, &cfg.initial, ops, LIN_BUDGET)
    });
    let v = figures(sim, &lin, finished);
    *cache.borrow_mut() = Some(Shown {
        key,
        lin,
        at_ms: now_ms,
        verdict: v.clone(),
    });
    v
}

/// Every figure but the search's, which comes in `lin`.
fn figures(sim: &Sim, lin: &LinResult, finished: usize) -> Verdict {
    // The one verdict path, with the search's result from the cache.
    let c = report::checks_with_lin(sim, lin.clone());
    let bank = sim.config().case == crate::sim::types::Case::Bank;
    Verdict {
        linearizable: c.linearizable,
        counterexample: c.lin_counterexample,
        availability: (finished > 0).then_some(100.0 * c.availability),
        stale_reads: c.stale_reads,
        lost_updates: Some(c.lost_updates),
        min_balance: c.min_balance,
        double_spends: bank.then_some(c.double_spends),
        converged: c.converged,
        converge_ticks: c.converge_ticks,
        // The sim keeps the tick of the last fault end, 0 until one happened.
        fault_ended: sim.last_fault_end() > 0,
        latency_p50: c.latency_p50,
        latency_p99: c.latency_p99,
    }
}
