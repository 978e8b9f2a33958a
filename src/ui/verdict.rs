//! What the run's history proves, for the metrics panel and the history diagram: a thin adapter
//! over the sim's checkers (`sim::report::checks`, `sim::check::lin`). The UI computes nothing
//! about correctness itself.
//!
//! The linearizability search is the one costly checker, so its result is cached per run and
//! recomputed only when the history changes (an op is invoked or completes); everything else is
//! recomputed on each render.

use std::cell::RefCell;

use crate::sim::check;
use crate::sim::check::lin::{self, LinResult};
use crate::sim::report;
use crate::sim::types::{OpId, Tick};
use crate::sim::world::Sim;

/// Search steps the linearizability checker may take per history change.
pub const LIN_BUDGET: u64 = 200_000;

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
    pub latency_p50: Option<Tick>,
    pub latency_p99: Option<Tick>,
}

/// The cached linearizability result of one run: (history length, finished ops), the wall-clock
/// ms when it was computed, and the result.
pub type LinCache = RefCell<Option<((usize, usize), f64, LinResult)>>;

/// Checks the run as it stands now.
pub fn verdict(sim: &Sim, cache: &LinCache, playing: bool) -> Verdict {
    let ops = sim.history();
    let finished = ops.iter().filter(|o| o.outcome.is_some()).count();
    let key = (ops.len(), finished);
    let now_ms = js_sys::Date::now();
    let (changed, recent) = match &*cache.borrow() {
        Some((k, at, _)) => (*k != key, now_ms - at < PLAYING_REFRESH_MS),
        None => (true, false),
    };
    if changed && !(playing && recent) {
        let cfg = sim.config();
        let r = lin::check(cfg.case, &cfg.initial, ops, LIN_BUDGET);
        *cache.borrow_mut() = Some((key, now_ms, r));
    }
    let lin = cache
        .borrow()
        .as_ref()
        .map(|(_, _, r)| r.clone())
        .unwrap_or(LinResult {
            verdict: None,
            counterexample: Vec::new(),
            explored: 0,
        });
    // Budget 0: every checker but the search (whose result comes from the cache).
    let c = report::checks(sim, 0);
    let bank = sim.config().case == crate::sim::types::Case::Bank;
    Verdict {
        linearizable: lin.verdict,
        counterexample: lin.counterexample,
        availability: (finished > 0).then_some(100.0 * c.availability),
        stale_reads: c.stale_reads,
        lost_updates: Some(c.lost_updates),
        min_balance: c.min_balance,
        double_spends: bank.then_some(check::anomalies::settle_double_spends(
            lin.verdict,
            c.double_spends,
        )),
        converged: c.converged,
        converge_ticks: c.converge_ticks,
        latency_p50: c.latency_p50,
        latency_p99: c.latency_p99,
    }
}
