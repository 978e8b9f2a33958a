//! The lesson catalog (in order) and the first lessons: what C, A and P mean, and what a
//! partition looks like from a client's seat. Shared builders and narration pieces live here.

use super::words::{self, ms, plural};
use super::{Lesson, Say, Stage, Step, StepCtx, Watch};
use crate::sim::action::Action;
use crate::sim::scenario::{ClientSpec, Scenario, ScriptedAction, ScriptedRequest};
use crate::sim::types::{
    node_name, Case, ClientId, Consistency, Mode, NodeId, OpId, OpKind, Request, Role, Status,
    Tick, Value,
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
        req: Request::simple(kind, arg, consistency),
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

/// One sentence about the op `client` sent at `at` in `stage` (with its staleness when it was a
/// stale read), and the op to highlight; or a sentence saying it was not sent.
fn op_text(ctx: &StepCtx, stage: usize, client: ClientId, at: Tick) -> (String, Option<OpId>) {
    let sim = ctx.sim(stage);
    match ctx.op(stage, client, at) {
        Some(rec) => {
            let mut s = words::op_outcome(sim, rec);
            if let Some(st) = words::staleness(rec) {
                s.push(' ');
                s.push_str(&st);
            }
            (s, Some(rec.id))
        }
        None => {
            let mut s = words::client_name(sim, client);
            if sim.now() < at {
                s.push_str(" has not sent this request yet.");
            } else {
                s.push_str(" could not send the request at ");
                s.push_str(&ms(at));
                s.push_str(": still waiting for an earlier answer.");
            }
            (s, None)
        }
    }
}

/// A paragraph about the op `client` sent at `at` in `stage` (or that it was not sent yet),
/// highlighting it and its node.
pub(super) fn say_op(ctx: &StepCtx, say: &mut Say, stage: usize, client: ClientId, at: Tick) {
    let (text, id) = op_text(ctx, stage, client, at);
    if let Some(id) = id {
        say.op(id);
    }
    if let Some(c) = ctx.sim(stage).clients().get(usize::from(client)) {
        say.node(c.node);
    }
    say.p(text);
}

/// The same op in every run: one paragraph ("In all three runs: …") when every run tells the
/// same sentence, else one paragraph per run.
pub(super) fn say_op_each(ctx: &StepCtx, say: &mut Say, client: ClientId, at: Tick) {
    let texts: Vec<String> = (0..ctx.stages())
        .map(|st| op_text(ctx, st, client, at).0)
        .collect();
    let same = texts.windows(2).all(|w| w[0] == w[1]);
    if !same || texts.len() < 2 {
        for st in 0..ctx.stages() {
            if ctx.stages() > 1 {
                say.run(ctx.label(st));
            }
            say_op(ctx, say, st, client, at);
        }
        return;
    }
    for st in 0..ctx.stages() {
        let (_, id) = op_text(ctx, st, client, at);
        if let Some(id) = id {
            say.op(id);
        }
    }
    if let Some(c) = ctx.sim(0).clients().get(usize::from(client)) {
        say.node(c.node);
    }
    let mut s = String::from(if texts.len() == 2 {
        "In both runs: "
    } else {
        "In all three runs: "
    });
    s.push_str(&texts[0]);
    say.p(s);
}

/// The op's outcome slug in `stage` right now, if it finished.
pub(super) fn slug_of(
    ctx: &StepCtx,
    stage: usize,
    client: ClientId,
    at: Tick,
) -> Option<&'static str> {
    ctx.op(stage, client, at)
        .and_then(|r| r.outcome())
        .map(|o| o.slug())
}

/// What one node holds, in words: "100", "2 posts and 5 likes", "crashed".
pub(super) fn holds(ctx: &StepCtx, stage: usize, node: NodeId) -> String {
    let sim = ctx.sim(stage);
    let view = sim.view(node);
    if view.role == Role::Proxy {
        return "no data (it only forwards)".into();
    }
    let mut body = match (sim.config().case, view.keys.as_slice()) {
        (Case::Feed, [posts, Value::Int(l)]) => {
            let mut s = words::value(posts);
            s.push_str(" and ");
            s.push_str(&plural((*l).max(0) as u64, "like"));
            s
        }
        (_, [first, ..]) => words::value(first),
        (_, []) => "nothing".into(),
    };
    match sim.status(node) {
        Status::Up => {}
        Status::Crashed => body.push_str(" on disk (crashed)"),
        Status::Paused => body.push_str(" (paused)"),
    }
    body
}

