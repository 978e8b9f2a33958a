//! Prediction questions: the kinds of question a step can ask, their options, and the answer,
//! always computed from the finished run (never scripted), with why it happened, the tick that
//! decided it (the reveal plays the stage to it) and the words that would give it away (a step
//! must not say them before it asks).

use super::{find_op, why, words, StepCtx, Watch};
use crate::sim::model::State;
use crate::sim::sort;
use crate::sim::types::{node_name, NodeId, OpKind, OpRecord, Outcome, Reason, Tick, Value};
use crate::sim::world::Sim;

/// What a question asks about a stage's run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ask {
    /// Which answer the watched op gets: ok, refused or timeout.
    Outcome(Watch),
    /// The value the watched read returns; the options are the values it could plausibly read.
    ReadValue(Watch),
    /// The balance every replica of `stage` holds once they agree again after the last fault.
    Balance { stage: usize },
    /// How many likes every replica of `stage` shows once they agree again; `apart` is the node
    /// that was cut off (its likes and the others' are the options).
    Likes { stage: usize, apart: NodeId },
    /// Which of two clients keeps being served: the ops `a` and `b` (same stage).
    Serves { a: Watch, b: Watch },
    /// Will any read of `stage` be stale (miss an update already confirmed)?
    Stale { stage: usize },
}

impl Ask {
    /// The stage (run) the question is about.
    pub fn stage(&self) -> usize {
        match self {
            Ask::Outcome(w) | Ask::ReadValue(w) | Ask::Serves { a: w, .. } => w.stage,
            Ask::Balance { stage } | Ask::Likes { stage, .. } | Ask::Stale { stage } => *stage,
        }
    }
}

/// A question's options and its answer in the finished run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Answer {
    /// Option slugs (ids on the page), 2 to 4.
    pub options: Vec<String>,
    /// How each option reads on its button.
    pub labels: Vec<String>,
    /// The slug of the option that happened (`None`: the run never decided it).
    pub answer: Option<String>,
    /// Why, computed from the run.
    pub why: String,
    /// The tick of the event that decided it (an op's answer, convergence).
    pub tick: Option<Tick>,
    /// Phrases that would give the answer away if the step said them before asking.
    pub tells: Vec<String>,
}

impl Answer {
    /// How the answer reads ("-60", "only Alice (at n1)"), if there is one.
    pub fn label(&self) -> Option<&str> {
        let a = self.answer.as_deref()?;
        let i = self.options.iter().position(|o| o == a)?;
        self.labels.get(i).map(String::as_str)
    }
}

/// Computes the answer to `ask` from the stages' runs carried on to their end.
pub(super) fn answer(ctx: &StepCtx, ask: &Ask) -> Answer {
    if ask.stage() >= ctx.stages() {
        return Answer {
            why: "This question names a run that is not shown.".into(),
            ..Answer::default()
        };
    }
    match *ask {
        Ask::Outcome(w) => outcome(ctx.finished(w.stage), w),
        Ask::ReadValue(w) => read_value(ctx.finished(w.stage), w),
        Ask::Balance { stage } => balance(ctx.finished(stage)),
        Ask::Likes { stage, apart } => likes(ctx.finished(stage), apart),
        Ask::Serves { a, b } => serves(ctx.finished(a.stage), a, b),
        Ask::Stale { stage } => stale(ctx.finished(stage)),
    }
}

/// "was refused", "got no answer", "succeeded": how an op's ending is said (see
/// [`words::outcome`]).
fn verb(o: Outcome) -> &'static str {
    match o {
        Outcome::Ok => "succeeded",
        Outcome::Refused(_) => "was refused",
        Outcome::Timeout => "got no answer",
    }
}

/// The watched op and its ending, or an answer saying why there is none.
fn ended(sim: &Sim, w: Watch) -> Result<(&OpRecord, Outcome, Tick), String> {
    let who = words::client_name(sim, w.client);
    let Some(rec) = find_op(sim, w.client, w.at) else {
        let mut why = who.clone();
        why.push_str(" never sent this request: ");
        why.push_str(&who);
        why.push_str(" was still waiting for an earlier answer, or the run ended first.");
        return Err(why);
    };
    match (rec.outcome(), rec.completed_at()) {
        (Some(o), Some(t)) => Ok((rec, o, t)),
        _ => Err(format!(
            "{} The run ended first.",
            words::op_outcome(sim, rec)
        )),
    }
}

fn outcome(sim: &Sim, w: Watch) -> Answer {
    let mut a = Answer {
        options: super::OPTIONS.map(String::from).to_vec(),
        labels: [
            "✓ it goes through (ok)",
            "⊘ it is refused",
            "◷ no answer (timeout)",
        ]
        .map(String::from)
        .to_vec(),
        ..Answer::default()
    };
    match ended(sim, w) {
        Ok((rec, o, t)) => {
            a.answer = Some(o.slug().to_string());
            a.why = format!(
                "{} {}",
                words::op_outcome(sim, rec),
                why(sim.config().mode, rec)
            );
            a.tick = Some(t);
            a.tells = vec![format!("{} {}", words::op(sim, rec), verb(o))];
        }
        Err(e) => a.why = e,
    }
    a
}

