//! The link format end to end: parse, write, open.

use proptest::prelude::*;

use super::made::{Made, MadeStep};
use super::*;
use crate::sim::scenario::{Overrides, Scenario};
use crate::sim::text::{is_one_clean_line, MAX_MESSAGE_CHARS};
use crate::sim::types::{Conflict, Consistency, Mode, OpKind, Request};

fn lab(link: &Link) -> (&Params, &[Inputs; 2]) {
    match &link.page {
        Page::Lab { params, inputs } => (params, inputs),
        other => panic!("expected the lab, got {other:?}"),
    }
}

fn params_of(query: &str) -> (Params, Vec<String>) {
    let (link, notes) = parse(query, "");
    (lab(&link).0.clone(), notes)
}

fn full_params() -> Params {
    Params {
        scenario: "feed".into(),
        over: Overrides {
            mode: Some(Mode::Quorum),
            conflict: Some(Conflict::Crdt),
            n: Some(3),
            r: Some(1),
            w: Some(3),
            seed: Some(42),
        },
        t: Some(1234),
        e: Some(99),
        e2: Some(98),
        workload: false,
        faults: false,
        side: true,
        made: Some(Made {
            title: "A ~ lesson. 100% <i>mine</i>".into(),
            steps: vec![MadeStep {
                at: 700,
                caption: "Cut n3 & watch".into(),
                question: Some("What does Bob get?".into()),
            }],
        }),
        challenge: None,
    }
}

#[test]
fn a_bad_key_is_dropped_alone_with_a_sentence() {
    assert_eq!(
        params_of(&full_params().to_query()),
        (full_params(), vec![])
    );
    let (p, notes) = params_of("?scenario=feed&mode=xyz&t=5&seed=7");
    assert_eq!((p.scenario.as_str(), p.over.mode), ("feed", None));
    assert_eq!((p.t, p.over.seed), (Some(5), Some(7)));
    assert_eq!(
        notes,
        ["The link asked for mode \"xyz\", which is not a mode here; the scenario's own mode is used."]
    );
    for bad in [
        "?mode=xx",
        "?seed=-1",
        "?seed=99999999999999999999999",
        "?t=1e3",
        "?n=0",
        "?n=10",
        "?scenario=%3Cscript%3E",
        "?workload=maybe",
        "?embed=yes",
    ] {
        let (link, notes) = parse(bad, "");
        assert_eq!(notes.len(), 1, "{bad}: {notes:?}");
        let defaults = Link {
            page: Page::Lab {
                params: Params::default(),
                inputs: Default::default(),
            },
            flags: Flags::default(),
        };
        if bad != "?embed=yes" {
            assert_eq!(link, defaults, "{bad}");
        }
    }
    // Unknown keys are not the reader's mistake: ignored without a word.
    assert_eq!(parse("?scenario=bank&utm=x", "").1, Vec::<String>::new());
    // Quoted input is clipped and escaped.
    let (_, notes) = parse(&format!("?mode=\u{1b}[31m{}", "x".repeat(500)), "");
    assert!(
        notes[0].len() < 200 && is_one_clean_line(&notes[0]),
        "{notes:?}"
    );
}

#[test]
fn a_link_cut_in_its_query_keeps_what_was_complete() {
    let (p, notes) = params_of("?scenario=bank&mode=ap&t=12");
    assert_eq!((p.over.mode, p.t), (Some(Mode::Ap), Some(12)));
    assert!(notes.is_empty());
    let (p, notes) = params_of("?mode=cp&scenario=ba");
    assert_eq!((p.scenario.as_str(), p.over.mode), ("bank", Some(Mode::Cp)));
    assert!(
        notes[0].contains("\"ba\", which is not a scenario here"),
        "{notes:?}"
    );
}

