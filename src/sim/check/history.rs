//! The exported history format, and a Porcupine-style event log.
//!
//! History file (JSON, version 1):
//! `{ "version": 1, "case": "bank", "initial": [100, 0], "ops": [OpRecord, …] }` where op `i`
//! has `"id": i`. [`history_from_json`] accepts at most `4 × MAX_INPUT_BYTES` bytes and
//! `MAX_OPS` ops, and checks every op against the case and the limits before anything uses it.

use std::fmt::Write as _;

#[cfg(not(target_arch = "wasm32"))]
use crate::sim::text::json_error;
use crate::sim::types::{Case, Consistency, OpId, OpRecord, Outcome, Reason, Value};
use crate::sim::types::{MAX_CLIENTS, MAX_INPUT_BYTES, MAX_NODES, MAX_OPS, MAX_TICKS};

use super::lin::op_is_valid;

/// The history file's format version.
pub const HISTORY_VERSION: u32 = 1;
/// The largest history file accepted, in bytes.
pub const MAX_HISTORY_BYTES: usize = MAX_INPUT_BYTES * 4;

#[cfg(not(target_arch = "wasm32"))]
#[derive(serde::Serialize, serde::Deserialize)]
struct HistoryFile {
    version: u32,
    case: Case,
    initial: Vec<i64>,
    ops: Vec<OpRecord>,
}

/// Serializes a history as the version-1 history file.
#[cfg(not(target_arch = "wasm32"))]
pub fn history_to_json(case: Case, initial: &[i64], ops: &[OpRecord]) -> String {
    let file = HistoryFile {
        version: HISTORY_VERSION,
        case,
        initial: initial.to_vec(),
        ops: ops.to_vec(),
    };
    serde_json::to_string(&file).expect("a history always serializes (plain data)")
}

/// The version-1 history file written by hand, without serde (the wasm build has no serde
/// serializer for it: size budget). Promises byte-for-byte the same text as `history_to_json`
/// (tested natively), so `caplab check` reads a file exported from the browser.
pub fn history_json(case: Case, initial: &[i64], ops: &[OpRecord]) -> String {
    let mut out = String::with_capacity(64 + ops.len() * 120);
    let _ = write!(
        out,
        r#"{{"version":{HISTORY_VERSION},"case":"{}","initial":["#,
        case.as_str()
    );
    for (i, x) in initial.iter().enumerate() {
        let _ = write!(out, "{}{x}", if i > 0 { "," } else { "" });
    }
    out.push_str(r#"],"ops":["#);
    for (i, o) in ops.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        op_json(&mut out, o);
    }
    out.push_str("]}");
    out
}

fn consistency_str(c: Consistency) -> &'static str {
    match c {
        Consistency::Default => "default",
        Consistency::Strong => "strong",
        Consistency::Eventual => "eventual",
        Consistency::Quorum => "quorum",
    }
}

fn opt_json<T: std::fmt::Display>(x: Option<T>) -> String {
    x.map_or("null".to_string(), |x| x.to_string())
}

