//! Messages in flight, each a small shape (by kind: colour and shape) moving along its link at
//! the fractional display clock; doomed ones die at the cut (✕ at the midpoint).
//!
//! Hundreds of messages can be in flight (nine nodes), so they are not one element each: every
//! message of one kind and one state (flying, doomed, held) is a subpath of ONE path, whose `d`
//! is built in one `String` per frame (an absolute move to the message's point, then the kind's
//! shape in relative commands). The paths are painted on a canvas under the stage's SVG (see
//! [`super::layer`]); the SVG keeps the crosses of dying messages and, for tests and exact-frame
//! comparisons, the count of shapes (`data-drawn`) and a digest of every path (`data-frame`).
//! An exported stage SVG gets the paths themselves ([`svg_paths`]).

use yew::prelude::*;

use super::stage::{push_f1, push_u64, Pt, NODE_R};
use crate::sim::action::{Flight, MsgId};
use crate::sim::types::{MsgKind, Tick};
use crate::sim::world::Sim;

/// How long (ticks) a drop mark stays.
const DROP_MARK_TICKS: Tick = 40;

/// Every kind, in drawing order (later ones on top).
pub const KINDS: [MsgKind; 12] = [
    MsgKind::Heartbeat,
    MsgKind::Replicate,
    MsgKind::Ack,
    MsgKind::Vote,
    MsgKind::VoteReply,
    MsgKind::Read,
    MsgKind::ReadReply,
    MsgKind::ReadRepair,
    MsgKind::Sync,
    MsgKind::Hint,
    MsgKind::Forward,
    MsgKind::ForwardReply,
];

/// A message's state on the wire; each has its own look (opacity) and its own path per kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Look {
    Flying,
    Doomed,
    Held,
}

pub const LOOKS: [Look; 3] = [Look::Flying, Look::Doomed, Look::Held];

impl Look {
    fn class(self) -> Option<&'static str> {
        match self {
            Look::Flying => None,
            Look::Doomed => Some("doomed"),
            Look::Held => Some("held"),
        }
    }

    /// Its opacity (the same as the `.msg.doomed` / `.msg.held` rules of an exported SVG).
    pub fn alpha(self) -> f64 {
        match self {
            Look::Flying => 1.0,
            Look::Doomed => 0.55,
            Look::Held => 0.7,
        }
    }
}

/// The kind's shape around its centre, in relative path commands (drawn 1.3× the legend's
/// 10-unit design size), and its class: `hollow` for the replies and heartbeats (outlined).
pub fn shape(kind: MsgKind) -> (&'static str, Option<&'static str>) {
    match kind {
        MsgKind::VoteReply | MsgKind::Heartbeat | MsgKind::ReadReply | MsgKind::ForwardReply => {
            (outline(kind), Some("hollow"))
        }
        _ => (outline(kind), None),
    }
}

/// The outline of a kind's shape (see [`shape`]).
fn outline(kind: MsgKind) -> &'static str {
    const CIRCLE_4: &str = "m-4.5 0a4.5 4.5 0 1 0 9 0a4.5 4.5 0 1 0-9 0z";
    const TRIANGLE: &str = "m0-9.1l7.8 15.6h-15.6z";
    const ARROW: &str = "m-7.8-7.8l15.6 7.8l-15.6 7.8l5.2-7.8z";
    match kind {
        MsgKind::Replicate => "m-6.5-6.5h13v13h-13z",
        MsgKind::Ack => "m-6.5 0a6.5 6.5 0 1 0 13 0a6.5 6.5 0 1 0-13 0z",
        MsgKind::Vote => "m0-9.1l9.1 9.1l-9.1 9.1l-9.1-9.1z",
        MsgKind::VoteReply => "m0-7.8l7.8 7.8l-7.8 7.8l-7.8-7.8z",
        MsgKind::Heartbeat => CIRCLE_4,
        MsgKind::Read | MsgKind::ReadRepair => TRIANGLE,
        MsgKind::ReadReply => "m0 7.8l7.8-14.3h-15.6z",
        MsgKind::Sync => {
            "m-3.9-5.2h7.8a3.9 3.9 0 0 1 3.9 3.9v2.6a3.9 3.9 0 0 1-3.9 3.9h-7.8\
             a3.9 3.9 0 0 1-3.9-3.9v-2.6a3.9 3.9 0 0 1 3.9-3.9z"
        }
        MsgKind::Hint => {
            "m0-9.1l2.6 6.5l6.5 0l-5.2 5.2l1.3 6.5l-5.2-3.9l-5.2 3.9l1.3-6.5l-5.2-5.2l6.5 0z"
        }
        MsgKind::Forward | MsgKind::ForwardReply => ARROW,
    }
}

