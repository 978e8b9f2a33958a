//! Keyboard and clicker shortcuts, and the `?` overlay that lists them. Which key does what is
//! decided in [`crate::app::keys`]; this module reads the key and where it was pressed, and does
//! it (presses the page's own button, sends the model a message, toggles full screen).

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use yew::prelude::*;

use super::dom::click_testid;
use super::state::{Msg, Page};
use crate::app::keys::{act, KeyAct, KeyCtx, SHORTCUTS};

/// Whether the focus (`el`) is in a text field, and whether it is on a button or a link.
fn focus_of(el: Option<&web_sys::Element>) -> (bool, bool) {
    let Some(el) = el else { return (false, false) };
    let tag = el.tag_name().to_ascii_lowercase();
    let field = matches!(tag.as_str(), "input" | "select" | "textarea")
        || el.has_attribute("contenteditable");
    let control =
        matches!(tag.as_str(), "button" | "a" | "summary") || el.has_attribute("tabindex");
    (field, control)
}

/// Where `el` is in its tab list, `(index, count)`, from its `aria-posinset` and
/// `aria-setsize` (`None`: it is not a tab).
fn tab_place(el: &web_sys::Element) -> Option<(usize, usize)> {
    if el.get_attribute("role")? != "tab" {
        return None;
    }
    let num = |a: &str| el.get_attribute(a)?.parse::<usize>().ok();
    Some((num("aria-posinset")?.checked_sub(1)?, num("aria-setsize")?))
}

/// Selects tab `i` of the tab list `el` is a tab of, and moves the focus to it.
fn select_tab(el: &web_sys::Element, i: usize) -> bool {
    let selector = ["[role=tab][aria-posinset=\"", &(i + 1).to_string(), "\"]"].concat();
    let tab = el
        .parent_element()
        .and_then(|list| list.query_selector(&selector).ok().flatten())
        .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok());
    tab.is_some_and(|t| {
        t.click();
        t.focus().is_ok()
    })
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

/// What the page around the keys knows (kept current on every render, read by the listener).
type Ctx = Rc<RefCell<KeyCtx>>;

/// Handles one key press: decides with `app::keys::act`, then does it.
fn handle(e: &web_sys::KeyboardEvent, ctx: &Ctx, on_act: &Callback<KeyAct>) {
    if e.default_prevented() {
        return;
    }
    let focused = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
    let (in_field, on_control) = focus_of(focused.as_ref());
    let here = KeyCtx {
        in_field,
        on_control,
        modified: e.ctrl_key() || e.meta_key() || e.alt_key(),
        tab: focused.as_ref().and_then(tab_place),
        ..*ctx.borrow()
    };
    let Some(a) = act(&e.key(), &here) else {
        return;
    };
    let done = match a {
        KeyAct::Press(ids) => ids.iter().any(|id| click_testid(id)),
        KeyAct::Tab(i) => focused.as_ref().is_some_and(|el| select_tab(el, i)),
        KeyAct::Fullscreen => {
            toggle_fullscreen();
            true
        }
        other => {
            on_act.emit(other);
            true
        }
    };
    if done {
        e.prevent_default();
    }
}

/// Listens to key presses on the window while the component lives.
#[hook]
fn use_shortcuts(ctx: Ctx, on_act: Callback<KeyAct>) {
    use_effect_with((), move |_| {
        let listener: Closure<dyn FnMut(web_sys::KeyboardEvent)> =
            Closure::new(move |e: web_sys::KeyboardEvent| handle(&e, &ctx, &on_act));
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
    pub lab: UseReducerHandle<Page>,
    /// Show the Presenter and `?` buttons; without them only the keys work (embed mode).
    #[prop_or(true)]
    pub buttons: bool,
}

/// The keys' view of the page: embed or not, and the first run's nodes, clients and case.
fn key_ctx(lab: &Page) -> KeyCtx {
    let t = lab.runs[0].timeline.borrow();
    KeyCtx {
        embed: lab.flags.embed,
        nodes: t.sim().node_count(),
        clients: u8::try_from(t.sim().clients().len()).unwrap_or(u8::MAX),
        case: Some(t.scenario().case),
        ..KeyCtx::default()
    }
}

/// The page's keyboard layer: listens to the shortcuts, owns the `?` overlay, and shows the
/// Presenter and `?` buttons (for readers without a keyboard), and in presenter mode a full
/// screen button. One per page.
#[function_component(PageKeys)]
pub fn page_keys(p: &PageKeysProps) -> Html {
    let help = use_state(|| false);
    let ctx = use_mut_ref(KeyCtx::default);
    *ctx.borrow_mut() = key_ctx(&p.lab);
    {
        let (help, d) = (help.clone(), p.lab.dispatcher());
        use_shortcuts(
            ctx,
            Callback::from(move |a: KeyAct| match a {
                KeyAct::TogglePresent => d.dispatch(Msg::TogglePresent),
                KeyAct::ToggleHelp => help.set(!*help),
                // The overlay first (the page's own state), then what the model has open.
                KeyAct::CloseHelp if *help => help.set(false),
                KeyAct::CloseHelp => d.dispatch(Msg::Escape),
                KeyAct::Send(m) => d.dispatch(m),
                KeyAct::Press(_) | KeyAct::Tab(_) | KeyAct::Fullscreen => {}
            }),
        );
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
    let present = p.lab.flags.present;
    let d = p.lab.dispatcher();
    let toggle_present = Callback::from(move |_: MouseEvent| d.dispatch(Msg::TogglePresent));
    let toggle_help = Callback::from(move |_: MouseEvent| help.set(!*help));
    html! {
        <>
            <button data-testid="present" aria-pressed={present.to_string()} onclick={toggle_present}
                    title="presenter mode (P)">{ "Presenter" }</button>
            if present {
                <button data-testid="fullscreen" aria-label="full screen" title="full screen (F)"
                        onclick={Callback::from(|_: MouseEvent| toggle_fullscreen())}>
                    { crate::ui::components::controls::icon("fullscreen") }
                </button>
            }
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
