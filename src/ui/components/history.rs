//! The space-time history: one lane per client, each op a bar from invoke to complete, by
//! outcome (colour + icon + stroke pattern), a "now" line, and the checker's verdict above.
//!
//! The SVG is drawn in CSS pixels (its viewBox is its measured width), so its text keeps the
//! size the style sheet gives it on a phone and on a projector alike. An op too short to draw
//! readably keeps its true extent, drawn as a thin dark line, on a round mark of the bar's
//! height (the key says so): readable, and a target for the pointer, without lying about time.
//! Each bar is focusable (a click or a tap focuses it too) and named by a sentence from
//! [`crate::app::history::describe`], shown under the diagram when a bar gets the focus. Which ticks are shown is the model's
//! ([`crate::app::history::window`]): always every op the narration speaks of.
//!
//! The window follows the clock, so a frame must not redraw every bar: finished bars are drawn
//! at fixed positions (x = tick × scale), in slices of the window that render only when their
//! bars change, inside a group the frame only shifts (a composited layer: no re-raster); only
//! the waiting bars (at most one per client) grow with the clock. Bars that finished before the
//! window are not drawn.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::Element;
use yew::prelude::*;

use super::stage::f1;
use crate::app::history::{describe, verdict_line, window};
use crate::app::still::Dials;
use crate::app::verdict::Verdict;
use crate::sim::timeline::Timeline;
use crate::sim::types::{OpId, OpRecord, Outcome, Tick};
use crate::sim::world::Sim;
use crate::ui::fmt;
use crate::ui::state::Page;

/// The width drawn before the first measure.
const WIDTH: f64 = 1000.0;

/// The diagram's sizes in CSS px (presenter mode draws bigger).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Geo {
    width: f64,
    label_w: f64,
    /// Above the lanes: the axis.
    head: f64,
    lane_h: f64,
    bar_h: f64,
}

impl Geo {
    /// `labels`: the longest lane label, in characters; `present`: presenter mode (bigger
    /// text, as `style.css` sets it: 13 px labels, 20 px in presenter mode).
    fn new(width: f64, labels: usize, present: bool) -> Geo {
        let width = if width > 0.0 { width } else { WIDTH };
        let (font, head, lane_h, bar_h) = if present {
            (20.0, 28.0, 46.0, 24.0)
        } else {
            (13.0, 22.0, 34.0, 16.0)
        };
        let label_w = (labels as f64 * font * 0.62 + 12.0).clamp(60.0, (width * 0.4).max(60.0));
        Geo {
            width,
            label_w,
            head,
            lane_h,
            bar_h,
        }
    }
    /// The top of a client's lane.
    fn lane(&self, client: usize) -> f64 {
        self.head + self.lane_h * client as f64
    }
    /// The y of a client's bars: low in the lane, the outcome icon above.
    fn bar_y(&self, client: u8) -> f64 {
        self.lane(usize::from(client)) + self.lane_h - self.bar_h - 4.0
    }
    /// The narrowest mark drawn for an op (its true extent is drawn inside it).
    fn min_w(&self) -> f64 {
        self.bar_h
    }
}

#[derive(Properties)]
pub struct HistoryProps {
    pub lab: UseReducerHandle<Page>,
    /// When it redraws (`app::still::dials`); the handle reads the page as it is now.
    pub moment: Dials,
    pub run: usize,
    pub verdict: Verdict,
    /// Appended to the heading (side by side: " · CP").
    #[prop_or_default]
    pub title: AttrValue,
    /// Ops to emphasise (a lesson step's `highlight_ops`).
    #[prop_or_default]
    pub highlight: Vec<OpId>,
    /// Ops the window must show (a lesson step's `named_ops`).
    #[prop_or_default]
    pub named: Vec<OpId>,
    /// The word "linearizable" has been explained (a lesson says it from one step on).
    #[prop_or(true)]
    pub jargon: bool,
}

impl PartialEq for HistoryProps {
    fn eq(&self, o: &Self) -> bool {
        self.moment == o.moment
            && self.run == o.run
            && self.verdict == o.verdict
            && self.title == o.title
            && self.highlight == o.highlight
            && self.named == o.named
            && self.jargon == o.jargon
    }
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
    geo: Geo,
    cx: Vec<OpId>,
    hl: Vec<OpId>,
}

impl PartialEq for SliceProps {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.timeline, &o.timeline)
            && (self.edits, self.lo, self.hi, self.count) == (o.edits, o.lo, o.hi, o.count)
            && self.scale == o.scale
            && self.geo == o.geo
            && self.cx == o.cx
            && self.hl == o.hl
    }
}

