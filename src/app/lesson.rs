//! A lesson visit: which step, whether the reader is trying things in free play, their
//! prediction (a guess plays the stage on to the moment that answers it, then shows the answer;
//! the answers are kept for the visit), and "watch it happen" (play from the previous step's
//! moment to this one).
//!
//! One [`Lab`] holds one timeline per lesson stage for the whole visit: a step is a seek, and the
//! reader's own changes (cut links, crashes, requests) stay in the timelines, so every step is
//! narrated from the run as the reader left it. "Restore" rebuilds the original runs.

use std::rc::Rc;

use super::lab::{Lab, Run, SPEEDS};
use super::link::{Flags, Params};
use crate::lessons::{prediction, Lesson};
use crate::sim::timeline::Timeline;
use crate::sim::types::Tick;
use crate::sim::world::Sim;

/// "Watch it happen" lasts about this many wall-clock ms at 1× (0.1 tick per ms), whatever the
/// gap between the two steps.
const WATCH_MS: f64 = 3_000.0;

/// The state of a lesson visit.
#[derive(Clone, Debug)]
pub struct LessonSession {
    pub lesson: Rc<Lesson>,
    /// 0-based, always in range.
    pub step: usize,
    /// Free play from the step's moment ("Try it yourself").
    pub trying: bool,
    /// The option the reader picked for this step's question.
    pub guess: Option<String>,
    pub revealed: bool,
    /// "Watch it happen" is playing up to this tick.
    pub watch_to: Option<Tick>,
    /// The run the reader picked to see, on this step, where the runs take turns (an embed);
    /// `None`: the one the text names first (see `app::embed::shown_run`).
    pub shown: Option<usize>,
    /// Per step, whether the reader's last answer to its question was right (`None`: not
    /// answered; revealed without a guess counts as not right). Kept for the whole visit.
    pub answers: Vec<Option<bool>>,
    /// The reader reached the last step and the page was asked to remember it.
    pub remembered: bool,
}

impl LessonSession {
    /// The answer is on screen: revealed, and the stage has played on to the moment that
    /// decides it.
    pub fn answer_shown(&self) -> bool {
        self.revealed && self.watch_to.is_none()
    }

    /// (right, answered) over the questions answered in this visit.
    pub fn score(&self) -> (usize, usize) {
        let answered = self.answers.iter().flatten();
        let right = answered.clone().filter(|r| **r).count();
        (right, answered.count())
    }
}

/// What a reader does on a lesson page.
#[derive(Clone, Debug, PartialEq)]
pub enum LessonMsg {
    /// Go to step `n` (0-based; out of range: ignored).
    Go(usize),
    Next,
    Back,
    /// Free play on / off (off: back to the step's moment, keeping the reader's changes).
    Try(bool),
    /// The reader answers the step's question (`None`: "I don't know"): the answer shows.
    Guess(Option<String>),
    /// Play from the previous step's moment to this one.
    Watch,
    /// Rebuild the lesson's own runs (the reader's changes are dropped).
    Restore,
    /// Show run `n` where the runs take turns (an embed; out of range: ignored).
    Show(usize),
}

/// The tick of step `step` (0 when out of range).
pub fn tick_of(lesson: &Lesson, step: usize) -> Tick {
    lesson.steps.get(step).map_or(0, |s| s.at_tick)
}

/// One run per lesson stage, each at `tick`; a stage that does not build is left out and named.
fn lesson_runs(lesson: &Lesson, tick: Tick) -> (Vec<Run>, Option<String>) {
    let mut runs = Vec::new();
    let mut notice = None;
    for stage in &lesson.stages {
        match Timeline::new(stage.scenario.clone()) {
            Ok(mut t) => {
                t.seek_tick(tick);
                runs.push(Run::new(t));
            }
            Err(e) => notice = Some(format!("The \"{}\" run did not build: {e}", stage.label)),
        }
    }
    (runs, notice)
}

impl Lab {
    /// A lesson page at step `step` (0-based, clamped), paused at the step's moment.
    pub fn for_lesson(lesson: Rc<Lesson>, step: usize, flags: Flags) -> Lab {
        let count = lesson.steps.len();
        let step = step.min(count.saturating_sub(1));
        let tick = tick_of(&lesson, step);
        let (runs, notice) = lesson_runs(&lesson, tick);
        let mut lab = if runs.is_empty() {
            Lab::with_runs(Params::default(), flags, super::lab::default_runs(), 0.0)
        } else {
            Lab::with_runs(Params::default(), flags, runs, tick as f64)
        };
        lab.notice = notice;
        lab.lesson = Some(LessonSession {
            lesson,
            step,
            trying: false,
            guess: None,
            revealed: false,
            watch_to: None,
            shown: None,
            answers: vec![None; count],
            remembered: false,
        });
        lab
    }

    /// True when the reader changed any run (a click on a link, a node, a request).
    pub fn edited(&self) -> bool {
        self.runs
            .iter()
            .any(|r| !r.timeline.borrow().inputs().is_empty())
    }

