//! The lessons: every step narrates, every lesson's run shows what it teaches, and the narration
//! follows the run when the faults change.

use caplab::lessons::predict::Ask;
use caplab::lessons::{catalog, find_op, lesson, narrate, prediction, run_to_step, Lesson};
use caplab::sim::check::Checks;
use caplab::sim::report::{checks, LIN_BUDGET};
use caplab::sim::types::{Consistency, OpKind, OpRecord, Outcome, Value};
use caplab::sim::world::Sim;

fn get(id: &str) -> Lesson {
    lesson(id).unwrap_or_else(|| panic!("no lesson {id}"))
}

/// Every stage run to its end.
fn finished(l: &Lesson) -> Vec<Sim> {
    l.stages
        .iter()
        .map(|s| {
            let mut sim = s.scenario.build().expect("builds");
            sim.run_to_end();
            assert!(sim.error().is_none(), "{}: {:?}", l.id, sim.error());
            sim
        })
        .collect()
}

fn check(sim: &Sim) -> Checks {
    checks(sim, LIN_BUDGET)
}

fn op(sim: &Sim, client: u8, at: u64) -> &OpRecord {
    find_op(sim, client, at).unwrap_or_else(|| panic!("no op by client {client} at {at}"))
}

fn narrate_all(l: &Lesson) -> Vec<caplab::lessons::Narration> {
    (0..l.steps.len())
        .map(|i| {
            let sims = run_to_step(l, i).expect("stages build");
            let refs: Vec<&Sim> = sims.iter().collect();
            narrate(l, i, &refs)
        })
        .collect()
}

#[test]
fn the_catalog_has_twelve_well_formed_lessons() {
    let all = catalog();
    let ids: Vec<&str> = all.iter().map(|l| l.id).collect();
    assert_eq!(
        ids,
        [
            "intro",
            "partition",
            "ca-single",
            "bank-cp",
            "bank-ap",
            "feed-ap",
            "feed-vclock",
            "quorum",
            "consistency-levels",
            "two-regions",
            "hinted-handoff",
            "cp-vs-ap"
        ]
    );
    for l in &all {
        assert!(
            (4..=8).contains(&l.steps.len()),
            "{}: {} steps",
            l.id,
            l.steps.len()
        );
        assert!(!l.stages.is_empty() && !l.title.is_empty() && !l.promise.is_empty());
        for st in &l.stages {
            st.scenario
                .validate()
                .unwrap_or_else(|e| panic!("{}: {e}", l.id));
            assert!((3000..=8000).contains(&st.scenario.end_tick), "{}", l.id);
            assert!(st.scenario.workload.is_none(), "{}: scripted only", l.id);
        }
        let end = l.stages[0].scenario.end_tick;
        assert!(
            l.steps.windows(2).all(|w| w[0].at_tick < w[1].at_tick),
            "{}",
            l.id
        );
        assert!(l.steps.iter().all(|s| s.at_tick <= end), "{}", l.id);
    }
    assert!(lesson("nope").is_none());
}

#[test]
fn every_step_of_every_lesson_narrates_in_plain_words() {
    for l in catalog() {
        for (i, n) in narrate_all(&l).iter().enumerate() {
            let at = format!("{} step {}", l.id, i + 1);
            assert!(!n.title.is_empty() && !n.paragraphs.is_empty(), "{at}");
            let texts = n.paragraphs.iter().chain(&n.question).chain(&n.why);
            for p in texts {
                assert!(!p.trim().is_empty(), "{at}: empty paragraph");
                assert!(!p.contains('{') && !p.contains("TODO"), "{at}: {p}");
            }
            if n.question.is_some() {
                assert!((2..=4).contains(&n.options.len()), "{at}: {:?}", n.options);
                assert_eq!(n.labels.len(), n.options.len(), "{at}");
                let answer = n.answer.as_ref().expect("answered");
                assert!(
                    n.options.contains(answer),
                    "{at}: {answer} not in {:?}",
                    n.options
                );
                assert!(n.why.as_ref().is_some_and(|w| !w.is_empty()), "{at}");
            }
        }
    }
}

