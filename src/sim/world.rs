//! The engine: [`Sim`] runs any protocol's nodes over a simulated network, one event at a time.
//!
//! A `Sim` is plain data (Clone): the UI snapshots it for time travel. Everything that happens
//! goes through one queue ordered by `(tick, insertion order)`, and all randomness comes from one
//! ChaCha8 rng seeded by the scenario: the same inputs give the same run, event for event.

use std::collections::VecDeque;

mod actions;
mod observe;
mod read;
#[cfg(test)]
mod tests;

use observe::action_code;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::action::{Action, DropCause, Dropped, SimError, StepInfo, StepKind, MAX_LATENCY_TICKS};
use super::net::{LinkMode, Net};
use super::proto::{Ctx, Effect, Msg, Out, ProtoConfig, Replica, Timer};
use super::queue::Queue;
use super::stale::staleness;
use super::types::{
    Case, Completion, NodeId, OpId, OpRecord, OpSet, Outcome, Status, Tick, Value, MAX_CLIENTS,
    MAX_EVENTS, MAX_IN_FLIGHT, MAX_NODES, MAX_OPS, MAX_TICKS,
};

/// Client ↔ node latency, one way (client links are never cut).
pub const DEFAULT_CLIENT_LATENCY_TICKS: Tick = 2;
/// How long a client waits for a reply before recording `Timeout`.
pub const DEFAULT_CLIENT_TIMEOUT_TICKS: Tick = 1000;
/// How many recent drops [`Sim::recent_drops`] keeps.
pub const RECENT_DROPS: usize = 64;
/// Events waiting at once (messages, timers, client events, scheduled actions).
pub const MAX_QUEUED: usize = MAX_IN_FLIGHT + 4 * MAX_OPS + 1024;

/// How to start a run besides the protocol configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimOptions {
    pub seed: u64,
    /// The run stops before any event later than this.
    pub end_tick: Tick,
    /// Clients: a name and the node each is attached to.
    pub clients: Vec<(String, NodeId)>,
    pub latency_base_ticks: Tick,
    pub latency_jitter_ticks: Tick,
    pub client_latency_ticks: Tick,
    pub client_timeout_ticks: Tick,
    /// Events the run may process before it stops with `SimError::EventBudget` (at most
    /// `MAX_EVENTS`).
    pub event_budget: u64,
}

impl SimOptions {
    /// Defaults: latency 10 ± 5 ticks, client latency 2, client timeout 1000, no clients.
    pub fn new(seed: u64, end_tick: Tick) -> SimOptions {
        SimOptions {
            seed,
            end_tick,
            clients: Vec::new(),
            latency_base_ticks: 10,
            latency_jitter_ticks: 5,
            client_latency_ticks: DEFAULT_CLIENT_LATENCY_TICKS,
            client_timeout_ticks: DEFAULT_CLIENT_TIMEOUT_TICKS,
            event_budget: MAX_EVENTS,
        }
    }
}

/// A client: a name, its node, and the op it waits for (at most one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Client {
    pub name: String,
    pub node: NodeId,
    pub pending: Option<OpId>,
}

/// Running totals of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    pub messages_sent: u64,
    pub messages_delivered: u64,
    pub messages_dropped: u64,
    pub handler_calls: u64,
    /// Scheduled actions that could not run (a busy client, the op limit).
    pub skipped_actions: u64,
}

#[derive(Clone, Debug)]
struct Packet {
    /// The message's number in the run ([`crate::sim::action::MsgId`]).
    id: u64,
    from: NodeId,
    to: NodeId,
    msg: Msg,
    sent: Tick,
    lost: bool,
}

#[derive(Clone, Debug)]
enum Event {
    /// `arrived`: a delivery deferred by a pause; the link already let it through.
    Deliver {
        packet: Packet,
        arrived: bool,
    },
    Timer {
        node: NodeId,
        incarnation: u64,
        timer: Timer,
    },
    ClientArrive {
        op: OpId,
    },
    ClientReply {
        op: OpId,
        outcome: Outcome,
        value: Option<Value>,
        seen: OpSet,
    },
    ClientTimeout {
        op: OpId,
    },
    Scheduled(Action),
}

