//! "Look inside": what the reader sees when they open a node or a message on a stage, in words,
//! read from the run at the frame shown (never scripted). A node shows what its protocol holds
//! (CP: term, role, log, commit index, followers' progress; AP: each key's versions, vector
//! clocks or stamps, held hints; quorum: versions and the last read and write quorum); a message
//! shows its kind, route, timing and contents, and while it is on its way it can be dropped or
//! delayed (one run's input, carried by the link like any other).

use crate::lessons::words::{node_list, request_of, value};
use crate::sim::action::{Flight, MsgId};
use crate::sim::proto::inside::{ApInside, CpInside, Inside, LogLine, QuorumInside};
use crate::sim::proto::versioned::Versioned;
use crate::sim::proto::{ap, ca, cp, quorum, Msg};
use crate::sim::types::{node_name, Case, NodeId, OpId, Status, Tick, Value};
use crate::sim::world::Sim;

/// How much later a delayed message arrives.
pub const DELAY_TICKS: Tick = 200;
/// At most this many messages are listed to pick from (the next to arrive).
pub const MAX_LISTED: usize = 12;

/// What is being looked at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Node(NodeId),
    Message(MsgId),
}

/// What is open, on which stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inspecting {
    pub run: usize,
    pub target: Target,
}

/// The panel's text: a title and labelled rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Panel {
    pub title: String,
    pub rows: Vec<(String, String)>,
    /// A message still on its way (it can be dropped or delayed).
    pub on_its_way: bool,
}

/// The panel for `target` in `sim`.
pub fn panel(sim: &Sim, target: Target) -> Panel {
    match target {
        Target::Node(n) => node_panel(sim, n),
        Target::Message(id) => message_panel(sim, id),
    }
}

fn row(label: &str, text: String) -> (String, String) {
    (label.to_string(), text)
}

fn node_panel(sim: &Sim, n: NodeId) -> Panel {
    let mut rows = Vec::new();
    let status = sim.status(n);
    if status != Status::Up {
        let since = sim.status_since(n);
        let what = if status == Status::Crashed {
            "crashed: it lost what it held in memory; its log or data on disk is kept"
        } else {
            "paused: it does nothing until it resumes; messages for it wait"
        };
        rows.push(row("Status", format!("{what} (since {since} ms)")));
    }
    let case = sim.config().case;
    let title = match sim.inside(n) {
        Inside::Ca { holds_data } => {
            rows.push(ca_row(holds_data));
            format!("Inside {}", node_name(n))
        }
        Inside::Cp(c) => {
            cp_rows(&c, &mut rows);
            format!(
                "Inside {} · {}, term {}",
                node_name(n),
                c.role.as_str(),
                c.term
            )
        }
        Inside::Ap(a) => {
            ap_rows(case, &a, &mut rows);
            format!("Inside {} · AP replica", node_name(n))
        }
        Inside::Quorum(q) => {
            quorum_rows(sim, case, &q, &mut rows);
            format!("Inside {} · quorum replica", node_name(n))
        }
    };
    Panel {
        title,
        rows,
        on_its_way: false,
    }
}

fn ca_row(holds_data: bool) -> (String, String) {
    let text = if holds_data {
        "the only copy of the data: every request, from any node, is served here"
    } else {
        "no data: a proxy that forwards each request to the node with the one copy"
    };
    row("Holds", text.to_string())
}

fn cp_rows(c: &CpInside, rows: &mut Vec<(String, String)>) {
    let vote = c.voted_for.map_or("no vote cast".to_string(), |v| {
        format!("voted for {}", node_name(v))
    });
    rows.push(row("Term", format!("{} ({vote})", c.term)));
    let leader = c.leader.map_or(
        "none known (an election may be under way)".to_string(),
        node_name,
    );
    rows.push(row("Leader", leader));
    rows.push(row(
        "Commit",
        format!(
            "entries up to #{} of {} are committed (on a majority)",
            c.commit, c.log_len
        ),
    ));
    let hidden = c.log_len as usize - c.log.len();
    if hidden > 0 {
        rows.push(row("Log", format!("{hidden} older entries, then:")));
    } else if c.log.is_empty() {
        rows.push(row("Log", "empty".to_string()));
    }
    rows.extend(c.log.iter().map(log_row));
    if !c.peers.is_empty() {
        let mut s = String::from("logs known to match: ");
        for (i, (p, m)) in c.peers.iter().enumerate() {
            sep(&mut s, i, ", ");
            s += &node_name(*p);
            s += " up to ";
            s += &entry(*m);
        }
        rows.push(row("Followers", s));
    }
}

