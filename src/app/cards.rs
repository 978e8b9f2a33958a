//! What each metric card says about a run: its figure, what it measures and about which data,
//! in the case's own words (the bank's accounts, the feed's posts and likes, the register's x).
//! The metrics component only renders these cards.

use super::verdict::Verdict;
use crate::sim::types::{Case, Mode, OpKind};
use crate::sim::world::Sim;

/// One card.
pub struct Card {
    /// Its test id: `metric-<id>`.
    pub id: &'static str,
    pub label: &'static str,
    /// The glossary term (`app::glossary`) the label is, if any.
    pub term: Option<&'static str>,
    /// Machine-readable figure (`data-value`).
    pub value: String,
    /// The figure as shown.
    pub shown: String,
    /// "good", "warn", "bad" or "" (nothing to judge).
    pub tone: &'static str,
    /// What the figure measures, and about which data.
    pub note: String,
}

/// The case's words: its data, one update, its reads.
struct Words {
    data: &'static str,
    update: &'static str,
    updates: &'static str,
    reads: &'static str,
}

fn words(case: Case) -> Words {
    match case {
        Case::Bank => Words {
            data: "balances",
            update: "change",
            updates: "changes",
            reads: "balance reads",
        },
        Case::Feed => Words {
            data: "posts and likes",
            update: "post or like",
            updates: "posts and likes",
            reads: "feed reads",
        },
        Case::Register => Words {
            data: "x",
            update: "write",
            updates: "writes to x",
            reads: "reads of x",
        },
    }
}

/// Every card for a run of `case` in `mode`, in the order shown.
pub fn cards(v: &Verdict, case: Case, mode: Mode) -> Vec<Card> {
    let w = words(case);
    let mut out = vec![
        linearizable(v, &w),
        availability(v),
        stale(v, &w),
        lost(v, &w),
        converged(v, &w, mode),
    ];
    if case == Case::Bank {
        out.push(min_balance(v));
        out.push(double_spends(v));
    }
    out.push(latency(v));
    out
}

/// `99.5`, `100.0`: integer formatting only (float formatting adds kilobytes to the wasm).
fn one_decimal(x: f64) -> String {
    let t = (x * 10.0).round() as i64;
    format!("{}.{}", t / 10, t % 10)
}

fn tri(b: Option<bool>) -> String {
    b.map_or("unknown".into(), |b| b.to_string())
}

fn linearizable(v: &Verdict, w: &Words) -> Card {
    Card {
        id: "linearizable",
        label: "linearizable",
        term: Some("linearizable"),
        value: if v.checking {
            "checking".into()
        } else {
            tri(v.linearizable)
        },
        shown: match v.linearizable {
            Some(true) => "✓ yes".into(),
            Some(false) => "✗ no".into(),
            None if v.checking => "checking…".into(),
            None => "?".into(),
        },
        tone: match v.linearizable {
            Some(true) => "good",
            Some(false) => "bad",
            None => "",
        },
        note: ["answers checked against one copy of the ", w.data].concat(),
    }
}

fn availability(v: &Verdict) -> Card {
    let (value, shown, tone, note) = match v.availability {
        Some(a) => (
            one_decimal(a),
            format!("{}%", a.round() as i64),
            if a >= 99.9 { "good" } else { "warn" },
            "finished requests answered",
        ),
        None => ("unknown".into(), "—".into(), "", "no request finished yet"),
    };
    Card {
        id: "availability",
        label: "availability",
        term: None,
        value,
        shown,
        tone,
        note: note.into(),
    }
}

fn stale(v: &Verdict, w: &Words) -> Card {
    let n = v.stale_reads;
    let mut note = [w.reads, " that missed a confirmed ", w.update].concat();
    if v.stale_calm > 0 {
        note.push_str("; ");
        match (v.stale_calm == n, n) {
            (true, 1) => note.push_str("it"),
            (true, _) => note.push_str("all"),
            (false, _) => note.push_str(&v.stale_calm.to_string()),
        }
        note.push_str(" with no fault in place: the copy that answered had not received it yet");
    }
    Card {
        id: "stale-reads",
        label: "stale reads",
        term: Some("stale"),
        value: n.to_string(),
        shown: if n == 0 {
            "0".into()
        } else {
            format!("⚠ {n}")
        },
        tone: if n == 0 { "good" } else { "warn" },
        note,
    }
}

