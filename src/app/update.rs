//! The one [`Msg`] enum and [`update`]: every change of a page goes through here, natively
//! tested; the views only dispatch messages and run the returned [`Effect`]s.

use super::inspect::{self, Inspecting, Target};
use super::lab::{Lab, NodeCmd, SPEEDS, TICKS_PER_MS_AT_1X};
use super::lesson::LessonMsg;
use super::link::{self, Link, Page, Params};
use super::share::{CopyWhat, Done, Export};
use crate::sim::action::{Action, MsgId};
use crate::sim::net;
use crate::sim::reader::{self, Ask, MAX_AMOUNT};
use crate::sim::types::{Conflict, Consistency, Mode, NodeId, OpKind, Tick};

/// A frame longer than this (a background tab) advances the clock by this much only.
const MAX_FRAME_MS: f64 = 100.0;
/// The first frame after a start, when there is no previous frame to measure from.
const FIRST_FRAME_MS: f64 = 16.0;

/// Everything a page can ask for.
#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    /// The page was mounted at this address (without its query): its first effects follow
    /// (the frame loop, the address bar, the title).
    Opened(String),
    Play,
    Pause,
    Step,
    StepBack,
    /// An animation frame (the time since the last one comes from `now_ms`).
    Frame,
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
    /// Look inside a node or a message of stage `run` (the same again: close it). Opening a
    /// message pauses the page, so that it can be read before it arrives.
    Inspect(usize, Target),
    /// Close what is open.
    CloseInspect,
    /// The Escape key: closes the node menu if one is open, else what the reader looks inside;
    /// with neither open, changes nothing.
    Escape,
    /// Drop (kill now) message `id` of stage `run`.
    DropMessage(usize, MsgId),
    /// Make message `id` of stage `run` arrive [`inspect::DELAY_TICKS`] later.
    DelayMessage(usize, MsgId),
    /// Crash node `n`, or recover it if it is crashed (the `C` key).
    CrashOrRecover(NodeId),
    SetConsistency(u8, Consistency),
    /// The amount typed for deposits and withdrawals (`None` or 0: the defaults).
    SetAmount(Option<i64>),
    Request {
        client: u8,
        kind: OpKind,
    },
    DismissNotice,
    /// Presenter mode on / off (key `P`, `present=1`).
    TogglePresent,
    Lesson(LessonMsg),
    /// A lesson a teacher makes or a reader plays (`made=`).
    Made(super::made::MadeMsg),
    /// What the browser keeps of the lessons the reader finished (its local storage, read when
    /// the landing page opens): sets `Lab::finished`.
    Finished(String),
    /// Copy the frame's link, or its embed snippet.
    Copy(CopyWhat),
    /// Open or close the embed panel.
    ToggleEmbedPanel,
    /// A choice in the embed panel (from the beginning, responsive width, panels).
    EmbedOption(super::embed::EmbedOpt),
    Export(Export),
    /// The browser did (or could not do) a copy or a download.
    Done(Done),
    /// The anomaly hunt panel.
    Hunt(super::hunt::HuntMsg),
}

