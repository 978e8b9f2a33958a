//! A node: name, role, status, the data it holds, and (on demand) its version line; a click
//! opens a small menu (crash / recover / pause / resume).

use yew::prelude::*;

use super::stage::{f1, outward, Pt, NODE_R};
use crate::app::inspect::Target;
use crate::app::stage::{hint_badge, pending_badge, NodeText};
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

/// The role's mark, shown after the name when the role's words are not drawn.
fn role_mark(r: Role) -> &'static str {
    match r {
        Role::Leader => " ♛",
        Role::Candidate => " ?",
        Role::Single => " ◆",
        _ => "",
    }
}

/// A font size attribute (the stylesheet sets none for the stage's text; the page's CSP
/// forbids inline styles).
fn font(size: f64) -> String {
    f1(size)
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
    /// The hints it holds ("1 hint → n3") and where they are written (towards the centre).
    pub hint: Option<(String, Pt)>,
    /// Its writes not settled yet ("1 pending"), written under the hints.
    pub pending: Option<(String, Pt)>,
    /// Its text's sizes and lines for the size the stage is shown at.
    pub text: NodeText,
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
    (versions, text): (bool, NodeText),
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
    // Towards the ring's centre (clients stand outside), under the node's own text: the hints
    // it holds.
    let inward = outward(at, sim.node_count());
    let line = |i: f64| {
        let d = NODE_R + 8.0 + text.small * (1.0 + 1.3 * i);
        Pt {
            x: -inward.x * d,
            y: -inward.y * d + text.small * 0.35,
        }
    };
    let hint = (view.hints > 0)
        .then(|| hint_badge(sim, n))
        .flatten()
        .map(|h| (h, line(0.0)));
    // Pending writes go under the node (inward marks of two bottom nodes would meet), below its
    // version line and, on a top node, below its hint mark.
    let lines = u8::from(versions) + u8::from(hint.is_some() && inward.y < -0.5);
    let pending = pending_badge(sim, n).map(|w| {
        let y = NODE_R + 8.0 + text.small * (1.0 + 1.3 * f64::from(lines));
        (w, Pt { x: 0.0, y })
    });
    html! {
        <NodeMark key={n} {n} {at} count={sim.node_count()} status={sim.status(n)} {role}
                  {big} {small} {version} {hint} {pending} {text} {open} {run} dispatch={dispatch.clone()} />
    }
}

/// What is drawn around a node's own text: its pause or crash mark, its version line, its hints.
fn marks(p: &NodeProps, name: &str) -> Html {
    let t = p.text;
    let overlay = match p.status {
        Status::Up => html! {},
        Status::Crashed => html! {
            <g class="crash-mark" aria-hidden="true">
                <line x1="-30" y1="-30" x2="30" y2="30" />
                <line x1="30" y1="-30" x2="-30" y2="30" />
            </g>
        },
        Status::Paused => html! {
            <text class="pause-mark" y={f1(-NODE_R - 6.0)} font-size={font(t.small)}>{ "‖ paused" }</text>
        },
    };
    let version_line = match &p.version {
        Some(v) => html! {
            <text class="node-version" y={f1(NODE_R + 4.0 + t.small)} font-size={font(t.small)}>{ v }</text>
        },
        None => html! {},
    };
    let badge = |b: &Option<(String, Pt)>, class: &'static str, id: &str| match b {
        Some((h, at)) => html! {
            <text class={class} data-testid={format!("{id}-{name}")} x={f1(at.x)} y={f1(at.y)}
                  font-size={font(t.small)}>{ h }{ " " }</text>
        },
        None => html! {},
    };
    let hint = badge(&p.hint, "hint-badge", "hints");
    let pending = badge(&p.pending, "pending-badge", "pending");
    html! { <>{ version_line }{ hint }{ pending }{ overlay }</> }
}

/// The node's accessible name: the drawn words first, in order, then those not drawn.
fn label(p: &NodeProps, name: &str, mark: &str, shows_sub: bool) -> String {
    let (big, small, status) = (p.big.as_str(), p.small.as_str(), p.status);
    // The accessible name starts with the visible text, in order (WCAG 2.5.3 label in name),
    // then the words not drawn (a dropped line); the texts below end with a space (not drawn)
    // so that their words do not run together.
    let hint = p.hint.as_ref().map_or("", |(h, _)| h.as_str());
    let pending = p.pending.as_ref().map_or("", |(w, _)| w.as_str());
    let (role_drawn, role_after) = if p.text.lines >= 4 {
        (role_label(p.role), "")
    } else {
        ("", p.role.as_str())
    };
    let first = format!("{name}{mark}");
    let sub_drawn = if shows_sub { small } else { "" };
    let sub_after = if shows_sub { "" } else { small };
    let words = |parts: &[&str], sep: &str| {
        let kept: Vec<&str> = parts.iter().copied().filter(|w| !w.is_empty()).collect();
        kept.join(sep)
    };
    let drawn = words(&[&first, big, sub_drawn, role_drawn, hint, pending], " ");
    words(
        &[
            &drawn,
            &words(&[role_after, status.as_str()], " "),
            sub_after,
        ],
        ", ",
    )
}

#[function_component(NodeMark)]
fn node_mark(p: &NodeProps) -> Html {
    let (n, run, status, big, small) = (p.n, p.run, p.status, &p.big, &p.small);
    let t = p.text;
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
    let marks = marks(p, &name);
    let mark = if t.lines < 4 { role_mark(p.role) } else { "" };
    let shows_sub = t.shows_sub(small);
    let label = label(p, &name, mark, shows_sub);
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
            <text class="node-name" y={f1(t.ys[0])} font-size={font(t.name)}>{ &name }{ mark }{ " " }</text>
            <g data-testid={format!("value-{name}")} data-value={data_value}>
                <text class="node-value" y={f1(t.ys[1])} font-size={font(t.value)}>{ big }{ " " }</text>
                if shows_sub {
                    <text class="node-sub" y={f1(t.ys[2])} font-size={font(t.small)}>{ small }{ " " }</text>
                }
            </g>
            if t.lines >= 4 {
                <text class="node-role" y={f1(t.ys[3])} font-size={font(t.small)}>{ role_label(p.role) }{ " " }</text>
            }
            { marks }
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
