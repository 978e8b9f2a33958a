//! A lesson a teacher makes in the sandbox, and the same lesson played from its link. The model
//! (`crate::app::made`) keeps the steps and computes every word about the run; this renders them
//! (the teacher's text only ever as text) and sends the clicks. The caption and question typed
//! in the maker stay in this component until "Add step" sends them.

use yew::prelude::*;

use crate::app::link::made::{MAX_CAPTION, MAX_QUESTION, MAX_TITLE};
use crate::app::made::{MadeMsg, MadeView, OPTIONS};
use crate::app::still::Dials;
use crate::lessons::words::ms;
use crate::ui::input_value;
use crate::ui::state::{Msg, Page};

moment_props!(MadeProps, Dials);

fn send(lab: &UseReducerHandle<Page>, m: MadeMsg) -> Callback<MouseEvent> {
    let d = lab.dispatcher();
    Callback::from(move |_: MouseEvent| d.dispatch(Msg::Made(m.clone())))
}

/// The maker (sandbox) or the lesson a link carries (the share bar has the button that opens
/// the maker).
#[function_component(MadePanel)]
pub fn made_panel(p: &MadeProps) -> Html {
    let lab = &p.lab;
    let key = (lab.edits, lab.made.clone(), lab.params.made.clone());
    let view = use_memo(key, |_| lab.made_view());
    let embed = lab.flags.embed;
    match &lab.made {
        Some(v) if v.authoring && !embed => html! { <Maker lab={lab.clone()} moment={p.moment} /> },
        Some(_) => match &*view {
            Some(v) => player(lab, v),
            None => html! {},
        },
        None => html! {},
    }
}

/// One step of a made lesson: the teacher's caption, the run's facts, the question.
fn player(lab: &UseReducerHandle<Page>, v: &MadeView) -> Html {
    let visit = lab.made.clone().unwrap_or_default();
    let title = if v.title.is_empty() {
        "A lesson made in CAP Lab"
    } else {
        v.title.as_str()
    };
    let last = v.step + 1 >= v.steps;
    html! {
        <section class="made-lesson" data-testid="made-lesson" aria-label="lesson">
            <header class="made-head">
                <h2>{ title }</h2>
                <span class="made-count" data-testid="made-count">{ format!("Step {} of {} · {}", v.step + 1, v.steps, ms(v.at)) }</span>
            </header>
            if !v.caption.is_empty() {
                <blockquote class="made-caption" data-testid="made-caption-text">{ v.caption.clone() }</blockquote>
            }
            <div class="made-facts" data-testid="made-facts">
                <p class="made-from">{ "What the run shows here (computed from it):" }</p>
                { for v.facts.paragraphs.iter().map(|t| html! { <p>{ t.clone() }</p> }) }
            </div>
            { question(lab, v, &visit) }
            if let Some(n) = &v.note { <p class="made-note">{ n.clone() }</p> }
            <div class="made-nav">
                <button data-testid="made-back" disabled={v.step == 0} onclick={send(lab, MadeMsg::Back)}>{ "← Back" }</button>
                <button data-testid="made-next" disabled={last && (v.question.is_none() || visit.revealed)}
                        onclick={send(lab, MadeMsg::Next)}>{ "Next →" }</button>
                if !lab.flags.embed {
                    <button data-testid="made-edit" onclick={send(lab, MadeMsg::Author(true))}>{ "✎ Edit" }</button>
                }
            </div>
        </section>
    }
}

fn question(
    lab: &UseReducerHandle<Page>,
    v: &MadeView,
    visit: &crate::app::made::MadeVisit,
) -> Html {
    let Some(q) = &v.question else {
        return html! {};
    };
    let options = OPTIONS.iter().map(|o| {
        let picked = visit.guess.as_deref() == Some(*o);
        html! {
            <button data-testid="made-option" data-option={*o} aria-pressed={picked.to_string()}
                    disabled={visit.revealed} onclick={send(lab, MadeMsg::Guess(Some(o.to_string())))}>{ *o }</button>
        }
    });
    html! {
        <div class="made-question" data-testid="made-question-box">
            <p class="made-q">{ q.text.clone() }</p>
            <p class="made-about">{ format!("About: {}.", q.about) }</p>
            <div class="made-options">{ for options }</div>
            if visit.revealed {
                <p class="made-answer" data-testid="made-answer" data-answer={q.answer.clone()}>
                    <strong>{ reveal_line(visit.guess.as_deref(), &q.answer) }</strong>
                    { " " }{ q.why.clone() }
                </p>
            }
        </div>
    }
}

