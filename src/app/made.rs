//! Lessons a teacher makes in the sandbox: record faults and requests (the run's own recorded
//! inputs), add a caption and, if wanted, a question at chosen moments, and share the link. The
//! link (`made=`, see `link::made`) opens as a lesson: a step at a time, the teacher's caption
//! above words computed from the run (`lessons::facts`), and a question whose answer is the run's
//! own — the outcome of the next request sent after the step.
//!
//! The steps live in `lab.params.made`, so the address bar, the share link and the embed carry
//! them; [`MadeVisit`] is where the reader is in them.

use super::lab::Lab;
use super::link::made::{tidy, Made, MAX_TITLE};
use super::update::{written, Effect};
use crate::lessons::facts::{self, StepFacts};
use crate::sim::check::Budget;
use crate::sim::report::checks;
use crate::sim::types::Tick;

/// Where the reader is in a made lesson, and whether the maker panel is open.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MadeVisit {
    /// The maker panel is open (the teacher adds steps); otherwise the lesson plays.
    pub authoring: bool,
    /// 0-based, in range while the lesson has steps.
    pub step: usize,
    pub guess: Option<String>,
    pub revealed: bool,
}

/// What a reader or a teacher does with a made lesson.
#[derive(Clone, Debug, PartialEq)]
pub enum MadeMsg {
    /// Open (true) or close the maker panel.
    Author(bool),
    SetTitle(String),
    /// A step at the display clock's tick (paused), with a caption and an optional question.
    Add {
        caption: String,
        question: String,
    },
    Remove(usize),
    /// Play the made lesson from its first step (the maker panel closes).
    Play,
    Go(usize),
    Next,
    Back,
    /// The reader's answer to the step's question (`None`: "I don't know").
    Guess(Option<String>),
    /// Copy the lesson's link (from its first step).
    CopyLink,
}

/// The options of a made question: the three ways a request can end.
pub const OPTIONS: [&str; 3] = ["ok", "refused", "timeout"];

/// The question of a made step, its answer computed from the finished run.
#[derive(Clone, Debug, PartialEq)]
pub struct MadeQuestion {
    pub text: String,
    /// Which request it is about, e.g. "Bob's withdrawal of 80 at n3, sent at 3.2 s".
    pub about: String,
    pub answer: String,
    /// When the answer is known (the request's end): the reveal plays the run there.
    pub answer_at: Tick,
    pub why: String,
}

/// What the page shows for the step the reader is at.
#[derive(Clone, Debug, PartialEq)]
pub struct MadeView {
    pub title: String,
    pub step: usize,
    pub steps: usize,
    pub at: Tick,
    pub caption: String,
    pub facts: StepFacts,
    /// `None`: the step asks nothing, or no request follows it (then `note` says so).
    pub question: Option<MadeQuestion>,
    pub note: Option<String>,
}

impl Lab {
    /// Opens a made lesson when the link carries one: paused at the step its frame is at (the
    /// first step without a frame).
    pub(super) fn open_made(&mut self) {
        let Some(m) = &self.params.made else {
            return;
        };
        if m.steps.is_empty() {
            self.made = Some(MadeVisit {
                authoring: !self.flags.embed,
                ..MadeVisit::default()
            });
            return;
        }
        let t = self.params.t.unwrap_or(0);
        let step = m.steps.iter().rposition(|s| s.at <= t).unwrap_or(0);
        self.made = Some(MadeVisit::default());
        self.made_go(step);
    }

    /// Handles a made-lesson message; false when nothing changed.
    pub(super) fn made_msg(&mut self, msg: MadeMsg, fx: &mut Vec<Effect>) -> bool {
        let visit = self.made.get_or_insert_with(MadeVisit::default);
        match msg {
            MadeMsg::Author(on) => {
                visit.authoring = on;
                let empty = self.params.made.as_ref().is_none_or(|m| m.steps.is_empty());
                match (on, empty) {
                    (true, true) => self.params.made = Some(Made::default()),
                    // Closed with no step: nothing was made (the setup bar offers it again).
                    (false, true) => (self.params.made, self.made) = (None, None),
                    _ => {}
                }
                true
            }
            MadeMsg::SetTitle(t) => {
                self.params.made.get_or_insert_with(Made::default).title = tidy(&t, MAX_TITLE);
                true
            }
            MadeMsg::Add { caption, question } => self.made_add(&caption, &question),
            MadeMsg::Remove(i) => {
                let m = self.params.made.get_or_insert_with(Made::default);
                (i < m.steps.len()) && {
                    m.steps.remove(i);
                    true
                }
            }
            MadeMsg::Play => {
                visit.authoring = false;
                self.made_go(0)
            }
            MadeMsg::Go(n) => self.made_go(n),
            MadeMsg::Next => self.made_next(),
            MadeMsg::Back => {
                let s = visit.step;
                s > 0 && self.made_go(s - 1)
            }
            MadeMsg::Guess(g) => self.made_guess(g),
            MadeMsg::CopyLink => {
                fx.push(Effect::Copy {
                    what: super::share::CopyWhat::Link,
                    text: self.made_link(),
                });
                false
            }
        }
    }

