//! Lessons about the dials between C and A: quorums, per-request consistency, distance, hinted
//! handoff, and CP against AP on the same faults.

use super::catalog::{
    ask, ask_with, cut_n3, fault, leader, say_checks, say_converged, say_op, say_replicas,
    say_situation, script, slug_of, stage,
};
use super::catalog_data::{bank, BOB_ASKS, CUT, HEAL};
use super::words::{self, ms};
use super::{Lesson, Say, Step, StepCtx, Watch};
use crate::sim::action::Action;
use crate::sim::scenario::{LinkOverride, Scenario};
use crate::sim::stale;
use crate::sim::types::{node_name, Case, Consistency, Mode, OpKind, Outcome, Tick, Value};

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
            }),
            Step::new(1000, "One node down", |ctx, say| {
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
            }),
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
            Step::new(4500, "The bill", |ctx, say| {
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
            }),
        ],
    }
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
    match leader(ctx, 0) {
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
                say.p("No fault is planned in this lesson. Watch the clock instead.");
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
                let sim = ctx.sim(0);
                let slowest = sim
                    .history()
                    .iter()
                    .filter(|r| r.outcome() == Some(Outcome::Ok))
                    .max_by_key(|r| words::took(sim, r));
                if let (Some(p50), Some(r)) = (ctx.checks(0).latency_p50, slowest) {
                    say.p(format!(
                        "Across the run, the median successful request took {}; the slowest was {}, {}.",
                        ms(p50),
                        words::op(sim, r),
                        ms(words::took(sim, r))
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
            }),
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
    for id in c.lin_counterexample.iter().chain(&c.stale_ops) {
        say.op(*id);
    }
}
