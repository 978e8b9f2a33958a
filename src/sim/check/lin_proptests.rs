//! Property tests of the linearizability checker: histories of a single copy are linearizable;
//! corrupting one read is caught.

use proptest::prelude::*;

use super::*;
use crate::sim::check::testutil::set_value;
use crate::sim::types::{Completion, Consistency, NodeId};

/// One generated op: (kind selector, key, arg, time before its point, time after it,
/// fate: 0-7 ok, 8 timed out with effect, 9 timed out without, 10 refused for no quorum).
type Gen = (u8, u8, i64, u64, u64, u8);

fn history(case: Case, gens: &[Gen]) -> Vec<OpRecord> {
    let mut state = State::new(case, &[30, 10]);
    let kinds = case.op_kinds();
    let n_keys = case.keys().len() as u8;
    let mut ops = Vec::new();
    for (i, (k, key, arg, before, after, fate)) in gens.iter().enumerate() {
        let kind = kinds[*k as usize % kinds.len()];
        let key = key % n_keys;
        let req = Request {
            kind,
            key,
            key2: (key + 1) % n_keys,
            arg: *arg,
            consistency: Consistency::Default,
        };
        // Points are 10 ticks apart; intervals around them overlap and nest.
        let point = 10 * i as u64 + 100;
        let (invoke, complete) = (point - before, point + after);
        let (outcome, value) = match fate {
            8 | 9 if kind.is_update() => {
                if *fate == 8 {
                    let _ = state.apply(&req);
                }
                (Outcome::Timeout, None)
            }
            10 => (
                Outcome::Refused(Reason::NoQuorum {
                    reached: 1,
                    needed: 2,
                    total: 3,
                }),
                None,
            ),
            _ => match state.apply(&req) {
                Ok(v) => (Outcome::Ok, v),
                Err(r) => (Outcome::Refused(r), None),
            },
        };
        ops.push(OpRecord {
            id: 0,
            client: i as u8 % 18,
            node: (i % 3) as NodeId,
            req,
            invoke,
            completion: Completion::new(complete, outcome, value),
            missed: Vec::new(),
            fresh: None,
        });
    }
    ops.sort_by_key(|o| o.invoke);
    for (i, o) in ops.iter_mut().enumerate() {
        o.id = i as OpId;
    }
    ops
}

fn read_id(ops: &[OpRecord]) -> OpId {
    ops.iter()
        .find(|o| o.value() == Some(&Value::Int(-999_999)))
        .map_or(OpId::MAX, |o| o.id)
}

fn gen() -> impl Strategy<Value = Gen> {
    (0u8..8, 0u8..4, 1i64..25, 0u64..60, 0u64..60, 0u8..11)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn histories_run_against_the_model_are_linearizable(
        case in prop_oneof![Just(Case::Bank), Just(Case::Feed), Just(Case::Register)],
        gens in proptest::collection::vec(gen(), 0..40),
    ) {
        let ops = history(case, &gens);
        let r = check(case, &[30, 10], &ops, 1_000_000);
        prop_assert_eq!(r.verdict, Some(true), "{:?}", r);
        // And the checker is not vacuous: a read of a value no op could produce fails.
        let mut bad = ops;
        if let Some(read) = bad.iter_mut().find(|o| o.value().is_some()) {
            set_value(read, Some(Value::Int(-999_999)));
            let r = check(case, &[30, 10], &bad, 1_000_000);
            prop_assert_eq!(r.verdict, Some(false));
            prop_assert!(r.counterexample.contains(&read_id(&bad)));
        }
    }
}

/// The plain Wing–Gong–Lowe search, without symmetry pruning nor read blocks.
fn check_plain(case: Case, ops: &[OpRecord], budget: u64) -> Option<bool> {
    let mut search = Search::new(case, &[30, 10], ops);
    search.symmetry = false;
    search.step(budget).and_then(|r| r.verdict)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// The pruned search and the plain one agree, on linearizable histories and on ones where
    /// some reads returned another read's value (often not linearizable).
    #[test]
    fn pruned_and_plain_searches_agree(
        case in prop_oneof![Just(Case::Bank), Just(Case::Feed), Just(Case::Register)],
        gens in proptest::collection::vec(gen(), 0..24),
        swaps in proptest::collection::vec((0usize..24, 0usize..24), 0..3),
    ) {
        let mut ops = history(case, &gens);
        let reads: Vec<usize> = (0..ops.len()).filter(|i| ops[*i].value().is_some()).collect();
        for (a, b) in swaps {
            if reads.len() > 1 {
                let (a, b) = (reads[a % reads.len()], reads[b % reads.len()]);
                let (va, vb) = (ops[a].value().cloned(), ops[b].value().cloned());
                set_value(&mut ops[a], vb);
                set_value(&mut ops[b], va);
            }
        }
        if let Some(plain) = check_plain(case, &ops, 200_000) {
            let pruned = check(case, &[30, 10], &ops, 200_000);
            prop_assert_eq!(pruned.verdict, Some(plain), "{:?}", pruned);
        }
    }
}
