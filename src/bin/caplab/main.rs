//! `caplab`: the native command-line tool over the simulation core.
//!
//! A run that completes exits 0 whatever anomalies it found (they are results, not errors).
//! Bad input exits 2 with one clear line on stderr; a stdout that closes early (`| head`) or
//! fills up exits 1, also with one line. Nothing here panics on any input.

// The CLI is native only (it reads files and uses native-only JSON); a wasm build of the
// crate's targets (browser tests) gets an empty `main`.
#[cfg(not(target_arch = "wasm32"))]
mod args;
#[cfg(not(target_arch = "wasm32"))]
mod bench;
#[cfg(not(target_arch = "wasm32"))]
mod commands;
#[cfg(not(target_arch = "wasm32"))]
mod output;

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
use std::process::ExitCode;

#[cfg(not(target_arch = "wasm32"))]
use output::{emit, Fail};

#[cfg(not(target_arch = "wasm32"))]
const HELP: &str = "caplab — a deterministic CAP-theorem laboratory

Usage:
  caplab list                                   built-in scenarios
  caplab run --scenario <name|file.json> [--mode ca|cp|ap|quorum] [--conflict lww|vclock|crdt]
             [--n N --r R --w W] [--seed N] [--json] [--export-history FILE]
                                                run to the end; print a summary (or a JSON report)
  caplab sweep --scenario <name|file.json> --mode M --seeds A..B [--conflict C] [--n N --r R --w W]
             [--faults scripted|random] [--json]
                                                run many seeds; count each anomaly and check each
                                                promise (first seed of each); random: a nemesis
                                                fault schedule per seed instead of the scenario's
  caplab check <history.json|log.jsonl> [--case C] [--initial A,B] [--json]
                                                re-check an exported history or a Porcupine log
  caplab bench [--json]                         benchmarks: events/s, 10 000-op check ms, sweep seeds/s
  caplab --version | --help

Same scenario + seed ⇒ the same run, always.
";

#[cfg(not(target_arch = "wasm32"))]
fn main() -> ExitCode {
    let raw: Result<Vec<String>, _> = std::env::args_os()
        .skip(1)
        .map(std::ffi::OsString::into_string)
        .collect();
    let result = match raw {
        Ok(raw) => dispatch(&raw),
        Err(bad) => Err(Fail::Input(format!(
            "argument '{}' is not valid UTF-8",
            caplab::sim::text::quote(&bad.to_string_lossy())
        ))),
    };
    let (message, code) = match result {
        Ok(()) => return ExitCode::SUCCESS,
        Err(Fail::Input(e)) => (e, 2),
        Err(Fail::Output(e)) => (e, 1),
    };
    // One line whatever the message holds; a closed stderr is ignored (nowhere left to tell).
    let line = format!("caplab: {}\n", caplab::sim::text::one_line(&message));
    let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
    ExitCode::from(code)
}

/// Runs the command `raw[0]` with the rest of the arguments.
#[cfg(not(target_arch = "wasm32"))]
fn dispatch(raw: &[String]) -> Result<(), Fail> {
    let (cmd, rest) = match raw.split_first() {
        Some((c, r)) => (c.as_str(), r),
        None => ("--help", &[][..]),
    };
    match cmd {
        "--version" | "-V" | "--help" | "-h" | "help" if !rest.is_empty() => {
            Err(args::unexpected(&rest[0]).into())
        }
        "--version" | "-V" => emit(&format!("caplab {}\n", env!("CARGO_PKG_VERSION"))),
        "--help" | "-h" | "help" => emit(HELP),
        "list" => commands::list(rest),
        "run" => commands::run(rest),
        "sweep" => commands::sweep(rest),
        "check" => commands::check(rest),
        "bench" => bench::bench(rest),
        other => Err(Fail::Input(format!(
            "unknown command '{}' (try `caplab --help`)",
            caplab::sim::text::quote(other)
        ))),
    }
}
