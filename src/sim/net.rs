//! The network as data (turmoil style): one [`LinkState`] per ordered pair of nodes.
//!
//! A message's fate is decided in two places: loss when it is sent (a lost message still travels,
//! drawn as doomed, and dies on arrival), and the link's mode when it is DELIVERED — so cutting a
//! link kills the messages already on it ("they die on the cut"), and holding a link parks
//! arriving messages until it is released.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::action::Action;
use super::types::{NodeId, Tick};

/// Whether a one-way link carries messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkMode {
    /// Messages are delivered.
    Up,
    /// Messages arriving while cut are dropped.
    Cut,
    /// Messages arriving while held wait until the link is released (or healed).
    Held,
}

/// One direction of the link between two nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkState {
    pub mode: LinkMode,
    /// Fixed part of the one-way latency.
    pub base_ticks: Tick,
    /// Uniform extra latency in `0..=jitter_ticks`, drawn per message.
    pub jitter_ticks: Tick,
    /// Probability, in 1/1000, that a message sent on this link is lost.
    pub loss_per_mille: u16,
}

impl LinkState {
    /// True when messages arriving now would be delivered.
    pub fn is_up(&self) -> bool {
        self.mode == LinkMode::Up
    }
}

/// The state of the link pair a–b as one value: what the stage draws and what a click on the
/// link acts on. Built from the two directions' [`LinkMode`]s by [`PairState::of`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PairState {
    /// Both directions carry messages.
    Up,
    /// Both directions drop messages.
    Cut,
    /// Messages `from → to` are dropped (that direction is cut); `to → from` carries messages.
    OneWay { from: NodeId, to: NodeId },
    /// At least one direction is held: messages on it wait until it is released or healed.
    /// Held wins in a mixed pair (held one way, cut or up the other), since the parked messages
    /// are what a heal sets going again.
    Held,
}

impl PairState {
    /// The state of the pair `a`–`b` whose direction `a → b` is in mode `ab` and `b → a` in `ba`.
    /// Symmetric: `of(a, b, ab, ba) == of(b, a, ba, ab)`.
    pub fn of(a: NodeId, b: NodeId, ab: LinkMode, ba: LinkMode) -> PairState {
        match (ab, ba) {
            (LinkMode::Held, _) | (_, LinkMode::Held) => PairState::Held,
            (LinkMode::Up, LinkMode::Up) => PairState::Up,
            (LinkMode::Cut, LinkMode::Cut) => PairState::Cut,
            (LinkMode::Cut, LinkMode::Up) => PairState::OneWay { from: a, to: b },
            (LinkMode::Up, LinkMode::Cut) => PairState::OneWay { from: b, to: a },
        }
    }
}

/// What a plain click on the link `a`–`b` does: an up pair is cut both ways; any other state
/// (cut, one-way, held) is healed both ways.
pub fn click_actions(a: NodeId, b: NodeId, state: PairState) -> Vec<Action> {
    match state {
        PairState::Up => vec![Action::CutBoth { a, b }],
        _ => vec![Action::Heal { a, b }],
    }
}

/// What a shift-click on the link `a`–`b` does: it cycles up → `a → b` cut → `b → a` cut → up.
/// A pair in any other state (cut both ways, held) is healed, so at most three shift-clicks
/// bring any pair back up. The middle step is two inputs (heal, then cut the other way), as
/// the page has always recorded it, so links shared before replay the same.
pub fn shift_click_actions(a: NodeId, b: NodeId, state: PairState) -> Vec<Action> {
    match state {
        PairState::Up => vec![Action::Cut { from: a, to: b }],
        PairState::OneWay { from, to } if (from, to) == (a, b) => {
            vec![Action::Heal { a, b }, Action::Cut { from: b, to: a }]
        }
        _ => vec![Action::Heal { a, b }],
    }
}

/// All links of a cluster of `n` nodes. Self-links (a→a) are always up and take 1 tick.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Net {
    nodes: u8,
    links: Vec<LinkState>,
}

impl Net {
    /// A fully connected network where every link has the same latency and no loss.
    pub fn new(nodes: u8, base_ticks: Tick, jitter_ticks: Tick) -> Net {
        let link = LinkState {
            mode: LinkMode::Up,
            base_ticks,
            jitter_ticks,
            loss_per_mille: 0,
        };
        let n = usize::from(nodes);
        let mut net = Net {
            nodes,
            links: vec![link; n * n],
        };
        for a in 0..nodes {
            // A node's message to itself is local: the minimum latency, never cut.
            let i = net.index(a, a);
            net.links[i].base_ticks = 0;
            net.links[i].jitter_ticks = 0;
        }
        net
    }

    /// Number of nodes.
    pub fn nodes(&self) -> u8 {
        self.nodes
    }

    fn index(&self, from: NodeId, to: NodeId) -> usize {
        assert!(
            from < self.nodes && to < self.nodes,
            "link {from}->{to} out of range"
        );
        usize::from(from) * usize::from(self.nodes) + usize::from(to)
    }

    /// The state of the one-way link `from → to`.
    pub fn link(&self, from: NodeId, to: NodeId) -> &LinkState {
        &self.links[self.index(from, to)]
    }

    fn set_mode(&mut self, from: NodeId, to: NodeId, mode: LinkMode) {
        if from != to {
            let i = self.index(from, to);
            self.links[i].mode = mode;
        }
    }

