//! The page's model in plain Rust: what the reader sees and can do, between the simulation core
//! (`crate::sim`) and the Yew views (`crate::ui`), which only render it and run its effects.
//!
//! - [`lab`]: [`Lab`], the state of one page (its runs, the display clock, the lesson session).
//! - [`update`]: the one [`Msg`] enum and `update(&mut Lab, Msg, now_ms) -> Vec<Effect>`; an
//!   [`Effect`] is what only a browser can do (the address bar, the clipboard, a download, the
//!   frame loop, the title).
//! - [`keys`]: which key does what, where (an embed answers only the arrow keys).
//! - [`link`]: the link format, its one owner (which page, the lab's query, the page flags, the
//!   reader's recorded inputs; parse never fails as a whole, write checks the limits).
//! - [`share`]: copying the frame's link or embed snippet, and the downloads; [`embed`]: what an
//!   embed shows (its panels, which run first) and the Embed dialog's snippet.
//! - [`teach`]: the teacher's page (`?teach=1`): each lesson's questions with their computed
//!   answers, a duration and a classroom flow.
//! - [`made`]: a lesson a teacher makes in the sandbox (steps, captions, questions) and plays.
//! - [`lesson`]: a lesson visit (step, "try it yourself", a prediction whose reveal plays the
//!   stage on to the answer, the answers' score, "watch it happen"); [`progress`]: the lessons a
//!   reader finished, as the browser keeps them.
//! - [`challenge`]: the challenges (`?challenge=<id>`), their starting runs and the predicates
//!   that decide, from the checkers' verdicts over the reader's run, whether one is solved.
//! - [`verdict`]: the checkers' figures for the page, one search slice per call.
//! - [`cards`]: what each metric card says about those figures; [`glossary`]: the terms the
//!   cards and the setup bar explain on hover and focus.
//! - [`history`]: the history diagram's window, each op's description and the verdict line.
//! - [`inspect`]: "look inside" a node or a message (the protocol's state, a message's contents).
//! - [`hunt`]: the anomaly hunt (runs with random faults, in slices, until a checker finds one).
//! - [`tradeoff`]: the latency / stale-read plot, a point per quorum setting tried.
//! - [`still`]: when the panels that do not show a run's progress redraw (not on a frame that
//!   only moved the clock).
//! - [`stage`]: the stage's text sizes for the size it is shown at, labels kept inside it, the
//!   hints a node holds, the regions its link latencies make.
//!
//! No web crate here (a test checks it): all of it builds and is tested natively.

pub mod cards;
pub mod challenge;
pub mod embed;
pub mod glossary;
pub mod history;
pub mod hunt;
pub mod inspect;
pub mod keys;
pub mod lab;
pub mod lesson;
pub mod link;
pub mod made;
pub mod progress;
pub mod share;
pub mod stage;
pub mod still;
pub mod teach;
pub mod tradeoff;
pub mod update;
pub mod verdict;

pub use lab::{Lab, NodeCmd, Run, Sign};
pub use update::{update, Effect, Msg};
