//! The stage: one SVG with links, messages, nodes and clients of one run, viewBox-scaled.

use yew::prelude::*;

use std::rc::Rc;

use std::cell::RefCell;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Element, ResizeObserver};

use super::layer::MessageLayer;
use super::{clients, inspector, link, messages, node};
use crate::app::stage::{regions, Distance, Region, StageText};
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
pub const NODE_R: f64 = crate::app::stage::NODE_R;

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

/// An element's size in CSS px (`clientWidth` × `clientHeight`), followed with a
/// `ResizeObserver` ((0, 0) before the first measure); a new size renders the component again
/// (the stage's text sizes, the history's width follow it). (`RefCell`s and a forced update,
/// not a `use_state`: a hook of a new type costs the page its own copy of the reducer
/// machinery.)
#[hook]
pub fn use_size(node: NodeRef) -> (f64, f64) {
    let width = use_mut_ref(|| 0.0_f64);
    let height = use_mut_ref(|| 0.0_f64);
    let update = use_force_update();
    {
        let (width, height) = (width.clone(), height.clone());
        use_effect_with((), move |_| {
            let watch = observe_size(&node, (width, height), update);
            move || {
                if let Some((observer, _callback)) = watch {
                    observer.disconnect();
                }
            }
        });
    }
    let size = (*width.borrow(), *height.borrow());
    size
}

type OnResize = Closure<dyn FnMut()>;

fn observe_size(
    node: &NodeRef,
    (width, height): (Rc<RefCell<f64>>, Rc<RefCell<f64>>),
    update: UseForceUpdateHandle,
) -> Option<(ResizeObserver, OnResize)> {
    let el = node.cast::<Element>()?;
    let target = el.clone();
    // Drawn after the observer's turn (a render during it could report a "loop" error).
    let callback: OnResize = Closure::new(move || {
        let (w, h) = (f64::from(el.client_width()), f64::from(el.client_height()));
        if (w, h) != (*width.borrow(), *height.borrow()) {
            *width.borrow_mut() = w;
            *height.borrow_mut() = h;
            let update = update.clone();
            gloo_timers::callback::Timeout::new(0, move || update.force_update()).forget();
        }
    });
    let observer = ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
    observer.observe(&target);
    Some((observer, callback))
}

/// What the regions layer draws: the regions, the distances between them, where the nodes
/// are, how large a node is drawn (`node_scale`), and the labels' size in user units.
struct RegionsProps<'a> {
    regions: &'a [Region],
    distances: &'a [Distance],
    pos: &'a [Pt],
    scale: f64,
    size: f64,
}

/// The centre of a region's nodes.
fn centroid(r: &Region, pos: &[Pt]) -> Pt {
    let n = r.nodes.len().max(1) as f64;
    let (x, y) = r.nodes.iter().fold((0.0, 0.0), |(x, y), i| {
        (x + pos[usize::from(*i)].x, y + pos[usize::from(*i)].y)
    });
    Pt { x: x / n, y: y / n }
}

/// Regions as wide bands behind their nodes, each named (inside a band of several nodes, under
/// a lone node), and the one-way latency between each two halfway between them.
fn regions_layer(p: &RegionsProps) -> Html {
    let band = 2.0 * (NODE_R * p.scale + 14.0);
    let fs = f1(p.size);
    let areas: Html = p
        .regions
        .iter()
        .map(|r| {
            let mut d = String::new();
            for (i, n) in r.nodes.iter().enumerate() {
                let at = p.pos[usize::from(*n)];
                d.push_str(if i == 0 { "M" } else { " L" });
                d.push_str(&format!("{} {}", f1(at.x), f1(at.y)));
            }
            if r.nodes.len() == 1 {
                d.push_str(" l0.1 0");
            }
            let c = centroid(r, p.pos);
            let y = if r.nodes.len() == 1 {
                c.y + NODE_R * p.scale + 8.0 + p.size
            } else {
                c.y + p.size * 0.35
            };
            html! {
                <g class="region" data-testid="region" data-nodes={r.nodes.len().to_string()}>
                    <path d={d} stroke-width={f1(band)} />
                    <text class="region-label" x={f1(c.x)} y={f1(y)} font-size={fs.clone()}>{ &r.name }</text>
                </g>
            }
        })
        .collect();
    let distances: Html = p
        .distances
        .iter()
        .map(|d| {
            let (a, b) = (
                centroid(&p.regions[d.a], p.pos),
                centroid(&p.regions[d.b], p.pos),
            );
            let title = format!(
                "one-way latency between {} and {}: {}",
                p.regions[d.a].name, p.regions[d.b].name, d.text
            );
            html! {
                <text class="distance" data-testid="distance" x={f1((a.x + b.x) / 2.0)}
                      y={f1((a.y + b.y) / 2.0 + p.size * 0.35)} font-size={fs.clone()}>
                    <title>{ title }</title>{ format!("↔ {}", d.text) }
                </text>
            }
        })
        .collect();
    html! { <g class="regions">{ areas }{ distances }</g> }
}

