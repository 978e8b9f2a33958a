//! A lesson page (`?lesson=<id>&step=<n>`): the lesson's stage(s) paused at the step's tick,
//! the computed narration beside them, Next / Back, predictions, and "Try it yourself" (free
//! play on the same timelines, from that exact state).
//!
//! One [`Lab`] holds one timeline per lesson stage for the whole visit: a step is a seek, and the
//! reader's own changes (cut links, crashes, requests) stay in the timelines, so every step is
//! narrated from the run as the reader left it. "Restore" rebuilds the original runs.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsValue;
use yew::prelude::*;

use super::clients::ClientCards;
use super::controls::Transport;
use super::history::History;
use super::metrics::Metrics;
use super::narration::{next_lesson, NarrationPanel, StepNav};
use super::stage::Stage;
use crate::app::link::lesson_query;
use crate::lessons::{catalog, narrate, Lesson, Narration};
use crate::sim::timeline::Timeline;
use crate::sim::types::{Consistency, Tick};
use crate::sim::world::Sim;
use crate::ui::anim::{reduced_motion, use_frames};
use crate::ui::app::stage_tools;
use crate::ui::dom;
use crate::ui::keys::PageKeys;
use crate::ui::state::{Lab, Msg, Run};
use crate::ui::verdict::verdict;

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

/// The tick of step `step` (0 when out of range).
fn tick_of(lesson: &Lesson, step: usize) -> Tick {
    lesson.steps.get(step).map_or(0, |s| s.at_tick)
}

/// A lab with one timeline per lesson stage, each at step `step`'s tick. A stage that does not
/// build is left out (the narration then says it cannot narrate), never a panic.
fn lesson_lab(lesson: &Lesson, step: usize) -> Lab {
    let tick = tick_of(lesson, step);
    let mut lab = Lab::from_link("", "");
    let mut runs = Vec::new();
    for stage in &lesson.stages {
        match Timeline::new(stage.scenario.clone()) {
            Ok(mut t) => {
                t.seek_tick(tick);
                runs.push(Run {
                    timeline: Rc::new(RefCell::new(t)),
                    user_faults: Rc::new(RefCell::new(Vec::new())),
                    lin: Rc::new(RefCell::new(None)),
                });
            }
            Err(e) => lab.notice = Some(format!("The \"{}\" run did not build: {e}", stage.label)),
        }
    }
    if runs.is_empty() {
        return lab;
    }
    let clients = runs[0].timeline.borrow().sim().clients().len();
    lab.runs = runs;
    lab.clock = tick as f64;
    lab.consistency = vec![Consistency::Default; clients];
    lab
}

/// Page modes a lesson link may carry: `embed=1` (compact, for an iframe), `present=1`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Modes {
    embed: bool,
    present: bool,
}

impl Modes {
    fn from_query(q: &str) -> Modes {
        let has = |kv: &str| q.trim_start_matches('?').split('&').any(|p| p == kv);
        Modes {
            embed: has("embed=1"),
            present: has("present=1"),
        }
    }
}

