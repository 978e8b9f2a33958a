//! The share bar: copy link, the embed snippet, presenter mode, the shortcut list, the
//! downloads (stage / history as SVG, the history file `caplab check` reads, a Porcupine log),
//! and in embed mode a small "open full view" link. What to copy or save, and what to say about
//! it, is the model's ([`crate::app::share`]); this renders it and sends the clicks.

use yew::prelude::*;

use crate::app::embed::{dialog_panels, offers, snippet, EmbedOpt};
use crate::app::link::PANEL_WORDS;
use crate::app::share::{absolute_link, CopyWhat, Export};
use crate::app::still::Moment;
use crate::app::Lab;
use crate::ui::dom;
use crate::ui::keys::PageKeys;
use crate::ui::state::{Msg, Page};

moment_props!(ShareProps, Moment);

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
                { embed_button(lab) }
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
            { open_full(lab) }
            <PageKeys lab={lab.clone()} buttons={false} />
        </nav>
    }
}

/// "Open full view": this frame (a lesson: this step), not embedded, in a new tab.
pub fn open_full(lab: &Lab) -> Html {
    html! {
        <a class="open-full" data-testid="open-full" href={absolute_link(lab, false)}
           target="_blank" rel="noopener">{ "Open full view ↗" }</a>
    }
}

/// The Embed button (it opens [`embed_panel`]).
pub fn embed_button(lab: &UseReducerHandle<Page>) -> Html {
    let open = lab.sharing.embed_open;
    html! {
        <button data-testid="embed" aria-expanded={open.to_string()}
                onclick={send(lab, Msg::ToggleEmbedPanel)}>{ "</> Embed" }</button>
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

/// The open embed panel: its choices, the `<iframe>` snippet they give, a copy button, close.
pub fn embed_panel(lab: &UseReducerHandle<Page>) -> Html {
    let o = lab.sharing.options;
    let choice = |id: &'static str, label: &'static str, on: bool, opt: fn(bool) -> EmbedOpt| {
        let d = lab.dispatcher();
        let onchange = Callback::from(move |_: Event| d.dispatch(Msg::EmbedOption(opt(!on))));
        html! { <label><input type="checkbox" data-testid={id} checked={on} {onchange} />{ label }</label> }
    };
    let start = if lab.lesson.is_some() {
        "Start at step 1"
    } else {
        "Start at the beginning"
    };
    html! {
        <div class="embed-panel" data-testid="embed-panel">
            <fieldset class="embed-options">
                <legend>{ "Embed" }</legend>
                { choice("embed-from-start", start, o.from_start, EmbedOpt::FromStart) }
                { choice("embed-responsive", "Fit the column's width (keeps 8 : 5)", o.responsive, EmbedOpt::Responsive) }
                { panel_choices(lab) }
            </fieldset>
            <label for="embed-code">{ "Paste this into your blog post:" }</label>
            <textarea id="embed-code" data-testid="embed-code" readonly=true rows="3" value={snippet(lab)} />
            <div class="row">
                <button data-testid="embed-copy" onclick={send(lab, Msg::Copy(CopyWhat::Embed))}>{ "Copy code" }</button>
                <button onclick={send(lab, Msg::ToggleEmbedPanel)}>{ "Close" }</button>
            </div>
        </div>
    }
}

/// One checkbox per panel the embed may show (history, cards, controls).
fn panel_choices(lab: &UseReducerHandle<Page>) -> Html {
    let p = dialog_panels(lab);
    let on = [p.history, p.cards, p.controls];
    let all = PANEL_WORDS.iter().zip(on).enumerate();
    let boxes = all.filter(|(i, _)| offers(lab, *i)).map(|(i, (word, on))| {
        let d = lab.dispatcher();
        let onchange =
            Callback::from(move |_: Event| d.dispatch(Msg::EmbedOption(EmbedOpt::Panel(i, !on))));
        html! { <label><input type="checkbox" data-testid={format!("embed-panel-{word}")} checked={on} {onchange} />{ *word }</label> }
    });
    html! { <span class="embed-panels">{ "Show: " }{ for boxes }</span> }
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