#[test]
fn a_wrong_call_is_narrated_not_a_panic() {
    let l = get("bank-cp");
    let n = narrate(&l, 99, &[]);
    assert_eq!(n.title, "Nothing to show");
    assert!(n.question.is_none());
}

/// Every lesson asks at least one question; together they ask every kind of question.
#[test]
fn every_lesson_asks_and_the_questions_are_varied() {
    let mut kinds = std::collections::BTreeSet::new();
    for l in catalog() {
        let asks: Vec<Ask> = l
            .steps
            .iter()
            .filter_map(|s| s.predict.map(|p| p.ask))
            .collect();
        assert!(!asks.is_empty(), "{} asks no question", l.id);
        for a in asks {
            kinds.insert(format!("{a:?}").split(['(', ' ']).next().map(String::from));
        }
    }
    assert_eq!(kinds.len(), 6, "{kinds:?}");
}

/// A question is asked before anything gives its answer: the event that decides it comes after
/// the step's moment, and neither the step's paragraphs nor the question say the answer's words.
#[test]
fn every_question_is_asked_before_its_answer_is_decided_or_said() {
    for l in catalog() {
        for (i, s) in l.steps.iter().enumerate() {
            if s.predict.is_none() {
                continue;
            }
            let at = format!("{} step {}", l.id, i + 1);
            let sims = run_to_step(&l, i).expect("builds");
            let refs: Vec<&Sim> = sims.iter().collect();
            let a = prediction(&l, i, &refs).expect("asks");
            let tick = a.tick.expect("decided");
            assert!(
                tick > s.at_tick,
                "{at}: decided at {tick}, asked at {}",
                s.at_tick
            );
            assert!(
                a.answer.as_ref().is_some_and(|x| a.options.contains(x)),
                "{at}"
            );
            assert!(!a.tells.is_empty(), "{at}");
            let n = narrate(&l, i, &refs);
            for text in n.paragraphs.iter().chain(&n.question) {
                for tell in &a.tells {
                    assert!(
                        !text.contains(tell.as_str()),
                        "{at} gives away '{tell}': {text}"
                    );
                }
            }
        }
    }
}

#[test]
fn predict_answers_are_the_watched_ops_actual_outcomes() {
    for l in catalog() {
        let sims = finished(&l);
        for (i, s) in l.steps.iter().enumerate() {
            let Some(p) = &s.predict else { continue };
            let Ask::Outcome(w) = p.ask else { continue };
            let actual = op(&sims[w.stage], w.client, w.at)
                .outcome()
                .expect("finished")
                .slug();
            let before = run_to_step(&l, i).expect("builds");
            let watched = find_op(&before[w.stage], w.client, w.at);
            assert!(
                watched.is_none_or(|r| r.outcome().is_none()),
                "{} step {}: the predict step must come before the outcome",
                l.id,
                i + 1
            );
            let refs: Vec<&Sim> = before.iter().collect();
            let n = narrate(&l, i, &refs);
            assert_eq!(n.answer.as_deref(), Some(actual), "{} step {}", l.id, i + 1);
            assert!(n
                .why
                .as_deref()
                .is_some_and(|w| w.contains(actual_word(actual))));
        }
    }
}

fn actual_word(slug: &str) -> &'static str {
    match slug {
        "ok" => "succeeded",
        "refused" => "refused",
        _ => "no answer",
    }
}

