//! What a teacher-made lesson says about its run at a step, all computed from the run: the
//! requests answered since the previous step, the faults in place, and the checkers' verdicts so
//! far. The teacher's caption sits above these words; it never replaces them.
//!
//! A step's question is about the next request the run sends from the step's moment on; its
//! answer (ok / refused / timeout) and why come from the finished run ([`next_request`],
//! [`answer`]).

use crate::sim::check::Checks;
use crate::sim::sort;
use crate::sim::types::{node_name, NodeId, OpRecord, Status, Tick};
use crate::sim::world::Sim;

use super::words::{self, plural};

/// Most answered requests a step names one by one (the rest are counted).
const MAX_NAMED: usize = 4;

/// A step's computed words.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StepFacts {
    pub paragraphs: Vec<String>,
}

/// The facts of `sim` (run to the step's moment) since tick `since` (the previous step's, or 0).
pub fn step_facts(sim: &Sim, since: Tick, checks: &Checks) -> StepFacts {
    let mut f = StepFacts::default();
    answered(sim, since, &mut f);
    faults(sim, &mut f);
    let mut s = words::verdict(sim, checks);
    if checks.stale_reads > 0 || checks.lost_updates > 0 {
        s.push_str(&format!(
            " Stale reads so far: {}; lost updates: {}.",
            checks.stale_reads, checks.lost_updates
        ));
    }
    f.paragraphs.push(s);
    f
}

/// The requests answered in `(since, now]`, the first few by name.
fn answered(sim: &Sim, since: Tick, f: &mut StepFacts) {
    let now = sim.now();
    let done: Vec<&OpRecord> = sim
        .history()
        .iter()
        .filter(|r| r.completed_at().is_some_and(|t| t > since && t <= now))
        .collect();
    let from = if since == 0 {
        "So far".to_string()
    } else {
        format!("Since {}", words::ms(since))
    };
    if done.is_empty() {
        f.paragraphs
            .push(format!("{from}, no request was answered."));
        return;
    }
    let mut s = format!("{from}, {} answered.", plural(done.len() as u64, "request"));
    for r in done.iter().take(MAX_NAMED) {
        s.push(' ');
        s.push_str(&words::op_outcome(sim, r));
    }
    if done.len() > MAX_NAMED {
        s.push_str(&format!(" And {} more.", done.len() - MAX_NAMED));
    }
    f.paragraphs.push(s);
}

/// The nodes that are down or paused, then the cut links (each pair said once, the node cut
/// from the most others first): "Right now: n3 is cut off from n1 and n2."
fn faults(sim: &Sim, f: &mut StepFacts) {
    let nodes = sim.node_count();
    let mut parts: Vec<String> = (0..nodes)
        .filter(|&n| sim.status(n) != Status::Up)
        .map(|n| words::situation(sim, n))
        .collect();
    let cut = |a: NodeId, b: NodeId| {
        a != b
            && sim.status(a) == Status::Up
            && sim.status(b) == Status::Up
            && !words::can_talk(sim, a, b)
    };
    let mut order: Vec<NodeId> = (0..nodes).collect();
    sort::sort_by_key(&mut order, |&n| {
        std::cmp::Reverse((0..nodes).filter(|&o| cut(n, o)).count())
    });
    let mut said: Vec<NodeId> = Vec::new();
    for n in order {
        let from: Vec<NodeId> = (0..nodes)
            .filter(|&o| cut(n, o) && !said.contains(&o))
            .collect();
        if !from.is_empty() {
            parts.push(format!(
                "{} is cut off from {}",
                node_name(n),
                words::node_list(&from)
            ));
            said.push(n);
        }
    }
    if parts.is_empty() {
        f.paragraphs
            .push("Right now every node is up and every link passes messages.".into());
        return;
    }
    f.paragraphs
        .push(format!("Right now: {}.", words::join_and(&parts)));
}

/// The first request sent at or after `at` (ties: the lowest id), in a run.
pub fn next_request(sim: &Sim, at: Tick) -> Option<&OpRecord> {
    sim.history()
        .iter()
        .filter(|r| r.invoke >= at)
        .min_by_key(|r| (r.invoke, r.id))
}

/// The answer to a step's question, from the finished run: the next request's outcome slug
/// (`ok` / `refused` / `timeout`), when it ended, and why. `None`: no request follows the step,
/// or it has no outcome by the run's end.
pub fn answer(finished: &Sim, at: Tick) -> Option<(String, Tick, String)> {
    let rec = next_request(finished, at)?;
    let outcome = rec.outcome()?;
    let why = format!(
        "{} {}",
        words::op_outcome(finished, rec),
        super::why(finished.config().mode, rec)
    );
    Some((outcome.slug().to_string(), rec.completed_at()?, why))
}
