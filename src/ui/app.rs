//! The top-level component: a router between the landing page, a lesson and the lab, and the
//! lab itself (setup, stage(s), clients, metrics, transport, history). One run: the stage and
//! its fault shortcuts in one column, the metrics, clients and history in a side panel that
//! `style.css` lays out to fit a 1280 × 720 screen (and, on a phone, under the stage).

use std::rc::Rc;

use yew::prelude::*;

use super::components::landing::Landing;
use super::components::lesson::{LessonPage, LessonRc};
use crate::app::link::{route, Route};

use super::anim::reduced_motion;
use super::components::caption::Caption;
use super::components::challenge::ChallengePanel;
use super::components::clients::ClientCards;
use super::components::controls::{Setup, Transport};
use super::components::history::History;
use super::components::hunt::{HuntPanel, TradeoffPlot};
use super::components::inspector::Inspector;
use super::components::made::MadePanel;
use super::components::messages::legend;
use super::components::metrics::Metrics;
use super::components::share::ShareBar;
use super::components::stage::Stage;
use super::components::teach::TeachPage;
use super::state::{now_ms, use_page, Msg, Page};
use super::url::read;
use crate::app::embed::panels;
use crate::app::hunt::outlined;
use crate::app::inspect::Target;
use crate::app::link::Panels;
use crate::app::still;
use crate::app::verdict::{verdict, Verdict};
use crate::app::Lab;
use crate::sim::types::{Case, Mode};

/// Which page the URL asks for (read once, at mount).
#[function_component(App)]
pub fn app() -> Html {
    let route = use_memo((), |_| {
        let (q, h) = read();
        match route(&q, &h) {
            Route::Lesson {
                lesson,
                step,
                notice,
            } => Screen::Lesson(LessonRc(Rc::new(*lesson)), step, notice),
            Route::Landing { notice } => Screen::Landing(notice),
            Route::Lab => Screen::Lab,
            Route::Teach => Screen::Teach,
        }
    });
    match &*route {
        Screen::Lab => html! { <Sandbox /> },
        Screen::Teach => html! { <TeachPage /> },
        Screen::Landing(notice) => html! { <Landing notice={notice.clone()} /> },
        Screen::Lesson(lesson, step, notice) => html! {
            <LessonPage lesson={lesson.clone()} step={*step} notice={notice.clone()} />
        },
    }
}

/// The page a URL opens, with the lesson shared by reference.
enum Screen {
    Landing(Option<String>),
    Lab,
    Teach,
    Lesson(LessonRc, usize, Option<String>),
}

/// The free-play lab (`?scenario=…`): the full visualizer.
#[function_component(Sandbox)]
pub fn sandbox() -> Html {
    let lab = use_page(|| {
        let (q, h) = read();
        Lab::sandbox(&q, &h)
    });
    let reduced = *use_memo((), |_| reduced_motion());
    // How many times the lab was rendered (a frame that draws nothing new is not: see
    // `ui::state::Page`); frames.spec counts them.
    let renders = use_mut_ref(|| 0_u64);
    *renders.borrow_mut() += 1;
    let side = lab.runs.len() > 1;
    let (case, last_node) = {
        let t = lab.runs[0].timeline.borrow();
        (t.scenario().case, t.sim().node_count().saturating_sub(1))
    };
    let embed = lab.flags.embed;
    // An embed shows the panels its link asks for (or its own); the full page shows them all.
    let show = if embed {
        panels(&lab)
    } else {
        Panels::all(true)
    };
    let aside = !side && (show.cards || show.controls);
    // A lesson a teacher makes or plays: beside the stage, with the figures.
    let made = lab.made.is_some();
    let verdicts: Vec<Verdict> = lab
        .runs
        .iter()
        .map(|r| verdict(r.timeline.borrow().sim(), &r.lin, lab.playing, now_ms()))
        .collect();
    html! {
        <main class={classes!("app", "sandbox", side.then_some("side"))} data-renders={renders.borrow().to_string()}>
            <header class="masthead">
                <h1>{ "CAP Lab" }</h1>
                <p class="tagline">{ "Break the network. Watch consistency and availability trade places." }</p>
            </header>
            { setup_or_challenge(&lab) }
            { notice(&lab) }
            <Transport lab={lab.clone()} moment={still::dials(&lab)} />
            <ShareBar lab={lab.clone()} moment={still::share(&lab)} />
            // A challenge's run has no scripted faults or traffic: the scenario's words are not its.
            if let Some(d) = lab.description() { <p class="description">{ d }</p> }
            <div class={classes!("lab-grid", (!aside).then_some("bare"))}>
                { stages(&lab, &verdicts, case, reduced, show.cards) }
                if !embed { { stage_tools(&lab, last_node) } }
                if aside {
                    <aside class="side-panel">
                        if made { <MadePanel lab={lab.clone()} moment={still::dials(&lab)} /> }
                        if embed && show.controls { { stage_tools(&lab, last_node) } }
                        if show.cards { <Metrics verdict={verdicts[0].clone()} case={case} mode={run_mode(&lab, 0)} /> }
                        if show.controls { <ClientCards lab={lab.clone()} moment={still::dials(&lab)} /> }
                        if !embed { { histories(&lab, &verdicts) } }
                    </aside>
                }
            </div>
            if made && !aside { <MadePanel lab={lab.clone()} moment={still::dials(&lab)} /> }
            if embed && side && show.controls { { stage_tools(&lab, last_node) } }
            // The hunt replaces the run: not beside a teacher's lesson or a challenge.
            if !embed && !side && !made && lab.params.challenge.is_none() { { explore(&lab) } }
            if side && show.controls { <ClientCards lab={lab.clone()} moment={still::dials(&lab)} /> }
            if (embed || side) && show.history { { histories(&lab, &verdicts) } }
            <footer class="foot">
                { "Every run is deterministic: the same seed and the same clicks give the same run. The address bar holds this exact frame — copy it to share." }
            </footer>
        </main>
    }
}

