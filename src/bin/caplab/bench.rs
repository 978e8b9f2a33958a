//! `caplab bench`: figures, not assertions. Wall-clock timing lives here, never in `src/sim`.

use std::time::{Duration, Instant};

use caplab::sim::check::Budget;
use caplab::sim::check::{
    bench::{bench_history, register_history},
    lin,
};
use caplab::sim::report::LIN_BUDGET;
use caplab::sim::scenario::{Overrides, Scenario};
use caplab::sim::types::Mode;
use serde_json::json;

use crate::args::{Args, Seeds};
use crate::commands::{run_scenario, sweep_seeds, Faults};
use crate::output::{emit, Fail};

/// Runs `f` repeatedly for at least `min` and returns (iterations, elapsed).
fn repeat_for(min: Duration, mut f: impl FnMut()) -> (u64, Duration) {
    let start = Instant::now();
    let mut n = 0;
    while n == 0 || start.elapsed() < min {
        f();
        n += 1;
    }
    (n, start.elapsed())
}

fn bank(mode: Mode, seed: u64) -> Scenario {
    let s = Scenario::builtin("bank").expect("the bank built-in exists");
    s.with_overrides(&Overrides {
        mode: Some(mode),
        seed: Some(seed),
        ..Overrides::default()
    })
}

/// Simulated events per second over whole runs of the bank scenario in every mode.
fn events_per_sec() -> Result<f64, String> {
    let mut events = 0u64;
    let mut seed = 0;
    let mut err = None;
    let (_, t) = repeat_for(Duration::from_secs(2), || {
        seed += 1;
        for mode in Mode::ALL {
            match run_scenario(&bank(mode, seed)) {
                Ok(sim) => events += sim.events_processed(),
                Err(e) => err = Some(e),
            }
        }
    });
    match err {
        Some(e) => Err(e),
        None => Ok(events as f64 / t.as_secs_f64()),
    }
}

/// Median milliseconds to check a 10 000-op linearizable history.
fn check_10k_ms() -> Result<(f64, u64), String> {
    let (case, initial, ops) = bench_history(10_000, 7);
    let mut times = Vec::new();
    let mut explored = 0;
    for _ in 0..7 {
        let start = Instant::now();
        let r = lin::check(case, &initial, &ops, LIN_BUDGET);
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        if r.verdict != Some(true) {
            return Err(format!(
                "the bench history should be linearizable, got {:?}",
                r.verdict
            ));
        }
        explored = r.explored;
    }
    times.sort_by(f64::total_cmp);
    Ok((times[times.len() / 2], explored))
}

/// Median milliseconds to check a 10 000-op register history from 20 clients, each write of a
/// value of its own (the search's hard shape: many concurrent writes).
fn check_register_10k_ms() -> Result<(f64, u64), String> {
    let (case, initial, ops) = register_history(10_000, 20, 7);
    let mut times = Vec::new();
    let mut explored = 0;
    for _ in 0..5 {
        let start = Instant::now();
        let r = lin::check(case, &initial, &ops, LIN_BUDGET);
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        if r.verdict != Some(true) {
            return Err(format!(
                "the register bench history should be linearizable, got {:?} after {} steps",
                r.verdict, r.explored
            ));
        }
        explored = r.explored;
    }
    times.sort_by(f64::total_cmp);
    Ok((times[times.len() / 2], explored))
}

/// Seeds per second of a 3-node bank sweep in CP mode (run + every checker per seed).
fn sweep_seeds_per_sec() -> Result<f64, String> {
    let base = bank(Mode::Cp, 0);
    let mut seeds = 0u64;
    let mut err = None;
    let (_, t) = repeat_for(Duration::from_secs(2), || {
        let range = Seeds {
            first: seeds,
            last: seeds + 49,
        };
        if let Err(e) = sweep_seeds(&base, Faults::Scripted, range, Budget::Sweep) {
            err = Some(e);
        }
        seeds += 50;
    });
    match err {
        Some(e) => Err(e),
        None => Ok(seeds as f64 / t.as_secs_f64()),
    }
}

pub fn bench(raw: &[String]) -> Result<(), Fail> {
    let args = Args::parse(raw, &[])?;
    args.no_positional()?;
    let eps = events_per_sec()?;
    let (check_ms, explored) = check_10k_ms()?;
    let (register_ms, register_explored) = check_register_10k_ms()?;
    let sps = sweep_seeds_per_sec()?;
    if args.flag("--json") {
        let j = json!({
            "events_per_sec": eps.round(),
            "check_10k_ms": (check_ms * 100.0).round() / 100.0,
            "check_register_10k_20_clients_ms": (register_ms * 100.0).round() / 100.0,
            "sweep_seeds_per_sec": sps.round(),
        });
        emit(&format!("{j}\n"))
    } else {
        emit(&format!(
            "simulation          {:>12.0} events/s   (bank scenario, all four modes)\n\
             linearizability     {:>12.2} ms         (10 000-op history, {explored} search steps)\n\
             linearizability     {:>12.2} ms         (10 000-op register, 20 clients, unique \
             writes, {register_explored} search steps)\n\
             sweep               {:>12.0} seeds/s    (3-node bank, cp, run + all checks)\n",
            eps, check_ms, register_ms, sps
        ))
    }
}
