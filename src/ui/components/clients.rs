//! Clients: drawn near their node on the stage (name, a request on its way, the last answer as
//! a badge), and as cards with the case's operation buttons and a consistency selector.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use super::stage::{client_distance, f1, node_scale, outward, Pt, NODE_R};
use crate::app::stage::{inside, text_width, Anchor, StageText, VIEW_H};
use crate::app::still::Dials;
use crate::sim::timeline::Timeline;
use crate::sim::types::{node_name, Case, Consistency, OpId, OpKind, OpRecord, Outcome};
use crate::sim::world::Sim;
use crate::ui::fmt;
use crate::ui::state::{Msg, Page};

/// The client's latest op (pending or finished).
fn last_op(sim: &Sim, client: u8) -> Option<&OpRecord> {
    sim.history().iter().rev().find(|o| o.client == client)
}

/// What one client on the stage shows; redrawn only when it changes.
#[derive(Properties, PartialEq)]
struct MarkProps {
    name: String,
    /// Where the client stands.
    p: Pt,
    anchor: &'static str,
    icon_x: f64,
    /// The name's and the badge's font sizes, in user units.
    sizes: (f64, f64),
    /// The last answer: its outcome slug and words, and how far it is moved sideways to stay
    /// inside the stage.
    badge: Option<(&'static str, String)>,
    badge_dx: f64,
    /// A pending request: where its dot is, and where the line to the node ends.
    travel: Option<(Pt, Pt)>,
}

/// Where a client's label stands so that all of it (icon, name, badge) lies inside the stage:
/// `p` moved as little as needed. `extent` is the label's left and right end relative to `p`.
fn kept_inside(p: Pt, (left, right): (f64, f64), (name, badge): (f64, f64)) -> Pt {
    let x = inside(p.x + left, Anchor::Start, right - left) - left;
    let top = name + 4.0;
    let bottom = (VIEW_H - badge * 1.5 - 8.0).max(top);
    Pt {
        x,
        y: p.y.clamp(top, bottom),
    }
}

/// How many ticks a client's request is drawn travelling to its node.
pub const TRAVEL_TICKS: f64 = 2.0;

/// Clients on the stage, outside their node, with labels of the stage's `text` sizes.
pub fn on_stage(sim: &Sim, pos: &[Pt], clock: f64, text: StageText) -> Html {
    let sizes = (text.client(), text.small());
    let count = sim.node_count();
    let mut per_node = vec![0usize; pos.len()];
    sim.clients()
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let at = pos[usize::from(c.node)];
            let k = per_node[usize::from(c.node)];
            per_node[usize::from(c.node)] += 1;
            let out = outward(at, count);
            let dist = client_distance(count) + 34.0 * k as f64;
            let op = last_op(sim, i as u8);
            // Labels grow away from the node: right of nodes on the right, left on the left.
            let name_w = text_width(&c.name, sizes.0);
            let badge = op.map(|o| (fmt::outcome_slug(o), crate::app::history::badge(o)));
            let badge_w = badge.as_ref().map_or(0.0, |(slug, b)| {
                text_width(fmt::outcome_icon(slug), sizes.1) + text_width(b, sizes.1) + sizes.1 * 0.3
            });
            let icon = sizes.0 * 12.0 / 14.0;
            // The name (with its icon) and the badge under it are each kept inside the stage:
            // the badge moves on its own, so that the name does not slide under the node.
            let (anchor, icon_x, extent, badge_left) = if out.x > 0.3 {
                ("anchor-start", -icon, (-icon - 8.0, name_w), 0.0)
            } else if out.x < -0.3 {
                ("anchor-end", -name_w - icon, (-name_w - icon - 8.0, 0.0), -badge_w)
            } else {
                let w = name_w / 2.0 + icon + 8.0;
                ("anchor-middle", -name_w / 2.0 - icon, (-w, w), -badge_w / 2.0)
            };
            let p = kept_inside(
                Pt {
                    x: at.x + out.x * dist,
                    y: at.y + out.y * dist,
                },
                extent,
                sizes,
            );
            let badge_dx = inside(p.x + badge_left, Anchor::Start, badge_w) - (p.x + badge_left);
            // A pending request travels to the node during its first ticks, then waits there.
            let travel = op.filter(|o| o.outcome().is_none()).map(|o| {
                let f = ((clock - o.invoke as f64) / TRAVEL_TICKS).clamp(0.0, 1.0);
                let q = Pt {
                    x: p.x + (at.x - p.x) * f * 0.7,
                    y: p.y + (at.y - p.y) * f * 0.7,
                };
                let r = NODE_R * node_scale(count);
                (
                    q,
                    Pt {
                        x: at.x - out.x * r,
                        y: at.y - out.y * r,
                    },
                )
            });
            html! {
                <ClientMark key={i} name={c.name.clone()} {p} {anchor} {icon_x} {sizes} {badge} {badge_dx} {travel} />
            }
        })
        .collect()
}

