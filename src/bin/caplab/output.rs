//! What the CLI prints: readable summaries and JSON reports.

use std::fmt::Write;
use std::io::Write as _;

use caplab::sim::check::lin::LinResult;
use caplab::sim::check::stats::Totals;
use caplab::sim::check::Checks;
use caplab::sim::scenario::Scenario;
use caplab::sim::text::quote;
use caplab::sim::types::{node_name, OpId, OpRecord, Outcome};
use caplab::sim::world::Sim;
use serde_json::{json, Value as Json};

use crate::args::Seeds;
use crate::commands::{Tally, ANOMALIES};

/// Why a command stopped: bad input (exit 2), or a stdout that would not take the output
/// (closed early, as by `| head`, or full): exit 1. Either is one line on stderr.
#[derive(Debug)]
pub enum Fail {
    Input(String),
    Output(String),
}

impl From<String> for Fail {
    fn from(s: String) -> Fail {
        Fail::Input(s)
    }
}

impl From<&str> for Fail {
    fn from(s: &str) -> Fail {
        Fail::Input(s.to_string())
    }
}

/// Writes `text` to stdout and flushes it. A closed or full stdout is an error, never a panic.
pub fn emit(text: &str) -> Result<(), Fail> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| {
            Fail::Output(match e.kind() {
                std::io::ErrorKind::BrokenPipe => {
                    "stdout was closed before all the output was written".to_string()
                }
                _ => format!("cannot write to stdout: {e}"),
            })
        })
}

fn op_json(o: &OpRecord) -> Json {
    let mut j = json!({
        "id": o.id,
        "client": o.client,
        "node": node_name(o.node),
        "kind": o.req.kind.as_str(),
        "key": o.req.key,
        "arg": o.req.arg,
        "invoke": o.invoke,
        "complete": o.complete,
        "outcome": o.outcome.map(|x| x.slug()),
        "value": o.value,
    });
    if let Some(Outcome::Refused(r)) = o.outcome {
        j["reason"] = json!(r.slug());
        j["reason_text"] = json!(r.describe(o.node));
    }
    if o.is_stale() {
        j["stale"] = json!(true);
        j["missed"] = json!(o.missed);
        j["fresh"] = json!(o.fresh);
    }
    j
}

pub fn run_json(s: &Scenario, sim: &Sim, c: &Checks) -> Json {
    json!({
        "scenario": s.name,
        "mode": s.mode.as_str(),
        "conflict": s.conflict.as_str(),
        "case": s.case.as_str(),
        "nodes": s.nodes,
        "seed": s.seed,
        "end_tick": sim.end_tick(),
        "events": sim.events_processed(),
        "trace_hash": format!("{:016x}", sim.trace_hash()),
        "ops": sim.history().iter().map(op_json).collect::<Vec<_>>(),
        "checks": c,
    })
}

fn yes_no(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "yes",
        Some(false) => "NO",
        None => "unknown (search budget ran out)",
    }
}

fn ids(v: &[OpId]) -> String {
    let shown: Vec<String> = v.iter().take(12).map(|i| format!("#{i}")).collect();
    let more = if v.len() > 12 {
        format!(" … (+{})", v.len() - 12)
    } else {
        String::new()
    };
    shown.join(" ") + &more
}

