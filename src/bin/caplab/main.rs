//! `caplab`: the native command-line tool over the simulation core.
//!
//! A run that completes exits 0 whatever anomalies it found (they are results, not errors).
//! Bad input exits 2 with one clear line on stderr.

mod args;
mod bench;
mod commands;
mod output;

use std::process::ExitCode;

const HELP: &str = "caplab — a deterministic CAP-theorem laboratory

Usage:
  caplab list                                   built-in scenarios
  caplab run --scenario <name|file.json> [--mode ca|cp|ap|quorum] [--conflict lww|vclock|crdt]
             [--n N --r R --w W] [--seed N] [--json] [--export-history FILE]
                                                run to the end; print a summary (or a JSON report)
  caplab sweep --scenario <name|file.json> --mode M --seeds A..B [--conflict C] [--json]
                                                run many seeds; count each anomaly, first seed of each
  caplab check <history.json> [--json]          re-check an exported history
  caplab bench [--json]                         benchmarks: events/s, 10 000-op check ms, sweep seeds/s
  caplab --version | --help

Same scenario + seed ⇒ the same run, always.
";

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