#[test]
fn narration_follows_the_run_when_the_partition_is_removed() {
    let cut = get("bank-cp");
    let mut healthy = cut.clone();
    healthy.stages[0].scenario.faults.clear();
    let predict = cut
        .steps
        .iter()
        .position(|s| s.predict.is_some())
        .expect("predict");
    let reveal = predict + 1;
    let say = |l: &Lesson, i: usize| {
        let sims = run_to_step(l, i).expect("builds");
        let refs: Vec<&Sim> = sims.iter().collect();
        narrate(l, i, &refs)
    };
    let (a, b) = (say(&cut, predict), say(&healthy, predict));
    assert_eq!(a.answer.as_deref(), Some("refused"));
    assert_eq!(b.answer.as_deref(), Some("ok"));
    assert!(a.question.as_deref().is_some_and(|q| q.contains("cut off")));
    assert!(b
        .question
        .as_deref()
        .is_some_and(|q| q.contains("can reach every other node")));
    let (a, b) = (
        say(&cut, reveal).paragraphs.join(" "),
        say(&healthy, reveal).paragraphs.join(" "),
    );
    assert!(
        a.contains("Bob's withdrawal of 80 at n3 was refused"),
        "{a}"
    );
    assert!(b.contains("Bob's withdrawal of 80 at n3 succeeded"), "{b}");
    assert!(!b.contains("refused"), "{b}");
    // Later, Alice's withdrawal meets a balance of 20: the narration says so.
    let later = reveal + 1;
    let b = say(&healthy, later).paragraphs.join(" ");
    assert!(
        b.contains("Alice's withdrawal of 80 at n1 was refused"),
        "{b}"
    );
    assert!(b.contains("insufficient funds"), "{b}");
}

// ----- the facts each lesson teaches, from the checkers -----

#[test]
fn intro_a_write_reaches_every_replica() {
    let sims = finished(&get("intro"));
    let c = check(&sims[0]);
    assert_eq!(c.linearizable, Some(true));
    assert_eq!(op(&sims[0], 1, 1200).value(), Some(&Value::Int(5)));
    assert!(c.converged);
}

#[test]
fn partition_crash_pause_and_cut_look_the_same_to_bob() {
    let sims = finished(&get("partition"));
    for sim in &sims {
        assert_eq!(op(sim, 0, 500).outcome(), Some(Outcome::Ok));
        assert_eq!(op(sim, 0, 1200).outcome(), Some(Outcome::Timeout));
        assert_eq!(op(sim, 0, 3000).outcome(), Some(Outcome::Ok));
    }
}

#[test]
fn ca_single_is_fine_until_n1_is_cut_or_crashed() {
    let sims = finished(&get("ca-single"));
    let h = sims[0].history();
    assert!(h
        .iter()
        .filter(|r| r.invoke < 1500)
        .all(|r| r.outcome() == Some(Outcome::Ok)));
    assert_eq!(op(&sims[0], 1, 1800).outcome(), Some(Outcome::Timeout));
    assert_eq!(op(&sims[0], 0, 3200).outcome(), Some(Outcome::Timeout));
}

#[test]
fn bank_cp_refuses_at_n3_and_never_overdraws() {
    let sims = finished(&get("bank-cp"));
    let c = check(&sims[0]);
    assert_eq!(c.linearizable, Some(true));
    assert!(c.min_balance.is_some_and(|m| m >= 0));
    let refused_at_n3 = sims[0]
        .history()
        .iter()
        .filter(|r| r.node == 2 && matches!(r.outcome(), Some(Outcome::Refused(_))))
        .count();
    assert!(refused_at_n3 >= 1);
}

#[test]
fn bank_ap_overdraws() {
    let sims = finished(&get("bank-ap"));
    let c = check(&sims[0]);
    assert!(
        c.min_balance.is_some_and(|m| m < 0) || c.double_spends > 0,
        "{c:?}"
    );
}

#[test]
fn feed_ap_lww_loses_likes_and_the_crdt_none() {
    let sims = finished(&get("feed-ap"));
    let (lww, crdt) = (check(&sims[0]), check(&sims[1]));
    let likes_lost = lww
        .lost_ops
        .iter()
        .filter(|id| sims[0].history()[**id as usize].req.kind == OpKind::Like)
        .count();
    assert!(likes_lost >= 1, "{lww:?}");
    assert_eq!(crdt.lost_updates, 0);
    assert!(lww.converged && crdt.converged);
    assert!(
        op(&sims[0], 1, 2700).is_stale(),
        "Bob's read during the cut is stale"
    );
}

