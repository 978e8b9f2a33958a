//! Self-tests of the linearizability checker on hand-made histories.

use super::super::testutil::{ok, op, read, set_outcome, set_value};
use super::*;

const BUDGET: u64 = 100_000;

fn verdict(case: Case, initial: &[i64], ops: &[OpRecord]) -> LinResult {
    check(case, initial, ops, BUDGET)
}

#[test]
fn sequential_history_is_linearizable() {
    let ops = vec![
        ok(0, OpKind::Write, 1, 0, 2),
        read(1, 1, 3, 4),
        ok(2, OpKind::Write, 2, 5, 6),
        read(3, 2, 7, 8),
    ];
    let r = verdict(Case::Register, &[0], &ops);
    assert_eq!(r.verdict, Some(true));
    assert!(r.counterexample.is_empty());
    assert!(r.explored >= 4);
}

#[test]
fn concurrent_read_may_return_either_value() {
    for seen in [0, 1] {
        let ops = vec![ok(0, OpKind::Write, 1, 0, 10), read(1, seen, 2, 8)];
        assert_eq!(
            verdict(Case::Register, &[0], &ops).verdict,
            Some(true),
            "read {seen}"
        );
    }
    let ops = vec![ok(0, OpKind::Write, 1, 0, 10), read(1, 7, 2, 8)];
    assert_eq!(verdict(Case::Register, &[0], &ops).verdict, Some(false));
}

#[test]
fn stale_read_is_not_linearizable_and_explained() {
    // write 1 completes at 10; a read invoked at 20 still returns 0.
    let ops = vec![
        ok(0, OpKind::Write, 5, 0, 1),
        ok(1, OpKind::Write, 1, 2, 10),
        read(2, 5, 20, 30),
        read(3, 1, 31, 32),
    ];
    let r = verdict(Case::Register, &[0], &ops);
    assert_eq!(r.verdict, Some(false));
    assert_eq!(r.counterexample, vec![1, 2]);
}

#[test]
fn equal_ticks_count_as_concurrent() {
    // The write completes at tick 10 and the read starts at tick 10: either order is fine.
    let ops = vec![ok(0, OpKind::Write, 1, 0, 10), read(1, 0, 10, 12)];
    assert_eq!(verdict(Case::Register, &[0], &ops).verdict, Some(true));
}

#[test]
fn bank_double_spend_is_not_linearizable() {
    let ops = vec![
        ok(0, OpKind::Withdraw, 80, 0, 10),
        ok(1, OpKind::Withdraw, 80, 1, 9),
    ];
    let r = verdict(Case::Bank, &[100, 0], &ops);
    assert_eq!(r.verdict, Some(false));
    assert_eq!(r.counterexample, vec![0, 1]);
    // The same two, one refused for insufficient funds: fine (the model refuses it too).
    let mut fine = ops.clone();
    set_outcome(
        &mut fine[1],
        Outcome::Refused(Reason::InsufficientFunds { balance: 20 }),
    );
    assert_eq!(verdict(Case::Bank, &[100, 0], &fine).verdict, Some(true));
    // A refusal the model would not make (100 covers 30) is a violation.
    let mut wrong = fine.clone();
    wrong[1].req.arg = 10;
    let refused = wrong[1].outcome().expect("completed");
    set_outcome(&mut wrong[0], refused);
    wrong[0].req.arg = 30;
    assert_eq!(verdict(Case::Bank, &[100, 0], &wrong).verdict, Some(false));
}

#[test]
fn timed_out_write_may_or_may_not_take_effect() {
    let timeout = |id, arg, invoke| {
        op(
            id,
            9,
            OpKind::Write,
            0,
            arg,
            invoke,
            Some(invoke + 50),
            Some(Outcome::Timeout),
            None,
        )
    };
    // Its effect is seen long after the client gave up…
    let seen = vec![timeout(0, 7, 0), read(1, 0, 60, 61), read(2, 7, 100, 101)];
    assert_eq!(verdict(Case::Register, &[0], &seen).verdict, Some(true));
    // …or never.
    let never = vec![timeout(0, 7, 0), read(1, 0, 60, 61), read(2, 0, 100, 101)];
    assert_eq!(verdict(Case::Register, &[0], &never).verdict, Some(true));
    // But not before it was invoked.
    let early = vec![read(0, 7, 0, 1), timeout(1, 7, 5)];
    assert_eq!(verdict(Case::Register, &[0], &early).verdict, Some(false));
    // A pending write (no outcome yet) behaves the same; a timed-out read is dropped.
    let mut pending = seen.clone();
    pending[0].completion = None;
    pending.push(op(
        3,
        8,
        OpKind::Read,
        0,
        0,
        0,
        Some(9),
        Some(Outcome::Timeout),
        None,
    ));
    assert_eq!(verdict(Case::Register, &[0], &pending).verdict, Some(true));
}