/// The values a read could plausibly return: the initial value, each earlier update alone and
/// all of them in order, and what it did return; at most four, the answer always among them.
fn plausible(sim: &Sim, rec: &OpRecord, got: &Value) -> Vec<Value> {
    let cfg = sim.config();
    let start = State::new(cfg.case, &cfg.initial);
    let mut all = start.clone();
    let mut out = vec![start.read(&rec.req)];
    let done = rec.completed_at().unwrap_or(Tick::MAX);
    for u in sim
        .history()
        .iter()
        .filter(|u| u.req.kind.is_update() && u.invoke < done)
    {
        let mut alone = start.clone();
        let _ = alone.apply(&u.req);
        out.push(alone.read(&rec.req));
        let _ = all.apply(&u.req);
    }
    out.push(all.read(&rec.req));
    out.push(got.clone());
    let mut uniq: Vec<Value> = Vec::new();
    for v in out {
        if !uniq.contains(&v) {
            uniq.push(v);
        }
    }
    while uniq.len() > 4 {
        let drop = uniq.iter().position(|v| v != got).unwrap_or(0);
        uniq.remove(drop);
    }
    if uniq.iter().all(|v| matches!(v, Value::Int(_))) {
        sort::sort(&mut uniq);
    }
    uniq
}

fn read_value(sim: &Sim, w: Watch) -> Answer {
    let (rec, o, t) = match ended(sim, w) {
        Ok(e) => e,
        Err(why) => return not_decided(why),
    };
    let mut a = Answer {
        tick: Some(t),
        ..Answer::default()
    };
    let Some(got) = rec.value().filter(|_| o == Outcome::Ok) else {
        a.why = words::op_outcome(sim, rec);
        return a;
    };
    let values = plausible(sim, rec, got);
    for (i, v) in values.iter().enumerate() {
        let slug = match v {
            Value::Int(n) => n.to_string(),
            _ => format!("v{i}"),
        };
        if v == got {
            a.answer = Some(slug.clone());
        }
        a.options.push(slug);
        a.labels.push(words::value(v));
    }
    a.why = words::op_outcome(sim, rec);
    a.why.push(' ');
    a.why.push_str(
        &words::staleness(rec)
            .unwrap_or_else(|| "It saw every update confirmed before it was sent.".into()),
    );
    a.tells = vec![format!("returned {}", words::value(got))];
    a
}

/// The value of key `key` every data replica of the finished run holds, if they agree.
fn agreed(sim: &Sim, key: usize) -> Option<i64> {
    let mut vals = (0..sim.node_count()).filter_map(|n| match sim.view(n).keys.get(key) {
        Some(Value::Int(v)) => Some(*v),
        _ => None,
    });
    let first = vals.next()?;
    vals.all(|v| v == first).then_some(first)
}

/// The tick the replicas agreed again after the last fault, and the value they agree on.
fn converged(sim: &Sim, key: usize) -> Option<(Tick, i64)> {
    Some((sim.converged_at()?, agreed(sim, key)?))
}

const NEVER_AGREED: &str = "The replicas did not agree again before the run ended.";

/// An answer the run never decided, and why.
fn not_decided(why: String) -> Answer {
    Answer {
        why,
        ..Answer::default()
    }
}

/// Options from numbers: sorted, unique, each labelled by `label`; the answer `v` among them.
fn numbers(nums: &mut Vec<i64>, v: i64, label: impl Fn(i64) -> String) -> Answer {
    nums.push(v);
    sort::sort(nums);
    nums.dedup();
    while nums.len() > 4 {
        let drop = nums.iter().position(|n| *n != v).unwrap_or(0);
        nums.remove(drop);
    }
    Answer {
        options: nums.iter().map(i64::to_string).collect(),
        labels: nums.iter().map(|n| label(*n)).collect(),
        answer: Some(v.to_string()),
        ..Answer::default()
    }
}

fn balance(sim: &Sim) -> Answer {
    let Some((t, v)) = converged(sim, 0) else {
        return not_decided(NEVER_AGREED.into());
    };
    let start = sim.config().initial.first().copied().unwrap_or(0);
    let withdrawals: Vec<&OpRecord> = sim
        .history()
        .iter()
        .filter(|r| r.req.kind == OpKind::Withdraw)
        .collect();
    // The balance after none, some or all of the withdrawals, as a reader might guess it.
    let mut nums = vec![start];
    let mut sum = 0;
    for w in &withdrawals {
        sum += w.req.arg;
        nums.push(start - sum);
    }
    let mut a = numbers(&mut nums, v, |n| n.to_string());
    let ok: Vec<&&OpRecord> = withdrawals
        .iter()
        .filter(|r| r.outcome() == Some(Outcome::Ok))
        .collect();
    let paid: i64 = ok.iter().map(|r| r.req.arg).sum();
    let mut why = format!("Once they agreed again, every replica held {v}. ");
    let ok_n = ok.len() as u64;
    why.push_str(&words::plural(ok_n, "withdrawal"));
    why.push_str(if ok_n == 1 { " was" } else { " were" });
    why.push_str(&format!(
        " confirmed, {paid} in all, from a balance of {start}."
    ));
    if v < 0 {
        why.push_str(
            " Each replica approved what its own copy could pay; merged, the withdrawals took \
             more than the account held.",
        );
    }
    a.why = why;
    a.tick = Some(t);
    a.tells = vec![format!("hold {v}"), format!("holds {v}")];
    a
}