#[function_component(ClientMark)]
fn client_mark(m: &MarkProps) -> Html {
    let (p, anchor, (name_size, badge_size)) = (m.p, m.anchor, m.sizes);
    let badge = match &m.badge {
        Some((slug, label)) => html! {
            <g class={classes!("badge", format!("badge-{slug}"), anchor)}
               transform={format!("translate({} {})", f1(m.badge_dx), f1(badge_size * 1.5))}>
                <text font-size={f1(badge_size)}>
                    { fmt::outcome_icon(slug) }{ " " }{ label }
                </text>
            </g>
        },
        None => html! {},
    };
    let travel = match m.travel {
        Some((q, end)) => html! {
            <g class="request">
                <line x1={f1(p.x)} y1={f1(p.y)} x2={f1(end.x)} y2={f1(end.y)} />
                <circle cx={f1(q.x)} cy={f1(q.y)} r="4" />
            </g>
        },
        None => html! {},
    };
    html! {
        <g class="client-mark">
            { travel }
            <g transform={format!("translate({} {})", f1(p.x), f1(p.y))}>
                <g class="client-body">
                    <g class="client-icon" aria-hidden="true"
                       transform={format!("translate({} {}) scale({})", f1(m.icon_x), f1(-name_size * 5.0 / 14.0), f1(name_size / 14.0))}>
                        <circle cy="-5" r="4.5" />
                        <path d="M-7 9 a7 7 0 0 1 14 0 z" />
                    </g>
                    <text class={classes!("client-name", anchor)} font-size={f1(name_size)}>{ &m.name }</text>
                    { badge }
                </g>
            </g>
        </g>
    }
}

fn op_kinds(case: Case) -> Vec<OpKind> {
    case.op_kinds()
        .iter()
        .copied()
        .filter(|k| *k != OpKind::Transfer)
        .collect()
}

fn op_button_label(kind: OpKind, amount: Option<i64>) -> String {
    use crate::sim::reader::amount_of;
    match kind {
        OpKind::Deposit | OpKind::Withdraw => {
            format!("{} {}", kind.as_str(), amount_of(kind, amount))
        }
        OpKind::Like => "♥ like".into(),
        k => k.as_str().into(),
    }
}

moment_props!(CardsProps, Dials);

/// What the cards show, compared cheaply: a frame that changes none of it (the clock moved, no
/// client's latest op changed) does not redraw them.
#[derive(Properties, Clone)]
struct CardsView {
    /// The run drawn (compared by identity: a rebuilt run is a new one).
    timeline: Rc<RefCell<Timeline>>,
    /// The lab's `edits` (a reader's action can change what an op id stands for).
    edits: u64,
    /// Per client: its latest op and whether it finished.
    latest: Vec<Option<(OpId, bool)>>,
    amount: Option<i64>,
    consistency: Vec<Consistency>,
    dispatch: UseReducerDispatcher<Page>,
}

impl PartialEq for CardsView {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.timeline, &o.timeline)
            && self.edits == o.edits
            && self.latest == o.latest
            && self.amount == o.amount
            && self.consistency == o.consistency
            && self.dispatch == o.dispatch
    }
}

/// One card per client: `Alice @ n1`, the operation buttons, the consistency and the last answer.
#[function_component(ClientCards)]
pub fn client_cards(p: &CardsProps) -> Html {
    let lab = &p.lab;
    let timeline = lab.runs[0].timeline.clone();
    let latest: Vec<Option<(OpId, bool)>> = {
        let t = timeline.borrow();
        let sim = t.sim();
        (0..sim.clients().len())
            .map(|i| last_op(sim, i as u8).map(|o| (o.id, o.outcome().is_some())))
            .collect()
    };
    html! {
        <Cards {timeline} edits={lab.edits} {latest} amount={lab.amount}
               consistency={lab.consistency.clone()} dispatch={lab.dispatcher()} />
    }
}

