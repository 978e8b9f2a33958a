//! Stale-read accounting: which acknowledged updates a read missed, and what it should have seen.

use super::model::State;
use super::types::{Case, OpId, OpKind, OpRecord, OpSet, Outcome, Value};
use crate::sim::sort;

/// For the read `read` that returned a value reflecting the update ops `seen`:
/// `missed` = the ops with outcome Ok that are updates, touch one of the read's keys, completed
/// strictly before the read was invoked, and are not in `seen`; if any, `fresh` = what the read
/// would return after applying (sequentially, from `initial`) every Ok update completed before the
/// read's invocation, in completion order. Returns `(missed, fresh)`; `fresh` is `None` when
/// nothing was missed.
pub fn staleness(
    case: Case,
    initial: &[i64],
    history: &[OpRecord],
    read: &OpRecord,
    seen: &OpSet,
) -> (Vec<OpId>, Option<Value>) {
    let read_keys = State::keys_of(case, &read.req);
    let mut before: Vec<&OpRecord> = history
        .iter()
        .filter(|r| r.outcome() == Some(Outcome::Ok) && r.req.kind.is_update())
        .filter(|r| r.completed_at().is_some_and(|c| c < read.invoke))
        .collect();
    // Cheap test first: most updates are in `seen`.
    let missed: Vec<OpId> = before
        .iter()
        .filter(|r| !seen.contains(r.id))
        .filter(|r| !overwritten_concurrently(history, seen, r))
        .filter(|r| {
            State::keys_of(case, &r.req)
                .iter()
                .any(|k| read_keys.contains(k))
        })
        .map(|r| r.id)
        .collect();
    if missed.is_empty() {
        return (missed, None);
    }
    // Posts and likes commute: when only they came before, their order cannot change `fresh`.
    if !before
        .iter()
        .all(|r| matches!(r.req.kind, OpKind::Post | OpKind::Like))
    {
        sort::sort_by_key(&mut before, |r| (r.completed_at(), r.id));
    }
    let mut state = State::new(case, initial);
    for r in before {
        // An update acknowledged by a weaker protocol may be refused by the sequential model
        // (e.g. an AP overdraft); the model then leaves the state unchanged.
        let _ = state.apply(&r.req);
    }
    (missed, Some(state.read(&read.req)))
}

/// A register write `w` that the read's value does not reflect is still not missed when the value
/// comes from a write that did not finish before `w` began: the two were concurrent, so some
/// linearization puts `w` first and the read is fresh. (Deltas — deposits, likes, posts — have
/// no such excuse: every acknowledged one must be reflected.)
fn overwritten_concurrently(history: &[OpRecord], seen: &OpSet, w: &OpRecord) -> bool {
    if w.req.kind != OpKind::Write {
        return false;
    }
    seen.iter()
        .filter_map(|id| history.get(id as usize))
        .any(|s| {
            s.id != w.id
                && s.req.kind == OpKind::Write
                && s.req.key == w.req.key
                && s.completed_at().is_none_or(|c| c >= w.invoke)
        })
}

/// An update that may have left its version on some replicas only: it got neither `Ok` nor a
/// refusal (a refusal wrote nothing) — it timed out, or is still pending.
pub fn failed_part_way(op: &OpRecord) -> bool {
    op.req.kind.is_update() && matches!(op.outcome(), None | Some(Outcome::Timeout))
}

/// Whether two ops ran at the same time: each began before the other ended (an op with no reply
/// yet has not ended).
pub fn overlap(a: &OpRecord, b: &OpRecord) -> bool {
    let end = |o: &OpRecord| o.completed_at().unwrap_or(u64::MAX);
    a.invoke <= end(b) && b.invoke <= end(a)
}

/// Whether `a` and `b` touch a common key.
pub fn share_a_key(case: Case, a: &OpRecord, b: &OpRecord) -> bool {
    let ka = State::keys_of(case, &a.req);
    State::keys_of(case, &b.req).iter().any(|k| ka.contains(k))
}

