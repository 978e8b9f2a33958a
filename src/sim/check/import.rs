//! Reading a history back for `caplab check`: a version-1 history file, or the Porcupine-style
//! log [`porcupine_log`](super::porcupine_log) writes (detected from the first line).
//!
//! A log carries less than a history file: no case, no initial values, no nodes, no stale-read
//! marks, no end state, and a timed-out op has no return (it reads back as pending). The case is
//! taken from the ops' kinds (or given), the initial values are the case's defaults (or given);
//! [`LoadedHistory::assumed`] and `Checks::unknown` say what was assumed and what stays unknown.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::sim::types::{Case, Completion, OpKind, OpRecord, Outcome, Reason, Request, Value};
use crate::sim::types::{Consistency, MAX_OPS, MAX_TICKS};

use super::history::{history_from_json, validate, MAX_HISTORY_BYTES, MAX_HISTORY_CLIENTS};
use super::{EndState, RunFacts};

/// The two formats `caplab check` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    History,
    PorcupineLog,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::History => "history",
            Format::PorcupineLog => "porcupine-log",
        }
    }
}

/// A history read back, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadedHistory {
    pub format: Format,
    pub case: Case,
    pub initial: Vec<i64>,
    pub ops: Vec<OpRecord>,
    pub end: Option<EndState>,
    /// What the input did not carry and was assumed: `"case"`, `"initial"`.
    pub assumed: Vec<&'static str>,
}

impl LoadedHistory {
    /// The facts to check (see [`super::check`]).
    pub fn facts(&self) -> RunFacts<'_> {
        RunFacts {
            case: self.case,
            initial: &self.initial,
            ops: &self.ops,
            end: self.end.as_ref(),
            from_log: self.format == Format::PorcupineLog,
        }
    }
}

/// Reads either format. `case` and `initial` fill in what a log does not carry; a history file
/// names both itself, so giving them for one is an error.
pub fn read_history(
    text: &str,
    case: Option<Case>,
    initial: Option<Vec<i64>>,
) -> Result<LoadedHistory, String> {
    if text.len() > MAX_HISTORY_BYTES {
        return Err(format!(
            "history is {} bytes; the limit is {MAX_HISTORY_BYTES}",
            text.len()
        ));
    }
    if detect(text) == Format::History {
        if case.is_some() || initial.is_some() {
            return Err("a history file names its case and initial values itself".into());
        }
        let (case, initial, ops, end) = history_from_json(text)?;
        return Ok(LoadedHistory {
            format: Format::History,
            case,
            initial,
            ops,
            end,
            assumed: Vec::new(),
        });
    }
    let ops = log_ops(text)?;
    let mut assumed = Vec::new();
    let case = match case {
        Some(c) => c,
        None => {
            assumed.push("case");
            infer_case(&ops)?
        }
    };
    let initial = initial.unwrap_or_else(|| {
        assumed.push("initial");
        crate::sim::proto::default_initial(case)
    });
    validate(case, &initial, &ops)?;
    Ok(LoadedHistory {
        format: Format::PorcupineLog,
        case,
        initial,
        ops,
        end: None,
        assumed,
    })
}

