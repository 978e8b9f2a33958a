//! Browser benchmark (not a test of timing: it prints figures). Run by `./run.sh bench`:
//! `cargo test --release --target wasm32-unknown-unknown --test web_bench -- --nocapture`.
//! Measures time-travel jumps (`Timeline::seek_event`) in a run of more than 10 000 events, in
//! release wasm in headless Chromium.
#![cfg(target_arch = "wasm32")]

use caplab::sim::scenario::Scenario;
use caplab::sim::timeline::Timeline;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn now_ms() -> f64 {
    web_sys::window()
        .expect("window")
        .performance()
        .expect("performance")
        .now()
}

#[wasm_bindgen_test]
fn time_travel_jumps_in_a_10k_event_run() {
    let mut s = Scenario::builtin("feed").expect("feed");
    s.end_tick = 60_000;
    if let Some(w) = s.workload.as_mut() {
        w.ops = 2_500;
        w.end_tick = 55_000;
    }
    let mut t = Timeline::new(s).expect("valid");
    let built = now_ms();
    t.run_to_end();
    let total = t.events();
    let run_ms = now_ms() - built;
    assert!(total >= 10_000, "the run has only {total} events");
    // Jump between pseudo-random points (a fixed LCG: the same points every run).
    let mut x: u64 = 12345;
    let mut times = Vec::new();
    for _ in 0..200 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let target = (x >> 33) % total;
        let start = now_ms();
        t.seek_event(target);
        times.push(now_ms() - start);
        assert_eq!(t.events(), target);
    }
    times.sort_by(f64::total_cmp);
    let p50 = times[times.len() / 2];
    let max = times[times.len() - 1];
    web_sys::console::log_1(
        &format!(
            "BENCH time-travel: {total} events, first run {run_ms:.1} ms; 200 jumps: p50 {p50:.2} ms, max {max:.2} ms"
        )
        .into(),
    );
}
