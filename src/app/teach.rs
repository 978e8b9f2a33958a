//! The teacher's page (`?teach=1`): for each lesson its goal, an estimated duration, its steps,
//! every question it asks with the answer and why — computed by running the lesson, exactly as a
//! reader meets it — and a suggested classroom flow (predict → watch → try). Printable.

use crate::lessons::{catalog, narrate, run_to_step, Lesson};

use super::challenge::{Challenge, Goal, CHALLENGES, WHY_IMPOSSIBLE};

use super::link::lesson_query;

/// A lesson as the teacher's page lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct TeachLesson {
    pub id: &'static str,
    pub title: &'static str,
    pub goal: &'static str,
    /// About this many minutes in class (see [`minutes`]).
    pub minutes: u32,
    pub steps: Vec<&'static str>,
    pub questions: Vec<TeachQuestion>,
    /// Predict, watch, try: one sentence each, naming this lesson's own steps.
    pub flow: [String; 3],
    /// The lesson's link (relative: `?lesson=…&step=1`).
    pub link: String,
}

/// A question a lesson asks, answered by the lesson's own run.
#[derive(Clone, Debug, PartialEq)]
pub struct TeachQuestion {
    /// 0-based step.
    pub step: usize,
    pub question: String,
    pub options: Vec<String>,
    /// `None`: the run ended before the question had an answer (the page says so).
    pub answer: Option<String>,
    pub why: String,
}

/// Minutes in class: a minute and a half per step, two more per question (the class votes and
/// discusses), and five to try it themselves.
pub fn minutes(steps: usize, questions: usize) -> u32 {
    let half_minutes = 3 * steps + 4 * questions + 10;
    u32::try_from(half_minutes.div_ceil(2)).unwrap_or(u32::MAX)
}

/// Every lesson's sheet, in the catalog's order.
pub fn sheet() -> Vec<TeachLesson> {
    catalog().iter().map(teach_lesson).collect()
}

fn teach_lesson(l: &Lesson) -> TeachLesson {
    let questions: Vec<TeachQuestion> = (0..l.steps.len())
        .filter(|&i| l.steps[i].predict.is_some())
        .filter_map(|i| question(l, i))
        .collect();
    TeachLesson {
        id: l.id,
        title: l.title,
        goal: l.promise,
        minutes: minutes(l.steps.len(), questions.len()),
        steps: l.steps.iter().map(|s| s.title).collect(),
        flow: flow(l, &questions),
        questions,
        link: lesson_query(l.id, 0),
    }
}

/// The question of step `i`, narrated from the lesson's run at that step.
fn question(l: &Lesson, i: usize) -> Option<TeachQuestion> {
    let sims = run_to_step(l, i).ok()?;
    let refs: Vec<&_> = sims.iter().collect();
    let n = narrate(l, i, &refs);
    Some(TeachQuestion {
        step: i,
        question: n.question?,
        options: n.options,
        answer: n.answer,
        why: n.why.unwrap_or_default(),
    })
}

fn flow(l: &Lesson, questions: &[TeachQuestion]) -> [String; 3] {
    let predict = match questions.first() {
        Some(q) => format!(
            "Predict: open step {} (\"{}\") and let the class vote before anyone reveals the answer.",
            q.step + 1,
            l.steps[q.step].title
        ),
        None => "Predict: before each step, ask the class what the run will do next.".into(),
    };
    let watch = match l.steps.len() {
        0 | 1 => "Watch: play the step and read its text together.".to_string(),
        n => format!(
            "Watch: go through the {n} steps with \"watch it happen\", from \"{}\" to \"{}\".",
            l.steps[0].title,
            l.steps[n - 1].title
        ),
    };
    let try_it = "Try: press \"Try it yourself\" and let students change the faults; the text \
                  is recomputed from their run, so ask them to explain what changed."
        .to_string();
    [predict, watch, try_it]
}

/// A challenge as the teacher's page lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct TeachChallenge {
    pub id: &'static str,
    pub title: &'static str,
    pub goal: &'static str,
    pub tools: &'static str,
    /// One way to reach the goal (the checkers decide in class), or why it cannot be reached.
    pub approach: &'static str,
    pub possible: bool,
    pub link: String,
}

/// Every challenge, in the landing page's order.
pub fn challenges() -> Vec<TeachChallenge> {
    CHALLENGES.iter().map(teach_challenge).collect()
}

fn teach_challenge(c: &Challenge) -> TeachChallenge {
    TeachChallenge {
        id: c.id,
        title: c.title,
        goal: c.goal,
        tools: c.tools,
        approach: approach(c.kind),
        possible: c.kind != Goal::AlwaysAvailable,
        link: format!("?challenge={}", c.id),
    }
}

/// The idea that reaches a goal, in fixed words about the concept (the page judges each run).
pub fn approach(kind: Goal) -> &'static str {
    match kind {
        Goal::DoubleSpend => "Cut the network so that Alice's and Bob's nodes are on different sides, let both withdraw, then heal: each side approved against its own copy of the balance.",
        Goal::StaleRead => "Change the data on one side of a cut (or on replicas a small read quorum can miss) and read it where the change has not arrived yet.",
        Goal::LostLike => "Cut the replicas apart, like on both sides, then heal: last-writer-wins keeps one side's count and drops the other's likes.",
        Goal::CpRefuses => "Cut Bob's node off from the majority while Alice's node stays with it, then let both send a request.",
        Goal::AlwaysAvailable => WHY_IMPOSSIBLE,
        Goal::Siblings => "Write the same key on both sides of a cut, heal, then read: vector clocks keep both concurrent versions side by side.",
        Goal::OneCrash => "Crash the one node that holds the data: every other node only passes requests to it.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_question_of_every_lesson_is_on_the_sheet_with_its_run_s_answer() {
        let sheet = sheet();
        assert_eq!(sheet.len(), catalog().len());
        for (t, l) in sheet.iter().zip(catalog()) {
            let asked = l.steps.iter().filter(|s| s.predict.is_some()).count();
            assert_eq!(t.questions.len(), asked, "{}", t.id);
            for q in &t.questions {
                let a = q.answer.as_ref().expect("answered by the run");
                assert!(
                    q.options.contains(a),
                    "{}: {a} not in {:?}",
                    t.id,
                    q.options
                );
                assert!(!q.why.is_empty(), "{}", t.id);
            }
            assert!(t.minutes >= 5, "{}", t.id);
            assert!(t.flow[1].contains(l.steps[0].title), "{}", t.id);
        }
        assert_eq!(minutes(4, 1), 13);
    }
}
