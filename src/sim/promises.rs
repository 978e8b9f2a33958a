//! Every promise the product states, in one table ([`PROMISES`]), each with the check that
//! decides it over a finished run.
//!
//! A promise has a stable id, the words readers see and where they see them, the modes, cases
//! and dials it is made for, the condition it needs (a claim true only under a condition says
//! so), and a modality in the stateright sense: `Always` must hold in every run, `Eventually`
//! must hold once every fault has ended and the run has had time to settle, `Sometimes` must be
//! witnessed by at least one run of a search. `tests/promises.rs` checks each over random
//! nemesis schedules; `caplab sweep` reports each by id.

use super::action::Action;
use super::check::Checks;
use super::model::State;
use super::proto::cp::MAX_ELECTION_BACKOFF;
use super::proto::ProtoConfig;
use super::scenario::ScriptedAction;
use super::types::{
    Case, Conflict, Consistency, Mode, NodeId, OpKind, OpRecord, Outcome, Reason, Status, Tick,
};
use super::world::Sim;

/// How a promise is meant (stateright style).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Modality {
    /// In every run.
    Always,
    /// In at least one run of a bounded search.
    Sometimes,
    /// In every run, once every fault has ended and the run has settled.
    Eventually,
}

impl Modality {
    pub fn as_str(self) -> &'static str {
        match self {
            Modality::Always => "always",
            Modality::Sometimes => "sometimes",
            Modality::Eventually => "eventually",
        }
    }
}

/// Which quorum dials a promise is made for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dials {
    Any,
    /// R + W > N.
    Overlapping,
    /// R + W ≤ N.
    Disjoint,
}

/// What one run says about one promise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// It held (for `Sometimes`: this run witnessed it).
    Held,
    /// It did not hold; why, naming ops or ticks.
    Violated(String),
    /// The run does not meet the promise's condition (or, for `Sometimes`, did not witness it).
    Vacuous,
    /// The checker could not decide (the linearizability search ran out of budget).
    Unknown,
}

/// A finished run, as the checks see it: the engine, its checkers' verdicts and the scheduled
/// faults it ran (the scenario's or the nemesis's; user actions are not listed).
pub struct Run<'a> {
    pub sim: &'a Sim,
    pub checks: &'a Checks,
    pub faults: &'a [ScriptedAction],
}

/// One promise. See the module doc.
pub struct Promise {
    pub id: &'static str,
    /// The words as shown (or the closest claim, when the place shows a picture of it).
    pub text: &'static str,
    /// Where readers see it.
    pub shown: &'static [&'static str],
    /// Empty: every mode / case / conflict resolution.
    pub modes: &'static [Mode],
    pub cases: &'static [Case],
    pub conflicts: &'static [Conflict],
    pub dials: Dials,
    /// The condition it needs, in words (`None`: unconditional).
    pub condition: Option<&'static str>,
    pub modality: Modality,
    pub check: fn(&Run) -> Verdict,
    /// A known bug that breaks it, fixed on another branch.
    pub known_issue: Option<&'static str>,
}

impl Promise {
    /// Whether the promise is made for a run of this configuration.
    pub fn applies(&self, mode: Mode, case: Case, conflict: Conflict, nrw: (u8, u8, u8)) -> bool {
        let (n, r, w) = nrw;
        let dials_ok = match self.dials {
            Dials::Any => true,
            Dials::Overlapping => r + w > n,
            Dials::Disjoint => r + w <= n,
        };
        (self.modes.is_empty() || self.modes.contains(&mode))
            && (self.cases.is_empty() || self.cases.contains(&case))
            && (self.conflicts.is_empty() || self.conflicts.contains(&conflict))
            && dials_ok
    }

    /// Whether it is made for this run.
    pub fn applies_to(&self, sim: &Sim) -> bool {
        let c = sim.config();
        self.applies(c.mode, c.case, c.conflict, (c.n, c.r, c.w))
    }
}

