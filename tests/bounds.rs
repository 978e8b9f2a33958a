//! Bounded work at the command line: a scenario file that would run for minutes is refused with
//! one line on stderr and a non-zero exit, before anything runs.

use std::process::Command;

#[test]
fn the_cli_refuses_a_scenario_over_the_event_budget() {
    let clients: Vec<_> = (0..9)
        .map(|i| serde_json::json!({"name": format!("c{i}"), "node": i}))
        .collect();
    let scenario = serde_json::json!({
        "version": 1, "name": "busy", "nodes": 9, "mode": "cp", "case": "register", "seed": 1,
        "end_tick": 100_000, "timing": {"heartbeat_ticks": 1}, "clients": clients,
    });
    let path = std::env::temp_dir().join(format!("caplab-bounds-{}.json", std::process::id()));
    std::fs::write(&path, scenario.to_string()).expect("temp file");
    let out = Command::new(env!("CARGO_BIN_EXE_caplab"))
        .args(["run", "--scenario", path.to_str().expect("utf-8 path")])
        .output()
        .expect("caplab runs");
    let _ = std::fs::remove_file(&path);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "nothing ran");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("would need about") && err.contains("raise timing.heartbeat_ticks"),
        "{err}"
    );
}