/// A cross of half-size 5 (a message that died), in relative commands from its centre.
const CROSS: &str = "m-5-5l10 10m0-10l-10 10";

/// Where a message between `a` and `b` is at fraction `f`, offset to its direction's side.
fn along(a: Pt, b: Pt, f: f64, side: f64) -> Pt {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let (ux, uy) = (dx / len, dy / len);
    let start = Pt {
        x: a.x + ux * NODE_R,
        y: a.y + uy * NODE_R,
    };
    let span = len - 2.0 * NODE_R;
    Pt {
        x: start.x + ux * span * f - uy * side,
        y: start.y + uy * span * f + ux * side,
    }
}

/// A path drawing `shape` (relative commands) at every point: "M x y" and the shape, each.
pub fn path_at(points: &[Pt], shape: &str) -> String {
    let mut d = String::with_capacity(points.len() * (shape.len() + 12));
    for p in points {
        d.push('M');
        push_f1(&mut d, p.x);
        d.push(' ');
        push_f1(&mut d, p.y);
        d.push_str(shape);
    }
    d
}

/// Where every message of one frame is: by kind and look, and the crosses of messages dying now
/// and of those that died recently.
#[derive(Debug, Default, PartialEq)]
pub struct Frame {
    /// Indexed by [`slot`]`(kind, look)`.
    pub at: Vec<Vec<Pt>>,
    pub dying: Vec<Pt>,
    pub dropped: Vec<Pt>,
    /// Every shape's path from where it starts to where it stops (see [`Track`]), in the order
    /// the messages were sent: a worker moves each along its own (see `layer::Offscreen`).
    pub tracks: Vec<Track>,
    /// The display clock the frame is at, and how fast it moves (ticks per wall-clock ms; 0
    /// while paused).
    pub clock: f64,
    pub rate: f64,
}

/// Where a message shape goes while the clock moves on: from `from` at tick `t0` to `to` at
/// `t1`, in a straight line at a steady pace (a held or reduced-motion one stands still:
/// `from == to`). It changes only when the message's state does (sent, held, past the middle
/// of a cut link, delivered), so the page can hand it over once and let the browser move it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Track {
    pub id: MsgId,
    pub kind: MsgKind,
    pub look: Look,
    pub from: Pt,
    pub to: Pt,
    pub t0: f64,
    pub t1: f64,
}

/// The index of a kind and look in [`Frame::at`].
pub fn slot(kind: MsgKind, look: Look) -> usize {
    let k = KINDS.iter().position(|k| *k == kind).unwrap_or(0);
    let l = LOOKS.iter().position(|x| *x == look).unwrap_or(0);
    k * LOOKS.len() + l
}

impl Frame {
    /// Whether the two frames draw the same crosses and as many shapes (the SVG's part of a
    /// frame: what differs otherwise is only where shapes are on the canvas).
    pub fn crosses_as(&self, o: &Frame) -> bool {
        self.dying == o.dying && self.dropped == o.dropped && self.drawn() == o.drawn()
    }

    /// Message shapes drawn (not counting crosses).
    pub fn drawn(&self) -> u32 {
        self.at.iter().map(|v| v.len() as u32).sum()
    }

    /// The kinds and looks with messages, with their points, in drawing order.
    pub fn groups(&self) -> impl Iterator<Item = (MsgKind, Look, &[Pt])> {
        self.at
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.is_empty())
            .map(|(i, v)| (KINDS[i / LOOKS.len()], LOOKS[i % LOOKS.len()], v.as_slice()))
    }
}

/// Where one message is drawn.
enum Placed {
    At(Pt, Look),
    /// A doomed message past the middle: a cross at the middle.
    Dying(Pt),
}

