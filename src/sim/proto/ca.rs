//! CA: one node (n1) holds the only copy; every other node forwards to it.
//!
//! Consistent and available for as long as n1 is up and reachable — that is, as long as there is
//! no partition. A client at a node cut off from n1 gets no answer (a timeout): there is nobody
//! else to ask.

use crate::sim::types::{MsgKind, NodeId, OpId, OpSet, Outcome, Reason, Request, Role, Value};

use super::store::Applied;
use super::{Ctx, NodeView, ProtoConfig, Timer};

/// The data node.
pub const SINGLE: NodeId = 0;

#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    /// A proxy forwards a client request to the single node.
    Forward { op: OpId, req: Request },
    /// The single node's answer, relayed by the proxy to its client.
    Reply {
        op: OpId,
        result: Result<Option<Value>, Reason>,
        seen: OpSet,
    },
}

impl Msg {
    pub fn kind(&self) -> MsgKind {
        match self {
            Msg::Forward { .. } => MsgKind::Forward,
            Msg::Reply { .. } => MsgKind::ForwardReply,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Node {
    me: NodeId,
    /// The data; kept on disk, so it survives a crash. Only the single node uses it.
    data: Applied,
}

fn outcome(result: &Result<Option<Value>, Reason>) -> (Outcome, Option<Value>) {
    match result {
        Ok(v) => (Outcome::Ok, v.clone()),
        Err(r) => (Outcome::Refused(*r), None),
    }
}

impl Node {
    pub fn new(cfg: &ProtoConfig, me: NodeId) -> Node {
        Node {
            me,
            data: Applied::new(cfg),
        }
    }

    pub fn on_start(&mut self, _ctx: &mut Ctx) {}

    pub fn on_request(&mut self, ctx: &mut Ctx, op: OpId, req: Request) {
        if self.me == SINGLE {
            let result = self.data.apply(op, &req);
            let (o, v) = outcome(&result);
            let seen = if req.kind.is_update() {
                OpSet::new()
            } else {
                self.data.seen_by(&req)
            };
            ctx.out.reply(op, o, v, seen);
        } else {
            ctx.out
                .send(SINGLE, super::Msg::Ca(Msg::Forward { op, req }));
        }
    }

    pub fn on_message(&mut self, ctx: &mut Ctx, from: NodeId, msg: Msg) {
        match msg {
            Msg::Forward { op, req } => {
                assert_eq!(
                    self.me, SINGLE,
                    "only the single node serves forwarded requests"
                );
                let result = self.data.apply(op, &req);
                let seen = if req.kind.is_update() {
                    OpSet::new()
                } else {
                    self.data.seen_by(&req)
                };
                ctx.out
                    .send(from, super::Msg::Ca(Msg::Reply { op, result, seen }));
            }
            Msg::Reply { op, result, seen } => {
                let (o, v) = outcome(&result);
                ctx.out.reply(op, o, v, seen);
            }
        }
    }

    pub fn on_timer(&mut self, _ctx: &mut Ctx, _timer: Timer) {}

    pub fn on_crash(&mut self) {}

    /// The data (the single node's keys; a proxy holds none).
    pub fn keys(&self) -> std::borrow::Cow<'_, [Value]> {
        if self.me == SINGLE {
            std::borrow::Cow::Borrowed(&self.data.state.keys)
        } else {
            std::borrow::Cow::Borrowed(&[])
        }
    }

    /// Whether this node stores data (a proxy does not).
    pub fn holds_data(&self) -> bool {
        self.me == SINGLE
    }

    pub fn view(&self) -> NodeView {
        let single = self.me == SINGLE;
        NodeView {
            role: if single { Role::Single } else { Role::Proxy },
            keys: if single {
                self.data.state.keys.clone()
            } else {
                Vec::new()
            },
            version: if single {
                format!(
                    "{} updates",
                    self.data.seen.iter().map(OpSet::len).sum::<usize>()
                )
            } else {
                "forwards to n1".into()
            },
            hints: 0,
        }
    }

    pub fn seen(&self, key: u8) -> OpSet {
        if self.me == SINGLE {
            self.data.seen[key as usize].clone()
        } else {
            OpSet::new()
        }
    }
}
