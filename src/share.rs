//! Share links: the page's state as a URL query plus a compact, URL-safe `#s=` fragment.
//!
//! Pure and native (no web crate): the UI reads `location.search` / `location.hash` with
//! [`Params::parse_query`] and [`decode_inputs`], and writes them back with
//! [`Params::to_query`] and [`encode_inputs`]. Every decoder checks sizes and ranges and returns a
//! one-line error; none panics on any input.
//!
//! Inputs format: entries joined by `.`, each `<event delta><letter><args>` where args are decimal
//! numbers joined by `-`; e.g. `12c0-2.0b1-2.40q0-3-0-0-80-0` (see [`encode_action`]).

use crate::sim::action::Action;
use crate::sim::scenario::{Overrides, Scenario};
use crate::sim::text::clip_escaped;
use crate::sim::timeline::Timeline;
use crate::sim::types::{Conflict, Consistency, Mode, OpKind, Request, Tick, MAX_NODES};

/// Longest query or fragment accepted, in bytes.
pub const MAX_LINK_BYTES: usize = 16 * 1024;
/// Most inputs a link may carry.
pub const MAX_LINK_INPUTS: usize = 2000;

/// Everything the query string says. `None` = the scenario's own setting.
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
    /// Compact layout for an iframe (`embed=1`): no page chrome.
    pub embed: bool,
    /// Presenter mode (`present=1`): large text, high contrast, a caption.
    pub present: bool,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            scenario: "bank".into(),
            over: Overrides::default(),
            t: None,
            e: None,
            e2: None,
            workload: true,
            faults: true,
            side: false,
            embed: false,
            present: false,
        }
    }
}

fn num<T: std::str::FromStr>(key: &str, v: &str) -> Result<T, String> {
    if v.is_empty() || v.len() > 20 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "`{key}` must be a whole number, not \"{}\"",
            clip(v)
        ));
    }
    v.parse()
        .map_err(|_| format!("`{key}` is out of range: {}", clip(v)))
}

fn small(key: &str, v: &str) -> Result<u8, String> {
    let x: u8 = num(key, v)?;
    if x == 0 || usize::from(x) > MAX_NODES {
        return Err(format!("`{key}` must be in 1..={MAX_NODES}"));
    }
    Ok(x)
}

fn flag(key: &str, v: &str) -> Result<bool, String> {
    match v {
        "1" | "true" => Ok(true),
        "0" | "false" => Ok(false),
        _ => Err(format!("`{key}` must be 0 or 1")),
    }
}

/// At most 24 characters of untrusted text, control characters escaped, for error messages.
fn clip(s: &str) -> String {
    clip_escaped(s, 24)
}

impl Params {
    /// Parses `?a=b&c=d` (the leading `?` is optional). Unknown keys are ignored; a known key
    /// with a bad value is an error.
    pub fn parse_query(query: &str) -> Result<Params, String> {
        if query.len() > MAX_LINK_BYTES {
            return Err(format!("the link is too long ({} bytes)", query.len()));
        }
        let mut p = Params::default();
        let q = query.strip_prefix('?').unwrap_or(query);
        for pair in q.split('&').filter(|s| !s.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "scenario" => {
                    let ok = v.len() <= 40
                        && !v.is_empty()
                        && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
                    if !ok {
                        return Err(format!("unknown scenario \"{}\"", clip(v)));
                    }
                    p.scenario = v.to_string();
                }
                "mode" => {
                    p.over.mode = Some(
                        Mode::parse(v).ok_or_else(|| format!("unknown mode \"{}\"", clip(v)))?,
                    )
                }
                "conflict" => {
                    p.over.conflict = Some(
                        Conflict::parse(v)
                            .ok_or_else(|| format!("unknown conflict \"{}\"", clip(v)))?,
                    )
                }
                "n" => p.over.n = Some(small(k, v)?),
                "r" => p.over.r = Some(small(k, v)?),
                "w" => p.over.w = Some(small(k, v)?),
                "seed" => p.over.seed = Some(num(k, v)?),
                "t" => p.t = Some(num(k, v)?),
                "e" => p.e = Some(num(k, v)?),
                "e2" => p.e2 = Some(num(k, v)?),
                "workload" => p.workload = flag(k, v)?,
                "faults" => p.faults = flag(k, v)?,
                "side" => p.side = flag(k, v)?,
                "embed" => p.embed = flag(k, v)?,
                "present" => p.present = flag(k, v)?,
                _ => {}
            }
        }
        Ok(p)
    }

    /// The query string (with `?`), listing only what differs from the defaults.
    pub fn to_query(&self) -> String {
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
        for (k, v) in [
            ("seed", self.over.seed),
            ("t", self.t),
            ("e", self.e),
            ("e2", self.e2),
        ] {
            if let Some(v) = v {
                q += &format!("&{k}={v}");
            }
        }
        if !self.workload {
            q += "&workload=0";
        }
        if !self.faults {
            q += "&faults=0";
        }
        if self.side {
            q += "&side=1";
        }
        if self.embed {
            q += "&embed=1";
        }
        if self.present {
            q += "&present=1";
        }
        q
    }
}