/// After every fault ended, a CP cluster serves every request sent this many ticks later: a
/// node whose elections kept failing while cut off may sleep through one backed-off election
/// timeout (`hi << MAX_ELECTION_BACKOFF`) before it asks again, then a pre-vote, a vote and the
/// request itself take at most two more high ends. 6000 ticks with the default timeouts.
pub fn serve_bound(cfg: &ProtoConfig) -> Tick {
    let hi = cfg.election_timeout_ticks.1;
    (hi << MAX_ELECTION_BACKOFF).saturating_add(hi.saturating_mul(2))
}
/// Replicas must agree when the last fault ended and the last update was sent this long before
/// the end of the run.
pub const SETTLE_TICKS: Tick = 2_000;

const CP: &[Mode] = &[Mode::Cp];
const AP: &[Mode] = &[Mode::Ap];
const ALL_CASES: &[Case] = &[];
const ALL_CONFLICTS: &[Conflict] = &[];

/// A reader may ask for an eventual read (the clients' level menu): fast and possibly stale by
/// choice, in every mode. CP's consistency promises are about the other reads.
const EVENTUAL_OPT_OUT: &str =
    "reads at the default or strong level (an eventual read is allowed to be stale)";

/// Every promise, in a stable order.
pub const PROMISES: &[Promise] = &[
    Promise {
        id: "cp-linearizable",
        text: "Three copies, one truth: a CP cluster behaves like a single copy.",
        shown: &["lesson intro (title)", "lesson cp-vs-ap", "metric 'linearizable'"],
        modes: CP,
        cases: ALL_CASES,
        conflicts: ALL_CONFLICTS,
        dials: Dials::Any,
        condition: Some(EVENTUAL_OPT_OUT),
        modality: Modality::Always,
        check: cp_linearizable,
        known_issue: None,
    },
    Promise {
        id: "cp-no-stale-read",
        text: "A CP read never misses an acknowledged write.",
        shown: &["lesson bank-cp", "lesson cp-vs-ap", "metric 'stale reads'"],
        modes: CP,
        cases: ALL_CASES,
        conflicts: ALL_CONFLICTS,
        dials: Dials::Any,
        condition: Some(EVENTUAL_OPT_OUT),
        modality: Modality::Always,
        check: no_stale_consistent_read,
        known_issue: None,
    },
    Promise {
        id: "cp-no-lost-update",
        text: "A CP cluster never loses an acknowledged update.",
        shown: &["lesson bank-cp", "metric 'lost updates'"],
        modes: CP,
        cases: ALL_CASES,
        conflicts: ALL_CONFLICTS,
        dials: Dials::Any,
        condition: None,
        modality: Modality::Always,
        check: no_lost_update,
        known_issue: None,
    },
    Promise {
        id: "cp-bank-never-negative",
        text: "Cut off from the majority, a CP bank refuses rather than risk your money.",
        shown: &["lesson bank-cp (card)", "README: a balance must never go negative"],
        modes: CP,
        cases: &[Case::Bank],
        conflicts: ALL_CONFLICTS,
        dials: Dials::Any,
        condition: None,
        modality: Modality::Always,
        check: bank_safe,
        known_issue: None,
    },
    Promise {
        id: "cp-majority-serves",
        text: "Once the network heals, a CP cluster elects a leader and serves again.",
        shown: &["lesson bank-cp", "lesson partition"],
        modes: CP,
        cases: ALL_CASES,
        conflicts: ALL_CONFLICTS,
        dials: Dials::Any,
        condition: Some(
            "every fault has ended (all nodes up, all links up, loss and latency back to the scenario's); requests sent ten election timeouts (6000 ticks by default) or more after that",
        ),
        modality: Modality::Eventually,
        check: majority_serves,
        known_issue: None,
    },
    Promise {
        id: "cp-converges",
        text: "Once the faults end, the CP replicas hold the same values.",
        shown: &["lesson intro", "metric 'converged'"],
        modes: CP,
        cases: ALL_CASES,
        conflicts: ALL_CONFLICTS,
        dials: Dials::Any,
        condition: Some("every fault has ended and no update was sent for 2000 ticks before the end"),
        modality: Modality::Eventually,
        check: converges,
        known_issue: None,
    },
    Promise {
        id: "ap-always-answers",
        text: "AP · Dynamo-style: any live node takes plain writes; the feed stays available during a partition.",
        shown: &[
            "stage title (AP)",
            "lesson feed-ap (card)",
            "lesson bank-ap (card; 'it never says no for lack of contact')",
        ],
        modes: AP,
        cases: ALL_CASES,
        conflicts: ALL_CONFLICTS,
        dials: Dials::Any,
        condition: Some(
            "the client's own node is up (not crashed, not paused) while it waits; requests at the default or eventual level (a strong read or a quorum write waits for a majority)",
        ),
        modality: Modality::Always,
        check: ap_answers,
        known_issue: None,
    },
    Promise {
        id: "ap-converges",
        text: "A social feed stays available during a partition and catches up later.",
        shown: &["lesson feed-ap (card)", "lesson hinted-handoff", "README: converge later"],
        modes: AP,
        cases: ALL_CASES,
        conflicts: ALL_CONFLICTS,
        dials: Dials::Any,
        condition: Some("every fault has ended and no update was sent for 2000 ticks before the end"),
        modality: Modality::Eventually,
        check: converges,
        known_issue: None,
    },
    Promise {
        id: "ap-crdt-loses-nothing",
        text: "A CRDT counter keeps a tally per replica and adds them up, so nothing is lost.",
        shown: &["lesson feed-ap"],
        modes: AP,
        cases: &[Case::Feed],
        conflicts: &[Conflict::Crdt],
        dials: Dials::Any,
        condition: None,
        modality: Modality::Always,
        check: no_lost_update,
        known_issue: None,
    },
    Promise {
        id: "ap-lww-drops-concurrent",
        text: "LWW silently drops one of two concurrent edits.",
        shown: &["lesson feed-vclock (card)", "lesson feed-ap"],
        modes: AP,
        cases: &[Case::Feed],
        conflicts: &[Conflict::Lww],
        dials: Dials::Any,
        condition: None,
        modality: Modality::Sometimes,
        check: loses_an_update,
        known_issue: None,
    },
    Promise {
        id: "ap-bank-double-spends",
        text: "An always-available bank lets both sides spend the same money.",
        shown: &["lesson bank-ap (card)"],
        modes: AP,
        cases: &[Case::Bank],
        conflicts: ALL_CONFLICTS,
        dials: Dials::Any,
        condition: Some("a partition (or another fault) separates two clients who spend"),
        modality: Modality::Sometimes,
        check: overdraws,
        known_issue: None,
    },
    Promise {
        id: "consistency-costs-a-round-trip",
        text: "Without any fault, consistency still costs a trip across the ocean: a quorum \
               write and a strong read must hear from other replicas before they answer.",
        shown: &["lesson two-regions (card)", "lesson consistency-levels"],
        modes: &[Mode::Cp, Mode::Ap],
        cases: ALL_CASES,
        conflicts: ALL_CONFLICTS,
        dials: Dials::Any,
        condition: Some("CP: every request but an eventual read; AP: strong reads and quorum writes"),
        modality: Modality::Always,
        check: pays_a_round_trip,
        known_issue: None,
    },
    Promise {
        id: "strong-read-fresh",
        text: "A strong read asks a majority: slower, and it sees every quorum write (a plain \
               write, confirmed by one replica, it can still miss).",
        shown: &["lesson consistency-levels"],
        modes: &[Mode::Ap],
        cases: ALL_CASES,
        conflicts: ALL_CONFLICTS,
        dials: Dials::Any,
        condition: Some(
            "the writes it must see were quorum writes (a default write, confirmed by one replica, it can miss) and no write of the key timed out before it (a timed-out write may land later and win); on a register or with CRDTs (with LWW or vector clocks a bank's or feed's concurrent updates can be dropped, and then every read misses them)",
        ),
        modality: Modality::Always,
        check: strong_reads_fresh,
        known_issue: None,
    },
    Promise {
        id: "ca-linearizable",
        text: "A single data node is consistent.",
        shown: &["lesson ca-single (card)", "stage title (CA)"],
        modes: &[Mode::Ca],
        cases: ALL_CASES,
        conflicts: ALL_CONFLICTS,
        dials: Dials::Any,
        condition: None,
        modality: Modality::Always,
        check: linearizable,
        known_issue: None,
    },
    Promise {
        id: "ca-available-until-the-network-breaks",
        text: "A single data node is consistent and available, while the network holds and that node stays up.",
        shown: &["lesson ca-single (card)"],
        modes: &[Mode::Ca],
        cases: ALL_CASES,
        conflicts: ALL_CONFLICTS,
        dials: Dials::Any,
        condition: Some("no fault has happened yet, or every fault ended before the request was sent"),
        modality: Modality::Always,
        check: served_when_calm,
        known_issue: None,
    },
    Promise {
        id: "quorum-overlap-sees-writes",
        text: "R + W > N: a read sees every write acknowledged before it began — unless an update \
               of the same data timed out part-way or two updates of it ran at the same time.",
        shown: &["quorum dials hint (controls)", "lesson quorum (card)"],
        modes: &[Mode::Quorum],
        cases: ALL_CASES,
        conflicts: ALL_CONFLICTS,
        dials: Dials::Overlapping,
        condition: Some(
            "R + W > N; a read may still miss an update that overlapped another update of its key, or any update after a write of its key timed out (a write that failed part-way may be read, then overwritten)",
        ),
        modality: Modality::Always,
        check: quorum_overlap,
        known_issue: None,
    },
    Promise {
        id: "quorum-disjoint-may-be-stale",
        text: "R + W ≤ N: reads may be stale.",
        shown: &["quorum dials hint (controls)", "lesson quorum (card)"],
        modes: &[Mode::Quorum],
        cases: ALL_CASES,
        conflicts: ALL_CONFLICTS,
        dials: Dials::Disjoint,
        condition: Some("R + W ≤ N and a fault keeps a write from some replicas"),
        modality: Modality::Sometimes,
        check: reads_stale,
        known_issue: None,
    },
];

