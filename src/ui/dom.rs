//! Small browser helpers for the classroom features: page classes, downloads, the clipboard,
//! standalone SVG files and simulated clicks. Every helper fails quietly (returns `false` or
//! does nothing) when the browser lacks a feature; none panics.

use wasm_bindgen::{JsCast, JsValue};

fn document() -> Option<web_sys::Document> {
    web_sys::window().and_then(|w| w.document())
}

/// Adds or removes `class` on `<html>` (presenter and embed themes apply to the whole page).
pub fn set_root_class(class: &str, on: bool) {
    if let Some(root) = document().and_then(|d| d.document_element()) {
        let list = root.class_list();
        let _ = if on {
            list.add_1(class)
        } else {
            list.remove_1(class)
        };
    }
}

/// Clicks the element with `data-testid=id`, if it is present and enabled. True if clicked.
pub fn click_testid(id: &str) -> bool {
    let selector = ["[data-testid=\"", id, "\"]:not([disabled])"].concat();
    let el = document().and_then(|d| d.query_selector(&selector).ok().flatten());
    match el.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        Some(e) => {
            e.click();
            true
        }
        None => false,
    }
}

/// `location.origin + location.pathname` (the app's own address, without query or fragment).
pub fn page_base() -> String {
    let loc = web_sys::window().map(|w| w.location());
    let origin = loc
        .as_ref()
        .and_then(|l| l.origin().ok())
        .unwrap_or_default();
    let path = loc
        .as_ref()
        .and_then(|l| l.pathname().ok())
        .unwrap_or_default();
    origin + &path
}

/// Saves `text` as a file named `name` (Blob + object URL + a temporary `<a download>`).
pub fn download(name: &str, mime: &str, text: &str) -> bool {
    let Some(doc) = document() else { return false };
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else {
        return false;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return false;
    };
    let a = doc
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok());
    let (Some(a), Some(body)) = (a, doc.body()) else {
        return false;
    };
    a.set_href(&url);
    a.set_download(name);
    a.set_class_name("sr-only");
    let _ = body.append_child(&a);
    a.click();
    let _ = body.remove_child(&a);
    // Revoke later: the download starts asynchronously.
    gloo_timers::callback::Timeout::new(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    true
}

/// Copies `text` to the clipboard, then calls `done(true)`; calls `done(false)` instead when the
/// browser has no clipboard (an insecure page) or refuses (no permission). Never throws.
pub fn copy(text: &str, done: impl FnOnce(bool) + 'static) {
    let navigator = web_sys::window().map(|w| w.navigator());
    let present = navigator
        .as_ref()
        .and_then(|n| js_sys::Reflect::get(n, &JsValue::from_str("clipboard")).ok())
        .is_some_and(|c| c.is_object());
    let Some(navigator) = navigator.filter(|_| present) else {
        done(false);
        return;
    };
    let promise = navigator.clipboard().write_text(text);
    // Exactly one of the two closures runs; both share the one `done`. They are leaked (two
    // small closures per click), as the promise may settle long after this returns.
    let once = std::rc::Rc::new(std::cell::RefCell::new(Some(done)));
    let settle = |result: bool| {
        let once = once.clone();
        wasm_bindgen::closure::Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
            if let Some(f) = once.borrow_mut().take() {
                f(result);
            }
        })
    };
    let (ok, err) = (settle(true), settle(false));
    let _ = promise.then2(&ok, &err);
    ok.forget();
    err.forget();
}

/// Focuses the `<textarea data-testid=id>` and selects all its text (so Ctrl+C copies it).
/// True if there was such a field.
pub fn select_text(id: &str) -> bool {
    let selector = ["[data-testid=\"", id, "\"]"].concat();
    let field = document()
        .and_then(|d| d.query_selector(&selector).ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok());
    field.is_some_and(|t| {
        let _ = t.focus();
        t.select();
        true
    })
}

/// The CSS text of every rule of the page's own style sheets (for standalone SVG files).
fn page_css() -> String {
    let get = |o: &JsValue, k: &str| js_sys::Reflect::get(o, &JsValue::from_str(k)).ok();
    let mut css = String::new();
    let Some(sheets) = document().and_then(|d| get(&d.into(), "styleSheets")) else {
        return css;
    };
    let sheets: js_sys::Array = js_sys::Array::from(&sheets);
    for sheet in sheets.iter() {
        let Some(rules) = get(&sheet, "cssRules") else {
            continue;
        };
        for rule in js_sys::Array::from(&rules).iter() {
            if let Some(text) = get(&rule, "cssText").and_then(|t| t.as_string()) {
                css.push_str(&text);
                css.push('\n');
            }
        }
    }
    css
}

/// The first SVG matching `selector` as a standalone file: a deep copy with the page's CSS in
/// an inline `<style>` and explicit width and height, and `inside` (markup the page drew
/// elsewhere, e.g. the messages it paints on a canvas) at the start of its first element of
/// class `into`. `None` if there is no such SVG.
pub fn svg_file(selector: &str, into: &str, inside: &str) -> Option<String> {
    let doc = document()?;
    let svg = doc.query_selector(selector).ok().flatten()?;
    let copy = svg
        .clone_node_with_deep(true)
        .ok()?
        .dyn_into::<web_sys::Element>()
        .ok()?;
    if let Some(vb) = copy.get_attribute("viewBox") {
        let dims: Vec<&str> = vb.split_whitespace().collect();
        if dims.len() == 4 {
            let _ = copy.set_attribute("width", dims[2]);
            let _ = copy.set_attribute("height", dims[3]);
        }
    }
    let _ = copy.set_attribute("class", "export");
    let text = web_sys::XmlSerializer::new()
        .ok()?
        .serialize_to_string(&copy)
        .ok()?;
    // The style goes into the text, not the DOM: the page's CSP forbids inline styles there.
    let text = if inside.is_empty() {
        text
    } else {
        let class = ["class=\"", into, "\""].concat();
        let at = text
            .find(&class)
            .and_then(|i| text[i..].find('>').map(|j| i + j + 1))?;
        [&text[..at], inside, &text[at..]].concat()
    };
    let open_end = text.find('>')? + 1;
    let css = page_css().replace("]]>", "]]]]><![CDATA[>");
    Some(
        [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
            &text[..open_end],
            "<style><![CDATA[\n",
            &css,
            "]]></style>",
            &text[open_end..],
        ]
        .concat(),
    )
}

/// Scrolls `el` into view if its bottom is below the window's (a phone, a projector's panel):
/// its bottom to the bottom of the view, or its top to the top when it is taller than the view.
pub fn reveal_below(el: &web_sys::Element) {
    let Some(h) = web_sys::window().and_then(|w| w.inner_height().ok()?.as_f64()) else {
        return;
    };
    let r = el.get_bounding_client_rect();
    if r.bottom() > h {
        el.scroll_into_view_with_bool(r.height() > h);
    }
}

/// The browser's local storage, if the page may use it.
fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// What the browser keeps of the lessons the reader finished (empty without storage).
pub fn finished_lessons() -> String {
    let key = crate::app::progress::STORAGE_KEY;
    storage()
        .and_then(|s| s.get_item(key).ok()?)
        .unwrap_or_default()
}

/// Adds lesson `id` to the finished lessons the browser keeps (nothing without storage).
pub fn remember_finished(id: &str) {
    let key = crate::app::progress::STORAGE_KEY;
    let stored = crate::app::progress::with(&finished_lessons(), id);
    if let Some(s) = storage() {
        let _ = s.set_item(key, &stored);
    }
}