impl Params {
    /// The scenario these parameters describe, with `mode` forced when given (side by side).
    /// `workload=0` removes the built-in clients' traffic (workload and scripted requests) but
    /// keeps the protocol and the scripted faults; `faults=0` removes the scripted faults. Errors are one line, for the page.
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
}

impl Params {
    /// Fits the link's numbers to the run they open, each change with a one-line note for the
    /// page (a link is never refused for these): N above the scenario's `nodes` becomes `nodes`;
    /// R and W above N (the link's, else the scenario's `own_n`, else `nodes`) become N; and `t`
    /// past the run's `end` tick becomes `end`. Pure, so what the page does is tested natively.
    pub fn fit(&mut self, nodes: u8, own_n: Option<u8>, end: Tick) -> Vec<String> {
        let mut notes = Vec::new();
        if let Some(n) = self.over.n.filter(|n| *n > nodes) {
            notes.push(format!(
                "n = {n} is more than the scenario's {nodes} nodes, so n = {nodes}"
            ));
            self.over.n = Some(nodes);
        }
        let n = self.over.n.or(own_n).unwrap_or(nodes).min(nodes);
        for (key, dial) in [("r", &mut self.over.r), ("w", &mut self.over.w)] {
            if let Some(x) = dial.filter(|x| *x > n) {
                notes.push(format!("{key} = {x} is more than n = {n}, so {key} = {n}"));
                *dial = Some(n);
            }
        }
        if let Some(t) = self.t.filter(|t| *t > end) {
            notes.push(format!("t = {t} is past the run's end, so t = {end}"));
            self.t = Some(end);
        }
        notes
    }

    /// These parameters fitted to their built-in scenario (see [`Params::fit`]), with the notes.
    pub fn fitted(mut self) -> Result<(Params, Vec<String>), String> {
        let base = Scenario::builtin(&self.scenario).map_err(|e| e.to_string())?;
        let notes = self.fit(base.nodes, base.n, base.end_tick);
        Ok((self, notes))
    }
}

/// The note for a link whose event count `key` (`e`, `e2`) asked for `asked` events when the
/// run ended after `reached`: `None` when the frame was reached.
pub fn fit_events(key: &str, asked: u64, reached: u64) -> Option<String> {
    (reached < asked)
        .then(|| format!("{key} = {asked} is past the run's last event, so {key} = {reached}"))
}

/// A link opened: its parameters (fitted to the run), its runs at the link's frame, and one
/// note per number that was fitted.
pub struct Opened {
    pub params: Params,
    pub runs: Vec<Timeline>,
    pub notes: Vec<String>,
}

/// Opens a share link as the page does: parses the query, fits its numbers to the run, parses
/// the fragment's inputs and replays them. Errors are one line; nothing panics, and nothing is
/// allocated in proportion to a number from the link.
pub fn open_link(query: &str, fragment: &str) -> Result<Opened, String> {
    let (params, mut notes) = Params::parse_query(query)?.fitted()?;
    let (first, second) = parse_fragment(fragment)?;
    let runs = open_runs(&params, first, second, &mut notes)?;
    Ok(Opened {
        params,
        runs,
        notes,
    })
}

