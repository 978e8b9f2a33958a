//! [`Lab`]: the state of one page. Its runs are [`Timeline`]s behind `Rc<RefCell<…>>`, so a
//! page state clones cheaply (an animation frame never clones a world); [`crate::app::update`]
//! mutates them in place and bumps `version`.

use std::cell::RefCell;
use std::rc::Rc;

use super::lesson::LessonSession;
use super::link::{self, Flags, Params};
use super::verdict::LinCache;
use crate::sim::action::Action;
use crate::sim::lockstep::{next_event, Lockstep};
use crate::sim::timeline::Timeline;
use crate::sim::types::{Consistency, NodeId, Tick};

/// Display ticks per wall-clock millisecond at speed 1× (1 tick = 1 simulated ms; 1× plays
/// ten times slower than real time so that a 10 ms message can be followed by eye).
pub const TICKS_PER_MS_AT_1X: f64 = 0.1;
/// While the page plays, the dials (see [`Lab::dial`]) follow the clock every this many ms of
/// wall time (5 a second: the digits count in steps of 20 ticks at 1×; a dials' frame costs a
/// slow phone several frames' work, so 10 a second cost the bank sandbox a quarter of its
/// frames at 6× CPU throttling) …
pub const DIAL_MS: f64 = 200.0;
/// … or sooner, once the clock has moved by this fraction of the run (at fast speeds, on a
/// browser that keeps up).
pub const DIAL_STEPS: f64 = 100.0;
/// While the page plays, frames that come further apart than this, on average (ms), mean the
/// browser cannot keep up (below 50 fps): the stage's text follows the dials (see
/// [`Lab::stage_follows_dials`]), and the dials move less often (see [`Pace::dial_ms`]) …
pub const BEHIND_MS: f64 = 20.0;
/// … until frames come closer than this again (above 57 fps), the frames that move the dials
/// (and draw the text) included.
pub const CAUGHT_UP_MS: f64 = 17.5;
/// Behind, the dials move at most once in this many ms …
pub const SLOWEST_DIAL_MS: f64 = 1000.0;
/// … and their frames take about this share of the time at most (one in four).
pub const DIAL_SHARE: f64 = 4.0;
/// The speed choices.
pub const SPEEDS: [f64; 7] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0];
/// How the speeds read.
pub const SPEED_LABELS: [&str; 7] = ["¼×", "½×", "1×", "2×", "4×", "8×", "16×"];

/// What a node menu can do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeCmd {
    Crash,
    Recover,
    Pause,
    Resume,
}

impl NodeCmd {
    pub fn action(self, n: NodeId) -> Action {
        match self {
            NodeCmd::Crash => Action::Crash(n),
            NodeCmd::Recover => Action::Recover(n),
            NodeCmd::Pause => Action::Pause(n),
            NodeCmd::Resume => Action::Resume(n),
        }
    }
}

/// One stage: a timeline and its checker cache.
#[derive(Clone)]
pub struct Run {
    pub timeline: Rc<RefCell<Timeline>>,
    /// The last linearizability verdict (recomputed when the history changes).
    pub lin: Rc<LinCache>,
}

impl Run {
    pub fn new(t: Timeline) -> Run {
        Run {
            timeline: Rc::new(RefCell::new(t)),
            lin: Rc::new(RefCell::new(None)),
        }
    }
}

/// What the stage itself says about the clock (drawn large over it, with the one way on).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sign {
    /// Paused: ▶ resumes.
    Paused {
        /// Requests sent that wait for the run to go on.
        waiting: usize,
    },
    /// The run has nothing left to do: ↺ plays it again from the start.
    Ended,
}

