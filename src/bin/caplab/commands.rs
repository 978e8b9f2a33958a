//! The `list`, `run`, `sweep` and `check` commands.

use std::io::Read;

use caplab::sim::check::{self, history, Budget, Checks};
use caplab::sim::nemesis::{self, NemesisSpec};
use caplab::sim::promises::{self, Promise, Run, Tally as PromiseTally, Verdict, PROMISES};
use caplab::sim::report;
use caplab::sim::scenario::{Overrides, Scenario};
use caplab::sim::text::quote;
use caplab::sim::types::{Case, Conflict, Mode, MAX_INPUT_BYTES};
use caplab::sim::world::Sim;

use crate::args::{seed_range, unexpected, Args, Seeds};
use crate::output::{self, emit, Fail};

pub fn list(raw: &[String]) -> Result<(), Fail> {
    if let Some(a) = raw.first() {
        return Err(unexpected(a).into());
    }
    let mut text = String::new();
    for name in Scenario::builtin_names() {
        let s = Scenario::builtin(name).map_err(|e| e.to_string())?;
        text += &format!(
            "{:<12} {:<7} {:<9} {}\n",
            quote(name),
            s.mode.as_str(),
            s.case.as_str(),
            quote_long(&s.description)
        );
    }
    emit(&text)
}

/// A description (up to 2000 characters) escaped for one line, not clipped.
fn quote_long(s: &str) -> String {
    caplab::sim::text::clip_escaped(s, usize::MAX)
}

/// What kind of thing a path is, for the error when it is not a regular file.
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a named pipe";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    if meta.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// Reads a regular file of at most `limit` bytes. The file's kind and size are checked before
/// it is opened (a named pipe or a device would block or never end), and the read stops after
/// `limit + 1` bytes whatever the metadata said.
pub fn read_limited(path: &str, limit: usize) -> Result<String, String> {
    let p = quote(path);
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot open '{p}': {e}"))?;
    if !meta.is_file() {
        return Err(format!(
            "'{p}' is {}; only regular files are read",
            kind_of(&meta)
        ));
    }
    if meta.len() > limit as u64 {
        return Err(format!("'{p}' is larger than {limit} bytes"));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open '{p}': {e}"))?;
    let mut text = String::new();
    file.take(limit as u64 + 1)
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read '{p}': {e}"))?;
    if text.len() > limit {
        return Err(format!("'{p}' is larger than {limit} bytes"));
    }
    Ok(text)
}

/// A built-in name, or a path to a scenario JSON file.
fn load_scenario(spec: &str) -> Result<Scenario, String> {
    if Scenario::builtin_names().contains(&spec) {
        return Scenario::builtin(spec).map_err(|e| e.to_string());
    }
    if !spec.ends_with(".json") && !std::path::Path::new(spec).exists() {
        let names = Scenario::builtin_names().join(", ");
        return Err(format!(
            "no built-in scenario '{}' (built-ins: {names}) and no such file",
            quote(spec)
        ));
    }
    let text = read_limited(spec, MAX_INPUT_BYTES)?;
    Scenario::from_json(&text).map_err(|e| format!("{}: {e}", quote(spec)))
}

/// The scenario named by `--scenario`, with `--mode/--conflict/--n/--r/--w/--seed` applied.
fn scenario_from(args: &Args) -> Result<Scenario, String> {
    let spec = args
        .get("--scenario")
        .ok_or("--scenario <name|file.json> is required")?;
    let base = load_scenario(spec)?;
    let mode = match args.get("--mode") {
        Some(m) => Some(
            Mode::parse(m)
                .ok_or_else(|| format!("--mode must be ca|cp|ap|quorum, got '{}'", quote(m)))?,
        ),
        None => None,
    };
    let conflict = match args.get("--conflict") {
        Some(c) => Some(
            Conflict::parse(c)
                .ok_or_else(|| format!("--conflict must be lww|vclock|crdt, got '{}'", quote(c)))?,
        ),
        None => None,
    };
    let o = Overrides {
        mode,
        conflict,
        n: args.num("--n")?,
        r: args.num("--r")?,
        w: args.num("--w")?,
        seed: args.num("--seed")?,
    };
    let s = base.with_overrides(&o);
    s.validate().map_err(|e| e.to_string())?;
    Ok(s)
}

/// Builds and runs a scenario to its end; a sim error (a limit hit mid-run) is an error.
pub fn run_scenario(s: &Scenario) -> Result<Sim, String> {
    let mut sim = s.build().map_err(|e| e.to_string())?;
    sim.run_to_end();
    if let Some(e) = sim.error() {
        return Err(format!("the run stopped: {e}"));
    }
    Ok(sim)
}

const RUN_OPTS: &[&str] = &[
    "--scenario",
    "--mode",
    "--conflict",
    "--n",
    "--r",
    "--w",
    "--seed",
    "--export-history",
];

pub fn run(raw: &[String]) -> Result<(), Fail> {
    let args = Args::parse(raw, RUN_OPTS)?;
    args.no_positional()?;
    let s = scenario_from(&args)?;
    let sim = run_scenario(&s)?;
    let checks = report::checks(&sim, Budget::Cli);
    if let Some(path) = args.get("--export-history") {
        let text = report::history_json(&sim);
        std::fs::write(path, text).map_err(|e| format!("cannot write '{}': {e}", quote(path)))?;
    }
    if args.flag("--json") {
        output::emit_json(&output::run_json(&s, &sim, &checks))
    } else {
        emit(&output::run_text(&s, &sim, &checks))
    }
}

/// Per-anomaly tallies over a sweep: how many seeds showed it, and the first one.
#[derive(Default)]
pub struct Tally {
    pub seeds: u64,
    pub first: Option<u64>,
}

impl Tally {
    fn add(&mut self, seed: u64, hit: bool) {
        if hit {
            self.seeds += 1;
            self.first.get_or_insert(seed);
        }
    }
}

/// The anomalies a sweep counts, in report order.
pub const ANOMALIES: [&str; 7] = [
    "not_linearizable",
    "stale_reads",
    "lost_updates",
    "negative_balance",
    "double_spends",
    "not_converged",
    "lin_unknown",
];

fn anomalies(c: &Checks) -> [bool; 7] {
    [
        c.linearizable == Some(false),
        c.stale_reads > 0,
        c.lost_updates > 0,
        c.min_balance.is_some_and(|b| b < 0),
        c.double_spends > 0,
        !c.converged,
        c.linearizable.is_none(),
    ]
}

/// Where a sweep's faults come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Faults {
    /// The scenario's own scripted faults, the same for every seed.
    Scripted,
    /// A nemesis schedule per seed, replacing the scenario's faults.
    Random(NemesisSpec),
}

