//! The `#` fragment of a lab link: the reader's recorded inputs of one or two runs.
//!
//! Inputs format: entries joined by `.`, each `<event delta><letter><args>` where args are decimal
//! numbers joined by `-`; e.g. `12c0-2.0b1-2.40q0-3-0-0-80-0` (see [`encode_action`]).
//!
//! Fragment format: `#n=<count>[-<count2>]&s=<inputs>[&b=<inputs>]&end`. The counts (written
//! first) and the closing `end` (written last) let a cut-short link say how many inputs it lost:
//! an input list not followed by `&` may have lost the end of its last entry, which is then left
//! out. Links written before the counts (`#s=…&b=…`) still open. Reading never fails: it keeps
//! every entry before the first bad one and says how many were left out.

use crate::sim::action::Action;
use crate::sim::types::{Consistency, OpKind, Request, MAX_NODES};

use super::query::clip;
use super::{Inputs, MAX_LINK_BYTES, MAX_LINK_INPUTS};

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
    OpKind::ALL.get(usize::try_from(c).ok()?).copied()
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
/// `l` latency (a-b-base-jitter), `o` loss (a-b-per-mille), `d` hold, `e` release,
/// `m` drop message (id), `y` delay message (id-ticks).
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
        Action::DropMessage(id) => join('m', &[*id]),
        Action::DelayMessage { id, ticks } => join('y', &[*id, *ticks]),
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

/// A whole number of at most 20 digits.
fn number(v: &str) -> Result<u64, String> {
    let digits = !v.is_empty() && v.len() <= 20 && v.bytes().all(|b| b.is_ascii_digit());
    digits
        .then(|| v.parse().ok())
        .flatten()
        .ok_or_else(|| format!("\"{}\" is not a whole number", clip(v)))
}

fn args(s: &str, count: usize) -> Result<Vec<u64>, String> {
    let v: Vec<u64> = s.split('-').map(number).collect::<Result<_, _>>()?;
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
    Ok(match letter {
        'q' => decode_request(rest)?,
        'x' => Action::Crash(one(rest)?),
        'r' => Action::Recover(one(rest)?),
        'p' => Action::Pause(one(rest)?),
        'u' => Action::Resume(one(rest)?),
        'i' => Action::Isolate(one(rest)?),
        'c' | 'd' | 'e' | 'b' | 'h' => decode_pair(letter, rest)?,
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
        'P' => decode_partition(rest)?,
        'm' => Action::DropMessage(args(rest, 1)?[0]),
        'y' => {
            let v = args(rest, 2)?;
            Action::DelayMessage {
                id: v[0],
                ticks: v[1],
            }
        }
        _ => return Err(format!("unknown input \"{}\"", clip(s))),
    })
}

/// `q`: client-kind-key-key2-arg-consistency.
fn decode_request(rest: &str) -> Result<Action, String> {
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
    let req = Request {
        kind,
        key,
        key2,
        arg,
        consistency,
    };
    Ok(Action::Request { client, req })
}

/// The actions on a pair of nodes: `c` cut, `d` hold, `e` release (one way), `b` cut both,
/// `h` heal (both ways).
fn decode_pair(letter: char, rest: &str) -> Result<Action, String> {
    let v = args(rest, 2)?;
    let (x, y) = (node(v[0])?, node(v[1])?);
    Ok(match letter {
        'c' => Action::Cut { from: x, to: y },
        'd' => Action::Hold { from: x, to: y },
        'e' => Action::Release { from: x, to: y },
        'b' => Action::CutBoth { a: x, b: y },
        _ => Action::Heal { a: x, b: y },
    })
}

/// `P`: each side's node ids as digits, sides joined by `-`.
fn decode_partition(rest: &str) -> Result<Action, String> {
    let mut sides = Vec::new();
    for side in rest.split('-') {
        if side.is_empty() || side.len() > MAX_NODES {
            return Err("a partition side is empty or too long".into());
        }
        if sides.len() == MAX_NODES {
            return Err("too many partition sides".into());
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
    Ok(Action::Partition { sides })
}

/// One entry: `<event delta><action>`, the delta added to `at`.
fn decode_entry(entry: &str, at: u64) -> Result<(u64, Action), String> {
    let split = entry
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("input \"{}\" has no action", clip(entry)))?;
    let delta = number(&entry[..split])?;
    let at = at
        .checked_add(delta)
        .ok_or("an input's event is out of range")?;
    Ok((at, decode_action(&entry[split..])?))
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

/// One input list read leniently: the entries before the first that cannot be read.
#[derive(Debug, Default, PartialEq)]
pub struct Decoded {
    pub inputs: Inputs,
    /// Entries present in the text but left out (the first bad one and every one after it).
    pub dropped: usize,
    /// Why the first left-out entry could not be read, or that there were more than
    /// [`MAX_LINK_INPUTS`] (`None`: nothing was left out).
    pub error: Option<String>,
}

/// Reads an input list, keeping every entry before the first bad one; at most
/// [`MAX_LINK_INPUTS`] are kept. Never fails, never panics.
pub fn decode_lenient(s: &str) -> Decoded {
    let mut d = Decoded::default();
    if s.is_empty() {
        return d;
    }
    let total = s.split('.').count();
    let mut at = 0u64;
    for (i, entry) in s.split('.').enumerate() {
        if i == MAX_LINK_INPUTS {
            d.dropped = total - i;
            d.error = Some(format!("more than {MAX_LINK_INPUTS} recorded actions"));
            break;
        }
        match decode_entry(entry, at) {
            Ok(input) => {
                at = input.0;
                d.inputs.push(input);
            }
            Err(e) => {
                d.dropped = total - i;
                d.error = Some(format!("\"{}\": {e}", clip(entry)));
                break;
            }
        }
    }
    d
}

/// Parses what [`encode_inputs`] writes, strictly: any bad entry, more than
/// [`MAX_LINK_INPUTS`] entries or more than [`MAX_LINK_BYTES`] bytes is an error.
pub fn decode_inputs(s: &str) -> Result<Inputs, String> {
    if s.len() > MAX_LINK_BYTES {
        return Err(format!(
            "the link's inputs are too long ({} bytes)",
            s.len()
        ));
    }
    let d = decode_lenient(s);
    match d.error {
        Some(e) => Err(e),
        None => Ok(d.inputs),
    }
}

/// The fragment (with `#`) holding the inputs of one or two runs; empty when there are none.
pub fn to_fragment(first: &[(u64, Action)], second: Option<&[(u64, Action)]>) -> String {
    let second = second.unwrap_or(&[]);
    if first.is_empty() && second.is_empty() {
        return String::new();
    }
    let mut f = format!("#n={}", first.len());
    if !second.is_empty() {
        f += &format!("-{}", second.len());
    }
    for (key, list) in [("s", first), ("b", second)] {
        if !list.is_empty() {
            f += &format!("&{key}={}", encode_inputs(list));
        }
    }
    f + "&end"
}

/// The counts a fragment announces (`n=3-2`), when it does and they read.
fn counts(v: &str) -> Option<[usize; 2]> {
    let (a, b) = v.split_once('-').unwrap_or((v, "0"));
    let read = |x: &str| number(x).ok().and_then(|x| usize::try_from(x).ok());
    Some([read(a)?, read(b)?])
}

/// The counts a fragment announces, and its two input lists with whether an `&` closed each.
type Lists<'a> = (Option<[usize; 2]>, [Option<(&'a str, bool)>; 2]);

