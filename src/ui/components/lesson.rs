//! A lesson page (`?lesson=<id>&step=<n>`): the lesson's stage(s) paused at the step's tick,
//! the computed narration beside them, Next / Back, predictions, and "Try it yourself" (free
//! play on the same timelines, from that exact state). The visit's state and every decision
//! about it are the model's ([`crate::app::lesson`]); this module renders them.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use super::clients::ClientCards;
use super::controls::Transport;
use super::history::History;
use super::inspector::Inspector;
use super::metrics::Metrics;
use super::narration::{next_lesson, NarrationPanel, StepNav};
use super::share::{embed_button, embed_panel, open_full};
use super::stage::Stage;
use crate::app::embed::{panels, shown_run};
use crate::app::lesson::{tick_of, LessonMsg, LessonSession};
use crate::app::link::{self, Flags};
use crate::app::still;
use crate::app::verdict::verdict;
use crate::app::Lab;
use crate::lessons::{catalog, narrate, Lesson, Narration};
use crate::sim::types::Tick;
use crate::sim::world::Sim;
use crate::ui::anim::reduced_motion;
use crate::ui::app::stage_tools;
use crate::ui::dom;
use crate::ui::keys::PageKeys;
use crate::ui::state::{now_ms, use_page, Msg, Page};

/// A lesson shared by reference (props compare by pointer: a lesson never changes).
#[derive(Clone, Debug)]
pub struct LessonRc(pub Rc<Lesson>);

impl PartialEq for LessonRc {
    fn eq(&self, other: &LessonRc) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Properties, PartialEq)]
pub struct LessonPageProps {
    pub lesson: LessonRc,
    /// 0-based, already in range.
    pub step: usize,
    #[prop_or_default]
    pub notice: Option<String>,
}

/// The narration of `step` from the runs as they are now.
fn narrate_now(lesson: &Lesson, step: usize, lab: &Lab) -> Narration {
    let timelines: Vec<_> = lab.runs.iter().map(|r| r.timeline.borrow()).collect();
    let sims: Vec<&Sim> = timelines.iter().map(|t| t.sim()).collect();
    narrate(lesson, step, &sims)
}

/// While a run plays, its narration is recomputed at most this often (wall-clock ms): it
/// follows the run about four times a second, not on every frame.
const NARRATE_EVERY_MS: f64 = 250.0;

/// The narration last shown: for which (step, page version), at which wall-clock ms,
/// describing which tick of the runs.
struct Narrated {
    key: (usize, u64),
    at_ms: f64,
    tick: Tick,
    text: Rc<Narration>,
}

/// The narration of the step for the runs as shown: recomputed when the step or the runs
/// changed, but while playing at most every [`NARRATE_EVERY_MS`].
fn narration_for(cache: &RefCell<Option<Narrated>>, lab: &Lab) -> (Rc<Narration>, Tick) {
    let Some(s) = lab.lesson.as_ref() else {
        return (Rc::new(Narration::default()), 0);
    };
    let mut c = cache.borrow_mut();
    let key = (s.step, lab.version);
    let now = now_ms();
    let fresh_enough = |n: &Narrated| {
        n.key == key || (lab.playing && n.key.0 == s.step && now - n.at_ms < NARRATE_EVERY_MS)
    };
    if !c.as_ref().is_some_and(fresh_enough) {
        let tick = lab.clock.floor().max(0.0) as Tick;
        let text = Rc::new(narrate_now(&s.lesson, s.step, lab));
        *c = Some(Narrated {
            key,
            at_ms: now,
            tick,
            text,
        });
    }
    match c.as_ref() {
        Some(n) => (n.text.clone(), n.tick),
        None => (Rc::new(Narration::default()), 0),
    }
}

/// Says when the text describes something else than the lesson's own run at the step's moment.
fn edited_note(lab: &Lab, s: &LessonSession, narrated_tick: Tick) -> Option<String> {
    let changed = lab.edited();
    let at_tick = tick_of(&s.lesson, s.step);
    if !changed && narrated_tick == at_tick {
        return None;
    }
    let mut note = String::new();
    if changed {
        note.push_str(
            "You changed this run, so the text below is computed from your version of it. ",
        );
    }
    if narrated_tick != at_tick {
        note.push_str(&format!(
            "It follows the run: it describes t = {narrated_tick} ms, not this step's moment \
             ({at_tick} ms)."
        ));
    }
    Some(note)
}

/// The page flags of the page's own link (`embed=1`, `present=1`).
fn flags() -> Flags {
    let (q, h) = crate::ui::url::read();
    link::parse(&q, &h).0.flags
}

/// A callback that sends one lesson message.
fn send(lab: &UseReducerHandle<Page>, msg: LessonMsg) -> Callback<MouseEvent> {
    let d = lab.dispatcher();
    Callback::from(move |_| d.dispatch(Msg::Lesson(msg.clone())))
}

