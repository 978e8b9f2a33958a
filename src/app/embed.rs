//! What an embed (`embed=1`, the iframe a blog author pastes) shows, and the Embed dialog's
//! choices: which panels sit beside the stage(s), which run a lesson embed shows first when its
//! runs take turns, and the `<iframe>` snippet (from the beginning or this moment, a fixed or a
//! responsive width, the panels chosen). The views only render what this decides.

use super::lab::Lab;
use super::link::{Page, Panels};
use super::update::{frame_link, written};
use crate::lessons::Narration;

/// An embed's own width and height, in CSS px (the snippet's size, and its aspect ratio).
pub const WIDTH: u32 = 800;
pub const HEIGHT: u32 = 500;

/// The Embed dialog's choices.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EmbedOptions {
    /// Start at the beginning (a lesson's first step, the run's start) rather than at this
    /// moment.
    pub from_start: bool,
    /// The iframe fills the width of its column and keeps its aspect ratio.
    pub responsive: bool,
    /// The panels chosen (`None`: the page's own, see [`default_panels`]).
    pub panels: Option<Panels>,
}

/// A change in the Embed dialog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmbedOpt {
    FromStart(bool),
    Responsive(bool),
    /// Panel `PANEL_WORDS[i]` on or off.
    Panel(usize, bool),
}

/// The panels an embed shows when its link does not say: a lesson's history (the narration
/// points into it); the sandbox's controls, and its cards when one run leaves room for them
/// beside the stage (two runs side by side have none in 800 × 500); the history does not fit.
pub fn default_panels(lesson: bool, runs: usize) -> Panels {
    Panels {
        history: lesson,
        cards: !lesson && runs == 1,
        controls: !lesson,
    }
}

/// [`default_panels`] for this page.
fn own_panels(lab: &Lab) -> Panels {
    default_panels(lab.lesson.is_some(), lab.runs.len())
}

/// The panels this page shows: its link's, or its own.
pub fn panels(lab: &Lab) -> Panels {
    lab.flags.panels.unwrap_or_else(|| own_panels(lab))
}

/// The run a lesson's text names first ("the 'crash' run", "the LWW run", "the first run"),
/// else the first.
pub fn first_named_run(labels: &[&str], narration: &Narration) -> usize {
    const ORDINALS: [&str; 3] = ["first run", "second run", "third run"];
    let joined = narration.paragraphs.join(" ");
    let text = joined.as_str();
    let names = |i: usize, l: &str| {
        let quoted = (!l.is_empty()).then(|| [format!("'{l}'"), format!("{l} run")]);
        let ordinal = ORDINALS.get(i).map(|o| o.to_string());
        quoted.into_iter().flatten().chain(ordinal)
    };
    labels
        .iter()
        .enumerate()
        .flat_map(|(i, l)| names(i, l).filter_map(move |n| text.find(&n).map(|at| (at, i))))
        .min()
        .map_or(0, |(_, i)| i)
}

/// The run a lesson shows where its runs take turns (an embed, a phone): the one the reader
/// picked on this step, else the one the step's question is about, else the one its text names
/// first.
pub fn shown_run(lab: &Lab, narration: &Narration) -> usize {
    let Some(s) = lab.lesson.as_ref() else {
        return 0;
    };
    let labels: Vec<&str> = s.lesson.stages.iter().map(|st| st.label).collect();
    let run = s.shown.unwrap_or_else(|| {
        s.lesson
            .asked_run(s.step)
            .unwrap_or_else(|| first_named_run(&labels, narration))
    });
    run.min(lab.runs.len().saturating_sub(1))
}

