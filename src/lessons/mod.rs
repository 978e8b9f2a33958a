//! Lessons: guided tours of real runs, with narration computed from each run.
//!
//! A [`Lesson`] is one or more [`Stage`]s (a scenario each, shown side by side) and a list of
//! [`Step`]s, each a precise tick of those runs. [`narrate`] turns a step plus the stages' sims
//! (already run to the step's tick) into a [`Narration`]. Fixed words only explain concepts;
//! every sentence about *this* run (who was refused and why, which read was stale, how many likes
//! were lost, latencies, the checker's verdict) is computed from the sims' histories and the
//! checkers at that moment, so it stays true when a reader changes the faults.
//!
//! The UI: build a `Timeline` per stage from `stage.scenario`, seek each to `step.at_tick`, call
//! [`narrate`]. Tests and the CLI can use [`run_to_step`].

mod catalog;
pub mod facts;
pub mod predict;
pub mod words;

use std::cell::OnceCell;

use crate::sim::check::Budget;
use crate::sim::check::Checks;
use crate::sim::report::checks;
use crate::sim::scenario::{Scenario, ScenarioError};
use crate::sim::types::{ClientId, Mode, NodeId, OpId, OpRecord, Outcome, Reason, Tick};
use crate::sim::world::Sim;

pub use catalog::catalog;

/// One lesson: a card (`title`, `promise`), the runs it shows and the steps through them.
#[derive(Clone, Debug)]
pub struct Lesson {
    /// Used in links: `?lesson=<id>&step=<n>`.
    pub id: &'static str,
    pub title: &'static str,
    /// One line for the lesson's card.
    pub promise: &'static str,
    /// At least one; shown side by side.
    pub stages: Vec<Stage>,
    pub steps: Vec<Step>,
}

/// One run of a lesson.
#[derive(Clone, Debug)]
pub struct Stage {
    /// A short label above the run, e.g. "CP" or "crash".
    pub label: &'static str,
    pub scenario: Scenario,
}

/// One moment of a lesson.
#[derive(Clone, Debug)]
pub struct Step {
    /// Every stage's sim is shown at this tick.
    pub at_tick: Tick,
    pub title: &'static str,
    /// A question asked before the moment of truth; answered from the finished run.
    pub predict: Option<Predict>,
    /// This step's narration uses (and explains) the word "linearizable": from here on, the
    /// page may show it (see [`Lesson::says_linearizable`]).
    pub says_linearizable: bool,
    narrate: fn(&StepCtx, &mut Say),
}

/// A prediction question: what it asks (its kind, see [`predict::Ask`]) and its wording.
#[derive(Clone, Copy, Debug)]
pub struct Predict {
    /// What the question is about; its options and answer come from the finished run.
    pub ask: predict::Ask,
    /// The question, computed from the run at the step (it may name run facts).
    question: fn(&StepCtx) -> String,
}

/// Names one scripted operation: the one `client` sent at tick `at` in stage `stage`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Watch {
    pub stage: usize,
    pub client: ClientId,
    pub at: Tick,
}

/// The answer options of a question about an operation's outcome: the three ways it can end.
pub const OPTIONS: [&str; 3] = ["ok", "refused", "timeout"];

/// What the UI shows for one step. Every field is plain text or ids.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Narration {
    pub title: String,
    pub paragraphs: Vec<String>,
    pub question: Option<String>,
    /// Option slugs when there is a question (2 to 4; see [`predict::Answer`]).
    pub options: Vec<String>,
    /// How each option reads on its button.
    pub labels: Vec<String>,
    /// The option that actually happened in the finished run (computed).
    pub answer: Option<String>,
    /// The tick that decides the answer (the reveal plays the stage to it).
    pub answer_tick: Option<Tick>,
    /// Why it happened (computed), revealed after the vote.
    pub why: Option<String>,
    pub highlight_nodes: Vec<NodeId>,
    /// The ops the text points at (outlined in the history).
    pub highlight_ops: Vec<OpId>,
    /// Every op the text speaks of, by name or in a count ("4 operations finished"), the
    /// highlighted ones included: the history's window shows them all.
    pub named_ops: Vec<OpId>,
}

