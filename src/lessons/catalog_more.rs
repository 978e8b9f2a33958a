//! Lessons about the dials between C and A: quorums, per-request consistency, distance, hinted
//! handoff, and CP against AP on the same faults.

use super::catalog::{
    ask, ask_with, cut_n3, fault, say_checks, say_converged, say_op, say_replicas, say_situation,
    script, stage,
};
use super::catalog_data::{bank, BOB_ASKS, CUT, HEAL};
use super::words::{self, ms};
use super::{Lesson, Say, Step, StepCtx, Watch};
use crate::sim::action::Action;
use crate::sim::scenario::{LinkOverride, Scenario};
use crate::sim::types::{node_name, Case, Consistency, Mode, OpKind, Tick};

// ----- 8. quorum -----

const Q_READ: Tick = 2100;

fn quorum_stage(label: &'static str, r: u8, w: u8) -> super::Stage {
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
        let overlap = if c.r + c.w > c.n {
            "R + W > N, so every read group overlaps every write group"
        } else {
            "R + W is not more than N, so a read may ask only replicas the last write missed"
        };
        say.p(format!(
            "In the '{}' run: N = {}, W = {}, R = {}. {overlap}.",
            ctx.label(st),
            c.n,
            c.w,
            c.r
        ));
    }
}

pub(super) fn quorum() -> Lesson {
    Lesson {
        id: "quorum",
        title: "Quorums: dials between C and A",
        promise: "With R + W > N reads see the latest write; turn the dials down and they may not.",
        stages: vec![quorum_stage("R=2 W=2", 2, 2), quorum_stage("R=1 W=1", 1, 1)],
        steps: vec![
            Step::new(0, "N, W and R", |ctx, say| {
                say.p(
                    "Every value lives on N replicas. A write waits for W of them to confirm; \
                       a read asks replicas and waits for R answers, keeping the newest.",
                );
                say_dials(ctx, say);
            }),
            Step::new(1000, "One node down, no problem", |ctx, say| {
                say_situation(ctx, say, 0, 1);
                for st in 0..ctx.stages() {
                    say.run(ctx.label(st));
                    say_op(ctx, say, st, 0, 700);
                    say_op(ctx, say, st, 1, 900);
                }
                say.p(
                    "Two of three replicas are enough for both dials, so losing one changes \
                       nothing for the clients.",
                );
            }),
            Step::new(2050, "A write on the majority side", |ctx, say| {
                say_situation(ctx, say, 0, 2);
                for st in 0..ctx.stages() {
                    say.run(ctx.label(st));
                    say_op(ctx, say, st, 0, 2000);
                }
            }),
            Step::new(Q_READ + 1, "Bob reads at n3", |ctx, say| {
                say.p("Bob, cut off on n3, asks for x. n3 can only hear itself.");
                say_dials(ctx, say);
            })
            .predict(
                Watch {
                    stage: 0,
                    client: 1,
                    at: Q_READ,
                },
                |ctx| {
                    let r = ctx.sim(0).config().r;
                    format!(
                        "In the first run (R = {r}), Bob reads x at n3 while {}. What will he get?",
                        words::situation(ctx.sim(0), 2)
                    )
                },
            ),
            Step::new(3000, "Refused or stale", |ctx, say| {
                for st in 0..ctx.stages() {
                    say.run(ctx.label(st));
                    say_op(ctx, say, st, 1, Q_READ);
                }
                say.p(
                    "With R = 2 the lone replica cannot gather a quorum, so it says no: \
                       consistent, not available. With R = 1 it answers from its own copy: \
                       available, not consistent.",
                );
            }),
            Step::new(5000, "The score", |ctx, say| {
                for st in 0..ctx.stages() {
                    say.run(ctx.label(st));
                    say_checks(ctx, say, st);
                }
            }),
        ],
    }
}

// ----- 9. consistency-levels -----

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
                       nearest copy: fast, maybe old. A strong read asks a majority: slower, \
                       fresh. A quorum write waits until a majority has it.",
                );
            }),
            Step::new(1100, "A fast write, a fast read", |ctx, say| {
                say_op(ctx, say, 0, 0, 1000);
                say_op(ctx, say, 0, 1, 1003);
                say.p("The eventual read cost almost nothing, but it raced the write's messages.");
            }),
            Step::new(1400, "Paying for certainty", |ctx, say| {
                say_op(ctx, say, 0, 0, 1200);
                say_op(ctx, say, 0, 1, 1300);
                say.p(
                    "Both waited for a reply from another replica: at least one network round \
                       trip.",
                );
            }),
            Step::new(2250, "Cut off: the eventual read", |ctx, say| {
                say_situation(ctx, say, 0, 2);
                say_op(ctx, say, 0, 0, 2100);
                say_op(ctx, say, 0, 1, 2200);
            }),
            Step::new(3400, "Cut off: the strong read", |ctx, say| {
                say_op(ctx, say, 0, 1, 2300);
                say_op(ctx, say, 0, 0, 2400);
                say.p(
                    "A strong read needs a majority; alone, n3 cannot get one, so Bob waits in \
                       vain. On the majority side the quorum write still works.",
                );
            }),
            Step::new(4500, "The bill", |ctx, say| {
                let sim = ctx.sim(0);
                let mut by_level: Vec<String> = Vec::new();
                for rec in sim.history() {
                    by_level.push(format!(
                        "{}: {}",
                        words::op(sim, rec),
                        words::outcome(sim, rec)
                    ));
                }
                say.p(format!(
                    "Every request of this run. {}.",
                    by_level.join("; ")
                ));
                say.p(
                    "Speed and freshness are bought with the same coin: waiting for other \
                       replicas.",
                );
            }),
        ],
    }
}