#[test]
fn no_quorum_refusals_are_ignored() {
    let refused = Outcome::Refused(Reason::NoQuorum {
        reached: 1,
        needed: 2,
        total: 3,
    });
    let ops = vec![
        op(0, 0, OpKind::Write, 0, 9, 0, Some(1), Some(refused), None),
        read(1, 0, 2, 3),
    ];
    assert_eq!(verdict(Case::Register, &[0], &ops).verdict, Some(true));
    let mut applied = ops.clone();
    set_outcome(&mut applied[0], Outcome::Ok);
    assert_eq!(verdict(Case::Register, &[0], &applied).verdict, Some(false));
}

#[test]
fn independent_keys_are_checked_apart() {
    // Checking and savings never interact: two parts. Savings holds the violation.
    let mut ops = vec![
        ok(0, OpKind::Deposit, 10, 0, 1),
        ok(1, OpKind::Deposit, 5, 0, 1),
        read(2, 110, 2, 3),
        read(3, 0, 4, 5),
    ];
    ops[1].req.key = 1;
    ops[1].req.key2 = 1;
    ops[3].req.key = 1;
    ops[3].req.key2 = 1;
    assert_eq!(split(Case::Bank, &ops).len(), 2);
    let r = verdict(Case::Bank, &[100, 0], &ops);
    assert_eq!((r.verdict, r.counterexample), (Some(false), vec![1, 3]));
    // A transfer joins them into one part.
    ops.push(op(
        4,
        4,
        OpKind::Transfer,
        0,
        1,
        9,
        Some(10),
        Some(Outcome::Ok),
        None,
    ));
    assert_eq!(split(Case::Bank, &ops).len(), 1);
}

#[test]
fn feed_reads_see_posts_and_likes_together() {
    let feed = |posts: Vec<u32>, likes| Some(Value::Feed { posts, likes });
    let ops = vec![
        op(
            0,
            0,
            OpKind::Post,
            0,
            7,
            0,
            Some(2),
            Some(Outcome::Ok),
            None,
        ),
        op(
            1,
            1,
            OpKind::Like,
            1,
            0,
            0,
            Some(5),
            Some(Outcome::Ok),
            None,
        ),
        op(
            2,
            2,
            OpKind::Read,
            0,
            0,
            3,
            Some(4),
            Some(Outcome::Ok),
            feed(vec![7], 0),
        ),
        op(
            3,
            2,
            OpKind::Read,
            0,
            0,
            6,
            Some(7),
            Some(Outcome::Ok),
            feed(vec![7], 1),
        ),
    ];
    assert_eq!(verdict(Case::Feed, &[], &ops).verdict, Some(true));
    let mut lost_like = ops.clone();
    set_value(&mut lost_like[3], feed(vec![7], 0));
    // The like the read missed, the read, and the post it did see (last update of posts).
    let r = verdict(Case::Feed, &[], &lost_like);
    assert_eq!((r.verdict, r.counterexample), (Some(false), vec![0, 1, 3]));
    // Siblings are never what a single copy returns.
    let mut siblings = ops.clone();
    set_value(&mut siblings[3], Some(Value::Siblings(vec![Value::Int(1)])));
    assert_eq!(verdict(Case::Feed, &[], &siblings).verdict, Some(false));
}

