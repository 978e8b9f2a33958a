//! The anomaly hunt (the sandbox's "Hunt" panel): try run after run of the page's scenario, mode
//! and dials, each with a random fault schedule (`sim::nemesis`) in place of the scenario's
//! scripted faults, until the chosen checker finds a violation; then the page loads that run
//! paused just before the anomaly, its ops outlined, with a sentence computed from the checker.
//!
//! A found run is a normal run of the page: the scenario with `faults=0` and the schedule's
//! actions applied as the reader's inputs (an action at the event count where its tick falls), so
//! the page's link replays it like any run a reader made by hand.
//!
//! Runs are short: faults fall in [`Window`] (where the scenario's own faults start, for
//! [`FAULT_TICKS`]) and a run is simulated to the window's horizon only. [`PER_SEED`] schedules
//! share one seed and its history up to the window (simulated once, then copied). The work is
//! done in slices, one per animation frame (`Msg::Frame`), each bounded by [`SLICE_EVENTS`]
//! simulated events, so the page stays responsive.

use std::cell::RefCell;
use std::rc::Rc;

use super::lab::{Lab, Run};
use super::link::{Inputs, Params};
use crate::lessons::words;
use crate::sim::action::Action;
use crate::sim::check::{anomalies, lin, Budget};
use crate::sim::nemesis::{schedule, NemesisSpec, DEFAULT_EPISODES};
use crate::sim::report;
use crate::sim::scenario::{Overrides, Scenario};
use crate::sim::timeline::Timeline;
use crate::sim::types::{Case, Consistency, Mode, OpId, OpKind, OpRecord, Outcome, Tick};
use crate::sim::world::Sim;

/// Runs a hunt tries before it says it found nothing.
pub const LIMIT: u32 = 5_000;
/// Simulated events one slice may process (about 10 ms of work in a browser; at least one run).
pub const SLICE_EVENTS: u64 = 5_000;
/// While hunting, the page redraws its progress at most this often (ms); the other frames only
/// work (a frame that changes nothing visible costs no render).
pub const DRAW_MS: f64 = 100.0;
/// The linearizability search's steps for one hunted run (its history is short).
pub const LIN_STEPS: u64 = 20_000;
/// Fault schedules tried on one seed before the next seed.
pub const PER_SEED: u32 = 50;
/// How long a hunted run lasts from the window's start: its faults may last to its end (the
/// horizon), where every one is healed.
pub const FAULT_TICKS: Tick = 600;

/// What the hunt looks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checker {
    DoubleSpend,
    StaleRead,
    LostUpdate,
    NotLinearizable,
}

impl Checker {
    pub const ALL: [Checker; 4] = [
        Checker::DoubleSpend,
        Checker::StaleRead,
        Checker::LostUpdate,
        Checker::NotLinearizable,
    ];

    /// Its name in the page (and its test id's tail).
    pub fn slug(self) -> &'static str {
        match self {
            Checker::DoubleSpend => "double-spend",
            Checker::StaleRead => "stale-read",
            Checker::LostUpdate => "lost-update",
            Checker::NotLinearizable => "not-linearizable",
        }
    }

    /// The checker whose [`Checker::slug`] this is.
    pub fn parse(slug: &str) -> Option<Checker> {
        Checker::ALL.into_iter().find(|c| c.slug() == slug)
    }

    /// What it is called in a sentence.
    pub fn label(self) -> &'static str {
        match self {
            Checker::DoubleSpend => "double spend",
            Checker::StaleRead => "stale read",
            Checker::LostUpdate => "lost update",
            Checker::NotLinearizable => "non-linearizable history",
        }
    }

    /// Whether it means anything for this case (a double spend is a bank's).
    pub fn applies(self, case: Case) -> bool {
        self != Checker::DoubleSpend || case == Case::Bank
    }

    /// The checkers that apply to `case`, in the page's order.
    pub fn choices(case: Case) -> Vec<Checker> {
        Checker::ALL
            .into_iter()
            .filter(|c| c.applies(case))
            .collect()
    }
}

/// What the reader asks of the hunt panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HuntMsg {
    Choose(Checker),
    Start,
    Stop,
}

