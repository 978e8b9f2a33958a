//! The anomaly hunt panel and the latency / stale-read trade-off plot. Both only render the
//! model (`app::hunt`, `app::tradeoff`) and send its messages.

use yew::prelude::*;

use crate::app::hunt::{self, Checker, HuntMsg};
use crate::app::still::Moment;
use crate::app::tradeoff::{self, H, W};
use crate::ui::select_value;
use crate::ui::state::Msg;

moment_props!(HuntProps, Moment);

/// Pick a checker, Hunt / Stop, the progress, the speed, and what was found.
#[function_component(HuntPanel)]
pub fn hunt_panel(p: &HuntProps) -> Html {
    let lab = &p.lab;
    let d = lab.dispatcher();
    let case = lab.runs[0].timeline.borrow().scenario().case;
    let h = &lab.hunt;
    let chosen = h.checker(case);
    let on_choose = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            if let Some(c) = Checker::parse(&select_value(&e)) {
                d.dispatch(Msg::Hunt(HuntMsg::Choose(c)));
            }
        })
    };
    let options: Html = Checker::choices(case)
        .into_iter()
        .map(|c| html! { <option value={c.slug()} selected={c == chosen}>{ c.label() }</option> })
        .collect();
    let (label, id, m) = if h.running() {
        ("Stop", "hunt-stop", HuntMsg::Stop)
    } else {
        ("Hunt", "hunt-start", HuntMsg::Start)
    };
    let press = Callback::from(move |_: MouseEvent| d.dispatch(Msg::Hunt(m)));
    let rate = hunt::rate(h);
    html! {
        <section class="hunt" data-testid="hunt" data-state={h.status.slug()}>
            <h2>{ "Anomaly hunt" }</h2>
            <p class="hint">{ "Tries run after run of this setting, each with its own random faults, until the checker finds the anomaly; then shows that run." }</p>
            <div class="hunt-row">
                <label>{ "Look for " }<select data-testid="hunt-checker" onchange={on_choose}>{ options }</select></label>
                <button class="primary" data-testid={id} onclick={press}>{ label }</button>
                <progress data-testid="hunt-progress" max={h.limit.to_string()} value={h.tried().to_string()}
                          aria-label="runs tried"></progress>
                <span data-testid="hunt-tried">{ format!("{} / {} runs", h.tried(), h.limit) }</span>
                if let Some((text, n)) = rate {
                    <span class="hunt-rate" data-testid="hunt-rate" data-rate={n.to_string()}>{ text }</span>
                }
            </div>
            if let Some(s) = hunt::summary(h, case) {
                <p class="hunt-result" data-testid="hunt-result" role="status">{ s }</p>
            }
            if let Some(s) = hunt::moment(lab) {
                <p class="hunt-moment" data-testid="hunt-moment">{ s }</p>
            }
        </section>
    }
}

/// The plot's margins around its `W × H` area (room for the axes' labels).
const LEFT: f64 = 66.0;
const TOP: f64 = 24.0;
const BOTTOM: f64 = 44.0;
const RIGHT: f64 = 40.0;

/// Latency (p50 and p99) against the stale-read rate, a point per quorum setting tried.
#[function_component(TradeoffPlot)]
pub fn tradeoff_plot(p: &HuntProps) -> Html {
    let t = &p.lab.tradeoff;
    let plot = tradeoff::plot(t);
    let (w, h) = (LEFT + W + RIGHT, TOP + H + BOTTOM);
    let ax = |x: f64| LEFT + x;
    let ay = |y: f64| TOP + y;
    let x_ticks: Html = plot.x_ticks.iter().map(|(x, l)| html! {
        <text x={ax(*x).to_string()} y={(TOP + H + 18.0).to_string()} text-anchor="middle">{ l }</text>
    }).collect();
    let y_ticks: Html = plot.y_ticks.iter().map(|(y, l)| html! {
        <>
            <line class="grid" x1={LEFT.to_string()} x2={(LEFT + W).to_string()} y1={ay(*y).to_string()} y2={ay(*y).to_string()} />
            <text x={(LEFT - 6.0).to_string()} y={(ay(*y) + 4.0).to_string()} text-anchor="end">{ l }</text>
        </>
    }).collect();
    let dots: Html = plot.dots.iter().map(|(x, y50, y99, label, cur)| html! {
        <g class={classes!("dot", cur.then_some("current"))} data-label={label.clone()}>
            <line x1={ax(*x).to_string()} x2={ax(*x).to_string()} y1={ay(*y50).to_string()} y2={ay(*y99).to_string()} />
            <circle class="p50" cx={ax(*x).to_string()} cy={ay(*y50).to_string()} r="4" />
            <circle class="p99" cx={ax(*x).to_string()} cy={ay(*y99).to_string()} r="4" />
            <text x={(ax(*x) + if *x > W * 0.7 { -8.0 } else { 8.0 }).to_string()} y={(ay(*y99) - 6.0).to_string()}
                  text-anchor={if *x > W * 0.7 { "end" } else { "start" }}>{ label }</text>
        </g>
    }).collect();
    html! {
        <section class="tradeoff" data-testid="tradeoff-plot" data-points={t.points.len().to_string()}>
            <h2>{ "Latency against stale reads" }</h2>
            <svg viewBox={format!("0 0 {w} {h}")} role="img" aria-label="latency in ms against the share of stale reads, one point per R/W setting tried">
                { y_ticks }
                <line class="axis" x1={LEFT.to_string()} x2={(LEFT + W).to_string()} y1={(TOP + H).to_string()} y2={(TOP + H).to_string()} />
                <line class="axis" x1={LEFT.to_string()} x2={LEFT.to_string()} y1={TOP.to_string()} y2={(TOP + H).to_string()} />
                { x_ticks }
                <text class="title" x={(LEFT + W / 2.0).to_string()} y={(h - 4.0).to_string()} text-anchor="middle">{ "stale reads (% of reads answered)" }</text>
                <text class="title" transform={format!("translate(18 {}) rotate(-90)", TOP + H / 2.0)} text-anchor="middle">{ "latency (ms)" }</text>
                { dots }
            </svg>
            <p class="hint">{ "● p50 ○ p99 latency of each R/W setting you tried, from its finished run (as it plays without your clicks); the one in colour is the setting shown." }</p>
        </section>
    }
}
