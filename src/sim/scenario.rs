//! What to run: a versioned, validated JSON description of a cluster, its traffic and its faults.
//!
//! `Scenario::from_json` checks the input size before parsing and every limit after; a scenario
//! built in code is checked by [`Scenario::validate`]. [`Scenario::build`] turns a valid scenario
//! into a ready-to-run [`Sim`]. Built-in scenarios live in `scenario_builtin.rs`.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::action::{validate_request, Action, SimError, MAX_LATENCY_TICKS};
use super::proto::ProtoConfig;
use super::text::{json_error, quote};
use super::types::{
    Case, ClientId, Conflict, Mode, NodeId, Request, Tick, MAX_CLIENTS, MAX_EVENTS,
    MAX_INPUT_BYTES, MAX_NODES, MAX_OPS, MAX_TICKS,
};
use super::workload::{generate, Planned, WorkloadSpec};
use super::world::{Sim, SimOptions};

/// The scenario format version this build reads and writes.
pub const SCENARIO_VERSION: u32 = 1;
const MAX_NAME_CHARS: usize = 80;
const MAX_DESCRIPTION_CHARS: usize = 2000;
const MAX_ABS_VALUE: i64 = 1_000_000_000_000;
const MAX_AMOUNT: i64 = 1_000_000_000;
/// In the work estimate, a message carrying a whole AP store counts as one event more for every
/// this many requests (the updates its values may carry).
const STORE_WEIGHT_OPS: u64 = 32;

/// A client: a name people see and the node it talks to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSpec {
    pub name: String,
    pub node: NodeId,
}

/// A latency override for both directions between two nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkOverride {
    pub a: NodeId,
    pub b: NodeId,
    pub base_ticks: Tick,
    pub jitter_ticks: Tick,
}

/// Timing knobs; every field has a default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Timing {
    pub latency_base_ticks: Tick,
    pub latency_jitter_ticks: Tick,
    pub links: Vec<LinkOverride>,
    /// Loss on every link, in 1/1000.
    pub loss_per_mille: u16,
    /// Per node (missing entries are 0).
    pub clock_skew_ticks: Vec<i64>,
    pub client_latency_ticks: Tick,
    pub client_timeout_ticks: Tick,
    pub election_timeout_ticks: (Tick, Tick),
    pub heartbeat_ticks: Tick,
    pub request_timeout_ticks: Tick,
    pub anti_entropy_ticks: Tick,
    pub hint_retry_ticks: Tick,
}

impl Default for Timing {
    fn default() -> Timing {
        let p = ProtoConfig::new(Mode::Cp, Conflict::Lww, Case::Register, 3);
        Timing {
            latency_base_ticks: 10,
            latency_jitter_ticks: 5,
            links: Vec::new(),
            loss_per_mille: 0,
            clock_skew_ticks: Vec::new(),
            client_latency_ticks: super::world::DEFAULT_CLIENT_LATENCY_TICKS,
            client_timeout_ticks: super::world::DEFAULT_CLIENT_TIMEOUT_TICKS,
            election_timeout_ticks: p.election_timeout_ticks,
            heartbeat_ticks: p.heartbeat_ticks,
            request_timeout_ticks: p.request_timeout_ticks,
            anti_entropy_ticks: p.anti_entropy_ticks,
            hint_retry_ticks: p.hint_retry_ticks,
        }
    }
}

/// A request sent by a client at a tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptedRequest {
    pub at: Tick,
    pub client: ClientId,
    pub req: Request,
}

/// An action (usually a fault) at a tick.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptedAction {
    pub at: Tick,
    pub action: Action,
}

/// A whole run's description. See the module doc.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub version: u32,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub nodes: u8,
    pub mode: Mode,
    #[serde(default = "default_conflict")]
    pub conflict: Conflict,
    /// Quorum dials; `None` = all nodes / majority / majority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub w: Option<u8>,
    pub case: Case,
    /// Initial integer value per key; empty = the case's default (bank: checking 100).
    #[serde(default)]
    pub initial: Vec<i64>,
    pub seed: u64,
    pub end_tick: Tick,
    #[serde(default)]
    pub timing: Timing,
    #[serde(default)]
    pub clients: Vec<ClientSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload: Option<WorkloadSpec>,
    #[serde(default)]
    pub requests: Vec<ScriptedRequest>,
    #[serde(default)]
    pub faults: Vec<ScriptedAction>,
}

