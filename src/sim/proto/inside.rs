//! What a reader sees when they look inside a node: the protocol's own state, read (never
//! changed) from the node, as plain data; `app::inspect` puts it into words.

use super::cp::{Command, LogIndex, Term};
use super::quorum::Stored;
use super::versioned::Versioned;
use crate::sim::types::{NodeId, OpId, Request, Role};

/// At most this many log entries are shown (the newest); the rest are counted.
pub const MAX_LOG_SHOWN: usize = 8;

/// A node's protocol state, by mode.
#[derive(Clone, Debug, PartialEq)]
pub enum Inside {
    /// CA: the single node holds the one copy; a proxy holds nothing and forwards.
    Ca {
        holds_data: bool,
    },
    Cp(CpInside),
    Ap(ApInside),
    Quorum(QuorumInside),
}

/// A Raft-style replica.
#[derive(Clone, Debug, PartialEq)]
pub struct CpInside {
    pub term: Term,
    pub role: Role,
    pub voted_for: Option<NodeId>,
    pub leader: Option<NodeId>,
    pub commit: LogIndex,
    pub log_len: LogIndex,
    /// The newest entries (at most [`MAX_LOG_SHOWN`]), oldest first.
    pub log: Vec<LogLine>,
    /// Leader only: how far each follower's log is known to match (index), in node order.
    pub peers: Vec<(NodeId, LogIndex)>,
}

/// One log entry.
#[derive(Clone, Debug, PartialEq)]
pub struct LogLine {
    pub index: LogIndex,
    pub term: Term,
    /// The client update it carries (`None`: a new leader's no-op).
    pub op: Option<(OpId, Request)>,
    pub committed: bool,
}

/// A Dynamo-style replica.
#[derive(Clone, Debug, PartialEq)]
pub struct ApInside {
    /// Each key's versions (siblings, a stamp, a counter, a set).
    pub keys: Vec<Versioned>,
    /// Writes held for replicas it could not reach: (for whom, key, version).
    pub hints: Vec<(NodeId, u8, Versioned)>,
    /// Requests it coordinates right now.
    pub waiting: usize,
}

/// A quorum replica.
#[derive(Clone, Debug, PartialEq)]
pub struct QuorumInside {
    /// Each key's stored version (`None`: not a replica of that key).
    pub keys: Vec<Option<Stored>>,
    /// The replicas whose answers completed the last read quorum it gathered (op, nodes).
    pub last_read: Option<(OpId, Vec<NodeId>)>,
    /// The replicas whose acks completed the last write quorum it gathered (op, nodes).
    pub last_write: Option<(OpId, Vec<NodeId>)>,
    /// Requests it coordinates right now.
    pub waiting: usize,
}

/// The newest [`MAX_LOG_SHOWN`] entries of a Raft log, 1-based, with their commit state.
pub fn log_lines(log: &[super::cp::Entry], commit: LogIndex) -> Vec<LogLine> {
    let from = log.len().saturating_sub(MAX_LOG_SHOWN);
    let lines: Vec<LogLine> = log[from..]
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let index = (from + i + 1) as LogIndex;
            LogLine {
                index,
                term: e.term,
                op: match e.cmd {
                    Command::Noop => None,
                    Command::Client { op, req } => Some((op, req)),
                },
                committed: index <= commit,
            }
        })
        .collect();
    assert!(lines.len() <= MAX_LOG_SHOWN);
    lines
}
