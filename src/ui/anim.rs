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

/// Runs the frame loop while `playing`; stops it (and frees the closure) otherwise.
#[hook]
pub fn use_frames(playing: bool, dispatch: UseReducerDispatcher<Lab>) {
    use_effect_with(playing, move |playing| {
        let slot: Rc<RefCell<Option<FrameFn>>> = Rc::new(RefCell::new(None));
        let handle = Rc::new(Cell::new(0i32));
        if *playing {
            let last = Rc::new(Cell::new(None::<f64>));
            let (slot2, handle2) = (slot.clone(), handle.clone());
            *slot.borrow_mut() = Some(Closure::new(move |ts: f64| {
                let dt = last.get().map_or(16.0, |l| ts - l);
                last.set(Some(ts));
                dispatch.dispatch(Msg::Frame(dt));
                if let (Some(w), Some(f)) = (web_sys::window(), slot2.borrow().as_ref()) {
                    handle2.set(
                        w.request_animation_frame(f.as_ref().unchecked_ref())
                            .unwrap_or(0),
                    );
                }
            }));
            if let (Some(w), Some(f)) = (web_sys::window(), slot.borrow().as_ref()) {
                handle.set(
                    w.request_animation_frame(f.as_ref().unchecked_ref())
                        .unwrap_or(0),
                );
            }
        }
        move || {
            if let Some(w) = web_sys::window() {
                let _ = w.cancel_animation_frame(handle.get());
            }
            slot.borrow_mut().take();
        }
    });
}
