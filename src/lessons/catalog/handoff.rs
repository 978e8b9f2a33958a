//! Lesson 11, `hinted-handoff`: a write meant for an unreachable replica is held by another as
//! a hint and handed over after the heal.

use super::paragraphs::{say_converged, say_op, say_replicas, say_situation};
use super::{ask, fault, script, stage};
use crate::lessons::predict::Ask;
use crate::lessons::words;
use crate::lessons::{Lesson, Say, Step, StepCtx};
use crate::sim::action::Action;
use crate::sim::scenario::Scenario;
use crate::sim::types::{node_name, Case, Mode, OpKind, Tick};

const HH_LIKE: Tick = 1500;
const HH_HEAL: Tick = 3000;

fn handoff() -> Scenario {
    let mut s = script(
        "hinted-handoff",
        Mode::Ap,
        Case::Feed,
        &[("Alice", 0), ("Bob", 2)],
        5000,
    );
    fault(&mut s, 1000, Action::Isolate(2));
    ask(&mut s, HH_LIKE, 0, OpKind::Like, 0);
    fault(&mut s, HH_HEAL, Action::HealAll);
    ask(&mut s, 4500, 1, OpKind::Read, 0);
    s
}

/// "n1 holds 1 hint." or "No replica holds a hint."; highlights the holders.
fn say_hints(ctx: &StepCtx, say: &mut Say) {
    let sim = ctx.sim(0);
    let parts: Vec<String> = (0..sim.node_count())
        .filter(|n| sim.view(*n).hints > 0)
        .map(|n| {
            say.node(n);
            let mut s = node_name(n);
            s.push_str(" holds ");
            s.push_str(&words::plural(u64::from(sim.view(n).hints), "hint"));
            s
        })
        .collect();
    if parts.is_empty() {
        say.p("No replica holds a hint.");
    } else {
        let mut s = words::join_and(&parts);
        s.push('.');
        say.p(s);
    }
}

/// Whether n3's copy reflects Alice's like.
fn say_n3_has_like(ctx: &StepCtx, say: &mut Say) {
    let sim = ctx.sim(0);
    if let Some(rec) = ctx.op(0, 0, HH_LIKE) {
        let has = sim.replica_seen(2, rec.req.key).contains(rec.id)
            || sim.replica_seen(2, 1).contains(rec.id);
        say.p(if has {
            "n3's copy now includes Alice's like."
        } else {
            "n3's copy does not include Alice's like yet."
        });
    }
}

pub(super) fn hinted_handoff() -> Lesson {
    Lesson {
        id: "hinted-handoff",
        title: "A note for later",
        promise: "A write meant for an unreachable replica is held by another and handed over.",
        stages: vec![stage("AP", handoff())],
        steps: vec![
            Step::new(0, "Sending to everyone", |_, say| {
                say.p(
                    "In AP mode, the replica that takes a write sends it to every other \
                       replica. What if one of them cannot be reached?",
                );
            }),
            Step::new(HH_LIKE + 1000, "A like n3 cannot receive", |ctx, say| {
                say_situation(ctx, say, 0, 2);
                say_op(ctx, say, 0, 0, HH_LIKE);
                say.p(
                    "A hint is a note kept by a replica: 'this change belongs to n3, deliver \
                       it when you can'.",
                );
                say_hints(ctx, say);
                say_n3_has_like(ctx, say);
            })
            .predict(Ask::Likes { stage: 0, apart: 2 }, |_| {
                "Later the link heals. Once the replicas agree again, how many likes will every \
                 replica show?"
                    .into()
            }),
            Step::new(HH_HEAL + 1000, "After the heal", |ctx, say| {
                say_situation(ctx, say, 0, 2);
                say_hints(ctx, say);
                say_n3_has_like(ctx, say);
                say_converged(ctx, say, 0);
            }),
            Step::new(5000, "Bob reads", |ctx, say| {
                say_op(ctx, say, 0, 1, 4500);
                say_replicas(ctx, say, 0);
                say.p(
                    "Hints shorten the time a returning replica stays behind; anti-entropy \
                       catches whatever the hints missed.",
                );
            }),
        ],
    }
}