/// A promise by id.
pub fn by_id(id: &str) -> Option<&'static Promise> {
    PROMISES.iter().find(|p| p.id == id)
}

fn ids(v: &[u32]) -> String {
    let shown: Vec<String> = v.iter().take(6).map(|i| format!("#{i}")).collect();
    shown.join(" ")
}

fn linearizable(r: &Run) -> Verdict {
    match r.checks.linearizable {
        Some(true) => Verdict::Held,
        None => Verdict::Unknown,
        Some(false) => Verdict::Violated(format!(
            "not linearizable: {}",
            ids(&r.checks.lin_counterexample)
        )),
    }
}

fn eventual_read(o: &OpRecord) -> bool {
    o.req.kind == OpKind::Read && o.req.consistency == Consistency::Eventual
}

/// Linearizable, in runs where no read opted out with the eventual level.
fn cp_linearizable(r: &Run) -> Verdict {
    if r.sim.history().iter().any(eventual_read) {
        return Verdict::Vacuous;
    }
    linearizable(r)
}

fn no_stale_consistent_read(r: &Run) -> Verdict {
    let stale: Vec<u32> = r
        .checks
        .stale_ops
        .iter()
        .copied()
        .filter(|id| {
            r.sim
                .history()
                .get(*id as usize)
                .is_none_or(|o| !eventual_read(o))
        })
        .collect();
    match stale.len() {
        0 => Verdict::Held,
        n => Verdict::Violated(format!("{n} stale reads: {}", ids(&stale))),
    }
}

