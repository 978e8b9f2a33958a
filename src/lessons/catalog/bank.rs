//! Lessons about the two cases: a bank that must stay consistent and a feed that must stay
//! available (`bank-cp`, `bank-ap`, `feed-ap`, `feed-vclock`).

use super::{
    ask, cut_n3, holds, in_majority, say_checks, say_converged, say_op, say_op_each, say_replicas,
    say_situation, script, slug_of, stage,
};
use crate::lessons::words::{self, plural};
use crate::lessons::{Lesson, Say, Step, StepCtx, Watch};
use crate::sim::scenario::Scenario;
use crate::sim::types::{Case, Conflict, Mode, OpKind, Tick, Value};

pub(super) const CUT: Tick = 1500;
pub(super) const HEAL: Tick = 4000;
/// Bob's withdrawal / like at n3 while it is cut off.
pub(super) const BOB_ASKS: Tick = 2500;

// ----- 4 & 5. the bank -----

/// Alice (n1) and Bob (n3) share a checking balance of 100; n3 is cut off in the middle.
pub(super) fn bank(name: &str, mode: Mode, alice_withdraws_at: Tick) -> Scenario {
    let mut s = script(name, mode, Case::Bank, &[("Alice", 0), ("Bob", 2)], 6500);
    s.initial = vec![100, 0];
    s.conflict = Conflict::Crdt;
    ask(&mut s, 1000, 0, OpKind::Read, 0);
    ask(&mut s, BOB_ASKS, 1, OpKind::Withdraw, 80);
    ask(&mut s, alice_withdraws_at, 0, OpKind::Withdraw, 80);
    ask(&mut s, 5000, 1, OpKind::Read, 0);
    cut_n3(&mut s, CUT, HEAL);
    s
}

fn bank_intro(say: &mut Say) {
    say.p(
        "A bank account with a checking balance of 100, kept on three replicas. The rule is \
           simple: the balance must never go below zero. Alice uses n1, Bob uses n3, and both \
           can spend from the same account.",
    );
}

fn ask_bob_withdraws(ctx: &StepCtx) -> String {
    format!(
        "Bob asks n3 to withdraw 80. Right now {}. What will Bob get?",
        words::situation(ctx.sim(0), 2)
    )
}

fn say_options(say: &mut Say) {
    say.p(
        "Three things can happen. ok: it goes through. refused: the system says no, and \
           nothing changes anywhere. timeout: no answer comes, and Bob cannot know whether it \
           happened.",
    );
}

fn say_min_balance(ctx: &StepCtx, say: &mut Say, stage: usize) {
    let c = ctx.checks(stage);
    match c.min_balance {
        Some(min) if min < 0 => say.p(format!(
            "The balance went negative: the lowest any replica ever held was {min}. The bank \
             paid out money it did not have."
        )),
        Some(_) => say.p("No replica's balance ever went below zero."),
        None => {}
    }
    if c.double_spends > 0 {
        say.p(format!(
            "The checker counts {}: two withdrawals each allowed on a balance that could pay for \
             only one of them.",
            plural(u64::from(c.double_spends), "double spend")
        ));
    }
}

/// True when the bank broke its rule in `stage`: a negative balance or a double spend.
fn overdrawn(ctx: &StepCtx, stage: usize) -> bool {
    let c = ctx.checks(stage);
    c.min_balance.is_some_and(|m| m < 0) || c.double_spends > 0
}

pub(super) fn bank_cp() -> Lesson {
    Lesson {
        id: "bank-cp",
        title: "The bank says no",
        promise: "Cut off from the majority, a CP bank refuses rather than risk your money.",
        stages: vec![stage("CP", bank("bank-cp", Mode::Cp, 2600))],
        steps: vec![
            Step::new(0, "A shared account", |_, say| {
                bank_intro(say);
                say.p(
                    "This bank runs in CP mode: one replica is the leader, and a change counts \
                       only once a majority (2 of 3) has it.",
                );
            }),
            Step::new(1100, "Before the cut", |ctx, say| {
                say_op(ctx, say, 0, 0, 1000);
                say_replicas(ctx, say, 0);
            }),
            Step::new(CUT + 1, "The network breaks", |ctx, say| {
                say_situation(ctx, say, 0, 2);
                say.p(match (in_majority(ctx, 0, 0), in_majority(ctx, 0, 2)) {
                    (true, false) => {
                        "n1 and n2 can still talk: two of three, a majority. n3 alone is a \
                         minority."
                    }
                    (true, true) => "n3 can still reach a majority of the replicas.",
                    _ => "Neither side can reach a majority of the replicas.",
                });
            }),
            Step::new(BOB_ASKS + 1, "Bob wants 80", |ctx, say| {
                say.p(format!(
                    "Bob asks n3 for 80. n3's copy of the balance says {}.",
                    holds(ctx, 0, 2)
                ));
                say_options(say);
                say_op(ctx, say, 0, 1, BOB_ASKS);
            })
            .predict(
                Watch {
                    stage: 0,
                    client: 1,
                    at: BOB_ASKS,
                },
                ask_bob_withdraws,
            ),
            Step::new(BOB_ASKS + 60, "n3 answers", |ctx, say| {
                say_op(ctx, say, 0, 1, BOB_ASKS);
                if let Some(rec) = ctx.op(0, 1, BOB_ASKS) {
                    say.p(crate::lessons::why(Mode::Cp, rec));
                }
            }),
            Step::new(3000, "Meanwhile, on the other side", |ctx, say| {
                say_op(ctx, say, 0, 0, 2600);
                say_replicas(ctx, say, 0);
                if slug_of(ctx, 0, 1, BOB_ASKS) == Some("refused") {
                    say.p(
                        "n3's copy may be out of date, but n3 does not hand it out as the \
                           truth: it refuses instead. Being unavailable on one side is the price \
                           of never being wrong.",
                    );
                }
            }),
            Step::new(HEAL + 1100, "The network heals", |ctx, say| {
                say_replicas(ctx, say, 0);
                say_op(ctx, say, 0, 1, 5000);
                say_converged(ctx, say, 0);
            }),
            Step::new(6500, "What the checker says", |ctx, say| {
                say_checks(ctx, say, 0);
                say_min_balance(ctx, say, 0);
                if slug_of(ctx, 0, 1, BOB_ASKS) == Some("refused") {
                    say.p("Consistency cost Bob an answer during the partition.");
                }
                say.p(
                    "For money, that is the right trade: a refused withdrawal can be retried, \
                       an overdraft cannot be undone.",
                );
            }),
        ],
    }
}

