//! The history diagram's decisions, in plain Rust: which ticks it shows (always every op the
//! narration speaks of), the sentence that describes each op (its bar's accessible name and the
//! line shown when a bar has the focus), and the verdict line above the lanes (in plain words
//! until a lesson has explained "linearizable").

use crate::app::verdict::Verdict;
use crate::lessons::words;
use crate::sim::types::{node_name, OpId, OpKind, OpRecord, Outcome, Tick, Value};
use crate::sim::world::Sim;

/// Ticks shown at once while nothing named asks for more (the window follows the clock).
pub const WINDOW_TICKS: Tick = 2500;

/// The ticks shown, `(start, length)`: a window that turns like a page as the clock moves (the
/// clock line between 80 % and 90 % of the way; then the window moves a tenth of its length at
/// once), widened to the left when needed so that every op in `named` (the ops the narration
/// speaks of) that has been sent by now lies inside it, from its invocation to its end (or the
/// clock). Between turns the bars stand still, which is easier to read while a run plays than a
/// strip scrolling every frame, and lets a frame repaint only what changed.
pub fn window(ops: &[OpRecord], clock: f64, end: Tick, named: &[OpId]) -> (f64, f64) {
    let window = WINDOW_TICKS.min(end).max(1) as f64;
    let turn = window / 10.0;
    let start = ((clock - window * 0.8) / turn).floor() * turn;
    let start = start.clamp(0.0, (end as f64 - window).max(0.0));
    let shown: Vec<&OpRecord> = named
        .iter()
        .filter_map(|id| ops.iter().find(|o| o.id == *id))
        .filter(|o| o.invoke as f64 <= clock)
        .collect();
    let first = shown
        .iter()
        .map(|o| o.invoke as f64)
        .fold(f64::INFINITY, f64::min);
    let last = shown
        .iter()
        .map(|o| o.completed_at().map_or(clock, |c| (c as f64).min(clock)))
        .fold(start + window, f64::max);
    let from = if first < start + window * 0.02 {
        (first - window * 0.04).max(0.0)
    } else {
        start
    };
    (from, last - from)
}

/// What an operation asked, as the lanes show it: `withdraw 80`, `read`, `like`.
pub fn op_label(op: &OpRecord) -> String {
    match op.req.kind {
        OpKind::Deposit | OpKind::Withdraw | OpKind::Write | OpKind::Transfer => {
            format!("{} {}", op.req.kind.as_str(), op.req.arg)
        }
        k => k.as_str().to_string(),
    }
}

/// What a client's mark on the stage says about its last request: the request, and for a read
/// that was answered the value it returned ("read 142", "read ♥ 3 · 2 posts"), so the stage
/// shows what the narration says a read returned.
pub fn badge(op: &OpRecord) -> String {
    let mut s = op_label(op);
    if let (OpKind::Read, Some(v)) = (op.req.kind, op.value()) {
        s.push(' ');
        s.push_str(&short_value(v));
    }
    s
}

/// A value in a few characters: a balance or a register as its number, a feed as its likes and
/// its number of posts, concurrent versions as how many there are.
pub fn short_value(v: &Value) -> String {
    let posts = |n: usize| format!("{n} post{}", if n == 1 { "" } else { "s" });
    match v {
        Value::Int(x) => x.to_string(),
        Value::Set(ids) => posts(ids.len()),
        Value::Feed { posts: p, likes } => format!("♥ {likes} · {}", posts(p.len())),
        Value::Siblings(vs) => format!("{} versions", vs.len()),
    }
}