/// The setup bar, or on a challenge page the challenge (its run's dials are the challenge's).
fn setup_or_challenge(lab: &UseReducerHandle<Page>) -> Html {
    if lab.challenge().is_some() {
        html! { <ChallengePanel lab={lab.clone()} /> }
    } else {
        html! { <Setup lab={lab.clone()} /> }
    }
}

/// The page's notice (a bad link, a refused click), with a button to dismiss it.
fn notice(lab: &UseReducerHandle<Page>) -> Html {
    let Some(n) = &lab.notice else {
        return html! {};
    };
    let d = lab.dispatcher();
    html! {
        <div class="notice" role="alert" data-testid="notice">
            <span>{ n }</span>
            <button onclick={Callback::from(move |_| d.dispatch(Msg::DismissNotice))} aria-label="dismiss">{ "×" }</button>
        </div>
    }
}

/// The mode of run `i` (CP then AP side by side).
fn run_mode(lab: &UseReducerHandle<Page>, i: usize) -> Mode {
    lab.runs
        .get(i)
        .map_or(Mode::Cp, |r| r.timeline.borrow().scenario().mode)
}

/// The stage of each run; side by side, each with its own figures.
fn stages(
    lab: &UseReducerHandle<Page>,
    verdicts: &[Verdict],
    case: Case,
    reduced: bool,
    cards: bool,
) -> Html {
    let side = lab.runs.len() > 1;
    (0..lab.runs.len())
        .map(|i| {
            html! {
                <div class="run">
                    <Stage lab={lab.clone()} run={i} reduced_motion={reduced} />
                    <Inspector lab={lab.clone()} run={i} moment={still::dials(lab)} />
                    if i == 0 { <Caption lab={lab.clone()} moment={still::dials(lab)} /> }
                    if side && cards { <Metrics verdict={verdicts[i].clone()} case={case} mode={run_mode(lab, i)} /> }
                </div>
            }
        })
        .collect()
}

/// Under the lab: the anomaly hunt, and in quorum mode the trade-off plot.
fn explore(lab: &UseReducerHandle<Page>) -> Html {
    html! {
        <div class="explore">
            <HuntPanel lab={lab.clone()} moment={still::hunt(lab)} />
            if run_mode(lab, 0) == Mode::Quorum { <TradeoffPlot lab={lab.clone()} moment={still::plot(lab)} /> }
        </div>
    }
}

/// The history of each run (side by side, titled by mode).
fn histories(lab: &UseReducerHandle<Page>, verdicts: &[Verdict]) -> Html {
    let side = lab.runs.len() > 1;
    lab.runs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let title = if side {
                format!(" · {}", r.timeline.borrow().scenario().mode.as_str().to_ascii_uppercase())
            } else {
                String::new()
            };
            // The hunt's run outlines its anomaly (and the window keeps it in view).
            let found = if i == 0 { outlined(lab) } else { Vec::new() };
            html! { <History lab={lab.clone()} moment={still::dials(lab)} run={i} verdict={verdicts[i].clone()} title={title} highlight={found.clone()} named={found} /> }
        })
        .collect()
}

/// Shortcuts under the stage: partition the last node, heal all, and how to use the stage.
pub fn stage_tools(lab: &UseReducerHandle<Page>, last_node: u8) -> Html {
    let d = lab.dispatcher();
    let shortcut = |m: Msg| {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(m.clone()))
    };
    html! {
        <div class="stage-tools">
            <button data-testid="partition" onclick={shortcut(Msg::PartitionNode(last_node))}>
                { format!("✂ Partition n{}", last_node + 1) }
            </button>
            <button data-testid="heal-all" onclick={shortcut(Msg::HealAll)}>{ "Heal all" }</button>
            <button data-testid="look-inside" onclick={shortcut(Msg::Inspect(0, Target::Node(0)))}>{ "Look inside…" }</button>
            <span class="hint">{ "Click a link to cut or heal it (Shift-click: one way). Click a node to crash, pause or look inside it; pause, then click a message to read, drop or delay it." }</span>
            <span class="hint-short">{ "Click a link to cut it, a node to crash it." }</span>
            { legend() }
        </div>
    }
}
