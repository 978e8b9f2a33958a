//! Small phrasing helpers: every sentence about a run is built here from its data.
//!
//! Plain `format!` and `push_str` only (this ships in the wasm bundle). Nothing here invents a
//! fact: each helper turns one record, value or verdict into words.

use crate::sim::check::Checks;
use crate::sim::types::{
    node_name, Consistency, NodeId, OpId, OpKind, OpRecord, Outcome, Tick, Value,
};
use crate::sim::world::Sim;

/// "1 like", "3 likes". Irregular plurals are the caller's business.
pub fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// A duration: ticks are simulated milliseconds.
pub fn ms(ticks: Tick) -> String {
    format!("{ticks} ms")
}

/// "n1", "n1 and n2", "n1, n2 and n3"; "no node" when empty.
pub fn node_list(nodes: &[NodeId]) -> String {
    if nodes.is_empty() {
        return "no node".to_string();
    }
    let names: Vec<String> = nodes.iter().map(|n| node_name(*n)).collect();
    join_and(&names)
}

/// The name of a client, or "client N" if the run has no such client.
pub fn client_name(sim: &Sim, client: u8) -> String {
    match sim.clients().get(usize::from(client)) {
        Some(c) => c.name.clone(),
        None => format!("client {}", u32::from(client) + 1),
    }
}

/// A value as people read it: "100", "2 posts and 5 likes", "two versions side by side: 1 | 2".
pub fn value(v: &Value) -> String {
    match v {
        Value::Int(i) => i.to_string(),
        Value::Set(p) => posts(p),
        Value::Feed { posts: p, likes } => {
            // Counted the same way on both sides: "0 posts and 1 like", not "no posts and 1 like".
            let likes = plural((*likes).max(0) as u64, "like");
            if p.is_empty() {
                format!("0 posts and {likes}")
            } else {
                format!("{} and {likes}", posts(p))
            }
        }
        Value::Siblings(vs) => {
            let parts: Vec<String> = vs.iter().map(value).collect();
            format!("{} versions side by side: {}", vs.len(), parts.join(" | "))
        }
    }
}

/// "no posts", "post #1", "posts #1, #2".
pub fn posts(ids: &[u32]) -> String {
    let list: Vec<String> = ids.iter().map(|i| format!("#{i}")).collect();
    match ids.len() {
        0 => "no posts".into(),
        1 => format!("post {}", list.join("")),
        _ => format!("posts {}", list.join(", ")),
    }
}

/// The noun phrase of a request: "withdrawal of 80", "like", "strong read", "write of x = 5".
pub fn request(rec: &OpRecord) -> String {
    request_of(&rec.req)
}

/// [`request`] of a request on its own (a message's contents, a log entry).
pub fn request_of(r: &crate::sim::types::Request) -> String {
    let level = match r.consistency {
        Consistency::Default => "",
        Consistency::Strong => "strong ",
        Consistency::Eventual => "eventual ",
        Consistency::Quorum => "quorum ",
    };
    let what = match r.kind {
        OpKind::Read => "read".to_string(),
        OpKind::Write => format!("write of {}", r.arg),
        OpKind::Deposit => format!("deposit of {}", r.arg),
        OpKind::Withdraw => format!("withdrawal of {}", r.arg),
        OpKind::Transfer => format!("transfer of {}", r.arg),
        OpKind::Post => format!("post #{}", r.arg),
        OpKind::Like => "like".to_string(),
    };
    format!("{level}{what}")
}

/// "Bob's withdrawal of 80 at n3".
pub fn op(sim: &Sim, rec: &OpRecord) -> String {
    format!(
        "{}'s {} at {}",
        client_name(sim, rec.client),
        request(rec),
        node_name(rec.node)
    )
}

/// How long an op took so far or in all: complete − invoke, or now − invoke while pending.
pub fn took(sim: &Sim, rec: &OpRecord) -> Tick {
    rec.completed_at()
        .unwrap_or(sim.now())
        .saturating_sub(rec.invoke)
}

/// What happened to an op, as a verb phrase: "succeeded after 24 ms", "returned 100 after 4 ms",
/// "was refused after 3 ms: no quorum: n3 reaches 1 of 3 replicas (needs 2)",
/// "got no answer: after 1000 ms the client gave up", "is still waiting (12 ms so far)".
pub fn outcome(sim: &Sim, rec: &OpRecord) -> String {
    let t = ms(took(sim, rec));
    match rec.outcome() {
        None if took(sim, rec) == 0 => "has just been sent and waits for an answer".to_string(),
        None => format!("is still waiting for an answer ({t} so far)"),
        Some(Outcome::Ok) => match rec.value() {
            Some(v) => format!("returned {} after {t}", value(v)),
            None => format!("succeeded after {t}"),
        },
        Some(Outcome::Refused(reason)) => {
            format!("was refused after {t}: {}", reason.describe(rec.node))
        }
        Some(Outcome::Timeout) => {
            format!("got no answer: after {t} the client gave up waiting")
        }
    }
}

