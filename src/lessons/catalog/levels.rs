//! Lesson 9, `consistency-levels`: each request picks eventual, strong or quorum, and pays for
//! it in waiting.

use super::paragraphs::{say_op, say_situation, slug_of};
use super::{ask, ask_with, cut_n3, script, stage, watch};
use crate::lessons::predict::Ask;
use crate::lessons::words::{self, ms};
use crate::lessons::{Lesson, Say, Step, StepCtx};
use crate::sim::scenario::Scenario;
use crate::sim::types::{Case, Consistency, Mode, OpKind, Outcome, Value};

fn levels() -> Scenario {
    let mut s = script(
        "consistency-levels",
        Mode::Ap,
        Case::Register,
        &[("Alice", 0), ("Bob", 2)],
        4500,
    );
    ask(&mut s, 1000, 0, OpKind::Write, 1);
    ask_with(&mut s, 1003, 1, OpKind::Read, 0, Consistency::Eventual);
    ask_with(&mut s, 1200, 0, OpKind::Write, 2, Consistency::Quorum);
    ask_with(&mut s, 1300, 1, OpKind::Read, 0, Consistency::Strong);
    cut_n3(&mut s, 2000, 3500);
    ask(&mut s, 2100, 0, OpKind::Write, 3);
    ask_with(&mut s, 2200, 1, OpKind::Read, 0, Consistency::Eventual);
    ask_with(&mut s, 2300, 1, OpKind::Read, 0, Consistency::Strong);
    ask_with(&mut s, 2400, 0, OpKind::Write, 4, Consistency::Quorum);
    s
}

pub(super) fn consistency_levels() -> Lesson {
    Lesson {
        id: "consistency-levels",
        title: "Pick per request",
        promise: "Each request can ask for speed or for certainty, and pays for it.",
        stages: vec![stage("AP + levels", levels())],
        steps: vec![
            Step::new(0, "One cluster, several promises", |_, say| {
                say.p(
                    "Many databases let each request choose. An eventual read answers from the \
                       nearest copy: fast, maybe old. A strong read asks a majority: slower, and \
                       it always hears from a replica that received each quorum write confirmed \
                       before it began — a plain write, confirmed by one replica, it can still \
                       miss. A quorum write waits until a majority has it.",
                );
            }),
            Step::new(1100, "A fast write, a fast read", |ctx, say| {
                say_op(ctx, say, 0, 0, 1000);
                say_op(ctx, say, 0, 1, 1003);
                let old = ctx.op(0, 1, 1003).is_some_and(|r| {
                    r.outcome() == Some(Outcome::Ok) && r.value() != Some(&Value::Int(1))
                });
                if old {
                    say.p(
                        "The eventual read was quick, but it did not see Alice's write: n3 \
                         answered before the write's messages reached it. It does not count \
                         as stale, because the write was not confirmed yet when Bob asked.",
                    );
                }
            }),
            Step::new(1400, "Paying for certainty", |ctx, say| {
                say_op(ctx, say, 0, 0, 1200);
                say_op(ctx, say, 0, 1, 1300);
                say.p(
                    "A quorum write and a strong read must hear from other replicas before they \
                     answer: at least one network round trip, where the eventual requests \
                     answered at once.",
                );
            }),
            Step::new(2250, "Cut off: the eventual read", |ctx, say| {
                say_situation(ctx, say, 0, 2);
                say_op(ctx, say, 0, 0, 2100);
                say_op(ctx, say, 0, 1, 2200);
            })
            .predict(Ask::Outcome(watch(0, 1, 2300)), |ctx| {
                format!(
                    "Next Bob asks n3 for a strong read, while {}. What will he get?",
                    words::situation(ctx.sim(0), 2)
                )
            }),
            Step::new(3400, "Cut off: the strong read", |ctx, say| {
                say_op(ctx, say, 0, 1, 2300);
                say_op(ctx, say, 0, 0, 2400);
                if slug_of(ctx, 0, 1, 2300) == Some("timeout") {
                    say.p(
                        "A strong read needs a majority; n3 could not reach one, so Bob waited \
                         in vain.",
                    );
                }
                if slug_of(ctx, 0, 0, 2400) == Some("ok") {
                    say.p("On n1's side a majority is still reachable, so the quorum write works.");
                }
            }),
            Step::new(4500, "The bill", say_the_bill),
        ],
    }
}

/// What each consistency level cost in this run, one line each (see [`say_bill`]).
fn say_the_bill(ctx: &StepCtx, say: &mut Say) {
    say.p("What each kind of request cost in this run:");
    for level in [
        Consistency::Default,
        Consistency::Eventual,
        Consistency::Strong,
        Consistency::Quorum,
    ] {
        say_bill(ctx, say, level);
    }
    say.p(
        "Speed and freshness are bought with the same coin: waiting for other \
         replicas.",
    );
}

/// One line of the bill: the requests of one consistency level, how long each took or how it
/// ended, and how many reads were stale. Nothing when there is no such request.
fn say_bill(ctx: &StepCtx, say: &mut Say, level: Consistency) {
    let sim = ctx.sim(0);
    let recs: Vec<_> = sim
        .history()
        .iter()
        .filter(|r| r.req.consistency == level)
        .collect();
    if recs.is_empty() {
        return;
    }
    let mut s = String::from(match level {
        Consistency::Default => "Plain requests (AP: answered by one replica): ",
        Consistency::Eventual => "Eventual reads: ",
        Consistency::Strong => "Strong reads: ",
        Consistency::Quorum => "Quorum writes: ",
    });
    let each: Vec<String> = recs
        .iter()
        .map(|r| match r.outcome() {
            Some(Outcome::Ok) => ms(words::took(sim, r)),
            Some(Outcome::Timeout) => "no answer".to_string(),
            Some(Outcome::Refused(_)) => "refused".to_string(),
            None => "still waiting".to_string(),
        })
        .collect();
    s.push_str(&words::join_and(&each));
    let stale = recs.iter().filter(|r| r.is_stale()).count();
    if stale > 0 {
        s.push_str("; stale: ");
        s.push_str(&stale.to_string());
        s.push_str(" of ");
        s.push_str(&recs.len().to_string());
    }
    s.push('.');
    say.p(s);
}
