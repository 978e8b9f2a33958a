//! quorum: placeholder, replaced by the real protocol.

use crate::sim::types::{MsgKind, NodeId, OpId, OpSet, Request, Role};

use super::{Ctx, NodeView, ProtoConfig, Timer};

#[derive(Clone, Debug, PartialEq)]
pub enum Msg {}

impl Msg {
    pub fn kind(&self) -> MsgKind {
        match *self {}
    }
}

#[derive(Clone, Debug)]
pub struct Node {}

impl Node {
    pub fn new(_cfg: &ProtoConfig, _me: NodeId) -> Node {
        Node {}
    }
    pub fn on_start(&mut self, _ctx: &mut Ctx) {}
    pub fn on_request(&mut self, _ctx: &mut Ctx, _op: OpId, _req: Request) {}
    pub fn on_message(&mut self, _ctx: &mut Ctx, _from: NodeId, msg: Msg) {
        match msg {}
    }
    pub fn on_timer(&mut self, _ctx: &mut Ctx, _timer: Timer) {}
    pub fn on_crash(&mut self) {}
    pub fn view(&self) -> NodeView {
        NodeView {
            role: Role::Replica,
            keys: Vec::new(),
            version: String::new(),
            hints: 0,
        }
    }
    pub fn seen(&self, _key: u8) -> OpSet {
        OpSet::new()
    }
}