/// Why read `read` could miss the acknowledged update `missed` under strict quorums with
/// R + W > N, if it could: another update of a key `missed` touches, begun before the read
/// ended, that failed part-way or ran at the same time as `missed`. (Every read quorum meets a
/// replica that confirmed `missed`; what it finds there is `missed`'s version or a newer one, and
/// a newer one lacks `missed` only if it came from an update that read the key before `missed`
/// landed — one that overlapped it, or one that failed part-way.) Returns that update's id.
pub fn quorum_excuse(
    case: Case,
    history: &[OpRecord],
    read: &OpRecord,
    missed: &OpRecord,
) -> Option<OpId> {
    let read_end = read.completed_at().unwrap_or(u64::MAX);
    history
        .iter()
        .filter(|o| o.id != missed.id && o.req.kind.is_update() && o.invoke < read_end)
        .filter(|o| !matches!(o.outcome(), Some(Outcome::Refused(_))))
        .filter(|o| share_a_key(case, o, missed))
        .find(|o| failed_part_way(o) || overlap(o, missed))
        .map(|o| o.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::types::{Completion, Consistency, Request};

    fn rec(
        id: OpId,
        kind: OpKind,
        key: u8,
        arg: i64,
        invoke: u64,
        complete: Option<u64>,
        ok: bool,
    ) -> OpRecord {
        OpRecord {
            id,
            client: 0,
            node: 0,
            req: Request {
                kind,
                key,
                key2: 1,
                arg,
                consistency: Consistency::Default,
            },
            invoke,
            completion: complete.map(|at| {
                Completion::without_value(at, if ok { Outcome::Ok } else { Outcome::Timeout })
            }),
            missed: Vec::new(),
            fresh: None,
        }
    }

    #[test]
    fn missed_and_fresh_follow_the_definition() {
        let h = vec![
            rec(0, OpKind::Deposit, 0, 10, 0, Some(5), true), // seen
            rec(1, OpKind::Withdraw, 0, 30, 6, Some(20), true), // missed
            rec(2, OpKind::Deposit, 1, 7, 6, Some(9), true),  // other key: not missed, not read
            rec(3, OpKind::Deposit, 0, 1000, 6, Some(10), false), // timed out: ignored
            rec(4, OpKind::Deposit, 0, 5, 40, Some(60), true), // completes after the read began
            rec(5, OpKind::Deposit, 0, 2, 8, Some(12), true), // missed
        ];
        let read = rec(6, OpKind::Read, 0, 0, 50, Some(70), true);
        let mut seen = OpSet::new();
        seen.insert(0);
        let (missed, fresh) = staleness(Case::Bank, &[100, 0], &h, &read, &seen);
        assert_eq!(missed, vec![1, 5]);
        // 100 + 10 (op0, t5) + 2 (op5, t12) - 30 (op1, t20) = 82
        assert_eq!(fresh, Some(Value::Int(82)));
        seen.insert(1);
        seen.insert(5);
        assert_eq!(
            staleness(Case::Bank, &[100, 0], &h, &read, &seen),
            (vec![], None)
        );
    }

    #[test]
    fn a_feed_read_covers_posts_and_likes() {
        let h = vec![
            rec(0, OpKind::Like, 1, 0, 0, Some(3), true),
            rec(1, OpKind::Post, 0, 9, 0, Some(4), true),
        ];
        let read = rec(2, OpKind::Read, 0, 0, 10, None, true);
        let mut seen = OpSet::new();
        seen.insert(1);
        let (missed, fresh) = staleness(Case::Feed, &[], &h, &read, &seen);
        assert_eq!(missed, vec![0]);
        assert_eq!(
            fresh,
            Some(Value::Feed {
                posts: vec![9],
                likes: 1
            })
        );
    }
}

#[cfg(test)]
mod register_tests {
    use super::*;
    use crate::sim::types::{Completion, Consistency, Request};

    fn write(id: OpId, arg: i64, invoke: u64, complete: u64) -> OpRecord {
        OpRecord {
            id,
            client: id as u8,
            node: 0,
            req: Request {
                kind: OpKind::Write,
                key: 0,
                key2: 0,
                arg,
                consistency: Consistency::Default,
            },
            invoke,
            completion: Some(Completion::ok(complete, None)),
            missed: Vec::new(),
            fresh: None,
        }
    }

    #[test]
    fn a_register_write_overwritten_by_a_concurrent_one_is_not_missed() {
        let h = vec![write(0, 1, 0, 10), write(1, 2, 5, 20)];
        let mut read = write(2, 0, 30, 40);
        read.req.kind = OpKind::Read;
        let mut seen = OpSet::new();
        seen.insert(1); // the value is op 1's; op 0 overlapped it
        assert_eq!(
            staleness(Case::Register, &[], &h, &read, &seen),
            (vec![], None)
        );
    }

    #[test]
    fn a_register_write_that_strictly_followed_the_value_is_missed() {
        let h = vec![write(0, 1, 0, 10), write(1, 2, 15, 20)];
        let mut read = write(2, 0, 30, 40);
        read.req.kind = OpKind::Read;
        let mut seen = OpSet::new();
        seen.insert(0); // op 1 began after op 0 finished: the read should have seen 2
        assert_eq!(
            staleness(Case::Register, &[], &h, &read, &seen),
            (vec![1], Some(Value::Int(2)))
        );
    }
}