/// The ticks of a hunted run: faults in `start..=quiet` (all healed by `quiet`), simulated to
/// `horizon` (the same tick).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub start: Tick,
    pub quiet: Tick,
    pub horizon: Tick,
}

impl Window {
    /// For `s` (with its scripted faults): from its first scripted fault (else a quarter of
    /// the run), [`FAULT_TICKS`]. Bank: 1500 to 2100 ms.
    pub fn of(s: &Scenario) -> Window {
        let fault = |a: &Action| !matches!(a, Action::Request { .. });
        let first = s
            .faults
            .iter()
            .filter(|f| fault(&f.action))
            .map(|f| f.at)
            .min();
        let end = s.end_tick.max(4);
        let start = first.unwrap_or(end / 4).clamp(1, end - 3);
        let quiet = (start + FAULT_TICKS).min(end - 1);
        Window {
            start,
            quiet,
            horizon: quiet,
        }
    }

    fn spec(self) -> NemesisSpec {
        NemesisSpec {
            start: self.start,
            quiet: Some(self.quiet),
            episodes: DEFAULT_EPISODES,
        }
    }
}

/// A run that shows the anomaly.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// The run's seed (`seed=`) and its fault schedule's.
    pub seed: u64,
    pub schedule: u64,
    /// The schedule's actions as the reader's inputs (event count, action).
    pub inputs: Inputs,
    pub checker: Checker,
    /// The ops to outline: the offending one first.
    pub ops: Vec<OpId>,
    /// The tick the offending op completes (the page pauses one tick before).
    pub at: Tick,
    /// What the checker found, in words.
    pub sentence: String,
}

/// Where the hunt is.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    Idle,
    Running,
    Found(Hit),
    /// The limit was reached with nothing found.
    Nothing,
    Stopped,
}

impl Status {
    /// Its name (the panel's `data-state`).
    pub fn slug(&self) -> &'static str {
        match self {
            Status::Idle => "idle",
            Status::Running => "running",
            Status::Found(_) => "found",
            Status::Nothing => "nothing",
            Status::Stopped => "stopped",
        }
    }
}

/// A hunt's work in progress: the scenario, its window, and the current seed's history up to
/// the window (shared, so that a page state stays cheap to clone).
struct Job {
    base: Scenario,
    window: Window,
    first_seed: u64,
    prefix: Option<(u64, Sim)>,
    /// Runs tried, the first slice's wall clock, and runs per second of wall clock since.
    tried: u32,
    started_ms: Option<f64>,
    rate: Option<f64>,
}

/// The hunt panel's state.
#[derive(Clone)]
pub struct Hunt {
    /// The checker chosen (`None`: the first that applies).
    pub chosen: Option<Checker>,
    pub status: Status,
    pub limit: u32,
    /// The mode hunted in (for what "nothing found" means) and the window.
    pub mode: Mode,
    pub window: Option<Window>,
    /// The page's settings the hunt started from (a found run is loaded with them).
    params: Option<Params>,
    /// The work in progress, shared: it moves on in frames that redraw nothing.
    job: Option<Rc<RefCell<Job>>>,
    /// When the progress was last drawn.
    drawn_ms: f64,
    /// The run the page shows is this hit, loaded when the page's `edits` were this.
    pub shown: Option<(Hit, u64)>,
}

impl Default for Hunt {
    fn default() -> Hunt {
        Hunt {
            chosen: None,
            status: Status::Idle,
            limit: LIMIT,
            mode: Mode::Cp,
            window: None,
            params: None,
            job: None,
            drawn_ms: f64::NEG_INFINITY,
            shown: None,
        }
    }
}

impl Hunt {
    pub fn running(&self) -> bool {
        self.status == Status::Running
    }

    /// Runs tried so far.
    pub fn tried(&self) -> u32 {
        self.job.as_ref().map_or(0, |j| j.borrow().tried)
    }

    /// Runs tried per second of wall clock (after the first slice).
    pub fn rate(&self) -> Option<f64> {
        self.job.as_ref().and_then(|j| j.borrow().rate)
    }

