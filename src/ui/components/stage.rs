//! The stage: one SVG with links, messages, nodes and clients of one run, viewBox-scaled.

use yew::prelude::*;

use super::{clients, link, messages, node};
use crate::sim::types::{node_name, Mode};
use crate::ui::state::Lab;

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

/// Positions of `count` nodes on a circle, n1 at the top, clockwise.
pub fn layout(count: u8) -> Vec<Pt> {
    let radius = match count {
        0..=3 => RADIUS,
        4..=5 => RADIUS + 20.0,
        _ => RADIUS + 25.0,
    };
    (0..count)
        .map(|i| {
            let a = -std::f64::consts::FRAC_PI_2
                + std::f64::consts::TAU * f64::from(i) / f64::from(count);
            Pt {
                x: CENTER.0 + radius * a.cos(),
                y: CENTER.1 + radius * a.sin(),
            }
        })
        .collect()
}

/// The unit vector from the stage's centre towards `p`.
pub fn outward(p: Pt) -> Pt {
    let (dx, dy) = (p.x - CENTER.0, p.y - CENTER.1);
    let len = (dx * dx + dy * dy).sqrt().max(1e-9);
    Pt {
        x: dx / len,
        y: dy / len,
    }
}

/// A number with one decimal, for SVG attributes (integer formatting only: float formatting
/// would add kilobytes to the wasm).
pub fn f1(x: f64) -> String {
    let t = (x * 10.0).round() as i64;
    let sign = if t < 0 { "-" } else { "" };
    let t = t.unsigned_abs();
    format!("{sign}{}.{}", t / 10, t % 10)
}

#[derive(Properties, PartialEq)]
pub struct StageProps {
    pub lab: UseReducerHandle<Lab>,
    pub run: usize,
    pub reduced_motion: bool,
}

fn mode_title(m: Mode) -> &'static str {
    match m {
        Mode::Ca => "CA · one data node",
        Mode::Cp => "CP · Raft-style majority",
        Mode::Ap => "AP · Dynamo-style, always writable",
        Mode::Quorum => "Quorum · strict N/R/W",
    }
}

#[function_component(Stage)]
pub fn stage(p: &StageProps) -> Html {
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
                lab.menu == Some(n) && p.run == 0,
                &dispatch,
            )
        })
        .collect();
    let label = format!(
        "{} replicas: {}",
        count,
        (0..count).map(node_name).collect::<Vec<_>>().join(", ")
    );
    html! {
        <figure class="stage-wrap">
            <figcaption class="stage-title">{ mode_title(scenario.mode) }</figcaption>
            <svg class="stage" data-testid={format!("stage-{}", p.run)}
                 viewBox={format!("0 0 {WIDTH} {HEIGHT}")} role="group" aria-label={label}>
                <g class="links">{ links }</g>
                { messages::messages(sim, &pos, lab.clock, p.reduced_motion) }
                { clients::on_stage(sim, &pos, lab.clock) }
                <g class="nodes">{ nodes }</g>
                { node::menu(sim, lab.menu.filter(|_| p.run == 0), &pos, &dispatch) }
            </svg>
        </figure>
    }
}
