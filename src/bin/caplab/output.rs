//! What the CLI prints: readable summaries and JSON reports.

use std::fmt::Write;
use std::io::Write as _;

use caplab::sim::check::{Checks, LoadedHistory};
use caplab::sim::scenario::Scenario;
use caplab::sim::text::quote;
use caplab::sim::types::{node_name, OpId, OpRecord, Outcome};
use caplab::sim::world::Sim;
use serde::Serialize;
use serde_json::{json, Value as Json};

use caplab::sim::promises::Modality;

use crate::args::Seeds;
use crate::commands::{Faults, SweepResult, Tally, ANOMALIES};

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
        .map_err(output_fail)
}

/// Writes `value` as one line of JSON to stdout, streamed through a buffer (no whole report
/// in memory), and flushes it. Errors as in [`emit`].
pub fn emit_json(value: &impl Serialize) -> Result<(), Fail> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    serde_json::to_writer(&mut out, value)
        .map_err(std::io::Error::from)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
        .map_err(output_fail)
}

fn output_fail(e: std::io::Error) -> Fail {
    Fail::Output(match e.kind() {
        std::io::ErrorKind::BrokenPipe => {
            "stdout was closed before all the output was written".to_string()
        }
        _ => format!("cannot write to stdout: {e}"),
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
        "complete": o.completed_at(),
        "outcome": o.outcome().map(|x| x.slug()),
        "value": o.value(),
    });
    if let Some(Outcome::Refused(r)) = o.outcome() {
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

/// The `caplab run --json` report. Serialized field by field (fields in the sorted order a
/// `json!` object prints them in), each op built and written one at a time: a run of 10 000
/// ops never holds its whole report in memory.
#[derive(Serialize)]
pub struct RunJson<'a> {
    case: &'static str,
    checks: Json,
    conflict: &'static str,
    end_tick: u64,
    events: u64,
    mode: &'static str,
    nodes: u8,
    ops: OpsJson<'a>,
    scenario: &'a str,
    seed: u64,
    trace_hash: String,
}

/// The history, serialized op by op.
pub struct OpsJson<'a>(&'a [OpRecord]);

impl Serialize for OpsJson<'_> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        ser.collect_seq(self.0.iter().map(op_json))
    }
}

pub fn run_json<'a>(s: &'a Scenario, sim: &'a Sim, c: &Checks) -> RunJson<'a> {
    RunJson {
        case: s.case.as_str(),
        // The checks stay a `json!` value: their keys print sorted, as before.
        checks: json!(c),
        conflict: s.conflict.as_str(),
        end_tick: sim.end_tick(),
        events: sim.events_processed(),
        mode: s.mode.as_str(),
        nodes: s.nodes,
        ops: OpsJson(sim.history()),
        scenario: &s.name,
        seed: s.seed,
        trace_hash: format!("{:016x}", sim.trace_hash()),
    }
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
    checks_text(&mut t, c);
    t
}

/// Says "unknown" for a check the input cannot answer.
fn known(c: &Checks, field: &str, text: String) -> String {
    if c.unknown.contains(&field) {
        "unknown (not carried by the input)".to_string()
    } else {
        text
    }
}

