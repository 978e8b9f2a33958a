//! Lesson 12, `cp-vs-ap`: the bank with the same clients and faults in CP and in AP, side by
//! side, and their numbers.

use super::bank::bank;
use super::paragraphs::{say_finished, say_op, say_replicas};
use super::{ask, stage, watch, BOB_ASKS, HEAL};
use crate::lessons::predict::Ask;
use crate::lessons::words::{self, ms};
use crate::lessons::{Lesson, Say, Step, StepCtx};
use crate::sim::types::{Mode, OpKind};

pub(super) fn cp_vs_ap() -> Lesson {
    let with_reads = |mode| {
        let mut s = bank("cp-vs-ap", mode, BOB_ASKS);
        ask(&mut s, 3000, 0, OpKind::Read, 0);
        ask(&mut s, 3600, 1, OpKind::Read, 0);
        s
    };
    Lesson {
        id: "cp-vs-ap",
        title: "CP and AP, side by side",
        promise: "The same clients and the same faults, two choices, two sets of numbers.",
        stages: vec![
            stage("CP", with_reads(Mode::Cp)),
            stage("AP", with_reads(Mode::Ap)),
        ],
        steps: vec![
            Step::new(0, "Same seed, same faults", |_, say| {
                say.p(
                    "Both runs use the same random seed, the same clients and the same \
                       partition of n3. Only the replication mode differs.",
                );
            })
            .predict(
                Ask::Serves {
                    a: watch(0, 0, BOB_ASKS),
                    b: watch(0, 1, BOB_ASKS),
                },
                |_| {
                    "While n3 is cut off, Alice (at n1) and Bob (at n3) each withdraw 80. In the \
                     CP run, who gets a real answer?"
                        .into()
                },
            ),
            Step::new(BOB_ASKS + 200, "During the partition", |ctx, say| {
                for st in 0..ctx.stages() {
                    say.run(ctx.label(st));
                    say_op(ctx, say, st, 0, BOB_ASKS);
                    say_op(ctx, say, st, 1, BOB_ASKS);
                }
            }),
            Step::new(3700, "Reads on both sides", |ctx, say| {
                for st in 0..ctx.stages() {
                    say.run(ctx.label(st));
                    say_op(ctx, say, st, 0, 3000);
                    say_op(ctx, say, st, 1, 3600);
                }
            }),
            Step::new(HEAL + 1000, "After the heal", |ctx, say| {
                for st in 0..ctx.stages() {
                    say.run(ctx.label(st));
                    say_replicas(ctx, say, st);
                }
            }),
            Step::new(6500, "The numbers", |ctx, say| {
                for st in 0..ctx.stages() {
                    say_numbers(ctx, say, st);
                }
                let (cp, ap) = (ctx.checks(0), ctx.checks(1));
                if cp.availability < ap.availability && cp.linearizable == Some(true) {
                    say.p(
                        "CP gave up some answers to keep one truth. AP answered more and let \
                         the truth split.",
                    );
                }
                say.p("Neither is wrong in general: the data decides which one to pay.");
            })
            .says_linearizable(),
        ],
    }
}

/// One run's figures in one paragraph: answers, the lowest balance, stale reads, latency, the
/// verdict; highlights the ops the checker names.
fn say_numbers(ctx: &StepCtx, say: &mut Say, st: usize) {
    let c = ctx.checks(st);
    let done = c.ok + c.refused + c.timeouts;
    let mut s = format!(
        "{} of {done} requests answered ok, {} refused, {} timed out; ",
        c.ok, c.refused, c.timeouts
    );
    match c.min_balance {
        Some(m) if m < 0 => s.push_str(&format!("the balance fell to {m}; ")),
        Some(_) => s.push_str("the balance never went below zero; "),
        None => {}
    }
    s.push_str(&words::plural(u64::from(c.stale_reads), "stale read"));
    if let Some(p) = c.latency_p50 {
        s.push_str("; median answer time ");
        s.push_str(&ms(p));
    }
    s.push_str(match c.linearizable {
        Some(true) => "; linearizable.",
        Some(false) => "; NOT linearizable.",
        None => "; linearizability unknown.",
    });
    say.run(ctx.label(st));
    say.p(s);
    say_finished(ctx, say, st);
    for id in c.lin_counterexample.iter().chain(&c.stale_ops) {
        say.op(*id);
    }
}
