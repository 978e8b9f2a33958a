//! Applying actions: client requests, crashes, pauses and network changes.

use super::{Event, Sim, MAX_QUEUED};
use crate::sim::action::{validate_request, Action, DropCause, MsgId, SimError};
use crate::sim::net::LinkMode;
use crate::sim::types::{ClientId, NodeId, OpId, OpRecord, Request, Status, Tick, MAX_OPS};

fn not_in_flight(id: MsgId) -> SimError {
    SimError::BadAction(format!("message #{id} is no longer on its way"))
}

impl Sim {
    pub(super) fn start_request(&mut self, client: ClientId, req: Request) -> Result<(), SimError> {
        validate_request(self.cfg.case, &req)?;
        let c = self
            .clients
            .get(usize::from(client))
            .ok_or(SimError::UnknownClient {
                client,
                clients: self.clients.len(),
            })?;
        if let Some(op) = c.pending {
            return Err(SimError::ClientBusy { client, op });
        }
        if self.history.len() >= MAX_OPS {
            return Err(SimError::TooManyOps { limit: MAX_OPS });
        }
        if self.queue.len() + 2 > MAX_QUEUED {
            return Err(SimError::QueueFull { limit: MAX_QUEUED });
        }
        let op = self.history.len() as OpId;
        let node = c.node;
        self.history.push(OpRecord {
            id: op,
            client,
            node,
            req,
            invoke: self.now,
            completion: None,
            missed: Vec::new(),
            fresh: None,
        });
        self.clients[usize::from(client)].pending = Some(op);
        self.open_ops += 1;
        self.push(
            self.now + self.client_latency_ticks,
            Event::ClientArrive { op },
        )?;
        self.push(
            self.now + self.client_timeout_ticks,
            Event::ClientTimeout { op },
        )
    }

    pub(super) fn do_action(&mut self, action: &Action) -> Result<(), SimError> {
        let faulty = self.faults_active();
        match action {
            Action::Request { client, req } => return self.start_request(*client, *req),
            Action::Crash(n) => self.crash(*n),
            Action::Recover(n) => {
                if self.status(*n) == Status::Crashed {
                    self.slots[usize::from(*n)].status = Status::Up;
                    self.slots[usize::from(*n)].since = self.now;
                    self.views_dirty = true;
                    self.call(*n, |r, ctx| r.on_start(ctx))?;
                }
            }
            Action::Pause(n) => {
                if self.status(*n) == Status::Up {
                    self.slots[usize::from(*n)].status = Status::Paused;
                    self.slots[usize::from(*n)].since = self.now;
                    self.views_dirty = true;
                }
            }
            Action::Resume(n) => self.resume(*n)?,
            Action::Cut { from, to } => self.net.cut(*from, *to),
            Action::CutBoth { a, b } => self.net.cut_both(*a, *b),
            Action::Heal { a, b } => self.net.heal(*a, *b),
            Action::Partition { sides } => self.net.partition(sides),
            Action::Isolate(n) => self.net.isolate(*n),
            Action::HealAll => self.net.heal_all(),
            Action::SetLatency {
                a,
                b,
                base_ticks,
                jitter_ticks,
            } => self.net.set_latency(*a, *b, *base_ticks, *jitter_ticks),
            Action::SetLoss { a, b, per_mille } => self.net.set_loss(*a, *b, *per_mille),
            Action::Hold { from, to } => self.net.hold(*from, *to),
            Action::Release { from, to } => self.net.release(*from, *to),
            Action::DropMessage(id) => self.drop_message(*id)?,
            Action::DelayMessage { id, ticks } => self.delay_message(*id, *ticks)?,
        }
        if action.ends_fault() {
            self.last_fault_end = Some(self.now);
        }
        match (faulty, self.faults_active()) {
            (false, true) => self.fault_spans.push((self.now, Tick::MAX)),
            (true, false) => {
                if let Some(span) = self.fault_spans.last_mut() {
                    span.1 = self.now;
                }
            }
            _ => {}
        }
        self.unpark()
    }

    pub(super) fn crash(&mut self, n: NodeId) {
        let slot = &mut self.slots[usize::from(n)];
        if slot.status == Status::Crashed {
            return;
        }
        slot.status = Status::Crashed;
        slot.since = self.now;
        slot.incarnation += 1;
        slot.replica.on_crash();
        let lost: Vec<Event> = slot.deferred.drain(..).collect();
        for e in lost {
            if let Event::Deliver { packet, .. } = e {
                self.drop_packet(&packet, DropCause::Crashed);
            }
        }
        self.views_dirty = true;
    }

    /// A reader drops message `id`: it dies now, on the wire or on a held link.
    fn drop_message(&mut self, id: MsgId) -> Result<(), SimError> {
        let on_wire = self.queue.take(|e| e.is_message_on_wire(id));
        let packet = match on_wire {
            Some((_, Event::Deliver { packet, .. })) => packet,
            _ => match self.parked.iter().position(|(_, p)| p.id == id) {
                Some(i) => self.parked.remove(i).1,
                None => return Err(not_in_flight(id)),
            },
        };
        assert!(self.in_flight > 0, "a message in flight was counted");
        self.in_flight -= 1;
        self.drop_packet(&packet, DropCause::Reader);
        Ok(())
    }

    /// A reader delays message `id`, still on the wire, by `ticks`.
    fn delay_message(&mut self, id: MsgId, ticks: Tick) -> Result<(), SimError> {
        let on_wire = self.queue.take(|e| e.is_message_on_wire(id));
        match on_wire {
            Some((at, event)) => self.push(at.saturating_add(ticks), event),
            None => Err(not_in_flight(id)),
        }
    }

    /// A paused node continues: what waited for it is replayed now, in arrival order.
    pub(super) fn resume(&mut self, n: NodeId) -> Result<(), SimError> {
        if self.status(n) != Status::Paused {
            return Ok(());
        }
        self.slots[usize::from(n)].status = Status::Up;
        self.slots[usize::from(n)].since = self.now;
        self.views_dirty = true;
        let waiting: Vec<Event> = self.slots[usize::from(n)].deferred.drain(..).collect();
        for e in waiting {
            self.push(self.now, e)?;
        }
        Ok(())
    }

    /// Parked messages whose link is no longer held go back on the wire, arriving now.
    pub(super) fn unpark(&mut self) -> Result<(), SimError> {
        let net = &self.net;
        let (go, stay): (Vec<_>, Vec<_>) = self
            .parked
            .drain(..)
            .partition(|(_, p)| net.link(p.from, p.to).mode != LinkMode::Held);
        self.parked = stay;
        for (_, packet) in go {
            self.push(
                self.now,
                Event::Deliver {
                    packet,
                    arrived: false,
                },
            )?;
        }
        Ok(())
    }
}
