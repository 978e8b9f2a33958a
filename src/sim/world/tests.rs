//! The engine checked from outside, through its read API: its bounds and "every op completes
//! once" over random fault schedules, link pairs and the click rules.

use proptest::prelude::*;

use super::{Sim, SimOptions, MAX_QUEUED};
use crate::sim::action::Action;
use crate::sim::nemesis::{self, NemesisSpec};
use crate::sim::net::{click_actions, shift_click_actions, LinkMode, PairState};
use crate::sim::proto::ProtoConfig;
use crate::sim::scenario::{Overrides, Scenario};
use crate::sim::types::{Case, Conflict, Mode, NodeId, Status};
use crate::sim::types::{Completion, MAX_IN_FLIGHT};

fn cluster(seed: u64) -> Sim {
    let cfg = ProtoConfig::new(Mode::Cp, Conflict::Lww, Case::Register, 3);
    let mut o = SimOptions::new(seed, 2_000);
    o.clients = vec![("Alice".into(), 0), ("Bob".into(), 1)];
    Sim::new(cfg, o).expect("a valid cluster")
}

/// Puts the direction `from → to` in `mode` (0 up, 1 cut, 2 held).
fn set_mode(sim: &mut Sim, from: NodeId, to: NodeId, mode: u8) {
    let action = match mode {
        0 => return,
        1 => Action::Cut { from, to },
        _ => Action::Hold { from, to },
    };
    sim.apply(action).expect("a valid fault");
}

fn click(sim: &mut Sim, actions: Vec<Action>) {
    for a in actions {
        sim.apply(a).expect("a click's action applies");
    }
}

/// Two different nodes of three.
fn pair_of(a: NodeId, offset: NodeId) -> (NodeId, NodeId) {
    (a % 3, (a + 1 + offset % 2) % 3)
}

#[test]
fn pair_state_reads_both_directions() {
    let mut sim = cluster(1);
    assert_eq!(sim.pair(0, 1), PairState::Up);
    sim.apply(Action::Cut { from: 1, to: 0 }).unwrap();
    let one_way = PairState::OneWay { from: 1, to: 0 };
    assert_eq!((sim.pair(0, 1), sim.pair(1, 0)), (one_way, one_way));
    assert!(sim.reachable(0, 1) && !sim.reachable(1, 0));
    sim.apply(Action::Hold { from: 0, to: 1 }).unwrap();
    assert_eq!(sim.pair(0, 1), PairState::Held, "held wins over cut");
    sim.apply(Action::Heal { a: 0, b: 1 }).unwrap();
    sim.apply(Action::CutBoth { a: 1, b: 2 }).unwrap();
    assert_eq!(
        (sim.pair(0, 1), sim.pair(2, 1)),
        (PairState::Up, PairState::Cut)
    );
    sim.apply(Action::Crash(0)).unwrap();
    assert!(!sim.reachable(1, 0) && !sim.reachable(0, 0) && sim.reachable(1, 1));
}