/// Whether two ops touch a common key (a feed read touches both posts and likes).
fn share_a_key(case: Case, a: &OpRecord, b: &OpRecord) -> bool {
    let kb = State::keys_of(case, &b.req);
    State::keys_of(case, &a.req).iter().any(|k| kb.contains(k))
}

/// Whether an update of a key `read` touches timed out (or never finished) before `read` ended:
/// such a write may have landed part-way, or may land later and win.
fn failed_before(h: &[OpRecord], case: Case, read: &OpRecord) -> bool {
    let end = read.completed_at().unwrap_or(Tick::MAX);
    h.iter().any(|v| {
        v.req.kind.is_update()
            && matches!(v.outcome(), None | Some(Outcome::Timeout))
            && v.invoke < end
            && share_a_key(case, read, v)
    })
}

/// No stale read, except where the condition excuses it: the read missed only updates that
/// overlapped another update of their key, or an update of its key timed out before it ended.
fn quorum_overlap(r: &Run) -> Verdict {
    let h = r.sim.history();
    let case = r.sim.config().case;
    let updates: Vec<&OpRecord> = h.iter().filter(|o| o.req.kind.is_update()).collect();
    let concurrent = |u: &OpRecord| {
        let end = u.completed_at().unwrap_or(Tick::MAX);
        updates.iter().any(|v| {
            v.id != u.id
                && share_a_key(case, u, v)
                && v.invoke <= end
                && u.invoke <= v.completed_at().unwrap_or(Tick::MAX)
        })
    };
    over_ops(
        r,
        |o| o.req.kind == OpKind::Read && o.outcome() == Some(Outcome::Ok),
        |o| {
            !o.is_stale()
                || failed_before(h, case, o)
                || o.missed
                    .iter()
                    .all(|id| h.get(*id as usize).is_none_or(concurrent))
        },
        |o| {
            format!(
                "read #{} at n{} missed {} (acknowledged, not concurrent, no write failed before)",
                o.id,
                u32::from(o.node) + 1,
                ids(&o.missed)
            )
        },
    )
}