/// What one seed's run showed: the anomaly flags and each applicable promise's verdict.
pub struct SeedResult {
    pub anomalies: [bool; 7],
    pub verdicts: Vec<Verdict>,
}

/// The promises made for `s`'s configuration, in table order.
pub fn applicable(s: &Scenario) -> Vec<&'static Promise> {
    let c = s.proto_config();
    PROMISES
        .iter()
        .filter(|p| p.applies(c.mode, c.case, c.conflict, (c.n, c.r, c.w)))
        .collect()
}

/// One seed's run: its scenario (random faults drawn from the seed), the anomaly flags and
/// the verdict of each promise in `promises`.
fn seed_result(
    base: &Scenario,
    faults: Faults,
    seed: u64,
    lin_budget: Budget,
    promises: &[&Promise],
) -> Result<SeedResult, String> {
    let s = match faults {
        Faults::Scripted => base.with_overrides(&Overrides {
            seed: Some(seed),
            ..Overrides::default()
        }),
        Faults::Random(spec) => {
            nemesis::with_random_faults(base, &spec, seed).map_err(|e| e.to_string())?
        }
    };
    let sim = run_scenario(&s)?;
    let c = report::checks(&sim, lin_budget);
    let run = Run {
        sim: &sim,
        checks: &c,
        faults: &s.faults,
    };
    Ok(SeedResult {
        anomalies: anomalies(&c),
        verdicts: promises.iter().map(|p| promises::check(p, &run)).collect(),
    })
}