/// Where message `m` is at display time `clock` (`None`: not drawn, e.g. a node's message to
/// itself).
fn place(m: &Flight, pos: &[Pt], clock: f64, reduced_motion: bool) -> Option<Placed> {
    let a = *pos.get(usize::from(m.from))?;
    let b = *pos.get(usize::from(m.to))?;
    if m.from == m.to {
        return None;
    }
    let span = m.deliver.saturating_sub(m.sent).max(1) as f64;
    let mut f = ((clock - m.sent as f64) / span).clamp(0.0, 1.0);
    if m.held {
        f = 0.9;
    } else if reduced_motion {
        f = if f < 0.5 { 0.25 } else { 0.75 };
    }
    if m.doomed && !m.held && f >= 0.5 {
        return Some(Placed::Dying(along(a, b, 0.5, 0.0)));
    }
    let look = match (m.held, m.doomed) {
        (true, _) => Look::Held,
        (false, true) => Look::Doomed,
        (false, false) => Look::Flying,
    };
    Some(Placed::At(along(a, b, f, 7.0), look))
}

/// The track of message `m`, drawn at `at` in `look` (see [`place`]): a held message, or any
/// with reduced motion, stands still there; a flying one crosses its link, a doomed one goes to
/// the middle, where it dies.
fn track(m: &Flight, at: Pt, look: Look, pos: &[Pt], reduced_motion: bool) -> Option<Track> {
    let (a, b) = (*pos.get(usize::from(m.from))?, *pos.get(usize::from(m.to))?);
    let span = m.deliver.saturating_sub(m.sent).max(1) as f64;
    let t0 = m.sent as f64;
    let (from, to, t1) = match (look, reduced_motion) {
        (Look::Held, _) | (_, true) => (at, at, t0),
        (Look::Doomed, false) => (
            along(a, b, 0.0, 7.0),
            along(a, b, 0.5, 7.0),
            t0 + span / 2.0,
        ),
        (Look::Flying, false) => (along(a, b, 0.0, 7.0), along(a, b, 1.0, 7.0), t0 + span),
    };
    Some(Track {
        id: m.id,
        kind: m.kind,
        look,
        from,
        to,
        t0,
        t1,
    })
}

/// Each message drawn at `clock` (not the dying crosses), with its id: where a click finds it.
pub fn positions(sim: &Sim, pos: &[Pt], clock: f64, reduced_motion: bool) -> Vec<(MsgId, Pt)> {
    sim.in_flight()
        .iter()
        .filter_map(|m| match place(m, pos, clock, reduced_motion)? {
            Placed::At(at, _) => Some((m.id, at)),
            Placed::Dying(_) => None,
        })
        .collect()
}

/// Where each message is at display time `clock`: `reduced_motion` puts it at a quarter or
/// three quarters of the way (no gliding); a held message waits near its destination; a doomed
/// one past the middle is a cross at the middle.
pub fn frame(
    flights: &[Flight],
    drops: &[crate::sim::action::Dropped],
    pos: &[Pt],
    clock: f64,
    reduced_motion: bool,
) -> Frame {
    let mut out = Frame {
        at: vec![Vec::new(); KINDS.len() * LOOKS.len()],
        clock,
        ..Frame::default()
    };
    let node = |n: u8| pos.get(usize::from(n)).copied();
    for m in flights {
        match place(m, pos, clock, reduced_motion) {
            Some(Placed::Dying(at)) => out.dying.push(at),
            Some(Placed::At(at, look)) => {
                out.at[slot(m.kind, look)].push(at);
                out.tracks.extend(track(m, at, look, pos, reduced_motion));
            }
            None => {}
        }
    }
    let now = clock as Tick;
    for d in drops
        .iter()
        .filter(|d| d.from != d.to && d.tick <= now && now - d.tick < DROP_MARK_TICKS)
    {
        if let (Some(a), Some(b)) = (node(d.from), node(d.to)) {
            out.dropped.push(along(a, b, 0.5, 0.0));
        }
    }
    out
}

fn count_attr(n: u32) -> String {
    let mut s = String::new();
    push_u64(&mut s, u64::from(n));
    s
}

/// Every message on the wire at `clock`, as [`frame`] places them.
pub fn on_the_wire(sim: &Sim, pos: &[Pt], clock: f64, reduced_motion: bool) -> Frame {
    frame(
        &sim.in_flight(),
        sim.recent_drops(),
        pos,
        clock,
        reduced_motion,
    )
}