fn reads_stale(r: &Run) -> Verdict {
    if r.checks.stale_reads > 0 {
        Verdict::Held
    } else {
        Verdict::Vacuous
    }
}

fn no_lost_update(r: &Run) -> Verdict {
    match r.checks.lost_updates {
        0 => Verdict::Held,
        n => Verdict::Violated(format!("{n} lost updates: {}", ids(&r.checks.lost_ops))),
    }
}

fn loses_an_update(r: &Run) -> Verdict {
    if r.checks.lost_updates > 0 {
        Verdict::Held
    } else {
        Verdict::Vacuous
    }
}

fn bank_safe(r: &Run) -> Verdict {
    let c = r.checks;
    if let Some(b) = c.min_balance.filter(|b| *b < 0) {
        return Verdict::Violated(format!("a balance went to {b}"));
    }
    if c.double_spends > 0 {
        return Verdict::Violated(format!("{} double spends", c.double_spends));
    }
    Verdict::Held
}

fn overdraws(r: &Run) -> Verdict {
    let c = r.checks;
    if c.double_spends > 0 || c.min_balance.is_some_and(|b| b < 0) {
        Verdict::Held
    } else {
        Verdict::Vacuous
    }
}

/// Served: answered for real (ok, or a business refusal such as insufficient funds).
fn served(o: &OpRecord) -> bool {
    matches!(
        o.outcome(),
        Some(Outcome::Ok) | Some(Outcome::Refused(Reason::InsufficientFunds { .. }))
    )
}

/// The tick from which no fault is in place to the end of the run: the last scheduled fault
/// ended (or a link's loss or latency last changed), and nothing is down, cut or held at the end.
/// `None` while a fault lasts to the end. 0 when there was never a fault.
pub fn calm_since(r: &Run) -> Option<Tick> {
    if r.sim.faults_active() {
        return None;
    }
    let changed = r
        .faults
        .iter()
        .filter(|f| {
            f.action.ends_fault()
                || matches!(f.action, Action::SetLoss { .. } | Action::SetLatency { .. })
        })
        .map(|f| f.at)
        .max()
        .unwrap_or(0);
    Some(changed.max(r.sim.last_fault_end().unwrap_or(0)))
}

/// The first tick a scheduled fault starts (`None`: no fault).
fn first_fault(r: &Run) -> Option<Tick> {
    r.faults
        .iter()
        .filter(|f| !matches!(f.action, Action::Request { .. }) && !f.action.ends_fault())
        .map(|f| f.at)
        .min()
}