fn op_json(out: &mut String, o: &OpRecord) {
    let r = &o.req;
    let _ = write!(
        out,
        r#"{{"id":{},"client":{},"node":{},"kind":"{}","key":{},"key2":{},"arg":{},"consistency":"{}","invoke":{},"complete":{},"outcome":"#,
        o.id,
        o.client,
        o.node,
        r.kind.as_str(),
        r.key,
        r.key2,
        r.arg,
        consistency_str(r.consistency),
        o.invoke,
        opt_json(o.complete),
    );
    match o.outcome {
        None => out.push_str("null"),
        Some(Outcome::Ok) => out.push_str(r#"{"outcome":"ok"}"#),
        Some(Outcome::Timeout) => out.push_str(r#"{"outcome":"timeout"}"#),
        Some(Outcome::Refused(Reason::NoQuorum {
            reached,
            needed,
            total,
        })) => {
            let _ = write!(
                out,
                r#"{{"outcome":"refused","reason":"no-quorum","reached":{reached},"needed":{needed},"total":{total}}}"#
            );
        }
        Some(Outcome::Refused(Reason::InsufficientFunds { balance })) => {
            let _ = write!(
                out,
                r#"{{"outcome":"refused","reason":"insufficient-funds","balance":{balance}}}"#
            );
        }
    }
    out.push_str(r#","value":"#);
    out.push_str(&o.value.as_ref().map_or("null".to_string(), value_json));
    if !o.missed.is_empty() {
        out.push_str(r#","missed":["#);
        for (i, id) in o.missed.iter().enumerate() {
            let _ = write!(out, "{}{id}", if i > 0 { "," } else { "" });
        }
        out.push(']');
    }
    if let Some(f) = &o.fresh {
        out.push_str(r#","fresh":"#);
        out.push_str(&value_json(f));
    }
    out.push('}');
}

/// Parses and validates a version-1 history file.
#[cfg(not(target_arch = "wasm32"))]
pub fn history_from_json(text: &str) -> Result<(Case, Vec<i64>, Vec<OpRecord>), String> {
    if text.len() > MAX_HISTORY_BYTES {
        return Err(format!(
            "history is {} bytes; the limit is {MAX_HISTORY_BYTES}",
            text.len()
        ));
    }
    let file: HistoryFile = serde_json::from_str(text)
        .map_err(|e| format!("history is not valid: {}", json_error(&e)))?;
    if file.version != HISTORY_VERSION {
        return Err(format!(
            "history version {} is not supported (expected {HISTORY_VERSION})",
            file.version
        ));
    }
    validate(file.case, &file.initial, &file.ops)?;
    Ok((file.case, file.initial, file.ops))
}

/// Checks a history against its case and the limits: at most `MAX_OPS` ops, op `i` has id `i`,
/// known kinds and keys, clients/nodes/ticks within limits, `complete >= invoke`, and an op is
/// finished (outcome) exactly when it has a completion tick.
pub fn validate(case: Case, initial: &[i64], ops: &[OpRecord]) -> Result<(), String> {
    let n_keys = case.keys().len();
    if initial.len() > n_keys {
        return Err(format!(
            "{} initial values for {} keys of case {}",
            initial.len(),
            n_keys,
            case.as_str()
        ));
    }
    if ops.len() > MAX_OPS {
        return Err(format!("{} ops; the limit is {MAX_OPS}", ops.len()));
    }
    for (i, o) in ops.iter().enumerate() {
        validate_op(case, i, o, ops.len()).map_err(|e| format!("op {i}: {e}"))?;
    }
    Ok(())
}

fn validate_op(case: Case, index: usize, o: &OpRecord, n_ops: usize) -> Result<(), String> {
    if o.id as usize != index {
        return Err(format!("id is {}, expected {index}", o.id));
    }
    if !op_is_valid(case, &o.req) {
        return Err(format!(
            "{} on key {} (arg {}) is not a valid operation of case {}",
            o.req.kind.as_str(),
            o.req.key,
            o.req.arg,
            case.as_str()
        ));
    }
    if o.client as usize >= MAX_CLIENTS || o.node as usize >= MAX_NODES {
        return Err(format!(
            "client {} / node {} out of range",
            o.client, o.node
        ));
    }
    if o.invoke > MAX_TICKS || o.complete.is_some_and(|c| c > MAX_TICKS) {
        return Err(format!("tick beyond the limit {MAX_TICKS}"));
    }
    if o.complete.is_some_and(|c| c < o.invoke) {
        return Err("completes before it is invoked".to_string());
    }
    if o.complete.is_some() != o.outcome.is_some() {
        return Err("an outcome needs a completion tick and vice versa".to_string());
    }
    if o.missed.iter().any(|m| *m as usize >= n_ops) {
        return Err("missed names an op outside the history".to_string());
    }
    Ok(())
}

/// A Porcupine-style event log: one JSON object per line, sorted by time (calls before returns
/// at equal ticks, then by op id):
///
/// ```text
/// {"process":0,"id":3,"kind":"call","input":{"op":"withdraw","key":0,"key2":0,"arg":80},"output":null,"time":12}
/// {"process":0,"id":3,"kind":"return","input":null,"output":{"outcome":"ok","value":null},"time":15}
/// ```
///
/// `process` is the client, `id` the op (to pair a call with its return). Outputs are
/// `{"outcome":"ok","value":V}` (V: a number, an array of post ids, `{"posts":[…],"likes":n}`,
/// or `{"siblings":[…]}`), or `{"outcome":"refused","reason":"no-quorum"|"insufficient-funds"}`.
/// A refusal for no quorum had no effect (drop it); a timed-out or pending op has a call and
/// **no return** (it may have taken effect at any later time, like Porcupine's pending ops).
pub fn porcupine_log(case: Case, ops: &[OpRecord]) -> String {
    let _ = case; // the input names keys by index; the case is in the history file.
    let mut events: Vec<(u64, u8, OpId, &OpRecord)> = Vec::with_capacity(ops.len() * 2);
    for o in ops {
        events.push((o.invoke, 0, o.id, o));
        if let (Some(c), Some(outcome)) = (o.complete, o.outcome) {
            if outcome != Outcome::Timeout {
                events.push((c.max(o.invoke), 1, o.id, o));
            }
        }
    }
    events.sort_unstable_by_key(|(t, kind, id, _)| (*t, *kind, *id));
    let mut out = String::new();
    for (time, kind, id, o) in events {
        let (kind, input, output) = if kind == 0 {
            let r = &o.req;
            let input = format!(
                r#"{{"op":"{}","key":{},"key2":{},"arg":{}}}"#,
                r.kind.as_str(),
                r.key,
                r.key2,
                r.arg
            );
            ("call", input, "null".to_string())
        } else {
            ("return", "null".to_string(), output_json(o))
        };
        let _ = writeln!(
            out,
            r#"{{"process":{},"id":{id},"kind":"{kind}","input":{input},"output":{output},"time":{time}}}"#,
            o.client
        );
    }
    out
}

fn output_json(o: &OpRecord) -> String {
    match o.outcome {
        Some(Outcome::Refused(reason)) => {
            format!(r#"{{"outcome":"refused","reason":"{}"}}"#, reason.slug())
        }
        _ => {
            let value = o.value.as_ref().map_or("null".to_string(), value_json);
            format!(r#"{{"outcome":"ok","value":{value}}}"#)
        }
    }
}

fn value_json(v: &Value) -> String {
    let list = |xs: &[u32]| {
        let items: Vec<String> = xs.iter().map(u32::to_string).collect();
        format!("[{}]", items.join(","))
    };
    match v {
        Value::Int(x) => x.to_string(),
        Value::Set(s) => list(s),
        Value::Feed { posts, likes } => format!(r#"{{"posts":{},"likes":{likes}}}"#, list(posts)),
        Value::Siblings(vs) => {
            let items: Vec<String> = vs.iter().map(value_json).collect();
            format!(r#"{{"siblings":[{}]}}"#, items.join(","))
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::super::testutil::{ok, op, read};
    use super::*;
    use crate::sim::types::OpKind;

    fn sample() -> Vec<OpRecord> {
        let mut ops = vec![
            op(
                0,
                0,
                OpKind::Post,
                0,
                7,
                0,
                Some(4),
                Some(Outcome::Ok),
                None,
            ),
            op(
                1,
                1,
                OpKind::Like,
                1,
                0,
                1,
                Some(9),
                Some(Outcome::Timeout),
                None,
            ),
            op(
                2,
                2,
                OpKind::Like,
                1,
                0,
                2,
                Some(3),
                Some(Outcome::Refused(Reason::NoQuorum {
                    reached: 1,
                    needed: 2,
                    total: 3,
                })),
                None,
            ),
            op(
                3,
                0,
                OpKind::Read,
                0,
                0,
                5,
                Some(5),
                Some(Outcome::Ok),
                Some(Value::Feed {
                    posts: vec![7],
                    likes: 0,
                }),
            ),
            op(4, 1, OpKind::Like, 1, 0, 10, None, None, None),
        ];
        ops[3].missed = vec![0];
        ops[3].fresh = Some(Value::Feed {
            posts: vec![7],
            likes: 1,
        });
        ops
    }

    #[test]
    fn hand_written_history_json_equals_serde() {
        let mut ops = sample();
        ops[4].req.consistency = Consistency::Quorum;
        ops.push(op(
            5,
            0,
            OpKind::Withdraw,
            0,
            80,
            11,
            Some(12),
            Some(Outcome::Refused(Reason::InsufficientFunds { balance: -20 })),
            None,
        ));
        ops.push(op(
            6,
            1,
            OpKind::Read,
            0,
            0,
            13,
            Some(14),
            Some(Outcome::Ok),
            Some(Value::Siblings(vec![
                Value::Int(-3),
                Value::Set(vec![1, 2]),
            ])),
        ));
        for (case, initial) in [(Case::Feed, vec![0, 0]), (Case::Bank, vec![100, -5])] {
            assert_eq!(
                history_json(case, &initial, &ops),
                history_to_json(case, &initial, &ops)
            );
        }
        assert_eq!(
            history_json(Case::Register, &[], &[]),
            history_to_json(Case::Register, &[], &[])
        );
    }

    #[test]
    fn history_round_trips_and_rejects_bad_input() {
        let ops = sample();
        let json = history_to_json(Case::Feed, &[0, 0], &ops);
        assert!(json.starts_with(r#"{"version":1,"case":"feed","initial":[0,0],"ops":["#));
        assert_eq!(
            history_from_json(&json),
            Ok((Case::Feed, vec![0, 0], ops.clone()))
        );

        let bad = |ops: &[OpRecord]| history_from_json(&history_to_json(Case::Feed, &[], ops));
        let mut wrong_id = ops.clone();
        wrong_id[1].id = 9;
        assert!(bad(&wrong_id).unwrap_err().contains("op 1: id is 9"));
        let mut backwards = ops.clone();
        backwards[0].complete = Some(0);
        backwards[0].invoke = 3;
        assert!(bad(&backwards)
            .unwrap_err()
            .contains("before it is invoked"));
        let withdraw = vec![ok(0, OpKind::Withdraw, 5, 0, 1)];
        assert!(bad(&withdraw)
            .unwrap_err()
            .contains("not a valid operation of case feed"));
        let mut key = vec![read(0, 0, 0, 1)];
        key[0].req.key = 4;
        assert!(history_from_json(&history_to_json(Case::Register, &[], &key)).is_err());

        let v2 = json.replacen(r#""version":1"#, r#""version":2"#, 1);
        assert!(history_from_json(&v2).unwrap_err().contains("version 2"));
        assert!(history_from_json("{")
            .unwrap_err()
            .starts_with("history is not valid"));
        let huge = " ".repeat(MAX_HISTORY_BYTES + 1);
        assert!(history_from_json(&huge).unwrap_err().contains("limit"));
    }

    #[test]
    fn porcupine_log_is_sorted_json_lines() {
        let log = porcupine_log(Case::Feed, &sample());
        let lines: Vec<serde_json::Value> = log
            .lines()
            .map(|l| serde_json::from_str(l).expect("each line is JSON"))
            .collect();
        // 5 calls; returns for ops 0, 2, 3 (the timeout and the pending op have none).
        assert_eq!(lines.len(), 8);
        let key = |e: &serde_json::Value| {
            (
                e["time"].as_u64().unwrap(),
                e["kind"].as_str().unwrap() == "return",
                e["id"].as_u64().unwrap(),
            )
        };
        assert!(lines.windows(2).all(|w| key(&w[0]) <= key(&w[1])));
        // At tick 5 the read's call comes before its own return.
        let read: Vec<&str> = lines
            .iter()
            .filter(|e| e["id"] == 3)
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(read, vec!["call", "return"]);
        let ret = lines
            .iter()
            .find(|e| e["id"] == 3 && e["kind"] == "return")
            .unwrap();
        assert_eq!(ret["output"]["value"]["posts"][0], 7);
        let refused = lines
            .iter()
            .find(|e| e["id"] == 2 && e["kind"] == "return")
            .unwrap();
        assert_eq!(refused["output"]["reason"], "no-quorum");
        let call = &lines[0];
        assert_eq!(
            (call["process"].as_u64(), call["input"]["op"].as_str()),
            (Some(0), Some("post"))
        );
    }
}
