//! The share bar: copy link, the embed snippet, presenter mode, the shortcut list, the
//! downloads (stage / history as SVG, the history file `caplab check` reads, a Porcupine log),
//! and in embed mode a small "open full view" link. What to copy or save, and what to say about
//! it, is the model's ([`crate::app::share`]); this renders it and sends the clicks.

use yew::prelude::*;

use crate::app::share::{absolute_link, iframe_snippet, CopyWhat, Export};
use crate::app::Lab;
use crate::ui::dom;
use crate::ui::keys::PageKeys;
use crate::ui::state::{Msg, Page};

#[derive(Properties, PartialEq)]
pub struct ShareProps {
    pub lab: UseReducerHandle<Page>,
}

/// A click that sends `msg`.
fn send(lab: &UseReducerHandle<Page>, msg: Msg) -> Callback<MouseEvent> {
    let d = lab.dispatcher();
    Callback::from(move |_: MouseEvent| d.dispatch(msg.clone()))
}

#[function_component(ShareBar)]
pub fn share_bar(p: &ShareProps) -> Html {
    let lab = &p.lab;
    let (embed, present) = (lab.flags.embed, lab.flags.present);
    use_effect_with((embed, present), |(embed, present)| {
        dom::set_root_class("embed", *embed);
        dom::set_root_class("present", *present);
    });
    if embed {
        return embedded_bar(lab);
    }
    let open = lab.sharing.embed_open;
    html! {
        <nav class="share" aria-label="share and export">
            <div class="share-row">
                <button data-testid="copy-link" onclick={send(lab, Msg::Copy(CopyWhat::Link))}>{ "Copy link" }</button>
                <button data-testid="embed" aria-expanded={open.to_string()}
                        onclick={send(lab, Msg::ToggleEmbedPanel)}>{ "</> Embed" }</button>
                <PageKeys lab={lab.clone()} />
                { export_menu(lab) }
                <span class="share-status" role="status" data-testid="share-status">
                    { lab.sharing.status.clone().unwrap_or_default() }
                </span>
            </div>
            { copy_fallback(lab) }
            if open { { embed_panel(lab) } }
        </nav>
    }
}

/// In embed mode: only "open full view" (and the keyboard shortcuts).
fn embedded_bar(lab: &UseReducerHandle<Page>) -> Html {
    html! {
        <nav class="share embedded" aria-label="share">
            <a class="open-full" data-testid="open-full" href={absolute_link(lab, false)}
               target="_blank" rel="noopener">{ "Open full view ↗" }</a>
            <PageKeys lab={lab.clone()} buttons={false} />
        </nav>
    }
}

/// The "Download" menu: stage and history diagrams, the history file, a Porcupine log.
fn export_menu(lab: &UseReducerHandle<Page>) -> Html {
    let item = |id: &'static str, what: Export, label: &'static str| {
        html! { <button data-testid={id} onclick={send(lab, Msg::Export(what))}>{ label }</button> }
    };
    html! {
        <details class="export" data-testid="export">
            <summary>{ "Download" }</summary>
            <span class="export-items">
                { item("export-stage", Export::Stage, "stage (SVG)") }
                { item("export-history", Export::History, "history diagram (SVG)") }
                { item("export-json", Export::Json, "history (JSON)") }
                { item("export-porcupine", Export::Porcupine, "Porcupine log") }
            </span>
        </details>
    }
}

/// The open embed panel: the `<iframe>` snippet of this exact frame, a copy button, close.
fn embed_panel(lab: &UseReducerHandle<Page>) -> Html {
    let snippet = iframe_snippet(&absolute_link(lab, true));
    html! {
        <div class="embed-panel" data-testid="embed-panel">
            <label for="embed-code">{ "Paste this into your blog post (800 × 500, this exact frame):" }</label>
            <textarea id="embed-code" data-testid="embed-code" readonly=true rows="3" value={snippet} />
            <div class="row">
                <button data-testid="embed-copy" onclick={send(lab, Msg::Copy(CopyWhat::Embed))}>{ "Copy code" }</button>
                <button onclick={send(lab, Msg::ToggleEmbedPanel)}>{ "Close" }</button>
            </div>
        </div>
    }
}

/// The link to copy by hand after the clipboard refused it, while it is this frame's link.
fn copy_fallback(lab: &Lab) -> Html {
    match lab.manual_link() {
        Some(link) => html! {
            <div class="copy-fallback">
                <label for="copy-fallback">{ "The browser did not let the page copy. The link is selected below:" }</label>
                <textarea id="copy-fallback" data-testid="copy-fallback" readonly=true rows="2" value={link.to_string()} />
            </div>
        },
        None => html! {},
    }
}