fn majority_serves(r: &Run) -> Verdict {
    let Some(calm) = calm_since(r) else {
        return Verdict::Vacuous;
    };
    let from = calm.saturating_add(serve_bound(r.sim.config()));
    let late: Vec<&OpRecord> = r
        .sim
        .history()
        .iter()
        .filter(|o| o.invoke >= from && o.outcome().is_some())
        .collect();
    if late.is_empty() {
        return Verdict::Vacuous;
    }
    match late.iter().find(|o| !served(o)) {
        None => Verdict::Held,
        Some(o) => Verdict::Violated(format!(
            "op #{} sent at tick {} ({} ticks after the last fault ended) was not served",
            o.id,
            o.invoke,
            o.invoke - calm
        )),
    }
}

fn converges(r: &Run) -> Verdict {
    let Some(calm) = calm_since(r) else {
        return Verdict::Vacuous;
    };
    let last_update = r
        .sim
        .history()
        .iter()
        .filter(|o| o.req.kind.is_update())
        .map(|o| o.invoke)
        .max()
        .unwrap_or(0);
    if r.sim.end_tick() < calm.max(last_update) + SETTLE_TICKS {
        return Verdict::Vacuous;
    }
    if r.checks.converged {
        Verdict::Held
    } else {
        Verdict::Violated(format!(
            "the replicas still differ at tick {} (last fault ended at {calm}, last update sent at {last_update})",
            r.sim.end_tick()
        ))
    }
}

/// Over the finished ops that `pick` selects: `Vacuous` when there is none, else `Held` when all
/// are `good`, else `Violated` with `why` of the first that is not.
fn over_ops(
    r: &Run,
    pick: impl Fn(&OpRecord) -> bool,
    good: impl Fn(&OpRecord) -> bool,
    why: impl Fn(&OpRecord) -> String,
) -> Verdict {
    let mut picked = r
        .sim
        .history()
        .iter()
        .filter(|o| o.completed_at().is_some() && pick(o))
        .peekable();
    if picked.peek().is_none() {
        return Verdict::Vacuous;
    }
    match picked.find(|o| !good(o)) {
        None => Verdict::Held,
        Some(o) => Verdict::Violated(why(o)),
    }
}

/// Per node, the intervals `[from, to)` during which it was crashed or paused, from the
/// scheduled faults (`to` = `Tick::MAX` when it never came back).
pub fn down_intervals(faults: &[ScriptedAction], nodes: u8) -> Vec<Vec<(Tick, Tick)>> {
    let mut status = vec![Status::Up; usize::from(nodes)];
    let mut since = vec![0; usize::from(nodes)];
    let mut out = vec![Vec::new(); usize::from(nodes)];
    for f in faults {
        let (n, next) = match f.action {
            Action::Crash(n) => (n, Status::Crashed),
            Action::Recover(n) if status[usize::from(n)] == Status::Crashed => (n, Status::Up),
            Action::Pause(n) if status[usize::from(n)] == Status::Up => (n, Status::Paused),
            Action::Resume(n) if status[usize::from(n)] == Status::Paused => (n, Status::Up),
            _ => continue,
        };
        let i = usize::from(n);
        if status[i] == Status::Up && next != Status::Up {
            since[i] = f.at;
        }
        if status[i] != Status::Up && next == Status::Up {
            out[i].push((since[i], f.at));
        }
        status[i] = next;
    }
    for (i, s) in status.iter().enumerate() {
        if *s != Status::Up {
            out[i].push((since[i], Tick::MAX));
        }
    }
    out
}

fn node_down_during(down: &[Vec<(Tick, Tick)>], node: NodeId, from: Tick, to: Tick) -> bool {
    down[usize::from(node)]
        .iter()
        .any(|&(a, b)| a <= to && from <= b)
}

fn ap_answers(r: &Run) -> Verdict {
    let down = down_intervals(r.faults, r.sim.node_count());
    let up_all_along = |o: &OpRecord| {
        let end = o.completed_at().unwrap_or(Tick::MAX);
        !node_down_during(&down, o.node, o.invoke, end)
    };
    over_ops(
        r,
        |o| !consistent_request(Mode::Ap, o) && up_all_along(o),
        served,
        |o| {
            format!(
                "op #{} ({}) at n{} sent at tick {} was not answered ({:?}) though its node was up",
                o.id,
                o.req.kind.as_str(),
                u32::from(o.node) + 1,
                o.invoke,
                o.outcome()
            )
        },
    )
}

