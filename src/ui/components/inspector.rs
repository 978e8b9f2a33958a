//! "Look inside": the panel under a stage showing what a node's protocol holds or what a
//! message carries (the words come from `app::inspect`), with drop and delay for a message on
//! its way, the messages on their way to pick from, and the nodes to switch to.

use yew::prelude::*;

use super::stage::{Pt, NODE_R};
use crate::app::inspect::{self, Target};
use crate::app::still::Dials;
use crate::sim::types::node_name;
use crate::sim::world::Sim;
use crate::ui::state::{Msg, Page};

#[derive(Properties)]
pub struct InspectorProps {
    pub lab: UseReducerHandle<Page>,
    pub run: usize,
    /// When it redraws (`app::still::dials`); the handle reads the page as it is now.
    pub moment: Dials,
}

impl PartialEq for InspectorProps {
    fn eq(&self, o: &Self) -> bool {
        (self.run, self.moment) == (o.run, o.moment)
    }
}

fn send(lab: &UseReducerHandle<Page>, m: Msg) -> Callback<MouseEvent> {
    let d = lab.dispatcher();
    Callback::from(move |_| d.dispatch(m.clone()))
}

/// The panel of stage `run`, when the reader looks inside something there.
#[function_component(Inspector)]
pub fn inspector(p: &InspectorProps) -> Html {
    let lab = &p.lab;
    let Some(open) = lab.inspecting.filter(|i| i.run == p.run) else {
        return html! {};
    };
    let Some(run) = lab.runs.get(p.run) else {
        return html! {};
    };
    let t = run.timeline.borrow();
    let sim = t.sim();
    let panel = inspect::panel(sim, open.target);
    let rows: Html = panel
        .rows
        .iter()
        .map(|(label, text)| html! { <><dt>{ label.clone() }</dt><dd>{ text.clone() }</dd></> })
        .collect();
    html! {
        <section class="inspector" data-testid={format!("inspector-{}", p.run)} aria-label={panel.title.clone()}>
            <header>
                <h3>{ panel.title.clone() }</h3>
                <button class="close" data-testid="inspector-close" aria-label="close" onclick={send(lab, Msg::CloseInspect)}>{ "×" }</button>
            </header>
            <dl>{ rows }</dl>
            { message_actions(lab, p.run, open.target, panel.on_its_way) }
            { pickers(lab, p.run, sim, open.target) }
        </section>
    }
}

/// Drop or delay the message looked at, while it is on its way.
fn message_actions(
    lab: &UseReducerHandle<Page>,
    run: usize,
    target: Target,
    on_its_way: bool,
) -> Html {
    let Target::Message(id) = target else {
        return html! {};
    };
    if !on_its_way {
        return html! {};
    }
    html! {
        <div class="inspector-actions">
            <button data-testid="drop-message" onclick={send(lab, Msg::DropMessage(run, id))}>{ "✕ Drop it" }</button>
            <button data-testid="delay-message" onclick={send(lab, Msg::DelayMessage(run, id))}>
                { format!("Delay it {} ms", inspect::DELAY_TICKS) }
            </button>
        </div>
    }
}

/// Buttons to look inside another node, or a message on its way.
fn pickers(lab: &UseReducerHandle<Page>, run: usize, sim: &Sim, target: Target) -> Html {
    let nodes: Html = (0..sim.node_count())
        .map(|n| {
            let on = target == Target::Node(n);
            html! {
                <button aria-pressed={on.to_string()} data-testid={format!("inspect-{}", node_name(n))}
                        onclick={send(lab, Msg::Inspect(run, Target::Node(n)))}>{ node_name(n) }</button>
            }
        })
        .collect();
    let listed = inspect::listed(sim);
    let messages: Html = listed
        .iter()
        .map(|(id, text)| {
            let on = target == Target::Message(*id);
            html! {
                <li><button aria-pressed={on.to_string()} data-testid={format!("inspect-msg-{id}")}
                            onclick={send(lab, Msg::Inspect(run, Target::Message(*id)))}>{ format!("#{id} {text}") }</button></li>
            }
        })
        .collect();
    html! {
        <div class="inspector-pick">
            <div class="pick-nodes"><span>{ "Look inside" }</span>{ nodes }</div>
            if listed.is_empty() {
                <p class="muted">{ "No message is on its way right now." }</p>
            } else {
                <p class="muted">{ "On their way now (pause, then click one on the stage, or pick it here):" }</p>
                <ul class="pick-messages">{ messages }</ul>
            }
        </div>
    }
}

/// On the stage: a ring around what is looked at (a node, or a message where it is now), and,
/// while paused, a click target on every message on its way.
pub fn marks(
    lab: &Page,
    run: usize,
    pos: &[Pt],
    at: &[(u64, Pt)],
    dispatch: &UseReducerDispatcher<Page>,
) -> Html {
    let open = lab.inspecting.filter(|i| i.run == run);
    let ring = match open.map(|i| i.target) {
        Some(Target::Node(n)) => pos.get(usize::from(n)).map(|c| (*c, NODE_R + 8.0)),
        Some(Target::Message(id)) => at.iter().find(|(m, _)| *m == id).map(|(_, c)| (*c, 13.0)),
        None => None,
    };
    let ring = ring.map_or(html! {}, |(c, r)| html! {
        <circle class="inspect-ring" cx={c.x.to_string()} cy={c.y.to_string()} r={r.to_string()} />
    });
    let hits: Html = if lab.playing {
        html! {}
    } else {
        at.iter()
            .map(|(id, c)| {
                let d = dispatch.clone();
                let id = *id;
                let onclick = Callback::from(move |e: MouseEvent| {
                    e.stop_propagation();
                    d.dispatch(Msg::Inspect(run, Target::Message(id)));
                });
                html! {
                    <circle class="msg-hit" data-testid={format!("msg-{id}")} cx={c.x.to_string()} cy={c.y.to_string()} r="11" {onclick}>
                        <title>{ format!("message #{id}: look inside") }</title>
                    </circle>
                }
            })
            .collect()
    };
    html! { <g class="inspect-marks">{ ring }{ hits }</g> }
}