fn default_conflict() -> Conflict {
    Conflict::Lww
}

/// Settings a caller (CLI, UI) may force over a scenario's own.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    pub mode: Option<Mode>,
    pub conflict: Option<Conflict>,
    pub n: Option<u8>,
    pub r: Option<u8>,
    pub w: Option<u8>,
    pub seed: Option<u64>,
}

/// Why a scenario was rejected. `Display` gives one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioError {
    /// The input is larger than `limit` bytes (checked before parsing).
    TooLarge { bytes: usize, limit: usize },
    /// Not valid scenario JSON.
    Parse(String),
    /// A format version this build does not read.
    Version { found: u32, supported: u32 },
    /// A number beyond its limit.
    Limit {
        what: String,
        value: i128,
        min: i128,
        max: i128,
    },
    /// Anything else that is inconsistent.
    Invalid(String),
    /// No built-in scenario has this name.
    UnknownBuiltin(String),
    /// The run would need about `estimate` events, more than the budget `limit`; `change`
    /// names the dials that would bring it under.
    TooManyEvents {
        estimate: u64,
        limit: u64,
        change: &'static str,
    },
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::TooLarge { bytes, limit } => {
                write!(f, "scenario is {bytes} bytes; the limit is {limit}")
            }
            ScenarioError::Parse(e) => write!(f, "scenario is not valid JSON: {e}"),
            ScenarioError::Version { found, supported } => {
                write!(f, "scenario version {found} is not supported (this build reads version {supported})")
            }
            ScenarioError::Limit {
                what,
                value,
                min,
                max,
            } => {
                write!(f, "{what} is {value}; it must be in {min}..={max}")
            }
            ScenarioError::Invalid(s) => write!(f, "invalid scenario: {s}"),
            ScenarioError::UnknownBuiltin(n) => {
                write!(f, "no built-in scenario is called '{}'", quote(n))
            }
            ScenarioError::TooManyEvents {
                estimate,
                limit,
                change,
            } => write!(
                f,
                "this scenario would need about {estimate} events (more than the limit \
                 {limit}): {change}"
            ),
        }
    }
}

impl std::error::Error for ScenarioError {}

fn limit(
    what: &str,
    value: impl Into<i128>,
    min: impl Into<i128>,
    max: impl Into<i128>,
) -> Result<(), ScenarioError> {
    let (value, min, max) = (value.into(), min.into(), max.into());
    if value < min || value > max {
        return Err(ScenarioError::Limit {
            what: what.to_string(),
            value,
            min,
            max,
        });
    }
    Ok(())
}

fn invalid(what: String) -> ScenarioError {
    ScenarioError::Invalid(what)
}

fn in_context(what: String) -> impl FnOnce(SimError) -> ScenarioError {
    move |e| invalid(format!("{what}: {e}"))
}

#[derive(Deserialize)]
struct VersionOnly {
    version: u32,
}

