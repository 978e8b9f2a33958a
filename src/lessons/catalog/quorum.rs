//! Lesson 8, `quorum`: the N / R / W dials between C and A, two settings side by side.

use super::paragraphs::{say_checks, say_op, say_situation, slug_of};
use super::{ask, cut_n3, fault, script, stage, watch, CUT};
use crate::lessons::predict::Ask;
use crate::lessons::words;
use crate::lessons::{Lesson, Say, Stage, Step, StepCtx};
use crate::sim::action::Action;
use crate::sim::stale;
use crate::sim::types::{Case, Mode, OpKind, Outcome, Tick};

const Q_READ: Tick = 2100;

fn quorum_stage(label: &'static str, r: u8, w: u8) -> Stage {
    let mut s = script(
        "quorum",
        Mode::Quorum,
        Case::Register,
        &[("Alice", 0), ("Bob", 2)],
        5000,
    );
    s.r = Some(r);
    s.w = Some(w);
    fault(&mut s, 500, Action::Crash(1));
    ask(&mut s, 700, 0, OpKind::Write, 1);
    ask(&mut s, 900, 1, OpKind::Read, 0);
    fault(&mut s, 1200, Action::Recover(1));
    cut_n3(&mut s, CUT, 3500);
    ask(&mut s, 2000, 0, OpKind::Write, 2);
    ask(&mut s, Q_READ, 1, OpKind::Read, 0);
    ask(&mut s, 4000, 1, OpKind::Read, 0);
    stage(label, s)
}

fn say_dials(ctx: &StepCtx, say: &mut Say) {
    for st in 0..ctx.stages() {
        let c = ctx.sim(st).config();
        say.p(format!(
            "In the '{}' run: N = {}, W = {}, R = {}. {}",
            ctx.label(st),
            c.n,
            c.w,
            c.r,
            words::quorum_dials(c.n, c.r, c.w)
        ));
    }
}

/// Whether the dials' promise held in `stage`, and the conditions it names, counted in the run:
/// the reads that missed an acknowledged update, and the updates that timed out part-way or ran
/// at the same time as another update of the same data.
fn say_promise(ctx: &StepCtx, say: &mut Say, st: usize) {
    let sim = ctx.sim(st);
    let (c, h) = (sim.config(), sim.history());
    let stale = h.iter().filter(|o| o.is_stale()).count() as u64;
    let failed = h.iter().filter(|o| stale::failed_part_way(o)).count() as u64;
    let updates: Vec<_> = h
        .iter()
        .filter(|o| o.req.kind.is_update() && !matches!(o.outcome(), Some(Outcome::Refused(_))))
        .collect();
    let mut pairs = 0u64;
    for (i, a) in updates.iter().enumerate() {
        pairs += updates[i + 1..]
            .iter()
            .filter(|b| stale::share_a_key(c.case, a, b) && stale::overlap(a, b))
            .count() as u64;
    }
    let missed = if stale == 0 {
        "no read missed an acknowledged write".to_string()
    } else {
        format!(
            "{} missed an acknowledged write",
            words::plural(stale, "read")
        )
    };
    if u16::from(c.r) + u16::from(c.w) <= u16::from(c.n) {
        say.p(format!(
            "With R + W ≤ N nothing forces a read to meet the last write: here {missed}."
        ));
        return;
    }
    say.p(format!(
        "With R + W > N: here {missed}; {} timed out part-way and {} of updates of the same \
         data ran at the same time{}.",
        words::plural(failed, "update"),
        words::plural(pairs, "pair"),
        if stale > 0 && failed + pairs > 0 {
            " — the conditions under which a quorum read can miss a write"
        } else {
            ""
        }
    ));
}

