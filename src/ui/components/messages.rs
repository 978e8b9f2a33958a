//! Messages in flight, each a small shape (by kind: colour and shape) moving along its link at
//! the fractional display clock; doomed ones die at the cut (✕ at the midpoint).

use yew::prelude::*;

use super::stage::{f1, Pt, NODE_R};
use crate::sim::types::{MsgKind, Tick};
use crate::sim::world::Sim;

/// How long (ticks) a drop mark stays.
const DROP_MARK_TICKS: Tick = 40;

fn shape(kind: MsgKind) -> Html {
    match kind {
        MsgKind::Replicate => html! { <rect x="-5" y="-5" width="10" height="10" /> },
        MsgKind::Ack => html! { <circle r="5" /> },
        MsgKind::Vote => html! { <polygon points="0,-7 7,0 0,7 -7,0" /> },
        MsgKind::VoteReply => html! { <polygon class="hollow" points="0,-6 6,0 0,6 -6,0" /> },
        MsgKind::Heartbeat => html! { <circle class="hollow" r="3.5" /> },
        MsgKind::Read => html! { <polygon points="0,-7 6,5 -6,5" /> },
        MsgKind::ReadReply => html! { <polygon class="hollow" points="0,6 6,-5 -6,-5" /> },
        MsgKind::ReadRepair => html! { <polygon points="0,-7 6,5 -6,5" class="repair" /> },
        MsgKind::Sync => html! { <rect x="-6" y="-4" width="12" height="8" rx="3" /> },
        MsgKind::Hint => {
            html! { <polygon points="0,-7 2,-2 7,-2 3,2 4,7 0,4 -4,7 -3,2 -7,-2 -2,-2" /> }
        }
        MsgKind::Forward => html! { <polygon points="-6,-6 6,0 -6,6 -2,0" /> },
        MsgKind::ForwardReply => html! { <polygon class="hollow" points="-6,-6 6,0 -6,6 -2,0" /> },
    }
}

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

/// Every message on the wire, plus marks for those that died recently.
pub fn messages(sim: &Sim, pos: &[Pt], clock: f64, reduced_motion: bool) -> Html {
    let flights = sim.in_flight();
    let shapes: Html = flights
        .iter()
        .filter(|m| m.from != m.to)
        .map(|m| {
            let (a, b) = (pos[usize::from(m.from)], pos[usize::from(m.to)]);
            let span = m.deliver.saturating_sub(m.sent).max(1) as f64;
            let mut f = ((clock - m.sent as f64) / span).clamp(0.0, 1.0);
            if m.held {
                f = 0.9;
            } else if reduced_motion {
                f = if f < 0.5 { 0.25 } else { 0.75 };
            }
            if m.doomed && f >= 0.5 {
                let p = along(a, b, 0.5, 0.0);
                return html! { <text class="drop" x={f1(p.x)} y={f1(p.y + 5.0)}>{ "✕" }</text> };
            }
            let p = along(a, b, f, 7.0);
            html! {
                <g class={classes!("msg", format!("msg-{}", m.kind.as_str()), m.doomed.then_some("doomed"), m.held.then_some("held"))}
                   transform={format!("translate({} {}) scale(1.3)", f1(p.x), f1(p.y))}>
                    { shape(m.kind) }
                </g>
            }
        })
        .collect();
    let now = clock as Tick;
    let drops: Html = sim
        .recent_drops()
        .iter()
        .filter(|d| d.from != d.to && d.tick <= now && now - d.tick < DROP_MARK_TICKS)
        .map(|d| {
            let p = along(pos[usize::from(d.from)], pos[usize::from(d.to)], 0.5, 0.0);
            html! { <text class="drop old" x={f1(p.x)} y={f1(p.y + 5.0)}>{ "✕" }</text> }
        })
        .collect();
    html! { <g class="messages" aria-hidden="true">{ drops }{ shapes }</g> }
}

/// The legend: each kind's shape and name.
pub fn legend() -> Html {
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
            html! {
                <li>
                    <svg class="legend-shape" viewBox="-8 -8 16 16" aria-hidden="true">
                        <g class={classes!("msg", format!("msg-{}", k.as_str()))}>{ shape(*k) }</g>
                    </svg>
                    { k.as_str() }
                </li>
            }
        })
        .collect();
    html! { <ul class="legend" aria-label="message kinds">{ items }<li><span class="drop">{ "✕" }</span>{ "dropped" }</li></ul> }
}