/// Every link pair of the run.
fn links(sim: &Sim, pos: &[Pt], dispatch: &UseReducerDispatcher<Page>) -> Html {
    let count = sim.node_count();
    let links = (0..count).flat_map(|a| (a + 1..count).map(move |b| (a, b)));
    links
        .map(|(a, b)| {
            link::link(
                sim,
                a,
                b,
                pos[usize::from(a)],
                pos[usize::from(b)],
                dispatch,
            )
        })
        .collect()
}

/// The clock, where latency is what the stage shows (`shown`): t = 1234 ms, top left.
fn stage_clock(shown: bool, clock: f64, text: StageText) -> Html {
    if !shown {
        return html! {};
    }
    html! {
        <text class="stage-clock" data-testid="stage-clock" x="8" y={f1(text.small() + 4.0)}
              font-size={f1(text.small())}>
            { format!("t = {} ms", clock.floor().max(0.0) as u64) }
        </text>
    }
}

#[function_component(Stage)]
pub fn stage(p: &StageProps) -> Html {
    let svg_ref = use_node_ref();
    let (px_w, px_h) = use_size(svg_ref.clone());
    let lab = &p.lab;
    let Some(run) = lab.runs.get(p.run) else {
        return html! {};
    };
    let t = run.timeline.borrow();
    let sim = t.sim();
    let scenario = t.scenario();
    let count = sim.node_count();
    let pos = layout(count);
    let text = StageText::new(px_w, px_h, lab.flags.present);
    let node_text = text.node(node_scale(count));
    let dispatch = lab.dispatcher();
    let links = links(sim, &pos, &dispatch);
    let nodes: Html = (0..count)
        .map(|n| {
            node::node(
                sim,
                scenario.case,
                n,
                pos[usize::from(n)],
                (lab.versions, node_text),
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
    let (regions, distances) = regions(sim, &scenario.name);
    let clock = stage_clock(!regions.is_empty(), lab.dial(), text);
    let wire = lab.wire(p.run);
    let at = click_points(lab, p.run, sim, &pos, p.reduced_motion);
    html! {
        <figure class="stage-wrap">
            <figcaption class="stage-title">{ crate::lessons::stage_title(lab.lesson.as_ref().map(|l| l.lesson.id), scenario.mode) }</figcaption>
            <MessageLayer frame={wire.clone()} svg={svg_ref.clone()} run={p.run} canvases={lab.canvases()} />
            <svg ref={svg_ref} class="stage" data-testid={format!("stage-{}", p.run)} data-events={t.events().to_string()}
                 viewBox={format!("0 0 {WIDTH} {HEIGHT}")} role="group" aria-label={label}>
                { regions_layer(&RegionsProps { regions: &regions, distances: &distances, pos: &pos, scale: node_scale(count), size: text.small() }) }
                { clock }
                <g class="links" font-size={f1(text.small().max(20.0))}>{ links }</g>
                { messages::marks(&wire) }
                { clients::on_stage(sim, &pos, lab.clock, text) }
                <g class="nodes">{ nodes }</g>
                { inspector::marks(lab, p.run, &pos, &at, &dispatch) }
            </svg>
            { node::menu(sim, (p.run, lab.menu.filter(|_| lab.menu_run == p.run)), &pos, &dispatch) }
            if p.run == 0 { { sign(lab.sign(), &dispatch) } }
        </figure>
    }
}
