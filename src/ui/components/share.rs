//! Sharing and teaching tools: copy link, the embed snippet, presenter mode, the shortcut list,
//! exports (stage / history as SVG, the history file `caplab check` reads, a Porcupine log),
//! and in embed mode a small "open full view" link. Also the keyboard shortcuts' owner.

use yew::prelude::*;

use super::messages;
use super::stage::layout;
use crate::app::update::{frame_link, written};
use crate::app::Lab;
use crate::sim::check::porcupine_log;
use crate::sim::report;
use crate::ui::dom;
use crate::ui::keys::PageKeys;
use crate::ui::state::{Msg, Page};

#[derive(Properties, PartialEq)]
pub struct ShareProps {
    pub lab: UseReducerHandle<Page>,
}

/// The share link of the frame, absolute, with `embed=1` on or off.
fn absolute_link(lab: &Lab, embed: bool) -> String {
    let mut link = frame_link(lab);
    link.flags.embed = embed;
    dom::page_base() + &written(&link)
}

/// The `<iframe>` snippet for a blog post (attribute-escaped; the page shows it as text).
pub fn iframe_snippet(src: &str) -> String {
    let src = src.replace('&', "&amp;").replace('"', "&quot;");
    [
        "<iframe src=\"",
        &src,
        "\" width=\"800\" height=\"500\" title=\"CAP Lab\" loading=\"lazy\"></iframe>",
    ]
    .concat()
}

/// A file name for the current frame: `caplab-bank-cp-t1234.svg`.
fn file_name(lab: &Lab, what: &str, ext: &str) -> String {
    let t = lab.runs[0].timeline.borrow();
    let mode = t.scenario().mode.as_str();
    let tick = t.sim().now().to_string();
    [
        "caplab-",
        &lab.params.scenario,
        "-",
        mode,
        "-t",
        &tick,
        "-",
        what,
        ".",
        ext,
    ]
    .concat()
}

/// The first stage's messages at the lab's clock as SVG paths (the page paints them on a canvas).
fn stage_messages(lab: &Lab) -> String {
    let t = lab.runs[0].timeline.borrow();
    let sim = t.sim();
    let pos = layout(sim.node_count());
    messages::svg_paths(&messages::on_the_wire(sim, &pos, lab.clock, false))
}

fn export(lab: &Lab, what: &str) -> bool {
    match what {
        "stage" => dom::svg_file("svg.stage", "messages", &stage_messages(lab))
            .is_some_and(|s| dom::download(&file_name(lab, "stage", "svg"), "image/svg+xml", &s)),
        "history" => dom::svg_file("svg.history-svg", "", "")
            .is_some_and(|s| dom::download(&file_name(lab, "history", "svg"), "image/svg+xml", &s)),
        "json" | "porcupine" => {
            let t = lab.runs[0].timeline.borrow();
            let sim = t.sim();
            let cfg = sim.config();
            if what == "json" {
                let text = report::history_json(sim);
                dom::download(
                    &file_name(lab, "history", "json"),
                    "application/json",
                    &text,
                )
            } else {
                let text = porcupine_log(cfg.case, sim.history());
                dom::download(
                    &file_name(lab, "porcupine", "jsonl"),
                    "application/x-ndjson",
                    &text,
                )
            }
        }
        _ => false,
    }
}

/// What the reader reads when the page could not copy for them: the text is selected.
const PRESS_COPY: &str = "Press Ctrl+C (⌘C on a Mac) to copy the selected text.";

#[function_component(ShareBar)]
pub fn share_bar(p: &ShareProps) -> Html {
    let lab = &p.lab;
    let embed_open = use_state(|| false);
    let status = use_state(String::new);
    // The link to copy by hand, shown selected in a read-only field when the clipboard failed.
    let manual = use_state(|| None::<String>);
    let (embed, present) = (lab.flags.embed, lab.flags.present);
    use_effect_with((embed, present), |(embed, present)| {
        dom::set_root_class("embed", *embed);
        dom::set_root_class("present", *present);
    });
    use_effect_with((*manual).clone(), |m| {
        if m.is_some() {
            dom::select_text("copy-fallback");
        }
    });
    let on_present = {
        let d = lab.dispatcher();
        Callback::from(move |_| d.dispatch(Msg::TogglePresent))
    };
    if embed {
        return embedded_bar(lab, present, on_present);
    }
    let toggle_embed = {
        let embed_open = embed_open.clone();
        Callback::from(move |_: MouseEvent| embed_open.set(!*embed_open))
    };
    let embed_panel = if *embed_open {
        embed_panel(lab, &status, toggle_embed.clone())
    } else {
        html! {}
    };
    html! {
        <nav class="share" aria-label="share and export">
            <div class="share-row">
                <button data-testid="copy-link" onclick={copy_link(lab, &status, &manual)}>{ "Copy link" }</button>
                <button data-testid="embed" aria-expanded={embed_open.to_string()}
                        onclick={toggle_embed}>{ "</> Embed" }</button>
                <PageKeys present={present} on_present={on_present} />
                { export_menu(lab, &status) }
                <span class="share-status" role="status" data-testid="share-status">{ (*status).clone() }</span>
            </div>
            { copy_fallback(lab, &manual) }
            { embed_panel }
        </nav>
    }
}

