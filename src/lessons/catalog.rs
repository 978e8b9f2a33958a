//! The lesson catalog (in order) and the first lessons: what C, A and P mean, and what a
//! partition looks like from a client's seat. Shared builders and narration pieces live here.

use super::words::{self, ms, plural};
use super::{Lesson, Say, Stage, Step, StepCtx, Watch};
use crate::sim::action::Action;
use crate::sim::scenario::{ClientSpec, Scenario, ScriptedAction, ScriptedRequest};
use crate::sim::types::{
    node_name, Case, ClientId, Consistency, Mode, NodeId, OpKind, Request, Role, Status, Tick,
    Value,
};

/// The twelve lessons, in reading order.
pub fn catalog() -> Vec<Lesson> {
    use super::{catalog_data as d, catalog_more as m};
    vec![
        intro(),
        partition(),
        ca_single(),
        d::bank_cp(),
        d::bank_ap(),
        d::feed_ap(),
        d::feed_vclock(),
        m::quorum(),
        m::consistency_levels(),
        m::two_regions(),
        m::hinted_handoff(),
        m::cp_vs_ap(),
    ]
}

// ----- building scenarios -----

/// A small scripted scenario: 3 nodes, seed 1, default timing, no traffic yet.
pub(super) fn script(
    name: &str,
    mode: Mode,
    case: Case,
    clients: &[(&str, NodeId)],
    end_tick: Tick,
) -> Scenario {
    let clients = clients
        .iter()
        .map(|(name, node)| ClientSpec {
            name: (*name).into(),
            node: *node,
        })
        .collect();
    let mut s = Scenario::new(name, mode, case, clients);
    s.end_tick = end_tick;
    s
}

/// Client `client` sends `kind` with `arg` on key 0 at tick `at`.
pub(super) fn ask(s: &mut Scenario, at: Tick, client: ClientId, kind: OpKind, arg: i64) {
    ask_with(s, at, client, kind, arg, Consistency::Default);
}

/// Like [`ask`], with a per-request consistency level.
pub(super) fn ask_with(
    s: &mut Scenario,
    at: Tick,
    client: ClientId,
    kind: OpKind,
    arg: i64,
    consistency: Consistency,
) {
    s.requests.push(ScriptedRequest {
        at,
        client,
        req: Request {
            kind,
            key: 0,
            key2: 0,
            arg,
            consistency,
        },
    });
}

/// `action` happens at tick `at`.
pub(super) fn fault(s: &mut Scenario, at: Tick, action: Action) {
    s.faults.push(ScriptedAction { at, action });
}

/// n3 is cut off from n1 and n2 at `from`; every link heals at `to`.
pub(super) fn cut_n3(s: &mut Scenario, from: Tick, to: Tick) {
    fault(
        s,
        from,
        Action::Partition {
            sides: vec![vec![0, 1], vec![2]],
        },
    );
    fault(s, to, Action::HealAll);
}

pub(super) fn stage(label: &'static str, scenario: Scenario) -> Stage {
    Stage { label, scenario }
}

// ----- shared narration pieces -----

/// A paragraph about the op `client` sent at `at` in `stage` (or that it was not sent yet),
/// highlighting it. Adds its staleness when it was a stale read.
pub(super) fn say_op(ctx: &StepCtx, say: &mut Say, stage: usize, client: ClientId, at: Tick) {
    let sim = ctx.sim(stage);
    match ctx.op(stage, client, at) {
        Some(rec) => {
            say.op(rec.id);
            say.node(rec.node);
            say.p(words::op_outcome(sim, rec));
            if let Some(s) = words::staleness(rec) {
                say.p(s);
            }
        }
        None if sim.now() < at => say.p(format!(
            "{} has not sent this request yet.",
            words::client_name(sim, client)
        )),
        None => say.p(format!(
            "{} could not send the request at {}: still waiting for an earlier answer.",
            words::client_name(sim, client),
            ms(at)
        )),
    }
}

/// The op's outcome slug in `stage` right now, if it finished.
pub(super) fn slug_of(
    ctx: &StepCtx,
    stage: usize,
    client: ClientId,
    at: Tick,
) -> Option<&'static str> {
    ctx.op(stage, client, at)
        .and_then(|r| r.outcome)
        .map(|o| o.slug())
}