/// The shapes of one bar from `x1` to `x2` (plot units): the bar itself, or for an op shorter
/// than [`Geo::min_w`] a round mark (a rect as wide as high, fully rounded) with its true extent
/// inside; around either, a wider pointer target, which is also the focus ring.
fn bar_shapes(g: &Geo, y: f64, x1: f64, x2: f64) -> Html {
    let (w, h, min) = (x2 - x1, g.bar_h, g.min_w());
    let short = w < min;
    let (rx, rw) = ((x1 + x2) / 2.0 - w.max(min) / 2.0, w.max(min));
    let round = if short { h / 2.0 } else { 3.0 };
    let extent = w.max(1.5);
    html! {
        <>
            <rect class="hit" x={f1(rx - 4.0)} y={f1(y - 4.0)} width={f1(rw + 8.0)} height={f1(h + 8.0)} rx="5" />
            <rect class={classes!("shape", short.then_some("pin"))} x={f1(rx)} y={f1(y)} width={f1(rw)} height={f1(h)} rx={f1(round)} />
            if short {
                <rect class="true-extent" x={f1((x1 + x2 - extent) / 2.0)} y={f1(y + h / 4.0)} width={f1(extent)} height={f1(h / 2.0)} />
            }
        </>
    }
}

/// One op's bar from `x1` to `x2` (plot units), keyed by op id: a bar that finishes before
/// older ones in its slice is inserted among them, and the others keep their elements.
fn bar_html(
    sim: &Sim,
    op: &OpRecord,
    (x1, x2): (f64, f64),
    (cx, hl): (bool, bool),
    g: &Geo,
) -> Html {
    let slug = fmt::outcome_slug(op);
    let y = g.bar_y(op.client);
    let x2 = x2.max(x1);
    let reason = match op.outcome() {
        Some(Outcome::Refused(r)) => Some(r.slug()),
        _ => None,
    };
    let done = op.outcome().is_some();
    let icon = if done {
        html! { <text class="bar-icon" x={f1((x1 + x2) / 2.0)} y={f1(y - 3.0)}>{ fmt::outcome_icon(slug) }</text> }
    } else {
        html! {}
    };
    let text = describe(sim, op);
    html! {
        <g key={op.id} class={classes!("bar", format!("bar-{slug}"), cx.then_some("cx"), hl.then_some("hl"))}
           data-testid={done.then_some("outcome")} data-op-id={op.id.to_string()}
           data-node={crate::sim::types::node_name(op.node)} data-kind={op.req.kind.as_str()}
           data-outcome={slug} data-reason={reason} tabindex="0" role="img" aria-label={text}>
            { bar_shapes(g, y, x1, x2) }
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
    let sim = t.sim();
    let bars: Html = sim
        .history()
        .iter()
        .filter(|op| op.outcome().is_some())
        .filter(|op| op.completed_at().is_some_and(|c| p.lo <= c && c < p.hi))
        .map(|op| {
            let x2 = op.completed_at().unwrap_or(op.invoke) as f64 * p.scale;
            let marks = (p.cx.contains(&op.id), p.hl.contains(&op.id));
            bar_html(sim, op, (op.invoke as f64 * p.scale, x2), marks, &p.geo)
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

/// Shows the description of the bar that gets the focus (its accessible name) in `line` (it
/// stays after the focus leaves), or `hint`: written straight into the line, so that moving
/// the focus renders nothing.
fn show_focus(line: &NodeRef, target: Option<web_sys::EventTarget>, hint: &str) {
    let text = target
        .and_then(|t| t.dyn_into::<Element>().ok())
        .and_then(|e| e.get_attribute("aria-label"));
    if let Some(p) = line.cast::<Element>() {
        p.set_text_content(Some(text.as_deref().unwrap_or(hint)));
    }
}

/// The line under the diagram before a bar has the focus.
const FOCUS_HINT: &str = "Tab to a bar, or tap it, to read what happened to that request.";

#[function_component(History)]
pub fn history(p: &HistoryProps) -> Html {
    let plot = use_node_ref();
    let measured = super::stage::use_size(plot.clone()).0;
    let focus_line = use_node_ref();
    let Some(run) = p.lab.runs.get(p.run) else {
        return html! {};
    };
    let t = run.timeline.borrow();
    let sim = t.sim();
    let clock = p.lab.dial();
    let labels = sim
        .clients()
        .iter()
        .map(|c| fmt::client_label(&c.name, c.node).chars().count());
    let g = Geo::new(measured, labels.max().unwrap_or(0), p.lab.flags.present);
    let (start, span) = window(sim.history(), clock, sim.end_tick(), &p.named);
    let scale = (g.width - g.label_w - 10.0) / span;
    let x_of = |tick: f64| g.label_w + (tick - start) * scale;
    let height = g.lane(sim.clients().len().max(1));
    let (done, waiting, short) = bars(p, &run.timeline, sim, (start, span, scale), &g);
    let shift = format!("translate({} 0)", f1(g.label_w - start * scale));
    let now_x = g.label_w + (clock - start) * scale;
    let (tone, verdict) = verdict_line(&p.verdict, sim, p.jargon);
    let onfocusin = {
        let line = focus_line.clone();
        Callback::from(move |e: FocusEvent| show_focus(&line, e.target(), FOCUS_HINT))
    };
    html! {
        <section class="history" aria-label="history">
            <header class="history-head">
                <h2>{ "History" }{ p.title.clone() }</h2>
                <p class={classes!("verdict", tone.slug())} data-testid="history-verdict">{ verdict }</p>
            </header>
            <div class="history-plot" ref={plot} {onfocusin}>
            <svg class="history-svg" data-testid={format!("history-{}", p.run)} width={f1(g.width)} height={f1(height)}
                 viewBox={format!("0 0 {} {}", f1(g.width), f1(height))}>
                { axis(start, span, &g, x_of) }
                { lane_labels(sim, &g) }
                <svg x={f1(g.label_w)} y="0" width={f1(g.width - g.label_w)} height={f1(height)}
                     viewBox={format!("{} 0 {} {}", f1(g.label_w), f1(g.width - g.label_w), f1(height))} class="plot">
                    <g class="shift" transform={shift}>
                        <g class="done">{ for done }</g>
                        <g class="waiting">{ for waiting }</g>
                    </g>
                </svg>
                <line class="now-line" x1={f1(now_x)} x2={f1(now_x)} y1={f1(g.head - 6.0)} y2={f1(height)} />
            </svg>
            </div>
            <p class="bar-focus" aria-hidden="true" data-testid="bar-focus" ref={focus_line}>{ FOCUS_HINT }</p>
            { key(short, !p.verdict.counterexample.is_empty()) }
        </section>
    }
}

/// The key: outcomes, and when drawn, the short-op mark and the counter-example outline.
fn key(short: bool, cx: bool) -> Html {
    html! {
        <ul class="key">
            <li class="k-ok">{ "✓ ok" }</li><li class="k-refused">{ "⊘ refused" }</li>
            <li class="k-timeout">{ "◷ timeout" }</li><li class="k-stale">{ "⚠ stale read" }</li>
            <li class="k-pending">{ "… waiting" }</li>
            if short { <li class="k-short">{ "● too short to draw to scale: the dark line inside is its true length" }</li> }
            if cx { <li class="k-cx">{ "▭ dark outline: the counter-example" }</li> }
        </ul>
    }
}

/// The bars in the window `(start, length, scale)`: the finished ones as [`Slice`]s (each
/// given only its count, so an unchanged slice does not redraw), and the waiting ones, which
/// grow with the clock; and whether a finished op in the window is drawn as a short mark.
fn bars(
    p: &HistoryProps,
    timeline: &Rc<RefCell<Timeline>>,
    sim: &Sim,
    (start, window, scale): (f64, f64, f64),
    g: &Geo,
) -> (Vec<Html>, Vec<Html>, bool) {
    let (clock, cx) = (p.lab.dial(), &p.verdict.counterexample);
    let now = clock * scale;
    let (width, first, last) = slices(start, clock, window);
    let mut counts = vec![0usize; (last - first + 1) as usize];
    let (mut waiting, mut short) = (Vec::new(), false);
    for op in sim.history() {
        match op.completed_at().filter(|_| op.outcome().is_some()) {
            Some(c) if c / width >= first && c / width <= last => {
                counts[(c / width - first) as usize] += 1;
                short |= (c - op.invoke) as f64 * scale < g.min_w();
            }
            Some(_) => {}
            None => waiting.push(bar_html(
                sim,
                op,
                (op.invoke as f64 * scale, now),
                (cx.contains(&op.id), p.highlight.contains(&op.id)),
                g,
            )),
        }
    }
    let done = counts.into_iter().zip(first..).map(|(count, k)| {
        html! {
            <Slice key={k} timeline={timeline.clone()} edits={p.lab.edits} lo={k * width}
                   hi={(k + 1) * width} {count} {scale} geo={*g} cx={cx.clone()} hl={p.highlight.clone()} />
        }
    });
    (done.collect(), waiting, short)
}

/// One lane per client: its line and its label.
fn lane_labels(sim: &Sim, g: &Geo) -> Html {
    sim.clients()
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let y = g.bar_y(i as u8) + g.bar_h / 2.0;
            html! {
                <g class="lane">
                    <line class="lane-line" x1={f1(g.label_w)} x2={f1(g.width)} y1={f1(y)} y2={f1(y)} />
                    <text class="lane-label" x="4" y={f1(y)} dominant-baseline="central">{ fmt::client_label(&c.name, c.node) }</text>
                </g>
            }
        })
        .collect()
}

/// Tick labels across the window: five, fewer on a narrow plot (one per 110 px at most).
fn axis(start: f64, window: f64, g: &Geo, x_of: impl Fn(f64) -> f64) -> Html {
    let n = (((g.width - g.label_w) / 110.0).floor() as u32).clamp(1, 4);
    (0..=n)
        .map(|i| {
            let tick = start + window * f64::from(i) / f64::from(n);
            html! { <text class={classes!("axis", (i == n).then_some("last"))} x={f1(x_of(tick))} y={f1(g.head - 8.0)}>{ format!("{} ms", tick.round() as i64) }</text> }
        })
        .collect()
}
