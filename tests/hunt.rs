//! The anomaly hunt and the trade-off plot, driven through the page's model (`caplab::app`) as
//! the page drives them: messages, one hunt slice per animation frame.

use caplab::app::hunt::{self, Checker, HuntMsg, Status};
use caplab::app::update::address;
use caplab::app::{update, Effect, Lab, Msg};
use caplab::sim::report;

/// Opens `link` paused and hunts with `checker` (at most `limit` runs), one slice per 16 ms frame.
fn hunted(link: &str, checker: Checker, limit: u32) -> (Lab, Vec<Effect>) {
    let mut lab = Lab::sandbox(&format!("{link}&t=0"), "");
    let mut now = 0.0;
    update(&mut lab, Msg::Hunt(HuntMsg::Choose(checker)), now);
    lab.hunt.limit = limit;
    let mut fx = update(&mut lab, Msg::Hunt(HuntMsg::Start), now);
    assert!(
        fx.contains(&Effect::Frames(true)),
        "the hunt runs on frames"
    );
    for _ in 0..limit {
        now += 16.0;
        fx = update(&mut lab, Msg::Frame, now);
        if !lab.hunt.running() {
            break;
        }
        assert!(
            !fx.iter().any(|e| matches!(e, Effect::ReplaceUrl(_))),
            "a hunting frame leaves the address alone"
        );
    }
    assert!(!lab.hunt.running());
    (lab, fx)
}

fn found(lab: &Lab) -> hunt::Hit {
    match &lab.hunt.status {
        Status::Found(hit) => hit.clone(),
        s => panic!("nothing found: {s:?}"),
    }
}

/// The page's own checkers at tick `t` of its run.
fn checks_at(lab: &mut Lab, t: u64) -> caplab::sim::check::Checks {
    update(lab, Msg::Seek(t), 0.0);
    let tl = lab.runs[0].timeline.borrow();
    report::checks(tl.sim(), caplab::sim::check::Budget::Cli)
}

#[test]
fn the_hunt_finds_a_double_spend_in_the_ap_bank_and_shows_it_paused_before() {
    let (mut lab, fx) = hunted("?scenario=bank&mode=ap", Checker::DoubleSpend, 2000);
    let hit = found(&lab);
    assert!(fx.contains(&Effect::Frames(false)), "the frames stop");
    assert!(fx.iter().any(|e| matches!(e, Effect::ReplaceUrl(_))));
    assert!(!lab.playing && lab.clock == (hit.at - 1) as f64);
    assert_eq!(hunt::outlined(&lab), hit.ops);
    assert!(hunt::moment(&lab).unwrap().starts_with("Paused at"));
    let offending = hit.ops[0];
    {
        let tl = lab.runs[0].timeline.borrow();
        let op = tl
            .sim()
            .history()
            .iter()
            .find(|o| o.id == offending)
            .unwrap();
        assert_eq!(
            op.completed_at(),
            None,
            "paused before the offending op completes"
        );
    }
    assert!(hunt::summary(&lab.hunt, caplab::sim::types::Case::Bank)
        .unwrap()
        .contains("Found a double spend"));
    // One tick later the page's own checkers count it.
    assert_eq!(checks_at(&mut lab, hit.at - 1).double_spends, 0);
    assert!(checks_at(&mut lab, hit.at).double_spends > 0);
    assert!(hunt::outlined(&lab) == hit.ops, "seeking keeps the outline");
}

/// The found run's link reopens the same run at the same frame, and the checker finds the same
/// anomaly in it.
#[test]
fn the_link_of_a_found_run_replays_the_same_anomaly() {
    let (lab, _) = hunted("?scenario=bank&mode=ap", Checker::DoubleSpend, 2000);
    let hit = found(&lab);
    let link = address(&lab);
    assert!(link.contains("faults=0") && link.contains('#'), "{link}");
    let (q, f) = link.split_once('#').unwrap();
    let mut again = Lab::sandbox(q, f);
    assert_eq!(again.notice, None);
    assert_eq!(again.clock, lab.clock);
    let hash = |l: &Lab| l.runs[0].timeline.borrow().sim().trace_hash();
    assert_eq!(hash(&again), hash(&lab));
    let bank = caplab::sim::scenario::Scenario::builtin("bank").unwrap();
    update(&mut again, Msg::Seek(hunt::Window::of(&bank).horizon), 0.0);
    let tl = again.runs[0].timeline.borrow();
    let (ops, at, _) = hunt::find(tl.sim(), Checker::DoubleSpend).unwrap();
    assert_eq!((ops, at), (hit.ops, hit.at));
}

