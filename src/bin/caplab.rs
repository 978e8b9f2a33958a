//! `caplab`: the native command-line tool over the simulation core.

use std::process::ExitCode;

const HELP: &str = "caplab — a deterministic CAP-theorem laboratory

Usage:
  caplab --version
  caplab --help
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--version" | "-V") => {
            println!("caplab {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        None | Some("--help" | "-h" | "help") => {
            print!("{HELP}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("caplab: unknown command '{other}' (try `caplab --help`)");
            ExitCode::from(2)
        }
    }
}