/// What one node holds, in words: "100", "2 posts and 5 likes", "crashed".
pub(super) fn holds(ctx: &StepCtx, stage: usize, node: NodeId) -> String {
    let sim = ctx.sim(stage);
    let view = sim.view(node);
    if view.role == Role::Proxy {
        return "no data (it only forwards)".into();
    }
    let body = match (sim.config().case, view.keys.as_slice()) {
        (Case::Feed, [posts, likes]) => {
            let likes = match likes {
                Value::Int(l) => plural((*l).max(0) as u64, "like"),
                other => format!("likes {}", words::value(other)),
            };
            format!("{} and {likes}", words::value(posts))
        }
        (_, [first, ..]) => words::value(first),
        (_, []) => "nothing".into(),
    };
    match sim.status(node) {
        Status::Up => body,
        Status::Crashed => format!("{body} on disk (crashed)"),
        Status::Paused => format!("{body} (paused)"),
    }
}

/// "Right now n1 holds 100, n2 holds 100 and n3 holds 20." plus whether they agree.
pub(super) fn say_replicas(ctx: &StepCtx, say: &mut Say, stage: usize) {
    let sim = ctx.sim(stage);
    let what = match sim.config().case {
        Case::Bank => "the checking balance",
        Case::Feed => "the feed",
        Case::Register => "x",
    };
    let parts: Vec<String> = (0..sim.node_count())
        .filter(|n| sim.view(*n).role != Role::Proxy)
        .map(|n| format!("{} holds {}", node_name(n), holds(ctx, stage, n)))
        .collect();
    let agree = if !sim.converged_now() {
        "The replicas do not agree right now."
    } else if same_history(sim) {
        "Every running replica agrees."
    } else {
        "The copies show the same thing, but not for the same reasons: they reflect different \
         updates."
    };
    say.p(format!(
        "Right now, for {what}: {}. {agree}",
        parts.join(", ")
    ));
}

/// True when every running data replica reflects the same update ops on every key.
fn same_history(sim: &crate::sim::world::Sim) -> bool {
    let keys = sim.config().case.keys().len() as u8;
    let data: Vec<NodeId> = (0..sim.node_count())
        .filter(|n| sim.status(*n) == Status::Up && sim.view(*n).role != Role::Proxy)
        .collect();
    data.windows(2)
        .all(|w| (0..keys).all(|k| sim.replica_seen(w[0], k) == sim.replica_seen(w[1], k)))
}

/// The tick this step is shown at.
pub(super) fn step_tick(ctx: &StepCtx) -> Tick {
    ctx.lesson.steps[ctx.step].at_tick
}

/// Names the fault in place at this moment for `node`, e.g. "n3 is cut off from n1 and n2".
pub(super) fn say_situation(ctx: &StepCtx, say: &mut Say, stage: usize, node: NodeId) {
    say.node(node);
    say.p(format!(
        "At {}: {}.",
        ms(step_tick(ctx)),
        words::situation(ctx.sim(stage), node)
    ));
}

/// The checker's verdicts, one paragraph: linearizable?, stale reads, lost updates, convergence.
pub(super) fn say_checks(ctx: &StepCtx, say: &mut Say, stage: usize) {
    let c = ctx.checks(stage);
    say.p(words::verdict(c));
    say.p(format!(
        "{} finished: {} ok, {} refused, {} timed out. Stale reads: {}. Lost updates: {}.",
        plural(u64::from(c.ok + c.refused + c.timeouts), "operation"),
        c.ok,
        c.refused,
        c.timeouts,
        c.stale_reads,
        c.lost_updates,
    ));
    for id in c
        .stale_ops
        .iter()
        .chain(&c.lost_ops)
        .chain(&c.lin_counterexample)
    {
        say.op(*id);
    }
}

/// Convergence in one sentence, from the checker.
pub(super) fn say_converged(ctx: &StepCtx, say: &mut Say, stage: usize) {
    let c = ctx.checks(stage);
    let sim = ctx.sim(stage);
    say.p(match (c.converged, c.converge_ticks) {
        (true, Some(t)) => format!(
            "All replicas agree again: they converged {} after the last fault ended (at {}).",
            ms(t),
            ms(sim.last_fault_end())
        ),
        _ if sim.faults_active() => {
            "A fault is still in place, so the replicas may disagree.".into()
        }
        _ => "The replicas do not agree yet.".into(),
    });
}

