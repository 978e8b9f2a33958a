//! CP liveness, the promise "CP keeps the majority available": once a majority of nodes is
//! connected and no fault is active for a bounded time T, a leader exists and requests succeed.
//! Checked over random fault schedules (partitions, one-way cuts, crashes, pauses, held links,
//! loss, latency) on every built-in scenario run in CP, each schedule ending with everything
//! healed, recovered, resumed and restored at one tick.

use caplab::sim::action::Action;
use caplab::sim::proto::cp::MAX_ELECTION_BACKOFF;
use caplab::sim::scenario::{Overrides, Scenario, ScriptedAction};
use caplab::sim::types::{Consistency, Mode, NodeId, OpKind, Outcome, Request, Role, Tick};
use caplab::sim::world::Sim;
use proptest::prelude::*;

/// Election rounds T allows. One round is bounded by the constants (see [`bound`]); a round
/// fails only when two candidates collide, and after the backoff they rarely do.
const ROUNDS: Tick = 3;

#[derive(Clone, Debug)]
enum Fault {
    /// Nodes whose bit is set on one side, the rest on the other.
    Partition(u16),
    Cut(NodeId, NodeId),
    CutBoth(NodeId, NodeId),
    Isolate(NodeId),
    Crash(NodeId),
    Pause(NodeId),
    Hold(NodeId, NodeId),
    Loss(NodeId, NodeId, u16),
    Latency(NodeId, NodeId, Tick),
    Heal(NodeId, NodeId),
}

fn fault() -> impl Strategy<Value = Fault> {
    let n = || 0u8..9;
    prop_oneof![
        any::<u16>().prop_map(Fault::Partition),
        // In `crowd`, one region (n1-n3, n4-n6 or n7-n9) against the rest.
        prop::sample::select(vec![0o7u16, 0o70, 0o700]).prop_map(Fault::Partition),
        (n(), n()).prop_map(|(a, b)| Fault::Cut(a, b)),
        (n(), n()).prop_map(|(a, b)| Fault::CutBoth(a, b)),
        n().prop_map(Fault::Isolate),
        n().prop_map(Fault::Crash),
        n().prop_map(Fault::Pause),
        (n(), n()).prop_map(|(a, b)| Fault::Hold(a, b)),
        (n(), n(), 0u16..=1000).prop_map(|(a, b, l)| Fault::Loss(a, b, l)),
        (n(), n(), 1u64..2_000).prop_map(|(a, b, t)| Fault::Latency(a, b, t)),
        (n(), n()).prop_map(|(a, b)| Fault::Heal(a, b)),
    ]
}

/// The action for `f` in a cluster of `nodes` (node ids wrap), or none (a node to itself).
fn action(f: &Fault, nodes: u8) -> Option<Action> {
    let m = |x: NodeId| x % nodes;
    let pair = |a, b| (m(a) != m(b)).then_some((m(a), m(b)));
    Some(match *f {
        Fault::Partition(mask) => {
            let (one, two): (Vec<NodeId>, Vec<NodeId>) =
                (0..nodes).partition(|&i| mask & (1 << i) != 0);
            Action::Partition {
                sides: vec![one, two],
            }
        }
        Fault::Cut(a, b) => pair(a, b).map(|(from, to)| Action::Cut { from, to })?,
        Fault::CutBoth(a, b) => pair(a, b).map(|(a, b)| Action::CutBoth { a, b })?,
        Fault::Isolate(a) => Action::Isolate(m(a)),
        Fault::Crash(a) => Action::Crash(m(a)),
        Fault::Pause(a) => Action::Pause(m(a)),
        Fault::Hold(a, b) => pair(a, b).map(|(from, to)| Action::Hold { from, to })?,
        Fault::Loss(a, b, per_mille) => {
            pair(a, b).map(|(a, b)| Action::SetLoss { a, b, per_mille })?
        }
        Fault::Latency(a, b, base_ticks) => pair(a, b).map(|(a, b)| Action::SetLatency {
            a,
            b,
            base_ticks,
            jitter_ticks: base_ticks / 4,
        })?,
        Fault::Heal(a, b) => pair(a, b).map(|(a, b)| Action::Heal { a, b })?,
    })
}

/// The scenario's own latency of the link `a`–`b`: (base, jitter).
fn own_latency(s: &Scenario, a: NodeId, b: NodeId) -> (Tick, Tick) {
    let t = &s.timing;
    t.links
        .iter()
        .find(|l| (l.a, l.b) == (a, b) || (l.a, l.b) == (b, a))
        .map_or((t.latency_base_ticks, t.latency_jitter_ticks), |l| {
            (l.base_ticks, l.jitter_ticks)
        })
}

/// Everything back to the scenario's own network and every node up, at tick `at`.
fn end_of_faults(s: &Scenario, at: Tick) -> Vec<ScriptedAction> {
    let mut end = vec![Action::HealAll];
    for a in 0..s.nodes {
        end.push(Action::Recover(a));
        end.push(Action::Resume(a));
        for b in (a + 1)..s.nodes {
            let (base_ticks, jitter_ticks) = own_latency(s, a, b);
            end.push(Action::SetLatency {
                a,
                b,
                base_ticks,
                jitter_ticks,
            });
            let per_mille = s.timing.loss_per_mille;
            end.push(Action::SetLoss { a, b, per_mille });
        }
    }
    end.into_iter()
        .map(|action| ScriptedAction { at, action })
        .collect()
}

