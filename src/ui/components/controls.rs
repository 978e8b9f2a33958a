//! Controls: the transport (play, step, speed, scrubber with fault marks) and the setup bar
//! (scenario, mode, conflict resolution, N/R/W, seed, traffic, side by side, versions, reset).

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::app::link::Params;
use crate::app::made::MadeMsg;
use crate::app::still::Dials;
use crate::app::Lab;
use crate::sim::scenario::Scenario;
use crate::sim::sort;
use crate::sim::timeline::Timeline;
use crate::sim::types::{Conflict, Mode, Tick};
use crate::ui::state::{Msg, Page, SPEEDS, SPEED_LABELS};
use crate::ui::{input_value, select_value};

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    pub lab: UseReducerHandle<Page>,
}

moment_props!(TransportProps, Dials);

/// A small drawn icon (fonts on projectors and in CI lack the media-control glyphs).
pub fn icon(which: &str) -> Html {
    let shape = match which {
        "play" => html! { <polygon points="3,2 13,8 3,14" /> },
        "pause" => {
            html! { <><rect x="3" y="2" width="3.5" height="12" /><rect x="9.5" y="2" width="3.5" height="12" /></> }
        }
        // Four corners: full screen (the ⛶ glyph is missing from many fonts).
        "fullscreen" => html! {
            <>
                <polygon points="1,1 6,1 6,3 3,3 3,6 1,6" />
                <polygon points="15,1 10,1 10,3 13,3 13,6 15,6" />
                <polygon points="1,15 6,15 6,13 3,13 3,10 1,10" />
                <polygon points="15,15 10,15 10,13 13,13 13,10 15,10" />
            </>
        },
        "back" => {
            html! { <><rect x="2" y="2" width="2.5" height="12" /><polygon points="14,2 5,8 14,14" /></> }
        }
        _ => {
            html! { <><polygon points="2,2 11,8 2,14" /><rect x="11.5" y="2" width="2.5" height="12" /></> }
        }
    };
    html! { <svg class="icon" viewBox="0 0 16 16" aria-hidden="true">{ shape }</svg> }
}

fn fault_marks(lab: &Lab) -> Vec<Tick> {
    let mut marks: Vec<Tick> = Vec::new();
    for run in lab.runs.iter().take(1) {
        let t = run.timeline.borrow();
        marks.extend(t.scenario().faults.iter().map(|f| f.at));
        marks.extend(t.fault_marks());
    }
    sort::sort(&mut marks);
    marks.dedup();
    marks
}

/// Play / pause, step back, step, speed, the scrubber and the tick.
#[function_component(Transport)]
pub fn transport(p: &TransportProps) -> Html {
    let lab = &p.lab;
    let d = lab.dispatcher();
    let end = lab.end_tick();
    let now = lab.now();
    let events = lab.runs[0].timeline.borrow().events();
    let clock = lab.dial().floor() as Tick;
    let cb = |m: Msg| {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(m.clone()))
    };
    let play = if lab.playing {
        html! { <button class="primary" data-testid="pause" onclick={cb(Msg::Pause)} aria-label="pause">{ icon("pause") }{ "Pause" }</button> }
    } else {
        html! { <button class="primary" data-testid="play" onclick={cb(Msg::Play)} aria-label="play">{ icon("play") }{ "Play" }</button> }
    };
    let on_speed = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            if let Some(x) = select_value(&e)
                .parse::<usize>()
                .ok()
                .and_then(|i| SPEEDS.get(i))
            {
                d.dispatch(Msg::SetSpeed(*x));
            }
        })
    };
    let on_seek = {
        let d = d.clone();
        Callback::from(move |e: InputEvent| {
            if let Ok(t) = input_value(&e).parse::<Tick>() {
                d.dispatch(Msg::Seek(t));
            }
        })
    };
    let speeds: Html = SPEEDS
        .iter()
        .enumerate()
        .map(|(i, s)| html! { <option value={i.to_string()} selected={*s == lab.speed}>{ SPEED_LABELS[i] }</option> })
        .collect();
    let marks: Html = fault_marks(lab)
        .into_iter()
        .filter(|m| *m <= end)
        .map(|m| {
            let x = 1000.0 * m as f64 / end.max(1) as f64;
            html! { <line class="fault-mark" x1={super::stage::f1(x)} x2={super::stage::f1(x)} y1="0" y2="10" /> }
        })
        .collect();
    html! {
        <div class="transport" role="toolbar" aria-label="time">
            { play }
            <button data-testid="step-back" onclick={cb(Msg::StepBack)} title="step back one event" aria-label="step back">{ icon("back") }{ "Back" }</button>
            <button data-testid="step" onclick={cb(Msg::Step)} title="step one event" aria-label="step">{ "Step" }{ icon("step") }</button>
            <label class="speed">{ "speed " }
                <select data-testid="speed" onchange={on_speed}>{ speeds }</select>
            </label>
            <div class="scrub">
                <svg class="marks" viewBox="0 0 1000 10" preserveAspectRatio="none" aria-hidden="true">{ marks }</svg>
                <input type="range" data-testid="scrubber" aria-label="time (ticks)" min="0" max={end.to_string()}
                       step="1" value={clock.to_string()} oninput={on_seek} />
            </div>
            <output class="tick" data-testid="tick" data-value={now.to_string()} data-events={events.to_string()}>
                { format!("t = {clock} ms") }<span class="of">{ format!(" / {end}") }</span>
            </output>
        </div>
    }
}

