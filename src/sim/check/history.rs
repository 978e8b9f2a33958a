//! The exported history format, and a Porcupine-style event log.
//!
//! History file (JSON, version 1):
//! `{ "version": 1, "case": "bank", "initial": [100, 0], "ops": [OpRecord, …], "end": {…} }`
//! where op `i` has `"id": i`. `"end"` (optional: older files lack it) is the run's
//! [`EndState`] — what the history alone does not tell (final replica state, the lowest balance
//! over time, convergence) — so `caplab check` of an export gives the same verdicts as the run:
//! `{"end_tick", "last_fault_end", "converged_at", "min_balance", "replica_seen": [[[op ids]
//! per key] per replica], "replica_values": [[value per key] per up replica]}`.
//! [`history_from_json`] accepts at most [`MAX_HISTORY_BYTES`] bytes and `MAX_OPS` ops, and
//! checks every op and the end state against the case and the limits before anything uses it.

use std::fmt::Write as _;

use crate::sim::sort;
#[cfg(not(target_arch = "wasm32"))]
use crate::sim::text::json_error;
use crate::sim::types::{Case, ClientId, Consistency, OpId, OpRecord, Outcome, Reason, Value};
use crate::sim::types::{MAX_KEYS, MAX_NODES, MAX_OPS, MAX_TICKS};

use super::lin::op_is_valid;
use super::EndState;

/// The history file's format version.
pub const HISTORY_VERSION: u32 = 1;

/// Any client id the format can hold: the checkers do not depend on the number of clients, and
/// a history from elsewhere (a Porcupine log) may have more processes than a scenario's clients.
pub const MAX_HISTORY_CLIENTS: usize = ClientId::MAX as usize + 1;

/// Decimal width of `x`.
const fn digits(mut x: u64) -> usize {
    let mut d = 1;
    while x >= 10 {
        x /= 10;
        d += 1;
    }
    d
}

/// Widest number of each kind, in the compact JSON [`history_json`] writes.
const I64_WIDTH: usize = 20; // -9223372036854775808
const TICK_WIDTH: usize = digits(MAX_TICKS);
const ID_WIDTH: usize = digits(MAX_OPS as u64);
const U8_WIDTH: usize = 3;
/// An op's fields with every number, string and outcome at its widest, and empty lists.
const OP_SKELETON: &str = r#"{"id":,"client":,"node":,"kind":"transfer","key":,"key2":,"arg":,"consistency":"eventual","invoke":,"complete":,"outcome":{"outcome":"refused","reason":"insufficient-funds","balance":},"value":{"siblings":[]},"missed":[],"fresh":{"siblings":[]}},"#;
const FIXED_OP_BYTES: usize =
    OP_SKELETON.len() + ID_WIDTH + 4 * U8_WIDTH + 3 * I64_WIDTH + 2 * TICK_WIDTH;
/// List items (post ids in a value or `fresh`, op ids in `missed`, a bank read's two values)
/// an op carries on average at the op limit: the crowd's feed reads carry ~100 on average.
const LIST_ITEMS_PER_OP: usize = 256;
/// One list item: the widest post id (a `u32`; op ids are narrower), plus its comma.
const ITEM_BYTES: usize = digits(u32::MAX as u64) + 1;
/// The end state at its largest: every replica holds every op under every key, and its values.
const MAX_END_BYTES: usize = 2 * MAX_NODES * MAX_KEYS * MAX_OPS * (ID_WIDTH + 1) + 4096;
/// The largest history file accepted, in bytes: `MAX_OPS` ops at their widest with
/// `LIST_ITEMS_PER_OP` list items each, plus the largest end state.
pub const MAX_HISTORY_BYTES: usize =
    4096 + MAX_OPS * (FIXED_OP_BYTES + LIST_ITEMS_PER_OP * ITEM_BYTES) + MAX_END_BYTES;

