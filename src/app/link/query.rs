//! The query keys of a link: the lab's dials (`scenario`, `mode`, `conflict`, `n`, `r`, `w`,
//! `seed`), its frame (`t`, `e`, `e2`), its switches (`workload`, `faults`, `side`), a teacher's
//! lesson steps (`made`, see `made.rs`), the page
//! flags (`embed`, `present`, `panels`) and a lesson's route (`lesson`, `step`).
//!
//! A key with a bad value is dropped on its own, with one sentence for the reader saying what was
//! asked and what is used instead; the other keys keep their values.

use super::made::Made;
use crate::sim::scenario::{Overrides, Scenario};
use crate::sim::text::clip_escaped;
use crate::sim::types::{Conflict, Mode, Tick, MAX_NODES};

/// The lab's part of a link. `None` = the scenario's own setting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Params {
    pub scenario: String,
    /// The dials a link may force over the scenario's own (mode, conflict, N/R/W, seed).
    pub over: Overrides,
    /// The display tick; a link with `t` opens paused there.
    pub t: Option<Tick>,
    /// Events processed at that tick (makes a mid-tick frame exact).
    pub e: Option<u64>,
    /// The same for the second stage side by side (`e2`): stepping moves one stage at a time.
    pub e2: Option<u64>,
    /// False: the built-in clients' traffic is off (`workload=0`).
    pub workload: bool,
    /// False: the scenario's scripted faults are off (`faults=0`), for hand-driven runs.
    pub faults: bool,
    /// CP and AP side by side.
    pub side: bool,
    /// A lesson a teacher made from this run (`made=`): its steps and captions.
    pub made: Option<Made>,
    /// The challenge this run is (`challenge=<id>`, see `app::challenge`): its starting run
    /// replaces every other dial, and the link writes only the id, the frame and the inputs.
    pub challenge: Option<&'static str>,
}

/// The scenario a link without `scenario` (or with an unknown one) opens.
pub const DEFAULT_SCENARIO: &str = "bank";

impl Default for Params {
    fn default() -> Params {
        Params {
            scenario: DEFAULT_SCENARIO.into(),
            over: Overrides::default(),
            t: None,
            e: None,
            e2: None,
            workload: true,
            faults: true,
            side: false,
            made: None,
            challenge: None,
        }
    }
}

/// The page flags a link of any page may carry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flags {
    /// Compact layout for an iframe (`embed=1`): no page chrome.
    pub embed: bool,
    /// Presenter mode (`present=1`): large text, high contrast, a caption.
    pub present: bool,
    /// The panels an embed shows beside its stage(s) (`panels=history,cards`, `panels=none`);
    /// `None`: the page's own choice (see `app::embed::panels`).
    pub panels: Option<Panels>,
}

/// The panels an embed may show beside its stage(s).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Panels {
    /// The history diagram (compact).
    pub history: bool,
    /// The metric cards.
    pub cards: bool,
    /// The controls: the clients' request buttons, partition / heal.
    pub controls: bool,
}

/// The words of `panels=`, in the order a link lists them.
pub const PANEL_WORDS: [&str; 3] = ["history", "cards", "controls"];

impl Panels {
    /// Every panel on or off.
    pub const fn all(on: bool) -> Panels {
        Panels {
            history: on,
            cards: on,
            controls: on,
        }
    }

    /// The panel named `word` ([`PANEL_WORDS`]).
    pub fn slot(&mut self, word: &str) -> Option<&mut bool> {
        match word {
            "history" => Some(&mut self.history),
            "cards" => Some(&mut self.cards),
            "controls" => Some(&mut self.controls),
            _ => None,
        }
    }

    /// The value of `panels=`: the panels on, comma-separated, or `none`.
    pub fn to_value(self) -> String {
        let on = [self.history, self.cards, self.controls];
        let words: Vec<&str> = PANEL_WORDS
            .iter()
            .zip(on)
            .filter_map(|(w, on)| on.then_some(*w))
            .collect();
        if words.is_empty() {
            "none".into()
        } else {
            words.join(",")
        }
    }

    /// Reads the value of `panels=` (`None`: a word that is not a panel, or nothing at all).
    pub fn parse(v: &str) -> Option<Panels> {
        if v == "none" {
            return Some(Panels::default());
        }
        let mut p = Panels::default();
        for word in v.split(',') {
            *p.slot(word)? = true;
        }
        Some(p)
    }
}

/// The keys that make a link a lab link.
pub(super) const LAB_KEYS: [&str; 14] = [
    "scenario", "mode", "conflict", "n", "r", "w", "seed", "t", "e", "e2", "workload", "faults",
    "side", "made",
];

/// At most 24 characters of untrusted text, control characters escaped, for notes.
pub(super) fn clip(s: &str) -> String {
    clip_escaped(s, 24)
}

/// A whole number of at most 20 digits that fits `T`.
fn num<T: std::str::FromStr>(v: &str) -> Option<T> {
    let digits = !v.is_empty() && v.len() <= 20 && v.bytes().all(|b| b.is_ascii_digit());
    digits.then(|| v.parse().ok()).flatten()
}

fn flag(v: &str) -> Option<bool> {
    match v {
        "1" | "true" => Some(true),
        "0" | "false" => Some(false),
        _ => None,
    }
}

/// The note for a dropped key: what the link asked for, why it cannot be, what is used instead.
fn dropped(key: &str, v: &str, why: &str, instead: &str) -> String {
    format!(
        "The link asked for {key} \"{}\", {why}; {instead}.",
        clip(v)
    )
}