fn mode_label(m: Mode) -> &'static str {
    match m {
        Mode::Ca => "CA (single node)",
        Mode::Cp => "CP (Raft)",
        Mode::Ap => "AP (Dynamo)",
        Mode::Quorum => "Quorum (N/R/W)",
    }
}

/// What the setup bar shows: it changes only with the run (a rebuild) and the page's params,
/// so an animation frame does not redraw it.
#[derive(Properties, Clone)]
struct SetupView {
    timeline: Rc<RefCell<Timeline>>,
    params: Params,
    versions: bool,
    dispatch: UseReducerDispatcher<Page>,
}

impl PartialEq for SetupView {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.timeline, &o.timeline)
            && self.params == o.params
            && self.versions == o.versions
            && self.dispatch == o.dispatch
    }
}

/// Scenario, mode, conflict, N/R/W, seed, traffic, side by side, versions, reset.
#[function_component(Setup)]
pub fn setup(p: &ControlsProps) -> Html {
    let lab = &p.lab;
    html! {
        <SetupBar timeline={lab.runs[0].timeline.clone()} params={lab.params.clone()}
                  versions={lab.versions} dispatch={lab.dispatcher()} />
    }
}

/// How quorum mode places and counts replicas (the dial hint's tooltip).
const STRICT_QUORUM: &str = "Strict quorum: each key lives on N replicas, the N nodes starting at     key number mod nodes around the ring. A request is sent to the key's replicas only and counts     R or W answers among them; there is no sloppy quorum and no hinted handoff.";

#[function_component(SetupBar)]
fn setup_bar(lab: &SetupView) -> Html {
    let d = lab.dispatch.clone();
    let t = lab.timeline.borrow();
    let sc = t.scenario();
    let cfg = t.sim().config();
    let (mode, conflict, nodes) = (sc.mode, sc.conflict, sc.nodes);
    let nrw = (cfg.n, cfg.r, cfg.w);
    drop(t);
    let on_scenario = {
        let d = d.clone();
        Callback::from(move |e: Event| d.dispatch(Msg::SetScenario(select_value(&e))))
    };
    let on_mode = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            if let Some(m) = Mode::parse(&select_value(&e)) {
                d.dispatch(Msg::SetMode(m));
            }
        })
    };
    let on_conflict = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            if let Some(c) = Conflict::parse(&select_value(&e)) {
                d.dispatch(Msg::SetConflict(c));
            }
        })
    };
    let on_seed = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            if let Ok(s) = select_value(&e).parse::<u64>() {
                d.dispatch(Msg::SetSeed(s));
            }
        })
    };
    let make = {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Msg::Made(MadeMsg::Author(true))))
    };
    let reset = Callback::from(move |_: MouseEvent| d.dispatch(Msg::Reset));
    let side = lab.params.side;
    html! {
        <div class="setup" role="toolbar" aria-label="setup">
            <label>{ "scenario" }<select data-testid="scenario" onchange={on_scenario}>{ scenario_options(&lab.params.scenario) }</select></label>
            <label>{ "mode" }<select data-testid="mode" onchange={on_mode} disabled={side}>{ mode_options(mode) }</select></label>
            if mode == Mode::Ap || side {
                <label>{ "conflicts" }<select data-testid="conflict" onchange={on_conflict}>{ conflict_options(conflict) }</select></label>
            }
            if mode == Mode::Quorum && !side {
                { dials(&lab.dispatch, nodes, nrw) }
            }
            { terms(mode, conflict, side) }
            <label>{ "seed" }<input type="number" class="seed" data-testid="seed" min="0"
                value={lab.params.over.seed.unwrap_or(1).to_string()} onchange={on_seed} /></label>
            { checkboxes(lab) }
            <button data-testid="reset" onclick={reset}>{ "↺ Reset" }</button>
            if lab.params.made.is_none() {
                <button class="made-open" data-testid="made-start" onclick={make}>{ "✎ Make a lesson" }</button>
            }
        </div>
    }
}