    /// The state of the pair `a`–`b` (see [`PairState`]); a node's link to itself is up.
    pub fn pair(&self, a: NodeId, b: NodeId) -> PairState {
        PairState::of(a, b, self.link(a, b).mode, self.link(b, a).mode)
    }

    /// True when every link between two different nodes is up (no cut, no hold).
    pub fn all_up(&self) -> bool {
        self.links.iter().all(LinkState::is_up)
    }

    /// Cuts `from → to` only (an asymmetric fault).
    pub fn cut(&mut self, from: NodeId, to: NodeId) {
        self.set_mode(from, to, LinkMode::Cut);
    }

    /// Cuts both directions between `a` and `b`.
    pub fn cut_both(&mut self, a: NodeId, b: NodeId) {
        self.cut(a, b);
        self.cut(b, a);
    }

    /// Cuts every link between nodes on different sides (both ways). Nodes on no side are left
    /// as they are.
    pub fn partition(&mut self, sides: &[Vec<NodeId>]) {
        for (i, side) in sides.iter().enumerate() {
            for other in &sides[i + 1..] {
                for &a in side {
                    for &b in other {
                        self.cut_both(a, b);
                    }
                }
            }
        }
    }

    /// Cuts every link to and from `node`.
    pub fn isolate(&mut self, node: NodeId) {
        for other in 0..self.nodes {
            self.cut_both(node, other);
        }
    }

    /// Restores both directions between `a` and `b` (also releases held links).
    pub fn heal(&mut self, a: NodeId, b: NodeId) {
        self.set_mode(a, b, LinkMode::Up);
        self.set_mode(b, a, LinkMode::Up);
    }

    /// Restores every link.
    pub fn heal_all(&mut self) {
        for l in &mut self.links {
            l.mode = LinkMode::Up;
        }
    }

    /// Holds `from → to`: arriving messages wait until release.
    pub fn hold(&mut self, from: NodeId, to: NodeId) {
        self.set_mode(from, to, LinkMode::Held);
    }

    /// Releases a held `from → to` (a cut link stays cut).
    pub fn release(&mut self, from: NodeId, to: NodeId) {
        if self.link(from, to).mode == LinkMode::Held {
            self.set_mode(from, to, LinkMode::Up);
        }
    }

    /// Sets the latency of both directions between `a` and `b` (not `a` to itself).
    pub fn set_latency(&mut self, a: NodeId, b: NodeId, base_ticks: Tick, jitter_ticks: Tick) {
        if a == b {
            return;
        }
        for (x, y) in [(a, b), (b, a)] {
            let i = self.index(x, y);
            self.links[i].base_ticks = base_ticks;
            self.links[i].jitter_ticks = jitter_ticks;
        }
    }

    /// Sets the loss probability of both directions between `a` and `b` (not `a` to itself).
    pub fn set_loss(&mut self, a: NodeId, b: NodeId, per_mille: u16) {
        assert!(per_mille <= 1000, "loss is in 1/1000");
        if a == b {
            return;
        }
        for (x, y) in [(a, b), (b, a)] {
            let i = self.index(x, y);
            self.links[i].loss_per_mille = per_mille;
        }
    }

    /// Draws a message's one-way latency (at least 1 tick) and whether it is lost.
    /// Always draws the same number of random values, so loss settings do not shift later draws.
    pub fn draw(&self, rng: &mut ChaCha8Rng, from: NodeId, to: NodeId) -> (Tick, bool) {
        let l = self.link(from, to);
        let jitter = rng.random_range(0..=l.jitter_ticks);
        let roll: u16 = rng.random_range(0..1000);
        let latency = l.base_ticks.saturating_add(jitter).max(1);
        (latency, roll < l.loss_per_mille)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_cuts_only_between_sides_and_heal_all_restores() {
        let mut net = Net::new(4, 10, 0);
        net.partition(&[vec![0, 1], vec![2], vec![3]]);
        assert!(net.link(0, 1).is_up() && net.link(1, 0).is_up());
        for (a, b) in [(0, 2), (2, 0), (1, 3), (3, 2), (2, 3)] {
            assert_eq!(net.link(a, b).mode, LinkMode::Cut, "{a}->{b}");
        }
        net.heal(0, 2);
        assert!(net.link(0, 2).is_up() && net.link(2, 0).is_up());
        assert!(!net.link(1, 2).is_up());
        net.hold(1, 0);
        net.release(1, 2); // cut, not held: stays cut
        assert_eq!(net.link(1, 2).mode, LinkMode::Cut);
        assert!(!net.all_up());
        net.heal_all();
        assert!(net.all_up());
        assert!((0..4).all(|a| (0..4).all(|b| net.link(a, b).is_up())));
    }

    #[test]
    fn isolate_is_both_ways_and_self_link_stays_up() {
        let mut net = Net::new(3, 10, 0);
        net.isolate(2);
        assert!(!net.link(2, 0).is_up() && !net.link(0, 2).is_up());
        assert!(net.link(2, 2).is_up() && net.link(0, 1).is_up());
        net.set_loss(1, 1, 1000);
        let mut rng = <ChaCha8Rng as rand::SeedableRng>::seed_from_u64(1);
        assert_eq!(
            net.draw(&mut rng, 1, 1),
            (1, false),
            "local: 1 tick, never lost"
        );
    }
}