#[cfg(not(target_arch = "wasm32"))]
#[derive(serde::Serialize, serde::Deserialize)]
struct HistoryFile {
    version: u32,
    case: Case,
    initial: Vec<i64>,
    ops: Vec<OpRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    end: Option<EndFile>,
}

/// [`EndState`] as the file holds it (op sets as sorted id lists).
#[cfg(not(target_arch = "wasm32"))]
#[derive(serde::Serialize, serde::Deserialize)]
struct EndFile {
    end_tick: u64,
    last_fault_end: Option<u64>,
    converged_at: Option<u64>,
    min_balance: Option<i64>,
    replica_seen: Vec<Vec<Vec<OpId>>>,
    replica_values: Vec<Vec<Value>>,
}

#[cfg(not(target_arch = "wasm32"))]
impl EndFile {
    fn from_state(e: &EndState) -> EndFile {
        EndFile {
            end_tick: e.end_tick,
            last_fault_end: e.last_fault_end,
            converged_at: e.converged_at,
            min_balance: e.min_balance,
            replica_seen: e
                .replica_seen
                .iter()
                .map(|keys| keys.iter().map(|s| s.iter().collect()).collect())
                .collect(),
            replica_values: e.replica_values.clone(),
        }
    }

    fn into_state(self) -> EndState {
        let set = |ids: Vec<OpId>| {
            let mut s = crate::sim::types::OpSet::new();
            ids.into_iter().for_each(|i| s.insert(i));
            s
        };
        EndState {
            replica_seen: self
                .replica_seen
                .into_iter()
                .map(|keys| keys.into_iter().map(set).collect())
                .collect(),
            replica_values: self.replica_values,
            min_balance: self.min_balance,
            last_fault_end: self.last_fault_end,
            converged_at: self.converged_at,
            end_tick: self.end_tick,
        }
    }
}

/// Serializes a history as the version-1 history file.
#[cfg(not(target_arch = "wasm32"))]
pub fn history_to_json(
    case: Case,
    initial: &[i64],
    ops: &[OpRecord],
    end: Option<&EndState>,
) -> String {
    let file = HistoryFile {
        version: HISTORY_VERSION,
        case,
        initial: initial.to_vec(),
        ops: ops.to_vec(),
        end: end.map(EndFile::from_state),
    };
    serde_json::to_string(&file).expect("a history always serializes (plain data)")
}

/// The version-1 history file written by hand, without serde (the wasm build has no serde
/// serializer for it: size budget). Promises byte-for-byte the same text as `history_to_json`
/// (tested natively), so `caplab check` reads a file exported from the browser.
pub fn history_json(
    case: Case,
    initial: &[i64],
    ops: &[OpRecord],
    end: Option<&EndState>,
) -> String {
    let mut out = String::with_capacity(64 + ops.len() * 120);
    let _ = write!(
        out,
        r#"{{"version":{HISTORY_VERSION},"case":"{}","initial":"#,
        case.as_str()
    );
    list_json(&mut out, initial);
    out.push_str(r#","ops":["#);
    for (i, o) in ops.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        op_json(&mut out, o);
    }
    out.push(']');
    if let Some(e) = end {
        end_json(&mut out, e);
    }
    out.push('}');
    out
}

/// `[a,b,…]`.
fn list_json<T: std::fmt::Display>(out: &mut String, xs: impl IntoIterator<Item = T>) {
    out.push('[');
    for (i, x) in xs.into_iter().enumerate() {
        let _ = write!(out, "{}{x}", if i > 0 { "," } else { "" });
    }
    out.push(']');
}