/// A sweep's tallies: per anomaly, and per applicable promise (with the promise).
pub struct SweepResult {
    pub anomalies: Vec<Tally>,
    pub promises: Vec<(&'static Promise, PromiseTally)>,
}

/// Runs `seeds` of `base` and tallies each anomaly and promise. Seeds are independent, so they
/// run on every core; the tallies are folded in seed order, so the result is the same as a
/// sequential sweep's (first seeds included). Seeds are counted as offsets from the first, so a
/// range that ends at `u64::MAX` never overflows.
pub fn sweep_seeds(
    base: &Scenario,
    faults: Faults,
    seeds: Seeds,
    lin_budget: Budget,
) -> Result<SweepResult, String> {
    let promises = applicable(base);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(16) as u64;
    let count = seeds.count();
    let chunk = count.div_ceil(threads).max(1);
    let results: Vec<Result<Vec<SeedResult>, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..count)
            .step_by(chunk as usize)
            .map(|lo| {
                let hi = lo.saturating_add(chunk).min(count);
                let promises = &promises;
                scope.spawn(move || {
                    (lo..hi)
                        .map(|off| {
                            seed_result(base, faults, seeds.first + off, lin_budget, promises)
                        })
                        .collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("a sweep thread panicked".into()))
            })
            .collect()
    });
    let mut out = SweepResult {
        anomalies: ANOMALIES.iter().map(|_| Tally::default()).collect(),
        promises: promises
            .iter()
            .map(|p| (*p, PromiseTally::default()))
            .collect(),
    };
    let mut done = 0u64;
    for chunk in results {
        for r in chunk? {
            let seed = seeds.first + done;
            for (t, hit) in out.anomalies.iter_mut().zip(r.anomalies) {
                t.add(seed, hit);
            }
            for ((p, t), v) in out.promises.iter_mut().zip(&r.verdicts) {
                t.add(p.modality, seed, v);
            }
            done += 1;
        }
    }
    assert_eq!(done, count, "every seed is tallied once");
    Ok(out)
}

fn faults_from(args: &Args, s: &Scenario) -> Result<Faults, String> {
    match args.get("--faults").unwrap_or("scripted") {
        "scripted" => Ok(Faults::Scripted),
        "random" => {
            let spec = NemesisSpec::for_scenario(s);
            // Draw once to turn a scenario the nemesis cannot work on into a clear error.
            nemesis::schedule(s, &spec, 0).map_err(|e| e.to_string())?;
            Ok(Faults::Random(spec))
        }
        other => Err(format!(
            "--faults must be scripted|random, got '{}'",
            quote(other)
        )),
    }
}

pub fn sweep(raw: &[String]) -> Result<(), Fail> {
    let args = Args::parse(
        raw,
        &[
            "--scenario",
            "--mode",
            "--conflict",
            "--n",
            "--r",
            "--w",
            "--seeds",
            "--faults",
        ],
    )?;
    args.no_positional()?;
    if args.get("--mode").is_none() {
        return Err("--mode ca|cp|ap|quorum is required".into());
    }
    let s = scenario_from(&args)?;
    let seeds = seed_range(args.get("--seeds").ok_or("--seeds A..B is required")?)?;
    let faults = faults_from(&args, &s)?;
    let result = sweep_seeds(&s, faults, seeds, Budget::Sweep)?;
    if args.flag("--json") {
        emit(&format!(
            "{}\n",
            output::sweep_json(&s, faults, seeds, &result)
        ))
    } else {
        emit(&output::sweep_text(&s, faults, seeds, &result))
    }
}

/// `caplab check FILE [--case C] [--initial A,B] [--json]`: re-checks a history file or a
/// Porcupine-style log through the same verdict function as `caplab run`.
pub fn check(raw: &[String]) -> Result<(), Fail> {
    let args = Args::parse(raw, &["--case", "--initial"])?;
    let path =
        match args.positional.as_slice() {
            [path] => path,
            [_, extra, ..] => return Err(unexpected(extra).into()),
            [] => return Err(
                "usage: caplab check <history.json|log.jsonl> [--case C] [--initial A,B] [--json]"
                    .into(),
            ),
        };
    let case = match args.get("--case") {
        Some(c) => Some(
            [Case::Bank, Case::Feed, Case::Register]
                .into_iter()
                .find(|k| k.as_str() == c)
                .ok_or(format!(
                    "--case must be bank|feed|register, got '{}'",
                    quote(c)
                ))?,
        ),
        None => None,
    };
    let initial = args.get("--initial").map(parse_initial).transpose()?;
    let text = read_limited(path, history::MAX_HISTORY_BYTES)?;
    let loaded =
        check::read_history(&text, case, initial).map_err(|e| format!("{}: {e}", quote(path)))?;
    let checks = check::check(&loaded.facts(), Budget::Cli);
    if args.flag("--json") {
        emit(&format!("{}\n", output::check_json(&loaded, &checks)))
    } else {
        emit(&output::check_text(&loaded, &checks))
    }
}

/// `A,B`: initial values, one per key.
fn parse_initial(text: &str) -> Result<Vec<i64>, String> {
    text.split(',')
        .map(|x| {
            x.trim().parse().map_err(|_| {
                format!(
                    "--initial expects numbers like 100,0, got '{}'",
                    quote(text)
                )
            })
        })
        .collect()
}