fn likes(sim: &Sim, apart: NodeId) -> Answer {
    let Some((t, v)) = converged(sim, 1) else {
        return not_decided(NEVER_AGREED.into());
    };
    let ok: Vec<&OpRecord> = sim
        .history()
        .iter()
        .filter(|r| r.req.kind == OpKind::Like && r.outcome() == Some(Outcome::Ok))
        .collect();
    let total = ok.len() as i64;
    let there = ok.iter().filter(|r| r.node == apart).count() as i64;
    let mut nums = vec![total, there, total - there];
    let mut a = numbers(&mut nums, v, |n| words::plural(n.max(0) as u64, "like"));
    let mut why =
        format!(
        "Once they agreed again, every replica showed {}. {} confirmed: {there} through {}, {} \
         through the others.",
        words::plural(v.max(0) as u64, "like"),
        if total == 1 { "1 like was".to_string() } else { format!("{total} likes were") },
        node_name(apart),
        total - there
    );
    let lost = words::plural((total - v).max(0) as u64, "confirmed like");
    why.push_str(&match total - v {
        0 => " None was lost.".to_string(),
        _ if v == there || v == total - there => {
            format!(" The merge kept one side's count and dropped the other's: {lost} lost.")
        }
        _ => format!(" {lost} lost in the merge."),
    });
    a.why = why;
    a.tick = Some(t);
    a.tells = vec![format!(
        "all show {}",
        words::plural(v.max(0) as u64, "like")
    )];
    a
}

/// Served: answered for real (ok, or a business refusal such as insufficient funds).
fn served(o: Outcome) -> bool {
    matches!(
        o,
        Outcome::Ok | Outcome::Refused(Reason::InsufficientFunds { .. })
    )
}

fn serves(sim: &Sim, a: Watch, b: Watch) -> Answer {
    let who = |w: Watch| {
        let mut s = String::from("only ");
        s.push_str(&words::client_name(sim, w.client));
        if let Some(c) = sim.clients().get(usize::from(w.client)) {
            s.push_str(" (at ");
            s.push_str(&node_name(c.node));
            s.push(')');
        }
        s
    };
    let mut out = Answer {
        options: ["a", "b", "both", "neither"].map(String::from).to_vec(),
        labels: vec![who(a), who(b), "both".into(), "neither".into()],
        ..Answer::default()
    };
    let (ra, oa, ta) = match ended(sim, a) {
        Ok(e) => e,
        Err(why) => return Answer { why, ..out },
    };
    let (rb, ob, tb) = match ended(sim, b) {
        Ok(e) => e,
        Err(why) => return Answer { why, ..out },
    };
    let slug = match (served(oa), served(ob)) {
        (true, true) => "both",
        (true, false) => "a",
        (false, true) => "b",
        (false, false) => "neither",
    };
    out.answer = Some(slug.into());
    out.tick = Some(ta.max(tb));
    let mode = sim.config().mode;
    out.why = format!(
        "{} {} {}",
        words::op_outcome(sim, ra),
        words::op_outcome(sim, rb),
        if served(ob) {
            why(mode, ra)
        } else {
            why(mode, rb)
        }
    );
    out.tells = vec![
        format!("{} {}", words::op(sim, ra), verb(oa)),
        format!("{} {}", words::op(sim, rb), verb(ob)),
    ];
    out
}

fn stale(sim: &Sim) -> Answer {
    let first = sim
        .history()
        .iter()
        .filter(|r| r.is_stale())
        .min_by_key(|r| r.completed_at());
    let c = sim.config();
    let overlap = u16::from(c.r) + u16::from(c.w) > u16::from(c.n);
    let mut a = Answer {
        options: vec!["yes".into(), "no".into()],
        labels: vec!["yes, a read will be stale".into(), "no, never".into()],
        tells: vec![
            "was stale".into(),
            "stale read".into(),
            "missed an acknowledged".into(),
        ],
        ..Answer::default()
    };
    match first {
        Some(rec) => {
            a.answer = Some("yes".into());
            a.tick = rec.completed_at();
            a.why = format!(
                "{} {}",
                words::op_outcome(sim, rec),
                words::staleness(rec).unwrap_or_default()
            );
            if !overlap {
                a.why.push_str(
                    " With R + W ≤ N a read quorum need not include a replica that has the last \
                     write.",
                );
            }
        }
        None => {
            a.answer = Some("no".into());
            a.tick = Some(sim.now());
            a.why = String::from("No read in this run missed a write already confirmed.");
            a.why.push_str(if overlap {
                " With R + W > N every read asks at least one replica that has each confirmed \
                 write, unless a write timed out part-way or two writes ran at once."
            } else {
                " With R + W ≤ N that was the timing's luck: nothing forces a read to meet the \
                 last write."
            });
        }
    }
    a
}
