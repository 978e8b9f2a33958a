//! Opening a lab link: the runs it describes, at its frame, with its numbers fitted to them.
//!
//! A link is never refused for its numbers: N above the scenario's nodes, R/W above N, `t`, `e`
//! or `e2` past the run's end are brought inside it, settings that do not make a valid run fall
//! back to the scenario's own, and an input that does not replay on the run is left out (with
//! the ones after it); each change is one sentence for the reader.

use crate::sim::scenario::{Overrides, Scenario, ScenarioError};
use crate::sim::text::quote;
use crate::sim::timeline::Timeline;
use crate::sim::types::{Mode, Tick};

use super::{parse, Flags, Inputs, Page, Params};

impl Params {
    /// The scenario these parameters describe, with `mode` forced when given (side by side).
    /// `workload=0` removes the built-in clients' traffic (workload and scripted requests) but
    /// keeps the protocol and the scripted faults; `faults=0` removes the scripted faults.
    /// Errors are one line, for the page.
    pub fn scenario(&self, mode: Option<Mode>) -> Result<Scenario, String> {
        let base = Scenario::builtin(&self.scenario).map_err(|e| e.to_string())?;
        let mut s = base.with_overrides(&Overrides {
            mode: mode.or(self.over.mode),
            ..self.over
        });
        if !self.workload {
            s.workload = None;
            s.requests.clear();
        }
        if !self.faults {
            s.faults.clear();
        }
        s.validate().map_err(|e| e.to_string())?;
        Ok(s)
    }

    /// Fits the link's numbers to the run they open, each change with a one-line note for the
    /// page (a link is never refused for these): N above the scenario's `nodes` becomes `nodes`;
    /// R and W above N (the link's, else the scenario's `own_n`, else `nodes`) become N; and `t`
    /// past the run's `end` tick becomes `end`. Pure, so what the page does is tested natively.
    pub fn fit(&mut self, nodes: u8, own_n: Option<u8>, end: Tick) -> Vec<String> {
        let mut notes = Vec::new();
        if let Some(n) = self.over.n.filter(|n| *n > nodes) {
            notes.push(format!(
                "The link asked for n = {n}, more than the scenario's {nodes} nodes; n = {nodes} is used."
            ));
            self.over.n = Some(nodes);
        }
        let n = self.over.n.or(own_n).unwrap_or(nodes).min(nodes);
        for (key, dial) in [("r", &mut self.over.r), ("w", &mut self.over.w)] {
            if let Some(x) = dial.filter(|x| *x > n) {
                notes.push(format!(
                    "The link asked for {key} = {x}, more than n = {n}; {key} = {n} is used."
                ));
                *dial = Some(n);
            }
        }
        notes.extend(self.fit_t(end));
        notes
    }

    /// `t` past `end` becomes `end`, with a note.
    fn fit_t(&mut self, end: Tick) -> Option<String> {
        let t = self.t.filter(|t| *t > end)?;
        self.t = Some(end);
        Some(format!(
            "The link asked for t = {t}, past the run's end; t = {end} is used."
        ))
    }

    /// These parameters fitted to their built-in scenario (see [`Params::fit`]), with the notes.
    /// `t` is fitted later, to the runs with the link's inputs replayed (a reader's request
    /// near the end extends its run to the request's timeout).
    pub fn fitted(mut self) -> Result<(Params, Vec<String>), String> {
        let base = Scenario::builtin(&self.scenario).map_err(|e| e.to_string())?;
        let notes = self.fit(base.nodes, base.n, Tick::MAX);
        Ok((self, notes))
    }

    /// The modes of the runs these parameters open: one run, or CP then AP side by side.
    fn run_modes(&self) -> Vec<Option<Mode>> {
        if self.side {
            vec![Some(Mode::Cp), Some(Mode::Ap)]
        } else {
            vec![None]
        }
    }
}

/// The note for a link whose event count `key` (`e`, `e2`) asked for `asked` events when the
/// run ended after `reached`: `None` when the frame was reached.
pub fn fit_events(key: &str, asked: u64, reached: u64) -> Option<String> {
    (reached < asked).then(|| {
        format!("The link asked for {key} = {asked}, past the run's last event; {key} = {reached} is used.")
    })
}

/// A link opened: its parameters (fitted to the run), its page flags, its runs at the link's
/// frame, and one note per part of the link that was dropped or changed.
pub struct Opened {
    pub params: Params,
    pub flags: Flags,
    pub runs: Vec<Timeline>,
    pub notes: Vec<String>,
}

impl Opened {
    /// The notes as one notice for the reader (`None`: the link opened as written).
    pub fn notice(&self) -> Option<String> {
        (!self.notes.is_empty()).then(|| self.notes.join(" "))
    }
}

