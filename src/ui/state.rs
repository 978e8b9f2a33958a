//! The page's state: one [`Msg`] enum and a [`Reducible`] [`Lab`].
//!
//! The heavy [`Timeline`]s live behind `Rc<RefCell<…>>`; a reduce step mutates them in place and
//! bumps `version`, so an animation frame never clones a world. All behaviour comes from the sim:
//! this module only turns clicks into sim [`Action`]s and moves the display clock.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::app::link::{Flags, Params};
use crate::sim::action::Action;
use crate::sim::net::LinkMode;
use crate::sim::timeline::Timeline;
use crate::sim::types::{Conflict, Consistency, Mode, NodeId, OpKind, Request, Tick};

/// Display ticks per wall-clock millisecond at speed 1× (1 tick = 1 simulated ms; 1× plays
/// ten times slower than real time so that a 10 ms message can be followed by eye).
pub const TICKS_PER_MS_AT_1X: f64 = 0.1;
/// The speed choices.
pub const SPEEDS: [f64; 7] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0];
/// How the speeds read.
pub const SPEED_LABELS: [&str; 7] = ["¼×", "½×", "1×", "2×", "4×", "8×", "16×"];
/// A frame longer than this (a background tab) advances the clock by this much only.
const MAX_FRAME_MS: f64 = 100.0;

/// What a node menu can do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeCmd {
    Crash,
    Recover,
    Pause,
    Resume,
}

/// Everything the page can ask for.
#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    Play,
    Pause,
    Step,
    StepBack,
    /// An animation frame: wall-clock milliseconds since the last one.
    Frame(f64),
    Seek(Tick),
    SetSpeed(f64),
    Reset,
    SetSeed(u64),
    SetMode(Mode),
    SetConflict(Conflict),
    SetNrw(u8, u8, u8),
    SetScenario(String),
    SetWorkload(bool),
    SetSide(bool),
    ToggleVersions,
    /// Click on a link: up → cut both ways; anything else → healed.
    ToggleLink(NodeId, NodeId),
    /// Shift-click on a link: cycle up → `a>b` blocked → `b>a` blocked → up.
    CycleOneWay(NodeId, NodeId),
    PartitionNode(NodeId),
    HealAll,
    /// Open node `n`'s menu on stage 0 (`None`: close any menu).
    OpenMenu(Option<NodeId>),
    /// A click on node `n` of stage `run`: opens its menu there (again: closes it).
    OpenMenuOn(usize, NodeId),
    Node(NodeId, NodeCmd),
    SetConsistency(u8, Consistency),
    SetAmount(i64),
    Request {
        client: u8,
        kind: OpKind,
    },
    DismissNotice,
    /// Presenter mode on / off (key `P`, `present=1`).
    TogglePresent,
}

/// One stage: a timeline and the mode it was forced to (side by side).
#[derive(Clone)]
pub struct Run {
    pub timeline: Rc<RefCell<Timeline>>,
    /// Ticks of the user's faults (for the scrubber's marks).
    pub user_faults: Rc<RefCell<Vec<Tick>>>,
    /// The last linearizability verdict (recomputed when the history changes).
    pub lin: Rc<crate::ui::verdict::LinCache>,
}

/// The page's state. Cheap to clone (the timelines are shared).
#[derive(Clone)]
pub struct Lab {
    pub params: Params,
    /// The page flags (`embed`, `present`).
    pub flags: Flags,
    /// One run, or two (CP then AP) side by side.
    pub runs: Vec<Run>,
    pub playing: bool,
    pub speed: f64,
    /// The display clock in ticks; every event at or before `floor(clock)` is processed.
    pub clock: f64,
    pub versions: bool,
    pub menu: Option<NodeId>,
    /// The stage whose node menu is open (side by side: either; its items act on every run).
    pub menu_run: usize,
    pub consistency: Vec<Consistency>,
    pub amount: i64,
    /// A message for the reader (a bad link, a refused click).
    pub notice: Option<String>,
    /// Bumped on every reduce step (any change of the page).
    pub version: u64,
    /// Bumped whenever a run's future can change (a reader's action, a rebuild): parts of the
    /// page drawn from finished history (which never changes otherwise) redraw only then.
    pub edits: u64,
}