/// What Bob's cut-off read means in `stage`: refused (consistent, not available), stale
/// (available, not consistent), fresh, or no answer.
fn say_read_meaning(ctx: &StepCtx, say: &mut Say, st: usize) {
    let Some(rec) = ctx.op(st, 1, Q_READ) else {
        return;
    };
    let meaning = match rec.outcome() {
        Some(Outcome::Refused(_)) => {
            ", n3 could not gather enough answers, so it said no: consistent, not available."
        }
        Some(Outcome::Ok) if rec.is_stale() => {
            ", n3 answered from its own copy: available, not consistent."
        }
        Some(Outcome::Ok) => ", the read gathered enough answers and was fresh.",
        Some(Outcome::Timeout) => ", no answer came in time: not available.",
        None => return,
    };
    let mut s = String::from("With R = ");
    s.push_str(&ctx.sim(st).config().r.to_string());
    s.push_str(meaning);
    say.p(s);
}

pub(super) fn quorum() -> Lesson {
    Lesson {
        id: "quorum",
        title: "Quorums: dials between C and A",
        promise: "With R + W > N a read sees every write acknowledged before it began, unless a \
                  write timed out part-way or two writes ran at once; turn the dials down and it \
                  may not.",
        stages: vec![quorum_stage("R=2 W=2", 2, 2), quorum_stage("R=1 W=1", 1, 1)],
        steps: vec![
            Step::new(0, "N, W and R", |ctx, say| {
                say.p(
                    "Every value lives on N replicas. A write waits for W of them to confirm; \
                       a read asks replicas and waits for R answers, keeping the newest.",
                );
                say.p(format!("{}.", words::quorum_replicas(ctx.sim(0), 0)));
                say_dials(ctx, say);
            })
            .predict(Ask::Stale { stage: 1 }, |_| {
                "In the 'R=1 W=1' run, will any read return old data, missing a write that was \
                 already confirmed?"
                    .into()
            }),
            Step::new(1000, "One node down", say_one_down),
            Step::new(2050, "A write on the majority side", |ctx, say| {
                say_situation(ctx, say, 0, 2);
                for st in 0..ctx.stages() {
                    say.run(ctx.label(st));
                    say_op(ctx, say, st, 0, 2000);
                }
            }),
            Step::new(Q_READ + 1, "Bob reads at n3", |ctx, say| {
                say.p(format!(
                    "Bob asks n3 for x. Right now {}.",
                    words::situation(ctx.sim(0), 2)
                ));
                say_dials(ctx, say);
            })
            .predict(Ask::Outcome(watch(0, 1, Q_READ)), |ctx| {
                let r = ctx.sim(0).config().r;
                format!(
                    "In the first run (R = {r}), Bob reads x at n3 while {}. What will he get?",
                    words::situation(ctx.sim(0), 2)
                )
            }),
            Step::new(3000, "Refused or stale", |ctx, say| {
                for st in 0..ctx.stages() {
                    say.run(ctx.label(st));
                    say_op(ctx, say, st, 1, Q_READ);
                }
                for st in 0..ctx.stages() {
                    say_read_meaning(ctx, say, st);
                }
            }),
            Step::new(5000, "The score", |ctx, say| {
                for st in 0..ctx.stages() {
                    say.run(ctx.label(st));
                    say_checks(ctx, say, st);
                    say_promise(ctx, say, st);
                }
            })
            .says_linearizable(),
        ],
    }
}

/// n2 is down: Alice's write and Bob's read in both runs.
fn say_one_down(ctx: &StepCtx, say: &mut Say) {
    say_situation(ctx, say, 0, 1);
    for st in 0..ctx.stages() {
        say.run(ctx.label(st));
        say_op(ctx, say, st, 0, 700);
        say_op(ctx, say, st, 1, 900);
    }
    let all_ok = (0..ctx.stages()).all(|st| {
        [(0, 700), (1, 900)]
            .iter()
            .all(|(c, at)| slug_of(ctx, st, *c, *at) == Some("ok"))
    });
    if all_ok {
        say.p(
            "Two of three replicas are enough for both dials, so losing one changed \
             nothing for the clients.",
        );
    }
}