    /// The checker in use for `case`: the one chosen if it applies, else the first that does.
    pub fn checker(&self, case: Case) -> Checker {
        self.chosen
            .filter(|c| c.applies(case))
            .unwrap_or(Checker::choices(case)[0])
    }

    /// Starts a hunt over the page's settings `params` (one run; `Err`: why not).
    pub fn start(&mut self, params: &Params) -> Result<(), String> {
        if params.side {
            return Err("The hunt tries one run at a time: turn off side by side first.".into());
        }
        let own = Params {
            faults: true,
            ..params.clone()
        };
        let window = Window::of(&own.scenario(None)?);
        let base = Params {
            faults: false,
            ..params.clone()
        }
        .scenario(None)?;
        self.mode = base.mode;
        self.chosen = Some(self.checker(base.case));
        self.window = Some(window);
        self.params = Some(params.clone());
        self.job = Some(Rc::new(RefCell::new(Job {
            first_seed: base.seed,
            base,
            window,
            prefix: None,
            tried: 0,
            started_ms: None,
            rate: None,
        })));
        self.status = Status::Running;
        self.drawn_ms = f64::NEG_INFINITY;
        Ok(())
    }

    pub fn stop(&mut self) {
        if self.running() {
            self.status = Status::Stopped;
        }
    }

    /// One slice of work at wall clock `now_ms`: runs until [`SLICE_EVENTS`] events were
    /// simulated (at least one run), the limit, or a hit, which it returns.
    pub fn slice(&mut self, now_ms: f64) -> Option<Hit> {
        let job = self.job.clone().filter(|_| self.running())?;
        let mut job = job.borrow_mut();
        // Runs per second of wall clock: the runs done by now over the time since the first slice.
        let start = *job.started_ms.get_or_insert(now_ms);
        if now_ms > start {
            job.rate = Some(f64::from(job.tried) * 1000.0 / (now_ms - start));
        }
        let checker = self.chosen.unwrap_or(Checker::StaleRead);
        let mut events = 0;
        while events < SLICE_EVENTS && job.tried < self.limit {
            let i = job.tried;
            let (n, hit) = job.run(i, checker);
            job.tried += 1;
            events += n;
            if let Some(hit) = hit {
                self.status = Status::Found(hit.clone());
                return Some(hit);
            }
        }
        if job.tried >= self.limit {
            self.status = Status::Nothing;
        }
        None
    }

    /// Whether a hunting frame at `now_ms` should redraw the progress (noted as drawn if so).
    pub fn draw_due(&mut self, now_ms: f64) -> bool {
        let due = !self.running() || now_ms - self.drawn_ms >= DRAW_MS;
        if due {
            self.drawn_ms = now_ms;
        }
        due
    }
}

impl Job {
    /// Run `i` (from 0): seed `first_seed + i / PER_SEED`, fault schedule `i + 1`. The events it
    /// took (with its seed's shared history when that was simulated now) and the hit if any.
    fn run(&mut self, i: u32, checker: Checker) -> (u64, Option<Hit>) {
        let seed = self.first_seed.wrapping_add(u64::from(i / PER_SEED));
        let mut events = 0;
        if self.prefix.as_ref().is_none_or(|(s, _)| *s != seed) {
            self.prefix = prefix(&self.base, seed, &self.window).map(|p| (seed, p));
            events += self
                .prefix
                .as_ref()
                .map_or(0, |(_, p)| p.events_processed());
        }
        let Some((_, before)) = &self.prefix else {
            return (events.max(1), None);
        };
        let k = u64::from(i) + 1;
        let (sim, inputs) = run_schedule(before, &self.base, self.window, k);
        events += sim.events_processed() - before.events_processed();
        let hit = find(&sim, checker).map(|(ops, at, sentence)| Hit {
            seed,
            schedule: k,
            inputs,
            checker,
            ops,
            at,
            sentence,
        });
        (events.max(1), hit)
    }
}

/// Seed `seed`'s run of `base` up to the window: every event before its start.
pub fn prefix(base: &Scenario, seed: u64, w: &Window) -> Option<Sim> {
    let mut s = base.clone();
    s.seed = seed;
    let mut sim = s.build().ok()?;
    sim.run_until(w.start - 1);
    Some(sim)
}

