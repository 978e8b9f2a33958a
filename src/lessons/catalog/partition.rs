//! Lesson 2, `partition`: from a client's seat, a crashed, a paused and a cut-off server look
//! the same (three runs side by side).

use super::paragraphs::{say_op_each, slug_of};
use super::{ask, fault, script, stage};
use crate::lessons::predict::Ask;
use crate::lessons::words;
use crate::lessons::{Lesson, Say, Stage, Step, StepCtx, Watch};
use crate::sim::action::Action;
use crate::sim::types::{Case, Mode, OpKind, Tick};

/// Bob (at n3) sends requests; in CA mode n1 serves them all.
const P_FAULT: Tick = 1000;
const P_ASK: Tick = 1200;
const P_END_FAULT: Tick = 2500;
const P_AFTER: Tick = 3000;

fn partition_stage(label: &'static str, start: Action, end: Action) -> Stage {
    let mut s = script("partition", Mode::Ca, Case::Register, &[("Bob", 2)], 4000);
    ask(&mut s, 500, 0, OpKind::Write, 1);
    ask(&mut s, P_ASK, 0, OpKind::Write, 2);
    ask(&mut s, P_AFTER, 0, OpKind::Write, 3);
    fault(&mut s, P_FAULT, start);
    fault(&mut s, P_END_FAULT, end);
    stage(label, s)
}

/// "In the 'crash' run: n1 is crashed; n3 can reach every other node." for each run.
fn say_partition_faults(ctx: &StepCtx, say: &mut Say) {
    for st in 0..ctx.stages() {
        let sim = ctx.sim(st);
        let mut s = words::situation(sim, 0);
        s.push_str("; ");
        s.push_str(&words::situation(sim, 2));
        s.push('.');
        say.run(ctx.label(st));
        say.p(s);
    }
}

pub(super) fn partition() -> Lesson {
    let cut = Action::Partition {
        sides: vec![vec![0, 1], vec![2]],
    };
    Lesson {
        id: "partition",
        title: "Dead, slow or cut off?",
        promise: "From a client's seat, a crashed, a paused and a cut-off server look the same.",
        stages: vec![
            partition_stage("crash", Action::Crash(0), Action::Recover(0)),
            partition_stage("pause", Action::Pause(0), Action::Resume(0)),
            partition_stage("partition", cut, Action::HealAll),
        ],
        steps: vec![
            Step::new(0, "Three runs side by side", |_, say| {
                say.p(
                    "The three runs are identical except for one fault. Here n1 holds the only \
                     copy of the data; n2 and n3 just pass requests to it. Bob talks to n3.",
                );
                say.p(
                    "In the first run n1 will crash. In the second it will freeze for a while \
                     (a long pause, as when a program stops to clean up its memory). In the \
                     third, n3 will be cut off from the other two: a network partition.",
                );
            }),
            Step::new(600, "Everything works", |ctx, say| {
                say_op_each(ctx, say, 0, 500);
            }),
            Step::new(P_FAULT + 1, "Something goes wrong", |ctx, say| {
                say_partition_faults(ctx, say);
                say.node(0);
                say.node(2);
                say.p(
                    "Bob cannot see any of this. He only sees n3, and n3 only sees messages \
                     that arrive or do not arrive.",
                );
            })
            .predict(
                Ask::Outcome(Watch {
                    stage: 0,
                    client: 0,
                    at: P_ASK,
                }),
                |ctx| {
                    format!(
                        "Bob writes 2 at n3. In the first run, {}. What will Bob get?",
                        words::situation(ctx.sim(0), 0)
                    )
                },
            ),
            Step::new(P_ASK + 1, "Bob writes", |ctx, say| {
                say.p(
                    "Bob sends the same request in all three runs. n3 passes it on to n1, the \
                     only copy, and waits.",
                );
                say_op_each(ctx, say, 0, P_ASK);
            }),
            Step::new(P_ASK + 1100, "Can Bob tell them apart?", say_told_apart),
            Step::new(P_AFTER + 200, "After the fault", say_after_fault),
        ],
    }
}

/// Bob's write in the three runs, and whether their endings let him tell the faults apart.
fn say_told_apart(ctx: &StepCtx, say: &mut Say) {
    let slugs: Vec<Option<&str>> = (0..ctx.stages())
        .map(|st| slug_of(ctx, st, 0, P_ASK))
        .collect();
    say_op_each(ctx, say, 0, P_ASK);
    let same = slugs.windows(2).all(|w| w[0] == w[1]);
    say.p(match (same, slugs[0]) {
        (true, Some("timeout")) => {
            "All three end the same way: silence, then a timeout. Bob cannot tell a \
             dead server from a frozen one or from a broken network. Worse, he \
             cannot know whether his write happened."
        }
        (true, Some(_)) => {
            "All three end the same way, so Bob still cannot tell which fault there \
             was, or whether there was one."
        }
        (true, None) => "In every run Bob is still waiting for an answer.",
        (false, _) => {
            "This time the runs did not end the same way, so Bob could tell some of \
             them apart."
        }
    });
    say.p(
        "This is why a system must decide in advance what to do when an answer \
         does not come: wait (and stay consistent) or answer anyway (and stay \
         available).",
    );
}

/// Bob's request after the fault, and where each run stands if one does not serve him.
fn say_after_fault(ctx: &StepCtx, say: &mut Say) {
    say_op_each(ctx, say, 0, P_AFTER);
    let all_ok = (0..ctx.stages()).all(|st| slug_of(ctx, st, 0, P_AFTER) == Some("ok"));
    if all_ok {
        say.p("With n1 back and the network whole again, Bob's requests work again.");
    } else {
        say.p("Not every run serves Bob again. Where things stand now:");
        say_partition_faults(ctx, say);
    }
}