impl Event {
    /// Message `id`, still on the wire (not yet arrived at its link's end).
    fn is_message_on_wire(&self, id: u64) -> bool {
        matches!(self, Event::Deliver { packet, arrived: false } if packet.id == id)
    }
}

#[derive(Clone, Debug)]
struct Slot {
    replica: Replica,
    status: Status,
    /// Bumped on every crash; timers of older incarnations are ignored.
    incarnation: u64,
    /// Events that arrived while paused, in arrival order.
    deferred: VecDeque<Event>,
    /// The tick its status last changed (0: up since the start).
    since: Tick,
}

/// One simulated run. See the module doc.
#[derive(Clone, Debug)]
pub struct Sim {
    cfg: ProtoConfig,
    slots: Vec<Slot>,
    net: Net,
    /// Messages parked on held links, with the tick they arrived there.
    parked: Vec<(Tick, Packet)>,
    queue: Queue<Event>,
    clients: Vec<Client>,
    history: Vec<OpRecord>,
    rng: ChaCha8Rng,
    now: Tick,
    end_tick: Tick,
    events: u64,
    event_budget: u64,
    trace: u64,
    drops: Vec<Dropped>,
    /// Messages on the wire or parked.
    in_flight: usize,
    /// Ops invoked and not completed yet (each client waits for at most one).
    open_ops: usize,
    counters: Counters,
    min_balance: Option<i64>,
    /// Tick of the last heal / recover / resume / release; `None` until one happened.
    last_fault_end: Option<Tick>,
    /// The spans of time during which some fault was in place (start, end; `Tick::MAX` while
    /// it lasts): one per change from no fault to some fault, so bounded by the actions.
    fault_spans: Vec<(Tick, Tick)>,
    /// Bank: the account (key) that held `min_balance` first.
    min_balance_key: Option<u8>,
    equal_since: Option<Tick>,
    views_dirty: bool,
    client_latency_ticks: Tick,
    client_timeout_ticks: Tick,
    error: Option<SimError>,
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn config_error(what: String) -> SimError {
    SimError::Config(what)
}

fn check_config(cfg: &ProtoConfig, opts: &SimOptions) -> Result<(), SimError> {
    if cfg.nodes == 0 || usize::from(cfg.nodes) > MAX_NODES {
        return Err(config_error(format!(
            "{} nodes (1..={MAX_NODES})",
            cfg.nodes
        )));
    }
    if opts.clients.len() > MAX_CLIENTS {
        return Err(config_error(format!(
            "{} clients (at most {MAX_CLIENTS})",
            opts.clients.len()
        )));
    }
    if let Some((name, node)) = opts.clients.iter().find(|(_, n)| *n >= cfg.nodes) {
        return Err(config_error(format!(
            "client {name} is attached to missing node {}",
            node + 1
        )));
    }
    if opts.event_budget > MAX_EVENTS {
        return Err(config_error(format!(
            "an event budget of {} (at most {MAX_EVENTS})",
            opts.event_budget
        )));
    }
    if opts.end_tick > MAX_TICKS {
        return Err(config_error(format!(
            "end tick {} (at most {MAX_TICKS})",
            opts.end_tick
        )));
    }
    if cfg.n == 0 || cfg.n > cfg.nodes || cfg.r == 0 || cfg.r > cfg.n || cfg.w == 0 || cfg.w > cfg.n
    {
        return Err(config_error(format!(
            "n={} r={} w={} with {} nodes",
            cfg.n, cfg.r, cfg.w, cfg.nodes
        )));
    }
    if cfg.clock_skew_ticks.len() != usize::from(cfg.nodes) {
        return Err(config_error("one clock skew per node".into()));
    }
    if opts.latency_base_ticks > MAX_LATENCY_TICKS || opts.latency_jitter_ticks > MAX_LATENCY_TICKS
    {
        return Err(config_error(format!(
            "latency is at most {MAX_LATENCY_TICKS} ticks"
        )));
    }
    let client_latency_ok = (1..=MAX_LATENCY_TICKS).contains(&opts.client_latency_ticks);
    if !client_latency_ok
        || opts.client_timeout_ticks <= 2 * opts.client_latency_ticks
        || opts.client_timeout_ticks > MAX_TICKS
    {
        return Err(config_error(
            "client latency 1..=100000 and a timeout beyond a round trip".into(),
        ));
    }
    Ok(())
}

impl Sim {
    /// Starts a run at tick 0: every node's `on_start` has run.
    pub fn new(cfg: ProtoConfig, opts: SimOptions) -> Result<Sim, SimError> {
        check_config(&cfg, &opts)?;
        let slots = (0..cfg.nodes)
            .map(|me| Slot {
                replica: Replica::new(&cfg, me),
                status: Status::Up,
                incarnation: 0,
                deferred: VecDeque::new(),
                since: 0,
            })
            .collect();
        let min_balance =
            (cfg.case == Case::Bank).then(|| cfg.initial.iter().copied().min().unwrap_or(0));
        let mut sim = Sim {
            net: Net::new(
                cfg.nodes,
                opts.latency_base_ticks,
                opts.latency_jitter_ticks,
            ),
            slots,
            parked: Vec::new(),
            queue: Queue::new(MAX_QUEUED),
            clients: opts
                .clients
                .iter()
                .map(|(name, node)| Client {
                    name: name.clone(),
                    node: *node,
                    pending: None,
                })
                .collect(),
            history: Vec::new(),
            rng: ChaCha8Rng::seed_from_u64(opts.seed),
            now: 0,
            end_tick: opts.end_tick,
            events: 0,
            event_budget: opts.event_budget,
            trace: FNV_OFFSET,
            drops: Vec::new(),
            in_flight: 0,
            open_ops: 0,
            counters: Counters::default(),
            min_balance,
            last_fault_end: None,
            fault_spans: Vec::new(),
            min_balance_key: None,
            equal_since: None,
            views_dirty: true,
            client_latency_ticks: opts.client_latency_ticks,
            client_timeout_ticks: opts.client_timeout_ticks,
            error: None,
            cfg,
        };
        for node in 0..sim.cfg.nodes {
            sim.call(node, |r, ctx| r.on_start(ctx))?;
        }
        sim.observe_views();
        Ok(sim)
    }

