//! Challenges (`?challenge=<id>`): a goal, a starting run (a built-in scenario with its dials,
//! traffic and scripted faults off, so that the reader's own requests and faults make the run)
//! and a success predicate computed only from what the checkers and the history say about the
//! reader's run — never from a script.
//!
//! [`CHALLENGES`] is the table; [`judge`] the predicates; [`Tries`] what the page keeps of the
//! reader's failed tries of the impossible one (`cp-always-available`), which it explains after
//! [`TRIES`] of them, from those runs.

use super::link::Params;
use crate::lessons::words::{client_name, join_and, op, outcome, plural, value};
use crate::sim::action::Action;
use crate::sim::check::{Budget, Checks};
use crate::sim::net::Net;
use crate::sim::report;
use crate::sim::scenario::Overrides;
use crate::sim::timeline::Timeline;
use crate::sim::types::{
    node_name, Conflict, Mode, NodeId, OpKind, OpRecord, Outcome, Reason, Tick, Value,
};

/// What the checker must find (or, for the impossible one, never finds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Goal {
    /// The bank checker counts a double spend.
    DoubleSpend,
    /// The stale-read checker marks a read stale.
    StaleRead,
    /// The lost-update checker finds an acknowledged like that no replica keeps.
    LostLike,
    /// During a partition, a request of Bob's is refused while one of Alice's is served.
    CpRefuses,
    /// During a partition, every client is served: impossible for a CP store.
    AlwaysAvailable,
    /// A read returns siblings (vector clocks keep concurrent versions side by side).
    Siblings,
    /// One crash, and every client has a request that fails after it.
    OneCrash,
}

/// One challenge: its words, its starting run and its goal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    pub id: &'static str,
    pub title: &'static str,
    /// One or two sentences: what to make happen.
    pub goal: &'static str,
    /// The reader's tools, in words.
    pub tools: &'static str,
    pub scenario: &'static str,
    pub mode: Mode,
    pub conflict: Option<Conflict>,
    /// N, R, W (quorum mode).
    pub nrw: Option<(u8, u8, u8)>,
    pub kind: Goal,
}

/// Failed tries of the impossible challenge after which the page explains why.
pub const TRIES: usize = 3;

const TOOLS: &str = "Click a link to cut or heal it, click a node to crash or pause it, send \
     requests from the clients' cards, and play, pause or step the run.";

/// A starting run: the scenario, its mode, its conflict resolution, its N/R/W.
type Start = (&'static str, Mode, Option<Conflict>, Option<(u8, u8, u8)>);

const fn c(
    id: &'static str,
    title: &'static str,
    goal: &'static str,
    start: Start,
    kind: Goal,
) -> Challenge {
    Challenge {
        id,
        title,
        goal,
        tools: TOOLS,
        scenario: start.0,
        mode: start.1,
        conflict: start.2,
        nrw: start.3,
        kind,
    }
}

/// Every challenge, in the order the landing page lists them.
pub const CHALLENGES: [Challenge; 8] = [
    c(
        "ap-double-spend",
        "Spend the same money twice",
        "The bank runs in AP mode with 100 in checking. Make it pay out more than it holds: two \
       withdrawals that each succeed, from money that was only there once.",
        ("bank", Mode::Ap, None, None),
        Goal::DoubleSpend,
    ),
    c(
        "cp-refuses",
        "Make the CP bank say no to Bob",
        "The bank runs in CP mode. Make it refuse Bob's request while Alice, at the same time, \
       is served.",
        ("bank", Mode::Cp, None, None),
        Goal::CpRefuses,
    ),
    c(
        "cp-always-available",
        "Keep the CP bank open for everyone",
        "The bank runs in CP mode. Cut the network into two sides, then get every client \
       (Alice, Bob and Carol) served while it is cut.",
        ("bank", Mode::Cp, None, None),
        Goal::AlwaysAvailable,
    ),
    c(
        "quorum-stale",
        "Make a quorum read stale",
        "The register runs in quorum mode with N = 3, R = 1, W = 1. Make a read miss a write \
       that was already confirmed.",
        ("register", Mode::Quorum, None, Some((3, 1, 1))),
        Goal::StaleRead,
    ),
    c(
        "feed-stale-read",
        "Show Bob an old feed",
        "The feed runs in AP mode. Make a read return a feed that misses a post or a like \
       that was already confirmed.",
        ("feed", Mode::Ap, None, None),
        Goal::StaleRead,
    ),
    c(
        "lww-loses-a-like",
        "Lose a like",
        "The feed runs in AP mode and settles conflicts by last writer wins. Make it lose a \
       like that a client was told had counted.",
        ("feed", Mode::Ap, Some(Conflict::Lww), None),
        Goal::LostLike,
    ),
    c(
        "vclock-siblings",
        "Make siblings appear",
        "The register runs in AP mode with vector clocks. Make a read return two versions side \
       by side.",
        ("register", Mode::Ap, Some(Conflict::Vclock), None),
        Goal::Siblings,
    ),
    c(
        "ca-one-crash",
        "Stop everyone with one crash",
        "The bank runs in CA mode. With a single crash (no cut link, no pause, nothing else), \
       make every client's request fail.",
        ("bank", Mode::Ca, None, None),
        Goal::OneCrash,
    ),
];

/// The challenge called `id`.
pub fn find(id: &str) -> Option<&'static Challenge> {
    CHALLENGES.iter().find(|c| c.id == id)
}

