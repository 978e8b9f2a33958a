//! Lessons a teacher makes in the sandbox (`app::made`): recorded from clicks, shared as a link,
//! reopened as a lesson whose words and answers are computed from the run.

use caplab::app::made::MadeMsg;
use caplab::app::update::address;
use caplab::app::{update, Lab, Msg};
use caplab::sim::types::OpKind;

const BOB: u8 = 1;

/// Records: n3 cut off at 400, a step there with a question, then Bob (at n3) withdraws.
fn record(mode: &str) -> String {
    let mut lab = Lab::sandbox(
        &format!("?scenario=bank&mode={mode}&workload=0&faults=0&t=400"),
        "",
    );
    let mut now = 0.0;
    let mut send = |lab: &mut Lab, m: Msg| {
        now += 16.0;
        update(lab, m, now);
    };
    send(&mut lab, Msg::Made(MadeMsg::Author(true)));
    send(
        &mut lab,
        Msg::Made(MadeMsg::SetTitle("Cut off <b>Bob</b>".into())),
    );
    send(&mut lab, Msg::PartitionNode(2));
    let add = |c: &str, q: &str| {
        Msg::Made(MadeMsg::Add {
            caption: c.into(),
            question: q.into(),
        })
    };
    send(
        &mut lab,
        add("n3 is on its own now.", "What will Bob's withdrawal get?"),
    );
    send(
        &mut lab,
        Msg::Request {
            client: BOB,
            kind: OpKind::Withdraw,
        },
    );
    send(&mut lab, Msg::Seek(3_000));
    send(&mut lab, Msg::HealAll);
    send(&mut lab, add("Healed ~ 100% & <i>back</i>.", ""));
    address(&lab)
}

fn open(link: &str) -> Lab {
    let (q, f) = link.split_once('#').unwrap_or((link, ""));
    Lab::sandbox(q, f)
}

#[test]
fn a_recorded_lesson_reopens_from_its_link_with_computed_answers() {
    let link = record("cp");
    assert!(link.contains("made="), "{link}");
    let mut lab = open(&link);
    assert_eq!(lab.notice, None);
    assert!(!lab.playing, "a made lesson opens paused at a step");
    // The link was written at the last step's moment: it reopens there.
    let v = lab.made_view().expect("a made lesson");
    assert_eq!((v.step, v.steps), (1, 2));
    assert_eq!(v.caption, "Healed ~ 100% & <i>back</i>.");
    assert_eq!(v.title, "Cut off <b>Bob</b>");
    assert!(v.question.is_none());
    update(&mut lab, Msg::Made(MadeMsg::Go(0)), 0.0);
    let v = lab.made_view().expect("a made lesson");
    assert!(lab.clock <= 400.0 && lab.clock > 300.0, "{}", lab.clock);
    assert!(
        v.facts
            .paragraphs
            .iter()
            .any(|p| p.contains("n3 is cut off")),
        "{:?}",
        v.facts
    );
    let q = v.question.expect("a question with a request after it");
    // Cut off from the majority, CP does not serve Bob (here the request times out: n3 still
    // forwards to the leader it last heard).
    assert_eq!(q.answer, "timeout", "{q:?}");
    assert!(q.why.contains("no answer"), "{}", q.why);
    assert!(q.about.starts_with("Bob's withdrawal"), "{}", q.about);
    // Next on an unanswered question reveals first, and the run plays to the answer.
    update(&mut lab, Msg::Made(MadeMsg::Next), 16.0);
    let visit = lab.made.clone().expect("visit");
    assert!(visit.revealed && visit.step == 0 && visit.guess.is_none());
    assert_eq!(lab.clock, q.answer_at as f64);
    update(&mut lab, Msg::Made(MadeMsg::Next), 32.0);
    assert_eq!(lab.made.as_ref().map(|m| m.step), Some(1));
}

#[test]
fn the_same_recording_in_ap_has_the_answer_of_its_own_run() {
    let mut lab = open(&record("ap"));
    update(&mut lab, Msg::Made(MadeMsg::Go(0)), 0.0);
    let q = lab
        .made_view()
        .and_then(|v| v.question)
        .expect("a question");
    assert_eq!(q.answer, "ok", "AP serves Bob on his side: {q:?}");
}

#[test]
fn a_damaged_made_value_is_a_note_and_the_run_still_opens() {
    let lab = open("?scenario=bank&made=x~12.a%4");
    assert!(lab.made_view().is_none());
    let n = lab.notice.expect("a note");
    assert!(n.contains("lesson steps could not be read"), "{n}");
}

#[test]
fn a_step_that_would_make_the_link_too_long_is_refused_with_a_note() {
    let mut lab = Lab::sandbox("?scenario=bank&workload=0&faults=0&t=0", "");
    update(&mut lab, Msg::Made(MadeMsg::Author(true)), 0.0);
    let long = "é ~".repeat(200);
    for t in 0..12u64 {
        update(&mut lab, Msg::Seek(100 + t * 100), 0.0);
        let add = MadeMsg::Add {
            caption: long.clone(),
            question: long.clone(),
        };
        update(&mut lab, Msg::Made(add), 0.0);
    }
    let kept = lab.params.made.as_ref().map_or(0, |m| m.steps.len());
    assert!(kept > 0 && kept < 12, "{kept} steps kept");
    let n = lab.notice.clone().expect("a note");
    assert!(n.contains("longer than a link can be"), "{n}");
    // What was kept reopens whole.
    let reopened = open(&address(&lab));
    assert_eq!(reopened.params.made, lab.params.made);
    assert_eq!(reopened.notice, None);
}

#[test]
fn the_words_under_the_stage_never_describe_faults_or_traffic_the_link_turned_off() {
    let own = open("?scenario=bank").description().expect("words");
    assert!(
        own.contains("1500"),
        "the scenario's own words name its fault: {own}"
    );
    for q in [
        "?scenario=bank&faults=0",
        "?scenario=bank&workload=0&faults=0",
        "?scenario=bank&workload=0",
    ] {
        let d = open(q).description().expect("words");
        assert!(!d.contains("1500"), "{q}: {d}");
        assert!(d.contains("bank"), "{q}: {d}");
    }
    assert_eq!(open("?challenge=ap-double-spend").description(), None);
}