/// What only a browser can do, asked for by [`update`].
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Put this link (query + fragment) in the address bar, without a new history entry.
    ReplaceUrl(String),
    /// The document's title.
    SetTitle(String),
    /// Start (true) or stop the animation frames (one [`Msg::Frame`] each).
    Frames(bool),
    /// Copy `text` to the clipboard, then report `Msg::Done(Done::Copied(what, ok))`.
    Copy { what: CopyWhat, text: String },
    /// Save `text` as a file, then report `Msg::Done(Done::Saved(what, ok))`.
    Download {
        what: Export,
        name: String,
        mime: &'static str,
        text: String,
    },
    /// Save the page's drawing of `what` (the stage, the history) as a standalone SVG file.
    DownloadSvg { what: Export, name: String },
    /// Focus the text field with this test id and select its text (to copy by hand).
    Select(&'static str),
    /// The reader finished this lesson (reached its last step): add it to the finished lessons
    /// the browser keeps (see [`super::progress`]; nothing is sent anywhere).
    Remember(&'static str),
}

/// Applies `msg` to `lab` at wall-clock `now_ms` and returns what the browser must do.
/// A message that changes nothing returns no effect and leaves `version` alone.
pub fn update(lab: &mut Lab, msg: Msg, now_ms: f64) -> Vec<Effect> {
    let was_playing = lab.playing;
    // The frames run while the page plays or the hunt works.
    let was_animating = lab.playing || lab.hunt.running();
    let (frame, edits) = (matches!(msg, Msg::Frame), lab.edits);
    let hunting = lab.hunt.running();
    let opened = matches!(msg, Msg::Opened(_));
    if !matches!(msg, Msg::Step | Msg::StepBack) {
        lab.stepped.clear();
    }
    let mut fx = Vec::new();
    if !handle(lab, msg, now_ms, &mut fx) {
        return fx;
    }
    lab.version += 1;
    lab.read_dials(now_ms, !frame);
    // A frame of play moves the clock and the runs; it may also end the play (the transport
    // changes) or be the hunt's (its panel changes).
    if !frame || lab.playing != was_playing || hunting {
        lab.beyond_clock += 1;
    }
    if let Some(c) = lab.challenge() {
        let t = lab.runs[0].timeline.borrow();
        super::challenge::observe(c, &t, &mut lab.tries);
    }
    let animating = lab.playing || lab.hunt.running();
    if animating != was_animating || opened {
        fx.push(Effect::Frames(animating));
    }
    // A hunt's frame changes the address only when it loads the run it found.
    let moved = !frame || was_playing || lab.edits != edits;
    if !lab.playing && lab.writes_address && moved {
        fx.push(Effect::ReplaceUrl(address(lab)));
    }
    if opened {
        fx.push(Effect::SetTitle(title(lab)));
    }
    fx
}

/// The page's title.
fn title(lab: &Lab) -> String {
    match (&lab.lesson, lab.challenge()) {
        (Some(s), _) => format!("{} · CAP Lab", s.lesson.title),
        (None, Some(c)) => format!("Challenge: {} · CAP Lab", c.title),
        (None, None) => "CAP Lab".to_string(),
    }
}

/// The link of the frame shown: a lesson step, or the lab's query and the reader's inputs at
/// this exact frame (`t`, and the events of each run).
pub fn frame_link(lab: &Lab) -> Link {
    let page = match &lab.lesson {
        Some(s) => Page::Lesson {
            id: s.lesson.id.to_string(),
            step: s.step,
        },
        None => {
            let events = |i: usize| lab.runs.get(i).map(|r| r.timeline.borrow().events());
            let params = Params {
                t: Some(lab.clock.floor() as Tick),
                e: events(0),
                e2: events(1),
                ..lab.params.clone()
            };
            Page::Lab {
                params,
                inputs: lab.inputs(),
            }
        }
    };
    Link {
        page,
        flags: lab.flags,
    }
}

/// The address of the frame shown (query + fragment).
pub fn address(lab: &Lab) -> String {
    written(&frame_link(lab))
}

/// `l` written. The model never lets a run hold more inputs than a link carries (see
/// `Lab::apply`), so the link is whole; were it not, the settings alone are kept rather than a
/// link that would not open.
pub fn written(l: &Link) -> String {
    link::write(l).unwrap_or_else(|_| match &l.page {
        Page::Lab { params, .. } => params.to_query() + &l.flags.to_query(),
        _ => "?".into(),
    })
}

/// Applies one message, adding the effects it asks for to `fx`; false when the page did not
/// change.
fn handle(lab: &mut Lab, msg: Msg, now_ms: f64, fx: &mut Vec<Effect>) -> bool {
    match msg {
        Msg::Opened(base) => {
            lab.base = base;
            fx.extend(lab.finished_now().map(Effect::Remember));
        }
        Msg::Play => return lab.play(now_ms),
        Msg::Pause => return lab.pause(),
        Msg::Step => return lab.step(),
        Msg::StepBack => return lab.step_back(),
        Msg::Frame => {
            let hunted = lab.hunt_frame(now_ms);
            return lab.frame(now_ms) || hunted;
        }
        Msg::Hunt(m) => return lab.hunt_msg(m),
        Msg::Seek(t) => lab.seek(t),
        Msg::SetSpeed(x) => lab.speed = x.clamp(SPEEDS[0], SPEEDS[SPEEDS.len() - 1]),
        Msg::Made(m) => return lab.made_msg(m, fx),
        Msg::Finished(stored) => lab.finished = super::progress::finished(&stored),
        Msg::Lesson(m) => {
            let changed = lab.lesson_msg(m);
            fx.extend(lab.finished_now().map(Effect::Remember));
            return changed;
        }
        Msg::Copy(what) => fx.push(lab.copy(what)),
        Msg::ToggleEmbedPanel => lab.sharing.embed_open = !lab.sharing.embed_open,
        Msg::EmbedOption(o) => return lab.embed_option(o),
        Msg::Export(what) => {
            fx.push(lab.export(what));
            return false;
        }
        Msg::Done(d) => fx.extend(lab.done(d)),
        m @ (Msg::Reset
        | Msg::SetSeed(_)
        | Msg::SetMode(_)
        | Msg::SetConflict(_)
        | Msg::SetNrw(..)
        | Msg::SetScenario(_)
        | Msg::SetWorkload(_)
        | Msg::SetSide(_)) => return lab.redial(m),
        m => return lab.reader(m),
    }
    true
}

impl Lab {
    /// Plays on; at the end of the run, plays it again from the start.
    fn play(&mut self, now_ms: f64) -> bool {
        if self.finished() {
            self.seek(0);
        }
        self.playing = true;
        self.menu = None;
        self.last_frame_ms = Some(now_ms);
        self.pace = Default::default();
        true
    }

    fn pause(&mut self) -> bool {
        self.playing = false;
        self.clock = self.clock.floor();
        true
    }

    /// Moves every run to `tick` (at most the run's end) and the display clock with them.
    pub(super) fn seek(&mut self, tick: Tick) {
        let tick = tick.min(self.end_tick());
        self.lockstep(|l| l.seek_tick(tick));
        self.clock = tick as f64;
        self.note_stops();
    }

    /// One frame of play: the clock moves by the wall-clock time since the last frame.
    fn frame(&mut self, now_ms: f64) -> bool {
        if !self.playing {
            return false;
        }
        let ms = self.last_frame_ms.map_or(FIRST_FRAME_MS, |l| now_ms - l);
        let after_dials = self.last_frame_ms == Some(self.dialed.1);
        self.last_frame_ms = Some(now_ms);
        self.pace.frame(ms, MAX_FRAME_MS, after_dials);
        let dt = ms.clamp(0.0, MAX_FRAME_MS) * self.speed * TICKS_PER_MS_AT_1X;
        let end = self.end_tick() as f64;
        self.clock = (self.clock + dt).min(end);
        let tick = self.clock.floor() as Tick;
        self.lockstep(|l| l.seek_tick(tick));
        self.note_stops();
        // The run goes on while a request waits for its answer (the end moves with it).
        let end = self.end_tick() as f64;
        if self.clock >= end || self.finished() {
            self.playing = false;
            self.clock = self.clock.floor();
        }
        self.end_watch();
        true
    }

    /// One event forward in the merged order of every run's events (see `Lockstep`).
    fn step(&mut self) -> bool {
        self.playing = false;
        let moved = self.lockstep(|l| l.step());
        self.note_stops();
        self.clock = self.lockstep(|l| l.now()) as f64;
        match moved {
            Some(run) => {
                self.stepped.push(run);
                true
            }
            None => false,
        }
    }

    /// One event back: the exact inverse of the last [`Lab::step`] (the runs it moved are
    /// recorded until anything else changes the page).
    fn step_back(&mut self) -> bool {
        self.playing = false;
        let run = self.stepped.pop();
        let moved = self.lockstep(|l| l.step_back(run));
        self.clock = self.lockstep(|l| l.now()) as f64;
        moved
    }

    /// A run that stopped on an engine error (e.g. its event budget) says so in the notice.
    fn note_stops(&mut self) {
        if self.notice.is_some() {
            return;
        }
        self.notice = self.runs.iter().find_map(|r| {
            let t = r.timeline.borrow();
            t.sim().error().map(|e| format!("The run stopped: {e}."))
        });
    }

    /// A change of the run's dials: the run is rebuilt from the start, and keeps playing if it
    /// was (a paused page stays paused, and its stage says so).
    fn redial(&mut self, msg: Msg) -> bool {
        self.hunt.stop();
        // A challenge's run is its starting run: only "Try again" (a reset) rebuilds it.
        if self.params.challenge.is_some() && msg != Msg::Reset {
            return false;
        }
        let p = &mut self.params;
        match msg {
            Msg::SetSeed(x) => p.over.seed = Some(x),
            Msg::SetMode(m) => {
                p.over.mode = Some(m);
                p.side = false;
            }
            Msg::SetConflict(c) => p.over.conflict = Some(c),
            Msg::SetNrw(n, r, w) => {
                p.over.n = Some(n);
                p.over.r = Some(r.min(n));
                p.over.w = Some(w.min(n));
            }
            Msg::SetScenario(name) => {
                *p = Params {
                    scenario: name,
                    workload: p.workload,
                    faults: p.faults,
                    side: p.side,
                    made: p.made.take(),
                    ..Params::default()
                }
            }
            Msg::SetWorkload(on) => p.workload = on,
            Msg::SetSide(on) => p.side = on,
            _ => {}
        }
        self.rebuild();
        true
    }

    /// New runs for the settings, from the start. Settings that make no run keep the runs
    /// shown, and say why.
    fn rebuild(&mut self) {
        self.edits += 1;
        self.tries.counted = false;
        self.params.t = None;
        self.params.e = None;
        self.params.e2 = None;
        match link::open(self.params.clone(), Default::default()) {
            Ok(o) if o.params == self.params => {
                self.runs = o.runs.into_iter().map(super::Run::new).collect();
                self.tradeoff.note(&self.params);
            }
            Ok(o) => self.notice = Some(o.notes.join(" ")),
            Err(e) => self.notice = Some(e),
        }
        let clients = self.runs[0].timeline.borrow().sim().clients().len();
        self.consistency = vec![Consistency::Default; clients];
        self.clock = 0.0;
        self.menu = None;
        self.inspecting = None;
        self.playing = self.playing && !self.finished();
    }

    /// The reader's own clicks on the stage, the clients and the panels.
    fn reader(&mut self, msg: Msg) -> bool {
        match msg {
            Msg::ToggleVersions => self.versions = !self.versions,
            Msg::ToggleLink(a, b) => return self.click_link(a, b, false),
            Msg::CycleOneWay(a, b) => return self.click_link(a, b, true),
            Msg::PartitionNode(n) => return self.apply(Action::Isolate(n)),
            Msg::HealAll => return self.apply(Action::HealAll),
            Msg::OpenMenu(n) => {
                self.menu = if self.menu == n { None } else { n };
                self.menu_run = 0;
            }
            Msg::OpenMenuOn(run, n) => {
                let same = self.menu == Some(n) && self.menu_run == run;
                self.menu = (!same).then_some(n);
                self.menu_run = run.min(self.runs.len() - 1);
            }
            Msg::Node(n, cmd) => return self.apply(cmd.action(n)),
            Msg::Inspect(run, target) => return self.inspect(run, target),
            Msg::CloseInspect => self.inspecting = None,
            Msg::Escape if self.menu.is_some() => self.menu = None,
            Msg::Escape if self.inspecting.is_some() => self.inspecting = None,
            Msg::Escape => return false,
            Msg::DropMessage(run, id) => return self.apply_on(run, Action::DropMessage(id)),
            Msg::DelayMessage(run, id) => {
                let ticks = inspect::DELAY_TICKS;
                return self.apply_on(run, Action::DelayMessage { id, ticks });
            }
            Msg::CrashOrRecover(n) => {
                let crashed = {
                    let t = self.runs[0].timeline.borrow();
                    t.sim().status(n) == crate::sim::types::Status::Crashed
                };
                let cmd = if crashed {
                    NodeCmd::Recover
                } else {
                    NodeCmd::Crash
                };
                return self.apply(cmd.action(n));
            }
            Msg::SetConsistency(c, x) => match self.consistency.get_mut(usize::from(c)) {
                Some(slot) => *slot = x,
                None => return false,
            },
            Msg::SetAmount(a) => {
                self.amount = a.filter(|a| *a > 0).map(|a| a.min(MAX_AMOUNT));
            }
            Msg::Request { client, kind } => return self.request(client, kind),
            Msg::DismissNotice => self.notice = None,
            Msg::TogglePresent => self.flags.present = !self.flags.present,
            _ => return false,
        }
        true
    }

    /// Opens (or, the same again, closes) what the reader looks inside.
    fn inspect(&mut self, run: usize, target: Target) -> bool {
        if run >= self.runs.len() {
            return false;
        }
        let want = Inspecting { run, target };
        self.menu = None;
        if self.inspecting == Some(want) {
            self.inspecting = None;
            return true;
        }
        if matches!(target, Target::Message(_)) {
            self.playing = false;
            self.clock = self.clock.floor();
        }
        self.inspecting = Some(want);
        true
    }

    /// A click (or a shift-click) on the link a–b: the sim's rules for the pair as it is in
    /// the first run, applied to every run.
    fn click_link(&mut self, a: NodeId, b: NodeId, shift: bool) -> bool {
        let state = self.runs[0].timeline.borrow().sim().pair(a, b);
        let actions = if shift {
            net::shift_click_actions(a, b, state)
        } else {
            net::click_actions(a, b, state)
        };
        let mut changed = false;
        for action in actions {
            changed |= self.apply(action);
        }
        changed
    }

    fn request(&mut self, client: u8, kind: OpKind) -> bool {
        let level = self
            .consistency
            .get(usize::from(client))
            .copied()
            .unwrap_or_default();
        let ask = Ask {
            kind,
            amount: self.amount,
            level,
        };
        let req = {
            let t = self.runs[0].timeline.borrow();
            reader::request(t.sim(), ask)
        };
        self.apply(Action::Request { client, req })
    }

    /// Applies a reader's action to run `run` alone (a message exists in one run only).
    fn apply_on(&mut self, run: usize, action: Action) -> bool {
        if run >= self.runs.len() {
            return false;
        }
        let fits = self.lesson.is_some() || {
            let at = self.runs[run].timeline.borrow().events();
            run >= 2 || link::fits(&self.inputs(), run, at, &action)
        };
        if !fits {
            self.notice = Some(too_many_inputs());
            return true;
        }
        self.edits += 1;
        let applied = self.runs[run].timeline.borrow_mut().apply_user(action);
        self.notice = applied.err().map(|e| format!("Not applied: {e}."));
        true
    }

    /// Whether the page's link still holds every run's inputs with `action` added (a lesson's
    /// link carries no inputs: it always does).
    fn link_holds(&self, action: &Action) -> bool {
        if self.lesson.is_some() {
            return true;
        }
        let all = self.inputs();
        (0..self.runs.len().min(2)).all(|i| {
            let at = self.runs[i].timeline.borrow().events();
            link::fits(&all, i, at, action)
        })
    }

    /// Applies a reader's action to every run; the first refusal becomes the notice.
    fn apply(&mut self, action: Action) -> bool {
        self.menu = None;
        if !self.link_holds(&action) {
            // A run with more actions than a link can carry could not be shared or reopened.
            self.notice = Some(too_many_inputs());
            return true;
        }
        self.edits += 1;
        let mut refused = None;
        for r in &self.runs {
            if let Err(e) = r.timeline.borrow_mut().apply_user(action.clone()) {
                refused = refused.or(Some(e.to_string()));
            }
        }
        self.notice = refused.map(|e| format!("Not applied: {e}."));
        true
    }
}

/// The notice for an action a link could not carry.
fn too_many_inputs() -> String {
    format!(
        "Not applied: this run already holds the most actions a link can carry ({}). \
         Reset the run to start again.",
        link::MAX_LINK_INPUTS
    )
}