// ----- 1. intro -----

fn intro() -> Lesson {
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
                say_op(ctx, say, 0, 0, 1000);
            }),
            Step::new(1100, "The write has spread", |ctx, say| {
                say_op(ctx, say, 0, 0, 1000);
                say_replicas(ctx, say, 0);
            }),
            Step::new(1300, "Bob reads at n3", |ctx, say| {
                say.p("Bob asks a different replica. Will he see Alice's write?");
                say_op(ctx, say, 0, 1, 1200);
                let fresh = ctx
                    .op(0, 1, 1200)
                    .is_some_and(|r| r.outcome.is_some() && !r.is_stale());
                if fresh {
                    say.p("He does: the system behaves like one single copy. That is \
                           Consistency, the C in CAP.");
                }
            }),
            Step::new(3000, "C, A and P", |ctx, say| {
                say.p(
                    "C, Consistency: every read sees the latest acknowledged write, as if \
                       there were one copy.",
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
                say_checks(ctx, say, 0);
            }),
        ],
    }
}

// ----- 2. partition -----

/// Bob (at n3) sends requests; in CA mode n1 serves them all.
const P_FAULT: Tick = 1000;
const P_ASK: Tick = 1200;
const P_END_FAULT: Tick = 2500;
const P_AFTER: Tick = 3000;

fn partition_stage(label: &'static str, start: Action, end: Action) -> Stage {
    let mut s = script("partition", Mode::Ca, Case::Register, &[("Bob", 2)], 4000);
    ask(&mut s, 500, 0, OpKind::Write, 1);
    ask(&mut s, P_ASK, 0, OpKind::Write, 2);
    ask(&mut s, P_AFTER, 0, OpKind::Write, 3);
    fault(&mut s, P_FAULT, start);
    fault(&mut s, P_END_FAULT, end);
    stage(label, s)
}

fn partition() -> Lesson {
    let cut = Action::Partition {
        sides: vec![vec![0, 1], vec![2]],
    };
    Lesson {
        id: "partition",
        title: "Dead, slow or cut off?",
        promise: "From a client's seat, a crashed, a paused and a cut-off server look the same.",
        stages: vec![
            partition_stage("crash", Action::Crash(0), Action::Recover(0)),
            partition_stage("pause", Action::Pause(0), Action::Resume(0)),
            partition_stage("partition", cut, Action::HealAll),
        ],
        steps: vec![
            Step::new(0, "Three runs side by side", |_, say| {
                say.p(
                    "The three runs are identical except for one fault. Here n1 holds the only \
                       copy of the data; n2 and n3 just pass requests to it. Bob talks to n3.",
                );
                say.p(
                    "In the first run n1 will crash. In the second it will freeze for a while \
                       (a long pause, as when a program stops to clean its memory). In the third \
                       the network between n3 and n1 will break: a partition.",
                );
            }),
            Step::new(600, "Everything works", |ctx, say| {
                for st in 0..ctx.stages() {
                    say.run(ctx.label(st));
                    say_op(ctx, say, st, 0, 500);
                }
            }),
            Step::new(P_FAULT + 1, "Something goes wrong", |ctx, say| {
                for st in 0..ctx.stages() {
                    say.p(format!(
                        "In the '{}' run: {}; {}.",
                        ctx.label(st),
                        words::situation(ctx.sim(st), 0),
                        words::situation(ctx.sim(st), 2)
                    ));
                }
                say.node(0);
                say.node(2);
                say.p(
                    "Bob cannot see any of this. He only sees n3, and n3 only sees messages \
                       that arrive or do not arrive.",
                );
            })
            .predict(
                Watch {
                    stage: 0,
                    client: 0,
                    at: P_ASK,
                },
                |ctx| {
                    format!(
                        "Bob writes 2 at n3. In the first run, {}. What will Bob get?",
                        words::situation(ctx.sim(0), 0)
                    )
                },
            ),
            Step::new(P_ASK + 1, "Bob writes", |ctx, say| {
                say.p(
                    "Bob sends the same request in all three runs. n3 forwards it to n1 and \
                       waits.",
                );
                for st in 0..ctx.stages() {
                    say.run(ctx.label(st));
                    say_op(ctx, say, st, 0, P_ASK);
                }
            }),
            Step::new(P_ASK + 1100, "Three faults, one answer", |ctx, say| {
                let slugs: Vec<Option<&str>> = (0..ctx.stages())
                    .map(|st| slug_of(ctx, st, 0, P_ASK))
                    .collect();
                for st in 0..ctx.stages() {
                    say.run(ctx.label(st));
                    say_op(ctx, say, st, 0, P_ASK);
                }
                if slugs.iter().all(|s| *s == slugs[0]) && slugs[0] == Some("timeout") {
                    say.p(
                        "All three end the same way: silence, then a timeout. Bob cannot tell a \
                           dead server from a frozen one or from a broken network. Worse, he \
                           cannot know whether his write happened.",
                    );
                } else {
                    say.p(
                        "This time the three runs did not end the same way, so Bob could \
                           tell them apart.",
                    );
                }
                say.p(
                    "This is why a system must decide in advance what to do when an answer \
                       does not come: wait (and stay consistent) or answer anyway (and stay \
                       available).",
                );
            }),
            Step::new(P_AFTER + 200, "After the fault", |ctx, say| {
                for st in 0..ctx.stages() {
                    say.run(ctx.label(st));
                    say_op(ctx, say, st, 0, P_AFTER);
                }
                say.p("Once n1 is back, or the network heals, Bob's requests work again.");
            }),
        ],
    }
}

