//! The top-level component: a router between the landing page, a lesson and the lab, and the
//! lab itself (setup, stage(s), clients, metrics, transport, history).

use std::rc::Rc;

use yew::prelude::*;

use super::components::landing::Landing;
use super::components::lesson::{LessonPage, LessonRc};
use crate::app::link::{route, Route};

use super::anim::{reduced_motion, use_frames};
use super::components::caption::Caption;
use super::components::clients::ClientCards;
use super::components::controls::{Setup, Transport};
use super::components::history::History;
use super::components::messages::legend;
use super::components::metrics::Metrics;
use super::components::share::ShareBar;
use super::components::stage::Stage;
use super::state::{Lab, Msg};
use super::url::{read, use_sync};
use super::verdict::verdict;

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
            } => Page::Lesson(LessonRc(Rc::new(*lesson)), step, notice),
            Route::Landing { notice } => Page::Landing(notice),
            Route::Lab => Page::Lab,
        }
    });
    match &*route {
        Page::Lab => html! { <Sandbox /> },
        Page::Landing(notice) => html! { <Landing notice={notice.clone()} /> },
        Page::Lesson(lesson, step, notice) => html! {
            <LessonPage lesson={lesson.clone()} step={*step} notice={notice.clone()} />
        },
    }
}

/// The page a URL opens, with the lesson shared by reference.
enum Page {
    Landing(Option<String>),
    Lab,
    Lesson(LessonRc, usize, Option<String>),
}

/// The free-play lab (`?scenario=…`): the full visualizer.
#[function_component(Sandbox)]
pub fn sandbox() -> Html {
    let lab = use_reducer(|| {
        let (q, h) = read();
        let mut lab = Lab::from_link(&q, &h);
        lab.playing = lab.params.t.is_none() && lab.notice.is_none();
        lab
    });
    let reduced = *use_memo((), |_| reduced_motion());
    use_frames(lab.playing, lab.dispatcher());
    use_sync(&lab);

    let d = lab.dispatcher();
    let side = lab.runs.len() > 1;
    let (case, description, last_node) = {
        let t = lab.runs[0].timeline.borrow();
        (
            t.scenario().case,
            t.scenario().description.clone(),
            t.sim().node_count().saturating_sub(1),
        )
    };
    let verdicts: Vec<_> = lab
        .runs
        .iter()
        .map(|r| verdict(r.timeline.borrow().sim(), &r.lin, lab.playing))
        .collect();
    let notice = match &lab.notice {
        Some(n) => {
            let d = d.clone();
            html! {
                <div class="notice" role="alert" data-testid="notice">
                    <span>{ n }</span>
                    <button onclick={Callback::from(move |_| d.dispatch(Msg::DismissNotice))} aria-label="dismiss">{ "×" }</button>
                </div>
            }
        }
        None => html! {},
    };
    let stages: Html = lab
        .runs
        .iter()
        .enumerate()
        .map(|(i, _)| {
            html! {
                <div class="run">
                    <Stage lab={lab.clone()} run={i} reduced_motion={reduced} />
                    if i == 0 { <Caption lab={lab.clone()} /> }
                    if side { <Metrics verdict={verdicts[i].clone()} case={case} /> }
                </div>
            }
        })
        .collect();
    let histories: Html = lab
        .runs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let title = if side {
                format!(" · {}", r.timeline.borrow().scenario().mode.as_str().to_ascii_uppercase())
            } else {
                String::new()
            };
            html! { <History lab={lab.clone()} run={i} verdict={verdicts[i].clone()} title={title} /> }
        })
        .collect();
    html! {
        <main class={classes!("app", side.then_some("side"))}>
            <header class="masthead">
                <h1>{ "CAP Lab" }</h1>
                <p class="tagline">{ "Break the network. Watch consistency and availability trade places." }</p>
            </header>
            <Setup lab={lab.clone()} />
            { notice }
            <Transport lab={lab.clone()} />
            <ShareBar lab={lab.clone()} />
            <p class="description">{ description }</p>
            <div class="lab-grid">
                { stages }
                if !side {
                    <aside class="side-panel">
                        <Metrics verdict={verdicts[0].clone()} case={case} />
                        <ClientCards lab={lab.clone()} />
                    </aside>
                }
            </div>
            { stage_tools(&lab, last_node) }
            if side { <ClientCards lab={lab.clone()} /> }
            { histories }
            <footer class="foot">
                { "Every run is deterministic: the same seed and the same clicks give the same run. The address bar holds this exact frame — copy it to share." }
            </footer>
        </main>
    }
}

/// Shortcuts under the stage: partition the last node, heal all, and how to use the stage.
pub fn stage_tools(lab: &UseReducerHandle<Lab>, last_node: u8) -> Html {
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
            <span class="hint">{ "Click a link to cut or heal it (Shift-click: one way). Click a node to crash or pause it." }</span>
            { legend() }
        </div>
    }
}
