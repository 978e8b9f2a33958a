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
        let parts: Vec<String> = c
            .peers
            .iter()
            .map(|(p, m)| format!("{} up to #{m}", node_name(*p)))
            .collect();
        rows.push(row(
            "Followers",
            format!("logs known to match: {}", parts.join(", ")),
        ));
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
        let parts: Vec<String> = a
            .hints
            .iter()
            .map(|(to, k, v)| {
                format!(
                    "{} = {} for {}",
                    key_name(case, *k),
                    value(&v.read().0),
                    node_name(*to)
                )
            })
            .collect();
        format!(
            "{} held for unreachable replicas: {}",
            a.hints.len(),
            parts.join("; ")
        )
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
            let parts: Vec<String> = sibs
                .iter()
                .map(|s| format!("{} {}", value(&s.data), clock(&s.clock)))
                .collect();
            format!(
                "{} concurrent versions (siblings): {}",
                sibs.len(),
                parts.join(" | ")
            )
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
    let parts: Vec<String> = c
        .iter()
        .enumerate()
        .map(|(i, x)| format!("{}:{x}", node_name(i as NodeId)))
        .collect();
    format!("[{}]", parts.join(" "))
}

fn quorum_rows(sim: &Sim, case: Case, q: &QuorumInside, rows: &mut Vec<(String, String)>) {
    for (k, stored) in q.keys.iter().enumerate() {
        let text = match stored {
            None => "not a replica of this key".to_string(),
            Some(s) if s.version.0 == 0 => format!("{}, version 0 (never written)", value(&s.data)),
            Some(s) => format!(
                "{}, version {} written via {}",
                value(&s.data),
                s.version.0,
                node_name(s.version.1)
            ),
        };
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

fn key_name(case: Case, k: u8) -> String {
    let name = case.keys().get(usize::from(k)).copied().unwrap_or("?");
    let mut s = name.to_string();
    if let Some(f) = s.get_mut(0..1) {
        f.make_ascii_uppercase();
    }
    s
}

fn message_panel(sim: &Sim, id: MsgId) -> Panel {
    let flight = sim.in_flight().into_iter().find(|f| f.id == id);
    let (Some(f), Some(msg)) = (flight, sim.message(id)) else {
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
    rows.push(row("Contents", contents(sim.config().case, msg)));
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

/// A message's contents, in words.
pub fn contents(case: Case, msg: &Msg) -> String {
    match msg {
        Msg::Cp(m) => cp_contents(m),
        Msg::Ap(m) => ap_contents(case, m),
        Msg::Quorum(m) => quorum_contents(case, m),
        Msg::Ca(ca::Msg::Forward { op, req }) => {
            format!("request {} (op {op}) for the data node", request_of(req))
        }
        Msg::Ca(ca::Msg::Reply { op, result, .. }) => answer(*op, result),
    }
}

fn answer(op: OpId, result: &Result<Option<Value>, crate::sim::types::Reason>) -> String {
    match result {
        Ok(Some(v)) => format!("answer to op {op}: ok, {}", value(v)),
        Ok(None) => format!("answer to op {op}: ok"),
        Err(r) => format!("answer to op {op}: refused ({})", r.slug()),
    }
}

fn cp_contents(m: &cp::Msg) -> String {
    match m {
        cp::Msg::PreVote { term, last_index, last_term } => format!("would you vote for me in term {term}? (a pre-vote; my log ends at #{last_index}, term {last_term})"),
        cp::Msg::Vote { term, last_index, last_term } => format!("vote for me in term {term} (my log ends at #{last_index}, term {last_term})"),
        cp::Msg::PreVoteReply { term, granted } | cp::Msg::VoteReply { term, granted } => {
            format!("{} (term {term})", if *granted { "yes, you have my vote" } else { "no" })
        }
        cp::Msg::Append { term, prev_index, entries, commit, .. } if entries.is_empty() => {
            format!("heartbeat from the leader of term {term}: I am alive; committed up to #{commit} (your log should match mine up to #{prev_index})")
        }
        cp::Msg::Append { term, prev_index, entries, commit, .. } => format!(
            "append {} (#{}–#{}) after #{prev_index}, term {term}; committed up to #{commit}",
            crate::lessons::words::plural(entries.len() as u64, "entry"),
            prev_index + 1,
            prev_index + entries.len() as u64
        ),
        cp::Msg::AppendReply { term, success: true, index, .. } => format!("done: my log matches yours up to #{index} (term {term})"),
        cp::Msg::AppendReply { term, index, .. } => format!("refused: my log does not match there; try from #{index} (term {term})"),
        cp::Msg::Forward { op, req } => format!("request {} (op {op}) forwarded to the leader", request_of(req)),
        cp::Msg::ForwardReply { op, result: cp::FwdResult::NotLeader } => format!("op {op}: I am not the leader"),
        cp::Msg::ForwardReply { op, result: cp::FwdResult::Done { result, .. } } => answer(*op, result),
    }
}

fn vals(case: Case, v: &[(u8, Versioned)]) -> String {
    let parts: Vec<String> = v
        .iter()
        .map(|(k, x)| format!("{} = {}", key_name(case, *k), versions(x)))
        .collect();
    parts.join("; ")
}

fn ap_contents(case: Case, m: &ap::Msg) -> String {
    match m {
        ap::Msg::Replicate { op, vals: v } => format!("op {op}'s new version: {}", vals(case, v)),
        ap::Msg::Ack { op } => format!("stored op {op}'s version"),
        ap::Msg::Hint { vals: v } => format!(
            "writes held for you while you were out of reach: {}",
            vals(case, v)
        ),
        ap::Msg::HintAck { vals: v } => {
            format!("got the held writes; I now hold {}", vals(case, v))
        }
        ap::Msg::Read { op, keys } => {
            format!("op {op} asks for your versions of {}", key_list(case, keys))
        }
        ap::Msg::ReadReply { op, vals: v } => format!("for op {op}: {}", vals(case, v)),
        ap::Msg::ReadRepair { vals: v } => format!(
            "you answered with an older version; newer: {}",
            vals(case, v)
        ),
        ap::Msg::Sync { keys, answer } => {
            let all: Vec<(u8, Versioned)> = keys
                .iter()
                .cloned()
                .enumerate()
                .map(|(k, v)| (k as u8, v))
                .collect();
            let back = if *answer {
                " (sync back if you have something I lack)"
            } else {
                ""
            };
            format!("anti-entropy, my whole state: {}{back}", vals(case, &all))
        }
    }
}

fn key_list(case: Case, keys: &[u8]) -> String {
    let names: Vec<String> = keys
        .iter()
        .map(|k| key_name(case, *k).to_lowercase())
        .collect();
    names.join(" and ")
}

fn stored(case: Case, v: &[(u8, quorum::Stored)]) -> String {
    let parts: Vec<String> = v
        .iter()
        .map(|(k, s)| {
            format!(
                "{} = {} (version {})",
                key_name(case, *k),
                value(&s.data),
                s.version.0
            )
        })
        .collect();
    parts.join("; ")
}

fn quorum_contents(case: Case, m: &quorum::Msg) -> String {
    match m {
        quorum::Msg::Read { op, keys } => {
            format!("op {op} asks for your versions of {}", key_list(case, keys))
        }
        quorum::Msg::ReadReply { op, vals: v } => format!("for op {op}: {}", stored(case, v)),
        quorum::Msg::Replicate { op, vals: v } => {
            format!("op {op}'s new version: {}", stored(case, v))
        }
        quorum::Msg::Ack { op } => format!("stored op {op}'s version"),
        quorum::Msg::ReadRepair { vals: v } => format!(
            "you answered with an older version; newer: {}",
            stored(case, v)
        ),
    }
}

/// The messages on their way in `sim` to pick from: the next [`MAX_LISTED`] to arrive, each as
/// (id, "replicate n1 → n2, arrives at 340 ms").
pub fn listed(sim: &Sim) -> Vec<(MsgId, String)> {
    let mut v = sim.in_flight();
    v.retain(|f| f.from != f.to);
    v.sort_by_key(|f| (f.deliver, f.id));
    v.truncate(MAX_LISTED);
    v.iter()
        .map(|f| {
            let when = if f.held {
                "held".to_string()
            } else {
                format!("arrives at {} ms", f.deliver)
            };
            (
                f.id,
                format!(
                    "{} {} → {}, {when}",
                    f.kind.as_str(),
                    node_name(f.from),
                    node_name(f.to)
                ),
            )
        })
        .collect()
}
