//! The space-time history: one lane per client, each op a bar from invoke to complete, by
//! outcome (colour + icon + stroke pattern), a "now" line, and the checker's verdict above.

use yew::prelude::*;

use super::stage::f1;
use crate::sim::types::{OpId, Outcome, Tick};
use crate::ui::fmt;
use crate::ui::state::Lab;
use crate::ui::verdict::Verdict;

const WIDTH: f64 = 1000.0;
const LABEL_W: f64 = 130.0;
const LANE_H: f64 = 30.0;
/// Ticks shown at once (the window follows the clock).
const WINDOW_TICKS: Tick = 2500;

#[derive(Properties, PartialEq)]
pub struct HistoryProps {
    pub lab: UseReducerHandle<Lab>,
    pub run: usize,
    pub verdict: Verdict,
    /// Appended to the heading (side by side: " · CP").
    #[prop_or_default]
    pub title: AttrValue,
    /// Ops to emphasise (a lesson step's `highlight_ops`).
    #[prop_or_default]
    pub highlight: Vec<OpId>,
}

/// The ticks shown, `(start, length)`: a window that follows the clock, widened to the left
/// when needed so that it starts before `first` (the earliest op the narration highlights).
fn span(clock: f64, end: Tick, first: Option<Tick>) -> (f64, f64) {
    let window = WINDOW_TICKS.min(end).max(1) as f64;
    let start = (clock - window * 0.8).clamp(0.0, (end as f64 - window).max(0.0));
    match first.map(|f| f as f64) {
        Some(f) if f < start + window * 0.02 => {
            let from = (f - window * 0.04).max(0.0);
            (from, start + window - from)
        }
        _ => (start, window),
    }
}

#[function_component(History)]
pub fn history(p: &HistoryProps) -> Html {
    let Some(run) = p.lab.runs.get(p.run) else {
        return html! {};
    };
    let t = run.timeline.borrow();
    let sim = t.sim();
    let clock = p.lab.clock;
    let end = sim.end_tick();
    let first = p
        .highlight
        .iter()
        .filter_map(|id| sim.history().get(*id as usize))
        .map(|op| op.invoke)
        .min();
    let (start, window) = span(clock, end, first);
    let plot_w = WIDTH - LABEL_W - 10.0;
    let x_of = |tick: f64| LABEL_W + (tick - start) / window * plot_w;
    let lanes = sim.clients().len().max(1);
    let height = 26.0 + LANE_H * lanes as f64;
    let labels: Html = sim
        .clients()
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let y = 26.0 + LANE_H * i as f64;
            html! {
                <g class="lane">
                    <line class="lane-line" x1={f1(LABEL_W)} x2={f1(WIDTH)}
                          y1={f1(y + LANE_H / 2.0)} y2={f1(y + LANE_H / 2.0)} />
                    <text class="lane-label" x="4" y={f1(y + LANE_H / 2.0 + 5.0)}>{ fmt::client_label(&c.name, c.node) }</text>
                </g>
            }
        })
        .collect();
    let cx = &p.verdict.counterexample;
    let bars: Html = sim
        .history()
        .iter()
        .map(|op| {
            let slug = fmt::outcome_slug(op);
            let y = 26.0 + LANE_H * f64::from(op.client) + 7.0;
            let x1 = x_of(op.invoke as f64);
            let x2 = x_of(op.complete.map_or(clock, |c| c as f64)).max(x1 + 3.0);
            let reason = match op.outcome {
                Some(Outcome::Refused(r)) => Some(r.slug()),
                _ => None,
            };
            let done = op.outcome.is_some();
            let icon = if x2 - x1 > 14.0 && done {
                html! { <text class="bar-icon" x={f1((x1 + x2) / 2.0)} y={f1(y - 2.0)}>{ fmt::outcome_icon(slug) }</text> }
            } else {
                html! {}
            };
            html! {
                <g class={classes!("bar", format!("bar-{slug}"), cx.contains(&op.id).then_some("cx"), p.highlight.contains(&op.id).then_some("hl"))}
                   data-testid={done.then_some("outcome")} data-op-id={op.id.to_string()}
                   data-node={crate::sim::types::node_name(op.node)} data-kind={op.req.kind.as_str()}
                   data-outcome={slug} data-reason={reason}>
                    <title>{ format!("#{} {}", op.id, fmt::outcome_text(op)) }</title>
                    <rect x={f1(x1)} y={f1(y)} width={f1(x2 - x1)} height="16" rx="3" />
                    { icon }
                </g>
            }
        })
        .collect();
    let now_x = x_of(clock);
    let verdict = match p.verdict.linearizable {
        Some(true) => {
            html! { <p class="verdict good">{ "✓ linearizable: every operation fits one order that respects real time" }</p> }
        }
        Some(false) => {
            html! { <p class="verdict bad">{ format!("✗ not linearizable: the highlighted operations ({}) cannot be ordered", cx.iter().map(|i| format!("#{i}")).collect::<Vec<_>>().join(", ")) }</p> }
        }
        None => html! { <p class="verdict unknown">{ "linearizability: not decided yet" }</p> },
    };
    let scale: Html = (0..=4)
        .map(|i| {
            let tick = start + window * f64::from(i) / 4.0;
            html! { <text class={classes!("axis", (i == 4).then_some("last"))} x={f1(x_of(tick))} y="14">{ format!("{} ms", tick.round() as i64) }</text> }
        })
        .collect();
    html! {
        <section class="history" aria-label="history">
            <header class="history-head">
                <h2>{ "History" }{ p.title.clone() }</h2>
                { verdict }
            </header>
            <svg class="history-svg" data-testid={format!("history-{}", p.run)} viewBox={format!("0 0 {WIDTH} {}", f1(height))}>
                { scale }
                { labels }
                <svg x={f1(LABEL_W)} y="0" width={f1(WIDTH - LABEL_W)} height={f1(height)}
                     viewBox={format!("{LABEL_W} 0 {} {}", WIDTH - LABEL_W, f1(height))} class="plot">
                    { bars }
                </svg>
                <line class="now-line" x1={f1(now_x)} x2={f1(now_x)} y1="18" y2={f1(height)} />
            </svg>
            <ul class="key">
                <li class="k-ok">{ "✓ ok" }</li><li class="k-refused">{ "⊘ refused" }</li>
                <li class="k-timeout">{ "◷ timeout" }</li><li class="k-stale">{ "⚠ stale read" }</li>
                <li class="k-pending">{ "… waiting" }</li>
                if !cx.is_empty() { <li class="k-cx">{ "▭ dark outline: the counter-example" }</li> }
            </ul>
        </section>
    }
}
