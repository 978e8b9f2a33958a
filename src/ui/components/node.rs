//! A node: name, role, status, the data it holds, and (on demand) its version line; a click
//! opens a small menu (crash / recover / pause / resume).

use yew::prelude::*;

use super::stage::{f1, Pt, NODE_R};
use crate::app::inspect::Target;
use crate::sim::types::{node_name, Case, NodeId, Role, Status};
use crate::sim::world::Sim;
use crate::ui::fmt;
use crate::ui::state::{Msg, NodeCmd};

fn role_label(r: Role) -> &'static str {
    match r {
        Role::Leader => "♛ leader",
        Role::Follower => "follower",
        Role::Candidate => "? candidate",
        Role::Replica => "replica",
        Role::Single => "◆ single",
        Role::Proxy => "proxy",
    }
}

/// Places a node at `at`, drawn smaller in a large cluster.
fn node_transform(at: Pt, count: u8) -> String {
    let s = super::stage::node_scale(count);
    let scale = if s < 1.0 {
        format!(" scale({})", f1(s))
    } else {
        String::new()
    };
    format!("translate({} {}){scale}", f1(at.x), f1(at.y))
}

/// What one node shows; a frame that changes none of it does not redraw the node.
#[derive(Properties, PartialEq)]
pub struct NodeProps {
    pub n: NodeId,
    pub at: Pt,
    pub count: u8,
    pub status: Status,
    pub role: Role,
    pub big: String,
    pub small: String,
    /// The version line (with pending hints), when versions are shown.
    pub version: Option<String>,
    pub open: bool,
    /// The stage it is drawn on (its menu opens there).
    pub run: usize,
    pub dispatch: UseReducerDispatcher<crate::ui::state::Page>,
}

/// Node `n` as the sim has it now (its props; the component renders only on a change), drawn
/// on stage `run`, with its menu `open` or not.
pub fn node(
    sim: &Sim,
    case: Case,
    n: NodeId,
    at: Pt,
    versions: bool,
    (run, open): (usize, bool),
    dispatch: &UseReducerDispatcher<crate::ui::state::Page>,
) -> Html {
    let view = sim.view(n);
    let held: Vec<bool> = (0..view.keys.len())
        .map(|k| sim.holds_key(n, k as u8))
        .collect();
    let savings = crate::app::cards::savings_shown(sim);
    let (big, small) = fmt::node_data_held(case, &view.keys, &held, savings);
    // A quorum node that keeps no key (N below the node count) only passes requests on.
    let role = if view.role == Role::Replica && !held.contains(&true) {
        Role::Proxy
    } else {
        view.role
    };
    let version = versions.then(|| {
        if view.hints > 0 {
            format!("{} · {} hint(s)", view.version, view.hints)
        } else {
            view.version.clone()
        }
    });
    html! {
        <NodeMark key={n} {n} {at} count={sim.node_count()} status={sim.status(n)} {role}
                  {big} {small} {version} {open} {run} dispatch={dispatch.clone()} />
    }
}

