//! Lesson 1, `intro`: three replicas of one number, a write that spreads, and what C, A and P
//! mean.

use super::paragraphs::{leader, say_checks, say_op, say_replicas};
use super::{ask, script, stage, watch};
use crate::lessons::predict::Ask;
use crate::lessons::{Lesson, Say, Step, StepCtx};
use crate::sim::types::{node_name, Case, Mode, OpKind};

pub(super) fn intro() -> Lesson {
    let mut s = script(
        "intro",
        Mode::Cp,
        Case::Register,
        &[("Alice", 0), ("Bob", 2)],
        3000,
    );
    ask(&mut s, 1000, 0, OpKind::Write, 5);
    ask(&mut s, 1200, 1, OpKind::Read, 0);
    Lesson {
        id: "intro",
        title: "Three copies, one truth",
        promise: "A write spreads to three replicas, and what C, A and P mean.",
        stages: vec![stage("CP", s)],
        steps: vec![
            Step::new(0, "Three replicas", |ctx, say| {
                say.p(
                    "A database often keeps several copies of the same data on different \
                     machines, called replicas. Here there are three: n1, n2 and n3. If one \
                     machine dies, the data survives on the others.",
                );
                say.p("The data is one number called x. Alice talks to n1 and Bob talks to n3.");
                say_replicas(ctx, say, 0);
            }),
            Step::new(1001, "Alice writes", |ctx, say| {
                say.p(
                    "Alice asks n1 to set x to 5. One replica cannot just change its own copy: \
                     the others must learn about it too, by messages over the network.",
                );
                say_leader_role(ctx, say);
                say_op(ctx, say, 0, 0, 1000);
            }),
            Step::new(1100, "Has the write spread?", |ctx, say| {
                say_op(ctx, say, 0, 0, 1000);
                say_replicas(ctx, say, 0);
            })
            .predict(Ask::ReadValue(watch(0, 1, 1200)), |_| {
                "In a moment Bob reads x at n3. What will his read return?".into()
            }),
            Step::new(1300, "Bob reads at n3", |ctx, say| {
                say.p("Bob asks a different replica. Will he see Alice's write?");
                say_op(ctx, say, 0, 1, 1200);
                let fresh = ctx
                    .op(0, 1, 1200)
                    .is_some_and(|r| r.outcome().is_some() && !r.is_stale());
                if fresh {
                    say.p("He does: the system behaves like one single copy. That is \
                         Consistency, the C in CAP.");
                }
            }),
            Step::new(3000, "C, A and P", say_cap).says_linearizable(),
        ],
    }
}

/// The last step: the three letters, then the checker's verdict on the run.
fn say_cap(ctx: &StepCtx, say: &mut Say) {
    say.p(
        "C, Consistency: every read sees the latest confirmed write, as if there \
         were one copy.",
    );
    say.p(
        "A, Availability: every request to a running node gets a real answer, \
         not an error and not silence.",
    );
    say.p(
        "P, Partition tolerance: the system keeps working when the network between \
         replicas breaks. Networks do break, so P is not optional. The real choice \
         is what to give up while it is broken: C or A.",
    );
    say.p(
        "A checker replays every answer of the run and asks: could one single copy \
         have given them all? If yes, the run is called linearizable.",
    );
    say_checks(ctx, say, 0);
}

/// Who orders the changes in a CP run, from the run: the leader (highlighted) or no leader yet.
fn say_leader_role(ctx: &StepCtx, say: &mut Say) {
    match leader(ctx, 0) {
        Some(l) => {
            say.node(l);
            let mut s = String::from(
                "In this system one replica, the leader, puts all changes in order; right now \
                 that is ",
            );
            s.push_str(&node_name(l));
            s.push_str(
                ". The write goes to it, and the leader says ok only once a majority of the \
                 replicas has the change.",
            );
            say.p(s);
        }
        None => say.p(
            "Right now no replica is the leader (the one that puts all changes in order), so \
             the write must wait until one is chosen.",
        ),
    }
}