/// In embed mode: only "open full view" (and the keyboard shortcuts).
fn embedded_bar(lab: &Lab, present: bool, on_present: Callback<()>) -> Html {
    html! {
        <nav class="share embedded" aria-label="share">
            <a class="open-full" data-testid="open-full" href={absolute_link(lab, false)}
               target="_blank" rel="noopener">{ "Open full view ↗" }</a>
            <PageKeys present={present} on_present={on_present} buttons={false} />
        </nav>
    }
}

/// Copies the frame's link; when the browser refuses, says so and offers it selected by hand.
fn copy_link(
    lab: &UseReducerHandle<Page>,
    status: &UseStateHandle<String>,
    manual: &UseStateHandle<Option<String>>,
) -> Callback<MouseEvent> {
    let (lab, status, manual) = (lab.clone(), status.clone(), manual.clone());
    Callback::from(move |_: MouseEvent| {
        let link = absolute_link(&lab, false);
        let (status, manual) = (status.clone(), manual.clone());
        manual.set(None);
        dom::copy(&link.clone(), move |copied| {
            if copied {
                status.set("Link copied.".into());
            } else {
                status.set(PRESS_COPY.into());
                manual.set(Some(link));
            }
        });
    })
}

/// The "Download" menu: stage and history diagrams, the history file, a Porcupine log.
fn export_menu(lab: &UseReducerHandle<Page>, status: &UseStateHandle<String>) -> Html {
    let exporter = |what: &'static str, done: &'static str| {
        let (lab, status) = (lab.clone(), status.clone());
        Callback::from(move |_: MouseEvent| {
            status.set(if export(&lab, what) {
                done.into()
            } else {
                "Nothing to export.".into()
            });
        })
    };
    html! {
        <details class="export" data-testid="export">
            <summary>{ "Download" }</summary>
            <span class="export-items">
                <button data-testid="export-stage" onclick={exporter("stage", "Stage saved as SVG.")}>{ "stage (SVG)" }</button>
                <button data-testid="export-history" onclick={exporter("history", "History diagram saved as SVG.")}>{ "history diagram (SVG)" }</button>
                <button data-testid="export-json" onclick={exporter("json", "History saved (caplab check reads it).")}>{ "history (JSON)" }</button>
                <button data-testid="export-porcupine" onclick={exporter("porcupine", "Porcupine log saved.")}>{ "Porcupine log" }</button>
            </span>
        </details>
    }
}

/// The open embed panel: the `<iframe>` snippet of this exact frame, a copy button, close.
fn embed_panel(lab: &Lab, status: &UseStateHandle<String>, close: Callback<MouseEvent>) -> Html {
    let snippet = iframe_snippet(&absolute_link(lab, true));
    let copy_snippet = {
        let (snippet, status) = (snippet.clone(), status.clone());
        Callback::from(move |_: MouseEvent| {
            let status = status.clone();
            dom::copy(&snippet, move |copied| {
                if copied {
                    status.set("Embed code copied.".into());
                } else {
                    dom::select_text("embed-code");
                    status.set(PRESS_COPY.into());
                }
            });
        })
    };
    html! {
        <div class="embed-panel" data-testid="embed-panel">
            <label for="embed-code">{ "Paste this into your blog post (800 × 500, this exact frame):" }</label>
            <textarea id="embed-code" data-testid="embed-code" readonly=true rows="3" value={snippet} />
            <div class="row">
                <button data-testid="embed-copy" onclick={copy_snippet}>{ "Copy code" }</button>
                <button onclick={close}>{ "Close" }</button>
            </div>
        </div>
    }
}

/// The link to copy by hand after the clipboard failed, shown while it still is this frame's
/// link (moving on makes it stale: it goes away).
fn copy_fallback(lab: &Lab, manual: &Option<String>) -> Html {
    match manual.as_ref().filter(|m| **m == absolute_link(lab, false)) {
        Some(link) => html! {
            <div class="copy-fallback">
                <label for="copy-fallback">{ "The browser did not let the page copy. The link is selected below:" }</label>
                <textarea id="copy-fallback" data-testid="copy-fallback" readonly=true rows="2" value={link.clone()} />
            </div>
        },
        None => html! {},
    }
}