// ----- 3. ca-single -----

const CA_CUT: Tick = 1500;
const CA_CRASH: Tick = 3000;

fn ca_single() -> Lesson {
    let mut s = script(
        "ca-single",
        Mode::Ca,
        Case::Register,
        &[("Alice", 0), ("Bob", 2)],
        5000,
    );
    ask(&mut s, 500, 0, OpKind::Write, 1);
    ask(&mut s, 700, 1, OpKind::Read, 0);
    fault(&mut s, CA_CUT, Action::Isolate(0));
    ask(&mut s, 1700, 0, OpKind::Write, 2);
    ask(&mut s, 1800, 1, OpKind::Read, 0);
    fault(&mut s, CA_CRASH, Action::Crash(0));
    ask(&mut s, 3200, 0, OpKind::Read, 0);
    Lesson {
        id: "ca-single",
        title: "One copy: the CA illusion",
        promise: "A single data node is consistent and available, until the network breaks.",
        stages: vec![stage("CA", s)],
        steps: vec![
            Step::new(0, "One data node", |_, say| {
                say.p(
                    "The simplest way to be consistent: keep one copy. Here only n1 holds x. \
                       n2 and n3 forward every request to n1 and pass the answer back.",
                );
                say.p(
                    "People call this CA: consistent and available. The catch is hidden in \
                       the name: it only holds while there is no partition.",
                );
            }),
            Step::new(1000, "While all is well", |ctx, say| {
                say_op(ctx, say, 0, 0, 500);
                say_op(ctx, say, 0, 1, 700);
                say.p("One copy cannot disagree with itself, so every read is fresh.");
            }),
            Step::new(CA_CUT + 1, "n1 is cut off", |ctx, say| {
                say_situation(ctx, say, 0, 0);
                say.p("Bob's node n3 can no longer reach the only copy. Nobody else has it.");
            }),
            Step::new(2900, "Bob waits in vain", |ctx, say| {
                say_op(ctx, say, 0, 0, 1700);
                say_op(ctx, say, 0, 1, 1800);
                say.p(
                    "Alice sits next to the data, so she may still be served. Bob's node has \
                       nobody to ask: it cannot answer, so Bob gets silence. The system is no \
                       longer available to him.",
                );
            }),
            Step::new(4300, "n1 crashes", |ctx, say| {
                say_situation(ctx, say, 0, 0);
                say_op(ctx, say, 0, 0, 3200);
                say.p(
                    "With one copy, one dead machine means no service for anyone. So real \
                       systems keep several copies, and then partitions between them are a \
                       fact of life: the choice is between C and A, not CA.",
                );
                say_checks(ctx, say, 0);
            }),
        ],
    }
}