fn end_json(out: &mut String, e: &EndState) {
    let _ = write!(
        out,
        r#","end":{{"end_tick":{},"last_fault_end":{},"converged_at":{},"min_balance":{},"replica_seen":["#,
        e.end_tick,
        opt_json(e.last_fault_end),
        opt_json(e.converged_at),
        opt_json(e.min_balance),
    );
    for (i, keys) in e.replica_seen.iter().enumerate() {
        out.push_str(if i > 0 { ",[" } else { "[" });
        for (k, seen) in keys.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            list_json(out, seen.iter());
        }
        out.push(']');
    }
    out.push_str(r#"],"replica_values":["#);
    for (i, values) in e.replica_values.iter().enumerate() {
        out.push_str(if i > 0 { ",[" } else { "[" });
        let items: Vec<String> = values.iter().map(value_json).collect();
        out.push_str(&items.join(","));
        out.push(']');
    }
    out.push_str("]}");
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
        opt_json(o.completed_at()),
    );
    match o.outcome() {
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
    out.push_str(&o.value().map_or("null".to_string(), value_json));
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

/// Parses and validates a version-1 history file: case, initial values, ops and end state
/// (`None` when the file predates it).
#[cfg(not(target_arch = "wasm32"))]
pub fn history_from_json(text: &str) -> Result<HistoryParts, String> {
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
    let initial = initial_values(file.case, file.initial);
    validate(file.case, &initial, &file.ops)?;
    let end = file.end.map(EndFile::into_state);
    if let Some(e) = &end {
        validate_end(file.case, e, file.ops.len()).map_err(|e| format!("end: {e}"))?;
    }
    Ok((file.case, initial, file.ops, end))
}

/// What a history file holds: case, initial values, ops, end state.
pub type HistoryParts = (Case, Vec<i64>, Vec<OpRecord>, Option<EndState>);

/// The initial values, one per key of the case at most. Files exported before this was fixed
/// wrote two values for the one-key register, the second always 0: extra zeros are dropped.
#[cfg(not(target_arch = "wasm32"))]
fn initial_values(case: Case, mut initial: Vec<i64>) -> Vec<i64> {
    let n_keys = case.keys().len();
    if initial.len() > n_keys && initial[n_keys..].iter().all(|x| *x == 0) {
        initial.truncate(n_keys);
    }
    initial
}

/// Checks a history against its case and the limits: at most `MAX_OPS` ops, op `i` has id `i`,
/// known kinds and keys, clients/nodes/ticks within limits, `complete >= invoke` (that an outcome
/// comes with a completion tick, and a value only with `ok`, is checked as the ops are read).
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

/// Checks an end state against the case and the history: at most `MAX_NODES` replicas, one
/// entry per key, op ids within the history, ticks within the limit.
pub fn validate_end(case: Case, e: &EndState, n_ops: usize) -> Result<(), String> {
    let n_keys = case.keys().len();
    if e.replica_seen.len() > MAX_NODES || e.replica_values.len() > MAX_NODES {
        return Err(format!("more than {MAX_NODES} replicas"));
    }
    if e.replica_seen.iter().any(|keys| keys.len() != n_keys)
        || e.replica_values.iter().any(|keys| keys.len() != n_keys)
    {
        return Err(format!("a replica without exactly {n_keys} keys"));
    }
    let beyond = |id: OpId| id as usize >= n_ops;
    if e.replica_seen
        .iter()
        .flatten()
        .any(|s| s.iter().any(beyond))
    {
        return Err("replica_seen names an op outside the history".to_string());
    }
    let ticks = [Some(e.end_tick), e.last_fault_end, e.converged_at];
    if ticks.into_iter().flatten().any(|t| t > MAX_TICKS) {
        return Err(format!("tick beyond the limit {MAX_TICKS}"));
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
    if o.client as usize >= MAX_HISTORY_CLIENTS || o.node as usize >= MAX_NODES {
        return Err(format!(
            "client {} / node {} out of range",
            o.client, o.node
        ));
    }
    if o.invoke > MAX_TICKS || o.completed_at().is_some_and(|c| c > MAX_TICKS) {
        return Err(format!("tick beyond the limit {MAX_TICKS}"));
    }
    if o.completed_at().is_some_and(|c| c < o.invoke) {
        return Err("completes before it is invoked".to_string());
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
        if let (Some(c), Some(outcome)) = (o.completed_at(), o.outcome()) {
            if outcome != Outcome::Timeout {
                events.push((c.max(o.invoke), 1, o.id, o));
            }
        }
    }
    sort::sort_by_key(&mut events, |(t, kind, id, _)| (*t, *kind, *id));
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
    match o.outcome() {
        Some(Outcome::Refused(reason)) => {
            format!(r#"{{"outcome":"refused","reason":"{}"}}"#, reason.slug())
        }
        _ => {
            let value = o.value().map_or("null".to_string(), value_json);
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
    use crate::sim::types::{Completion, OpKind};

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
                history_json(case, &initial, &ops, None),
                history_to_json(case, &initial, &ops, None)
            );
        }
        assert_eq!(
            history_json(Case::Register, &[], &[], None),
            history_to_json(Case::Register, &[], &[], None)
        );
        let end = sample_end();
        let text = history_json(Case::Feed, &[0, 0], &ops, Some(&end));
        assert_eq!(text, history_to_json(Case::Feed, &[0, 0], &ops, Some(&end)));
        let empty = EndState::default();
        assert_eq!(
            history_json(Case::Bank, &[1], &[], Some(&empty)),
            history_to_json(Case::Bank, &[1], &[], Some(&empty))
        );
    }

    /// An end state for the feed `sample()`: two replicas, one down.
    fn sample_end() -> EndState {
        let set = |ids: &[OpId]| {
            let mut s = crate::sim::types::OpSet::new();
            ids.iter().for_each(|i| s.insert(*i));
            s
        };
        EndState {
            replica_seen: vec![vec![set(&[0]), set(&[1, 4])], vec![set(&[]), set(&[])]],
            replica_values: vec![vec![Value::Set(vec![7]), Value::Int(2)]],
            min_balance: Some(-3),
            last_fault_end: Some(40),
            converged_at: None,
            end_tick: 90,
        }
    }

    #[test]
    fn end_state_round_trips_and_is_validated() {
        let (ops, end) = (sample(), sample_end());
        let text = history_json(Case::Feed, &[0, 0], &ops, Some(&end));
        let (_, _, back, back_end) = history_from_json(&text).expect("valid");
        assert_eq!((back, back_end), (ops.clone(), Some(end.clone())));
        let mut beyond = end.clone();
        beyond.replica_seen[1][0].insert(5);
        let text = history_json(Case::Feed, &[0, 0], &ops, Some(&beyond));
        assert!(history_from_json(&text)
            .unwrap_err()
            .contains("end: replica_seen"));
        let mut keys = end;
        keys.replica_values[0].pop();
        let text = history_json(Case::Feed, &[0, 0], &ops, Some(&keys));
        assert!(history_from_json(&text)
            .unwrap_err()
            .contains("exactly 2 keys"));
    }

    #[test]
    fn a_register_export_with_a_second_zero_still_reads() {
        let ops = vec![ok(0, OpKind::Write, 3, 0, 2)];
        let old = history_to_json(Case::Register, &[0, 0], &ops, None);
        assert_eq!(history_from_json(&old).expect("valid").1, vec![0]);
        let wrong = history_to_json(Case::Register, &[0, 5], &ops, None);
        assert!(history_from_json(&wrong)
            .unwrap_err()
            .contains("2 initial values"));
    }

    #[test]
    fn the_widest_op_fits_its_share_of_the_limit() {
        // The widest outcome comes without a value; the widest value with `ok`.
        let refused =
            Completion::refused(MAX_TICKS, Reason::InsufficientFunds { balance: i64::MIN });
        let siblings = Completion::ok(MAX_TICKS, Some(Value::Siblings(Vec::new())));
        for completion in [refused, siblings] {
            let mut o = op(
                MAX_OPS as OpId - 1,
                ClientId::MAX,
                OpKind::Transfer,
                u8::MAX,
                i64::MIN,
                MAX_TICKS,
                None,
                None,
                None,
            );
            o.completion = Some(completion);
            o.node = u8::MAX;
            o.req.key2 = u8::MAX;
            o.req.consistency = Consistency::Eventual;
            o.missed = vec![1];
            o.fresh = Some(Value::Siblings(Vec::new()));
            let mut text = String::new();
            op_json(&mut text, &o);
            // The one missed id is a list item; the rest (with the comma after the op) is the
            // fixed part.
            let with_comma = text.len() + 1;
            assert!(with_comma <= FIXED_OP_BYTES + ITEM_BYTES, "{with_comma}");
        }
    }

    #[test]
    fn a_ten_thousand_op_history_from_64_clients_is_accepted() {
        let (case, initial, mut ops) = crate::sim::check::bench_history(MAX_OPS, 3);
        for (i, o) in ops.iter_mut().enumerate() {
            o.client = (i % 64) as ClientId;
            o.node = (i % MAX_NODES) as u8;
            o.missed = (0..o.id.min(3)).collect(); // a few missed ids each
        }
        let text = history_json(case, &initial, &ops, None);
        assert!(
            text.len() > 1 << 20,
            "{} bytes: bigger than the old limit",
            text.len()
        );
        assert!(text.len() <= MAX_HISTORY_BYTES);
        let (_, _, back, _) = history_from_json(&text).expect("accepted");
        assert_eq!(back.len(), MAX_OPS);
        assert_eq!(back.iter().map(|o| o.client).max(), Some(63));
    }

    #[test]
    fn history_round_trips_and_rejects_bad_input() {
        let ops = sample();
        let json = history_to_json(Case::Feed, &[0, 0], &ops, None);
        assert!(json.starts_with(r#"{"version":1,"case":"feed","initial":[0,0],"ops":["#));
        assert_eq!(
            history_from_json(&json),
            Ok((Case::Feed, vec![0, 0], ops.clone(), None))
        );

        let bad =
            |ops: &[OpRecord]| history_from_json(&history_to_json(Case::Feed, &[], ops, None));
        let mut wrong_id = ops.clone();
        wrong_id[1].id = 9;
        assert!(bad(&wrong_id).unwrap_err().contains("op 1: id is 9"));
        let mut backwards = ops.clone();
        let first = &backwards[0];
        backwards[0].completion =
            Completion::new(0, first.outcome().unwrap(), first.value().cloned());
        backwards[0].invoke = 3;
        assert!(bad(&backwards)
            .unwrap_err()
            .contains("before it is invoked"));
        // The three exported fields of a completion go together; a value only with `ok`.
        let edit = |field: &str, v: serde_json::Value| {
            let mut file: serde_json::Value = serde_json::from_str(&json).unwrap();
            file["ops"][0][field] = v;
            history_from_json(&file.to_string()).unwrap_err()
        };
        let half = edit("complete", serde_json::Value::Null);
        assert!(
            half.contains("op 0: an outcome needs a completion tick"),
            "{half}"
        );
        let refused = serde_json::json!({"outcome": "timeout"});
        let mut file: serde_json::Value = serde_json::from_str(&json).unwrap();
        file["ops"][0]["outcome"] = refused;
        file["ops"][0]["value"] = serde_json::json!(5);
        let e = history_from_json(&file.to_string()).unwrap_err();
        assert!(e.contains("a value comes only with an ok outcome"), "{e}");
        let withdraw = vec![ok(0, OpKind::Withdraw, 5, 0, 1)];
        assert!(bad(&withdraw)
            .unwrap_err()
            .contains("not a valid operation of case feed"));
        let mut key = vec![read(0, 0, 0, 1)];
        key[0].req.key = 4;
        assert!(history_from_json(&history_to_json(Case::Register, &[], &key, None)).is_err());

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