#[function_component(LessonPage)]
pub fn lesson_page(p: &LessonPageProps) -> Html {
    let lab = use_page({
        let (lesson, step) = (p.lesson.0.clone(), p.step);
        move || Lab::for_lesson(lesson, step, flags())
    });
    let reduced = *use_memo((), |_| reduced_motion());
    let (embed, present) = (lab.flags.embed, lab.flags.present);
    use_effect_with((embed, present), |(embed, present)| {
        dom::set_root_class("embed", *embed);
        dom::set_root_class("present", *present);
    });
    let cache = use_mut_ref(|| None::<Narrated>);
    let (narration, narrated_tick) = narration_for(&cache, &lab);
    let Some(s) = lab.lesson.clone() else {
        return html! {};
    };
    let note = edited_note(&lab, &s, narrated_tick);
    html! {
        <main class={classes!("app", "lesson-page", s.trying.then_some("trying"))}>
            { header(&lab, &s) }
            if !embed && lab.sharing.embed_open { { embed_panel(&lab) } }
            if let Some(n) = p.notice.clone().or(lab.notice.clone()) {
                <div class="notice" role="alert" data-testid="notice"><span>{ n }</span></div>
            }
            if s.trying { <Transport lab={lab.clone()} moment={still::dials(&lab)} /> }
            <div class={classes!("lesson-grid", format!("stages-{}", lab.runs.len()))}>
                <div class="lesson-main">
                    { stages(&lab, &s, &narration, reduced) }
                    if s.trying {
                        { stage_tools(&lab, last_node(&lab)) }
                        <ClientCards lab={lab.clone()} moment={still::dials(&lab)} />
                    }
                    { histories(&lab, &s, &narration) }
                </div>
                <aside class="lesson-panel">
                    { panel(&lab, &s, narration.clone(), note) }
                </aside>
            </div>
        </main>
    }
}

fn last_node(lab: &Lab) -> u8 {
    let t = lab.runs[0].timeline.borrow();
    t.sim().node_count().saturating_sub(1)
}

/// The lesson's title, its place in the catalog, and the page keys.
fn header(lab: &UseReducerHandle<Page>, s: &LessonSession) -> Html {
    let all = catalog();
    let index = all.iter().position(|l| l.id == s.lesson.id).unwrap_or(0);
    html! {
        <header class="masthead lesson-head">
            <a class="home" href="./" data-testid="home">{ "CAP Lab" }</a>
            <span class="crumb">{ format!("Lesson {} of {}", index + 1, all.len()) }</span>
            <h1 data-testid="lesson-title">{ s.lesson.title }</h1>
            if lab.flags.embed { { open_full(lab) } }
            <span class="page-keys">
                if !lab.flags.embed { { embed_button(lab) } }
                <PageKeys lab={lab.clone()} buttons={!lab.flags.embed} />
            </span>
        </header>
    }
}

/// The lesson's stage(s), labelled when there are several, with their figures in free play;
/// `shown` is the run a phone shows.
fn stages(
    lab: &UseReducerHandle<Page>,
    s: &LessonSession,
    narration: &Narration,
    reduced: bool,
) -> Html {
    let side = lab.runs.len() > 1;
    // In an embed, and on a phone (CSS), the runs take turns: tabs, the one the step names
    // first, so that each stays readable beside the text.
    let turns = side && lab.flags.embed;
    let shown = shown_run(lab, narration);
    let hl_class: Vec<String> = narration
        .highlight_nodes
        .iter()
        .map(|n| format!("hl-n{}", n + 1))
        .collect();
    let stages: Html = lab
        .runs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let label = s.lesson.stages.get(i).map_or("", |st| st.label);
            let metrics = if s.trying {
                let t = r.timeline.borrow();
                let v = verdict(t.sim(), &r.lin, lab.playing, now_ms());
                html! { <Metrics verdict={v} case={t.scenario().case} mode={t.scenario().mode} /> }
            } else {
                html! {}
            };
            html! {
                <div class={classes!("run", (i == shown).then_some("shown"), (turns && i != shown).then_some("off"))}
                     id={format!("lesson-run-{i}")} data-testid={format!("lesson-stage-{i}")}
                     data-tick={(lab.clock.floor().max(0.0) as u64).to_string()}>
                    if side { <h3 class="stage-label">{ label }</h3> }
                    <Stage lab={lab.clone()} run={i} reduced_motion={reduced} />
                    <Inspector lab={lab.clone()} run={i} moment={still::dials(lab)} />
                    { metrics }
                </div>
            }
        })
        .collect();
    html! {
        <>
            if side { { run_tabs(lab, s, shown) } }
            <div class={classes!("lesson-stages", hl_class)}>{ stages }</div>
        </>
    }
}