impl PartialEq for Lab {
    fn eq(&self, other: &Lab) -> bool {
        self.version == other.version
            && self.playing == other.playing
            && self.speed == other.speed
            && self.clock == other.clock
            && self.versions == other.versions
            && self.menu == other.menu
            && self.menu_run == other.menu_run
            && self.consistency == other.consistency
            && self.amount == other.amount
            && self.notice == other.notice
            && self.params == other.params
            && self.flags == other.flags
    }
}

/// The ticks at which the reader's own faults (every input but a request) were applied, for the
/// scrubber's marks of a reopened link: the same marks as when the faults were clicked.
fn fault_ticks(t: &mut Timeline) -> Vec<Tick> {
    let at: Vec<u64> = t
        .inputs()
        .iter()
        .filter(|(_, a)| !matches!(a, Action::Request { .. }))
        .map(|(e, _)| *e)
        .collect();
    let here = t.events();
    let mut marks = Vec::with_capacity(at.len());
    for e in at {
        t.seek_event(e);
        marks.push(t.sim().now());
    }
    t.seek_event(here);
    marks
}

/// The page's runs for `p` (see [`crate::app::link::open`]), each with its fault marks.
fn build_runs(
    p: &Params,
    first: Vec<(u64, Action)>,
    second: Vec<(u64, Action)>,
    notes: &mut Vec<String>,
) -> Result<Vec<Run>, String> {
    let mut o = crate::app::link::open(p.clone(), [first, second])?;
    if o.params != *p {
        return Err(o.notes.join(" ")); // settings that make no run: the caller keeps its runs
    }
    notes.append(&mut o.notes);
    Ok(o.runs.into_iter().map(run_of).collect())
}

fn run_of(mut t: Timeline) -> Run {
    let marks = fault_ticks(&mut t);
    Run {
        timeline: Rc::new(RefCell::new(t)),
        user_faults: Rc::new(RefCell::new(marks)),
        lin: Rc::new(RefCell::new(None)),
    }
}

impl Lab {
    /// The page for a URL's query and fragment. A bad link gives the default scenario and a
    /// notice saying what was wrong; never a panic.
    pub fn from_link(query: &str, fragment: &str) -> Lab {
        // Numbers past the run (t, e, N/R/W) are fitted to it, with a note, never refused.
        let (params, flags, runs, notice) = match crate::app::link::open_link(query, fragment) {
            Ok(o) => {
                let notice = o.notice();
                (
                    o.params,
                    o.flags,
                    o.runs.into_iter().map(run_of).collect(),
                    notice,
                )
            }
            Err(e) => {
                let p = Params::default();
                let runs = build_runs(&p, Vec::new(), Vec::new(), &mut Vec::new())
                    .expect("the default scenario always builds");
                let notice = format!("This link could not be opened ({e}).");
                (p, Flags::default(), runs, Some(notice))
            }
        };
        let clock = match params.t {
            Some(t) => t as f64,
            None => 0.0,
        };
        let clients = runs[0].timeline.borrow().sim().clients().len();
        Lab {
            params,
            flags,
            runs,
            playing: false,
            speed: 1.0,
            clock,
            versions: false,
            menu: None,
            menu_run: 0,
            consistency: vec![Consistency::Default; clients],
            amount: 0,
            notice,
            version: 0,
            edits: 0,
        }
    }

    fn rebuild(&mut self) {
        self.edits += 1;
        self.params.t = None;
        self.params.e = None;
        self.params.e2 = None;
        match build_runs(&self.params, Vec::new(), Vec::new(), &mut Vec::new()) {
            Ok(runs) => self.runs = runs,
            Err(e) => self.notice = Some(e),
        }
        let clients = self.runs[0].timeline.borrow().sim().clients().len();
        self.consistency = vec![Consistency::Default; clients];
        self.playing = false;
        self.clock = 0.0;
        self.menu = None;
    }

    /// The first run's current tick.
    pub fn now(&self) -> Tick {
        self.runs[0].timeline.borrow().sim().now()
    }

    /// The run's last tick.
    pub fn end_tick(&self) -> Tick {
        self.runs[0].timeline.borrow().sim().end_tick()
    }

    fn seek_all(&mut self, tick: Tick) {
        for r in &self.runs {
            r.timeline.borrow_mut().seek_tick(tick);
        }
        self.note_stops();
    }

    /// A run that stopped on an engine error (e.g. its event budget) says so in the notice.
    fn note_stops(&mut self) {
        if self.notice.is_some() {
            return;
        }
        let stopped = self.runs.iter().find_map(|r| {
            let t = r.timeline.borrow();
            t.sim().error().map(|e| format!("The run stopped: {e}."))
        });
        self.notice = stopped;
    }