impl Scenario {
    /// Parses and validates a scenario. The size is checked before parsing.
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        if text.len() > MAX_INPUT_BYTES {
            return Err(ScenarioError::TooLarge {
                bytes: text.len(),
                limit: MAX_INPUT_BYTES,
            });
        }
        let v: VersionOnly =
            serde_json::from_str(text).map_err(|e| ScenarioError::Parse(json_error(&e)))?;
        if v.version != SCENARIO_VERSION {
            return Err(ScenarioError::Version {
                found: v.version,
                supported: SCENARIO_VERSION,
            });
        }
        let s: Scenario =
            serde_json::from_str(text).map_err(|e| ScenarioError::Parse(json_error(&e)))?;
        s.validate()?;
        Ok(s)
    }

    /// The scenario as pretty JSON (round-trips through `from_json`).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a scenario always serializes")
    }

    /// The scenario as one-line JSON (for share links).
    pub fn to_json_compact(&self) -> String {
        serde_json::to_string(self).expect("a scenario always serializes")
    }

    /// A copy with the caller's overrides applied (not validated: call `validate`).
    pub fn with_overrides(&self, o: &Overrides) -> Scenario {
        let mut s = self.clone();
        s.mode = o.mode.unwrap_or(s.mode);
        s.conflict = o.conflict.unwrap_or(s.conflict);
        s.n = o.n.or(s.n);
        s.r = o.r.or(s.r);
        s.w = o.w.or(s.w);
        s.seed = o.seed.unwrap_or(s.seed);
        s
    }

    /// The number of nodes, keys and ops, checked against the hard limits, plus every node,
    /// client and key reference checked to exist. One clear message per problem.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.version != SCENARIO_VERSION {
            return Err(ScenarioError::Version {
                found: self.version,
                supported: SCENARIO_VERSION,
            });
        }
        if self.name.trim().is_empty() {
            return Err(invalid("the name is empty".into()));
        }
        limit(
            "name length",
            self.name.chars().count() as u64,
            1,
            MAX_NAME_CHARS as u64,
        )?;
        limit(
            "description length",
            self.description.chars().count() as u64,
            0,
            MAX_DESCRIPTION_CHARS as u64,
        )?;
        limit("nodes", self.nodes, 1, MAX_NODES as u8)?;
        let n = self.n.unwrap_or(self.nodes);
        limit("n", n, 1, self.nodes)?;
        let majority = n / 2 + 1;
        limit("r", self.r.unwrap_or(majority), 1, n)?;
        limit("w", self.w.unwrap_or(majority), 1, n)?;
        limit(
            "initial values",
            self.initial.len() as u64,
            0,
            self.case.keys().len() as u64,
        )?;
        for v in &self.initial {
            limit("an initial value", *v, -MAX_ABS_VALUE, MAX_ABS_VALUE)?;
        }
        limit("end_tick", self.end_tick, 1, MAX_TICKS)?;
        self.validate_timing()?;
        limit("clients", self.clients.len() as u64, 0, MAX_CLIENTS as u64)?;
        for c in &self.clients {
            limit("a client name length", c.name.chars().count() as u64, 1, 40)?;
            if c.node >= self.nodes {
                return Err(invalid(format!(
                    "client '{}' is attached to n{}, but there are {} nodes",
                    quote(&c.name),
                    u32::from(c.node) + 1,
                    self.nodes
                )));
            }
        }
        self.validate_traffic()?;
        self.validate_work()
    }

    /// Refuses a scenario whose estimated event count is over `MAX_EVENTS`.
    fn validate_work(&self) -> Result<(), ScenarioError> {
        let (estimate, change) = self.estimated_events();
        if estimate > MAX_EVENTS {
            return Err(ScenarioError::TooManyEvents {
                estimate,
                limit: MAX_EVENTS,
                change,
            });
        }
        Ok(())
    }

    /// About how many events a run of this scenario processes, from its dials, and what to
    /// change to lower the largest part. Each part is what the engine does for it: a CP
    /// heartbeat is the leader's timer, an append and a reply per follower and the follower's
    /// re-armed election timer; a request is its client events plus a few messages per node.
    /// AP messages that carry whole stores (anti-entropy syncs, hints) cost in proportion to
    /// what the values carry, so each counts as `store_weight` events: an anti-entropy round is
    /// a timer, a sync and its answer per node; a hint retry a timer per node plus, as if every
    /// node held hints for every other (faults can come from the page), a hint per peer.
    /// Retries can add more: the engine's budget stops those runs.
    pub fn estimated_events(&self) -> (u64, &'static str) {
        let t = &self.timing;
        let nodes = u64::from(self.nodes);
        let peers = nodes.saturating_sub(1);
        let ops = self.planned_ops();
        let every = |period: Tick| self.end_tick / period.max(1);
        let store = 1 + ops / STORE_WEIGHT_OPS;
        let mut parts: Vec<(u64, &'static str)> = Vec::new();
        match self.mode {
            Mode::Cp => parts.push((
                every(t.heartbeat_ticks).saturating_mul(1 + 3 * peers),
                "raise timing.heartbeat_ticks or lower end_tick",
            )),
            Mode::Ap if peers > 0 => {
                parts.push((
                    every(t.anti_entropy_ticks).saturating_mul(nodes * (1 + 2 * store)),
                    "raise timing.anti_entropy_ticks or lower end_tick",
                ));
                parts.push((
                    every(t.hint_retry_ticks).saturating_mul(nodes * (1 + peers * store)),
                    "raise timing.hint_retry_ticks or lower end_tick",
                ));
            }
            Mode::Ap | Mode::Ca | Mode::Quorum => {}
        }
        parts.push((
            ops.saturating_mul(4 + 3 * nodes),
            "lower workload.ops or the number of nodes",
        ));
        let total = parts.iter().fold(0u64, |a, p| a.saturating_add(p.0));
        let largest = parts.iter().max_by_key(|p| p.0).map_or("", |p| p.1);
        (total, largest)
    }

    /// Requests the scenario sends: the workload's, the scripted ones and scripted faults that
    /// are requests.
    fn planned_ops(&self) -> u64 {
        let workload = self.workload.as_ref().map_or(0, |w| u64::from(w.ops));
        let scripted = self
            .faults
            .iter()
            .filter(|f| matches!(f.action, Action::Request { .. }))
            .count();
        workload + self.requests.len() as u64 + scripted as u64
    }

    fn validate_timing(&self) -> Result<(), ScenarioError> {
        let t = &self.timing;
        limit(
            "timing.latency_base_ticks",
            t.latency_base_ticks,
            0,
            MAX_LATENCY_TICKS,
        )?;
        limit(
            "timing.latency_jitter_ticks",
            t.latency_jitter_ticks,
            0,
            MAX_LATENCY_TICKS,
        )?;
        for l in &t.links {
            if l.a >= self.nodes || l.b >= self.nodes || l.a == l.b {
                return Err(invalid(format!(
                    "timing.links: {}-{} is not a link between two of the {} nodes",
                    l.a, l.b, self.nodes
                )));
            }
            limit("a link's base_ticks", l.base_ticks, 0, MAX_LATENCY_TICKS)?;
            limit(
                "a link's jitter_ticks",
                l.jitter_ticks,
                0,
                MAX_LATENCY_TICKS,
            )?;
        }
        limit("timing.loss_per_mille", t.loss_per_mille, 0, 1000)?;
        limit(
            "timing.clock_skew_ticks entries",
            t.clock_skew_ticks.len() as u64,
            0,
            u64::from(self.nodes),
        )?;
        for s in &t.clock_skew_ticks {
            limit("a clock skew", *s, -(MAX_TICKS as i64), MAX_TICKS as i64)?;
        }
        limit(
            "timing.client_latency_ticks",
            t.client_latency_ticks,
            1,
            10_000,
        )?;
        limit(
            "timing.client_timeout_ticks",
            t.client_timeout_ticks,
            2 * t.client_latency_ticks + 1,
            MAX_TICKS,
        )?;
        let (lo, hi) = t.election_timeout_ticks;
        limit("the election timeout's low end", lo, 1, MAX_TICKS)?;
        limit("the election timeout's high end", hi, lo, MAX_TICKS)?;
        limit("timing.heartbeat_ticks", t.heartbeat_ticks, 1, MAX_TICKS)?;
        limit(
            "timing.request_timeout_ticks",
            t.request_timeout_ticks,
            1,
            MAX_TICKS,
        )?;
        limit(
            "timing.anti_entropy_ticks",
            t.anti_entropy_ticks,
            1,
            MAX_TICKS,
        )?;
        limit("timing.hint_retry_ticks", t.hint_retry_ticks, 1, MAX_TICKS)
    }

    fn validate_traffic(&self) -> Result<(), ScenarioError> {
        let clients = self.clients.len();
        let mut ops: u64 = self.requests.len() as u64;
        if let Some(w) = &self.workload {
            limit("workload.ops", w.ops, 0, MAX_OPS as u32)?;
            ops += u64::from(w.ops);
            limit("workload.end_tick", w.end_tick, w.start_tick, self.end_tick)?;
            if w.mix.is_empty() || w.mix.iter().all(|m| m.weight == 0) {
                return Err(invalid(
                    "workload.mix needs at least one kind with a weight above 0".into(),
                ));
            }
            for m in &w.mix {
                if !self.case.op_kinds().contains(&m.kind) {
                    return Err(invalid(format!(
                        "workload.mix: {} is not an operation of the {} case",
                        m.kind.as_str(),
                        self.case.as_str()
                    )));
                }
                limit("a workload weight", m.weight, 0, 1_000_000)?;
            }
            limit("workload.amount low end", w.amount.0, 0, MAX_AMOUNT)?;
            limit(
                "workload.amount high end",
                w.amount.1,
                w.amount.0,
                MAX_AMOUNT,
            )?;
            if w.ops > 0 && clients == 0 {
                return Err(invalid("the workload needs at least one client".into()));
            }
            if let Some(c) = w.clients.iter().find(|c| usize::from(**c) >= clients) {
                return Err(invalid(format!(
                    "workload.clients: client {c} does not exist ({clients} clients)"
                )));
            }
        }
        for (i, r) in self.requests.iter().enumerate() {
            limit("a request's tick", r.at, 0, self.end_tick)?;
            Action::Request {
                client: r.client,
                req: r.req,
            }
            .validate(self.case, self.nodes, clients)
            .map_err(in_context(format!("requests[{i}]")))?;
        }
        limit(
            "scripted faults",
            self.faults.len() as u64,
            0,
            MAX_OPS as u64,
        )?;
        for (i, f) in self.faults.iter().enumerate() {
            limit("a fault's tick", f.at, 0, self.end_tick)?;
            f.action
                .validate(self.case, self.nodes, clients)
                .map_err(in_context(format!("faults[{i}]")))?;
            if let Action::Request { req, .. } = &f.action {
                validate_request(self.case, req).map_err(in_context(format!("faults[{i}]")))?;
                ops += 1;
            }
        }
        limit("operations (workload + scripted)", ops, 0, MAX_OPS as u64)
    }

    /// The protocol configuration this scenario describes.
    pub fn proto_config(&self) -> ProtoConfig {
        let mut cfg = ProtoConfig::new(self.mode, self.conflict, self.case, self.nodes);
        cfg.n = self.n.unwrap_or(cfg.n);
        let majority = cfg.n / 2 + 1;
        cfg.r = self.r.unwrap_or(majority);
        cfg.w = self.w.unwrap_or(majority);
        if !self.initial.is_empty() {
            cfg.initial = self.initial.clone();
            cfg.initial.resize(self.case.keys().len(), 0);
        }
        let t = &self.timing;
        cfg.election_timeout_ticks = t.election_timeout_ticks;
        cfg.heartbeat_ticks = t.heartbeat_ticks;
        cfg.request_timeout_ticks = t.request_timeout_ticks;
        cfg.anti_entropy_ticks = t.anti_entropy_ticks;
        cfg.hint_retry_ticks = t.hint_retry_ticks;
        cfg.clock_skew_ticks = (0..usize::from(self.nodes))
            .map(|i| t.clock_skew_ticks.get(i).copied().unwrap_or(0))
            .collect();
        cfg
    }

    /// Every request the run will try to send: the drawn workload and the scripted requests,
    /// sorted by tick (workload first among equal ticks).
    pub fn planned_requests(&self) -> Vec<Planned> {
        let mut all = match &self.workload {
            Some(w) => generate(w, self.case, self.clients.len(), self.seed),
            None => Vec::new(),
        };
        all.extend(self.requests.iter().map(|r| Planned {
            tick: r.at,
            client: r.client,
            req: r.req,
        }));
        super::workload::sort_by_tick(&mut all);
        all
    }

    /// Validates and builds the run at tick 0, with every fault and request scheduled.
    pub fn build(&self) -> Result<Sim, ScenarioError> {
        self.validate()?;
        let t = &self.timing;
        let mut opts = SimOptions::new(self.seed, self.end_tick);
        opts.clients = self
            .clients
            .iter()
            .map(|c| (c.name.clone(), c.node))
            .collect();
        opts.latency_base_ticks = t.latency_base_ticks;
        opts.latency_jitter_ticks = t.latency_jitter_ticks;
        opts.client_latency_ticks = t.client_latency_ticks;
        opts.client_timeout_ticks = t.client_timeout_ticks;
        let mut sim =
            Sim::new(self.proto_config(), opts).map_err(in_context("configuration".into()))?;
        let ctx = || in_context("setting up".into());
        for l in &t.links {
            let a = Action::SetLatency {
                a: l.a,
                b: l.b,
                base_ticks: l.base_ticks,
                jitter_ticks: l.jitter_ticks,
            };
            sim.apply(a).map_err(ctx())?;
        }
        if t.loss_per_mille > 0 {
            for a in 0..self.nodes {
                for b in a + 1..self.nodes {
                    sim.apply(Action::SetLoss {
                        a,
                        b,
                        per_mille: t.loss_per_mille,
                    })
                    .map_err(ctx())?;
                }
            }
        }
        for f in &self.faults {
            sim.schedule(f.at, f.action.clone()).map_err(ctx())?;
        }
        for p in self.planned_requests() {
            sim.schedule(
                p.tick,
                Action::Request {
                    client: p.client,
                    req: p.req,
                },
            )
            .map_err(ctx())?;
        }
        Ok(sim)
    }
}