/// "Right now, for x: n1, n2 and n3 all hold 5." or "…: n1 holds 100, n2 holds 100 and n3
/// holds 20.", then whether they agree.
pub(super) fn say_replicas(ctx: &StepCtx, say: &mut Say, stage: usize) {
    let sim = ctx.sim(stage);
    let data: Vec<NodeId> = (0..sim.node_count())
        .filter(|n| sim.view(*n).role != Role::Proxy)
        .collect();
    let held: Vec<String> = data.iter().map(|n| holds(ctx, stage, *n)).collect();
    let mut s = String::from(match sim.config().case {
        Case::Bank => "Right now, for the checking balance: ",
        Case::Feed => "Right now, for the feed: ",
        Case::Register => "Right now, for x: ",
    });
    if held.len() > 1 && held.windows(2).all(|w| w[0] == w[1]) {
        s.push_str(&words::node_list(&data));
        s.push_str(" all hold ");
        s.push_str(&held[0]);
    } else {
        let parts: Vec<String> = data
            .iter()
            .zip(&held)
            .map(|(n, h)| {
                let mut p = node_name(*n);
                p.push_str(" holds ");
                p.push_str(h);
                p
            })
            .collect();
        s.push_str(&words::join_and(&parts));
    }
    s.push_str(if !sim.converged_now() {
        ". The replicas do not agree right now."
    } else if same_history(sim) {
        ". Every running replica agrees."
    } else {
        ". The copies show the same thing, but not for the same reasons: they reflect different \
         updates."
    });
    say.p(s);
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
    let mut s = String::from("At ");
    s.push_str(&ms(step_tick(ctx)));
    s.push_str(": ");
    s.push_str(&words::situation(ctx.sim(stage), node));
    s.push('.');
    say.p(s);
}

/// Who leads stage `stage` right now (CP): "The leader is n2." (highlighted) or that there is none.
pub(super) fn leader(ctx: &StepCtx, stage: usize) -> Option<NodeId> {
    let sim = ctx.sim(stage);
    (0..sim.node_count()).find(|n| sim.view(*n).role == Role::Leader)
}

/// `node` can reach a majority of the replicas (itself included).
pub(super) fn in_majority(ctx: &StepCtx, stage: usize, node: NodeId) -> bool {
    let sim = ctx.sim(stage);
    2 * u32::from(words::reach(sim, node)) > u32::from(sim.node_count())
}

/// The checker's verdicts: linearizable?, then one line of counts; highlights the ops named.
pub(super) fn say_checks(ctx: &StepCtx, say: &mut Say, stage: usize) {
    let c = ctx.checks(stage);
    say.p(words::verdict(ctx.sim(stage), c));
    let mut s = plural(u64::from(c.ok + c.refused + c.timeouts), "operation");
    s.push_str(" finished: ");
    for (n, what) in [
        (c.ok, " ok, "),
        (c.refused, " refused, "),
        (c.timeouts, " timed out. Stale reads: "),
        (c.stale_reads, ". Lost updates: "),
        (c.lost_updates, "."),
    ] {
        s.push_str(&n.to_string());
        s.push_str(what);
    }
    say.p(s);
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
        (true, Some(t)) => match sim.last_fault_end() {
            Some(end) => format!(
                "All replicas agree again: they converged {} after the last fault ended (at {}).",
                ms(t),
                ms(end)
            ),
            None => format!("All replicas agree: they converged {} into the run.", ms(t)),
        },
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
                say_leader_role(ctx, say);
                say_op(ctx, say, 0, 0, 1000);
            }),
            Step::new(1100, "Has the write spread?", |ctx, say| {
                say_op(ctx, say, 0, 0, 1000);
                say_replicas(ctx, say, 0);
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
            Step::new(3000, "C, A and P", |ctx, say| {
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
            }),
        ],
    }
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