fn siblings_ever(l: &Lesson, stage: usize) -> bool {
    let mut sim = l.stages[stage].scenario.build().expect("builds");
    loop {
        let seen = (0..sim.node_count()).any(|n| {
            sim.view(n)
                .keys
                .iter()
                .any(|v| matches!(v, Value::Siblings(_)))
        });
        if seen {
            return true;
        }
        if sim.step().is_none() {
            return false;
        }
    }
}

#[test]
fn feed_vclock_keeps_siblings_and_lww_does_not() {
    let l = get("feed-vclock");
    assert_eq!(l.stages[0].label, "vclock");
    assert!(siblings_ever(&l, 0));
    assert!(!siblings_ever(&l, 1));
}

#[test]
fn quorum_r2_is_never_stale_and_r1_is() {
    let sims = finished(&get("quorum"));
    assert_eq!(check(&sims[0]).stale_reads, 0);
    assert!(check(&sims[1]).stale_reads >= 1);
    assert!(matches!(
        op(&sims[0], 1, 2100).outcome(),
        Some(Outcome::Refused(_))
    ));
    // One node down: everything works in both.
    for sim in &sims {
        assert_eq!(op(sim, 0, 700).outcome(), Some(Outcome::Ok));
        assert_eq!(op(sim, 1, 900).value(), Some(&Value::Int(1)));
    }
}

#[test]
fn consistency_levels_cost_what_they_promise() {
    let sims = finished(&get("consistency-levels"));
    let sim = &sims[0];
    let took = |r: &OpRecord| r.completed_at().expect("done") - r.invoke;
    let eventual = op(sim, 1, 2200);
    assert_eq!(eventual.req.consistency, Consistency::Eventual);
    assert!(eventual.is_stale());
    let strong = op(sim, 1, 1300);
    assert!(!strong.is_stale() && took(strong) > took(op(sim, 1, 1003)));
    assert_eq!(op(sim, 1, 2300).outcome(), Some(Outcome::Timeout));
}

#[test]
fn two_regions_strong_writes_cross_the_ocean_and_eventual_reads_do_not() {
    let sims = finished(&get("two-regions"));
    let sim = &sims[0];
    let took = |r: &OpRecord| r.completed_at().expect("done") - r.invoke;
    let write = op(sim, 1, 2000);
    assert_eq!(write.outcome(), Some(Outcome::Ok));
    assert!(took(write) >= 160, "{}", took(write));
    let read = op(sim, 1, 2500);
    assert_eq!(read.req.consistency, Consistency::Eventual);
    assert!(took(read) < 20);
}

#[test]
fn hinted_handoff_holds_then_delivers() {
    let l = get("hinted-handoff");
    let mut sim = l.stages[0].scenario.build().expect("builds");
    sim.run_until(2500);
    let hints = |s: &Sim| (0..s.node_count()).map(|n| s.view(n).hints).sum::<u32>();
    assert!(hints(&sim) > 0);
    let like = op(&sim, 0, 1500).id;
    assert!(!sim.replica_seen(2, 1).contains(like));
    sim.run_to_end();
    assert_eq!(hints(&sim), 0);
    assert!(sim.replica_seen(2, 1).contains(like));
}

#[test]
fn cp_vs_ap_cp_is_linearizable_and_ap_is_not() {
    let sims = finished(&get("cp-vs-ap"));
    let (cp, ap) = (check(&sims[0]), check(&sims[1]));
    assert_eq!(cp.linearizable, Some(true));
    assert!(ap.linearizable == Some(false) || ap.stale_reads > 0);
    assert!(ap.availability > cp.availability);
}

// ----- the narration stays true when the reader changes the faults -----

/// The narration of step `i` of `l` after `edit` changed its scenarios (as a reader's changes in
/// "Try it yourself" do), as one string.
fn narrate_edited(
    l: &Lesson,
    i: usize,
    edit: impl Fn(usize, &mut caplab::sim::scenario::Scenario),
) -> String {
    let mut l = l.clone();
    for (st, stage) in l.stages.iter_mut().enumerate() {
        edit(st, &mut stage.scenario);
    }
    let sims = run_to_step(&l, i).expect("builds");
    let refs: Vec<&Sim> = sims.iter().collect();
    narrate(&l, i, &refs).paragraphs.join(" ")
}

