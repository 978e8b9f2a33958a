//! The adapter between Yew and the page's model ([`crate::app`]): a [`Reducible`] [`Page`] that
//! runs `app::update` for each message, and the hook that runs the effects it returns (and
//! reports back, as messages, what the browser did).
//!
//! Nothing is decided here: every change of the page is `app::update`'s; this module only
//! passes it the wall clock and does what it asks of the browser.

use std::cell::{Cell, RefCell};
use std::ops::Deref;
use std::rc::Rc;

use wasm_bindgen::JsValue;

use super::components::clients;
use super::components::layer::Canvases;
use super::components::messages::{self, Frame};
use super::dom;
use crate::app::share::{Done, Export};
use yew::prelude::*;

pub use crate::app::lab::{SPEEDS, SPEED_LABELS};
pub use crate::app::{Effect, Lab, Msg, NodeCmd, Run};

/// The model plus the effects its last updates asked for (run after the next render), and
/// where each run's messages are at the model's clock.
#[derive(Clone)]
pub struct Page {
    lab: Lab,
    outbox: Rc<RefCell<Vec<Effect>>>,
    /// Bumped whenever effects are queued (an export changes nothing else on the page).
    queued: u64,
    /// Each run's messages on the wire at `lab.clock` (what its stage's canvas paints).
    wires: Vec<Rc<Frame>>,
    /// Messages jump instead of gliding (the reader asked for less motion).
    reduced: bool,
    /// Each run's events processed (the runs' timelines are shared by every copy of the lab:
    /// this is the count as of this page).
    events: Vec<u64>,
    /// The stages' message layers, painted directly on a frame that moves only messages.
    canvases: Rc<Canvases>,
}

impl Page {
    fn new(lab: Lab, reduced: bool) -> Page {
        let (wires, events) = (wires(&lab, reduced, &[]), events(&lab));
        Page {
            lab,
            outbox: Rc::new(RefCell::new(Vec::new())),
            queued: 0,
            wires,
            reduced,
            events,
            canvases: Rc::default(),
        }
    }

    /// The stages' message layers.
    pub fn canvases(&self) -> Rc<Canvases> {
        self.canvases.clone()
    }

    /// Run `run`'s messages on the wire now (none for a run that does not exist).
    pub fn wire(&self, run: usize) -> Rc<Frame> {
        self.wires.get(run).cloned().unwrap_or_default()
    }

    /// Whether a frame of play from `self` to `o` changed nothing the page draws but where
    /// messages are on their canvases: not the dials, no effect queued, nothing a reader did,
    /// nothing looked inside (the inspector's ring follows its message), and — unless the
    /// stage follows the dials ([`Lab::stage_follows_dials`]: a browser that cannot keep up) —
    /// no run's events, no cross of a dying message and no request on its way from a client to
    /// its node. Such a frame is not rendered: `reduce` paints its messages straight onto the
    /// canvases (on a slow phone, most frames: a re-render of the page costs several).
    /// Symmetric: `reduce` asks it from the old page to the new, Yew's `use_reducer_eq` from
    /// the new to the old, and a frame one of them calls the same must be painted by `reduce`.
    fn draws_as(&self, o: &Page) -> bool {
        let (a, b) = (&self.lab, &o.lab);
        self.queued == o.queued
            && a.beyond_clock == b.beyond_clock
            && a.dialed == b.dialed
            && self.wires.len() == o.wires.len()
            && a.inspecting.is_none()
            && b.inspecting.is_none()
            && ((a.stage_follows_dials() && b.stage_follows_dials()) || self.stage_as(o))
    }

    /// Whether the stages draw the same shapes and text from `self` to `o` (see `draws_as`).
    fn stage_as(&self, o: &Page) -> bool {
        self.wires
            .iter()
            .zip(&o.wires)
            .all(|(x, y)| x.crosses_as(y))
            && self.events == o.events
            && !requests_travel(&self.lab)
            && !requests_travel(&o.lab)
    }
}

fn events(lab: &Lab) -> Vec<u64> {
    lab.runs
        .iter()
        .map(|r| r.timeline.borrow().events())
        .collect()
}

/// Each run's messages at `lab.clock`, sharing the frames of `old` that did not change.
fn wires(lab: &Lab, reduced: bool, old: &[Rc<Frame>]) -> Vec<Rc<Frame>> {
    use super::components::stage::layout;
    lab.runs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let t = r.timeline.borrow();
            let sim = t.sim();
            let mut fr = messages::on_the_wire(sim, &layout(sim.node_count()), lab.clock, reduced);
            if lab.playing {
                fr.rate = lab.speed * crate::app::lab::TICKS_PER_MS_AT_1X;
            }
            match old.get(i) {
                Some(o) if **o == fr => o.clone(),
                _ => Rc::new(fr),
            }
        })
        .collect()
}

