//! Lessons 6 and 7, `feed-ap` and `feed-vclock`: a social feed that stays available during a
//! partition, and how LWW, vector clocks and CRDTs merge what the two sides did.

use super::paragraphs::{say_converged, say_op, say_op_each, say_replicas, say_situation};
use super::{ask, cut_n3, script, stage, watch, BOB_ASKS, CUT, HEAL};
use crate::lessons::predict::Ask;
use crate::lessons::words::{self, plural};
use crate::lessons::{Lesson, Say, Step, StepCtx};
use crate::sim::scenario::Scenario;
use crate::sim::types::{Case, Conflict, Mode, OpKind, Value};

fn feed(name: &str, conflict: Conflict) -> Scenario {
    let mut s = script(
        name,
        Mode::Ap,
        Case::Feed,
        &[("Alice", 0), ("Bob", 2), ("Carol", 1)],
        7000,
    );
    s.conflict = conflict;
    ask(&mut s, 500, 0, OpKind::Post, 1);
    ask(&mut s, 2000, 0, OpKind::Like, 0);
    ask(&mut s, 2100, 2, OpKind::Like, 0);
    ask(&mut s, BOB_ASKS - 300, 1, OpKind::Like, 0);
    ask(&mut s, 2300, 0, OpKind::Like, 0);
    ask(&mut s, BOB_ASKS, 1, OpKind::Like, 0);
    ask(&mut s, 2700, 1, OpKind::Read, 0);
    ask(&mut s, 5500, 1, OpKind::Read, 0);
    cut_n3(&mut s, CUT, HEAL);
    s
}

/// The lost updates of `stage`, named (at most three), highlighted.
pub(super) fn say_lost(ctx: &StepCtx, say: &mut Say, stage: usize) {
    let c = ctx.checks(stage);
    let sim = ctx.sim(stage);
    let s = match c.lost_updates {
        0 => "No confirmed update was lost.".to_string(),
        n => {
            let mut s = plural(u64::from(n), "update");
            s.push_str(if n == 1 { " was" } else { " were" });
            s.push_str(" confirmed to a user and then lost: ");
            s.push_str(&words::ops_named(sim, &c.lost_ops, 3));
            if n > 3 {
                s.push_str(", and more");
            }
            s.push('.');
            s
        }
    };
    if ctx.stages() > 1 {
        say.run(ctx.label(stage));
    }
    say.p(s);
    for id in &c.lost_ops {
        say.op(*id);
    }
}

pub(super) fn feed_ap() -> Lesson {
    Lesson {
        id: "feed-ap",
        title: "The feed keeps flowing",
        promise: "A social feed stays available during a partition and catches up later.",
        stages: vec![
            stage("LWW", feed("feed-lww", Conflict::Lww)),
            stage("CRDT", feed("feed-crdt", Conflict::Crdt)),
        ],
        steps: vec![
            Step::new(0, "A feed on three replicas", |_, say| {
                say.p(
                    "A social feed: posts and a like counter. Nobody is harmed if a like shows \
                       up a few seconds late, but everyone is annoyed if the app says 'error'. \
                       So the feed runs in AP mode: always answer.",
                );
                say.p(
                    "Two runs side by side. They differ only in how replicas merge changes \
                       made apart: 'last writer wins' (LWW) keeps the copy written last; a CRDT \
                       (a data type built to merge) adds the likes of both sides.",
                );
            }),
            Step::new(CUT + 1, "n3 is cut off", |ctx, say| {
                say_situation(ctx, say, 0, 2);
                say_replicas(ctx, say, 0);
            }),
            Step::new(BOB_ASKS + 1, "Bob likes the post", |ctx, say| {
                say.p(format!(
                    "On n1 and n2 Alice and Carol keep liking. Bob likes the post again at n3, \
                     and right now {}.",
                    words::situation(ctx.sim(0), 2)
                ));
            })
            .predict(Ask::Likes { stage: 0, apart: 2 }, |_| {
                "In the LWW run, once the network heals and the replicas agree again, how many \
                 likes will every replica show?"
                    .into()
            }),
            Step::new(2750, "What Bob sees", say_bob_sees),
            Step::new(HEAL + 1000, "After the heal", |ctx, say| {
                say.p(
                    "After the heal, replicas compare their copies now and then (anti-entropy) \
                       and merge them.",
                );
                for st in 0..ctx.stages() {
                    say.run(ctx.label(st));
                    say_replicas(ctx, say, st);
                    say_converged(ctx, say, st);
                }
            }),
            Step::new(7000, "Counting lost likes", say_lost_likes),
        ],
    }
}