/// What a step's narration function writes: paragraphs and what to highlight.
#[derive(Debug, Default)]
pub struct Say {
    paragraphs: Vec<String>,
    /// The run the next paragraph is about (side-by-side lessons), see [`Say::run`].
    run: Option<&'static str>,
    nodes: Vec<NodeId>,
    ops: Vec<OpId>,
    named: Vec<OpId>,
}

impl Say {
    /// Adds a paragraph.
    pub fn p(&mut self, text: impl Into<String>) {
        let text = text.into();
        match self.run.take() {
            Some(label) => self.paragraphs.push(in_run(label, &text)),
            None => self.paragraphs.push(text),
        }
    }
    /// The next paragraph is about the run labelled `label`: it starts "In the 'label' run: ".
    pub fn run(&mut self, label: &'static str) {
        self.run = Some(label);
    }
    /// Highlights a node (once).
    pub fn node(&mut self, n: NodeId) {
        if !self.nodes.contains(&n) {
            self.nodes.push(n);
        }
    }
    /// Highlights an op (once); it is also named (see [`Say::named`]).
    pub fn op(&mut self, id: OpId) {
        if !self.ops.contains(&id) {
            self.ops.push(id);
        }
        self.named(id);
    }
    /// The text speaks of this op (in a count, say) without pointing at it: the history shows
    /// it, not outlined.
    pub fn named(&mut self, id: OpId) {
        if !self.named.contains(&id) {
            self.named.push(id);
        }
    }
}

/// "In the 'label' run: " then `text`, its first word lowercased when it is a common word.
fn in_run(label: &str, text: &str) -> String {
    const COMMON: [&str; 6] = ["Right ", "The ", "All ", "Every ", "No ", "It "];
    let mut out = String::from("In the '");
    out.push_str(label);
    out.push_str("' run: ");
    let start = out.len();
    out.push_str(text);
    if COMMON.iter().any(|w| text.starts_with(*w)) {
        // ASCII only: the common words above start with an ASCII capital (and this keeps the
        // Unicode case tables out of the page).
        out[start..start + 1].make_ascii_lowercase();
    }
    out
}

/// Everything a step's narration may look at. Checker results and finished runs are computed
/// at most once per narration, on demand.
pub struct StepCtx<'a> {
    pub lesson: &'a Lesson,
    pub step: usize,
    sims: &'a [&'a Sim],
    checks: Vec<OnceCell<Checks>>,
    finished: Vec<OnceCell<Sim>>,
}

impl<'a> StepCtx<'a> {
    /// `None` unless there is exactly one sim per stage.
    fn new(lesson: &'a Lesson, step: usize, sims: &'a [&'a Sim]) -> Option<StepCtx<'a>> {
        if sims.len() != lesson.stages.len() || step >= lesson.steps.len() {
            return None;
        }
        Some(StepCtx {
            lesson,
            step,
            sims,
            checks: sims.iter().map(|_| OnceCell::new()).collect(),
            finished: sims.iter().map(|_| OnceCell::new()).collect(),
        })
    }

    /// Stage `stage`'s sim at this step. Stage indices come from the catalog (always valid).
    pub fn sim(&self, stage: usize) -> &Sim {
        self.sims[stage]
    }

    /// The number of stages.
    pub fn stages(&self) -> usize {
        self.sims.len()
    }

    /// Stage `stage`'s label.
    pub fn label(&self, stage: usize) -> &'static str {
        self.lesson.stages[stage].label
    }

    /// The checkers' verdicts over stage `stage`'s run so far.
    pub fn checks(&self, stage: usize) -> &Checks {
        self.checks[stage].get_or_init(|| checks(self.sims[stage], Budget::Lessons))
    }

    /// Stage `stage`'s run carried on to its end (the sim given is left untouched).
    pub fn finished(&self, stage: usize) -> &Sim {
        self.finished[stage].get_or_init(|| {
            let mut s = self.sims[stage].clone();
            s.run_to_end();
            s
        })
    }

    /// The op `client` sent at tick `at` in stage `stage`, if it was sent by now.
    pub fn op(&self, stage: usize, client: ClientId, at: Tick) -> Option<&OpRecord> {
        find_op(self.sim(stage), client, at)
    }
}

/// The op `client` sent at tick `at`, if any.
pub fn find_op(sim: &Sim, client: ClientId, at: Tick) -> Option<&OpRecord> {
    sim.history()
        .iter()
        .find(|r| r.client == client && r.invoke == at)
}

impl Step {
    fn new(at_tick: Tick, title: &'static str, narrate: fn(&StepCtx, &mut Say)) -> Step {
        Step {
            at_tick,
            title,
            predict: None,
            says_linearizable: false,
            narrate,
        }
    }