/// A client's pending request is drawn travelling to its node during its first
/// [`clients::TRAVEL_TICKS`] (see `clients::on_stage`).
fn requests_travel(lab: &Lab) -> bool {
    lab.runs.iter().any(|r| {
        let t = r.timeline.borrow();
        t.sim()
            .history()
            .iter()
            .rev()
            .take(64)
            .any(|o| o.outcome().is_none() && lab.clock - (o.invoke as f64) < clients::TRAVEL_TICKS)
    })
}

impl Deref for Page {
    type Target = Lab;
    fn deref(&self) -> &Lab {
        &self.lab
    }
}

/// Two pages are equal when they draw the same and have the same effects waiting (an export
/// changes nothing on the page but must run after a render).
impl PartialEq for Page {
    fn eq(&self, other: &Page) -> bool {
        self.queued == other.queued && (self.lab == other.lab || self.draws_as(other))
    }
}

impl Reducible for Page {
    type Action = Msg;

    fn reduce(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        let mut lab = self.lab.clone();
        let effects = crate::app::update(&mut lab, msg, now_ms());
        if lab.version == self.lab.version && effects.is_empty() {
            return self;
        }
        let queued = self.queued + u64::from(!effects.is_empty());
        self.outbox.borrow_mut().extend(effects);
        let wires = wires(&lab, self.reduced, &self.wires);
        let next = Rc::new(Page {
            events: events(&lab),
            lab,
            outbox: self.outbox.clone(),
            queued,
            wires,
            reduced: self.reduced,
            canvases: self.canvases.clone(),
        });
        // Not rendered (see `draws_as`): the messages that moved are painted now.
        if self.draws_as(&next) {
            next.canvases.paint(&next.wires);
        }
        next
    }
}

/// Wall-clock milliseconds (the model's `now_ms`).
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// A page over the model `init` makes: sends `Msg::Opened` once mounted, and after each render
/// runs the effects the updates asked for.
#[hook]
pub fn use_page(init: impl FnOnce() -> Lab + 'static) -> UseReducerHandle<Page> {
    // Renders only when the page draws something new (see `Page::draws_as`).
    let page = use_reducer_eq(move || Page::new(init(), super::anim::reduced_motion()));
    let frames = use_mut_ref(|| None::<Rc<Cell<bool>>>);
    {
        let d = page.dispatcher();
        use_effect_with((), move |_| {
            d.dispatch(Msg::Opened(super::dom::page_base()))
        });
    }
    {
        let (page, frames) = (page.clone(), frames.clone());
        use_effect_with(page.queued, move |_| {
            let effects: Vec<Effect> = page.outbox.borrow_mut().drain(..).collect();
            for e in effects {
                run(e, &frames, &page);
            }
        });
    }
    use_effect_with((), move |_| move || stop_frames(&frames));
    page
}

fn stop_frames(frames: &RefCell<Option<Rc<Cell<bool>>>>) {
    if let Some(stopped) = frames.borrow_mut().take() {
        stopped.set(true);
    }
}

/// Does what one effect asks of the browser (and reports back what needs an answer).
fn run(effect: Effect, frames: &RefCell<Option<Rc<Cell<bool>>>>, page: &UseReducerHandle<Page>) {
    let dispatch = page.dispatcher();
    match effect {
        Effect::ReplaceUrl(url) => {
            if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
                let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&url));
            }
        }
        Effect::SetTitle(title) => {
            if let Some(d) = web_sys::window().and_then(|w| w.document()) {
                d.set_title(&title);
            }
        }
        Effect::Frames(true) => {
            if frames.borrow().is_none() {
                let stopped = Rc::new(Cell::new(false));
                super::anim::start_loop(dispatch, stopped.clone());
                *frames.borrow_mut() = Some(stopped);
            }
        }
        Effect::Frames(false) => stop_frames(frames),
        Effect::Copy { what, text } => {
            dom::copy(&text, move |ok| {
                dispatch.dispatch(Msg::Done(Done::Copied(what, ok)))
            });
        }
        Effect::Download {
            what,
            name,
            mime,
            text,
        } => {
            let ok = dom::download(&name, mime, &text);
            dispatch.dispatch(Msg::Done(Done::Saved(what, ok)));
        }
        Effect::DownloadSvg { what, name } => {
            let svg = match what {
                Export::Stage => dom::svg_file("svg.stage", "messages", &stage_messages(page)),
                _ => dom::svg_file("svg.history-svg", "", ""),
            };
            let ok = svg.is_some_and(|s| dom::download(&name, "image/svg+xml", &s));
            dispatch.dispatch(Msg::Done(Done::Saved(what, ok)));
        }
        Effect::Select(id) => {
            dom::select_text(id);
        }
        Effect::Remember(id) => dom::remember_finished(id),
    }
}

/// The first stage's messages at the page's clock as SVG paths (the page paints them on a
/// canvas; a saved stage gets them back as paths).
fn stage_messages(lab: &Lab) -> String {
    use super::components::stage::layout;
    let t = lab.runs[0].timeline.borrow();
    let sim = t.sim();
    let pos = layout(sim.node_count());
    messages::svg_paths(&messages::on_the_wire(sim, &pos, lab.clock, false))
}
