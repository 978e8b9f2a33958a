//! The animation loop: requestAnimationFrame while playing, one `Msg::Frame(ms)` per frame.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use yew::prelude::*;

use super::state::{Lab, Msg};

type FrameFn = Closure<dyn FnMut(f64)>;

/// True when the reader asked for less motion (messages then jump instead of gliding).
pub fn reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}

/// Runs the frame loop while `playing`. Stopping never cancels a pending frame: the loop's
/// closure sees the stop flag on its next call and frees itself, so no frame can ever call a
/// freed closure (whatever ids `requestAnimationFrame` hands out, e.g. under a fake clock).
#[hook]
pub fn use_frames(playing: bool, dispatch: UseReducerDispatcher<Lab>) {
    use_effect_with(playing, move |playing| {
        let stopped = Rc::new(Cell::new(false));
        if *playing {
            start_loop(dispatch, stopped.clone());
        }
        move || stopped.set(true)
    });
}

/// One `Msg::Frame` per animation frame until `stopped` is set.
fn start_loop(dispatch: UseReducerDispatcher<Lab>, stopped: Rc<Cell<bool>>) {
    let slot: Rc<RefCell<Option<FrameFn>>> = Rc::new(RefCell::new(None));
    let own = slot.clone();
    let last = Cell::new(None::<f64>);
    *slot.borrow_mut() = Some(Closure::new(move |ts: f64| {
        if !stopped.get() {
            let dt = last.get().map_or(16.0, |l| ts - l);
            last.set(Some(ts));
            dispatch.dispatch(Msg::Frame(dt));
        }
        if stopped.get() {
            // Frees this closure once the call returns (wasm-bindgen defers it).
            own.borrow_mut().take();
        } else {
            request_frame(&own);
        }
    }));
    request_frame(&slot);
}

fn request_frame(slot: &Rc<RefCell<Option<FrameFn>>>) {
    if let (Some(w), Some(f)) = (web_sys::window(), slot.borrow().as_ref()) {
        let _ = w.request_animation_frame(f.as_ref().unchecked_ref());
    }
}