#[test]
fn a_cut_or_damaged_fragment_keeps_the_inputs_before_it() {
    let inputs: Inputs = (0..5).map(|i| (i * 10, Action::Crash(i as u8))).collect();
    let frag = to_fragment(&inputs, None);
    assert_eq!(frag, "#n=5&s=0x0.10x1.10x2.10x3.10x4&end");
    // Cut after the second entry's delta: two kept, three lost.
    let cut = &frag[..frag.find(".10x2").unwrap() + 3];
    let (got, notes) = parse_fragment(cut);
    assert_eq!(got[0], inputs[..2]);
    assert_eq!(
        notes,
        ["The link was cut short: the last 3 of your recorded actions could not be read and were left out."]
    );
    // Cut inside the last entry's number (`10x4` → `10x`… or a shorter number): left out.
    let (got, notes) = parse_fragment(&frag[..frag.len() - "&end".len()]);
    assert_eq!((got[0].len(), notes.len()), (4, 1), "{notes:?}");
    // Damaged in the middle: the entries before it are kept, and the note says why.
    let (got, notes) = parse_fragment("#s=0x0.10x1.10z2.10x3");
    assert_eq!(got[0], inputs[..2]);
    assert!(
        notes[0].contains("\"10z2\"") && notes[0].contains("last 2"),
        "{notes:?}"
    );
    // A link from before the counts still opens whole.
    assert_eq!(
        parse_fragment("#s=0x0.10x1"),
        ([inputs[..2].to_vec(), vec![]], vec![])
    );
}

#[test]
fn an_input_that_does_not_replay_is_left_out_with_the_ones_after_it() {
    // Node 8 does not exist in the three-node bank.
    let o = open_link("?scenario=bank", "#s=0x1.5x8.5x2").unwrap();
    assert_eq!(o.runs[0].inputs(), &[(0, Action::Crash(1))]);
    assert_eq!(o.notes.len(), 1, "{:?}", o.notes);
    assert!(o.notes[0].contains("number 2") && o.notes[0].contains("the 1 after it"));
}

#[test]
fn flags_and_routes_are_fields_of_the_one_link() {
    let (link, notes) = parse("?present=1", "");
    assert_eq!(link.page, Page::Landing);
    assert!(link.flags.present && !link.flags.embed && notes.is_empty());
    assert_eq!(write(&link).unwrap(), "?present=1");
    let mut lesson = parse("?lesson=bank-cp&step=3", "").0;
    let page = Page::Lesson {
        id: "bank-cp".into(),
        step: 2,
    };
    assert_eq!(lesson.page, page);
    assert_eq!(
        parse("?lesson=bank-cp&step=3&mode=zz", "#s=q"),
        (lesson.clone(), vec![])
    );
    lesson.flags.embed = true;
    assert_eq!(write(&lesson).unwrap(), "?lesson=bank-cp&step=3&embed=1");
    let mut sandbox = parse("?scenario=bank&t=5&embed=1", "#s=0H").0;
    sandbox.flags.embed = false;
    assert_eq!(write(&sandbox).unwrap(), "?scenario=bank&t=5#n=1&s=0H&end");
    assert_eq!(write(&parse("", "").0).unwrap(), "?");
}

#[test]
fn panels_are_a_page_flag_read_back_as_written_and_a_bad_one_is_noted() {
    let (link, notes) = parse("?lesson=feed-ap&step=2&embed=1&panels=cards,history", "");
    let want = Panels {
        history: true,
        cards: true,
        controls: false,
    };
    assert_eq!((link.flags.panels, notes.len()), (Some(want), 0));
    let written = write(&link).unwrap();
    assert_eq!(
        written,
        "?lesson=feed-ap&step=2&embed=1&panels=history,cards"
    );
    let (none, _) = parse("?scenario=bank&panels=none", "");
    assert_eq!(none.flags.panels, Some(Panels::default()));
    assert!(write(&none).unwrap().contains("&panels=none"));
    for bad in ["history,nope", "", "history,,cards", "%3Cb%3E"] {
        let (link, notes) = parse(&format!("?scenario=bank&embed=1&panels={bad}"), "");
        assert_eq!(link.flags.panels, None, "{bad}");
        assert!(link.flags.embed);
        assert_eq!(notes.len(), 1, "{bad}: {notes:?}");
        assert!(
            notes[0].contains("panels") && notes[0].contains("own"),
            "{notes:?}"
        );
    }
}