fn lists(h: &str) -> Lists<'_> {
    let mut announced = None;
    let mut runs = [None, None];
    let mut rest = h;
    while !rest.is_empty() {
        let (pair, tail, closed) = match rest.split_once('&') {
            Some((pair, tail)) => (pair, tail, true),
            None => (rest, "", false),
        };
        match pair.split_once('=') {
            Some(("n", v)) if closed => announced = counts(v),
            Some(("s", v)) => runs[0] = Some((v, closed)),
            Some(("b", v)) => runs[1] = Some((v, closed)),
            _ => {}
        }
        rest = tail;
    }
    (announced, runs)
}

/// A fragment read: the inputs of both runs, and one note per run that lost some. A fragment
/// over [`MAX_LINK_BYTES`] is read up to the limit, as if cut there.
pub fn parse_fragment(hash: &str) -> ([Inputs; 2], Vec<String>) {
    let mut notes = Vec::new();
    let h = hash.strip_prefix('#').unwrap_or(hash);
    let (mut announced, mut runs) = lists(h);
    if h.len() > MAX_LINK_BYTES {
        notes.push(too_long("recorded actions", h.len()));
        // The whole text still tells how many entries each list had.
        let had =
            runs.map(|r| r.map_or(0, |(v, _)| v.split('.').filter(|e| !e.is_empty()).count()));
        (announced, runs) = lists(&h[..super::floor_boundary(h, MAX_LINK_BYTES)]);
        announced = announced.or(Some(had));
    }
    if announced.is_none() && h.starts_with('n') {
        // Written with counts, cut inside them: whatever followed is lost.
        notes.push(
            "The link was cut short: your recorded actions could not be read and were left out."
                .into(),
        );
        return (Default::default(), notes);
    }
    let inputs = [0, 1].map(|i| read_run(runs[i], announced.map(|c| c[i]), i, &mut notes));
    (inputs, notes)
}

/// One run's inputs (`value`, and whether an `&` closed it) against the count the link
/// announced. A list the link announced but did not close was cut: its last entry may be
/// partial and is left out.
fn read_run(
    value: Option<(&str, bool)>,
    announced: Option<usize>,
    run: usize,
    notes: &mut Vec<String>,
) -> Inputs {
    let (v, closed) = value.unwrap_or(("", true));
    let mut d = decode_lenient(v);
    let cut = announced.is_some() && !closed;
    if cut && d.error.is_none() && d.inputs.pop().is_some() {
        d.dropped += 1;
    }
    let kept = d.inputs.len();
    let lost = announced.map_or(d.dropped, |n| n.saturating_sub(kept).max(d.dropped.min(1)));
    if lost > 0 {
        let whose = [
            "your recorded actions",
            "your recorded actions on the second stage",
        ][run];
        let error = d.error.filter(|_| !cut);
        notes.push(lost_note(whose, lost, error));
    }
    d.inputs.truncate(announced.unwrap_or(MAX_LINK_INPUTS));
    d.inputs
}

fn lost_note(whose: &str, lost: usize, error: Option<String>) -> String {
    let last = match lost {
        1 => format!("the last of {whose} could not be read and was left out"),
        n => format!("the last {n} of {whose} could not be read and were left out"),
    };
    match error {
        Some(e) => format!("The link could not be read in full ({e}): {last}."),
        None => format!("The link was cut short: {last}."),
    }
}

/// The note for a part of a link over [`MAX_LINK_BYTES`].
pub(super) fn too_long(what: &str, bytes: usize) -> String {
    format!(
        "The link is too long ({bytes} bytes): only its first {MAX_LINK_BYTES} bytes of {what} were read."
    )
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
            Action::DropMessage(417),
            Action::DelayMessage { id: 9, ticks: 200 },
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
        let (read, notes) = parse_fragment(&frag);
        assert_eq!(read, [inputs.clone(), inputs[..2].to_vec()]);
        assert!(notes.is_empty(), "{notes:?}");
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