/// "In the 'crash' run: n1 is crashed; n3 can reach every other node." for each run.
fn say_partition_faults(ctx: &StepCtx, say: &mut Say) {
    for st in 0..ctx.stages() {
        let sim = ctx.sim(st);
        let mut s = words::situation(sim, 0);
        s.push_str("; ");
        s.push_str(&words::situation(sim, 2));
        s.push('.');
        say.run(ctx.label(st));
        say.p(s);
    }
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
                     (a long pause, as when a program stops to clean up its memory). In the \
                     third, n3 will be cut off from the other two: a network partition.",
                );
            }),
            Step::new(600, "Everything works", |ctx, say| {
                say_op_each(ctx, say, 0, 500);
            }),
            Step::new(P_FAULT + 1, "Something goes wrong", |ctx, say| {
                say_partition_faults(ctx, say);
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
                    "Bob sends the same request in all three runs. n3 passes it on to n1, the \
                     only copy, and waits.",
                );
                say_op_each(ctx, say, 0, P_ASK);
            }),
            Step::new(P_ASK + 1100, "Can Bob tell them apart?", |ctx, say| {
                let slugs: Vec<Option<&str>> = (0..ctx.stages())
                    .map(|st| slug_of(ctx, st, 0, P_ASK))
                    .collect();
                say_op_each(ctx, say, 0, P_ASK);
                let same = slugs.windows(2).all(|w| w[0] == w[1]);
                say.p(match (same, slugs[0]) {
                    (true, Some("timeout")) => {
                        "All three end the same way: silence, then a timeout. Bob cannot tell a \
                         dead server from a frozen one or from a broken network. Worse, he \
                         cannot know whether his write happened."
                    }
                    (true, Some(_)) => {
                        "All three end the same way, so Bob still cannot tell which fault there \
                         was, or whether there was one."
                    }
                    (true, None) => "In every run Bob is still waiting for an answer.",
                    (false, _) => {
                        "This time the runs did not end the same way, so Bob could tell some of \
                         them apart."
                    }
                });
                say.p(
                    "This is why a system must decide in advance what to do when an answer \
                     does not come: wait (and stay consistent) or answer anyway (and stay \
                     available).",
                );
            }),
            Step::new(P_AFTER + 200, "After the fault", |ctx, say| {
                say_op_each(ctx, say, 0, P_AFTER);
                let all_ok = (0..ctx.stages()).all(|st| slug_of(ctx, st, 0, P_AFTER) == Some("ok"));
                if all_ok {
                    say.p("With n1 back and the network whole again, Bob's requests work again.");
                } else {
                    say.p("Not every run serves Bob again. Where things stand now:");
                    say_partition_faults(ctx, say);
                }
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
        promise:
            "A single data node is consistent and available, while the network holds and that \
                  node stays up.",
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
            Step::new(1000, "Before the cut", |ctx, say| {
                say_op(ctx, say, 0, 0, 500);
                say_op(ctx, say, 0, 1, 700);
                let fresh = ctx.op(0, 1, 700).is_some_and(|r| {
                    r.outcome() == Some(crate::sim::types::Outcome::Ok) && !r.is_stale()
                });
                if fresh {
                    say.p("Bob's read was fresh: one copy cannot disagree with itself.");
                }
            }),
            Step::new(CA_CUT + 1, "n1 is cut off", |ctx, say| {
                say_situation(ctx, say, 0, 0);
                say.p(if words::can_talk(ctx.sim(0), 2, 0) {
                    "Bob's node n3 can still reach n1, the only copy, so Bob can still be served."
                } else {
                    "Bob's node n3 can no longer reach n1, and no other node has the data."
                });
            }),
            Step::new(2900, "Alice and Bob, after the cut", |ctx, say| {
                say_op(ctx, say, 0, 0, 1700);
                say_op(ctx, say, 0, 1, 1800);
                if slug_of(ctx, 0, 0, 1700) == Some("ok") {
                    say.p("Alice talks to n1 itself, the node with the data, so she is served.");
                }
                if slug_of(ctx, 0, 1, 1800) == Some("timeout") {
                    say.p(
                        "Bob's node has nobody to ask, so it cannot answer: Bob gets silence. \
                         For him the system is no longer available.",
                    );
                }
            }),
            Step::new(4300, "n1 crashes", |ctx, say| {
                say_situation(ctx, say, 0, 0);
                say_op(ctx, say, 0, 0, 3200);
                if ctx.sim(0).status(0) == Status::Crashed {
                    say.p("With one copy, one dead machine means no service for anyone.");
                }
                say.p(
                    "So real systems keep several copies, and then partitions between them are \
                     a fact of life: the choice is between C and A, not CA.",
                );
                say_checks(ctx, say, 0);
            }),
        ],
    }
}