/// Steps `sim` to its end, checking after every event what the engine promises: bounded
/// messages and queue, and every op completed at most once (a completion never changes), after
/// its invocation and by its timeout. At the end no op is pending past its timeout.
fn run_checked(mut sim: Sim, timeout: u64) -> Result<(), TestCaseError> {
    let mut ended: Vec<Option<Completion>> = Vec::new();
    while sim.step().is_some() {
        prop_assert!(sim.in_flight_count() <= MAX_IN_FLIGHT && sim.queued_events() <= MAX_QUEUED);
        prop_assert_eq!(sim.in_flight().len(), sim.in_flight_count());
        for (o, was) in sim.history().iter().zip(&ended) {
            if was.is_some() {
                prop_assert_eq!(&o.completion, was, "op {} completed again", o.id);
            }
        }
        ended = sim.history().iter().map(|o| o.completion.clone()).collect();
        for o in sim.history() {
            if let Some(at) = o.completed_at() {
                prop_assert!(o.invoke <= at && at <= o.invoke + timeout, "op {}", o.id);
            }
        }
    }
    prop_assert!(sim.error().is_none(), "{:?}", sim.error());
    for o in sim.history().iter().filter(|o| o.completion.is_none()) {
        prop_assert!(
            o.invoke + timeout > sim.end_tick(),
            "op {} is overdue",
            o.id
        );
    }
    let waiting = sim.clients().iter().filter(|c| c.pending.is_some()).count();
    prop_assert_eq!(
        waiting,
        sim.history()
            .iter()
            .filter(|o| o.completion.is_none())
            .count()
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// The engine's invariants hold in every mode under a random nemesis schedule.
    #[test]
    fn invariants_hold_under_random_faults(mode in 0u8..4, fault_seed in any::<u64>()) {
        let mode = [Mode::Ca, Mode::Cp, Mode::Ap, Mode::Quorum][usize::from(mode)];
        let over = Overrides { mode: Some(mode), ..Overrides::default() };
        let base = Scenario::builtin("bank").expect("built-in").with_overrides(&over);
        let spec = NemesisSpec::for_scenario(&base);
        let s = nemesis::with_random_faults(&base, &spec, fault_seed).expect("a schedule");
        run_checked(s.build().expect("a valid scenario"), s.timing.client_timeout_ticks)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// From any pair state, at most three shift-clicks bring the pair back up (the first three
    /// from up go through a→b cut, b→a cut), and a plain click on a pair not up heals it.
    #[test]
    fn clicks_return_a_link_to_up(a in 0u8..3, offset in 0u8..2, ab in 0u8..3, ba in 0u8..3) {
        let (a, b) = pair_of(a, offset);
        let mut sim = cluster(2);
        set_mode(&mut sim, a, b, ab);
        set_mode(&mut sim, b, a, ba);
        let start = sim.pair(a, b);
        prop_assert_eq!(start, sim.pair(b, a), "one state for both orders");
        for (x, y) in [(a, b), (b, a)] {
            let up = sim.link(x, y).mode == LinkMode::Up;
            prop_assert_eq!(sim.reachable(x, y), up);
        }
        let mut plain = sim.clone();
        click(&mut plain, click_actions(a, b, start));
        let healed = if start == PairState::Up { PairState::Cut } else { PairState::Up };
        prop_assert_eq!(plain.pair(a, b), healed);

        let mut seen = vec![start];
        while sim.pair(a, b) != PairState::Up || seen.len() == 1 && start == PairState::Up {
            prop_assert!(seen.len() <= 3, "stuck in a cycle: {:?}", seen);
            let state = sim.pair(a, b);
            click(&mut sim, shift_click_actions(a, b, state));
            seen.push(sim.pair(a, b));
        }
        if start == PairState::Up {
            let cycle = [
                PairState::Up,
                PairState::OneWay { from: a, to: b },
                PairState::OneWay { from: b, to: a },
                PairState::Up,
            ];
            prop_assert_eq!(&seen[..], &cycle[..]);
        }
        prop_assert!(sim.status(a) == Status::Up && sim.reachable(a, b) && sim.reachable(b, a));
    }
}

/// Runs `sim` until some message is on its way; returns it.
fn first_flight(sim: &mut Sim) -> crate::sim::action::Flight {
    while sim.in_flight().is_empty() {
        sim.step().expect("a CP cluster keeps talking");
    }
    sim.in_flight()[0]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Dropping a message removes exactly that one, now, as the reader's drop; delaying one
    /// moves exactly its arrival; an id no longer on its way is refused and changes nothing.
    #[test]
    fn a_reader_drops_or_delays_exactly_one_message(seed in 0u64..1000, skip in 0usize..40, ticks in 1u64..500) {
        let mut sim = cluster(seed);
        for _ in 0..skip {
            first_flight(&mut sim);
            sim.step();
        }
        let f = first_flight(&mut sim);
        let before = sim.in_flight();
        let mut delayed = sim.clone();
        sim.apply(Action::DropMessage(f.id)).unwrap();
        let after = sim.in_flight();
        prop_assert_eq!(after.len() + 1, before.len());
        prop_assert!(after.iter().all(|g| g.id != f.id));
        let last = *sim.recent_drops().last().unwrap();
        prop_assert_eq!((last.cause, last.from, last.to, last.tick), (crate::sim::action::DropCause::Reader, f.from, f.to, sim.now()));
        let hash = sim.trace_hash();
        prop_assert!(sim.apply(Action::DropMessage(f.id)).is_err());
        prop_assert_eq!(sim.trace_hash(), hash);

        delayed.apply(Action::DelayMessage { id: f.id, ticks }).unwrap();
        let moved: Vec<_> = delayed.in_flight().into_iter().filter(|g| g.id == f.id).collect();
        prop_assert_eq!(moved.len(), 1);
        prop_assert_eq!(moved[0].deliver, f.deliver + ticks);
        prop_assert_eq!(delayed.in_flight().len(), before.len());
    }
}

/// What a reader sees inside each node agrees with the node's own summary and with the
/// protocol's rules: a Raft log's newest entries, numbered up to its length, committed up to the
/// commit index, peers listed by a leader only; AP hints as many as the stage's hint count; a
/// quorum's last read and write gathered at least R and W replicas.
fn check_inside(sim: &Sim) -> Result<(), TestCaseError> {
    use crate::sim::proto::inside::{Inside, MAX_LOG_SHOWN};
    use crate::sim::types::Role;
    let cfg = sim.config();
    for n in 0..sim.node_count() {
        match sim.inside(n) {
            Inside::Ca { holds_data } => prop_assert_eq!(holds_data, sim.holds_key(n, 0)),
            Inside::Cp(c) => {
                prop_assert!(c.commit <= c.log_len && c.log.len() <= MAX_LOG_SHOWN);
                prop_assert_eq!(c.log.last().map_or(0, |l| l.index), c.log_len);
                prop_assert!(c.log.iter().all(|l| l.committed == (l.index <= c.commit)));
                prop_assert!(c
                    .log
                    .windows(2)
                    .all(|w| w[0].index + 1 == w[1].index && w[0].term <= w[1].term));
                let leading = c.role == Role::Leader;
                prop_assert_eq!(
                    c.peers.len(),
                    if leading {
                        usize::from(cfg.nodes) - 1
                    } else {
                        0
                    }
                );
                prop_assert!(c.peers.iter().all(|(_, m)| *m <= c.log_len));
                let summary = format!("term {} · log {} · commit {}", c.term, c.log_len, c.commit);
                prop_assert_eq!(sim.view(n).version, summary);
            }
            Inside::Ap(a) => prop_assert_eq!(a.hints.len(), sim.view(n).hints as usize),
            Inside::Quorum(q) => {
                prop_assert!(q
                    .last_read
                    .iter()
                    .all(|(_, who)| who.len() >= usize::from(cfg.r)));
                prop_assert!(q
                    .last_write
                    .iter()
                    .all(|(_, who)| who.len() >= usize::from(cfg.w)));
                for (k, stored) in q.keys.iter().enumerate() {
                    prop_assert_eq!(stored.is_some(), cfg.holds(n, k as u8));
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn what_a_reader_sees_inside_a_node_is_true(mode in 1u8..4, fault_seed in any::<u64>(), every in 5usize..40) {
        let mode = [Mode::Ca, Mode::Cp, Mode::Ap, Mode::Quorum][usize::from(mode)];
        let over = Overrides { mode: Some(mode), ..Overrides::default() };
        let base = Scenario::builtin("bank").expect("built-in").with_overrides(&over);
        let spec = NemesisSpec::for_scenario(&base);
        let s = nemesis::with_random_faults(&base, &spec, fault_seed).expect("a schedule");
        let mut sim = s.build().expect("a valid scenario");
        let mut i = 0;
        while sim.step().is_some() {
            i += 1;
            if i % every == 0 {
                check_inside(&sim)?;
            }
        }
        check_inside(&sim)?;
    }
}

#[test]
fn a_quorum_coordinator_remembers_its_last_quorums_and_a_leader_its_log() {
    use crate::sim::proto::inside::Inside;
    for mode in [Mode::Quorum, Mode::Cp] {
        let over = Overrides {
            mode: Some(mode),
            ..Overrides::default()
        };
        let mut sim = Scenario::builtin("bank")
            .unwrap()
            .with_overrides(&over)
            .build()
            .unwrap();
        sim.run_to_end();
        let seen = (0..sim.node_count()).filter(|n| match sim.inside(*n) {
            Inside::Quorum(q) => q.last_read.is_some() && q.last_write.is_some(),
            Inside::Cp(c) => c.log.iter().any(|l| l.op.is_some() && l.committed),
            _ => false,
        });
        assert!(seen.count() > 0, "{mode:?}: no node shows what it did");
    }
}

/// A write is pending somewhere while it is being settled (CP: in a log past the commit index;
/// AP / quorum: at its coordinator, waiting for acks), and nowhere once the cluster is quiet.
#[test]
fn a_write_is_pending_while_it_settles_and_nowhere_after() {
    use crate::sim::types::{Consistency, OpKind, Request};
    for mode in [Mode::Cp, Mode::Ap, Mode::Quorum] {
        let cfg = ProtoConfig::new(mode, Conflict::Lww, Case::Bank, 3);
        let mut o = SimOptions::new(3, 3_000);
        o.clients = vec![("Alice".into(), 0)];
        let mut sim = Sim::new(cfg, o).unwrap();
        sim.run_until(1_000);
        let req = Request::simple(OpKind::Deposit, 20, Consistency::Default);
        sim.apply(Action::Request { client: 0, req }).unwrap();
        let mut seen = 0;
        while sim.history()[0].completion.is_none() && sim.step().is_some() {
            seen = seen.max((0..3).map(|n| sim.pending_writes(n)).sum::<u32>());
        }
        assert!(
            seen > 0,
            "{mode:?}: the write was pending somewhere while it settled"
        );
        sim.run_to_end();
        let left: Vec<u32> = (0..3).map(|n| sim.pending_writes(n)).collect();
        assert_eq!(left, [0, 0, 0], "{mode:?}: nothing pending once quiet");
    }
}