    /// Handles a lesson message; false when there is no lesson or nothing changed.
    pub(super) fn lesson_msg(&mut self, msg: LessonMsg) -> bool {
        let Some(s) = self.lesson.as_ref() else {
            return false;
        };
        let step = s.step;
        match msg {
            LessonMsg::Go(n) => self.go(n),
            LessonMsg::Next => self.next(),
            LessonMsg::Back => step > 0 && self.go(step - 1),
            LessonMsg::Try(on) => self.try_it(on),
            LessonMsg::Guess(g) => self.guess(g),
            LessonMsg::Watch => self.watch(),
            LessonMsg::Show(n) => {
                let ok = n < self.runs.len();
                if let (true, Some(s)) = (ok, self.lesson.as_mut()) {
                    s.shown = Some(n);
                }
                ok
            }
            LessonMsg::Restore => {
                let lesson = s.lesson.clone();
                let kept = (s.answers.clone(), s.remembered);
                let (version, edits, beyond) = (self.version, self.edits + 1, self.beyond_clock);
                *self = Lab::for_lesson(lesson, step, self.flags);
                (self.version, self.edits, self.beyond_clock) = (version, edits, beyond);
                if let Some(s) = self.lesson.as_mut() {
                    (s.answers, s.remembered) = kept;
                }
                true
            }
        }
    }

    /// Next: an unanswered question is answered first ("I don't know"), then the next step.
    fn next(&mut self) -> bool {
        let Some(s) = self.lesson.as_ref() else {
            return false;
        };
        let asks = s.lesson.steps[s.step].predict.is_some();
        if asks && !s.revealed {
            return self.guess(None);
        }
        let n = s.step + 1;
        self.go(n)
    }

    /// To step `n`, paused at its moment (the reader's changes stay in the runs).
    fn go(&mut self, n: usize) -> bool {
        let Some(s) = self.lesson.as_mut() else {
            return false;
        };
        if n >= s.lesson.steps.len() {
            return false;
        }
        let tick = tick_of(&s.lesson, n);
        s.step = n;
        s.guess = None;
        s.revealed = false;
        s.watch_to = None;
        s.shown = None;
        self.playing = false;
        self.seek(tick);
        true
    }

    fn try_it(&mut self, on: bool) -> bool {
        let Some(s) = self.lesson.as_mut() else {
            return false;
        };
        s.trying = on;
        self.menu = None;
        if !on {
            let step = s.step;
            self.go(step);
        }
        true
    }

    /// The reader's answer (`None`: reveal without a guess): it is scored against the answer
    /// computed from the runs as they are, and the stage plays from the step's moment on to the
    /// moment that decides it (not in free play), where the answer shows.
    fn guess(&mut self, g: Option<String>) -> bool {
        let Some(s) = self.lesson.as_ref() else {
            return false;
        };
        let (lesson, step, trying) = (s.lesson.clone(), s.step, s.trying);
        let answer = {
            let timelines: Vec<_> = self.runs.iter().map(|r| r.timeline.borrow()).collect();
            let sims: Vec<&Sim> = timelines.iter().map(|t| t.sim()).collect();
            prediction(&lesson, step, &sims)
        };
        let Some(s) = self.lesson.as_mut() else {
            return false;
        };
        if let (Some(a), Some(slot)) = (&answer, s.answers.get_mut(step)) {
            *slot = Some(g.is_some() && g == a.answer);
        }
        s.guess = g;
        s.revealed = true;
        let from = tick_of(&lesson, step);
        match answer.and_then(|a| a.tick) {
            Some(to) if to > from && !trying => self.play_between(from, to),
            _ => {}
        }
        true
    }

    /// Plays from the previous step's moment, to stop exactly at this step's.
    fn watch(&mut self) -> bool {
        let Some(s) = self.lesson.as_mut() else {
            return false;
        };
        let from = tick_of(&s.lesson, s.step.saturating_sub(1));
        let to = tick_of(&s.lesson, s.step);
        if s.step == 0 || to <= from {
            return false;
        }
        self.play_between(from, to);
        true
    }

    /// Plays from `from` to stop exactly at `to`, in about [`WATCH_MS`] at 1×.
    fn play_between(&mut self, from: Tick, to: Tick) {
        if let Some(s) = self.lesson.as_mut() {
            s.watch_to = Some(to);
        }
        self.seek(from);
        let speed = (to - from) as f64 / (WATCH_MS * super::lab::TICKS_PER_MS_AT_1X);
        self.speed = speed.clamp(SPEEDS[0], SPEEDS[SPEEDS.len() - 1]);
        self.playing = true;
        self.pace = Default::default();
        // The watch's first frame counts as one frame, not the time since the last play.
        self.last_frame_ms = None;
    }

    /// The id of the lesson, once, when the reader is on its last step: the page remembers it
    /// as finished (see [`super::Effect::Remember`]).
    pub(super) fn finished_now(&mut self) -> Option<&'static str> {
        let s = self.lesson.as_mut()?;
        if s.remembered || s.step + 1 < s.lesson.steps.len() {
            return None;
        }
        s.remembered = true;
        Some(s.lesson.id)
    }

    /// After a frame: "watch it happen" stops exactly at the step's moment.
    pub(super) fn end_watch(&mut self) {
        let Some(to) = self.lesson.as_ref().and_then(|s| s.watch_to) else {
            return;
        };
        if !self.playing || self.clock >= to as f64 {
            self.playing = false;
            self.seek(to);
            if let Some(s) = self.lesson.as_mut() {
                s.watch_to = None;
            }
        }
    }
}
