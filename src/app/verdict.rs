//! What the run's history proves, for the metrics panel and the history diagram: a thin adapter
//! over the sim's checkers (`sim::report::checks_with_lin`, `sim::check::lin`). The page computes
//! nothing about correctness itself; the wall clock (`now_ms`) comes from the caller.
//!
//! The linearizability search is the one costly checker. It is a resumable [`lin::Search`]
//! kept per run: each call does one slice of it (a few ms of work, counted in steps), so a long
//! search is spread over animation frames and the page shows "checking…" until it answers,
//! never "unknown" because a fixed budget ran out. A new search starts when the history
//! changes (an op is invoked or completes).

use std::cell::RefCell;

use crate::sim::check::lin::{self, LinResult};
use crate::sim::report;
use crate::sim::types::{OpId, Tick};
use crate::sim::world::Sim;

/// Search steps per call while playing (about 1 µs each natively, a few times that in wasm:
/// a few ms of a frame).
pub const STEPS_PER_FRAME: u64 = 2_000;

/// Search steps per call while paused or stepping: no animation then, and the answer should be
/// the frame's own (the budget `caplab sweep` uses, which decides every built-in scenario's runs
/// at default settings). A longer search goes on at the next render, "checking…" meanwhile.
pub const STEPS_PAUSED: u64 = report::LIN_BUDGET / 10;

/// A search that has taken this many steps in all is abandoned ("unknown"): its memo grows
/// with every step, and a page must not grow without bound.
pub const MAX_STEPS: u64 = 20_000_000;

/// While the run plays, a new search starts at most this often (wall-clock ms): in a busy run
/// the history changes almost every frame. Paused or stepping, the verdict is always for the
/// frame shown.
const PLAYING_REFRESH_MS: f64 = 500.0;

/// The figures the page shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// `None`: not decided (yet: see `checking`).
    pub linearizable: Option<bool>,
    /// The search is still under way (`linearizable` is then `None`).
    pub checking: bool,
    pub counterexample: Vec<OpId>,
    /// Percent of finished ops the system served; `None` before any op finished.
    pub availability: Option<f64>,
    pub stale_reads: u32,
    /// Stale reads during which no fault was in place (from invocation to answer): a replica
    /// answered before an update reached it.
    pub stale_calm: u32,
    pub lost_updates: Option<u32>,
    pub min_balance: Option<i64>,
    /// Bank: the account that held the lowest balance ("checking", "savings").
    pub min_account: Option<&'static str>,
    /// Bank: the lowest balance is that account's opening balance (no balance went lower).
    pub min_opening: bool,
    pub double_spends: Option<u32>,
    pub converged: bool,
    pub converge_ticks: Option<Tick>,
    /// Whether some fault has ended by now (a heal, a recovery…), so that "N ms after the last
    /// fault ended" is a true sentence at this tick.
    pub fault_ended: bool,
    /// Some fault is in place now (a node down or paused, a link cut or held).
    pub fault_now: bool,
    pub latency_p50: Option<Tick>,
    pub latency_p99: Option<Tick>,
}

/// What was last shown for one run: the search under way (for the history shape `key`:
/// length, finished ops) or its answer, and the whole verdict with the wall-clock ms it was
/// computed at.
pub struct Shown {
    key: (usize, usize),
    /// The frame the figures were computed for: events processed, faults active.
    frame: (u64, bool),
    search: Option<lin::Search>,
    lin: Option<LinResult>,
    at_ms: f64,
    verdict: Verdict,
}

/// The per-run cache of [`verdict`].
pub type LinCache = RefCell<Option<Shown>>;