    /// True when no run has an event left (or every run stopped on an error).
    fn finished(&self) -> bool {
        self.runs.iter().all(|r| {
            let t = r.timeline.borrow();
            t.sim().error().is_some() || t.sim().next_tick().is_none_or(|n| n > t.sim().end_tick())
        })
    }

    fn frame(&mut self, ms: f64) {
        let dt = ms.clamp(0.0, MAX_FRAME_MS) * self.speed * TICKS_PER_MS_AT_1X;
        let end = self.end_tick() as f64;
        self.clock = (self.clock + dt).min(end);
        self.seek_all(self.clock.floor() as Tick);
        if self.clock >= end || self.finished() {
            self.playing = false;
            self.clock = self.clock.floor();
        }
    }

    /// Which run processes the next event of the merged order of every run's events: the one
    /// whose next event comes first (ties: the first run). `None` when every run is done.
    fn next_runner(&self) -> Option<usize> {
        let next = |r: &Run| {
            let t = r.timeline.borrow();
            t.sim()
                .next_tick()
                .filter(|n| *n <= t.sim().end_tick() && t.sim().error().is_none())
        };
        (0..self.runs.len())
            .filter_map(|i| next(&self.runs[i]).map(|t| (t, i)))
            .min()
            .map(|(_, i)| i)
    }

    /// Which run processed the last event of the merged order (the inverse of
    /// [`Lab::next_runner`]): the latest current tick (ties: the last run). `None` at event 0.
    fn last_runner(&self) -> Option<usize> {
        (0..self.runs.len())
            .filter(|i| self.runs[*i].timeline.borrow().events() > 0)
            .map(|i| (self.runs[i].timeline.borrow().sim().now(), i))
            .max()
            .map(|(_, i)| i)
    }

    /// The latest current tick of every run (where the display clock stands after a step).
    fn latest_now(&self) -> Tick {
        self.runs
            .iter()
            .map(|r| r.timeline.borrow().sim().now())
            .max()
            .unwrap_or(0)
    }

    /// One event forward in the merged order of every run's events: with one run, its next
    /// event; side by side, the earliest next event of either run. Each stage thus moves one
    /// event at a time and [`Lab::step_back`] undoes exactly that event.
    fn step(&mut self) {
        self.playing = false;
        let Some(i) = self.next_runner() else {
            return;
        };
        self.runs[i].timeline.borrow_mut().step();
        self.note_stops();
        self.clock = self.latest_now() as f64;
    }

    /// One event back: the exact inverse of [`Lab::step`], for every stage.
    fn step_back(&mut self) {
        self.playing = false;
        if let Some(i) = self.last_runner() {
            self.runs[i].timeline.borrow_mut().step_back();
        }
        self.clock = self.latest_now() as f64;
    }

    /// Applies a user action to every run; the first refusal becomes the notice.
    fn apply(&mut self, action: Action) {
        self.edits += 1;
        let is_fault = !matches!(action, Action::Request { .. });
        let mut refused = None;
        for r in &self.runs {
            let mut t = r.timeline.borrow_mut();
            let now = t.sim().now();
            match t.apply_user(action.clone()) {
                Ok(()) => {
                    let mut marks = r.user_faults.borrow_mut();
                    marks.retain(|m| *m <= now);
                    if is_fault {
                        marks.push(now);
                    }
                }
                Err(e) => refused = refused.or(Some(e.to_string())),
            }
        }
        self.notice = refused.map(|e| format!("Not applied: {e}."));
        self.menu = None;
    }

    fn link_modes(&self, a: NodeId, b: NodeId) -> (LinkMode, LinkMode) {
        let t = self.runs[0].timeline.borrow();
        (t.sim().link(a, b).mode, t.sim().link(b, a).mode)
    }

    fn request(&mut self, client: u8, kind: OpKind) {
        let arg = match kind {
            OpKind::Deposit => {
                if self.amount > 0 {
                    self.amount
                } else {
                    20
                }
            }
            OpKind::Withdraw => {
                if self.amount > 0 {
                    self.amount
                } else {
                    80
                }
            }
            OpKind::Write => (self.now() % 100) as i64 + 1,
            OpKind::Post => self.now() as i64 % 100_000 + 1,
            _ => 0,
        };
        let chosen = self
            .consistency
            .get(usize::from(client))
            .copied()
            .unwrap_or_default();
        let consistency = match (kind, chosen) {
            (OpKind::Read, Consistency::Strong | Consistency::Eventual) => chosen,
            (k, Consistency::Quorum) if k.is_update() => chosen,
            _ => Consistency::Default,
        };
        self.apply(Action::Request {
            client,
            req: Request::simple(kind, arg, consistency),
        });
    }
}