/// The page's state. Cheap to clone (the timelines are shared).
#[derive(Clone)]
pub struct Lab {
    /// The lab's settings (scenario, dials, seed; for a lesson, the defaults).
    pub params: Params,
    /// The page flags: compact for an iframe, presenter mode.
    pub flags: Flags,
    /// One run, or two (CP then AP) side by side, or a lesson's stages.
    pub runs: Vec<Run>,
    pub playing: bool,
    pub speed: f64,
    /// The display clock in ticks; every event at or before `floor(clock)` is processed.
    pub clock: f64,
    /// The clock the page's dials read (see [`Lab::dial`]) and the wall-clock ms it was read.
    pub dialed: (f64, f64),
    /// How fast the frames come while the page plays.
    pub pace: Pace,
    pub versions: bool,
    pub menu: Option<NodeId>,
    /// The stage whose node menu is open (side by side: either; its items act on every run).
    pub menu_run: usize,
    /// The node or message the reader looks inside, if any.
    pub inspecting: Option<super::inspect::Inspecting>,
    pub consistency: Vec<Consistency>,
    /// The amount typed for deposits and withdrawals (`None`: the defaults).
    pub amount: Option<i64>,
    /// A message for the reader (a bad link, a refused click).
    pub notice: Option<String>,
    /// The lesson being visited, on a lesson page.
    pub lesson: Option<LessonSession>,
    /// A lesson a teacher made (its steps are in `params.made`): where the reader is in it.
    pub made: Option<super::made::MadeVisit>,
    /// On a challenge page, the reader's failed tries of the impossible challenge.
    pub tries: super::challenge::Tries,
    /// The share bar: the embed panel, what was last said, a link to copy by hand.
    pub sharing: super::share::Sharing,
    /// The page's address without its query (`https://host/path/`), for absolute links; told
    /// by the browser when the page opens (`Msg::Opened`).
    pub base: String,
    /// The run each step since the last other change moved (a step back undoes exactly it).
    pub stepped: Vec<usize>,
    /// The lessons the reader finished, as the browser remembers them (the landing page marks
    /// them; see [`super::progress`] and `Msg::Finished`).
    pub finished: Vec<&'static str>,
    /// Whether this page keeps the address bar on its frame (the landing page's stage does not).
    pub writes_address: bool,
    /// Wall-clock ms of the last frame while playing (the next frame advances by the gap).
    pub last_frame_ms: Option<f64>,
    /// Bumped on every change of the page.
    pub version: u64,
    /// The anomaly hunt panel (see [`super::hunt`]).
    pub hunt: super::hunt::Hunt,
    /// The trade-off plot's points (quorum mode; see [`super::tradeoff`]).
    pub tradeoff: super::tradeoff::Tradeoff,
    /// Bumped whenever a run's future can change (a reader's action, a rebuild): parts of the
    /// page drawn from finished history (which never changes otherwise) redraw only then.
    pub edits: u64,
    /// Bumped on every change of the page except a frame of play that only moved the clock (and
    /// the runs with it): panels that show nothing of a run's progress redraw only then.
    pub beyond_clock: u64,
}

/// How fast the frames come while the page plays: the average gap between them (ms, weighing
/// the last frames most) and whether the browser is behind (see [`BEHIND_MS`]).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Pace {
    pub gap_ms: f64,
    pub behind: bool,
    /// How long the frames that moved the dials took (the gap after each: the page's render),
    /// on average and the last one.
    pub dial_cost_ms: f64,
    pub last_dial_ms: f64,
}

impl Pace {
    /// One more frame, `ms` after the last (a gap over `cap` counts as `cap`: a tab in the
    /// background says nothing about the browser's speed); `after_dials`: the frame before
    /// moved the dials.
    pub fn frame(&mut self, ms: f64, cap: f64, after_dials: bool) {
        let avg = |old: f64, ms: f64| if old == 0.0 { ms } else { 0.8 * old + 0.2 * ms };
        if after_dials {
            self.last_dial_ms = ms.clamp(0.0, SLOWEST_DIAL_MS);
            self.dial_cost_ms = avg(self.dial_cost_ms, self.last_dial_ms);
        }
        self.gap_ms = avg(self.gap_ms, ms.clamp(0.0, cap));
        self.behind = if self.behind {
            // Behind, most frames draw no text and come on time because of that: caught up
            // only once the last frame that did (the dials') fit in a frame as well.
            let renders_fit = self.last_dial_ms > 0.0 && self.last_dial_ms < CAUGHT_UP_MS;
            !(renders_fit && self.gap_ms < CAUGHT_UP_MS)
        } else {
            self.gap_ms > BEHIND_MS
        };
    }

