//! The seeded random workload: a list of `(tick, client, request)` drawn from its own ChaCha8 rng,
//! so the same seed gives the same ops whatever the protocol does.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::types::{Case, ClientId, Consistency, OpKind, Request, Tick};
use crate::sim::sort;

/// Mixed into the scenario seed so the workload's draws differ from the engine's.
const WORKLOAD_SALT: u64 = 0x776f_726b_6c6f_6164; // "workload"

/// One kind of operation and how often it is drawn, relative to the others.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MixEntry {
    pub kind: OpKind,
    pub weight: u32,
}

/// What random traffic to generate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadSpec {
    /// How many requests to draw.
    pub ops: u32,
    /// Requests are sent at ticks drawn uniformly in `start_tick..=end_tick`.
    pub start_tick: Tick,
    pub end_tick: Tick,
    pub mix: Vec<MixEntry>,
    /// Deposit / withdraw / transfer amounts are drawn in `amount.0..=amount.1`.
    #[serde(default = "default_amount")]
    pub amount: (i64, i64),
    /// Which clients send (empty: all).
    #[serde(default)]
    pub clients: Vec<ClientId>,
    /// Consistency asked for by every drawn read.
    #[serde(default)]
    pub read_consistency: Consistency,
}

fn default_amount() -> (i64, i64) {
    (5, 40)
}

/// One drawn request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Planned {
    pub tick: Tick,
    pub client: ClientId,
    pub req: Request,
}

/// Draws the workload for `case` with `clients` clients from `seed`, sorted by tick (stable).
/// Post ids and written values are unique (1, 2, 3, …). The spec must be valid (see
/// `Scenario::validate`): weights sum > 0, kinds of `case`, amounts ordered, clients in range.
pub fn generate(spec: &WorkloadSpec, case: Case, clients: usize, seed: u64) -> Vec<Planned> {
    let total: u64 = spec.mix.iter().map(|m| u64::from(m.weight)).sum();
    let senders: Vec<ClientId> = if spec.clients.is_empty() {
        (0..clients).map(|c| c as ClientId).collect()
    } else {
        spec.clients.clone()
    };
    if total == 0 || senders.is_empty() || spec.start_tick > spec.end_tick {
        return Vec::new();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ WORKLOAD_SALT);
    let mut next_unique: i64 = 1;
    let mut out: Vec<Planned> = (0..spec.ops)
        .map(|_| {
            let tick = rng.random_range(spec.start_tick..=spec.end_tick);
            let client = senders[rng.random_range(0..senders.len())];
            let mut pick = rng.random_range(0..total);
            let kind = spec
                .mix
                .iter()
                .find(|m| {
                    let hit = pick < u64::from(m.weight);
                    pick = pick.saturating_sub(u64::from(m.weight));
                    hit
                })
                .map_or(OpKind::Read, |m| m.kind);
            let kind = if case.op_kinds().contains(&kind) {
                kind
            } else {
                OpKind::Read
            };
            let amount = rng.random_range(spec.amount.0..=spec.amount.1.max(spec.amount.0));
            let req = request(kind, amount, &mut next_unique, spec.read_consistency);
            Planned { tick, client, req }
        })
        .collect();
    sort_by_tick(&mut out);
    out
}

/// Sorts planned requests by tick, keeping the given order among equal ticks (the shared
/// stable sort, `sim::sort`).
pub fn sort_by_tick(v: &mut Vec<Planned>) {
    sort::sort_by_key(v, |p| p.tick);
}

fn request(kind: OpKind, amount: i64, next_unique: &mut i64, read: Consistency) -> Request {
    let (key, key2, arg) = match kind {
        OpKind::Read => (0, 0, 0),
        OpKind::Deposit | OpKind::Withdraw => (0, 0, amount),
        OpKind::Transfer => (0, 1, amount),
        OpKind::Like => (1, 1, 0),
        OpKind::Post | OpKind::Write => {
            let id = *next_unique;
            *next_unique += 1;
            (0, 0, id)
        }
    };
    let consistency = if kind == OpKind::Read {
        read
    } else {
        Consistency::Default
    };
    Request {
        kind,
        key,
        key2,
        arg,
        consistency,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> WorkloadSpec {
        WorkloadSpec {
            ops: 200,
            start_tick: 10,
            end_tick: 5000,
            mix: vec![
                MixEntry {
                    kind: OpKind::Post,
                    weight: 2,
                },
                MixEntry {
                    kind: OpKind::Like,
                    weight: 1,
                },
                MixEntry {
                    kind: OpKind::Read,
                    weight: 1,
                },
            ],
            amount: (5, 40),
            clients: vec![],
            read_consistency: Consistency::Default,
        }
    }

    #[test]
    fn same_seed_same_ops_unique_posts_sorted() {
        let a = generate(&spec(), Case::Feed, 3, 7);
        assert_eq!(a, generate(&spec(), Case::Feed, 3, 7));
        assert_ne!(a, generate(&spec(), Case::Feed, 3, 8));
        assert_eq!(a.len(), 200);
        assert!(a.windows(2).all(|w| w[0].tick <= w[1].tick));
        assert!(a
            .iter()
            .all(|p| (10..=5000).contains(&p.tick) && p.client < 3));
        let mut posts: Vec<i64> = a
            .iter()
            .filter(|p| p.req.kind == OpKind::Post)
            .map(|p| p.req.arg)
            .collect();
        let n = posts.len();
        assert!(
            n > 50,
            "weight 2 of 4 should draw about half posts, got {n}"
        );
        posts.sort_unstable();
        posts.dedup();
        assert_eq!(posts.len(), n, "post ids are unique");
    }

    #[test]
    fn bank_amounts_come_from_the_range() {
        let s = WorkloadSpec {
            mix: vec![
                MixEntry {
                    kind: OpKind::Withdraw,
                    weight: 1,
                },
                MixEntry {
                    kind: OpKind::Transfer,
                    weight: 1,
                },
            ],
            amount: (80, 90),
            clients: vec![1],
            ..spec()
        };
        let ops = generate(&s, Case::Bank, 2, 1);
        assert!(ops
            .iter()
            .all(|p| (80..=90).contains(&p.req.arg) && p.client == 1));
        assert!(ops
            .iter()
            .filter(|p| p.req.kind == OpKind::Transfer)
            .all(|p| p.req.key == 0 && p.req.key2 == 1));
    }
}