/// The runs of `p` (one, or CP then AP side by side) with their inputs replayed, at the link's
/// frame (`e`/`e2`, else `t`). An event count past a run's end lands at the end, with a note.
pub fn open_runs(
    p: &Params,
    first: Vec<(u64, Action)>,
    second: Vec<(u64, Action)>,
    notes: &mut Vec<String>,
) -> Result<Vec<Timeline>, String> {
    let modes: Vec<Option<Mode>> = if p.side {
        vec![Some(Mode::Cp), Some(Mode::Ap)]
    } else {
        vec![None]
    };
    let mut inputs = [first, second];
    let mut runs = Vec::new();
    for (i, mode) in modes.into_iter().enumerate() {
        let scenario = p.scenario(mode)?;
        let inputs = std::mem::take(&mut inputs[i]);
        // Replay up to the last input so that every input is checked, then go to the frame.
        let last = inputs.last().map_or(0, |(at, _)| *at);
        let mut t = Timeline::replay(scenario, inputs, last).map_err(|e| e.to_string())?;
        match ([p.e, p.e2][i], p.t) {
            (Some(e), _) => {
                t.seek_event(e);
                let key = if i == 0 { "e" } else { "e2" };
                notes.extend(fit_events(key, e, t.events()));
            }
            (_, Some(tick)) => t.seek_tick(tick),
            _ => {}
        }
        runs.push(t);
    }
    Ok(runs)
}

fn kind_code(k: OpKind) -> u64 {
    match k {
        OpKind::Read => 0,
        OpKind::Write => 1,
        OpKind::Deposit => 2,
        OpKind::Withdraw => 3,
        OpKind::Transfer => 4,
        OpKind::Post => 5,
        OpKind::Like => 6,
    }
}

fn kind_of(c: u64) -> Option<OpKind> {
    [
        OpKind::Read,
        OpKind::Write,
        OpKind::Deposit,
        OpKind::Withdraw,
        OpKind::Transfer,
        OpKind::Post,
        OpKind::Like,
    ]
    .get(usize::try_from(c).ok()?)
    .copied()
}

const CONSISTENCIES: [Consistency; 4] = [
    Consistency::Default,
    Consistency::Strong,
    Consistency::Eventual,
    Consistency::Quorum,
];

fn join(letter: char, args: &[u64]) -> String {
    let mut s = String::new();
    s.push(letter);
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            s.push('-');
        }
        s += &a.to_string();
    }
    s
}

/// One action as `<letter><args>`: `q` request (client-kind-key-key2-arg-consistency), `x` crash,
/// `r` recover, `p` pause, `u` resume, `c` cut (from-to), `b` cut both, `h` heal, `P` partition
/// (each side's node ids as digits, sides joined by `-`), `i` isolate, `H` heal all,
/// `l` latency (a-b-base-jitter), `o` loss (a-b-per-mille), `d` hold, `e` release.
pub fn encode_action(a: &Action) -> String {
    let n = u64::from;
    match a {
        Action::Request { client, req } => {
            let cons = CONSISTENCIES
                .iter()
                .position(|c| *c == req.consistency)
                .unwrap_or(0) as u64;
            join(
                'q',
                &[
                    n(*client),
                    kind_code(req.kind),
                    n(req.key),
                    n(req.key2),
                    req.arg.max(0) as u64,
                    cons,
                ],
            )
        }
        Action::Crash(x) => join('x', &[n(*x)]),
        Action::Recover(x) => join('r', &[n(*x)]),
        Action::Pause(x) => join('p', &[n(*x)]),
        Action::Resume(x) => join('u', &[n(*x)]),
        Action::Isolate(x) => join('i', &[n(*x)]),
        Action::Cut { from, to } => join('c', &[n(*from), n(*to)]),
        Action::CutBoth { a, b } => join('b', &[n(*a), n(*b)]),
        Action::Heal { a, b } => join('h', &[n(*a), n(*b)]),
        Action::Hold { from, to } => join('d', &[n(*from), n(*to)]),
        Action::Release { from, to } => join('e', &[n(*from), n(*to)]),
        Action::HealAll => "H".into(),
        Action::SetLatency {
            a,
            b,
            base_ticks,
            jitter_ticks,
        } => join('l', &[n(*a), n(*b), *base_ticks, *jitter_ticks]),
        Action::SetLoss { a, b, per_mille } => join('o', &[n(*a), n(*b), u64::from(*per_mille)]),
        Action::Partition { sides } => {
            let mut s = String::from("P");
            for (i, side) in sides.iter().enumerate() {
                if i > 0 {
                    s.push('-');
                }
                for node in side {
                    s += &node.to_string();
                }
            }
            s
        }
    }
}

fn node(v: u64) -> Result<u8, String> {
    u8::try_from(v)
        .ok()
        .filter(|x| usize::from(*x) < MAX_NODES)
        .ok_or_else(|| format!("node {v} is out of range"))
}