/// "Right: timeout." / "It was refused (you said ok)." / "The answer: ok."
fn reveal_line(guess: Option<&str>, answer: &str) -> String {
    match guess {
        Some(g) if g == answer => format!("Right: {answer}."),
        Some(g) => format!("The answer: {answer} (you said {g})."),
        None => format!("The answer: {answer}."),
    }
}

/// The maker: a title, the steps so far, a caption and a question for a step at this moment.
#[function_component(Maker)]
fn maker(p: &MadeProps) -> Html {
    let lab = &p.lab;
    let caption = use_state(String::new);
    let question = use_state(String::new);
    let made = lab.params.made.clone().unwrap_or_default();
    let at = lab.runs[0].timeline.borrow().sim().now();
    let on_title = {
        let d = lab.dispatcher();
        Callback::from(move |e: InputEvent| {
            d.dispatch(Msg::Made(MadeMsg::SetTitle(input_value(&e))))
        })
    };
    let typed = |s: &UseStateHandle<String>| {
        let s = s.clone();
        Callback::from(move |e: InputEvent| s.set(input_value(&e)))
    };
    let add = {
        let (d, c, q) = (lab.dispatcher(), caption.clone(), question.clone());
        Callback::from(move |_: MouseEvent| {
            d.dispatch(Msg::Made(MadeMsg::Add {
                caption: (*c).clone(),
                question: (*q).clone(),
            }));
            c.set(String::new());
            q.set(String::new());
        })
    };
    html! {
        <section class="made-maker" data-testid="made-maker" aria-label="make a lesson">
            <header class="made-head">
                <h2>{ "Make a lesson from this run" }</h2>
                <button data-testid="made-close" onclick={send(lab, MadeMsg::Author(false))} aria-label="close the lesson maker">{ "×" }</button>
            </header>
            <p class="made-help">{ "Cut links, crash nodes and send requests as usual: they are recorded. Pause where a step should be, write what to say, and add the step. A question asks what the next request sent after that moment will get; its answer comes from the run." }</p>
            <label>{ "Title" }<input data-testid="made-title" maxlength={MAX_TITLE.to_string()} value={made.title.clone()} oninput={on_title} /></label>
            { steps_list(lab, &made) }
            <label>{ format!("Caption for a step at {}", ms(at)) }
                <textarea data-testid="made-caption" maxlength={MAX_CAPTION.to_string()} value={(*caption).clone()} oninput={typed(&caption)} /></label>
            <label>{ "Question (optional)" }
                <input data-testid="made-question" maxlength={MAX_QUESTION.to_string()} value={(*question).clone()} oninput={typed(&question)} /></label>
            <div class="made-nav">
                <button data-testid="made-add" onclick={add}>{ format!("+ Add step at {}", ms(at)) }</button>
                <button data-testid="made-play" disabled={made.steps.is_empty()} onclick={send(lab, MadeMsg::Play)}>{ "▶ Play it as a lesson" }</button>
                <button data-testid="made-copy" disabled={made.steps.is_empty()} onclick={send(lab, MadeMsg::CopyLink)}>{ "Copy lesson link" }</button>
            </div>
            if !made.steps.is_empty() {
                <input class="made-link" data-testid="made-link" readonly=true aria-label="the lesson's link" value={lab.made_link()} />
            }
        </section>
    }
}

fn steps_list(lab: &UseReducerHandle<Page>, made: &crate::app::link::made::Made) -> Html {
    if made.steps.is_empty() {
        return html! { <p class="made-empty">{ "No steps yet." }</p> };
    }
    let items = made.steps.iter().enumerate().map(|(i, s)| {
        let q = s.question.as_deref().map(|q| format!(" · asks: {q}")).unwrap_or_default();
        html! {
            <li data-testid="made-step">
                <span>{ format!("{}. {} — ", i + 1, ms(s.at)) }{ s.caption.clone() }{ q }</span>
                <button onclick={send(lab, MadeMsg::Remove(i))} aria-label={format!("remove step {}", i + 1)}>{ "remove" }</button>
            </li>
        }
    });
    html! { <ol class="made-steps">{ for items }</ol> }
}
