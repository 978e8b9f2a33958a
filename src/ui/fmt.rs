//! Short texts for people: values, outcomes, op labels. Pure; no protocol logic.

use crate::sim::types::{node_name, Case, OpRecord, Outcome, Value};

/// A value as people read it: `100`, `posts #1 #2 ♥ 12`, siblings as `a | b`.
pub fn value(v: &Value) -> String {
    match v {
        Value::Int(x) => x.to_string(),
        Value::Set(s) => posts(s),
        Value::Feed { posts: p, likes } => format!("{} ♥ {likes}", posts(p)),
        Value::Siblings(vs) => match sibling_posts(vs) {
            Some(s) => s,
            None => vs.iter().map(value).collect::<Vec<_>>().join(" | "),
        },
    }
}

/// Concurrent post sets, short enough for a node: "posts #1 | #2" (`None` unless every sibling
/// is a set of at most three posts).
fn sibling_posts(vs: &[Value]) -> Option<String> {
    let mut out = String::from("posts");
    for (i, v) in vs.iter().enumerate() {
        let Value::Set(ids) = v else { return None };
        if ids.len() > 3 {
            return None;
        }
        out.push_str(if i == 0 { " " } else { " | " });
        if ids.is_empty() {
            out.push_str("none");
        }
        let list: Vec<String> = ids.iter().map(|id| format!("#{id}")).collect();
        out.push_str(&list.join(" "));
    }
    Some(out)
}

/// "no posts", "post #1", "posts #1 #2" (ids up to three, then a count): concurrent posts
/// kept side by side must read as different posts, not as "1 posts | 1 posts".
fn posts(ids: &[u32]) -> String {
    let mut out = String::from(match ids.len() {
        0 => "no posts",
        1 => "post",
        2..=3 => "posts",
        _ => return format!("{} posts", ids.len()),
    });
    for id in ids {
        out.push_str(" #");
        out.push_str(&id.to_string());
    }
    out
}

/// A node's data: (big line, small line). Empty keys (a CA proxy) show a dash. The bank's small
/// line is the savings balance when `savings` (see `app::cards::savings_shown`), else it names
/// the big number's account: "checking".
pub fn node_data(case: Case, keys: &[Value], savings: bool) -> (String, String) {
    let Some(first) = keys.first() else {
        return ("—".into(), "no data".into());
    };
    match case {
        Case::Bank => (
            value(first),
            match keys.get(1) {
                Some(s) if savings => format!("savings {}", value(s)),
                _ => "checking".into(),
            },
        ),
        Case::Feed => (
            keys.get(1)
                .map(|l| format!("♥ {}", value(l)))
                .unwrap_or_default(),
            value(first),
        ),
        Case::Register => (format!("x = {}", value(first)), String::new()),
    }
}

/// `node_data` for a node that keeps only the keys marked in `held` (quorum mode with N below
/// the node count): a key it keeps no copy of reads "—".
pub fn node_data_held(
    case: Case,
    keys: &[Value],
    held: &[bool],
    savings: bool,
) -> (String, String) {
    let (big, small) = node_data(case, keys, savings);
    let has = |k: usize| held.get(k).copied().unwrap_or(true);
    match case {
        _ if (0..keys.len()).all(has) => (big, small),
        Case::Register => ("x —".into(), "no copy".into()),
        Case::Bank => (
            if has(0) { big } else { "—".into() },
            match (savings, has(0), has(1)) {
                (true, _, true) | (false, true, _) => small,
                (true, _, false) => "savings —".into(),
                (false, false, _) => "no checking copy".into(),
            },
        ),
        Case::Feed => (
            if has(1) { big } else { "♥ —".into() },
            if has(0) { small } else { "posts —".into() },
        ),
    }
}

/// The outcome slug a test sees: ok / refused / timeout / stale / pending.
pub fn outcome_slug(op: &OpRecord) -> &'static str {
    match op.outcome() {
        None => "pending",
        Some(Outcome::Ok) if op.is_stale() => "stale",
        Some(o) => o.slug(),
    }
}

/// One icon per outcome (shape as well as colour).
pub fn outcome_icon(slug: &str) -> &'static str {
    match slug {
        "ok" => "✓",
        "refused" => "⊘",
        "timeout" => "◷",
        "stale" => "⚠",
        _ => "…",
    }
}

/// What an operation asked: `withdraw 80`, `read`, `like`.
pub use crate::app::history::op_label;

/// One sentence on how an op ended, with the reason, the value read or what a stale read missed.
pub fn outcome_text(op: &OpRecord) -> String {
    let what = op_label(op);
    match op.outcome() {
        None => format!("{what}: waiting…"),
        Some(Outcome::Ok) if op.is_stale() => format!(
            "{what} ⚠ stale: got {}, missed {} update(s); fresh value {}",
            op.value().map(value).unwrap_or_default(),
            op.missed.len(),
            op.fresh.as_ref().map(value).unwrap_or_default()
        ),
        Some(Outcome::Ok) => match op.value() {
            Some(v) => format!("{what} ✓ {}", value(v)),
            None => format!("{what} ✓ ok"),
        },
        Some(Outcome::Refused(r)) => format!("{what} ⊘ {}", r.describe(op.node)),
        Some(Outcome::Timeout) => format!("{what} ◷ timed out at {}", node_name(op.node)),
    }
}

/// `Alice @ n1`.
pub fn client_label(name: &str, node: u8) -> String {
    format!("{name} @ {}", node_name(node))
}