/// Opens a URL's query and fragment as the lab does ([`parse`], then [`open`]); a link to
/// another page opens the default lab, with its flags. `Err` only when not even the default
/// scenario builds (never for the built-ins); nothing panics, and nothing is allocated in
/// proportion to a number from the link.
pub fn open_link(query: &str, fragment: &str) -> Result<Opened, String> {
    let (link, mut notes) = parse(query, fragment);
    let (params, inputs) = match link.page {
        Page::Lab { params, inputs } => (params, inputs),
        Page::Landing | Page::Teach | Page::Lesson { .. } => {
            (Params::default(), Default::default())
        }
    };
    let mut o = open(params, inputs)?;
    notes.append(&mut o.notes);
    o.notes = notes;
    o.flags = link.flags;
    Ok(o)
}

/// The runs of a lab link, at its frame (`e`/`e2`, else `t`), its numbers fitted to them.
/// Settings that make no valid run fall back to the scenario's own, then to the default
/// scenario; inputs that do not replay are left out from the first that fails. `Err` only when
/// the default scenario does not build.
pub fn open(params: Params, inputs: [Inputs; 2]) -> Result<Opened, String> {
    let mut notes = Vec::new();
    let mut params = usable(params, &mut notes)?;
    let mut runs = Vec::new();
    for (mode, inputs) in params.run_modes().into_iter().zip(inputs) {
        runs.push(replay(
            params.scenario(mode)?,
            inputs,
            runs.len(),
            &mut notes,
        )?);
    }
    let end = runs.iter().map(|t| t.sim().end_tick()).max().unwrap_or(0);
    notes.extend(params.fit_t(end));
    for (i, t) in runs.iter_mut().enumerate() {
        match ([params.e, params.e2][i], params.t) {
            (Some(e), _) => {
                t.seek_event(e);
                notes.extend(fit_events(["e", "e2"][i], e, t.events()));
            }
            (_, Some(tick)) => t.seek_tick(tick),
            _ => {}
        }
    }
    Ok(Opened {
        params,
        flags: Flags::default(),
        runs,
        notes,
    })
}

/// `p` fitted to its scenario, or with the scenario's own settings when its dials make no valid
/// run, or the default scenario's when even that fails.
fn usable(p: Params, notes: &mut Vec<String>) -> Result<Params, String> {
    let builds = |p: &Params| -> Result<(), String> {
        p.run_modes()
            .into_iter()
            .try_for_each(|m| p.scenario(m).map(drop))
    };
    let fitted = p
        .clone()
        .fitted()
        .and_then(|(f, more)| builds(&f).map(|()| (f, more)));
    let e = match fitted {
        Ok((f, more)) => {
            notes.extend(more);
            return Ok(f);
        }
        Err(e) => e,
    };
    let own = Params {
        over: Overrides::default(),
        ..p
    };
    if builds(&own).is_ok() {
        notes.push(format!(
            "The link's settings do not make a run of this scenario ({}); the scenario's own settings are used.",
            quote(&e)
        ));
        return Ok(own);
    }
    notes.push(format!(
        "The link's settings do not make a run ({}); the {} scenario is shown.",
        quote(&e),
        super::DEFAULT_SCENARIO
    ));
    let default = Params::default();
    builds(&default)?;
    Ok(default)
}

/// The run of `scenario` with `inputs` replayed up to the last one (so that every input is
/// checked); when one does not replay on this run, it and the ones after it are left out.
fn replay(
    scenario: Scenario,
    inputs: Inputs,
    run: usize,
    notes: &mut Vec<String>,
) -> Result<Timeline, String> {
    let last = |inputs: &[(u64, _)]| inputs.last().map_or(0, |(at, _)| *at);
    let full = Timeline::replay(scenario.clone(), inputs.clone(), last(&inputs));
    let e = match full {
        Ok(t) => return Ok(t),
        Err(ScenarioError::Invalid(e)) => {
            let why = e.strip_prefix("an input does not replay: ").unwrap_or(&e);
            why.to_string()
        }
        Err(e) => e.to_string(),
    };
    if inputs.is_empty() {
        return Err(e);
    }
    // Replay is deterministic, so if a prefix fails every longer one does: the longest prefix
    // that replays is found by bisection (about log2(MAX_LINK_INPUTS) replays).
    let (mut good, mut bad) = (0, inputs.len());
    while bad - good > 1 {
        let mid = good + (bad - good) / 2;
        let prefix = inputs[..mid].to_vec();
        match Timeline::replay(scenario.clone(), prefix, last(&inputs[..mid])) {
            Ok(_) => good = mid,
            Err(_) => bad = mid,
        }
    }
    let kept = inputs[..good].to_vec();
    let whose = [
        "your recorded actions",
        "your recorded actions on the second stage",
    ][run];
    let after = match inputs.len() - good - 1 {
        0 => "it was left out".to_string(),
        n => format!("it and the {n} after it were left out"),
    };
    notes.push(format!(
        "Of {whose}, number {} does not apply to this run ({}); {after}.",
        good + 1,
        quote(&e),
    ));
    let at = last(&kept);
    Timeline::replay(scenario, kept, at).map_err(|e| e.to_string())
}