fn args(s: &str, count: usize) -> Result<Vec<u64>, String> {
    let v: Vec<u64> = s
        .split('-')
        .map(|a| num::<u64>("an input", a))
        .collect::<Result<_, _>>()?;
    if v.len() != count {
        return Err(format!(
            "an input has {} numbers, expected {count}",
            v.len()
        ));
    }
    Ok(v)
}

/// Parses what [`encode_action`] writes. Node ids are checked against [`MAX_NODES`] only: the
/// run checks them against its own cluster when it replays them.
pub fn decode_action(s: &str) -> Result<Action, String> {
    let mut chars = s.chars();
    let letter = chars.next().ok_or("an empty input")?;
    let rest = chars.as_str();
    let one = |rest: &str| -> Result<u8, String> { node(args(rest, 1)?[0]) };
    let two = |rest: &str| -> Result<(u8, u8), String> {
        let v = args(rest, 2)?;
        Ok((node(v[0])?, node(v[1])?))
    };
    Ok(match letter {
        'q' => {
            let v = args(rest, 6)?;
            let client = u8::try_from(v[0]).map_err(|_| "client out of range")?;
            let kind = kind_of(v[1]).ok_or("unknown operation kind")?;
            let key = u8::try_from(v[2]).map_err(|_| "key out of range")?;
            let key2 = u8::try_from(v[3]).map_err(|_| "key out of range")?;
            let arg = i64::try_from(v[4])
                .ok()
                .filter(|a| *a <= i64::from(u32::MAX))
                .ok_or("amount out of range")?;
            let consistency = *usize::try_from(v[5])
                .ok()
                .and_then(|i| CONSISTENCIES.get(i))
                .ok_or("unknown consistency")?;
            Action::Request {
                client,
                req: Request {
                    kind,
                    key,
                    key2,
                    arg,
                    consistency,
                },
            }
        }
        'x' => Action::Crash(one(rest)?),
        'r' => Action::Recover(one(rest)?),
        'p' => Action::Pause(one(rest)?),
        'u' => Action::Resume(one(rest)?),
        'i' => Action::Isolate(one(rest)?),
        'c' | 'd' | 'e' => {
            let (from, to) = two(rest)?;
            match letter {
                'c' => Action::Cut { from, to },
                'd' => Action::Hold { from, to },
                _ => Action::Release { from, to },
            }
        }
        'b' | 'h' => {
            let (a, b) = two(rest)?;
            if letter == 'b' {
                Action::CutBoth { a, b }
            } else {
                Action::Heal { a, b }
            }
        }
        'H' if rest.is_empty() => Action::HealAll,
        'l' => {
            let v = args(rest, 4)?;
            Action::SetLatency {
                a: node(v[0])?,
                b: node(v[1])?,
                base_ticks: v[2],
                jitter_ticks: v[3],
            }
        }
        'o' => {
            let v = args(rest, 3)?;
            let per_mille = u16::try_from(v[2])
                .ok()
                .filter(|p| *p <= 1000)
                .ok_or("loss out of range")?;
            Action::SetLoss {
                a: node(v[0])?,
                b: node(v[1])?,
                per_mille,
            }
        }
        'P' => {
            let mut sides = Vec::new();
            for side in rest.split('-') {
                if side.is_empty() || side.len() > MAX_NODES {
                    return Err("a partition side is empty or too long".into());
                }
                let nodes: Vec<u8> = side
                    .bytes()
                    .map(|b| match b {
                        b'0'..=b'8' => Ok(b - b'0'),
                        _ => Err(format!("bad node in a partition: {}", clip(side))),
                    })
                    .collect::<Result<_, _>>()?;
                sides.push(nodes);
            }
            if sides.len() > MAX_NODES {
                return Err("too many partition sides".into());
            }
            Action::Partition { sides }
        }
        _ => return Err(format!("unknown input \"{}\"", clip(s))),
    })
}

/// Encodes a timeline's inputs (event count, action), event counts as deltas.
pub fn encode_inputs(inputs: &[(u64, Action)]) -> String {
    let mut out = String::new();
    let mut last = 0u64;
    for (i, (at, a)) in inputs.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        out += &at.saturating_sub(last).to_string();
        out += &encode_action(a);
        last = *at;
    }
    out
}