/// Applies one lab key to `p`. `Err` is the note for a bad value (`p` is then unchanged).
pub(super) fn apply_lab(p: &mut Params, key: &str, v: &str) -> Result<(), String> {
    let own = format!("the scenario's own {key} is used");
    let bad_count = || format!("but {key} must be a whole number from 1 to {MAX_NODES}");
    let small = |v: &str| num::<u8>(v).filter(|x| (1..=MAX_NODES).contains(&usize::from(*x)));
    let whole = "which is not a whole number the run can reach";
    match key {
        "scenario" => match Scenario::builtin_names().iter().find(|n| **n == v) {
            Some(name) => p.scenario = (*name).to_string(),
            None => {
                let instead = format!("the {DEFAULT_SCENARIO} scenario is shown");
                return Err(dropped(key, v, "which is not a scenario here", &instead));
            }
        },
        "mode" => p.over.mode = Some(Mode::parse(v).ok_or_else(|| bad_mode(v))?),
        "conflict" => {
            let c = Conflict::parse(v).ok_or_else(|| {
                let why = "which is not a way of resolving conflicts here";
                dropped(key, v, why, &own)
            })?;
            p.over.conflict = Some(c);
        }
        "n" | "r" | "w" => {
            let x = small(v).ok_or_else(|| dropped(key, v, &bad_count(), &own))?;
            *match key {
                "n" => &mut p.over.n,
                "r" => &mut p.over.r,
                _ => &mut p.over.w,
            } = Some(x);
        }
        "seed" => p.over.seed = Some(num(v).ok_or_else(|| dropped(key, v, whole, &own))?),
        "t" | "e" | "e2" => {
            let x = num(v).ok_or_else(|| dropped(key, v, whole, "it was left out"))?;
            *match key {
                "t" => &mut p.t,
                "e" => &mut p.e,
                _ => &mut p.e2,
            } = Some(x);
        }
        "made" => {
            let m = Made::parse(v).map_err(|why| {
                format!("The link's lesson steps could not be read ({why}); the run is shown without them.")
            })?;
            p.made = Some(m);
        }
        _ => apply_switch(p, key, v)?,
    }
    Ok(())
}

fn bad_mode(v: &str) -> String {
    let instead = "the scenario's own mode is used";
    dropped("mode", v, "which is not a mode here", instead)
}

/// `workload`, `faults`, `side`: 0 or 1.
fn apply_switch(p: &mut Params, key: &str, v: &str) -> Result<(), String> {
    let (slot, instead) = match key {
        "workload" => (&mut p.workload, "the scenario's own traffic is used"),
        "faults" => (&mut p.faults, "the scenario's own faults are used"),
        "side" => (&mut p.side, "one run is shown"),
        _ => return Ok(()),
    };
    *slot = flag(v).ok_or_else(|| dropped(key, v, "but it can only be 0 or 1", instead))?;
    Ok(())
}

/// Applies a page flag (`embed`, `present`, `panels`); other keys are left alone.
pub(super) fn apply_flag(f: &mut Flags, key: &str, v: &str) -> Result<(), String> {
    if key == "panels" {
        let why = "but it can only list history, cards and controls (or say none)";
        let p = Panels::parse(v).ok_or_else(|| dropped(key, v, why, "the page's own are shown"))?;
        f.panels = Some(p);
        return Ok(());
    }
    let (slot, instead) = match key {
        "embed" => (&mut f.embed, "the full page is shown"),
        "present" => (&mut f.present, "the usual view is shown"),
        _ => return Ok(()),
    };
    *slot = flag(v).ok_or_else(|| dropped(key, v, "but it can only be 0 or 1", instead))?;
    Ok(())
}

impl Params {
    /// The query string (with `?`), listing only what differs from the defaults.
    pub fn to_query(&self) -> String {
        if let Some(id) = self.challenge {
            return self.frame_query(format!("?challenge={id}"));
        }
        let mut q = format!("?scenario={}", self.scenario);
        if let Some(m) = self.over.mode {
            q += "&mode=";
            q += m.as_str();
        }
        if let Some(c) = self.over.conflict {
            q += "&conflict=";
            q += c.as_str();
        }
        for (k, v) in [("n", self.over.n), ("r", self.over.r), ("w", self.over.w)] {
            if let Some(v) = v {
                q += &format!("&{k}={v}");
            }
        }
        if let Some(v) = self.over.seed {
            q += &format!("&seed={v}");
        }
        q = self.frame_query(q);
        for (k, off) in [("workload", !self.workload), ("faults", !self.faults)] {
            if off {
                q += &format!("&{k}=0");
            }
        }
        if self.side {
            q += "&side=1";
        }
        if let Some(m) = &self.made {
            q += "&made=";
            q += &m.to_value();
        }
        q
    }
}

impl Params {
    /// `q` with the frame's keys (`t`, `e`, `e2`) added.
    fn frame_query(&self, mut q: String) -> String {
        for (k, v) in [("t", self.t), ("e", self.e), ("e2", self.e2)] {
            if let Some(v) = v {
                q += &format!("&{k}={v}");
            }
        }
        q
    }
}

impl Flags {
    /// `&embed=1` / `&present=1` for the flags that are on, and `&panels=…` when chosen.
    pub fn to_query(self) -> String {
        let mut q = String::new();
        if self.embed {
            q += "&embed=1";
        }
        if self.present {
            q += "&present=1";
        }
        if let Some(p) = self.panels {
            q += "&panels=";
            q += &p.to_value();
        }
        q
    }
}
