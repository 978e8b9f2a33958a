//! The page's model (`caplab::app`), driven natively by random sequences of the reader's
//! messages: the promises the page makes about its controls hold whatever the reader does.

use caplab::app::lesson::LessonMsg;
use caplab::app::update::address;
use caplab::app::{update, Lab, Msg, NodeCmd, Sign};
use caplab::lessons::catalog;
use caplab::sim::net::LinkMode;
use caplab::sim::types::{Mode, OpKind};
use proptest::prelude::*;
use std::rc::Rc;

/// Generated drops and delays name a message as `PICK + its index` (see `Page::resolve`).
const PICK: u64 = 1 << 40;

/// The catalog's lesson `id`.
fn lesson(id: &str) -> caplab::lessons::Lesson {
    caplab::lessons::lesson(id).unwrap_or_else(|| panic!("no lesson {id}"))
}

/// A page clock for the tests: each message is sent 16 ms after the previous one.
struct Page {
    lab: Lab,
    now_ms: f64,
}

impl Page {
    fn open(link: &str) -> Page {
        let (q, f) = link.split_once('#').unwrap_or((link, ""));
        Page {
            lab: Lab::sandbox(q, f),
            now_ms: 0.0,
        }
    }
    fn send(&mut self, msg: Msg) {
        self.now_ms += 16.0;
        let msg = self.resolve(msg);
        update(&mut self.lab, msg, self.now_ms);
    }
    /// A generated drop or delay names its message by `PICK + index` among those on their way
    /// in its run (modulo their number); this gives the message's id (its run taken modulo the
    /// runs). Other messages are sent as they are.
    fn resolve(&self, msg: Msg) -> Msg {
        let pick = |run: usize, i: u64| {
            let run = run % self.lab.runs.len();
            let flights = self.lab.runs[run].timeline.borrow().sim().in_flight();
            let id = match flights.len() {
                0 => u64::MAX,
                n => flights[((i - PICK) % n as u64) as usize].id,
            };
            (run, id)
        };
        match msg {
            Msg::DropMessage(run, i) if i >= PICK => {
                let (run, id) = pick(run, i);
                Msg::DropMessage(run, id)
            }
            Msg::DelayMessage(run, i) if i >= PICK => {
                let (run, id) = pick(run, i);
                Msg::DelayMessage(run, id)
            }
            m => m,
        }
    }
    /// Plays until the page stops by itself (at most `frames` frames).
    fn play_out(&mut self, frames: usize) {
        self.send(Msg::SetSpeed(16.0));
        self.send(Msg::Play);
        for _ in 0..frames {
            if !self.lab.playing {
                return;
            }
            self.send(Msg::Frame);
        }
    }
    /// Each run's (events processed, trace hash), and the display clock.
    fn frame(&self) -> (Vec<(u64, u64)>, u64) {
        let runs = self.lab.runs.iter().map(|r| {
            let t = r.timeline.borrow();
            (t.events(), t.sim().trace_hash())
        });
        (runs.collect(), self.lab.clock.floor() as u64)
    }
}

