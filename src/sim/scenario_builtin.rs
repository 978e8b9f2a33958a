//! The built-in scenarios: `bank`, `feed`, `register`, `two-regions`.

use super::action::Action;
use super::scenario::{
    ClientSpec, LinkOverride, Scenario, ScenarioError, ScriptedAction, ScriptedRequest, Timing,
    SCENARIO_VERSION,
};
use super::types::{Case, ClientId, Conflict, Consistency, Mode, OpKind, Request, Tick};
use super::workload::{MixEntry, WorkloadSpec};

const NAMES: [&str; 5] = ["bank", "feed", "register", "two-regions", "crowd"];

/// When the built-in partitions start and heal.
const CUT_AT: Tick = 1500;
const HEAL_AT: Tick = 4500;

fn req(kind: OpKind, key: u8, key2: u8, arg: i64) -> Request {
    Request {
        kind,
        key,
        key2,
        arg,
        consistency: Consistency::Default,
    }
}

fn client(name: &str, node: u8) -> ClientSpec {
    ClientSpec {
        name: name.into(),
        node,
    }
}

fn mix(kinds: &[(OpKind, u32)]) -> Vec<MixEntry> {
    kinds
        .iter()
        .map(|&(kind, weight)| MixEntry { kind, weight })
        .collect()
}

/// A client's steady traffic: `pattern` repeated every `step` ticks in `from..=to`, leaving out
/// the ticks in `quiet` (so key requests placed there find the client free).
fn steady(
    c: ClientId,
    from: Tick,
    to: Tick,
    step: Tick,
    quiet: (Tick, Tick),
    pattern: &[Request],
) -> Vec<ScriptedRequest> {
    (from..=to)
        .step_by(step as usize)
        .filter(|t| !(quiet.0..=quiet.1).contains(t))
        .zip(pattern.iter().cycle())
        .map(|(at, r)| ScriptedRequest {
            at,
            client: c,
            req: *r,
        })
        .collect()
}

fn at(at: Tick, action: Action) -> ScriptedAction {
    ScriptedAction { at, action }
}

fn cut_n3() -> Vec<ScriptedAction> {
    vec![
        at(
            CUT_AT,
            Action::Partition {
                sides: vec![vec![0, 1], vec![2]],
            },
        ),
        at(HEAL_AT, Action::HealAll),
    ]
}

fn base(
    name: &str,
    description: &str,
    mode: Mode,
    case: Case,
    clients: Vec<ClientSpec>,
) -> Scenario {
    let mut s = Scenario::new(name, mode, case, clients);
    s.description = description.into();
    s
}

fn bank() -> Scenario {
    let mut s = base(
        "bank",
        "A bank on 3 nodes. n3 is cut off from n1 and n2 from 1500 to 4500 ms while Alice (n1) \
         and Bob (n3) both withdraw 80 from a checking balance of 100. Consistency matters: a balance \
         must never go negative.",
        Mode::Cp,
        Case::Bank,
        vec![client("Alice", 0), client("Bob", 2), client("Carol", 1)],
    );
    s.initial = vec![100, 0];
    let pattern = [
        req(OpKind::Deposit, 0, 0, 10),
        req(OpKind::Read, 0, 0, 0),
        req(OpKind::Withdraw, 0, 0, 15),
        req(OpKind::Read, 0, 0, 0),
    ];
    let quiet = (800, 3100);
    s.requests = steady(0, 200, 6000, 300, quiet, &pattern);
    s.requests
        .extend(steady(1, 350, 6000, 300, quiet, &pattern));
    s.requests.push(ScriptedRequest {
        at: 2000,
        client: 0,
        req: req(OpKind::Withdraw, 0, 0, 80),
    });
    s.requests.push(ScriptedRequest {
        at: 2000,
        client: 1,
        req: req(OpKind::Withdraw, 0, 0, 80),
    });
    for (c, t) in [(0, 7000), (1, 7000), (2, 7100)] {
        s.requests.push(ScriptedRequest {
            at: t,
            client: c,
            req: req(OpKind::Read, 0, 0, 0),
        });
    }
    s.workload = Some(WorkloadSpec {
        ops: 40,
        start_tick: 100,
        end_tick: 6000,
        mix: mix(&[
            (OpKind::Deposit, 3),
            (OpKind::Withdraw, 2),
            (OpKind::Transfer, 1),
            (OpKind::Read, 4),
        ]),
        amount: (5, 30),
        clients: vec![2],
        read_consistency: Consistency::Default,
    });
    s.faults = cut_n3();
    s
}

fn feed() -> Scenario {
    let mut s = base(
        "feed",
        "A social feed on 3 nodes. n3 is cut off from 1500 to 4500 ms; posts and likes keep \
         flowing on both sides and the replicas converge after the heal. Availability matters.",
        Mode::Ap,
        Case::Feed,
        vec![client("Alice", 0), client("Bob", 2), client("Carol", 1)],
    );
    s.workload = Some(WorkloadSpec {
        ops: 150,
        start_tick: 100,
        end_tick: 6000,
        mix: mix(&[(OpKind::Post, 2), (OpKind::Like, 5), (OpKind::Read, 3)]),
        amount: (0, 0),
        clients: Vec::new(),
        read_consistency: Consistency::Default,
    });
    for (c, t) in [(0, 7000), (1, 7000), (2, 7100)] {
        s.requests.push(ScriptedRequest {
            at: t,
            client: c,
            req: req(OpKind::Read, 0, 0, 0),
        });
    }
    s.faults = cut_n3();
    s
}