fn step_titled(l: &Lesson, title: &str) -> usize {
    l.steps
        .iter()
        .position(|s| s.title == title)
        .unwrap_or_else(|| panic!("{}: no step {title:?}", l.id))
}

#[test]
fn partition_narration_follows_which_faults_happen() {
    let l = get("partition");
    let apart = step_titled(&l, "Can Bob tell them apart?");
    let original = narrate_edited(&l, apart, |_, _| {});
    assert!(original.contains("silence, then a timeout"), "{original}");
    // Without the crash, the first run answers: the runs no longer end the same way.
    let no_crash = narrate_edited(&l, apart, |st, s| {
        if st == 0 {
            s.faults.clear();
        }
    });
    assert!(no_crash.contains("did not end the same way"), "{no_crash}");
    assert!(
        no_crash.contains("In the 'crash' run: Bob's write of 2 at n3 succeeded"),
        "{no_crash}"
    );
    assert!(
        !no_crash.contains("All three end the same way"),
        "{no_crash}"
    );
    // Without any fault, all three answer ok: same ending, but no silence and no timeout.
    let none = narrate_edited(&l, apart, |_, s| s.faults.clear());
    assert!(
        none.contains("In all three runs: Bob's write of 2 at n3 succeeded"),
        "{none}"
    );
    assert!(
        !none.contains("timeout") && !none.contains("silence"),
        "{none}"
    );
    // A fault that never ends: the last step says Bob is still not served, and why.
    let last = l.steps.len() - 1;
    let stuck = narrate_edited(&l, last, |st, s| {
        if st == 0 {
            s.faults.retain(|f| f.at < 2000);
        }
    });
    assert!(stuck.contains("Not every run serves Bob again"), "{stuck}");
    assert!(
        stuck.contains("In the 'crash' run: n1 has been down since it crashed at 1000 ms"),
        "{stuck}"
    );
    assert!(!stuck.contains("Bob's requests work again"), "{stuck}");
}

#[test]
fn ca_single_narration_follows_the_cut() {
    let l = get("ca-single");
    let cut = step_titled(&l, "n1 is cut off");
    let after = step_titled(&l, "Alice and Bob, after the cut");
    let orig = narrate_edited(&l, after, |_, _| {});
    assert!(orig.contains("Bob gets silence"), "{orig}");
    // The reader never lets the cut happen (only the later crash stays).
    let no_cut = |_: usize, s: &mut caplab::sim::scenario::Scenario| {
        s.faults
            .retain(|f| !matches!(f.action, caplab::sim::action::Action::Isolate(_)))
    };
    let at_cut = narrate_edited(&l, cut, no_cut);
    assert!(at_cut.contains("n1 can reach every other node"), "{at_cut}");
    assert!(at_cut.contains("can still reach n1"), "{at_cut}");
    assert!(!at_cut.contains("can no longer reach"), "{at_cut}");
    let later = narrate_edited(&l, after, no_cut);
    assert!(later.contains("Bob's read at n3 returned 2"), "{later}");
    assert!(
        !later.contains("silence") && !later.contains("no longer available"),
        "{later}"
    );
}

#[test]
fn quorum_and_levels_narration_follow_a_healed_cut() {
    let heal_cut = |_: usize, s: &mut caplab::sim::scenario::Scenario| {
        s.faults
            .retain(|f| !matches!(f.action, caplab::sim::action::Action::Partition { .. }))
    };
    let q = get("quorum");
    let step = step_titled(&q, "Refused or stale");
    let orig = narrate_edited(&q, step, |_, _| {});
    assert!(orig.contains("said no") && orig.contains("stale"), "{orig}");
    let healed = narrate_edited(&q, step, heal_cut);
    assert!(
        healed.contains("gathered enough answers and was fresh"),
        "{healed}"
    );
    assert!(
        !healed.contains("said no") && !healed.contains("stale"),
        "{healed}"
    );

    let l = get("consistency-levels");
    let strong = step_titled(&l, "Cut off: the strong read");
    assert!(narrate_edited(&l, strong, |_, _| {}).contains("waited in vain"));
    let healed = narrate_edited(&l, strong, heal_cut);
    assert!(
        healed.contains("Bob's strong read at n3 returned"),
        "{healed}"
    );
    assert!(
        !healed.contains("in vain") && !healed.contains("no answer"),
        "{healed}"
    );
}

