//! The stage: one SVG with links, messages, nodes and clients of one run, viewBox-scaled.

use yew::prelude::*;

use std::rc::Rc;

use super::layer::MessageLayer;
use super::{clients, inspector, link, messages, node};
use crate::app::Sign;
use crate::sim::action::MsgId;
use crate::sim::types::node_name;
use crate::sim::world::Sim;
use crate::ui::state::{Msg, Page};

/// The SVG's size in user units.
pub const WIDTH: f64 = 600.0;
pub const HEIGHT: f64 = 450.0;
const CENTER: (f64, f64) = (300.0, 245.0);
const RADIUS: f64 = 140.0;
/// A node circle's radius.
pub const NODE_R: f64 = 52.0;

/// A point on the stage.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pt {
    pub x: f64,
    pub y: f64,
}

/// How much a node is drawn smaller than `NODE_R` so that `count` nodes fit side by side on the
/// circle (six and more would overlap at full size).
pub fn node_scale(count: u8) -> f64 {
    if count <= 5 {
        1.0
    } else {
        0.7
    }
}

/// The centre of the ring of `count` nodes. Six and more nodes sit a little higher on a tighter
/// ring, so that the clients above the top node and below the bottom ones (and their badges)
/// stay inside the stage.
fn center(count: u8) -> Pt {
    let y = if count <= 5 { CENTER.1 } else { CENTER.1 - 9.0 };
    Pt { x: CENTER.0, y }
}

/// Positions of `count` nodes on a circle, n1 at the top, clockwise.
pub fn layout(count: u8) -> Vec<Pt> {
    let radius = match count {
        0..=3 => RADIUS,
        4..=5 => RADIUS + 20.0,
        _ => RADIUS,
    };
    let c = center(count);
    (0..count)
        .map(|i| {
            let a = -std::f64::consts::FRAC_PI_2
                + std::f64::consts::TAU * f64::from(i) / f64::from(count);
            Pt {
                x: c.x + radius * a.cos(),
                y: c.y + radius * a.sin(),
            }
        })
        .collect()
}

/// The unit vector from the centre of a ring of `count` nodes towards `p`.
pub fn outward(p: Pt, count: u8) -> Pt {
    let c = center(count);
    let (dx, dy) = (p.x - c.x, p.y - c.y);
    let len = (dx * dx + dy * dy).sqrt().max(1e-9);
    Pt {
        x: dx / len,
        y: dy / len,
    }
}

/// How far from a node's centre its first client stands (the node as drawn, plus a gap).
pub fn client_distance(count: u8) -> f64 {
    let s = node_scale(count);
    if s < 1.0 {
        NODE_R * s + 24.0
    } else {
        NODE_R + 30.0
    }
}

/// A number with one decimal, for SVG attributes (integer formatting only: float formatting
/// would add kilobytes to the wasm).
pub fn f1(x: f64) -> String {
    let mut s = String::with_capacity(8);
    push_f1(&mut s, x);
    s
}

/// Appends `x` with one decimal to `out` (no allocation of its own: the message paths call
/// this thousands of times a frame).
pub fn push_f1(out: &mut String, x: f64) {
    let t = (x * 10.0).round() as i64;
    if t < 0 {
        out.push('-');
    }
    let t = t.unsigned_abs();
    push_u64(out, t / 10);
    out.push('.');
    out.push(char::from(b'0' + (t % 10) as u8));
}

/// Appends the decimal digits of `n` to `out`.
pub fn push_u64(out: &mut String, n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for b in &buf[i..] {
        out.push(char::from(*b));
    }
}

#[derive(Properties, PartialEq)]
pub struct StageProps {
    pub lab: UseReducerHandle<Page>,
    pub run: usize,
    pub reduced_motion: bool,
}

