//! `caplab`: the native command-line tool over the simulation core.
//!
//! A run that completes exits 0 whatever anomalies it found (they are results, not errors).
//! Bad input exits 2 with one clear line on stderr.

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
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let (cmd, rest) = match raw.split_first() {
        Some((c, r)) => (c.as_str(), r),
        None => ("--help", &[][..]),
    };
    let result = match cmd {
        "--version" | "-V" => {
            println!("caplab {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        "--help" | "-h" | "help" => {
            print!("{HELP}");
            Ok(())
        }
        "list" => commands::list(),
        "run" => commands::run(rest),
        "sweep" => commands::sweep(rest),
        "check" => commands::check(rest),
        "bench" => bench::bench(rest),
        other => Err(format!("unknown command '{other}' (try `caplab --help`)")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("caplab: {e}");
            ExitCode::from(2)
        }
    }
}
