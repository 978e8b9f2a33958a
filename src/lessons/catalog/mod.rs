//! The lesson catalog: the twelve lessons in reading order, one file per lesson (or per pair of
//! lessons sharing a scenario), and the builders of their scripted scenarios. The narration
//! pieces the lessons share are in `paragraphs.rs`.

use super::{Lesson, Stage, Watch};
use crate::sim::action::Action;
use crate::sim::scenario::{ClientSpec, Scenario, ScriptedAction, ScriptedRequest};
use crate::sim::types::{Case, ClientId, Consistency, Mode, NodeId, OpKind, Request, Tick};

mod bank;
mod ca_single;
mod cp_vs_ap;
mod feed;
mod handoff;
mod intro;
mod levels;
mod paragraphs;
mod partition;
mod quorum;
mod regions;

/// The twelve lessons, in reading order.
pub fn catalog() -> Vec<Lesson> {
    vec![
        intro::intro(),
        partition::partition(),
        ca_single::ca_single(),
        bank::bank_cp(),
        bank::bank_ap(),
        feed::feed_ap(),
        feed::feed_vclock(),
        quorum::quorum(),
        levels::consistency_levels(),
        regions::two_regions(),
        handoff::hinted_handoff(),
        cp_vs_ap::cp_vs_ap(),
    ]
}

/// The cut that the bank, feed and cp-vs-ap lessons share: n3 is cut off at `CUT` and every link
/// heals at `HEAL` (see [`cut_n3`]).
const CUT: Tick = 1500;
const HEAL: Tick = 4000;
/// Bob's withdrawal / like at n3 while it is cut off.
const BOB_ASKS: Tick = 2500;

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

/// The op `client` sends at tick `at` in stage `stage` (what a question is about).
pub(super) fn watch(stage: usize, client: ClientId, at: Tick) -> Watch {
    Watch { stage, client, at }
}

pub(super) fn stage(label: &'static str, scenario: Scenario) -> Stage {
    Stage { label, scenario }
}