/// A copy of `prefix` with fault schedule `k` applied as the reader's inputs (each once the
/// events before its tick are processed), simulated to the window's horizon; and the inputs
/// that applied (as a link carries them).
pub fn run_schedule(prefix: &Sim, base: &Scenario, w: Window, k: u64) -> (Sim, Inputs) {
    let plan = schedule(base, &w.spec(), k).unwrap_or_default();
    let mut sim = prefix.clone();
    let mut inputs = Vec::new();
    for f in plan {
        while sim.next_tick().is_some_and(|t| t < f.at) && sim.step().is_some() {}
        if sim.apply(f.action.clone()).is_ok() {
            inputs.push((sim.events_processed(), f.action));
        }
    }
    sim.run_until(w.horizon);
    (sim, inputs)
}

impl Lab {
    /// The reader's choice, start or stop in the hunt panel.
    pub(super) fn hunt_msg(&mut self, m: HuntMsg) -> bool {
        match m {
            HuntMsg::Choose(c) => {
                self.hunt.stop();
                self.hunt.chosen = Some(c);
            }
            HuntMsg::Start => {
                if let Err(e) = self.hunt.start(&self.params) {
                    self.notice = Some(e);
                    return true;
                }
                // The hunt has the frames to itself; the stage waits where it is.
                self.playing = false;
                self.clock = self.clock.floor();
            }
            HuntMsg::Stop => self.hunt.stop(),
        }
        true
    }

    /// One slice of the hunt per animation frame; a run found is loaded. True when the page
    /// should redraw (the hunt ended, or its progress is due).
    pub(super) fn hunt_frame(&mut self, now_ms: f64) -> bool {
        if !self.hunt.running() {
            return false;
        }
        if let Some(hit) = self.hunt.slice(now_ms) {
            self.load_hit(&hit);
        }
        self.hunt.draw_due(now_ms)
    }

    /// Loads `hit`'s run as the page's run (the hunt's settings, its seed, `faults=0`, the
    /// schedule as the reader's inputs), paused one tick before its anomaly.
    fn load_hit(&mut self, hit: &Hit) {
        let from = self
            .hunt
            .params
            .clone()
            .unwrap_or_else(|| self.params.clone());
        let params = Params {
            over: Overrides {
                seed: Some(hit.seed),
                ..from.over
            },
            faults: false,
            t: None,
            e: None,
            e2: None,
            made: None,
            ..from
        };
        let run = params
            .scenario(None)
            .and_then(|s| Timeline::replay(s, hit.inputs.clone(), 0).map_err(|e| e.to_string()));
        let t = match run {
            Ok(t) => t,
            Err(e) => {
                self.notice = Some(format!("The run found could not be loaded ({e})."));
                return;
            }
        };
        let clients = t.sim().clients().len();
        self.params = params;
        self.runs = vec![Run::new(t)];
        self.edits += 1;
        self.consistency = vec![Consistency::Default; clients];
        (self.menu, self.inspecting, self.playing) = (None, None, false);
        self.seek(hit.at.saturating_sub(1));
        self.hunt.shown = Some((hit.clone(), self.edits));
    }
}

/// The hunt's run the page shows, while it is the one found (no change since it was loaded).
pub fn shown(lab: &Lab) -> Option<&Hit> {
    lab.hunt
        .shown
        .as_ref()
        .filter(|(_, edits)| *edits == lab.edits)
        .map(|(hit, _)| hit)
}

/// The ops the history outlines: the found run's anomaly.
pub fn outlined(lab: &Lab) -> Vec<OpId> {
    shown(lab).map(|h| h.ops.clone()).unwrap_or_default()
}

/// What the stage's moment is for the found run: paused just before the anomaly, or past it.
pub fn moment(lab: &Lab) -> Option<String> {
    let hit = shown(lab)?;
    Some(if !lab.playing && lab.clock < hit.at as f64 {
        format!(
            "Paused at {}, just before it: press ▶ to watch it happen.",
            words::ms(lab.clock as Tick)
        )
    } else if lab.clock >= hit.at as f64 {
        format!(
            "It happened at {} (outlined in the history).",
            words::ms(hit.at)
        )
    } else {
        return None;
    })
}

