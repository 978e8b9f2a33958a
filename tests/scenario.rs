//! Scenario JSON: round-trips, one clear error per problem, and no panic on any input.

use caplab::sim::action::Action;
use caplab::sim::scenario::{Overrides, Scenario, ScenarioError};
use caplab::sim::types::{Conflict, Mode, MAX_INPUT_BYTES};
use proptest::prelude::*;

fn bank_json() -> String {
    Scenario::builtin("bank").unwrap().to_json()
}

/// Parses `json` after `edit` changes the bank scenario's JSON value.
fn edited(edit: impl FnOnce(&mut serde_json::Value)) -> Result<Scenario, ScenarioError> {
    let mut v: serde_json::Value = serde_json::from_str(&bank_json()).unwrap();
    edit(&mut v);
    Scenario::from_json(&v.to_string())
}

fn limit_of(r: Result<Scenario, ScenarioError>) -> String {
    match r {
        Err(ScenarioError::Limit { what, .. }) => what,
        other => panic!("expected a limit error, got {other:?}"),
    }
}

#[test]
fn every_builtin_is_valid_and_round_trips() {
    assert!(Scenario::builtin_names().len() >= 4);
    for name in Scenario::builtin_names() {
        let s = Scenario::builtin(name).unwrap();
        s.validate().unwrap();
        assert_eq!(&s.name, name);
        let back = Scenario::from_json(&s.to_json()).unwrap();
        assert_eq!(back, s, "{name}");
        assert_eq!(Scenario::from_json(&s.to_json_compact()).as_ref(), Ok(&s));
        s.build().unwrap();
    }
    assert_eq!(
        Scenario::builtin("nope"),
        Err(ScenarioError::UnknownBuiltin("nope".into()))
    );
    let bank = Scenario::builtin("bank").unwrap();
    assert_eq!((bank.mode, bank.nodes, bank.initial[0]), (Mode::Cp, 3, 100));
    assert_eq!(Scenario::builtin("feed").unwrap().mode, Mode::Ap);
}

#[test]
fn overrides_replace_mode_conflict_dials_and_seed() {
    let o = Overrides {
        mode: Some(Mode::Quorum),
        conflict: Some(Conflict::Crdt),
        n: Some(3),
        r: Some(1),
        w: Some(3),
        seed: Some(99),
    };
    let s = Scenario::builtin("feed").unwrap().with_overrides(&o);
    s.validate().unwrap();
    let cfg = s.proto_config();
    assert_eq!(
        (cfg.mode, cfg.conflict, cfg.n, cfg.r, cfg.w, s.seed),
        (Mode::Quorum, Conflict::Crdt, 3, 1, 3, 99)
    );
    let bad = s.with_overrides(&Overrides {
        r: Some(4),
        ..Overrides::default()
    });
    assert!(matches!(bad.validate(), Err(ScenarioError::Limit { what, .. }) if what == "r"));
}

#[test]
fn bad_json_gets_the_right_error() {
    let big = " ".repeat(MAX_INPUT_BYTES + 1);
    assert!(matches!(
        Scenario::from_json(&big),
        Err(ScenarioError::TooLarge { .. })
    ));
    assert!(matches!(
        Scenario::from_json("{"),
        Err(ScenarioError::Parse(_))
    ));
    assert!(matches!(
        Scenario::from_json("[]"),
        Err(ScenarioError::Parse(_))
    ));
    assert_eq!(
        edited(|v| v["version"] = 2.into()),
        Err(ScenarioError::Version {
            found: 2,
            supported: 1
        })
    );
    assert!(matches!(
        edited(|v| v["colour"] = "red".into()),
        Err(ScenarioError::Parse(_))
    ));
    assert_eq!(limit_of(edited(|v| v["nodes"] = 10.into())), "nodes");
    assert_eq!(limit_of(edited(|v| v["nodes"] = 0.into())), "nodes");
    assert_eq!(
        limit_of(edited(|v| v["end_tick"] = 1_000_001.into())),
        "end_tick"
    );
    assert_eq!(limit_of(edited(|v| v["w"] = 4.into())), "w");
    assert_eq!(
        limit_of(edited(|v| v["workload"]["ops"] = 10_001.into())),
        "workload.ops"
    );
    assert_eq!(
        limit_of(edited(|v| v["workload"]["ops"] = 9_990.into())),
        "operations (workload + scripted)"
    );
    assert_eq!(
        limit_of(edited(|v| v["timing"]["loss_per_mille"] = 1001.into())),
        "timing.loss_per_mille"
    );
    let e = edited(|v| v["clients"][0]["node"] = 3.into()).unwrap_err();
    assert!(e.to_string().contains("'Alice' is attached to n4"), "{e}");
    let e = edited(|v| v["faults"][0]["action"] = serde_json::to_value(Action::Crash(5)).unwrap())
        .unwrap_err();
    assert!(
        e.to_string().contains("faults[0]") && e.to_string().contains("n6"),
        "{e}"
    );
    let e = edited(|v| v["requests"][0]["req"]["kind"] = "like".into()).unwrap_err();
    assert!(
        e.to_string().contains("requests[0]") && e.to_string().contains("like"),
        "{e}"
    );
    for e in [e, ScenarioError::TooLarge { bytes: 1, limit: 0 }] {
        assert!(!e.to_string().contains('\n'));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn random_text_never_panics(text in ".{0,400}") {
        let _ = Scenario::from_json(&text);
    }

    #[test]
    fn mutated_scenarios_never_panic(edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, any::<char>()), 1..6)) {
        let mut chars: Vec<char> = Scenario::builtin("two-regions").unwrap().to_json().chars().collect();
        for (at, op, c) in edits {
            let i = at.index(chars.len().max(1)).min(chars.len().saturating_sub(1));
            match op {
                0 => chars[i] = c,
                1 => { chars.remove(i); }
                _ => chars.insert(i, if c.is_ascii_digit() { c } else { '9' }),
            }
        }
        let text: String = chars.into_iter().collect();
        if let Ok(s) = Scenario::from_json(&text) {
            prop_assert!(s.validate().is_ok());
            let back = Scenario::from_json(&s.to_json());
            prop_assert_eq!(back, Ok(s.clone()));
            let mut sim = s.build().expect("a valid scenario builds");
            sim.run_until(300);
        }
    }
}

