//! Messages in flight, each a small shape (by kind: colour and shape) moving along its link at
//! the fractional display clock; doomed ones die at the cut (✕ at the midpoint).
//!
//! Hundreds of messages can be in flight (nine nodes), so they are not one element each: every
//! message of one kind and one state (flying, doomed, held) is a subpath of ONE `<path>`, whose
//! `d` is built in one `String` per frame (an absolute move to the message's point, then the
//! kind's shape in relative commands). A frame then changes a few dozen attributes instead of
//! hundreds of elements. Each path says how many messages it draws in `data-n`; the group says
//! how many in all in `data-drawn`.

use yew::prelude::*;

use super::stage::{push_f1, push_u64, Pt, NODE_R};
use crate::sim::action::Flight;
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

const LOOKS: [Look; 3] = [Look::Flying, Look::Doomed, Look::Held];

impl Look {
    fn class(self) -> Option<&'static str> {
        match self {
            Look::Flying => None,
            Look::Doomed => Some("doomed"),
            Look::Held => Some("held"),
        }
    }
}

/// The kind's shape around its centre, in relative path commands (drawn 1.3× the legend's
/// 10-unit design size), and its class: `hollow` (the replies and heartbeats, outlined) or
/// `dot` (the acks, the most numerous kind: a zero-length line with a round cap 13 wide, which
/// is a filled circle in a quarter of the characters).
pub fn shape(kind: MsgKind) -> (&'static str, Option<&'static str>) {
    match kind {
        MsgKind::Ack => ("h0", Some("dot")),
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

/// Appends "M x y" and a shape's relative commands to a path.
fn push_at(d: &mut String, p: Pt, shape: &str) {
    d.push('M');
    push_f1(d, p.x);
    d.push(' ');
    push_f1(d, p.y);
    d.push_str(shape);
}

/// The paths of one frame: one `d` per (kind, look), the crosses of messages dying now and of
/// those that died recently, and how many shapes each holds.
#[derive(Debug, Default, PartialEq)]
pub struct Frame {
    /// Indexed by `kind index * 3 + look index`.
    pub paths: Vec<(String, u32)>,
    pub dying: (String, u32),
    pub dropped: (String, u32),
}

impl Frame {
    /// Message shapes drawn (not counting crosses).
    pub fn drawn(&self) -> u32 {
        self.paths.iter().map(|(_, n)| n).sum()
    }
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
        paths: vec![(String::new(), 0); KINDS.len() * LOOKS.len()],
        ..Frame::default()
    };
    let node = |n: u8| pos.get(usize::from(n)).copied();
    for m in flights.iter().filter(|m| m.from != m.to) {
        let (Some(a), Some(b)) = (node(m.from), node(m.to)) else {
            continue;
        };
        let span = m.deliver.saturating_sub(m.sent).max(1) as f64;
        let mut f = ((clock - m.sent as f64) / span).clamp(0.0, 1.0);
        if m.held {
            f = 0.9;
        } else if reduced_motion {
            f = if f < 0.5 { 0.25 } else { 0.75 };
        }
        if m.doomed && !m.held && f >= 0.5 {
            push_at(&mut out.dying.0, along(a, b, 0.5, 0.0), CROSS);
            out.dying.1 += 1;
            continue;
        }
        let look = match (m.held, m.doomed) {
            (true, _) => Look::Held,
            (false, true) => Look::Doomed,
            (false, false) => Look::Flying,
        };
        let k = KINDS.iter().position(|k| *k == m.kind).unwrap_or(0);
        let l = LOOKS.iter().position(|x| *x == look).unwrap_or(0);
        let slot = &mut out.paths[k * LOOKS.len() + l];
        push_at(&mut slot.0, along(a, b, f, 7.0), shape(m.kind).0);
        slot.1 += 1;
    }
    let now = clock as Tick;
    for d in drops
        .iter()
        .filter(|d| d.from != d.to && d.tick <= now && now - d.tick < DROP_MARK_TICKS)
    {
        if let (Some(a), Some(b)) = (node(d.from), node(d.to)) {
            push_at(&mut out.dropped.0, along(a, b, 0.5, 0.0), CROSS);
            out.dropped.1 += 1;
        }
    }
    out
}

fn count_attr(n: u32) -> String {
    let mut s = String::new();
    push_u64(&mut s, u64::from(n));
    s
}

/// Every message on the wire, plus marks for those that died recently.
pub fn messages(sim: &Sim, pos: &[Pt], clock: f64, reduced_motion: bool) -> Html {
    let fr = frame(
        &sim.in_flight(),
        sim.recent_drops(),
        pos,
        clock,
        reduced_motion,
    );
    let drawn = count_attr(fr.drawn());
    let shapes: Html = fr
        .paths
        .into_iter()
        .enumerate()
        .filter(|(_, (_, n))| *n > 0)
        .map(|(i, (d, n))| {
            let kind = KINDS[i / LOOKS.len()];
            let look = LOOKS[i % LOOKS.len()];
            html! {
                <g class={classes!("msg", msg_class(kind), look.class())} data-n={count_attr(n)}>
                    <path class={shape(kind).1} d={d} />
                </g>
            }
        })
        .collect();
    let crosses = |(d, n): (String, u32), class: &'static str| {
        if n == 0 {
            return html! {};
        }
        html! { <path class={class} data-n={count_attr(n)} d={d} /> }
    };
    html! {
        <g class="messages" aria-hidden="true" data-drawn={drawn}>
            { crosses(fr.dropped, "drop-marks old") }
            { shapes }
            { crosses(fr.dying, "drop-marks") }
        </g>
    }
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