impl Reducible for Lab {
    type Action = Msg;

    fn reduce(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        let mut s = (*self).clone();
        match msg {
            Msg::Play => {
                if s.finished() {
                    return self;
                }
                s.playing = true;
                s.menu = None;
            }
            Msg::Pause => {
                s.playing = false;
                s.clock = s.clock.floor();
            }
            Msg::Step => s.step(),
            Msg::StepBack => s.step_back(),
            Msg::Frame(ms) => {
                if !s.playing {
                    return self;
                }
                s.frame(ms);
            }
            Msg::Seek(t) => {
                let t = t.min(s.end_tick());
                s.seek_all(t);
                s.clock = t as f64;
            }
            Msg::SetSpeed(x) => s.speed = x.clamp(SPEEDS[0], SPEEDS[SPEEDS.len() - 1]),
            Msg::Reset => s.rebuild(),
            Msg::SetSeed(x) => {
                s.params.over.seed = Some(x);
                s.rebuild();
            }
            Msg::SetMode(m) => {
                s.params.over.mode = Some(m);
                s.params.side = false;
                s.rebuild();
            }
            Msg::SetConflict(c) => {
                s.params.over.conflict = Some(c);
                s.rebuild();
            }
            Msg::SetNrw(n, r, w) => {
                s.params.over.n = Some(n);
                s.params.over.r = Some(r.min(n));
                s.params.over.w = Some(w.min(n));
                s.rebuild();
            }
            Msg::SetScenario(name) => {
                s.params = crate::app::link::Params {
                    scenario: name,
                    workload: s.params.workload,
                    faults: s.params.faults,
                    side: s.params.side,
                    ..Default::default()
                };
                s.rebuild();
            }
            Msg::SetWorkload(on) => {
                s.params.workload = on;
                s.rebuild();
            }
            Msg::SetSide(on) => {
                s.params.side = on;
                s.rebuild();
            }
            Msg::ToggleVersions => s.versions = !s.versions,
            Msg::ToggleLink(a, b) => {
                let (ab, ba) = s.link_modes(a, b);
                if ab == LinkMode::Up && ba == LinkMode::Up {
                    s.apply(Action::CutBoth { a, b });
                } else {
                    s.apply(Action::Heal { a, b });
                }
            }
            Msg::CycleOneWay(a, b) => {
                let (ab, ba) = s.link_modes(a, b);
                match (ab == LinkMode::Up, ba == LinkMode::Up) {
                    (true, true) => s.apply(Action::Cut { from: a, to: b }),
                    (false, true) => {
                        s.apply(Action::Heal { a, b });
                        s.apply(Action::Cut { from: b, to: a });
                    }
                    _ => s.apply(Action::Heal { a, b }),
                }
            }
            Msg::PartitionNode(n) => s.apply(Action::Isolate(n)),
            Msg::HealAll => s.apply(Action::HealAll),
            Msg::OpenMenu(n) => {
                s.menu = if s.menu == n { None } else { n };
                s.menu_run = 0;
            }
            Msg::OpenMenuOn(run, n) => {
                let same = s.menu == Some(n) && s.menu_run == run;
                s.menu = (!same).then_some(n);
                s.menu_run = run.min(s.runs.len().saturating_sub(1));
            }
            Msg::Node(n, cmd) => s.apply(match cmd {
                NodeCmd::Crash => Action::Crash(n),
                NodeCmd::Recover => Action::Recover(n),
                NodeCmd::Pause => Action::Pause(n),
                NodeCmd::Resume => Action::Resume(n),
            }),
            Msg::SetConsistency(c, x) => {
                if let Some(slot) = s.consistency.get_mut(usize::from(c)) {
                    *slot = x;
                }
            }
            Msg::SetAmount(a) => s.amount = a.clamp(0, 1_000_000),
            Msg::Request { client, kind } => s.request(client, kind),
            Msg::DismissNotice => s.notice = None,
            Msg::TogglePresent => s.flags.present = !s.flags.present,
        }
        s.version += 1;
        Rc::new(s)
    }
}