fn lost(v: &Verdict, w: &Words) -> Card {
    Card {
        id: "lost-updates",
        label: "lost updates",
        term: None,
        value: v.lost_updates.map_or("unknown".into(), |x| x.to_string()),
        shown: v.lost_updates.map_or("?".into(), |x| x.to_string()),
        tone: match v.lost_updates {
            Some(0) => "good",
            Some(_) => "bad",
            None => "",
        },
        note: ["confirmed ", w.updates, ", then gone"].concat(),
    }
}

/// What the convergence card adds when the copies agree: how long after the last fault ended
/// they did, or that no fault has ended yet (true at the current tick).
pub fn converged_note(v: &Verdict) -> String {
    match (v.converged, v.converge_ticks, v.fault_ended) {
        (true, Some(t), true) => format!("{t} ms after the last fault ended"),
        (true, _, false) => "no fault has ended yet".into(),
        _ => String::new(),
    }
}

/// Converged: no fault in place and every running copy holds the same data. CA keeps one copy:
/// there is nothing to converge, and the card says so.
fn converged(v: &Verdict, w: &Words, mode: Mode) -> Card {
    let (shown, tone, note) = if mode == Mode::Ca {
        (
            "one copy".to_string(),
            "",
            [
                "one node holds the only copy of the ",
                w.data,
                ": nothing to converge",
            ]
            .concat(),
        )
    } else if v.converged {
        let mut note = ["the same ", w.data, " on every running copy"].concat();
        let when = converged_note(v);
        if !when.is_empty() {
            note.push_str("; ");
            note.push_str(&when);
        }
        ("✓ yes".into(), "good", note)
    } else if v.fault_now {
        let note = "a fault is in place: copies are compared once it ends";
        ("≠ not yet".into(), "warn", note.into())
    } else {
        let why = match mode {
            Mode::Cp => "some copy has not applied the latest committed writes yet",
            Mode::Quorum => "a write reaches W copies first, the others a little later",
            _ => "an update has not reached every copy yet",
        };
        let note = [
            "no fault now, but the copies of the ",
            w.data,
            " differ: ",
            why,
        ]
        .concat();
        ("≠ catching up".into(), "", note)
    };
    Card {
        id: "converged",
        label: "converged",
        term: Some("converged"),
        value: v.converged.to_string(),
        shown,
        tone,
        note,
    }
}

fn min_balance(v: &Verdict) -> Card {
    let min = v.min_balance;
    let account = v.min_account.unwrap_or("an account");
    let note = match min {
        None => "not known for this run".to_string(),
        Some(m) if m < 0 => [account, " went below 0 on some copy: overdrawn"].concat(),
        Some(m) if v.min_opening => [
            account,
            " opens at ",
            &m.to_string(),
            "; no balance went lower",
        ]
        .concat(),
        Some(_) => [account, ", on some copy, at some moment"].concat(),
    };
    Card {
        id: "min-balance",
        label: "lowest balance",
        term: None,
        value: min.map_or("unknown".into(), |m| m.to_string()),
        shown: min.map_or("—".into(), |m| m.to_string()),
        tone: if min.is_some_and(|m| m < 0) {
            "bad"
        } else {
            "good"
        },
        note,
    }
}

fn double_spends(v: &Verdict) -> Card {
    let ds = v.double_spends;
    Card {
        id: "double-spends",
        label: "double spends",
        term: None,
        value: ds.map_or("unknown".into(), |x| x.to_string()),
        shown: ds.map_or("?".into(), |x| x.to_string()),
        tone: match ds {
            Some(0) => "good",
            Some(_) => "bad",
            None => "",
        },
        note: "money paid out twice".into(),
    }
}

fn latency(v: &Verdict) -> Card {
    Card {
        id: "latency",
        label: "latency p50 / p99",
        term: None,
        value: v.latency_p50.map_or("unknown".into(), |x| x.to_string()),
        shown: match (v.latency_p50, v.latency_p99) {
            (Some(a), Some(b)) => format!("{a} / {b} ms"),
            _ => "—".into(),
        },
        tone: "",
        note: "time to answer: typical / slowest in 100".into(),
    }
}

