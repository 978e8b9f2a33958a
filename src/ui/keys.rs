//! Keyboard and clicker shortcuts, and the `?` overlay that lists them.
//!
//! Shortcuts press the page's own buttons (by `data-testid`), so a key does exactly what the
//! button does: `next` / `prev` in a lesson when present, else play/pause and step back.
//! Keys are left alone while focus is in a text field or a select, and Space is left to the
//! focused button or link it would activate.

use wasm_bindgen::prelude::*;
use yew::prelude::*;

use super::dom::click_testid;

/// Every shortcut: keys as shown, and what they do (the overlay's table).
pub const SHORTCUTS: [(&str, &str); 8] = [
    ("→  PageDown  Space", "next step (lesson) · play / pause"),
    ("←  PageUp", "previous step (lesson) · step back"),
    (".", "step one event"),
    (",", "step back one event"),
    ("P", "presenter mode on / off"),
    ("F", "full screen on / off"),
    ("?", "this list of shortcuts"),
    ("Esc", "close this list"),
];

/// What a key press asks the page for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    TogglePresent,
    ToggleHelp,
    CloseHelp,
}

fn in_field(target: Option<web_sys::EventTarget>) -> (bool, bool) {
    let el = target.and_then(|t| t.dyn_into::<web_sys::Element>().ok());
    let Some(el) = el else { return (false, false) };
    let tag = el.tag_name().to_ascii_lowercase();
    let field = matches!(tag.as_str(), "input" | "select" | "textarea")
        || el.has_attribute("contenteditable");
    let control =
        matches!(tag.as_str(), "button" | "a" | "summary") || el.has_attribute("tabindex");
    (field, control)
}

fn toggle_fullscreen() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if doc.fullscreen_element().is_some() {
        doc.exit_fullscreen();
    } else if let Some(root) = doc.document_element() {
        let _ = root.request_fullscreen();
    }
}

/// Handles one key press; `on_key` receives what the page state must do.
fn handle(e: &web_sys::KeyboardEvent, on_key: &Callback<Key>) {
    if e.ctrl_key() || e.meta_key() || e.alt_key() || e.default_prevented() {
        return;
    }
    let (field, control) = in_field(e.target());
    let key = e.key();
    if key == "Escape" {
        on_key.emit(Key::CloseHelp);
        return;
    }
    if field {
        return;
    }
    let done = match key.as_str() {
        " " if control => false,
        "ArrowRight" | "PageDown" | " " => {
            click_testid("next") || click_testid("play") || click_testid("pause")
        }
        "ArrowLeft" | "PageUp" => click_testid("prev") || click_testid("step-back"),
        "." => click_testid("step"),
        "," => click_testid("step-back"),
        "p" | "P" => {
            on_key.emit(Key::TogglePresent);
            true
        }
        "f" | "F" => {
            toggle_fullscreen();
            true
        }
        "?" => {
            on_key.emit(Key::ToggleHelp);
            true
        }
        _ => false,
    };
    if done {
        e.prevent_default();
    }
}

/// Listens to key presses on the window while the component lives.
#[hook]
pub fn use_shortcuts(on_key: Callback<Key>) {
    use_effect_with((), move |_| {
        let listener: Closure<dyn FnMut(web_sys::KeyboardEvent)> =
            Closure::new(move |e: web_sys::KeyboardEvent| handle(&e, &on_key));
        let window = web_sys::window();
        if let Some(w) = &window {
            let _ =
                w.add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
        }
        move || {
            if let Some(w) = window {
                let _ = w.remove_event_listener_with_callback(
                    "keydown",
                    listener.as_ref().unchecked_ref(),
                );
            }
            drop(listener);
        }
    });
}

#[derive(Properties, PartialEq)]
pub struct PageKeysProps {
    /// Presenter mode is on (the button's `aria-pressed`).
    pub present: bool,
    /// Turns presenter mode on or off (the button and the `P` key).
    pub on_present: Callback<()>,
    /// Show the Presenter and `?` buttons; without them only the keys work (embed mode).
    #[prop_or(true)]
    pub buttons: bool,
}

/// The page's keyboard layer: listens to the shortcuts, owns the `?` overlay, and shows the
/// Presenter and `?` buttons (for readers without a keyboard). One per page.
#[function_component(PageKeys)]
pub fn page_keys(p: &PageKeysProps) -> Html {
    let help = use_state(|| false);
    {
        let (help, on_present) = (help.clone(), p.on_present.clone());
        use_shortcuts(Callback::from(move |k: Key| match k {
            Key::TogglePresent => on_present.emit(()),
            Key::ToggleHelp => help.set(!*help),
            Key::CloseHelp => help.set(false),
        }));
    }
    let overlay = if *help {
        let help = help.clone();
        html! { <ShortcutHelp on_close={Callback::from(move |_| help.set(false))} /> }
    } else {
        html! {}
    };
    if !p.buttons {
        return overlay;
    }
    let present = p.on_present.reform(|_: MouseEvent| ());
    let toggle_help = {
        let help = help.clone();
        Callback::from(move |_: MouseEvent| help.set(!*help))
    };
    html! {
        <>
            <button data-testid="present" aria-pressed={p.present.to_string()} onclick={present}
                    title="presenter mode (P)">{ "Presenter" }</button>
            <button data-testid="help" aria-label="keyboard shortcuts" title="keyboard shortcuts (?)"
                    aria-haspopup="dialog" onclick={toggle_help}>{ "?" }</button>
            { overlay }
        </>
    }
}

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub on_close: Callback<()>,
}

/// The shortcut list: a modal dialog; its close button takes the focus.
#[function_component(ShortcutHelp)]
pub fn shortcut_help(p: &HelpProps) -> Html {
    let close_ref = use_node_ref();
    {
        let close_ref = close_ref.clone();
        use_effect_with((), move |_| {
            if let Some(b) = close_ref.cast::<web_sys::HtmlElement>() {
                let _ = b.focus();
            }
        });
    }
    let rows: Html = SHORTCUTS
        .iter()
        .map(
            |(k, what)| html! { <tr><th scope="row"><kbd>{ *k }</kbd></th><td>{ *what }</td></tr> },
        )
        .collect();
    let close = p.on_close.reform(|_: MouseEvent| ());
    html! {
        <div class="overlay" data-testid="shortcuts">
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title">
                <h2 id="shortcuts-title">{ "Keyboard shortcuts" }</h2>
                <table class="keys">{ rows }</table>
                <button ref={close_ref} data-testid="shortcuts-close" onclick={close}>{ "Close (Esc)" }</button>
            </div>
        </div>
    }
}
