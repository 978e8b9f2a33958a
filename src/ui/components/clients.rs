//! Clients: drawn near their node on the stage (name, a request on its way, the last answer as
//! a badge), and as cards with the case's operation buttons and a consistency selector.

use yew::prelude::*;

use super::stage::{f1, outward, Pt, NODE_R};
use crate::sim::types::{node_name, Consistency, OpKind, OpRecord, Outcome};
use crate::sim::world::Sim;
use crate::ui::fmt;
use crate::ui::state::{Lab, Msg};

/// The client's latest op (pending or finished).
fn last_op(sim: &Sim, client: u8) -> Option<&OpRecord> {
    sim.history().iter().rev().find(|o| o.client == client)
}

/// Clients on the stage, outside their node.
pub fn on_stage(sim: &Sim, pos: &[Pt], clock: f64) -> Html {
    let mut per_node = vec![0usize; pos.len()];
    sim.clients()
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let at = pos[usize::from(c.node)];
            let k = per_node[usize::from(c.node)];
            per_node[usize::from(c.node)] += 1;
            let out = outward(at);
            let dist = NODE_R + 30.0 + 34.0 * k as f64;
            let p = Pt { x: at.x + out.x * dist, y: at.y + out.y * dist };
            let op = last_op(sim, i as u8);
            // Labels grow away from the node: right of nodes on the right, left on the left.
            let name_w = c.name.chars().count() as f64 * 8.8;
            let (anchor, icon_x) = if out.x > 0.3 {
                ("anchor-start", -12.0)
            } else if out.x < -0.3 {
                ("anchor-end", -name_w - 12.0)
            } else {
                ("anchor-middle", -name_w / 2.0 - 12.0)
            };
            let badge = match op {
                Some(o) => {
                    let slug = fmt::outcome_slug(o);
                    html! {
                        <g class={classes!("badge", format!("badge-{slug}"), anchor)} transform="translate(0 20)">
                            <text>{ format!("{} {}", fmt::outcome_icon(slug), fmt::op_label(o)) }</text>
                        </g>
                    }
                }
                None => html! {},
            };
            // A pending request travels to the node during its first ticks, then waits there.
            let travel = match op.filter(|o| o.outcome.is_none()) {
                Some(o) => {
                    let f = ((clock - o.invoke as f64) / 2.0).clamp(0.0, 1.0);
                    let q = Pt { x: p.x + (at.x - p.x) * f * 0.7, y: p.y + (at.y - p.y) * f * 0.7 };
                    html! {
                        <g class="request">
                            <line x1={f1(p.x)} y1={f1(p.y)} x2={f1(at.x - out.x * NODE_R)} y2={f1(at.y - out.y * NODE_R)} />
                            <circle cx={f1(q.x)} cy={f1(q.y)} r="4" />
                        </g>
                    }
                }
                None => html! {},
            };
            html! {
                <g class="client-mark">
                    { travel }
                    <g transform={format!("translate({} {})", f1(p.x), f1(p.y))}>
                        <g class="client-body">
                            <g class="client-icon" transform={format!("translate({} -5)", f1(icon_x))} aria-hidden="true">
                                <circle cy="-5" r="4.5" />
                                <path d="M-7 9 a7 7 0 0 1 14 0 z" />
                            </g>
                            <text class={classes!("client-name", anchor)}>{ &c.name }</text>
                            { badge }
                        </g>
                    </g>
                </g>
            }
        })
        .collect()
}

fn op_kinds(case: crate::sim::types::Case) -> Vec<OpKind> {
    case.op_kinds()
        .iter()
        .copied()
        .filter(|k| *k != OpKind::Transfer)
        .collect()
}

fn op_button_label(kind: OpKind, amount: i64) -> String {
    match kind {
        OpKind::Deposit => format!("deposit {}", if amount > 0 { amount } else { 20 }),
        OpKind::Withdraw => format!("withdraw {}", if amount > 0 { amount } else { 80 }),
        OpKind::Like => "♥ like".into(),
        k => k.as_str().into(),
    }
}

#[derive(Properties, PartialEq)]
pub struct CardsProps {
    pub lab: UseReducerHandle<Lab>,
}

/// One card per client: `Alice @ n1`, the operation buttons, the consistency and the last answer.
#[function_component(ClientCards)]
pub fn client_cards(p: &CardsProps) -> Html {
    let lab = &p.lab;
    let t = lab.runs[0].timeline.borrow();
    let sim = t.sim();
    let case = t.scenario().case;
    let dispatch = lab.dispatcher();
    let cards: Html = sim
        .clients()
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let client = i as u8;
            let node = node_name(c.node);
            let busy = c.pending.is_some();
            let buttons: Html = op_kinds(case)
                .into_iter()
                .map(|kind| {
                    let d = dispatch.clone();
                    let onclick = Callback::from(move |_| d.dispatch(Msg::Request { client, kind }));
                    html! {
                        <button class={classes!("op", format!("op-{}", kind.as_str()))}
                                data-testid={format!("op-{node}-{}", kind.as_str())}
                                disabled={busy} {onclick}>
                            { op_button_label(kind, lab.amount) }
                        </button>
                    }
                })
                .collect();
            let chosen = lab.consistency.get(i).copied().unwrap_or_default();
            let onchange = {
                let d = dispatch.clone();
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
            let last = last_op(sim, client);
            let answer = match last {
                Some(o) => {
                    let slug = fmt::outcome_slug(o);
                    html! {
                        <p class={classes!("answer", format!("answer-{slug}"))} data-testid={format!("answer-{node}")}
                           data-outcome={slug}
                           data-reason={match o.outcome { Some(Outcome::Refused(r)) => Some(r.slug()), _ => None }}>
                            { fmt::outcome_text(o) }
                        </p>
                    }
                }
                None => html! { <p class="answer answer-none">{ "no request yet" }</p> },
            };
            html! {
                <section class="client-card" aria-label={fmt::client_label(&c.name, c.node)}>
                    <h3>{ &c.name }<span class="at">{ format!(" @ {node}") }</span></h3>
                    <div class="ops">{ buttons }</div>
                    <label class="consistency">
                        { "consistency " }
                        <select data-testid={format!("consistency-{node}")} onchange={onchange}>
                            { opt("default", "default", Consistency::Default) }
                            { opt("strong", "strong read", Consistency::Strong) }
                            { opt("eventual", "eventual read", Consistency::Eventual) }
                            { opt("quorum", "quorum write", Consistency::Quorum) }
                        </select>
                    </label>
                    { answer }
                </section>
            }
        })
        .collect();
    let amount = if case == crate::sim::types::Case::Bank {
        let d = dispatch.clone();
        let onchange = Callback::from(move |e: Event| {
            if let Ok(a) = crate::ui::select_value(&e).parse::<i64>() {
                d.dispatch(Msg::SetAmount(a));
            }
        });
        html! {
            <label class="amount" title="the amount of the next deposit or withdrawal (0: deposit 20, withdraw 80)">
                { "amount " }
                <input type="number" data-testid="amount" min="0" max="1000000"
                       value={lab.amount.to_string()} {onchange} />
            </label>
        }
    } else {
        html! {}
    };
    html! { <div class="client-cards">{ amount }{ cards }</div> }
}