#[test]
fn write_refuses_a_link_that_would_not_open_whole() {
    let big = Action::SetLatency {
        a: 0,
        b: 1,
        base_ticks: u64::MAX,
        jitter_ticks: u64::MAX,
    };
    let mut inputs: [Inputs; 2] = Default::default();
    while fits(&inputs, 0, u64::MAX, &big) {
        inputs[0].push((u64::MAX, big.clone()));
    }
    assert!(!inputs[0].is_empty() && inputs[0].len() < MAX_LINK_INPUTS);
    let mut link = Link {
        page: Page::Lab {
            params: Params::default(),
            inputs,
        },
        flags: Flags::default(),
    };
    let written = write(&link).unwrap();
    let (again, notes) = parse(
        written.split_once('#').unwrap().0,
        written.split_once('#').unwrap().1,
    );
    assert_eq!((&again, notes.len()), (&link, 0));
    if let Page::Lab { inputs, .. } = &mut link.page {
        inputs[0].push((u64::MAX, big.clone()));
    }
    assert!(matches!(write(&link), Err(LinkError::TooLong { .. })));
    let many: Inputs = vec![(0, Action::HealAll); MAX_LINK_INPUTS];
    assert!(!fits(&[many.clone(), vec![]], 0, 0, &Action::HealAll));
    assert!(fits(&[many, vec![]], 1, 0, &Action::HealAll));
}

#[test]
fn an_over_long_link_opens_what_it_can() {
    let query = format!("?scenario=feed&mode=cp&seed={}", "9".repeat(MAX_LINK_BYTES));
    let (p, notes) = params_of(&query);
    assert_eq!((p.scenario.as_str(), p.over.mode), ("feed", Some(Mode::Cp)));
    assert!(notes[0].starts_with("The link is too long"), "{notes:?}");
    let frag = format!("#s={}", vec!["0H"; 6000].join("."));
    let (got, notes) = parse_fragment(&frag);
    assert_eq!(got[0].len(), MAX_LINK_INPUTS);
    assert_eq!(notes.len(), 2, "{notes:?}");
    // Clipped inside an entry (`0l0-1-100-1` of `0l0-1-100-123456`, which would read as a
    // jitter of 1): that entry is left out, not misread.
    let entry = "0l0-1-100-123456";
    let long = format!("#s={}", vec![entry; 2000].join("."));
    let (got, notes) = parse_fragment(&long);
    let whole = decode_action(&entry[1..]).unwrap();
    assert!(got[0].iter().all(|(_, a)| *a == whole), "{notes:?}");
    let kept = (MAX_LINK_BYTES - 2) / (entry.len() + 1);
    assert_eq!(got[0].len(), kept);
    assert!(
        notes[1].contains(&format!("the last {} of", 2000 - kept)),
        "{notes:?}"
    );
    assert!(notes[1].contains("cut short"), "{notes:?}");
}

#[test]
fn params_build_scenarios() {
    let (mut p, _) = params_of("?scenario=feed&mode=cp&seed=7&workload=0");
    let s = p.scenario(None).unwrap();
    assert_eq!((s.mode, s.seed), (Mode::Cp, 7));
    assert!(s.workload.is_none() && s.requests.is_empty());
    assert!(!s.faults.is_empty(), "quiet keeps the scripted faults");
    p.faults = false;
    assert!(p.scenario(None).unwrap().faults.is_empty());
    assert_eq!(p.scenario(Some(Mode::Ap)).unwrap().mode, Mode::Ap);
    p.scenario = "nope".into();
    assert!(p.scenario(None).is_err());
    let (bad, _) = params_of("?n=3&r=5");
    assert!(bad.scenario(None).is_err(), "r above n is refused");
}