fn register() -> Scenario {
    let mut s = base(
        "register",
        "One register x on 3 nodes; n1 is isolated from 2000 to 4000 ms.",
        Mode::Cp,
        Case::Register,
        vec![client("Alice", 0), client("Bob", 2)],
    );
    s.workload = Some(WorkloadSpec {
        ops: 80,
        start_tick: 100,
        end_tick: 6000,
        mix: mix(&[(OpKind::Write, 1), (OpKind::Read, 1)]),
        amount: (0, 0),
        clients: Vec::new(),
        read_consistency: Consistency::Default,
    });
    s.requests.push(ScriptedRequest {
        at: 7000,
        client: 0,
        req: req(OpKind::Read, 0, 0, 0),
    });
    s.requests.push(ScriptedRequest {
        at: 7000,
        client: 1,
        req: req(OpKind::Read, 0, 0, 0),
    });
    s.faults = vec![at(2000, Action::Isolate(0)), at(4000, Action::HealAll)];
    s
}

fn two_regions() -> Scenario {
    let mut s = base(
        "two-regions",
        "n1 and n2 in US-East, n3 in Europe: messages take about 2 ms inside a region, 80 ms between regions. \
         The regions lose each other from 3000 to 4000 ms.",
        Mode::Cp,
        Case::Register,
        vec![client("Alice", 0), client("Bob", 2)],
    );
    s.timing.latency_base_ticks = 2;
    s.timing.latency_jitter_ticks = 1;
    s.timing.links = vec![
        LinkOverride {
            a: 0,
            b: 2,
            base_ticks: 80,
            jitter_ticks: 5,
        },
        LinkOverride {
            a: 1,
            b: 2,
            base_ticks: 80,
            jitter_ticks: 5,
        },
    ];
    s.end_tick = 7000;
    s.workload = Some(WorkloadSpec {
        ops: 80,
        start_tick: 100,
        end_tick: 5500,
        mix: mix(&[(OpKind::Write, 1), (OpKind::Read, 1)]),
        amount: (0, 0),
        clients: Vec::new(),
        read_consistency: Consistency::Default,
    });
    s.faults = vec![
        at(
            3000,
            Action::Partition {
                sides: vec![vec![0, 1], vec![2]],
            },
        ),
        at(4000, Action::HealAll),
    ];
    s
}

/// Nine replicas in three regions, a busy feed, and a region cut off for a while: the largest
/// cluster the lab allows, and the frame-time benchmark's load (hundreds of messages in flight).
fn crowd() -> Scenario {
    let names = [
        "Ana", "Ben", "Cai", "Dee", "Eli", "Fay", "Gus", "Hal", "Ivy",
    ];
    let clients = names
        .iter()
        .zip(0u8..)
        .map(|(n, node)| client(n, node))
        .collect();
    let mut s = base(
        "crowd",
        "A feed on nine replicas in three regions (n1-n3, n4-n6, n7-n9), ~150 ms apart. Nine \
         clients post and like; the third region is cut off from 4000 to 8000 ms.",
        Mode::Ap,
        Case::Feed,
        clients,
    );
    s.nodes = 9;
    s.conflict = Conflict::Crdt;
    s.end_tick = 14_000;
    s.timing.latency_base_ticks = 10;
    for a in 0..9u8 {
        for b in (a + 1)..9 {
            if a / 3 != b / 3 {
                s.timing.links.push(LinkOverride {
                    a,
                    b,
                    base_ticks: 150,
                    jitter_ticks: 30,
                });
            }
        }
    }
    s.timing.clock_skew_ticks = vec![0; 9];
    s.workload = Some(WorkloadSpec {
        ops: 3500,
        start_tick: 100,
        end_tick: 11_000,
        mix: mix(&[(OpKind::Post, 2), (OpKind::Like, 6), (OpKind::Read, 2)]),
        amount: (0, 0),
        clients: Vec::new(),
        read_consistency: Consistency::Default,
    });
    s.faults = vec![
        at(
            4000,
            Action::Partition {
                sides: vec![vec![0, 1, 2, 3, 4, 5], vec![6, 7, 8]],
            },
        ),
        at(8000, Action::HealAll),
    ];
    s
}

impl Scenario {
    /// A plain scenario to build on: 3 nodes, seed 1, LWW, default timing and quorum dials,
    /// end at tick 8000, no traffic and no faults yet.
    pub fn new(name: &str, mode: Mode, case: Case, clients: Vec<ClientSpec>) -> Scenario {
        Scenario {
            version: SCENARIO_VERSION,
            name: name.into(),
            description: String::new(),
            nodes: 3,
            mode,
            conflict: Conflict::Lww,
            n: None,
            r: None,
            w: None,
            case,
            initial: Vec::new(),
            seed: 1,
            end_tick: 8000,
            timing: Timing::default(),
            clients,
            workload: None,
            requests: Vec::new(),
            faults: Vec::new(),
        }
    }

    /// The names of the built-in scenarios.
    pub fn builtin_names() -> &'static [&'static str] {
        &NAMES
    }

    /// A built-in scenario by name.
    pub fn builtin(name: &str) -> Result<Scenario, ScenarioError> {
        match name {
            "bank" => Ok(bank()),
            "feed" => Ok(feed()),
            "register" => Ok(register()),
            "two-regions" => Ok(two_regions()),
            "crowd" => Ok(crowd()),
            other => Err(ScenarioError::UnknownBuiltin(other.to_string())),
        }
    }
}
