//! Lesson 10, `two-regions`: with no fault at all, a consistent request from Europe still
//! crosses the ocean.

use super::paragraphs::{leader, say_checks, say_op};
use super::{ask, ask_with, script, stage, watch};
use crate::lessons::predict::Ask;
use crate::lessons::words::{self, ms};
use crate::lessons::{Lesson, Say, Step, StepCtx};
use crate::sim::scenario::{LinkOverride, Scenario};
use crate::sim::types::{node_name, Case, Consistency, Mode, OpKind, Outcome, Tick};

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
            })
            .predict(
                Ask::ReadValue(watch(0, 1, EU_EVENTUAL)),
                |_| {
                    "Next Bob reads x from n3's own copy (an eventual read). What will it return?"
                        .into()
                },
            ),
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
            })
            .says_linearizable(),
        ],
    }
}
