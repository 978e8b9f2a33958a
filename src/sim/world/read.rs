//! Read access to a run, for the UI and the checkers.

use super::{Client, Counters, Event, Packet, Sim};
use crate::sim::action::{Dropped, Flight, MsgId, SimError};
use crate::sim::net::{LinkMode, LinkState, PairState};
use crate::sim::proto::inside::Inside;
use crate::sim::proto::{Msg, NodeView, ProtoConfig};
use crate::sim::types::{NodeId, OpRecord, OpSet, Status, Tick};

impl Sim {
    /// The current tick (that of the last processed event).
    pub fn now(&self) -> Tick {
        self.now
    }
    /// The last tick the run may reach.
    pub fn end_tick(&self) -> Tick {
        self.end_tick
    }
    /// Tick of the next event, if any.
    pub fn next_tick(&self) -> Option<Tick> {
        self.queue.peek_tick()
    }
    /// Events processed so far.
    pub fn events_processed(&self) -> u64 {
        self.events
    }
    /// Every op so far, indexed by op id.
    pub fn history(&self) -> &[OpRecord] {
        &self.history
    }
    /// Number of nodes.
    pub fn node_count(&self) -> u8 {
        self.cfg.nodes
    }
    /// Whether `node` runs. Panics on a node out of range (use `node_count`).
    pub fn status(&self, node: NodeId) -> Status {
        self.slots[usize::from(node)].status
    }
    /// How many times `node` crashed.
    /// The tick `node`'s status last changed (crashed, paused, back up); 0 if it never did.
    pub fn status_since(&self, node: NodeId) -> Tick {
        self.slots[usize::from(node)].since
    }
    /// True when some fault was in place at some tick from `from` to `to` (both included).
    pub fn fault_during(&self, from: Tick, to: Tick) -> bool {
        self.fault_spans.iter().any(|(s, e)| *s <= to && from <= *e)
    }
    /// Bank: the account (key index) that first held [`Sim::min_balance`] on some replica.
    pub fn min_balance_key(&self) -> Option<u8> {
        self.min_balance_key
    }
    pub fn incarnation(&self, node: NodeId) -> u64 {
        self.slots[usize::from(node)].incarnation
    }
    /// Events waiting for a paused `node`.
    pub fn deferred_count(&self, node: NodeId) -> usize {
        self.slots[usize::from(node)].deferred.len()
    }
    /// What the UI may see of `node`.
    pub fn view(&self, node: NodeId) -> NodeView {
        self.slots[usize::from(node)].replica.view()
    }
    /// Writes `node` holds that are not settled yet (see `Replica::pending_writes`).
    pub fn pending_writes(&self, node: NodeId) -> u32 {
        self.slots[usize::from(node)].replica.pending_writes()
    }
    /// What `node`'s protocol holds, for a reader looking inside it.
    pub fn inside(&self, node: NodeId) -> Inside {
        self.slots[usize::from(node)].replica.inside()
    }
    /// Message `id` if it is still on its way (on the wire or held): where it goes and when,
    /// and its contents. One walk of the queue.
    pub fn flight(&self, id: MsgId) -> Option<(Flight, &Msg)> {
        let wire = self
            .queue
            .ordered()
            .into_iter()
            .find_map(|(deliver, e)| match e {
                Event::Deliver { packet, .. } if e.is_message_on_wire(id) => {
                    Some((self.flight_of(deliver, packet, false), &packet.msg))
                }
                _ => None,
            });
        wire.or_else(|| {
            self.parked
                .iter()
                .find(|(_, p)| p.id == id)
                .map(|(at, p)| (self.flight_of(*at, p, true), &p.msg))
        })
    }
    /// A message on its way as drawn: `deliver` is its arrival (held: when it reached the
    /// held link).
    fn flight_of(&self, deliver: Tick, p: &Packet, held: bool) -> Flight {
        Flight {
            id: p.id,
            from: p.from,
            to: p.to,
            kind: p.msg.kind(),
            sent: p.sent,
            deliver,
            doomed: p.lost || (!held && self.net.link(p.from, p.to).mode == LinkMode::Cut),
            held,
        }
    }
    /// The replicas `node` holds hints for (hinted handoff, AP only), each with how many, in
    /// node order.
    pub fn hint_targets(&self, node: NodeId) -> Vec<(NodeId, u32)> {
        self.slots[usize::from(node)].replica.hint_targets()
    }
    /// Whether `node` keeps a copy of `key` (quorum mode: it is one of the key's N replicas;
    /// a CA proxy keeps none). Panics on a node out of range.
    pub fn holds_key(&self, node: NodeId, key: u8) -> bool {
        self.slots[usize::from(node)].replica.holds_data() && self.cfg.holds(node, key)
    }
    /// The update ops `node`'s value of `key` reflects.
    pub fn replica_seen(&self, node: NodeId, key: u8) -> OpSet {
        self.slots[usize::from(node)].replica.seen(key)
    }
    /// The one-way link `from → to`.
    pub fn link(&self, from: NodeId, to: NodeId) -> &LinkState {
        self.net.link(from, to)
    }
    /// The state of the link pair `a`–`b` as one value (see [`PairState`]).
    pub fn pair(&self, a: NodeId, b: NodeId) -> PairState {
        self.net.pair(a, b)
    }
    /// Whether a message `a` sends to `b` now can reach it: both nodes up and the link `a → b`
    /// neither cut nor held (loss is a chance per message, not a state, so it does not count).
    pub fn reachable(&self, a: NodeId, b: NodeId) -> bool {
        self.status(a) == Status::Up && self.status(b) == Status::Up && self.net.link(a, b).is_up()
    }
    /// How many messages are on the wire or parked (the length of [`Sim::in_flight`], in O(1)).
    pub fn in_flight_count(&self) -> usize {
        self.in_flight
    }
    /// Events waiting in the queue (at most [`super::MAX_QUEUED`]).
    pub fn queued_events(&self) -> usize {
        self.queue.len()
    }
    /// Messages on the wire or parked on held links, in delivery order.
    pub fn in_flight(&self) -> Vec<Flight> {
        let on_wire = |e: &Event| matches!(e, Event::Deliver { arrived: false, .. });
        let mut v: Vec<Flight> = self
            .queue
            .ordered_where(&on_wire)
            .into_iter()
            .filter_map(|(deliver, e)| match e {
                Event::Deliver {
                    packet: p,
                    arrived: false,
                } => Some(self.flight_of(deliver, p, false)),
                _ => None,
            })
            .collect();
        v.extend(
            self.parked
                .iter()
                .map(|(at, p)| self.flight_of(*at, p, true)),
        );
        v
    }
    /// The last (at most [`RECENT_DROPS`]) messages that died, oldest first.
    pub fn recent_drops(&self) -> &[Dropped] {
        &self.drops
    }
    /// The clients.
    pub fn clients(&self) -> &[Client] {
        &self.clients
    }
    /// The protocol configuration.
    pub fn config(&self) -> &ProtoConfig {
        &self.cfg
    }
    /// FNV-1a hash folded over every processed event (and applied action).
    pub fn trace_hash(&self) -> u64 {
        self.trace
    }
    /// Running totals.
    pub fn counters(&self) -> Counters {
        self.counters
    }
    /// Why the run stopped early, if it did.
    pub fn error(&self) -> Option<&SimError> {
        self.error.as_ref()
    }
    /// Bank: the lowest balance any replica's view held at any point (after a handler ran).
    pub fn min_balance(&self) -> Option<i64> {
        self.min_balance
    }
    /// Tick of the last heal / recover / resume / release (`None`: no fault ended yet).
    pub fn last_fault_end(&self) -> Option<Tick> {
        self.last_fault_end
    }
    /// First tick after the last fault end since which, for every key, all up replicas of the
    /// key hold equal values.
    pub fn converged_at(&self) -> Option<Tick> {
        self.equal_since
            .map(|t| self.last_fault_end.map_or(t, |end| t.max(end)))
    }
    /// True while some fault is in place: a node not up, or a link cut or held.
    pub fn faults_active(&self) -> bool {
        !self.net.all_up() || self.slots.iter().any(|s| s.status != Status::Up)
    }
    /// True when, for every key, all up replicas of the key hold equal values now.
    pub fn converged_now(&self) -> bool {
        self.equal_since.is_some()
    }
}
