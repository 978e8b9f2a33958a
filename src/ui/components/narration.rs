//! The lesson's side panel: step navigation (dots, "3 / 8", Back / Next), the computed
//! narration (a polite live region), and the predict-then-reveal question.

use std::rc::Rc;

use yew::prelude::*;

use super::lesson::LessonRc;
use crate::app::link::lesson_query;
use crate::lessons::{judge, Narration};

#[derive(Properties, PartialEq)]
pub struct StepNavProps {
    pub lesson: LessonRc,
    pub step: usize,
    pub go: Callback<usize>,
    /// "1 of 2 right": the questions answered in this visit (empty before the first).
    pub score: String,
    /// Next: the model's `LessonMsg::Next` (an unanswered question is revealed first).
    pub next: Callback<MouseEvent>,
    /// Hidden while the reader plays freely.
    pub hidden: bool,
}

/// Dots (one per step), "3 / 8", Back and Next.
#[function_component(StepNav)]
pub fn step_nav(p: &StepNavProps) -> Html {
    if p.hidden {
        return html! {};
    }
    let steps = &p.lesson.0.steps;
    let count = steps.len();
    let at = |s: usize| {
        let go = p.go.clone();
        Callback::from(move |_: MouseEvent| go.emit(s))
    };
    let dots: Html = steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let current = i == p.step;
            html! {
                <li>
                    <button class={classes!("dot", current.then_some("current"), (i < p.step).then_some("done"))}
                            aria-label={format!("step {}: {}", i + 1, s.title)}
                            aria-current={current.then_some("step")} title={s.title}
                            onclick={at(i)} />
                </li>
            }
        })
        .collect();
    let last = p.step + 1 >= count;
    html! {
        <nav class="step-nav" aria-label="lesson steps">
            <ol class="dots">{ dots }</ol>
            <span class="step-count" data-testid="step-count" data-step={(p.step + 1).to_string()}>
                { format!("{} / {}", p.step + 1, count) }
            </span>
            if !p.score.is_empty() { <span class="score" data-testid="score">{ p.score.clone() }</span> }
            <div class="step-buttons">
                <button data-testid="prev" disabled={p.step == 0} onclick={at(p.step.saturating_sub(1))}>{ "← Back" }</button>
                <button class={classes!((!last).then_some("primary"))} data-testid="next" disabled={last}
                        onclick={p.next.clone()}>{ "Next →" }</button>
            </div>
        </nav>
    }
}

#[derive(Properties, PartialEq)]
pub struct NarrationProps {
    pub narration: Rc<Narration>,
    /// A short remark when the text is computed from a changed run or another moment.
    pub note: Option<String>,
    /// Announce changes to screen readers (off while the run plays and the text follows it).
    #[prop_or(true)]
    pub live: bool,
    pub guess: Option<String>,
    pub revealed: bool,
    /// The answer is shown (revealed, and the stage played on to the moment that decides it).
    pub shown: bool,
    /// The reader's pick (`Some(option)`) or "reveal without a guess" (`None`).
    pub on_guess: Callback<Option<String>>,
}

/// On a lesson's last step: a link to the next lesson (or back to all lessons).
pub fn next_lesson(next: Option<(&'static str, &'static str)>) -> Html {
    match next {
        Some((id, title)) => html! {
            <a class="button primary" data-testid="next-lesson" href={lesson_query(id, 0)}>
                { format!("Next lesson: {title} →") }
            </a>
        },
        None => {
            html! { <a class="button primary" data-testid="next-lesson" href="./">{ "All lessons" }</a> }
        }
    }
}

/// Under the options: the answer and why once shown, "watch the stage" while the run plays on
/// to it, or the Reveal button.
fn reveal(p: &NarrationProps, answer_ref: NodeRef) -> Html {
    let n = &p.narration;
    if p.shown {
        html! {
            <div class="reveal-box" ref={answer_ref} data-testid="answer" data-answer={n.answer.clone().unwrap_or_default()}
                 data-guess={p.guess.clone().unwrap_or_default()}>
                <p class="judge">{ judge(n, p.guess.as_deref()) }</p>
                if let Some(w) = &n.why { <p>{ w }</p> }
            </div>
        }
    } else if p.revealed {
        html! { <p class="revealing" data-testid="revealing">{ "Watch the stage: the run plays on to the answer…" }</p> }
    } else {
        let on = p.on_guess.clone();
        html! {
            <button class="reveal" data-testid="reveal" title="show the answer without a guess (let the room vote first)"
                    onclick={Callback::from(move |_| on.emit(None))}>{ "Reveal" }</button>
        }
    }
}

/// The step's title and paragraphs, then the question (if any) and, once revealed, the answer.
#[function_component(NarrationPanel)]
pub fn narration_panel(p: &NarrationProps) -> Html {
    let n = &p.narration;
    // The answer, once shown, is scrolled into view where it would be below it.
    let answer_ref = use_node_ref();
    use_effect_with((p.shown, answer_ref.clone()), |(shown, r)| {
        if let (true, Some(el)) = (*shown, r.cast::<web_sys::Element>()) {
            crate::ui::dom::reveal_below(&el);
        }
    });
    let paragraphs: Html = n
        .paragraphs
        .iter()
        .map(|t| html! { <p>{ t }</p> })
        .collect();
    let predict = match &n.question {
        Some(q) => {
            let options: Html = n
                .options
                .iter()
                .zip(&n.labels)
                .map(|(o, label)| {
                    let picked = p.guess.as_deref() == Some(o.as_str());
                    let right = p.shown && n.answer.as_deref() == Some(o.as_str());
                    let on = p.on_guess.clone();
                    let pick = o.clone();
                    html! {
                        <button class={classes!("option", picked.then_some("picked"), right.then_some("right"))}
                                data-testid={format!("predict-{o}")} aria-pressed={picked.to_string()}
                                disabled={p.revealed}
                                onclick={Callback::from(move |_| on.emit(Some(pick.clone())))}>
                            { label }
                        </button>
                    }
                })
                .collect();
            let reveal = reveal(p, answer_ref);
            html! {
                <div class={classes!("predict", (!p.revealed).then_some("asking"))} data-testid="predict">
                    <p class="question">{ q }</p>
                    <div class="options" role="group" aria-label="your prediction">{ options }</div>
                    { reveal }
                </div>
            }
        }
        None => html! {},
    };
    html! {
        <>
            <section class="narration" data-testid="narration" aria-live={if p.live { "polite" } else { "off" }}>
                <h2>{ n.title.clone() }</h2>
                if let Some(note) = &p.note { <p class="note" data-testid="edited">{ note }</p> }
                { paragraphs }
            </section>
            { predict }
        </>
    }
}
