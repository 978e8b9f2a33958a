//! Lesson 3, `ca-single`: one data node is consistent and available only while the network
//! holds and the node stays up.

use super::paragraphs::{say_checks, say_op, say_situation, slug_of};
use super::{ask, fault, script, stage, watch};
use crate::lessons::predict::Ask;
use crate::lessons::words;
use crate::lessons::{Lesson, Say, Step, StepCtx};
use crate::sim::action::Action;
use crate::sim::types::{Case, Mode, OpKind, Status, Tick};

const CA_CUT: Tick = 1500;
const CA_CRASH: Tick = 3000;

pub(super) fn ca_single() -> Lesson {
    let mut s = script(
        "ca-single",
        Mode::Ca,
        Case::Register,
        &[("Alice", 0), ("Bob", 2)],
        5000,
    );
    ask(&mut s, 500, 0, OpKind::Write, 1);
    ask(&mut s, 700, 1, OpKind::Read, 0);
    fault(&mut s, CA_CUT, Action::Isolate(0));
    ask(&mut s, 1700, 0, OpKind::Write, 2);
    ask(&mut s, 1800, 1, OpKind::Read, 0);
    fault(&mut s, CA_CRASH, Action::Crash(0));
    ask(&mut s, 3200, 0, OpKind::Read, 0);
    Lesson {
        id: "ca-single",
        title: "One copy: the CA illusion",
        promise:
            "A single data node is consistent and available, while the network holds and that \
                  node stays up.",
        stages: vec![stage("CA", s)],
        steps: vec![
            Step::new(0, "One data node", |_, say| {
                say.p(
                    "The simplest way to be consistent: keep one copy. Here only n1 holds x. \
                     n2 and n3 forward every request to n1 and pass the answer back.",
                );
                say.p(
                    "People call this CA: consistent and available. The catch is hidden in \
                     the name: it only holds while there is no partition.",
                );
            }),
            Step::new(1000, "Before the cut", |ctx, say| {
                say_op(ctx, say, 0, 0, 500);
                say_op(ctx, say, 0, 1, 700);
                let fresh = ctx.op(0, 1, 700).is_some_and(|r| {
                    r.outcome() == Some(crate::sim::types::Outcome::Ok) && !r.is_stale()
                });
                if fresh {
                    say.p("Bob's read was fresh: one copy cannot disagree with itself.");
                }
            }),
            Step::new(CA_CUT + 1, "n1 is cut off", |ctx, say| {
                say_situation(ctx, say, 0, 0);
                say.p(if words::can_talk(ctx.sim(0), 2, 0) {
                    "Bob's node n3 can still reach n1, the only copy, so Bob can still be served."
                } else {
                    "Bob's node n3 can no longer reach n1, and no other node has the data."
                });
            })
            .predict(
                Ask::Serves {
                    a: watch(0, 0, 1700),
                    b: watch(0, 1, 1800),
                },
                |_| {
                    "Next, Alice writes at n1 and Bob reads at n3. Which of them will get a real \
                     answer?"
                        .into()
                },
            ),
            Step::new(2900, "Alice and Bob, after the cut", say_after_cut),
            Step::new(4300, "n1 crashes", say_crash).says_linearizable(),
        ],
    }
}

/// Alice (at n1, the data node) and Bob (at n3, cut off from it) after the cut.
fn say_after_cut(ctx: &StepCtx, say: &mut Say) {
    say_op(ctx, say, 0, 0, 1700);
    say_op(ctx, say, 0, 1, 1800);
    if slug_of(ctx, 0, 0, 1700) == Some("ok") {
        say.p("Alice talks to n1 itself, the node with the data, so she is served.");
    }
    if slug_of(ctx, 0, 1, 1800) == Some("timeout") {
        say.p(
            "Bob's node has nobody to ask, so it cannot answer: Bob gets silence. \
             For him the system is no longer available.",
        );
    }
}

/// The only copy crashes: Alice's read, what it means, and the checker's verdict.
fn say_crash(ctx: &StepCtx, say: &mut Say) {
    say_situation(ctx, say, 0, 0);
    say_op(ctx, say, 0, 0, 3200);
    if ctx.sim(0).status(0) == Status::Crashed {
        say.p("With one copy, one dead machine means no service for anyone.");
    }
    say.p(
        "So real systems keep several copies, and then partitions between them are \
         a fact of life: the choice is between C and A, not CA.",
    );
    say_checks(ctx, say, 0);
}
