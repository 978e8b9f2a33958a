//! The address bar mirrors the page (`history.replaceState`), so a copied URL reopens the frame.

use wasm_bindgen::JsValue;
use yew::prelude::*;

use super::state::Lab;
use crate::app::link::{write, Link, Page, Params};
use crate::sim::types::Tick;

/// The page's query and fragment, as the browser has them.
pub fn read() -> (String, String) {
    let loc = web_sys::window().map(|w| w.location());
    let search = loc
        .as_ref()
        .and_then(|l| l.search().ok())
        .unwrap_or_default();
    let hash = loc.as_ref().and_then(|l| l.hash().ok()).unwrap_or_default();
    (search, hash)
}

/// The link of the current frame.
pub fn frame_link(lab: &Lab) -> Link {
    let first = lab.runs[0].timeline.borrow();
    let params = Params {
        t: Some(lab.clock.floor() as Tick),
        e: Some(first.events()),
        e2: lab.runs.get(1).map(|r| r.timeline.borrow().events()),
        ..lab.params.clone()
    };
    let second = lab
        .runs
        .get(1)
        .map(|r| r.timeline.borrow().inputs().to_vec());
    let inputs = [first.inputs().to_vec(), second.unwrap_or_default()];
    Link {
        page: Page::Lab { params, inputs },
        flags: lab.flags,
    }
}

/// The share link of `link` (query + fragment); one past the limits keeps its query only.
pub fn written(link: &Link) -> String {
    write(link).unwrap_or_else(|_| match &link.page {
        Page::Lab { params, .. } => params.to_query() + &link.flags.to_query(),
        _ => "?".into(),
    })
}

/// The share link of the current frame (query + fragment).
pub fn link_of(lab: &Lab) -> String {
    written(&frame_link(lab))
}

/// Keeps the address bar current while paused (not on every animation frame).
#[hook]
pub fn use_sync(lab: &UseReducerHandle<Lab>) {
    let key = (lab.version, lab.playing);
    let lab = lab.clone();
    use_effect_with(key, move |(_, playing)| {
        if !*playing {
            let url = link_of(&lab);
            if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
                let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&url));
            }
        }
    });
}
