//! The landing page: the lesson picker (cards with a tiny diagram of each lesson's first fault)
//! beside a live stage that already plays and can be clicked.

use yew::prelude::*;

use super::controls::Transport;
use super::stage::{f1, Stage};
use crate::app::link::lesson_query;
use crate::app::still;
use crate::lessons::{catalog, Lesson};
use crate::sim::action::Action;
use crate::sim::types::{node_name, NodeId};
use crate::ui::anim::reduced_motion;
use crate::ui::state::{use_page, Msg, Page};

#[derive(Properties, PartialEq)]
pub struct LandingProps {
    /// Why the reader landed here instead of where the link pointed (a bad lesson id).
    #[prop_or_default]
    pub notice: Option<String>,
}

/// How a lesson's first fault looks on its card.
#[derive(Clone, Debug, Default, PartialEq)]
struct Sketch {
    nodes: u8,
    /// Node pairs (lower first) whose link the fault cuts.
    cut: Vec<(NodeId, NodeId)>,
    /// Node pairs the fault slows down (latency, holds).
    slow: Vec<(NodeId, NodeId)>,
    crashed: Option<NodeId>,
    paused: Option<NodeId>,
    /// A short description for screen readers.
    label: String,
}

fn pair(a: NodeId, b: NodeId) -> (NodeId, NodeId) {
    (a.min(b), a.max(b))
}

/// The sketch of `lesson`'s first scripted fault (of its first stage).
fn sketch(lesson: &Lesson) -> Sketch {
    let Some(stage) = lesson.stages.first() else {
        return Sketch::default();
    };
    let s = &stage.scenario;
    let mut k = Sketch {
        nodes: s.nodes,
        label: format!("{} replicas", s.nodes),
        ..Sketch::default()
    };
    let first = s.faults.iter().min_by_key(|f| f.at).map(|f| &f.action);
    let pairs = |k: &Sketch| -> Vec<(NodeId, NodeId)> {
        (0..k.nodes)
            .flat_map(|a| (a + 1..k.nodes).map(move |b| (a, b)))
            .collect()
    };
    match first {
        Some(Action::Crash(n)) => {
            k.crashed = Some(*n);
            k.label = format!("{} crashes", node_name(*n));
        }
        Some(Action::Pause(n)) => {
            k.paused = Some(*n);
            k.label = format!("{} pauses", node_name(*n));
        }
        Some(Action::Isolate(n)) => {
            k.cut = pairs(&k)
                .into_iter()
                .filter(|(a, b)| a == n || b == n)
                .collect();
            k.label = format!("{} is cut off", node_name(*n));
        }
        Some(Action::Partition { sides }) => {
            let side = |n: NodeId| sides.iter().position(|s| s.contains(&n));
            k.cut = pairs(&k)
                .into_iter()
                .filter(|(a, b)| side(*a).is_some() && side(*b).is_some() && side(*a) != side(*b))
                .collect();
            k.label = "a network partition".into();
        }
        Some(Action::Cut { from: a, to: b } | Action::CutBoth { a, b }) => {
            k.cut = vec![pair(*a, *b)];
            k.label = format!("the link {}–{} is cut", node_name(*a), node_name(*b));
        }
        Some(
            Action::SetLatency { a, b, .. }
            | Action::Hold { from: a, to: b }
            | Action::SetLoss { a, b, .. },
        ) => {
            k.slow = vec![pair(*a, *b)];
            k.label = format!("a slow link {}–{}", node_name(*a), node_name(*b));
        }
        _ => k.label.push_str(", no fault"),
    }
    k
}

/// A tiny static SVG of the sketch: nodes on a circle, cut links dashed with ✂.
fn mini(k: &Sketch) -> Html {
    let count = k.nodes.max(1);
    let r_node = if count <= 3 { 11.0 } else { 7.0 };
    let pos: Vec<(f64, f64)> = (0..count)
        .map(|i| {
            let a = -std::f64::consts::FRAC_PI_2
                + std::f64::consts::TAU * f64::from(i) / f64::from(count);
            (60.0 + 30.0 * a.cos(), 46.0 + 30.0 * a.sin())
        })
        .collect();
    let links: Html = (0..count)
        .flat_map(|a| (a + 1..count).map(move |b| (a, b)))
        .map(|(a, b)| {
            let (p, q) = (pos[usize::from(a)], pos[usize::from(b)]);
            let cut = k.cut.contains(&(a, b));
            let class = if cut {
                "mini-link cut"
            } else if k.slow.contains(&(a, b)) {
                "mini-link slow"
            } else {
                "mini-link"
            };
            html! {
                <>
                    <line class={class} x1={f1(p.0)} y1={f1(p.1)} x2={f1(q.0)} y2={f1(q.1)} />
                    if cut {
                        <text class="mini-cut" x={f1((p.0 + q.0) / 2.0)} y={f1((p.1 + q.1) / 2.0 + 4.0)}>{ "✂" }</text>
                    }
                </>
            }
        })
        .collect();
    let nodes: Html = (0..count)
        .map(|n| {
            let (x, y) = pos[usize::from(n)];
            let class = classes!(
                "mini-node",
                (k.crashed == Some(n)).then_some("crashed"),
                (k.paused == Some(n)).then_some("paused")
            );
            let mark = if k.crashed == Some(n) {
                "✕"
            } else if k.paused == Some(n) {
                "⏸"
            } else {
                ""
            };
            html! {
                <g class={class}>
                    <circle cx={f1(x)} cy={f1(y)} r={f1(r_node)} />
                    if !mark.is_empty() {
                        <text x={f1(x)} y={f1(y + 4.0)}>{ mark }</text>
                    }
                </g>
            }
        })
        .collect();
    html! {
        <svg class="mini" viewBox="0 0 120 92" role="img" aria-label={k.label.clone()}>
            { links }{ nodes }
        </svg>
    }
}

