//! Narration pieces shared by the lessons: paragraphs about one op, the replicas, the fault in
//! place, the leader, the checker's verdicts and convergence, each computed from the run.

use crate::lessons::words::{self, ms, plural};
use crate::lessons::{Say, StepCtx};
use crate::sim::types::{node_name, Case, ClientId, NodeId, OpId, Role, Status, Tick, Value};

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

/// The checker's verdicts: linearizable?, then one line of counts (naming every finished op);
/// highlights the ops named.
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
    say_finished(ctx, say, stage);
    for id in c
        .stale_ops
        .iter()
        .chain(&c.lost_ops)
        .chain(&c.lin_counterexample)
    {
        say.op(*id);
    }
}

/// Names every finished op of stage `stage` (a sentence counted them all).
pub(super) fn say_finished(ctx: &StepCtx, say: &mut Say, stage: usize) {
    for op in ctx.sim(stage).history() {
        if op.outcome().is_some() {
            say.named(op.id);
        }
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

/// The three ways a request can end, explained before a prediction.
pub(super) fn say_options(say: &mut Say) {
    say.p(
        "Three things can happen. ok: it goes through. refused: the system says no, and \
           nothing changes anywhere. timeout: no answer comes, and Bob cannot know whether it \
           happened.",
    );
}