/// Whether the mode makes `o` wait for other replicas (see `consistency-costs-a-round-trip`).
fn consistent_request(mode: Mode, o: &OpRecord) -> bool {
    match mode {
        Mode::Cp => o.req.consistency != Consistency::Eventual,
        Mode::Ap => matches!(o.req.consistency, Consistency::Strong | Consistency::Quorum),
        Mode::Ca | Mode::Quorum => false,
    }
}

fn pays_a_round_trip(r: &Run) -> Verdict {
    let sim = r.sim;
    let nodes = sim.node_count();
    if nodes < 2 {
        return Verdict::Vacuous;
    }
    // The lowest base latency a link had during the run: at the end, or set by a fault.
    let lowest = |a: NodeId, b: NodeId| {
        r.faults
            .iter()
            .filter_map(|f| match f.action {
                Action::SetLatency {
                    a: x,
                    b: y,
                    base_ticks,
                    ..
                } if (x, y) == (a, b) || (x, y) == (b, a) => Some(base_ticks),
                _ => None,
            })
            .fold(sim.link(a, b).base_ticks, Tick::min)
    };
    // The shortest round trip from `x` to another node.
    let round_trip = |x: NodeId| {
        (0..nodes)
            .filter(|y| *y != x)
            .map(|y| lowest(x, y) + lowest(y, x))
            .min()
            .unwrap_or(0)
    };
    let mode = sim.config().mode;
    over_ops(
        r,
        |o| o.outcome() == Some(Outcome::Ok) && consistent_request(mode, o),
        |o| {
            o.completed_at()
                .is_some_and(|c| c - o.invoke >= round_trip(o.node))
        },
        |o| {
            format!(
                "op #{} ({}) at n{} answered in {} ticks, under the {}-tick round trip",
                o.id,
                o.req.kind.as_str(),
                u32::from(o.node) + 1,
                o.completed_at().unwrap_or(o.invoke) - o.invoke,
                round_trip(o.node)
            )
        },
    )
}

/// A strong read misses no quorum write (a default AP write, confirmed by one replica, it may).
fn strong_reads_fresh(r: &Run) -> Verdict {
    let h = r.sim.history();
    // With LWW or vector clocks, a counter's update the conflict resolution drops is missed by
    // every later read: a lost update (the `lost updates` metric), not the read's fault.
    let c = r.sim.config();
    let case = c.case;
    if case != Case::Register && c.conflict != Conflict::Crdt {
        return Verdict::Vacuous;
    }
    let quorum_write = |id: &u32| {
        h.get(*id as usize)
            .is_some_and(|w| w.req.consistency == Consistency::Quorum)
    };
    over_ops(
        r,
        |o| o.req.kind == OpKind::Read && o.req.consistency == Consistency::Strong,
        |o| failed_before(h, case, o) || !o.missed.iter().any(quorum_write),
        |o| {
            format!(
                "strong read #{} at n{} missed quorum writes among {}",
                o.id,
                u32::from(o.node) + 1,
                ids(&o.missed)
            )
        },
    )
}

fn served_when_calm(r: &Run) -> Verdict {
    let first = first_fault(r);
    let calm = calm_since(r);
    let no_fault = |o: &OpRecord| {
        let end = o.completed_at().unwrap_or(Tick::MAX);
        first.is_none_or(|f| end < f) || calm.is_some_and(|c| o.invoke > c)
    };
    over_ops(r, no_fault, served, |o| {
        format!(
            "op #{} sent at tick {} with no fault in place was not served ({:?})",
            o.id,
            o.invoke,
            o.outcome()
        )
    })
}

/// Checks one promise over a run (`Vacuous` when it is not made for the run's configuration).
pub fn check(p: &Promise, r: &Run) -> Verdict {
    if !p.applies_to(r.sim) {
        return Verdict::Vacuous;
    }
    (p.check)(r)
}