    // ----- driving -----

    /// Processes exactly one event. `None` when the queue is empty, the next event is past
    /// `end_tick`, or the run stopped on an error (see [`Sim::error`]). A run that has used its
    /// event budget stops with `SimError::EventBudget` instead of processing the next event.
    pub fn step(&mut self) -> Option<StepInfo> {
        if self.error.is_some() || self.next_tick()? > self.end_tick {
            return None;
        }
        assert!(
            self.events <= self.event_budget,
            "the budget is never overrun"
        );
        if self.events == self.event_budget {
            let e = SimError::EventBudget {
                limit: self.event_budget,
                tick: self.now,
            };
            self.error = Some(e.clone());
            return Some(StepInfo {
                tick: self.now,
                kind: StepKind::Stopped(e),
            });
        }
        let (tick, event) = self.queue.pop()?;
        assert!(tick >= self.now, "time never goes backwards");
        self.now = tick;
        self.events += 1;
        let kind = match self.process(event) {
            Ok(kind) => kind,
            Err(e) => {
                self.error = Some(e.clone());
                StepKind::Stopped(e)
            }
        };
        self.assert_bounds();
        let info = StepInfo { tick, kind };
        self.fold_step(&info);
        self.observe_views();
        Some(info)
    }

    /// Processes every event due at or before `tick` (and before `end_tick`).
    pub fn run_until(&mut self, tick: Tick) {
        while self.next_tick().is_some_and(|t| t <= tick) {
            if self.step().is_none() {
                break;
            }
        }
    }