/// The checks, one line each: the same lines for `run` and `check`.
fn checks_text(t: &mut String, c: &Checks) {
    let finished = c.ok + c.refused + c.timeouts;
    let _ = writeln!(
        t,
        "requests   {finished} finished: {} ok, {} refused, {} · availability {}",
        c.ok,
        c.refused,
        known(c, "timeouts", format!("{} timed out", c.timeouts)),
        known(c, "availability", format!("{:.1}%", c.availability * 100.0)),
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
    let _ = writeln!(
        t,
        "linearizable   {} ({} search steps)",
        yes_no(c.linearizable),
        c.lin_explored
    );
    if c.linearizable == Some(false) {
        let _ = writeln!(t, "  cannot be ordered: {}", ids(&c.lin_counterexample));
    }
    let stale = format!("{} {}", c.stale_reads, ids(&c.stale_ops));
    let _ = writeln!(t, "stale reads    {}", known(c, "stale_reads", stale));
    let lost = format!("{} {}", c.lost_updates, ids(&c.lost_ops));
    let _ = writeln!(t, "lost updates   {}", known(c, "lost_updates", lost));
    let conv = match (c.converged, c.converge_ticks) {
        (true, Some(k)) => format!("yes, {k} ticks after the last fault ended"),
        (true, None) => "yes".to_string(),
        (false, _) => "NO".to_string(),
    };
    let _ = writeln!(t, "converged      {}", known(c, "converged", conv));
    if c.min_balance.is_some() || c.unknown.contains(&"min_balance") {
        let min = c.min_balance.map_or(String::new(), |b| b.to_string());
        let _ = writeln!(t, "min balance    {}", known(c, "min_balance", min));
        let _ = writeln!(t, "double spends  {}", c.double_spends);
        let conserved = yes_no(c.money_conserved).to_string();
        let _ = writeln!(
            t,
            "money conserved {}",
            known(c, "money_conserved", conserved)
        );
    }
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

fn faults_json(f: Faults) -> Json {
    match f {
        Faults::Scripted => json!({ "kind": "scripted" }),
        Faults::Random(spec) => json!({
            "kind": "random",
            "start": spec.start,
            "quiet": spec.quiet,
            "max_episodes": spec.episodes,
        }),
    }
}

fn promises_json(r: &SweepResult) -> Json {
    let list: Vec<Json> = r
        .promises
        .iter()
        .map(|(p, t)| {
            json!({
                "id": p.id,
                "text": p.text,
                "modality": p.modality.as_str(),
                "condition": p.condition,
                "status": t.status(p.modality),
                "runs": t.runs,
                "held": t.held,
                "violated": t.violated,
                "unknown": t.unknown,
                "first_violating_seed": t.first_violation,
                "first_witness_seed": t.first_witness,
                "known_issue": p.known_issue,
            })
        })
        .collect();
    Json::Array(list)
}

/// `seeds.to` is exclusive (`null` for a sweep that includes seed 18446744073709551615, whose
/// successor no `u64` holds); `seeds.last` is the last seed run.
pub fn sweep_json(s: &Scenario, f: Faults, seeds: Seeds, r: &SweepResult) -> Json {
    json!({
        "scenario": s.name,
        "mode": s.mode.as_str(),
        "conflict": s.conflict.as_str(),
        "faults": faults_json(f),
        "seeds": {
            "from": seeds.first,
            "to": seeds.last.checked_add(1),
            "last": seeds.last,
            "count": seeds.count(),
        },
        "anomalies": tally_json(&r.anomalies),
        "promises": promises_json(r),
    })
}

pub fn sweep_text(s: &Scenario, f: Faults, seeds: Seeds, r: &SweepResult) -> String {
    let mut t = String::new();
    let faults = match f {
        Faults::Scripted => "scripted faults".to_string(),
        Faults::Random(spec) => format!(
            "random faults (up to {} episodes from tick {}, all healed by {})",
            spec.episodes,
            spec.start,
            spec.quiet.map_or("the end".to_string(), |q| q.to_string())
        ),
    };
    let _ = writeln!(
        t,
        "sweep {} · mode {} · conflict {} · {faults} · seeds {}..{} ({} runs)",
        quote(&s.name),
        s.mode.as_str(),
        s.conflict.as_str(),
        seeds.first,
        u128::from(seeds.last) + 1,
        seeds.count()
    );
    for (name, x) in ANOMALIES.iter().zip(&r.anomalies) {
        let first = x
            .first
            .map_or("-".to_string(), |f| format!("first at seed {f}"));
        let _ = writeln!(t, "  {name:<17} {:>7} seeds   {first}", x.seeds);
    }
    let _ = writeln!(t, "promises");
    for (p, x) in &r.promises {
        let detail = match (p.modality, x.first_violation, x.first_witness) {
            (Modality::Sometimes, _, Some(w)) => format!("first at seed {w}"),
            (_, Some(v), _) => format!("first violated at seed {v}"),
            _ => String::new(),
        };
        let _ = writeln!(
            t,
            "  {:<38} {:<10} {:<13} {:>6} runs {:>6} held {:>6} violated {:>4} unknown   {detail}",
            p.id,
            p.modality.as_str(),
            x.status(p.modality),
            x.runs,
            x.held,
            x.violated,
            x.unknown
        );
    }
    t
}

/// `check --json`: what was read, then every field of the checks, as `run --json` has them
/// under `"checks"`.
pub fn check_json(h: &LoadedHistory, c: &Checks) -> Json {
    let mut j = json!({
        "format": h.format.as_str(),
        "case": h.case.as_str(),
        "initial": h.initial,
        "ops": h.ops.len(),
        "assumed": h.assumed,
    });
    if let (Json::Object(m), Json::Object(checks)) = (&mut j, json!(c)) {
        m.extend(checks);
    }
    j
}

pub fn check_text(h: &LoadedHistory, c: &Checks) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "{} of {} ops · case {} · initial {:?}",
        h.format.as_str(),
        h.ops.len(),
        h.case.as_str(),
        h.initial
    );
    if !h.assumed.is_empty() {
        let _ = writeln!(
            t,
            "assumed: {} (the log does not carry them; --case, --initial set them)",
            h.assumed.join(", ")
        );
    }
    checks_text(&mut t, c);
    if !c.unknown.is_empty() {
        let _ = writeln!(
            t,
            "unknown: {} (the input does not carry what they need)",
            c.unknown.join(", ")
        );
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use caplab::sim::promises::{by_id, Run, Tally as PromiseTally, Verdict};
    use caplab::sim::report;

    /// The streamed run report prints exactly what the `json!` tree printed before (issue #12):
    /// a `Value` prints its keys sorted, so re-printing the report through one must change
    /// nothing — a field out of order, renamed or retyped would show here. The feed run has
    /// stale reads (`missed`, `fresh`) and sets in its values.
    #[test]
    fn the_streamed_run_report_prints_as_the_json_tree_did() {
        for name in ["feed", "bank"] {
            let s = Scenario::builtin(name).expect("built-in");
            let mut sim = s.build().expect("builds");
            sim.run_to_end();
            let c = report::checks(&sim, report::LIN_BUDGET);
            let report = run_json(&s, &sim, &c);
            let streamed = serde_json::to_string(&report).expect("serializes");
            let tree = serde_json::to_value(&report).expect("a value");
            assert_eq!(streamed, tree.to_string(), "{name}");
            assert!(tree["ops"].as_array().is_some_and(|o| !o.is_empty()));
        }
    }

    /// A deliberately wrong promise ("a CP bank never refuses") fed through the sweep's tally and
    /// report: it is listed violated, with its first violating seed, in the JSON and the text.
    #[test]
    fn a_violated_promise_is_reported_with_its_first_seed() {
        fn never_refuses(r: &Run) -> Verdict {
            match r.checks.refused {
                0 => Verdict::Held,
                n => Verdict::Violated(format!("{n} refusals")),
            }
        }
        static WRONG: std::sync::OnceLock<caplab::sim::promises::Promise> =
            std::sync::OnceLock::new();
        let wrong = WRONG.get_or_init(|| caplab::sim::promises::Promise {
            id: "cp-never-refuses",
            check: never_refuses,
            ..*by_id("cp-linearizable").expect("a promise")
        });
        let s = Scenario::builtin("bank").expect("built-in");
        let mut tally = PromiseTally::default();
        for seed in 3..6 {
            let mut t = s.clone();
            t.seed = seed;
            let mut sim = t.build().expect("builds");
            sim.run_to_end();
            let c = report::checks(&sim, report::LIN_BUDGET);
            let run = Run {
                sim: &sim,
                checks: &c,
                faults: &t.faults,
            };
            tally.add(wrong.modality, seed, &(wrong.check)(&run));
        }
        let r = SweepResult {
            anomalies: ANOMALIES.iter().map(|_| Tally::default()).collect(),
            promises: vec![(wrong, tally)],
        };
        let j = sweep_json(
            &s,
            Faults::Scripted,
            crate::args::Seeds { first: 3, last: 5 },
            &r,
        );
        let p = &j["promises"][0];
        assert_eq!(p["id"], "cp-never-refuses");
        assert_eq!(p["status"], "violated");
        assert_eq!(
            (p["runs"].as_u64(), p["violated"].as_u64()),
            (Some(3), Some(3))
        );
        assert_eq!(p["first_violating_seed"], 3);
        let text = sweep_text(
            &s,
            Faults::Scripted,
            crate::args::Seeds { first: 3, last: 5 },
            &r,
        );
        assert!(
            text.contains("cp-never-refuses") && text.contains("first violated at seed 3"),
            "{text}"
        );
    }
}
