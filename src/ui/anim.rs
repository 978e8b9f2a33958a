//! The animation loop: requestAnimationFrame while playing, one `Msg::Frame` per frame (the
//! model measures the time between frames with the wall clock it is given).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use yew::prelude::*;

use super::state::{Msg, Page};

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

/// One `Msg::Frame` per animation frame until `stopped` is set.
pub fn start_loop(dispatch: UseReducerDispatcher<Page>, stopped: Rc<Cell<bool>>) {
    let slot: Rc<RefCell<Option<FrameFn>>> = Rc::new(RefCell::new(None));
    let own = slot.clone();
    *slot.borrow_mut() = Some(Closure::new(move |_: f64| {
        if !stopped.get() {
            dispatch.dispatch(Msg::Frame);
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