pub(super) fn bank_ap() -> Lesson {
    Lesson {
        id: "bank-ap",
        title: "The bank says yes, twice",
        promise: "An always-available bank lets both sides spend the same money.",
        stages: vec![stage("AP", bank("bank-ap", Mode::Ap, BOB_ASKS))],
        steps: vec![
            Step::new(0, "The same account, AP", |_, say| {
                bank_intro(say);
                say.p(
                    "This time the bank runs in AP mode: every replica accepts requests on its \
                       own and tells the others afterwards. It never says no for lack of \
                       contact.",
                );
            }),
            Step::new(CUT + 1, "The network breaks", |ctx, say| {
                say_situation(ctx, say, 0, 2);
                say_replicas(ctx, say, 0);
            }),
            Step::new(BOB_ASKS + 1, "Alice and Bob both want 80", |ctx, say| {
                say.p(format!(
                    "At the same moment, Alice asks n1 for 80 and Bob asks n3 for 80. n1's copy \
                     of the balance says {}; n3's says {}.",
                    holds(ctx, 0, 0),
                    holds(ctx, 0, 2)
                ));
                say_options(say);
            })
            .predict(
                Watch {
                    stage: 0,
                    client: 1,
                    at: BOB_ASKS,
                },
                ask_bob_withdraws,
            ),
            Step::new(BOB_ASKS + 100, "Two answers", |ctx, say| {
                say_op(ctx, say, 0, 0, BOB_ASKS);
                say_op(ctx, say, 0, 1, BOB_ASKS);
                say_replicas(ctx, say, 0);
                let both_ok = [0, 1]
                    .iter()
                    .all(|c| slug_of(ctx, 0, *c, BOB_ASKS) == Some("ok"));
                if both_ok {
                    say.p(
                        "Two withdrawals of 80 from one balance of 100, both approved. Each \
                           side was right about what it could see, and wrong about the whole.",
                    );
                }
            }),
            Step::new(HEAL + 1000, "The network heals", |ctx, say| {
                let both_ok = [0, 1]
                    .iter()
                    .all(|c| slug_of(ctx, 0, *c, BOB_ASKS) == Some("ok"));
                say.p(if both_ok {
                    "The replicas exchange what they did. Both withdrawals were confirmed to \
                     their customers, so the merged balance must count both."
                } else {
                    "The replicas exchange what they did and merge it."
                });
                say_replicas(ctx, say, 0);
                say_min_balance(ctx, say, 0);
            }),
            Step::new(6500, "Why banks pick CP", |ctx, say| {
                say_checks(ctx, say, 0);
                say_min_balance(ctx, say, 0);
                if overdrawn(ctx, 0) {
                    say.p(
                        "Availability kept both customers happy for a moment and broke the one \
                         rule that mattered.",
                    );
                } else {
                    say.p("In this version of the run the rule held: no money was paid out twice.");
                }
                say.p(
                    "That is why banks choose consistency: better to say 'try again later' than \
                     to pay out money twice.",
                );
            }),
        ],
    }
}

// ----- 6. feed-ap -----

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
                     and right now {}. His previous like:",
                    words::situation(ctx.sim(0), 2)
                ));
                say_op(ctx, say, 0, 1, BOB_ASKS - 300);
                say_options(say);
            })
            .predict(
                Watch {
                    stage: 0,
                    client: 1,
                    at: BOB_ASKS,
                },
                |ctx| {
                    format!(
                        "Bob likes the post at n3. Right now {}. What will Bob get?",
                        words::situation(ctx.sim(0), 2)
                    )
                },
            ),
            Step::new(2750, "What Bob sees", |ctx, say| {
                say_op(ctx, say, 0, 1, BOB_ASKS);
                say_op(ctx, say, 0, 1, 2700);
                if ctx.op(0, 1, 2700).is_some_and(|r| r.is_stale()) {
                    say.p(
                        "n3 answers from its own copy. It is quick and it works, but it cannot \
                         show likes it has not heard about.",
                    );
                }
            }),
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
            Step::new(7000, "Counting lost likes", |ctx, say| {
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
                    0 => "Either way, the feed never stopped answering: every request got an ok."
                        .to_string(),
                    n => format!(
                        "In this version of the run, {} did not get an ok.",
                        plural(u64::from(n), "request")
                    ),
                });
            }),
        ],
    }
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