#[test]
fn budget_exhaustion_is_unknown_and_invalid_ops_are_reported() {
    let ops: Vec<OpRecord> = (0..20)
        .map(|i| ok(i, OpKind::Write, i64::from(i), 0, 100))
        .collect();
    let mut with_read = ops.clone();
    with_read.push(read(20, 99, 200, 201)); // never written: forces the whole search.
    let r = check(Case::Register, &[0], &with_read, 1_000);
    assert_eq!((r.verdict, r.explored), (None, 1_000));
    let mut bad = ops;
    bad[3].req.kind = OpKind::Post;
    let r = check(Case::Register, &[0], &bad, BUDGET);
    assert_eq!((r.verdict, r.counterexample), (None, vec![3]));
    let overflow = vec![ok(0, OpKind::Withdraw, i64::MIN, 0, 1)];
    let r = check(Case::Bank, &[0, 0], &overflow, BUDGET);
    assert_eq!((r.verdict, r.counterexample), (None, vec![0]));
}

#[test]
fn bench_history_checks_fast_and_linearizable() {
    let (case, initial, ops) = super::super::bench::history_with_timeouts(2_000, 7, 5);
    assert_eq!(ops.len(), 2_000);
    assert!(ops.iter().any(|o| o.outcome() == Some(Outcome::Timeout)));
    let r = check(case, &initial, &ops, DEFAULT_BUDGET);
    assert_eq!(r.verdict, Some(true), "{r:?}");
    assert!(r.explored < 200_000, "explored {}", r.explored);
    // Corrupt one read: now it must fail.
    let mut bad = ops.clone();
    let i = bad
        .iter()
        .rposition(|o| o.req.kind == OpKind::Read && o.value().is_some());
    let i = i.expect("the bench has reads");
    if let Some(Value::Int(v)) = bad[i].value().cloned() {
        set_value(&mut bad[i], Some(Value::Int(v + 1_000_000)));
    }
    let r = check(case, &initial, &bad, DEFAULT_BUDGET);
    assert_eq!(r.verdict, Some(false));
    assert!(
        r.counterexample.contains(&(i as OpId)) && r.counterexample.len() <= 8,
        "{i} {r:?}"
    );
}

#[test]
#[ignore = "diagnostics"]
fn explored_by_size() {
    for (n, seed) in [(2000, 1), (4000, 1), (10_000, 1), (10_000, 2)] {
        for t in [0, 2, 5] {
            let (case, initial, ops) = super::super::bench::history_with_timeouts(n, seed, t);
            let r = check(case, &initial, &ops, 2_000_000);
            assert_ne!(r.verdict, Some(false), "n {n} seed {seed}");
            println!(
                "n {n} timeouts/1000 {t}: explored {} verdict {:?}",
                r.explored, r.verdict
            );
        }
    }
    let (case, initial, ops) = super::super::bench::register_history(10_000, 20, 7);
    let mut plain = Search::new(case, &initial, &ops);
    plain.symmetry = false;
    let pruned = check(case, &initial, &ops, 2_000_000);
    println!(
        "register 10 000 ops, 20 clients: plain {:?} pruned {:?} after {} steps",
        plain.step(2_000_000).map(|r| r.verdict),
        pruned.verdict,
        pruned.explored
    );
}

/// `n` concurrent likes acknowledged, `t` more timed out, then a feed read of `likes`.
fn likes_then_read(n: u32, t: u32, likes: i64) -> Vec<OpRecord> {
    let mut ops: Vec<OpRecord> = (0..n)
        .map(|i| {
            op(
                i,
                1,
                OpKind::Like,
                1,
                0,
                0,
                Some(100),
                Some(Outcome::Ok),
                None,
            )
        })
        .collect();
    ops.extend((n..n + t).map(|i| {
        op(
            i,
            2,
            OpKind::Like,
            1,
            0,
            1,
            Some(51),
            Some(Outcome::Timeout),
            None,
        )
    }));
    let feed = Value::Feed {
        posts: Vec::new(),
        likes,
    };
    let id = n + t;
    ops.push(op(
        id,
        3,
        OpKind::Read,
        0,
        0,
        50,
        Some(60),
        Some(Outcome::Ok),
        Some(feed),
    ));
    ops
}