#[test]
fn link_numbers_past_the_run_are_fitted_with_a_note() {
    let end = Scenario::builtin("bank").unwrap().end_tick;
    // The links of issue #12: the page panicked ("capacity overflow") or took 8.6 s.
    for t in ["18446744073709551615", "100000000"] {
        let o = open_link(&format!("?scenario=bank&mode=quorum&t={t}"), "").unwrap();
        assert_eq!(o.params.t, Some(end));
        assert_eq!(o.notes.len(), 1, "{:?}", o.notes);
        assert!(o.runs[0].sim().now() <= end);
    }
    let o = open_link("?scenario=bank&mode=quorum&n=7&r=9&w=2&e=99999999999", "").unwrap();
    let o_n = (o.params.over.n, o.params.over.r, o.params.over.w);
    assert_eq!(o_n, (Some(3), Some(3), Some(2)));
    assert_eq!(o.notes.len(), 3, "n, r and e: {:?}", o.notes);
    let side = open_link("?scenario=bank&side=1&e=5&e2=99999999999", "").unwrap();
    assert_eq!(side.notes.len(), 1, "{:?}", side.notes);
    assert!(side.notes[0].starts_with("The link asked for e2 = "));
    // A frame inside the run is left alone.
    let o = open_link("?scenario=bank&t=10&e=3", "").unwrap();
    assert!(o.notes.is_empty(), "{:?}", o.notes);
    assert_eq!(o.runs[0].events(), 3);
}

// ---------------------------------------------------------------------------------------------
// Properties.

fn node() -> impl Strategy<Value = u8> {
    0u8..9
}

fn action() -> impl Strategy<Value = Action> {
    let kinds = OpKind::ALL;
    let cons = [
        Consistency::Default,
        Consistency::Strong,
        Consistency::Eventual,
        Consistency::Quorum,
    ];
    let request = (
        0u8..18,
        0usize..7,
        0u8..4,
        0i64..=i64::from(u32::MAX),
        0usize..4,
    )
        .prop_map(move |(client, k, key, arg, c)| Action::Request {
            client,
            req: Request {
                kind: kinds[k],
                key,
                key2: key,
                arg,
                consistency: cons[c],
            },
        });
    prop_oneof![
        request,
        node().prop_map(Action::Crash),
        node().prop_map(Action::Recover),
        (node(), node()).prop_map(|(from, to)| Action::Cut { from, to }),
        (node(), node()).prop_map(|(a, b)| Action::Heal { a, b }),
        Just(Action::HealAll),
        (node(), node(), any::<u64>(), 0u64..100).prop_map(|(a, b, base_ticks, jitter_ticks)| {
            Action::SetLatency {
                a,
                b,
                base_ticks,
                jitter_ticks,
            }
        }),
        prop::collection::vec(prop::collection::vec(node(), 1..4), 1..4)
            .prop_map(|sides| Action::Partition { sides }),
        any::<u64>().prop_map(Action::DropMessage),
        (any::<u64>(), any::<u64>()).prop_map(|(id, ticks)| Action::DelayMessage { id, ticks }),
    ]
}

fn inputs() -> impl Strategy<Value = Inputs> {
    prop::collection::vec((0u64..50, action()), 0..12).prop_map(|v| {
        let mut at = 0;
        v.into_iter()
            .map(|(d, a)| {
                at += d;
                (at, a)
            })
            .collect()
    })
}

fn params() -> impl Strategy<Value = Params> {
    let names = Scenario::builtin_names();
    let opt_small = || prop::option::of(1u8..=9);
    (
        (
            0..names.len(),
            prop::option::of(0usize..4),
            prop::option::of(0usize..3),
        ),
        (
            opt_small(),
            opt_small(),
            opt_small(),
            prop::option::of(any::<u64>()),
        ),
        prop::option::of(any::<u64>()),
        (
            prop::option::of(any::<u64>()),
            prop::option::of(any::<u64>()),
        ),
        (any::<bool>(), any::<bool>(), any::<bool>()),
    )
        .prop_map(
            move |((s, m, c), (n, r, w, seed), t, (e, e2), (wl, f, side))| Params {
                scenario: names[s].to_string(),
                over: Overrides {
                    mode: m.map(|i| Mode::ALL[i]),
                    conflict: c.map(|i| Conflict::ALL[i]),
                    n,
                    r,
                    w,
                    seed,
                },
                t,
                e,
                e2,
                workload: wl,
                faults: f,
                side,
                made: None,
                challenge: None,
            },
        )
}

