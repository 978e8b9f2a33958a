//! Live metrics, computed by the sim's checkers (see `app::verdict`) and worded by `app::cards`,
//! each with a machine-readable `data-value`. This component only renders the cards.

use yew::prelude::*;

use super::term::term;
use crate::app::cards::{cards, Card};
use crate::app::verdict::Verdict;
use crate::sim::types::{Case, Mode};

#[derive(Properties, PartialEq)]
pub struct MetricsProps {
    pub verdict: Verdict,
    pub case: Case,
    pub mode: Mode,
}

fn card(c: &Card) -> Html {
    let label = match c.term {
        Some(id) => term(id, c.label),
        None => html! { { c.label } },
    };
    html! {
        <div class={classes!("metric", c.tone)} data-testid={format!("metric-{}", c.id)} data-value={c.value.clone()}>
            <span class="metric-value">{ c.shown.clone() }</span>
            <span class="metric-label">{ label }</span>
            if !c.note.is_empty() { <span class="metric-note">{ c.note.clone() }</span> }
        </div>
    }
}

#[function_component(Metrics)]
pub fn metrics(p: &MetricsProps) -> Html {
    html! {
        <div class="metrics" aria-label="metrics">
            { for cards(&p.verdict, p.case, p.mode).iter().map(card) }
        </div>
    }
}
