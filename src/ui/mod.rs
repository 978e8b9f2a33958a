//! The Yew front end: renders `Sim` state and sends it actions. No protocol logic lives here.
//!
//! - [`state`]: the Yew adapter of the page's model (`crate::app`): a reducible `Page` and the
//!   hook that runs the model's effects (address bar, title, frame loop).
//! - [`components`]: stage, nodes, links, messages, clients, controls, history, metrics.
//! - `url`: reads the page's address.
//! - [`anim`]: the requestAnimationFrame loop.
//! - `keys`, `dom`: keyboard shortcuts and browser helpers (downloads, clipboard, SVG files).

mod anim;
mod app;
pub mod components;
mod dom;
pub mod fmt;
mod keys;
pub mod state;
mod url;

pub use app::App;

use wasm_bindgen::JsValue;

/// Mounts the app on index.html's `#app` (the body if there is none), first removing what was
/// shown until now (`#pre`: the placeholder or the link's prerendered first frame). Yew renders
/// the first frame in this same task, so no frame is painted between the two.
pub fn start() {
    let doc = web_sys::window().and_then(|w| w.document());
    let by_id = |id: &str| doc.as_ref().and_then(|d| d.get_element_by_id(id));
    if let Some(pre) = by_id("pre") {
        pre.remove();
    }
    match by_id("app") {
        Some(root) => yew::Renderer::<App>::with_root(root).render(),
        None => yew::Renderer::<App>::new().render(),
    };
}

fn target_value(target: Option<web_sys::EventTarget>) -> String {
    target
        .and_then(|t| js_sys::Reflect::get(&t, &JsValue::from_str("value")).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// The `value` of a change event's `<select>` or `<input>`.
pub fn select_value(e: &yew::Event) -> String {
    target_value(e.target())
}

/// The `value` of an input event's `<input>`.
pub fn input_value(e: &yew::InputEvent) -> String {
    target_value(e.target())
}
