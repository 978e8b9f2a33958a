//! The fuzz target: seeded, structured mutation of every input the product reads, driven through
//! the entry points the CLI and the page call.
//!
//! - scenario JSON (`Scenario::from_json`, then build, run and check, as `caplab run` does);
//! - history files (`history_from_json`, then every checker, as `caplab check` does);
//! - share links (`app::link::open_link` as the page opens a query + `#s=` fragment; lesson routes);
//! - CLI argument vectors (the built binary, killed and failed after a time limit).
//!
//! Each input starts from something valid (a built-in scenario, an exported history, a link the
//! page writes, a command from the README) and is then mutated: huge, negative and empty numbers,
//! unicode, control characters, deep nesting, very long strings, truncation, random bytes.
//! Asserted for every input: no panic, bounded time, and every error or note is one line of at
//! most `MAX_MESSAGE_CHARS` (+1) characters with no raw control character.
//!
//! Default: a bounded number of cases (the whole target takes seconds in a debug build). More:
//! `FUZZ_CASES=100000 cargo test --release --test fuzz` (cases per part; the CLI part runs a
//! twentieth of them, each a process); `FUZZ_SEED=n` draws other inputs. A failure names its part,
//! case and seed, and writes the input to the temp directory.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use caplab::app::link::{
    encode_inputs, open_link, parse, route, write, Flags, Link, Page, Params, Route,
};
use caplab::sim::action::Action;
use caplab::sim::check::{self, history};
use caplab::sim::report::{self, LIN_BUDGET};
use caplab::sim::scenario::{Overrides, Scenario};
use caplab::sim::text::{is_one_clean_line, MAX_MESSAGE_CHARS};
use caplab::sim::types::{Conflict, Consistency, Mode, OpKind, Request};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

/// Cases per part: `FUZZ_CASES`, else `default`.
fn cases(default: u64) -> u64 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn fuzz_seed() -> u64 {
    std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
}

/// Longest an in-process input may take (a debug build on a busy machine included).
const INPUT_LIMIT: Duration = Duration::from_secs(10);
/// Longest a CLI process may run before it is killed and the case fails.
const PROCESS_LIMIT: Duration = Duration::from_secs(30);

/// One case's generator: its own stream, so a failing case reruns alone from (seed, part, case).
fn rng_for(part: u64, case: u64) -> ChaCha8Rng {
    let mut r = ChaCha8Rng::seed_from_u64(fuzz_seed());
    r.set_stream(part << 40 | case);
    r
}

/// The built-in scenarios the link and CLI parts start from: all but `crowd` (9 nodes, 3500 ops:
/// a minute unoptimized, seconds optimized on a loaded machine), a legitimately long run. The
/// event budget (`MAX_EVENTS`) bounds every run, but a bounded run of seconds optimized is still
/// minutes per case in this unoptimized test; `tests/scenario.rs` covers the budget itself.
fn scenario_names() -> Vec<&'static str> {
    Scenario::builtin_names()
        .iter()
        .copied()
        .filter(|n| *n != "crowd")
        .collect()
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// Runs `cases` inputs of one part: `make` draws an input, `drive` feeds it to the product and
/// returns every message it produced. A panic, a slow input or a bad message fails the test,
/// naming the case and saving the input.
fn fuzz_part(
    part: u64,
    name: &str,
    count: u64,
    make: impl Fn(&mut ChaCha8Rng) -> Vec<u8>,
    drive: impl Fn(&[u8]) -> Vec<String>,
    limit: Duration,
) {
    for case in 0..count {
        let input = make(&mut rng_for(part, case));
        let start = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| drive(&input)));
        let took = start.elapsed();
        let messages = match result {
            Ok(m) => m,
            Err(_) => fail(name, case, &input, "panicked".into()),
        };
        if took > limit {
            fail(name, case, &input, format!("took {took:?}"));
        }
        for m in messages {
            if let Err(why) = clean(&m) {
                fail(
                    name,
                    case,
                    &input,
                    format!("{why}: {:.300}", format!("{m:?}")),
                );
            }
        }
    }
}

