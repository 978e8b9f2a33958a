//! Browser benchmark (not a test of timing: it prints figures). Run by `./run.sh bench`:
//! `cargo test --release --target wasm32-unknown-unknown --test web_bench -- --nocapture`.
//! Measures, in release wasm in headless Chromium, time-travel jumps (`Timeline::seek_event`) in
//! a run of more than 10 000 events, and the message layer's sprites for a frame of `crowd`.
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

/// Round sprites (filled, and outlined around another colour) in 23-pixel squares, as on a
/// 1280-pixel-wide page: a frame of `crowd` blits about 600 of them onto a 672×490 image,
/// one in five faded (a message on a cut link). The circle's radius is the acks' (6.5 stage
/// units in a sprite 10.5 units from its centre to its side).
#[wasm_bindgen_test]
fn message_sprites_a_crowd_frame() {
    use caplab::ui::components::layer::Pixels;
    let side = 23_usize;
    let round = |hollow: bool| {
        let c = side as f64 / 2.0;
        let px = (0..side * side)
            .map(|i| {
                let (dx, dy) = ((i % side) as f64 + 0.5 - c, (i / side) as f64 + 0.5 - c);
                let r = (dx * dx + dy * dy).sqrt();
                let cover = (c * 6.5 / 10.5 - r).clamp(0.0, 1.0);
                let a = (cover * 255.0).round() as u32;
                let ring = hollow && r > c * 6.5 / 10.5 - 3.0;
                (if ring { 0x0066_9933 } else { 0x00ee_eeee }) | a << 24
            })
            .collect();
        Pixels::from_px(side, side, px)
    };
    let sprites = [round(false), round(true)];
    let mut img = Pixels::new(672, 490);
    let mut x: u64 = 99;
    let at: Vec<(i64, i64, usize, u32)> = (0..600)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let r = x >> 16;
            (
                (r % 660) as i64,
                (r / 660 % 480) as i64,
                (r / 7 % 2) as usize,
                if r % 5 == 0 { 140 } else { 255 },
            )
        })
        .collect();
    let mut times = Vec::new();
    for _ in 0..200 {
        let start = now_ms();
        img.clear_rows(0, 490);
        for &(x, y, k, a) in &at {
            img.blit(&sprites[k], x, y, a);
        }
        times.push(now_ms() - start);
    }
    times.sort_by(f64::total_cmp);
    assert!(img.px.iter().any(|p| *p != 0), "something was drawn");
    web_sys::console::log_1(
        &format!(
            "BENCH message sprites: 600 blits of 23×23 on 672×490, 200 frames: fastest {:.2} ms, p50 {:.2} ms, max {:.2} ms",
            times[0],
            times[100],
            times[199]
        )
        .into(),
    );
}