/// Bank: whether the nodes show the savings balance. Only a transfer moves money into savings:
/// until the run has one (and while savings opens at 0), "savings 0" on every node says nothing,
/// and a node names its checking balance instead.
pub fn savings_shown(sim: &Sim) -> bool {
    let cfg = sim.config();
    cfg.case == Case::Bank
        && (cfg.initial.get(1).is_some_and(|s| *s != 0)
            || sim.history().iter().any(|o| o.req.kind == OpKind::Transfer))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::verdict::{verdict, LinCache};
    use crate::sim::scenario::Scenario;

    /// The cards of built-in `name` in `mode` at `tick` (paused: the frame's own figures).
    fn at(name: &str, mode: Mode, workload: bool, tick: u64) -> (Vec<Card>, Verdict) {
        let mut s = Scenario::builtin(name).unwrap();
        s.mode = mode;
        if !workload {
            s.workload = None;
        }
        let case = s.case;
        let mut sim = s.build().unwrap();
        sim.run_until(tick);
        let v = verdict(&sim, &LinCache::default(), false, 0.0);
        (cards(&v, case, mode), v)
    }

    fn card<'a>(cards: &'a [Card], id: &str) -> &'a Card {
        cards.iter().find(|c| c.id == id).unwrap()
    }

    #[test]
    fn a_fresh_bank_says_which_account_holds_the_lowest_balance() {
        let (cards, v) = at("bank", Mode::Cp, false, 10);
        assert_eq!(v.min_balance, Some(0));
        let min = card(&cards, "min-balance");
        assert_eq!(min.shown, "0");
        assert_eq!(min.note, "savings opens at 0; no balance went lower");
    }

    #[test]
    fn no_warning_sign_on_zero_stale_reads() {
        let (cards, v) = at("bank", Mode::Cp, false, 10);
        assert_eq!(v.stale_reads, 0);
        let stale = card(&cards, "stale-reads");
        assert_eq!((stale.shown.as_str(), stale.tone), ("0", "good"));
        assert_eq!(stale.note, "balance reads that missed a confirmed change");
    }

    #[test]
    fn ca_keeps_one_copy_and_says_so() {
        // Bank in CA: n3 is cut off from 1500 to 4500 ms, a fault in place at 2000.
        let (cards, v) = at("bank", Mode::Ca, true, 2000);
        assert!(!v.converged);
        let c = card(&cards, "converged");
        assert_eq!(c.shown, "one copy");
        assert!(c.note.contains("only copy of the balances"), "{}", c.note);
    }

    #[test]
    fn copies_that_differ_with_no_fault_are_catching_up() {
        let mut v = at("bank", Mode::Cp, false, 10).1;
        (v.converged, v.fault_now) = (false, false);
        let c = converged(&v, &words(Case::Bank), Mode::Cp);
        assert_eq!((c.shown.as_str(), c.tone), ("≠ catching up", ""));
        assert!(
            c.note.contains("not applied the latest committed writes"),
            "{}",
            c.note
        );
        v.fault_now = true;
        let c = converged(&v, &words(Case::Bank), Mode::Cp);
        assert_eq!((c.shown.as_str(), c.tone), ("≠ not yet", "warn"));
    }

    #[test]
    fn feed_stale_reads_before_any_fault_say_why() {
        // The feed's cut starts at 1500 ms: every stale read before it came with no fault.
        let (cards, v) = at("feed", Mode::Ap, true, 1400);
        assert!(v.stale_reads > 0, "the feed has stale reads before its cut");
        assert_eq!(v.stale_calm, v.stale_reads);
        let note = &card(&cards, "stale-reads").note;
        assert!(
            note.starts_with("feed reads that missed a confirmed post or like; "),
            "{note}"
        );
        assert!(
            note.contains("with no fault in place: the copy that"),
            "{note}"
        );
        // During the cut, reads at n3 miss updates because of it: not every one is "calm".
        let (_, v) = at("feed", Mode::Ap, true, 4400);
        assert!(
            v.stale_calm < v.stale_reads,
            "{} of {}",
            v.stale_calm,
            v.stale_reads
        );
    }

    #[test]
    fn savings_show_once_a_transfer_is_asked() {
        let mut s = Scenario::builtin("bank").unwrap();
        let mut sim = s.build().unwrap();
        assert!(!savings_shown(&sim));
        sim.run_until(6000);
        assert!(savings_shown(&sim), "the bank's traffic has transfers");
        s.workload = None;
        let mut quiet = s.build().unwrap();
        quiet.run_until(8000);
        assert!(!savings_shown(&quiet));
    }
}