/// The runs' tabs, named by their labels (LWW / CRDT, crash / pause / partition): shown in an
/// embed and on a phone, where the runs take turns. One stop of the Tab key (the selected tab);
/// the arrow keys, Home and End move between them (`app::keys`).
fn run_tabs(lab: &UseReducerHandle<Page>, s: &LessonSession, shown: usize) -> Html {
    let n = lab.runs.len().to_string();
    let tabs = (0..lab.runs.len()).map(|i| {
        let label = s.lesson.stages.get(i).map_or("", |st| st.label);
        html! {
            <button role="tab" aria-selected={(i == shown).to_string()} data-testid={format!("run-tab-{i}")}
                    tabindex={if i == shown { "0" } else { "-1" }} aria-posinset={(i + 1).to_string()} aria-setsize={n.clone()}
                    aria-controls={format!("lesson-run-{i}")} onclick={send(lab, LessonMsg::Show(i))}>{ label }</button>
        }
    });
    html! { <div class="run-tabs" role="tablist" aria-label="runs">{ for tabs }</div> }
}

/// Each stage's history: its window shows every op the narration names, outlines the ones it
/// points at, and says "linearizable" only once the lesson has explained the word.
fn histories(lab: &UseReducerHandle<Page>, s: &LessonSession, narration: &Narration) -> Html {
    let side = lab.runs.len() > 1;
    // An embed shows the history of the run shown (if its panels include the history).
    let embed = lab.flags.embed;
    let (show, shown) = (panels(lab).history, shown_run(lab, narration));
    lab.runs
        .iter()
        .enumerate()
        .filter(|(i, _)| !embed || (show && *i == shown))
        .map(|(i, r)| {
            let v = verdict(r.timeline.borrow().sim(), &r.lin, lab.playing, now_ms());
            let title = if side {
                format!(" · {}", s.lesson.stages.get(i).map_or("", |st| st.label))
            } else {
                String::new()
            };
            html! {
                <History lab={lab.clone()} moment={still::dials(lab)} run={i} verdict={v} title={title}
                         highlight={narration.highlight_ops.clone()}
                         named={narration.named_ops.clone()}
                         jargon={s.lesson.says_linearizable(s.step)} />
            }
        })
        .collect()
}

/// The side panel: step navigation, the narration and its question, and the lesson's actions.
fn panel(
    lab: &UseReducerHandle<Page>,
    s: &LessonSession,
    narration: Rc<Narration>,
    note: Option<String>,
) -> Html {
    let d = lab.dispatcher();
    let go = Callback::from(move |n: usize| d.dispatch(Msg::Lesson(LessonMsg::Go(n))));
    let d = lab.dispatcher();
    let on_guess =
        Callback::from(move |g: Option<String>| d.dispatch(Msg::Lesson(LessonMsg::Guess(g))));
    let next = send(lab, LessonMsg::Next);
    let score = match s.score() {
        (_, 0) => String::new(),
        (right, answered) => format!("{right} of {answered} right"),
    };
    html! {
        <>
            <StepNav lesson={LessonRc(s.lesson.clone())} step={s.step} {go} {score} {next} hidden={s.trying} />
            <NarrationPanel {narration} {note} live={!lab.playing} shown={s.answer_shown()}
                            guess={s.guess.clone()} revealed={s.revealed} {on_guess} />
            { actions(lab, s) }
        </>
    }
}

/// Watch it happen, Try it yourself / Back to the lesson, the next lesson, Restore.
fn actions(lab: &UseReducerHandle<Page>, s: &LessonSession) -> Html {
    let last = s.step + 1 == s.lesson.steps.len();
    let next = || {
        let all = catalog();
        let index = all.iter().position(|l| l.id == s.lesson.id).unwrap_or(0);
        all.get(index + 1).map(|l| (l.id, l.title))
    };
    html! {
        <div class="lesson-actions">
            if s.trying {
                <button class="primary" data-testid="back-to-lesson" onclick={send(lab, LessonMsg::Try(false))}>
                    { "← Back to the lesson" }
                </button>
            } else {
                if s.step > 0 {
                    <button data-testid="watch" disabled={s.watch_to.is_some()} onclick={send(lab, LessonMsg::Watch)}
                            title="play the run from the previous step to this moment">
                        { "▶ Watch it happen" }
                    </button>
                }
                <button data-testid="try-it" title="continue in free play from this exact moment"
                        onclick={send(lab, LessonMsg::Try(true))}>
                    { "Try it yourself" }
                </button>
            }
            if !s.trying && last { { next_lesson(next()) } }
            if lab.edited() {
                <button data-testid="restore" onclick={send(lab, LessonMsg::Restore)}>{ "↺ Restore the lesson's run" }</button>
            }
        </div>
    }
}
