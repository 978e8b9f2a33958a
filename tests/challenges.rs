//! The challenges (`caplab::app::challenge`): each is solved by a scripted list of the reader's
//! messages and not by its untouched starting run; the impossible one is never solved, and after
//! three failed tries the page explains it with those runs; a challenge link replays its run.

use caplab::app::challenge::{self, Status, CHALLENGES, TRIES};
use caplab::app::link::{self, Page};
use caplab::app::update::address;
use caplab::app::{update, Lab, Msg, NodeCmd};
use caplab::sim::types::{OpKind, Tick};
use proptest::prelude::*;

/// The reader's messages, each at a tick (the page seeks there first, then sends it).
type Script = Vec<(Tick, Msg)>;

fn req(client: u8, kind: OpKind) -> Msg {
    Msg::Request { client, kind }
}

fn run(lab: &mut Lab, script: &Script) {
    update(lab, Msg::Pause, 0.0);
    for (at, msg) in script {
        update(lab, Msg::Seek(*at), 0.0);
        update(lab, msg.clone(), 0.0);
    }
    let end = lab.end_tick();
    update(lab, Msg::Seek(end), 0.0);
}

fn open(id: &str) -> Lab {
    Lab::sandbox(&format!("?challenge={id}"), "")
}

/// A scripted solution of each challenge but the impossible one.
fn solution(id: &str) -> Script {
    use OpKind::*;
    let cut = (100, Msg::PartitionNode(2));
    let heal = (1500, Msg::HealAll);
    match id {
        "ap-double-spend" => vec![cut, (200, req(0, Withdraw)), (200, req(1, Withdraw)), heal],
        "cp-refuses" => vec![cut, (1000, req(1, Withdraw)), (1000, req(0, Deposit)), heal],
        "quorum-stale" => vec![cut, (200, req(0, Write)), (400, req(1, Read)), heal],
        "feed-stale-read" => vec![cut, (200, req(0, Post)), (400, req(1, Read)), heal],
        "lww-loses-a-like" => vec![cut, (200, req(0, Like)), (200, req(1, Like)), heal],
        "vclock-siblings" => vec![
            cut,
            (200, req(0, Write)),
            (200, req(1, Write)),
            heal,
            (3000, req(0, Read)),
        ],
        "ca-one-crash" => vec![
            (100, Msg::Node(0, NodeCmd::Crash)),
            (200, req(0, Deposit)),
            (200, req(1, Deposit)),
            (200, req(2, Deposit)),
        ],
        other => panic!("no scripted solution for {other}"),
    }
}

#[test]
fn every_challenge_is_solved_by_its_solution_and_not_by_its_start() {
    for c in CHALLENGES.iter().filter(|c| c.id != "cp-always-available") {
        let mut untouched = open(c.id);
        run(&mut untouched, &Vec::new());
        assert_eq!(untouched.challenge_status(), Some(Status::Open), "{}", c.id);
        let mut lab = open(c.id);
        assert_eq!(lab.challenge().map(|x| x.id), Some(c.id));
        run(&mut lab, &solution(c.id));
        assert!(lab.notice.is_none(), "{}: {:?}", c.id, lab.notice);
        match lab.challenge_status() {
            Some(Status::Solved(found)) => assert!(!found.is_empty()),
            other => panic!("{}: not solved ({other:?})", c.id),
        }
    }
}

#[test]
fn the_share_link_of_a_solution_reopens_solved() {
    for c in CHALLENGES.iter().filter(|c| c.id != "cp-always-available") {
        let mut lab = open(c.id);
        run(&mut lab, &solution(c.id));
        let link = address(&lab);
        assert!(
            link.starts_with(&format!("?challenge={}&t=", c.id)),
            "{link}"
        );
        let (q, f) = link.split_once('#').expect("a fragment with the inputs");
        let again = Lab::sandbox(q, f);
        assert!(again.notice.is_none(), "{:?}", again.notice);
        assert_eq!(again.challenge_status(), lab.challenge_status(), "{}", c.id);
    }
}

#[test]
fn a_lost_like_is_kept_by_the_crdt_counter() {
    let mut lab = open("lww-loses-a-like");
    run(&mut lab, &solution("lww-loses-a-like"));
    let t = lab.runs[0].timeline.borrow();
    assert_eq!(challenge::crdt_contrast(&t), Some((2, 0)));
}