/// "Bob's withdrawal of 80 at n3 was refused after 3 ms: …".
pub fn op_outcome(sim: &Sim, rec: &OpRecord) -> String {
    format!("{} {}.", op(sim, rec), outcome(sim, rec))
}

/// Staleness of a read (said right after its value): "That read was stale: one up-to-date copy
/// would have shown 20; it missed 1 update that was already confirmed." A read whose value is
/// right anyway says why it still counts as stale: stale means it missed a confirmed update, and
/// the updates it missed happened to leave the value as it was. `None` for a read that saw every
/// confirmed update (or is not a finished read).
pub fn staleness(rec: &OpRecord) -> Option<String> {
    if !rec.is_stale() {
        return None;
    }
    let n = rec.missed.len() as u64;
    let missed = plural(n, "update");
    let (that, leaves) = if n == 1 {
        ("that was", "it happened to leave")
    } else {
        ("that were", "together they happened to leave")
    };
    match (rec.value(), &rec.fresh) {
        (Some(got), Some(fresh)) if got == fresh => Some(format!(
            "That read was stale even though its value is right: it missed {missed} {that} \
             already confirmed, and {leaves} the value as it was. Stale means a read missed a \
             confirmed update, whatever the value."
        )),
        (_, Some(fresh)) => Some(format!(
            "That read was stale: one up-to-date copy would have shown {}; it missed {missed} \
             {that} already confirmed.",
            value(fresh)
        )),
        _ => Some(format!(
            "That read was stale; it missed {missed} {that} already confirmed."
        )),
    }
}

/// Up to `max` ops by id, named: "Alice's like at n1 (sent at 2000 ms)"; ids not in the
/// history are skipped. The time tells two identical requests apart.
pub fn ops_named(sim: &Sim, ids: &[OpId], max: usize) -> String {
    let names: Vec<String> = ids
        .iter()
        .filter_map(|id| sim.history().get(*id as usize))
        .take(max)
        .map(|r| {
            let mut s = op(sim, r);
            s.push_str(" (sent at ");
            s.push_str(&ms(r.invoke));
            s.push(')');
            s
        })
        .collect();
    join_and(&names)
}

/// "a", "a and b", "a, b and c"; "" when empty.
pub fn join_and(parts: &[String]) -> String {
    match parts.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => {
            let mut s = rest.join(", ");
            s.push_str(" and ");
            s.push_str(last);
            s
        }
    }
}

/// The linearizability verdict in one or two plain sentences, naming the counter-example.
pub fn verdict(sim: &Sim, c: &Checks) -> String {
    match c.linearizable {
        Some(true) => "The checker says: linearizable. Every answer fits one single copy of the \
                       data, changed one operation at a time, in real-time order."
            .to_string(),
        Some(false) => {
            let mut s = String::from(
                "The checker says: NOT linearizable. No single copy of the data could have given \
                 these answers",
            );
            let named = ops_named(sim, &c.lin_counterexample, 3);
            if !named.is_empty() {
                s.push_str(": look at ");
                s.push_str(&named);
                s.push_str(", outlined in the history");
            }
            s.push('.');
            s
        }
        None => "The checker ran out of search budget: it cannot say whether this history is \
                 linearizable."
            .to_string(),
    }
}

/// True when `a` and `b` are both running and messages pass both ways between them (a node
/// always reaches itself while it runs).
pub fn can_talk(sim: &Sim, a: NodeId, b: NodeId) -> bool {
    use crate::sim::net::LinkMode;
    use crate::sim::types::Status;
    let up = |n| sim.status(n) == Status::Up;
    if a == b {
        return up(a);
    }
    up(a) && up(b) && sim.link(a, b).mode != LinkMode::Cut && sim.link(b, a).mode != LinkMode::Cut
}

/// How many nodes `node` can talk to, itself included (0 when it is not running).
pub fn reach(sim: &Sim, node: NodeId) -> u8 {
    (0..sim.node_count())
        .filter(|&o| can_talk(sim, node, o))
        .count() as u8
}

/// Who `node` can talk to right now: "n3 has been down since it crashed at 500 ms", "n3 has been
/// paused since 500 ms", "n3 is cut off from n1 and n2", "n3 can reach every other node".
pub fn situation(sim: &Sim, node: NodeId) -> String {
    use crate::sim::net::LinkMode;
    use crate::sim::types::Status;
    let name = node_name(node);
    let since = ms(sim.status_since(node));
    match sim.status(node) {
        Status::Crashed => return format!("{name} has been down since it crashed at {since}"),
        Status::Paused => return format!("{name} has been paused since {since}"),
        Status::Up => {}
    }
    let cut: Vec<NodeId> = (0..sim.node_count())
        .filter(|&o| o != node)
        .filter(|&o| {
            sim.link(node, o).mode == LinkMode::Cut || sim.link(o, node).mode == LinkMode::Cut
        })
        .collect();
    if cut.is_empty() {
        format!("{name} can reach every other node")
    } else {
        format!("{name} is cut off from {}", node_list(&cut))
    }
}