#[test]
fn identical_ops_are_tried_once_not_in_every_order() {
    // 16 + 16 identical likes: the plain search tries every subset; pruned, a few hundred steps.
    for (likes, want) in [(20, Some(true)), (0, Some(true)), (33, Some(false))] {
        let ops = likes_then_read(16, 16, likes);
        let r = check(Case::Feed, &[], &ops, 5_000);
        assert_eq!(r.verdict, want, "likes {likes}: {r:?}");
    }
    let mut plain = Search::new(Case::Feed, &[], &likes_then_read(16, 16, 33));
    plain.symmetry = false;
    assert_eq!(
        plain.step(5_000),
        None,
        "the plain search needs more than 5 000 steps"
    );
}

#[test]
fn a_timed_out_write_is_placed_just_before_the_read_that_sees_it() {
    let timeout = |id, arg, invoke| {
        let outcome = Some(Outcome::Timeout);
        op(
            id,
            9,
            OpKind::Write,
            0,
            arg,
            invoke,
            Some(invoke + 50),
            outcome,
            None,
        )
    };
    // w(1) times out; w(2) completes; a read still sees 1: w(1) landed after w(2).
    let late = vec![
        timeout(0, 1, 0),
        ok(1, OpKind::Write, 2, 5, 10),
        read(2, 1, 20, 30),
    ];
    assert_eq!(verdict(Case::Register, &[0], &late).verdict, Some(true));
    // A read of 2 after that read of 1 needs w(2) after w(1): impossible, w(2) had returned.
    let mut stale = late.clone();
    stale.push(read(3, 2, 40, 45));
    let r = verdict(Case::Register, &[0], &stale);
    assert_eq!(
        (r.verdict, r.counterexample.contains(&3)),
        (Some(false), true)
    );
    // A timed-out post is needed by both reads; a read without it after one with it fails.
    let post = op(
        0,
        9,
        OpKind::Post,
        0,
        5,
        0,
        Some(50),
        Some(Outcome::Timeout),
        None,
    );
    let feed = |posts: Vec<u32>| Some(Value::Feed { posts, likes: 0 });
    let r1 = |id, posts, at| {
        op(
            id,
            1,
            OpKind::Read,
            0,
            0,
            at,
            Some(at + 5),
            Some(Outcome::Ok),
            feed(posts),
        )
    };
    let seen = vec![
        post.clone(),
        r1(1, vec![], 2),
        r1(2, vec![5], 10),
        r1(3, vec![5], 20),
    ];
    assert_eq!(verdict(Case::Feed, &[], &seen).verdict, Some(true));
    let unseen = vec![post, r1(1, vec![5], 10), r1(2, vec![], 20)];
    assert_eq!(verdict(Case::Feed, &[], &unseen).verdict, Some(false));
}

#[test]
fn a_search_resumed_in_slices_gives_the_same_answer() {
    let (case, initial, ops) = super::super::bench::history_with_timeouts(600, 3, 20);
    let mut bad = ops.clone();
    let i = bad
        .iter()
        .rposition(|o| o.value().is_some())
        .expect("a read");
    set_value(&mut bad[i], Some(Value::Int(-1)));
    for h in [&ops, &bad] {
        let whole = check(case, &initial, h, DEFAULT_BUDGET);
        assert!(whole.verdict.is_some(), "{whole:?}");
        let mut search = Search::new(case, &initial, h);
        let mut slices = 0;
        let sliced = loop {
            slices += 1;
            if let Some(r) = search.step(7) {
                break r;
            }
        };
        assert_eq!(sliced, whole);
        assert!(slices > 1 && search.step(7) == Some(sliced));
    }
}

#[test]
fn many_clients_unique_write_register_checks_fast() {
    let (case, initial, ops) = super::super::bench::register_history(2_000, 20, 5);
    assert!(ops.iter().any(|o| o.outcome() == Some(Outcome::Timeout)));
    let r = check(case, &initial, &ops, DEFAULT_BUDGET);
    assert_eq!(r.verdict, Some(true), "{r:?}");
    // A read moved to a value overwritten long before it: caught.
    let mut bad = ops;
    let i = bad
        .iter()
        .rposition(|o| o.value().is_some())
        .expect("a read");
    set_value(&mut bad[i], Some(Value::Int(1)));
    let r = check(case, &initial, &bad, DEFAULT_BUDGET);
    assert_eq!(r.verdict, Some(false), "{r:?}");
}