    /// Runs until the queue is empty or the end tick is reached.
    pub fn run_to_end(&mut self) {
        while self.step().is_some() {}
        self.debug_check_counts();
        debug_assert!(
            self.error.is_some() || self.no_overdue_op(),
            "a finished run leaves no op pending past its timeout"
        );
    }

    /// Applies `action` now. Errors leave the run unchanged.
    ///
    /// A request applied this way (a reader's click) always gets its answer: when it would time
    /// out past the end of the run, the run is extended to its timeout, so a request sent at the
    /// last tick still ends ok, refused or timed out, never "waiting" forever.
    pub fn apply(&mut self, action: Action) -> Result<(), SimError> {
        action.validate(self.cfg.case, self.cfg.nodes, self.clients.len())?;
        self.do_action(&action)?;
        if matches!(action, Action::Request { .. }) {
            let answered_by = self.now.saturating_add(self.client_timeout_ticks);
            self.end_tick = self.end_tick.max(answered_by.min(MAX_TICKS));
        }
        self.fold(&[0xA0, action_code(&action)]);
        self.observe_views();
        self.assert_bounds();
        self.debug_check_counts();
        Ok(())
    }

    /// Schedules `action` to happen at tick `at` (`now ≤ at ≤ end_tick`).
    pub fn schedule(&mut self, at: Tick, action: Action) -> Result<(), SimError> {
        if at < self.now || at > self.end_tick {
            return Err(SimError::BadTick {
                tick: at,
                now: self.now,
                end_tick: self.end_tick,
            });
        }
        action.validate(self.cfg.case, self.cfg.nodes, self.clients.len())?;
        self.push(at, Event::Scheduled(action))
    }

    // ----- invariants -----

    /// The explicit limits hold (O(1), checked after every event and input).
    fn assert_bounds(&self) {
        assert!(
            self.in_flight <= MAX_IN_FLIGHT,
            "messages in flight stay bounded"
        );
        assert!(self.queue.len() <= MAX_QUEUED, "the queue stays bounded");
        assert!(
            self.parked.len() <= self.in_flight,
            "a parked message is in flight"
        );
        assert!(
            self.open_ops <= self.clients.len() && self.open_ops <= self.history.len(),
            "each client waits for at most one op"
        );
        assert!(self.history.len() <= MAX_OPS, "the history stays bounded");
    }

    /// The running counts match what they count (O(n): debug builds, after an input and at the
    /// end of a run).
    fn debug_check_counts(&self) {
        if !cfg!(debug_assertions) {
            return; // the counts below are only compared in debug builds
        }
        let on_wire = self
            .queue
            .ordered()
            .iter()
            .filter(|(_, e)| matches!(e, Event::Deliver { arrived: false, .. }))
            .count();
        debug_assert_eq!(
            self.in_flight,
            on_wire + self.parked.len(),
            "in flight = on the wire + parked"
        );
        let waiting = self.clients.iter().filter(|c| c.pending.is_some()).count();
        debug_assert_eq!(self.open_ops, waiting, "an open op per waiting client");
        let pending = self.history.iter().filter(|o| o.completion.is_none());
        debug_assert_eq!(self.open_ops, pending.count(), "an open op per pending op");
    }

    /// True when no op is still pending although its client's timeout is past (the timeout
    /// completes it; O(n)).
    fn no_overdue_op(&self) -> bool {
        self.history
            .iter()
            .all(|o| o.completion.is_some() || o.invoke + self.client_timeout_ticks > self.now)
    }

    // ----- internals -----

    fn push(&mut self, tick: Tick, event: Event) -> Result<(), SimError> {
        self.queue
            .push(tick, event)
            .map_err(|e| SimError::QueueFull { limit: e.limit })
    }

