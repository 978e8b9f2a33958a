//! The `caplab` binary as a user runs it: exit codes, stderr lines, the JSON report's shape.

use std::process::{Command, Output};

fn caplab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_caplab"))
        .args(args)
        .output()
        .expect("caplab runs")
}

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

#[test]
fn version_help_and_list() {
    let v = caplab(&["--version"]);
    assert!(String::from_utf8_lossy(&v.stdout).starts_with("caplab 0."));
    assert!(String::from_utf8_lossy(&caplab(&["--help"]).stdout).contains("caplab sweep"));
    let list = String::from_utf8_lossy(&caplab(&["list"]).stdout).to_string();
    for name in ["bank", "feed", "register", "two-regions"] {
        assert!(list.contains(name), "list lacks {name}: {list}");
    }
}

#[test]
fn run_json_has_the_documented_shape() {
    let j = json(&caplab(&[
        "run",
        "--scenario",
        "bank",
        "--mode",
        "cp",
        "--seed",
        "3",
        "--json",
    ]));
    assert_eq!(j["scenario"], "bank");
    assert_eq!(j["mode"], "cp");
    assert_eq!(j["seed"], 3);
    let ops = j["ops"].as_array().expect("ops array");
    assert!(!ops.is_empty());
    for key in [
        "id", "client", "node", "kind", "invoke", "complete", "outcome", "value",
    ] {
        assert!(ops[0].get(key).is_some(), "op lacks {key}: {}", ops[0]);
    }
    let c = &j["checks"];
    for key in [
        "linearizable",
        "stale_reads",
        "lost_updates",
        "converged",
        "converge_ticks",
        "min_balance",
        "double_spends",
        "ok",
        "refused",
        "timeouts",
        "availability",
    ] {
        assert!(c.get(key).is_some(), "checks lacks {key}: {c}");
    }
    // CP on the bank: linearizable, never negative, and n3 was refused while cut off.
    assert_eq!(c["linearizable"], true);
    assert!(c["min_balance"].as_i64().unwrap() >= 0);
    assert!(ops
        .iter()
        .any(|o| o["node"] == "n3" && o["reason"] == "no-quorum"));
}

#[test]
fn same_seed_same_report() {
    let a = caplab(&["run", "--scenario", "feed", "--seed", "9", "--json"]);
    let b = caplab(&["run", "--scenario", "feed", "--seed", "9", "--json"]);
    assert_eq!(a.stdout, b.stdout);
    let c = caplab(&["run", "--scenario", "feed", "--seed", "10", "--json"]);
    assert_ne!(json(&a)["trace_hash"], json(&c)["trace_hash"]);
}

