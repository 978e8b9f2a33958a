//! A challenge above the sandbox (`?challenge=<id>`): its goal, the reader's tools, and its
//! status as `app::challenge` computes it from the checkers' verdicts over the reader's run;
//! and the landing page's list of challenges.

use yew::prelude::*;

use crate::app::challenge::{self, Challenge, Goal, Status, CHALLENGES, TRIES, WHY_IMPOSSIBLE};
use crate::app::update::address;
use crate::ui::state::{Lab, Msg, Page};

#[derive(Properties, PartialEq)]
pub struct ChallengeProps {
    pub lab: UseReducerHandle<Page>,
}

/// The goal, the tools, the status, the share link of a solution and "Try again".
#[function_component(ChallengePanel)]
pub fn challenge_panel(p: &ChallengeProps) -> Html {
    let lab = &p.lab;
    let status = lab.challenge_status().unwrap_or(Status::Open);
    let solved = matches!(status, Status::Solved(_));
    let contrast = {
        let lab = lab.clone();
        use_memo((lab.edits, solved), move |_| {
            let lww = lab.challenge().is_some_and(|c| c.kind == Goal::LostLike);
            (lww && solved).then(|| {
                let t = lab.runs[0].timeline.borrow();
                challenge::contrast_words(challenge::crdt_contrast(&t))
            })
        })
    };
    let Some(c) = lab.challenge() else {
        return html! {};
    };
    let d = lab.dispatcher();
    let retry = Callback::from(move |_: MouseEvent| d.dispatch(Msg::Reset));
    html! {
        <section class="challenge" data-testid="challenge" aria-labelledby="challenge-title">
            <h2 id="challenge-title"><span class="kicker">{ "Challenge · " }</span>{ c.title }</h2>
            <p class="challenge-goal" data-testid="challenge-goal">{ c.goal }</p>
            <p class="challenge-tools">{ c.tools }</p>
            <div class="challenge-status" data-testid="challenge-status" data-state={status.slug()} role="status">
                { body(lab, c, &status, (*contrast).clone()) }
            </div>
            <p class="challenge-actions">
                <button data-testid="challenge-retry" onclick={retry}>{ "↺ Try again" }</button>
                <a href="?">{ "All challenges" }</a>
            </p>
        </section>
    }
}

/// What the status says: not yet (with the tries so far), solved (what the checker found and
/// a link that replays it), or impossible (why, with the reader's own tries).
fn body(lab: &Lab, c: &Challenge, status: &Status, contrast: Option<String>) -> Html {
    let tries: Html = lab
        .tries
        .failed
        .iter()
        .map(|t| html! { <li>{ t.clone() }</li> })
        .collect();
    match status {
        Status::Open if c.kind == Goal::AlwaysAvailable && !lab.tries.failed.is_empty() => html! {
            <>
                <p class="challenge-state">{ format!("Not yet: {} of {TRIES} tries failed.", lab.tries.failed.len()) }</p>
                <ul class="challenge-tries">{ tries }</ul>
            </>
        },
        Status::Open => {
            html! { <p class="challenge-state">{ "Not solved yet. The checkers judge your run as it plays." }</p> }
        }
        Status::Solved(found) => html! {
            <>
                <p class="challenge-state"><strong>{ "Solved. " }</strong>{ found.clone() }</p>
                if let Some(words) = contrast { <p data-testid="challenge-contrast">{ words }</p> }
                <p><a data-testid="challenge-link" href={address(lab)}>{ "Link to your solution" }</a>
                    { " (it replays your clicks)." }</p>
            </>
        },
        Status::Impossible => html! {
            <>
                <p class="challenge-state"><strong>{ "Impossible — and that is the point." }</strong>{ " In your tries:" }</p>
                <ul class="challenge-tries">{ tries }</ul>
                <p>{ WHY_IMPOSSIBLE }</p>
            </>
        },
    }
}

/// The landing page's list: each challenge's title and goal, linking to it.
pub fn list() -> Html {
    let items: Html = CHALLENGES
        .iter()
        .map(|c| {
            html! {
                <li>
                    <a class="card" href={format!("?challenge={}", c.id)} data-testid={format!("challenge-{}", c.id)}>
                        <span class="card-text">
                            <span class="card-title">{ c.title }</span>
                            <span class="card-promise">{ c.goal }</span>
                        </span>
                    </a>
                </li>
            }
        })
        .collect();
    html! {
        <section class="challenges" aria-labelledby="challenges-title">
            <h2 id="challenges-title">{ "Challenges" }</h2>
            <p class="lead">{ "Make the system misbehave: each challenge is solved only when the checkers find it in your run." }</p>
            <ul class="cards" data-testid="challenges">{ items }</ul>
        </section>
    }
}
