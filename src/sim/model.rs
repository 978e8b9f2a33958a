//! The sequential meaning of each case: what one correct, single-copy store does with a request.
//!
//! Used by the CP and CA state machines (they apply committed requests in order), by the
//! linearizability checker (the specification a history is checked against) and to compute the
//! "fresh" value a stale read missed.

use super::types::{Case, KeyType, OpKind, Reason, Request, Value};

/// The whole data of one case as a single copy: one value per key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct State {
    pub case: Case,
    /// Counters and registers hold `Value::Int`, sets hold `Value::Set` (sorted).
    pub keys: Vec<Value>,
}

impl State {
    /// The initial state. `initial[i]` seeds integer key `i` (missing entries are 0).
    pub fn new(case: Case, initial: &[i64]) -> State {
        let keys = (0..case.keys().len())
            .map(|k| match case.key_type(k as u8) {
                KeyType::Set => Value::Set(Vec::new()),
                _ => Value::Int(initial.get(k).copied().unwrap_or(0)),
            })
            .collect();
        State { case, keys }
    }

    pub fn int(&self, key: u8) -> i64 {
        match self.keys.get(key as usize) {
            Some(Value::Int(v)) => *v,
            _ => 0,
        }
    }

    fn set_mut(&mut self, key: u8) -> &mut Vec<u32> {
        match &mut self.keys[key as usize] {
            Value::Set(s) => s,
            other => panic!("key {key} is not a set: {other:?}"),
        }
    }

    fn add_int(&mut self, key: u8, delta: i64) {
        let v = self.int(key).saturating_add(delta);
        self.keys[key as usize] = Value::Int(v);
    }

    /// What a read of `req.key` returns in this state (a feed read returns posts and likes).
    pub fn read(&self, req: &Request) -> Value {
        match self.case {
            Case::Feed => Value::Feed {
                posts: match &self.keys[0] {
                    Value::Set(s) => s.clone(),
                    _ => Vec::new(),
                },
                likes: self.int(1),
            },
            _ => self.keys[req.key as usize].clone(),
        }
    }

    /// Applies one request; returns the read value (reads) or `None` (updates), or the reason a
    /// conditional update (withdraw, transfer) was refused. A refused update changes nothing.
    pub fn apply(&mut self, req: &Request) -> Result<Option<Value>, Reason> {
        match req.kind {
            OpKind::Read => return Ok(Some(self.read(req))),
            OpKind::Write => self.keys[req.key as usize] = Value::Int(req.arg),
            OpKind::Deposit => self.add_int(req.key, req.arg),
            OpKind::Like => self.add_int(1, 1),
            OpKind::Withdraw | OpKind::Transfer => {
                let balance = self.int(req.key);
                if balance < req.arg {
                    return Err(Reason::InsufficientFunds { balance });
                }
                self.add_int(req.key, -req.arg);
                if req.kind == OpKind::Transfer {
                    self.add_int(req.key2, req.arg);
                }
            }
            OpKind::Post => {
                let set = self.set_mut(0);
                let id = req.arg as u32;
                if let Err(pos) = set.binary_search(&id) {
                    set.insert(pos, id);
                }
            }
        }
        Ok(None)
    }

    /// The keys a request touches (a feed read touches both posts and likes).
    pub fn keys_of(case: Case, req: &Request) -> Vec<u8> {
        match (case, req.kind) {
            (Case::Feed, OpKind::Read) => vec![0, 1],
            (Case::Feed, OpKind::Like) => vec![1],
            (Case::Feed, OpKind::Post) => vec![0],
            (_, OpKind::Transfer) => vec![req.key, req.key2],
            _ => vec![req.key],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::types::Consistency;

    fn req(kind: OpKind, key: u8, arg: i64) -> Request {
        Request {
            kind,
            key,
            key2: 1,
            arg,
            consistency: Consistency::Default,
        }
    }

    #[test]
    fn bank_refuses_overdraft_and_changes_nothing() {
        let mut s = State::new(Case::Bank, &[100, 0]);
        assert_eq!(s.apply(&req(OpKind::Withdraw, 0, 80)), Ok(None));
        assert_eq!(
            s.apply(&req(OpKind::Withdraw, 0, 80)),
            Err(Reason::InsufficientFunds { balance: 20 })
        );
        assert_eq!(s.int(0), 20);
        assert_eq!(s.apply(&req(OpKind::Transfer, 0, 15)), Ok(None));
        assert_eq!((s.int(0), s.int(1)), (5, 15));
    }

    #[test]
    fn feed_read_returns_posts_and_likes() {
        let mut s = State::new(Case::Feed, &[]);
        s.apply(&req(OpKind::Post, 0, 7)).unwrap();
        s.apply(&req(OpKind::Post, 0, 3)).unwrap();
        s.apply(&req(OpKind::Post, 0, 7)).unwrap();
        s.apply(&req(OpKind::Like, 1, 0)).unwrap();
        assert_eq!(
            s.apply(&req(OpKind::Read, 0, 0)),
            Ok(Some(Value::Feed {
                posts: vec![3, 7],
                likes: 1
            }))
        );
    }
}