fn log_row(l: &LogLine) -> (String, String) {
    let what = match &l.op {
        None => "no-op (a new leader's first entry)".to_string(),
        Some((op, req)) => format!("{} (op {op})", request_of(req)),
    };
    let state = if l.committed {
        "committed"
    } else {
        "not committed yet"
    };
    (
        format!("#{}", l.index),
        format!("term {} · {what} · {state}", l.term),
    )
}

fn ap_rows(case: Case, a: &ApInside, rows: &mut Vec<(String, String)>) {
    for (k, v) in a.keys.iter().enumerate() {
        rows.push((key_name(case, k as u8), versions(v)));
    }
    let hints = if a.hints.is_empty() {
        "none".to_string()
    } else {
        let mut s = a.hints.len().to_string() + " held for unreachable replicas: ";
        for (i, (to, k, v)) in a.hints.iter().enumerate() {
            sep(&mut s, i, "; ");
            s += &key_name(case, *k);
            s += " = ";
            s += &value(&v.read().0);
            s += " for ";
            s += &node_name(*to);
        }
        s
    };
    rows.push(row("Hints", hints));
    if a.waiting > 0 {
        rows.push(row("Requests", format!("{} in progress here", a.waiting)));
    }
}

/// A key's versions as people read them: one value with its stamp, siblings each with their
/// vector clock, a counter with its per-node parts.
fn versions(v: &Versioned) -> String {
    match v {
        Versioned::Vclock(sibs) if sibs.len() > 1 => {
            let mut out = sibs.len().to_string() + " concurrent versions (siblings): ";
            for (i, s) in sibs.iter().enumerate() {
                sep(&mut out, i, " | ");
                out += &value(&s.data);
                out += " ";
                out += &clock(&s.clock);
            }
            out
        }
        Versioned::Vclock(sibs) => {
            let s = &sibs[0];
            format!("{}, vector clock {}", value(&s.data), clock(&s.clock))
        }
        Versioned::Lww(_) => format!("{}, last-writer stamp {}", value(&v.read().0), v.version()),
        Versioned::Counter(_) => format!("{}, counts per node {}", value(&v.read().0), v.version()),
        Versioned::Set(_) => value(&v.read().0),
    }
}

fn clock(c: &[u64]) -> String {
    let mut s = String::from("[");
    for (i, x) in c.iter().enumerate() {
        sep(&mut s, i, " ");
        s += &node_name(i as NodeId);
        s += ":";
        s += &x.to_string();
    }
    s + "]"
}

fn quorum_rows(sim: &Sim, case: Case, q: &QuorumInside, rows: &mut Vec<(String, String)>) {
    for (k, stored) in q.keys.iter().enumerate() {
        let text = stored
            .as_ref()
            .map_or("not a replica of this key".to_string(), stored_text);
        rows.push((key_name(case, k as u8), text));
    }
    let cfg = sim.config();
    let last = |q: &Option<(OpId, Vec<NodeId>)>, dial: &str, n: u8, verb: &str| match q {
        None => "none yet (since it started)".to_string(),
        Some((op, who)) => format!("op {op}: {} {verb} ({dial} = {n})", node_list(who)),
    };
    rows.push(row(
        "Last read quorum",
        last(&q.last_read, "R", cfg.r, "answered"),
    ));
    rows.push(row(
        "Last write quorum",
        last(&q.last_write, "W", cfg.w, "acknowledged"),
    ));
    if q.waiting > 0 {
        rows.push(row("Requests", format!("{} in progress here", q.waiting)));
    }
}

/// A quorum replica's copy of a key: its value and version, and through which node it came.
fn stored_text(s: &quorum::Stored) -> String {
    if s.version.0 == 0 {
        return [value(&s.data).as_str(), ", version 0 (never written)"].concat();
    }
    format!(
        "{}, version {} written via {}",
        value(&s.data),
        s.version.0,
        node_name(s.version.1)
    )
}

fn key_name(case: Case, k: u8) -> String {
    let name = case.keys().get(usize::from(k)).copied().unwrap_or("?");
    let mut s = name.to_string();
    if let Some(f) = s.get_mut(0..1) {
        f.make_ascii_uppercase();
    }
    s
}

fn message_panel(sim: &Sim, id: MsgId) -> Panel {
    let Some((f, msg)) = sim.flight(id) else {
        return Panel {
            title: format!("Message #{id}"),
            rows: vec![row(
                "Now",
                "it is no longer on its way: it arrived or died".to_string(),
            )],
            on_its_way: false,
        };
    };
    let mut rows = vec![
        row(
            "Route",
            format!("{} → {}", node_name(f.from), node_name(f.to)),
        ),
        row("Sent", format!("at {} ms", f.sent)),
        row("Arrives", arrival(&f)),
    ];
    contents(sim.config().case, msg, &mut rows);
    Panel {
        title: format!("Message #{id} · {}", f.kind.as_str()),
        rows,
        on_its_way: true,
    }
}

