//! Outcome counts, availability and latency.

use serde::Serialize;

use crate::sim::sort;
use crate::sim::types::{NodeId, OpRecord, Outcome, Reason, Tick};
use crate::sim::vecmap::VecMap;

/// Outcomes of the ops sent through one node.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeStats {
    pub node: NodeId,
    pub ok: u32,
    pub refused: u32,
    pub timeouts: u32,
    /// See [`Totals::availability`].
    pub availability: f64,
}

/// Outcome counts over a set of ops.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Totals {
    pub ok: u32,
    /// Every refusal (no quorum, insufficient funds).
    pub refused: u32,
    pub timeouts: u32,
    /// Refusals for insufficient funds: the system answered (it was available); the business
    /// rule said no.
    pub business_refusals: u32,
    /// Served / finished, where served = ok + business refusals: the share of finished requests
    /// the system answered for real (a refusal for lack of quorum or a timeout is the
    /// unavailability CAP speaks of). 1.0 when nothing finished.
    pub availability: f64,
}

impl Totals {
    fn add(&mut self, outcome: Option<Outcome>) {
        match outcome {
            Some(Outcome::Ok) => self.ok += 1,
            Some(Outcome::Refused(r)) => {
                self.refused += 1;
                if matches!(r, Reason::InsufficientFunds { .. }) {
                    self.business_refusals += 1;
                }
            }
            Some(Outcome::Timeout) => self.timeouts += 1,
            None => {}
        }
    }

    fn finish(mut self) -> Totals {
        let finished = u64::from(self.ok) + u64::from(self.refused) + u64::from(self.timeouts);
        let served = u64::from(self.ok) + u64::from(self.business_refusals);
        self.availability = if finished == 0 {
            1.0
        } else {
            served as f64 / finished as f64
        };
        assert!((0.0..=1.0).contains(&self.availability));
        self
    }
}

/// Outcome counts over the whole history (pending ops are not counted).
pub fn totals(ops: &[OpRecord]) -> Totals {
    let mut t = Totals::default();
    for o in ops {
        t.add(o.outcome());
    }
    t.finish()
}

/// Outcome counts per node the clients were attached to, by node id (only nodes that appear).
pub fn per_node(ops: &[OpRecord]) -> Vec<NodeStats> {
    let mut by_node: VecMap<NodeId, Totals> = VecMap::new();
    for o in ops {
        by_node.get_or_default(o.node).add(o.outcome());
    }
    by_node
        .into_iter()
        .map(|(node, t)| {
            let t = t.finish();
            NodeStats {
                node,
                ok: t.ok,
                refused: t.refused,
                timeouts: t.timeouts,
                availability: t.availability,
            }
        })
        .collect()
}

/// Nearest-rank p50 and p99 of `complete - invoke` over `Ok` ops; `None` without any.
pub fn latency(ops: &[OpRecord]) -> (Option<Tick>, Option<Tick>) {
    let mut lat: Vec<Tick> = ops
        .iter()
        .filter(|o| o.outcome() == Some(Outcome::Ok))
        .filter_map(|o| o.completed_at().map(|c| c.saturating_sub(o.invoke)))
        .collect();
    sort::sort(&mut lat);
    (nearest_rank(&lat, 50), nearest_rank(&lat, 99))
}

/// The nearest-rank percentile of sorted values: the value at rank `ceil(p/100 * n)`.
pub fn nearest_rank(sorted: &[Tick], percent: u32) -> Option<Tick> {
    assert!((1..=100).contains(&percent));
    if sorted.is_empty() {
        return None;
    }
    let rank = (sorted.len() * percent as usize).div_ceil(100);
    Some(sorted[rank.max(1) - 1])
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{ok, op};
    use super::*;
    use crate::sim::types::OpKind;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<Tick> = (1..=100).collect();
        assert_eq!(nearest_rank(&v, 50), Some(50));
        assert_eq!(nearest_rank(&v, 99), Some(99));
        assert_eq!(nearest_rank(&[7], 99), Some(7));
        assert_eq!(nearest_rank(&[1, 2, 3], 50), Some(2));
        assert_eq!(nearest_rank(&[], 50), None);
    }

    #[test]
    fn counts_availability_per_node_and_latency() {
        let no_quorum = Outcome::Refused(Reason::NoQuorum {
            reached: 1,
            needed: 2,
            total: 3,
        });
        let broke = Outcome::Refused(Reason::InsufficientFunds { balance: 0 });
        // Clients 0..=3 sit at nodes 0, 1, 2, 0 (client % 3).
        let ops = vec![
            ok(0, OpKind::Deposit, 5, 0, 4),
            op(
                1,
                1,
                OpKind::Deposit,
                0,
                5,
                0,
                Some(3),
                Some(no_quorum),
                None,
            ),
            op(2, 2, OpKind::Withdraw, 0, 9, 0, Some(2), Some(broke), None),
            op(
                3,
                3,
                OpKind::Deposit,
                0,
                5,
                0,
                Some(100),
                Some(Outcome::Timeout),
                None,
            ),
            op(4, 1, OpKind::Deposit, 0, 5, 5, None, None, None),
            ok(5, OpKind::Read, 0, 10, 30),
        ];
        let t = totals(&ops);
        assert_eq!((t.ok, t.refused, t.timeouts), (2, 2, 1));
        assert!((t.availability - 3.0 / 5.0).abs() < 1e-9);
        let nodes = per_node(&ops);
        assert_eq!(
            nodes.iter().map(|n| n.node).collect::<Vec<_>>(),
            vec![0, 1, 2]
        );
        assert_eq!((nodes[0].ok, nodes[0].timeouts), (1, 1));
        assert!((nodes[0].availability - 0.5).abs() < 1e-9);
        assert_eq!((nodes[1].refused, nodes[1].availability), (1, 0.0));
        assert_eq!((nodes[2].refused, nodes[2].availability), (1, 1.0));
        // Ok latencies: 4 and 20 (ids 0 and 5).
        assert_eq!(latency(&ops), (Some(4), Some(20)));
        assert_eq!(totals(&[]).availability, 1.0);
    }
}