    /// Adds a step at the display clock (the page pauses first).
    fn made_add(&mut self, caption: &str, question: &str) -> bool {
        self.playing = false;
        // The moment of the run's last event: a request sent now is stamped with it, so the
        // step's question ("the next request from here") finds it.
        let at = self.runs[0].timeline.borrow().sim().now();
        self.seek(at);
        let before = self.params.made.clone();
        let m = self.params.made.get_or_insert_with(Made::default);
        if let Err(e) = m.add(at, caption, question) {
            self.notice = Some(e);
            return true;
        }
        if super::link::write(&super::update::frame_link(self)).is_err() {
            self.params.made = before;
            self.notice = Some(format!(
                "With this step the lesson's link would be longer than a link can be ({} bytes); \
                 shorten the caption or the question.",
                super::link::MAX_LINK_BYTES
            ));
        }
        true
    }

    /// To step `n`, paused at its moment.
    fn made_go(&mut self, n: usize) -> bool {
        let Some(at) = self
            .params
            .made
            .as_ref()
            .and_then(|m| m.steps.get(n))
            .map(|s| s.at)
        else {
            return false;
        };
        let visit = self.made.get_or_insert_with(MadeVisit::default);
        visit.step = n;
        visit.guess = None;
        visit.revealed = false;
        self.playing = false;
        self.seek(at);
        true
    }

    /// Next: an unanswered question is answered first ("I don't know"), then the next step.
    fn made_next(&mut self) -> bool {
        let Some(v) = self.made_view() else {
            return false;
        };
        let revealed = self.made.as_ref().is_some_and(|m| m.revealed);
        match v.question {
            Some(q) if !revealed => self.reveal_made(None, &q),
            _ => self.made_go(v.step + 1),
        }
    }

    /// The reader answers the step's question.
    fn made_guess(&mut self, g: Option<String>) -> bool {
        match self.made_view().and_then(|v| v.question) {
            Some(q) => self.reveal_made(g, &q),
            None => false,
        }
    }

    /// Keeps the guess, shows the answer, and moves the run on to the moment the answer is known.
    fn reveal_made(&mut self, g: Option<String>, q: &MadeQuestion) -> bool {
        if let Some(v) = self.made.as_mut() {
            v.guess = g;
            v.revealed = true;
        }
        self.seek(q.answer_at);
        true
    }

    /// The lesson's link from its first step (absolute).
    pub fn made_link(&self) -> String {
        let mut link = super::update::frame_link(self);
        if let super::link::Page::Lab { params, .. } = &mut link.page {
            (params.t, params.e, params.e2) = (None, None, None);
        }
        self.base.clone() + &written(&link)
    }

    /// What the step the reader is at shows, computed from run 0 at the step's moment (`None`:
    /// no made lesson, or it has no steps yet).
    pub fn made_view(&self) -> Option<MadeView> {
        let m = self.params.made.as_ref()?;
        let n = self.made.as_ref()?.step.min(m.steps.len().checked_sub(1)?);
        let step = &m.steps[n];
        let since = n.checked_sub(1).map_or(0, |p| m.steps[p].at);
        let mut t = self.runs[0].timeline.borrow().clone();
        t.seek_tick(step.at);
        let facts = facts::step_facts(t.sim(), since, &checks(t.sim(), Budget::Lessons));
        let (question, note) = match &step.question {
            None => (None, None),
            Some(text) => {
                // The timeline replays the recorded inputs still to come; the sim alone would not.
                t.run_to_end();
                question(t.sim(), step.at, text)
            }
        };
        Some(MadeView {
            title: m.title.clone(),
            step: n,
            steps: m.steps.len(),
            at: step.at,
            caption: step.caption.clone(),
            facts,
            question,
            note,
        })
    }
}

/// A step's question with its computed answer, or a note when the run sends no request after it.
fn question(
    finished: &crate::sim::world::Sim,
    at: Tick,
    text: &str,
) -> (Option<MadeQuestion>, Option<String>) {
    let Some((answer, answer_at, why)) = facts::answer(finished, at) else {
        let note = "This step's question is about the next request, but the run sends none \
                    after this moment (or it never ends): it is left out.";
        return (None, Some(note.into()));
    };
    let rec = facts::next_request(finished, at).expect("answer found it");
    let about = format!(
        "{}, sent at {}",
        crate::lessons::words::op(finished, rec),
        crate::lessons::words::ms(rec.invoke)
    );
    let q = MadeQuestion {
        text: text.to_string(),
        about,
        answer,
        answer_at,
        why,
    };
    (Some(q), None)
}