/// Checks the run as it stands now, one search slice per call. While the run plays, the other
/// figures are refreshed at most every `PLAYING_REFRESH_MS` (a frame must not pay for every
/// checker over the whole history) and a search under way is finished before a new one starts;
/// paused or stepping, they are exact for the frame shown.
pub fn verdict(sim: &Sim, cache: &LinCache, playing: bool, now_ms: f64) -> Verdict {
    let ops = sim.history();
    let finished = ops.iter().filter(|o| o.outcome().is_some()).count();
    let key = (ops.len(), finished);
    let frame = (sim.events_processed(), sim.faults_active());
    let mut slot = cache.borrow_mut();
    let shown = slot.get_or_insert_with(|| Shown {
        key: (usize::MAX, 0),
        frame,
        search: None,
        lin: None,
        at_ms: f64::NEG_INFINITY,
        verdict: figures(sim, None, true, finished),
    });
    let fresh = now_ms - shown.at_ms < PLAYING_REFRESH_MS;
    let busy = shown.search.is_some();
    if shown.key != key && !(playing && (busy || fresh)) {
        let cfg = sim.config();
        shown.key = key;
        shown.search = Some(lin::Search::new(cfg.case, &cfg.initial, ops));
        if !playing {
            // Paused, the verdict is the frame's own; playing, the last answer stays up.
            shown.lin = None;
        }
    } else if !busy && (if playing { fresh } else { shown.frame == frame }) {
        // Playing: the figures shown less than PLAYING_REFRESH_MS ago stay up. Paused, they are
        // the frame's own: a step or a heal changes convergence without changing the history.
        return shown.verdict.clone();
    }
    let answered = step(
        shown,
        if playing {
            STEPS_PER_FRAME
        } else {
            STEPS_PAUSED
        },
    );
    if answered || !playing || !fresh {
        let checking = shown.search.is_some() && shown.lin.is_none();
        shown.verdict = figures(sim, shown.lin.as_ref(), checking, finished);
        shown.at_ms = now_ms;
        shown.frame = frame;
    }
    shown.verdict.clone()
}

/// One slice of the search under way; true when it just answered.
fn step(shown: &mut Shown, steps: u64) -> bool {
    let Some(search) = shown.search.as_mut() else {
        return false;
    };
    let answer = search.step(steps).or_else(|| {
        (search.explored() >= MAX_STEPS).then(|| LinResult {
            verdict: None,
            counterexample: Vec::new(),
            explored: search.explored(),
        })
    });
    let done = answer.is_some();
    if done {
        shown.lin = answer;
        shown.search = None;
    }
    done
}

/// Every figure but the search's, which comes in `lin`.
fn figures(sim: &Sim, lin: Option<&LinResult>, checking: bool, finished: usize) -> Verdict {
    // The one verdict path, with the search's result from the cache (none yet: unknown).
    let pending = LinResult {
        verdict: None,
        counterexample: Vec::new(),
        explored: 0,
    };
    let c = report::checks_with_lin(sim, lin.cloned().unwrap_or(pending));
    let bank = sim.config().case == crate::sim::types::Case::Bank;
    let (min_account, min_opening) = min_account(sim, c.min_balance);
    let stale_calm = c
        .stale_ops
        .iter()
        .filter_map(|id| sim.history().get(*id as usize))
        .filter(|o| !sim.fault_during(o.invoke, o.completed_at().unwrap_or(sim.now())))
        .count() as u32;
    Verdict {
        linearizable: c.linearizable,
        checking,
        counterexample: c.lin_counterexample,
        availability: (finished > 0).then_some(100.0 * c.availability),
        stale_reads: c.stale_reads,
        stale_calm,
        lost_updates: Some(c.lost_updates),
        min_balance: c.min_balance,
        min_account,
        min_opening,
        double_spends: bank.then_some(c.double_spends),
        converged: c.converged,
        converge_ticks: c.converge_ticks,
        fault_ended: sim.last_fault_end().is_some(),
        fault_now: sim.faults_active(),
        latency_p50: c.latency_p50,
        latency_p99: c.latency_p99,
    }
}

/// Bank: which account held the lowest balance, and whether that balance is its opening one.
fn min_account(sim: &Sim, min: Option<i64>) -> (Option<&'static str>, bool) {
    let cfg = sim.config();
    let Some(min) = min else {
        return (None, false);
    };
    let opening = cfg.initial.iter().position(|b| *b == min);
    let key = sim.min_balance_key().map(usize::from).or(opening);
    let name = key.and_then(|k| cfg.case.keys().get(k).copied());
    let is_opening = key.is_some_and(|k| cfg.initial.get(k) == Some(&min));
    (name, is_opening)
}