/// What `checker` finds in `sim`'s history so far: the ops to outline (the offending one
/// first), the tick it completes, and the sentence.
pub fn find(sim: &Sim, checker: Checker) -> Option<(Vec<OpId>, Tick, String)> {
    match checker {
        Checker::DoubleSpend => double_spend(sim),
        Checker::StaleRead => stale_read(sim),
        Checker::LostUpdate => lost_update(sim),
        Checker::NotLinearizable => not_linearizable(sim),
    }
}

fn op(sim: &Sim, id: OpId) -> Option<&OpRecord> {
    sim.history().iter().find(|o| o.id == id)
}

/// The first op the completion-order replay cannot cover, when the checkers (the one verdict
/// path, the search settling it) count a double spend.
fn double_spend(sim: &Sim) -> Option<(Vec<OpId>, Tick, String)> {
    let cfg = sim.config();
    let &(id, balance) = anomalies::double_spend_ops(&cfg.initial, sim.history()).first()?;
    if report::checks(sim, Budget::Steps(LIN_STEPS)).double_spends == 0 {
        return None;
    }
    let x = op(sim, id)?;
    let at = x.completed_at()?;
    // The last withdrawal or transfer from the same account confirmed before it.
    let before = sim
        .history()
        .iter()
        .filter(|o| o.id != id && o.req.key == x.req.key && o.outcome() == Some(Outcome::Ok))
        .filter(|o| matches!(o.req.kind, OpKind::Withdraw | OpKind::Transfer))
        .filter(|o| o.completed_at().is_some_and(|c| c <= at))
        .max_by_key(|o| o.completed_at());
    let mut s = format!(
        "At {} {} is confirmed, yet replaying the updates confirmed before it, in the order they \
         were confirmed, leaves {} in the account, less than the {} it pays out: the bank pays \
         out money it does not have.",
        words::ms(at),
        words::op(sim, x),
        balance,
        x.req.arg
    );
    let mut ops = vec![id];
    if let Some(b) = before {
        s.push_str(" Outlined with it: ");
        s.push_str(&words::op(sim, b));
        s.push_str(", confirmed at ");
        s.push_str(&words::ms(b.completed_at().unwrap_or(at)));
        s.push('.');
        ops.push(b.id);
    }
    Some((ops, at, s))
}

/// The first read (by completion) that missed a confirmed update, with the updates it missed.
fn stale_read(sim: &Sim) -> Option<(Vec<OpId>, Tick, String)> {
    let r = sim
        .history()
        .iter()
        .filter(|o| o.req.kind == OpKind::Read && o.is_stale())
        .min_by_key(|o| (o.completed_at(), o.id))?;
    let at = r.completed_at()?;
    let got = r
        .value()
        .map_or_else(String::new, |v| words::value(v) + " ");
    let s = format!(
        "At {} {} returns {}without {} confirmed before it was sent (outlined): a stale read.",
        words::ms(at),
        words::op(sim, r),
        got,
        words::plural(r.missed.len() as u64, "update")
    );
    let mut ops = vec![r.id];
    ops.extend(r.missed.iter().take(3));
    Some((ops, at, s))
}

/// The first confirmed update (by completion) that no replica holds at the horizon.
fn lost_update(sim: &Sim) -> Option<(Vec<OpId>, Tick, String)> {
    let end = report::end_state(sim);
    let lost = anomalies::lost_updates(sim.config().case, sim.history(), &end.replica_seen);
    let u = lost
        .iter()
        .filter_map(|id| op(sim, *id))
        .min_by_key(|o| (o.completed_at(), o.id))?;
    let at = u.completed_at()?;
    let s = format!(
        "At {} {} is confirmed, yet at {} no replica's copy reflects it: a lost update.",
        words::ms(at),
        words::op(sim, u),
        words::ms(sim.now())
    );
    Some((vec![u.id], at, s))
}