// ----- 10. two-regions -----

const US_WRITE: Tick = 1500;
const EU_WRITE: Tick = 2000;
const EU_EVENTUAL: Tick = 2500;
const EU_STRONG: Tick = 2600;

fn regions() -> Scenario {
    let mut s = script(
        "two-regions",
        Mode::Cp,
        Case::Register,
        &[("Alice", 0), ("Bob", 2)],
        4000,
    );
    s.timing.latency_base_ticks = 2;
    s.timing.latency_jitter_ticks = 1;
    s.timing.links = [0, 1]
        .iter()
        .map(|&a| LinkOverride {
            a,
            b: 2,
            base_ticks: 80,
            jitter_ticks: 5,
        })
        .collect();
    ask(&mut s, US_WRITE, 0, OpKind::Write, 1);
    ask(&mut s, EU_WRITE, 1, OpKind::Write, 2);
    ask_with(
        &mut s,
        EU_EVENTUAL,
        1,
        OpKind::Read,
        0,
        Consistency::Eventual,
    );
    ask_with(&mut s, EU_STRONG, 1, OpKind::Read, 0, Consistency::Strong);
    s
}

fn say_leader(ctx: &StepCtx, say: &mut Say) {
    let sim = ctx.sim(0);
    let leader =
        (0..sim.node_count()).find(|n| sim.view(*n).role == crate::sim::types::Role::Leader);
    match leader {
        Some(l) => {
            say.node(l);
            say.p(format!(
                "The leader is {}, in {}.",
                node_name(l),
                if l == 2 { "Europe" } else { "US-East" }
            ));
        }
        None => say.p("There is no leader at this moment."),
    }
}

pub(super) fn two_regions() -> Lesson {
    Lesson {
        id: "two-regions",
        title: "An ocean in between",
        promise: "Without any fault, consistency still costs a trip across the ocean.",
        stages: vec![stage("CP", regions())],
        steps: vec![
            Step::new(0, "Two regions", |_, say| {
                say.p(
                    "n1 and n2 are in US-East, a couple of milliseconds apart. n3 is in Europe, \
                       about 80 ms away each way. Alice is in the US, Bob in Europe.",
                );
                say.p("Nothing will break in this lesson. Watch the clock instead.");
            }),
            Step::new(US_WRITE + 100, "Alice writes from the US", |ctx, say| {
                say_leader(ctx, say);
                say_op(ctx, say, 0, 0, US_WRITE);
            }),
            Step::new(EU_WRITE + 400, "Bob writes from Europe", |ctx, say| {
                say_op(ctx, say, 0, 1, EU_WRITE);
                say.p(
                    "A consistent write needs a majority, and a majority of three always \
                       includes a US node. From Europe that means crossing the ocean and back \
                       at least once: 160 ms or more.",
                );
            }),
            Step::new(EU_STRONG + 400, "Fast or fresh", |ctx, say| {
                say_op(ctx, say, 0, 1, EU_EVENTUAL);
                say_op(ctx, say, 0, 1, EU_STRONG);
                say.p(
                    "The eventual read answers from n3's own copy, without crossing the ocean. \
                       The strong read must confirm with the majority first.",
                );
            }),
            Step::new(4000, "Latency is the everyday trade-off", |ctx, say| {
                let c = ctx.checks(0);
                if let (Some(p50), Some(p99)) = (c.latency_p50, c.latency_p99) {
                    say.p(format!(
                        "Across the run, the median successful request took {}, the slowest 1% {}.",
                        ms(p50),
                        ms(p99)
                    ));
                }
                say.p(
                    "Partitions are rare, distance is constant. Even on a good day, a system \
                       chooses between answering fast from nearby and answering right after \
                       asking far away.",
                );
                say_checks(ctx, say, 0);
            }),
        ],
    }
}

// ----- 11. hinted-handoff -----

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

/// "n1 holds 1 hint, n2 holds none."
fn say_hints(ctx: &StepCtx, say: &mut Say) {
    let sim = ctx.sim(0);
    let parts: Vec<String> = (0..sim.node_count())
        .map(|n| {
            let h = sim.view(n).hints;
            if h > 0 {
                say.node(n);
            }
            format!(
                "{} holds {}",
                node_name(n),
                words::plural(u64::from(h), "hint")
            )
        })
        .collect();
    say.p(format!("{}.", parts.join(", ")));
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
            }),
            Step::new(HH_HEAL + 1000, "Handed over", |ctx, say| {
                say_situation(ctx, say, 0, 2);
                say_hints(ctx, say);
                say_n3_has_like(ctx, say);
                say_converged(ctx, say, 0);
            }),
            Step::new(5000, "Bob sees it", |ctx, say| {
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

// ----- 12. cp-vs-ap -----

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
            }),
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
                    let c = ctx.checks(st);
                    say.p(format!(
                        "In the '{}' run: availability {}%, lowest balance {}, median latency {}.",
                        ctx.label(st),
                        (c.availability * 100.0).round() as i64,
                        c.min_balance.map_or("none".into(), |m| m.to_string()),
                        c.latency_p50.map_or("none".into(), ms),
                    ));
                    say_checks(ctx, say, st);
                }
                say.p(
                    "CP gave up some answers to keep one truth. AP answered everyone and let \
                       the truth split. Neither is wrong in general; the data decides.",
                );
            }),
        ],
    }
}