/// A scenario file of the kind that used to run for minutes: 9 nodes for 100 000 ticks.
fn nine_nodes(mode: &str, timing: serde_json::Value) -> Result<Scenario, ScenarioError> {
    let clients: Vec<_> = (0..9)
        .map(|i| serde_json::json!({"name": format!("c{i}"), "node": i}))
        .collect();
    let v = serde_json::json!({
        "version": 1, "name": "busy", "nodes": 9, "mode": mode, "case": "feed", "seed": 1,
        "end_tick": 100_000, "timing": timing, "clients": clients,
    });
    Scenario::from_json(&v.to_string())
}

#[test]
fn a_scenario_over_the_event_budget_is_refused_naming_the_dial() {
    use caplab::sim::types::MAX_EVENTS;
    let cases = [
        (
            "cp",
            serde_json::json!({"heartbeat_ticks": 1}),
            "raise timing.heartbeat_ticks or lower end_tick",
        ),
        (
            "ap",
            serde_json::json!({"anti_entropy_ticks": 1}),
            "raise timing.anti_entropy_ticks or lower end_tick",
        ),
    ];
    for (mode, timing, change) in cases {
        let e = nine_nodes(mode, timing).expect_err("over the budget");
        let ScenarioError::TooManyEvents {
            estimate, limit, ..
        } = e
        else {
            panic!("expected TooManyEvents, got {e:?}");
        };
        assert!(estimate > limit && limit == MAX_EVENTS);
        let text = e.to_string();
        assert!(text.starts_with(&format!("this scenario would need about {estimate} events (more than the limit {MAX_EVENTS}): ")), "{text}");
        assert!(text.ends_with(change), "{text}");
        assert!(!text.contains('\n'));
    }
    // The default timing on the same cluster is well inside.
    assert!(nine_nodes("cp", serde_json::json!({})).is_ok());
    // A 10 000-op AP feed over the whole run: its hints and syncs carry every post.
    let mut heavy = nine_nodes("ap", serde_json::json!({})).expect("valid without traffic");
    heavy.workload = Some(caplab::sim::workload::WorkloadSpec {
        ops: 10_000,
        start_tick: 100,
        end_tick: 90_000,
        mix: vec![caplab::sim::workload::MixEntry {
            kind: caplab::sim::types::OpKind::Post,
            weight: 1,
        }],
        amount: (0, 0),
        clients: Vec::new(),
        read_consistency: Default::default(),
    });
    let e = heavy.validate().expect_err("over the budget");
    assert!(e.to_string().ends_with("or lower end_tick"), "{e}");
}

#[test]
fn the_estimate_is_not_far_below_what_built_in_runs_do() {
    // `crowd` takes too long in a debug build; BENCHMARKS.md has its figures.
    for name in Scenario::builtin_names().iter().filter(|n| **n != "crowd") {
        for mode in Mode::ALL {
            let s = Scenario::builtin(name).unwrap().with_overrides(&Overrides {
                mode: Some(mode),
                ..Overrides::default()
            });
            let (estimate, _) = s.estimated_events();
            let mut sim = s.build().expect("valid");
            sim.run_to_end();
            assert!(sim.error().is_none());
            let events = sim.events_processed();
            assert!(
                events <= 2 * estimate,
                "{name} {mode:?}: {events} events, estimate {estimate}"
            );
        }
    }
}