/// The words of this setup a reader may not know, each with its definition on hover and focus.
fn terms(mode: Mode, conflict: Conflict, side: bool) -> Html {
    let ids = crate::app::glossary::setup_terms(mode, conflict, side);
    if ids.is_empty() {
        return html! {};
    }
    html! {
        <span class="terms" data-testid="setup-terms">
            { for ids.iter().map(|id| super::term::term(id, "")) }
        </span>
    }
}

fn scenario_options(current: &str) -> Html {
    Scenario::builtin_names()
        .iter()
        .map(|s| html! { <option value={*s} selected={current == *s}>{ *s }</option> })
        .collect()
}

fn mode_options(mode: Mode) -> Html {
    Mode::ALL
        .iter()
        .map(|m| html! { <option value={m.as_str()} selected={*m == mode}>{ mode_label(*m) }</option> })
        .collect()
}

fn conflict_options(conflict: Conflict) -> Html {
    Conflict::ALL
        .iter()
        .map(|c| {
            let label = match c {
                Conflict::Lww => "last writer wins",
                Conflict::Vclock => "vector clocks",
                Conflict::Crdt => "CRDTs",
            };
            html! { <option value={c.as_str()} selected={*c == conflict}>{ label }</option> }
        })
        .collect()
}

/// Quorum mode's N, R and W selectors (R and W never above N) and what the dials promise.
fn dials(d: &UseReducerDispatcher<Page>, nodes: u8, (n, r, w): (u8, u8, u8)) -> Html {
    let dial = |which: usize| {
        let d = d.clone();
        Callback::from(move |e: Event| {
            if let Ok(v) = select_value(&e).parse::<u8>() {
                let mut x = [n, r, w];
                x[which] = v;
                d.dispatch(Msg::SetNrw(x[0], x[1].min(x[0]), x[2].min(x[0])));
            }
        })
    };
    let dial_opts = |max: u8, cur: u8| -> Html {
        (1..=max)
            .map(|v| html! { <option value={v.to_string()} selected={v == cur}>{ v }</option> })
            .collect()
    };
    html! {
        <span class="dials">
            <label>{ "N" }<select data-testid="dial-n" onchange={dial(0)}>{ dial_opts(nodes, n) }</select></label>
            <label>{ "R" }<select data-testid="dial-r" onchange={dial(1)}>{ dial_opts(n, r) }</select></label>
            <label>{ "W" }<select data-testid="dial-w" onchange={dial(2)}>{ dial_opts(n, w) }</select></label>
            <span class={classes!("rw-hint", (r + w > n).then_some("strict"))} data-testid="rw-hint"
                  title={STRICT_QUORUM}>
                { crate::lessons::words::quorum_dials(n, r, w) }
            </span>
        </span>
    }
}

/// Traffic, side by side and versions: three checkboxes.
fn checkboxes(lab: &SetupView) -> Html {
    let toggle = |m: Msg| {
        let d = lab.dispatch.clone();
        Callback::from(move |_: Event| d.dispatch(m.clone()))
    };
    let side = lab.params.side;
    html! {
        <>
            <label class="check" title="the scenario's own clients send requests (off: only your clicks)"><input type="checkbox" data-testid="workload" checked={lab.params.workload}
                onchange={toggle(Msg::SetWorkload(!lab.params.workload))} />{ "traffic" }</label>
            <label class="check" title="run CP and AP side by side with the same faults and clicks"><input type="checkbox" data-testid="side-by-side" checked={side}
                onchange={toggle(Msg::SetSide(!side))} />{ "CP | AP" }</label>
            <label class="check" title="show each node's version line and pending hints"><input type="checkbox" data-testid="versions" checked={lab.versions}
                onchange={toggle(Msg::ToggleVersions)} />{ "versions" }</label>
        </>
    }
}