fn arrival(f: &Flight) -> String {
    if f.held {
        format!(
            "held on the {} → {} link since {} ms; it goes on when the link is released",
            node_name(f.from),
            node_name(f.to),
            f.deliver
        )
    } else if f.doomed {
        format!(
            "never: it dies at {} ms (the link is cut, or it was lost)",
            f.deliver
        )
    } else {
        format!("at {} ms", f.deliver)
    }
}

/// Before the `i`-th item of a list: the separator.
fn sep(s: &mut String, i: usize, between: &str) {
    if i > 0 {
        s.push_str(between);
    }
}

/// "#12": a log position.
fn entry(i: u64) -> String {
    format!("#{i}")
}

/// A message's contents: a "Contents" row saying what it asks or tells, then one row per field
/// it carries (a table, not a sentence per kind: it keeps the page small).
pub fn contents(case: Case, msg: &Msg, rows: &mut Vec<(String, String)>) {
    let at = rows.len();
    let what: &str = match msg {
        Msg::Cp(m) => cp_contents(m, rows),
        Msg::Ap(m) => ap_contents(case, m, rows),
        Msg::Quorum(m) => quorum_contents(case, m, rows),
        Msg::Ca(ca::Msg::Forward { op, req }) => {
            request_rows(*op, req, rows);
            "a request for the data node"
        }
        Msg::Ca(ca::Msg::Reply { op, result, .. }) => answer(*op, result, rows),
    };
    rows.insert(at, row("Contents", what.to_string()));
}

fn op_row(op: OpId, rows: &mut Vec<(String, String)>) {
    rows.push(row("Op", op.to_string()));
}

fn request_rows(op: OpId, req: &crate::sim::types::Request, rows: &mut Vec<(String, String)>) {
    rows.push(row("Request", request_of(req)));
    op_row(op, rows);
}

fn answer(
    op: OpId,
    result: &Result<Option<Value>, crate::sim::types::Reason>,
    rows: &mut Vec<(String, String)>,
) -> &'static str {
    op_row(op, rows);
    let said = match result {
        Ok(Some(v)) => ["ok, ", value(v).as_str()].concat(),
        Ok(None) => "ok".to_string(),
        Err(r) => ["refused (", r.slug(), ")"].concat(),
    };
    rows.push(row("Answer", said));
    "the answer to a request"
}

fn cp_contents(m: &cp::Msg, rows: &mut Vec<(String, String)>) -> &'static str {
    let (term, what) = match m {
        cp::Msg::PreVote {
            term,
            last_index,
            last_term,
        }
        | cp::Msg::Vote {
            term,
            last_index,
            last_term,
        } => {
            let pre = matches!(m, cp::Msg::PreVote { .. });
            (*term, vote_rows(pre, *last_index, *last_term, rows))
        }
        cp::Msg::PreVoteReply { term, granted } | cp::Msg::VoteReply { term, granted } => (
            *term,
            if *granted {
                "yes, you have my vote"
            } else {
                "no, you do not have my vote"
            },
        ),
        cp::Msg::Append {
            term,
            prev_index,
            entries,
            commit,
            ..
        } => {
            let what = append_rows(*prev_index, entries.len() as u64, *commit, rows);
            (*term, what)
        }
        cp::Msg::AppendReply {
            term,
            success,
            index,
            ..
        } => (*term, append_reply(*success, *index, rows)),
        cp::Msg::Forward { op, req } => {
            request_rows(*op, req, rows);
            return "a request forwarded to the leader";
        }
        cp::Msg::ForwardReply {
            op,
            result: cp::FwdResult::NotLeader,
        } => {
            op_row(*op, rows);
            return "I am not the leader";
        }
        cp::Msg::ForwardReply {
            op,
            result: cp::FwdResult::Done { result, .. },
        } => return answer(*op, result, rows),
    };
    rows.push(row("Term", term.to_string()));
    what
}

/// A follower's answer to an append: how far its log matches, or where to try from.
fn append_reply(success: bool, index: u64, rows: &mut Vec<(String, String)>) -> &'static str {
    if success {
        rows.push(row("My log matches yours up to", entry(index)));
        "done: my log matches yours"
    } else {
        rows.push(row("Try from", entry(index)));
        "refused: my log does not match there"
    }
}

/// A (pre-)vote request's fields: where the candidate's log ends.
fn vote_rows(
    pre: bool,
    last_index: u64,
    last_term: u64,
    rows: &mut Vec<(String, String)>,
) -> &'static str {
    rows.push(row("My log ends at", entry(last_index)));
    rows.push(row("Last entry's term", last_term.to_string()));
    if pre {
        "would you vote for me in this term? (a pre-vote: it changes no term and no vote)"
    } else {
        "vote for me in this term"
    }
}