    /// Marks a step whose narration explains the word "linearizable".
    fn says_linearizable(mut self) -> Step {
        self.says_linearizable = true;
        self
    }

    fn predict(mut self, ask: predict::Ask, question: fn(&StepCtx) -> String) -> Step {
        self.predict = Some(Predict { ask, question });
        self
    }
}

impl Lesson {
    /// Whether the lesson has explained the word "linearizable" by step `step` (0-based): the
    /// page uses the word only from there on, and plain words before.
    pub fn says_linearizable(&self, step: usize) -> bool {
        self.steps
            .iter()
            .take(step.saturating_add(1))
            .any(|s| s.says_linearizable)
    }

    /// The run (stage index) step `step`'s question is about, if it asks one. Where the runs
    /// take turns (a phone, an embed), the page shows this one beside the text, and the others
    /// one tap away (`app::embed::shown_run`).
    pub fn asked_run(&self, step: usize) -> Option<usize> {
        let p = self.steps.get(step)?.predict?;
        Some(p.ask.stage().min(self.stages.len().saturating_sub(1)))
    }
}

/// A lesson by id.
pub fn lesson(id: &str) -> Option<Lesson> {
    catalog().into_iter().find(|l| l.id == id)
}

/// Narrates step `step` of `lesson` from the stages' sims, each already run to the step's tick
/// (or any other tick: the narration describes the sims as they are). A step out of range or a
/// wrong number of sims gives a narration that says so, never a panic.
pub fn narrate(lesson: &Lesson, step: usize, sims: &[&Sim]) -> Narration {
    let Some(ctx) = StepCtx::new(lesson, step, sims) else {
        return Narration {
            title: "Nothing to show".into(),
            paragraphs: vec![format!(
                "This lesson has {} steps and {} runs; the page asked for step {} with {} runs.",
                lesson.steps.len(),
                lesson.stages.len(),
                step + 1,
                sims.len()
            )],
            ..Narration::default()
        };
    };
    let s = &lesson.steps[step];
    let mut say = Say::default();
    (s.narrate)(&ctx, &mut say);
    let mut n = Narration {
        title: s.title.to_string(),
        paragraphs: say.paragraphs,
        highlight_nodes: say.nodes,
        highlight_ops: say.ops,
        named_ops: say.named,
        ..Narration::default()
    };
    if let Some(p) = &s.predict {
        n.question = Some((p.question)(&ctx));
        let a = predict::answer(&ctx, &p.ask);
        n.options = a.options;
        n.labels = a.labels;
        n.answer = a.answer;
        n.answer_tick = a.tick;
        n.why = Some(a.why);
    }
    n
}

/// Step `step`'s question answered from the stages' sims (each at any tick, carried on to the
/// end): its options, answer, why, deciding tick and give-away words. `None` when the step asks
/// nothing (or the call is out of range).
pub fn prediction(lesson: &Lesson, step: usize, sims: &[&Sim]) -> Option<predict::Answer> {
    let ctx = StepCtx::new(lesson, step, sims)?;
    let p = lesson.steps[step].predict?;
    Some(predict::answer(&ctx, &p.ask))
}

/// The sentence that judges a reader's guess (`None`: no guess) against the answer.
pub fn judge(n: &Narration, guess: Option<&str>) -> String {
    let label = n
        .answer
        .as_deref()
        .and_then(|a| n.options.iter().position(|o| o == a))
        .and_then(|i| n.labels.get(i));
    match (guess, n.answer.as_deref(), label) {
        (Some(g), Some(a), Some(l)) if g == a => format!("You were right: {l}."),
        (Some(_), Some(_), Some(l)) => format!("Not this time: {l}."),
        (None, Some(_), Some(l)) => format!("What happened: {l}."),
        _ => "This run never decided the answer.".into(),
    }
}

/// The lessons read before the modes are named (lesson 3 names CA, lesson 4 CP, lesson 5 AP):
/// their stages are titled by what the run does, not by a name the reader has not met yet.
const BEFORE_MODE_NAMES: &[&str] = &["intro", "partition"];

/// A stage's title: the mode's name and how it works; on the page of a lesson read before the
/// modes are named (`lesson`: its id), only how it works.
pub fn stage_title(lesson: Option<&str>, mode: Mode) -> &'static str {
    let plain = lesson.is_some_and(|id| BEFORE_MODE_NAMES.contains(&id));
    match (mode, plain) {
        (Mode::Ca, false) => "CA · one data node",
        (Mode::Ca, true) => "one node holds the data · the others pass requests on",
        (Mode::Cp, false) => "CP · Raft-style majority",
        (Mode::Cp, true) => "three replicas · a leader, and a majority must agree",
        (Mode::Ap, false) => "AP · Dynamo-style: any live node takes plain writes",
        (Mode::Ap, true) => "any live node takes writes",
        (Mode::Quorum, false) => "Quorum · strict N/R/W",
        (Mode::Quorum, true) => "reads and writes wait for a set number of replicas",
    }
}