#[test]
fn the_hunt_finds_no_double_spend_in_the_cp_bank_and_says_what_that_means() {
    let (lab, fx) = hunted("?scenario=bank&mode=cp", Checker::DoubleSpend, 300);
    assert_eq!(lab.hunt.status, Status::Nothing);
    assert_eq!(lab.hunt.tried(), 300);
    assert!(fx.contains(&Effect::Frames(false)));
    let s = hunt::summary(&lab.hunt, caplab::sim::types::Case::Bank).unwrap();
    assert!(s.starts_with("No double spend in 300 runs"), "{s}");
    assert!(
        s.contains("evidence, not proof") && s.contains("CP design forbids"),
        "{s}"
    );
    assert!(hunt::outlined(&lab).is_empty());
}

#[test]
fn frames_work_redraw_at_most_10_times_a_second_and_stop_or_a_dial_ends_the_hunt() {
    let mut lab = Lab::sandbox("?scenario=bank&mode=cp", "");
    update(&mut lab, Msg::Hunt(HuntMsg::Start), 0.0);
    update(&mut lab, Msg::Frame, 16.0);
    // The next frame works but, its progress drawn 16 ms ago, changes nothing to redraw.
    let (version, tried) = (lab.version, lab.hunt.tried());
    assert!(update(&mut lab, Msg::Frame, 32.0).is_empty());
    assert_eq!(lab.version, version);
    assert!(lab.hunt.tried() > tried);
    let fx = update(&mut lab, Msg::Hunt(HuntMsg::Stop), 32.0);
    assert_eq!(lab.hunt.status, Status::Stopped);
    assert!(fx.contains(&Effect::Frames(false)));
    update(&mut lab, Msg::Hunt(HuntMsg::Start), 48.0);
    update(&mut lab, Msg::SetSeed(9), 64.0);
    assert!(!lab.hunt.running());
}

/// Turning the dials in quorum mode adds a point per setting tried (again: the same point), each
/// equal to the figures of that setting's own finished run.
#[test]
fn the_plot_gets_a_point_per_setting_tried_with_the_runs_own_figures() {
    let mut lab = Lab::sandbox("?scenario=two-regions&mode=quorum&t=0", "");
    assert_eq!(lab.tradeoff.points.len(), 1);
    assert_eq!((lab.tradeoff.points[0].r, lab.tradeoff.points[0].w), (2, 2));
    for (r, w, count) in [(1, 1, 2), (3, 1, 3), (1, 1, 3), (1, 3, 4)] {
        update(&mut lab, Msg::SetNrw(3, r, w), 0.0);
        let t = &lab.tradeoff;
        assert_eq!(t.points.len(), count);
        let p = t.points[t.current.unwrap()].clone();
        assert_eq!((p.r, p.w), (r, w));
        let end = lab.end_tick();
        let c = checks_at(&mut lab, end);
        assert_eq!((Some(p.p50), Some(p.p99)), (c.latency_p50, c.latency_p99));
        assert_eq!(p.stale, c.stale_reads);
    }
    let stale = |r: u8, w: u8| {
        let t = &lab.tradeoff;
        t.points
            .iter()
            .find(|p| (p.r, p.w) == (r, w))
            .unwrap()
            .stale
    };
    assert!(
        stale(1, 1) > 0 && stale(2, 2) == 0,
        "R+W>N reads no stale value here"
    );
    let plot = caplab::app::tradeoff::plot(&lab.tradeoff);
    assert_eq!(plot.dots.iter().filter(|d| d.4).count(), 1);
    update(&mut lab, Msg::SetMode(caplab::sim::types::Mode::Cp), 0.0);
    assert_eq!(lab.tradeoff.current, None);
    assert_eq!(lab.tradeoff.points.len(), 4, "kept across dial changes");
}

/// Every checker the hunt offers finds its anomaly somewhere it can happen, and the sentence
/// names it (AP register: stale reads, lost writes under last-writer-wins, non-linearizable).
#[test]
fn each_checker_finds_its_anomaly_in_the_ap_register() {
    for c in [
        Checker::StaleRead,
        Checker::LostUpdate,
        Checker::NotLinearizable,
    ] {
        let (lab, _) = hunted("?scenario=register&mode=ap", c, 1000);
        let hit = found(&lab);
        assert_eq!(hit.checker, c);
        let s = hunt::summary(&lab.hunt, caplab::sim::types::Case::Register).unwrap();
        assert!(s.contains(c.label()) && s.contains(&hit.sentence), "{s}");
        assert!(!lab.playing && lab.clock == (hit.at - 1) as f64);
    }
}