/// `name` in CP with `faults` at their ticks, all ended at `heal`, traffic only before `heal`.
fn scenario(name: &str, seed: u64, faults: &[(Tick, Fault)], heal: Tick) -> Scenario {
    let mut s = Scenario::builtin(name)
        .expect("built-in")
        .with_overrides(&Overrides {
            mode: Some(Mode::Cp),
            seed: Some(seed),
            ..Overrides::default()
        });
    s.faults = faults
        .iter()
        .filter_map(|(at, f)| {
            let action = action(f, s.nodes)?;
            Some(ScriptedAction { at: *at, action })
        })
        .collect();
    s.faults.extend(end_of_faults(&s, heal));
    if let Some(w) = s.workload.as_mut() {
        let span = w.end_tick.saturating_sub(w.start_tick).max(1);
        w.end_tick = w.end_tick.min(heal);
        let kept = w.end_tick.saturating_sub(w.start_tick);
        w.ops = (u64::from(w.ops) * kept / span) as u32;
    }
    s.requests.retain(|r| r.at < heal);
    s
}

/// T, from the protocol's constants and the scenario's latencies: a node that found no leader
/// for a while waits at most `hi << MAX_ELECTION_BACKOFF` before its election timer fires; a
/// round then needs a pre-vote and a vote round trip (4 one-way delays `d`) and the new
/// leader's first heartbeat; T allows [`ROUNDS`] such rounds.
fn bound(s: &Scenario) -> Tick {
    let t = &s.timing;
    let (_, hi) = t.election_timeout_ticks;
    let d = (0..s.nodes)
        .flat_map(|a| (0..s.nodes).map(move |b| (a, b)))
        .filter(|(a, b)| a != b)
        .map(|(a, b)| own_latency(s, a, b))
        .map(|(base, jitter)| base + jitter)
        .max()
        .unwrap_or(1);
    ROUNDS * ((hi << MAX_ELECTION_BACKOFF) + 4 * d + t.heartbeat_ticks)
}

fn leader(sim: &Sim) -> Option<NodeId> {
    (0..sim.node_count()).find(|&n| sim.view(n).role == Role::Leader)
}

/// Runs to `heal + T`, checks a leader exists, then sends a linearizable read from `client`
/// and returns its outcome (None: still unanswered when the client gave up).
fn probe(s: &mut Scenario, heal: Tick, client: usize) -> (Option<NodeId>, Option<Outcome>, Tick) {
    let at = heal + bound(s);
    s.end_tick = at + 2 * s.timing.client_timeout_ticks;
    let mut sim = s.build().expect("valid scenario");
    sim.run_until(at);
    assert!(sim.error().is_none(), "the run stopped: {:?}", sim.error());
    let who = leader(&sim);
    let client = (client % sim.clients().len()) as u8;
    let req = Request::simple(OpKind::Read, 0, Consistency::Default);
    sim.apply(Action::Request { client, req })
        .expect("client idle");
    let op = sim.history().len() - 1;
    sim.run_to_end();
    (who, sim.history()[op].outcome(), at)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, .. ProptestConfig::default() })]

    #[test]
    fn once_a_majority_is_connected_and_no_fault_is_active_for_t_a_leader_exists_and_requests_succeed(
        name in prop_oneof![Just("crowd"), prop::sample::select(Scenario::builtin_names())],
        seed in 0u64..1_000_000,
        faults in prop::collection::vec((100u64..4_000, fault()), 0..8),
        heal in 1_000u64..4_000,
        client in 0usize..9,
    ) {
        let faults: Vec<_> = faults.into_iter().map(|(at, f)| (at.min(heal - 1), f)).collect();
        let mut s = scenario(name, seed, &faults, heal);
        let (who, outcome, at) = probe(&mut s, heal, client);
        prop_assert!(who.is_some(), "{} seed {} faults {:?}: no leader at {}", name, seed, faults, at);
        prop_assert_eq!(outcome, Some(Outcome::Ok), "{} seed {} faults {:?}: read at {}", name, seed, faults, at);
    }
}

/// The measurement behind issue #12 (slow unoptimized: run with `-- --ignored`): over crowd
/// seeds `CROWD_SEEDS` (default 1..1001) in CP, every run serves some request sent after the
/// heal at 8000. Before the election backoff 14 of 1000 never did; after it, none.
#[test]
#[ignore]
fn crowd_cp_always_serves_again_after_the_heal() {
    let seeds = std::env::var("CROWD_SEEDS").unwrap_or_else(|_| "1..1001".into());
    let (a, b) = seeds.split_once("..").expect("CROWD_SEEDS is A..B");
    let (a, b): (u64, u64) = (a.parse().expect("A"), b.parse().expect("B"));
    let dead: Vec<u64> = (a..b)
        .filter(|&seed| {
            let s = Scenario::builtin("crowd")
                .expect("built-in")
                .with_overrides(&Overrides {
                    mode: Some(Mode::Cp),
                    seed: Some(seed),
                    ..Overrides::default()
                });
            let heal = s
                .faults
                .iter()
                .map(|f| f.at)
                .max()
                .expect("crowd has faults");
            let mut sim = s.build().expect("valid scenario");
            sim.run_to_end();
            !sim.history()
                .iter()
                .any(|r| r.invoke >= heal && r.outcome() == Some(Outcome::Ok))
        })
        .collect();
    eprintln!(
        "crowd CP seeds {a}..{b}: {} never serve after the heal {dead:?}",
        dead.len()
    );
    assert!(dead.is_empty(), "never served after the heal: {dead:?}");
}