/// Parses what [`encode_inputs`] writes; checks size and count first.
pub fn decode_inputs(s: &str) -> Result<Vec<(u64, Action)>, String> {
    if s.len() > MAX_LINK_BYTES {
        return Err(format!(
            "the link's inputs are too long ({} bytes)",
            s.len()
        ));
    }
    if s.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let mut at = 0u64;
    for entry in s.split('.') {
        if out.len() == MAX_LINK_INPUTS {
            return Err(format!("the link has more than {MAX_LINK_INPUTS} inputs"));
        }
        let split = entry
            .find(|c: char| !c.is_ascii_digit())
            .ok_or_else(|| format!("input \"{}\" has no action", clip(entry)))?;
        let delta: u64 = num("an input's event", &entry[..split])?;
        at = at
            .checked_add(delta)
            .ok_or("an input's event is out of range")?;
        out.push((at, decode_action(&entry[split..])?));
    }
    Ok(out)
}

/// The fragment (with `#`) holding the inputs of one or two timelines (`s=` and `b=`).
pub fn to_fragment(first: &[(u64, Action)], second: Option<&[(u64, Action)]>) -> String {
    let mut f = String::new();
    if !first.is_empty() {
        f = format!("#s={}", encode_inputs(first));
    }
    if let Some(b) = second.filter(|b| !b.is_empty()) {
        f += if f.is_empty() { "#b=" } else { "&b=" };
        f += &encode_inputs(b);
    }
    f
}

/// Parses a fragment written by [`to_fragment`] (the `#` is optional; unknown keys ignored).
pub type Fragment = (Vec<(u64, Action)>, Vec<(u64, Action)>);

