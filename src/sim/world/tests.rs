//! The engine checked from outside, through its read API: link pairs and the click rules.

use proptest::prelude::*;

use super::{Sim, SimOptions};
use crate::sim::action::Action;
use crate::sim::net::{click_actions, shift_click_actions, LinkMode, PairState};
use crate::sim::proto::ProtoConfig;
use crate::sim::types::{Case, Conflict, Mode, NodeId, Status};

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