    /// Runs one handler of `node` and carries out its effects.
    fn call(
        &mut self,
        node: NodeId,
        f: impl FnOnce(&mut Replica, &mut Ctx),
    ) -> Result<(), SimError> {
        let mut out = Out::default();
        {
            let slot = &mut self.slots[usize::from(node)];
            assert_eq!(
                slot.status,
                Status::Up,
                "only a running node handles events"
            );
            let mut ctx = Ctx {
                now: self.now,
                me: node,
                cfg: &self.cfg,
                rng: &mut self.rng,
                out: &mut out,
            };
            f(&mut slot.replica, &mut ctx);
        }
        self.counters.handler_calls += 1;
        self.views_dirty = true;
        self.track_balance(node);
        for effect in out.effects {
            self.effect(node, effect)?;
        }
        Ok(())
    }

    fn effect(&mut self, node: NodeId, effect: Effect) -> Result<(), SimError> {
        match effect {
            Effect::Send { to, msg } => {
                assert!(to < self.cfg.nodes, "a protocol sent to a missing node");
                if self.in_flight >= MAX_IN_FLIGHT {
                    return Err(SimError::TooManyInFlight {
                        limit: MAX_IN_FLIGHT,
                    });
                }
                let (latency, lost) = self.net.draw(&mut self.rng, node, to);
                let packet = Packet {
                    id: self.counters.messages_sent,
                    from: node,
                    to,
                    msg,
                    sent: self.now,
                    lost,
                };
                self.push(
                    self.now + latency,
                    Event::Deliver {
                        packet,
                        arrived: false,
                    },
                )?;
                self.in_flight += 1;
                self.counters.messages_sent += 1;
            }
            Effect::SetTimer { after, timer } => {
                let incarnation = self.slots[usize::from(node)].incarnation;
                self.push(
                    self.now.saturating_add(after),
                    Event::Timer {
                        node,
                        incarnation,
                        timer,
                    },
                )?;
            }
            Effect::Reply {
                op,
                outcome,
                value,
                seen,
            } => {
                assert!(
                    (op as usize) < self.history.len(),
                    "a reply to an unknown op"
                );
                self.push(
                    self.now + self.client_latency_ticks,
                    Event::ClientReply {
                        op,
                        outcome,
                        value,
                        seen,
                    },
                )?;
            }
        }
        Ok(())
    }

    fn drop_packet(&mut self, p: &Packet, cause: DropCause) -> StepKind {
        let d = Dropped {
            from: p.from,
            to: p.to,
            kind: p.msg.kind(),
            sent: p.sent,
            tick: self.now,
            cause,
        };
        if self.drops.len() == RECENT_DROPS {
            self.drops.remove(0);
        }
        self.drops.push(d);
        self.counters.messages_dropped += 1;
        StepKind::Dropped(d)
    }

    fn process(&mut self, event: Event) -> Result<StepKind, SimError> {
        match event {
            Event::Deliver { packet, arrived } => self.deliver(packet, arrived),
            Event::Timer {
                node,
                incarnation,
                timer,
            } => {
                let slot = &mut self.slots[usize::from(node)];
                if slot.incarnation != incarnation || slot.status == Status::Crashed {
                    return Ok(StepKind::StaleTimer { node });
                }
                if slot.status == Status::Paused {
                    slot.deferred.push_back(Event::Timer {
                        node,
                        incarnation,
                        timer,
                    });
                    return Ok(StepKind::Deferred { node });
                }
                self.call(node, |r, ctx| r.on_timer(ctx, timer))?;
                Ok(StepKind::Timer { node })
            }
            Event::ClientArrive { op } => {
                let rec = &self.history[op as usize];
                let (node, req) = (rec.node, rec.req);
                let slot = &mut self.slots[usize::from(node)];
                match slot.status {
                    Status::Crashed => Ok(StepKind::ArrivedAtCrashed { op, node }),
                    Status::Paused => {
                        slot.deferred.push_back(Event::ClientArrive { op });
                        Ok(StepKind::Deferred { node })
                    }
                    Status::Up => {
                        self.call(node, |r, ctx| r.on_request(ctx, op, req))?;
                        Ok(StepKind::Arrived { op, node })
                    }
                }
            }
            Event::ClientReply {
                op,
                outcome,
                value,
                seen,
            } => Ok(self.complete_reply(op, outcome, value, &seen)),
            Event::ClientTimeout { op } => {
                if self.history[op as usize].completion.is_some() {
                    return Ok(StepKind::TimeoutIgnored { op });
                }
                self.complete(op, Outcome::Timeout, None);
                Ok(StepKind::TimedOut { op })
            }
            Event::Scheduled(action) => match self.do_action(&action) {
                Ok(()) => Ok(StepKind::Action {
                    action,
                    skipped: false,
                }),
                Err(e @ (SimError::TooManyInFlight { .. } | SimError::QueueFull { .. })) => Err(e),
                Err(_) => {
                    self.counters.skipped_actions += 1;
                    Ok(StepKind::Action {
                        action,
                        skipped: true,
                    })
                }
            },
        }
    }