#[test]
fn bank_ap_does_not_claim_an_overdraft_that_did_not_happen() {
    let l = get("bank-ap");
    let last = l.steps.len() - 1;
    let orig = narrate_edited(&l, last, |_, _| {});
    assert!(orig.contains("broke the one rule"), "{orig}");
    // Bob's withdrawal comes after the heal, when n3 knows about Alice's: it is refused.
    let late_bob = narrate_edited(&l, last, |_, s| {
        for r in s
            .requests
            .iter_mut()
            .filter(|r| r.client == 1 && r.at == 2500)
        {
            r.at = 4500;
        }
    });
    assert!(late_bob.contains("the rule held"), "{late_bob}");
    assert!(
        !late_bob.contains("broke the one rule") && !late_bob.contains("negative"),
        "{late_bob}"
    );
}

/// The page shows the word "linearizable" from the step a lesson marks as explaining it: no
/// step before says it, and the marked step does (on the lesson's own runs).
#[test]
fn linearizable_is_said_only_from_the_step_marked_as_explaining_it() {
    for l in catalog() {
        for (i, n) in narrate_all(&l).iter().enumerate() {
            let says = n.paragraphs.iter().any(|p| p.contains("linearizab"));
            let at = format!("{} step {}", l.id, i + 1);
            if says {
                assert!(l.says_linearizable(i), "{at} says it before it is marked");
            }
            if l.steps[i].says_linearizable {
                assert!(says, "{at} is marked but does not say it");
            }
        }
    }
    let intro = get("intro");
    assert!(!intro.says_linearizable(0) && intro.says_linearizable(intro.steps.len() - 1));
}

/// "4 operations finished": the verdict step of bank-cp names every finished op (the history
/// shows them all), and the ops it points at are among them.
#[test]
fn a_count_of_operations_names_every_op_it_counts() {
    let l = get("bank-cp");
    let n = narrate_all(&l).pop().expect("steps");
    let sims = run_to_step(&l, l.steps.len() - 1).expect("stages build");
    let done: Vec<_> = sims[0]
        .history()
        .iter()
        .filter(|o| o.outcome().is_some())
        .map(|o| o.id)
        .collect();
    assert_eq!(done.len(), 4);
    assert!(n
        .paragraphs
        .iter()
        .any(|p| p.starts_with("4 operations finished")));
    assert_eq!(n.named_ops, done);
    assert!(n.highlight_ops.iter().all(|id| n.named_ops.contains(id)));
}

/// The run a step's question is about (shown beside the text where the runs take turns): always
/// a stage of the lesson; lesson 2's question on "the first run" names the crash run.
#[test]
fn the_run_a_step_asks_about_is_the_one_its_question_is_about() {
    for l in catalog() {
        for (i, n) in narrate_all(&l).iter().enumerate() {
            let asked = l.asked_run(i);
            assert!(
                asked.is_none_or(|a| a < l.stages.len()),
                "{} step {}",
                l.id,
                i + 1
            );
            assert_eq!(
                asked.is_some(),
                l.steps[i].predict.is_some(),
                "{} step {}",
                l.id,
                i + 1
            );
            if let Some(p) = l.steps[i].predict {
                assert_eq!(asked, Some(p.ask.stage()), "{} step {}", l.id, i + 1);
            }
            let first = n
                .question
                .as_deref()
                .is_some_and(|q| q.contains("first run"));
            if first {
                assert_eq!(asked, Some(0), "{} step {}", l.id, i + 1);
            }
        }
    }
    let partition = get("partition");
    assert_eq!(
        partition.stages[partition.asked_run(2).unwrap()].label,
        "crash"
    );
    assert_eq!(partition.asked_run(99), None);
}