/// An append's fields: the entries it carries (none: a heartbeat) and the commit index.
fn append_rows(
    prev_index: u64,
    n: u64,
    commit: u64,
    rows: &mut Vec<(String, String)>,
) -> &'static str {
    let what = if n == 0 {
        rows.push(row("Your log should match mine up to", entry(prev_index)));
        "heartbeat from the leader of this term: I am alive"
    } else {
        rows.push(row(
            "Entries",
            [entry(prev_index + 1), entry(prev_index + n)].join("–"),
        ));
        rows.push(row("After", entry(prev_index)));
        "new entries to append to your log"
    };
    rows.push(row("Committed up to", entry(commit)));
    what
}

/// One row per key a message carries: its versions.
fn vals(case: Case, v: &[(u8, Versioned)], rows: &mut Vec<(String, String)>) {
    for (k, x) in v {
        rows.push((key_name(case, *k), versions(x)));
    }
}

fn ap_contents(case: Case, m: &ap::Msg, rows: &mut Vec<(String, String)>) -> &'static str {
    match m {
        ap::Msg::Replicate { op, vals: v } => {
            op_row(*op, rows);
            vals(case, v, rows);
            "a write's new version"
        }
        ap::Msg::Ack { op } => ack(*op, rows),
        ap::Msg::Hint { vals: v } => {
            vals(case, v, rows);
            "writes held for you while you were out of reach"
        }
        ap::Msg::HintAck { vals: v } => {
            vals(case, v, rows);
            "got the held writes; what I now hold"
        }
        ap::Msg::Read { op, keys } => asks(case, *op, keys, rows),
        ap::Msg::ReadReply { op, vals: v } => {
            op_row(*op, rows);
            vals(case, v, rows);
            "my versions, for a read"
        }
        ap::Msg::ReadRepair { vals: v } => {
            vals(case, v, rows);
            "you answered with an older version; the newer one"
        }
        ap::Msg::Sync { keys, answer } => {
            for (k, x) in keys.iter().enumerate() {
                rows.push((key_name(case, k as u8), versions(x)));
            }
            if *answer {
                "anti-entropy, my whole state (sync back if you have something I lack)"
            } else {
                "anti-entropy, my whole state"
            }
        }
    }
}

fn ack(op: OpId, rows: &mut Vec<(String, String)>) -> &'static str {
    op_row(op, rows);
    "stored the write's version"
}

fn asks(case: Case, op: OpId, keys: &[u8], rows: &mut Vec<(String, String)>) -> &'static str {
    op_row(op, rows);
    let mut s = String::new();
    for (i, k) in keys.iter().enumerate() {
        sep(&mut s, i, ", ");
        s += &key_name(case, *k);
    }
    rows.push(row("Keys", s));
    "a read asks for your versions of these keys"
}

fn quorum_contents(case: Case, m: &quorum::Msg, rows: &mut Vec<(String, String)>) -> &'static str {
    let (op, v, what) = match m {
        quorum::Msg::Read { op, keys } => return asks(case, *op, keys, rows),
        quorum::Msg::Ack { op } => return ack(*op, rows),
        quorum::Msg::ReadReply { op, vals: v } => (Some(op), v, "my versions, for a read"),
        quorum::Msg::Replicate { op, vals: v } => (Some(op), v, "a write's new version"),
        quorum::Msg::ReadRepair { vals: v } => {
            (None, v, "you answered with an older version; the newer one")
        }
    };
    if let Some(op) = op {
        op_row(*op, rows);
    }
    for (k, s) in v {
        rows.push((key_name(case, *k), stored_text(s)));
    }
    what
}

/// The messages on their way in `sim` to pick from: the next [`MAX_LISTED`] to arrive, each as
/// (id, "replicate n1 → n2, arrives at 340 ms").
pub fn listed(sim: &Sim) -> Vec<(MsgId, String)> {
    let mut v = sim.in_flight();
    v.retain(|f| f.from != f.to);
    // The next to arrive, picked one by one (a handful; no sort instantiated for it).
    let mut out = Vec::new();
    while out.len() < MAX_LISTED {
        let Some(i) = (0..v.len()).min_by_key(|&i| (v[i].deliver, v[i].id)) else {
            break;
        };
        let f = v.swap_remove(i);
        let when = if f.held {
            "held".to_string()
        } else {
            format!("arrives at {} ms", f.deliver)
        };
        let text = format!(
            "{} {} → {}, {when}",
            f.kind.as_str(),
            node_name(f.from),
            node_name(f.to)
        );
        out.push((f.id, text));
    }
    out
}
