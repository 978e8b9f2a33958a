//! The requests a reader sends by hand (a click on a client's button): their default amounts,
//! the consistency level each kind of request can use, and the values and post ids they carry.
//!
//! These are domain decisions, so they live here and not in the page: the page only says which
//! client, which kind, the amount typed (if any) and the level chosen on the client's card.

use super::types::{Case, Consistency, OpKind, Request};
use super::world::Sim;

/// A deposit the reader did not give an amount for.
pub const DEFAULT_DEPOSIT: i64 = 20;
/// A withdrawal the reader did not give an amount for: more than half of a fresh balance of
/// 100, so two of them at once can overdraw an account that only one of them should.
pub const DEFAULT_WITHDRAWAL: i64 = 80;
/// Largest amount a reader can type.
pub const MAX_AMOUNT: i64 = 1_000_000;

/// What the reader asked for on a client's card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ask {
    pub kind: OpKind,
    /// The amount typed; `None` (or 0): the default for the kind.
    pub amount: Option<i64>,
    /// The level chosen on the card (it applies only to the kinds that can use it).
    pub level: Consistency,
}

/// The request a live demo shows best in each case (the `1` … `9` keys): a withdrawal (two at
/// once can overdraw), a like (concurrent likes can be lost), a write.
pub fn demo_kind(case: Case) -> OpKind {
    match case {
        Case::Bank => OpKind::Withdraw,
        Case::Feed => OpKind::Like,
        Case::Register => OpKind::Write,
    }
}

/// The amount a deposit or a withdrawal of `amount` (as typed) moves.
pub fn amount_of(kind: OpKind, amount: Option<i64>) -> i64 {
    let typed = amount.filter(|a| *a > 0).map(|a| a.min(MAX_AMOUNT));
    match kind {
        OpKind::Deposit => typed.unwrap_or(DEFAULT_DEPOSIT),
        OpKind::Withdraw => typed.unwrap_or(DEFAULT_WITHDRAWAL),
        _ => 0,
    }
}

/// The level a request of `kind` uses when the card says `chosen`: reads can ask for a strong or
/// an eventual read, updates for a quorum write; any other pair is the mode's default.
pub fn level_for(kind: OpKind, chosen: Consistency) -> Consistency {
    match (kind, chosen) {
        (OpKind::Read, Consistency::Strong | Consistency::Eventual) => chosen,
        (k, Consistency::Quorum) if k.is_update() => chosen,
        _ => Consistency::Default,
    }
}

/// The request a reader's click sends in `sim` now. Register writes and posts carry a value
/// no earlier request of the run carried (the op's own number, from 1), so every write can be
/// told apart in the history and no two posts share an id.
pub fn request(sim: &Sim, ask: Ask) -> Request {
    let fresh = sim.history().len() as i64 + 1;
    let arg = match ask.kind {
        OpKind::Deposit | OpKind::Withdraw => amount_of(ask.kind, ask.amount),
        OpKind::Write => fresh + unique_floor(sim, OpKind::Write),
        OpKind::Post => fresh + unique_floor(sim, OpKind::Post),
        _ => 0,
    };
    Request::simple(ask.kind, arg, level_for(ask.kind, ask.level))
}

/// The largest value an earlier request of `kind` carried (scripted traffic may use any), so
/// that `floor + op number` is larger than every one of them.
fn unique_floor(sim: &Sim, kind: OpKind) -> i64 {
    sim.history()
        .iter()
        .filter(|o| o.req.kind == kind)
        .map(|o| o.req.arg)
        .max()
        .unwrap_or(0)
        .max(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::action::Action;
    use crate::sim::scenario::Scenario;

    fn ask(kind: OpKind) -> Ask {
        Ask {
            kind,
            amount: None,
            level: Consistency::Default,
        }
    }

    #[test]
    fn amounts_default_and_are_clamped() {
        assert_eq!(amount_of(OpKind::Deposit, None), DEFAULT_DEPOSIT);
        assert_eq!(amount_of(OpKind::Withdraw, Some(0)), DEFAULT_WITHDRAWAL);
        assert_eq!(amount_of(OpKind::Withdraw, Some(35)), 35);
        assert_eq!(amount_of(OpKind::Deposit, Some(i64::MAX)), MAX_AMOUNT);
        assert_eq!(amount_of(OpKind::Read, Some(35)), 0);
    }

    #[test]
    fn levels_apply_only_where_they_mean_something() {
        assert_eq!(
            level_for(OpKind::Read, Consistency::Strong),
            Consistency::Strong
        );
        assert_eq!(
            level_for(OpKind::Read, Consistency::Quorum),
            Consistency::Default
        );
        assert_eq!(
            level_for(OpKind::Like, Consistency::Quorum),
            Consistency::Quorum
        );
        assert_eq!(
            level_for(OpKind::Like, Consistency::Eventual),
            Consistency::Default
        );
    }

    #[test]
    fn posts_sent_at_the_same_tick_get_different_ids() {
        let s = Scenario::builtin("feed").expect("built-in");
        let mut sim = s.build().expect("builds");
        sim.run_until(400);
        let mut ids = Vec::new();
        for client in 0..sim.clients().len() as u8 {
            if sim.clients()[usize::from(client)].pending.is_some() {
                continue;
            }
            let req = request(&sim, ask(OpKind::Post));
            ids.push(req.arg);
            sim.apply(Action::Request { client, req }).expect("applies");
        }
        assert!(ids.len() >= 2, "two idle clients post at the same tick");
        let earlier: Vec<i64> = sim
            .history()
            .iter()
            .filter(|o| o.req.kind == OpKind::Post)
            .map(|o| o.req.arg)
            .collect();
        let mut unique = earlier.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), earlier.len(), "post ids {earlier:?} repeat");
    }
}