#[test]
fn exported_history_is_rechecked() {
    let dir = std::env::temp_dir().join(format!("caplab-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("h.json");
    let p = path.to_str().unwrap();
    let run = json(&caplab(&[
        "run",
        "--scenario",
        "bank",
        "--mode",
        "ap",
        "--seed",
        "2",
        "--json",
        "--export-history",
        p,
    ]));
    let again = json(&caplab(&["check", p, "--json"]));
    assert_eq!(again["linearizable"], run["checks"]["linearizable"]);
    assert_eq!(again["stale_reads"], run["checks"]["stale_reads"]);
    assert_eq!(again["ok"], run["checks"]["ok"]);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_input_exits_nonzero_with_one_clear_line() {
    let dir = std::env::temp_dir().join(format!("caplab-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let huge = dir.join("huge.json");
    std::fs::write(
        &huge,
        format!("{{\"version\":1,\"nodes\":{}}}", "9".repeat(10)),
    )
    .unwrap();
    let cases: Vec<Vec<String>> = vec![
        vec!["run".into()],
        vec!["run".into(), "--scenario".into(), "nope".into()],
        vec![
            "run".into(),
            "--scenario".into(),
            "bank".into(),
            "--mode".into(),
            "xp".into(),
        ],
        vec![
            "run".into(),
            "--scenario".into(),
            "bank".into(),
            "--seed".into(),
            "-1".into(),
        ],
        vec![
            "run".into(),
            "--scenario".into(),
            huge.to_str().unwrap().into(),
        ],
        vec![
            "sweep".into(),
            "--scenario".into(),
            "bank".into(),
            "--mode".into(),
            "cp".into(),
            "--seeds".into(),
            "5..1".into(),
        ],
        vec!["check".into(), "/nonexistent/h.json".into()],
        vec!["frobnicate".into()],
    ];
    for args in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = caplab(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?} → {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?} → {err}");
        assert!(err.starts_with("caplab: "), "{args:?} → {err}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn sweep_finds_the_ap_bank_overdraft_and_cp_stays_clean() {
    let ap = json(&caplab(&[
        "sweep",
        "--scenario",
        "bank",
        "--mode",
        "ap",
        "--conflict",
        "crdt",
        "--seeds",
        "1..40",
        "--json",
    ]));
    assert_eq!(ap["faults"]["kind"], "scripted", "the default");
    let a = &ap["anomalies"];
    assert!(a["double_spends"]["seeds"].as_u64().unwrap() > 0, "{a}");
    assert!(a["double_spends"]["first_seed"].as_u64().is_some());
    let cp = json(&caplab(&[
        "sweep",
        "--scenario",
        "bank",
        "--mode",
        "cp",
        "--seeds",
        "1..40",
        "--json",
    ]));
    let c = &cp["anomalies"];
    for k in [
        "not_linearizable",
        "negative_balance",
        "double_spends",
        "stale_reads",
        "lost_updates",
    ] {
        assert_eq!(c[k]["seeds"], 0, "cp sweep shows {k}: {c}");
    }
}

/// A scratch directory of its own for one test.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("caplab-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn check_of_an_export_gives_every_verdict_of_the_run() {
    let dir = scratch("parity");
    let path = dir.join("h.json");
    let p = path.to_str().unwrap();
    for (scenario, mode, conflict, seed) in [
        ("register", "cp", "lww", "1"),
        ("bank", "ap", "lww", "2"),
        ("bank", "quorum", "lww", "5"),
        ("two-regions", "ap", "vclock", "3"),
        ("feed", "ap", "crdt", "4"),
        ("feed", "ca", "lww", "6"),
    ] {
        let run = json(&caplab(&[
            "run",
            "--scenario",
            scenario,
            "--mode",
            mode,
            "--conflict",
            conflict,
            "--seed",
            seed,
            "--json",
            "--export-history",
            p,
        ]));
        let again = json(&caplab(&["check", p, "--json"]));
        let checks = run["checks"].as_object().expect("checks object");
        assert!(checks.len() > 15, "{checks:?}");
        for (field, value) in checks {
            assert_eq!(
                &again[field], value,
                "{scenario} {mode} {conflict} seed {seed}: {field}"
            );
        }
        assert_eq!(again["format"], "history");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_porcupine_log_is_checked_and_says_what_it_cannot_carry() {
    use caplab::sim::check::porcupine_log;
    use caplab::sim::report;
    use caplab::sim::scenario::{Overrides, Scenario};
    use caplab::sim::types::Mode;

    let dir = scratch("porcupine");
    let path = dir.join("h.jsonl");
    for (name, mode) in [
        ("bank", Mode::Ap),
        ("register", Mode::Cp),
        ("feed", Mode::Ap),
    ] {
        let s = Scenario::builtin(name).unwrap().with_overrides(&Overrides {
            mode: Some(mode),
            seed: Some(2),
            ..Overrides::default()
        });
        let mut sim = s.build().unwrap();
        sim.run_to_end();
        let run = serde_json::to_value(report::checks(&sim, report::LIN_BUDGET)).unwrap();
        let cfg = sim.config();
        std::fs::write(&path, porcupine_log(cfg.case, sim.history())).unwrap();
        let log = json(&caplab(&["check", path.to_str().unwrap(), "--json"]));
        assert_eq!(log["format"], "porcupine-log");
        assert_eq!(log["case"], cfg.case.as_str());
        assert_eq!(log["assumed"], serde_json::json!(["case", "initial"]));
        for field in [
            "linearizable",
            "lin_counterexample",
            "ok",
            "refused",
            "double_spends",
            "latency_p50",
            "latency_p99",
        ] {
            assert_eq!(log[field], run[field], "{name}: {field}");
        }
        let unknown = log["unknown"].as_array().unwrap();
        for field in ["stale_reads", "timeouts", "lost_updates", "converged"] {
            assert!(unknown.iter().any(|u| u == field), "{name}: {unknown:?}");
        }
        let text = caplab(&["check", path.to_str().unwrap()]);
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(
            text.contains("unknown (not carried by the input)"),
            "{text}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// `--faults random`: a nemesis schedule per seed, each promise reported by id with its counts;
/// the same seeds give the same report; the counts are consistent (a promise violated in some
/// run has status "violated" and a first seed: see also the reporting's unit tests), and the AP bank's double spends are a `sometimes` promise, witnessed, not a
/// violation.
#[test]
fn sweep_random_faults_reports_each_promise() {
    let a = sweep_random("ap", "1..30", true);
    assert_eq!(
        a.stdout,
        sweep_random("ap", "1..30", true).stdout,
        "deterministic per seed"
    );
    let ap = json(&a);
    assert_eq!(ap["faults"]["kind"], "random");
    let list = ap["promises"].as_array().expect("promises array");
    assert_promises_well_formed(list);
    let ds = find_promise(list, "ap-bank-double-spends");
    assert_eq!(ds["modality"], "sometimes");
    assert_eq!(ds["status"], "witnessed");
    assert!(ds["first_witness_seed"].as_u64().is_some(), "{ds}");
    assert_eq!(find_promise(list, "ap-always-answers")["status"], "held");
    assert!(list.iter().all(|p| p["id"] != "cp-bank-never-negative"));

    let q = json(&sweep_random("quorum", "1..30", true));
    let overlap = find_promise(
        q["promises"].as_array().unwrap(),
        "quorum-overlap-sees-writes",
    );
    // "No stale read" (with excuses): never violated in more seeds than showed a stale read.
    let stale = &q["anomalies"]["stale_reads"];
    assert!(
        overlap["violated"].as_u64() <= stale["seeds"].as_u64(),
        "{overlap} vs {stale}"
    );
    for p in q["promises"].as_array().unwrap().iter().chain(list) {
        let violated = p["violated"].as_u64().unwrap() > 0;
        assert_eq!(p["status"] == "violated", violated, "{p}");
        assert_eq!(p["first_violating_seed"].is_u64(), violated, "{p}");
    }

    let text = sweep_random("cp", "1..5", false);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("random faults") && text.contains("cp-majority-serves"),
        "{text}"
    );
    let bad = caplab(&[
        "sweep",
        "--scenario",
        "bank",
        "--mode",
        "cp",
        "--faults",
        "chaos",
        "--seeds",
        "1..5",
    ]);
    assert_eq!(bad.status.code(), Some(2));
}

/// `caplab sweep` of the bank in `mode` under random faults over `seeds`, in JSON or text.
fn sweep_random(mode: &str, seeds: &str, as_json: bool) -> Output {
    let mut args = vec![
        "sweep",
        "--scenario",
        "bank",
        "--mode",
        mode,
        "--faults",
        "random",
        "--seeds",
        seeds,
    ];
    if as_json {
        args.push("--json");
    }
    caplab(&args)
}

/// The promise `id` of a sweep's report.
fn find_promise(list: &[serde_json::Value], id: &str) -> serde_json::Value {
    list.iter()
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| panic!("{id} missing"))
        .clone()
}

/// Every promise of a sweep's report has every documented field, and consistent counts.
fn assert_promises_well_formed(list: &[serde_json::Value]) {
    for p in list {
        for key in [
            "id",
            "text",
            "modality",
            "condition",
            "status",
            "runs",
            "held",
            "violated",
            "unknown",
            "first_violating_seed",
        ] {
            assert!(p.get(key).is_some(), "promise lacks {key}: {p}");
        }
        let n = |k: &str| p[k].as_u64().unwrap();
        assert!(n("held") + n("violated") + n("unknown") <= n("runs"), "{p}");
    }
}

/// Runs caplab with a time limit: a child still running after `secs` is killed and the test
/// fails (a blocked read must not hang the suite).
fn caplab_within(args: &[&str], secs: u64) -> Output {
    use std::time::{Duration, Instant};
    let mut child = Command::new(env!("CARGO_BIN_EXE_caplab"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("caplab starts");
    let start = Instant::now();
    while child.try_wait().expect("waits").is_none() {
        if start.elapsed() > Duration::from_secs(secs) {
            child.kill().ok();
            child.wait().ok();
            panic!("caplab {args:?} still ran after {secs} s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

/// Stderr is exactly one line `caplab: …`, short, with no control character and no panic text.
fn one_clean_error(out: &Output, code: i32) -> String {
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(code), "stderr: {err:?}");
    let line = err.strip_suffix('\n').unwrap_or(&err);
    assert!(line.starts_with("caplab: "), "{err:?}");
    assert!(
        !line.contains('\n') && !line.chars().any(char::is_control),
        "{err:?}"
    );
    assert!(line.len() <= 600, "{} bytes: {:.200}", line.len(), line);
    assert!(!line.contains("panicked"), "{err:?}");
    line.to_string()
}

#[test]
fn a_closed_or_full_stdout_ends_with_one_line_not_a_panic() {
    // `caplab run --json | head -c 10`: the reader is gone before the report is written.
    let mut child = Command::new(env!("CARGO_BIN_EXE_caplab"))
        .args(["run", "--scenario", "feed", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("caplab starts");
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(one_clean_error(&out, 1).contains("stdout"));
    // `caplab list > /dev/full`.
    if let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") {
        let out = Command::new(env!("CARGO_BIN_EXE_caplab"))
            .arg("list")
            .stdout(full)
            .output()
            .unwrap();
        assert!(one_clean_error(&out, 1).contains("stdout"));
    }
}

#[test]
fn seeds_up_to_the_largest_u64_sweep_without_overflow() {
    let max = u64::MAX.to_string();
    let one = json(&caplab(&[
        "sweep",
        "--scenario",
        "bank",
        "--mode",
        "cp",
        "--seeds",
        &max,
        "--json",
    ]));
    assert_eq!(one["seeds"]["count"], 1, "{one}");
    assert_eq!(one["seeds"]["last"], u64::MAX, "{one}");
    let range = format!("{}..{max}", u64::MAX - 2);
    let two = json(&caplab(&[
        "sweep",
        "--scenario",
        "bank",
        "--mode",
        "cp",
        "--seeds",
        &range,
        "--json",
    ]));
    assert_eq!(two["seeds"]["count"], 2, "{two}");
    assert_eq!(two["seeds"]["to"], u64::MAX, "{two}");
}

#[test]
fn errors_quote_input_on_one_clipped_escaped_line() {
    let dir = scratch("quote");
    let file = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let run = |p: &str| caplab(&["run", "--scenario", p]);
    // A key with a newline (JSON `\n`) and one with a terminal escape.
    let newline = file("nl.json", r#"{"version": 1, "a\nb": 1}"#);
    assert!(one_clean_error(&run(&newline), 2).contains("a\\nb"));
    let escape = file("esc.json", r#"{"version": 1, "\u001b[2J": 1}"#);
    assert!(one_clean_error(&run(&escape), 2).contains("\\u{1b}"));
    // A 200 KB key.
    let long = file(
        "long.json",
        &format!("{{\"version\": 1, \"{}\": 1}}", "k".repeat(200_000)),
    );
    one_clean_error(&run(&long), 2);
    // Unknown options and names from the command line are clipped and escaped too.
    one_clean_error(
        &caplab(&["run", &format!("--x{}\u{1b}", "y".repeat(5000))]),
        2,
    );
    one_clean_error(&caplab(&["run", "--scenario", "bank", "--mode", "c\np"]), 2);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_scenario_name_with_escapes_is_printed_escaped() {
    let dir = scratch("name");
    // The built-in register (from the library: the CLI has no export command), renamed.
    let text = caplab::sim::scenario::Scenario::builtin("register")
        .unwrap()
        .to_json();
    let mut s: serde_json::Value = serde_json::from_str(&text).unwrap();
    s["name"] = "red\u{1b}[31m\u{7}\nname".into();
    let path = dir.join("named.json");
    std::fs::write(&path, s.to_string()).unwrap();
    let out = caplab(&["run", "--scenario", path.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text.lines().next().unwrap();
    assert!(first.contains("red\\u{1b}[31m\\u{7}\\nname"), "{first}");
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[cfg(unix)]
#[test]
fn only_regular_files_are_read() {
    let dir = scratch("fifo");
    let fifo = dir.join("pipe.json");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        let out = caplab_within(&["run", "--scenario", fifo.to_str().unwrap()], 10);
        assert!(one_clean_error(&out, 2).contains("named pipe"));
        let out = caplab_within(&["check", fifo.to_str().unwrap()], 10);
        assert!(one_clean_error(&out, 2).contains("named pipe"));
    }
    let out = caplab_within(&["check", dir.to_str().unwrap()], 10);
    assert!(one_clean_error(&out, 2).contains("directory"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn stray_arguments_are_errors() {
    for args in [
        &["run", "--scenario", "bank", "extra"][..],
        &["list", "extra"],
        &[
            "sweep",
            "--scenario",
            "bank",
            "--mode",
            "cp",
            "--seeds",
            "1..2",
            "x",
        ],
        &["check", "a.json", "b.json"],
        &["--version", "x"],
    ] {
        assert!(one_clean_error(&caplab(args), 2).contains("unexpected argument"));
    }
}
