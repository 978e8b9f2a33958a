//! Lessons 4 and 5, `bank-cp` and `bank-ap`: a shared account of 100 that must never go below
//! zero, with n3 cut off in the middle; the scenario is reused by `cp-vs-ap`.

use super::paragraphs::{
    holds, in_majority, say_checks, say_converged, say_op, say_options, say_replicas,
    say_situation, slug_of,
};
use super::{ask, cut_n3, script, stage, BOB_ASKS, CUT, HEAL};
use crate::lessons::predict::Ask;
use crate::lessons::words::{self, plural};
use crate::lessons::{Lesson, Say, Step, StepCtx, Watch};
use crate::sim::scenario::Scenario;
use crate::sim::types::{Case, Conflict, Mode, OpKind, Tick};

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
            Step::new(CUT + 1, "The network breaks", say_minority),
            Step::new(BOB_ASKS + 1, "Bob wants 80", |ctx, say| {
                say.p(format!(
                    "Bob asks n3 for 80. n3's copy of the balance says {}.",
                    holds(ctx, 0, 2)
                ));
                say_options(say);
                say_op(ctx, say, 0, 1, BOB_ASKS);
            })
            .predict(
                Ask::Outcome(Watch {
                    stage: 0,
                    client: 1,
                    at: BOB_ASKS,
                }),
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
            Step::new(6500, "What the checker says", say_cp_verdict).says_linearizable(),
        ],
    }
}

/// The cut, and which side still reaches a majority.
fn say_minority(ctx: &StepCtx, say: &mut Say) {
    say_situation(ctx, say, 0, 2);
    say.p(match (in_majority(ctx, 0, 0), in_majority(ctx, 0, 2)) {
        (true, false) => {
            "n1 and n2 can still talk: two of three, a majority. n3 alone is a \
             minority."
        }
        (true, true) => "n3 can still reach a majority of the replicas.",
        _ => "Neither side can reach a majority of the replicas.",
    });
}

/// The CP bank's verdicts, and what consistency cost Bob.
fn say_cp_verdict(ctx: &StepCtx, say: &mut Say) {
    say_checks(ctx, say, 0);
    say_min_balance(ctx, say, 0);
    if slug_of(ctx, 0, 1, BOB_ASKS) == Some("refused") {
        say.p("Consistency cost Bob an answer during the partition.");
    }
    say.p(
        "For money, that is the right trade: a refused withdrawal can be retried, \
           an overdraft cannot be undone.",
    );
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
            })
            .predict(Ask::Balance { stage: 0 }, |_| {
                "Later the network heals and the replicas merge what each side did. Once they \
                 agree again, what balance will they hold?"
                    .into()
            }),
            Step::new(BOB_ASKS + 100, "Two answers", say_two_answers),
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
            Step::new(6500, "Why banks pick CP", say_ap_verdict).says_linearizable(),
        ],
    }
}

/// Alice's and Bob's withdrawals on each side of the cut, and the replicas after them.
fn say_two_answers(ctx: &StepCtx, say: &mut Say) {
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
}

/// The AP bank's verdicts, and whether it paid out money twice.
fn say_ap_verdict(ctx: &StepCtx, say: &mut Say) {
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
}