    fn deliver(&mut self, packet: Packet, arrived: bool) -> Result<StepKind, SimError> {
        let (from, to) = (packet.from, packet.to);
        if !arrived {
            match self.net.link(from, to).mode {
                LinkMode::Held if !packet.lost => {
                    let kind = packet.msg.kind();
                    self.parked.push((self.now, packet));
                    return Ok(StepKind::Parked { from, to, kind });
                }
                _ => {}
            }
            self.in_flight -= 1;
            if packet.lost {
                return Ok(self.drop_packet(&packet, DropCause::Loss));
            }
            if self.net.link(from, to).mode == LinkMode::Cut {
                return Ok(self.drop_packet(&packet, DropCause::Cut));
            }
        }
        let slot = &mut self.slots[usize::from(to)];
        match slot.status {
            Status::Crashed => Ok(self.drop_packet(&packet, DropCause::Crashed)),
            Status::Paused => {
                slot.deferred.push_back(Event::Deliver {
                    packet,
                    arrived: true,
                });
                Ok(StepKind::Deferred { node: to })
            }
            Status::Up => {
                let kind = packet.msg.kind();
                self.counters.messages_delivered += 1;
                self.call(to, |r, ctx| r.on_message(ctx, from, packet.msg))?;
                Ok(StepKind::Delivered { from, to, kind })
            }
        }
    }

    fn complete(&mut self, op: OpId, outcome: Outcome, value: Option<Value>) {
        let now = self.now;
        let rec = &mut self.history[op as usize];
        assert!(rec.completion.is_none(), "an op completes once");
        assert!(
            rec.invoke <= now && now <= rec.invoke + self.client_timeout_ticks,
            "an op ends after its invocation and by its timeout"
        );
        let completion = Completion::new(now, outcome, value);
        assert!(
            completion.is_some(),
            "a protocol returns a value only with Ok"
        );
        rec.completion = completion;
        let client = &mut self.clients[usize::from(rec.client)];
        assert_eq!(client.pending, Some(op), "the client waited for this op");
        client.pending = None;
        assert!(self.open_ops > 0, "a completed op was open");
        self.open_ops -= 1;
    }

    fn complete_reply(
        &mut self,
        op: OpId,
        outcome: Outcome,
        value: Option<Value>,
        seen: &OpSet,
    ) -> StepKind {
        if self.history[op as usize].completion.is_some() {
            return StepKind::Replied { op, late: true };
        }
        let is_read = !self.history[op as usize].req.kind.is_update();
        let stale = (is_read && outcome == Outcome::Ok && value.is_some()).then(|| {
            staleness(
                self.cfg.case,
                &self.cfg.initial,
                &self.history,
                &self.history[op as usize],
                seen,
            )
        });
        self.complete(op, outcome, value);
        if let Some((missed, fresh)) = stale {
            let rec = &mut self.history[op as usize];
            rec.missed = missed;
            rec.fresh = fresh;
        }
        StepKind::Replied { op, late: false }
    }
}