/// What the quorum dials promise, with the conditions under which the promise holds. The UI's
/// dial hint and the quorum lesson show these words; `tests/quorum.rs` checks every run against
/// them. With R + W > N a read's R replicas and an acknowledged write's W replicas share at least
/// one of the key's N replicas, so the read meets the write's version or a newer one; the newer
/// one reflects the write unless it came from an update that read the key before the write
/// landed — one that ran at the same time, or one that timed out part-way and left its version on
/// some replicas only.
pub fn quorum_dials(n: u8, r: u8, w: u8) -> String {
    let sum = u16::from(r) + u16::from(w);
    if sum > u16::from(n) {
        format!(
            "R + W = {sum} > N = {n}: a read's R replicas include one that confirmed each \
             acknowledged write, so it sees every write acknowledged before it began — unless an \
             update of the same data timed out part-way (it reached some replicas only) or two \
             updates of it ran at the same time (then one of them can even be lost). An eventual \
             read asks a single replica and may be stale."
        )
    } else {
        format!(
            "R + W = {sum} ≤ N = {n}: a read may ask only replicas an acknowledged write never \
             reached, so reads may be stale."
        )
    }
}

/// Where a key lives in quorum mode: "x lives on n1 and n2 only (N = 2 of 3 nodes)".
pub fn quorum_replicas(sim: &Sim, key: u8) -> String {
    let cfg = sim.config();
    let name = cfg
        .case
        .keys()
        .get(usize::from(key))
        .copied()
        .unwrap_or("the key");
    let on = node_list(&cfg.replicas_of(key));
    if cfg.n < cfg.nodes {
        format!(
            "{name} lives on {on} only (N = {} of {} nodes); the other nodes keep no copy and \
             only pass requests on",
            cfg.n, cfg.nodes
        )
    } else {
        format!("{name} lives on every node ({on})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_words() {
        assert_eq!(plural(1, "like"), "1 like");
        assert_eq!(plural(0, "like"), "0 likes");
        assert_eq!(node_list(&[0, 1, 2]), "n1, n2 and n3");
        assert_eq!(node_list(&[2]), "n3");
        assert_eq!(node_list(&[]), "no node");
        assert_eq!(
            value(&Value::Feed {
                posts: vec![1],
                likes: 2
            }),
            "post #1 and 2 likes"
        );
        assert_eq!(
            value(&Value::Siblings(vec![Value::Int(1), Value::Int(2)])),
            "2 versions side by side: 1 | 2"
        );
        let none = Value::Feed {
            posts: vec![],
            likes: 1,
        };
        assert_eq!(value(&none), "0 posts and 1 like");
    }

    fn read(value: i64, fresh: i64, missed: Vec<OpId>) -> OpRecord {
        use crate::sim::types::{Completion, Request};
        let req = Request::simple(OpKind::Read, 0, Consistency::Default);
        OpRecord {
            id: 9,
            client: 0,
            node: 2,
            req,
            invoke: 100,
            completion: Completion::new(104, Outcome::Ok, Some(Value::Int(value))),
            missed,
            fresh: Some(Value::Int(fresh)),
        }
    }

    #[test]
    fn a_stale_read_with_the_right_value_says_why_it_is_stale() {
        let right = staleness(&read(100, 100, vec![3, 4])).unwrap();
        assert_eq!(
            right,
            "That read was stale even though its value is right: it missed 2 updates that were \
             already confirmed, and together they happened to leave the value as it was. Stale \
             means a read missed a confirmed update, whatever the value."
        );
        let wrong = staleness(&read(100, 20, vec![3])).unwrap();
        assert_eq!(
            wrong,
            "That read was stale: one up-to-date copy would have shown 20; it missed 1 update \
             that was already confirmed."
        );
        assert_eq!(staleness(&read(100, 100, vec![])), None);
    }

    #[test]
    fn a_crashed_node_says_when_it_crashed() {
        use crate::sim::action::Action;
        use crate::sim::scenario::ScriptedAction;
        let mut s = crate::sim::scenario::Scenario::builtin("register").unwrap();
        s.workload = None;
        s.faults = vec![ScriptedAction {
            at: 500,
            action: Action::Crash(1),
        }];
        let mut sim = s.build().unwrap();
        sim.run_until(1000);
        assert_eq!(
            situation(&sim, 1),
            "n2 has been down since it crashed at 500 ms"
        );
    }
}
