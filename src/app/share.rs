//! Sharing a frame: the link to copy, the `<iframe>` snippet, the downloads, and what the page
//! says about each ("Link copied.", or the text selected to copy by hand when the browser
//! refused). The model decides what to copy or save and what to say; the browser only does it
//! (`Effect::Copy`, `Effect::Download`, `Effect::DownloadSvg`, `Effect::Select`) and reports back
//! with `Msg::Done`.

use super::lab::Lab;
use super::update::{frame_link, written, Effect};
use crate::sim::check::porcupine_log;
use crate::sim::report;

/// What the reader reads when the page could not copy for them: the text is selected.
pub const PRESS_COPY: &str = "Press Ctrl+C (⌘C on a Mac) to copy the selected text.";

/// What can be copied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyWhat {
    Link,
    Embed,
}

/// What can be downloaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Export {
    /// The first stage, as a standalone SVG (the browser serializes it).
    Stage,
    /// The history diagram, as a standalone SVG (the browser serializes it).
    History,
    /// The history file `caplab check` reads.
    Json,
    /// The history as a Porcupine log.
    Porcupine,
}

/// What the browser reports after doing an effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Done {
    Copied(CopyWhat, bool),
    Saved(Export, bool),
}

/// The share bar's state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sharing {
    pub embed_open: bool,
    /// The Embed dialog's choices (from the beginning or this moment, width, panels).
    pub options: super::embed::EmbedOptions,
    /// The last thing said ("Link copied.").
    pub status: Option<String>,
    /// The link to copy by hand, shown selected, after the clipboard refused it.
    pub manual: Option<String>,
}

/// The frame's link, absolute (`base` is the page's address without query), `embed=1` on or off.
pub fn absolute_link(lab: &Lab, embed: bool) -> String {
    let mut link = frame_link(lab);
    link.flags.embed = embed;
    lab.base.clone() + &written(&link)
}

/// A file name for the current frame: `caplab-bank-cp-t1234-stage.svg`.
pub fn file_name(lab: &Lab, what: &str, ext: &str) -> String {
    let t = lab.runs[0].timeline.borrow();
    let mode = t.scenario().mode.as_str();
    let tick = t.sim().now().to_string();
    let scenario = &lab.params.scenario;
    [
        "caplab-", scenario, "-", mode, "-t", &tick, "-", what, ".", ext,
    ]
    .concat()
}

impl Lab {
    /// Copy the link, or the embed snippet: the browser is asked to copy it.
    pub(super) fn copy(&mut self, what: CopyWhat) -> Effect {
        self.sharing.manual = None;
        let text = match what {
            CopyWhat::Link => absolute_link(self, false),
            CopyWhat::Embed => super::embed::snippet(self),
        };
        Effect::Copy { what, text }
    }

    /// A download: the history files are written here, the SVGs by the browser.
    pub(super) fn export(&self, what: Export) -> Effect {
        let t = self.runs[0].timeline.borrow();
        let sim = t.sim();
        match what {
            Export::Stage => Effect::DownloadSvg {
                what,
                name: file_name(self, "stage", "svg"),
            },
            Export::History => Effect::DownloadSvg {
                what,
                name: file_name(self, "history", "svg"),
            },
            Export::Json => Effect::Download {
                what,
                name: file_name(self, "history", "json"),
                mime: "application/json",
                text: report::history_json(sim),
            },
            Export::Porcupine => Effect::Download {
                what,
                name: file_name(self, "porcupine", "jsonl"),
                mime: "application/x-ndjson",
                text: porcupine_log(sim.config().case, sim.history()),
            },
        }
    }

    /// What the page says once the browser did (or could not do) it; a refused copy of the
    /// link shows the link selected, to copy by hand.
    pub(super) fn done(&mut self, done: Done) -> Vec<Effect> {
        let (status, select) = match done {
            Done::Copied(CopyWhat::Link, true) => ("Link copied.", None),
            Done::Copied(CopyWhat::Embed, true) => ("Embed code copied.", None),
            Done::Copied(CopyWhat::Link, false) => {
                self.sharing.manual = Some(absolute_link(self, false));
                (PRESS_COPY, Some("copy-fallback"))
            }
            Done::Copied(CopyWhat::Embed, false) => (PRESS_COPY, Some("embed-code")),
            Done::Saved(_, false) => ("Nothing to export.", None),
            Done::Saved(Export::Stage, true) => ("Stage saved as SVG.", None),
            Done::Saved(Export::History, true) => ("History diagram saved as SVG.", None),
            Done::Saved(Export::Json, true) => ("History saved (caplab check reads it).", None),
            Done::Saved(Export::Porcupine, true) => ("Porcupine log saved.", None),
        };
        self.sharing.status = Some(status.to_string());
        select.map(Effect::Select).into_iter().collect()
    }

    /// The link to copy by hand, while it still is this frame's link (moving on makes it stale).
    pub fn manual_link(&self) -> Option<&str> {
        let m = self.sharing.manual.as_deref()?;
        (m == absolute_link(self, false)).then_some(m)
    }
}