/// The concept behind an outcome, in fixed words chosen by the facts (mode, outcome, reason).
pub fn why(mode: Mode, rec: &OpRecord) -> &'static str {
    match (rec.outcome(), mode) {
        (Some(Outcome::Refused(Reason::NoQuorum { .. })), _) => {
            "A node that cannot reach a majority says no rather than risk a second, different \
             truth. A refusal means nothing changed anywhere."
        }
        (Some(Outcome::Refused(Reason::InsufficientFunds { .. })), _) => {
            "The balance this replica saw was too low, so it turned the request down. That is a \
             normal business answer, not a failure."
        }
        (Some(Outcome::Timeout), _) => {
            "No answer came in time. The client cannot tell a dead node from a slow or cut-off \
             one, and cannot know whether the request took effect."
        }
        (Some(Outcome::Ok), Mode::Ap) => {
            "In AP mode a replica accepts the request on its own and tells the others later: \
             always available, but replicas may disagree for a while."
        }
        (Some(Outcome::Ok), Mode::Cp) => {
            "In CP mode the leader answered only after a majority of replicas had the change."
        }
        (Some(Outcome::Ok), Mode::Quorum) => {
            "Enough replicas answered to form a quorum, so the request went through."
        }
        (Some(Outcome::Ok), Mode::Ca) => "The one data node, n1, was reachable and answered.",
        (None, _) => "It has no outcome yet.",
    }
}

/// Builds every stage and runs it to step `step`'s tick. Errors if a stage does not build.
pub fn run_to_step(lesson: &Lesson, step: usize) -> Result<Vec<Sim>, ScenarioError> {
    let tick = lesson.steps.get(step).map_or(0, |s| s.at_tick);
    lesson
        .stages
        .iter()
        .map(|st| {
            let mut sim = st.scenario.build()?;
            sim.run_until(tick);
            Ok(sim)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::in_run;

    #[test]
    fn in_run_lowercases_only_common_first_words() {
        assert_eq!(
            in_run("CP", "The checker says"),
            "In the 'CP' run: the checker says"
        );
        assert_eq!(in_run("AP", "Bob's read"), "In the 'AP' run: Bob's read");
        assert_eq!(in_run("x", ""), "In the 'x' run: ");
    }

    #[test]
    fn stage_titles_name_a_mode_only_once_a_lesson_has_introduced_it() {
        use super::{catalog, stage_title};
        use crate::sim::types::Mode;
        let lessons = catalog::catalog();
        // The first lesson whose text names each mode ("CA", "CP", "AP").
        let named = |word: &str| {
            lessons.iter().position(|l| {
                let steps = l.steps.iter().any(|s| s.title.contains(word));
                l.title.contains(word) || l.promise.contains(word) || steps
            })
        };
        let order = |id: &str| lessons.iter().position(|l| l.id == id).unwrap();
        for (mode, word) in [(Mode::Ca, "CA"), (Mode::Cp, "CP"), (Mode::Ap, "AP")] {
            let first = named(word).unwrap();
            for l in &lessons {
                let title = stage_title(Some(l.id), mode);
                let uses = l.stages.iter().any(|st| st.scenario.mode == mode);
                if uses && order(l.id) < first {
                    assert!(!title.contains(word), "{}: {title}", l.id);
                }
            }
        }
        assert_eq!(stage_title(None, Mode::Cp), "CP · Raft-style majority");
        assert!(!stage_title(Some("intro"), Mode::Cp).contains("CP"));
    }
}