impl Lab {
    /// The Embed dialog's choice `opt`.
    pub(super) fn embed_option(&mut self, opt: EmbedOpt) -> bool {
        let o = &mut self.sharing.options;
        match opt {
            EmbedOpt::FromStart(on) => o.from_start = on,
            EmbedOpt::Responsive(on) => o.responsive = on,
            EmbedOpt::Panel(i, on) => {
                let mut p = dialog_panels(self);
                let word = super::link::PANEL_WORDS.get(i);
                let Some(slot) = word.and_then(|w| p.slot(w)) else {
                    return false;
                };
                *slot = on;
                self.sharing.options.panels = Some(p);
            }
        }
        true
    }
}

/// Whether the Embed dialog offers panel `PANEL_WORDS[i]`: a lesson embed's only panel is its
/// history (its cards and controls belong to free play, in the full view).
pub fn offers(lab: &Lab, i: usize) -> bool {
    lab.lesson.is_none() || i == 0
}

/// The panels the Embed dialog shows ticked.
pub fn dialog_panels(lab: &Lab) -> Panels {
    let own = own_panels(lab);
    lab.sharing.options.panels.unwrap_or(own)
}

/// The link the snippet embeds (absolute, `embed=1`): this frame, or its beginning (a lesson's
/// first step; the run's start, the reader's clicks kept, replayed as it plays); the panels
/// only when they are not the page's own.
pub fn embed_link(lab: &Lab) -> String {
    let o = lab.sharing.options;
    let mut link = frame_link(lab);
    link.flags.embed = true;
    link.flags.present = false;
    let own = own_panels(lab);
    link.flags.panels = Some(dialog_panels(lab)).filter(|p| *p != own);
    if o.from_start {
        match &mut link.page {
            Page::Lesson { step, .. } => *step = 0,
            Page::Lab { params, .. } => (params.t, params.e, params.e2) = (None, None, None),
            Page::Landing | Page::Teach => {}
        }
    }
    lab.base.clone() + &written(&link)
}

/// The `<iframe>` snippet for a blog post (attribute-escaped; the page shows it as text): a
/// fixed 800 × 500 frame, or a responsive one (a `div` as wide as its column, at most 800 px,
/// that keeps the 8 : 5 aspect ratio; no script).
pub fn snippet(lab: &Lab) -> String {
    let src = embed_link(lab).replace('&', "&amp;").replace('"', "&quot;");
    let title = "title=\"CAP Lab\" loading=\"lazy\"";
    if lab.sharing.options.responsive {
        format!(
            "<div style=\"width:100%;max-width:{WIDTH}px;aspect-ratio:{WIDTH}/{HEIGHT}\">\
             <iframe src=\"{src}\" style=\"width:100%;height:100%;border:0\" {title}></iframe></div>"
        )
    } else {
        format!("<iframe src=\"{src}\" width=\"{WIDTH}\" height=\"{HEIGHT}\" {title}></iframe>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(text: &str) -> Narration {
        Narration {
            paragraphs: vec![text.to_string()],
            ..Narration::default()
        }
    }

    #[test]
    fn the_run_the_text_names_first_is_shown_first() {
        let labels = ["LWW", "CRDT"];
        assert_eq!(
            first_named_run(&labels, &said("In the CRDT run… the LWW run")),
            1
        );
        assert_eq!(
            first_named_run(&labels, &said("The LWW run lost a like.")),
            0
        );
        assert_eq!(first_named_run(&labels, &said("Both runs agree.")), 0);
        assert_eq!(
            first_named_run(&["CP", "AP"], &said("In the second run")),
            1
        );
        let three = ["crash", "pause", "partition"];
        let text = said("A partition… In the 'pause' run: n1 is paused. In the 'crash' run");
        assert_eq!(first_named_run(&three, &text), 1);
    }

    #[test]
    fn a_lesson_embed_shows_its_history_and_the_sandbox_its_cards_and_controls() {
        assert!(default_panels(true, 2).history && !default_panels(true, 1).cards);
        let sandbox = default_panels(false, 1);
        assert!(!sandbox.history && sandbox.cards && sandbox.controls);
        let side = default_panels(false, 2);
        assert!(!side.history && !side.cards && side.controls);
    }
}