/// The lesson cards, in catalog order, each a real link to its first step; the ones the reader
/// finished (as this browser remembers) are marked.
fn cards(lessons: &[Lesson], finished: &[&str]) -> Html {
    lessons
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let done = finished.contains(&l.id);
            html! {
                <li>
                    <a class={classes!("card", done.then_some("finished"))} href={lesson_query(l.id, 0)}
                       data-testid={format!("card-{}", l.id)} data-finished={done.to_string()}>
                        { mini(&sketch(l)) }
                        <span class="card-text">
                            <span class="card-num">
                                { format!("Lesson {}", i + 1) }
                                if done { <span class="card-done" title="you reached the end of this lesson (remembered in this browser only)">{ " · ✓ finished" }</span> }
                            </span>
                            <span class="card-title">{ l.title }</span>
                            <span class="card-promise">{ l.promise }</span>
                        </span>
                    </a>
                </li>
            }
        })
        .collect()
}

#[derive(Properties, PartialEq)]
struct CardsProps {
    /// The lessons this browser remembers as finished.
    finished: Vec<&'static str>,
}

/// The lesson cards as a component: redrawn only when the finished lessons change, not on
/// every frame of the live stage beside them.
#[function_component(LessonCards)]
fn lesson_cards(p: &CardsProps) -> Html {
    let lessons = use_memo((), |_| catalog());
    html! { <ol class="cards" data-testid="lessons">{ cards(&lessons, &p.finished) }</ol> }
}

#[derive(Properties, PartialEq)]
struct LiveStageProps {
    lab: UseReducerHandle<Page>,
}

/// The live stage: the default bank scenario, playing slowly.
#[function_component(LiveStage)]
fn live_stage(p: &LiveStageProps) -> Html {
    let lab = &p.lab;
    let reduced = *use_memo((), |_| reduced_motion());
    html! {
        <div class="run">
            <Stage lab={lab.clone()} run={0} reduced_motion={reduced} />
            <Transport lab={lab.clone()} moment={still::dials(lab)} />
        </div>
    }
}

#[function_component(Landing)]
pub fn landing(p: &LandingProps) -> Html {
    let lab = use_page(crate::app::Lab::live);
    // The lessons this browser remembers as finished (local storage; nothing is sent).
    {
        let d = lab.dispatcher();
        use_effect_with((), move |_| {
            d.dispatch(Msg::Finished(crate::ui::dom::finished_lessons()))
        });
    }
    // `?present=1` (or `?embed=1`) alone opens this page in that mode.
    use_effect_with((), |_| {
        let (q, h) = crate::ui::url::read();
        let flags = crate::app::link::parse(&q, &h).0.flags;
        crate::ui::dom::set_root_class("present", flags.present);
        crate::ui::dom::set_root_class("embed", flags.embed);
    });
    html! {
        <main class="app landing">
            <header class="masthead">
                <h1>{ "CAP Lab" }</h1>
                <p class="tagline">{ "Break the network. Watch consistency and availability trade places." }</p>
            </header>
            if let Some(n) = &p.notice {
                <div class="notice" role="alert" data-testid="notice"><span>{ n.clone() }</span></div>
            }
            <div class="landing-grid">
                <section class="picker" aria-labelledby="lessons-title">
                    <h2 id="lessons-title">{ "Lessons" }</h2>
                    <p class="lead">
                        { "Why does a bank refuse your withdrawal while a social feed happily shows you old likes? Twelve short lessons, each a real run you can pause, question and break yourself. Start with the first one; no prior knowledge needed." }
                    </p>
                    <LessonCards finished={lab.finished.clone()} />
                    { super::challenge::list() }
                    <p class="teach-link"><a href="?teach=1" data-testid="teach-link">{ "For teachers: every lesson's questions and answers, and a classroom plan →" }</a></p>
                </section>
                <section class="live" aria-labelledby="live-title">
                    <h2 id="live-title">{ "Or just play" }</h2>
                    <p class="lead">{ "A bank account on three replicas, live. Click a link to cut it, or a node to crash it." }</p>
                    <LiveStage lab={lab.clone()} />
                    <a class="button" href="?scenario=bank" data-testid="open-lab">{ "Open the full lab →" }</a>
                </section>
            </div>
        </main>
    }
}