/// What the stage says about the clock, drawn over it (clicks go through to the stage, except on
/// its one button): paused, with the requests that wait for the run to go on; or ended.
fn sign(sign: Option<Sign>, dispatch: &UseReducerDispatcher<Page>) -> Html {
    let Some(sign) = sign else {
        return html! {};
    };
    let d = dispatch.clone();
    let play = Callback::from(move |_: MouseEvent| d.dispatch(Msg::Play));
    let (state, big, text, button) = match sign {
        Sign::Paused { waiting: 0 } => ("paused", "❚❚", "Paused".to_string(), "▶ Play"),
        Sign::Paused { waiting } => (
            "paused",
            "❚❚",
            format!(
                "Paused · {waiting} request{} waiting",
                if waiting == 1 { "" } else { "s" }
            ),
            "▶ Play",
        ),
        Sign::Ended => ("ended", "■", "The run is over".to_string(), "↺ Play again"),
    };
    html! {
        <div class="stage-sign" data-testid="stage-sign" data-state={state} role="status">
            <span class="big" aria-hidden="true">{ big }</span>
            <span class="what">{ text }</span>
            <button data-testid="sign-play" onclick={play}>{ button }</button>
        </div>
    }
}

/// Where each message is, for clicks (paused) and the ring round an inspected one; not
/// computed while a run plays with nothing looked at on it.
fn click_points(lab: &Page, run: usize, sim: &Sim, pos: &[Pt], reduced: bool) -> Vec<(MsgId, Pt)> {
    let looked_at = lab.inspecting.is_some_and(|i| i.run == run);
    if lab.playing && !looked_at {
        return Vec::new();
    }
    messages::positions(sim, pos, lab.clock, reduced)
}

#[function_component(Stage)]
pub fn stage(p: &StageProps) -> Html {
    let svg_ref = use_node_ref();
    let lab = &p.lab;
    let Some(run) = lab.runs.get(p.run) else {
        return html! {};
    };
    let t = run.timeline.borrow();
    let sim = t.sim();
    let scenario = t.scenario();
    let count = sim.node_count();
    let pos = layout(count);
    let dispatch = lab.dispatcher();
    let links = (0..count).flat_map(|a| (a + 1..count).map(move |b| (a, b)));
    let links: Html = links
        .map(|(a, b)| {
            link::link(
                sim,
                a,
                b,
                pos[usize::from(a)],
                pos[usize::from(b)],
                &dispatch,
            )
        })
        .collect();
    let nodes: Html = (0..count)
        .map(|n| {
            node::node(
                sim,
                scenario.case,
                n,
                pos[usize::from(n)],
                lab.versions,
                (p.run, lab.menu == Some(n) && lab.menu_run == p.run),
                &dispatch,
            )
        })
        .collect();
    let label = format!(
        "{} replicas: {}",
        count,
        (0..count).map(node_name).collect::<Vec<_>>().join(", ")
    );
    let wire = Rc::new(messages::on_the_wire(
        sim,
        &pos,
        lab.clock,
        p.reduced_motion,
    ));
    let at = click_points(lab, p.run, sim, &pos, p.reduced_motion);
    html! {
        <figure class="stage-wrap">
            <figcaption class="stage-title">{ crate::lessons::stage_title(lab.lesson.as_ref().map(|l| l.lesson.id), scenario.mode) }</figcaption>
            <MessageLayer frame={wire.clone()} svg={svg_ref.clone()} />
            <svg ref={svg_ref} class="stage" data-testid={format!("stage-{}", p.run)} data-events={t.events().to_string()}
                 viewBox={format!("0 0 {WIDTH} {HEIGHT}")} role="group" aria-label={label}>
                <g class="links">{ links }</g>
                { messages::marks(&wire) }
                { clients::on_stage(sim, &pos, lab.clock) }
                <g class="nodes">{ nodes }</g>
                { inspector::marks(lab, p.run, &pos, &at, &dispatch) }
            </svg>
            { node::menu(sim, (p.run, lab.menu.filter(|_| lab.menu_run == p.run)), &pos, &dispatch) }
            if p.run == 0 { { sign(lab.sign(), &dispatch) } }
        </figure>
    }
}