/// See [`to_fragment`].
pub fn parse_fragment(hash: &str) -> Result<Fragment, String> {
    if hash.len() > MAX_LINK_BYTES {
        return Err(format!("the link is too long ({} bytes)", hash.len()));
    }
    let h = hash.strip_prefix('#').unwrap_or(hash);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for pair in h.split('&').filter(|s| !s.is_empty()) {
        match pair.split_once('=') {
            Some(("s", v)) => a = decode_inputs(v)?,
            Some(("b", v)) => b = decode_inputs(v)?,
            _ => {}
        }
    }
    Ok((a, b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn every_action() -> Vec<Action> {
        vec![
            Action::Request {
                client: 1,
                req: Request {
                    kind: OpKind::Withdraw,
                    key: 0,
                    key2: 0,
                    arg: 80,
                    consistency: Consistency::Quorum,
                },
            },
            Action::Crash(2),
            Action::Recover(2),
            Action::Pause(0),
            Action::Resume(0),
            Action::Cut { from: 0, to: 2 },
            Action::CutBoth { a: 1, b: 2 },
            Action::Heal { a: 1, b: 2 },
            Action::Partition {
                sides: vec![vec![0, 1], vec![2]],
            },
            Action::Isolate(8),
            Action::HealAll,
            Action::SetLatency {
                a: 0,
                b: 1,
                base_ticks: 80,
                jitter_ticks: 5,
            },
            Action::SetLoss {
                a: 0,
                b: 1,
                per_mille: 1000,
            },
            Action::Hold { from: 1, to: 0 },
            Action::Release { from: 1, to: 0 },
        ]
    }

    #[test]
    fn every_action_round_trips_and_is_url_safe() {
        let inputs: Vec<(u64, Action)> = every_action()
            .into_iter()
            .enumerate()
            .map(|(i, a)| (i as u64 * 7, a))
            .collect();
        let s = encode_inputs(&inputs);
        assert!(
            s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'),
            "{s}"
        );
        assert_eq!(decode_inputs(&s).unwrap(), inputs);
        let frag = to_fragment(&inputs, Some(&inputs[..2]));
        assert_eq!(
            parse_fragment(&frag).unwrap(),
            (inputs.clone(), inputs[..2].to_vec())
        );
    }

    #[test]
    fn encoding_is_compact() {
        let s = encode_inputs(&[
            (40, Action::CutBoth { a: 0, b: 2 }),
            (40, Action::CutBoth { a: 1, b: 2 }),
        ]);
        assert_eq!(s, "40b0-2.0b1-2");
    }

    #[test]
    fn query_round_trips_and_rejects_bad_values() {
        let p = Params {
            scenario: "feed".into(),
            over: Overrides {
                mode: Some(Mode::Quorum),
                conflict: Some(Conflict::Crdt),
                n: Some(3),
                r: Some(1),
                w: Some(3),
                seed: Some(42),
            },
            t: Some(1234),
            e: Some(99),
            e2: Some(98),
            workload: false,
            faults: false,
            side: true,
            embed: true,
            present: true,
        };
        assert_eq!(Params::parse_query(&p.to_query()).unwrap(), p);
        assert_eq!(Params::parse_query("").unwrap(), Params::default());
        assert_eq!(Params::parse_query("?utm=x").unwrap(), Params::default());
        for bad in [
            "?mode=xx",
            "?seed=-1",
            "?seed=99999999999999999999999",
            "?t=1e3",
            "?n=0",
            "?n=10",
            "?scenario=%3Cscript%3E",
            "?workload=maybe",
            "?embed=yes",
        ] {
            assert!(Params::parse_query(bad).is_err(), "{bad} accepted");
        }
        assert!(Params::parse_query(&"a".repeat(MAX_LINK_BYTES + 1)).is_err());
    }

    #[test]
    fn params_build_scenarios() {
        let mut p = Params::parse_query("?scenario=feed&mode=cp&seed=7&workload=0").unwrap();
        let s = p.scenario(None).unwrap();
        assert_eq!((s.mode, s.seed), (Mode::Cp, 7));
        assert!(s.workload.is_none() && s.requests.is_empty());
        assert!(!s.faults.is_empty(), "quiet keeps the scripted faults");
        p.faults = false;
        assert!(p.scenario(None).unwrap().faults.is_empty());
        assert_eq!(p.scenario(Some(Mode::Ap)).unwrap().mode, Mode::Ap);
        p.scenario = "nope".into();
        assert!(p.scenario(None).is_err());
        let bad = Params::parse_query("?n=3&r=5").unwrap();
        assert!(bad.scenario(None).is_err(), "r above n is refused");
    }

    #[test]
    fn link_numbers_past_the_run_are_fitted_with_a_note() {
        let end = Scenario::builtin("bank").unwrap().end_tick;
        // The links of issue #12: the page panicked ("capacity overflow") or took 8.6 s.
        for t in ["18446744073709551615", "100000000"] {
            let o = open_link(&format!("?scenario=bank&mode=quorum&t={t}"), "").unwrap();
            assert_eq!(o.params.t, Some(end));
            assert_eq!(o.notes.len(), 1, "{:?}", o.notes);
            assert!(o.runs[0].sim().now() <= end);
        }
        let o = open_link("?scenario=bank&mode=quorum&n=7&r=9&w=2&e=99999999999", "").unwrap();
        let o_n = (o.params.over.n, o.params.over.r, o.params.over.w);
        assert_eq!(o_n, (Some(3), Some(3), Some(2)));
        assert_eq!(o.notes.len(), 3, "n, r and e: {:?}", o.notes);
        let side = open_link("?scenario=bank&side=1&e=5&e2=99999999999", "").unwrap();
        assert_eq!(side.notes.len(), 1, "{:?}", side.notes);
        assert!(side.notes[0].starts_with("e2 = "));
        // A frame inside the run is left alone.
        let o = open_link("?scenario=bank&t=10&e=3", "").unwrap();
        assert!(o.notes.is_empty(), "{:?}", o.notes);
        assert_eq!(o.runs[0].events(), 3);
    }

    #[test]
    fn garbage_inputs_are_errors() {
        for bad in [
            "x",
            "3",
            "3z1",
            "3x",
            "3x9",
            "3q1-2",
            "3q0-9-0-0-1-0",
            "3q0-0-0-0-1-7",
            "3c1",
            "3P",
            "3P0-",
            "3P09",
            "3o0-1-1001",
            "1x0..2x0",
            "3H1",
            "3x-1",
            "3x1-",
            "18446744073709551615x0.1x0",
        ] {
            assert!(decode_inputs(bad).is_err(), "{bad} accepted");
        }
        let many = vec!["0H"; MAX_LINK_INPUTS + 1].join(".");
        assert!(decode_inputs(&many).is_err());
    }

    proptest! {
        #[test]
        fn decoders_never_panic(s in "[ -~]{0,64}") {
            let _ = decode_inputs(&s);
            let _ = parse_fragment(&s);
            let _ = Params::parse_query(&s);
        }

        #[test]
        fn requests_round_trip(client in 0u8..18, kind in 0u64..7, key in 0u8..4, arg in 0i64..=u32::MAX as i64, cons in 0usize..4, at in 0u64..1_000_000) {
            let a = Action::Request {
                client,
                req: Request { kind: kind_of(kind).unwrap(), key, key2: key, arg, consistency: CONSISTENCIES[cons] },
            };
            let inputs = vec![(at, a)];
            prop_assert_eq!(decode_inputs(&encode_inputs(&inputs)).unwrap(), inputs);
        }
    }
}