/// Fails the test for one case, saving its input for a rerun.
fn fail(name: &str, case: u64, input: &[u8], why: String) -> ! {
    let path = std::env::temp_dir().join(format!("caplab-fuzz-{name}-{case}.bin"));
    std::fs::write(&path, input).ok();
    panic!(
        "fuzz {name} case {case} (FUZZ_SEED={}): {why}; input saved to {}",
        fuzz_seed(),
        path.display()
    );
}

/// One line, bounded, no raw control character.
fn clean(m: &str) -> Result<(), String> {
    if !is_one_clean_line(m) {
        return Err("the message has a control character or a line break".into());
    }
    if m.chars().count() > MAX_MESSAGE_CHARS + 1 {
        return Err(format!("the message has {} characters", m.chars().count()));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Mutation of JSON documents.

/// Numbers written raw into the JSON text (some are beyond what any integer type holds).
const WILD_NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1",
    "255",
    "256",
    "65535",
    "65536",
    "4294967295",
    "4294967296",
    "9007199254740993",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999999999",
    "1e308",
    "1e999",
    "-0",
    "0.5",
    "1E2",
];

/// A marker for raw JSON text: a string value that [`render`] replaces by its text.
const RAW: &str = "\u{0}RAW:";

fn raw(text: String) -> Value {
    Value::String(format!("{RAW}{text}"))
}

fn wild_string(rng: &mut ChaCha8Rng) -> String {
    match rng.random_range(0..9) {
        0 => String::new(),
        1 => "é✓🦀 \u{202e}gnp.exe".into(),
        2 => "a\nb\r\nc".into(),
        3 => "\u{1b}[31mred\u{1b}[0m\u{7}\u{1b}]0;title\u{7}".into(),
        4 => "k".repeat(rng.random_range(1_000..200_000)),
        5 => (0..rng.random_range(0..40))
            .map(|_| char::from_u32(rng.random_range(0..0x11_0000)).unwrap_or('\u{fffd}'))
            .collect(),
        6 => pick(
            rng,
            &[
                "bank", "cp", "read", "n1", "Alice", "lww", "-", "..", "=", "&",
            ],
        )
        .to_string(),
        7 => "\u{0}\u{ffff}\u{10ffff}\u{2028}".into(),
        _ => (0..rng.random_range(1..20))
            .map(|_| char::from(rng.random_range(0u8..0x20)))
            .collect(),
    }
}

/// Nested arrays or objects, up to far beyond serde's recursion limit.
fn deep(rng: &mut ChaCha8Rng) -> Value {
    let depth = *pick(rng, &[2usize, 50, 127, 129, 1000, 20_000]);
    let (open, close) = if rng.random_bool(0.5) {
        ("[", "]")
    } else {
        ("{\"a\":", "}")
    };
    raw(format!("{}1{}", open.repeat(depth), close.repeat(depth)))
}

fn wild_value(rng: &mut ChaCha8Rng, depth: u32) -> Value {
    match rng.random_range(0..10) {
        0 | 1 => raw(pick(rng, WILD_NUMBERS).to_string()),
        2 => Value::String(wild_string(rng)),
        3 => Value::Null,
        4 => Value::Bool(rng.random_bool(0.5)),
        5 if depth < 3 => Value::Array(
            (0..rng.random_range(0..4))
                .map(|_| wild_value(rng, depth + 1))
                .collect(),
        ),
        6 if depth < 3 => Value::Object(
            (0..rng.random_range(0..4))
                .map(|_| (wild_string(rng), wild_value(rng, depth + 1)))
                .collect(),
        ),
        7 => deep(rng),
        8 => Value::from(rng.random_range(0u64..20)),
        _ => Value::from(-rng.random_range(1i64..1000)),
    }
}

/// A number pushed to or past a boundary: 0, ±1, ×1000, the largest integers.
fn nudge(n: &serde_json::Number, rng: &mut ChaCha8Rng) -> Value {
    let x = n.as_i64().map_or(0i128, i128::from);
    let candidates = [
        x + 1,
        x - 1,
        x * 1000,
        0,
        -x,
        i128::from(u64::MAX),
        i128::from(u32::MAX) + 1,
    ];
    raw(pick(rng, &candidates).to_string())
}

/// One mutation at a random place of the tree.
fn mutate(node: &mut Value, rng: &mut ChaCha8Rng) {
    let descend = rng.random_bool(0.7);
    match node {
        Value::Object(m) if descend && !m.is_empty() => {
            let i = rng.random_range(0..m.len());
            if let Some(child) = m.values_mut().nth(i) {
                return mutate(child, rng);
            }
        }
        Value::Array(a) if descend && !a.is_empty() => {
            let i = rng.random_range(0..a.len());
            return mutate(&mut a[i], rng);
        }
        _ => {}
    }
    let how = rng.random_range(0..4);
    match node {
        Value::Object(m) if how == 0 => {
            m.insert(wild_string(rng), wild_value(rng, 0));
        }
        Value::Object(m) if how == 1 && !m.is_empty() => {
            let i = rng.random_range(0..m.len());
            if let Some(k) = m.keys().nth(i).cloned() {
                m.remove(&k);
            }
        }
        Value::Array(a) if how == 0 => {
            let v = a.first().cloned().unwrap_or(Value::Null);
            // Many copies, but never more than about 1 MB of them (copies of copies would grow
            // the input without bound).
            let size = v.to_string().len().max(1);
            let copies = (*pick(rng, &[1usize, 2, 100, 20_000])).min(1_000_000 / size);
            for _ in 0..copies {
                a.push(v.clone());
            }
        }
        Value::Array(a) if how == 1 => a.truncate(rng.random_range(0..=a.len())),
        Value::Number(n) if how < 3 => *node = nudge(&n.clone(), rng),
        _ => *node = wild_value(rng, 0),
    }
}

/// The JSON text of `v`, raw markers replaced by their text.
fn render(v: &Value) -> Vec<u8> {
    let text = v.to_string();
    let marker = "\"\\u0000RAW:";
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(i) = rest.find(marker) {
        out.push_str(&rest[..i]);
        let body = &rest[i + marker.len()..];
        let end = body.find('"').unwrap_or(body.len());
        out.push_str(&body[..end]);
        rest = body.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out.into_bytes()
}

/// Byte-level damage: truncation, random bytes, a duplicated slice.
fn damage(bytes: &mut Vec<u8>, rng: &mut ChaCha8Rng) {
    if bytes.is_empty() {
        return;
    }
    match rng.random_range(0..4) {
        0 => bytes.truncate(rng.random_range(0..bytes.len())),
        1 => {
            for _ in 0..rng.random_range(1..8) {
                let i = rng.random_range(0..bytes.len());
                bytes[i] = rng.random();
            }
        }
        2 => {
            let i = rng.random_range(0..bytes.len());
            let j = rng
                .random_range(i..bytes.len().min(i + 64) + 1)
                .min(bytes.len());
            let piece = bytes[i..j].to_vec();
            bytes.splice(i..i, piece);
        }
        _ => {
            let i = rng.random_range(0..=bytes.len());
            let noise: Vec<u8> = (0..rng.random_range(1..16)).map(|_| rng.random()).collect();
            bytes.splice(i..i, noise);
        }
    }
}

/// A valid document mutated `1..=4` times, sometimes damaged byte-wise.
fn mutated(base: &str, rng: &mut ChaCha8Rng) -> Vec<u8> {
    let mut v: Value = serde_json::from_str(base).expect("the base is valid JSON");
    for _ in 0..rng.random_range(1..=4) {
        mutate(&mut v, rng);
    }
    let mut bytes = render(&v);
    bytes.truncate(4 * history::MAX_HISTORY_BYTES);
    if rng.random_bool(0.25) {
        damage(&mut bytes, rng);
    }
    bytes
}

// ---------------------------------------------------------------------------------------------
// Scenarios.

fn scenario_input(rng: &mut ChaCha8Rng) -> Vec<u8> {
    let name = pick(rng, Scenario::builtin_names());
    let base = Scenario::builtin(name).expect("built-in").to_json();
    mutated(&base, rng)
}

/// Keeps a valid mutated scenario short enough to run in a test: the end tick, the traffic and
/// the timer dials are brought back near the built-ins'. A mutation that leaves a scenario valid
/// but costly is a legitimate long run, not a bug: validation refuses what would exceed the
/// event budget (`MAX_EVENTS`), and what fits can still take seconds optimized, too long per case
/// in this unoptimized test.
fn tame(s: &mut Scenario) {
    const END: u64 = 15_000;
    s.end_tick = s.end_tick.min(END);
    for r in &mut s.requests {
        r.at = r.at.min(END);
    }
    for f in &mut s.faults {
        f.at = f.at.min(END);
    }
    if let Some(w) = &mut s.workload {
        w.ops = w.ops.min(400);
        w.end_tick = w.end_tick.min(END);
        w.start_tick = w.start_tick.min(w.end_tick);
    }
    let t = &mut s.timing;
    t.heartbeat_ticks = t.heartbeat_ticks.max(20);
    t.election_timeout_ticks.0 = t.election_timeout_ticks.0.max(100);
    t.election_timeout_ticks.1 = t.election_timeout_ticks.1.max(t.election_timeout_ticks.0);
    t.request_timeout_ticks = t.request_timeout_ticks.max(50);
    t.anti_entropy_ticks = t.anti_entropy_ticks.max(100);
    t.hint_retry_ticks = t.hint_retry_ticks.max(50);
}

/// What `caplab run` does with a scenario file's text: parse, build, run, check.
fn drive_scenario(input: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(input);
    let mut s = match Scenario::from_json(&text) {
        Ok(s) => s,
        Err(e) => return vec![e.to_string()],
    };
    tame(&mut s);
    let mut sim = match s.build() {
        Ok(sim) => sim,
        Err(e) => return vec![e.to_string()],
    };
    sim.run_to_end();
    let mut out = Vec::new();
    if let Some(e) = sim.error() {
        out.push(e.to_string());
    }
    let _ = report::checks(&sim, LIN_BUDGET);
    out
}

#[test]
fn fuzz_scenarios() {
    let n = cases(300);
    fuzz_part(
        1,
        "scenario",
        n,
        scenario_input,
        drive_scenario,
        INPUT_LIMIT,
    );
}

// ---------------------------------------------------------------------------------------------
// History files.

/// Exported histories of a few real runs (the files `caplab check` reads).
fn histories() -> Vec<String> {
    [
        ("bank", Mode::Ap, 2),
        ("register", Mode::Quorum, 5),
        ("feed", Mode::Cp, 1),
    ]
    .iter()
    .map(|(name, mode, seed)| {
        let s = Scenario::builtin(name).unwrap().with_overrides(&Overrides {
            mode: Some(*mode),
            seed: Some(*seed),
            ..Overrides::default()
        });
        let mut sim = s.build().unwrap();
        sim.run_to_end();
        // An export, end state included (what `caplab run --export-history` writes).
        caplab::sim::report::history_json(&sim)
    })
    .collect()
}

/// What `caplab check` does with a history file's text.
fn drive_history(input: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(input);
    let loaded = match check::read_history(&text, None, None) {
        Ok(h) => h,
        Err(e) => return vec![e],
    };
    let _ = check::check(&loaded.facts(), check::Budget::Sweep);
    Vec::new()
}

#[test]
fn fuzz_histories() {
    let bases = histories();
    let make = |rng: &mut ChaCha8Rng| {
        let base = pick(rng, &bases).clone();
        mutated(&base, rng)
    };
    fuzz_part(2, "history", cases(200), make, drive_history, INPUT_LIMIT);
}

// ---------------------------------------------------------------------------------------------
// Share links.

fn some_actions(rng: &mut ChaCha8Rng) -> Vec<(u64, Action)> {
    let mut at = 0u64;
    (0..rng.random_range(0..6))
        .map(|_| {
            at += rng.random_range(0..400);
            let n = rng.random_range(0..4u8);
            let a = match rng.random_range(0..6) {
                0 => Action::Crash(n),
                1 => Action::Recover(n),
                2 => Action::CutBoth {
                    a: n,
                    b: (n + 1) % 3,
                },
                3 => Action::Partition {
                    sides: vec![vec![0, 1], vec![2]],
                },
                4 => Action::HealAll,
                _ => Action::Request {
                    client: rng.random_range(0..4),
                    req: Request::simple(
                        *pick(rng, &[OpKind::Read, OpKind::Deposit, OpKind::Withdraw]),
                        rng.random_range(0..200),
                        Consistency::Default,
                    ),
                },
            };
            (at, a)
        })
        .collect()
}

/// A link the page could have written.
fn valid_link(rng: &mut ChaCha8Rng) -> String {
    let names = &scenario_names();
    let maybe = |rng: &mut ChaCha8Rng, v: u64| rng.random_bool(0.5).then_some(v);
    let (r, w, seed) = (
        rng.random_range(1..4u64),
        rng.random_range(1..4u64),
        rng.random::<u64>(),
    );
    let (t, e, e2) = (
        rng.random_range(0..8000),
        rng.random_range(0..3000),
        rng.random_range(0..3000),
    );
    let scenario = pick(rng, names).to_string();
    let mode = rng.random_bool(0.5).then(|| *pick(rng, &Mode::ALL));
    let conflict = rng.random_bool(0.3).then(|| *pick(rng, &Conflict::ALL));
    let p = Params {
        scenario,
        over: Overrides {
            mode,
            conflict,
            n: maybe(rng, 3).map(|x| x as u8),
            r: maybe(rng, r).map(|x| x as u8),
            w: maybe(rng, w).map(|x| x as u8),
            seed: maybe(rng, seed),
        },
        t: maybe(rng, t),
        e: maybe(rng, e),
        e2: maybe(rng, e2),
        workload: rng.random_bool(0.8),
        faults: rng.random_bool(0.8),
        side: rng.random_bool(0.2),
        made: None,
        challenge: None,
    };
    let link = Link {
        page: Page::Lab {
            params: p,
            inputs: [some_actions(rng), some_actions(rng)],
        },
        flags: Flags {
            embed: rng.random_bool(0.1),
            present: rng.random_bool(0.1),
            panels: None,
        },
    };
    write(&link).expect("a few actions fit in a link")
}

/// Text-level damage to a link: numbers replaced by wild ones, stray characters, truncation.
fn mutate_link(link: &mut String, rng: &mut ChaCha8Rng) {
    let digits: Vec<usize> = link
        .char_indices()
        .filter(|(_, c)| c.is_ascii_digit())
        .map(|(i, _)| i)
        .collect();
    match rng.random_range(0..6) {
        0 | 1 if !digits.is_empty() => {
            let i = *pick(rng, &digits);
            replace_number(link, rng, i);
        }
        2 => insert_stray(link, rng),
        3 => {
            let cut = rng.random_range(0..=link.len());
            let cut = (0..=cut)
                .rev()
                .find(|i| link.is_char_boundary(*i))
                .unwrap_or(0);
            link.truncate(cut);
        }
        4 => append_param(link, rng),
        _ => {
            let frag = encode_inputs(&some_actions(rng));
            link.push_str(&format!("#s={frag}.{frag}"));
        }
    }
}

/// The number starting at byte `i` of `link` replaced by a wild one (huge, negative, empty…).
fn replace_number(link: &mut String, rng: &mut ChaCha8Rng, i: usize) {
    let end = link[i..]
        .find(|c: char| !c.is_ascii_digit())
        .map_or(link.len(), |j| i + j);
    let wild = *pick(
        rng,
        &[
            "",
            "-1",
            "18446744073709551615",
            "18446744073709551616",
            "100000000",
            "99999999999999999999999",
            "0",
            "1e3",
            "00000000000000000000001",
        ],
    );
    link.replace_range(i..end, wild);
}

/// Up to 2000 wild characters inserted at a random place of `link`.
fn insert_stray(link: &mut String, rng: &mut ChaCha8Rng) {
    let at = link
        .char_indices()
        .map(|(i, _)| i)
        .nth(rng.random_range(0..=link.chars().count()))
        .unwrap_or(link.len());
    let s = wild_string(rng);
    let s: String = s.chars().take(rng.random_range(1..2000)).collect();
    link.insert_str(at, &s);
}

/// One hostile parameter or fragment appended to `link`.
fn append_param(link: &mut String, rng: &mut ChaCha8Rng) {
    let extra = *pick(
        rng,
        &[
            "&t=18446744073709551615",
            "&e=18446744073709551615",
            "&e2=99999999999",
            "&n=9&r=9&w=9",
            "&n=0",
            "&seed=18446744073709551615",
            "&side=1",
            "&scenario=two-regions",
            "&lesson=bank-cp&step=99999999999999999999",
            "#s=0H.0H.0H",
            "&t=",
            "&&&==",
            "#s=18446744073709551615x0",
        ],
    );
    link.push_str(extra);
}

fn link_input(rng: &mut ChaCha8Rng) -> Vec<u8> {
    let mut link = valid_link(rng);
    for _ in 0..rng.random_range(0..4) {
        mutate_link(&mut link, rng);
    }
    link.into_bytes()
}

/// What the page does with a URL: route it, open the lab link, check the frame is in the run.
fn drive_link(input: &[u8]) -> Vec<String> {
    let url = String::from_utf8_lossy(input);
    let (query, fragment) = url.split_once('#').unwrap_or((&url, ""));
    let mut out = Vec::new();
    match route(query, fragment) {
        Route::Landing { notice } | Route::Lesson { notice, .. } => out.extend(notice),
        Route::Lab | Route::Teach => {}
    }
    match open_link(query, fragment) {
        Err(e) => out.push(e),
        Ok(o) => {
            for t in &o.runs {
                let end = t.sim().end_tick();
                assert!(o.params.t.is_none_or(|x| x <= end), "t is fitted");
                assert!(t.sim().now() <= end, "the frame is inside the run");
            }
            let (again, _) = parse(&o.params.to_query(), "");
            let again = match again.page {
                Page::Lab { params, .. } => params,
                _ => panic!("a fitted link reopens the lab"),
            };
            assert_eq!(again, o.params, "a fitted link reparses");
            out.extend(o.notes);
        }
    }
    out
}

#[test]
fn fuzz_links() {
    fuzz_part(3, "link", cases(300), link_input, drive_link, INPUT_LIMIT);
}

// ---------------------------------------------------------------------------------------------
// The command line.

/// Files the argument vectors may name, made once per run.
struct Files {
    dir: std::path::PathBuf,
    scenario: String,
    history: String,
    fifo: Option<String>,
}

impl Files {
    fn new() -> Files {
        let dir = std::env::temp_dir().join(format!("caplab-fuzz-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, text: &str| {
            let p = dir.join(name);
            std::fs::write(&p, text).unwrap();
            p.to_string_lossy().to_string()
        };
        let scenario = write("s.json", &Scenario::builtin("bank").unwrap().to_json());
        let history = write("h.json", &histories()[0]);
        let fifo = dir.join("pipe.json");
        let fifo = Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success())
            .then(|| fifo.to_string_lossy().to_string());
        Files {
            dir,
            scenario,
            history,
            fifo,
        }
    }

    /// A file for this case: a mutated scenario (tamed when it is valid) or history.
    fn mutated(&self, rng: &mut ChaCha8Rng, case_tag: u64) -> String {
        let bytes = if rng.random_bool(0.5) {
            let bytes = scenario_input(rng);
            match Scenario::from_json(&String::from_utf8_lossy(&bytes)) {
                Ok(mut s) => {
                    tame(&mut s);
                    s.to_json().into_bytes()
                }
                Err(_) => bytes,
            }
        } else {
            mutated(&histories_cached()[0], rng)
        };
        let p = self.dir.join(format!("m{case_tag}.json"));
        std::fs::write(&p, bytes).unwrap();
        p.to_string_lossy().to_string()
    }
}

fn histories_cached() -> &'static [String] {
    static H: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    H.get_or_init(histories)
}

/// A command from the README, with file names from `files`.
fn valid_args(rng: &mut ChaCha8Rng, files: &Files, case: u64) -> Vec<String> {
    let mut paths = vec![files.scenario.clone(), files.mutated(rng, case)];
    paths.extend(files.fifo.clone());
    paths.push(files.dir.to_string_lossy().to_string());
    paths.push("/nonexistent/x.json".into());
    let scen = if rng.random_bool(0.5) {
        pick(rng, &scenario_names()).to_string()
    } else {
        pick(rng, &paths).clone()
    };
    let v: Vec<String> = match rng.random_range(0..6) {
        0 => vec!["list".into()],
        1 => vec![pick(rng, &["--help", "--version", "help", "-V"]).to_string()],
        2 => vec!["run".into(), "--scenario".into(), scen, "--json".into()],
        3 => vec![
            "run".into(),
            "--scenario".into(),
            scen,
            "--mode".into(),
            pick(rng, &["ca", "cp", "ap", "quorum"]).to_string(),
            "--seed".into(),
            rng.random::<u64>().to_string(),
        ],
        4 => vec![
            "sweep".into(),
            "--scenario".into(),
            scen,
            "--mode".into(),
            "cp".into(),
            "--seeds".into(),
            pick(
                rng,
                &[
                    "1..3",
                    "18446744073709551615",
                    "18446744073709551613..18446744073709551615",
                    "0..1000001",
                    "5..5",
                    "a..b",
                    "..",
                    "-1..2",
                ],
            )
            .to_string(),
        ],
        _ => {
            let h = if rng.random_bool(0.5) {
                files.history.clone()
            } else {
                pick(rng, &paths).clone()
            };
            vec!["check".into(), h, "--json".into()]
        }
    };
    v
}

fn mutate_args(args: &mut Vec<String>, rng: &mut ChaCha8Rng) {
    let i = rng.random_range(0..args.len().max(1));
    match rng.random_range(0..6) {
        0 if !args.is_empty() => args[i] = wild_string(rng).chars().take(5000).collect(),
        1 if !args.is_empty() => {
            args.remove(i);
        }
        2 => args.insert(
            i.min(args.len()),
            pick(rng, &["extra", "--json", "--nope", "-x", "--", "--seed"]).to_string(),
        ),
        3 if !args.is_empty() => args[i] = pick(rng, WILD_NUMBERS).to_string(),
        4 if !args.is_empty() => {
            let a = args[i].clone();
            args.insert(i, a);
        }
        _ => args.push(format!(
            "--{}",
            wild_string(rng).chars().take(300).collect::<String>()
        )),
    }
    // An argument with a NUL cannot be passed to a process; the OS never hands one to caplab.
    for a in args.iter_mut() {
        *a = a.replace('\0', "0");
    }
}

/// Runs caplab with `args`; kills it after [`PROCESS_LIMIT`].
fn run_cli(args: &[String]) -> Result<std::process::Output, String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_caplab"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("spawn: {e}"))?;
    let out = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut o) = out {
            std::io::Read::read_to_end(&mut o, &mut buf).ok();
        }
        buf
    });
    let start = Instant::now();
    while child.try_wait().map_err(|e| e.to_string())?.is_none() {
        if start.elapsed() > PROCESS_LIMIT {
            child.kill().ok();
            child.wait().ok();
            return Err(format!("still running after {PROCESS_LIMIT:?}"));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut rest = child.wait_with_output().map_err(|e| e.to_string())?;
    rest.stdout = reader.join().unwrap_or_default();
    Ok(rest)
}

/// Runs one argument vector (NUL-separated in `input`) and checks what the user sees.
fn drive_cli(input: &[u8]) -> Vec<String> {
    let args: Vec<String> = String::from_utf8_lossy(input)
        .split('\0')
        .map(str::to_string)
        .collect();
    let out = run_cli(&args).unwrap_or_else(|e| panic!("caplab {args:?}: {e}"));
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!err.contains("panicked"), "caplab panicked: {err}");
    assert!(
        !stdout.chars().any(|c| c.is_control() && c != '\n'),
        "stdout has a control character"
    );
    match out.status.code() {
        Some(0) => {
            assert!(err.is_empty(), "a success prints nothing on stderr: {err}");
            Vec::new()
        }
        Some(1 | 2) => {
            let line = err.strip_suffix('\n').unwrap_or(&err);
            assert!(line.starts_with("caplab: "), "{err:?}");
            vec![line["caplab: ".len()..].to_string()]
        }
        other => panic!("exit {other:?}: {err}"),
    }
}

#[test]
fn fuzz_command_line() {
    let files = Files::new();
    let count = (cases(600) / 20).max(1);
    let make = |rng: &mut ChaCha8Rng| {
        let case = rng.random::<u64>();
        let mut args = valid_args(rng, &files, case);
        for _ in 0..rng.random_range(0..3) {
            mutate_args(&mut args, rng);
        }
        args.join("\0").into_bytes()
    };
    fuzz_part(
        4,
        "cli",
        count,
        make,
        drive_cli,
        PROCESS_LIMIT + INPUT_LIMIT,
    );
    std::fs::remove_dir_all(&files.dir).ok();
}