impl Challenge {
    /// The starting run's parameters: the scenario with the challenge's dials, no traffic, no
    /// scripted faults.
    pub fn params(&self) -> Params {
        let (n, r, w) = match self.nrw {
            Some((n, r, w)) => (Some(n), Some(r), Some(w)),
            None => (None, None, None),
        };
        Params {
            scenario: self.scenario.into(),
            over: Overrides {
                mode: Some(self.mode),
                conflict: self.conflict,
                n,
                r,
                w,
                seed: None,
            },
            workload: false,
            faults: false,
            challenge: Some(self.id),
            ..Params::default()
        }
    }
}

/// Where a challenge stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    Open,
    /// Solved: what the checker found, in words.
    Solved(String),
    /// The impossible challenge after [`TRIES`] failed tries.
    Impossible,
}

impl Status {
    /// `data-state`: `open`, `solved`, `impossible`.
    pub fn slug(&self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Solved(_) => "solved",
            Status::Impossible => "impossible",
        }
    }
}

/// What the page keeps of the reader's tries of the impossible challenge.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tries {
    /// One sentence per failed try: which request failed, how, on which side.
    pub failed: Vec<String>,
    /// The run shown already counted as a failed try.
    pub counted: bool,
}

/// The challenge's status for `t` at its current frame, with the tries kept so far.
pub fn status(c: &Challenge, t: &Timeline, tries: &Tries) -> Status {
    match judge(c, t) {
        Some(found) => Status::Solved(found),
        None if c.kind == Goal::AlwaysAvailable && tries.failed.len() >= TRIES => {
            Status::Impossible
        }
        None => Status::Open,
    }
}

/// Records a failed try of the impossible challenge (once per run): called after every change.
pub fn observe(c: &Challenge, t: &Timeline, tries: &mut Tries) {
    if c.kind != Goal::AlwaysAvailable || tries.counted {
        return;
    }
    if let Some(f) = failure(t) {
        let n = tries.failed.len() + 1;
        tries.failed.push(format!("Try {n}: {f}"));
        tries.counted = true;
    }
}

/// Why no CP store can be available to everyone during a partition (said with the tries).
pub const WHY_IMPOSSIBLE: &str = "A CP bank answers only with what a majority of its replicas \
     agreed on. During a partition at most one side holds a majority; a node on the other side \
     cannot reach it, so it must refuse or leave its client waiting. Answering from its own copy \
     instead would let the two sides tell different truths. That is the CAP theorem: while the \
     network is cut, a store chooses consistency or availability, never both.";

/// `Some(what the checker found)` when the reader's run (up to its current frame) meets the
/// challenge's goal.
pub fn judge(c: &Challenge, t: &Timeline) -> Option<String> {
    let sim = t.sim();
    let checks = || report::checks(sim, Budget::Settle);
    match c.kind {
        Goal::DoubleSpend => double_spend(t, &checks()),
        Goal::StaleRead => {
            let ch = checks();
            let rec = ch
                .stale_ops
                .first()
                .map(|id| &sim.history()[*id as usize])?;
            Some(format!(
                "The stale-read checker marks {} stale: it {}, missing {} already confirmed.",
                op(sim, rec),
                outcome(sim, rec),
                plural(rec.missed.len() as u64, "update")
            ))
        }
        Goal::LostLike => {
            let ch = checks();
            let likes = |id: &&u32| sim.history()[**id as usize].req.kind == OpKind::Like;
            let id = ch.lost_ops.iter().find(|id| likes(id))?;
            let rec = &sim.history()[*id as usize];
            Some(format!(
                "The lost-update checker finds {} confirmed, yet no replica keeps it now: \
                 last writer wins kept another replica's count instead.",
                op(sim, rec)
            ))
        }
        Goal::CpRefuses => cp_refuses(t),
        Goal::AlwaysAvailable => always_available(t),
        Goal::Siblings => siblings(t),
        Goal::OneCrash => one_crash(t, &checks()),
    }
}

