//! The teacher's page (`?teach=1`): every lesson's goal, duration, steps, questions with their
//! answers and why, and a suggested classroom flow; laid out to print (`@media print`). The
//! sheet is the model's ([`crate::app::teach::sheet`]), computed from the lessons' own runs.

use yew::prelude::*;

use crate::app::teach::{challenges, sheet, TeachChallenge, TeachLesson, TeachQuestion};
use crate::lessons::words::plural;

#[function_component(TeachPage)]
pub fn teach_page() -> Html {
    let sheet = use_memo((), |_| sheet());
    let print = Callback::from(|_: MouseEvent| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    });
    html! {
        <main class="app teach" data-testid="teach">
            <header class="masthead">
                <h1>{ "CAP Lab · for teachers" }</h1>
                <p class="tagline">{ "Each lesson's goal, how long it takes, the questions it asks with their answers, and a way to run it in class. Every answer below was computed by running the lesson." }</p>
                <nav class="teach-tools no-print">
                    <button data-testid="teach-print" onclick={print}>{ "Print this page" }</button>
                    <a href="?">{ "← Lessons" }</a>
                </nav>
            </header>
            { for sheet.iter().enumerate().map(|(i, l)| lesson(i, l)) }
            <h2 class="teach-part">{ "Challenges" }</h2>
            <p>{ "Each challenge is judged by the same checkers that judge every run: the page says solved only when they find the goal in the student's own run." }</p>
            { for challenges().iter().map(challenge) }
        </main>
    }
}

fn lesson(i: usize, l: &TeachLesson) -> Html {
    html! {
        <section class="teach-lesson" data-testid="teach-lesson" data-id={l.id}>
            <h2>{ format!("{}. {}", i + 1, l.title) }</h2>
            <p class="teach-goal"><strong>{ "Goal: " }</strong>{ l.goal }</p>
            <p class="teach-meta">
                { format!("About {} minutes · {} · {} · ", l.minutes, plural(l.steps.len() as u64, "step"), plural(l.questions.len() as u64, "question")) }
                <a href={l.link.clone()}>{ "open the lesson" }</a>
            </p>
            <details class="teach-steps" open=true>
                <summary>{ "Steps" }</summary>
                <ol>{ for l.steps.iter().map(|s| html! { <li>{ *s }</li> }) }</ol>
            </details>
            if !l.questions.is_empty() {
                <h3>{ "Questions and answers" }</h3>
                { for l.questions.iter().map(question) }
            }
            <h3>{ "In class" }</h3>
            <ol class="teach-flow">{ for l.flow.iter().map(|f| html! { <li>{ f.clone() }</li> }) }</ol>
        </section>
    }
}

fn question(q: &TeachQuestion) -> Html {
    let answer = q
        .answer
        .clone()
        .unwrap_or_else(|| "none (the run ended first)".into());
    html! {
        <div class="teach-q" data-testid="teach-question">
            <p class="teach-ask">{ format!("Step {}: {}", q.step + 1, q.question) }</p>
            <p class="teach-options">{ format!("Options: {}", q.options.join(" · ")) }</p>
            <p class="teach-answer" data-testid="teach-answer"><strong>{ format!("Answer: {answer}. ") }</strong>{ q.why.clone() }</p>
        </div>
    }
}

fn challenge(c: &TeachChallenge) -> Html {
    let label = if c.possible {
        "One way: "
    } else {
        "Why it cannot be done: "
    };
    html! {
        <section class="teach-lesson" data-testid="teach-challenge" data-id={c.id}>
            <h3>{ c.title }</h3>
            <p class="teach-goal"><strong>{ "Goal: " }</strong>{ c.goal }</p>
            <p class="teach-meta">{ "About 10 minutes in pairs · " }<a href={c.link.clone()}>{ "open the challenge" }</a></p>
            <p class="teach-options">{ c.tools }</p>
            <p class="teach-answer"><strong>{ label }</strong>{ c.approach }</p>
        </section>
    }
}