/// Keeps the address bar on the current step (and the page modes).
fn sync_url(id: &str, step: usize, modes: Modes) {
    let mut url = lesson_query(id, step);
    if modes.embed {
        url.push_str("&embed=1");
    }
    if modes.present {
        url.push_str("&present=1");
    }
    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// The page: holds the step and a generation (bumped by "Restore" to rebuild the runs).
#[function_component(LessonPage)]
pub fn lesson_page(p: &LessonPageProps) -> Html {
    let step = use_state(|| p.step);
    let gen = use_state(|| 0u32);
    let on_step = {
        let step = step.clone();
        Callback::from(move |s: usize| step.set(s))
    };
    let on_restore = {
        let gen = gen.clone();
        Callback::from(move |_| gen.set(*gen + 1))
    };
    html! {
        <LessonView key={gen.to_string()} lesson={p.lesson.clone()} step={*step}
                    notice={p.notice.clone()} {on_step} {on_restore} />
    }
}

#[derive(Properties, PartialEq)]
struct ViewProps {
    lesson: LessonRc,
    step: usize,
    notice: Option<String>,
    on_step: Callback<usize>,
    on_restore: Callback<()>,
}

/// True when the reader changed any run (a click on a link, a node, a request).
fn edited(lab: &Lab) -> bool {
    lab.runs
        .iter()
        .any(|r| !r.timeline.borrow().inputs().is_empty())
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

/// The narration last shown: for which (step, runs' version), at which wall-clock ms, describing
/// which tick of the runs.
struct Narrated {
    key: (usize, u64),
    at_ms: f64,
    tick: Tick,
    text: Rc<Narration>,
}

/// The narration of `step` for the runs as shown: recomputed when the step or the runs changed,
/// but while playing at most every [`NARRATE_EVERY_MS`], so the text follows the run without
/// costing a frame.
fn narration_for(
    cache: &RefCell<Option<Narrated>>,
    lesson: &Lesson,
    step: usize,
    lab: &Lab,
) -> (Rc<Narration>, Tick) {
    let mut c = cache.borrow_mut();
    let key = (step, lab.version);
    let now_ms = js_sys::Date::now();
    let fresh_enough = |n: &Narrated| {
        n.key == key || (lab.playing && n.key.0 == step && now_ms - n.at_ms < NARRATE_EVERY_MS)
    };
    if !c.as_ref().is_some_and(fresh_enough) {
        let tick = lab.clock.floor().max(0.0) as Tick;
        *c = Some(Narrated {
            key,
            at_ms: now_ms,
            tick,
            text: Rc::new(narrate_now(lesson, step, lab)),
        });
    }
    match c.as_ref() {
        Some(n) => (n.text.clone(), n.tick),
        None => (Rc::new(Narration::default()), 0),
    }
}

#[function_component(LessonView)]
fn lesson_view(p: &ViewProps) -> Html {
    let lesson = p.lesson.0.clone();
    let lab = use_reducer({
        let lesson = lesson.clone();
        let step = p.step;
        move || lesson_lab(&lesson, step)
    });
    let trying = use_state(|| false);
    let guess = use_state(|| None::<String>);
    let revealed = use_state(|| false);
    // "Watch it happen": playing from the previous step's tick, stopping exactly at this one.
    let watch_to = use_state(|| None::<Tick>);
    let reduced = *use_memo((), |_| reduced_motion());
    use_frames(lab.playing, lab.dispatcher());
    {
        let (lab, watch_to) = (lab.clone(), watch_to.clone());
        use_effect_with((lab.version, lab.playing), move |_| {
            if let Some(t) = *watch_to {
                if !lab.playing || lab.clock >= t as f64 {
                    lab.dispatch(Msg::Pause);
                    lab.dispatch(Msg::Seek(t));
                    watch_to.set(None);
                }
            }
        });
    }
    let modes = use_state(|| Modes::from_query(&crate::ui::url::read().0));
    {
        let m = *modes;
        use_effect_with(m, |m| {
            dom::set_root_class("embed", m.embed);
            dom::set_root_class("present", m.present);
        });
    }
    let on_present = {
        let modes = modes.clone();
        Callback::from(move |_| {
            modes.set(Modes {
                present: !modes.present,
                ..*modes
            })
        })
    };
    {
        let (id, title) = (lesson.id, lesson.title);
        use_effect_with((p.step, *modes), move |(s, m)| {
            sync_url(id, *s, *m);
            if let Some(d) = web_sys::window().and_then(|w| w.document()) {
                d.set_title(&format!("{title} · CAP Lab"));
            }
        });
    }

    // The text always describes the runs as shown (while playing, a few times a second).
    let cache = use_mut_ref(|| None::<Narrated>);
    let (narration, narrated_tick) = narration_for(&cache, &lesson, p.step, &lab);

    let go = {
        let (lab, on_step, guess, revealed, lesson, watch_to) = (
            lab.clone(),
            p.on_step.clone(),
            guess.clone(),
            revealed.clone(),
            lesson.clone(),
            watch_to.clone(),
        );
        Callback::from(move |s: usize| {
            if s >= lesson.steps.len() {
                return;
            }
            watch_to.set(None);
            lab.dispatch(Msg::Pause);
            lab.dispatch(Msg::Seek(tick_of(&lesson, s)));
            guess.set(None);
            revealed.set(false);
            on_step.emit(s);
        })
    };
    let set_trying = {
        let (trying, lab, go, step) = (trying.clone(), lab.clone(), go.clone(), p.step);
        Callback::from(move |on: bool| {
            trying.set(on);
            if !on {
                go.emit(step); // back to the step's moment, keeping the reader's changes
            } else {
                lab.dispatch(Msg::OpenMenu(None));
            }
        })
    };
    let on_guess = {
        let (guess, revealed) = (guess.clone(), revealed.clone());
        Callback::from(move |g: Option<String>| {
            guess.set(g);
            revealed.set(true);
        })
    };

    let changed = edited(&lab);
    let at_tick = tick_of(&lesson, p.step);
    let note = if changed || narrated_tick != at_tick {
        let mut s = String::new();
        if changed {
            s.push_str(
                "You changed this run, so the text below is computed from your version of it. ",
            );
        }
        if narrated_tick != at_tick {
            s.push_str("It follows the run: it describes t = ");
            s.push_str(&narrated_tick.to_string());
            s.push_str(" ms, not this step's moment (");
            s.push_str(&at_tick.to_string());
            s.push_str(" ms).");
        }
        Some(s)
    } else {
        None
    };

    let side = lab.runs.len() > 1;
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
            let label = lesson.stages.get(i).map_or("", |s| s.label);
            let metrics = if *trying {
                let t = r.timeline.borrow();
                let v = verdict(t.sim(), &r.lin, lab.playing);
                html! { <Metrics verdict={v} case={t.scenario().case} /> }
            } else {
                html! {}
            };
            html! {
                <div class="run" data-testid={format!("lesson-stage-{i}")}>
                    if side { <h3 class="stage-label">{ label }</h3> }
                    <Stage lab={lab.clone()} run={i} reduced_motion={reduced} />
                    { metrics }
                </div>
            }
        })
        .collect();
    let histories: Html = lab
        .runs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let v = verdict(r.timeline.borrow().sim(), &r.lin, lab.playing);
            let title = if side {
                format!(" · {}", lesson.stages.get(i).map_or("", |s| s.label))
            } else {
                String::new()
            };
            html! {
                <History lab={lab.clone()} run={i} verdict={v} title={title}
                         highlight={narration.highlight_ops.clone()} />
            }
        })
        .collect();
    let all = catalog();
    let index = all.iter().position(|l| l.id == lesson.id).unwrap_or(0);
    let next = all.get(index + 1).map(|l| (l.id, l.title));
    let last_node = lab.runs[0]
        .timeline
        .borrow()
        .sim()
        .node_count()
        .saturating_sub(1);
    let watch = {
        let (lab, watch_to, lesson, step) = (lab.clone(), watch_to.clone(), lesson.clone(), p.step);
        Callback::from(move |_: MouseEvent| {
            let (from, to) = (
                tick_of(&lesson, step.saturating_sub(1)),
                tick_of(&lesson, step),
            );
            if step == 0 || to <= from {
                return;
            }
            // About three seconds of animation, whatever the gap (speed 1× = 0.1 tick per ms).
            lab.dispatch(Msg::Seek(from));
            lab.dispatch(Msg::SetSpeed((to - from) as f64 / 300.0));
            lab.dispatch(Msg::Play);
            watch_to.set(Some(to));
        })
    };
    let restore = {
        let r = p.on_restore.clone();
        Callback::from(move |_: MouseEvent| r.emit(()))
    };

    html! {
        <main class={classes!("app", "lesson-page", (*trying).then_some("trying"))}>
            <header class="masthead lesson-head">
                <a class="home" href="./" data-testid="home">{ "CAP Lab" }</a>
                <span class="crumb">{ format!("Lesson {} of {}", index + 1, all.len()) }</span>
                <h1 data-testid="lesson-title">{ lesson.title }</h1>
                <span class="page-keys">
                    <PageKeys present={modes.present} {on_present} buttons={!modes.embed} />
                </span>
            </header>
            if let Some(n) = p.notice.clone().or(lab.notice.clone()) {
                <div class="notice" role="alert" data-testid="notice"><span>{ n }</span></div>
            }
            if *trying { <Transport lab={lab.clone()} /> }
            <div class={classes!("lesson-grid", format!("stages-{}", lab.runs.len()))}>
                <div class="lesson-main">
                    <div class={classes!("lesson-stages", hl_class)}>{ stages }</div>
                    if *trying {
                        { stage_tools(&lab, last_node) }
                        <ClientCards lab={lab.clone()} />
                    }
                    { histories }
                </div>
                <aside class="lesson-panel">
                    <StepNav lesson={p.lesson.clone()} step={p.step} go={go.clone()} hidden={*trying} />
                    <NarrationPanel narration={narration.clone()} note={note.clone()} live={!lab.playing}
                                    guess={(*guess).clone()} revealed={*revealed} on_guess={on_guess} />
                    <div class="lesson-actions">
                        if *trying {
                            <button class="primary" data-testid="back-to-lesson"
                                    onclick={let s = set_trying.clone(); Callback::from(move |_| s.emit(false))}>
                                { "← Back to the lesson" }
                            </button>
                        } else {
                            if p.step > 0 {
                                <button data-testid="watch" disabled={watch_to.is_some()} onclick={watch}
                                        title="play the run from the previous step to this moment">
                                    { "▶ Watch it happen" }
                                </button>
                            }
                            <button data-testid="try-it" title="continue in free play from this exact moment"
                                    onclick={let s = set_trying.clone(); Callback::from(move |_| s.emit(true))}>
                                { "Try it yourself" }
                            </button>
                        }
                        if !*trying && p.step + 1 == lesson.steps.len() { { next_lesson(next) } }
                        if changed {
                            <button data-testid="restore" onclick={restore}>{ "↺ Restore the lesson's run" }</button>
                        }
                    </div>
                </aside>
            </div>
        </main>
    }
}