/// A log's first non-blank line is an event object with a `"process"`; anything else is taken
/// for a history file (whose parser then says what is wrong with it).
fn detect(text: &str) -> Format {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    match serde_json::from_str::<serde_json::Value>(first) {
        Ok(v) if v.get("process").is_some() && v.get("kind").is_some() => Format::PorcupineLog,
        _ => Format::History,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Event {
    process: u64,
    id: u64,
    kind: String,
    input: Option<Input>,
    output: Option<Output>,
    time: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    op: String,
    key: u8,
    key2: u8,
    arg: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Output {
    outcome: String,
    #[serde(default)]
    value: Option<Value>,
    #[serde(default)]
    reason: Option<String>,
}

/// The log's ops by id: each id has one call and at most one return, ids run `0..n`.
fn log_ops(text: &str) -> Result<Vec<OpRecord>, String> {
    let mut ops: BTreeMap<u64, OpRecord> = BTreeMap::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let e: Event =
            serde_json::from_str(line).map_err(|err| format!("log line {}: {err}", i + 1))?;
        apply_event(&mut ops, e).map_err(|err| format!("log line {}: {err}", i + 1))?;
    }
    for (i, (id, _)) in ops.iter().enumerate() {
        if *id != i as u64 {
            return Err(format!("log has no call for op {i}"));
        }
    }
    Ok(ops.into_values().collect())
}

fn apply_event(ops: &mut BTreeMap<u64, OpRecord>, e: Event) -> Result<(), String> {
    if e.id >= MAX_OPS as u64 || e.process >= MAX_HISTORY_CLIENTS as u64 || e.time > MAX_TICKS {
        return Err(format!(
            "id, process or time beyond the limits ({MAX_OPS} ops, {MAX_HISTORY_CLIENTS} \
             processes, tick {MAX_TICKS})"
        ));
    }
    match (e.kind.as_str(), e.input, e.output) {
        ("call", Some(input), None) => {
            if ops.contains_key(&e.id) {
                return Err(format!("a second call for op {}", e.id));
            }
            let kind = OpKind::parse(&input.op).ok_or(format!("unknown op '{}'", input.op))?;
            let req = Request {
                kind,
                key: input.key,
                key2: input.key2,
                arg: input.arg,
                consistency: Consistency::Default,
            };
            ops.insert(e.id, call_record(e.id, e.process, req, e.time));
            Ok(())
        }
        ("return", None, Some(output)) => {
            let o = ops
                .get_mut(&e.id)
                .ok_or(format!("a return before the call of op {}", e.id))?;
            if o.completion.is_some() || e.time < o.invoke || e.process != u64::from(o.client) {
                return Err(format!(
                    "op {}: a second return, or one that does not match its call",
                    e.id
                ));
            }
            let completion = Completion::new(e.time, outcome(&output)?, output.value);
            o.completion = Some(completion.ok_or(format!(
                "op {}: a value comes only with an ok outcome",
                e.id
            ))?);
            Ok(())
        }
        _ => Err("an event is a call with an input or a return with an output".into()),
    }
}

fn call_record(id: u64, process: u64, req: Request, time: u64) -> OpRecord {
    OpRecord {
        id: id as u32,
        client: process as u8,
        node: 0, // a log has no nodes
        req,
        invoke: time,
        completion: None,
        missed: Vec::new(),
        fresh: None,
    }
}

/// A return's outcome. A refusal's details (who was reached, the balance seen) are not in the
/// log; no checker reads them.
fn outcome(output: &Output) -> Result<Outcome, String> {
    match (output.outcome.as_str(), output.reason.as_deref()) {
        ("ok", None) => Ok(Outcome::Ok),
        ("refused", Some("no-quorum")) => Ok(Outcome::Refused(Reason::NoQuorum {
            reached: 0,
            needed: 0,
            total: 0,
        })),
        ("refused", Some("insufficient-funds")) => {
            Ok(Outcome::Refused(Reason::InsufficientFunds { balance: 0 }))
        }
        (o, r) => Err(format!("unknown output: outcome '{o}', reason {r:?}")),
    }
}

/// The case whose op kinds (and read values) the log shows; an error when it is ambiguous.
fn infer_case(ops: &[OpRecord]) -> Result<Case, String> {
    let mut cases: Vec<Case> = Vec::new();
    for o in ops {
        let case = match (o.req.kind, o.value()) {
            (OpKind::Write, _) => Some(Case::Register),
            (OpKind::Deposit | OpKind::Withdraw | OpKind::Transfer, _) => Some(Case::Bank),
            (OpKind::Post | OpKind::Like, _) => Some(Case::Feed),
            (OpKind::Read, Some(Value::Feed { .. })) => Some(Case::Feed),
            (OpKind::Read, _) => None,
        };
        if let Some(c) = case.filter(|c| !cases.contains(c)) {
            cases.push(c);
        }
    }
    match cases.as_slice() {
        [one] => Ok(*one),
        [] => Err("the log's ops do not tell its case: pass --case bank|feed|register".into()),
        _ => Err("the log mixes ops of several cases".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::check::porcupine_log;
    use crate::sim::check::testutil::{ok, read};

    #[test]
    fn a_log_reads_back_as_its_history_less_what_it_cannot_carry() {
        let mut ops = vec![ok(0, OpKind::Write, 4, 0, 3), read(1, 4, 5, 6)];
        ops.push(read(2, 0, 7, 9));
        ops[2].completion = Some(Completion::timeout(9)); // no return in the log: pending
        let log = porcupine_log(Case::Register, &ops);
        let h = read_history(&log, None, None).expect("a valid log");
        assert_eq!(h.format, Format::PorcupineLog);
        assert_eq!((h.case, h.initial.clone()), (Case::Register, vec![0]));
        assert_eq!(h.assumed, vec!["case", "initial"]);
        assert_eq!(
            h.ops[..2]
                .iter()
                .map(|o| o.value().cloned())
                .collect::<Vec<_>>(),
            vec![None, Some(Value::Int(4))]
        );
        assert_eq!(h.ops[2].completion, None);
        assert!(h.facts().from_log && h.end.is_none());
    }

    #[test]
    fn bad_logs_get_one_clear_error() {
        let log = porcupine_log(Case::Register, &[ok(0, OpKind::Write, 4, 0, 3)]);
        let ret = log.lines().nth(1).unwrap();
        let err = |text: &str| read_history(text, None, None).unwrap_err();
        assert!(err(ret).contains("a return before the call"));
        assert!(err(&format!("{log}{ret}\n")).contains("a second return"));
        let gap = log.replace(r#""id":0"#, r#""id":1"#);
        assert!(err(&gap).contains("no call for op 0"));
        let reads = porcupine_log(Case::Register, &[read(0, 0, 0, 1)]);
        assert!(err(&reads).contains("--case"));
        assert!(read_history(&reads, Some(Case::Bank), Some(vec![5])).is_ok());
        let file = crate::sim::check::history_json(Case::Register, &[0], &[], None);
        assert!(read_history(&file, Some(Case::Bank), None).is_err());
    }
}