#[test]
fn challenge_links_round_trip_and_bad_ids_say_so() {
    let (l, notes) = link::parse("?challenge=quorum-stale&t=40", "#n=1&s=3b0-2&end");
    assert!(notes.is_empty(), "{notes:?}");
    let Page::Lab { params, inputs } = &l.page else {
        panic!("a challenge link opens the lab");
    };
    assert_eq!(params.challenge, Some("quorum-stale"));
    assert_eq!(
        (params.over.r, params.over.w, params.t),
        (Some(1), Some(1), Some(40))
    );
    assert!(!params.workload && inputs[0].len() == 1);
    let written = link::write(&l).unwrap();
    let (q, f) = written.split_once('#').unwrap();
    assert_eq!(link::parse(q, f).0, l);
    let (l, notes) = link::parse("?challenge=nope%22", "");
    assert_eq!(l.page, Page::Landing);
    assert!(notes[0].contains("no challenge called"), "{notes:?}");
}

#[test]
fn dials_stay_the_challenges_and_try_again_restores_the_start() {
    let mut lab = open("ap-double-spend");
    let before = lab.params.clone();
    assert!(update(&mut lab, Msg::SetMode(caplab::sim::types::Mode::Cp), 0.0).is_empty());
    assert_eq!(lab.params, before);
    run(&mut lab, &solution("ap-double-spend"));
    update(&mut lab, Msg::Reset, 0.0);
    assert_eq!(lab.params.challenge, Some("ap-double-spend"));
    assert!(lab.inputs()[0].is_empty());
    assert_eq!(lab.challenge_status(), Some(Status::Open));
}

#[test]
fn the_impossible_one_is_explained_after_three_failed_tries() {
    let mut lab = open("cp-always-available");
    let everyone = |at: Tick| (0..3).map(move |c| (at, req(c, OpKind::Deposit)));
    let script: Script = [(100, Msg::PartitionNode(2))]
        .into_iter()
        .chain(everyone(1000))
        .chain([(3000, Msg::HealAll)])
        .collect();
    for n in 1..=TRIES {
        assert_eq!(lab.challenge_status(), Some(Status::Open));
        run(&mut lab, &script);
        assert_eq!(lab.tries.failed.len(), n);
        update(&mut lab, Msg::Reset, 0.0);
    }
    assert_eq!(lab.challenge_status(), Some(Status::Impossible));
    // Each try names the request that failed and its side, from that run.
    assert!(
        lab.tries.failed[0].contains("Bob's deposit of"),
        "{:?}",
        lab.tries.failed
    );
    assert!(
        lab.tries.failed[0].contains("cut-off side"),
        "{:?}",
        lab.tries.failed
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Whatever partition the reader makes and whatever they send, the CP bank is never
    /// available to everyone while it is split.
    #[test]
    fn the_cp_bank_is_never_available_to_everyone_during_a_partition(
        cut in (0u8..3, 50u64..2000),
        links in prop::collection::vec((0u8..3, 0u8..3, 0u64..3000), 0..3),
        sends in prop::collection::vec((0u8..3, 0u64..3000, 0usize..3), 0..9),
        heal_after in 100u64..4000,
    ) {
        let kinds = [OpKind::Deposit, OpKind::Withdraw, OpKind::Read];
        let at = cut.1;
        let mut script: Script = vec![(at, Msg::PartitionNode(cut.0))];
        script.extend(links.iter().filter(|(a, b, _)| a != b).map(|(a, b, t)| (at + t, Msg::ToggleLink(*a, *b))));
        script.extend(sends.iter().map(|(c, t, k)| (at + t, req(*c, kinds[*k]))));
        script.push((at + heal_after, Msg::HealAll));
        script.sort_by_key(|(t, _)| *t);
        let mut lab = open("cp-always-available");
        run(&mut lab, &script);
        let solved = matches!(lab.challenge_status(), Some(Status::Solved(_)));
        prop_assert!(!solved, "{:?}", lab.challenge_status());
    }
}

#[test]
fn one_crash_means_one_crash_and_nothing_else() {
    for extra in [
        Msg::ToggleLink(1, 2),
        Msg::Node(1, NodeCmd::Pause),
        Msg::Node(2, NodeCmd::Crash),
    ] {
        let mut script = solution("ca-one-crash");
        script.insert(1, (150, extra.clone()));
        let mut lab = open("ca-one-crash");
        run(&mut lab, &script);
        assert_eq!(lab.challenge_status(), Some(Status::Open), "{extra:?}");
    }
}