/// A promise's results over many runs (a sweep, a property test).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Runs that met its condition (for `Sometimes`: every run looked at).
    pub runs: u64,
    /// Runs where it held (for `Sometimes`: runs that witnessed it).
    pub held: u64,
    pub violated: u64,
    pub unknown: u64,
    pub first_violation: Option<u64>,
    /// For `Sometimes`: the first seed that witnessed it.
    pub first_witness: Option<u64>,
}

impl Tally {
    /// Adds one run's verdict (runs must be added in seed order for `first_*` to be the first).
    pub fn add(&mut self, modality: Modality, seed: u64, v: &Verdict) {
        if modality == Modality::Sometimes {
            self.runs += 1;
        }
        match v {
            Verdict::Vacuous => {}
            Verdict::Held => {
                self.runs += u64::from(modality != Modality::Sometimes);
                self.held += 1;
                if modality == Modality::Sometimes {
                    self.first_witness.get_or_insert(seed);
                }
            }
            Verdict::Violated(_) => {
                self.runs += u64::from(modality != Modality::Sometimes);
                self.violated += 1;
                self.first_violation.get_or_insert(seed);
            }
            Verdict::Unknown => {
                self.runs += u64::from(modality != Modality::Sometimes);
                self.unknown += 1;
            }
        }
    }

    /// One word: `held`, `violated`, `unchecked` (no run met the condition), or for `Sometimes`
    /// `witnessed` / `not-witnessed`.
    pub fn status(&self, modality: Modality) -> &'static str {
        match modality {
            Modality::Sometimes if self.held > 0 => "witnessed",
            Modality::Sometimes => "not-witnessed",
            _ if self.violated > 0 => "violated",
            _ if self.runs == 0 => "unchecked",
            _ => "held",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::report;
    use crate::sim::scenario::Scenario;

    #[test]
    fn ids_are_unique_and_kebab_case() {
        for (i, p) in PROMISES.iter().enumerate() {
            assert!(p.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'));
            assert!(PROMISES[i + 1..].iter().all(|q| q.id != p.id), "{}", p.id);
            assert!(!p.shown.is_empty() && !p.text.is_empty());
            assert_eq!(by_id(p.id).map(|q| q.id), Some(p.id));
        }
    }

    #[test]
    fn down_intervals_follow_crash_pause_and_their_ends() {
        let at = |at, action| ScriptedAction { at, action };
        let f = [
            at(10, Action::Pause(0)),
            at(20, Action::Crash(0)),
            at(30, Action::Resume(0)), // still crashed
            at(40, Action::Recover(0)),
            at(50, Action::Crash(1)),
        ];
        let d = down_intervals(&f, 3);
        assert_eq!(d[0], vec![(10, 40)]);
        assert_eq!(d[1], vec![(50, Tick::MAX)]);
        assert!(d[2].is_empty());
    }

    /// A deliberately wrong promise ("no request is ever refused") is reported violated, with
    /// the first seed that broke it, and a true one held.
    #[test]
    fn a_tally_reports_the_first_violating_seed() {
        fn never_refuses(r: &Run) -> Verdict {
            match r.checks.refused {
                0 => Verdict::Held,
                n => Verdict::Violated(format!("{n} refusals")),
            }
        }
        let wrong = Promise {
            check: never_refuses,
            ..*by_id("cp-linearizable").unwrap()
        };
        let right = by_id("cp-bank-never-negative").unwrap();
        let (mut w, mut ok) = (Tally::default(), Tally::default());
        for seed in 1..4 {
            let mut s = Scenario::builtin("bank").unwrap();
            s.seed = seed;
            let mut sim = s.build().unwrap();
            sim.run_to_end();
            let c = report::checks(&sim, report::LIN_BUDGET);
            let run = Run {
                sim: &sim,
                checks: &c,
                faults: &s.faults,
            };
            w.add(wrong.modality, seed, &check(&wrong, &run));
            ok.add(right.modality, seed, &check(right, &run));
        }
        assert_eq!((w.runs, w.violated, w.first_violation), (3, 3, Some(1)));
        assert_eq!(w.status(wrong.modality), "violated");
        assert_eq!((ok.runs, ok.held, ok.violated), (3, 3, 0));
        assert_eq!(ok.status(right.modality), "held");
    }
}