fn link() -> impl Strategy<Value = Link> {
    let lessons: Vec<(&str, usize)> = crate::lessons::catalog()
        .iter()
        .map(|l| (l.id, l.steps.len()))
        .collect();
    let page = prop_oneof![
        Just(Page::Landing),
        (params(), inputs(), inputs()).prop_map(|(params, a, b)| Page::Lab {
            params,
            inputs: [a, b],
        }),
        (0..lessons.len(), any::<prop::sample::Index>()).prop_map(move |(i, s)| {
            Page::Lesson {
                id: lessons[i].0.to_string(),
                step: s.index(lessons[i].1),
            }
        }),
    ];
    let panels = prop::option::of((any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
        |(history, cards, controls)| Panels {
            history,
            cards,
            controls,
        },
    ));
    (page, any::<bool>(), any::<bool>(), panels).prop_map(|(page, embed, present, panels)| Link {
        page,
        flags: Flags {
            embed,
            present,
            panels,
        },
    })
}

fn split(url: &str) -> (&str, &str) {
    url.split_once('#').unwrap_or((url, ""))
}

/// The `key=value` pairs of a query.
fn pairs(query: &str) -> Vec<(String, String)> {
    let q = query.strip_prefix('?').unwrap_or(query);
    let pairs = q.split('&').filter(|p| !p.is_empty());
    pairs
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn clean(notes: &[String]) -> bool {
    notes
        .iter()
        .all(|n| is_one_clean_line(n) && n.chars().count() <= MAX_MESSAGE_CHARS)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_written_link_reads_back_the_same_within_the_limits(link in link()) {
        let url = write(&link).unwrap();
        let (query, fragment) = split(&url);
        prop_assert!(query.len() <= MAX_LINK_BYTES + 1 && fragment.len() <= MAX_LINK_BYTES + 1);
        let (again, notes) = parse(query, fragment);
        prop_assert_eq!(again, link);
        prop_assert!(notes.is_empty(), "{:?}", notes);
    }

    #[test]
    fn a_link_cut_anywhere_keeps_what_was_complete(
        params in params(), a in inputs(), b in inputs(), embed in any::<bool>(), cut in any::<prop::sample::Index>(),
    ) {
        let link = Link { page: Page::Lab { params, inputs: [a, b] }, flags: Flags { embed, present: false, panels: None } };
        let url = write(&link).unwrap();
        let cut = cut.index(url.len() + 1);
        let (query, fragment) = split(&url[..cut]);
        let (got, notes) = parse(query, fragment);
        prop_assert!(clean(&notes));
        // Every pair the cut did not reach (followed by `&` or `#`) is read as written.
        let whole = split(&url).0;
        let complete = if cut > whole.len() {
            whole
        } else {
            &whole[..whole[..cut].rfind('&').unwrap_or(0)]
        };
        let written = pairs(split(&write(&got).unwrap()).0);
        for pair in pairs(complete) {
            prop_assert!(written.contains(&pair), "{:?} lost from {:?}", pair, &url[..cut]);
        }
        // Inputs: a prefix of each run's, and a note when some were lost after the cut reached
        // the fragment.
        if let Page::Lab { inputs: wrote, .. } = &link.page {
            let got_inputs = match &got.page { Page::Lab { inputs, .. } => inputs.clone(), _ => Default::default() };
            for i in 0..2 {
                prop_assert!(wrote[i].starts_with(&got_inputs[i]));
                let lost = got_inputs[i].len() < wrote[i].len();
                if lost && !fragment.is_empty() {
                    prop_assert!(notes.iter().any(|n| n.contains("cut short")), "{:?} {:?}", &url[..cut], notes);
                }
            }
        }
    }

    #[test]
    fn any_text_parses_without_panic(q in "\\PC{0,80}", f in "[#a-zA-Z0-9=&.\\-]{0,80}") {
        let (_, notes) = parse(&q, &f);
        prop_assert!(clean(&notes));
        let (_, notes) = parse(&f, &q);
        prop_assert!(clean(&notes));
    }
}