/// A 64-bit FNV-1a digest of every point of the frame, to a tenth of a unit (hex): two frames
/// with the same digest draw the same shapes at the same points.
pub fn digest(fr: &Frame) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |v: i64| {
        for b in v.to_le_bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    };
    for points in fr.at.iter().chain([&fr.dying, &fr.dropped]) {
        for p in points {
            eat((p.x * 10.0).round() as i64);
            eat((p.y * 10.0).round() as i64);
        }
        eat(i64::MIN); // a group ends
    }
    let mut s = String::with_capacity(16);
    for i in (0..16).rev() {
        s.push(char::from(
            b"0123456789abcdef"[((h >> (i * 4)) & 0xf) as usize],
        ));
    }
    s
}

/// The SVG side of a frame: the crosses of messages that die now or died recently (over the
/// canvas the shapes are painted on), the number of shapes and the frame's digest.
pub fn marks(fr: &Frame) -> Html {
    let crosses = |at: &[Pt], class: &'static str| {
        if at.is_empty() {
            return html! {};
        }
        html! { <path class={class} data-n={count_attr(at.len() as u32)} d={path_at(at, CROSS)} /> }
    };
    html! {
        <g class="messages" aria-hidden="true" data-drawn={count_attr(fr.drawn())} data-frame={digest(fr)}>
            { crosses(&fr.dropped, "drop-marks old") }
            { crosses(&fr.dying, "drop-marks") }
        </g>
    }
}

/// The frame's shapes as SVG elements, for an exported stage (the page paints them on a canvas,
/// which a saved SVG would not hold). Built from numbers and fixed names only.
pub fn svg_paths(fr: &Frame) -> String {
    let mut out = String::new();
    for (kind, look, at) in fr.groups() {
        out.push_str("<g class=\"msg ");
        out.push_str(msg_class(kind));
        if let Some(c) = look.class() {
            out.push(' ');
            out.push_str(c);
        }
        out.push_str("\" data-n=\"");
        push_u64(&mut out, at.len() as u64);
        out.push_str("\"><path class=\"");
        out.push_str(shape(kind).1.unwrap_or("solid"));
        out.push_str("\" d=\"");
        out.push_str(&path_at(at, shape(kind).0));
        out.push_str("\"/></g>");
    }
    out
}

/// The class of a kind's colour (`msg-replicate`, …).
fn msg_class(kind: MsgKind) -> &'static str {
    match kind {
        MsgKind::Forward => "msg-forward",
        MsgKind::ForwardReply => "msg-forward-reply",
        MsgKind::Replicate => "msg-replicate",
        MsgKind::Ack => "msg-ack",
        MsgKind::Heartbeat => "msg-heartbeat",
        MsgKind::Vote => "msg-vote",
        MsgKind::VoteReply => "msg-vote-reply",
        MsgKind::Read => "msg-read",
        MsgKind::ReadReply => "msg-read-reply",
        MsgKind::ReadRepair => "msg-read-repair",
        MsgKind::Sync => "msg-sync",
        MsgKind::Hint => "msg-hint",
    }
}

/// The legend: each kind's shape (the very path the stage draws) and name. A component without
/// props, so that it is drawn once, not on every frame.
pub fn legend() -> Html {
    html! { <Legend /> }
}

#[function_component(Legend)]
fn legend_list() -> Html {
    let kinds = [
        MsgKind::Replicate,
        MsgKind::Ack,
        MsgKind::Heartbeat,
        MsgKind::Vote,
        MsgKind::Read,
        MsgKind::ReadRepair,
        MsgKind::Forward,
        MsgKind::Sync,
        MsgKind::Hint,
    ];
    let items: Html = kinds
        .iter()
        .map(|k| {
            let (rel, class) = shape(*k);
            let mut d = String::from("M0 0");
            d.push_str(rel);
            html! {
                <li>
                    <svg class="legend-shape" viewBox="-10 -10 20 20" aria-hidden="true">
                        <g class={classes!("msg", msg_class(*k))}>
                            <path {class} d={d} />
                        </g>
                    </svg>
                    { k.as_str() }
                </li>
            }
        })
        .collect();
    html! { <ul class="legend" aria-label="message kinds">{ items }<li><span class="drop">{ "✕" }</span>{ "dropped" }</li></ul> }
}