fn double_spend(t: &Timeline, ch: &Checks) -> Option<String> {
    if ch.double_spends == 0 {
        return None;
    }
    let sim = t.sim();
    let paid: Vec<String> = sim
        .history()
        .iter()
        .filter(|r| r.req.kind == OpKind::Withdraw && r.outcome() == Some(Outcome::Ok))
        .map(|r| op(sim, r))
        .collect();
    let low = ch
        .min_balance
        .filter(|b| *b < 0)
        .map(|b| format!(" A replica's balance went down to {b}."))
        .unwrap_or_default();
    Some(format!(
        "The bank checker counts {}: {} each succeeded, but one copy of the account could not \
         have paid them all.{low}",
        plural(u64::from(ch.double_spends), "double spend"),
        join_and(&paid)
    ))
}

/// A time the network was split: from `from` until `to` (`None`: still split), with the
/// nodes that could reach no majority (counting only links that work both ways).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    pub from: Tick,
    pub to: Option<Tick>,
    pub cut_off: Vec<NodeId>,
}

impl Split {
    fn holds(&self, tick: Tick) -> bool {
        self.from <= tick && self.to.is_none_or(|to| tick < to)
    }

    /// The op was sent and answered while the network was split this way.
    fn spans(&self, r: &OpRecord) -> bool {
        self.holds(r.invoke) && r.completed_at().is_some_and(|at| self.holds(at))
    }
}

/// The times the reader's link faults split the network, from the run's recorded inputs (the
/// challenges have no scripted faults).
pub fn splits(t: &Timeline) -> Vec<Split> {
    let nodes = t.sim().node_count();
    let mut net = Net::new(nodes, 1, 0);
    let mut out: Vec<Split> = Vec::new();
    for ((_, a), at) in t.inputs().iter().zip(t.input_ticks()) {
        if !apply_link(&mut net, a) {
            continue;
        }
        let cut_off = cut_off(&net);
        let open = out.last_mut().filter(|s| s.to.is_none());
        match open {
            Some(s) if s.cut_off == cut_off => continue,
            Some(s) => s.to = Some(*at),
            None => {}
        }
        if !cut_off.is_empty() {
            out.push(Split {
                from: *at,
                to: None,
                cut_off,
            });
        }
    }
    out
}

/// Applies a link action to `net`; false for any other action.
fn apply_link(net: &mut Net, a: &Action) -> bool {
    match a {
        Action::Cut { from, to } => net.cut(*from, *to),
        Action::CutBoth { a, b } => net.cut_both(*a, *b),
        Action::Heal { a, b } => net.heal(*a, *b),
        Action::Partition { sides } => net.partition(sides),
        Action::Isolate(n) => net.isolate(*n),
        Action::HealAll => net.heal_all(),
        Action::Hold { from, to } => net.hold(*from, *to),
        Action::Release { from, to } => net.release(*from, *to),
        _ => return false,
    }
    true
}

/// The nodes whose group (nodes joined by links up both ways) is smaller than a majority.
fn cut_off(net: &Net) -> Vec<NodeId> {
    let n = net.nodes();
    let both = |a: NodeId, b: NodeId| net.link(a, b).is_up() && net.link(b, a).is_up();
    (0..n)
        .filter(|&a| {
            let mut group = vec![a];
            let mut i = 0;
            while i < group.len() {
                let x = group[i];
                group.extend(
                    (0..n)
                        .filter(|&y| !group.contains(&y) && both(x, y))
                        .collect::<Vec<_>>(),
                );
                i += 1;
            }
            group.len() * 2 <= usize::from(n)
        })
        .collect()
}

/// "n3 was cut off from the majority" / "n1 was on the majority side while n3 was cut off".
fn side(split: &Split, node: NodeId) -> String {
    let off: Vec<String> = split.cut_off.iter().map(|n| node_name(*n)).collect();
    let off = join_and(&off);
    if split.cut_off.contains(&node) {
        format!("this happened on the cut-off side ({off}), which could reach no majority")
    } else {
        format!(
            "this happened on the majority side ({}), while {off} was cut off",
            node_name(node)
        )
    }
}

fn served(r: &OpRecord) -> bool {
    matches!(
        r.outcome(),
        Some(Outcome::Ok | Outcome::Refused(Reason::InsufficientFunds { .. }))
    )
}

fn failed(r: &OpRecord) -> bool {
    matches!(
        r.outcome(),
        Some(Outcome::Timeout | Outcome::Refused(Reason::NoQuorum { .. }))
    )
}

fn cp_refuses(t: &Timeline) -> Option<String> {
    let sim = t.sim();
    let named = |name: &str| -> Vec<&OpRecord> {
        let h = sim.history().iter();
        h.filter(|r| client_name(sim, r.client) == name).collect()
    };
    let (bob, alice) = (named("Bob"), named("Alice"));
    splits(t).iter().find_map(|s| {
        let no = bob.iter().find(|r| {
            s.spans(r) && matches!(r.outcome(), Some(Outcome::Refused(Reason::NoQuorum { .. })))
        })?;
        let yes = alice
            .iter()
            .find(|r| s.spans(r) && r.outcome() == Some(Outcome::Ok))?;
        Some(format!(
            "While the network was split, {} {} — and {} {}.",
            op(sim, no),
            outcome(sim, no),
            op(sim, yes),
            outcome(sim, yes)
        ))
    })
}

