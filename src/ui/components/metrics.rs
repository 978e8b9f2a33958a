//! Live metrics, computed by the sim's checkers (see `app::verdict`), each with a
//! machine-readable `data-value`.

use yew::prelude::*;

use super::stage::f1;
use crate::app::verdict::Verdict;
use crate::sim::types::Case;

#[derive(Properties, PartialEq)]
pub struct MetricsProps {
    pub verdict: Verdict,
    pub case: Case,
}

fn card(id: &str, label: &str, value: String, shown: String, tone: &str, note: &str) -> Html {
    html! {
        <div class={classes!("metric", tone.to_string())} data-testid={format!("metric-{id}")} data-value={value}>
            <span class="metric-value">{ shown }</span>
            <span class="metric-label">{ label.to_string() }</span>
            if !note.is_empty() { <span class="metric-note">{ note.to_string() }</span> }
        </div>
    }
}

fn tri(b: Option<bool>) -> String {
    match b {
        Some(true) => "true".into(),
        Some(false) => "false".into(),
        None => "unknown".into(),
    }
}

/// What the convergence card adds, true at the current tick: how long after the last fault
/// ended the replicas agreed, or that no fault has ended yet.
pub fn converged_note(v: &Verdict) -> String {
    match (v.converged, v.converge_ticks, v.fault_ended) {
        (true, Some(t), true) => format!("{t} ms after the last fault ended"),
        (true, _, false) => "no fault has ended yet".into(),
        _ => String::new(),
    }
}

#[function_component(Metrics)]
pub fn metrics(p: &MetricsProps) -> Html {
    let v = &p.verdict;
    let bank = if p.case == Case::Bank {
        bank_cards(v)
    } else {
        html! {}
    };
    html! {
        <div class="metrics" aria-label="metrics">
            { linearizable_card(v) }{ availability_card(v) }{ stale_card(v) }{ lost_card(v) }
            { converged_card(v) }{ bank }{ latency_card(v) }
        </div>
    }
}

fn availability_card(v: &Verdict) -> Html {
    match v.availability {
        Some(a) => card(
            "availability",
            "availability",
            f1(a),
            format!("{}%", a.round() as i64),
            if a >= 99.9 { "good" } else { "warn" },
            "requests answered",
        ),
        None => card(
            "availability",
            "availability",
            "unknown".into(),
            "—".into(),
            "",
            "no request finished",
        ),
    }
}

fn linearizable_card(v: &Verdict) -> Html {
    card(
        "linearizable",
        "linearizable",
        if v.checking {
            "checking".into()
        } else {
            tri(v.linearizable)
        },
        match v.linearizable {
            Some(true) => "✓ yes".into(),
            Some(false) => "✗ no".into(),
            None if v.checking => "checking…".into(),
            None => "?".into(),
        },
        match v.linearizable {
            Some(true) => "good",
            Some(false) => "bad",
            None => "",
        },
        "history checked",
    )
}

fn stale_card(v: &Verdict) -> Html {
    card(
        "stale-reads",
        "stale reads",
        v.stale_reads.to_string(),
        format!("⚠ {}", v.stale_reads),
        if v.stale_reads == 0 { "good" } else { "warn" },
        "reads that missed an update",
    )
}

fn lost_card(v: &Verdict) -> Html {
    card(
        "lost-updates",
        "lost updates",
        v.lost_updates.map_or("unknown".into(), |x| x.to_string()),
        v.lost_updates.map_or("?".into(), |x| x.to_string()),
        match v.lost_updates {
            Some(0) => "good",
            Some(_) => "bad",
            None => "",
        },
        "acknowledged, then gone",
    )
}

fn converged_card(v: &Verdict) -> Html {
    card(
        "converged",
        "converged",
        v.converged.to_string(),
        if v.converged {
            "✓ yes".into()
        } else {
            "≠ not yet".into()
        },
        if v.converged { "good" } else { "warn" },
        &converged_note(v),
    )
}

fn latency_card(v: &Verdict) -> Html {
    card(
        "latency",
        "latency p50 / p99",
        v.latency_p50.map_or("unknown".into(), |x| x.to_string()),
        match (v.latency_p50, v.latency_p99) {
            (Some(a), Some(b)) => format!("{a} / {b} ms"),
            _ => "—".into(),
        },
        "",
        "",
    )
}

/// The bank's two cards: the lowest balance ever held and the double spends.
fn bank_cards(v: &Verdict) -> Html {
    let min = v.min_balance;
    let ds = v.double_spends;
    html! {
        <>
            { card("min-balance", "lowest balance", min.map_or("unknown".into(), |m| m.to_string()),
                   min.map_or("—".into(), |m| m.to_string()),
                   if min.is_some_and(|m| m < 0) { "bad" } else { "good" }, "on any replica, ever") }
            { card("double-spends", "double spends", ds.map_or("unknown".into(), |x| x.to_string()),
                   ds.map_or("?".into(), |x| x.to_string()),
                   match ds { Some(0) => "good", Some(_) => "bad", None => "" }, "money paid out twice") }
        </>
    }
}
