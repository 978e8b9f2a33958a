//! The space-time history: one lane per client, each op a bar from invoke to complete, by
//! outcome (colour + icon + stroke pattern), a "now" line, and the checker's verdict above.
//!
//! The window follows the clock, so a frame must not redraw every bar: finished bars are drawn
//! at fixed positions (x = tick × scale), in slices of the window that render only when their
//! bars change, inside a group the frame only shifts (a composited layer: no re-raster); only
//! the waiting bars (at most one per client) grow with the clock. Bars that finished before the
//! window are not drawn.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use super::stage::f1;
use crate::app::verdict::Verdict;
use crate::sim::timeline::Timeline;
use crate::sim::types::{node_name, OpId, OpRecord, Outcome, Tick};
use crate::sim::world::Sim;
use crate::ui::fmt;
use crate::ui::state::Page;

const WIDTH: f64 = 1000.0;
const LABEL_W: f64 = 130.0;
const LANE_H: f64 = 30.0;
/// Ticks shown at once (the window follows the clock).
const WINDOW_TICKS: Tick = 2500;

#[derive(Properties, PartialEq)]
pub struct HistoryProps {
    pub lab: UseReducerHandle<Page>,
    pub run: usize,
    pub verdict: Verdict,
    /// Appended to the heading (side by side: " · CP").
    #[prop_or_default]
    pub title: AttrValue,
    /// Ops to emphasise (a lesson step's `highlight_ops`).
    #[prop_or_default]
    pub highlight: Vec<OpId>,
}

/// Finished bars are grouped by the slice of the window their completion tick falls in; each
/// slice is a [`Slice`] component that renders only when its bars change (in a busy run, only the
/// newest slice does).
const SLICES_PER_WINDOW: Tick = 16;

/// One slice's bars; equal props draw the same bars (see `PartialEq`).
#[derive(Properties, Clone)]
struct SliceProps {
    /// The run (compared by identity: a rebuilt run is a new one).
    timeline: Rc<RefCell<Timeline>>,
    /// The lab's `edits`: with the same run and edits, the finished ops of a slice only grow
    /// with time, so their count says which they are.
    edits: u64,
    lo: Tick,
    hi: Tick,
    count: usize,
    scale: f64,
    cx: Vec<OpId>,
    hl: Vec<OpId>,
}

impl PartialEq for SliceProps {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.timeline, &o.timeline)
            && (self.edits, self.lo, self.hi, self.count) == (o.edits, o.lo, o.hi, o.count)
            && self.scale == o.scale
            && self.cx == o.cx
            && self.hl == o.hl
    }
}

/// The y of a client's lane's bars.
fn bar_y(client: u8) -> f64 {
    26.0 + LANE_H * f64::from(client) + 7.0
}

/// One op's bar from `x1` to `x2` (plot units), keyed by op id: a bar that finishes before
/// older ones in its slice is inserted among them, and the others keep their elements.
fn bar_html(op: &OpRecord, x1: f64, x2: f64, cx: bool, hl: bool) -> Html {
    let slug = fmt::outcome_slug(op);
    let y = bar_y(op.client);
    let x2 = x2.max(x1 + 3.0);
    let reason = match op.outcome() {
        Some(Outcome::Refused(r)) => Some(r.slug()),
        _ => None,
    };
    let done = op.outcome().is_some();
    let icon = if x2 - x1 > 14.0 && done {
        html! { <text class="bar-icon" x={f1((x1 + x2) / 2.0)} y={f1(y - 2.0)}>{ fmt::outcome_icon(slug) }</text> }
    } else {
        html! {}
    };
    html! {
        <g key={op.id} class={classes!("bar", format!("bar-{slug}"), cx.then_some("cx"), hl.then_some("hl"))}
           data-testid={done.then_some("outcome")} data-op-id={op.id.to_string()}
           data-node={crate::sim::types::node_name(op.node)} data-kind={op.req.kind.as_str()}
           data-outcome={slug} data-reason={reason}>
            <title>{ format!("#{} {}", op.id, fmt::outcome_text(op)) }</title>
            <rect x={f1(x1)} y={f1(y)} width={f1(x2 - x1)} height="16" rx="3" />
            { icon }
        </g>
    }
}

/// The finished ops whose completion tick is in `lo..hi`, at fixed positions (x = tick × scale),
/// in one `<g>`: a keyed component must render one root node (Yew loses its place in the list
/// when an empty or multi-node component moves).
#[function_component(Slice)]
fn slice(p: &SliceProps) -> Html {
    let t = p.timeline.borrow();
    let bars: Html = t
        .sim()
        .history()
        .iter()
        .filter(|op| op.outcome().is_some())
        .filter(|op| op.completed_at().is_some_and(|c| p.lo <= c && c < p.hi))
        .map(|op| {
            let x2 = op.completed_at().unwrap_or(op.invoke) as f64 * p.scale;
            let (cx, hl) = (p.cx.contains(&op.id), p.hl.contains(&op.id));
            bar_html(op, op.invoke as f64 * p.scale, x2, cx, hl)
        })
        .collect();
    html! { <g class="slice">{ bars }</g> }
}

/// The slices `first..=last` (of `width` ticks each) drawn for a window from `start` to the
/// clock: only those a finished bar inside the window can complete in.
pub fn slices(start: f64, clock: f64, window: f64) -> (Tick, Tick, Tick) {
    let width = (window as Tick / SLICES_PER_WINDOW).max(1);
    let first = start.max(0.0) as Tick / width;
    let last = (clock.max(0.0) as Tick / width).max(first);
    (width, first, last)
}