    /// How often the dials move while the page plays: every [`DIAL_MS`]; behind, often enough
    /// that their frames take about one [`DIAL_SHARE`]th of the time, every second `DIAL_MS`
    /// at the most and every [`SLOWEST_DIAL_MS`] at the least.
    pub fn dial_ms(&self) -> f64 {
        if self.behind {
            (DIAL_SHARE * self.dial_cost_ms).clamp(2.0 * DIAL_MS, SLOWEST_DIAL_MS)
        } else {
            DIAL_MS
        }
    }
}

impl PartialEq for Lab {
    fn eq(&self, other: &Lab) -> bool {
        self.version == other.version
    }
}

impl Lab {
    /// A paused page over `runs` (at least one), at tick `clock`.
    pub fn with_runs(params: Params, flags: Flags, runs: Vec<Run>, clock: f64) -> Lab {
        assert!(!runs.is_empty(), "a page has at least one run");
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
            inspecting: None,
            consistency: vec![Consistency::Default; clients],
            amount: None,
            notice: None,
            lesson: None,
            made: None,
            finished: Vec::new(),
            tries: Default::default(),
            last_frame_ms: None,
            dialed: (0.0, 0.0),
            pace: Pace::default(),
            writes_address: true,
            stepped: Vec::new(),
            sharing: Default::default(),
            base: String::new(),
            version: 0,
            edits: 0,
            beyond_clock: 0,
            hunt: Default::default(),
            tradeoff: Default::default(),
        }
    }

    /// The sandbox for a URL's query and fragment. A bad link gives the default scenario and a
    /// notice saying what was wrong; never a panic. A link without a tick opens playing.
    pub fn sandbox(query: &str, fragment: &str) -> Lab {
        // A partly bad link keeps what is good (numbers past the run fitted to it), with a note.
        let (params, flags, runs, notice) = match link::open_link(query, fragment) {
            Ok(o) => {
                let notice = o.notice();
                let runs = o.runs.into_iter().map(Run::new).collect();
                (o.params, o.flags, runs, notice)
            }
            Err(e) => {
                let notice = format!("This link could not be opened ({e}).");
                let flags = link::parse(query, "").0.flags;
                (Params::default(), flags, default_runs(), Some(notice))
            }
        };
        let clock = params.t.map_or(0.0, |t| t as f64);
        let opens_playing = params.t.is_none() && notice.is_none();
        let made = params.made.is_some();
        let mut lab = Lab::with_runs(params, flags, runs, clock);
        lab.notice = notice;
        lab.playing = opens_playing && !made;
        lab.open_made();
        lab.tradeoff.note(&lab.params);
        lab
    }

    /// The landing page's live stage: the default scenario, playing at half speed. It never
    /// writes the address bar (the landing page's address stays the landing page's).
    pub fn live() -> Lab {
        let mut lab = Lab::with_runs(Params::default(), Flags::default(), default_runs(), 0.0);
        lab.playing = true;
        lab.speed = 0.5;
        lab.writes_address = false;
        lab
    }

    /// The reader's recorded inputs of the first and the second run (empty when there is none),
    /// as a link carries them.
    pub fn inputs(&self) -> [link::Inputs; 2] {
        let of = |i: usize| {
            let r = self.runs.get(i);
            r.map(|r| r.timeline.borrow().inputs().to_vec())
                .unwrap_or_default()
        };
        [of(0), of(1)]
    }

    /// The challenge this page is, if any.
    pub fn challenge(&self) -> Option<&'static super::challenge::Challenge> {
        self.params.challenge.and_then(super::challenge::find)
    }

    /// The words under the stage: the scenario's own description, unless the link turned off
    /// what it describes (its scripted faults, its clients' traffic); then what this run does.
    /// `None` on a challenge page (the goal says it).
    pub fn description(&self) -> Option<String> {
        if self.challenge().is_some() {
            return None;
        }
        let name = &self.params.scenario;
        Some(match (self.params.faults, self.params.workload) {
            (true, true) => self.runs[0].timeline.borrow().scenario().description.clone(),
            (false, false) => format!("The {name} scenario with its scripted faults and its clients' traffic off: nothing happens but what you do."),
            (false, true) => format!("The {name} scenario with its scripted faults off: its clients send their requests, and the network breaks only where you break it."),
            (true, false) => format!("The {name} scenario without its clients' traffic: its scripted faults still happen, and only your requests are sent."),
        })
    }

    /// The challenge's status at the frame shown (`None`: not a challenge page).
    pub fn challenge_status(&self) -> Option<super::challenge::Status> {
        let c = self.challenge()?;
        let t = self.runs[0].timeline.borrow();
        Some(super::challenge::status(c, &t, &self.tries))
    }

    /// The clock as the clock's digits, the scrubber and the history's clock line show it:
    /// while the page plays, the clock as it was at most [`DIAL_MS`] of wall time ago (or
    /// [`DIAL_STEPS`]ths of the run), so that those three change together on one frame in
    /// several (each change costs the browser a layout and a paint of the page, which on a
    /// slow phone is most of a frame; the messages, on their canvas, move on every frame).
    /// Paused, stepped or sought: the clock itself.
    pub fn dial(&self) -> f64 {
        if self.playing {
            self.dialed.0
        } else {
            self.clock
        }
    }

    /// Whether the stage's text and shapes (replicas' values, clients' requests, the history's
    /// bars, crosses) follow the dials rather than every frame: while the page plays on a
    /// browser that cannot keep up (see [`Pace`]). Each change of them costs a layout and a
    /// paint of the page (with nine nodes, on every frame); the messages, on their canvas,
    /// still move on every frame, and a pause shows everything exactly.
    pub fn stage_follows_dials(&self) -> bool {
        self.playing && self.pace.behind
    }

    /// Reads the clock into the dials if they are due (see [`Lab::dial`]); `force`: now. A
    /// browser that keeps up also reads them each [`DIAL_STEPS`]th of the run, so that a fast
    /// play's dials do not lag far; one that is behind only at the pace's period (a lesson's
    /// "watch it happen" crosses a hundredth of the run every few frames).
    pub fn read_dials(&mut self, now_ms: f64, force: bool) {
        let (shown, at) = self.dialed;
        let far = !self.pace.behind
            && (self.clock - shown).abs() * DIAL_STEPS >= self.end_tick().max(1) as f64;
        if force || !self.playing || now_ms - at >= self.pace.dial_ms() || far {
            self.dialed = (self.clock, now_ms);
        }
    }

    /// The first run's current tick.
    pub fn now(&self) -> Tick {
        self.runs[0].timeline.borrow().sim().now()
    }

    /// The last tick any run can reach (it grows while a reader's request is in flight).
    pub fn end_tick(&self) -> Tick {
        let end = |r: &Run| r.timeline.borrow().sim().end_tick();
        self.runs.iter().map(end).max().unwrap_or(0)
    }

    /// The runs, stepped together (see [`Lockstep`]).
    pub fn lockstep<R>(&self, f: impl FnOnce(&mut Lockstep) -> R) -> R {
        let mut held: Vec<_> = self.runs.iter().map(|r| r.timeline.borrow_mut()).collect();
        let mut l = Lockstep::new(held.iter_mut().map(|t| &mut **t).collect());
        f(&mut l)
    }

    /// True when no run has an event left (or every run stopped on an error).
    pub fn finished(&self) -> bool {
        let done = |r: &Run| next_event(&r.timeline.borrow()).is_none();
        self.runs.iter().all(done)
    }

    /// Requests the reader sent that have no answer yet, in every run.
    pub fn waiting(&self) -> usize {
        self.runs
            .iter()
            .map(|r| {
                let t = r.timeline.borrow();
                t.sim()
                    .clients()
                    .iter()
                    .filter(|c| c.pending.is_some())
                    .count()
            })
            .sum()
    }

    /// What the stage says about the clock: nothing while playing; paused or ended otherwise.
    /// A lesson step is a paused moment by design: its stage says so only in free play; and
    /// nothing is said over an open node menu.
    pub fn sign(&self) -> Option<Sign> {
        let free = self.lesson.as_ref().is_none_or(|l| l.trying);
        // An open node menu has the stage's attention (the sign would cover its items).
        if self.playing || !free || self.menu.is_some() {
            return None;
        }
        if self.finished() {
            return Some(Sign::Ended);
        }
        Some(Sign::Paused {
            waiting: self.waiting(),
        })
    }
}

/// The default scenario's run (it always builds).
pub fn default_runs() -> Vec<Run> {
    let o = link::open(Params::default(), Default::default())
        .expect("the default scenario always builds");
    o.runs.into_iter().map(Run::new).collect()
}