#[function_component(NodeMark)]
fn node_mark(p: &NodeProps) -> Html {
    let (n, run, status, big, small) = (p.n, p.run, p.status, &p.big, &p.small);
    let name = node_name(n);
    let data_value = if small.is_empty() {
        big.clone()
    } else {
        format!("{big} · {small}")
    };
    let onclick = {
        let d = p.dispatch.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Msg::OpenMenuOn(run, n)))
    };
    let onkeydown = {
        let d = p.dispatch.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                d.dispatch(Msg::OpenMenuOn(run, n));
            }
        })
    };
    let overlay = match status {
        Status::Up => html! {},
        Status::Crashed => html! {
            <g class="crash-mark" aria-hidden="true">
                <line x1="-30" y1="-30" x2="30" y2="30" />
                <line x1="30" y1="-30" x2="-30" y2="30" />
            </g>
        },
        Status::Paused => html! { <text class="pause-mark" y="-58">{ "‖ paused" }</text> },
    };
    let version_line = match &p.version {
        Some(v) => html! { <text class="node-version" y={f1(NODE_R + 16.0)}>{ v }</text> },
        None => html! {},
    };
    // The accessible name starts with the visible text, in order (WCAG 2.5.3 label in name);
    // the texts below end with a space (not drawn) so that their words do not run together.
    let label = format!(
        "{name} {big} {small} {}, {}",
        role_label(p.role),
        status.as_str()
    );
    let class = classes!(
        "node",
        format!("status-{}", status.as_str()),
        format!("role-{}", p.role.as_str()),
        p.open.then_some("open")
    );
    html! {
        <g class={class} data-testid={format!("node-{name}")} data-status={status.as_str()}
           data-role={p.role.as_str()} transform={node_transform(p.at, p.count)}
           tabindex="0" role="button" aria-label={label}
           {onclick} {onkeydown}>
            <circle class="node-body" r={f1(NODE_R)} />
            <text class="node-name" y="-24">{ &name }{ " " }</text>
            <g data-testid={format!("value-{name}")} data-value={data_value}>
                <text class="node-value" y="6">{ big }{ " " }</text>
                <text class="node-sub" y="23">{ small }{ " " }</text>
            </g>
            <text class="node-role" y="40">{ role_label(p.role) }</text>
            { version_line }
            { overlay }
        </g>
    }
}

/// The open node's menu: real buttons (focusable, ≥ 44 × 44 CSS px on a phone, where the
/// stage is drawn at half size), over the stage's corner away from the node.
pub fn menu(
    sim: &Sim,
    (run, open): (usize, Option<NodeId>),
    pos: &[Pt],
    dispatch: &UseReducerDispatcher<crate::ui::state::Page>,
) -> Html {
    let Some(n) = open.filter(|n| *n < sim.node_count()) else {
        return html! {};
    };
    let status = sim.status(n);
    let items: Vec<(NodeCmd, &str, &str, bool)> = vec![
        (
            NodeCmd::Crash,
            "crash",
            "✕ crash",
            status != Status::Crashed,
        ),
        (
            NodeCmd::Recover,
            "recover",
            "↻ recover",
            status == Status::Crashed,
        ),
        (NodeCmd::Pause, "pause", "‖ pause", status == Status::Up),
        (
            NodeCmd::Resume,
            "resume",
            "▷ resume",
            status == Status::Paused,
        ),
    ];
    let corner = if pos[usize::from(n)].x > super::stage::WIDTH / 2.0 - 1.0 {
        "at-left"
    } else {
        "at-right"
    };
    let name = node_name(n);
    let buttons: Html = items
        .into_iter()
        .map(|(cmd, slug, label, enabled)| {
            let d = dispatch.clone();
            let onclick = Callback::from(move |e: MouseEvent| {
                e.stop_propagation();
                d.dispatch(Msg::Node(n, cmd));
            });
            html! {
                <button class="menu-item" data-testid={format!("menu-{name}-{slug}")}
                        disabled={!enabled} {onclick}>{ label }</button>
            }
        })
        .collect();
    let close = {
        let d = dispatch.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Msg::OpenMenu(None)))
    };

    html! {
        <div class={classes!("node-menu", corner)} role="group" aria-label={format!("{name}: crash, recover, pause, resume or look inside")}
             data-testid={format!("menu-{name}")}>
            <span class="menu-title">{ format!("{name} ·") }</span>
            { buttons }
            { inside_item(run, n, dispatch) }
            <button class="menu-close" aria-label="close the menu" onclick={close}>{ "×" }</button>
        </div>
    }
}

/// The node menu's last item: look inside node `n` of stage `run`.
fn inside_item(
    run: usize,
    n: NodeId,
    dispatch: &UseReducerDispatcher<crate::ui::state::Page>,
) -> Html {
    let d = dispatch.clone();
    let onclick = Callback::from(move |e: MouseEvent| {
        e.stop_propagation();
        d.dispatch(Msg::Inspect(run, Target::Node(n)));
    });
    html! {
        <button class="menu-item" data-testid={format!("menu-{}-inside", node_name(n))} {onclick}>
            { "look inside…" }
        </button>
    }
}
