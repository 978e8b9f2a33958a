//! A link between two nodes: click = cut ↔ heal, shift-click = one-way cut; keyboard too.

use yew::prelude::*;

use super::stage::{f1, Pt, NODE_R};
use crate::sim::net::LinkMode;
use crate::sim::types::{node_name, NodeId};
use crate::sim::world::Sim;
use crate::ui::state::{Msg, Page};

/// What one link shows; redrawn only when its state changes.
#[derive(Properties, PartialEq)]
pub struct LinkProps {
    pub a: NodeId,
    pub b: NodeId,
    pub pa: Pt,
    pub pb: Pt,
    pub ab: LinkMode,
    pub ba: LinkMode,
    pub dispatch: UseReducerDispatcher<Page>,
}

/// The link `a`–`b` (`a < b`), drawn between the node circles' edges.
pub fn link(
    sim: &Sim,
    a: NodeId,
    b: NodeId,
    pa: Pt,
    pb: Pt,
    dispatch: &UseReducerDispatcher<Page>,
) -> Html {
    html! {
        <LinkMark key={u16::from(a) * 16 + u16::from(b)} {a} {b} {pa} {pb}
                  ab={sim.link(a, b).mode} ba={sim.link(b, a).mode} dispatch={dispatch.clone()} />
    }
}

#[function_component(LinkMark)]
fn link_mark(p: &LinkProps) -> Html {
    let (a, b, pa, pb) = (p.a, p.b, p.pa, p.pb);
    let (state, blocked) = link_state(a, b, p.ab, p.ba);
    let (dx, dy) = (pb.x - pa.x, pb.y - pa.y);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let (ux, uy) = (dx / len, dy / len);
    let (x1, y1) = (pa.x + ux * NODE_R, pa.y + uy * NODE_R);
    let (x2, y2) = (pb.x - ux * NODE_R, pb.y - uy * NODE_R);
    let mid = Pt {
        x: (pa.x + pb.x) / 2.0,
        y: (pa.y + pb.y) / 2.0,
    };
    let hit = hit_band(Pt { x: x1, y: y1 }, Pt { x: x2, y: y2 }, (ux, uy));
    let (onclick, onkeydown) = link_input(&p.dispatch, a, b);
    let name = format!("{}–{}", node_name(a), node_name(b));
    let label = match blocked {
        Some((f, t)) => format!("link {name}: {} → {} blocked", node_name(f), node_name(t)),
        None => format!("link {name}: {state}"),
    };
    html! {
        <g class={classes!("link", format!("link-{state}"))}
           data-testid={format!("link-{}-{}", node_name(a), node_name(b))}
           data-state={state}
           data-blocked={blocked.map(|(f, t)| format!("{}>{}", node_name(f), node_name(t)))}
           tabindex="0" role="button" aria-label={label} {onclick} {onkeydown}>
            <title>{ "Click: cut or heal · Shift-click: one-way cut" }</title>
            <line class="link-line" x1={f1(x1)} y1={f1(y1)} x2={f1(x2)} y2={f1(y2)} />
            <polygon class="link-hit" points={hit} />
            { state_mark(state, blocked, a, mid, (dx, dy)) }
        </g>
    }
}

/// The link's state from its two directions, and the blocked direction `(from, to)` of a
/// one-way cut.
fn link_state(
    a: NodeId,
    b: NodeId,
    ab: LinkMode,
    ba: LinkMode,
) -> (&'static str, Option<(NodeId, NodeId)>) {
    match (ab, ba) {
        (LinkMode::Up, LinkMode::Up) => ("up", None),
        (LinkMode::Cut, LinkMode::Cut) => ("cut", None),
        (LinkMode::Cut, LinkMode::Up) => ("oneway", Some((a, b))),
        (LinkMode::Up, LinkMode::Cut) => ("oneway", Some((b, a))),
        _ => ("held", None),
    }
}

/// A wide transparent band along the line from `p1` to `p2` (unit direction `u`): easy to hit,
/// and never a zero-size box.
fn hit_band(p1: Pt, p2: Pt, (ux, uy): (f64, f64)) -> String {
    let (nx, ny) = (-uy * 13.0, ux * 13.0);
    format!(
        "{},{} {},{} {},{} {},{}",
        f1(p1.x + nx),
        f1(p1.y + ny),
        f1(p2.x + nx),
        f1(p2.y + ny),
        f1(p2.x - nx),
        f1(p2.y - ny),
        f1(p1.x - nx),
        f1(p1.y - ny)
    )
}

/// Click and Enter / Space: cut or heal; with Shift: one-way cut.
fn link_input(
    dispatch: &UseReducerDispatcher<Page>,
    a: NodeId,
    b: NodeId,
) -> (Callback<MouseEvent>, Callback<KeyboardEvent>) {
    let onclick = {
        let d = dispatch.clone();
        Callback::from(move |e: MouseEvent| {
            d.dispatch(if e.shift_key() {
                Msg::CycleOneWay(a, b)
            } else {
                Msg::ToggleLink(a, b)
            })
        })
    };
    let onkeydown = {
        let d = dispatch.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                d.dispatch(if e.shift_key() {
                    Msg::CycleOneWay(a, b)
                } else {
                    Msg::ToggleLink(a, b)
                });
            }
        })
    };
    (onclick, onkeydown)
}

/// The mark at the link's middle `m`: scissors (cut), a barred arrow along the blocked
/// direction (one-way; `d` is the vector from `a` to the other end), a pause sign (held),
/// nothing (up).
fn state_mark(
    state: &str,
    blocked: Option<(NodeId, NodeId)>,
    a: NodeId,
    m: Pt,
    (dx, dy): (f64, f64),
) -> Html {
    match (state, blocked) {
        ("cut", _) => html! { <text class="cut-mark" x={f1(m.x)} y={f1(m.y + 6.0)}>{ "✂" }</text> },
        ("oneway", Some((from, _))) => {
            // An arrow pointing along the blocked direction, with a bar across it.
            let dir = if from == a { 0.0 } else { 180.0 };
            let angle = dy.atan2(dx).to_degrees() + dir;
            html! {
                <g class="oneway-mark" transform={format!("translate({} {}) rotate({})", f1(m.x), f1(m.y), f1(angle))}>
                    <polygon points="-12,-8 8,0 -12,8" />
                    <line x1="-2" y1="-12" x2="-2" y2="12" />
                </g>
            }
        }
        ("held", _) => {
            html! { <text class="held-mark" x={f1(m.x)} y={f1(m.y + 5.0)}>{ "‖" }</text> }
        }
        _ => html! {},
    }
}