/// The ticks shown, `(start, length)`: a window that turns like a page as the clock moves (the
/// clock line between 80 % and 90 % of the way; then the window moves a tenth of its length at
/// once), widened to the left when needed so that it starts before `first` (the earliest op the
/// narration highlights). Between turns the bars stand still, which is easier to read while a
/// run plays than a strip scrolling every frame, and lets a frame repaint only what changed.
pub fn span(clock: f64, end: Tick, first: Option<Tick>) -> (f64, f64) {
    let window = WINDOW_TICKS.min(end).max(1) as f64;
    let turn = window / 10.0;
    let start = ((clock - window * 0.8) / turn).floor() * turn;
    let start = start.clamp(0.0, (end as f64 - window).max(0.0));
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
    let first = p
        .highlight
        .iter()
        .filter_map(|id| sim.history().get(*id as usize))
        .map(|op| op.invoke)
        .min();
    let (start, window) = span(clock, sim.end_tick(), first);
    let scale = (WIDTH - LABEL_W - 10.0) / window;
    let x_of = |tick: f64| LABEL_W + (tick - start) * scale;
    let height = 26.0 + LANE_H * sim.clients().len().max(1) as f64;
    let cx = &p.verdict.counterexample;
    let (done, waiting) = bars(p, &run.timeline, sim, (start, window, scale));
    let shift = format!("translate({} 0)", f1(LABEL_W - start * scale));
    let now_x = x_of(clock);
    html! {
        <section class="history" aria-label="history">
            <header class="history-head">
                <h2>{ "History" }{ p.title.clone() }</h2>
                { verdict_line(&p.verdict, sim) }
            </header>
            <svg class="history-svg" data-testid={format!("history-{}", p.run)} viewBox={format!("0 0 {WIDTH} {}", f1(height))}>
                { axis(start, window, x_of) }
                { lane_labels(sim) }
                <svg x={f1(LABEL_W)} y="0" width={f1(WIDTH - LABEL_W)} height={f1(height)}
                     viewBox={format!("{LABEL_W} 0 {} {}", WIDTH - LABEL_W, f1(height))} class="plot">
                    <g class="shift" transform={shift}>
                        <g class="done">{ for done }</g>
                        <g class="waiting">{ for waiting }</g>
                    </g>
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

/// The bars in the window `(start, length, scale)`: the finished ones as [`Slice`]s (each
/// given only its count, so an unchanged slice does not redraw), and the waiting ones, which
/// grow with the clock.
fn bars(
    p: &HistoryProps,
    timeline: &Rc<RefCell<Timeline>>,
    sim: &Sim,
    (start, window, scale): (f64, f64, f64),
) -> (Vec<Html>, Vec<Html>) {
    let (clock, cx) = (p.lab.clock, &p.verdict.counterexample);
    let (width, first, last) = slices(start, clock, window);
    let mut counts = vec![0usize; (last - first + 1) as usize];
    let mut waiting = Vec::new();
    for op in sim.history() {
        match op.completed_at().filter(|_| op.outcome().is_some()) {
            Some(c) if c / width >= first && c / width <= last => {
                counts[(c / width - first) as usize] += 1;
            }
            Some(_) => {}
            None => waiting.push(bar_html(
                op,
                op.invoke as f64 * scale,
                clock * scale,
                cx.contains(&op.id),
                p.highlight.contains(&op.id),
            )),
        }
    }
    let done = counts.into_iter().zip(first..).map(|(count, k)| {
        html! {
            <Slice key={k} timeline={timeline.clone()} edits={p.lab.edits} lo={k * width}
                   hi={(k + 1) * width} {count} {scale} cx={cx.clone()} hl={p.highlight.clone()} />
        }
    });
    (done.collect(), waiting)
}

/// One lane per client: its line and its label.
fn lane_labels(sim: &Sim) -> Html {
    sim.clients()
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
        .collect()
}

/// Five tick labels across the window.
fn axis(start: f64, window: f64, x_of: impl Fn(f64) -> f64) -> Html {
    (0..=4)
        .map(|i| {
            let tick = start + window * f64::from(i) / 4.0;
            html! { <text class={classes!("axis", (i == 4).then_some("last"))} x={f1(x_of(tick))} y="14">{ format!("{} ms", tick.round() as i64) }</text> }
        })
        .collect()
}

/// The checker's verdict above the lanes.
fn verdict_line(v: &Verdict, sim: &Sim) -> Html {
    match v.linearizable {
        Some(true) => {
            html! { <p class="verdict good">{ "✓ linearizable: every operation fits one order that respects real time" }</p> }
        }
        Some(false) => {
            html! { <p class="verdict bad">{ not_linearizable(sim, &v.counterexample) }</p> }
        }
        None if v.checking => {
            html! { <p class="verdict unknown">{ "linearizability: checking…" }</p> }
        }
        None => html! { <p class="verdict unknown">{ "linearizability: not decided yet" }</p> },
    }
}

/// The verdict line for a history with no valid order, naming its counter-example the way the
/// history lanes show it: "Alice's withdraw 80 at n1, Bob's withdraw 80 at n3".
fn not_linearizable(sim: &Sim, cx: &[OpId]) -> String {
    let mut text = String::from(
        "✗ not linearizable: no order respecting real time fits the outlined operations",
    );
    let mut sep = ": ";
    for op in cx
        .iter()
        .filter_map(|id| sim.history().iter().find(|o| o.id == *id))
    {
        let who = sim
            .clients()
            .get(usize::from(op.client))
            .map_or("?", |c| c.name.as_str());
        text.push_str(sep);
        text.push_str(who);
        text.push_str("'s ");
        text.push_str(&fmt::op_label(op));
        text.push_str(" at ");
        text.push_str(&node_name(op.node));
        sep = ", ";
    }
    text
}