fn always_available(t: &Timeline) -> Option<String> {
    let sim = t.sim();
    let clients = sim.clients().len() as u8;
    splits(t).iter().find_map(|s| {
        let during: Vec<&OpRecord> = sim.history().iter().filter(|r| s.holds(r.invoke)).collect();
        let all_served = during.iter().all(|r| s.spans(r) && served(r));
        let everyone = (0..clients).all(|c| during.iter().any(|r| r.client == c));
        (all_served && everyone).then(|| {
            format!(
                "Every one of the {} sent while {} was cut off was served.",
                plural(during.len() as u64, "request"),
                join_and(&s.cut_off.iter().map(|n| node_name(*n)).collect::<Vec<_>>())
            )
        })
    })
}

/// The first request of the run that failed while the network was split, in words.
pub fn failure(t: &Timeline) -> Option<String> {
    let sim = t.sim();
    splits(t).iter().find_map(|s| {
        let r = sim
            .history()
            .iter()
            .find(|r| s.holds(r.invoke) && failed(r))?;
        Some(format!(
            "{} {}; {}.",
            op(sim, r),
            outcome(sim, r),
            side(s, r.node)
        ))
    })
}

fn siblings(t: &Timeline) -> Option<String> {
    let sim = t.sim();
    let rec = sim.history().iter().find(|r| {
        r.outcome() == Some(Outcome::Ok)
            && matches!(r.value(), Some(Value::Siblings(v)) if v.len() > 1)
    })?;
    Some(format!(
        "{} returned {}: the writes were concurrent (neither's vector clock had seen the \
         other), so the store kept both.",
        op(sim, rec),
        value(rec.value()?)
    ))
}

fn one_crash(t: &Timeline, ch: &Checks) -> Option<String> {
    let sim = t.sim();
    // The reader's inputs besides requests: exactly one crash, and nothing else.
    let faults: Vec<(&Action, &Tick)> = t
        .inputs()
        .iter()
        .zip(t.input_ticks())
        .filter(|((_, a), _)| !matches!(a, Action::Request { .. }))
        .map(|((_, a), at)| (a, at))
        .collect();
    let &[(&Action::Crash(node), &at)] = faults.as_slice() else {
        return None;
    };
    let clients = sim.clients().len() as u8;
    let fails: Vec<&OpRecord> = (0..clients)
        .map(|c| {
            let mut h = sim.history().iter();
            h.find(|r| r.client == c && r.invoke >= at && failed(r))
        })
        .collect::<Option<_>>()?;
    let named: Vec<String> = fails.iter().map(|r| op(sim, r)).collect();
    Some(format!(
        "After {} crashed, every client's request failed: {}. The checker counts {} and {}.",
        node_name(node),
        join_and(&named),
        plural(u64::from(ch.refused), "refusal"),
        plural(u64::from(ch.timeouts), "timeout")
    ))
}

/// The same clicks replayed with the CRDT counter instead of last writer wins, to the run's
/// end: (likes confirmed, likes lost). `None` when they do not replay there.
pub fn crdt_contrast(t: &Timeline) -> Option<(usize, usize)> {
    let mut s = t.scenario().clone();
    s.conflict = Conflict::Crdt;
    let inputs = t.inputs().to_vec();
    let last = inputs.last().map_or(0, |(at, _)| *at);
    let mut other = Timeline::replay(s, inputs, last).ok()?;
    other.run_to_end();
    let sim = other.sim();
    let ch = report::checks(sim, Budget::Settle);
    let likes = |r: &&OpRecord| r.req.kind == OpKind::Like && r.outcome() == Some(Outcome::Ok);
    let confirmed = sim.history().iter().filter(likes).count();
    let lost = ch
        .lost_ops
        .iter()
        .filter(|id| sim.history()[**id as usize].req.kind == OpKind::Like)
        .count();
    Some((confirmed, lost))
}

/// What the CRDT replay shows, in words.
pub fn contrast_words(c: Option<(usize, usize)>) -> String {
    match c {
        Some((n, 0)) => format!(
            "The same clicks with the CRDT counter instead: {} confirmed, none lost — each \
             replica counts its own likes and the counts add up when they merge.",
            plural(n as u64, "like")
        ),
        Some((n, lost)) => format!(
            "The same clicks with the CRDT counter instead: {} confirmed, {lost} lost.",
            plural(n as u64, "like")
        ),
        None => "The same clicks do not replay with the CRDT counter.".into(),
    }
}