/// One of the reader's actions on a 3-node bank (links, nodes, requests, the clock).
fn reader_msg() -> impl Strategy<Value = Msg> {
    let node = 0u8..3;
    let pair = (0u8..3, 1u8..3).prop_map(|(a, d)| (a, (a + d) % 3));
    let cmd = prop_oneof![
        Just(NodeCmd::Crash),
        Just(NodeCmd::Recover),
        Just(NodeCmd::Pause),
        Just(NodeCmd::Resume)
    ];
    let kind = prop_oneof![
        Just(OpKind::Read),
        Just(OpKind::Deposit),
        Just(OpKind::Withdraw)
    ];
    prop_oneof![
        pair.clone().prop_map(|(a, b)| Msg::ToggleLink(a, b)),
        pair.prop_map(|(a, b)| Msg::CycleOneWay(a, b)),
        node.clone().prop_map(Msg::PartitionNode),
        Just(Msg::HealAll),
        (node, cmd).prop_map(|(n, c)| Msg::Node(n, c)),
        (0u8..2, kind).prop_map(|(client, kind)| Msg::Request { client, kind }),
        Just(Msg::Step),
        Just(Msg::StepBack),
        (0u64..9000).prop_map(Msg::Seek),
        (0usize..2, PICK..PICK + 64).prop_map(|(r, i)| Msg::DropMessage(r, i)),
        (0usize..2, PICK..PICK + 64).prop_map(|(r, i)| Msg::DelayMessage(r, i)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Step then step back returns every run to the same event and state — alone and side by
    /// side.
    #[test]
    fn step_then_step_back_is_the_identity(msgs in prop::collection::vec(reader_msg(), 0..12), side: bool) {
        let mut p = Page::open(if side { "?scenario=bank&side=1&t=0" } else { "?scenario=bank&t=0" });
        for m in msgs {
            p.send(m);
        }
        let before = p.frame().0;
        let finished = p.lab.finished();
        p.send(Msg::Step);
        if finished {
            // Nothing left to step (the step changes nothing; step back would go one back).
            prop_assert_eq!(p.frame().0, before);
        } else {
            prop_assert_ne!(&p.frame().0, &before, "a step moves a run");
            p.send(Msg::StepBack);
            prop_assert_eq!(p.frame().0, before);
        }
    }

    /// A reader's message that changes the page changes `beyond_clock` too (the panels that
    /// redraw only on it never miss a change that is not the clock's).
    #[test]
    fn every_change_but_the_clock_moves_beyond_clock(msgs in prop::collection::vec(reader_msg(), 1..16)) {
        let mut p = Page::open("?scenario=bank&t=0");
        for m in msgs {
            let (version, beyond) = (p.lab.version, p.lab.beyond_clock);
            p.send(m.clone());
            if p.lab.version != version {
                prop_assert_ne!(p.lab.beyond_clock, beyond, "{:?}", m);
            }
        }
    }

    /// Every link the model writes reopens the same frame (each run at the same event, with the
    /// same trace) and stays within the limits a link is read with.
    #[test]
    fn every_link_written_reopens_the_same_frame(msgs in prop::collection::vec(reader_msg(), 0..16), side: bool) {
        let mut p = Page::open(if side { "?scenario=bank&side=1&t=0" } else { "?scenario=bank&t=0" });
        for m in msgs {
            p.send(m);
        }
        p.send(Msg::Pause);
        let link = address(&p.lab);
        prop_assert!(link.len() <= caplab::app::link::MAX_LINK_BYTES);
        let again = Page::open(&link);
        prop_assert_eq!(again.lab.notice.clone(), None, "link {}", link);
        prop_assert_eq!(again.frame(), p.frame(), "link {}", link);
    }

    /// Every request the reader sends gets an answer on the stage (ok, refused or timed out),
    /// even one sent at the very end of the run: the run goes on until it is answered. (The
    /// built-in clients' traffic is off, so every op in the history is the reader's.)
    #[test]
    fn every_request_sent_gets_an_outcome(msgs in prop::collection::vec(reader_msg(), 0..12), at_end: bool) {
        let mut p = Page::open("?scenario=bank&workload=0&t=0");
        if at_end {
            let end = p.lab.end_tick();
            p.send(Msg::Seek(end));
        }
        for m in msgs {
            p.send(m);
        }
        p.play_out(2_000);
        prop_assert!(!p.lab.playing, "the run ends");
        for r in &p.lab.runs {
            let t = r.timeline.borrow();
            for op in t.sim().history() {
                prop_assert!(op.outcome().is_some(), "op {} has no answer at the end", op.id);
            }
        }
    }
}

/// Which way each direction of a link is, in the first run.
fn modes(lab: &Lab, a: u8, b: u8) -> (LinkMode, LinkMode) {
    let t = lab.runs[0].timeline.borrow();
    (t.sim().link(a, b).mode, t.sim().link(b, a).mode)
}

#[test]
fn clicking_or_cycling_a_link_returns_it_to_up() {
    let up = (LinkMode::Up, LinkMode::Up);
    for (a, b) in [(0, 1), (1, 2), (2, 0)] {
        let mut p = Page::open("?scenario=bank&t=100");
        p.send(Msg::ToggleLink(a, b));
        assert_eq!(modes(&p.lab, a, b), (LinkMode::Cut, LinkMode::Cut));
        p.send(Msg::ToggleLink(a, b));
        assert_eq!(modes(&p.lab, a, b), up);
        let mut seen = Vec::new();
        for _ in 0..3 {
            p.send(Msg::CycleOneWay(a, b));
            seen.push(modes(&p.lab, a, b));
        }
        let expected = vec![
            (LinkMode::Cut, LinkMode::Up),
            (LinkMode::Up, LinkMode::Cut),
            up,
        ];
        assert_eq!(seen, expected, "a→b blocked, then b→a, then up");
    }
}

/// The dials (the clock's digits, the scrubber, the history's clock line) and the panels keyed
/// on them: while the page plays at any speed, they move on at most one frame in ten of 16 ms
/// at 1× (every `DIAL_MS` of wall time, or each `1/DIAL_STEPS` of the run), never lag the clock
/// by more than that, and move on the frame that pauses, to exactly the clock.
#[test]
fn while_playing_the_dials_move_five_times_a_second_and_stand_at_the_clock_when_paused() {
    use caplab::app::still;
    for speed in caplab::app::lab::SPEEDS {
        let mut p = Page::open("?scenario=bank&seed=3");
        p.send(Msg::SetSpeed(speed));
        assert!(p.lab.playing);
        let (mut moves, mut frames) = (0, 0);
        let mut last = still::dials(&p.lab);
        while p.lab.playing && frames < 300 {
            p.send(Msg::Frame);
            frames += 1;
            let now = still::dials(&p.lab);
            moves += usize::from(now != last);
            last = now;
            let lag = p.lab.clock - p.lab.dial();
            let end = p.lab.end_tick() as f64;
            let most =
                (caplab::app::lab::DIAL_MS + 16.0) * speed * caplab::app::lab::TICKS_PER_MS_AT_1X;
            assert!(
                lag >= 0.0 && lag <= most.max(end / caplab::app::lab::DIAL_STEPS + 16.0 * speed),
                "speed {speed}: the dials lag by {lag} ticks"
            );
        }
        if speed <= 1.0 {
            assert!(
                moves * 10 <= frames,
                "speed {speed}: the dials moved on {moves} of {frames} frames"
            );
        }
        assert!(moves > 0, "speed {speed}: the dials never moved");
        if p.lab.playing {
            p.send(Msg::Pause);
        }
        assert_eq!(
            p.lab.dial(),
            p.lab.clock,
            "paused (speed {speed}), the dials are at the clock"
        );
        assert_ne!(still::dials(&p.lab), last, "the pause redraws the panels");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    /// On a browser that cannot keep up the stage's text follows the dials: after 20 frames at
    /// least 30 ms apart (under 34 fps) it does, and the dials move every 0.4–1 s (about four
    /// times as long as their frame takes), never lagging the clock by more. Its frames without
    /// text then come on time, which alone does not count as caught up: only frames at most
    /// 16.7 ms apart (60 fps) for longer than the dials' period, dials' frames included, do,
    /// whatever came before. Never while paused.
    #[test]
    fn the_stage_follows_the_dials_only_while_frames_come_late(
        before in proptest::collection::vec(1.0f64..400.0, 0..40),
        late in 30.0f64..400.0,
        on_time in 1.0f64..16.7,
    ) {
        let mut p = Page::open("?scenario=crowd");
        prop_assert!(p.lab.playing && !p.lab.stage_follows_dials());
        let frames = |p: &mut Page, gaps: &mut dyn Iterator<Item = f64>| {
            for gap in gaps {
                if !p.lab.playing {
                    p.send(Msg::Play);
                }
                p.now_ms += gap - 16.0;
                p.send(Msg::Frame);
            }
        };
        frames(&mut p, &mut before.iter().copied());
        frames(&mut p, &mut std::iter::repeat_n(late, 20));
        prop_assert!(p.lab.stage_follows_dials(), "frames {late} ms apart: {:?}", p.lab.pace);
        // The dials move every 0.4–1 s and lag the clock by no more; once every dials' frame
        // has taken `late` ms for a while, about every four times that.
        let slowest = caplab::app::lab::SLOWEST_DIAL_MS;
        prop_assert!((400.0..=slowest).contains(&p.lab.pace.dial_ms()), "{:?}", p.lab.pace);
        let lag = p.lab.clock - p.lab.dial();
        let most = (slowest + late.min(100.0)) * caplab::app::lab::TICKS_PER_MS_AT_1X;
        prop_assert!((0.0..=most).contains(&lag), "the dials lag by {lag} ticks");
        frames(&mut p, &mut std::iter::repeat_n(late, 150));
        let period = (4.0 * late).clamp(400.0, slowest);
        let off = (p.lab.pace.dial_ms() - period).abs() / period;
        prop_assert!(off < 0.1, "dials every {} ms, not {period}", p.lab.pace.dial_ms());
        // Cheap frames between the dials' do not catch up while the dials' last frame was
        // late; a second of frames on time, the dials' included, does.
        let n = ((caplab::app::lab::SLOWEST_DIAL_MS + 100.0) / on_time).ceil() as usize;
        for _ in 0..n {
            frames(&mut p, &mut std::iter::once(on_time));
            if p.lab.pace.last_dial_ms >= caplab::app::lab::CAUGHT_UP_MS {
                prop_assert!(p.lab.stage_follows_dials(), "caught up before the dials did: {:?}", p.lab.pace);
            }
        }
        prop_assert!(!p.lab.stage_follows_dials(), "frames {on_time} ms apart: {:?}", p.lab.pace);
        frames(&mut p, &mut std::iter::repeat_n(late, 20));
        p.send(Msg::Pause);
        prop_assert!(!p.lab.stage_follows_dials(), "paused");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    /// "Watch it happen" plays a lesson's run fast (a step's moments in about 3 s): on a browser
    /// that cannot keep up, its dials still move only at the pace's period (≥ 0.4 s of wall
    /// time), however far the clock goes in between; the watch ends exactly at the step.
    #[test]
    fn a_late_browser_watching_a_lesson_moves_the_dials_at_the_pace(
        pick in any::<prop::sample::Index>(),
        gap in 21.0f64..200.0,
    ) {
        let watches: Vec<(Rc<caplab::lessons::Lesson>, usize)> = catalog()
            .into_iter()
            .map(Rc::new)
            .flat_map(|l| (1..l.steps.len()).map(move |i| (l.clone(), i)))
            .collect();
        let (lesson, step) = watches[pick.index(watches.len())].clone();
        let mut lab = Lab::for_lesson(lesson.clone(), step, Default::default());
        let end = lab.clock;
        let mut now = 0.0;
        update(&mut lab, Msg::Lesson(LessonMsg::Watch), now);
        let mut moved_at: Option<f64> = None;
        let mut frames = 0;
        while lab.playing && frames < 2_000 {
            let read = lab.dialed.1;
            now += gap;
            update(&mut lab, Msg::Frame, now);
            frames += 1;
            if lab.dialed.1 != read && lab.playing && lab.pace.behind {
                if let Some(at) = moved_at {
                    prop_assert!(
                        now - at >= 400.0 - 1e-9,
                        "{} step {step}, frames {gap} ms apart: the dials moved {} ms after the last move",
                        lesson.id, now - at
                    );
                }
                moved_at = Some(now);
            }
        }
        prop_assert!(!lab.playing, "{} step {step}: the watch ends", lesson.id);
        prop_assert_eq!((lab.clock, lab.dial()), (end, end), "{} step {}: at the step", lesson.id, step);
    }
}

/// A second "watch it happen", long after the first, starts from its own first frame: the time
/// the reader spent reading is not a slow frame (which would jump the clock and count the
/// browser as behind).
#[test]
fn a_watch_after_a_long_read_starts_on_time() {
    let lesson = Rc::new(lesson("cp-vs-ap"));
    let mut lab = Lab::for_lesson(lesson, 2, Default::default());
    let mut now = 0.0;
    for _ in 0..2 {
        update(&mut lab, Msg::Lesson(LessonMsg::Watch), now);
        let from = lab.clock;
        now += 16.0;
        update(&mut lab, Msg::Frame, now);
        let most = 16.0 * lab.speed * caplab::app::lab::TICKS_PER_MS_AT_1X;
        assert!(
            lab.clock - from <= most + 1e-9 && !lab.pace.behind,
            "the first frame moved the clock {} ticks (at most {most}); {:?}",
            lab.clock - from,
            lab.pace
        );
        while lab.playing {
            now += 16.0;
            update(&mut lab, Msg::Frame, now);
        }
        now += 30_000.0;
    }
}

/// Escape closes the node menu, then what the reader looks inside, then nothing more.
#[test]
fn escape_closes_the_menu_then_the_inspector_then_changes_nothing() {
    use caplab::app::inspect::Target;
    let mut p = Page::open("?scenario=bank&t=500");
    p.send(Msg::Inspect(0, Target::Node(1)));
    p.send(Msg::OpenMenuOn(0, 2));
    assert!(p.lab.menu.is_some() && p.lab.inspecting.is_some());
    p.send(Msg::Escape);
    assert!(
        p.lab.menu.is_none() && p.lab.inspecting.is_some(),
        "the menu closes first"
    );
    p.send(Msg::Escape);
    assert!(p.lab.inspecting.is_none(), "then the inspector");
    let version = p.lab.version;
    p.send(Msg::Escape);
    assert_eq!(
        p.lab.version, version,
        "with nothing open, Escape changes nothing"
    );
}

#[test]
fn a_frame_that_only_moves_the_clock_leaves_beyond_clock() {
    let mut p = Page::open("?scenario=bank");
    assert!(p.lab.playing);
    p.send(Msg::Frame);
    let (clock, beyond) = (p.lab.clock, p.lab.beyond_clock);
    for _ in 0..30 {
        p.send(Msg::Frame);
    }
    assert!(p.lab.clock > clock, "the frames moved the clock");
    assert_eq!(
        p.lab.beyond_clock, beyond,
        "frames of play moved only the clock"
    );
    p.send(Msg::Pause);
    assert_ne!(p.lab.beyond_clock, beyond, "a pause is not the clock's");
    // The frame that ends the run stops the page: the transport's button changes.
    p.send(Msg::Play);
    let beyond = p.lab.beyond_clock;
    while p.lab.playing {
        p.send(Msg::Frame);
        p.now_ms += 1000.0;
    }
    assert_ne!(
        p.lab.beyond_clock, beyond,
        "the end of the run is not only the clock's"
    );
}

#[test]
fn changing_a_dial_keeps_the_page_playing_or_paused() {
    let mut p = Page::open("?scenario=bank");
    assert!(p.lab.playing, "a link without a tick opens playing");
    for m in [
        Msg::SetMode(Mode::Ap),
        Msg::SetSeed(7),
        Msg::SetConflict(caplab::sim::types::Conflict::Lww),
        Msg::SetSide(true),
    ] {
        p.send(m.clone());
        assert!(p.lab.playing, "{m:?} stopped the run");
        assert_eq!(p.lab.sign(), None);
    }
    p.send(Msg::Pause);
    p.send(Msg::SetMode(Mode::Cp));
    assert!(!p.lab.playing);
    assert_eq!(
        p.lab.sign(),
        Some(Sign::Paused { waiting: 0 }),
        "the stage says it is paused"
    );
}

#[test]
fn a_request_at_the_end_is_answered_and_play_then_replays() {
    let mut p = Page::open("?scenario=bank&faults=0&workload=0&t=0");
    let end = p.lab.end_tick();
    p.send(Msg::Seek(end));
    assert_eq!(p.lab.sign(), Some(Sign::Ended));
    p.send(Msg::Request {
        client: 0,
        kind: OpKind::Withdraw,
    });
    assert_eq!(p.lab.sign(), Some(Sign::Paused { waiting: 1 }));
    p.play_out(500);
    let t = p.lab.runs[0].timeline.borrow();
    let op = t
        .sim()
        .history()
        .last()
        .expect("the request is in the history");
    assert!(op.outcome().is_some(), "answered after the scripted end");
    assert!(t.sim().now() > end, "the run went on past its scripted end");
    drop(t);
    assert_eq!(p.lab.sign(), Some(Sign::Ended));
    p.send(Msg::Play);
    assert!(p.lab.playing, "Play at the end plays again");
    assert!(p.lab.clock < 1.0, "from the start");
}

#[test]
fn a_lesson_walk_forward_and_back_is_reversible() {
    for lesson in catalog() {
        let lesson = Rc::new(lesson);
        let count = lesson.steps.len();
        let mut lab = Lab::for_lesson(lesson.clone(), 0, Default::default());
        let at = |lab: &Lab| {
            let s = lab.lesson.as_ref().expect("a lesson page");
            (
                s.step,
                lab.clock.floor() as u64,
                lab.runs[0].timeline.borrow().events(),
            )
        };
        let mut forward = vec![at(&lab)];
        for i in 1..count {
            update(&mut lab, Msg::Lesson(LessonMsg::Guess(None)), 0.0);
            update(&mut lab, Msg::Lesson(LessonMsg::Next), 0.0);
            forward.push(at(&lab));
            assert_eq!(forward[i].0, i, "{}: Next moves one step", lesson.id);
        }
        for i in (0..count).rev() {
            assert_eq!(
                at(&lab),
                forward[i],
                "{}: Back retraces step {i}",
                lesson.id
            );
            update(&mut lab, Msg::Lesson(LessonMsg::Back), 0.0);
        }
    }
}

#[test]
fn next_on_an_unanswered_question_reveals_it_first() {
    let lesson = catalog()
        .into_iter()
        .find(|l| l.steps.iter().any(|s| s.predict.is_some()))
        .expect("a lesson asks a question");
    let q = lesson
        .steps
        .iter()
        .position(|s| s.predict.is_some())
        .expect("asks");
    let mut lab = Lab::for_lesson(Rc::new(lesson), q, Default::default());
    update(&mut lab, Msg::Lesson(LessonMsg::Next), 0.0);
    let s = lab.lesson.as_ref().expect("lesson");
    assert_eq!(
        (s.step, s.revealed),
        (q, true),
        "revealed, still on the question"
    );
    assert!(lab.playing, "the reveal plays the stage on to the answer");
    update(&mut lab, Msg::Lesson(LessonMsg::Next), 0.0);
    assert_eq!(lab.lesson.as_ref().map(|s| s.step), Some(q + 1));
}

/// Plays frames (50 ms apart) until the page stops playing; the number of frames.
fn play_out(lab: &mut Lab) -> usize {
    let mut frames = 0;
    while lab.playing && frames < 10_000 {
        frames += 1;
        update(lab, Msg::Frame, frames as f64 * 50.0);
    }
    frames
}

/// A guess plays the stage from the step's moment on to the tick that decides the answer,
/// stopping exactly there, and only then is the answer shown; every question of every lesson.
#[test]
fn a_guess_plays_the_stage_on_to_the_moment_that_answers_it() {
    use caplab::lessons::prediction;
    use caplab::sim::world::Sim;
    for lesson in catalog() {
        let lesson = Rc::new(lesson);
        for (i, step) in lesson.steps.iter().enumerate() {
            if step.predict.is_none() {
                continue;
            }
            let at = format!("{} step {}", lesson.id, i + 1);
            let mut lab = Lab::for_lesson(lesson.clone(), i, Default::default());
            let answer = {
                let t = lab
                    .runs
                    .iter()
                    .map(|r| r.timeline.borrow())
                    .collect::<Vec<_>>();
                let sims: Vec<&Sim> = t.iter().map(|t| t.sim()).collect();
                prediction(&lesson, i, &sims).expect("asks")
            };
            let to = answer.tick.expect("decided");
            let guess = answer.options.last().cloned();
            update(&mut lab, Msg::Lesson(LessonMsg::Guess(guess.clone())), 0.0);
            let s = lab.lesson.as_ref().expect("lesson");
            assert!(
                lab.playing && s.revealed && !s.answer_shown(),
                "{at}: plays first"
            );
            assert_eq!(
                lab.clock, step.at_tick as f64,
                "{at}: from the step's moment"
            );
            assert!(play_out(&mut lab) > 0, "{at}");
            let s = lab.lesson.as_ref().expect("lesson");
            assert!(s.answer_shown(), "{at}: then the answer shows");
            assert_eq!(lab.clock, to as f64, "{at}: stops at the answer's tick");
            assert!(lab.runs[0].timeline.borrow().sim().now() <= to, "{at}");
            assert_eq!(s.score(), (usize::from(guess == answer.answer), 1), "{at}");
        }
    }
}

/// The score counts the questions answered in the visit; the last step is remembered once.
#[test]
fn answers_are_scored_for_the_visit_and_a_finished_lesson_is_remembered_once() {
    use caplab::app::Effect;
    let lesson = Rc::new(lesson("quorum"));
    let asks: Vec<usize> = (0..lesson.steps.len())
        .filter(|i| lesson.steps[*i].predict.is_some())
        .collect();
    assert!(asks.len() >= 2, "quorum asks twice");
    let mut lab = Lab::for_lesson(lesson.clone(), 0, Default::default());
    let mut remembered = Vec::new();
    for i in 0..lesson.steps.len() {
        if asks.contains(&i) {
            // The stale question's answer is "yes"; the R=2 read's is "refused": one right.
            let g = if i == asks[0] { "yes" } else { "ok" };
            update(&mut lab, Msg::Lesson(LessonMsg::Guess(Some(g.into()))), 0.0);
        }
        let fx = update(&mut lab, Msg::Lesson(LessonMsg::Next), 0.0);
        remembered.extend(fx.into_iter().filter(|e| matches!(e, Effect::Remember(_))));
    }
    let s = lab.lesson.as_ref().expect("lesson");
    assert_eq!(s.step + 1, lesson.steps.len());
    assert_eq!(s.score(), (1, 2));
    assert_eq!(remembered, vec![Effect::Remember("quorum")]);
    update(&mut lab, Msg::Lesson(LessonMsg::Restore), 0.0);
    assert_eq!(
        lab.lesson.as_ref().map(|s| s.score()),
        Some((1, 2)),
        "kept on restore"
    );
    let fx = update(&mut lab, Msg::Lesson(LessonMsg::Back), 0.0);
    let fx2 = update(&mut lab, Msg::Lesson(LessonMsg::Next), 0.0);
    assert!(
        !fx.iter()
            .chain(&fx2)
            .any(|e| matches!(e, Effect::Remember(_))),
        "once"
    );
    // The landing page reads what the browser kept: known lessons only, in reading order.
    let mut landing = Lab::live();
    update(
        &mut landing,
        Msg::Finished("quorum, nope,intro".into()),
        0.0,
    );
    assert_eq!(landing.finished, vec!["intro", "quorum"]);
}

#[test]
fn copying_asks_the_browser_and_a_refusal_offers_the_link_by_hand() {
    use caplab::app::share::{CopyWhat, Done, Export, PRESS_COPY};
    use caplab::app::Effect;
    let mut p = Page::open("?scenario=bank&t=300");
    update(
        &mut p.lab,
        Msg::Opened("https://example.org/caplab/".into()),
        0.0,
    );
    let fx = update(&mut p.lab, Msg::Copy(CopyWhat::Link), 0.0);
    let Some(Effect::Copy { text, .. }) = fx.iter().find(|e| matches!(e, Effect::Copy { .. }))
    else {
        panic!("no copy asked for: {fx:?}");
    };
    assert!(
        text.starts_with("https://example.org/caplab/?scenario=bank"),
        "{text}"
    );
    let fx = update(
        &mut p.lab,
        Msg::Done(Done::Copied(CopyWhat::Link, false)),
        0.0,
    );
    assert!(fx.contains(&Effect::Select("copy-fallback")), "{fx:?}");
    assert_eq!(p.lab.sharing.status.as_deref(), Some(PRESS_COPY));
    assert_eq!(p.lab.manual_link(), Some(text.as_str()));
    // Moving on makes the hand-copy link stale: it is no longer offered.
    update(&mut p.lab, Msg::Step, 0.0);
    assert_eq!(p.lab.manual_link(), None);
    let fx = update(&mut p.lab, Msg::Export(Export::Json), 0.0);
    let Some(Effect::Download { text, name, .. }) = fx.first() else {
        panic!("no download asked for: {fx:?}");
    };
    assert!(
        name.starts_with("caplab-bank-") && name.ends_with("-history.json"),
        "{name}"
    );
    let json: serde_json::Value = serde_json::from_str(text).expect("the history file is JSON");
    assert!(
        json.get("ops").is_some() || json.get("history").is_some(),
        "a history: {json}"
    );
}

/// Looking inside a node reads the run at the frame shown: a leader's term, log and commit as
/// the node holds them.
#[test]
fn looking_inside_a_node_reads_the_run() {
    use caplab::app::inspect::{panel, Target};
    use caplab::sim::proto::inside::Inside;
    use caplab::sim::types::Role;
    let mut p = Page::open("?scenario=bank&side=1&t=1500");
    let s = p.lab.runs[0].timeline.borrow().sim().clone();
    let leader = (0..3)
        .find(|n| s.view(*n).role == Role::Leader)
        .expect("a CP leader at 1.5 s");
    p.send(Msg::Inspect(0, Target::Node(leader)));
    assert_eq!(
        p.lab.inspecting.map(|i| i.target),
        Some(Target::Node(leader))
    );
    let Inside::Cp(c) = s.inside(leader) else {
        panic!("run 0 is CP")
    };
    let shown = panel(&s, Target::Node(leader));
    let term = format!("term {}", c.term);
    assert!(
        shown.title.contains("leader") && shown.title.contains(&term),
        "{}",
        shown.title
    );
    let commit = shown
        .rows
        .iter()
        .find(|(l, _)| l == "Commit")
        .expect("a commit row");
    assert!(
        commit
            .1
            .contains(&format!("#{} of {}", c.commit, c.log_len)),
        "{commit:?}"
    );
    p.send(Msg::Inspect(0, Target::Node(leader)));
    assert_eq!(p.lab.inspecting, None, "the same again closes it");
}

/// A message's route and contents; opening it pauses the page; a delay moves exactly its
/// arrival; dropping it kills exactly it, in its run only, and the panel says it is gone.
#[test]
fn looking_inside_a_message_then_delaying_and_dropping_it() {
    use caplab::app::inspect::{panel, Target, DELAY_TICKS};
    let mut p = Page::open("?scenario=bank&side=1&t=1500");
    let sim = |p: &Page| p.lab.runs[0].timeline.borrow().sim().clone();
    p.send(Msg::Play);
    while sim(&p).in_flight().iter().all(|f| f.from == f.to) {
        p.send(Msg::Frame);
    }
    let s = sim(&p);
    let f = s.in_flight().into_iter().find(|f| f.from != f.to).unwrap();
    p.send(Msg::Inspect(0, Target::Message(f.id)));
    assert!(!p.lab.playing, "opening a message pauses the page");
    let shown = panel(&s, Target::Message(f.id));
    let route = format!("n{} → n{}", f.from + 1, f.to + 1);
    assert!(shown.on_its_way && shown.rows.contains(&("Route".to_string(), route)));
    let other_run = p.lab.runs[1].timeline.borrow().sim().in_flight().len();
    p.send(Msg::DelayMessage(0, f.id));
    assert_eq!(p.lab.notice, None);
    let later = sim(&p).in_flight().into_iter().find(|g| g.id == f.id);
    assert_eq!(later.map(|g| g.deliver), Some(f.deliver + DELAY_TICKS));
    p.send(Msg::DropMessage(0, f.id));
    let s = sim(&p);
    assert!(s.in_flight().iter().all(|g| g.id != f.id));
    assert!(
        !panel(&s, Target::Message(f.id)).on_its_way,
        "the panel says it is gone"
    );
    let now_other = p.lab.runs[1].timeline.borrow().sim().in_flight().len();
    assert_eq!(now_other, other_run, "the other run is untouched");
    assert_eq!(p.lab.notice, None);
}

#[test]
fn the_embed_snippet_follows_the_dialog_and_reopens_its_frame() {
    use caplab::app::embed::{embed_link, offers, snippet, EmbedOpt};
    use caplab::app::link::{parse, Page as LinkPage};
    let mut p = Page::open("?scenario=bank&workload=0&faults=0&t=300");
    update(
        &mut p.lab,
        Msg::Opened("https://example.org/lab/".into()),
        0.0,
    );
    p.send(Msg::ToggleLink(0, 2));
    p.send(Msg::Seek(700));
    let fixed = snippet(&p.lab);
    assert!(
        fixed.starts_with("<iframe src=\"https://example.org/lab/?scenario=bank"),
        "{fixed}"
    );
    assert!(
        fixed.contains("&amp;t=700") && fixed.contains("width=\"800\""),
        "{fixed}"
    );
    // This moment: the link reopens the same frame, the reader's cut included.
    let moment = embed_link(&p.lab);
    let (q, f) = moment["https://example.org/lab/".len()..]
        .split_once('#')
        .unwrap();
    let again = Page::open(&format!("{q}#{f}"));
    assert_eq!(again.frame(), p.frame());
    assert!(again.lab.flags.embed && again.lab.notice.is_none());
    // From the beginning: no moment, the cut kept (it replays as the run plays).
    p.send(Msg::EmbedOption(EmbedOpt::FromStart(true)));
    let start = embed_link(&p.lab);
    assert!(!start.contains("t=") && start.contains('#'), "{start}");
    let (q, f) = start.split_once('?').unwrap().1.split_once('#').unwrap();
    let opened = Page::open(&format!("?{q}#{f}"));
    assert!(opened.lab.playing && opened.lab.clock == 0.0 && opened.lab.notice.is_none());
    // Responsive: a div that keeps the aspect ratio, no script; panels only when chosen.
    p.send(Msg::EmbedOption(EmbedOpt::Responsive(true)));
    let wide = snippet(&p.lab);
    assert!(
        wide.starts_with("<div style=\"width:100%;max-width:800px;aspect-ratio:800/500\"><iframe "),
        "{wide}"
    );
    assert!(
        !wide.contains("<script") && !wide.contains("panels="),
        "{wide}"
    );
    p.send(Msg::EmbedOption(EmbedOpt::Panel(0, true)));
    let (link, notes) = parse(lab_query(&embed_link(&p.lab)), "");
    let panels = link
        .flags
        .panels
        .expect("the chosen panels are in the link");
    assert!(panels.history && panels.cards && panels.controls && notes.is_empty());
    // A lesson: this step, or its first.
    let lesson = lesson("feed-ap");
    let mut lab = Lab::for_lesson(Rc::new(lesson), 3, Default::default());
    let at = |lab: &Lab| parse(lab_query(&embed_link(lab)), "").0.page;
    assert!(matches!(at(&lab), LinkPage::Lesson { step: 3, .. }));
    assert!(offers(&lab, 0) && !offers(&lab, 1) && offers(&p.lab, 1));
    update(&mut lab, Msg::EmbedOption(EmbedOpt::FromStart(true)), 0.0);
    assert!(matches!(at(&lab), LinkPage::Lesson { step: 0, .. }));
}

/// The query of an absolute link (from `?` to `#`).
fn lab_query(link: &str) -> &str {
    let q = link.find('?').map_or(link, |i| &link[i..]);
    q.split('#').next().unwrap_or(q)
}

/// A request near the end extends its run; the link of a frame past the scenario's end (in that
/// extension) reopens there, with no note (found by the link property test, side by side).
#[test]
fn a_frame_in_a_requests_extension_reopens_exactly() {
    let mut p = Page::open("?scenario=bank&side=1&t=0");
    p.send(Msg::Seek(7004));
    p.send(Msg::Request {
        client: 0,
        kind: OpKind::Read,
    });
    p.send(Msg::Seek(8001));
    p.send(Msg::Pause);
    let link = address(&p.lab);
    let again = Page::open(&link);
    assert_eq!(again.lab.notice, None, "link {link}");
    assert_eq!(again.frame(), p.frame(), "link {link}");
}