/// One op in a sentence: who, what, where, when, how it ended, the value a read returned and
/// whether it was stale. "Bob's read at n3, sent at 5000 ms: returned 20 after 4 ms. Not stale:
/// it saw every confirmed update." A waiting op's sentence does not change while it waits.
pub fn describe(sim: &Sim, op: &OpRecord) -> String {
    let mut s = words::op(sim, op);
    s.push_str(", sent at ");
    s.push_str(&words::ms(op.invoke));
    match op.outcome() {
        None => {
            s.push_str(": still waiting for an answer.");
            return s;
        }
        Some(_) => {
            s.push_str(": ");
            s.push_str(&words::outcome(sim, op));
            s.push('.');
        }
    }
    match words::staleness(op) {
        Some(stale) => {
            s.push(' ');
            s.push_str(&stale);
        }
        None if op.req.kind == OpKind::Read && op.outcome() == Some(Outcome::Ok) => {
            s.push_str(" Not stale: it saw every confirmed update.");
        }
        None => {}
    }
    s
}

/// The tone of the verdict line (its colour on the page).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Good,
    Bad,
    Unknown,
}

impl Tone {
    pub fn slug(self) -> &'static str {
        match self {
            Tone::Good => "good",
            Tone::Bad => "bad",
            Tone::Unknown => "unknown",
        }
    }
}

/// The checker's verdict above the lanes. `jargon`: the word "linearizable" has been explained
/// (always in the lab; in a lesson from the step that explains it); before, the same facts in
/// plain words.
pub fn verdict_line(v: &Verdict, sim: &Sim, jargon: bool) -> (Tone, String) {
    match (v.linearizable, jargon) {
        (Some(true), true) => (
            Tone::Good,
            "✓ linearizable: every operation fits one order that respects real time".into(),
        ),
        (Some(true), false) => (
            Tone::Good,
            "✓ every operation fits one order that respects real time".into(),
        ),
        (Some(false), _) => (Tone::Bad, not_linearizable(sim, &v.counterexample, jargon)),
        (None, true) if v.checking => (Tone::Unknown, "linearizability: checking…".into()),
        (None, false) if v.checking => (
            Tone::Unknown,
            "checking whether every operation fits one order…".into(),
        ),
        (None, true) => (Tone::Unknown, "linearizability: not decided yet".into()),
        (None, false) => (
            Tone::Unknown,
            "not decided yet whether every operation fits one order".into(),
        ),
    }
}

