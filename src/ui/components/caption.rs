//! The caption under the stage: the last finished request in one sentence, in an `aria-live`
//! region (announced while paused; silent while playing, so a screen reader is not flooded).
//! Large and visible in presenter mode; visually hidden otherwise.

use yew::prelude::*;

use crate::app::still::Dials;
use crate::sim::types::OpRecord;
use crate::ui::fmt;

moment_props!(CaptionProps, Dials);

/// The op that finished last (by completion tick, then id), if any.
fn last_finished(ops: &[OpRecord]) -> Option<&OpRecord> {
    ops.iter()
        .filter(|o| o.outcome().is_some())
        .max_by_key(|o| (o.completed_at(), o.id))
}

#[function_component(Caption)]
pub fn caption(p: &CaptionProps) -> Html {
    let lab = &p.lab;
    let t = lab.runs[0].timeline.borrow();
    let sim = t.sim();
    let text = match last_finished(sim.history()) {
        Some(o) => {
            let who = sim
                .clients()
                .get(usize::from(o.client))
                .map(|c| fmt::client_label(&c.name, c.node))
                .unwrap_or_default();
            [who.as_str(), ": ", &fmt::outcome_text(o)].concat()
        }
        None => "No request has finished yet.".to_string(),
    };
    let live = if lab.playing { "off" } else { "polite" };
    html! {
        <p class={classes!("caption", (!lab.flags.present).then_some("sr-only"))}
           data-testid="caption" aria-live={live}>{ text }</p>
    }
}