pub fn run_text(s: &Scenario, sim: &Sim, c: &Checks) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "scenario {} · mode {} · conflict {} · {} nodes · seed {} · {} ticks · {} events · trace {:016x}",
        quote(&s.name),
        s.mode.as_str(),
        s.conflict.as_str(),
        s.nodes,
        s.seed,
        sim.end_tick(),
        sim.events_processed(),
        sim.trace_hash()
    );
    let finished = c.ok + c.refused + c.timeouts;
    let _ = writeln!(
        t,
        "requests   {finished} finished: {} ok, {} refused, {} timed out · availability {:.1}%",
        c.ok,
        c.refused,
        c.timeouts,
        c.availability * 100.0
    );
    for n in &c.per_node {
        let _ = writeln!(
            t,
            "  at {}     {} ok, {} refused, {} timed out · availability {:.1}%",
            node_name(n.node),
            n.ok,
            n.refused,
            n.timeouts,
            n.availability * 100.0
        );
    }
    let lat = |v: Option<u64>| v.map_or("-".to_string(), |x| format!("{x} ticks"));
    let _ = writeln!(
        t,
        "latency    p50 {} · p99 {}",
        lat(c.latency_p50),
        lat(c.latency_p99)
    );
    let _ = writeln!(t, "linearizable   {}", yes_no(c.linearizable));
    if c.linearizable == Some(false) {
        let _ = writeln!(t, "  cannot be ordered: {}", ids(&c.lin_counterexample));
    }
    let _ = writeln!(t, "stale reads    {} {}", c.stale_reads, ids(&c.stale_ops));
    let _ = writeln!(t, "lost updates   {} {}", c.lost_updates, ids(&c.lost_ops));
    let conv = match (c.converged, c.converge_ticks) {
        (true, Some(k)) => format!("yes, {k} ticks after the last fault ended"),
        (true, None) => "yes".to_string(),
        (false, _) => "NO".to_string(),
    };
    let _ = writeln!(t, "converged      {conv}");
    if let Some(b) = c.min_balance {
        let _ = writeln!(t, "min balance    {b}");
        let _ = writeln!(t, "double spends  {}", c.double_spends);
        let _ = writeln!(t, "money conserved {}", yes_no(c.money_conserved));
    }
    t
}

fn tally_json(tallies: &[Tally]) -> Json {
    let mut m = serde_json::Map::new();
    for (name, t) in ANOMALIES.iter().zip(tallies) {
        m.insert(
            (*name).into(),
            json!({ "seeds": t.seeds, "first_seed": t.first }),
        );
    }
    Json::Object(m)
}

/// `seeds.to` is exclusive (`null` for a sweep that includes seed 18446744073709551615, whose
/// successor no `u64` holds); `seeds.last` is the last seed run.
pub fn sweep_json(s: &Scenario, seeds: Seeds, tallies: &[Tally]) -> Json {
    json!({
        "scenario": s.name,
        "mode": s.mode.as_str(),
        "conflict": s.conflict.as_str(),
        "seeds": {
            "from": seeds.first,
            "to": seeds.last.checked_add(1),
            "last": seeds.last,
            "count": seeds.count(),
        },
        "anomalies": tally_json(tallies),
    })
}

pub fn sweep_text(s: &Scenario, seeds: Seeds, tallies: &[Tally]) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "sweep {} · mode {} · conflict {} · seeds {}..{} ({} runs)",
        quote(&s.name),
        s.mode.as_str(),
        s.conflict.as_str(),
        seeds.first,
        u128::from(seeds.last) + 1,
        seeds.count()
    );
    for (name, x) in ANOMALIES.iter().zip(tallies) {
        let first = x
            .first
            .map_or("-".to_string(), |f| format!("first at seed {f}"));
        let _ = writeln!(t, "  {name:<17} {:>7} seeds   {first}", x.seeds);
    }
    t
}

pub fn check_json(l: &LinResult, stale: &[OpId], tot: &Totals, ds: Option<u32>, n: usize) -> Json {
    json!({
        "ops": n,
        "linearizable": l.verdict,
        "lin_counterexample": l.counterexample,
        "explored": l.explored,
        "stale_reads": stale.len(),
        "ok": tot.ok,
        "refused": tot.refused,
        "timeouts": tot.timeouts,
        "availability": tot.availability,
        "double_spends": ds,
    })
}

pub fn check_text(
    l: &LinResult,
    stale: &[OpId],
    tot: &Totals,
    ds: Option<u32>,
    n: usize,
) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "history of {n} ops: {} ok, {} refused, {} timed out",
        tot.ok, tot.refused, tot.timeouts
    );
    let _ = writeln!(
        t,
        "linearizable   {} ({} search steps)",
        yes_no(l.verdict),
        l.explored
    );
    if l.verdict == Some(false) {
        let _ = writeln!(t, "  cannot be ordered: {}", ids(&l.counterexample));
    }
    let _ = writeln!(t, "stale reads    {} {}", stale.len(), ids(stale));
    if let Some(d) = ds {
        let _ = writeln!(t, "double spends  {d}");
    }
    t
}