/// The verdict line for a history with no valid order, naming its counter-example the way the
/// history lanes show it: "Alice's withdraw 80 at n1, Bob's withdraw 80 at n3".
fn not_linearizable(sim: &Sim, cx: &[OpId], jargon: bool) -> String {
    let mut text = String::from(if jargon {
        "✗ not linearizable: no order respecting real time fits the outlined operations"
    } else {
        "✗ no order respecting real time fits the outlined operations"
    });
    let mut sep = ": ";
    for op in cx
        .iter()
        .filter_map(|id| sim.history().iter().find(|o| o.id == *id))
    {
        text.push_str(sep);
        text.push_str(&words::client_name(sim, op.client));
        text.push_str("'s ");
        text.push_str(&op_label(op));
        text.push_str(" at ");
        text.push_str(&node_name(op.node));
        sep = ", ";
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::{lesson, narrate, run_to_step};

    /// Every answered read's mark shows the value it returned; other ops show no value.
    #[test]
    fn a_read_mark_shows_the_value_it_returned() {
        for name in ["bank", "feed", "register"] {
            let s = crate::sim::scenario::Scenario::builtin(name).expect("built-in");
            let mut sim = s.build().expect("builds");
            sim.run_until(s.end_tick);
            let mut reads = 0;
            for op in sim.history() {
                let label = badge(op);
                match (op.req.kind, op.value()) {
                    (OpKind::Read, Some(v)) => {
                        reads += 1;
                        assert!(label.ends_with(&short_value(v)), "{name}: {label}");
                    }
                    _ => assert_eq!(label, op_label(op), "{name}: no value to show"),
                }
            }
            assert!(reads > 0, "{name} has answered reads");
        }
        let feed = Value::Feed {
            posts: vec![3, 7],
            likes: 1,
        };
        assert_eq!(short_value(&feed), "♥ 1 · 2 posts");
    }

    /// bank-cp's last step (6500 ms) counts 4 operations, the first sent at 1000 ms: the
    /// window shows all 4, where a window following the clock alone would show one.
    #[test]
    fn the_window_shows_every_op_the_narration_names() {
        let l = lesson("bank-cp").expect("bank-cp");
        let step = l.steps.len() - 1;
        let sims = run_to_step(&l, step).expect("builds");
        let n = narrate(&l, step, &[&sims[0]]);
        let (ops, clock) = (sims[0].history(), l.steps[step].at_tick as f64);
        assert_eq!(n.named_ops.len(), 4);
        let inside = |(from, len): (f64, f64), o: &OpRecord| {
            let end = o.completed_at().map_or(clock, |c| c as f64);
            from <= o.invoke as f64 && end <= from + len
        };
        let plain = window(ops, clock, sims[0].end_tick(), &[]);
        assert_eq!(plain.1, WINDOW_TICKS as f64);
        assert_eq!(ops.iter().filter(|o| inside(plain, o)).count(), 1);
        let w = window(ops, clock, sims[0].end_tick(), &n.named_ops);
        for id in &n.named_ops {
            assert!(inside(w, &ops[*id as usize]), "op {id} in {w:?}");
        }
        assert!(w.0 + w.1 >= clock, "the clock stays in the window: {w:?}");
    }

    /// At every clock and for any op named, the window holds the clock and that op.
    #[test]
    fn the_window_holds_the_clock_and_any_named_op_at_any_time() {
        let l = lesson("bank-ap").expect("bank-ap");
        let mut sim = run_to_step(&l, 0).expect("builds").remove(0);
        sim.run_to_end();
        let end = sim.end_tick();
        for clock in (0..=end).step_by(97) {
            let ops: Vec<OpRecord> = sim
                .history()
                .iter()
                .filter(|o| o.invoke <= clock)
                .cloned()
                .collect();
            for o in &ops {
                let (from, len) = window(&ops, clock as f64, end, &[o.id]);
                let stop = o.completed_at().map_or(clock, |c| c.min(clock)) as f64;
                assert!(
                    from <= o.invoke as f64 && stop <= from + len,
                    "op {} at {clock}",
                    o.id
                );
                assert!(from <= clock as f64 && clock as f64 <= from + len);
            }
        }
    }

    #[test]
    fn an_op_is_described_with_who_what_when_outcome_and_value() {
        let l = lesson("bank-cp").expect("bank-cp");
        let sims = run_to_step(&l, l.steps.len() - 1).expect("builds");
        let read = &sims[0].history()[0];
        let text = describe(&sims[0], read);
        assert!(
            text.starts_with("Alice's read at n1, sent at 1000 ms: returned 100 after"),
            "{text}"
        );
        assert!(
            text.ends_with("Not stale: it saw every confirmed update."),
            "{text}"
        );
    }

    #[test]
    fn the_verdict_says_linearizable_only_with_jargon() {
        let l = lesson("intro").expect("intro");
        let sims = run_to_step(&l, 0).expect("builds");
        let v = Verdict {
            linearizable: Some(true),
            checking: false,
            counterexample: vec![],
            availability: None,
            stale_reads: 0,
            stale_calm: 0,
            lost_updates: None,
            min_balance: None,
            min_account: None,
            min_opening: false,
            double_spends: None,
            converged: true,
            converge_ticks: None,
            fault_ended: false,
            fault_now: false,
            latency_p50: None,
            latency_p99: None,
        };
        let plain = verdict_line(&v, &sims[0], false).1;
        assert!(!plain.contains("lineariz"), "{plain}");
        assert!(verdict_line(&v, &sims[0], true).1.contains("linearizable"));
        for (lin, checking) in [(None, true), (None, false), (Some(false), false)] {
            let v = Verdict {
                linearizable: lin,
                checking,
                ..v.clone()
            };
            let plain = verdict_line(&v, &sims[0], false).1;
            assert!(!plain.contains("lineariz"), "{plain}");
        }
    }
}