/// Bob's like and his read at n3 while it is cut off.
fn say_bob_sees(ctx: &StepCtx, say: &mut Say) {
    say_op(ctx, say, 0, 1, BOB_ASKS);
    say_op(ctx, say, 0, 1, 2700);
    if ctx.op(0, 1, 2700).is_some_and(|r| r.is_stale()) {
        say.p(
            "n3 answers from its own copy. It is quick and it works, but it cannot \
             show likes it has not heard about.",
        );
    }
}

/// The lost likes of each run, Bob's last read, and how many requests got no ok.
fn say_lost_likes(ctx: &StepCtx, say: &mut Say) {
    for st in 0..ctx.stages() {
        say_lost(ctx, say, st);
    }
    say_op_each(ctx, say, 1, 5500);
    say.p(
        "LWW picks one side's counter and throws the other away, likes and all. A \
         CRDT counter keeps a tally per replica and adds them up, so nothing is \
         lost.",
    );
    let unanswered: u32 = (0..ctx.stages())
        .map(|st| ctx.checks(st).refused + ctx.checks(st).timeouts)
        .sum();
    say.p(match unanswered {
        0 => "Either way, the feed never stopped answering: every request got an ok.".to_string(),
        n => format!(
            "In this version of the run, {} did not get an ok.",
            plural(u64::from(n), "request")
        ),
    });
}

// ----- 7. feed-vclock -----

fn concurrent_posts(name: &str, conflict: Conflict) -> Scenario {
    let mut s = script(
        name,
        Mode::Ap,
        Case::Feed,
        &[("Alice", 0), ("Bob", 2)],
        5000,
    );
    s.conflict = conflict;
    ask(&mut s, 2000, 0, OpKind::Post, 1);
    ask(&mut s, 2100, 1, OpKind::Post, 2);
    ask(&mut s, 3800, 0, OpKind::Read, 0);
    cut_n3(&mut s, CUT, 3000);
    s
}

/// True when some running replica of `stage` holds siblings right now.
pub(super) fn has_siblings(ctx: &StepCtx, stage: usize) -> bool {
    let sim = ctx.sim(stage);
    (0..sim.node_count()).any(|n| {
        sim.view(n)
            .keys
            .iter()
            .any(|v| matches!(v, Value::Siblings(_)))
    })
}

pub(super) fn feed_vclock() -> Lesson {
    Lesson {
        id: "feed-vclock",
        title: "Two edits, no winner",
        promise: "Vector clocks notice concurrent edits and keep both; LWW silently drops one.",
        stages: vec![
            stage("vclock", concurrent_posts("feed-vclock", Conflict::Vclock)),
            stage("LWW", concurrent_posts("feed-lww", Conflict::Lww)),
        ],
        steps: vec![
            Step::new(0, "Who wrote last?", |_, say| {
                say.p(
                    "When two replicas change the same data without hearing from each other, \
                       which change wins? 'Last writer wins' compares clock times, but clocks on \
                       different machines never agree exactly.",
                );
                say.p(
                    "A vector clock is a small list of counters, one per replica. Comparing \
                       two of them tells whether one change saw the other, or whether they \
                       happened side by side, unaware of each other (concurrent).",
                );
            }),
            Step::new(2200, "Two posts, apart", |ctx, say| {
                say_situation(ctx, say, 0, 2);
                say_op(ctx, say, 0, 0, 2000);
                say_op(ctx, say, 0, 1, 2100);
            })
            .predict(Ask::ReadValue(watch(0, 0, 3800)), |_| {
                "In the vclock run, after the heal, Alice reads the feed at n1. What will \
                     she see?"
                    .into()
            }),
            Step::new(3500, "After the heal", |ctx, say| {
                for st in 0..ctx.stages() {
                    say.run(ctx.label(st));
                    say_replicas(ctx, say, st);
                    say.p(if has_siblings(ctx, st) {
                        "Both versions are kept as siblings: the system knows they were \
                         concurrent and lets the application merge them."
                    } else {
                        "No siblings here: one value per replica."
                    });
                }
            }),
            Step::new(4000, "What a reader sees", |ctx, say| {
                for st in 0..ctx.stages() {
                    say.run(ctx.label(st));
                    say_op(ctx, say, st, 0, 3800);
                }
                for st in 0..ctx.stages() {
                    say_lost(ctx, say, st);
                }
                say.p(
                    "Siblings are honest: 'here are two versions, you decide'. LWW is simple, \
                       but what it drops is gone, and nobody is told.",
                );
            }),
        ],
    }
}
