//! The link format, in one place: which page a URL opens (the landing page, the lab, a lesson
//! step), the lab's query, the page flags (`embed`, `present`) and the reader's recorded inputs.
//!
//! Pure Rust (no web crate), tested natively. [`parse`] reads what the browser gives
//! (`location.search`, `location.hash`) and never fails as a whole: a bad key is dropped (the
//! scenario's own setting is used) with one plain-text sentence for the reader, a cut-short or
//! damaged fragment keeps the inputs read before the bad entry and says how many were left out,
//! and a link over [`MAX_LINK_BYTES`] opens what its first bytes hold. [`write`] is the one
//! writer, and refuses (a typed [`LinkError`]) a link that would not open whole; [`fits`] tells
//! the model beforehand whether one more input still fits.
//!
//! - `query.rs`: the query keys ([`Params`], [`Flags`]);
//! - `codec.rs`: the `#` fragment, the compact codec of the recorded inputs;
//! - `route.rs`: lesson routes (`?lesson=<id>&step=<n>`), and [`route`] for the page's router;
//! - `open.rs`: the runs a lab link describes, its numbers fitted to them ([`open_link`]).

mod codec;
pub mod made;
mod open;
mod query;
mod route;

#[cfg(test)]
mod tests;

pub use codec::{
    decode_action, decode_inputs, decode_lenient, encode_action, encode_inputs, parse_fragment,
    to_fragment, Decoded,
};
pub use open::{fit_events, open, open_link, Opened};
pub use query::{Flags, Panels, Params, DEFAULT_SCENARIO, PANEL_WORDS};
pub use route::{lesson_query, route, Route};

use crate::sim::action::Action;

/// Longest query, and longest fragment, a link may have, in bytes.
pub const MAX_LINK_BYTES: usize = 16 * 1024;
/// Most inputs a link may carry per run.
pub const MAX_LINK_INPUTS: usize = 2000;

/// One run's recorded inputs: (events processed before it, action), in order.
pub type Inputs = Vec<(u64, Action)>;

/// Which page a link opens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Page {
    /// The lesson picker beside a live stage (a link with no lab or lesson key).
    Landing,
    /// The full visualizer: its query and the recorded inputs of its one or two runs.
    Lab { params: Params, inputs: [Inputs; 2] },
    /// Step `step` (0-based; `step=<step + 1>` in the link) of the lesson `id`.
    Lesson { id: String, step: usize },
    /// The teacher's page (`?teach=1`): every lesson's questions, answers and a classroom flow.
    Teach,
}

/// Everything a link says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub page: Page,
    pub flags: Flags,
}

/// Why [`write`] refused a link: it would not open whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkError {
    /// Run `run` (0 or 1) has more than [`MAX_LINK_INPUTS`] inputs.
    TooManyInputs { run: usize, count: usize },
    /// The query or the fragment would be over [`MAX_LINK_BYTES`].
    TooLong { part: &'static str, bytes: usize },
}

impl std::fmt::Display for LinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkError::TooManyInputs { run, count } => write!(
                f,
                "run {} has {count} recorded actions; a link holds at most {MAX_LINK_INPUTS}",
                run + 1
            ),
            LinkError::TooLong { part, bytes } => write!(
                f,
                "the link's {part} would be {bytes} bytes; a link holds at most {MAX_LINK_BYTES}"
            ),
        }
    }
}

impl std::error::Error for LinkError {}

/// The largest index `<= max` that is a char boundary of `s`.
pub(crate) fn floor_boundary(s: &str, max: usize) -> usize {
    (0..=max.min(s.len()))
        .rev()
        .find(|i| s.is_char_boundary(*i))
        .unwrap_or(0)
}