/// A counter-example of the linearizability search (within [`LIN_STEPS`]).
fn not_linearizable(sim: &Sim) -> Option<(Vec<OpId>, Tick, String)> {
    let cfg = sim.config();
    let r = lin::check(cfg.case, &cfg.initial, sim.history(), LIN_STEPS);
    if r.verdict != Some(false) {
        return None;
    }
    let last = r
        .counterexample
        .iter()
        .filter_map(|id| op(sim, *id))
        .filter(|o| o.completed_at().is_some())
        .max_by_key(|o| (o.completed_at(), o.id))?;
    let at = last.completed_at()?;
    let s = format!(
        "No order that respects real time fits the {} outlined operations, the last of them {} \
         answered at {}: the history is not linearizable.",
        r.counterexample.len(),
        words::op(sim, last),
        words::ms(at)
    );
    let mut ops = vec![last.id];
    ops.extend(r.counterexample.iter().filter(|id| **id != last.id));
    Some((ops, at, s))
}

/// The panel's line about the hunt's state (`None` while idle).
pub fn summary(h: &Hunt, case: Case) -> Option<String> {
    let what = h.checker(case).label();
    let tried = words::plural(u64::from(h.tried()), "run");
    Some(match &h.status {
        Status::Idle => return None,
        Status::Running => format!("Hunting for a {what}: {tried} tried so far."),
        Status::Found(hit) => format!(
            "Found a {what} in run {} of the hunt (seed {}, fault schedule {}). {}",
            h.tried(),
            hit.seed,
            hit.schedule,
            hit.sentence
        ),
        Status::Stopped => format!("Stopped after {tried}: no {what} so far."),
        Status::Nothing => nothing(h, what, &tried),
    })
}

/// The hunt's speed as the page shows it ("2 431 runs/s"), with the whole number.
pub fn rate(h: &Hunt) -> Option<(String, u64)> {
    let r = h.rate()?.round() as u64;
    let digits = r.to_string();
    let mut s = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            s.push('\u{202f}');
        }
        s.push(c);
    }
    Some((s + " runs/s", r))
}

/// What finding nothing means: evidence, not proof; in CP, the design forbids it.
fn nothing(h: &Hunt, what: &str, tried: &str) -> String {
    let seeds = u64::from(h.tried().div_ceil(PER_SEED));
    let (from, to) = h.window.map_or((0, 0), |w| (w.start, w.quiet));
    let mut s = format!(
        "No {what} in {tried} ({}, each run with its own random faults between {} and {}). \
         That is evidence, not proof: a run the hunt did not try might still show one.",
        words::plural(seeds, "seed"),
        words::ms(from),
        words::ms(to)
    );
    if h.mode == Mode::Cp {
        s.push_str(
            " Here the CP design forbids it: a leader orders every update and confirms it only \
             once a majority holds it, and reads go through the leader, so two sides of a \
             partition never both act on their own copy.",
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn params(mode: Mode) -> Params {
        Params {
            over: Overrides {
                mode: Some(mode),
                ..Overrides::default()
            },
            ..Params::default()
        }
    }

    #[test]
    fn double_spend_applies_to_the_bank_only() {
        assert_eq!(Checker::choices(Case::Bank).len(), 4);
        assert!(!Checker::choices(Case::Feed).contains(&Checker::DoubleSpend));
    }

    #[test]
    fn the_bank_window_covers_the_contended_withdrawals() {
        let s = Scenario::builtin("bank").unwrap();
        let w = Window::of(&s);
        assert_eq!((w.start, w.quiet, w.horizon), (1500, 2100, 2100));
    }

    /// A slice stops at its event budget: the runs it tried but the last stayed under it.
    #[test]
    fn slices_are_bounded() {
        let mut h = Hunt::default();
        h.start(&params(Mode::Cp)).unwrap();
        assert_eq!(h.slice(0.0), None);
        let tried = h.tried();
        assert!(tried > 1 && tried < h.limit && h.running());
        let mut again = Hunt::default();
        again.start(&params(Mode::Cp)).unwrap();
        let job = again.job.clone().unwrap();
        let mut job = job.borrow_mut();
        let events: Vec<u64> = (0..tried)
            .map(|i| job.run(i, Checker::DoubleSpend).0)
            .collect();
        let all: u64 = events.iter().sum();
        assert!(all - events[events.len() - 1] < SLICE_EVENTS && all >= SLICE_EVENTS);
    }
}