#[function_component(Cards)]
fn cards(p: &CardsView) -> Html {
    let t = p.timeline.borrow();
    let sim = t.sim();
    let case = t.scenario().case;
    let cards: Html = (0..sim.clients().len())
        .map(|i| client_card(p, sim, case, i))
        .collect();
    let amount = if case == Case::Bank {
        amount_field(p)
    } else {
        html! {}
    };
    html! { <div class="client-cards">{ amount }{ cards }</div> }
}

/// Client `i`'s card: `Alice @ n1`, its operation buttons, its consistency, its last answer.
fn client_card(p: &CardsView, sim: &Sim, case: Case, i: usize) -> Html {
    let c = &sim.clients()[i];
    let client = i as u8;
    let node = node_name(c.node);
    let busy = c.pending.is_some();
    let buttons: Html = op_kinds(case)
        .into_iter()
        .map(|kind| {
            let d = p.dispatch.clone();
            let onclick = Callback::from(move |_| d.dispatch(Msg::Request { client, kind }));
            html! {
                <button class={classes!("op", format!("op-{}", kind.as_str()))}
                        data-testid={format!("op-{node}-{}", kind.as_str())}
                        disabled={busy} {onclick}>
                    { op_button_label(kind, p.amount) }
                </button>
            }
        })
        .collect();
    let chosen = p.consistency.get(i).copied().unwrap_or_default();
    html! {
        <section class="client-card" aria-label={fmt::client_label(&c.name, c.node)}>
            <h3>{ &c.name }<span class="at">{ format!(" @ {node}") }</span></h3>
            <div class="ops">{ buttons }</div>
            { consistency_select(&p.dispatch, client, &node, chosen) }
            { answer(last_op(sim, client), &node) }
        </section>
    }
}

/// The consistency selector of `client`'s next requests.
fn consistency_select(
    d: &UseReducerDispatcher<Page>,
    client: u8,
    node: &str,
    chosen: Consistency,
) -> Html {
    let onchange = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let v = crate::ui::select_value(&e);
            let c = match v.as_str() {
                "strong" => Consistency::Strong,
                "eventual" => Consistency::Eventual,
                "quorum" => Consistency::Quorum,
                _ => Consistency::Default,
            };
            d.dispatch(Msg::SetConsistency(client, c));
        })
    };
    let opt = |v: &'static str, label: &'static str, c: Consistency| {
        html! { <option value={v} selected={chosen == c}>{ label }</option> }
    };
    html! {
        <label class="consistency">
            { "consistency " }
            <select data-testid={format!("consistency-{node}")} onchange={onchange}>
                { opt("default", "default", Consistency::Default) }
                { opt("strong", "strong read", Consistency::Strong) }
                { opt("eventual", "eventual read", Consistency::Eventual) }
                { opt("quorum", "quorum write", Consistency::Quorum) }
            </select>
        </label>
    }
}

/// The client's last answer (or that it sent nothing yet).
fn answer(last: Option<&OpRecord>, node: &str) -> Html {
    match last {
        Some(o) => {
            let slug = fmt::outcome_slug(o);
            html! {
                <p class={classes!("answer", format!("answer-{slug}"))} data-testid={format!("answer-{node}")}
                   data-outcome={slug}
                   data-reason={match o.outcome() { Some(Outcome::Refused(r)) => Some(r.slug()), _ => None }}>
                    { fmt::outcome_text(o) }
                </p>
            }
        }
        None => html! { <p class="answer answer-none">{ "no request yet" }</p> },
    }
}

/// The bank's amount field (empty: the usual amounts).
fn amount_field(p: &CardsView) -> Html {
    let d = p.dispatch.clone();
    let onchange = Callback::from(move |e: Event| {
        // An empty field means the usual amounts (deposit 20, withdraw 80).
        let text = crate::ui::select_value(&e);
        if let Ok(a) = text.trim().parse::<i64>() {
            d.dispatch(Msg::SetAmount(Some(a)));
        } else if text.trim().is_empty() {
            d.dispatch(Msg::SetAmount(None));
        }
    });
    html! {
        <label class="amount" title="the amount of the next deposit or withdrawal (empty: deposit 20, withdraw 80)">
            { "amount " }
            <input type="number" data-testid="amount" min="0" max="1000000" placeholder="20 / 80"
                   value={p.amount.map(|a| a.to_string()).unwrap_or_default()} {onchange} />
        </label>
    }
}