/// The link for a URL's query and fragment, with one note per part that was dropped or changed.
/// Never fails, never panics; at most [`MAX_LINK_BYTES`] of each part is decoded.
pub fn parse(query: &str, fragment: &str) -> (Link, Vec<String>) {
    let mut notes = Vec::new();
    let mut q = query.strip_prefix('?').unwrap_or(query);
    if q.len() > MAX_LINK_BYTES {
        notes.push(codec::too_long("settings", q.len()));
        // Keep the pairs that end inside the limit; the last one may be partial.
        let cut = &q[..floor_boundary(q, MAX_LINK_BYTES)];
        q = cut.rfind('&').map_or("", |i| &cut[..i]);
    }
    let pairs = q.split('&').filter(|p| !p.is_empty());
    let pairs = pairs.map(|p| p.split_once('=').unwrap_or((p, "")));
    let (mut flags, mut params) = (Flags::default(), Params::default());
    let (mut lesson, mut step, mut lab, mut teach) = (None, None, false, false);
    let mut challenge = None;
    let mut lab_notes = Vec::new(); // said only when the link opens the lab
    for (k, v) in pairs {
        let applied = match k {
            "lesson" => {
                lesson = Some(v);
                Ok(())
            }
            "step" => {
                step = Some(v);
                Ok(())
            }
            "teach" => {
                teach = v == "1";
                Ok(())
            }
            "challenge" => {
                challenge = Some(v);
                Ok(())
            }
            "embed" | "present" | "panels" => query::apply_flag(&mut flags, k, v),
            _ if query::LAB_KEYS.contains(&k) => {
                lab = true;
                lab_notes.extend(query::apply_lab(&mut params, k, v).err());
                Ok(())
            }
            _ => Ok(()),
        };
        notes.extend(applied.err());
    }
    let f = fragment.strip_prefix('#').unwrap_or(fragment);
    let page = match (lesson, challenge) {
        (None, None) if teach => Page::Teach,
        (Some(id), _) => route::lesson_page(id, step, &mut notes),
        (None, Some(id)) => challenge_page(id, params, f, &mut notes),
        (None, None) if lab || !f.is_empty() => {
            let (inputs, more) = parse_fragment(f);
            notes.extend(lab_notes.into_iter().chain(more));
            Page::Lab { params, inputs }
        }
        (None, None) => Page::Landing,
    };
    (Link { page, flags }, notes)
}

/// The page of a challenge link: the challenge's starting run at the link's frame (`t`, `e`)
/// with the recorded inputs of the fragment; the landing page, with a note, for an unknown id.
fn challenge_page(id: &str, frame: Params, fragment: &str, notes: &mut Vec<String>) -> Page {
    let Some(c) = crate::app::challenge::find(id) else {
        notes.push(format!(
            "There is no challenge called \"{}\". Pick one below.",
            query::clip(id)
        ));
        return Page::Landing;
    };
    let (inputs, more) = parse_fragment(fragment);
    notes.extend(more);
    let params = Params {
        t: frame.t,
        e: frame.e,
        e2: frame.e2,
        ..c.params()
    };
    Page::Lab { params, inputs }
}

/// The link as a URL's query and fragment (`?…#…`; the landing page without flags is `?`, so
/// that a `replaceState` with it clears the old query, which an empty URL would keep). Refuses a link that would not open
/// whole: more than [`MAX_LINK_INPUTS`] inputs in a run, or a part over [`MAX_LINK_BYTES`].
/// Values are written as they are: one the parser does not take back (an unknown scenario, a
/// lesson step past its end) is reported when the link is opened.
pub fn write(link: &Link) -> Result<String, LinkError> {
    let flags = link.flags.to_query();
    let (query, fragment) = match &link.page {
        Page::Landing if flags.is_empty() => ("?".to_string(), String::new()),
        Page::Landing => (format!("?{}", &flags[1..]), String::new()),
        Page::Lesson { id, step } => (lesson_query(id, *step) + &flags, String::new()),
        Page::Teach => ("?teach=1".to_string() + &flags, String::new()),
        Page::Lab { params, inputs } => {
            for (run, list) in inputs.iter().enumerate() {
                if list.len() > MAX_LINK_INPUTS {
                    let count = list.len();
                    return Err(LinkError::TooManyInputs { run, count });
                }
            }
            let fragment = to_fragment(&inputs[0], Some(&inputs[1]));
            (params.to_query() + &flags, fragment)
        }
    };
    for (part, text) in [("settings", &query), ("recorded actions", &fragment)] {
        let bytes = text.len().saturating_sub(1); // without the `?` / `#`
        if bytes > MAX_LINK_BYTES {
            return Err(LinkError::TooLong { part, bytes });
        }
    }
    Ok(query + &fragment)
}

/// Whether run `run` of `inputs` may record one more input (`at`, `action`) and the link still
/// open whole: the model refuses an input past this limit rather than write a link that loses it.
pub fn fits(inputs: &[Inputs; 2], run: usize, at: u64, action: &Action) -> bool {
    assert!(run < 2, "a link holds at most two runs");
    let mut more = inputs.clone();
    more[run].push((at, action.clone()));
    let link = Link {
        page: Page::Lab {
            params: Params::default(),
            inputs: more,
        },
        flags: Flags::default(),
    };
    write(&link).is_ok()
}
